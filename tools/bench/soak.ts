// tools/bench (tool, Node) — `npm run soak -- --minutes 10`: the station under a county's steady load for a while. The real
// core (a child process, demo mode) serves a county of 10,000 terminals (2,500 schools with 4 terminals each; the
// registry is generated once and cached); worker processes hold the 10,000 terminal connections (socket.io-client,
// from many loopback source addresses, as schools behind different networks), each sending a heartbeat every 30 s;
// one alarm a second comes from a random terminal; a console (socket.io, logged in as an officer) counts every alarm
// it is shown, acknowledges and resolves it. Every 30 s it prints the core's RSS; at the end alarms sent / acked /
// shown / lost. Fails when an alarm is lost, a terminal could not stay connected, or the RSS is not bounded.
//
// Parent ⇄ worker over the IPC channel (soak.js --worker): config → connected; alarm → ack; stop → report.
import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { io, type Socket } from 'socket.io-client';
import type { DemoCredentials } from '../../main/demo';
import { loadDemoRegistry } from '../../main/demo';
import { hashSecret, newToken } from '../../main/core/secrets';
import type { TerminalRecord } from '../../main/core/registry';
import type { LoginResponse } from '../../shared/consoleApi';
import type { JournalRecord } from '../../shared/events';
import type { AlarmKind } from '../../shared/protocol';
import { mulberry32 } from '../../shared/sampleCounty';
import { ROOT } from '../../test/support/core';
import { cleanupRegistry, clock, procCpuMs, runBench, sleep, startWatchdog, stats, type Stats, benchArgs, within } from './common';
import { procMemMiB, spawnCore, type TimedCore } from './timedCore';
import { type FromWorker, type ToWorker, workerMain, type WorkerStatus } from './soakWorker';

const HELP = `usage: npm run soak -- [options]
  --minutes M          how long to hold the load once every terminal is connected (default 10)
  --terminals N        terminal connections (default 10000)
  --per-school K       terminals per school (default 4; schools = N / K, at most 5000)
  --workers W          processes holding the terminals (default 4)
  --heartbeat S        heartbeat interval of every terminal, seconds (default 30; the core is told the same)
  --alarm-every MS     one alarm from a random terminal every MS (default 1000)
  --sample S           print the core's RSS every S seconds (default 30)
  --rss-limit MIB      fail when the core's RSS exceeds this (default 1024)
  --rss-growth MIB     fail when the RSS keeps growing: the lowest sample of the last quarter more than this above
                       the lowest of the first half (default 128)
  --connect-timeout S  give up when the terminals are not all connected after S seconds (default 600)
  --out FILE           JSON results (default bench-results/soak.json)
Exit code: 0 when no alarm was lost, every terminal stayed connected and the RSS stayed bounded; 1 otherwise;
2 when the soak could not run. The county's registry is cached in bench-results/cache/.`;

interface Options {
  minutes: number;
  terminals: number;
  perSchool: number;
  workers: number;
  heartbeatS: number;
  alarmEveryMs: number;
  sampleS: number;
  rssLimitMiB: number;
  rssGrowthMiB: number;
  connectTimeoutS: number;
  out: string;
}

function parseArgs(argv: string[]): Options {
  const o: Options = {
    minutes: 10,
    terminals: 10_000,
    perSchool: 4,
    workers: 4,
    heartbeatS: 30,
    alarmEveryMs: 1000,
    sampleS: 30,
    rssLimitMiB: 1024,
    rssGrowthMiB: 128,
    connectTimeoutS: 600,
    out: path.join(ROOT, 'bench-results', 'soak.json'),
  };
  const a = benchArgs(
    argv,
    HELP,
    {
      minutes: 'value',
      terminals: 'value',
      'per-school': 'value',
      workers: 'value',
      heartbeat: 'value',
      'alarm-every': 'value',
      sample: 'value',
      'rss-limit': 'value',
      'rss-growth': 'value',
      'connect-timeout': 'value',
      out: 'value',
    },
    ['--out'],
  );
  o.minutes = a.num('minutes', 0.1, o.minutes);
  o.terminals = Math.floor(a.num('terminals', 1, o.terminals));
  o.perSchool = Math.floor(a.num('per-school', 1, o.perSchool));
  o.workers = Math.floor(a.num('workers', 1, o.workers));
  o.heartbeatS = a.num('heartbeat', 1, o.heartbeatS);
  o.alarmEveryMs = a.num('alarm-every', 50, o.alarmEveryMs);
  o.sampleS = a.num('sample', 1, o.sampleS);
  o.rssLimitMiB = a.num('rss-limit', 1, o.rssLimitMiB);
  o.rssGrowthMiB = a.num('rss-growth', 0, o.rssGrowthMiB);
  o.connectTimeoutS = a.num('connect-timeout', 1, o.connectTimeoutS);
  o.out = a.file('out', o.out) ?? o.out;
  if (Math.ceil(o.terminals / o.perSchool) > 5000) throw new Error('--terminals / --per-school must be at most 5000 schools (the demo county limit)');
  return o;
}

const progress = (what: string): void => void process.stderr.write(`soak: ${what}\n`);

// ---------------------------------------------------------------- the county: a registry with many terminals per school

const SOAK_VERSION = 1;

/** The cached data folder (demo registry and credentials) of a county with o.terminals terminals. */
async function preparedCounty(o: Options): Promise<{ dir: string; cached: boolean; ms: number }> {
  const schools = Math.ceil(o.terminals / o.perSchool);
  const dir = path.join(ROOT, 'bench-results', 'cache', `soak-g${SOAK_VERSION}-t${o.terminals}-k${o.perSchool}`);
  const done = path.join(dir, 'ready');
  if (fs.existsSync(done)) return { dir, cached: true, ms: 0 };
  const t0 = performance.now();
  const tmp = `${dir}.tmp-${process.pid}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(tmp, { recursive: true });
  onCleanup('unfinished soak county', () => fs.rmSync(tmp, { recursive: true, force: true }));
  progress(`making a county of ${schools} schools with ${o.terminals} terminals (hashing every token once; cached afterwards)`);
  const { registry, credentialsFile } = await loadDemoRegistry(tmp, path.join(ROOT, 'assets'), { schools, units: 8 });
  const creds = JSON.parse(fs.readFileSync(credentialsFile, 'utf8')) as DemoCredentials;
  // The demo gives each school one terminal; the others get `-2`, `-3` … (the gate, the office, each building).
  const extra: { record: TerminalRecord; token: string; schoolName: string }[] = [];
  const schoolsList = registry.snapshot.schools;
  for (let k = 2; k <= o.perSchool; k++) {
    for (const s of schoolsList) {
      if (creds.terminals.length + extra.length >= o.terminals) break;
      const code = s.id.replace(/^sch-/, '');
      extra.push({
        record: {
          deviceId: `term-${code}-${k}`,
          schoolId: s.id,
          label: `一键报警终端 ${code.toUpperCase()}-${k}`,
          secret: { salt: '', hash: '' },
          disabled: false,
        },
        token: newToken(),
        schoolName: s.name,
      });
    }
  }
  for (let i = 0; i < extra.length; i += 64) {
    await Promise.all(extra.slice(i, i + 64).map(async (e) => void (e.record.secret = await hashSecret(e.token, 'token'))));
    if (i % 2048 === 0) progress(`  hashed ${i + creds.terminals.length} of ${o.terminals} tokens`);
  }
  registry.update((d) => d.terminals.push(...extra.map((e) => e.record)));
  creds.terminals.push(...extra.map((e) => ({ deviceId: e.record.deviceId, token: e.token, schoolId: e.record.schoolId, schoolName: e.schoolName })));
  creds.terminals = creds.terminals.slice(0, o.terminals);
  fs.writeFileSync(credentialsFile, JSON.stringify(creds, null, 1), { mode: 0o600 });
  fs.writeFileSync(path.join(tmp, 'ready'), new Date().toISOString());
  fs.rmSync(dir, { recursive: true, force: true });
  fs.renameSync(tmp, dir);
  return { dir, cached: false, ms: performance.now() - t0 };
}

// ---------------------------------------------------------------- the console

interface ConsoleTally {
  shown: Map<string, number>;
  acknowledged: number;
  resolved: number;
  commandFailures: string[];
  disconnects: number;
  lastSeq: number;
}

/** Logs in as the officer; counts every soak alarm it is shown (catch-up or live), acknowledges and resolves it. */
async function startConsole(core: TimedCore, creds: DemoCredentials): Promise<{ socket: Socket; tally: ConsoleTally }> {
  const officer = creds.operators.find((x) => x.username === 'officer');
  if (!officer) throw new Error('the demo credentials have no officer');
  const res = await fetch(`${core.url}api/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username: officer.username, password: officer.password }),
  });
  const login = (await res.json()) as LoginResponse;
  if (!login.ok) throw new Error(`the console could not log in: ${login.error.message}`);
  const tally: ConsoleTally = { shown: new Map(), acknowledged: 0, resolved: 0, commandFailures: [], disconnects: 0, lastSeq: 0 };
  // On a reconnect the console asks for what it missed since its last record, as the real one does.
  const socket = io(`${core.url}console`, {
    auth: (cb) => cb({ session: login.session, since: tally.lastSeq }),
    transports: ['websocket'],
    reconnection: true,
    forceNew: true,
  });
  onCleanup('console', () => void socket.close());
  const handle = async (incidentId: string): Promise<void> => {
    const ack = (await socket.timeout(10_000).emitWithAck('acknowledge', { incidentId })) as { ok: boolean; error?: { message: string } };
    if (!ack.ok) throw new Error(`acknowledge ${incidentId}: ${ack.error?.message}`);
    tally.acknowledged++;
    const res2 = (await socket.timeout(10_000).emitWithAck('resolve', { incidentId, disposition: 'false_alarm', note: 'soak' })) as {
      ok: boolean;
      error?: { message: string };
    };
    if (!res2.ok) throw new Error(`resolve ${incidentId}: ${res2.error?.message}`);
    tally.resolved++;
  };
  const onRecord = (r: JournalRecord): void => {
    tally.lastSeq = Math.max(tally.lastSeq, r.seq);
    const e = r.event;
    // A further press of a terminal whose alarm of that kind is still open joins it: shown on its card.
    if (e.type === 'alarm.repeated') for (const id of e.alarmIds) if (id.startsWith('soak-') && !tally.shown.has(id)) tally.shown.set(id, clock());
    if (e.type !== 'alarm.received' || !e.alarmId.startsWith('soak-') || tally.shown.has(e.alarmId)) return;
    tally.shown.set(e.alarmId, clock());
    if (e.kind === 'test') return; // the station takes and closes a test press itself: nobody works it
    handle(e.incidentId).catch((err: unknown) => void (tally.commandFailures.length < 20 && tally.commandFailures.push((err as Error).message)));
  };
  socket.on('records', (batch: JournalRecord[]) => batch.forEach(onRecord));
  socket.on('record', onRecord);
  socket.on('disconnect', () => void tally.disconnects++);
  await within(
    new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', (e) => reject(new Error(`the console could not connect: ${e.message}`)));
    }),
    30_000,
    'the console did not connect within 30 s',
  );
  return { socket, tally };
}

// ---------------------------------------------------------------- main

const { onCleanup, cleanupAll } = cleanupRegistry('soak');

interface Sample {
  atS: number;
  rssMiB: number;
  hwmMiB: number;
  cpuPct?: number;
  connected: number;
  sent: number;
  acked: number;
  shown: number;
}

async function main(): Promise<number> {
  const o = parseArgs(process.argv.slice(2));
  const t0 = Date.now();
  startWatchdog('soak', Math.round(600 + o.connectTimeoutS + o.minutes * 60 + 120), cleanupAll);

  const county = await preparedCounty(o);
  if (!county.cached) progress(`county ready in ${(county.ms / 1000).toFixed(0)} s (${county.dir})`);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'soak-'));
  onCleanup('soak data folder', () => fs.rmSync(dataDir, { recursive: true, force: true }));
  for (const f of ['demo-registry.json', 'demo-credentials.json']) fs.copyFileSync(path.join(county.dir, f), path.join(dataDir, f));
  const creds = JSON.parse(fs.readFileSync(path.join(dataDir, 'demo-credentials.json'), 'utf8')) as DemoCredentials;
  const terms = creds.terminals.slice(0, o.terminals);
  if (terms.length < o.terminals) throw new Error(`the county has ${terms.length} terminals, ${o.terminals} asked`);

  progress('starting the core');
  const heartbeatMs = Math.round(o.heartbeatS * 1000);
  const core = await spawnCore({ dataDir, env: { STATION_HEARTBEAT_MS: String(heartbeatMs) }, timeoutMs: 120_000, noFile: 2 * o.terminals + 1024 });
  onCleanup('core', () => core.stop(3000));
  const pid = core.child.pid;
  const noFile = (() => {
    try {
      return /Max open files\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/limits`, 'utf8'))?.[1];
    } catch {
      return undefined;
    }
  })();
  progress(`core listening at ${core.url} after ${(core.startMs / 1000).toFixed(1)} s (open-file limit ${noFile ?? '?'})`);
  const { tally } = await startConsole(core, creds);

  // ---- the workers connect their terminals
  const workers: ChildProcess[] = [];
  const status = new Map<ChildProcess, WorkerStatus>();
  const acks = new Map<string, { ok: boolean; ms: number; error?: string }>();
  const handshakeMs: number[] = [];
  const per = Math.ceil(terms.length / o.workers);
  const connectT0 = clock();
  const connectedAll = Promise.all(
    Array.from({ length: o.workers }, (_, w) => {
      const child = fork(fileURLToPath(import.meta.url), ['--worker'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
      workers.push(child);
      onCleanup(`worker ${w + 1}`, async () => {
        if (child.exitCode !== null) return;
        const gone = new Promise<void>((r) => child.once('exit', () => r()));
        child.kill('SIGTERM');
        await within(gone, 3000, 'worker did not stop').catch(() => child.kill('SIGKILL'));
      });
      process.once('exit', () => child.exitCode === null && child.kill('SIGKILL'));
      return new Promise<void>((resolve, reject) => {
        child.on('message', (m: FromWorker) => {
          if (m.type === 'connected') {
            status.set(child, m.status);
            handshakeMs.push(...m.handshakeMs);
            resolve();
          } else if (m.type === 'status' || m.type === 'report') status.set(child, m.status);
          else if (m.type === 'ack') acks.set(m.alarmId, { ok: m.ok, ms: m.ms, ...(m.error ? { error: m.error } : {}) });
        });
        child.once('exit', (code) => reject(new Error(`worker ${w + 1} exited with ${code}`)));
        const slice = terms.slice(w * per, (w + 1) * per).map((t) => ({ deviceId: t.deviceId, token: t.token }));
        child.send({ type: 'config', url: core.url, terminals: slice, firstIndex: w * per, heartbeatMs, concurrency: 64 } satisfies ToWorker);
      });
    }),
  );
  const connTicker = setInterval(() => {
    const n = [...status.values()].reduce((a, s) => a + s.connected, 0);
    progress(`connecting: ${n} connected after ${((clock() - connectT0) / 1000).toFixed(0)} s, core RSS ${procMemMiB(pid)?.rss.toFixed(0) ?? '?'} MiB`);
  }, 10_000);
  try {
    await within(connectedAll, o.connectTimeoutS * 1000, `the terminals were not all connected after ${o.connectTimeoutS} s`);
  } catch (e) {
    // Reported as a result (FAIL), not as a bench that could not run: a station that cannot take its county back
    // within the time-out is what the soak is there to find.
    const n = [...status.values()].reduce((a, s) => a + s.connected, 0);
    const errs = [...status.values()].reduce((a, s) => a + s.connectErrors, 0);
    console.log(
      `soak: ${(e as Error).message}: ${n}/${terms.length} connected (${errs} connect errors, retried); core RSS ${procMemMiB(pid)?.rss.toFixed(0) ?? '?'} MiB`,
    );
    console.log(`target every terminal connected: FAIL (${n}/${terms.length} after ${o.connectTimeoutS} s)`);
    return 1;
  } finally {
    clearInterval(connTicker);
  }
  const connectS = (clock() - connectT0) / 1000;
  const hs = stats(handshakeMs);
  progress(
    `${terms.length} terminals connected in ${connectS.toFixed(1)} s (handshake p50 ${hs.p50.toFixed(0)} ms, p99 ${hs.p99.toFixed(0)} ms); soaking for ${o.minutes} min`,
  );

  // ---- the soak: an alarm a second, RSS every sample interval
  const rng = mulberry32(20240317);
  const kinds: AlarmKind[] = ['test', 'test', 'test', 'panic', 'intrusion', 'other'];
  const sent: string[] = [];
  const samples: Sample[] = [];
  const soakT0 = clock();
  const endAt = soakT0 + o.minutes * 60_000;
  let cpuBefore = procCpuMs(pid);
  let cpuAt = clock();
  const sample = (): void => {
    const mem = procMemMiB(pid);
    const cpu = procCpuMs(pid);
    const now = clock();
    const connectedNow = [...status.values()].reduce((a, s) => a + s.connected, 0);
    const s: Sample = {
      atS: Math.round((now - soakT0) / 1000),
      rssMiB: mem?.rss ?? NaN,
      hwmMiB: mem?.hwm ?? NaN,
      ...(cpu !== undefined && cpuBefore !== undefined ? { cpuPct: (100 * (cpu - cpuBefore)) / (now - cpuAt) } : {}),
      connected: connectedNow,
      sent: sent.length,
      acked: [...acks.values()].filter((a) => a.ok).length,
      shown: tally.shown.size,
    };
    cpuBefore = cpu;
    cpuAt = now;
    samples.push(s);
    const recent = stats(
      sent
        .slice(-Math.max(1, Math.round((o.sampleS * 1000) / o.alarmEveryMs)))
        .map((id) => acks.get(id)?.ms)
        .filter((x): x is number => x !== undefined),
    );
    console.log(
      `[${String(s.atS).padStart(5)} s] core RSS ${s.rssMiB.toFixed(0).padStart(5)} MiB (peak ${s.hwmMiB.toFixed(0)}), CPU ${s.cpuPct?.toFixed(0) ?? '?'} %; ` +
        `terminals connected ${s.connected}/${terms.length}; alarms sent ${s.sent}, acked ${s.acked}, shown ${s.shown}; ack p50/p99 ${recent.p50.toFixed(0)}/${recent.p99.toFixed(0)} ms`,
    );
  };
  const sampler = setInterval(sample, o.sampleS * 1000);
  onCleanup('sampler', () => clearInterval(sampler));
  for (let i = 0; clock() < endAt; i++) {
    const wait = soakT0 + i * o.alarmEveryMs - clock();
    if (wait > 1) await sleep(wait);
    if (clock() >= endAt) break;
    const index = Math.floor(rng() * terms.length);
    const w = Math.floor(index / per);
    const alarmId = `soak-${i}`;
    sent.push(alarmId);
    workers[w]!.send({ type: 'alarm', index: index - w * per, alarmId, kind: kinds[Math.floor(rng() * kinds.length)]! } satisfies ToWorker);
  }
  // Every ack and every alarm on the console, or 30 s.
  const settleUntil = clock() + 30_000;
  while (clock() < settleUntil && (acks.size < sent.length || sent.some((id) => !tally.shown.has(id)))) await sleep(100);
  clearInterval(sampler);
  sample();

  const reports = await within(
    Promise.all(
      workers.map(
        (child) =>
          new Promise<WorkerStatus>((resolve) => {
            child.on('message', (m: FromWorker) => m.type === 'report' && resolve(m.status));
            child.send({ type: 'stop' } satisfies ToWorker);
          }),
      ),
    ),
    10_000,
    'the workers did not report',
  );

  // ---- results
  const ackedIds = sent.filter((id) => acks.get(id)?.ok);
  const shownIds = sent.filter((id) => tally.shown.has(id));
  const lost = sent.filter((id) => !(acks.get(id)?.ok && tally.shown.has(id)));
  const ackStats: Stats = stats(ackedIds.map((id) => acks.get(id)!.ms));
  const hb = reports.reduce(
    (a, r) => ({
      sent: a.sent + r.heartbeats.sent,
      ok: a.ok + r.heartbeats.ok,
      refused: a.refused + r.heartbeats.refused,
      failed: a.failed + r.heartbeats.failed,
    }),
    { sent: 0, ok: 0, refused: 0, failed: 0 },
  );
  const refusals: Record<string, number> = {};
  for (const r of reports) for (const [k, n] of Object.entries(r.heartbeats.refusals)) refusals[k] = (refusals[k] ?? 0) + n;
  const disconnects = reports.reduce((a, r) => a + r.disconnects, 0);
  const everConnected = reports.reduce((a, r) => a + r.everConnected, 0);
  const connectedEnd = reports.reduce((a, r) => a + r.connected, 0);
  const rss = samples.map((s) => s.rssMiB).filter(Number.isFinite);
  const maxRss = Math.max(...rss);
  const firstHalf = rss.slice(0, Math.max(1, Math.floor(rss.length / 2)));
  const lastQuarter = rss.slice(Math.min(rss.length - 1, Math.floor((rss.length * 3) / 4)));
  const growth = Math.min(...lastQuarter) - Math.min(...firstHalf);
  const rssOk = maxRss <= o.rssLimitMiB && growth <= o.rssGrowthMiB;
  const lostOk = lost.length === 0;
  const connOk = connectedEnd === terms.length;
  const pass = rssOk && lostOk && connOk && sent.length > 0;

  const lines: string[] = [];
  lines.push('');
  lines.push(
    `soak: ${o.minutes} min, ${terms.length} terminals (${o.workers} worker processes, ${Math.ceil(terms.length / 40)} loopback source addresses), heartbeat every ${o.heartbeatS} s, ` +
      `an alarm every ${o.alarmEveryMs} ms; node ${process.version}, ${os.cpus().length} CPUs`,
  );
  lines.push(
    `  connect: all ${terms.length} in ${connectS.toFixed(1)} s; handshake p50 ${hs.p50.toFixed(0)} ms, p99 ${hs.p99.toFixed(0)} ms, max ${hs.max.toFixed(0)} ms; core open-file limit ${noFile ?? '?'}`,
  );
  lines.push(`  terminals: connected at the end ${connectedEnd}/${terms.length}, ever connected ${everConnected}, disconnects ${disconnects}`);
  lines.push(
    `  heartbeats: sent ${hb.sent}, ok ${hb.ok}, refused ${hb.refused}${
      Object.keys(refusals).length
        ? ` (${Object.entries(refusals)
            .map(([k, n]) => `${k} ${n}`)
            .join(', ')})`
        : ''
    }, no answer ${hb.failed}`,
  );
  lines.push(
    `  alarms: sent ${sent.length} / acked ${ackedIds.length} / shown on the console ${shownIds.length} / lost ${lost.length}${
      lost.length
        ? ` (e.g. ${lost
            .slice(0, 5)
            .map((id) => `${id}${acks.get(id)?.error ? `: ${acks.get(id)!.error}` : ''}`)
            .join('; ')})`
        : ''
    }`,
  );
  lines.push(`  alarm emit → ack: p50 ${ackStats.p50.toFixed(1)} ms, p99 ${ackStats.p99.toFixed(1)} ms, max ${ackStats.max.toFixed(1)} ms`);
  lines.push(
    `  console: acknowledged ${tally.acknowledged}, resolved ${tally.resolved}, disconnects ${tally.disconnects}${tally.commandFailures.length ? `, failures: ${tally.commandFailures.slice(0, 3).join('; ')}` : ''}`,
  );
  lines.push(
    `  core RSS: ${rss.map((x) => x.toFixed(0)).join(' → ')} MiB; max ${maxRss.toFixed(0)} MiB, growth (lowest of the last quarter − lowest of the first half) ${growth >= 0 ? '+' : ''}${growth.toFixed(0)} MiB`,
  );
  lines.push(`target lost = 0: ${lostOk ? 'PASS' : 'FAIL'} (${lost.length})`);
  lines.push(`target every terminal connected at the end: ${connOk ? 'PASS' : 'FAIL'} (${connectedEnd}/${terms.length})`);
  lines.push(
    `target RSS bounded (≤ ${o.rssLimitMiB} MiB, growth ≤ ${o.rssGrowthMiB} MiB): ${rssOk ? 'PASS' : 'FAIL'} (max ${maxRss.toFixed(0)}, growth ${growth.toFixed(0)})${rss.length < 4 ? ' — fewer than 4 samples: the growth check means little' : ''}`,
  );
  console.log(lines.join('\n'));

  const result = {
    at: new Date().toISOString(),
    options: { ...o, out: undefined },
    connect: { seconds: connectS, handshakeMs: hs },
    terminals: { connectedEnd, everConnected, disconnects },
    heartbeats: { ...hb, refusals },
    alarms: { sent: sent.length, acked: ackedIds.length, shown: shownIds.length, lost: lost.length, lostIds: lost.slice(0, 50), ackMs: ackStats },
    console: { acknowledged: tally.acknowledged, resolved: tally.resolved, disconnects: tally.disconnects, failures: tally.commandFailures },
    samples,
    rss: { maxMiB: maxRss, growthMiB: growth },
    targets: { lostOk, connOk, rssOk, pass },
    durationS: (Date.now() - t0) / 1000,
  };
  fs.mkdirSync(path.dirname(o.out), { recursive: true });
  fs.writeFileSync(o.out, JSON.stringify(result, null, 2) + '\n');
  console.log(`results: ${path.relative(process.cwd(), o.out) || o.out} (${result.durationS.toFixed(1)} s)`);
  return pass ? 0 : 1;
}

if (process.argv.includes('--worker')) await workerMain();
else await runBench('soak', cleanupAll, main);

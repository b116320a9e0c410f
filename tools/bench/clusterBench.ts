// tools/bench (tool, Node) — `npm run bench:cluster` (issue 15): what one core carries with its journal on the
// replicated NATS stream (three nats-server processes, R3, on this machine) beside the same core on its file journal,
// in one run. The same terminals press at rising rates; for each rate: alarms acked, the rate reached, ack p50/p99,
// and the resident memory of the core and of the NATS servers. The figures docs/scaling.md's estimates are made from.
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { io, type Socket } from 'socket.io-client';
import { ALARM_KINDS } from '../../shared/protocol';
import { sendAlarm } from '../../shared/terminalClient';
import { freshDataDir, ROOT, startCoreProcess } from '../../test/support/core';
import { freePort, killCore, startClusterCore, startNatsCluster, type NatsCluster } from '../../test/cluster/natsCluster';
import type { DemoCredentials } from '../../main/demo';
import { benchArgs, cleanupCore, cleanupRegistry, sleep, stats, type Stats } from './common';

/** Whatever happens, nothing this bench started outlives it (the cores, the NATS servers). */
const { onCleanup, cleanupAll } = cleanupRegistry('bench:cluster');

const HELP = `usage: npm run bench:cluster -- [options]
  --terminals N   terminals connected to the core (default 1000)
  --rates LIST    alarms per second, one phase each (default 50,100,200,400)
  --seconds S     length of each phase (default 5)
  --out FILE      JSON results (default bench-results/cluster.json)`;

const KINDS = ALARM_KINDS.filter((k) => k !== 'test');

interface Phase {
  rate: number;
  sent: number;
  acked: number;
  reachedPerS: number;
  ack: Stats;
  coreRssMiB: number;
  natsRssMiB?: number;
}

/** Resident memory of a process, MiB (Linux /proc). */
function rssMiB(pid: number | undefined): number {
  if (pid === undefined) return NaN;
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

async function connectAll(url: string, creds: DemoCredentials['terminals']): Promise<Socket[]> {
  const sockets: Socket[] = [];
  for (let i = 0; i < creds.length; i += 50) {
    const batch = creds.slice(i, i + 50).map(
      (t) =>
        new Promise<Socket>((resolve, reject) => {
          const s = io(`${url}/terminal`, { auth: { deviceId: t.deviceId, token: t.token }, transports: ['websocket'], forceNew: true });
          s.once('connect', () => resolve(s));
          s.once('connect_error', reject);
        }),
    );
    sockets.push(...(await Promise.all(batch)));
  }
  return sockets;
}

/** The phases against one core: every rate for `seconds`, the alarms spread evenly, each terminal in turn. */
async function run(
  url: string,
  creds: DemoCredentials['terminals'],
  rates: number[],
  seconds: number,
  tag: string,
  rss: () => Omit<Phase, 'rate' | 'sent' | 'acked' | 'reachedPerS' | 'ack'>,
): Promise<Phase[]> {
  const sockets = await connectAll(url, creds);
  const pressed = new Array<number>(sockets.length).fill(0);
  const phases: Phase[] = [];
  let next = 0;
  for (const rate of rates) {
    const total = rate * seconds;
    const acks: number[] = [];
    const all: Promise<void>[] = [];
    const t0 = performance.now();
    for (let n = 0; n < total; n++) {
      const wait = t0 + (n * 1000) / rate - performance.now();
      if (wait > 1) await sleep(wait);
      const i = next++ % sockets.length;
      const round = pressed[i]!++;
      const p0 = performance.now();
      all.push(
        sendAlarm(
          sockets[i]! as never,
          { alarmId: `${tag}-${rate}-${n}`, kind: KINDS[round % KINDS.length]!, raisedAt: Date.now(), note: 'cluster bench' },
          { ackTimeoutMs: 10_000, maxAttempts: 3, sleep },
        )
          .then((a) => void (a.ok && acks.push(performance.now() - p0)))
          .catch(() => undefined),
      );
    }
    await Promise.all(all);
    const elapsed = (performance.now() - t0) / 1000;
    phases.push({ rate, sent: total, acked: acks.length, reachedPerS: acks.length / elapsed, ack: stats(acks), ...rss() });
    await sleep(500);
  }
  for (const s of sockets) s.close();
  return phases;
}

async function main(): Promise<void> {
  const args = benchArgs(process.argv.slice(2), HELP, { terminals: 'value', rates: 'value', seconds: 'value', out: 'value' });
  const terminals = args.num('terminals', 1, 1000);
  const rates = (args.text('rates') ?? '50,100,200,400').split(',').map(Number);
  if (rates.some((r) => !Number.isFinite(r) || r <= 0)) throw new Error(`--rates: positive numbers, comma-separated\n${HELP}`);
  const seconds = args.num('seconds', 1, 5);
  const out = args.file('out', '') ?? path.join(ROOT, 'bench-results', 'cluster.json');
  console.log(`bench:cluster: ${terminals} terminals; ${rates.join(', ')} alarms a second for ${seconds} s each; the file journal, then the NATS stream (R3)`);

  // The floor: the same core on its file journal (the demo county made here is copied to the cluster core).
  const fileCore = await startCoreProcess({ extraArgs: ['--demo-schools', String(terminals)], env: { STATION_FRONT: 'inline' }, startTimeoutMs: 120_000 });
  cleanupCore(fileCore, onCleanup);
  const creds = fileCore.credentials.terminals.slice(0, terminals);
  const file = await run(fileCore.url.replace(/\/$/, ''), creds, rates, seconds, 'file', () => ({ coreRssMiB: rssMiB(fileCore.child.pid) }));
  await fileCore.stop();

  let nats: NatsCluster | undefined;
  let cluster: Phase[] = [];
  try {
    nats = await startNatsCluster({ name: 'bench' });
    const started = nats;
    onCleanup('the NATS servers', () => started.stop());
    const dataDir = freshDataDir('cluster-bench');
    for (const f of ['demo-registry.json', 'demo-credentials.json', 'registry.json']) {
      const from = path.join(fileCore.dataDir, f);
      if (fs.existsSync(from)) fs.copyFileSync(from, path.join(dataDir, f));
    }
    const port = await freePort();
    const core = startClusterCore({ name: 'bench-core', port, dataDir, natsUrls: nats.urls, extraArgs: ['--demo-schools', String(terminals)] });
    onCleanup('the cluster core', () => killCore(core));
    process.once('exit', () => void (core.child.exitCode === null && core.child.kill('SIGKILL')));
    await core.leading;
    const natsPids = nats.nodes.map((n) => n.process?.pid);
    cluster = await run(`http://127.0.0.1:${port}`, creds, rates, seconds, 'nats', () => ({
      coreRssMiB: rssMiB(core.child.pid),
      natsRssMiB: natsPids.reduce<number>((sum, pid) => sum + rssMiB(pid), 0),
    }));
    await killCore(core);
  } finally {
    await nats?.stop();
  }

  const line = (mode: string, p: Phase): string =>
    `${mode.padEnd(8)}${String(p.rate).padStart(6)}${`${p.acked}/${p.sent}`.padStart(11)}${p.reachedPerS.toFixed(0).padStart(8)}${p.ack.p50.toFixed(1).padStart(8)}${p.ack.p99.toFixed(1).padStart(9)}${p.coreRssMiB.toFixed(0).padStart(9)}${(p.natsRssMiB === undefined ? '' : p.natsRssMiB.toFixed(0)).padStart(9)}`;
  console.log(
    `${'journal'.padEnd(8)}${'rate/s'.padStart(6)}${'acked'.padStart(11)}${'got/s'.padStart(8)}${'p50 ms'.padStart(8)}${'p99 ms'.padStart(9)}${'core MiB'.padStart(9)}${'NATS MiB'.padStart(9)}`,
  );
  for (const p of file) console.log(line('file', p));
  for (const p of cluster) console.log(line('nats R3', p));
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, JSON.stringify({ at: new Date().toISOString(), terminals, rates, seconds, file, cluster }, null, 2) + '\n');
  console.log(`results: ${path.relative(process.cwd(), out) || out}`);
  await cleanupAll();
  process.exit(0);
}

main().catch(async (e: unknown) => {
  console.error(`bench:cluster: ${(e as Error).stack ?? e}`);
  await cleanupAll();
  process.exit(2);
});

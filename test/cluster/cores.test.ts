// test/ (Node, cluster tests) — the station in cluster mode (issue 15): three nats-server processes (JetStream, R3),
// two station cores on one NATS stream (one leads, one stands by) behind HAProxy, and a storm of alarms from 100
// terminals through the balancer. Mid-storm the leading core and one NATS server are SIGKILLed (the core is started
// again, as its supervisor would). Every alarm acknowledged to a terminal must be in the log exactly once, every
// terminal must be connected again within 30 s. Prints sent / acked / present / duplicated / lost and the ack times.
// Needs `npm run build` (the cores run from dist/) and Debian's nats-server and haproxy.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { performance } from 'node:perf_hooks';
import { connect } from '@nats-io/transport-node';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JournalRecord } from '../../shared/events';
import { ALARM_KINDS } from '../../shared/protocol';
import { sendAlarm } from '../../shared/terminalClient';
import { openNatsJournal } from '../../main/cluster/natsJournal';
import type { DemoCredentials } from '../../main/demo';
import { freePort, killCore, startClusterCore, startHaproxy, startNatsCluster, type ClusterCore, type Haproxy, type NatsCluster } from './natsCluster';

const TERMINALS = 100;
const PER_TERMINAL = 5;
const SCHOOLS = 120;
const KINDS = ALARM_KINDS.filter((k) => k !== 'test');

let nats: NatsCluster;
let proxy: Haproxy;
const cores: ClusterCore[] = [];
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const ROOT = path.resolve(import.meta.dirname, '..', '..');

async function waitFor(ok: () => boolean, ms: number, what = 'it'): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`${what}: not within ${ms} ms`);
    await sleep(100);
  }
}

/** The streams among `streams` whose Raft leader is the server `server`. */
async function streamsLedBy(urls: string[], server: string, streams: string[]): Promise<string[]> {
  const nc = await connect({ servers: urls });
  try {
    const jsm = await jetstreamManager(nc);
    const led: string[] = [];
    for (const name of streams) if ((await jsm.streams.info(name).catch(() => undefined))?.cluster?.leader === server) led.push(name);
    return led;
  } finally {
    await nc.close();
  }
}

/** Two data folders and two ports for a test's cores, and the first core started and leading. */
async function firstCore(tag: string, stream = 'STATION', extra: string[] = []): Promise<{ dirs: [string, string]; ports: [number, number]; a: ClusterCore }> {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), `cluster-${tag}-`));
  const dirs: [string, string] = [path.join(base, 'a'), path.join(base, 'b')];
  const ports: [number, number] = [await freePort(), await freePort()];
  const a = start(`${tag}-a`, ports[0], dirs[0], nats.urls, stream, extra);
  await a.leading;
  return { dirs, ports, a };
}

/** A core of the demo county in cluster mode (each remembered, to be killed at the end). */
const start = (name: string, port: number, dataDir: string, natsUrls: string[], stream = 'STATION', extra: string[] = []): ClusterCore => {
  const c = startClusterCore({ name, port, dataDir, natsUrls, stream, extraArgs: ['--demo-schools', String(SCHOOLS), ...extra] });
  cores.push(c);
  return c;
};

const pct = (xs: number[], p: number): number => {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
};

beforeAll(async () => {
  nats = await startNatsCluster({ name: 'cores' });
}, 60_000);

afterAll(async () => {
  for (const c of cores) await killCore(c);
  await proxy?.stop();
  await nats?.stop();
});

describe('two cores on one replicated log behind HAProxy', () => {
  it('a storm of 500 alarms from 100 terminals: the leading core and a NATS server SIGKILLed mid-storm; nothing acked is lost or doubled', async () => {
    // Core A makes the demo county; core B, which made one of its own, takes A's registry from the cluster.
    const { dirs, ports, a } = await firstCore('core');
    const b = start('core-b', ports[1]!, dirs[1]!, nats.urls);
    // The standby prints that it took the registry, then (a moment later) that it follows the stream: wait for both.
    await waitFor(() => /took the registry/.test(b.out()) && /follows stream/.test(b.out()), 20_000, 'the standby takes the registry and follows the stream');
    expect(b.out()).toMatch(/follows stream/);
    expect(b.out()).not.toMatch(/console: http/); // standing by: not listening
    proxy = await startHaproxy(ports.map((port) => ({ port })));
    const url = `http://127.0.0.1:${proxy.port}`;
    const creds = JSON.parse(fs.readFileSync(path.join(dirs[0]!, 'demo-credentials.json'), 'utf8')) as DemoCredentials;
    const terms = creds.terminals.slice(0, TERMINALS);
    expect(terms.length).toBe(TERMINALS);

    // The terminals, through the balancer, reconnecting on their own as real ones do.
    const sockets: Socket[] = [];
    let killedAt = 0;
    const reconnectedAt = new Map<number, number>();
    for (let i = 0; i < terms.length; i++) {
      const t = terms[i]!;
      const s = io(`${url}/terminal`, {
        auth: { deviceId: t.deviceId, token: t.token },
        transports: ['websocket'],
        forceNew: true,
        reconnectionDelay: 250,
        reconnectionDelayMax: 1000,
        randomizationFactor: 0.2,
      });
      s.on('connect', () => {
        if (killedAt > 0 && !reconnectedAt.has(i)) reconnectedAt.set(i, performance.now());
      });
      sockets.push(s);
    }
    await Promise.all(sockets.map((s) => (s.connected ? undefined : new Promise<void>((r) => s.once('connect', () => r())))));

    // A duty console through the balancer, as an officer's: after the failover it reconnects with the same session
    // (the sessions are shared through the cluster) and catches up from the last record it had: the log's numbering is
    // the same on every core. It logs in again only if its session is refused.
    const seenAt = new Map<string, number>();
    const officer = creds.operators.find((o) => o.role === 'officer')!;
    let consoleSocket: Socket | undefined;
    let lastSeq = 0;
    let consoleReconnects = 0;
    let logins = 0;
    let session: string | undefined;
    let stopConsole = false;
    const see = (text: string): void => {
      for (const m of text.matchAll(/"alarmId":"(storm-[^"]+)"/g)) if (!seenAt.has(m[1]!)) seenAt.set(m[1]!, performance.now());
    };
    const openConsole = async (): Promise<void> => {
      while (!stopConsole) {
        try {
          if (!session) {
            const res = await fetch(`${url}/api/login`, {
              method: 'POST',
              headers: { 'Content-Type': 'application/json' },
              body: JSON.stringify({ username: officer.username, password: officer.password }),
              signal: AbortSignal.timeout(2000),
            });
            session = ((await res.json()) as { session?: string }).session;
            if (!session) throw new Error(`login: HTTP ${res.status}`);
            logins++;
          }
          const s = io(`${url}/console`, { auth: { session, since: lastSeq }, transports: ['websocket'], reconnection: false, forceNew: true });
          s.on('record', (r: JournalRecord) => {
            lastSeq = Math.max(lastSeq, r.seq);
            see(JSON.stringify(r));
          });
          s.on('records', (rs: JournalRecord[]) => {
            for (const r of rs) lastSeq = Math.max(lastSeq, r.seq);
            see(JSON.stringify(rs));
          });
          s.on('snapshot', (snap: { seq?: number }) => {
            lastSeq = Math.max(lastSeq, snap.seq ?? 0);
            see(JSON.stringify(snap));
          });
          await new Promise<void>((resolve, reject) => {
            s.once('hello', () => resolve());
            s.once('connect_error', (e: Error) => {
              // Refused (not unreachable): log in again.
              if (/session|unauthor|forbidden/i.test(e.message)) session = undefined;
              reject(e);
            });
            setTimeout(() => reject(new Error('no hello')), 3000);
          });
          consoleSocket = s;
          await new Promise<void>((resolve) => s.once('disconnect', () => resolve()));
          consoleReconnects++;
        } catch {
          await sleep(250);
        }
      }
    };
    const consoleLoop = openConsole();
    while (!consoleSocket) await sleep(50);

    // The storm: every terminal presses PER_TERMINAL alarms of different kinds (each its own incident), spread over ~10 s.
    const total = TERMINALS * PER_TERMINAL;
    const acked = new Map<string, { ms: number; phase: 'before' | 'during' }>();
    const failures: string[] = [];
    const spacingMs = 10_000 / total;
    const t0 = performance.now();
    const presses: Promise<void>[] = [];
    const failAt = Math.floor(total * 0.4);
    const pressedAt = new Map<string, { at: number; phase: 'before' | 'during' }>();
    let failure: Promise<void> | undefined;
    // The NATS server killed is the one that leads the log's stream (the hard case: the stream must elect a new
    // leader before anything is appended); which of the other streams it leads too is printed.
    const streamLeaders = await Promise.all(nats.nodes.map((n) => streamsLedBy(nats.urls, n.name, ['STATION', 'STATION_LEASE', 'STATION_FILES'])));
    const victim = Math.max(
      0,
      streamLeaders.findIndex((led) => led.includes('STATION')),
    );
    const killedLed = streamLeaders[victim]!;
    for (let n = 0; n < total; n++) {
      const i = n % TERMINALS;
      const round = Math.floor(n / TERMINALS);
      const wait = t0 + n * spacingMs - performance.now();
      if (wait > 0) await sleep(wait);
      if (n === failAt) {
        // The failure: the leading core and one NATS server, at once.
        killedAt = performance.now();
        failure = (async () => {
          await Promise.all([killCore(a), nats.kill(victim)]);
          await sleep(1000);
          // Its supervisor starts the core again: it stands by now.
          start('core-a2', ports[0]!, dirs[0]!, nats.urls);
        })();
      }
      const alarmId = `storm-${terms[i]!.deviceId}-${round}`;
      const phase = killedAt > 0 ? 'during' : 'before';
      const s = sockets[i]!;
      const p0 = performance.now();
      pressedAt.set(alarmId, { at: p0, phase });
      presses.push(
        (async () => {
          try {
            const ans = await sendAlarm(
              s as never,
              { alarmId, kind: KINDS[round % KINDS.length]!, raisedAt: Date.now(), note: 'cluster storm' },
              { ackTimeoutMs: 3000, maxAttempts: 40, sleep },
            );
            if (ans.ok) acked.set(`${terms[i]!.deviceId}|${alarmId}`, { ms: performance.now() - p0, phase });
            else failures.push(`${alarmId}: ${ans.error.code} ${ans.error.message}`);
          } catch (e) {
            failures.push(`${alarmId}: ${(e as Error).message}`);
          }
        })(),
      );
    }
    await Promise.all(presses);
    await failure;
    // Every alarm on the console (or the wait gives up after 10 s).
    for (let w = 0; w < 200 && seenAt.size < total; w++) await sleep(50);
    stopConsole = true;
    consoleSocket?.close();
    await consoleLoop;
    const shown = (phase: 'before' | 'during'): number[] =>
      [...pressedAt].filter(([id, p]) => p.phase === phase && seenAt.has(id)).map(([id, p]) => seenAt.get(id)! - p.at);
    const allBack = reconnectedAt.size === TERMINALS ? Math.max(...reconnectedAt.values()) - killedAt : NaN;

    // What the log holds, read from the stream itself (not from a core).
    const alarms = new Map<string, number>();
    const reader = await openNatsJournal({
      servers: nats.urls.slice(1),
      onRecord: (r: JournalRecord) => {
        if (r.event.type === 'alarm.received') {
          const k = `${r.event.deviceId}|${r.event.alarmId}`;
          alarms.set(k, (alarms.get(k) ?? 0) + 1);
        }
      },
    });
    await reader.close();
    const present = [...acked.keys()].filter((k) => alarms.has(k)).length;
    const duplicated = [...alarms.values()].filter((n) => n > 1).length;
    const lost = [...acked.keys()].filter((k) => !alarms.has(k));
    const before = [...acked.values()].filter((x) => x.phase === 'before').map((x) => x.ms);
    const during = [...acked.values()].filter((x) => x.phase === 'during').map((x) => x.ms);
    // The standby or the restarted core, whichever took the lease first; exactly one, and it never stepped down.
    const leaders = cores.filter((c) => c !== a && /leading from record/.test(c.out()));
    const leader = leaders[0];
    console.log(
      [
        `cluster storm: ${total} alarms from ${TERMINALS} terminals over ~10 s through HAProxy; 3 nats-server (R3), 2 cores; at alarm ${failAt} core-a (leading) and the NATS server leading the log SIGKILLed`,
        `  the killed NATS server (${nats.nodes[victim]!.name}) led the streams: ${killedLed.join(', ') || 'none'}`,
        `  sent ${total}, acked ${acked.size}, present ${present}, duplicated ${duplicated}, lost ${lost.length}, not acked ${failures.length}`,
        `  every terminal connected again ${(allBack / 1000).toFixed(1)} s after the kill (${reconnectedAt.size}/${TERMINALS})`,
        `  press → ack before the failure: p50 ${pct(before, 50).toFixed(1)} ms, p99 ${pct(before, 99).toFixed(1)} ms (n ${before.length})`,
        `  press → ack during/after it:    p50 ${pct(during, 50).toFixed(1)} ms, p99 ${pct(during, 99).toFixed(1)} ms (n ${during.length})`,
        `  press → console before the failure: p50 ${pct(shown('before'), 50).toFixed(1)} ms, p99 ${pct(shown('before'), 99).toFixed(1)} ms (n ${shown('before').length})`,
        `  press → console during/after it:    p50 ${pct(shown('during'), 50).toFixed(1)} ms, p99 ${pct(shown('during'), 99).toFixed(1)} ms (n ${shown('during').length}); the console reconnected ${consoleReconnects} time(s) and logged in ${logins - 1} time(s) more`,
        `  shown on the console: ${seenAt.size} of ${total}`,
        `  the core that leads now: ${leader?.name ?? '?'}`,
        ...(failures.length ? [`  not acked, e.g. ${failures.slice(0, 5).join('; ')}`] : []),
      ].join('\n'),
    );
    for (const s of sockets) s.close();
    await nats.restart(victim); // back for the next test (its stream is made with three replicas)
    expect(failures).toEqual([]);
    expect(acked.size).toBe(total);
    expect(lost).toEqual([]);
    expect(duplicated).toBe(0);
    expect(allBack).toBeLessThanOrEqual(30_000);
    expect(leaders.map((c) => c.name)).toHaveLength(1);
    expect(leader!.out()).not.toMatch(/STEPPING DOWN/);
    expect(seenAt.size).toBe(total); // every alarm reached the officer's console, across the failover
    expect(logins).toBe(1); // and the officer did not have to log in again
  }, 180_000);

  it("a leader that was frozen (SIGSTOP) past its lease cannot write once it wakes: it steps down, the new leader's alarms stand", async () => {
    const { dirs, ports, a } = await firstCore('fence', 'FENCE');
    fs.mkdirSync(dirs[1]!, { recursive: true });
    for (const f of ['demo-registry.json', 'demo-credentials.json', 'registry.json']) {
      const from = path.join(dirs[0]!, f);
      if (fs.existsSync(from)) fs.copyFileSync(from, path.join(dirs[1]!, f));
    }
    const b = start('fence-b', ports[1]!, dirs[1]!, nats.urls, 'FENCE');
    const creds = JSON.parse(fs.readFileSync(path.join(dirs[0]!, 'demo-credentials.json'), 'utf8')) as DemoCredentials;
    const [t1, t2] = creds.terminals;
    const terminal = (port: number, t: { deviceId: string; token: string }): Promise<Socket> =>
      new Promise((resolve, reject) => {
        const s = io(`http://127.0.0.1:${port}/terminal`, { auth: t, transports: ['websocket'], forceNew: true, reconnection: false });
        s.once('connect', () => resolve(s));
        s.once('connect_error', reject);
      });
    // A terminal on the leader, pressing once while all is well.
    const onA = await terminal(ports[0]!, t1!);
    const first = await sendAlarm(onA as never, { alarmId: 'fence-1', kind: 'panic', raisedAt: Date.now() }, { ackTimeoutMs: 3000, maxAttempts: 1, sleep });
    expect(first.ok).toBe(true);
    // The leader freezes (a hung VM, a stopped process) longer than its lease: the standby takes over.
    a.child.kill('SIGSTOP');
    await b.leading;
    const onB = await terminal(ports[1]!, t2!);
    const second = await sendAlarm(onB as never, { alarmId: 'fence-2', kind: 'fire', raisedAt: Date.now() }, { ackTimeoutMs: 3000, maxAttempts: 1, sleep });
    expect(second.ok).toBe(true);
    // The old leader wakes up still believing it leads, with a terminal still connected to it, which presses.
    const woke = performance.now();
    a.child.kill('SIGCONT');
    const third = await sendAlarm(
      onA as never,
      { alarmId: 'fence-3', kind: 'violence', raisedAt: Date.now() },
      { ackTimeoutMs: 3000, maxAttempts: 1, sleep },
    ).catch((e: Error) => ({ ok: false as const, error: { code: 'no_answer', message: e.message } }));
    const code = await a.exited;
    const steppedDownMs = performance.now() - woke;
    expect(third.ok).toBe(false); // never acknowledged by a core that may not write
    expect(code).toBe(75);
    expect(a.out()).toMatch(/STEPPING DOWN/);
    // The log: the first leader's alarm and the second's, once each; the frozen leader's late alarm nowhere.
    const alarms: string[] = [];
    const reader = await openNatsJournal({
      servers: nats.urls,
      stream: 'FENCE',
      onRecord: (r: JournalRecord) => void (r.event.type === 'alarm.received' && alarms.push(r.event.alarmId)),
    });
    await reader.close();
    console.log(
      `fencing: the frozen leader woke, was refused and stepped down in ${steppedDownMs.toFixed(0)} ms (${third.ok ? 'ACKED' : third.error.code}); the log holds ${alarms.join(', ')}`,
    );
    expect(alarms).toEqual(['fence-1', 'fence-2']);
    onA.close();
    onB.close();
    await killCore(b);
  }, 120_000);

  it('the registry follows the leader: a terminal added on it is accepted by the next core to lead, which had another county', async () => {
    const { dirs, ports, a } = await firstCore('reg', 'REG');
    // B makes a demo county of its own (other tokens): what it must serve is A's, taken from the stream.
    const b = start('reg-b', ports[1]!, dirs[1]!, nats.urls, 'REG');
    const registryOfA = JSON.parse(fs.readFileSync(path.join(dirs[0]!, 'demo-registry.json'), 'utf8')) as { schools: { id: string }[] };
    // An admin adds a terminal on the leader (the CLI on its data folder; the running core notices the file).
    const cli = spawnSync(
      process.execPath,
      [
        path.join(ROOT, 'dist', 'tools', 'stationCli.js'),
        '--demo',
        '--data-dir',
        dirs[0]!,
        'device',
        'add',
        '--id',
        'term-new-1',
        '--school',
        registryOfA.schools[0]!.id,
      ],
      { encoding: 'utf8' },
    );
    const token = /token: (\S+)/.exec(cli.stdout)?.[1];
    expect(token, cli.stdout + cli.stderr).toBeTruthy();
    await waitFor(
      () =>
        /took the registry/.test(b.out()) &&
        JSON.parse(fs.readFileSync(path.join(dirs[1]!, 'demo-registry.json'), 'utf8')).terminals.some((t: { deviceId: string }) => t.deviceId === 'term-new-1'),
      10_000,
    );
    // Something else with the right to publish puts a registry that is not one into the cluster: every core refuses
    // it and keeps its file (the standby here, which would otherwise serve it after the failover).
    const before = fs.readFileSync(path.join(dirs[1]!, 'demo-registry.json'), 'utf8');
    const nc = await connect({ servers: nats.urls });
    await jetstream(nc).publish('REG_FILES.registry', gzipSync(Buffer.from('{"schools": "not a list"}')));
    await nc.close();
    await waitFor(() => /registry of message \d+ refused/.test(b.out()), 10_000);
    expect(fs.readFileSync(path.join(dirs[1]!, 'demo-registry.json'), 'utf8')).toBe(before);
    await killCore(a);
    await b.leading;
    const creds = JSON.parse(fs.readFileSync(path.join(dirs[0]!, 'demo-credentials.json'), 'utf8')) as DemoCredentials;
    for (const t of [{ deviceId: 'term-new-1', token: token! }, creds.terminals[0]!]) {
      const s = io(`http://127.0.0.1:${ports[1]}/terminal`, {
        auth: { deviceId: t.deviceId, token: t.token },
        transports: ['websocket'],
        forceNew: true,
        reconnection: false,
      });
      await new Promise<void>((resolve, reject) => {
        s.once('connect', () => resolve());
        s.once('connect_error', (e) => reject(new Error(`${t.deviceId} refused by the new leader: ${e.message}`)));
      });
      const ans = await sendAlarm(
        s as never,
        { alarmId: `reg-${t.deviceId}`, kind: 'panic', raisedAt: Date.now() },
        { ackTimeoutMs: 3000, maxAttempts: 1, sleep },
      );
      expect(ans.ok).toBe(true);
      s.close();
    }
    await killCore(b);
  }, 120_000);

  it('a core stopped on purpose (SIGTERM) hands the lease on at once: the standby leads before the lease would age out', async () => {
    const { dirs, ports, a } = await firstCore('hand', 'HANDOFF');
    const b = start('hand-b', ports[1], dirs[1], nats.urls, 'HANDOFF');
    await waitFor(() => /following stream HANDOFF/.test(b.out()), 20_000);
    const t0 = performance.now();
    a.child.kill('SIGTERM');
    expect(await a.exited).toBe(0);
    // As it stopped, its lease went with it (without that, its message would stand until it aged out, 3 s after its
    // last renewal): the lease subject is empty, or already the standby's.
    const nc = await connect({ servers: nats.urls });
    const lease = await (await jetstreamManager(nc)).streams.getMessage('HANDOFF_LEASE', { last_by_subj: 'HANDOFF_LEASE.leader' }).catch(() => null);
    await nc.close();
    const holder = lease ? new TextDecoder().decode(lease.data) : '(none)';
    expect(holder).not.toMatch(/^hand-a#/);
    await b.leading;
    const ms = performance.now() - t0;
    console.log(
      `hand-off: the standby led ${ms.toFixed(0)} ms after the leader was told to stop (the lease lives 3,000 ms); the lease just after the stop: ${holder}`,
    );
    await killCore(b);
  }, 60_000);

  it("two stations on the cluster: each station's console sees only its own school's alarm, the county's both — before and after a failover", async () => {
    const { dirs, ports, a } = await firstCore('st', 'STATIONS', ['--demo-stations']);
    const b = start('st-b', ports[1], dirs[1], nats.urls, 'STATIONS', ['--demo-stations']);
    await waitFor(() => /took the registry/.test(b.out()), 20_000, 'the standby takes the registry');
    const px = await startHaproxy(ports.map((port) => ({ port })));
    const url = `http://127.0.0.1:${px.port}`;
    const sockets: Socket[] = [];
    try {
      const creds = JSON.parse(fs.readFileSync(path.join(dirs[0], 'demo-credentials.json'), 'utf8')) as DemoCredentials;
      const registry = JSON.parse(fs.readFileSync(path.join(dirs[0], 'demo-registry.json'), 'utf8')) as {
        schools: { id: string; stationId?: string }[];
        terminals: { deviceId: string; schoolId: string }[];
      };
      const stationOf = (deviceId: string): string | undefined => {
        const t = registry.terminals.find((x) => x.deviceId === deviceId);
        return registry.schools.find((x) => x.id === t?.schoolId)?.stationId;
      };
      const west = creds.terminals.find((t) => stationOf(t.deviceId) === 'st-west')!;
      const east = creds.terminals.find((t) => stationOf(t.deviceId) === 'st-east')!;
      expect([west, east].every(Boolean)).toBe(true);
      // Three consoles through the balancer, each collecting the alarm ids it is shown (records, catch-ups, snapshots).
      const consoles = new Map<string, Set<string>>();
      const openConsole = async (username: string): Promise<void> => {
        const op = creds.operators.find((o) => o.username === username)!;
        const res = await fetch(`${url}/api/login`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ username: op.username, password: op.password }),
        });
        const { session } = (await res.json()) as { session: string };
        const seen = consoles.get(username) ?? new Set<string>();
        consoles.set(username, seen);
        const s = io(`${url}/console`, { auth: { session, since: 0 }, transports: ['websocket'], forceNew: true, reconnectionDelay: 250 });
        const see = (x: unknown): void => {
          for (const m of JSON.stringify(x).matchAll(/"alarmId":"(st-[^"]+)"/g)) seen.add(m[1]!);
        };
        for (const e of ['record', 'records', 'snapshot']) s.on(e, see);
        sockets.push(s);
        await new Promise<void>((resolve) => s.once('hello', () => resolve()));
      };
      for (const u of ['officer-west', 'officer-east', 'county']) await openConsole(u);
      // Each press of another kind: its own incident (a second press of the same kind joins the open one as a repeat).
      const press = async (t: { deviceId: string; token: string }, alarmId: string, kind: 'panic' | 'fire' = 'panic'): Promise<void> => {
        const s = io(`${url}/terminal`, { auth: { deviceId: t.deviceId, token: t.token }, transports: ['websocket'], forceNew: true, reconnectionDelay: 250 });
        const ans = await sendAlarm(s as never, { alarmId, kind, raisedAt: Date.now() }, { ackTimeoutMs: 3000, maxAttempts: 20, sleep });
        s.close();
        expect(ans.ok).toBe(true);
      };
      const shown = async (want: Record<string, string[]>): Promise<void> => {
        await waitFor(
          () => Object.entries(want).every(([u, ids]) => ids.every((id) => consoles.get(u)!.has(id))),
          20_000,
          `shown ${JSON.stringify(want)}, seen ${JSON.stringify([...consoles].map(([u, x]) => [u, [...x]]))}`,
        );
        for (const [u, ids] of Object.entries(want)) expect([...consoles.get(u)!].sort(), u).toEqual([...ids].sort());
      };
      await press(west, 'st-west-1');
      await press(east, 'st-east-1');
      await shown({ 'officer-west': ['st-west-1'], 'officer-east': ['st-east-1'], county: ['st-east-1', 'st-west-1'] });
      // The leader dies; the consoles reconnect through the balancer to the core that leads now, with the same sessions
      // (a login is in the cluster within a quarter of a second: the standby has all three before the kill).
      const sessionsOfB = path.join(dirs[1], 'sessions.json');
      await waitFor(
        () => fs.existsSync(sessionsOfB) && ['officer-west', 'officer-east', 'county'].every((u) => fs.readFileSync(sessionsOfB, 'utf8').includes(`"${u}"`)),
        10_000,
        'the sessions reach the standby',
      );
      await killCore(a);
      await b.leading;
      await press(west, 'st-west-2', 'fire');
      await press(east, 'st-east-2', 'fire');
      await shown({
        'officer-west': ['st-west-1', 'st-west-2'],
        'officer-east': ['st-east-1', 'st-east-2'],
        county: ['st-east-1', 'st-east-2', 'st-west-1', 'st-west-2'],
      });
      console.log(`stations on the cluster: ${[...consoles].map(([u, ids]) => `${u} saw ${[...ids].sort().join(', ')}`).join('; ')}`);
    } finally {
      for (const s of sockets) s.close();
      await px.stop();
      await killCore(b);
    }
  }, 120_000);
});

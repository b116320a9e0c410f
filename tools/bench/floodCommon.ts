// tools/bench (tool, Node) — what the three floods of `npm run bench:flood` share: the options, cleanup, the honest
// terminals and their pressing blocks, and the report helpers.
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { io, type Socket } from 'socket.io-client';
import type { AlarmAck, AlarmPayload, Refusal } from '../../shared/protocol';
import { sendAlarm } from '../../shared/terminalClient';
import { ROOT } from '../../test/support/core';
import { benchArgs, cleanupRegistry, connected, sleep, type Stats } from './common';

const HELP = `usage: npm run bench:flood -- [options]
  --alarms N      alarms per block (default 100)
  --rounds R      baseline/flood block pairs, interleaved A B A B … (default 6; at least 300 alarms per phase)
  --interval MS   time between alarms, spread over the honest terminals (default 20)
  --terminals K   honest terminals (default 10)
  --rate N        junk events per second from the flooding terminal (default 100)
  --limit RATIO   flood/baseline p99 limit (default 1.10)
  --out FILE      JSON results (default bench-results/flood.json; the alarm and login floods write
                  flood-alarm.json and flood-login.json beside it)
  --only LIST     which floods to run, comma-separated: junk, alarm, login (default all three)
 alarm flood:
  --alarm-rounds R   rounds of a block without and a block with the flood, in turning order (default 5)
  --flood-rate N     flood alarms per second, for the whole of each flood block (default 1000)
  --honest N         honest alarms per phase, one every --interval over the honest terminals, split over the
                     rounds (default 1000: a p99 of 300 is its 3rd-worst sample, which a 2-core machine's
                     scheduling decides)
 login flood:
  --logins N         concurrent wrong-password logins in each burst (default 1500)
  --bursts N         rounds, each of three 2 s blocks in turning order: no flood, a burst at the station, the
                     same burst at a stand-in process (the control) (default 6)
  --handshake-every MS  time between new terminals' connections in a block, each pressing once (default 20)
Exit code: 0 when every flood's targets are met, 1 when one is not, 2 when the bench could not run.`;

export interface Options {
  alarms: number;
  rounds: number;
  intervalMs: number;
  terminals: number;
  rate: number;
  limit: number;
  out: string;
  only: Set<'junk' | 'alarm' | 'login'>;
  alarmRounds: number;
  floodRate: number;
  honest: number;
  logins: number;
  bursts: number;
  handshakeEveryMs: number;
}

export function parseArgs(argv: string[]): Options {
  const o: Options = {
    alarms: 100,
    rounds: 6,
    intervalMs: 20,
    terminals: 10,
    rate: 100,
    limit: 1.1,
    out: path.join(ROOT, 'bench-results', 'flood.json'),
    only: new Set(['junk', 'alarm', 'login']),
    alarmRounds: 5,
    floodRate: 1000,
    honest: 1000,
    logins: 1500,
    bursts: 6,
    handshakeEveryMs: 20,
  };
  const a = benchArgs(
    argv,
    HELP,
    {
      alarms: 'value',
      rounds: 'value',
      interval: 'value',
      terminals: 'value',
      rate: 'value',
      limit: 'value',
      out: 'value',
      only: 'value',
      'alarm-rounds': 'value',
      'flood-rate': 'value',
      honest: 'value',
      logins: 'value',
      bursts: 'value',
      'handshake-every': 'value',
    },
    ['--out', '--only'],
  );
  /** A number option within [min, max], or the default. */
  const num = (name: string, min: number, max: number, fallback: number): number => {
    const v = a.text(name);
    if (v === undefined) return fallback;
    const n = Number(v);
    if (!Number.isFinite(n) || n < min || n > max) throw new Error(`--${name} must be a number ${min}–${max}, got "${v}"`);
    return n;
  };
  o.alarms = Math.round(num('alarms', 50, 2000, o.alarms));
  o.rounds = Math.round(num('rounds', 1, 20, o.rounds));
  o.intervalMs = num('interval', 5, 100, o.intervalMs);
  o.terminals = Math.round(num('terminals', 1, 50, o.terminals));
  o.rate = num('rate', 1, 1000, o.rate);
  o.limit = num('limit', 1, 10, o.limit);
  o.out = a.file('out', '') ?? o.out;
  const only = a.text('only');
  if (only !== undefined) {
    const parts = only.split(',').map((x) => x.trim());
    if (parts.length === 0 || parts.some((x) => x !== 'junk' && x !== 'alarm' && x !== 'login'))
      throw new Error(`--only takes junk, alarm and/or login\n${HELP}`);
    o.only = new Set(parts as ('junk' | 'alarm' | 'login')[]);
  }
  o.alarmRounds = Math.round(num('alarm-rounds', 1, 20, o.alarmRounds));
  o.floodRate = num('flood-rate', 1, 100_000, o.floodRate);
  o.honest = Math.round(num('honest', 10, 5000, o.honest));
  o.logins = Math.round(num('logins', 1, 20_000, o.logins));
  o.bursts = Math.round(num('bursts', 1, 20, o.bursts));
  o.handshakeEveryMs = num('handshake-every', 1, 1000, o.handshakeEveryMs);
  if (o.alarms * o.rounds < 300) throw new Error('--alarms × --rounds must be at least 300 (alarms per phase)');
  // Bounded: the whole run must stay well under two minutes.
  if ((2 * o.rounds * o.alarms * o.intervalMs) / 1000 > 90) throw new Error('--alarms × --rounds × --interval would take longer than 90 s of pressing');
  return o;
}

/** Progress on stderr, so stdout holds only the results. */
export const progress = (what: string): void => void process.stderr.write(`flood: ${what}\n`);

// ---------------------------------------------------------------- cleanup on every path

export const { onCleanup, cleanupAll } = cleanupRegistry('flood');

// ---------------------------------------------------------------- statistics (helpers in common.ts)

export function row(label: string, s: Stats | undefined): string {
  const f = (x: number): string => (Number.isFinite(x) ? x.toFixed(2) : '–').padStart(8);
  return s ? `${label.padEnd(30)}${String(s.n).padStart(6)}${f(s.p50)}${f(s.p95)}${f(s.p99)}${f(s.max)}` : `${label.padEnd(30)}     –`;
}

// ---------------------------------------------------------------- terminals

export async function connectTerminal(url: string, auth: { deviceId: string; token: string }): Promise<Socket> {
  // The handshake auth is a strict { deviceId, token }: nothing else from the credentials file.
  const socket = io(`${url}/terminal`, {
    auth: { deviceId: auth.deviceId, token: auth.token },
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
  });
  onCleanup(`terminal ${auth.deviceId}`, () => void socket.close());
  await connected(socket, auth.deviceId);
  return socket;
}

export interface Block {
  phase: 'baseline' | 'flood';
  round: number;
  acks: number[];
  failures: string[];
  /** CPU time the core process used during the block (Linux /proc; undefined elsewhere): less noisy than latency. */
  coreCpuMs?: number;
  durationMs: number;
}

/** Presses `count` alarms on a fixed schedule (not drifting with timer lateness), in turn over the honest terminals. */
export async function pressBlock(terminals: Socket[], count: number, intervalMs: number, tag: string): Promise<{ acks: number[]; failures: string[] }> {
  const acks: number[] = new Array<number>(count);
  const failures: string[] = [];
  const pending: Promise<void>[] = [];
  const start = performance.now();
  for (let i = 0; i < count; i++) {
    const wait = start + i * intervalMs - performance.now();
    if (wait > 1) await sleep(wait);
    const alarm: AlarmPayload = { alarmId: `${tag}-${i}`, kind: 'test', raisedAt: Date.now(), note: `flood bench ${tag} ${i}` };
    const socket = terminals[i % terminals.length]!;
    const t = performance.now();
    pending.push(
      sendAlarm(socket, alarm, { ackTimeoutMs: 10_000, maxAttempts: 1, sleep }).then(
        (ans: AlarmAck | Refusal) => {
          acks[i] = performance.now() - t;
          if (!ans.ok) failures.push(`${alarm.alarmId}: ${ans.error.code} ${ans.error.message}`);
          else if (ans.duplicate) failures.push(`${alarm.alarmId}: unexpected duplicate`);
        },
        (e: unknown) => void failures.push(`${alarm.alarmId}: ${(e as Error).message}`),
      ),
    );
  }
  await Promise.all(pending);
  return { acks: acks.filter((x) => x !== undefined), failures };
}

/** The junk mix, in turn: every payload is refused, or (a valid heartbeat) counted against the rate limit. */

export const pct = (r: number): string => (Number.isFinite(r) ? `×${r.toFixed(3)}` : '–');
export const ms = (x: number | undefined): string => (x === undefined || !Number.isFinite(x) ? '—' : `${x.toFixed(1)} ms`);

/** A terminal connecting from its own loopback address (the flooder and the attacker are not behind the schools' NAT). */
export async function connectTerminalFrom(url: string, auth: { deviceId: string; token: string }, localAddress: string): Promise<Socket> {
  const socket = io(`${url}/terminal`, {
    auth: { deviceId: auth.deviceId, token: auth.token },
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
    // engine.io-client hands this to ws (not in socket.io-client's types).
    ...({ localAddress } as object),
  });
  onCleanup(`terminal ${auth.deviceId}`, () => void socket.close());
  await connected(socket, auth.deviceId);
  return socket;
}

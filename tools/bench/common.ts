// tools/bench (tool, Node) — what the benchmarks share: bounded waits, cleanup on every path, nearest-rank statistics,
// the command line, one clock, the core and child processes, sockets and senders, the console's operators.
// The page side is in page.ts, the timed core on a prepared folder in timedCore.ts.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { io, type Socket } from 'socket.io-client';
import type { LoginResponse } from '../../shared/consoleApi';
import type { JournalRecord } from '../../shared/events';
import type { AlarmAck, AlarmKind, AlarmPayload, Refusal } from '../../shared/protocol';
import { sendAlarm } from '../../shared/terminalClient';
import type { CoreProcess } from '../../test/support/core';
import { readArgs, UsageError, type OptionSpec, type ReadArgs } from '../cliArgs';

/** Resolves with p, or rejects after ms with message; the timer never keeps the process alive. */
export function within<T>(p: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
    timer.unref();
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

/** Cleanups run last-in first-out, once, each bounded to 5 s; a failing one is reported and skipped. */
export function cleanupRegistry(label: string): { onCleanup(name: string, fn: () => Promise<void> | void): void; cleanupAll(): Promise<void> } {
  const cleanups: { name: string; fn: () => Promise<void> | void }[] = [];
  let cleaning: Promise<void> | undefined;
  return {
    onCleanup(name, fn) {
      cleanups.push({ name, fn });
    },
    cleanupAll() {
      cleaning ??= (async () => {
        while (cleanups.length > 0) {
          const c = cleanups.pop()!;
          try {
            await within(Promise.resolve(c.fn()), 5000, `cleanup of ${c.name} took more than 5 s`);
          } catch (e) {
            console.error(`${label}: cleanup of ${c.name} failed: ${(e as Error).message}`);
          }
        }
      })();
      return cleaning;
    },
  };
}

export interface Stats {
  n: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
}

/** Nearest-rank percentiles (p99 of 200 is the 198th smallest). */
export function stats(values: number[]): Stats {
  const s = [...values].sort((a, b) => a - b);
  const q = (p: number): number => s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))] ?? NaN;
  return { n: s.length, p50: q(0.5), p95: q(0.95), p99: q(0.99), max: s[s.length - 1] ?? NaN, mean: s.reduce((a, b) => a + b, 0) / (s.length || 1) };
}

export const round2 = (x: number): number => Math.round(x * 100) / 100;

// ---------------------------------------------------------------- command line and the run itself

export interface BenchArgs {
  /** Whether a switch was given. */
  has(name: string): boolean;
  /** A number option, at least `min`, or `fallback` when not given. */
  num(name: string, min: number, fallback: number): number;
  /** A file option resolved to an absolute path: undefined when not given, `whenEmpty` when given without a value. */
  file(name: string, whenEmpty: string): string | undefined;
  /** A text option as given ('' for an optional value left out), or undefined. */
  text(name: string): string | undefined;
}

/**
 * A bench's command line by node:util parseArgs (tools/cliArgs.ts): `--help`/`-h` prints `help` and exits 0; an
 * unknown option, a missing value or a number below its minimum throws (the bench exits 2). `options` names each
 * option with `value` or `switch`; those in `optionalValue` (`--out`, `--profile` …) may be given without a value.
 */
export function benchArgs(argv: string[], help: string, options: Record<string, 'value' | 'switch'>, optionalValue: readonly string[] = []): BenchArgs {
  const spec: OptionSpec = { help: { type: 'boolean', short: 'h' } };
  for (const [name, kind] of Object.entries(options)) spec[name] = { type: kind === 'switch' ? 'boolean' : 'string' };
  let values: ReadArgs['values'];
  try {
    ({ values } = readArgs(argv, spec, { optionalValue }));
  } catch (e) {
    throw e instanceof UsageError ? new Error(`${e.message}\n${help}`) : e;
  }
  if (values.help === true) {
    console.log(help);
    process.exit(0);
  }
  const text = (name: string): string | undefined => {
    const v = values[name];
    return typeof v === 'string' ? v : undefined;
  };
  return {
    has: (name) => values[name] === true,
    num: (name, min, fallback) => {
      const v = text(name);
      if (v === undefined) return fallback;
      const n = Number(v);
      if (!Number.isFinite(n) || n < min) throw new Error(`--${name} needs a number ≥ ${min}\n${help}`);
      return n;
    },
    file: (name, whenEmpty) => {
      const v = text(name);
      return v === undefined ? undefined : path.resolve(v === '' ? whenEmpty : v);
    },
    text,
  };
}

/** Bounded: whatever happens, the bench stops by itself after limitS and takes its children with it. */
export function startWatchdog(label: string, limitS: number, cleanupAll: () => Promise<void>): void {
  const watchdog = setTimeout(() => {
    console.error(`${label}: still running after ${limitS} s; giving up`);
    void cleanupAll().finally(() => process.exit(2));
  }, limitS * 1000);
  watchdog.unref();
}

/** Runs a bench's main, cleans up on every path (SIGINT/SIGTERM too) and exits with its code (2 when it threw). */
export async function runBench(label: string, cleanupAll: () => Promise<void>, main: () => Promise<number>): Promise<never> {
  let exitCode = 2;
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      console.error(`${label}: ${sig}; stopping`);
      void cleanupAll().finally(() => process.exit(130));
    });
  }
  try {
    exitCode = await main();
  } catch (e) {
    console.error(`${label}: ${(e as Error).stack ?? String(e)}`);
    exitCode = 2;
  } finally {
    await cleanupAll();
  }
  process.exit(exitCode);
}

// ---------------------------------------------------------------- clock and pacing

/** The one clock of the benches, in ms since the epoch with sub-ms resolution; the page uses the same expression. */
export const clock = (): number => performance.timeOrigin + performance.now();
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** utime + stime of a process in ms, from /proc (Linux); undefined when unavailable. */
export function procCpuMs(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(f[11]) + Number(f[12])) * 1000) / 100; // fields 14, 15 in clock ticks (USER_HZ = 100)
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------- processes and sockets

export type OnCleanup = ReturnType<typeof cleanupRegistry>['onCleanup'];

/**
 * Registers the core's cleanups (its data folder, then the process: stopped, or killed after 3 s), and, as a last
 * resort should anything exit before the cleanup ran, kills it on exit: the core must not outlive the bench.
 */
export function cleanupCore(core: CoreProcess, onCleanup: OnCleanup): void {
  onCleanup('station data folder', () => fs.rmSync(core.dataDir, { recursive: true, force: true }));
  process.once('exit', () => {
    if (core.child.exitCode === null) core.child.kill('SIGKILL');
    fs.rmSync(core.dataDir, { recursive: true, force: true });
  });
  onCleanup('station core', async () => {
    try {
      await within(core.stop(), 3000, 'core did not stop on SIGTERM');
    } catch {
      await core.kill();
    }
  });
}

/**
 * Starts `node script ...args` as a child (stdin piped: it exits when stdin closes), stopped on cleanup, and waits
 * up to 10 s until its stdout matches `ready`; resolves with the match's first group.
 */
export async function startChild(
  script: string,
  args: string[],
  label: string,
  ready: RegExp,
  onCleanup: OnCleanup,
): Promise<{ child: ChildProcess; match: string }> {
  const child = spawn(process.execPath, [script, ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
  onCleanup(label, async () => {
    if (child.exitCode !== null) return;
    const gone = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill('SIGTERM');
    await within(gone, 3000, `${label} did not stop`).catch(() => child.kill('SIGKILL'));
  });
  process.once('exit', () => child.exitCode === null && child.kill('SIGKILL'));
  let out = '';
  const match = await within(
    new Promise<string>((resolve, reject) => {
      child.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        const m = ready.exec(out);
        if (m) resolve(m[1]!);
      });
      child.once('exit', (code) => reject(new Error(`${label} exited with ${code}: ${out}`)));
    }),
    10_000,
    `${label} did not start within 10 s`,
  );
  return { child, match };
}

/** Resolves once the socket connects; rejects on a connect error or after ms. */
export function connected(socket: Socket, label: string, ms = 10_000): Promise<void> {
  return within(
    new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', (e) => reject(new Error(`${label} could not connect: ${e.message}`)));
    }),
    ms,
    `${label} did not connect within ${ms / 1000} s`,
  );
}

/** A socket.io client (websocket only, no reconnection), closed on cleanup, once connected. */
export async function connectSocket(url: string, auth: object | undefined, label: string, onCleanup: OnCleanup): Promise<Socket> {
  const socket = io(url, { ...(auth ? { auth } : {}), transports: ['websocket'], reconnection: false, forceNew: true });
  onCleanup(label, () => void socket.close());
  await connected(socket, label);
  return socket;
}

export interface Sender {
  send(alarm: AlarmPayload): Promise<AlarmAck | Refusal>;
}

/** The real terminal client path (shared/terminalClient), without retries: a refusal is a bench failure. */
export const senderOf = (socket: Socket): Sender => ({ send: (alarm) => sendAlarm(socket, alarm, { ackTimeoutMs: 10_000, maxAttempts: 1, sleep }) });

/**
 * Presses one panic alarm per id (round-robin over senders, note `bench <id>`), intervalMs apart (0 = back to back),
 * and waits for every ack; throws when any was refused or failed. Records each emit and ack on the bench clock;
 * onAck gets each ack's incident id.
 */
export async function pressAlarms(
  senders: Sender[],
  ids: string[],
  intervalMs: number,
  onAck?: (incidentId: string) => void,
  kindOf: (i: number) => AlarmKind = () => 'panic',
): Promise<{ emitAt: Map<string, number>; ackAt: Map<string, number> }> {
  const emitAt = new Map<string, number>();
  const ackAt = new Map<string, number>();
  const failures: string[] = [];
  const pending: Promise<void>[] = [];
  const start = clock() + 20;
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i]!;
    if (intervalMs > 0) {
      // Paced against an absolute schedule, so timer jitter does not accumulate; the real emit time is recorded.
      const wait = start + i * intervalMs - clock();
      if (wait > 1) await sleep(wait);
    }
    const alarm: AlarmPayload = { alarmId: id, kind: kindOf(i), raisedAt: Date.now(), note: `bench ${id}` };
    const sender = senders[i % senders.length]!;
    emitAt.set(id, clock());
    pending.push(
      sender.send(alarm).then(
        (ack) => {
          if (ack.ok) {
            ackAt.set(id, clock());
            onAck?.(ack.incidentId);
          } else failures.push(`${id}: refused ${ack.error.code}: ${ack.error.message}`);
        },
        (e: unknown) => void failures.push(`${id}: ${(e as Error).message}`),
      ),
    );
  }
  await Promise.all(pending);
  if (failures.length > 0) throw new Error(`${failures.length} alarm(s) failed at the sender:\n  ${failures.slice(0, 10).join('\n  ')}`);
  return { emitAt, ackAt };
}

// ---------------------------------------------------------------- the console's operators

export type Operator = { username: string; password: string };

/** The demo station's operator `username`, with its password. */
export function operator(core: CoreProcess, username: string): Operator {
  const o = core.credentials.operators.find((x) => x.username === username);
  if (!o) throw new Error(`the demo credentials have no operator "${username}"`);
  return o;
}

/**
 * A console in Node: logs `o` in over the console API (a refusal throws `${who} could not log in`) and connects a
 * console socket (`label`); `seen` gets, on the bench clock, when the core's broadcast of each alarm's record arrives.
 */
export async function consoleSocket(
  core: CoreProcess,
  o: Operator,
  who: string,
  label: string,
  onCleanup: OnCleanup,
): Promise<{ socket: Socket; seen: Record<string, number> }> {
  const res = await fetch(`${core.url}api/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username: o.username, password: o.password }),
  });
  const login = (await res.json()) as LoginResponse;
  if (!login.ok) throw new Error(`${who} could not log in: ${login.error.message}`);
  const socket = await connectSocket(`${core.url}console`, { session: login.session, since: 0 }, label, onCleanup);
  const seen: Record<string, number> = {};
  socket.on('record', (r: JournalRecord) => {
    if (r.event.type === 'alarm.received') seen[r.event.alarmId] ??= clock();
  });
  return { socket, seen };
}

/** Opens the console in a new page of context and submits the login form as o; page errors are collected. */
export async function submitConsoleLogin(context: BrowserContext, url: string, o: Operator): Promise<{ page: Page; errors: string[] }> {
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(url);
  await page.fill('input[name=username]', o.username);
  await page.fill('input[name=password]', o.password);
  await page.click('button[type=submit]');
  return { page, errors };
}

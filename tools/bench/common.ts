// tools/bench (tool, Node) — what the benchmarks share: bounded waits, cleanup on every path, nearest-rank statistics, one clock,
// the core and child processes, sockets and senders, the floor relay (bare socket.io server and page), and the
// page-side probes (WebSocket hook, DOM observer) with the page clock check and main-thread accounting.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { BrowserContext, CDPSession, Page } from 'playwright-core';
import { Server } from 'socket.io';
import { io, type Socket } from 'socket.io-client';
import type { LoginResponse } from '../../shared/consoleApi';
import type { JournalRecord } from '../../shared/events';
import type { AlarmAck, AlarmPayload, Refusal } from '../../shared/protocol';
import { sendAlarm } from '../../shared/terminalClient';
import { ROOT, type CoreProcess } from '../../test/support/core';

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

export type NumArg = (name: string, v: string | undefined, min: number) => number;

/**
 * Walks argv: `--help`/`-h` prints help and exits; every other argument goes to `option(a, next, num, peek)`, which
 * takes its value with next() (peek() looks without taking), checks a number with num(), and returns false for an
 * argument it does not know.
 */
export function walkArgs(
  argv: string[],
  help: string,
  option: (a: string, next: () => string | undefined, num: NumArg, peek: () => string | undefined) => boolean,
): void {
  const num: NumArg = (name, v, min) => {
    const n = Number(v);
    if (v === undefined || !Number.isFinite(n) || n < min) throw new Error(`${name} needs a number ≥ ${min}\n${help}`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const next = (): string | undefined => argv[++i];
    const peek = (): string | undefined => argv[i + 1];
    if (a === '--help' || a === '-h') {
      console.log(help);
      process.exit(0);
    } else if (!option(a, next, num, peek)) throw new Error(`unknown argument ${a}\n${help}`);
  }
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
export async function startChild(script: string, args: string[], label: string, ready: RegExp, onCleanup: OnCleanup): Promise<{ child: ChildProcess; match: string }> {
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
export async function pressAlarms(senders: Sender[], ids: string[], intervalMs: number, onAck?: (incidentId: string) => void): Promise<{ emitAt: Map<string, number>; ackAt: Map<string, number> }> {
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
    const alarm: AlarmPayload = { alarmId: id, kind: 'panic', raisedAt: Date.now(), note: `bench ${id}` };
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
export async function consoleSocket(core: CoreProcess, o: Operator, who: string, label: string, onCleanup: OnCleanup): Promise<{ socket: Socket; seen: Record<string, number> }> {
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

// ---------------------------------------------------------------- the floor: bare socket.io relay and bare page

const FLOOR_PAGE = `<!doctype html>
<html><head><meta charset="utf-8"><title>socket.io floor</title><script src="/socket.io.min.js"></script></head>
<body><ul id="q"></ul>
<script>
  const q = document.getElementById('q');
  const s = io('/page', { transports: ['websocket'] });
  s.on('connect', () => { document.body.dataset.online = '1'; });
  s.on('alarm', (a) => {
    const li = document.createElement('li');
    li.setAttribute('data-testid', 'incident');
    li.setAttribute('data-alarm-id', a.alarmId);
    li.textContent = a.note;
    q.appendChild(li);
  });
</script></body></html>`;

/** The floor's relay server: senders on /sender, the bare page on /page. */
async function startFloorServer(): Promise<{ url: string; close(): Promise<void> }> {
  const clientJs = fs.readFileSync(path.join(ROOT, 'node_modules', 'socket.io-client', 'dist', 'socket.io.min.js'));
  const server = http.createServer((req, res) => {
    if (req.url?.startsWith('/socket.io/')) return; // socket.io answers these
    if (req.url === '/socket.io.min.js') {
      res.writeHead(200, { 'Content-Type': 'text/javascript; charset=utf-8' });
      res.end(clientJs);
    } else if (req.url === '/') {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      res.end(FLOOR_PAGE);
    } else {
      res.writeHead(404).end();
    }
  });
  const ioServer = new Server(server, { serveClient: false });
  const pageNsp = ioServer.of('/page');
  // Same order as the station: tell the page(s), then ack the sender.
  ioServer.of('/sender').on('connection', (socket) => {
    socket.on('alarm', (payload: AlarmPayload, ack: (a: AlarmAck) => void) => {
      pageNsp.emit('alarm', payload);
      if (typeof ack === 'function') ack({ ok: true, incidentId: payload.alarmId, receivedAt: Date.now() });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () => new Promise<void>((resolve) => void ioServer.close(() => resolve())),
  };
}

/** The floor relay's process (a bench script run with --floor-server): prints its URL, exits when stdin closes. */
export async function floorServerMain(): Promise<void> {
  const floor = await startFloorServer();
  const stop = (): void => void floor.close().finally(() => process.exit(0));
  process.stdin.on('end', stop).resume();
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  console.log(`floor: ${floor.url}`);
}

/**
 * Starts the floor relay as a child process (`script --floor-server`), so the floor has the station's shape:
 * sender process → relay process → browser.
 */
export async function startFloorProcess(script: string, onCleanup: OnCleanup): Promise<{ url: string; child: ChildProcess }> {
  const { child, match } = await startChild(script, ['--floor-server'], 'floor server', /floor: (http:\/\/\S+)/, onCleanup);
  return { url: match, child };
}

// ---------------------------------------------------------------- in the page (serialized by Playwright)

/** What the page-side helpers below keep on window. */
export interface AlarmWindow {
  /** When each alarm's element (with its text) was added to the DOM. */
  __seen: Record<string, number>;
  /** When the page's JS got the WebSocket message that first named each alarm (start of that task). */
  __wsIn: Record<string, number>;
  /** With countEvents: WebSocket messages by socket.io event name, [count, bytes]. */
  __wsCount: Record<string, [number, number]>;
  /** With frames: the next animation frame after each alarm was added. */
  __frame: Record<string, number>;
  /** With frames: long tasks (≥ 50 ms) on the page's main thread, [start on the bench clock, duration]. */
  __long: [number, number][];
}

/**
 * Init script (context.addInitScript, runs before the page's own scripts): stamps the first WebSocket message that
 * names each alarm whose id starts with idPrefix, and with countEvents counts messages by socket.io event. The
 * listener is added at construction, so it runs first in the message's task; this splits press → DOM into "until
 * the page's JS gets the message" and "message → DOM".
 */
export function hookWebSocket(opts: { idPrefix: string; countEvents?: boolean }): void {
  const w = window as unknown as AlarmWindow;
  w.__wsIn = {};
  if (opts.countEvents) w.__wsCount = {};
  const counts = opts.countEvents ? w.__wsCount : undefined;
  const Original = window.WebSocket;
  const re = new RegExp(`"alarmId":"(${opts.idPrefix}[A-Za-z0-9_-]+)"`);
  const ev = /^42(?:\/[a-z]+,)?\["([^"]{1,40})"/;
  class Stamped extends Original {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols);
      this.addEventListener('message', (e: MessageEvent) => {
        if (typeof e.data !== 'string') return;
        const m = re.exec(e.data);
        if (m && !(m[1]! in w.__wsIn)) w.__wsIn[m[1]!] = performance.timeOrigin + performance.now();
        if (!counts) return;
        const name = ev.exec(e.data)?.[1] ?? '(other)';
        const c = (counts[name] ??= [0, 0]);
        c[0]++;
        c[1] += e.data.length;
      });
    }
  }
  window.WebSocket = Stamped;
}

/**
 * page.evaluate: records when an element carrying data-alarm-id (with its id in its text) is added to the DOM; with
 * frames, also the next animation frame after it and the page's long tasks.
 */
export function installObserver(opts: { frames: boolean }): void {
  const w = window as unknown as AlarmWindow;
  if (w.__seen) return;
  w.__seen = {};
  if (opts.frames) {
    w.__frame = {};
    w.__long = [];
    try {
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) w.__long.push([performance.timeOrigin + e.startTime, e.duration]);
      }).observe({ type: 'longtask' });
    } catch {
      /* no Long Tasks API: the busy figures stay empty */
    }
  }
  const now = (): number => performance.timeOrigin + performance.now();
  const mark = (el: Element, t: number): void => {
    const id = el.getAttribute('data-alarm-id');
    // The alarm's text (its note carries its id) must be in the DOM, not only an empty shell.
    if (!id || id in w.__seen || !(el.textContent ?? '').includes(id)) return;
    w.__seen[id] = t;
    if (opts.frames) {
      requestAnimationFrame(() => {
        w.__frame[id] = now();
      });
    }
  };
  new MutationObserver((records) => {
    const t = now();
    for (const r of records) {
      for (const n of r.addedNodes) {
        if (!(n instanceof Element)) continue;
        if (n.hasAttribute('data-alarm-id')) mark(n, t);
        n.querySelectorAll('[data-alarm-id]').forEach((el) => mark(el, t));
      }
    }
  }).observe(document.body, { childList: true, subtree: true });
}

// ---------------------------------------------------------------- the page's clock and main thread, from Node

export interface ClockCheck {
  /** page clock − Node clock, from the quickest of several round trips. */
  offsetMs: number;
  /** Half that round trip: the offset is known to ± this. */
  uncertaintyMs: number;
  /** The same for Date.now() on both sides (ms resolution), for comparison. */
  dateNowOffsetMs: number;
}

/** Compares the page's clock with Node's through `rounds` page.evaluate round trips; keeps the quickest. */
export async function checkClock(page: Page, rounds: number): Promise<ClockCheck> {
  let best: { rtt: number; offset: number; dateOffset: number } | undefined;
  for (let i = 0; i < rounds; i++) {
    const d0 = Date.now();
    const t0 = clock();
    const p = await page.evaluate(() => ({ perf: performance.timeOrigin + performance.now(), date: Date.now() }));
    const t1 = clock();
    const d1 = Date.now();
    const rtt = t1 - t0;
    if (!best || rtt < best.rtt) best = { rtt, offset: p.perf - (t0 + t1) / 2, dateOffset: p.date - (d0 + d1) / 2 };
  }
  return { offsetMs: best!.offset, uncertaintyMs: best!.rtt / 2, dateNowOffsetMs: best!.dateOffset };
}

/** The page's own main-thread accounting (CDP Performance.getMetrics); read before and after a run, never during. */
const metricSessions = new WeakMap<Page, CDPSession>();
export async function readMetrics(page: Page): Promise<Record<string, number>> {
  let cdp = metricSessions.get(page);
  if (!cdp) {
    cdp = await page.context().newCDPSession(page);
    await cdp.send('Performance.enable');
    metricSessions.set(page, cdp);
  }
  const { metrics } = await cdp.send('Performance.getMetrics');
  return Object.fromEntries(metrics.map((m) => [m.name, m.value]));
}

export interface MainThread {
  /** Wall time between the two readings. */
  windowMs: number;
  /** Time the page's main thread spent in tasks (wall time, so it includes time the thread waited for a CPU). */
  taskMs: number;
  scriptMs: number;
  layoutMs: number;
  styleMs: number;
  layouts: number;
  styleRecalcs: number;
}

/** The main thread's work between two readMetrics readings windowMs apart. */
export function mainThreadBetween(before: Record<string, number>, after: Record<string, number>, windowMs: number): MainThread {
  const d = (k: string): number => (after[k] ?? 0) - (before[k] ?? 0);
  return {
    windowMs,
    taskMs: d('TaskDuration') * 1000,
    scriptMs: d('ScriptDuration') * 1000,
    layoutMs: d('LayoutDuration') * 1000,
    styleMs: d('RecalcStyleDuration') * 1000,
    layouts: d('LayoutCount'),
    styleRecalcs: d('RecalcStyleCount'),
  };
}

// ---------------------------------------------------------------- the core on a prepared data folder, timed

/** VmRSS (now) and VmHWM (peak) of a process in MiB, from /proc/<pid>/status (Linux); undefined when unavailable. */
export function procMemMiB(pid: number | undefined): { rss: number; hwm: number } | undefined {
  if (pid === undefined) return undefined;
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key: string): number => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
    const rss = kb('VmRSS');
    const hwm = kb('VmHWM');
    return Number.isFinite(rss) && Number.isFinite(hwm) ? { rss: rss / 1024, hwm: hwm / 1024 } : undefined;
  } catch {
    return undefined;
  }
}

export interface TimedCore {
  url: string;
  port: number;
  dataDir: string;
  child: ChildProcess;
  /** Spawn → the core printed its console URL (it listens), ms. */
  startMs: number;
  output(): string;
  /** SIGTERM, then SIGKILL after graceMs; resolves once the process is gone. */
  stop(graceMs?: number): Promise<void>;
}

/** Thrown by spawnCore when the core did not listen in time; it has been killed, and `output` holds its log. */
export class CoreStartTimeout extends Error {
  constructor(
    readonly elapsedMs: number,
    readonly peakMiB: number | undefined,
    readonly output: string,
  ) {
    super(`the core did not listen within ${(elapsedMs / 1000).toFixed(0)} s`);
  }
}

/**
 * Starts the real core (`node dist/main/start.js --web --demo --port 0 --data-dir DIR …`, loopback only) on a data
 * folder prepared by the bench, and resolves once it prints its console URL. Unlike test/support/core.ts it takes
 * any time-out (a core that folds a big journal may take minutes) and then kills the core and throws
 * CoreStartTimeout instead of hanging. `noFile` raises the core's open-file limit (ulimit -n, up to the hard limit)
 * for benches that hold many connections. onTick is called every second while waiting (progress, RSS).
 */
export async function spawnCore(opts: {
  dataDir: string;
  args?: string[];
  env?: Record<string, string>;
  timeoutMs: number;
  noFile?: number;
  onTick?: (elapsedMs: number, pid: number | undefined) => void;
}): Promise<TimedCore> {
  const entry = path.join(ROOT, 'dist', 'main', 'start.js');
  if (!fs.existsSync(entry)) throw new Error('dist/main/start.js is missing: run `npm run build` first');
  const args = [entry, '--web', '--demo', '--port', '0', '--data-dir', opts.dataDir, ...(opts.args ?? [])];
  const env = { ...process.env, STATION_HOST: '127.0.0.1', ...opts.env };
  const t0 = clock();
  // `exec` keeps the pid, so /proc/<pid> is the core itself, not the shell.
  const child =
    opts.noFile === undefined
      ? spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env })
      : spawn(
          '/bin/sh',
          // Only ever raised: to noFile, or as far as the hard limit allows.
          ['-c', `n=${Math.floor(opts.noFile)}; c=$(ulimit -n); if [ "$c" != unlimited ] && [ "$c" -lt "$n" ]; then ulimit -n "$n" 2>/dev/null || ulimit -n "$(ulimit -Hn)"; fi; exec "$@"`, 'sh', process.execPath, ...args],
          {
            cwd: ROOT,
            stdio: ['ignore', 'pipe', 'pipe'],
            env,
          },
        );
  process.once('exit', () => child.exitCode === null && child.kill('SIGKILL'));
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const stop = async (graceMs = 10_000): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    await within(exited, graceMs, 'core did not stop').catch(async () => {
      child.kill('SIGKILL');
      await exited;
    });
  };
  let peak: number | undefined;
  const ticker = setInterval(() => {
    peak = procMemMiB(child.pid)?.hwm ?? peak;
    opts.onTick?.(clock() - t0, child.pid);
  }, 1000);
  try {
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new CoreStartTimeout(clock() - t0, procMemMiB(child.pid)?.hwm ?? peak, out)), opts.timeoutMs);
      timer.unref();
      child.stdout!.on('data', () => {
        const m = /console: (http:\/\/\S+)/.exec(out);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]!);
        }
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`core exited (${code ?? signal}) before it listened:\n${out.slice(-4000)}`));
      });
    });
    const startMs = clock() - t0;
    return { url, port: Number(new URL(url).port), dataDir: opts.dataDir, child, startMs, output: () => out, stop };
  } catch (e) {
    await stop(2000);
    throw e;
  } finally {
    clearInterval(ticker);
  }
}

// test/ (bench) — `npm run bench`: time from a terminal's `alarm` emit to the alarm in the console's DOM, beside
// the raw socket.io floor (a bare server relaying to a bare page) measured in the same run, on the same clock.
//
// Both ends read one clock: Node takes `performance.timeOrigin + performance.now()` just before the emit; the
// page's MutationObserver takes the same expression when the alarm's <li> is added. The two processes' clocks are
// compared through page.evaluate round trips (before and after) and the offset is printed. Nothing crosses
// Playwright during a measurement: the page keeps its timestamps in window.__seen, read back once at the end.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type CDPSession, type Page } from 'playwright-core';
import { Server } from 'socket.io';
import { io, type Socket } from 'socket.io-client';
import type { LoginResponse } from '../../shared/consoleApi';
import type { JournalRecord } from '../../shared/events';
import type { AlarmAck, AlarmPayload, Refusal } from '../../shared/protocol';
import { sendAlarm } from '../../shared/terminalClient';
import { CHROMIUM_ARGS, findChromium } from '../support/chromium';
import { ROOT, startCoreProcess, type CoreProcess } from '../support/core';
import { cleanupRegistry, round2, stats, within, type Stats } from './common';

const HELP = `usage: npm run bench -- [options]
  --alarms N        alarms per measured run (default 200, at least 200 for the target check)
  --interval MS     time between presses (default 25)
  --terminals K     terminals (and floor senders) pressing in turn (default 1)
  --warmup N        unmeasured alarms before each run (default 5)
  --burst           also run a burst: the same number of alarms back to back (informational)
  --target MS       press→console DOM p99 target (default 50)
  --timeout MS      how long to wait, after the last ack, for the last alarm to show (default 30000)
  --trace FILE      write a Chrome performance trace of the station run (open in Perfetto or DevTools)
  --cpuprofile FILE write a CPU profile of the console page during the station run (open in DevTools)
  --out FILE        JSON results (default bench-results/latest.json)
Exit code: 0 when the target is met, 1 when it is missed, 2 when the bench could not run.`;

interface Options {
  alarms: number;
  intervalMs: number;
  terminals: number;
  warmup: number;
  burst: boolean;
  targetMs: number;
  timeoutMs: number;
  trace?: string;
  cpuprofile?: string;
  out: string;
}

function parseArgs(argv: string[]): Options {
  const o: Options = { alarms: 200, intervalMs: 25, terminals: 1, warmup: 5, burst: false, targetMs: 50, timeoutMs: 30_000, out: path.join(ROOT, 'bench-results', 'latest.json') };
  const num = (name: string, v: string | undefined, min: number): number => {
    const n = Number(v);
    if (v === undefined || !Number.isFinite(n) || n < min) throw new Error(`${name} needs a number ≥ ${min}\n${HELP}`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const next = (): string | undefined => argv[++i];
    if (a === '--help' || a === '-h') {
      console.log(HELP);
      process.exit(0);
    } else if (a === '--alarms') o.alarms = Math.floor(num(a, next(), 1));
    else if (a === '--interval') o.intervalMs = num(a, next(), 0);
    else if (a === '--terminals') o.terminals = Math.floor(num(a, next(), 1));
    else if (a === '--warmup') o.warmup = Math.floor(num(a, next(), 0));
    else if (a === '--burst') o.burst = true;
    else if (a === '--target') o.targetMs = num(a, next(), 0);
    else if (a === '--timeout') o.timeoutMs = num(a, next(), 100);
    else if (a === '--trace') o.trace = path.resolve(next() ?? 'bench-results/trace.json');
    else if (a === '--cpuprofile') o.cpuprofile = path.resolve(next() ?? 'bench-results/console.cpuprofile');
    else if (a === '--out') o.out = path.resolve(next() ?? o.out);
    else throw new Error(`unknown argument ${a}\n${HELP}`);
  }
  return o;
}

/** The one clock of the bench, in ms since the epoch with sub-ms resolution; the page uses the same expression. */
const clock = (): number => performance.timeOrigin + performance.now();
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
/** Progress on stderr, so stdout holds only the results. */
const progress = (what: string): void => void process.stderr.write(`bench: ${what}\n`);


// ---------------------------------------------------------------- cleanup on every path

const { onCleanup, cleanupAll } = cleanupRegistry('bench');

// ---------------------------------------------------------------- in the page

interface BenchWindow {
  __seen: Record<string, number>;
  __frame: Record<string, number>;
  /** Long tasks (≥ 50 ms) on the page's main thread: [start on the bench clock, duration]. */
  __long: [number, number][];
  /** When the page's JS got the WebSocket message that first named each alarm (start of that task). */
  __wsIn: Record<string, number>;
}

/**
 * Runs in the page before its own scripts (context.addInitScript): stamps the first WebSocket message that names
 * each bench alarm. The listener is added at construction, so it runs first in the message's task; this splits
 * press → DOM into "until the page's JS gets the message" and "message → DOM".
 */
function hookWebSocket(): void {
  const w = window as unknown as BenchWindow;
  w.__wsIn = {};
  const Original = window.WebSocket;
  const re = /"alarmId":"(bench-[A-Za-z0-9_-]+)"/;
  class Stamped extends Original {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols);
      this.addEventListener('message', (e: MessageEvent) => {
        if (typeof e.data !== 'string') return;
        const m = re.exec(e.data);
        if (m && !(m[1]! in w.__wsIn)) w.__wsIn[m[1]!] = performance.timeOrigin + performance.now();
      });
    }
  }
  window.WebSocket = Stamped;
}

/** Runs in the page: records when an element carrying data-alarm-id (with its text) is added, and the next frame. */
function installObserver(): void {
  const w = window as unknown as BenchWindow;
  if (w.__seen) return;
  w.__seen = {};
  w.__frame = {};
  w.__long = [];
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) w.__long.push([performance.timeOrigin + e.startTime, e.duration]);
    }).observe({ type: 'longtask' });
  } catch {
    /* no Long Tasks API: the busy figures stay empty */
  }
  const now = (): number => performance.timeOrigin + performance.now();
  const mark = (el: Element, t: number): void => {
    const id = el.getAttribute('data-alarm-id');
    // The alarm's text (its note carries its id) must be in the DOM, not only an empty shell.
    if (!id || id in w.__seen || !(el.textContent ?? '').includes(id)) return;
    w.__seen[id] = t;
    requestAnimationFrame(() => {
      w.__frame[id] = now();
    });
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

interface ClockCheck {
  /** page clock − Node clock, from the quickest of several round trips. */
  offsetMs: number;
  /** Half that round trip: the offset is known to ± this. */
  uncertaintyMs: number;
  /** The same for Date.now() on both sides (ms resolution), for comparison. */
  dateNowOffsetMs: number;
}

async function checkClock(page: Page, rounds = 25): Promise<ClockCheck> {
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

// ---------------------------------------------------------------- pressing alarms

interface Sender {
  label: string;
  send(alarm: AlarmPayload): Promise<AlarmAck | Refusal>;
}

interface RunResult {
  ids: string[];
  emitAt: Map<string, number>;
  ackAt: Map<string, number>;
  seenAt: Record<string, number>;
  frameAt: Record<string, number>;
  wsInAt: Record<string, number>;
  /** Long tasks on the page's main thread between the first press and the last alarm shown. */
  longTasks: { count: number; totalMs: number; maxMs: number; windowMs: number };
  mainThread: MainThread;
  /** CPU ms used while pressing and showing, by process group (see CpuTimes). */
  cpuMs: CpuTimes;
}

let runCounter = 0;

/** The page's own main-thread accounting (CDP Performance.getMetrics), read before and after a run, never during. */
type Metrics = Record<string, number>;
type MetricName = 'TaskDuration' | 'ScriptDuration' | 'LayoutDuration' | 'RecalcStyleDuration' | 'LayoutCount' | 'RecalcStyleCount';
const metricSessions = new WeakMap<Page, CDPSession>();
async function readMetrics(page: Page): Promise<Metrics> {
  let cdp = metricSessions.get(page);
  if (!cdp) {
    cdp = await page.context().newCDPSession(page);
    await cdp.send('Performance.enable');
    metricSessions.set(page, cdp);
  }
  const { metrics } = await cdp.send('Performance.getMetrics');
  return Object.fromEntries(metrics.map((m) => [m.name, m.value]));
}
interface MainThread {
  /** Wall time between the two readings (from just before the first press to just after the last alarm showed). */
  windowMs: number;
  /** Time the page's main thread spent in tasks (wall time, so it includes time the thread waited for a CPU). */
  taskMs: number;
  scriptMs: number;
  layoutMs: number;
  styleMs: number;
  layouts: number;
  styleRecalcs: number;
}

/** CPU time in ms, by process group: chromium's renderers, the rest of chromium, the core, and this bench. */
type CpuTimes = Record<string, number>;
type CpuProbe = () => Promise<CpuTimes>;

function makeCpuProbe(browserCdp: CDPSession, corePid: number | undefined, floorPid: number | undefined): CpuProbe {
  const procCpuMs = (pid: number): number | undefined => {
    try {
      // utime and stime, fields 14 and 15 of /proc/PID/stat, in clock ticks (100 per second on Linux).
      const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
      return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
    } catch {
      return undefined;
    }
  };
  return async () => {
    const out: CpuTimes = { renderer: 0, chromiumOther: 0 };
    const { processInfo } = (await browserCdp.send('SystemInfo.getProcessInfo')) as { processInfo: { type: string; cpuTime: number }[] };
    for (const p of processInfo) out[p.type === 'renderer' ? 'renderer' : 'chromiumOther']! += p.cpuTime * 1000;
    const core = corePid === undefined ? undefined : procCpuMs(corePid);
    if (core !== undefined) out.core = core;
    const floorServer = floorPid === undefined ? undefined : procCpuMs(floorPid);
    if (floorServer !== undefined) out.floorServer = floorServer;
    const self = process.cpuUsage();
    out.bench = (self.user + self.system) / 1000;
    return out;
  };
}

/** Presses `count` alarms (round-robin over senders), paced or back to back, and waits until the page shows all. */
async function press(page: Page, senders: Sender[], count: number, intervalMs: number, timeoutMs: number, tag: string, cpu: CpuProbe): Promise<RunResult> {
  const run = `${tag}${++runCounter}`;
  progress(`${count} alarms ${intervalMs > 0 ? `${intervalMs} ms apart` : 'back to back'} → ${page.url()}`);
  const ids = Array.from({ length: count }, (_, i) => `bench-${run}-${String(i).padStart(4, '0')}`);
  const emitAt = new Map<string, number>();
  const ackAt = new Map<string, number>();
  const failures: string[] = [];
  const pending: Promise<void>[] = [];
  const before = await readMetrics(page);
  const metricsFrom = clock();
  const cpuBefore = await cpu();
  const start = clock() + 20;
  for (let i = 0; i < count; i++) {
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
          if (ack.ok) ackAt.set(id, clock());
          else failures.push(`${id}: refused ${ack.error.code}: ${ack.error.message}`);
        },
        (e: unknown) => void failures.push(`${id}: ${(e as Error).message}`),
      ),
    );
  }
  await Promise.all(pending);
  if (failures.length > 0) throw new Error(`${failures.length} alarm(s) failed at the sender:\n  ${failures.slice(0, 10).join('\n  ')}`);
  // Only now ask the page, and let it poll itself: no round trips through Playwright while alarms are in flight.
  try {
    await page.waitForFunction((want) => want.every((id) => id in (window as unknown as BenchWindow).__seen), ids, { polling: 50, timeout: timeoutMs });
  } catch {
    const seen = await page.evaluate(() => Object.keys((window as unknown as BenchWindow).__seen));
    const missing = ids.filter((id) => !seen.includes(id));
    // All there by now: only slow (the figures will say how slow), not lost.
    if (missing.length > 0) throw new Error(
      `${missing.length} of ${count} alarms did not show in the page within ${timeoutMs} ms after the last ack: ` +
        `${missing.slice(0, 20).join(', ')}${missing.length > 20 ? ', …' : ''}`,
    );
  }
  // Let the last requestAnimationFrame callbacks run.
  await page.evaluate(() => new Promise<void>((r) => requestAnimationFrame(() => setTimeout(r, 0))));
  const cpuAfter = await cpu();
  const after = await readMetrics(page);
  const metricsTo = clock();
  const d = (k: MetricName): number => (after[k] ?? 0) - (before[k] ?? 0);
  const mainThread: MainThread = {
    windowMs: metricsTo - metricsFrom,
    taskMs: d('TaskDuration') * 1000,
    scriptMs: d('ScriptDuration') * 1000,
    layoutMs: d('LayoutDuration') * 1000,
    styleMs: d('RecalcStyleDuration') * 1000,
    layouts: d('LayoutCount'),
    styleRecalcs: d('RecalcStyleCount'),
  };
  const { seenAt, frameAt, wsInAt, long } = await page.evaluate(() => {
    const w = window as unknown as BenchWindow;
    return { seenAt: { ...w.__seen }, frameAt: { ...w.__frame }, wsInAt: { ...(w.__wsIn ?? {}) }, long: [...w.__long] };
  });
  const from = emitAt.get(ids[0]!)!;
  const to = Math.max(...ids.map((id) => seenAt[id]!));
  const inWindow = long.filter(([at, d]) => at + d > from && at < to).map(([, d]) => d);
  const longTasks = { count: inWindow.length, totalMs: inWindow.reduce((a, b) => a + b, 0), maxMs: Math.max(0, ...inWindow), windowMs: to - from };
  const cpuMs = Object.fromEntries(Object.keys(cpuAfter).map((k) => [k, cpuAfter[k]! - (cpuBefore[k] ?? 0)]));
  return { ids, emitAt, ackAt, seenAt, frameAt, wsInAt, longTasks, mainThread, cpuMs };
}

// ---------------------------------------------------------------- statistics

const toDom = (r: RunResult): number[] => r.ids.map((id) => r.seenAt[id]! - r.emitAt.get(id)!);
const toFrame = (r: RunResult): number[] => r.ids.filter((id) => r.frameAt[id] !== undefined).map((id) => r.frameAt[id]! - r.emitAt.get(id)!);
const toAck = (r: RunResult): number[] => r.ids.map((id) => r.ackAt.get(id)! - r.emitAt.get(id)!);
const toWsIn = (r: RunResult): number[] => r.ids.filter((id) => r.wsInAt[id] !== undefined).map((id) => r.wsInAt[id]! - r.emitAt.get(id)!);
const wsInToDom = (r: RunResult): number[] => r.ids.filter((id) => r.wsInAt[id] !== undefined).map((id) => r.seenAt[id]! - r.wsInAt[id]!);

// ---------------------------------------------------------------- the floor: bare socket.io server and page

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

/** The floor's relay server; runs in its own process (see startFloorProcess), as the core runs in its own. */
async function startFloorServer(): Promise<{ url: string; close(): Promise<void> }> {
  const clientFile = path.join(ROOT, 'node_modules', 'socket.io-client', 'dist', 'socket.io.min.js');
  const clientJs = fs.readFileSync(clientFile);
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

/**
 * Starts the floor server as a child process (this same script with --floor-server), so the floor has the station's
 * shape: sender process → relay process → browser. It prints its URL, and exits when its stdin closes (we are gone).
 */
async function startFloorProcess(): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url), '--floor-server'], { stdio: ['pipe', 'pipe', 'inherit'] });
  onCleanup('floor server', async () => {
    if (child.exitCode !== null) return;
    const gone = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill('SIGTERM');
    await within(gone, 3000, 'floor server did not stop').catch(() => child.kill('SIGKILL'));
  });
  process.once('exit', () => child.exitCode === null && child.kill('SIGKILL'));
  let out = '';
  const url = await within(
    new Promise<string>((resolve, reject) => {
      child.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /floor: (http:\/\/\S+)/.exec(out);
        if (m) resolve(m[1]!);
      });
      child.once('exit', (code) => reject(new Error(`floor server exited with ${code}: ${out}`)));
    }),
    10_000,
    'floor server did not start within 10 s',
  );
  return { url, child };
}

async function floorServerMain(): Promise<void> {
  const floor = await startFloorServer();
  const stop = (): void => void floor.close().finally(() => process.exit(0));
  process.stdin.on('end', stop).resume();
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  console.log(`floor: ${floor.url}`);
}

// ---------------------------------------------------------------- terminals

async function connectSocket(url: string, auth: object | undefined, label: string): Promise<Socket> {
  const socket = io(url, { ...(auth ? { auth } : {}), transports: ['websocket'], reconnection: false, forceNew: true });
  onCleanup(label, () => void socket.close());
  await within(
    new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', (e) => reject(new Error(`${label} could not connect: ${e.message}`)));
    }),
    10_000,
    `${label} did not connect within 10 s`,
  );
  return socket;
}

function senderOf(socket: Socket, label: string): Sender {
  // The real terminal client path (shared/terminalClient), without retries: a refusal is a bench failure.
  return { label, send: (alarm) => sendAlarm(socket, alarm, { ackTimeoutMs: 10_000, maxAttempts: 1, sleep }) };
}

// ---------------------------------------------------------------- the console

/**
 * A second console in Node, logged in as the same officer: stamps when the core's broadcast of each alarm's record
 * arrives. That splits press → console into the core's part and the browser's part.
 */
async function startSpyConsole(core: CoreProcess, officer: { username: string; password: string }): Promise<Record<string, number>> {
  const res = await fetch(`${core.url}api/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username: officer.username, password: officer.password }),
  });
  const login = (await res.json()) as LoginResponse;
  if (!login.ok) throw new Error(`spy console could not log in: ${login.error.message}`);
  const socket = await connectSocket(`${core.url}console`, { session: login.session, since: 0 }, 'spy console');
  const seen: Record<string, number> = {};
  socket.on('record', (r: JournalRecord) => {
    if (r.event.type === 'alarm.received') seen[r.event.alarmId] ??= clock();
  });
  return seen;
}

function officerOf(core: CoreProcess): { username: string; password: string } {
  const officer = core.credentials.operators.find((o) => o.username === 'officer');
  if (!officer) throw new Error('the demo credentials have no operator "officer"');
  return officer;
}

async function loginConsole(browser: Browser, core: CoreProcess): Promise<Page> {
  const officer = officerOf(core);
  const context = await browser.newContext({ viewport: { width: 1600, height: 1000 } });
  await context.addInitScript(hookWebSocket);
  onCleanup('console browser context', () => context.close());
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(core.url);
  await page.fill('input[name=username]', officer.username);
  await page.fill('input[name=password]', officer.password);
  await page.click('button[type=submit]');
  try {
    await page.waitForSelector('section.queue', { timeout: 15_000 });
    await page.waitForSelector('[data-testid="link-state"].online', { timeout: 15_000 });
  } catch (e) {
    throw new Error(`the console did not show its queue after login: ${(e as Error).message}${errors.length ? `\npage errors: ${errors.join('; ')}` : ''}`);
  }
  await page.waitForLoadState('networkidle');
  await sleep(500); // basemap, sounds and the first paints settle
  return page;
}

// ---------------------------------------------------------------- output

function row(label: string, s: Stats | undefined): string {
  const f = (x: number): string => (Number.isFinite(x) ? x.toFixed(1) : '–').padStart(7);
  return s ? `${label.padEnd(44)}${String(s.n).padStart(5)}${f(s.p50)}${f(s.p95)}${f(s.p99)}${f(s.max)}` : `${label.padEnd(44)}    –`;
}

const fmtOffset = (c: ClockCheck): string =>
  `${c.offsetMs >= 0 ? '+' : ''}${c.offsetMs.toFixed(2)} ms (± ${c.uncertaintyMs.toFixed(2)}; Date.now ${c.dateNowOffsetMs >= 0 ? '+' : ''}${c.dateNowOffsetMs.toFixed(1)})`;

// ---------------------------------------------------------------- main

const TRACE_CATEGORIES = ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'v8.execute', 'blink.user_timing', 'toplevel'];

interface Measured {
  floor: RunResult;
  station: RunResult;
}

async function main(): Promise<number> {
  const opts = parseArgs(process.argv.slice(2));
  const t0 = Date.now();
  const loadBefore = os.loadavg()[0]!;
  const rounds = opts.burst ? 2 : 1;
  // Bounded: whatever happens, the bench stops by itself and takes its children with it. A normal run takes
  // 20–60 s; the limit allows for starting up, the pressing itself and one full --timeout wait per run.
  const limitS = Math.round(60 + (rounds * (2 * (opts.alarms + opts.warmup) * opts.intervalMs + opts.timeoutMs)) / 1000);
  const watchdog = setTimeout(() => {
    console.error(`bench: still running after ${limitS} s; giving up`);
    void cleanupAll().finally(() => process.exit(2));
  }, limitS * 1000);
  watchdog.unref();

  // The station under test: the real core, as `npm start -- --web --demo` runs it.
  const core = await startCoreProcess();
  onCleanup('station data folder', () => fs.rmSync(core.dataDir, { recursive: true, force: true }));
  // Last resort, should anything exit before the cleanup ran: the core must not outlive the bench.
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
  const floor = await startFloorProcess();

  // Our own signal handlers close the browser (and the core): Playwright's would exit before the core is stopped.
  const browser = await chromium.launch({
    executablePath: findChromium(),
    args: CHROMIUM_ARGS,
    headless: true,
    handleSIGINT: false,
    handleSIGTERM: false,
    handleSIGHUP: false,
  });
  onCleanup('chromium', () => browser.close());
  const cpu = makeCpuProbe(await browser.newBrowserCDPSession(), core.child.pid, floor.child.pid);

  const terminals = core.credentials.terminals.slice(0, opts.terminals);
  if (terminals.length < opts.terminals) throw new Error(`--terminals ${opts.terminals}: the demo station has only ${terminals.length} terminals`);
  const stationSenders: Sender[] = [];
  for (const t of terminals) {
    const s = await connectSocket(`${core.url}terminal`, { deviceId: t.deviceId, token: t.token }, `terminal ${t.deviceId}`);
    stationSenders.push(senderOf(s, t.deviceId));
  }
  const floorSenders: Sender[] = [];
  for (let i = 0; i < opts.terminals; i++) floorSenders.push(senderOf(await connectSocket(`${floor.url}sender`, undefined, `floor sender ${i + 1}`), `floor-${i + 1}`));

  const floorContext = await browser.newContext();
  await floorContext.addInitScript(hookWebSocket);
  onCleanup('floor browser context', () => floorContext.close());
  const floorPage = await floorContext.newPage();
  await floorPage.goto(floor.url);
  await floorPage.waitForSelector('body[data-online="1"]', { state: 'attached', timeout: 10_000 });
  await floorPage.evaluate(installObserver);

  const consolePage = await loginConsole(browser, core);
  const spy = await startSpyConsole(core, officerOf(core));
  await consolePage.evaluate(installObserver);

  const clockBefore = { floor: await checkClock(floorPage), console: await checkClock(consolePage) };

  const floorRun = async (intervalMs: number, tag: string): Promise<RunResult> => {
    if (opts.warmup > 0) await press(floorPage, floorSenders, opts.warmup, intervalMs || 25, opts.timeoutMs, `${tag}w`, cpu);
    const r = await press(floorPage, floorSenders, opts.alarms, intervalMs, opts.timeoutMs, tag, cpu);
    await sleep(300);
    return r;
  };
  const stationRun = async (intervalMs: number, tag: string): Promise<RunResult> => {
    if (opts.warmup > 0) await press(consolePage, stationSenders, opts.warmup, intervalMs || 25, opts.timeoutMs, `${tag}w`, cpu);
    await sleep(300);
    const traced = opts.trace && tag === 'p';
    const profiled = opts.cpuprofile && tag === 'p';
    // Diagnostics only: tracing and profiling slow the page down, so such a run's figures are not comparable.
    if (traced) await browser.startTracing(consolePage, { path: opts.trace, screenshots: false, categories: TRACE_CATEGORIES });
    const cdp = profiled ? await consolePage.context().newCDPSession(consolePage) : undefined;
    if (cdp) {
      await cdp.send('Profiler.enable');
      await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
      await cdp.send('Profiler.start');
    }
    try {
      return await press(consolePage, stationSenders, opts.alarms, intervalMs, opts.timeoutMs, tag, cpu);
    } finally {
      if (cdp) {
        const { profile } = await cdp.send('Profiler.stop');
        fs.mkdirSync(path.dirname(opts.cpuprofile!), { recursive: true });
        fs.writeFileSync(opts.cpuprofile!, JSON.stringify(profile));
        await cdp.detach();
      }
      if (traced) await browser.stopTracing();
    }
  };

  // The floor first, while the console is still empty and idle (a console full of open alarms keeps a CPU busy
  // with its animations and would slow the floor down); then the station, each page alone at work while measured.
  const floorPaced = await floorRun(opts.intervalMs, 'p');
  const floorBurst = opts.burst ? await floorRun(0, 'b') : undefined;
  const stationPaced = await stationRun(opts.intervalMs, 'p');
  const stationBurst = opts.burst ? await stationRun(0, 'b') : undefined;
  const paced: Measured = { floor: floorPaced, station: stationPaced };
  const burst: Measured | undefined = floorBurst && stationBurst ? { floor: floorBurst, station: stationBurst } : undefined;

  const clockAfter = { floor: await checkClock(floorPage), console: await checkClock(consolePage) };

  // The alarm text really is in the console: every measured alarm's card carries its note.
  const missingText = await consolePage.evaluate(
    (ids) => ids.filter((id) => !(document.querySelector(`li[data-testid="incident"][data-alarm-id="${id}"]`)?.textContent ?? '').includes(`bench ${id}`)),
    paced.station.ids,
  );
  if (missingText.length > 0) throw new Error(`${missingText.length} incident cards lack their alarm text: ${missingText.slice(0, 10).join(', ')}`);

  const figures = (m: Measured) => ({
    floorDom: stats(toDom(m.floor)),
    floorFrame: stats(toFrame(m.floor)),
    floorAck: stats(toAck(m.floor)),
    floorWsIn: stats(toWsIn(m.floor)),
    floorWsInToDom: stats(wsInToDom(m.floor)),
    stationWsIn: stats(toWsIn(m.station)),
    stationCoreOut: stats(m.station.ids.filter((id) => spy[id] !== undefined).map((id) => spy[id]! - m.station.emitAt.get(id)!)),
    stationWsInToDom: stats(wsInToDom(m.station)),
    stationDom: stats(toDom(m.station)),
    stationFrame: stats(toFrame(m.station)),
    stationAck: stats(toAck(m.station)),
  });
  const p = figures(paced);
  const b = burst ? figures(burst) : undefined;
  const ratio = { p50: p.stationDom.p50 / p.floorDom.p50, p99: p.stationDom.p99 / p.floorDom.p99 };
  const pass = p.stationDom.p99 <= opts.targetMs && p.stationDom.n >= 200;

  const loadAfter = os.loadavg()[0]!;
  // A rising latency over the run means the console does more work per alarm than the interval leaves it.
  const quarter = Math.max(1, Math.floor(opts.alarms / 4));
  const stationDom = toDom(paced.station);
  const backlog = { firstQuarterP50: stats(stationDom.slice(0, quarter)).p50, lastQuarterP50: stats(stationDom.slice(-quarter)).p50 };
  const worstSkew = Math.max(...[clockBefore, clockAfter].flatMap((c) => [Math.abs(c.floor.offsetMs), Math.abs(c.console.offsetMs)]));
  const drift = Math.max(Math.abs(clockAfter.floor.offsetMs - clockBefore.floor.offsetMs), Math.abs(clockAfter.console.offsetMs - clockBefore.console.offsetMs));

  const lines: string[] = [];
  lines.push(`bench: ${opts.alarms} alarms ${opts.intervalMs} ms apart, ${opts.terminals} terminal(s), ${opts.warmup} warm-up; chromium ${browser.version()} headless, node ${process.version}`);
  lines.push(`machine: ${os.cpus().length} CPUs, load average ${loadBefore.toFixed(1)} before, ${loadAfter.toFixed(1)} after (this bench itself adds about 2)`);
  lines.push(`clock check (page − node, quickest of 25 round trips):`);
  lines.push(`  floor page    before ${fmtOffset(clockBefore.floor)}   after ${fmtOffset(clockAfter.floor)}`);
  lines.push(`  console page  before ${fmtOffset(clockBefore.console)}   after ${fmtOffset(clockAfter.console)}`);
  // An offset only counts as real when it is larger than its own uncertainty (half the quickest round trip).
  const checks = [clockBefore.floor, clockBefore.console, clockAfter.floor, clockAfter.console];
  const provenSkew = Math.max(...checks.map((c) => Math.abs(c.offsetMs) - c.uncertaintyMs));
  const worstUncertainty = Math.max(...checks.map((c) => c.uncertaintyMs));
  if (provenSkew > 1) {
    lines.push(`  WARNING: the page and Node clocks differ by more than 1 ms (up to ${worstSkew.toFixed(2)} ms, drift ${drift.toFixed(2)} ms during the run); the DOM figures below carry that error.`);
  } else if (worstUncertainty > 1) {
    lines.push(`  the clocks could only be compared to ± ${worstUncertainty.toFixed(1)} ms (the page answered slowly); no offset beyond that was seen.`);
  } else {
    lines.push(`  the clocks agree to within 1 ms, so the cross-process figures below are good to about ±${Math.max(worstSkew, 0.1).toFixed(1)} ms.`);
  }
  lines.push('');
  lines.push(`${'ms'.padEnd(44)}${'n'.padStart(5)}${'p50'.padStart(7)}${'p95'.padStart(7)}${'p99'.padStart(7)}${'max'.padStart(7)}`);
  lines.push(row('floor    emit → bare page DOM', p.floorDom));
  lines.push(row('station  press → console DOM', p.stationDom));
  lines.push(row('station  press → terminal ack', p.stationAck));
  lines.push(row('  (floor    emit → ack)', p.floorAck));
  lines.push(row('  (floor    emit → next frame)', p.floorFrame));
  lines.push(row('  (station  press → console next frame)', p.stationFrame));
  lines.push(row('  (floor    emit → message in page JS)', p.floorWsIn));
  lines.push(row('  (floor    message in page JS → DOM)', p.floorWsInToDom));
  lines.push(row('  (station  press → record out of the core)', p.stationCoreOut));
  lines.push(row('  (station  press → message in console JS)', p.stationWsIn));
  lines.push(row('  (station  message in console JS → DOM)', p.stationWsInToDom));
  if (b) {
    lines.push(`burst: ${opts.alarms} alarms back to back (informational, not checked; the station's after the paced run, on a full queue)`);
    lines.push(row('floor    emit → bare page DOM', b.floorDom));
    lines.push(row('station  press → console DOM', b.stationDom));
    lines.push(row('station  press → terminal ack', b.stationAck));
    lines.push(row('  (floor    emit → ack)', b.floorAck));
    lines.push(row('  (floor    emit → message in page JS)', b.floorWsIn));
    lines.push(row('  (station  press → record out of the core)', b.stationCoreOut));
    lines.push(row('  (station  press → message in console JS)', b.stationWsIn));
  }
  const lt = (r: RunResult): string => {
    const m = r.mainThread;
    const pct = (x: number): string => `${((100 * x) / Math.max(1, m.windowMs)).toFixed(0)}%`;
    return (
      `busy ${m.taskMs.toFixed(0)} ms of ${m.windowMs.toFixed(0)} ms (${pct(m.taskMs)}): script ${m.scriptMs.toFixed(0)}, layout ${m.layoutMs.toFixed(0)} ` +
      `(${m.layouts} layouts), style ${m.styleMs.toFixed(0)} ms; ${r.longTasks.count} tasks ≥ 50 ms, longest ${r.longTasks.maxMs.toFixed(0)} ms`
    );
  };
  lines.push('');
  lines.push(`main thread, first press to last alarm shown:`);
  lines.push(`  bare page ${lt(paced.floor)}`);
  lines.push(`  console   ${lt(paced.station)}`);
  const perAlarm = (r: RunResult, k: string): string => (r.cpuMs[k] === undefined ? '–' : (r.cpuMs[k]! / r.ids.length).toFixed(2));
  lines.push(`CPU ms per alarm (less disturbed by a busy machine than the latencies):`);
  lines.push(`  floor    page renderer ${perAlarm(paced.floor, 'renderer')}, rest of chromium ${perAlarm(paced.floor, 'chromiumOther')}, relay server ${perAlarm(paced.floor, 'floorServer')}, bench ${perAlarm(paced.floor, 'bench')}`);
  lines.push(
    `  station  console renderer ${perAlarm(paced.station, 'renderer')}, rest of chromium ${perAlarm(paced.station, 'chromiumOther')}, core ${perAlarm(paced.station, 'core')}, bench ${perAlarm(paced.station, 'bench')}` +
      (opts.intervalMs > 0 && (paced.station.cpuMs.renderer ?? 0) / paced.station.ids.length > opts.intervalMs
        ? ` — more than the ${opts.intervalMs} ms between alarms: the console cannot keep up`
        : ''),
  );
  lines.push(
    `station press → console DOM over the run: p50 ${backlog.firstQuarterP50.toFixed(1)} ms in the first ${quarter} alarms, ${backlog.lastQuarterP50.toFixed(1)} ms in the last ${quarter}` +
      (backlog.lastQuarterP50 > 2 * backlog.firstQuarterP50 + 10 ? ' — rising: the console falls behind the alarms' : ''),
  );
  if (p.floorDom.p99 > 15) {
    lines.push(`NOTE: the floor itself is slow (p99 ${p.floorDom.p99.toFixed(1)} ms; about 6 ms on an idle machine): something else is using this machine, so the station figures are inflated too.`);
  }
  lines.push('');
  lines.push(`ratio station/floor (press → DOM): p50 ×${ratio.p50.toFixed(1)}, p99 ×${ratio.p99.toFixed(1)}`);
  lines.push(
    `target press → console DOM p99 ≤ ${opts.targetMs} ms: ${pass ? 'PASS' : 'FAIL'} (p99 ${p.stationDom.p99.toFixed(1)} ms over ${p.stationDom.n} alarms)` +
      (p.stationDom.n < 200 ? ' — fewer than 200 alarms do not count' : ''),
  );
  console.log(lines.join('\n'));

  const result = {
    at: new Date().toISOString(),
    options: { ...opts, out: undefined },
    environment: { node: process.version, chromium: browser.version(), platform: `${process.platform} ${process.arch}` },
    machine: { cpus: os.cpus().length, loadBefore, loadAfter },
    clock: { before: clockBefore, after: clockAfter, worstOffsetMs: worstSkew, driftMs: drift },
    mainThread: {
      floor: { ...paced.floor.mainThread, longTasks: paced.floor.longTasks },
      console: { ...paced.station.mainThread, longTasks: paced.station.longTasks },
    },
    cpuMs: { floor: paced.floor.cpuMs, station: paced.station.cpuMs },
    backlog,
    paced: {
      floor: { emitToDom: p.floorDom, emitToFrame: p.floorFrame, emitToAck: p.floorAck, emitToPageMessage: p.floorWsIn, pageMessageToDom: p.floorWsInToDom },
      station: {
        pressToConsoleDom: p.stationDom,
        pressToConsoleFrame: p.stationFrame,
        pressToTerminalAck: p.stationAck,
        pressToCoreBroadcast: p.stationCoreOut,
        pressToConsoleMessage: p.stationWsIn,
        consoleMessageToDom: p.stationWsInToDom,
      },
      ratio,
    },
    ...(b
      ? {
          burst: {
            floor: { emitToDom: b.floorDom, emitToFrame: b.floorFrame, emitToAck: b.floorAck },
            station: { pressToConsoleDom: b.stationDom, pressToConsoleFrame: b.stationFrame, pressToTerminalAck: b.stationAck },
          },
        }
      : {}),
    target: { p99Ms: opts.targetMs, pass },
    // Per alarm, in press order: [press → DOM, press → ack] in ms, for plots and for spotting a growing backlog.
    samples: {
      floor: paced.floor.ids.map((id, i) => [round2(toDom(paced.floor)[i]!), round2(toAck(paced.floor)[i]!), id]),
      station: paced.station.ids.map((id, i) => [round2(toDom(paced.station)[i]!), round2(toAck(paced.station)[i]!), id]),
    },
    durationS: (Date.now() - t0) / 1000,
  };
  fs.mkdirSync(path.dirname(opts.out), { recursive: true });
  fs.writeFileSync(opts.out, JSON.stringify(result, null, 2) + '\n');
  console.log(`results: ${path.relative(process.cwd(), opts.out) || opts.out}${opts.trace ? `; trace: ${opts.trace}` : ''} (${result.durationS.toFixed(1)} s)`);
  return pass ? 0 : 1;
}

if (process.argv[2] === '--floor-server') {
  await floorServerMain();
} else {
  let exitCode = 2;
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      console.error(`bench: ${sig}; stopping`);
      void cleanupAll().finally(() => process.exit(130));
    });
  }
  try {
    exitCode = await main();
  } catch (e) {
    console.error(`bench: ${(e as Error).stack ?? String(e)}`);
    exitCode = 2;
  } finally {
    await cleanupAll();
  }
  process.exit(exitCode);
}

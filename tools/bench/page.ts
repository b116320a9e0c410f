// tools/bench (tool, Node) — the benches' page side: the floor relay (a bare socket.io server and a bare page, the
// floor the console is measured against), the page-side probes (WebSocket hook, DOM observer, serialized by
// Playwright), and from Node the page's clock check and main-thread accounting.
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { CDPSession, Page } from 'playwright-core';
import { Server } from 'socket.io';
import type { AlarmAck, AlarmPayload } from '../../shared/protocol';
import { ROOT } from '../../test/support/core';
import { clock, type OnCleanup, startChild } from './common';

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

// tools/bench (tool, Node) — `npm run bench`: time from a terminal's `alarm` emit to the alarm in the console's DOM, beside
// the raw socket.io floor (a bare server relaying to a bare page) measured in the same run, on the same clock.
//
// Both ends read one clock: Node takes `performance.timeOrigin + performance.now()` just before the emit; the
// page's MutationObserver takes the same expression when the alarm's <li> is added. The two processes' clocks are
// compared through page.evaluate round trips (before and after) and the offset is printed. Nothing crosses
// Playwright during a measurement: the page keeps its timestamps in window.__seen, read back once at the end.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type CDPSession, type Page } from 'playwright-core';
import { CHROMIUM_ARGS, findChromium } from '../../test/support/chromium';
import { startCoreProcess, type CoreProcess } from '../../test/support/core';
import {
  cleanupCore,
  cleanupRegistry,
  clock,
  connectSocket,
  consoleSocket,
  operator,
  type Operator,
  pressAlarms,
  procCpuMs,
  round2,
  runBench,
  type Sender,
  senderOf,
  sleep,
  startWatchdog,
  stats,
  type Stats,
  submitConsoleLogin,
} from './common';
import {
  type AlarmWindow,
  checkClock,
  type ClockCheck,
  floorServerMain,
  hookWebSocket,
  installObserver,
  type MainThread,
  mainThreadBetween,
  readMetrics,
  startFloorProcess,
} from './page';
import { parseArgs } from './benchOptions';
import { stormLines, stormRun, type StormResult } from './storm';

const progress = (what: string): void => void process.stderr.write(`bench: ${what}\n`);

// ---------------------------------------------------------------- cleanup on every path

const { onCleanup, cleanupAll } = cleanupRegistry('bench');

// ---------------------------------------------------------------- in the page

/** The WebSocket hook's options: this bench's alarm ids start with `bench-`. */
const WS_HOOK = { idPrefix: 'bench-' };
/** How long the console's idle cost (queue open, nothing arriving) is measured. */
const IDLE_MS = 3000;

// The WebSocket hook (an init script) and the DOM observer (with the next frame and long tasks)
// are in common.ts, as is the clock check (page.evaluate round trips).

// ---------------------------------------------------------------- pressing alarms

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

/** The page's own main-thread accounting (common.ts readMetrics), read before and after a run, never during. */

/** CPU time in ms, by process group: chromium's renderers, the rest of chromium, the core, and this bench. */
type CpuTimes = Record<string, number>;
type CpuProbe = () => Promise<CpuTimes>;

function makeCpuProbe(browserCdp: CDPSession, corePid: number | undefined, floorPid: number | undefined): CpuProbe {
  return async () => {
    const out: CpuTimes = { renderer: 0, chromiumOther: 0 };
    const { processInfo } = (await browserCdp.send('SystemInfo.getProcessInfo')) as { processInfo: { type: string; cpuTime: number }[] };
    for (const p of processInfo) out[p.type === 'renderer' ? 'renderer' : 'chromiumOther']! += p.cpuTime * 1000;
    const core = procCpuMs(corePid);
    if (core !== undefined) out.core = core;
    const floorServer = procCpuMs(floorPid);
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
  const before = await readMetrics(page);
  const metricsFrom = clock();
  const cpuBefore = await cpu();
  const { emitAt, ackAt } = await pressAlarms(senders, ids, intervalMs);
  // Only now ask the page, and let it poll itself: no round trips through Playwright while alarms are in flight.
  try {
    await page.waitForFunction((want) => want.every((id) => id in (window as unknown as AlarmWindow).__seen), ids, { polling: 50, timeout: timeoutMs });
  } catch {
    const seen = await page.evaluate(() => Object.keys((window as unknown as AlarmWindow).__seen));
    const missing = ids.filter((id) => !seen.includes(id));
    // All there by now: only slow (the figures will say how slow), not lost.
    if (missing.length > 0)
      throw new Error(
        `${missing.length} of ${count} alarms did not show in the page within ${timeoutMs} ms after the last ack: ` +
          `${missing.slice(0, 20).join(', ')}${missing.length > 20 ? ', …' : ''}`,
      );
  }
  // Let the last requestAnimationFrame callbacks run.
  await page.evaluate(() => new Promise<void>((r) => requestAnimationFrame(() => setTimeout(r, 0))));
  const cpuAfter = await cpu();
  const after = await readMetrics(page);
  const metricsTo = clock();
  // windowMs: from just before the first press to just after the last alarm showed.
  const mainThread = mainThreadBetween(before, after, metricsTo - metricsFrom);
  const { seenAt, frameAt, wsInAt, long } = await page.evaluate(() => {
    const w = window as unknown as AlarmWindow;
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

// The floor (a bare socket.io relay in its own process, `bench.js --floor-server`, and a bare page), the
// terminals' sockets and senders (the real terminal client path, without retries) are in common.ts.

// ---------------------------------------------------------------- the console

/**
 * A second console in Node, logged in as the same officer: stamps when the core's broadcast of each alarm's record
 * arrives. That splits press → console into the core's part and the browser's part.
 */
async function startSpyConsole(core: CoreProcess, officer: Operator): Promise<Record<string, number>> {
  return (await consoleSocket(core, officer, 'spy console', 'spy console', onCleanup)).seen;
}

const officerOf = (core: CoreProcess): Operator => operator(core, 'officer');

async function loginConsole(browser: Browser, core: CoreProcess): Promise<Page> {
  const officer = officerOf(core);
  const context = await browser.newContext({ viewport: { width: 1600, height: 1000 } });
  await context.addInitScript(hookWebSocket, WS_HOOK);
  onCleanup('console browser context', () => context.close());
  const { page, errors } = await submitConsoleLogin(context, core.url, officer);
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
  const limitS = Math.round(
    120 +
      opts.schools / 10 +
      (rounds * (2 * (opts.alarms + opts.warmup) * opts.intervalMs + opts.timeoutMs) + opts.open * 10 + opts.timeoutMs) / 1000 +
      (opts.storm > 0 ? opts.stormSeconds + 20 + opts.timeoutMs / 1000 : 0),
  );
  startWatchdog('bench', limitS, cleanupAll);

  // The station under test: the real core, as `npm start -- --web --demo --demo-schools N` runs it.
  progress(`a demo county of ${opts.schools} schools`);
  const core = await startCoreProcess({ extraArgs: ['--demo-schools', String(opts.schools)], startTimeoutMs: 120_000 });
  cleanupCore(core, onCleanup);
  const floor = await startFloorProcess(fileURLToPath(import.meta.url), onCleanup);

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

  // Terminals: those that open the busy queue, those of the measured run, those of the storm; none shared, so
  // each alarm opens its own incident.
  const creds = core.credentials.terminals;
  const want = opts.open + opts.terminals + (opts.storm > 0 ? opts.stormTerminals : 0);
  if (creds.length < want) throw new Error(`the demo station has ${creds.length} terminals; ${want} are needed (--schools)`);
  progress(`connecting ${want} terminals`);
  const connectAll = async (list: typeof creds): Promise<Sender[]> => {
    const out: Sender[] = [];
    for (let i = 0; i < list.length; i += 50) {
      const chunk = list.slice(i, i + 50);
      const sockets = await Promise.all(
        chunk.map((t) => connectSocket(`${core.url}terminal`, { deviceId: t.deviceId, token: t.token }, `terminal ${t.deviceId}`, onCleanup)),
      );
      out.push(...sockets.map(senderOf));
    }
    return out;
  };
  const openSenders = await connectAll(creds.slice(0, opts.open));
  const stationSenders = await connectAll(creds.slice(opts.open, opts.open + opts.terminals));
  const stormSenders = opts.storm > 0 ? await connectAll(creds.slice(opts.open + opts.terminals, want)) : [];
  const floorSenders: Sender[] = [];
  for (let i = 0; i < opts.terminals; i++)
    floorSenders.push(senderOf(await connectSocket(`${floor.url}sender`, undefined, `floor sender ${i + 1}`, onCleanup)));

  const floorContext = await browser.newContext();
  await floorContext.addInitScript(hookWebSocket, WS_HOOK);
  onCleanup('floor browser context', () => floorContext.close());
  const floorPage = await floorContext.newPage();
  await floorPage.goto(floor.url);
  await floorPage.waitForSelector('body[data-online="1"]', { state: 'attached', timeout: 10_000 });
  await floorPage.evaluate(installObserver, { frames: true });

  const consolePage = await loginConsole(browser, core);
  const spy = await startSpyConsole(core, officerOf(core));
  await consolePage.evaluate(installObserver, { frames: true });
  // The control (--draw none): the console's root is not painted, and mostly neither styled nor laid out (traced,
  // Chromium still runs about 1.4 ms of style and layout an alarm for it); the DOM is still built and observed, so
  // every alarm is still taken, stored, reported shown and counted as seen.
  if (opts.draw === 'none') await consolePage.addStyleTag({ content: '#root { content-visibility: hidden; }' });

  const clockBefore = { floor: await checkClock(floorPage, 25), console: await checkClock(consolePage, 25) };

  // The warm-up presses from the terminals after the measured run's (terminals = alarms + warm-up by default).
  const warmupSenders = (all: Sender[]): Sender[] => (all.length > opts.alarms ? all.slice(opts.alarms) : all);
  const floorRun = async (intervalMs: number, tag: string): Promise<RunResult> => {
    if (opts.warmup > 0) await press(floorPage, warmupSenders(floorSenders), opts.warmup, intervalMs || 25, opts.timeoutMs, `${tag}w`, cpu);
    const r = await press(floorPage, floorSenders, opts.alarms, intervalMs, opts.timeoutMs, tag, cpu);
    await sleep(300);
    return r;
  };
  const stationRun = async (intervalMs: number, tag: string): Promise<RunResult> => {
    if (opts.warmup > 0) await press(consolePage, warmupSenders(stationSenders), opts.warmup, intervalMs || 25, opts.timeoutMs, `${tag}w`, cpu);
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
  // The busy queue: alarms already open on the console before anything is measured.
  if (opts.open > 0) {
    await press(consolePage, openSenders, opts.open, 10, opts.timeoutMs, 'open', cpu);
    await sleep(1000);
  }
  // What the console costs with nothing arriving (its queue open, its animations running): the part of the
  // per-alarm CPU below that is not the alarms' own.
  const idleBefore = await cpu();
  await sleep(IDLE_MS);
  const idleAfter = await cpu();
  const idleRendererPerS = (((idleAfter.renderer ?? 0) - (idleBefore.renderer ?? 0)) * 1000) / IDLE_MS;
  const stationPaced = await stationRun(opts.intervalMs, 'p');
  const stationBurst = opts.burst ? await stationRun(0, 'b') : undefined;
  let storm: StormResult | undefined;
  if (opts.storm > 0) {
    progress(`storm: ${opts.storm} alarms in ${opts.stormSeconds} s from ${stormSenders.length} terminals`);
    storm = await stormRun(consolePage, stormSenders, opts.storm, opts.stormSeconds, opts.timeoutMs, async () => (await cpu()).renderer ?? 0);
  }
  const paced: Measured = { floor: floorPaced, station: stationPaced };
  const burst: Measured | undefined = floorBurst && stationBurst ? { floor: floorBurst, station: stationBurst } : undefined;

  const clockAfter = { floor: await checkClock(floorPage, 25), console: await checkClock(consolePage, 25) };

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
  const targetMs = opts.targetMs ?? opts.targetRatio * p.floorDom.p99;
  const rendererPerAlarm = (paced.station.cpuMs.renderer ?? 0) / paced.station.ids.length;
  const latencyOk = p.stationDom.p99 <= targetMs && p.stationDom.n >= 200;
  const cpuOk = rendererPerAlarm <= opts.cpuTargetMs;
  const stormOk = !storm || (storm.targets.framesOk && storm.targets.lastOk && storm.targets.heapOk);
  const pass = latencyOk && cpuOk && stormOk;

  const loadAfter = os.loadavg()[0]!;
  // A rising latency over the run means the console does more work per alarm than the interval leaves it.
  const quarter = Math.max(1, Math.floor(opts.alarms / 4));
  const stationDom = toDom(paced.station);
  const backlog = { firstQuarterP50: stats(stationDom.slice(0, quarter)).p50, lastQuarterP50: stats(stationDom.slice(-quarter)).p50 };
  const worstSkew = Math.max(...[clockBefore, clockAfter].flatMap((c) => [Math.abs(c.floor.offsetMs), Math.abs(c.console.offsetMs)]));
  const drift = Math.max(
    Math.abs(clockAfter.floor.offsetMs - clockBefore.floor.offsetMs),
    Math.abs(clockAfter.console.offsetMs - clockBefore.console.offsetMs),
  );

  const lines: string[] = [];
  lines.push(
    `bench: ${opts.alarms} alarms ${opts.intervalMs} ms apart from ${opts.terminals} terminal(s) (${opts.warmup} warm-up), onto ${opts.open} open alarms, in a county of ${opts.schools} schools; chromium ${browser.version()} headless, node ${process.version}`,
  );
  lines.push(`machine: ${os.cpus().length} CPUs, load average ${loadBefore.toFixed(1)} before, ${loadAfter.toFixed(1)} after (this bench itself adds about 2)`);
  lines.push(`clock check (page − node, quickest of 25 round trips):`);
  lines.push(`  floor page    before ${fmtOffset(clockBefore.floor)}   after ${fmtOffset(clockAfter.floor)}`);
  lines.push(`  console page  before ${fmtOffset(clockBefore.console)}   after ${fmtOffset(clockAfter.console)}`);
  // An offset only counts as real when it is larger than its own uncertainty (half the quickest round trip).
  const checks = [clockBefore.floor, clockBefore.console, clockAfter.floor, clockAfter.console];
  const provenSkew = Math.max(...checks.map((c) => Math.abs(c.offsetMs) - c.uncertaintyMs));
  const worstUncertainty = Math.max(...checks.map((c) => c.uncertaintyMs));
  if (provenSkew > 1) {
    lines.push(
      `  WARNING: the page and Node clocks differ by more than 1 ms (up to ${worstSkew.toFixed(2)} ms, drift ${drift.toFixed(2)} ms during the run); the DOM figures below carry that error.`,
    );
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
  lines.push(
    `  console idle with ${opts.open} open, nothing arriving: renderer ${idleRendererPerS.toFixed(1)} ms CPU a second` +
      (opts.intervalMs > 0 ? ` (${((idleRendererPerS * opts.intervalMs) / 1000).toFixed(2)} ms per alarm interval)` : ''),
  );
  lines.push(
    `  floor    page renderer ${perAlarm(paced.floor, 'renderer')}, rest of chromium ${perAlarm(paced.floor, 'chromiumOther')}, relay server ${perAlarm(paced.floor, 'floorServer')}, bench ${perAlarm(paced.floor, 'bench')}`,
  );
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
    lines.push(
      `NOTE: the floor itself is slow (p99 ${p.floorDom.p99.toFixed(1)} ms; about 6 ms on an idle machine): something else is using this machine, so the station figures are inflated too.`,
    );
  }
  lines.push('');
  lines.push(`ratio station/floor (press → DOM): p50 ×${ratio.p50.toFixed(1)}, p99 ×${ratio.p99.toFixed(1)}`);
  lines.push(
    `target press → console DOM p99 ≤ ${opts.targetMs === undefined ? `${opts.targetRatio} × the floor's p99 = ` : ''}${targetMs.toFixed(1)} ms: ${latencyOk ? 'PASS' : 'FAIL'} (p99 ${p.stationDom.p99.toFixed(1)} ms over ${p.stationDom.n} alarms, ×${ratio.p99.toFixed(1)} the floor's ${p.floorDom.p99.toFixed(1)} ms)` +
      (p.stationDom.n < 200 ? ' — fewer than 200 alarms do not count' : ''),
  );
  lines.push(
    `target console renderer CPU ≤ ${opts.cpuTargetMs} ms per alarm: ${cpuOk ? 'PASS' : 'FAIL'} (${rendererPerAlarm.toFixed(2)} ms; the bare page ${perAlarm(paced.floor, 'renderer')} ms)`,
    ...(opts.draw === 'none'
      ? ['(the control, --draw none: the console drew nothing; these figures are its data path and what style and layout Chromium still ran, not the console)']
      : []),
  );
  if (storm) lines.push('', ...stormLines(storm, row));
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
    consoleIdleRendererMsPerS: idleRendererPerS,
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
    target: { p99Ms: targetMs, latencyOk, rendererCpuMsPerAlarm: rendererPerAlarm, cpuOk, pass },
    ...(storm ? { storm } : {}),
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
  await runBench('bench', cleanupAll, main);
}

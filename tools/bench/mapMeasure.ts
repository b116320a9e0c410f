// tools/bench (tool, Node) — what `npm run bench:map` measures: frames and long tasks in the page, CPU and
// main-thread accounting, alarm presses to the console's DOM, the console and a second officer, the county.
import fs from 'node:fs';
import path from 'node:path';
import { type BrowserContext, type CDPSession, type Page } from 'playwright-core';
import type { AlarmKind } from '../../shared/protocol';
import type { AreaGeometry, LatLng } from '../../shared/geo';
import { LONGHUA_ADCODE } from '../../shared/sampleCounty';
import { ROOT, type CoreProcess } from '../../test/support/core';
import { clock, consoleSocket, operator, pressAlarms, procCpuMs, type Sender, sleep, stats, type Stats, submitConsoleLogin } from './common';
import { type AlarmWindow, checkClock, type MainThread, mainThreadBetween, readMetrics } from './page';
import { onCleanup, progress } from './mapOptions';

// ---------------------------------------------------------------- in the page (serialized by Playwright)

interface FrameLoaf {
  start: number;
  duration: number;
  blocking: number;
  renderStart: number;
  styleAndLayoutStart: number;
  scripts: { invoker: string; src: string; fn: string; d: number; forced: number }[];
}

interface PageWindow extends AlarmWindow {
  __fm?: { deltas: number[]; loaf: FrameLoaf[]; long: number[]; stop: boolean; observers: PerformanceObserver[] };
}

/**
 * The WebSocket hook (common.ts, an init script): stamps the first WebSocket message naming each bench alarm (ids
 * `mb-…`), and counts messages by event. The DOM observer (common.ts installObserver) stamps only the DOM here.
 */
export const WS_HOOK = { idPrefix: 'mb-', countEvents: true };

/** Starts a requestAnimationFrame loop collecting frame-to-frame deltas, plus long animation frames and long tasks. */
function startFrames(): void {
  const w = window as unknown as PageWindow;
  const fm: NonNullable<PageWindow['__fm']> = { deltas: [], loaf: [], long: [], stop: false, observers: [] };
  w.__fm = fm;
  let last = 0;
  const tick = (t: number): void => {
    if (fm.stop) return;
    if (last > 0) fm.deltas.push(t - last);
    last = t;
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
  try {
    const o = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        const l = e as PerformanceEntry & {
          blockingDuration: number;
          renderStart: number;
          styleAndLayoutStart: number;
          scripts: { invoker: string; sourceURL: string; sourceFunctionName: string; duration: number; forcedStyleAndLayoutDuration: number }[];
        };
        fm.loaf.push({
          start: l.startTime,
          duration: l.duration,
          blocking: l.blockingDuration,
          renderStart: l.renderStart,
          styleAndLayoutStart: l.styleAndLayoutStart,
          scripts: (l.scripts ?? []).map((s) => ({
            invoker: s.invoker,
            src: s.sourceURL,
            fn: s.sourceFunctionName,
            d: s.duration,
            forced: s.forcedStyleAndLayoutDuration,
          })),
        });
      }
    });
    o.observe({ type: 'long-animation-frame' });
    fm.observers.push(o);
  } catch {
    /* no LoAF API */
  }
  try {
    const o = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) fm.long.push(e.duration);
    });
    o.observe({ type: 'longtask' });
    fm.observers.push(o);
  } catch {
    /* no Long Tasks API */
  }
}

function stopFrames(): { deltas: number[]; loaf: FrameLoaf[]; long: number[] } {
  const fm = (window as unknown as PageWindow).__fm!;
  fm.stop = true;
  for (const o of fm.observers) o.disconnect();
  return { deltas: fm.deltas, loaf: fm.loaf, long: fm.long };
}

interface ClockCheck {
  offsetMs: number;
  uncertaintyMs: number;
}

/** The page clock check (common.ts) over 15 round trips, as page − node offset and its uncertainty. */
export async function pageClock(page: Page): Promise<ClockCheck> {
  const c = await checkClock(page, 15);
  return { offsetMs: c.offsetMs, uncertaintyMs: c.uncertaintyMs };
}

// ---------------------------------------------------------------- CPU and main-thread accounting

type CpuTimes = Record<string, number>;

export function makeCpuProbe(browserCdp: CDPSession, pids: Record<string, () => number | undefined>): () => Promise<CpuTimes> {
  return async () => {
    const out: CpuTimes = { renderer: 0, gpuAndBrowser: 0 };
    const { processInfo } = (await browserCdp.send('SystemInfo.getProcessInfo')) as { processInfo: { type: string; cpuTime: number }[] };
    for (const p of processInfo) out[p.type === 'renderer' ? 'renderer' : 'gpuAndBrowser']! += p.cpuTime * 1000;
    for (const [k, pid] of Object.entries(pids)) {
      const v = procCpuMs(pid());
      if (v !== undefined) out[k] = v;
    }
    const self = process.cpuUsage();
    out.bench = (self.user + self.system) / 1000;
    return out;
  };
}

/** Runs fn while accounting the page's main thread (CDP Performance metrics) and every process's CPU. */
async function accounted<T>(
  page: Page,
  cpu: () => Promise<CpuTimes>,
  fn: () => Promise<T>,
): Promise<{ value: T; main: MainThread; cpuMs: CpuTimes; windowMs: number }> {
  const m0 = await readMetrics(page);
  const c0 = await cpu();
  const t0 = clock();
  const value = await fn();
  const windowMs = clock() - t0;
  const c1 = await cpu();
  const m1 = await readMetrics(page);
  return {
    value,
    windowMs,
    main: mainThreadBetween(m0, m1, windowMs),
    cpuMs: Object.fromEntries(Object.keys(c1).map((k) => [k, c1[k]! - (c0[k] ?? 0)])),
  };
}

// ---------------------------------------------------------------- frames

export interface FrameRun {
  label: string;
  frames: Stats;
  over50: number;
  over33: number;
  /** Frames expected at 60 Hz over the window vs frames seen. */
  expected: number;
  loaf: { count: number; p95: number; max: number; totalBlockingMs: number; topScripts: { what: string; ms: number; n: number }[] };
  longTasks: { count: number; totalMs: number; maxMs: number };
  main: MainThread;
  cpuMs: CpuTimes;
  ws: Record<string, [number, number]>;
}

export async function measureFrames(page: Page, label: string, seconds: number, cpu: () => Promise<CpuTimes>, during?: () => Promise<void>): Promise<FrameRun> {
  progress(`frames: ${label}, ${seconds} s`);
  const ws0 = await page.evaluate(() => ({ ...((window as unknown as PageWindow).__wsCount ?? {}) }));
  const r = await accounted(page, cpu, async () => {
    await page.evaluate(startFrames);
    const until = performance.now() + seconds * 1000;
    if (during) await during();
    const left = until - performance.now();
    if (left > 0) await sleep(left);
    return page.evaluate(stopFrames);
  });
  const ws1 = await page.evaluate(() => ({ ...((window as unknown as PageWindow).__wsCount ?? {}) }));
  const ws: Record<string, [number, number]> = {};
  for (const [k, v] of Object.entries(ws1)) {
    const b = ws0[k] ?? [0, 0];
    if (v[0] - b[0] > 0) ws[k] = [v[0] - b[0], v[1] - b[1]];
  }
  const { deltas, loaf, long } = r.value;
  const scripts = new Map<string, { ms: number; n: number }>();
  for (const f of loaf) {
    for (const s of f.scripts) {
      const what = `${s.invoker}${s.fn ? ` ${s.fn}` : ''}`;
      const e = scripts.get(what) ?? { ms: 0, n: 0 };
      e.ms += s.d;
      e.n++;
      scripts.set(what, e);
    }
  }
  const loafD = stats(loaf.map((f) => f.duration));
  return {
    label,
    frames: stats(deltas),
    over50: deltas.filter((d) => d > 50).length,
    over33: deltas.filter((d) => d > 33.4).length,
    expected: Math.round(r.windowMs / (1000 / 60)),
    loaf: {
      count: loaf.length,
      p95: loafD.p95,
      max: loafD.max,
      totalBlockingMs: loaf.reduce((a, f) => a + f.blocking, 0),
      topScripts: [...scripts.entries()]
        .sort((a, b) => b[1].ms - a[1].ms)
        .slice(0, 5)
        .map(([what, e]) => ({ what: what.slice(0, 90), ms: e.ms, n: e.n })),
    },
    longTasks: { count: long.length, totalMs: long.reduce((a, b) => a + b, 0), maxMs: Math.max(0, ...long) },
    main: r.main,
    cpuMs: r.cpuMs,
    ws,
  };
}

// ---------------------------------------------------------------- alarms

export interface PressRun {
  ids: string[];
  dom: number[];
  ack: number[];
  wsIn: number[];
  wsInToDom: number[];
  coreOut: number[];
}

let runCounter = 0;

const MAP_KINDS: readonly AlarmKind[] = ['panic', 'intrusion', 'violence', 'fire', 'medical', 'other'];

/**
 * Presses `count` alarms `intervalMs` apart (0 = back to back) on an absolute schedule and waits until the page shows
 * all of them. `onAck` gets each station ack (to hand the incident to the second officer).
 */
export async function press(
  page: Page,
  senders: Sender[],
  count: number,
  intervalMs: number,
  tag: string,
  spy?: Record<string, number>,
  onAck?: (incidentId: string) => void,
): Promise<PressRun> {
  const run = `${tag}${++runCounter}`;
  progress(`${count} alarms ${intervalMs > 0 ? `${intervalMs} ms apart` : 'back to back'} → ${new URL(page.url()).port === '' ? page.url() : 'page'}`);
  const ids = Array.from({ length: count }, (_, i) => `mb-${run}-${String(i).padStart(4, '0')}`);
  // Each terminal presses another kind each time: a burst from the few pressing terminals would otherwise join
  // their open alarms as repeat presses (counted on the card, no card of their own).
  const { emitAt, ackAt } = await pressAlarms(senders, ids, intervalMs, onAck, (i) => MAP_KINDS[Math.floor(i / senders.length) % MAP_KINDS.length]!);
  try {
    await page.waitForFunction((want) => want.every((id) => id in (window as unknown as PageWindow).__seen), ids, { polling: 100, timeout: 30_000 });
  } catch {
    const seen = await page.evaluate(() => Object.keys((window as unknown as PageWindow).__seen));
    const missing = ids.filter((id) => !seen.includes(id));
    if (missing.length > 0) throw new Error(`${missing.length} of ${count} alarms did not show in the page within 30 s: ${missing.slice(0, 10).join(', ')}`);
  }
  const { seen, wsIn } = await page.evaluate(() => {
    const w = window as unknown as PageWindow;
    return { seen: { ...w.__seen }, wsIn: { ...w.__wsIn } };
  });
  return {
    ids,
    dom: ids.map((id) => seen[id]! - emitAt.get(id)!),
    ack: ids.map((id) => ackAt.get(id)! - emitAt.get(id)!),
    wsIn: ids.filter((id) => wsIn[id] !== undefined).map((id) => wsIn[id]! - emitAt.get(id)!),
    wsInToDom: ids.filter((id) => wsIn[id] !== undefined).map((id) => seen[id]! - wsIn[id]!),
    coreOut: spy ? ids.filter((id) => spy[id] !== undefined).map((id) => spy[id]! - emitAt.get(id)!) : [],
  };
}

// The floor relay (bare socket.io server and page, in its own process: `mapBench.js --floor-server`), the sockets
// and the senders (the real terminal client path, without retries) are in common.ts, shared with bench.ts.

// ---------------------------------------------------------------- the console

/**
 * A second console in Node, logged in as the second duty officer: stamps when the core's broadcast of each alarm's
 * record arrives, and (unless --keep-open) acknowledges and resolves each bench alarm a few seconds after it came.
 */
export async function startSecondOfficer(
  core: CoreProcess,
): Promise<{ seen: Record<string, number>; handle(incidentId: string): void; handled: () => { ok: number; failed: string[] } }> {
  const { socket, seen } = await consoleSocket(core, operator(core, 'officer2'), 'officer2', 'second officer console', onCleanup);
  let ok = 0;
  const failed: string[] = [];
  const check = (what: string, a: unknown): boolean => {
    const ans = a as { ok?: boolean; error?: { code?: string; message?: string } };
    if (ans?.ok) return true;
    failed.push(`${what}: ${ans?.error?.code ?? '?'} ${ans?.error?.message ?? JSON.stringify(a)}`);
    return false;
  };
  const timers = new Set<NodeJS.Timeout>();
  onCleanup('second officer timers', () => timers.forEach((t) => clearTimeout(t)));
  return {
    seen,
    handle(incidentId) {
      const t = setTimeout(() => {
        timers.delete(t);
        void (async () => {
          try {
            if (!check(`acknowledge ${incidentId}`, await socket.timeout(5000).emitWithAck('acknowledge', { incidentId }))) return;
            await sleep(1000);
            if (
              check(`resolve ${incidentId}`, await socket.timeout(5000).emitWithAck('resolve', { incidentId, disposition: 'false_alarm', note: 'map bench' }))
            )
              ok++;
          } catch (e) {
            failed.push(`${incidentId}: ${(e as Error).message}`);
          }
        })();
      }, 3000);
      timers.add(t);
    },
    handled: () => ({ ok, failed }),
  };
}

export async function loginConsole(context: BrowserContext, core: CoreProcess): Promise<Page> {
  const { page, errors } = await submitConsoleLogin(context, core.url, operator(core, 'officer'));
  try {
    // Only stable markers: the queue, the map's section and Leaflet's container, the link state.
    for (const sel of ['section.queue', '[data-testid="map"]', '.leaflet-container', '[data-testid="link-state"].online'])
      await page.waitForSelector(sel, { timeout: 20_000 });
  } catch (e) {
    throw new Error(`the console did not come up after login: ${(e as Error).message}${errors.length ? `\npage errors: ${errors.join('; ')}` : ''}`);
  }
  await page.waitForLoadState('networkidle');
  return page;
}

// ---------------------------------------------------------------- the county

export function countyOutline(): AreaGeometry {
  const fc = JSON.parse(fs.readFileSync(path.join(ROOT, 'assets', 'map', 'chengde-counties.geojson'), 'utf8')) as {
    features: { properties: { adcode: string }; geometry: AreaGeometry }[];
  };
  const f = fc.features.find((x) => String(x.properties.adcode) === LONGHUA_ADCODE);
  if (!f) throw new Error('the county outline is missing from assets/map/chengde-counties.geojson');
  return f.geometry;
}

export function unitHomes(dataDir: string): Map<string, LatLng> {
  const reg = JSON.parse(fs.readFileSync(path.join(dataDir, 'demo-registry.json'), 'utf8')) as { units: { id: string; lat: number; lng: number }[] };
  return new Map(reg.units.map((u) => [u.id, { lat: u.lat, lng: u.lng }]));
}

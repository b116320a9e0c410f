// tools/bench (tool, Node) — `npm run bench:map`: the console on a busy map. A 1,000-school county with 300 patrol units that
// report `position` every 2 s (a fleet of real /unit clients in a child process, staggered, driving road-like
// segments at 30–60 km/h), the real console in Chromium at 1600×900 logged in as an officer. Measures:
//
//   frames   requestAnimationFrame deltas in the page for --frames-s seconds, beside two floors from the same run:
//            a blank page in the same browser, and the same console on the same county with no unit moving.
//   alarms   press → console DOM (as bench.ts: one clock, MutationObserver in the page) at a realistic rate while
//            the units move, beside the raw socket.io floor (bare relay → bare page) measured in the same run.
//
// Targets (the issue): frame p95 < 33 ms with the units moving; press → console p99 ≤ 50 ms. Exit code 0 whether
// the targets are met or not (the table says PASS/FAIL; --strict makes a FAIL exit 1); 2 when the bench broke.
// `--profile` adds a CPU profile and a trace of the console during the busy phase, summarized (where the frame
// time goes). Readiness and alarms are detected only by stable markers ([data-testid=map], .leaflet-container,
// section.queue, li[data-testid=incident][data-alarm-id]), never by the map's internals.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type CDPSession, type Page } from 'playwright-core';
import type { AreaGeometry, LatLng } from '../../shared/geo';
import { LONGHUA_ADCODE } from '../../shared/sampleCounty';
import { CHROMIUM_ARGS, findChromium } from '../../test/support/chromium';
import { ROOT, startCoreProcess, type CoreProcess } from '../../test/support/core';
import { cleanupCore, cleanupRegistry, clock, connectSocket, consoleSocket, operator, pressAlarms, procCpuMs, round2, runBench, type Sender, senderOf, sleep, startWatchdog, stats, type Stats, submitConsoleLogin, benchArgs } from './common';
import { type AlarmWindow, checkClock, floorServerMain, hookWebSocket, installObserver, type MainThread, mainThreadBetween, readMetrics, startFloorProcess } from './page';
import { fleetChildMain, startFleet, type FleetReport } from './mapUnits';

const HELP = `usage: npm run bench:map -- [options]
  --units N          reporting patrol units (default 300; the demo county gets N·4/3 units, a quarter on foot)
  --schools N        schools in the demo county (default 1000)
  --position-ms MS   each unit's report interval (default 2000)
  --frames-s S       frame measurement of the console, idle and busy (default 30)
  --idle-s S         the "units not moving" floor (default 20)
  --blank-s S        the blank-page floor (default 10)
  --alarms N         alarms pressed while the units move (default 60)
  --alarm-ms MS      time between those alarms (default 2000)
  --burst N          then N alarms back to back, informational (default 20; 0 = none)
  --floor-ms MS      time between the floor relay's alarms (default 100; the bare page is idle either way)
  --keep-open        leave the alarms open (default: a second officer acknowledges and resolves each after ~3 s,
                     as a duty officer would, so the queue does not fill up with 60 looping alarms)
  --frame-target MS  frame p95 target (default 33)
  --press-target MS  press → console DOM p99 target (default 50)
  --profile [DIR]    also take a CPU profile and a trace of the console while the units move (default bench-results/)
  --strict           exit 1 when a target is missed (default: 0 either way)
  --out FILE         JSON results (default bench-results/map.json)
Exit code: 0 when the bench ran (PASS or FAIL is in the output), 1 with --strict on a FAIL, 2 when it could not run.`;

interface Options {
  units: number;
  schools: number;
  positionMs: number;
  framesS: number;
  idleS: number;
  blankS: number;
  alarms: number;
  alarmMs: number;
  burst: number;
  floorMs: number;
  keepOpen: boolean;
  frameTarget: number;
  pressTarget: number;
  profile?: string;
  strict: boolean;
  out: string;
}

function parseArgs(argv: string[]): Options {
  const o: Options = {
    units: 300,
    schools: 1000,
    positionMs: 2000,
    framesS: 30,
    idleS: 20,
    blankS: 10,
    alarms: 60,
    alarmMs: 2000,
    burst: 20,
    floorMs: 100,
    keepOpen: false,
    frameTarget: 33,
    pressTarget: 50,
    strict: false,
    out: path.join(ROOT, 'bench-results', 'map.json'),
  };
  const a = benchArgs(
    argv,
    HELP,
    {
      units: 'value', schools: 'value', 'position-ms': 'value', 'frames-s': 'value', 'idle-s': 'value', 'blank-s': 'value', alarms: 'value',
      'alarm-ms': 'value', burst: 'value', 'floor-ms': 'value', 'keep-open': 'switch', 'frame-target': 'value', 'press-target': 'value',
      profile: 'value', strict: 'switch', out: 'value',
    },
    ['--profile', '--out'],
  );
  o.units = Math.floor(a.num('units', 0, o.units));
  o.schools = Math.floor(a.num('schools', 1, o.schools));
  o.positionMs = a.num('position-ms', 100, o.positionMs);
  o.framesS = a.num('frames-s', 1, o.framesS);
  o.idleS = a.num('idle-s', 1, o.idleS);
  o.blankS = a.num('blank-s', 1, o.blankS);
  o.alarms = Math.floor(a.num('alarms', 1, o.alarms));
  o.alarmMs = a.num('alarm-ms', 0, o.alarmMs);
  o.burst = Math.floor(a.num('burst', 0, o.burst));
  o.floorMs = a.num('floor-ms', 0, o.floorMs);
  o.keepOpen = a.has('keep-open');
  o.frameTarget = a.num('frame-target', 1, o.frameTarget);
  o.pressTarget = a.num('press-target', 1, o.pressTarget);
  const profile = a.file('profile', path.join(ROOT, 'bench-results'));
  if (profile !== undefined) o.profile = profile;
  o.strict = a.has('strict');
  o.out = a.file('out', o.out) ?? o.out;
  return o;
}

const progress = (what: string): void => void process.stderr.write(`bench:map [${((performance.now() - T0) / 1000).toFixed(0).padStart(3)} s] ${what}\n`);
const T0 = performance.now();

const { onCleanup, cleanupAll } = cleanupRegistry('bench:map');

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
const WS_HOOK = { idPrefix: 'mb-', countEvents: true };

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
          scripts: (l.scripts ?? []).map((s) => ({ invoker: s.invoker, src: s.sourceURL, fn: s.sourceFunctionName, d: s.duration, forced: s.forcedStyleAndLayoutDuration })),
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
async function pageClock(page: Page): Promise<ClockCheck> {
  const c = await checkClock(page, 15);
  return { offsetMs: c.offsetMs, uncertaintyMs: c.uncertaintyMs };
}

// ---------------------------------------------------------------- CPU and main-thread accounting

type CpuTimes = Record<string, number>;

function makeCpuProbe(browserCdp: CDPSession, pids: Record<string, () => number | undefined>): () => Promise<CpuTimes> {
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
async function accounted<T>(page: Page, cpu: () => Promise<CpuTimes>, fn: () => Promise<T>): Promise<{ value: T; main: MainThread; cpuMs: CpuTimes; windowMs: number }> {
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

interface FrameRun {
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

async function measureFrames(page: Page, label: string, seconds: number, cpu: () => Promise<CpuTimes>, during?: () => Promise<void>): Promise<FrameRun> {
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
      topScripts: [...scripts.entries()].sort((a, b) => b[1].ms - a[1].ms).slice(0, 5).map(([what, e]) => ({ what: what.slice(0, 90), ms: e.ms, n: e.n })),
    },
    longTasks: { count: long.length, totalMs: long.reduce((a, b) => a + b, 0), maxMs: Math.max(0, ...long) },
    main: r.main,
    cpuMs: r.cpuMs,
    ws,
  };
}

// ---------------------------------------------------------------- alarms

interface PressRun {
  ids: string[];
  dom: number[];
  ack: number[];
  wsIn: number[];
  wsInToDom: number[];
  coreOut: number[];
}

let runCounter = 0;

/**
 * Presses `count` alarms `intervalMs` apart (0 = back to back) on an absolute schedule and waits until the page shows
 * all of them. `onAck` gets each station ack (to hand the incident to the second officer).
 */
async function press(page: Page, senders: Sender[], count: number, intervalMs: number, tag: string, spy?: Record<string, number>, onAck?: (incidentId: string) => void): Promise<PressRun> {
  const run = `${tag}${++runCounter}`;
  progress(`${count} alarms ${intervalMs > 0 ? `${intervalMs} ms apart` : 'back to back'} → ${new URL(page.url()).port === '' ? page.url() : 'page'}`);
  const ids = Array.from({ length: count }, (_, i) => `mb-${run}-${String(i).padStart(4, '0')}`);
  const { emitAt, ackAt } = await pressAlarms(senders, ids, intervalMs, onAck);
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
async function startSecondOfficer(core: CoreProcess): Promise<{ seen: Record<string, number>; handle(incidentId: string): void; handled: () => { ok: number; failed: string[] } }> {
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
            if (check(`resolve ${incidentId}`, await socket.timeout(5000).emitWithAck('resolve', { incidentId, disposition: 'test', note: 'map bench' }))) ok++;
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

async function loginConsole(context: BrowserContext, core: CoreProcess): Promise<Page> {
  const { page, errors } = await submitConsoleLogin(context, core.url, operator(core, 'officer'));
  try {
    // Only stable markers: the queue, the map's section and Leaflet's container, the link state.
    for (const sel of ['section.queue', '[data-testid="map"]', '.leaflet-container', '[data-testid="link-state"].online']) await page.waitForSelector(sel, { timeout: 20_000 });
  } catch (e) {
    throw new Error(`the console did not come up after login: ${(e as Error).message}${errors.length ? `\npage errors: ${errors.join('; ')}` : ''}`);
  }
  await page.waitForLoadState('networkidle');
  return page;
}

// ---------------------------------------------------------------- the county

function countyOutline(): AreaGeometry {
  const fc = JSON.parse(fs.readFileSync(path.join(ROOT, 'assets', 'map', 'chengde-counties.geojson'), 'utf8')) as {
    features: { properties: { adcode: string }; geometry: AreaGeometry }[];
  };
  const f = fc.features.find((x) => String(x.properties.adcode) === LONGHUA_ADCODE);
  if (!f) throw new Error('the county outline is missing from assets/map/chengde-counties.geojson');
  return f.geometry;
}

function unitHomes(dataDir: string): Map<string, LatLng> {
  const reg = JSON.parse(fs.readFileSync(path.join(dataDir, 'demo-registry.json'), 'utf8')) as { units: { id: string; lat: number; lng: number }[] };
  return new Map(reg.units.map((u) => [u.id, { lat: u.lat, lng: u.lng }]));
}

// ---------------------------------------------------------------- the profile (--profile)

interface CpuProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: CpuProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

/** A minimal source-map reader (VLQ mappings → source, line, name), enough to name the console's minified frames. */
function loadSourceMap(file: string): ((line: number, col: number) => { source: string; line: number; name?: string } | undefined) | undefined {
  let map: { sources: string[]; names: string[]; mappings: string };
  try {
    map = JSON.parse(fs.readFileSync(file, 'utf8')) as typeof map;
  } catch {
    return undefined;
  }
  const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  const lines: number[][][] = [];
  let src = 0;
  let oLine = 0;
  let name = 0;
  for (const l of map.mappings.split(';')) {
    const segs: number[][] = [];
    let col = 0;
    for (const s of l.split(',')) {
      if (!s) continue;
      const v: number[] = [];
      let shift = 0;
      let acc = 0;
      for (const ch of s) {
        const d = B64.indexOf(ch);
        acc += (d & 31) << shift;
        if (d & 32) shift += 5;
        else {
          v.push(acc & 1 ? -(acc >>> 1) : acc >>> 1);
          acc = 0;
          shift = 0;
        }
      }
      col += v[0]!;
      if (v.length >= 4) {
        src += v[1]!;
        oLine += v[2]!;
        if (v.length >= 5) name += v[4]!;
        segs.push([col, src, oLine, v.length >= 5 ? name : -1]);
      }
    }
    lines.push(segs);
  }
  return (line, col) => {
    const segs = lines[line];
    if (!segs || segs.length === 0) return undefined;
    let lo = 0;
    let hi = segs.length - 1;
    let best = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (segs[mid]![0]! <= col) {
        best = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    if (best < 0) return undefined;
    const s = segs[best]!;
    return { source: map.sources[s[1]!] ?? '?', line: s[2]! + 1, ...(s[3]! >= 0 ? { name: map.names[s[3]!] } : {}) };
  };
}

/** Where a source file belongs: a package, the renderer, shared/. */
function areaOf(source: string): string {
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(source);
  if (nm) return nm[1]!;
  const m = /(renderer\/(?:components\/)?[^/]+|shared\/[^/]+)$/.exec(source.replace(/\\/g, '/'));
  return m ? m[1]! : source;
}

interface ProfileSummary {
  totalMs: number;
  byArea: { area: string; ms: number; pct: number }[];
  top: { fn: string; where: string; ms: number; pct: number }[];
}

function summarizeProfile(profile: CpuProfile, resolve: ReturnType<typeof loadSourceMap>): ProfileSummary {
  const self = new Map<number, number>();
  for (let i = 0; i < profile.samples.length; i++) {
    const dt = (profile.timeDeltas[i + 1] ?? 0) / 1000;
    self.set(profile.samples[i]!, (self.get(profile.samples[i]!) ?? 0) + dt);
  }
  const byNode = new Map(profile.nodes.map((n) => [n.id, n]));
  const fns = new Map<string, { fn: string; where: string; ms: number }>();
  const areas = new Map<string, number>();
  let total = 0;
  for (const [id, ms] of self) {
    const n = byNode.get(id);
    if (!n) continue;
    total += ms;
    const cf = n.callFrame;
    let fn = cf.functionName || '(anonymous)';
    let where = cf.url ? `${cf.url.split('/').pop()}:${cf.lineNumber + 1}:${cf.columnNumber + 1}` : '';
    let area = cf.url ? 'other scripts' : fn; // (program), (garbage collector), (idle), (root) …
    if (cf.url && /\/assets\/[^/]+\.js/.test(cf.url) && resolve) {
      const pos = resolve(cf.lineNumber, cf.columnNumber);
      if (pos) {
        if (pos.name) fn = `${pos.name} (${fn})`;
        where = `${pos.source.replace(/^(\.\.\/)+/, '')}:${pos.line}`;
        area = areaOf(pos.source);
      } else area = 'console bundle (unmapped)';
    } else if (cf.url) area = cf.url.startsWith('http') ? 'console (other)' : 'other scripts';
    if (!cf.url && fn === '(program)') area = '(program: native work — style, layout, paint, parsing, GC outside JS)';
    const key = `${fn}@${where}`;
    const e = fns.get(key) ?? { fn, where, ms: 0 };
    e.ms += ms;
    fns.set(key, e);
    areas.set(area, (areas.get(area) ?? 0) + ms);
  }
  const pct = (ms: number): number => (100 * ms) / Math.max(1, total);
  return {
    totalMs: total,
    byArea: [...areas.entries()].sort((a, b) => b[1] - a[1]).slice(0, 12).map(([area, ms]) => ({ area, ms, pct: pct(ms) })),
    top: [...fns.values()].filter((f) => f.fn !== '(idle)').sort((a, b) => b.ms - a.ms).slice(0, 20).map((f) => ({ ...f, pct: pct(f.ms) })),
  };
}

interface TraceEvent {
  name: string;
  ph: string;
  ts: number;
  dur?: number;
  pid: number;
  tid: number;
  args?: { name?: string; data?: { frame?: string } };
}

interface TraceSummary {
  windowMs: number;
  /** Busy time per thread (top-level tasks), for the renderer's threads and the browser/GPU threads. */
  threads: { thread: string; busyMs: number; pct: number }[];
  /** Self time by event on the console's main thread. */
  mainSelf: { event: string; ms: number; pct: number }[];
}

function summarizeTrace(events: TraceEvent[]): TraceSummary {
  const names = new Map<string, string>();
  for (const e of events) if (e.ph === 'M' && e.name === 'thread_name') names.set(`${e.pid}:${e.tid}`, e.args?.name ?? '?');
  const complete = events.filter((e) => e.ph === 'X' && typeof e.dur === 'number');
  const ts = complete.map((e) => e.ts);
  const windowMs = ts.length ? (Math.max(...complete.map((e) => e.ts + e.dur!)) - Math.min(...ts)) / 1000 : 0;
  const byThread = new Map<string, TraceEvent[]>();
  for (const e of complete) {
    const k = `${e.pid}:${e.tid}`;
    let l = byThread.get(k);
    if (!l) byThread.set(k, (l = []));
    l.push(e);
  }
  const busy: { key: string; thread: string; busyMs: number }[] = [];
  for (const [k, l] of byThread) {
    l.sort((a, b) => a.ts - b.ts || b.dur! - a.dur!);
    let end = -Infinity;
    let total = 0;
    for (const e of l) {
      if (e.ts >= end) {
        total += e.dur!;
        end = e.ts + e.dur!;
      } else if (e.ts + e.dur! > end) {
        total += e.ts + e.dur! - end;
        end = e.ts + e.dur!;
      }
    }
    busy.push({ key: k, thread: `${names.get(k) ?? k} (pid ${k.split(':')[0]})`, busyMs: total / 1000 });
  }
  busy.sort((a, b) => b.busyMs - a.busyMs);
  // The console's main thread: the busiest CrRendererMain.
  const main = busy.find((b) => b.thread.startsWith('CrRendererMain'));
  const selfBy = new Map<string, number>();
  if (main) {
    const l = byThread.get(main.key)!;
    const stack: { e: TraceEvent; child: number }[] = [];
    const pop = (): void => {
      const s = stack.pop()!;
      selfBy.set(s.e.name, (selfBy.get(s.e.name) ?? 0) + Math.max(0, s.e.dur! - s.child));
    };
    for (const e of l) {
      while (stack.length && e.ts >= stack[stack.length - 1]!.e.ts + stack[stack.length - 1]!.e.dur!) pop();
      if (stack.length) stack[stack.length - 1]!.child += Math.min(e.dur!, stack[stack.length - 1]!.e.ts + stack[stack.length - 1]!.e.dur! - e.ts);
      stack.push({ e, child: 0 });
    }
    while (stack.length) pop();
  }
  const mainTotal = [...selfBy.values()].reduce((a, b) => a + b, 0);
  return {
    windowMs,
    threads: busy.slice(0, 10).map((b) => ({ thread: b.thread, busyMs: b.busyMs, pct: (100 * b.busyMs) / Math.max(1, windowMs) })),
    mainSelf: [...selfBy.entries()].sort((a, b) => b[1] - a[1]).slice(0, 15).map(([event, us]) => ({ event, ms: us / 1000, pct: (100 * us) / Math.max(1, mainTotal) })),
  };
}

const TRACE_CATEGORIES = ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'v8', 'v8.execute', 'blink', 'cc', 'gpu', 'viz', 'toplevel', 'benchmark'];

async function cpuProfile(page: Page, file: string, seconds: number): Promise<ProfileSummary> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 500 });
  await cdp.send('Profiler.start');
  await sleep(seconds * 1000);
  const { profile } = (await cdp.send('Profiler.stop')) as unknown as { profile: CpuProfile };
  await cdp.detach();
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(profile));
  const bundle = fs.readdirSync(path.join(ROOT, 'dist', 'renderer', 'assets')).find((f) => f.endsWith('.js.map'));
  const resolve = bundle ? loadSourceMap(path.join(ROOT, 'dist', 'renderer', 'assets', bundle)) : undefined;
  return summarizeProfile(profile, resolve);
}

async function traceBrowser(browser: Browser, page: Page, file: string, seconds: number): Promise<TraceSummary> {
  await browser.startTracing(page, { path: file, screenshots: false, categories: TRACE_CATEGORIES });
  await sleep(seconds * 1000);
  const buf = await browser.stopTracing();
  const parsed = JSON.parse(buf.toString('utf8')) as { traceEvents: TraceEvent[] } | TraceEvent[];
  return summarizeTrace(Array.isArray(parsed) ? parsed : parsed.traceEvents);
}

// ---------------------------------------------------------------- output

const f1 = (x: number): string => (Number.isFinite(x) ? x.toFixed(1) : '–');
function row(label: string, s: Stats | undefined, extra = ''): string {
  const f = (x: number): string => f1(x).padStart(7);
  return s ? `${label.padEnd(46)}${String(s.n).padStart(6)}${f(s.p50)}${f(s.p95)}${f(s.p99)}${f(s.max)}${extra}` : `${label.padEnd(46)}     –`;
}

// ---------------------------------------------------------------- main

async function main(): Promise<number> {
  const opts = parseArgs(process.argv.slice(2));
  const t0 = Date.now();
  const loadBefore = os.loadavg()[0]!;
  // Bounded: whatever happens, the bench stops by itself and takes its children with it.
  const plannedS = 60 + opts.blankS + opts.idleS + 2 * opts.framesS + (opts.alarms * opts.alarmMs) / 1000 + (opts.profile ? 20 : 0);
  const limitS = Math.round(plannedS + 120);
  startWatchdog('bench:map', limitS, cleanupAll);

  const demoUnits = Math.ceil((opts.units * 4) / 3); // a quarter are foot patrols without a device
  progress(`starting the core: ${opts.schools} schools, ${demoUnits} units (${opts.units} with a device)`);
  const tCore = performance.now();
  // The bench's terminals are only the few that press: the other ~1,000 never connect, and with the default 30 s
  // heartbeat they would all go offline 90 s in — a storm of device faults on the console in the middle of the
  // alarm phase, which is another scenario. A one-hour heartbeat keeps them "not yet due" for the whole run.
  const core = await startCoreProcess({
    extraArgs: ['--demo-schools', String(opts.schools), '--demo-units', String(demoUnits)],
    env: { STATION_HEARTBEAT_MS: String(3_600_000) },
  });
  const coreStartS = (performance.now() - tCore) / 1000;
  cleanupCore(core, onCleanup);
  const unitCreds = core.credentials.units.slice(0, opts.units);
  if (unitCreds.length < opts.units) throw new Error(`the demo county has ${unitCreds.length} units with a device; ${opts.units} are needed`);
  if (core.credentials.terminals.length < 4) throw new Error('the demo county has fewer than 4 terminals');
  progress(`core up in ${coreStartS.toFixed(1)} s at ${core.url}`);

  const floorUrl = (await startFloorProcess(fileURLToPath(import.meta.url), onCleanup)).url;

  const browser = await chromium.launch({ executablePath: findChromium(), args: CHROMIUM_ARGS, headless: true, handleSIGINT: false, handleSIGTERM: false, handleSIGHUP: false });
  onCleanup('chromium', () => browser.close());
  const pids: { fleet?: number } = {};
  const cpu = makeCpuProbe(await browser.newBrowserCDPSession(), { core: () => core.child.pid, fleet: () => pids.fleet });
  const viewport = { width: 1600, height: 900 };

  // ---- floor 1: a blank page's frames, in the same browser
  const blankContext = await browser.newContext({ viewport });
  const blank = await blankContext.newPage();
  await blank.setContent('<!doctype html><html><body style="background:#060b16"></body></html>');
  await sleep(500);
  const blankRun = await measureFrames(blank, 'blank page', opts.blankS, cpu);
  await blankContext.close();

  // ---- floor 2: bare socket.io relay → bare page (press → DOM), while nothing else runs
  const floorContext = await browser.newContext({ viewport });
  await floorContext.addInitScript(hookWebSocket, WS_HOOK);
  const floorPage = await floorContext.newPage();
  await floorPage.goto(floorUrl);
  await floorPage.waitForSelector('body[data-online="1"]', { state: 'attached', timeout: 10_000 });
  await floorPage.evaluate(installObserver, { frames: false });
  const floorSenders = [senderOf(await connectSocket(`${floorUrl}sender`, undefined, 'floor sender', onCleanup))];
  await press(floorPage, floorSenders, 5, 25, 'fw');
  const floorPaced = await press(floorPage, floorSenders, opts.alarms, opts.floorMs, 'fp');
  const floorBurst = opts.burst > 0 ? await press(floorPage, floorSenders, opts.burst, 0, 'fb') : undefined;
  await floorContext.close();

  // ---- the console, logged in as the officer
  progress('console: logging in');
  const consoleContext = await browser.newContext({ viewport });
  await consoleContext.addInitScript(hookWebSocket, WS_HOOK);
  onCleanup('console browser context', () => consoleContext.close());
  const page = await loginConsole(consoleContext, core);
  await page.evaluate(installObserver, { frames: false });
  const officer2 = await startSecondOfficer(core);
  const terminals = core.credentials.terminals.slice(0, 4);
  const senders: Sender[] = [];
  for (const t of terminals) senders.push(senderOf(await connectSocket(`${core.url}terminal`, { deviceId: t.deviceId, token: t.token }, `terminal ${t.deviceId}`, onCleanup)));
  await sleep(3000); // first paints, basemap, 1,000 school markers
  const clockBefore = await pageClock(page);

  // ---- floor 3: the same console and county, no unit moving
  const idleRun = await measureFrames(page, 'console, units not moving', opts.idleS, cpu);

  // ---- the fleet: 300 units, staggered over the interval
  const homes = unitHomes(core.dataDir);
  progress(`fleet: connecting ${opts.units} units`);
  const fleet = startFleet(fileURLToPath(import.meta.url), {
    url: core.url,
    units: unitCreds.map((u) => ({ unitId: u.unitId, token: u.token, home: homes.get(u.unitId) ?? { lat: 41.316, lng: 117.739 } })),
    outline: countyOutline(),
    intervalMs: opts.positionMs,
    seed: 20260526,
  });
  pids.fleet = fleet.child.pid;
  onCleanup('fleet', () => fleet.kill());
  const fleetConnectMs = await fleet.connected;
  progress(`fleet: ${opts.units} units connected in ${(fleetConnectMs / 1000).toFixed(1)} s; driving`);
  fleet.start();
  await sleep(Math.max(5000, 2 * opts.positionMs)); // every unit has reported twice: the map shows them all moving

  // ---- busy: the units move (the target)
  const busyRun = await measureFrames(page, 'console, units moving', opts.framesS, cpu);
  // Diagnostics (--profile) only after the measured busy phase: profiling and tracing slow the page down.
  let prof: { busy: ProfileSummary; trace: TraceSummary; alarms?: ProfileSummary; files: string[] } | undefined;
  if (opts.profile) {
    const files = ['map-busy.cpuprofile', 'map-busy-trace.json', 'map-alarms.cpuprofile'].map((f) => path.join(opts.profile!, f));
    progress('profile: CPU profile of the console while the units move, 8 s');
    const busy = await cpuProfile(page, files[0]!, 8);
    progress('profile: trace of the browser while the units move, 6 s');
    prof = { busy, trace: await traceBrowser(browser, page, files[1]!, 6), files };
  }

  // ---- alarms while the units move (frames recorded too)
  const coreOut: Record<string, number> = officer2.seen;
  const handle = opts.keepOpen ? undefined : (id: string): void => officer2.handle(id);
  await press(page, senders, 3, 500, 'sw', coreOut, handle); // warm-up: the first alarm's code paths, sound, flight
  await sleep(5000);
  let stationPaced: PressRun | undefined;
  const alarmFrames = await measureFrames(page, 'console, units moving + alarms', Math.max(1, (opts.alarms * opts.alarmMs) / 1000), cpu, async () => {
    const profiling = prof ? cpuProfile(page, prof.files[2]!, Math.min(15, (opts.alarms * opts.alarmMs) / 1000)) : undefined;
    stationPaced = await press(page, senders, opts.alarms, opts.alarmMs, 'sp', coreOut, handle);
    if (prof && profiling) prof.alarms = await profiling;
  });
  const stationBurst = opts.burst > 0 ? await press(page, senders, opts.burst, 0, 'sb', coreOut, handle) : undefined;
  const fleetReport: FleetReport = await fleet.stop();
  const clockAfter = await pageClock(page);
  await sleep(opts.keepOpen ? 0 : 4500); // the last alarms are handled
  const handled = officer2.handled();

  // ---- figures
  const sp = stationPaced!;
  const fs_ = { dom: stats(floorPaced.dom), ack: stats(floorPaced.ack) };
  const st = { dom: stats(sp.dom), ack: stats(sp.ack), coreOut: stats(sp.coreOut), wsIn: stats(sp.wsIn), wsInToDom: stats(sp.wsInToDom) };
  const framePass = busyRun.frames.p95 < opts.frameTarget;
  const pressPass = st.dom.p99 <= opts.pressTarget;
  const loadAfter = os.loadavg()[0]!;

  const L: string[] = [];
  L.push(
    `map bench: ${opts.schools} schools, ${opts.units} units reporting every ${opts.positionMs} ms (${demoUnits - opts.units} more on foot, no device); ` +
      `console 1600×900; chromium ${browser.version()} headless, node ${process.version}`,
  );
  L.push(`machine: ${os.cpus().length} CPUs, load average ${loadBefore.toFixed(1)} before, ${loadAfter.toFixed(1)} after; core started in ${coreStartS.toFixed(1)} s`);
  L.push(
    `fleet (own process): ${fleetReport.sent} positions in ${(fleetReport.elapsedMs / 1000).toFixed(1)} s = ${fleetReport.ratePerS.toFixed(1)}/s of ${fleetReport.wantedPerS.toFixed(1)}/s wanted; ` +
      `lateness p50 ${f1(fleetReport.lateness.p50)} p99 ${f1(fleetReport.lateness.p99)} max ${f1(fleetReport.lateness.max)} ms; per-unit gap p99 ${f1(fleetReport.gaps.p99)} ms; ` +
      `${fleetReport.skipped} skipped offline, ${fleetReport.disconnects} disconnects; mean ${fleetReport.meanSpeedKmh.toFixed(0)} km/h, ${(fleetReport.meanDistanceM / 1000).toFixed(1)} km each; fleet CPU ${((100 * fleetReport.cpuMs) / fleetReport.elapsedMs).toFixed(0)} %`,
  );
  const clockOk = Math.abs(clockBefore.offsetMs) - clockBefore.uncertaintyMs <= 1 && Math.abs(clockAfter.offsetMs) - clockAfter.uncertaintyMs <= 1;
  L.push(`clock page − node: ${clockBefore.offsetMs.toFixed(2)} ms before, ${clockAfter.offsetMs.toFixed(2)} ms after (± ${Math.max(clockBefore.uncertaintyMs, clockAfter.uncertaintyMs).toFixed(2)})${clockOk ? '' : ' — WARNING: more than 1 ms apart'}`);
  L.push('');
  L.push(`${'frame time (rAF delta), ms'.padEnd(46)}${'n'.padStart(6)}${'p50'.padStart(7)}${'p95'.padStart(7)}${'p99'.padStart(7)}${'max'.padStart(7)}${'>33'.padStart(6)}${'>50'.padStart(6)}  LoAF n/p95   main busy  renderer CPU`);
  const frameRow = (r: FrameRun): string =>
    row(`${r.label}`, r.frames, `${String(r.over33).padStart(6)}${String(r.over50).padStart(6)}  ${String(r.loaf.count).padStart(4)}/${f1(r.loaf.p95).padStart(5)}  ` +
      `${((100 * r.main.taskMs) / Math.max(1, r.main.windowMs)).toFixed(0).padStart(6)} %  ${((100 * (r.cpuMs.renderer ?? 0)) / Math.max(1, r.main.windowMs)).toFixed(0).padStart(8)} %`);
  for (const r of [blankRun, idleRun, busyRun, alarmFrames]) L.push(frameRow(r));
  const ratio = (a: number, b: number): string => `×${(a / b).toFixed(2)}`;
  L.push(
    `ratios p95: busy/blank ${ratio(busyRun.frames.p95, blankRun.frames.p95)}, busy/not-moving ${ratio(busyRun.frames.p95, idleRun.frames.p95)}; ` +
      `frames seen/expected at 60 Hz: blank ${blankRun.frames.n}/${blankRun.expected}, busy ${busyRun.frames.n}/${busyRun.expected}`,
  );
  const pct = (r: FrameRun, k: string): string => `${((100 * (r.cpuMs[k] ?? 0)) / Math.max(1, r.main.windowMs)).toFixed(0)}%`;
  for (const r of [idleRun, busyRun, alarmFrames]) {
    const m = r.main;
    L.push(
      `  ${r.label}: main thread script ${((100 * m.scriptMs) / m.windowMs).toFixed(0)}%, layout ${((100 * m.layoutMs) / m.windowMs).toFixed(0)}% (${m.layouts}), style ${((100 * m.styleMs) / m.windowMs).toFixed(0)}% (${m.styleRecalcs}); ` +
        `CPU renderer ${pct(r, 'renderer')}, gpu+browser ${pct(r, 'gpuAndBrowser')}, core ${pct(r, 'core')}, fleet ${pct(r, 'fleet')}, bench ${pct(r, 'bench')}; ` +
        `ws in: ${Object.entries(r.ws).sort((a, b) => b[1][1] - a[1][1]).slice(0, 3).map(([k, [n, b]]) => `${k} ${n}× ${(b / 1024 / (m.windowMs / 1000)).toFixed(0)} KB/s`).join(', ') || 'none'}`,
    );
    if (r.loaf.topScripts.length > 0) L.push(`    LoAF scripts: ${r.loaf.topScripts.slice(0, 3).map((s) => `${s.what} ${s.ms.toFixed(0)} ms/${s.n}`).join('; ')}`);
  }
  L.push('');
  L.push(`${'press → DOM, ms'.padEnd(46)}${'n'.padStart(6)}${'p50'.padStart(7)}${'p95'.padStart(7)}${'p99'.padStart(7)}${'max'.padStart(7)}`);
  L.push(row(`floor    emit → bare page DOM (${opts.floorMs} ms apart)`, fs_.dom));
  L.push(row(`station  press → console DOM (${opts.alarmMs} ms apart)`, st.dom));
  L.push(row('station  press → terminal ack', st.ack));
  L.push(row('  (station  press → record out of the core)', st.coreOut));
  L.push(row('  (station  press → message in console JS)', st.wsIn));
  L.push(row('  (station  message in console JS → DOM)', st.wsInToDom));
  if (floorBurst && stationBurst) {
    L.push(`burst: ${opts.burst} alarms back to back (informational)`);
    L.push(row('floor    emit → bare page DOM', stats(floorBurst.dom)));
    L.push(row('station  press → console DOM', stats(stationBurst.dom)));
  }
  L.push(`ratio station/floor press → DOM: p50 ${ratio(st.dom.p50, fs_.dom.p50)}, p99 ${ratio(st.dom.p99, fs_.dom.p99)}` + (st.dom.n < 100 ? ` (p99 of ${st.dom.n} alarms is the ${Math.ceil(0.99 * st.dom.n)}th smallest: with fewer than 100 it is the max)` : ''));
  if (!opts.keepOpen) L.push(`alarms handled by the second officer (acknowledged, resolved ~3 s after the press): ${handled.ok}${handled.failed.length ? `; failures ${handled.failed.length}: ${handled.failed.slice(0, 3).join('; ')}` : ''}`);
  if (prof) {
    const profLines = (title: string, p: ProfileSummary): void => {
      L.push('');
      L.push(`${title} (${(p.totalMs / 1000).toFixed(1)} s of samples): self time by area`);
      for (const a of p.byArea) L.push(`  ${a.pct.toFixed(1).padStart(5)} %  ${a.ms.toFixed(0).padStart(6)} ms  ${a.area}`);
      L.push('top self-time functions (idle left out):');
      for (const t of p.top.slice(0, 15)) L.push(`  ${t.pct.toFixed(1).padStart(5)} %  ${t.ms.toFixed(0).padStart(6)} ms  ${t.fn.slice(0, 60)}  ${t.where}`);
    };
    profLines('CPU profile of the console while the units move', prof.busy);
    L.push(`trace while the units move (${(prof.trace.windowMs / 1000).toFixed(1)} s): busiest threads`);
    for (const t of prof.trace.threads) L.push(`  ${t.pct.toFixed(1).padStart(5)} %  ${t.busyMs.toFixed(0).padStart(6)} ms  ${t.thread}`);
    L.push('console main thread, self time by trace event:');
    for (const t of prof.trace.mainSelf) L.push(`  ${t.pct.toFixed(1).padStart(5)} %  ${t.ms.toFixed(0).padStart(6)} ms  ${t.event}`);
    if (prof.alarms) profLines('CPU profile of the console in the first seconds of the alarms (the figures above were taken with it running)', prof.alarms);
    L.push(`files: ${prof.files.map((f) => path.relative(process.cwd(), f)).join(', ')}`);
  }
  L.push('');
  L.push(`target frame p95 < ${opts.frameTarget} ms with ${opts.units} units moving: ${framePass ? 'PASS' : 'FAIL'} (p95 ${f1(busyRun.frames.p95)} ms; blank page ${f1(blankRun.frames.p95)}, not moving ${f1(idleRun.frames.p95)})`);
  L.push(`target press → console DOM p99 ≤ ${opts.pressTarget} ms with the units moving: ${pressPass ? 'PASS' : 'FAIL'} (p99 ${f1(st.dom.p99)} ms over ${st.dom.n} alarms; floor ${f1(fs_.dom.p99)})`);
  console.log(L.join('\n'));

  const frameJson = (r: FrameRun): object => ({ ...r });
  const result = {
    at: new Date().toISOString(),
    options: { ...opts, out: undefined },
    environment: { node: process.version, chromium: browser.version(), platform: `${process.platform} ${process.arch}` },
    machine: { cpus: os.cpus().length, loadBefore, loadAfter },
    coreStartS,
    fleet: { ...fleetReport, connectMs: fleetConnectMs },
    clock: { before: clockBefore, after: clockAfter },
    frames: { blank: frameJson(blankRun), notMoving: frameJson(idleRun), moving: frameJson(busyRun), movingWithAlarms: frameJson(alarmFrames) },
    press: {
      floor: { emitToDom: fs_.dom, emitToAck: fs_.ack, burst: floorBurst ? stats(floorBurst.dom) : undefined },
      station: { pressToConsoleDom: st.dom, pressToAck: st.ack, pressToCoreBroadcast: st.coreOut, pressToConsoleMessage: st.wsIn, messageToDom: st.wsInToDom, burst: stationBurst ? stats(stationBurst.dom) : undefined },
      handled,
    },
    profile: prof,
    target: { framePass, pressPass, frameP95Ms: opts.frameTarget, pressP99Ms: opts.pressTarget },
    samples: { frameDeltasMoving: undefined, pressToDom: sp.dom.map(round2), floorToDom: floorPaced.dom.map(round2) },
    durationS: (Date.now() - t0) / 1000,
  };
  fs.mkdirSync(path.dirname(opts.out), { recursive: true });
  fs.writeFileSync(opts.out, JSON.stringify(result, null, 2) + '\n');
  console.log(`results: ${path.relative(process.cwd(), opts.out) || opts.out} (${result.durationS.toFixed(1)} s)`);
  return opts.strict && !(framePass && pressPass) ? 1 : 0;
}

if (process.argv[2] === '--floor-server') {
  await floorServerMain();
} else if (process.argv[2] === '--fleet') {
  await fleetChildMain();
} else {
  await runBench('bench:map', cleanupAll, main);
}

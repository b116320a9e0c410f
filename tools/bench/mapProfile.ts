// tools/bench (tool, Node) — `npm run bench:map -- --profile`: CPU profiles and a browser trace of the busy map,
// summarized by source area through the console bundle's source map.
import fs from 'node:fs';
import path from 'node:path';
import { type Browser, type Page } from 'playwright-core';
import { ROOT } from '../../test/support/core';
import { sleep } from './common';

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
export function loadSourceMap(file: string): ((line: number, col: number) => { source: string; line: number; name?: string } | undefined) | undefined {
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

export interface ProfileSummary {
  totalMs: number;
  byArea: { area: string; ms: number; pct: number }[];
  top: { fn: string; where: string; ms: number; pct: number }[];
}

export function summarizeProfile(profile: CpuProfile, resolve: ReturnType<typeof loadSourceMap>): ProfileSummary {
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
    byArea: [...areas.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 12)
      .map(([area, ms]) => ({ area, ms, pct: pct(ms) })),
    top: [...fns.values()]
      .filter((f) => f.fn !== '(idle)')
      .sort((a, b) => b.ms - a.ms)
      .slice(0, 20)
      .map((f) => ({ ...f, pct: pct(f.ms) })),
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

export interface TraceSummary {
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
    mainSelf: [...selfBy.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 15)
      .map(([event, us]) => ({ event, ms: us / 1000, pct: (100 * us) / Math.max(1, mainTotal) })),
  };
}

const TRACE_CATEGORIES = [
  'devtools.timeline',
  'disabled-by-default-devtools.timeline',
  'v8',
  'v8.execute',
  'blink',
  'cc',
  'gpu',
  'viz',
  'toplevel',
  'benchmark',
];

export async function cpuProfile(page: Page, file: string, seconds: number): Promise<ProfileSummary> {
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

export async function traceBrowser(browser: Browser, page: Page, file: string, seconds: number): Promise<TraceSummary> {
  await browser.startTracing(page, { path: file, screenshots: false, categories: TRACE_CATEGORIES });
  await sleep(seconds * 1000);
  const buf = await browser.stopTracing();
  const parsed = JSON.parse(buf.toString('utf8')) as { traceEvents: TraceEvent[] } | TraceEvent[];
  return summarizeTrace(Array.isArray(parsed) ? parsed : parsed.traceEvents);
}

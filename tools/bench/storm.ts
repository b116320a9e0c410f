// tools/bench (tool, Node) — the storm of `npm run bench` (issue 11): 1,000 alarms in 10 s from 300 terminals on
// a console that already holds a busy queue. What the officer sees meanwhile: the console's frames (an
// animation-frame loop in the page), each alarm's time from its ack to its card, and the JS heap after the storm.
import type { Page } from 'playwright-core';
import type { AlarmKind } from '../../shared/protocol';
import { pressAlarms, round2, type Sender, sleep, stats, type Stats } from './common';
import type { AlarmWindow } from './page';

/** Each storm terminal presses a different kind each time, so every press opens an incident (not a repeat). */
const STORM_KINDS: readonly AlarmKind[] = ['panic', 'intrusion', 'violence', 'fire', 'medical', 'other'];

export interface StormResult {
  alarms: number;
  terminals: number;
  seconds: number;
  /** Frame intervals on the console while the storm lasted (first press to last card), ms. */
  frames: Stats;
  /** Each alarm's terminal ack → its card in the console DOM, ms. */
  ackToDom: Stats;
  pressToDom: Stats;
  lastAckToDomMs: number;
  /** Used JS heap after a full GC: before the storm, just after it, and 10 s later (MiB). */
  heapMiB: { before: number; after: number; later: number };
  rendererCpuMsPerAlarm?: number;
  targets: { framesOk: boolean; lastOk: boolean; heapOk: boolean };
}

/** In the page: records every animation frame's time while window.__stormFrames is an array. */
function startFrames(): void {
  const w = window as unknown as { __stormFrames?: number[] };
  w.__stormFrames = [];
  const tick = (t: number): void => {
    if (!w.__stormFrames) return;
    w.__stormFrames.push(performance.timeOrigin + t);
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
}

async function heapMiB(page: Page): Promise<number> {
  const cdp = await page.context().newCDPSession(page);
  try {
    await cdp.send('HeapProfiler.collectGarbage');
    const h = (await cdp.send('Runtime.getHeapUsage')) as { usedSize: number };
    return h.usedSize / 2 ** 20;
  } finally {
    await cdp.detach();
  }
}

/** The storm: `count` alarms over `seconds`, round-robin over `senders`; waits (at most timeoutMs) for every card. */
export async function stormRun(
  page: Page,
  senders: Sender[],
  count: number,
  seconds: number,
  timeoutMs: number,
  rendererCpuMs: () => Promise<number>,
): Promise<StormResult> {
  const ids = Array.from({ length: count }, (_, i) => `bench-storm-${String(i).padStart(5, '0')}`);
  const before = await heapMiB(page);
  await page.evaluate(startFrames);
  const cpu0 = await rendererCpuMs();
  const { emitAt, ackAt } = await pressAlarms(
    senders,
    ids,
    (seconds * 1000) / count,
    undefined,
    (i) => STORM_KINDS[Math.floor(i / senders.length) % STORM_KINDS.length]!,
  );
  await page.waitForFunction((want) => want.every((id) => id in (window as unknown as AlarmWindow).__seen), ids, { polling: 100, timeout: timeoutMs });
  const cpu1 = await rendererCpuMs();

  const { seen, frames } = await page.evaluate(() => {
    const w = window as unknown as AlarmWindow & { __stormFrames?: number[] };
    const f = w.__stormFrames ?? [];
    w.__stormFrames = undefined;
    return { seen: { ...w.__seen }, frames: f };
  });
  const from = emitAt.get(ids[0]!)!;
  const to = Math.max(...ids.map((id) => seen[id]!));
  const inStorm = frames.filter((t) => t >= from && t <= to);
  const intervals = inStorm.slice(1).map((t, i) => t - inStorm[i]!);
  const last = ids[ids.length - 1]!;
  const after = await heapMiB(page);
  await sleep(10_000);
  const later = await heapMiB(page);
  const frameStats = stats(intervals);
  const lastAckToDomMs = seen[last]! - ackAt.get(last)!;
  return {
    alarms: count,
    terminals: senders.length,
    seconds,
    frames: frameStats,
    ackToDom: stats(ids.map((id) => seen[id]! - ackAt.get(id)!)),
    pressToDom: stats(ids.map((id) => seen[id]! - emitAt.get(id)!)),
    lastAckToDomMs,
    heapMiB: { before: round2(before), after: round2(after), later: round2(later) },
    rendererCpuMsPerAlarm: (cpu1 - cpu0) / count,
    // Flat: 10 s after the storm the heap has not grown by more than 5 % (or 1 MiB) over what the storm left.
    targets: { framesOk: frameStats.p95 <= 50, lastOk: lastAckToDomMs <= 1000, heapOk: later - after <= Math.max(1, after * 0.05) },
  };
}

/** The storm's report lines. */
export function stormLines(r: StormResult, row: (label: string, s: Stats) => string): string[] {
  const pf = (ok: boolean): string => (ok ? 'PASS' : 'FAIL');
  return [
    `storm: ${r.alarms} alarms in ${r.seconds} s from ${r.terminals} terminals, onto the busy queue; console renderer ${r.rendererCpuMsPerAlarm?.toFixed(2) ?? '–'} ms CPU per alarm`,
    row('  console frame interval during the storm', r.frames),
    row('  terminal ack → console DOM', r.ackToDom),
    row('  press → console DOM', r.pressToDom),
    `  JS heap after a full GC: ${r.heapMiB.before} MiB before, ${r.heapMiB.after} MiB just after, ${r.heapMiB.later} MiB 10 s later`,
    `target storm frame p95 ≤ 50 ms: ${pf(r.targets.framesOk)} (p95 ${r.frames.p95.toFixed(1)} ms, max ${r.frames.max.toFixed(1)} ms over ${r.frames.n + 1} frames)`,
    `target storm last alarm shown ≤ 1 s after its ack: ${pf(r.targets.lastOk)} (${r.lastAckToDomMs.toFixed(0)} ms)`,
    `target storm JS heap flat after the storm (≤ 5 % or 1 MiB growth in 10 s): ${pf(r.targets.heapOk)} (${r.heapMiB.after} → ${r.heapMiB.later} MiB)`,
  ];
}

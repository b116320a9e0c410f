// renderer/ — the numbers of the statistics' charts, pure: a report's groups as bars (every hour, weekday, week or
// month of the period, an empty one at 0), and the axes' scale. The bars take the very figures of the tables
// (group.total, the acknowledge interval's share within target: statsRows.ts), so a chart equals its table.
import { zonedParts } from '../../../shared/duty';
import type { GroupBy } from '../../../shared/responseStats';
import { hourKey, isoWeekKey, monthKey, weekdayKey } from '../../../shared/statsTime';
import type { GroupFigures, StatsAnswerReport } from '../../../shared/statsWire';

/** The groupings drawn as charts: the trend (by week, or by month over a longer period) and the two distributions. */
export type ChartBy = Extract<GroupBy, 'hour' | 'weekday' | 'week' | 'month'>;

/** Over this many days a trend is drawn by month, not by week (a quarter by week is 13 bars, a year 53). */
export const TREND_BY_MONTH_DAYS = 92;

/** The trend's grouping for a period [from, to). */
export const trendBy = (from: number, to: number): ChartBy => ((to - from) / 86_400_000 > TREND_BY_MONTH_DAYS ? 'month' : 'week');

const DAY_MS = 86_400_000;

/**
 * Every key of a time grouping in the period [from, to) on the station's wall clock, in order: "00".."23", "1".."7",
 * or each ISO week / month the period touches (walked a day at a time: at most 400).
 */
export function bucketKeys(by: ChartBy, from: number, to: number, timeZone: string): string[] {
  if (by === 'hour') return Array.from({ length: 24 }, (_, h) => hourKey({ hour: h }));
  if (by === 'weekday') return Array.from({ length: 7 }, (_, d) => weekdayKey({ weekday: d + 1 }));
  const keys: string[] = [];
  // Noon of each day: never on the wrong side of a midnight where the clocks change.
  for (let at = from + DAY_MS / 2; at < to; at += DAY_MS) {
    const p = zonedParts(at, timeZone);
    const key = by === 'week' ? isoWeekKey(p) : monthKey(p);
    if (keys[keys.length - 1] !== key) keys.push(key);
  }
  const last = zonedParts(to - 1, timeZone);
  const lastKey = by === 'week' ? isoWeekKey(last) : monthKey(last);
  if (keys[keys.length - 1] !== lastKey) keys.push(lastKey);
  return keys;
}

/** The Monday of an ISO week "YYYY-Www" as "M/D" (a chief knows dates, not week numbers), or undefined for no such key. */
export function weekMonday(key: string): string | undefined {
  const m = /^(\d{4})-W(\d{2})$/.exec(key);
  if (!m) return undefined;
  const jan4 = Date.UTC(Number(m[1]), 0, 4);
  const isoDay = new Date(jan4).getUTCDay() || 7;
  const monday = new Date(jan4 - (isoDay - 1) * DAY_MS + (Number(m[2]) - 1) * 7 * DAY_MS);
  return `${monday.getUTCMonth() + 1}/${monday.getUTCDate()}`;
}

/** One bar: a group's key, its incidents (the bar's height) and its share acknowledged within target (the dot). */
export interface ChartBar {
  key: string;
  /** The group's figures, undefined for a bucket without incidents. */
  group: GroupFigures | undefined;
  count: number;
  /** received → acknowledged within target, %, undefined when nothing was acknowledged. */
  share: number | undefined;
}

/** The bars of a report grouped by a time grouping: one per bucket of the period, in time order, 0 where none. */
export function chartBars(report: StatsAnswerReport, timeZone: string): ChartBar[] {
  const by = report.groupBy as ChartBy;
  const byKey = new Map(report.groups.map((g) => [g.key, g]));
  const keys = bucketKeys(by, report.filter.from, report.filter.to, timeZone);
  // A key the core counted that the calendar walk did not produce (never expected) is still drawn, not dropped.
  for (const g of report.groups) if (!keys.includes(g.key)) keys.push(g.key);
  if (by === 'week' || by === 'month') keys.sort();
  return keys.map((key) => {
    const group = byKey.get(key);
    return { key, group, count: group?.total ?? 0, share: group?.intervals.acknowledged.withinTarget?.percent };
  });
}

/** A count axis: its top (a round number ≥ the largest count) and its ticks from 0, 1-2-5 steps, at most `maxTicks` + 1. */
export function countScale(maxCount: number, maxTicks = 5): { top: number; ticks: number[] } {
  const m = Math.max(1, Math.ceil(maxCount));
  let step = 1;
  for (let p = 1; ; p *= 10) {
    const s = [1, 2, 5].map((k) => k * p).find((k) => Math.ceil(m / k) <= maxTicks);
    if (s !== undefined) {
      step = s;
      break;
    }
  }
  const top = Math.ceil(m / step) * step;
  return { top, ticks: Array.from({ length: top / step + 1 }, (_, i) => i * step) };
}

/** Which bars get a label under them: every n-th, so that labels `labelWidth` wide never overlap on `width`. */
export function labelEvery(bars: number, width: number, labelWidth: number): number {
  if (bars === 0) return 1;
  const fit = Math.max(1, Math.floor(width / labelWidth));
  return Math.max(1, Math.ceil(bars / fit));
}

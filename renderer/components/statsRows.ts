// renderer/ — the statistics tab's tables as rows of text: the same rows are drawn on screen and written to the CSV
// export, so a file equals the screen. Periods on the station's wall clock (its time zone, never the browser's).
import type { Sheet } from '../../shared/xlsx';
import { fromZoned, zonedParts } from '../../shared/duty';
import { reportCsv } from '../../shared/csv';
import { NO_GROUP, STAT_INTERVALS, type GroupBy, type StatInterval } from '../../shared/responseStats';
import type { GroupFigures, IntervalFigures, StatsAnswerReport } from '../../shared/statsWire';
import { MAX_STATS_PERIOD_MS } from '../../shared/statsWire';
import { format, type Catalogue } from '../i18n';

export type PeriodChoice = 'thisMonth' | 'lastMonth' | 'last7' | 'custom';
export interface Period {
  from: number;
  to: number;
}

const DAY_MS = 86_400_000;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Midnight of a station date "YYYY-MM-DD", or undefined when it is no date. */
export function dayStart(date: string, timeZone: string): number | undefined {
  const m = DATE.exec(date.trim());
  if (!m) return undefined;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const probe = new Date(Date.UTC(y, mo - 1, d));
  if (probe.getUTCFullYear() !== y || probe.getUTCMonth() !== mo - 1 || probe.getUTCDate() !== d) return undefined;
  return fromZoned(y, mo, d, 0, 0, timeZone);
}

/**
 * The period [from, to) of a choice at `now`, on the station's calendar: this month and last month from their first
 * day, the last 7 days up to the end of today, custom from the first date's start to the end of the second date.
 */
export function periodOf(choice: PeriodChoice, now: number, timeZone: string, custom: { from: string; to: string }): Period | undefined {
  const p = zonedParts(now, timeZone);
  const monthStart = (year: number, month: number): number =>
    month < 1 ? fromZoned(year - 1, 12, 1, 0, 0, timeZone) : month > 12 ? fromZoned(year + 1, 1, 1, 0, 0, timeZone) : fromZoned(year, month, 1, 0, 0, timeZone);
  const today = fromZoned(p.year, p.month, p.day, 0, 0, timeZone);
  switch (choice) {
    case 'thisMonth':
      return { from: monthStart(p.year, p.month), to: monthStart(p.year, p.month + 1) };
    case 'lastMonth':
      return { from: monthStart(p.year, p.month - 1), to: monthStart(p.year, p.month) };
    case 'last7':
      return { from: today - 6 * DAY_MS, to: nextDay(today, timeZone) };
    case 'custom': {
      const from = dayStart(custom.from, timeZone);
      const last = dayStart(custom.to, timeZone);
      if (from === undefined || last === undefined) return undefined;
      const to = nextDay(last, timeZone);
      return from < to && to - from <= MAX_STATS_PERIOD_MS ? { from, to } : undefined;
    }
  }
}

/** The next station midnight after a station midnight (a day is not always 24 h where clocks change). */
function nextDay(midnight: number, timeZone: string): number {
  const p = zonedParts(midnight + 36 * 3_600_000, timeZone);
  return fromZoned(p.year, p.month, p.day, 0, 0, timeZone);
}

/** A duration as read on the tables: seconds under a minute ("4.0 s", "12 s"), else minutes ("5:07"). */
export function statDuration(ms: number | undefined): string {
  if (ms === undefined) return '—';
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

/**
 * A share to a tenth, rounded down: 89.96 % is "89.9", never the "90.0" of a goal it missed (the float's noise,
 * 57.999…, is not rounded down with it).
 */
export const shareText = (percent: number): string => (Math.floor(percent * 10 + 1e-9) / 10).toFixed(1);
/** The share within target, "93.3 %", or "—" without a target or a measure. */
export const percentText = (f: IntervalFigures): string => (f.withinTarget?.percent === undefined ? '—' : `${shareText(f.withinTarget.percent)} %`);

/** Below this share within target a figure is shown red. */
export const WITHIN_TARGET_GOAL = 90;
export const belowGoal = (f: IntervalFigures): boolean => f.withinTarget?.percent !== undefined && f.withinTarget.percent < WITHIN_TARGET_GOAL;

export interface Names {
  school(id: string): string;
  unit(id: string): string;
  /** A school's station, by school id, on a console that sees several stations (the county view): a column of its own. */
  station?: ((schoolId: string) => string) | undefined;
  /** A station's name, by station id ('' the default station): the grouping by station. */
  stationName?: ((stationId: string) => string) | undefined;
}

/** A group's key as a person reads it. */
export function groupLabel(key: string, groupBy: GroupBy, c: Catalogue, names: Names): string {
  // A station's key is its id; '' is the default station, not "none".
  if (groupBy === 'station') return names.stationName?.(key) ?? key;
  if (key === NO_GROUP) return c.statsNone;
  switch (groupBy) {
    case 'school':
      return names.station ? `${names.school(key)} · ${names.station(key)}` : names.school(key);
    case 'unit':
      return names.unit(key);
    case 'shift':
      return c.statsShifts[key] ?? key;
    case 'weekday':
      return c.statsWeekdays[Number(key) - 1] ?? key;
    case 'hour':
      return format(c.statsHour, { h: key });
    default:
      return key;
  }
}

/** The summary table: one row per interval. */
export function summaryRows(r: StatsAnswerReport, c: Catalogue): { head: string[]; rows: { interval: StatInterval; cells: string[] }[] } {
  return {
    // "Not reached" last: a share within target is of the incidents that reached the step, and the chief signing it
    // sees how many did not (a real alarm never dispatched is no sample of the dispatch time).
    head: [c.statsInterval, c.statsCount, 'p50', 'p90', 'p95', c.statsMax, c.statsWithin, c.statsOutside, c.statsNotReached],
    rows: STAT_INTERVALS.map((interval) => {
      const f = r.all.intervals[interval];
      return {
        interval,
        cells: [
          c.statsIntervals[interval],
          String(f.count),
          statDuration(f.p50),
          statDuration(f.p90),
          statDuration(f.p95),
          statDuration(f.max),
          percentText(f),
          f.withinTarget ? String(f.withinTarget.outside.total) : '—',
          String(f.missing),
        ],
      };
    }),
  };
}

/** One group's cell for an interval: "p90 · share within target". */
export const groupCell = (f: IntervalFigures): string => (f.count === 0 ? '—' : `${statDuration(f.p90)} · ${percentText(f)}`);

/** The per-group table: the group, its total and open count, then p90 · share for each interval. */
export function groupRows(r: StatsAnswerReport, c: Catalogue, names: Names): { head: string[]; rows: { group: GroupFigures; cells: string[] }[] } {
  return {
    head: [c.statsGroupBys[r.groupBy], c.statsTotal, c.statsOpen, ...STAT_INTERVALS.map((i) => c.statsIntervals[i])],
    rows: r.groups.map((g) => ({
      group: g,
      cells: [groupLabel(g.key, r.groupBy, c, names), String(g.total), String(g.open), ...STAT_INTERVALS.map((i) => groupCell(g.intervals[i]))],
    })),
  };
}

/**
 * The CSV of what is shown: the summary, then (when grouped) an empty line and the groups. UTF-8 with BOM (Excel
 * and WPS read Chinese), CRLF, every cell formula-guarded (shared/csv.ts).
 */
export function statsCsv(r: StatsAnswerReport, c: Catalogue, names: Names): string {
  const s = summaryRows(r, c);
  const records: string[][] = [s.head, ...s.rows.map((x) => x.cells)];
  if (r.groupBy !== 'none') {
    const g = groupRows(r, c, names);
    records.push([], g.head, ...g.rows.map((x) => x.cells));
  }
  return reportCsv(records);
}

/** A table's cell for a spreadsheet: a count as a number, everything else as the text on screen. */
export const sheetCell = (cell: string): string | number => (/^\d{1,15}$/.test(cell) ? Number(cell) : cell);

/** The XLSX of what is shown: a sheet per table (the summary, and the groups when grouped), the cells of the screen. */
export function statsSheets(r: StatsAnswerReport, c: Catalogue, names: Names): Sheet[] {
  const s = summaryRows(r, c);
  const sheets: Sheet[] = [{ name: c.statsSummarySheet, rows: [s.head, ...s.rows.map((x) => x.cells.map(sheetCell))] }];
  if (r.groupBy !== 'none') {
    const g = groupRows(r, c, names);
    sheets.push({ name: c.statsGroupBys[r.groupBy], rows: [g.head, ...g.rows.map((x) => x.cells.map(sheetCell))] });
  }
  return sheets;
}

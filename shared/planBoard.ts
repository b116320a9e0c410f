// shared/ — the three-year-plan board (issue 12; the county notice in ../shared/seed/): per school and in total,
// is the school networked (a registered, enabled terminal) and online now, when was its last test press, how many
// drills this semester (target ≥ 3), is it covered by a guard post at both peaks on school days (护学岗), and what
// share of its real alarms was acknowledged within target this semester (优先受理), and its joint inspections (≥ 2)
// with the hidden dangers still open. Pure: computed from the
// reference data, the devices' health and the semester's statistics by school (the `stats` command), so the board
// and the statistics can never disagree. Semesters are on the station's calendar.
import type { DeviceHealth } from './consoleApi';
import type { GuardPost, ReferenceData } from './model';
import type { GroupFigures, StatsAnswerReport } from './statsWire';
import { INSPECTIONS_PER_SEMESTER, type Inspection } from './inspections';

/** Drills per school per semester (the notice: at least three). */
export const DRILLS_PER_SEMESTER = 3;
/** Share of real alarms acknowledged within target below which a school is shown red. */
export const PRIORITY_GOAL_PERCENT = 90;

/** A semester as month-day bounds on the station's calendar, `to` inclusive; it may run into the next year. */
export interface SemesterRule {
  name: string;
  from: { month: number; day: number };
  to: { month: number; day: number };
}
/** The defaults of the issue: spring 1 Mar – 15 Jul, autumn 1 Sep – 15 Jan. */
export const DEFAULT_SEMESTERS: readonly SemesterRule[] = [
  { name: 'spring', from: { month: 3, day: 1 }, to: { month: 7, day: 15 } },
  { name: 'autumn', from: { month: 9, day: 1 }, to: { month: 1, day: 15 } },
];

export interface SemesterDates {
  name: string;
  /** First and last day, "YYYY-MM-DD". */
  from: string;
  to: string;
}

const ymd = (y: number, m: number, d: number): string => `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;

/**
 * The semester a station date ("YYYY-MM-DD") lies in, or, in a holiday, the one that ended last (a board in August
 * shows the spring semester just past).
 */
export function semesterOf(date: string, rules: readonly SemesterRule[] = DEFAULT_SEMESTERS): SemesterDates {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const candidates: SemesterDates[] = [];
  for (const year of [y - 1, y]) {
    for (const r of rules) {
      const wraps = r.to.month < r.from.month || (r.to.month === r.from.month && r.to.day < r.from.day);
      candidates.push({ name: r.name, from: ymd(year, r.from.month, r.from.day), to: ymd(wraps ? year + 1 : year, r.to.month, r.to.day) });
    }
  }
  const today = ymd(y, m, d);
  const within = candidates.find((c) => c.from <= today && today <= c.to);
  if (within) return within;
  return candidates.filter((c) => c.to < today).sort((a, b) => (a.to < b.to ? 1 : -1))[0]!;
}

/** Minutes after midnight of "HH:MM". */
const minutes = (hhmm: string): number => {
  const [h, m] = hhmm.split(':').map(Number) as [number, number];
  return h * 60 + m;
};

/**
 * A post covers a school's peaks when it is staffed on every school day (Monday to Friday) both in the morning
 * (a window starting before noon) and in the afternoon (one ending after noon).
 */
export function coversPeaks(post: GuardPost): boolean {
  const schoolDays = [1, 2, 3, 4, 5].every((d) => post.days.includes(d));
  const morning = post.windows.some((w) => minutes(w.start) < 12 * 60);
  const afternoon = post.windows.some((w) => minutes(w.end) > 12 * 60);
  return schoolDays && morning && afternoon;
}

export interface BoardRow {
  schoolId: string;
  /** An enabled terminal is registered for the school. */
  networked: boolean;
  terminals: number;
  /** Enabled terminals online now: connected, and not silent by the supervision's verdict. */
  online: number;
  lastTestPressAt?: number;
  testLate: boolean;
  drills: number;
  drillsShort: boolean;
  posts: number;
  peaksCovered: boolean;
  realAlarms: number;
  /** Share of real alarms acknowledged within the target in force at the time; undefined with none. */
  priorityPercent?: number;
  priorityShort: boolean;
  /** Joint inspections this semester (target ≥ 2), and their hidden dangers still open. */
  inspections: number;
  inspectionsShort: boolean;
  openFindings: number;
}

export interface Board {
  rows: BoardRow[];
  totals: {
    schools: number;
    networked: number;
    allOnline: number;
    testsOnTime: number;
    drillsMet: number;
    peaksCovered: number;
    priorityMet: number;
    inspectionsMet: number;
  };
}

/**
 * The board of a semester: `drills` and `real` are the statistics of the semester by school, drills and real
 * alarms; `testOverdue` the terminals with an open test_overdue fault (the station's own rule,
 * STATION_TEST_OVERDUE_DAYS): a school is late when one of its terminals is overdue or none was ever pressed.
 */
export function planBoard(
  reference: Pick<ReferenceData, 'schools' | 'guardPosts'>,
  health: readonly DeviceHealth[],
  drills: StatsAnswerReport | undefined,
  real: StatsAnswerReport | undefined,
  testOverdue: ReadonlySet<string>,
  inspections: readonly Inspection[] = [],
): Board {
  const bySchool = <T>(items: readonly T[], key: (x: T) => string): Map<string, T[]> => {
    const m = new Map<string, T[]>();
    for (const x of items) {
      const l = m.get(key(x));
      if (l) l.push(x);
      else m.set(key(x), [x]);
    }
    return m;
  };
  const devices = bySchool(
    health.filter((h) => !h.disabled),
    (h) => h.schoolId,
  );
  const posts = bySchool(reference.guardPosts, (p) => p.schoolId);
  const inspected = bySchool(inspections, (i) => i.schoolId);
  const group = (r: StatsAnswerReport | undefined): Map<string, GroupFigures> => new Map((r?.groups ?? []).map((g) => [g.key, g]));
  const drillGroups = group(drills);
  const realGroups = group(real);
  const rows = reference.schools.map((s): BoardRow => {
    const ds = devices.get(s.id) ?? [];
    const last = ds.reduce<number | undefined>(
      (m, d) => (d.lastTestPressAt !== undefined && (m === undefined || d.lastTestPressAt > m) ? d.lastTestPressAt : m),
      undefined,
    );
    const nDrills = drillGroups.get(s.id)?.total ?? 0;
    const realGroup = realGroups.get(s.id);
    const percent = realGroup?.intervals.acknowledged.withinTarget?.percent;
    const schoolPosts = posts.get(s.id) ?? [];
    return {
      schoolId: s.id,
      networked: ds.length > 0,
      terminals: ds.length,
      online: ds.filter((d) => d.online && d.connected).length,
      ...(last !== undefined ? { lastTestPressAt: last } : {}),
      testLate: last === undefined || ds.some((d) => testOverdue.has(d.deviceId)),
      drills: nDrills,
      drillsShort: nDrills < DRILLS_PER_SEMESTER,
      posts: schoolPosts.length,
      peaksCovered: schoolPosts.some(coversPeaks),
      realAlarms: realGroup?.total ?? 0,
      ...(percent !== undefined ? { priorityPercent: percent } : {}),
      priorityShort: percent !== undefined && percent < PRIORITY_GOAL_PERCENT,
      inspections: inspected.get(s.id)?.length ?? 0,
      inspectionsShort: (inspected.get(s.id)?.length ?? 0) < INSPECTIONS_PER_SEMESTER,
      openFindings: (inspected.get(s.id) ?? []).reduce((n, i) => n + i.findings.filter((f) => f.closedAt === undefined).length, 0),
    };
  });
  return {
    rows,
    totals: {
      schools: rows.length,
      networked: rows.filter((r) => r.networked).length,
      allOnline: rows.filter((r) => r.networked && r.online === r.terminals).length,
      testsOnTime: rows.filter((r) => !r.testLate).length,
      drillsMet: rows.filter((r) => !r.drillsShort).length,
      peaksCovered: rows.filter((r) => r.peaksCovered).length,
      priorityMet: rows.filter((r) => !r.priorityShort).length,
      inspectionsMet: rows.filter((r) => !r.inspectionsShort).length,
    },
  };
}

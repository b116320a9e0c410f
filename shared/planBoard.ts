// shared/ — the three-year-plan board (issue 12; the county notice in ../shared/seed/): per school and in total,
// is the school networked (a registered, enabled terminal) and online now, when was its last test press, how many
// drills this semester (target ≥ 3), is it covered by a guard post at both peaks on school days (护学岗), and what
// share of its real alarms was acknowledged within target this semester (优先受理), and its joint inspections (≥ 2)
// with the hidden dangers still open. Pure: computed from the
// reference data, the devices' health and the semester's statistics by school (the `stats` command), so the board
// and the statistics can never disagree. Semesters are on the station's calendar.
import type { DeviceHealth } from './consoleApi';
import { fromZoned, STATION_TIME_ZONE } from './duty';
import type { GuardPost, ReferenceData } from './model';
import type { GroupFigures, StatsAnswerReport } from './statsWire';
import { INSPECTIONS_PER_SEMESTER } from './inspections';
import type { Outage, PlanAnswer, PostShift } from './planRecords';

/** Drills per school per semester (the notice: at least three). */
export const DRILLS_PER_SEMESTER = 3;
/** Share of real alarms acknowledged within target below which a school is shown red. */
export const PRIORITY_GOAL_PERCENT = 90;
/** Share of the period its terminals were online below which a school is shown red (the notice's 达标率 95 %). */
export const ONLINE_GOAL_PERCENT = 95;
/** Share of its posts' scheduled peak windows actually staffed below which a school is shown red (日巡查率 90 %). */
export const STAFFED_GOAL_PERCENT = 90;
/** A scheduled window counts as staffed when the post was checked in for at least this share of it. */
export const STAFFED_SHARE = 0.5;

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

/**
 * STATION_SEMESTERS: `name=MM-DD..MM-DD` separated by `;` (e.g. `spring=03-01..07-15;autumn=09-01..01-15`), a
 * semester that ends in the next year allowed. The rules, or a message saying what is wrong.
 */
export function parseSemesters(text: string): { ok: true; rules: SemesterRule[] } | { ok: false; message: string } {
  const rules: SemesterRule[] = [];
  const md = (s: string): { month: number; day: number } | undefined => {
    const m = /^(\d{2})-(\d{2})$/.exec(s.trim());
    if (!m) return undefined;
    const month = Number(m[1]);
    const day = Number(m[2]);
    // Any year's calendar: 02-29 is allowed (a leap year's), 02-30 is not.
    return month >= 1 && month <= 12 && day >= 1 && day <= new Date(Date.UTC(2024, month, 0)).getUTCDate() ? { month, day } : undefined;
  };
  for (const part of text
    .split(';')
    .map((p) => p.trim())
    .filter((p) => p !== '')) {
    const m = /^([A-Za-z][\w-]{0,31})=([^.]+)\.\.([^.]+)$/.exec(part);
    const from = m ? md(m[2]!) : undefined;
    const to = m ? md(m[3]!) : undefined;
    if (!m || !from || !to) return { ok: false, message: `"${part}" is not name=MM-DD..MM-DD` };
    if (rules.some((r) => r.name === m[1])) return { ok: false, message: `semester "${m[1]}" is given twice` };
    rules.push({ name: m[1]!, from, to });
  }
  if (rules.length === 0) return { ok: false, message: 'no semester given' };
  return { ok: true, rules };
}

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
  /** Share of the period (so far) its enabled terminals were online, from their outages; undefined without terminals. */
  onlinePercent?: number;
  onlineShort: boolean;
  lastTestPressAt?: number;
  testLate: boolean;
  /**
   * Drills this semester: the days with a drill alarm and the days of drills the school held and the station
   * registered, each day once.
   */
  drills: number;
  /** Days with a drill alarm (what the incidents were, by the officers' dispositions). */
  alarmDrills: number;
  registeredDrills: number;
  drillsShort: boolean;
  /** Drill alarms pressed outside every announced window (演练未报备): flagged for the chief. */
  unannouncedDrills: number;
  posts: number;
  /** Planned: a post's schedule covers both peaks on every school day. */
  peaksCovered: boolean;
  /** Actual: the scheduled peak windows so far this semester, and those staffed (checked in for half of it or more). */
  peakWindows: number;
  peakStaffed: number;
  staffedPercent?: number;
  staffedShort: boolean;
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
  /** Each guard post's own coverage this semester (PeakCoverage), by post id. */
  postCoverage: ReadonlyMap<string, PeakCoverage>;
  totals: {
    schools: number;
    networked: number;
    allOnline: number;
    onlineMet: number;
    staffedMet: number;
    testsOnTime: number;
    drillsMet: number;
    peaksCovered: number;
    priorityMet: number;
    inspectionsMet: number;
  };
}

/** What the board is computed from, besides the reference data and the devices' health. */
export interface BoardInputs {
  /** The semester's statistics by school: drill alarms, and real alarms. */
  drill: StatsAnswerReport | undefined;
  real: StatsAnswerReport | undefined;
  /**
   * The terminals with an open test_overdue fault (the station's own rule, STATION_TEST_OVERDUE_DAYS): a school is
   * late when one of its terminals is overdue or none was ever pressed.
   */
  testOverdue: ReadonlySet<string>;
  /** The semester's plan records (the `plan` command): inspections, registered drills, post shifts, outages. */
  plan?: PlanAnswer;
  /** The semester and the time now, on the station's calendar: the span of the online rate and the peak windows. */
  period?: { from: string; to: string; now: number; timeZone?: string };
}

/** The board of a semester (pure: the same inputs give the same board on every console). */
export function planBoard(reference: Pick<ReferenceData, 'schools' | 'guardPosts'>, health: readonly DeviceHealth[], inputs: BoardInputs): Board {
  const { drill: drills, real, testOverdue, plan, period } = inputs;
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
  const inspected = bySchool(plan?.inspections ?? [], (i) => i.schoolId);
  const registered = bySchool(plan?.drills ?? [], (d) => d.schoolId);
  const unannounced = bySchool(plan?.unannounced ?? [], (d) => d.schoolId);
  const drillDaysOf = plan ? bySchool(plan.drillDays, (d) => d.schoolId) : new Map<string, PlanAnswer['drillDays']>();
  const group = (r: StatsAnswerReport | undefined): Map<string, GroupFigures> => new Map((r?.groups ?? []).map((g) => [g.key, g]));
  const drillGroups = group(drills);
  const realGroups = group(real);
  const zone = period?.timeZone ?? STATION_TIME_ZONE;
  const span = period ? semesterSpan(period.from, period.to, period.now, zone) : undefined;
  const covered = period ? peakCoverage(reference.guardPosts, plan?.shifts ?? [], period.from, period.to, period.now, zone) : undefined;
  const coverage = covered?.schools ?? new Map<string, PeakCoverage>();
  const outagesBy = bySchool(plan?.outages ?? [], (o) => o.deviceId);
  const rows = reference.schools.map((s): BoardRow => {
    const ds = devices.get(s.id) ?? [];
    const last = ds.reduce<number | undefined>(
      (m, d) => (d.lastTestPressAt !== undefined && (m === undefined || d.lastTestPressAt > m) ? d.lastTestPressAt : m),
      undefined,
    );
    // Drills are days: the days with a drill alarm and the days of registered drills, each day once (a drill that
    // pressed several terminals, and registered too, is one). Without the plan's days, the drill alarms' count.
    const days = plan ? (drillDaysOf.get(s.id) ?? []) : undefined;
    const alarmDrills = days?.length ?? drillGroups.get(s.id)?.total ?? 0;
    const registeredDrills = registered.get(s.id)?.length ?? 0;
    const nDrills = days ? new Set([...days.map((d) => d.date), ...(registered.get(s.id) ?? []).map((d) => d.date)]).size : alarmDrills + registeredDrills;
    const realGroup = realGroups.get(s.id);
    const percent = realGroup?.intervals.acknowledged.withinTarget?.percent;
    const schoolPosts = posts.get(s.id) ?? [];
    // A terminal the station has never heard from (registered, never connected) was not online at all.
    const heard = ds.filter((d) => d.connected || d.lastSeenAt !== undefined || d.since !== undefined).map((d) => d.deviceId);
    const heardRate = span && heard.length > 0 ? onlinePercent(heard, outagesBy, span.from, span.to) : undefined;
    const online = span && ds.length > 0 ? ((heardRate ?? 0) * heard.length) / ds.length : undefined;
    const cov = coverage.get(s.id);
    const staffed = cov && cov.windows > 0 ? (100 * cov.staffed) / cov.windows : undefined;
    return {
      schoolId: s.id,
      networked: ds.length > 0,
      terminals: ds.length,
      online: ds.filter((d) => d.online && d.connected).length,
      ...(online !== undefined ? { onlinePercent: online } : {}),
      onlineShort: online !== undefined && online < ONLINE_GOAL_PERCENT,
      ...(last !== undefined ? { lastTestPressAt: last } : {}),
      testLate: last === undefined || ds.some((d) => testOverdue.has(d.deviceId)),
      drills: nDrills,
      alarmDrills,
      registeredDrills,
      drillsShort: nDrills < DRILLS_PER_SEMESTER,
      unannouncedDrills: unannounced.get(s.id)?.length ?? 0,
      posts: schoolPosts.length,
      peaksCovered: schoolPosts.some(coversPeaks),
      peakWindows: cov?.windows ?? 0,
      peakStaffed: cov?.staffed ?? 0,
      ...(staffed !== undefined ? { staffedPercent: staffed } : {}),
      staffedShort: staffed !== undefined && staffed < STAFFED_GOAL_PERCENT,
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
    postCoverage: covered?.posts ?? new Map(),
    totals: {
      schools: rows.length,
      networked: rows.filter((r) => r.networked).length,
      allOnline: rows.filter((r) => r.networked && r.online === r.terminals).length,
      onlineMet: rows.filter((r) => r.networked && !r.onlineShort).length,
      staffedMet: rows.filter((r) => r.peakWindows > 0 && !r.staffedShort).length,
      testsOnTime: rows.filter((r) => !r.testLate).length,
      drillsMet: rows.filter((r) => !r.drillsShort).length,
      peaksCovered: rows.filter((r) => r.peaksCovered).length,
      priorityMet: rows.filter((r) => !r.priorityShort).length,
      inspectionsMet: rows.filter((r) => !r.inspectionsShort).length,
    },
  };
}

const DAY_MS = 86_400_000;

/** The semester as epoch ms on the station's calendar, from its first midnight to the end of its last day or now. */
export function semesterSpan(from: string, to: string, now: number, timeZone: string = STATION_TIME_ZONE): { from: number; to: number } {
  const [fy, fm, fd] = from.split('-').map(Number) as [number, number, number];
  const [ty, tm, td] = to.split('-').map(Number) as [number, number, number];
  const start = fromZoned(fy, fm, fd, 0, 0, timeZone);
  const end = fromZoned(ty, tm, td, 0, 0, timeZone) + DAY_MS;
  return { from: start, to: Math.max(start, Math.min(end, now)) };
}

/**
 * The share of [from, to) the terminals were online: 100 minus their outages' overlap with it, over the terminals
 * and the span. Time the station itself was not running counts as online (it recorded no outage then).
 */
export function onlinePercent(deviceIds: readonly string[], outages: ReadonlyMap<string, readonly Outage[]>, from: number, to: number): number | undefined {
  const len = to - from;
  if (len <= 0 || deviceIds.length === 0) return undefined;
  let off = 0;
  for (const id of deviceIds) for (const o of outages.get(id) ?? []) off += Math.max(0, Math.min(o.to ?? to, to) - Math.max(o.from, from));
  return Math.max(0, 100 - (100 * off) / (len * deviceIds.length));
}

export interface PeakCoverage {
  /** Scheduled windows of the school's posts within the semester that are over. */
  windows: number;
  /** Those the post was checked in for at least STAFFED_SHARE of. */
  staffed: number;
}

/**
 * Actual guard-post coverage by school and by post: every window of every post's schedule on the semester's days up to now,
 * and whether the post was checked in for at least half of it. Windows are placed from each day's midnight on the
 * station's calendar (exact wherever the day has 24 hours).
 */
export function peakCoverage(
  posts: readonly GuardPost[],
  shifts: readonly PostShift[],
  from: string,
  to: string,
  now: number,
  timeZone: string = STATION_TIME_ZONE,
): { schools: Map<string, PeakCoverage>; posts: Map<string, PeakCoverage> } {
  const byPost = new Map<string, PostShift[]>();
  for (const s of shifts) {
    const l = byPost.get(s.postId);
    if (l) l.push(s);
    else byPost.set(s.postId, [s]);
  }
  for (const l of byPost.values()) l.sort((a, b) => a.from - b.from);
  const out = new Map<string, PeakCoverage>();
  const byPostOut = new Map<string, PeakCoverage>();
  const [fy, fm, fd] = from.split('-').map(Number) as [number, number, number];
  const [ty, tm, td] = to.split('-').map(Number) as [number, number, number];
  const days: { weekday: number; midnight: number }[] = [];
  for (let t = Date.UTC(fy, fm - 1, fd); t <= Date.UTC(ty, tm - 1, td); t += DAY_MS) {
    const d = new Date(t);
    const midnight = fromZoned(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), 0, 0, timeZone);
    if (midnight > now) break;
    days.push({ weekday: d.getUTCDay() === 0 ? 7 : d.getUTCDay(), midnight });
  }
  for (const post of posts) {
    const list = byPost.get(post.id) ?? [];
    const windows = post.windows.map((w) => [minutes(w.start) * 60_000, minutes(w.end) * 60_000] as const).sort((a, b) => a[0] - b[0]);
    let c = out.get(post.schoolId);
    if (!c) out.set(post.schoolId, (c = { windows: 0, staffed: 0 }));
    const own: PeakCoverage = { windows: 0, staffed: 0 };
    byPostOut.set(post.id, own);
    let i = 0; // the first shift that may overlap a window from here on (windows come in time order)
    for (const day of days) {
      if (!post.days.includes(day.weekday)) continue;
      for (const [ws, we] of windows) {
        const start = day.midnight + ws;
        const end = day.midnight + we;
        // Only windows that are over: one under way is neither staffed nor missed yet.
        if (end > now || end <= start) continue;
        c.windows++;
        own.windows++;
        while (i < list.length && (list[i]!.to ?? now) <= start) i++;
        let on = 0;
        for (let j = i; j < list.length && list[j]!.from < end; j++) on += Math.max(0, Math.min(list[j]!.to ?? now, end) - Math.max(list[j]!.from, start));
        if (on >= STAFFED_SHARE * (end - start)) {
          c.staffed++;
          own.staffed++;
        }
      }
    }
  }
  return { schools: out, posts: byPostOut };
}

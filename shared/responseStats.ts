// shared/ — the response-time statistics (优先受理、优先出警, proven or not): for a filtered set of incidents, per
// group, each interval's count, nearest-rank percentiles, max and share within the target in force at the time
// of the incident, with the incident ids behind every figure. Pure: the incidents, targets and zone are passed in;
// the core answers a chief's query with it and the console draws the answer, so a report equals the screen.
import { missingCase, type Disposition } from './events';
import type { Incident } from './incidentModel';
import type { AreaClass } from './model';
import type { AlarmKind } from './protocol';
import { milestones, type TargetProfile } from './response';
import { STATION_TIME_ZONE, type ZonedParts } from './duty';
import { DEFAULT_SHIFTS, hourKey, isoWeekKey, monthKey, shiftAt, weekdayKey, zonedClock, type Shift } from './statsTime';
import { targetsAt, type TargetHistory } from './targetHistory';

/**
 * Real alarms, drills and test presses are ALWAYS counted apart (PRODUCT.md: drills and tests never mix into real
 * statistics). A drill is a drill whatever its kind; a test press is kind 'test' and not a drill.
 */
export type IncidentClass = 'real' | 'drill' | 'test';

export function incidentClass(inc: Pick<Incident, 'drill' | 'kind'>): IncidentClass {
  if (inc.drill) return 'drill';
  return inc.kind === 'test' ? 'test' : 'real';
}

/** Which incidents count. Every optional field left out means "any". */
export interface StatsFilter {
  /** The period, [from, to) on receivedAt (epoch ms). */
  from: number;
  to: number;
  class: IncidentClass;
  schoolIds?: readonly string[];
  kinds?: readonly AlarmKind[];
  /** The acknowledging officer's username. */
  officer?: string;
  /** Any dispatch of the incident went to this unit. */
  unitId?: string;
  disposition?: Disposition;
}

export function matchesFilter(inc: Incident, f: StatsFilter): boolean {
  return (
    inc.receivedAt >= f.from &&
    inc.receivedAt < f.to &&
    incidentClass(inc) === f.class &&
    (f.schoolIds === undefined || f.schoolIds.includes(inc.schoolId)) &&
    (f.kinds === undefined || f.kinds.includes(inc.kind)) &&
    (f.officer === undefined || inc.acknowledgedBy?.username === f.officer) &&
    (f.unitId === undefined || inc.dispatches.some((d) => d.unitId === f.unitId)) &&
    (f.disposition === undefined || inc.disposition === f.disposition)
  );
}

/**
 * How to split the incidents. Time buckets are on the station's wall clock, by receivedAt: hour "00".."23",
 * weekday "1".."7" (1 = Monday), week "YYYY-Www" (ISO 8601), month "YYYY-MM", shift the shift's name.
 * By unit, an incident counts in the group of every unit dispatched to it (so the groups may add up to more
 * than the total), with the incident's own intervals (first dispatch, first acceptance, first on scene).
 */
export const GROUP_BYS = ['none', 'school', 'unit', 'officer', 'shift', 'hour', 'weekday', 'week', 'month'] as const;
export type GroupBy = (typeof GROUP_BYS)[number];

/** The key of the group of incidents that have no value for the grouping: never acknowledged, never dispatched, in no shift; and of 'none'. */
export const NO_GROUP = '';

/**
 * The intervals reported, each from its start moment to its end moment (the first unit counts):
 * shown = received → shown, acknowledged = received → acknowledged, dispatched = received → first dispatch,
 * accepted = first dispatch → first acceptance, on_scene = received → first on scene, resolved = received → resolved.
 */
export const STAT_INTERVALS = ['shown', 'acknowledged', 'dispatched', 'accepted', 'on_scene', 'resolved'] as const;
export type StatInterval = (typeof STAT_INTERVALS)[number];

/** The percentiles reported (nearest rank, see `nearestRank`). */
export const PERCENTILES = [50, 90, 95] as const;

/**
 * Nearest-rank percentile (the usual definition of response-time reports, e.g. NFPA 1225's "90 % within"):
 * the p-th percentile of n values sorted ascending is the value of rank ⌈p/100 × n⌉ (1-based), always one of
 * the values measured, never an interpolation. 10 values: p50 is the 5th, p90 the 9th, p95 the 10th.
 * Undefined for no values.
 */
export function nearestRank(sortedAsc: readonly number[], p: number): number | undefined {
  if (sortedAsc.length === 0) return undefined;
  const rank = Math.min(sortedAsc.length, Math.max(1, Math.ceil((p / 100) * sortedAsc.length)));
  return sortedAsc[rank - 1];
}

/** How many measured intervals met the target in force at the time of each incident (ms ≤ target). */
export interface WithinTarget {
  count: number;
  /** count ÷ measured × 100, unrounded; undefined when nothing was measured. */
  percent: number | undefined;
  /** The incidents measured and late, in input order: the ones a report explains. */
  outsideIds: string[];
}

export interface IntervalStats {
  /** Incidents of the group whose interval happened (both its start and its end). */
  count: number;
  /** Incidents of the group that lack the interval's end (or start): not yet, or never (no unit was sent …). */
  missing: number;
  p50: number | undefined;
  p90: number | undefined;
  p95: number | undefined;
  max: number | undefined;
  /** The incident of the longest interval (the first such, in input order). */
  maxId: string | undefined;
  /** Undefined for the intervals without a target: accepted and resolved. */
  withinTarget: WithinTarget | undefined;
}

export interface GroupStats {
  /** The group's key (see GroupBy): a school id, unit id, username, shift name, time bucket, or NO_GROUP. */
  key: string;
  /** Incidents in the group, open ones included. */
  total: number;
  /** Incidents not resolved (yet, or again after a reopen). */
  open: number;
  /** The incidents of the group, in input order. */
  ids: string[];
  openIds: string[];
  /** Incidents whose school's area class is unknown (no such school now): judged on scene by the urban target. */
  areaAssumedIds: string[];
  intervals: Record<StatInterval, IntervalStats>;
}

export interface StatsReport {
  filter: StatsFilter;
  groupBy: GroupBy;
  /** The whole filtered set, key NO_GROUP. */
  all: GroupStats;
  /** One per key met, sorted by key (code-unit order, so time buckets sort in time); [all] for 'none'. */
  groups: GroupStats[];
}

export interface StatsOptions {
  filter: StatsFilter;
  groupBy: GroupBy;
  /** The profiles in force over time (shared/targetHistory.ts `targetHistory`). */
  targets: TargetHistory;
  /**
   * A school's area class, for the on-scene target. A school not known (removed from the registry since) is judged
   * by the urban target, the strictest, so that a missing school never flatters the figure; its incidents are
   * listed in `areaAssumedIds`.
   */
  areaOf: (schoolId: string) => AreaClass | undefined;
  /** The station's shifts (default DEFAULT_SHIFTS). */
  shifts?: readonly Shift[];
  /** The station's time zone (default STATION_TIME_ZONE). */
  timeZone?: string;
}

interface Sample {
  ms: number;
  id: string;
  within: boolean | undefined;
}

interface Accumulator {
  ids: string[];
  openIds: string[];
  areaAssumedIds: string[];
  samples: Record<StatInterval, Sample[]>;
}

const newAccumulator = (): Accumulator => ({
  ids: [],
  openIds: [],
  areaAssumedIds: [],
  samples: { shown: [], acknowledged: [], dispatched: [], accepted: [], on_scene: [], resolved: [] },
});

interface Measured {
  interval: StatInterval;
  ms: number;
  targetMs: number | undefined;
}

/** The intervals that happened for one incident, each with its target (if any) under `t` for area `area`. */
function measure(inc: Incident, t: TargetProfile, area: AreaClass): Measured[] {
  const m = milestones(inc);
  const since = (start: number | undefined, end: number | undefined): number | undefined =>
    start !== undefined && end !== undefined ? end - start : undefined;
  const all: [StatInterval, number | undefined, number | undefined][] = [
    ['shown', since(inc.receivedAt, inc.shownAt), t.showMs],
    ['acknowledged', since(inc.receivedAt, m.acknowledged), t.acknowledgeMs],
    ['dispatched', since(inc.receivedAt, m.dispatched), t.dispatchMs],
    ['accepted', since(m.dispatched, m.accepted), undefined],
    ['on_scene', since(inc.receivedAt, m.on_scene), t.onSceneMs[area]],
    ['resolved', since(inc.receivedAt, m.resolved), undefined],
  ];
  const out: Measured[] = [];
  for (const [interval, ms, targetMs] of all) if (ms !== undefined) out.push({ interval, ms, targetMs });
  return out;
}

/** The keys of the groups an incident belongs to (several only by unit). */
function groupKeys(inc: Incident, groupBy: GroupBy, local: () => ZonedParts, shifts: readonly Shift[]): string[] {
  switch (groupBy) {
    case 'none':
      return [NO_GROUP];
    case 'school':
      return [inc.schoolId];
    case 'unit': {
      const units = [...new Set(inc.dispatches.map((d) => d.unitId))];
      return units.length ? units : [NO_GROUP];
    }
    case 'officer':
      return [inc.acknowledgedBy?.username ?? NO_GROUP];
    case 'shift':
      return [shiftAt(local().minutes, shifts) ?? NO_GROUP];
    case 'hour':
      return [hourKey(local())];
    case 'weekday':
      return [weekdayKey(local())];
    case 'week':
      return [isoWeekKey(local())];
    case 'month':
      return [monthKey(local())];
    default:
      return missingCase(groupBy);
  }
}

function summarize(key: string, acc: Accumulator): GroupStats {
  const total = acc.ids.length;
  const intervals = {} as Record<StatInterval, IntervalStats>;
  for (const interval of STAT_INTERVALS) {
    const samples = acc.samples[interval];
    const sorted = samples.map((s) => s.ms).sort((a, b) => a - b);
    let maxId: string | undefined;
    let max: number | undefined;
    for (const s of samples) if (max === undefined || s.ms > max) [max, maxId] = [s.ms, s.id];
    const judged = interval !== 'accepted' && interval !== 'resolved';
    let withinTarget: WithinTarget | undefined;
    if (judged) {
      const outsideIds = samples.filter((s) => s.within === false).map((s) => s.id);
      const count = samples.length - outsideIds.length;
      withinTarget = { count, percent: samples.length ? (count / samples.length) * 100 : undefined, outsideIds };
    }
    intervals[interval] = {
      count: samples.length,
      missing: total - samples.length,
      p50: nearestRank(sorted, 50),
      p90: nearestRank(sorted, 90),
      p95: nearestRank(sorted, 95),
      max,
      maxId,
      withinTarget,
    };
  }
  return { key, total, open: acc.openIds.length, ids: acc.ids, openIds: acc.openIds, areaAssumedIds: acc.areaAssumedIds, intervals };
}

/**
 * The statistics of the incidents that pass `filter`, split by `groupBy`. An open incident counts in its group's
 * total and open count, and in an interval only once that interval's end has happened. Each interval is judged
 * against the profile in force at the incident's receivedAt (`targetsAt`), the on-scene one for its school's area.
 * Groups are Maps keyed by outside ids, so `__proto__` or `constructor` is an ordinary key.
 */
export function responseStats(incidents: Iterable<Incident>, opts: StatsOptions): StatsReport {
  const { filter, groupBy } = opts;
  const shifts = opts.shifts ?? DEFAULT_SHIFTS;
  const clock = zonedClock(opts.timeZone ?? STATION_TIME_ZONE);
  const all = newAccumulator();
  const groups = new Map<string, Accumulator>();
  for (const inc of incidents) {
    if (!matchesFilter(inc, filter)) continue;
    const known = opts.areaOf(inc.schoolId);
    const measured = measure(inc, targetsAt(opts.targets, inc.receivedAt), known ?? 'urban');
    let parts: ZonedParts | undefined;
    const local = (): ZonedParts => (parts ??= clock(inc.receivedAt));
    const keys = groupBy === 'none' ? [] : groupKeys(inc, groupBy, local, shifts);
    const accs = [all, ...keys.map((k) => groups.get(k) ?? groups.set(k, newAccumulator()).get(k)!)];
    for (const acc of accs) {
      acc.ids.push(inc.id);
      if (inc.resolvedAt === undefined) acc.openIds.push(inc.id);
      if (known === undefined) acc.areaAssumedIds.push(inc.id);
      for (const m of measured) {
        acc.samples[m.interval].push({ ms: m.ms, id: inc.id, within: m.targetMs === undefined ? undefined : m.ms <= m.targetMs });
      }
    }
  }
  const allStats = summarize(NO_GROUP, all);
  const keys = [...groups.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return {
    filter,
    groupBy,
    all: allStats,
    groups: groupBy === 'none' ? [allStats] : keys.map((k) => summarize(k, groups.get(k)!)),
  };
}

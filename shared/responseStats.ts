// shared/ — the response-time statistics (优先受理、优先出警, proven or not): for a filtered set of incidents, per
// group, each interval's count, nearest-rank percentiles, max and share within the target in force at the time
// of the incident, with the incident ids behind every figure. Pure: the incidents, targets and zone are passed in;
// the core answers a chief's query with it and the console draws the answer, so a report equals the screen.
import { missingCase, type Disposition } from './events';
import type { Incident } from './incidentModel';
import { natureOf } from './incidentRules';
import type { AreaClass } from './model';
import type { AlarmKind } from './protocol';
import { milestones, type TargetProfile } from './response';
import { STATION_TIME_ZONE, type ZonedParts } from './duty';
import { DEFAULT_SHIFTS, hourKey, isoWeekKey, monthKey, shiftAt, weekdayKey, zonedClock, type Shift } from './statsTime';
import { targetsAt, type TargetHistory } from './targetHistory';

/**
 * Real alarms, drills and test presses are ALWAYS counted apart (PRODUCT.md: drills and tests never mix into real
 * statistics). What an incident was is what its officer resolved it as, when the disposition names it (real, drill,
 * test): a press in a drill window that was a real alarm counts as real once resolved so; one that contradicts the
 * alarm took an override with a reason, journalled. Until then, or for a false alarm or a cancelled one, it is
 * what the alarm said (natureOf): a test press is a test (flagged drill or not), a flagged drill a drill.
 */
export type IncidentClass = 'real' | 'drill' | 'test';

export function incidentClass(inc: Pick<Incident, 'drill' | 'kind' | 'disposition'>): IncidentClass {
  const d = inc.disposition;
  return d === 'real' || d === 'drill' || d === 'test' ? d : natureOf(inc);
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
 * than the total), with that unit's own dispatch, acceptance and arrival (unitView).
 */
export const GROUP_BYS = ['none', 'school', 'unit', 'officer', 'shift', 'hour', 'weekday', 'week', 'month', 'station'] as const;
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
export function nearestRank(sortedAsc: ArrayLike<number>, p: number): number | undefined {
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
  /** A school's station (shared/stations.ts), for the grouping by station; absent: every school the default station's. */
  stationOf?: (schoolId: string) => string;
  /** The profiles in force over time (shared/targetHistory.ts `targetHistory`). */
  targets: TargetHistory;
  /**
   * A school's area class now, for the on-scene target of an incident whose record does not carry the class it came
   * with (`Incident.area`, kept since alarms record it). A school not known (removed from the registry since) is
   * judged by the urban target, the strictest, so that a missing school never flatters the figure; its incidents
   * are listed in `areaAssumedIds`.
   */
  areaOf: (schoolId: string) => AreaClass | undefined;
  /** The station's shifts (default DEFAULT_SHIFTS). */
  shifts?: readonly Shift[];
  /** The station's time zone (default STATION_TIME_ZONE). */
  timeZone?: string;
}

/**
 * One interval's samples as parallel arrays (a year is hundreds of thousands of samples: one object each made
 * the garbage collector the biggest cost of a query that holds the core's event loop).
 */
interface Samples {
  ms: number[];
  ids: string[];
  /** Ids of the samples over their target. */
  outside: string[];
}

interface Accumulator {
  ids: string[];
  openIds: string[];
  areaAssumedIds: string[];
  samples: Record<StatInterval, Samples>;
}

const newSamples = (): Samples => ({ ms: [], ids: [], outside: [] });
const newAccumulator = (): Accumulator => ({
  ids: [],
  openIds: [],
  areaAssumedIds: [],
  samples: {
    shown: newSamples(),
    acknowledged: newSamples(),
    dispatched: newSamples(),
    accepted: newSamples(),
    on_scene: newSamples(),
    resolved: newSamples(),
  },
});

/** One incident's intervals (NaN: did not happen) and targets (NaN: none), in STAT_INTERVALS order. */
const measuredMs = new Float64Array(STAT_INTERVALS.length);
const measuredTarget = new Float64Array(STAT_INTERVALS.length);

/** Fills measuredMs for one incident. */
function measureMs(inc: Incident): void {
  const m = milestones(inc);
  const since = (start: number | undefined, end: number | undefined): number => (start !== undefined && end !== undefined ? end - start : NaN);
  measuredMs[0] = since(inc.receivedAt, inc.shownAt);
  measuredMs[1] = since(inc.receivedAt, m.acknowledged);
  measuredMs[2] = since(inc.receivedAt, m.dispatched);
  measuredMs[3] = since(m.dispatched, m.accepted);
  measuredMs[4] = since(inc.receivedAt, m.on_scene);
  measuredMs[5] = since(inc.receivedAt, m.resolved);
}

/** Fills measuredMs and measuredTarget for one incident under profile `t` and area `area`. */
function measure(inc: Incident, t: TargetProfile, area: AreaClass): void {
  measureMs(inc);
  measuredTarget[0] = t.showMs;
  measuredTarget[1] = t.acknowledgeMs;
  measuredTarget[2] = t.dispatchMs;
  measuredTarget[3] = NaN;
  measuredTarget[4] = t.onSceneMs[area];
  measuredTarget[5] = NaN;
}

/**
 * The keys of the groups an incident belongs to (several only by unit). By station, the key is the station's id, ''
 * the default station's (`stationOf`: its school's station; absent, every school the default station's).
 */
export function groupKeys(
  inc: Incident,
  groupBy: GroupBy,
  local: () => ZonedParts,
  shifts: readonly Shift[],
  stationOf?: (schoolId: string) => string,
): string[] {
  switch (groupBy) {
    case 'station':
      return [stationOf?.(inc.schoolId) ?? ''];
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

/**
 * Whether an incident's interval happened (both its start and its end): whether it is among the interval's count of
 * the statistics (the same measure), so a history can list the incidents behind an interval's n.
 */
export function intervalHappened(inc: Incident, interval: StatInterval, unitId?: string): boolean {
  measureMs(unitId === undefined ? inc : unitView(inc, unitId));
  return !Number.isNaN(measuredMs[STAT_INTERVALS.indexOf(interval)]!);
}

/**
 * The incident as one of its units lived it: its own dispatches only. By unit, a group's dispatch, acceptance and
 * on-scene times are that unit's (a backup sent twenty minutes later is not credited with the first car's four
 * minutes); received, shown, acknowledged and resolved are the incident's.
 */
export function unitView(inc: Incident, unitId: string): Incident {
  return { ...inc, dispatches: inc.dispatches.filter((d) => d.unitId === unitId) };
}

/** A grouping that splits (every one but 'none'): what a figure of a group is about. */
export type SplitBy = Exclude<GroupBy, 'none'>;

/**
 * Whether an incident is in the group `key` of the grouping `by`: by the very keys the statistics count it under
 * (`groupKeys`), so the incidents a history lists behind a figure are the incidents the figure counted.
 */
export function groupMatcher(
  by: SplitBy,
  key: string,
  opts: { timeZone?: string; shifts?: readonly Shift[]; stationOf?: (schoolId: string) => string } = {},
): (inc: Incident) => boolean {
  const clock = zonedClock(opts.timeZone ?? STATION_TIME_ZONE);
  const shifts = opts.shifts ?? DEFAULT_SHIFTS;
  return (inc) => groupKeys(inc, by, () => clock(inc.receivedAt), shifts, opts.stationOf).includes(key);
}

function summarize(key: string, acc: Accumulator): GroupStats {
  const total = acc.ids.length;
  const intervals = {} as Record<StatInterval, IntervalStats>;
  for (const interval of STAT_INTERVALS) {
    const samples = acc.samples[interval];
    const n = samples.ms.length;
    const sorted = Float64Array.from(samples.ms).sort(); // a typed array sorts by value
    let maxId: string | undefined;
    let max: number | undefined;
    for (let i = 0; i < n; i++) if (max === undefined || samples.ms[i]! > max) [max, maxId] = [samples.ms[i]!, samples.ids[i]!];
    const judged = interval !== 'accepted' && interval !== 'resolved';
    let withinTarget: WithinTarget | undefined;
    if (judged) {
      const count = n - samples.outside.length;
      withinTarget = { count, percent: n ? (count / n) * 100 : undefined, outsideIds: samples.outside };
    }
    intervals[interval] = {
      count: n,
      missing: total - n,
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
 * The statistics of the incidents that pass `filter`, split by `groupBy`, built one incident at a time (the core
 * adds a year of incidents in slices, so a chief's query never holds the alarms up; `responseStats` in one go).
 * An open incident counts in its group's total and open count, and in an interval only once that interval's end
 * has happened. Each interval is judged against the profile in force at the incident's receivedAt
 * (`targetsAt`), the on-scene one for its school's area. Groups are Maps keyed by outside ids, so `__proto__` or
 * `constructor` is an ordinary key.
 */
export class StatsBuilder {
  private readonly shifts: readonly Shift[];
  private readonly clock: (at: number) => ZonedParts;
  private readonly all = newAccumulator();
  private readonly groups = new Map<string, Accumulator>();

  constructor(private readonly opts: StatsOptions) {
    this.shifts = opts.shifts ?? DEFAULT_SHIFTS;
    this.clock = zonedClock(opts.timeZone ?? STATION_TIME_ZONE);
  }

  add(inc: Incident): void {
    const { filter, groupBy } = this.opts;
    if (!matchesFilter(inc, filter)) return;
    const known = inc.area ?? this.opts.areaOf(inc.schoolId);
    const targets = targetsAt(this.opts.targets, inc.receivedAt);
    let parts: ZonedParts | undefined;
    const local = (): ZonedParts => (parts ??= this.clock(inc.receivedAt));
    const keys = groupBy === 'none' ? [] : groupKeys(inc, groupBy, local, this.shifts, this.opts.stationOf);
    const accs: [Accumulator, Incident][] = [
      [this.all, inc],
      ...keys.map((k): [Accumulator, Incident] => [
        this.groups.get(k) ?? this.groups.set(k, newAccumulator()).get(k)!,
        groupBy === 'unit' && k !== NO_GROUP ? unitView(inc, k) : inc,
      ]),
    ];
    for (const [acc, as] of accs) {
      measure(as, targets, known ?? 'urban');
      acc.ids.push(inc.id);
      if (inc.resolvedAt === undefined) acc.openIds.push(inc.id);
      if (known === undefined) acc.areaAssumedIds.push(inc.id);
      for (let k = 0; k < STAT_INTERVALS.length; k++) {
        const ms = measuredMs[k]!;
        if (Number.isNaN(ms)) continue;
        const into = acc.samples[STAT_INTERVALS[k]!];
        into.ms.push(ms);
        into.ids.push(inc.id);
        if (ms > measuredTarget[k]!) into.outside.push(inc.id); // false when the target is NaN (none)
      }
    }
  }

  report(): StatsReport {
    const { filter, groupBy } = this.opts;
    const allStats = summarize(NO_GROUP, this.all);
    const keys = [...this.groups.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    return { filter, groupBy, all: allStats, groups: groupBy === 'none' ? [allStats] : keys.map((k) => summarize(k, this.groups.get(k)!)) };
  }
}

/** The statistics of `incidents` in one go (see StatsBuilder). */
export function responseStats(incidents: Iterable<Incident>, opts: StatsOptions): StatsReport {
  const b = new StatsBuilder(opts);
  for (const inc of incidents) b.add(inc);
  return b.report();
}

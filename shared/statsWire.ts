// shared/ — the `stats` console command on the wire: what a console asks (a period, a class, a grouping and
// optional filters, checked by zod) and what the core answers (the StatsReport of shared/responseStats.ts with
// every id list cut to its first MAX_LISTED_IDS and its total, so a year's answer stays small).
import { z } from 'zod';
import { DISPOSITIONS } from './events';
import { ALARM_KINDS } from './protocol';
import { GROUP_BYS, STAT_INTERVALS, type GroupStats, type IntervalStats, type StatInterval, type StatsReport } from './responseStats';

/** The longest period one query may span (a year and a bit: a year's report, a semester, a month's trend). */
export const MAX_STATS_PERIOD_MS = 400 * 86_400_000;
/** Ids listed per list in an answer (the total is always there). */
export const MAX_LISTED_IDS = 200;
/**
 * Ids listed per list over all the groups together. Measured on 100,000 incidents: a year by 1,000 schools answers
 * about 1 MB (mostly the figures of each group, not the ids), by week about 160 KB, by unit about 120 KB.
 */
export const GROUP_IDS_BUDGET = 5000;
/** Ids listed per list of each group when there are `groups` groups: the budget shared, from 10 to MAX_LISTED_IDS. */
export const groupListBound = (groups: number): number => Math.max(10, Math.min(MAX_LISTED_IDS, Math.floor(GROUP_IDS_BUDGET / Math.max(1, groups))));
/** Filter values per list (school ids, kinds) one query may name. */
export const MAX_FILTER_VALUES = 5000;

const id = z.string().max(200);
const instant = z.number().int().min(0).max(8.64e15);

/** Which incidents a query is about: a period, a class (never mixed), and optional filters (statistics and history). */
export const incidentFilterShape = {
  from: instant,
  to: instant,
  class: z.enum(['real', 'drill', 'test']),
  schoolIds: z.array(id).max(MAX_FILTER_VALUES).optional(),
  /**
   * Only the incidents of these stations (shared/stations.ts; '' the default station): the county's filter. The core
   * applies it within what the operator sees (a station's operator sees their own station whatever this says).
   */
  stationIds: z.array(z.string().max(64)).max(MAX_FILTER_VALUES).optional(),
  kinds: z.array(z.enum(ALARM_KINDS)).max(ALARM_KINDS.length).optional(),
  officer: id.optional(),
  unitId: id.optional(),
  disposition: z.enum(DISPOSITIONS).optional(),
};

/** A query's period must end after it starts and span at most MAX_STATS_PERIOD_MS. */
export function withPeriodChecks<T extends z.ZodType<{ from: number; to: number }>>(schema: T): T {
  return schema
    .refine((r) => r.from < r.to, { message: 'the period must end after it starts', path: ['to'] })
    .refine((r) => r.to - r.from <= MAX_STATS_PERIOD_MS, { message: 'the period is at most 400 days', path: ['to'] });
}

export const statsRequestSchema = withPeriodChecks(z.object({ ...incidentFilterShape, groupBy: z.enum(GROUP_BYS) }));
export type StatsRequest = z.output<typeof statsRequestSchema>;

/** An id list as answered: its first MAX_LISTED_IDS ids and how many there are. */
const idList = z.object({ ids: z.array(z.string()), total: z.number() });
export type IdList = z.infer<typeof idList>;

const ms = z.number().optional();
const intervalSchema = z.object({
  count: z.number(),
  missing: z.number(),
  p50: ms,
  p90: ms,
  p95: ms,
  max: ms,
  maxId: z.string().optional(),
  withinTarget: z.object({ count: z.number(), percent: z.number().optional(), outside: idList }).optional(),
});
export type IntervalFigures = z.infer<typeof intervalSchema>;

const groupSchema = z.object({
  key: z.string(),
  total: z.number(),
  open: z.number(),
  ids: idList,
  openIds: idList,
  areaAssumedIds: idList,
  intervals: z.object(Object.fromEntries(STAT_INTERVALS.map((i) => [i, intervalSchema])) as Record<StatInterval, typeof intervalSchema>),
});
export type GroupFigures = z.infer<typeof groupSchema>;

export const statsReportSchema = z.object({
  filter: z.object({
    from: z.number(),
    to: z.number(),
    class: z.enum(['real', 'drill', 'test']),
    schoolIds: z.array(z.string()).optional(),
    kinds: z.array(z.enum(ALARM_KINDS)).optional(),
    officer: z.string().optional(),
    unitId: z.string().optional(),
    disposition: z.enum(DISPOSITIONS).optional(),
  }),
  groupBy: z.enum(GROUP_BYS),
  all: groupSchema,
  groups: z.array(groupSchema),
});
export type StatsAnswerReport = z.infer<typeof statsReportSchema>;

const listed = (ids: readonly string[], max: number): IdList => ({ ids: ids.slice(0, max), total: ids.length });

/** Drops the undefined fields (they do not cross JSON anyway; the answer schema holds them optional). */
export function defined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

function trimInterval(s: IntervalStats, max: number): IntervalFigures {
  const { withinTarget: w, ...rest } = s;
  return defined({
    ...rest,
    withinTarget: w ? defined({ count: w.count, percent: w.percent, outside: listed(w.outsideIds, max) }) : undefined,
  });
}

function trimGroup(g: GroupStats, max: number): GroupFigures {
  const intervals = {} as Record<StatInterval, IntervalFigures>;
  for (const i of STAT_INTERVALS) intervals[i] = trimInterval(g.intervals[i], max);
  return {
    key: g.key,
    total: g.total,
    open: g.open,
    ids: listed(g.ids, max),
    openIds: listed(g.openIds, max),
    areaAssumedIds: listed(g.areaAssumedIds, max),
    intervals,
  };
}

/**
 * The report as answered: the same figures, every id list cut to its first ids with its total: `max` for the whole
 * set, and for each group its share of GROUP_IDS_BUDGET (`groupListBound`).
 */
export function trimReport(r: StatsReport, max = MAX_LISTED_IDS): StatsAnswerReport {
  const perGroup = Math.min(max, groupListBound(r.groups.length));
  const f = r.filter;
  const filter = defined({ ...f, schoolIds: f.schoolIds && [...f.schoolIds], kinds: f.kinds && [...f.kinds] });
  return { filter, groupBy: r.groupBy, all: trimGroup(r.all, max), groups: r.groups.map((g) => trimGroup(g, perGroup)) };
}

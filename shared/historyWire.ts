// shared/ — the incident history on the wire (issue 12): the `history` console command (a period, a class and the
// statistics' filters, plus the incident's state and a page) answered with one page of brief rows, newest first,
// and the `incident` command answered with one incident whole (its timeline). Both read the core's state; nothing
// is journalled. Real alarms, drills and test presses are never listed together: the class is required.
import { z } from 'zod';
import { DISPOSITIONS, type OperatorRef } from './events';
import type { Incident } from './incidentModel';
import { ALARM_KINDS } from './protocol';
import {
  GROUP_BYS,
  groupMatcher,
  incidentClass,
  intervalHappened,
  matchesFilter,
  NO_GROUP,
  STAT_INTERVALS,
  type SplitBy,
  type StatsFilter,
} from './responseStats';
import { defined, incidentFilterShape, MAX_FILTER_VALUES, withPeriodChecks } from './statsWire';

/** Rows per page, at most. */
export const HISTORY_PAGE_MAX = 200;

const id = z.string().max(200);

/** The key format of each grouping's time buckets (shared/statsTime.ts); the others are ids, usernames, shift names. */
const GROUP_KEY_FORMAT: Partial<Record<SplitBy, RegExp>> = {
  hour: /^([01]\d|2[0-3])$/,
  weekday: /^[1-7]$/,
  week: /^\d{4}-W(0[1-9]|[1-4]\d|5[0-3])$/,
  month: /^\d{4}-(0[1-9]|1[0-2])$/,
};

/**
 * One group of the statistics (a bar of a chart, a row of a table): its grouping and key, '' (NO_GROUP) for the
 * incidents without one (never acknowledged, never dispatched, in no shift). Strict: an unknown field is refused,
 * not ignored, and a time bucket's key must be one (the hour "00".."23", the weekday "1".."7", "YYYY-Www", "YYYY-MM").
 */
export const historyGroupSchema = z
  .strictObject({ by: z.enum(GROUP_BYS).exclude(['none']), key: z.string().max(200) })
  .refine((g) => GROUP_KEY_FORMAT[g.by]?.test(g.key) ?? true, { message: 'not a key of this grouping', path: ['key'] });
export type HistoryGroup = z.output<typeof historyGroupSchema>;

export const historyRequestSchema = withPeriodChecks(
  z.object({
    ...incidentFilterShape,
    /** open: not resolved yet; resolved: resolved (a reopened one is open again). */
    state: z.enum(['open', 'resolved']).optional(),
    /** Only these incidents (the ones behind a figure of the statistics), still within the period and class. */
    ids: z.array(id).max(MAX_FILTER_VALUES).optional(),
    /** Only the incidents of this group of the statistics (the figure a chief clicked), counted by the same keys. */
    group: historyGroupSchema.optional(),
    /** Only the incidents whose interval happened (the ones counted in that interval's n of the statistics). */
    reached: z.enum(STAT_INTERVALS).optional(),
    offset: z.number().int().min(0).max(100_000_000),
    limit: z.number().int().min(1).max(HISTORY_PAGE_MAX),
  }),
);
export type HistoryRequest = z.output<typeof historyRequestSchema>;

const operatorRef = z.object({ username: z.string(), displayName: z.string() });
const at = z.number().optional();

/** One incident in a list: what a table row shows, and its id to open the whole of it. */
export const historyRowSchema = z.object({
  id: z.string(),
  receivedAt: z.number(),
  schoolId: z.string(),
  kind: z.enum(ALARM_KINDS),
  class: z.enum(['real', 'drill', 'test']),
  /** The incident's state (shared/incidentModel.ts AlarmState). */
  state: z.string(),
  acknowledgedAt: at,
  acknowledgedBy: operatorRef.optional(),
  /** The first dispatch, the first unit on scene. */
  dispatchedAt: at,
  onSceneAt: at,
  resolvedAt: at,
  disposition: z.enum(DISPOSITIONS).optional(),
  /** What the resolving officer wrote, and why a resolution against the incident's nature was made (the report's "reason"). */
  resolutionNote: z.string().optional(),
  overrideReason: z.string().optional(),
  /** Every unit sent to it, in order, once each. */
  unitIds: z.array(z.string()),
  repeats: z.number().optional(),
});
export type HistoryRow = z.infer<typeof historyRowSchema>;

export const historyPageSchema = z.object({ total: z.number(), offset: z.number(), rows: z.array(historyRowSchema) });
export type HistoryPage = z.infer<typeof historyPageSchema>;

/**
 * One incident whole, as the core folded it. The core is the source of this shape (the same reducer as the
 * console's): the answer is checked for an incident's frame, not re-validated field by field.
 */
export const incidentWholeSchema = z.custom<Incident>(
  (x) =>
    typeof x === 'object' &&
    x !== null &&
    typeof (x as Incident).id === 'string' &&
    typeof (x as Incident).receivedAt === 'number' &&
    Array.isArray((x as Incident).timeline) &&
    Array.isArray((x as Incident).dispatches),
  { message: 'not an incident' },
);

const ref = (o: OperatorRef | undefined): { username: string; displayName: string } | undefined =>
  o ? { username: o.username, displayName: o.displayName } : undefined;

export function historyRow(inc: Incident): HistoryRow {
  let dispatchedAt: number | undefined;
  let onSceneAt: number | undefined;
  const unitIds: string[] = [];
  for (const d of inc.dispatches) {
    if (dispatchedAt === undefined || d.dispatchedAt < dispatchedAt) dispatchedAt = d.dispatchedAt;
    if (d.onSceneAt !== undefined && (onSceneAt === undefined || d.onSceneAt < onSceneAt)) onSceneAt = d.onSceneAt;
    if (!unitIds.includes(d.unitId)) unitIds.push(d.unitId);
  }
  return defined({
    id: inc.id,
    receivedAt: inc.receivedAt,
    schoolId: inc.schoolId,
    kind: inc.kind,
    class: incidentClass(inc),
    state: inc.state,
    acknowledgedAt: inc.acknowledgedAt,
    acknowledgedBy: ref(inc.acknowledgedBy),
    dispatchedAt,
    onSceneAt,
    resolvedAt: inc.resolvedAt,
    disposition: inc.disposition,
    resolutionNote: inc.resolutionNote || undefined,
    overrideReason: inc.overrideReason,
    unitIds,
    repeats: inc.repeats,
  });
}

/** The statistics' filter of a history request (the same matching: the same incidents behind the same figures). */
export function historyFilter(r: HistoryRequest): StatsFilter {
  const { state: _state, ids: _ids, group: _group, reached: _reached, offset: _offset, limit: _limit, ...filter } = r;
  return filter;
}

/** Whether an incident belongs in the answer to `r` (the ids, if any, as a set; the group, if any, as its matcher). */
export function historyMatches(
  inc: Incident,
  r: HistoryRequest,
  filter: StatsFilter,
  ids: ReadonlySet<string> | undefined,
  inGroup?: (inc: Incident) => boolean,
): boolean {
  if (ids && !ids.has(inc.id)) return false;
  if (inGroup && !inGroup(inc)) return false;
  // By unit, the interval as that unit lived it (the statistics' unitView): the incidents behind a unit's n.
  if (r.reached && !intervalHappened(inc, r.reached, r.group?.by === 'unit' && r.group.key !== NO_GROUP ? r.group.key : undefined)) return false;
  if (r.state === 'open' && inc.resolvedAt !== undefined) return false;
  if (r.state === 'resolved' && inc.resolvedAt === undefined) return false;
  return matchesFilter(inc, filter);
}

/** The matcher of a request's group, on the station's wall clock (`timeZone`), or undefined without a group. */
export const historyGroupMatcher = (r: HistoryRequest, timeZone: string, stationOf?: (schoolId: string) => string): ((inc: Incident) => boolean) | undefined =>
  r.group && groupMatcher(r.group.by, r.group.key, { timeZone, ...(stationOf ? { stationOf } : {}) });

/** Newest first; among incidents received in the same millisecond, the later id first. */
export const newestFirst = (a: Incident, b: Incident): number => b.receivedAt - a.receivedAt || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);

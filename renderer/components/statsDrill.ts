// renderer/ — a figure of the statistics opened in History (issue 12, "every figure links to the incidents behind it"):
// the report's period and class, the group of the bar or row clicked (its grouping and key, as the core counted it),
// and the open ones only for an "open" figure. History shows school, unit and officer groups in its own filters and
// the others (shift, hour, weekday, week, month, and the incidents with no group) as the request's `group`.
import type { HistoryGroup } from '../../shared/historyWire';
import type { IncidentClass, StatInterval } from '../../shared/responseStats';
import type { StatsAnswerReport } from '../../shared/statsWire';

export interface StatsDrill {
  from: number;
  to: number;
  cls: IncidentClass;
  /** The group of the figure; none for the whole period's figure. */
  group?: HistoryGroup;
  /** The figure counts the open incidents only. */
  open?: boolean;
  /** The figure is an interval's count: the incidents whose interval happened. */
  reached?: StatInterval;
}

/**
 * The incidents behind a figure of `report`: its group `key` (undefined: the whole set), all or only the open ones.
 * The statistics tab asks with a period, a class and a grouping only (no school, kind … filter), so those three and
 * the group say it all.
 */
export function drillOf(report: StatsAnswerReport, key: string | undefined, open = false, reached?: StatInterval): StatsDrill {
  const { from, to, class: cls } = report.filter;
  const group = key !== undefined && report.groupBy !== 'none' ? { by: report.groupBy, key } : undefined;
  return { from, to, cls, ...(group ? { group } : {}), ...(open ? { open } : {}), ...(reached ? { reached } : {}) };
}

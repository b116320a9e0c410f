// renderer/ — the statistics' charts (issue 12, "charts that a chief would rather look at than read"): the trend by
// week or month, and the distributions by hour of day and by weekday, each from a report of the `stats` command
// grouped that way (the tables' figures, the tables' code: statsRows.ts). On the tab each bar opens the incidents
// behind it in History; in the printed report the same charts, without the links.
import { format, useI18n, type Catalogue } from '../../i18n';
import type { StatsAnswerReport } from '../../../shared/statsWire';
import { groupLabel, percentText, statDuration, WITHIN_TARGET_GOAL, type Names } from '../statsRows';
import { BarChart } from './BarChart';
import { chartBars, type ChartBar, type ChartBy } from './chartData';

/** A bar's short label under the axis. */
export function barLabel(by: ChartBy, key: string, c: Catalogue): string {
  switch (by) {
    case 'hour':
      return key;
    case 'weekday':
      return c.statsWeekdays[Number(key) - 1] ?? key;
    case 'week':
      return key.slice(5); // "W49"
    case 'month':
      return c.chartMonths[Number(key.slice(5)) - 1] ?? key;
  }
}

const NO_NAMES: Names = { school: (id) => id, unit: (id) => id };

/** A bar's tooltip and name: its full label, count, the acknowledge p90 and share (as the tables write them). */
export function barTitle(by: ChartBy, bar: ChartBar, c: Catalogue): string {
  const ack = bar.group?.intervals.acknowledged;
  return format(c.chartBarTitle, {
    label: groupLabel(bar.key, by, c, NO_NAMES),
    n: bar.count,
    p90: statDuration(ack?.p90),
    share: ack ? percentText(ack) : '—',
  });
}

export function StatsChart({
  report,
  timeZone,
  onBar,
}: {
  report: StatsAnswerReport;
  timeZone: string;
  onBar?: (report: StatsAnswerReport, bar: ChartBar) => void;
}) {
  const { c } = useI18n();
  const by = report.groupBy as ChartBy;
  const bars = chartBars(report, timeZone);
  const title = c.chartTitles[by] ?? by;
  const peak = bars.reduce<ChartBar | undefined>((m, b) => (b.count > (m?.count ?? 0) ? b : m), undefined);
  const ariaLabel = peak
    ? format(c.chartAria, { title, n: report.all.total, peak: groupLabel(peak.key, by, c, NO_NAMES), max: peak.count })
    : format(c.chartAriaEmpty, { title });
  return (
    <figure className="stats-chart" data-testid={`chart-${by}`} data-by={by}>
      <figcaption>
        <strong>{title}</strong>
        <span className="chart-legend">
          <span className="swatch bar" /> {c.chartLegendCount} <span className="swatch dot" /> {c.chartLegendShare} <span className="swatch goal" />{' '}
          {c.chartLegendGoal} {WITHIN_TARGET_GOAL} %
        </span>
      </figcaption>
      <BarChart
        testId={`chart-${by}-svg`}
        ariaLabel={ariaLabel}
        bars={bars}
        label={(b) => barLabel(by, b.key, c)}
        barTitle={(b) => barTitle(by, b, c)}
        xAxis={c.statsGroupBys[by]}
        countAxis={c.chartCountAxis}
        shareAxis={c.chartShareAxis}
        goal={WITHIN_TARGET_GOAL}
        goalText={format(c.chartGoal, { goal: WITHIN_TARGET_GOAL })}
        onBar={onBar && ((b) => onBar(report, b))}
      />
    </figure>
  );
}

/** The charts of a period, in order: the trend, then the hour of day, then the weekday. */
export function StatsCharts({
  reports,
  timeZone,
  onBar,
}: {
  reports: readonly StatsAnswerReport[];
  timeZone: string;
  onBar?: (report: StatsAnswerReport, bar: ChartBar) => void;
}) {
  const { c } = useI18n();
  return (
    <div className="stats-charts" data-testid="stats-charts">
      {onBar && <p className="muted chart-hint">{c.chartHint}</p>}
      {reports.map((r) => (
        <StatsChart key={r.groupBy} report={r} timeZone={timeZone} onBar={onBar} />
      ))}
    </div>
  );
}

// renderer/ — the statistics' charts (issue 12, "charts that a chief would rather look at than read"): the trend by
// week or month, and the distributions by hour of day and by weekday, each from a report of the `stats` command
// grouped that way (the tables' figures, the tables' code: statsRows.ts). On the tab each bar opens the incidents
// behind it in History; in the printed report the same charts, without the links.
import { useLayoutEffect, useRef, useState } from 'react';
import { format, useI18n, type Catalogue } from '../../i18n';
import type { StatsAnswerReport } from '../../../shared/statsWire';
import { groupLabel, percentText, statDuration, WITHIN_TARGET_GOAL, type Names } from '../statsRows';
import { BarChart } from './BarChart';
import { chartBars, weekMonday, type ChartBar, type ChartBy } from './chartData';

/** A bar's short label under the axis. */
export function barLabel(by: ChartBy, key: string, c: Catalogue): string {
  switch (by) {
    case 'hour':
      return key;
    case 'weekday':
      return c.statsWeekdays[Number(key) - 1] ?? key;
    case 'week':
      return weekMonday(key) ?? key; // "11/30": the week's Monday
    case 'month':
      return c.chartMonths[Number(key.slice(5)) - 1] ?? key;
  }
}

const NO_NAMES: Names = { school: (id) => id, unit: (id) => id };

/** A bar's tooltip and name: its full label, count, the acknowledge p90 and share (as the tables write them). */
export function barTitle(by: ChartBy, bar: ChartBar, c: Catalogue): string {
  const ack = bar.group?.intervals.acknowledged;
  return format(c.chartBarTitle, {
    label: by === 'week' ? format(c.chartWeekOf, { w: bar.key, d: weekMonday(bar.key) ?? '' }) : groupLabel(bar.key, by, c, NO_NAMES),
    n: bar.count,
    p90: statDuration(ack?.p90),
    share: ack ? percentText(ack) : '—',
  });
}

export function StatsChart({
  report,
  timeZone,
  width,
  onBar,
}: {
  report: StatsAnswerReport;
  timeZone: string;
  /** The figure's outer width in CSS pixels. */
  width: number;
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
    <figure className="stats-chart" data-testid={`chart-${by}`} data-by={by} style={{ width }}>
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
        width={width - FIGURE_PADDING}
        label={(b) => barLabel(by, b.key, c)}
        barTitle={(b) => barTitle(by, b, c)}
        xAxis={by === 'week' ? c.chartWeekAxis : c.statsGroupBys[by]}
        countAxis={c.chartCountAxis}
        shareAxis={c.chartShareAxis}
        goal={WITHIN_TARGET_GOAL}
        goalText={format(c.chartGoal, { goal: WITHIN_TARGET_GOAL })}
        onBar={onBar && ((b) => onBar(report, b))}
      />
    </figure>
  );
}

/** A figure's padding and border, left and right (stats.css .stats-chart), and the gap between two figures. */
const FIGURE_PADDING = 18;
const GAP = 16;
/** From this width up, the trend and the weekday share a row (the hour of day, 24 bars, has the next one to itself). */
const TWO_UP = 860;

/**
 * The figures' widths for a container `width` wide: the trend and the weekday side by side (3 : 2) over the hour of
 * day where there is room, else one a row; each chart is drawn at its width (text never scaled, on screen or paper).
 */
export function chartLayout(width: number, bys: readonly string[]): Map<string, number> {
  const w = Math.max(300, Math.floor(width));
  const twoUp = w >= TWO_UP && bys.includes('weekday');
  return new Map(
    bys.map((by) => {
      if (!twoUp || by === 'hour') return [by, w];
      const pair = w - GAP;
      return [by, by === 'weekday' ? Math.floor(pair * 0.4) : Math.floor(pair * 0.6)];
    }),
  );
}

/** The charts of a period: the trend and the weekday, then the hour of day. */
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
  // The charts are drawn at the width they have (measured), so their text keeps its size.
  const box = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(0);
  useLayoutEffect(() => {
    const el = box.current;
    if (!el) return;
    setWidth(el.clientWidth);
    const ro = new ResizeObserver(() => setWidth(el.clientWidth));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);
  const order = (by: string): number => (by === 'hour' ? 1 : 0);
  const sorted = [...reports].sort((a, b) => order(a.groupBy) - order(b.groupBy));
  const widths = chartLayout(
    width,
    sorted.map((r) => r.groupBy),
  );
  return (
    <div className="stats-charts" data-testid="stats-charts" ref={box}>
      {onBar && <p className="muted chart-hint">{c.chartHint}</p>}
      {width > 0 && sorted.map((r) => <StatsChart key={r.groupBy} report={r} timeZone={timeZone} width={widths.get(r.groupBy)!} onBar={onBar} />)}
    </div>
  );
}

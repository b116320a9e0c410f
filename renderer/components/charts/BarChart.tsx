// renderer/ — a bar chart of the statistics as plain SVG: the incidents of each hour, weekday, week or month (bars,
// left axis) and the share acknowledged within target (dots, right axis, the 90 % goal dashed). Plain SVG, not
// ECharts (issue 12 suggested it): no dependency for an offline console, nothing for the strict CSP to allow
// (no inline script or style injection), the same element on screen and on paper (vector, so the A4 report prints
// crisp), coloured by the theme's CSS variables; and it is small enough to read whole. Its numbers are the tables'.
import type { KeyboardEvent } from 'react';
import { countScale, labelEvery, type ChartBar } from './chartData';
import { shareText } from '../statsRows';

export interface BarChartProps {
  testId: string;
  /** The whole chart in words (role="img"): what it shows and its peak. */
  ariaLabel: string;
  bars: readonly ChartBar[];
  /** A bar's label under the axis ("08", "周一", "W49"). */
  label: (bar: ChartBar) => string;
  /** A bar's tooltip and accessible name: its label, count, p90 and share. */
  barTitle: (bar: ChartBar) => string;
  /** The axes' names: the groups (x), the count (left), the share (right). */
  xAxis: string;
  countAxis: string;
  shareAxis: string;
  /** The share goal (a dashed line) and its label. */
  goal: number;
  goalText: string;
  /** The chart's width in CSS pixels (its SVG is drawn at this size: the text stays 12–13 px, never scaled). */
  width: number;
  /** A bar with incidents was chosen (click, Enter or Space): the incidents behind it. */
  onBar?: (bar: ChartBar) => void;
}

const H = 220;
/** Room for the axes: the top holds the axes' names above the value of the tallest bar. */
const M = { left: 46, right: 50, top: 38, bottom: 44 };
const LABEL_W = 36;
/** Narrower than this the chart would be unreadable: it scrolls instead. */
const MIN_W = 280;

export function BarChart(p: BarChartProps) {
  const n = p.bars.length;
  const W = Math.max(MIN_W, Math.floor(p.width));
  const plotW = W - M.left - M.right;
  const plotH = H - M.top - M.bottom;
  const bottom = M.top + plotH;
  const { top, ticks } = countScale(Math.max(0, ...p.bars.map((b) => b.count)));
  const band = n ? plotW / n : plotW;
  const barW = Math.max(2, Math.min(band * 0.7, 40));
  const every = labelEvery(n, plotW, LABEL_W);
  const xOf = (i: number): number => M.left + band * i + band / 2;
  const yCount = (v: number): number => bottom - (v / top) * plotH;
  const yShare = (v: number): number => bottom - (v / 100) * plotH;
  // The share's line, broken where a bucket has nothing acknowledged.
  const segments: string[] = [];
  let run: string[] = [];
  p.bars.forEach((b, i) => {
    if (b.share === undefined) {
      if (run.length > 1) segments.push(run.join(' '));
      run = [];
    } else run.push(`${xOf(i).toFixed(1)},${yShare(b.share).toFixed(1)}`);
  });
  if (run.length > 1) segments.push(run.join(' '));
  const choose = (b: ChartBar) => (p.onBar && b.count > 0 ? () => p.onBar!(b) : undefined);
  const key = (b: ChartBar) => (e: KeyboardEvent) => {
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      choose(b)?.();
    }
  };

  return (
    <svg className="chart" data-testid={p.testId} role="img" aria-label={p.ariaLabel} viewBox={`0 0 ${W} ${H}`} width={W} height={H} data-bars={n}>
      {/* Axes' names: count above the left axis, share above the right, the groups under the labels. */}
      <text className="chart-axis-name" x={M.left - 8} y={14} textAnchor="start">
        {p.countAxis}
      </text>
      <text className="chart-axis-name share" x={W - 4} y={14} textAnchor="end">
        {p.shareAxis}
      </text>
      <text className="chart-axis-name" x={M.left + plotW / 2} y={H - 4} textAnchor="middle">
        {p.xAxis}
      </text>
      {ticks.map((v) => (
        <g key={v}>
          <line className="chart-grid" x1={M.left} x2={M.left + plotW} y1={yCount(v)} y2={yCount(v)} />
          <text className="chart-tick" x={M.left - 6} y={yCount(v) + 4} textAnchor="end">
            {v}
          </text>
        </g>
      ))}
      {[0, 50, 100].map((v) => (
        <text key={v} className="chart-tick share" x={M.left + plotW + 6} y={yShare(v) + 4} textAnchor="start">
          {v} %
        </text>
      ))}
      <line className="chart-goal" x1={M.left} x2={M.left + plotW} y1={yShare(p.goal)} y2={yShare(p.goal)} />
      <text className="chart-goal-text" x={M.left + plotW - 2} y={yShare(p.goal) - 4} textAnchor="end">
        {p.goalText}
      </text>
      {p.bars.map((b, i) => {
        const onClick = choose(b);
        const h = bottom - yCount(b.count);
        return (
          <g
            key={b.key}
            className={onClick ? 'chart-bar-group clickable' : 'chart-bar-group'}
            data-testid="chart-bar"
            data-key={b.key}
            data-count={b.count}
            data-share={b.share === undefined ? '' : shareText(b.share)}
            onClick={onClick}
            onKeyDown={onClick ? key(b) : undefined}
            tabIndex={onClick ? 0 : undefined}
          >
            <title>{p.barTitle(b)}</title>
            {/* The whole column answers a click: a bar of 1 is as easy to hit as the tallest. */}
            <rect className="chart-hit" x={xOf(i) - band / 2} y={M.top} width={band} height={plotH} />
            <rect className="chart-bar" x={xOf(i) - barW / 2} y={bottom - h} width={barW} height={h} />
            {b.count > 0 && band >= 18 && (
              <text className="chart-value" x={xOf(i)} y={bottom - h - 4} textAnchor="middle">
                {b.count}
              </text>
            )}
            {i % every === 0 && (
              <text className="chart-label" x={xOf(i)} y={bottom + 16} textAnchor="middle">
                {p.label(b)}
              </text>
            )}
          </g>
        );
      })}
      <line className="chart-axis" x1={M.left} x2={M.left + plotW} y1={bottom} y2={bottom} />
      {segments.map((pts) => (
        <polyline key={pts} className="chart-share" points={pts} />
      ))}
      {p.bars.map((b, i) =>
        b.share === undefined ? null : (
          <g key={b.key}>
            <circle className={b.share < p.goal ? 'chart-dot below' : 'chart-dot'} cx={xOf(i)} cy={yShare(b.share)} r={4.5}>
              <title>{p.barTitle(b)}</title>
            </circle>
            {/* Where a bar is wide enough, the share is written beside its dot, in whole per cent rounded down as the
                table's tenths are (89.6 % is "89 %", never the goal it missed); the table has the decimal. */}
            {band >= 40 && (
              <text className={b.share < p.goal ? 'chart-share-value below' : 'chart-share-value'} x={xOf(i) + 8} y={yShare(b.share) + 4} textAnchor="start">
                {Math.floor(b.share + 1e-9)} %
              </text>
            )}
          </g>
        ),
      )}
    </svg>
  );
}

// test/unit/renderer — the statistics' charts' numbers: every bucket of the period drawn (empty ones at 0, in time
// order, on the station's calendar), the bars' heights and dots are the report's own group totals and acknowledge
// shares (the tables' figures), the count axis rounds up to a 1-2-5 step, and labels thin out rather than overlap.
import { describe, expect, it } from 'vitest';
import { bucketKeys, chartBars, countScale, labelEvery, trendBy, weekMonday } from '../../../renderer/components/charts/chartData';
import { DEFAULT_TARGETS } from '../../../shared/response';
import { responseStats, type GroupBy } from '../../../shared/responseStats';
import { trimReport } from '../../../shared/statsWire';
import type { Incident } from '../../../shared/incidentModel';
import { groupRows } from '../../../renderer/components/statsRows';
import { catalogues } from '../../../renderer/i18n';

const SH = 'Asia/Shanghai';
const H = 3_600_000;
const DAY = 86_400_000;
// 1 Dec 2026 00:00 in Shanghai (a Tuesday), to 1 Jan 2027.
const FROM = Date.UTC(2026, 10, 30, 16);
const TO = Date.UTC(2026, 11, 31, 16);

describe('buckets', () => {
  it('hours are 00..23 and weekdays 1..7 whatever the period', () => {
    expect(bucketKeys('hour', FROM, TO, SH)).toEqual(Array.from({ length: 24 }, (_, h) => String(h).padStart(2, '0')));
    expect(bucketKeys('weekday', FROM, FROM + DAY, SH)).toEqual(['1', '2', '3', '4', '5', '6', '7']);
  });

  it('weeks and months are those the period touches, on the station calendar (not UTC)', () => {
    // December 2026: Tue 1 Dec is in ISO week 49, Thu 31 Dec in week 53.
    expect(bucketKeys('week', FROM, TO, SH)).toEqual(['2026-W49', '2026-W50', '2026-W51', '2026-W52', '2026-W53']);
    expect(bucketKeys('month', FROM, TO, SH)).toEqual(['2026-12']);
    // In UTC the period starts on 30 November: the station's calendar says December only.
    expect(bucketKeys('month', FROM, FROM + 3 * DAY, SH)).toEqual(['2026-12']);
    // A year from 1 Dec 2025: 13 months, in order across the new year.
    const yearFrom = Date.UTC(2025, 10, 30, 16);
    const months = bucketKeys('month', yearFrom, TO, SH);
    expect(months).toHaveLength(13);
    expect(months[0]).toBe('2025-12');
    expect(months[12]).toBe('2026-12');
  });

  it('draws a trend by week up to a quarter, by month beyond', () => {
    expect(trendBy(FROM, TO)).toBe('week');
    expect(trendBy(FROM, FROM + 92 * DAY)).toBe('week');
    expect(trendBy(FROM, FROM + 93 * DAY)).toBe('month');
  });
});

/** A real alarm at `at`, acknowledged `ackMs` later (or never). */
function inc(id: string, at: number, ackMs?: number): Incident {
  return {
    id,
    schoolId: 'school-1',
    kind: 'panic',
    drill: false,
    receivedAt: at,
    shownAt: at + 200,
    ...(ackMs !== undefined ? { acknowledgedAt: at + ackMs, acknowledgedBy: { username: 'officer', displayName: '值班民警' } } : {}),
    dispatches: [],
    timeline: [],
  } as unknown as Incident;
}

function report(groupBy: GroupBy, incidents: Incident[]) {
  return trimReport(
    responseStats(incidents, {
      filter: { from: FROM, to: TO, class: 'real' },
      groupBy,
      targets: [{ from: 0, targets: DEFAULT_TARGETS }],
      areaOf: () => 'urban',
      timeZone: SH,
    }),
  );
}

describe('bars', () => {
  // 08:xx station time on 1 Dec: two within the 10 s target, one late; 22:xx on 2 Dec: one, never acknowledged.
  const incidents = [
    inc('a', FROM + 8 * H, 4000),
    inc('b', FROM + 8 * H + 60_000, 9000),
    inc('c', FROM + 8 * H + 120_000, 30_000),
    inc('d', FROM + DAY + 22 * H),
  ];

  it('by hour: 24 bars, the counted hours at their totals, the others 0; the dot is the share acknowledged within target', () => {
    const r = report('hour', incidents);
    const bars = chartBars(r, SH);
    expect(bars.map((b) => b.key)).toEqual(Array.from({ length: 24 }, (_, h) => String(h).padStart(2, '0')));
    expect(bars.map((b) => b.count)).toEqual(Array.from({ length: 24 }, (_, h) => (h === 8 ? 3 : h === 22 ? 1 : 0)));
    expect(bars[8]!.share).toBeCloseTo(200 / 3, 10);
    // Nothing acknowledged at 22: no dot (not a 0 % dot).
    expect(bars[22]!.share).toBeUndefined();
    expect(bars[3]).toMatchObject({ count: 0, group: undefined, share: undefined });
    // The bar's figures are the group table's: the same group object, the same total the table prints.
    const table = groupRows(r, catalogues.zh, { school: (x) => x, unit: (x) => x });
    for (const row of table.rows) expect(String(bars.find((b) => b.key === row.group.key)!.count)).toBe(row.cells[1]);
    expect(bars.reduce((n, b) => n + b.count, 0)).toBe(r.all.total);
  });

  it('by weekday and by week: every bucket, in order', () => {
    const byDay = chartBars(report('weekday', incidents), SH);
    // 1 Dec 2026 is a Tuesday (2), 2 Dec a Wednesday (3).
    expect(byDay.map((b) => b.count)).toEqual([0, 3, 1, 0, 0, 0, 0]);
    const byWeek = chartBars(report('week', incidents), SH);
    expect(byWeek.map((b) => [b.key, b.count])).toEqual([
      ['2026-W49', 4],
      ['2026-W50', 0],
      ['2026-W51', 0],
      ['2026-W52', 0],
      ['2026-W53', 0],
    ]);
  });
});

describe('scales', () => {
  it('rounds the count axis up to a 1-2-5 step with at most 5 steps', () => {
    expect(countScale(0)).toEqual({ top: 1, ticks: [0, 1] });
    expect(countScale(3)).toEqual({ top: 3, ticks: [0, 1, 2, 3] });
    expect(countScale(7)).toEqual({ top: 8, ticks: [0, 2, 4, 6, 8] });
    expect(countScale(10)).toEqual({ top: 10, ticks: [0, 2, 4, 6, 8, 10] });
    expect(countScale(11)).toEqual({ top: 15, ticks: [0, 5, 10, 15] });
    expect(countScale(1234)).toEqual({ top: 1500, ticks: [0, 500, 1000, 1500] });
    for (const m of [1, 2, 5, 9, 17, 99, 101, 4999, 123_456]) {
      const { top, ticks } = countScale(m);
      expect(top, String(m)).toBeGreaterThanOrEqual(m);
      expect(ticks.length, String(m)).toBeLessThanOrEqual(6);
      expect(ticks[ticks.length - 1]).toBe(top);
    }
  });

  it('labels every bar when they fit, else every n-th', () => {
    expect(labelEvery(24, 720, 30)).toBe(1);
    expect(labelEvery(53, 1084, 34)).toBe(2);
    expect(labelEvery(53, 300, 34)).toBe(7);
    expect(labelEvery(0, 300, 34)).toBe(1);
  });
});

describe('week labels', () => {
  it('name a week by its Monday (ISO weeks: week 1 holds the first Thursday)', () => {
    expect(weekMonday('2026-W49')).toBe('11/30');
    expect(weekMonday('2026-W01')).toBe('12/29'); // Monday 29 Dec 2025
    expect(weekMonday('2027-W01')).toBe('1/4');
    expect(weekMonday('2026-W53')).toBe('12/28');
    expect(weekMonday('2026-12')).toBeUndefined();
  });
});

// test/unit/shared — the `stats` answer stays small: the whole set's id lists cut at 200, each group's at its share
// of a budget (a year by 1,000 schools), every total kept; the figures themselves are untouched.
import { describe, expect, it } from 'vitest';
import type { Incident } from '../../../shared/incidentModel';
import { DEFAULT_TARGETS } from '../../../shared/response';
import { responseStats } from '../../../shared/responseStats';
import { groupListBound, trimReport } from '../../../shared/statsWire';
import { parseAnswer } from '../../../shared/consoleContract';

const inc = (i: number, schoolId: string): Incident =>
  ({
    id: `i-${i}`,
    schoolId,
    kind: 'panic',
    drill: false,
    receivedAt: 1_000 + i,
    acknowledgedAt: 100_000 + i,
    dispatches: [],
    notes: [],
  }) as unknown as Incident;

describe('trimReport', () => {
  it('shares the group budget: 200 ids for a few groups, 10 for a thousand, never fewer than 10', () => {
    expect([1, 24, 25, 53, 500, 1000, 5000].map(groupListBound)).toEqual([200, 200, 200, 94, 10, 10, 10]);
  });

  it('cuts the lists of 600 schools × 20 incidents to 10 per group and 200 for all, with their totals', () => {
    const incidents = Array.from({ length: 12_000 }, (_, i) => inc(i, `s-${String(i % 600).padStart(3, '0')}`));
    const full = responseStats(incidents, {
      filter: { from: 0, to: 1e9, class: 'real' },
      groupBy: 'school',
      targets: [{ from: 0, targets: DEFAULT_TARGETS }],
      areaOf: () => 'urban',
    });
    const r = trimReport(full);
    expect(r.all.ids.ids).toHaveLength(200);
    expect(r.all.ids.total).toBe(12_000);
    expect(r.all.intervals.acknowledged.withinTarget?.outside).toMatchObject({ total: 12_000 });
    expect(r.groups).toHaveLength(600);
    for (const g of r.groups) {
      expect(g.ids).toEqual({ ids: full.groups.find((x) => x.key === g.key)!.ids.slice(0, 10), total: 20 });
      expect(g.intervals.acknowledged).toMatchObject({ count: 20, p90: full.groups[0]!.intervals.acknowledged.p90 });
    }
    expect(JSON.stringify(r).length).toBeLessThan(1_000_000);
    expect(parseAnswer('stats', { ok: true, report: r }).ok).toBe(true);
  });
});

// test/unit/renderer — the statistics tab's periods on the station calendar (never the browser's zone), its
// durations, and its CSV: the very rows of the screen, with a BOM, every cell guarded against spreadsheet formulas.
import { describe, expect, it } from 'vitest';
import { parseCsv } from '../../../shared/csv';
import { responseStats } from '../../../shared/responseStats';
import { DEFAULT_TARGETS } from '../../../shared/response';
import { trimReport } from '../../../shared/statsWire';
import { catalogues } from '../../../renderer/i18n';
import { dayStart, groupRows, percentText, periodOf, statDuration, statsCsv, summaryRows } from '../../../renderer/components/statsRows';
import type { Incident } from '../../../shared/incidentModel';

const SH = 'Asia/Shanghai';
// 2026-12-04 03:15 in Shanghai is still 3 December in UTC: the station's month and day count, not UTC's.
const NOW = Date.UTC(2026, 11, 3, 19, 15);

describe('periods on the station calendar', () => {
  it('this month, last month (across a year), the last 7 days and custom dates are [from, to) in station time', () => {
    const custom = { from: '2026-11-01', to: '2026-11-30' };
    expect(periodOf('thisMonth', NOW, SH, custom)).toEqual({ from: Date.UTC(2026, 10, 30, 16), to: Date.UTC(2026, 11, 31, 16) });
    expect(periodOf('lastMonth', NOW, SH, custom)).toEqual({ from: Date.UTC(2026, 9, 31, 16), to: Date.UTC(2026, 10, 30, 16) });
    expect(periodOf('last7', NOW, SH, custom)).toEqual({ from: Date.UTC(2026, 10, 27, 16), to: Date.UTC(2026, 11, 4, 16) });
    expect(periodOf('custom', NOW, SH, custom)).toEqual({ from: Date.UTC(2026, 9, 31, 16), to: Date.UTC(2026, 10, 30, 16) });
    const january = Date.UTC(2027, 0, 10);
    expect(periodOf('lastMonth', january, SH, custom)).toEqual({ from: Date.UTC(2026, 10, 30, 16), to: Date.UTC(2026, 11, 31, 16) });
  });

  it('refuses custom dates that are no dates, reversed, or over 400 days', () => {
    for (const [from, to] of [
      ['2026-11-31', '2026-12-01'],
      ['2026/11/01', '2026-12-01'],
      ['2026-12-02', '2026-12-01'],
      ['2025-01-01', '2026-12-01'],
      ['', ''],
    ] as const)
      expect(periodOf('custom', NOW, SH, { from, to }), `${from} ${to}`).toBeUndefined();
    expect(dayStart(' 2026-12-01 ', SH)).toBe(Date.UTC(2026, 10, 30, 16));
  });
});

describe('durations', () => {
  it('seconds under a minute, minutes:seconds above', () => {
    expect(statDuration(undefined)).toBe('—');
    expect(statDuration(4_000)).toBe('4.0 s');
    expect(statDuration(12_300)).toBe('12 s');
    expect(statDuration(307_000)).toBe('5:07');
  });
});

describe('the CSV is the screen', () => {
  const inc = (id: string, schoolId: string, ackMs: number): Incident =>
    ({
      id,
      schoolId,
      kind: 'panic',
      drill: false,
      receivedAt: NOW,
      acknowledgedAt: NOW + ackMs,
      acknowledgedBy: { username: 'wang', displayName: '王', role: 'officer' },
      dispatches: [],
      notes: [],
    }) as unknown as Incident;

  it('writes a share within target to a tenth rounded down: a missed goal never reads as met', () => {
    const share = (percent: number | undefined) => percentText({ withinTarget: { percent } } as unknown as Parameters<typeof percentText>[0]);
    expect(share((8996 / 10000) * 100)).toBe('89.9 %');
    expect(share((29 / 50) * 100)).toBe('58.0 %'); // 57.99999999999999 in floating point
    expect(share(100)).toBe('100.0 %');
    expect(share(0)).toBe('0.0 %');
    expect(share(undefined)).toBe('—');
  });

  it('holds the summary and group rows as drawn, with a BOM, and a name starting with = guarded', () => {
    const incidents = [inc('i-1', 'school-1', 4_000), inc('i-2', '=cmd', 12_000)];
    const report = trimReport(
      responseStats(incidents, {
        filter: { from: NOW - 1, to: NOW + 1, class: 'real' },
        groupBy: 'school',
        targets: [{ from: 0, targets: DEFAULT_TARGETS }],
        areaOf: () => 'urban',
      }),
    );
    const c = catalogues.zh;
    const names = { school: (id: string) => (id === 'school-1' ? '示例小学' : id), unit: (id: string) => id };
    const text = statsCsv(report, c, names);
    expect(text.startsWith('\uFEFF')).toBe(true);
    const parsed = parseCsv(text);
    if (!parsed.ok) throw new Error('unparsable');
    const s = summaryRows(report, c);
    const g = groupRows(report, c, names);
    const rows = parsed.records.map((r) => r.fields);
    expect(rows.slice(0, 7)).toEqual([s.head, ...s.rows.map((r) => r.cells)]);
    // Nothing was shown (no console): both incidents have not reached that step, and no share is made of nothing.
    expect(rows[0]!.at(-1)).toBe('未到此环节');
    expect(rows[1]).toEqual(['收到→显示', '0', '—', '—', '—', '—', '—', '0', '2']);
    expect(rows[2]).toEqual(['收到→接警', '2', '4.0 s', '12 s', '12 s', '12 s', '50.0 %', '1', '0']);
    // Groups sort by key: '=cmd' before 'school-1'.
    expect(rows.slice(7)).toEqual([g.head, ["'=cmd", ...g.rows[0]!.cells.slice(1)], ['示例小学', '1', '1', ...g.rows[1]!.cells.slice(3)]]);
  });
});

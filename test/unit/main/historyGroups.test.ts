// test/unit/main — issue 12, "every figure links to the incidents behind it": the history lists the incidents of one
// group of the statistics (school, unit, officer, shift, hour, weekday, week, month; '' for the incidents without
// one), by the very keys the statistics count them under: for every grouping and every group of a period's
// statistics, the history's total is the group's total and its incidents are the group's. The group is strict on
// the wire: an unknown field, 'none', or a key that is no key of its time bucket is refused.
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Registry, type RegistryData } from '../../../main/core/registry';
import { hashSecret, type SecretHash } from '../../../main/core/secrets';
import type { Station } from '../../../main/core/station';
import type { HistoryPage } from '../../../shared/historyWire';
import { historyRequestSchema } from '../../../shared/historyWire';
import { GROUP_BYS, STAT_INTERVALS, type SplitBy } from '../../../shared/responseStats';
import type { StatsAnswerReport } from '../../../shared/statsWire';
import { chief, officer } from '../../support/operators';
import { registryOf, school, stationSchools, terminal, unitRecord, useStationBench } from '../../support/registryFixture';

// 10:15 station time (Asia/Shanghai) on Monday 30 Nov 2026: the incidents below run into December and a second week.
const T0 = Date.UTC(2026, 10, 30, 2, 15, 0);
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

let secret: SecretHash;
beforeAll(async () => {
  secret = await hashSecret('terminal-token');
});
const registryData = (): RegistryData =>
  registryOf({
    schools: [...stationSchools(), school('school-3', { name: '示例第三小学' })],
    units: [unitRecord('U-1', undefined), unitRecord('U-2', undefined)],
    terminals: [terminal('T-1', 'school-1', secret), terminal('T-2', 'school-2', secret), terminal('T-3', 'school-3', secret)],
  });
const bench = useStationBench('history-groups-test-', { mute: ['error', 'log'] });
let now: number;
function station(): Station {
  return bench.station(new Registry(registryData()), { now: () => now, heartbeatMs: 3_600_000 }, bench.journal());
}
beforeEach(() => {
  now = T0;
});

const period = { from: T0 - DAY_MS, to: T0 + 12 * DAY_MS, class: 'real' as const };

/**
 * 30 real alarms 7 h apart (every hour of the day, every weekday, two ISO weeks and two months): acknowledged by
 * the officer or the chief, some dispatched to one or both units, resolved; the last three still open, unacknowledged.
 */
function county(s: Station): string[] {
  const ids: string[] = [];
  for (let i = 0; i < 30; i++) {
    now = T0 + i * 7 * HOUR_MS;
    const r = s.terminals.receiveAlarm(`T-${(i % 3) + 1}`, { alarmId: `g${i}`, kind: 'panic', raisedAt: now - 100 });
    if (!r.ok) throw new Error(JSON.stringify(r));
    ids.push(r.incidentId);
    if (i >= 27) continue;
    now += 5_000 + i * 1000;
    expect(s.operators.acknowledge(i % 2 ? chief : officer, r.incidentId)).toEqual({ ok: true });
    if (i % 3 !== 0) expect(s.operators.dispatchUnit(officer, r.incidentId, 'U-1')).toEqual({ ok: true });
    if (i % 4 === 0) expect(s.operators.dispatchUnit(officer, r.incidentId, 'U-2')).toEqual({ ok: true });
    now += 60_000;
    expect(s.operators.resolve(officer, r.incidentId, 'false_alarm', 'checked', undefined)).toEqual({ ok: true });
  }
  return ids;
}

async function stats(s: Station, groupBy: string): Promise<StatsAnswerReport> {
  const r = await s.stats.query(chief, { ...period, groupBy });
  if (!r.ok) throw new Error(JSON.stringify(r));
  return r.report;
}
async function history(s: Station, req: Record<string, unknown>): Promise<HistoryPage> {
  const r = await s.history.query(chief, { ...period, offset: 0, limit: 200, ...req });
  if (!r.ok) throw new Error(JSON.stringify(r));
  return r.page;
}

describe('the incidents behind a figure of the statistics', () => {
  it('are, for every grouping and every group, exactly the group’s incidents (its total, its ids)', async () => {
    const s = station();
    const all = county(s);
    const splits = GROUP_BYS.filter((g): g is SplitBy => g !== 'none');
    for (const by of splits) {
      const report = await stats(s, by);
      expect(report.all.total, by).toBe(30);
      // One station here, so one group by station (two stations: test/unit/main/stations.test.ts).
      expect(report.groups.length, by).toBeGreaterThan(by === 'station' ? 0 : 1);
      for (const g of report.groups) {
        const page = await history(s, { group: { by, key: g.key } });
        expect(page.total, `${by} ${g.key}`).toBe(g.total);
        expect(page.rows.map((r) => r.id).sort(), `${by} ${g.key}`).toEqual([...g.ids.ids].sort());
        // And the open figure: the same group, the open ones.
        expect((await history(s, { group: { by, key: g.key }, state: 'open' })).total, `${by} ${g.key} open`).toBe(g.open);
      }
    }
    // The buckets the data must have produced (so the loop above compared something real).
    expect((await stats(s, 'hour')).groups.length).toBe(24);
    expect((await stats(s, 'weekday')).groups.length).toBe(7);
    expect((await stats(s, 'month')).groups.map((g) => g.key)).toEqual(['2026-11', '2026-12']);
    expect((await stats(s, 'week')).groups.map((g) => g.key)).toEqual(['2026-W49', '2026-W50']);
    // The incidents with no group: the three never acknowledged (by officer), never dispatched (by unit).
    expect((await history(s, { group: { by: 'officer', key: '' } })).rows.map((r) => r.id).sort()).toEqual(all.slice(27).sort());
    const noUnit = await history(s, { group: { by: 'unit', key: '' } });
    expect(noUnit.rows.map((r) => r.id).sort()).toEqual(all.filter((_, i) => i >= 27 || (i % 3 === 0 && i % 4 !== 0)).sort());
    // An incident sent two units counts in both units' groups: the figures of unit groups add up to more than 30.
    const u1 = await history(s, { group: { by: 'unit', key: 'U-1' } });
    const u2 = await history(s, { group: { by: 'unit', key: 'U-2' } });
    expect(u1.total + u2.total + noUnit.total).toBeGreaterThan(30);
    // The hour is the station's wall clock: the first alarm (10:15 in Shanghai, 02:15 UTC) is in hour "10".
    expect((await history(s, { group: { by: 'hour', key: '10' } })).rows.map((r) => r.id)).toContain(all[0]);
    expect((await history(s, { group: { by: 'hour', key: '02' } })).rows.map((r) => r.id)).not.toContain(all[0]);
    // A group with other filters: the class still holds (no drill in a real alarm's figure).
    expect((await history(s, { class: 'drill', group: { by: 'hour', key: '10' } })).total).toBe(0);
  });

  it('for an interval’s n: the incidents whose interval happened, over the period and within each group', async () => {
    const s = station();
    county(s);
    const byHour = await stats(s, 'hour');
    for (const interval of STAT_INTERVALS) {
      expect((await history(s, { reached: interval })).total, interval).toBe(byHour.all.intervals[interval].count);
      for (const g of byHour.groups)
        expect((await history(s, { reached: interval, group: { by: 'hour', key: g.key } })).total, `${interval} ${g.key}`).toBe(g.intervals[interval].count);
    }
    // By unit, each unit's own dispatch and acceptance (unitView): the incidents behind a unit's n are its own.
    const byUnit = await stats(s, 'unit');
    for (const interval of STAT_INTERVALS)
      for (const g of byUnit.groups)
        expect((await history(s, { reached: interval, group: { by: 'unit', key: g.key } })).total, `${interval} ${g.key}`).toBe(g.intervals[interval].count);
    // Something to compare: 27 of 30 acknowledged, some dispatched, none on scene.
    expect(byHour.all.intervals.acknowledged.count).toBe(27);
    expect(byHour.all.intervals.dispatched.count).toBeGreaterThan(0);
    expect((await history(s, { reached: 'on_scene' })).total).toBe(0);
    expect(historyRequestSchema.safeParse({ ...period, offset: 0, limit: 5, reached: 'arrived' }).success).toBe(false);
  });

  it('is refused when the group is not one: unknown field, no grouping, or a key that is no key of its bucket', async () => {
    const s = station();
    const base = { ...period, offset: 0, limit: 50 };
    expect(historyRequestSchema.safeParse({ ...base, group: { by: 'hour', key: '23' } }).success).toBe(true);
    expect(historyRequestSchema.safeParse({ ...base, group: { by: 'officer', key: '' } }).success).toBe(true);
    const bad: unknown[] = [
      { by: 'none', key: '' },
      { by: 'hour', key: '24' },
      { by: 'hour', key: '7' },
      { by: 'weekday', key: '0' },
      { by: 'weekday', key: '8' },
      { by: 'week', key: '2026-W54' },
      { by: 'week', key: '2026-12' },
      { by: 'month', key: '2026-13' },
      { by: 'school', key: 'school-1', extra: true },
      { by: 'school' },
      { by: 'school', key: 'x'.repeat(201) },
      { by: 'kind', key: 'panic' },
      'hour:10',
      null,
    ];
    for (const group of bad) {
      expect(historyRequestSchema.safeParse({ ...base, group }).success, JSON.stringify(group)).toBe(false);
      expect(await s.history.query(chief, { ...base, group }), JSON.stringify(group)).toMatchObject({ ok: false, error: { code: 'invalid_payload' } });
    }
  });
});

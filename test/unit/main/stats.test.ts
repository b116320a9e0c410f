// test/unit/main — issue 12, first slice: the core answers the `stats` command from its folded state, for chiefs and
// officers only, refuses a malformed or hostile request without changing anything, judges each incident by the
// targets in force at its time (the history of targets.set records, kept across a restart and a state snapshot).
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Journal } from '../../../main/core/journal';
import { Registry, type RegistryData } from '../../../main/core/registry';
import { hashSecret, type SecretHash } from '../../../main/core/secrets';
import { StationRestore, type Station } from '../../../main/core/station';
import { StationStats } from '../../../main/core/stationStats';
import type { StatsAck } from '../../../shared/consoleContract';
import type { OperatorRef } from '../../../shared/events';
import { DEFAULT_TARGETS } from '../../../shared/response';
import type { StatsAnswerReport } from '../../../shared/statsWire';
import { admin, chief, officer, trainer } from '../../support/operators';
import { registryOf, stationSchools, terminal, useStationBench } from '../../support/registryFixture';

// 10:15 station time (Asia/Shanghai) on 30 Nov 2026: the day shift.
const T0 = Date.UTC(2026, 10, 30, 2, 15, 0);
const DAY_MS = 86_400_000;

let secret: SecretHash;
beforeAll(async () => {
  secret = await hashSecret('terminal-token');
});

const registryData = (): RegistryData =>
  registryOf({
    schools: stationSchools(),
    terminals: [terminal('T-1', 'school-1', secret), terminal('T-2', 'school-2', secret)],
  });

const bench = useStationBench('stats-test-', { mute: ['error', 'log'] });
let now: number;
const clock = (): number => now;
function station(j: Journal = bench.journal(), opts: { restored?: StationRestore } = {}): Station {
  return bench.station(new Registry(registryData()), { now: clock, heartbeatMs: 3_600_000, ...opts }, j);
}
beforeEach(() => {
  now = T0;
});

/** An alarm from `device` at `at`, acknowledged by `who` `ackAfterMs` later. */
function alarm(
  s: Station,
  device: string,
  alarmId: string,
  at: number,
  ackAfterMs: number,
  extra: Record<string, unknown> = {},
  who: OperatorRef = officer,
): string {
  now = at;
  const r = s.terminals.receiveAlarm(device, { alarmId, kind: 'panic', raisedAt: at - 100, ...extra });
  if (!r.ok) throw new Error(JSON.stringify(r));
  now = at + ackAfterMs;
  expect(s.operators.acknowledge(who, r.incidentId)).toEqual({ ok: true });
  return r.incidentId;
}

const period = { from: T0 - DAY_MS, to: T0 + DAY_MS };
function report(a: StatsAck): StatsAnswerReport {
  if (!a.ok) throw new Error(JSON.stringify(a));
  return a.report;
}

describe("stats: an incident keeps its school's area class", () => {
  it('the alarm records the area class of its school; a school reclassified later changes only the alarms after it', async () => {
    const s = station();
    const a = alarm(s, 'T-1', 'a1', T0, 4_000);
    expect(s.operators.resolve(officer, a, 'real', '')).toEqual({ ok: true });
    expect(s.registry.school('school-1')?.area).toBe('urban');
    s.registry.update((x) => void (x.schools.find((sc) => sc.id === 'school-1')!.area = 'rural'));
    const b = alarm(s, 'T-1', 'a2', T0 + 3_600_000, 4_000);
    const received = s.ledger.journal.records.flatMap((r) => (r.event.type === 'alarm.received' ? [[r.event.incidentId, r.event.area]] : []));
    expect(received).toEqual([
      [a, 'urban'],
      [b, 'rural'],
    ]);
    expect([s.ledger.state.incidents.get(a)?.area, s.ledger.state.incidents.get(b)?.area]).toEqual(['urban', 'rural']);
  });
});

describe('stats: the figures of a period', () => {
  it('a chief reads count, percentiles, max and share within the acknowledge target; drills and tests apart', async () => {
    const s = station();
    const a = alarm(s, 'T-1', 'a1', T0, 4_000);
    const b = alarm(s, 'T-2', 'a2', T0 + 60_000, 12_000); // late: the target is 10 s
    const c = alarm(s, 'T-1', 'a3', T0 + 120_000, 8_000, { drill: true });
    const r = report(await s.stats.query(chief, { ...period, class: 'real', groupBy: 'school' }));
    expect(r.all.total).toBe(2);
    expect(r.all.ids).toEqual({ ids: [a, b], total: 2 });
    const ack = r.all.intervals.acknowledged;
    expect(ack).toMatchObject({ count: 2, missing: 0, p50: 4_000, p90: 12_000, p95: 12_000, max: 12_000, maxId: b });
    expect(ack.withinTarget).toEqual({ count: 1, percent: 50, outside: { ids: [b], total: 1 } });
    expect(r.all.intervals.dispatched).toMatchObject({ count: 0, missing: 2 });
    expect(r.groups.map((g) => [g.key, g.total, g.open])).toEqual([
      ['school-1', 1, 1],
      ['school-2', 1, 1],
    ]);
    const drills = report(await s.stats.query(officer, { ...period, class: 'drill', groupBy: 'none' }));
    expect(drills.all.ids).toEqual({ ids: [c], total: 1 });
    expect(drills.all.intervals.acknowledged.withinTarget?.percent).toBe(100);
    // The period is [from, to) on receivedAt.
    expect(report(await s.stats.query(chief, { from: T0 + 1, to: T0 + DAY_MS, class: 'real', groupBy: 'none' })).all.ids.ids).toEqual([b]);
  });

  it('gives the event loop back between slices of incidents, so an alarm is never held up by a long query', async () => {
    const s = station();
    // Each press a kind of its own, so none joins an open alarm of its terminal as a repeat.
    const kinds = ['panic', 'intrusion', 'violence', 'fire'];
    const ids = [0, 1, 2, 3, 4, 5, 6].map((n) => alarm(s, n % 2 ? 'T-1' : 'T-2', `slice-${n}`, T0 + n * 60_000, 2_000, { kind: kinds[n >> 1] }));
    const sliced = new StationStats(s.ledger, 'Asia/Shanghai', 2);
    let turns = 0;
    let done = false;
    const tick = (): void => {
      turns++;
      if (!done) setImmediate(tick);
    };
    setImmediate(tick);
    const r = report(await sliced.query(chief, { ...period, class: 'real', groupBy: 'none' }));
    done = true;
    expect(r.all.ids.ids).toEqual(ids);
    expect(turns).toBeGreaterThanOrEqual(3); // 7 incidents, 2 per slice: the loop turned 3 times before the answer
  });

  it('groups by officer and shift on the station clock', async () => {
    const s = station();
    alarm(s, 'T-1', 'a1', T0, 4_000, {}, officer);
    alarm(s, 'T-2', 'a2', T0 + 11 * 3_600_000, 4_000, {}, chief); // 21:15 station time: night
    const byOfficer = report(await s.stats.query(chief, { ...period, class: 'real', groupBy: 'officer' }));
    expect(byOfficer.groups.map((g) => [g.key, g.total])).toEqual([
      ['wang', 1],
      ['zhang', 1],
    ]);
    const byShift = report(await s.stats.query(chief, { ...period, class: 'real', groupBy: 'shift' }));
    expect(byShift.groups.map((g) => [g.key, g.total])).toEqual([
      ['day', 1],
      ['night', 1],
    ]);
    const byOfficerFiltered = report(await s.stats.query(chief, { ...period, class: 'real', groupBy: 'none', officer: 'zhang' }));
    expect(byOfficerFiltered.all.total).toBe(1);
  });

  it('cuts every id list to its first 200 ids and keeps the total', async () => {
    const s = station();
    const ids: string[] = [];
    for (let i = 0; i < 205; i++) {
      ids.push(alarm(s, i % 2 ? 'T-1' : 'T-2', `a${i}`, T0 + i * 1_000_000, 20_000));
      expect(s.operators.resolve(officer, ids[i]!, 'false_alarm', '')).toEqual({ ok: true }); // else the next press repeats it
    }
    const r = report(await s.stats.query(chief, { from: T0, to: T0 + 300 * 1_000_000, class: 'real', groupBy: 'none' }));
    expect(r.all.total).toBe(205);
    expect(r.all.ids.total).toBe(205);
    expect(r.all.ids.ids).toEqual(ids.slice(0, 200));
    expect(r.all.intervals.acknowledged.withinTarget?.outside.total).toBe(205);
    expect(r.all.intervals.acknowledged.withinTarget?.outside.ids).toHaveLength(200);
  });
});

describe('stats: who may read them, and what is refused', () => {
  it('is refused to a trainer and an admin (forbidden), before the payload is read', async () => {
    const s = station();
    for (const op of [trainer, admin]) {
      const r = await s.stats.query(op, { bogus: true });
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error).toMatchObject({ code: 'forbidden', reason: 'not_permitted' });
    }
  });

  it.each([
    ['no period', { class: 'real', groupBy: 'none' }],
    ['from after to', { from: T0, to: T0 - 1, class: 'real', groupBy: 'none' }],
    ['from equal to to', { from: T0, to: T0, class: 'real', groupBy: 'none' }],
    ['a period over 400 days', { from: T0, to: T0 + 401 * DAY_MS, class: 'real', groupBy: 'none' }],
    ['an unknown class', { ...period, class: 'training', groupBy: 'none' }],
    ['an unknown grouping', { ...period, class: 'real', groupBy: 'constructor' }],
    ['a kind not known', { ...period, class: 'real', groupBy: 'none', kinds: ['__proto__'] }],
    ['school ids not a list', { ...period, class: 'real', groupBy: 'none', schoolIds: 'school-1' }],
    ['a string for a time', { from: String(T0), to: T0 + 1, class: 'real', groupBy: 'none' }],
    ['not an object', 'stats'],
  ])('refuses %s as invalid_payload and writes nothing', async (_what, payload) => {
    const j = bench.journal();
    const s = station(j);
    alarm(s, 'T-1', 'a1', T0, 4_000);
    const before = j.records.length;
    const r = await s.stats.query(chief, payload);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.code).toBe('invalid_payload');
    expect(j.records.length).toBe(before);
  });

  it('a hostile school id or officer is an ordinary value that matches nothing', async () => {
    const s = station();
    alarm(s, 'T-1', 'a1', T0, 4_000);
    for (const extra of [{ schoolIds: ['__proto__', 'constructor'] }, { officer: '__proto__' }, { unitId: 'toString' }]) {
      const r = report(await s.stats.query(chief, { ...period, class: 'real', groupBy: 'school', ...extra }));
      expect(r.all.total).toBe(0);
      expect(r.groups).toEqual([]);
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('stats: the targets in force at the time of each incident', () => {
  it('an incident before an admin changed the targets is judged by the old ones, one after by the new', async () => {
    const j = bench.journal();
    const s = station(j);
    const early = alarm(s, 'T-1', 'a1', T0, 8_000); // within the default 10 s
    now = T0 + 3_600_000;
    expect(s.admin.setTargets(admin, { ...DEFAULT_TARGETS, acknowledgeMs: 5_000 })).toEqual({ ok: true });
    const late = alarm(s, 'T-2', 'a2', T0 + 7_200_000, 8_000); // outside the new 5 s
    const within = async (st: Station) =>
      report(await st.stats.query(chief, { ...period, class: 'real', groupBy: 'none' })).all.intervals.acknowledged.withinTarget;
    expect(await within(s)).toEqual({ count: 1, percent: 50, outside: { ids: [late], total: 1 } });
    expect((await within(s))?.outside.ids).not.toContain(early);

    // After a restart the history is read again from the journal: the same answer.
    j.close();
    const j2 = bench.journal();
    expect(await within(station(j2))).toEqual({ count: 1, percent: 50, outside: { ids: [late], total: 1 } });
  });

  it('with no change recorded, the registry profile in force is the one judged by', async () => {
    const s = station();
    const registry = s.registry;
    registry.setTargets({ ...DEFAULT_TARGETS, acknowledgeMs: 3_000 }); // a registry file with its own targets
    const id = alarm(s, 'T-1', 'a1', T0, 4_000);
    const r = report(await s.stats.query(chief, { ...period, class: 'real', groupBy: 'none' }));
    expect(r.all.intervals.acknowledged.withinTarget?.outside.ids).toEqual([id]);
  });

  it('a start from a state snapshot keeps the changes journalled before it', async () => {
    const j = bench.journal();
    const s = station(j);
    now = T0 - 3_600_000;
    expect(s.admin.setTargets(admin, { ...DEFAULT_TARGETS, acknowledgeMs: 5_000 })).toEqual({ ok: true });
    const id = alarm(s, 'T-1', 'a1', T0, 8_000);
    // What a snapshot carries (main/core/snapshot.ts): the state, the statuses and the target changes.
    const restored = new StationRestore({ state: s.ledger.state, lastStatus: new Map(s.ledger.statuses), targetChanges: s.ledger.targetChanges });
    j.close();
    const again = station(bench.journal(), { restored });
    const r = report(await again.stats.query(chief, { ...period, class: 'real', groupBy: 'none' }));
    expect(r.all.intervals.acknowledged.withinTarget).toEqual({ count: 0, percent: 0, outside: { ids: [id], total: 1 } });
  });
});

// test/unit/main — issue 12, the history: the core answers `history` with one page of the incidents that match
// (the statistics' filters plus the incident's state), newest first, with real alarms, drills and tests never
// together, and `incident` with one incident whole; officers, chiefs and trainers may read, an admin may not; a
// malformed or hostile request is refused and nothing is journalled.
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Registry, type RegistryData } from '../../../main/core/registry';
import { hashSecret, type SecretHash } from '../../../main/core/secrets';
import type { Station } from '../../../main/core/station';
import { StationHistory } from '../../../main/core/stationHistory';
import type { HistoryAck } from '../../../shared/consoleContract';
import type { HistoryPage } from '../../../shared/historyWire';
import { admin, chief, officer, trainer } from '../../support/operators';
import { registryOf, school, stationSchools, terminal, unitRecord, useStationBench } from '../../support/registryFixture';

const T0 = Date.UTC(2026, 10, 30, 2, 15, 0);
const DAY_MS = 86_400_000;

let secret: SecretHash;
beforeAll(async () => {
  secret = await hashSecret('terminal-token');
});
const registryData = (): RegistryData =>
  registryOf({
    schools: [...stationSchools(), school('school-3', { name: '示例第三小学' })],
    units: [unitRecord('U-1', undefined)],
    terminals: [terminal('T-1', 'school-1', secret), terminal('T-2', 'school-2', secret), terminal('T-3', 'school-3', secret)],
  });
const bench = useStationBench('history-test-', { mute: ['error', 'log'] });
let now: number;
function station(): Station {
  return bench.station(new Registry(registryData()), { now: () => now, heartbeatMs: 3_600_000 }, bench.journal());
}
beforeEach(() => {
  now = T0;
});

function press(s: Station, device: string, alarmId: string, at: number, extra: Record<string, unknown> = {}): string {
  now = at;
  const r = s.terminals.receiveAlarm(device, { alarmId, kind: 'panic', raisedAt: at - 100, ...extra });
  if (!r.ok) throw new Error(JSON.stringify(r));
  return r.incidentId;
}
const base = { from: T0 - DAY_MS, to: T0 + DAY_MS, class: 'real' as const, offset: 0, limit: 50 };
async function page(s: Station, req: Record<string, unknown>, who = chief): Promise<HistoryPage> {
  const r = await s.history.query(who, { ...base, ...req });
  if (!r.ok) throw new Error(JSON.stringify(r));
  return r.page;
}

describe('history', () => {
  it('lists the matching incidents newest first, a page at a time, with the total', async () => {
    const s = station();
    const ids = Array.from({ length: 6 }, (_, i) => press(s, `T-${(i % 3) + 1}`, `a${i}`, T0 + i * 60_000, { kind: i % 2 ? 'fire' : 'violence' }));
    const first = await page(s, { limit: 3 });
    expect(first.total).toBe(6);
    expect(first.rows.map((r) => r.id)).toEqual([ids[5], ids[4], ids[3]]);
    expect((await page(s, { limit: 3, offset: 3 })).rows.map((r) => r.id)).toEqual([ids[2], ids[1], ids[0]]);
    const last = await page(s, { limit: 3, offset: 5 });
    expect(last).toMatchObject({ total: 6, offset: 5 });
    expect(last.rows.map((r) => r.id)).toEqual([ids[0]]);
    // Filters: a school, a kind; the period is [from, to).
    expect((await page(s, { schoolIds: ['school-2'] })).rows.map((r) => r.id)).toEqual([ids[4], ids[1]]);
    expect((await page(s, { kinds: ['fire'] })).total).toBe(3);
    expect((await page(s, { from: T0 + 60_000, to: T0 + 3 * 60_000 })).rows.map((r) => r.id)).toEqual([ids[2], ids[1]]);
    // The statistics' figures name incidents: those are looked up, still within the period and class.
    expect((await page(s, { ids: [ids[3]!, ids[0]!, 'nope', '__proto__'] })).rows.map((r) => r.id)).toEqual([ids[3], ids[0]]);
  });

  it('keeps real alarms, drills and test presses apart, and filters by state, officer, unit and disposition', async () => {
    const s = station();
    const real = press(s, 'T-1', 'r1', T0);
    const drill = press(s, 'T-2', 'd1', T0 + 1000, { drill: true });
    const test = press(s, 'T-3', 't1', T0 + 2000, { kind: 'test' });
    expect((await page(s, {})).rows.map((r) => r.id)).toEqual([real]);
    expect((await page(s, { class: 'drill' })).rows.map((r) => r.id)).toEqual([drill]);
    expect((await page(s, { class: 'test' })).rows.map((r) => r.id)).toEqual([test]);
    now = T0 + 5000;
    expect(s.operators.acknowledge(officer, real)).toEqual({ ok: true });
    const unit = 'U-1';
    expect(s.operators.dispatchUnit(officer, real, unit)).toEqual({ ok: true });
    expect((await page(s, { officer: officer.username })).rows.map((r) => r.id)).toEqual([real]);
    expect((await page(s, { officer: chief.username })).total).toBe(0);
    const row = (await page(s, { unitId: unit })).rows[0]!;
    expect(row).toMatchObject({
      id: real,
      acknowledgedAt: T0 + 5000,
      acknowledgedBy: { username: officer.username },
      dispatchedAt: T0 + 5000,
      unitIds: [unit],
    });
    expect((await page(s, { state: 'resolved' })).total).toBe(0);
    expect((await page(s, { state: 'open' })).total).toBe(1);
    now = T0 + 60_000;
    expect(s.operators.resolve(officer, real, 'false_alarm', 'checked', undefined)).toEqual({ ok: true });
    expect((await page(s, { state: 'resolved', disposition: 'false_alarm' })).rows.map((r) => r.id)).toEqual([real]);
    expect((await page(s, { disposition: 'real' })).total).toBe(0);
  });

  it('gives one incident whole, with its timeline; an unknown or hostile id is refused', async () => {
    const s = station();
    const id = press(s, 'T-1', 'w1', T0);
    const r = s.history.incident(trainer, { incidentId: id });
    expect(r.ok && r.incident.timeline.map((e) => e.type)).toEqual(['alarm.received']);
    for (const incidentId of ['nope', '__proto__', 'constructor', 'a\u0000b'])
      expect(s.history.incident(chief, { incidentId })).toMatchObject({ ok: false, error: { code: 'unknown_alarm' } });
  });

  it('is read by officers, chiefs and trainers, not by an admin; bad requests are refused and nothing is journalled', async () => {
    const s = station();
    press(s, 'T-1', 'x1', T0);
    const seq = s.ledger.state.seq;
    for (const who of [officer, chief, trainer]) expect((await s.history.query(who, base)).ok).toBe(true);
    expect(await s.history.query(admin, base)).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(s.history.incident(admin, { incidentId: 'x' })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    const bad: unknown[] = [
      {},
      { ...base, limit: 0 },
      { ...base, limit: 201 },
      { ...base, offset: -1 },
      { ...base, class: 'all' },
      { ...base, from: base.to, to: base.from },
      { ...base, to: base.from + 401 * DAY_MS },
      { ...base, state: 'closed' },
      { ...base, schoolIds: 'school-1' },
      null,
      'history',
    ];
    for (const b of bad) {
      const r: HistoryAck = await s.history.query(chief, b);
      expect(r, JSON.stringify(b)).toMatchObject({ ok: false, error: { code: 'invalid_payload' } });
    }
    // A key that is not in the request is dropped, whatever its name: nothing reaches Object.prototype.
    expect(
      (await s.history.query(chief, JSON.parse(`{"__proto__":{"polluted":true},"from":${base.from},"to":${base.to},"class":"real","offset":0,"limit":5}`))).ok,
    ).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(s.ledger.state.seq).toBe(seq);
  });

  it('answers a big station in slices, leaving the event loop free between them', async () => {
    const s = station();
    // Three terminals, six kinds: 18 open incidents (a further press of an open kind would join its incident).
    const kinds = ['panic', 'intrusion', 'violence', 'fire', 'medical', 'other'] as const;
    for (let i = 0; i < 18; i++) press(s, `T-${(i % 3) + 1}`, `b${i}`, T0 + i * 1000, { kind: kinds[Math.floor(i / 3)] });
    const h = new StationHistory(s.ledger, 4);
    // Something waiting for the next turn of the event loop runs before the answer is ready (it would not if the
    // query ran through in one go).
    let turned = false;
    setImmediate(() => (turned = true));
    const r = await h.query(chief, base);
    expect(turned).toBe(true);
    expect(r.ok && r.page.total).toBe(18);
  });
});

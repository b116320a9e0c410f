// test/unit/main — test presses (issue 11, point 2) and dispositions (point 6) in the station core, over a real
// journal: a test press is taken and closed by the station (test.acknowledged), the school hears 接警 then
// 处置完毕, it never escalates nor joins; the last test press survives a restart; a terminal overdue for its test
// press raises a test_overdue fault; and resolve refuses a disposition that contradicts the incident unless overridden.
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Journal } from '../../../main/core/journal';
import { Registry, type RegistryData } from '../../../main/core/registry';
import { hashSecret, type SecretHash } from '../../../main/core/secrets';
import { Station, type CommandResult } from '../../../main/core/station';
import { dispositionConflict } from '../../../shared/incidents';
import type { StationEvent } from '../../../shared/events';
import type { AlarmStatus } from '../../../shared/protocol';
import { officer } from '../../support/operators';
import { registryOf, stationSchools, terminal, useStationBench } from '../../support/registryFixture';

const T0 = new Date(2026, 10, 30, 10, 15, 0).getTime();
const DAY_MS = 86_400_000;

let secret: SecretHash;
beforeAll(async () => {
  secret = await hashSecret('terminal-token');
});
const registryData = (): RegistryData =>
  registryOf({ schools: [stationSchools()[0]!], terminals: [terminal('T-1', 'school-1', secret), terminal('T-2', 'school-1', secret)] });

const bench = useStationBench('test-presses-', { mute: ['error', 'log'] });
let now: number;
beforeEach(() => {
  now = T0;
});
function station(j: Journal = bench.journal(), testOverdueMs = 30 * DAY_MS): Station {
  // A very long heartbeat keeps the terminals from going offline while the clock jumps by days.
  return bench.station(new Registry(registryData()), { now: () => now, heartbeatMs: 365 * DAY_MS, testOverdueMs }, j);
}
const types = (j: Journal, from = 0): StationEvent['type'][] => j.records.slice(from).map((r) => r.event.type);
function ok(r: CommandResult | { ok: boolean }): void {
  expect(r, JSON.stringify(r)).toEqual({ ok: true });
}
function press(s: Station, alarmId: string, kind = 'test', drill = false): string {
  const r = s.terminals.receiveAlarm('T-1', { alarmId, kind, drill, raisedAt: now });
  if (!r.ok) throw new Error(JSON.stringify(r));
  return r.incidentId;
}

describe('a test press', () => {
  it('is received and closed by the station in one write; the school hears 接警 then 处置完毕', () => {
    const j = bench.journal();
    const s = station(j);
    const heard: AlarmStatus[] = [];
    s.subscribe({ alarmStatus: (_d, st) => heard.push(st) });
    const id = press(s, 't1');
    expect(types(j)).toEqual(['alarm.received', 'test.acknowledged']);
    expect(j.records[1]!.event).toEqual({ type: 'test.acknowledged', at: T0, incidentId: id });
    const inc = s.snapshot.incidents.get(id)!;
    expect(inc).toMatchObject({ state: 'resolved', disposition: 'test', acknowledgedAt: T0, resolvedAt: T0 });
    expect(inc.acknowledgedBy).toBeUndefined();
    expect(inc.resolvedBy).toBeUndefined();
    expect(heard.map((h) => h.state)).toEqual(['acknowledged', 'resolved']);
    expect(s.statusOf(inc).state).toBe('resolved');
  });

  it('never escalates and never joins: each press is its own closed record; a resend is a duplicate', () => {
    const j = bench.journal();
    const s = station(j);
    const first = press(s, 't1');
    now += 1_000;
    const second = press(s, 't2');
    expect(second).not.toBe(first);
    expect(s.terminals.receiveAlarm('T-1', { alarmId: 't2', kind: 'test', raisedAt: now })).toMatchObject({ ok: true, duplicate: true, incidentId: second });
    const n = j.records.length;
    now += 3_600_000;
    s.devices.supervise();
    expect(j.records.length).toBe(n);
    expect([...s.ledger.openIncidents()]).toEqual([]);
  });

  it('a cancel of a closed test press is answered ok and records nothing', () => {
    const j = bench.journal();
    const s = station(j);
    press(s, 't1');
    const n = j.records.length;
    ok(s.terminals.receiveCancel('T-1', { alarmId: 't1', reason: '误按' }));
    expect(j.records.length).toBe(n);
  });

  it("each terminal's last test press survives a restart (from the journal)", () => {
    const j = bench.journal();
    const s = station(j);
    press(s, 't1');
    now += 5_000;
    press(s, 't2');
    j.close();
    now += 60_000;
    const s2 = station(bench.journal());
    expect(s2.devices.health().find((h) => h.deviceId === 'T-1')?.lastTestPressAt).toBe(T0 + 5_000);
    expect(s2.devices.health().find((h) => h.deviceId === 'T-2')?.lastTestPressAt).toBeUndefined();
  });
});

describe('test press overdue', () => {
  it('raises one test_overdue fault per terminal past the configured days, cleared by its next test press', () => {
    const j = bench.journal();
    const s = station(j, 3 * DAY_MS);
    now = T0 + DAY_MS;
    press(s, 't1');
    now = T0 + 3 * DAY_MS + 1;
    s.tests.supervise();
    // T-2 never pressed: counted from the station's start; T-1 pressed a day in.
    expect(j.records.slice(-1).map((r) => r.event)).toEqual([{ type: 'device.test_overdue', at: now, deviceId: 'T-2' }]);
    now = T0 + 4 * DAY_MS + 1;
    s.tests.supervise();
    s.tests.supervise();
    expect(j.records.slice(-1).map((r) => r.event)).toEqual([{ type: 'device.test_overdue', at: now, deviceId: 'T-1', lastTestPressAt: T0 + DAY_MS }]);
    expect(types(j).filter((t) => t === 'device.test_overdue')).toHaveLength(2);
    expect(s.snapshot.devices.get('T-1')?.faults.test_overdue).toMatchObject({ kind: 'test_overdue', openedAt: now });
    // Acknowledged like any fault, by a named officer.
    ok(s.operators.acknowledgeFault(officer, 'T-1', 'test_overdue'));
    expect(s.snapshot.devices.get('T-1')?.faults.test_overdue?.acknowledgedBy?.username).toBe(officer.username);
    // The next test press clears it, and nothing is raised again until the days pass once more.
    press(s, 't2');
    expect(s.snapshot.devices.get('T-1')?.faults.test_overdue).toBeUndefined();
    const n = j.records.length;
    now += DAY_MS;
    s.tests.supervise();
    expect(j.records.length).toBe(n);
  });
});

describe('resolve: a disposition that contradicts the incident', () => {
  it.each([
    ['a drill resolved as real', 'panic', true, 'real'],
    ['a real alarm resolved as a drill', 'panic', false, 'drill'],
    ['a real alarm resolved as a test', 'intrusion', false, 'test'],
  ] as const)('%s is refused without an override, stored with its reason with one', (_name, kind, drill, disposition) => {
    const j = bench.journal();
    const s = station(j);
    const id = press(s, 'a1', kind, drill);
    ok(s.operators.acknowledge(officer, id));
    const n = j.records.length;
    const r = s.operators.resolve(officer, id, disposition, '');
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe('forbidden');
      expect(r.error.message).toContain('override');
    }
    expect(j.records.length).toBe(n);
    ok(s.operators.resolve(officer, id, disposition, '', { reason: ' 学校确认 ' }));
    expect(j.records.at(-1)!.event).toMatchObject({ type: 'incident.resolved', disposition, override: { reason: '学校确认' } });
    expect(s.snapshot.incidents.get(id)).toMatchObject({ disposition, overrideReason: '学校确认' });
  });

  it('a test press reopened and resolved as real needs the override too', () => {
    const j = bench.journal();
    const s = station(j);
    const id = press(s, 't1');
    ok(s.operators.reopen(officer, id, '学校说是真的'));
    expect(s.operators.resolve(officer, id, 'real', '').ok).toBe(false);
    ok(s.operators.resolve(officer, id, 'real', '', { reason: '测试时发现真实情况' }));
  });

  it('a matching disposition, a false alarm or a cancel by the school needs none; an override there is not journalled', () => {
    const j = bench.journal();
    const s = station(j);
    for (const [i, [kind, drill, disposition]] of (
      [
        ['panic', false, 'real'],
        ['panic', true, 'drill'],
        ['fire', false, 'false_alarm'],
        ['medical', true, 'cancelled_by_school'],
      ] as const
    ).entries()) {
      s.terminals.receiveAlarm('T-2', { alarmId: `m${i}`, kind, drill, raisedAt: now });
      const id = [...s.ledger.openIncidents()].find((x) => x.alarmId === `m${i}`)!.id;
      ok(s.operators.acknowledge(officer, id));
      ok(s.operators.resolve(officer, id, disposition, '', i === 0 ? { reason: '多余' } : undefined));
      expect(j.records.at(-1)!.event).not.toHaveProperty('override');
    }
  });

  it('dispositionConflict names the nature a disposition contradicts', () => {
    expect(dispositionConflict({ kind: 'panic', drill: true }, 'real')).toBe('drill');
    expect(dispositionConflict({ kind: 'panic', drill: false }, 'drill')).toBe('real');
    expect(dispositionConflict({ kind: 'test', drill: false }, 'real')).toBe('test');
    expect(dispositionConflict({ kind: 'test', drill: true }, 'test')).toBeUndefined();
    expect(dispositionConflict({ kind: 'panic', drill: true }, 'false_alarm')).toBeUndefined();
    expect(dispositionConflict({ kind: 'panic', drill: false }, 'real')).toBeUndefined();
  });
});

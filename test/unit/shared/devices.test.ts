// test/unit/shared — the reducer's device, cancel and unit events: supervision faults, tamper, fault acknowledgement.
import { describe, expect, it } from 'vitest';
import { applyRecord, checkEvent, emptyState, foldRecords, openFaults, type StationState } from '../../../shared/incidents';
import type {
  AlarmReceived,
  CancelRequested,
  DeviceFaultAcknowledged,
  DeviceFaultKind,
  DeviceOffline,
  DeviceOnline,
  DeviceTamper,
  IncidentAcknowledged,
  JournalRecord,
  OperatorRef,
  UnitStatusChanged,
} from '../../../shared/events';
import type { UnitState } from '../../../shared/protocol';
import { officer } from '../../support/operators';

const T0 = Date.UTC(2026, 10, 30, 2, 0, 0);
const chief: OperatorRef = { username: 'li', displayName: '李所长', role: 'chief' };

const offline = (deviceId: string, at: number, lastSeenAt = at - 90_000): DeviceOffline => ({ type: 'device.offline', at, deviceId, lastSeenAt });
const online = (deviceId: string, at: number): DeviceOnline => ({ type: 'device.online', at, deviceId });
const tamper = (deviceId: string, at: number, on: boolean): DeviceTamper => ({ type: 'device.tamper', at, deviceId, tamper: on });
const faultAck = (deviceId: string, fault: DeviceFaultKind, at: number, operator: OperatorRef = officer): DeviceFaultAcknowledged => ({
  type: 'device.fault_acknowledged',
  at,
  deviceId,
  fault,
  operator,
});
const received = (over: Partial<AlarmReceived> = {}): AlarmReceived => ({
  type: 'alarm.received',
  at: T0,
  incidentId: '20261130-0001',
  deviceId: 'dev-1',
  schoolId: 'school-1',
  alarmId: 'a1',
  kind: 'panic',
  drill: false,
  raisedAt: T0 - 400,
  ...over,
});
const cancel = (incidentId: string, at: number, reason = '误按'): CancelRequested => ({ type: 'alarm.cancel_requested', at, incidentId, reason });
const acked = (incidentId: string, at: number): IncidentAcknowledged => ({ type: 'incident.acknowledged', at, incidentId, operator: officer });
const unitStatus = (unitId: string, state: UnitState, at: number, reportedAt = at - 50): UnitStatusChanged => ({
  type: 'unit.status',
  at,
  unitId,
  state,
  reportedAt,
});

/** Records numbered 1..n. */
const numbered = (...events: JournalRecord['event'][]): JournalRecord[] => events.map((event, i) => ({ seq: i + 1, event }));
/** Applies one more event after `s`, as the next record. */
const then = (s: StationState, event: JournalRecord['event']): StationState => applyRecord(s, { seq: s.seq + 1, event });

function deepFreeze<T>(x: T): T {
  if (typeof x === 'object' && x !== null && !Object.isFrozen(x)) {
    Object.freeze(x);
    for (const v of Object.values(x)) deepFreeze(v);
  }
  return x;
}

describe('device.offline / device.online', () => {
  it('opens an offline fault on a device never heard of before, and marks it offline since then', () => {
    expect(checkEvent(emptyState, offline('T-1', T0))).toEqual({ ok: true });
    const s = applyRecord(emptyState, { seq: 1, event: offline('T-1', T0) });
    expect(s.seq).toBe(1);
    expect(s.devices.get('T-1')).toEqual({
      deviceId: 'T-1',
      online: false,
      since: T0,
      faults: { offline: { kind: 'offline', openedAt: T0 } },
    });
    expect(s.incidents).toEqual(new Map());
  });

  it('refuses a second offline while offline, and folding it keeps the first fault time', () => {
    const s = foldRecords(numbered(offline('T-1', T0)));
    const again = offline('T-1', T0 + 30_000);
    const check = checkEvent(s, again);
    expect(check.ok).toBe(false);
    if (!check.ok) expect(check.message).toContain('already offline');
    const s2 = then(s, again);
    expect(s2.seq).toBe(2);
    expect(s2.devices).toEqual(s.devices);
  });

  it('clears the offline fault when the device is back, and records when', () => {
    const s = foldRecords(numbered(offline('T-1', T0), online('T-1', T0 + 5000)));
    expect(s.devices.get('T-1')).toEqual({ deviceId: 'T-1', online: true, since: T0 + 5000, faults: {} });
    expect(openFaults(s)).toEqual([]);
  });

  it('refuses online for a device that is not offline (never seen, or already back) and folds it as a no-op', () => {
    const never = checkEvent(emptyState, online('T-1', T0));
    expect(never.ok).toBe(false);
    if (!never.ok) expect(never.message).toContain('not offline');
    const s = applyRecord(emptyState, { seq: 1, event: online('T-1', T0) });
    expect(s.seq).toBe(1);
    // A refused event creates no device entry either.
    expect(s.devices).toEqual(new Map());

    const back = foldRecords(numbered(offline('T-1', T0), online('T-1', T0 + 1000)));
    expect(checkEvent(back, online('T-1', T0 + 2000)).ok).toBe(false);
    expect(then(back, online('T-1', T0 + 2000)).devices.get('T-1')!.since).toBe(T0 + 1000);
  });

  it('opens a fresh, unacknowledged fault when a device goes offline again after coming back', () => {
    const s = foldRecords(numbered(offline('T-1', T0), faultAck('T-1', 'offline', T0 + 100), online('T-1', T0 + 1000), offline('T-1', T0 + 9000)));
    expect(s.devices.get('T-1')!.faults.offline).toEqual({ kind: 'offline', openedAt: T0 + 9000 });
    expect(s.devices.get('T-1')!.online).toBe(false);
    expect(s.devices.get('T-1')!.since).toBe(T0 + 9000);
  });

  it('keeps devices apart', () => {
    const s = foldRecords(numbered(offline('T-1', T0), offline('T-2', T0 + 10)));
    expect(checkEvent(s, online('T-1', T0 + 20)).ok).toBe(true);
    const s2 = then(s, online('T-1', T0 + 20));
    expect(s2.devices.get('T-1')!.online).toBe(true);
    expect(s2.devices.get('T-2')!.online).toBe(false);
    expect(s2.devices.get('T-2')!.faults.offline?.openedAt).toBe(T0 + 10);
  });
});

describe('device.tamper', () => {
  it('opens a tamper fault on tamper: true without touching reachability', () => {
    const s = foldRecords(numbered(tamper('T-1', T0, true)));
    expect(s.devices.get('T-1')).toEqual({ deviceId: 'T-1', online: true, since: T0, faults: { tamper: { kind: 'tamper', openedAt: T0 } } });
  });

  it('clears the tamper fault on tamper: false, leaving an offline fault alone', () => {
    const s = foldRecords(numbered(offline('T-1', T0), tamper('T-1', T0 + 100, true), tamper('T-1', T0 + 200, false)));
    expect(s.devices.get('T-1')!.faults).toEqual({ offline: { kind: 'offline', openedAt: T0 } });
    expect(s.devices.get('T-1')!.online).toBe(false);
    expect(s.devices.get('T-1')!.since).toBe(T0);
  });

  it('refuses repeating the same value: raised twice, or cleared when not raised', () => {
    expect(checkEvent(emptyState, tamper('T-1', T0, false)).ok).toBe(false);
    const raised = foldRecords(numbered(tamper('T-1', T0, true)));
    const twice = checkEvent(raised, tamper('T-1', T0 + 500, true));
    expect(twice.ok).toBe(false);
    if (!twice.ok) expect(twice.message).toContain('already raised');
    // Folding the repeat keeps the first opening time.
    expect(then(raised, tamper('T-1', T0 + 500, true)).devices.get('T-1')!.faults.tamper?.openedAt).toBe(T0);

    const cleared = foldRecords(numbered(tamper('T-1', T0, true), tamper('T-1', T0 + 1, false)));
    const again = checkEvent(cleared, tamper('T-1', T0 + 2, false));
    expect(again.ok).toBe(false);
    if (!again.ok) expect(again.message).toContain('already clear');
    expect(checkEvent(cleared, tamper('T-1', T0 + 2, true)).ok).toBe(true);
  });
});

describe('device.fault_acknowledged', () => {
  it('records who acknowledged an open fault and when, and keeps the fault open', () => {
    const s = foldRecords(numbered(offline('T-1', T0), faultAck('T-1', 'offline', T0 + 4000, chief)));
    expect(s.devices.get('T-1')!.faults.offline).toEqual({ kind: 'offline', openedAt: T0, acknowledgedAt: T0 + 4000, acknowledgedBy: chief });
    expect(s.devices.get('T-1')!.online).toBe(false);
    expect(s.seq).toBe(2);
  });

  it('refuses acknowledging a fault that is not open: unknown device, other fault kind, cleared fault', () => {
    const unknown = checkEvent(emptyState, faultAck('T-1', 'offline', T0));
    expect(unknown.ok).toBe(false);
    if (!unknown.ok) expect(unknown.message).toContain('no open offline fault');

    const tampered = foldRecords(numbered(tamper('T-1', T0, true)));
    expect(checkEvent(tampered, faultAck('T-1', 'offline', T0 + 1)).ok).toBe(false);
    // Folding it must not conjure up a half-made offline fault.
    expect(then(tampered, faultAck('T-1', 'offline', T0 + 1)).devices.get('T-1')!.faults).toEqual({ tamper: { kind: 'tamper', openedAt: T0 } });

    const cleared = foldRecords(numbered(offline('T-1', T0), online('T-1', T0 + 1)));
    expect(checkEvent(cleared, faultAck('T-1', 'offline', T0 + 2)).ok).toBe(false);
  });

  it('refuses a second acknowledgement and keeps the first officer', () => {
    const s = foldRecords(numbered(tamper('T-1', T0, true), faultAck('T-1', 'tamper', T0 + 100, officer)));
    const second = faultAck('T-1', 'tamper', T0 + 900, chief);
    const check = checkEvent(s, second);
    expect(check.ok).toBe(false);
    if (!check.ok) expect(check.message).toContain('already acknowledged by 王警官');
    const s2 = then(s, second);
    expect(s2.devices.get('T-1')!.faults.tamper).toEqual({ kind: 'tamper', openedAt: T0, acknowledgedAt: T0 + 100, acknowledgedBy: officer });
    expect(s2.seq).toBe(3);
  });
});

describe('openFaults', () => {
  it('lists every open fault, unacknowledged first, then oldest first', () => {
    const s = foldRecords(
      numbered(
        offline('A', T0 + 100), // acknowledged below, oldest acknowledged
        tamper('B', T0 + 400, true), // unacknowledged, newest
        offline('C', T0 + 200), // unacknowledged, oldest
        tamper('A', T0 + 300, true), // unacknowledged, middle
        faultAck('A', 'offline', T0 + 500),
        offline('D', T0 + 50), // acknowledged, older than A's
        faultAck('D', 'offline', T0 + 600),
        offline('E', T0 + 10), // cleared: not listed
        online('E', T0 + 20),
      ),
    );
    expect(openFaults(s).map((f) => [f.deviceId, f.kind, f.acknowledgedAt !== undefined])).toEqual([
      ['C', 'offline', false],
      ['A', 'tamper', false],
      ['B', 'tamper', false],
      ['D', 'offline', true],
      ['A', 'offline', true],
    ]);
    expect(openFaults(s)[0]).toEqual({ deviceId: 'C', kind: 'offline', openedAt: T0 + 200 });
  });

  it('is empty for the empty state', () => {
    expect(openFaults(emptyState)).toEqual([]);
  });
});

describe('alarm.cancel_requested', () => {
  it('records the request on the incident without changing its state', () => {
    const s = foldRecords(numbered(received(), cancel('20261130-0001', T0 + 2000, '学生误按')));
    const inc = s.incidents.get('20261130-0001')!;
    expect(inc.cancelRequest).toEqual({ reason: '学生误按', at: T0 + 2000 });
    expect(inc.state).toBe('received');
    expect(inc.acknowledgedAt).toBeUndefined();
    expect(inc.seq).toBe(2);

    const ackedFirst = foldRecords(numbered(received(), acked('20261130-0001', T0 + 1000), cancel('20261130-0001', T0 + 2000)));
    expect(ackedFirst.incidents.get('20261130-0001')!.state).toBe('acknowledged');
    expect(ackedFirst.incidents.get('20261130-0001')!.cancelRequest?.at).toBe(T0 + 2000);
  });

  it('refuses a request about an unknown incident and folds it as a no-op', () => {
    const check = checkEvent(emptyState, cancel('nope', T0));
    expect(check.ok).toBe(false);
    if (!check.ok) expect(check.message).toContain('no incident nope');
    const s = then(emptyState, cancel('nope', T0));
    expect(s.seq).toBe(1);
    expect(s.incidents).toEqual(new Map());
  });
});

describe('unit.status', () => {
  it('records each unit’s latest state and since when (station time, not the unit’s clock)', () => {
    const s = foldRecords(numbered(unitStatus('U-1', 'available', T0), unitStatus('U-2', 'busy', T0 + 10), unitStatus('U-1', 'en_route', T0 + 60_000)));
    expect(s.units).toEqual(
      new Map([
        ['U-1', { state: 'en_route', since: T0 + 60_000 }],
        ['U-2', { state: 'busy', since: T0 + 10 }],
      ]),
    );
    expect(s.seq).toBe(3);
    expect(checkEvent(s, unitStatus('U-1', 'en_route', T0 + 70_000))).toEqual({ ok: true });
  });
});

describe('purity', () => {
  it('never mutates its input state or records for device, cancel and unit events', () => {
    const records = deepFreeze(
      numbered(
        received(),
        offline('T-1', T0 + 1),
        tamper('T-1', T0 + 2, true),
        faultAck('T-1', 'offline', T0 + 3),
        cancel('20261130-0001', T0 + 4),
        unitStatus('U-1', 'available', T0 + 5),
        online('T-1', T0 + 6),
        tamper('T-1', T0 + 7, false),
        faultAck('T-1', 'tamper', T0 + 8), // refused: no longer open
        unitStatus('U-1', 'busy', T0 + 9),
      ),
    );
    const recordsCopy = structuredClone(records);
    // Freeze a start state that already has a device with faults, then fold the rest on top of it.
    const start = deepFreeze(foldRecords(records.slice(0, 4)));
    const startCopy = structuredClone(start);
    const end = foldRecords(records.slice(4), start);
    expect(start).toEqual(startCopy);
    expect(records).toEqual(recordsCopy);
    expect(start.devices.get('T-1')!.faults.offline?.acknowledgedAt).toBe(T0 + 3);
    expect(end.seq).toBe(10);
    expect(end.devices.get('T-1')).toEqual({ deviceId: 'T-1', online: true, since: T0 + 6, faults: {} });
    expect(end.units.get('U-1')).toEqual({ state: 'busy', since: T0 + 9 });
    expect(end.incidents.get('20261130-0001')!.cancelRequest).toEqual({ reason: '误按', at: T0 + 4 });
    expect(start.incidents.get('20261130-0001')!.cancelRequest).toBeUndefined();

    const emptyCopy = structuredClone(emptyState);
    foldRecords(records, deepFreeze(emptyState));
    expect(emptyState).toEqual(emptyCopy);
  });
});

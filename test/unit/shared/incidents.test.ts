// test/unit/shared — the incident reducer: folding journal records, idempotent replay, the alarm queue order.
import { describe, expect, it } from 'vitest';
import { ackIntervalMs, alarmKey, applyRecord, checkEvent, emptyState, foldRecords, queueOrder, type Incident } from '../../../shared/incidents';
import type { AlarmReceived, IncidentAcknowledged, IncidentShown, JournalRecord, OperatorRef } from '../../../shared/events';
import type { AlarmKind } from '../../../shared/protocol';
import { officer } from '../../support/operators';

const T0 = Date.UTC(2026, 10, 30, 2, 0, 0);
const chief: OperatorRef = { username: 'li', displayName: '李所长', role: 'chief' };

function received(over: Partial<AlarmReceived> = {}): AlarmReceived {
  return {
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
  };
}
const acked = (incidentId: string, at: number, operator: OperatorRef = officer): IncidentAcknowledged => ({
  type: 'incident.acknowledged',
  at,
  incidentId,
  operator,
});
const shown = (incidentId: string, at: number): IncidentShown => ({ type: 'incident.shown', at, incidentId, operator: officer });

/** Records numbered 1..n. */
const numbered = (...events: JournalRecord['event'][]): JournalRecord[] => events.map((event, i) => ({ seq: i + 1, event }));

function deepFreeze<T>(x: T): T {
  if (typeof x === 'object' && x !== null && !Object.isFrozen(x)) {
    Object.freeze(x);
    for (const v of Object.values(x)) deepFreeze(v);
  }
  return x;
}

describe('applyRecord / foldRecords', () => {
  it('creates an incident from alarm.received, with receivedAt taken from the event time', () => {
    const s = applyRecord(emptyState, { seq: 1, event: received({ note: '二楼走廊', location: { lat: 41.3, lng: 117.7 }, drill: true }) });
    expect(s.seq).toBe(1);
    const inc = s.incidents.get('20261130-0001');
    expect(inc).toEqual({
      id: '20261130-0001',
      alarmId: 'a1',
      deviceId: 'dev-1',
      schoolId: 'school-1',
      kind: 'panic',
      drill: true,
      note: '二楼走廊',
      location: { lat: 41.3, lng: 117.7 },
      raisedAt: T0 - 400,
      receivedAt: T0,
      state: 'received',
      notes: [],
      dispatches: [],
      timeline: [{ at: T0, type: 'alarm.received', detail: 'panic' }],
      seq: 1,
    });
    expect(s.alarmIndex.get(alarmKey('dev-1', 'a1'))).toBe('20261130-0001');
  });

  it('leaves note and location out when the event has none', () => {
    const inc = applyRecord(emptyState, { seq: 1, event: received() }).incidents.get('20261130-0001')!;
    expect('note' in inc).toBe(false);
    expect('location' in inc).toBe(false);
    expect(inc.acknowledgedAt).toBeUndefined();
  });

  it('records who acknowledged and when, and moves the state to acknowledged', () => {
    const s = foldRecords(numbered(received(), acked('20261130-0001', T0 + 7000)));
    const inc = s.incidents.get('20261130-0001')!;
    expect(inc.state).toBe('acknowledged');
    expect(inc.acknowledgedAt).toBe(T0 + 7000);
    expect(inc.acknowledgedBy).toEqual(officer);
    expect(inc.seq).toBe(2);
    expect(s.seq).toBe(2);
  });

  it('records the first render time', () => {
    const s = foldRecords(numbered(received(), shown('20261130-0001', T0 + 300)));
    expect(s.incidents.get('20261130-0001')!.shownAt).toBe(T0 + 300);
    expect(s.incidents.get('20261130-0001')!.state).toBe('received');
  });

  it('refuses a second acknowledgement in checkEvent and ignores it in applyRecord, but advances seq', () => {
    const s2 = foldRecords(numbered(received(), acked('20261130-0001', T0 + 5000)));
    const second = acked('20261130-0001', T0 + 9000, chief);
    const check = checkEvent(s2, second);
    expect(check.ok).toBe(false);
    if (!check.ok) expect(check.message).toContain('already acknowledged');

    const s3 = applyRecord(s2, { seq: 3, event: second });
    expect(s3.seq).toBe(3);
    expect(s3.incidents).toEqual(s2.incidents);
    expect(s3.incidents.get('20261130-0001')!.acknowledgedBy).toEqual(officer);
    expect(s3.incidents.get('20261130-0001')!.acknowledgedAt).toBe(T0 + 5000);
  });

  it('refuses a second shown event and keeps the first render time', () => {
    const s = foldRecords(numbered(received(), shown('20261130-0001', T0 + 100)));
    expect(checkEvent(s, shown('20261130-0001', T0 + 900)).ok).toBe(false);
    const s3 = applyRecord(s, { seq: 3, event: shown('20261130-0001', T0 + 900) });
    expect(s3.incidents.get('20261130-0001')!.shownAt).toBe(T0 + 100);
    expect(s3.seq).toBe(3);
  });

  it('refuses events about an unknown incident and folds them as no-ops', () => {
    expect(checkEvent(emptyState, acked('nope', T0)).ok).toBe(false);
    expect(checkEvent(emptyState, shown('nope', T0)).ok).toBe(false);
    const s = applyRecord(emptyState, { seq: 1, event: acked('nope', T0) });
    expect(s.seq).toBe(1);
    expect(s.incidents).toEqual(new Map());
  });

  it('ignores records at or below the folded seq (idempotent replay)', () => {
    const records = numbered(received(), acked('20261130-0001', T0 + 5000));
    const s = foldRecords(records);
    // Replaying the whole log, or any record of it, changes nothing: same object back.
    expect(foldRecords(records, s)).toBe(s);
    expect(applyRecord(s, records[0]!)).toBe(s);
    // A stale record with a different event at an old seq is ignored too.
    expect(applyRecord(s, { seq: 2, event: received({ incidentId: 'other', alarmId: 'a2' }) })).toBe(s);
    // Replaying a prefix then the whole log gives the same state as folding once.
    const twice = foldRecords(records, foldRecords(records.slice(0, 1)));
    expect(twice).toEqual(s);
  });

  it('refuses a second incident for the same device and alarmId', () => {
    const s = foldRecords(numbered(received()));
    const dup = received({ incidentId: '20261130-0002' });
    const check = checkEvent(s, dup);
    expect(check.ok).toBe(false);
    if (!check.ok) expect(check.message).toContain('20261130-0001');
    const s2 = applyRecord(s, { seq: 2, event: dup });
    expect([...s2.incidents.keys()]).toEqual(['20261130-0001']);
    expect(s2.alarmIndex.get(alarmKey('dev-1', 'a1'))).toBe('20261130-0001');
    expect(s2.seq).toBe(2);
  });

  it('refuses a reused incident id', () => {
    const s = foldRecords(numbered(received()));
    expect(checkEvent(s, received({ alarmId: 'a2', deviceId: 'dev-2' })).ok).toBe(false);
  });

  it('treats the same alarmId from another device as a different alarm', () => {
    const s = foldRecords(numbered(received()));
    const other = received({ incidentId: '20261130-0002', deviceId: 'dev-2' });
    expect(checkEvent(s, other)).toEqual({ ok: true });
    const s2 = applyRecord(s, { seq: 2, event: other });
    expect([...s2.incidents.keys()].sort()).toEqual(['20261130-0001', '20261130-0002']);
  });

  it('never mutates its input state or records', () => {
    const records = deepFreeze(
      numbered(
        received({ location: { lat: 41, lng: 117 }, note: 'x' }),
        shown('20261130-0001', T0 + 100),
        acked('20261130-0001', T0 + 5000),
        acked('20261130-0001', T0 + 6000),
        received({ incidentId: '20261130-0002', alarmId: 'a2' }),
      ),
    );
    const recordsCopy = structuredClone(records);
    const start = deepFreeze(foldRecords(records.slice(0, 1)));
    const startCopy = structuredClone(start);
    // Frozen input: any write would throw in strict-mode ESM.
    const end = foldRecords(records.slice(1), start);
    expect(start).toEqual(startCopy);
    expect(records).toEqual(recordsCopy);
    expect(end.seq).toBe(5);
    expect(end.incidents.get('20261130-0001')!.state).toBe('acknowledged');
    expect(start.incidents.get('20261130-0001')!.state).toBe('received');
    // Folding from the shared empty state must not write into it either.
    const emptyCopy = structuredClone(emptyState);
    foldRecords(records, deepFreeze(emptyState));
    expect(emptyState).toEqual(emptyCopy);
    expect(emptyState.seq).toBe(0);
    expect(emptyState.incidents).toEqual(new Map());
  });
});

describe('ackIntervalMs', () => {
  it('is acknowledgedAt − receivedAt, and undefined while unacknowledged', () => {
    const s = foldRecords(numbered(received(), acked('20261130-0001', T0 + 8500)));
    expect(ackIntervalMs(s.incidents.get('20261130-0001')!)).toBe(8500);
    const open = foldRecords(numbered(received())).incidents.get('20261130-0001')!;
    expect(ackIntervalMs(open)).toBeUndefined();
  });
});

describe('queueOrder', () => {
  const inc = (id: string, receivedAt: number, seq: number, kind: AlarmKind = 'panic', acknowledgedAt?: number, drill = false): Incident => ({
    id,
    alarmId: id,
    deviceId: 'd',
    schoolId: 's',
    kind,
    drill,
    raisedAt: receivedAt,
    receivedAt,
    state: acknowledgedAt === undefined ? 'received' : 'acknowledged',
    notes: [],
    dispatches: [],
    timeline: [],
    seq,
    ...(acknowledgedAt !== undefined ? { acknowledgedAt, acknowledgedBy: officer } : {}),
  });

  it('puts unacknowledged real alarms first (longest waiting first), then test presses, then acknowledged newest first', () => {
    const list = [
      inc('ack-old', 1000, 1, 'panic', 2000),
      inc('test-early', 1500, 2, 'test'),
      inc('fire-late', 5000, 3, 'fire'),
      inc('ack-new', 4000, 4, 'panic', 6000),
      inc('panic-early', 3000, 5, 'panic'),
      inc('test-late', 6000, 6, 'test'),
      inc('ack-test', 4500, 7, 'test', 7000),
    ];
    expect(queueOrder(list).map((i) => i.id)).toEqual(['panic-early', 'fire-late', 'test-early', 'test-late', 'ack-test', 'ack-new', 'ack-old']);
  });

  it('puts an unacknowledged drill after real alarms but before test presses', () => {
    const list = [
      inc('test', 1000, 1, 'test'),
      inc('drill', 2000, 2, 'panic', undefined, true),
      inc('real', 3000, 3, 'panic'),
      inc('drill-acked', 500, 4, 'panic', 4000, true),
    ];
    expect(queueOrder(list).map((i) => i.id)).toEqual(['real', 'drill', 'test', 'drill-acked']);
  });

  it('breaks ties on receivedAt by seq, and keeps every incident', () => {
    const list = [inc('b', 1000, 2), inc('a', 1000, 1), inc('y', 500, 3, 'panic', 900), inc('z', 500, 4, 'panic', 800)];
    expect(queueOrder(list).map((i) => i.id)).toEqual(['a', 'b', 'z', 'y']);
  });

  it('does not reorder its input array', () => {
    const list = [inc('late', 2000, 2), inc('early', 1000, 1)];
    const out = queueOrder(list);
    expect(out.map((i) => i.id)).toEqual(['early', 'late']);
    expect(list.map((i) => i.id)).toEqual(['late', 'early']);
  });
});

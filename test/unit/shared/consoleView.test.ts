// test/unit/shared — the console view model: "open" (unresolved) vs "awaits acknowledgement", overdue, the
// escalation rule of the core, the alarm queue with its unstored alarms, the alert tone, and what a card shows.
import { describe, expect, it } from 'vitest';
import {
  alarmQueue,
  alertFor,
  awaitsAcknowledgement,
  cardTimer,
  dueForEscalation,
  entryId,
  entryReceivedAt,
  isAlarming,
  isOpen,
  isOverdue,
  queueItem,
  testsToday,
} from '../../../shared/consoleView';
import type { AlarmReceived, JournalRecord, StationEvent } from '../../../shared/events';
import { emptyState, foldRecords, type Incident, type StationState } from '../../../shared/incidents';
import type { School } from '../../../shared/model';
import { DEFAULT_TARGETS } from '../../../shared/response';
import { officer } from '../../support/operators';

const T0 = Date.UTC(2026, 10, 30, 2, 0, 0);

function received(n: number, over: Partial<AlarmReceived> = {}): AlarmReceived {
  return {
    type: 'alarm.received',
    at: T0 + n,
    incidentId: `20261130-000${n}`,
    deviceId: `dev-${n}`,
    schoolId: `school-${n}`,
    alarmId: `a${n}`,
    kind: 'panic',
    drill: false,
    raisedAt: T0 + n - 400,
    ...over,
  };
}
const acked = (n: number, at = T0 + 5_000): StationEvent => ({ type: 'incident.acknowledged', at, incidentId: `20261130-000${n}`, operator: officer });
const escalated = (n: number, at = T0 + 11_000): StationEvent => ({ type: 'incident.escalated', at, incidentId: `20261130-000${n}`, reason: 'ack_overdue' });
const resolved = (n: number, at = T0 + 60_000): StationEvent => ({
  type: 'incident.resolved',
  at,
  incidentId: `20261130-000${n}`,
  operator: officer,
  disposition: 'real',
  note: '',
});
const fold = (...events: StationEvent[]): StationState =>
  foldRecords(
    events.map((event, i): JournalRecord => ({ seq: i + 1, event })),
    emptyState,
  );
const inc = (s: StationState, n: number): Incident => s.incidents.get(`20261130-000${n}`)!;

const school: School = {
  id: 'school-1',
  name: '长青小学',
  nameEn: 'Changqing Primary',
  type: 'primary',
  address: '隆化县',
  lat: 41.3,
  lng: 117.7,
  area: 'rural',
  phone: '000',
};

describe('open, awaiting acknowledgement, overdue', () => {
  it('a new alarm is open and awaits acknowledgement; acknowledged it stays open; resolved it is neither', () => {
    const fresh = fold(received(1));
    expect([isOpen(inc(fresh, 1)), awaitsAcknowledgement(inc(fresh, 1))]).toEqual([true, true]);
    const taken = fold(received(1), acked(1));
    expect([isOpen(inc(taken, 1)), awaitsAcknowledgement(inc(taken, 1))]).toEqual([true, false]);
    const done = fold(received(1), acked(1), resolved(1));
    expect([isOpen(inc(done, 1)), awaitsAcknowledgement(inc(done, 1))]).toEqual([false, false]);
  });

  it('an alarm the core could not store yet is open and awaits acknowledgement', () => {
    const v = received(7);
    expect([isOpen(v), awaitsAcknowledgement(v), isOverdue(v)]).toEqual([true, true, false]);
    expect([entryId(v), entryReceivedAt(v)]).toEqual(['20261130-0007', T0 + 7]);
  });

  it('overdue: escalated by the core and still not acknowledged', () => {
    expect(isOverdue(inc(fold(received(1)), 1))).toBe(false);
    expect(isOverdue(inc(fold(received(1), escalated(1)), 1))).toBe(true);
    expect(isOverdue(inc(fold(received(1), escalated(1), acked(1, T0 + 12_000)), 1))).toBe(false);
  });

  it('the core escalates once, past the acknowledge target, never a test press, never an acknowledged alarm', () => {
    const s = fold(received(1), received(2, { kind: 'test' }), received(3), acked(3));
    const target = DEFAULT_TARGETS.acknowledgeMs;
    expect(dueForEscalation(inc(s, 1), T0 + 1 + target, target)).toBe(false); // at the target: not yet past it
    expect(dueForEscalation(inc(s, 1), T0 + 2 + target, target)).toBe(true);
    expect(dueForEscalation(inc(s, 2), T0 + 60_000, target)).toBe(false);
    expect(dueForEscalation(inc(s, 3), T0 + 60_000, target)).toBe(false);
    expect(dueForEscalation(inc(fold(received(1), escalated(1)), 1), T0 + 60_000, target)).toBe(false);
  });

  it('alarming (flashes on the map): awaits acknowledgement and is not a test press', () => {
    const s = fold(received(1), received(2, { kind: 'test' }), received(3), acked(3));
    expect([1, 2, 3].map((n) => isAlarming(inc(s, n)))).toEqual([true, false, false]);
    expect(isAlarming(received(8))).toBe(true);
    expect(isAlarming(received(9, { kind: 'test' }))).toBe(false);
  });
});

describe('the alarm queue', () => {
  it('puts alarms not stored yet first and drops a volatile alarm once the core has stored it', () => {
    const s = fold(received(1), received(2));
    const stored = received(1); // the same deviceId/alarmId as incident 1: already in the journal
    const pending = received(5);
    expect(alarmQueue(s, [stored, pending]).map(entryId)).toEqual(['20261130-0005', '20261130-0001', '20261130-0002']);
  });
});

describe('the alert tone', () => {
  const tamper = (at: number): StationEvent => ({ type: 'device.tamper', at, deviceId: 'dev-9', tamper: true });
  const offline = (at: number): StationEvent => ({ type: 'device.offline', at, deviceId: 'dev-9', lastSeenAt: at - 90_000 });
  const faultAcked = (fault: 'offline' | 'tamper'): StationEvent => ({
    type: 'device.fault_acknowledged',
    at: T0 + 9,
    deviceId: 'dev-9',
    fault,
    operator: officer,
  });

  it('silence when nothing calls for attention', () => {
    expect(alertFor(emptyState, [])).toEqual({ tone: undefined, urgent: false });
    expect(alertFor(fold(received(1), acked(1)), [])).toEqual({ tone: undefined, urgent: false });
    expect(alertFor(fold(received(1, { kind: 'test' })), [])).toEqual({ tone: undefined, urgent: false });
  });

  it('the alarm tone for an unacknowledged alarm, an unstored one (even a test press) or a tamper; urgent while one is overdue', () => {
    expect(alertFor(fold(received(1)), [])).toEqual({ tone: 'alarm', urgent: false });
    expect(alertFor(emptyState, [received(1, { kind: 'test' })])).toEqual({ tone: 'alarm', urgent: false });
    expect(alertFor(fold(tamper(T0)), [])).toEqual({ tone: 'alarm', urgent: false });
    expect(alertFor(fold(received(1), escalated(1)), [])).toEqual({ tone: 'alarm', urgent: true });
  });

  it('the calmer fault tone for an unacknowledged offline terminal; an acknowledged fault is silent', () => {
    expect(alertFor(fold(offline(T0)), [])).toEqual({ tone: 'fault', urgent: false });
    expect(alertFor(fold(offline(T0), faultAcked('offline')), [])).toEqual({ tone: undefined, urgent: false });
    expect(alertFor(fold(tamper(T0), faultAcked('tamper')), [])).toEqual({ tone: undefined, urgent: false });
  });
});

describe('what a card shows', () => {
  it('a new alarm: awaits acknowledgement, counts its waiting time', () => {
    const item = queueItem(inc(fold(received(1)), 1), school);
    expect(item).toMatchObject({
      id: '20261130-0001',
      receivedAt: T0 + 1,
      area: 'rural',
      awaitsAck: true,
      open: true,
      resolved: false,
      overdue: false,
      state: 'received',
    });
    expect(item.handler).toBeUndefined();
    expect(cardTimer(item, DEFAULT_TARGETS, T0 + 20_001)).toEqual({ waitedMs: 20_000 });
  });

  it('an acknowledged one: who works it, the ack interval, and the timer running against the next target', () => {
    const item = queueItem(inc(fold(received(1), acked(1, T0 + 4_001)), 1), undefined);
    expect(item).toMatchObject({ awaitsAck: false, open: true, state: 'acknowledged', ackIntervalMs: 4_000, area: 'urban', handler: officer });
    expect(cardTimer(item, DEFAULT_TARGETS, T0 + 50_001)).toEqual({
      milestone: 'dispatched',
      elapsedMs: 50_000,
      targetMs: DEFAULT_TARGETS.dispatchMs,
      standing: 'amber',
    });
  });

  it('a resolved one: no handler line, no timer', () => {
    const item = queueItem(inc(fold(received(1), acked(1), resolved(1)), 1), school);
    expect(item).toMatchObject({ awaitsAck: false, open: false, resolved: true, state: 'resolved' });
    expect(item.handler).toBeUndefined();
    expect(cardTimer(item, DEFAULT_TARGETS, T0 + 90_000)).toBeUndefined();
  });

  it('an alarm not stored yet', () => {
    const item = queueItem(received(4), undefined);
    expect(item).toMatchObject({ id: '20261130-0004', awaitsAck: true, open: true, state: 'unstored' });
    expect(item.incident).toBeUndefined();
    expect(cardTimer(item, DEFAULT_TARGETS, T0 + 10_004)).toEqual({ waitedMs: 10_000 });
  });

  it('an escalated one is overdue', () => {
    expect(queueItem(inc(fold(received(1), escalated(1)), 1), school).overdue).toBe(true);
  });
});

describe('test presses the station closed (issue 11, point 2)', () => {
  const tested = (n: number, at = T0 + n): StationEvent => ({ type: 'test.acknowledged', at, incidentId: `20261130-000${n}` });
  it('are no queue card, no sound and not awaiting 接警; they are listed as tests of the day, newest first', () => {
    const s = fold(received(1, { kind: 'test' }), tested(1), received(2), received(3, { kind: 'test' }), tested(3));
    expect(alarmQueue(s, []).map(entryId)).toEqual(['20261130-0002']);
    expect(alertFor(fold(received(1, { kind: 'test' }), tested(1)), [])).toEqual({ tone: undefined, urgent: false });
    expect(testsToday(s, T0 + 3_600_000, 'Asia/Shanghai').map((i) => i.id)).toEqual(['20261130-0003', '20261130-0001']);
    // T0 is 10:00 in Shanghai: the next calendar day there starts 14 h later.
    expect(testsToday(s, T0 + 15 * 3_600_000, 'Asia/Shanghai')).toEqual([]);
  });
  it('one an officer reopened is worked like any incident again', () => {
    const s = fold(received(1, { kind: 'test' }), tested(1), {
      type: 'incident.reopened',
      at: T0 + 9,
      incidentId: '20261130-0001',
      operator: officer,
      reason: 'x',
    });
    expect(alarmQueue(s, []).map(entryId)).toEqual(['20261130-0001']);
    expect(testsToday(s, T0, 'Asia/Shanghai')).toEqual([]);
  });
});

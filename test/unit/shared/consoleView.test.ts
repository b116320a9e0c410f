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
  faultsToList,
  inLiveQueue,
  isAlarming,
  isOpen,
  isOverdue,
  mostUrgentAlarm,
  nextQueueExit,
  queueItem,
  testsToday,
  RESOLVED_LINGER_MS,
  resolvedToday,
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

describe('resolved incidents leave the live queue, and stay in the today list', () => {
  it('a resolved incident stays in the live queue for the linger time (default 2 min), then leaves it', () => {
    const s = fold(received(1), acked(1), resolved(1, T0 + 60_000), received(2));
    expect(RESOLVED_LINGER_MS).toBe(120_000);
    const live = (now: number, linger?: number) =>
      alarmQueue(s, [])
        .filter((x) => inLiveQueue(x, now, linger))
        .map(entryId);
    expect(live(T0 + 60_000 + 119_999)).toEqual(['20261130-0002', '20261130-0001']);
    expect(live(T0 + 60_000 + 120_000)).toEqual(['20261130-0002']);
    expect(live(T0 + 60_000 + 5_000, 5_000)).toEqual(['20261130-0002']);
    // Open ones never leave, however old; an alarm not stored yet never leaves.
    expect(inLiveQueue(inc(s, 2), T0 + 86_400_000)).toBe(true);
    expect(inLiveQueue(received(3), T0 + 86_400_000)).toBe(true);
  });

  it('tells when the next resolved incident leaves the queue', () => {
    const s = fold(received(1), acked(1), resolved(1, T0 + 60_000), received(2), acked(2), resolved(2, T0 + 70_000), received(3));
    const q = alarmQueue(s, []);
    expect(nextQueueExit(q, T0 + 61_000)).toBe(T0 + 180_000);
    expect(nextQueueExit(q, T0 + 180_000)).toBe(T0 + 190_000);
    expect(nextQueueExit(q, T0 + 190_000)).toBeUndefined();
  });

  it('the today list: resolved on the station calendar day (its time zone), newest first', () => {
    // T0 is 10:00 in Shanghai (02:00 UTC): the Shanghai day began at T0 - 10 h, the UTC day at T0 - 2 h.
    const s = fold(
      received(1, { at: T0 - 11 * 3_600_000 }),
      acked(1, T0 - 10.5 * 3_600_000),
      resolved(1, T0 - 10 * 3_600_000 - 1), // yesterday in Shanghai
      received(5, { at: T0 - 4 * 3_600_000 }),
      acked(5, T0 - 3.5 * 3_600_000),
      resolved(5, T0 - 3 * 3_600_000), // today in Shanghai, yesterday in UTC
      received(2),
      acked(2),
      resolved(2, T0 + 60_000),
      received(3),
      acked(3),
      resolved(3, T0 + 90_000),
      received(4), // open
    );
    expect(resolvedToday(s, T0 + 100_000).map((i) => i.id)).toEqual(['20261130-0003', '20261130-0002', '20261130-0005']);
    expect(resolvedToday(s, T0 + 100_000, 'UTC').map((i) => i.id)).toEqual(['20261130-0003', '20261130-0002']);
  });
});

describe('the alarm the map and the panel follow', () => {
  it('is the most urgent one awaiting acknowledgement: real before drill, then the longest waiting; not the newest', () => {
    const s = fold(received(1, { drill: true }), received(2), received(3), received(4, { kind: 'test' }));
    expect(entryId(mostUrgentAlarm(alarmQueue(s, []))!)).toBe('20261130-0002');
    const after = fold(received(1, { drill: true }), received(2), received(3), received(4, { kind: 'test' }), acked(2));
    expect(entryId(mostUrgentAlarm(alarmQueue(after, []))!)).toBe('20261130-0003');
    const drillOnly = fold(received(1, { drill: true }), received(2), acked(2), received(4, { kind: 'test' }));
    expect(entryId(mostUrgentAlarm(alarmQueue(drillOnly, []))!)).toBe('20261130-0001');
    expect(mostUrgentAlarm(alarmQueue(fold(received(4, { kind: 'test' })), []))).toBeUndefined();
  });
});

describe('the fault list', () => {
  it('lists unacknowledged faults only: tampers first, then the newest', () => {
    const off = (n: number, at: number): StationEvent => ({ type: 'device.offline', at, deviceId: `dev-${n}`, lastSeenAt: at - 5000 });
    const s = fold(
      off(1, T0),
      off(2, T0 + 1000),
      off(3, T0 + 2000),
      { type: 'device.tamper', at: T0 + 500, deviceId: 'dev-4', tamper: true },
      { type: 'device.fault_acknowledged', at: T0 + 3000, deviceId: 'dev-3', fault: 'offline', operator: officer },
    );
    expect(faultsToList(s).map((f) => `${f.deviceId}/${f.kind}`)).toEqual(['dev-4/tamper', 'dev-2/offline', 'dev-1/offline']);
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

  it('the drill tone for drills alone awaiting acknowledgement; a real alarm always wins', () => {
    expect(alertFor(fold(received(1, { drill: true })), [])).toEqual({ tone: 'drill', urgent: false });
    // Overdue: still the drill tone, never the urgent siren.
    expect(alertFor(fold(received(1, { drill: true }), escalated(1)), [])).toEqual({ tone: 'drill', urgent: false });
    expect(alertFor(fold(received(1, { drill: true }), received(2)), [])).toEqual({ tone: 'alarm', urgent: false });
    expect(alertFor(fold(received(1, { drill: true }), acked(1)), [])).toEqual({ tone: undefined, urgent: false });
    // A drill over an offline terminal's fault: the drill tone (it awaits an officer); a tamper is the alarm's.
    expect(alertFor(fold(offline(T0), received(1, { drill: true })), [])).toEqual({ tone: 'drill', urgent: false });
    expect(alertFor(fold(tamper(T0), received(1, { drill: true })), [])).toEqual({ tone: 'alarm', urgent: false });
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
  it("the day is the station's calendar day, to the minute at both ends, also across a clock change", () => {
    const at = (iso: string): number => Date.parse(iso);
    const day = (zone: string, now: string, ...presses: string[]) =>
      testsToday(fold(...presses.flatMap((p, k) => [received(k + 1, { kind: 'test', at: at(p) }), tested(k + 1, at(p) + 1)])), at(now), zone).map(
        (i) => i.receivedAt,
      );
    // Shanghai (UTC+8): 2026-11-30 runs from 11-29T16:00Z to 11-30T16:00Z.
    expect(
      day('Asia/Shanghai', '2026-11-30T12:00:00Z', '2026-11-29T15:59:59Z', '2026-11-29T16:00:00Z', '2026-11-30T15:59:59Z', '2026-11-30T16:00:00Z'),
    ).toEqual([at('2026-11-30T15:59:59Z'), at('2026-11-29T16:00:00Z')]);
    // New York on 2026-11-01 (clocks go back at 02:00 EDT): 25 hours, from 04:00Z to 05:00Z the next day.
    expect(
      day('America/New_York', '2026-11-01T12:00:00Z', '2026-11-01T03:59:00Z', '2026-11-01T04:00:00Z', '2026-11-02T04:59:00Z', '2026-11-02T05:00:00Z'),
    ).toEqual([at('2026-11-02T04:59:00Z'), at('2026-11-01T04:00:00Z')]);
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

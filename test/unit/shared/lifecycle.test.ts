// test/unit/shared — the incident lifecycle: which steps checkEvent allows after the alarm, and what applyRecord makes of them.
import { describe, expect, it } from 'vitest';
import { applyRecord, checkEvent, deriveState, emptyState, foldRecords, queueOrder, type StationState } from '../../../shared/incidents';
import type { AlarmReceived, Disposition, JournalRecord, OperatorRef, StationEvent } from '../../../shared/events';
import { officer } from '../../support/operators';

const T0 = Date.UTC(2026, 10, 30, 2, 0, 0);
const ID = '20261130-0001';
const ID2 = '20261130-0002';
const chief: OperatorRef = { username: 'li', displayName: '李所长', role: 'chief' };

function received(over: Partial<AlarmReceived> = {}): AlarmReceived {
  return {
    type: 'alarm.received',
    at: T0,
    incidentId: ID,
    deviceId: 'dev-1',
    schoolId: 'school-1',
    alarmId: 'a1',
    kind: 'panic',
    drill: false,
    raisedAt: T0 - 400,
    ...over,
  };
}

// Event builders, each at an offset (ms) from T0.
const ack = (dt: number, incidentId = ID, operator = officer): StationEvent => ({ type: 'incident.acknowledged', at: T0 + dt, incidentId, operator });
const note = (dt: number, text = '已电话联系', incidentId = ID): StationEvent => ({ type: 'incident.note', at: T0 + dt, incidentId, operator: officer, text });
const calledBack = (dt: number, outcome = '门卫确认误触', incidentId = ID): StationEvent => ({
  type: 'incident.called_back',
  at: T0 + dt,
  incidentId,
  operator: officer,
  outcome,
});
const takeOver = (dt: number, operator: OperatorRef, from: OperatorRef = officer, incidentId = ID): StationEvent => ({
  type: 'incident.taken_over',
  at: T0 + dt,
  incidentId,
  operator,
  from,
});
const dispatched = (dt: number, unitId: string, incidentId = ID, mode: 'device' | 'radio' = 'device'): StationEvent => ({
  type: 'incident.dispatched',
  at: T0 + dt,
  incidentId,
  operator: officer,
  unitId,
  mode,
});
const accepted = (dt: number, unitId: string, incidentId = ID, operator?: OperatorRef): StationEvent => ({
  type: 'dispatch.accepted',
  at: T0 + dt,
  incidentId,
  unitId,
  ...(operator ? { operator } : {}),
});
const declined = (dt: number, unitId: string, reason = '车辆故障', incidentId = ID): StationEvent => ({
  type: 'dispatch.declined',
  at: T0 + dt,
  incidentId,
  unitId,
  reason,
});
const cancelled = (dt: number, unitId: string, reason = '改派', incidentId = ID): StationEvent => ({
  type: 'dispatch.cancelled',
  at: T0 + dt,
  incidentId,
  unitId,
  operator: officer,
  reason,
});
const progress = (dt: number, unitId: string, state: 'en_route' | 'on_scene', incidentId = ID): StationEvent => ({
  type: 'dispatch.progress',
  at: T0 + dt,
  incidentId,
  unitId,
  state,
});
const resolved = (dt: number, disposition: Disposition = 'real', incidentId = ID): StationEvent => ({
  type: 'incident.resolved',
  at: T0 + dt,
  incidentId,
  operator: officer,
  disposition,
  note: '处置完毕',
});
const reopened = (dt: number, incidentId = ID): StationEvent => ({
  type: 'incident.reopened',
  at: T0 + dt,
  incidentId,
  operator: chief,
  reason: '家长再次报警',
});
const escalated = (dt: number, incidentId = ID): StationEvent => ({ type: 'incident.escalated', at: T0 + dt, incidentId, reason: 'ack_overdue' });
const cancelRequested = (dt: number, incidentId = ID): StationEvent => ({ type: 'alarm.cancel_requested', at: T0 + dt, incidentId, reason: '误按' });

/** Folds events numbered 1..n. */
const fold = (...events: StationEvent[]): StationState => foldRecords(events.map((event, i): JournalRecord => ({ seq: i + 1, event })));
/** Applies one more event as the next record. */
const then = (s: StationState, event: StationEvent): StationState => applyRecord(s, { seq: s.seq + 1, event });

function deepFreeze<T>(x: T): T {
  if (typeof x === 'object' && x !== null && !Object.isFrozen(x)) {
    Object.freeze(x);
    for (const v of Object.values(x)) deepFreeze(v);
  }
  return x;
}

function allowed(s: StationState, e: StationEvent): void {
  const c = checkEvent(s, e);
  expect(c, JSON.stringify(c)).toEqual({ ok: true });
}
function refused(s: StationState, e: StationEvent, message?: string | RegExp): void {
  const c = checkEvent(s, e);
  expect(c.ok).toBe(false);
  if (!c.ok) {
    expect(c.message.length).toBeGreaterThan(0);
    if (message !== undefined) expect(c.message).toMatch(message);
  }
  // The reducer folds a refused record as a no-op that only advances seq.
  const next = then(s, e);
  expect(next.seq).toBe(s.seq + 1);
  expect(next.incidents).toEqual(s.incidents);
  expect(next.assignments).toEqual(s.assignments);
}

const inc = (s: StationState, id = ID) => s.incidents.get(id)!;

const receivedOnly = (): StationState => fold(received());
const acked = (): StationState => fold(received(), ack(5000));
const withUnit = (): StationState => fold(received(), ack(5000), dispatched(20_000, 'U1'));
const resolvedState = (): StationState => fold(received(), ack(5000), dispatched(20_000, 'U1'), resolved(600_000));

describe('checkEvent: lifecycle events about an unknown incident', () => {
  it.each(
    [
      note(1),
      calledBack(1),
      takeOver(1, chief),
      dispatched(1, 'U1'),
      accepted(1, 'U1'),
      declined(1, 'U1'),
      cancelled(1, 'U1'),
      progress(1, 'U1', 'en_route'),
      resolved(1),
      reopened(1),
      escalated(1),
      cancelRequested(1),
    ].map((e) => [e.type, { ...e, incidentId: 'nope' }] as const),
  )('refuses %s', (_t, e) => {
    refused(receivedOnly(), e, 'no incident nope');
  });
});

describe('checkEvent: incident.note and incident.called_back', () => {
  it('allows a note at any stage, even before acknowledgement and after resolution', () => {
    allowed(receivedOnly(), note(1));
    allowed(acked(), note(6000));
    allowed(resolvedState(), note(700_000));
  });
  it('refuses an empty or blank note', () => {
    refused(acked(), note(6000, ''), 'text');
    refused(acked(), note(6000, '   \n'), 'text');
  });
  it('allows a call-back on an open incident and refuses it on a resolved one', () => {
    allowed(receivedOnly(), calledBack(1));
    allowed(withUnit(), calledBack(30_000));
    refused(resolvedState(), calledBack(700_000), 'resolved');
  });
});

describe('checkEvent: alarm.cancel_requested', () => {
  it('is allowed while open and refused once resolved', () => {
    allowed(receivedOnly(), cancelRequested(1));
    allowed(withUnit(), cancelRequested(30_000));
    refused(resolvedState(), cancelRequested(700_000), 'resolved');
  });
});

describe('checkEvent: incident.taken_over', () => {
  it('is allowed for another operator once acknowledged', () => {
    allowed(acked(), takeOver(6000, chief));
  });
  it('is refused for the current handler', () => {
    refused(acked(), takeOver(6000, officer), 'already handle');
    const s = then(acked(), takeOver(6000, chief));
    refused(s, takeOver(7000, chief, officer), 'already handle');
    // …but the original officer may take it back.
    allowed(s, takeOver(7000, officer, chief));
  });
  it('is refused before acknowledgement and after resolution', () => {
    refused(receivedOnly(), takeOver(1, chief), 'not acknowledged');
    refused(resolvedState(), takeOver(700_000, chief), 'resolved');
  });
});

describe('checkEvent: incident.dispatched', () => {
  it('is allowed once acknowledged', () => {
    allowed(acked(), dispatched(6000, 'U1'));
    allowed(withUnit(), dispatched(21_000, 'U2'));
  });
  it('is refused before acknowledgement', () => {
    refused(receivedOnly(), dispatched(1, 'U1'), 'acknowledge');
  });
  it('refuses a second dispatch of the same unit to the same incident', () => {
    refused(withUnit(), dispatched(21_000, 'U1'), 'already dispatched');
    const s = then(withUnit(), accepted(22_000, 'U1'));
    refused(s, dispatched(23_000, 'U1'), 'already dispatched');
  });
  it('refuses a unit assigned to another open incident, naming that incident', () => {
    const s = fold(received(), ack(5000), dispatched(20_000, 'U1'), received({ incidentId: ID2, alarmId: 'a2', at: T0 + 30_000 }), ack(31_000, ID2));
    refused(s, dispatched(32_000, 'U1', ID2), ID);
    allowed(s, dispatched(32_000, 'U2', ID2));
  });
  it('allows the unit again once it was withdrawn, declined, or the other incident was resolved', () => {
    const base = [received(), ack(5000), dispatched(20_000, 'U1'), received({ incidentId: ID2, alarmId: 'a2', at: T0 + 30_000 }), ack(31_000, ID2)];
    allowed(fold(...base, cancelled(32_000, 'U1')), dispatched(33_000, 'U1', ID2));
    allowed(fold(...base, declined(32_000, 'U1')), dispatched(33_000, 'U1', ID2));
    allowed(fold(...base, resolved(32_000)), dispatched(33_000, 'U1', ID2));
    // And to the same incident after a cancel.
    allowed(fold(received(), ack(5000), dispatched(20_000, 'U1'), cancelled(21_000, 'U1')), dispatched(22_000, 'U1'));
  });
  it('is refused on a resolved incident', () => {
    refused(resolvedState(), dispatched(700_000, 'U2'), 'resolved');
  });
});

describe('checkEvent: dispatch.accepted / dispatch.declined', () => {
  it.each([
    ['dispatch.accepted', accepted],
    ['dispatch.declined', declined],
  ] as const)('%s: allowed for an active, unaccepted dispatch; refused otherwise', (_t, make) => {
    allowed(withUnit(), make(21_000, 'U1'));
    refused(acked(), make(21_000, 'U1'), 'no active dispatch');
    refused(withUnit(), make(21_000, 'U2'), 'no active dispatch');
    refused(then(withUnit(), cancelled(21_000, 'U1')), make(22_000, 'U1'), 'no active dispatch');
    refused(then(withUnit(), accepted(21_000, 'U1')), make(22_000, 'U1'), 'already accepted');
  });
  it('refuses accepting twice and accepting after a decline', () => {
    const s = then(withUnit(), accepted(21_000, 'U1'));
    refused(s, accepted(22_000, 'U1'), 'already accepted');
    refused(then(withUnit(), declined(21_000, 'U1')), accepted(22_000, 'U1'), 'no active dispatch');
  });
  it('refuses an acceptance after progress (progress implies acceptance)', () => {
    refused(then(withUnit(), progress(21_000, 'U1', 'en_route')), accepted(22_000, 'U1'), 'already accepted');
  });
});

describe('checkEvent: dispatch.cancelled', () => {
  it('is allowed for an active dispatch (accepted or not, even on scene)', () => {
    allowed(withUnit(), cancelled(21_000, 'U1'));
    allowed(then(withUnit(), accepted(21_000, 'U1')), cancelled(22_000, 'U1'));
    allowed(then(withUnit(), progress(21_000, 'U1', 'on_scene')), cancelled(22_000, 'U1'));
  });
  it('is refused for a unit never dispatched, already cancelled or declined', () => {
    refused(withUnit(), cancelled(21_000, 'U2'), 'no active dispatch');
    refused(then(withUnit(), cancelled(21_000, 'U1')), cancelled(22_000, 'U1'), 'no active dispatch');
    refused(then(withUnit(), declined(21_000, 'U1')), cancelled(22_000, 'U1'), 'no active dispatch');
  });
});

describe('checkEvent: dispatch.progress', () => {
  it('allows en_route then on_scene, and on_scene directly', () => {
    allowed(withUnit(), progress(21_000, 'U1', 'en_route'));
    allowed(then(withUnit(), progress(21_000, 'U1', 'en_route')), progress(22_000, 'U1', 'on_scene'));
    allowed(withUnit(), progress(21_000, 'U1', 'on_scene'));
  });
  it('refuses progress by a unit not dispatched (or no longer) to the incident', () => {
    refused(withUnit(), progress(21_000, 'U2', 'en_route'), 'not dispatched');
    refused(acked(), progress(21_000, 'U1', 'on_scene'), 'not dispatched');
    refused(then(withUnit(), cancelled(21_000, 'U1')), progress(22_000, 'U1', 'en_route'), 'not dispatched');
    refused(then(withUnit(), declined(21_000, 'U1')), progress(22_000, 'U1', 'on_scene'), 'not dispatched');
  });
  it('refuses on_scene twice, en_route twice, and en_route after on_scene', () => {
    const onScene = then(withUnit(), progress(21_000, 'U1', 'on_scene'));
    refused(onScene, progress(22_000, 'U1', 'on_scene'), 'already on scene');
    refused(onScene, progress(22_000, 'U1', 'en_route'), 'already on scene');
    refused(then(withUnit(), progress(21_000, 'U1', 'en_route')), progress(22_000, 'U1', 'en_route'), 'already en route');
  });
  it('refuses progress on a resolved incident', () => {
    refused(resolvedState(), progress(700_000, 'U1', 'on_scene'), 'not dispatched');
  });
});

describe('checkEvent: incident.resolved', () => {
  it('is allowed once acknowledged, with or without units', () => {
    allowed(acked(), resolved(6000, 'false_alarm'));
    allowed(withUnit(), resolved(30_000));
  });
  it('is refused before acknowledgement', () => {
    refused(receivedOnly(), resolved(1), 'acknowledge');
  });
  it('is refused twice', () => {
    refused(resolvedState(), resolved(700_000), 'already resolved');
  });
});

describe('checkEvent: incident.reopened', () => {
  it('is allowed on a resolved incident only', () => {
    allowed(resolvedState(), reopened(700_000));
    refused(receivedOnly(), reopened(1), 'not resolved');
    refused(withUnit(), reopened(30_000), 'not resolved');
    refused(then(resolvedState(), reopened(700_000)), reopened(800_000), 'not resolved');
  });
  it('allows resolving a reopened incident again', () => {
    allowed(then(resolvedState(), reopened(700_000)), resolved(800_000));
  });
  it('keeps the acknowledgement of an officer, and gives a test press the station closed to the officer who reopens it', () => {
    expect(inc(then(resolvedState(), reopened(700_000)))).toMatchObject({ acknowledgedAt: T0 + 5000, acknowledgedBy: officer });
    // The station took and closed the test press at once; an officer reopens it an hour later (it was no test).
    const test = fold(received({ kind: 'test' }), { type: 'test.acknowledged', at: T0, incidentId: ID });
    expect(inc(test)).toMatchObject({ acknowledgedAt: T0 });
    expect(inc(test).acknowledgedBy).toBeUndefined();
    const back = inc(then(test, reopened(3_600_000)));
    // Taken by the officer who reopened it, when they did: never a 0 s acknowledgement with no one's name.
    expect(back).toMatchObject({ acknowledgedAt: T0 + 3_600_000, acknowledgedBy: chief, handler: chief, state: 'acknowledged' });
  });
});

describe('checkEvent: incident.escalated', () => {
  it('is allowed once for an unacknowledged open incident', () => {
    allowed(receivedOnly(), escalated(11_000));
    refused(then(receivedOnly(), escalated(11_000)), escalated(12_000), 'cannot be escalated');
  });
  it('is refused after acknowledgement', () => {
    refused(acked(), escalated(11_000), 'cannot be escalated');
    refused(resolvedState(), escalated(700_000), 'cannot be escalated');
  });
});

describe('checkEvent: incident.acknowledged after the lifecycle moved on', () => {
  it('refuses acknowledging a resolved incident', () => {
    // An incident can only be resolved once acknowledged, so the refusal names the earlier acknowledgement.
    refused(resolvedState(), ack(700_000, ID, chief), /already acknowledged|resolved/);
  });
  it('allows acknowledging an escalated incident', () => {
    allowed(then(receivedOnly(), escalated(11_000)), ack(12_000));
  });
});

describe('deriveState', () => {
  const d = (over: Partial<Parameters<typeof deriveState>[0]> = {}) => deriveState({ dispatches: [], ...over });
  const disp = { unitId: 'U1', mode: 'device' as const, dispatchedAt: T0, dispatchedBy: officer };
  it('maps each stage', () => {
    expect(d()).toBe('received');
    expect(d({ acknowledgedAt: T0 })).toBe('acknowledged');
    expect(d({ acknowledgedAt: T0, dispatches: [disp] })).toBe('dispatched');
    expect(d({ acknowledgedAt: T0, dispatches: [{ ...disp, acceptedAt: T0, enRouteAt: T0 }] })).toBe('dispatched');
    expect(d({ acknowledgedAt: T0, dispatches: [disp, { ...disp, unitId: 'U2', onSceneAt: T0 }] })).toBe('on_scene');
    expect(d({ acknowledgedAt: T0, dispatches: [{ ...disp, onSceneAt: T0 }], resolvedAt: T0 })).toBe('resolved');
    expect(
      d({
        acknowledgedAt: T0,
        dispatches: [
          { ...disp, cancelledAt: T0 },
          { ...disp, unitId: 'U2', declinedAt: T0 },
        ],
      }),
    ).toBe('acknowledged');
  });
});

describe('applyRecord: the lifecycle', () => {
  it('walks received → acknowledged → dispatched → on_scene → resolved', () => {
    let s = fold(received());
    expect(inc(s).state).toBe('received');
    s = then(s, ack(5000));
    expect(inc(s).state).toBe('acknowledged');
    s = then(s, dispatched(20_000, 'U1'));
    expect(inc(s).state).toBe('dispatched');
    s = then(s, accepted(25_000, 'U1'));
    expect(inc(s).state).toBe('dispatched');
    s = then(s, progress(60_000, 'U1', 'en_route'));
    expect(inc(s).state).toBe('dispatched');
    s = then(s, progress(240_000, 'U1', 'on_scene'));
    expect(inc(s).state).toBe('on_scene');
    s = then(s, resolved(600_000));
    expect(inc(s).state).toBe('resolved');
    expect(inc(s).resolvedAt).toBe(T0 + 600_000);
    expect(inc(s).resolvedBy).toEqual(officer);
    expect(inc(s).disposition).toBe('real');
    expect(inc(s).resolutionNote).toBe('处置完毕');
    expect(inc(s).seq).toBe(7);
    expect(inc(s).dispatches).toEqual([
      {
        unitId: 'U1',
        mode: 'device',
        dispatchedAt: T0 + 20_000,
        dispatchedBy: officer,
        acceptedAt: T0 + 25_000,
        enRouteAt: T0 + 60_000,
        onSceneAt: T0 + 240_000,
        releasedAt: T0 + 600_000,
      },
    ]);
  });

  it('goes back to acknowledged when the only dispatch is cancelled, or declined', () => {
    const c = then(withUnit(), cancelled(21_000, 'U1', '改派'));
    expect(inc(c).state).toBe('acknowledged');
    expect(inc(c).dispatches[0]).toMatchObject({ cancelledAt: T0 + 21_000, cancelReason: '改派' });
    const dcl = then(withUnit(), declined(21_000, 'U1', '车辆故障'));
    expect(inc(dcl).state).toBe('acknowledged');
    expect(inc(dcl).dispatches[0]).toMatchObject({ declinedAt: T0 + 21_000, declineReason: '车辆故障' });
  });

  it('stays dispatched while another unit is still active', () => {
    const s = fold(received(), ack(5000), dispatched(20_000, 'U1'), dispatched(21_000, 'U2'), cancelled(22_000, 'U1'));
    expect(inc(s).state).toBe('dispatched');
  });

  it('changes only the active dispatch of a unit sent again after a cancel', () => {
    const s = fold(received(), ack(5000), dispatched(20_000, 'U1'), cancelled(21_000, 'U1'), dispatched(22_000, 'U1'), accepted(23_000, 'U1'));
    expect(inc(s).dispatches).toHaveLength(2);
    expect(inc(s).dispatches[0]!.acceptedAt).toBeUndefined();
    expect(inc(s).dispatches[0]!.cancelledAt).toBe(T0 + 21_000);
    expect(inc(s).dispatches[1]!.acceptedAt).toBe(T0 + 23_000);
  });

  it('reopen clears resolvedAt, resolvedBy, disposition and note, records reopenedAt, and the state follows', () => {
    const plain = fold(received(), ack(5000), resolved(30_000, 'false_alarm'), reopened(40_000));
    const i = inc(plain);
    expect(i.state).toBe('acknowledged');
    expect(i.reopenedAt).toBe(T0 + 40_000);
    for (const k of ['resolvedAt', 'resolvedBy', 'disposition', 'resolutionNote'] as const) expect(k in i).toBe(false);
    // Resolution released every unit: a reopened incident is acknowledged and dispatched afresh.
    const withDispatch = then(resolvedState(), reopened(700_000));
    expect(inc(withDispatch).state).toBe('acknowledged');
    const onScene = fold(received(), ack(5000), dispatched(20_000, 'U1'), progress(30_000, 'U1', 'on_scene'), resolved(60_000), reopened(70_000));
    expect(inc(onScene).state).toBe('acknowledged');
    expect(inc(onScene).dispatches[0]!.releasedAt).toBe(T0 + 60_000);
    // …and the released unit may be sent again.
    expect(checkEvent(onScene, dispatched(80_000, 'U1')).ok).toBe(true);
  });

  it('sets assignments on dispatch and clears them on cancel, decline and resolve; reopen does not restore them', () => {
    const s = withUnit();
    expect(s.assignments).toEqual(new Map([['U1', ID]]));
    const two = then(s, dispatched(21_000, 'U2'));
    expect(two.assignments).toEqual(
      new Map([
        ['U1', ID],
        ['U2', ID],
      ]),
    );
    expect(then(two, cancelled(22_000, 'U1')).assignments).toEqual(new Map([['U2', ID]]));
    expect(then(two, declined(22_000, 'U2')).assignments).toEqual(new Map([['U1', ID]]));
    // Accept and progress keep the assignment.
    expect(then(then(two, accepted(22_000, 'U1')), progress(23_000, 'U1', 'on_scene')).assignments).toEqual(
      new Map([
        ['U1', ID],
        ['U2', ID],
      ]),
    );
    const res = then(two, resolved(30_000));
    expect(res.assignments).toEqual(new Map());
    expect(then(res, reopened(40_000)).assignments).toEqual(new Map());
  });

  it('resolving one incident frees only its own units', () => {
    const s = fold(
      received(),
      ack(5000),
      dispatched(20_000, 'U1'),
      received({ incidentId: ID2, alarmId: 'a2', at: T0 + 30_000 }),
      ack(31_000, ID2),
      dispatched(32_000, 'U2', ID2),
      resolved(40_000),
    );
    expect(s.assignments).toEqual(new Map([['U2', ID2]]));
  });

  it('progress implies acceptance, and on_scene implies en_route', () => {
    const s = then(withUnit(), progress(30_000, 'U1', 'on_scene'));
    expect(inc(s).dispatches[0]).toMatchObject({ acceptedAt: T0 + 30_000, enRouteAt: T0 + 30_000, onSceneAt: T0 + 30_000 });
    const e = fold(
      received(),
      ack(5000),
      dispatched(20_000, 'U1'),
      accepted(22_000, 'U1'),
      progress(30_000, 'U1', 'en_route'),
      progress(90_000, 'U1', 'on_scene'),
    );
    expect(inc(e).dispatches[0]).toMatchObject({ acceptedAt: T0 + 22_000, enRouteAt: T0 + 30_000, onSceneAt: T0 + 90_000 });
    const r = then(withUnit(), progress(30_000, 'U1', 'en_route'));
    expect(inc(r).dispatches[0]!.acceptedAt).toBe(T0 + 30_000);
    expect(inc(r).dispatches[0]!.onSceneAt).toBeUndefined();
  });

  it('sets the handler on acknowledge and on take-over', () => {
    expect(inc(acked()).handler).toEqual(officer);
    expect(inc(receivedOnly()).handler).toBeUndefined();
    const s = then(acked(), takeOver(6000, chief));
    expect(inc(s).handler).toEqual(chief);
    // The acknowledgement itself stays with the officer who took the alarm.
    expect(inc(s).acknowledgedBy).toEqual(officer);
    expect(inc(s).state).toBe('acknowledged');
  });

  it('stores notes and call-backs in order, with their kind and operator', () => {
    const s = fold(received(), note(1000, '  先记一笔 '), ack(5000), calledBack(8000, '无人接听'), note(9000, '再拨'));
    expect(inc(s).notes).toEqual([
      { at: T0 + 1000, operator: officer, text: '  先记一笔 ', kind: 'note' },
      { at: T0 + 8000, operator: officer, text: '无人接听', kind: 'callback' },
      { at: T0 + 9000, operator: officer, text: '再拨', kind: 'note' },
    ]);
    expect(inc(s).state).toBe('acknowledged');
  });

  it('records a cancel request and an escalation without changing the state', () => {
    const s = fold(received(), escalated(11_000), cancelRequested(12_000));
    expect(inc(s).escalatedAt).toBe(T0 + 11_000);
    expect(inc(s).cancelRequest).toEqual({ reason: '误按', at: T0 + 12_000 });
    expect(inc(s).state).toBe('received');
  });

  it('appends timeline entries in order, with by and unitId', () => {
    const s = fold(
      received(),
      escalated(11_000),
      ack(12_000),
      note(13_000, '记录'),
      calledBack(14_000, '已回拨'),
      takeOver(15_000, chief),
      dispatched(20_000, 'U1', ID, 'radio'),
      accepted(20_000, 'U1', ID, chief),
      dispatched(21_000, 'U2'),
      declined(22_000, 'U2', '忙'),
      progress(30_000, 'U1', 'en_route'),
      progress(90_000, 'U1', 'on_scene'),
      cancelled(95_000, 'U1', '不再需要'),
      resolved(100_000, 'false_alarm'),
      reopened(110_000),
      cancelRequested(120_000),
    );
    expect(inc(s).timeline).toEqual([
      { at: T0, type: 'alarm.received', detail: 'panic' },
      { at: T0 + 11_000, type: 'incident.escalated' },
      { at: T0 + 12_000, type: 'incident.acknowledged', by: '王警官' },
      { at: T0 + 13_000, type: 'incident.note', by: '王警官', detail: '记录' },
      { at: T0 + 14_000, type: 'incident.called_back', by: '王警官', detail: '已回拨' },
      { at: T0 + 15_000, type: 'incident.taken_over', by: '李所长', detail: '王警官' },
      { at: T0 + 20_000, type: 'incident.dispatched', by: '王警官', unitId: 'U1', detail: 'radio' },
      { at: T0 + 20_000, type: 'dispatch.accepted', by: '李所长', unitId: 'U1' },
      { at: T0 + 21_000, type: 'incident.dispatched', by: '王警官', unitId: 'U2', detail: 'device' },
      { at: T0 + 22_000, type: 'dispatch.declined', unitId: 'U2', detail: '忙' },
      { at: T0 + 30_000, type: 'dispatch.progress', unitId: 'U1', detail: 'en_route' },
      { at: T0 + 90_000, type: 'dispatch.progress', unitId: 'U1', detail: 'on_scene' },
      { at: T0 + 95_000, type: 'dispatch.cancelled', by: '王警官', unitId: 'U1', detail: '不再需要' },
      { at: T0 + 100_000, type: 'incident.resolved', by: '王警官', detail: 'false_alarm' },
      { at: T0 + 110_000, type: 'incident.reopened', by: '李所长', detail: '家长再次报警' },
      { at: T0 + 120_000, type: 'alarm.cancel_requested', detail: '误按' },
    ]);
    expect(inc(s).seq).toBe(16);
    expect(s.seq).toBe(16);
  });

  it('a device acceptance has no "by" in the timeline', () => {
    const s = then(withUnit(), accepted(21_000, 'U1'));
    expect(inc(s).timeline.at(-1)).toEqual({ at: T0 + 21_000, type: 'dispatch.accepted', unitId: 'U1' });
  });

  it('leaves other incidents untouched', () => {
    const before = fold(received(), received({ incidentId: ID2, alarmId: 'a2' }), ack(5000, ID2));
    const after = then(before, ack(6000));
    expect(after.incidents.get(ID2)).toBe(before.incidents.get(ID2));
  });
});

describe('queueOrder with lifecycle stages', () => {
  it('puts resolved incidents last, newest resolution first', () => {
    const s = fold(
      received(),
      ack(1000),
      dispatched(2000, 'U1'),
      resolved(5000),
      received({ incidentId: ID2, alarmId: 'a2', at: T0 + 100 }),
      ack(1100, ID2),
      resolved(9000, 'false_alarm', ID2),
      received({ incidentId: '20261130-0003', alarmId: 'a3', at: T0 + 200 }),
      ack(1200, '20261130-0003'),
      dispatched(3000, 'U2', '20261130-0003'),
      received({ incidentId: '20261130-0004', alarmId: 'a4', at: T0 + 300 }),
      received({ incidentId: '20261130-0005', alarmId: 'a5', at: T0 + 400, kind: 'test' }),
    );
    expect(queueOrder([...s.incidents.values()]).map((i) => i.id)).toEqual(['20261130-0004', '20261130-0005', '20261130-0003', ID2, ID]);
  });
  it('a reopened incident leaves the resolved tail', () => {
    const s = fold(
      received(),
      ack(1000),
      resolved(5000),
      reopened(6000),
      received({ incidentId: ID2, alarmId: 'a2', at: T0 + 100 }),
      ack(1100, ID2),
      resolved(9000, 'false_alarm', ID2),
    );
    expect(queueOrder([...s.incidents.values()]).map((i) => i.id)).toEqual([ID, ID2]);
  });
});

describe('the reducer never mutates its input', () => {
  it('applies every lifecycle event to a deep-frozen state and record', () => {
    const events: StationEvent[] = [
      received(),
      escalated(11_000),
      cancelRequested(11_500),
      ack(12_000),
      note(13_000),
      calledBack(14_000),
      takeOver(15_000, chief),
      dispatched(20_000, 'U1', ID, 'radio'),
      accepted(20_000, 'U1', ID, chief),
      dispatched(21_000, 'U2'),
      declined(22_000, 'U2'),
      dispatched(23_000, 'U3'),
      cancelled(24_000, 'U3'),
      progress(30_000, 'U1', 'en_route'),
      progress(90_000, 'U1', 'on_scene'),
      resolved(100_000),
      reopened(110_000),
      resolved(120_000, 'real'),
      // refused ones too
      ack(130_000),
      resolved(130_000),
      progress(130_000, 'U9', 'on_scene'),
    ];
    let s: StationState = deepFreeze(structuredClone(emptyState));
    events.forEach((event, i) => {
      const record = deepFreeze<JournalRecord>({ seq: i + 1, event: structuredClone(event) });
      const before = JSON.stringify(s);
      const next = applyRecord(s, record);
      expect(JSON.stringify(s)).toBe(before);
      expect(record.event).toEqual(event);
      s = deepFreeze(next);
    });
    expect(inc(s).state).toBe('resolved');
    expect(s.seq).toBe(events.length);
    // Same result as folding unfrozen copies.
    expect(s).toEqual(fold(...events));
  });
});

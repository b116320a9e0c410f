// Protocol v1 conformance — namespace /unit (patrol units): `position` (no ack) and `status` (acked, `{ ok: true }`).
// A bad position is ignored; a status without incidentId is journalled as unit.status; a status that would move
// an incident the unit was not dispatched to is forbidden. (Handshake rules: handshake.test.ts.)
import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UnitStatusChanged } from '../../shared/events';
import { POSITION_FUTURE_ALLOWANCE_MS, POSITION_REORDER_MS, type AlarmStatus } from '../../shared/protocol';
import {
  ask,
  collectStatuses,
  connect,
  isSpecRefusal,
  OFFICER,
  Pacer,
  sleep,
  SPEC_UNIT_STATES,
  START_TIMEOUT,
  startTestCore,
  terminalAuth,
  unitAuth,
  validAlarm,
  waitFor,
  type TestCore,
} from './support';

let t: TestCore;
let u: Socket; // unit 0: positions
let us: Socket; // unit 1: status
// position, status and the barrier count against each unit's rate limit (5/s, burst 20)
const pacer = new Pacer();
const statusPacer = new Pacer();
let unitId: string;
let statusUnitId: string;
beforeAll(async () => {
  t = await startTestCore();
  unitId = t.creds.units[0]!.unitId;
  statusUnitId = t.creds.units[1]!.unitId;
  u = await connect(t.url, '/unit', unitAuth(t.creds.units[0]!));
  us = await connect(t.url, '/unit', unitAuth(t.creds.units[1]!));
}, START_TIMEOUT);
afterAll(async () => {
  u?.close();
  us?.close();
  await t.close();
});

const live = () => t.core.station.units.unitsLive().find((x) => x.unitId === unitId);
/** Messages on one socket are handled in order: an acked unknown event tells us the ones before it are done. */
const barrier = async (): Promise<void> => {
  await pacer.take();
  await ask(u, 'sync', null);
};
const send = async (event: string, payload: unknown): Promise<void> => {
  await pacer.take();
  u.emit(event, payload);
};
const status = async (payload: unknown): Promise<unknown> => {
  await statusPacer.take();
  return ask(us, 'status', payload);
};
/** An acked unknown event on another socket: everything sent to it before has been handled. */
const barrierOn = async (sock: Socket): Promise<void> => {
  await ask(sock, 'sync', null);
};
const statuses = (): UnitStatusChanged[] =>
  t
    .records()
    .map((r) => r.event)
    .filter((e): e is UnitStatusChanged => e.type === 'unit.status' && e.unitId === statusUnitId);

describe('position (unit → station, no ack)', () => {
  it('a valid position is taken as the live position', async () => {
    const at = Date.now();
    await send('position', { lat: 41.32, lng: 117.73, at, heading: 90, speed: 12.5, accuracy: 8 });
    await barrier();
    expect(live()).toMatchObject({ lat: 41.32, lng: 117.73, at, heading: 90, speed: 12.5, connected: true });
  });

  it.each([
    ['lat out of range', { lat: 91, lng: 117.73 }],
    ['lng out of range', { lat: 41.3, lng: -181 }],
    ['lat a string', { lat: '41.3', lng: 117.73 }],
    ['missing lng', { lat: 41.3 }],
    ['at missing', { lat: 41.3, lng: 117.7, at: undefined }],
    ['at a string', { lat: 41.3, lng: 117.7, at: 'now' }],
    ['heading out of range', { lat: 41.3, lng: 117.7, heading: 400 }],
    ['speed negative', { lat: 41.3, lng: 117.7, speed: -1 }],
    ['NaN lat (null on the wire)', { lat: Number.NaN, lng: 117.7 }],
    ['not an object', 'here'],
    ['larger than 16 KiB', { lat: 41.3, lng: 117.7, pad: 'x'.repeat(17 * 1024) }],
  ])('a bad position (%s) is ignored: live position, journal and connection unchanged', async (_n, p) => {
    const before = live();
    const records = t.count();
    await send('position', typeof p === 'object' ? { at: Date.now(), ...p } : p);
    await barrier();
    expect(live()).toEqual(before);
    expect(t.count()).toBe(records);
    expect(u.connected).toBe(true);
  });

  it('an older fix arriving late does not replace a newer one', async () => {
    const at = Date.now();
    await send('position', { lat: 41.33, lng: 117.74, at });
    await send('position', { lat: 41.0, lng: 117.0, at: at - 60_000 });
    await barrier();
    expect(live()).toMatchObject({ lat: 41.33, lng: 117.74, at });
  });

  it('a fix stamped in the future does not freeze the unit: it is shown at the receive time, and honest fixes move it again', async () => {
    // Finding 12: positions were ordered by the unit's clock, so one fix stamped a year ahead held the unit there.
    await send('position', { lat: 41.35, lng: 117.76, at: Date.now() });
    const sent = Date.now();
    await send('position', { lat: 41.36, lng: 117.77, at: sent + 365 * 24 * 3_600_000 });
    await barrier();
    const future = live()!;
    expect(future).toMatchObject({ lat: 41.36, lng: 117.77 });
    expect(future.at).toBe(future.receivedAt); // beyond the allowance: the receive time, not the unit's clock
    expect(future.at).toBeLessThanOrEqual(Date.now());
    for (const [lat, lng] of [
      [41.37, 117.78],
      [41.38, 117.79],
    ] as const) {
      const at = Date.now();
      await send('position', { lat, lng, at });
      await barrier();
      expect(live()).toMatchObject({ lat, lng, at });
    }
  });

  it('positions are not journalled', async () => {
    const records = t.count();
    await send('position', { lat: 41.34, lng: 117.75, at: Date.now() });
    await barrier();
    expect(t.count()).toBe(records);
  });
});

describe('position ordering on the station clock (the station clock jumps here, so it has its own core)', () => {
  // The station clock is the real one plus `offset`, so a test can let the reorder window pass without waiting.
  let offset = 0;
  let tc: TestCore;
  let su: Socket;
  const p2 = new Pacer();
  beforeAll(async () => {
    tc = await startTestCore({ now: () => Date.now() + offset });
    su = await connect(tc.url, '/unit', unitAuth(tc.creds.units[0]!));
  }, START_TIMEOUT);
  afterAll(async () => {
    su?.close();
    await tc?.close();
  });
  const liveHere = () => tc.core.station.units.unitsLive().find((x) => x.unitId === tc.creds.units[0]!.unitId);
  const fix = async (p: { lat: number; lng: number; at: number }): Promise<void> => {
    await p2.take(2);
    su.emit('position', p);
    await ask(su, 'sync', null);
  };

  it('a fix stamped ahead but within the allowance keeps its stamp; a unit whose clock then runs behind moves again after the reorder window', async () => {
    const now = () => Date.now() + offset;
    const ahead = now() + POSITION_FUTURE_ALLOWANCE_MS - 1_000;
    await fix({ lat: 41.4, lng: 117.8, at: ahead });
    expect(liveHere()).toMatchObject({ lat: 41.4, lng: 117.8, at: ahead });
    // Right after it, an older stamp is a straggler overtaken on the way: ignored…
    await fix({ lat: 41.0, lng: 117.0, at: now() - 3_600_000 });
    expect(liveHere()).toMatchObject({ lat: 41.4, lng: 117.8 });
    // …but only for the reorder window: then the unit's fixes move it, however far behind its clock is.
    offset += POSITION_REORDER_MS;
    const behind = now() - 3_600_000;
    await fix({ lat: 41.41, lng: 117.81, at: behind });
    expect(liveHere()).toMatchObject({ lat: 41.41, lng: 117.81, at: behind });
    await fix({ lat: 41.42, lng: 117.82, at: behind + 2_000 });
    expect(liveHere()).toMatchObject({ lat: 41.42, lng: 117.82, at: behind + 2_000 });
  });

  it('a fix stamped far in the future, then a clock corrected backwards: the unit never freezes', async () => {
    offset += POSITION_REORDER_MS;
    const now = () => Date.now() + offset;
    await fix({ lat: 41.5, lng: 117.9, at: 4_102_444_800_000 }); // 2100
    const f = liveHere()!;
    expect(f).toMatchObject({ lat: 41.5, lng: 117.9 });
    expect(f.at).toBe(f.receivedAt);
    const at = now();
    await fix({ lat: 41.51, lng: 117.91, at });
    expect(liveHere()).toMatchObject({ lat: 41.51, lng: 117.91, at });
  });
});

describe('status (unit → station, acked)', () => {
  it.each(SPEC_UNIT_STATES)('state %s without incidentId → { ok: true }, journalled as unit.status', async (state) => {
    const at = Date.now();
    const ans = await status({ state, at });
    expect(ans).toEqual({ ok: true });
    expect(statuses().at(-1)).toMatchObject({ type: 'unit.status', unitId: statusUnitId, state, reportedAt: at });
    expect(t.core.station.snapshot.units.get(statusUnitId)?.state).toBe(state);
  });

  it('the same state again → { ok: true } (at most one record)', async () => {
    const n = statuses().length;
    expect(await status({ state: 'off_duty', at: Date.now() })).toEqual({ ok: true });
    expect(statuses().length - n).toBeLessThanOrEqual(1);
  });

  it('with an incidentId the unit was not dispatched to → forbidden; nothing changes', async () => {
    const term = await connect(t.url, '/terminal', terminalAuth(t.creds.terminals[0]!));
    let incidentId: string;
    try {
      incidentId = ((await ask(term, 'alarm', validAlarm())) as { incidentId: string }).incidentId;
    } finally {
      term.close();
    }
    for (const state of ['en_route', 'on_scene'] as const) {
      const before = t.count();
      const incBefore = t.core.station.snapshot.incidents.get(incidentId);
      const ans = await status({ state, incidentId, at: Date.now() });
      expect(isSpecRefusal(ans, 'forbidden')).toBe(true);
      expect(t.count()).toBe(before);
      expect(t.core.station.snapshot.incidents.get(incidentId)).toEqual(incBefore);
    }
    // An incident that does not exist at all: the unit was not dispatched to it either.
    expect(isSpecRefusal(await status({ state: 'en_route', incidentId: '20990101-0001', at: Date.now() }), 'forbidden')).toBe(true);
  });

  it.each([
    ['unknown state', { state: 'lunch', at: 1 }],
    ['missing at', { state: 'busy' }],
    ['at a string', { state: 'busy', at: 'now' }],
    ['incidentId a number', { state: 'busy', incidentId: 5, at: 1 }],
    ['null', null],
    ['larger than 16 KiB', { state: 'busy', at: 1, pad: 'x'.repeat(17 * 1024) }],
  ])('a bad status (%s) → invalid_payload, nothing journalled', async (_n, p) => {
    const before = t.count();
    expect(isSpecRefusal(await status(p), 'invalid_payload')).toBe(true);
    expect(t.count()).toBe(before);
  });
});

// ---------- dispatch (station → unit, acked by the unit) ----------
// The officer's side is the core's API (dispatchUnit / cancelDispatch / resolve, as the console calls it); it is
// reached dynamically so that this file does not depend on its exact TypeScript signature. Everything asserted is
// what the unit and the school terminal see on the wire.
interface Delivery {
  payload: Record<string, unknown>;
  ack: ((a: unknown) => void) | undefined;
}

describe('dispatch (station → unit)', () => {
  const api = (): TestCore['core']['station']['operators'] => t.core.station.operators;

  /** A school presses, an officer takes it (接警): the incident, and the terminal with its alarm:status list. */
  async function incident(termIndex: number): Promise<{ incidentId: string; schoolId: string; term: Socket; statuses: AlarmStatus[] }> {
    let statuses: AlarmStatus[] = [];
    const term = await connect(t.url, '/terminal', terminalAuth(t.creds.terminals[termIndex]!), { before: (x) => (statuses = collectStatuses(x)) });
    const incidentId = ((await ask(term, 'alarm', validAlarm())) as { incidentId: string }).incidentId;
    expect(t.core.station.operators.acknowledge(OFFICER, incidentId)).toEqual({ ok: true });
    return { incidentId, schoolId: t.creds.terminals[termIndex]!.schoolId, term, statuses };
  }
  async function unitWithInbox(i: number, answer: 'accept' | 'ignore'): Promise<{ s: Socket; got: Delivery[]; cancels: Delivery[] }> {
    const got: Delivery[] = [];
    const cancels: Delivery[] = [];
    const s = await connect(t.url, '/unit', unitAuth(t.creds.units[i]!), {
      before: (x) => {
        x.on('dispatch', (payload: Record<string, unknown>, ack?: (a: unknown) => void) => {
          got.push({ payload, ack });
          if (answer === 'accept') ack?.({ ok: true });
        });
        x.on('dispatch:cancel', (payload: Record<string, unknown>, ack?: (a: unknown) => void) => {
          cancels.push({ payload, ack });
          ack?.({ ok: true });
        });
      },
    });
    return { s, got, cancels };
  }

  it('dispatch { incidentId, school: { id, name, address, lat, lng }, kind, priority, drill, at } reaches the unit, asking for its ack', async () => {
    const inc = await incident(20);
    const unit = await unitWithInbox(2, 'accept');
    try {
      const unitId = t.creds.units[2]!.unitId;
      expect(api().dispatchUnit(OFFICER, inc.incidentId, unitId)).toEqual({ ok: true });
      const d = await waitFor('dispatch', () => unit.got[0]);
      expect(typeof d.ack).toBe('function');
      expect(Object.keys(d.payload).sort()).toEqual(['at', 'drill', 'incidentId', 'kind', 'priority', 'school']);
      expect(d.payload).toMatchObject({ incidentId: inc.incidentId, kind: 'panic', drill: false, at: expect.any(Number) });
      const school = d.payload.school as Record<string, unknown>;
      expect(Object.keys(school).sort()).toEqual(['address', 'id', 'lat', 'lng', 'name']);
      expect(school.id).toBe(inc.schoolId);
      expect(typeof school.name).toBe('string');
      expect(typeof school.lat).toBe('number');
      expect(typeof school.lng).toBe('number');
      // The terminal hears that police are on their way (已派警).
      await waitFor('alarm:status dispatched', () => inc.statuses.find((x) => x.incidentId === inc.incidentId && x.state === 'dispatched'));

      // The dispatched unit moves its incident: en_route, then on_scene (arrival recorded, the school told).
      await statusPacer.take();
      expect(await ask(unit.s, 'status', { state: 'en_route', incidentId: inc.incidentId, at: Date.now() })).toEqual({ ok: true });
      const before = t.count();
      await statusPacer.take();
      expect(await ask(unit.s, 'status', { state: 'on_scene', incidentId: inc.incidentId, at: Date.now() })).toEqual({ ok: true });
      expect(t.eventsSince(before).some((e) => JSON.stringify(e).includes(inc.incidentId) && JSON.stringify(e).includes('on_scene'))).toBe(true);
      await waitFor('alarm:status on_scene', () => inc.statuses.find((x) => x.incidentId === inc.incidentId && x.state === 'on_scene'));

      // Another unit still may not move it.
      expect(isSpecRefusal(await status({ state: 'on_scene', incidentId: inc.incidentId, at: Date.now() }), 'forbidden')).toBe(true);

      // Resolved (处置完毕): the school is told, and a reconnecting terminal hears nothing more of it (not open).
      expect(api().resolve(OFFICER, inc.incidentId, 'real', '')).toEqual({ ok: true });
      await waitFor('alarm:status resolved', () => inc.statuses.find((x) => x.incidentId === inc.incidentId && x.state === 'resolved'));
      inc.term.close();
      let again: AlarmStatus[] = [];
      const term2 = await connect(t.url, '/terminal', terminalAuth(t.creds.terminals[20]!), { before: (x) => (again = collectStatuses(x)) });
      await barrierOn(term2);
      expect(again.filter((x) => x.incidentId === inc.incidentId)).toEqual([]);
      term2.close();
    } finally {
      inc.term.close();
      unit.s.close();
    }
  });

  it('an unacked dispatch is sent again (here: when the unit reconnects); an acked one is not', async () => {
    const inc = await incident(21);
    const unitId = t.creds.units[3]!.unitId;
    const silent = await unitWithInbox(3, 'ignore');
    expect(api().dispatchUnit(OFFICER, inc.incidentId, unitId)).toEqual({ ok: true });
    await waitFor('first delivery', () => silent.got[0]);
    silent.s.close();
    const back = await unitWithInbox(3, 'accept');
    try {
      const d = await waitFor('delivered again', () => back.got.find((x) => x.payload.incidentId === inc.incidentId), 3000);
      expect(d.payload.incidentId).toBe(inc.incidentId);
      await sleep(200); // let the ack land
    } finally {
      back.s.close();
    }
    const third = await unitWithInbox(3, 'accept');
    try {
      await sleep(300);
      expect(third.got.filter((x) => x.payload.incidentId === inc.incidentId)).toEqual([]);
    } finally {
      third.s.close();
      inc.term.close();
    }
  });

  it('dispatch:cancel { incidentId, reason, at } reaches the unit, asking for its ack', async () => {
    const inc = await incident(22);
    const unitId = t.creds.units[4]!.unitId;
    const unit = await unitWithInbox(4, 'accept');
    try {
      expect(api().dispatchUnit(OFFICER, inc.incidentId, unitId)).toEqual({ ok: true });
      await waitFor('dispatch', () => unit.got[0]);
      expect(api().cancelDispatch(OFFICER, inc.incidentId, unitId, '学校已确认误报')).toEqual({ ok: true });
      const c = await waitFor('dispatch:cancel', () => unit.cancels[0]);
      expect(typeof c.ack).toBe('function');
      expect(Object.keys(c.payload).sort()).toEqual(['at', 'incidentId', 'reason']);
      expect(c.payload).toMatchObject({ incidentId: inc.incidentId, reason: '学校已确认误报', at: expect.any(Number) });
      // No longer dispatched to it: the unit may not move the incident any more.
      await statusPacer.take();
      expect(isSpecRefusal(await ask(unit.s, 'status', { state: 'on_scene', incidentId: inc.incidentId, at: Date.now() }), 'forbidden')).toBe(true);
    } finally {
      unit.s.close();
      inc.term.close();
    }
  });
});

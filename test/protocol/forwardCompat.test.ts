// Protocol v1 conformance — forward compatibility (spec, "Transport"): a receiver ignores fields it does not know
// and never refuses a message for them; every field it knows stays strictly validated. A newer terminal may send
// optional fields this station has never heard of: its alarms must still arrive. A sent `schoolId` is one such
// field — ignored, the school always comes from the registry. The same holds for /unit and for the handshake.
// Hostile key names (`__proto__`, `constructor`, `toString` …) are sent as raw frames, so they reach the station
// as own JSON keys exactly as a hostile client would send them.
import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AlarmReceived } from '../../shared/events';
import {
  ask,
  connect,
  freshAddress,
  isSpecRefusal,
  newAlarmId,
  Pacer,
  rawConnect,
  START_TIMEOUT,
  resolveAllOpen,
  startTestCore,
  terminalAuth,
  tryHandshake,
  unitAuth,
  validAlarm,
  type RawSocket,
  type TestCore,
} from './support';

let t: TestCore;
beforeAll(async () => {
  t = await startTestCore();
}, START_TIMEOUT);
afterAll(async () => {
  await t?.close();
});
// Each test's alarm is an incident of its own (a press while the device's incident is open would join it).
beforeEach(() => resolveAllOpen(t));

/** The keys an alarm.received event has (note and location only when sent). */
// `area`: the school's area class, from the registry (never from the terminal).
const ALARM_EVENT_KEYS = ['alarmId', 'area', 'at', 'deviceId', 'drill', 'incidentId', 'kind', 'raisedAt', 'schoolId', 'type'];
const alarmEvents = (alarmId: string): AlarmReceived[] =>
  t
    .records()
    .map((r) => r.event)
    .filter((e): e is AlarmReceived => e.type === 'alarm.received' && e.alarmId === alarmId);

/** Nothing a payload carried may have reached Object.prototype in the station's process (same process here). */
function prototypeClean(): void {
  const probe = {} as Record<string, unknown>;
  for (const k of ['polluted', 'kind', 'note', 'schoolId', 'lat', 'isAdmin']) expect(probe[k], k).toBeUndefined();
}

describe('/terminal alarm with fields the station does not know', () => {
  let s: Socket; // terminal 0
  beforeAll(async () => {
    s = await connect(t.url, '/terminal', terminalAuth(t.creds.terminals[0]!));
  });
  afterAll(() => s?.close());

  const unknown: [string, Record<string, unknown>][] = [
    ['schoolId of another school', { schoolId: 'sch-other' }],
    ['deviceId of another device (cannot speak for it)', { deviceId: 'term-p02' }],
    ['incidentId', { incidentId: '20990101-0001' }],
    ['a priority', { priority: 'high' }],
    ['a firmware object', { firmware: { version: '2.1.0', build: 77, features: ['video', 'audio'] } }],
    ['a location with altitude and floor', { location: { lat: 41.3, lng: 117.7, alt: 300, floor: 3 } }],
    ['null, an array and a number', { a: null, b: [1, 2, 3], c: 1e21 }],
    ['several at once, next to every optional field', { drill: true, note: '东门', location: { lat: 41, lng: 117 }, camera: 'cam-3', zone: 7, schoolId: 'x' }],
    ['an area class (the station keeps its own)', { area: 'other' }],
  ];

  it.each(unknown)('%s → accepted, journalled with the known fields only, the school from the registry', async (_n, extra) => {
    const term = t.creds.terminals[0]!;
    const a = validAlarm(extra);
    const before = t.count();
    const ans = (await ask(s, 'alarm', a)) as { ok: boolean; incidentId: string; duplicate?: boolean };
    expect(ans).toMatchObject({ ok: true });
    expect(ans.duplicate).toBeUndefined();
    const added = t.eventsSince(before);
    expect(added).toHaveLength(1);
    const ev = added[0] as AlarmReceived;
    expect(ev).toMatchObject({ type: 'alarm.received', incidentId: ans.incidentId, deviceId: term.deviceId, schoolId: term.schoolId, alarmId: a.alarmId });
    const expectedKeys = [...ALARM_EVENT_KEYS, ...(a.note !== undefined ? ['note'] : []), ...(a.location !== undefined ? ['location'] : [])].sort();
    expect(Object.keys(ev).sort()).toEqual(expectedKeys);
    expect(ev.area).toBe(t.core.station.registry.school(term.schoolId)!.area);
    if (ev.location) expect(Object.keys(ev.location).sort()).toEqual(['lat', 'lng']);
  });

  it('a resend of the same alarmId with different unknown fields is the same incident (duplicate)', async () => {
    const a = validAlarm({ firmware: '1.0' });
    const first = (await ask(s, 'alarm', a)) as { incidentId: string; receivedAt: number };
    const again = (await ask(s, 'alarm', { ...a, firmware: '1.1', retry: 2 })) as { incidentId: string; receivedAt: number; duplicate?: boolean };
    expect(again).toEqual({ ok: true, incidentId: first.incidentId, receivedAt: first.receivedAt, duplicate: true });
    expect(alarmEvents(a.alarmId as string)).toHaveLength(1);
  });

  it('known fields stay strict: an unknown field never makes an invalid alarm valid, nor hides the 16 KiB limit', async () => {
    const before = t.count();
    for (const p of [
      validAlarm({ schoolId: 'x', kind: 'earthquake' }),
      validAlarm({ extra: 1, raisedAt: -1 }),
      validAlarm({ extra: 1, note: 'x'.repeat(501) }),
      validAlarm({ extra: 1, location: { lat: 91, lng: 117, alt: 3 } }),
      validAlarm({ pad: 'p'.repeat(16 * 1024) }),
    ]) {
      expect(isSpecRefusal(await ask(s, 'alarm', p), 'invalid_payload'), JSON.stringify(p).slice(0, 120)).toBe(true);
    }
    expect(t.count()).toBe(before);
  });
});

describe('hostile key names, sent as raw frames', () => {
  let raw: RawSocket;
  let ackId = 0;
  const term = () => t.creds.terminals[1]!;
  beforeAll(async () => {
    raw = await rawConnect(t.url);
    raw.send(`40/terminal,${JSON.stringify(terminalAuth(term()))}`);
    await raw.next((f) => f.startsWith('40/terminal,{"sid"'));
  });
  afterAll(() => raw?.close());

  /** Sends `42/terminal,N[event, <payloadJson>]` as written and returns the parsed ack. */
  async function send(event: string, payloadJson: string): Promise<Record<string, unknown>> {
    const id = ++ackId;
    const from = raw.frames.length;
    raw.send(`42/terminal,${id}[${JSON.stringify(event)},${payloadJson}]`);
    const f = await raw.next((x) => x.startsWith(`43/terminal,${id}[`), 3000, from);
    return (JSON.parse(f.slice(`43/terminal,${id}`.length)) as Record<string, unknown>[])[0]!;
  }

  const hostile: [string, string][] = [
    ['__proto__ carrying known field names', '"__proto__":{"kind":"fire","note":"from proto","drill":true,"schoolId":"sch-other","polluted":1}'],
    ['constructor.prototype', '"constructor":{"prototype":{"polluted":1,"isAdmin":true}}'],
    ['toString, valueOf, hasOwnProperty, toJSON', '"toString":"x","valueOf":null,"hasOwnProperty":0,"toJSON":{"alarmId":"other"}'],
    ['then (a thenable look-alike)', '"then":"x"'],
    ['an empty key, a NUL and a 1,000-character key', `"":1,"\\u0000":2,${JSON.stringify('k'.repeat(1000))}:3`],
    ['__proto__ inside location', '"location":{"lat":41.5,"lng":117.5,"__proto__":{"lat":0,"polluted":1}}'],
  ];

  it.each(hostile)('alarm with %s → accepted; nothing of it reaches the event or the process', async (_n, extraJson) => {
    const alarmId = newAlarmId('HOSTILE');
    const raisedAt = Date.now();
    const before = t.count();
    const ans = await send('alarm', `{"alarmId":"${alarmId}","kind":"panic","raisedAt":${raisedAt},${extraJson}}`);
    expect(ans).toMatchObject({ ok: true });
    const added = t.eventsSince(before);
    expect(added).toHaveLength(1);
    const ev = added[0] as AlarmReceived;
    expect(ev).toMatchObject({
      type: 'alarm.received',
      incidentId: ans.incidentId,
      deviceId: term().deviceId,
      schoolId: term().schoolId,
      alarmId,
      kind: 'panic',
      drill: false,
      raisedAt,
    });
    expect(ev.note).toBeUndefined();
    expect(Object.getPrototypeOf(ev)).toBe(Object.prototype);
    const keys = Object.keys(ev).sort();
    expect(keys).toEqual([...ALARM_EVENT_KEYS, ...(ev.location ? ['location'] : [])].sort());
    if (ev.location) expect(ev.location).toEqual({ lat: 41.5, lng: 117.5 });
    prototypeClean();
    // …and the station still works: a plain alarm right after is accepted.
    expect(await send('alarm', JSON.stringify(validAlarm()))).toMatchObject({ ok: true });
  });

  it('heartbeat and cancel with hostile keys are answered ok', async () => {
    const hb = await send('heartbeat', `{"sentAt":${Date.now()},"battery":50,"__proto__":{"tamper":true},"constructor":{"prototype":{"polluted":1}}}`);
    expect(hb).toMatchObject({ ok: true });
    const h = t.core.station.devices.health().find((d) => d.deviceId === term().deviceId)!;
    expect(h).toMatchObject({ battery: 50, tamper: false });
    const a = validAlarm();
    expect(await send('alarm', JSON.stringify(a))).toMatchObject({ ok: true });
    const before = t.count();
    expect(await send('cancel', `{"alarmId":"${a.alarmId as string}","reason":"误触","__proto__":{"reason":"x"},"incidentId":"other"}`)).toEqual({ ok: true });
    expect(t.eventsSince(before)).toEqual([expect.objectContaining({ type: 'alarm.cancel_requested', reason: '误触' })]);
    prototypeClean();
  });
});

describe('/terminal cancel and heartbeat with unknown fields', () => {
  let s: Socket; // terminal 2
  const pacer = new Pacer();
  beforeAll(async () => {
    s = await connect(t.url, '/terminal', terminalAuth(t.creds.terminals[2]!));
  });
  afterAll(() => s?.close());

  it('cancel → { ok: true }, recorded with its reason only', async () => {
    const a = validAlarm();
    const { incidentId } = (await ask(s, 'alarm', a)) as { incidentId: string };
    await pacer.take();
    const before = t.count();
    expect(await ask(s, 'cancel', { alarmId: a.alarmId, reason: '误触', incidentId: 'x', by: { name: '王老师' } })).toEqual({ ok: true });
    const added = t.eventsSince(before);
    expect(added).toHaveLength(1);
    expect(added[0]).toMatchObject({ type: 'alarm.cancel_requested', incidentId, reason: '误触' });
    expect(Object.keys(added[0]!).sort()).toEqual(['at', 'incidentId', 'reason', 'type']);
  });

  it('heartbeat → { ok: true, serverTime }, the known fields taken', async () => {
    await pacer.take();
    const ans = (await ask(s, 'heartbeat', { sentAt: Date.now(), battery: 64, temperature: 21, gps: { fix: true }, signal: -70 })) as Record<string, unknown>;
    expect(Object.keys(ans).sort()).toEqual(['ok', 'serverTime']);
    expect(t.core.station.devices.health().find((d) => d.deviceId === t.creds.terminals[2]!.deviceId)).toMatchObject({ battery: 64 });
  });
});

describe('/unit with unknown fields', () => {
  let u: Socket; // unit 0
  const pacer = new Pacer();
  const unitId = () => t.creds.units[0]!.unitId;
  beforeAll(async () => {
    u = await connect(t.url, '/unit', unitAuth(t.creds.units[0]!));
  });
  afterAll(() => u?.close());
  const live = () => t.core.station.units.unitsLive().find((x) => x.unitId === unitId());

  it('position → taken as the live position, with the known fields only', async () => {
    const at = Date.now();
    await pacer.take(2);
    u.emit('position', { lat: 41.31, lng: 117.71, at, heading: 45, altitude: 500, satellites: 9, hdop: 0.8, constructor: { prototype: { polluted: 1 } } });
    await ask(u, 'sync', null); // handled after the position (same socket, in order)
    expect(live()).toMatchObject({ unitId: unitId(), lat: 41.31, lng: 117.71, at, heading: 45 });
    expect(Object.keys(live()!).sort()).toEqual(['at', 'connected', 'heading', 'lat', 'lng', 'receivedAt', 'unitId']);
    prototypeClean();
  });

  it('status → { ok: true }, journalled as unit.status', async () => {
    await pacer.take();
    const before = t.count();
    // unitId of another unit: ignored, the unit is the one of the connection.
    expect(await ask(u, 'status', { state: 'busy', at: Date.now(), odometer: 12_345, reason: '巡逻', unitId: t.creds.units[1]!.unitId })).toEqual({ ok: true });
    expect(t.eventsSince(before)).toEqual([expect.objectContaining({ type: 'unit.status', unitId: unitId(), state: 'busy' })]);
  });

  it('status: an unknown field never stands in for incidentId (a unit may only move incidents it was dispatched to)', async () => {
    await pacer.take();
    const before = t.count();
    // Not dispatched to anything: with a (known) incidentId this is forbidden; an unknown look-alike is ignored.
    expect(await ask(u, 'status', { state: 'on_scene', at: Date.now(), incidentID: '20990101-0001', incident_id: 'x' })).toEqual({ ok: true });
    const added = t.eventsSince(before);
    expect(added.every((e) => e.type === 'unit.status')).toBe(true);
  });
});

describe('the handshake ignores unknown auth fields too', () => {
  it('/terminal: { deviceId, token, firmware, schoolId } connects as that device', async () => {
    const term = t.creds.terminals[3]!;
    const r = await tryHandshake(t.url, '/terminal', { ...terminalAuth(term), firmware: '2.1.0', schoolId: 'sch-other' }, { localAddress: freshAddress() });
    expect(r.result).toBe('connected');
  });

  it('/unit: { unitId, token, model } connects', async () => {
    const r = await tryHandshake(t.url, '/unit', { ...unitAuth(t.creds.units[1]!), model: 'X-9' }, { localAddress: freshAddress() });
    expect(r.result).toBe('connected');
  });

  it('a wrong token with extra fields is still unauthorized', async () => {
    const term = t.creds.terminals[3]!;
    const r = await tryHandshake(t.url, '/terminal', { deviceId: term.deviceId, token: 'wrong', firmware: '2.1.0' }, { localAddress: freshAddress() });
    expect(r.result).toBe('unauthorized');
  });
});

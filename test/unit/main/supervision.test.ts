// test/unit/main — the station core beyond alarms: device supervision (offline, tamper, skew), refusal counts,
// cancel requests, fault acknowledgement, rate limiting, patrol units and live registry reloads.
// A real journal in a temp dir, a real registry, and a clock the test moves by hand.
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Journal } from '../../../main/core/journal';
import { Registry, type RegistryData } from '../../../main/core/registry';
import { hashSecret, type SecretHash } from '../../../main/core/secrets';
import { Station } from '../../../main/core/station';
import type { DeviceHealth } from '../../../shared/consoleApi';
import type { JournalRecord, StationEvent } from '../../../shared/events';
import { officer, chief, trainer, admin } from '../../support/operators';
import { savedRegistry, stationRegistryData, unitRecord, useStationBench } from '../../support/registryFixture';

const T0 = new Date(2026, 10, 30, 10, 15, 0).getTime();
const HB = 1000; // heartbeat interval of every station here: offline after > 3000 ms of silence

let secret: SecretHash;
beforeAll(async () => {
  secret = await hashSecret('terminal-token');
});

const registryData = (): RegistryData =>
  stationRegistryData(secret, { t2Label: '值班室', units: [unitRecord('U-1', secret, { name: '巡逻一组', callsign: '巡1' })] });

const bench = useStationBench('supervision-test-', { mute: ['error', 'log'] });
const { journal, onDisk } = bench;
let now: number;
const clock = (): number => now;
const eventsOnDisk = (type?: StationEvent['type']): StationEvent[] =>
  onDisk()
    .map((r) => r.event)
    .filter((e) => type === undefined || e.type === type);

function station(registry: Registry = new Registry(registryData()), j: Journal = journal()): Station {
  return bench.station(registry, { now: clock, heartbeatMs: HB }, j);
}
/** A station whose terminals were all heard at the start (a sign of life at `now`): from then on, silence counts. */
function heardStation(registry?: Registry, j?: Journal): Station {
  const s = station(registry, j);
  for (const id of ['T-1', 'T-2', 'T-off']) s.devices.touch(id, now);
  return s;
}
function healthOf(s: Station, deviceId: string): DeviceHealth {
  const h = s.devices.health().find((d) => d.deviceId === deviceId);
  if (!h) throw new Error(`no health for ${deviceId}`);
  return h;
}
function heard(s: Station): { records: JournalRecord[]; revoked: (readonly string[])[] } {
  const out = { records: [] as JournalRecord[], revoked: [] as (readonly string[])[] };
  s.subscribe({ record: (r) => out.records.push(r), registryChanged: (ids) => out.revoked.push(ids) });
  return out;
}

beforeEach(() => {
  now = T0;
});

describe('Station.supervise', () => {
  it('never marks a terminal offline that was never heard since the start: it is "never connected", no fault', () => {
    const s = station();
    now = T0 + 100 * HB;
    s.devices.supervise();
    expect(eventsOnDisk()).toEqual([]);
    const h = healthOf(s, 'T-1');
    expect(h.online).toBe(true);
    expect(h.lastSeenAt).toBeUndefined();
    expect(h.connected).toBe(false);
    expect(s.snapshot.devices.get('T-1')).toBeUndefined();
    // Once heard, its silence counts.
    s.devices.touch('T-1', now);
    now += 3 * HB + 1;
    s.devices.supervise();
    expect(eventsOnDisk()).toEqual([{ type: 'device.offline', at: now, deviceId: 'T-1', lastSeenAt: T0 + 100 * HB }]);
  });

  it('marks a terminal heard at the start offline only after more than 3 heartbeats of silence', () => {
    const s = heardStation();
    now = T0 + 3 * HB;
    s.devices.supervise();
    expect(eventsOnDisk()).toEqual([]);
    expect(healthOf(s, 'T-1').online).toBe(true);

    now = T0 + 3 * HB + 1;
    s.devices.supervise();
    expect(eventsOnDisk()).toEqual([
      { type: 'device.offline', at: T0 + 3 * HB + 1, deviceId: 'T-1', lastSeenAt: T0 },
      { type: 'device.offline', at: T0 + 3 * HB + 1, deviceId: 'T-2', lastSeenAt: T0 },
    ]);
    const h = healthOf(s, 'T-1');
    expect(h.online).toBe(false);
    expect(h.since).toBe(T0 + 3 * HB + 1);
    expect(h.lastSeenAt).toBe(T0);
    expect(s.snapshot.devices.get('T-1')!.faults.offline).toEqual({ kind: 'offline', openedAt: T0 + 3 * HB + 1 });
  });

  it('records the offline event exactly once however often it supervises', () => {
    const s = heardStation();
    const h = heard(s);
    for (let t = 0; t <= 20 * HB; t += 250) {
      now = T0 + t;
      s.devices.supervise();
    }
    expect(h.records.map((r) => [r.event.type, 'deviceId' in r.event ? r.event.deviceId : ''])).toEqual([
      ['device.offline', 'T-1'],
      ['device.offline', 'T-2'],
    ]);
    expect(onDisk()).toHaveLength(2);
    // Not by trying and being refused every tick either: nothing is logged.
    expect(bench.consoleError).not.toHaveBeenCalled();
  });

  it('counts the silence from the last sign of life of a device that was heard', () => {
    const s = heardStation();
    now = T0 + 2000;
    s.terminals.receiveHeartbeat('T-1', { sentAt: now });
    now = T0 + 2000 + 3 * HB;
    s.devices.supervise();
    // T-2 was heard at the start and is silent since, so it is out; T-1 is exactly at the limit, still in.
    expect(eventsOnDisk().map((e) => (e.type === 'device.offline' ? e.deviceId : e.type))).toEqual(['T-2']);
    now += 1;
    s.devices.supervise();
    expect(eventsOnDisk('device.offline')).toContainEqual({ type: 'device.offline', at: now, deviceId: 'T-1', lastSeenAt: T0 + 2000 });
  });

  it('does not supervise disabled terminals', () => {
    const s = heardStation();
    now = T0 + 100 * HB;
    s.devices.supervise();
    expect(eventsOnDisk().map((e) => (e.type === 'device.offline' ? e.deviceId : '?'))).toEqual(['T-1', 'T-2']);
    expect(healthOf(s, 'T-off').online).toBe(true);
    expect(s.snapshot.devices.get('T-off')).toBeUndefined();
  });

  it.each([
    ['a heartbeat', (s: Station) => void s.terminals.receiveHeartbeat('T-1', { sentAt: now })],
    ['an alarm', (s: Station) => void s.terminals.receiveAlarm('T-1', { alarmId: 'a1', kind: 'panic', raisedAt: now })],
    ['a new connection', (s: Station) => s.devices.connected('T-1')],
  ])('records device.online when an offline terminal is heard again by %s', (_what, signOfLife) => {
    const s = heardStation();
    now = T0 + 5 * HB;
    s.devices.supervise();
    now = T0 + 9 * HB;
    signOfLife(s);
    const online = eventsOnDisk('device.online');
    expect(online).toEqual([{ type: 'device.online', at: T0 + 9 * HB, deviceId: 'T-1' }]);
    const h = healthOf(s, 'T-1');
    expect(h.online).toBe(true);
    expect(h.since).toBe(T0 + 9 * HB);
    expect(s.snapshot.devices.get('T-1')!.faults).toEqual({});
    // T-2 stays offline; a second sign of life from T-1 records nothing more.
    expect(healthOf(s, 'T-2').online).toBe(false);
    signOfLife(s);
    expect(eventsOnDisk('device.online')).toHaveLength(1);
    expect(bench.consoleError).not.toHaveBeenCalled();
  });

  it('marks a terminal offline again after it came back and fell silent again', () => {
    const s = heardStation();
    now = T0 + 4 * HB;
    s.devices.supervise();
    now = T0 + 5 * HB;
    s.terminals.receiveHeartbeat('T-1', { sentAt: now });
    now = T0 + 8 * HB;
    s.devices.supervise();
    expect(healthOf(s, 'T-1').online).toBe(true);
    now = T0 + 8 * HB + 1;
    s.devices.supervise();
    expect(
      eventsOnDisk()
        .filter((e) => 'deviceId' in e && e.deviceId === 'T-1')
        .map((e) => [e.type, e.at]),
    ).toEqual([
      ['device.offline', T0 + 4 * HB],
      ['device.online', T0 + 5 * HB],
      ['device.offline', T0 + 8 * HB + 1],
    ]);
  });

  it('a terminal the journal heard from before a restart (its test press) that does not come back goes offline, counted from the start', () => {
    const j1 = journal();
    const s1 = station(undefined, j1);
    expect(s1.terminals.receiveAlarm('T-1', { alarmId: 'monthly-test', kind: 'test', raisedAt: now })).toMatchObject({ ok: true });
    j1.close();
    // The station restarts; T-1 stays silent, T-2 was never heard from at all.
    now = T0 + 60 * HB;
    const s2 = station();
    now += 3 * HB + 1;
    s2.devices.supervise();
    expect(eventsOnDisk('device.offline')).toEqual([{ type: 'device.offline', at: now, deviceId: 'T-1', lastSeenAt: T0 + 60 * HB }]);
    expect(healthOf(s2, 'T-2').online).toBe(true);
  });

  it('does not mark an already-offline terminal offline again after a restart', () => {
    const j1 = journal();
    const s1 = heardStation(undefined, j1);
    now = T0 + 4 * HB;
    s1.devices.supervise();
    j1.close();
    now = T0 + 60 * HB;
    const s2 = station();
    expect(healthOf(s2, 'T-1').online).toBe(false);
    now += 10 * HB;
    s2.devices.supervise();
    expect(eventsOnDisk('device.offline')).toHaveLength(2); // T-1 and T-2, once each
    s2.terminals.receiveHeartbeat('T-1', { sentAt: now });
    expect(eventsOnDisk('device.online')).toEqual([{ type: 'device.online', at: now, deviceId: 'T-1' }]);
  });
});

describe('Station heartbeat details', () => {
  it('records tamper once when raised, and clears it once', () => {
    const s = station();
    now = T0 + 100;
    s.terminals.receiveHeartbeat('T-1', { sentAt: now, tamper: true });
    now = T0 + 200;
    s.terminals.receiveHeartbeat('T-1', { sentAt: now, tamper: true });
    s.terminals.receiveHeartbeat('T-1', { sentAt: now }); // no tamper field: no news
    expect(eventsOnDisk()).toEqual([{ type: 'device.tamper', at: T0 + 100, deviceId: 'T-1', tamper: true }]);
    expect(healthOf(s, 'T-1').tamper).toBe(true);
    expect(healthOf(s, 'T-2').tamper).toBe(false);

    now = T0 + 300;
    s.terminals.receiveHeartbeat('T-1', { sentAt: now, tamper: false });
    s.terminals.receiveHeartbeat('T-1', { sentAt: now, tamper: false });
    expect(eventsOnDisk()).toEqual([
      { type: 'device.tamper', at: T0 + 100, deviceId: 'T-1', tamper: true },
      { type: 'device.tamper', at: T0 + 300, deviceId: 'T-1', tamper: false },
    ]);
    expect(healthOf(s, 'T-1').tamper).toBe(false);
    // Repeats are not even attempted (an attempt would be refused and logged on every heartbeat).
    expect(bench.consoleError).not.toHaveBeenCalled();
  });

  it('a clear tamper flag from a device that never reported tamper records nothing', () => {
    const s = station();
    s.terminals.receiveHeartbeat('T-1', { sentAt: now, tamper: false });
    expect(eventsOnDisk()).toEqual([]);
    expect(bench.consoleError).not.toHaveBeenCalled();
  });

  it('reports the clock skew as station time − device time, flagged beyond 5 s either way', () => {
    const s = station();
    now = T0 + 60_000;
    s.terminals.receiveHeartbeat('T-1', { sentAt: now - 5000 });
    expect(healthOf(s, 'T-1')).toMatchObject({ skewMs: 5000, skewFlagged: false, lastHeartbeatAt: now });
    s.terminals.receiveHeartbeat('T-1', { sentAt: now - 5001 });
    expect(healthOf(s, 'T-1')).toMatchObject({ skewMs: 5001, skewFlagged: true });
    s.terminals.receiveHeartbeat('T-1', { sentAt: now + 6000 });
    expect(healthOf(s, 'T-1')).toMatchObject({ skewMs: -6000, skewFlagged: true });
    s.terminals.receiveHeartbeat('T-1', { sentAt: now - 20 });
    expect(healthOf(s, 'T-1')).toMatchObject({ skewMs: 20, skewFlagged: false });
    // A device never heard from has no skew.
    const h2 = healthOf(s, 'T-2');
    expect(h2.skewMs).toBeUndefined();
    expect(h2.skewFlagged).toBe(false);
  });

  it('shows battery and power source of the last heartbeat', () => {
    const s = station();
    s.terminals.receiveHeartbeat('T-1', { sentAt: now, battery: 80, powerSource: 'mains' });
    now += 1000;
    s.terminals.receiveHeartbeat('T-1', { sentAt: now, battery: 35, powerSource: 'battery' });
    expect(healthOf(s, 'T-1')).toMatchObject({ battery: 35, powerSource: 'battery', lastSeenAt: now, lastHeartbeatAt: now });
  });

  it('sets lastTestPressAt from a test alarm only', () => {
    const s = station();
    now = T0 + 1000;
    s.terminals.receiveAlarm('T-1', { alarmId: 'p1', kind: 'panic', raisedAt: now });
    expect(healthOf(s, 'T-1').lastTestPressAt).toBeUndefined();
    now = T0 + 2000;
    expect(s.terminals.receiveAlarm('T-1', { alarmId: 't1', kind: 'test', raisedAt: now }).ok).toBe(true);
    expect(healthOf(s, 'T-1').lastTestPressAt).toBe(T0 + 2000);
    expect(healthOf(s, 'T-2').lastTestPressAt).toBeUndefined();
  });

  it('counts refusals by code in health()', () => {
    const s = station();
    s.terminals.receiveHeartbeat('T-1', { sentAt: 'now' });
    s.terminals.receiveHeartbeat('T-1', null);
    s.terminals.receiveAlarm('T-1', { alarmId: 'bad/id', kind: 'panic', raisedAt: now });
    s.terminals.receiveCancel('T-1', { alarmId: 'never-sent', reason: 'x' });
    expect(healthOf(s, 'T-1').refusals).toEqual({ invalid_payload: 3, unknown_alarm: 1 });
    expect(healthOf(s, 'T-2').refusals).toEqual({});
    // health() hands out a copy: changing it does not change the count.
    healthOf(s, 'T-1').refusals.invalid_payload = 99;
    expect(healthOf(s, 'T-1').refusals.invalid_payload).toBe(3);
  });
});

describe('Station connections', () => {
  it('shows a terminal connected while it has at least one socket', () => {
    const s = station();
    expect(healthOf(s, 'T-1').connected).toBe(false);
    s.devices.connected('T-1');
    s.devices.connected('T-1');
    expect(healthOf(s, 'T-1').connected).toBe(true);
    s.devices.disconnected('T-1');
    expect(healthOf(s, 'T-1').connected).toBe(true);
    s.devices.disconnected('T-1');
    expect(healthOf(s, 'T-1').connected).toBe(false);
    // A stray extra disconnect does not go below zero: the next connection shows again.
    s.devices.disconnected('T-1');
    s.devices.connected('T-1');
    expect(healthOf(s, 'T-1').connected).toBe(true);
    expect(healthOf(s, 'T-2').connected).toBe(false);
  });

  it('counts a connection as a sign of life for supervision', () => {
    const s = heardStation();
    now = T0 + 2500;
    s.devices.connected('T-1');
    expect(healthOf(s, 'T-1').lastSeenAt).toBe(T0 + 2500);
    now = T0 + 4000;
    s.devices.supervise();
    expect(eventsOnDisk().map((e) => ('deviceId' in e ? e.deviceId : ''))).toEqual(['T-2']);
  });
});

describe('Station.receiveCancel', () => {
  it('answers unknown_alarm for an alarm the device never sent, or that another device sent', () => {
    const s = station();
    expect(s.terminals.receiveAlarm('T-2', { alarmId: 'a1', kind: 'panic', raisedAt: now }).ok).toBe(true);
    expect(s.terminals.receiveCancel('T-1', { alarmId: 'nope', reason: '误按' })).toMatchObject({ ok: false, error: { code: 'unknown_alarm' } });
    expect(s.terminals.receiveCancel('T-1', { alarmId: 'a1', reason: '误按' })).toMatchObject({ ok: false, error: { code: 'unknown_alarm' } });
    expect(eventsOnDisk().map((e) => e.type)).toEqual(['alarm.received']);
  });

  it('records the request on the incident and leaves its state alone; a repeat is ok and stores nothing', () => {
    const s = station();
    const ack = s.terminals.receiveAlarm('T-1', { alarmId: 'a1', kind: 'panic', raisedAt: now });
    if (!ack.ok) throw new Error('alarm refused');
    const h = heard(s);
    now = T0 + 4000;
    expect(s.terminals.receiveCancel('T-1', { alarmId: 'a1', reason: '学生误按' })).toEqual({ ok: true });
    const inc = s.snapshot.incidents.get(ack.incidentId)!;
    expect(inc.cancelRequest).toEqual({ reason: '学生误按', at: T0 + 4000 });
    expect(inc.state).toBe('received');
    expect(h.records.map((r) => r.event)).toEqual([{ type: 'alarm.cancel_requested', at: T0 + 4000, incidentId: ack.incidentId, reason: '学生误按' }]);

    now = T0 + 9000;
    expect(s.terminals.receiveCancel('T-1', { alarmId: 'a1', reason: '再次请求' })).toEqual({ ok: true });
    expect(eventsOnDisk('alarm.cancel_requested')).toHaveLength(1);
    expect(s.snapshot.incidents.get(ack.incidentId)!.cancelRequest).toEqual({ reason: '学生误按', at: T0 + 4000 });
    // The officer can still take the alarm.
    expect(s.operators.acknowledge(officer, ack.incidentId)).toEqual({ ok: true });
  });

  it.each([
    ['no reason', { alarmId: 'a1' }],
    ['a reason over 500 characters', { alarmId: 'a1', reason: 'x'.repeat(501) }],
    ['an unknown field next to a bad reason', { alarmId: 'a1', reason: 5, incidentId: 'y' }],
    ['a bad alarmId', { alarmId: 'a 1', reason: 'x' }],
    ['null', null],
  ])('refuses a payload with %s as invalid_payload and stores nothing', (_what, payload) => {
    const s = station();
    s.terminals.receiveAlarm('T-1', { alarmId: 'a1', kind: 'panic', raisedAt: now });
    expect(s.terminals.receiveCancel('T-1', payload)).toMatchObject({ ok: false, error: { code: 'invalid_payload' } });
    expect(eventsOnDisk().map((e) => e.type)).toEqual(['alarm.received']);
    expect([...s.snapshot.incidents.values()][0]!.cancelRequest).toBeUndefined();
  });
});

describe('Station.acknowledgeFault', () => {
  function withOfflineT1(): Station {
    const s = heardStation();
    now = T0 + 4 * HB;
    s.devices.supervise();
    now = T0 + 5 * HB;
    return s;
  }

  it.each([
    ['officer', officer],
    ['chief', chief],
    ['admin', admin],
  ])('lets the %s role acknowledge an open fault: recorded with who and when, fault stays open', (_role, op) => {
    const s = withOfflineT1();
    expect(s.operators.acknowledgeFault(op, 'T-1', 'offline')).toEqual({ ok: true });
    expect(eventsOnDisk('device.fault_acknowledged')).toEqual([
      { type: 'device.fault_acknowledged', at: T0 + 5 * HB, deviceId: 'T-1', fault: 'offline', operator: op },
    ]);
    expect(s.snapshot.devices.get('T-1')!.faults.offline).toEqual({ kind: 'offline', openedAt: T0 + 4 * HB, acknowledgedAt: T0 + 5 * HB, acknowledgedBy: op });
    expect(healthOf(s, 'T-1').online).toBe(false);
  });

  it('refuses a trainer with forbidden and stores nothing', () => {
    const s = withOfflineT1();
    expect(s.operators.acknowledgeFault(trainer, 'T-1', 'offline')).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(eventsOnDisk('device.fault_acknowledged')).toEqual([]);
    expect(s.snapshot.devices.get('T-1')!.faults.offline?.acknowledgedAt).toBeUndefined();
  });

  it.each([
    ['an unknown fault name', 'T-1', 'battery'],
    ['a non-string device id', 42, 'offline'],
    ['no fault', 'T-1', undefined],
  ])('refuses %s as invalid_payload', (_what, deviceId, fault) => {
    const s = withOfflineT1();
    expect(s.operators.acknowledgeFault(officer, deviceId as never, fault as never)).toMatchObject({ ok: false, error: { code: 'invalid_payload' } });
    expect(eventsOnDisk('device.fault_acknowledged')).toEqual([]);
  });

  it('refuses a fault that is not open, and a second acknowledgement, keeping the first officer', () => {
    const s = withOfflineT1();
    const none = s.operators.acknowledgeFault(officer, 'T-1', 'tamper');
    expect(none.ok).toBe(false);
    if (!none.ok) expect(none.error.message).toContain('no open tamper fault');
    expect(s.operators.acknowledgeFault(officer, 'T-9', 'offline').ok).toBe(false);

    expect(s.operators.acknowledgeFault(officer, 'T-1', 'offline')).toEqual({ ok: true });
    now += 1000;
    const twice = s.operators.acknowledgeFault(chief, 'T-1', 'offline');
    expect(twice.ok).toBe(false);
    if (!twice.ok) expect(twice.error.message).toContain('already acknowledged');
    expect(eventsOnDisk('device.fault_acknowledged')).toHaveLength(1);
    expect(s.snapshot.devices.get('T-1')!.faults.offline?.acknowledgedBy).toEqual(officer);
  });
});

describe('Station.allowEvent', () => {
  it('lets a burst through, then refuses and counts rate_limited; refills with the clock', () => {
    const s = station();
    let allowed = 0;
    for (let i = 0; i < 30; i++) if (s.devices.allowEvent('T-1')) allowed++;
    expect(allowed).toBe(20); // 5 per second, burst 4×
    expect(healthOf(s, 'T-1').refusals).toEqual({ rate_limited: 10 });
    // Another device has its own bucket.
    expect(s.devices.allowEvent('T-2')).toBe(true);

    now = T0 + 1000;
    allowed = 0;
    for (let i = 0; i < 10; i++) if (s.devices.allowEvent('T-1')) allowed++;
    expect(allowed).toBe(5);
    expect(healthOf(s, 'T-1').refusals).toEqual({ rate_limited: 15 });
    expect(eventsOnDisk()).toEqual([]);
  });

  it('follows the configured rate', () => {
    const s = new Station(journal(), new Registry(registryData()), { now: clock, heartbeatMs: HB, eventsPerSecond: 1 });
    let allowed = 0;
    for (let i = 0; i < 10; i++) if (s.devices.allowEvent('T-1')) allowed++;
    expect(allowed).toBe(4);
    now = T0 + 999;
    expect(s.devices.allowEvent('T-1')).toBe(false);
    now = T0 + 1000;
    expect(s.devices.allowEvent('T-1')).toBe(true);
  });
});

describe('Station patrol units', () => {
  it('keeps a valid position live (not journalled) and ignores an older fix that arrives late', () => {
    const s = station();
    const v0 = s.units.version;
    now = T0 + 500;
    expect(s.units.receivePosition('U-1', { lat: 41.31, lng: 117.72, at: T0 + 400, heading: 90, speed: 8.5, accuracy: 5 })).toEqual({ ok: true });
    expect(s.units.unitsLive()).toEqual([
      { unitId: 'U-1', lat: 41.31, lng: 117.72, at: T0 + 400, receivedAt: T0 + 500, heading: 90, speed: 8.5, connected: false },
    ]);
    expect(s.units.version).toBeGreaterThan(v0);

    const v1 = s.units.version;
    now = T0 + 900;
    expect(s.units.receivePosition('U-1', { lat: 41.0, lng: 117.0, at: T0 + 100 })).toEqual({ ok: true });
    expect(s.units.unitsLive()[0]).toMatchObject({ lat: 41.31, lng: 117.72, at: T0 + 400, receivedAt: T0 + 500 });
    expect(s.units.version).toBe(v1);

    now = T0 + 1500;
    s.units.receivePosition('U-1', { lat: 41.35, lng: 117.75, at: T0 + 1400 });
    expect(s.units.unitsLive()).toEqual([{ unitId: 'U-1', lat: 41.35, lng: 117.75, at: T0 + 1400, receivedAt: T0 + 1500, connected: false }]);
    expect(onDisk()).toEqual([]);
  });

  it.each([
    ['a latitude out of range', { lat: 91, lng: 117, at: T0 }],
    ['no time', { lat: 41, lng: 117 }],
    ['an unknown field next to a bad time', { lat: 41, lng: 117, at: -1, unitId: 'U-2' }],
    ['a string', 'here'],
  ])('refuses a position with %s and keeps the last good one', (_what, payload) => {
    const s = station();
    s.units.receivePosition('U-1', { lat: 41.31, lng: 117.72, at: T0 });
    expect(s.units.receivePosition('U-1', payload)).toMatchObject({ ok: false, error: { code: 'invalid_payload' } });
    expect(s.units.unitsLive()).toHaveLength(1);
    expect(s.units.unitsLive()[0]).toMatchObject({ lat: 41.31, lng: 117.72, at: T0 });
    expect(s.devices.of('U-1')?.refusals).toEqual({ invalid_payload: 1 });
  });

  it('shows whether a unit is connected', () => {
    const s = station();
    s.units.connected('U-1', true);
    s.units.receivePosition('U-1', { lat: 41.31, lng: 117.72, at: T0 });
    expect(s.units.unitsLive()[0]!.connected).toBe(true);
    s.units.connected('U-1', false);
    expect(s.units.unitsLive()[0]!.connected).toBe(false);
  });

  it('journals a unit status once per change, with the station time and the unit’s own time', () => {
    const s = station();
    now = T0 + 100;
    expect(s.units.receiveStatus('U-1', { state: 'available', at: T0 + 50 })).toEqual({ ok: true });
    now = T0 + 200;
    expect(s.units.receiveStatus('U-1', { state: 'available', at: T0 + 150 })).toEqual({ ok: true });
    now = T0 + 300;
    expect(s.units.receiveStatus('U-1', { state: 'busy', at: T0 + 250 })).toEqual({ ok: true });
    expect(eventsOnDisk()).toEqual([
      { type: 'unit.status', at: T0 + 100, unitId: 'U-1', state: 'available', reportedAt: T0 + 50 },
      { type: 'unit.status', at: T0 + 300, unitId: 'U-1', state: 'busy', reportedAt: T0 + 250 },
    ]);
    expect(s.snapshot.units.get('U-1')).toEqual({ state: 'busy', since: T0 + 300 });
  });

  it('refuses a status that moves an incident the unit was not dispatched to, and a bad status', () => {
    const s = station();
    const ack = s.terminals.receiveAlarm('T-1', { alarmId: 'a1', kind: 'panic', raisedAt: now });
    if (!ack.ok) throw new Error('alarm refused');
    expect(s.units.receiveStatus('U-1', { state: 'on_scene', incidentId: ack.incidentId, at: now })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(s.units.receiveStatus('U-1', { state: 'flying', at: now })).toMatchObject({ ok: false, error: { code: 'invalid_payload' } });
    expect(eventsOnDisk().map((e) => e.type)).toEqual(['alarm.received']);
    expect(s.snapshot.units).toEqual(new Map());
    expect(s.snapshot.incidents.get(ack.incidentId)!.state).toBe('received');
    expect(s.devices.of('U-1')?.refusals).toEqual({ forbidden: 1, invalid_payload: 1 });
  });
});

describe('Station.reloadRegistry', () => {
  function fileRegistry(): { file: string; registry: Registry } {
    const file = path.join(bench.dir, 'registry.json');
    return { file, registry: savedRegistry(registryData(), file) };
  }

  it('re-reads the file changed by another process and tells listeners which devices were revoked', async () => {
    const { file, registry } = fileRegistry();
    const s = heardStation(registry);
    const h = heard(s);
    // The admin CLI is another Registry instance on the same file.
    const admin = Registry.load(file);
    const token = await admin.rotateDevice('T-1');
    admin.setDisabled('T-2', true);
    s.admin.reloadRegistry();
    expect(h.revoked).toHaveLength(1);
    // Exactly what was revoked now: not U-1 (unchanged), not T-off (disabled all along).
    expect([...h.revoked[0]!].sort()).toEqual(['T-1', 'T-2']);
    expect(await registry.authenticateTerminal('T-1', 'terminal-token')).toBeUndefined();
    expect(await registry.authenticateTerminal('T-1', token)).toBeDefined();
    // The station acts on the new registry at once: T-2 is refused and no longer supervised.
    expect(s.terminals.receiveAlarm('T-2', { alarmId: 'a1', kind: 'panic', raisedAt: now })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(healthOf(s, 'T-2').disabled).toBe(true);
    now = T0 + 10 * HB;
    s.devices.supervise();
    // The CLI's change is journalled first (admin.action, by the registry file), then only T-1 goes offline.
    expect(eventsOnDisk().map((e) => `${e.type} ${'deviceId' in e ? e.deviceId : 'action' in e ? e.action : ''}`)).toEqual([
      'admin.action registry.reloaded',
      'device.offline T-1',
    ]);
  });

  it('keeps the previous registry when the file is corrupt, without throwing or telling listeners', async () => {
    const { file, registry } = fileRegistry();
    const s = station(registry);
    const h = heard(s);
    fs.writeFileSync(file, '{"stationName": "示例派出所", "schools": [');
    expect(() => s.admin.reloadRegistry()).not.toThrow();
    expect(bench.consoleError).toHaveBeenCalled();
    expect(h.revoked).toEqual([]);
    expect(registry.terminal('T-1')?.schoolId).toBe('school-1');
    expect(await registry.authenticateTerminal('T-1', 'terminal-token')).toBeDefined();
    expect(s.terminals.receiveAlarm('T-1', { alarmId: 'a1', kind: 'panic', raisedAt: now }).ok).toBe(true);
  });

  it('keeps the previous registry when the file is inconsistent (terminal of an unknown school)', () => {
    const { file, registry } = fileRegistry();
    const s = station(registry);
    const h = heard(s);
    const bad = registryData();
    bad.schools = bad.schools.filter((x) => x.id !== 'school-1');
    fs.writeFileSync(file, JSON.stringify(bad));
    expect(() => s.admin.reloadRegistry()).not.toThrow();
    expect(h.revoked).toEqual([]);
    expect(registry.school('school-1')).toBeDefined();
    expect(registry.terminal('T-1')?.disabled).toBe(false);
  });
});

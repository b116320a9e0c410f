// Protocol v1 conformance — heartbeat supervision: a device silent for 3 heartbeat intervals is offline (the
// console raises a device-fault entry: device.offline in the journal), and it clears when the device is back
// (device.online). Here STATION_HEARTBEAT_MS=200, so offline after 600 ms of silence.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeviceOffline, StationEvent } from '../../shared/events';
import { ask, connect, sleep, START_TIMEOUT, startTestCore, terminalAuth, waitFor, type TestCore } from './support';

const HEARTBEAT_MS = 200;
let t: TestCore;
beforeAll(async () => {
  t = await startTestCore({ heartbeatMs: HEARTBEAT_MS });
}, START_TIMEOUT);
afterAll(async () => {
  await t?.close();
});

const eventsOf = (deviceId: string, type: StationEvent['type']): StationEvent[] =>
  t
    .records()
    .map((r) => r.event)
    .filter((e) => e.type === type && 'deviceId' in e && e.deviceId === deviceId);

describe('supervision', () => {
  it('the heartbeat interval is configurable (STATION_HEARTBEAT_MS)', () => {
    expect(t.core.station.heartbeatMs).toBe(HEARTBEAT_MS);
  });

  it('a connected but silent device goes offline after 3 intervals; a heartbeat brings it back online', async () => {
    const term = t.creds.terminals[0]!;
    const s = await connect(t.url, '/terminal', terminalAuth(term));
    try {
      const lastWord = Date.now();
      expect(((await ask(s, 'heartbeat', { sentAt: lastWord })) as { ok: boolean }).ok).toBe(true);
      expect(t.core.station.devices.health().find((d) => d.deviceId === term.deviceId)!.online).toBe(true);
      const offBefore = eventsOf(term.deviceId, 'device.offline').length;
      const onBefore = eventsOf(term.deviceId, 'device.online').length;

      const off = (await waitFor('device.offline', () => eventsOf(term.deviceId, 'device.offline')[offBefore], 3000)) as DeviceOffline;
      expect(Date.now() - lastWord).toBeGreaterThanOrEqual(3 * HEARTBEAT_MS - 50);
      expect(off.at - off.lastSeenAt).toBeGreaterThan(3 * HEARTBEAT_MS);
      expect(s.connected).toBe(true); // offline is about silence, not the socket
      const h = t.core.station.devices.health().find((d) => d.deviceId === term.deviceId)!;
      expect(h).toMatchObject({ online: false, connected: true });
      expect(t.core.station.snapshot.devices.get(term.deviceId)?.faults.offline).toBeDefined();
      await sleep(3 * HEARTBEAT_MS);
      expect(eventsOf(term.deviceId, 'device.offline')).toHaveLength(offBefore + 1); // raised once, not every tick

      const ans = (await ask(s, 'heartbeat', { sentAt: Date.now() })) as { ok: boolean };
      expect(ans.ok).toBe(true);
      expect(eventsOf(term.deviceId, 'device.online')).toHaveLength(onBefore + 1);
      expect(t.core.station.devices.health().find((d) => d.deviceId === term.deviceId)!.online).toBe(true);
      expect(t.core.station.snapshot.devices.get(term.deviceId)?.faults.offline).toBeUndefined();
    } finally {
      s.close();
    }
  });

  it('a device that sends a heartbeat every interval stays online', async () => {
    const term = t.creds.terminals[1]!;
    const s = await connect(t.url, '/terminal', terminalAuth(term));
    try {
      await ask(s, 'heartbeat', { sentAt: Date.now() });
      const offlineBefore = eventsOf(term.deviceId, 'device.offline').length;
      const until = Date.now() + 8 * HEARTBEAT_MS;
      while (Date.now() < until) {
        expect(((await ask(s, 'heartbeat', { sentAt: Date.now() })) as { ok: boolean }).ok).toBe(true);
        await sleep(HEARTBEAT_MS);
      }
      expect(eventsOf(term.deviceId, 'device.offline')).toHaveLength(offlineBefore);
      expect(t.core.station.devices.health().find((d) => d.deviceId === term.deviceId)!.online).toBe(true);
    } finally {
      s.close();
    }
  });

  it('a device never heard from is never connected: no offline fault; once heard, its silence counts', async () => {
    const term = t.creds.terminals[2]!;
    // Ten heartbeat intervals with no sign of life: no fault, and the health screen says it was never heard.
    await sleep(10 * HEARTBEAT_MS);
    expect(eventsOf(term.deviceId, 'device.offline')).toHaveLength(0);
    expect(t.core.station.devices.health().find((d) => d.deviceId === term.deviceId)).toMatchObject({ online: true, connected: false });
    expect(t.core.station.devices.health().find((d) => d.deviceId === term.deviceId)?.lastSeenAt).toBeUndefined();
    const s = await connect(t.url, '/terminal', terminalAuth(term));
    try {
      await waitFor('device.offline', () => eventsOf(term.deviceId, 'device.offline')[0], 3000);
    } finally {
      s.close();
    }
  });

  it('an alarm is a sign of life as well', async () => {
    const term = t.creds.terminals[3]!;
    const s = await connect(t.url, '/terminal', terminalAuth(term));
    try {
      await waitFor('device.offline', () => eventsOf(term.deviceId, 'device.offline').length > eventsOf(term.deviceId, 'device.online').length, 3000);
      const n = eventsOf(term.deviceId, 'device.online').length;
      expect(((await ask(s, 'alarm', { alarmId: 'alive-1', kind: 'test', raisedAt: Date.now() })) as { ok: boolean }).ok).toBe(true);
      expect(eventsOf(term.deviceId, 'device.online')).toHaveLength(n + 1);
    } finally {
      s.close();
    }
  });
});

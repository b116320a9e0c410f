// Protocol v1 conformance — authentication: the /terminal and /unit handshakes (`auth: { deviceId, token }` /
// `{ unitId, token }`): an unknown device, a wrong token, a disabled device (and a missing or malformed auth) get
// connect_error `unauthorized` and nothing more; failures from one address are slowed, a valid device behind it
// never is. And revocation: a device whose token was rotated, or that was disabled, is cut off (its connected
// socket is disconnected within ~1 s) and its old credentials get `unauthorized` from then on.
// Each refused handshake comes from its own loopback address (127.0.x.y), so the throttle only acts where a test
// means it to.
import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Registry } from '../../main/core/registry';
import {
  ask,
  client,
  connect,
  freshAddress,
  sleep,
  START_TIMEOUT,
  startTestCore,
  terminalAuth,
  tryHandshake,
  unitAuth,
  validAlarm,
  waitFor,
  type TestCore,
} from './support';

let t: TestCore;
beforeAll(async () => {
  t = await startTestCore();
}, START_TIMEOUT);
afterAll(async () => {
  await t?.close();
});

/** A refused handshake from a fresh address: not yet throttled, so answered at once. */
async function expectRefused(nsp: '/terminal' | '/unit', auth: unknown): Promise<void> {
  const before = t.count();
  const r = await tryHandshake(t.url, nsp, auth, { localAddress: freshAddress() });
  expect(r.result).toBe('unauthorized');
  // "… and nothing more": no data, no reason, no hint whether the device exists.
  expect(r.data).toBeUndefined();
  expect(r.extraKeys).toEqual([]);
  expect(t.count()).toBe(before);
}

describe('/terminal handshake', () => {
  it('a registered device with its token connects', async () => {
    const term = t.creds.terminals[0]!;
    const r = await tryHandshake(t.url, '/terminal', terminalAuth(term), { localAddress: freshAddress() });
    expect(r.result).toBe('connected');
  });

  it('an unknown device gets unauthorized and nothing more', async () => {
    await expectRefused('/terminal', { deviceId: 'term-does-not-exist', token: t.creds.terminals[0]!.token });
  });

  it('a wrong token gets unauthorized and nothing more', async () => {
    const term = t.creds.terminals[0]!;
    await expectRefused('/terminal', { deviceId: term.deviceId, token: 'wrong-token' });
    // Another device's (valid) token is a wrong token too.
    await expectRefused('/terminal', { deviceId: term.deviceId, token: t.creds.terminals[1]!.token });
  });

  it('a disabled device gets unauthorized and nothing more; enabled again it connects', async () => {
    const term = t.creds.terminals[2]!;
    t.core.station.registry.setDisabled(term.deviceId, true);
    try {
      await expectRefused('/terminal', terminalAuth(term));
    } finally {
      t.core.station.registry.setDisabled(term.deviceId, false);
    }
    const r = await tryHandshake(t.url, '/terminal', terminalAuth(term), { localAddress: freshAddress() });
    expect(r.result).toBe('connected');
  });

  it('a missing auth gets unauthorized and nothing more', async () => {
    await expectRefused('/terminal', undefined);
    await expectRefused('/terminal', {});
  });

  it.each([
    ['deviceId only', (d: string) => ({ deviceId: d })],
    ['token only', (_d: string, tok: string) => ({ token: tok })],
    ['deviceId is a number', (_d: string, tok: string) => ({ deviceId: 12345, token: tok })],
    ['token is a number', (d: string) => ({ deviceId: d, token: 12345 })],
    ['token is null', (d: string) => ({ deviceId: d, token: null })],
    ['empty deviceId', (_d: string, tok: string) => ({ deviceId: '', token: tok })],
    ['empty token', (d: string) => ({ deviceId: d, token: '' })],
    ['token is an object', (d: string, tok: string) => ({ deviceId: d, token: { tok } })],
    ['very long deviceId', (_d: string, tok: string) => ({ deviceId: 'x'.repeat(10_000), token: tok })],
    ['very long token', (d: string) => ({ deviceId: d, token: 'x'.repeat(10_000) })],
    ['unit-style auth on /terminal', (d: string, tok: string) => ({ unitId: d, token: tok })],
  ])('a malformed auth (%s) gets unauthorized and nothing more', async (_name, make) => {
    const term = t.creds.terminals[0]!;
    await expectRefused('/terminal', make(term.deviceId, term.token));
  });

  it('a unit cannot use /terminal with its credentials', async () => {
    const u = t.creds.units[0]!;
    await expectRefused('/terminal', { deviceId: u.unitId, token: u.token });
  });

  it('a refused socket never gets in: no connect, no station event', async () => {
    const s = client(t.url, '/terminal', { deviceId: 'nope', token: 'nope' }, { localAddress: freshAddress() });
    const got: string[] = [];
    s.onAny((e: string) => got.push(e));
    let connected = false;
    s.on('connect', () => (connected = true));
    await new Promise<void>((r) => s.once('connect_error', () => r()));
    await sleep(100);
    s.close();
    expect(connected).toBe(false);
    expect(got).toEqual([]);
  });
});

describe('handshake throttle: failures from one address are slowed, a valid device behind it never is', () => {
  it('the 7th failure from one address waits > 1 s, yet a valid device behind that address connects in < 1 s, and its success resets nothing', async () => {
    const nat = freshAddress(); // a school district's NAT: the attacker and the school terminals share it
    const bad = { deviceId: 'term-nobody', token: 'guess' };
    // 7 failures at once: the throttle answers the first ones at once and the 7th only after 1.6 s.
    const failures = await Promise.all(Array.from({ length: 7 }, () => tryHandshake(t.url, '/terminal', bad, { localAddress: nat })));
    for (const f of failures) expect(f.result).toBe('unauthorized');
    const times = failures.map((f) => f.ms).sort((a, b) => a - b);
    expect(times[0]!).toBeLessThan(500);
    expect(times[6]!).toBeGreaterThan(1000);
    expect(times[6]! - times[0]!).toBeGreaterThan(800);

    // The 8th failure is now held back for seconds …
    let answered = false;
    const pending = client(t.url, '/terminal', bad, { localAddress: nat });
    pending.once('connect_error', () => (answered = true));
    // … while a terminal with valid credentials behind the same address is not slowed at all.
    const term = t.creds.terminals[3]!;
    const ok = await tryHandshake(t.url, '/terminal', terminalAuth(term), { localAddress: nat });
    expect(ok.result).toBe('connected');
    expect(ok.ms).toBeLessThan(1000);
    // Its success did not reset the throttle: the 8th failure is still not answered after 1 s.
    await sleep(1000);
    pending.close();
    expect(answered).toBe(false);

    // Another address is not affected by this one's failures.
    const other = await tryHandshake(t.url, '/terminal', bad, { localAddress: freshAddress() });
    expect(other.result).toBe('unauthorized');
    expect(other.ms).toBeLessThan(500);
  });
});

describe('/unit handshake: same rules as terminals', () => {
  it('a unit with a device and its token connects', async () => {
    const u = t.creds.units[0]!;
    const s = await connect(t.url, '/unit', unitAuth(u), { localAddress: freshAddress() });
    expect(s.connected).toBe(true);
    s.close();
  });

  it('unknown unit, wrong token, missing and malformed auth get unauthorized and nothing more', async () => {
    const u = t.creds.units[0]!;
    await expectRefused('/unit', { unitId: 'unit-99', token: u.token });
    await expectRefused('/unit', { unitId: u.unitId, token: 'wrong' });
    await expectRefused('/unit', { unitId: u.unitId, token: t.creds.units[1]!.token });
    await expectRefused('/unit', undefined);
    await expectRefused('/unit', {});
    await expectRefused('/unit', { unitId: u.unitId });
    await expectRefused('/unit', { unitId: 7, token: u.token });
    await expectRefused('/unit', { deviceId: u.unitId, token: u.token });
  });

  it('a disabled unit gets unauthorized; enabled again it connects', async () => {
    const u = t.creds.units[1]!;
    t.core.station.registry.setDisabled(u.unitId, true);
    try {
      await expectRefused('/unit', unitAuth(u));
    } finally {
      t.core.station.registry.setDisabled(u.unitId, false);
    }
    const r = await tryHandshake(t.url, '/unit', unitAuth(u), { localAddress: freshAddress() });
    expect(r.result).toBe('connected');
  });

  it("a terminal's credentials do not open /unit", async () => {
    const term = t.creds.terminals[0]!;
    await expectRefused('/unit', { unitId: term.deviceId, token: term.token });
  });

  it('a unit without a device (foot patrol, no token issued) cannot connect', async () => {
    const withDevice = new Set(t.creds.units.map((u) => u.unitId));
    const foot = t.core.station.registry.snapshot.units.find((u) => !withDevice.has(u.id));
    expect(foot).toBeDefined();
    await expectRefused('/unit', { unitId: foot!.id, token: 'anything' });
  });

  it('failures from one address are slowed on /unit too, a valid unit behind it is not', async () => {
    const nat = freshAddress();
    const bad = { unitId: 'unit-99', token: 'guess' };
    const failures = await Promise.all(Array.from({ length: 6 }, () => tryHandshake(t.url, '/unit', bad, { localAddress: nat })));
    const times = failures.map((f) => f.ms).sort((a, b) => a - b);
    expect(times[5]!).toBeGreaterThan(600);
    const ok = await tryHandshake(t.url, '/unit', unitAuth(t.creds.units[2]!), { localAddress: nat });
    expect(ok.result).toBe('connected');
    expect(ok.ms).toBeLessThan(1000);
  });
});

// ---------- revocation ----------
// The admin CLI (`npm run station -- device rotate|disable`) is another process that rewrites the registry file,
// which the running core watches: here that is a second Registry on the same file, exactly what the CLI does.
// The in-process paths (core.station.registry.rotateDevice / setDisabled) are covered in deviations.test.ts.

/** What `npm run station -- …` does: load the registry file, change it, write it back atomically. */
const cli = (): Registry => Registry.load(t.core.station.registry.path!);

function watchDisconnect(s: Socket): { reason: () => string | undefined; at: () => number | undefined } {
  let reason: string | undefined;
  let at: number | undefined;
  s.on('disconnect', (r) => {
    reason = r;
    at = Date.now();
  });
  return { reason: () => reason, at: () => at };
}

const alarmsWith = (alarmId: unknown): number => t.records().filter((r) => r.event.type === 'alarm.received' && r.event.alarmId === alarmId).length;

describe('revocation through the registry file (admin CLI)', () => {
  it('device rotate: the connected terminal is disconnected within 1 s; the old token is refused, the new one works', async () => {
    const term = t.creds.terminals[10]!;
    const s = await connect(t.url, '/terminal', terminalAuth(term));
    const d = watchDisconnect(s);
    const t0 = Date.now();
    const newToken = await cli().rotateDevice(term.deviceId);
    await waitFor('disconnect', () => d.reason(), 1000);
    expect(d.at()! - t0).toBeLessThan(1000);
    expect(d.reason()).toBe('io server disconnect');
    expect((await tryHandshake(t.url, '/terminal', terminalAuth(term), { localAddress: freshAddress() })).result).toBe('unauthorized');
    const s2 = await connect(t.url, '/terminal', { deviceId: term.deviceId, token: newToken });
    try {
      expect(await ask(s2, 'alarm', validAlarm())).toMatchObject({ ok: true });
    } finally {
      s2.close();
    }
  });

  it('device disable: disconnected within 1 s and refused; enabled again it connects', async () => {
    const term = t.creds.terminals[11]!;
    const s = await connect(t.url, '/terminal', terminalAuth(term));
    const d = watchDisconnect(s);
    const r = cli();
    r.setDisabled(term.deviceId, true);
    await waitFor('disconnect', () => d.reason(), 1000);
    expect((await tryHandshake(t.url, '/terminal', terminalAuth(term), { localAddress: freshAddress() })).result).toBe('unauthorized');
    cli().setDisabled(term.deviceId, false);
    await waitFor('re-enabled', () => t.core.station.registry.terminal(term.deviceId)?.disabled === false, 1000);
    const again = await connect(t.url, '/terminal', terminalAuth(term));
    again.close();
  });

  it('once the station has the new registry, not one event of the old socket gets in', async () => {
    const term = t.creds.terminals[12]!;
    const s = await connect(t.url, '/terminal', terminalAuth(term));
    const oldHash = t.core.station.registry.terminal(term.deviceId)!.secret.hash;
    await cli().rotateDevice(term.deviceId);
    await waitFor('reload', () => t.core.station.registry.terminal(term.deviceId)!.secret.hash !== oldHash, 1000);
    const a = validAlarm();
    const before = t.count();
    s.emit('alarm', a, () => undefined);
    s.emit('heartbeat', { sentAt: Date.now() }, () => undefined);
    await sleep(300);
    expect(alarmsWith(a.alarmId)).toBe(0);
    expect(t.count()).toBe(before);
    s.close();
  });

  it('a server-side disconnect is final: socket.io does not reconnect by itself, and a reconnect is refused', async () => {
    const term = t.creds.terminals[13]!;
    const s = await connect(t.url, '/terminal', terminalAuth(term), { reconnection: true });
    const d = watchDisconnect(s);
    let errors = 0;
    s.io.on('reconnect_attempt', () => errors++);
    await cli().rotateDevice(term.deviceId);
    await waitFor('disconnect', () => d.reason(), 1000);
    await sleep(400);
    expect(s.connected).toBe(false);
    expect(errors).toBe(0);
    const err = await new Promise<Error>((resolve) => {
      s.once('connect_error', resolve);
      s.connect();
    });
    expect(err.message).toBe('unauthorized');
    s.close();
  });

  it('unit rotate: the connected unit is disconnected within 1 s and its old token refused', async () => {
    const u = t.creds.units[3]!;
    const s = await connect(t.url, '/unit', unitAuth(u));
    const d = watchDisconnect(s);
    await cli().rotateDevice(u.unitId);
    await waitFor('disconnect', () => d.reason(), 1000);
    expect((await tryHandshake(t.url, '/unit', unitAuth(u), { localAddress: freshAddress() })).result).toBe('unauthorized');
  });
});

// (That an open connection is cut by these in-process calls: deviations.test.ts.)
describe('revocation in the running core (registry API)', () => {
  it('setDisabled: a new handshake is refused', async () => {
    const term = t.creds.terminals[14]!;
    t.core.station.registry.setDisabled(term.deviceId, true);
    try {
      expect((await tryHandshake(t.url, '/terminal', terminalAuth(term), { localAddress: freshAddress() })).result).toBe('unauthorized');
    } finally {
      t.core.station.registry.setDisabled(term.deviceId, false);
    }
  });

  it('setDisabled: an alarm on a connection still open from before is refused (forbidden), not stored', async () => {
    const term = t.creds.terminals[16]!;
    const s = await connect(t.url, '/terminal', terminalAuth(term));
    t.core.station.registry.setDisabled(term.deviceId, true);
    try {
      const a = validAlarm();
      const ans = await ask(s, 'alarm', a).catch(() => 'disconnected');
      if (ans !== 'disconnected') expect(ans).toMatchObject({ ok: false, error: { code: 'forbidden' } });
      expect(alarmsWith(a.alarmId)).toBe(0);
    } finally {
      s.close();
      t.core.station.registry.setDisabled(term.deviceId, false);
    }
  });

  it('rotateDevice: a new handshake with the old token is refused, the new token works', async () => {
    const term = t.creds.terminals[15]!;
    const newToken = await t.core.station.registry.rotateDevice(term.deviceId);
    expect((await tryHandshake(t.url, '/terminal', terminalAuth(term), { localAddress: freshAddress() })).result).toBe('unauthorized');
    const s = await connect(t.url, '/terminal', { deviceId: term.deviceId, token: newToken });
    s.close();
  });
});

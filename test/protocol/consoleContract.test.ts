// The `/console` contract at the real gateway (shared/consoleContract.ts, main/gateway/gateway.ts attachConsoleNamespace):
// every command of the contract is registered (answered, in its answer's shape), roles are checked before payloads,
// payloads are checked against the command's schema with the core's limits, and a device unit's `dispatch` is the
// one of shared/protocol.ts.
import { DEFAULT_SEMESTERS } from '../../shared/planBoard';
import { DEFAULT_VOLUMES } from '../../shared/stationSettings';
import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMAND_NAMES, MAX_NOTE_LENGTH, MAX_REASON_LENGTH, parseAnswer, type CommandName } from '../../shared/consoleContract';
import { unitDispatchSchema } from '../../shared/protocol';
import type { ConsoleHello } from '../../shared/consoleApi';
import { ask, connect, operatorConsole, START_TIMEOUT, startTestCore, terminalAuth, unitAuth, validAlarm, waitFor, type TestCore } from './support';

let t: TestCore;
const sockets: Socket[] = [];

let lastHello: ConsoleHello | undefined;

async function consoleOf(role: 'officer' | 'trainer' | 'admin'): Promise<Socket> {
  const { s, hello } = await operatorConsole(t, { role });
  sockets.push(s);
  lastHello = hello;
  return s;
}

/** The answer, or 'no answer' after `ms`. */
const send = (s: Socket, name: string, payload: unknown, ms = 3000): Promise<unknown> =>
  s
    .timeout(ms)
    .emitWithAck(name, payload)
    .catch(() => 'no answer');
const codeOf = (a: unknown): unknown => (a as { error?: { code?: unknown } }).error?.code;

beforeAll(async () => {
  // A stale limit other than the default, so the test below sees the configured value reach the console.
  t = await startTestCore({ env: { STATION_UNIT_STALE_MS: '45000' } });
}, START_TIMEOUT);
afterAll(async () => {
  for (const s of sockets) s.close();
  await t?.close();
});

describe('hello', () => {
  it("carries the station's settings: the configured stale limit and the time zone (one definition for map and panel)", async () => {
    await consoleOf('officer');
    expect(lastHello?.settings).toEqual({
      unitStaleMs: 45_000,
      timeZone: 'Asia/Shanghai',
      semesters: DEFAULT_SEMESTERS,
      volumes: DEFAULT_VOLUMES,
      tiles: null,
    });
  });
});

describe('every command of the contract is registered by the gateway', () => {
  it.each(['officer', 'admin'] as const)('as %s: each one answers, in the shape of its answer', async (role) => {
    const s = await consoleOf(role);
    const answers = await Promise.all(COMMAND_NAMES.map(async (name: CommandName) => [name, await send(s, name, {})] as const));
    for (const [name, a] of answers) {
      expect(a, name).not.toBe('no answer');
      expect(JSON.stringify(a), name).not.toMatch(/unknown event/);
      expect(parseAnswer(name, a).ok, `${name}: ${JSON.stringify(a)}`).toBe(true);
      // The commands whose request is empty (the admin's list of accounts, the settings view) answer an admin's `{}`.
      if ((name === 'admin:operators' || name === 'admin:settings') && role === 'admin') expect(a, name).toMatchObject({ ok: true });
      else expect(['invalid_payload', 'forbidden'], `${name}: ${JSON.stringify(a)}`).toContain(codeOf(a));
    }
  });

  it('an event that is no command is not answered (as before the contract)', async () => {
    const s = await consoleOf('officer');
    expect(await send(s, 'acknowledgee', { incidentId: 'x' }, 500)).toBe('no answer');
  });
});

describe('refusals: the role first, then the payload, then the core', () => {
  it('a trainer sending a malformed admin or incident command is forbidden, not told about the payload', async () => {
    const s = await consoleOf('trainer');
    for (const [name, payload] of [
      ['admin:addTerminal', { deviceId: 1 }],
      ['admin:import', null],
      ['acknowledge', { incidentId: 7 }],
      ['note', { incidentId: 'x', text: '' }],
    ] as const) {
      expect(codeOf(await send(s, name, payload)), name).toBe('forbidden');
    }
  });

  it('an admin with a malformed admin request gets invalid_payload naming the command', async () => {
    const s = await consoleOf('admin');
    const a = await send(s, 'admin:export', { kind: 'people', format: 'csv' });
    expect(a).toMatchObject({ ok: false, error: { code: 'invalid_payload', message: expect.stringMatching(/^admin:export: kind: /) } });
    expect(codeOf(await send(s, 'admin:setTargets', { profile: { showMs: -1 } }))).toBe('invalid_payload');
  });

  it("an officer's texts are held to the core's limits; within them the core decides", async () => {
    const s = await consoleOf('officer');
    expect(codeOf(await send(s, 'note', { incidentId: 'x', text: 'n'.repeat(MAX_NOTE_LENGTH + 1) }))).toBe('invalid_payload');
    expect(codeOf(await send(s, 'note', { incidentId: 'x', text: '   ' }))).toBe('invalid_payload');
    expect(codeOf(await send(s, 'reopen', { incidentId: 'x', reason: 'r'.repeat(MAX_REASON_LENGTH + 1) }))).toBe('invalid_payload');
    expect(codeOf(await send(s, 'note', { incidentId: 'nope', text: 'n'.repeat(MAX_NOTE_LENGTH) }))).toBe('unknown_alarm');
    expect(codeOf(await send(s, 'reopen', { incidentId: 'nope', reason: 'r'.repeat(MAX_REASON_LENGTH) }))).toBe('unknown_alarm');
    expect(codeOf(await send(s, 'acknowledge', { incidentId: 'nope' }, 3000))).toBe('unknown_alarm');
    // Two payloads, or none: refused before anything else.
    expect(codeOf(await s.timeout(3000).emitWithAck('takeOver', { incidentId: 'x' }, 'extra'))).toBe('invalid_payload');
  });
});

it('a unit with a device is sent the dispatch of shared/protocol.ts', async () => {
  const s = await consoleOf('officer');
  const term = await connect(t.url, '/terminal', terminalAuth(t.creds.terminals[3]!));
  const got: unknown[] = [];
  const unit = await connect(t.url, '/unit', unitAuth(t.creds.units[3]!), {
    before: (x) => x.on('dispatch', (d: unknown, ack: (a: unknown) => void) => (got.push(d), ack({ ok: true }))),
  });
  sockets.push(term, unit);
  const { incidentId } = (await ask(term, 'alarm', validAlarm())) as { incidentId: string };
  expect(await send(s, 'acknowledge', { incidentId })).toEqual({ ok: true });
  expect(await send(s, 'dispatch', { incidentId, unitId: t.creds.units[3]!.unitId })).toEqual({ ok: true });
  const d = await waitFor('dispatch', () => got[0]);
  expect(unitDispatchSchema.strict().parse(d)).toMatchObject({ incidentId, kind: 'panic', priority: 1, drill: false });
});

it('training:assign reaches only the named operator’s consoles, and refuses an unknown school (alarm or fault) or an operator not logged in', async () => {
  const trainer = await consoleOf('trainer');
  const officer = await consoleOf('officer');
  const admin = await consoleOf('admin');
  const offers: { who: string; a: unknown }[] = [];
  for (const [who, s] of [
    ['trainer', trainer],
    ['officer', officer],
    ['admin', admin],
  ] as const)
    s.on('training', (a: unknown) => offers.push({ who, a }));
  const school = t.creds.terminals[0]!.schoolId;
  const officerName = t.creds.operators.find((o) => o.role === 'officer')!.username;
  const scenario = (faultSchool = school) => ({
    version: 1,
    name: 'x',
    alarms: [{ at: 30, schoolId: school, kind: 'fire' }],
    faults: [{ at: 5, schoolId: faultSchool, kind: 'offline' }],
  });
  expect(await send(trainer, 'training:assign', { username: officerName, scenario: scenario('nowhere'), speed: 5 })).toMatchObject({
    ok: false,
    error: { reason: 'unknown_school' },
  });
  expect(await send(trainer, 'training:assign', { username: 'nobody', scenario: scenario(), speed: 5 })).toMatchObject({
    ok: false,
    error: { reason: 'trainee_offline' },
  });
  expect(await send(trainer, 'training:assign', { username: officerName, scenario: scenario(), speed: 3 })).toMatchObject({
    ok: false,
    error: { code: 'invalid_payload' },
  });
  expect(codeOf(await send(officer, 'training:assign', { username: officerName, scenario: scenario(), speed: 5 }))).toBe('forbidden');
  // Every console of the officer (this file opened others before) gets it; the trainer's and the admin's do not.
  expect(await send(trainer, 'training:assign', { username: officerName, scenario: scenario(), speed: 5 })).toMatchObject({
    ok: true,
    consoles: expect.any(Number),
  });
  await waitFor('the offer', () => offers.length > 0);
  await new Promise((r) => setTimeout(r, 200));
  expect(offers.map((o) => o.who)).toEqual(['officer']);
});

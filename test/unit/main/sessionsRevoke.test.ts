// test/unit/main — sessions can be ended (issue 9, finding 11): logout, a password reset and a disable end an
// operator's sessions and disconnect their open consoles; an idle session ends; sessions survive a core restart
// and so do their revocations. The real core (startCore: HTTP, socket.io, registry, sessions) with real clients.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { io as connectClient, type Socket } from 'socket.io-client';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../../main/config';
import { startCore, type RunningCore } from '../../../main/server';
import { Sessions } from '../../../main/core/sessions';

let root: string;
const cores: RunningCore[] = [];
const sockets: Socket[] = [];

beforeAll(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'sessions-revoke-'));
});
afterEach(async () => {
  for (const s of sockets.splice(0)) s.close();
  for (const c of cores.splice(0)) await c.close();
  vi.restoreAllMocks();
});
afterAll(() => {
  fs.rmSync(root, { recursive: true, force: true });
});

interface Clock {
  now: () => number;
  advance(ms: number): void;
}
const clock = (): Clock => {
  let t = Date.now();
  return { now: () => t, advance: (ms) => void (t += ms) };
};

async function start(dataDir: string, c: Clock, env: NodeJS.ProcessEnv = {}): Promise<RunningCore> {
  vi.spyOn(console, 'log').mockImplementation(() => undefined);
  const config = loadConfig(['--port', '0', '--data-dir', dataDir], env, path.join(root, 'dist'));
  const core = await startCore(config, c.now);
  cores.push(core);
  return core;
}

async function addOperator(core: RunningCore, username: string): Promise<string> {
  return core.station.registry.addOperator({ username, displayName: username, role: 'officer' });
}

async function login(core: RunningCore, username: string, password: string): Promise<string> {
  const res = await fetch(`${core.url}api/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  const body = (await res.json()) as { ok: boolean; session: string };
  expect(body.ok).toBe(true);
  return body.session;
}

async function logout(core: RunningCore, session: string): Promise<number> {
  const res = await fetch(`${core.url}api/logout`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ session }) });
  return res.status;
}

/** A console socket: resolves 'connected' (the socket stays open) or the refusal's message. */
function consoleConnect(core: RunningCore, session: string): Promise<{ result: string; socket: Socket }> {
  const socket = connectClient(`${core.url}console`, { auth: { session, since: 0 }, transports: ['websocket'], reconnection: false, forceNew: true });
  sockets.push(socket);
  return new Promise((resolve) => {
    socket.on('connect', () => resolve({ result: 'connected', socket }));
    socket.on('connect_error', (e) => resolve({ result: e.message, socket }));
  });
}

/** Resolves with the disconnect reason, or 'still connected' after ms. */
function disconnected(socket: Socket, ms = 2000): Promise<string> {
  return new Promise((resolve) => {
    const t = setTimeout(() => resolve('still connected'), ms);
    socket.on('disconnect', (reason) => {
      clearTimeout(t);
      resolve(reason);
    });
  });
}

describe('ending sessions', () => {
  it('logout ends the session: its open console is disconnected and the token is refused from then on', async () => {
    const c = clock();
    const core = await start(fs.mkdtempSync(path.join(root, 'logout-')), c);
    const pw = await addOperator(core, 'wang');
    const session = await login(core, 'wang', pw);
    const other = await login(core, 'wang', pw); // the same officer at a second desk
    const { result, socket } = await consoleConnect(core, session);
    expect(result).toBe('connected');
    const { socket: otherSocket } = await consoleConnect(core, other);
    const gone = disconnected(socket);
    const stays = disconnected(otherSocket, 500);
    expect(await logout(core, session)).toBe(200);
    expect(await gone).toBe('io server disconnect');
    expect(await stays).toBe('still connected'); // only that session
    expect((await consoleConnect(core, session)).result).toBe('unauthorized');
    expect(await logout(core, session)).toBe(200); // already gone: still fine
    expect(await logout(core, 'forged.token')).toBe(401);
  });

  it('a password reset ends every session of that operator, and only theirs', async () => {
    const c = clock();
    const core = await start(fs.mkdtempSync(path.join(root, 'reset-')), c);
    const pw = await addOperator(core, 'wang');
    const chiefPw = await addOperator(core, 'zhang');
    const a = await consoleConnect(core, await login(core, 'wang', pw));
    const b = await consoleConnect(core, await login(core, 'wang', pw));
    const chief = await consoleConnect(core, await login(core, 'zhang', chiefPw));
    expect([a.result, b.result, chief.result]).toEqual(['connected', 'connected', 'connected']);
    const goneA = disconnected(a.socket);
    const goneB = disconnected(b.socket);
    const chiefStays = disconnected(chief.socket, 500);
    const newPw = await core.station.registry.resetPassword('wang');
    expect(await goneA).toBe('io server disconnect');
    expect(await goneB).toBe('io server disconnect');
    expect(await chiefStays).toBe('still connected');
    const oldSession = (a.socket.auth as { session: string }).session;
    expect((await consoleConnect(core, oldSession)).result).toBe('unauthorized');
    expect((await consoleConnect(core, await login(core, 'wang', newPw))).result).toBe('connected');
  });

  it('a disable ends the operator’s sessions for good: enabling again does not bring them back', async () => {
    const c = clock();
    const core = await start(fs.mkdtempSync(path.join(root, 'disable-')), c);
    const pw = await addOperator(core, 'wang');
    const session = await login(core, 'wang', pw);
    const { socket } = await consoleConnect(core, session);
    const gone = disconnected(socket);
    core.station.registry.setDisabled('wang', true, 'operator');
    expect(await gone).toBe('io server disconnect');
    core.station.registry.setDisabled('wang', false, 'operator');
    expect((await consoleConnect(core, session)).result).toBe('unauthorized');
  });

  it('a session with no console connected for the idle time ends; a connected console keeps its session', async () => {
    const c = clock();
    const core = await start(fs.mkdtempSync(path.join(root, 'idle-')), c, { STATION_SESSION_IDLE_MIN: '30' });
    const pw = await addOperator(core, 'wang');
    const idle = await login(core, 'wang', pw);
    const busy = await login(core, 'wang', pw);
    const { socket } = await consoleConnect(core, busy);
    c.advance(29 * 60_000);
    const early = await consoleConnect(core, idle);
    expect(early.result).toBe('connected'); // 29 min: still live, and now it has a console
    early.socket.close();
    await new Promise((r) => setTimeout(r, 100)); // the station hears the disconnect
    c.advance(31 * 60_000);
    expect((await consoleConnect(core, idle)).result).toBe('unauthorized'); // 31 min without a console
    // The busy console was connected the whole hour: its session lives, also for a second console.
    expect(socket.connected).toBe(true);
    expect((await consoleConnect(core, busy)).result).toBe('connected');
  });

  it('sessions survive a core restart, and so does a logout', async () => {
    const c = clock();
    const dir = fs.mkdtempSync(path.join(root, 'restart-'));
    const first = await start(dir, c);
    const pw = await addOperator(first, 'wang');
    const kept = await login(first, 'wang', pw);
    const ended = await login(first, 'wang', pw);
    expect(await logout(first, ended)).toBe(200);
    await first.close();
    cores.splice(cores.indexOf(first), 1);
    const second = await start(dir, c);
    expect((await consoleConnect(second, kept)).result).toBe('connected');
    expect((await consoleConnect(second, ended)).result).toBe('unauthorized');
  });

  it('reads the idle time from STATION_SESSION_IDLE_MIN (default 30 minutes) and refuses nonsense', () => {
    const dist = path.join(root, 'dist');
    expect(loadConfig([], {}, dist).sessionIdleMs).toBe(30 * 60_000);
    expect(loadConfig([], { STATION_SESSION_IDLE_MIN: '45' }, dist).sessionIdleMs).toBe(45 * 60_000);
    for (const bad of ['0', '-5', '1.5', 'abc', '1441'])
      expect(() => loadConfig([], { STATION_SESSION_IDLE_MIN: bad }, dist)).toThrow(/STATION_SESSION_IDLE_MIN/);
  });

  it('a session whose operator is unknown to the registry is not live', () => {
    const s = Sessions.open(fs.mkdtempSync(path.join(root, 'unknown-')), { stampOf: () => undefined });
    expect(s.check(s.issue('ghost', Date.now()), Date.now())).toBeUndefined();
  });

  it('refuses a correctly signed token without a session id (issued before sessions could be ended)', async () => {
    const dir = fs.mkdtempSync(path.join(root, 'legacy-'));
    const s = Sessions.open(dir);
    const token = s.issue('wang', Date.now());
    const [body] = token.split('.');
    const claims = JSON.parse(Buffer.from(body!, 'base64url').toString('utf8')) as Record<string, unknown>;
    expect(typeof claims.sid).toBe('string');
    expect(s.check(token, Date.now())?.username).toBe('wang');
    const key = Buffer.from(fs.readFileSync(path.join(dir, 'session-key'), 'utf8'), 'base64');
    const legacyBody = Buffer.from(JSON.stringify({ username: 'wang', exp: Date.now() + 60_000 })).toString('base64url');
    const { createHmac } = await import('node:crypto');
    const legacy = `${legacyBody}.${createHmac('sha256', key).update(legacyBody).digest('base64url')}`;
    expect(s.verify(legacy, Date.now())?.username).toBe('wang'); // a good signature…
    expect(s.check(legacy, Date.now())).toBeUndefined(); // …but no live session
  });
});

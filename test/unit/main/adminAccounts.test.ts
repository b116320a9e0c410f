// test/unit/main — the admin's whole job from a console (issue 14, item 3), against the real core (startCore: HTTP,
// socket.io, registry, sessions, journal): operator accounts with a temporary password and the forced change at the
// next login (no session until then), reset, disable (its consoles cut off, its login refused), role changes (its
// sessions end); units with a token shown once and rotated (the old one refused); schools, guard posts and police
// rooms added, edited and deleted (a school in use is refused and stays). Every change is an admin.action record
// with the admin's name; an officer's attempt, or a hostile id, is refused and changes nothing.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { io as connectClient, type Socket } from 'socket.io-client';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../../main/config';
import { startCore, type RunningCore } from '../../../main/server';
import type { AdminAction, JournalRecord } from '../../../shared/events';
import { connectUnit } from '../../support/unit';
import { connectTerminal } from '../../support/terminal';

let root: string;
const cores: RunningCore[] = [];
const sockets: Socket[] = [];

beforeAll(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'admin-accounts-'));
});
afterEach(async () => {
  for (const s of sockets.splice(0)) s.close();
  for (const c of cores.splice(0)) await c.close();
  vi.restoreAllMocks();
});
afterAll(() => {
  fs.rmSync(root, { recursive: true, force: true });
});

interface Bench {
  core: RunningCore;
  dataDir: string;
  /** The admin's console (operator "boss"). */
  admin: Socket;
  /** An officer's console (operator "wang"). */
  officer: Socket;
}

async function start(): Promise<Bench> {
  vi.spyOn(console, 'log').mockImplementation(() => undefined);
  const dataDir = fs.mkdtempSync(path.join(root, 'core-'));
  const config = loadConfig(['--port', '0', '--data-dir', dataDir], {}, path.join(root, 'dist'));
  const core = await startCore(config);
  cores.push(core);
  const bossPw = await core.station.registry.addOperator({ username: 'boss', displayName: '管理员老李', role: 'admin' });
  const wangPw = await core.station.registry.addOperator({ username: 'wang', displayName: '王警官', role: 'officer' });
  const admin = await consoleOf(core, await session(core, 'boss', bossPw));
  const officer = await consoleOf(core, await session(core, 'wang', wangPw));
  return { core, dataDir, admin, officer };
}

async function login(
  core: RunningCore,
  body: object,
): Promise<{ status: number; body: { ok: boolean; session?: string; error?: { code: string; reason?: string } } }> {
  const res = await fetch(`${core.url}api/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as { ok: boolean; session?: string; error?: { code: string; reason?: string } } };
}

async function session(core: RunningCore, username: string, password: string): Promise<string> {
  const r = await login(core, { username, password });
  expect(r.body.ok, JSON.stringify(r.body)).toBe(true);
  return r.body.session!;
}

function tryConsole(core: RunningCore, s: string): Promise<{ result: string; socket: Socket }> {
  const socket = connectClient(`${core.url}console`, { auth: { session: s, since: 0 }, transports: ['websocket'], reconnection: false, forceNew: true });
  sockets.push(socket);
  return new Promise((resolve) => {
    socket.on('connect', () => resolve({ result: 'connected', socket }));
    socket.on('connect_error', (e) => resolve({ result: e.message, socket }));
  });
}

async function consoleOf(core: RunningCore, s: string): Promise<Socket> {
  const { result, socket } = await tryConsole(core, s);
  expect(result).toBe('connected');
  return socket;
}

const call = (socket: Socket, name: string, req: unknown): Promise<Record<string, unknown> & { ok: boolean; error?: { code: string; reason?: string } }> =>
  socket.timeout(10_000).emitWithAck(name, req) as Promise<Record<string, unknown> & { ok: boolean; error?: { code: string; reason?: string } }>;

function gone(socket: Socket, ms = 3000): Promise<string> {
  return new Promise((resolve) => {
    const t = setTimeout(() => resolve('still connected'), ms);
    socket.on('disconnect', (reason) => {
      clearTimeout(t);
      resolve(reason);
    });
  });
}

function adminActions(dataDir: string): Omit<AdminAction, 'type' | 'at'>[] {
  return fs
    .readFileSync(path.join(dataDir, 'journal.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => (JSON.parse(l) as JournalRecord).event)
    .flatMap((e) =>
      e.type === 'admin.action' ? [{ operator: e.operator, action: e.action, target: e.target, ...(e.detail ? { detail: e.detail } : {}) }] : [],
    );
}

describe('operator accounts from the admin console', () => {
  it('a new account logs in only after setting its own password; the temporary one is then dead; both steps are journalled', async () => {
    const { core, dataDir, admin } = await start();
    const added = await call(admin, 'admin:addOperator', { username: 'zhao', displayName: '赵警官', role: 'officer' });
    expect(added.ok).toBe(true);
    const temp = added.password as string;
    expect(temp.length).toBeGreaterThanOrEqual(16);

    // The temporary password is right, but no session is issued: the change comes first.
    const first = await login(core, { username: 'zhao', password: temp });
    expect(first.status).toBe(403);
    expect(first.body).toMatchObject({ ok: false, error: { code: 'forbidden', reason: 'password_change_required' } });
    expect(first.body.session).toBeUndefined();
    // A wrong temporary password with a new one is still a wrong password.
    expect((await login(core, { username: 'zhao', password: 'wrong-guess', newPassword: 'Longenough1' })).status).toBe(401);
    // Too short, or the temporary one again: refused, nothing changes.
    expect((await login(core, { username: 'zhao', password: temp, newPassword: 'short' })).body).toMatchObject({ error: { reason: 'weak_password' } });
    expect((await login(core, { username: 'zhao', password: temp, newPassword: temp })).body).toMatchObject({ error: { reason: 'weak_password' } });

    const changed = await login(core, { username: 'zhao', password: temp, newPassword: '赵的新密码2026' });
    expect(changed.status).toBe(200);
    expect((await tryConsole(core, changed.body.session!)).result).toBe('connected');
    expect((await login(core, { username: 'zhao', password: temp })).status).toBe(401);
    expect((await login(core, { username: 'zhao', password: '赵的新密码2026' })).status).toBe(200);

    const listed = await call(admin, 'admin:operators', {});
    expect((listed.operators as { username: string; mustChangePassword: boolean }[]).find((o) => o.username === 'zhao')).toMatchObject({
      mustChangePassword: false,
    });
    const actions = adminActions(dataDir).map((a) => [a.operator.username, a.action, a.target]);
    expect(actions).toEqual([
      ['boss', 'operator.added', 'zhao'],
      ['zhao', 'password.changed', 'zhao'],
    ]);
    expect(JSON.stringify(adminActions(dataDir))).not.toContain(temp);
  });

  it('a reset ends the sessions, kills the old password and forces a change; a disable cuts the console off and refuses the login', async () => {
    const { core, dataDir, admin, officer } = await start();
    const cut = gone(officer);
    const reset = await call(admin, 'admin:resetPassword', { username: 'wang' });
    expect(reset.ok).toBe(true);
    expect(await cut).toBe('io server disconnect');
    const temp = reset.password as string;
    expect((await login(core, { username: 'wang', password: temp })).body).toMatchObject({ error: { reason: 'password_change_required' } });
    const s = (await login(core, { username: 'wang', password: temp, newPassword: 'wang-new-pass' })).body.session!;
    const again = await consoleOf(core, s);

    const cutAgain = gone(again);
    expect(await call(admin, 'admin:setOperatorDisabled', { username: 'wang', disabled: true })).toEqual({ ok: true });
    expect(await cutAgain).toBe('io server disconnect');
    expect((await login(core, { username: 'wang', password: 'wang-new-pass' })).status).toBe(401);
    expect(await call(admin, 'admin:setOperatorDisabled', { username: 'wang', disabled: false })).toEqual({ ok: true });
    expect((await login(core, { username: 'wang', password: 'wang-new-pass' })).status).toBe(200);
    expect(adminActions(dataDir).map((a) => [a.operator.username, a.action, a.target])).toEqual([
      ['boss', 'password.reset', 'wang'],
      ['wang', 'password.changed', 'wang'],
      ['boss', 'disabled', 'wang'],
      ['boss', 'enabled', 'wang'],
    ]);
  });

  it('a role change ends the sessions (the next login has the new role); an admin cannot disable or demote themself', async () => {
    const { core, admin, officer } = await start();
    const cut = gone(officer);
    expect(await call(admin, 'admin:updateOperator', { username: 'wang', displayName: '王所长', role: 'chief' })).toEqual({ ok: true });
    expect(await cut).toBe('io server disconnect');
    expect(core.station.registry.operator('wang')).toEqual({ username: 'wang', displayName: '王所长', role: 'chief' });

    expect(await call(admin, 'admin:setOperatorDisabled', { username: 'boss', disabled: true })).toMatchObject({
      ok: false,
      error: { code: 'forbidden', reason: 'own_account' },
    });
    expect(await call(admin, 'admin:updateOperator', { username: 'boss', displayName: 'x', role: 'officer' })).toMatchObject({
      error: { reason: 'own_account' },
    });
    // The last enabled admin keeps its role and stays enabled, whoever asks (the CLI, another path).
    core.station.registry.setOperatorDisabled('admin', true, 'boss');
    expect(() => core.station.registry.setOperatorDisabled('boss', true, 'admin')).toThrow(/last enabled admin/);
    expect(await call(admin, 'admin:addOperator', { username: 'wang', displayName: 'x', role: 'officer' })).toMatchObject({
      error: { reason: 'already_exists' },
    });
  });

  it("an officer's attempt at any admin command is refused (not_permitted) and changes nothing", async () => {
    const { core, dataDir, officer } = await start();
    const before = JSON.stringify(core.station.registry.snapshot);
    const tries: [string, unknown][] = [
      ['admin:operators', {}],
      ['admin:addOperator', { username: 'evil', displayName: 'x', role: 'admin' }],
      ['admin:updateOperator', { username: 'wang', displayName: 'x', role: 'admin' }],
      ['admin:resetPassword', { username: 'boss' }],
      ['admin:setOperatorDisabled', { username: 'boss', disabled: true }],
      ['admin:addUnit', { id: 'u-x', name: 'x', callsign: 'x', lat: 41, lng: 117, hasDevice: true }],
      ['admin:updateUnit', { id: 'u-x', name: 'x', callsign: 'x', lat: 41, lng: 117 }],
      ['admin:saveRecord', { kind: 'policeRooms', mode: 'add', row: { id: 'r-x', name: 'x', kind: 'kiosk', lat: 41, lng: 117 } }],
      ['admin:deleteRecord', { kind: 'schools', id: 'x' }],
    ];
    for (const [name, req] of tries)
      expect(await call(officer, name, req), name).toMatchObject({ ok: false, error: { code: 'forbidden', reason: 'not_permitted' } });
    expect(JSON.stringify(core.station.registry.snapshot)).toBe(before);
    expect(adminActions(dataDir)).toEqual([]);
  });
});

describe('units and reference records from the admin console', () => {
  it("a unit's token is shown once; after a rotation the old token is refused and the new one accepted", async () => {
    const { core, dataDir, admin } = await start();
    const added = await call(admin, 'admin:addUnit', { id: 'car-9', name: '巡逻九车', callsign: '九号', lat: 41.3, lng: 117.7, hasDevice: true });
    expect(added.ok).toBe(true);
    const token = added.token as string;
    const unit = await connectUnit(core.url, 'car-9', token);
    const cut = new Promise<void>((r) => unit.socket.once('disconnect', () => r()));
    const rotated = await call(admin, 'admin:rotate', { id: 'car-9' });
    expect(rotated.ok).toBe(true);
    await cut;
    unit.close();
    await expect(connectUnit(core.url, 'car-9', token)).rejects.toThrow(/unauthorized/);
    const fresh = await connectUnit(core.url, 'car-9', rotated.token as string);
    fresh.close();
    expect(await call(admin, 'admin:addUnit', { id: 'car-10', name: '步巡十组', callsign: '步巡10', lat: 41.3, lng: 117.7, hasDevice: false })).toEqual({
      ok: true,
    });
    expect(adminActions(dataDir).map((a) => [a.action, a.target])).toEqual([
      ['unit.added', 'car-9'],
      ['token.rotated', 'car-9'],
      ['unit.added', 'car-10'],
    ]);
  });

  it('a unit is edited — name, call sign, home, post — keeping its id, device and token; consoles are sent its post', async () => {
    const { core, dataDir, admin } = await start();
    const school = { id: 'sch-u', name: '示例小学', nameEn: '', type: 'primary', address: '', lat: 41.3, lng: 117.7, area: 'urban', phone: '' };
    expect(await call(admin, 'admin:saveRecord', { kind: 'schools', mode: 'add', row: school })).toEqual({ ok: true });
    const post = {
      id: 'post-u',
      name: '示例护学岗',
      schoolId: 'sch-u',
      lat: 41.3,
      lng: 117.7,
      days: [1, 2, 3, 4, 5],
      windows: [{ start: '07:10', end: '08:10' }],
    };
    expect(await call(admin, 'admin:saveRecord', { kind: 'guardPosts', mode: 'add', row: post })).toEqual({ ok: true });
    const added = await call(admin, 'admin:addUnit', { id: 'car-7', name: '巡逻七车', callsign: '七号', lat: 41.3, lng: 117.7, hasDevice: true });
    const edit = { id: 'car-7', name: ' 护学岗七号 ', callsign: '岗七', lat: 41.31, lng: 117.71, postId: 'post-u' };
    expect(await call(admin, 'admin:updateUnit', edit)).toEqual({ ok: true });
    const ref = () => core.station.registry.reference().units.find((u) => u.id === 'car-7');
    expect(ref()).toEqual({ id: 'car-7', name: '护学岗七号', callsign: '岗七', lat: 41.31, lng: 117.71, hasDevice: true, postId: 'post-u' });
    // Its token still works (the device was not touched), and its post is in the export too (it was dropped).
    (await connectUnit(core.url, 'car-7', added.token as string)).close();
    expect(core.station.registry.exportData('units').find((u) => u.id === 'car-7')).toMatchObject({ postId: 'post-u', disabled: false });
    // Absent postId keeps the post; '' clears it.
    const { postId: _post, ...noPost } = edit;
    expect(await call(admin, 'admin:updateUnit', noPost)).toEqual({ ok: true });
    expect(ref()?.postId).toBe('post-u');
    expect(await call(admin, 'admin:updateUnit', { ...edit, postId: '' })).toEqual({ ok: true });
    expect(ref()).not.toHaveProperty('postId');
    // Refused with a reason, changing nothing: an unknown unit, an unknown post, an unknown station, no name.
    const before = JSON.stringify(core.station.registry.snapshot);
    expect(await call(admin, 'admin:updateUnit', { ...edit, id: 'car-8' })).toMatchObject({ ok: false, error: { reason: 'unknown_record' } });
    expect(await call(admin, 'admin:updateUnit', { ...edit, postId: 'post-x' })).toMatchObject({ ok: false, error: { reason: 'unknown_post' } });
    expect(await call(admin, 'admin:updateUnit', { ...edit, stationId: 'st-x' })).toMatchObject({ ok: false, error: { reason: 'unknown_station' } });
    expect(await call(admin, 'admin:updateUnit', { ...edit, name: ' ' })).toMatchObject({ ok: false, error: { code: 'invalid_payload' } });
    expect(JSON.stringify(core.station.registry.snapshot)).toBe(before);
    // Whether it has a device is not the edit's (its token was issued when it was added): a hasDevice sent along is not read.
    expect(await call(admin, 'admin:updateUnit', { ...edit, hasDevice: false })).toEqual({ ok: true });
    expect(ref()?.hasDevice).toBe(true);
    expect(
      adminActions(dataDir)
        .filter((a) => a.target === 'car-7')
        .map((a) => a.action),
    ).toEqual(['unit.added', 'unit.updated', 'unit.updated', 'unit.updated', 'unit.updated']);
  });

  it('schools, guard posts and police rooms: add, edit, delete; a school in use is refused and stays', async () => {
    const { core, dataDir, admin } = await start();
    const school = {
      id: 'sch-a',
      name: '示例甲小学',
      nameEn: 'Sample A Primary',
      type: 'primary',
      address: '示例路 1 号',
      lat: 41.3,
      lng: 117.7,
      area: 'urban',
      phone: '0314-000',
    };
    expect(await call(admin, 'admin:saveRecord', { kind: 'schools', mode: 'add', row: school })).toEqual({ ok: true });
    expect(await call(admin, 'admin:saveRecord', { kind: 'schools', mode: 'add', row: school })).toMatchObject({ error: { reason: 'already_exists' } });
    expect(await call(admin, 'admin:saveRecord', { kind: 'schools', mode: 'edit', row: { ...school, name: '示例甲小学（新址）' } })).toEqual({ ok: true });
    expect(core.station.registry.school('sch-a')?.name).toBe('示例甲小学（新址）');
    expect(await call(admin, 'admin:saveRecord', { kind: 'schools', mode: 'edit', row: { ...school, id: 'sch-none' } })).toMatchObject({
      error: { reason: 'unknown_record' },
    });

    const post = {
      id: 'post-a',
      name: '甲小学护学岗',
      schoolId: 'sch-a',
      lat: 41.3,
      lng: 117.7,
      days: [1, 2, 3, 4, 5],
      windows: [{ start: '07:10', end: '08:10' }],
    };
    expect(await call(admin, 'admin:saveRecord', { kind: 'guardPosts', mode: 'add', row: post })).toEqual({ ok: true });
    expect(await call(admin, 'admin:saveRecord', { kind: 'guardPosts', mode: 'add', row: { ...post, id: 'post-b', schoolId: 'nowhere' } })).toMatchObject({
      error: { reason: 'unknown_school' },
    });
    const room = { id: 'room-a', name: '示例警务室', kind: 'police_room', lat: 41.31, lng: 117.71 };
    expect(await call(admin, 'admin:saveRecord', { kind: 'policeRooms', mode: 'add', row: room })).toEqual({ ok: true });

    // In use: a guard post, then a terminal, then an open incident keep the school.
    expect(await call(admin, 'admin:deleteRecord', { kind: 'schools', id: 'sch-a' })).toMatchObject({
      ok: false,
      error: { code: 'forbidden', reason: 'in_use' },
    });
    expect(await call(admin, 'admin:deleteRecord', { kind: 'guardPosts', id: 'post-a' })).toEqual({ ok: true });
    expect((await call(admin, 'admin:addTerminal', { deviceId: 'term-a', schoolId: 'sch-a', label: '' })).ok).toBe(true);
    expect(await call(admin, 'admin:deleteRecord', { kind: 'schools', id: 'sch-a' })).toMatchObject({ error: { reason: 'in_use' } });
    expect(core.station.registry.school('sch-a')).toBeDefined();
    expect(await call(admin, 'admin:deleteRecord', { kind: 'policeRooms', id: 'room-a' })).toEqual({ ok: true });
    expect(await call(admin, 'admin:deleteRecord', { kind: 'policeRooms', id: 'room-a' })).toMatchObject({ error: { reason: 'unknown_record' } });

    expect(adminActions(dataDir).map((a) => [a.operator.username, a.action, a.target])).toEqual([
      ['boss', 'school.added', 'sch-a'],
      ['boss', 'school.updated', 'sch-a'],
      ['boss', 'guardPost.added', 'post-a'],
      ['boss', 'policeRoom.added', 'room-a'],
      ['boss', 'guardPost.deleted', 'post-a'],
      ['boss', 'terminal.added', 'term-a'],
      ['boss', 'policeRoom.deleted', 'room-a'],
    ]);
  });

  it('a school with an open incident cannot be deleted, even once its terminal is gone from the file', async () => {
    const { core, admin } = await start();
    const school = { id: 'sch-b', name: '示例乙小学', nameEn: '', type: 'primary', address: '', lat: 41.3, lng: 117.7, area: 'rural', phone: '' };
    expect(await call(admin, 'admin:saveRecord', { kind: 'schools', mode: 'add', row: school })).toEqual({ ok: true });
    const term = await call(admin, 'admin:addTerminal', { deviceId: 'term-b', schoolId: 'sch-b', label: '' });
    const t = await connectTerminal(core.url, 'term-b', term.token as string);
    expect(await t.press({ alarmId: 'open-1' })).toMatchObject({ ok: true });
    t.close();
    // Take the terminal out of the registry behind the station's back (as a hand edit would): the incident still holds.
    core.station.registry.update((d) => {
      d.terminals = d.terminals.filter((x) => x.deviceId !== 'term-b');
    });
    expect(await call(admin, 'admin:deleteRecord', { kind: 'schools', id: 'sch-b' })).toMatchObject({ error: { reason: 'in_use' } });
    expect(core.station.registry.school('sch-b')).toBeDefined();
  });

  it('hostile ids (__proto__, NUL, 100k characters, not strings) are refused with a message and change nothing', async () => {
    const { core, dataDir, admin } = await start();
    const before = JSON.stringify(core.station.registry.snapshot);
    const row = { name: 'x', kind: 'kiosk', lat: 41, lng: 117 };
    for (const id of ['__proto__', 'constructor', 'a\0b', 'x'.repeat(100_000), '', 7, null, { toString: 'x' }]) {
      for (const [name, req] of [
        ['admin:saveRecord', { kind: 'policeRooms', mode: 'add', row: { ...row, id } }],
        ['admin:addOperator', { username: id, displayName: 'x', role: 'officer' }],
        ['admin:addUnit', { id, name: 'x', callsign: 'FZ1', lat: 41, lng: 117, hasDevice: false }],
        ['admin:deleteRecord', { kind: 'schools', id }],
        ['admin:resetPassword', { username: id }],
      ] as const) {
        const r = await call(admin, name, req);
        expect(r.ok, `${name} ${typeof id === 'string' ? id.slice(0, 20) : typeof id}`).toBe(false);
        expect(typeof r.error?.code).toBe('string');
        expect(((r.error as { message?: string }).message ?? '').length).toBeGreaterThan(0);
      }
    }
    expect(JSON.stringify(core.station.registry.snapshot)).toBe(before);
    expect(adminActions(dataDir)).toEqual([]);
  });
});

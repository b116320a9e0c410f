// test/unit/main — issue 9, findings 2–6: hostile ids never index a plain object, a damaged or lost journal is
// reported and never wedges a console, incident ids are never reused, and a console far behind gets a snapshot.
// The real core (startCore: journal on disk, socket.io, registry, sessions) with real socket.io clients.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { io as connectClient, type Socket } from 'socket.io-client';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../../main/config';
import { startCore, type RunningCore } from '../../../main/server';
import { openJournal, scanJournal } from '../../../main/core/journal';
import type { ConsoleHello } from '../../../shared/consoleApi';
import type { JournalRecord, OperatorRef, StationEvent } from '../../../shared/events';
import type { StateSnapshot } from '../../../shared/incidents';
import { school } from '../../support/registryFixture';

let root: string;
const cores: RunningCore[] = [];
const sockets: Socket[] = [];
beforeAll(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'hostile-state-'));
});
afterEach(async () => {
  for (const s of sockets.splice(0)) s.close();
  for (const c of cores.splice(0)) await c.close();
  vi.restoreAllMocks();
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

const HOSTILE = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', 'a\u0000b', 'x'.repeat(100_000)];
let dirs = 0;
const freshDir = (): string => path.join(root, `d${++dirs}`);

async function start(dataDir: string, env: NodeJS.ProcessEnv = {}): Promise<RunningCore> {
  vi.spyOn(console, 'log').mockImplementation(() => undefined);
  vi.spyOn(console, 'warn').mockImplementation(() => undefined);
  const config = loadConfig(['--port', '0', '--data-dir', dataDir], env, path.join(root, 'dist'));
  const core = await startCore(config);
  cores.push(core);
  return core;
}
async function stop(core: RunningCore): Promise<void> {
  cores.splice(cores.indexOf(core), 1);
  await core.close();
}

interface Setup {
  core: RunningCore;
  terminalToken: string;
  officer: string;
  trainer: string;
}
/** A station with one school, its terminal (T-1), an officer and a trainer; returns their credentials. */
async function setUp(dataDir: string): Promise<Setup> {
  const core = await start(dataDir);
  const reg = core.station.registry;
  reg.addSchool(school('s1'));
  const terminalToken = await reg.addTerminal({ deviceId: 'T-1', schoolId: 's1', label: '门卫室' });
  const officer = await reg.addOperator({ username: 'wang', displayName: '王警官', role: 'officer' });
  const trainer = await reg.addOperator({ username: 'zhao', displayName: '赵教官', role: 'trainer' });
  return { core, terminalToken, officer, trainer };
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

interface ConsoleClient {
  socket: Socket;
  hello: Promise<ConsoleHello>;
  first: Promise<{ kind: 'records'; records: JournalRecord[] } | { kind: 'snapshot'; snapshot: StateSnapshot }>;
  live: JournalRecord[];
}
function consoleClient(core: RunningCore, session: string, since = 0): ConsoleClient {
  const socket = connectClient(`${core.url}console`, { auth: { session, since }, transports: ['websocket'], reconnection: false, forceNew: true });
  sockets.push(socket);
  const live: JournalRecord[] = [];
  socket.on('record', (r: JournalRecord) => live.push(r));
  return {
    socket,
    live,
    hello: new Promise((resolve) => socket.once('hello', resolve)),
    first: new Promise((resolve) => {
      socket.once('records', (records: JournalRecord[]) => resolve({ kind: 'records', records }));
      socket.once('snapshot', (snapshot: StateSnapshot) => resolve({ kind: 'snapshot', snapshot }));
    }),
  };
}

function terminal(core: RunningCore, token: string, deviceId = 'T-1'): Promise<Socket> {
  const socket = connectClient(`${core.url}terminal`, { auth: { deviceId, token }, transports: ['websocket'], reconnection: false, forceNew: true });
  sockets.push(socket);
  return new Promise((resolve, reject) => {
    socket.on('connect', () => resolve(socket));
    socket.on('connect_error', reject);
  });
}
const ask = (s: Socket, event: string, payload: unknown): Promise<Record<string, unknown>> =>
  s.timeout(5000).emitWithAck(event, payload) as Promise<Record<string, unknown>>;
let alarmN = 0;
const press = async (s: Socket, kind = 'panic'): Promise<{ ok: boolean; incidentId: string }> =>
  (await ask(s, 'alarm', { alarmId: `a-${process.pid}-${++alarmN}`, kind, raisedAt: Date.now() })) as { ok: boolean; incidentId: string };

const journalFile = (dir: string): string => path.join(dir, 'journal.jsonl');
const waitFor = async <T>(what: string, f: () => T | undefined | false, ms = 5000): Promise<T> => {
  const until = Date.now() + ms;
  for (;;) {
    const v = f();
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe('hostile ids from a logged-in operator (finding 2)', () => {
  it('shown, acknowledge and every lifecycle command with __proto__ & co. are refused, write nothing, and the station starts again', async () => {
    const dir = freshDir();
    const { core, terminalToken, officer, trainer } = await setUp(dir);
    const sessions = { officer: await login(core, 'wang', officer), trainer: await login(core, 'zhao', trainer) };
    const before = fs.readFileSync(journalFile(dir), 'utf8');
    for (const who of ['officer', 'trainer'] as const) {
      const c = consoleClient(core, sessions[who]);
      await c.hello;
      for (const id of HOSTILE) {
        for (const [cmd, extra] of [
          ['shown', {}],
          ['acknowledge', {}],
          ['note', { text: 'x' }],
          ['callBack', { outcome: 'x' }],
          ['takeOver', {}],
          ['dispatch', { unitId: id }],
          ['cancelDispatch', { unitId: id, reason: 'x' }],
          ['progress', { unitId: id, state: 'on_scene' }],
          ['resolve', { disposition: 'real', note: '' }],
          ['reopen', { reason: 'x' }],
        ] as const) {
          const ans = (await c.socket.timeout(5000).emitWithAck(cmd, { incidentId: id, ...extra })) as { ok: boolean; error?: { code: string } };
          expect(ans.ok, `${who} ${cmd} ${id.slice(0, 20)}`).toBe(false);
          expect(['unknown_alarm', 'forbidden', 'invalid_payload']).toContain(ans.error?.code);
        }
        const f = (await c.socket.timeout(5000).emitWithAck('acknowledgeFault', { deviceId: id, fault: '__proto__' })) as { ok: boolean };
        expect(f.ok).toBe(false);
        const f2 = (await c.socket.timeout(5000).emitWithAck('acknowledgeFault', { deviceId: id, fault: 'offline' })) as { ok: boolean };
        expect(f2.ok).toBe(false);
      }
    }
    expect(fs.readFileSync(journalFile(dir), 'utf8')).toBe(before);
    // Still receiving: an alarm reaches a console.
    const watcher = consoleClient(core, sessions.officer);
    await watcher.first;
    const t = await terminal(core, terminalToken);
    const a = await press(t);
    expect(a.ok).toBe(true);
    await waitFor('the alarm on the console', () => watcher.live.find((r) => r.event.type === 'alarm.received'));
    await stop(core);
    // And it starts again from that journal.
    const again = await start(dir);
    expect(again.station.snapshot.incidents.get(a.incidentId)?.schoolId).toBe('s1');
  });

  it('a journal that already holds events about __proto__ or constructor (written by an older build) opens, and the station works', async () => {
    const dir = freshDir();
    const { core, terminalToken, officer } = await setUp(dir);
    await stop(core);
    const op: OperatorRef = { username: 'wang', displayName: '王警官', role: 'officer' };
    const j = openJournal(dir);
    const at = Date.now();
    j.appendBatch([
      { type: 'incident.shown', at, incidentId: '__proto__', operator: op },
      { type: 'incident.acknowledged', at, incidentId: 'constructor', operator: op },
      { type: 'device.fault_acknowledged', at, deviceId: 'toString', fault: 'offline', operator: op },
      { type: 'dispatch.progress', at, incidentId: 'hasOwnProperty', unitId: '__proto__', state: 'on_scene' },
    ]);
    j.close();
    const again = await start(dir);
    expect(again.station.snapshot.seq).toBe(4);
    expect(again.station.snapshot.incidents.size).toBe(0);
    const c = consoleClient(again, await login(again, 'wang', officer));
    const first = await c.first;
    expect(first.kind === 'records' && first.records.map((r) => r.seq)).toEqual([1, 2, 3, 4]);
    const a = await press(await terminal(again, terminalToken));
    expect(a.ok).toBe(true);
    expect((await waitFor('the alarm', () => c.live.find((r) => r.event.type === 'alarm.received'))).seq).toBe(5);
  });
});

describe('terminal ids that are names of Object.prototype (finding 3)', () => {
  it('terminals "constructor" and "__proto__" are supervised, reported in health and go offline without stopping the station', async () => {
    const dir = freshDir();
    const core = await start(dir, { STATION_HEARTBEAT_MS: '100' });
    const reg = core.station.registry;
    reg.addSchool(school('s1'));
    const tokens = new Map<string, string>();
    for (const id of ['constructor', '__proto__', 'toString']) tokens.set(id, await reg.addTerminal({ deviceId: id, schoolId: 's1', label: id }));
    const health = core.station.devices.health();
    expect(health.map((h) => h.deviceId).sort()).toEqual(['__proto__', 'constructor', 'toString']);
    // Heard once (a connection is a sign of life; a terminal never heard is "never connected", no fault), then
    // silent for 3 intervals: offline, recorded as for any terminal.
    for (const [id, token] of tokens) (await terminal(core, token, id)).close();
    await waitFor(
      'three offline records',
      () => core.station.snapshot.devices.size === 3 && [...core.station.snapshot.devices.values()].every((d) => !d.online),
      3000,
    );
    for (const h of core.station.devices.health()) expect(h.online).toBe(false);
    // A terminal named constructor can still press, and its alarm is an incident like any other.
    const s = await terminal(core, tokens.get('constructor')!, 'constructor');
    const a = await press(s);
    expect(a.ok).toBe(true);
    expect(core.station.snapshot.incidents.get(a.incidentId)?.deviceId).toBe('constructor');
    await waitFor('back online', () => core.station.snapshot.devices.get('constructor')?.online);
    await stop(core);
    const again = await start(dir, { STATION_HEARTBEAT_MS: '100' });
    expect(again.station.snapshot.devices.get('constructor')?.online).toBe(true);
    expect(() => again.station.devices.health()).not.toThrow();
  });
});

describe('a damaged journal (finding 4)', () => {
  it('one unreadable record in the middle: reported on every console, consoles get every seq without a gap, and new alarms reach them', async () => {
    const dir = freshDir();
    const { core, terminalToken, officer } = await setUp(dir);
    const t = await terminal(core, terminalToken);
    for (const kind of ['panic', 'fire', 'medical']) expect((await press(t, kind)).ok).toBe(true);
    await stop(core);
    const lines = fs.readFileSync(journalFile(dir), 'utf8').split('\n');
    const n = lines.filter((l) => l !== '').length;
    lines[1] = lines[1]!.slice(0, 30) + '%%% damaged %%%';
    fs.writeFileSync(journalFile(dir), lines.join('\n'));

    const again = await start(dir);
    const c = consoleClient(again, await login(again, 'wang', officer));
    const hello = await c.hello;
    expect(hello.journalProblems.join('\n')).toMatch(/bad_record @ line 2/);
    const first = await c.first;
    expect(first.kind).toBe('records');
    const seqs = first.kind === 'records' ? first.records.map((r) => r.seq) : [];
    expect(seqs).toEqual(Array.from({ length: n }, (_, i) => i + 1));
    expect(first.kind === 'records' && first.records[1]!.event.type).toBe('journal.unreadable');
    const a = await press(await terminal(again, terminalToken), 'violence');
    expect(a.ok).toBe(true);
    const rec = await waitFor('the new alarm', () => c.live.find((r) => r.event.type === 'alarm.received'));
    expect(rec.seq).toBe(n + 1);
    // The record on disk stays as it was (evidence), and verify still names it.
    expect(scanJournal(fs.readFileSync(journalFile(dir), 'utf8')).problems[0]).toMatchObject({ kind: 'bad_record', line: 2 });
  });
});

describe('a deleted or shortened journal (finding 5)', () => {
  it('is reported on every console, starts a new journal id (replicas are dropped) and never reuses an incident id', async () => {
    const dir = freshDir();
    const { core, terminalToken, officer } = await setUp(dir);
    const t = await terminal(core, terminalToken);
    const used = [];
    for (const kind of ['panic', 'fire']) used.push((await press(t, kind)).incidentId);
    const c0 = consoleClient(core, await login(core, 'wang', officer));
    const oldId = (await c0.hello).journalId;
    await stop(core);
    fs.rmSync(journalFile(dir));

    const again = await start(dir);
    const c = consoleClient(again, await login(again, 'wang', officer), 7);
    const hello = await c.hello;
    expect(hello.journalId).not.toBe(oldId);
    expect(hello.journalProblems.join('\n')).toMatch(/journal_missing/);
    const a = await press(await terminal(again, terminalToken), 'panic');
    expect(a.ok).toBe(true);
    expect(used).not.toContain(a.incidentId);
    // A console that held more than the station now has is not left waiting for seqs that will never come.
    await waitFor('the new alarm on the console', () => c.live.find((r) => r.event.type === 'alarm.received'));
  });

  it('a journal shortened to an old copy is reported with how many records are missing', async () => {
    const dir = freshDir();
    const { core, terminalToken } = await setUp(dir);
    const t = await terminal(core, terminalToken);
    await press(t, 'panic');
    const copy = fs.readFileSync(journalFile(dir));
    await press(t, 'fire');
    await press(t, 'medical');
    await stop(core);
    fs.writeFileSync(journalFile(dir), copy);
    const again = await start(dir);
    const p = again.station.journal.problems.find((x) => x.kind === 'journal_missing');
    expect(p?.detail).toMatch(/2 record\(s\) are missing/);
  });
});

describe('a console far behind (findings 4 and 6)', () => {
  it('gets the state as a snapshot at one seq instead of every record, then live records', async () => {
    const dir = freshDir();
    const { core, terminalToken, officer } = await setUp(dir);
    await stop(core);
    // 6,000 records: 2,000 alarms from another (now unknown) terminal, each acknowledged and resolved.
    const op: OperatorRef = { username: 'wang', displayName: '王警官', role: 'officer' };
    const j = openJournal(dir);
    const at = Date.now() - 3 * 86_400_000;
    const events: StationEvent[] = [];
    for (let i = 1; i <= 2000; i++) {
      const incidentId = `old-${i}`;
      events.push(
        { type: 'alarm.received', at, incidentId, deviceId: 'T-old', schoolId: 's1', alarmId: `o${i}`, kind: 'test', drill: false, raisedAt: at },
        { type: 'incident.acknowledged', at, incidentId, operator: op },
        { type: 'incident.resolved', at, incidentId, operator: op, disposition: 'test', note: '' },
      );
    }
    events.push({
      type: 'alarm.received',
      at,
      incidentId: 'still-open',
      deviceId: 'T-old',
      schoolId: 's1',
      alarmId: 'open1',
      kind: 'panic',
      drill: false,
      raisedAt: at,
    });
    j.appendBatch(events);
    j.close();

    const again = await start(dir);
    const c = consoleClient(again, await login(again, 'wang', officer));
    const first = await c.first;
    expect(first.kind).toBe('snapshot');
    if (first.kind !== 'snapshot') return;
    expect(first.snapshot.seq).toBe(6001);
    // Open incidents are all there; resolved ones older than a day are not.
    expect(first.snapshot.incidents.map((i) => i.id)).toEqual(['still-open']);
    const a = await press(await terminal(again, terminalToken));
    expect((await waitFor('the new alarm', () => c.live.find((r) => r.event.type === 'alarm.received'))).seq).toBe(6002);
    expect(a.ok).toBe(true);
    // A console close behind still catches up record by record.
    const near = consoleClient(again, await login(again, 'wang', officer), 6000);
    const nearFirst = await near.first;
    expect(nearFirst.kind === 'records' && nearFirst.records.map((r) => r.seq)).toEqual([6001, 6002]);
  });
});

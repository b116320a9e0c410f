// test/unit/main — issue 9, finding 6: a start reads only the journal after the state snapshot, and the state it
// gets is exactly the fold of the whole journal; a snapshot that does not fit the journal is set aside, never used.
// The real core (startCore) on real files.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../../main/config';
import { startCore, type RunningCore } from '../../../main/server';
import { scanJournal } from '../../../main/core/journal';
import { capture, loadSnapshot, snapshotFile, writeSnapshot } from '../../../main/core/snapshot';
import { foldRecords, type StationState } from '../../../shared/incidents';
import type { JournalRecord, OperatorRef } from '../../../shared/events';
import crypto from 'node:crypto';
import { io as connectClient, type Socket } from 'socket.io-client';
import { school } from '../../support/registryFixture';
import { DEFAULT_TARGETS } from '../../../shared/response';

let root: string;
const cores: RunningCore[] = [];
let logs: string[] = [];
beforeAll(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'snapshot-'));
});
afterEach(async () => {
  for (const c of cores.splice(0)) await c.close();
  vi.restoreAllMocks();
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
let dirs = 0;
const freshDir = (): string => path.join(root, `d${++dirs}`);
const OFFICER: OperatorRef = { username: 'wang', displayName: '王警官', role: 'officer' };

async function start(dataDir: string): Promise<RunningCore> {
  logs = [];
  const note = (...a: unknown[]): void => void logs.push(a.map(String).join(' '));
  vi.spyOn(console, 'log').mockImplementation(note);
  vi.spyOn(console, 'warn').mockImplementation(note);
  const core = await startCore(loadConfig(['--port', '0', '--data-dir', dataDir], {}, path.join(root, 'dist')));
  cores.push(core);
  return core;
}
async function stop(core: RunningCore): Promise<void> {
  cores.splice(cores.indexOf(core), 1);
  await core.close();
}

let n = 0;
/** Alarms from several terminals, some acknowledged, some pressed again, some resolved. */
function activity(core: RunningCore, count: number): void {
  const st = core.station;
  for (let i = 0; i < count; i++) {
    const deviceId = `T-${i % 5}`;
    const a = st.terminals.receiveAlarm(deviceId, { alarmId: `a${++n}`, kind: i % 3 === 0 ? 'fire' : 'panic', raisedAt: 1000 + n });
    if (!a.ok) throw new Error(JSON.stringify(a));
    st.terminals.receiveAlarm(deviceId, { alarmId: `r${n}`, kind: i % 3 === 0 ? 'fire' : 'panic', raisedAt: 1000 + n });
    if (i % 2 === 0) st.operators.acknowledge(OFFICER, a.incidentId);
    if (i % 4 === 0) st.operators.resolve(OFFICER, a.incidentId, 'false_alarm', 'checked');
  }
}
async function setUp(dir: string): Promise<RunningCore> {
  const core = await start(dir);
  core.station.registry.addSchool(school('s1'));
  for (let i = 0; i < 5; i++) await core.station.registry.addTerminal({ deviceId: `T-${i}`, schoolId: 's1', label: `门${i}` });
  return core;
}
/** The state a start from nothing would fold from the whole journal file. */
const coldFold = (dir: string): StationState => foldRecords(scanJournal(fs.readFileSync(path.join(dir, 'journal.jsonl'), 'utf8')).records);
const plain = (s: StationState): unknown =>
  JSON.parse(
    JSON.stringify({
      ...s,
      incidents: [...s.incidents],
      alarmIndex: [...s.alarmIndex],
      devices: [...s.devices],
      units: [...s.units],
      assignments: [...s.assignments],
    }),
  );

/** Edits the snapshot's lines (header, sections) and writes it back with a checksum that holds again. */
function rewriteSnapshot(dir: string, edit: (line: Record<string, unknown>) => void): void {
  const lines = fs.readFileSync(snapshotFile(dir), 'latin1').split('\n').slice(0, -2);
  const body = lines.map((l) => {
    const v = JSON.parse(l) as Record<string, unknown>;
    edit(v);
    return JSON.stringify(v) + '\n';
  });
  const sha256 = crypto.createHash('sha256').update(body.join(''), 'latin1').digest('hex');
  fs.writeFileSync(snapshotFile(dir), body.join('') + JSON.stringify({ end: true, sha256 }) + '\n', 'latin1');
}

async function consoleSees(core: RunningCore, password: string): Promise<{ first: string; live: JournalRecord[]; socket: Socket }> {
  const res = await fetch(`${core.url}api/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username: 'wang', password }),
  });
  const { session } = (await res.json()) as { session: string };
  const socket = connectClient(`${core.url}console`, { auth: { session, since: 0 }, transports: ['websocket'], reconnection: false, forceNew: true });
  const live: JournalRecord[] = [];
  socket.on('record', (r: JournalRecord) => live.push(r));
  const first = await new Promise<string>((resolve, reject) => {
    socket.once('records', () => resolve('records'));
    socket.once('snapshot', () => resolve('snapshot'));
    socket.once('connect_error', reject);
    setTimeout(() => reject(new Error('no records or snapshot in 5 s')), 5000);
  });
  return { first, live, socket };
}

describe('the state snapshot', () => {
  it('a console logging in after a start from the snapshot gets the state and then every new record', async () => {
    const dir = freshDir();
    let core = await setUp(dir);
    const password = await core.station.registry.addOperator({ username: 'wang', displayName: '王警官', role: 'officer' });
    activity(core, 10);
    await core.writeSnapshot();
    await stop(core);
    core = await start(dir);
    expect(logs.join('\n')).toMatch(/from the snapshot/);
    const c = await consoleSees(core, password);
    expect(c.first).toBe('snapshot');
    const a = core.station.terminals.receiveAlarm('T-3', { alarmId: 'after-restart', kind: 'violence', raisedAt: Date.now() });
    expect(a.ok).toBe(true);
    const until = Date.now() + 5000;
    while (!c.live.some((r) => r.event.type === 'alarm.received' && r.event.alarmId === 'after-restart') && Date.now() < until)
      await new Promise((r) => setTimeout(r, 20));
    expect(c.live.map((r) => r.event.type)).toContain('alarm.received');
    c.socket.close();
  });

  it('a restart folds only what came after the snapshot, into the state of the whole journal', async () => {
    const dir = freshDir();
    let core = await setUp(dir);
    activity(core, 40);
    await core.writeSnapshot();
    expect(fs.existsSync(snapshotFile(dir))).toBe(true);
    const at = core.station.ledger.state.seq;
    activity(core, 12);
    const statuses = new Map(core.station.ledger.statuses);
    await stop(core);

    core = await start(dir);
    expect(logs.join('\n')).toMatch(new RegExp(`from the snapshot at seq ${at} and \\d+ read after it`));
    expect(plain(core.station.ledger.state)).toEqual(plain(coldFold(dir)));
    // Not only its JSON: the very maps and objects (an absent field is absent, not undefined, in both).
    const cold = coldFold(dir);
    for (const k of ['incidents', 'alarmIndex', 'devices', 'units', 'assignments'] as const) expect(core.station.ledger.state[k], k).toEqual(cold[k]);
    expect(new Map(core.station.ledger.statuses)).toEqual(statuses);
    // And it goes on: ids are not reused, a pressed-again alarm joins its open incident.
    activity(core, 3);
    expect(plain(core.station.ledger.state)).toEqual(plain(coldFold(dir)));
  });

  it('keeps the response targets changed before it: a start from it judges the statistics by them (issue 12)', async () => {
    const dir = freshDir();
    let core = await setUp(dir);
    const ADMIN: OperatorRef = { username: 'root', displayName: '管理员', role: 'admin' };
    const CHIEF: OperatorRef = { username: 'zhang', displayName: '张所长', role: 'chief' };
    expect(core.station.admin.setTargets(ADMIN, { ...DEFAULT_TARGETS, acknowledgeMs: 1 })).toEqual({ ok: true });
    const changes = [...core.station.ledger.targetChanges];
    expect(changes.map((c) => c.targets.acknowledgeMs)).toEqual([1]);
    activity(core, 4);
    await core.writeSnapshot();
    activity(core, 1);
    await stop(core);
    core = await start(dir);
    expect(logs.join('\n')).toMatch(/from the snapshot at seq/);
    expect(core.station.ledger.targetChanges).toEqual(changes);
    expect(core.station.stats.targets().map((c) => c.targets.acknowledgeMs)).toEqual([DEFAULT_TARGETS.acknowledgeMs, 1]);
    expect((await core.station.stats.query(CHIEF, { from: 0, to: 1, class: 'real', groupBy: 'none' })).ok).toBe(true);
  });

  it('writes what the state was when it was taken, while commits go on during the write', async () => {
    const dir = freshDir();
    const core = await setUp(dir);
    activity(core, 20);
    const c = capture(core.station.ledger.journal, core.station.ledger.state, core.station.ledger.statuses, Date.now());
    const before = plain(core.station.ledger.state);
    // Each slice of the write lets more commits happen.
    await writeSnapshot(dir, c, async () => activity(core, 1));
    const loaded = loadSnapshot(dir, path.join(dir, 'journal.jsonl'))!;
    expect(loaded.anchor.seq).toBe(c.header.anchor.seq);
    expect(plain(loaded.state)).toEqual(before);
  });

  it('sets aside a snapshot whose checksum fails, or that does not fit the journal, and reads the whole journal', async () => {
    for (const damage of ['checksum', 'journal cut', 'other journal', 'a record, checksum held', 'an older format'] as const) {
      const dir = freshDir();
      let core = await setUp(dir);
      activity(core, 10);
      await core.writeSnapshot();
      activity(core, 5);
      await stop(core);
      const journal = path.join(dir, 'journal.jsonl');
      if (damage === 'checksum') {
        const text = fs.readFileSync(snapshotFile(dir), 'utf8');
        fs.writeFileSync(snapshotFile(dir), text.replace('"panic"', '"fire"'));
      } else if (damage === 'journal cut') {
        const lines = fs.readFileSync(journal, 'utf8').split('\n');
        fs.writeFileSync(journal, lines.slice(0, 8).join('\n') + '\n');
        fs.rmSync(path.join(dir, 'journal.jsonl.watermark'));
      } else if (damage === 'a record, checksum held') {
        // Written by a faulty version, say: the checksum holds, the record does not (a reference past the table).
        let done = false;
        rewriteSnapshot(dir, (l) => {
          if (l.s !== 'incidents' || done) return;
          (l.v as unknown[][])[0]![2] = 1e6;
          done = true;
        });
      } else if (damage === 'an older format') {
        rewriteSnapshot(dir, (l) => {
          if (l.format) l.format = 'station-snapshot/4';
        });
      } else {
        // The same length, another history: the record at the anchor has another hash.
        const text = fs.readFileSync(journal, 'utf8');
        fs.writeFileSync(journal, text.replace(/"hash":"[0-9a-f]{4}/g, '"hash":"0000'));
      }
      core = await start(dir);
      expect(logs.join('\n'), damage).toMatch(/the state snapshot cannot be used/);
      if (damage === 'a record, checksum held') expect(logs.join('\n')).toMatch(/line \d+: a reference outside the table/);
      if (damage === 'an older format') expect(logs.join('\n')).toMatch(/not a station-snapshot\/6 file/);
      expect(logs.join('\n'), damage).toMatch(/records read in/);
      expect(plain(core.station.ledger.state), damage).toEqual(plain(coldFold(dir)));
      expect(fs.existsSync(snapshotFile(dir)), damage).toBe(false);
      expect(
        fs.readdirSync(dir).some((f) => f.startsWith('journal.snapshot.unusable-')),
        damage,
      ).toBe(true);
      await stop(core);
    }
  });

  it('a bad record before the snapshot is still reported after a start from it', async () => {
    const dir = freshDir();
    let core = await setUp(dir);
    activity(core, 5);
    await stop(core);
    const journal = path.join(dir, 'journal.jsonl');
    const lines = fs.readFileSync(journal, 'utf8').split('\n');
    lines[3] = '{"seq": "damaged';
    fs.writeFileSync(journal, lines.join('\n'));
    core = await start(dir);
    const problems = core.station.ledger.journal.problems.filter((p) => p.kind === 'bad_record');
    expect(problems.length).toBeGreaterThan(0);
    activity(core, 3);
    await core.writeSnapshot();
    await stop(core);
    core = await start(dir);
    expect(logs.join('\n')).toMatch(/from the snapshot/);
    expect(core.station.ledger.journal.problems.filter((p) => p.kind === 'bad_record')).toEqual(problems);
  });
});

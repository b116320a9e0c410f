// Backup and restore of a running station (issue 14, item 5; docs/backup.md): `npm run station -- backup` taken
// while terminals press and officers acknowledge → the data folder wiped → `restore` → `verify` passes and a core
// started on the folder has the same incidents, a new journal id, and goes on with a valid chain. The core's own
// daily backup taken under load; restore into a folder a running core uses is refused.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../main/config';
import { BackupScheduler, pruneBackups, readBackup } from '../../main/core/backup';
import { scanJournalFile } from '../../main/core/journal';
import { startCore } from '../../main/server';
import { foldRecords } from '../../shared/incidentFold';
import type { JournalRecord } from '../../shared/events';
import { ask, connect, OFFICER, ROOT, sleep, START_TIMEOUT, startTestCore, terminalAuth, validAlarm, waitFor, type TestCore } from './support';

let cli = '';
let tmp = '';

/** The station CLI (tools/stationCli.ts) bundled whole into the temp folder: it runs as `npm run station` would. */
beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'station-backup-'));
  cli = path.join(tmp, 'stationCli.mjs');
  await build({
    entryPoints: [path.join(ROOT, 'tools', 'stationCli.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile: cli,
    logLevel: 'warning',
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  });
}, 60_000);
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

interface Run {
  code: number | null;
  out: string;
}
/** Runs the CLI without blocking this process (the core under test runs here and must go on answering). */
function station(dataDir: string, ...args: string[]): Promise<Run> {
  const env = { ...process.env };
  delete env.STATION_DATA_DIR;
  const child = spawn(process.execPath, [cli, '--data-dir', dataDir, ...args], { cwd: ROOT, env });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, out })));
}

/** Terminals pressing alarms and an officer acknowledging and resolving, until stopped. */
function busyStation(t: TestCore, terminals: Socket[]): { stop(): Promise<number> } {
  let going = true;
  let presses = 0;
  const press = async (s: Socket): Promise<void> => {
    while (going) {
      const r = (await ask(s, 'alarm', validAlarm({ kind: presses % 5 === 0 ? 'violence' : 'panic' }))) as { ok: boolean };
      if (r.ok) presses++;
      await sleep(15);
    }
  };
  const officer = async (): Promise<void> => {
    while (going) {
      for (const inc of [...t.core.station.ledger.state.incidents.values()].slice(-20)) {
        if (inc.state === 'received') t.core.station.operators.acknowledge(OFFICER, inc.id);
        else if (inc.state === 'acknowledged') t.core.station.operators.resolve(OFFICER, inc.id, 'false_alarm', '误报，已核实');
      }
      await sleep(40);
    }
  };
  const all = [...terminals.map(press), officer()];
  return {
    async stop() {
      going = false;
      await Promise.all(all);
      return presses;
    },
  };
}

describe('backup → wipe → restore of a running station', () => {
  let t: TestCore;
  let terminals: Socket[] = [];
  beforeAll(async () => {
    t = await startTestCore();
    terminals = await Promise.all(t.creds.terminals.slice(0, 6).map((c) => connect(t.url, '/terminal', terminalAuth(c))));
  }, START_TIMEOUT);
  afterAll(async () => {
    for (const s of terminals) s.close();
    await t?.close();
  });

  it('gives the same incidents, a valid hash chain, and a journal that goes on', async () => {
    const busy = busyStation(t, terminals);
    await waitFor('some records', () => t.core.station.journal.lastSeq >= 40, 10_000);
    const file = path.join(tmp, 'running.tar.gz');
    const seqAtStart = t.core.station.journal.lastSeq;
    const b = await station(t.dataDir, 'backup', file);
    const seqAtEnd = t.core.station.journal.lastSeq;
    await sleep(200);
    const presses = await busy.stop();
    expect(b.code, b.out).toBe(0);
    expect(b.out).toMatch(/not backed up: session-key/);
    const manifest = await readBackup(file);
    const m = manifest.journal.lastSeq;
    // Taken while the journal grew: a point between the start and the end of the command, and records after it.
    expect(m).toBeGreaterThanOrEqual(seqAtStart);
    expect(m).toBeLessThanOrEqual(seqAtEnd);
    expect(t.core.station.journal.lastSeq).toBeGreaterThan(m);
    expect(presses).toBeGreaterThan(20);
    expect(manifest.files.map((f) => f.name).sort()).toEqual(['demo-credentials.json', 'demo-registry.json']);

    // What the station held at the backup's point: the first m records of its journal, folded.
    const journal = path.join(t.dataDir, 'journal.jsonl');
    const records: JournalRecord[] = [];
    scanJournalFile(journal, (r) => void (r.seq <= m && records.push(r)));
    const expected = foldRecords(records);
    expect(expected.incidents.size).toBeGreaterThanOrEqual(6);
    expect([...expected.incidents.values()].some((i) => i.state === 'resolved')).toBe(true);
    const oldJournalId = t.core.station.journal.journalId;

    // The station is lost: its folder wiped.
    for (const s of terminals) s.close();
    terminals = [];
    await t.core.close();
    fs.rmSync(t.dataDir, { recursive: true, force: true });

    const r = await station(t.dataDir, 'restore', file);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toMatch(new RegExp(`${m} journal records`));
    const v = await station(t.dataDir, 'verify');
    expect(v.code, v.out).toBe(0);
    expect(v.out).toMatch(new RegExp(`journal OK: ${m} records, seq 1–${m}, hash chain intact`));

    // A core on the restored folder: the same incidents, a new journal id, no problem reported.
    const config = loadConfig(['--demo', '--port', '0', '--data-dir', t.dataDir], { STATION_HEARTBEAT_MS: '30000' }, path.join(ROOT, 'dist'));
    const core = await startCore(config);
    try {
      expect(core.station.journal.problems).toEqual([]);
      expect(await core.station.journal.chainChecked).toBeUndefined();
      expect(core.station.journal.lastSeq).toBe(m);
      expect(core.station.journal.journalId).not.toBe(oldJournalId);
      expect([...core.station.ledger.state.incidents.entries()]).toEqual([...expected.incidents.entries()]);
      // A terminal presses on the restored station: a new incident, numbered after every restored one.
      const s = await connect(core.url.replace(/\/$/, ''), '/terminal', terminalAuth(t.creds.terminals[10]!));
      try {
        expect(await ask(s, 'alarm', validAlarm())).toMatchObject({ ok: true });
      } finally {
        s.close();
      }
      const fresh = [...core.station.ledger.state.incidents.keys()].filter((id) => !expected.incidents.has(id));
      expect(fresh).toHaveLength(1);
      expect(core.station.journal.lastSeq).toBeGreaterThan(m);
    } finally {
      await core.close();
    }
    const after = await station(t.dataDir, 'verify');
    expect(after.code, after.out).toBe(0);
  }, 90_000);
});

describe('the daily backup in the core, and a folder in use', () => {
  let t: TestCore;
  let backups: string;
  beforeAll(async () => {
    backups = fs.mkdtempSync(path.join(os.tmpdir(), 'station-daily-'));
    t = await startTestCore({ env: { STATION_BACKUP_DIR: backups, STATION_BACKUP_KEEP: '2', STATION_BACKUP_AT: '00:00' } });
  }, START_TIMEOUT);
  afterAll(async () => {
    await t?.close();
    fs.rmSync(backups, { recursive: true, force: true });
  });

  it('is taken under load up to the core’s durable position, and reported in its status', async () => {
    expect(t.core.backups?.status()).toMatchObject({ dir: backups, at: '00:00', keep: 2 });
    const terminals = await Promise.all(t.creds.terminals.slice(0, 3).map((c) => connect(t.url, '/terminal', terminalAuth(c))));
    const busy = busyStation(t, terminals);
    try {
      await waitFor('some records', () => t.core.station.journal.lastSeq >= 15, 10_000);
      await t.core.backups!.runNow();
    } finally {
      await busy.stop();
      for (const s of terminals) s.close();
    }
    const status = t.core.backups!.status();
    expect(status.lastError).toBeUndefined();
    expect(status.last?.records).toBeGreaterThanOrEqual(15);
    const manifest = await readBackup(status.last!.file);
    expect(manifest.journal.records).toBe(status.last!.records);
    expect(manifest.journal.journalId).toBe(t.core.station.journal.journalId);
    expect(fs.readdirSync(backups)).toEqual([path.basename(status.last!.file)]);
  }, 60_000);

  it('a manual `backup FOLDER` is named apart: the daily backup neither counts it (it still runs that day) nor deletes it', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'station-manual-'));
    try {
      const b = await station(t.dataDir, 'backup', dir);
      expect(b.code, b.out).toBe(0);
      const [manual, ...others] = fs.readdirSync(dir);
      expect(others).toEqual([]);
      expect(manual).toMatch(/^station-backup-manual-\d{8}-\d{6}\.tar\.gz$/);
      expect(b.out).toContain(path.join(dir, manual!));
      const s = new BackupScheduler(t.dataDir, { dir, at: '00:00', keep: 1 }, () => ({}), { log: () => undefined });
      expect(s.due(Date.now())).toBe(true);
      await s.tick();
      expect(s.status().lastError).toBeUndefined();
      const daily = path.basename(s.status().last!.file);
      expect(daily).toMatch(/^station-backup-\d{8}-\d{6}\.tar\.gz$/);
      // Older daily backups beyond keep=1 go; the manual one stays.
      fs.writeFileSync(path.join(dir, 'station-backup-20200101-033000.tar.gz'), 'old');
      expect(pruneBackups(dir, 1)).toEqual(['station-backup-20200101-033000.tar.gz']);
      expect(fs.readdirSync(dir).sort()).toEqual([daily, manual].sort());
      await s.close();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('restore into the folder of the running core is refused, even with --force, and changes nothing', async () => {
    const file = t.core.backups!.status().last!.file;
    const before = fs.readdirSync(t.dataDir).sort();
    const size = fs.statSync(path.join(t.dataDir, 'journal.jsonl')).size;
    const r = await station(t.dataDir, 'restore', file, '--force');
    expect(r.code).toBe(2);
    expect(r.out).toMatch(new RegExp(`error: a running station core \\(process ${process.pid}\\) uses`));
    expect(fs.readdirSync(t.dataDir).sort()).toEqual(before);
    expect(fs.statSync(path.join(t.dataDir, 'journal.jsonl')).size).toBe(size);
    expect(fs.readdirSync(path.dirname(t.dataDir)).filter((n) => n.startsWith(`${path.basename(t.dataDir)}.before-restore`))).toEqual([]);
    // verify-backup reads it whole without restoring.
    const v = spawnSync(process.execPath, [cli, 'verify-backup', file], { cwd: ROOT, encoding: 'utf8' });
    expect(v.status, v.stderr).toBe(0);
    expect(v.stdout).toMatch(/^backup OK/);
  }, 60_000);
});

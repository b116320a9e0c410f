// test/unit/main — backup and restore of a data folder (main/core/backup.ts): a backup while the journal grows,
// restore into a new, an empty and (with force) a used folder, every hostile archive refused with nothing changed, a
// folder held by a running core refused, the daily schedule and its retention, and the configuration.
import crypto from 'node:crypto';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  BackupError,
  BackupScheduler,
  backupFileName,
  backupTarget,
  ChainCheck,
  JOURNAL_RECORD_MAX_BYTES,
  createBackup,
  MANIFEST_NAME,
  pruneBackups,
  readBackup,
  restoreBackup,
  tarHeader,
  type BackupManifest,
} from '../../../main/core/backup';
import { openJournal, scanJournal, type Journal } from '../../../main/core/journal';
import { emptyRegistryData, writeRegistryFile } from '../../../main/core/registryFile';
import { loadConfig } from '../../../main/config';
import { fromZoned } from '../../../shared/duty';
import type { StationEvent } from '../../../shared/events';

const T0 = Date.UTC(2026, 10, 30, 2, 0, 0);
const alarm = (n: number): StationEvent => ({
  type: 'alarm.received',
  at: T0 + n,
  incidentId: `20261130-${String(n).padStart(4, '0')}`,
  deviceId: 'dev-1',
  schoolId: 'school-1',
  alarmId: `a${n}`,
  kind: 'panic',
  drill: false,
  note: `第${n}号报警`,
  raisedAt: T0 + n - 100,
});

/** A station's settings file (station-settings.json in its data folder): without it a restored station starts on defaults. */
const SETTINGS = `${JSON.stringify(
  {
    port: 8743,
    host: '0.0.0.0',
    tls: { cert: '/etc/school-alarm-station/tls/server.crt', key: '/etc/school-alarm-station/tls/server.key' },
    timeZone: 'Asia/Shanghai',
    mapSource: { kind: 'url', url: 'https://tiles.police.lan/{z}/{x}/{y}.png' },
    volumes: { alarm: 90, drill: 70, fault: 60, link: 90 },
  },
  null,
  2,
)}\n`;

let root: string;
let dataDir: string;
const journals: Journal[] = [];

/** A data folder as a station leaves it: journal, registry, session key and sessions, a snapshot, a torn fragment. */
function makeStation(dir: string, records: number): Journal {
  const j = openJournal(dir);
  journals.push(j);
  for (let n = 1; n <= records; n++) j.append(alarm(n));
  writeRegistryFile(path.join(dir, 'registry.json'), { ...emptyRegistryData('测试派出所'), schools: [] });
  fs.writeFileSync(path.join(dir, 'session-key'), crypto.randomBytes(32).toString('base64'));
  fs.writeFileSync(path.join(dir, 'sessions.json'), '{"version":1,"sessions":[]}');
  fs.writeFileSync(path.join(dir, 'journal.snapshot'), 'not really a snapshot\n');
  fs.writeFileSync(path.join(dir, 'initial-admin-password.txt'), 'username: admin\npassword: secret\n');
  fs.writeFileSync(path.join(dir, 'station-settings.json'), SETTINGS);
  return j;
}

/** Every file under `dir` with its sha256 (what "changes nothing" compares). */
function tree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (!fs.existsSync(dir)) return out;
  for (const e of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    const p = path.join(e.parentPath, e.name);
    out[path.relative(dir, p)] = e.isFile() ? crypto.hash('sha256', fs.readFileSync(p), 'hex') : 'dir';
  }
  return out;
}

/** The entries of a gzip'd tar, read plainly (the test's own reader). */
function untar(file: string): { name: string; data: Buffer }[] {
  const tar = zlib.gunzipSync(fs.readFileSync(file));
  const out: { name: string; data: Buffer }[] = [];
  for (let off = 0; off + 512 <= tar.length;) {
    const h = tar.subarray(off, off + 512);
    if (h.every((b) => b === 0)) break;
    const name = h.toString('utf8', 0, 100).replace(/\0.*$/s, '');
    const size = parseInt(h.toString('utf8', 124, 136).replace(/\0.*$/s, '').trim(), 8);
    out.push({ name, data: Buffer.from(tar.subarray(off + 512, off + 512 + size)) });
    off += 512 + Math.ceil(size / 512) * 512;
  }
  return out;
}

interface Entry {
  name: string;
  data: Buffer;
  type?: string;
  /** Size written in the header, when it is not the data's. */
  declared?: number;
}
const pack = (entries: Entry[], tail = Buffer.alloc(1024)): Buffer =>
  zlib.gzipSync(
    Buffer.concat([
      ...entries.flatMap((e) => [tarHeader(e.name, e.declared ?? e.data.length, T0, e.type), e.data, Buffer.alloc((512 - (e.data.length % 512)) % 512)]),
      tail,
    ]),
  );
const sha = (b: Buffer): string => crypto.hash('sha256', b, 'hex');
const fail = (e: Error): never => {
  throw e;
};

beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'backup-test-'));
  dataDir = path.join(root, 'data');
});
afterEach(() => {
  for (const j of journals.splice(0)) j.close();
  fs.rmSync(root, { recursive: true, force: true });
});

describe('backup', () => {
  it('holds the journal, the registry, the settings file and a manifest; leaves the secrets and derived files out', async () => {
    makeStation(dataDir, 20);
    const r = await createBackup(dataDir, path.join(root, 'b.tar.gz'));
    expect(r.manifest.journal).toMatchObject({ records: 20, lastSeq: 20, bytes: fs.statSync(path.join(dataDir, 'journal.jsonl')).size });
    expect(r.manifest.stationName).toBe('测试派出所');
    expect(r.manifest.stationVersion).toMatch(/^\d+\.\d+\.\d+$/);
    const names = untar(r.file).map((e) => e.name);
    expect(names).toEqual([MANIFEST_NAME, 'journal.jsonl', 'registry.json', 'station-settings.json']);
    expect(untar(r.file).at(-1)!.data.toString('utf8')).toBe(SETTINGS);
    expect(Object.keys(r.leftOut).sort()).toEqual(
      ['initial-admin-password.txt', 'journal-id', 'journal.jsonl.watermark', 'journal.snapshot', 'session-key', 'sessions.json'].sort(),
    );
    // A standard archive: tar lists it too.
    let tarOk = true;
    try {
      execFileSync('tar', ['--version'], { stdio: 'ignore' });
    } catch {
      tarOk = false;
    }
    if (tarOk) expect(execFileSync('tar', ['-tzf', r.file], { encoding: 'utf8' }).trim().split('\n')).toEqual(names);
    expect(fs.readdirSync(root).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });

  it('taken while records are appended, copies a whole, chain-valid prefix and says so in the manifest', async () => {
    const j = makeStation(dataDir, 2000);
    let n = 2000;
    let appending = true;
    const appender = (async () => {
      while (appending) {
        j.append(alarm(++n));
        await new Promise((r) => setImmediate(r));
      }
    })();
    const r = await createBackup(dataDir, path.join(root, 'b.tar.gz'));
    appending = false;
    await appender;
    expect(j.lastSeq).toBeGreaterThan(r.manifest.journal.lastSeq); // the journal went on growing
    const journal = untar(r.file)
      .find((e) => e.name === 'journal.jsonl')!
      .data.toString('utf8');
    const scan = scanJournal(journal);
    expect(scan.problems).toEqual([]);
    expect(scan.records.length).toBe(r.manifest.journal.records);
    expect(scan.records.at(-1)!.hash).toBe(r.manifest.journal.lastHash);
    // Exactly the journal's first bytes.
    expect(journal).toBe(fs.readFileSync(path.join(dataDir, 'journal.jsonl'), 'utf8').slice(0, journal.length));
  });

  it('takes the journal up to a given anchor (the core’s durable position), not what follows', async () => {
    const j = makeStation(dataDir, 10);
    const anchor = j.position();
    j.append(alarm(11));
    const r = await createBackup(dataDir, path.join(root, 'b.tar.gz'), { anchor, journalId: j.journalId });
    expect(r.manifest.journal).toMatchObject({ records: 10, lastHash: anchor.hash, journalId: j.journalId });
  });

  it('of a running core stops at its watermark (a record after it may be mid-append); of a stopped one takes every whole record', async () => {
    const j = makeStation(dataDir, 12);
    const mark = path.join(dataDir, 'journal.jsonl.watermark');
    // As if record 12 were still being appended: written to the file, the watermark not yet moved on.
    fs.writeFileSync(mark, JSON.stringify({ journalId: j.journalId, lastSeq: 11 }));
    expect((await createBackup(dataDir, path.join(root, 'a.tar.gz'))).manifest.journal.records).toBe(11);
    j.close();
    // Stopped after a power cut with a stale watermark: nothing is lost.
    expect((await createBackup(dataDir, path.join(root, 'b.tar.gz'))).manifest.journal.records).toBe(12);
  });

  it('without a settings file (a station on flags and environment only) holds none; refuses one that is not valid, naming the field', async () => {
    makeStation(dataDir, 3);
    fs.rmSync(path.join(dataDir, 'station-settings.json'));
    const r = await createBackup(dataDir, path.join(root, 'a.tar.gz'));
    expect(r.manifest.files.map((f) => f.name)).toEqual(['registry.json']);
    fs.writeFileSync(path.join(dataDir, 'station-settings.json'), '{"port":"8700"}');
    await expect(createBackup(dataDir, path.join(root, 'b.tar.gz'))).rejects.toThrow(new RegExp(`station-settings\\.json, field port: .*: no backup was made`));
    expect(fs.readdirSync(root).sort()).toEqual(['a.tar.gz', 'data']);
  });

  it('refuses a journal whose hash chain is broken, an existing output file, and a folder without a journal', async () => {
    const j = makeStation(dataDir, 5);
    j.close();
    const file = path.join(dataDir, 'journal.jsonl');
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('第3号报警', '第9号报警'));
    await expect(createBackup(dataDir, path.join(root, 'b.tar.gz'))).rejects.toThrow(/hash chain is broken at line 3/);
    expect(fs.readdirSync(root)).toEqual(['data']);
    fs.writeFileSync(path.join(root, 'exists.tar.gz'), 'x');
    await expect(createBackup(dataDir, path.join(root, 'exists.tar.gz'))).rejects.toThrow(/never overwrites/);
    await expect(createBackup(path.join(root, 'nothing'), path.join(root, 'c.tar.gz'))).rejects.toThrow(/no journal/);
  });
});

describe('the hash chain check', () => {
  it('refuses a line longer than a record can be, quickly, however it is cut (no re-joining of what waits)', () => {
    const check = new ChainCheck();
    expect(JOURNAL_RECORD_MAX_BYTES).toBeLessThan(3 * 1024 * 1024);
    const t0 = performance.now();
    const piece = Buffer.alloc(1024, 'x');
    for (let i = 0; i < 3 * 1024 && !check.done; i++) check.feed(piece);
    expect(performance.now() - t0).toBeLessThan(2000);
    expect(check.state.problem).toBe(`line 1: record too long at byte 0 (more than ${JOURNAL_RECORD_MAX_BYTES} bytes without a line end)`);
  });

  it('takes records cut across chunks anywhere, and says what waits', () => {
    const dir = path.join(root, 'j');
    const j = makeStation(dir, 40);
    j.close();
    const bytes = fs.readFileSync(path.join(dir, 'journal.jsonl'));
    for (const size of [1, 7, 300, 4096, bytes.length]) {
      const check = new ChainCheck();
      let took = 0;
      for (let off = 0; off < bytes.length - 10; off += size) took += check.feed(bytes.subarray(off, Math.min(off + size, bytes.length - 10)));
      expect(check.state.problem).toBeUndefined();
      expect(check.state.records).toBe(39);
      expect(took).toBe(check.state.bytes);
      expect(check.pending).toBe(bytes.length - 10 - took);
      took += check.feed(bytes.subarray(bytes.length - 10));
      expect([check.state.records, check.pending, took]).toEqual([40, 0, bytes.length]);
    }
  });
});

describe('restore', () => {
  let backup: string;
  let manifest: BackupManifest;
  beforeEach(async () => {
    const j = makeStation(dataDir, 30);
    ({ manifest } = await createBackup(dataDir, path.join(root, 'b.tar.gz'), { journalId: j.journalId }));
    backup = path.join(root, 'b.tar.gz');
  });

  it('into a new folder: the same journal, registry and settings, a valid chain, a new journal id, no secrets', async () => {
    const target = path.join(root, 'restored');
    const r = await restoreBackup(backup, target);
    expect(fs.readFileSync(path.join(target, 'journal.jsonl'))).toEqual(fs.readFileSync(path.join(dataDir, 'journal.jsonl')));
    expect(fs.readFileSync(path.join(target, 'registry.json'))).toEqual(fs.readFileSync(path.join(dataDir, 'registry.json')));
    expect(fs.readFileSync(path.join(target, 'station-settings.json'), 'utf8')).toBe(SETTINGS);
    expect(fs.readdirSync(target).sort()).toEqual(['journal-id', 'journal.jsonl', 'journal.jsonl.watermark', 'registry.json', 'station-settings.json']);
    // A core started on the restored folder listens where the old one did, with its TLS files (not in the backup).
    const config = loadConfig(['--data-dir', target], {}, path.join(os.tmpdir(), 'dist'));
    expect(config).toMatchObject({ port: 8743, host: '0.0.0.0', timeZone: 'Asia/Shanghai', tlsCert: '/etc/school-alarm-station/tls/server.crt' });
    expect(r.notes.join('\n')).toMatch(/TLS .*server\.crt.*not on this machine/);
    expect(r.journalId).not.toBe(manifest.journal.journalId);
    const j = openJournal(target);
    journals.push(j);
    expect(j.problems).toEqual([]);
    expect(j.lastSeq).toBe(30);
    expect(j.journalId).toBe(r.journalId);
    expect(j.incidentIdHighWater).toBe('20261130-0030');
    expect(fs.readdirSync(root).filter((n) => n.startsWith('.restore-'))).toEqual([]);
  });

  it('writes the watermark and the journal id durably (each fsync’d before the folder is)', async () => {
    const opened = new Map<number, string>();
    const synced: string[] = [];
    const open = fs.openSync.bind(fs);
    const fsync = fs.fsyncSync.bind(fs);
    vi.spyOn(fs, 'openSync').mockImplementation((...a: Parameters<typeof fs.openSync>) => {
      const fd = open(...a);
      opened.set(fd, path.basename(String(a[0])));
      return fd;
    });
    vi.spyOn(fs, 'fsyncSync').mockImplementation((fd) => {
      synced.push(opened.get(fd) ?? '?');
      fsync(fd);
    });
    try {
      await restoreBackup(backup, path.join(root, 'restored'));
    } finally {
      vi.restoreAllMocks();
    }
    expect(synced).toContain('journal.jsonl.watermark');
    expect(synced).toContain('journal-id');
    const staging = synced.findIndex((n) => n.startsWith('.restore-'));
    expect(synced.indexOf('journal.jsonl.watermark')).toBeLessThan(staging);
    expect(synced.indexOf('journal-id')).toBeLessThan(staging);
  });

  it('into an empty folder without --force; a folder with files only with force, which keeps them aside', async () => {
    const empty = path.join(root, 'empty');
    fs.mkdirSync(empty);
    await restoreBackup(backup, empty);
    expect(fs.existsSync(path.join(empty, 'journal.jsonl'))).toBe(true);

    const used = path.join(root, 'used');
    fs.mkdirSync(used);
    fs.writeFileSync(path.join(used, 'journal.jsonl.watermark'), JSON.stringify({ journalId: 'old', lastSeq: 99, lastIncidentId: '20261130-0099' }));
    fs.writeFileSync(path.join(used, 'note.txt'), 'keep me');
    const before = tree(used);
    await expect(restoreBackup(backup, used)).rejects.toThrow(/not empty.*--force/);
    expect(tree(used)).toEqual(before);
    const r = await restoreBackup(backup, used, { force: true, now: () => T0 });
    expect(r.keptAside).toBe(path.join(root, 'used.before-restore-20261130T020000Z'));
    expect(tree(r.keptAside!)).toEqual(before);
    // The incident ids the replaced journal gave out are never given out again.
    const j = openJournal(used);
    journals.push(j);
    expect(j.incidentIdHighWater).toBe('20261130-0099');
  });

  it('refuses a folder a running core holds (its journal open), even with force, and changes nothing', async () => {
    const before = tree(dataDir); // dataDir's journal is open in this process, as a core holds it
    await expect(restoreBackup(backup, dataDir, { force: true })).rejects.toThrow(new RegExp(`running station core \\(process ${process.pid}`));
    expect(tree(dataDir)).toEqual(before);
  });

  describe('without write access to the folder around the data folder (a service’s /var/lib, restored as its user)', () => {
    const eacces = (syscall: string, p: string): NodeJS.ErrnoException =>
      Object.assign(new Error(`EACCES: permission denied, ${syscall} '${p}'`), { code: 'EACCES', syscall, path: p });
    afterEach(() => {
      vi.restoreAllMocks();
      fs.chmodSync(path.join(root, 'lib'), 0o700);
    });

    it('is refused with the folder named and what to do (root or its owner), and nothing changes', async () => {
      // As /var/lib/school-alarm-station: a folder the user owns, inside one only root may write.
      const lib = path.join(root, 'lib');
      const target = path.join(lib, 'school-alarm-station');
      fs.mkdirSync(target, { recursive: true });
      fs.writeFileSync(path.join(target, 'registry.json'), '{"stationName":"old"}');
      const before = tree(lib);
      if (process.getuid?.() !== 0) fs.chmodSync(lib, 0o500);
      else vi.spyOn(fs, 'mkdtempSync').mockImplementation((prefix) => fail(eacces('mkdtemp', `${String(prefix)}XXXXXX`)));
      const e = await restoreBackup(backup, target, { force: true }).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(BackupError);
      const message = (e as Error).message;
      expect(message).toContain(`no write access to ${lib}`);
      expect(message).toMatch(/run the restore as root \(sudo\) or as the owner of/);
      expect(message).toMatch(/docs\/service\.md/);
      expect(message).toMatch(/nothing was changed/);
      fs.chmodSync(lib, 0o700);
      expect(tree(lib)).toEqual(before);
    });

    it('refused at the last step (the staging folder renamed into place) puts the old folder back', async () => {
      const lib = path.join(root, 'lib');
      const target = path.join(lib, 'school-alarm-station');
      fs.mkdirSync(target, { recursive: true });
      fs.writeFileSync(path.join(target, 'registry.json'), '{"stationName":"old"}');
      const before = tree(lib);
      const rename = fs.renameSync.bind(fs);
      vi.spyOn(fs, 'renameSync').mockImplementation((from, to) =>
        path.basename(String(from)).startsWith('.restore-') ? fail(eacces('rename', String(from))) : rename(from, to),
      );
      const e = await restoreBackup(backup, target, { force: true }).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(BackupError);
      expect((e as Error).message).toMatch(new RegExp(`no write access to ${lib.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}.*as root`));
      expect(tree(lib)).toEqual(before);
    });
  });

  describe('hostile archives are refused and change nothing', () => {
    const valid = (): Entry[] => untar(backup).map((e) => ({ name: e.name, data: e.data }));
    const withManifest = (entries: Entry[], edit: (m: BackupManifest) => void): Entry[] => {
      const m = JSON.parse(entries[0]!.data.toString('utf8')) as BackupManifest;
      edit(m);
      return [{ name: MANIFEST_NAME, data: Buffer.from(JSON.stringify(m)) }, ...entries.slice(1)];
    };
    const journalEdited = (): Entry[] => {
      const e = valid();
      const jr = e[1]!;
      jr.data = Buffer.from(jr.data.toString('utf8').replace('第7号报警', '第8号报警'));
      // A forger who fixes the sha256 and the size in the manifest: only the hash chain catches it.
      return withManifest(e, (m) => Object.assign(m.journal, { sha256: sha(jr.data), bytes: jr.data.length }));
    };
    /** The backup with its settings file replaced by `text`, the manifest's size and sha256 fixed to match. */
    const withSettings = (text: string): Buffer => {
      const e = valid();
      const i = e.findIndex((x) => x.name === 'station-settings.json');
      e[i]!.data = Buffer.from(text);
      return pack(
        withManifest(
          e,
          (m) =>
            (m.files[m.files.findIndex((f) => f.name === 'station-settings.json')] = {
              name: 'station-settings.json',
              bytes: e[i]!.data.length,
              sha256: sha(e[i]!.data),
            }),
        ),
      );
    };
    const cases: [string, () => Buffer, RegExp][] = [
      ['truncated', () => fs.readFileSync(backup).subarray(0, Math.floor(fs.statSync(backup).size / 2)), /truncated/],
      ['cut at the end of the tar (no end blocks)', () => pack(valid(), Buffer.alloc(0)), /truncated/],
      [
        'a damaged gzip byte',
        () => {
          const b = Buffer.from(fs.readFileSync(backup));
          b[Math.floor(b.length / 2)]! ^= 0xff;
          return b;
        },
        /damaged|truncated|sha256|chain|checksum|not JSON/,
      ],
      ['not gzip at all', () => Buffer.from('hello, this is not a backup'), /not a complete gzip/],
      ['an empty file', () => Buffer.alloc(0), /truncated|not a complete/],
      [
        'a journal byte changed (sha256)',
        () => {
          const e = valid();
          e[1]!.data = Buffer.from(e[1]!.data.toString('utf8').replace('第7号报警', '第8号报警'));
          return pack(e);
        },
        /sha256|chain/,
      ],
      ['a broken hash chain under a matching sha256', () => pack(journalEdited()), /hash chain is broken at line 7/],
      ['path traversal ../x', () => pack([...valid().slice(0, 1), { name: '../x', data: Buffer.from('x') }, ...valid().slice(1)]), /outside the data folder/],
      ['path traversal in a sub-path', () => pack([...valid().slice(0, 1), { name: 'a/../../x', data: Buffer.from('x') }]), /outside the data folder/],
      ['an absolute path', () => pack([...valid().slice(0, 1), { name: '/tmp/evil', data: Buffer.from('x') }]), /absolute path/],
      ['a Windows absolute path', () => pack([...valid().slice(0, 1), { name: 'C:\\evil', data: Buffer.from('x') }]), /absolute path/],
      ['a symlink', () => pack([...valid().slice(0, 1), { name: 'registry.json', data: Buffer.alloc(0), type: '2' }]), /not a regular file/],
      ['a folder entry', () => pack([...valid().slice(0, 1), { name: 'registry.json', data: Buffer.alloc(0), type: '5' }]), /not a regular file/],
      ['a pax header', () => pack([{ name: 'PaxHeader', data: Buffer.from('30 path=x\n'), type: 'x' }, ...valid()]), /pax/],
      ['an unknown file', () => pack([...valid(), { name: 'authorized_keys', data: Buffer.from('x') }]), /not part of a station backup/],
      ['a file twice', () => pack([...valid(), valid()[2]!]), /twice/],
      ['no manifest first', () => pack(valid().slice(1)), /does not start with MANIFEST/],
      ['a manifest that is not JSON', () => pack([{ name: MANIFEST_NAME, data: Buffer.from('{nope') }, ...valid().slice(1)]), /not JSON/],
      ['a manifest of another format', () => pack(withManifest(valid(), (m) => Object.assign(m, { format: 'other/9' }))), /format/],
      [
        'a huge declared size in the manifest',
        () => pack(withManifest(valid(), (m) => (m.journal.bytes = 8 ** 11 - 2))),
        /declares|free|not a station backup|bytes/,
      ],
      ['a huge manifest size in its header', () => pack([{ name: MANIFEST_NAME, data: Buffer.alloc(0), declared: 8 ** 11 - 1 }]), /declares/],
      ['a size above the manifest’s', () => pack(valid().map((e, i) => (i === 1 ? { ...e, declared: e.data.length + 512 } : e))), /declares/],
      ['a file the manifest lists but the archive lacks', () => pack(valid().slice(0, 2)), /lacks registry.json/],
      [
        'a registry that is not a registry',
        () => {
          const e = valid();
          e[2]!.data = Buffer.from('[]');
          return pack(withManifest(e, (m) => (m.files[0] = { name: 'registry.json', bytes: 2, sha256: sha(e[2]!.data) })));
        },
        /registry in the backup is refused/,
      ],
      [
        'a settings file that is not valid (a port that is a command)',
        () => withSettings('{"port":"8700; rm -rf /"}'),
        /settings file in the backup is refused: station-settings\.json, field port/,
      ],
      [
        'a settings file that reaches the prototype',
        () => withSettings('{"__proto__":{"host":"0.0.0.0"}}'),
        /settings file in the backup is refused: .*field __proto__/,
      ],
      ['a settings file with an unknown field', () => withSettings('{"host":"0.0.0.0","exec":"/bin/sh"}'), /field exec: unknown setting/],
      ['a settings file that is not JSON', () => withSettings('port=8700'), /settings file in the backup is refused: .*not JSON/],
      [
        'a settings file larger than a settings file can be',
        () => withSettings(`{"host":"${'x'.repeat(70_000)}"}`),
        /station-settings\.json declares \d+ bytes/,
      ],
      ['data after the end', () => pack(valid(), Buffer.concat([Buffer.alloc(1024), Buffer.from('extra')])), /after the end/],
      [
        'a journal line longer than a record can be (3 MiB without a line end)',
        () => {
          const e = valid();
          e[1]!.data = Buffer.concat([e[1]!.data, Buffer.alloc(3 * 1024 * 1024, 'x')]);
          return pack(withManifest(e, (m) => Object.assign(m.journal, { sha256: sha(e[1]!.data), bytes: e[1]!.data.length })));
        },
        /record too long at byte \d+/,
      ],
      [
        'a damaged header checksum',
        () => {
          const tar = zlib.gunzipSync(fs.readFileSync(backup));
          tar[0] = 'X'.charCodeAt(0);
          return zlib.gzipSync(tar);
        },
        /checksum/,
      ],
    ];

    it.each(cases)('%s', async (_what, make, message) => {
      const file = path.join(root, 'hostile.tar.gz');
      fs.writeFileSync(file, make());
      const parentBefore = fs.readdirSync(root).sort();
      // Into a new folder: it is not created.
      const fresh = path.join(root, 'fresh');
      const e1 = await restoreBackup(file, fresh).catch((e: unknown) => e);
      expect(e1).toBeInstanceOf(BackupError);
      expect((e1 as Error).message).toMatch(message);
      if (process.env.SHOW_REFUSALS) console.log(_what, '=>', (e1 as Error).message);
      expect(fs.existsSync(fresh)).toBe(false);
      expect(fs.readdirSync(root).sort()).toEqual(parentBefore);
      // Over a used folder with force: it is left as it was, nothing moved aside.
      const used = path.join(root, 'used');
      fs.mkdirSync(used);
      fs.writeFileSync(path.join(used, 'registry.json'), '{"stationName":"old"}');
      const before = tree(used);
      await expect(restoreBackup(file, used, { force: true })).rejects.toBeInstanceOf(BackupError);
      expect(tree(used)).toEqual(before);
      expect(fs.readdirSync(root).sort()).toEqual([...parentBefore, 'used'].sort());
      // And readBackup (verify-backup) says the same.
      await expect(readBackup(file)).rejects.toBeInstanceOf(BackupError);
    });
  });
});

describe('the daily backup', () => {
  it('keeps the N newest of its own files and never touches others, nor a manual backup (`backup FOLDER`)', () => {
    const dir = path.join(root, 'backups');
    fs.mkdirSync(dir);
    const names = [1, 2, 3, 4, 5].map((d) => backupFileName(Date.UTC(2026, 10, d, 19, 30), 'Asia/Shanghai'));
    for (const n of [...names].reverse()) fs.writeFileSync(path.join(dir, n), 'x');
    fs.writeFileSync(path.join(dir, 'notes.txt'), 'mine');
    fs.writeFileSync(path.join(dir, 'station-backup-manual.tar.gz'), 'mine too');
    const manual = backupTarget(dir, Date.UTC(2026, 10, 1, 1, 0), 'Asia/Shanghai');
    expect(path.dirname(manual)).toBe(dir);
    expect(path.basename(manual)).toBe('station-backup-manual-20261101-090000.tar.gz');
    fs.writeFileSync(manual, 'by hand, the oldest');
    expect(pruneBackups(dir, 3)).toEqual(names.slice(0, 2));
    expect(pruneBackups(dir, 1)).toEqual(names.slice(2, 4));
    expect(fs.readdirSync(dir).sort()).toEqual([names[4], 'notes.txt', 'station-backup-manual.tar.gz', path.basename(manual)].sort());
    // A file name is used as it is.
    expect(backupTarget(path.join(dir, 'usb.tar.gz'), T0)).toBe(path.join(dir, 'usb.tar.gz'));
  });

  it('runs on a day that already has a manual backup', async () => {
    const j = makeStation(dataDir, 2);
    const dir = path.join(root, 'backups');
    fs.mkdirSync(dir);
    const now = fromZoned(2026, 12, 1, 9, 0, 'Asia/Shanghai');
    await createBackup(dataDir, backupTarget(dir, now - 3600_000, 'Asia/Shanghai'), { anchor: j.position() });
    const s = new BackupScheduler(dataDir, { dir, at: '03:30', keep: 1 }, () => ({ anchor: j.position() }), {
      now: () => now,
      timeZone: 'Asia/Shanghai',
      log: () => undefined,
    });
    expect(s.due(now)).toBe(true);
    await s.tick();
    expect(fs.readdirSync(dir).sort()).toEqual(['station-backup-20261201-090000.tar.gz', 'station-backup-manual-20261201-080000.tar.gz']);
    await s.close();
  });

  it('runs once a day at its time on the station clock, then keeps the newest N', async () => {
    const j = makeStation(dataDir, 5);
    const dir = path.join(root, 'backups');
    fs.mkdirSync(dir);
    let now = fromZoned(2026, 12, 1, 3, 29, 'Asia/Shanghai');
    const logs: string[] = [];
    const s = new BackupScheduler(dataDir, { dir, at: '03:30', keep: 2 }, () => ({ anchor: j.position(), journalId: j.journalId }), {
      now: () => now,
      timeZone: 'Asia/Shanghai',
      log: (m) => logs.push(m),
      warn: (m) => logs.push(m),
    });
    expect(s.due(now)).toBe(false);
    for (let day = 1; day <= 4; day++) {
      now = fromZoned(2026, 12, day, 3, 31, 'Asia/Shanghai');
      expect(s.due(now)).toBe(true);
      await s.tick();
      expect(s.status().last?.file).toBe(path.join(dir, backupFileName(now, 'Asia/Shanghai')));
      now += 2 * 3600_000;
      expect(s.due(now)).toBe(false); // done today
      j.append(alarm(5 + day));
    }
    const kept = fs.readdirSync(dir).sort();
    expect(kept).toEqual([
      backupFileName(fromZoned(2026, 12, 3, 3, 31, 'Asia/Shanghai'), 'Asia/Shanghai'),
      backupFileName(fromZoned(2026, 12, 4, 3, 31, 'Asia/Shanghai'), 'Asia/Shanghai'),
    ]);
    expect((await readBackup(path.join(dir, kept[1]!))).journal.records).toBe(8);
    expect(logs.filter((l) => l.includes('deleted 1 older'))).toHaveLength(2);
    await s.close();
  });

  it('reports a failure in its status and logs it', async () => {
    makeStation(dataDir, 1);
    const logs: string[] = [];
    const s = new BackupScheduler(dataDir, { dir: path.join(root, 'missing'), at: '00:00', keep: 3 }, () => ({}), {
      log: (m) => logs.push(m),
      warn: (m) => logs.push(m),
    });
    await s.runNow();
    expect(s.status().lastError?.message).toMatch(/does not exist/);
    expect(logs[0]).toMatch(/^backup: FAILED/);
  });
});

describe('configuration', () => {
  const dist = path.join(os.tmpdir(), 'dist');
  it('is off unless a folder is set; flags win over STATION_BACKUP_*', () => {
    expect(loadConfig(['--data-dir', '/srv/a'], {}, dist).backup).toBeUndefined();
    expect(loadConfig(['--data-dir', '/srv/a'], { STATION_BACKUP_DIR: '/srv/b' }, dist).backup).toEqual({ dir: path.resolve('/srv/b'), at: '03:30', keep: 14 });
    expect(
      loadConfig(['--data-dir', '/srv/a', '--backup-at', '01:05', '--backup-keep', '3'], { STATION_BACKUP_DIR: '/srv/b', STATION_BACKUP_AT: '02:00' }, dist)
        .backup,
    ).toEqual({ dir: path.resolve('/srv/b'), at: '01:05', keep: 3 });
  });
  it('refuses a bad time, count or a folder inside the data folder, naming it', () => {
    const env = { STATION_BACKUP_DIR: '/srv/b' };
    expect(() => loadConfig(['--data-dir', '/srv/a', '--backup-at', '25:00'], env, dist)).toThrow(/HH:MM.*25:00/);
    expect(() => loadConfig(['--data-dir', '/srv/a', '--backup-keep', '0'], env, dist)).toThrow(/1–3650/);
    expect(() => loadConfig(['--data-dir', '/srv/a', '--backup-dir', '/srv/a/backups'], {}, dist)).toThrow(/outside the data folder/);
    expect(() => loadConfig(['--data-dir', '/srv/a', '--backup-at', '01:00'], {}, dist)).toThrow(/need a backup folder/);
  });
});

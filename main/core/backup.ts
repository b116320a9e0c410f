// main/core (Node) — backup and restore of a station's data folder (docs/backup.md), and the core's daily backup.
// One file: a gzip'd ustar archive whose first entry, MANIFEST.json, names every other entry with its size and sha256,
// and the journal's record count and last hash. A backup taken while the core appends copies the journal up to one
// complete, chain-checked record (the journal only ever grows; the bytes before a record never change), the registry
// as one atomic read (it is replaced by rename), and reads the archive back before it is put in place. A restore
// checks everything (names, types, sizes, sha256, the hash chain, the registry's schema) in a staging folder beside
// the target and only then moves it into place: a bad archive changes nothing. Secrets that are not needed to run the
// station again (the session key, live sessions, the first admin's password note) are left out.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import { z } from 'zod';
import { fromZoned, HHMM, zonedParts } from '../../shared/duty';
import { GENESIS, recordHash, type JournalAnchor } from './journalRead';
import { registryFileSchema } from './registryFile';
import { parseJsonFile } from './fileSchema';
import { parseSettingsText } from './settingsFile';
import { MAX_SETTINGS_FILE_BYTES, type StationSettings } from '../../shared/stationSettings';
import { DATA_FILES, SOCKET_FRAME_BYTES, STATION_TIME_ZONE } from './settings';

export const BACKUP_FORMAT = 'station-backup/1';
export const MANIFEST_NAME = 'MANIFEST.json';
/** A manifest is a few hundred bytes; more is not a manifest. */
const MANIFEST_MAX_BYTES = 1024 * 1024;
/** The largest entry a ustar header can declare (11 octal digits). */
export const ENTRY_MAX_BYTES = 8 ** 11 - 1;
/** The registry and the demo files are read whole; a registry of 5,000 schools is a few MiB. */
const SMALL_FILE_MAX_BYTES = 256 * 1024 * 1024;
/** Zeros tar writers pad an archive with after its end (GNU tar: to 10 KiB); beyond this it is not padding. */
const TRAILING_MAX_BYTES = 64 * 1024;
/** Left free on the target's disk besides what a restore writes. */
const FREE_MARGIN_BYTES = 64 * 1024 * 1024;
const CHUNK = 1024 * 1024;
/**
 * The longest journal line a check takes. The core journals what arrives in one socket frame at most
 * (SOCKET_FRAME_BYTES, 1 MiB: a training run's result is the largest), re-serialised with its seq and hash: a record
 * is well below twice that. A longer line is not a record (a hostile archive: 64 MiB of one byte gzips to 64 KiB)
 * and is refused before it is gathered.
 */
export const JOURNAL_RECORD_MAX_BYTES = 2 * SOCKET_FRAME_BYTES;

/** A backup or restore that cannot be done; nothing was changed. The message says why. */
export class BackupError extends Error {}

/**
 * The files copied besides the journal, when they exist (the demo's only in a demo folder; the settings file only when
 * the station has one in its data folder: port, host, TLS paths, time zone, map source, volumes).
 */
const COPIED = [DATA_FILES.registry, DATA_FILES.demoRegistry, DATA_FILES.demoCredentials, DATA_FILES.stationSettings] as const;

/**
 * Checks a copied file's text as the station reads it: the registries by their schema, the settings file by the
 * settings parser (the station refuses to start on one it refuses), the demo's credentials as JSON. Throws a
 * BackupError naming `file` (as the message shows it) and `where` it is (' in the backup', or '').
 */
function checkCopiedFile(name: string, text: string, file: string, where: string): StationSettings | { stationName?: string } {
  const refused = (what: string, e: unknown): BackupError => new BackupError(`the ${what}${where} is refused: ${(e as Error).message}`);
  if (name === DATA_FILES.demoCredentials) {
    try {
      return JSON.parse(text) as object;
    } catch {
      throw new BackupError(`${file}${where} is not JSON`);
    }
  }
  if (name === DATA_FILES.stationSettings) {
    try {
      return parseSettingsText(file, text);
    } catch (e) {
      throw refused('settings file', e);
    }
  }
  try {
    return parseJsonFile(file, text, registryFileSchema, () => undefined);
  } catch (e) {
    throw refused('registry', e);
  }
}
/** Files of a data folder that a backup leaves out on purpose, and why (printed by `backup`, docs/backup.md). */
export const LEFT_OUT: Readonly<Record<string, string>> = {
  [DATA_FILES.sessionKey]: 'secret: signs console sessions; a restored station makes a new one (everyone logs in again)',
  [DATA_FILES.sessions]: 'live console sessions: void without their key',
  [DATA_FILES.initialAdminPassword]: 'secret: a note of the first password (the registry keeps only its hash)',
  [DATA_FILES.snapshot]: 'derived from the journal: the restored core reads the journal and writes a new one',
  [DATA_FILES.journalId]: 'a restored journal gets a new id (consoles reload it instead of mixing two histories)',
  [`${DATA_FILES.journal}.watermark`]: 'rewritten by the restore from the journal it restores',
};
/** Names never reported as "not backed up": temporaries and the journal's torn fragments. */
const QUIET = (name: string): boolean => name.endsWith('.tmp') || name.startsWith(`${DATA_FILES.journal}.torn-`) || name.startsWith('.restore-');

// ---- the manifest

const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'must be a sha256 in hex');
const size = z.number().int().min(0).max(ENTRY_MAX_BYTES);
const fileEntry = z.strictObject({ name: z.string(), bytes: size, sha256: sha256Hex });
const manifestSchema = z.looseObject({
  format: z.literal(BACKUP_FORMAT),
  createdAt: z.string(),
  createdAtMs: z.number().int().positive(),
  stationVersion: z.string(),
  stationName: z.string().optional(),
  host: z.string().optional(),
  journal: z.strictObject({
    name: z.literal(DATA_FILES.journal),
    bytes: size,
    sha256: sha256Hex,
    records: z.number().int().min(0),
    lastSeq: z.number().int().min(0),
    lastHash: z.string().max(64),
    lastAt: z.number(),
    journalId: z.string().max(64).optional(),
    lastIncidentId: z.string().max(64).optional(),
  }),
  files: z.array(fileEntry).max(COPIED.length),
  leftOut: z.array(z.string()).optional(),
});
export type BackupManifest = z.infer<typeof manifestSchema>;

// ---- the hash chain, checked as bytes go by

/** Where a chain check of journal bytes stands. */
export interface ChainState {
  /** Bytes of complete records so far. */
  bytes: number;
  records: number;
  lastSeq: number;
  lastHash: string;
  /** The line of the last complete record. */
  lastLine: string;
  lastIncidentId?: string;
  /** The first thing wrong, with its line: nothing after it counts. */
  problem?: string;
}

/**
 * Checks journal lines as their bytes arrive (from a file or an archive), as the journal wrote them: each line
 * `{"seq":N,"event":…,"hash":H}` with N = the previous seq + 1 and H = sha256(previous hash + {"seq","event"}).
 * The same rule as main/core/journalRead.ts; written again here so that a check can stop at a byte offset and say
 * how many bytes of records it took.
 */
export class ChainCheck {
  readonly state: ChainState = { bytes: 0, records: 0, lastSeq: 0, lastHash: GENESIS, lastLine: '' };
  /** The bytes of the line being gathered (after the last newline), as they came: joined once, at its newline. */
  private rest: Buffer[] = [];
  private restBytes = 0;
  private line = 0;

  constructor(
    /** Stop after this seq (the records after it are not part of the copy). */
    private readonly stopAfterSeq = Infinity,
  ) {}

  get done(): boolean {
    return this.state.problem !== undefined || this.state.lastSeq >= this.stopAfterSeq;
  }

  /** Feeds bytes; returns how many of them belong to complete, checked records (the rest waits or is refused). */
  feed(chunk: Buffer): number {
    if (this.done) return 0;
    const before = this.state.bytes;
    let start = 0;
    for (let nl = chunk.indexOf(10); nl !== -1 && !this.done; nl = chunk.indexOf(10, start)) {
      if (this.tooLong(this.restBytes + nl - start)) break;
      const text = this.restBytes > 0 ? Buffer.concat([...this.rest, chunk.subarray(start, nl)]).toString('utf8') : chunk.toString('utf8', start, nl);
      this.take(text, this.restBytes + nl + 1 - start);
      this.rest = [];
      this.restBytes = 0;
      start = nl + 1;
    }
    if (!this.done && start < chunk.length && !this.tooLong(this.restBytes + chunk.length - start)) {
      this.rest.push(Buffer.from(chunk.subarray(start)));
      this.restBytes += chunk.length - start;
    }
    if (this.done) {
      this.rest = [];
      this.restBytes = 0;
    }
    return this.state.bytes - before;
  }

  /** Refuses a line of more than JOURNAL_RECORD_MAX_BYTES (it starts where the records taken end). */
  private tooLong(lineBytes: number): boolean {
    if (lineBytes <= JOURNAL_RECORD_MAX_BYTES) return false;
    this.state.problem = `line ${this.line + 1}: record too long at byte ${this.state.bytes} (more than ${JOURNAL_RECORD_MAX_BYTES} bytes without a line end)`;
    return true;
  }

  /** Bytes after the last newline (a record being written, or a torn one). */
  get pending(): number {
    return this.restBytes;
  }

  private take(text: string, bytes: number): void {
    this.line++;
    const s = this.state;
    const fail = (why: string): void => void (s.problem = `line ${this.line}: ${why}`);
    if (text.trim() === '') {
      s.bytes += bytes;
      return;
    }
    let seq: number;
    let hash: string;
    const cut = text.lastIndexOf(',"hash":"');
    if (text.startsWith('{"seq":') && text.endsWith('"}') && cut > 0) {
      seq = Number(text.slice(7, text.indexOf(',', 7)));
      hash = text.slice(cut + 9, -2);
      if (seq !== s.lastSeq + 1) return fail(`sequence ${text.slice(7, text.indexOf(',', 7))} after ${s.lastSeq}`);
      if (crypto.hash('sha256', `${s.lastHash}${text.slice(0, cut)}}`, 'hex') !== hash) {
        // Not as the journal writes it: check it the long way (JSON.stringify of what it says).
        let raw: unknown;
        try {
          raw = JSON.parse(text);
        } catch {
          return fail('not JSON');
        }
        if (recordHash(s.lastHash, seq, (raw as { event?: unknown }).event) !== hash)
          return fail(`record seq ${seq} does not match the hash chain (edited, inserted or removed records)`);
      }
    } else {
      let raw: { seq?: unknown; event?: unknown; hash?: unknown };
      try {
        raw = JSON.parse(text) as typeof raw;
      } catch {
        return fail('not JSON (damaged record)');
      }
      if (typeof raw !== 'object' || raw === null || typeof raw.seq !== 'number' || typeof raw.hash !== 'string') return fail('not a journal record');
      seq = raw.seq;
      hash = raw.hash;
      if (seq !== s.lastSeq + 1) return fail(`sequence ${seq} after ${s.lastSeq}`);
      if (recordHash(s.lastHash, seq, raw.event) !== hash) return fail(`record seq ${seq} does not match the hash chain (edited, inserted or removed records)`);
    }
    s.bytes += bytes;
    s.records++;
    s.lastSeq = seq;
    s.lastHash = hash;
    s.lastLine = text;
    if (text.includes('"type":"alarm.received"')) {
      const id = /"incidentId":"([^"]{1,64})"/.exec(text)?.[1];
      if (id) s.lastIncidentId = id;
    }
  }
}

/** The later of two incident ids (`YYYYMMDD-NNNN`): the journal never gives out an id at or below it again. */
export function laterIncidentId(a: string | undefined, b: string | undefined): string | undefined {
  const key = (id: string | undefined): [string, number] | undefined => {
    const m = id ? /^(\d{8})-(\d+)$/.exec(id) : null;
    return m ? [m[1]!, Number(m[2])] : undefined;
  };
  const ka = key(a);
  const kb = key(b);
  if (!ka) return kb ? b : undefined;
  if (!kb) return a;
  return ka[0] > kb[0] || (ka[0] === kb[0] && ka[1] >= kb[1]) ? a : b;
}

const yieldNow = (): Promise<void> => new Promise((r) => setImmediate(r));

/** Reads `file` from its start up to `limitBytes` through a chain check, yielding between chunks. */
async function checkJournalFile(file: string, limitBytes: number, stopAfterSeq: number): Promise<ChainState & { sha256: string }> {
  const check = new ChainCheck(stopAfterSeq);
  const fh = await fs.promises.open(file, 'r');
  const buf = Buffer.alloc(CHUNK);
  let pos = 0;
  try {
    while (pos < limitBytes && !check.done) {
      const { bytesRead } = await fh.read(buf, 0, Math.min(CHUNK, limitBytes - pos), pos);
      if (bytesRead === 0) break;
      pos += bytesRead;
      check.feed(buf.subarray(0, bytesRead));
      await yieldNow();
    }
  } finally {
    await fh.close();
  }
  if (check.state.problem) return { ...check.state, sha256: '' };
  // The sha256 of exactly the bytes taken (a second read: the bytes before a record never change).
  return { ...check.state, sha256: await sha256OfFile(file, check.state.bytes) };
}

async function sha256OfFile(file: string, bytes: number): Promise<string> {
  const h = crypto.createHash('sha256');
  if (bytes > 0) for await (const c of fs.createReadStream(file, { start: 0, end: bytes - 1, highWaterMark: CHUNK })) h.update(c as Buffer);
  return h.digest('hex');
}

// ---- ustar

/** One ustar header (a regular file unless `type` says otherwise; tests make hostile ones with it). */
export function tarHeader(name: string, bytes: number, mtimeMs: number, type = '0'): Buffer {
  const h = Buffer.alloc(512);
  const octal = (n: number, width: number): string =>
    `${Math.floor(n)
      .toString(8)
      .padStart(width - 1, '0')}\0`;
  h.write(name, 0, 100, 'utf8');
  h.write(octal(0o600, 8), 100);
  h.write(octal(0, 8), 108);
  h.write(octal(0, 8), 116);
  h.write(octal(bytes, 12), 124);
  h.write(octal(mtimeMs / 1000, 12), 136);
  h.write('        ', 148);
  h.write(type, 156);
  h.write('ustar\0', 257);
  h.write('00', 263);
  h.write('station', 265);
  h.write('station', 297);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
  return h;
}

const padding = (bytes: number): Buffer => Buffer.alloc((512 - (bytes % 512)) % 512);

interface ParsedHeader {
  name: string;
  bytes: number;
  type: string;
}

function parseHeader(h: Buffer): ParsedHeader {
  const text = (from: number, len: number): string => {
    const raw = h.subarray(from, from + len);
    const end = raw.indexOf(0);
    return raw.toString('utf8', 0, end === -1 ? len : end);
  };
  const num = (from: number, len: number, what: string): number => {
    if ((h[from]! & 0x80) !== 0) throw new BackupError(`the archive's ${what} field is in a form this station does not read`);
    const s = text(from, len).trim();
    if (!/^[0-7]*$/.test(s)) throw new BackupError(`the archive's ${what} field is not a number: the file is damaged`);
    return s === '' ? 0 : parseInt(s, 8);
  };
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 32 : h[i]!;
  if (num(148, 8, 'checksum') !== sum) throw new BackupError('an entry header of the archive is damaged (checksum)');
  if (text(257, 6) !== 'ustar') throw new BackupError('not a ustar archive');
  const prefix = text(345, 155);
  const name = prefix ? `${prefix}/${text(0, 100)}` : text(0, 100);
  return { name, bytes: num(124, 12, 'size'), type: String.fromCharCode(h[156]!) };
}

/** Refuses a name that is not one plain file name of the data folder, saying what is wrong with it. */
function checkName(name: string, allowed: ReadonlySet<string>): void {
  const shown = JSON.stringify(name.slice(0, 120));
  if (name === '') throw new BackupError('an entry of the archive has no name');
  if (name.startsWith('/') || name.startsWith('\\') || /^[A-Za-z]:/.test(name)) throw new BackupError(`refused: the archive holds an absolute path ${shown}`);
  if (name.split(/[\\/]/).includes('..')) throw new BackupError(`refused: the archive holds a path outside the data folder ${shown}`);
  if (/[\\/]/.test(name)) throw new BackupError(`refused: the archive holds a sub-folder path ${shown} (a backup has plain file names only)`);
  if (!allowed.has(name)) throw new BackupError(`refused: the archive holds a file ${shown} that is not part of a station backup`);
}

// ---- making a backup

export interface BackupSource {
  /** The journal's position to copy up to (the core's own: exactly its durable records); else what is on disk. */
  anchor?: JournalAnchor;
  journalId?: string;
  incidentIdHighWater?: string;
}

export interface BackupResult {
  file: string;
  manifest: BackupManifest;
  archiveBytes: number;
  ms: number;
  /** Files of the data folder not in the backup: name → why. */
  leftOut: Record<string, string>;
}

/** The station's version (package.json, found from the running script or the working folder); 'unknown' if not found. */
export function stationVersion(): string {
  const starts = [process.argv[1] ? path.dirname(process.argv[1]) : undefined, process.cwd()].filter((d): d is string => Boolean(d));
  for (const start of starts) {
    for (let dir = start, i = 0; i < 6; i++, dir = path.dirname(dir)) {
      try {
        const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
        if (pkg.name === 'school-alarm-console' && typeof pkg.version === 'string') return pkg.version;
      } catch {
        /* not here */
      }
    }
  }
  return 'unknown';
}

/** What the journal's watermark says (lastSeq, id, last incident id), or nothing when it cannot be read. */
function readWatermark(dataDir: string): { journalId?: string; lastSeq?: number; lastIncidentId?: string } {
  try {
    const w = JSON.parse(fs.readFileSync(path.join(dataDir, `${DATA_FILES.journal}.watermark`), 'utf8')) as Record<string, unknown>;
    return {
      ...(typeof w.journalId === 'string' ? { journalId: w.journalId } : {}),
      ...(Number.isSafeInteger(w.lastSeq) ? { lastSeq: w.lastSeq as number } : {}),
      ...(typeof w.lastIncidentId === 'string' ? { lastIncidentId: w.lastIncidentId } : {}),
    };
  } catch {
    return {};
  }
}

/** Writes a new file and fsyncs it (open, write, fsync, close): on the disk before the folder that names it is. */
function writeDurably(file: string, text: string): void {
  const fd = fs.openSync(file, 'wx', 0o600);
  try {
    const data = Buffer.from(text);
    let off = 0;
    while (off < data.length) off += fs.writeSync(fd, data, off);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

function fsyncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch {
    /* not possible on every platform (Windows): the rename is durable enough there */
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/**
 * Backs up `dataDir` into `outFile` (a new file; refused if it exists). Safe while a core runs and appends: the
 * journal is copied up to one complete record — the core's anchor when given (its durable position), else the
 * watermark's seq read before the file's length (records after it may still be being written) — and its chain is
 * checked; the archive is read back and checked before it gets its name.
 */
export async function createBackup(dataDir: string, outFile: string, source: BackupSource = {}, now: () => number = Date.now): Promise<BackupResult> {
  const t0 = Date.now();
  const journalFile = path.join(dataDir, DATA_FILES.journal);
  if (!fs.existsSync(journalFile)) throw new BackupError(`no journal at ${journalFile}: is ${dataDir} a station's data folder?`);
  if (fs.existsSync(outFile)) throw new BackupError(`${outFile} exists; a backup never overwrites a file`);
  const outDir = path.dirname(path.resolve(outFile));
  if (!fs.existsSync(outDir)) throw new BackupError(`the folder ${outDir} does not exist`);
  if (path.resolve(outDir) === path.resolve(dataDir)) throw new BackupError('a backup is not written into the data folder it backs up');

  // The journal: a point first (the watermark before the length), then the bytes up to it. A running core writes the
  // watermark after each append is durable, so every record up to its seq is whole in the file; one after it may be
  // in the middle of its append. The watermark of a stopped station may be stale (it is not fsync'd): then every
  // complete record is taken.
  const mark = source.anchor ? undefined : readWatermark(dataDir);
  const limit = source.anchor?.bytes ?? fs.statSync(journalFile).size;
  const running = source.anchor ? false : (coreHolding(dataDir) ?? [0]).length > 0;
  const stopAfter = source.anchor?.seq ?? (running && mark?.lastSeq !== undefined && mark.lastSeq > 0 ? mark.lastSeq : Infinity);
  const j = await checkJournalFile(journalFile, limit, stopAfter);
  if (j.problem)
    throw new BackupError(
      `the journal's hash chain is broken at ${j.problem}: no backup was made (npm run station -- verify names the record; copy the folder by hand to keep it as evidence)`,
    );
  if (source.anchor && (j.lastSeq !== source.anchor.seq || j.lastHash !== source.anchor.hash))
    throw new BackupError(`the journal file does not hold the core's records up to seq ${source.anchor.seq}: it was changed under the core`);
  let lastAt = 0;
  try {
    lastAt = (JSON.parse(j.lastLine || '{}') as { event?: { at?: number } }).event?.at ?? 0;
  } catch {
    /* checked above; cannot happen */
  }

  // The other files, each read at once (the registry is replaced by rename, so one read is one version).
  const files: { name: string; data: Buffer }[] = [];
  let stationName: string | undefined;
  for (const name of COPIED) {
    let data: Buffer;
    try {
      data = fs.readFileSync(path.join(dataDir, name));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw e;
    }
    try {
      const parsed = checkCopiedFile(name, data.toString('utf8'), path.join(dataDir, name), '');
      if (name === DATA_FILES.registry || name === DATA_FILES.demoRegistry) stationName ??= parsed.stationName;
    } catch (e) {
      throw new BackupError(`${(e as Error).message}: no backup was made`);
    }
    files.push({ name, data });
  }
  const leftOut: Record<string, string> = {};
  for (const name of fs.readdirSync(dataDir).sort()) {
    if (name === DATA_FILES.journal || files.some((f) => f.name === name) || QUIET(name)) continue;
    leftOut[name] = LEFT_OUT[name] ?? 'not part of a station backup (unknown to this version)';
  }

  const createdAtMs = now();
  const manifest: BackupManifest = {
    format: BACKUP_FORMAT,
    createdAt: new Date(createdAtMs).toISOString(),
    createdAtMs,
    stationVersion: stationVersion(),
    ...(stationName !== undefined ? { stationName } : {}),
    host: os.hostname(),
    journal: {
      name: DATA_FILES.journal,
      bytes: j.bytes,
      sha256: j.sha256,
      records: j.records,
      lastSeq: j.lastSeq,
      lastHash: j.lastHash,
      lastAt,
      ...((source.journalId ?? mark?.journalId) ? { journalId: source.journalId ?? mark?.journalId } : {}),
      ...(laterIncidentId(j.lastIncidentId, source.incidentIdHighWater ?? mark?.lastIncidentId)
        ? { lastIncidentId: laterIncidentId(j.lastIncidentId, source.incidentIdHighWater ?? mark?.lastIncidentId) }
        : {}),
    },
    files: files.map((f) => ({ name: f.name, bytes: f.data.length, sha256: crypto.hash('sha256', f.data, 'hex') })),
    leftOut: Object.keys(leftOut),
  };

  const tmp = path.join(outDir, `.${path.basename(outFile)}.${process.pid}.tmp`);
  try {
    const copied = crypto.createHash('sha256');
    async function* archive(): AsyncGenerator<Buffer> {
      const m = Buffer.from(JSON.stringify(manifest, null, 1));
      yield tarHeader(MANIFEST_NAME, m.length, createdAtMs);
      yield m;
      yield padding(m.length);
      yield tarHeader(DATA_FILES.journal, j.bytes, createdAtMs);
      if (j.bytes > 0)
        for await (const c of fs.createReadStream(journalFile, { start: 0, end: j.bytes - 1, highWaterMark: CHUNK })) {
          copied.update(c as Buffer);
          yield c as Buffer;
        }
      yield padding(j.bytes);
      for (const f of files) {
        yield tarHeader(f.name, f.data.length, createdAtMs);
        yield f.data;
        yield padding(f.data.length);
      }
      yield Buffer.alloc(1024);
    }
    await pipeline(Readable.from(archive()), zlib.createGzip({ level: 6 }), fs.createWriteStream(tmp, { flags: 'wx', mode: 0o600 }));
    if (copied.digest('hex') !== j.sha256)
      throw new BackupError('the journal changed while it was copied (its bytes before the last record must never change)');
    const fd = fs.openSync(tmp, 'r');
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    // Read back: what is on the disk is a backup that restores.
    await readBackup(tmp);
    if (fs.existsSync(outFile)) throw new BackupError(`${outFile} appeared while the backup was written; it was not overwritten`);
    fs.renameSync(tmp, outFile);
    fsyncDir(outDir);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
  return { file: outFile, manifest, archiveBytes: fs.statSync(outFile).size, ms: Date.now() - t0, leftOut };
}

// ---- reading a backup

interface ReadOptions {
  /** Write the entries into this (new, empty) folder; without it the archive is only checked. */
  extractTo?: string;
  /** Bytes free where it is extracted; the declared sizes must fit. */
  freeBytes?: number;
}

/**
 * Reads and checks a backup file from end to end: the gzip stream, every ustar header, each name (plain file names
 * of a backup only: no paths, no links), each size and sha256 against the manifest, the journal's hash chain, record
 * count and last hash, the registry's schema. Throws a BackupError naming the first thing wrong.
 */
export async function readBackup(file: string, opts: ReadOptions = {}): Promise<BackupManifest> {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch {
    throw new BackupError(`${file}: no such file`);
  }
  if (!stat.isFile()) throw new BackupError(`${file} is not a file`);
  const gunzip = zlib.createGunzip();
  const input = fs.createReadStream(file, { highWaterMark: CHUNK });
  input.on('error', (e) => gunzip.destroy(e));
  input.pipe(gunzip);

  let buf: Buffer = Buffer.alloc(0);
  let manifest: BackupManifest | undefined;
  const expected = new Map<string, { bytes: number; sha256: string }>();
  const seen = new Set<string>();
  const allowed = new Set<string>([MANIFEST_NAME, DATA_FILES.journal, ...COPIED]);
  // The entry being read.
  let entry: { name: string; left: number; pad: number; hash: crypto.Hash; fd?: number; chain?: ChainCheck; small?: Buffer[] } | undefined;
  let ended = false;
  let trailing = 0;

  const finishEntry = (): void => {
    const e = entry!;
    entry = undefined;
    if (e.fd !== undefined) {
      fs.fsyncSync(e.fd);
      fs.closeSync(e.fd);
    }
    const body = e.small ? Buffer.concat(e.small) : undefined;
    if (e.name === MANIFEST_NAME) {
      let raw: unknown;
      try {
        raw = JSON.parse(body!.toString('utf8'));
      } catch {
        throw new BackupError(`${MANIFEST_NAME} is not JSON: the file is damaged or not a station backup`);
      }
      const r = manifestSchema.safeParse(raw);
      if (!r.success) {
        const i = r.error.issues[0]!;
        throw new BackupError(`${MANIFEST_NAME}: ${i.path.join('.') || 'the manifest'}: ${i.message} (format ${BACKUP_FORMAT} expected)`);
      }
      manifest = r.data;
      expected.set(manifest.journal.name, { bytes: manifest.journal.bytes, sha256: manifest.journal.sha256 });
      for (const f of manifest.files) {
        checkName(f.name, new Set(COPIED));
        if (expected.has(f.name)) throw new BackupError(`${MANIFEST_NAME} lists ${f.name} twice`);
        expected.set(f.name, { bytes: f.bytes, sha256: f.sha256 });
      }
      if (manifest.journal.records !== manifest.journal.lastSeq) throw new BackupError(`${MANIFEST_NAME}: the journal's record count and last seq differ`);
      const total = [...expected.values()].reduce((s, x) => s + x.bytes, 0);
      if (opts.freeBytes !== undefined && total + FREE_MARGIN_BYTES > opts.freeBytes)
        throw new BackupError(`the backup declares ${total} bytes of files; only ${opts.freeBytes} bytes are free where it would be restored`);
      if (total > stat.size * 1100 + 1024 * 1024)
        throw new BackupError(`the backup declares ${total} bytes of files in a ${stat.size}-byte archive: not a station backup`);
      return;
    }
    const want = expected.get(e.name)!;
    const got = e.hash.digest('hex');
    if (got !== want.sha256) throw new BackupError(`${e.name}: its sha256 is not the manifest's: the backup is damaged`);
    if (e.chain) {
      const s = e.chain.state;
      if (s.problem) throw new BackupError(`the journal in the backup is refused: its hash chain is broken at ${s.problem}`);
      if (e.chain.pending > 0 || s.bytes !== want.bytes) throw new BackupError('the journal in the backup ends in an unfinished record');
      const m = manifest!.journal;
      if (s.records !== m.records || s.lastSeq !== m.lastSeq || s.lastHash !== m.lastHash)
        throw new BackupError(
          `the journal in the backup has ${s.records} records ending ${s.lastHash.slice(0, 12)}; the manifest says ${m.records} ending ${m.lastHash.slice(0, 12)}`,
        );
    }
    if (body) checkCopiedFile(e.name, body.toString('utf8'), e.name, ' in the backup');
  };

  const startEntry = (h: ParsedHeader): void => {
    if (h.type === 'x' || h.type === 'g') throw new BackupError('refused: the archive has extended (pax) headers; a station backup has none');
    if (h.type !== '0' && h.type !== '\0')
      throw new BackupError(`refused: the archive entry ${JSON.stringify(h.name.slice(0, 120))} is not a regular file (a link or a folder)`);
    checkName(h.name, allowed);
    if (seen.has(h.name)) throw new BackupError(`refused: the archive holds ${h.name} twice`);
    seen.add(h.name);
    if (!manifest && h.name !== MANIFEST_NAME) throw new BackupError(`the archive does not start with ${MANIFEST_NAME}: not a station backup`);
    if (h.name === MANIFEST_NAME) {
      if (h.bytes > MANIFEST_MAX_BYTES) throw new BackupError(`refused: ${MANIFEST_NAME} declares ${h.bytes} bytes`);
    } else {
      const want = expected.get(h.name);
      if (!want) throw new BackupError(`refused: the archive holds ${h.name}, which its manifest does not list`);
      if (h.bytes !== want.bytes) throw new BackupError(`refused: ${h.name} declares ${h.bytes} bytes, the manifest ${want.bytes}`);
      if (h.name !== DATA_FILES.journal && h.bytes > SMALL_FILE_MAX_BYTES) throw new BackupError(`refused: ${h.name} declares ${h.bytes} bytes`);
      if (h.name === DATA_FILES.stationSettings && h.bytes > MAX_SETTINGS_FILE_BYTES)
        throw new BackupError(`refused: ${h.name} declares ${h.bytes} bytes (a settings file is at most ${MAX_SETTINGS_FILE_BYTES})`);
    }
    entry = { name: h.name, left: h.bytes, pad: (512 - (h.bytes % 512)) % 512, hash: crypto.createHash('sha256') };
    if (h.name === DATA_FILES.journal) entry.chain = new ChainCheck();
    else entry.small = [];
    if (opts.extractTo && h.name !== MANIFEST_NAME) entry.fd = fs.openSync(path.join(opts.extractTo, h.name), 'wx', 0o600);
  };

  try {
    for await (const chunk of gunzip) {
      buf = buf.length > 0 ? Buffer.concat([buf, chunk as Buffer]) : (chunk as Buffer);
      for (;;) {
        if (ended) {
          if (buf.some((b) => b !== 0)) throw new BackupError('refused: data after the end of the archive');
          trailing += buf.length;
          if (trailing > TRAILING_MAX_BYTES) throw new BackupError('refused: more than padding after the end of the archive');
          buf = Buffer.alloc(0);
          break;
        }
        if (entry) {
          if (entry.left > 0) {
            if (buf.length === 0) break;
            const n = Math.min(entry.left, buf.length);
            const part = buf.subarray(0, n);
            entry.hash.update(part);
            entry.small?.push(Buffer.from(part));
            if (entry.chain) {
              entry.chain.feed(part);
              if (entry.chain.state.problem)
                throw new BackupError(`the journal in the backup is refused: its hash chain is broken at ${entry.chain.state.problem}`);
            }
            if (entry.fd !== undefined) {
              let off = 0;
              while (off < part.length) off += fs.writeSync(entry.fd, part, off);
            }
            entry.left -= n;
            buf = buf.subarray(n);
            continue;
          }
          if (buf.length < entry.pad) break;
          buf = buf.subarray(entry.pad);
          finishEntry();
          continue;
        }
        if (buf.length < 512) break;
        const h = buf.subarray(0, 512);
        if (h.every((b) => b === 0)) {
          ended = true;
          continue;
        }
        startEntry(parseHeader(h));
        buf = buf.subarray(512);
      }
      if (opts.extractTo === undefined) await yieldNow();
    }
  } catch (e) {
    if (entry?.fd !== undefined) fs.closeSync(entry.fd);
    input.destroy();
    if (e instanceof BackupError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'Z_BUF_ERROR' || code === 'Z_DATA_ERROR' || code === 'ERR_BUFFER_TOO_SMALL' || code?.startsWith('Z_'))
      throw new BackupError(`${file} is not a complete gzip'd station backup (${(e as Error).message}): truncated or damaged`);
    throw e;
  }
  if (entry || !ended) throw new BackupError(`${file} ends before the end of the archive: it is truncated`);
  if (!manifest) throw new BackupError(`${file} holds no ${MANIFEST_NAME}: not a station backup`);
  for (const name of expected.keys()) if (!seen.has(name)) throw new BackupError(`the backup lacks ${name}, which its manifest lists`);
  return manifest;
}

// ---- restore

/**
 * The processes (ids) that hold a file of `dataDir`'s journal open: a running core. Linux (/proc); elsewhere
 * undefined (cannot tell: Windows refuses to rename a folder with an open file in it, which the restore relies on).
 */
export function coreHolding(dataDir: string): number[] | undefined {
  if (!fs.existsSync('/proc/self/fd')) return undefined;
  let real: string;
  try {
    real = fs.realpathSync(dataDir);
  } catch {
    return [];
  }
  const watched = new Set([DATA_FILES.journal, `${DATA_FILES.journal}.watermark`].map((n) => path.join(real, n)));
  const pids: number[] = [];
  for (const pid of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    let fds: string[];
    try {
      fds = fs.readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue; // gone, or another user's (a core run by another user is seen by the rename below failing, or not at all)
    }
    for (const fd of fds) {
      try {
        if (watched.has(fs.readlinkSync(`/proc/${pid}/fd/${fd}`))) {
          pids.push(Number(pid));
          break;
        }
      } catch {
        /* closed meanwhile */
      }
    }
  }
  return pids;
}

export interface RestoreOptions {
  /** Restore into a folder that has files: they are moved aside (renamed), never deleted. */
  force?: boolean;
  now?: () => number;
}

export interface RestoreResult {
  manifest: BackupManifest;
  dataDir: string;
  /** Where the folder's old content was moved (with force), if it had any. */
  keptAside?: string;
  journalId: string;
  /** What the restored settings file names that is not in a backup and not on this machine (printed by `restore`). */
  notes: string[];
}

/** Files the restored settings name outside the data folder (TLS, local map tiles) that this machine lacks; a moved data folder. */
function settingsNotes(settingsFile: string, dataDir: string): string[] {
  let s: StationSettings;
  try {
    s = parseSettingsText(settingsFile, fs.readFileSync(settingsFile, 'utf8'));
  } catch {
    return []; // none (checked before the restore when there is one)
  }
  const notes: string[] = [];
  const missing = (what: string, file: string): void => {
    if (!fs.existsSync(file))
      notes.push(`the settings name ${what} ${file}, which is not on this machine (not in a backup): copy it there before the station starts`);
  };
  if (s.tls) {
    missing('the TLS certificate', s.tls.cert);
    missing('the TLS key', s.tls.key);
  }
  if (s.mapSource?.kind === 'local') missing('the local map tiles', s.mapSource.path);
  if (s.dataDir !== undefined && path.resolve(s.dataDir) !== dataDir)
    notes.push(
      `the settings file names the data folder ${s.dataDir}, not ${dataDir}: the station refuses to start until that field is removed or set to ${dataDir}`,
    );
  return notes;
}

/**
 * A permission error (EACCES, EPERM) of a step of the restore in `folder` as a BackupError that says what to do:
 * a restore stages beside the data folder and renames into place, so it must write in the folder around it (for a
 * service, /var/lib: root's). Anything else: undefined.
 */
function noWriteAccess(e: unknown, step: string, folder: string): BackupError | undefined {
  const code = (e as NodeJS.ErrnoException).code;
  if (code !== 'EACCES' && code !== 'EPERM') return undefined;
  return new BackupError(
    `${step}: no write access to ${folder} (${code}). A restore unpacks into a staging folder beside the data folder and renames it ` +
      `into place, so it must be able to write in ${folder}: run the restore as root (sudo) or as the owner of ${folder}; ` +
      `for the service, stop it, restore as root and start it (docs/service.md, "Restore") (nothing was changed)`,
  );
}

const stamp = (at: number): string =>
  new Date(at)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');

/**
 * Restores `file` into `dataDir`. Refused (nothing changed) when the archive is not a whole, valid station backup,
 * when a running core uses `dataDir`, or when `dataDir` has files and `force` is not set. The restored journal gets
 * a new journal id; its watermark keeps the highest incident id of the backup and of the folder it replaces.
 */
export async function restoreBackup(file: string, dataDirIn: string, opts: RestoreOptions = {}): Promise<RestoreResult> {
  const now = opts.now ?? Date.now;
  const dataDir = path.resolve(dataDirIn);
  const parent = path.dirname(dataDir);
  const exists = fs.existsSync(dataDir);
  if (exists && !fs.statSync(dataDir).isDirectory()) throw new BackupError(`${dataDir} is not a folder`);
  const present = exists ? fs.readdirSync(dataDir) : [];
  if (exists) {
    const holders = coreHolding(dataDir);
    if (holders && holders.length > 0)
      throw new BackupError(`a running station core (process ${holders.join(', ')}) uses ${dataDir}: stop it first (nothing was changed)`);
  }
  if (present.length > 0 && !opts.force)
    throw new BackupError(`${dataDir} is not empty (${present.length} files): restore into a new folder, or add --force to move its files aside`);
  if (!fs.existsSync(parent)) throw new BackupError(`the folder ${parent} does not exist`);

  let free: number | undefined;
  try {
    const s = fs.statfsSync(parent);
    free = s.bavail * s.bsize;
  } catch {
    free = undefined;
  }
  // Staged beside the target (same file system: the final step is a rename), hidden, removed on any failure.
  let staging: string;
  try {
    staging = fs.mkdtempSync(path.join(parent, `.restore-${path.basename(dataDir)}-`));
  } catch (e) {
    throw noWriteAccess(e, `cannot make the restore's staging folder in ${parent}`, parent) ?? e;
  }
  let manifest: BackupManifest;
  const journalId = crypto.randomBytes(8).toString('hex');
  try {
    manifest = await readBackup(file, { extractTo: staging, ...(free !== undefined ? { freeBytes: free } : {}) });
    const old = exists ? readWatermark(dataDir) : {};
    const lastIncidentId = laterIncidentId(manifest.journal.lastIncidentId, old.lastIncidentId);
    // A new id: consoles holding the old journal's records drop them and load this one (never two histories mixed).
    writeDurably(
      path.join(staging, `${DATA_FILES.journal}.watermark`),
      JSON.stringify({ journalId, lastSeq: manifest.journal.lastSeq, ...(lastIncidentId ? { lastIncidentId } : {}) }),
    );
    writeDurably(path.join(staging, DATA_FILES.journalId), journalId);
    fsyncDir(staging);
  } catch (e) {
    fs.rmSync(staging, { recursive: true, force: true });
    throw e;
  }

  let keptAside: string | undefined;
  try {
    if (exists && present.length > 0) {
      keptAside = path.join(parent, `${path.basename(dataDir)}.before-restore-${stamp(now())}`);
      try {
        fs.renameSync(dataDir, keptAside);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'EBUSY' || code === 'EPERM' || code === 'EACCES')
          throw new BackupError(
            `${dataDir} cannot be moved aside (${code}): a running station core may use it (stop it first)` +
              (code === 'EBUSY'
                ? ''
                : `, or there is no write access to ${parent} (run the restore as root (sudo) or as the owner of ${parent}; docs/service.md, "Restore")`) +
              ' (nothing was changed)',
          );
        throw e;
      }
    } else if (exists) {
      fs.rmdirSync(dataDir);
    }
    fs.renameSync(staging, dataDir);
    fsyncDir(parent);
  } catch (e) {
    fs.rmSync(staging, { recursive: true, force: true });
    // Put back what was moved aside, so a failure here too leaves the folder as it was.
    if (keptAside && !fs.existsSync(dataDir)) fs.renameSync(keptAside, dataDir);
    else if (exists && !fs.existsSync(dataDir)) fs.mkdirSync(dataDir);
    if (e instanceof BackupError) throw e;
    throw noWriteAccess(e, `cannot move the restored folder into place as ${dataDir}`, parent) ?? e;
  }
  return { manifest, dataDir, ...(keptAside ? { keptAside } : {}), journalId, notes: settingsNotes(path.join(dataDir, DATA_FILES.stationSettings), dataDir) };
}

// ---- the daily backup in the core

export interface BackupSchedule {
  /** The folder the daily backups go to (STATION_BACKUP_DIR / --backup-dir). */
  dir: string;
  /** The station's wall-clock time of day, HH:MM (STATION_BACKUP_AT / --backup-at, default 03:30). */
  at: string;
  /** How many backups are kept; older ones are deleted after a new one is complete (STATION_BACKUP_KEEP, default 14). */
  keep: number;
}
export const DEFAULT_BACKUP_AT = '03:30';
export const DEFAULT_BACKUP_KEEP = 14;

/**
 * The daily backup's `station-backup-YYYYMMDD-HHMMSS.tar.gz`, on the station's wall clock: sorting the names sorts
 * them by time. A manual backup's `station-backup-manual-…` (backupTarget) does not match.
 */
const BACKUP_NAME = /^station-backup-(\d{8})-(\d{6})\.tar\.gz$/;

export function backupFileName(at: number, timeZone = STATION_TIME_ZONE): string {
  const p = zonedParts(at, timeZone);
  const two = (n: number): string => String(n).padStart(2, '0');
  const seconds = two(new Date(at).getUTCSeconds());
  return `station-backup-${p.year}${two(p.month)}${two(p.day)}-${two(p.hour)}${two(p.minute)}${seconds}.tar.gz`;
}

/**
 * Where `backup TARGET` writes: into a folder, `station-backup-manual-YYYYMMDD-HHMMSS.tar.gz` — a name apart from the
 * daily backup's, so the schedule neither counts it (the day's daily backup still runs) nor deletes it (retention);
 * anything else is the file name itself.
 */
export function backupTarget(target: string, at: number, timeZone = STATION_TIME_ZONE): string {
  const folder = fs.existsSync(target) && fs.statSync(target).isDirectory();
  return path.resolve(folder ? path.join(target, backupFileName(at, timeZone).replace(/^station-backup-/, 'station-backup-manual-')) : target);
}

/** Deletes all but the `keep` newest backups (by their names) in `dir`; any other file is left alone. Returns the deleted. */
export function pruneBackups(dir: string, keep: number): string[] {
  const ours = fs
    .readdirSync(dir)
    .filter((n) => BACKUP_NAME.test(n))
    .sort();
  const gone = ours.slice(0, Math.max(0, ours.length - Math.max(1, keep)));
  for (const n of gone) fs.rmSync(path.join(dir, n), { force: true });
  return gone;
}

export interface BackupStatus {
  dir: string;
  at: string;
  keep: number;
  running: boolean;
  last?: { file: string; at: number; records: number; bytes: number };
  lastError?: { at: number; message: string };
}

/**
 * The core's daily backup: once a day at `at` on the station's clock (or at the first check after it, when the core
 * was not running then and no backup of that day is in the folder), into `dir`, keeping `keep`. Logged; its state is
 * status(). A failure is retried an hour later.
 */
export class BackupScheduler {
  private timer: NodeJS.Timeout | undefined;
  private first: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private lastTry = 0;
  private readonly state: BackupStatus;

  constructor(
    private readonly dataDir: string,
    private readonly schedule: BackupSchedule,
    private readonly source: () => BackupSource,
    private readonly opts: { now?: () => number; timeZone?: string; log?: (m: string) => void; warn?: (m: string) => void } = {},
  ) {
    this.state = { dir: schedule.dir, at: schedule.at, keep: schedule.keep, running: false };
  }

  status(): BackupStatus {
    return { ...this.state, running: this.running !== undefined };
  }

  start(checkEveryMs = 60_000): void {
    this.timer = setInterval(() => void this.tick(), checkEveryMs);
    this.timer.unref();
    this.first = setTimeout(() => void this.tick(), 5_000);
    this.first.unref();
  }

  /** Whether a backup is due at `at`: past today's time and none of today in the folder (and no failure this hour). */
  due(at: number): boolean {
    const tz = this.opts.timeZone ?? STATION_TIME_ZONE;
    const p = zonedParts(at, tz);
    const [hh, mm] = this.schedule.at.split(':').map(Number) as [number, number];
    if (at < fromZoned(p.year, p.month, p.day, hh, mm, tz)) return false;
    if (at - this.lastTry < 3600_000) return false;
    const today = `station-backup-${p.year}${String(p.month).padStart(2, '0')}${String(p.day).padStart(2, '0')}-`;
    let names: string[];
    try {
      names = fs.readdirSync(this.schedule.dir);
    } catch {
      return true; // the folder is missing: the attempt says so
    }
    return !names.some((n) => n.startsWith(today) && BACKUP_NAME.test(n));
  }

  /** Checks the clock and backs up when due; the promise settles when that backup is done. */
  async tick(): Promise<void> {
    const now = (this.opts.now ?? Date.now)();
    if (this.running || !this.due(now)) return;
    await this.runNow();
  }

  /** Backs up now (whatever the clock), then deletes the oldest beyond `keep`. */
  runNow(): Promise<void> {
    if (this.running) return this.running;
    const now = (this.opts.now ?? Date.now)();
    this.lastTry = now;
    const log = this.opts.log ?? ((m: string) => console.log(m));
    const warn = this.opts.warn ?? ((m: string) => console.warn(m));
    this.running = (async () => {
      try {
        const out = path.join(this.schedule.dir, backupFileName(now, this.opts.timeZone));
        const r = await createBackup(this.dataDir, out, this.source(), () => now);
        const pruned = pruneBackups(this.schedule.dir, this.schedule.keep);
        this.state.last = { file: out, at: now, records: r.manifest.journal.records, bytes: r.archiveBytes };
        delete this.state.lastError;
        log(
          `backup: ${out}: ${r.manifest.journal.records} journal records, ${(r.archiveBytes / 1048576).toFixed(1)} MiB in ${r.ms} ms` +
            (pruned.length > 0 ? `; deleted ${pruned.length} older (keeping ${this.schedule.keep})` : ''),
        );
      } catch (e) {
        this.state.lastError = { at: now, message: (e as Error).message };
        warn(`backup: FAILED, retrying in an hour: ${(e as Error).message}`);
      } finally {
        this.running = undefined;
      }
    })();
    return this.running;
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    clearTimeout(this.first);
    await this.running;
  }
}

/** Checks a backup schedule's parts (for main/config.ts): a message naming what is wrong, or undefined. */
export function scheduleProblem(s: { dir: string; at: string; keep: number }, dataDir: string): string | undefined {
  if (!HHMM.test(s.at)) return `the backup time must be HH:MM (00:00–23:59), got "${s.at}"`;
  if (!Number.isInteger(s.keep) || s.keep < 1 || s.keep > 3650) return `the number of backups kept must be a whole number 1–3650, got "${s.keep}"`;
  const rel = path.relative(path.resolve(dataDir), path.resolve(s.dir));
  if (rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel))) return `the backup folder ${s.dir} must be outside the data folder ${dataDir}`;
  return undefined;
}

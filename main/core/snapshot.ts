// main/core (Node) — the state snapshot: the folded state at one point of the journal (its anchor: seq, hash and
// byte offset of the last record), so that a start reads only the records after it instead of a year of them.
// The journal stays the record: a snapshot is only used when its anchor is the very record in the journal file
// (same seq, same hash, ending at the same byte) and its own checksum holds; otherwise it is set aside with a
// warning and the whole journal is read, as before. Written in slices between other work (never holding up an
// alarm), to a temporary file that replaces the old one only once complete and fsync'd.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { StationState } from '../../shared/incidentModel';
import { PlanBook } from '../../shared/planRecords';
import type { AlarmStatus } from '../../shared/protocol';
import { checkProfile } from '../../shared/response';
import type { TargetChange } from '../../shared/targetHistory';
import type { Journal } from './journal';
import type { JournalAnchor } from './journalRead';
import { DATA_FILES } from './settings';
import { encode, INCIDENT_CODEC, STATUS_CODEC, TableWriter, type SectionCodec } from './snapshotCodec';

// /3: the target changes (for the statistics: they come from records a start after the snapshot does not read).
// /4: incidents and alarm statuses in compact form (main/core/snapshotCodec.ts), and the plan's records
// (inspections, registered drills, post checks, outages) in place of the inspections alone; an older file is not read
// (the whole journal is, once, and a new snapshot written): it lacks the outages before it.
// /5: an incident's area class (Incident.area) in the slot where a /4 record could hold its fields beyond the shape.
// /6: the same shape, folded by a changed rule (a test press the station closed, reopened: taken by the officer who
// reopened it): a /5 file would hold such incidents folded the old way, a replay the new.
const FORMAT = 'station-snapshot/6';
/**
 * Items per line (and per slice of writing). Small enough that each line's string is an ordinary young object
 * (2,000 incidents made 1.5 MB strings, which V8 keeps until a full collection: +450 MiB while writing a year;
 * 40 incidents are ~50 KB).
 */
const SLICE = 40;
/** A new snapshot once this many records were written since the last. */
export const SNAPSHOT_EVERY = 20_000;
/** At start, a snapshot is written soon when this many records had to be read after the last one (or none was there). */
export const SNAPSHOT_AT_START = 5_000;

interface Header {
  format: typeof FORMAT;
  journalId: string;
  anchor: JournalAnchor;
  writtenAt: number;
}
type Section = 'incidents' | 'alarmIndex' | 'devices' | 'units' | 'assignments' | 'lastStatus' | 'targetChanges' | 'plan';
const SECTIONS: readonly Section[] = ['incidents', 'alarmIndex', 'devices', 'units', 'assignments', 'lastStatus', 'targetChanges', 'plan'];
/** The sections written in compact form; any other is written as its keys and JSON values. */
const CODECS: Partial<Record<Section, SectionCodec>> = { incidents: INCIDENT_CODEC, lastStatus: STATUS_CODEC };

/** What a start takes from a snapshot. */
export interface LoadedSnapshot {
  journalId: string;
  anchor: JournalAnchor;
  state: StationState;
  /** Its maps were made for the one start that reads it (StationRestore takes them without a copy). */
  owned: true;
  lastStatus: Map<string, AlarmStatus>;
  /** The response targets' changes journalled up to the anchor, in journal order. */
  targetChanges: TargetChange[];
  /** The plan's records up to the anchor, folded (shared/planRecords.ts PlanBook). */
  plan: PlanBook;
}

/** The state and the journal's position at one moment: taken synchronously, written later (entries are immutable). */
export interface Capture {
  header: Header;
  sections: [Section, readonly (readonly [string, unknown])[]][];
}

export const snapshotFile = (dir: string): string => path.join(dir, DATA_FILES.snapshot);

export function capture(
  journal: Journal,
  state: StationState,
  lastStatus: ReadonlyMap<string, AlarmStatus>,
  now: number,
  targetChanges: readonly TargetChange[] = [],
  plan: PlanBook = new PlanBook(),
): Capture {
  const anchor = journal.position();
  if (anchor.seq !== state.seq) throw new Error(`the state (seq ${state.seq}) is not the journal's (seq ${anchor.seq})`);
  return {
    header: { format: FORMAT, journalId: journal.journalId, anchor, writtenAt: now },
    sections: [
      ['incidents', [...state.incidents]],
      ['alarmIndex', [...state.alarmIndex]],
      ['devices', [...state.devices]],
      ['units', [...state.units]],
      ['assignments', [...state.assignments]],
      ['lastStatus', [...lastStatus]],
      // Keyed by their place in the list (a Map of them keeps the order).
      ['targetChanges', targetChanges.map((c, i) => [String(i), c] as const)],
      ['plan', plan.entries()],
    ],
  };
}

/**
 * Writes a capture as JSON lines (header, one line per slice of a section, then the checksum line), yielding to
 * the event loop between slices; replaces the snapshot file only once the new one is complete and durable.
 */
export async function writeSnapshot(dir: string, c: Capture, pause: () => Promise<void> = () => new Promise((r) => setImmediate(r))): Promise<number> {
  const file = snapshotFile(dir);
  const tmp = `${file}.tmp`;
  const fd = fs.openSync(tmp, 'w');
  const hash = crypto.createHash('sha256');
  let bytes = 0;
  const line = (value: unknown, hashed = true): void => {
    // ASCII only (\uXXXX for the rest): it is read back as latin1, far faster than decoding UTF-8.
    const text = JSON.stringify(value).replace(NON_ASCII, escapeChar) + '\n';
    if (hashed) hash.update(text, 'latin1');
    let off = 0;
    while (off < text.length) off += fs.writeSync(fd, off === 0 ? text : text.slice(off), null, 'latin1');
    bytes += text.length;
  };
  // One table for the whole file: a value is written the first time a line refers to it, in that line ("t").
  const table = new TableWriter();
  try {
    line(c.header);
    for (const [s, entries] of c.sections) {
      const codec = CODECS[s];
      for (let i = 0; i < entries.length; i += SLICE) {
        const slice = entries.slice(i, i + SLICE);
        if (codec) {
          const v = slice.map(([, x]) => encode(codec.shape, x as Record<string, unknown>, table.ref));
          // No keys when each is its value's own (an incident's id): they are taken from the values when read.
          const keyed = codec.keyOf !== undefined && slice.every(([k, x]) => codec.keyOf!(x as Record<string, unknown>) === k);
          line(keyed ? { s, t: table.take(), v } : { s, t: table.take(), k: slice.map((e) => e[0]), v });
        } else {
          // Keys and values apart (no pair per entry to make and collect again).
          line({ s, k: slice.map((e) => e[0]), v: slice.map((e) => e[1]) });
        }
        await pause();
      }
    }
    line({ end: true, sha256: hash.digest('hex') }, false);
    fs.fsyncSync(fd);
  } catch (e) {
    fs.closeSync(fd);
    fs.rmSync(tmp, { force: true });
    throw e;
  }
  fs.closeSync(fd);
  fs.renameSync(tmp, file);
  const dfd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(dfd);
  } finally {
    fs.closeSync(dfd);
  }
  return bytes;
}

/**
 * The snapshot of `dir`, when there is one that fits `journalFile`; undefined otherwise (none, or unusable: then
 * `warn` says why and the file is moved aside so it is not read again).
 */
export function loadSnapshot(dir: string, journalFile: string, warn: (m: string) => void = console.warn): LoadedSnapshot | undefined {
  const file = snapshotFile(dir);
  if (!fs.existsSync(file)) return undefined;
  try {
    const snap = readSnapshot(file);
    const why = anchorMismatch(journalFile, snap.anchor);
    if (why) throw new Error(why);
    return snap;
  } catch (e) {
    warn(`journal: the state snapshot cannot be used (${(e as Error).message}); the whole journal is read`);
    try {
      fs.renameSync(file, `${file}.unusable-${Date.now()}`);
    } catch {
      /* read again next time, and set aside again */
    }
    return undefined;
  }
}

function readSnapshot(file: string): LoadedSnapshot {
  const hash = crypto.createHash('sha256');
  let header: Header | undefined;
  let end: { sha256: string } | undefined;
  const maps: Record<Section, Map<string, unknown>> = {
    incidents: new Map(),
    alarmIndex: new Map(),
    devices: new Map(),
    units: new Map(),
    assignments: new Map(),
    lastStatus: new Map(),
    targetChanges: new Map(),
    plan: new Map(),
  };
  const table: unknown[] = [];
  let lineNo = 0;
  for (const buf of rawLines(file)) {
    lineNo++;
    if (end) throw new Error('lines after the checksum');
    const value = JSON.parse(buf.toString('latin1')) as Record<string, unknown>;
    if (!header) {
      if (value.format !== FORMAT) throw new Error(`not a ${FORMAT} file`);
      header = value as unknown as Header;
    } else if (value.end === true) {
      end = value as { sha256: string };
      continue;
    } else {
      const s = value.s as Section;
      if (!SECTIONS.includes(s) || !Array.isArray(value.v)) throw new Error(`line ${lineNo}: not a section`);
      const codec = CODECS[s];
      let v: unknown[] = value.v;
      if (codec) {
        if (!Array.isArray(value.t)) throw new Error(`line ${lineNo}: no table`);
        for (const x of value.t as unknown[]) table.push(x);
        try {
          v = v.map((a) => codec.decode(a, table));
        } catch (e) {
          throw new Error(`line ${lineNo}: ${(e as Error).message}`);
        }
      }
      const k = value.k ?? (codec?.keyOf ? v.map((x) => codec.keyOf!(x as Record<string, unknown>)) : undefined);
      if (!Array.isArray(k) || k.length !== v.length) throw new Error(`line ${lineNo}: not a section`);
      const m = maps[s];
      for (let i = 0; i < v.length; i++) {
        if (typeof k[i] !== 'string') throw new Error(`line ${lineNo}: a key is not a string`);
        m.set(k[i] as string, v[i]);
      }
    }
    hash.update(buf);
    hash.update(NEWLINE);
  }
  if (!header || !end) throw new Error('incomplete (no checksum line)');
  if (end.sha256 !== hash.digest('hex')) throw new Error('its checksum does not match');
  const a = header.anchor;
  if (!Number.isSafeInteger(a?.seq) || !Number.isSafeInteger(a.bytes) || typeof a.hash !== 'string') throw new Error('its anchor is malformed');
  return {
    journalId: header.journalId,
    anchor: { ...a, problems: Array.isArray(a.problems) ? a.problems : [] },
    owned: true,
    state: {
      seq: a.seq,
      incidents: maps.incidents as StationState['incidents'],
      alarmIndex: maps.alarmIndex as StationState['alarmIndex'],
      devices: maps.devices as StationState['devices'],
      units: maps.units as StationState['units'],
      assignments: maps.assignments as StationState['assignments'],
    },
    lastStatus: maps.lastStatus as Map<string, AlarmStatus>,
    targetChanges: [...maps.targetChanges.values()].filter(isTargetChange),
    // Through the journal's own restore boundary: only what a journal record could hold.
    // Checked record by record: a malformed one makes the snapshot unusable (the whole journal is read).
    plan: PlanBook.restore(maps.plan),
  };
}

/** A target change as written (a checksum holds the file; the profile is checked again all the same). */
function isTargetChange(v: unknown): v is TargetChange {
  const c = v as Partial<TargetChange> | null;
  return typeof c === 'object' && c !== null && typeof c.from === 'number' && checkProfile(c.targets).ok;
}

const NEWLINE = Buffer.from('\n');
const NON_ASCII = /[\u007f-\uffff]/g;
const escapeChar = (c: string): string => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;

/** The lines of a file as bytes, without their newline (an unfinished last line is left out). */
function* rawLines(file: string): Generator<Buffer> {
  const fd = fs.openSync(file, 'r');
  const chunk = Buffer.alloc(16 * 1024 * 1024);
  let rest = Buffer.alloc(0);
  let pos = 0;
  try {
    for (;;) {
      const n = fs.readSync(fd, chunk, 0, chunk.length, pos);
      if (n === 0) break;
      pos += n;
      const buf = rest.length > 0 ? Buffer.concat([rest, chunk.subarray(0, n)]) : chunk.subarray(0, n);
      let start = 0;
      for (let nl = buf.indexOf(10); nl !== -1; nl = buf.indexOf(10, start)) {
        yield buf.subarray(start, nl);
        start = nl + 1;
      }
      rest = Buffer.from(buf.subarray(start));
    }
  } finally {
    fs.closeSync(fd);
  }
}

/** Why the journal file does not hold the anchor's record where the anchor says; undefined when it does. */
export function anchorMismatch(journalFile: string, a: JournalAnchor): string | undefined {
  if (a.bytes === 0) return a.seq === 0 ? undefined : 'its anchor is malformed';
  let size: number;
  try {
    size = fs.statSync(journalFile).size;
  } catch {
    return 'the journal file is missing';
  }
  if (size < a.bytes) return `the journal is shorter (${size} bytes) than the snapshot's point (${a.bytes})`;
  const span = Math.min(a.bytes, 1024 * 1024);
  const buf = Buffer.alloc(span);
  const fd = fs.openSync(journalFile, 'r');
  try {
    fs.readSync(fd, buf, 0, span, a.bytes - span);
  } finally {
    fs.closeSync(fd);
  }
  if (buf[span - 1] !== 10) return `no record ends at byte ${a.bytes}`;
  const start = buf.lastIndexOf(10, span - 2) + 1;
  try {
    const r = JSON.parse(buf.toString('utf8', start, span - 1)) as { seq?: unknown; hash?: unknown };
    if (r.seq !== a.seq || r.hash !== a.hash) return `the journal's record at byte ${a.bytes} is not the snapshot's (seq ${a.seq})`;
  } catch {
    return `the journal's line before byte ${a.bytes} is not a record`;
  }
  return undefined;
}

/** Writes a snapshot every SNAPSHOT_EVERY records (one at a time, in the background), and when asked. */
export class SnapshotWriter {
  private since = 0;
  private writing: Promise<void> | undefined;
  private closed = false;
  private scheduled = false;

  constructor(
    private readonly dir: string,
    private readonly take: () => Capture,
    private readonly every = SNAPSHOT_EVERY,
    private readonly log: (m: string) => void = console.log,
  ) {}

  /** Counts a written record; starts a snapshot when enough have come since the last. */
  recorded(n = 1): void {
    this.since += n;
    // Not now: a record is told while its batch is still being folded; the state is whole again after it.
    if (this.since >= this.every && !this.scheduled) {
      this.scheduled = true;
      setImmediate(() => {
        this.scheduled = false;
        void this.write();
      });
    }
  }

  /** Writes one now, unless one is being written (then that one is awaited). */
  write(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.writing ??= (async () => {
      const t0 = Date.now();
      try {
        const c = this.take();
        this.since = 0;
        const bytes = await writeSnapshot(this.dir, c);
        this.log(`journal: snapshot at seq ${c.header.anchor.seq} written in ${Date.now() - t0} ms (${(bytes / 1048576).toFixed(1)} MiB)`);
      } catch (e) {
        console.error('journal: could not write the state snapshot:', (e as Error).message);
      } finally {
        this.writing = undefined;
      }
    })();
    return this.writing;
  }

  /** Waits for a snapshot being written, then writes no more. */
  async close(): Promise<void> {
    await this.writing;
    this.closed = true;
  }
}

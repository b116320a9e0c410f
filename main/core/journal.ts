// main/ (core, Node) — the append-only journal: one JSON record per line, fsync'd before append() returns.
// Read as a stream in time linear in its size; nothing in it is ever fatal: a torn last line is moved aside,
// a line that cannot be read (damage, an unknown record type) is reported and stands in as a placeholder
// record, so the numbering has no gaps and consoles keep following; a missing or shortened journal is
// detected against its watermark and reported on every console.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { JournalRecord, StationEvent } from '../../shared/events';

import { parseJournalRecord } from '../../shared/eventSchema';
import { z } from 'zod';
import { parseJsonFile } from './fileSchema';
import { DATA_FILES } from './settings';

export interface JournalProblem {
  line: number;
  kind: 'torn_tail' | 'bad_record' | 'chain_broken' | 'journal_missing';
  detail: string;
}

/** One line for a console's warning banner and the log. */
export const describeProblem = (p: JournalProblem): string => `${p.kind} @ line ${p.line}: ${p.detail}`;

/** The hash chain: each record's hash covers the previous hash and its own seq and event. */
export function recordHash(prevHash: string, seq: number, event: unknown): string {
  return crypto.createHash('sha256').update(prevHash).update(JSON.stringify({ seq, event })).digest('hex');
}
const GENESIS = '';

/** Records kept in memory for consoles catching up; older ones are served as a state snapshot instead. */
export const DEFAULT_WINDOW = 50_000;
/** Records kept while the file is read at open (see keep() in openJournal). */
const SCAN_WINDOW = 6_000;

export interface Journal {
  /** The most recent records (all of them in a journal smaller than the window). */
  readonly records: readonly JournalRecord[];
  readonly problems: readonly JournalProblem[];
  /** Identifies this journal; a new one (also after the journal was found missing) gets a new id. */
  readonly journalId: string;
  /** The highest sequence number written or read. */
  readonly lastSeq: number;
  /** Every incident id this journal (or the one it replaced) ever gave out on a day: never reused. */
  readonly incidentIdHighWater: string | undefined;
  /** Settles when the hash chain of what was read at open has been checked (at once unless checked in the background). */
  readonly chainChecked: Promise<JournalProblem | undefined>;
  /** Records after `seq` from memory, or undefined when they are older than the window. */
  recordsAfter(seq: number): readonly JournalRecord[] | undefined;
  /** Appends durably; throws if the record could not be made durable (nothing is then kept). */
  append(event: StationEvent): JournalRecord;
  /** Appends several events with one fsync (all or nothing). */
  appendBatch(events: StationEvent[]): JournalRecord[];
  close(): void;
}

export interface JournalScan {
  records: JournalRecord[];
  problems: JournalProblem[];
  /** Bytes after the last newline: an unfinished (torn) record. */
  tail: string;
  /** Length in bytes of everything before the tail. */
  goodBytes: number;
}

const placeholder = (seq: number, line: number, detail: string, at: number): JournalRecord => ({
  seq,
  event: { type: 'journal.unreadable', at, line, detail: detail.slice(0, 300) },
});

/**
 * Reads journal lines one at a time: checks the hash chain, numbers placeholders for what it cannot read,
 * and hands every record to `emit`. Linear: the hash of a line we wrote is computed from the line itself.
 */
class LineReader {
  readonly problems: JournalProblem[] = [];
  lastSeq = 0;
  lastHash = GENESIS;
  lastAt = 0;
  records = 0;
  private prevHash = GENESIS;
  private chainBroken = false;
  /** An unreadable line without a usable seq: numbered once the next good line says where it stood. */
  private pendingBad: { line: number; detail: string } | undefined;

  constructor(
    private readonly emit: (r: JournalRecord) => void,
    /** false: the chain is checked elsewhere (verifyChainInBackground); only the last hash is kept. */
    private readonly verifyChain = true,
  ) {}

  private out(r: JournalRecord): void {
    this.lastSeq = r.seq;
    this.records++;
    this.emit(r);
  }

  private bad(line: number, detail: string): void {
    this.problems.push({ line, kind: 'bad_record', detail });
  }

  line(text: string, lineNo: number): void {
    if (text.trim() === '') return;
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (e) {
      this.bad(lineNo, `not JSON: ${(e as Error).message}`);
      this.pendingBad ??= { line: lineNo, detail: 'not JSON' };
      return;
    }
    const parsed = parseJournalRecord(raw);
    const seq = parsed.ok ? parsed.record.seq : parsed.seq;
    if (seq === undefined) {
      this.bad(lineNo, `not a journal record: ${parsed.ok ? '' : parsed.reason}`);
      this.pendingBad ??= { line: lineNo, detail: 'not a journal record' };
      return;
    }
    const hash = typeof (raw as { hash?: unknown }).hash === 'string' ? (raw as { hash: string }).hash : undefined;
    this.checkChain(text, raw as { seq: number; event: unknown }, hash, lineNo);
    if (seq <= this.lastSeq) {
      this.bad(lineNo, `sequence ${seq} after ${this.lastSeq}`);
      return;
    }
    if (seq > this.lastSeq + 1) {
      // Records are missing before this one (or lines we could not read stood there): keep the numbering.
      const why = this.pendingBad ? `line ${this.pendingBad.line} could not be read (${this.pendingBad.detail})` : 'missing from the journal';
      if (!this.pendingBad) this.bad(lineNo, `sequence ${seq} after ${this.lastSeq}: ${seq - this.lastSeq - 1} record(s) missing`);
      for (let s = this.lastSeq + 1; s < seq; s++) this.out(placeholder(s, this.pendingBad?.line ?? lineNo, why, this.lastAt));
    }
    this.pendingBad = undefined;
    if (parsed.ok) {
      this.lastAt = parsed.record.event.at;
      this.out(hash !== undefined ? { seq, event: parsed.record.event, hash } : { seq, event: parsed.record.event });
    } else {
      this.bad(lineNo, parsed.reason);
      this.out(placeholder(seq, lineNo, parsed.reason, this.lastAt));
    }
  }

  private checkChain(text: string, raw: { seq: number; event: unknown }, hash: string | undefined, lineNo: number): void {
    if (this.verifyChain && !this.chainBroken && hash !== this.expectedHash(text, raw, hash)) {
      // Only the first break is reported: after it nothing later can be trusted either.
      this.chainBroken = true;
      this.problems.push({
        line: lineNo,
        kind: 'chain_broken',
        detail: `record seq ${raw.seq} does not match the hash chain (edited, inserted or removed records)`,
      });
    }
    this.prevHash = hash ?? '';
    if (hash !== undefined) this.lastHash = hash;
  }

  /** sha256(prev + JSON{seq,event}). A line we wrote is exactly that JSON plus `,"hash":"…"}`: hash its prefix. */
  private expectedHash(text: string, raw: { seq: number; event: unknown }, hash: string | undefined): string {
    const cut = text.lastIndexOf(',"hash":"');
    if (hash !== undefined && cut > 0 && text.startsWith('{"seq":')) {
      // One-shot hashing: half the cost of a Hash object per line, which counts over a million lines.
      const fast = crypto.hash('sha256', `${this.prevHash}${text.slice(0, cut)}}`, 'hex');
      if (fast === hash) return fast;
    }
    return recordHash(this.prevHash, raw.seq, raw.event);
  }

  finish(lineNo: number): void {
    if (this.pendingBad) this.bad(lineNo, `the last readable record is seq ${this.lastSeq}; unreadable lines after it`);
  }
}

/** Reads a journal's text: records, the first break in the hash chain, bad lines and a torn tail. Changes nothing. */
export function scanJournal(text: string): JournalScan {
  const records: JournalRecord[] = [];
  const reader = new LineReader((r) => records.push(r));
  const lines = text.split('\n');
  // A file ends with '\n'; whatever follows the last '\n' is a torn write.
  const tail = lines.pop() ?? '';
  lines.forEach((line, i) => reader.line(line, i + 1));
  reader.finish(lines.length);
  const problems = reader.problems;
  if (tail !== '') problems.push({ line: lines.length + 1, kind: 'torn_tail', detail: `${Buffer.byteLength(tail)} bytes of an unfinished record` });
  return { records, problems, tail, goodBytes: Buffer.byteLength(text) - Buffer.byteLength(tail) };
}

export interface FileScan {
  problems: JournalProblem[];
  lastSeq: number;
  lastHash: string;
  records: number;
  /** Bytes before the torn tail. */
  goodBytes: number;
  tail: Buffer;
}

/** What lineChunks has read: bytes of complete lines, and the unfinished rest after the last newline. */
interface ReadState {
  lines: number;
  goodBytes: number;
  tail: Buffer;
}

/**
 * The complete lines of `file` (up to `limitBytes`), one chunk of them at a time, so memory stays bounded however
 * large the file (a year of a busy county is hundreds of MiB; one string of it could not even be made).
 */
function* lineChunks(file: string, chunkBytes: number, limitBytes: number, read: ReadState): Generator<string[]> {
  const fd = fs.openSync(file, 'r');
  const chunk = Buffer.alloc(chunkBytes);
  let pos = 0;
  try {
    while (pos < limitBytes) {
      const n = fs.readSync(fd, chunk, 0, Math.min(chunk.length, limitBytes - pos), pos);
      if (n === 0) break;
      pos += n;
      const buf = read.tail.length > 0 ? Buffer.concat([read.tail, chunk.subarray(0, n)]) : chunk.subarray(0, n);
      const lines: string[] = [];
      let start = 0;
      for (let nl = buf.indexOf(10, start); nl !== -1; nl = buf.indexOf(10, start)) {
        lines.push(buf.toString('utf8', start, nl));
        start = nl + 1;
      }
      read.goodBytes += start;
      read.lines += lines.length;
      read.tail = Buffer.from(buf.subarray(start));
      yield lines;
    }
  } finally {
    fs.closeSync(fd);
  }
}

/** Streams a journal file in 8 MiB chunks, handing each record to `onRecord`. */
export function scanJournalFile(file: string, onRecord: (r: JournalRecord) => void, verifyChain = true): FileScan {
  const reader = new LineReader(onRecord, verifyChain);
  const read: ReadState = { lines: 0, goodBytes: 0, tail: Buffer.alloc(0) };
  for (const lines of lineChunks(file, 8 * 1024 * 1024, Infinity, read)) {
    let lineNo = read.lines - lines.length;
    for (const line of lines) reader.line(line, ++lineNo);
  }
  reader.finish(read.lines);
  const problems = reader.problems;
  if (read.tail.length > 0) problems.push({ line: read.lines + 1, kind: 'torn_tail', detail: `${read.tail.length} bytes of an unfinished record` });
  return { problems, lastSeq: reader.lastSeq, lastHash: reader.lastHash, records: reader.records, goodBytes: read.goodBytes, tail: read.tail };
}

/**
 * Checks the hash chain of the first `limitBytes` of a journal in small slices, yielding to the event loop
 * between them: started after the core listens, it costs the start nothing and never holds up an alarm for
 * more than a few milliseconds. Resolves with the first break, or undefined when the chain is intact.
 */
export async function verifyChainSliced(file: string, limitBytes: number, sliceBytes = 256 * 1024): Promise<JournalProblem | undefined> {
  const reader = new LineReader(() => undefined, true);
  const read: ReadState = { lines: 0, goodBytes: 0, tail: Buffer.alloc(0) };
  const broken = (): JournalProblem | undefined => reader.problems.find((p) => p.kind === 'chain_broken');
  for (const lines of lineChunks(file, sliceBytes, limitBytes, read)) {
    let lineNo = read.lines - lines.length;
    for (const line of lines) reader.line(line, ++lineNo);
    if (broken()) return broken();
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  return broken();
}

/** What the journal last knew of itself, kept beside it: a deleted or shortened journal is noticed. */
interface Watermark {
  journalId: string;
  lastSeq: number;
  lastIncidentId?: string;
}

const watermarkSchema = z.looseObject({
  journalId: z.string().optional(),
  lastSeq: z.number().refine(Number.isSafeInteger, 'must be a whole number').optional(),
  lastIncidentId: z.string().optional(),
});
/** The same, keeping each field that is right when another is not (a field it cannot use is left out). */
const watermarkSalvage = z.looseObject({
  journalId: z.string().optional().catch(undefined),
  lastSeq: z.number().refine(Number.isSafeInteger).optional().catch(undefined),
  lastIncidentId: z.string().optional().catch(undefined),
});

/** The watermark's fields that can be used; a malformed one is reported (file and field) and what is wrong left out. */
function readWatermark(file: string): Partial<Watermark> {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return {}; // none yet
  }
  const warn = (m: string): void => console.warn(`journal: ${m}`);
  let w: { journalId?: string | undefined; lastSeq?: number | undefined; lastIncidentId?: string | undefined };
  try {
    w = parseJsonFile(file, text, watermarkSchema, warn);
  } catch (e) {
    warn(`${(e as Error).message}; the watermark is read without it`);
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      return {};
    }
    const r = watermarkSalvage.safeParse(raw);
    if (!r.success) return {};
    w = r.data;
  }
  return {
    ...(w.journalId !== undefined ? { journalId: w.journalId } : {}),
    ...(w.lastSeq !== undefined ? { lastSeq: w.lastSeq } : {}),
    ...(w.lastIncidentId !== undefined ? { lastIncidentId: w.lastIncidentId } : {}),
  };
}

const newJournalId = (): string => crypto.randomBytes(8).toString('hex');

export interface JournalOptions {
  fileName?: string;
  /** Called for every record read at open, in order (placeholders included): the core folds them here. */
  onRecord?: (r: JournalRecord) => void;
  /** How many recent records to keep in memory (default 50,000). */
  window?: number;
  /** Clock for the names of saved torn tails. */
  now?: () => number;
  /**
   * 'background': check the hash chain after open, in slices between other work (the core, which listens first); a
   * break is added to `problems` when found and announced through `chainChecked`. Default: checked while reading.
   */
  verifyChain?: 'inline' | 'background';
}

export function openJournal(dir: string, options: string | JournalOptions = {}): Journal {
  const opts: JournalOptions = typeof options === 'string' ? { fileName: options } : options;
  const fileName = opts.fileName ?? DATA_FILES.journal;
  const window = Math.max(1, opts.window ?? DEFAULT_WINDOW);
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, fileName);
  // The journal id of the old layout (core.ts kept it in `journal-id`) is kept for the default file name.
  const idFile = path.join(dir, fileName === DATA_FILES.journal ? DATA_FILES.journalId : `${fileName}.id`);
  const markFile = path.join(dir, `${fileName}.watermark`);
  const existed = fs.existsSync(file);
  let records: JournalRecord[] = [];
  // While a large file is read, only the last few thousand records are kept: every record held longer is
  // copied by each young-generation GC (a 50,000-record window cost the start of a 1M journal seconds of GC).
  // Consoles further behind than that get a snapshot anyway.
  let limit = Math.min(window, SCAN_WINDOW);
  const keep = (r: JournalRecord): void => {
    records.push(r);
    if (records.length > limit * 2) records = records.slice(records.length - limit);
  };
  // Only complete lines are checked in the background: a torn tail (cut off below) is not part of the chain.
  const sizeAtOpen = existed ? fs.statSync(file).size : 0;
  const scan: FileScan = existed
    ? scanJournalFile(
        file,
        (r) => {
          keep(r);
          opts.onRecord?.(r);
        },
        opts.verifyChain !== 'background',
      )
    : { problems: [], lastSeq: 0, lastHash: GENESIS, records: 0, goodBytes: 0, tail: Buffer.alloc(0) };
  const problems = scan.problems;
  let goodBytes = scan.goodBytes;
  limit = window;
  const chainChecked: Promise<JournalProblem | undefined> =
    opts.verifyChain === 'background' && sizeAtOpen > 0
      ? new Promise<void>((resolve) => setTimeout(resolve, 0))
          .then(() => verifyChainSliced(file, sizeAtOpen))
          .then(
            (p) => {
              if (p) problems.push(p);
              return p;
            },
            (e: unknown) => {
              const p: JournalProblem = { line: 0, kind: 'chain_broken', detail: `the hash chain could not be checked: ${(e as Error).message}` };
              problems.push(p);
              return p;
            },
          )
      : Promise.resolve(problems.find((p) => p.kind === 'chain_broken'));
  if (scan.tail.length > 0) {
    // Keep the fragment for the record, then cut it off so the next append starts on a clean line.
    fs.writeFileSync(path.join(dir, `${fileName}.torn-${(opts.now ?? Date.now)()}`), scan.tail);
    fs.truncateSync(file, goodBytes);
  }

  const mark = readWatermark(markFile);
  let journalId = mark.journalId ?? (fs.existsSync(idFile) ? fs.readFileSync(idFile, 'utf8').trim() : undefined);
  if (mark.lastSeq !== undefined && mark.lastSeq > scan.lastSeq) {
    // The journal lost records it once had: deleted, moved, restored from an old copy. Say so everywhere, and
    // start a new journal id so consoles drop what they hold instead of mixing two histories.
    problems.push({
      line: 0,
      kind: 'journal_missing',
      detail: existed
        ? `the journal ends at seq ${scan.lastSeq} but had reached seq ${mark.lastSeq}: ${mark.lastSeq - scan.lastSeq} record(s) are missing (restored from an old copy or cut?)`
        : `the journal file is missing but had reached seq ${mark.lastSeq}: it was deleted or moved; a new journal is started`,
    });
    journalId = undefined;
  }
  if (!journalId || !/^[\w-]{1,64}$/.test(journalId)) {
    journalId = newJournalId();
  }
  fs.writeFileSync(idFile, journalId);

  const fd = fs.openSync(file, 'a');
  if (!existed) {
    // Make the new file's directory entry durable too.
    const dfd = fs.openSync(dir, 'r');
    try {
      fs.fsyncSync(dfd);
    } finally {
      fs.closeSync(dfd);
    }
  }
  let closed = false;
  let lastHash = scan.lastHash;
  let lastSeq = scan.lastSeq;
  let lastIncidentId = mark.lastIncidentId;
  const id = journalId;

  // Not fsync'd: a stale watermark (power cut) only says less than the truth, which is never a false alarm.
  // Kept open and overwritten in place (one pwrite per append, padded with spaces to the longest so far):
  // opening, writing and closing it for every alarm cost more than the alarm's own fsync.
  let markFd: number | undefined;
  let markWidth = 0;
  const writeMark = (): void => {
    try {
      markFd ??= fs.openSync(markFile, 'w');
      const text = JSON.stringify({ journalId: id, lastSeq, ...(lastIncidentId ? { lastIncidentId } : {}) } satisfies Watermark);
      markWidth = Math.max(markWidth, Buffer.byteLength(text));
      fs.writeSync(markFd, text.padEnd(markWidth, ' '), 0, 'utf8');
    } catch (e) {
      console.error('journal: could not write the watermark:', (e as Error).message);
    }
  };
  writeMark();

  function appendBatch(events: StationEvent[]): JournalRecord[] {
    if (closed) throw new Error('journal is closed');
    let seq = lastSeq;
    let hash = lastHash;
    const batch = events.map((event): JournalRecord => {
      seq += 1;
      hash = recordHash(hash, seq, event);
      return { seq, event, hash };
    });
    const buf = Buffer.from(batch.map((r) => JSON.stringify(r) + '\n').join(''));
    try {
      let off = 0;
      while (off < buf.length) off += fs.writeSync(fd, buf, off);
      fs.fsyncSync(fd);
    } catch (e) {
      // Leave no half record behind, so the journal stays readable.
      try {
        fs.ftruncateSync(fd, goodBytes);
      } catch {
        /* the error below says it */
      }
      throw e;
    }
    goodBytes += buf.length;
    lastHash = hash;
    lastSeq = seq;
    for (const r of batch) {
      keep(r);
      if (r.event.type === 'alarm.received') lastIncidentId = r.event.incidentId;
    }
    writeMark();
    return batch;
  }

  return {
    get records() {
      return records;
    },
    problems,
    chainChecked,
    journalId: id,
    get lastSeq() {
      return lastSeq;
    },
    get incidentIdHighWater() {
      return lastIncidentId;
    },
    recordsAfter(seq: number): readonly JournalRecord[] | undefined {
      if (seq >= lastSeq) return [];
      const first = records[0]?.seq ?? lastSeq + 1;
      if (seq + 1 < first) return undefined;
      // Numbering has no gaps (placeholders fill them), so this is a slice.
      return records.slice(seq + 1 - first);
    },
    append: (event: StationEvent): JournalRecord => appendBatch([event])[0]!,
    appendBatch,
    close(): void {
      if (!closed) {
        closed = true;
        fs.closeSync(fd);
        if (markFd !== undefined) fs.closeSync(markFd);
      }
    },
  };
}

// main/ (core, Node) — reading the journal: the hash chain, the line reader (placeholders for what cannot be read,
// numbering without gaps), streaming a file in chunks (from its start or from a snapshot's anchor) and the
// background check of the chain. main/core/journal.ts opens, appends and watches the file.
import crypto from 'node:crypto';
import fs from 'node:fs';
import type { JournalRecord } from '../../shared/events';
import { parseJournalRecord } from '../../shared/eventSchema';

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
export const GENESIS = '';

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
    /** Only the chain is wanted (the background check): a line we wrote is checked without parsing it. */
    private readonly chainOnly = false,
  ) {}

  /** Continues a chain read before (a snapshot's anchor): the next line follows `a`. */
  resume(a: JournalAnchor): void {
    this.lastSeq = a.seq;
    this.lastHash = this.prevHash = a.hash;
    this.lastAt = a.lastAt;
  }

  private out(r: JournalRecord): void {
    this.lastSeq = r.seq;
    this.records++;
    this.emit(r);
  }

  private bad(line: number, detail: string): void {
    this.problems.push({ line, kind: 'bad_record', detail });
  }

  line(text: string, lineNo: number): void {
    if (this.chainOnly && this.chainLine(text)) return;
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

  /**
   * A line as we write it (`{"seq":N,…,"hash":"…"}`, the next seq) whose hash follows the chain: taken without
   * JSON.parse (a year of records parsed again made garbage faster than V8 collected it). False: read it fully.
   */
  private chainLine(text: string): boolean {
    if (this.chainBroken || this.pendingBad || !text.startsWith('{"seq":') || !text.endsWith('"}')) return false;
    const seq = Number(text.slice(7, text.indexOf(',', 7)));
    const cut = text.lastIndexOf(',"hash":"');
    if (seq !== this.lastSeq + 1 || cut < 0) return false;
    const hash = text.slice(cut + 9, -2);
    if (crypto.hash('sha256', `${this.prevHash}${text.slice(0, cut)}}`, 'hex') !== hash) return false;
    this.prevHash = this.lastHash = hash;
    this.lastSeq = seq;
    this.records++;
    return true;
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
  lastAt: number;
  /** Complete lines read (from the start of the file). */
  lines: number;
  records: number;
  /** Bytes before the torn tail. */
  goodBytes: number;
  tail: Buffer;
}

/** What lineChunks has read: bytes of complete lines, and the unfinished rest after the last newline. */
export interface ReadState {
  lines: number;
  goodBytes: number;
  tail: Buffer;
}

/**
 * The complete lines of `file` (up to `limitBytes`), one chunk of them at a time, so memory stays bounded however
 * large the file (a year of a busy county is hundreds of MiB; one string of it could not even be made).
 */
export function* lineChunks(file: string, chunkBytes: number, limitBytes: number, read: ReadState): Generator<string[]> {
  const fd = fs.openSync(file, 'r');
  const chunk = Buffer.alloc(chunkBytes);
  let pos = read.goodBytes; // 0, or where a snapshot's anchor left off
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

/** Streams a journal file in 8 MiB chunks, handing each record to `onRecord`; from `from` on when given. */
export function scanJournalFile(file: string, onRecord: (r: JournalRecord) => void, verifyChain = true, from?: JournalAnchor): FileScan {
  const reader = new LineReader(onRecord, verifyChain);
  if (from) reader.resume(from);
  const read: ReadState = { lines: from?.lines ?? 0, goodBytes: from?.bytes ?? 0, tail: Buffer.alloc(0) };
  for (const lines of lineChunks(file, 8 * 1024 * 1024, Infinity, read)) {
    let lineNo = read.lines - lines.length;
    for (const line of lines) reader.line(line, ++lineNo);
  }
  reader.finish(read.lines);
  const problems = reader.problems;
  if (read.tail.length > 0) problems.push({ line: read.lines + 1, kind: 'torn_tail', detail: `${read.tail.length} bytes of an unfinished record` });
  return {
    problems,
    lastSeq: reader.lastSeq,
    lastHash: reader.lastHash,
    lastAt: reader.lastAt,
    lines: read.lines,
    records: reader.records,
    goodBytes: read.goodBytes,
    tail: read.tail,
  };
}

/**
 * Checks the hash chain of the first `limitBytes` of a journal in small slices, yielding to the event loop
 * between them: started after the core listens, it costs the start nothing and never holds up an alarm for
 * more than a few milliseconds. Resolves with the first break, or undefined when the chain is intact.
 */
export async function verifyChainSliced(file: string, limitBytes: number, sliceBytes = 256 * 1024): Promise<JournalProblem | undefined> {
  const reader = new LineReader(() => undefined, true, true);
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

/** A point in the journal: the last record before it, where it ends, and what was wrong before it. */
export interface JournalAnchor {
  seq: number;
  hash: string;
  /** Byte offset just after the record `seq` (the end of its line). */
  bytes: number;
  /** Lines before `bytes`. */
  lines: number;
  /** The time of the last record. */
  lastAt: number;
  problems: JournalProblem[];
}

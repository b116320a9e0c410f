// main/ (core, Node) — the append-only journal: one JSON record per line, fsync'd before append() returns.
// A torn last line (crash mid-write) is detected on open, reported, moved aside and skipped — never fatal.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { JournalRecord, StationEvent } from '../shared/events';

export interface JournalProblem {
  line: number;
  kind: 'torn_tail' | 'bad_record' | 'chain_broken';
  detail: string;
}

/** The hash chain: each record's hash covers the previous hash and its own seq and event. */
export function recordHash(prevHash: string, seq: number, event: unknown): string {
  return crypto.createHash('sha256').update(prevHash).update(JSON.stringify({ seq, event })).digest('hex');
}
const GENESIS = '';

export interface Journal {
  readonly records: readonly JournalRecord[];
  readonly problems: readonly JournalProblem[];
  /** Appends durably; throws if the record could not be made durable (nothing is then kept). */
  append(event: StationEvent): JournalRecord;
  /** Appends several events with one fsync (all or nothing). */
  appendBatch(events: StationEvent[]): JournalRecord[];
  close(): void;
}

function isRecord(x: unknown): x is JournalRecord {
  if (typeof x !== 'object' || x === null) return false;
  const r = x as { seq?: unknown; event?: unknown };
  return typeof r.seq === 'number' && typeof r.event === 'object' && r.event !== null && typeof (r.event as { type?: unknown }).type === 'string';
}

export interface JournalScan {
  records: JournalRecord[];
  problems: JournalProblem[];
  /** Bytes after the last newline: an unfinished (torn) record. */
  tail: string;
  /** Length in bytes of everything before the tail. */
  goodBytes: number;
}

/** Reads a journal's text: records, the first break in the hash chain, bad lines and a torn tail. Changes nothing. */
export function scanJournal(text: string): JournalScan {
  const records: JournalRecord[] = [];
  const problems: JournalProblem[] = [];
  const lines = text.split('\n');
  let prevHash = GENESIS;
  let chainBroken = false;
  // A file ends with '\n'; whatever follows the last '\n' is a torn write.
  const tail = lines.pop() ?? '';
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch (e) {
      problems.push({ line: i + 1, kind: 'bad_record', detail: `not JSON: ${(e as Error).message}` });
      return;
    }
    if (!isRecord(parsed)) {
      problems.push({ line: i + 1, kind: 'bad_record', detail: 'not a journal record' });
      return;
    }
    if (!chainBroken && parsed.hash !== recordHash(prevHash, parsed.seq, parsed.event)) {
      // Only the first break is reported: after it nothing later can be trusted either.
      chainBroken = true;
      problems.push({ line: i + 1, kind: 'chain_broken', detail: `record seq ${parsed.seq} does not match the hash chain (edited, inserted or removed records)` });
    }
    prevHash = parsed.hash ?? '';
    const last = records[records.length - 1];
    if (last && parsed.seq !== last.seq + 1) {
      problems.push({ line: i + 1, kind: 'bad_record', detail: `sequence ${parsed.seq} after ${last.seq}` });
      if (parsed.seq > last.seq) records.push(parsed);
    } else records.push(parsed);
  });
  if (tail !== '') problems.push({ line: lines.length + 1, kind: 'torn_tail', detail: `${Buffer.byteLength(tail)} bytes of an unfinished record` });
  return { records, problems, tail, goodBytes: Buffer.byteLength(text) - Buffer.byteLength(tail) };
}

export function openJournal(dir: string, fileName = 'journal.jsonl'): Journal {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, fileName);
  const existed = fs.existsSync(file);
  const { records, problems, tail, goodBytes: scanned } = scanJournal(existed ? fs.readFileSync(file, 'utf8') : '');
  let goodBytes = scanned;
  if (tail !== '') {
    // Keep the fragment for the record, then cut it off so the next append starts on a clean line.
    fs.writeFileSync(path.join(dir, `${fileName}.torn-${Date.now()}`), tail);
    fs.truncateSync(file, goodBytes);
  }
  const fd = fs.openSync(file, 'a');
  if (!existed) {
    // Make the new file's directory entry durable too.
    const dfd = fs.openSync(dir, 'r');
    try { fs.fsyncSync(dfd); } finally { fs.closeSync(dfd); }
  }
  let closed = false;
  let lastHash = records[records.length - 1]?.hash ?? GENESIS;

  function appendBatch(events: StationEvent[]): JournalRecord[] {
    if (closed) throw new Error('journal is closed');
    let seq = records[records.length - 1]?.seq ?? 0;
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
      try { fs.ftruncateSync(fd, goodBytes); } catch { /* the error below says it */ }
      throw e;
    }
    goodBytes += buf.length;
    lastHash = hash;
    records.push(...batch);
    return batch;
  }

  return {
    records,
    problems,
    append: (event: StationEvent): JournalRecord => appendBatch([event])[0]!,
    appendBatch,
    close(): void {
      if (!closed) {
        closed = true;
        fs.closeSync(fd);
      }
    },
  };
}

// main/ (core, Node) — the append-only journal: one JSON record per line, fsync'd before append() returns.
// A torn last line (crash mid-write) is detected on open, reported, moved aside and skipped — never fatal.
import fs from 'node:fs';
import path from 'node:path';
import type { JournalRecord, StationEvent } from '../shared/events';

export interface JournalProblem {
  line: number;
  kind: 'torn_tail' | 'bad_record';
  detail: string;
}

export interface Journal {
  readonly records: readonly JournalRecord[];
  readonly problems: readonly JournalProblem[];
  /** Appends durably; throws if the record could not be made durable (nothing is then kept). */
  append(event: StationEvent): JournalRecord;
  close(): void;
}

function isRecord(x: unknown): x is JournalRecord {
  if (typeof x !== 'object' || x === null) return false;
  const r = x as { seq?: unknown; event?: unknown };
  return typeof r.seq === 'number' && typeof r.event === 'object' && r.event !== null && typeof (r.event as { type?: unknown }).type === 'string';
}

export function openJournal(dir: string, fileName = 'journal.jsonl'): Journal {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, fileName);
  const existed = fs.existsSync(file);
  const text = existed ? fs.readFileSync(file, 'utf8') : '';
  const records: JournalRecord[] = [];
  const problems: JournalProblem[] = [];
  const lines = text.split('\n');
  // A file ends with '\n'; whatever follows the last '\n' is a torn write.
  const tail = lines.pop() ?? '';
  let goodBytes = Buffer.byteLength(text) - Buffer.byteLength(tail);
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch (e) {
      problems.push({ line: i + 1, kind: 'bad_record', detail: `not JSON: ${(e as Error).message}` });
      return;
    }
    if (!isRecord(parsed)) problems.push({ line: i + 1, kind: 'bad_record', detail: 'not a journal record' });
    else if (records.length > 0 && parsed.seq !== records[records.length - 1]!.seq + 1) {
      problems.push({ line: i + 1, kind: 'bad_record', detail: `sequence ${parsed.seq} after ${records[records.length - 1]!.seq}` });
      if (parsed.seq > records[records.length - 1]!.seq) records.push(parsed);
    } else records.push(parsed);
  });
  if (tail !== '') {
    problems.push({ line: lines.length + 1, kind: 'torn_tail', detail: `${Buffer.byteLength(tail)} bytes of an unfinished record` });
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

  return {
    records,
    problems,
    append(event: StationEvent): JournalRecord {
      if (closed) throw new Error('journal is closed');
      const record: JournalRecord = { seq: (records[records.length - 1]?.seq ?? 0) + 1, event };
      const line = Buffer.from(JSON.stringify(record) + '\n');
      try {
        let off = 0;
        while (off < line.length) off += fs.writeSync(fd, line, off);
        fs.fsyncSync(fd);
      } catch (e) {
        // Leave no half record behind, so the journal stays readable.
        try { fs.ftruncateSync(fd, goodBytes); } catch { /* the error below says it */ }
        throw e;
      }
      goodBytes += line.length;
      records.push(record);
      return record;
    },
    close(): void {
      if (!closed) {
        closed = true;
        fs.closeSync(fd);
      }
    },
  };
}

// main/ (core, Node) — the append-only journal: one JSON record per line, fsync'd before append() returns.
// Read as a stream in time linear in its size; nothing in it is ever fatal: a torn last line is moved aside,
// a line that cannot be read (damage, an unknown record type) is reported and stands in as a placeholder
// record, so the numbering has no gaps and consoles keep following; a missing or shortened journal is
// detected against its watermark and reported on every console.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { JournalRecord, StationEvent } from '../../shared/events';

import { z } from 'zod';
import { parseJsonFile } from './fileSchema';
import { DATA_FILES } from './settings';

import { GENESIS, recordHash, scanJournalFile, verifyChainSliced, type FileScan, type JournalAnchor, type JournalProblem } from './journalRead';

export { describeProblem, recordHash, scanJournal, scanJournalFile, verifyChainSliced } from './journalRead';
export type { FileScan, JournalAnchor, JournalProblem, JournalScan } from './journalRead';

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
  /** Where the journal stands now (for a state snapshot taken at this moment). */
  position(): JournalAnchor;
  /** Appends durably; throws if the record could not be made durable (nothing is then kept). */
  append(event: StationEvent): JournalRecord;
  /** Appends several events with one fsync (all or nothing). */
  appendBatch(events: StationEvent[]): JournalRecord[];
  close(): void;
}

/**
 * The records after `seq` among `recent` (the last ones, ending at `lastSeq`), or undefined when they begin after it.
 * Numbering has no gaps (placeholders fill them), so this is a slice. Journal.recordsAfter of both journals.
 */
export function recentAfter(recent: readonly JournalRecord[], lastSeq: number, seq: number): readonly JournalRecord[] | undefined {
  if (seq >= lastSeq) return [];
  const first = recent[0]?.seq ?? lastSeq + 1;
  if (seq + 1 < first) return undefined;
  return recent.slice(seq + 1 - first);
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
  /**
   * Start reading after this point (a state snapshot's anchor, main/core/snapshot.ts, already checked against the
   * file): the records before it are not read again, and the problems found in them then are kept.
   */
  resume?: JournalAnchor;
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
        opts.resume,
      )
    : { problems: [], lastSeq: 0, lastHash: GENESIS, lastAt: 0, lines: 0, records: 0, goodBytes: 0, tail: Buffer.alloc(0) };
  const problems = [...(existed ? (opts.resume?.problems ?? []) : []), ...scan.problems];
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
  let lastAt = scan.lastAt;
  let lines = scan.lines;
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
    lines += batch.length;
    lastAt = batch[batch.length - 1]?.event.at ?? lastAt;
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
    recordsAfter: (seq: number) => recentAfter(records, lastSeq, seq),
    position: (): JournalAnchor => ({
      seq: lastSeq,
      hash: lastHash,
      bytes: goodBytes,
      lines,
      lastAt,
      problems: problems.filter((p) => p.kind === 'bad_record'),
    }),
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

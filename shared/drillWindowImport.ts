// shared/ — school drill windows (演练报备) from a file: the county's drill calendar, or a school's list, as CSV with
// one window per row (学校编号/schoolId, 日期/date, 开始/from, 结束/to, 备注/note; times on the station's clock).
// Pure: the whole file is checked first and every problem named by line and column; only a file without one is
// registered (the console then sends each row as drillWindow:register, which the core checks once more).
import { parseCsv } from './csv';
import type { RowError } from './dataColumns';
import { MAX_IMPORT_BYTES } from './dataColumns';
import { fromZoned, HHMM } from './duty';
import { DATE, isCalendarDate } from './inspections';
import { DRILL_WINDOW_AHEAD_MS, registerDrillWindowSchema } from './planRecords';
import { utf8Bytes } from './utf8';

/** At most this many windows in one file (a county's semester: 300 schools × 3 drills, with room). */
export const MAX_DRILL_WINDOW_ROWS = 2000;
/** Errors listed; the rest are counted. */
const MAX_LISTED = 50;

export const DRILL_WINDOW_COLUMNS = ['schoolId', 'date', 'from', 'to', 'note'] as const;
type Column = (typeof DRILL_WINDOW_COLUMNS)[number];
/** Header names accepted for each column, English or Chinese, any case. */
const HEADER: Readonly<Record<string, Column>> = {
  schoolid: 'schoolId',
  学校编号: 'schoolId',
  date: 'date',
  日期: 'date',
  from: 'from',
  开始: 'from',
  开始时间: 'from',
  to: 'to',
  结束: 'to',
  结束时间: 'to',
  note: 'note',
  备注: 'note',
};

export interface DrillWindowRow {
  line: number;
  schoolId: string;
  from: number;
  to: number;
  note: string;
}

export type DrillWindowImport = { ok: true; rows: DrillWindowRow[] } | { ok: false; errors: RowError[]; omitted: number };

/** The answer for a file of `bytes` that is too large to read (the console asks before it reads the file). */
export function drillWindowFileTooLarge(bytes: number): DrillWindowImport | undefined {
  if (bytes <= MAX_IMPORT_BYTES) return undefined;
  return { ok: false, errors: [{ line: 0, field: '', reason: `the file is larger than ${MAX_IMPORT_BYTES / 1024} KiB` }], omitted: 0 };
}

/**
 * Reads a drill-window CSV. `schools`: the ids the station knows (a row for another school is an error, not
 * skipped). Two rows for the same school and time are an error too (a file pasted twice would otherwise
 * announce every drill twice), and so is a window the core would refuse at `now`: one already over, or one
 * more than 90 days ahead.
 */
export function parseDrillWindows(text: string, schools: ReadonlySet<string>, timeZone: string, now: number): DrillWindowImport {
  const errors: RowError[] = [];
  let omitted = 0;
  const fail = (e: RowError): void => {
    if (errors.length < MAX_LISTED) errors.push(e);
    else omitted++;
  };
  const tooLarge = drillWindowFileTooLarge(utf8Bytes(text));
  if (tooLarge) return tooLarge;
  const csv = parseCsv(text);
  if (!csv.ok) return { ok: false, errors: [csv.error], omitted };
  const [head, ...records] = csv.records;
  if (!head) return { ok: false, errors: [{ line: 0, field: '', reason: 'the file is empty' }], omitted };
  const index = new Map<Column, number>();
  head.fields.forEach((raw, i) => {
    const col = Object.prototype.hasOwnProperty.call(HEADER, raw.trim().toLowerCase()) ? HEADER[raw.trim().toLowerCase()] : undefined;
    if (!col) fail({ line: head.line, field: raw.slice(0, 40), reason: `unknown column (expected ${DRILL_WINDOW_COLUMNS.join(', ')})` });
    else if (index.has(col)) fail({ line: head.line, field: col, reason: 'the column appears twice' });
    else index.set(col, i);
  });
  for (const col of DRILL_WINDOW_COLUMNS) if (col !== 'note' && !index.has(col)) fail({ line: head.line, field: col, reason: 'the column is missing' });
  if (errors.length > 0) return { ok: false, errors, omitted };
  if (records.length === 0) return { ok: false, errors: [{ line: 0, field: '', reason: 'the file has no rows' }], omitted };
  if (records.length > MAX_DRILL_WINDOW_ROWS) {
    return { ok: false, errors: [{ line: 0, field: '', reason: `more than ${MAX_DRILL_WINDOW_ROWS} rows` }], omitted };
  }

  const rows: DrillWindowRow[] = [];
  const seen = new Map<string, number>();
  for (const r of records) {
    const cell = (col: Column): string => {
      const i = index.get(col);
      return i === undefined ? '' : (r.fields[i] ?? '').trim();
    };
    if (r.fields.length !== head.fields.length) {
      fail({ line: r.line, field: '', reason: `${r.fields.length} fields, the header has ${head.fields.length}` });
      continue;
    }
    const schoolId = cell('schoolId');
    const date = cell('date');
    const from = cell('from');
    const to = cell('to');
    let bad = false;
    if (!schools.has(schoolId)) {
      fail({ line: r.line, field: 'schoolId', reason: schoolId === '' ? 'empty' : `no school "${schoolId.slice(0, 64)}" at this station` });
      bad = true;
    }
    if (!isCalendarDate(date)) {
      fail({ line: r.line, field: 'date', reason: DATE.test(date) ? `no such day: ${date}` : 'not a date YYYY-MM-DD' });
      bad = true;
    }
    for (const [field, v] of [
      ['from', from],
      ['to', to],
    ] as const) {
      if (!HHMM.test(v)) {
        fail({ line: r.line, field, reason: 'not a time HH:MM' });
        bad = true;
      }
    }
    if (bad) continue;
    const [y, m, d] = date.split('-').map(Number) as [number, number, number];
    const at = (hm: string): number => {
      const [h, mi] = hm.split(':').map(Number) as [number, number];
      return fromZoned(y, m, d, h, mi, timeZone);
    };
    const row = { schoolId, from: at(from), to: at(to), note: cell('note') };
    const check = registerDrillWindowSchema.safeParse(row);
    if (!check.success) {
      for (const issue of check.error.issues) fail({ line: r.line, field: String(issue.path[0] ?? ''), reason: issue.message });
      continue;
    }
    if (row.to <= now) {
      fail({ line: r.line, field: 'to', reason: 'the drill window is over already' });
      continue;
    }
    if (row.from > now + DRILL_WINDOW_AHEAD_MS) {
      fail({ line: r.line, field: 'from', reason: 'a drill can be announced at most 90 days ahead' });
      continue;
    }
    const key = `${schoolId}\u0000${row.from}\u0000${row.to}`;
    const twin = seen.get(key);
    if (twin !== undefined) {
      fail({ line: r.line, field: '', reason: `the same window as line ${twin}` });
      continue;
    }
    seen.set(key, r.line);
    rows.push({ line: r.line, ...row });
  }
  return errors.length > 0 ? { ok: false, errors, omitted } : { ok: true, rows };
}

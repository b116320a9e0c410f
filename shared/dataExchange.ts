// shared/ — import and export of reference data (schools, terminals, guard posts, police rooms, patrol units)
// as CSV or JSON. Pure: text in, rows or row-level errors out; no I/O. The registry applies the rows (all or
// nothing) and adds the checks that need the rest of the registry. See docs/data-exchange.md.
//
// Line numbers: every error carries `line`, 1-based. In CSV it is the physical line where the record starts
// (the header is line 1; a quoted field with newlines makes one record span several lines). In JSON it is
// the 1-based position of the item in the top-level array. `line: 0` means the whole file (too large, not
// valid JSON, no header …). Secrets (token hashes) are never part of an export and never read from an import.
import { z } from 'zod';
import type { DutyWindow, GuardPost, PatrolUnit, PoliceRoom, School, Terminal } from './model';
import { HHMM, minutesOf } from './duty';

export const DATA_KINDS = ['schools', 'terminals', 'guardPosts', 'policeRooms', 'units'] as const;
export type DataKind = (typeof DATA_KINDS)[number];
export const DATA_FORMATS = ['csv', 'json'] as const;
export type DataFormat = (typeof DATA_FORMATS)[number];

export const isDataKind = (x: unknown): x is DataKind => (DATA_KINDS as readonly unknown[]).includes(x);
export const isDataFormat = (x: unknown): x is DataFormat => (DATA_FORMATS as readonly unknown[]).includes(x);

/**
 * The most an import may hold. The console sends the file over its socket, whose frames are capped at 1 MiB
 * (main/core.ts, maxHttpBufferSize); 768 KiB of text leaves room for the JSON escaping of quotes and line
 * breaks on the way. The CLI uses the same limits, so a file that imports in one place imports in the other.
 */
export const MAX_IMPORT_BYTES = 768 * 1024;
export const MAX_IMPORT_ROWS = 20_000;
/** Row errors listed at most; the rest are counted in `omitted`. */
export const MAX_LISTED_ERRORS = 200;

export interface TerminalRow extends Terminal {
  disabled: boolean;
}
export interface UnitRow extends PatrolUnit {
  disabled: boolean;
}
/** One complete row of each kind, as exported. */
export interface KindRows {
  schools: School;
  terminals: TerminalRow;
  guardPosts: GuardPost;
  policeRooms: PoliceRoom;
  units: UnitRow;
}
export type AnyRow = KindRows[DataKind];
/**
 * One imported row: optional columns the file left out (absent CSV column or JSON key, or an empty cell in a
 * switch column: area, disabled, hasDevice) are undefined — an existing record keeps its value, a new one
 * gets the default (see mergeRow).
 */
export type ImportRow<K extends DataKind> = Partial<KindRows[K]> & { [F in IdField<K>]: string };
type IdField<K extends DataKind> = K extends 'terminals' ? 'deviceId' : 'id';

export interface RowError {
  /** 1-based: CSV physical line where the record starts (header = 1); JSON item number. 0 = the whole file. */
  line: number;
  /** Column name, or '' for the whole row or file. */
  field: string;
  reason: string;
}

export type ParsedImport<K extends DataKind> =
  | { ok: true; kind: K; rows: ImportRow<K>[]; /** `line` of each row, same order. */ lines: number[] }
  | {
      ok: false;
      errors: RowError[];
      /** Further errors not listed. */
      omitted: number;
      /** The rows that passed (and their lines), so the registry can add its own checks to the same answer. */
      validRows: ImportRow<K>[];
      validLines: number[];
    };

// ---------------------------------------------------------------------------------------------------------
// Columns

interface Column {
  name: string;
  required: boolean;
  /** Validates the typed value (a JSON value, or a CSV cell after decode). */
  schema: z.ZodType;
  /** What a good value looks like, for messages: `lat must be …, got "abc"`. */
  expect: string;
  /** CSV cell → typed value; returns the cell itself when it cannot, so the schema reports it. */
  decode?: (cell: string) => unknown;
  /** Typed value → CSV cell. */
  encode?: (v: unknown) => string;
  /** Free text: trimmed, formula-guarded in CSV (see guardFormula). */
  text?: boolean;
  /** An empty CSV cell means "not given" (switches), not an empty value. */
  emptyIsAbsent?: boolean;
}

const ID_RE = /^[A-Za-z0-9_.:-]+$/;
const chars = (s: string): number => [...s].length;

function idCol(name: string, max: number): Column {
  return {
    name,
    required: true,
    schema: z.string().trim().regex(ID_RE).refine((s) => chars(s) <= max),
    expect: `must be 1–${max} characters of A-Z a-z 0-9 _ . : -`,
    // An id may start with "-" (e.g. -A1, which a spreadsheet computes): export guards it, import reads it back.
    decode: unguardId,
    encode: (v) => guardId(String(v)),
  };
}
function textCol(name: string, max: number, required: boolean): Column {
  const base = z.string().trim().refine((s) => chars(s) <= max);
  return {
    name,
    required,
    schema: required ? base.refine((s) => s.length > 0) : base,
    expect: required ? `must be 1–${max} characters` : `must be at most ${max} characters`,
    text: true,
  };
}
const NUMBER_RE = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const decodeNumber = (cell: string): unknown => (NUMBER_RE.test(cell.trim()) ? Number(cell.trim()) : cell);
const latCol: Column = { name: 'lat', required: true, schema: z.number().finite().min(-90).max(90), expect: 'must be a number between -90 and 90', decode: decodeNumber };
const lngCol: Column = { name: 'lng', required: true, schema: z.number().finite().min(-180).max(180), expect: 'must be a number between -180 and 180', decode: decodeNumber };

const TRUE = new Set(['true', '1', 'yes', 'y']);
const FALSE = new Set(['false', '0', 'no', 'n']);
function boolCol(name: string): Column {
  return {
    name,
    required: false,
    schema: z.boolean(),
    expect: 'must be true or false',
    decode: (c) => (TRUE.has(c.trim().toLowerCase()) ? true : FALSE.has(c.trim().toLowerCase()) ? false : c),
    encode: (v) => String(v),
    emptyIsAbsent: true,
  };
}
function enumCol(name: string, values: readonly [string, ...string[]], required: boolean): Column {
  return { name, required, schema: z.enum(values), expect: `must be one of ${values.join(', ')}`, decode: (c) => c.trim(), emptyIsAbsent: !required };
}

export const SCHOOL_TYPES = ['primary', 'middle', 'kindergarten', 'other'] as const;
export const AREA_CLASSES = ['urban', 'suburban', 'rural'] as const;
export const POLICE_ROOM_KINDS = ['police_room', 'kiosk'] as const;

// --- days: "1-5", "1,3,5", "1-3,6" ↔ [1,2,3,4,5] ---

/** "1-5,7" → [1,2,3,4,5,7]; undefined when it is not a list of ISO weekdays 1..7. */
export function parseDays(s: string): number[] | undefined {
  const out = new Set<number>();
  for (const part of s.split(',')) {
    const m = /^\s*([1-7])\s*(?:-\s*([1-7])\s*)?$/.exec(part);
    if (!m) return undefined;
    const a = Number(m[1]);
    const b = m[2] === undefined ? a : Number(m[2]);
    if (b < a) return undefined;
    for (let d = a; d <= b; d++) out.add(d);
  }
  return [...out].sort((x, y) => x - y);
}
/** [1,2,3,4,5,7] → "1-5,7" (runs of three or more become ranges). */
export function formatDays(days: readonly number[]): string {
  const ds = [...new Set(days)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < ds.length; ) {
    let j = i;
    while (j + 1 < ds.length && ds[j + 1] === ds[j]! + 1) j++;
    if (j - i >= 2) parts.push(`${ds[i]}-${ds[j]}`);
    else for (let k = i; k <= j; k++) parts.push(String(ds[k]));
    i = j + 1;
  }
  return parts.join(',');
}

// --- windows: "07:10-08:10;16:30-17:30" ↔ [{start,end}, …] ---

// The order checks below run even where a time failed HHMM (zod runs every check): such a time compares as NaN.
const minutes = (hhmm: string): number => (HHMM.test(hhmm) ? minutesOf(hhmm) : NaN);

/** "07:10-08:10; 16:30-17:30" → windows; undefined when a piece is not HH:MM-HH:MM (order is checked later). */
export function parseWindows(s: string): DutyWindow[] | undefined {
  const out: DutyWindow[] = [];
  for (const part of s.split(';')) {
    if (part.trim() === '' && out.length > 0) continue; // a trailing ';'
    const m = /^\s*(\d{1,2}:\d{2})\s*-\s*(\d{1,2}:\d{2})\s*$/.exec(part);
    if (!m) return undefined;
    const pad = (t: string): string => (t.length === 4 ? `0${t}` : t); // 7:10 → 07:10
    out.push({ start: pad(m[1]!), end: pad(m[2]!) });
  }
  return out;
}
export const formatWindows = (ws: readonly DutyWindow[]): string => ws.map((w) => `${w.start}-${w.end}`).join(';');

const daysSchema = z
  .array(z.number().int().min(1).max(7))
  .min(1)
  .transform((ds) => [...new Set(ds)].sort((a, b) => a - b));
const windowsSchema = z
  .array(z.strictObject({ start: z.string().regex(HHMM), end: z.string().regex(HHMM) }))
  .min(1)
  .superRefine((ws, ctx) => {
    ws.forEach((w, i) => {
      if (minutes(w.end) <= minutes(w.start)) ctx.addIssue({ code: 'custom', message: `window ${i + 1} (${w.start}-${w.end}) must end after it starts` });
    });
    const sorted = [...ws].sort((a, b) => minutes(a.start) - minutes(b.start));
    for (let i = 1; i < sorted.length; i++) {
      const a = sorted[i - 1]!;
      const b = sorted[i]!;
      if (minutes(b.start) < minutes(a.end)) ctx.addIssue({ code: 'custom', message: `windows ${a.start}-${a.end} and ${b.start}-${b.end} overlap` });
    }
  });

const daysCol: Column = {
  name: 'days',
  required: true,
  schema: daysSchema,
  expect: 'must be ISO weekdays 1–7 (1 = Monday) like 1-5 or 1,3,5',
  decode: (c) => parseDays(c) ?? c,
  encode: (v) => formatDays(v as number[]),
};
const windowsCol: Column = {
  name: 'windows',
  required: true,
  schema: windowsSchema,
  expect: 'must be HH:MM-HH:MM duty windows separated by ; like 07:10-08:10;16:30-17:30',
  decode: (c) => parseWindows(c) ?? c,
  encode: (v) => formatWindows(v as DutyWindow[]),
};

/** The columns of each kind, in file order. Stable: files written by one version import into the next. */
const COLUMN_SPECS: Record<DataKind, readonly Column[]> = {
  schools: [
    idCol('id', 64),
    textCol('name', 200, true),
    textCol('nameEn', 200, false),
    enumCol('type', SCHOOL_TYPES, true),
    textCol('address', 500, false),
    latCol,
    lngCol,
    enumCol('area', AREA_CLASSES, false),
    textCol('phone', 64, false),
  ],
  terminals: [idCol('deviceId', 128), idCol('schoolId', 64), textCol('label', 200, false), boolCol('disabled')],
  guardPosts: [idCol('id', 64), textCol('name', 200, true), idCol('schoolId', 64), latCol, lngCol, daysCol, windowsCol],
  policeRooms: [idCol('id', 64), textCol('name', 200, true), enumCol('kind', POLICE_ROOM_KINDS, true), latCol, lngCol],
  units: [idCol('id', 128), textCol('name', 200, true), textCol('callsign', 64, true), latCol, lngCol, boolCol('hasDevice'), boolCol('disabled')],
};

function byKind<T>(f: (k: DataKind) => T): Record<DataKind, T> {
  const out = {} as Record<DataKind, T>;
  for (const k of DATA_KINDS) out[k] = f(k);
  return out;
}

/** Header names per kind, in order. */
export const COLUMNS: Record<DataKind, readonly string[]> = byKind((k) => COLUMN_SPECS[k].map((c) => c.name));
/** Columns that must be present in every file of that kind. */
export const REQUIRED_COLUMNS: Record<DataKind, readonly string[]> = byKind((k) => COLUMN_SPECS[k].filter((c) => c.required).map((c) => c.name));
/** The column that identifies a row (upsert key). */
export const ID_COLUMN: { [K in DataKind]: IdField<K> } = { schools: 'id', terminals: 'deviceId', guardPosts: 'id', policeRooms: 'id', units: 'id' };

export const rowId = <K extends DataKind>(kind: K, row: Partial<KindRows[K]>): string => (row as Record<string, unknown>)[ID_COLUMN[kind]] as string;

const SECRET_WORDS = /token|secret|password|hash|salt/i;

// ---------------------------------------------------------------------------------------------------------
// CSV (RFC 4180)

export interface CsvRecord {
  /** Physical line (1-based) where the record starts. */
  line: number;
  fields: string[];
}
export type CsvParse = { ok: true; records: CsvRecord[] } | { ok: false; error: RowError };

/**
 * RFC 4180 CSV: fields separated by commas, records by CRLF (LF or a lone CR are accepted too), fields may be
 * quoted, "" inside quotes is one ", and quoted fields may hold commas and line breaks. A UTF-8 BOM at the
 * start is dropped. Empty lines (outside quotes) are skipped, so a blank trailing line is fine.
 */
export function parseCsv(text: string): CsvParse {
  const s = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const records: CsvRecord[] = [];
  let fields: string[] = [];
  let field = '';
  let line = 1;
  let recordLine = 1;
  let quotedRecord = false; // the record has a quoted field (so a lone "" is not an empty line)
  let i = 0;
  const endRecord = (): void => {
    fields.push(field);
    if (!(fields.length === 1 && fields[0] === '' && !quotedRecord)) records.push({ line: recordLine, fields });
    fields = [];
    field = '';
    quotedRecord = false;
  };
  const lineBreakAt = (j: number): number => (s[j] === '\r' && s[j + 1] === '\n' ? 2 : s[j] === '\n' || s[j] === '\r' ? 1 : 0);
  const countBreaks = (chunk: string): number => (chunk.match(/\r\n|\r|\n/g) ?? []).length;
  const special = /[",\r\n]/g;
  while (i < s.length) {
    const c = s[i]!;
    if (c === '"' && field === '') {
      // A quoted field (only when the quote opens the field): runs up to the next " that is not doubled.
      quotedRecord = true;
      const startLine = line;
      i++;
      for (;;) {
        const q = s.indexOf('"', i);
        if (q < 0) return { ok: false, error: { line: startLine, field: '', reason: 'a quoted field is not closed: a " is missing' } };
        const chunk = s.slice(i, q);
        field += chunk;
        line += countBreaks(chunk);
        if (s[q + 1] === '"') {
          field += '"';
          i = q + 2;
          continue;
        }
        i = q + 1;
        break;
      }
      // After the closing quote: a comma, a line break or the end.
      if (i < s.length && s[i] !== ',' && lineBreakAt(i) === 0) {
        return { ok: false, error: { line, field: '', reason: `unexpected character ${JSON.stringify(s[i])} after a closing quote (write "" for a quote inside a quoted field)` } };
      }
      if (s[i] === ',') {
        fields.push(field);
        field = '';
        i++;
      }
      continue; // a line break is handled by the next turn of the loop
    }
    if (c === ',') {
      fields.push(field);
      field = '';
      i++;
      continue;
    }
    const br = lineBreakAt(i);
    if (br > 0) {
      endRecord();
      i += br;
      line++;
      recordLine = line;
      continue;
    }
    if (c === '"') return { ok: false, error: { line, field: '', reason: 'a " inside an unquoted field: quote the whole field and write "" for each quote' } };
    // Plain text up to the next comma, quote or line break.
    special.lastIndex = i;
    const m = special.exec(s);
    const stop = m ? m.index : s.length;
    field += s.slice(i, stop);
    i = stop;
  }
  // The last record, when the file does not end with a line break ("a,b" or "a," or a quoted field).
  if (fields.length > 0 || field !== '' || quotedRecord) endRecord();
  return { ok: true, records };
}

/**
 * One CSV field: quoted when it holds a comma, a quote or a line break, starts with a BOM (which the parser
 * would drop at the start of the file), or is a record's only, empty field (else it reads as a blank line).
 */
function csvField(v: string, only: boolean): string {
  return /[",\r\n]/.test(v) || v.startsWith('\uFEFF') || (only && v === '') ? `"${v.replace(/"/g, '""')}"` : v;
}

/** RFC 4180: CRLF after every record. `parseCsv(serializeCsv(r))` gives back r (records of at least one field). */
export function serializeCsv(records: readonly (readonly string[])[]): string {
  return records.map((r) => r.map((f) => csvField(f, r.length === 1)).join(',') + '\r\n').join('');
}

/**
 * Spreadsheets run a cell starting with = + - @ (or a tab / CR) as a formula. Exported text cells that start so,
 * or start with the guard ' itself, get a leading '; the import removes one leading ' from text cells. The
 * round trip is exact; a hand-written leading ' is read as this guard.
 */
export function guardFormula(v: string): string {
  return /^[=+\-@\t\r']/.test(v) ? `'${v}` : v;
}
export function unguardFormula(v: string): string {
  return v.startsWith("'") ? v.slice(1) : v;
}

/** What a spreadsheet runs as a formula (OWASP CSV injection): = + - @ tab CR at the start of a cell. */
const FORMULA_START = /^[=+\-@\t\r]/;
/**
 * Id cells (A-Z a-z 0-9 _ . : -) can start with "-" only; they get the same leading ' when they do. An id never
 * holds a ', so the import removes one only when ours: a ' followed by a formula character. Any other ' stays
 * and the id is reported as invalid.
 */
export function guardId(v: string): string {
  return FORMULA_START.test(v) ? `'${v}` : v;
}
export function unguardId(cell: string): string {
  const t = cell.trim();
  return t.startsWith("'") && FORMULA_START.test(t.slice(1)) ? t.slice(1) : cell;
}

// ---------------------------------------------------------------------------------------------------------
// Import

/** UTF-8 size of a string, without TextEncoder (shared/ has no DOM or Node types). */
export function utf8Bytes(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    n += c < 0x80 ? 1 : c < 0x800 ? 2 : c >= 0xd800 && c < 0xdc00 ? 4 : c >= 0xdc00 && c < 0xe000 ? 0 : 3;
  }
  return n;
}

const fmtBytes = (n: number): string => (n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MiB` : `${Math.ceil(n / 1024)} KiB`);
const show = (v: unknown): string => {
  const s = v === undefined ? 'nothing' : JSON.stringify(v) ?? String(v);
  return s.length > 80 ? `${s.slice(0, 77)}…` : s;
};

class ErrorList {
  readonly errors: RowError[] = [];
  omitted = 0;
  add(line: number, field: string, reason: string): void {
    if (this.errors.length < MAX_LISTED_ERRORS) this.errors.push({ line, field, reason });
    else this.omitted++;
  }
  get count(): number {
    return this.errors.length + this.omitted;
  }
}

/** The strict zod object of a kind's row: present keys are checked, missing required keys reported. */
const rowSchemas: Record<DataKind, z.ZodType> = byKind((k) =>
  z.strictObject(Object.fromEntries(COLUMN_SPECS[k].map((c) => [c.name, c.required ? c.schema : c.schema.optional()]))),
);

/** Validates one row object (typed values), adding its errors; returns the clean row or undefined. */
function checkRow(kind: DataKind, obj: Record<string, unknown>, raw: Record<string, unknown>, line: number, errs: ErrorList): Record<string, unknown> | undefined {
  const r = rowSchemas[kind].safeParse(obj);
  if (r.success) return r.data as Record<string, unknown>;
  const seen = new Set<string>();
  for (const issue of r.error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) errs.add(line, key, unknownColumn(kind, key));
      continue;
    }
    const field = String(issue.path[0] ?? '');
    const col = COLUMN_SPECS[kind].find((c) => c.name === field);
    if (!col) {
      errs.add(line, field, issue.message);
      continue;
    }
    const v = raw[field];
    if (v === undefined || v === '') {
      if (!seen.has(field)) errs.add(line, field, `${field} is required`);
    } else if (issue.code === 'custom' && issue.message) {
      errs.add(line, field, `${field}: ${issue.message}, got ${show(v)}`);
    } else if (!seen.has(field)) {
      errs.add(line, field, `${field} ${col.expect}, got ${show(v)}`);
    }
    seen.add(field);
  }
  return undefined;
}

function unknownColumn(kind: DataKind, name: string): string {
  const why = SECRET_WORDS.test(name) ? ' (secrets are never imported: new devices get fresh tokens)' : '';
  return `unknown column "${name}"${why}; the columns of ${kind} are ${COLUMNS[kind].join(', ')}`;
}

/**
 * Parses and checks an import file of one kind. Everything that can be checked inside the file is: columns,
 * field counts, every value, duplicate ids. The registry then checks references (schools, device ids).
 */
export function parseImport<K extends DataKind>(kind: K, format: DataFormat, text: string): ParsedImport<K> {
  const steps = importSteps(kind, format, text);
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}

/**
 * parseImport in slices of a few hundred rows, awaiting `pause` between them, so a core checking a large file
 * keeps answering alarms meanwhile (the core passes a setImmediate). Same answer as parseImport.
 */
export async function parseImportInSlices<K extends DataKind>(kind: K, format: DataFormat, text: string, pause: () => Promise<void>): Promise<ParsedImport<K>> {
  const steps = importSteps(kind, format, text);
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
    await pause();
  }
}

const ROWS_PER_SLICE = 250;

function* importSteps<K extends DataKind>(kind: K, format: DataFormat, text: string): Generator<void, ParsedImport<K>> {
  const errs = new ErrorList();
  const rows: ImportRow<K>[] = [];
  const lines: number[] = [];
  const fail = (): ParsedImport<K> => ({ ok: false, errors: [...errs.errors].sort((a, b) => a.line - b.line), omitted: errs.omitted, validRows: rows, validLines: lines });
  if (!isDataKind(kind)) {
    errs.add(0, '', `unknown kind "${String(kind)}"; one of ${DATA_KINDS.join(', ')}`);
    return fail();
  }
  const size = utf8Bytes(text);
  if (size > MAX_IMPORT_BYTES) {
    errs.add(0, '', `the file is ${fmtBytes(size)}; at most ${fmtBytes(MAX_IMPORT_BYTES)} can be imported at once: split it into several files`);
    return fail();
  }
  const items = format === 'csv' ? csvItems(kind, text, errs) : jsonItems(kind, text, errs);
  if (!items) return fail();
  if (items.length > MAX_IMPORT_ROWS) {
    errs.add(0, '', `the file has ${items.length} rows; at most ${MAX_IMPORT_ROWS} can be imported at once: split it into several files`);
    return fail();
  }
  const firstLine = new Map<string, number>();
  const idCol = ID_COLUMN[kind];
  yield;
  for (const [n, it] of items.entries()) {
    if (n > 0 && n % ROWS_PER_SLICE === 0) yield;
    const row = checkRow(kind, it.value, it.raw, it.line, errs);
    const id = typeof it.value[idCol] === 'string' ? (it.value[idCol] as string).trim() : undefined;
    if (id) {
      const first = firstLine.get(id);
      if (first !== undefined) errs.add(it.line, idCol, `duplicate ${idCol} "${id}" (first on ${format === 'csv' ? 'line' : 'item'} ${first})`);
      else firstLine.set(id, it.line);
    }
    if (row) {
      rows.push(row as ImportRow<K>);
      lines.push(it.line);
    }
  }
  if (errs.count > 0) return fail();
  return { ok: true, kind, rows, lines };
}

interface Item {
  line: number;
  /** Typed values (decoded CSV cells, or the JSON object). */
  value: Record<string, unknown>;
  /** What the file said, for messages. */
  raw: Record<string, unknown>;
}

function csvItems(kind: DataKind, text: string, errs: ErrorList): Item[] | undefined {
  const parsed = parseCsv(text);
  if (!parsed.ok) {
    errs.add(parsed.error.line, '', parsed.error.reason);
    return undefined;
  }
  const [header, ...records] = parsed.records;
  if (!header) {
    errs.add(0, '', `the file is empty: the first line must be the header ${COLUMNS[kind].join(',')}`);
    return undefined;
  }
  const specs = COLUMN_SPECS[kind];
  const cols: (Column | undefined)[] = [];
  const seen = new Set<string>();
  header.fields.forEach((h, idx) => {
    const name = h.trim();
    const col = specs.find((c) => c.name.toLowerCase() === name.toLowerCase());
    if (!col) errs.add(header.line, name, name === '' ? `column ${idx + 1} of the header has no name` : unknownColumn(kind, name));
    else if (seen.has(col.name)) errs.add(header.line, col.name, `column "${col.name}" appears twice in the header`);
    else seen.add(col.name);
    cols.push(col);
  });
  for (const c of specs) if (c.required && !seen.has(c.name)) errs.add(header.line, c.name, `required column "${c.name}" is missing from the header`);
  if (errs.count > 0) return undefined;
  if (records.length > MAX_IMPORT_ROWS) {
    errs.add(0, '', `the file has ${records.length} rows; at most ${MAX_IMPORT_ROWS} can be imported at once: split it into several files`);
    return undefined;
  }
  const items: Item[] = [];
  for (const rec of records) {
    if (rec.fields.length !== cols.length) {
      errs.add(rec.line, '', `has ${rec.fields.length} field${rec.fields.length === 1 ? '' : 's'}, the header has ${cols.length}`);
      continue;
    }
    const value: Record<string, unknown> = {};
    const raw: Record<string, unknown> = {};
    rec.fields.forEach((cell, idx) => {
      const col = cols[idx]!;
      raw[col.name] = cell;
      if (cell.trim() === '' && (col.required || col.emptyIsAbsent)) return; // required → reported as missing
      value[col.name] = col.text ? unguardFormula(cell.trim()) : col.decode ? col.decode(cell) : cell;
    });
    items.push({ line: rec.line, value, raw });
  }
  return items;
}

function jsonItems(kind: DataKind, text: string, errs: ErrorList): Item[] | undefined {
  let data: unknown;
  try {
    data = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (e) {
    const msg = (e as Error).message;
    const pos = /position (\d+)/.exec(msg);
    let where = '';
    if (pos) {
      const before = text.slice(0, Number(pos[1]));
      const ln = before.split('\n').length;
      where = ` (file line ${ln}, column ${before.length - before.lastIndexOf('\n')})`;
    }
    errs.add(0, '', `not valid JSON${where}: ${msg}`);
    return undefined;
  }
  if (!Array.isArray(data)) {
    errs.add(0, '', `the JSON must be an array of ${kind} objects, one per item`);
    return undefined;
  }
  if (data.length > MAX_IMPORT_ROWS) {
    errs.add(0, '', `the file has ${data.length} rows; at most ${MAX_IMPORT_ROWS} can be imported at once: split it into several files`);
    return undefined;
  }
  const items: Item[] = [];
  data.forEach((x, idx) => {
    if (typeof x !== 'object' || x === null || Array.isArray(x)) {
      errs.add(idx + 1, '', `item ${idx + 1} must be an object with the columns ${COLUMNS[kind].join(', ')}`);
      return;
    }
    items.push({ line: idx + 1, value: x as Record<string, unknown>, raw: x as Record<string, unknown> });
  });
  return items;
}

// ---------------------------------------------------------------------------------------------------------
// Merge and export

/**
 * The record an import row makes: over the existing record (if the id exists) or the defaults; columns the
 * file left out keep the existing value. Defaults: nameEn = name, address/phone '', area urban, label =
 * deviceId, disabled false, hasDevice true. An empty nameEn or label is the name or device id.
 */
export function mergeRow<K extends DataKind>(kind: K, existing: KindRows[K] | undefined, row: ImportRow<K>): KindRows[K] {
  const given = Object.fromEntries(Object.entries(row).filter(([, v]) => v !== undefined)) as Record<string, unknown>;
  const r = row as Record<string, unknown>;
  const defaults: Record<DataKind, Record<string, unknown>> = {
    schools: { nameEn: '', address: '', phone: '', area: 'urban' },
    terminals: { label: '', disabled: false },
    guardPosts: {},
    policeRooms: {},
    units: { hasDevice: true, disabled: false },
  };
  const out = { ...defaults[kind], ...(existing ?? {}), ...given } as Record<string, unknown>;
  if (kind === 'schools' && out.nameEn === '') out.nameEn = out.name;
  if (kind === 'terminals' && out.label === '') out.label = r.deviceId;
  // Only the columns of the kind (an existing record may carry a secret: the caller keeps it on the side).
  return Object.fromEntries(COLUMNS[kind].map((c) => [c, out[c]])) as unknown as KindRows[K];
}

/** The columns of a row, in order, and nothing else (a registry record's secret never gets through). */
function pick(kind: DataKind, row: object): Record<string, unknown> {
  const r = row as Record<string, unknown>;
  return Object.fromEntries(COLUMNS[kind].map((c) => [c, r[c]]));
}

/** Export text. CSV starts with a UTF-8 BOM (Excel on Chinese Windows reads it as UTF-8) and uses CRLF. */
export function exportData<K extends DataKind>(kind: K, format: DataFormat, rows: readonly KindRows[K][]): string {
  const specs = COLUMN_SPECS[kind];
  if (format === 'json') return `${JSON.stringify(rows.map((r) => pick(kind, r)), null, 2)}\n`;
  const body = rows.map((row) => {
    const r = row as unknown as Record<string, unknown>;
    return specs.map((c) => {
      const v = r[c.name];
      if (v === undefined || v === null) return '';
      if (c.encode) return c.encode(v);
      return c.text ? guardFormula(String(v)) : String(v);
    });
  });
  return `\uFEFF${serializeCsv([specs.map((c) => c.name), ...body])}`;
}

/** e.g. `schools-20250301-0930.csv`, from the station's local time. */
export function exportFilename(kind: DataKind, format: DataFormat, at: Date): string {
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${kind}-${at.getFullYear()}${p(at.getMonth() + 1)}${p(at.getDate())}-${p(at.getHours())}${p(at.getMinutes())}.${format}`;
}

/** The format a file name implies (.csv / .json), if any. */
export function formatOfFilename(name: string): DataFormat | undefined {
  const m = /\.(csv|json)$/i.exec(name);
  return m ? (m[1]!.toLowerCase() as DataFormat) : undefined;
}

/** `line 3, field lat: lat must be …` (or `line 3: …` for a whole row, `file: …` for line 0). */
export function formatRowError(e: RowError): string {
  const where = e.line === 0 ? 'file' : `line ${e.line}`;
  return e.field ? `${where}, field ${e.field}: ${e.reason}` : `${where}: ${e.reason}`;
}

// shared/ — the reference-data kinds of import and export, their columns (names, checks, CSV encodings) and
// the limits of one import. Pure. Line numbers: every error carries `line`, 1-based. In CSV it is the
// physical line where the record starts (the header is line 1; a quoted field with newlines makes one record
// span several lines). In JSON it is the 1-based position of the item in the top-level array. `line: 0` means
// the whole file (too large, not valid JSON, no header …). See docs/data-exchange.md.
import { z } from 'zod';
import type { DutyWindow, GuardPost, PatrolUnit, PoliceRoom, School, Terminal } from './model';
import { guardId, unguardId } from './csv';
import { HHMM, minutesOf } from './duty';

/**
 * Text limits of the reference records (schools, guard posts, police rooms, units): the same for an import and for the
 * admin screen's forms, so every record an import took can be edited there.
 */
export const MAX_RECORD_NAME_LENGTH = 200;
export const MAX_RECORD_ADDRESS_LENGTH = 500;
/** A school's phone, a unit's call sign. */
export const MAX_RECORD_SHORT_LENGTH = 64;

export const DATA_KINDS = ['schools', 'terminals', 'guardPosts', 'policeRooms', 'units'] as const;
export type DataKind = (typeof DATA_KINDS)[number];
export const DATA_FORMATS = ['csv', 'json'] as const;
export type DataFormat = (typeof DATA_FORMATS)[number];

export const isDataKind = (x: unknown): x is DataKind => (DATA_KINDS as readonly unknown[]).includes(x);
export const isDataFormat = (x: unknown): x is DataFormat => (DATA_FORMATS as readonly unknown[]).includes(x);

/**
 * The most an import may hold. The console sends the file over its socket, whose frames are capped at 1 MiB
 * (SOCKET_FRAME_BYTES, shared/limits.ts); 768 KiB of text leaves room for the JSON escaping of quotes and line
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

export interface Column {
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

/**
 * Characters no name, address, phone or call sign holds: C0 and C1 controls (NUL, tab, line breaks, NEL …), DEL, the
 * line and paragraph separators, and every text-direction mark, embedding, override and isolate (LRM, RLM, ALM,
 * U+202A–E, U+2066–9), which make a name display in another order than it is stored (a school shown under another's
 * name, a phone number's groups shown reversed) — and a line break in a name writes a line of its own into the log.
 */
const CONTROL_RE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
export const hasControlChars = (s: string): boolean => CONTROL_RE.test(s);
export const CONTROL_CHARS_MESSAGE = 'must not contain control characters (NUL, tab, line breaks, text-direction marks)';

/**
 * Whether `s` shows anything: a name of only spaces, zero-width or other format characters (U+200B, U+00AD …) or
 * blank letters (Hangul fillers, the braille blank) reads as no name on an alarm card and can be found by no one.
 */
const INVISIBLE_RE = /[\p{White_Space}\p{Cf}\u115f\u1160\u3164\uffa0\u2800]/gu;
export const hasVisibleText = (s: string): boolean => s.replace(INVISIBLE_RE, '').length > 0;
export const INVISIBLE_MESSAGE = 'must show something (not only spaces or invisible characters)';

/**
 * Names every JavaScript object has (`__proto__`, `constructor`, `toString` …). The core keeps ids as Map keys, so
 * one would be harmless there; a record may still not take one, from a file or a form alike: a spreadsheet or a
 * tool downstream that keeps ids as object keys would be poisoned by it.
 */
const RESERVED_IDS: ReadonlySet<string> = new Set([...Object.getOwnPropertyNames(Object.prototype), 'prototype']);
export const isReservedId = (id: string): boolean => RESERVED_IDS.has(id);

function idCol(name: string, max: number): Column {
  return {
    name,
    required: true,
    schema: z
      .string()
      .trim()
      .regex(ID_RE)
      .refine((s) => chars(s) <= max, `must be 1–${max} characters of A-Z a-z 0-9 _ . : -`)
      .refine((s) => !isReservedId(s), 'must not be a name every JavaScript object has (constructor, toString …)'),
    expect: `must be 1–${max} characters of A-Z a-z 0-9 _ . : -`,
    // An id may start with "-" (e.g. -A1, which a spreadsheet computes): export guards it, import reads it back.
    decode: unguardId,
    encode: (v) => guardId(String(v)),
  };
}
function textCol(name: string, max: number, required: boolean): Column {
  const base = z
    .string()
    .trim()
    .refine((s) => chars(s) <= max, `must be at most ${max} characters`)
    .refine((s) => !hasControlChars(s), CONTROL_CHARS_MESSAGE);
  return {
    name,
    required,
    schema: required ? base.refine(hasVisibleText, INVISIBLE_MESSAGE) : base,
    expect: required ? `must be 1–${max} characters` : `must be at most ${max} characters`,
    text: true,
  };
}
const NUMBER_RE = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const decodeNumber = (cell: string): unknown => (NUMBER_RE.test(cell.trim()) ? Number(cell.trim()) : cell);
const latCol: Column = {
  name: 'lat',
  required: true,
  schema: z.number().finite().min(-90).max(90),
  expect: 'must be a number between -90 and 90',
  decode: decodeNumber,
};
const lngCol: Column = {
  name: 'lng',
  required: true,
  schema: z.number().finite().min(-180).max(180),
  expect: 'must be a number between -180 and 180',
  decode: decodeNumber,
};

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
  for (let i = 0; i < ds.length;) {
    let j = i;
    while (j + 1 < ds.length && ds[j + 1] === ds[j]! + 1) j++;
    if (j - i >= 2) parts.push(`${ds[i]}-${ds[j]}`);
    else for (let k = i; k <= j; k++) parts.push(String(ds[k]));
    i = j + 1;
  }
  return parts.join(',');
}

// --- windows: "07:10-08:10;16:30-17:30" ↔ [{start,end}, …] ---

// The order checks below run even where a time failed the HHMM pattern (zod runs every check): such a time compares as NaN.
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

/**
 * The station a record belongs to (issue 15, shared/stations.ts): an id of the registry's `stations`. Left out or an
 * empty cell: an existing record keeps its station, a new one is the default station's (or, for a guard post, its
 * school's). Last in each kind's file, so files of an older version import unchanged.
 */
const stationCol: Column = {
  name: 'stationId',
  required: false,
  schema: z
    .string()
    .trim()
    .refine((s) => s.length > 0 && chars(s) <= 64),
  expect: "must be 1–64 characters: the id of one of the registry's stations",
  text: true,
  emptyIsAbsent: true,
};

/** The columns of each kind, in file order. Stable: files written by one version import into the next. */
export const COLUMN_SPECS: Record<DataKind, readonly Column[]> = {
  schools: [
    idCol('id', 64),
    textCol('name', MAX_RECORD_NAME_LENGTH, true),
    textCol('nameEn', MAX_RECORD_NAME_LENGTH, false),
    enumCol('type', SCHOOL_TYPES, true),
    textCol('address', MAX_RECORD_ADDRESS_LENGTH, false),
    latCol,
    lngCol,
    enumCol('area', AREA_CLASSES, false),
    textCol('phone', MAX_RECORD_SHORT_LENGTH, false),
    stationCol,
  ],
  terminals: [idCol('deviceId', 128), idCol('schoolId', 64), textCol('label', 200, false), boolCol('disabled')],
  guardPosts: [idCol('id', 64), textCol('name', MAX_RECORD_NAME_LENGTH, true), idCol('schoolId', 64), latCol, lngCol, daysCol, windowsCol, stationCol],
  policeRooms: [idCol('id', 64), textCol('name', MAX_RECORD_NAME_LENGTH, true), enumCol('kind', POLICE_ROOM_KINDS, true), latCol, lngCol, stationCol],
  units: [
    idCol('id', 128),
    textCol('name', MAX_RECORD_NAME_LENGTH, true),
    textCol('callsign', MAX_RECORD_SHORT_LENGTH, true),
    latCol,
    lngCol,
    boolCol('hasDevice'),
    boolCol('disabled'),
    textCol('postId', 64, false),
    stationCol,
  ],
};

export function byKind<T>(f: (k: DataKind) => T): Record<DataKind, T> {
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

export const SECRET_WORDS = /token|secret|password|hash|salt/i;

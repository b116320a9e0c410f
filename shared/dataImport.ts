// shared/ — import of reference data: text (CSV or JSON) in, checked rows or row-level errors out; no I/O.
// Everything that can be checked inside the file is checked here; the registry applies the rows (all or
// nothing) and adds the checks that need the rest of the registry (main/core/registryImport.ts). Secrets (token
// hashes) are never read from an import.
import { z } from 'zod';
import { parseCsv, unguardFormula } from './csv';
import {
  byKind,
  COLUMN_SPECS,
  COLUMNS,
  DATA_KINDS,
  ID_COLUMN,
  isDataKind,
  MAX_IMPORT_BYTES,
  MAX_IMPORT_ROWS,
  MAX_LISTED_ERRORS,
  SECRET_WORDS,
  type Column,
  type DataFormat,
  type DataKind,
  type ImportRow,
  type KindRows,
  type ParsedImport,
  type RowError,
} from './dataColumns';
import { utf8Bytes } from './utf8';

export { utf8Bytes };

const fmtBytes = (n: number): string => (n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MiB` : `${Math.ceil(n / 1024)} KiB`);
const show = (v: unknown): string => {
  let s: string;
  try {
    s = v === undefined ? 'nothing' : (JSON.stringify(v) ?? String(v));
  } catch {
    // Nested deeper than the stack (a hostile file's [[[…]]]): named by its kind, not printed.
    s = Array.isArray(v) ? 'a list nested too deep' : 'an object nested too deep';
  }
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
function checkRow(
  kind: DataKind,
  obj: Record<string, unknown>,
  raw: Record<string, unknown>,
  line: number,
  errs: ErrorList,
): Record<string, unknown> | undefined {
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
  const fail = (): ParsedImport<K> => ({
    ok: false,
    errors: [...errs.errors].sort((a, b) => a.line - b.line),
    omitted: errs.omitted,
    validRows: rows,
    validLines: lines,
  });
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
  // An empty postId is a patrol unit, not a post's device: kept absent, as a registry without the column has it.
  if (kind === 'units' && out.postId === '') delete out.postId;
  // No station: the default one, kept absent as a registry without stations has it.
  if (out.stationId === undefined) delete out.stationId;
  // Only the columns of the kind (an existing record may carry a secret: the caller keeps it on the side).
  return Object.fromEntries(COLUMNS[kind].filter((c) => c !== 'stationId' || out.stationId !== undefined).map((c) => [c, out[c]])) as unknown as KindRows[K];
}

/** `line 3, field lat: lat must be …` (or `line 3: …` for a whole row, `file: …` for line 0). */
export function formatRowError(e: RowError): string {
  const where = e.line === 0 ? 'file' : `line ${e.line}`;
  return e.field ? `${where}, field ${e.field}: ${e.reason}` : `${where}: ${e.reason}`;
}

// shared/ — CSV (RFC 4180) reading and writing, and the spreadsheet formula guard of exported cells. Pure.
import type { RowError } from './dataColumns';

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
        return {
          ok: false,
          error: { line, field: '', reason: `unexpected character ${JSON.stringify(s[i])} after a closing quote (write "" for a quote inside a quoted field)` },
        };
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
/** A report's CSV for a spreadsheet: a UTF-8 BOM (Excel and WPS then read Chinese), every cell formula-guarded. */
export function reportCsv(records: readonly (readonly string[])[]): string {
  return '\uFEFF' + serializeCsv(records.map((row) => row.map(guardFormula)));
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

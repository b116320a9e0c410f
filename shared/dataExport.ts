// shared/ — export of reference data as CSV or JSON text, never a secret, and the file names it is saved under.
// Pure.
import { guardFormula, serializeCsv } from './csv';
import { COLUMN_SPECS, COLUMNS, type DataFormat, type DataKind, type KindRows } from './dataColumns';
import { STATION_TIME_ZONE, zonedParts } from './duty';

/** The columns of a row, in order, and nothing else (a registry record's secret never gets through). */
function pick(kind: DataKind, row: object): Record<string, unknown> {
  const r = row as Record<string, unknown>;
  return Object.fromEntries(COLUMNS[kind].map((c) => [c, r[c]]));
}

/** Export text. CSV starts with a UTF-8 BOM (Excel on Chinese Windows reads it as UTF-8) and uses CRLF. */
export function exportData<K extends DataKind>(kind: K, format: DataFormat, rows: readonly KindRows[K][]): string {
  const specs = COLUMN_SPECS[kind];
  if (format === 'json')
    return `${JSON.stringify(
      rows.map((r) => pick(kind, r)),
      null,
      2,
    )}\n`;
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

/** e.g. `schools-20250301-0930.csv`, from the station's wall clock (its time zone, not the machine's). */
export function exportFilename(kind: DataKind, format: DataFormat, at: number, timeZone = STATION_TIME_ZONE): string {
  const p = (n: number): string => String(n).padStart(2, '0');
  const d = zonedParts(at, timeZone);
  return `${kind}-${d.year}${p(d.month)}${p(d.day)}-${p(d.hour)}${p(d.minute)}.${format}`;
}

/** The format a file name implies (.csv / .json), if any. */
export function formatOfFilename(name: string): DataFormat | undefined {
  const m = /\.(csv|json)$/i.exec(name);
  return m ? (m[1]!.toLowerCase() as DataFormat) : undefined;
}

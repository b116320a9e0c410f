// renderer/ — the history's table as rows of text: the same cells are drawn on screen and written to the CSV and
// XLSX exports, so a file equals the screen.
import { reportCsv } from '../../shared/csv';
import { HISTORY_PAGE_MAX, type HistoryRow } from '../../shared/historyWire';
import type { Sheet } from '../../shared/xlsx';
import { format, type Catalogue } from '../i18n';
import { clockTime, stationDate } from '../time';
import { statDuration, type Names } from './statsRows';

/** At most this many incidents go into one export (the history pages through the rest on screen). */
export const HISTORY_EXPORT_MAX = 10_000;

/**
 * Every incident a history request matches, up to `max`, a page at a time: the rows in order, each once, and how
 * many matched. Pages are newest first by offset, so after the first page the period ends at its newest incident:
 * an alarm arriving meanwhile would otherwise push a row onto the next page and export it twice.
 */
export async function collectHistory<R extends { to: number }, E>(
  request: R,
  fetchPage: (req: R & { offset: number; limit: number }) => Promise<{ ok: true; page: { rows: HistoryRow[]; total: number } } | { ok: false; error: E }>,
  max = HISTORY_EXPORT_MAX,
  pageMax = HISTORY_PAGE_MAX,
): Promise<{ ok: true; rows: HistoryRow[]; total: number } | { ok: false; error: E }> {
  const rows: HistoryRow[] = [];
  const seen = new Set<string>();
  let asked = request;
  let total = 0;
  for (let from = 0; from < max; from += pageMax) {
    const r = await fetchPage({ ...asked, offset: from, limit: Math.min(pageMax, max - from) });
    if (!r.ok) return r;
    if (from === 0) {
      total = r.page.total;
      const newest = r.page.rows[0];
      if (newest) asked = { ...asked, to: Math.min(asked.to, newest.receivedAt + 1) };
    }
    for (const row of r.page.rows) {
      if (seen.has(row.id)) continue;
      seen.add(row.id);
      rows.push(row);
    }
    if (from + pageMax >= r.page.total) break;
  }
  return { ok: true, rows, total };
}

/** The columns; a station column after the school's when the console sees several stations (`names.station`). */
export function historyHead(c: Catalogue, names?: Names): string[] {
  return [
    c.historyId,
    c.historyReceived,
    c.historySchool,
    ...(names?.station ? [c.historyStation] : []),
    c.historyKind,
    c.historyState,
    c.historyAckIn,
    c.historyAckBy,
    c.historyUnits,
    c.historyResult,
  ];
}

export function historyCells(r: HistoryRow, c: Catalogue, names: Names): string[] {
  return [
    r.id,
    `${stationDate(r.receivedAt)} ${clockTime(r.receivedAt)}`,
    names.school(r.schoolId),
    ...(names.station ? [names.station(r.schoolId)] : []),
    `${c.kinds[r.kind]}${r.repeats ? ` (${format(c.historyRepeats, { n: r.repeats })})` : ''}`,
    c.alarmStates[r.state as keyof typeof c.alarmStates] ?? r.state,
    r.acknowledgedAt !== undefined ? statDuration(r.acknowledgedAt - r.receivedAt) : '—',
    r.acknowledgedBy?.displayName ?? '—',
    r.unitIds.map((u) => names.unit(u)).join('、') || '—',
    r.disposition ? c.dispositions[r.disposition] : '—',
  ];
}

/** The CSV of the rows: UTF-8 with BOM, CRLF, every cell formula-guarded (shared/csv.ts). */
export function historyCsv(rows: readonly HistoryRow[], c: Catalogue, names: Names): string {
  return reportCsv([historyHead(c, names), ...rows.map((r) => historyCells(r, c, names))]);
}

/** The XLSX of the rows: one sheet, the cells of the screen. */
export function historySheets(rows: readonly HistoryRow[], c: Catalogue, names: Names): Sheet[] {
  return [{ name: c.tabHistory, rows: [historyHead(c, names), ...rows.map((r) => historyCells(r, c, names))] }];
}

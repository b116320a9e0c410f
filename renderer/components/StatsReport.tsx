// renderer/ — the printable report of the statistics on screen (issue 12, "a printable monthly report"): the station,
// the period and class, the summary and group tables built by the same code as the screen's (statsRows.ts, so the
// numbers are the same), the charts of the tab (the same SVG, charts/StatsCharts.tsx), the incidents outside target with the intervals they missed and the reason recorded, and
// lines for a signature. Shown over the console as a sheet of paper; 打印 prints only it (print CSS in stats.css:
// the browser's print to PDF, or Electron's print dialog in the desktop app).
import { useEffect, useMemo, useState } from 'react';
import { createPortal } from 'react-dom';
import type { HistoryRow } from '../../shared/historyWire';
import { STAT_INTERVALS, type StatInterval } from '../../shared/responseStats';
import type { StatsAnswerReport } from '../../shared/statsWire';
import { format, useI18n } from '../i18n';
import { getStore } from '../store';
import { clockTime, stationDate, stationNow, stationTimeZone } from '../time';
import { groupRows, summaryRows, statDuration, type Names } from './statsRows';
import { StatsCharts } from './charts/StatsCharts';

/** At most this many incidents outside target are listed in a report (the total is always given). */
export const REPORT_MAX_OUTSIDE = 200;

/** The incidents outside target, each with the intervals it missed, most recent first as the history gives them. */
function outsideOf(r: StatsAnswerReport): Map<string, StatInterval[]> {
  const missed = new Map<string, StatInterval[]>();
  for (const i of STAT_INTERVALS)
    for (const id of r.all.intervals[i].withinTarget?.outside.ids ?? []) {
      const l = missed.get(id);
      if (l) l.push(i);
      else if (missed.size < REPORT_MAX_OUTSIDE) missed.set(id, [i]);
    }
  return missed;
}

/** A table of text as the screen's, cell for cell. */
function PlainTable({ testId, head, rows }: { testId: string; head: readonly string[]; rows: readonly (readonly string[])[] }) {
  return (
    <table data-testid={testId}>
      <thead>
        <tr>
          {head.map((h) => (
            <th key={h}>{h}</th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map((cells, r) => (
          <tr key={r}>
            {cells.map((cell, i) => (
              <td key={i}>{cell}</td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function StatsReport({
  report,
  charts,
  names,
  stationName,
  onClose,
}: {
  report: StatsAnswerReport;
  /** The tab's charts' reports (the same objects the tab draws). */
  charts?: readonly StatsAnswerReport[];
  names: Names;
  stationName: string;
  onClose: () => void;
}) {
  const { t, c } = useI18n();
  const summary = summaryRows(report, c);
  const groups = report.groupBy !== 'none' ? groupRows(report, c, names) : undefined;
  const missed = useMemo(() => outsideOf(report), [report]);
  // An interval's list holds its first ids only: then the report says it lists the first ones.
  const truncated =
    STAT_INTERVALS.some((i) => {
      const o = report.all.intervals[i].withinTarget?.outside;
      return o !== undefined && o.total > o.ids.length;
    }) || missed.size >= REPORT_MAX_OUTSIDE;
  const [rows, setRows] = useState<HistoryRow[]>();
  const [printedAt] = useState(stationNow);
  const operator = getStore().state.operator;
  const [saved, setSaved] = useState<{ ok: boolean; text: string }>();
  // In the desktop app: Electron's printToPDF of the same print CSS, saved where the chief says.
  const savePdf = async (): Promise<void> => {
    const name = `${stationName}-${t('reportTitle')}-${stationDate(report.filter.from)}-${stationDate(report.filter.to - 1)}`;
    const r = await getStore().savePdf(name);
    if (r.ok) setSaved({ ok: true, text: format(c.reportSaved, { path: r.path }) });
    else if (!r.canceled) setSaved({ ok: false, text: format(c.reportSaveFailed, { why: r.message }) });
  };

  useEffect(() => {
    let live = true;
    const ids = [...missed.keys()];
    if (ids.length === 0) return;
    void getStore()
      .history({ from: report.filter.from, to: report.filter.to, class: report.filter.class, ids, offset: 0, limit: REPORT_MAX_OUTSIDE })
      .then((a) => live && a.ok && setRows(a.page.rows));
    return () => {
      live = false;
    };
  }, [missed, report]);
  // While the report is open, printing prints it alone (stats.css, @media print).
  useEffect(() => {
    document.body.classList.add('has-report');
    return () => document.body.classList.remove('has-report');
  }, []);

  return createPortal(
    <div className="print-report" data-testid="report" role="dialog" aria-label={t('reportTitle')}>
      <div className="report-tools">
        {getStore().canSavePdf() && (
          <button data-testid="report-save-pdf" onClick={() => void savePdf()}>
            {t('reportSavePdf')}
          </button>
        )}
        <button data-testid="report-print" onClick={() => window.print()}>
          {t('reportPrint')}
        </button>
        {saved && (
          <span role={saved.ok ? 'status' : 'alert'} className={saved.ok ? 'muted' : 'error'}>
            {saved.text}
          </span>
        )}
        <button data-testid="report-close" onClick={onClose}>
          {t('statsClose')}
        </button>
      </div>
      <article className="paper">
        <h1>
          {stationName} · {t('reportTitle')}
        </h1>
        <p data-testid="report-period">
          {format(c.reportPeriod, {
            from: stationDate(report.filter.from),
            to: stationDate(report.filter.to - 1),
            cls: c.statsClasses[report.filter.class],
            n: report.all.total,
            open: report.all.open,
          })}
        </p>
        <p className="small">{format(c.reportMade, { at: `${stationDate(printedAt)} ${clockTime(printedAt)}`, who: operator?.displayName ?? '' })}</p>
        <h2>
          {t('statsSummary', { from: stationDate(report.filter.from), to: stationDate(report.filter.to - 1), n: report.all.total, open: report.all.open })}
        </h2>
        <PlainTable testId="report-summary" head={summary.head} rows={summary.rows.map((r) => r.cells)} />
        <p className="small">{c.statsNotReachedNote}</p>
        {charts && <StatsCharts reports={charts} timeZone={stationTimeZone()} />}
        {groups && (
          <>
            <h2>
              {t('statsGroups')} ({c.statsGroupBys[report.groupBy]}; {t('statsCellHint')})
            </h2>
            <PlainTable testId="report-groups" head={groups.head} rows={groups.rows.map((r) => r.cells)} />
          </>
        )}
        <h2>{format(c.reportOutside, { n: missed.size })}</h2>
        {missed.size === 0 ? (
          <p>{t('reportNoneOutside')}</p>
        ) : (
          <table data-testid="report-outside">
            <thead>
              <tr>
                <th>{t('historyId')}</th>
                <th>{t('historyReceived')}</th>
                <th>{t('historySchool')}</th>
                <th>{t('historyKind')}</th>
                <th>{t('reportMissed')}</th>
                <th>{t('historyAckIn')}</th>
                <th>{t('historyResult')}</th>
                <th>{t('reportReason')}</th>
              </tr>
            </thead>
            <tbody>
              {(rows ?? []).map((r) => (
                <tr key={r.id} data-incident-id={r.id}>
                  <td>{r.id}</td>
                  <td>
                    {stationDate(r.receivedAt)} {clockTime(r.receivedAt)}
                  </td>
                  <td>{names.school(r.schoolId)}</td>
                  <td>{c.kinds[r.kind]}</td>
                  <td>{(missed.get(r.id) ?? []).map((i) => c.statsIntervals[i]).join('；')}</td>
                  <td>{r.acknowledgedAt !== undefined ? statDuration(r.acknowledgedAt - r.receivedAt) : '—'}</td>
                  <td>{r.disposition ? c.dispositions[r.disposition] : c.alarmStates[r.state as keyof typeof c.alarmStates]}</td>
                  <td>{r.overrideReason ?? r.resolutionNote ?? '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {truncated && <p className="small">{t('reportTruncated')}</p>}
        <p className="signature">{t('reportSignature')}</p>
      </article>
    </div>,
    document.body,
  );
}

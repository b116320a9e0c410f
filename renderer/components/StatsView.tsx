// renderer/ — the statistics tab (chiefs and officers): a period on the station's calendar, a class, a grouping; the
// core computes the figures (the `stats` command) and this screen draws them, lists the incidents outside target
// behind a figure, and saves what is shown as CSV (the same rows, statsRows.ts). Charts of the trend, the hour of day
// and the weekday (charts/StatsCharts.tsx) above the tables; every bar and count opens its incidents in History.
import { useEffect, useMemo, useState } from 'react';
import { GROUP_BYS, type GroupBy, type IncidentClass, type StatInterval } from '../../shared/responseStats';
import type { IdList, StatsAnswerReport } from '../../shared/statsWire';
import type { ReferenceData } from '../../shared/model';
import { format, refusalText, useI18n } from '../i18n';
import { getStore } from '../store';
import { stationDate, stationTimeZone, useNow } from '../time';
import { belowGoal, groupRows, periodOf, statsCsv, statsSheets, summaryRows, type PeriodChoice } from './statsRows';
import { xlsxFile } from '../../shared/xlsx';
import { CSV_TYPE, downloadText, XLSX_TYPE } from './download';
import { IncidentRecord } from './IncidentRecord';
import { PeriodControls } from './PeriodControls';
import { StatsReport } from './StatsReport';
import { StatsCharts } from './charts/StatsCharts';
import { trendBy, type ChartBy } from './charts/chartData';
import { drillOf, type StatsDrill } from './statsDrill';
import { seesStations, stationFilePart, useReportNames } from './stationView';

interface Listing {
  interval: StatInterval;
  list: IdList;
}

/** `onDrill`: a figure was clicked: show the incidents behind it (the console switches to History). */
export function StatsView({
  reference,
  onDrill,
  stationFilter,
}: {
  reference: ReferenceData | undefined;
  onDrill?: (drill: StatsDrill) => void;
  /** The county view's station filter (issue 15): this station's incidents only; absent every station it sees. */
  stationFilter?: string | undefined;
}) {
  const { t, c, name } = useI18n();
  const stations = stationFilter !== undefined ? { stationIds: [stationFilter] } : {};
  const now = useNow(60_000);
  const zone = stationTimeZone();
  const [choice, setChoice] = useState<PeriodChoice>('thisMonth');
  const [custom, setCustom] = useState(() => ({ from: stationDate(now - 6 * 86_400_000), to: stationDate(now) }));
  const [cls, setCls] = useState<IncidentClass>('real');
  const [groupBy, setGroupBy] = useState<GroupBy>('school');
  const [report, setReport] = useState<StatsAnswerReport>();
  // The station filter the report on screen was asked with (its file's name says whose figures it holds).
  const [askedStation, setAskedStation] = useState<string>();
  const [error, setError] = useState<string>();
  const [answered, setAnswered] = useState<string>();
  const [listing, setListing] = useState<Listing>();
  const [asked, setAsked] = useState(0);
  const [record, setRecord] = useState<string>();
  const [printing, setPrinting] = useState(false);
  // The period is computed on the day's start (a new minute does not ask again).
  const day = stationDate(now);
  const period = useMemo(() => periodOf(choice, now, zone, custom), [choice, day, zone, custom]); // eslint-disable-line react-hooks/exhaustive-deps

  // What is asked now; the screen says "computing" until the answer to it has come.
  const queryKey = period && `${period.from}-${period.to}-${cls}-${groupBy}-${asked}-${stationFilter ?? '*'}`;
  const busy = queryKey !== undefined && queryKey !== answered;
  useEffect(() => {
    if (!period) return;
    let live = true;
    const key = queryKey;
    const filterAsked = stationFilter;
    void getStore()
      .stats({ ...period, class: cls, groupBy, ...stations })
      .then((r) => {
        if (!live) return;
        setAnswered(key);
        if (r.ok) {
          setReport(r.report);
          setAskedStation(filterAsked);
          setError(undefined);
        } else setError(refusalText(c, r.error));
      });
    return () => {
      live = false;
    };
  }, [period?.from, period?.to, cls, groupBy, asked, stationFilter]); // eslint-disable-line react-hooks/exhaustive-deps

  // The charts' reports: the same command grouped by the trend's bucket, the hour and the weekday.
  const [charts, setCharts] = useState<StatsAnswerReport[]>();
  useEffect(() => {
    if (!period) return;
    let live = true;
    const bys: ChartBy[] = [trendBy(period.from, period.to), 'hour', 'weekday'];
    void Promise.all(bys.map((by) => getStore().stats({ ...period, class: cls, groupBy: by, ...stations }))).then((rs) => {
      if (!live) return;
      const reports = rs.flatMap((r) => (r.ok ? [r.report] : []));
      setCharts(reports.length === rs.length ? reports : undefined);
    });
    return () => {
      live = false;
    };
  }, [period?.from, period?.to, cls, asked, stationFilter]); // eslint-disable-line react-hooks/exhaustive-deps
  // Drawn only for the report on screen (same period and class); where the table is grouped as a chart, the chart
  // draws the table's own report.
  const sameAsked = (a: StatsAnswerReport, b: StatsAnswerReport): boolean =>
    a.filter.from === b.filter.from && a.filter.to === b.filter.to && a.filter.class === b.filter.class;
  const chartReports =
    report && charts && charts.every((r) => sameAsked(r, report)) ? charts.map((r) => (r.groupBy === report.groupBy ? report : r)) : undefined;
  const drill = (r: StatsAnswerReport, key: string | undefined, open = false, reached?: StatInterval): void => onDrill?.(drillOf(r, key, open, reached));

  const names = useReportNames(reference);
  // Whose figures the printed report carries: a station's own; on the county view, the chosen station or the county
  // (the registry's own name is the default station's, which headed a county's report of another station).
  const chosen = stationFilter !== undefined ? reference?.stations?.find((s) => s.id === stationFilter) : undefined;
  const reportStation = seesStations(reference) ? (chosen ? name(chosen) : t('countyView')) : (reference?.stationName ?? '');

  const summary = report && summaryRows(report, c);
  const groups = report && report.groupBy !== 'none' ? groupRows(report, c, names) : undefined;
  const outside = (what: StatInterval, list: IdList | undefined): void => {
    if (list) setListing({ interval: what, list });
  };
  const fileBase = (r: StatsAnswerReport): string =>
    `response-stats${stationFilePart(reference, askedStation)}-${stationDate(r.filter.from)}-${stationDate(r.filter.to - 1)}-${r.filter.class}-${r.groupBy}`;
  const exportXlsx = (): void => {
    if (!report) return;
    downloadText(`${fileBase(report)}.xlsx`, xlsxFile(statsSheets(report, c, names)), XLSX_TYPE);
  };
  const exportCsv = (): void => {
    if (!report) return;
    downloadText(`${fileBase(report)}.csv`, statsCsv(report, c, names), CSV_TYPE);
  };

  return (
    <section className="admin stats" data-testid="stats">
      <h2>{t('statsTitle')}</h2>
      <div className="stats-controls">
        <PeriodControls prefix="stats" choice={choice} onChoice={setChoice} custom={custom} onCustom={setCustom} cls={cls} onClass={setCls} />
        <label>
          {t('statsGroupBy')}
          <select data-testid="stats-group" value={groupBy} onChange={(e) => setGroupBy(e.target.value as GroupBy)}>
            {/* By station: on a console that sees several (the county view). */}
            {GROUP_BYS.filter((g) => g !== 'station' || seesStations(reference)).map((g) => (
              <option key={g} value={g}>
                {c.statsGroupBys[g]}
              </option>
            ))}
          </select>
        </label>
        <button onClick={() => setAsked((n) => n + 1)} disabled={!period}>
          {t('statsRefresh')}
        </button>
        <button data-testid="stats-export" onClick={exportCsv} disabled={!report}>
          {t('statsExport')}
        </button>
        <button data-testid="stats-export-xlsx" onClick={exportXlsx} disabled={!report}>
          {t('statsExportXlsx')}
        </button>
        <button data-testid="stats-report" onClick={() => setPrinting(true)} disabled={!report}>
          {t('statsReport')}
        </button>
        {busy && <span className="muted">{t('statsLoading')}</span>}
      </div>
      {printing && report && <StatsReport report={report} charts={chartReports} names={names} stationName={reportStation} onClose={() => setPrinting(false)} />}
      {record && <IncidentRecord incidentId={record} reference={reference} onClose={() => setRecord(undefined)} />}
      {!period && <p className="error">{t('statsBadDates')}</p>}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {report && summary && (
        <>
          <h3 data-testid="stats-summary-title">
            {t('statsSummary', { from: stationDate(report.filter.from), to: stationDate(report.filter.to - 1), n: report.all.total, open: report.all.open })}{' '}
            {onDrill && report.all.total > 0 && (
              <button className="link" data-testid="stats-drill-all" onClick={() => drill(report, undefined)}>
                {t('statsDrillAll', { n: report.all.total })}
              </button>
            )}
          </h3>
          {chartReports && <StatsCharts reports={chartReports} timeZone={zone} onBar={onDrill && ((r, bar) => drill(r, bar.key))} />}
          <table data-testid="stats-summary">
            <thead>
              <tr>
                {summary.head.map((h) => (
                  <th key={h}>{h}</th>
                ))}
              </tr>
            </thead>
            <tbody>
              {summary.rows.map(({ interval, cells }) => {
                const f = report.all.intervals[interval];
                return (
                  <tr key={interval} data-interval={interval}>
                    {cells.map((cell, i) => (
                      <td key={i} className={i === 6 && belowGoal(f) ? 'below' : undefined}>
                        {i === 1 && onDrill && f.count > 0 ? (
                          <button
                            className="link count"
                            data-testid={`stats-count-${interval}`}
                            title={t('statsDrillCell')}
                            onClick={() => drill(report, undefined, false, interval)}
                          >
                            {cell}
                          </button>
                        ) : i === 7 && f.withinTarget && f.withinTarget.outside.total > 0 ? (
                          <button className="link" data-testid={`stats-outside-${interval}`} onClick={() => outside(interval, f.withinTarget?.outside)}>
                            {cell}
                          </button>
                        ) : (
                          cell
                        )}
                      </td>
                    ))}
                  </tr>
                );
              })}
            </tbody>
          </table>
          {listing && (
            <div className="stats-listing" data-testid="stats-listing">
              <strong>{format(c.statsOutsideTitle, { what: c.statsIntervals[listing.interval] })}</strong>
              <ul>
                {listing.list.ids.map((id) => (
                  <li key={id}>
                    <button className="link" data-testid="stats-incident" data-incident-id={id} onClick={() => setRecord(id)}>
                      {id}
                    </button>
                  </li>
                ))}
              </ul>
              {listing.list.total > listing.list.ids.length && <p>{t('statsMore', { n: listing.list.total - listing.list.ids.length })}</p>}
              <button onClick={() => setListing(undefined)}>{t('statsClose')}</button>
            </div>
          )}
          {groups && (
            <>
              <h3>
                {t('statsGroups')} <span className="muted">({t('statsCellHint')})</span>
              </h3>
              <table data-testid="stats-groups">
                <thead>
                  <tr>
                    {groups.head.map((h) => (
                      <th key={h}>{h}</th>
                    ))}
                  </tr>
                </thead>
                <tbody>
                  {groups.rows.map(({ group, cells }) => (
                    <tr key={group.key}>
                      {cells.map((cell, i) => {
                        const f = i >= 3 ? Object.values(group.intervals)[i - 3] : undefined;
                        // The total and the open count open their incidents in History.
                        const count = i === 1 ? group.total : i === 2 ? group.open : 0;
                        return (
                          <td key={i} className={f ? (belowGoal(f) ? 'figure below' : 'figure') : i === 1 || i === 2 ? 'figure' : undefined}>
                            {onDrill && count > 0 ? (
                              <button
                                className="link count"
                                data-testid={i === 1 ? 'stats-group-total' : 'stats-group-open'}
                                data-key={group.key}
                                title={t('statsDrillCell')}
                                onClick={() => drill(report, group.key, i === 2)}
                              >
                                {cell}
                              </button>
                            ) : (
                              cell
                            )}
                          </td>
                        );
                      })}
                    </tr>
                  ))}
                </tbody>
              </table>
            </>
          )}
        </>
      )}
    </section>
  );
}

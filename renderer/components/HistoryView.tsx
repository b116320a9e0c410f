// renderer/ — the history tab (chiefs, officers, trainers; read only): every incident of a period, filtered like the
// statistics (class always chosen: real alarms, drills and tests are never listed together) and by state, a page at
// a time, newest first, served by the core (the `history` command); any incident's whole record one click away.
import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { DISPOSITIONS, type Disposition } from '../../shared/events';
import { type HistoryGroup, type HistoryPage, type HistoryRequest } from '../../shared/historyWire';
import { xlsxFile } from '../../shared/xlsx';
import type { ReferenceData } from '../../shared/model';
import { ALARM_KINDS, type AlarmKind } from '../../shared/protocol';
import type { IncidentClass, StatInterval } from '../../shared/responseStats';
import { format, refusalText, useI18n } from '../i18n';
import { getStore } from '../store';
import { stationDate, stationTimeZone, useNow } from '../time';
import { IncidentRecord } from './IncidentRecord';
import { scenarioFromIncidents, scenarioText } from '../../shared/training';
import type { Incident } from '../../shared/incidents';
import { PeriodControls } from './PeriodControls';
import { SchoolSelect } from './SchoolSelect';
import { CSV_TYPE, downloadText, XLSX_TYPE } from './download';
import { collectHistory, historyCells, historyCsv, historyHead, historySheets, HISTORY_EXPORT_MAX } from './historyRows';
import { stationFilePart, useReportNames } from './stationView';
import { groupLabel, periodOf, type PeriodChoice } from './statsRows';
import type { StatsDrill } from './statsDrill';

/** Rows per page. */
export const HISTORY_PAGE = 50;

interface Filters {
  cls: IncidentClass;
  state: '' | 'open' | 'resolved';
  kind: '' | AlarmKind;
  schoolId: string;
  unitId: string;
  disposition: '' | Disposition;
  officer: string;
  /** A group of the statistics that no filter above can say (an hour, a weekday, a shift, no officer …). */
  group?: HistoryGroup;
  /** The incidents counted in an interval's n of the statistics (its end happened). */
  reached?: StatInterval;
}
const NO_FILTERS: Filters = { cls: 'real', state: '', kind: '', schoolId: '', unitId: '', disposition: '', officer: '' };

/** The filters of a figure opened from the statistics: its school, unit or officer as the filters above, else its group. */
export function filtersOf(drill: StatsDrill): Filters {
  const f: Filters = { ...NO_FILTERS, cls: drill.cls, state: drill.open ? 'open' : '', ...(drill.reached ? { reached: drill.reached } : {}) };
  const g = drill.group;
  if (!g) return f;
  if (g.by === 'school') return { ...f, schoolId: g.key };
  if (g.by === 'unit' && g.key) return { ...f, unitId: g.key };
  if (g.by === 'officer' && g.key) return { ...f, officer: g.key };
  return { ...f, group: g };
}

/** `drill`: opened from a figure of the statistics: its period (as custom dates) and its group, until changed. */
export function HistoryView({
  reference,
  drill,
  onReplay,
  stationFilter,
}: {
  reference: ReferenceData | undefined;
  /** The county view's station filter (issue 15): this station's incidents only; absent every station it sees. */
  stationFilter?: string | undefined;
  drill?: StatsDrill;
  /** Given to those who may train: a scenario's text made from an incident or this page (the training tab). */
  onReplay?: (scenarioText: string) => void;
}) {
  const { t, c, name } = useI18n();
  const now = useNow(60_000);
  const zone = stationTimeZone();
  const [choice, setChoice] = useState<PeriodChoice>(drill ? 'custom' : 'thisMonth');
  const [custom, setCustom] = useState(() =>
    drill ? { from: stationDate(drill.from), to: stationDate(drill.to - 1) } : { from: stationDate(now - 6 * 86_400_000), to: stationDate(now) },
  );
  const [filters, setFilters] = useState<Filters>(() => (drill ? filtersOf(drill) : NO_FILTERS));
  const [officerDraft, setOfficerDraft] = useState(filters.officer);
  const [offset, setOffset] = useState(0);
  const [page, setPage] = useState<HistoryPage>();
  const [error, setError] = useState<string>();
  const [open, setOpen] = useState<string>();
  const [asked, setAsked] = useState(0);
  const [answered, setAnswered] = useState<string>();
  const day = stationDate(now);
  const period = useMemo(() => periodOf(choice, now, zone, custom), [choice, day, zone, custom]); // eslint-disable-line react-hooks/exhaustive-deps

  const request: HistoryRequest | undefined = period && {
    ...period,
    class: filters.cls,
    offset,
    limit: HISTORY_PAGE,
    ...(filters.state ? { state: filters.state } : {}),
    ...(filters.kind ? { kinds: [filters.kind] } : {}),
    ...(filters.schoolId ? { schoolIds: [filters.schoolId] } : {}),
    ...(filters.unitId ? { unitId: filters.unitId } : {}),
    ...(filters.disposition ? { disposition: filters.disposition } : {}),
    ...(filters.officer ? { officer: filters.officer } : {}),
    ...(filters.group ? { group: filters.group } : {}),
    ...(filters.reached ? { reached: filters.reached } : {}),
    ...(stationFilter !== undefined ? { stationIds: [stationFilter] } : {}),
  };
  const key = request && `${JSON.stringify(request)}#${asked}`;
  // The screen says "computing" until the answer to what is asked now has come.
  const busy = key !== undefined && key !== answered;
  useEffect(() => {
    if (!request) return;
    let live = true;
    const asking = key;
    void getStore()
      .history(request)
      .then((r) => {
        if (!live) return;
        setAnswered(asking);
        if (r.ok) {
          setPage(r.page);
          setError(undefined);
        } else setError(refusalText(c, r.error));
      });
    return () => {
      live = false;
    };
  }, [key]); // eslint-disable-line react-hooks/exhaustive-deps

  /** A filter changed: back to the first page. */
  const set = <K extends keyof Filters>(k: K, v: Filters[K]): void => {
    setFilters((f) => ({ ...f, [k]: v }));
    setOffset(0);
  };
  const submit = (e: FormEvent): void => {
    e.preventDefault();
    set('officer', officerDraft.trim());
    setAsked((n) => n + 1);
  };
  const units = reference?.units ?? [];
  const names = useReportNames(reference);
  // Another station picked: back to the first page.
  const [filterSeen, setFilterSeen] = useState(stationFilter);
  if (filterSeen !== stationFilter) {
    setFilterSeen(stationFilter);
    setOffset(0);
  }
  const [exporting, setExporting] = useState(false);
  const [exportNote, setExportNote] = useState<string>();
  /** Every matching incident (up to HISTORY_EXPORT_MAX: collectHistory), saved as CSV or XLSX; a file cut at the cap says so. */
  const exportAll = async (kind: 'csv' | 'xlsx'): Promise<void> => {
    if (!request) return;
    setExporting(true);
    setExportNote(undefined);
    const got = await collectHistory(request, (req) => getStore().history(req)).finally(() => setExporting(false));
    if (!got.ok) return setError(refusalText(c, got.error));
    const rows = got.rows;
    if (got.total > HISTORY_EXPORT_MAX) setExportNote(format(c.historyExportCut, { n: rows.length, total: got.total }));
    const base = `incident-history${stationFilePart(reference, request.stationIds?.[0])}-${stationDate(request.from)}-${stationDate(request.to - 1)}-${request.class}`;
    if (kind === 'csv') downloadText(`${base}.csv`, historyCsv(rows, c, names), CSV_TYPE);
    else downloadText(`${base}.xlsx`, xlsxFile(historySheets(rows, c, names)), XLSX_TYPE);
  };

  return (
    <section className="admin stats history" data-testid="history">
      <h2>{t('historyTitle')}</h2>
      <form className="stats-controls" onSubmit={submit}>
        <PeriodControls
          prefix="history"
          choice={choice}
          onChoice={(p) => (setChoice(p), setOffset(0))}
          custom={custom}
          onCustom={setCustom}
          cls={filters.cls}
          onClass={(k) => set('cls', k)}
        />
        <label>
          {t('historyState')}
          <select data-testid="history-state" value={filters.state} onChange={(e) => set('state', e.target.value as Filters['state'])}>
            <option value="">{t('historyStateAny')}</option>
            <option value="open">{t('historyStateOpen')}</option>
            <option value="resolved">{t('historyStateResolved')}</option>
          </select>
        </label>
        <label>
          {t('historyKind')}
          <select data-testid="history-kind" value={filters.kind} onChange={(e) => set('kind', e.target.value as Filters['kind'])}>
            <option value="">{t('historyAny')}</option>
            {ALARM_KINDS.map((k) => (
              <option key={k} value={k}>
                {c.kinds[k]}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('historySchool')}
          <SchoolSelect
            schools={reference?.schools}
            value={filters.schoolId}
            onChange={(id) => set('schoolId', id)}
            empty={t('historyAny')}
            testId="history-school"
          />
        </label>
        <label>
          {t('historyUnit')}
          <select data-testid="history-unit" value={filters.unitId} onChange={(e) => set('unitId', e.target.value)}>
            <option value="">{t('historyAny')}</option>
            {units.map((u) => (
              <option key={u.id} value={u.id}>
                {name(u, u.id)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('historyDisposition')}
          <select data-testid="history-disposition" value={filters.disposition} onChange={(e) => set('disposition', e.target.value as Filters['disposition'])}>
            <option value="">{t('historyAny')}</option>
            {DISPOSITIONS.map((d) => (
              <option key={d} value={d}>
                {c.dispositions[d]}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('historyOfficer')}
          <input data-testid="history-officer" value={officerDraft} size={12} maxLength={200} onChange={(e) => setOfficerDraft(e.target.value)} />
        </label>
        <button type="submit" data-testid="history-search">
          {t('historySearch')}
        </button>
        <button type="button" onClick={() => (setFilters(NO_FILTERS), setOfficerDraft(''), setOffset(0))}>
          {t('historyClear')}
        </button>
        <button type="button" data-testid="history-export" disabled={!page || exporting} onClick={() => void exportAll('csv')}>
          {t('statsExport')}
        </button>
        <button type="button" data-testid="history-export-xlsx" disabled={!page || exporting} onClick={() => void exportAll('xlsx')}>
          {t('statsExportXlsx')}
        </button>
        {onReplay && (
          <button
            type="button"
            data-testid="history-replay-page"
            disabled={!page || page.rows.length === 0}
            onClick={() => page && onReplay(scenarioText(scenarioFromIncidents(page.rows, `${c.trainReplay}: ${c.tabHistory} ${page.rows.length}`)))}
          >
            {t('trainReplayPage')}
          </button>
        )}
        {busy && <span className="muted">{t('statsLoading')}</span>}
      </form>
      {filters.group && (
        <p className="history-from-stats" data-testid="history-group">
          {format(c.historyFromStats, {
            what: `${c.statsGroupBys[filters.group.by]} = ${groupLabel(filters.group.key, filters.group.by, c, names)}`,
          })}{' '}
          <button type="button" data-testid="history-group-clear" onClick={() => set('group', undefined)}>
            {t('historyFromStatsClear')}
          </button>
        </p>
      )}
      {filters.reached && (
        <p className="history-from-stats" data-testid="history-reached">
          {format(c.historyFromStats, { what: format(c.historyReached, { what: c.statsIntervals[filters.reached] }) })}{' '}
          <button type="button" data-testid="history-reached-clear" onClick={() => set('reached', undefined)}>
            {t('historyFromStatsClear')}
          </button>
        </p>
      )}
      {!period && <p className="error">{t('statsBadDates')}</p>}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {exportNote && (
        <p className="error" role="status" data-testid="history-export-cut">
          {exportNote}
        </p>
      )}
      {page && (
        <>
          <p data-testid="history-count">
            {page.total === 0 ? t('historyNone') : format(c.historyCount, { first: page.offset + 1, last: page.offset + page.rows.length, n: page.total })}
          </p>
          <table data-testid="history-rows">
            <thead>
              <tr>
                {historyHead(c, names).map((h) => (
                  <th key={h}>{h}</th>
                ))}
                <th />
              </tr>
            </thead>
            <tbody>
              {page.rows.map((r) => (
                <tr key={r.id} data-testid="history-row" data-incident-id={r.id} className={open === r.id ? 'chosen' : undefined}>
                  {historyCells(r, c, names).map((cell, i) => (
                    <td key={i} className={i === 0 || i === 1 || i === 5 ? 'figure' : undefined}>
                      {cell}
                    </td>
                  ))}
                  <td>
                    <button type="button" className="link" data-testid="history-open" onClick={() => setOpen(r.id)}>
                      {t('historyOpenTimeline')}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <div className="stats-controls">
            <button type="button" data-testid="history-prev" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - HISTORY_PAGE))}>
              {t('historyPrev')}
            </button>
            <button type="button" data-testid="history-next" disabled={offset + HISTORY_PAGE >= page.total} onClick={() => setOffset(offset + HISTORY_PAGE)}>
              {t('historyNext')}
            </button>
          </div>
        </>
      )}
      {open && (
        <IncidentRecord
          incidentId={open}
          reference={reference}
          onClose={() => setOpen(undefined)}
          {...(onReplay ? { onReplay: (inc: Incident) => onReplay(scenarioText(scenarioFromIncidents([inc], `${c.trainReplay}: ${inc.id}`))) } : {})}
        />
      )}
    </section>
  );
}

// renderer/ — drills announced in advance (演练报备): an officer or the chief announces a school's drill window (day,
// from, to, a note); a press from that school's terminals within it is shown as an expected drill (已报备), with the
// drill tone, and counted for the school's drills; an announcement can be withdrawn with a reason. Below, the drill
// alarms of the semester pressed outside every window (未报备), flagged for the chief. Each announcement and
// withdrawal is a journal record with the operator's name (main/core/stationPlan.ts). A whole calendar of windows
// can be imported from a CSV file (shared/drillWindowImport.ts): checked whole first, then announced row by row.
import { useRef, useState, type FormEvent } from 'react';
import { formatRowError } from '../../shared/dataImport';
import { drillWindowFileTooLarge, parseDrillWindows } from '../../shared/drillWindowImport';
import { fromZoned, HHMM } from '../../shared/duty';
import type { ReferenceData } from '../../shared/model';
import type { PlanAnswer } from '../../shared/planRecords';
import { format, useI18n } from '../i18n';
import { getStore } from '../store';
import { stationNow, stationParts, stationTimeZone } from '../time';
import { SchoolSelect } from './SchoolSelect';
import { isCalendarDate } from '../../shared/inspections';

const two = (n: number): string => String(n).padStart(2, '0');
const when = (ms: number): string => {
  const p = stationParts(ms);
  return `${p.year}-${two(p.month)}-${two(p.day)} ${two(p.hour)}:${two(p.minute)}`;
};
const hhmm = (ms: number): string => {
  const p = stationParts(ms);
  return `${two(p.hour)}:${two(p.minute)}`;
};

export function DrillWindowsPanel({
  reference,
  windows,
  unannounced,
  today,
  now,
  onChanged,
}: {
  reference: ReferenceData | undefined;
  windows: PlanAnswer['drillWindows'];
  unannounced: PlanAnswer['unannounced'];
  today: string;
  now: number;
  onChanged: () => void;
}) {
  const { t, c, name } = useI18n();
  const canRecord = getStore().canRecordPlan();
  const [form, setForm] = useState({ schoolId: '', date: today, from: '', to: '', note: '' });
  const [error, setError] = useState<string>();
  const [cancelling, setCancelling] = useState<{ windowId: string; reason: string }>();
  const schools = new Map((reference?.schools ?? []).map((s) => [s.id, s]));
  const fileInput = useRef<HTMLInputElement>(null);
  const [file, setFile] = useState<File>();
  const [importing, setImporting] = useState<string>();
  const [imported, setImported] = useState<{ ok: boolean; lines: string[] }>();

  const importFile = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    if (!file || importing) return;
    setImported(undefined);
    // A file too large is refused before it is read (a wrong file picked can be gigabytes).
    const parsed = drillWindowFileTooLarge(file.size) ?? parseDrillWindows(await file.text(), new Set(schools.keys()), stationTimeZone(), stationNow());
    if (!parsed.ok) {
      setImported({
        ok: false,
        lines: [t('windowImportErrors'), ...parsed.errors.map(formatRowError), ...(parsed.omitted > 0 ? [t('windowImportMore', { n: parsed.omitted })] : [])],
      });
      return;
    }
    let done = 0;
    for (const row of parsed.rows) {
      setImporting(t('windowImporting', { i: done + 1, n: parsed.rows.length }));
      const err = await getStore().registerDrillWindow({ schoolId: row.schoolId, from: row.from, to: row.to, note: row.note }, { fromFile: true });
      if (err) {
        setImported({ ok: false, lines: [t('windowImportStopped', { done, line: row.line, reason: err, rest: parsed.rows.length - done - 1 })] });
        break;
      }
      done++;
    }
    setImporting(undefined);
    if (done === parsed.rows.length) {
      setImported({ ok: true, lines: [t('windowImportDone', { n: done })] });
      setFile(undefined);
      if (fileInput.current) fileInput.current.value = '';
    }
    if (done > 0) onChanged();
  };

  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    // A day of the calendar (2026-02-31 would be taken as 3 March), and times.
    if (!isCalendarDate(form.date) || !HHMM.test(form.from) || !HHMM.test(form.to)) {
      setError(t('windowBadInput'));
      return;
    }
    const [y, m, d] = form.date.split('-').map(Number) as [number, number, number];
    const at = (hm: string): number => {
      const [h, mi] = hm.split(':').map(Number) as [number, number];
      return fromZoned(y, m, d, h, mi, stationTimeZone());
    };
    const err = await getStore().registerDrillWindow({ schoolId: form.schoolId, from: at(form.from), to: at(form.to), note: form.note });
    setError(err);
    if (!err) {
      setForm({ ...form, schoolId: '', note: '' });
      onChanged();
    }
  };
  const cancel = async (): Promise<void> => {
    if (!cancelling) return;
    const err = await getStore().cancelDrillWindow(cancelling);
    setError(err);
    if (!err) {
      setCancelling(undefined);
      onChanged();
    }
  };
  const stateOf = (w: PlanAnswer['drillWindows'][number]): string =>
    w.cancelledAt !== undefined ? t('windowCancelled') : now < w.from ? t('windowAhead') : now < w.to ? t('windowNow') : t('windowPast');

  return (
    <section className="inspections" data-testid="drill-windows">
      <h3>{t('windowTitle')}</h3>
      <p className="muted small">{t('windowNote')}</p>
      {canRecord && (
        <form className="stats-controls" data-testid="window-form" onSubmit={(e) => void submit(e)}>
          <label>
            {t('boardSchool')}
            <SchoolSelect
              schools={reference?.schools}
              value={form.schoolId}
              onChange={(schoolId) => setForm({ ...form, schoolId })}
              empty="—"
              testId="window-school"
              required
            />
          </label>
          <label>
            {t('drillDate')}
            <input data-testid="window-date" value={form.date} size={10} maxLength={10} required onChange={(e) => setForm({ ...form, date: e.target.value })} />
          </label>
          <label>
            {t('windowFrom')}
            <input
              data-testid="window-from"
              value={form.from}
              placeholder="09:30"
              size={5}
              maxLength={5}
              required
              onChange={(e) => setForm({ ...form, from: e.target.value })}
            />
          </label>
          <label>
            {t('windowTo')}
            <input
              data-testid="window-to"
              value={form.to}
              placeholder="10:30"
              size={5}
              maxLength={5}
              required
              onChange={(e) => setForm({ ...form, to: e.target.value })}
            />
          </label>
          <label>
            {t('drillNoteField')}
            <input data-testid="window-note" value={form.note} maxLength={1000} size={24} onChange={(e) => setForm({ ...form, note: e.target.value })} />
          </label>
          <button type="submit" data-testid="window-submit">
            {t('windowRecord')}
          </button>
        </form>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {canRecord && (
        <form className="stats-controls window-import" data-testid="window-import-form" onSubmit={(e) => void importFile(e)}>
          <strong>{t('windowImportTitle')}</strong>
          {/* The browser's own file control would speak the browser's language: hidden behind an app-styled label. */}
          <label className="file-pick">
            <input
              ref={fileInput}
              data-testid="window-file"
              aria-label={t('windowImportTitle')}
              type="file"
              accept=".csv,text/csv"
              onChange={(e) => (setFile(e.target.files?.[0]), setImported(undefined))}
            />
            <span className="file-button">{c.fileButton.choose}</span>
            <span className="file-name" data-testid="window-file-name">
              {file?.name ?? c.fileButton.none}
            </span>
          </label>
          <button type="submit" data-testid="window-import" disabled={!file || importing !== undefined}>
            {importing ?? t('windowImport')}
          </button>
          <span className="muted small">{t('windowImportColumns')}</span>
        </form>
      )}
      {imported && (
        <div className={imported.ok ? 'notice' : 'error'} role={imported.ok ? 'status' : 'alert'} data-testid="window-import-result">
          {imported.lines.map((l, i) => (
            <div key={i}>{l}</div>
          ))}
        </div>
      )}
      {windows.length === 0 ? (
        <p className="muted">{t('windowNone')}</p>
      ) : (
        <table data-testid="window-rows">
          <thead>
            <tr>
              <th>{t('windowWhen')}</th>
              <th>{t('boardSchool')}</th>
              <th>{t('drillNoteField')}</th>
              <th>{t('drillBy')}</th>
              <th>{t('windowState')}</th>
              {canRecord && <th />}
            </tr>
          </thead>
          <tbody>
            {windows.map((w) => (
              <tr key={w.id} data-testid="window-row" data-window-id={w.id} data-cancelled={w.cancelledAt !== undefined ? 'yes' : 'no'}>
                <td>
                  {when(w.from)}–{hhmm(w.to)}
                </td>
                <td>{name(schools.get(w.schoolId), w.schoolId)}</td>
                <td>{w.note}</td>
                <td>{w.recordedBy.displayName}</td>
                <td>
                  {stateOf(w)}
                  {w.cancelledAt !== undefined && ` (${w.cancelledBy?.displayName ?? ''}：${w.cancelReason ?? ''})`}
                </td>
                {canRecord && (
                  <td>
                    {w.cancelledAt === undefined && now < w.to && cancelling?.windowId !== w.id && (
                      <button type="button" data-testid="window-cancel" onClick={() => setCancelling({ windowId: w.id, reason: '' })}>
                        {t('windowCancel')}
                      </button>
                    )}
                    {cancelling?.windowId === w.id && (
                      <span className="inline-form">
                        <input
                          data-testid="window-cancel-reason"
                          placeholder={t('windowCancelReason')}
                          value={cancelling.reason}
                          maxLength={1000}
                          onChange={(e) => setCancelling({ ...cancelling, reason: e.target.value })}
                        />
                        <button type="button" data-testid="window-cancel-confirm" onClick={() => void cancel()}>
                          {t('inspCloseConfirm')}
                        </button>
                      </span>
                    )}
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h3>{format(c.unannouncedTitle, { n: unannounced.length })}</h3>
      {unannounced.length === 0 ? (
        <p className="muted">{t('unannouncedNone')}</p>
      ) : (
        <table data-testid="unannounced-rows">
          <thead>
            <tr>
              <th>{t('windowWhen')}</th>
              <th>{t('boardSchool')}</th>
              <th>{t('unannouncedIncident')}</th>
            </tr>
          </thead>
          <tbody>
            {unannounced.slice(-200).map((u) => (
              <tr key={u.incidentId} data-testid="unannounced-row" data-incident-id={u.incidentId}>
                <td>{when(u.receivedAt)}</td>
                <td>{name(schools.get(u.schoolId), u.schoolId)}</td>
                <td>{u.incidentId}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

// renderer/ — the three-year-plan board (chiefs and officers): each school against the county plan this semester,
// every figure below target red, the count of schools meeting each target on top. Computed by shared/planBoard.ts
// from the reference data, the devices' health and the semester's statistics by school (the `stats` command: the
// same figures as the statistics tab), and the semester's plan records (the `plan` command): joint inspections
// (InspectionsPanel.tsx), drills the schools registered (SchoolDrillsPanel.tsx), guard posts' check-ins
// (PostChecksPanel.tsx) and the terminals' outages.
import { useEffect, useMemo, useState } from 'react';
import { stationNamer } from './stationView';
import type { DeviceHealth } from '../../shared/consoleApi';
import type { ReferenceData } from '../../shared/model';
import { INSPECTIONS_PER_SEMESTER } from '../../shared/inspections';
import { DEFAULT_SEMESTERS, DRILLS_PER_SEMESTER, planBoard, semesterOf, type BoardRow, type SemesterRule } from '../../shared/planBoard';
import type { PlanAnswer } from '../../shared/planRecords';
import type { IncidentClass } from '../../shared/responseStats';
import type { StatsAnswerReport } from '../../shared/statsWire';
import { format, refusalText, useI18n } from '../i18n';
import { getStore } from '../store';
import { stationDate, stationTimeZone, useNow } from '../time';
import { DrillWindowsPanel } from './DrillWindowsPanel';
import { InspectionsPanel } from './InspectionsPanel';
import { PostChecksPanel } from './PostChecksPanel';
import { SchoolDrillsPanel } from './SchoolDrillsPanel';
import { dayStart, shareText } from './statsRows';

const DAY_MS = 86_400_000;

export function PlanBoardView({
  reference,
  health,
  testOverdue,
  semesters,
}: {
  reference: ReferenceData | undefined;
  health: readonly DeviceHealth[];
  testOverdue: ReadonlySet<string>;
  /** The station's semesters (hello.settings.semesters, STATION_SEMESTERS). */
  semesters?: readonly SemesterRule[] | undefined;
}) {
  const { t, c, name, lang } = useI18n();
  // The county view: a station column (the station filter has already narrowed `reference` to one station's schools).
  const stationOfSchool = useMemo(() => stationNamer(reference, lang === 'en'), [reference, lang]);
  const now = useNow(60_000);
  const zone = stationTimeZone();
  const today = stationDate(now);
  const semester = useMemo(() => semesterOf(today, semesters ?? DEFAULT_SEMESTERS), [today, semesters]);
  const from = dayStart(semester.from, zone);
  const toDay = dayStart(semester.to, zone);
  const [answers, setAnswers] = useState<{
    key: string;
    drill?: StatsAnswerReport;
    real?: StatsAnswerReport;
    plan?: PlanAnswer;
    error?: string;
  }>();
  const [asked, setAsked] = useState(0);
  const [onlyShort, setOnlyShort] = useState(false);
  /** The board itself, or one of the registers it is computed from. */
  const [view, setView] = useState<'board' | 'inspections' | 'drills' | 'posts'>('board');
  const key = `${from}-${toDay}-${asked}`;

  useEffect(() => {
    if (from === undefined || toDay === undefined) return;
    let live = true;
    const ask = (cls: IncidentClass) => getStore().stats({ from, to: toDay + DAY_MS, class: cls, groupBy: 'school' });
    const plan = getStore().plan({ from: semester.from, to: semester.to, fromMs: from, toMs: toDay + DAY_MS });
    void Promise.all([ask('drill'), ask('real'), plan]).then(([d, r, p]) => {
      if (!live) return;
      if (!d.ok) setAnswers({ key, error: refusalText(c, d.error) });
      else if (!r.ok) setAnswers({ key, error: refusalText(c, r.error) });
      else if (!p.ok) setAnswers({ key, error: refusalText(c, p.error) });
      else
        setAnswers({
          key,
          drill: d.report,
          real: r.report,
          plan: {
            inspections: p.inspections,
            drills: p.drills,
            shifts: p.shifts,
            outages: p.outages,
            drillWindows: p.drillWindows,
            unannounced: p.unannounced,
            drillDays: p.drillDays,
          },
        });
    });
    return () => {
      live = false;
    };
  }, [key]); // eslint-disable-line react-hooks/exhaustive-deps

  // After a change (a register's onChanged) the last answer of the same semester stays on screen until the new
  // one is in: the registers are not unmounted, so what they were saying (an import's result) is not lost.
  const ready = answers && (answers.key === key || answers.key.startsWith(`${from}-${toDay}-`)) ? answers : undefined;
  const loading = answers?.key !== key;
  const board = useMemo(
    () =>
      reference && ready && !ready.error
        ? planBoard(reference, health, {
            drill: ready.drill,
            real: ready.real,
            testOverdue,
            ...(ready.plan ? { plan: ready.plan } : {}),
            period: { from: semester.from, to: semester.to, now, timeZone: zone },
          })
        : undefined,
    [reference, health, ready, testOverdue, semester, now, zone],
  );
  const schools = useMemo(() => new Map((reference?.schools ?? []).map((s) => [s.id, s])), [reference]);
  const short = (r: BoardRow): boolean =>
    !r.networked ||
    r.online < r.terminals ||
    r.onlineShort ||
    r.testLate ||
    r.drillsShort ||
    !r.peaksCovered ||
    r.staffedShort ||
    r.priorityShort ||
    r.inspectionsShort ||
    r.openFindings > 0;
  const rows = board ? (onlyShort ? board.rows.filter(short) : board.rows) : [];
  const red = (bad: boolean): string | undefined => (bad ? 'below' : undefined);

  return (
    <section className="admin stats board" data-testid="board">
      <h2>{t('boardTitle')}</h2>
      <div className="stats-controls">
        <span data-testid="board-semester">
          {c.boardSemesters[semester.name] ?? semester.name} · {format(c.boardSemester, { from: semester.from, to: semester.to })}
        </span>
        <span className="segmented" role="group" aria-label={t('boardTitle')}>
          {(['board', 'inspections', 'drills', 'posts'] as const).map((v) => (
            <button
              key={v}
              type="button"
              className={view === v ? 'active' : ''}
              aria-pressed={view === v}
              data-testid={`board-view-${v}`}
              onClick={() => setView(v)}
            >
              {c.boardViews[v]}
            </button>
          ))}
        </span>
        {view === 'board' && (
          <label className="inline">
            <input type="checkbox" data-testid="board-only-short" checked={onlyShort} onChange={(e) => setOnlyShort(e.target.checked)} /> {t('boardOnlyShort')}
          </label>
        )}
        {loading && <span className="muted">{t('boardLoading')}</span>}
      </div>
      {ready?.error && (
        <p className="error" role="alert">
          {ready.error}
        </p>
      )}
      {view === 'board' && <p className="muted small">{t('boardNote')}</p>}
      {board && view === 'board' && (
        <table data-testid="board-rows">
          <thead>
            <tr>
              <th>{t('boardSchool')}</th>
              {stationOfSchool && <th>{t('historyStation')}</th>}
              <th>{t('boardNetworked')}</th>
              <th>{t('boardLastTest')}</th>
              <th>{format(c.boardDrills, { n: DRILLS_PER_SEMESTER })}</th>
              <th>{t('boardPosts')}</th>
              <th>{t('boardPriority')}</th>
              <th>{format(c.boardInspections, { n: INSPECTIONS_PER_SEMESTER })}</th>
            </tr>
            <tr className="totals" data-testid="board-totals">
              <th>{format(c.boardTotals, { n: board.totals.schools })}</th>
              {stationOfSchool && <th />}
              <th>
                {board.totals.allOnline} · {board.totals.onlineMet}
              </th>
              <th>{board.totals.testsOnTime}</th>
              <th>{board.totals.drillsMet}</th>
              <th>
                {board.totals.peaksCovered} · {board.totals.staffedMet}
              </th>
              <th>{board.totals.priorityMet}</th>
              <th>{board.totals.inspectionsMet}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.schoolId} data-testid="board-row" data-school-id={r.schoolId}>
                <td>{name(schools.get(r.schoolId), r.schoolId)}</td>
                {stationOfSchool && <td data-cell="station">{stationOfSchool(r.schoolId)}</td>}
                <td className={red(!r.networked || r.online < r.terminals || r.onlineShort)} data-cell="networked">
                  {r.networked ? `${r.online}/${r.terminals}` : t('boardNotNetworked')}
                  {r.onlinePercent !== undefined && <span className="sub"> · {shareText(r.onlinePercent)} %</span>}
                </td>
                <td className={red(r.testLate)} data-cell="test">
                  {r.lastTestPressAt !== undefined ? stationDate(r.lastTestPressAt) : t('boardNever')}
                </td>
                <td className={red(r.drillsShort)} data-cell="drills" title={format(c.boardDrillsSplit, { a: r.alarmDrills, r: r.registeredDrills })}>
                  {r.drills}/{DRILLS_PER_SEMESTER}
                  {r.unannouncedDrills > 0 && (
                    <div className="sub flag" data-cell="unannounced">
                      {format(c.boardUnannounced, { n: r.unannouncedDrills })}
                    </div>
                  )}
                </td>
                <td className={red(!r.peaksCovered || r.staffedShort)} data-cell="posts">
                  {r.peaksCovered ? t('boardCovered') : t('boardNotCovered')}
                  {r.peakWindows > 0 && (
                    <div className="sub" data-cell="staffed">
                      {format(c.boardStaffed, { s: r.peakStaffed, n: r.peakWindows, p: Math.floor((r.staffedPercent ?? 0) + 1e-9) })}
                    </div>
                  )}
                </td>
                <td className={red(r.priorityShort)} data-cell="priority">
                  {r.priorityPercent !== undefined ? `${shareText(r.priorityPercent)} % (${r.realAlarms})` : t('boardNoAlarm')}
                </td>
                <td className={red(r.inspectionsShort || r.openFindings > 0)} data-cell="inspections">
                  {r.inspections}/{INSPECTIONS_PER_SEMESTER}
                  {r.openFindings > 0 && ` · ${format(c.boardOpenFindings, { n: r.openFindings })}`}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {ready?.plan && view === 'inspections' && (
        <InspectionsPanel reference={reference} inspections={ready.plan.inspections} today={today} onChanged={() => setAsked((n) => n + 1)} />
      )}
      {ready?.plan && view === 'drills' && (
        <DrillWindowsPanel
          reference={reference}
          windows={ready.plan.drillWindows}
          unannounced={ready.plan.unannounced}
          today={today}
          now={now}
          onChanged={() => setAsked((n) => n + 1)}
        />
      )}
      {ready?.plan && view === 'drills' && (
        <SchoolDrillsPanel reference={reference} drills={ready.plan.drills} today={today} onChanged={() => setAsked((n) => n + 1)} />
      )}
      {ready?.plan && board && view === 'posts' && (
        <PostChecksPanel reference={reference} shifts={ready.plan.shifts} coverage={board.postCoverage} onChanged={() => setAsked((n) => n + 1)} />
      )}
    </section>
  );
}

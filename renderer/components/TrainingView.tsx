// renderer/ — the training tab (训练, issue 13): a trainer (or an officer training) writes or loads a scenario, plays it
// on this console at 1–10×, the trainee works its alarms (接警, 派警 to a simulated unit, 处置完毕), and gets a score
// against the station's targets, exported as CSV/XLSX. Training alarms live only in this tab: they never reach the
// station, the duty consoles, the journal or the statistics. A real alarm awaiting acknowledgement pauses the run
// (the real queue and banner stay where they always are, above and beside it) until it is acknowledged.
import { useEffect, useMemo, useState, type ChangeEvent } from 'react';
import { reportCsv } from '../../shared/csv';
import type { OperatorRef } from '../../shared/events';
import type { ReferenceData, School } from '../../shared/model';
import { DEFAULT_TARGETS } from '../../shared/response';
import {
  parseScenario,
  resultMet,
  sampleScenario,
  scenarioText,
  MAX_TRAINING_UNITS,
  TRAINING_SPEEDS,
  type ScenarioProblem,
  type TrainingResult,
  type TrainingScore,
} from '../../shared/training';
import { xlsxFile } from '../../shared/xlsx';
import { clockTime, stationDate, useNow } from '../time';
import { useI18n, type Catalogue } from '../i18n';
import { getStore, useConsole } from '../store';
import { training, useTraining } from '../training';
import { CSV_TYPE, downloadText, XLSX_TYPE } from './download';

const secs = (ms: number | undefined): string => (ms === undefined ? '—' : `${(ms / 1000).toFixed(1)} s`);

function scoreCells(score: TrainingScore, c: Catalogue, schoolName: (id: string) => string): string[][] {
  const head = [c.trainAlarm, c.boardSchool, c.trainKind, c.trainAckInterval, c.trainAckMet, c.trainDispatchInterval, c.trainDispatchMet, c.trainResolved];
  const rows = score.rows.map((r) => [
    String(r.index + 1),
    schoolName(r.schoolId),
    c.kinds[r.kind],
    secs(r.acknowledgeMs),
    r.acknowledgeMet ? c.trainYes : c.trainNo,
    secs(r.dispatchMs),
    r.dispatchMet ? c.trainYes : c.trainNo,
    r.resolved ? c.trainYes : c.trainNo,
  ]);
  const n = score.rows.length;
  const count = (f: (r: TrainingScore['rows'][number]) => boolean): string => `${score.rows.filter(f).length}/${n}`;
  const faultRows = score.faults.map((f) => [
    `F${f.index + 1}`,
    schoolName(f.schoolId),
    c.trainFaults[f.kind],
    secs(f.acknowledgeMs),
    f.acknowledgeMet ? c.trainYes : c.trainNo,
    '—',
    '—',
    '—',
  ]);
  const total = [
    c.trainTotal,
    `${score.trainee} · ${score.scenario} · ${score.speed}×`,
    '',
    '',
    count((r) => r.acknowledgeMet),
    '',
    count((r) => r.dispatchMet),
    count((r) => r.resolved),
  ];
  return [head, ...rows, ...faultRows, total];
}

export function TrainingView({ reference, seed }: { reference: ReferenceData | undefined; seed?: string }) {
  const { t, name } = useI18n();
  const snap = useTraining();
  const schools = useMemo(() => new Map<string, School>((reference?.schools ?? []).map((s) => [s.id, s])), [reference]);
  const schoolName = (id: string): string => name(schools.get(id), id);
  const operator = getStore().state.operator;
  // A scenario made elsewhere (History: an incident or a page of them, replayed) is the editor's first text; the
  // parent gives each new one a new key.
  const [text, setText] = useState(() => seed ?? scenarioText(sampleScenario((reference?.schools ?? []).map((s) => s.id))));
  const [problems, setProblems] = useState<ScenarioProblem[]>();
  const [trainee, setTrainee] = useState(operator && operator.role !== 'trainer' ? operator.displayName : '');
  const [speed, setSpeed] = useState<number>(5);
  /** Real units the trainer marks as taking part (with a device): the trainee may send them as well as the simulated unit. */
  const [units, setUnits] = useState<string[]>([]);

  const check = (): ReturnType<typeof parseScenario> => {
    const r = parseScenario(text, new Set(schools.keys()));
    setProblems(r.ok ? [] : r.problems);
    return r;
  };
  const start = (): void => {
    const r = check();
    if (!r.ok || !trainee.trim()) return;
    training().start(r.scenario, speed, trainee.trim(), reference?.targets ?? DEFAULT_TARGETS, undefined, units);
  };
  const importFile = (e: ChangeEvent<HTMLInputElement>): void => {
    const f = e.target.files?.[0];
    if (!f) return;
    if (f.size > 1_000_000) return setProblems([{ where: f.name, message: t('trainFileTooLarge') }]);
    void f.text().then((x) => {
      setText(x);
      setProblems(undefined);
    });
    e.target.value = '';
  };

  const run = snap.run;
  if (snap.score && run) return <TrainingSummary score={snap.score} schoolName={schoolName} />;
  if (run) return <TrainingRunView schoolName={schoolName} />;
  return (
    <section className="admin stats training" data-testid="training-setup">
      <h2>{t('trainTitle')}</h2>
      <p className="muted small">{t('trainNote')}</p>
      <div className="stats-controls">
        <label>
          {t('trainTrainee')}
          <input data-testid="train-trainee" value={trainee} maxLength={40} onChange={(e) => setTrainee(e.target.value)} />
        </label>
        <label>
          {t('trainSpeed')}
          <select data-testid="train-speed" value={speed} onChange={(e) => setSpeed(Number(e.target.value))}>
            {TRAINING_SPEEDS.map((s) => (
              <option key={s} value={s}>
                {s}×
              </option>
            ))}
          </select>
        </label>
        <button type="button" data-testid="train-start" disabled={!trainee.trim()} onClick={start}>
          {t('trainStart')}
        </button>
        <button type="button" className="plain" data-testid="train-check" onClick={() => void check()}>
          {t('trainCheck')}
        </button>
        <button type="button" className="plain" onClick={() => (setText(scenarioText(sampleScenario([...schools.keys()]))), setProblems(undefined))}>
          {t('trainSample')}
        </button>
        <label className="plain file">
          {t('trainImport')}
          <input type="file" accept=".json,application/json" data-testid="train-import" onChange={importFile} />
        </label>
        <button type="button" className="plain" data-testid="train-export" onClick={() => downloadText('训练脚本-scenario.json', text, 'application/json')}>
          {t('trainExport')}
        </button>
      </div>
      <TakingPart reference={reference} units={units} onChange={setUnits} />
      {/* Sending it to a trainee sits with the run's own controls, above the editor (not below 22 lines of JSON). */}
      {getStore().canAssignTraining() && <AssignTraining text={text} speed={speed} units={units} schools={schools} onProblems={setProblems} />}
      {problems && problems.length === 0 && <p className="ok">{t('trainValid')}</p>}
      {problems && problems.length > 0 && (
        <ul className="error" role="alert" data-testid="train-problems">
          {problems.map((p, i) => (
            <li key={i}>
              <code>{p.where}</code> {p.message}
            </li>
          ))}
        </ul>
      )}
      <textarea
        className="scenario"
        data-testid="train-scenario"
        spellCheck={false}
        value={text}
        rows={22}
        onChange={(e) => (setText(e.target.value), setProblems(undefined))}
      />
      <p className="muted small">{t('trainFormat')}</p>
      <TrainingResults initialTrainee={trainee} />
    </section>
  );
}

/**
 * Real units taking part (issue 13): the trainer marks patrol units with a device; in the run the trainee may send
 * them as well as the simulated unit. Their devices are told it is a drill; a real dispatch of one always wins.
 */
function TakingPart({ reference, units, onChange }: { reference: ReferenceData | undefined; units: readonly string[]; onChange: (u: string[]) => void }) {
  const { t, name } = useI18n();
  const live = new Map(useConsole().units.map((u) => [u.unitId, u.connected]));
  const withDevice = (reference?.units ?? []).filter((u) => u.hasDevice);
  if (withDevice.length === 0) return null;
  return (
    <details className="taking-part" data-testid="train-units">
      <summary>
        {t('trainUnitsTitle')} {units.length > 0 && <strong>({units.length})</strong>}
      </summary>
      <p className="muted small">{t('trainUnitsNote')}</p>
      <div className="unit-picks">
        {withDevice.map((u) => (
          <label key={u.id} className={live.get(u.id) ? '' : 'muted'}>
            <input
              type="checkbox"
              data-testid="train-unit"
              data-unit-id={u.id}
              checked={units.includes(u.id)}
              disabled={!units.includes(u.id) && units.length >= MAX_TRAINING_UNITS}
              onChange={(e) => onChange(e.target.checked ? [...units, u.id] : units.filter((x) => x !== u.id))}
            />
            {name(u)} ({u.callsign}){live.get(u.id) ? '' : ` · ${t('trainUnitOffline')}`}
          </label>
        ))}
      </div>
    </details>
  );
}

/**
 * Sends the scenario in the editor to a logged-in operator's consoles (training:assign): they start the run at once,
 * scored as that operator; no other console hears of it.
 */
function AssignTraining({
  text,
  speed,
  units,
  schools,
  onProblems,
}: {
  text: string;
  speed: number;
  units: readonly string[];
  schools: ReadonlyMap<string, School>;
  onProblems: (p: ScenarioProblem[]) => void;
}) {
  const { t, c } = useI18n();
  const [consoles, setConsoles] = useState<(OperatorRef & { count: number })[]>();
  const [who, setWho] = useState('');
  const [said, setSaid] = useState<{ ok: boolean; text: string }>();
  const load = (): void =>
    void getStore()
      .trainingConsoles()
      .then((r) => {
        if ('error' in r) return setSaid({ ok: false, text: r.error });
        setConsoles(r.consoles);
        if (!r.consoles.some((x) => x.username === who)) setWho(r.consoles[0]?.username ?? '');
      });
  const send = async (): Promise<void> => {
    const r = parseScenario(text, new Set(schools.keys()));
    onProblems(r.ok ? [] : r.problems);
    if (!r.ok || !who) return;
    const a = await getStore().assignTraining({ username: who, scenario: r.scenario, speed, ...(units.length ? { units: [...units] } : {}) });
    const name = consoles?.find((x) => x.username === who)?.displayName ?? who;
    setSaid('consoles' in a ? { ok: true, text: t('trainAssigned', { who: name, n: a.consoles }) } : { ok: false, text: a.error });
  };
  return (
    <section data-testid="training-assign">
      <h3>{t('trainAssignTitle')}</h3>
      <p className="muted small">{t('trainAssignNote')}</p>
      <div className="stats-controls">
        <button type="button" className="plain" data-testid="train-consoles" onClick={load}>
          {t('trainConsolesLoad')}
        </button>
        {consoles && (
          <label>
            {t('trainTrainee')}
            <select data-testid="train-assign-to" value={who} onChange={(e) => setWho(e.target.value)}>
              {consoles.map((x) => (
                <option key={x.username} value={x.username}>
                  {x.displayName} · {c.roles[x.role]} ({x.count})
                </option>
              ))}
            </select>
          </label>
        )}
        {consoles && consoles.length === 0 && <span className="muted">{t('trainConsolesNone')}</span>}
        <button type="button" data-testid="train-assign" disabled={!who} onClick={() => void send()}>
          {t('trainAssign')}
        </button>
      </div>
      {said && (
        <p className={said.ok ? 'ok' : 'error'} data-testid="train-assign-said" role={said.ok ? 'status' : 'alert'}>
          {said.text}
        </p>
      )}
    </section>
  );
}

/** The training results kept at the station (training:results), newest first; one trainee's when named. */
function TrainingResults({ initialTrainee }: { initialTrainee: string }) {
  const { t } = useI18n();
  const [who, setWho] = useState(initialTrainee);
  const [asked, setAsked] = useState(initialTrainee);
  const [got, setGot] = useState<{ results?: TrainingResult[]; error?: string }>({});
  useEffect(() => {
    let live = true;
    void getStore()
      .trainingResults(asked.trim() || undefined)
      .then((r) => {
        if (live) setGot(r);
      });
    return () => {
      live = false;
    };
  }, [asked]);
  return (
    <section data-testid="training-results">
      <h3>{t('trainResults')}</h3>
      <form className="stats-controls" onSubmit={(e) => (e.preventDefault(), setAsked(who))}>
        <label>
          {t('trainTrainee')}
          <input data-testid="train-results-trainee" value={who} maxLength={40} onChange={(e) => setWho(e.target.value)} />
        </label>
        <button type="submit" data-testid="train-results-search">
          {t('historySearch')}
        </button>
      </form>
      {got.error && <p className="error">{got.error}</p>}
      {got.results && got.results.length === 0 && <p className="muted">{t('trainResultsNone')}</p>}
      {got.results && got.results.length > 0 && (
        <table>
          <thead>
            <tr>
              <th>{t('trainResultAt')}</th>
              <th>{t('trainTrainee')}</th>
              <th>{t('trainResultScenario')}</th>
              <th>{t('trainSpeed')}</th>
              <th>{t('trainResultMet')}</th>
              <th>{t('trainResultBy')}</th>
            </tr>
          </thead>
          <tbody>
            {got.results.map((r) => {
              const m = resultMet(r);
              return (
                <tr key={r.trainingId} data-testid="train-result-row" data-trainee={r.trainee}>
                  <td>
                    {stationDate(r.at)} {clockTime(r.at)}
                  </td>
                  <td>{r.trainee}</td>
                  <td>{r.scenario}</td>
                  <td>{r.speed}×</td>
                  <td data-cell="met">
                    {m.met}/{m.of}
                    {r.notShown > 0 && ` (+${r.notShown})`}
                  </td>
                  <td>{r.operator.displayName}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );
}

function TrainingRunView({ schoolName }: { schoolName: (id: string) => string }) {
  const { t, c, name } = useI18n();
  const snap = useTraining();
  const reference = useConsole().reference;
  const unitName = (id: string): string =>
    name(
      reference?.units.find((u) => u.id === id),
      id,
    );
  const now = useNow(500);
  const run = snap.run!;
  const clock = Math.floor(run.scenarioMs(now) / 1000);
  return (
    <section className="admin stats training running" data-testid="training-run" data-paused={run.pausedBy ?? ''}>
      <div className="banner training-banner" role="status" data-testid="training-banner">
        <span>
          {t('trainBanner', { name: run.scenario.name, who: run.trainee, speed: run.speed })}
          {snap.assignedBy && ` · ${t('trainAssignedBy', { who: snap.assignedBy.displayName })}`}
        </span>
      </div>
      {run.pausedBy === 'real_alarm' && (
        <p className="training-paused real" role="alert" data-testid="training-paused-real">
          {t('trainPausedReal')}
        </p>
      )}
      {run.pausedBy === 'trainer' && <p className="training-paused">{t('trainPaused')}</p>}
      <div className="stats-controls">
        <span data-testid="train-clock">
          {t('trainClock', { m: Math.floor(clock / 60), s: String(clock % 60).padStart(2, '0'), shown: run.items.length, all: run.scenario.alarms.length })}
        </span>
        {run.pausedBy === 'trainer' ? (
          <button type="button" data-testid="train-resume" onClick={() => training().resume()}>
            {t('trainResume')}
          </button>
        ) : (
          <button type="button" data-testid="train-pause" disabled={run.pausedBy !== undefined} onClick={() => training().pause()}>
            {t('trainPause')}
          </button>
        )}
        <button type="button" className="plain" data-testid="train-end" onClick={() => training().end()}>
          {t('trainEnd')}
        </button>
      </div>
      {run.items.length === 0 && run.faults.length === 0 && <p className="muted">{t('trainWaiting')}</p>}
      {run.faults.length > 0 && (
        <ul className="training-items">
          {[...run.faults].reverse().map((f) => {
            const open = f.acknowledgedAt === undefined;
            return (
              <li
                key={`f${f.index}`}
                className={`incident training-item fault ${open ? 'awaiting' : 'resolved'}`}
                data-testid="training-fault"
                data-index={f.index}
                data-state={open ? 'open' : 'acknowledged'}
              >
                <div className="incident-head">
                  <span className="tag training">{t('trainTag')}</span>
                  <span className="kind">{c.trainFaults[f.fault.kind]}</span>
                  <span className="school">{schoolName(f.fault.schoolId)}</span>
                  <span className="incident-id">F{f.index + 1}</span>
                </div>
                {open ? (
                  <div className="actions">
                    <button type="button" data-testid="train-fault-ack" disabled={run.paused} onClick={() => training().act('fault', f.index)}>
                      {t('trainFaultAck')}
                    </button>
                  </div>
                ) : (
                  <p className="small">
                    {t('trainFaultAcked')} · {secs(f.acknowledgedAt! - f.shownAt)}
                  </p>
                )}
              </li>
            );
          })}
        </ul>
      )}
      <ul className="training-items">
        {[...run.items].reverse().map((it) => {
          const state = run.state(it);
          const blocked = run.paused;
          return (
            <li key={it.index} className={`incident training-item ${state}`} data-testid="training-item" data-state={state} data-index={it.index}>
              <div className="incident-head">
                <span className="tag training">{t('trainTag')}</span>
                <span className="kind">{c.kinds[it.alarm.kind]}</span>
                <span className="school">{schoolName(it.alarm.schoolId)}</span>
                <span className="incident-id">#{it.index + 1}</span>
              </div>
              {it.alarm.note && <p className="note">{it.alarm.note}</p>}
              {it.real && (
                <p className="small training-real" data-testid="train-real" data-unit-id={it.real.unitId} data-step={it.real.step ?? 'sent'}>
                  {t('trainRealStep', { unit: unitName(it.real.unitId), step: c.trainRealSteps[it.real.step ?? 'sent'] })}
                </p>
              )}
              {it.realLeft && !it.real && (
                <p className="small error" data-testid="train-real-left">
                  {t(it.realLeft.reason === 'real_incident' ? 'trainRealTaken' : 'trainRealDeclined', { unit: unitName(it.realLeft.unitId) })}
                </p>
              )}
              {snap.realError?.index === it.index && (
                <p className="small error" role="alert" data-testid="train-real-error">
                  {snap.realError.message}
                </p>
              )}
              <p className="small">
                {c.trainStates[state]}
                {it.acknowledgedAt !== undefined && ` · ${t('trainAckInterval')} ${secs(it.acknowledgedAt - it.shownAt)}`}
                {it.dispatchedAt !== undefined && ` · ${t('trainDispatchInterval')} ${secs(it.dispatchedAt - it.shownAt)}`}
              </p>
              <div className="actions">
                {state === 'awaiting' && (
                  <button type="button" className="ack" data-testid="train-ack" disabled={blocked} onClick={() => training().act('acknowledge', it.index)}>
                    {t('acknowledge')}
                  </button>
                )}
                {(state === 'acknowledged' || state === 'declined') && (
                  <button type="button" data-testid="train-dispatch" disabled={blocked} onClick={() => training().act('dispatch', it.index)}>
                    {state === 'declined' ? t('trainDispatchAgain') : t('trainDispatch')}
                  </button>
                )}
                {(state === 'acknowledged' || state === 'declined') &&
                  (snap.units ?? []).map((unitId) => (
                    <button
                      key={unitId}
                      type="button"
                      data-testid="train-dispatch-real"
                      data-unit-id={unitId}
                      disabled={blocked}
                      onClick={() => training().dispatchReal(it.index, unitId)}
                    >
                      {t('trainDispatchReal', { unit: unitName(unitId) })}
                    </button>
                  ))}
                {state !== 'awaiting' && state !== 'resolved' && (
                  <button type="button" className="plain" data-testid="train-resolve" disabled={blocked} onClick={() => training().act('resolve', it.index)}>
                    {t('trainResolve')}
                  </button>
                )}
              </div>
            </li>
          );
        })}
      </ul>
    </section>
  );
}

function TrainingSummary({ score, schoolName }: { score: TrainingScore; schoolName: (id: string) => string }) {
  const { t, c } = useI18n();
  const saved = useTraining().saved;
  const cells = scoreCells(score, c, schoolName);
  const base = `训练成绩-training-${score.trainee}`.replace(/[\\/:*?"<>|\s]+/g, '_');
  return (
    <section className="admin stats training" data-testid="training-summary">
      <h2>{t('trainSummary')}</h2>
      <p className="training-total" data-testid="train-total" data-met={score.met} data-of={score.of}>
        {t('trainTotalLine', { who: score.trainee, name: score.scenario, met: score.met, of: score.of, p: score.percent })}
        {score.notShown > 0 && ` ${t('trainNotShown', { n: score.notShown })}`}
      </p>
      <table data-testid="train-score">
        <thead>
          <tr>
            {cells[0]!.map((h) => (
              <th key={h}>{h}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {cells.slice(1).map((r, i) => (
            <tr key={i} data-testid="train-score-row">
              {r.map((x, j) => (
                <td key={j}>{x}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      <p className="muted" data-testid="train-saved" data-saved={typeof saved === 'object' ? 'error' : (saved ?? '')}>
        {saved === 'saving' && t('trainSaving')}
        {saved === 'saved' && t('trainSaved')}
        {typeof saved === 'object' && (
          <>
            <span className="error">{t('trainSaveFailed', { e: saved.error })}</span>{' '}
            <button type="button" onClick={() => training().save()}>
              {t('trainSaveAgain')}
            </button>
          </>
        )}
      </p>
      <div className="stats-controls">
        <button type="button" data-testid="train-export-csv" onClick={() => downloadText(`${base}.csv`, reportCsv(cells), CSV_TYPE)}>
          CSV
        </button>
        <button
          type="button"
          data-testid="train-export-xlsx"
          onClick={() => downloadText(`${base}.xlsx`, xlsxFile([{ name: c.trainSummary, rows: cells }]), XLSX_TYPE)}
        >
          XLSX
        </button>
        <button type="button" className="plain" data-testid="train-close" onClick={() => training().close()}>
          {t('trainAgain')}
        </button>
      </div>
    </section>
  );
}

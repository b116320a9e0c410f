// renderer/ — one incident worked end to end: who has it, its timers against the targets, call-back and
// notes, the nearest units with one-click dispatch, each unit's progress, resolution, and the timeline.
import { useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import type { UnitLive } from '../../shared/consoleApi';
import { isOpen } from '../../shared/consoleView';
import { MAX_NOTE_LENGTH, MAX_OUTCOME_LENGTH, MAX_REASON_LENGTH, type ConsoleRequest, type LifecycleCommand } from '../../shared/consoleContract';
import { candidatesFor } from '../../shared/dispatch';
import { isActiveDispatch, type Dispatch, type Incident, type StationState } from '../../shared/incidents';
import type { ReferenceData, School } from '../../shared/model';
import { intervals, runningTimer, standing, DEFAULT_TARGETS, type TargetProfile } from '../../shared/response';
import { useI18n } from '../i18n';
import { getStore, type ConsoleState } from '../store';
import { clockTime, duration, useNow } from '../time';
import { useKeys } from './keys';
import { PressTime } from './PressTime';
import { ResolveForm } from './ResolveForm';
import { Timeline } from './Timeline';

interface Props {
  incident: Incident;
  reference: ReferenceData | undefined;
  station: StationState;
  units: UnitLive[];
  operator: ConsoleState['operator'];
  /** The station's stale limit for unit positions (hello settings): the map uses the same. */
  unitStaleMs: number;
  /** Changes when the focus should move into the panel (after 接警). */
  focusRequest?: number;
  onClose: () => void;
}

const dispatchState = (d: Dispatch): 'declined' | 'cancelled' | 'on_scene' | 'en_route' | 'accepted' | 'dispatched' =>
  d.declinedAt !== undefined
    ? 'declined'
    : d.cancelledAt !== undefined
      ? 'cancelled'
      : d.onSceneAt !== undefined
        ? 'on_scene'
        : d.enRouteAt !== undefined
          ? 'en_route'
          : d.acceptedAt !== undefined
            ? 'accepted'
            : 'dispatched';

/** A text field with a button that runs a lifecycle command and shows the core's refusal, if any. */
function CommandField({
  placeholder,
  label,
  testId,
  run,
  maxLength,
  required = true,
}: {
  placeholder: string;
  label: string;
  testId: string;
  run: (text: string) => Promise<string | undefined>;
  maxLength: number;
  required?: boolean;
}) {
  const [text, setText] = useState('');
  const [error, setError] = useState<string>();
  const submit = (e: FormEvent): void => {
    e.preventDefault();
    void run(text).then((err) => {
      setError(err);
      if (!err) setText('');
    });
  };
  return (
    <form className="command" onSubmit={submit} data-testid={testId}>
      <input
        value={text}
        onChange={(e) => setText(e.target.value)}
        placeholder={placeholder}
        aria-label={placeholder}
        required={required}
        maxLength={maxLength}
      />
      <button type="submit">{label}</button>
      {error && (
        <div className="error" role="alert">
          {error}
        </div>
      )}
    </form>
  );
}

/** The running timer of the open step: the only part of the panel that ticks. */
function RunningTimer({ inc, area, targets }: { inc: Incident; area: School['area']; targets: TargetProfile }) {
  const { t, c } = useI18n();
  const timer = runningTimer(inc, area, targets, useNow(1000));
  return timer ? (
    <div className={`timer ${timer.standing}`} data-testid="running-timer" data-standing={timer.standing}>
      {c.runningFor[timer.milestone]} {duration(timer.elapsedMs)} / {t('target', { s: duration(timer.targetMs) })}
    </div>
  ) : null;
}

export function IncidentPanel({ incident: inc, reference, station, units, operator, unitStaleMs: staleMs, focusRequest, onClose }: Props) {
  const { t, c, name } = useI18n();
  const store = getStore();
  const [error, setError] = useState<string>();
  const school = reference?.schools.find((s) => s.id === inc.schoolId);
  const targets = reference?.targets ?? DEFAULT_TARGETS;
  // The area class the alarm came with (its on-scene target), else the school's now (an older record).
  const area = inc.area ?? school?.area ?? 'urban';
  const canHandle = store.canHandle();
  const open = isOpen(inc);
  const run = <K extends LifecycleCommand>(name: K, req: ConsoleRequest<K>): Promise<string | undefined> =>
    store.command(name, req).then((err) => {
      setError(err);
      return err;
    });

  const freshAt = useNow(30_000);
  const candidates = useMemo(() => {
    const target = inc.location ?? school;
    if (!target || !reference) return [];
    const positions = new Map(units.map((u) => [u.unitId, u]));
    const freshness = { now: freshAt, staleMs };
    return candidatesFor(target, inc.id, { units: reference.units, positions, states: station.units, assignments: station.assignments, freshness }, targets);
  }, [inc.location, inc.id, school, reference, units, station.units, station.assignments, targets, freshAt, staleMs]);

  const mine = inc.handler?.username === operator?.username;

  const self = useRef<HTMLElement>(null);
  useEffect(() => {
    if (focusRequest) self.current?.focus();
  }, [focusRequest]);
  // D: dispatch the nearest free unit (the first available candidate), as its button would.
  const nearestFree = candidates.find((u) => u.available);
  useKeys(
    { d: () => (nearestFree ? void run('dispatch', { incidentId: inc.id, unitId: nearestFree.unitId }) : setError(t('noFreeUnit'))) },
    canHandle && open && inc.acknowledgedAt !== undefined,
  );

  return (
    <aside
      className="panel"
      data-testid="incident-panel"
      data-incident-id={inc.id}
      data-state={inc.state}
      ref={self}
      tabIndex={-1}
      aria-label={t('incidentPanel', { id: inc.id })}
    >
      <header>
        <div>
          <div className="panel-kind">
            {c.kinds[inc.kind]} {inc.drill && <span className="tag drill">{t('drill')}</span>}{' '}
            {inc.drill && (
              <span className={`tag ${inc.drillWindowId ? 'drill-announced' : 'drill-unannounced'}`}>
                {inc.drillWindowId ? t('drillAnnounced') : t('drillUnannounced')}
              </span>
            )}{' '}
            <span className="incident-id">{inc.id}</span>
          </div>
          <h2>{name(school, inc.schoolId)}</h2>
          <div className="school-meta">
            {school?.address} · {t('phone')} {school?.phone}
          </div>
          <div className="school-meta" data-testid="received-at">
            {t('receivedAt')} {clockTime(inc.receivedAt)}
          </div>
          <PressTime raisedAt={inc.raisedAt} receivedAt={inc.receivedAt} always />
        </div>
        <button className="plain" onClick={onClose}>
          {t('close')}
        </button>
      </header>

      {inc.handler && (
        <div className="handler" data-testid="handler">
          {t('handler', { who: inc.handler.displayName })}
          {mine && t('you')}
          {!mine && open && canHandle && (
            <button data-testid="take-over" onClick={() => void run('takeOver', { incidentId: inc.id })}>
              {t('takeOver')}
            </button>
          )}
        </div>
      )}
      {error && (
        <div className="error" role="alert">
          {error}
        </div>
      )}

      <h3>{t('panelTimers')}</h3>
      <RunningTimer inc={inc} area={area} targets={targets} />
      <table className="intervals" data-testid="intervals">
        <tbody>
          {intervals(inc, area, targets).map((iv) => (
            <tr
              key={iv.milestone}
              data-milestone={iv.milestone}
              className={iv.ms !== undefined && iv.targetMs !== undefined ? standing(iv.ms, iv.targetMs) : ''}
            >
              <td>{c.milestones[iv.milestone]}</td>
              <td data-testid={`interval-${iv.milestone}`}>{iv.ms === undefined ? t('notYet') : `+${(iv.ms / 1000).toFixed(1)} s`}</td>
              <td className="muted">{iv.targetMs !== undefined ? t('target', { s: duration(iv.targetMs) }) : ''}</td>
            </tr>
          ))}
        </tbody>
      </table>

      {canHandle && inc.acknowledgedAt !== undefined && (
        <>
          <h3>{t('panelActions')}</h3>
          {open && (
            <CommandField
              testId="callback"
              label={t('callBack')}
              placeholder={t('callBackPlaceholder')}
              maxLength={MAX_OUTCOME_LENGTH}
              run={(outcome) => run('callBack', { incidentId: inc.id, outcome })}
            />
          )}
          <CommandField
            testId="note"
            label={t('addNote')}
            placeholder={t('notePlaceholder')}
            maxLength={MAX_NOTE_LENGTH}
            run={(text) => run('note', { incidentId: inc.id, text })}
          />

          <h3>{t('panelDispatch')}</h3>
          <ul className="dispatches">
            {inc.dispatches.map((d, i) => {
              const u = reference?.units.find((x) => x.id === d.unitId);
              const st = dispatchState(d);
              return (
                <li key={`${d.unitId}-${i}`} data-testid="dispatch" data-unit-id={d.unitId} data-dispatch-state={st}>
                  <strong>{name(u, d.unitId)}</strong> · {c.dispatchStates[st]} {clockTime(d.dispatchedAt)}
                  {d.declineReason && ` (${d.declineReason})`}
                  {isActiveDispatch(d) && open && (
                    <span className="row-actions">
                      {d.enRouteAt === undefined && d.onSceneAt === undefined && (
                        <button onClick={() => void run('progress', { incidentId: inc.id, unitId: d.unitId, state: 'en_route' })}>{t('markEnRoute')}</button>
                      )}
                      {d.onSceneAt === undefined && (
                        <button data-testid="mark-on-scene" onClick={() => void run('progress', { incidentId: inc.id, unitId: d.unitId, state: 'on_scene' })}>
                          {t('markOnScene')}
                        </button>
                      )}
                      <button
                        onClick={() => void run('cancelDispatch', { incidentId: inc.id, unitId: d.unitId, reason: window.prompt(t('withdrawReason')) ?? '' })}
                      >
                        {t('withdraw')}
                      </button>
                    </span>
                  )}
                </li>
              );
            })}
          </ul>
          {open && (
            <ul className="candidates" data-testid="candidates">
              {candidates.length === 0 && <li>{t('noUnits')}</li>}
              {candidates.slice(0, 5).map((u) => (
                <li key={u.unitId} data-testid="candidate" data-unit-id={u.unitId} className={u.available ? '' : 'unavailable'}>
                  <span>
                    <strong>{name(u)}</strong> · {t('distance', { km: (u.distanceM / 1000).toFixed(1), min: Math.max(1, Math.round(u.etaS / 60)) })}
                    {u.reason === 'assigned' && ` · ${t('unitAssigned', { id: u.assignedTo ?? '' })}`}
                    {u.reason === 'busy' && ` · ${t('unitBusy')}`}
                    {u.reason === 'off_duty' && ` · ${t('unitOffDuty')}`}
                    {u.stale && ` · ${t('unitStale')}`}
                  </span>
                  <button data-testid="dispatch-unit" disabled={!u.available} onClick={() => void run('dispatch', { incidentId: inc.id, unitId: u.unitId })}>
                    {u.hasDevice ? t('dispatchTo') : t('dispatchRadio')}
                  </button>
                </li>
              ))}
            </ul>
          )}

          {open ? (
            <ResolveForm
              key={`${inc.id}/${inc.reopenedAt ?? 0}`}
              inc={inc}
              onResolve={(disposition, note, override) => void run('resolve', { incidentId: inc.id, disposition, note, ...(override ? { override } : {}) })}
            />
          ) : (
            <CommandField
              testId="reopen"
              label={t('reopen')}
              placeholder={t('reopenReason')}
              maxLength={MAX_REASON_LENGTH}
              run={(reason) => run('reopen', { incidentId: inc.id, reason })}
            />
          )}
        </>
      )}

      <h3>{t('panelTimeline')}</h3>
      <Timeline inc={inc} reference={reference} />
    </aside>
  );
}

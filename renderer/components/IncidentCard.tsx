// renderer/ — one alarm in the queue: which school, what kind, how long it has waited, and 接警.
import { memo, useEffect, useState } from 'react';
import type { AlarmReceived } from '../../shared/events';
import { ackIntervalMs, isUnacknowledged, type Incident } from '../../shared/incidents';
import { DEFAULT_TARGETS, runningTimer, type TargetProfile } from '../../shared/response';
import type { School } from '../../shared/model';
import { useI18n } from '../i18n';
import { getStore } from '../store';
import { clockTime, duration, useNow } from '../time';
import { PressTime } from './PressTime';

interface Props {
  incident: Incident | AlarmReceived;
  school: School | undefined;
  /** Not resolved: its timers tick. */
  live: boolean;
  canAck: boolean;
  selected: boolean;
  onSelect: (id: string) => void;
  targets?: TargetProfile;
  /** Among the first few open cards: this one flashes. */
  flash?: boolean;
}

const isStored = (x: Incident | AlarmReceived): x is Incident => !('type' in x);

/** The ticking part of a card: how long it has waited, or the running timer against its target. */
function CardTimers({ incident, open, area, targets }: { incident: Incident | AlarmReceived; open: boolean; area: School['area']; targets: TargetProfile }) {
  const { t, c } = useI18n();
  const now = useNow(1000);
  const receivedAt = 'type' in incident ? incident.at : incident.receivedAt;
  if (open) {
    return (
      <span className="waited" data-testid="waited">
        {t('waited')} {duration(now - receivedAt)}
      </span>
    );
  }
  const timer = 'type' in incident ? undefined : runningTimer(incident, area, targets, now);
  return timer ? (
    <span className={`timer ${timer.standing}`} data-testid="card-timer" data-standing={timer.standing}>
      {c.runningFor[timer.milestone]} {duration(timer.elapsedMs)}
    </span>
  ) : null;
}

function IncidentCardImpl({ incident, school, live, canAck, selected, onSelect, targets = DEFAULT_TARGETS, flash = false }: Props) {
  const { t, c } = useI18n();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const stored = isStored(incident);
  const id = stored ? incident.id : incident.incidentId;
  const receivedAt = stored ? incident.receivedAt : incident.at;
  const open = stored ? isUnacknowledged(incident) && incident.resolvedAt === undefined : true;
  const resolved = stored && incident.resolvedAt !== undefined;
  const shownAt = stored ? incident.shownAt : undefined;

  useEffect(() => {
    if (stored && shownAt === undefined) getStore().reportShown(id);
  }, [stored, shownAt, id]);

  const ack = (): void => {
    setBusy(true);
    setError(undefined);
    void getStore()
      .acknowledge(id)
      .then((err) => {
        setError(err);
        if (!err) onSelect(id); // taken: open it to work it
      })
      .finally(() => setBusy(false));
  };

  const interval = stored ? ackIntervalMs(incident) : undefined;
  const classes = ['incident', open ? 'open' : resolved ? 'resolved' : 'acked', open && flash ? 'flash' : '', stored && incident.escalatedAt !== undefined && open ? 'escalated' : '', incident.kind === 'test' ? 'test' : '', incident.drill ? 'drill' : '', selected ? 'selected' : ''];
  return (
    <li
      className={classes.filter(Boolean).join(' ')}
      data-testid="incident"
      data-incident-id={id}
      data-alarm-id={incident.alarmId}
      data-state={stored ? incident.state : 'unstored'}
      onClick={() => onSelect(id)}
    >
      <div className="incident-head">
        <span className="kind">{c.kinds[incident.kind]}</span>
        {incident.drill && <span className="tag drill">{t('drill')}</span>}
        {incident.kind === 'test' && <span className="tag test">{t('test')}</span>}
        {stored && incident.escalatedAt !== undefined && open && <span className="tag overdue">{t('escalated')}</span>}
        {stored && !open && <span className={`tag state ${incident.state}`}>{c.alarmStates[incident.state]}</span>}
        <span className="incident-id">{id}</span>
      </div>
      <div className="school">{school?.name ?? `${t('unknownSchool')} (${incident.schoolId})`}</div>
      {school && (
        <div className="school-meta">
          {c.schoolTypes[school.type]} · {school.address} · {t('phone')} {school.phone}
        </div>
      )}
      {incident.note && (
        <div className="note">
          {t('noteLabel')}：{incident.note}
        </div>
      )}
      {!stored && <div className="warning">{t('notDurable')}</div>}
      {stored && incident.cancelRequest && (
        <div className="warning" data-testid="cancel-request">
          {t('cancelRequested', { reason: incident.cancelRequest.reason || '—', time: clockTime(incident.cancelRequest.at) })}
        </div>
      )}
      {stored && 'repeats' in incident && incident.repeats !== undefined && (
        <div className="warning" data-testid="pressed-again">
          {t('pressedAgain', { n: incident.repeats, time: clockTime(incident.lastRepeatAt ?? receivedAt) })}
        </div>
      )}
      <PressTime raisedAt={incident.raisedAt} receivedAt={receivedAt} />
      <div className="times">
        <span>
          {t('receivedAt')} {clockTime(receivedAt)}
        </span>
        {live && <CardTimers incident={incident} open={open} area={school?.area ?? 'urban'} targets={targets} />}
      </div>
      {open && stored && (
        <button className="ack" data-testid="ack" disabled={busy || !canAck} title={canAck ? '' : t('cannotAck')} onClick={(e) => { e.stopPropagation(); ack(); }}>
          {busy ? t('acknowledging') : t('acknowledge')}
        </button>
      )}
      {stored && incident.acknowledgedAt !== undefined && (
        <div className="acked-by" data-testid="acked-by">
          {t('acknowledgedBy', { who: incident.acknowledgedBy?.displayName ?? '?' })} {clockTime(incident.acknowledgedAt)} ·{' '}
          <span data-testid="ack-interval">{t('ackInterval', { s: ((interval ?? 0) / 1000).toFixed(1) })}</span>
        </div>
      )}
      {stored && incident.handler && !open && !resolved && <div className="handler-line">{t('handler', { who: incident.handler.displayName })}</div>}
      {error && <div className="error" role="alert">{t('errorPrefix')}: {error}</div>}
    </li>
  );
}

export const IncidentCard = memo(IncidentCardImpl);

// renderer/ — one alarm in the queue: which school, what kind, how long it has waited, and 接警.
import { memo, useEffect, useState } from 'react';
import { cardTimer, queueItem, type QueueEntry, type QueueItem } from '../../shared/consoleView';
import { DEFAULT_TARGETS, type TargetProfile } from '../../shared/response';
import type { School } from '../../shared/model';
import { useI18n } from '../i18n';
import { getStore } from '../store';
import { clockTime, duration, useNow } from '../time';
import { PressTime } from './PressTime';

interface Props {
  incident: QueueEntry;
  school: School | undefined;
  canAck: boolean;
  selected: boolean;
  onSelect: (id: string) => void;
  /** 接警 succeeded: open it and move the focus into its panel. */
  onTaken?: (id: string) => void;
  targets?: TargetProfile;
  /** Among the first few open cards: this one flashes. */
  flash?: boolean;
  /** The school's station, on a console that sees several (the county command view). */
  station?: string | undefined;
  /**
   * False for a card far below the queue's view: its <li> (the same element, focusable, with its state, so the
   * keyboard and the queue's order are unchanged) with one line of text instead of its content, until the
   * officer scrolls near it (ConsoleView's queue window). With hundreds of open alarms, each card's content
   * costs every frame.
   */
  full?: boolean;
}

/** The ticking part of a card: how long it has waited, or the running timer against its target. */
function CardTimers({ item, targets }: { item: QueueItem; targets: TargetProfile }) {
  const { t, c } = useI18n();
  const timer = cardTimer(item, targets, useNow(1000));
  if (timer && 'waitedMs' in timer) {
    return (
      <span className="waited" data-testid="waited">
        {t('waited')} {duration(timer.waitedMs)}
      </span>
    );
  }
  return timer ? (
    <span className={`timer ${timer.standing}`} data-testid="card-timer" data-standing={timer.standing}>
      {c.runningFor[timer.milestone]} {duration(timer.elapsedMs)}
    </span>
  ) : null;
}

function IncidentCardImpl({
  incident: entry,
  school,
  canAck,
  selected,
  onSelect,
  onTaken = onSelect,
  targets = DEFAULT_TARGETS,
  flash = false,
  station,
  full = true,
}: Props) {
  const { t, c, name } = useI18n();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const item = queueItem(entry, school);
  const { id, receivedAt, incident, awaitsAck, resolved } = item;
  const stored = incident !== undefined;
  const shownAt = incident?.shownAt;

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
        if (!err) onTaken(id); // taken: open it to work it
      })
      .finally(() => setBusy(false));
  };

  // The class 'open' marks a card awaiting acknowledgement (styles and tests key on it).
  const classes = [
    'incident',
    awaitsAck ? 'open' : resolved ? 'resolved' : 'acked',
    awaitsAck && flash ? 'flash' : '',
    item.overdue ? 'escalated' : '',
    entry.kind === 'test' ? 'test' : '',
    entry.drill ? 'drill' : '',
    selected ? 'selected' : '',
    full ? '' : 'slot',
  ];
  return (
    <li
      className={classes.filter(Boolean).join(' ')}
      data-testid="incident"
      data-incident-id={id}
      data-alarm-id={entry.alarmId}
      data-state={item.state}
      tabIndex={0}
      aria-label={`${c.kinds[entry.kind]} · ${school?.name ?? entry.schoolId} · ${id}`}
      aria-current={selected || undefined}
      onClick={() => onSelect(id)}
      onKeyDown={(e) => {
        if (e.key === 'Enter' && e.target === e.currentTarget) {
          e.preventDefault();
          onSelect(id);
        }
      }}
    >
      {!full && (
        // What the alarm is, in one line, in the DOM (for find-in-page and screen readers) but not laid out
        // until it scrolls near: the card takes its place then.
        <div className="slot-line">
          {c.kinds[entry.kind]} · {name(school, entry.schoolId)} · {clockTime(receivedAt)}
          {entry.note ? ` · ${entry.note}` : ''}
        </div>
      )}
      {full && (
        <>
          <div className="incident-head">
            <span className="kind">{c.kinds[entry.kind]}</span>
            {entry.drill && <span className="tag drill">{t('drill')}</span>}
            {entry.drill && (
              <span
                className={`tag ${entry.drillWindowId ? 'drill-announced' : 'drill-unannounced'}`}
                data-testid="drill-announced"
                data-announced={entry.drillWindowId ? 'yes' : 'no'}
              >
                {entry.drillWindowId ? t('drillAnnounced') : t('drillUnannounced')}
              </span>
            )}
            {entry.kind === 'test' && <span className="tag test">{t('test')}</span>}
            {item.overdue && <span className="tag overdue">{t('escalated')}</span>}
            {incident && !awaitsAck && <span className={`tag state ${incident.state}`}>{c.alarmStates[incident.state]}</span>}
            {station !== undefined && (
              <span className="tag station" data-testid="card-station">
                {station}
              </span>
            )}
            <span className="incident-id">{id}</span>
          </div>
          <div className="school" title={name(school, entry.schoolId)}>
            {name(school, `${t('unknownSchool')} (${entry.schoolId})`)}
          </div>
          {school && (
            <div className="school-meta">
              {/* The phone before the address: a long address is clamped, the number to call back never is. */}
              {c.schoolTypes[school.type]} · {t('phone')} {school.phone} · {school.address}
            </div>
          )}
          {entry.note && (
            <div className="note">
              {t('noteLabel')}：{entry.note}
            </div>
          )}
          {!stored && <div className="warning">{t('notDurable')}</div>}
          {incident?.cancelRequest && (
            <div className="warning" data-testid="cancel-request">
              {t('cancelRequested', { reason: incident.cancelRequest.reason || '—', time: clockTime(incident.cancelRequest.at) })}
            </div>
          )}
          {incident?.repeats !== undefined && (
            <div className="warning" data-testid="pressed-again">
              {t('pressedAgain', { n: incident.repeats, time: clockTime(incident.lastRepeatAt ?? receivedAt) })}
            </div>
          )}
          <PressTime raisedAt={entry.raisedAt} receivedAt={receivedAt} />
          <div className="times">
            <span>
              {t('receivedAt')} {clockTime(receivedAt)}
            </span>
            {item.open && <CardTimers item={item} targets={targets} />}
          </div>
          {awaitsAck && stored && (
            <button
              className="ack"
              data-testid="ack"
              disabled={busy || !canAck}
              title={canAck ? '' : t('cannotAck')}
              onClick={(e) => {
                e.stopPropagation();
                ack();
              }}
            >
              {busy ? t('acknowledging') : t('acknowledge')}
            </button>
          )}
          {incident?.acknowledgedAt !== undefined && (
            <div className="acked-by" data-testid="acked-by">
              {t('acknowledgedBy', { who: incident.acknowledgedBy?.displayName ?? '?' })} {clockTime(incident.acknowledgedAt)} ·{' '}
              <span data-testid="ack-interval">{t('ackInterval', { s: ((item.ackIntervalMs ?? 0) / 1000).toFixed(1) })}</span>
            </div>
          )}
          {item.handler && <div className="handler-line">{t('handler', { who: item.handler.displayName })}</div>}
          {error && (
            <div className="error" role="alert">
              {t('errorPrefix')}: {error}
            </div>
          )}
        </>
      )}
    </li>
  );
}

export const IncidentCard = memo(IncidentCardImpl);

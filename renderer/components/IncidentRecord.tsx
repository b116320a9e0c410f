// renderer/ — one incident as recorded, read only, fetched whole from the core (the `incident` command): where, what,
// how it ended, and its timeline. Opened from a row of the history or from an incident behind a statistic.
import { useEffect, useState } from 'react';
import type { Incident } from '../../shared/incidents';
import type { ReferenceData } from '../../shared/model';
import { incidentClass } from '../../shared/responseStats';
import { format, refusalText, useI18n } from '../i18n';
import { getStore } from '../store';
import { Timeline } from './Timeline';

export function IncidentRecord({
  incidentId,
  reference,
  onClose,
  onReplay,
}: {
  incidentId: string;
  reference: ReferenceData | undefined;
  onClose: () => void;
  /** Given to those who may train: the incident as a training scenario (its order and spacing of events). */
  onReplay?: (inc: Incident) => void;
}) {
  const { t, c, name } = useI18n();
  // The answer for the incident asked for now (an older answer, to another incident, is not shown).
  const [got, setGot] = useState<{ id: string; inc?: Incident; error?: string }>();
  const inc = got?.id === incidentId ? got.inc : undefined;
  const error = got?.id === incidentId ? got.error : undefined;
  useEffect(() => {
    let live = true;
    void getStore()
      .incidentWhole(incidentId)
      .then((r) => {
        if (!live) return;
        setGot(r.ok ? { id: incidentId, inc: r.incident } : { id: incidentId, error: refusalText(c, r.error) });
      });
    return () => {
      live = false;
    };
  }, [incidentId]); // eslint-disable-line react-hooks/exhaustive-deps
  const school = inc && reference?.schools.find((s) => s.id === inc.schoolId);
  return (
    <aside className="incident-record" data-testid="incident-record" data-incident-id={incidentId} aria-label={format(c.historyTimelineOf, { id: incidentId })}>
      <header>
        <strong>{format(c.historyTimelineOf, { id: incidentId })}</strong>
        {inc && onReplay && (
          <button data-testid="incident-replay" onClick={() => onReplay(inc)}>
            {t('trainReplay')}
          </button>
        )}
        <button data-testid="incident-record-close" onClick={onClose}>
          {t('statsClose')}
        </button>
      </header>
      <p className="muted">{t('historyReadOnly')}</p>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {inc && (
        <>
          <p>
            <strong>{name(school, inc.schoolId)}</strong> · {c.kinds[inc.kind]} · {c.statsClasses[incidentClass(inc)]} · {c.alarmStates[inc.state]}
            {inc.disposition && ` · ${c.dispositions[inc.disposition]}`}
          </p>
          {inc.note && (
            <p>
              {t('noteLabel')}: {inc.note}
            </p>
          )}
          {inc.resolutionNote && <p>{inc.resolutionNote}</p>}
          {inc.notes.length > 0 && (
            <ul className="record-notes">
              {inc.notes.map((n, i) => (
                <li key={i}>
                  {n.operator.displayName}: {n.text}
                </li>
              ))}
            </ul>
          )}
          <h3>{t('panelTimeline')}</h3>
          <Timeline inc={inc} reference={reference} withDate />
        </>
      )}
    </aside>
  );
}

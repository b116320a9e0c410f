// renderer/ — the "today" list: incidents resolved today (the station's calendar day), newest first, one click
// away once they have left the live queue. Clicking one opens its panel.
import { useMemo, useState } from 'react';
import { resolvedToday } from '../../shared/consoleView';
import type { StationState } from '../../shared/incidents';
import type { School } from '../../shared/model';
import { useI18n } from '../i18n';
import { clockTime, useNow } from '../time';

interface Props {
  station: StationState;
  /** The station's time zone: "today" is its calendar day. */
  timeZone: string;
  schools: Map<string, School>;
  selected: string | undefined;
  onSelect: (id: string) => void;
  /** The county view's station filter, by school (absent: every school). */
  only?: ((schoolId: string) => boolean) | undefined;
}

export function TodayList({ station, timeZone, schools, selected, onSelect, only }: Props) {
  const { t, c, name } = useI18n();
  // A minute's tick is enough to turn the day over; a resolution re-renders through `station`.
  const now = useNow(60_000);
  const incidents = useMemo(() => {
    const all = resolvedToday(station, now, timeZone);
    return only ? all.filter((i) => only(i.schoolId)) : all;
  }, [station, now, timeZone, only]);
  const [open, setOpen] = useState(false);
  return (
    <section className={`today ${open ? 'expanded' : 'collapsed'}`} data-testid="today" data-count={incidents.length} aria-label={t('todayTitle')}>
      <button className="today-toggle plain" data-testid="today-toggle" aria-expanded={open} onClick={() => setOpen((x) => !x)}>
        {open ? '▾' : '▸'} {t('todayTitle')} <span className="count">{incidents.length}</span>
      </button>
      {open && (
        <ul>
          {incidents.length === 0 && <li className="empty">{t('todayEmpty')}</li>}
          {incidents.map((i) => (
            <li key={i.id}>
              <button
                className={`today-item ${selected === i.id ? 'selected' : ''}`}
                data-testid="today-item"
                data-incident-id={i.id}
                onClick={() => onSelect(i.id)}
              >
                <span className="today-time">{clockTime(i.resolvedAt!)}</span>
                <span className="today-school">{name(schools.get(i.schoolId), i.schoolId)}</span>
                <span className="today-kind">
                  {i.drill ? `${t('drill')} · ` : ''}
                  {c.kinds[i.kind]}
                </span>
                {i.disposition && <span className="today-disposition">{c.dispositions[i.disposition]}</span>}
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

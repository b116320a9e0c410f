// renderer/ — the quiet "tests today" strip: the test presses the station took and closed itself today (school and
// time). They are not alarms to work: no card, no sound, not counted as awaiting 接警 (shared/consoleView.ts).
import { useMemo } from 'react';
import { testsToday } from '../../shared/consoleView';
import type { StationState } from '../../shared/incidents';
import type { School } from '../../shared/model';
import { useI18n } from '../i18n';
import { clockTime, useNow } from '../time';

/** How many of today's test presses the strip names; the rest are counted. */
const SHOWN = 6;

export function TestStrip({
  station,
  schools,
  timeZone,
  only,
}: {
  station: StationState;
  schools: Map<string, School>;
  timeZone: string;
  /** The county view's station filter, by school (absent: every school). */
  only?: ((schoolId: string) => boolean) | undefined;
}) {
  const { t, name } = useI18n();
  const now = useNow(60_000);
  const tests = useMemo(() => {
    const all = testsToday(station, now, timeZone);
    return only ? all.filter((i) => only(i.schoolId)) : all;
  }, [station, now, timeZone, only]);
  return (
    <div className="tests-today" data-testid="tests-today" aria-label={t('testsToday')}>
      <span className="tests-title">
        {t('testsToday')} <span className="count">{tests.length}</span>
      </span>
      {tests.length === 0 ? (
        <span className="tests-none">{t('testsTodayNone')}</span>
      ) : (
        <ul>
          {tests.slice(0, SHOWN).map((i) => (
            <li key={i.id} data-testid="test-press" data-incident-id={i.id}>
              {name(schools.get(i.schoolId), i.schoolId)} <time>{clockTime(i.receivedAt)}</time>
            </li>
          ))}
          {tests.length > SHOWN && <li className="more">+{tests.length - SHOWN}</li>}
        </ul>
      )}
    </div>
  );
}

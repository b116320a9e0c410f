// renderer/ — when the school pressed: the terminal's own clock at the press (`raisedAt`) beside the station's
// receive time. Shown on the incident panel always, and on the queue card only when the two differ notably (a
// terminal clock that is off, or an alarm that reached the station late after resends): that is when it matters.
import { SKEW_FLAG_MS } from '../../shared/protocol';
import { useI18n } from '../i18n';
import { clockTime, duration, stationDate } from '../time';

const DAY_MS = 86_400_000;

/** receivedAt − raisedAt, and whether it is beyond what the console flags as clock skew on a device (5 s). */
export function pressGap(raisedAt: number, receivedAt: number): { ms: number; notable: boolean } {
  const ms = receivedAt - raisedAt;
  return { ms, notable: Math.abs(ms) > SKEW_FLAG_MS };
}

/** The press time; with its date when it is not the station's day of receipt (a terminal clock reset to 1970 says so). */
function pressClock(raisedAt: number, receivedAt: number): string {
  const day = stationDate(raisedAt);
  return day === stationDate(receivedAt) ? clockTime(raisedAt) : `${day} ${clockTime(raisedAt)}`;
}

export function PressTime({ raisedAt, receivedAt, always = false }: { raisedAt: number; receivedAt: number; always?: boolean }) {
  const { t } = useI18n();
  const gap = pressGap(raisedAt, receivedAt);
  if (!always && !gap.notable) return null;
  const span = (ms: number): string => (ms >= DAY_MS ? t('days', { n: Math.floor(ms / DAY_MS) }) : duration(ms));
  return (
    <div className={`school-meta press-time${gap.notable ? ' notable' : ''}`} data-testid="press-time" data-gap-ms={gap.ms} title={t('pressedAtHint')}>
      {t('pressedAt', { time: pressClock(raisedAt, receivedAt) })}
      {gap.notable && ` · ${gap.ms < 0 ? t('pressAhead', { d: span(-gap.ms) }) : t('pressBefore', { d: span(gap.ms) })}`}
    </div>
  );
}

// renderer/ — when the school pressed: the terminal's own clock at the press (`raisedAt`) beside the station's
// receive time. Shown on the incident panel always, and on the queue card only when the two differ notably (a
// terminal clock that is off, or an alarm that reached the station late after resends): that is when it matters.
import { SKEW_FLAG_MS } from '../../shared/protocol';
import { useI18n } from '../i18n';
import { clockTime, duration } from '../time';

const DAY_MS = 86_400_000;
const pad = (n: number): string => String(n).padStart(2, '0');

/** receivedAt − raisedAt, and whether it is beyond what the console flags as clock skew on a device (5 s). */
export function pressGap(raisedAt: number, receivedAt: number): { ms: number; notable: boolean } {
  const ms = receivedAt - raisedAt;
  return { ms, notable: Math.abs(ms) > SKEW_FLAG_MS };
}

/** The press time; with its date when it is not the day of receipt (a terminal clock reset to 1970 says so). */
function pressClock(raisedAt: number, receivedAt: number): string {
  const d = new Date(raisedAt);
  if (d.toDateString() === new Date(receivedAt).toDateString()) return clockTime(raisedAt);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${clockTime(raisedAt)}`;
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

// renderer/ — every terminal's health: school, online/offline since, last heartbeat, last test press,
// clock skew, battery and refusals by code. Offline and skewed devices sort first.
import { useMemo } from 'react';
import type { DeviceHealth } from '../../shared/consoleApi';
import type { School } from '../../shared/model';
import { useI18n } from '../i18n';
import { clockTime, duration, stationDate, useNow } from '../time';

/** The last test press: the time today, the date and time before (a school tests once a month or so). */
function testTime(at: number, now: number): string {
  if (now - at < 86_400_000) return clockTime(at);
  return `${stationDate(at)} ${clockTime(at).slice(0, 5)}`;
}

type DeviceState = 'disabled' | 'offline' | 'never' | 'online';
const deviceState = (h: DeviceHealth): DeviceState =>
  h.disabled ? 'disabled' : !h.online ? 'offline' : h.lastSeenAt === undefined && !h.connected ? 'never' : 'online';
const STATE_TEXT = { disabled: 'devDisabled', offline: 'devOffline', never: 'devNotHeard', online: 'devOnline' } as const;

export function DeviceHealthView({
  health,
  schools,
  testOverdue,
}: {
  health: DeviceHealth[];
  schools: Map<string, School>;
  /** Terminals with an open test_overdue fault. */
  testOverdue?: ReadonlySet<string>;
}) {
  const { t, name } = useI18n();
  const now = useNow(1000);
  const rows = useMemo(
    () =>
      [...health].sort((a, b) => Number(a.online) - Number(b.online) || Number(b.skewFlagged) - Number(a.skewFlagged) || a.deviceId.localeCompare(b.deviceId)),
    [health],
  );
  const ago = (at?: number): string => (at === undefined ? t('never') : `${clockTime(at)} (${duration(now - at)})`);
  return (
    <section className="devices" data-testid="device-health">
      <p className="summary">
        {t('devSummary', { n: health.length, off: health.filter((h) => !h.online).length, skew: health.filter((h) => h.skewFlagged).length })}
      </p>
      <table>
        <thead>
          <tr>
            <th>{t('devDevice')}</th>
            <th>{t('devSchool')}</th>
            <th>{t('devState')}</th>
            <th>{t('devSince')}</th>
            <th>{t('devLastHeartbeat')}</th>
            <th>{t('devLastTest')}</th>
            <th>{t('devSkew')}</th>
            <th>{t('devBattery')}</th>
            <th>{t('devRefusals')}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((h) => (
            <tr key={h.deviceId} data-testid="device-row" data-device-id={h.deviceId} data-online={String(h.online)} className={h.online ? '' : 'offline'}>
              <td>{h.deviceId}</td>
              <td>{name(schools.get(h.schoolId), h.schoolId)}</td>
              <td>
                {/* A terminal never heard from since the start is "never connected": not online, and not an offline fault. */}
                <span data-testid="device-state" data-state={deviceState(h)}>
                  {t(STATE_TEXT[deviceState(h)])}
                </span>{' '}
                · {h.connected ? t('devConnected') : t('devNotConnected')}
                {h.tamper && <span className="tag test"> {t('faultTamper')}</span>}
              </td>
              <td>{h.since === undefined ? t('never') : clockTime(h.since)}</td>
              <td>{ago(h.lastHeartbeatAt)}</td>
              <td data-testid="last-test" className={testOverdue?.has(h.deviceId) ? 'flag' : ''}>
                {h.lastTestPressAt === undefined ? t('never') : testTime(h.lastTestPressAt, now)}
                {testOverdue?.has(h.deviceId) && ` ⚠ ${t('testOverdue')}`}
              </td>
              <td className={h.skewFlagged ? 'flag' : ''} data-testid="skew">
                {h.skewMs === undefined ? t('never') : `${(h.skewMs / 1000).toFixed(1)} s`}
                {h.skewFlagged && ` ⚠ ${t('devSkewFlag')}`}
              </td>
              <td>{h.battery === undefined ? t('never') : `${h.battery}%${h.powerSource === 'battery' ? ' 🔋' : ''}`}</td>
              <td data-testid="refusals">
                {Object.entries(h.refusals)
                  .map(([code, n]) => `${code}: ${n}`)
                  .join(', ') || '0'}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

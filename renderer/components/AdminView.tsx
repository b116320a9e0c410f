// renderer/ — admin: register terminals, rotate their tokens, disable and enable them. The core checks the
// role; this screen is only shown to admins. A new token is shown once and never again.
import { useState, type FormEvent } from 'react';
import type { DeviceHealth } from '../../shared/consoleApi';
import { MAX_LABEL_LENGTH } from '../../shared/consoleContract';
import type { ReferenceData } from '../../shared/model';
import { DEFAULT_TARGETS, type TargetProfile } from '../../shared/response';
import { useI18n } from '../i18n';
import { getStore } from '../store';
import { DataExchangeView } from './DataExchangeView';
import { SettingsPanel } from './admin/SettingsPanel';

/** The target profile, edited in the units people think in (seconds, minutes); the core validates it. */
function TargetsEditor({ targets }: { targets: TargetProfile }) {
  const { t } = useI18n();
  const [msg, setMsg] = useState<string>();
  const fields: [string, string, number, number][] = [
    ['ack', t('targetAck'), targets.acknowledgeMs / 1000, 1],
    ['dispatch', t('targetDispatch'), targets.dispatchMs / 1000, 1],
    ['urban', t('targetUrban'), targets.onSceneMs.urban / 60_000, 0.5],
    ['suburban', t('targetSuburban'), targets.onSceneMs.suburban / 60_000, 0.5],
    ['rural', t('targetRural'), targets.onSceneMs.rural / 60_000, 0.5],
    ['road', t('targetRoad'), targets.roadFactor, 0.1],
    ['speed', t('targetSpeed'), targets.speedKmh, 1],
  ];
  const save = (e: FormEvent<HTMLFormElement>): void => {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const n = (k: string): number => Number(f.get(k));
    const profile: TargetProfile = {
      showMs: targets.showMs,
      acknowledgeMs: Math.round(n('ack') * 1000),
      dispatchMs: Math.round(n('dispatch') * 1000),
      onSceneMs: { urban: Math.round(n('urban') * 60_000), suburban: Math.round(n('suburban') * 60_000), rural: Math.round(n('rural') * 60_000) },
      roadFactor: n('road'),
      speedKmh: n('speed'),
    };
    void getStore()
      .command('admin:setTargets', { profile })
      .then((err) => setMsg(err ?? t('targetsSaved')));
  };
  return (
    <form className="add targets" onSubmit={save} data-testid="targets">
      <h2>{t('targetsTitle')}</h2>
      {fields.map(([name, label, value, step]) => (
        <label key={`${name}-${value}`}>
          {label}
          <input name={name} type="number" step={step} min={step} defaultValue={value} required />
        </label>
      ))}
      <button type="submit">{t('targetsSave')}</button>
      {msg && <span role="status">{msg}</span>}
    </form>
  );
}

export function AdminView({ reference, health }: { reference: ReferenceData | undefined; health: DeviceHealth[] }) {
  const { t, name } = useI18n();
  const [deviceId, setDeviceId] = useState('');
  const [schoolId, setSchoolId] = useState('');
  const [label, setLabel] = useState('');
  const [secret, setSecret] = useState<{ id: string; token: string }>();
  const [error, setError] = useState<string>();
  const schools = reference?.schools ?? [];
  const disabled = new Map(health.map((h) => [h.deviceId, h.disabled]));
  const store = getStore();

  const add = (e: FormEvent): void => {
    e.preventDefault();
    setError(undefined);
    void store.addTerminal(deviceId.trim(), schoolId, label.trim()).then((r) => {
      if (r.token) {
        setSecret({ id: deviceId.trim(), token: r.token });
        setDeviceId('');
        setLabel('');
      } else setError(r.error);
    });
  };
  const rotate = (id: string): void => {
    if (!window.confirm(t('adminConfirmRotate', { id }))) return;
    void store.rotate(id).then((r) => (r.token ? setSecret({ id, token: r.token }) : setError(r.error)));
  };
  const toggle = (id: string, disable: boolean): void => {
    if (disable && !window.confirm(t('adminConfirmDisable', { id }))) return;
    void store.setDisabled(id, disable).then(setError);
  };

  return (
    <section className="admin" data-testid="admin">
      {secret && (
        <div className="secret" role="alert" data-testid="new-token">
          <p>{t('adminTokenOnce', { id: secret.id })}</p>
          <code>{secret.token}</code>
          <button onClick={() => setSecret(undefined)}>{t('adminDone')}</button>
        </div>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <TargetsEditor targets={reference?.targets ?? DEFAULT_TARGETS} />
      <SettingsPanel reference={reference} />
      <DataExchangeView />
      <form className="add" onSubmit={add}>
        <h2>{t('adminAdd')}</h2>
        <label>
          {t('adminDeviceId')}
          <input name="deviceId" value={deviceId} onChange={(e) => setDeviceId(e.target.value)} required pattern="[A-Za-z0-9_.:\-]{1,128}" />
        </label>
        <label>
          {t('adminSchool')}
          <select name="schoolId" value={schoolId} onChange={(e) => setSchoolId(e.target.value)} required>
            <option value="" />
            {schools.map((s) => (
              <option key={s.id} value={s.id}>{`${name(s)} (${s.id})`}</option>
            ))}
          </select>
        </label>
        <label>
          {t('adminLabel')}
          <input name="label" value={label} onChange={(e) => setLabel(e.target.value)} maxLength={MAX_LABEL_LENGTH} />
        </label>
        <button type="submit">{t('adminAdd')}</button>
      </form>
      <table>
        <thead>
          <tr>
            <th>{t('adminDeviceId')}</th>
            <th>{t('adminSchool')}</th>
            <th>{t('adminLabel')}</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {(reference?.terminals ?? []).map((term) => {
            const off = disabled.get(term.deviceId) ?? false;
            return (
              <tr key={term.deviceId} data-testid="admin-row" data-device-id={term.deviceId} className={off ? 'disabled' : ''}>
                <td>{term.deviceId}</td>
                <td>
                  {name(
                    schools.find((s) => s.id === term.schoolId),
                    term.schoolId,
                  )}
                </td>
                <td>{term.label}</td>
                <td className="actions">
                  <button onClick={() => rotate(term.deviceId)}>{t('adminRotate')}</button>
                  <button onClick={() => toggle(term.deviceId, !off)}>{off ? t('adminEnable') : t('adminDisable')}</button>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </section>
  );
}

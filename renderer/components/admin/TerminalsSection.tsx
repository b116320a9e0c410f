// renderer/ — admin: register terminals, rotate their tokens, disable and enable them, with a search and a status
// filter over a page of rows. A new token is shown once and never again.
import { useState, type FormEvent } from 'react';
import type { DeviceHealth } from '../../../shared/consoleApi';
import { MAX_LABEL_LENGTH } from '../../../shared/consoleContract';
import type { ReferenceData, Terminal } from '../../../shared/model';
import { useI18n } from '../../i18n';
import { getStore } from '../../store';
import { SearchBar, StatusFilter, TableFooter, useSearchPage } from './AdminTable';

export function TerminalsSection({ reference, health }: { reference: ReferenceData | undefined; health: DeviceHealth[] }) {
  const { t, name } = useI18n();
  const [deviceId, setDeviceId] = useState('');
  const [schoolId, setSchoolId] = useState('');
  const [label, setLabel] = useState('');
  const [secret, setSecret] = useState<{ id: string; token: string }>();
  const [error, setError] = useState<string>();
  const [status, setStatus] = useState('');
  const schools = reference?.schools ?? [];
  const schoolsById = new Map(schools.map((s) => [s.id, s]));
  const disabled = new Map(health.map((h) => [h.deviceId, h.disabled]));
  const store = getStore();
  const textOf = (term: Terminal): string => {
    const s = schoolsById.get(term.schoolId);
    return `${term.deviceId} ${term.label} ${term.schoolId} ${s?.name ?? ''} ${s?.nameEn ?? ''}`;
  };
  const keep = (term: Terminal): boolean => status === '' || (status === 'disabled') === (disabled.get(term.deviceId) ?? false);
  const table = useSearchPage(reference?.terminals ?? [], textOf, keep);

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
    <div className="adm-section" data-testid="admin-terminals">
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
      <SearchBar name="terminals" table={table}>
        <StatusFilter label={t('admTerminalStatusFilter')} value={status} onChange={setStatus} testId="terminals-status" />
      </SearchBar>
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
          {table.shown.map((term) => {
            const off = disabled.get(term.deviceId) ?? false;
            return (
              <tr key={term.deviceId} data-testid="admin-row" data-device-id={term.deviceId} className={off ? 'disabled' : ''}>
                <td>{term.deviceId}</td>
                <td>{name(schoolsById.get(term.schoolId), term.schoolId)}</td>
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
      <TableFooter table={table} />
    </div>
  );
}

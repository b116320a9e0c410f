// renderer/ — admin: operator accounts. Add one (a temporary password, shown once; its first login must set a new one),
// change its name or role, reset its password, disable or enable it; a search and a role filter over a page of rows.
// The core checks the role and keeps the rules (never one's own role or account, never the last admin).
import { useEffect, useState, type FormEvent } from 'react';
import { MAX_NAME_LENGTH, USERNAME_PATTERN, type OperatorRow } from '../../../shared/adminWire';
import { ROLES, type Role } from '../../../shared/events';
import { useI18n } from '../../i18n';
import { getStore } from '../../store';
import { FilterSelect, Notice, SearchBar, TableFooter, useSearchPage } from './AdminTable';
import type { Station } from '../../../shared/stations';

/**
 * The station an account logs in to (issue 15), when the registry has stations: '' the default station. The county
 * role and admins see every station whatever it says.
 */
function StationField({ stations, value }: { stations: readonly Station[]; value: string | undefined }) {
  const { t, name } = useI18n();
  return (
    <label>
      {t('stationFilter')}
      <select name="stationId" defaultValue={value ?? ''} data-testid="operator-station">
        <option value="">{t('admDefaultStation')}</option>
        {stations.map((s) => (
          <option key={s.id} value={s.id}>
            {name(s)}
          </option>
        ))}
      </select>
    </label>
  );
}
import { SecretNotice, useConfirm } from './ConfirmDialog';

export function OperatorsSection({ me, stations = [] }: { me: string | undefined; stations?: readonly Station[] | undefined }) {
  const { t, c, name } = useI18n();
  const stationName = (id: string | undefined): string =>
    id === undefined
      ? t('admDefaultStation')
      : name(
          stations.find((s) => s.id === id),
          id,
        );
  /** The form's station, sent only where the registry has stations (an older core's accounts keep theirs). */
  const stationOf = (f: FormData): { stationId?: string } => (stations.length > 0 ? { stationId: String(f.get('stationId') ?? '') } : {});
  const store = getStore();
  const [operators, setOperators] = useState<OperatorRow[]>([]);
  const [error, setError] = useState<string>();
  const [done, setDone] = useState<string>();
  const [secret, setSecret] = useState<{ who: string; password: string }>();
  const [role, setRole] = useState('');
  const [editing, setEditing] = useState<OperatorRow>();
  const [dialog, ask] = useConfirm();

  /** Bumped after every change: the list is asked for again. */
  const [version, setVersion] = useState(0);
  useEffect(() => {
    let live = true;
    void store.adminOperators().then((r) => {
      if (!live) return;
      if ('error' in r) setError(r.error);
      else setOperators(r.operators);
    });
    // An operator's own change (the forced password change at login) is not pushed to consoles: asked again every 5 s.
    const poll = setTimeout(() => setVersion((v) => v + 1), 5000);
    return () => {
      live = false;
      clearTimeout(poll);
    };
  }, [store, version]);
  const load = (): void => setVersion((v) => v + 1);

  /** Runs a change, then shows its error or its confirmation and reloads the list. */
  const after = async (err: string | undefined): Promise<void> => {
    setError(err);
    setDone(err ? undefined : t('admSaved'));
    load();
  };
  const table = useSearchPage(
    operators,
    (o) => `${o.username} ${o.displayName} ${c.roles[o.role]}`,
    (o) => role === '' || o.role === role,
  );

  const add = (e: FormEvent<HTMLFormElement>): void => {
    e.preventDefault();
    const form = e.currentTarget;
    const f = new FormData(form);
    const username = String(f.get('username')).trim();
    void store.addOperator({ username, displayName: String(f.get('displayName')), role: String(f.get('role')) as Role, ...stationOf(f) }).then(async (r) => {
      if (r.password) {
        setSecret({ who: username, password: r.password });
        form.reset();
      }
      await after(r.error);
    });
  };
  const save = async (e: FormEvent<HTMLFormElement>): Promise<void> => {
    e.preventDefault();
    if (!editing) return;
    const f = new FormData(e.currentTarget);
    const next = String(f.get('role')) as Role;
    if (next !== editing.role && !(await ask(t('admConfirmRole', { who: editing.username, role: c.roles[next] })))) return;
    const err = await store.updateOperator({ username: editing.username, displayName: String(f.get('displayName')), role: next, ...stationOf(f) });
    if (!err) setEditing(undefined);
    await after(err);
  };
  const reset = async (o: OperatorRow): Promise<void> => {
    if (!(await ask(t('admConfirmReset', { who: o.username })))) return;
    const r = await store.resetPassword(o.username);
    if (r.password) setSecret({ who: o.username, password: r.password });
    await after(r.error);
  };
  const toggle = async (o: OperatorRow): Promise<void> => {
    if (!o.disabled && !(await ask(t('admConfirmDisableOp', { who: o.username })))) return;
    await after(await store.setOperatorDisabled(o.username, !o.disabled));
  };
  const roleOptions = ROLES.map((r) => (
    <option key={r} value={r}>
      {c.roles[r]}
    </option>
  ));

  return (
    <div className="adm-section" data-testid="admin-operators">
      {dialog}
      {secret && (
        <SecretNotice
          text={t('admPasswordOnce', { who: secret.who })}
          secret={secret.password}
          extra={t('admPasswordNext')}
          onDone={() => setSecret(undefined)}
        />
      )}
      <Notice error={error} done={done} />
      <form className="add" onSubmit={add} data-testid="operator-add">
        <h2>{t('admAddOperator')}</h2>
        <label>
          {t('admUsername')}
          <input name="username" required pattern={USERNAME_PATTERN} autoComplete="off" />
        </label>
        <label>
          {t('admDisplayName')}
          <input name="displayName" required maxLength={MAX_NAME_LENGTH} />
        </label>
        <label>
          {t('admRole')}
          <select name="role" defaultValue="officer">
            {roleOptions}
          </select>
        </label>
        {stations.length > 0 && <StationField stations={stations} value={undefined} />}
        <button type="submit">{t('admAddOperator')}</button>
      </form>
      {editing && (
        <form className="add adm-edit" onSubmit={(e) => void save(e)} data-testid="operator-edit" key={editing.username}>
          <h2>{t('admEditing', { id: editing.username })}</h2>
          <label>
            {t('admDisplayName')}
            <input name="displayName" required maxLength={MAX_NAME_LENGTH} defaultValue={editing.displayName} />
          </label>
          <label>
            {t('admRole')}
            <select name="role" defaultValue={editing.role}>
              {roleOptions}
            </select>
          </label>
          {stations.length > 0 && <StationField stations={stations} value={editing.stationId} />}
          <button type="submit">{t('admSave')}</button>
          <button type="button" onClick={() => setEditing(undefined)}>
            {t('admCancel')}
          </button>
        </form>
      )}
      <SearchBar name="operators" table={table}>
        <FilterSelect label={t('admRoleFilter')} value={role} onChange={setRole} testId="operators-role" options={ROLES.map((r) => [r, c.roles[r]])} />
      </SearchBar>
      <table>
        <thead>
          <tr>
            <th>{t('admUsername')}</th>
            <th>{t('admDisplayName')}</th>
            <th>{t('admRole')}</th>
            {stations.length > 0 && <th>{t('stationFilter')}</th>}
            <th>{t('admStatus')}</th>
            <th>{t('admActions')}</th>
          </tr>
        </thead>
        <tbody>
          {table.shown.map((o) => (
            <tr key={o.username} data-testid="operator-row" data-username={o.username} className={o.disabled ? 'disabled' : ''}>
              <td>{o.username}</td>
              <td>{o.displayName}</td>
              <td>{c.roles[o.role]}</td>
              {stations.length > 0 && <td data-cell="station">{stationName(o.stationId)}</td>}
              <td>{o.disabled ? t('admDisabled') : o.mustChangePassword ? t('admMustChange') : t('admEnabled')}</td>
              <td className="actions">
                <button type="button" onClick={() => setEditing(o)}>
                  {t('admEdit')}
                </button>
                <button type="button" onClick={() => void reset(o)}>
                  {t('admResetPassword')}
                </button>
                <button type="button" disabled={o.username === me} onClick={() => void toggle(o)}>
                  {o.disabled ? t('adminEnable') : t('adminDisable')}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <TableFooter table={table} />
    </div>
  );
}

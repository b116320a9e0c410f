// renderer/ — admin: patrol units and guard-post devices. Add one (its device token shown once), edit its name, call
// sign, home, post and station (its id and device stay), rotate its token (the old one is refused at once), disable or
// enable it; a search and a status filter over a page of rows.
import { useState, type FormEvent } from 'react';
import { ID_PATTERN } from '../../../shared/adminWire';
import { MAX_RECORD_NAME_LENGTH, MAX_RECORD_SHORT_LENGTH } from '../../../shared/dataColumns';
import type { PatrolUnit, ReferenceData } from '../../../shared/model';
import { useI18n } from '../../i18n';
import { getStore } from '../../store';
import { Notice, SearchBar, StatusFilter, TableFooter, useSearchPage } from './AdminTable';
import { SecretNotice, useConfirm } from './ConfirmDialog';

export function UnitsSection({ reference }: { reference: ReferenceData | undefined }) {
  const { t, name } = useI18n();
  const store = getStore();
  const [error, setError] = useState<string>();
  const [done, setDone] = useState<string>();
  const [secret, setSecret] = useState<{ id: string; token: string }>();
  const [status, setStatus] = useState('');
  const [dialog, ask] = useConfirm();
  const [editing, setEditing] = useState<PatrolUnit>();
  const [formKey, setFormKey] = useState(0);
  // Stations (issue 15): a unit's station, where the registry has stations ('' the default one).
  const stations = reference?.stations ?? [];
  const stationLabel = (id: string | undefined): string =>
    id === undefined
      ? t('admDefaultStation')
      : name(
          stations.find((x) => x.id === id),
          id,
        );
  const posts = reference?.guardPosts ?? [];
  const postName = new Map(posts.map((p) => [p.id, p.name]));
  const table = useSearchPage(
    reference?.units ?? [],
    (u: PatrolUnit) => `${u.id} ${u.name} ${u.callsign} ${u.postId ?? ''} ${postName.get(u.postId ?? '') ?? ''}`,
    (u: PatrolUnit) => status === '' || (status === 'disabled') === (u.disabled === true),
  );
  const report = (err: string | undefined): void => {
    setError(err);
    setDone(err ? undefined : t('admSaved'));
  };

  const submit = (e: FormEvent<HTMLFormElement>): void => {
    e.preventDefault();
    const form = e.currentTarget;
    const f = new FormData(form);
    const id = editing?.id ?? String(f.get('id')).trim();
    const fields = {
      id,
      name: String(f.get('name')),
      callsign: String(f.get('callsign')).trim(),
      lat: Number(f.get('lat')),
      lng: Number(f.get('lng')),
      // '' is no post (a patrol unit), and the default station: sent, so an edit can clear them.
      postId: String(f.get('postId')),
      ...(f.has('stationId') ? { stationId: String(f.get('stationId')) } : {}),
    };
    if (editing) {
      // Only what this form changed of the post and the station: a form left open does not put back a post or
      // station another admin has set meanwhile (which would also check that post out again).
      const { postId, stationId, ...rest } = fields;
      const changed = {
        ...rest,
        ...(postId !== (editing.postId ?? '') ? { postId } : {}),
        ...(stationId !== undefined && stationId !== (editing.stationId ?? '') ? { stationId } : {}),
      };
      void store.updateUnit(changed).then((err) => {
        if (!err) {
          setEditing(undefined);
          setFormKey((n) => n + 1);
        }
        report(err);
      });
      return;
    }
    void store.addUnit({ ...fields, hasDevice: f.get('hasDevice') === 'on' }).then((r) => {
      if (r.token) setSecret({ id, token: r.token });
      if (r.ok) form.reset();
      report(r.error);
    });
  };
  const rotate = async (id: string): Promise<void> => {
    if (!(await ask(t('admConfirmRotateUnit', { id })))) return;
    const r = await store.rotate(id);
    if (r.token) setSecret({ id, token: r.token });
    report(r.error);
  };
  const toggle = async (u: PatrolUnit): Promise<void> => {
    if (!u.disabled && !(await ask(t('admConfirmDisableUnit', { id: u.id })))) return;
    report(await store.setDisabled(u.id, !u.disabled));
  };

  return (
    <div className="adm-section" data-testid="admin-units">
      {dialog}
      {secret && <SecretNotice text={t('admTokenOnce', { id: secret.id })} secret={secret.token} onDone={() => setSecret(undefined)} />}
      <Notice error={error} done={done} />
      <form
        className="add"
        onSubmit={submit}
        data-testid="unit-add"
        data-mode={editing ? 'edit' : 'add'}
        // A new form for each unit edited (and after a save): its fields start from that unit.
        key={`${editing?.id ?? ''}/${formKey}`}
      >
        <h2>{editing ? t('admEditing', { id: editing.id }) : t('admAddUnit')}</h2>
        <label>
          {t('admId')}
          <input name="id" required pattern={ID_PATTERN} autoComplete="off" defaultValue={editing?.id} readOnly={editing !== undefined} />
        </label>
        <label>
          {t('admName')}
          <input name="name" required maxLength={MAX_RECORD_NAME_LENGTH} defaultValue={editing?.name} />
        </label>
        <label>
          {t('admCallsign')}
          <input name="callsign" required maxLength={MAX_RECORD_SHORT_LENGTH} defaultValue={editing?.callsign} />
        </label>
        <label>
          {t('admLat')}
          <input name="lat" type="number" step="any" min={-90} max={90} required defaultValue={editing?.lat} />
        </label>
        <label>
          {t('admLng')}
          <input name="lng" type="number" step="any" min={-180} max={180} required defaultValue={editing?.lng} />
        </label>
        {/* A device (and its token) is given when the unit is added; an edit leaves it as it is. */}
        <label className="adm-check">
          <input name="hasDevice" type="checkbox" defaultChecked={editing ? editing.hasDevice : true} disabled={editing !== undefined} />
          {t('admHasDevice')}
        </label>
        <label>
          {t('admPost')}
          <select name="postId" defaultValue={editing?.postId ?? ''}>
            <option value="">{t('admPostNone')}</option>
            {posts.map((p) => (
              <option key={p.id} value={p.id}>{`${p.name} (${p.id})`}</option>
            ))}
          </select>
        </label>
        {stations.length > 0 && (
          <label>
            {t('stationFilter')}
            <select name="stationId" defaultValue={editing?.stationId ?? ''}>
              <option value="">{t('admDefaultStation')}</option>
              {stations.map((x) => (
                <option key={x.id} value={x.id}>
                  {name(x)}
                </option>
              ))}
            </select>
          </label>
        )}
        <button type="submit">{editing ? t('admSave') : t('admAddUnit')}</button>
        {editing && (
          <button type="button" onClick={() => setEditing(undefined)}>
            {t('admCancel')}
          </button>
        )}
      </form>
      <SearchBar name="units" table={table}>
        <StatusFilter label={t('admStatus')} value={status} onChange={setStatus} testId="units-status" />
      </SearchBar>
      <table>
        <thead>
          <tr>
            <th>{t('admId')}</th>
            <th>{t('admName')}</th>
            <th>{t('admCallsign')}</th>
            <th>{t('admDevice')}</th>
            <th>{t('admPost')}</th>
            {stations.length > 0 && <th>{t('stationFilter')}</th>}
            <th>{t('admStatus')}</th>
            <th>{t('admActions')}</th>
          </tr>
        </thead>
        <tbody>
          {table.shown.map((u) => (
            <tr key={u.id} data-testid="unit-row" data-unit-id={u.id} className={u.disabled ? 'disabled' : ''}>
              <td>{u.id}</td>
              <td>{u.name}</td>
              <td>{u.callsign}</td>
              <td>{u.hasDevice ? t('admYes') : t('admNo')}</td>
              <td>{u.postId ? (postName.get(u.postId) ?? u.postId) : ''}</td>
              {stations.length > 0 && <td>{stationLabel(u.stationId)}</td>}
              <td>{u.disabled ? t('admDisabled') : t('admEnabled')}</td>
              <td className="actions">
                <button type="button" onClick={() => setEditing(u)}>
                  {t('admEdit')}
                </button>
                {u.hasDevice && (
                  <button type="button" onClick={() => void rotate(u.id)}>
                    {t('adminRotate')}
                  </button>
                )}
                <button type="button" onClick={() => void toggle(u)}>
                  {u.disabled ? t('adminEnable') : t('adminDisable')}
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

// renderer/ — admin: schools, guard posts and police rooms, one record at a time: add, edit (the id stays), delete after
// an in-page confirmation (the core refuses a school still in use: terminals, posts, open incidents), with a search and
// a filter over a page of rows. Consoles get the new reference data at once (the map, the lists).
import { useState, type FormEvent } from 'react';
import { ID_PATTERN, type RecordKind, type SaveRecordRequest } from '../../../shared/adminWire';
import { MAX_RECORD_ADDRESS_LENGTH, MAX_RECORD_NAME_LENGTH, MAX_RECORD_SHORT_LENGTH } from '../../../shared/dataColumns';
import { AREA_CLASSES, formatDays, formatWindows, parseDays, parseWindows, POLICE_ROOM_KINDS, SCHOOL_TYPES } from '../../../shared/dataExchange';
import type { GuardPost, PoliceRoom, ReferenceData, School } from '../../../shared/model';
import { pinyinInitials } from '../../../shared/search';
import { useI18n, type I18n } from '../../i18n';
import { getStore } from '../../store';
import { FilterSelect, Notice, SearchBar, TableFooter, useSearchPage } from './AdminTable';
import { useConfirm } from './ConfirmDialog';

type Row = School | GuardPost | PoliceRoom;
interface Field {
  name: string;
  label: string;
  options?: [string, string][];
  type?: 'number' | 'text';
  required?: boolean;
  max?: number;
  value(row: Row | undefined): string;
}

/** What each kind shows: its form's fields, its table's columns, its filter, its strings. */
function spec(kind: RecordKind, i: I18n, reference: ReferenceData | undefined) {
  const { t, c, name } = i;
  const schools = reference?.schools ?? [];
  const schoolsById = new Map(schools.map((s) => [s.id, s]));
  const get =
    (k: string) =>
    (r: Row | undefined): string =>
      r ? String((r as unknown as Record<string, unknown>)[k] ?? '') : '';
  const id: Field = { name: 'id', label: t('admId'), required: true, value: get('id') };
  const nm: Field = { name: 'name', label: t('admName'), required: true, max: MAX_RECORD_NAME_LENGTH, value: get('name') };
  const lat: Field = { name: 'lat', label: t('admLat'), type: 'number', required: true, value: get('lat') };
  const lng: Field = { name: 'lng', label: t('admLng'), type: 'number', required: true, value: get('lng') };
  // Stations (issue 15): a school's and a police room's station, where the registry has stations ('' the default one).
  const stations = reference?.stations ?? [];
  const stationField: Field[] = stations.length
    ? [
        {
          name: 'stationId',
          label: t('stationFilter'),
          options: [['', t('admDefaultStation')], ...stations.map((x): [string, string] => [x.id, name(x)])],
          value: get('stationId'),
        },
      ]
    : [];
  const stationColumn: [string, (r: Row) => string][] = stations.length
    ? [
        [
          t('stationFilter'),
          (r: Row) =>
            r.stationId === undefined
              ? t('admDefaultStation')
              : name(
                  stations.find((x) => x.id === r.stationId),
                  r.stationId,
                ),
        ],
      ]
    : [];
  if (kind === 'schools') {
    const typeOpts = SCHOOL_TYPES.map((x): [string, string] => [x, c.schoolTypes[x]]);
    return {
      testId: 'schools',
      addTitle: t('admAddSchool'),
      rows: schools as Row[],
      fields: [
        id,
        nm,
        { name: 'nameEn', label: t('admNameEn'), max: MAX_RECORD_NAME_LENGTH, value: get('nameEn') },
        { name: 'type', label: t('admType'), options: typeOpts, value: get('type') },
        { name: 'address', label: t('admAddress'), max: MAX_RECORD_ADDRESS_LENGTH, value: get('address') },
        lat,
        lng,
        { name: 'area', label: t('admArea'), options: AREA_CLASSES.map((x): [string, string] => [x, c.admAreas[x]]), value: get('area') },
        { name: 'phone', label: t('admPhone'), max: MAX_RECORD_SHORT_LENGTH, value: get('phone') },
        ...stationField,
      ] satisfies Field[],
      columns: [
        [t('admId'), (r: Row) => r.id],
        [t('admName'), (r: Row) => name(r as School)],
        [t('admType'), (r: Row) => c.schoolTypes[(r as School).type]],
        [t('admArea'), (r: Row) => c.admAreas[(r as School).area]],
        [t('admAddress'), (r: Row) => (r as School).address],
        ...stationColumn,
      ] as [string, (r: Row) => string][],
      filter: { label: t('admType'), options: typeOpts, match: (r: Row, v: string) => (r as School).type === v },
      text: (r: Row) => `${r.id} ${r.name} ${(r as School).nameEn} ${pinyinInitials(r.name)} ${(r as School).address}`,
      confirm: (r: Row) => t('admConfirmDeleteSchool', { id: r.id, name: r.name }),
    };
  }
  if (kind === 'guardPosts') {
    return {
      testId: 'posts',
      addTitle: t('admAddPost'),
      rows: (reference?.guardPosts ?? []) as Row[],
      fields: [
        id,
        nm,
        { name: 'schoolId', label: t('admSchool'), options: schools.map((s): [string, string] => [s.id, `${name(s)} (${s.id})`]), value: get('schoolId') },
        lat,
        lng,
        { name: 'days', label: t('admDays'), required: true, value: (r) => (r ? formatDays((r as GuardPost).days) : '1-5') },
        { name: 'windows', label: t('admWindows'), required: true, value: (r) => (r ? formatWindows((r as GuardPost).windows) : '07:10-08:10;16:30-17:30') },
      ] satisfies Field[],
      columns: [
        [t('admId'), (r: Row) => r.id],
        [t('admName'), (r: Row) => r.name],
        [t('admSchool'), (r: Row) => name(schoolsById.get((r as GuardPost).schoolId), (r as GuardPost).schoolId)],
        [t('admDaysShort'), (r: Row) => formatDays((r as GuardPost).days)],
        [t('admWindowsShort'), (r: Row) => formatWindows((r as GuardPost).windows)],
      ] as [string, (r: Row) => string][],
      filter: undefined,
      text: (r: Row) => {
        const s = schoolsById.get((r as GuardPost).schoolId);
        return `${r.id} ${r.name} ${pinyinInitials(r.name)} ${(r as GuardPost).schoolId} ${s?.name ?? ''} ${s?.nameEn ?? ''}`;
      },
      confirm: (r: Row) => t('admConfirmDeletePost', { id: r.id, name: r.name }),
    };
  }
  const kindOpts = POLICE_ROOM_KINDS.map((x): [string, string] => [x, c.admRoomKinds[x]]);
  return {
    testId: 'rooms',
    addTitle: t('admAddRoom'),
    rows: (reference?.policeRooms ?? []) as Row[],
    fields: [id, nm, { name: 'kind', label: t('admRoomKind'), options: kindOpts, value: get('kind') }, lat, lng, ...stationField] satisfies Field[],
    columns: [
      [t('admId'), (r: Row) => r.id],
      [t('admName'), (r: Row) => r.name],
      [t('admRoomKind'), (r: Row) => c.admRoomKinds[(r as PoliceRoom).kind]],
      [`${t('admLat')}, ${t('admLng')}`, (r: Row) => `${(r as PoliceRoom).lat.toFixed(4)}, ${(r as PoliceRoom).lng.toFixed(4)}`],
      ...stationColumn,
    ] as [string, (r: Row) => string][],
    filter: { label: t('admRoomKind'), options: kindOpts, match: (r: Row, v: string) => (r as PoliceRoom).kind === v },
    text: (r: Row) => `${r.id} ${r.name} ${pinyinInitials(r.name)}`,
    confirm: (r: Row) => t('admConfirmDeleteRoom', { id: r.id, name: r.name }),
  };
}

/** The request to save the form's values, or the message of a field that does not parse. */
function requestOf(kind: RecordKind, mode: 'add' | 'edit', f: FormData, i: I18n): SaveRecordRequest | string {
  const s = (k: string): string => String(f.get(k) ?? '').trim();
  const n = (k: string): number => Number(f.get(k));
  // The station field is on the form only where the registry has stations; without it the record keeps its own.
  const base = { id: s('id'), name: s('name'), lat: n('lat'), lng: n('lng'), ...(f.has('stationId') ? { stationId: s('stationId') } : {}) };
  if (kind === 'schools')
    return {
      kind,
      mode,
      row: {
        ...base,
        nameEn: s('nameEn'),
        type: s('type') as School['type'],
        address: s('address'),
        area: s('area') as School['area'],
        phone: s('phone'),
      },
    };
  if (kind === 'policeRooms') return { kind, mode, row: { ...base, kind: s('kind') as PoliceRoom['kind'] } };
  const days = parseDays(s('days'));
  if (!days || days.length === 0) return i.t('admBadDays');
  const windows = parseWindows(s('windows'));
  if (!windows) return i.t('admBadWindows');
  const { stationId: _postsFollowTheirSchool, ...post } = base;
  return { kind, mode, row: { ...post, schoolId: s('schoolId'), days, windows } };
}

export function RecordsSection({ kind, reference }: { kind: RecordKind; reference: ReferenceData | undefined }) {
  const i = useI18n();
  const { t } = i;
  const store = getStore();
  const [error, setError] = useState<string>();
  const [done, setDone] = useState<string>();
  const [editing, setEditing] = useState<Row>();
  const [filter, setFilter] = useState('');
  const [formKey, setFormKey] = useState(0);
  const [dialog, ask] = useConfirm();
  const k = spec(kind, i, reference);
  const table = useSearchPage(k.rows, k.text, (r) => filter === '' || !k.filter || k.filter.match(r, filter));

  const save = async (e: FormEvent<HTMLFormElement>): Promise<void> => {
    e.preventDefault();
    const req = requestOf(kind, editing ? 'edit' : 'add', new FormData(e.currentTarget), i);
    if (typeof req === 'string') return void setError(req);
    const err = await store.saveRecord(req);
    setError(err);
    setDone(err ? undefined : t('admSaved'));
    if (!err) {
      setEditing(undefined);
      setFormKey((x) => x + 1); // an empty form for the next one
    }
  };
  const remove = async (r: Row): Promise<void> => {
    if (!(await ask(k.confirm(r)))) return;
    const err = await store.deleteRecord({ kind, id: r.id });
    setError(err);
    setDone(err ? undefined : t('admDeleted'));
    if (!err && editing?.id === r.id) setEditing(undefined);
  };

  return (
    <div className="adm-section" data-testid={`admin-${k.testId}`}>
      {dialog}
      <Notice error={error} done={done} />
      <form
        className="add adm-record"
        onSubmit={(e) => void save(e)}
        key={`${editing?.id ?? ''}/${formKey}`}
        data-testid={`${k.testId}-form`}
        data-mode={editing ? 'edit' : 'add'}
      >
        <h2>{editing ? t('admEditing', { id: editing.id }) : k.addTitle}</h2>
        {k.fields.map((f) =>
          f.options ? (
            <label key={f.name}>
              {f.label}
              {/* A station may be '' (the default one): that select is not `required`, which would refuse an empty value. */}
              <select name={f.name} defaultValue={f.value(editing) || f.options[0]?.[0]} required={f.name !== 'stationId'}>
                {f.options.map(([v, text]) => (
                  <option key={v} value={v}>
                    {text}
                  </option>
                ))}
              </select>
            </label>
          ) : (
            <label key={f.name}>
              {f.label}
              <input
                name={f.name}
                defaultValue={f.value(editing)}
                required={f.required}
                readOnly={f.name === 'id' && editing !== undefined}
                {...(f.name === 'id' ? { pattern: ID_PATTERN } : {})}
                {...(f.type === 'number' ? { type: 'number', step: 'any' } : {})}
                {...(f.max !== undefined ? { maxLength: f.max } : {})}
              />
            </label>
          ),
        )}
        <button type="submit">{editing ? t('admSave') : t('admAddNew')}</button>
        {editing && (
          <button type="button" onClick={() => setEditing(undefined)}>
            {t('admCancel')}
          </button>
        )}
      </form>
      <SearchBar name={k.testId} table={table}>
        {k.filter && <FilterSelect label={k.filter.label} value={filter} onChange={setFilter} testId={`${k.testId}-filter`} options={k.filter.options} />}
      </SearchBar>
      <table>
        <thead>
          <tr>
            {k.columns.map(([h]) => (
              <th key={h}>{h}</th>
            ))}
            <th>{t('admActions')}</th>
          </tr>
        </thead>
        <tbody>
          {table.shown.map((r) => (
            <tr key={r.id} data-testid={`${k.testId}-row`} data-id={r.id}>
              {k.columns.map(([h, cell]) => (
                <td key={h}>{cell(r)}</td>
              ))}
              <td className="actions">
                <button type="button" onClick={() => setEditing(r)}>
                  {t('admEdit')}
                </button>
                <button type="button" className="danger" onClick={() => void remove(r)}>
                  {t('admDelete')}
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

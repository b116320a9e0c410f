// renderer/ — the panels floating over the map: layer switches with the legend and counts, the duty-time
// picker for guard posts, school search, and the nearest units of the incident in focus with dispatch buttons.
import { useMemo, useState, type KeyboardEvent, type ReactNode } from 'react';
import type { Candidate } from '../../../shared/dispatch';
import { fromZoned } from '../../../shared/duty';
import type { School, SchoolType } from '../../../shared/model';
import { searchSchools, type SearchEntry } from '../../../shared/search';
import { useI18n } from '../../i18n';
import { clockTime, stationDate, stationTimeZone } from '../../time';
import { SCHOOL_COLOUR } from '../../adapters/mapLayers';
import { LAYER_KEYS, type LayerKey, type LayerVisibility } from './layers';

export interface LayerCounts {
  schools: Partial<Record<SchoolType, number>>;
  posts: { staffed: number; total: number };
  rooms: number;
  units: { shown: number; stale: number };
  /** Schools whose alarm terminal is offline. */
  offline: number;
}

/** "2026-11-30" and "07:10" on the station's wall clock → the instant; undefined for anything else (no such day). */
export function parseDutyTime(date: string, time: string): number | undefined {
  const d = /^\s*(\d{4})-(\d{1,2})-(\d{1,2})\s*$/.exec(date);
  const t = /^\s*(\d{1,2})[:：](\d{2})\s*$/.exec(time);
  if (!d || !t) return undefined;
  const [y, mo, day, h, mi] = [d[1], d[2], d[3], t[1], t[2]].map(Number) as [number, number, number, number, number];
  const probe = new Date(Date.UTC(y, mo - 1, day));
  if (probe.getUTCMonth() !== mo - 1 || probe.getUTCDate() !== day || h > 23 || mi > 59) return undefined;
  return fromZoned(y, mo, day, h, mi, stationTimeZone());
}

/**
 * The duty-time picker: two plain fields on the station's clock (a browser's date-time control would speak the
 * browser's locale and zone). While the officer types, what is typed stays; a valid pair moves the map's duty
 * time, anything else says how to write it.
 */
function DutyTime({ dutyAt, now, onDutyAt }: { dutyAt: number | undefined; now: number; onDutyAt: (at: number | undefined) => void }) {
  const { t, c } = useI18n();
  const [draft, setDraft] = useState<{ date: string; time: string }>();
  const at = dutyAt ?? now;
  const shown = draft ?? { date: stationDate(at), time: clockTime(at).slice(0, 5) };
  // Which field is wrong: each checked with a valid partner.
  const badDate = draft !== undefined && parseDutyTime(draft.date, '00:00') === undefined;
  const badTime = draft !== undefined && parseDutyTime('2000-01-01', draft.time) === undefined;
  const bad = badDate || badTime;
  const edit = (next: { date: string; time: string }): void => {
    setDraft(next);
    const v = parseDutyTime(next.date, next.time);
    if (v !== undefined) onDutyAt(v);
  };
  return (
    <div className="duty-at" data-testid="duty-at" title={t('dutyAtHint')}>
      <span>{t('dutyAt')}</span>
      <input
        data-testid="duty-date"
        aria-label={c.dutyFields.date}
        aria-invalid={badDate}
        inputMode="numeric"
        size={10}
        value={shown.date}
        onChange={(e) => edit({ ...shown, date: e.currentTarget.value })}
      />
      <input
        data-testid="duty-time"
        aria-label={c.dutyFields.time}
        aria-invalid={badTime}
        inputMode="numeric"
        size={5}
        value={shown.time}
        onChange={(e) => edit({ ...shown, time: e.currentTarget.value })}
      />
      <button
        className="plain"
        data-testid="duty-now"
        disabled={dutyAt === undefined && draft === undefined}
        onClick={() => {
          setDraft(undefined);
          onDutyAt(undefined);
        }}
      >
        {t('dutyNow')}
      </button>
      {bad && (
        <span className="duty-error" role="alert" data-testid="duty-error">
          {c.dutyFields.bad}
        </span>
      )}
    </div>
  );
}

export function LayerPanel(props: {
  visible: LayerVisibility;
  onToggle: (k: LayerKey, on: boolean) => void;
  counts: LayerCounts;
  dutyAt: number | undefined;
  now: number;
  onDutyAt: (at: number | undefined) => void;
  /** The nearest units of an incident are drawn: fold away (unless the officer opened it) so no label is hidden. */
  makeRoom?: boolean;
}) {
  const { t, c } = useI18n();
  const { visible, onToggle, counts, dutyAt, now, onDutyAt, makeRoom = false } = props;
  const [chosen, setOpen] = useState<boolean>();
  const open = chosen ?? !makeRoom;
  const swatch: Record<LayerKey, ReactNode> = {
    primary: <i className="sw" style={{ background: SCHOOL_COLOUR.primary }} />,
    middle: <i className="sw" style={{ background: SCHOOL_COLOUR.middle }} />,
    kindergarten: <i className="sw" style={{ background: SCHOOL_COLOUR.kindergarten }} />,
    other: <i className="sw" style={{ background: SCHOOL_COLOUR.other }} />,
    posts: <i className="sw post staffed">护</i>,
    rooms: <i className="sw room">警</i>,
    units: <i className="sw unit">巡</i>,
    trails: <i className="sw trail" />,
    rings: <i className="sw ring" />,
  };
  const label: Record<LayerKey, string> = {
    primary: c.schoolTypes.primary,
    middle: c.schoolTypes.middle,
    kindergarten: c.schoolTypes.kindergarten,
    other: c.schoolTypes.other,
    posts: t('layerPosts'),
    rooms: t('layerRooms'),
    units: t('layerUnits'),
    trails: t('layerTrails'),
    rings: t('layerRings'),
  };
  const count = (k: LayerKey): string => {
    if (k === 'primary' || k === 'middle' || k === 'kindergarten' || k === 'other') return String(counts.schools[k] ?? 0);
    if (k === 'posts') return visible.posts ? t('postStaffedCount', { n: counts.posts.staffed, total: counts.posts.total }) : '0';
    if (k === 'rooms') return String(counts.rooms);
    if (k === 'units') return `${counts.units.shown}`;
    return '';
  };
  return (
    <div className="map-panel layers" data-testid="map-layers">
      <button className="plain panel-title" onClick={() => setOpen(!open)} aria-expanded={open}>
        {t('mapLayers')} {open ? '▾' : '▸'}
      </button>
      {open && (
        <>
          <ul>
            {LAYER_KEYS.map((k) => (
              <li key={k}>
                <label data-testid={`layer-${k}`} data-count={count(k)}>
                  <input type="checkbox" checked={visible[k]} onChange={(e) => onToggle(k, e.currentTarget.checked)} />
                  {swatch[k]}
                  <span className="name">{label[k]}</span>
                  <span className="count">{count(k)}</span>
                </label>
              </li>
            ))}
          </ul>
          <div className="legend-states">
            <span>
              <i className="sw alarm" />
              {t('mapLegendAlarm')}
            </span>
            <span data-testid="legend-offline" data-count={counts.offline}>
              <i className="sw offline" />
              {t('schoolOffline')}
              {counts.offline > 0 ? ` ${counts.offline}` : ''}
            </span>
            <span>
              <i className="sw post unstaffed">护</i>
              {t('postUnstaffed')}
            </span>
            <span>
              <i className="sw unit stale">巡</i>
              {t('unitStale')}
              {counts.units.stale > 0 ? ` ${counts.units.stale}` : ''}
            </span>
          </div>
          <DutyTime dutyAt={dutyAt} now={now} onDutyAt={onDutyAt} />
        </>
      )}
    </div>
  );
}

export function SearchBox({ index, onPick }: { index: SearchEntry[]; onPick: (s: School) => void }) {
  const { t, name } = useI18n();
  const [q, setQ] = useState('');
  const [active, setActive] = useState(0);
  const results = useMemo(() => searchSchools(index, q), [index, q]);
  const pick = (s: School | undefined): void => {
    if (!s) return;
    onPick(s);
    setQ('');
  };
  const onKey = (e: KeyboardEvent<HTMLInputElement>): void => {
    if (e.key === 'ArrowDown') setActive((a) => Math.min(a + 1, results.length - 1));
    else if (e.key === 'ArrowUp') setActive((a) => Math.max(a - 1, 0));
    else if (e.key === 'Enter') pick(results[active]);
    else if (e.key === 'Escape') setQ('');
    else return;
    e.preventDefault();
  };
  return (
    <div className="map-panel search">
      <input
        type="search"
        data-testid="map-search"
        placeholder={t('mapSearch')}
        aria-label={t('mapSearch')}
        value={q}
        onChange={(e) => {
          setQ(e.currentTarget.value);
          setActive(0);
        }}
        onKeyDown={onKey}
      />
      {q.trim() !== '' && (
        <ul role="listbox">
          {results.length === 0 && <li className="none">{t('mapSearchNone')}</li>}
          {results.map((s, i) => (
            <li
              key={s.id}
              role="option"
              aria-selected={i === active}
              className={i === active ? 'active' : ''}
              data-testid="search-result"
              data-school-id={s.id}
              onMouseDown={(e) => e.preventDefault()}
              onClick={() => pick(s)}
            >
              {name(s)}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

export function NearestPanel(props: {
  schoolName: string;
  candidates: Candidate[];
  canDispatch: boolean;
  /** Why dispatching is not possible now (the core would refuse it: before 接警), shown instead of live buttons. */
  blockedReason?: string;
  onDispatch: (unitId: string) => Promise<string | undefined>;
}) {
  const { t, name } = useI18n();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState<string>();
  return (
    <div className="map-panel nearest" data-testid="map-nearest">
      <strong>{t('nearestTitle', { school: props.schoolName })}</strong>
      {props.candidates.length === 0 && <div className="none">{t('nearestNone')}</div>}
      {props.canDispatch && props.blockedReason && props.candidates.length > 0 && (
        <div className="blocked" data-testid="dispatch-blocked">
          {props.blockedReason}
        </div>
      )}
      <ol>
        {props.candidates.map((u) => (
          <li key={u.unitId} data-unit-id={u.unitId}>
            <span>
              <b>{name(u)}</b> · {t('distance', { km: (u.distanceM / 1000).toFixed(1), min: Math.max(1, Math.round(u.etaS / 60)) })}
              {u.stale && <em className="stale"> · {t('unitStale')}</em>}
            </span>
            {props.canDispatch && (
              <button
                data-testid="map-dispatch"
                data-unit-id={u.unitId}
                disabled={busy !== undefined || props.blockedReason !== undefined}
                title={props.blockedReason}
                onClick={() => {
                  setBusy(u.unitId);
                  void props.onDispatch(u.unitId).then((err) => {
                    setBusy(undefined);
                    setError(err);
                  });
                }}
              >
                {u.hasDevice ? t('dispatchTo') : t('dispatchRadio')}
              </button>
            )}
          </li>
        ))}
      </ol>
      {error && (
        <div className="error" role="alert">
          {error}
        </div>
      )}
    </div>
  );
}

export function TileNotice() {
  const { t } = useI18n();
  return (
    <div className="map-panel tile-notice" role="status" data-testid="tiles-failed">
      {t('tilesFailed')}
    </div>
  );
}

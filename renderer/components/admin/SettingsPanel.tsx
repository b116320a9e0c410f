// renderer/ — the admin screen's station settings (docs/settings.md): every field of the settings file with the value
// in force and where it comes from; those safe to change live (station name, semesters, volumes, map source) apply at
// once on every console, the others (port, host, TLS, data folder, time zone) are saved for the next start and marked
// so. A map source is tried at the station before it is saved; one that fails is refused unless saved anyway.
import { useCallback, useEffect, useState, type FormEvent, type ReactNode } from 'react';
import type { ReferenceData } from '../../../shared/model';
import { DEFAULT_TARGETS, type TargetProfile } from '../../../shared/response';
import {
  SOUND_CLASSES,
  VOLUME_FLOORS,
  type MapSource,
  type SettingKey,
  type SettingSource,
  type SettingsView,
  type SoundClass,
  type Volumes,
} from '../../../shared/stationSettings';
import { useI18n, type I18n } from '../../i18n';
import { getStore } from '../../store';

type Patch = Partial<Record<SettingKey, unknown>>;
type Say = I18n['t'];
/** A message kept as how to say it, so it follows the language switch (a formatted string would not). */
type Said = (t: Say) => string;
type Key = Parameters<Say>[0];

const SOURCES: SettingSource[] = ['flag', 'env', 'file', 'default'];
const VOLUME_LABELS: Record<SoundClass, Key> = {
  alarm: 'setVolumeAlarm',
  drill: 'setVolumeDrill',
  fault: 'setVolumeFault',
  link: 'setVolumeLink',
};

function sourceName(t: Say, s: SettingSource): string {
  return t('setSources').split('|')[SOURCES.indexOf(s)] ?? s;
}

/** A setting's row: its label, its field, whether it is live or waits for a restart, and where its value comes from. */
function Row({ k, label, view, children }: { k: SettingKey; label: string; view: SettingsView; children: ReactNode }) {
  const { t } = useI18n();
  const live = !['port', 'host', 'tls', 'dataDir', 'timeZone'].includes(k);
  const source = (view.sources[k] ?? 'default') as SettingSource;
  const pending = view.pendingRestart.includes(k);
  return (
    <div className={`setting ${pending ? 'pending' : ''}`} data-testid={`setting-${k}`} data-source={source} data-pending={String(pending)}>
      <span className="setting-label">{label}</span>
      <span className="setting-field">{children}</span>
      <span className={`setting-when ${live ? 'live' : 'restart'}`}>{pending ? t('setPending') : live ? t('setLive') : t('setRestart')}</span>
      <span className="setting-source">
        {t('setSource', { source: sourceName(t, source) })}
        {(source === 'flag' || source === 'env') && ` · ${t('setOverridden', { source: sourceName(t, source) })}`}
      </span>
    </div>
  );
}

const str = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');

/** The map source: none, a tile server, or tiles on the station; tried at the station, saved only when it works. */
function MapSourceForm({ view, onSaved }: { view: SettingsView; onSaved: (v: SettingsView, msg: Said) => void }) {
  const { t } = useI18n();
  const current = (view.effective.mapSource ?? { kind: 'none' }) as MapSource;
  const [kind, setKind] = useState<MapSource['kind']>(current.kind);
  const [url, setUrl] = useState(current.kind === 'url' ? current.url : '');
  const [file, setFile] = useState(current.kind === 'local' ? current.path : '');
  const [attribution, setAttribution] = useState(current.kind !== 'none' ? (current.attribution ?? '') : '');
  const [maxZoom, setMaxZoom] = useState(current.kind !== 'none' && current.maxZoom !== undefined ? String(current.maxZoom) : '');
  const [result, setResult] = useState<{ ok: boolean; say: Said }>();
  const [refused, setRefused] = useState<string>();
  const [busy, setBusy] = useState(false);

  const source = (): MapSource => {
    if (kind === 'none') return { kind: 'none' };
    const extra = { ...(attribution.trim() ? { attribution: attribution.trim() } : {}), ...(maxZoom.trim() ? { maxZoom: Number(maxZoom) } : {}) };
    return kind === 'url' ? { kind: 'url', url: url.trim(), ...extra } : { kind: 'local', path: file.trim(), ...extra };
  };
  const tryIt = (): void => {
    setBusy(true);
    setResult(undefined);
    void getStore()
      .tryMapSource(source())
      .then((r) => {
        setBusy(false);
        if (r.ok) setResult({ ok: r.result.ok, say: (t) => t(r.result.ok ? 'setMapOk' : 'setMapFailed', { detail: r.result.message }) });
        else setResult({ ok: false, say: (t) => t('setMapFailed', { detail: r.error.message }) });
      });
  };
  const save = (force: boolean): void => {
    setBusy(true);
    setRefused(undefined);
    void getStore()
      .saveSettings({ mapSource: source() }, force)
      .then((r) => {
        setBusy(false);
        if (r.ok) {
          setResult(undefined);
          onSaved(
            r.view,
            r.applied.length + r.restart.length === 0
              ? (t) => t('setNothing')
              : (t) => t('setSaved', { applied: r.applied.join(', ') || t('setNone'), restart: r.restart.join(', ') || t('setNone') }),
          );
        } else setRefused(r.error.message.replace(/^admin:saveSettings: /, ''));
      });
  };
  return (
    <fieldset className="settings-map" data-testid="settings-map">
      <legend>
        {t('setMap')} <span className="setting-when live">{t('setLive')}</span>
      </legend>
      {view.problems?.mapSource && (
        <p className="settings-result bad" role="alert" data-testid="settings-map-problem">
          {t('setMapProblem', { detail: view.problems.mapSource })}
        </p>
      )}
      <div className="map-kinds" role="radiogroup">
        {(['none', 'url', 'local'] as const).map((k) => (
          <label key={k}>
            <input type="radio" name="map-kind" value={k} checked={kind === k} onChange={() => setKind(k)} data-testid={`map-kind-${k}`} />
            {t(k === 'none' ? 'setMapNone' : k === 'url' ? 'setMapUrl' : 'setMapLocal')}
          </label>
        ))}
      </div>
      {kind === 'url' && (
        <label>
          {t('setMapUrlField')}
          <input
            data-testid="map-url"
            value={url}
            onChange={(e) => setUrl(e.target.value)}
            maxLength={2000}
            placeholder="http://gis.police.lan/tiles/{z}/{x}/{y}.png"
          />
        </label>
      )}
      {kind === 'local' && (
        <label>
          {t('setMapPathField')}
          <input data-testid="map-path" value={file} onChange={(e) => setFile(e.target.value)} maxLength={1024} placeholder="D:\tiles\county.pmtiles" />
        </label>
      )}
      {kind !== 'none' && (
        <div className="settings-row2">
          <label>
            {t('setMapAttribution')}
            <input value={attribution} onChange={(e) => setAttribution(e.target.value)} maxLength={500} />
          </label>
          <label>
            {t('setMapMaxZoom')}
            <input type="number" min={0} max={26} value={maxZoom} onChange={(e) => setMaxZoom(e.target.value)} />
          </label>
        </div>
      )}
      <div className="settings-actions">
        <button type="button" onClick={tryIt} disabled={busy} data-testid="map-try">
          {busy ? t('setMapTrying') : t('setMapTry')}
        </button>
        <button type="button" onClick={() => save(false)} disabled={busy} data-testid="map-save">
          {t('setSave')}
        </button>
      </div>
      {result && (
        <p className={`settings-result ${result.ok ? 'ok' : 'bad'}`} role="status" data-testid="map-result" data-ok={String(result.ok)}>
          {result.say(t)}
        </p>
      )}
      {refused && (
        <p className="settings-result bad" role="alert" data-testid="map-refused">
          {t('setMapRefused', { detail: refused })}{' '}
          <button type="button" onClick={() => save(true)} disabled={busy} data-testid="map-save-anyway">
            {t('setSaveAnyway')}
          </button>
        </p>
      )}
    </fieldset>
  );
}

/** A form of fields saved together; sends only those that changed. */
function useSave(onSaved: (v: SettingsView, msg: Said) => void, onRefused: (msg: Said) => void) {
  return useCallback(
    (patch: Patch) => {
      if (Object.keys(patch).length === 0) return onRefused((t) => t('setNothing'));
      void getStore()
        .saveSettings(patch)
        .then((r) =>
          r.ok
            ? onSaved(r.view, (t) => t('setSaved', { applied: r.applied.join(', ') || t('setNone'), restart: r.restart.join(', ') || t('setNone') }))
            : onRefused((t) => t('setRefused', { detail: r.error.message.replace(/^admin:saveSettings: (settings: )?/, '') })),
        );
    },
    [onSaved, onRefused],
  );
}

const changed = (patch: Patch, k: SettingKey, value: unknown, before: unknown): void => {
  if (JSON.stringify(value) !== JSON.stringify(before)) patch[k] = value;
};

function targetsText(t: Say, p: TargetProfile): string {
  return t('setTargetsValue', {
    ack: p.acknowledgeMs / 1000,
    dispatch: p.dispatchMs / 1000,
    urban: p.onSceneMs.urban / 60_000,
    suburban: p.onSceneMs.suburban / 60_000,
    rural: p.onSceneMs.rural / 60_000,
  });
}

export function SettingsPanel({ reference }: { reference: ReferenceData | undefined }) {
  const { t } = useI18n();
  const [view, setView] = useState<SettingsView>();
  const [msg, setMsg] = useState<{ ok: boolean; say: Said }>();
  // A new key remounts the forms with the values in force after a save.
  const [generation, setGeneration] = useState(0);
  useEffect(() => {
    let live = true;
    void getStore()
      .stationSettings()
      .then((r) => {
        if (!live) return;
        if (r.ok) setView(r.view);
        else setMsg({ ok: false, say: (t) => t('setRefused', { detail: r.error.message }) });
      });
    return () => {
      live = false;
    };
    // The settings are read once per visit of the admin screen; saves bring the new view with them.
  }, []);
  const onSaved = useCallback((v: SettingsView, say: Said) => {
    setView(v);
    setGeneration((g) => g + 1);
    setMsg({ ok: true, say });
  }, []);
  const onRefused = useCallback((say: Said) => setMsg({ ok: false, say }), []);
  const save = useSave(onSaved, onRefused);

  if (!view)
    return (
      <section className="settings" data-testid="settings">
        <h2>{t('setTitle')}</h2>
        <p>{msg?.say(t) ?? t('setLoading')}</p>
      </section>
    );
  const e = view.effective;
  const volumes = e.volumes as Volumes;
  const tls = e.tls as { cert: string; key: string } | undefined;

  const saveLive = (ev: FormEvent<HTMLFormElement>): void => {
    ev.preventDefault();
    const f = new FormData(ev.currentTarget);
    const patch: Patch = {};
    changed(patch, 'stationName', str(f.get('stationName')).trim(), e.stationName);
    changed(patch, 'semesters', str(f.get('semesters')).trim(), e.semesters);
    const v = Object.fromEntries(SOUND_CLASSES.map((c) => [c, Number(f.get(`volume-${c}`))])) as Volumes;
    changed(patch, 'volumes', v, volumes);
    save(patch);
  };
  const saveRestart = (ev: FormEvent<HTMLFormElement>): void => {
    ev.preventDefault();
    const f = new FormData(ev.currentTarget);
    const patch: Patch = {};
    changed(patch, 'port', Number(f.get('port')), e.port);
    changed(patch, 'host', str(f.get('host')).trim(), e.host);
    const cert = str(f.get('tlsCert')).trim();
    const key = str(f.get('tlsKey')).trim();
    changed(patch, 'tls', cert || key ? { cert, key } : null, tls ?? null);
    changed(patch, 'dataDir', str(f.get('dataDir')).trim(), e.dataDir);
    changed(patch, 'timeZone', str(f.get('timeZone')).trim(), e.timeZone);
    save(patch);
  };

  return (
    <section className="settings" data-testid="settings" key={generation}>
      <h2>{t('setTitle')}</h2>
      <p className="settings-file">{t('setFile', { file: view.file })}</p>
      <p className="settings-note">{t('setLiveNote')}</p>
      {msg && (
        <p className={`settings-result ${msg.ok ? 'ok' : 'bad'}`} role={msg.ok ? 'status' : 'alert'} data-testid="settings-message">
          {msg.say(t)}
        </p>
      )}
      <form onSubmit={saveLive} data-testid="settings-live">
        <Row k="stationName" label={t('setStationName')} view={view}>
          <input name="stationName" defaultValue={str(e.stationName) || (reference?.stationName ?? '')} maxLength={100} required />
        </Row>
        <Row k="semesters" label={t('setSemesters')} view={view}>
          <input name="semesters" defaultValue={str(e.semesters)} maxLength={500} />
        </Row>
        <Row k="targets" label={t('setTargets')} view={view}>
          <span className="setting-value">
            {targetsText(t, (e.targets as TargetProfile | undefined) ?? reference?.targets ?? DEFAULT_TARGETS)}
            <br />
            <small>{t('setTargetsNote')}</small>
          </span>
        </Row>
        <Row k="volumes" label={t('setVolumes')} view={view}>
          <span className="volumes">
            {SOUND_CLASSES.map((c) => (
              <label key={c} data-testid={`volume-${c}`}>
                {t(VOLUME_LABELS[c], { min: VOLUME_FLOORS[c] })}
                <input name={`volume-${c}`} type="number" min={VOLUME_FLOORS[c]} max={100} step={1} defaultValue={volumes[c]} required />
              </label>
            ))}
            <small>{t('setVolumeNote', { min: VOLUME_FLOORS.alarm })}</small>
          </span>
        </Row>
        <div className="settings-actions">
          <button type="submit" data-testid="settings-save-live">
            {t('setSave')}
          </button>
        </div>
      </form>
      <MapSourceForm view={view} onSaved={onSaved} />
      <form onSubmit={saveRestart} data-testid="settings-restart">
        <Row k="port" label={t('setPort')} view={view}>
          <input name="port" type="number" min={0} max={65535} defaultValue={str(e.port)} required />
        </Row>
        <Row k="host" label={t('setHost')} view={view}>
          <input name="host" defaultValue={str(e.host)} maxLength={255} required />
        </Row>
        <Row k="tls" label={`${t('setTlsCert')} / ${t('setTlsKey')}`} view={view}>
          <input name="tlsCert" defaultValue={tls?.cert ?? ''} maxLength={1024} aria-label={t('setTlsCert')} />
          <input name="tlsKey" defaultValue={tls?.key ?? ''} maxLength={1024} aria-label={t('setTlsKey')} />
        </Row>
        <Row k="dataDir" label={t('setDataDir')} view={view}>
          <input name="dataDir" defaultValue={str(e.dataDir)} maxLength={1024} required />
        </Row>
        <Row k="timeZone" label={t('setTimeZone')} view={view}>
          <input name="timeZone" defaultValue={str(e.timeZone)} maxLength={64} required />
          <small>{t('setTimeZoneNote')}</small>
        </Row>
        <div className="settings-actions">
          <button type="submit" data-testid="settings-save-restart">
            {t('setSave')}
          </button>
        </div>
      </form>
    </section>
  );
}

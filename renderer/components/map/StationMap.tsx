// renderer/ — the live map: offline county outline (or configured tiles, falling back to the outline), schools
// by type and state, guard posts staffed or not, police rooms, patrol units moving with trails, the alarmed
// schools flashing, 1/3/5 km rings and the nearest units of the incident in focus, with dispatch from the map.
// The map follows the most urgent alarm (not the newest); 全县 returns to the whole county from any zoom.
import L, { type Map as LeafletMap, type PathOptions } from 'leaflet';
import type { Feature } from 'geojson';
import { memo, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { AttributionControl, GeoJSON, MapContainer, Pane, ScaleControl, TileLayer, useMap } from 'react-leaflet';
import type { DeviceHealth, UnitLive } from '../../../shared/consoleApi';
import { candidatesFor } from '../../../shared/dispatch';
import { entryId, isOpen, isStored, type QueueEntry } from '../../../shared/consoleView';
import type { StationState } from '../../../shared/incidents';
import type { ReferenceData, School, SchoolType } from '../../../shared/model';
import { DEFAULT_TARGETS } from '../../../shared/response';
import { buildSearchIndex } from '../../../shared/search';
import { loadBasemap, type Basemap } from '../../adapters/basemap';
import { useI18n } from '../../i18n';
import { getStore, useConsolePart, type ConsoleState } from '../../store';
import { useNow } from '../../time';
import { AlarmLayer, DistanceRings, FocusMarker, NearestLines } from './IncidentOverlays';
import { LABELLED_ALARMS, PULSING_MARKERS, useLayerVisibility } from './layers';
import { LayerPanel, NearestPanel, SearchBox, TileNotice, type LayerCounts } from './MapPanels';
import { PostLayer, RoomLayer, SchoolLayer, UnitLayer, type SchoolFocus } from './Layers';

/** The live tile settings: the map renders again when they change, not on every record. */
const tilesOf = (s: ConsoleState) => s.settings.tiles;

interface Props {
  reference: ReferenceData | undefined;
  incidents: QueueEntry[];
  /** Incident ids that are unacknowledged real alarms. */
  alarmed: string[];
  /** The most urgent of them (shared/consoleView.ts mostUrgentAlarm): the map follows it. */
  urgent: string | undefined;
  selected: string | undefined;
  units: UnitLive[];
  station: StationState;
  health: DeviceHealth[];
  /** The station's stale limit for unit positions (hello settings). */
  unitStaleMs: number;
}

const LONGHUA_CENTER: [number, number] = [41.45, 117.6];
const START_ZOOM = 10;
/** How many nearest units are drawn and offered on the map. */
const NEAREST_SHOWN = 3;
/** How much of each unit's path is drawn behind it. */
const TRAIL_MS = 10 * 60_000;
const EMPTY: never[] = [];

const TYPES: SchoolType[] = ['primary', 'middle', 'kindergarten', 'other'];

/** The map's box changes when the incident panel opens or closes: Leaflet must be told, or it centres wrong. */
function SizeWatcher() {
  const map = useMap();
  useEffect(() => {
    // pan: keep the centre where it was, so the incident the map moved to stays in the middle.
    const ro = new ResizeObserver(() => map.invalidateSize({ pan: true, animate: false }));
    ro.observe(map.getContainer());
    return () => ro.disconnect();
  }, [map]);
  return null;
}

interface FlyTarget {
  key: string;
  lat: number;
  lng: number;
}

/**
 * Not flyTo: a flight moves every marker on every frame (1,000 schools, 600 markers), which stalls the console
 * for the next alarm; setView zooms with one CSS transform of the panes and pans the same way. The incident
 * panel may have opened in the same render: the map's box is measured first, or the centre is computed for
 * the old size.
 */
function moveTo(map: LeafletMap, t: { lat: number; lng: number }): void {
  map.invalidateSize({ pan: false });
  map.setView([t.lat, t.lng], Math.max(map.getZoom(), 14), { animate: true });
}

/** Moves to the incident in focus, once each time the focus changes (keyed by incident id). */
function FlyTo({ target }: { target: FlyTarget | undefined }) {
  const map = useMap();
  const last = useRef<string>(undefined);
  const key = target?.key;
  useEffect(() => {
    if (key === last.current) return;
    last.current = key;
    if (target) moveTo(map, target);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [map, key]);
  return null;
}

/** Tells the page (and the tests) where the map looks: data-zoom and data-center on its container. */
function ViewReporter() {
  const map = useMap();
  useEffect(() => {
    const report = (): void => {
      const c = map.getCenter();
      const el = map.getContainer();
      el.dataset.zoom = String(map.getZoom());
      el.dataset.center = `${c.lat.toFixed(5)},${c.lng.toFixed(5)}`;
    };
    report();
    map.on('moveend zoomend', report);
    return () => {
      map.off('moveend zoomend', report);
    };
  }, [map]);
  return null;
}

/** The whole county in view: the station's county outline, or the start view before the outline has loaded. */
function showCounty(map: LeafletMap, basemap: Basemap | undefined): void {
  const county = basemap?.counties.features.find((f) => f.properties?.adcode === basemap.focusAdcode);
  map.invalidateSize({ pan: false });
  if (county) map.fitBounds(L.geoJSON(county).getBounds(), { animate: true });
  else map.setView(LONGHUA_CENTER, START_ZOOM, { animate: true });
}

/** Leaflet writes attributions as HTML; a tile archive's metadata must not be able to inject markup. */
const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

/**
 * Configured tiles over the offline outline. Tiles that keep failing (no tile server, police GIS down) are
 * dropped after a few errors without a single success, and the officer is told; the outline stays underneath.
 */
function Tiles({ tiles, onFailed }: { tiles: NonNullable<Basemap['tiles']>; onFailed: () => void }) {
  const loaded = useRef(0);
  const failed = useRef(0);
  return (
    <TileLayer
      url={tiles.url}
      attribution={escapeHtml(tiles.attribution)}
      minZoom={tiles.minZoom}
      maxNativeZoom={tiles.maxZoom}
      maxZoom={17}
      eventHandlers={{
        tileload: () => {
          loaded.current++;
          failed.current = 0;
        },
        tileerror: () => {
          failed.current++;
          if (failed.current >= 4 && loaded.current === 0) onFailed();
        },
      }}
    />
  );
}

/** Memoized: the console renders for every record, the map only when what it shows changed (ConsoleView's mapFacts). */
export const StationMap = memo(StationMapImpl);

function StationMapImpl({ reference, incidents, alarmed, urgent, selected, units, station, health, unitStaleMs }: Props) {
  const { t, name } = useI18n();
  const mapRef = useRef<LeafletMap>(null);
  const [basemap, setBasemap] = useState<Basemap>();
  // The source whose tiles kept failing; a new source gets its own chance.
  const [failedSource, setFailedSource] = useState<string>();
  useEffect(() => {
    let live = true;
    loadBasemap()
      .then((b) => live && setBasemap(b))
      .catch((e: unknown) => console.error('basemap:', e));
    return () => {
      live = false;
    };
  }, []);
  const [visible, setVisible] = useLayerVisibility();
  const { primary, middle, kindergarten, other } = visible;
  const schoolTypesShown = useMemo(() => ({ primary, middle, kindergarten, other }), [primary, middle, kindergarten, other]);
  const now = useNow(30_000);
  const [dutyAt, setDutyAt] = useState<number>();
  const [focus, setFocus] = useState<SchoolFocus>();

  // Counts reported by the layers themselves (what is on the map right now), shown in the legend.
  const [schoolCounts, setSchoolCounts] = useState<Partial<Record<SchoolType, number>>>({});
  const [posts, setPosts] = useState({ staffed: 0, total: 0 });
  const [rooms, setRooms] = useState(0);
  const [unitCounts, setUnitCounts] = useState({ shown: 0, stale: 0 });
  const onSchoolCount = useCallback((n: Record<SchoolType, number>) => setSchoolCounts((c) => (TYPES.every((ty) => c[ty] === n[ty]) ? c : n)), []);
  const onPostCount = useCallback(
    (staffed: number, total: number) => setPosts((p) => (p.staffed === staffed && p.total === total ? p : { staffed, total })),
    [],
  );
  const onUnitCount = useCallback((shown: number, stale: number) => setUnitCounts((u) => (u.shown === shown && u.stale === stale ? u : { shown, stale })), []);

  const schools = useMemo(() => new Map((reference?.schools ?? []).map((s) => [s.id, s])), [reference]);
  const searchIndex = useMemo(() => buildSearchIndex(reference?.schools ?? []), [reference]);

  // A school is "offline" while any of its enabled terminals is offline; keyed as a string so the 1,000
  // school markers are restyled only when that set really changes.
  const offlineKey = useMemo(() => [...new Set(health.filter((d) => !d.disabled && !d.online).map((d) => d.schoolId))].sort().join('|'), [health]);
  const offline = useMemo(() => new Set(offlineKey ? offlineKey.split('|') : []), [offlineKey]);

  const counts: LayerCounts = { schools: schoolCounts, posts, rooms, units: unitCounts, offline: offline.size };

  const alarmedKey = useMemo(() => {
    const set = new Set(alarmed);
    return [...new Set(incidents.filter((i) => set.has(entryId(i))).map((i) => i.schoolId))].sort().join('|');
  }, [incidents, alarmed]);
  const alarmedSet = useMemo(() => new Set(alarmedKey ? alarmedKey.split('|') : []), [alarmedKey]);
  // Only the most urgent few carry their names (the queue's order), and the first of them pulse, as only the first
  // few cards flash: each pulsing marker is drawn again several times a second, and in a storm the eye needs the
  // top, not 200 rings and labels; the others are red dots (IncidentOverlays.tsx AlarmLayer).
  const topKeys = useMemo(() => {
    const set = new Set(alarmed);
    const top = new Set<string>();
    for (const i of incidents) {
      if (top.size >= LABELLED_ALARMS) break;
      if (set.has(entryId(i))) top.add(i.schoolId);
    }
    const order = [...top];
    return { labelled: [...order].sort().join('|'), pulsing: order.slice(0, PULSING_MARKERS).sort().join('|') };
  }, [incidents, alarmed]);
  const pulsingKey = topKeys.pulsing;
  const labelledKey = topKeys.labelled;
  const labelledSchools = useMemo(() => (labelledKey ? labelledKey.split('|').flatMap((id) => schools.get(id) ?? []) : []), [labelledKey, schools]);
  const pulsing = useMemo(() => new Set(pulsingKey ? pulsingKey.split('|') : []), [pulsingKey]);

  const place = useCallback(
    (i: QueueEntry | undefined): FlyTarget | undefined => {
      const loc = i?.location ?? (i ? schools.get(i.schoolId) : undefined);
      return loc ? { key: entryId(i!), lat: loc.lat, lng: loc.lng } : undefined;
    },
    [schools],
  );
  // Alarms come first: while any alarm awaits 接警 the map shows the most urgent one (real before drill, then the
  // longest waiting; shared/consoleView.ts mostUrgentAlarm), even while the officer works on another incident, and
  // moves only when that alarm changes (a more urgent one arrives, or it is taken) — never merely because a newer,
  // less urgent one arrived. With none waiting, the map shows the incident the officer selects.
  const urgentEntry = useMemo(() => (urgent ? incidents.find((i) => entryId(i) === urgent) : undefined), [incidents, urgent]);
  const chosen = useMemo(() => (selected ? incidents.find((i) => entryId(i) === selected) : undefined), [incidents, selected]);
  // The incident in focus gets the rings and the nearest units.
  const focusIncident = urgentEntry ?? chosen;
  const focusPlace = useMemo(() => place(focusIncident), [place, focusIncident]);
  const focusOpen = focusIncident !== undefined && isOpen(focusIncident);

  const nearest = useMemo(() => {
    if (!focusIncident || !focusPlace || !reference || !focusOpen || !isStored(focusIncident)) return EMPTY;
    const positions = new Map(units.map((u) => [u.unitId, u]));
    const freshness = { now, staleMs: unitStaleMs };
    return candidatesFor(
      focusPlace,
      focusIncident.id,
      { units: reference.units, positions, states: station.units, assignments: station.assignments, freshness },
      reference.targets ?? DEFAULT_TARGETS,
    )
      .filter((c) => c.available)
      .slice(0, NEAREST_SHOWN);
  }, [focusIncident, focusPlace, focusOpen, reference, units, station.units, station.assignments, now, unitStaleMs]);

  const store = getStore();
  const dispatch = useCallback(
    (unitId: string) =>
      focusIncident && !('type' in focusIncident) ? store.command('dispatch', { incidentId: focusIncident.id, unitId }) : Promise.resolve(undefined),
    [focusIncident, store],
  );
  const onPick = useCallback((s: School) => setFocus((f) => ({ schoolId: s.id, nonce: (f?.nonce ?? 0) + 1 })), []);

  // The tiles in force: the station's settings (an admin may change the map source while consoles run: they switch at
  // once), or map-config.json from a core that does not send them.
  const liveTiles = useConsolePart(tilesOf);
  const configured = liveTiles === undefined ? basemap?.tiles : (liveTiles ?? undefined);
  const tilesKey = configured ? `${configured.url}|${configured.minZoom}|${configured.maxZoom}|${configured.attribution}` : '';
  const tilesFailed = failedSource !== undefined && failedSource === tilesKey;
  const tiles = basemap && configured && !tilesFailed ? configured : undefined;
  // A new style function would make react-leaflet restyle (and redraw) the outline on every render.
  const focusAdcode = basemap?.focusAdcode;
  const outlineStyle = useCallback(
    (f: Feature | undefined): PathOptions =>
      f?.properties?.adcode === focusAdcode
        ? { color: '#60a5fa', weight: 2, fillColor: '#1e3a5f', fillOpacity: tiles ? 0 : 0.6 }
        : { color: '#334155', weight: 1, fillColor: '#111827', fillOpacity: tiles ? 0 : 0.5 },
    [focusAdcode, tiles],
  );
  return (
    <section
      className="map"
      data-testid="map"
      data-focus={focusIncident ? entryId(focusIncident) : ''}
      data-tiles={tiles ? 'on' : tilesFailed ? 'failed' : 'off'}
    >
      <MapContainer ref={mapRef} center={LONGHUA_CENTER} zoom={START_ZOOM} minZoom={7} maxZoom={17} zoomControl attributionControl={false}>
        {/* Only the map data is named: no prefix (Leaflet's default is its name and a flag). */}
        <AttributionControl prefix={false} />
        <MapName label={t('mapLabel')} />
        <KeepCentre />
        {/* The outline never takes the mouse. Everything on the map is SVG or DOM, no canvas (see mapLayers.ts). */}
        <Pane name="outline" style={{ zIndex: 350, pointerEvents: 'none' }}>
          {basemap && <GeoJSON data={basemap.counties} style={outlineStyle} interactive={false} attribution={basemap.attribution} />}
        </Pane>
        {tiles && <Tiles key={tilesKey} tiles={tiles} onFailed={() => setFailedSource(tilesKey)} />}
        <SchoolLayer
          schools={reference?.schools ?? EMPTY}
          visible={schoolTypesShown}
          offline={offline}
          alarmed={alarmedSet}
          focus={focus}
          onCount={onSchoolCount}
        />
        <PostLayer posts={reference?.guardPosts ?? EMPTY} shown={visible.posts} at={dutyAt ?? now} onCount={onPostCount} />
        <RoomLayer rooms={reference?.policeRooms ?? EMPTY} shown={visible.rooms} onCount={setRooms} />
        {visible.rings && focusPlace && focusOpen && <DistanceRings lat={focusPlace.lat} lng={focusPlace.lng} />}
        {focusPlace && nearest.length > 0 && <NearestLines target={focusPlace} candidates={nearest} />}
        {focusPlace && focusOpen && focusIncident && !labelledKey.split('|').includes(focusIncident.schoolId) && (
          <FocusMarker lat={focusPlace.lat} lng={focusPlace.lng} name={name(schools.get(focusIncident.schoolId), focusIncident.schoolId)} />
        )}
        <UnitLayer
          units={reference?.units ?? EMPTY}
          live={units}
          states={station.units}
          showUnits={visible.units}
          showTrails={visible.trails}
          staleMs={unitStaleMs}
          trailMs={TRAIL_MS}
          onCount={onUnitCount}
        />
        <AlarmLayer schools={labelledSchools} pulsing={pulsing} />
        <ScaleControl position="bottomright" imperial={false} />
        <SizeWatcher />
        <FlyTo target={focusPlace} />
        <ViewReporter />
      </MapContainer>
      <button className="whole-county" data-testid="whole-county" onClick={() => mapRef.current && showCounty(mapRef.current, basemap)}>
        {t('wholeCounty')}
      </button>
      <SearchBox index={searchIndex} onPick={onPick} />
      <LayerPanel visible={visible} onToggle={setVisible} counts={counts} dutyAt={dutyAt} now={now} onDutyAt={setDutyAt} makeRoom={nearest.length > 0} />
      {focusIncident && isStored(focusIncident) && focusOpen && (
        <NearestPanel
          key={focusIncident.id}
          schoolName={name(schools.get(focusIncident.schoolId), focusIncident.schoolId)}
          candidates={nearest}
          canDispatch={store.canHandle()}
          blockedReason={focusIncident.acknowledgedAt === undefined ? t('dispatchNeedsAck') : undefined}
          onDispatch={dispatch}
        />
      )}
      {tilesFailed && <TileNotice />}
    </section>
  );
}

/** The map's container takes the keyboard focus (Leaflet's arrow keys): it gets an accessible name. */
function MapName({ label }: { label: string }) {
  const map = useMap();
  useEffect(() => {
    map.getContainer().setAttribute('aria-label', label);
  }, [map, label]);
  return null;
}

/**
 * The map's box changes when the incident panel opens or closes (the map keeps at least half the width): Leaflet is
 * told, keeping its centre, so the alarm in focus stays in the middle of what the officer sees.
 */
function KeepCentre() {
  const map = useMap();
  useEffect(() => {
    const observer = new ResizeObserver(() => map.invalidateSize({ pan: true, animate: false }));
    observer.observe(map.getContainer());
    return () => observer.disconnect();
  }, [map]);
  return null;
}

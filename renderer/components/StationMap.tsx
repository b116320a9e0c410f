// renderer/ — the map: offline county outlines (no tiles, no internet), schools, posts, rooms, units,
// the alarmed schools flashing, and a flight to the newest unacknowledged alarm.
import L from 'leaflet';
import { memo, useEffect, useMemo, useRef, useState } from 'react';
import { CircleMarker, GeoJSON, MapContainer, Marker, Tooltip, useMap } from 'react-leaflet';
import type { UnitLive } from '../../shared/consoleApi';
import type { AlarmReceived } from '../../shared/events';
import type { Incident, StationState } from '../../shared/incidents';
import type { ReferenceData, School } from '../../shared/model';
import { loadBasemap, type Basemap } from '../adapters/basemap';
import { useI18n } from '../i18n';
import { useNow } from '../time';

interface Props {
  reference: ReferenceData | undefined;
  incidents: (Incident | AlarmReceived)[];
  /** Incident ids that are unacknowledged real alarms. */
  alarmed: string[];
  selected: string | undefined;
  units: UnitLive[];
  unitStates: StationState['units'];
}

/** A unit position older than this is drawn grey (spec: stale after 2 minutes). */
const STALE_MS = 2 * 60_000;
const UNIT_COLOUR = { available: '#22c55e', en_route: '#f97316', on_scene: '#ef4444', busy: '#a855f7', off_duty: '#64748b' } as const;

const iconCache = new Map<string, L.DivIcon>();

/** Icons are cached by look, so a re-render with the same state reuses the same icon (no DOM churn). */
function unitIcon(colour: string, stale: boolean, headingRaw: number | undefined): L.DivIcon {
  const heading = headingRaw === undefined ? undefined : Math.round(headingRaw / 15) * 15;
  const key = `${colour}|${stale}|${heading}`;
  const cached = iconCache.get(key);
  if (cached) return cached;
  const icon = makeUnitIcon(colour, stale, heading);
  iconCache.set(key, icon);
  return icon;
}

function makeUnitIcon(colour: string, stale: boolean, heading: number | undefined): L.DivIcon {
  const arrow = heading === undefined ? '' : `<span class="heading" style="transform: rotate(${Math.round(heading)}deg)"></span>`;
  return L.divIcon({
    className: `unit-marker${stale ? ' stale' : ''}`,
    html: `${arrow}<span class="body" style="background:${stale ? '#64748b' : colour}">巡</span>`,
    iconSize: [24, 24],
    iconAnchor: [12, 12],
  });
}

const LONGHUA_CENTER: [number, number] = [41.45, 117.6];
const TYPE_COLOUR = { primary: '#38bdf8', middle: '#a78bfa', kindergarten: '#facc15', other: '#94a3b8' } as const;

const alarmIcon = L.divIcon({ className: 'alarm-marker', html: '<span class="pulse"></span><span class="dot"></span>', iconSize: [36, 36], iconAnchor: [18, 18] });
const postIcon = L.divIcon({ className: 'poi-marker post', html: '护', iconSize: [20, 20] });
const roomIcon = L.divIcon({ className: 'poi-marker room', html: '警', iconSize: [20, 20] });

const idOf = (i: Incident | AlarmReceived): string => ('type' in i ? i.incidentId : i.id);

/** Flies to the newest alarm when one arrives, and to the selected incident when the officer picks one. */
/** The map's box changes when the incident panel opens or closes: Leaflet must be told, or it centres wrong. */
function SizeWatcher() {
  const map = useMap();
  useEffect(() => {
    const ro = new ResizeObserver(() => map.invalidateSize({ pan: false }));
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

function FlyTo({ target }: { target: FlyTarget | undefined }) {
  const map = useMap();
  const last = useRef<string>(undefined);
  const key = target?.key;
  useEffect(() => {
    if (!target || key === last.current) return;
    last.current = key;
    map.flyTo([target.lat, target.lng], Math.max(map.getZoom(), 14), { duration: 0.8 });
    // Only a new place starts a flight; the same place in a new object does not.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [map, key]);
  return null;
}

/** The county, schools, posts and rooms: they change only with the reference data, so they render once. */
const StaticLayers = memo(function StaticLayers({ reference, basemap }: { reference: ReferenceData | undefined; basemap: Basemap | undefined }) {
  const { t, c } = useI18n();
  return (
    <>
      {basemap && (
        <GeoJSON
          data={basemap.counties}
          style={(f) => (f?.properties?.adcode === basemap.focusAdcode ? { color: '#60a5fa', weight: 2, fillColor: '#1e3a5f', fillOpacity: 0.6 } : { color: '#334155', weight: 1, fillColor: '#111827', fillOpacity: 0.5 })}
          onEachFeature={(f, layer) => layer.bindTooltip(String(f.properties?.name ?? ''), { permanent: false })}
          attribution={basemap.attribution}
        />
      )}
      {reference?.schools.map((s) => (
        <CircleMarker key={s.id} center={[s.lat, s.lng]} radius={6} pathOptions={{ color: '#0f172a', weight: 1, fillColor: TYPE_COLOUR[s.type], fillOpacity: 0.95 }}>
          <Tooltip>{`${s.name} · ${c.schoolTypes[s.type]}`}</Tooltip>
        </CircleMarker>
      ))}
      {reference?.guardPosts.map((p) => (
        <Marker key={p.id} position={[p.lat, p.lng]} icon={postIcon}>
          <Tooltip>{`${t('mapLegendPost')} · ${p.name}`}</Tooltip>
        </Marker>
      ))}
      {reference?.policeRooms.map((r) => (
        <Marker key={r.id} position={[r.lat, r.lng]} icon={roomIcon}>
          <Tooltip>{r.name}</Tooltip>
        </Marker>
      ))}
    </>
  );
});

/** Patrol units at their live positions; greyed once a position is over 2 minutes old. */
const UnitLayer = memo(function UnitLayer({ reference, units, unitStates }: { reference: ReferenceData | undefined; units: UnitLive[]; unitStates: StationState['units'] }) {
  const { t, c } = useI18n();
  const now = useNow(5000);
  const liveUnits = useMemo(() => new Map(units.map((u) => [u.unitId, u])), [units]);
  return (
    <>
      {reference?.units.map((u) => {
        const live = liveUnits.get(u.id);
        const state = unitStates[u.id]?.state ?? 'available';
        const stale = !live || now - live.receivedAt > STALE_MS;
        return (
          <Marker key={u.id} position={[live?.lat ?? u.lat, live?.lng ?? u.lng]} icon={unitIcon(UNIT_COLOUR[state], stale, live?.heading)}>
            <Tooltip>
              <span data-testid="unit-tooltip" data-unit-id={u.id} data-stale={String(stale)}>{`${u.name} (${u.callsign}) · ${c.unitStates[state]}${stale ? ` · ${t('unitStale')}` : ''}`}</span>
            </Tooltip>
          </Marker>
        );
      })}
    </>
  );
});

/** The flashing markers of alarmed schools. Memoized on the list itself, so a new alarm elsewhere does not
 * rebuild (and re-measure) every permanent label. */
const AlarmLayer = memo(function AlarmLayer({ schools }: { schools: School[] }) {
  return (
    <>
      {schools.map((s) => (
        <Marker key={`alarm-${s.id}`} position={[s.lat, s.lng]} icon={alarmIcon} zIndexOffset={1000}>
          <Tooltip permanent direction="top" offset={[0, -16]} className="alarm-label">
            <span data-testid="map-alarm" data-school-id={s.id}>{s.name}</span>
          </Tooltip>
        </Marker>
      ))}
    </>
  );
});

export function StationMap({ reference, incidents, alarmed, selected, units, unitStates }: Props) {
  const { t } = useI18n();
  const [basemap, setBasemap] = useState<Basemap>();
  useEffect(() => {
    let live = true;
    loadBasemap().then((b) => live && setBasemap(b)).catch((e: unknown) => console.error('basemap:', e));
    return () => {
      live = false;
    };
  }, []);
  const schools = useMemo(() => new Map((reference?.schools ?? []).map((s) => [s.id, s])), [reference]);
  const alarmedIds = useMemo(() => {
    const set = new Set(alarmed);
    return [...new Set(incidents.filter((i) => set.has(idOf(i))).map((i) => i.schoolId))].sort().join('|');
  }, [incidents, alarmed]);
  const alarmedSchools = useMemo(() => (alarmedIds ? alarmedIds.split('|').flatMap((id) => schools.get(id) ?? []) : []), [alarmedIds, schools]);

  // Two reasons to fly: a new unacknowledged alarm arrives (it must be seen even while the officer works on
  // another incident), or the officer selects an incident. Each flies when its own target changes; both are
  // keyed by place, so a second alarm from the same school does not restart the flight.
  const place = (i: Incident | AlarmReceived | undefined): FlyTarget | undefined => {
    const loc = i?.location ?? (i ? schools.get(i.schoolId) : undefined);
    return loc ? { key: `${loc.lat},${loc.lng}`, lat: loc.lat, lng: loc.lng } : undefined;
  };
  const newest = useMemo(
    () => incidents.filter((i) => alarmed.includes(idOf(i))).sort((a, b) => ('type' in b ? b.at : b.receivedAt) - ('type' in a ? a.at : a.receivedAt))[0],
    [incidents, alarmed],
  );
  const chosen = useMemo(() => (selected ? incidents.find((i) => idOf(i) === selected) : undefined), [incidents, selected]);
  const newestTarget = place(newest);
  const chosenTarget = place(chosen);

  return (
    <section className="map" data-testid="map">
      <MapContainer center={LONGHUA_CENTER} zoom={10} minZoom={7} maxZoom={17} zoomControl preferCanvas attributionControl>
        <StaticLayers reference={reference} basemap={basemap} />
        <UnitLayer reference={reference} units={units} unitStates={unitStates} />
        <AlarmLayer schools={alarmedSchools} />
        <SizeWatcher />
        <FlyTo target={newestTarget} />
        <FlyTo target={chosenTarget} />
      </MapContainer>
      <div className="legend">
        <span><i className="sw school" />{t('mapLegendSchool')}</span>
        <span><i className="sw alarm" />{t('mapLegendAlarm')}</span>
        <span><i className="sw post">护</i>{t('mapLegendPost')}</span>
        <span><i className="sw room">警</i>{t('mapLegendRoom')}</span>
        <span><i className="sw unit">巡</i>{t('mapLegendUnit')}</span>
        <span><i className="sw stale">巡</i>{t('unitStale')}</span>
      </div>
    </section>
  );
}

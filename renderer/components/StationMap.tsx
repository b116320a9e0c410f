// renderer/ — the map: offline county outlines (no tiles, no internet), schools, posts, rooms, units,
// the alarmed schools flashing, and a flight to the newest unacknowledged alarm.
import L from 'leaflet';
import { useEffect, useMemo, useRef, useState } from 'react';
import { CircleMarker, GeoJSON, MapContainer, Marker, Tooltip, useMap } from 'react-leaflet';
import type { AlarmReceived } from '../../shared/events';
import type { Incident } from '../../shared/incidents';
import type { ReferenceData } from '../../shared/model';
import { loadBasemap, type Basemap } from '../adapters/basemap';
import { useI18n } from '../i18n';

interface Props {
  reference: ReferenceData | undefined;
  incidents: (Incident | AlarmReceived)[];
  /** Incident ids that are unacknowledged real alarms. */
  alarmed: string[];
  selected: string | undefined;
}

const LONGHUA_CENTER: [number, number] = [41.45, 117.6];
const TYPE_COLOUR = { primary: '#38bdf8', middle: '#a78bfa', kindergarten: '#facc15', other: '#94a3b8' } as const;

const alarmIcon = L.divIcon({ className: 'alarm-marker', html: '<span class="pulse"></span><span class="dot"></span>', iconSize: [36, 36], iconAnchor: [18, 18] });
const postIcon = L.divIcon({ className: 'poi-marker post', html: '护', iconSize: [20, 20] });
const roomIcon = L.divIcon({ className: 'poi-marker room', html: '警', iconSize: [20, 20] });
const unitIcon = L.divIcon({ className: 'poi-marker unit', html: '巡', iconSize: [20, 20] });

const idOf = (i: Incident | AlarmReceived): string => ('type' in i ? i.incidentId : i.id);

/** Flies to the newest alarm when one arrives, and to the selected incident when the officer picks one. */
function FlyTo({ target }: { target: { key: string; lat: number; lng: number } | undefined }) {
  const map = useMap();
  const last = useRef<string>(undefined);
  useEffect(() => {
    if (!target || target.key === last.current) return;
    last.current = target.key;
    map.flyTo([target.lat, target.lng], Math.max(map.getZoom(), 14), { duration: 0.8 });
  }, [map, target]);
  return null;
}

export function StationMap({ reference, incidents, alarmed, selected }: Props) {
  const { t, c } = useI18n();
  const [basemap, setBasemap] = useState<Basemap>();
  useEffect(() => {
    let live = true;
    loadBasemap().then((b) => live && setBasemap(b)).catch((e: unknown) => console.error('basemap:', e));
    return () => {
      live = false;
    };
  }, []);
  const schools = useMemo(() => new Map((reference?.schools ?? []).map((s) => [s.id, s])), [reference]);
  const alarmedSchools = useMemo(() => {
    const set = new Set(alarmed);
    return [...new Set(incidents.filter((i) => set.has(idOf(i))).map((i) => i.schoolId))].flatMap((id) => schools.get(id) ?? []);
  }, [incidents, alarmed, schools]);

  // The newest unacknowledged alarm, unless the officer selected an incident.
  const target = useMemo(() => {
    const pick = selected ? incidents.find((i) => idOf(i) === selected) : [...incidents].filter((i) => alarmed.includes(idOf(i))).sort((a, b) => ('type' in b ? b.at : b.receivedAt) - ('type' in a ? a.at : a.receivedAt))[0];
    const s = pick && schools.get(pick.schoolId);
    const loc = pick?.location ?? s;
    return pick && loc ? { key: idOf(pick), lat: loc.lat, lng: loc.lng } : undefined;
  }, [selected, incidents, alarmed, schools]);

  return (
    <section className="map" data-testid="map">
      <MapContainer center={LONGHUA_CENTER} zoom={10} minZoom={7} maxZoom={17} zoomControl preferCanvas attributionControl>
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
        {reference?.units.map((u) => (
          <Marker key={u.id} position={[u.lat, u.lng]} icon={unitIcon}>
            <Tooltip>{`${u.name} (${u.callsign})`}</Tooltip>
          </Marker>
        ))}
        {alarmedSchools.map((s) => (
          <Marker key={`alarm-${s.id}`} position={[s.lat, s.lng]} icon={alarmIcon} zIndexOffset={1000}>
            <Tooltip permanent direction="top" offset={[0, -16]} className="alarm-label">
              <span data-testid="map-alarm" data-school-id={s.id}>{s.name}</span>
            </Tooltip>
          </Marker>
        ))}
        <FlyTo target={target} />
      </MapContainer>
      <div className="legend">
        <span><i className="sw school" />{t('mapLegendSchool')}</span>
        <span><i className="sw alarm" />{t('mapLegendAlarm')}</span>
        <span><i className="sw post">护</i>{t('mapLegendPost')}</span>
        <span><i className="sw room">警</i>{t('mapLegendRoom')}</span>
        <span><i className="sw unit">巡</i>{t('mapLegendUnit')}</span>
      </div>
    </section>
  );
}

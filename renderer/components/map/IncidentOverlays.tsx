// renderer/ — what the map draws for incidents: the flashing alarmed schools with their names, the school of the
// incident in focus, the 1/3/5 km rings around it, and lines to the nearest units with distance and ETA.
// Every label is part of its marker's icon, placed by CSS: Leaflet's permanent tooltips measure themselves
// (offsetWidth) on every move and zoom, and those forced layouts were the biggest cost of a new alarm on a
// busy map.
import L from 'leaflet';
import { memo, useMemo } from 'react';
import { Circle, Marker, Polyline } from 'react-leaflet';
import type { Candidate } from '../../../shared/dispatch';
import type { School } from '../../../shared/model';
import { useI18n } from '../../i18n';

/** A zero-size icon holding a text label (text node, never HTML) and optional decoration before it. */
function labelIcon(className: string, text: string, attrs: Record<string, string>, decoration = '', size: [number, number] = [0, 0]): L.DivIcon {
  const root = document.createElement('div');
  root.innerHTML = decoration;
  const label = document.createElement('span');
  label.className = 'map-label';
  label.textContent = text;
  for (const [k, v] of Object.entries(attrs)) label.setAttribute(k, v);
  root.appendChild(label);
  return L.divIcon({ className, html: root, iconSize: size, iconAnchor: [size[0] / 2, size[1] / 2] });
}

const AlarmMarker = memo(function AlarmMarker({ school, pulse }: { school: School; pulse: boolean }) {
  const { name } = useI18n();
  const icon = useMemo(
    () =>
      labelIcon(
        'alarm-marker',
        name(school),
        { 'data-testid': 'map-alarm', 'data-school-id': school.id },
        pulse ? '<span class="pulse"></span><span class="dot"></span>' : '<span class="dot"></span>',
        [36, 36],
      ),
    [school, name, pulse],
  );
  return <Marker position={[school.lat, school.lng]} icon={icon} zIndexOffset={1000} keyboard={false} />;
});

/**
 * The most urgent alarmed schools (`schools`, in the queue's order, at most LABELLED_ALARMS) as markers with their
 * names, `pulsing` among them pulsing; every alarmed school is also a red circle above the schools
 * (mapLayers.ts). Hundreds of labelled markers overlapped into an unreadable heap, and each was laid out, painted
 * and hit-tested with every new alarm (a third of the console's cost of an alarm with 400 open). Memoized on the
 * lists, so a new alarm elsewhere rebuilds no other marker.
 */
export const AlarmLayer = memo(function AlarmLayer({ schools, pulsing }: { schools: School[]; pulsing: ReadonlySet<string> }) {
  return (
    <>
      {schools.map((s) => (
        <AlarmMarker key={s.id} school={s} pulse={pulsing.has(s.id)} />
      ))}
    </>
  );
});

/** The school of the incident in focus, marked after the alarm stops flashing (acknowledged, being worked). */
export const FocusMarker = memo(function FocusMarker({ lat, lng, name }: { lat: number; lng: number; name: string }) {
  const icon = useMemo(() => labelIcon('focus-marker', name, { 'data-testid': 'map-focus' }, '<span class="ring"></span>', [34, 34]), [name]);
  return <Marker position={[lat, lng]} icon={icon} interactive={false} keyboard={false} zIndexOffset={900} />;
});

const RING_KM = [1, 3, 5] as const;

/** Rings at 1, 3 and 5 km: the "1-3-5 minute" circles many cities draw around schools. */
export const DistanceRings = memo(function DistanceRings({ lat, lng }: { lat: number; lng: number }) {
  const { t } = useI18n();
  const icons = useMemo(() => RING_KM.map((km) => labelIcon('ring-label', t('ringLabel', { km }), { 'data-testid': 'ring', 'data-km': String(km) })), [t]);
  return (
    <>
      {RING_KM.map((km) => (
        <Circle
          key={km}
          center={[lat, lng]}
          radius={km * 1000}
          interactive={false}
          pathOptions={{ color: '#f87171', weight: 1.5, dashArray: '6 6', fill: false, opacity: 0.8 }}
        />
      ))}
      {RING_KM.map((km, i) => (
        // The label sits on the ring's north edge.
        <Marker key={`l${km}`} position={[lat + km / 111.32, lng]} interactive={false} keyboard={false} icon={icons[i]!} />
      ))}
    </>
  );
});

const NearestLabel = memo(function NearestLabel({ unitId, rank, lat, lng, text }: { unitId: string; rank: number; lat: number; lng: number; text: string }) {
  const icon = useMemo(
    () => labelIcon('nearest-label', text, { 'data-testid': 'nearest-line', 'data-unit-id': unitId, 'data-rank': String(rank) }),
    [unitId, rank, text],
  );
  return <Marker position={[lat, lng]} interactive={false} keyboard={false} icon={icon} zIndexOffset={800} />;
});

/** Lines from the incident to its nearest free units, labelled at the unit's end with distance and ETA. */
export const NearestLines = memo(function NearestLines({ target, candidates }: { target: { lat: number; lng: number }; candidates: Candidate[] }) {
  const { t } = useI18n();
  return (
    <>
      {candidates.map((u, i) => (
        <Polyline
          key={u.unitId}
          positions={[
            [target.lat, target.lng],
            [u.lat, u.lng],
          ]}
          interactive={false}
          pathOptions={{ color: i === 0 ? '#22c55e' : '#86efac', weight: i === 0 ? 4 : 2.5, opacity: 0.9, dashArray: i === 0 ? undefined : '8 6' }}
        />
      ))}
      {candidates.map((u, i) => (
        <NearestLabel
          key={`l-${u.unitId}`}
          unitId={u.unitId}
          rank={i + 1}
          lat={u.lat}
          lng={u.lng}
          text={`${i + 1} · ${t('distance', { km: (u.distanceM / 1000).toFixed(1), min: Math.max(1, Math.round(u.etaS / 60)) })}`}
        />
      ))}
    </>
  );
});

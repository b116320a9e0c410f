// renderer/ — what the map draws for incidents: the flashing alarmed schools with their names, the 1/3/5 km
// rings around the incident in focus, and lines from it to the nearest units with distance and ETA.
import L from 'leaflet';
import { memo } from 'react';
import { Circle, Marker, Polyline, Tooltip } from 'react-leaflet';
import type { Candidate } from '../../../shared/dispatch';
import type { School } from '../../../shared/model';
import { useI18n } from '../../i18n';

const alarmIcon = L.divIcon({ className: 'alarm-marker', html: '<span class="pulse"></span><span class="dot"></span>', iconSize: [36, 36], iconAnchor: [18, 18] });

/** Memoized on the list itself, so a new alarm elsewhere does not rebuild (and re-measure) every label. */
export const AlarmLayer = memo(function AlarmLayer({ schools }: { schools: School[] }) {
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

const RING_KM = [1, 3, 5] as const;
const anchorOnly = L.divIcon({ className: 'label-anchor', html: '', iconSize: [0, 0] });

const focusIcon = L.divIcon({ className: 'focus-marker', html: '<span></span>', iconSize: [34, 34], iconAnchor: [17, 17] });

/** The school of the incident in focus, marked after the alarm stops flashing (acknowledged, being worked). */
export const FocusMarker = memo(function FocusMarker({ lat, lng, name }: { lat: number; lng: number; name: string }) {
  return (
    <Marker position={[lat, lng]} icon={focusIcon} interactive={false} keyboard={false} zIndexOffset={900}>
      <Tooltip permanent direction="top" offset={[0, -16]} className="focus-label">
        <span data-testid="map-focus">{name}</span>
      </Tooltip>
    </Marker>
  );
});

/** Rings at 1, 3 and 5 km: the "1-3-5 minute" circles many cities draw around schools. */
export const DistanceRings = memo(function DistanceRings({ lat, lng }: { lat: number; lng: number }) {
  const { t } = useI18n();
  return (
    <>
      {RING_KM.map((km) => (
        <Circle key={km} center={[lat, lng]} radius={km * 1000} interactive={false} pathOptions={{ color: '#f87171', weight: 1.5, dashArray: '6 6', fill: false, opacity: 0.8 }} />
      ))}
      {RING_KM.map((km) => (
        // The label sits on the ring's north edge.
        <Marker key={`l${km}`} position={[lat + km / 111.32, lng]} interactive={false} keyboard={false} icon={anchorOnly}>
          <Tooltip permanent direction="center" className="ring-label-text" interactive={false}>
            <span data-testid="ring" data-km={km}>{t('ringLabel', { km })}</span>
          </Tooltip>
        </Marker>
      ))}
    </>
  );
});

/** Lines from the incident to its nearest free units, labelled with distance and ETA. */
export const NearestLines = memo(function NearestLines({ target, candidates }: { target: { lat: number; lng: number }; candidates: Candidate[] }) {
  const { t } = useI18n();
  return (
    <>
      {candidates.map((u, i) => (
        <Polyline key={u.unitId} positions={[[target.lat, target.lng], [u.lat, u.lng]]} interactive={false} pathOptions={{ color: i === 0 ? '#22c55e' : '#86efac', weight: i === 0 ? 4 : 2.5, opacity: 0.9, dashArray: i === 0 ? undefined : '8 6' }} />
      ))}
      {candidates.map((u, i) => (
        // Labelled at the unit's end, where the lines are apart, not at the alarm where they all meet.
        <Marker key={`l-${u.unitId}`} position={[u.lat, u.lng]} interactive={false} keyboard={false} icon={anchorOnly}>
          <Tooltip permanent direction="right" offset={[14, 0]} className="nearest-label" interactive={false}>
            <span data-testid="nearest-line" data-unit-id={u.unitId} data-rank={i + 1}>
              {`${i + 1} · ${t('distance', { km: (u.distanceM / 1000).toFixed(1), min: Math.max(1, Math.round(u.etaS / 60)) })}`}
            </span>
          </Tooltip>
        </Marker>
      ))}
    </>
  );
});

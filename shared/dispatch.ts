// shared/ — which unit to send: candidates ranked by availability, then estimated time of arrival
// (straight line × road factor ÷ speed). Pure: positions and states are passed in.
import { haversineMeters } from './geo';
import type { PatrolUnit } from './model';
import type { TargetProfile } from './response';
import type { UnitState } from './protocol';

export interface UnitSituation {
  unitId: string;
  name: string;
  lat: number;
  lng: number;
  state: UnitState;
  /** The incident it is dispatched to, if any. */
  assignedTo?: string;
  hasDevice: boolean;
}

export interface Candidate extends UnitSituation {
  distanceM: number;
  etaS: number;
  /** Free to take the job now. */
  available: boolean;
  /** Why not, when not available. */
  reason?: 'assigned' | 'busy' | 'off_duty';
  /** Its position is old or only its home (set when freshness is known). */
  stale?: boolean;
}

export function rankUnits(target: { lat: number; lng: number }, units: UnitSituation[], t: Pick<TargetProfile, 'roadFactor' | 'speedKmh'>): Candidate[] {
  const mps = (t.speedKmh * 1000) / 3600;
  return units
    .map((u): Candidate => {
      const distanceM = haversineMeters(target, u);
      const reason = u.assignedTo
        ? 'assigned'
        : u.state === 'off_duty'
          ? 'off_duty'
          : u.state === 'busy' || u.state === 'en_route' || u.state === 'on_scene'
            ? 'busy'
            : undefined;
      return { ...u, distanceM, etaS: Math.round((distanceM * t.roadFactor) / mps), available: reason === undefined, ...(reason ? { reason } : {}) };
    })
    .sort((a, b) => Number(b.available) - Number(a.available) || a.etaS - b.etaS || a.unitId.localeCompare(b.unitId));
}

/** Live facts about units, as a console holds them: registry entries, last positions, states, assignments. */
export interface UnitPicture {
  units: readonly PatrolUnit[];
  /** Last reported positions by unit id; a unit never heard from is placed at its home position. */
  positions: ReadonlyMap<string, { lat: number; lng: number; receivedAt?: number }>;
  states: ReadonlyMap<string, { state: UnitState }>;
  assignments: ReadonlyMap<string, string>;
  /** With this, a unit whose last fix is older than `staleMs` (or that never reported) is marked stale. */
  freshness?: { now: number; staleMs: number };
}

/**
 * The ranked candidates for an incident at `target`, leaving out units already on this incident and disabled
 * units. With `freshness`, among free units those with a known position come before those whose position is
 * old or only their home (marked `stale`): a distance from a guessed position must not win on its own.
 */
export function candidatesFor(
  target: { lat: number; lng: number },
  incidentId: string,
  p: UnitPicture,
  t: Pick<TargetProfile, 'roadFactor' | 'speedKmh'>,
): Candidate[] {
  const situations: UnitSituation[] = p.units
    .filter((u) => !u.disabled)
    .map((u) => {
      const l = p.positions.get(u.id);
      const assignedTo = p.assignments.get(u.id);
      return {
        unitId: u.id,
        name: `${u.name} (${u.callsign})`,
        lat: l?.lat ?? u.lat,
        lng: l?.lng ?? u.lng,
        state: p.states.get(u.id)?.state ?? 'available',
        hasDevice: u.hasDevice,
        ...(assignedTo ? { assignedTo } : {}),
      };
    });
  const ranked = rankUnits(target, situations, t).filter((x) => x.assignedTo !== incidentId);
  const f = p.freshness;
  if (!f) return ranked;
  const withStale = ranked.map((c) => {
    const at = p.positions.get(c.unitId)?.receivedAt;
    return { ...c, stale: at === undefined || f.now - at > f.staleMs };
  });
  // Stable: the ETA order stays within each group.
  return withStale.sort((a, b) => Number(b.available) - Number(a.available) || Number(a.stale) - Number(b.stale));
}

// shared/ — the state snapshot: what a console far behind gets instead of every record (a first login to a year
// of journal), and how a replica turns it back into a state.
import type { UnitState } from './protocol';
import { alarmKey, type DeviceState, type Incident, type StationState } from './incidentModel';

/**
 * What a console needs of the state when it is too far behind to catch up record by record (a first login to
 * a station with a year of journal): every open incident, incidents resolved in the last `recentMs`, device
 * faults, unit states and assignments, at one seq. Arrays, so it crosses the wire as JSON.
 */
export interface StateSnapshot {
  seq: number;
  incidents: Incident[];
  devices: DeviceState[];
  units: [string, { state: UnitState; since: number }][];
  assignments: [string, string][];
}

export const SNAPSHOT_RECENT_MS = 24 * 3600_000;
/** At most this many resolved incidents go into a snapshot (the newest). */
export const SNAPSHOT_MAX_RESOLVED = 1000;

export function toSnapshot(state: StationState, now: number, recentMs = SNAPSHOT_RECENT_MS): StateSnapshot {
  const open: Incident[] = [];
  const resolved: Incident[] = [];
  for (const inc of state.incidents.values()) {
    if (inc.resolvedAt === undefined) open.push(inc);
    else if (inc.resolvedAt >= now - recentMs) resolved.push(inc);
  }
  resolved.sort((a, b) => (b.resolvedAt ?? 0) - (a.resolvedAt ?? 0));
  return {
    seq: state.seq,
    incidents: [...open, ...resolved.slice(0, SNAPSHOT_MAX_RESOLVED)],
    devices: [...state.devices.values()].filter((d) => !d.online || Object.keys(d.faults).length > 0),
    units: [...state.units.entries()],
    assignments: [...state.assignments.entries()],
  };
}

export function fromSnapshot(s: StateSnapshot): StationState {
  const incidents = new Map<string, Incident>();
  const alarmIndex = new Map<string, string>();
  for (const inc of s.incidents) {
    incidents.set(inc.id, inc);
    alarmIndex.set(alarmKey(inc.deviceId, inc.alarmId), inc.id);
  }
  return {
    seq: s.seq,
    incidents,
    alarmIndex,
    devices: new Map(s.devices.map((d) => [d.deviceId, d])),
    units: new Map(s.units),
    assignments: new Map(s.assignments),
  };
}

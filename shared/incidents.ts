// shared/ — incidents: the model, the rules, the fold and the snapshot in one import (each in its own module),
// and the console's ordering of them (the queue, open faults).
import type { DeviceFault, Incident, StationState } from './incidentModel';

export * from './incidentModel';
export * from './incidentRules';
export * from './incidentFold';
export * from './stateSnapshot';

/** 接警用时: received → acknowledged, in ms; undefined while unacknowledged. */
export function ackIntervalMs(inc: Incident): number | undefined {
  return inc.acknowledgedAt === undefined ? undefined : inc.acknowledgedAt - inc.receivedAt;
}

export const isUnacknowledged = (inc: Incident): boolean => inc.acknowledgedAt === undefined;

/** Queue rank: unacknowledged real alarms, then drills, then test presses, then everything acknowledged. */
function queueRank(i: Incident): number {
  if (i.resolvedAt !== undefined) return 4;
  if (!isUnacknowledged(i)) return 3;
  if (i.kind === 'test') return 2;
  return i.drill ? 1 : 0;
}

/**
 * The alarm queue: by rank (see queueRank), unacknowledged ones the longest waiting first, acknowledged
 * ones newest first. Nothing is filtered out: every alarm stays visible.
 */
export function queueOrder(incidents: Iterable<Incident>): Incident[] {
  const rank = queueRank;
  return [...incidents].sort((a, b) => {
    const r = rank(a) - rank(b);
    if (r !== 0) return r;
    if (rank(a) < 3) return a.receivedAt - b.receivedAt || a.seq - b.seq;
    if (rank(a) === 4) return (b.resolvedAt ?? 0) - (a.resolvedAt ?? 0);
    return b.receivedAt - a.receivedAt || b.seq - a.seq;
  });
}

export interface OpenFault extends DeviceFault {
  deviceId: string;
}

/** Every open device fault, unacknowledged first, then oldest first. */
export function openFaults(state: StationState): OpenFault[] {
  return [...state.devices.values()]
    .flatMap((d) => Object.values(d.faults).map((f) => ({ ...f, deviceId: d.deviceId })))
    .sort((a, b) => Number(a.acknowledgedAt !== undefined) - Number(b.acknowledgedAt !== undefined) || a.openedAt - b.openedAt);
}

// shared/ — the incident reducer: a pure fold of journal records into incidents.
// Used by the core (authoritative state), by every console (its Dexie replica) and later by drill replay.
import type { AlarmKind, AlarmState, UnitState } from './protocol';
import { missingCase, type DeviceFaultKind, type JournalRecord, type OperatorRef, type StationEvent } from './events';

export interface Incident {
  id: string;
  alarmId: string;
  deviceId: string;
  schoolId: string;
  kind: AlarmKind;
  drill: boolean;
  note?: string;
  location?: { lat: number; lng: number };
  raisedAt: number;
  receivedAt: number;
  shownAt?: number;
  acknowledgedAt?: number;
  acknowledgedBy?: OperatorRef;
  state: AlarmState;
  /** The school asked to withdraw the alarm (an officer still has to confirm). */
  cancelRequest?: { reason: string; at: number };
  /** Sequence number of the last record that changed this incident. */
  seq: number;
}

export interface DeviceFault {
  kind: DeviceFaultKind;
  openedAt: number;
  acknowledgedAt?: number;
  acknowledgedBy?: OperatorRef;
}

/** What the journal knows of a terminal: reachability and its open faults. */
export interface DeviceState {
  deviceId: string;
  online: boolean;
  /** When it last went online or offline. */
  since: number;
  faults: Partial<Record<DeviceFaultKind, DeviceFault>>;
}

export interface StationState {
  /** Highest sequence number folded in. */
  seq: number;
  incidents: Readonly<Record<string, Incident>>;
  /** `${deviceId}/${alarmId}` → incidentId: the idempotency index. */
  alarmIndex: Readonly<Record<string, string>>;
  /** Terminals that ever had a supervision event (absent = never faulted, presumed fine). */
  devices: Readonly<Record<string, DeviceState>>;
  /** Last reported state of each patrol unit. */
  units: Readonly<Record<string, { state: UnitState; since: number }>>;
}

export const emptyState: StationState = { seq: 0, incidents: {}, alarmIndex: {}, devices: {}, units: {} };

export const alarmKey = (deviceId: string, alarmId: string): string => `${deviceId}/${alarmId}`;

export type Check = { ok: true } | { ok: false; message: string };

/**
 * Whether `event` may be appended to `state`. The core asks this before it writes, so an
 * impossible transition never reaches the journal; the reducer can then trust the log.
 */
export function checkEvent(state: StationState, event: StationEvent): Check {
  switch (event.type) {
    case 'alarm.received': {
      if (state.incidents[event.incidentId]) return { ok: false, message: `incident ${event.incidentId} already exists` };
      const existing = state.alarmIndex[alarmKey(event.deviceId, event.alarmId)];
      if (existing) return { ok: false, message: `alarm ${event.alarmId} of ${event.deviceId} is already incident ${existing}` };
      return { ok: true };
    }
    case 'incident.shown': {
      const inc = state.incidents[event.incidentId];
      if (!inc) return { ok: false, message: `no incident ${event.incidentId}` };
      if (inc.shownAt !== undefined) return { ok: false, message: `incident ${event.incidentId} was already shown` };
      return { ok: true };
    }
    case 'incident.acknowledged': {
      const inc = state.incidents[event.incidentId];
      if (!inc) return { ok: false, message: `no incident ${event.incidentId}` };
      if (inc.acknowledgedAt !== undefined) {
        return { ok: false, message: `incident ${event.incidentId} was already acknowledged by ${inc.acknowledgedBy?.displayName ?? '?'}` };
      }
      return { ok: true };
    }
    case 'alarm.cancel_requested': {
      const inc = state.incidents[event.incidentId];
      if (!inc) return { ok: false, message: `no incident ${event.incidentId}` };
      if (inc.state === 'resolved') return { ok: false, message: `incident ${event.incidentId} is already resolved` };
      return { ok: true };
    }
    case 'device.offline':
      return state.devices[event.deviceId]?.online === false ? { ok: false, message: `${event.deviceId} is already offline` } : { ok: true };
    case 'device.online':
      return state.devices[event.deviceId]?.online === false ? { ok: true } : { ok: false, message: `${event.deviceId} is not offline` };
    case 'device.tamper': {
      const open = state.devices[event.deviceId]?.faults.tamper !== undefined;
      return open === event.tamper ? { ok: false, message: `${event.deviceId} tamper is already ${event.tamper ? 'raised' : 'clear'}` } : { ok: true };
    }
    case 'device.fault_acknowledged': {
      const f = state.devices[event.deviceId]?.faults[event.fault];
      if (!f) return { ok: false, message: `${event.deviceId} has no open ${event.fault} fault` };
      if (f.acknowledgedAt !== undefined) return { ok: false, message: `the ${event.fault} fault of ${event.deviceId} was already acknowledged by ${f.acknowledgedBy?.displayName ?? '?'}` };
      return { ok: true };
    }
    case 'unit.status':
      return { ok: true };
    default:
      return missingCase(event);
  }
}

function withDevice(state: StationState, seq: number, deviceId: string, at: number, change: (d: DeviceState) => DeviceState): StationState {
  const d = state.devices[deviceId] ?? { deviceId, online: true, since: at, faults: {} };
  return { ...state, seq, devices: { ...state.devices, [deviceId]: change(d) } };
}

function withoutFault(faults: DeviceState['faults'], kind: DeviceFaultKind): DeviceState['faults'] {
  const next = { ...faults };
  delete next[kind];
  return next;
}

function withIncident(state: StationState, seq: number, inc: Incident): StationState {
  return { ...state, seq, incidents: { ...state.incidents, [inc.id]: inc } };
}

/** Folds one record. Records that do not apply (see checkEvent) leave the state as it was, but advance seq. */
export function applyRecord(state: StationState, record: JournalRecord): StationState {
  const { seq, event } = record;
  if (seq <= state.seq) return state; // already folded: replicas may see a record twice
  if (!checkEvent(state, event).ok) return { ...state, seq };
  switch (event.type) {
    case 'alarm.received': {
      const inc: Incident = {
        id: event.incidentId,
        alarmId: event.alarmId,
        deviceId: event.deviceId,
        schoolId: event.schoolId,
        kind: event.kind,
        drill: event.drill,
        raisedAt: event.raisedAt,
        receivedAt: event.at,
        state: 'received',
        seq,
        ...(event.note !== undefined ? { note: event.note } : {}),
        ...(event.location !== undefined ? { location: event.location } : {}),
      };
      const next = withIncident(state, seq, inc);
      return { ...next, alarmIndex: { ...state.alarmIndex, [alarmKey(event.deviceId, event.alarmId)]: inc.id } };
    }
    case 'incident.shown': {
      const inc = state.incidents[event.incidentId]!;
      return withIncident(state, seq, { ...inc, shownAt: event.at, seq });
    }
    case 'incident.acknowledged': {
      const inc = state.incidents[event.incidentId]!;
      return withIncident(state, seq, {
        ...inc,
        acknowledgedAt: event.at,
        acknowledgedBy: event.operator,
        state: inc.state === 'received' ? 'acknowledged' : inc.state,
        seq,
      });
    }
    case 'alarm.cancel_requested': {
      const inc = state.incidents[event.incidentId]!;
      return withIncident(state, seq, { ...inc, cancelRequest: { reason: event.reason, at: event.at }, seq });
    }
    case 'device.offline':
      return withDevice(state, seq, event.deviceId, event.at, (d) => ({
        ...d,
        online: false,
        since: event.at,
        faults: { ...d.faults, offline: { kind: 'offline', openedAt: event.at } },
      }));
    case 'device.online':
      return withDevice(state, seq, event.deviceId, event.at, (d) => ({ ...d, online: true, since: event.at, faults: withoutFault(d.faults, 'offline') }));
    case 'device.tamper':
      return withDevice(state, seq, event.deviceId, event.at, (d) => ({
        ...d,
        faults: event.tamper ? { ...d.faults, tamper: { kind: 'tamper', openedAt: event.at } } : withoutFault(d.faults, 'tamper'),
      }));
    case 'device.fault_acknowledged':
      return withDevice(state, seq, event.deviceId, event.at, (d) => ({
        ...d,
        faults: { ...d.faults, [event.fault]: { ...d.faults[event.fault]!, acknowledgedAt: event.at, acknowledgedBy: event.operator } },
      }));
    case 'unit.status':
      return { ...state, seq, units: { ...state.units, [event.unitId]: { state: event.state, since: event.at } } };
    default:
      return missingCase(event);
  }
}

export function foldRecords(records: Iterable<JournalRecord>, from: StationState = emptyState): StationState {
  let s = from;
  for (const r of records) s = applyRecord(s, r);
  return s;
}

/** 接警用时: received → acknowledged, in ms; undefined while unacknowledged. */
export function ackIntervalMs(inc: Incident): number | undefined {
  return inc.acknowledgedAt === undefined ? undefined : inc.acknowledgedAt - inc.receivedAt;
}

export const isUnacknowledged = (inc: Incident): boolean => inc.acknowledgedAt === undefined;

/** Queue rank: unacknowledged real alarms, then drills, then test presses, then everything acknowledged. */
function queueRank(i: Incident): number {
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
    return b.receivedAt - a.receivedAt || b.seq - a.seq;
  });
}

export interface OpenFault extends DeviceFault {
  deviceId: string;
}

/** Every open device fault, unacknowledged first, then oldest first. */
export function openFaults(state: StationState): OpenFault[] {
  return Object.values(state.devices)
    .flatMap((d) => Object.values(d.faults).map((f) => ({ ...f, deviceId: d.deviceId })))
    .sort((a, b) => Number(a.acknowledgedAt !== undefined) - Number(b.acknowledgedAt !== undefined) || a.openedAt - b.openedAt);
}

// shared/ — the incident reducer: a pure fold of journal records into incidents.
// Used by the core (authoritative state), by every console (its Dexie replica) and later by drill replay.
import type { AlarmKind, AlarmState, UnitState } from './protocol';
import { missingCase, type DeviceFaultKind, type Disposition, type JournalRecord, type OperatorRef, type StationEvent } from './events';

/** One unit sent to one incident, and how far it got. */
export interface Dispatch {
  unitId: string;
  mode: 'device' | 'radio';
  dispatchedAt: number;
  dispatchedBy: OperatorRef;
  acceptedAt?: number;
  enRouteAt?: number;
  onSceneAt?: number;
  declinedAt?: number;
  declineReason?: string;
  cancelledAt?: number;
  cancelReason?: string;
  /** The incident was resolved while this unit was on it: the job is over, the unit is free. */
  releasedAt?: number;
}

export const isActiveDispatch = (d: Dispatch): boolean => d.cancelledAt === undefined && d.declinedAt === undefined && d.releasedAt === undefined;

/** One line of an incident's timeline, as recorded. */
export interface TimelineEntry {
  at: number;
  type: StationEvent['type'];
  by?: string;
  unitId?: string;
  detail?: string;
}

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
  /** Who has the incident now: the acknowledging officer, or whoever took it over. */
  handler?: OperatorRef;
  escalatedAt?: number;
  notes: { at: number; operator: OperatorRef; text: string; kind: 'note' | 'callback' }[];
  dispatches: Dispatch[];
  resolvedAt?: number;
  resolvedBy?: OperatorRef;
  disposition?: Disposition;
  resolutionNote?: string;
  reopenedAt?: number;
  timeline: TimelineEntry[];
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
  /** unitId → the open incident it is actively dispatched to. */
  assignments: Readonly<Record<string, string>>;
}

export const emptyState: StationState = { seq: 0, incidents: {}, alarmIndex: {}, devices: {}, units: {}, assignments: {} };

const isResolved = (i: Incident): boolean => i.resolvedAt !== undefined;

/** The protocol's alarm:status state, derived from what has happened. */
export function deriveState(i: Pick<Incident, 'resolvedAt' | 'dispatches' | 'acknowledgedAt'>): AlarmState {
  if (i.resolvedAt !== undefined) return 'resolved';
  // Only units still on the job count: a withdrawn unit that had arrived no longer makes it "on scene".
  if (i.dispatches.some((d) => isActiveDispatch(d) && d.onSceneAt !== undefined)) return 'on_scene';
  if (i.dispatches.some(isActiveDispatch)) return 'dispatched';
  return i.acknowledgedAt !== undefined ? 'acknowledged' : 'received';
}

const activeDispatchOf = (i: Incident, unitId: string): Dispatch | undefined => i.dispatches.find((d) => d.unitId === unitId && isActiveDispatch(d));

export const alarmKey = (deviceId: string, alarmId: string): string => `${deviceId}/${alarmId}`;

export type Check = { ok: true } | { ok: false; message: string };

/**
 * Whether `event` may be appended to `state`. The core asks this before it writes, so an
 * impossible transition never reaches the journal; the reducer can then trust the log.
 */
export function checkEvent(state: StationState, event: StationEvent): Check {
  if (isLifecycleEvent(event)) {
    const inc = state.incidents[event.incidentId];
    return inc ? checkLifecycle(state, inc, event) : { ok: false, message: `no incident ${event.incidentId}` };
  }
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
      if (isResolved(inc)) return { ok: false, message: `incident ${event.incidentId} is resolved` };
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

type LifecycleEvent = Exclude<Extract<StationEvent, { incidentId: string }>, { type: 'alarm.received' | 'incident.shown' | 'incident.acknowledged' }>;

/** Every step after the alarm is taken, handled by checkLifecycle/applyLifecycle. */
const LIFECYCLE_TYPES: ReadonlySet<string> = new Set<LifecycleEvent['type']>([
  'alarm.cancel_requested', 'incident.called_back', 'incident.note', 'incident.taken_over', 'incident.dispatched', 'dispatch.accepted',
  'dispatch.declined', 'dispatch.cancelled', 'dispatch.progress', 'incident.resolved', 'incident.reopened', 'incident.escalated',
]);
const isLifecycleEvent = (e: StationEvent): e is LifecycleEvent => LIFECYCLE_TYPES.has(e.type);

const no = (message: string): Check => ({ ok: false, message });

/** The incident state machine: which lifecycle step may follow which. */
function checkLifecycle(state: StationState, inc: Incident, e: LifecycleEvent): Check {
  const id = inc.id;
  const open = !isResolved(inc);
  switch (e.type) {
    case 'alarm.cancel_requested':
    case 'incident.called_back':
      return open ? { ok: true } : no(`incident ${id} is already resolved`);
    case 'incident.note':
      return e.text.trim() === '' ? no('a note needs text') : { ok: true };
    case 'incident.taken_over':
      if (!open) return no(`incident ${id} is resolved`);
      if (inc.acknowledgedAt === undefined) return no(`incident ${id} is not acknowledged yet: acknowledge it instead`);
      return inc.handler?.username === e.operator.username ? no(`you already handle incident ${id}`) : { ok: true };
    case 'incident.dispatched': {
      if (!open) return no(`incident ${id} is resolved`);
      if (inc.acknowledgedAt === undefined) return no(`acknowledge incident ${id} before dispatching`);
      if (activeDispatchOf(inc, e.unitId)) return no(`unit ${e.unitId} is already dispatched to incident ${id}`);
      const elsewhere = state.assignments[e.unitId];
      return elsewhere ? no(`unit ${e.unitId} is assigned to incident ${elsewhere}; withdraw it there first`) : { ok: true };
    }
    case 'dispatch.accepted':
    case 'dispatch.declined': {
      if (!open) return no(`incident ${id} is resolved`);
      const d = activeDispatchOf(inc, e.unitId);
      if (!d) return no(`unit ${e.unitId} has no active dispatch to incident ${id}`);
      return d.acceptedAt !== undefined ? no(`unit ${e.unitId} already accepted incident ${id}`) : { ok: true };
    }
    case 'dispatch.cancelled':
      return activeDispatchOf(inc, e.unitId) ? { ok: true } : no(`unit ${e.unitId} has no active dispatch to incident ${id}`);
    case 'dispatch.progress': {
      const d = activeDispatchOf(inc, e.unitId);
      if (!d || !open) return no(`unit ${e.unitId} was not dispatched to open incident ${id}`);
      if (d.onSceneAt !== undefined) return no(`unit ${e.unitId} is already on scene`);
      return e.state === 'en_route' && d.enRouteAt !== undefined ? no(`unit ${e.unitId} is already en route`) : { ok: true };
    }
    case 'incident.resolved':
      if (!open) return no(`incident ${id} is already resolved`);
      return inc.acknowledgedAt === undefined ? no(`acknowledge incident ${id} before resolving it`) : { ok: true };
    case 'incident.reopened':
      return open ? no(`incident ${id} is not resolved`) : { ok: true };
    case 'incident.escalated':
      return inc.acknowledgedAt === undefined && inc.escalatedAt === undefined && open ? { ok: true } : no(`incident ${id} cannot be escalated now`);
    default:
      return missingCase(e);
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

function updateDispatch(inc: Incident, unitId: string, change: (d: Dispatch) => Dispatch): Dispatch[] {
  let done = false;
  return inc.dispatches.map((d) => {
    if (done || d.unitId !== unitId || !isActiveDispatch(d)) return d;
    done = true;
    return change(d);
  });
}

function without(assignments: StationState['assignments'], pred: (unitId: string, incidentId: string) => boolean): StationState['assignments'] {
  return Object.fromEntries(Object.entries(assignments).filter(([u, i]) => !pred(u, i)));
}

function applyLifecycle(state: StationState, seq: number, inc: Incident, e: LifecycleEvent): StationState {
  const by = 'operator' in e && e.operator ? e.operator.displayName : undefined;
  const entry: TimelineEntry = { at: e.at, type: e.type, ...(by ? { by } : {}), ...('unitId' in e ? { unitId: e.unitId } : {}) };
  let next: Incident = { ...inc, seq };
  let assignments = state.assignments;
  switch (e.type) {
    case 'alarm.cancel_requested':
      next.cancelRequest = { reason: e.reason, at: e.at };
      entry.detail = e.reason;
      break;
    case 'incident.note':
    case 'incident.called_back': {
      const text = e.type === 'incident.note' ? e.text : e.outcome;
      next.notes = [...inc.notes, { at: e.at, operator: e.operator, text, kind: e.type === 'incident.note' ? 'note' : 'callback' }];
      entry.detail = text;
      break;
    }
    case 'incident.taken_over':
      next.handler = e.operator;
      entry.detail = e.from.displayName;
      break;
    case 'incident.dispatched':
      next.dispatches = [...inc.dispatches, { unitId: e.unitId, mode: e.mode, dispatchedAt: e.at, dispatchedBy: e.operator }];
      assignments = { ...assignments, [e.unitId]: inc.id };
      entry.detail = e.mode;
      break;
    case 'dispatch.accepted':
      next.dispatches = updateDispatch(inc, e.unitId, (d) => ({ ...d, acceptedAt: e.at }));
      break;
    case 'dispatch.declined':
      next.dispatches = updateDispatch(inc, e.unitId, (d) => ({ ...d, declinedAt: e.at, declineReason: e.reason }));
      assignments = without(assignments, (u, i) => u === e.unitId && i === inc.id);
      entry.detail = e.reason;
      break;
    case 'dispatch.cancelled':
      next.dispatches = updateDispatch(inc, e.unitId, (d) => ({ ...d, cancelledAt: e.at, cancelReason: e.reason }));
      assignments = without(assignments, (u, i) => u === e.unitId && i === inc.id);
      entry.detail = e.reason;
      break;
    case 'dispatch.progress':
      // A unit that reports progress has accepted the job, even if its ack was lost.
      next.dispatches = updateDispatch(inc, e.unitId, (d) => ({
        ...d,
        acceptedAt: d.acceptedAt ?? e.at,
        ...(e.state === 'en_route' ? { enRouteAt: e.at } : { enRouteAt: d.enRouteAt ?? e.at, onSceneAt: e.at }),
      }));
      entry.detail = e.state;
      break;
    case 'incident.resolved':
      next = { ...next, resolvedAt: e.at, resolvedBy: e.operator, disposition: e.disposition, resolutionNote: e.note };
      // Resolution ends every unit's job on it; a reopened incident is dispatched afresh.
      next.dispatches = inc.dispatches.map((d) => (isActiveDispatch(d) ? { ...d, releasedAt: e.at } : d));
      // The units are free for other jobs once the incident is closed.
      assignments = without(assignments, (_u, i) => i === inc.id);
      entry.detail = e.disposition;
      break;
    case 'incident.reopened': {
      const { resolvedAt: _r, resolvedBy: _b, disposition: _d, resolutionNote: _n, ...rest } = next;
      next = { ...rest, reopenedAt: e.at };
      entry.detail = e.reason;
      break;
    }
    case 'incident.escalated':
      next.escalatedAt = e.at;
      break;
    default:
      return missingCase(e);
  }
  next.state = deriveState(next);
  next.timeline = [...inc.timeline, entry];
  return { ...state, seq, incidents: { ...state.incidents, [inc.id]: next }, assignments };
}

function withIncident(state: StationState, seq: number, inc: Incident): StationState {
  return { ...state, seq, incidents: { ...state.incidents, [inc.id]: inc } };
}

/** Folds one record. Records that do not apply (see checkEvent) leave the state as it was, but advance seq. */
export function applyRecord(state: StationState, record: JournalRecord): StationState {
  const { seq, event } = record;
  if (seq <= state.seq) return state; // already folded: replicas may see a record twice
  if (!checkEvent(state, event).ok) return { ...state, seq };
  if (isLifecycleEvent(event)) return applyLifecycle(state, seq, state.incidents[event.incidentId]!, event);
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
        notes: [],
        dispatches: [],
        timeline: [{ at: event.at, type: event.type, detail: event.kind }],
        seq,
        ...(event.note !== undefined ? { note: event.note } : {}),
        ...(event.location !== undefined ? { location: event.location } : {}),
      };
      const next = withIncident(state, seq, inc);
      return { ...next, alarmIndex: { ...state.alarmIndex, [alarmKey(event.deviceId, event.alarmId)]: inc.id } };
    }
    case 'incident.shown': {
      const inc = state.incidents[event.incidentId]!;
      return withIncident(state, seq, { ...inc, shownAt: event.at, timeline: [...inc.timeline, { at: event.at, type: event.type, by: event.operator.displayName }], seq });
    }
    case 'incident.acknowledged': {
      const inc = state.incidents[event.incidentId]!;
      return withIncident(state, seq, {
        ...inc,
        acknowledgedAt: event.at,
        acknowledgedBy: event.operator,
        handler: event.operator,
        state: inc.state === 'received' ? 'acknowledged' : inc.state,
        timeline: [...inc.timeline, { at: event.at, type: event.type, by: event.operator.displayName }],
        seq,
      });
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
  return Object.values(state.devices)
    .flatMap((d) => Object.values(d.faults).map((f) => ({ ...f, deviceId: d.deviceId })))
    .sort((a, b) => Number(a.acknowledgedAt !== undefined) - Number(b.acknowledgedAt !== undefined) || a.openedAt - b.openedAt);
}

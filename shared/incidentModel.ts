// shared/ — the incident model: what the reducer folds the journal into (incidents, devices, units), and the
// few facts derived from one incident. Pure; imported by the rules, the fold, the snapshot and the console view.
import type { AlarmKind, AlarmState, UnitState } from './protocol';
import type { AreaClass } from './model';
import type { DeviceFaultKind, Disposition, OperatorRef, StationEvent } from './events';

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
  /** Pressed in its school's announced drill window (an expected drill); a drill without it was not announced. */
  drillWindowId?: string;
  /** The school's area class when the alarm came (AlarmReceived.area): its on-scene target; absent in older records. */
  area?: AreaClass;
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
  /** Why the officer resolved against the incident's nature (incident.resolved's override). */
  overrideReason?: string;
  reopenedAt?: number;
  /** Further presses from the same terminal while this incident was open (each journalled as alarm.repeated). */
  repeats?: number;
  lastRepeatAt?: number;
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

/**
 * The folded state. Every collection keyed by an id from outside is a Map: an id such as `__proto__` or
 * `constructor` is an ordinary key there, never a property of Object.prototype.
 */
export interface StationState {
  /** Highest sequence number folded in. */
  seq: number;
  incidents: ReadonlyMap<string, Incident>;
  /** `${deviceId}/${alarmId}` → incidentId: the idempotency index. */
  alarmIndex: ReadonlyMap<string, string>;
  /** Terminals that ever had a supervision event (absent = never faulted, presumed fine). */
  devices: ReadonlyMap<string, DeviceState>;
  /** Last reported state of each patrol unit. */
  units: ReadonlyMap<string, { state: UnitState; since: number }>;
  /** unitId → the open incident it is actively dispatched to. */
  assignments: ReadonlyMap<string, string>;
}

export const emptyState: StationState = Object.freeze({
  seq: 0,
  incidents: new Map(),
  alarmIndex: new Map(),
  devices: new Map(),
  units: new Map(),
  assignments: new Map(),
});

/** The protocol's alarm:status state, derived from what has happened. */
export function deriveState(i: Pick<Incident, 'resolvedAt' | 'dispatches' | 'acknowledgedAt'>): AlarmState {
  if (i.resolvedAt !== undefined) return 'resolved';
  // Only units still on the job count: a withdrawn unit that had arrived no longer makes it "on scene".
  if (i.dispatches.some((d) => isActiveDispatch(d) && d.onSceneAt !== undefined)) return 'on_scene';
  if (i.dispatches.some(isActiveDispatch)) return 'dispatched';
  return i.acknowledgedAt !== undefined ? 'acknowledged' : 'received';
}

export const alarmKey = (deviceId: string, alarmId: string): string => `${deviceId}/${alarmId}`;

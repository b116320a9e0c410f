// shared/ — the station's event log: every fact the core records, as journal records.
// The journal is the spine: incidents, response times and console replicas are folds of it.
import type { AlarmKind, UnitState } from './protocol';

export const ROLES = ['officer', 'chief', 'trainer', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export interface OperatorRef {
  username: string;
  displayName: string;
  role: Role;
}

export interface AlarmReceived {
  type: 'alarm.received';
  at: number;
  incidentId: string;
  deviceId: string;
  schoolId: string;
  alarmId: string;
  kind: AlarmKind;
  drill: boolean;
  note?: string;
  location?: { lat: number; lng: number };
  /** The terminal's clock when the button was pressed. */
  raisedAt: number;
}

/** First render of the incident on any console. */
export interface IncidentShown {
  type: 'incident.shown';
  at: number;
  incidentId: string;
  operator: OperatorRef;
}

/** 接警: a named officer has taken the alarm. */
export interface IncidentAcknowledged {
  type: 'incident.acknowledged';
  at: number;
  incidentId: string;
  operator: OperatorRef;
}

/** The school asks to withdraw an alarm pressed by mistake. Never closes the incident by itself. */
export interface CancelRequested {
  type: 'alarm.cancel_requested';
  at: number;
  incidentId: string;
  reason: string;
}

export type DeviceFaultKind = 'offline' | 'tamper';

/** A terminal silent for 3 heartbeat intervals. */
export interface DeviceOffline {
  type: 'device.offline';
  at: number;
  deviceId: string;
  lastSeenAt: number;
}
/** The terminal is heard from again: its offline fault clears. */
export interface DeviceOnline {
  type: 'device.online';
  at: number;
  deviceId: string;
}
/** The terminal reports its case opened (tamper: true) or closed again (tamper: false). */
export interface DeviceTamper {
  type: 'device.tamper';
  at: number;
  deviceId: string;
  tamper: boolean;
}
/** An officer has seen a device fault; silences its sound, the fault stays until it clears. */
export interface DeviceFaultAcknowledged {
  type: 'device.fault_acknowledged';
  at: number;
  deviceId: string;
  fault: DeviceFaultKind;
  operator: OperatorRef;
}

/** A patrol unit reports its state (available, busy …). Positions are live only, not journalled. */
export interface UnitStatusChanged {
  type: 'unit.status';
  at: number;
  unitId: string;
  state: UnitState;
  /** The unit's own clock. */
  reportedAt: number;
}

export type StationEvent =
  | AlarmReceived
  | IncidentShown
  | IncidentAcknowledged
  | CancelRequested
  | DeviceOffline
  | DeviceOnline
  | DeviceTamper
  | DeviceFaultAcknowledged
  | UnitStatusChanged;
export type StationEventType = StationEvent['type'];

/** One line of the journal. `seq` starts at 1 and has no gaps. */
export interface JournalRecord {
  seq: number;
  event: StationEvent;
}

/** Signal's missingCaseError: makes a non-exhaustive switch a type error and a loud runtime error. */
export function missingCase(x: never): never {
  throw new Error(`unhandled case: ${JSON.stringify(x)}`);
}

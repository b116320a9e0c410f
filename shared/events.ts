// shared/ — the station's event log: every fact the core records, as journal records.
// The journal is the spine: incidents, response times and console replicas are folds of it.
import type { AlarmKind } from './protocol';

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

export type StationEvent = AlarmReceived | IncidentShown | IncidentAcknowledged;
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

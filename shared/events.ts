// shared/ — the station's event log: every fact the core records, as journal records.
// The journal is the spine: incidents, response times and console replicas are folds of it.
import type { AreaClass } from './model';
import type { AlarmKind, UnitState } from './protocol';

/** `county`: the county command centre (县局指挥中心), which sees every station (shared/stations.ts). */
export const ROLES = ['officer', 'chief', 'trainer', 'admin', 'county'] as const;
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
  /** Pressed in its school's announced drill window (drill_window.registered): an expected drill. */
  drillWindowId?: string;
  /**
   * The school's area class when the alarm came (its on-scene target): a school reclassified later does not change
   * how its past incidents were judged. Absent in records written before it was kept (then: the school's now).
   */
  area?: AreaClass;
}

/**
 * Further presses from a terminal whose incident is still open: each press is journalled (its alarmId
 * becomes idempotent like any other) and counted on that incident instead of burying the queue under
 * thousands of cards. Presses arriving together share one record (one fsync).
 */
export interface AlarmRepeated {
  type: 'alarm.repeated';
  at: number;
  incidentId: string;
  deviceId: string;
  alarmIds: string[];
}

/**
 * Stands in, in memory only, for a journal line the core could not read (damage, or a record type of a newer
 * build): it keeps the sequence without gaps, so consoles keep following, and changes nothing.
 */
export interface JournalUnreadable {
  type: 'journal.unreadable';
  at: number;
  /** Line of the journal file. */
  line: number;
  detail: string;
}

/**
 * Stands in, on the wire only, for a record of another station (shared/stations.ts): a console of one station gets
 * this in its place, so its numbering has no gap and nothing of the record reaches it. Never journalled.
 */
export interface RecordWithheld {
  type: 'record.withheld';
  at: number;
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

export const DEVICE_FAULT_KINDS = ['offline', 'tamper', 'test_overdue'] as const;
/** offline: silent for 3 heartbeats; tamper: case opened; test_overdue: no test press for the configured days. */
export type DeviceFaultKind = (typeof DEVICE_FAULT_KINDS)[number];

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
/**
 * The school has not test-pressed its terminal for the configured number of days (STATION_TEST_OVERDUE_DAYS):
 * a device fault, cleared by the next test press.
 */
export interface DeviceTestOverdue {
  type: 'device.test_overdue';
  at: number;
  deviceId: string;
  /** The last test press the station knows of; absent when it knows of none. */
  lastTestPressAt?: number;
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

// --- the incident lifecycle (优先受理、优先出警): every step carries who did it ---

export const DISPOSITIONS = ['real', 'false_alarm', 'test', 'drill', 'cancelled_by_school'] as const;
export type Disposition = (typeof DISPOSITIONS)[number];

export interface IncidentNote {
  type: 'incident.note';
  at: number;
  incidentId: string;
  operator: OperatorRef;
  text: string;
}
/** 回拨: the officer called the school back. */
export interface IncidentCalledBack {
  type: 'incident.called_back';
  at: number;
  incidentId: string;
  operator: OperatorRef;
  outcome: string;
}
/** Explicitly taking over an incident another officer handles. */
export interface IncidentTakenOver {
  type: 'incident.taken_over';
  at: number;
  incidentId: string;
  operator: OperatorRef;
  from: OperatorRef;
}
/** 派警: a unit assigned. `device` goes to the unit's terminal over /unit; `radio` is recorded by the officer. */
export interface IncidentDispatched {
  type: 'incident.dispatched';
  at: number;
  incidentId: string;
  operator: OperatorRef;
  unitId: string;
  mode: 'device' | 'radio';
}
/** The unit accepted (its device acked the dispatch, or the officer heard it on the radio). */
export interface DispatchAccepted {
  type: 'dispatch.accepted';
  at: number;
  incidentId: string;
  unitId: string;
  /** Set when an officer recorded it (radio); absent when the unit's device acked. */
  operator?: OperatorRef;
}
/** The unit's device answered the dispatch with { ok: false, reason }. */
export interface DispatchDeclined {
  type: 'dispatch.declined';
  at: number;
  incidentId: string;
  unitId: string;
  reason: string;
}
/** The officer withdrew a unit (reassigning, or no longer needed). */
export interface DispatchCancelled {
  type: 'dispatch.cancelled';
  at: number;
  incidentId: string;
  unitId: string;
  operator: OperatorRef;
  reason: string;
}
/** A dispatched unit is on its way or has arrived (from its device, or recorded by the officer for radio units). */
export interface DispatchProgress {
  type: 'dispatch.progress';
  at: number;
  incidentId: string;
  unitId: string;
  state: 'en_route' | 'on_scene';
  operator?: OperatorRef;
}
/** 处置完毕. */
export interface IncidentResolved {
  type: 'incident.resolved';
  at: number;
  incidentId: string;
  operator: OperatorRef;
  disposition: Disposition;
  note: string;
  /** Set when the officer resolved against the incident's nature (a drill as real …): why (see dispositionConflict). */
  override?: { reason: string };
}
/**
 * A test press (kind 'test') is acknowledged and closed by the station itself, in the same write as its
 * alarm.received: no officer works it, it never sounds, and the school hears 接警 then 处置完毕 (disposition test).
 */
export interface TestAcknowledged {
  type: 'test.acknowledged';
  at: number;
  incidentId: string;
}
export interface IncidentReopened {
  type: 'incident.reopened';
  at: number;
  incidentId: string;
  operator: OperatorRef;
  reason: string;
}
/** What an administrator did (admin screen or the station CLI's file edit); the audit trail of the registry. */
export const ADMIN_ACTIONS = [
  'terminal.added',
  'token.rotated',
  'disabled',
  'enabled',
  'data.imported',
  'data.exported',
  'targets.set',
  'registry.reloaded',
  // The admin's whole job on the admin screen (issue 14): operator accounts, units, and the reference records.
  'operator.added',
  'operator.updated',
  'password.reset',
  /** The operator set a new password (after a reset or as a new account: the forced change at login). */
  'password.changed',
  'unit.added',
  'unit.updated',
  'school.added',
  'school.updated',
  'school.deleted',
  'guardPost.added',
  'guardPost.updated',
  'guardPost.deleted',
  'policeRoom.added',
  'policeRoom.updated',
  'policeRoom.deleted',
  /** A field of the settings file (docs/settings.md) saved from the admin screen or applied from the file at start: target the field, detail its new value. */
  'settings.changed',
] as const;
export type AdminActionKind = (typeof ADMIN_ACTIONS)[number];

/**
 * An administrator's action, journalled with the operator's name after it took effect: the registry and the
 * targets live in their own files, so this record is what tells later who changed what, and when. Changes no state.
 */
export interface AdminAction {
  type: 'admin.action';
  at: number;
  operator: OperatorRef;
  action: AdminActionKind;
  /** What it acted on: a device, unit or operator id, a data kind, or '' for the whole registry. */
  target: string;
  /** A short summary (counts, revoked ids), never a secret. */
  detail?: string;
}

/**
 * An officer silenced the alarm sound on their console for a while, with a reason (the keyboard's mute). Journalled
 * so the record says who silenced an alarm and why; changes no state (the console keeps its own mute).
 */
export interface SoundMuted {
  type: 'sound.muted';
  at: number;
  operator: OperatorRef;
  reason: string;
  durationMs: number;
}

/**
 * A police–education joint inspection of a school (警校联合检查, the county plan: ≥ 2 per school per semester),
 * recorded by an officer or the chief, with the hidden dangers (隐患) it found, each to be rectified by a deadline.
 * Changes no incident: the station keeps its inspections beside the state (shared/inspections.ts).
 */
export interface InspectionRecorded {
  type: 'inspection.recorded';
  at: number;
  operator: OperatorRef;
  inspectionId: string;
  schoolId: string;
  /** The day of the inspection, "YYYY-MM-DD" on the station's calendar. */
  date: string;
  /** Who inspected, for the police and for the education bureau. */
  police: string;
  education: string;
  findings: { findingId: string; text: string; deadline: string }[];
}

/** A hidden danger found by an inspection was rectified (整改完成), with what was done. */
export interface FindingClosed {
  type: 'finding.closed';
  at: number;
  operator: OperatorRef;
  inspectionId: string;
  findingId: string;
  note: string;
}

/** The kinds of drill a school holds (the county notice: chiefly earthquake and fire; anti-violence for the police). */
export const SCHOOL_DRILL_KINDS = ['earthquake', 'fire', 'anti_violence', 'other'] as const;
export type SchoolDrillKind = (typeof SCHOOL_DRILL_KINDS)[number];

/**
 * A drill the school held without pressing its alarm (学校自行组织的应急演练), registered by an officer or the
 * chief: it counts towards the plan's drills per semester beside the drill alarms. Changes no incident.
 */
export interface SchoolDrillRecorded {
  type: 'school_drill.recorded';
  at: number;
  operator: OperatorRef;
  drillId: string;
  schoolId: string;
  /** The day of the drill, "YYYY-MM-DD" on the station's calendar. */
  date: string;
  kind: SchoolDrillKind;
  note: string;
}

/**
 * A school's drill announced in advance (演练报备), by an officer or the chief: a press from that school's terminal
 * between `from` and `to` is taken as this expected drill (shown and acknowledged as a drill, with the drill tone,
 * counted for the school's drills). A drill press outside every window is flagged for the chief.
 */
export interface DrillWindowRegistered {
  type: 'drill_window.registered';
  at: number;
  operator: OperatorRef;
  windowId: string;
  schoolId: string;
  /** Epoch ms; the window is [from, to). */
  from: number;
  to: number;
  note: string;
}

/** An announced drill called off: presses in its window are no longer taken as the drill. */
export interface DrillWindowCancelled {
  type: 'drill_window.cancelled';
  at: number;
  operator: OperatorRef;
  windowId: string;
  reason: string;
}

/**
 * A guard post (护学岗) staffed (`in`) or left (`out`): checked by the officer on the console (operator), or by the
 * post's own device over /unit (unitId: its status). The plan board's actual peak coverage comes from these.
 */
export interface PostChecked {
  type: 'post.checked';
  at: number;
  postId: string;
  state: 'in' | 'out';
  operator?: OperatorRef;
  unitId?: string;
}

/** One alarm of a training run, as scored (shared/training.ts scoreRun): appeared → acknowledged, → first dispatch. */
export interface TrainingResultRow {
  schoolId: string;
  kind: AlarmKind;
  acknowledgeMs?: number;
  dispatchMs?: number;
  acknowledgeMet: boolean;
  dispatchMet: boolean;
  resolved: boolean;
}

/**
 * A training run's result (接处警训练, shared/training.ts), recorded by the console that ran it at its end: the
 * trainee, the scenario and each alarm's intervals against the targets. Its alarms were never incidents: this
 * record changes no incident and no statistic; it is kept only as the trainee's training record.
 */
/**
 * A real unit taking part in station training (shared/training.ts, main/core/trainingUnits.ts): each step of its
 * training job — sent by the trainee, answered, on its way, there, ended — with the job's id (TRN-…), never an
 * incident's. A drive in a real car is on the record; it changes no incident, no unit state and no statistic.
 */
export interface TrainingUnitRecorded {
  type: 'training.unit';
  at: number;
  /** The trainee who sent it. */
  operator: OperatorRef;
  jobId: string;
  unitId: string;
  schoolId: string;
  step: 'sent' | 'accepted' | 'declined' | 'en_route' | 'on_scene' | 'released';
  reason?: string;
}

export interface TrainingCompleted {
  type: 'training.completed';
  at: number;
  operator: OperatorRef;
  trainingId: string;
  trainee: string;
  scenario: string;
  speed: number;
  startedAt: number;
  /** Alarms and faults of the scenario not played (the run was ended early). */
  notShown: number;
  rows: TrainingResultRow[];
  /** The scenario's simulated device faults: appeared → acknowledged, against the acknowledge target. */
  faults?: TrainingResultFault[];
}

export interface TrainingResultFault {
  schoolId: string;
  kind: 'offline' | 'tamper';
  acknowledgeMs?: number;
  acknowledgeMet: boolean;
}

/** The core: the alarm was not acknowledged within its target. Every console escalates. */
export interface IncidentEscalated {
  type: 'incident.escalated';
  at: number;
  incidentId: string;
  reason: 'ack_overdue';
}

export type StationEvent =
  | AlarmReceived
  | AlarmRepeated
  | JournalUnreadable
  | RecordWithheld
  | IncidentNote
  | IncidentCalledBack
  | IncidentTakenOver
  | IncidentDispatched
  | DispatchAccepted
  | DispatchDeclined
  | DispatchCancelled
  | DispatchProgress
  | IncidentResolved
  | IncidentReopened
  | IncidentEscalated
  | TestAcknowledged
  | AdminAction
  | SoundMuted
  | InspectionRecorded
  | FindingClosed
  | SchoolDrillRecorded
  | PostChecked
  | DrillWindowRegistered
  | DrillWindowCancelled
  | TrainingCompleted
  | TrainingUnitRecorded
  | IncidentShown
  | IncidentAcknowledged
  | CancelRequested
  | DeviceOffline
  | DeviceOnline
  | DeviceTamper
  | DeviceFaultAcknowledged
  | DeviceTestOverdue
  | UnitStatusChanged;
export type StationEventType = StationEvent['type'];

/** One line of the journal. `seq` starts at 1 and has no gaps; `hash` chains it to the record before. */
export interface JournalRecord {
  seq: number;
  event: StationEvent;
  /** sha256(previous record's hash + JSON of { seq, event }), hex. */
  hash?: string;
}

/** Signal's missingCaseError: makes a non-exhaustive switch a type error and a loud runtime error. */
export function missingCase(x: never): never {
  throw new Error(`unhandled case: ${JSON.stringify(x)}`);
}

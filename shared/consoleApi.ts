// shared/ — the `/console` namespace: how a console talks to the core. Both ends import these types.
import type { AlarmReceived, JournalRecord, OperatorRef } from './events';
import type { ReferenceData } from './model';
import type { ErrorCode, Refusal, WireError } from './protocol';
import type { DataFormat, DataKind, RowError } from './dataExchange';
import type { StateSnapshot } from './incidents';

/** One terminal's health as the core sees it right now (live, not journalled except online/offline). */
export interface DeviceHealth {
  deviceId: string;
  schoolId: string;
  label: string;
  disabled: boolean;
  /** Has an open socket now. */
  connected: boolean;
  /** Supervision verdict: false once silent for 3 heartbeat intervals. */
  online: boolean;
  since?: number;
  lastSeenAt?: number;
  lastHeartbeatAt?: number;
  lastTestPressAt?: number;
  /** Station clock minus the device clock at its last heartbeat (positive: device is behind). */
  skewMs?: number;
  skewFlagged: boolean;
  battery?: number;
  powerSource?: string;
  tamper: boolean;
  refusals: Partial<Record<ErrorCode, number>>;
}

export interface ConsoleAuth {
  session: string;
  /** Highest journal seq the console already has; the core sends everything after it. */
  since: number;
}

export interface ConsoleHello {
  /** Identity of the core's journal; a replica built from a different one must be discarded. */
  journalId: string;
  operator: OperatorRef;
  reference: ReferenceData;
  serverTime: number;
  /** Problems found in the journal at start (torn tail, bad records), for a warning on the console. */
  journalProblems: string[];
}

export interface HealthChange {
  changed: DeviceHealth[];
  removed: string[];
}

/** A console's health table after a change: entries replaced in place, new ones appended, removed ones dropped. */
export function mergeHealth(current: readonly DeviceHealth[], change: HealthChange): DeviceHealth[] {
  const changed = new Map(change.changed.map((d) => [d.deviceId, d]));
  const removed = new Set(change.removed);
  const next = current.filter((d) => !removed.has(d.deviceId)).map((d) => {
    const c = changed.get(d.deviceId);
    if (c) changed.delete(d.deviceId);
    return c ?? d;
  });
  return [...next, ...changed.values()];
}

/** Tracks what was last sent to consoles, and tells what changed since (absolute values, not increments). */
export class HealthDiff {
  private sent = new Map<string, string>();

  /** The change against the last call; empty lists when nothing changed. */
  next(now: readonly DeviceHealth[]): HealthChange {
    const seen = new Map<string, string>();
    const changed: DeviceHealth[] = [];
    for (const d of now) {
      const json = JSON.stringify(d);
      seen.set(d.deviceId, json);
      if (this.sent.get(d.deviceId) !== json) changed.push(d);
    }
    const removed = [...this.sent.keys()].filter((id) => !seen.has(id));
    this.sent = seen;
    return { changed, removed };
  }

  /** Forget what was sent: the next change lists every device. */
  reset(): void {
    this.sent = new Map();
  }
}

/** A patrol unit's live position as last reported (positions are not journalled). */
export interface UnitLive {
  unitId: string;
  lat: number;
  lng: number;
  /** The unit's clock when the fix was taken. */
  at: number;
  receivedAt: number;
  heading?: number;
  speed?: number;
  connected: boolean;
}

/** Server → console events. */
export interface ConsoleServerEvents {
  hello: (h: ConsoleHello) => void;
  records: (batch: JournalRecord[]) => void;
  /** Instead of records, for a console too far behind: the state at one seq; records after it follow. */
  snapshot: (s: StateSnapshot) => void;
  record: (r: JournalRecord) => void;
  /** The journal's problems changed (a hash-chain break found by the check that runs after start). */
  journalProblems: (problems: string[]) => void;
  volatile: (alarms: AlarmReceived[]) => void;
  health: (devices: DeviceHealth[]) => void;
  /** Every 2 s, only the terminals whose health changed since the last send (and those removed). */
  healthChanged: (change: HealthChange) => void;
  units: (units: UnitLive[]) => void;
  /** The registry changed (a device added …): fresh reference data. */
  reference: (r: ReferenceData) => void;
}

/** Admin answers that carry a new secret, shown once. */
export type SecretAck = { ok: true; token: string } | Refusal;

export type CommandAck = { ok: true } | Refusal;

/**
 * A refused import: a Refusal (code invalid_payload) whose error also lists the row errors (1-based line,
 * column, reason; `omitted` counts those not listed). Nothing was changed.
 */
export interface ImportRefusal extends Refusal {
  error: WireError & { details?: RowError[]; omitted?: number };
}
/** Import applied: counts, and the tokens of new devices (id → token), shown once. */
export type ImportAck = { ok: true; kind: DataKind; added: number; updated: number; credentials: Record<string, string> } | ImportRefusal;
/** Export: the file's text and a suggested file name. */
export type ExportAck = { ok: true; text: string; filename: string } | Refusal;

/** Console → server commands, all acked. */
export interface ConsoleClientEvents {
  acknowledge: (req: { incidentId: string }, ack: (r: CommandAck) => void) => void;
  shown: (req: { incidentId: string }, ack: (r: CommandAck) => void) => void;
  acknowledgeFault: (req: { deviceId: string; fault: string }, ack: (r: CommandAck) => void) => void;
  note: (req: { incidentId: string; text: string }, ack: (r: CommandAck) => void) => void;
  callBack: (req: { incidentId: string; outcome: string }, ack: (r: CommandAck) => void) => void;
  takeOver: (req: { incidentId: string }, ack: (r: CommandAck) => void) => void;
  dispatch: (req: { incidentId: string; unitId: string }, ack: (r: CommandAck) => void) => void;
  cancelDispatch: (req: { incidentId: string; unitId: string; reason: string }, ack: (r: CommandAck) => void) => void;
  progress: (req: { incidentId: string; unitId: string; state: 'en_route' | 'on_scene' }, ack: (r: CommandAck) => void) => void;
  resolve: (req: { incidentId: string; disposition: string; note: string }, ack: (r: CommandAck) => void) => void;
  reopen: (req: { incidentId: string; reason: string }, ack: (r: CommandAck) => void) => void;
  'admin:setTargets': (req: { profile: unknown }, ack: (r: CommandAck) => void) => void;
  'admin:addTerminal': (req: { deviceId: string; schoolId: string; label: string }, ack: (r: SecretAck) => void) => void;
  'admin:rotate': (req: { id: string }, ack: (r: SecretAck) => void) => void;
  'admin:setDisabled': (req: { id: string; disabled: boolean }, ack: (r: CommandAck) => void) => void;
  /** Reference data import, all or nothing (docs/data-exchange.md). */
  'admin:import': (req: { kind: DataKind; format: DataFormat; text: string }, ack: (r: ImportAck) => void) => void;
  'admin:export': (req: { kind: DataKind; format: DataFormat }, ack: (r: ExportAck) => void) => void;
}

export interface LoginRequest {
  username: string;
  password: string;
}
export type LoginResponse = { ok: true; session: string; operator: OperatorRef } | { ok: false; error: { code: string; message: string } };

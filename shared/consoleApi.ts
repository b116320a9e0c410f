// shared/ — the `/console` namespace: how a console talks to the core. Both ends import these types.
import type { AlarmReceived, JournalRecord, OperatorRef } from './events';
import type { ReferenceData } from './model';
import type { SemesterRule } from './planBoard';
import type { ErrorCode, Refusal } from './protocol';
import type { StateSnapshot } from './incidents';
import type { TrainingAssignment, TrainingUnitUpdate } from './training';
import type { Volumes } from './stationSettings';

/** The map tiles consoles draw under the outline (the same as GET /map-config.json's `tiles`): url relative for the station's own. */
export interface ConsoleTiles {
  url: string;
  attribution: string;
  minZoom: number;
  maxZoom: number;
}

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
  /**
   * This page's id: new at each load of the console, the same over its reconnects (CONSOLE_PAGE_ID_PATTERN). What a
   * page started (a real unit's training job) is released when that page is gone, not when the operator's last
   * console is. Optional: without it, each connection is a page of its own.
   */
  page?: string;
}

/** A console page's id in ConsoleAuth: 8–64 letters, digits, '-' or '_'. */
export const CONSOLE_PAGE_ID_PATTERN = /^[A-Za-z0-9_-]{8,64}$/;

/** What every console must use as the station does, carried to it in `hello` (configured in main/core/settings.ts). */
export interface ConsoleSettings {
  /** The configured STATION_UNIT_STALE_MS: the map greys a unit and the incident panel ranks it last past this. */
  unitStaleMs: number;
  /** The station's time zone (IANA): duty windows, and every time a person reads. */
  timeZone: string;
  /** STATION_RESOLVED_LINGER_MS: how long a resolved incident stays in the live queue; absent: RESOLVED_LINGER_MS (shared/consoleView.ts). */
  resolvedLingerMs?: number;
  /** STATION_SEMESTERS: the semesters of the plan board; absent: DEFAULT_SEMESTERS (shared/planBoard.ts). */
  semesters?: SemesterRule[];
  /** The sound volumes per alarm class, 0–100 (settings file `volumes`); absent: the console's defaults. */
  volumes?: Volumes;
  /** The map tiles in force (the admin may change them live); `null` the outline only; absent: ask /map-config.json. */
  tiles?: ConsoleTiles | null;
}

export interface ConsoleHello {
  /** Identity of the core's journal; a replica built from a different one must be discarded. */
  journalId: string;
  operator: OperatorRef;
  reference: ReferenceData;
  serverTime: number;
  /** Problems found in the journal at start (torn tail, bad records), for a warning on the console. */
  journalProblems: string[];
  settings: ConsoleSettings;
}

export interface HealthChange {
  changed: DeviceHealth[];
  removed: string[];
}

/** A console's health table after a change: entries replaced in place, new ones appended, removed ones dropped. */
export function mergeHealth(current: readonly DeviceHealth[], change: HealthChange): DeviceHealth[] {
  const changed = new Map(change.changed.map((d) => [d.deviceId, d]));
  const removed = new Set(change.removed);
  const next = current
    .filter((d) => !removed.has(d.deviceId))
    .map((d) => {
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
  /** The station's settings changed (the admin screen: map source, volumes, semesters): the whole of them again. */
  settings: (s: ConsoleSettings) => void;
  /** A trainer sent this console's operator a training run (shared/training.ts): it is offered to this console only. */
  training: (a: TrainingAssignment) => void;
  /** A real unit taking part in this console's training run answered or moved (training:unitDispatch). */
  trainingUnit: (u: TrainingUnitUpdate) => void;
}

// The operator commands (console → server) and their answers: shared/consoleContract.ts. Re-exported here for
// the modules that take them with the rest of this file.
export type { CommandAck, ConsoleClientEvents, ExportAck, ImportAck, ImportRefusal, SecretAck } from './consoleContract';

export interface LoginRequest {
  username: string;
  password: string;
  /**
   * The operator's new password, when the account must change its password (a new account, or one an admin reset):
   * the login is then refused with reason `password_change_required` until it comes with one (shared/adminWire.ts).
   */
  newPassword?: string;
}
export type LoginResponse = { ok: true; session: string; operator: OperatorRef } | Refusal;

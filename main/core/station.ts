// main/ (core, Node) — the station core, assembled: one ledger (state and commit) and the parts that write
// through it, each doing one job. No sockets here: the gateways call the parts and subscribe to the ledger.
//   terminals  what school terminals send (alarms, repeat presses, heartbeats, cancels)
//   units      what patrol units send (positions, status, dispatch answers)
//   devices    liveness, supervision, rate limits, health
//   tests      test presses overdue (a device fault after the configured days)
//   operators  what officers do to incidents and faults
//   admin      registry, targets, data exchange (journalled)
//   stats      the response-time statistics (read only)
//   history    the incident history and any incident whole (read only)
//   plan       the plan board's inspections and hidden dangers
import type { JournalRecord } from '../../shared/events';
import type { Incident, StationState } from '../../shared/incidents';
import { DEFAULT_HEARTBEAT_MS, type AlarmStatus } from '../../shared/protocol';
import type { Journal } from './journal';
import { Ledger, StationRestore, type StationListener } from './ledger';
import { Liveness } from './liveness';
import { OperatorCommands } from './operatorCommands';
import type { Registry } from './registry';
import { DEFAULT_TEST_OVERDUE_DAYS } from './settings';
import { StationAdmin } from './stationAdmin';
import { StationHistory } from './stationHistory';
import { StationPlan } from './stationPlan';
import { StationScopes } from './stationScope';
import { StationStats } from './stationStats';
import { TerminalIntake } from './terminalIntake';
import { TestSupervision } from './testPresses';
import { UnitIntake } from './unitIntake';

export { StationRestore, type CommandResult, type StationListener } from './ledger';
export type { DeviceLiveness } from './liveness';
export { REPEAT_BATCH_MS, REPEATS_AT_ONCE_PER_S } from './terminalIntake';

export interface StationOptions {
  now?: () => number;
  heartbeatMs?: number;
  /** Non-alarm events a device may send per second (burst: 4×). */
  eventsPerSecond?: number;
  /** A terminal with no test press for this long raises a test_overdue fault (default 30 days). */
  testOverdueMs?: number;
  /** The station's time zone (incident ids, export file names); default STATION_TIME_ZONE. */
  timeZone?: string;
  /** The journal as folded while it was opened (large journals keep only their recent records in memory). */
  restored?: StationRestore;
}

export class Station {
  readonly ledger: Ledger;
  readonly devices: Liveness;
  readonly terminals: TerminalIntake;
  readonly tests: TestSupervision;
  readonly units: UnitIntake;
  readonly operators: OperatorCommands;
  readonly admin: StationAdmin;
  readonly stats: StationStats;
  readonly history: StationHistory;
  readonly plan: StationPlan;
  /** What each console sees of the county's stations (main/core/stationScope.ts). */
  readonly scopes: StationScopes;

  constructor(
    readonly journal: Journal,
    readonly registry: Registry,
    opts: StationOptions | (() => number) = {},
  ) {
    const o = typeof opts === 'function' ? { now: opts } : opts;
    let restored = o.restored;
    if (!restored) {
      if ((journal.records[0]?.seq ?? 1) > 1) throw new Error('this journal is larger than its in-memory window: open it with a StationRestore');
      restored = new StationRestore();
      for (const r of journal.records) restored.onRecord(r);
    }
    this.ledger = new Ledger(journal, registry, o.now ?? Date.now, restored);
    this.devices = new Liveness(this.ledger, o.heartbeatMs ?? DEFAULT_HEARTBEAT_MS, o.eventsPerSecond ?? 5);
    this.terminals = new TerminalIntake(this.ledger, this.devices, o.timeZone);
    this.tests = new TestSupervision(this.ledger, this.devices, o.testOverdueMs ?? DEFAULT_TEST_OVERDUE_DAYS * 86_400_000);
    this.scopes = new StationScopes(this.ledger);
    this.units = new UnitIntake(this.ledger, this.devices, this.scopes);
    this.operators = new OperatorCommands(this.ledger, (id) => this.terminals.isVolatile(id), this.scopes);
    this.admin = new StationAdmin(this.ledger, o.timeZone, (unitId) => this.units.isConnected(unitId));
    this.stats = new StationStats(this.ledger, o.timeZone, undefined, this.scopes);
    this.history = new StationHistory(this.ledger, undefined, o.timeZone, this.scopes);
    this.plan = new StationPlan(this.ledger, o.timeZone, this.scopes);
    // Any registry change — admin screen, CLI file edit, or a direct call — reaches the gateways at once.
    registry.onChange((revoked) => this.ledger.emit('registryChanged', revoked));
  }

  subscribe(l: StationListener): () => void {
    return this.ledger.subscribe(l);
  }
  get snapshot(): StationState {
    return this.ledger.state;
  }
  get heartbeatMs(): number {
    return this.devices.heartbeatMs;
  }
  /** Records after `seq` from the journal's recent window; undefined when older (send a snapshot instead). */
  recordsAfter(seq: number): readonly JournalRecord[] | undefined {
    return this.journal.recordsAfter(seq);
  }
  /** The alarm:status last told for an incident: the same state and time as sent live (kept across restarts). */
  statusOf(inc: Incident): AlarmStatus {
    return this.ledger.statusOf(inc);
  }
  /** Open incidents of one device, for re-sending alarm:status when it reconnects. */
  openIncidentsOf(deviceId: string): Incident[] {
    return this.ledger.openIncidentsOf(deviceId);
  }
}

// main/ (core, Node) — the ledger: the one place where events are checked, written to the journal and folded
// into the station's state, and where listeners (the gateways) hear of every change. Every part of the core
// (terminal and unit intake, operator commands, supervision, administration) writes through commit().
import { StationFold, type Incident, type StationState } from '../../shared/incidents';
import type { AlarmReceived, JournalRecord, StationEvent } from '../../shared/events';
import { alarmStatusOf, refusal, type AlarmStatus, type ErrorCode, type Refusal } from '../../shared/protocol';
import { isOpen } from '../../shared/consoleView';
import { targetChangeOf, type TargetChange } from '../../shared/targetHistory';
import { isPlanEvent, PlanBook } from '../../shared/planRecords';
import type { Journal } from './journal';
import type { Registry } from './registry';

export interface StationListener {
  /** A record was made durable and folded. */
  record?(record: JournalRecord): void;
  /** An alarm that could not be stored: shown anyway, until a retry stores it. */
  volatileChanged?(alarms: readonly AlarmReceived[]): void;
  /** Something the school's terminal should hear about its alarm. */
  alarmStatus?(deviceId: string, status: AlarmStatus): void;
  /** The registry changed; these devices/units were rotated, disabled or removed and must be cut off now. */
  registryChanged?(revoked: readonly string[]): void;
}

export type CommandResult = { ok: true } | Refusal;
export type CommitResult = { ok: true; records: JournalRecord[] } | Refusal;

/**
 * Folds the journal as it is read at start (openJournal's onRecord), remembering when each incident reached
 * its current state, so the alarm:status a terminal hears after a restart is the very one it heard live.
 */
export class StationRestore {
  readonly fold: StationFold;
  readonly lastStatus: Map<string, AlarmStatus>;
  /** Every change of the response targets (`targets.set` records), for the statistics: read once, here. */
  readonly targetChanges: TargetChange[];
  /** The plan board's records (shared/planRecords.ts), folded as read: kept beside the state, as the targets are. */
  readonly plan: PlanBook;
  /** From the start of the journal, or from a state snapshot (main/core/snapshot.ts) and the records after it. */
  constructor(from?: {
    /** The state's maps are this restore's alone (read from a snapshot file for it): taken, not copied. */
    owned?: boolean;
    state: StationState;
    lastStatus: Map<string, AlarmStatus>;
    targetChanges?: readonly TargetChange[];
    plan?: PlanBook;
  }) {
    const fold = new StationFold(from?.state);
    this.fold = (from?.owned ? fold.adopt() : fold).own().restoring();
    this.lastStatus = from?.lastStatus ?? new Map();
    this.targetChanges = [...(from?.targetChanges ?? [])];
    this.plan = from?.plan ?? new PlanBook();
  }
  readonly onRecord = (r: JournalRecord): void => {
    const e = r.event;
    const id = 'incidentId' in e ? e.incidentId : undefined;
    const before = id !== undefined ? this.fold.peek(id)?.state : undefined;
    this.fold.apply(r);
    const change = targetChangeOf(e);
    if (change) this.targetChanges.push(change);
    if (isPlanEvent(e)) this.plan.apply(e);
    const inc = id !== undefined ? this.fold.peek(id) : undefined;
    if (inc && inc.state !== before) this.lastStatus.set(inc.id, alarmStatusOf(inc, e.at));
  };
}

/** The events after which an incident may have opened or closed (the open index is updated). */
const OPENS_OR_CLOSES: ReadonlySet<string> = new Set<StationEvent['type']>(['alarm.received', 'incident.resolved', 'incident.reopened', 'test.acknowledged']);

export class Ledger {
  private readonly sf: StationFold;
  private readonly listeners = new Set<StationListener>();
  private readonly lastStatus = new Map<string, AlarmStatus>();
  /** Unresolved incidents by device: a flood's repeats find their incident without scanning a year of them. */
  private readonly openByDevice = new Map<string, Set<string>>();
  /** The target changes journalled so far (restored, then as committed), in journal order. */
  private readonly changes: TargetChange[];
  /** The plan board's records so far (inspections, registered drills, drill windows, post shifts, outages). */
  readonly plan: PlanBook;

  constructor(
    readonly journal: Journal,
    readonly registry: Registry,
    readonly now: () => number,
    restored: StationRestore,
  ) {
    this.sf = restored.fold;
    this.changes = [...restored.targetChanges];
    this.plan = restored.plan;
    for (const [k, v] of restored.lastStatus) this.lastStatus.set(k, v);
    for (const inc of this.state.incidents.values()) if (isOpen(inc)) this.trackOpen(inc);
  }

  /** The folded state: a live view, changed in place by every commit (nobody else keeps it). */
  get state(): StationState {
    return this.sf.state;
  }

  subscribe(l: StationListener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  emit<K extends keyof StationListener>(k: K, ...args: Parameters<NonNullable<StationListener[K]>>): void {
    for (const l of this.listeners) {
      try {
        (l[k] as ((...a: typeof args) => void) | undefined)?.(...args);
      } catch (e) {
        console.error(`station: listener ${k} failed:`, e);
      }
    }
  }

  /**
   * Checks and appends events as one batch, all or nothing: each must follow the state with the ones before it
   * (else `refuseAs`, nothing written), then one write and one fsync for all (else not_durable, nothing
   * written). A command of two events (a radio dispatch and its acceptance) is never half stored.
   */
  commit(events: StationEvent | readonly StationEvent[], refuseAs: ErrorCode = 'forbidden'): CommitResult {
    const list = Array.isArray(events) ? (events as readonly StationEvent[]) : [events as StationEvent];
    const probe = StationFold.probe(this.state);
    for (const e of list) {
      const check = probe.tryApply(e);
      if (!check.ok) return refusal(refuseAs, check.message, check.reason);
    }
    let records: JournalRecord[];
    try {
      records = this.journal.appendBatch([...list]);
    } catch (e) {
      return refusal('not_durable', `could not store it: ${(e as Error).message}`);
    }
    return { ok: true, records: this.fold(records) };
  }

  /**
   * Appends, with one fsync, those of `events` that may follow one another (each checked on a probe of the state
   * with the ones before it) and returns them; throws, storing nothing, when the write fails. For supervision
   * and repeat presses, where one impossible event must not hold up the others.
   */
  commitEach(events: readonly StationEvent[]): StationEvent[] {
    const probe = StationFold.probe(this.state);
    const ok = events.filter((e) => probe.tryApply(e).ok);
    if (ok.length > 0) this.fold(this.journal.appendBatch(ok));
    return ok;
  }

  /** A supervision event: a failed write is logged and retried by the next tick or message. */
  tryCommit(events: StationEvent | readonly StationEvent[]): boolean {
    const list = Array.isArray(events) ? (events as readonly StationEvent[]) : [events as StationEvent];
    try {
      this.commitEach(list);
      return true;
    } catch (e) {
      console.error(`station: could not record ${list.map((x) => x.type).join(', ')}:`, (e as Error).message);
      return false;
    }
  }

  /** Folds durable records into the state and tells listeners, including the school's alarm:status. */
  private fold(records: JournalRecord[]): JournalRecord[] {
    for (const record of records) {
      const event = record.event;
      const before = 'incidentId' in event ? this.state.incidents.get(event.incidentId)?.state : undefined;
      this.sf.apply(record);
      const change = targetChangeOf(event);
      if (change) this.changes.push(change);
      if (isPlanEvent(event)) this.plan.apply(event);
      const inc = 'incidentId' in event ? this.state.incidents.get(event.incidentId) : undefined;
      if (inc && OPENS_OR_CLOSES.has(event.type)) this.trackOpen(inc);
      this.emit('record', record);
      // The school hears every change of its alarm's state (警方已接警, 已派警, 已到场, 处置完毕).
      // A test press taken by the station: the school hears 接警 (acknowledged), then 处置完毕 (resolved).
      if (inc && event.type === 'test.acknowledged') this.emit('alarmStatus', inc.deviceId, alarmStatusOf({ ...inc, state: 'acknowledged' }, event.at));
      if (inc && before !== undefined && inc.state !== before) this.tellSchool(inc, event.at);
    }
    return records;
  }

  /** Tells the school's terminal where its alarm stands now, and remembers it for a reconnect or restart. */
  tellSchool(inc: Incident, at: number, alarmId = inc.alarmId): void {
    const status = alarmStatusOf(inc, at, alarmId);
    if (alarmId === inc.alarmId) this.lastStatus.set(inc.id, status);
    this.emit('alarmStatus', inc.deviceId, status);
  }

  /** Every change of the response targets in the journal, in journal order (shared/targetHistory.ts). */
  get targetChanges(): readonly TargetChange[] {
    return this.changes;
  }

  /** Every incident's last alarm:status (for a state snapshot). */
  get statuses(): ReadonlyMap<string, AlarmStatus> {
    return this.lastStatus;
  }

  /** The alarm:status last told for an incident: the same state and time as sent live (kept across restarts). */
  statusOf(inc: Incident): AlarmStatus {
    const last = this.lastStatus.get(inc.id);
    return last && last.state === inc.state ? last : alarmStatusOf(inc, inc.receivedAt);
  }

  /** Open incidents of one device, for re-sending alarm:status when it reconnects. */
  openIncidentsOf(deviceId: string): Incident[] {
    const ids = this.openByDevice.get(deviceId);
    if (!ids) return [];
    return [...ids].map((id) => this.state.incidents.get(id)).filter((i): i is Incident => i !== undefined && isOpen(i));
  }

  /** Every unresolved incident, without scanning the resolved ones. */
  *openIncidents(): Iterable<Incident> {
    for (const ids of this.openByDevice.values()) {
      for (const id of ids) {
        const inc = this.state.incidents.get(id);
        if (inc) yield inc;
      }
    }
  }

  private trackOpen(inc: Incident): void {
    const open = isOpen(inc);
    let ids = this.openByDevice.get(inc.deviceId);
    if (open) {
      if (!ids) this.openByDevice.set(inc.deviceId, (ids = new Set()));
      ids.add(inc.id);
    } else if (ids) {
      ids.delete(inc.id);
      if (ids.size === 0) this.openByDevice.delete(inc.deviceId);
    }
  }
}

// main/ (core, Node) — the station core: turns terminal messages and operator commands into journal
// events, keeps the folded state, and tells listeners (gateways) about every change. No sockets here.
import { checkEvent, alarmKey, StationFold, type Incident, type StationState } from '../shared/incidents';
import type { AlarmReceived, JournalRecord, OperatorRef, StationEvent } from '../shared/events';
import type { DeviceHealth, ExportAck, ImportAck, ImportRefusal, UnitLive } from '../shared/consoleApi';
import { DATA_FORMATS, DATA_KINDS, MAX_LISTED_ERRORS, exportData, exportFilename, isDataFormat, isDataKind, parseImportInSlices, type RowError } from '../shared/dataExchange';
import { DISPOSITIONS, type DeviceFaultKind, type Disposition } from '../shared/events';
import { checkProfile } from '../shared/response';
import {
  DEFAULT_HEARTBEAT_MS,
  OFFLINE_AFTER_INTERVALS,
  SKEW_FLAG_MS,
  parseAlarm,
  parseCancel,
  parseHeartbeat,
  parsePosition,
  parseUnitStatus,
  positionFixAt,
  refusal,
  type ErrorCode,
  type AlarmAck,
  type AlarmStatus,
  type HeartbeatAck,
  type Refusal,
} from '../shared/protocol';
import { can } from '../shared/roles';
import type { Journal } from './journal';
import { RateLimiter } from './rateLimit';
import { ImportError, RegistryError, type Registry } from './registry';

/** Repeat presses of one device's open incident arriving faster than this share one record and one fsync. */
export const REPEAT_BATCH_MS = 100;
/** Up to this many repeat presses per second (and as a burst) of one incident are each written at once. */
export const REPEATS_AT_ONCE_PER_S = 10;

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

export interface DeviceLiveness {
  lastSeenAt: number;
  connections: number;
  lastHeartbeat?: { sentAt: number; receivedAt: number; battery?: number; tamper?: boolean; powerSource?: string };
  lastTestPressAt?: number;
  skewMs?: number;
  refusals: Partial<Record<ErrorCode, number>>;
}

export interface StationOptions {
  now?: () => number;
  heartbeatMs?: number;
  /** Non-alarm events a device may send per second (burst: 4×). */
  eventsPerSecond?: number;
  /** The journal as folded while it was opened (large journals keep only their recent records in memory). */
  restored?: StationRestore;
}

/**
 * Folds the journal as it is read at start (openJournal's onRecord), remembering when each incident reached
 * its current state, so the alarm:status a terminal hears after a restart is the very one it heard live.
 */
export class StationRestore {
  readonly fold = new StationFold().own().restoring();
  readonly lastStatus = new Map<string, AlarmStatus>();
  readonly onRecord = (r: JournalRecord): void => {
    const e = r.event;
    const id = 'incidentId' in e ? e.incidentId : undefined;
    const before = id !== undefined ? this.fold.peek(id)?.state : undefined;
    this.fold.apply(r);
    const inc = id !== undefined ? this.fold.peek(id) : undefined;
    if (inc && inc.state !== before) this.lastStatus.set(inc.id, { alarmId: inc.alarmId, incidentId: inc.id, state: inc.state, at: e.at });
  };
}

export class Station {
  private readonly sf: StationFold;
  private get state(): StationState {
    return this.sf.state;
  }
  private readonly listeners = new Set<StationListener>();
  /** Alarms received while the journal refused writes, by alarm key. */
  private readonly volatile = new Map<string, AlarmReceived>();
  private readonly liveness = new Map<string, DeviceLiveness>();
  private readonly dayCounters = new Map<string, number>();
  private readonly lastStatus = new Map<string, AlarmStatus>();
  private readonly now: () => number;
  readonly heartbeatMs: number;
  private readonly startedAt: number;
  private readonly limiter: RateLimiter;
  private readonly unitLive = new Map<string, UnitLive>();
  private unitConnections = new Map<string, number>();
  /** Unresolved incidents by device: a flood's repeats find their incident without scanning a year of them. */
  private readonly openByDevice = new Map<string, Set<string>>();
  /** Repeated presses waiting for their shared fsync (see receiveAlarm), by incident. */
  private readonly repeatQueue = new Map<string, { deviceId: string; alarmIds: string[]; waiters: ((r: AlarmAck | Refusal) => void)[] }>();
  private readonly repeatPending = new Map<string, Promise<AlarmAck | Refusal>>();
  /** Repeat presses an incident may have written at once (each with its own fsync) before they are gathered. */
  private readonly repeatLimiter = new RateLimiter(REPEATS_AT_ONCE_PER_S, REPEATS_AT_ONCE_PER_S);
  private repeatTimer: ReturnType<typeof setTimeout> | undefined;
  /** Bumped on every position or connection change, so gateways push unit positions only when they moved. */
  unitsVersion = 0;

  constructor(
    readonly journal: Journal,
    readonly registry: Registry,
    opts: StationOptions | (() => number) = {},
  ) {
    const o = typeof opts === 'function' ? { now: opts } : opts;
    this.now = o.now ?? Date.now;
    this.heartbeatMs = o.heartbeatMs ?? DEFAULT_HEARTBEAT_MS;
    this.startedAt = this.now();
    this.limiter = new RateLimiter(o.eventsPerSecond ?? 5, (o.eventsPerSecond ?? 5) * 4);
    let restored = o.restored;
    if (!restored) {
      if ((journal.records[0]?.seq ?? 1) > 1) throw new Error('this journal is larger than its in-memory window: open it with a StationRestore');
      restored = new StationRestore();
      for (const r of journal.records) restored.onRecord(r);
    }
    this.sf = restored.fold;
    for (const [k, v] of restored.lastStatus) this.lastStatus.set(k, v);
    // Any registry change — admin screen, CLI file edit, or a direct call — reaches the gateways at once.
    registry.onChange((revoked) => this.emit('registryChanged', revoked));
    for (const [id, inc] of this.state.incidents) {
      this.countIncidentId(id);
      if (inc.resolvedAt === undefined) this.trackOpen(inc);
    }
    // Ids given out before a journal was lost are never given out again.
    if (journal.incidentIdHighWater !== undefined) this.countIncidentId(journal.incidentIdHighWater);
  }

  subscribe(l: StationListener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  get snapshot(): StationState {
    return this.state;
  }
  get volatileAlarms(): AlarmReceived[] {
    return [...this.volatile.values()];
  }
  /** Records after `seq` from the journal's recent window; undefined when older (send a snapshot instead). */
  recordsAfter(seq: number): readonly JournalRecord[] | undefined {
    return this.journal.recordsAfter(seq);
  }
  deviceLiveness(deviceId: string): DeviceLiveness | undefined {
    return this.liveness.get(deviceId);
  }

  /** The alarm:status last told for an incident: the same state and time as sent live (kept across restarts). */
  statusOf(inc: Incident): AlarmStatus {
    const last = this.lastStatus.get(inc.id);
    return last && last.state === inc.state ? last : { alarmId: inc.alarmId, incidentId: inc.id, state: inc.state, at: inc.receivedAt };
  }

  /** Open incidents of one device, for re-sending alarm:status when it reconnects. */
  openIncidentsOf(deviceId: string): Incident[] {
    const ids = this.openByDevice.get(deviceId);
    if (!ids) return [];
    return [...ids].map((id) => this.state.incidents.get(id)).filter((i): i is Incident => i !== undefined && i.resolvedAt === undefined);
  }

  private *openIncidents(): Iterable<Incident> {
    for (const ids of this.openByDevice.values()) {
      for (const id of ids) {
        const inc = this.state.incidents.get(id);
        if (inc) yield inc;
      }
    }
  }

  private trackOpen(inc: Incident): void {
    const open = inc.resolvedAt === undefined;
    let ids = this.openByDevice.get(inc.deviceId);
    if (open) {
      if (!ids) this.openByDevice.set(inc.deviceId, (ids = new Set()));
      ids.add(inc.id);
    } else if (ids) {
      ids.delete(inc.id);
      if (ids.size === 0) this.openByDevice.delete(inc.deviceId);
    }
  }

  private emit<K extends keyof StationListener>(k: K, ...args: Parameters<NonNullable<StationListener[K]>>): void {
    for (const l of this.listeners) {
      try {
        (l[k] as ((...a: typeof args) => void) | undefined)?.(...args);
      } catch (e) {
        console.error(`station: listener ${k} failed:`, e);
      }
    }
  }

  private append(event: StationEvent): JournalRecord {
    const check = checkEvent(this.state, event);
    if (!check.ok) throw new Error(check.message);
    return this.fold([this.journal.append(event)])[0]!;
  }

  /** Several events with one fsync: supervision may take a whole district offline in one pass. */
  private appendMany(events: StationEvent[]): void {
    try {
      this.appendValid(events);
    } catch (e) {
      console.error(`station: could not record ${events.length} supervision events:`, (e as Error).message);
    }
  }

  /**
   * Appends, with one fsync, those of `events` that may follow one another (each checked on a probe of the state
   * with the ones before it) and returns them; throws, storing nothing, when the write fails.
   */
  private appendValid(events: StationEvent[]): StationEvent[] {
    const probe = new StationFold(this.state);
    const ok = events.filter((e) => probe.tryApply(e));
    if (ok.length > 0) this.fold(this.journal.appendBatch(ok));
    return ok;
  }

  /** Folds durable records into the state and tells listeners, including the school's alarm:status. */
  private fold(records: JournalRecord[]): JournalRecord[] {
    for (const record of records) {
      const event = record.event;
      const before = 'incidentId' in event ? this.state.incidents.get(event.incidentId)?.state : undefined;
      this.sf.apply(record);
      if (event.type === 'alarm.received' || event.type === 'incident.resolved' || event.type === 'incident.reopened') {
        const changed = this.state.incidents.get(event.incidentId);
        if (changed) this.trackOpen(changed);
      }
      this.emit('record', record);
      // The school hears every change of its alarm's state (警方已接警, 已派警, 已到场, 处置完毕).
      const inc = 'incidentId' in event ? this.state.incidents.get(event.incidentId) : undefined;
      if (inc && before !== undefined && inc.state !== before) {
        const status: AlarmStatus = { alarmId: inc.alarmId, incidentId: inc.id, state: inc.state, at: event.at };
        this.lastStatus.set(inc.id, status);
        this.emit('alarmStatus', inc.deviceId, status);
      }
    }
    return records;
  }

  /** Runs a lifecycle command: role check, transition check, durable append; every refusal is explained. */
  private command(operator: OperatorRef, incidentId: unknown, build: (inc: Incident, at: number) => StationEvent | StationEvent[] | Refusal): CommandResult {
    if (!can(operator.role, 'incident.handle')) return refusal('forbidden', `role ${operator.role} may not handle incidents`);
    if (typeof incidentId !== 'string') return refusal('invalid_payload', 'incidentId must be a string');
    const inc = this.state.incidents.get(incidentId);
    if (!inc) return refusal('unknown_alarm', `no incident ${incidentId}`);
    const built = build(inc, this.now());
    if ('ok' in built) return built;
    const events = Array.isArray(built) ? built : [built];
    const check = checkEvent(this.state, events[0]!);
    if (!check.ok) return refusal('forbidden', check.message);
    try {
      for (const e of events) this.append(e);
    } catch (e) {
      return refusal('not_durable', `could not store it: ${(e as Error).message}`);
    }
    return { ok: true };
  }

  addNote(operator: OperatorRef, incidentId: unknown, text: unknown): CommandResult {
    if (typeof text !== 'string' || text.trim() === '' || text.length > 2000) return refusal('invalid_payload', 'a note is 1–2000 characters');
    return this.command(operator, incidentId, (inc, at) => ({ type: 'incident.note', at, incidentId: inc.id, operator, text: text.trim() }));
  }

  recordCallBack(operator: OperatorRef, incidentId: unknown, outcome: unknown): CommandResult {
    if (typeof outcome !== 'string' || outcome.length > 2000) return refusal('invalid_payload', 'outcome is at most 2000 characters');
    return this.command(operator, incidentId, (inc, at) => ({ type: 'incident.called_back', at, incidentId: inc.id, operator, outcome: outcome.trim() }));
  }

  takeOver(operator: OperatorRef, incidentId: unknown): CommandResult {
    return this.command(operator, incidentId, (inc, at) =>
      inc.handler ? { type: 'incident.taken_over', at, incidentId: inc.id, operator, from: inc.handler } : refusal('forbidden', `incident ${inc.id} is not acknowledged yet: acknowledge it instead`),
    );
  }

  /** 派警. A unit with a device gets the job over /unit (re-sent until it acks); without one it is a radio dispatch. */
  dispatchUnit(operator: OperatorRef, incidentId: unknown, unitId: unknown): CommandResult {
    if (!can(operator.role, 'incident.handle')) return refusal('forbidden', `role ${operator.role} may not handle incidents`);
    if (typeof unitId !== 'string') return refusal('invalid_payload', 'unitId must be a string');
    const unit = this.registry.unit(unitId);
    if (!unit || unit.disabled) return refusal('invalid_payload', `no unit ${unitId}`);
    return this.command(operator, incidentId, (inc, at): StationEvent[] => {
      const mode = unit.hasDevice ? 'device' : 'radio';
      const dispatched: StationEvent = { type: 'incident.dispatched', at, incidentId: inc.id, operator, unitId, mode };
      // On the radio the unit answers at once; the officer records that by dispatching.
      return mode === 'radio' ? [dispatched, { type: 'dispatch.accepted', at, incidentId: inc.id, unitId, operator }] : [dispatched];
    });
  }

  cancelDispatch(operator: OperatorRef, incidentId: unknown, unitId: unknown, reason: unknown): CommandResult {
    if (typeof unitId !== 'string' || typeof reason !== 'string' || reason.length > 500) return refusal('invalid_payload', 'expected { incidentId, unitId, reason }');
    return this.command(operator, incidentId, (inc, at) => ({ type: 'dispatch.cancelled', at, incidentId: inc.id, unitId, operator, reason }));
  }

  /** The officer records a radio unit's progress (or overrides a unit whose device is silent). */
  recordProgress(operator: OperatorRef, incidentId: unknown, unitId: unknown, state: unknown): CommandResult {
    if (typeof unitId !== 'string' || (state !== 'en_route' && state !== 'on_scene')) return refusal('invalid_payload', 'expected { unitId, state: en_route | on_scene }');
    return this.command(operator, incidentId, (inc, at) => ({ type: 'dispatch.progress', at, incidentId: inc.id, unitId, state, operator }));
  }

  resolve(operator: OperatorRef, incidentId: unknown, disposition: unknown, note: unknown): CommandResult {
    if (!(DISPOSITIONS as readonly unknown[]).includes(disposition)) return refusal('invalid_payload', `disposition must be one of ${DISPOSITIONS.join(', ')}`);
    if (typeof note !== 'string' || note.length > 2000) return refusal('invalid_payload', 'note is at most 2000 characters');
    return this.command(operator, incidentId, (inc, at) => ({ type: 'incident.resolved', at, incidentId: inc.id, operator, disposition: disposition as Disposition, note: note.trim() }));
  }

  reopen(operator: OperatorRef, incidentId: unknown, reason: unknown): CommandResult {
    if (typeof reason !== 'string' || reason.trim() === '' || reason.length > 500) return refusal('invalid_payload', 'a reason (1–500 characters) is needed to reopen');
    return this.command(operator, incidentId, (inc, at) => ({ type: 'incident.reopened', at, incidentId: inc.id, operator, reason: reason.trim() }));
  }

  /** The unit's device answered a dispatch: { ok: true } accepts, { ok: false, reason } declines. */
  dispatchAnswered(unitId: string, incidentId: string, answer: unknown): void {
    const a = (typeof answer === 'object' && answer !== null ? answer : {}) as { ok?: unknown; reason?: unknown };
    const at = this.now();
    const event: StationEvent =
      a.ok === true
        ? { type: 'dispatch.accepted', at, incidentId, unitId }
        : { type: 'dispatch.declined', at, incidentId, unitId, reason: typeof a.reason === 'string' ? a.reason.slice(0, 500) : 'declined' };
    if (checkEvent(this.state, event).ok) this.tryAppend(event);
  }

  /** Dispatches waiting for their unit's ack: re-sent until acked, cancelled or the incident is closed. */
  pendingDeliveries(unitId?: string): { unitId: string; incident: Incident }[] {
    const out: { unitId: string; incident: Incident }[] = [];
    for (const [u, incidentId] of [...this.state.assignments.entries()]) {
      if (unitId !== undefined && u !== unitId) continue;
      const inc = this.state.incidents.get(incidentId);
      const d = inc?.dispatches.find((x) => x.unitId === u && x.cancelledAt === undefined && x.declinedAt === undefined);
      if (inc && d && d.mode === 'device' && d.acceptedAt === undefined) out.push({ unitId: u, incident: inc });
    }
    return out;
  }

  setTargets(operator: OperatorRef, profile: unknown): CommandResult {
    if (!can(operator.role, 'registry.manage')) return refusal('forbidden', `role ${operator.role} may not change the targets`);
    const p = checkProfile(profile);
    if (!p.ok) return refusal('invalid_payload', p.message);
    try {
      this.registry.setTargets(p.value);
    } catch (e) {
      return refusal('not_durable', (e as Error).message);
    }
    return { ok: true };
  }

  private countIncidentId(id: string): void {
    const m = /^(\d{8})-(\d+)$/.exec(id);
    if (m) this.dayCounters.set(m[1]!, Math.max(this.dayCounters.get(m[1]!) ?? 0, Number(m[2])));
  }

  /** Incident ids read like a case number: local date and a running number, e.g. 20261130-0003. */
  private newIncidentId(at: number): string {
    const d = new Date(at);
    const day = `${d.getFullYear()}${String(d.getMonth() + 1).padStart(2, '0')}${String(d.getDate()).padStart(2, '0')}`;
    const n = (this.dayCounters.get(day) ?? 0) + 1;
    this.dayCounters.set(day, n);
    return `${day}-${String(n).padStart(4, '0')}`;
  }

  private live(deviceId: string): DeviceLiveness {
    let l = this.liveness.get(deviceId);
    if (!l) {
      l = { lastSeenAt: 0, connections: 0, refusals: {} };
      this.liveness.set(deviceId, l);
    }
    return l;
  }

  /** Any sign of life: refreshes supervision and clears an offline fault. */
  private touch(deviceId: string, at: number): void {
    this.live(deviceId).lastSeenAt = at;
    if (this.state.devices.get(deviceId)?.online === false) this.tryAppend({ type: 'device.online', at, deviceId });
  }

  /** Appends a supervision event; a failed write is logged and retried by the next tick or message. */
  private tryAppend(event: StationEvent): boolean {
    try {
      this.append(event);
      return true;
    } catch (e) {
      console.error(`station: could not record ${event.type}:`, (e as Error).message);
      return false;
    }
  }

  private refused<T extends Refusal>(deviceId: string, r: T): T {
    const l = this.live(deviceId);
    l.refusals[r.error.code] = (l.refusals[r.error.code] ?? 0) + 1;
    return r;
  }

  /** Non-alarm traffic from a device passes a token bucket; alarms never do. */
  allowEvent(deviceId: string): boolean {
    const ok = this.limiter.take(deviceId, this.now());
    if (!ok) this.refused(deviceId, refusal('rate_limited', ''));
    return ok;
  }

  /** Called every second or so: devices silent for 3 heartbeat intervals go offline. */
  supervise(): void {
    const at = this.now();
    // Latching and escalation (GB 50394): past the acknowledge target an open alarm escalates on every console.
    const ackTarget = this.registry.targets().acknowledgeMs;
    const due: StationEvent[] = [];
    for (const inc of this.openIncidents()) {
      if (inc.acknowledgedAt === undefined && inc.escalatedAt === undefined && inc.resolvedAt === undefined && inc.kind !== 'test' && at - inc.receivedAt > ackTarget) {
        due.push({ type: 'incident.escalated', at, incidentId: inc.id, reason: 'ack_overdue' });
      }
    }
    const limit = OFFLINE_AFTER_INTERVALS * this.heartbeatMs;
    for (const t of this.registry.snapshot.terminals) {
      if (t.disabled) continue;
      const lastSeenAt = this.liveness.get(t.deviceId)?.lastSeenAt || this.startedAt;
      if (at - lastSeenAt > limit && this.state.devices.get(t.deviceId)?.online !== false) {
        due.push({ type: 'device.offline', at, deviceId: t.deviceId, lastSeenAt });
      }
    }
    this.appendMany(due);
  }

  health(): DeviceHealth[] {
    return this.registry.snapshot.terminals.map((t) => {
      const l = this.liveness.get(t.deviceId);
      const d = this.state.devices.get(t.deviceId);
      return {
        deviceId: t.deviceId,
        schoolId: t.schoolId,
        label: t.label,
        disabled: t.disabled,
        connected: (l?.connections ?? 0) > 0,
        online: d?.online ?? true,
        ...(d ? { since: d.since } : {}),
        ...(l && l.lastSeenAt > 0 ? { lastSeenAt: l.lastSeenAt } : {}),
        ...(l?.lastHeartbeat ? { lastHeartbeatAt: l.lastHeartbeat.receivedAt } : {}),
        ...(l?.lastHeartbeat?.battery !== undefined ? { battery: l.lastHeartbeat.battery } : {}),
        ...(l?.lastHeartbeat?.powerSource !== undefined ? { powerSource: l.lastHeartbeat.powerSource } : {}),
        ...(l?.lastTestPressAt !== undefined ? { lastTestPressAt: l.lastTestPressAt } : {}),
        ...(l?.skewMs !== undefined ? { skewMs: l.skewMs } : {}),
        skewFlagged: l?.skewMs !== undefined && Math.abs(l.skewMs) > SKEW_FLAG_MS,
        tamper: d?.faults.tamper !== undefined,
        refusals: { ...(l?.refusals ?? {}) },
      };
    });
  }

  /** `alarm` from an authenticated terminal. The school comes from the registry, never the payload. */
  receiveAlarm(deviceId: string, payload: unknown): AlarmAck | Refusal {
    return this.intakeAlarm(deviceId, payload, false) as AlarmAck | Refusal;
  }

  /**
   * `alarm` as the gateway takes it: the same as receiveAlarm, except that while one device floods repeat
   * presses they are answered together after one shared fsync (see receiveRepeat).
   */
  pressAlarm(deviceId: string, payload: unknown): AlarmAck | Refusal | Promise<AlarmAck | Refusal> {
    return this.intakeAlarm(deviceId, payload, true);
  }

  private intakeAlarm(deviceId: string, payload: unknown, batch: boolean): AlarmAck | Refusal | Promise<AlarmAck | Refusal> {
    const parsed = parseAlarm(payload);
    if (!parsed.ok) return this.refused(deviceId, parsed);
    const terminal = this.registry.terminal(deviceId);
    if (!terminal || terminal.disabled) return refusal('forbidden', 'device is not registered or disabled');
    const at = this.now();
    this.touch(deviceId, at);
    const a = parsed.value;
    if (a.kind === 'test') this.live(deviceId).lastTestPressAt = at;
    const key = alarmKey(deviceId, a.alarmId);
    const existingId = this.state.alarmIndex.get(key);
    if (existingId !== undefined) {
      const inc = this.state.incidents.get(existingId)!;
      return { ok: true, incidentId: inc.id, receivedAt: inc.receivedAt, duplicate: true };
    }
    const queued = this.repeatPending.get(key);
    if (queued) return queued; // a retry of a repeat press that is waiting for its fsync
    const pending = this.volatile.get(key);
    // Another press from a terminal whose incident of the same kind is still open: journalled on that incident
    // with a count, not a new card. One device's flood can then neither bury other schools' alarms in the queue
    // nor hold up their acks: its presses share one fsync per REPEAT_BATCH_MS.
    const open = pending ? undefined : this.openIncidentsOf(deviceId).find((i) => i.kind === a.kind && i.drill === (a.drill ?? false));
    if (open) return this.receiveRepeat(deviceId, open, a.alarmId, key, at, batch);
    const event: AlarmReceived = pending ?? {
      type: 'alarm.received',
      at,
      incidentId: this.newIncidentId(at),
      deviceId,
      schoolId: terminal.schoolId,
      alarmId: a.alarmId,
      kind: a.kind,
      drill: a.drill ?? false,
      raisedAt: a.raisedAt,
      ...(a.note !== undefined ? { note: a.note } : {}),
      ...(a.location !== undefined ? { location: a.location } : {}),
    };
    try {
      this.append(event);
    } catch (e) {
      // Not durable: the terminal will retry, but the officer must see the alarm now.
      console.error(`station: could not store alarm ${key}:`, (e as Error).message);
      if (!pending) {
        this.volatile.set(key, event);
        this.emit('volatileChanged', this.volatileAlarms);
      }
      return this.refused(deviceId, refusal('not_durable', 'the station could not store the alarm durably; retry with the same alarmId'));
    }
    if (pending) {
      this.volatile.delete(key);
      this.emit('volatileChanged', this.volatileAlarms);
    }
    const status: AlarmStatus = { alarmId: a.alarmId, incidentId: event.incidentId, state: 'received', at: event.at };
    this.lastStatus.set(event.incidentId, status);
    this.emit('alarmStatus', deviceId, status);
    return { ok: true, incidentId: event.incidentId, receivedAt: event.at };
  }

  /**
   * A repeat press. The first in a while is written at once (one person pressing twice waits for nothing);
   * while presses keep coming they are gathered and written together, one record and one fsync per batch.
   */
  private receiveRepeat(deviceId: string, inc: Incident, alarmId: string, key: string, at: number, batch: boolean): AlarmAck | Refusal | Promise<AlarmAck | Refusal> {
    // A person pressing again, even several times a second, is written at once; only a flood is gathered.
    if (!batch || (!this.repeatQueue.has(inc.id) && this.repeatLimiter.take(inc.id, at))) {
      const [r] = this.writeRepeats([{ incidentId: inc.id, deviceId, alarmIds: [alarmId] }], at);
      return r!;
    }
    let q = this.repeatQueue.get(inc.id);
    if (!q) this.repeatQueue.set(inc.id, (q = { deviceId, alarmIds: [], waiters: [] }));
    q.alarmIds.push(alarmId);
    const p = new Promise<AlarmAck | Refusal>((resolve) => q.waiters.push(resolve));
    this.repeatPending.set(key, p);
    this.repeatTimer ??= setTimeout(() => this.flushRepeats(), REPEAT_BATCH_MS);
    return p;
  }

  private flushRepeats(): void {
    this.repeatTimer = undefined;
    const at = this.now();
    const batches = [...this.repeatQueue.entries()].map(([incidentId, q]) => ({ incidentId, ...q }));
    this.repeatQueue.clear();
    const answers = this.writeRepeats(batches, at);
    batches.forEach((b, i) => {
      for (const a of b.alarmIds) this.repeatPending.delete(alarmKey(b.deviceId, a));
      for (const w of b.waiters) w(answers[i]!);
    });
  }

  /** Journals repeat presses (one fsync for all) and tells the terminals. */
  private writeRepeats(batches: { incidentId: string; deviceId: string; alarmIds: string[] }[], at: number): (AlarmAck | Refusal)[] {
    // One record per incident and up to 500 presses.
    const perBatch = batches.map((b) => {
      const events: StationEvent[] = [];
      for (let i = 0; i < b.alarmIds.length; i += 500) events.push({ type: 'alarm.repeated', at, incidentId: b.incidentId, deviceId: b.deviceId, alarmIds: b.alarmIds.slice(i, i + 500) });
      return events;
    });
    let stored: Set<StationEvent>;
    try {
      stored = new Set(this.appendValid(perBatch.flat()));
    } catch (e) {
      console.error(`station: could not store ${batches.length} batches of repeated presses:`, (e as Error).message);
      return batches.map((b) => this.refused(b.deviceId, refusal('not_durable', 'the station could not store the alarm durably; retry with the same alarmId')));
    }
    return batches.map((b, i) => {
      const inc = this.state.incidents.get(b.incidentId)!;
      if (!perBatch[i]!.every((e) => stored.has(e))) return refusal('invalid_payload', `the presses could not be recorded on incident ${b.incidentId}`);
      // The school hears where its press stands: the incident it joined, in that incident's state. For a gathered
      // flood, once, for its last press (each press's ack already names the incident): a thousand status messages
      // a second to one terminal would only load the station.
      const alarmId = b.alarmIds[b.alarmIds.length - 1]!;
      this.emit('alarmStatus', b.deviceId, { alarmId, incidentId: inc.id, state: inc.state, at });
      return { ok: true, incidentId: inc.id, receivedAt: at };
    });
  }

  receiveHeartbeat(deviceId: string, payload: unknown): HeartbeatAck | Refusal {
    const parsed = parseHeartbeat(payload);
    if (!parsed.ok) return this.refused(deviceId, parsed);
    const at = this.now();
    this.touch(deviceId, at);
    const l = this.live(deviceId);
    const hb = parsed.value;
    l.lastHeartbeat = { ...hb, receivedAt: at };
    l.skewMs = at - hb.sentAt;
    if (hb.tamper !== undefined && hb.tamper !== (this.state.devices.get(deviceId)?.faults.tamper !== undefined)) {
      this.tryAppend({ type: 'device.tamper', at, deviceId, tamper: hb.tamper });
    }
    return { ok: true, serverTime: at };
  }

  /** `cancel`: the school asks to withdraw an alarm. Recorded and shown; never closes the incident. */
  receiveCancel(deviceId: string, payload: unknown): CommandResult {
    const parsed = parseCancel(payload);
    if (!parsed.ok) return this.refused(deviceId, parsed);
    const at = this.now();
    this.touch(deviceId, at);
    const incidentId = this.state.alarmIndex.get(alarmKey(deviceId, parsed.value.alarmId));
    if (!incidentId) return this.refused(deviceId, refusal('unknown_alarm', `no alarm ${parsed.value.alarmId} from this device`));
    const inc = this.state.incidents.get(incidentId)!;
    if (inc.cancelRequest) return { ok: true }; // a retry of the same request
    const event: StationEvent = { type: 'alarm.cancel_requested', at, incidentId, reason: parsed.value.reason };
    const check = checkEvent(this.state, event);
    if (!check.ok) return this.refused(deviceId, refusal('forbidden', check.message));
    try {
      this.append(event);
    } catch (e) {
      return this.refused(deviceId, refusal('not_durable', `could not store the request: ${(e as Error).message}`));
    }
    return { ok: true };
  }

  deviceDisconnected(deviceId: string): void {
    const l = this.live(deviceId);
    l.connections = Math.max(0, l.connections - 1);
  }

  unitConnected(unitId: string, connected: boolean): void {
    const n = Math.max(0, (this.unitConnections.get(unitId) ?? 0) + (connected ? 1 : -1));
    this.unitConnections.set(unitId, n);
    const u = this.unitLive.get(unitId);
    if (u) u.connected = n > 0;
    this.unitsVersion++;
  }

  /**
   * `position` from a unit (not acked): kept live for the map; a bad fix is refused and counted. Ordered by the
   * station's receive time (positionFixAt): a unit's wrong clock can neither freeze it nor hide it.
   */
  receivePosition(unitId: string, payload: unknown): CommandResult {
    const parsed = parsePosition(payload);
    if (!parsed.ok) return this.refused(unitId, parsed);
    const p = parsed.value;
    const receivedAt = this.now();
    const at = positionFixAt(this.unitLive.get(unitId), p.at, receivedAt);
    if (at === undefined) return { ok: true }; // an older fix overtaken on the way changes nothing
    this.unitLive.set(unitId, {
      unitId,
      lat: p.lat,
      lng: p.lng,
      at,
      receivedAt,
      connected: (this.unitConnections.get(unitId) ?? 0) > 0,
      ...(p.heading !== undefined ? { heading: p.heading } : {}),
      ...(p.speed !== undefined ? { speed: p.speed } : {}),
    });
    this.unitsVersion++;
    return { ok: true };
  }

  /** `status` from a unit. With an incidentId it may only move incidents the unit was dispatched to. */
  receiveUnitStatus(unitId: string, payload: unknown): CommandResult {
    const parsed = parseUnitStatus(payload);
    if (!parsed.ok) return this.refused(unitId, parsed);
    const st = parsed.value;
    const at = this.now();
    if (st.incidentId !== undefined) {
      // A unit may only move incidents it was dispatched to.
      if (this.state.assignments.get(unitId) !== st.incidentId) {
        return this.refused(unitId, refusal('forbidden', `unit ${unitId} was not dispatched to incident ${st.incidentId}`));
      }
      if (st.state === 'en_route' || st.state === 'on_scene') {
        const progress: StationEvent = { type: 'dispatch.progress', at, incidentId: st.incidentId, unitId, state: st.state };
        // A repeat (retry) of a step already recorded is fine; anything else impossible is refused.
        const d = this.state.incidents.get(st.incidentId)!.dispatches.find((x) => x.unitId === unitId && x.cancelledAt === undefined && x.declinedAt === undefined);
        const already = st.state === 'en_route' ? d?.enRouteAt !== undefined : d?.onSceneAt !== undefined;
        if (!already) {
          const check = checkEvent(this.state, progress);
          if (!check.ok) return this.refused(unitId, refusal('forbidden', check.message));
          try {
            this.append(progress);
          } catch (e) {
            return this.refused(unitId, refusal('not_durable', (e as Error).message));
          }
        }
      }
    }
    if (this.state.units.get(unitId)?.state === st.state) return { ok: true };
    try {
      this.append({ type: 'unit.status', at, unitId, state: st.state, reportedAt: st.at });
    } catch (e) {
      return this.refused(unitId, refusal('not_durable', (e as Error).message));
    }
    return { ok: true };
  }

  unitsLive(): UnitLive[] {
    return [...this.unitLive.values()];
  }

  /** An officer has seen a device fault: its sound stops; the fault stays until the device clears it. */
  acknowledgeFault(operator: OperatorRef, deviceId: unknown, fault: unknown): CommandResult {
    if (!can(operator.role, 'device.acknowledgeFault')) return refusal('forbidden', `role ${operator.role} may not acknowledge device faults`);
    if (typeof deviceId !== 'string' || (fault !== 'offline' && fault !== 'tamper')) return refusal('invalid_payload', 'expected { deviceId, fault: offline | tamper }');
    const event: StationEvent = { type: 'device.fault_acknowledged', at: this.now(), deviceId, fault: fault as DeviceFaultKind, operator };
    const check = checkEvent(this.state, event);
    if (!check.ok) return refusal('unknown_alarm', check.message);
    try {
      this.append(event);
    } catch (e) {
      return refusal('not_durable', (e as Error).message);
    }
    return { ok: true };
  }

  // --- administration from the admin screen: role-checked here, in the core. ---

  private adminCheck(operator: OperatorRef): Refusal | undefined {
    return can(operator.role, 'registry.manage') ? undefined : refusal('forbidden', `role ${operator.role} may not manage devices`);
  }

  private async adminDo<T>(operator: OperatorRef, what: string, fn: () => Promise<T> | T): Promise<{ ok: true; value: T } | Refusal> {
    const denied = this.adminCheck(operator);
    if (denied) return denied;
    try {
      const value = await fn();
      console.log(`station: ${operator.username} ${what}`);
      return { ok: true, value };
    } catch (e) {
      return refusal('invalid_payload', (e as Error).message);
    }
  }

  async adminAddTerminal(operator: OperatorRef, req: unknown): Promise<{ ok: true; token: string } | Refusal> {
    const r = (typeof req === 'object' && req !== null ? req : {}) as Record<string, unknown>;
    if (typeof r.deviceId !== 'string' || typeof r.schoolId !== 'string' || typeof r.label !== 'string' || r.label.length > 200) {
      return this.adminCheck(operator) ?? refusal('invalid_payload', 'expected { deviceId, schoolId, label }');
    }
    const res = await this.adminDo(operator, `added terminal ${r.deviceId}`, () => this.registry.addTerminal({ deviceId: r.deviceId as string, schoolId: r.schoolId as string, label: (r.label as string) || (r.deviceId as string) }));
    return res.ok ? { ok: true, token: res.value } : res;
  }

  async adminRotate(operator: OperatorRef, id: unknown): Promise<{ ok: true; token: string } | Refusal> {
    if (typeof id !== 'string') return this.adminCheck(operator) ?? refusal('invalid_payload', 'expected { id }');
    const res = await this.adminDo(operator, `rotated the token of ${id}`, () => this.registry.rotateDevice(id));
    return res.ok ? { ok: true, token: res.value } : res;
  }

  async adminSetDisabled(operator: OperatorRef, id: unknown, disabled: unknown): Promise<CommandResult> {
    if (typeof id !== 'string' || typeof disabled !== 'boolean') return this.adminCheck(operator) ?? refusal('invalid_payload', 'expected { id, disabled }');
    const res = await this.adminDo(operator, `${disabled ? 'disabled' : 'enabled'} ${id}`, () => this.registry.setDisabled(id, disabled, 'device'));
    return res.ok ? { ok: true } : res;
  }

  /**
   * Imports reference data (docs/data-exchange.md): admin only, all or nothing. A file with any error is
   * refused with every row error (line, field, reason) and changes nothing.
   */
  async adminImport(operator: OperatorRef, req: unknown): Promise<ImportAck> {
    const denied = this.adminCheck(operator);
    if (denied) return denied;
    const r = (typeof req === 'object' && req !== null ? req : {}) as Record<string, unknown>;
    if (!isDataKind(r.kind) || !isDataFormat(r.format) || typeof r.text !== 'string') {
      return refusal('invalid_payload', `expected { kind: ${DATA_KINDS.join(' | ')}, format: ${DATA_FORMATS.join(' | ')}, text }`);
    }
    const rowsRefused = (errors: RowError[], omitted = 0): ImportRefusal => ({
      ok: false,
      error: { code: 'invalid_payload', message: `${errors.length + omitted} error${errors.length + omitted === 1 ? '' : 's'} in the file; nothing was changed`, details: errors, omitted },
    });
    // Checked in slices: a large file does not hold up alarms for the few hundred ms its rows take.
    const parsed = await parseImportInSlices(r.kind, r.format, r.text, () => new Promise<void>((resolve) => setImmediate(resolve)));
    if (!parsed.ok) {
      // The registry's checks on the rows that did parse go in the same answer: every error at once.
      const all = [...parsed.errors, ...this.registry.checkImport(r.kind, parsed.validRows, parsed.validLines)].sort((a, b) => a.line - b.line);
      return rowsRefused(all.slice(0, MAX_LISTED_ERRORS), parsed.omitted + Math.max(0, all.length - MAX_LISTED_ERRORS));
    }
    try {
      const out = await this.registry.importData(r.kind, parsed.rows, parsed.lines);
      console.log(`station: ${operator.username} imported ${r.kind}: ${out.added} added, ${out.updated} updated`);
      return { ok: true, kind: r.kind, ...out };
    } catch (e) {
      if (e instanceof ImportError) return rowsRefused(e.errors);
      if (e instanceof RegistryError) return refusal('invalid_payload', e.message);
      return refusal('not_durable', `the registry could not be saved; nothing was changed: ${(e as Error).message}`);
    }
  }

  /** Exports one kind of reference data as CSV or JSON, without secrets. Admin only. */
  adminExport(operator: OperatorRef, req: unknown): ExportAck {
    const denied = this.adminCheck(operator);
    if (denied) return denied;
    const r = (typeof req === 'object' && req !== null ? req : {}) as Record<string, unknown>;
    if (!isDataKind(r.kind) || !isDataFormat(r.format)) return refusal('invalid_payload', `expected { kind: ${DATA_KINDS.join(' | ')}, format: ${DATA_FORMATS.join(' | ')} }`);
    return { ok: true, text: exportData(r.kind, r.format, this.registry.exportData(r.kind)), filename: exportFilename(r.kind, r.format, new Date(this.now())) };
  }

  /** The registry file changed on disk (admin CLI): re-read it and cut off what was revoked. */
  reloadRegistry(): void {
    let revoked: string[];
    try {
      revoked = this.registry.reload();
    } catch (e) {
      console.error('station: registry file could not be read; keeping the previous registry:', (e as Error).message);
      return;
    }
    if (revoked.length > 0) console.log(`station: credentials revoked for ${revoked.join(', ')}`);
  }

  deviceConnected(deviceId: string): void {
    this.live(deviceId).connections++;
    this.touch(deviceId, this.now());
  }

  /** 接警 by a named operator. Refused for roles that may not, and for impossible transitions. */
  acknowledge(operator: OperatorRef, incidentId: unknown): CommandResult {
    if (!can(operator.role, 'incident.acknowledge')) return refusal('forbidden', `role ${operator.role} may not acknowledge alarms`);
    if (typeof incidentId !== 'string') return refusal('invalid_payload', 'incidentId must be a string');
    const inc = this.state.incidents.get(incidentId);
    if (!inc) {
      const v = [...this.volatile.values()].find((x) => x.incidentId === incidentId);
      return v
        ? refusal('not_durable', 'this alarm is not stored yet; it can be acknowledged once the station has stored it')
        : refusal('unknown_alarm', `no incident ${incidentId}`);
    }
    const event: StationEvent = { type: 'incident.acknowledged', at: this.now(), incidentId, operator };
    const check = checkEvent(this.state, event);
    if (!check.ok) return refusal('forbidden', check.message);
    try {
      this.append(event);
    } catch (e) {
      return refusal('not_durable', `could not store the acknowledgement: ${(e as Error).message}`);
    }
    return { ok: true };
  }

  /** First render on a console. Idempotent: later reports are ignored. */
  markShown(operator: OperatorRef, incidentId: unknown): CommandResult {
    // "Shown" is the moment a duty console showed the alarm to someone who can take it: a trainer's or an
    // admin's screen does not count (and may not write to the journal).
    if (!can(operator.role, 'incident.acknowledge')) return refusal('forbidden', `role ${operator.role} does not report alarms as shown`);
    if (typeof incidentId !== 'string') return refusal('invalid_payload', 'incidentId must be a string');
    const inc = this.state.incidents.get(incidentId);
    if (!inc) return refusal('unknown_alarm', `no incident ${incidentId}`);
    if (inc.shownAt !== undefined) return { ok: true };
    try {
      this.append({ type: 'incident.shown', at: this.now(), incidentId, operator });
    } catch (e) {
      return refusal('not_durable', (e as Error).message);
    }
    return { ok: true };
  }
}

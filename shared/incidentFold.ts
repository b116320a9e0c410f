// shared/ — the incident reducer: a pure fold of journal records into the state (shared/incidentModel.ts).
// Used by the core (authoritative state), by every console (its Dexie replica) and later by drill replay.
import { missingCase, type DeviceFaultKind, type JournalRecord, type StationEvent } from './events';
import {
  alarmKey,
  deriveState,
  emptyState,
  isActiveDispatch,
  type DeviceState,
  type Dispatch,
  type Incident,
  type StationState,
  type TimelineEntry,
} from './incidentModel';
import { checkEvent, faultOf, type Check, isLifecycleEvent, type LifecycleEvent } from './incidentRules';

type Collections = Pick<StationState, 'incidents' | 'alarmIndex' | 'devices' | 'units' | 'assignments'>;
type Writable = { [K in keyof Collections]: Collections[K] extends ReadonlyMap<infer A, infer B> ? Map<A, B> : never };

/**
 * A fold in progress. Each collection is copied the first time a record changes it and then updated in
 * place, so folding N records costs O(N) (not O(N × incidents), as copying every collection per record
 * did: 80,000 records took 9 minutes). States handed out before stay as they were (persistent), unless
 * the caller took the fold with own() (the core's state, which nobody else keeps).
 */
export class StationFold {
  private cur: { seq: number } & Collections;
  private readonly copied = new Set<keyof Collections>();
  /** Records that could not be applied (checkEvent said no, or the record was malformed). */
  skipped = 0;

  constructor(from: StationState = emptyState) {
    this.cur = { ...from };
  }

  /**
   * A fold to check events against `from` without changing it or copying it: each collection it changes reads
   * through to `from` and keeps only its own changes. The core checks every command this way; copying a year's
   * 170,000 incidents per command took longer than the command.
   */
  static probe(from: StationState): StationFold {
    const f = new StationFold(from);
    f.overlay = true;
    return f;
  }
  private overlay = false;

  get seq(): number {
    return this.cur.seq;
  }

  /** The state so far. Without `owned`, later applies do not change what this returned. */
  get state(): StationState {
    this.inPlace = false;
    const s = { ...this.cur };
    if (!this.owning) this.copied.clear(); // the next change copies again: what we handed out stays as it was
    return s;
  }
  private owning = false;
  /**
   * While nobody but this fold has seen its incidents (the core reading its journal at start), each
   * incident is updated in place instead of copied per record: a year of records opens with far less
   * garbage. Switched off for good by own() or by handing out a state.
   */
  private inPlace = false;
  /** From now until a state is handed out or own() is called, incidents are updated in place (see inPlace). */
  restoring(): this {
    this.inPlace = true;
    return this;
  }
  /**
   * The state given to the constructor is this fold's alone (just read from a state snapshot, nobody else holds its
   * collections): own() takes them as they are instead of copying a year of incidents.
   */
  adopt(): this {
    for (const k of ['incidents', 'alarmIndex', 'devices', 'units', 'assignments'] as const) {
      if (!(this.cur[k] instanceof Map)) throw new Error(`the state's ${k} is not a Map of its own`);
      this.copied.add(k);
    }
    return this;
  }
  /** From now on the caller owns this fold: `state` is a live view, updated in place by apply(). */
  own(): this {
    this.owning = true;
    this.inPlace = false;
    for (const k of ['incidents', 'alarmIndex', 'devices', 'units', 'assignments'] as const) this.w(k);
    return this;
  }

  private w<K extends keyof Collections>(k: K): Writable[K] {
    if (!this.copied.has(k)) {
      const base = this.cur[k] as ReadonlyMap<unknown, unknown>;
      (this.cur as Record<K, unknown>)[k] = this.overlay ? new OverlayMap(base) : new Map(base);
      this.copied.add(k);
    }
    return this.cur[k] as Writable[K];
  }

  /** One incident as folded so far, without handing out the state. */
  peek(incidentId: string): Incident | undefined {
    return this.cur.incidents.get(incidentId);
  }

  /** Checks an event against the state so far and, if it may follow, folds it as the next record. */
  tryApply(event: StationEvent): Check {
    const check = checkEvent(this.cur, event);
    if (check.ok) this.apply({ seq: this.cur.seq + 1, event });
    return check;
  }

  /** Folds one record. One that does not apply (see checkEvent) changes nothing, but advances seq. */
  apply(record: JournalRecord): void {
    const { seq, event } = record;
    if (!(seq > this.cur.seq)) return; // already folded: replicas may see a record twice
    this.cur.seq = seq;
    if (!checkEvent(this.cur, event).ok) {
      this.skipped++;
      return;
    }
    try {
      this.applyChecked(seq, event);
    } catch {
      // checkEvent approved something the fold cannot take (a malformed record): skip it, never stop.
      this.skipped++;
    }
  }

  private setIncident(inc: Incident): void {
    this.w('incidents').set(inc.id, inc);
  }

  private withDevice(deviceId: string, at: number, change: (d: DeviceState) => DeviceState): void {
    const d = this.cur.devices.get(deviceId) ?? { deviceId, online: true, since: at, faults: {} };
    this.w('devices').set(deviceId, change(d));
  }

  private applyChecked(seq: number, event: StationEvent): void {
    if (isLifecycleEvent(event)) return this.applyLifecycle(seq, this.cur.incidents.get(event.incidentId)!, event);
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
          ...(event.drillWindowId !== undefined ? { drillWindowId: event.drillWindowId } : {}),
          ...(event.area !== undefined ? { area: event.area } : {}),
        };
        this.setIncident(inc);
        this.w('alarmIndex').set(alarmKey(event.deviceId, event.alarmId), inc.id);
        // A test press is what clears a test_overdue fault.
        if (event.kind === 'test' && this.cur.devices.get(event.deviceId)?.faults.test_overdue)
          this.withDevice(event.deviceId, event.at, (d) => ({ ...d, faults: withoutFault(d.faults, 'test_overdue') }));
        return;
      }
      case 'alarm.repeated': {
        const inc = this.cur.incidents.get(event.incidentId)!;
        const index = this.w('alarmIndex');
        for (const a of event.alarmIds) index.set(alarmKey(event.deviceId, a), inc.id);
        this.setIncident({
          ...inc,
          repeats: (inc.repeats ?? 0) + event.alarmIds.length,
          lastRepeatAt: event.at,
          timeline: [...inc.timeline, { at: event.at, type: event.type, detail: `×${event.alarmIds.length}` }],
          seq,
        });
        return;
      }
      case 'incident.shown': {
        const inc = this.cur.incidents.get(event.incidentId)!;
        const entry: TimelineEntry = { at: event.at, type: event.type, by: event.operator.displayName };
        if (this.inPlace) {
          inc.shownAt = event.at;
          inc.timeline.push(entry);
          inc.seq = seq;
        } else this.setIncident({ ...inc, shownAt: event.at, timeline: [...inc.timeline, entry], seq });
        return;
      }
      case 'incident.acknowledged': {
        const inc = this.cur.incidents.get(event.incidentId)!;
        const entry: TimelineEntry = { at: event.at, type: event.type, by: event.operator.displayName };
        const change = {
          acknowledgedAt: event.at,
          acknowledgedBy: event.operator,
          handler: event.operator,
          state: inc.state === 'received' ? ('acknowledged' as const) : inc.state,
          seq,
        };
        if (this.inPlace) {
          Object.assign(inc, change);
          inc.timeline.push(entry);
        } else this.setIncident({ ...inc, ...change, timeline: [...inc.timeline, entry] });
        return;
      }
      case 'device.offline':
        return this.withDevice(event.deviceId, event.at, (d) => ({
          ...d,
          online: false,
          since: event.at,
          faults: { ...d.faults, offline: { kind: 'offline', openedAt: event.at } },
        }));
      case 'device.online':
        return this.withDevice(event.deviceId, event.at, (d) => ({ ...d, online: true, since: event.at, faults: withoutFault(d.faults, 'offline') }));
      case 'device.tamper':
        return this.withDevice(event.deviceId, event.at, (d) => ({
          ...d,
          faults: event.tamper ? { ...d.faults, tamper: { kind: 'tamper', openedAt: event.at } } : withoutFault(d.faults, 'tamper'),
        }));
      case 'device.test_overdue':
        return this.withDevice(event.deviceId, event.at, (d) => ({
          ...d,
          faults: { ...d.faults, test_overdue: { kind: 'test_overdue', openedAt: event.at } },
        }));
      case 'device.fault_acknowledged':
        return this.withDevice(event.deviceId, event.at, (d) => ({
          ...d,
          faults: { ...d.faults, [event.fault]: { ...faultOf(d, event.fault)!, acknowledgedAt: event.at, acknowledgedBy: event.operator } },
        }));
      case 'unit.status':
        this.w('units').set(event.unitId, { state: event.state, since: event.at });
        return;
      case 'journal.unreadable':
      case 'record.withheld':
      case 'admin.action':
      case 'sound.muted':
      case 'inspection.recorded':
      case 'finding.closed':
      case 'school_drill.recorded':
      case 'post.checked':
      case 'drill_window.registered':
      case 'drill_window.cancelled':
      case 'training.completed':
      case 'training.unit':
        return;
      default:
        return missingCase(event);
    }
  }

  private applyLifecycle(seq: number, inc: Incident, e: LifecycleEvent): void {
    const by = 'operator' in e && e.operator ? e.operator.displayName : undefined;
    const entry: TimelineEntry = { at: e.at, type: e.type, ...(by ? { by } : {}), ...('unitId' in e ? { unitId: e.unitId } : {}) };
    const next: Incident = this.inPlace ? inc : { ...inc };
    next.seq = seq;
    const release = (unitId: string): void => {
      if (this.cur.assignments.get(unitId) === inc.id) this.w('assignments').delete(unitId);
    };
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
        this.w('assignments').set(e.unitId, inc.id);
        entry.detail = e.mode;
        break;
      case 'dispatch.accepted':
        next.dispatches = updateDispatch(inc, e.unitId, (d) => ({ ...d, acceptedAt: e.at }));
        break;
      case 'dispatch.declined':
        next.dispatches = updateDispatch(inc, e.unitId, (d) => ({ ...d, declinedAt: e.at, declineReason: e.reason }));
        release(e.unitId);
        entry.detail = e.reason;
        break;
      case 'dispatch.cancelled':
        next.dispatches = updateDispatch(inc, e.unitId, (d) => ({ ...d, cancelledAt: e.at, cancelReason: e.reason }));
        release(e.unitId);
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
        Object.assign(next, { resolvedAt: e.at, resolvedBy: e.operator, disposition: e.disposition, resolutionNote: e.note });
        if (e.override) next.overrideReason = e.override.reason;
        // Resolution ends every unit's job on it; a reopened incident is dispatched afresh.
        next.dispatches = inc.dispatches.map((d) => (isActiveDispatch(d) ? { ...d, releasedAt: e.at } : d));
        // The units are free for other jobs once the incident is closed.
        for (const d of inc.dispatches) release(d.unitId);
        entry.detail = e.disposition;
        break;
      case 'incident.reopened': {
        delete next.resolvedAt;
        delete next.resolvedBy;
        delete next.disposition;
        delete next.resolutionNote;
        delete next.overrideReason;
        next.reopenedAt = e.at;
        // A test press the station closed was taken by no one: the officer who reopens it takes it, now (its
        // acknowledgement is theirs and as late as it really was, never the station's 0 s).
        if (inc.acknowledgedBy === undefined) Object.assign(next, { acknowledgedAt: e.at, acknowledgedBy: e.operator, handler: e.operator });
        entry.detail = e.reason;
        break;
      }
      case 'incident.escalated':
        next.escalatedAt = e.at;
        break;
      case 'test.acknowledged':
        // The station takes and closes a test press at once; no officer, no dispatch.
        Object.assign(next, { acknowledgedAt: e.at, resolvedAt: e.at, disposition: 'test' });
        entry.detail = 'test';
        break;
      default:
        return missingCase(e);
    }
    next.state = deriveState(next);
    if (this.inPlace) next.timeline.push(entry);
    else {
      next.timeline = [...inc.timeline, entry];
      this.setIncident(next);
    }
  }
}

/** A map over a base it never changes: reads fall through to the base; writes and deletes stay here. */
export class OverlayMap<K, V> extends Map<K, V> {
  private readonly gone = new Set<K>();
  constructor(private readonly base: ReadonlyMap<K, V>) {
    super();
  }
  override get(k: K): V | undefined {
    return super.has(k) ? super.get(k) : this.gone.has(k) ? undefined : this.base.get(k);
  }
  override has(k: K): boolean {
    return super.has(k) || (!this.gone.has(k) && this.base.has(k));
  }
  override set(k: K, v: V): this {
    this.gone?.delete(k);
    return super.set(k, v);
  }
  override delete(k: K): boolean {
    const had = this.has(k);
    super.delete(k);
    if (this.base.has(k)) this.gone.add(k);
    return had;
  }
  override clear(): void {
    super.clear();
    for (const k of this.base.keys()) this.gone.add(k);
  }
  override get size(): number {
    let n = super.size;
    for (const k of this.base.keys()) if (!super.has(k) && !this.gone.has(k)) n++;
    return n;
  }
  override *entries(): MapIterator<[K, V]> {
    for (const [k, v] of this.base) if (!super.has(k) && !this.gone.has(k)) yield [k, v];
    yield* super.entries();
  }
  override *keys(): MapIterator<K> {
    for (const [k] of this.entries()) yield k;
  }
  override *values(): MapIterator<V> {
    for (const [, v] of this.entries()) yield v;
  }
  override [Symbol.iterator](): MapIterator<[K, V]> {
    return this.entries();
  }
  override forEach(fn: (v: V, k: K, m: Map<K, V>) => void, thisArg?: unknown): void {
    for (const [k, v] of this.entries()) fn.call(thisArg, v, k, this);
  }
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

/** Folds one record, persistently. Records that do not apply (see checkEvent) leave the state as it was, but advance seq. */
export function applyRecord(state: StationState, record: JournalRecord): StationState {
  if (!(record.seq > state.seq)) return state;
  return foldRecords([record], state);
}

/** Folds records in O(number of records): each collection is copied at most once. */
export function foldRecords(records: Iterable<JournalRecord>, from: StationState = emptyState): StationState {
  const f = new StationFold(from);
  for (const r of records) f.apply(r);
  // Nothing new (a replay of what was folded already): the same object back, so views need not re-render.
  return f.seq === from.seq ? from : f.state;
}

// main/ (core, Node) — the station core: turns terminal messages and operator commands into journal
// events, keeps the folded state, and tells listeners (gateways) about every change. No sockets here.
import { checkEvent, applyRecord, foldRecords, alarmKey, type Incident, type StationState } from '../shared/incidents';
import type { AlarmReceived, JournalRecord, OperatorRef, StationEvent } from '../shared/events';
import {
  parseAlarm,
  parseHeartbeat,
  refusal,
  type AlarmAck,
  type AlarmStatus,
  type HeartbeatAck,
  type Refusal,
} from '../shared/protocol';
import { can } from '../shared/roles';
import type { Journal } from './journal';
import type { Registry } from './registry';

export interface StationListener {
  /** A record was made durable and folded. */
  record?(record: JournalRecord): void;
  /** An alarm that could not be stored: shown anyway, until a retry stores it. */
  volatileChanged?(alarms: readonly AlarmReceived[]): void;
  /** Something the school's terminal should hear about its alarm. */
  alarmStatus?(deviceId: string, status: AlarmStatus): void;
}

export type CommandResult = { ok: true } | Refusal;

export interface DeviceLiveness {
  lastSeenAt: number;
  lastHeartbeat?: { sentAt: number; receivedAt: number; battery?: number; tamper?: boolean; powerSource?: string };
}

export class Station {
  private state: StationState;
  private readonly listeners = new Set<StationListener>();
  /** Alarms received while the journal refused writes, by alarm key. */
  private readonly volatile = new Map<string, AlarmReceived>();
  private readonly liveness = new Map<string, DeviceLiveness>();
  private readonly dayCounters = new Map<string, number>();

  constructor(
    readonly journal: Journal,
    readonly registry: Registry,
    private readonly now: () => number = Date.now,
  ) {
    this.state = foldRecords(journal.records);
    for (const inc of Object.values(this.state.incidents)) this.countIncidentId(inc.id);
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
  recordsAfter(seq: number): readonly JournalRecord[] {
    const all = this.journal.records;
    // seq has no gaps and starts at 1 in a healthy journal, so this is usually a slice; fall back to a scan.
    const first = all[0]?.seq ?? 1;
    const idx = Math.max(0, seq - first + 1);
    if (all[idx - 1] === undefined || all[idx - 1]!.seq === seq) return all.slice(idx);
    return all.filter((r) => r.seq > seq);
  }
  deviceLiveness(deviceId: string): DeviceLiveness | undefined {
    return this.liveness.get(deviceId);
  }

  /** Open incidents of one device, for re-sending alarm:status when it reconnects. */
  openIncidentsOf(deviceId: string): Incident[] {
    return Object.values(this.state.incidents).filter((i) => i.deviceId === deviceId && i.state !== 'resolved');
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
    const record = this.journal.append(event);
    this.state = applyRecord(this.state, record);
    this.emit('record', record);
    return record;
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

  private touch(deviceId: string, at: number): void {
    const l = this.liveness.get(deviceId) ?? { lastSeenAt: at };
    l.lastSeenAt = at;
    this.liveness.set(deviceId, l);
  }

  /** `alarm` from an authenticated terminal. The school comes from the registry, never the payload. */
  receiveAlarm(deviceId: string, payload: unknown): AlarmAck | Refusal {
    const parsed = parseAlarm(payload);
    if (!parsed.ok) return parsed;
    const terminal = this.registry.terminal(deviceId);
    if (!terminal || terminal.disabled) return refusal('forbidden', 'device is not registered or disabled');
    const at = this.now();
    this.touch(deviceId, at);
    const a = parsed.value;
    const key = alarmKey(deviceId, a.alarmId);
    const existingId = this.state.alarmIndex[key];
    if (existingId) {
      const inc = this.state.incidents[existingId]!;
      return { ok: true, incidentId: inc.id, receivedAt: inc.receivedAt, duplicate: true };
    }
    const pending = this.volatile.get(key);
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
      return refusal('not_durable', 'the station could not store the alarm durably; retry with the same alarmId');
    }
    if (pending) {
      this.volatile.delete(key);
      this.emit('volatileChanged', this.volatileAlarms);
    }
    this.emit('alarmStatus', deviceId, { alarmId: a.alarmId, incidentId: event.incidentId, state: 'received', at: event.at });
    return { ok: true, incidentId: event.incidentId, receivedAt: event.at };
  }

  receiveHeartbeat(deviceId: string, payload: unknown): HeartbeatAck | Refusal {
    const parsed = parseHeartbeat(payload);
    if (!parsed.ok) return parsed;
    const at = this.now();
    this.touch(deviceId, at);
    const l = this.liveness.get(deviceId)!;
    l.lastHeartbeat = { ...parsed.value, receivedAt: at };
    return { ok: true, serverTime: at };
  }

  deviceConnected(deviceId: string): void {
    this.touch(deviceId, this.now());
  }

  /** 接警 by a named operator. Refused for roles that may not, and for impossible transitions. */
  acknowledge(operator: OperatorRef, incidentId: unknown): CommandResult {
    if (!can(operator.role, 'incident.acknowledge')) return refusal('forbidden', `role ${operator.role} may not acknowledge alarms`);
    if (typeof incidentId !== 'string') return refusal('invalid_payload', 'incidentId must be a string');
    const inc = this.state.incidents[incidentId];
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
    this.emit('alarmStatus', inc.deviceId, { alarmId: inc.alarmId, incidentId, state: 'acknowledged', at: event.at });
    return { ok: true };
  }

  /** First render on a console. Idempotent: later reports are ignored. */
  markShown(operator: OperatorRef, incidentId: unknown): CommandResult {
    if (typeof incidentId !== 'string') return refusal('invalid_payload', 'incidentId must be a string');
    const inc = this.state.incidents[incidentId];
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

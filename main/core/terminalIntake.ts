// main/ (core, Node) — terminal intake: what a school's one-click terminal sends (station protocol v1): an
// alarm (never refused for load, never lost: shown even when it cannot be stored yet), repeat presses of an
// open alarm (counted on it, gathered under a flood), heartbeats and cancel requests.
import { alarmKey, type Incident } from '../../shared/incidents';
import type { AlarmReceived, StationEvent } from '../../shared/events';
import { STATION_TIME_ZONE, zonedParts } from '../../shared/duty';
import { parseAlarm, parseCancel, parseHeartbeat, refusal, type AlarmAck, type HeartbeatAck, type Refusal } from '../../shared/protocol';
import type { CommandResult, Ledger } from './ledger';
import type { Liveness } from './liveness';
import { RateLimiter } from './rateLimit';

/** Repeat presses of one device's open incident arriving faster than this share one record and one fsync. */
export const REPEAT_BATCH_MS = 100;
/** Up to this many repeat presses per second (and as a burst) of one incident are each written at once. */
export const REPEATS_AT_ONCE_PER_S = 10;

type AlarmAnswer = AlarmAck | Refusal;

export class TerminalIntake {
  /** Alarms received while the journal refused writes, by alarm key. */
  private readonly volatile = new Map<string, AlarmReceived>();
  private readonly dayCounters = new Map<string, number>();
  /** Repeated presses waiting for their shared fsync (see receiveRepeat), by incident. */
  private readonly repeatQueue = new Map<string, { deviceId: string; alarmIds: string[]; waiters: ((r: AlarmAnswer) => void)[] }>();
  private readonly repeatPending = new Map<string, Promise<AlarmAnswer>>();
  /** Repeat presses an incident may have written at once (each with its own fsync) before they are gathered. */
  private readonly repeatLimiter = new RateLimiter(REPEATS_AT_ONCE_PER_S, REPEATS_AT_ONCE_PER_S);
  private repeatTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly ledger: Ledger,
    private readonly liveness: Liveness,
    /** The station's time zone: an incident id carries the station's date, whatever the machine's zone. */
    private readonly timeZone: string = STATION_TIME_ZONE,
  ) {
    for (const [id, inc] of ledger.state.incidents) {
      this.countIncidentId(id);
      // Each terminal's last test press survives a restart: the journal knows it.
      if (inc.kind === 'test') {
        const l = liveness.live(inc.deviceId);
        if ((l.lastTestPressAt ?? 0) < inc.receivedAt) l.lastTestPressAt = inc.receivedAt;
      }
    }
    // Ids given out before a journal was lost are never given out again.
    if (ledger.journal.incidentIdHighWater !== undefined) this.countIncidentId(ledger.journal.incidentIdHighWater);
  }

  get volatileAlarms(): AlarmReceived[] {
    return [...this.volatile.values()];
  }

  /** An alarm shown but not stored yet, by its incident id (it cannot be acknowledged until stored). */
  isVolatile(incidentId: string): boolean {
    for (const v of this.volatile.values()) if (v.incidentId === incidentId) return true;
    return false;
  }

  /** `alarm` from an authenticated terminal. The school comes from the registry, never the payload. */
  receiveAlarm(deviceId: string, payload: unknown): AlarmAnswer {
    return this.intake(deviceId, payload, false) as AlarmAnswer;
  }

  /**
   * `alarm` as the gateway takes it: the same as receiveAlarm, except that while one device floods repeat
   * presses they are answered together after one shared fsync (see receiveRepeat).
   */
  pressAlarm(deviceId: string, payload: unknown): AlarmAnswer | Promise<AlarmAnswer> {
    return this.intake(deviceId, payload, true);
  }

  private intake(deviceId: string, payload: unknown, batch: boolean): AlarmAnswer | Promise<AlarmAnswer> {
    const parsed = parseAlarm(payload);
    if (!parsed.ok) return this.liveness.refused(deviceId, parsed);
    const terminal = this.ledger.registry.terminal(deviceId);
    if (!terminal || terminal.disabled) return refusal('forbidden', 'device is not registered or disabled');
    const at = this.ledger.now();
    this.liveness.touch(deviceId, at);
    const a = parsed.value;
    if (a.kind === 'test') this.liveness.live(deviceId).lastTestPressAt = at;
    const key = alarmKey(deviceId, a.alarmId);
    const state = this.ledger.state;
    const existingId = state.alarmIndex.get(key);
    if (existingId !== undefined) {
      const inc = state.incidents.get(existingId)!;
      return { ok: true, incidentId: inc.id, receivedAt: inc.receivedAt, duplicate: true };
    }
    const queued = this.repeatPending.get(key);
    if (queued) return queued; // a retry of a repeat press that is waiting for its fsync
    const pending = this.volatile.get(key);
    // Another press from a terminal whose incident of the same kind is still open: journalled on that incident
    // with a count, not a new card. One device's flood can then neither bury other schools' alarms in the queue
    // nor hold up their acks: its presses share one fsync per REPEAT_BATCH_MS.
    // A test press never joins: the station closes each one at once (below), so each is its own record.
    // A press in the school's announced drill window (演练报备) is that drill when the terminal does not say; a test
    // press stays a test. A terminal that says `drill: false` is believed: a real alarm during a drill (an intruder
    // in the middle of the evacuation) is never taken for the drill, nor joined to its card.
    const window = a.kind === 'test' || a.drill === false ? undefined : this.ledger.plan.drillWindowAt(terminal.schoolId, at);
    const drill = a.drill ?? window !== undefined;
    const open = pending || a.kind === 'test' ? undefined : this.ledger.openIncidentsOf(deviceId).find((i) => i.kind === a.kind && i.drill === drill);
    if (open) return this.receiveRepeat(deviceId, open, a.alarmId, key, at, batch);
    // The school's area class goes with the alarm (its on-scene target, whatever the school is classed later).
    const area = this.ledger.registry.school(terminal.schoolId)?.area;
    const event: AlarmReceived = pending ?? {
      type: 'alarm.received',
      at,
      incidentId: this.newIncidentId(at),
      deviceId,
      schoolId: terminal.schoolId,
      alarmId: a.alarmId,
      kind: a.kind,
      drill,
      raisedAt: a.raisedAt,
      ...(a.note !== undefined ? { note: a.note } : {}),
      ...(a.location !== undefined ? { location: a.location } : {}),
      ...(window ? { drillWindowId: window.id } : {}),
      ...(area !== undefined ? { area } : {}),
    };
    // A test press is taken and closed by the station in the same write (test.acknowledged): nobody works it.
    const test = event.kind === 'test';
    const stored = this.ledger.commit(test ? [event, { type: 'test.acknowledged', at, incidentId: event.incidentId }] : event);
    if (!stored.ok && test)
      return this.liveness.refused(deviceId, refusal('not_durable', 'the station could not store the test press; retry with the same alarmId'));
    if (!stored.ok) {
      // Not durable: the terminal will retry, but the officer must see the alarm now.
      console.error(`station: could not store alarm ${key}:`, stored.error.message);
      if (!pending) {
        this.volatile.set(key, event);
        this.ledger.emit('volatileChanged', this.volatileAlarms);
      }
      return this.liveness.refused(deviceId, refusal('not_durable', 'the station could not store the alarm durably; retry with the same alarmId'));
    }
    if (pending) {
      this.volatile.delete(key);
      this.ledger.emit('volatileChanged', this.volatileAlarms);
    }
    // (A test press's school has heard 接警 and 处置完毕 from the ledger already.)
    if (!test) this.ledger.tellSchool(this.ledger.state.incidents.get(event.incidentId)!, event.at);
    return { ok: true, incidentId: event.incidentId, receivedAt: event.at };
  }

  /**
   * A repeat press. The first in a while is written at once (one person pressing twice waits for nothing);
   * while presses keep coming they are gathered and written together, one record and one fsync per batch.
   */
  private receiveRepeat(deviceId: string, inc: Incident, alarmId: string, key: string, at: number, batch: boolean): AlarmAnswer | Promise<AlarmAnswer> {
    // A person pressing again, even several times a second, is written at once; only a flood is gathered.
    if (!batch || (!this.repeatQueue.has(inc.id) && this.repeatLimiter.take(inc.id, at))) {
      const [r] = this.writeRepeats([{ incidentId: inc.id, deviceId, alarmIds: [alarmId] }], at);
      return r!;
    }
    let q = this.repeatQueue.get(inc.id);
    if (!q) this.repeatQueue.set(inc.id, (q = { deviceId, alarmIds: [], waiters: [] }));
    q.alarmIds.push(alarmId);
    const p = new Promise<AlarmAnswer>((resolve) => q.waiters.push(resolve));
    this.repeatPending.set(key, p);
    this.repeatTimer ??= setTimeout(() => this.flushRepeats(), REPEAT_BATCH_MS);
    return p;
  }

  private flushRepeats(): void {
    this.repeatTimer = undefined;
    const at = this.ledger.now();
    const batches = [...this.repeatQueue.entries()].map(([incidentId, q]) => ({ incidentId, ...q }));
    this.repeatQueue.clear();
    const answers = this.writeRepeats(batches, at);
    batches.forEach((b, i) => {
      for (const a of b.alarmIds) this.repeatPending.delete(alarmKey(b.deviceId, a));
      for (const w of b.waiters) w(answers[i]!);
    });
  }

  /** Journals repeat presses (one fsync for all) and tells the terminals. */
  private writeRepeats(batches: { incidentId: string; deviceId: string; alarmIds: string[] }[], at: number): AlarmAnswer[] {
    // One record per incident and up to 500 presses.
    const perBatch = batches.map((b) => {
      const events: StationEvent[] = [];
      for (let i = 0; i < b.alarmIds.length; i += 500)
        events.push({ type: 'alarm.repeated', at, incidentId: b.incidentId, deviceId: b.deviceId, alarmIds: b.alarmIds.slice(i, i + 500) });
      return events;
    });
    let stored: Set<StationEvent>;
    try {
      stored = new Set(this.ledger.commitEach(perBatch.flat()));
    } catch (e) {
      console.error(`station: could not store ${batches.length} batches of repeated presses:`, (e as Error).message);
      return batches.map((b) =>
        this.liveness.refused(b.deviceId, refusal('not_durable', 'the station could not store the alarm durably; retry with the same alarmId')),
      );
    }
    return batches.map((b, i) => {
      const inc = this.ledger.state.incidents.get(b.incidentId)!;
      if (!perBatch[i]!.every((e) => stored.has(e))) return refusal('invalid_payload', `the presses could not be recorded on incident ${b.incidentId}`);
      // The school hears where its press stands: the incident it joined, in that incident's state. For a gathered
      // flood, once, for its last press (each press's ack already names the incident): a thousand status messages
      // a second to one terminal would only load the station.
      this.ledger.tellSchool(inc, at, b.alarmIds[b.alarmIds.length - 1]!);
      return { ok: true, incidentId: inc.id, receivedAt: at };
    });
  }

  receiveHeartbeat(deviceId: string, payload: unknown): HeartbeatAck | Refusal {
    const parsed = parseHeartbeat(payload);
    if (!parsed.ok) return this.liveness.refused(deviceId, parsed);
    const at = this.ledger.now();
    this.liveness.touch(deviceId, at);
    const l = this.liveness.live(deviceId);
    const hb = parsed.value;
    l.lastHeartbeat = { ...hb, receivedAt: at };
    l.skewMs = at - hb.sentAt;
    if (hb.tamper !== undefined && hb.tamper !== (this.ledger.state.devices.get(deviceId)?.faults.tamper !== undefined)) {
      this.ledger.tryCommit({ type: 'device.tamper', at, deviceId, tamper: hb.tamper });
    }
    return { ok: true, serverTime: at };
  }

  /** `cancel`: the school asks to withdraw an alarm. Recorded and shown; never closes the incident. */
  receiveCancel(deviceId: string, payload: unknown): CommandResult {
    const parsed = parseCancel(payload);
    if (!parsed.ok) return this.liveness.refused(deviceId, parsed);
    const at = this.ledger.now();
    this.liveness.touch(deviceId, at);
    const incidentId = this.ledger.state.alarmIndex.get(alarmKey(deviceId, parsed.value.alarmId));
    if (!incidentId) return this.liveness.refused(deviceId, refusal('unknown_alarm', `no alarm ${parsed.value.alarmId} from this device`));
    const inc = this.ledger.state.incidents.get(incidentId)!;
    if (inc.cancelRequest) return { ok: true }; // a retry of the same request
    if (inc.kind === 'test' && inc.resolvedAt !== undefined) return { ok: true }; // a test press is closed already: nothing to withdraw
    const r = this.ledger.commit({ type: 'alarm.cancel_requested', at, incidentId, reason: parsed.value.reason });
    return r.ok ? { ok: true } : this.liveness.refused(deviceId, r);
  }

  private countIncidentId(id: string): void {
    const m = /^(\d{8})-(\d+)$/.exec(id);
    if (m) this.dayCounters.set(m[1]!, Math.max(this.dayCounters.get(m[1]!) ?? 0, Number(m[2])));
  }

  /** Incident ids read like a case number: the station's date and a running number, e.g. 20261130-0003. */
  private newIncidentId(at: number): string {
    const d = zonedParts(at, this.timeZone);
    const day = `${d.year}${String(d.month).padStart(2, '0')}${String(d.day).padStart(2, '0')}`;
    const n = (this.dayCounters.get(day) ?? 0) + 1;
    this.dayCounters.set(day, n);
    return `${day}-${String(n).padStart(4, '0')}`;
  }
}

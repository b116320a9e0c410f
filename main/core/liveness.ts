// main/ (core, Node) — device liveness: when each terminal was last heard from, its heartbeat readings, what
// it was refused, the token bucket its non-alarm traffic passes, and supervision (offline after 3 silent
// intervals of a device heard since the start, escalation of alarms left unacknowledged past their target). Only online/offline, tamper and
// escalation are journalled; the rest is live state for the health screen.
import type { DeviceHealth } from '../../shared/consoleApi';
import { dueForEscalation } from '../../shared/consoleView';
import type { StationEvent } from '../../shared/events';
import { OFFLINE_AFTER_INTERVALS, SKEW_FLAG_MS, refusal, type ErrorCode, type Refusal } from '../../shared/protocol';
import type { Ledger } from './ledger';
import { RateLimiter } from './rateLimit';

export interface DeviceLiveness {
  lastSeenAt: number;
  connections: number;
  lastHeartbeat?: { sentAt: number; receivedAt: number; battery?: number; tamper?: boolean; powerSource?: string };
  lastTestPressAt?: number;
  skewMs?: number;
  refusals: Partial<Record<ErrorCode, number>>;
}

export class Liveness {
  private readonly devices = new Map<string, DeviceLiveness>();
  private readonly limiter: RateLimiter;

  constructor(
    private readonly ledger: Ledger,
    readonly heartbeatMs: number,
    /** Non-alarm events a device may send per second (burst: 4×). */
    eventsPerSecond: number,
  ) {
    this.limiter = new RateLimiter(eventsPerSecond, eventsPerSecond * 4);
    this.startedAt = ledger.now();
    // Terminals the journal has heard from before this start (an alarm or test press, a device event): one that does
    // not come back after a restart goes offline as it would have, counted from the start. Only a terminal never
    // heard from at all is "never connected".
    for (const id of ledger.state.devices.keys()) this.heardBefore.add(id);
    for (const inc of ledger.state.incidents.values()) this.heardBefore.add(inc.deviceId);
  }
  private readonly startedAt: number;
  private readonly heardBefore = new Set<string>();

  of(deviceId: string): DeviceLiveness | undefined {
    return this.devices.get(deviceId);
  }

  /** The device's entry, made on first use. */
  live(deviceId: string): DeviceLiveness {
    let l = this.devices.get(deviceId);
    if (!l) {
      l = { lastSeenAt: 0, connections: 0, refusals: {} };
      this.devices.set(deviceId, l);
    }
    return l;
  }

  /** Any sign of life: refreshes supervision and clears an offline fault. */
  touch(deviceId: string, at: number): void {
    this.live(deviceId).lastSeenAt = at;
    if (this.ledger.state.devices.get(deviceId)?.online === false) this.ledger.tryCommit({ type: 'device.online', at, deviceId });
  }

  /** Counts a refusal against the device (shown on the health screen) and passes it on. */
  refused<T extends Refusal>(deviceId: string, r: T): T {
    const l = this.live(deviceId);
    l.refusals[r.error.code] = (l.refusals[r.error.code] ?? 0) + 1;
    return r;
  }

  /** Non-alarm traffic from a device passes a token bucket; alarms never do. */
  allowEvent(deviceId: string): boolean {
    const ok = this.limiter.take(deviceId, this.ledger.now());
    if (!ok) this.refused(deviceId, refusal('rate_limited', ''));
    return ok;
  }

  connected(deviceId: string): void {
    this.live(deviceId).connections++;
    this.touch(deviceId, this.ledger.now());
  }

  disconnected(deviceId: string): void {
    const l = this.live(deviceId);
    l.connections = Math.max(0, l.connections - 1);
  }

  /** Called every second or so: devices silent for 3 heartbeat intervals go offline. */
  supervise(): void {
    const at = this.ledger.now();
    // Latching and escalation (GB 50394): past the acknowledge target an open alarm escalates on every console.
    const ackTarget = this.ledger.registry.targets().acknowledgeMs;
    const due: StationEvent[] = [];
    for (const inc of this.ledger.openIncidents()) {
      if (dueForEscalation(inc, at, ackTarget)) {
        due.push({ type: 'incident.escalated', at, incidentId: inc.id, reason: 'ack_overdue' });
      }
    }
    const limit = OFFLINE_AFTER_INTERVALS * this.heartbeatMs;
    for (const t of this.ledger.registry.snapshot.terminals) {
      if (t.disabled) continue;
      // A terminal never heard from since the start is "never connected" (the health screen says so), not an
      // offline fault on every console: a county still being installed would bury the alarm queue in faults.
      const lastSeenAt = this.devices.get(t.deviceId)?.lastSeenAt || (this.heardBefore.has(t.deviceId) ? this.startedAt : undefined);
      if (!lastSeenAt) continue;
      if (at - lastSeenAt > limit && this.ledger.state.devices.get(t.deviceId)?.online !== false) {
        due.push({ type: 'device.offline', at, deviceId: t.deviceId, lastSeenAt });
      }
    }
    // Several events with one fsync: supervision may take a whole district offline in one pass.
    if (due.length > 0) this.ledger.tryCommit(due);
  }

  /** Every registered terminal's health, as the health screen shows it. */
  health(): DeviceHealth[] {
    return this.ledger.registry.snapshot.terminals.map((t) => {
      const l = this.devices.get(t.deviceId);
      const d = this.ledger.state.devices.get(t.deviceId);
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
}

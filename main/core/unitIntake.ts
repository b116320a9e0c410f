// main/ (core, Node) — unit intake: what a patrol unit's device sends over `/unit` (positions, kept live for the
// map and never journalled; status, journalled), its answers to dispatches, and which dispatches still wait
// for an answer (the gateway re-sends them).
import type { UnitLive } from '../../shared/consoleApi';
import type { Incident } from '../../shared/incidents';
import type { StationEvent } from '../../shared/events';
import { parsePosition, parseUnitStatus, positionFixAt, refusal } from '../../shared/protocol';
import type { CommandResult, Ledger } from './ledger';
import type { Liveness } from './liveness';
import type { StationScopes } from './stationScope';
import { TrainingUnits } from './trainingUnits';

export class UnitIntake {
  private readonly live = new Map<string, UnitLive>();
  private readonly connections = new Map<string, number>();
  /** Bumped on every position or connection change, so gateways push unit positions only when they moved. */
  version = 0;
  /** Real units taking part in station training: their training jobs (never incidents). */
  readonly training: TrainingUnits;

  /** The guard post each unit's device last reported on: its first status on another post speaks for it. */
  private readonly spokeFor = new Map<string, string>();

  constructor(
    private readonly ledger: Ledger,
    private readonly liveness: Liveness,
    scopes: StationScopes,
  ) {
    this.training = new TrainingUnits(ledger, (unitId) => this.isConnected(unitId), scopes);
    // A unit whose device checked its post's last shift in has spoken for that post: a restart must not undo an
    // officer's check-out of it (the guard left, the device stayed on duty) at the device's first status. A unit moved
    // onto a post (its last shift someone else's) still checks it in at its first status there.
    for (const u of ledger.registry.snapshot.units)
      if (u.postId !== undefined && ledger.state.units.has(u.id) && ledger.plan.lastShift(u.postId)?.inBy === u.id) this.spokeFor.set(u.id, u.postId);
  }

  /** Whether the unit's device has a connection now. */
  isConnected(unitId: string): boolean {
    return (this.connections.get(unitId) ?? 0) > 0;
  }

  connected(unitId: string, connected: boolean): void {
    const n = Math.max(0, (this.connections.get(unitId) ?? 0) + (connected ? 1 : -1));
    this.connections.set(unitId, n);
    const u = this.live.get(unitId);
    if (u) u.connected = n > 0;
    this.version++;
  }

  /**
   * `position` from a unit (not acked): kept live for the map; a bad fix is refused and counted. Ordered by the
   * station's receive time (positionFixAt): a unit's wrong clock can neither freeze it nor hide it.
   */
  receivePosition(unitId: string, payload: unknown): CommandResult {
    const parsed = parsePosition(payload);
    if (!parsed.ok) return this.liveness.refused(unitId, parsed);
    const p = parsed.value;
    const receivedAt = this.ledger.now();
    const at = positionFixAt(this.live.get(unitId), p.at, receivedAt);
    if (at === undefined) return { ok: true }; // an older fix overtaken on the way changes nothing
    this.live.set(unitId, {
      unitId,
      lat: p.lat,
      lng: p.lng,
      at,
      receivedAt,
      connected: (this.connections.get(unitId) ?? 0) > 0,
      ...(p.heading !== undefined ? { heading: p.heading } : {}),
      ...(p.speed !== undefined ? { speed: p.speed } : {}),
    });
    this.version++;
    return { ok: true };
  }

  /** `status` from a unit. With an incidentId it may only move incidents the unit was dispatched to. */
  receiveStatus(unitId: string, payload: unknown): CommandResult {
    const parsed = parseUnitStatus(payload);
    if (!parsed.ok) return this.liveness.refused(unitId, parsed);
    const st = parsed.value;
    const at = this.ledger.now();
    const state = this.ledger.state;
    const events: StationEvent[] = [];
    // A training job's step goes to the trainee's console only: not the unit's real state, not an incident.
    if (st.incidentId !== undefined && this.training.status(unitId, st.incidentId, st.state)) return { ok: true };
    if (st.incidentId !== undefined) {
      // A unit may only move incidents it was dispatched to.
      if (state.assignments.get(unitId) !== st.incidentId) {
        return this.liveness.refused(unitId, refusal('forbidden', `unit ${unitId} was not dispatched to incident ${st.incidentId}`));
      }
      if (st.state === 'en_route' || st.state === 'on_scene') {
        // A repeat (retry) of a step already recorded is fine; anything else impossible is refused.
        const d = state.incidents.get(st.incidentId)!.dispatches.find((x) => x.unitId === unitId && x.cancelledAt === undefined && x.declinedAt === undefined);
        const already = st.state === 'en_route' ? d?.enRouteAt !== undefined : d?.onSceneAt !== undefined;
        if (!already) events.push({ type: 'dispatch.progress', at, incidentId: st.incidentId, unitId, state: st.state });
      }
    }
    const before = state.units.get(unitId)?.state;
    if (before !== st.state) events.push({ type: 'unit.status', at, unitId, state: st.state, reportedAt: st.at });
    // A guard post's own device: going on duty checks the post in, going off duty checks it out (the plan board's
    // coverage). Only when its duty changes, or at its first status on this post (a new unit, or one moved onto it):
    // an officer who checked the post out (the guard left, the device stayed on) is not undone by the device's next
    // status of the same duty, nor by a restart of the core (spokeFor is seeded in the constructor from the post's
    // last shift).
    const postId = this.ledger.registry.unit(unitId)?.postId;
    const onDuty = st.state !== 'off_duty';
    if (postId && this.ledger.registry.guardPost(postId)) {
      const speaks = before === undefined || this.spokeFor.get(unitId) !== postId || onDuty !== (before !== 'off_duty');
      if (speaks && onDuty !== this.ledger.plan.isStaffed(postId)) events.push({ type: 'post.checked', at, postId, state: onDuty ? 'in' : 'out', unitId });
    }
    // The step and the unit's new status are stored together or not at all (a refused status speaks again when resent).
    const r = events.length === 0 ? ({ ok: true } as const) : this.ledger.commit(events);
    if (!r.ok) return this.liveness.refused(unitId, r);
    if (postId) this.spokeFor.set(unitId, postId);
    return { ok: true };
  }

  /** The unit's device answered a dispatch: { ok: true } accepts, { ok: false, reason } declines. */
  dispatchAnswered(unitId: string, incidentId: string, answer: unknown): void {
    const a = (typeof answer === 'object' && answer !== null ? answer : {}) as { ok?: unknown; reason?: unknown };
    const at = this.ledger.now();
    const event: StationEvent =
      a.ok === true
        ? { type: 'dispatch.accepted', at, incidentId, unitId }
        : { type: 'dispatch.declined', at, incidentId, unitId, reason: typeof a.reason === 'string' ? a.reason.slice(0, 500) : 'declined' };
    this.ledger.tryCommit(event);
  }

  /** Dispatches waiting for their unit's ack: re-sent until acked, cancelled or the incident is closed. */
  pendingDeliveries(unitId?: string): { unitId: string; incident: Incident }[] {
    const out: { unitId: string; incident: Incident }[] = [];
    const state = this.ledger.state;
    for (const [u, incidentId] of [...state.assignments.entries()]) {
      if (unitId !== undefined && u !== unitId) continue;
      const inc = state.incidents.get(incidentId);
      const d = inc?.dispatches.find((x) => x.unitId === u && x.cancelledAt === undefined && x.declinedAt === undefined);
      if (inc && d && d.mode === 'device' && d.acceptedAt === undefined) out.push({ unitId: u, incident: inc });
    }
    return out;
  }

  unitsLive(): UnitLive[] {
    return [...this.live.values()];
  }
}

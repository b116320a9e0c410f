// main/ (core, Node) — operator commands: what a named officer does to an incident from a console (接警,
// notes, call-back, take-over, 派警, progress, 处置完毕, reopen) and to a device fault. Roles are checked here,
// against the operator of the session, never anything the page says; payloads by the console contract (the same
// admission as the gateway's, for callers that reach the core directly); transitions by the shared rules.
import { admitCommand, MUTE_MS, type CommandName, type ConsoleRequest } from '../../shared/consoleContract';
import { dispositionConflict, type Incident } from '../../shared/incidents';
import type { DeviceFaultKind, Disposition, OperatorRef, StationEvent } from '../../shared/events';
import { refusal, type Refusal } from '../../shared/protocol';
import type { CommandResult, Ledger } from './ledger';
import { otherStation, StationScopes } from './stationScope';

/**
 * The most notes and call-backs one incident holds (together). Each is journalled, sent to every console and kept
 * in the incident for ever: without a bound, one session's script (or a console stuck in a loop) could add
 * thousands a second to one incident, and every console that opens it would have to lay them all out. A real
 * incident has a handful; the resolution's own note is apart.
 */
export const MAX_NOTES_PER_INCIDENT = 200;

function notesFull(inc: Incident): Refusal | undefined {
  return inc.notes.length >= MAX_NOTES_PER_INCIDENT
    ? refusal('forbidden', `incident ${inc.id} already holds ${MAX_NOTES_PER_INCIDENT} notes and call-backs, the most it can`, 'too_many_notes')
    : undefined;
}

export class OperatorCommands {
  constructor(
    private readonly ledger: Ledger,
    /** Whether an incident is shown but not stored yet (terminal intake's volatile alarms). */
    private readonly isVolatile: (incidentId: string) => boolean,
    /** Which station's incidents, faults and units each operator may act on (shared/stations.ts). */
    private readonly scopes: StationScopes = new StationScopes(ledger),
  ) {}

  /**
   * Runs an incident command: permission and payload (the contract's admission), the incident, then the events
   * it makes, committed in one write; every refusal is explained.
   */
  private command<K extends CommandName & keyof IncidentCommands>(
    name: K,
    operator: OperatorRef,
    payload: ConsoleRequest<K>,
    build: (req: ConsoleRequest<K>, inc: Incident, at: number) => StationEvent | StationEvent[] | Refusal,
  ): CommandResult {
    const req = admitCommand(name, operator, payload);
    if (!req.ok) return req;
    const inc = this.ledger.state.incidents.get(req.value.incidentId);
    if (!inc) return this.unknown(req.value.incidentId);
    // Another station's incident: refused whatever the command, before anything of it is looked at.
    if (!this.scopes.sees(this.scopes.of(operator), inc)) return otherStation(`incident ${inc.id}`);
    const built = build(req.value, inc, this.ledger.now());
    if ('ok' in built) return built;
    if (Array.isArray(built) && built.length === 0) return { ok: true }; // nothing new to record (a repeat)
    const r = this.ledger.commit(built);
    return r.ok ? { ok: true } : r;
  }

  private unknown(incidentId: string): Refusal {
    return this.isVolatile(incidentId)
      ? refusal('not_durable', 'this alarm is not stored yet; it can be acknowledged once the station has stored it', 'not_stored')
      : refusal('unknown_alarm', `no incident ${incidentId}`);
  }

  /** 接警 by a named operator. Refused for roles that may not, and for impossible transitions. */
  acknowledge(operator: OperatorRef, incidentId: string): CommandResult {
    return this.command('acknowledge', operator, { incidentId }, (_r, inc, at) => ({ type: 'incident.acknowledged', at, incidentId: inc.id, operator }));
  }

  /** First render on a console. Idempotent: later reports are ignored. */
  markShown(operator: OperatorRef, incidentId: string): CommandResult {
    // "Shown" is the moment a duty console showed the alarm to someone who can take it: a trainer's or an
    // admin's screen does not count (and may not write to the journal).
    return this.command('shown', operator, { incidentId }, (_r, inc, at) =>
      inc.shownAt !== undefined ? [] : { type: 'incident.shown', at, incidentId: inc.id, operator },
    );
  }

  addNote(operator: OperatorRef, incidentId: string, text: string): CommandResult {
    return this.command(
      'note',
      operator,
      { incidentId, text },
      (r, inc, at) =>
        notesFull(inc) ?? {
          type: 'incident.note',
          at,
          incidentId: inc.id,
          operator,
          text: r.text.trim(),
        },
    );
  }

  recordCallBack(operator: OperatorRef, incidentId: string, outcome: string): CommandResult {
    return this.command(
      'callBack',
      operator,
      { incidentId, outcome },
      (r, inc, at) =>
        notesFull(inc) ?? {
          type: 'incident.called_back',
          at,
          incidentId: inc.id,
          operator,
          outcome: r.outcome.trim(),
        },
    );
  }

  takeOver(operator: OperatorRef, incidentId: string): CommandResult {
    return this.command('takeOver', operator, { incidentId }, (_r, inc, at) =>
      inc.handler
        ? { type: 'incident.taken_over', at, incidentId: inc.id, operator, from: inc.handler }
        : refusal('forbidden', `incident ${inc.id} is not acknowledged yet: acknowledge it instead`, 'not_acknowledged'),
    );
  }

  /** 派警. A unit with a device gets the job over /unit (re-sent until it acks); without one it is a radio dispatch. */
  dispatchUnit(operator: OperatorRef, incidentId: string, unitId: string): CommandResult {
    return this.command('dispatch', operator, { incidentId, unitId }, (r, inc, at): StationEvent[] | Refusal => {
      const unit = this.ledger.registry.unit(r.unitId);
      if (!unit || unit.disabled) return refusal('invalid_payload', `no unit ${r.unitId}`, 'unknown_unit');
      // A station sends its own units (the county's other stations are asked by phone or radio, not from here).
      if (!this.scopes.seesUnit(this.scopes.of(operator), r.unitId)) return otherStation(`unit ${r.unitId}`);
      const mode = unit.hasDevice ? 'device' : 'radio';
      const dispatched: StationEvent = { type: 'incident.dispatched', at, incidentId: inc.id, operator, unitId: r.unitId, mode };
      // On the radio the unit answers at once; the officer records that by dispatching. Both in one write.
      return mode === 'radio' ? [dispatched, { type: 'dispatch.accepted', at, incidentId: inc.id, unitId: r.unitId, operator }] : [dispatched];
    });
  }

  cancelDispatch(operator: OperatorRef, incidentId: string, unitId: string, reason: string): CommandResult {
    return this.command('cancelDispatch', operator, { incidentId, unitId, reason }, (r, inc, at) => ({
      type: 'dispatch.cancelled',
      at,
      incidentId: inc.id,
      unitId: r.unitId,
      operator,
      reason: r.reason,
    }));
  }

  /** The officer records a radio unit's progress (or overrides a unit whose device is silent). */
  recordProgress(operator: OperatorRef, incidentId: string, unitId: string, state: 'en_route' | 'on_scene'): CommandResult {
    return this.command('progress', operator, { incidentId, unitId, state }, (r, inc, at) => ({
      type: 'dispatch.progress',
      at,
      incidentId: inc.id,
      unitId: r.unitId,
      state: r.state,
      operator,
    }));
  }

  /**
   * 处置完毕. A disposition that contradicts the incident (a drill as real, a real alarm as a drill, a test press as
   * real: dispositionConflict) is refused unless the officer overrides it with a reason, journalled with it.
   */
  resolve(operator: OperatorRef, incidentId: string, disposition: Disposition, note: string, override?: { reason: string }): CommandResult {
    const payload = { incidentId, disposition, note, ...(override ? { override } : {}) };
    return this.command('resolve', operator, payload, (r, inc, at) => {
      const nature = dispositionConflict(inc, r.disposition);
      if (nature !== undefined && !r.override)
        return refusal(
          'forbidden',
          `incident ${inc.id} is a ${nature === 'real' ? 'real alarm' : nature}: resolving it as ${r.disposition} needs an override with a reason`,
          'disposition_conflict',
        );
      return {
        type: 'incident.resolved',
        at,
        incidentId: inc.id,
        operator,
        disposition: r.disposition,
        note: r.note.trim(),
        ...(nature !== undefined && r.override ? { override: { reason: r.override.reason.trim() } } : {}),
      };
    });
  }

  reopen(operator: OperatorRef, incidentId: string, reason: string): CommandResult {
    return this.command('reopen', operator, { incidentId, reason }, (r, inc, at) => ({
      type: 'incident.reopened',
      at,
      incidentId: inc.id,
      operator,
      reason: r.reason.trim(),
    }));
  }

  /**
   * The officer silences their console's alarm sound for MUTE_MS with a reason: journalled (sound.muted) with
   * their name, so the record says who silenced an alarm and why. The console keeps the mute itself.
   */
  mute(operator: OperatorRef, reason: string): CommandResult {
    const req = admitCommand('mute', operator, { reason });
    if (!req.ok) return req;
    const r = this.ledger.commit({ type: 'sound.muted', at: this.ledger.now(), operator, reason: req.value.reason.trim(), durationMs: MUTE_MS });
    return r.ok ? { ok: true } : r;
  }

  /** An officer has seen a device fault: its sound stops; the fault stays until the device clears it. */
  acknowledgeFault(operator: OperatorRef, deviceId: string, fault: DeviceFaultKind): CommandResult {
    const req = admitCommand('acknowledgeFault', operator, { deviceId, fault });
    if (!req.ok) return req;
    if (!this.scopes.seesDevice(this.scopes.of(operator), req.value.deviceId)) return otherStation(`device ${req.value.deviceId}`);
    const r = this.ledger.commit(
      { type: 'device.fault_acknowledged', at: this.ledger.now(), deviceId: req.value.deviceId, fault: req.value.fault, operator },
      'unknown_alarm',
    );
    return r.ok ? { ok: true } : r;
  }
}

/** The commands that act on one incident (their request names it). */
type IncidentCommands = { [K in CommandName as ConsoleRequest<K> extends { incidentId: string } ? K : never]: true };

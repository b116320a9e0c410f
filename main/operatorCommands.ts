// main/ (core, Node) — operator commands: what a named officer does to an incident from a console (接警,
// notes, call-back, take-over, 派警, progress, 处置完毕, reopen) and to a device fault. Roles are checked here,
// against the operator of the session, never anything the page says; transitions by the shared rules.
import type { Incident } from '../shared/incidents';
import { DISPOSITIONS, type DeviceFaultKind, type Disposition, type OperatorRef, type StationEvent } from '../shared/events';
import { refusal, type Refusal } from '../shared/protocol';
import { can } from '../shared/roles';
import type { CommandResult, Ledger } from './ledger';

export class OperatorCommands {
  constructor(
    private readonly ledger: Ledger,
    /** Whether an incident is shown but not stored yet (terminal intake's volatile alarms). */
    private readonly isVolatile: (incidentId: string) => boolean,
  ) {}

  /** Runs a lifecycle command: role check, transition check, one durable append; every refusal is explained. */
  private command(operator: OperatorRef, incidentId: unknown, build: (inc: Incident, at: number) => StationEvent | StationEvent[] | Refusal): CommandResult {
    if (!can(operator.role, 'incident.handle')) return refusal('forbidden', `role ${operator.role} may not handle incidents`);
    if (typeof incidentId !== 'string') return refusal('invalid_payload', 'incidentId must be a string');
    const inc = this.ledger.state.incidents.get(incidentId);
    if (!inc) return refusal('unknown_alarm', `no incident ${incidentId}`);
    const built = build(inc, this.ledger.now());
    if ('ok' in built) return built;
    const r = this.ledger.commit(built);
    return r.ok ? { ok: true } : r;
  }

  /** 接警 by a named operator. Refused for roles that may not, and for impossible transitions. */
  acknowledge(operator: OperatorRef, incidentId: unknown): CommandResult {
    if (!can(operator.role, 'incident.acknowledge')) return refusal('forbidden', `role ${operator.role} may not acknowledge alarms`);
    if (typeof incidentId !== 'string') return refusal('invalid_payload', 'incidentId must be a string');
    if (!this.ledger.state.incidents.has(incidentId)) {
      return this.isVolatile(incidentId)
        ? refusal('not_durable', 'this alarm is not stored yet; it can be acknowledged once the station has stored it')
        : refusal('unknown_alarm', `no incident ${incidentId}`);
    }
    const r = this.ledger.commit({ type: 'incident.acknowledged', at: this.ledger.now(), incidentId, operator });
    return r.ok ? { ok: true } : r;
  }

  /** First render on a console. Idempotent: later reports are ignored. */
  markShown(operator: OperatorRef, incidentId: unknown): CommandResult {
    // "Shown" is the moment a duty console showed the alarm to someone who can take it: a trainer's or an
    // admin's screen does not count (and may not write to the journal).
    if (!can(operator.role, 'incident.acknowledge')) return refusal('forbidden', `role ${operator.role} does not report alarms as shown`);
    if (typeof incidentId !== 'string') return refusal('invalid_payload', 'incidentId must be a string');
    const inc = this.ledger.state.incidents.get(incidentId);
    if (!inc) return refusal('unknown_alarm', `no incident ${incidentId}`);
    if (inc.shownAt !== undefined) return { ok: true };
    const r = this.ledger.commit({ type: 'incident.shown', at: this.ledger.now(), incidentId, operator });
    return r.ok ? { ok: true } : r;
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
    const unit = this.ledger.registry.unit(unitId);
    if (!unit || unit.disabled) return refusal('invalid_payload', `no unit ${unitId}`);
    return this.command(operator, incidentId, (inc, at): StationEvent[] => {
      const mode = unit.hasDevice ? 'device' : 'radio';
      const dispatched: StationEvent = { type: 'incident.dispatched', at, incidentId: inc.id, operator, unitId, mode };
      // On the radio the unit answers at once; the officer records that by dispatching. Both in one write.
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

  /** An officer has seen a device fault: its sound stops; the fault stays until the device clears it. */
  acknowledgeFault(operator: OperatorRef, deviceId: unknown, fault: unknown): CommandResult {
    if (!can(operator.role, 'device.acknowledgeFault')) return refusal('forbidden', `role ${operator.role} may not acknowledge device faults`);
    if (typeof deviceId !== 'string' || (fault !== 'offline' && fault !== 'tamper')) return refusal('invalid_payload', 'expected { deviceId, fault: offline | tamper }');
    const r = this.ledger.commit({ type: 'device.fault_acknowledged', at: this.ledger.now(), deviceId, fault: fault as DeviceFaultKind, operator }, 'unknown_alarm');
    return r.ok ? { ok: true } : r;
  }
}

// shared/ — the transition rules: which event may follow the state. The core asks before it writes, so an
// impossible transition never reaches the journal; every replica's fold checks the same rules.
import { DEVICE_FAULT_KINDS, missingCase, type Disposition, type StationEvent } from './events';
import type { RefusalReason } from './protocol';
import { alarmKey, isActiveDispatch, type DeviceFault, type DeviceState, type Dispatch, type Incident, type StationState } from './incidentModel';

const isResolved = (i: Incident): boolean => i.resolvedAt !== undefined;
const activeDispatchOf = (i: Incident, unitId: string): Dispatch | undefined => i.dispatches.find((d) => d.unitId === unitId && isActiveDispatch(d));

/** A refusal says why (message, English, for logs and tools) and, where an officer can meet it, the reason's code. */
export type Check = { ok: true } | { ok: false; message: string; reason?: RefusalReason };

const FAULT_KINDS: ReadonlySet<string> = new Set<string>(DEVICE_FAULT_KINDS);
export const faultOf = (d: DeviceState | undefined, kind: string): DeviceFault | undefined =>
  d !== undefined && FAULT_KINDS.has(kind) ? d.faults[kind as (typeof DEVICE_FAULT_KINDS)[number]] : undefined;

/** What an incident is by its alarm: a test press, a drill, or a real alarm (any other kind, not flagged drill). */
export const natureOf = (i: Pick<Incident, 'kind' | 'drill'>): 'test' | 'drill' | 'real' => (i.kind === 'test' ? 'test' : i.drill ? 'drill' : 'real');

/**
 * Whether a disposition contradicts what the incident is: 'real', 'drill' and 'test' each name a nature, and one
 * that is not the incident's (a drill resolved as real, a real alarm as a drill, a test press as real …) is a
 * contradiction the core refuses unless the officer overrides it with a reason. false_alarm and
 * cancelled_by_school fit any incident. Returns the incident's nature when it contradicts, else undefined.
 */
export function dispositionConflict(i: Pick<Incident, 'kind' | 'drill'>, disposition: Disposition): 'test' | 'drill' | 'real' | undefined {
  if (disposition !== 'real' && disposition !== 'drill' && disposition !== 'test') return undefined;
  const nature = natureOf(i);
  return disposition === nature ? undefined : nature;
}

/**
 * Whether `event` may be appended to `state`. The core asks this before it writes, so an
 * impossible transition never reaches the journal; the reducer can then trust the log.
 * Total: any value answers ok or a reason, never throws (an event type it does not know is refused).
 */
export function checkEvent(state: StationState, event: StationEvent): Check {
  try {
    return checkKnown(state, event);
  } catch (e) {
    return { ok: false, message: `malformed ${String((event as { type?: unknown } | null)?.type)} event: ${(e as Error).message}` };
  }
}

function checkKnown(state: StationState, event: StationEvent): Check {
  if (typeof event !== 'object' || event === null || typeof event.type !== 'string') return { ok: false, message: 'not an event' };
  if (isLifecycleEvent(event)) {
    const inc = state.incidents.get(event.incidentId);
    return inc ? checkLifecycle(state, inc, event) : { ok: false, message: `no incident ${event.incidentId}` };
  }
  switch (event.type) {
    case 'alarm.received': {
      if (state.incidents.has(event.incidentId)) return { ok: false, message: `incident ${event.incidentId} already exists` };
      const existing = state.alarmIndex.get(alarmKey(event.deviceId, event.alarmId));
      if (existing !== undefined) return { ok: false, message: `alarm ${event.alarmId} of ${event.deviceId} is already incident ${existing}` };
      return { ok: true };
    }
    case 'alarm.repeated': {
      const inc = state.incidents.get(event.incidentId);
      if (!inc) return { ok: false, message: `no incident ${event.incidentId}` };
      if (inc.deviceId !== event.deviceId) return { ok: false, message: `incident ${event.incidentId} is not an alarm of ${event.deviceId}` };
      if (!Array.isArray(event.alarmIds) || event.alarmIds.length === 0) return { ok: false, message: 'a repeated press names its alarmIds' };
      const seen = new Set<string>();
      for (const a of event.alarmIds) {
        if (seen.has(a) || state.alarmIndex.has(alarmKey(event.deviceId, a)))
          return { ok: false, message: `alarm ${a} of ${event.deviceId} is already recorded` };
        seen.add(a);
      }
      return { ok: true };
    }
    case 'incident.shown': {
      const inc = state.incidents.get(event.incidentId);
      if (!inc) return { ok: false, message: `no incident ${event.incidentId}` };
      if (inc.shownAt !== undefined) return { ok: false, message: `incident ${event.incidentId} was already shown` };
      return { ok: true };
    }
    case 'incident.acknowledged': {
      const inc = state.incidents.get(event.incidentId);
      if (!inc) return { ok: false, message: `no incident ${event.incidentId}` };
      if (inc.acknowledgedAt !== undefined) {
        return {
          ok: false,
          message: `incident ${event.incidentId} was already acknowledged by ${inc.acknowledgedBy?.displayName ?? '?'}`,
          reason: 'already_acknowledged',
        };
      }
      if (isResolved(inc)) return { ok: false, message: `incident ${event.incidentId} is resolved`, reason: 'already_resolved' };
      return { ok: true };
    }
    case 'device.offline':
      return state.devices.get(event.deviceId)?.online === false ? { ok: false, message: `${event.deviceId} is already offline` } : { ok: true };
    case 'device.online':
      return state.devices.get(event.deviceId)?.online === false ? { ok: true } : { ok: false, message: `${event.deviceId} is not offline` };
    case 'device.tamper': {
      const open = faultOf(state.devices.get(event.deviceId), 'tamper') !== undefined;
      return open === event.tamper ? { ok: false, message: `${event.deviceId} tamper is already ${event.tamper ? 'raised' : 'clear'}` } : { ok: true };
    }
    case 'device.test_overdue':
      return faultOf(state.devices.get(event.deviceId), 'test_overdue') !== undefined
        ? { ok: false, message: `${event.deviceId} is already overdue for its test press` }
        : { ok: true };
    case 'device.fault_acknowledged': {
      if (!FAULT_KINDS.has(event.fault)) return { ok: false, message: `no such fault kind ${String(event.fault)}` };
      const f = faultOf(state.devices.get(event.deviceId), event.fault);
      if (!f) return { ok: false, message: `${event.deviceId} has no open ${event.fault} fault`, reason: 'fault_not_open' };
      if (f.acknowledgedAt !== undefined)
        return {
          ok: false,
          message: `the ${event.fault} fault of ${event.deviceId} was already acknowledged by ${f.acknowledgedBy?.displayName ?? '?'}`,
          reason: 'fault_already_acknowledged',
        };
      return { ok: true };
    }
    case 'unit.status':
      return { ok: true };
    case 'admin.action':
      // An audit record: the registry file changed, not the incidents.
      return { ok: true };
    case 'sound.muted':
      // An audit record: a console's sound was silenced, the incidents are unchanged.
      return { ok: true };
    case 'inspection.recorded':
    case 'finding.closed':
    case 'school_drill.recorded':
    case 'post.checked':
    case 'drill_window.registered':
    case 'drill_window.cancelled':
    case 'training.completed':
    case 'training.unit':
      // The plan's records (and the training results) are kept beside the state (shared/planRecords.ts; the core checks them before committing).
      return { ok: true };
    case 'record.withheld':
      // Another station's record, withheld from this console (shared/stations.ts): the core never writes one.
      return { ok: true };
    case 'journal.unreadable':
      // A placeholder for a record the core could not read: it keeps the numbering, and changes nothing.
      return { ok: true };
    default:
      // A record type this build does not know (a newer station, or damage): skipped, never fatal.
      return { ok: false, message: `unknown event type ${JSON.stringify((event as { type: unknown }).type)}` };
  }
}

export type LifecycleEvent = Exclude<
  Extract<StationEvent, { incidentId: string }>,
  { type: 'alarm.received' | 'alarm.repeated' | 'incident.shown' | 'incident.acknowledged' }
>;

/** Every step after the alarm is taken, handled by checkLifecycle/applyLifecycle. */
const LIFECYCLE_TYPES: ReadonlySet<string> = new Set<LifecycleEvent['type']>([
  'alarm.cancel_requested',
  'incident.called_back',
  'incident.note',
  'incident.taken_over',
  'incident.dispatched',
  'dispatch.accepted',
  'dispatch.declined',
  'dispatch.cancelled',
  'dispatch.progress',
  'incident.resolved',
  'incident.reopened',
  'incident.escalated',
  'test.acknowledged',
]);
export const isLifecycleEvent = (e: StationEvent): e is LifecycleEvent => LIFECYCLE_TYPES.has(e.type);

const no = (message: string, reason?: RefusalReason): Check => (reason ? { ok: false, message, reason } : { ok: false, message });

/** The incident state machine: which lifecycle step may follow which. */
function checkLifecycle(state: StationState, inc: Incident, e: LifecycleEvent): Check {
  const id = inc.id;
  const open = !isResolved(inc);
  switch (e.type) {
    case 'alarm.cancel_requested':
    case 'incident.called_back':
      return open ? { ok: true } : no(`incident ${id} is already resolved`, 'already_resolved');
    case 'incident.note':
      return typeof e.text !== 'string' || e.text.trim() === '' ? no('a note needs text', 'empty_text') : { ok: true };
    case 'incident.taken_over':
      if (!open) return no(`incident ${id} is resolved`, 'already_resolved');
      if (inc.acknowledgedAt === undefined) return no(`incident ${id} is not acknowledged yet: acknowledge it instead`, 'not_acknowledged');
      return inc.handler?.username === e.operator.username ? no(`you already handle incident ${id}`, 'already_handling') : { ok: true };
    case 'incident.dispatched': {
      if (!open) return no(`incident ${id} is resolved`, 'already_resolved');
      if (inc.acknowledgedAt === undefined) return no(`acknowledge incident ${id} before dispatching`, 'not_acknowledged');
      if (activeDispatchOf(inc, e.unitId)) return no(`unit ${e.unitId} is already dispatched to incident ${id}`, 'already_dispatched');
      const elsewhere = state.assignments.get(e.unitId);
      return elsewhere !== undefined
        ? no(`unit ${e.unitId} is assigned to incident ${elsewhere}; withdraw it there first`, 'unit_assigned_elsewhere')
        : { ok: true };
    }
    case 'dispatch.accepted':
    case 'dispatch.declined': {
      if (!open) return no(`incident ${id} is resolved`, 'already_resolved');
      const d = activeDispatchOf(inc, e.unitId);
      if (!d) return no(`unit ${e.unitId} has no active dispatch to incident ${id}`, 'no_active_dispatch');
      return d.acceptedAt !== undefined ? no(`unit ${e.unitId} already accepted incident ${id}`, 'already_accepted') : { ok: true };
    }
    case 'dispatch.cancelled':
      return activeDispatchOf(inc, e.unitId) ? { ok: true } : no(`unit ${e.unitId} has no active dispatch to incident ${id}`, 'no_active_dispatch');
    case 'dispatch.progress': {
      const d = activeDispatchOf(inc, e.unitId);
      if (!d || !open) return no(`unit ${e.unitId} was not dispatched to open incident ${id}`, 'no_active_dispatch');
      if (d.onSceneAt !== undefined) return no(`unit ${e.unitId} is already on scene`, 'already_on_scene');
      return e.state === 'en_route' && d.enRouteAt !== undefined ? no(`unit ${e.unitId} is already en route`, 'already_en_route') : { ok: true };
    }
    case 'incident.resolved':
      if (!open) return no(`incident ${id} is already resolved`, 'already_resolved');
      return inc.acknowledgedAt === undefined ? no(`acknowledge incident ${id} before resolving it`, 'not_acknowledged') : { ok: true };
    case 'incident.reopened':
      return open ? no(`incident ${id} is not resolved`, 'not_resolved') : { ok: true };
    case 'incident.escalated':
      return inc.acknowledgedAt === undefined && inc.escalatedAt === undefined && open ? { ok: true } : no(`incident ${id} cannot be escalated now`);
    case 'test.acknowledged':
      if (inc.kind !== 'test') return no(`incident ${id} is not a test press`);
      return inc.acknowledgedAt === undefined && open ? { ok: true } : no(`incident ${id} is already acknowledged`);
    default:
      return missingCase(e);
  }
}

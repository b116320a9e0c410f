// shared/ — what each operator role may do. The core enforces it; the console only uses it to hide buttons.
import type { Role } from './events';

export type Action =
  | 'incident.acknowledge'
  | 'incident.handle'
  | 'incident.view'
  | 'device.acknowledgeFault'
  | 'registry.manage'
  | 'stats.view'
  | 'history.view'
  | 'plan.record'
  | 'training.run'
  | 'training.assign';

// The county command role (县局指挥中心, shared/stations.ts) sees every station: the live queue, the history, the
// statistics and the plan board. It takes no alarm and writes nothing: the incident is the station's, whose officers
// go there and whose record it is; the county watches, compares and calls the station. A county centre that must
// take alarms itself is given an officer account of that station.
const allowed: Record<Action, readonly Role[]> = {
  'incident.view': ['officer', 'chief', 'trainer', 'admin', 'county'],
  // Taking an alarm is a duty officer's job; a chief may step in. Trainers and admins may not.
  'incident.acknowledge': ['officer', 'chief'],
  // Notes, call-backs, dispatch, resolution, take-over: the same people who may take an alarm.
  'incident.handle': ['officer', 'chief'],
  'device.acknowledgeFault': ['officer', 'chief', 'admin'],
  'registry.manage': ['admin'],
  // The response-time statistics: the chief's report, and officers may read how their station answers. A trainer's
  // drills and an admin's registry are other jobs (PRODUCT.md).
  'stats.view': ['officer', 'chief', 'county'],
  // The incident history, read only: the chief's record, the officers' own, and the trainer's source of real
  // incidents to replay as drills.
  'history.view': ['officer', 'chief', 'trainer', 'county'],
  // Recording the plan's inspections and closing their hidden dangers: the station's officers and its chief.
  'plan.record': ['officer', 'chief'],
  // A training run on one's own console (shared/training.ts): the trainer, and the officers and chief trained.
  // Nothing of a run reaches the core, so the console's check is the only one there is to make.
  'training.run': ['officer', 'chief', 'trainer'],
  // Sending a run to a trainee's console: the trainer, and the chief who trains his officers.
  'training.assign': ['chief', 'trainer'],
};

export function can(role: Role, action: Action): boolean {
  return allowed[action].includes(role);
}

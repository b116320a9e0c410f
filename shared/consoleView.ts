// shared/ — the console's view model: what the alarm queue, its cards, the banners, the map and the alert sound
// make of the incident state. One definition of "open", "awaits acknowledgement", "overdue" and the alert tone,
// for the console's store and components and for the core. Pure: time is passed in.
import { STATION_TIME_ZONE, zonedDay } from './duty';
import type { AlarmReceived, OperatorRef } from './events';
import { ackIntervalMs, alarmKey, openFaults, queueOrder, type Incident, type OpenFault, type StationState } from './incidents';
import type { AreaClass, School } from './model';
import type { AlarmState } from './protocol';
import { runningTimer, type Milestone, type Standing, type TargetProfile } from './response';

/** One entry of the alarm queue: a stored incident, or an alarm the core could not store yet (volatile). */
export type QueueEntry = Incident | AlarmReceived;

export const isStored = (x: QueueEntry): x is Incident => !('type' in x);
export const entryId = (x: QueueEntry): string => (isStored(x) ? x.id : x.incidentId);
export const entryReceivedAt = (x: QueueEntry): number => (isStored(x) ? x.receivedAt : x.at);

/**
 * Open = not resolved: the meaning of the core and the reducer ("an open incident" takes notes, dispatches,
 * repeat presses; the snapshot keeps every open one). Its timers tick and the panel offers its actions. An
 * alarm not stored yet is open. The other thing consoles used to call "open" is awaitsAcknowledgement.
 */
export const isOpen = (x: QueueEntry): boolean => !isStored(x) || x.resolvedAt === undefined;

/**
 * Nobody has taken it yet (接警 pending): not acknowledged and not resolved. Such an alarm is counted by the
 * banner, flashes its card and shows 接警. An alarm not stored yet awaits acknowledgement. (The reducer never
 * resolves an unacknowledged incident, so "not acknowledged" alone means the same; both are checked to be plain.)
 */
export const awaitsAcknowledgement = (x: QueueEntry): boolean => !isStored(x) || (x.acknowledgedAt === undefined && x.resolvedAt === undefined);

/** Overdue: the core escalated it (it passed the acknowledge target, see dueForEscalation) and it still awaits acknowledgement. */
export const isOverdue = (x: QueueEntry): boolean => isStored(x) && x.escalatedAt !== undefined && awaitsAcknowledgement(x);

/**
 * The core's supervision tick escalates (once) an alarm that has waited past the acknowledge target for
 * acknowledgement; a test press never escalates (GB 50394 latching applies to alarms).
 */
export const dueForEscalation = (inc: Incident, now: number, acknowledgeMs: number): boolean =>
  awaitsAcknowledgement(inc) && inc.escalatedAt === undefined && inc.kind !== 'test' && now - inc.receivedAt > acknowledgeMs;

/** An alarm that calls for attention: awaits acknowledgement and is not a test press. It flashes on the map and sounds. */
export const isAlarming = (x: QueueEntry): boolean => awaitsAcknowledgement(x) && x.kind !== 'test';

/**
 * The alarm queue as the console shows it: alarms the core could not store yet first (shown, never hidden),
 * then the incidents in queue order (shared/incidents.ts queueOrder). Only test presses the station closed itself
 * are left out (isStationClosedTest): they are no alarm to work.
 */
export function alarmQueue(state: StationState, volatile: readonly AlarmReceived[]): QueueEntry[] {
  const unstored = volatile.filter((v) => !state.alarmIndex.has(alarmKey(v.deviceId, v.alarmId)));
  return [...unstored, ...queueOrder([...state.incidents.values()].filter((i) => !isStationClosedTest(i)))];
}

/**
 * A test press the station took and closed itself (test.acknowledged): no officer acknowledged or resolved it.
 * It is not an alarm to work: never a queue card, listed in the "tests today" strip instead. (One an officer
 * reopened is worked like any incident.)
 */
export const isStationClosedTest = (i: Incident): boolean => i.kind === 'test' && i.resolvedAt !== undefined && i.resolvedBy === undefined;

/** The test presses the station took on the calendar day of `now` in the station's time zone, newest first. */
export function testsToday(state: StationState, now: number, timeZone: string): Incident[] {
  // The day's bounds once (a console asks on every record; Intl for each test press was most of its cost).
  const day = zonedDay(now, timeZone);
  return [...state.incidents.values()]
    .filter((i) => isStationClosedTest(i) && i.receivedAt >= day.start && i.receivedAt < day.end)
    .sort((a, b) => b.receivedAt - a.receivedAt);
}

/**
 * How long a resolved incident stays in the live queue (so the officer sees it close), unless the station sets
 * another (STATION_RESOLVED_LINGER_MS, carried in hello). After that it is in the "today" list, one click away.
 */
export const RESOLVED_LINGER_MS = 2 * 60_000;

/** Still in the live queue at `now`: open, or resolved less than `lingerMs` ago. */
export const inLiveQueue = (x: QueueEntry, now: number, lingerMs: number = RESOLVED_LINGER_MS): boolean =>
  isOpen(x) || (isStored(x) && x.resolvedAt! + lingerMs > now);

/** When the next resolved entry of the queue leaves it (undefined: none will), so a console re-renders then and only then. */
export function nextQueueExit(queue: readonly QueueEntry[], now: number, lingerMs: number = RESOLVED_LINGER_MS): number | undefined {
  const exits = queue.flatMap((x) => (isStored(x) && x.resolvedAt !== undefined && x.resolvedAt + lingerMs > now ? [x.resolvedAt + lingerMs] : []));
  return exits.length > 0 ? Math.min(...exits) : undefined;
}

/** Incidents resolved on the station's calendar day of `now` (its time zone), newest first: the "today" list. */
export function resolvedToday(state: StationState, now: number, timeZone: string = STATION_TIME_ZONE): Incident[] {
  const dayStart = zonedDay(now, timeZone).start;
  return (
    [...state.incidents.values()]
      // No upper bound: a console's `now` ticks coarsely, and what was resolved since is today all the same.
      .filter((i) => i.resolvedAt !== undefined && i.resolvedAt >= dayStart)
      .sort((a, b) => b.resolvedAt! - a.resolvedAt! || b.seq - a.seq)
  );
}

/**
 * The alarm the map and the open panel follow: the most urgent one that calls for attention (isAlarming), in
 * queue order (alarmQueue: unstored first, then real before drill, then the longest waiting) — not the newest.
 */
export const mostUrgentAlarm = (queue: readonly QueueEntry[]): QueueEntry | undefined => queue.find(isAlarming);

/**
 * The device faults the console lists: not yet acknowledged (an acknowledged one leaves the list; the health
 * screen still shows the device), tampers first (they sound the alarm tone), then the newest first.
 */
export const faultsToList = (state: StationState): OpenFault[] =>
  openFaults(state)
    .filter((f) => f.acknowledgedAt === undefined)
    .sort((a, b) => Number(b.kind === 'tamper') - Number(a.kind === 'tamper') || b.openedAt - a.openedAt);

export type AlertTone = 'alarm' | 'drill' | 'fault';

/**
 * Which sound the console loops, as a function of the data: any alarm not stored yet, an unacknowledged tamper,
 * or an alarming real incident (isAlarming) calls for the alarm tone — `urgent` (faster, louder) while any is
 * overdue; drills alone awaiting acknowledgement call for the drill tone (unmistakably not the real alarm: a real
 * one always wins); otherwise an unacknowledged device fault (an offline terminal) calls for the calmer fault tone.
 * `tone` undefined: silence.
 */
export function alertFor(state: StationState, volatile: readonly AlarmReceived[]): { tone: AlertTone | undefined; urgent: boolean } {
  const faults = openFaults(state).filter((f) => f.acknowledgedAt === undefined);
  const alarming = [...state.incidents.values()].filter((i) => isAlarming(i));
  const real = alarming.filter((i) => !i.drill);
  const loud = volatile.length > 0 || faults.some((f) => f.kind === 'tamper') || real.length > 0;
  if (loud) return { tone: 'alarm', urgent: real.some((i) => isOverdue(i)) };
  if (alarming.length > 0) return { tone: 'drill', urgent: false };
  return { tone: faults.length > 0 ? 'fault' : undefined, urgent: false };
}

/** What one card of the queue shows, apart from the ticking timer (cardTimer). */
export interface QueueItem {
  id: string;
  /** The incident, once the core has stored it; undefined for an alarm not stored yet (shown with a warning). */
  incident?: Incident;
  receivedAt: number;
  school?: School;
  /** The school's area class (its on-scene target); urban when the school is unknown. */
  area: AreaClass;
  awaitsAck: boolean;
  open: boolean;
  resolved: boolean;
  overdue: boolean;
  /** The protocol's alarm state, or 'unstored'. */
  state: AlarmState | 'unstored';
  /** 接警用时: received → acknowledged. */
  ackIntervalMs?: number;
  /** Who works it: shown once it is acknowledged and until it is resolved. */
  handler?: OperatorRef;
}

/** A queue entry with its school (from the reference data) → what its card shows. */
export function queueItem(entry: QueueEntry, school: School | undefined): QueueItem {
  const incident = isStored(entry) ? entry : undefined;
  const awaitsAck = awaitsAcknowledgement(entry);
  const resolved = !isOpen(entry);
  return {
    id: entryId(entry),
    ...(incident ? { incident } : {}),
    receivedAt: entryReceivedAt(entry),
    ...(school ? { school } : {}),
    area: incident?.area ?? school?.area ?? 'urban',
    awaitsAck,
    open: !resolved,
    resolved,
    overdue: isOverdue(entry),
    state: incident ? incident.state : 'unstored',
    ...(incident && ackIntervalMs(incident) !== undefined ? { ackIntervalMs: ackIntervalMs(incident) } : {}),
    ...(incident?.handler && !awaitsAck && !resolved ? { handler: incident.handler } : {}),
  };
}

/** The ticking part of a card at `now`: how long it has waited for 接警, or the timer running against its next target. */
export type CardTimer = { waitedMs: number } | { milestone: Milestone; elapsedMs: number; targetMs: number; standing: Standing };

/** Undefined once resolved, or when every milestone with a target is reached. */
export function cardTimer(item: QueueItem, targets: TargetProfile, now: number): CardTimer | undefined {
  if (item.awaitsAck) return { waitedMs: now - item.receivedAt };
  return item.incident ? runningTimer(item.incident, item.area, targets, now) : undefined;
}

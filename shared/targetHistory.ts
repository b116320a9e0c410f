// shared/ — which target profile was in force when: the history of `targets.set` admin records, so an incident is
// judged by the targets of its own time, not today's. Pure: the records are passed in.
import type { JournalRecord, StationEvent } from './events';
import { checkProfile, type TargetProfile } from './response';

/** A profile and the instant it came into force. */
export interface TargetChange {
  from: number;
  targets: TargetProfile;
}

/** Changes sorted by `from`; never empty: the first applies before any change, whatever its `from`. */
export type TargetHistory = readonly [TargetChange, ...TargetChange[]];

/**
 * The history from journal records: `initial` (the profile before the first change, from 0), then one change per
 * `admin.action` `targets.set` whose `detail` is the JSON of a valid profile (`checkProfile`), at the record's time.
 * A detail that is missing, not JSON or not a valid profile is ignored: the profile before it stays in force.
 * Sorted by time (stable, so of two changes at one instant the later record wins).
 */
export function targetHistory(records: Iterable<JournalRecord>, initial: TargetProfile): TargetHistory {
  const changes: TargetChange[] = [];
  for (const { event } of records) {
    const change = targetChangeOf(event);
    if (change) changes.push(change);
  }
  return historyOf(changes, initial);
}

/** The change an event makes: an `admin.action` `targets.set` whose detail is a valid profile, else undefined. */
export function targetChangeOf(e: StationEvent): TargetChange | undefined {
  if (e.type !== 'admin.action' || e.action !== 'targets.set' || e.detail === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(e.detail);
  } catch {
    return undefined;
  }
  const checked = checkProfile(parsed);
  return checked.ok ? { from: e.at, targets: checked.value } : undefined;
}

/** The history of changes already taken from records (`targetChangeOf`), after `initial`; sorted by time (stable). */
export function historyOf(changes: readonly TargetChange[], initial: TargetProfile): TargetHistory {
  return [{ from: 0, targets: initial }, ...[...changes].sort((a, b) => a.from - b.from)];
}

/** The profile in force at `at`: the last change whose `from` ≤ at, else the first (binary search). */
export function targetsAt(history: TargetHistory, at: number): TargetProfile {
  let lo = 0;
  let hi = history.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (history[mid]!.from <= at) lo = mid;
    else hi = mid - 1;
  }
  return history[lo]!.targets;
}

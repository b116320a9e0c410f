// shared/ — response-time maths: the target profile, the intervals of an incident, and how each running
// timer stands against its target (green / amber / red). Time is always passed in.
import type { AreaClass } from './model';
import type { Incident } from './incidents';

/** Targets in ms (PRODUCT.md "Default targets"); an admin may edit them. */
export interface TargetProfile {
  showMs: number;
  acknowledgeMs: number;
  dispatchMs: number;
  onSceneMs: Record<AreaClass, number>;
  /** Straight-line distance × roadFactor ÷ speed = ETA, for ranking units. */
  roadFactor: number;
  speedKmh: number;
}

export const DEFAULT_TARGETS: TargetProfile = {
  showMs: 2_000,
  acknowledgeMs: 10_000,
  dispatchMs: 60_000,
  onSceneMs: { urban: 5 * 60_000, suburban: 10 * 60_000, rural: 20 * 60_000 },
  roadFactor: 1.4,
  speedKmh: 40,
};

export type Standing = 'green' | 'amber' | 'red';

/** Amber from 75 % of the target, red past it. */
export function standing(elapsedMs: number, targetMs: number): Standing {
  if (elapsedMs > targetMs) return 'red';
  return elapsedMs >= 0.75 * targetMs ? 'amber' : 'green';
}

export type Milestone = 'acknowledged' | 'dispatched' | 'accepted' | 'on_scene' | 'resolved';

export interface Interval {
  milestone: Milestone;
  /** ms from received to the milestone; undefined while it has not happened. */
  ms?: number;
  targetMs?: number;
}

const first = (xs: (number | undefined)[]): number | undefined => {
  const v = xs.filter((x): x is number => x !== undefined);
  return v.length ? Math.min(...v) : undefined;
};

/** The moments of an incident (first unit counts), as absolute times. */
export function milestones(inc: Incident): Record<Milestone, number | undefined> {
  return {
    acknowledged: inc.acknowledgedAt,
    dispatched: first(inc.dispatches.map((d) => d.dispatchedAt)),
    accepted: first(inc.dispatches.map((d) => d.acceptedAt)),
    on_scene: first(inc.dispatches.map((d) => d.onSceneAt)),
    resolved: inc.resolvedAt,
  };
}

/** Every interval from received, with its target where the profile has one. */
export function intervals(inc: Incident, area: AreaClass, t: TargetProfile): Interval[] {
  const m = milestones(inc);
  const target: Partial<Record<Milestone, number>> = { acknowledged: t.acknowledgeMs, dispatched: t.dispatchMs, on_scene: t.onSceneMs[area] };
  return (Object.keys(m) as Milestone[]).map((k) => ({
    milestone: k,
    ...(m[k] !== undefined ? { ms: m[k]! - inc.receivedAt } : {}),
    ...(target[k] !== undefined ? { targetMs: target[k] } : {}),
  }));
}

/** The timer that matters now: the next milestone with a target, running from received. */
export function runningTimer(
  inc: Incident,
  area: AreaClass,
  t: TargetProfile,
  now: number,
): { milestone: Milestone; elapsedMs: number; targetMs: number; standing: Standing } | undefined {
  if (inc.resolvedAt !== undefined) return undefined;
  const m = milestones(inc);
  const next: [Milestone, number][] = [
    ['acknowledged', t.acknowledgeMs],
    ['dispatched', t.dispatchMs],
    ['on_scene', t.onSceneMs[area]],
  ];
  const pending = next.find(([k]) => m[k] === undefined);
  if (!pending) return undefined;
  const elapsedMs = now - inc.receivedAt;
  return { milestone: pending[0], elapsedMs, targetMs: pending[1], standing: standing(elapsedMs, pending[1]) };
}

/** Validates an edited profile; returns a message for the first bad field. */
export function checkProfile(p: unknown): { ok: true; value: TargetProfile } | { ok: false; message: string } {
  if (typeof p !== 'object' || p === null) return { ok: false, message: 'profile must be an object' };
  const o = p as Record<string, unknown>;
  const ms = (v: unknown, name: string, max = 24 * 3600_000): string | undefined =>
    typeof v === 'number' && Number.isInteger(v) && v > 0 && v <= max ? undefined : `${name} must be a whole number of ms between 1 and ${max}`;
  const on = (o.onSceneMs ?? {}) as Record<string, unknown>;
  const err =
    ms(o.showMs, 'showMs') ??
    ms(o.acknowledgeMs, 'acknowledgeMs') ??
    ms(o.dispatchMs, 'dispatchMs') ??
    ms(on.urban, 'onSceneMs.urban') ??
    ms(on.suburban, 'onSceneMs.suburban') ??
    ms(on.rural, 'onSceneMs.rural') ??
    (typeof o.roadFactor === 'number' && o.roadFactor >= 1 && o.roadFactor <= 5 ? undefined : 'roadFactor must be between 1 and 5') ??
    (typeof o.speedKmh === 'number' && o.speedKmh >= 5 && o.speedKmh <= 150 ? undefined : 'speedKmh must be between 5 and 150');
  if (err) return { ok: false, message: err };
  return {
    ok: true,
    value: {
      showMs: o.showMs as number,
      acknowledgeMs: o.acknowledgeMs as number,
      dispatchMs: o.dispatchMs as number,
      onSceneMs: { urban: on.urban as number, suburban: on.suburban as number, rural: on.rural as number },
      roadFactor: o.roadFactor as number,
      speedKmh: o.speedKmh as number,
    },
  };
}

// tools/simulate (tool, Node) — patrol movement: pure functions of (state, time step, random numbers), so they
// can be tested without sockets. The geo maths (distance, bearing, destination) is shared/geo's.
import { angleDiff, bearingDeg, destinationPoint, haversineMeters, normDeg, pointInGeometry, type AreaGeometry, type LatLng } from '../../shared/geo';

export type Rng = () => number;

/** A moving unit: where it is, where it is heading (degrees from north), how fast (m/s), how it is turning. */
export interface Mover {
  lat: number;
  lng: number;
  heading: number;
  speed: number;
  /** Current turn rate in degrees per second; varies smoothly so the track curves instead of zig-zagging. */
  turn: number;
}

export interface PatrolArea {
  outline: AreaGeometry;
  home: LatLng;
  /** The unit drifts back towards home once it is more than half this far away. */
  radiusM: number;
}

export const PATROL_RADIUS_M = 2_500;
export const PATROL_SPEED = { min: 4, cruise: 9, max: 14 };
/** Driving to a dispatched school. */
export const RESPONSE_SPEED_MPS = 12;
/** Closer than this to the school counts as on scene. */
export const ARRIVED_M = 20;
const MAX_TURN_DEG_S = 10;

const clamp = (x: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, x));
export const round6 = (x: number): number => Math.round(x * 1e6) / 1e6;

/**
 * One step of a patrol: a smooth random walk (the turn rate and the speed drift slowly), pulled back towards
 * home when far from it, that never leaves the outline: a step that would cross the border turns away instead
 * (±30°, ±60° … 180°), and if every direction is outside it waits in place. Starting inside, it stays inside.
 */
export function patrolStep(m: Mover, area: PatrolArea, dtS: number, rng: Rng): Mover {
  const dt = Math.max(0, dtS);
  let turn = m.turn * Math.exp(-dt / 10) + (rng() - 0.5) * 8 * Math.sqrt(dt);
  turn = clamp(turn, -MAX_TURN_DEG_S, MAX_TURN_DEG_S);
  const speed = clamp(m.speed + (rng() - 0.5) * 1.5 * dt + (PATROL_SPEED.cruise - m.speed) * 0.05 * dt, PATROL_SPEED.min, PATROL_SPEED.max);
  let heading = m.heading + turn * dt;
  const fromHome = haversineMeters(m, area.home);
  if (fromHome > area.radiusM * 0.5) {
    // The further out, the harder it steers home; at the radius, faster than the random turn can oppose.
    const pull = Math.min(1, (fromHome - area.radiusM * 0.5) / (area.radiusM * 0.5));
    const maxTurn = 2 * MAX_TURN_DEG_S * dt * pull;
    heading += clamp(angleDiff(bearingDeg(m, area.home), heading), -maxTurn, maxTurn);
  }
  heading = normDeg(heading);
  const step = speed * dt;
  for (const off of [0, 30, -30, 60, -60, 90, -90, 120, -120, 150, -150, 180]) {
    const h = normDeg(heading + off);
    const p = destinationPoint(m, h, step);
    const q = { lat: round6(p.lat), lng: round6(p.lng) };
    if (pointInGeometry(q, area.outline)) return { ...q, heading: h, speed, turn: off === 0 ? turn : 0 };
  }
  return { lat: m.lat, lng: m.lng, heading: normDeg(heading + 180), speed: 0, turn: 0 };
}

/** One step straight towards `target` at `speedMps`; arrives (and stops on the point) within ARRIVED_M. */
export function driveStep(m: Mover, target: LatLng, dtS: number, speedMps = RESPONSE_SPEED_MPS): { mover: Mover; arrived: boolean } {
  const d = haversineMeters(m, target);
  const step = speedMps * Math.max(0, dtS);
  if (d - step <= ARRIVED_M) {
    return { mover: { lat: target.lat, lng: target.lng, heading: d > 0.5 ? bearingDeg(m, target) : m.heading, speed: 0, turn: 0 }, arrived: true };
  }
  const heading = bearingDeg(m, target);
  const p = destinationPoint(m, heading, step);
  return { mover: { lat: round6(p.lat), lng: round6(p.lng), heading, speed: speedMps, turn: 0 }, arrived: false };
}

/** Exponentially distributed wait with the given mean: a Poisson process, as presses from many schools are. */
export const poissonDelayMs = (meanMs: number, rng: Rng): number => -Math.log(1 - rng()) * meanMs;

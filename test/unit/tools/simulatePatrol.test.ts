// test/unit/tools — simulator movement and junk: patrols stay inside the county and near home and curve
// smoothly, a dispatched unit drives to the school, and no junk message would pass the station's parsers.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { angleDiff, bbox, bearingDeg, destinationPoint, haversineMeters, pointInGeometry, type AreaGeometry, type LatLng } from '../../../shared/geo';
import { parseAlarm, parseCancel, parseHeartbeat, payloadBytes } from '../../../shared/protocol';
import { LONGHUA_ADCODE, LONGHUA_SEAT, makeSampleCounty } from '../../../shared/sampleCounty';
import { makeJunk } from '../../../tools/simulate/junk';
import { ARRIVED_M, driveStep, patrolStep, poissonDelayMs, type Mover, type PatrolArea, type Rng } from '../../../tools/simulate/movement';

function loadOutline(): AreaGeometry {
  const url = new URL('../../../assets/map/chengde-counties.geojson', import.meta.url);
  const fc = JSON.parse(readFileSync(fileURLToPath(url), 'utf8')) as { features: { properties: { adcode: string }; geometry: AreaGeometry }[] };
  return fc.features.find((f) => f.properties.adcode === LONGHUA_ADCODE)!.geometry;
}
const outline = loadOutline();

function seeded(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A home a few hundred metres inside the border: the hardest case for staying inside. */
function homeNearBorder(): LatLng {
  const box = bbox(outline);
  // Walk west from the seat until the next 100 m would leave the county, then step back 300 m.
  let p = LONGHUA_SEAT;
  for (let i = 0; i < 2000; i++) {
    const q = destinationPoint(p, 270, 100);
    if (!pointInGeometry(q, outline) || q.lng < box.minLng) break;
    p = q;
  }
  return destinationPoint(p, 90, 300);
}

function patrol(home: LatLng, steps: number, dtS: number, seed: number): Mover[] {
  const rng = seeded(seed);
  const area: PatrolArea = { outline, home, radiusM: 2_500 };
  let m: Mover = { ...home, heading: rng() * 360, speed: 9, turn: 0 };
  const track = [m];
  for (let i = 0; i < steps; i++) {
    m = patrolStep(m, area, dtS, rng);
    track.push(m);
  }
  return track;
}

describe('patrolStep', () => {
  const county = makeSampleCounty(outline, 20200526, { units: 30 });
  const homes = [LONGHUA_SEAT, homeNearBorder(), ...county.units.slice(0, 10)];

  it('starts from homes inside the county (the near-border home too)', () => {
    for (const h of homes) expect(pointInGeometry(h, outline)).toBe(true);
  });

  it('never leaves the county, and stays near home, over an hour of 2-s reports', () => {
    homes.forEach((home, i) => {
      const track = patrol(home, 1800, 2, 100 + i);
      const outside = track.filter((p) => !pointInGeometry(p, outline));
      expect(outside, `home ${i}`).toEqual([]);
      const far = Math.max(...track.map((p) => haversineMeters(p, home)));
      expect(far, `home ${i}`).toBeLessThan(2_500 + 600);
    });
  });

  it('actually patrols: moves at patrol speeds and covers ground', () => {
    const track = patrol(LONGHUA_SEAT, 900, 2, 7);
    for (const m of track.slice(1)) {
      expect(m.speed).toBeGreaterThanOrEqual(0);
      expect(m.speed).toBeLessThanOrEqual(14);
    }
    const farthest = Math.max(...track.map((p) => haversineMeters(p, LONGHUA_SEAT)));
    expect(farthest).toBeGreaterThan(500);
  });

  it('curves smoothly away from the border: heading changes by at most ~40° per 2-s step', () => {
    const track = patrol(LONGHUA_SEAT, 1800, 2, 11);
    const turns = track.slice(1).map((m, i) => Math.abs(angleDiff(m.heading, track[i]!.heading)));
    // 10°/s random turn plus up to 20°/s pull home, over 2 s; border avoidance (rare in town) may turn more.
    expect(turns.filter((t) => t > 61).length).toBeLessThan(turns.length * 0.01);
  });

  it('reports a heading consistent with the movement', () => {
    const track = patrol(LONGHUA_SEAT, 200, 2, 3);
    for (let i = 1; i < track.length; i++) {
      const a = track[i - 1]!;
      const b = track[i]!;
      if (haversineMeters(a, b) < 5) continue;
      expect(Math.abs(angleDiff(bearingDeg(a, b), b.heading))).toBeLessThan(2);
    }
  });
});

describe('driveStep', () => {
  it('drives to the school at the given speed and stops on it', () => {
    const school = county0().schools[5]!;
    let m: Mover = { ...LONGHUA_SEAT, heading: 0, speed: 0, turn: 0 };
    const start = haversineMeters(m, school);
    let steps = 0;
    for (;;) {
      const before = haversineMeters(m, school);
      const r = driveStep(m, school, 2, 12);
      steps++;
      m = r.mover;
      if (r.arrived) break;
      expect(before - haversineMeters(m, school)).toBeCloseTo(24, 0);
      expect(m.speed).toBe(12);
      expect(steps).toBeLessThan(10_000);
    }
    expect(m.lat).toBe(school.lat);
    expect(m.lng).toBe(school.lng);
    expect(m.speed).toBe(0);
    expect(steps).toBeGreaterThanOrEqual(Math.floor((start - ARRIVED_M) / 24));
  });
});

function county0() {
  return makeSampleCounty(outline);
}

describe('bearingDeg and poissonDelayMs', () => {
  it('points the right way', () => {
    expect(bearingDeg(LONGHUA_SEAT, destinationPoint(LONGHUA_SEAT, 0, 1000))).toBeCloseTo(0, 3);
    expect(bearingDeg(LONGHUA_SEAT, destinationPoint(LONGHUA_SEAT, 90, 1000))).toBeCloseTo(90, 1);
    expect(bearingDeg(LONGHUA_SEAT, destinationPoint(LONGHUA_SEAT, 225, 1000))).toBeCloseTo(225, 1);
  });

  it('has the asked-for mean', () => {
    const rng = seeded(5);
    let sum = 0;
    for (let i = 0; i < 20_000; i++) sum += poissonDelayMs(1000, rng);
    expect(sum / 20_000).toBeGreaterThan(950);
    expect(sum / 20_000).toBeLessThan(1050);
  });
});

describe('makeJunk', () => {
  const rng = seeded(99);
  const junk = Array.from({ length: 5000 }, () => makeJunk(rng, 1_780_000_000_000));

  it('covers every kind', () => {
    expect(new Set(junk.map((j) => j.kind))).toEqual(
      new Set(['random-json', 'wrong-types', 'oversize', 'unknown-event', 'not-an-object', 'no-ack', 'huge-frame']),
    );
  });

  it('never sends anything the station parsers would accept', () => {
    // A Map, not an object: one of the unknown event names is "__proto__".
    const parsers = new Map<string, (p: unknown) => { ok: boolean }>([
      ['alarm', parseAlarm],
      ['heartbeat', parseHeartbeat],
      ['cancel', parseCancel],
    ]);
    const accepted = junk.filter((j) => parsers.get(j.event)?.(j.payload).ok === true);
    expect(accepted).toEqual([]);
    // Everything else goes to an event the terminal namespace does not know.
    expect(junk.filter((j) => !parsers.has(j.event)).every((j) => j.kind === 'unknown-event')).toBe(true);
  });

  it('sends oversize payloads over 16 KiB, and huge frames over the 64 KiB socket limit', () => {
    for (const j of junk.filter((x) => x.kind === 'oversize')) expect(payloadBytes(j.payload)).toBeGreaterThan(16 * 1024);
    for (const j of junk.filter((x) => x.kind === 'huge-frame')) expect(payloadBytes(j.payload)).toBeGreaterThan(64 * 1024);
    expect(junk.filter((x) => x.kind === 'huge-frame').length).toBeLessThan(junk.length * 0.05);
  });
});

// test/unit/shared — unit ranking: available first, then by ETA (distance × road factor ÷ speed), ties by unitId.
import { describe, expect, it } from 'vitest';
import { rankUnits, type UnitSituation } from '../../../shared/dispatch';
import { destinationPoint, haversineMeters } from '../../../shared/geo';
import { DEFAULT_TARGETS } from '../../../shared/response';

const school = { lat: 41.32, lng: 117.73 };
const t = { roadFactor: DEFAULT_TARGETS.roadFactor, speedKmh: DEFAULT_TARGETS.speedKmh };

/** A unit `metres` from the school on `bearing`. */
function unit(unitId: string, metres: number, over: Partial<UnitSituation> = {}, bearing = 90): UnitSituation {
  const p = destinationPoint(school, bearing, metres);
  return { unitId, name: `巡逻${unitId}`, lat: p.lat, lng: p.lng, state: 'available', hasDevice: true, ...over };
}

describe('rankUnits', () => {
  it('computes distance with haversine and ETA = distance × roadFactor ÷ speed', () => {
    const u = unit('U1', 5_000);
    const [c] = rankUnits(school, [u], t);
    expect(c!.distanceM).toBeCloseTo(haversineMeters(school, u), 6);
    expect(c!.distanceM).toBeCloseTo(5_000, 0);
    // 5 km × 1.4 = 7 km at 40 km/h = 630 s
    expect(Math.abs(c!.etaS - 630)).toBeLessThanOrEqual(1);
    expect(Number.isInteger(c!.etaS)).toBe(true);
  });

  it('follows the profile: a different road factor and speed', () => {
    const u = unit('U1', 12_000, {}, 200);
    const [c] = rankUnits(school, [u], { roadFactor: 1.2, speedKmh: 60 });
    const expected = (haversineMeters(school, u) * 1.2) / (60_000 / 3600);
    expect(Math.abs(c!.etaS - expected)).toBeLessThanOrEqual(1);
    expect(Math.abs(c!.etaS - 864)).toBeLessThanOrEqual(1); // 14.4 km at 60 km/h
  });

  it('a unit at the school has ETA 0', () => {
    const [c] = rankUnits(school, [{ unitId: 'U0', name: '所内', ...school, state: 'available', hasDevice: false }], t);
    expect(c!.distanceM).toBe(0);
    expect(c!.etaS).toBe(0);
  });

  it('keeps the unit fields and marks available units without a reason', () => {
    const u = unit('U1', 1_000, { hasDevice: false });
    const [c] = rankUnits(school, [u], t);
    expect(c).toMatchObject({ ...u, available: true });
    expect('reason' in c!).toBe(false);
  });

  it('gives the reason a unit is not available', () => {
    const cs = rankUnits(
      school,
      [
        unit('A', 1_000, { assignedTo: '20261130-0001', state: 'en_route' }),
        unit('B', 1_100, { state: 'busy' }),
        unit('C', 1_200, { state: 'en_route' }),
        unit('D', 1_300, { state: 'on_scene' }),
        unit('E', 1_400, { state: 'off_duty' }),
        unit('F', 1_500, { assignedTo: '20261130-0002', state: 'available' }),
        unit('G', 1_600, { state: 'available' }),
      ],
      t,
    );
    const byId = Object.fromEntries(cs.map((c) => [c.unitId, c]));
    expect(byId.A).toMatchObject({ available: false, reason: 'assigned' });
    expect(byId.B).toMatchObject({ available: false, reason: 'busy' });
    expect(byId.C).toMatchObject({ available: false, reason: 'busy' });
    expect(byId.D).toMatchObject({ available: false, reason: 'busy' });
    expect(byId.E).toMatchObject({ available: false, reason: 'off_duty' });
    expect(byId.F).toMatchObject({ available: false, reason: 'assigned' });
    expect(byId.G!.available).toBe(true);
    expect('reason' in byId.G!).toBe(false);
  });

  it('sorts available units first, then by ETA', () => {
    const cs = rankUnits(
      school,
      [
        unit('far', 9_000),
        unit('busyNear', 200, { state: 'busy' }),
        unit('near', 1_000, {}, 10),
        unit('offNear', 100, { state: 'off_duty' }),
        unit('mid', 4_000, {}, 300),
        unit('assignedFar', 20_000, { assignedTo: 'x' }),
      ],
      t,
    );
    expect(cs.map((c) => c.unitId)).toEqual(['near', 'mid', 'far', 'offNear', 'busyNear', 'assignedFar']);
    for (let i = 1; i < cs.length; i++) {
      if (cs[i]!.available === cs[i - 1]!.available) expect(cs[i]!.etaS).toBeGreaterThanOrEqual(cs[i - 1]!.etaS);
    }
  });

  it('breaks ETA ties by unitId', () => {
    const cs = rankUnits(school, [unit('U3', 2_000, {}, 0), unit('U1', 2_000, {}, 90), unit('U2', 2_000, {}, 180), unit('U0', 2_000, { state: 'busy' })], t);
    expect(new Set(cs.slice(0, 3).map((c) => c.etaS)).size).toBe(1);
    expect(cs.map((c) => c.unitId)).toEqual(['U1', 'U2', 'U3', 'U0']);
  });

  it('does not change the input list', () => {
    const units = [unit('b', 5_000), unit('a', 1_000)];
    const copy = structuredClone(units);
    rankUnits(school, units, t);
    expect(units).toEqual(copy);
  });

  it('returns an empty list for no units', () => {
    expect(rankUnits(school, [], t)).toEqual([]);
  });
});

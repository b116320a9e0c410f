// test/unit/shared — sampleCounty: the demo county is inside 隆化县, complete, clearly fictional and deterministic.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { haversineMeters, pointInGeometry, type AreaGeometry } from '../../../shared/geo';
import { LONGHUA_ADCODE, LONGHUA_SEAT, makeSampleCounty } from '../../../shared/sampleCounty';

interface CountyFeature {
  properties: { adcode: string; name: string };
  geometry: AreaGeometry;
}

function loadLonghuaOutline(): AreaGeometry {
  const url = new URL('../../../assets/map/chengde-counties.geojson', import.meta.url);
  const fc = JSON.parse(readFileSync(fileURLToPath(url), 'utf8')) as { features: CountyFeature[] };
  const feature = fc.features.find((f) => f.properties.adcode === LONGHUA_ADCODE);
  if (feature === undefined) throw new Error('隆化县 (130825) missing from chengde-counties.geojson');
  return feature.geometry;
}

const outline = loadLonghuaOutline();
const county = makeSampleCounty(outline);

describe('makeSampleCounty', () => {
  it('uses the real 隆化县 outline, which contains the county seat', () => {
    expect(pointInGeometry(LONGHUA_SEAT, outline)).toBe(true);
  });

  it('has enough of everything', () => {
    expect(county.schools.length).toBeGreaterThanOrEqual(30);
    expect(county.schools).toHaveLength(36);
    expect(county.guardPosts.length).toBeGreaterThanOrEqual(5);
    expect(county.policeRooms.length).toBeGreaterThanOrEqual(2);
    expect(county.units.length).toBeGreaterThanOrEqual(6);
  });

  it('places every school, post, room and unit inside the county', () => {
    const all = [...county.schools, ...county.guardPosts, ...county.policeRooms, ...county.units];
    const outside = all.filter((p) => !pointInGeometry(p, outline)).map((p) => p.id);
    expect(outside).toEqual([]);
  });

  it('mixes school types', () => {
    const count = (t: string): number => county.schools.filter((s) => s.type === t).length;
    expect(count('primary')).toBeGreaterThan(0);
    expect(count('middle')).toBeGreaterThan(0);
    expect(count('kindergarten')).toBeGreaterThan(0);
    expect(count('other')).toBeGreaterThan(0);
  });

  it('gives each school the area class its distance from the seat implies, with a town cluster', () => {
    for (const s of county.schools) {
      const d = haversineMeters(s, LONGHUA_SEAT);
      const expected = d < 4_000 ? 'urban' : d < 12_000 ? 'suburban' : 'rural';
      expect(s.area, s.id).toBe(expected);
    }
    const urban = county.schools.filter((s) => s.area === 'urban').length;
    expect(urban).toBeGreaterThanOrEqual(county.schools.length / 3);
    expect(county.schools.some((s) => s.area === 'rural')).toBe(true);
  });

  it('has exactly one terminal per school, with unique device ids', () => {
    const schoolIds = county.schools.map((s) => s.id).sort();
    expect(county.terminals.map((t) => t.schoolId).sort()).toEqual(schoolIds);
    const deviceIds = county.terminals.map((t) => t.deviceId);
    expect(new Set(deviceIds).size).toBe(deviceIds.length);
    expect(county.terminals.find((t) => t.schoolId === 'sch-p01')?.deviceId).toBe('term-p01');
  });

  it('puts each guard post about 30 m from a real school, staffed on school days', () => {
    for (const post of county.guardPosts) {
      const school = county.schools.find((s) => s.id === post.schoolId);
      expect(school, post.id).toBeDefined();
      if (school === undefined) continue;
      expect(haversineMeters(post, school)).toBeGreaterThan(15);
      expect(haversineMeters(post, school)).toBeLessThan(60);
      expect(post.name).toContain(school.name);
      expect(post.days).toEqual([1, 2, 3, 4, 5]);
      expect(post.windows.length).toBe(2);
    }
  });

  it('marks every name as a sample (示例)', () => {
    const names = [
      county.stationName,
      ...county.schools.flatMap((s) => [s.name, s.address]),
      ...county.guardPosts.map((p) => p.name),
      ...county.policeRooms.map((r) => r.name),
      ...county.units.map((u) => u.name),
    ];
    expect(names.filter((n) => !n.includes('示例'))).toEqual([]);
    expect(county.schools.every((s) => s.nameEn.startsWith('Sample '))).toBe(true);
    expect(county.schools.every((s) => s.phone.startsWith('0314-000-'))).toBe(true);
  });

  it('uses unique ids across all kinds', () => {
    const ids = [
      ...county.schools.map((s) => s.id),
      ...county.terminals.map((t) => t.deviceId),
      ...county.guardPosts.map((p) => p.id),
      ...county.policeRooms.map((r) => r.id),
      ...county.units.map((u) => u.id),
    ];
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('has units with and without devices', () => {
    expect(county.units.filter((u) => u.hasDevice).length).toBe(6);
    expect(county.units.filter((u) => !u.hasDevice).length).toBe(2);
  });

  it('is deterministic for a seed and varies with it', () => {
    expect(makeSampleCounty(outline)).toEqual(county);
    expect(makeSampleCounty(outline, 20200526)).toEqual(county);
    expect(makeSampleCounty(outline, 7).schools).not.toEqual(county.schools);
  });
});

describe('makeSampleCounty at benchmark size (1000 schools, 300 units)', () => {
  const t0 = performance.now();
  const big = makeSampleCounty(outline, 20200526, { schools: 1000, units: 300 });
  const ms = performance.now() - t0;

  it('generates well under a second', () => {
    // Best of three, so a busy machine does not fail the test; typically 150–300 ms.
    const times = [ms];
    for (let i = 0; i < 2; i++) {
      const t = performance.now();
      makeSampleCounty(outline, 20200526, { schools: 1000, units: 300 });
      times.push(performance.now() - t);
    }
    expect(Math.min(...times)).toBeLessThan(750);
  });

  it('has the asked-for counts and the default mix', () => {
    expect(big.schools).toHaveLength(1000);
    expect(big.terminals).toHaveLength(1000);
    expect(big.units).toHaveLength(300);
    const count = (t: string): number => big.schools.filter((s) => s.type === t).length;
    // 14 : 8 : 12 : 2 of 36, by largest remainder.
    expect([count('primary'), count('middle'), count('kindergarten'), count('other')]).toEqual([389, 222, 333, 56]);
    expect(big.guardPosts).toHaveLength(Math.round(1000 / 4.5));
    expect(big.policeRooms).toHaveLength(Math.round(1000 / 12));
    expect(big.units.filter((u) => u.hasDevice)).toHaveLength(225);
  });

  it('places everything inside the county', () => {
    const all = [...big.schools, ...big.guardPosts, ...big.policeRooms, ...big.units];
    expect(all.filter((p) => !pointInGeometry(p, outline)).map((p) => p.id)).toEqual([]);
  });

  it('uses unique ids, and sample names with zero-padded numbers', () => {
    const ids = [
      ...big.schools.map((s) => s.id),
      ...big.terminals.map((t) => t.deviceId),
      ...big.guardPosts.map((p) => p.id),
      ...big.policeRooms.map((r) => r.id),
      ...big.units.map((u) => u.id),
    ];
    expect(new Set(ids).size).toBe(ids.length);
    const names = [
      ...big.schools.map((s) => s.name),
      ...big.guardPosts.map((p) => p.name),
      ...big.policeRooms.map((r) => r.name),
      ...big.units.map((u) => u.name),
    ];
    expect(names.filter((n) => !n.includes('示例'))).toEqual([]);
    expect(big.schools.map((s) => s.name)).toContain('示例小学 P001');
    expect(big.schools.map((s) => s.name)).toContain('示例小学 P389');
    expect(big.units.map((u) => u.id)).toContain('unit-300');
    expect(big.schools.every((s) => /^示例\S+ [PMKS]\d{3}$/.test(s.name))).toBe(true);
  });

  it('keeps the schools apart and the area classes right', () => {
    for (const s of big.schools) {
      const d = haversineMeters(s, LONGHUA_SEAT);
      expect(s.area, s.id).toBe(d < 4_000 ? 'urban' : d < 12_000 ? 'suburban' : 'rural');
    }
    // Spacing shrinks with density but never collapses: nearest neighbours in town stay tens of metres apart.
    const town = big.schools.filter((s) => s.area === 'urban');
    let nearest = Infinity;
    for (let i = 0; i < town.length; i++) for (let j = i + 1; j < town.length; j++) nearest = Math.min(nearest, haversineMeters(town[i]!, town[j]!));
    expect(nearest).toBeGreaterThan(50);
  });

  it('is deterministic at this size too, and the default size is unchanged by the size argument', () => {
    expect(makeSampleCounty(outline, 20200526, { schools: 1000, units: 300 })).toEqual(big);
    expect(makeSampleCounty(outline, 20200526, { schools: 36, units: 8 })).toEqual(county);
    expect(makeSampleCounty(outline, 20200526, {})).toEqual(county);
  });

  it('scales small counties too and refuses nonsense sizes', () => {
    const small = makeSampleCounty(outline, 1, { schools: 3, units: 1 });
    expect(small.schools).toHaveLength(3);
    expect(small.units).toEqual([expect.objectContaining({ hasDevice: true })]);
    expect(small.policeRooms).toHaveLength(2);
    expect(() => makeSampleCounty(outline, 1, { schools: 0 })).toThrow(/schools/);
    expect(() => makeSampleCounty(outline, 1, { units: 2.5 })).toThrow(/units/);
  });
});

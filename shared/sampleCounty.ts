// shared/ — a deterministic, clearly fictional sample station area inside 隆化县 for demos, drills and tests.
// Every name carries 示例 ("sample") so nothing here can be mistaken for a real school or post.

import { bbox, destinationPoint, haversineMeters, pointInGeometry, type AreaGeometry, type LatLng } from './geo';
import type { AreaClass, DutyWindow, GuardPost, PatrolUnit, PoliceRoom, ReferenceData, School, SchoolType, Terminal } from './model';

/** Administrative code of 隆化县 (Longhua County, 承德市) in the county outline file. */
export const LONGHUA_ADCODE = '130825';

/** 隆化县 county seat (县城), the centre of the urban cluster. */
export const LONGHUA_SEAT: LatLng = { lat: 41.316, lng: 117.739 };

/** Area-class radii around the seat: the on-scene target follows from these (urban 5 min, suburban 10 min). */
export const URBAN_RADIUS_M = 4_000;
export const SUBURBAN_RADIUS_M = 12_000;

/** A county's reference data, without the targets (those are the station's, not the sample's). */
export type SampleCounty = Omit<ReferenceData, 'targets'>;

/** mulberry32: tiny, fast and good enough to scatter points; seeded so every run gives the same county. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Rng = () => number;

/** Rejection sampling gives up after this many tries so a wrong outline fails loudly instead of hanging. */
const MAX_TRIES = 20_000;

/** A uniformly distributed point in a disc (sqrt keeps density even), that also lies inside the outline. */
function pointNear(rng: Rng, outline: AreaGeometry, centre: LatLng, minM: number, maxM: number, accept: (p: LatLng) => boolean = () => true): LatLng {
  for (let i = 0; i < MAX_TRIES; i++) {
    const r = Math.sqrt(minM * minM + rng() * (maxM * maxM - minM * minM));
    const p = roundPoint(destinationPoint(centre, rng() * 360, r));
    if (pointInGeometry(p, outline) && accept(p)) return p;
  }
  throw new Error(`sample county: no point ${minM}-${maxM} m from ${centre.lat},${centre.lng} inside the outline`);
}

/** A uniformly distributed point anywhere in the outline (sampled in its bounding box). */
function pointAnywhere(rng: Rng, outline: AreaGeometry, accept: (p: LatLng) => boolean): LatLng {
  const box = bbox(outline);
  for (let i = 0; i < MAX_TRIES; i++) {
    const p = roundPoint({
      lat: box.minLat + rng() * (box.maxLat - box.minLat),
      lng: box.minLng + rng() * (box.maxLng - box.minLng),
    });
    if (pointInGeometry(p, outline) && accept(p)) return p;
  }
  throw new Error('sample county: could not place a point inside the outline');
}

/** Six decimals (≈ 0.1 m) keeps the JSON short and the values stable to print and compare. */
function roundPoint(p: LatLng): LatLng {
  return { lat: Math.round(p.lat * 1e6) / 1e6, lng: Math.round(p.lng * 1e6) / 1e6 };
}

function areaClassAt(p: LatLng): AreaClass {
  const d = haversineMeters(p, LONGHUA_SEAT);
  if (d < URBAN_RADIUS_M) return 'urban';
  if (d < SUBURBAN_RADIUS_M) return 'suburban';
  return 'rural';
}

/** Zero-padded to `width` digits (at least 2, as in the default county). */
const padTo = (n: number, width: number): string => String(n).padStart(width, '0');
/** Digits needed to write every number 1..count with the same width (at least 2). */
const widthFor = (count: number): number => Math.max(2, String(Math.max(1, count)).length);

/** How big a county to make. Omitted fields keep the default (36 schools, 8 units). */
export interface SampleCountySize {
  schools?: number;
  units?: number;
}

export const DEFAULT_SAMPLE_SCHOOLS = 36;
export const DEFAULT_SAMPLE_UNITS = 8;

/** One line per kind of school: how many, the code letter, and the sample names. */
interface SchoolKind {
  type: SchoolType;
  letter: string;
  count: number;
  name: string;
  nameEn: string;
}

const SCHOOL_KINDS: SchoolKind[] = [
  { type: 'primary', letter: 'P', count: 14, name: '示例小学', nameEn: 'Sample Primary School' },
  { type: 'middle', letter: 'M', count: 8, name: '示例中学', nameEn: 'Sample Middle School' },
  { type: 'kindergarten', letter: 'K', count: 12, name: '示例幼儿园', nameEn: 'Sample Kindergarten' },
];

/** The two 'other' schools differ in name, so they are listed one by one. */
const OTHER_SCHOOLS: { name: string; nameEn: string }[] = [
  { name: '示例特教学校', nameEn: 'Sample Special Education School' },
  { name: '示例职教中心', nameEn: 'Sample Vocational School' },
];

interface SchoolStub {
  code: string; // e.g. "P01"
  type: SchoolType;
  name: string;
  nameEn: string;
}

/**
 * Splits `total` schools over the kinds in the default mix (14 : 8 : 12 : 2) by largest remainder, so the
 * default total gives exactly the default counts and any other total keeps the proportions.
 */
export function schoolMix(total: number): { primary: number; middle: number; kindergarten: number; other: number } {
  const base = [...SCHOOL_KINDS.map((k) => k.count), OTHER_SCHOOLS.length];
  const sum = base.reduce((a, b) => a + b, 0);
  const exact = base.map((b) => (b * total) / sum);
  const counts = exact.map(Math.floor);
  let left = total - counts.reduce((a, b) => a + b, 0);
  const byRemainder = exact.map((x, i) => ({ i, r: x - Math.floor(x) })).sort((a, b) => b.r - a.r || a.i - b.i);
  for (const { i } of byRemainder) {
    if (left <= 0) break;
    counts[i]! += 1;
    left--;
  }
  const [primary = 0, middle = 0, kindergarten = 0, other = 0] = counts;
  return { primary, middle, kindergarten, other };
}

function schoolStubs(total: number): SchoolStub[] {
  const mix = schoolMix(total);
  const perKind = [mix.primary, mix.middle, mix.kindergarten];
  const width = widthFor(Math.max(...perKind, mix.other));
  const stubs: SchoolStub[] = [];
  SCHOOL_KINDS.forEach((kind, k) => {
    for (let i = 1; i <= (perKind[k] ?? 0); i++) {
      const code = `${kind.letter}${padTo(i, width)}`;
      stubs.push({ code, type: kind.type, name: `${kind.name} ${code}`, nameEn: `${kind.nameEn} ${code}` });
    }
  });
  // The 'other' schools alternate between the special-education school and the vocational centre.
  for (let i = 0; i < mix.other; i++) {
    const o = OTHER_SCHOOLS[i % OTHER_SCHOOLS.length]!;
    const code = `S${padTo(i + 1, width)}`;
    stubs.push({ code, type: 'other', name: `${o.name} ${code}`, nameEn: `${o.nameEn} ${code}` });
  }
  return stubs;
}

/** Schools closer than this would draw as one marker on the overview map. */
const MIN_SCHOOL_SPACING_M = 250;

/**
 * The spacing actually used: 250 m while the town disc has room for it (up to ~360 schools), then shrinking
 * with the density of the town half, so the spacing discs cover the same ~20 % of the town at any size and
 * rejection sampling stays far from jamming (fast for thousands of schools).
 */
export function schoolSpacingM(totalSchools: number): number {
  const townArea = Math.PI * (URBAN_RADIUS_M * 0.95) ** 2;
  const inTown = Math.max(1, Math.ceil(totalSchools / 2));
  return Math.min(MIN_SCHOOL_SPACING_M, 0.5 * Math.sqrt(townArea / inTown));
}

/** Placed points in a grid of cells as large as the spacing, so "is anything closer than d" looks at 9 cells. */
class SpacingGrid {
  private readonly cells = new Map<string, LatLng[]>();
  private readonly cellLat: number;
  private readonly cellLng: number;
  constructor(
    private readonly minM: number,
    outline: AreaGeometry,
  ) {
    // Cells a little larger than minM in both directions: 1° of latitude ≈ 111.2 km, 1° of longitude shrinks
    // with cos(lat), taken at the outline's latitude farthest from the equator so no cell is too narrow.
    const box = bbox(outline);
    const farLat = Math.min(85, Math.max(Math.abs(box.minLat), Math.abs(box.maxLat)));
    this.cellLat = (minM * 1.02) / 111_000;
    this.cellLng = this.cellLat / Math.cos((farLat * Math.PI) / 180);
  }
  private key(i: number, j: number): string {
    return `${i}:${j}`;
  }
  add(p: LatLng): void {
    const k = this.key(Math.floor(p.lat / this.cellLat), Math.floor(p.lng / this.cellLng));
    const list = this.cells.get(k);
    if (list) list.push(p);
    else this.cells.set(k, [p]);
  }
  /** Same answer as checking every placed point, only faster. */
  farFromAll(p: LatLng): boolean {
    const i0 = Math.floor(p.lat / this.cellLat);
    const j0 = Math.floor(p.lng / this.cellLng);
    for (let i = i0 - 1; i <= i0 + 1; i++) {
      for (let j = j0 - 1; j <= j0 + 1; j++) {
        for (const q of this.cells.get(this.key(i, j)) ?? []) if (haversineMeters(p, q) < this.minM) return false;
      }
    }
    return true;
  }
}

/**
 * Every other school goes to the town, as in real counties where many pupils live in the seat; of the rest,
 * half sit in the suburban ring and half anywhere out of town (a county this size makes those mostly rural).
 * The rings stop short of the 4 km and 12 km class borders so each school's class is unambiguous.
 */
function placeSchool(rng: Rng, outline: AreaGeometry, index: number, spaced: (p: LatLng) => boolean): LatLng {
  if (index % 2 === 0) return pointNear(rng, outline, LONGHUA_SEAT, 0, URBAN_RADIUS_M * 0.95, spaced);
  if (index % 4 === 1) {
    return pointNear(rng, outline, LONGHUA_SEAT, URBAN_RADIUS_M * 1.1, SUBURBAN_RADIUS_M * 0.95, spaced);
  }
  return pointAnywhere(rng, outline, (q) => spaced(q) && haversineMeters(q, LONGHUA_SEAT) > URBAN_RADIUS_M * 1.1);
}

function makeSchools(rng: Rng, outline: AreaGeometry, total: number): School[] {
  const placed = new SpacingGrid(schoolSpacingM(total), outline);
  const spaced = (p: LatLng): boolean => placed.farFromAll(p);
  return schoolStubs(total).map((stub, index) => {
    const p = placeSchool(rng, outline, index, spaced);
    placed.add(p);
    const n = index + 1;
    return {
      id: `sch-${stub.code.toLowerCase()}`,
      name: stub.name,
      nameEn: stub.nameEn,
      type: stub.type,
      address: `示例地址 隆化县 第${n}号 (sample)`,
      lat: p.lat,
      lng: p.lng,
      area: areaClassAt(p),
      // 0314 is 承德's area code; the 000 exchange does not exist, so these cannot ring anyone.
      phone: `0314-000-${String(n).padStart(4, '0')}`,
    };
  });
}

function makeTerminals(schools: School[]): Terminal[] {
  return schools.map((s) => {
    const code = s.id.replace(/^sch-/, '');
    return { deviceId: `term-${code}`, schoolId: s.id, label: `一键报警终端 ${code.toUpperCase()}` };
  });
}

const SCHOOL_DAYS = [1, 2, 3, 4, 5];
const SCHOOL_WINDOWS: DutyWindow[] = [
  { start: '07:10', end: '08:10' },
  { start: '16:30', end: '17:30' },
];
/** Kindergartens open later and let out earlier than schools. */
const KINDERGARTEN_WINDOWS: DutyWindow[] = [
  { start: '07:40', end: '08:40' },
  { start: '16:00', end: '17:00' },
];

const GUARD_POSTS_IN_TOWN = 5;
const GUARD_POSTS_OUT_OF_TOWN = 3;
const POST_OFFSET_M = 30;

/** About one guard post per 4.5 schools (8 for the default 36), never fewer than 5; 5 of each 8 in town. */
export function guardPostCounts(totalSchools: number): { inTown: number; outOfTown: number } {
  const total = Math.max(GUARD_POSTS_IN_TOWN, Math.round(totalSchools / 4.5));
  const inTown = Math.round((total * GUARD_POSTS_IN_TOWN) / (GUARD_POSTS_IN_TOWN + GUARD_POSTS_OUT_OF_TOWN));
  return { inTown, outOfTown: total - inTown };
}

/** Posts at the schools nearest the seat (5 by default), plus some picked at random among the others (3). */
function pickGuardPostSchools(rng: Rng, schools: School[]): School[] {
  const { inTown, outOfTown } = guardPostCounts(schools.length);
  const byDistance = [...schools].sort((a, b) => haversineMeters(a, LONGHUA_SEAT) - haversineMeters(b, LONGHUA_SEAT));
  const near = byDistance.slice(0, inTown);
  const nearSet = new Set(near);
  const rest = schools.filter((s) => !nearSet.has(s) && s.area !== 'urban');
  const others: School[] = [];
  while (others.length < outOfTown && rest.length > 0) {
    const [picked] = rest.splice(Math.floor(rng() * rest.length), 1);
    if (picked !== undefined) others.push(picked);
  }
  return [...near, ...others];
}

function makeGuardPosts(rng: Rng, outline: AreaGeometry, schools: School[]): GuardPost[] {
  const picked = pickGuardPostSchools(rng, schools);
  const width = widthFor(picked.length);
  return picked.map((school, i) => {
    const code = `G${padTo(i + 1, width)}`;
    // At the gate, ~30 m from the school point; retried so a school near the border keeps its post inside.
    const p = pointNear(rng, outline, school, POST_OFFSET_M * 0.8, POST_OFFSET_M * 1.2);
    return {
      id: `post-${code.toLowerCase()}`,
      name: `示例护学岗 ${code}（${school.name}）`,
      schoolId: school.id,
      lat: p.lat,
      lng: p.lng,
      days: [...SCHOOL_DAYS],
      windows: (school.type === 'kindergarten' ? KINDERGARTEN_WINDOWS : SCHOOL_WINDOWS).map((w) => ({ ...w })),
    };
  });
}

/** About one police room or kiosk per 12 schools (3 for the default 36), never fewer than 2. */
export const policeRoomCount = (totalSchools: number): number => Math.max(2, Math.round(totalSchools / 12));

function makePoliceRooms(rng: Rng, outline: AreaGeometry, count: number): PoliceRoom[] {
  // One room in town, one out in the suburban ring, a kiosk on a busy street near the seat; repeated in
  // that order for larger counties.
  const specs: { name: string; kind: PoliceRoom['kind']; minM: number; maxM: number }[] = [
    { name: '示例警务室', kind: 'police_room', minM: 1_000, maxM: 2_500 },
    { name: '示例警务室', kind: 'police_room', minM: 6_000, maxM: 10_000 },
    { name: '示例治安岗亭', kind: 'kiosk', minM: 300, maxM: 1_200 },
  ];
  const width = widthFor(count);
  const rooms: PoliceRoom[] = [];
  for (let i = 0; i < count; i++) {
    const spec = specs[i % specs.length]!;
    const code = `R${padTo(i + 1, width)}`;
    const p = pointNear(rng, outline, LONGHUA_SEAT, spec.minM, spec.maxM);
    rooms.push({ id: `room-${code.toLowerCase()}`, name: `${spec.name} ${code}`, kind: spec.kind, lat: p.lat, lng: p.lng });
  }
  return rooms;
}

/** A quarter of the units (rounded down) are foot patrols without a device: 2 of the default 8. */
export const footPatrolCount = (units: number): number => Math.floor(units / 4);

function makeUnits(rng: Rng, outline: AreaGeometry, count: number): PatrolUnit[] {
  const units: PatrolUnit[] = [];
  const cars = count - footPatrolCount(count);
  const width = widthFor(count);
  for (let n = 1; n <= count; n++) {
    const nn = padTo(n, width);
    const onFoot = n > cars; // foot patrols carry radios only, no position-reporting device
    // Most cars start in town; every sixth car (car 06 of the default 8) is stationed out in the suburban
    // ring to cover the far schools.
    const [minM, maxM] = onFoot ? [0, 1_500] : n % 6 === 0 ? [6_000, 11_000] : [200, 3_000];
    const p = pointNear(rng, outline, LONGHUA_SEAT, minM, maxM);
    units.push({
      id: `unit-${nn}`,
      name: onFoot ? `示例步巡组 ${nn}` : `示例巡逻车 ${nn}`,
      callsign: `隆巡${nn}`,
      lat: p.lat,
      lng: p.lng,
      hasDevice: !onFoot,
    });
  }
  return units;
}

function checkedCount(v: number | undefined, fallback: number, min: number, what: string): number {
  const n = v ?? fallback;
  if (!Number.isInteger(n) || n < min) throw new RangeError(`sample county: ${what} must be an integer ≥ ${min}, got ${n}`);
  return n;
}

/**
 * Builds the sample station area inside `outline` (隆化县's outline from the county file).
 * Same outline, seed and size → the same county, byte for byte. The default size is 36 schools and 8 units;
 * larger counties keep the same mix: guard posts ≈ schools / 4.5, police rooms ≈ schools / 12, a quarter of
 * the units on foot without a device.
 */
export function makeSampleCounty(outline: AreaGeometry, seed = 20200526, size: SampleCountySize = {}): SampleCounty {
  const schoolCount = checkedCount(size.schools, DEFAULT_SAMPLE_SCHOOLS, 1, 'schools');
  const unitCount = checkedCount(size.units, DEFAULT_SAMPLE_UNITS, 0, 'units');
  const rng = mulberry32(seed);
  const schools = makeSchools(rng, outline, schoolCount);
  return {
    stationName: '示例派出所（隆化县·演示）',
    schools,
    terminals: makeTerminals(schools),
    guardPosts: makeGuardPosts(rng, outline, schools),
    policeRooms: makePoliceRooms(rng, outline, policeRoomCount(schoolCount)),
    units: makeUnits(rng, outline, unitCount),
  };
}

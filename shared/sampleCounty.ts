// shared/ — a deterministic, clearly fictional sample station area inside 隆化县 for demos, drills and tests.
// Every name carries 示例 ("sample") so nothing here can be mistaken for a real school or post.

import { bbox, destinationPoint, haversineMeters, pointInGeometry, type AreaGeometry, type LatLng } from './geo';
import type {
  AreaClass,
  DutyWindow,
  GuardPost,
  PatrolUnit,
  PoliceRoom,
  School,
  SchoolType,
  Terminal,
} from './model';

/** Administrative code of 隆化县 (Longhua County, 承德市) in the county outline file. */
export const LONGHUA_ADCODE = '130825';

/** 隆化县 county seat (县城), the centre of the urban cluster. */
export const LONGHUA_SEAT: LatLng = { lat: 41.316, lng: 117.739 };

/** Area-class radii around the seat: the on-scene target follows from these (urban 5 min, suburban 10 min). */
export const URBAN_RADIUS_M = 4_000;
export const SUBURBAN_RADIUS_M = 12_000;

export interface SampleCounty {
  stationName: string;
  schools: School[];
  terminals: Terminal[];
  guardPosts: GuardPost[];
  policeRooms: PoliceRoom[];
  units: PatrolUnit[];
}

/** mulberry32: tiny, fast and good enough to scatter points; seeded so every run gives the same county. */
function mulberry32(seed: number): () => number {
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
function pointNear(
  rng: Rng,
  outline: AreaGeometry,
  centre: LatLng,
  minM: number,
  maxM: number,
  accept: (p: LatLng) => boolean = () => true,
): LatLng {
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

const pad2 = (n: number): string => String(n).padStart(2, '0');

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

function schoolStubs(): SchoolStub[] {
  const stubs: SchoolStub[] = [];
  for (const kind of SCHOOL_KINDS) {
    for (let i = 1; i <= kind.count; i++) {
      const code = `${kind.letter}${pad2(i)}`;
      stubs.push({ code, type: kind.type, name: `${kind.name} ${code}`, nameEn: `${kind.nameEn} ${code}` });
    }
  }
  OTHER_SCHOOLS.forEach((o, i) => {
    const code = `S${pad2(i + 1)}`;
    stubs.push({ code, type: 'other', name: `${o.name} ${code}`, nameEn: `${o.nameEn} ${code}` });
  });
  return stubs;
}

/** Schools closer than this would draw as one marker on the overview map. */
const MIN_SCHOOL_SPACING_M = 250;

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

function makeSchools(rng: Rng, outline: AreaGeometry): School[] {
  const placed: LatLng[] = [];
  const spaced = (p: LatLng): boolean => placed.every((q) => haversineMeters(p, q) >= MIN_SCHOOL_SPACING_M);
  return schoolStubs().map((stub, index) => {
    const p = placeSchool(rng, outline, index, spaced);
    placed.push(p);
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

/** Posts at the five schools nearest the seat, plus three picked at random among the others. */
function pickGuardPostSchools(rng: Rng, schools: School[]): School[] {
  const byDistance = [...schools].sort(
    (a, b) => haversineMeters(a, LONGHUA_SEAT) - haversineMeters(b, LONGHUA_SEAT),
  );
  const near = byDistance.slice(0, GUARD_POSTS_IN_TOWN);
  const rest = schools.filter((s) => !near.includes(s) && s.area !== 'urban');
  const others: School[] = [];
  while (others.length < GUARD_POSTS_OUT_OF_TOWN && rest.length > 0) {
    const [picked] = rest.splice(Math.floor(rng() * rest.length), 1);
    if (picked !== undefined) others.push(picked);
  }
  return [...near, ...others];
}

function makeGuardPosts(rng: Rng, outline: AreaGeometry, schools: School[]): GuardPost[] {
  return pickGuardPostSchools(rng, schools).map((school, i) => {
    const code = `G${pad2(i + 1)}`;
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

function makePoliceRooms(rng: Rng, outline: AreaGeometry): PoliceRoom[] {
  // One room in town, one out in the suburban ring, a kiosk on a busy street near the seat.
  const specs: { name: string; kind: PoliceRoom['kind']; minM: number; maxM: number }[] = [
    { name: '示例警务室 R01', kind: 'police_room', minM: 1_000, maxM: 2_500 },
    { name: '示例警务室 R02', kind: 'police_room', minM: 6_000, maxM: 10_000 },
    { name: '示例治安岗亭 R03', kind: 'kiosk', minM: 300, maxM: 1_200 },
  ];
  return specs.map((spec, i) => {
    const p = pointNear(rng, outline, LONGHUA_SEAT, spec.minM, spec.maxM);
    return { id: `room-r${pad2(i + 1)}`, name: spec.name, kind: spec.kind, lat: p.lat, lng: p.lng };
  });
}

function makeUnits(rng: Rng, outline: AreaGeometry): PatrolUnit[] {
  const units: PatrolUnit[] = [];
  for (let n = 1; n <= 8; n++) {
    const nn = pad2(n);
    const onFoot = n >= 7; // foot patrols carry radios only, no position-reporting device
    // Most cars start in town; car 06 is stationed out in the suburban ring to cover the far schools.
    const [minM, maxM] = onFoot ? [0, 1_500] : n === 6 ? [6_000, 11_000] : [200, 3_000];
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

/**
 * Builds the sample station area inside `outline` (隆化县's outline from the county file).
 * Same outline and seed → the same county, byte for byte.
 */
export function makeSampleCounty(outline: AreaGeometry, seed = 20200526): SampleCounty {
  const rng = mulberry32(seed);
  const schools = makeSchools(rng, outline);
  return {
    stationName: '示例派出所（隆化县·演示）',
    schools,
    terminals: makeTerminals(schools),
    guardPosts: makeGuardPosts(rng, outline, schools),
    policeRooms: makePoliceRooms(rng, outline),
    units: makeUnits(rng, outline),
  };
}

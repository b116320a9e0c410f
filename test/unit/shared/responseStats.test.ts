// test/unit/shared — response-time statistics: nearest-rank percentiles, targets of the incident's time, real /
// drill / test kept apart, open incidents, grouping in station time, shifts, area targets, the target history from
// the journal, hostile ids. Every expected number is computed by hand in the comment beside it.
import { describe, expect, it } from 'vitest';
import type { JournalRecord, StationEvent } from '../../../shared/events';
import type { Dispatch, Incident } from '../../../shared/incidentModel';
import type { AreaClass } from '../../../shared/model';
import { DEFAULT_TARGETS, type TargetProfile } from '../../../shared/response';
import { zonedParts } from '../../../shared/duty';
import {
  NO_GROUP,
  incidentClass,
  matchesFilter,
  nearestRank,
  responseStats,
  type GroupBy,
  type StatsFilter,
  type StatsOptions,
} from '../../../shared/responseStats';
import { historyFilter, historyGroupMatcher, historyMatches } from '../../../shared/historyWire';
import { DEFAULT_SHIFTS, isoWeekKey, shiftOf, zonedClock } from '../../../shared/statsTime';
import { targetHistory, targetsAt, type TargetHistory } from '../../../shared/targetHistory';
import { admin, chief, officer } from '../../support/operators';

const S = 1000;
const MIN = 60 * S;
const H = 60 * MIN;
/** 2026-03-02 02:00 UTC = Monday 2026-03-02 10:00 in Asia/Shanghai (UTC+8). */
const T0 = Date.UTC(2026, 2, 2, 2, 0);
const PERIOD = { from: Date.UTC(2026, 0, 1), to: Date.UTC(2027, 0, 1) };

function incident(id: string, over: Partial<Incident> = {}): Incident {
  return {
    id,
    alarmId: `a-${id}`,
    deviceId: 'dev-1',
    schoolId: 'school-1',
    kind: 'panic',
    drill: false,
    raisedAt: (over.receivedAt ?? T0) - 400,
    receivedAt: T0,
    state: 'received',
    notes: [],
    dispatches: [],
    timeline: [],
    seq: 1,
    ...over,
  };
}
const dispatch = (unitId: string, dispatchedAt: number, over: Partial<Dispatch> = {}): Dispatch => ({
  unitId,
  mode: 'device',
  dispatchedAt,
  dispatchedBy: officer,
  ...over,
});
/** Received at `at`, acknowledged `ackMs` later by `username`. */
const acked = (id: string, at: number, ackMs: number, over: Partial<Incident> = {}): Incident =>
  incident(id, { receivedAt: at, acknowledgedAt: at + ackMs, acknowledgedBy: officer, ...over });

const DEFAULT_HISTORY: TargetHistory = [{ from: 0, targets: DEFAULT_TARGETS }];
const urbanEverywhere = (): AreaClass => 'urban';

function stats(incidents: Incident[], groupBy: GroupBy = 'none', over: Partial<Omit<StatsOptions, 'filter'>> & { filter?: Partial<StatsFilter> } = {}) {
  const { filter, ...rest } = over;
  return responseStats(incidents, {
    groupBy,
    targets: DEFAULT_HISTORY,
    areaOf: urbanEverywhere,
    ...rest,
    filter: { ...PERIOD, class: 'real', ...filter },
  });
}
const keysOf = (r: ReturnType<typeof stats>): string[] => r.groups.map((g) => g.key);
const group = (r: ReturnType<typeof stats>, key: string) => {
  const g = r.groups.find((x) => x.key === key);
  if (!g) throw new Error(`no group ${key}`);
  return g;
};

describe('nearestRank', () => {
  it('takes the value of rank ⌈p/100 × n⌉', () => {
    const ten = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100];
    // n = 10: p50 → rank 5 (50), p90 → rank 9 (90), p95 → ⌈9.5⌉ = rank 10 (100).
    expect(nearestRank(ten, 50)).toBe(50);
    expect(nearestRank(ten, 90)).toBe(90);
    expect(nearestRank(ten, 95)).toBe(100);
    // n = 20 (1..20): p50 → rank 10, p90 → rank 18, p95 → rank 19.
    const twenty = Array.from({ length: 20 }, (_, i) => i + 1);
    expect([50, 90, 95].map((p) => nearestRank(twenty, p))).toEqual([10, 18, 19]);
    // n = 3 (1, 2, 3): p50 → ⌈1.5⌉ = rank 2, p90 → ⌈2.7⌉ = rank 3.
    expect([nearestRank([1, 2, 3], 50), nearestRank([1, 2, 3], 90)]).toEqual([2, 3]);
    // one value is every percentile; none has none.
    expect(nearestRank([7], 50)).toBe(7);
    expect(nearestRank([7], 95)).toBe(7);
    expect(nearestRank([], 50)).toBeUndefined();
  });
});

describe('responseStats: one interval over a small set', () => {
  it('gives count, p50 / p90 / p95, max and the share within target', () => {
    // Acknowledged after 12, 3, 7, 1, 10, 5, 9, 2, 8, 4 s. Sorted: 1 2 3 4 5 7 8 9 10 12.
    // p50 = 5th = 5 s; p90 = 9th = 10 s; p95 = 10th = 12 s; max 12 s (i0).
    // Target 10 s (≤ is within): 9 within, i0 (12 s) outside → 90 %.
    const secs = [12, 3, 7, 1, 10, 5, 9, 2, 8, 4];
    const r = stats(secs.map((s, i) => acked(`i${i}`, T0 + i * H, s * S)));
    const ack = r.all.intervals.acknowledged;
    expect(ack).toMatchObject({ count: 10, missing: 0, p50: 5 * S, p90: 10 * S, p95: 12 * S, max: 12 * S, maxId: 'i0' });
    expect(ack.withinTarget).toEqual({ count: 9, percent: 90, outsideIds: ['i0'] });
    expect(r.all.total).toBe(10);
    expect(r.groups).toEqual([r.all]);
    expect(r.all.key).toBe(NO_GROUP);
  });

  it('measures each interval from its own start; accepted and resolved have no target', () => {
    // Received T0; shown +1.5 s; acked +4 s; unit a dispatched +20 s, accepted +50 s; unit b dispatched +30 s,
    // accepted +35 s, on scene +4 min; resolved +30 min.
    // shown 1.5 s (≤ 2 s: within); acknowledged 4 s; dispatched = first dispatch 20 s; accepted = first dispatch
    // (+20 s) → first acceptance (+35 s) = 15 s; on scene 240 s (≤ 5 min urban: within); resolved 1800 s.
    const inc = acked('x', T0, 4 * S, {
      shownAt: T0 + 1500,
      dispatches: [
        dispatch('u-a', T0 + 20 * S, { acceptedAt: T0 + 50 * S }),
        dispatch('u-b', T0 + 30 * S, { acceptedAt: T0 + 35 * S, onSceneAt: T0 + 4 * MIN }),
      ],
      resolvedAt: T0 + 30 * MIN,
      disposition: 'real',
    });
    const iv = stats([inc]).all.intervals;
    expect([iv.shown.max, iv.acknowledged.max, iv.dispatched.max, iv.accepted.max, iv.on_scene.max, iv.resolved.max]).toEqual([
      1500,
      4 * S,
      20 * S,
      15 * S,
      4 * MIN,
      30 * MIN,
    ]);
    expect(iv.shown.withinTarget?.count).toBe(1);
    expect(iv.on_scene.withinTarget?.percent).toBe(100);
    expect(iv.accepted.withinTarget).toBeUndefined();
    expect(iv.resolved.withinTarget).toBeUndefined();
  });
});

describe('responseStats: the target in force at the time of the incident', () => {
  it('judges an incident before a change by the old profile, after it by the new', () => {
    // Default ack target 10 s until T0 + 1 h, then 5 s.
    // a: T0, acked 8 s, old 10 s → within. c: exactly T0 + 1 h (from ≤ receivedAt: new), acked 6 s > 5 s → outside.
    // b: T0 + 2 h, acked 8 s > 5 s → outside. Within 1 of 3 = 33.3… %; outside [c, b] in input order.
    const strict: TargetProfile = { ...DEFAULT_TARGETS, acknowledgeMs: 5 * S };
    const targets: TargetHistory = [
      { from: 0, targets: DEFAULT_TARGETS },
      { from: T0 + H, targets: strict },
    ];
    const r = stats([acked('a', T0, 8 * S), acked('c', T0 + H, 6 * S), acked('b', T0 + 2 * H, 8 * S)], 'none', { targets });
    const w = r.all.intervals.acknowledged.withinTarget!;
    expect(w.count).toBe(1);
    expect(w.percent).toBeCloseTo(100 / 3, 10);
    expect(w.outsideIds).toEqual(['c', 'b']);
  });

  it('applies the first profile before any change, whatever its from', () => {
    const p5 = { ...DEFAULT_TARGETS, acknowledgeMs: 5 * S };
    const p7 = { ...DEFAULT_TARGETS, acknowledgeMs: 7 * S };
    const h: TargetHistory = [
      { from: T0, targets: p5 },
      { from: T0 + H, targets: p7 },
    ];
    expect(targetsAt(h, T0 - 1)).toBe(p5);
    expect(targetsAt(h, T0)).toBe(p5);
    expect(targetsAt(h, T0 + H - 1)).toBe(p5);
    expect(targetsAt(h, T0 + H)).toBe(p7);
    expect(targetsAt(h, T0 + 100 * H)).toBe(p7);
  });
});

describe('responseStats: real, drill and test apart', () => {
  const incidents = [
    acked('real-1', T0, 3 * S),
    acked('real-2', T0 + H, 5 * S, { kind: 'fire' }),
    acked('drill-1', T0, 30 * S, { drill: true }),
    acked('drill-test', T0, 40 * S, { drill: true, kind: 'test' }),
    acked('test-1', T0, 100, { kind: 'test' }),
  ];

  it('classes a flagged drill as drill, a test press as test even when flagged drill (the station closes it as a test)', () => {
    expect(incidents.map(incidentClass)).toEqual(['real', 'real', 'drill', 'test', 'test']);
  });

  it("takes the officer's disposition, when it names what the incident was, over what the alarm said", () => {
    // A press in a school's drill window that was a real alarm (resolved real, with an override's reason) is real;
    // an unflagged press the officer found was the school's drill is a drill; a false alarm stays what it said.
    expect(incidentClass(acked('x', T0, S, { drill: true, disposition: 'real' }))).toBe('real');
    expect(incidentClass(acked('x', T0, S, { disposition: 'drill' }))).toBe('drill');
    expect(incidentClass(acked('x', T0, S, { kind: 'test', disposition: 'real' }))).toBe('real');
    expect(incidentClass(acked('x', T0, S, { drill: true, disposition: 'false_alarm' }))).toBe('drill');
    expect(incidentClass(acked('x', T0, S, { disposition: 'cancelled_by_school' }))).toBe('real');
    const mixed = [...incidents, acked('window-real', T0, 7 * S, { drill: true, disposition: 'real' })];
    expect(stats(mixed).all.ids).toEqual(['real-1', 'real-2', 'window-real']);
    expect(stats(mixed, 'none', { filter: { class: 'drill' } }).all.ids).toEqual(['drill-1']);
  });

  it('keeps drills and test presses out of real, and counts each in its own group', () => {
    // real: real-1 (3 s), real-2 (5 s): total 2, max 5 s, all within 10 s.
    const real = stats(incidents).all;
    expect(real.ids).toEqual(['real-1', 'real-2']);
    expect(real.intervals.acknowledged).toMatchObject({ count: 2, max: 5 * S, p50: 3 * S });
    // drill: drill-1 (30 s): outside the 10 s target.
    const drill = stats(incidents, 'none', { filter: { class: 'drill' } }).all;
    expect(drill.ids).toEqual(['drill-1']);
    expect(drill.intervals.acknowledged.withinTarget).toEqual({ count: 0, percent: 0, outsideIds: ['drill-1'] });
    // test: test-1, and the test press flagged drill.
    expect(stats(incidents, 'none', { filter: { class: 'test' } }).all.ids).toEqual(['drill-test', 'test-1']);
  });
});

describe('responseStats: incidents still open', () => {
  it('counts an open incident in the total, and in an interval only once its end happened', () => {
    // done: shown, acked 2 s, dispatched 30 s, accepted, on scene, resolved 20 min.
    // going: shown, acked 6 s, dispatched 50 s, not accepted, open.
    // waiting: shown only, open.
    // total 3, open 2 [going, waiting]; shown 3 / missing 0; acknowledged 2 / 1 (p50 of 2 s, 6 s = rank 1 = 2 s);
    // dispatched 2 / 1; accepted 1 / 2; on scene 1 / 2; resolved 1 / 2.
    const done = acked('done', T0, 2 * S, {
      shownAt: T0 + 500,
      dispatches: [dispatch('u-1', T0 + 30 * S, { acceptedAt: T0 + 40 * S, onSceneAt: T0 + 3 * MIN })],
      resolvedAt: T0 + 20 * MIN,
      disposition: 'real',
    });
    const going = acked('going', T0 + H, 6 * S, { shownAt: T0 + H + 700, dispatches: [dispatch('u-2', T0 + H + 50 * S)] });
    const waiting = incident('waiting', { receivedAt: T0 + 2 * H, shownAt: T0 + 2 * H + 900 });
    const g = stats([done, going, waiting]).all;
    expect([g.total, g.open, g.openIds]).toEqual([3, 2, ['going', 'waiting']]);
    const counts = Object.fromEntries(Object.entries(g.intervals).map(([k, v]) => [k, [v.count, v.missing]]));
    expect(counts).toEqual({
      shown: [3, 0],
      acknowledged: [2, 1],
      dispatched: [2, 1],
      accepted: [1, 2],
      on_scene: [1, 2],
      resolved: [1, 2],
    });
    expect(g.intervals.acknowledged.p50).toBe(2 * S);
    expect(g.intervals.acknowledged.p95).toBe(6 * S);
  });

  it('reports an empty interval as undefined figures, not zero', () => {
    const g = stats([incident('waiting')]).all;
    expect(g.intervals.acknowledged).toEqual({
      count: 0,
      missing: 1,
      p50: undefined,
      p90: undefined,
      p95: undefined,
      max: undefined,
      maxId: undefined,
      withinTarget: { count: 0, percent: undefined, outsideIds: [] },
    });
  });
});

describe('responseStats: grouping', () => {
  it('groups by school and by officer, hostile ids included', () => {
    // Schools __proto__ (2 incidents), constructor (1), toString (1); officers __proto__ (2), constructor (1),
    // and one never acknowledged (NO_GROUP). Keys sort by code unit: '' < '__proto__' ('_' 0x5F) < 'constructor'.
    const as = (username: string) => ({ ...officer, username });
    const incidents = [
      acked('p1', T0, 2 * S, { schoolId: '__proto__', acknowledgedBy: as('__proto__') }),
      acked('p2', T0 + H, 20 * S, { schoolId: '__proto__', acknowledgedBy: as('constructor') }),
      acked('c1', T0, 4 * S, { schoolId: 'constructor', acknowledgedBy: as('__proto__') }),
      incident('t1', { schoolId: 'toString' }),
    ];
    const areas = new Map<string, AreaClass>([
      ['__proto__', 'urban'],
      ['constructor', 'rural'],
      ['toString', 'suburban'],
    ]);
    const bySchool = stats(incidents, 'school', { areaOf: (id) => areas.get(id) });
    expect(keysOf(bySchool)).toEqual(['__proto__', 'constructor', 'toString']);
    // __proto__: 2 s and 20 s → within 1 of 2, outside [p2].
    expect(group(bySchool, '__proto__')).toMatchObject({ total: 2, ids: ['p1', 'p2'], areaAssumedIds: [] });
    expect(group(bySchool, '__proto__').intervals.acknowledged.withinTarget).toEqual({ count: 1, percent: 50, outsideIds: ['p2'] });
    expect(group(bySchool, 'toString')).toMatchObject({ total: 1, open: 1 });

    const byOfficer = stats(incidents, 'officer', { areaOf: (id) => areas.get(id) });
    expect(keysOf(byOfficer)).toEqual([NO_GROUP, '__proto__', 'constructor']);
    expect(group(byOfficer, '__proto__').ids).toEqual(['p1', 'c1']);
    expect(group(byOfficer, NO_GROUP).ids).toEqual(['t1']);
    expect(byOfficer.all.total).toBe(4);

    // the filter takes hostile ids too.
    expect(stats(incidents, 'none', { filter: { schoolIds: ['__proto__'] } }).all.ids).toEqual(['p1', 'p2']);
    expect(stats(incidents, 'none', { filter: { officer: 'constructor' } }).all.ids).toEqual(['p2']);
  });

  it('puts an incident in the group of every unit sent, and one without a unit in NO_GROUP', () => {
    // x: units a and b; y: unit b; z: none. a: [x]; b: [x, y]; '': [z]. The groups add up to 4, the total is 3.
    const incidents = [
      acked('x', T0, 2 * S, { dispatches: [dispatch('a', T0 + 10 * S), dispatch('b', T0 + 20 * S)] }),
      acked('y', T0, 2 * S, { dispatches: [dispatch('b', T0 + 15 * S), dispatch('b', T0 + 90 * S)] }),
      acked('z', T0, 2 * S),
    ];
    const r = stats(incidents, 'unit');
    expect(r.groups.map((g) => [g.key, g.ids])).toEqual([
      [NO_GROUP, ['z']],
      ['a', ['x']],
      ['b', ['x', 'y']],
    ]);
    expect(r.all.total).toBe(3);
    // By unit, the unit's own dispatch: b was sent to x at 20 s (a was first, at 10 s) and to y at 15 s.
    expect(group(r, 'b').intervals.dispatched.max).toBe(20 * S);
    expect(group(r, 'a').intervals.dispatched.max).toBe(10 * S);
    expect(r.all.intervals.dispatched.max).toBe(15 * S); // the incidents' first dispatches: 10 s and 15 s
    expect(stats(incidents, 'none', { filter: { unitId: 'b' } }).all.ids).toEqual(['x', 'y']);
  });

  it("credits a unit with its own dispatch, acceptance and arrival, not the first car's", () => {
    // The first car: sent at 30 s, accepted at 40 s, on scene at 4 min. A backup: sent at 20 min, on scene at 35 min.
    const inc = acked('w', T0, 2 * S, {
      dispatches: [
        dispatch('car-1', T0 + 30 * S, { acceptedAt: T0 + 40 * S, onSceneAt: T0 + 4 * MIN }),
        dispatch('car-2', T0 + 20 * MIN, { acceptedAt: T0 + 21 * MIN, onSceneAt: T0 + 35 * MIN }),
      ],
    });
    const r = stats([inc], 'unit');
    const of = (key: string) => {
      const i = group(r, key).intervals;
      return [i.dispatched.max, i.accepted.max, i.on_scene.max, i.on_scene.withinTarget?.count, i.acknowledged.max];
    };
    expect(of('car-1')).toEqual([30 * S, 10 * S, 4 * MIN, 1, 2 * S]);
    expect(of('car-2')).toEqual([20 * MIN, 1 * MIN, 35 * MIN, 0, 2 * S]);
    // The whole: the incident's first dispatch and arrival.
    expect([r.all.intervals.dispatched.max, r.all.intervals.on_scene.max]).toEqual([30 * S, 4 * MIN]);
    // The history behind a unit's on-scene n lists the incident only for a unit that arrived.
    const late = acked('v', T0, 2 * S, { dispatches: [dispatch('car-1', T0 + 30 * S, { onSceneAt: T0 + 4 * MIN }), dispatch('car-2', T0 + 60 * S)] });
    const behind = (key?: string): boolean => {
      const req = {
        ...PERIOD,
        class: 'real' as const,
        offset: 0,
        limit: 10,
        reached: 'on_scene' as const,
        ...(key ? { group: { by: 'unit' as const, key } } : {}),
      };
      return historyMatches(late, req, historyFilter(req), undefined, historyGroupMatcher(req, 'Asia/Shanghai'));
    };
    expect([behind(), behind('car-1'), behind('car-2')]).toEqual([true, true, false]);
    expect(group(stats([late], 'unit'), 'car-2').intervals.on_scene.count).toBe(0);
  });

  it('groups by hour, weekday, week and month on the station clock', () => {
    // m: 2026-03-02 02:00 UTC = Mon 10:00 Shanghai → hour 10, weekday 1, 2026-W10, 2026-03.
    // n: 2026-03-02 23:30 UTC = Tue 2026-03-03 07:30 Shanghai → hour 07, weekday 2, 2026-W10.
    // s: 2026-03-01 16:30 UTC (Sun in UTC) = Mon 2026-03-02 00:30 Shanghai → hour 00, weekday 1, 2026-W10.
    // f: 2026-02-28 16:30 UTC (Sat, February in UTC) = Sun 2026-03-01 00:30 Shanghai → weekday 7, 2026-W09, 2026-03.
    // (2026-01-01 is a Thursday, so W01 starts Mon 2025-12-29 and W10 starts 63 days later, Mon 2026-03-02.)
    const incidents = [
      acked('m', Date.UTC(2026, 2, 2, 2, 0), S),
      acked('n', Date.UTC(2026, 2, 2, 23, 30), S),
      acked('s', Date.UTC(2026, 2, 1, 16, 30), S),
      acked('f', Date.UTC(2026, 1, 28, 16, 30), S),
    ];
    const pairs = (by: GroupBy, timeZone?: string) => stats(incidents, by, timeZone ? { timeZone } : {}).groups.map((g) => [g.key, g.ids.join(',')]);
    expect(pairs('hour')).toEqual([
      ['00', 's,f'],
      ['07', 'n'],
      ['10', 'm'],
    ]);
    expect(pairs('weekday')).toEqual([
      ['1', 'm,s'],
      ['2', 'n'],
      ['7', 'f'],
    ]);
    expect(pairs('week')).toEqual([
      ['2026-W09', 'f'],
      ['2026-W10', 'm,n,s'],
    ]);
    expect(pairs('month')).toEqual([['2026-03', 'm,n,s,f']]);
    // The same instants in UTC: n is Mon 23:30, s Sun 16:30 (W09), f Sat 16:30 in February.
    expect(pairs('hour', 'UTC')).toEqual([
      ['02', 'm'],
      ['16', 's,f'],
      ['23', 'n'],
    ]);
    expect(pairs('weekday', 'UTC')).toEqual([
      ['1', 'm,n'],
      ['6', 'f'],
      ['7', 's'],
    ]);
    expect(pairs('month', 'UTC')).toEqual([
      ['2026-02', 'f'],
      ['2026-03', 'm,n,s'],
    ]);
  });

  it('names ISO weeks across the turn of a year', () => {
    // 2027-01-01 is a Friday: its week's Thursday is 2026-12-31, so it is 2026-W53 (2026 began on a Thursday).
    expect(isoWeekKey({ year: 2027, month: 1, day: 1, weekday: 5 })).toBe('2026-W53');
    // 2025-12-29 is a Monday whose Thursday is 2026-01-01: 2026-W01.
    expect(isoWeekKey({ year: 2025, month: 12, day: 29, weekday: 1 })).toBe('2026-W01');
  });
});

describe('shifts', () => {
  // 07:59 Shanghai = 23:59 UTC the day before; 08:00 Shanghai = 00:00 UTC.
  const at = (h: number, m: number, s = 0) => Date.UTC(2026, 2, 2, h - 8, m, s);

  it('puts 07:59 in the night shift and 08:00 in the day shift (station time)', () => {
    expect(shiftOf(at(7, 59))).toBe('night');
    expect(shiftOf(at(8, 0))).toBe('day');
    expect(shiftOf(at(19, 59))).toBe('day');
    expect(shiftOf(at(20, 0))).toBe('night');
    expect(shiftOf(at(0, 0))).toBe('night');
    // in UTC, 00:00 UTC is night
    expect(shiftOf(at(8, 0), DEFAULT_SHIFTS, 'UTC')).toBe('night');
  });

  it('groups by shift, and an incident no shift covers goes to NO_GROUP', () => {
    // e: 07:59:59 → night; d: 08:00:00 → day; late: 21:00 → night.
    const incidents = [acked('e', at(7, 59, 59), S), acked('d', at(8, 0), S), acked('late', at(21, 0), S)];
    expect(stats(incidents, 'shift').groups.map((g) => [g.key, g.ids])).toEqual([
      ['day', ['d']],
      ['night', ['e', 'late']],
    ]);
    // Only a morning peak 07:00–09:00: e and d in it, late in none.
    const peak = [{ name: 'peak', start: '07:00', end: '09:00' }];
    expect(stats(incidents, 'shift', { shifts: peak }).groups.map((g) => [g.key, g.ids])).toEqual([
      [NO_GROUP, ['late']],
      ['peak', ['e', 'd']],
    ]);
  });

  it('reads the wall clock by quarter hour exactly as zonedParts does', () => {
    const clock = new Map(['Asia/Shanghai', 'Asia/Kathmandu', 'America/New_York', 'UTC'].map((z) => [z, zonedClock(z)]));
    // Every 7 min 13 s over two days around New York's 2026 spring change (Sun 2026-03-08 07:00 UTC).
    for (let t = Date.UTC(2026, 2, 7); t < Date.UTC(2026, 2, 9); t += 7 * MIN + 13 * S) {
      for (const [zone, read] of clock) expect(read(t), `${zone} ${new Date(t).toISOString()}`).toEqual(zonedParts(t, zone));
    }
  });
});

describe('responseStats: on-scene target per area class', () => {
  it('judges on scene by the school area, and an unknown school by the urban target', () => {
    // Each on scene 7 min after received. Urban 5 min → outside; suburban 10 min → within; rural 20 min → within;
    // gone (unknown school) judged urban → outside, listed in areaAssumedIds. Within 2 of 4 = 50 %.
    const areas = new Map<string, AreaClass>([
      ['s-urban', 'urban'],
      ['s-sub', 'suburban'],
      ['s-rural', 'rural'],
    ]);
    const onScene7 = (id: string, schoolId: string) =>
      acked(id, T0, 2 * S, { schoolId, dispatches: [dispatch('u', T0 + 30 * S, { acceptedAt: T0 + 40 * S, onSceneAt: T0 + 7 * MIN })] });
    const incidents = [onScene7('u1', 's-urban'), onScene7('b1', 's-sub'), onScene7('r1', 's-rural'), onScene7('g1', 'gone')];
    const r = stats(incidents, 'school', { areaOf: (id) => areas.get(id) });
    expect(r.all.intervals.on_scene.withinTarget).toEqual({ count: 2, percent: 50, outsideIds: ['u1', 'g1'] });
    expect(r.all.areaAssumedIds).toEqual(['g1']);
    expect(group(r, 's-sub').intervals.on_scene.withinTarget?.count).toBe(1);
    expect(group(r, 's-urban').intervals.on_scene.withinTarget?.outsideIds).toEqual(['u1']);
    // A profile with a suburban target of 6 min makes b1 late too.
    const tight: TargetHistory = [{ from: 0, targets: { ...DEFAULT_TARGETS, onSceneMs: { ...DEFAULT_TARGETS.onSceneMs, suburban: 6 * MIN } } }];
    const r2 = stats(incidents, 'none', { areaOf: (id) => areas.get(id), targets: tight });
    expect(r2.all.intervals.on_scene.withinTarget?.outsideIds).toEqual(['u1', 'b1', 'g1']);
  });

  it('judges an incident by the area class its alarm came with, whatever the school is now; an older record by the school now', () => {
    // The school was urban when both alarms came (on scene in 7 min: late for urban), and is rural now (20 min).
    const onScene7 = (id: string, over: Partial<Incident>) =>
      acked(id, T0, 2 * S, { schoolId: 's', dispatches: [dispatch('u', T0 + 30 * S, { acceptedAt: T0 + 40 * S, onSceneAt: T0 + 7 * MIN })], ...over });
    const kept = onScene7('kept', { area: 'urban' });
    const older = onScene7('older', {});
    const r = stats([kept, older], 'none', { areaOf: () => 'rural' });
    expect(r.all.intervals.on_scene.withinTarget).toEqual({ count: 1, percent: 50, outsideIds: ['kept'] });
    // A school gone since: the class its alarm came with still judges it, and nothing is assumed.
    const gone = stats([onScene7('gone', { schoolId: 'gone', area: 'rural' })], 'none', { areaOf: () => undefined });
    expect(gone.all.intervals.on_scene.withinTarget?.count).toBe(1);
    expect(gone.all.areaAssumedIds).toEqual([]);
  });
});

describe('matchesFilter', () => {
  const base: StatsFilter = { from: T0, to: T0 + H, class: 'real' };
  it('takes the period as [from, to) on receivedAt and every optional field as "any" when absent', () => {
    expect(matchesFilter(incident('a', { receivedAt: T0 }), base)).toBe(true);
    expect(matchesFilter(incident('a', { receivedAt: T0 + H - 1 }), base)).toBe(true);
    expect(matchesFilter(incident('a', { receivedAt: T0 + H }), base)).toBe(false);
    expect(matchesFilter(incident('a', { receivedAt: T0 - 1 }), base)).toBe(false);
  });
  it('filters by school, kind, officer, unit and disposition', () => {
    const inc = acked('a', T0, S, {
      schoolId: 's1',
      kind: 'fire',
      acknowledgedBy: chief,
      dispatches: [dispatch('u-1', T0 + 10 * S)],
      resolvedAt: T0 + MIN,
      disposition: 'false_alarm',
    });
    const yes: Partial<StatsFilter>[] = [
      { schoolIds: ['s0', 's1'] },
      { kinds: ['fire'] },
      { officer: 'zhang' },
      { unitId: 'u-1' },
      { disposition: 'false_alarm' },
    ];
    const no: Partial<StatsFilter>[] = [{ schoolIds: [] }, { kinds: ['panic'] }, { officer: 'wang' }, { unitId: 'u-2' }, { disposition: 'real' }];
    for (const f of yes) expect(matchesFilter(inc, { ...base, ...f }), JSON.stringify(f)).toBe(true);
    for (const f of no) expect(matchesFilter(inc, { ...base, ...f }), JSON.stringify(f)).toBe(false);
  });
});

describe('targetHistory', () => {
  const targetsSet = (seq: number, at: number, detail: string | undefined): JournalRecord => ({
    seq,
    event: { type: 'admin.action', at, operator: admin, action: 'targets.set', target: '', ...(detail === undefined ? {} : { detail }) },
  });
  const record = (seq: number, event: StationEvent): JournalRecord => ({ seq, event });

  it('builds the history from targets.set records and ignores a detail that is not a valid profile', () => {
    const p5: TargetProfile = { ...DEFAULT_TARGETS, acknowledgeMs: 5 * S };
    const p7: TargetProfile = { ...DEFAULT_TARGETS, acknowledgeMs: 7 * S };
    const records = [
      record(1, { type: 'sound.muted', at: T0 - H, operator: officer, reason: 'drill', durationMs: MIN }),
      targetsSet(2, T0, JSON.stringify(p5)),
      targetsSet(3, T0 + H, '{not json'),
      targetsSet(4, T0 + 2 * H, JSON.stringify({ ...DEFAULT_TARGETS, acknowledgeMs: -1 })),
      targetsSet(5, T0 + 3 * H, undefined),
      targetsSet(6, T0 + 4 * H, 'null'),
      // another action with a profile's JSON is not a change of targets
      record(7, { type: 'admin.action', at: T0 + 5 * H, operator: admin, action: 'disabled', target: 'dev-1', detail: JSON.stringify(p7) }),
      targetsSet(8, T0 + 6 * H, JSON.stringify(p7)),
    ];
    const h = targetHistory(records, DEFAULT_TARGETS);
    // initial from 0, p5 from T0, p7 from T0 + 6 h; records 3–7 leave p5 in force.
    expect(h).toEqual([
      { from: 0, targets: DEFAULT_TARGETS },
      { from: T0, targets: p5 },
      { from: T0 + 6 * H, targets: p7 },
    ]);
    expect(targetsAt(h, T0 - 1).acknowledgeMs).toBe(10 * S);
    expect(targetsAt(h, T0 + 5 * H).acknowledgeMs).toBe(5 * S);
    expect(targetsAt(h, T0 + 6 * H).acknowledgeMs).toBe(7 * S);
    // no change at all: the initial profile throughout
    expect(targetHistory([], p7)).toEqual([{ from: 0, targets: p7 }]);
  });

  it('keeps journal order for two changes at one instant: the later record wins', () => {
    const p5: TargetProfile = { ...DEFAULT_TARGETS, acknowledgeMs: 5 * S };
    const p7: TargetProfile = { ...DEFAULT_TARGETS, acknowledgeMs: 7 * S };
    const h = targetHistory([targetsSet(1, T0, JSON.stringify(p5)), targetsSet(2, T0, JSON.stringify(p7))], DEFAULT_TARGETS);
    expect(targetsAt(h, T0).acknowledgeMs).toBe(7 * S);
  });
});

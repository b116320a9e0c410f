// test/unit/shared — the three-year-plan board (shared/planBoard.ts), by hand: which semester a date is in (and in
// a holiday, the one just past), which posts cover both peaks on school days, and each school's row and the totals
// from the reference data, the devices' health and the semester's statistics.
import { describe, expect, it } from 'vitest';
import type { DeviceHealth } from '../../../shared/consoleApi';
import type { GuardPost } from '../../../shared/model';
import type { Inspection } from '../../../shared/inspections';
import { coversPeaks, onlinePercent, parseSemesters, peakCoverage, planBoard, semesterOf, semesterSpan } from '../../../shared/planBoard';
import { PlanBook, type Outage, type PostShift, type SchoolDrill } from '../../../shared/planRecords';
import type { GroupFigures, StatsAnswerReport } from '../../../shared/statsWire';
import { school } from '../../support/registryFixture';

const post = (id: string, schoolId: string, days: number[], windows: [string, string][]): GuardPost => ({
  id,
  name: id,
  schoolId,
  lat: 0,
  lng: 0,
  days,
  windows: windows.map(([start, end]) => ({ start, end })),
});
const device = (deviceId: string, schoolId: string, over: Partial<DeviceHealth> = {}): DeviceHealth => ({
  deviceId,
  schoolId,
  label: '',
  disabled: false,
  connected: true,
  online: true,
  skewFlagged: false,
  tamper: false,
  refusals: {},
  ...over,
});
const NOW = Date.UTC(2026, 10, 30, 4, 0);
const DAY = 86_400_000;

/** A statistics answer by school with just what the board reads: each group's total and its acknowledge share. */
function bySchool(groups: [string, number, number?][]): StatsAnswerReport {
  const list = { ids: [], total: 0 };
  const interval = (percent?: number) => ({ count: 0, missing: 0, ...(percent !== undefined ? { withinTarget: { count: 0, percent, outside: list } } : {}) });
  const g = (key: string, total: number, percent?: number): GroupFigures => ({
    key,
    total,
    open: 0,
    ids: list,
    openIds: list,
    areaAssumedIds: list,
    intervals: {
      shown: interval(),
      acknowledged: interval(percent),
      dispatched: interval(),
      accepted: interval(),
      on_scene: interval(),
      resolved: interval(),
    },
  });
  return { filter: { from: 0, to: 1, class: 'real' }, groupBy: 'school', all: g('', 0), groups: groups.map(([k, n, p]) => g(k, n, p)) };
}

describe('semesterOf', () => {
  it('finds the semester of a date, across the new year, and the last one in a holiday', () => {
    expect(semesterOf('2026-11-30')).toEqual({ name: 'autumn', from: '2026-09-01', to: '2027-01-15' });
    expect(semesterOf('2027-01-15')).toEqual({ name: 'autumn', from: '2026-09-01', to: '2027-01-15' });
    expect(semesterOf('2027-01-10')).toEqual({ name: 'autumn', from: '2026-09-01', to: '2027-01-15' });
    expect(semesterOf('2026-03-01')).toEqual({ name: 'spring', from: '2026-03-01', to: '2026-07-15' });
    // Holidays: the semester just past.
    expect(semesterOf('2026-08-10')).toEqual({ name: 'spring', from: '2026-03-01', to: '2026-07-15' });
    expect(semesterOf('2026-02-01')).toEqual({ name: 'autumn', from: '2025-09-01', to: '2026-01-15' });
  });
});

describe('coversPeaks', () => {
  it('needs every school day, a morning window and an afternoon one', () => {
    expect(
      coversPeaks(
        post(
          'p',
          's',
          [1, 2, 3, 4, 5],
          [
            ['07:00', '08:30'],
            ['16:30', '17:30'],
          ],
        ),
      ),
    ).toBe(true);
    expect(coversPeaks(post('p', 's', [1, 2, 3, 4, 5, 6, 7], [['07:00', '17:30']]))).toBe(true);
    expect(
      coversPeaks(
        post(
          'p',
          's',
          [1, 2, 3, 4],
          [
            ['07:00', '08:30'],
            ['16:30', '17:30'],
          ],
        ),
      ),
    ).toBe(false);
    expect(coversPeaks(post('p', 's', [1, 2, 3, 4, 5], [['07:00', '08:30']]))).toBe(false);
    expect(coversPeaks(post('p', 's', [1, 2, 3, 4, 5], [['16:30', '17:30']]))).toBe(false);
  });
});

describe('planBoard', () => {
  it('marks each school against the plan, and counts the schools that meet each target', () => {
    const schools = [school('A'), school('B'), school('C')];
    const guardPosts = [
      post(
        'pa',
        'A',
        [1, 2, 3, 4, 5],
        [
          ['07:00', '08:30'],
          ['16:30', '17:30'],
        ],
      ),
      post('pb', 'B', [1, 2, 3], [['07:00', '08:30']]),
    ];
    const health = [
      device('ta1', 'A', { lastTestPressAt: NOW - 2 * DAY }),
      device('ta2', 'A', { online: false, lastTestPressAt: NOW - 20 * DAY }),
      device('tb', 'B', { lastTestPressAt: NOW - 8 * DAY }),
      // Registered, never connected: networked but not online.
      device('tb2', 'B', { connected: false }),
      device('tc', 'C', { disabled: true, lastTestPressAt: NOW }),
    ];
    const drills = bySchool([
      ['A', 3],
      ['B', 1],
    ]);
    const real = bySchool([
      ['A', 4, 75],
      ['B', 2, 100],
    ]);
    // B's terminal tb has the station's test_overdue fault.
    // A was inspected twice, one hidden danger still open; B once.
    const insp = (id: string, schoolId: string, open: number, closed: number): Inspection => ({
      id,
      schoolId,
      date: '2026-10-01',
      police: 'p',
      education: 'e',
      recordedAt: NOW,
      recordedBy: { username: 'u', displayName: 'U', role: 'chief' },
      findings: [
        ...Array.from({ length: open }, (_, i) => ({ id: `F${i}`, text: 't', deadline: '2026-12-01' })),
        ...Array.from({ length: closed }, (_, i) => ({ id: `C${i}`, text: 't', deadline: '2026-12-01', closedAt: NOW })),
      ],
    });
    const b = planBoard({ schools, guardPosts }, health, {
      drill: drills,
      real,
      testOverdue: new Set(['tb']),
      plan: {
        inspections: [insp('i1', 'A', 1, 1), insp('i2', 'A', 0, 0), insp('i3', 'B', 0, 2)],
        drills: [],
        shifts: [],
        outages: [],
        drillWindows: [],
        unannounced: [],
        // The days of the drill alarms counted above (A: 3, B: 1).
        drillDays: [
          { schoolId: 'A', date: '2026-09-10' },
          { schoolId: 'A', date: '2026-10-12' },
          { schoolId: 'A', date: '2026-11-05' },
          { schoolId: 'B', date: '2026-10-20' },
        ],
      },
    });
    expect(b.rows).toEqual([
      {
        schoolId: 'A',
        networked: true,
        terminals: 2,
        online: 1,
        lastTestPressAt: NOW - 2 * DAY,
        onlineShort: false,
        testLate: false,
        drills: 3,
        alarmDrills: 3,
        registeredDrills: 0,
        drillsShort: false,
        unannouncedDrills: 0,
        posts: 1,
        peaksCovered: true,
        peakWindows: 0,
        peakStaffed: 0,
        staffedShort: false,
        realAlarms: 4,
        priorityPercent: 75,
        priorityShort: true,
        inspections: 2,
        inspectionsShort: false,
        openFindings: 1,
      },
      {
        schoolId: 'B',
        networked: true,
        terminals: 2,
        online: 1,
        lastTestPressAt: NOW - 8 * DAY,
        onlineShort: false,
        testLate: true,
        drills: 1,
        alarmDrills: 1,
        registeredDrills: 0,
        drillsShort: true,
        unannouncedDrills: 0,
        posts: 1,
        peaksCovered: false,
        peakWindows: 0,
        peakStaffed: 0,
        staffedShort: false,
        realAlarms: 2,
        priorityPercent: 100,
        priorityShort: false,
        inspections: 1,
        inspectionsShort: true,
        openFindings: 0,
      },
      // Only a disabled terminal: not networked; no alarm: no share, not short.
      {
        schoolId: 'C',
        networked: false,
        terminals: 0,
        online: 0,
        onlineShort: false,
        testLate: true,
        drills: 0,
        alarmDrills: 0,
        registeredDrills: 0,
        drillsShort: true,
        unannouncedDrills: 0,
        posts: 0,
        peaksCovered: false,
        peakWindows: 0,
        peakStaffed: 0,
        staffedShort: false,
        realAlarms: 0,
        priorityShort: false,
        inspections: 0,
        inspectionsShort: true,
        openFindings: 0,
      },
    ]);
    expect(b.totals).toEqual({
      schools: 3,
      networked: 2,
      allOnline: 0,
      onlineMet: 2,
      staffedMet: 0,
      testsOnTime: 1,
      drillsMet: 1,
      peaksCovered: 1,
      priorityMet: 2,
      inspectionsMet: 1,
    });
  });
});

// Asia/Shanghai is UTC+8 all year: a station wall clock of November 2026, day d, hh:mm.
const local = (d: number, hh: number, mm = 0): number => Date.UTC(2026, 10, d, hh - 8, mm);

describe('actual guard-post coverage (check-in / check-out)', () => {
  // Mon–Fri, 07:30–08:15 and 16:30–17:15. 2026-11-02 is a Monday.
  const p = post(
    'P1',
    'A',
    [1, 2, 3, 4, 5],
    [
      ['16:30', '17:15'],
      ['07:30', '08:15'],
    ],
  );
  const shift = (from: number, to?: number): PostShift => ({ postId: 'P1', from, ...(to !== undefined ? { to } : {}), inBy: 'x' });
  const shifts = [
    shift(local(2, 7, 25), local(2, 8, 20)), // Mon morning: all of it
    shift(local(2, 16, 30), local(2, 16, 45)), // Mon afternoon: 15 of 45 minutes, less than half
    shift(local(3, 7, 50), local(3, 9, 0)), // Tue morning: 25 of 45 minutes, half or more
    shift(local(4, 16, 0)), // Wed 16:00, never checked out: Wed afternoon, Thu both, Fri morning
  ];

  it('counts the windows that are over, and those staffed for half of them or more', () => {
    // Friday 12:00: Mon–Thu have had both windows (8), Friday its morning (9); Friday afternoon is still to come.
    const now = local(6, 12, 0);
    const c = peakCoverage([p], shifts, '2026-11-02', '2026-11-08', now, 'Asia/Shanghai');
    expect(c.posts.get('P1')).toEqual({ windows: 9, staffed: 6 });
    expect(c.schools.get('A')).toEqual({ windows: 9, staffed: 6 });
    // A window under way is neither staffed nor missed yet: at 07:40 on Friday it is not counted.
    expect(peakCoverage([p], shifts, '2026-11-02', '2026-11-08', local(6, 7, 40), 'Asia/Shanghai').posts.get('P1')).toEqual({ windows: 8, staffed: 5 });
    // Weekend days are not on the schedule; the semester's end bounds the days.
    expect(peakCoverage([p], [], '2026-11-07', '2026-11-08', local(9, 0, 0), 'Asia/Shanghai').posts.get('P1')).toEqual({ windows: 0, staffed: 0 });
  });

  it('puts the share on the board, red below 90 %', () => {
    const b = planBoard({ schools: [school('A')], guardPosts: [p] }, [device('t', 'A')], {
      drill: undefined,
      real: undefined,
      testOverdue: new Set(),
      plan: { inspections: [], drills: [], shifts, outages: [], drillWindows: [], unannounced: [], drillDays: [] },
      period: { from: '2026-11-02', to: '2026-11-08', now: local(6, 12, 0), timeZone: 'Asia/Shanghai' },
    });
    expect(b.rows[0]).toMatchObject({ peaksCovered: true, peakWindows: 9, peakStaffed: 6, staffedShort: true });
    expect(b.rows[0]!.staffedPercent).toBeCloseTo(66.67, 1);
    expect(b.postCoverage.get('P1')).toEqual({ windows: 9, staffed: 6 });
  });
});

describe('online rate over the period, and registered drills', () => {
  it('is 100 minus the outages overlapping the period, over the terminals and the period', () => {
    const from = local(1, 0);
    const to = local(11, 0); // ten days
    const outages = new Map<string, Outage[]>([
      // One day of t1 inside, and half a day of t2 that began before the period.
      ['t1', [{ deviceId: 't1', from: local(3, 0), to: local(4, 0) }]],
      ['t2', [{ deviceId: 't2', from: local(0, 12), to: local(1, 12) }]],
      // Still offline: counted to the end of the period.
      ['t3', [{ deviceId: 't3', from: local(10, 0) }]],
    ]);
    expect(onlinePercent(['t1', 't2'], outages, from, to)).toBeCloseTo(100 - (100 * 1.5) / 20, 6);
    expect(onlinePercent(['t3'], outages, from, to)).toBeCloseTo(90, 6);
    expect(onlinePercent([], outages, from, to)).toBeUndefined();
  });

  it('counts drill days: the days of drill alarms and of registered drills, each day once; and the online rate', () => {
    const drill = (id: string, date: string): SchoolDrill => ({
      id,
      schoolId: 'A',
      date,
      kind: 'fire',
      note: '',
      recordedAt: 0,
      recordedBy: { username: 'u', displayName: 'U', role: 'officer' },
    });
    const b = planBoard({ schools: [school('A')], guardPosts: [] }, [device('t1', 'A'), device('t2', 'A')], {
      drill: bySchool([['A', 1]]),
      real: undefined,
      testOverdue: new Set(),
      plan: {
        inspections: [],
        drills: [drill('d1', '2026-11-03'), drill('d2', '2026-11-04')],
        shifts: [],
        // t1 offline for a whole day of the two so far: 75 % for two terminals.
        outages: [{ deviceId: 't1', from: local(2, 0), to: local(3, 0) }],
        drillWindows: [],
        unannounced: [],
        // Drill alarms on two days; the drill of 11-03 (four terminals pressed: one day) was registered too.
        drillDays: [
          { schoolId: 'A', date: '2026-11-02' },
          { schoolId: 'A', date: '2026-11-03' },
        ],
      },
      period: { from: '2026-11-02', to: '2026-11-30', now: local(4, 0), timeZone: 'Asia/Shanghai' },
    });
    expect(b.rows[0]).toMatchObject({ drills: 3, alarmDrills: 2, registeredDrills: 2, drillsShort: false, onlineShort: true });
    expect(b.rows[0]!.onlinePercent).toBeCloseTo(75, 6);
    // A third terminal, registered but never heard from: not online at all (3 terminals: (75 × 2) / 3).
    const never = planBoard({ schools: [school('A')], guardPosts: [] }, [device('t1', 'A'), device('t2', 'A'), device('t3', 'A', { connected: false })], {
      drill: undefined,
      real: undefined,
      testOverdue: new Set(),
      plan: {
        inspections: [],
        drills: [],
        shifts: [],
        outages: [{ deviceId: 't1', from: local(2, 0), to: local(3, 0) }],
        drillWindows: [],
        unannounced: [],
        drillDays: [],
      },
      period: { from: '2026-11-02', to: '2026-11-30', now: local(4, 0), timeZone: 'Asia/Shanghai' },
    });
    expect(never.rows[0]!.onlinePercent).toBeCloseTo(50, 6);
    expect(semesterSpan('2026-11-02', '2026-11-30', local(4, 0), 'Asia/Shanghai')).toEqual({ from: local(2, 0), to: local(4, 0) });
  });
});

describe('the plan book', () => {
  const op = { username: 'u', displayName: '王警官', role: 'officer' as const };
  it('folds check-ins into shifts (a second check-in or a stray check-out changes nothing) and outages from the last heartbeat', () => {
    const book = new PlanBook();
    book.apply({ type: 'post.checked', at: 100, postId: 'P', state: 'out', operator: op });
    book.apply({ type: 'post.checked', at: 200, postId: 'P', state: 'in', operator: op });
    book.apply({ type: 'post.checked', at: 250, postId: 'P', state: 'in', unitId: 'U-post' });
    expect(book.isStaffed('P')).toBe(true);
    book.apply({ type: 'post.checked', at: 300, postId: 'P', state: 'out', unitId: 'U-post' });
    expect(book.isStaffed('P')).toBe(false);
    expect(book.shiftsBetween(0, 1000)).toEqual([{ postId: 'P', from: 200, to: 300, inBy: '王警官' }]);
    expect(book.shiftsBetween(300, 1000)).toEqual([]);
    book.apply({ type: 'device.offline', at: 1_000, deviceId: 'T', lastSeenAt: 900 });
    book.apply({ type: 'device.offline', at: 1_100, deviceId: 'T', lastSeenAt: 900 });
    expect(book.outagesBetween(0, 5_000)).toEqual([{ deviceId: 'T', from: 900 }]);
    book.apply({ type: 'device.online', at: 2_000, deviceId: 'T' });
    expect(book.outagesBetween(0, 5_000)).toEqual([{ deviceId: 'T', from: 900, to: 2_000 }]);
    expect(book.outagesBetween(2_000, 5_000)).toEqual([]);
  });
});

describe('the plan book in a state snapshot', () => {
  const op = { username: 'u', displayName: '王警官', role: 'officer' as const };
  it('comes back from its entries the same, and refuses a malformed record', () => {
    const book = new PlanBook();
    book.apply({ type: 'post.checked', at: 200, postId: 'P', state: 'in', operator: op });
    book.apply({ type: 'post.checked', at: 300, postId: 'P', state: 'out', operator: op });
    book.apply({ type: 'post.checked', at: 400, postId: 'P', state: 'in', operator: op });
    book.apply({ type: 'device.offline', at: 1_000, deviceId: 'T', lastSeenAt: 900 });
    book.apply({ type: 'school_drill.recorded', at: 5, operator: op, drillId: 'D1', schoolId: 'A', date: '2026-11-02', kind: 'fire', note: '' });
    book.apply({ type: 'drill_window.registered', at: 6, operator: op, windowId: 'W1', schoolId: 'A', from: 100, to: 200, note: '' });
    book.apply({ type: 'drill_window.cancelled', at: 7, operator: op, windowId: 'W1', reason: '改期' });
    book.apply({
      type: 'inspection.recorded',
      at: 8,
      operator: op,
      inspectionId: 'I1',
      schoolId: 'A',
      date: '2026-11-02',
      police: 'p',
      education: 'e',
      findings: [],
    });
    const again = PlanBook.restore(JSON.parse(JSON.stringify(book.entries())) as [string, unknown][]);
    expect(again.entries()).toEqual(book.entries());
    expect(again.isStaffed('P')).toBe(true);
    expect(again.shiftsBetween(0, 1000)).toEqual(book.shiftsBetween(0, 1000));
    expect(again.drillWindowAt('A', 150)).toBeUndefined(); // withdrawn
    for (const bad of [[['s:0', { postId: 'P', from: 'x', inBy: 'u' }]], [['q:0', {}]], [['i:I1', { id: 'I1' }]], [['o:0', null]]] as [string, unknown][][])
      expect(() => PlanBook.restore(bad)).toThrow(/malformed/);
  });
});

describe('STATION_SEMESTERS', () => {
  it('reads name=MM-DD..MM-DD; semesters, and says what is wrong', () => {
    expect(parseSemesters('spring=02-20..07-10; autumn=09-01..01-20')).toEqual({
      ok: true,
      rules: [
        { name: 'spring', from: { month: 2, day: 20 }, to: { month: 7, day: 10 } },
        { name: 'autumn', from: { month: 9, day: 1 }, to: { month: 1, day: 20 } },
      ],
    });
    for (const bad of ['', 'spring', 'spring=02-30..07-10', 'spring=13-01..07-10', 'a=03-01..07-15;a=09-01..01-15', '__proto__=03-01..07-15x'])
      expect(parseSemesters(bad).ok).toBe(false);
    const rules = parseSemesters('spring=02-20..07-10;autumn=09-01..01-20');
    if (!rules.ok) throw new Error('unreachable');
    expect(semesterOf('2027-01-18', rules.rules)).toEqual({ name: 'autumn', from: '2026-09-01', to: '2027-01-20' });
    expect(semesterOf('2027-02-25', rules.rules)).toEqual({ name: 'spring', from: '2027-02-20', to: '2027-07-10' });
  });
});

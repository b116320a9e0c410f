// test/unit/shared — the three-year-plan board (shared/planBoard.ts), by hand: which semester a date is in (and in
// a holiday, the one just past), which posts cover both peaks on school days, and each school's row and the totals
// from the reference data, the devices' health and the semester's statistics.
import { describe, expect, it } from 'vitest';
import type { DeviceHealth } from '../../../shared/consoleApi';
import type { GuardPost } from '../../../shared/model';
import type { Inspection } from '../../../shared/inspections';
import { coversPeaks, planBoard, semesterOf } from '../../../shared/planBoard';
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
    const b = planBoard({ schools, guardPosts }, health, drills, real, new Set(['tb']), [insp('i1', 'A', 1, 1), insp('i2', 'A', 0, 0), insp('i3', 'B', 0, 2)]);
    expect(b.rows).toEqual([
      {
        schoolId: 'A',
        networked: true,
        terminals: 2,
        online: 1,
        lastTestPressAt: NOW - 2 * DAY,
        testLate: false,
        drills: 3,
        drillsShort: false,
        posts: 1,
        peaksCovered: true,
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
        testLate: true,
        drills: 1,
        drillsShort: true,
        posts: 1,
        peaksCovered: false,
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
        testLate: true,
        drills: 0,
        drillsShort: true,
        posts: 0,
        peaksCovered: false,
        realAlarms: 0,
        priorityShort: false,
        inspections: 0,
        inspectionsShort: true,
        openFindings: 0,
      },
    ]);
    expect(b.totals).toEqual({ schools: 3, networked: 2, allOnline: 0, testsOnTime: 1, drillsMet: 1, peaksCovered: 1, priorityMet: 2, inspectionsMet: 1 });
  });
});

// test/unit/shared — guard-post duty windows on the station's wall clock (Asia/Shanghai, UTC+8, no DST).
import { describe, expect, it } from 'vitest';
import { dayRuns, dutyWindowAt, fromZoned, isStaffed, localTime, minutesOf, zonedDay, zonedParts } from '../../../shared/duty';

const post = {
  days: [1, 2, 3, 4, 5],
  windows: [
    { start: '07:10', end: '08:10' },
    { start: '16:30', end: '17:30' },
  ],
};
/** 2026-11-30 is a Monday. Beijing time = UTC + 8. */
const beijing = (day: number, hh: number, mm: number): number => Date.UTC(2026, 10, day, hh - 8, mm);

describe('guard-post duty', () => {
  it('reads weekday and minutes on the Beijing wall clock, whatever the machine zone', () => {
    expect(localTime(beijing(30, 7, 30))).toEqual({ weekday: 1, minutes: 450 });
    // 23:30 UTC on Sunday is already Monday 07:30 in Beijing.
    expect(localTime(Date.UTC(2026, 10, 29, 23, 30))).toEqual({ weekday: 1, minutes: 450 });
    expect(localTime(Date.UTC(2026, 10, 29, 23, 30), 'UTC')).toEqual({ weekday: 7, minutes: 23 * 60 + 30 });
    expect(localTime(beijing(30, 0, 0)).minutes).toBe(0);
  });

  it('is staffed inside a window on a school day, from start up to (not including) the end', () => {
    expect(isStaffed(post, beijing(30, 7, 10))).toBe(true);
    expect(isStaffed(post, beijing(30, 8, 9))).toBe(true);
    expect(isStaffed(post, beijing(30, 8, 10))).toBe(false);
    expect(isStaffed(post, beijing(30, 7, 9))).toBe(false);
    expect(isStaffed(post, beijing(30, 12, 0))).toBe(false);
    expect(dutyWindowAt(post, beijing(30, 17, 0))).toEqual({ start: '16:30', end: '17:30' });
  });

  it('is not staffed at peak hours on days off', () => {
    // 2026-11-28 is a Saturday, 2026-11-29 a Sunday.
    expect(isStaffed(post, beijing(28, 7, 30))).toBe(false);
    expect(isStaffed(post, beijing(29, 16, 45))).toBe(false);
    expect(isStaffed({ ...post, days: [6] }, beijing(28, 7, 30))).toBe(true);
  });

  it('parses HH:MM strictly', () => {
    expect(minutesOf('00:00')).toBe(0);
    expect(minutesOf('23:59')).toBe(1439);
    for (const bad of ['24:00', '7:10', '07:60', '0710', '', '07:10:00']) expect(() => minutesOf(bad)).toThrow(/HH:MM/);
  });

  it('groups days into runs for display', () => {
    expect(dayRuns([1, 2, 3, 4, 5])).toEqual([[1, 5]]);
    expect(dayRuns([6, 1, 2, 7, 4])).toEqual([
      [1, 2],
      [4, 4],
      [6, 7],
    ]);
    expect(dayRuns([])).toEqual([]);
  });

  it('converts between instants and the station wall clock both ways', () => {
    expect(fromZoned(2026, 11, 30, 7, 30)).toBe(beijing(30, 7, 30));
    expect(fromZoned(2026, 12, 1, 0, 5)).toBe(Date.UTC(2026, 10, 30, 16, 5));
    expect(zonedParts(beijing(30, 23, 59))).toMatchObject({ year: 2026, month: 11, day: 30, hour: 23, minute: 59, weekday: 1 });
    // A zone with daylight saving: 2026-07-01 12:00 in New York is 16:00 UTC, in January 17:00 UTC.
    expect(fromZoned(2026, 7, 1, 12, 0, 'America/New_York')).toBe(Date.UTC(2026, 6, 1, 16, 0));
    expect(fromZoned(2026, 1, 15, 12, 0, 'America/New_York')).toBe(Date.UTC(2026, 0, 15, 17, 0));
  });
});

describe('zonedDay', () => {
  it('is the zone’s midnight to the next, kept per zone and recomputed once `at` leaves it', () => {
    const mon = zonedDay(beijing(30, 0, 0));
    expect(mon).toEqual({ start: beijing(30, 0, 0), end: beijing(31, 0, 0) });
    // The same day all day, to its last millisecond; then the next.
    expect(zonedDay(beijing(30, 13, 5))).toBe(mon);
    expect(zonedDay(beijing(31, 0, 0) - 1)).toBe(mon);
    expect(zonedDay(beijing(31, 0, 0))).toEqual({ start: beijing(31, 0, 0), end: beijing(32, 0, 0) });
    // Back in time is not "the same day" either.
    expect(zonedDay(beijing(30, 0, 0) - 1)).toEqual({ start: beijing(29, 0, 0), end: beijing(30, 0, 0) });
    // Another zone's day is its own, whatever was asked of Shanghai.
    expect(zonedDay(beijing(30, 12, 0), 'UTC')).toEqual({ start: Date.UTC(2026, 10, 30), end: Date.UTC(2026, 11, 1) });
  });

  it('has 23 and 25 hours on the days New York changes its clocks', () => {
    const spring = zonedDay(Date.UTC(2026, 2, 8, 12), 'America/New_York');
    expect(spring).toEqual({ start: Date.UTC(2026, 2, 8, 5), end: Date.UTC(2026, 2, 9, 4) });
    const autumn = zonedDay(Date.UTC(2026, 10, 1, 12), 'America/New_York');
    expect(autumn).toEqual({ start: Date.UTC(2026, 10, 1, 4), end: Date.UTC(2026, 10, 2, 5) });
  });
});

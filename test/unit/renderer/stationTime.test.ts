// test/unit/renderer — every time the console shows is the station's wall clock (issue 11, point 8): the zone
// comes from the core's hello, not from the browser (this machine runs in UTC).
import { afterEach, describe, expect, it } from 'vitest';
import { clockTime, setClockOffset, setStationTimeZone, stationDate, stationNow } from '../../../renderer/time';

const T = Date.UTC(2026, 10, 30, 20, 30, 7, 900); // Shanghai: 2026-12-01 04:30:07

afterEach(() => {
  setStationTimeZone('Asia/Shanghai');
  setClockOffset(0);
});

describe('station time', () => {
  it('is Asia/Shanghai until the core says otherwise, to the second', () => {
    expect(clockTime(T)).toBe('04:30:07');
    expect(stationDate(T)).toBe('2026-12-01');
    expect(clockTime(T + 52_100)).toBe('04:31:00');
  });

  it("reads now on the station's clock: a browser 3 minutes slow does not date a report 3 minutes early", () => {
    setClockOffset(180_000);
    const before = Date.now();
    const now = stationNow();
    expect(now - before).toBeGreaterThanOrEqual(180_000);
    expect(now - Date.now()).toBeLessThanOrEqual(180_000);
  });

  it('follows the zone of the hello', () => {
    setStationTimeZone('America/New_York');
    expect(clockTime(T)).toBe('15:30:07');
    expect(stationDate(T)).toBe('2026-11-30');
    setStationTimeZone('UTC');
    expect(clockTime(T)).toBe('20:30:07');
  });
});

// shared/ — station-time buckets for the response statistics: shifts, hour, weekday, ISO week and month of an
// instant on the station's wall clock. Pure: the instant and the zone are passed in.
import { STATION_TIME_ZONE, minutesOf, zonedParts, type ZonedParts } from './duty';

/** A duty shift on the station's wall clock: [start, end), wrapping past midnight when end ≤ start. */
export interface Shift {
  /** The shift's key in the statistics ('day', 'night', or a station's own names). */
  name: string;
  /** "HH:MM" (shared/duty.ts HHMM). */
  start: string;
  end: string;
}

/** The default shifts (a setting may replace them): day 08:00–20:00, night 20:00–08:00, station time. */
export const DEFAULT_SHIFTS: readonly Shift[] = [
  { name: 'day', start: '08:00', end: '20:00' },
  { name: 'night', start: '20:00', end: '08:00' },
];

/** Is a time of day (minutes since local midnight) within the shift? A shift whose end equals its start is the whole day. */
function inShift(minutes: number, s: Shift): boolean {
  const start = minutesOf(s.start);
  const end = minutesOf(s.end);
  return start < end ? minutes >= start && minutes < end : minutes >= start || minutes < end;
}

/** The first of `shifts` in force at `at` (epoch ms) on the wall clock of `timeZone`, or undefined if none covers it. */
export function shiftOf(at: number, shifts: readonly Shift[] = DEFAULT_SHIFTS, timeZone = STATION_TIME_ZONE): string | undefined {
  return shiftAt(zonedParts(at, timeZone).minutes, shifts);
}

/** `shiftOf` for a time of day already known (minutes since local midnight). */
export function shiftAt(minutes: number, shifts: readonly Shift[]): string | undefined {
  return shifts.find((s) => inShift(minutes, s))?.name;
}

const QUARTER_MS = 15 * 60_000;
const DAY_MS = 86_400_000;

/**
 * zonedParts for many instants, fast: Intl is slow over a year of incidents. Each UTC day's offset is looked up
 * twice (its first and last minute); when they agree (every day but a zone's clock-change days) the parts are
 * plain arithmetic on that offset, otherwise each quarter hour is asked of Intl (a clock change is on a quarter).
 */
export function zonedClock(timeZone = STATION_TIME_ZONE): (at: number) => ZonedParts {
  const quarters = new Map<number, ZonedParts>();
  /** UTC day → the wall clock's offset in ms when it is the same all day, null on a clock-change day. */
  const offsets = new Map<number, number | null>();
  const offsetAt = (minuteStart: number): number => {
    const p = zonedParts(minuteStart, timeZone);
    return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute) - minuteStart;
  };
  const byQuarter = (at: number): ZonedParts => {
    const q = Math.floor(at / QUARTER_MS);
    let base = quarters.get(q);
    if (!base) {
      base = zonedParts(q * QUARTER_MS, timeZone);
      quarters.set(q, base);
    }
    const extra = Math.floor((at - q * QUARTER_MS) / 60_000);
    return extra === 0 ? base : { ...base, minute: base.minute + extra, minutes: base.minutes + extra };
  };
  return (at) => {
    const d = Math.floor(at / DAY_MS);
    let off = offsets.get(d);
    if (off === undefined) {
      const first = offsetAt(d * DAY_MS);
      off = first === offsetAt((d + 1) * DAY_MS - 60_000) ? first : null;
      offsets.set(d, off);
    }
    if (off === null) return byQuarter(at);
    const w = new Date(Math.floor(at / 60_000) * 60_000 + off);
    const hour = w.getUTCHours();
    const minute = w.getUTCMinutes();
    const weekday = w.getUTCDay() === 0 ? 7 : w.getUTCDay();
    return { year: w.getUTCFullYear(), month: w.getUTCMonth() + 1, day: w.getUTCDate(), hour, minute, weekday, minutes: hour * 60 + minute };
  };
}

const pad2 = (n: number): string => String(n).padStart(2, '0');

/** The ISO 8601 week of a local date, "YYYY-Www" (weeks start on Monday; week 1 holds the year's first Thursday). */
export function isoWeekKey(p: Pick<ZonedParts, 'year' | 'month' | 'day' | 'weekday'>): string {
  const thursday = Date.UTC(p.year, p.month - 1, p.day) + (4 - p.weekday) * DAY_MS;
  const year = new Date(thursday).getUTCFullYear();
  const week = 1 + Math.floor((thursday - Date.UTC(year, 0, 1)) / (7 * DAY_MS));
  return `${year}-W${pad2(week)}`;
}

/** "YYYY-MM" of a local date. */
export const monthKey = (p: Pick<ZonedParts, 'year' | 'month'>): string => `${p.year}-${pad2(p.month)}`;

/** "00".."23": the local hour, zero-padded so the keys sort in order. */
export const hourKey = (p: Pick<ZonedParts, 'hour'>): string => pad2(p.hour);

/** "1".."7": the ISO weekday, 1 = Monday. */
export const weekdayKey = (p: Pick<ZonedParts, 'weekday'>): string => String(p.weekday);

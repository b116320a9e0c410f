// shared/ — guard-post duty (护学岗 高峰勤务): is a post staffed at a given moment? Pure: the moment is passed
// in. Duty windows are wall-clock times at the station; China has one time zone and no daylight saving, so
// the station's zone is Asia/Shanghai unless a caller says otherwise.
import type { DutyWindow, GuardPost } from './model';

export const STATION_TIME_ZONE = 'Asia/Shanghai';

export interface LocalTime {
  /** ISO weekday, 1 = Monday … 7 = Sunday. */
  weekday: number;
  /** Minutes since local midnight. */
  minutes: number;
}

export interface ZonedParts extends LocalTime {
  year: number;
  /** 1..12 */
  month: number;
  day: number;
  hour: number;
  minute: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
const WEEKDAYS: Record<string, number> = { Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7 };

/** The calendar date, weekday and time of day of `at` (epoch ms) on the wall clock of `timeZone`. */
export function zonedParts(at: number, timeZone = STATION_TIME_ZONE): ZonedParts {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      weekday: 'short',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    formatters.set(timeZone, f);
  }
  const parts = f.formatToParts(at);
  const get = (type: string): string => parts.find((p) => p.type === type)?.value ?? '';
  const weekday = WEEKDAYS[get('weekday')];
  if (weekday === undefined) throw new Error(`duty: cannot read the weekday of ${at} in ${timeZone}`);
  const hour = Number(get('hour'));
  const minute = Number(get('minute'));
  return { year: Number(get('year')), month: Number(get('month')), day: Number(get('day')), hour, minute, weekday, minutes: hour * 60 + minute };
}

/** The weekday and time of day of `at` (epoch ms) on the wall clock of `timeZone`. */
export function localTime(at: number, timeZone = STATION_TIME_ZONE): LocalTime {
  const { weekday, minutes } = zonedParts(at, timeZone);
  return { weekday, minutes };
}

/** The instant a wall clock in `timeZone` shows the given date and time (minute resolution). */
export function fromZoned(year: number, month: number, day: number, hour: number, minute: number, timeZone = STATION_TIME_ZONE): number {
  const wall = Date.UTC(year, month - 1, day, hour, minute);
  // The zone's offset at about that instant, then once more in case the first guess crossed a change.
  let at = wall;
  for (let i = 0; i < 2; i++) {
    const p = zonedParts(at, timeZone);
    at += wall - Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute);
  }
  return at;
}

/** The station's calendar day holding `at`: [start, end) in epoch ms. */
export interface ZonedDay {
  start: number;
  end: number;
}

const lastDay = new Map<string, Readonly<ZonedDay>>();

/**
 * The calendar day of `timeZone` that holds `at` (its midnight to the next; 23 or 25 hours across a clock change).
 * A console asks on every record, for the same day all day: the last answer per zone is kept and reused while `at`
 * falls in it (five Intl calls otherwise).
 */
export function zonedDay(at: number, timeZone = STATION_TIME_ZONE): Readonly<ZonedDay> {
  const last = lastDay.get(timeZone);
  if (last && at >= last.start && at < last.end) return last;
  const d = zonedParts(at, timeZone);
  // Frozen: every caller that day is handed this one object.
  const day = Object.freeze({ start: fromZoned(d.year, d.month, d.day, 0, 0, timeZone), end: fromZoned(d.year, d.month, d.day + 1, 0, 0, timeZone) });
  lastDay.set(timeZone, day);
  return day;
}

/** A wall-clock time "HH:MM" within a day (00:00–23:59): the one pattern for duty windows everywhere. */
export const HHMM = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** "07:10" → 430. Throws on anything that is not HH:MM within a day. */
export function minutesOf(hhmm: string): number {
  const m = HHMM.exec(hhmm);
  if (!m) throw new Error(`duty: "${hhmm}" is not a time HH:MM`);
  return Number(m[1]) * 60 + Number(m[2]);
}

/** The window in force at `at`, if the post is staffed then; windows are [start, end) on the post's days. */
export function dutyWindowAt(post: Pick<GuardPost, 'days' | 'windows'>, at: number, timeZone = STATION_TIME_ZONE): DutyWindow | undefined {
  const { weekday, minutes } = localTime(at, timeZone);
  if (!post.days.includes(weekday)) return undefined;
  return post.windows.find((w) => minutes >= minutesOf(w.start) && minutes < minutesOf(w.end));
}

export const isStaffed = (post: Pick<GuardPost, 'days' | 'windows'>, at: number, timeZone = STATION_TIME_ZONE): boolean =>
  dutyWindowAt(post, at, timeZone) !== undefined;

/** "周一至周五 07:10–08:10, 16:30–17:30"-style summary parts: the days as ISO numbers grouped into runs. */
export function dayRuns(days: number[]): [number, number][] {
  const sorted = [...new Set(days)].filter((d) => d >= 1 && d <= 7).sort((a, b) => a - b);
  const runs: [number, number][] = [];
  for (const d of sorted) {
    const last = runs[runs.length - 1];
    if (last && d === last[1] + 1) last[1] = d;
    else runs.push([d, d]);
  }
  return runs;
}

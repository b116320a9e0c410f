// renderer/ — clock helpers for the console: one shared ticking clock, read only by the leaf components that
// show a time, so a tick re-renders a few text nodes and never the queue or the map. Every time a person sees is
// the station's wall clock (its time zone, from the core's hello), never the browser's zone.
import { useSyncExternalStore } from 'react';
import { STATION_TIME_ZONE, zonedParts, type ZonedParts } from '../shared/duty';

/** station clock − local clock, set from the core's hello, so timers count on the station's time. */
let offsetMs = 0;
export function setClockOffset(ms: number): void {
  offsetMs = ms;
}
/** Now on the station's clock (the core's, from its hello): what a report's "made at" and a check against the core say. */
export const stationNow = (): number => Date.now() + offsetMs;

interface Channel {
  subscribe: (fn: () => void) => () => void;
  get: () => number;
}
const channels = new Map<number, Channel>();

/** One ticking source per interval, created outside React: it runs only while someone listens. */
function channel(intervalMs: number): Channel {
  const existing = channels.get(intervalMs);
  if (existing) return existing;
  const listeners = new Set<() => void>();
  let now = Date.now() + offsetMs;
  let timer: ReturnType<typeof setInterval> | ReturnType<typeof setTimeout> | undefined;
  const c: Channel = {
    subscribe(fn) {
      listeners.add(fn);
      if (!timer) {
        now = Date.now() + offsetMs;
        const tick = (): void => {
          now = Date.now() + offsetMs;
          listeners.forEach((f) => f());
        };
        // Ticks land just after each interval boundary of the station clock, so a 1 s timer turns over
        // with the second, not up to a second late.
        timer = setTimeout(
          () => {
            tick();
            timer = setInterval(tick, intervalMs);
          },
          intervalMs - (now % intervalMs) + 5,
        );
      }
      return () => {
        listeners.delete(fn);
        if (listeners.size === 0 && timer) {
          clearTimeout(timer);
          clearInterval(timer);
          timer = undefined;
        }
      };
    },
    get: () => now,
  };
  channels.set(intervalMs, c);
  return c;
}

/** The station time, refreshed every `intervalMs` (one timer per interval for the whole page). */
export function useNow(intervalMs: number): number {
  const c = channel(intervalMs);
  return useSyncExternalStore(c.subscribe, c.get);
}

const pad = (n: number): string => String(n).padStart(2, '0');

/** The station's time zone (hello.settings.timeZone); Asia/Shanghai until the core says otherwise. */
let zone = STATION_TIME_ZONE;
/** The wall clock of each minute already asked for (Intl is slow for a storm of cards); cleared with the zone. */
const minutes = new Map<number, ZonedParts>();
export function setStationTimeZone(timeZone: string): void {
  if (timeZone === zone) return;
  zone = timeZone;
  minutes.clear();
}
export const stationTimeZone = (): string => zone;

/** The station wall clock of `ms`. Zones differ by whole minutes, so one look-up serves a minute's 60 seconds. */
export function stationParts(ms: number): ZonedParts & { second: number } {
  const minute = Math.floor(ms / 60_000);
  let p = minutes.get(minute);
  if (!p) {
    if (minutes.size > 2_000) minutes.clear();
    p = zonedParts(minute * 60_000, zone);
    minutes.set(minute, p);
  }
  return { ...p, second: Math.floor((ms - minute * 60_000) / 1000) };
}

/** "HH:MM:SS" on the station's clock. */
export function clockTime(ms: number): string {
  const d = stationParts(ms);
  return `${pad(d.hour)}:${pad(d.minute)}:${pad(d.second)}`;
}

/** "YYYY-MM-DD" on the station's clock. */
export function stationDate(ms: number): string {
  const d = stationParts(ms);
  return `${d.year}-${pad(d.month)}-${pad(d.day)}`;
}

/** "m:ss" (or "h:mm:ss") of a duration; negative values (clock skew) show as 0:00. */
export function duration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h > 0 ? `${h}:${pad(m)}:${pad(s % 60)}` : `${m}:${pad(s % 60)}`;
}

// renderer/ — clock helpers for the console: one shared ticking clock, read only by the leaf components that
// show a time, so a tick re-renders a few text nodes and never the queue or the map.
import { useSyncExternalStore } from 'react';

/** station clock − local clock, set from the core's hello, so timers count on the station's time. */
let offsetMs = 0;
export function setClockOffset(ms: number): void {
  offsetMs = ms;
}

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

export function clockTime(ms: number): string {
  const d = new Date(ms);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** "m:ss" (or "h:mm:ss") of a duration; negative values (clock skew) show as 0:00. */
export function duration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h > 0 ? `${h}:${pad(m)}:${pad(s % 60)}` : `${m}:${pad(s % 60)}`;
}

// renderer/ — a value that follows another at most once per interval, each change in a task of its own right after
// the render that brought it: the render that puts an alarm's card on screen does not wait for the map, and a
// storm of 50 alarms a second redraws the map a few times a second, not 50.
import { useEffect, useRef, useState } from 'react';

export function useThrottled<T>(value: T, intervalMs: number): T {
  const [shown, setShown] = useState(value);
  const pending = useRef<{ latest: T; at: number; timer?: ReturnType<typeof setTimeout>; aligned: boolean }>({
    latest: value,
    at: -Infinity,
    aligned: false,
  });
  useEffect(() => {
    const p = pending.current;
    p.latest = value;
    if (Object.is(shown, value)) return;
    // Once the interval has passed: at once, in the next task (after this render's card is on screen). Before:
    // with the next change after the interval (it comes right after another alarm's render), or, if none
    // comes, after another interval.
    const aligned = performance.now() - p.at >= intervalMs;
    if (p.timer !== undefined) {
      if (!aligned || p.aligned) return;
      clearTimeout(p.timer);
    }
    p.aligned = aligned;
    p.timer = setTimeout(
      () => {
        p.timer = undefined;
        p.at = performance.now();
        setShown(() => p.latest);
      },
      aligned ? 0 : Math.max(0, p.at + 2 * intervalMs - performance.now()),
    );
  });
  useEffect(() => {
    const p = pending.current;
    return () => clearTimeout(p.timer);
  }, []);
  return shown;
}

// renderer/ — the live queue: the alarm queue without the incidents resolved longer ago than the linger time. The
// console re-renders when the next one is due to leave, not on a ticking clock (a storm must stay smooth).
import { useEffect, useMemo, useState } from 'react';
import { inLiveQueue, nextQueueExit, type QueueEntry } from '../../shared/consoleView';

export function useLiveQueue(queue: QueueEntry[], lingerMs: number): QueueEntry[] {
  const [now, setNow] = useState(() => Date.now());
  const exit = useMemo(() => nextQueueExit(queue, now, lingerMs), [queue, now, lingerMs]);
  useEffect(() => {
    if (exit === undefined) return;
    const timer = setTimeout(() => setNow(Date.now()), Math.max(0, exit - Date.now()) + 20);
    return () => clearTimeout(timer);
  }, [exit]);
  // Judged at `now`: an incident resolved since is still within its linger time, and the timer above wakes the
  // console when the next one is due to leave.
  return useMemo(() => queue.filter((x) => inLiveQueue(x, now, lingerMs)), [queue, now, lingerMs]);
}

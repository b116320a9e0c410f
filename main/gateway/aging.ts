// main/ (core and front, Node) — bounded sets of waiting connections, oldest first, where the oldest that has
// waited long enough gives way to a newcomer. Admission (main/gateway/admission.ts) keeps its idle sockets and
// pending Engine.IO sessions in them; the front (main/gateway/front.ts) its connections whose head is not in.
import { performance } from 'node:perf_hooks';

export const monotonic = (): number => performance.now();

/** An insertion-ordered set of things with the time they were added (re-adding moves to the end): oldest first. */
export class Aging<T> {
  readonly items = new Map<T, number>();

  add(x: T, at: number): void {
    this.items.delete(x);
    this.items.set(x, at);
  }

  /**
   * Makes room for one more under `max`: drops the oldest that `mayGo` lets go (it waited long enough, or is
   * refused anyway), one at a time. False when the set is full of entries that may not go. `drop` must remove
   * the entry from the set, or it is removed after it.
   */
  makeRoom(max: number, mayGo: (x: T, at: number) => boolean, drop: (x: T) => void): boolean {
    while (this.items.size >= max) {
      let victim: T | undefined;
      let found = false;
      for (const [x, at] of this.items) {
        if (mayGo(x, at)) {
          victim = x;
          found = true;
          break;
        }
      }
      if (!found) return false;
      drop(victim as T);
      this.items.delete(victim as T);
    }
    return true;
  }
}

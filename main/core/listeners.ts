// main/core (core, Node) — telling listeners: each is called in turn, and one that throws is logged and does not
// keep the others from hearing (a broken gateway listener must not stop a registry change or a logout).
export function callEach<A extends unknown[]>(listeners: Iterable<(...args: A) => void>, args: A, who: string): void {
  for (const fn of listeners) {
    try {
      fn(...args);
    } catch (e) {
      console.error(`${who}: listener failed:`, e);
    }
  }
}

// test/bench — what both benchmarks share: bounded waits, cleanup on every path, nearest-rank statistics.

/** Resolves with p, or rejects after ms with message; the timer never keeps the process alive. */
export function within<T>(p: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
    timer.unref();
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

/** Cleanups run last-in first-out, once, each bounded to 5 s; a failing one is reported and skipped. */
export function cleanupRegistry(label: string): { onCleanup(name: string, fn: () => Promise<void> | void): void; cleanupAll(): Promise<void> } {
  const cleanups: { name: string; fn: () => Promise<void> | void }[] = [];
  let cleaning: Promise<void> | undefined;
  return {
    onCleanup(name, fn) {
      cleanups.push({ name, fn });
    },
    cleanupAll() {
      cleaning ??= (async () => {
        while (cleanups.length > 0) {
          const c = cleanups.pop()!;
          try {
            await within(Promise.resolve(c.fn()), 5000, `cleanup of ${c.name} took more than 5 s`);
          } catch (e) {
            console.error(`${label}: cleanup of ${c.name} failed: ${(e as Error).message}`);
          }
        }
      })();
      return cleaning;
    },
  };
}

export interface Stats {
  n: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
}

/** Nearest-rank percentiles (p99 of 200 is the 198th smallest). */
export function stats(values: number[]): Stats {
  const s = [...values].sort((a, b) => a - b);
  const q = (p: number): number => s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))] ?? NaN;
  return { n: s.length, p50: q(0.5), p95: q(0.95), p99: q(0.99), max: s[s.length - 1] ?? NaN, mean: s.reduce((a, b) => a + b, 0) / (s.length || 1) };
}

export const round2 = (x: number): number => Math.round(x * 100) / 100;

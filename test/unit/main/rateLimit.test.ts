// test/unit/main — the per-device token bucket for non-alarm events: burst, refill with the clock, caps, keys.
import { describe, expect, it } from 'vitest';
import { RateLimiter } from '../../../main/core/rateLimit';

const T0 = 1_800_000_000_000;

/** How many of `n` takes at time `at` succeed. */
function takes(l: RateLimiter, key: string, at: number, n: number): number {
  let ok = 0;
  for (let i = 0; i < n; i++) if (l.take(key, at)) ok++;
  return ok;
}

describe('RateLimiter', () => {
  it('lets a new key spend its whole burst at once, then refuses', () => {
    const l = new RateLimiter(5, 20);
    expect(takes(l, 'T-1', T0, 20)).toBe(20);
    expect(l.take('T-1', T0)).toBe(false);
    expect(l.take('T-1', T0)).toBe(false);
  });

  it('refills at the given rate: one token per 1/rate seconds, fractions carried over', () => {
    const l = new RateLimiter(5, 20);
    takes(l, 'T-1', T0, 20);
    expect(l.take('T-1', T0 + 100)).toBe(false); // half a token
    expect(l.take('T-1', T0 + 200)).toBe(true); // the half from before + another half
    expect(l.take('T-1', T0 + 200)).toBe(false);
    // One second brings exactly 5.
    expect(takes(l, 'T-1', T0 + 1200, 10)).toBe(5);
  });

  it('does not charge refused attempts: hammering an empty bucket does not delay the next token', () => {
    const l = new RateLimiter(5, 20);
    takes(l, 'T-1', T0, 20);
    for (let t = 0; t < 200; t += 10) expect(l.take('T-1', T0 + t)).toBe(false);
    expect(l.take('T-1', T0 + 200)).toBe(true);
  });

  it('never holds more than the burst, however long a key was idle', () => {
    const l = new RateLimiter(5, 20);
    expect(l.take('T-1', T0)).toBe(true);
    expect(takes(l, 'T-1', T0 + 3_600_000, 100)).toBe(20);
  });

  it('keeps one bucket per key', () => {
    const l = new RateLimiter(1, 2);
    expect(takes(l, 'T-1', T0, 5)).toBe(2);
    expect(takes(l, 'T-2', T0, 5)).toBe(2);
    expect(l.take('T-1', T0 + 999)).toBe(false);
    expect(l.take('T-1', T0 + 1000)).toBe(true);
    expect(l.take('T-2', T0 + 1000)).toBe(true);
  });

  it('with a burst of 1 allows exactly the rate', () => {
    const l = new RateLimiter(2, 1);
    let ok = 0;
    for (let t = 0; t < 10_000; t += 100) if (l.take('k', T0 + t)) ok++;
    expect(ok).toBe(20);
  });
});

// test/unit/main — regression: a backwards step of the wall clock (NTP correction) must not drain a token bucket.
// main/core/rateLimit.ts `take` adds ((now - b.at) / 1000) * perSecond without clamping, so a negative interval
// subtracts tokens: after the clock steps back by N seconds a device's heartbeats are refused as rate_limited
// for about N seconds (an hour's step → an hour of refused heartbeats). Fix: Math.max(0, now - b.at).
import { describe, expect, it } from 'vitest';
import { RateLimiter } from '../../../main/core/rateLimit';

const T0 = 1_800_000_000_000;

describe('RateLimiter when the clock steps back', () => {
  it('still grants the tokens a key had before the step', () => {
    const l = new RateLimiter(5, 20);
    expect(l.take('T-1', T0)).toBe(true); // 19 left
    // The station clock is corrected 10 s backwards: nothing was spent, so 19 tokens are still there.
    let ok = 0;
    for (let i = 0; i < 19; i++) if (l.take('T-1', T0 - 10_000)) ok++;
    expect(ok).toBe(19);
  });
});

// test/unit/renderer — the console's link asks a read again when the core refuses it for the session's command budget
// (main/gateway/gateway.ts), so a long export paging through history is not cut short; a write is never repeated.
import { describe, expect, it } from 'vitest';
import { askAgainIfLimited } from '../../../renderer/adapters/stationLink';

const limited = { ok: false, error: { code: 'rate_limited', message: 'too many commands' } };

/** An ask that answers `answers` in turn (the last one for ever), counting the asks; the waits asked for. */
function scripted(answers: unknown[]) {
  let asks = 0;
  const waits: number[] = [];
  return {
    ask: () => Promise.resolve(answers[Math.min(asks++, answers.length - 1)]),
    wait: (ms: number) => {
      waits.push(ms);
      return Promise.resolve();
    },
    asks: () => asks,
    waits,
  };
}

describe('askAgainIfLimited', () => {
  it('asks a read again after a rate_limited answer, waiting longer each time, and returns the answer that came', async () => {
    const s = scripted([limited, limited, { ok: true, page: { rows: [], total: 0 } }]);
    expect(await askAgainIfLimited('history', s.ask, { wait: s.wait })).toEqual({ ok: true, page: { rows: [], total: 0 } });
    expect(s.asks()).toBe(3);
    expect(s.waits).toEqual([250, 500]);
  });

  it('never repeats a write: its refusal is returned at once', async () => {
    for (const name of ['note', 'mute', 'admin:import', 'acknowledge'] as const) {
      const s = scripted([limited, { ok: true }]);
      expect(await askAgainIfLimited(name, s.ask, { wait: s.wait })).toEqual(limited);
      expect(s.asks()).toBe(1);
    }
  });

  it("a patient write (a file's rows sent one by one) waits its turn: asked again until it is taken, at most 1 s apart", async () => {
    const s = scripted([limited, limited, limited, limited, limited, { ok: true }]);
    expect(await askAgainIfLimited('drillWindow:register', s.ask, { wait: s.wait, patient: true })).toEqual({ ok: true });
    expect(s.asks()).toBe(6);
    expect(s.waits).toEqual([250, 500, 750, 1000, 1000]);
  });

  it('gives up after nine asks (6.5 s of waiting), returning the refusal; any other answer is returned at once', async () => {
    const s = scripted([limited]);
    expect(await askAgainIfLimited('stats', s.ask, { wait: s.wait })).toEqual(limited);
    expect(s.asks()).toBe(9);
    expect(s.waits).toEqual([250, 500, 750, 1000, 1000, 1000, 1000, 1000]);
    const other = scripted([{ ok: false, error: { code: 'forbidden', message: 'no' } }]);
    expect(await askAgainIfLimited('stats', other.ask, { wait: other.wait })).toMatchObject({ error: { code: 'forbidden' } });
    expect(other.asks()).toBe(1);
  });
});

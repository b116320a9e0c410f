// test/unit/renderer — the history's export pages through the core's answers (collectHistory): every incident once,
// in order, even when an alarm arrives between two pages (pages are newest first by offset); cut at the cap, with
// the number that matched, so the console can say the file is not whole.
import { describe, expect, it } from 'vitest';
import type { HistoryRow } from '../../../shared/historyWire';
import { collectHistory } from '../../../renderer/components/historyRows';

const row = (n: number): HistoryRow => ({ id: `inc-${String(n).padStart(3, '0')}`, receivedAt: 1_000_000 + n * 1000 }) as unknown as HistoryRow;

/** A core's history over `rows` (newest first, [from, to) on receivedAt); `between` runs after each page. */
function core(rows: HistoryRow[], between: (pages: number) => void = () => undefined) {
  let pages = 0;
  return async (req: { from: number; to: number; offset: number; limit: number }) => {
    const hits = rows.filter((r) => r.receivedAt >= req.from && r.receivedAt < req.to).sort((a, b) => b.receivedAt - a.receivedAt);
    const page = { rows: hits.slice(req.offset, req.offset + req.limit), total: hits.length };
    between(++pages);
    return { ok: true as const, page };
  };
}

describe('collectHistory', () => {
  it('exports every incident once, in order, though an alarm arrives between two pages', async () => {
    const rows = Array.from({ length: 7 }, (_, i) => row(i));
    // After the first page a new alarm comes in: newest, it would shift every later page by one.
    const got = await collectHistory(
      { from: 0, to: Number.MAX_SAFE_INTEGER },
      core(rows, (p) => p === 1 && rows.push(row(50))),
      100,
      3,
    );
    if (!got.ok) throw new Error('refused');
    expect(got.rows.map((r) => r.id)).toEqual(['inc-006', 'inc-005', 'inc-004', 'inc-003', 'inc-002', 'inc-001', 'inc-000']);
    expect(got.total).toBe(7);
  });

  it('stops at the cap and says how many matched', async () => {
    const got = await collectHistory({ from: 0, to: Number.MAX_SAFE_INTEGER }, core(Array.from({ length: 9 }, (_, i) => row(i))), 5, 2);
    if (!got.ok) throw new Error('refused');
    expect(got.rows.map((r) => r.id)).toEqual(['inc-008', 'inc-007', 'inc-006', 'inc-005', 'inc-004']);
    expect(got.total).toBe(9);
  });

  it('passes a refusal on', async () => {
    const got = await collectHistory({ from: 0, to: 1 }, async () => ({ ok: false as const, error: 'forbidden' }));
    expect(got).toEqual({ ok: false, error: 'forbidden' });
  });
});

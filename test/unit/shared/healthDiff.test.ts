// test/unit/shared — device health sent to consoles as changes: what the core sends and how a console merges it.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HealthDiff, mergeHealth, type DeviceHealth } from '../../../shared/consoleApi';

const dev = (id: string, extra: Partial<DeviceHealth> = {}): DeviceHealth => ({
  deviceId: id,
  schoolId: `sch-${id}`,
  label: id,
  disabled: false,
  connected: false,
  online: true,
  skewFlagged: false,
  tamper: false,
  refusals: {},
  ...extra,
});

describe('device health as changes', () => {
  it('sends only what changed since the last send, and what was removed', () => {
    const diff = new HealthDiff();
    expect(diff.next([dev('a'), dev('b')])).toEqual({ changed: [dev('a'), dev('b')], removed: [] });
    expect(diff.next([dev('a'), dev('b')])).toEqual({ changed: [], removed: [] });
    expect(diff.next([dev('a', { lastSeenAt: 5 }), dev('b')])).toEqual({ changed: [dev('a', { lastSeenAt: 5 })], removed: [] });
    expect(diff.next([dev('a', { lastSeenAt: 5 })])).toEqual({ changed: [], removed: ['b'] });
    expect(diff.next([dev('a', { lastSeenAt: 5 }), dev('c')])).toEqual({ changed: [dev('c')], removed: [] });
  });

  it('merges in place, keeps the order, appends new terminals and drops removed ones', () => {
    const cur = [dev('a'), dev('b'), dev('c')];
    expect(mergeHealth(cur, { changed: [dev('b', { online: false }), dev('d')], removed: ['a'] })).toEqual([dev('b', { online: false }), dev('c'), dev('d')]);
    expect(mergeHealth(cur, { changed: [], removed: [] })).toEqual(cur);
  });

  it('a console that merges every change ends with exactly the core table, from any starting snapshot', () => {
    const table = fc
      .uniqueArray(fc.record({ id: fc.constantFrom('a', 'b', 'c', 'd', 'e'), seen: fc.nat(5), online: fc.boolean() }), { selector: (r) => r.id, maxLength: 5 })
      .map((rows) => rows.map((r) => dev(r.id, { lastSeenAt: r.seen, online: r.online })));
    fc.assert(
      fc.property(fc.array(table, { minLength: 1, maxLength: 8 }), (tables) => {
        const diff = new HealthDiff();
        // The console connects after the first send: it gets the whole table then, and every change after.
        diff.next(tables[0]!);
        let console = [...tables[0]!];
        for (const t of tables.slice(1)) console = mergeHealth(console, diff.next(t));
        const last = tables[tables.length - 1]!;
        expect([...console].sort((x, y) => x.deviceId.localeCompare(y.deviceId))).toEqual([...last].sort((x, y) => x.deviceId.localeCompare(y.deviceId)));
      }),
    );
  });

  it('after a reset the next send lists every device, so a console that took its table between two sends ends right', () => {
    const diff = new HealthDiff();
    diff.next([dev('a', { powerSource: 'mains' })]);
    // Between two sends the value changes and changes back; a console connecting in between sees the middle.
    let console = [dev('a', { powerSource: 'battery' })];
    diff.reset();
    console = mergeHealth(console, diff.next([dev('a', { powerSource: 'mains' })]));
    expect(console).toEqual([dev('a', { powerSource: 'mains' })]);
    // Without the reset the change would have been empty and the console wrong.
    const plain = new HealthDiff();
    plain.next([dev('a', { powerSource: 'mains' })]);
    expect(plain.next([dev('a', { powerSource: 'mains' })]).changed).toEqual([]);
  });
});

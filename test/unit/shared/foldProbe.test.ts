// A probe checks events against the core's state without changing it and without copying its collections.
import { describe, expect, it } from 'vitest';
import { OverlayMap, StationFold } from '../../../shared/incidentFold';
import type { JournalRecord, OperatorRef, StationEvent } from '../../../shared/events';

const OFFICER: OperatorRef = { username: 'wang', displayName: '王警官', role: 'officer' };

describe('OverlayMap', () => {
  it('reads through to its base, keeps its own writes and deletes, and never changes the base', () => {
    const base = new Map([
      ['a', 1],
      ['b', 2],
    ]);
    const o = new OverlayMap(base);
    expect(o.get('a')).toBe(1);
    o.set('a', 10).set('c', 3);
    expect(o.delete('b')).toBe(true);
    expect(o.delete('zz')).toBe(false);
    expect(o.get('a')).toBe(10);
    expect(o.has('b')).toBe(false);
    expect(o.get('b')).toBeUndefined();
    expect(o.size).toBe(2);
    expect([...o]).toEqual([
      ['a', 10],
      ['c', 3],
    ]);
    expect([...o.keys()].sort()).toEqual(['a', 'c']);
    o.set('b', 20);
    expect(o.get('b')).toBe(20);
    expect(o.size).toBe(3);
    expect([...base]).toEqual([
      ['a', 1],
      ['b', 2],
    ]);
    o.clear();
    expect(o.size).toBe(0);
    expect(o.has('a')).toBe(false);
    expect(base.size).toBe(2);
  });

  it('takes prototype-named keys as plain keys', () => {
    const o = new OverlayMap(new Map<string, number>());
    expect(o.has('__proto__')).toBe(false);
    o.set('constructor', 1);
    expect(o.get('constructor')).toBe(1);
    expect(o.get('toString')).toBeUndefined();
  });
});

describe('StationFold.probe', () => {
  const owned = new StationFold().own();
  const records: StationEvent[] = [];
  for (let i = 0; i < 2000; i++)
    records.push({
      type: 'alarm.received',
      at: 1000 + i,
      incidentId: `I${i}`,
      deviceId: `T${i}`,
      schoolId: 'S1',
      alarmId: `A${i}`,
      kind: 'panic',
      drill: false,
      raisedAt: 1000 + i,
    });
  records.forEach((event, i) => owned.apply({ seq: i + 1, event } satisfies JournalRecord));
  const state = owned.state;

  it('checks a batch against the state with the events before it, leaving the state as it was', () => {
    const probe = StationFold.probe(state);
    const ack: StationEvent = { type: 'incident.acknowledged', at: 5000, incidentId: 'I5', operator: OFFICER };
    expect(probe.tryApply(ack).ok).toBe(true);
    expect(probe.tryApply(ack).ok).toBe(false); // already acknowledged, in the probe
    expect(
      probe.tryApply({
        type: 'alarm.received',
        at: 5001,
        incidentId: 'NEW',
        deviceId: 'T9',
        schoolId: 'S1',
        alarmId: 'X',
        kind: 'fire',
        drill: false,
        raisedAt: 5001,
      }).ok,
    ).toBe(true);
    expect(probe.state.incidents.get('NEW')?.kind).toBe('fire');
    expect(probe.state.incidents.get('I5')?.state).toBe('acknowledged');
    expect(probe.state.incidents.size).toBe(2001);
    // The core's state is untouched.
    expect(state.incidents.get('I5')?.state).toBe('received');
    expect(state.incidents.has('NEW')).toBe(false);
    expect(state.incidents.size).toBe(2000);
    expect(state.incidents).toBe(owned.state.incidents);
  });

  it('does not copy the collections it changes', () => {
    const probe = StationFold.probe(state);
    probe.tryApply({ type: 'incident.acknowledged', at: 5000, incidentId: 'I7', operator: OFFICER });
    expect(probe.state.incidents).toBeInstanceOf(OverlayMap);
  });
});

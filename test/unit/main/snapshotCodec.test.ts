// test/unit/main — the compact form of the state snapshot's incidents and alarm statuses (main/core/snapshotCodec.ts):
// every field of every shape comes back as it was (absent stays absent), a field the shape does not name travels
// beside the record, values repeated across records are written once, and what the writer could not have written
// is refused.
import { describe, expect, it } from 'vitest';
import { encode, INCIDENT_CODEC, STATUS_CODEC, TableWriter, type SectionCodec } from '../../../main/core/snapshotCodec';
import type { Incident } from '../../../shared/incidentModel';
import type { OperatorRef } from '../../../shared/events';

const OFFICER: OperatorRef = { username: 'wang', displayName: '王警官', role: 'officer' };
const CHIEF: OperatorRef = { username: 'zhang', displayName: '张所长', role: 'chief' };

/** An incident with every field the model has. */
const full: Incident = {
  id: '20260301-0001',
  alarmId: 'a1',
  deviceId: 'T-1',
  schoolId: 's1',
  kind: 'violence',
  drill: false,
  note: '校门口有可疑人员',
  location: { lat: 41.3, lng: 117.7 },
  raisedAt: 1_772_300_000_000,
  receivedAt: 1_772_300_000_120,
  shownAt: 1_772_300_000_300,
  acknowledgedAt: 1_772_300_002_000,
  acknowledgedBy: OFFICER,
  state: 'resolved',
  cancelRequest: { reason: '误按', at: 1_772_300_003_000 },
  handler: CHIEF,
  escalatedAt: 1_772_300_060_000,
  notes: [
    { at: 1_772_300_004_000, operator: OFFICER, text: '已电话联系校方', kind: 'callback' },
    { at: 1_772_300_005_000, operator: CHIEF, text: '已电话联系校方', kind: 'note' },
  ],
  dispatches: [
    {
      unitId: 'U-1',
      mode: 'device',
      dispatchedAt: 1_772_300_006_000,
      dispatchedBy: OFFICER,
      acceptedAt: 1_772_300_007_000,
      enRouteAt: 1_772_300_008_000,
      onSceneAt: 1_772_300_009_000,
      releasedAt: 1_772_300_090_000,
    },
    {
      unitId: 'U-2',
      mode: 'radio',
      dispatchedAt: 1_772_300_006_500,
      dispatchedBy: OFFICER,
      declinedAt: 1_772_300_007_500,
      declineReason: 'busy',
      cancelledAt: 1_772_300_007_600,
      cancelReason: 'declined',
    },
  ],
  resolvedAt: 1_772_300_090_000,
  resolvedBy: CHIEF,
  disposition: 'real',
  resolutionNote: '已处置',
  overrideReason: 'the school confirmed',
  reopenedAt: 1_772_300_080_000,
  repeats: 3,
  lastRepeatAt: 1_772_300_001_000,
  drillWindowId: 'DW-1',
  area: 'suburban',
  timeline: [
    { at: 1_772_300_000_120, type: 'alarm.received', detail: 'violence' },
    { at: 1_772_300_002_000, type: 'incident.acknowledged', by: '王警官' },
    { at: 1_772_300_006_000, type: 'incident.dispatched', by: '王警官', unitId: 'U-1', detail: 'device' },
  ],
  seq: 42,
};

/** Writes records as the snapshot does (the table's new values before the records that use them) and reads them back. */
function roundTrip(codec: SectionCodec, values: object[]): unknown[] {
  const w = new TableWriter();
  const lines = values.map((v) => JSON.parse(JSON.stringify({ t: w.take(), v: encode(codec.shape, v as Record<string, unknown>, w.ref), t2: w.take() })));
  const table: unknown[] = [];
  return lines.map((l: { t: unknown[]; v: unknown; t2: unknown[] }) => {
    table.push(...l.t, ...l.t2);
    return codec.decode(l.v, table);
  });
}

describe('the compact snapshot form', () => {
  it('brings back an incident with every field, and one with only the fields every incident has', () => {
    const bare: Incident = {
      id: '20260301-0002',
      alarmId: 'a2',
      deviceId: 'T-2',
      schoolId: 's2',
      kind: 'test',
      drill: true,
      raisedAt: 1,
      receivedAt: 2,
      state: 'received',
      notes: [],
      dispatches: [],
      timeline: [],
      seq: 43,
    };
    const back = roundTrip(INCIDENT_CODEC, [full, bare]);
    expect(back).toStrictEqual([full, bare]);
    // Every field of the model is named by the shape (the compiler checks it too), so none travels as "the rest".
    expect(encode(INCIDENT_CODEC.shape, full as unknown as Record<string, unknown>, new TableWriter().ref)).toHaveLength(INCIDENT_CODEC.shape.keys.length);
    expect(Object.keys(full).sort()).toEqual([...INCIDENT_CODEC.shape.keys].sort());
  });

  it('brings back an alarm status', () => {
    const s = { incidentId: '20260301-0001', alarmId: 'a1', state: 'acknowledged', at: 1_772_300_002_000 };
    expect(roundTrip(STATUS_CODEC, [s, { ...s, alarmId: 'a9' }])).toStrictEqual([s, { ...s, alarmId: 'a9' }]);
  });

  it('keeps a field the shape does not know, a null and a list that is not of records, as they were', () => {
    const odd = {
      ...full,
      futureField: { x: [1, 2] },
      resolutionNote: null,
      notes: ['not a note'],
      timeline: [{ ...full.timeline[0], extra: true }],
    } as unknown as Incident;
    const withProto = JSON.parse('{"id":"x","__proto__":{"polluted":true}}') as Record<string, unknown>;
    const [back, proto] = roundTrip(INCIDENT_CODEC, [odd, { ...full, ...withProto }]) as Record<string, unknown>[];
    expect(back).toStrictEqual(odd);
    expect(Object.hasOwn(proto!, '__proto__')).toBe(true);
    expect(Object.getPrototypeOf(proto)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('writes a repeated value once and shares it', () => {
    const w = new TableWriter();
    const a = encode(INCIDENT_CODEC.shape, full as unknown as Record<string, unknown>, w.ref);
    const first = w.take().length;
    const b = encode(INCIDENT_CODEC.shape, { ...full, id: 'other' } as unknown as Record<string, unknown>, w.ref);
    expect(w.take()).toEqual([]);
    expect(JSON.stringify(b).length).toBeLessThan(JSON.stringify(a).length + 10);
    expect(first).toBeGreaterThan(5);
    const [x, y] = roundTrip(INCIDENT_CODEC, [full, { ...full, id: 'other' }]) as Incident[];
    expect(x!.acknowledgedBy).toBe(y!.acknowledgedBy);
  });

  it('refuses what the writer could not have written', () => {
    const table = ['T-1', 's1', 'panic', 'received'];
    const good = ['i1', 'a1', 0, 1, 2, false, 1, 2, 3, 7, null, null, null, null, null, null, null, null, [], [], []];
    expect((INCIDENT_CODEC.decode(good, table) as Incident).deviceId).toBe('T-1');
    const bad = (i: number, v: unknown): unknown[] => good.map((x, j) => (j === i ? v : x));
    expect(() => INCIDENT_CODEC.decode(bad(2, 99), table)).toThrow(/outside the table/);
    expect(() => INCIDENT_CODEC.decode(bad(2, 'T-1'), table)).toThrow(/outside the table/);
    expect(() => INCIDENT_CODEC.decode(bad(0, null), table)).toThrow(/lacks a field/);
    expect(() => INCIDENT_CODEC.decode(bad(20, {}), table)).toThrow(/not a list/);
    expect(() => INCIDENT_CODEC.decode(bad(20, [[1, 99]]), table)).toThrow(/outside the table/);
    expect(() => INCIDENT_CODEC.decode([...good, ...new Array<null>(20).fill(null)], table)).toThrow(/not of its section/);
    // The slot after the last field holds the rest: a string there is no rest.
    expect(() => INCIDENT_CODEC.decode([...good, ...new Array<null>(INCIDENT_CODEC.shape.keys.length - good.length).fill(null), 'rest'], table)).toThrow(
      /rest of a record/,
    );
    expect(() => INCIDENT_CODEC.decode({ id: 'i1' }, table)).toThrow(/not of its section/);
  });
});

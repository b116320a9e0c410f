// test/unit/main — the station core over a real journal: alarms, idempotency, acknowledgement, restart, not_durable.
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Journal } from '../../../main/core/journal';
import { Registry, type RegistryData } from '../../../main/core/registry';
import { hashSecret, type SecretHash } from '../../../main/core/secrets';
import { Station, type StationListener } from '../../../main/core/station';
import { fromZoned } from '../../../shared/duty';
import type { AlarmReceived, JournalRecord } from '../../../shared/events';
import type { AlarmStatus } from '../../../shared/protocol';
import { officer, chief, trainer, admin } from '../../support/operators';
import { stationRegistryData, useStationBench } from '../../support/registryFixture';

// The station's time (Asia/Shanghai): incident ids carry the station's date.
const T0 = fromZoned(2026, 11, 30, 10, 15);
const DAY = '20261130';

let secret: SecretHash;
beforeAll(async () => {
  secret = await hashSecret('terminal-token');
});

const registryData = (): RegistryData => stationRegistryData(secret);

const alarm = (alarmId: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  alarmId,
  kind: 'panic',
  raisedAt: T0 - 300,
  ...extra,
});

/** A real journal whose appends can be made to fail, as a full disk would. `records` stays the real array. */
interface FlakyJournal extends Journal {
  broken: boolean;
}
function flaky(real: Journal): FlakyJournal {
  const j: FlakyJournal = {
    broken: false,
    get records() {
      return real.records;
    },
    problems: real.problems,
    chainChecked: real.chainChecked,
    journalId: real.journalId,
    get lastSeq() {
      return real.lastSeq;
    },
    get incidentIdHighWater() {
      return real.incidentIdHighWater;
    },
    recordsAfter: (seq) => real.recordsAfter(seq),
    position: () => real.position(),
    append(event) {
      if (j.broken) throw new Error('disk full');
      return real.append(event);
    },
    appendBatch(events) {
      if (j.broken) throw new Error('disk full');
      return real.appendBatch(events);
    },
    close: () => real.close(),
  };
  return j;
}

interface Heard {
  records: JournalRecord[];
  statuses: [string, AlarmStatus][];
  volatile: (readonly AlarmReceived[])[];
}
function listen(station: Station): Heard & { stop: () => void } {
  const heard: Heard = { records: [], statuses: [], volatile: [] };
  const l: StationListener = {
    record: (r) => heard.records.push(r),
    alarmStatus: (d, s) => heard.statuses.push([d, s]),
    volatileChanged: (a) => heard.volatile.push(a),
  };
  const stop = station.subscribe(l);
  return { ...heard, stop: () => void stop() };
}

const bench = useStationBench('station-test-', { mute: ['error'] });
const { journal, onDisk } = bench;
let now: number;
const clock = (): number => now;
function station(j: Journal = journal()): Station {
  return bench.station(new Registry(registryData()), clock, j);
}

beforeEach(() => {
  now = T0;
});

function ok<T extends { ok: boolean }>(r: T): Extract<T, { ok: true }> {
  if (!r.ok) throw new Error(`expected ok, got ${JSON.stringify(r)}`);
  return r as Extract<T, { ok: true }>;
}

describe('Station.receiveAlarm', () => {
  it('stores the alarm durably and answers with the incident id and receive time', () => {
    const s = station();
    const ack = s.terminals.receiveAlarm('T-1', alarm('a1', { note: '北门', location: { lat: 41.321, lng: 117.731 }, drill: true, kind: 'intrusion' }));
    expect(ack).toEqual({ ok: true, incidentId: `${DAY}-0001`, receivedAt: T0 });
    const disk = onDisk();
    expect(disk).toHaveLength(1);
    expect(disk[0]).toEqual({
      seq: 1,
      event: {
        type: 'alarm.received',
        at: T0,
        incidentId: `${DAY}-0001`,
        deviceId: 'T-1',
        schoolId: 'school-1',
        alarmId: 'a1',
        kind: 'intrusion',
        drill: true,
        note: '北门',
        location: { lat: 41.321, lng: 117.731 },
        raisedAt: T0 - 300,
        area: 'urban',
      },
      hash: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    const inc = s.snapshot.incidents.get(`${DAY}-0001`)!;
    expect(inc.state).toBe('received');
    expect(inc.receivedAt).toBe(T0);
    expect(inc.drill).toBe(true);
  });

  it('defaults drill to false', () => {
    const s = station();
    const { incidentId } = ok(s.terminals.receiveAlarm('T-1', alarm('a1')));
    expect(s.snapshot.incidents.get(incidentId)!.drill).toBe(false);
  });

  it('answers a resend of the same alarmId with the same incident, duplicate: true, and stores nothing new', () => {
    const s = station();
    const first = ok(s.terminals.receiveAlarm('T-1', alarm('a1')));
    const heard = listen(s);
    now = T0 + 5000;
    const again = s.terminals.receiveAlarm('T-1', alarm('a1'));
    expect(again).toEqual({ ok: true, incidentId: first.incidentId, receivedAt: T0, duplicate: true });
    // A resend with a different body is still the same alarm.
    expect(s.terminals.receiveAlarm('T-1', alarm('a1', { kind: 'fire' }))).toMatchObject({ incidentId: first.incidentId, duplicate: true });
    expect(onDisk()).toHaveLength(1);
    expect(heard.records).toEqual([]);
    expect(heard.statuses).toEqual([]);
    expect([...s.snapshot.incidents.keys()]).toHaveLength(1);
  });

  it('treats the same alarmId from another device as another incident', () => {
    const s = station();
    const a = ok(s.terminals.receiveAlarm('T-1', alarm('same-id')));
    const b = s.terminals.receiveAlarm('T-2', alarm('same-id'));
    expect(b.ok).toBe(true);
    expect('duplicate' in b).toBe(false);
    const bId = ok(b).incidentId;
    expect(bId).not.toBe(a.incidentId);
    expect(s.snapshot.incidents.get(bId)!.schoolId).toBe('school-2');
    expect(onDisk()).toHaveLength(2);
  });

  it.each([
    ['no alarmId', { kind: 'panic', raisedAt: T0 }],
    ['a bad kind', { alarmId: 'a1', kind: 'zombie', raisedAt: T0 }],
    ['a bad alarmId', { alarmId: 'a/1', kind: 'panic', raisedAt: T0 }],
    // Unknown fields are ignored (spec, forward compatibility), but never rescue a bad known one.
    ['a school chosen by the terminal next to a bad kind', { alarmId: 'a1', kind: 'zombie', raisedAt: T0, schoolId: 'school-2' }],
    ['null', null],
    ['a string', 'alarm'],
  ])('refuses a payload with %s, and stores and tells nothing', (_what, payload) => {
    const s = station();
    const heard = listen(s);
    const r = s.terminals.receiveAlarm('T-1', payload);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.code).toBe('invalid_payload');
    expect(onDisk()).toEqual([]);
    expect(s.snapshot.incidents).toEqual(new Map());
    expect(heard.records).toEqual([]);
    expect(heard.statuses).toEqual([]);
  });

  it('takes the school from the registry, never from the payload', () => {
    const s = station();
    // A schoolId in the payload is an unknown field: ignored (spec, forward compatibility), never obeyed.
    const { incidentId } = ok(s.terminals.receiveAlarm('T-1', alarm('a1', { schoolId: 'school-2' })));
    expect(s.snapshot.incidents.get(incidentId)!.schoolId).toBe('school-1');
    const { incidentId: id2 } = ok(s.terminals.receiveAlarm('T-2', alarm('a1')));
    expect(s.snapshot.incidents.get(id2)!.schoolId).toBe('school-2');
  });

  it('refuses alarms from an unregistered or disabled device', () => {
    const s = station();
    for (const deviceId of ['T-9', 'T-off']) {
      const r = s.terminals.receiveAlarm(deviceId, alarm('a1'));
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error.code).toBe('forbidden');
    }
    expect(onDisk()).toEqual([]);
  });

  it('tells listeners about the record, then the received status for the terminal', () => {
    const s = station();
    const order: string[] = [];
    s.subscribe({ record: () => order.push('record'), alarmStatus: () => order.push('status') });
    const heard = listen(s);
    const { incidentId } = ok(s.terminals.receiveAlarm('T-1', alarm('a1')));
    expect(order).toEqual(['record', 'status']);
    expect(heard.records).toEqual(onDisk());
    expect(heard.statuses).toEqual([['T-1', { alarmId: 'a1', incidentId, state: 'received', at: T0 }]]);
  });

  it('keeps going when a listener throws, and stops telling a listener that unsubscribed', () => {
    const s = station();
    s.subscribe({
      record: () => {
        throw new Error('listener bug');
      },
    });
    const heard = listen(s);
    expect(s.terminals.receiveAlarm('T-1', alarm('a1')).ok).toBe(true);
    expect(bench.consoleError).toHaveBeenCalledTimes(1);
    expect(heard.records).toHaveLength(1);
    expect(heard.statuses).toHaveLength(1);
    heard.stop();
    expect(s.terminals.receiveAlarm('T-1', alarm('a2')).ok).toBe(true);
    expect(heard.records).toHaveLength(1);
    expect(onDisk()).toHaveLength(2);
  });
});

describe('Station.acknowledge', () => {
  it('lets an officer acknowledge: one record, acknowledged status to the terminal, ack time kept', () => {
    const s = station();
    const { incidentId } = ok(s.terminals.receiveAlarm('T-1', alarm('a1')));
    const heard = listen(s);
    now = T0 + 6500;
    expect(s.operators.acknowledge(officer, incidentId)).toEqual({ ok: true });
    const inc = s.snapshot.incidents.get(incidentId)!;
    expect(inc.state).toBe('acknowledged');
    expect(inc.acknowledgedAt).toBe(T0 + 6500);
    expect(inc.acknowledgedBy).toEqual(officer);
    expect(heard.records.map((r) => r.event.type)).toEqual(['incident.acknowledged']);
    expect(heard.statuses).toEqual([['T-1', { alarmId: 'a1', incidentId, state: 'acknowledged', at: T0 + 6500 }]]);
    expect(onDisk().map((r) => r.event.type)).toEqual(['alarm.received', 'incident.acknowledged']);
  });

  it('lets a chief acknowledge', () => {
    const s = station();
    const { incidentId } = ok(s.terminals.receiveAlarm('T-1', alarm('a1')));
    expect(s.operators.acknowledge(chief, incidentId)).toEqual({ ok: true });
  });

  it.each([
    ['trainer', trainer],
    ['admin', admin],
  ])('refuses a %s with forbidden and stores nothing', (_role, op) => {
    const s = station();
    const { incidentId } = ok(s.terminals.receiveAlarm('T-1', alarm('a1')));
    const heard = listen(s);
    const r = s.operators.acknowledge(op, incidentId);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.code).toBe('forbidden');
    expect(s.snapshot.incidents.get(incidentId)!.acknowledgedAt).toBeUndefined();
    expect(onDisk()).toHaveLength(1);
    expect(heard.records).toEqual([]);
    expect(heard.statuses).toEqual([]);
  });

  it('refuses a second acknowledgement and keeps the first officer', () => {
    const s = station();
    const { incidentId } = ok(s.terminals.receiveAlarm('T-1', alarm('a1')));
    expect(s.operators.acknowledge(officer, incidentId).ok).toBe(true);
    now += 1000;
    const r = s.operators.acknowledge(chief, incidentId);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.message).toContain('already acknowledged');
    expect(onDisk().filter((x) => x.event.type === 'incident.acknowledged')).toHaveLength(1);
    expect(s.snapshot.incidents.get(incidentId)!.acknowledgedBy).toEqual(officer);
  });

  it('answers unknown_alarm for an unknown incident and invalid_payload for a non-string id', () => {
    const s = station();
    const r = s.operators.acknowledge(officer, '20990101-0001');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.code).toBe('unknown_alarm');
    const r2 = s.operators.acknowledge(officer, 42 as never);
    expect(r2.ok).toBe(false);
    if (!r2.ok) expect(r2.error.code).toBe('invalid_payload');
    expect(onDisk()).toEqual([]);
  });
});

describe('Station.markShown', () => {
  it('records the first render once; later reports are ok but store nothing', () => {
    const s = station();
    const { incidentId } = ok(s.terminals.receiveAlarm('T-1', alarm('a1')));
    now = T0 + 400;
    expect(s.operators.markShown(officer, incidentId)).toEqual({ ok: true });
    now = T0 + 900;
    expect(s.operators.markShown(chief, incidentId)).toEqual({ ok: true });
    const shown = onDisk().filter((r) => r.event.type === 'incident.shown');
    expect(shown).toHaveLength(1);
    expect(shown[0]!.event).toMatchObject({ at: T0 + 400, operator: officer });
    expect(s.snapshot.incidents.get(incidentId)!.shownAt).toBe(T0 + 400);
  });

  it('refuses an unknown incident and a non-string id', () => {
    const s = station();
    expect(s.operators.markShown(officer, 'nope')).toMatchObject({ ok: false, error: { code: 'unknown_alarm' } });
    expect(s.operators.markShown(officer, undefined as never)).toMatchObject({ ok: false, error: { code: 'invalid_payload' } });
    expect(onDisk()).toEqual([]);
  });
});

describe('Station over an existing journal (restart)', () => {
  it('restores incidents and answers a resent alarm with the same incident as a duplicate', () => {
    const j1 = journal();
    const s1 = station(j1);
    const a = ok(s1.terminals.receiveAlarm('T-1', alarm('a1')));
    const b = ok(s1.terminals.receiveAlarm('T-2', alarm('b1')));
    now = T0 + 3000;
    ok(s1.operators.acknowledge(officer, a.incidentId));
    const before = s1.snapshot;
    j1.close();

    now = T0 + 60_000;
    const s2 = station();
    expect(s2.snapshot).toEqual(before);
    expect(s2.terminals.receiveAlarm('T-1', alarm('a1'))).toEqual({ ok: true, incidentId: a.incidentId, receivedAt: T0, duplicate: true });
    expect(s2.terminals.receiveAlarm('T-2', alarm('b1'))).toMatchObject({ incidentId: b.incidentId, duplicate: true });
    expect(s2.operators.acknowledge(chief, a.incidentId).ok).toBe(false);
    expect(s2.operators.acknowledge(chief, b.incidentId).ok).toBe(true);
    expect(onDisk()).toHaveLength(4);
  });

  it('keeps counting incident ids after a restart instead of reusing one', () => {
    const j1 = journal();
    const s1 = station(j1);
    expect(ok(s1.terminals.receiveAlarm('T-1', alarm('a1'))).incidentId).toBe(`${DAY}-0001`);
    now += 1000;
    expect(ok(s1.terminals.receiveAlarm('T-1', alarm('a2', { kind: 'fire' }))).incidentId).toBe(`${DAY}-0002`);
    j1.close();

    now += 1000;
    const s2 = station();
    const third = ok(s2.terminals.receiveAlarm('T-2', alarm('c1'))).incidentId;
    expect(third).toBe(`${DAY}-0003`);
    expect(new Set(onDisk().flatMap((r) => (r.event.type === 'alarm.received' ? [r.event.incidentId] : []))).size).toBe(3);
  });
});

describe('incident ids', () => {
  it('read like a case number: local date and a four-digit running number', () => {
    const s = station();
    const ids: string[] = [];
    // Three kinds: a press of the same kind while the first is open would join that incident.
    for (const [n, kind] of (['panic', 'fire', 'medical'] as const).entries())
      ids.push(ok(s.terminals.receiveAlarm('T-1', alarm(`a${n + 1}`, { kind }))).incidentId);
    expect(ids).toEqual([`${DAY}-0001`, `${DAY}-0002`, `${DAY}-0003`]);
    for (const id of ids) expect(id).toMatch(/^\d{8}-\d{4}$/);
  });

  it('start again at 0001 on a new station day', () => {
    now = fromZoned(2026, 11, 30, 23, 59) + 59_000;
    const s = station();
    expect(ok(s.terminals.receiveAlarm('T-1', alarm('a1'))).incidentId).toBe('20261130-0001');
    now = fromZoned(2026, 12, 1, 0, 0) + 1_000;
    expect(ok(s.terminals.receiveAlarm('T-1', alarm('a2', { kind: 'fire' }))).incidentId).toBe('20261201-0001');
    expect(ok(s.terminals.receiveAlarm('T-1', alarm('a3', { kind: 'medical' }))).incidentId).toBe('20261201-0002');
  });
});

describe('not_durable: the journal refuses writes', () => {
  it('shows the alarm as volatile, then stores it with the same incident id when a retry succeeds', () => {
    const j = flaky(journal());
    const s = station(j);
    const heard = listen(s);
    j.broken = true;

    const r = s.terminals.receiveAlarm('T-1', alarm('a1', { note: '紧急' }));
    expect(r).toMatchObject({ ok: false, error: { code: 'not_durable' } });
    expect(s.terminals.volatileAlarms).toHaveLength(1);
    const v = s.terminals.volatileAlarms[0]!;
    expect(v).toMatchObject({ deviceId: 'T-1', alarmId: 'a1', schoolId: 'school-1', at: T0, note: '紧急' });
    expect(heard.volatile).toHaveLength(1);
    expect(heard.volatile[0]!.map((x) => x.incidentId)).toEqual([v.incidentId]);
    expect(heard.records).toEqual([]);
    expect(heard.statuses).toEqual([]);
    expect(s.snapshot.incidents).toEqual(new Map());
    expect(onDisk()).toEqual([]);

    // An officer cannot acknowledge what is not stored yet.
    expect(s.operators.acknowledge(officer, v.incidentId)).toMatchObject({ ok: false, error: { code: 'not_durable' } });

    // A retry while still broken: still not durable, still one volatile alarm, no new notice.
    now = T0 + 2000;
    expect(s.terminals.receiveAlarm('T-1', alarm('a1'))).toMatchObject({ ok: false, error: { code: 'not_durable' } });
    expect(s.terminals.volatileAlarms).toHaveLength(1);
    expect(heard.volatile).toHaveLength(1);

    // The disk is back: the retry stores the very alarm that was shown, under the same id.
    j.broken = false;
    now = T0 + 4000;
    const stored = s.terminals.receiveAlarm('T-1', alarm('a1'));
    expect(stored).toEqual({ ok: true, incidentId: v.incidentId, receivedAt: T0 });
    expect(s.terminals.volatileAlarms).toEqual([]);
    expect(heard.volatile.at(-1)).toEqual([]);
    expect(heard.statuses).toEqual([['T-1', { alarmId: 'a1', incidentId: v.incidentId, state: 'received', at: T0 }]]);
    const disk = onDisk();
    expect(disk).toHaveLength(1);
    expect(disk[0]!.event).toEqual(v);

    // And now it is an ordinary incident.
    expect(s.terminals.receiveAlarm('T-1', alarm('a1'))).toMatchObject({ incidentId: v.incidentId, duplicate: true });
    expect(s.operators.acknowledge(officer, v.incidentId)).toEqual({ ok: true });
  });

  it('does not hand a volatile alarm’s id to the next alarm', () => {
    const j = flaky(journal());
    const s = station(j);
    j.broken = true;
    s.terminals.receiveAlarm('T-1', alarm('a1'));
    const volatileId = s.terminals.volatileAlarms[0]!.incidentId;
    j.broken = false;
    const other = ok(s.terminals.receiveAlarm('T-2', alarm('b1')));
    expect(other.incidentId).not.toBe(volatileId);
    expect(ok(s.terminals.receiveAlarm('T-1', alarm('a1'))).incidentId).toBe(volatileId);
    expect(new Set(onDisk().flatMap((r) => (r.event.type === 'alarm.received' ? [r.event.incidentId] : []))).size).toBe(2);
  });

  it('refuses an acknowledgement it cannot store, and leaves the incident open', () => {
    const j = flaky(journal());
    const s = station(j);
    const { incidentId } = ok(s.terminals.receiveAlarm('T-1', alarm('a1')));
    const heard = listen(s);
    j.broken = true;
    expect(s.operators.acknowledge(officer, incidentId)).toMatchObject({ ok: false, error: { code: 'not_durable' } });
    expect(s.snapshot.incidents.get(incidentId)!.acknowledgedAt).toBeUndefined();
    expect(heard.statuses).toEqual([]);
    expect(s.operators.markShown(officer, incidentId)).toMatchObject({ ok: false, error: { code: 'not_durable' } });
    j.broken = false;
    expect(s.operators.acknowledge(officer, incidentId)).toEqual({ ok: true });
    expect(onDisk()).toHaveLength(2);
  });
});

describe('Station.receiveHeartbeat', () => {
  it('answers with the station clock and records liveness', () => {
    const s = station();
    now = T0 + 12_345;
    expect(s.terminals.receiveHeartbeat('T-1', { sentAt: T0, battery: 80, powerSource: 'mains' })).toEqual({ ok: true, serverTime: T0 + 12_345 });
    const l = s.devices.of('T-1');
    expect(l?.lastSeenAt).toBe(T0 + 12_345);
    expect(l?.lastHeartbeat).toEqual({ sentAt: T0, battery: 80, powerSource: 'mains', receivedAt: T0 + 12_345 });
    expect(onDisk()).toEqual([]);
  });

  it('refuses a bad heartbeat and does not count it as a sign of life', () => {
    const s = station();
    for (const p of [{}, { sentAt: 'now' }, { sentAt: T0, battery: 200 }, null, { sentAt: 'now', x: 1 }]) {
      expect(s.terminals.receiveHeartbeat('T-1', p)).toMatchObject({ ok: false, error: { code: 'invalid_payload' } });
    }
    const l = s.devices.of('T-1');
    expect(l?.lastSeenAt ?? 0).toBe(0);
    expect(l?.lastHeartbeat).toBeUndefined();
  });
});

describe('Station queries', () => {
  it('recordsAfter gives the records after a seq, and openIncidentsOf a device’s incidents', () => {
    const s = station();
    const a = ok(s.terminals.receiveAlarm('T-1', alarm('a1')));
    ok(s.terminals.receiveAlarm('T-2', alarm('b1')));
    ok(s.operators.acknowledge(officer, a.incidentId));
    expect(s.recordsAfter(0)!.map((r) => r.seq)).toEqual([1, 2, 3]);
    expect(s.recordsAfter(1)!.map((r) => r.seq)).toEqual([2, 3]);
    expect(s.recordsAfter(3)).toEqual([]);
    expect(s.openIncidentsOf('T-1').map((i) => i.id)).toEqual([a.incidentId]);
    expect(s.openIncidentsOf('T-9')).toEqual([]);
  });
});

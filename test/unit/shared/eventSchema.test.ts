// test/unit/shared — the restore boundary for journal records (shared/eventSchema.ts): every event type
// round-trips, every malformation is refused with a one-line reason naming the field, hostile ids cannot
// pollute or crash anything, and the fast check agrees with the zod schemas on random input.
import fc from 'fast-check';
import { describe, expect, expectTypeOf, it } from 'vitest';
import type { z } from 'zod';
import {
  ADMIN_ACTIONS,
  DEVICE_FAULT_KINDS,
  SCHOOL_DRILL_KINDS,
  DISPOSITIONS,
  ROLES,
  type JournalRecord,
  type OperatorRef,
  type StationEvent,
  type StationEventType,
} from '../../../shared/events';
import { ALARM_KINDS, UNIT_STATES } from '../../../shared/protocol';
import {
  EVENT_SCHEMAS,
  MAX_ID_LENGTH,
  journalRecordSchema,
  parseJournalRecord,
  stationEventSchema,
  type ParsedJournalRecord,
} from '../../../shared/eventSchema';

type EventOf<K extends StationEventType> = Extract<StationEvent, { type: K }>;

const op: OperatorRef = { username: 'wang', displayName: '王警官', role: 'officer' };
const other: OperatorRef = { username: 'li.2', displayName: '李警官', role: 'chief' };
const T = 1_764_468_000_000;

/** One realistic event of every type, with every optional field. Typed: a new event type without a sample is a compile error. */
const SAMPLES: { [K in StationEventType]: EventOf<K> } = {
  'alarm.received': {
    type: 'alarm.received',
    at: T + 12,
    incidentId: '20251130-0042',
    deviceId: 'term-p001',
    schoolId: 'sch-001',
    alarmId: 'a-7f3c9e2b-01',
    kind: 'violence',
    drill: false,
    note: '校门口有可疑人员',
    location: { lat: 41.32, lng: 117.73 },
    raisedAt: T,
  },
  'alarm.repeated': { type: 'alarm.repeated', at: T + 20, incidentId: '20251130-0042', deviceId: 'term-p001', alarmIds: ['a-7f3c9e2b-02', 'a-7f3c9e2b-03'] },
  'journal.unreadable': { type: 'journal.unreadable', at: T, line: 17, detail: 'not JSON' },
  'record.withheld': { type: 'record.withheld', at: T },
  'admin.action': {
    type: 'admin.action',
    at: T + 5,
    operator: { username: 'admin', displayName: '管理员', role: 'admin' },
    action: 'token.rotated',
    target: 'term-p001',
    detail: 'old token revoked',
  },
  'sound.muted': { type: 'sound.muted', at: T + 6, operator: op, reason: '正在电话核实', durationMs: 30_000 },
  'inspection.recorded': {
    type: 'inspection.recorded',
    at: T + 7,
    operator: other,
    inspectionId: 'INS-20251130-1',
    schoolId: 'sch-001',
    date: '2025-11-30',
    police: '王警官',
    education: '教育局 刘老师',
    findings: [{ findingId: 'F1', text: '东门监控不清', deadline: '2025-12-15' }],
  },
  'finding.closed': { type: 'finding.closed', at: T + 8, operator: other, inspectionId: 'INS-20251130-1', findingId: 'F1', note: '已更换摄像头' },
  'school_drill.recorded': {
    type: 'school_drill.recorded',
    at: T + 9,
    operator: other,
    drillId: 'DRL-20251128-1',
    schoolId: 'sch-001',
    date: '2025-11-28',
    kind: 'earthquake',
    note: '全校疏散演练',
  },
  'post.checked': { type: 'post.checked', at: T + 10, postId: 'post-001', state: 'in', operator: other },
  'drill_window.registered': {
    type: 'drill_window.registered',
    at: T + 11,
    operator: other,
    windowId: 'DW-1',
    schoolId: 'sch-001',
    from: T + 3_600_000,
    to: T + 7_200_000,
    note: '防火疏散演练',
  },
  'drill_window.cancelled': { type: 'drill_window.cancelled', at: T + 12, operator: other, windowId: 'DW-1', reason: '改期' },
  'training.unit': {
    type: 'training.unit',
    at: T + 14,
    operator: other,
    jobId: 'TRN-mh3k2-0-0',
    unitId: 'unit-07',
    schoolId: 'sch-001',
    step: 'released',
    reason: 'real_incident',
  },
  'training.completed': {
    type: 'training.completed',
    at: T + 13,
    operator: other,
    trainingId: 'TRN-20251130-1',
    trainee: '学员 陈',
    scenario: '夜班综合演练',
    speed: 5,
    startedAt: T - 60_000,
    notShown: 1,
    rows: [
      { schoolId: 'sch-001', kind: 'intrusion', acknowledgeMs: 4200, dispatchMs: 30_000, acknowledgeMet: true, dispatchMet: true, resolved: true },
      { schoolId: 'sch-002', kind: 'violence', acknowledgeMs: 12_000, acknowledgeMet: false, dispatchMet: false, resolved: false },
    ],
  },
  'incident.shown': { type: 'incident.shown', at: T + 40, incidentId: '20251130-0042', operator: op },
  'incident.acknowledged': { type: 'incident.acknowledged', at: T + 4_567, incidentId: '20251130-0042', operator: op },
  'alarm.cancel_requested': { type: 'alarm.cancel_requested', at: T + 9_000, incidentId: '20251130-0042', reason: '误按' },
  'device.offline': { type: 'device.offline', at: T, deviceId: 'term-p001', lastSeenAt: T - 90_000 },
  'device.online': { type: 'device.online', at: T, deviceId: 'term-p001' },
  'device.tamper': { type: 'device.tamper', at: T, deviceId: 'term-p001', tamper: true },
  'device.fault_acknowledged': { type: 'device.fault_acknowledged', at: T, deviceId: 'term-p001', fault: 'tamper', operator: op },
  'unit.status': { type: 'unit.status', at: T, unitId: 'unit-07', state: 'on_scene', reportedAt: T - 3 },
  'incident.note': { type: 'incident.note', at: T, incidentId: '20251130-0042', operator: op, text: '第一行\n第二行' },
  'incident.called_back': { type: 'incident.called_back', at: T, incidentId: '20251130-0042', operator: op, outcome: '保安已到门口' },
  'incident.taken_over': { type: 'incident.taken_over', at: T, incidentId: '20251130-0042', operator: other, from: op },
  'incident.dispatched': { type: 'incident.dispatched', at: T, incidentId: '20251130-0042', operator: op, unitId: 'unit-07', mode: 'radio' },
  'dispatch.accepted': { type: 'dispatch.accepted', at: T, incidentId: '20251130-0042', unitId: 'unit-07', operator: op },
  'dispatch.declined': { type: 'dispatch.declined', at: T, incidentId: '20251130-0042', unitId: 'unit-07', reason: 'busy' },
  'dispatch.cancelled': { type: 'dispatch.cancelled', at: T, incidentId: '20251130-0042', unitId: 'unit-07', operator: op, reason: '改派' },
  'dispatch.progress': { type: 'dispatch.progress', at: T, incidentId: '20251130-0042', unitId: 'unit-07', state: 'en_route', operator: op },
  'incident.resolved': {
    type: 'incident.resolved',
    at: T,
    incidentId: '20251130-0042',
    operator: op,
    disposition: 'real',
    note: '',
    override: { reason: '演练中发现真实可疑人员' },
  },
  'test.acknowledged': { type: 'test.acknowledged', at: T, incidentId: '20251130-0043' },
  'device.test_overdue': { type: 'device.test_overdue', at: T, deviceId: 'term-p001', lastTestPressAt: T - 31 * 86_400_000 },
  'incident.reopened': { type: 'incident.reopened', at: T, incidentId: '20251130-0042', operator: op, reason: '学校再次来电' },
  'incident.escalated': { type: 'incident.escalated', at: T, incidentId: '20251130-0042', reason: 'ack_overdue' },
};
const TYPES = Object.keys(SAMPLES) as StationEventType[];
const OPTIONAL: Partial<Record<StationEventType, string[]>> = {
  'alarm.received': ['note', 'location', 'drillWindowId'],
  'dispatch.accepted': ['operator'],
  'dispatch.progress': ['operator'],
  'admin.action': ['detail'],
  'incident.resolved': ['override'],
  'device.test_overdue': ['lastTestPressAt'],
  'post.checked': ['operator', 'unitId'],
  'training.unit': ['reason'],
};
const HASH = 'ab'.repeat(32);

/** A record as the journal writes it, read back the way the journal reads it (one JSON line). */
const line = (r: unknown): unknown => JSON.parse(JSON.stringify(r));
const rec = (event: unknown, seq = 7): Record<string, unknown> => ({ seq, event, hash: HASH });

function accepted(r: ParsedJournalRecord): JournalRecord {
  if (!r.ok) throw new Error(`expected ok, got: ${r.reason}`);
  return r.record;
}
function refused(r: ParsedJournalRecord): { reason: string; seq?: number } {
  if (r.ok) throw new Error(`expected a refusal, got ${JSON.stringify(r.record)}`);
  // One clear line, bounded whatever the input was.
  expect(r.reason).not.toMatch(/[\n\r]/);
  expect(r.reason.length).toBeGreaterThan(0);
  expect(r.reason.length).toBeLessThan(300);
  return r;
}
const dropKey = (o: object, key: string): Record<string, unknown> => Object.fromEntries(Object.entries(o).filter(([k]) => k !== key));

describe('the schemas are the types', () => {
  it('z.infer of every schema is exactly its TypeScript type (also asserted at compile time in eventSchema.ts)', () => {
    expectTypeOf<z.output<typeof stationEventSchema>>().toEqualTypeOf<StationEvent>();
    expectTypeOf<z.output<typeof journalRecordSchema>>().toEqualTypeOf<JournalRecord>();
    expectTypeOf<z.output<(typeof EVENT_SCHEMAS)['alarm.received']>>().toEqualTypeOf<EventOf<'alarm.received'>>();
    expectTypeOf<z.output<(typeof EVENT_SCHEMAS)['dispatch.progress']>>().toEqualTypeOf<EventOf<'dispatch.progress'>>();
    expect(Object.keys(EVENT_SCHEMAS).sort()).toEqual([...TYPES].sort());
  });
});

describe('parseJournalRecord: valid records', () => {
  it.each(TYPES)('%s round-trips unchanged, to the same JSON', (type) => {
    const r = rec(SAMPLES[type], 123_456);
    const got = accepted(parseJournalRecord(line(r)));
    expect(got).toEqual(r);
    // Same JSON, same key order: the hash chain over the parsed record still matches the line.
    expect(JSON.stringify(got)).toBe(JSON.stringify(r));
  });

  it.each(Object.entries(OPTIONAL))('%s round-trips without its optional fields', (type, keys) => {
    let ev: Record<string, unknown> = { ...SAMPLES[type as StationEventType] };
    for (const k of keys) ev = dropKey(ev, k);
    const r = { seq: 1, event: ev };
    const got = accepted(parseJournalRecord(line(r)));
    expect(got).toEqual(r);
    for (const k of keys) expect(Object.hasOwn(got.event, k)).toBe(false);
    expect(Object.hasOwn(got, 'hash')).toBe(false);
  });

  it('every enum value of the types is accepted (kinds, roles, unit states, dispositions, modes, faults, progress states)', () => {
    const ok = (event: unknown) => accepted(parseJournalRecord(line(rec(event))));
    for (const kind of ALARM_KINDS) ok({ ...SAMPLES['alarm.received'], kind });
    for (const role of ROLES) ok({ ...SAMPLES['incident.acknowledged'], operator: { ...op, role } });
    for (const state of UNIT_STATES) ok({ ...SAMPLES['unit.status'], state });
    for (const disposition of DISPOSITIONS) ok({ ...SAMPLES['incident.resolved'], disposition });
    for (const mode of ['device', 'radio']) ok({ ...SAMPLES['incident.dispatched'], mode });
    for (const fault of ['offline', 'tamper']) ok({ ...SAMPLES['device.fault_acknowledged'], fault });
    for (const state of ['en_route', 'on_scene']) ok({ ...SAMPLES['dispatch.progress'], state });
  });

  it('a valid record without unknown fields is taken as it is, not copied (the fast path: no zod, no allocation)', () => {
    const x = line(rec(SAMPLES['alarm.received']));
    expect(accepted(parseJournalRecord(x))).toBe(x);
  });

  it('ids at the limit and with any printable Unicode are accepted', () => {
    const long = 'x'.repeat(MAX_ID_LENGTH);
    const got = accepted(parseJournalRecord(line(rec({ ...SAMPLES['incident.shown'], incidentId: long, operator: { ...op, username: '王-😀 a' } }))));
    expect((got.event as EventOf<'incident.shown'>).incidentId).toBe(long);
  });
});

describe('parseJournalRecord: unknown extra fields are allowed and stripped', () => {
  it('at the record, the event and nested objects, keeping the order of the known fields', () => {
    const x = {
      future: 1,
      seq: 9,
      event: { ...SAMPLES['alarm.received'], priority: 'high', location: { lat: 41, alt: 300, lng: 117 }, deviceId: 'term-p001' },
      hash: HASH,
      signedBy: 'x',
    };
    const got = accepted(parseJournalRecord(line(x)));
    const want = { seq: 9, event: { ...SAMPLES['alarm.received'], location: { lat: 41, lng: 117 } }, hash: HASH };
    expect(got).toEqual(want);
    expect(Object.keys(got)).toEqual(['seq', 'event', 'hash']);
    expect(Object.keys(got.event)).toEqual(Object.keys(SAMPLES['alarm.received']));
    expect(Object.keys((got.event as EventOf<'alarm.received'>).location!)).toEqual(['lat', 'lng']);
  });

  it('in an operator reference', () => {
    const got = accepted(parseJournalRecord(line(rec({ ...SAMPLES['incident.taken_over'], from: { ...op, badge: '0815' } }))));
    expect((got.event as EventOf<'incident.taken_over'>).from).toEqual(op);
  });

  it('an own "__proto__" key (as JSON.parse makes it) is dropped at every level and pollutes nothing', () => {
    const text =
      '{"__proto__":{"polluted":1},"seq":3,"event":{"type":"incident.acknowledged","__proto__":{"polluted":2},"at":5,' +
      '"incidentId":"i-1","operator":{"__proto__":{"polluted":3},"username":"wang","displayName":"王","role":"officer"},"constructor":{"prototype":{"polluted":4}}}}';
    const got = accepted(parseJournalRecord(JSON.parse(text)));
    expect(got).toEqual({
      seq: 3,
      event: { type: 'incident.acknowledged', at: 5, incidentId: 'i-1', operator: { username: 'wang', displayName: '王', role: 'officer' } },
    });
    for (const o of [got, got.event, (got.event as EventOf<'incident.acknowledged'>).operator]) {
      expect(Object.getPrototypeOf(o)).toBe(Object.prototype);
      expect(Object.hasOwn(o, '__proto__')).toBe(false);
      expect(Object.hasOwn(o, 'constructor')).toBe(false);
      expect((o as { polluted?: unknown }).polluted).toBeUndefined();
    }
    expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
  });
});

describe('parseJournalRecord: refusals name the field', () => {
  it('something that is not a record', () => {
    for (const x of [null, undefined, 5, 'x', true, [], [1, 2]]) {
      const r = refused(parseJournalRecord(x));
      expect(r.reason).toMatch(/^not a journal record: expected an object, got /);
      expect(r.seq).toBeUndefined();
    }
  });

  it('a bad seq: no seq reported', () => {
    for (const seq of [undefined, 0, -1, 1.5, '7', null, 2 ** 60, Infinity]) {
      const r = refused(parseJournalRecord({ seq, event: SAMPLES['device.online'] }));
      expect(r.reason).toMatch(/^seq: /);
      expect(r.seq).toBeUndefined();
    }
    expect(refused(parseJournalRecord({ event: SAMPLES['device.online'] })).reason).toBe('seq: missing (expected a positive integer)');
    expect(refused(parseJournalRecord({ seq: '7', event: SAMPLES['device.online'] })).reason).toBe('seq: expected a positive integer, got "7"');
    expect(refused(parseJournalRecord({ seq: 2 ** 60, event: SAMPLES['device.online'] })).reason).toBe(`seq: expected a positive integer, got ${2 ** 60}`);
    expect(refused(parseJournalRecord({ seq: 0, event: SAMPLES['device.online'] })).reason).toBe('seq: expected a positive integer, got 0');
  });

  it('a bad hash, a missing or non-object event, an event without a type: the usable seq is reported', () => {
    expect(parseJournalRecord({ seq: 4, event: SAMPLES['device.online'], hash: 5 })).toEqual({ ok: false, reason: 'hash: expected string, got 5', seq: 4 });
    expect(parseJournalRecord({ seq: 4 })).toEqual({ ok: false, reason: 'event: expected an object, got nothing', seq: 4 });
    expect(parseJournalRecord({ seq: 4, event: [SAMPLES['device.online']] })).toEqual({ ok: false, reason: 'event: expected an object, got an array', seq: 4 });
    expect(parseJournalRecord({ seq: 4, event: 'device.online' })).toEqual({ ok: false, reason: 'event: expected an object, got "device.online"', seq: 4 });
    expect(parseJournalRecord({ seq: 4, event: dropKey(SAMPLES['device.online'], 'type') })).toEqual({
      ok: false,
      reason: 'event.type: expected string, got nothing',
      seq: 4,
    });
    expect(parseJournalRecord({ seq: 4, event: { ...SAMPLES['device.online'], type: 3 } })).toEqual({
      ok: false,
      reason: 'event.type: expected string, got 3',
      seq: 4,
    });
  });

  it('an unknown event type, including names of Object.prototype', () => {
    expect(parseJournalRecord({ seq: 8, event: { type: 'foo.bar', at: 1 } })).toEqual({ ok: false, reason: 'unknown event type "foo.bar"', seq: 8 });
    for (const type of ['__proto__', 'constructor', 'toString', 'hasOwnProperty', '']) {
      expect(refused(parseJournalRecord({ seq: 8, event: { ...SAMPLES['device.online'], type } })).reason).toBe(`unknown event type ${JSON.stringify(type)}`);
    }
    const r = refused(parseJournalRecord({ seq: 8, event: { type: 'x\n'.repeat(5_000) } }));
    expect(r.reason).toMatch(/^unknown event type "(x\\n){20}…" \(10000 characters\)$/);
  });

  it('the examples of the brief, word for word', () => {
    const r = parseJournalRecord(line(rec({ ...SAMPLES['incident.acknowledged'], operator: { ...op, username: 5 } }, 12)));
    expect(r).toEqual({ ok: false, reason: 'incident.acknowledged: operator.username: expected string, got 5', seq: 12 });
  });

  it.each(TYPES)('%s: every field of the wrong type, and every required field missing, is refused naming it', (type) => {
    const sample = SAMPLES[type] as unknown as Record<string, unknown>;
    for (const [key, value] of Object.entries(sample)) {
      if (key === 'type') continue;
      // A value of another JSON type than the field's.
      const wrong = typeof value === 'string' ? 42 : typeof value === 'number' ? '42' : typeof value === 'boolean' ? 'true' : 'x';
      const r = refused(parseJournalRecord(line(rec({ ...sample, [key]: wrong }, 31))));
      expect(r.reason.startsWith(`${type}: ${key}: expected `), r.reason).toBe(true);
      expect(r.seq).toBe(31);
      if (Array.isArray(value)) {
        // ... and an element of the wrong type inside an array (alarmIds).
        const ra = refused(parseJournalRecord(line(rec({ ...sample, [key]: [...(value as unknown[]), 42] }))));
        expect(ra.reason.startsWith(`${type}: ${key}.${(value as unknown[]).length}: expected `), ra.reason).toBe(true);
      } else if (typeof value === 'object') {
        // ... and inside the nested object (operator, from, location).
        for (const [inner, v] of Object.entries(value as object)) {
          const bad = typeof v === 'string' ? null : 'north';
          const ri = refused(parseJournalRecord(line(rec({ ...sample, [key]: { ...(value as object), [inner]: bad } }))));
          expect(ri.reason.startsWith(`${type}: ${key}.${inner}: expected `), ri.reason).toBe(true);
          const rm = refused(parseJournalRecord(line(rec({ ...sample, [key]: dropKey(value as object, inner) }))));
          expect(rm.reason.startsWith(`${type}: ${key}.${inner}: missing (expected `), rm.reason).toBe(true);
        }
      }
      if (!(OPTIONAL[type] ?? []).includes(key)) {
        const rm = refused(parseJournalRecord(line(rec(dropKey(sample, key), 32))));
        expect(rm.reason.startsWith(`${type}: ${key}: missing (expected `), rm.reason).toBe(true);
        expect(rm.seq).toBe(32);
      }
    }
  });

  it('values outside an enum, and a present optional object that is null', () => {
    expect(refused(parseJournalRecord(rec({ ...SAMPLES['alarm.received'], kind: 'earthquake' }))).reason).toBe(
      'alarm.received: kind: expected "panic" | "intrusion" | "violence" | "fire" | "medical" | "test" | "other", got "earthquake"',
    );
    expect(refused(parseJournalRecord(rec({ ...SAMPLES['incident.shown'], operator: { ...op, role: 'root' } }))).reason).toBe(
      'incident.shown: operator.role: expected "officer" | "chief" | "trainer" | "admin" | "county", got "root"',
    );
    expect(refused(parseJournalRecord(rec({ ...SAMPLES['incident.escalated'], reason: 'bored' }))).reason).toBe(
      'incident.escalated: reason: expected "ack_overdue", got "bored"',
    );
    expect(refused(parseJournalRecord(rec({ ...SAMPLES['dispatch.accepted'], operator: null }))).reason).toBe(
      'dispatch.accepted: operator: expected object, got null',
    );
    expect(refused(parseJournalRecord(rec({ ...SAMPLES['alarm.received'], location: [41, 117] }))).reason).toBe(
      'alarm.received: location: expected object, got an array',
    );
  });

  it('times must be finite numbers (JSON 1e999 reads as Infinity)', () => {
    const r = refused(parseJournalRecord(JSON.parse(`{"seq":2,"event":{"type":"device.online","at":1e999,"deviceId":"d"}}`)));
    expect(r).toEqual({ ok: false, reason: 'device.online: at: expected number, got Infinity', seq: 2 });
    expect(refused(parseJournalRecord(rec({ ...SAMPLES['alarm.received'], location: { lat: -Infinity, lng: 1 } }))).reason).toMatch(
      /^alarm\.received: location\.lat: expected number/,
    );
    expect(refused(parseJournalRecord(rec({ ...SAMPLES['device.offline'], lastSeenAt: NaN }))).reason).toMatch(/^device\.offline: lastSeenAt: expected number/);
  });
});

describe('parseJournalRecord: hostile ids', () => {
  const idFields: [StationEventType, string][] = [
    ['alarm.received', 'incidentId'],
    ['alarm.received', 'deviceId'],
    ['alarm.received', 'schoolId'],
    ['alarm.received', 'alarmId'],
    ['unit.status', 'unitId'],
    ['incident.dispatched', 'unitId'],
    ['device.tamper', 'deviceId'],
  ];

  it('"__proto__", "constructor", "toString" are ordinary ids: kept as own data, nothing polluted', () => {
    // They are valid alarm ids in the protocol ([A-Za-z0-9_-]); the state keeps ids in Maps.
    for (const hostile of ['__proto__', 'constructor', 'toString', 'prototype']) {
      for (const [type, key] of idFields) {
        const text = JSON.stringify(rec({ ...SAMPLES[type], [key]: hostile }));
        const got = accepted(parseJournalRecord(JSON.parse(text)));
        expect(Object.getOwnPropertyDescriptor(got.event, key)?.value).toBe(hostile);
        expect(JSON.stringify(got)).toBe(text);
      }
      const got = accepted(parseJournalRecord(line(rec({ ...SAMPLES['incident.acknowledged'], operator: { ...op, username: hostile } }))));
      expect((got.event as EventOf<'incident.acknowledged'>).operator.username).toBe(hostile);
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('NUL and every other control character is refused in every id', () => {
    const controls = ['\u0000', '\u0007', '\t', '\n', '\r', '\u001b', '\u007f', '\u0085', '\u009f'];
    for (const c of controls) {
      for (const [type, key] of idFields) {
        const r = refused(parseJournalRecord(line(rec({ ...SAMPLES[type], [key]: `abc${c}def` }))));
        expect(r.reason).toBe(`${type}: ${key}: contains a control character`);
      }
      const r = refused(parseJournalRecord(line(rec({ ...SAMPLES['incident.note'], operator: { ...op, username: c } }))));
      expect(r.reason).toBe('incident.note: operator.username: contains a control character');
    }
  });

  it('empty ids and ids over the limit (10,000 characters) are refused with a short message', () => {
    for (const [type, key] of idFields) {
      expect(refused(parseJournalRecord(rec({ ...SAMPLES[type], [key]: '' }))).reason).toBe(`${type}: ${key}: must not be empty`);
      expect(refused(parseJournalRecord(rec({ ...SAMPLES[type], [key]: 'x'.repeat(MAX_ID_LENGTH + 1) }))).reason).toBe(
        `${type}: ${key}: is longer than ${MAX_ID_LENGTH} characters`,
      );
      expect(refused(parseJournalRecord(rec({ ...SAMPLES[type], [key]: '\u0000'.repeat(10_000) }))).reason).toMatch(
        new RegExp(`^${type.replace('.', '\\.')}: ${key}: `),
      );
    }
  });

  it('free text keeps what people type (newlines, tabs) and is not mistaken for an id', () => {
    const ev = { ...SAMPLES['incident.note'], text: '一\n二\t三\u0000', operator: { ...op, displayName: '王\n警官' } };
    expect(accepted(parseJournalRecord(line(rec(ev)))).event).toEqual(ev);
  });

  it('never throws on values JSON cannot hold: throwing getters, revoked proxies', () => {
    const getter = {
      seq: 1,
      get event(): unknown {
        throw new Error('boom\nsecond line');
      },
    };
    expect(refused(parseJournalRecord(getter)).reason).toBe('unreadable record: boom');
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    expect(refused(parseJournalRecord(proxy)).reason).toMatch(/^unreadable record: /);
    expect(refused(parseJournalRecord({ seq: 1, event: proxy })).reason).toMatch(/^unreadable record: /);
  });
});

// --- properties --------------------------------------------------------------------------------------

const idChar = fc.oneof(
  fc.constantFrom('a', 'Z', '0', '-', '_', '.', ':', ' ', '王', '😀', '\u00a0', '\u2028'),
  fc
    .integer({ min: 0x20, max: 0xffff })
    .filter((c) => c < 0x7f || c > 0x9f)
    .map((c) => String.fromCharCode(c)),
);
const idArb: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('__proto__', 'constructor', 'toString', 'x'.repeat(MAX_ID_LENGTH)),
  fc
    .array(idChar, { minLength: 1, maxLength: 30 })
    .map((cs) => cs.join(''))
    .filter((s) => s.length <= MAX_ID_LENGTH),
);
const timeArb = fc.oneof(fc.integer({ min: 0, max: 4_102_444_800_000 }), fc.double({ noNaN: true, noDefaultInfinity: true }));
const textArb = fc.string({ unit: 'binary', maxLength: 40 });
const opArb: fc.Arbitrary<OperatorRef> = fc.record({ username: idArb, displayName: textArb, role: fc.constantFrom(...ROLES) });
const ev = <K extends StationEventType>(type: K) => ({ type: fc.constant(type), at: timeArb });

/** A valid event of every type, generated from the types (the compiler checks each arbitrary against its interface). */
const EVENT_ARBS: { [K in StationEventType]: fc.Arbitrary<EventOf<K>> } = {
  'alarm.received': fc.record(
    {
      ...ev('alarm.received'),
      incidentId: idArb,
      deviceId: idArb,
      schoolId: idArb,
      alarmId: idArb,
      kind: fc.constantFrom(...ALARM_KINDS),
      drill: fc.boolean(),
      note: textArb,
      location: fc.record({ lat: fc.double({ min: -90, max: 90, noNaN: true }), lng: fc.double({ min: -180, max: 180, noNaN: true }) }),
      raisedAt: timeArb,
      drillWindowId: idArb,
    },
    { requiredKeys: ['type', 'at', 'incidentId', 'deviceId', 'schoolId', 'alarmId', 'kind', 'drill', 'raisedAt'] },
  ),
  'alarm.repeated': fc.record({ ...ev('alarm.repeated'), incidentId: idArb, deviceId: idArb, alarmIds: fc.array(idArb, { minLength: 1, maxLength: 5 }) }),
  'journal.unreadable': fc.record({ ...ev('journal.unreadable'), line: fc.integer({ min: 1 }), detail: textArb }),
  'record.withheld': fc.record(ev('record.withheld')),
  'admin.action': fc.record(
    { ...ev('admin.action'), operator: opArb, action: fc.constantFrom(...ADMIN_ACTIONS), target: textArb, detail: textArb },
    { requiredKeys: ['type', 'at', 'operator', 'action', 'target'] },
  ),
  'sound.muted': fc.record({ ...ev('sound.muted'), operator: opArb, reason: textArb, durationMs: fc.integer({ min: 0 }) }),
  'inspection.recorded': fc.record({
    ...ev('inspection.recorded'),
    operator: opArb,
    inspectionId: idArb,
    schoolId: idArb,
    date: textArb,
    police: textArb,
    education: textArb,
    findings: fc.array(fc.record({ findingId: idArb, text: textArb, deadline: textArb }), { maxLength: 3 }),
  }),
  'finding.closed': fc.record({ ...ev('finding.closed'), operator: opArb, inspectionId: idArb, findingId: idArb, note: textArb }),
  'school_drill.recorded': fc.record({
    ...ev('school_drill.recorded'),
    operator: opArb,
    drillId: idArb,
    schoolId: idArb,
    date: textArb,
    kind: fc.constantFrom(...SCHOOL_DRILL_KINDS),
    note: textArb,
  }),
  'drill_window.registered': fc.record({
    ...ev('drill_window.registered'),
    operator: opArb,
    windowId: idArb,
    schoolId: idArb,
    from: timeArb,
    to: timeArb,
    note: textArb,
  }),
  'drill_window.cancelled': fc.record({ ...ev('drill_window.cancelled'), operator: opArb, windowId: idArb, reason: textArb }),
  'training.unit': fc.record(
    {
      ...ev('training.unit'),
      operator: opArb,
      jobId: idArb,
      unitId: idArb,
      schoolId: idArb,
      step: fc.constantFrom('sent' as const, 'accepted' as const, 'declined' as const, 'en_route' as const, 'on_scene' as const, 'released' as const),
      reason: textArb,
    },
    { requiredKeys: ['type', 'at', 'operator', 'jobId', 'unitId', 'schoolId', 'step'] },
  ),
  'training.completed': fc.record({
    ...ev('training.completed'),
    operator: opArb,
    trainingId: idArb,
    trainee: textArb,
    scenario: textArb,
    speed: fc.integer({ min: 1, max: 10 }),
    startedAt: timeArb,
    notShown: fc.nat(200),
    rows: fc.array(
      fc.record(
        {
          schoolId: idArb,
          kind: fc.constantFrom(...ALARM_KINDS),
          acknowledgeMs: fc.nat(),
          dispatchMs: fc.nat(),
          acknowledgeMet: fc.boolean(),
          dispatchMet: fc.boolean(),
          resolved: fc.boolean(),
        },
        { requiredKeys: ['schoolId', 'kind', 'acknowledgeMet', 'dispatchMet', 'resolved'] },
      ),
      { maxLength: 5 },
    ),
  }),
  'post.checked': fc.record(
    { ...ev('post.checked'), postId: idArb, state: fc.constantFrom('in' as const, 'out' as const), operator: opArb, unitId: idArb },
    { requiredKeys: ['type', 'at', 'postId', 'state'] },
  ),
  'incident.shown': fc.record({ ...ev('incident.shown'), incidentId: idArb, operator: opArb }),
  'incident.acknowledged': fc.record({ ...ev('incident.acknowledged'), incidentId: idArb, operator: opArb }),
  'alarm.cancel_requested': fc.record({ ...ev('alarm.cancel_requested'), incidentId: idArb, reason: textArb }),
  'device.offline': fc.record({ ...ev('device.offline'), deviceId: idArb, lastSeenAt: timeArb }),
  'device.online': fc.record({ ...ev('device.online'), deviceId: idArb }),
  'device.tamper': fc.record({ ...ev('device.tamper'), deviceId: idArb, tamper: fc.boolean() }),
  'device.fault_acknowledged': fc.record({
    ...ev('device.fault_acknowledged'),
    deviceId: idArb,
    fault: fc.constantFrom(...DEVICE_FAULT_KINDS),
    operator: opArb,
  }),
  'unit.status': fc.record({ ...ev('unit.status'), unitId: idArb, state: fc.constantFrom(...UNIT_STATES), reportedAt: timeArb }),
  'incident.note': fc.record({ ...ev('incident.note'), incidentId: idArb, operator: opArb, text: textArb }),
  'incident.called_back': fc.record({ ...ev('incident.called_back'), incidentId: idArb, operator: opArb, outcome: textArb }),
  'incident.taken_over': fc.record({ ...ev('incident.taken_over'), incidentId: idArb, operator: opArb, from: opArb }),
  'incident.dispatched': fc.record({
    ...ev('incident.dispatched'),
    incidentId: idArb,
    operator: opArb,
    unitId: idArb,
    mode: fc.constantFrom('device' as const, 'radio' as const),
  }),
  'dispatch.accepted': fc.record(
    { ...ev('dispatch.accepted'), incidentId: idArb, unitId: idArb, operator: opArb },
    { requiredKeys: ['type', 'at', 'incidentId', 'unitId'] },
  ),
  'dispatch.declined': fc.record({ ...ev('dispatch.declined'), incidentId: idArb, unitId: idArb, reason: textArb }),
  'dispatch.cancelled': fc.record({ ...ev('dispatch.cancelled'), incidentId: idArb, unitId: idArb, operator: opArb, reason: textArb }),
  'dispatch.progress': fc.record(
    { ...ev('dispatch.progress'), incidentId: idArb, unitId: idArb, state: fc.constantFrom('en_route' as const, 'on_scene' as const), operator: opArb },
    { requiredKeys: ['type', 'at', 'incidentId', 'unitId', 'state'] },
  ),
  'incident.resolved': fc.record(
    {
      ...ev('incident.resolved'),
      incidentId: idArb,
      operator: opArb,
      disposition: fc.constantFrom(...DISPOSITIONS),
      note: textArb,
      override: fc.record({ reason: textArb }),
    },
    { requiredKeys: ['type', 'at', 'incidentId', 'operator', 'disposition', 'note'] },
  ),
  'test.acknowledged': fc.record({ ...ev('test.acknowledged'), incidentId: idArb }),
  'device.test_overdue': fc.record({ ...ev('device.test_overdue'), deviceId: idArb, lastTestPressAt: timeArb }, { requiredKeys: ['type', 'at', 'deviceId'] }),
  'incident.reopened': fc.record({ ...ev('incident.reopened'), incidentId: idArb, operator: opArb, reason: textArb }),
  'incident.escalated': fc.record({ ...ev('incident.escalated'), incidentId: idArb, reason: fc.constant('ack_overdue' as const) }),
};
const eventArb: fc.Arbitrary<StationEvent> = fc.oneof(...Object.values(EVENT_ARBS));
const recordArb: fc.Arbitrary<JournalRecord> = fc.record(
  { seq: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }), event: eventArb, hash: fc.stringMatching(/^[0-9a-f]{64}$/) },
  { requiredKeys: ['seq', 'event'] },
);

/** Values next to the edges of what is valid: the places where a fast check and zod could disagree. */
const EDGE_VALUES: unknown[] = [
  0,
  -0,
  1,
  -1,
  1.5,
  2 ** 53,
  2 ** 53 - 1,
  '',
  ' ',
  '0',
  'x'.repeat(MAX_ID_LENGTH),
  'x'.repeat(MAX_ID_LENGTH + 1),
  '\u0000',
  'a\u009f',
  '\u00a0',
  true,
  false,
  null,
  [],
  {},
  [1],
  { lat: 1 },
  { lat: 1, lng: 2 },
  'officer',
  'ack_overdue',
  'panic',
  'radio',
  'on_scene',
  'tamper',
  'device.online',
  { username: 'u', displayName: '', role: 'admin' },
  { username: '', displayName: '', role: 'admin' },
];
const valueArb = fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...EDGE_VALUES) }, { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) });

/** A valid record with one value somewhere inside replaced by an edge or random JSON value (or removed, or an extra key added). */
const mutatedArb = fc
  .tuple(recordArb, fc.nat(), valueArb, fc.constantFrom('replace', 'delete', 'add'), fc.constantFrom('extra', '__proto__', 'constructor', 'type', 'seq'))
  .map(([r, pick, value, how, newKey]) => {
    const x = JSON.parse(JSON.stringify(r)) as Record<string, unknown>;
    const objects: Record<string, unknown>[] = [];
    const walk = (o: unknown): void => {
      if (typeof o !== 'object' || o === null) return;
      objects.push(o as Record<string, unknown>);
      for (const v of Object.values(o)) walk(v);
    };
    walk(x);
    const target = objects[pick % objects.length]!;
    const keys = Object.keys(target);
    const key = how === 'add' || keys.length === 0 ? newKey : keys[pick % keys.length]!;
    if (how === 'delete') delete target[key];
    else Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
    return x;
  });

function expectAgreesWithZod(x: unknown): void {
  const r = parseJournalRecord(x);
  const z = journalRecordSchema.safeParse(x);
  expect(r.ok).toBe(z.success);
  if (r.ok && z.success) expect(r.record).toEqual(z.data);
  if (!r.ok) {
    expect(r.reason).not.toMatch(/[\n\r]/);
    const s = (x as { seq?: unknown } | null)?.seq;
    if (typeof s === 'number' && Number.isSafeInteger(s) && s > 0) expect(r.seq).toBe(s);
    else expect(r.seq).toBeUndefined();
  }
}

describe('parseJournalRecord: properties', () => {
  it('any valid record generated from the types is accepted, unchanged, with the same JSON', () => {
    fc.assert(
      fc.property(recordArb, (r) => {
        const text = JSON.stringify(r);
        const got = accepted(parseJournalRecord(JSON.parse(text)));
        expect(JSON.stringify(got)).toBe(text);
      }),
      { numRuns: 2_000 },
    );
  });

  it('every field of every event type (and of the record, and nested), set to every edge value: the same answer as zod', () => {
    let checked = 0;
    const vary = (base: Record<string, unknown>, rebuild: (o: Record<string, unknown>) => unknown): void => {
      for (const key of [...Object.keys(base), 'extra', '__proto__']) {
        expectAgreesWithZod(rebuild(dropKey(base, key)));
        for (const value of EDGE_VALUES) {
          const o = { ...base };
          Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true });
          expectAgreesWithZod(rebuild(o));
          checked++;
        }
      }
    };
    vary(rec(SAMPLES['device.online']), (o) => o);
    for (const type of TYPES) {
      const sample = SAMPLES[type] as unknown as Record<string, unknown>;
      vary(sample, (o) => rec(o));
      for (const [key, v] of Object.entries(sample)) {
        if (typeof v === 'object' && v !== null) vary(v as Record<string, unknown>, (o) => rec({ ...sample, [key]: o }));
      }
    }
    expect(checked).toBeGreaterThan(5_000);
  });

  it('random JSON values never throw; the fast check and zod give the same answer', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (x) => expectAgreesWithZod(x)),
      { numRuns: 2_000 },
    );
    fc.assert(
      fc.property(fc.record({ seq: fc.jsonValue(), event: fc.jsonValue(), hash: fc.jsonValue() }, { requiredKeys: [] }), (x) => expectAgreesWithZod(x)),
      { numRuns: 1_000 },
    );
  });

  it('valid records with one value changed, removed or added anywhere: never a throw, the same answer as zod, a one-line reason', () => {
    fc.assert(
      fc.property(mutatedArb, (x) => expectAgreesWithZod(x)),
      { numRuns: 5_000 },
    );
  });
});

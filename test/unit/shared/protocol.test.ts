// test/unit/shared — station protocol v1 parsers: what a terminal may send, and the refusal for everything else.
import { describe, expect, it } from 'vitest';
import {
  MAX_PAYLOAD_BYTES,
  parseAlarm,
  parseHeartbeat,
  parseTerminalAuth,
  payloadBytes,
  POSITION_FUTURE_ALLOWANCE_MS as AHEAD,
  POSITION_REORDER_MS as REORDER,
  positionFixAt,
  type ParseResult,
} from '../../../shared/protocol';

const valid = { alarmId: 'A-1_b', kind: 'panic', raisedAt: 1_764_468_000_000 };

/** Asserts the refusal shape of the spec and returns the message. */
function refusedMessage<T>(r: ParseResult<T>): string {
  expect(r.ok).toBe(false);
  if (r.ok) throw new Error('expected a refusal');
  expect(Object.keys(r).sort()).toEqual(['error', 'ok']);
  expect(Object.keys(r.error).sort()).toEqual(['code', 'message']);
  expect(r.error.code).toBe('invalid_payload');
  expect(typeof r.error.message).toBe('string');
  expect(r.error.message.length).toBeGreaterThan(0);
  return r.error.message;
}

describe('parseAlarm', () => {
  it('accepts the minimal payload and returns exactly its fields', () => {
    expect(parseAlarm(valid)).toEqual({ ok: true, value: valid });
  });

  it('accepts every optional field', () => {
    const full = { ...valid, kind: 'fire', drill: true, note: '教学楼三楼', location: { lat: 41.32, lng: 117.73 } };
    expect(parseAlarm(full)).toEqual({ ok: true, value: full });
  });

  it('accepts every alarm kind of the spec', () => {
    for (const kind of ['panic', 'intrusion', 'violence', 'fire', 'medical', 'test', 'other']) {
      expect(parseAlarm({ ...valid, kind }).ok).toBe(true);
    }
  });

  it('accepts alarmIds of 1 and 64 characters, and raisedAt 0', () => {
    expect(parseAlarm({ ...valid, alarmId: 'x' }).ok).toBe(true);
    expect(parseAlarm({ ...valid, alarmId: 'a'.repeat(64) }).ok).toBe(true);
    expect(parseAlarm({ ...valid, raisedAt: 0 }).ok).toBe(true);
  });

  it('accepts a note of exactly 500 characters, also in Chinese', () => {
    expect(parseAlarm({ ...valid, note: 'n'.repeat(500) }).ok).toBe(true);
    expect(parseAlarm({ ...valid, note: '警'.repeat(500) }).ok).toBe(true);
  });

  it('accepts locations at the edges of the valid range', () => {
    expect(parseAlarm({ ...valid, location: { lat: -90, lng: -180 } }).ok).toBe(true);
    expect(parseAlarm({ ...valid, location: { lat: 90, lng: 180 } }).ok).toBe(true);
  });

  it('refuses a missing alarmId', () => {
    const { alarmId: _omit, ...rest } = valid;
    expect(refusedMessage(parseAlarm(rest))).toContain('alarmId');
  });

  it.each([
    ['empty', ''],
    ['a space', 'a b'],
    ['a slash', 'dev/a1'],
    ['a dot', 'a.1'],
    ['a Chinese character', '报警1'],
    ['65 characters', 'a'.repeat(65)],
  ])('refuses an alarmId with %s', (_what, alarmId) => {
    expect(refusedMessage(parseAlarm({ ...valid, alarmId }))).toContain('alarmId');
  });

  it('refuses a non-string alarmId', () => {
    refusedMessage(parseAlarm({ ...valid, alarmId: 12 }));
  });

  it('refuses an unknown kind and a missing kind', () => {
    expect(refusedMessage(parseAlarm({ ...valid, kind: 'earthquake' }))).toContain('kind');
    expect(refusedMessage(parseAlarm({ ...valid, kind: 'PANIC' }))).toContain('kind');
    const { kind: _k, ...rest } = valid;
    refusedMessage(parseAlarm(rest));
  });

  it.each([
    ['a string', '1764468000000'],
    ['negative', -1],
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['fractional', 1.5],
    ['null', null],
    ['missing', undefined],
  ])('refuses raisedAt that is %s', (_what, raisedAt) => {
    const p: Record<string, unknown> = { ...valid, raisedAt };
    if (raisedAt === undefined) delete p.raisedAt;
    expect(refusedMessage(parseAlarm(p))).toContain('raisedAt');
  });

  it('refuses a note of 501 characters', () => {
    expect(refusedMessage(parseAlarm({ ...valid, note: 'n'.repeat(501) }))).toContain('note');
  });

  it('refuses a non-boolean drill and a non-string note', () => {
    refusedMessage(parseAlarm({ ...valid, drill: 'yes' }));
    refusedMessage(parseAlarm({ ...valid, note: 5 }));
  });

  it.each([
    ['lat > 90', { lat: 90.0001, lng: 117 }],
    ['lat < -90', { lat: -91, lng: 117 }],
    ['lng > 180', { lat: 41, lng: 180.5 }],
    ['lng < -180', { lat: 41, lng: -181 }],
    ['lat NaN', { lat: Number.NaN, lng: 117 }],
    ['lat a string', { lat: '41', lng: 117 }],
    ['lng missing', { lat: 41 }],
  ])('refuses a location with %s', (_what, location) => {
    expect(refusedMessage(parseAlarm({ ...valid, location }))).toContain('location');
  });

  // Spec, "Forward compatibility": unknown fields are ignored, never a reason to refuse; the value holds only
  // the known ones (so a terminal's schoolId never gets past the parser: the school comes from the registry).
  it('ignores unknown fields, e.g. a school chosen by the terminal, and drops them from the value', () => {
    expect(parseAlarm({ ...valid, schoolId: 'other-school' })).toEqual({ ok: true, value: valid });
    expect(parseAlarm({ ...valid, extra: 1, firmware: { v: 2 } })).toEqual({ ok: true, value: valid });
    expect(parseAlarm({ ...valid, location: { lat: 41, lng: 117, alt: 300 } })).toEqual({ ok: true, value: { ...valid, location: { lat: 41, lng: 117 } } });
  });

  it('ignores hostile unknown keys (__proto__, constructor, toString …) without taking anything from them', () => {
    const raw = JSON.parse(
      '{"alarmId":"A-1_b","kind":"panic","raisedAt":1764468000000,"__proto__":{"note":"from proto","drill":true},' +
        '"constructor":{"prototype":{"polluted":1}},"toString":"x","hasOwnProperty":0,"valueOf":null,' +
        '"location":{"lat":41,"lng":117,"__proto__":{"lat":0}}}',
    ) as unknown;
    const r = parseAlarm(raw);
    expect(r).toEqual({ ok: true, value: { ...valid, location: { lat: 41, lng: 117 } } });
    if (!r.ok) throw new Error('expected ok');
    expect(Object.getPrototypeOf(r.value)).toBe(Object.prototype);
    expect(Object.keys(r.value).sort()).toEqual(['alarmId', 'kind', 'location', 'raisedAt']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('still validates every known field when unknown ones come along', () => {
    expect(refusedMessage(parseAlarm({ ...valid, schoolId: 's', kind: 'earthquake' }))).toContain('kind');
    expect(refusedMessage(parseAlarm({ ...valid, extra: 1, note: 'n'.repeat(501) }))).toContain('note');
  });

  it.each([
    ['null', null],
    ['undefined', undefined],
    ['an array', [valid]],
    ['a string', JSON.stringify(valid)],
    ['a number', 42],
    ['a boolean', true],
  ])('refuses a payload that is %s', (_what, payload) => {
    refusedMessage(parseAlarm(payload));
  });

  it('refuses a payload over 16 KiB before looking at it, and takes one of exactly 16 KiB to the schema', () => {
    const base = { ...valid, pad: '' };
    const overhead = payloadBytes(base);
    const atLimit = { ...valid, pad: 'p'.repeat(MAX_PAYLOAD_BYTES - overhead) };
    const overLimit = { ...valid, pad: 'p'.repeat(MAX_PAYLOAD_BYTES - overhead + 1) };
    expect(payloadBytes(atLimit)).toBe(MAX_PAYLOAD_BYTES);
    expect(payloadBytes(overLimit)).toBe(MAX_PAYLOAD_BYTES + 1);
    // At the limit the size is fine and the unknown field is ignored; one byte more and it is refused.
    expect(parseAlarm(atLimit)).toEqual({ ok: true, value: valid });
    expect(refusedMessage(parseAlarm(overLimit))).toContain(String(MAX_PAYLOAD_BYTES));
  });

  it('refuses a long note that makes the payload larger than 16 KiB with the size message', () => {
    expect(refusedMessage(parseAlarm({ ...valid, note: '警'.repeat(6000) }))).toContain(String(MAX_PAYLOAD_BYTES));
  });

  it('refuses a cyclic object without throwing', () => {
    const cyclic: Record<string, unknown> = { ...valid };
    cyclic.self = cyclic;
    expect(() => parseAlarm(cyclic)).not.toThrow();
    refusedMessage(parseAlarm(cyclic));
  });

  it('does not return the caller’s object, so later changes to it do not leak in', () => {
    const p = { ...valid, location: { lat: 41, lng: 117 } };
    const r = parseAlarm(p);
    if (!r.ok) throw new Error('expected ok');
    p.location.lat = 0;
    expect(r.value.location?.lat).toBe(41);
  });
});

describe('parseHeartbeat', () => {
  it('accepts the minimal and the full payload', () => {
    expect(parseHeartbeat({ sentAt: 5 })).toEqual({ ok: true, value: { sentAt: 5 } });
    const full = { sentAt: 5, battery: 100, tamper: false, powerSource: 'battery' };
    expect(parseHeartbeat(full)).toEqual({ ok: true, value: full });
    expect(parseHeartbeat({ sentAt: 5, battery: 0, powerSource: 'mains' }).ok).toBe(true);
  });

  it.each([
    ['no sentAt', {}],
    ['sentAt a string', { sentAt: '5' }],
    ['sentAt negative', { sentAt: -5 }],
    ['sentAt NaN', { sentAt: Number.NaN }],
    ['battery over 100', { sentAt: 5, battery: 101 }],
    ['battery negative', { sentAt: 5, battery: -1 }],
    ['tamper not boolean', { sentAt: 5, tamper: 'no' }],
    ['an unknown power source', { sentAt: 5, powerSource: 'solar' }],
    ['null', null],
    ['an array', [{ sentAt: 5 }]],
    ['a number', 5],
  ])('refuses %s', (_what, payload) => {
    refusedMessage(parseHeartbeat(payload));
  });

  it('ignores unknown fields', () => {
    expect(parseHeartbeat({ sentAt: 5, gps: true, temperature: 31 })).toEqual({ ok: true, value: { sentAt: 5 } });
  });

  it('refuses an oversized heartbeat', () => {
    expect(refusedMessage(parseHeartbeat({ sentAt: 5, x: 'x'.repeat(MAX_PAYLOAD_BYTES) }))).toContain(String(MAX_PAYLOAD_BYTES));
  });
});

describe('parseTerminalAuth', () => {
  it('accepts a device id and token', () => {
    expect(parseTerminalAuth({ deviceId: 'T-1', token: 'abc' })).toEqual({ ok: true, value: { deviceId: 'T-1', token: 'abc' } });
    expect(parseTerminalAuth({ deviceId: 'd'.repeat(128), token: 't'.repeat(512) }).ok).toBe(true);
  });

  it.each([
    ['no token', { deviceId: 'T-1' }],
    ['no deviceId', { token: 'abc' }],
    ['an empty token', { deviceId: 'T-1', token: '' }],
    ['an empty deviceId', { deviceId: '', token: 'abc' }],
    ['a 129-char deviceId', { deviceId: 'd'.repeat(129), token: 'abc' }],
    ['a 513-char token', { deviceId: 'T-1', token: 't'.repeat(513) }],
    ['a numeric token', { deviceId: 'T-1', token: 123 }],
    ['null', null],
    ['a string', 'T-1:abc'],
  ])('refuses %s', (_what, payload) => {
    refusedMessage(parseTerminalAuth(payload));
  });
});

describe('parseTerminalAuth, forward compatibility', () => {
  it('ignores unknown handshake fields (a newer terminal may announce its firmware)', () => {
    expect(parseTerminalAuth({ deviceId: 'T-1', token: 'abc', schoolId: 's', firmware: '2.1' })).toEqual({
      ok: true,
      value: { deviceId: 'T-1', token: 'abc' },
    });
  });
});

describe('payloadBytes', () => {
  it('counts the UTF-8 bytes of the JSON text', () => {
    expect(payloadBytes('abc')).toBe(5); // "abc"
    expect(payloadBytes('中')).toBe(2 + 3);
    expect(payloadBytes('校园报警')).toBe(2 + 12);
    expect(payloadBytes('é')).toBe(2 + 2);
    expect(payloadBytes({ note: '警' })).toBe(Buffer.byteLength(JSON.stringify({ note: '警' }), 'utf8'));
  });

  it('agrees with Buffer.byteLength for mixed BMP text', () => {
    const p = { alarmId: 'x', note: '一楼 gate ü 北门 №5', n: [1, 2, 3] };
    expect(payloadBytes(p)).toBe(Buffer.byteLength(JSON.stringify(p), 'utf8'));
  });

  it('is 0 for undefined and infinite for a cycle', () => {
    expect(payloadBytes(undefined)).toBe(0);
    const a: unknown[] = [];
    a.push(a);
    expect(payloadBytes(a)).toBe(Number.POSITIVE_INFINITY);
  });
});

describe('positionFixAt: positions ordered by the station receive time', () => {
  const R = 1_764_468_000_000;
  it('takes the first fix, and a newer one, with the unit’s own stamp', () => {
    expect(positionFixAt(undefined, R - 500, R)).toBe(R - 500);
    expect(positionFixAt({ at: R - 2000, receivedAt: R - 1900 }, R - 100, R)).toBe(R - 100);
  });
  it('keeps a stamp up to the allowance ahead, and replaces one beyond it by the receive time', () => {
    expect(positionFixAt(undefined, R + AHEAD, R)).toBe(R + AHEAD);
    expect(positionFixAt(undefined, R + AHEAD + 1, R)).toBe(R);
    expect(positionFixAt(undefined, 4_102_444_800_000, R)).toBe(R);
  });
  it('ignores an older stamp only while the live fix is younger than the reorder window', () => {
    const live = { at: R + 20_000, receivedAt: R };
    expect(positionFixAt(live, R - 3_600_000, R + 1)).toBeUndefined();
    expect(positionFixAt(live, R - 3_600_000, R + REORDER - 1)).toBeUndefined();
    expect(positionFixAt(live, R - 3_600_000, R + REORDER)).toBe(R - 3_600_000);
  });
  it('a fix stamped in the future never holds the unit: the next honest fix is taken at once', () => {
    const live = { at: positionFixAt(undefined, R + 365 * 86_400_000, R)!, receivedAt: R };
    expect(positionFixAt(live, R + 1000, R + 1000)).toBe(R + 1000);
  });
});

// Protocol v1 conformance — property-based (fast-check) over every handler: alarm, cancel, heartbeat on /terminal;
// position, status on /unit. Arbitrary JSON values and near-valid mutations of valid payloads are sent over real
// sockets to the real core. For each: the core never crashes (a valid alarm is still acked afterwards), every
// refusal is `{ ok: false, error: { code ∈ spec codes, message: non-empty string } }`, a refusal changes nothing,
// and acceptance agrees with an oracle written from the spec (not from the core's zod schemas). Where the spec is
// silent and the core is stricter (integer times, battery 0–100 …) the oracle says "either" and only the shape
// is checked; docs/protocol.md documents what the core does there.
//
// The station clock is the real clock plus an offset that each run advances by 1 s, so the per-device rate limit
// (5/s, burst 20) never interferes with what is tested here (rateLimit.test.ts tests the limit itself); the
// heartbeat interval is huge so that no supervision event lands in the journal during a run.
import fc from 'fast-check';
import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POSITION_FUTURE_ALLOWANCE_MS, POSITION_REORDER_MS } from '../../shared/protocol';
import {
  ask,
  connect,
  isSpecRefusal,
  rawConnect,
  sleep,
  SPEC_KINDS,
  SPEC_UNIT_STATES,
  START_TIMEOUT,
  startTestCore,
  terminalAuth,
  unitAuth,
  validAlarm,
  type RawSocket,
  type TestCore,
} from './support';

/** Runs per property; PROTOCOL_PROPERTY_RUNS raises it for a long soak. */
const RUNS = Number(process.env.PROTOCOL_PROPERTY_RUNS) || 200;
let skew = 0;
const tick = (): void => void (skew += 1000);
/** The station's clock (the core is started with exactly this). */
const stationNow = (): number => Date.now() + skew;

let t: TestCore;
let term: Socket;
let unit: Socket;
let unitId: string;
const knownAlarmIds: string[] = [];
beforeAll(async () => {
  // These properties are about payloads, sent as fast as the station answers from one device: thousands of messages
  // that the read budget (a device's flood held to 200/s, main/gateway/readBudget.ts) would spread over minutes.
  // The budget itself is tested in test/unit/main/readBudget.test.ts and terminal.test.ts (2,000 flood presses).
  t = await startTestCore({ heartbeatMs: 1_000_000_000, now: stationNow, deviceReads: { perSecond: 1e9, burst: 1e9 } });
  term = await connect(t.url, '/terminal', terminalAuth(t.creds.terminals[0]!));
  unitId = t.creds.units[0]!.unitId;
  unit = await connect(t.url, '/unit', unitAuth(t.creds.units[0]!));
  for (let i = 0; i < 4; i++) {
    const a = validAlarm();
    await ask(term, 'alarm', a);
    knownAlarmIds.push(a.alarmId as string);
  }
}, START_TIMEOUT);
afterAll(async () => {
  term?.close();
  unit?.close();
  await t.close();
});

// ---------- the oracle: the spec's rules, independent of shared/protocol.ts ----------

type Verdict = 'valid' | 'invalid' | 'either';
const all = (...vs: Verdict[]): Verdict => (vs.includes('invalid') ? 'invalid' : vs.includes('either') ? 'either' : 'valid');
const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
/** What the station receives: socket.io sends JSON (undefined → dropped or null, NaN/±Infinity → null, -0 → 0). */
const wire = (x: unknown): unknown => (JSON.parse(JSON.stringify([x])) as unknown[])[0];
const tooBig = (x: unknown): boolean => Buffer.byteLength(JSON.stringify(x) ?? '') > 16 * 1024;
const ALARM_ID = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * The required keys are present. Unknown keys change nothing (spec, "Forward compatibility": a receiver ignores
 * fields it does not know and never refuses a message for them), so `_optional` only documents the known ones.
 */
function fields(o: Record<string, unknown>, required: string[], _optional: string[]): Verdict {
  for (const k of required) if (!Object.hasOwn(o, k)) return 'invalid';
  return 'valid';
}
/** "Times are epoch milliseconds (numbers)": the core wants non-negative safe integers; other numbers are spec-ambiguous. */
const time = (x: unknown): Verdict => (typeof x !== 'number' ? 'invalid' : Number.isSafeInteger(x) && x >= 0 ? 'valid' : 'either');
/** A number whose range the spec fixes (WGS-84 degrees). */
const ranged = (x: unknown, lo: number, hi: number): Verdict => (typeof x === 'number' && x >= lo && x <= hi ? 'valid' : 'invalid');
/** An optional number whose range only the core fixes. */
const optNum = (x: unknown, lo: number, hi: number): Verdict =>
  x === undefined ? 'valid' : typeof x !== 'number' ? 'invalid' : x >= lo && x <= hi ? 'valid' : 'either';
const optBool = (x: unknown): Verdict => (x === undefined || typeof x === 'boolean' ? 'valid' : 'invalid');
const chars = (s: string): number => [...s].length;

function alarmVerdict(p: unknown): Verdict {
  if (tooBig(p) || !isObj(p)) return 'invalid';
  const loc = p.location;
  return all(
    fields(p, ['alarmId', 'kind', 'raisedAt'], ['drill', 'note', 'location']),
    typeof p.alarmId === 'string' && ALARM_ID.test(p.alarmId) ? 'valid' : 'invalid',
    (SPEC_KINDS as readonly unknown[]).includes(p.kind) ? 'valid' : 'invalid',
    time(p.raisedAt),
    optBool(p.drill),
    p.note === undefined || (typeof p.note === 'string' && chars(p.note) <= 500) ? 'valid' : 'invalid',
    loc === undefined ? 'valid' : isObj(loc) ? all(fields(loc, ['lat', 'lng'], []), ranged(loc.lat, -90, 90), ranged(loc.lng, -180, 180)) : 'invalid',
  );
}

function cancelVerdict(p: unknown): Verdict {
  if (tooBig(p) || !isObj(p)) return 'invalid';
  const reason: Verdict = typeof p.reason !== 'string' ? 'invalid' : p.reason.length <= 500 ? 'valid' : 'either'; // the spec sets no limit
  return all(fields(p, ['alarmId', 'reason'], []), typeof p.alarmId === 'string' && ALARM_ID.test(p.alarmId) ? 'valid' : 'invalid', reason);
}

function heartbeatVerdict(p: unknown): Verdict {
  if (tooBig(p) || !isObj(p)) return 'invalid';
  const ps = p.powerSource;
  return all(
    fields(p, ['sentAt'], ['battery', 'tamper', 'powerSource']),
    time(p.sentAt),
    optNum(p.battery, 0, 100),
    optBool(p.tamper),
    ps === undefined || ps === 'mains' || ps === 'battery' ? 'valid' : typeof ps === 'string' ? 'either' : 'invalid',
  );
}

function positionVerdict(p: unknown): Verdict {
  if (tooBig(p) || !isObj(p)) return 'invalid';
  return all(
    fields(p, ['lat', 'lng', 'at'], ['heading', 'speed', 'accuracy']),
    ranged(p.lat, -90, 90),
    ranged(p.lng, -180, 180),
    time(p.at),
    optNum(p.heading, 0, 360),
    optNum(p.speed, 0, 100),
    optNum(p.accuracy, 0, 100_000),
  );
}

/** 'valid' here means: valid and without incidentId (with one it must be refused: no unit is dispatched yet). */
function statusVerdict(p: unknown): Verdict | 'refused' {
  if (tooBig(p) || !isObj(p)) return 'invalid';
  const v = all(fields(p, ['state', 'at'], ['incidentId']), (SPEC_UNIT_STATES as readonly unknown[]).includes(p.state) ? 'valid' : 'invalid', time(p.at));
  if (p.incidentId === undefined) return v;
  if (typeof p.incidentId !== 'string') return 'invalid';
  return v === 'invalid' ? 'invalid' : 'refused';
}

// ---------- generators ----------

const weird = fc.oneof(
  fc.anything({ maxDepth: 2 }),
  fc.constantFrom<unknown>(
    null,
    true,
    false,
    0,
    -0,
    -1,
    0.5,
    1.5,
    2 ** 53,
    Number.MAX_SAFE_INTEGER,
    1e21,
    -1e21,
    Number.NaN,
    Number.POSITIVE_INFINITY,
    '',
    ' ',
    '0',
    'null',
    'true',
    [],
    {},
    '\u0000',
    '🚨',
    'a'.repeat(65),
    { __proto__: null },
  ),
);
const stringOfLength = (lo: number, hi: number, unit: 'grapheme' | 'binary' | 'grapheme-ascii'): fc.Arbitrary<string> =>
  fc.integer({ min: lo, max: hi }).chain((n) => fc.string({ minLength: n, maxLength: n, unit }));
const idChars = fc.constantFrom(...'abcXYZ019_-'.split(''));
const alarmIdArb = fc.oneof(
  fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/),
  fc.string({ minLength: 0, maxLength: 70 }),
  fc.integer({ min: 62, max: 66 }).chain((n) => fc.string({ minLength: n, maxLength: n, unit: idChars })),
  fc.constantFrom('', 'a b', 'a.b', 'a/b', 'a\n', '报警', 'ok', 'Ｆ1', '-', '_'),
  weird,
);
const timeArb = fc.oneof(
  fc.integer({ min: 0, max: 4_102_444_800_000 }),
  fc.double(),
  fc.constantFrom<unknown>(-1, 0, 0.5, 2 ** 53, 2 ** 53 - 1, Number.NaN, '1700000000000', null),
  weird,
);
const coord = (lim: number): fc.Arbitrary<unknown> =>
  fc.oneof(
    fc.double({ min: -lim, max: lim, noNaN: true }),
    fc.double(),
    fc.constantFrom<unknown>(lim, -lim, lim + 1e-9, -lim - 1e-9, String(lim / 2), null),
    weird,
  );

const validAlarmArb = fc.record(
  {
    alarmId: fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/),
    kind: fc.constantFrom(...SPEC_KINDS),
    raisedAt: fc.integer({ min: 0, max: 4_102_444_800_000 }),
    drill: fc.boolean(),
    note: fc.string({ maxLength: 40 }),
    location: fc.record({ lat: fc.double({ min: -90, max: 90, noNaN: true }), lng: fc.double({ min: -180, max: 180, noNaN: true }) }),
  },
  { requiredKeys: ['alarmId', 'kind', 'raisedAt'] },
);
const alarmField: Record<string, fc.Arbitrary<unknown>> = {
  alarmId: alarmIdArb,
  kind: fc.oneof(fc.constantFrom<unknown>(...SPEC_KINDS, 'Panic', 'panic ', 'PANIC', 'alarm', ''), weird),
  raisedAt: timeArb,
  drill: fc.oneof(fc.boolean(), weird),
  note: fc.oneof(
    fc.string({ maxLength: 60 }),
    stringOfLength(495, 505, 'grapheme-ascii'),
    stringOfLength(495, 505, 'binary'),
    fc.constantFrom('🚨'.repeat(500), '🚨'.repeat(501), 'x'.repeat(500), 'x'.repeat(501), '\u0000'.repeat(500)),
    weird,
  ),
  location: fc.oneof(
    fc.record({ lat: coord(90), lng: coord(180) }),
    fc.record({ lat: coord(90), lng: coord(180), alt: weird }),
    fc.record({ lat: coord(90) }),
    weird,
  ),
};

/** A valid payload with 1–3 mutations: a field dropped, a field set to a boundary or odd value, an unknown field added. */
function mutated(valid: fc.Arbitrary<Record<string, unknown>>, field: Record<string, fc.Arbitrary<unknown>>): fc.Arbitrary<unknown> {
  const keys = Object.keys(field);
  const mutation = fc.oneof(
    fc.record({ op: fc.constant('drop' as const), key: fc.constantFrom(...keys), value: fc.constant(undefined as unknown) }),
    fc.constantFrom(...keys).chain((key) => fc.record({ op: fc.constant('set' as const), key: fc.constant(key), value: field[key]! })),
    fc.record({ op: fc.constant('set' as const), key: fc.constantFrom(...keys), value: weird }),
    fc.record({
      op: fc.constant('set' as const),
      key: fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('schoolId', 'deviceId', 'incidentId', '__proto__', 'constructor', 'toJSON')),
      value: weird,
    }),
  );
  return fc.tuple(valid, fc.array(mutation, { minLength: 0, maxLength: 3 })).map(([v, ms]) => {
    const o: Record<string, unknown> = { ...v };
    for (const m of ms) {
      if (m.op === 'drop') delete o[m.key];
      else Object.defineProperty(o, m.key, { value: m.value, enumerable: true, writable: true, configurable: true });
    }
    return o;
  });
}

/** The fields v1 knows, per message: everything else is an unknown field. */
const KNOWN: Record<string, readonly string[]> = {
  alarm: ['alarmId', 'kind', 'raisedAt', 'drill', 'note', 'location'],
  cancel: ['alarmId', 'reason'],
  heartbeat: ['sentAt', 'battery', 'tamper', 'powerSource'],
  position: ['lat', 'lng', 'at', 'heading', 'speed', 'accuracy'],
  status: ['state', 'incidentId', 'at'],
};
/** 1–4 fields that the message does not know: random names and hostile ones, with small JSON values. */
const unknownFields = (known: readonly string[]): fc.Arbitrary<[string, unknown][]> =>
  fc
    .array(
      fc.tuple(
        fc.oneof(
          fc.string({ maxLength: 12 }),
          fc.constantFrom(
            '__proto__',
            'constructor',
            'prototype',
            'toString',
            'valueOf',
            'hasOwnProperty',
            'toJSON',
            'then',
            'schoolId',
            'deviceId',
            'unitId',
            'incidentId',
            'lat',
            '',
          ),
        ),
        fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constantFrom<unknown>({ polluted: 1, kind: 'fire', lat: 0 }, { prototype: { polluted: 1 } })),
      ),
      { minLength: 1, maxLength: 4 },
    )
    .map((es) => es.filter(([k]) => !known.includes(k)))
    .filter((es) => es.length > 0);
/** `p` with the extra fields as own keys (even `__proto__`); an alarm's location gets them too. */
function withUnknown(p: unknown, extra: [string, unknown][], nested?: string): unknown {
  if (!isObj(p)) return p;
  const add = (o: Record<string, unknown>, known: readonly string[]): Record<string, unknown> => {
    const c: Record<string, unknown> = { ...o };
    for (const [k, v] of extra) if (!known.includes(k)) Object.defineProperty(c, k, { value: v, enumerable: true, writable: true, configurable: true });
    return c;
  };
  const q = add(p, []);
  if (nested !== undefined && isObj(p[nested])) q[nested] = add(p[nested], ['lat', 'lng']);
  return q;
}

// ---------- checks ----------

interface Refused {
  ok: false;
  error: { code: string; message: string };
}
const refusedOf = (ans: unknown): Refused | undefined => (isSpecRefusal(ans) ? (ans as Refused) : undefined);

async function stillAlive(): Promise<void> {
  expect(term.connected).toBe(true);
  expect(unit.connected).toBe(true);
  expect(await ask(term, 'alarm', validAlarm())).toMatchObject({ ok: true });
}

async function checkAlarm(p: unknown): Promise<void> {
  const v = alarmVerdict(wire(p));
  const before = t.count();
  const ans = (await ask(term, 'alarm', p)) as Record<string, unknown>;
  const refused = refusedOf(ans);
  if (refused) {
    expect(v, `refused ${JSON.stringify(ans)}`).not.toBe('valid');
    expect(refused.error.code).toBe('invalid_payload');
    expect(t.count()).toBe(before);
    return;
  }
  expect(v, `accepted ${JSON.stringify(ans)}`).not.toBe('invalid');
  expect(ans.ok).toBe(true);
  expect(typeof ans.incidentId).toBe('string');
  expect(typeof ans.receivedAt).toBe('number');
  expect(Object.keys(ans).every((k) => ['ok', 'incidentId', 'receivedAt', 'duplicate'].includes(k))).toBe(true);
  if (ans.duplicate !== undefined) expect(ans.duplicate).toBe(true);
  const added = t.eventsSince(before);
  // A test press is taken and closed by the station in the same write: alarm.received, then test.acknowledged.
  const test = (wire(p) as { kind?: unknown }).kind === 'test';
  expect(added).toHaveLength(ans.duplicate ? 0 : test ? 2 : 1);
  if (ans.duplicate) return;
  if (test) expect(added[1]).toMatchObject({ type: 'test.acknowledged', incidentId: ans.incidentId });
  // A new incident, or a further press of the same kind while the device's incident is open: recorded on it.
  const e = added[0]!;
  if (e.type === 'alarm.repeated') {
    expect(e).toMatchObject({ incidentId: ans.incidentId, deviceId: t.creds.terminals[0]!.deviceId, alarmIds: [(wire(p) as { alarmId: string }).alarmId] });
    return;
  }
  expect(e).toMatchObject({
    type: 'alarm.received',
    incidentId: ans.incidentId,
    deviceId: t.creds.terminals[0]!.deviceId,
    schoolId: t.creds.terminals[0]!.schoolId,
  });
  // Unknown fields are ignored: none of them reaches the journal.
  for (const k of Object.keys(e)) expect(ALARM_EVENT_KEYS).toContain(k);
  const loc = (e as { location?: object }).location;
  if (loc) expect(Object.keys(loc).sort()).toEqual(['lat', 'lng']);
}
const ALARM_EVENT_KEYS = ['type', 'at', 'incidentId', 'deviceId', 'schoolId', 'alarmId', 'kind', 'drill', 'raisedAt', 'note', 'location', 'area'];

/** Every alarmId terminal 0 has raised so far (from the journal): the ones a cancel may name. */
const raisedByTerm0 = (alarmId: string): boolean =>
  t
    .records()
    .some(
      ({ event: e }) =>
        (e.type === 'alarm.received' && e.deviceId === t.creds.terminals[0]!.deviceId && e.alarmId === alarmId) ||
        (e.type === 'alarm.repeated' && e.deviceId === t.creds.terminals[0]!.deviceId && e.alarmIds.includes(alarmId)),
    );

async function checkCancel(p: unknown): Promise<void> {
  tick();
  const w = wire(p);
  const v = cancelVerdict(w);
  const before = t.count();
  const ans = await ask(term, 'cancel', p);
  const refused = refusedOf(ans);
  if (refused) {
    if (v === 'valid') {
      // Valid but not an alarm of this device → unknown_alarm; anything else is wrong.
      expect(raisedByTerm0((w as { alarmId: string }).alarmId)).toBe(false);
      expect(refused.error.code).toBe('unknown_alarm');
    } else if (v === 'invalid') expect(refused.error.code).toBe('invalid_payload');
    expect(t.count()).toBe(before);
    return;
  }
  expect(ans).toEqual({ ok: true });
  expect(v).not.toBe('invalid');
  expect(raisedByTerm0((w as { alarmId: string }).alarmId)).toBe(true);
  const added = t.eventsSince(before);
  expect(added.length).toBeLessThanOrEqual(1);
  for (const e of added) expect(e.type).toBe('alarm.cancel_requested');
}

async function checkHeartbeat(p: unknown): Promise<void> {
  tick();
  const v = heartbeatVerdict(wire(p));
  const before = t.count();
  const ans = (await ask(term, 'heartbeat', p)) as Record<string, unknown>;
  const refused = refusedOf(ans);
  if (refused) {
    expect(v, `refused ${JSON.stringify(ans)}`).not.toBe('valid');
    expect(refused.error.code).toBe('invalid_payload');
    expect(t.count()).toBe(before);
    return;
  }
  expect(v, `accepted ${JSON.stringify(ans)}`).not.toBe('invalid');
  expect(Object.keys(ans).sort()).toEqual(['ok', 'serverTime']);
  expect(ans.ok).toBe(true);
  expect(typeof ans.serverTime).toBe('number');
  for (const e of t.eventsSince(before)) expect(e.type).toBe('device.tamper'); // the only thing a heartbeat may journal
}

const live = () => t.core.station.units.unitsLive().find((x) => x.unitId === unitId);

type Live = ReturnType<typeof live>;
/**
 * docs/protocol.md §3 (the spec leaves it to the station): positions are ordered by the station's receive time `r`.
 * A fix stamped more than the allowance ahead of `r` is kept with `at = r`; a fix stamped older than the live one is
 * ignored only while the live one is younger than the reorder window. `r` lies in [from, to]: where the rule gives
 * different answers at the two ends, the verdict is 'either'.
 */
function fixVerdict(fixAt: number, prev: Live, from: number, to: number): 'taken' | 'ignored' | 'either' {
  const rule = (r: number): boolean => {
    const at = fixAt > r + POSITION_FUTURE_ALLOWANCE_MS ? r : fixAt;
    return prev === undefined || at >= prev.at || r - prev.receivedAt >= POSITION_REORDER_MS;
  };
  const a = rule(from);
  return a !== rule(to) ? 'either' : a ? 'taken' : 'ignored';
}

/** Sends one position (no ack) and returns the live entry before and after, and the station-clock window. */
async function sendPosition(p: unknown): Promise<{ prev: Live; now: Live; from: number; to: number }> {
  const before = t.count();
  const prev = live();
  const from = stationNow();
  unit.emit('position', p); // no ack, as the spec says
  const barrier = await ask(unit, 'sync', null); // handled after the position (same socket, in order)
  const to = stationNow();
  expect(isSpecRefusal(barrier, 'invalid_payload')).toBe(true);
  expect(t.count(), JSON.stringify(t.eventsSince(before))).toBe(before); // positions are never journalled
  expect(unit.connected).toBe(true);
  return { prev, now: live(), from, to };
}

async function checkPosition(p: unknown): Promise<void> {
  tick();
  const w = wire(p);
  const v = positionVerdict(w);
  const { prev, now, from, to } = await sendPosition(p);
  if (v === 'invalid') expect(now).toEqual(prev);
  if (v !== 'valid') return;
  const f = w as { lat: number; lng: number; at: number };
  const verdict = fixVerdict(f.at, prev, from, to);
  if (verdict === 'ignored') expect(now).toEqual(prev);
  if (verdict === 'taken') {
    expect(now).toMatchObject({ lat: f.lat, lng: f.lng, at: f.at > now!.receivedAt + POSITION_FUTURE_ALLOWANCE_MS ? now!.receivedAt : f.at });
    expect(Object.keys(now!).every((k) => ['unitId', 'lat', 'lng', 'at', 'receivedAt', 'connected', 'heading', 'speed'].includes(k))).toBe(true);
  }
}

async function checkStatus(p: unknown): Promise<void> {
  tick();
  const v = statusVerdict(wire(p));
  const before = t.count();
  const ans = await ask(unit, 'status', p);
  const refused = refusedOf(ans);
  if (refused) {
    expect(v, `refused ${JSON.stringify(ans)}`).not.toBe('valid');
    if (v === 'invalid') expect(refused.error.code).toBe('invalid_payload');
    if (v === 'refused') expect(['forbidden', 'invalid_payload']).toContain(refused.error.code);
    expect(t.count()).toBe(before);
    return;
  }
  expect(ans).toEqual({ ok: true });
  expect(['valid', 'either']).toContain(v);
  const added = t.eventsSince(before);
  expect(added.length).toBeLessThanOrEqual(1);
  for (const e of added) expect(e).toMatchObject({ type: 'unit.status', unitId });
}

const anyJson = fc.oneof(
  fc.anything(),
  fc.jsonValue(),
  fc.object(),
  fc.json().map((s) => JSON.parse(s) as unknown),
);
const opts = { numRuns: RUNS };

describe('/terminal alarm', () => {
  it('arbitrary values: answered with an ack or a spec refusal; refusals change nothing', async () => {
    await fc.assert(fc.asyncProperty(anyJson, checkAlarm), opts);
    await stillAlive();
  });
  it('near-valid mutations of valid alarms: accepted exactly when the spec says so', async () => {
    await fc.assert(fc.asyncProperty(mutated(validAlarmArb, alarmField), checkAlarm), opts);
    await stillAlive();
  });
  it('valid alarms are always accepted', async () => {
    await fc.assert(fc.asyncProperty(validAlarmArb, checkAlarm), { numRuns: 50 });
  });
});

describe('/terminal cancel', () => {
  const validCancel = fc.record({
    alarmId: fc.oneof(
      fc.integer({ min: 0, max: 3 }).map((i) => knownAlarmIds[i]!),
      fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/),
    ),
    reason: fc.string({ maxLength: 40 }),
  });
  const knownOrNot = fc.oneof(
    fc.integer({ min: 0, max: 3 }).map((i) => knownAlarmIds[i]!),
    alarmIdArb,
  );
  it('arbitrary values', async () => {
    await fc.assert(fc.asyncProperty(anyJson, checkCancel), opts);
    await stillAlive();
  });
  it('near-valid mutations', async () => {
    const reason = fc.oneof(fc.string({ maxLength: 40 }), stringOfLength(495, 505, 'grapheme-ascii'), stringOfLength(248, 260, 'grapheme'), weird);
    await fc.assert(fc.asyncProperty(mutated(validCancel, { alarmId: knownOrNot, reason }), checkCancel), opts);
    await stillAlive();
  });
});

describe('/terminal heartbeat', () => {
  const validHb = fc.record(
    {
      sentAt: fc.integer({ min: 0, max: 4_102_444_800_000 }),
      battery: fc.integer({ min: 0, max: 100 }),
      tamper: fc.boolean(),
      powerSource: fc.constantFrom('mains', 'battery'),
    },
    { requiredKeys: ['sentAt'] },
  );
  it('arbitrary values', async () => {
    await fc.assert(fc.asyncProperty(anyJson, checkHeartbeat), opts);
    await stillAlive();
  });
  it('near-valid mutations', async () => {
    const field = {
      sentAt: timeArb,
      battery: fc.oneof(fc.double(), fc.constantFrom<unknown>(-1, 0, 100, 100.5, '80', null), weird),
      tamper: fc.oneof(fc.boolean(), weird),
      powerSource: fc.oneof(fc.constantFrom<unknown>('mains', 'battery', 'solar', 'Mains', ''), weird),
    };
    await fc.assert(fc.asyncProperty(mutated(validHb, field), checkHeartbeat), opts);
    await stillAlive();
  });
});

describe('/unit position', () => {
  let at = Date.now();
  const validPos = fc.record(
    {
      lat: fc.double({ min: -90, max: 90, noNaN: true }),
      lng: fc.double({ min: -180, max: 180, noNaN: true }),
      at: fc.constant(0).map(() => ++at),
      heading: fc.double({ min: 0, max: 360, noNaN: true }),
      speed: fc.double({ min: 0, max: 100, noNaN: true }),
      accuracy: fc.double({ min: 0, max: 100_000, noNaN: true }),
    },
    { requiredKeys: ['lat', 'lng', 'at'] },
  );
  it('arbitrary values', async () => {
    await fc.assert(fc.asyncProperty(anyJson, checkPosition), opts);
    await stillAlive();
  });
  it('near-valid mutations', async () => {
    const field = {
      lat: coord(90),
      lng: coord(180),
      at: timeArb,
      heading: fc.oneof(fc.double(), fc.constantFrom<unknown>(-1, 360, 360.1), weird),
      speed: fc.oneof(fc.double(), fc.constantFrom<unknown>(-0.1, 100, 100.1), weird),
      accuracy: fc.oneof(fc.double(), weird),
    };
    await fc.assert(fc.asyncProperty(mutated(validPos, field), checkPosition), opts);
    await stillAlive();
  });
});

describe('/unit status', () => {
  const validSt = fc.record(
    { state: fc.constantFrom(...SPEC_UNIT_STATES), at: fc.integer({ min: 0, max: 4_102_444_800_000 }), incidentId: fc.string({ minLength: 1, maxLength: 20 }) },
    { requiredKeys: ['state', 'at'] },
  );
  it('arbitrary values', async () => {
    await fc.assert(fc.asyncProperty(anyJson, checkStatus), opts);
    await stillAlive();
  });
  it('near-valid mutations', async () => {
    const field = {
      state: fc.oneof(fc.constantFrom<unknown>(...SPEC_UNIT_STATES, 'Busy', 'enroute', ''), weird),
      at: timeArb,
      incidentId: fc.oneof(fc.string({ maxLength: 70 }), weird),
    };
    await fc.assert(fc.asyncProperty(mutated(validSt, field), checkStatus), opts);
    await stillAlive();
  });
});

// Spec, "Forward compatibility": unknown fields are ignored and never a reason to refuse. So the same message with
// and without unknown fields has the same outcome — for valid and invalid messages alike (unless the extra bytes
// cross the 16 KiB limit, which counts the whole payload; those cases are skipped here and tested in terminal.test.ts).
describe('unknown fields never change the outcome', () => {
  const prototypeClean = (): void => expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  const same = (withExtra: unknown, plain: unknown): void => {
    const r = refusedOf(withExtra);
    if (r) expect(plain).toEqual(withExtra);
    else expect(refusedOf(plain)).toBeUndefined();
  };

  it('alarm: with unknown fields as without (same incident: the plain resend is its duplicate)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(validAlarmArb, mutated(validAlarmArb, alarmField)), unknownFields(KNOWN.alarm!), async (p, extra) => {
        const q = withUnknown(p, extra, 'location');
        if (tooBig(wire(q))) return;
        await checkAlarm(q);
        const before = t.count();
        const withExtra = (await ask(term, 'alarm', q)) as Record<string, unknown>; // a resend of q
        const plain = (await ask(term, 'alarm', p)) as Record<string, unknown>;
        same(withExtra, plain);
        if (withExtra.ok === true) expect(plain).toEqual({ ...withExtra, duplicate: true });
        expect(t.count()).toBe(before);
        prototypeClean();
      }),
      opts,
    );
    await stillAlive();
  });

  it('cancel and heartbeat: the same answer with unknown fields as without', async () => {
    const validCancel = fc.record({
      alarmId: fc.oneof(
        fc.integer({ min: 0, max: 3 }).map((i) => knownAlarmIds[i]!),
        fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/),
      ),
      reason: fc.string({ maxLength: 40 }),
    });
    const validHb = fc.record(
      { sentAt: fc.integer({ min: 0, max: 4_102_444_800_000 }), battery: fc.integer({ min: 0, max: 100 }), tamper: fc.boolean() },
      { requiredKeys: ['sentAt'] },
    );
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(validCancel, mutated(validCancel, { alarmId: alarmIdArb, reason: fc.oneof(fc.string(), weird) })),
        unknownFields(KNOWN.cancel!),
        async (p, extra) => {
          const q = withUnknown(p, extra);
          if (tooBig(wire(q))) return;
          tick();
          await checkCancel(q);
          same(await ask(term, 'cancel', q), await ask(term, 'cancel', p));
        },
      ),
      opts,
    );
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(validHb, mutated(validHb, { sentAt: timeArb, battery: weird, tamper: weird })),
        unknownFields(KNOWN.heartbeat!),
        async (p, extra) => {
          const q = withUnknown(p, extra);
          if (tooBig(wire(q))) return;
          tick();
          const a = (await ask(term, 'heartbeat', q)) as Record<string, unknown>;
          const b = (await ask(term, 'heartbeat', p)) as Record<string, unknown>;
          same(a, b);
          if (a.ok === true) expect(Object.keys(b).sort()).toEqual(['ok', 'serverTime']);
        },
      ),
      opts,
    );
    prototypeClean();
    await stillAlive();
  });

  it('position and status: the same effect with unknown fields as without', async () => {
    let at = Date.now();
    const validPos = fc.record(
      {
        lat: fc.double({ min: -90, max: 90, noNaN: true }),
        lng: fc.double({ min: -180, max: 180, noNaN: true }),
        at: fc.constant(0).map(() => ++at),
        heading: fc.integer({ min: 0, max: 360 }),
      },
      { requiredKeys: ['lat', 'lng', 'at'] },
    );
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(validPos, mutated(validPos, { lat: coord(90), lng: coord(180), at: timeArb, heading: weird })),
        unknownFields(KNOWN.position!),
        async (p, extra) => {
          const q = withUnknown(p, extra);
          if (tooBig(wire(q))) return;
          const before = live();
          await checkPosition(q); // the oracle knows only the known fields
          const first = live();
          const { now } = await sendPosition(p);
          // A fix taken with unknown fields is taken without them too (same place); one refused is refused again.
          if (first !== before) {
            expect(now).not.toBe(first);
            expect([now!.lat, now!.lng, now!.heading]).toEqual([first!.lat, first!.lng, first!.heading]);
          } else if (positionVerdict(wire(q)) === 'invalid') expect(now).toBe(first);
        },
      ),
      opts,
    );
    const validSt = fc.record(
      {
        state: fc.constantFrom(...SPEC_UNIT_STATES),
        at: fc.integer({ min: 0, max: 4_102_444_800_000 }),
        incidentId: fc.string({ minLength: 1, maxLength: 20 }),
      },
      { requiredKeys: ['state', 'at'] },
    );
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(validSt, mutated(validSt, { state: weird, at: timeArb, incidentId: weird })),
        unknownFields(KNOWN.status!),
        async (p, extra) => {
          const q = withUnknown(p, extra);
          if (tooBig(wire(q))) return;
          await checkStatus(q);
          same(await ask(unit, 'status', q), await ask(unit, 'status', p));
        },
      ),
      opts,
    );
    prototypeClean();
    await stillAlive();
  });
});

describe('raw frames', () => {
  const term1 = (): { deviceId: string; token: string } => terminalAuth(t.creds.terminals[1]!);
  const bases = (): string[] => [
    `40/terminal,${JSON.stringify(term1())}`,
    `42/terminal,1["alarm",{"alarmId":"raw-fuzz","kind":"panic","raisedAt":1700000000000}]`,
    '42/terminal,2["heartbeat",{"sentAt":1700000000000}]',
    '42/terminal,3["cancel",{"alarmId":"raw-fuzz","reason":"x"}]',
    '451-/terminal,4["alarm",{"_placeholder":true,"num":0}]',
    '43/terminal,1[{"ok":true}]',
    '2',
    '3probe',
    '40/unit,{"unitId":"unit-01","token":"x"}',
  ];
  const frameArb = (): fc.Arbitrary<string> =>
    fc.oneof(
      fc.string({ maxLength: 80 }),
      fc.string({ maxLength: 40, unit: 'binary' }),
      fc.tuple(fc.constantFrom(...bases()), fc.nat(), fc.nat({ max: 6 }), fc.string({ maxLength: 4 })).map(([b, at, del, ins]) => {
        const i = at % (b.length + 1);
        return b.slice(0, i) + ins + b.slice(i + del);
      }),
      fc.tuple(fc.constantFrom(...bases()), fc.nat()).map(([b, n]) => b.slice(0, n % (b.length + 1))),
    );

  it('Engine.IO / Socket.IO frames, mangled or random, never bring the core down (unauthenticated connection)', async () => {
    let raw: RawSocket | undefined;
    await fc.assert(
      fc.asyncProperty(frameArb(), async (frame) => {
        if (!raw || !raw.isOpen()) raw = await rawConnect(t.url);
        raw.send(frame);
        await sleep(2);
      }),
      { numRuns: RUNS },
    );
    raw?.close();
    await sleep(200);
    await stillAlive();
  });

  it('…nor on an authenticated /terminal connection; every ack frame carries an ack or a spec refusal', async () => {
    let raw: RawSocket | undefined;
    const acks: string[] = [];
    await fc.assert(
      fc.asyncProperty(frameArb(), async (frame) => {
        tick();
        if (!raw || !raw.isOpen()) {
          raw = await rawConnect(t.url);
          raw.send(`40/terminal,${JSON.stringify(term1())}`);
          await raw.next((f) => f.startsWith('40/terminal,{"sid"'));
        }
        const from = raw.frames.length;
        raw.send(frame);
        await sleep(5);
        acks.push(...raw.frames.slice(from).filter((f) => f.startsWith('43/terminal,')));
      }),
      { numRuns: Math.ceil(RUNS / 10) },
    );
    raw?.close();
    for (const f of acks) {
      const body = JSON.parse(f.slice(f.indexOf('['))) as unknown[];
      const a = body[0] as { ok?: unknown };
      expect(a.ok === true || isSpecRefusal(a), f).toBe(true);
    }
    await stillAlive();
  });
});

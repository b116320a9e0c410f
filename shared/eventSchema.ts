// shared/ — the one restore boundary for journal records: zod schemas that match every StationEvent
// exactly (checked at compile time below), and parseJournalRecord, which every journal line goes through
// when a journal is opened or a replica is restored. Nothing read back from disk reaches the reducer
// without passing here.
//
// Rules (issue 9): ids are non-empty, at most MAX_ID_LENGTH UTF-16 units, without control characters;
// times are finite numbers; an unknown EXTRA field in a known event is allowed and stripped (a journal
// written by a newer station still opens), a known field of the wrong type is refused.
//
// Speed: a journal of 1,000,000 records is parsed at start, so the common valid record goes through a
// fast structural check compiled once from the same zod schemas (so the two cannot drift); zod itself
// runs only to explain a refusal (and stays the authority: if the fast check refuses and zod accepts,
// zod's result is used). test/unit/shared/eventSchema.test.ts checks the two agree on random input.
import { z } from 'zod';
import { ALARM_KINDS, UNIT_STATES } from './protocol';
import { AREA_CLASSES } from './dataColumns';
import {
  ADMIN_ACTIONS,
  DEVICE_FAULT_KINDS,
  DISPOSITIONS,
  ROLES,
  SCHOOL_DRILL_KINDS,
  type JournalRecord,
  type StationEvent,
  type StationEventType,
} from './events';

export const MAX_ID_LENGTH = 200;

// C0 controls, DEL and C1 controls (Unicode category Cc). Built from a string so no literal control
// character sits in the source.
const CONTROL_CHAR = new RegExp('[\\u0000-\\u001f\\u007f-\\u009f]');

/** An id (incidentId, deviceId, schoolId, unitId, alarmId, username): a key in the station's state. */
const id = z
  .string()
  .min(1, { error: 'must not be empty' })
  .max(MAX_ID_LENGTH, { error: `is longer than ${MAX_ID_LENGTH} characters` })
  .refine((s) => !CONTROL_CHAR.test(s), { error: 'contains a control character' });
/** Station or device clock, epoch ms. zod 4's number() refuses NaN and ±Infinity (JSON's 1e999). */
const time = z.number();
/** Free text typed by a person (notes, reasons, names): any string, newlines included. */
const text = z.string();
/** A journal sequence number: 1, 2, 3 … */
const seq = z.number().int().positive();

const operator = z.object({ username: id, displayName: text, role: z.enum(ROLES) });

export const EVENT_SCHEMAS = {
  'alarm.received': z.object({
    type: z.literal('alarm.received'),
    at: time,
    incidentId: id,
    deviceId: id,
    schoolId: id,
    alarmId: id,
    kind: z.enum(ALARM_KINDS),
    drill: z.boolean(),
    note: text.optional(),
    location: z.object({ lat: z.number(), lng: z.number() }).optional(),
    raisedAt: time,
    drillWindowId: id.optional(),
    area: z.enum(AREA_CLASSES).optional(),
  }),
  'alarm.repeated': z.object({ type: z.literal('alarm.repeated'), at: time, incidentId: id, deviceId: id, alarmIds: z.array(id) }),
  'admin.action': z.object({ type: z.literal('admin.action'), at: time, operator, action: z.enum(ADMIN_ACTIONS), target: text, detail: text.optional() }),
  'sound.muted': z.object({ type: z.literal('sound.muted'), at: time, operator, reason: text, durationMs: z.number() }),
  'inspection.recorded': z.object({
    type: z.literal('inspection.recorded'),
    at: time,
    operator,
    inspectionId: id,
    schoolId: id,
    date: text,
    police: text,
    education: text,
    findings: z.array(z.object({ findingId: id, text, deadline: text })),
  }),
  'finding.closed': z.object({ type: z.literal('finding.closed'), at: time, operator, inspectionId: id, findingId: id, note: text }),
  'school_drill.recorded': z.object({
    type: z.literal('school_drill.recorded'),
    at: time,
    operator,
    drillId: id,
    schoolId: id,
    date: text,
    kind: z.enum(SCHOOL_DRILL_KINDS),
    note: text,
  }),
  'drill_window.registered': z.object({
    type: z.literal('drill_window.registered'),
    at: time,
    operator,
    windowId: id,
    schoolId: id,
    from: time,
    to: time,
    note: text,
  }),
  'drill_window.cancelled': z.object({ type: z.literal('drill_window.cancelled'), at: time, operator, windowId: id, reason: text }),
  'training.unit': z.object({
    type: z.literal('training.unit'),
    at: time,
    operator,
    jobId: id,
    unitId: id,
    schoolId: id,
    step: z.enum(['sent', 'accepted', 'declined', 'en_route', 'on_scene', 'released']),
    reason: text.optional(),
  }),
  'training.completed': z.object({
    type: z.literal('training.completed'),
    at: time,
    operator,
    trainingId: id,
    trainee: text,
    scenario: text,
    speed: z.number(),
    startedAt: time,
    notShown: z.number(),
    rows: z.array(
      z.object({
        schoolId: id,
        kind: z.enum(ALARM_KINDS),
        acknowledgeMs: z.number().optional(),
        dispatchMs: z.number().optional(),
        acknowledgeMet: z.boolean(),
        dispatchMet: z.boolean(),
        resolved: z.boolean(),
      }),
    ),
    faults: z
      .array(z.object({ schoolId: id, kind: z.enum(['offline', 'tamper']), acknowledgeMs: z.number().optional(), acknowledgeMet: z.boolean() }))
      .optional(),
  }),
  'post.checked': z.object({
    type: z.literal('post.checked'),
    at: time,
    postId: id,
    state: z.enum(['in', 'out']),
    operator: operator.optional(),
    unitId: id.optional(),
  }),
  'journal.unreadable': z.object({ type: z.literal('journal.unreadable'), at: time, line: z.number(), detail: text }),
  'record.withheld': z.object({ type: z.literal('record.withheld'), at: time }),
  'incident.shown': z.object({ type: z.literal('incident.shown'), at: time, incidentId: id, operator }),
  'incident.acknowledged': z.object({ type: z.literal('incident.acknowledged'), at: time, incidentId: id, operator }),
  'alarm.cancel_requested': z.object({ type: z.literal('alarm.cancel_requested'), at: time, incidentId: id, reason: text }),
  'device.offline': z.object({ type: z.literal('device.offline'), at: time, deviceId: id, lastSeenAt: time }),
  'device.online': z.object({ type: z.literal('device.online'), at: time, deviceId: id }),
  'device.tamper': z.object({ type: z.literal('device.tamper'), at: time, deviceId: id, tamper: z.boolean() }),
  'device.fault_acknowledged': z.object({
    type: z.literal('device.fault_acknowledged'),
    at: time,
    deviceId: id,
    fault: z.enum(DEVICE_FAULT_KINDS),
    operator,
  }),
  'device.test_overdue': z.object({ type: z.literal('device.test_overdue'), at: time, deviceId: id, lastTestPressAt: time.optional() }),
  'unit.status': z.object({ type: z.literal('unit.status'), at: time, unitId: id, state: z.enum(UNIT_STATES), reportedAt: time }),
  'incident.note': z.object({ type: z.literal('incident.note'), at: time, incidentId: id, operator, text }),
  'incident.called_back': z.object({ type: z.literal('incident.called_back'), at: time, incidentId: id, operator, outcome: text }),
  'incident.taken_over': z.object({ type: z.literal('incident.taken_over'), at: time, incidentId: id, operator, from: operator }),
  'incident.dispatched': z.object({
    type: z.literal('incident.dispatched'),
    at: time,
    incidentId: id,
    operator,
    unitId: id,
    mode: z.enum(['device', 'radio']),
  }),
  'dispatch.accepted': z.object({ type: z.literal('dispatch.accepted'), at: time, incidentId: id, unitId: id, operator: operator.optional() }),
  'dispatch.declined': z.object({ type: z.literal('dispatch.declined'), at: time, incidentId: id, unitId: id, reason: text }),
  'dispatch.cancelled': z.object({ type: z.literal('dispatch.cancelled'), at: time, incidentId: id, unitId: id, operator, reason: text }),
  'dispatch.progress': z.object({
    type: z.literal('dispatch.progress'),
    at: time,
    incidentId: id,
    unitId: id,
    state: z.enum(['en_route', 'on_scene']),
    operator: operator.optional(),
  }),
  'incident.resolved': z.object({
    type: z.literal('incident.resolved'),
    at: time,
    incidentId: id,
    operator,
    disposition: z.enum(DISPOSITIONS),
    note: text,
    override: z.object({ reason: text }).optional(),
  }),
  'test.acknowledged': z.object({ type: z.literal('test.acknowledged'), at: time, incidentId: id }),
  'incident.reopened': z.object({ type: z.literal('incident.reopened'), at: time, incidentId: id, operator, reason: text }),
  'incident.escalated': z.object({ type: z.literal('incident.escalated'), at: time, incidentId: id, reason: z.literal('ack_overdue') }),
} satisfies { [K in StationEventType]: z.ZodType<Extract<StationEvent, { type: K }>> };

const S = EVENT_SCHEMAS;
export const stationEventSchema = z.discriminatedUnion('type', [
  S['alarm.received'],
  S['alarm.repeated'],
  S['journal.unreadable'],
  S['record.withheld'],
  S['admin.action'],
  S['sound.muted'],
  S['inspection.recorded'],
  S['finding.closed'],
  S['school_drill.recorded'],
  S['post.checked'],
  S['drill_window.registered'],
  S['drill_window.cancelled'],
  S['training.completed'],
  S['training.unit'],
  S['incident.shown'],
  S['incident.acknowledged'],
  S['alarm.cancel_requested'],
  S['device.offline'],
  S['device.online'],
  S['device.tamper'],
  S['device.fault_acknowledged'],
  S['device.test_overdue'],
  S['unit.status'],
  S['incident.note'],
  S['incident.called_back'],
  S['incident.taken_over'],
  S['incident.dispatched'],
  S['dispatch.accepted'],
  S['dispatch.declined'],
  S['dispatch.cancelled'],
  S['dispatch.progress'],
  S['incident.resolved'],
  S['incident.reopened'],
  S['incident.escalated'],
  S['test.acknowledged'],
]);

export const journalRecordSchema = z.object({ seq, event: stationEventSchema, hash: z.string().optional() });

// --- compile-time proof that the schemas are the types, field for field -------------------------------
// Mutual assignability is not enough ({ a; b? } and { a } are assignable both ways), so this is exact
// type identity, per event type so that a mismatch names the event. Adding a field (even an optional one)
// to an interface in events.ts and not here, or here and not there, fails `tsc -p shared`.
export type Exactly<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type MismatchedEventTypes = {
  [K in StationEventType]: Exactly<z.output<(typeof EVENT_SCHEMAS)[K]>, Extract<StationEvent, { type: K }>> extends true ? never : K;
}[StationEventType];
const eventsMatch: [MismatchedEventTypes] extends [never] ? true : { schemaDiffersFromType: MismatchedEventTypes } = true;
const unionMatches: Exactly<z.output<typeof stationEventSchema>, StationEvent> = true;
const recordMatches: Exactly<z.output<typeof journalRecordSchema>, JournalRecord> = true;
void [eventsMatch, unionMatches, recordMatches];

// --- the fast path ------------------------------------------------------------------------------------
// A check returns the cleaned value (objects rebuilt with their known fields only) or FAIL. Objects keep
// the input's key order, so a record without unknown fields serialises to exactly the JSON it was read
// from (the hash chain is computed over that JSON).
const FAIL: unique symbol = Symbol('fail');
type Check = (v: unknown) => unknown;

interface FieldCheck {
  key: string;
  optional: boolean;
  check: Check;
}

const isId: Check = (v) => (typeof v === 'string' && v.length > 0 && v.length <= MAX_ID_LENGTH && !CONTROL_CHAR.test(v) ? v : FAIL);
const isSeq: Check = (v) => (typeof v === 'number' && Number.isSafeInteger(v) && v > 0 ? v : FAIL);

function compileObject(shape: Record<string, z.ZodType>): Check {
  const fields: FieldCheck[] = [];
  const byKey = new Map<string, FieldCheck>();
  for (const [key, s] of Object.entries(shape)) {
    const optional = s instanceof z.ZodOptional;
    const f = { key, optional, check: compile(optional ? (s.unwrap() as z.ZodType) : s) };
    fields.push(f);
    byKey.set(key, f);
  }
  return (v) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return FAIL;
    const o = v as Record<string, unknown>;
    // Check the known fields without allocating anything: the common record is valid and has nothing to strip.
    let present = 0;
    let nestedClean = true;
    for (let i = 0; i < fields.length; i++) {
      const f = fields[i]!;
      const value = o[f.key];
      if (value === undefined) {
        if (f.optional) continue;
        return FAIL;
      }
      const c = f.check(value);
      if (c === FAIL) return FAIL;
      if (c !== value) nestedClean = false;
      present++;
    }
    let keys = 0;
    for (const _ in o) keys++;
    if (nestedClean && keys === present) return o; // nothing to strip: the record is the input itself
    // Unknown extra fields (here or nested): a copy with the known ones only. Only schema keys are
    // copied, so an own "__proto__" key from JSON is dropped and never sets a prototype.
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(o)) {
      const f = byKey.get(key);
      const value = o[key];
      if (f === undefined || value === undefined) continue;
      const c = f.check(value);
      if (c === FAIL) return FAIL; // only a getter that answers differently the second time
      out[key] = c;
    }
    return out;
  };
}

/** Builds the fast check for a schema; refuses (at module load) any schema kind it does not know. */
function compile(s: z.ZodType): Check {
  if (s === id) return isId;
  if (s === seq) return isSeq;
  if (s instanceof z.ZodString && (s.def.checks?.length ?? 0) === 0) return (v) => (typeof v === 'string' ? v : FAIL);
  if (s instanceof z.ZodNumber && (s.def.checks?.length ?? 0) === 0) return (v) => (typeof v === 'number' && Number.isFinite(v) ? v : FAIL);
  if (s instanceof z.ZodBoolean) return (v) => (typeof v === 'boolean' ? v : FAIL);
  if (s instanceof z.ZodEnum || s instanceof z.ZodLiteral) {
    const allowed = new Set<unknown>(s instanceof z.ZodEnum ? s.options : s.values);
    return (v) => (allowed.has(v) ? v : FAIL);
  }
  if (s instanceof z.ZodObject) return compileObject(s.shape as Record<string, z.ZodType>);
  if (s instanceof z.ZodArray && (s.def.checks?.length ?? 0) === 0) {
    const item = compile(s.element as z.ZodType);
    return (v) => {
      if (!Array.isArray(v)) return FAIL;
      // Keys besides the indices (not from JSON, but possible in a hand-made value): zod returns a plain copy.
      let out: unknown[] | undefined = Object.keys(v).length === v.length ? undefined : Array.from(v);
      for (let i = 0; i < v.length; i++) {
        const c = item(v[i]);
        if (c === FAIL) return FAIL;
        if (c !== v[i]) (out ??= v.slice())[i] = c;
      }
      return out ?? v;
    };
  }
  if (s instanceof z.ZodDiscriminatedUnion) {
    const key = s.def.discriminator;
    const byTag = new Map<unknown, Check>();
    for (const option of s.options as z.ZodType[]) {
      if (!(option instanceof z.ZodObject)) throw new Error('eventSchema: union option is not an object');
      const tag = option.shape[key];
      if (!(tag instanceof z.ZodLiteral)) throw new Error(`eventSchema: union option without a literal "${key}"`);
      for (const t of tag.values) byTag.set(t, compileObject(option.shape as Record<string, z.ZodType>));
    }
    return (v) => {
      if (typeof v !== 'object' || v === null) return FAIL;
      const c = byTag.get((v as Record<string, unknown>)[key]);
      return c === undefined ? FAIL : c(v);
    };
  }
  throw new Error(`eventSchema: no fast check for a zod ${s.def.type} schema`);
}

const fastRecord = compile(journalRecordSchema);

// --- explaining a refusal -----------------------------------------------------------------------------
const EVENT_SCHEMA_BY_TYPE = new Map<string, z.ZodType>(Object.entries(EVENT_SCHEMAS));

/** A short, one-line, bounded description of a value read from disk (never the whole of it). */
function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return quote(v);
  if (typeof v === 'number') return String(v);
  return typeof v;
}
function quote(s: string): string {
  // JSON.stringify escapes control characters and newlines, so the message stays on one line.
  return s.length > 40 ? `${JSON.stringify(s.slice(0, 40)).slice(0, -1)}…" (${s.length} characters)` : JSON.stringify(s);
}

function issueMessage(issue: z.core.$ZodIssue): string {
  const where = issue.path.length > 0 ? `${issue.path.map(String).join('.')}: ` : '';
  const expected = (what: string): string =>
    issue.input === undefined ? `${where}missing (expected ${what})` : `${where}expected ${what}, got ${describe(issue.input)}`;
  switch (issue.code) {
    case 'invalid_type':
      return expected(issue.expected);
    case 'invalid_value': {
      // A long list (the admin actions) is cut, so the reason stays one readable line.
      const shown = issue.values.slice(0, 10).map((x) => JSON.stringify(x));
      return expected(issue.values.length > 10 ? `${shown.join(' | ')} … (${issue.values.length} in all)` : shown.join(' | '));
    }
    default:
      return `${where}${issue.message}`; // our own messages (ids) or zod's (integers)
  }
}

export type ParsedJournalRecord = { ok: true; record: JournalRecord } | { ok: false; reason: string; seq?: number };

function refuse(reason: string, s?: number): ParsedJournalRecord {
  return s === undefined ? { ok: false, reason } : { ok: false, reason, seq: s };
}

function explain(x: unknown): ParsedJournalRecord {
  if (typeof x !== 'object' || x === null || Array.isArray(x)) return refuse(`not a journal record: expected an object, got ${describe(x)}`);
  const r = x as Record<string, unknown>;
  const usableSeq = isSeq(r.seq) === FAIL ? undefined : (r.seq as number);
  if (usableSeq === undefined) {
    return refuse(r.seq === undefined ? 'seq: missing (expected a positive integer)' : `seq: expected a positive integer, got ${describe(r.seq)}`);
  }
  if (r.hash !== undefined && typeof r.hash !== 'string') return refuse(`hash: expected string, got ${describe(r.hash)}`, usableSeq);
  const ev = r.event;
  if (typeof ev !== 'object' || ev === null || Array.isArray(ev)) return refuse(`event: expected an object, got ${describe(ev)}`, usableSeq);
  const type = (ev as Record<string, unknown>).type;
  if (typeof type !== 'string') return refuse(`event.type: expected string, got ${describe(type)}`, usableSeq);
  const schema = EVENT_SCHEMA_BY_TYPE.get(type);
  if (schema === undefined) return refuse(`unknown event type ${quote(type)}`, usableSeq);
  const parsed = schema.safeParse(ev, { reportInput: true });
  if (!parsed.success) return refuse(`${type}: ${parsed.error.issues[0] ? issueMessage(parsed.error.issues[0]) : 'invalid'}`, usableSeq);
  // The fast check refused what zod accepts: zod is the authority (the tests keep this unreachable).
  const whole = journalRecordSchema.safeParse(x);
  return whole.success
    ? { ok: true, record: whole.data }
    : refuse(`record: ${whole.error.issues[0] ? issueMessage(whole.error.issues[0]) : 'invalid'}`, usableSeq);
}

/**
 * The restore boundary: one parsed JSON line of a journal (or a replica record) in, a JournalRecord with
 * known fields only out, or a one-line reason (with the seq when it was usable, so the journal can keep
 * its numbering and name the record). Never throws.
 *
 * When there was nothing to strip, the record IS the input object (no copy: this runs for every record of
 * a journal of a million), so hand in a fresh value such as JSON.parse gives and do not reuse it. When
 * unknown fields were stripped, the record is a copy and its JSON differs from the line: compute the hash
 * chain over the line's own parsed value, not over the stripped record.
 */
export function parseJournalRecord(x: unknown): ParsedJournalRecord {
  try {
    const fast = fastRecord(x);
    if (fast !== FAIL) return { ok: true, record: fast as JournalRecord };
    return explain(x);
  } catch (e) {
    // Only a hostile non-JSON value (a throwing getter, a revoked Proxy) can get here.
    return refuse(`unreadable record: ${e instanceof Error ? e.message.split('\n')[0] : 'unknown error'}`);
  }
}

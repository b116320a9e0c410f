// main/core (Node) — the compact form of the state snapshot's large sections (main/core/snapshot.ts): each record an
// array of its fields in a fixed order instead of an object with its keys repeated, and each repeated value (an
// officer, a school, a state, a note's text) written once in the file's table and then referred to by its index.
// A year's 171,000 incidents are a quarter of the bytes to parse, and the officers and strings they share are one
// object each in memory instead of one per use. Exact: a field the shape does not name (or a value its slot cannot
// hold) travels beside the record as it is, so a field added to the model later is never lost.
import type { Dispatch, Incident, TimelineEntry } from '../../shared/incidentModel';
import type { AlarmStatus } from '../../shared/protocol';

/** How a field is written: 'v' as it is, 'r' as an index into the table, a Shape as a list of such records. */
type How = 'v' | 'r' | Shape;
export interface Shape {
  readonly keys: readonly string[];
  readonly hows: readonly How[];
  readonly known: ReadonlySet<string>;
}

/** Every field of T named once (the compiler says when the model gains one), in the order they are written. */
function shape<T>(fields: { readonly [K in keyof Required<T>]: How }): Shape {
  const keys = Object.keys(fields);
  return { keys, hows: keys.map((k) => (fields as Record<string, How>)[k]!), known: new Set(keys) };
}

const TIMELINE = shape<TimelineEntry>({ at: 'v', type: 'r', by: 'r', unitId: 'r', detail: 'r' });
const NOTE = shape<Incident['notes'][number]>({ at: 'v', operator: 'r', text: 'r', kind: 'r' });
const DISPATCH = shape<Dispatch>({
  unitId: 'r',
  mode: 'r',
  dispatchedAt: 'v',
  dispatchedBy: 'r',
  acceptedAt: 'v',
  enRouteAt: 'v',
  onSceneAt: 'v',
  releasedAt: 'v',
  declinedAt: 'v',
  declineReason: 'r',
  cancelledAt: 'v',
  cancelReason: 'r',
});
// The fields most incidents have first: the absent ones at the end of a record are not written.
const INCIDENT = shape<Incident>({
  id: 'v',
  alarmId: 'v',
  deviceId: 'r',
  schoolId: 'r',
  kind: 'r',
  drill: 'v',
  raisedAt: 'v',
  receivedAt: 'v',
  state: 'r',
  seq: 'v',
  shownAt: 'v',
  acknowledgedAt: 'v',
  acknowledgedBy: 'r',
  handler: 'r',
  resolvedAt: 'v',
  resolvedBy: 'r',
  disposition: 'r',
  resolutionNote: 'r',
  notes: NOTE,
  dispatches: DISPATCH,
  timeline: TIMELINE,
  note: 'r',
  escalatedAt: 'v',
  cancelRequest: 'v',
  reopenedAt: 'v',
  overrideReason: 'r',
  location: 'v',
  repeats: 'v',
  lastRepeatAt: 'v',
  drillWindowId: 'r',
  area: 'r',
});
const STATUS = shape<AlarmStatus>({ incidentId: 'v', alarmId: 'v', state: 'r', at: 'v' });

/** Each field's place in a record of the shape. */
const slots = <T>(s: Shape): { readonly [K in keyof Required<T>]: number } =>
  Object.fromEntries(s.keys.map((k, i) => [k, i])) as { readonly [K in keyof Required<T>]: number };
const I = slots<Incident>(INCIDENT);
const T = slots<TimelineEntry>(TIMELINE);
const N = slots<Incident['notes'][number]>(NOTE);
const D = slots<Dispatch>(DISPATCH);
const S = slots<AlarmStatus>(STATUS);

/**
 * A section written in compact form: its records' shape (for writing), how one is read back, and the key of each
 * entry when it is one of its fields (then the keys are not written).
 */
export interface SectionCodec {
  readonly shape: Shape;
  readonly decode: (a: unknown, table: readonly unknown[]) => object;
  readonly keyOf?: (v: Record<string, unknown>) => unknown;
}
export const INCIDENT_CODEC: SectionCodec = { shape: INCIDENT, decode: (a, t) => incidentOf(a, t), keyOf: (v) => v.id };
export const STATUS_CODEC: SectionCodec = { shape: STATUS, decode: (a, t) => statusOf(a, t), keyOf: (v) => v.incidentId };

/** The writer's side of the table: each distinct value gets an index once; `fresh` holds those not yet written. */
export class TableWriter {
  private readonly strings = new Map<string, number>();
  private readonly others = new Map<string, number>();
  private size = 0;
  fresh: unknown[] = [];

  readonly ref = (v: unknown): number => {
    const map = typeof v === 'string' ? this.strings : this.others;
    const key = typeof v === 'string' ? v : JSON.stringify(v);
    let i = map.get(key);
    if (i === undefined) {
      map.set(key, (i = this.size++));
      this.fresh.push(v);
    }
    return i;
  };

  /** The values added since the last call (written in the line before the first record that refers to them). */
  take(): unknown[] {
    const t = this.fresh;
    this.fresh = [];
    return t;
  }
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** One record as an array of its fields (absent: null; trailing absent ones left out), plus what the shape does not name. */
export function encode(s: Shape, o: Record<string, unknown>, ref: (v: unknown) => number): unknown[] {
  const out: unknown[] = [];
  let extra: [string, unknown][] | undefined;
  let last = 0;
  for (let i = 0; i < s.keys.length; i++) {
    const k = s.keys[i]!;
    const how = s.hows[i]!;
    const v = o[k];
    let x: unknown = null;
    if (v === undefined) {
      // absent (JSON leaves an undefined field out too)
    } else if (v === null || (typeof how === 'object' && !(Array.isArray(v) && v.every(isRecord)))) {
      (extra ??= []).push([k, v]);
    } else x = how === 'v' ? v : how === 'r' ? ref(v) : (v as Record<string, unknown>[]).map((e) => encode(how, e, ref));
    out.push(x);
    if (x !== null) last = i + 1;
  }
  for (const k of Object.keys(o)) if (!s.known.has(k) && o[k] !== undefined) (extra ??= []).push([k, o[k]]);
  if (extra) {
    out.push(Object.fromEntries(extra));
    return out;
  }
  out.length = last;
  return out;
}

// Reading. Written out field by field (object literals and named properties, not a loop over the shape's keys):
// the objects get V8's fast layout, as JSON.parse gives them, and a year of them is allocated where it will stay
// instead of being copied by every young-generation collection. test/unit/main/snapshotCodec.test.ts checks that every
// field of each shape comes back.

/** A record of `s`: an array no longer than its fields and the rest. */
function fields(s: Shape, a: unknown): unknown[] {
  if (!Array.isArray(a) || a.length > s.keys.length + 1) throw new Error('a record is not of its section');
  return a;
}
/**
 * A field every record has: in its slot, or (a value its slot cannot hold) in the rest, which sets it once the
 * record is made (undefined until then).
 */
function need<V>(s: Shape, a: unknown[], i: number, t?: readonly unknown[]): V {
  const v = a[i];
  if (v !== null && v !== undefined) return t ? ref(t, v) : (v as V);
  const extra = a[s.keys.length];
  if (isRecord(extra) && Object.hasOwn(extra, s.keys[i]!)) return undefined as V;
  throw new Error('a record lacks a field');
}
/** An optional field is there (absent: null in its slot, or past the end of the record). */
const has = (v: unknown): boolean => v !== null && v !== undefined;
/** The table's value at index `i`. */
function ref<V>(t: readonly unknown[], i: unknown): V {
  if (typeof i !== 'number' || !(i >= 0 && i < t.length)) throw new Error('a reference outside the table');
  return t[i] as V;
}
function list<V>(s: Shape, r: unknown[], i: number, t: readonly unknown[], of: (e: unknown, t: readonly unknown[]) => V): V[] {
  const a = need<unknown>(s, r, i);
  if (a === undefined) return undefined as unknown as V[];
  if (!Array.isArray(a)) throw new Error('a list is not a list');
  const out: V[] = [];
  for (let i = 0; i < a.length; i++) out.push(of(a[i], t));
  return out;
}
/** The fields the shape does not name, as own data properties (a key such as __proto__ stays a key, as JSON.parse makes it). */
function rest(s: Shape, a: unknown[], o: object): void {
  if (a.length <= s.keys.length) return;
  const extra: unknown = a[s.keys.length];
  if (!isRecord(extra)) throw new Error('the rest of a record is not an object');
  for (const k of Object.keys(extra)) Object.defineProperty(o, k, { value: extra[k], enumerable: true, writable: true, configurable: true });
}

function entryOf(x: unknown, t: readonly unknown[]): TimelineEntry {
  const a = fields(TIMELINE, x);
  const e: TimelineEntry = { at: need(TIMELINE, a, T.at), type: need(TIMELINE, a, T.type, t) };
  if (has(a[T.by])) e.by = ref(t, a[T.by]);
  if (has(a[T.unitId])) e.unitId = ref(t, a[T.unitId]);
  if (has(a[T.detail])) e.detail = ref(t, a[T.detail]);
  rest(TIMELINE, a, e);
  return e;
}

function noteOf(x: unknown, t: readonly unknown[]): Incident['notes'][number] {
  const a = fields(NOTE, x);
  const n: Incident['notes'][number] = {
    at: need(NOTE, a, N.at),
    operator: need(NOTE, a, N.operator, t),
    text: need(NOTE, a, N.text, t),
    kind: need(NOTE, a, N.kind, t),
  };
  rest(NOTE, a, n);
  return n;
}

function dispatchOf(x: unknown, t: readonly unknown[]): Dispatch {
  const a = fields(DISPATCH, x);
  const d: Dispatch = {
    unitId: need(DISPATCH, a, D.unitId, t),
    mode: need(DISPATCH, a, D.mode, t),
    dispatchedAt: need(DISPATCH, a, D.dispatchedAt),
    dispatchedBy: need(DISPATCH, a, D.dispatchedBy, t),
  };
  if (has(a[D.acceptedAt])) d.acceptedAt = a[D.acceptedAt] as number;
  if (has(a[D.enRouteAt])) d.enRouteAt = a[D.enRouteAt] as number;
  if (has(a[D.onSceneAt])) d.onSceneAt = a[D.onSceneAt] as number;
  if (has(a[D.releasedAt])) d.releasedAt = a[D.releasedAt] as number;
  if (has(a[D.declinedAt])) d.declinedAt = a[D.declinedAt] as number;
  if (has(a[D.declineReason])) d.declineReason = ref(t, a[D.declineReason]);
  if (has(a[D.cancelledAt])) d.cancelledAt = a[D.cancelledAt] as number;
  if (has(a[D.cancelReason])) d.cancelReason = ref(t, a[D.cancelReason]);
  rest(DISPATCH, a, d);
  return d;
}

function incidentOf(x: unknown, t: readonly unknown[]): Incident {
  const a = fields(INCIDENT, x);
  const inc: Incident = {
    id: need(INCIDENT, a, I.id),
    alarmId: need(INCIDENT, a, I.alarmId),
    deviceId: need(INCIDENT, a, I.deviceId, t),
    schoolId: need(INCIDENT, a, I.schoolId, t),
    kind: need(INCIDENT, a, I.kind, t),
    drill: need(INCIDENT, a, I.drill),
    raisedAt: need(INCIDENT, a, I.raisedAt),
    receivedAt: need(INCIDENT, a, I.receivedAt),
    state: need(INCIDENT, a, I.state, t),
    notes: list(INCIDENT, a, I.notes, t, noteOf),
    dispatches: list(INCIDENT, a, I.dispatches, t, dispatchOf),
    timeline: list(INCIDENT, a, I.timeline, t, entryOf),
    seq: need(INCIDENT, a, I.seq),
  };
  if (has(a[I.shownAt])) inc.shownAt = a[I.shownAt] as number;
  if (has(a[I.acknowledgedAt])) inc.acknowledgedAt = a[I.acknowledgedAt] as number;
  if (has(a[I.acknowledgedBy])) inc.acknowledgedBy = ref(t, a[I.acknowledgedBy]);
  if (has(a[I.handler])) inc.handler = ref(t, a[I.handler]);
  if (has(a[I.resolvedAt])) inc.resolvedAt = a[I.resolvedAt] as number;
  if (has(a[I.resolvedBy])) inc.resolvedBy = ref(t, a[I.resolvedBy]);
  if (has(a[I.disposition])) inc.disposition = ref(t, a[I.disposition]);
  if (has(a[I.resolutionNote])) inc.resolutionNote = ref(t, a[I.resolutionNote]);
  if (has(a[I.note])) inc.note = ref(t, a[I.note]);
  if (has(a[I.escalatedAt])) inc.escalatedAt = a[I.escalatedAt] as number;
  if (has(a[I.cancelRequest])) inc.cancelRequest = a[I.cancelRequest] as NonNullable<Incident['cancelRequest']>;
  if (has(a[I.reopenedAt])) inc.reopenedAt = a[I.reopenedAt] as number;
  if (has(a[I.overrideReason])) inc.overrideReason = ref(t, a[I.overrideReason]);
  if (has(a[I.location])) inc.location = a[I.location] as NonNullable<Incident['location']>;
  if (has(a[I.repeats])) inc.repeats = a[I.repeats] as number;
  if (has(a[I.lastRepeatAt])) inc.lastRepeatAt = a[I.lastRepeatAt] as number;
  if (has(a[I.drillWindowId])) inc.drillWindowId = ref(t, a[I.drillWindowId]);
  if (has(a[I.area])) inc.area = ref(t, a[I.area]);
  rest(INCIDENT, a, inc);
  return inc;
}

function statusOf(x: unknown, t: readonly unknown[]): AlarmStatus {
  const a = fields(STATUS, x);
  const s: AlarmStatus = {
    incidentId: need(STATUS, a, S.incidentId),
    alarmId: need(STATUS, a, S.alarmId),
    state: need(STATUS, a, S.state, t),
    at: need(STATUS, a, S.at),
  };
  rest(STATUS, a, s);
  return s;
}

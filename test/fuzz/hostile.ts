// test/fuzz — hostile values: ids that are keys of Object.prototype, NUL bytes, 100k-character strings, numbers,
// objects, arrays and null where a string id belongs; and references to real records, resolved at run time, so a
// hostile value in one field reaches the code behind a valid one in another.
import fc from 'fast-check';

/** Names that "exist" on every plain object. */
export const PROTO_IDS = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', 'isPrototypeOf', '__defineGetter__', 'prototype'] as const;

export const HOSTILE_STRINGS: readonly string[] = [
  ...PROTO_IDS,
  '',
  ' ',
  '\0',
  'a\0b',
  '%00',
  '../../etc/passwd',
  '<img src=x onerror=alert(1)>',
  '=cmd|x',
  '\u202e',
  '\ud800',
  '20260101-0001',
  'x'.repeat(100_000),
];

/** An own "__proto__" key, as JSON.parse makes it (a literal would set the prototype instead). */
const protoKeyObject = (): unknown => JSON.parse('{"__proto__":{"polluted":true},"incidentId":"__proto__"}');

export const HOSTILE_NON_STRINGS: readonly unknown[] = [
  null,
  0,
  -1,
  1.5,
  1e308,
  Number.MAX_SAFE_INTEGER + 2,
  true,
  false,
  {},
  [],
  ['__proto__'],
  { toString: 'x' },
  { length: 1e9 },
  protoKeyObject(),
];

/** A reference to a real record of the station under test, replaced by its id just before sending. */
export interface Ref {
  ref: 'incident' | 'unit' | 'device' | 'school';
  n: number;
}
export const isRef = (x: unknown): x is Ref => typeof x === 'object' && x !== null && 'ref' in x && 'n' in x && Object.keys(x).length === 2;

export const hostileId: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...PROTO_IDS) },
  { weight: 3, arbitrary: fc.constantFrom(...HOSTILE_STRINGS) },
  { weight: 2, arbitrary: fc.constantFrom(...HOSTILE_NON_STRINGS) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 12 }) },
);

export const ref = (kinds: readonly Ref['ref'][]): fc.Arbitrary<Ref> => fc.record({ ref: fc.constantFrom(...kinds), n: fc.nat(15) });

/** A good value now and then, a reference to a real record, or (most often) a hostile value. */
export function pick(good: readonly unknown[], refs: readonly Ref['ref'][] = []): fc.Arbitrary<unknown> {
  return fc.oneof(
    ...(good.length > 0 ? [{ weight: 2, arbitrary: fc.constantFrom(...good) }] : []),
    ...(refs.length > 0 ? [{ weight: 3, arbitrary: ref(refs) as fc.Arbitrary<unknown> }] : []),
    { weight: 3, arbitrary: hostileId },
  );
}

/** Replaces every Ref in a value by the id it names (deeply; own "__proto__" keys kept as own keys). */
export function resolveRefs(x: unknown, lookup: (r: Ref) => string): unknown {
  if (isRef(x)) return lookup(x);
  if (Array.isArray(x)) return x.map((v) => resolveRefs(v, lookup));
  if (typeof x === 'object' && x !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(x))
      Object.defineProperty(out, k, { value: resolveRefs(v, lookup), enumerable: true, writable: true, configurable: true });
    return out;
  }
  return x;
}

/** A short, JSON-safe description of a value for reports (100k strings are shortened). */
export function brief(x: unknown): string {
  return JSON.stringify(x, (_k, v: unknown) => (typeof v === 'string' && v.length > 80 ? `${v.slice(0, 20)}…(${v.length} chars)` : v)) ?? String(x);
}

// main/ (core, Node) — the restore boundary for the files the core reads from its data folder (registry, sessions,
// the journal's watermark): JSON text through one zod schema, into a typed value or an error that names the file
// and the field. A field this version does not know is kept (a newer version wrote it) and reported as a warning.
import { z } from 'zod';

/** A file the core cannot use as it is; nothing has been written over it. */
export class FileFormatError extends Error {
  constructor(
    readonly file: string,
    /** The field, as a path like `schools[2].lat`; '' for the whole file. */
    readonly field: string,
    readonly reason: string,
  ) {
    super(`${file}${field ? `, field ${field}` : ''}: ${reason}`);
  }
}

/** `schools[2].lat` from zod's path. */
export const fieldPath = (p: readonly PropertyKey[]): string =>
  p.map((k, i) => (typeof k === 'number' ? `[${k}]` : `${i === 0 ? '' : '.'}${String(k)}`)).join('');

const describe = (v: unknown): string => {
  const s = v === undefined ? 'nothing' : (JSON.stringify(v) ?? String(v));
  return s.length > 60 ? `${s.slice(0, 57)}…` : s;
};

/** The value at `path` inside `root`, for messages (what the file actually holds there). */
function at(root: unknown, path: readonly PropertyKey[]): unknown {
  let v = root;
  for (const k of path) {
    if (typeof v !== 'object' || v === null) return undefined;
    v = (v as Record<PropertyKey, unknown>)[k];
  }
  return v;
}

/**
 * The fields of `value` that `schema` does not name, as paths. Walks objects, arrays, optionals and defaults of the
 * schema; anything else (records, unions, …) is taken as known.
 */
export function unknownFields(schema: z.ZodType, value: unknown, path = ''): string[] {
  const def = (schema as unknown as { def: { type: string; innerType?: z.ZodType; element?: z.ZodType; shape?: Record<string, z.ZodType> } }).def;
  switch (def.type) {
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
      return value === undefined || value === null ? [] : unknownFields(def.innerType!, value, path);
    case 'array':
      return Array.isArray(value) ? value.flatMap((x, i) => unknownFields(def.element!, x, `${path}[${i}]`)) : [];
    case 'object': {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return [];
      const shape = def.shape ?? {};
      return Object.entries(value).flatMap(([k, v]) => {
        const p = path ? `${path}.${k}` : k;
        return Object.hasOwn(shape, k) ? unknownFields(shape[k]!, v, p) : [p];
      });
    }
    default:
      return [];
  }
}

/**
 * Reads `text` (the contents of `file`) through `schema`. Malformed JSON or a field that does not fit throws a
 * FileFormatError naming the file and the first bad field; fields the schema does not know are kept (use loose
 * objects, so a file written back keeps them) and listed once through `warn`.
 */
export function parseJsonFile<T>(file: string, text: string, schema: z.ZodType<T>, warn: (message: string) => void = console.warn): T {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new FileFormatError(file, '', `not valid JSON (${(e as Error).message})`);
  }
  const r = schema.safeParse(raw);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    const got = issue.code === 'custom' ? '' : `, got ${describe(at(raw, issue.path))}`;
    throw new FileFormatError(file, fieldPath(issue.path), `${issue.message}${got}`);
  }
  const unknown = unknownFields(schema, raw);
  if (unknown.length > 0) {
    const shown = unknown.slice(0, 5).join(', ') + (unknown.length > 5 ? ` and ${unknown.length - 5} more` : '');
    warn(`${file}: ignoring field${unknown.length === 1 ? '' : 's'} this version does not know: ${shown}`);
  }
  return r.data;
}

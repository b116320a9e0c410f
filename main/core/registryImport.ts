// main/ (core, Node) — the registry side of a data import (docs/data-exchange.md): the checks that need the rest of
// the registry (shared/dataImport.ts has checked every value inside the file), the ids that need a new token, and
// the upsert of checked rows into the registry's data. Registry.importData runs them in one atomic update.
import type { PatrolUnit } from '../../shared/model';
import { ID_COLUMN, mergeRow, type DataKind, type ImportRow, type KindRows, type RowError } from '../../shared/dataExchange';
import { RegistryError, type RegistryData } from './registryFile';
import type { SecretHash } from './secrets';

/** An import refused row by row; nothing was changed. */
export class ImportError extends RegistryError {
  constructor(readonly errors: RowError[]) {
    super(`${errors.length} error${errors.length === 1 ? '' : 's'} in the import; nothing was changed`);
  }
}

export interface ImportOutcome {
  added: number;
  updated: number;
  /** Tokens of the devices that got one (new terminals, units given a device): shown once, only hashes kept. */
  credentials: Record<string, string>;
}

/** New device tokens one import may hash (~2 ms each on the thread pool: a few seconds at most). */
export const MAX_NEW_DEVICES_PER_IMPORT = 2000;

type ImportList = { [K in DataKind]: KindRows[K][] };
const listOf = <K extends DataKind>(d: RegistryData, kind: K): (KindRows[K] & { secret?: SecretHash })[] =>
  (d as unknown as ImportList)[kind] as (KindRows[K] & { secret?: SecretHash })[];
const idOf = (kind: DataKind, x: object): string => (x as Record<string, string>)[ID_COLUMN[kind]]!;

/** What an import needs to know of the station beyond the registry. */
export interface ImportContext {
  /** The incident a unit is dispatched to, if it is: its station does not change until it is released. */
  dispatchOf?: (unitId: string) => string | undefined;
}

/** The checks that need the rest of the registry (and the station's state), as row errors. */
export function importCheck<K extends DataKind>(
  kind: K,
  rows: readonly ImportRow<K>[],
  d: RegistryData,
  lineOf: (i: number) => number,
  ctx: ImportContext = {},
): RowError[] {
  const errors: RowError[] = [];
  const schools = new Set(d.schools.map((s) => s.id));
  const terminals = new Set(d.terminals.map((t) => t.deviceId));
  const units = new Map(d.units.map((u) => [u.id, u]));
  const posts = new Set(d.guardPosts.map((g) => g.id));
  const stations = new Set((d.stations ?? []).map((s) => s.id));
  rows.forEach((row, i) => {
    const r = row as Record<string, unknown>;
    const id = idOf(kind, row);
    if (typeof r.stationId === 'string' && !stations.has(r.stationId))
      errors.push({ line: lineOf(i), field: 'stationId', reason: `no station "${r.stationId}" in the registry: add the station first` });
    if ((kind === 'terminals' || kind === 'guardPosts') && typeof r.schoolId === 'string' && !schools.has(r.schoolId)) {
      errors.push({ line: lineOf(i), field: 'schoolId', reason: `no school "${r.schoolId}" in the registry: import the schools first` });
    }
    if (kind === 'units' && typeof r.postId === 'string' && r.postId !== '' && !posts.has(r.postId))
      errors.push({ line: lineOf(i), field: 'postId', reason: `no guard post "${r.postId}" in the registry: import the guard posts first` });
    if (kind === 'terminals' && units.has(id))
      errors.push({ line: lineOf(i), field: 'deviceId', reason: `"${id}" is already the id of a patrol unit; device ids are shared by terminals and units` });
    // The same rule as the admin's unit form (StationAdmin.updateUnit): the incident's station would lose its unit.
    const cur = kind === 'units' ? units.get(id) : undefined;
    const incidentId = cur && ctx.dispatchOf?.(id);
    if (cur && incidentId !== undefined && (mergeRow('units', cur, row as unknown as ImportRow<'units'>) as PatrolUnit).stationId !== cur.stationId)
      errors.push({
        line: lineOf(i),
        field: 'stationId',
        reason: `unit ${id} is on a dispatch (incident ${incidentId}): change its station once it is released`,
      });
    if (kind === 'units' && terminals.has(id))
      errors.push({ line: lineOf(i), field: 'id', reason: `"${id}" is already the id of a terminal; device ids are shared by terminals and units` });
  });
  return errors;
}

/** Ids that will need a fresh token: new terminals; units that will have a device and have no secret yet. */
export function tokenNeeds<K extends DataKind>(kind: K, rows: readonly ImportRow<K>[], d: RegistryData): string[] {
  if (kind !== 'terminals' && kind !== 'units') return [];
  const existing = new Map(listOf(d, kind).map((x) => [idOf(kind, x), x]));
  return rows
    .filter((row) => {
      const cur = existing.get(idOf(kind, row));
      if (kind === 'terminals') return !cur;
      const hasDevice = (row as Partial<PatrolUnit>).hasDevice ?? (cur as PatrolUnit | undefined)?.hasDevice ?? true;
      return hasDevice && !cur?.secret;
    })
    .map((row) => idOf(kind, row));
}

export function applyImport<K extends DataKind>(
  kind: K,
  rows: readonly ImportRow<K>[],
  d: RegistryData,
  minted: Map<string, { token: string; secret: SecretHash }>,
): ImportOutcome {
  const list = listOf(d, kind);
  const index = new Map(list.map((x, i) => [idOf(kind, x), i]));
  const out: ImportOutcome = { added: 0, updated: 0, credentials: {} };
  for (const row of rows) {
    const id = idOf(kind, row);
    const at = index.get(id);
    const cur = at === undefined ? undefined : list[at]!;
    const next = mergeRow(kind, cur, row) as KindRows[K] & { secret?: SecretHash };
    if (kind === 'terminals' || kind === 'units') {
      const wantsSecret = kind === 'terminals' || (next as unknown as PatrolUnit).hasDevice;
      if (wantsSecret && cur?.secret) next.secret = cur.secret;
      else if (wantsSecret) {
        const m = minted.get(id);
        // The registry changed while the tokens were hashed (a device appeared or lost its secret): start over.
        if (!m) throw new RegistryError('the registry changed during the import; nothing was changed: import the file again');
        next.secret = m.secret;
        // An own property even for an id like __proto__ (plain assignment would set the object's prototype).
        Object.defineProperty(out.credentials, id, { value: m.token, enumerable: true, writable: true, configurable: true });
      }
    }
    if (at === undefined) {
      index.set(id, list.length);
      list.push(next);
      out.added++;
    } else {
      list[at] = next;
      out.updated++;
    }
  }
  return out;
}

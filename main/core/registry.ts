// main/ (core, Node) — the registry: schools, terminals (each bound to one school), units and operators,
// with credentials kept only as salted hashes; the in-memory data, its queries, device and operator
// authentication, and administration. The file (schema, atomic write) is main/core/registryFile.ts; the registry side
// of a data import is main/core/registryImport.ts.
import { callEach } from './listeners';
import { ROLES, type OperatorRef, type Role } from '../../shared/events';
import type { GuardPost, PatrolUnit, ReferenceData, School, Terminal } from '../../shared/model';
import { DEFAULT_TARGETS, type TargetProfile } from '../../shared/response';
import type { DataKind, ImportRow, KindRows, RowError } from '../../shared/dataExchange';
import {
  readRegistryFile,
  RegistryError,
  writeRegistryFile,
  type OperatorRecord,
  type RegistryData,
  type TerminalRecord,
  type UnitRecord,
} from './registryFile';
import { applyImport, importCheck, ImportError, MAX_NEW_DEVICES_PER_IMPORT, tokenNeeds, type ImportOutcome } from './registryImport';
import { hashSecret, newToken, tokenDigest, verifySecret, type SecretHash } from './secrets';

// The registry's records and errors are imported from here by the rest of the core and the tools.
export { emptyRegistryData, RegistryError, type OperatorRecord, type RegistryData, type TerminalRecord, type UnitRecord } from './registryFile';
export { ImportError, MAX_NEW_DEVICES_PER_IMPORT, type ImportOutcome } from './registryImport';

export class Registry {
  private schoolsById = new Map<string, School>();
  private terminalsById = new Map<string, TerminalRecord>();
  private operatorsByName = new Map<string, OperatorRecord>();
  /**
   * Devices whose token was verified against their current secret: id → `${secret.hash} ${sha256(token)}`.
   * A reconnect then costs a hash, not an scrypt; a rotated secret no longer matches the entry.
   */
  private readonly verified = new Map<string, string>();
  private readonly listeners = new Set<(revoked: string[]) => void>();

  /** An unknown or disabled id costs the same check as a wrong token, so timing does not tell which ids exist. */
  private async pretend(token: string): Promise<undefined> {
    await verifySecret(token, DUMMY_SECRET);
    return undefined;
  }

  private async checkDeviceToken(id: string, token: string, secret: SecretHash): Promise<boolean> {
    const key = `${secret.hash} ${tokenDigest(token)}`;
    if (this.verified.get(id) === key) return true;
    if (!(await verifySecret(token, secret))) return false;
    this.verified.set(id, key);
    return true;
  }

  constructor(
    private data: RegistryData,
    /** Where to persist; undefined keeps it in memory only (demo mode). */
    private readonly file?: string,
  ) {
    this.index();
  }

  static load(file: string): Registry {
    return new Registry(readRegistryFile(file), file);
  }

  get path(): string | undefined {
    return this.file;
  }

  /**
   * Re-reads the file (another process, e.g. `npm run station -- device rotate`, changed it) and returns the
   * devices and units whose credentials changed or that were disabled or removed: their sockets must go.
   */
  reload(): string[] {
    if (!this.file) return [];
    const next = readRegistryFile(this.file);
    const before = this.data;
    this.data = next;
    try {
      this.index();
    } catch (e) {
      this.data = before;
      this.index();
      throw e;
    }
    const revoked = revokedBetween(before, next);
    this.changed(revoked);
    return revoked;
  }

  /** Listeners hear every change (from update() or reload()) with the devices and units it revoked. */
  onChange(fn: (revoked: string[]) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private changed(revoked: string[]): void {
    callEach(this.listeners, [revoked], 'registry');
  }

  private index(): void {
    this.schoolsById = new Map(this.data.schools.map((s) => [s.id, s]));
    this.terminalsById = new Map(this.data.terminals.map((t) => [t.deviceId, t]));
    this.operatorsByName = new Map(this.data.operators.map((o) => [o.username, o]));
    for (const t of this.data.terminals) {
      if (!this.schoolsById.has(t.schoolId)) throw new Error(`registry: terminal ${t.deviceId} is bound to unknown school ${t.schoolId}`);
    }
  }

  /** Writes to a temporary file, fsyncs, then renames: a crash leaves the old or the new file, never half. */
  save(): void {
    if (this.file) writeRegistryFile(this.file, this.data);
  }

  update(mutate: (d: RegistryData) => void): void {
    const next = structuredClone(this.data);
    mutate(next);
    const before = this.data;
    this.data = next;
    try {
      this.index();
      this.save();
    } catch (e) {
      this.data = before;
      this.index();
      throw e;
    }
    this.changed(revokedBetween(before, next));
  }

  get snapshot(): Readonly<RegistryData> {
    return this.data;
  }

  // --- administration (CLI and admin screen). Each returns the new secret once; only its hash is kept. ---

  async addTerminal(t: Terminal): Promise<string> {
    if (!/^[A-Za-z0-9_.:-]{1,128}$/.test(t.deviceId)) throw new RegistryError(`device id "${t.deviceId}" must be 1–128 of A-Z a-z 0-9 _ . : -`);
    if (this.terminalsById.has(t.deviceId) || this.data.units.some((u) => u.id === t.deviceId)) throw new RegistryError(`device ${t.deviceId} already exists`);
    if (!this.schoolsById.has(t.schoolId)) throw new RegistryError(`no school ${t.schoolId}; add the school first`);
    const token = newToken();
    const secret = await hashSecret(token, 'token');
    // Checked again inside the update: two concurrent calls both got past the first check while hashing.
    this.update((d) => {
      if (d.terminals.some((x) => x.deviceId === t.deviceId) || d.units.some((u) => u.id === t.deviceId))
        throw new RegistryError(`device ${t.deviceId} already exists`);
      d.terminals.push({ ...t, secret, disabled: false });
    });
    return token;
  }

  async rotateDevice(id: string): Promise<string> {
    const token = newToken();
    const secret = await hashSecret(token, 'token');
    this.update((d) => {
      const x = d.terminals.find((t) => t.deviceId === id) ?? d.units.find((u) => u.id === id);
      if (!x) throw new RegistryError(`no device or unit ${id}`);
      x.secret = secret;
    });
    return token;
  }

  /**
   * Disables or enables a device (terminal or unit) or an operator. Callers that know what they mean pass
   * `kind`, so `operator disable wang` can never switch off a terminal that happens to be called wang.
   */
  setDisabled(id: string, disabled: boolean, kind?: 'device' | 'operator'): void {
    this.update((d) => {
      const device = kind === 'operator' ? undefined : (d.terminals.find((t) => t.deviceId === id) ?? d.units.find((u) => u.id === id));
      const x = device ?? (kind === 'device' ? undefined : d.operators.find((o) => o.username === id));
      if (!x)
        throw new RegistryError(
          kind === 'operator' ? `no operator ${id}` : kind === 'device' ? `no device or unit ${id}` : `no device, unit or operator ${id}`,
        );
      x.disabled = disabled;
    });
  }

  addSchool(s: School): void {
    if (!/^[A-Za-z0-9_.:-]{1,64}$/.test(s.id)) throw new RegistryError(`school id "${s.id}" must be 1–64 of A-Z a-z 0-9 _ . : -`);
    if (this.schoolsById.has(s.id)) throw new RegistryError(`school ${s.id} already exists`);
    if (!Number.isFinite(s.lat) || !Number.isFinite(s.lng) || Math.abs(s.lat) > 90 || Math.abs(s.lng) > 180) throw new RegistryError('lat/lng out of range');
    this.update((d) => d.schools.push(s));
  }

  async addUnit(u: PatrolUnit): Promise<string | undefined> {
    if (!/^[A-Za-z0-9_.:-]{1,128}$/.test(u.id)) throw new RegistryError(`unit id "${u.id}" must be 1–128 of A-Z a-z 0-9 _ . : -`);
    if (this.data.units.some((x) => x.id === u.id) || this.terminalsById.has(u.id)) throw new RegistryError(`unit ${u.id} already exists`);
    const token = u.hasDevice ? newToken() : undefined;
    const secret = token ? await hashSecret(token, 'token') : undefined;
    this.update((d) => {
      if (d.units.some((x) => x.id === u.id) || d.terminals.some((t) => t.deviceId === u.id)) throw new RegistryError(`unit ${u.id} already exists`);
      d.units.push({ ...u, disabled: false, ...(secret ? { secret } : {}) });
    });
    return token;
  }

  async addOperator(o: OperatorRef): Promise<string> {
    if (!/^[A-Za-z0-9_.-]{1,64}$/.test(o.username)) throw new RegistryError(`username "${o.username}" must be 1–64 of A-Z a-z 0-9 _ . -`);
    if (this.operatorsByName.has(o.username)) throw new RegistryError(`operator ${o.username} already exists`);
    if (!isRole(o.role)) throw new RegistryError(`role must be ${ROLES.slice(0, -1).join(', ')} or ${ROLES.at(-1)}`);
    const password = newToken();
    const secret = await hashSecret(password);
    this.update((d) => {
      if (d.operators.some((x) => x.username === o.username)) throw new RegistryError(`operator ${o.username} already exists`);
      d.operators.push({ ...o, secret, disabled: false });
    });
    return password;
  }

  async resetPassword(username: string): Promise<string> {
    const password = newToken();
    const secret = await hashSecret(password);
    this.update((d) => {
      const o = d.operators.find((x) => x.username === username);
      if (!o) throw new RegistryError(`no operator ${username}`);
      o.secret = secret;
    });
    return password;
  }

  async authenticateUnit(unitId: string, token: string): Promise<UnitRecord | undefined> {
    const u = this.data.units.find((x) => x.id === unitId);
    if (!u || u.disabled || !u.secret) return this.pretend(token);
    if (!(await this.checkDeviceToken(u.id, token, u.secret))) return undefined;
    const cur = this.data.units.find((x) => x.id === unitId);
    return cur && !cur.disabled && cur.secret?.hash === u.secret.hash ? cur : undefined;
  }

  targets(): TargetProfile {
    return this.data.targets ?? DEFAULT_TARGETS;
  }

  setTargets(t: TargetProfile): void {
    this.update((d) => {
      d.targets = t;
    });
  }

  unit(id: string): UnitRecord | undefined {
    return this.data.units.find((u) => u.id === id);
  }

  school(id: string): School | undefined {
    return this.schoolsById.get(id);
  }
  guardPost(id: string): GuardPost | undefined {
    return this.data.guardPosts.find((g) => g.id === id);
  }
  terminal(deviceId: string): TerminalRecord | undefined {
    return this.terminalsById.get(deviceId);
  }
  operatorCount(): number {
    return this.data.operators.length;
  }

  /** The terminal if the credentials are right and it is enabled; undefined otherwise (no reason given out). */
  async authenticateTerminal(deviceId: string, token: string): Promise<TerminalRecord | undefined> {
    const t = this.terminalsById.get(deviceId);
    if (!t || t.disabled) return this.pretend(token);
    if (!(await this.checkDeviceToken(t.deviceId, token, t.secret))) return undefined;
    // The registry may have changed while scrypt ran (rotated, disabled): answer for the current record.
    const cur = this.terminalsById.get(deviceId);
    return cur && !cur.disabled && cur.secret.hash === t.secret.hash ? cur : undefined;
  }

  /**
   * The operator if the password is right and the operator enabled. An unknown or disabled name costs the same
   * check (against a dummy password hash), so timing does not tell which usernames exist. `check` is the
   * password check: the login passes main/core/passwords.ts's worker, which keeps it off the terminals' thread pool.
   */
  async authenticateOperator(
    username: string,
    password: string,
    check: (password: string, stored: SecretHash) => Promise<boolean> = verifySecret,
  ): Promise<OperatorRef | undefined> {
    const o = this.operatorsByName.get(username);
    if (!o || o.disabled) {
      await check(password, DUMMY_PASSWORD_SECRET);
      return undefined;
    }
    if (!(await check(password, o.secret))) return undefined;
    // The registry may have changed while the hash ran (password reset, disabled): answer for the current record.
    const cur = this.operatorsByName.get(username);
    if (!cur || cur.disabled || cur.secret.hash !== o.secret.hash) return undefined;
    return { username: cur.username, displayName: cur.displayName, role: cur.role };
  }

  /**
   * A short stamp of the operator's current password hash, undefined when the operator is unknown or disabled.
   * Sessions keep the stamp they were issued under: a password reset or a disable ends every one of them.
   */
  operatorStamp(username: string): string | undefined {
    const o = this.operatorsByName.get(username);
    return o && !o.disabled ? tokenDigest(`${o.secret.salt}:${o.secret.hash}`).slice(0, 16) : undefined;
  }

  operator(username: string): OperatorRef | undefined {
    const o = this.operatorsByName.get(username);
    return o && !o.disabled ? { username: o.username, displayName: o.displayName, role: o.role } : undefined;
  }

  // --- data exchange (docs/data-exchange.md): upsert-only import of checked rows, export without secrets ---

  /**
   * Applies an import of one kind, all or nothing, in one update() (one atomic file write). Rows come from
   * parseImport (which checked every value and the ids within the file); this adds the checks against the
   * rest of the registry, as row errors (ImportError): a terminal or guard post bound to an unknown school, a
   * device id that a unit (or a unit id that a terminal) already has. Rows with an existing id update it,
   * others are added; nothing is removed. New terminals, and units that get a device, get a fresh token
   * (returned once, id → token); existing devices keep theirs. A unit switched to hasDevice=false loses its
   * secret. Disabling here cuts devices off like setDisabled (update() reports the revocations).
   */
  async importData<K extends DataKind>(kind: K, rows: readonly ImportRow<K>[], lines?: readonly number[]): Promise<ImportOutcome> {
    const lineOf = (i: number): number => lines?.[i] ?? i + 1;
    const before = importCheck(kind, rows, this.data, lineOf);
    if (before.length > 0) throw new ImportError(before);
    const needs = tokenNeeds(kind, rows, this.data);
    if (needs.length > MAX_NEW_DEVICES_PER_IMPORT) {
      throw new ImportError([
        {
          line: 0,
          field: '',
          reason: `the file adds ${needs.length} devices that need a new token; at most ${MAX_NEW_DEVICES_PER_IMPORT} per import (each token is hashed with scrypt): split the file`,
        },
      ]);
    }
    const minted = new Map<string, { token: string; secret: SecretHash }>();
    await Promise.all(
      needs.map(async (id) => {
        const token = newToken();
        minted.set(id, { token, secret: await hashSecret(token, 'token') });
      }),
    );
    let outcome: ImportOutcome = { added: 0, updated: 0, credentials: {} };
    this.update((d) => {
      // Checked again on the data being changed: the registry may have changed while the tokens were hashed.
      const errors = importCheck(kind, rows, d, lineOf);
      if (errors.length > 0) throw new ImportError(errors);
      outcome = applyImport(kind, rows, d, minted);
    });
    return outcome;
  }

  /** The row errors importData would give for these rows (references to the rest of the registry), changing nothing. */
  checkImport<K extends DataKind>(kind: K, rows: readonly ImportRow<K>[], lines?: readonly number[]): RowError[] {
    return importCheck(kind, rows, this.data, (i) => lines?.[i] ?? i + 1);
  }

  /** Every row of one kind, as exported: the columns of shared/dataExchange.ts, never a secret. */
  exportData<K extends DataKind>(kind: K): KindRows[K][] {
    const d = this.data;
    const rows: Record<DataKind, () => unknown[]> = {
      schools: () => d.schools.map((s) => ({ ...s })),
      terminals: () => d.terminals.map(({ deviceId, schoolId, label, disabled }) => ({ deviceId, schoolId, label, disabled })),
      guardPosts: () => d.guardPosts.map((g) => ({ ...g, days: [...g.days], windows: g.windows.map((w) => ({ ...w })) })),
      policeRooms: () => d.policeRooms.map((r) => ({ ...r })),
      units: () => d.units.map(({ id, name, callsign, lat, lng, hasDevice, disabled }) => ({ id, name, callsign, lat, lng, hasDevice, disabled })),
    };
    return rows[kind]() as KindRows[K][];
  }

  /** What consoles may see: no secrets. */
  reference(): ReferenceData {
    const d = this.data;
    return {
      stationName: d.stationName,
      schools: d.schools,
      terminals: d.terminals.map(({ deviceId, schoolId, label }) => ({ deviceId, schoolId, label })),
      guardPosts: d.guardPosts,
      policeRooms: d.policeRooms,
      units: d.units.map(({ id, name, callsign, lat, lng, hasDevice, disabled }) => ({
        id,
        name,
        callsign,
        lat,
        lng,
        hasDevice,
        ...(disabled ? { disabled: true } : {}),
      })),
      targets: this.targets(),
    };
  }
}

/** Devices and units usable before and not after: removed, disabled, or given a new secret. */
function revokedBetween(before: RegistryData, after: RegistryData): string[] {
  const key = (x: { secret?: SecretHash; disabled: boolean }): string => (x.disabled ? 'disabled' : `${x.secret?.salt}:${x.secret?.hash}`);
  const revoked: string[] = [];
  const newTerms = new Map(after.terminals.map((t) => [t.deviceId, t]));
  for (const t of before.terminals) {
    const n = newTerms.get(t.deviceId);
    if (!n || (!t.disabled && (n.disabled || key(n) !== key(t)))) revoked.push(t.deviceId);
  }
  const newUnits = new Map(after.units.map((u) => [u.id, u]));
  for (const u of before.units) {
    const n = newUnits.get(u.id);
    if (!n || (!u.disabled && (n.disabled || key(n) !== key(u)))) revoked.push(u.id);
  }
  return revoked;
}

const DUMMY_SECRET: SecretHash = { salt: 'AAAAAAAAAAAAAAAAAAAAAA==', hash: 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=', n: 2048 };
/** Same shape and cost as an operator's password hash (N=2^14); no password matches it. */
const DUMMY_PASSWORD_SECRET: SecretHash = { salt: 'AAAAAAAAAAAAAAAAAAAAAA==', hash: 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=', n: 16384 };

export function isRole(x: string): x is Role {
  return (ROLES as readonly string[]).includes(x);
}

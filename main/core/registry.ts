// main/ (core, Node) — the registry: schools, terminals (each bound to one school), units and operators,
// with credentials kept only as salted hashes; the in-memory data, its queries, device and operator
// authentication, and administration. The file (schema, atomic write) is main/core/registryFile.ts; the registry side
// of a data import is main/core/registryImport.ts.
import { callEach } from './listeners';
import { ROLES, type OperatorRef, type Role } from '../../shared/events';
import type { GuardPost, PatrolUnit, ReferenceData, School, Terminal } from '../../shared/model';
import { DEFAULT_TARGETS, type TargetProfile } from '../../shared/response';
import { referenceOfStation, scopeFor, stationOf, type Station, type StationScope } from '../../shared/stations';
import type { DataKind, ImportRow, KindRows, RowError } from '../../shared/dataExchange';
import type { RecordKind, SaveRecordRequest } from '../../shared/adminWire';
import {
  checkRegistryData,
  readRegistryFile,
  RegistryError,
  writeRegistryFile,
  type OperatorRecord,
  type RegistryData,
  type TerminalRecord,
  type UnitRecord,
} from './registryFile';
import { applyImport, importCheck, ImportError, MAX_NEW_DEVICES_PER_IMPORT, tokenNeeds, type ImportContext, type ImportOutcome } from './registryImport';
import { hashSecret, newToken, tokenDigest, verifySecret, type SecretHash } from './secrets';

// The registry's records and errors are imported from here by the rest of the core and the tools.
export { emptyRegistryData, RegistryError, type OperatorRecord, type RegistryData, type TerminalRecord, type UnitRecord } from './registryFile';
export { ImportError, MAX_NEW_DEVICES_PER_IMPORT, type ImportOutcome } from './registryImport';

/** A unit's fields that may leave the registry (an allow-list: never its token's hash), for exports and consoles. */
function unitFields({ id, name, callsign, lat, lng, hasDevice, postId, stationId }: UnitRecord): Omit<PatrolUnit, 'disabled'> {
  return { id, name, callsign, lat, lng, hasDevice, ...(postId ? { postId } : {}), ...(stationId !== undefined ? { stationId } : {}) };
}

export class Registry {
  private schoolsById = new Map<string, School>();
  /** Deleted schools (RegistryData.retiredSchools), for their past incidents' station and area only. */
  private retiredById = new Map<string, School>();
  private terminalsById = new Map<string, TerminalRecord>();
  private operatorsByName = new Map<string, OperatorRecord>();
  private stationsById = new Map<string, Station>();
  private postsById = new Map<string, GuardPost>();
  private unitsById = new Map<string, UnitRecord>();
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
    this.retiredById = new Map((this.data.retiredSchools ?? []).map((s) => [s.id, s]));
    this.terminalsById = new Map(this.data.terminals.map((t) => [t.deviceId, t]));
    this.operatorsByName = new Map(this.data.operators.map((o) => [o.username, o]));
    this.stationsById = new Map((this.data.stations ?? []).map((st) => [st.id, st]));
    this.postsById = new Map(this.data.guardPosts.map((g) => [g.id, g]));
    this.unitsById = new Map(this.data.units.map((u) => [u.id, u]));
    for (const t of this.data.terminals) {
      if (!this.schoolsById.has(t.schoolId)) throw new Error(`registry: terminal ${t.deviceId} is bound to unknown school ${t.schoolId}`);
    }
    // A station id must name one of the registry's stations: a typo would hide a school from every console.
    const records: [string, { stationId?: string | undefined }[], (x: never) => string][] = [
      ['school', this.data.schools, (x: School) => x.id],
      ['guard post', this.data.guardPosts, (x: GuardPost) => x.id],
      ['police room', this.data.policeRooms, (x: { id: string }) => x.id],
      ['unit', this.data.units, (x: UnitRecord) => x.id],
      ['operator', this.data.operators, (x: OperatorRecord) => x.username],
    ];
    for (const [what, list, idOf] of records) {
      for (const x of list) {
        if (x.stationId !== undefined && !this.stationsById.has(x.stationId))
          throw new Error(`registry: ${what} ${idOf(x as never)} belongs to unknown station ${JSON.stringify(x.stationId)}`);
      }
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
      // Only what the next start can load is saved (registryFile.ts).
      checkRegistryData(next);
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
    if (this.terminalsById.has(t.deviceId) || this.data.units.some((u) => u.id === t.deviceId))
      throw new RegistryError(`device ${t.deviceId} already exists`, 'already_exists');
    if (!this.schoolsById.has(t.schoolId)) throw new RegistryError(`no school ${t.schoolId}; add the school first`, 'unknown_school');
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
    // An unknown id is refused before the hash (as resetPassword); checked again below.
    if (!this.terminalsById.has(id) && !this.unitsById.has(id)) throw new RegistryError(`no device or unit ${id}`, 'unknown_record');
    const token = newToken();
    const secret = await hashSecret(token, 'token');
    this.update((d) => {
      const x = d.terminals.find((t) => t.deviceId === id) ?? d.units.find((u) => u.id === id);
      if (!x) throw new RegistryError(`no device or unit ${id}`, 'unknown_record');
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
          kind === 'operator' ? 'unknown_operator' : 'unknown_record',
        );
      x.disabled = disabled;
    });
  }

  addSchool(s: School): void {
    if (!/^[A-Za-z0-9_.:-]{1,64}$/.test(s.id)) throw new RegistryError(`school id "${s.id}" must be 1–64 of A-Z a-z 0-9 _ . : -`);
    this.checkStation(s.stationId);
    if (this.schoolsById.has(s.id)) throw new RegistryError(`school ${s.id} already exists`);
    if (!Number.isFinite(s.lat) || !Number.isFinite(s.lng) || Math.abs(s.lat) > 90 || Math.abs(s.lng) > 180) throw new RegistryError('lat/lng out of range');
    this.update((d) => d.schools.push(s));
  }

  async addUnit(u: PatrolUnit): Promise<string | undefined> {
    if (!/^[A-Za-z0-9_.:-]{1,128}$/.test(u.id)) throw new RegistryError(`unit id "${u.id}" must be 1–128 of A-Z a-z 0-9 _ . : -`, 'bad_id');
    if (this.data.units.some((x) => x.id === u.id) || this.terminalsById.has(u.id)) throw new RegistryError(`unit ${u.id} already exists`, 'already_exists');
    if (u.postId && !this.data.guardPosts.some((g) => g.id === u.postId)) throw new RegistryError(`no guard post ${u.postId}`, 'unknown_post');
    const stationId = this.checkStation(u.stationId);
    const token = u.hasDevice ? newToken() : undefined;
    const secret = token ? await hashSecret(token, 'token') : undefined;
    this.update((d) => {
      if (d.units.some((x) => x.id === u.id) || d.terminals.some((t) => t.deviceId === u.id))
        throw new RegistryError(`unit ${u.id} already exists`, 'already_exists');
      const { stationId: _given, ...rest } = u;
      d.units.push({ ...rest, ...(stationId ? { stationId } : {}), disabled: false, ...(secret ? { secret } : {}) });
    });
    return token;
  }

  /**
   * A unit's name, call sign, home, guard post and station changed; its id, device, token and disabled state stay.
   * Absent postId or stationId keep the unit's; '' clears them (a patrol unit; the default station).
   */
  updateUnit(u: Pick<PatrolUnit, 'id' | 'name' | 'callsign' | 'lat' | 'lng' | 'postId' | 'stationId'>): void {
    if (u.postId && !this.data.guardPosts.some((g) => g.id === u.postId)) throw new RegistryError(`no guard post ${u.postId}`, 'unknown_post');
    const stationId = u.stationId === undefined ? undefined : (this.checkStation(u.stationId) ?? '');
    this.update((d) => {
      const at = d.units.findIndex((x) => x.id === u.id);
      if (at < 0) throw new RegistryError(`no unit ${u.id}`, 'unknown_record');
      const next: UnitRecord = { ...d.units[at]!, name: u.name, callsign: u.callsign, lat: u.lat, lng: u.lng };
      if (u.postId !== undefined) next.postId = u.postId;
      if (next.postId === '') delete next.postId;
      if (stationId !== undefined) next.stationId = stationId;
      if (next.stationId === '') delete next.stationId;
      d.units[at] = next;
    });
  }

  /**
   * A new operator with a generated password, returned once. `mustChangePassword` (the admin screen's accounts)
   * makes the first login set a new password before any session is issued.
   */
  /** A station id given on the admin screen: '' or absent is the default station; any other must be listed. */
  private checkStation(stationId: string | undefined): string | undefined {
    if (stationId === undefined || stationId === '') return undefined;
    if (!this.stationsById.has(stationId)) throw new RegistryError(`no station ${stationId}`, 'unknown_station');
    return stationId;
  }

  async addOperator(o: OperatorRef & { stationId?: string | undefined }, opts: { mustChangePassword?: boolean } = {}): Promise<string> {
    const stationId = this.checkStation(o.stationId);
    if (!/^[A-Za-z0-9_.-]{1,64}$/.test(o.username)) throw new RegistryError(`username "${o.username}" must be 1–64 of A-Z a-z 0-9 _ . -`, 'bad_id');
    if (this.operatorsByName.has(o.username)) throw new RegistryError(`operator ${o.username} already exists`, 'already_exists');
    if (!isRole(o.role)) throw new RegistryError(`role must be ${ROLES.slice(0, -1).join(', ')} or ${ROLES.at(-1)}`);
    const password = newToken();
    const secret = await hashSecret(password);
    this.update((d) => {
      if (d.operators.some((x) => x.username === o.username)) throw new RegistryError(`operator ${o.username} already exists`, 'already_exists');
      const { username, displayName, role } = o;
      d.operators.push({
        username,
        displayName,
        role,
        secret,
        disabled: false,
        ...(opts.mustChangePassword ? { mustChangePassword: true } : {}),
        ...(stationId !== undefined ? { stationId } : {}),
      });
    });
    return password;
  }

  /** A generated password, returned once; the old one stops working (and its sessions end: the stamp changes). */
  async resetPassword(username: string, opts: { mustChangePassword?: boolean } = {}): Promise<string> {
    // An unknown name is refused before the hash: each costs ~0.1 s of the thread pool the terminals' token checks
    // use, and a script of unknown names queued them (the fuzz suite: a reset unanswered in 5 s). Checked again below.
    if (!this.data.operators.some((x) => x.username === username)) throw new RegistryError(`no operator ${username}`, 'unknown_operator');
    const password = newToken();
    const secret = await hashSecret(password);
    this.update((d) => {
      const o = d.operators.find((x) => x.username === username);
      if (!o) throw new RegistryError(`no operator ${username}`, 'unknown_operator');
      o.secret = secret;
      if (opts.mustChangePassword) o.mustChangePassword = true;
      else delete o.mustChangePassword;
    });
    return password;
  }

  /**
   * The operator's own new password (the forced change at login): stored only if the password it was checked
   * against is still the current one, and the mark is cleared.
   */
  setOwnPassword(username: string, checkedAgainst: SecretHash, secret: SecretHash): void {
    this.update((d) => {
      const o = d.operators.find((x) => x.username === username);
      if (!o || o.disabled) throw new RegistryError(`no operator ${username}`, 'unknown_operator');
      if (o.secret.hash !== checkedAgainst.hash) throw new RegistryError(`the password of ${username} changed meanwhile`, 'unknown_operator');
      o.secret = secret;
      delete o.mustChangePassword;
    });
  }

  /** Whether the operator's next login must set a new password first. */
  mustChangePassword(username: string): boolean {
    return this.operatorsByName.get(username)?.mustChangePassword === true;
  }

  /** The stored password hash of an enabled operator (the forced change checks its new password was not raced). */
  operatorSecret(username: string): SecretHash | undefined {
    const o = this.operatorsByName.get(username);
    return o && !o.disabled ? o.secret : undefined;
  }

  /** Every operator account, without secrets (the admin screen). */
  operators(): { username: string; displayName: string; role: Role; disabled: boolean; mustChangePassword: boolean; stationId?: string }[] {
    return this.data.operators.map((o) => ({
      username: o.username,
      displayName: o.displayName,
      role: o.role,
      disabled: o.disabled,
      mustChangePassword: o.mustChangePassword === true,
      ...(o.stationId !== undefined ? { stationId: o.stationId } : {}),
    }));
  }

  /**
   * An account's name and role, changed by `by`. Nobody changes their own role, and the last enabled admin keeps
   * theirs (the station would have nobody to administer it). A role change ends the account's sessions.
   */
  updateOperator(username: string, displayName: string, role: Role, by: string, station?: { stationId: string | undefined }): { roleChanged: boolean } {
    let roleChanged = false;
    // `station` absent: the account keeps its station (a caller that does not know of stations).
    const stationId = station ? this.checkStation(station.stationId) : undefined;
    this.update((d) => {
      const o = d.operators.find((x) => x.username === username);
      if (!o) throw new RegistryError(`no operator ${username}`, 'unknown_operator');
      roleChanged = o.role !== role;
      if (roleChanged && username === by) throw new RegistryError('an admin may not change their own role', 'own_account');
      if (roleChanged && o.role === 'admin' && !o.disabled && enabledAdmins(d) <= 1)
        throw new RegistryError(`${username} is the last enabled admin`, 'last_admin');
      o.displayName = displayName;
      if (station) {
        if (stationId === undefined) delete o.stationId;
        else o.stationId = stationId;
      }
      if (roleChanged) {
        o.role = role;
        o.sessionEpoch = (o.sessionEpoch ?? 0) + 1;
      }
    });
    return { roleChanged };
  }

  /** Disables (its sessions end, its login is refused) or enables an account; never one's own, never the last admin. */
  setOperatorDisabled(username: string, disabled: boolean, by: string): void {
    this.update((d) => {
      const o = d.operators.find((x) => x.username === username);
      if (!o) throw new RegistryError(`no operator ${username}`, 'unknown_operator');
      if (disabled && username === by) throw new RegistryError('an admin may not disable their own account', 'own_account');
      if (disabled && o.role === 'admin' && !o.disabled && enabledAdmins(d) <= 1)
        throw new RegistryError(`${username} is the last enabled admin`, 'last_admin');
      o.disabled = disabled;
    });
  }

  // --- the reference records one at a time (admin screen): schools, guard posts, police rooms ---

  /**
   * Adds a record (its id must be new among its kind) or edits one (its id must exist; nothing else may change its
   * id). A guard post needs its school; a school keeps its id so its terminals and posts stay bound.
   */
  saveRecord(req: SaveRecordRequest): void {
    // '' is the default station (the key dropped); absent keeps what the record had.
    const stationId = req.row.stationId === undefined ? undefined : (this.checkStation(req.row.stationId) ?? '');
    this.update((d) => {
      const list: { id: string }[] = req.kind === 'schools' ? d.schools : req.kind === 'guardPosts' ? d.guardPosts : d.policeRooms;
      const at = list.findIndex((x) => x.id === req.row.id);
      if (req.mode === 'add' && at >= 0) throw new RegistryError(`${req.kind} ${req.row.id} already exists`, 'already_exists');
      if (req.mode === 'edit' && at < 0) throw new RegistryError(`no ${req.kind} ${req.row.id}`, 'unknown_record');
      if (req.kind === 'guardPosts' && !d.schools.some((x) => x.id === req.row.schoolId))
        throw new RegistryError(`no school ${req.row.schoolId}`, 'unknown_school');
      const row = {
        ...req.row,
        ...(req.kind === 'guardPosts' ? { days: [...new Set(req.row.days)].sort(), windows: req.row.windows.map((w) => ({ ...w })) } : {}),
      };
      const next: { id: string; stationId?: string } = at >= 0 ? { ...list[at], ...row } : { ...row };
      if (stationId === '' || next.stationId === '') delete next.stationId;
      if (at >= 0) list[at] = next;
      else list.push(next);
    });
  }

  /**
   * Deletes a school, guard post or police room. Refused while anything still uses it, so the record stays right:
   * a school with terminals (enabled or not), guard posts, or an incident still open (`openAt`); a guard post a
   * unit's device stands at.
   */
  deleteRecord(kind: RecordKind, id: string, openAt: (schoolId: string) => number): void {
    this.update((d) => {
      if (kind === 'schools') {
        if (!d.schools.some((x) => x.id === id)) throw new RegistryError(`no school ${id}`, 'unknown_record');
        const terms = d.terminals.filter((t) => t.schoolId === id).length;
        const posts = d.guardPosts.filter((g) => g.schoolId === id).length;
        const open = openAt(id);
        if (terms + posts + open > 0)
          throw new RegistryError(`school ${id} still has ${terms} terminal(s), ${posts} guard post(s) and ${open} open incident(s)`, 'in_use');
        // Kept aside as it was: its past incidents keep their station and area (RegistryData.retiredSchools).
        const school = d.schools.find((x) => x.id === id)!;
        d.retiredSchools = [...(d.retiredSchools ?? []).filter((x) => x.id !== id), school];
        d.schools = d.schools.filter((x) => x.id !== id);
      } else if (kind === 'guardPosts') {
        if (!d.guardPosts.some((x) => x.id === id)) throw new RegistryError(`no guard post ${id}`, 'unknown_record');
        const devices = d.units.filter((u) => u.postId === id).map((u) => u.id);
        if (devices.length > 0) throw new RegistryError(`guard post ${id} is the post of unit(s) ${devices.join(', ')}`, 'in_use');
        d.guardPosts = d.guardPosts.filter((x) => x.id !== id);
      } else {
        if (!d.policeRooms.some((x) => x.id === id)) throw new RegistryError(`no police room ${id}`, 'unknown_record');
        d.policeRooms = d.policeRooms.filter((x) => x.id !== id);
      }
    });
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
    return this.unitsById.get(id);
  }

  school(id: string): School | undefined {
    return this.schoolsById.get(id);
  }
  guardPost(id: string): GuardPost | undefined {
    return this.postsById.get(id);
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
    // The epoch joins the stamp only once raised, so sessions issued before it existed stay live.
    return o && !o.disabled ? tokenDigest(`${o.secret.salt}:${o.secret.hash}${o.sessionEpoch ? `:${o.sessionEpoch}` : ''}`).slice(0, 16) : undefined;
  }

  // --- stations (shared/stations.ts): every record's station, and what an operator sees ---

  /** A new station of the county (the CLI's `station add`); its records and accounts are given it afterwards. */
  addStation(st: Station): void {
    if (!/^[A-Za-z0-9_.:-]{1,64}$/.test(st.id)) throw new RegistryError(`station id "${st.id}" must be 1–64 of A-Z a-z 0-9 _ . : -`, 'bad_id');
    if (this.stationsById.has(st.id)) throw new RegistryError(`station ${st.id} already exists`, 'already_exists');
    if (st.name.trim() === '') throw new RegistryError('a station needs a name');
    this.update((d) => {
      d.stations = [...(d.stations ?? []), { id: st.id, name: st.name.trim(), nameEn: st.nameEn.trim() }];
    });
  }

  /** The county's stations; empty for a single station. */
  stations(): Station[] {
    return this.data.stations ?? [];
  }
  /** The station a school belongs to (a deleted school: the one it had); undefined for a school never registered. */
  schoolStation(schoolId: string): string | undefined {
    const s = this.schoolEver(schoolId);
    return s ? stationOf(s) : undefined;
  }
  /** A school as registered now, or as it was when it was deleted: for what its past incidents were (area, name). */
  schoolEver(schoolId: string): School | undefined {
    return this.schoolsById.get(schoolId) ?? this.retiredById.get(schoolId);
  }
  /** A terminal's station: its school's. */
  deviceStation(deviceId: string): string | undefined {
    const t = this.terminalsById.get(deviceId);
    return t ? this.schoolStation(t.schoolId) : undefined;
  }
  unitStation(unitId: string): string | undefined {
    const u = this.unitsById.get(unitId);
    return u ? stationOf(u) : undefined;
  }
  /** A guard post's station: its own, else its school's. */
  postStation(postId: string): string | undefined {
    const g = this.postsById.get(postId);
    return g ? (g.stationId ?? this.schoolStation(g.schoolId)) : undefined;
  }
  /**
   * What an operator sees, from the registry's account (never from anything the console says): the county role every
   * station, anyone else their own. An unknown or disabled account sees the default station only.
   */
  scopeOf(op: OperatorRef): StationScope {
    const o = this.operatorsByName.get(op.username);
    return scopeFor(o?.role ?? op.role, o?.stationId);
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
  async importData<K extends DataKind>(kind: K, rows: readonly ImportRow<K>[], lines?: readonly number[], ctx: ImportContext = {}): Promise<ImportOutcome> {
    const lineOf = (i: number): number => lines?.[i] ?? i + 1;
    const before = importCheck(kind, rows, this.data, lineOf, ctx);
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
      const errors = importCheck(kind, rows, d, lineOf, ctx);
      if (errors.length > 0) throw new ImportError(errors);
      outcome = applyImport(kind, rows, d, minted);
    });
    return outcome;
  }

  /** The row errors importData would give for these rows (references to the rest of the registry), changing nothing. */
  checkImport<K extends DataKind>(kind: K, rows: readonly ImportRow<K>[], lines?: readonly number[], ctx: ImportContext = {}): RowError[] {
    return importCheck(kind, rows, this.data, (i) => lines?.[i] ?? i + 1, ctx);
  }

  /** Every row of one kind, as exported: the columns of shared/dataExchange.ts, never a secret. */
  exportData<K extends DataKind>(kind: K): KindRows[K][] {
    const d = this.data;
    const rows: Record<DataKind, () => unknown[]> = {
      schools: () => d.schools.map((s) => ({ ...s })),
      terminals: () => d.terminals.map(({ deviceId, schoolId, label, disabled }) => ({ deviceId, schoolId, label, disabled })),
      guardPosts: () => d.guardPosts.map((g) => ({ ...g, days: [...g.days], windows: g.windows.map((w) => ({ ...w })) })),
      policeRooms: () => d.policeRooms.map((r) => ({ ...r })),
      units: () => d.units.map((u) => ({ ...unitFields(u), disabled: u.disabled })),
    };
    return rows[kind]() as KindRows[K][];
  }

  /**
   * What consoles may see: no secrets, and only the stations in `scope` (default: every station, for the admin screen
   * and the tools). A station's console gets its own station's schools, terminals, posts, rooms and units.
   */
  reference(scope: StationScope = { all: true }): ReferenceData {
    const d = this.data;
    const stations = d.stations ?? [];
    const all: ReferenceData = {
      stationName: d.stationName,
      ...(stations.length > 0 ? { stations } : {}),
      schools: d.schools,
      terminals: d.terminals.map(({ deviceId, schoolId, label }) => ({ deviceId, schoolId, label })),
      guardPosts: d.guardPosts,
      policeRooms: d.policeRooms,
      units: d.units.map((u) => ({ ...unitFields(u), ...(u.disabled ? { disabled: true } : {}) })),
      targets: this.targets(),
    };
    if (scope.all) return all;
    // One station's: the same rule the county view's station filter uses (shared/stations.ts), with its own name.
    const own = stations.find((st) => st.id === scope.stationId);
    return {
      ...referenceOfStation(all, scope.stationId),
      stationName: own?.name ?? d.stationName,
      ...(stations.length > 0 ? { stations: own ? [own] : [] } : {}),
      ...(own ? { stationId: own.id } : {}),
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

function enabledAdmins(d: RegistryData): number {
  return d.operators.filter((o) => o.role === 'admin' && !o.disabled).length;
}

export function isRole(x: string): x is Role {
  return (ROLES as readonly string[]).includes(x);
}

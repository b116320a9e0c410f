// main/ (core, Node) — administration from the admin screen (and the CLI's registry edits, noticed on reload):
// terminals, tokens, enabling and disabling, reference-data import and export, response targets. Role-checked
// here, in the core. Every action that took effect is journalled (admin.action) with the operator's name: the
// registry and targets live in their own files, so the journal is where a chief reads who changed what.
import type { RecordKind } from '../../shared/adminWire';
import type { ExportAck, ImportAck, ImportRefusal } from '../../shared/consoleApi';
import { admitCommand, type ConsoleRequest, type OperatorsAck, type PasswordAck, type UnitAck } from '../../shared/consoleContract';
import { MAX_LISTED_ERRORS, exportData, exportFilename, parseImportInSlices, type ImportRow, type RowError } from '../../shared/dataExchange';
import type { AdminAction, AdminActionKind, OperatorRef, StationEvent } from '../../shared/events';
import type { PatrolUnit } from '../../shared/model';
import { STATION_TIME_ZONE } from '../../shared/duty';
import { refusal, type Refusal, type RefusalReason } from '../../shared/protocol';
import type { CommandResult, Ledger } from './ledger';
import { ImportError, RegistryError } from './registry';

/** Who changed the registry file when it was edited outside the station (the station CLI, by hand). */
export const REGISTRY_FILE_EDITOR: OperatorRef = { username: 'station-cli', displayName: '注册表文件(命令行) / registry file (CLI)', role: 'admin' };

type SecretAnswer = { ok: true; token: string } | Refusal;

/** Refusals for what the registry is (in use, the last admin, one's own account), not for the request's form. */
const STATE_REASONS: ReadonlySet<RefusalReason> = new Set<RefusalReason>(['in_use', 'last_admin', 'own_account', 'unit_on_dispatch']);
/** The journal's name of each kind of record (admin.action `school.added` …). */
const RECORD_ACTION = { schools: 'school', guardPosts: 'guardPost', policeRooms: 'policeRoom' } as const satisfies Record<RecordKind, string>;

export class StationAdmin {
  constructor(
    private readonly ledger: Ledger,
    /** The station's time zone: export file names are its wall clock. */
    private readonly timeZone: string = STATION_TIME_ZONE,
    /** Whether a unit's device is connected now (a moved device checks its new post in only then). */
    private readonly unitConnected: (unitId: string) => boolean = () => false,
  ) {}

  private get registry() {
    return this.ledger.registry;
  }

  /**
   * Journals an action that took effect. The action itself is already durable (in the registry file), so a
   * journal that cannot be written is logged loudly and the action still stands.
   */
  private record(operator: OperatorRef, action: AdminActionKind, target: string, detail?: string): void {
    console.log(`station: ${operator.username} ${action} ${target}${detail ? ` (${detail})` : ''}`);
    if (!this.ledger.tryCommit(this.action(operator, action, target, detail)))
      console.error(`station: the journal did not take the record of ${operator.username} ${action} ${target}; the change itself is saved`);
  }

  private action(operator: OperatorRef, action: AdminActionKind, target: string, detail?: string): AdminAction {
    return { type: 'admin.action', at: this.ledger.now(), operator, action, target, ...(detail !== undefined ? { detail: detail.slice(0, 500) } : {}) };
  }

  /**
   * The guard-post checks of units moved between posts (`[unit, post before, post after]`): a post a unit's own device
   * checked in is checked out under the admin's name as the unit is moved off it (the plan board would otherwise show
   * it staffed by no one); the post it is moved onto is checked in by the unit when its device is connected and on
   * duty and the post is not staffed (the device speaks for its post only when its duty changes: see
   * UnitIntake.receiveStatus). Every check-out of the batch counts before its check-ins: units swapping posts in one
   * import each check their new post in.
   */
  private postChecks(operator: OperatorRef, moves: readonly (readonly [string, string | undefined, string | undefined])[]): StationEvent[] {
    const at = this.ledger.now();
    const out: StationEvent[] = [];
    const freed = new Set<string>();
    for (const [unitId, left, now] of moves) {
      if (left === now || left === undefined || this.ledger.plan.openShift(left)?.inBy !== unitId) continue;
      out.push({ type: 'post.checked', at, postId: left, state: 'out', operator });
      freed.add(left);
    }
    const taken = new Set<string>();
    for (const [unitId, left, now] of moves) {
      if (left === now || now === undefined || taken.has(now) || !this.registry.guardPost(now)) continue;
      const duty = this.ledger.state.units.get(unitId)?.state;
      const onDuty = duty !== undefined && duty !== 'off_duty' && this.registry.unit(unitId)?.secret !== undefined && this.unitConnected(unitId);
      if (!onDuty || (this.ledger.plan.isStaffed(now) && !freed.has(now))) continue;
      out.push({ type: 'post.checked', at, postId: now, state: 'in', unitId });
      taken.add(now);
    }
    return out;
  }

  /** What changed of a unit, for the chief reading the journal: the post and the station before → after. */
  private static unitChange(before: PatrolUnit | undefined, after: PatrolUnit | undefined): string[] {
    const change = (what: string, a: string | undefined, b: string | undefined): string[] => (a === b ? [] : [`${what} ${a ?? '—'} → ${b ?? '—'}`]);
    return [...change('post', before?.postId, after?.postId), ...change('station', before?.stationId, after?.stationId)];
  }

  private async run<T>(fn: () => Promise<T> | T): Promise<{ ok: true; value: T } | Refusal> {
    try {
      return { ok: true, value: await fn() };
    } catch (e) {
      if (e instanceof RegistryError && e.reason) return refusal(STATE_REASONS.has(e.reason) ? 'forbidden' : 'invalid_payload', e.message, e.reason);
      if (e instanceof RegistryError) return refusal('invalid_payload', e.message);
      // Anything else is the file that could not be written: the change did not happen.
      return refusal('not_durable', `the registry could not be saved; nothing was changed: ${(e as Error).message}`);
    }
  }

  // --- operator accounts (issue 14) ---

  /** The operator accounts, without secrets (read only, not journalled). */
  operators(operator: OperatorRef, payload: unknown): OperatorsAck {
    const req = admitCommand('admin:operators', operator, payload);
    if (!req.ok) return req;
    return { ok: true, operators: this.registry.operators() };
  }

  /** A new account with a temporary password, shown once; its first login must set a new one. */
  async addOperator(operator: OperatorRef, payload: unknown): Promise<PasswordAck> {
    const req = admitCommand('admin:addOperator', operator, payload);
    if (!req.ok) return req;
    const { username, displayName, role, stationId } = req.value;
    const res = await this.run(() => this.registry.addOperator({ username, displayName: displayName.trim(), role, stationId }, { mustChangePassword: true }));
    if (!res.ok) return res;
    this.record(operator, 'operator.added', username, `role ${role}${stationId ? `; station ${stationId}` : ''}`);
    return { ok: true, password: res.value };
  }

  /** An account's name and role; a role change ends its sessions. */
  async updateOperator(operator: OperatorRef, payload: unknown): Promise<CommandResult> {
    const req = admitCommand('admin:updateOperator', operator, payload);
    if (!req.ok) return req;
    const { username, displayName, role, stationId } = req.value;
    const station = 'stationId' in req.value ? { stationId } : undefined;
    const res = await this.run(() => this.registry.updateOperator(username, displayName.trim(), role, operator.username, station));
    if (!res.ok) return res;
    this.record(operator, 'operator.updated', username, res.value.roleChanged ? `role ${role}; sessions ended` : 'name');
    return { ok: true };
  }

  /** A temporary password, shown once: the old one stops working, the sessions end, the next login sets a new one. */
  async resetPassword(operator: OperatorRef, payload: unknown): Promise<PasswordAck> {
    const req = admitCommand('admin:resetPassword', operator, payload);
    if (!req.ok) return req;
    const { username } = req.value;
    const res = await this.run(() => this.registry.resetPassword(username, { mustChangePassword: true }));
    if (!res.ok) return res;
    this.record(operator, 'password.reset', username, 'temporary password; must be changed at the next login');
    return { ok: true, password: res.value };
  }

  /** Disables an account (its sessions end at once) or enables it. */
  async setOperatorDisabled(operator: OperatorRef, payload: unknown): Promise<CommandResult> {
    const req = admitCommand('admin:setOperatorDisabled', operator, payload);
    if (!req.ok) return req;
    const { username, disabled } = req.value;
    const res = await this.run(() => this.registry.setOperatorDisabled(username, disabled, operator.username));
    if (!res.ok) return res;
    this.record(operator, disabled ? 'disabled' : 'enabled', username, 'operator');
    return { ok: true };
  }

  /** The operator's own new password, set at the forced change of the login (main/gateway/http.ts): journalled. */
  passwordChanged(operator: OperatorRef): void {
    this.record(operator, 'password.changed', operator.username);
  }

  // --- units and the reference records ---

  async addUnit(operator: OperatorRef, payload: unknown): Promise<UnitAck> {
    const req = admitCommand('admin:addUnit', operator, payload);
    if (!req.ok) return req;
    const { postId, ...u } = req.value;
    const res = await this.run(() => this.registry.addUnit({ ...u, name: u.name.trim(), ...(postId ? { postId } : {}) }));
    if (!res.ok) return res;
    this.record(operator, 'unit.added', u.id, u.hasDevice ? 'with a device token' : 'no device');
    return res.value === undefined ? { ok: true } : { ok: true, token: res.value };
  }

  /**
   * A unit's name, call sign, home, post or station changed: consoles get the new reference data at once. Its station
   * does not change while it is on a dispatch (the incident's station would lose sight of its own unit); a post its
   * device checked in is checked out as it leaves (the plan board would show the post staffed by no one).
   */
  async updateUnit(operator: OperatorRef, payload: unknown): Promise<CommandResult> {
    const req = admitCommand('admin:updateUnit', operator, payload);
    if (!req.ok) return req;
    const u = req.value;
    const before = this.registry.unit(u.id);
    const res = await this.run(() => {
      const incidentId = this.ledger.state.assignments.get(u.id);
      const station = u.stationId === undefined ? before?.stationId : u.stationId || undefined;
      if (before && incidentId !== undefined && station !== before.stationId)
        throw new RegistryError(`unit ${u.id} is on a dispatch (incident ${incidentId}): change its station once it is released`, 'unit_on_dispatch');
      this.registry.updateUnit({ ...u, name: u.name.trim(), callsign: u.callsign.trim() });
    });
    if (!res.ok) return res;
    const after = this.registry.unit(u.id);
    const detail = [after?.name ?? u.name.trim(), ...StationAdmin.unitChange(before, after)].join('; ');
    const checks = this.postChecks(operator, [[u.id, before?.postId, after?.postId]]);
    if (checks.length === 0 || !before) {
      this.record(operator, 'unit.updated', u.id, detail);
      return { ok: true };
    }
    // The post's check-out and the record of the change are one write. If the journal cannot take it, the unit goes
    // back as it was: the officer is told nothing changed and may try again (which checks the post out then).
    const stored = this.ledger.commit([...checks, this.action(operator, 'unit.updated', u.id, detail)]);
    const posts = `guard post ${checks.map((e) => (e.type === 'post.checked' ? `${e.postId} (${e.state})` : '')).join(', ')}`;
    if (stored.ok) {
      console.log(`station: ${operator.username} unit.updated ${u.id} (${detail})`);
      return { ok: true };
    }
    try {
      this.registry.updateUnit({ ...before, postId: before.postId ?? '', stationId: before.stationId ?? '' });
    } catch (e) {
      console.error(`station: unit ${u.id} was changed, but neither the check of ${posts} nor the way back could be stored:`, e);
      return refusal('not_durable', `unit ${u.id} was saved, but the check of ${posts} was not: check it on the plan board`);
    }
    return refusal('not_durable', `the journal could not store the check of ${posts}; nothing was changed: ${stored.error.message}`);
  }

  /** A school, guard post or police room added or edited: consoles get the new reference data at once. */
  async saveRecord(operator: OperatorRef, payload: unknown): Promise<CommandResult> {
    const req = admitCommand('admin:saveRecord', operator, payload);
    if (!req.ok) return req;
    const r = req.value;
    const res = await this.run(() => this.registry.saveRecord(r));
    if (!res.ok) return res;
    this.record(operator, `${RECORD_ACTION[r.kind]}.${r.mode === 'add' ? 'added' : 'updated'}`, r.row.id, r.row.name);
    return { ok: true };
  }

  /** A school, guard post or police room deleted; refused while anything uses it (terminals, posts, open incidents). */
  async deleteRecord(operator: OperatorRef, payload: unknown): Promise<CommandResult> {
    const req = admitCommand('admin:deleteRecord', operator, payload);
    if (!req.ok) return req;
    const { kind, id } = req.value;
    const openAt = (schoolId: string): number => {
      let n = 0;
      for (const inc of this.ledger.openIncidents()) if (inc.schoolId === schoolId) n++;
      return n;
    };
    const res = await this.run(() => this.registry.deleteRecord(kind, id, openAt));
    if (!res.ok) return res;
    this.record(operator, `${RECORD_ACTION[kind]}.deleted`, id);
    return { ok: true };
  }

  async addTerminal(operator: OperatorRef, payload: ConsoleRequest<'admin:addTerminal'>): Promise<SecretAnswer> {
    const req = admitCommand('admin:addTerminal', operator, payload);
    if (!req.ok) return req;
    const { deviceId, schoolId, label } = req.value;
    const res = await this.run(() => this.registry.addTerminal({ deviceId, schoolId, label: label || deviceId }));
    if (!res.ok) return res;
    this.record(operator, 'terminal.added', deviceId, `school ${schoolId}`);
    return { ok: true, token: res.value };
  }

  async rotate(operator: OperatorRef, id: string): Promise<SecretAnswer> {
    const req = admitCommand('admin:rotate', operator, { id });
    if (!req.ok) return req;
    const res = await this.run(() => this.registry.rotateDevice(id));
    if (!res.ok) return res;
    this.record(operator, 'token.rotated', id, 'the old token no longer works');
    return { ok: true, token: res.value };
  }

  async setDisabled(operator: OperatorRef, id: string, disabled: boolean): Promise<CommandResult> {
    const req = admitCommand('admin:setDisabled', operator, { id, disabled });
    if (!req.ok) return req;
    const res = await this.run(() => this.registry.setDisabled(id, disabled, 'device'));
    if (!res.ok) return res;
    this.record(operator, disabled ? 'disabled' : 'enabled', id);
    return { ok: true };
  }

  /**
   * Imports reference data (docs/data-exchange.md): admin only, all or nothing. A file with any error is
   * refused with every row error (line, field, reason) and changes nothing.
   */
  async importData(operator: OperatorRef, payload: ConsoleRequest<'admin:import'>): Promise<ImportAck> {
    const req = admitCommand('admin:import', operator, payload);
    if (!req.ok) return req;
    const r = req.value;
    const rowsRefused = (errors: RowError[], omitted = 0): ImportRefusal => ({
      ok: false,
      error: {
        code: 'invalid_payload',
        message: `${errors.length + omitted} error${errors.length + omitted === 1 ? '' : 's'} in the file; nothing was changed`,
        details: errors,
        omitted,
      },
    });
    // Units: a unit on a dispatch keeps its station (the same rule as the unit form, updateUnit).
    const ctx = { dispatchOf: (unitId: string) => this.ledger.state.assignments.get(unitId) };
    // Checked in slices: a large file does not hold up alarms for the few hundred ms its rows take.
    const parsed = await parseImportInSlices(r.kind, r.format, r.text, () => new Promise<void>((resolve) => setImmediate(resolve)));
    if (!parsed.ok) {
      // The registry's checks on the rows that did parse go in the same answer: every error at once.
      const all = [...parsed.errors, ...this.registry.checkImport(r.kind, parsed.validRows, parsed.validLines, ctx)].sort((a, b) => a.line - b.line);
      return rowsRefused(all.slice(0, MAX_LISTED_ERRORS), parsed.omitted + Math.max(0, all.length - MAX_LISTED_ERRORS));
    }
    // The units the file changes, as they were: a post one of them leaves is checked out, as the unit form does.
    const unitsBefore: [string, PatrolUnit][] = [];
    if (r.kind === 'units')
      for (const row of parsed.rows as ImportRow<'units'>[]) {
        const u = this.registry.unit(row.id);
        if (u) unitsBefore.push([row.id, u]);
      }
    try {
      const out = await this.registry.importData(r.kind, parsed.rows, parsed.lines, ctx);
      const summary = `${r.format}: ${out.added} added, ${out.updated} updated`;
      const moved = unitsBefore.map(([id, before]) => [id, before, this.registry.unit(id)] as const);
      const changes = moved.flatMap(([id, before, after]) => StationAdmin.unitChange(before, after).map((c) => `${id} ${c}`));
      const checks = this.postChecks(
        operator,
        moved.map(([id, before, after]) => [id, before.postId, after?.postId] as const),
      );
      const audit = this.action(operator, 'data.imported', r.kind, [summary, ...changes].join('; '));
      console.log(`station: ${operator.username} data.imported ${r.kind} (${audit.detail})`);
      if (!this.ledger.tryCommit([...checks, audit]))
        console.error(
          `station: the journal did not take the record of ${operator.username}'s import${checks.length > 0 ? ` nor the check-in or check-out of ${checks.length} guard post(s) the units moved between (check them on the plan board)` : ''}; the import itself is saved`,
        );
      return { ok: true, kind: r.kind, ...out };
    } catch (e) {
      if (e instanceof ImportError) return rowsRefused(e.errors);
      if (e instanceof RegistryError) return refusal('invalid_payload', e.message);
      return refusal('not_durable', `the registry could not be saved; nothing was changed: ${(e as Error).message}`);
    }
  }

  /** Exports one kind of reference data as CSV or JSON, without secrets. Admin only; journalled (data left the station). */
  exportData(operator: OperatorRef, payload: ConsoleRequest<'admin:export'>): ExportAck {
    const req = admitCommand('admin:export', operator, payload);
    if (!req.ok) return req;
    const r = req.value;
    const text = exportData(r.kind, r.format, this.registry.exportData(r.kind));
    this.record(operator, 'data.exported', r.kind, r.format);
    return { ok: true, text, filename: exportFilename(r.kind, r.format, this.ledger.now(), this.timeZone) };
  }

  /** The response targets (shared/response.ts); the profile is checked by the contract's schema (checkProfile). */
  setTargets(operator: OperatorRef, profile: unknown): CommandResult {
    const req = admitCommand('admin:setTargets', operator, { profile });
    if (!req.ok) return req;
    const { profile: checked } = req.value;
    try {
      this.registry.setTargets(checked);
    } catch (e) {
      return refusal('not_durable', (e as Error).message);
    }
    this.record(operator, 'targets.set', '', JSON.stringify(checked));
    return { ok: true };
  }

  /**
   * The registry file changed on disk: re-read it and cut off what was revoked. The station's own saves come
   * back here too; only a change it did not make (the CLI's) is journalled.
   */
  reloadRegistry(): void {
    const before = canonicalJson(this.registry.snapshot);
    let revoked: string[];
    try {
      revoked = this.registry.reload();
    } catch (e) {
      console.error('station: registry file could not be read; keeping the previous registry:', (e as Error).message);
      return;
    }
    if (revoked.length > 0) console.log(`station: credentials revoked for ${revoked.join(', ')}`);
    if (canonicalJson(this.registry.snapshot) === before) return;
    const d = this.registry.snapshot;
    const counts = `${d.schools.length} schools, ${d.terminals.length} terminals, ${d.units.length} units, ${d.operators.length} operators`;
    this.record(REGISTRY_FILE_EDITOR, 'registry.reloaded', '', revoked.length > 0 ? `${counts}; revoked ${revoked.join(', ')}` : counts);
  }
}

/**
 * JSON with every object's keys sorted: the registry read back from its file has the schema's key order, which need
 * not be the order a change built its objects in (a field set later goes last). Only a real difference counts.
 */
function canonicalJson(x: unknown): string {
  return JSON.stringify(x, (_k, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

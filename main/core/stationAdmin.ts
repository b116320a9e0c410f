// main/ (core, Node) — administration from the admin screen (and the CLI's registry edits, noticed on reload):
// terminals, tokens, enabling and disabling, reference-data import and export, response targets. Role-checked
// here, in the core. Every action that took effect is journalled (admin.action) with the operator's name: the
// registry and targets live in their own files, so the journal is where a chief reads who changed what.
import type { ExportAck, ImportAck, ImportRefusal } from '../../shared/consoleApi';
import { admitCommand, type ConsoleRequest } from '../../shared/consoleContract';
import { MAX_LISTED_ERRORS, exportData, exportFilename, parseImportInSlices, type RowError } from '../../shared/dataExchange';
import type { AdminAction, AdminActionKind, OperatorRef } from '../../shared/events';
import { STATION_TIME_ZONE } from '../../shared/duty';
import { refusal, type Refusal } from '../../shared/protocol';
import type { CommandResult, Ledger } from './ledger';
import { ImportError, RegistryError } from './registry';

/** Who changed the registry file when it was edited outside the station (the station CLI, by hand). */
export const REGISTRY_FILE_EDITOR: OperatorRef = { username: 'station-cli', displayName: '注册表文件(命令行) / registry file (CLI)', role: 'admin' };

type SecretAnswer = { ok: true; token: string } | Refusal;

export class StationAdmin {
  constructor(
    private readonly ledger: Ledger,
    /** The station's time zone: export file names are its wall clock. */
    private readonly timeZone: string = STATION_TIME_ZONE,
  ) {}

  private get registry() {
    return this.ledger.registry;
  }

  /**
   * Journals an action that took effect. The action itself is already durable (in the registry file), so a
   * journal that cannot be written is logged loudly and the action still stands.
   */
  private record(operator: OperatorRef, action: AdminActionKind, target: string, detail?: string): void {
    const event: AdminAction = {
      type: 'admin.action',
      at: this.ledger.now(),
      operator,
      action,
      target,
      ...(detail !== undefined ? { detail: detail.slice(0, 500) } : {}),
    };
    console.log(`station: ${operator.username} ${action} ${target}${detail ? ` (${detail})` : ''}`);
    if (!this.ledger.tryCommit(event))
      console.error(`station: the journal did not take the record of ${operator.username} ${action} ${target}; the change itself is saved`);
  }

  private async run<T>(fn: () => Promise<T> | T): Promise<{ ok: true; value: T } | Refusal> {
    try {
      return { ok: true, value: await fn() };
    } catch (e) {
      return refusal('invalid_payload', (e as Error).message);
    }
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
    // Checked in slices: a large file does not hold up alarms for the few hundred ms its rows take.
    const parsed = await parseImportInSlices(r.kind, r.format, r.text, () => new Promise<void>((resolve) => setImmediate(resolve)));
    if (!parsed.ok) {
      // The registry's checks on the rows that did parse go in the same answer: every error at once.
      const all = [...parsed.errors, ...this.registry.checkImport(r.kind, parsed.validRows, parsed.validLines)].sort((a, b) => a.line - b.line);
      return rowsRefused(all.slice(0, MAX_LISTED_ERRORS), parsed.omitted + Math.max(0, all.length - MAX_LISTED_ERRORS));
    }
    try {
      const out = await this.registry.importData(r.kind, parsed.rows, parsed.lines);
      this.record(operator, 'data.imported', r.kind, `${r.format}: ${out.added} added, ${out.updated} updated`);
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
    const before = JSON.stringify(this.registry.snapshot);
    let revoked: string[];
    try {
      revoked = this.registry.reload();
    } catch (e) {
      console.error('station: registry file could not be read; keeping the previous registry:', (e as Error).message);
      return;
    }
    if (revoked.length > 0) console.log(`station: credentials revoked for ${revoked.join(', ')}`);
    if (JSON.stringify(this.registry.snapshot) === before) return;
    const d = this.registry.snapshot;
    const counts = `${d.schools.length} schools, ${d.terminals.length} terminals, ${d.units.length} units, ${d.operators.length} operators`;
    this.record(REGISTRY_FILE_EDITOR, 'registry.reloaded', '', revoked.length > 0 ? `${counts}; revoked ${revoked.join(', ')}` : counts);
  }
}

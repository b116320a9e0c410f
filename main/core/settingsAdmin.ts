// main/ (core, Node) — the station settings on the admin screen (docs/settings.md): the view (each value in force and
// where it comes from), trying a map source, and saving. Admin only (registry.manage), admitted here in the core. A save
// writes the settings file atomically; the fields safe to change live (station name, semesters, targets, map source,
// volumes) take effect at once and reach every console, the others (port, host, TLS, data folder, time zone) at the
// next start. Every field that changed is journalled (admin.action settings.changed, targets.set) with the admin.
import fs from 'node:fs';
import path from 'node:path';
import type { ConsoleSettings } from '../../shared/consoleApi';
import { admitCommand, type MapTryAck, type SettingsAck, type SettingsSavedAck } from '../../shared/consoleContract';
import type { AdminAction, AdminActionKind, OperatorRef } from '../../shared/events';
import { DEFAULT_SEMESTERS, parseSemesters } from '../../shared/planBoard';
import { refusal } from '../../shared/protocol';
import {
  DEFAULT_VOLUMES,
  formatSemesters,
  isLiveSetting,
  SETTING_KEYS,
  type MapSource,
  type MapTry,
  type SettingKey,
  type SettingSource,
  type SettingsView,
  type StationSettings,
  type Volumes,
} from '../../shared/stationSettings';
import type { Ledger } from './ledger';
import { consoleSettings } from './settings';
import { writeSettingsFile } from './settingsFile';

/** Who changed a setting when the settings file said so at start (it differed from the registry). */
export const SETTINGS_FILE_EDITOR: OperatorRef = { username: 'settings-file', displayName: '设置文件 / settings file', role: 'admin' };

/** What the core gives the settings: the map source machinery lives in the gateway (main/gateway/tiles.ts). */
export interface SettingsHooks {
  /** Tries a source: one tile fetched, or the archive or folder opened and read. Never throws. */
  tryMapSource(source: MapSource): Promise<MapTry>;
  /** Puts a source in force (consoles, /tiles, the CSP); throws when it cannot be opened (the old one stays). */
  applyMapSource(source: MapSource): Promise<void>;
  /** The consoles' map tiles in force now. */
  consoleTiles(): ConsoleSettings['tiles'];
}

/** What the station started with (main/config.ts StationConfig). */
export interface SettingsStart {
  file: string;
  /** The settings file was named (--settings / STATION_SETTINGS), not found in the data folder. */
  named: boolean;
  saved: StationSettings;
  sources: Partial<Record<SettingKey, SettingSource>>;
  /** The values the station started with (restart-only fields stay these until the next start). */
  effective: StationSettings;
  /** The consoles' settings besides what can change here (stale limit, linger …). */
  console: { unitStaleMs?: number; resolvedLingerMs?: number };
  /** Why the file's map source is not in force (the station started on the outline): shown until a new one is saved. */
  mapSourceProblem?: string;
}

/**
 * A field that takes effect at the next start, checked now as far as this station can: a value that would stop the
 * next start, or start a station nobody can reach, is refused when it is saved, not found at 3 a.m. after a restart.
 */
export function restartFieldProblem(key: SettingKey, value: unknown): string | undefined {
  if (key === 'port' && typeof value === 'number' && (value < 1 || value > 65535))
    return 'port: a station port is 1–65535 (0, "any free port", is for tests: terminals could not find the station)';
  if (key === 'tls' && value && typeof value === 'object') {
    for (const [what, file] of Object.entries(value as Record<string, string>)) {
      let text: string;
      try {
        text = fs.readFileSync(file, 'utf8');
      } catch (e) {
        return `tls.${what}: ${file} cannot be read here (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); the station would not start`;
      }
      if (!/-----BEGIN [A-Z ]+-----/.test(text)) return `tls.${what}: ${file} is not a PEM file; the station would not start`;
    }
  }
  if (key === 'dataDir' && typeof value === 'string') {
    const has = (name: string): boolean => fs.existsSync(path.join(value, name));
    if (!fs.existsSync(value)) return `dataDir: ${value} does not exist; a new empty station there would refuse every terminal`;
    if (!has('journal.jsonl') && !has('registry.json'))
      return `dataDir: ${value} holds no station (no journal.jsonl or registry.json); a new empty station there would refuse every terminal`;
  }
  return undefined;
}

export class SettingsAdmin {
  private saved: StationSettings;
  private readonly sources: Partial<Record<SettingKey, SettingSource>>;
  private live: StationSettings;
  private readonly listeners = new Set<(s: ConsoleSettings) => void>();
  /** One save at a time (two admins, or a save and the targets form): the file is written in turn, each from the last. */
  private queue: Promise<unknown> = Promise.resolve();
  private mapSourceProblem: string | undefined;

  constructor(
    private readonly ledger: Ledger,
    private readonly start: SettingsStart,
    private readonly hooks: SettingsHooks,
  ) {
    this.saved = { ...start.saved };
    this.sources = { ...start.sources };
    this.live = { ...start.effective };
    this.mapSourceProblem = start.mapSourceProblem;
  }

  /** The sound volumes in force. */
  volumes(): Volumes {
    return this.live.volumes ?? { ...DEFAULT_VOLUMES };
  }

  /** What every console uses now (hello, and pushed after each change). */
  consoleSettings(): ConsoleSettings {
    const semesters = this.live.semesters !== undefined ? parseSemesters(this.live.semesters) : undefined;
    return {
      ...consoleSettings({
        ...this.start.console,
        ...(this.live.timeZone !== undefined ? { timeZone: this.live.timeZone } : {}),
        ...(semesters?.ok ? { semesters: semesters.rules } : {}),
      }),
      volumes: this.volumes(),
      tiles: this.hooks.consoleTiles(),
    };
  }

  /** Told after every change that reaches the consoles (the gateway pushes `settings`). */
  onChange(fn: (s: ConsoleSettings) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /**
   * At start: a station name or target profile in the settings file that differs from the registry's is put in the
   * registry (the consoles read both from there), journalled under the settings file.
   */
  applyFileAtStart(): void {
    const reg = this.ledger.registry;
    if (this.saved.stationName !== undefined && reg.snapshot.stationName !== this.saved.stationName) {
      const name = this.saved.stationName;
      reg.update((d) => void (d.stationName = name));
      this.record(SETTINGS_FILE_EDITOR, 'settings.changed', 'stationName', JSON.stringify(name));
    }
    if (this.saved.targets !== undefined && JSON.stringify(reg.targets()) !== JSON.stringify(this.saved.targets)) {
      reg.setTargets(this.saved.targets);
      this.record(SETTINGS_FILE_EDITOR, 'targets.set', '', JSON.stringify(this.saved.targets));
    }
  }

  /**
   * The targets form saved a profile (admin:setTargets): a settings file that holds targets keeps the new ones. In the
   * save queue, so a save under way (waiting for a map source to answer) cannot write its older copy over them.
   */
  targetsChanged(): void {
    this.queue = this.queue.then(() => this.writeTargets()).catch(() => undefined);
  }

  private writeTargets(): void {
    if (this.saved.targets === undefined) return;
    const next = { ...this.saved, targets: this.ledger.registry.targets() };
    try {
      writeSettingsFile(this.start.file, next);
      this.saved = next;
    } catch (e) {
      console.error(`station: the settings file could not take the new targets: ${(e as Error).message}`);
    }
  }

  private record(operator: OperatorRef, action: AdminActionKind, target: string, detail: string): void {
    const event: AdminAction = { type: 'admin.action', at: this.ledger.now(), operator, action, target, detail: detail.slice(0, 500) };
    console.log(`station: ${operator.username} ${action} ${target} ${detail.slice(0, 200)}`);
    if (!this.ledger.tryCommit(event))
      console.error(`station: the journal did not take the record of ${operator.username} ${action} ${target}; the change itself is saved`);
  }

  private effective(): StationSettings {
    const reg = this.ledger.registry;
    return {
      ...this.live,
      stationName: reg.snapshot.stationName,
      targets: reg.targets(),
      semesters: this.live.semesters ?? formatSemesters(DEFAULT_SEMESTERS),
      volumes: this.volumes(),
      mapSource: this.live.mapSource ?? { kind: 'none' },
    };
  }

  private viewNow(): SettingsView {
    const effective = this.effective();
    const pendingRestart = SETTING_KEYS.filter(
      (k) => !isLiveSetting(k) && this.saved[k] !== undefined && JSON.stringify(this.saved[k]) !== JSON.stringify(this.start.effective[k]),
    );
    return {
      file: this.start.file,
      effective: effective as Record<string, unknown>,
      saved: this.saved as Record<string, unknown>,
      sources: Object.fromEntries(SETTING_KEYS.map((k) => [k, this.sources[k] ?? 'default'])),
      pendingRestart,
      ...(this.mapSourceProblem !== undefined ? { problems: { mapSource: this.mapSourceProblem } } : {}),
    };
  }

  view(operator: OperatorRef, payload: unknown): SettingsAck {
    const req = admitCommand('admin:settings', operator, payload);
    if (!req.ok) return req;
    return { ok: true, view: this.viewNow() };
  }

  async tryMap(operator: OperatorRef, payload: unknown): Promise<MapTryAck> {
    const req = admitCommand('admin:tryMapSource', operator, payload);
    if (!req.ok) return req;
    return { ok: true, result: await this.hooks.tryMapSource(req.value.source) };
  }

  save(operator: OperatorRef, payload: unknown): Promise<SettingsSavedAck> {
    const run = this.queue.then(() => this.saveNow(operator, payload));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async saveNow(operator: OperatorRef, payload: unknown): Promise<SettingsSavedAck> {
    const req = admitCommand('admin:saveSettings', operator, payload);
    if (!req.ok) return req;
    const patch = req.value.settings;
    const keys = (Object.keys(patch) as SettingKey[]).filter((k) => JSON.stringify(patch[k] ?? undefined) !== JSON.stringify(this.saved[k]));
    if (keys.length === 0) return { ok: true, applied: [], restart: [], view: this.viewNow() };
    if (keys.includes('dataDir') && !this.start.named)
      return refusal(
        'invalid_payload',
        `dataDir: the settings file is inside the data folder (${path.dirname(this.start.file)}); the data folder is moved by starting with --data-dir or a settings file outside it (--settings FILE)`,
      );
    for (const k of keys) {
      const problem = isLiveSetting(k) || patch[k] === null ? undefined : restartFieldProblem(k, patch[k]);
      if (problem) return refusal('invalid_payload', `${problem}; nothing was saved`);
    }
    // A new map source is tried before it is saved; one that fails is refused unless the admin says "save anyway".
    const mapSource = keys.includes('mapSource') ? ((patch.mapSource as MapSource | null | undefined) ?? { kind: 'none' as const }) : undefined;
    if (mapSource && !req.value.force) {
      const tried = await this.hooks.tryMapSource(mapSource);
      if (!tried.ok) return refusal('invalid_payload', `mapSource: ${tried.message}; nothing was saved`);
    }
    // Built after the try (which may take seconds): from the file as it is now, the patch's fields only.
    const next: StationSettings = { ...this.saved };
    for (const k of keys) {
      if (patch[k] === null) delete next[k];
      else (next as Record<string, unknown>)[k] = patch[k];
    }
    try {
      writeSettingsFile(this.start.file, next);
    } catch (e) {
      return refusal('not_durable', `the settings file could not be written; nothing was changed: ${(e as Error).message}`);
    }
    this.saved = next;
    const applied: string[] = [];
    const restart: string[] = [];
    const problems: string[] = [];
    for (const k of keys) {
      if (this.sources[k] !== 'flag' && this.sources[k] !== 'env') this.sources[k] = next[k] === undefined ? 'default' : 'file';
      if (!isLiveSetting(k)) {
        restart.push(k);
        this.record(operator, 'settings.changed', k, `${JSON.stringify(next[k] ?? null)} (at the next start)`);
        continue;
      }
      try {
        await this.applyLive(k, next);
        applied.push(k);
      } catch (e) {
        problems.push(`${k}: ${(e as Error).message}`);
      }
      if (k === 'targets') this.record(operator, 'targets.set', '', JSON.stringify(this.ledger.registry.targets()));
      else this.record(operator, 'settings.changed', k, JSON.stringify(next[k] ?? null));
    }
    if (applied.some((k) => k === 'mapSource' || k === 'volumes' || k === 'semesters')) {
      const s = this.consoleSettings();
      for (const f of this.listeners) f(s);
    }
    if (problems.length > 0) return refusal('invalid_payload', `saved, but not in force until the next start: ${problems.join('; ')}`);
    return { ok: true, applied, restart, view: this.viewNow() };
  }

  /** Puts one live field in force. */
  private async applyLive(k: SettingKey, next: StationSettings): Promise<void> {
    const reg = this.ledger.registry;
    switch (k) {
      case 'stationName': {
        const name = next.stationName ?? this.start.effective.stationName;
        if (name !== undefined && name !== reg.snapshot.stationName) reg.update((d) => void (d.stationName = name));
        return;
      }
      case 'targets':
        if (next.targets) reg.setTargets(next.targets);
        return;
      case 'mapSource': {
        const source = next.mapSource ?? { kind: 'none' as const };
        await this.hooks.applyMapSource(source);
        this.live.mapSource = source;
        this.mapSourceProblem = undefined;
        return;
      }
      case 'volumes':
        this.live.volumes = next.volumes ?? { ...DEFAULT_VOLUMES };
        return;
      case 'semesters':
        if (next.semesters === undefined) delete this.live.semesters;
        else this.live.semesters = next.semesters;
        return;
      default:
        return;
    }
  }
}

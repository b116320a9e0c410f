// renderer/ — the console's state: the journal replica folded by the shared reducer, plus link status.
// Components read it with useConsole() and act through its methods; they never touch sockets or Dexie.
import { useSyncExternalStore } from 'react';
import type { WireError } from '../shared/protocol';
import type { OperatorRow } from '../shared/adminWire';
import { mergeHealth, type ConsoleHello, type ConsoleSettings, type DeviceHealth, type ExportAck, type ImportAck, type UnitLive } from '../shared/consoleApi';
import { parseImport, utf8Bytes, type DataFormat, type DataKind } from '../shared/dataExchange';
import { DEFAULT_UNIT_STALE_MS, MAX_IMPORT_FRAME_TEXT_BYTES } from '../shared/limits';
import { STATION_TIME_ZONE } from '../shared/duty';
import {
  MUTE_MS,
  type ConsoleRequest,
  type HistoryAck,
  type IncidentAck,
  type MapTryAck,
  type PlanAck,
  type SettingsAck,
  type SettingsSavedAck,
  type StatsAck,
} from '../shared/consoleContract';
import type { MapSource } from '../shared/stationSettings';
import type { AlarmReceived, JournalRecord, OperatorRef } from '../shared/events';
import { alertFor, awaitsAcknowledgement, isAlarming } from '../shared/consoleView';
import { emptyState, foldRecords, fromSnapshot, type StateSnapshot, type StationState } from '../shared/incidents';
import type { ReferenceData } from '../shared/model';
import { can } from '../shared/roles';
import { openReplica, type Replica } from './adapters/replica';
import { connect, login, logout, type LifecycleCommand, type StationLink } from './adapters/stationLink';
import { createSound, type ConsoleTone, type Sound, type SoundState } from './adapters/sound';
import type { SavePdfResult } from '../shared/shellBridge';
import type { TrainingAssignment, TrainingResult, TrainingUnitUpdate } from '../shared/training';
import { inDesktopApp, shell } from './adapters/shell';
import { catalogues, refusalText, storedLang } from './i18n';
import { setClockOffset, setStationTimeZone } from './time';

export interface ConsoleState {
  phase: 'login' | 'ready';
  operator?: OperatorRef;
  reference?: ReferenceData;
  station: StationState;
  volatile: AlarmReceived[];
  health: DeviceHealth[];
  units: UnitLive[];
  online: boolean;
  /** Logged in and the link to the station has been down for LINK_LOST_AFTER_MS: the banner and the link-loss sound. */
  linkLost: boolean;
  journalProblems: string[];
  /** The station's settings as its hello said (defaults until then). */
  settings: ConsoleSettings;
  sound: SoundState;
  soundTone?: ConsoleTone;
  soundUrgent?: boolean;
  /** The officer muted the alarm sound until then (the keyboard's mute, journalled); a new alarm ends it. */
  mutedUntil?: number;
  error?: string;
  /**
   * The county command view's station filter (shared/stations.ts): the queue, history, statistics and board show this
   * station only; absent: every station the console sees. A station's console sees one station and has none.
   */
  stationFilter?: string;
}

/** What a console uses before the core's hello says otherwise (shared defaults). */
const DEFAULT_CONSOLE_SETTINGS: ConsoleSettings = { unitStaleMs: DEFAULT_UNIT_STALE_MS, timeZone: STATION_TIME_ZONE };

/**
 * How long the link may be down before the console calls it lost (banner and sound): long enough that a resync's
 * reconnect or the station's re-handshake passes silently, short enough that the officer knows within 3 s.
 */
export const LINK_LOST_AFTER_MS = 1000;

/**
 * Records that change nothing an officer waits for, and may wait CALM_RENDER_MS to be rendered with others: each
 * console's "shown" report of each card, and a further press of an alarm already on screen (its count; a flooding
 * terminal's presses arrive as a stream of these). The sound follows them at once all the same.
 */
const CALM_RECORDS: ReadonlySet<string> = new Set(['incident.shown', 'alarm.repeated']);
const CALM_RENDER_MS = 150;

const SESSION_KEY = 'station.session';
const NOT_CONNECTED: WireError = { code: 'unreachable', message: 'not connected' };
const OPERATOR_KEY = 'station.operator';

export class ConsoleStore {
  private s: ConsoleState;
  private readonly listeners = new Set<() => void>();
  private link?: StationLink;
  private replica?: Replica;
  private readonly sound: Sound;
  private readonly reportedShown = new Set<string>();
  /** Journal the replica was built from; records from another journal are never mixed in. */
  private journalId?: string;
  private awaitingResync = false;
  private linkTimer: ReturnType<typeof setTimeout> | undefined;

  constructor() {
    this.sound = createSound(new URL('./', window.location.href).toString());
    this.sound.subscribe(() => {
      // Only the indicator changes here; going through set() would re-drive the sound from inside its own event.
      const sound = this.sound.state();
      if (sound !== this.s.sound || this.sound.urgent() !== this.s.soundUrgent)
        this.publish({ ...this.s, sound, soundTone: this.sound.tone(), soundUrgent: this.sound.urgent() });
    });
    const session = sessionStorage.getItem(SESSION_KEY);
    const operator = sessionStorage.getItem(OPERATOR_KEY);
    this.s = {
      phase: 'login',
      station: emptyState,
      volatile: [],
      health: [],
      units: [],
      online: false,
      linkLost: false,
      journalProblems: [],
      settings: DEFAULT_CONSOLE_SETTINGS,
      sound: 'idle',
    };
    if (session && operator) void this.begin(session, JSON.parse(operator) as OperatorRef);
  }

  private readonly trainingListeners = new Set<(a: TrainingAssignment) => void>();
  private readonly trainingUnitListeners = new Set<(u: TrainingUnitUpdate) => void>();
  /** A real unit on this operator's training job answered or moved (renderer/training.ts applies it to the run). */
  onTrainingUnit(f: (u: TrainingUnitUpdate) => void): () => void {
    this.trainingUnitListeners.add(f);
    return () => this.trainingUnitListeners.delete(f);
  }
  /** Sends a training alarm to a real unit taking part; a refusal in the console's language. */
  async trainingUnitDispatch(req: ConsoleRequest<'training:unitDispatch'>): Promise<string | undefined> {
    if (!this.link) return this.say(NOT_CONNECTED);
    const r = await this.link.call('training:unitDispatch', req);
    return r.ok ? undefined : this.say(r.error);
  }
  /** A real unit's training job is over (its device is told). */
  async trainingUnitRelease(jobId: string): Promise<string | undefined> {
    if (!this.link) return this.say(NOT_CONNECTED);
    const r = await this.link.call('training:unitRelease', { jobId });
    return r.ok ? undefined : this.say(r.error);
  }
  /** A trainer sent this console a training run (renderer/training.ts offers it to the operator). */
  onTrainingAssigned(f: (a: TrainingAssignment) => void): () => void {
    this.trainingListeners.add(f);
    return () => this.trainingListeners.delete(f);
  }
  /** Who is logged in on a console now and may be sent a training run; a refusal in the console's language. */
  async trainingConsoles(): Promise<{ consoles: (OperatorRef & { count: number })[] } | { error: string }> {
    if (!this.link) return { error: this.say(NOT_CONNECTED) };
    const r = await this.link.call('training:consoles', {});
    return r.ok ? { consoles: r.consoles } : { error: this.say(r.error) };
  }
  /** Sends a run to a logged-in operator's consoles: how many, or the refusal in the console's language. */
  async assignTraining(req: ConsoleRequest<'training:assign'>): Promise<{ consoles: number } | { error: string }> {
    if (!this.link) return { error: this.say(NOT_CONNECTED) };
    const r = await this.link.call('training:assign', req);
    return r.ok ? { consoles: r.consoles } : { error: this.say(r.error) };
  }
  canAssignTraining(): boolean {
    return this.s.operator !== undefined && can(this.s.operator.role, 'training.assign');
  }

  /** Training alarms on this console awaiting the trainee (renderer/training.ts; never sent to the station). */
  private trainingAwaiting = 0;
  setTrainingAwaiting(n: number): void {
    if (n === this.trainingAwaiting) return;
    this.trainingAwaiting = n;
    this.set({});
  }

  get state(): ConsoleState {
    return this.s;
  }
  subscribe = (fn: () => void): (() => void) => {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  };
  private lastPublish = 0;
  private publishTimer: ReturnType<typeof setTimeout> | undefined;

  /**
   * Tells React. At most one render per 16 ms: the first change renders at once (no added latency for a
   * single alarm), changes arriving in a burst are folded into one render at the end of the window. A calm
   * change (CALM_RECORDS) waits up to CALM_RENDER_MS after the last render instead, and any other change takes
   * it along at once. A timer, not requestAnimationFrame, so a console in a background window still renders.
   */
  private publish(next: ConsoleState, calm = false): void {
    this.s = next;
    if (this.publishTimer) {
      if (calm || this.publishDue <= this.lastPublish + 16) return;
      clearTimeout(this.publishTimer); // a calm render was waiting: this change cannot wait that long
    }
    const wait = this.lastPublish + (calm ? CALM_RENDER_MS : 16) - performance.now();
    const flush = (): void => {
      this.publishTimer = undefined;
      this.lastPublish = performance.now();
      this.listeners.forEach((f) => f());
    };
    if (wait <= 0) flush();
    else {
      this.publishDue = this.lastPublish + (calm ? CALM_RENDER_MS : 16);
      this.publishTimer = setTimeout(flush, wait);
    }
  }
  private publishDue = 0;
  private set(patch: Partial<ConsoleState>, calm = false): void {
    this.s = { ...this.s, ...patch };
    this.updateSound();
    this.publish({ ...this.s, sound: this.sound.state(), soundTone: this.sound.tone(), soundUrgent: this.sound.urgent() }, calm);
  }

  /** The sound follows the data (shared/consoleView.ts alertFor), and only while someone is logged in and not muted. */
  private updateSound(): void {
    if (this.s.phase !== 'ready') return this.sound.stop();
    // Cut off from the station, no alarm can reach this console and none can be taken: that is what it says
    // (a mute does not silence it: it silences alarms the officer heard).
    if (this.s.linkLost) return this.sound.start('link');
    if (this.s.mutedUntil !== undefined) {
      // A mute silences the alarms the officer heard; any other alarm ends it at once.
      const heard = this.mutedAlarms;
      const fresh = this.s.volatile.length > 0 || [...this.s.station.incidents.values()].some((i) => isAlarming(i) && !heard.has(i.id));
      if (!fresh && Date.now() < this.s.mutedUntil) return this.sound.stop();
      this.s = { ...this.s, mutedUntil: undefined };
    }
    const all = alertFor(this.s.station, this.s.volatile);
    // The county command view (shared/stations.ts) watches every station: it sounds only for a real alarm that no
    // station has taken within its target (escalated), never for a fresh alarm or a device fault, which are the
    // stations' to hear and take. A county of 300 schools would otherwise never be quiet, and it takes no alarm.
    const alert = this.s.operator?.role === 'county' && !all.urgent ? { tone: undefined, urgent: false } : all;
    // Training alarms awaiting the trainee (renderer/training.ts) take the drill tone, only when nothing real sounds.
    const tone = alert.tone ?? (this.trainingAwaiting > 0 ? 'drill' : undefined);
    if (tone) this.sound.start(tone, alert.urgent);
    else this.sound.stop();
  }

  /**
   * Logs in. Resolves 'change' when the account must set a new password first (a new account, or one an admin
   * reset): the login screen then asks for it and calls again with `newPassword`.
   */
  async login(username: string, password: string, newPassword?: string): Promise<'change' | undefined> {
    this.set({ error: undefined });
    const r = await login(username, password, newPassword);
    if (!r.ok && r.error.reason === 'password_change_required' && newPassword === undefined) return 'change';
    if (!r.ok) {
      this.set({ error: this.say(r.error) });
      return r.error.reason === 'weak_password' || r.error.reason === 'password_change_required' ? 'change' : undefined;
    }
    sessionStorage.setItem(SESSION_KEY, r.session);
    sessionStorage.setItem(OPERATOR_KEY, JSON.stringify(r.operator));
    await this.begin(r.session, r.operator);
    return undefined;
  }

  logout(): void {
    void logout(sessionStorage.getItem(SESSION_KEY)); // ends the session at the station too
    sessionStorage.removeItem(SESSION_KEY);
    sessionStorage.removeItem(OPERATOR_KEY);
    this.link?.close();
    this.link = undefined;
    clearTimeout(this.linkTimer);
    this.linkTimer = undefined;
    this.set({ phase: 'login', operator: undefined, online: false, linkLost: false, stationFilter: undefined });
  }

  /** The county view's station filter (absent: every station). */
  setStationFilter(stationId: string | undefined): void {
    this.set({ stationFilter: stationId });
  }

  private async begin(session: string, operator: OperatorRef): Promise<void> {
    this.set({ phase: 'ready', operator });
    this.onConnection(false); // until the link is up: lost if it does not come up in time
    // The replica first, so everything stored shows at once and the core sends only what is missing.
    // IndexedDB must never stand between an officer and an alarm: if it fails or hangs, go on without it.
    try {
      const replica = openReplica();
      const saved = await Promise.race([
        replica.load(),
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error('replica load timed out')), 2000)),
      ]);
      this.replica = replica;
      this.journalId = saved.journalId;
      this.set({
        station: foldRecords(saved.records, saved.snapshot ? fromSnapshot(saved.snapshot) : emptyState),
        ...(saved.reference ? { reference: saved.reference } : {}),
      });
    } catch (e) {
      console.error('replica unavailable, continuing from the live link only:', e);
    }
    this.link = connect(session, () => this.s.station.seq, {
      hello: (h) => this.onHello(h),
      records: (batch) => this.onRecords(batch),
      snapshot: (snap) => this.onSnapshot(snap),
      journalProblems: (journalProblems) => this.set({ journalProblems }),
      volatile: (alarms) => this.set({ volatile: alarms }),
      health: (devices) => this.set({ health: devices }),
      healthChanged: (change) => this.set({ health: mergeHealth(this.s.health, change) }),
      units: (units) => this.set({ units }),
      reference: (reference) => {
        this.set({ reference: this.sameOrNew(reference) });
        this.replica?.saveReference(reference).catch((e: unknown) => console.error('replica write failed:', e));
      },
      training: (a) => this.trainingListeners.forEach((f) => f(a)),
      trainingUnit: (u) => this.trainingUnitListeners.forEach((f) => f(u)),
      settings: (settings) => this.onSettings(settings),
      connection: (online) => this.onConnection(online),
      unauthorized: () => {
        this.logout();
        this.set({ error: this.say({ code: 'unauthorized', message: 'session expired' }) });
      },
    });
  }

  /** The link went up or down: down for LINK_LOST_AFTER_MS (while logged in) is a lost link. */
  private onConnection(online: boolean): void {
    if (online) {
      clearTimeout(this.linkTimer);
      this.linkTimer = undefined;
      return this.set({ online, linkLost: false });
    }
    this.linkTimer ??= setTimeout(() => {
      this.linkTimer = undefined;
      if (this.s.phase === 'ready' && !this.s.online) this.set({ linkLost: true });
    }, LINK_LOST_AFTER_MS);
    if (this.s.online) this.set({ online });
  }

  /** New settings from the station (an admin changed the map source, the volumes …): in force at once. */
  private onSettings(settings: ConsoleSettings): void {
    if (settings.volumes) this.sound.setVolumes(settings.volumes);
    this.set({ settings });
  }

  /** The volume (0–1) a tone plays at on this console now. */
  soundVolume(tone: ConsoleTone): number {
    return this.sound.volume(tone);
  }

  /** The station's settings for the admin screen (docs/settings.md). */
  async stationSettings(): Promise<SettingsAck> {
    if (!this.link) return { ok: false, error: { code: 'unreachable', message: this.say(NOT_CONNECTED) } };
    return this.link.call('admin:settings', {});
  }
  /** Tries a map source at the station (one tile, or the archive opened). */
  async tryMapSource(source: MapSource): Promise<MapTryAck> {
    if (!this.link) return { ok: false, error: { code: 'unreachable', message: this.say(NOT_CONNECTED) } };
    return this.link.call('admin:tryMapSource', { source });
  }
  /** Saves settings (a failing map source only with `force`). */
  async saveSettings(settings: ConsoleRequest<'admin:saveSettings'>['settings'], force = false): Promise<SettingsSavedAck> {
    if (!this.link) return { ok: false, error: { code: 'unreachable', message: this.say(NOT_CONNECTED) } };
    return this.link.call('admin:saveSettings', { settings, ...(force ? { force } : {}) });
  }

  private onHello(h: ConsoleHello): void {
    setClockOffset(h.serverTime - Date.now());
    setStationTimeZone(h.settings.timeZone);
    if (h.settings.volumes) this.sound.setVolumes(h.settings.volumes);
    this.set({ operator: h.operator, reference: this.sameOrNew(h.reference), journalProblems: h.journalProblems, settings: h.settings });
    this.awaitingResync = false;
    if (this.journalId !== undefined && this.journalId !== h.journalId) {
      // A different journal (the station was reset): what we hold belongs to another history.
      this.awaitingResync = true;
      this.set({ station: emptyState });
      this.link?.resync();
    }
    this.journalId = h.journalId;
    this.replica
      ?.bindJournal(h.journalId)
      .then(() => this.replica?.saveReference(h.reference))
      .catch((e: unknown) => console.error('replica write failed:', e));
  }

  /** The core sent the state at one seq (this console was far behind): it replaces what we held. */
  private onSnapshot(snap: StateSnapshot): void {
    this.awaitingResync = false;
    this.set({ station: fromSnapshot(snap) });
    this.replica?.saveSnapshot(snap).catch((e: unknown) => console.error('replica write failed:', e));
  }

  private onRecords(batch: JournalRecord[]): void {
    if (batch.length === 0 || this.awaitingResync) return;
    const start = this.s.station;
    // Records we already hold are skipped; a gap is never folded past: reconnect and ask for what is missing.
    const gapAt = batch.findIndex((r, i) => r.seq > (i === 0 ? start.seq : Math.max(start.seq, batch[i - 1]!.seq)) + 1);
    const usable = gapAt === -1 ? batch : batch.slice(0, gapAt);
    const st = foldRecords(usable, start);
    if (gapAt !== -1) {
      this.set({ station: st });
      this.link?.resync();
      return;
    }
    const before = this.s.station;
    // Records nobody waits to see (CALM_RECORDS) render with the next change, or within CALM_RENDER_MS: under a
    // storm they otherwise took a full render of their own after every alarm's.
    this.set(
      { station: st },
      batch.every((r) => CALM_RECORDS.has(r.event.type)),
    );
    for (const { event: e } of batch) {
      // Only new, still open alarms call for the OS's attention (not a catch-up of old ones).
      const inc = e.type === 'alarm.received' && !before.incidents.get(e.incidentId) ? st.incidents.get(e.incidentId) : undefined;
      if (inc && awaitsAcknowledgement(inc)) {
        const school = this.s.reference?.schools.find((x) => x.id === inc.schoolId);
        shell.notify('校园报警 School alarm', school?.name ?? inc.deviceId);
        shell.requestAttention();
      }
      if (e.type === 'incident.escalated' && !before.incidents.get(e.incidentId)?.escalatedAt) {
        const esc = st.incidents.get(e.incidentId);
        const school = esc && this.s.reference?.schools.find((x) => x.id === esc.schoolId);
        shell.notify('⚠ 报警超时未接警 Alarm not acknowledged', school?.name ?? e.incidentId);
        shell.requestAttention();
      }
    }
    this.replica?.addRecords(batch).catch((e: unknown) => console.error('replica write failed:', e));
  }

  /** A refusal as the officer reads it: the catalogue's text in the console's language (never the core's English). */
  private say(e: WireError): string {
    return refusalText(catalogues[storedLang()], e);
  }

  canAcknowledge(): boolean {
    return this.s.operator !== undefined && can(this.s.operator.role, 'incident.acknowledge');
  }

  async acknowledge(incidentId: string): Promise<string | undefined> {
    if (!this.link) return this.say(NOT_CONNECTED);
    const r = await this.link.call('acknowledge', { incidentId });
    return r.ok ? undefined : this.say(r.error);
  }

  async acknowledgeFault(deviceId: string, fault: ConsoleRequest<'acknowledgeFault'>['fault']): Promise<string | undefined> {
    if (!this.link) return this.say(NOT_CONNECTED);
    const r = await this.link.call('acknowledgeFault', { deviceId, fault });
    return r.ok ? undefined : this.say(r.error);
  }

  private mutedAlarms: ReadonlySet<string> = new Set();
  private muteTimer: ReturnType<typeof setTimeout> | undefined;

  /** Silences the alarm sound for MUTE_MS with a reason, once the core has journalled it (sound.muted). */
  async mute(reason: string): Promise<string | undefined> {
    if (!this.link) return this.say(NOT_CONNECTED);
    const r = await this.link.call('mute', { reason });
    if (!r.ok) return this.say(r.error);
    this.mutedAlarms = new Set([...this.s.station.incidents.values()].filter(isAlarming).map((i) => i.id));
    clearTimeout(this.muteTimer);
    this.muteTimer = setTimeout(() => this.set({ mutedUntil: undefined }), MUTE_MS);
    this.set({ mutedUntil: Date.now() + MUTE_MS });
    return undefined;
  }

  canHandle(): boolean {
    return this.s.operator !== undefined && can(this.s.operator.role, 'incident.handle');
  }

  /** Runs a lifecycle command; resolves to an error message, or undefined when the core accepted it. */
  async command<K extends LifecycleCommand>(name: K, req: ConsoleRequest<K>): Promise<string | undefined> {
    if (!this.link) return this.say(NOT_CONNECTED);
    const r = await this.link.call(name, req);
    return r.ok ? undefined : this.say(r.error);
  }

  canAdminister(): boolean {
    return this.s.operator !== undefined && can(this.s.operator.role, 'registry.manage');
  }

  /** Admin: returns the new token (shown once) or an error message. */
  async addTerminal(deviceId: string, schoolId: string, label: string): Promise<{ token?: string; error?: string }> {
    if (!this.link) return { error: this.say(NOT_CONNECTED) };
    const r = await this.link.call('admin:addTerminal', { deviceId, schoolId, label });
    return r.ok ? { token: r.token } : { error: this.say(r.error) };
  }
  async rotate(id: string): Promise<{ token?: string; error?: string }> {
    if (!this.link) return { error: this.say(NOT_CONNECTED) };
    const r = await this.link.call('admin:rotate', { id });
    return r.ok ? { token: r.token } : { error: this.say(r.error) };
  }
  /** Admin (issue 14): the operator accounts, or a refusal in the console's language. */
  async adminOperators(): Promise<{ operators: OperatorRow[] } | { error: string }> {
    if (!this.link) return { error: this.say(NOT_CONNECTED) };
    const r = await this.link.call('admin:operators', {});
    return r.ok ? { operators: r.operators } : { error: this.say(r.error) };
  }
  /** A new account: its temporary password (shown once) or an error. */
  async addOperator(req: ConsoleRequest<'admin:addOperator'>): Promise<{ password?: string; error?: string }> {
    if (!this.link) return { error: this.say(NOT_CONNECTED) };
    const r = await this.link.call('admin:addOperator', req);
    return r.ok ? { password: r.password } : { error: this.say(r.error) };
  }
  async updateOperator(req: ConsoleRequest<'admin:updateOperator'>): Promise<string | undefined> {
    if (!this.link) return this.say(NOT_CONNECTED);
    const r = await this.link.call('admin:updateOperator', req);
    return r.ok ? undefined : this.say(r.error);
  }
  async resetPassword(username: string): Promise<{ password?: string; error?: string }> {
    if (!this.link) return { error: this.say(NOT_CONNECTED) };
    const r = await this.link.call('admin:resetPassword', { username });
    return r.ok ? { password: r.password } : { error: this.say(r.error) };
  }
  async setOperatorDisabled(username: string, disabled: boolean): Promise<string | undefined> {
    if (!this.link) return this.say(NOT_CONNECTED);
    const r = await this.link.call('admin:setOperatorDisabled', { username, disabled });
    return r.ok ? undefined : this.say(r.error);
  }
  /** A new unit: its device token (shown once) when it has a device, or an error. */
  async addUnit(req: ConsoleRequest<'admin:addUnit'>): Promise<{ ok?: true; token?: string; error?: string }> {
    if (!this.link) return { error: this.say(NOT_CONNECTED) };
    const r = await this.link.call('admin:addUnit', req);
    return r.ok ? { ok: true, ...(r.token ? { token: r.token } : {}) } : { error: this.say(r.error) };
  }
  /** A unit's name, call sign, home, post or station changed. */
  async updateUnit(req: ConsoleRequest<'admin:updateUnit'>): Promise<string | undefined> {
    if (!this.link) return this.say(NOT_CONNECTED);
    const r = await this.link.call('admin:updateUnit', req);
    return r.ok ? undefined : this.say(r.error);
  }
  /** A school, guard post or police room added or edited. */
  async saveRecord(req: ConsoleRequest<'admin:saveRecord'>): Promise<string | undefined> {
    if (!this.link) return this.say(NOT_CONNECTED);
    const r = await this.link.call('admin:saveRecord', req);
    return r.ok ? undefined : this.say(r.error);
  }
  async deleteRecord(req: ConsoleRequest<'admin:deleteRecord'>): Promise<string | undefined> {
    if (!this.link) return this.say(NOT_CONNECTED);
    const r = await this.link.call('admin:deleteRecord', req);
    return r.ok ? undefined : this.say(r.error);
  }
  async setDisabled(id: string, disabled: boolean): Promise<string | undefined> {
    if (!this.link) return this.say(NOT_CONNECTED);
    const r = await this.link.call('admin:setDisabled', { id, disabled });
    return r.ok ? undefined : this.say(r.error);
  }

  /**
   * Admin: imports reference data, all or nothing (docs/data-exchange.md). A file too big for one socket frame
   * (SOCKET_FRAME_BYTES, 1 MiB, shared/limits.ts) is refused here, with the same answer the core would give, instead of being sent.
   */
  async importData(kind: DataKind, format: DataFormat, text: string): Promise<ImportAck> {
    if (!this.link) return { ok: false, error: { code: 'unreachable', message: this.say(NOT_CONNECTED) } };
    if (utf8Bytes(JSON.stringify(text)) > MAX_IMPORT_FRAME_TEXT_BYTES) {
      const local = parseImport(kind, format, text); // answers "too large" when the file is over the cap
      const reason = 'the file is too large to send in one piece (at most about 1 MB with quotes and line breaks escaped): split it into several files';
      const details = local.ok ? [{ line: 0, field: '', reason }] : local.errors;
      return { ok: false, error: { code: 'invalid_payload', message: 'nothing was changed', details } };
    }
    return this.link.call('admin:import', { kind, format, text });
  }
  /** Admin: one kind of reference data as CSV or JSON text, without secrets. */
  async exportData(kind: DataKind, format: DataFormat): Promise<ExportAck> {
    if (!this.link) return { ok: false, error: { code: 'unreachable', message: this.say(NOT_CONNECTED) } };
    return this.link.call('admin:export', { kind, format });
  }

  canTrain(): boolean {
    return this.s.operator !== undefined && can(this.s.operator.role, 'training.run');
  }
  canViewStats(): boolean {
    return this.s.operator !== undefined && can(this.s.operator.role, 'stats.view');
  }
  /** The response-time statistics of a period, computed by the core (read only). */
  async stats(req: ConsoleRequest<'stats'>): Promise<StatsAck> {
    if (!this.link) return { ok: false, error: { code: 'unreachable', message: this.say(NOT_CONNECTED) } };
    return this.link.call('stats', req);
  }

  canViewHistory(): boolean {
    return this.s.operator !== undefined && can(this.s.operator.role, 'history.view');
  }
  /** A page of the incident history, served by the core (read only). */
  async history(req: ConsoleRequest<'history'>): Promise<HistoryAck> {
    if (!this.link) return { ok: false, error: { code: 'unreachable', message: this.say(NOT_CONNECTED) } };
    return this.link.call('history', req);
  }
  canRecordPlan(): boolean {
    return this.s.operator !== undefined && can(this.s.operator.role, 'plan.record');
  }
  /** Records a joint inspection and its hidden dangers; a refusal in the console's language. */
  async recordInspection(req: ConsoleRequest<'inspection:record'>): Promise<string | undefined> {
    if (!this.link) return this.say(NOT_CONNECTED);
    const r = await this.link.call('inspection:record', req);
    return r.ok ? undefined : this.say(r.error);
  }
  /** A hidden danger rectified; a refusal in the console's language. */
  async closeFinding(req: ConsoleRequest<'inspection:close'>): Promise<string | undefined> {
    if (!this.link) return this.say(NOT_CONNECTED);
    const r = await this.link.call('inspection:close', req);
    return r.ok ? undefined : this.say(r.error);
  }
  /** The plan's records of a semester: inspections, registered drills, post shifts, terminal outages (read only). */
  async plan(req: ConsoleRequest<'plan'>): Promise<PlanAck> {
    if (!this.link) return { ok: false, error: { code: 'unreachable', message: this.say(NOT_CONNECTED) } };
    return this.link.call('plan', req);
  }
  /** Registers a drill the school held itself; a refusal in the console's language. */
  async registerDrill(req: ConsoleRequest<'drill:register'>): Promise<string | undefined> {
    if (!this.link) return this.say(NOT_CONNECTED);
    const r = await this.link.call('drill:register', req);
    return r.ok ? undefined : this.say(r.error);
  }
  /** Keeps a training run's result at the station (training:record); a refusal in the console's language. */
  async recordTraining(req: ConsoleRequest<'training:record'>): Promise<string | undefined> {
    if (!this.link) return this.say(NOT_CONNECTED);
    const r = await this.link.call('training:record', req);
    return r.ok ? undefined : this.say(r.error);
  }
  /** The training results kept at the station, newest first (one trainee's when named); a refusal in the console's language. */
  async trainingResults(trainee?: string): Promise<{ results: TrainingResult[] } | { error: string }> {
    if (!this.link) return { error: this.say(NOT_CONNECTED) };
    const r = await this.link.call('training:results', { trainee: trainee ?? '' });
    return r.ok ? { results: r.results } : { error: this.say(r.error) };
  }
  /** Announces a school's drill window (演练报备); a refusal in the console's language. */
  async registerDrillWindow(req: ConsoleRequest<'drillWindow:register'>, opts: { fromFile?: boolean } = {}): Promise<string | undefined> {
    if (!this.link) return this.say(NOT_CONNECTED);
    // A file's rows go one by one: beyond the session's command budget each waits its turn instead of stopping the file.
    const r = await this.link.call('drillWindow:register', req, { patient: opts.fromFile === true });
    return r.ok ? undefined : this.say(r.error);
  }
  /** Withdraws an announced drill; a refusal in the console's language. */
  async cancelDrillWindow(req: ConsoleRequest<'drillWindow:cancel'>): Promise<string | undefined> {
    if (!this.link) return this.say(NOT_CONNECTED);
    const r = await this.link.call('drillWindow:cancel', req);
    return r.ok ? undefined : this.say(r.error);
  }
  /** Checks a guard post in or out; a refusal in the console's language. */
  async checkPost(req: ConsoleRequest<'post:check'>): Promise<string | undefined> {
    if (!this.link) return this.say(NOT_CONNECTED);
    const r = await this.link.call('post:check', req);
    return r.ok ? undefined : this.say(r.error);
  }
  /** Whether a PDF can be saved directly (the desktop app), not only through the print dialog. */
  canSavePdf(): boolean {
    return inDesktopApp();
  }
  /** The page as printed, to a PDF file the user picks (the desktop shell's printToPDF). */
  savePdf(suggestedName: string): Promise<SavePdfResult> {
    return shell.savePdf(suggestedName);
  }
  /** One incident whole, with its timeline, from the core (read only). */
  async incidentWhole(incidentId: string): Promise<IncidentAck> {
    if (!this.link) return { ok: false, error: { code: 'unreachable', message: this.say(NOT_CONNECTED) } };
    return this.link.call('incident', { incidentId });
  }

  /**
   * Reference data equal to what the console holds keeps its identity: every reconnect sends it again, and a
   * new object would make the map rebuild 1,000 school markers and lose the units' trails.
   */
  private sameOrNew(r: ReferenceData): ReferenceData {
    const cur = this.s.reference;
    return cur && JSON.stringify(cur) === JSON.stringify(r) ? cur : r;
  }

  /** Called once an incident has been rendered on this console. */
  reportShown(incidentId: string): void {
    if (this.reportedShown.has(incidentId) || !this.link || !this.canAcknowledge()) return;
    this.reportedShown.add(incidentId);
    void this.link.call('shown', { incidentId }).then((r) => {
      if (!r.ok) this.reportedShown.delete(incidentId);
    });
  }

  unlockSound(): void {
    this.sound.unlock();
  }
}

let store: ConsoleStore | undefined;
export function getStore(): ConsoleStore {
  store ??= new ConsoleStore();
  return store;
}

export function useConsole(): ConsoleState {
  const s = getStore();
  return useSyncExternalStore(s.subscribe, () => s.state);
}

/**
 * One part of the console's state: the component renders again only when that part changes (by identity), not on
 * every record as with useConsole(). `pick` must return a part of the state, not build a new object.
 */
export function useConsolePart<T>(pick: (s: ConsoleState) => T): T {
  const s = getStore();
  return useSyncExternalStore(s.subscribe, () => pick(s.state));
}

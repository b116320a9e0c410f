// renderer/ (adapter) — the one link to the station core: login over HTTP, then the `/console` socket.
// Identical in Electron and in a browser (the core serves the page, so everything is same-origin).
import { io, type Socket } from 'socket.io-client';
import type { CommandAck, ConsoleClientEvents, ConsoleHello, ConsoleServerEvents, DeviceHealth, ExportAck, HealthChange, ImportAck, LoginResponse, SecretAck, UnitLive } from '../../shared/consoleApi';
import type { DataFormat, DataKind } from '../../shared/dataExchange';
import type { AlarmReceived, JournalRecord } from '../../shared/events';
import type { StateSnapshot } from '../../shared/incidents';

export interface LinkHandlers {
  hello(h: ConsoleHello): void;
  records(batch: JournalRecord[]): void;
  /** The state at one seq, for a console too far behind to catch up record by record. */
  snapshot(s: StateSnapshot): void;
  journalProblems(problems: string[]): void;
  volatile(alarms: AlarmReceived[]): void;
  health(devices: DeviceHealth[]): void;
  healthChanged(change: HealthChange): void;
  units(units: UnitLive[]): void;
  reference(r: ConsoleHello['reference']): void;
  connection(online: boolean): void;
  /** The session was refused: back to the login screen. */
  unauthorized(): void;
}

export type LifecycleCommand = 'note' | 'callBack' | 'takeOver' | 'dispatch' | 'cancelDispatch' | 'progress' | 'resolve' | 'reopen' | 'admin:setTargets';

export interface StationLink {
  acknowledge(incidentId: string): Promise<CommandAck>;
  shown(incidentId: string): Promise<CommandAck>;
  acknowledgeFault(deviceId: string, fault: string): Promise<CommandAck>;
  /** An incident lifecycle command (note, callBack, takeOver, dispatch, cancelDispatch, progress, resolve, reopen, admin:setTargets). */
  command(name: LifecycleCommand, req: Record<string, unknown>): Promise<CommandAck>;
  addTerminal(deviceId: string, schoolId: string, label: string): Promise<SecretAck>;
  rotate(id: string): Promise<SecretAck>;
  setDisabled(id: string, disabled: boolean): Promise<CommandAck>;
  /** Admin data exchange; an import that issues many tokens may take a while, so it waits longer than commands. */
  importData(req: { kind: DataKind; format: DataFormat; text: string }): Promise<ImportAck>;
  exportData(req: { kind: DataKind; format: DataFormat }): Promise<ExportAck>;
  /** Reconnect, asking for everything after the current seq (used when a gap is seen). */
  resync(): void;
  close(): void;
}

export async function login(username: string, password: string): Promise<LoginResponse> {
  try {
    const res = await fetch('api/login', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username, password }) });
    return (await res.json()) as LoginResponse;
  } catch (e) {
    return { ok: false, error: { code: 'network', message: `无法连接接警中心 / cannot reach the station: ${(e as Error).message}` } };
  }
}

/** Ends the session at the station (its consoles elsewhere are disconnected too). Best effort: logging out never waits on it. */
export async function logout(session: string | null): Promise<void> {
  if (!session) return;
  try {
    await fetch('api/logout', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ session }) });
  } catch (e) {
    console.warn('logout: the station was not told:', e);
  }
}

const COMMAND_TIMEOUT_MS = 8000;
/** Up to 2,000 new device tokens, each a scrypt hash, plus checking 20,000 rows in slices. */
const IMPORT_TIMEOUT_MS = 120_000;

export function connect(session: string, since: () => number, h: LinkHandlers): StationLink {
  const socket: Socket<ConsoleServerEvents, ConsoleClientEvents> = io('/console', {
    // Called on every (re)connection, so the core always sends exactly what this console lacks.
    auth: (cb) => cb({ session, since: since() }),
    transports: ['websocket'],
    reconnectionDelay: 250,
    reconnectionDelayMax: 2000,
  });
  socket.on('connect', () => h.connection(true));
  socket.on('disconnect', (reason) => {
    h.connection(false);
    // The station cut this console off (session ended, operator disabled or role changed): socket.io does not
    // reconnect by itself then. Reconnecting runs the handshake again: refused → the login screen, else live again.
    if (reason === 'io server disconnect') socket.connect();
  });
  socket.on('connect_error', (e) => {
    h.connection(false);
    if (e.message === 'unauthorized') {
      socket.close();
      h.unauthorized();
    }
  });
  socket.on('hello', h.hello);
  socket.on('records', h.records);
  socket.on('snapshot', h.snapshot);
  socket.on('journalProblems', h.journalProblems);
  socket.on('record', (r) => h.records([r]));
  socket.on('volatile', h.volatile);
  socket.on('health', h.health);
  socket.on('healthChanged', h.healthChanged);
  socket.on('units', h.units);
  socket.on('reference', h.reference);

  const noAnswer = (e: Error): CommandAck => ({ ok: false, error: { code: 'not_durable', message: `接警中心无应答 / no answer from the station: ${e.message}` } });
  const command = (name: 'acknowledge' | 'shown', incidentId: string): Promise<CommandAck> =>
    socket
      .timeout(COMMAND_TIMEOUT_MS)
      .emitWithAck(name, { incidentId })
      .catch((e: Error) => ({ ok: false as const, error: { code: 'not_durable' as const, message: `接警中心无应答 / no answer from the station: ${e.message}` } }));

  return {
    acknowledge: (id) => command('acknowledge', id),
    shown: (id) => command('shown', id),
    command: (name, req) =>
      (socket.timeout(COMMAND_TIMEOUT_MS).emitWithAck as (ev: string, r: unknown) => Promise<CommandAck>)(name, req).catch(noAnswer),
    addTerminal: (deviceId, schoolId, label) => socket.timeout(COMMAND_TIMEOUT_MS).emitWithAck('admin:addTerminal', { deviceId, schoolId, label }).catch(noAnswer),
    rotate: (id) => socket.timeout(COMMAND_TIMEOUT_MS).emitWithAck('admin:rotate', { id }).catch(noAnswer),
    setDisabled: (id, disabled) => socket.timeout(COMMAND_TIMEOUT_MS).emitWithAck('admin:setDisabled', { id, disabled }).catch(noAnswer),
    importData: (req) => socket.timeout(IMPORT_TIMEOUT_MS).emitWithAck('admin:import', req).catch(noAnswer),
    exportData: (req) => socket.timeout(COMMAND_TIMEOUT_MS).emitWithAck('admin:export', req).catch(noAnswer),
    acknowledgeFault: (deviceId, fault) => socket.timeout(COMMAND_TIMEOUT_MS).emitWithAck('acknowledgeFault', { deviceId, fault }).catch(noAnswer),
    resync() {
      socket.disconnect();
      socket.connect();
    },
    close() {
      socket.close();
    },
  };
}

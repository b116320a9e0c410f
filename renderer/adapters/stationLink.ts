// renderer/ (adapter) — the one link to the station core: login over HTTP, then the `/console` socket.
// Identical in Electron and in a browser (the core serves the page, so everything is same-origin).
import { io, type Socket } from 'socket.io-client';
import type {
  ConsoleAuth,
  ConsoleHello,
  ConsoleServerEvents,
  DeviceHealth,
  HealthChange,
  LoginRequest,
  LoginResponse,
  UnitLive,
} from '../../shared/consoleApi';
import { parseAnswer, READ_ONLY_COMMANDS, type AnswerOf, type CommandName, type ConsoleRequest } from '../../shared/consoleContract';
import type { AlarmReceived, JournalRecord } from '../../shared/events';
import type { Refusal } from '../../shared/protocol';
import type { StateSnapshot } from '../../shared/incidents';
import type { TrainingAssignment, TrainingUnitUpdate } from '../../shared/training';

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
  /** A trainer sent this console a training run. */
  training(a: TrainingAssignment): void;
  /** A real unit on this operator's training job answered or moved. */
  trainingUnit(u: TrainingUnitUpdate): void;
  /** The station's settings changed (map source, volumes …). */
  settings(s: ConsoleHello['settings']): void;
  connection(online: boolean): void;
  /** The session was refused: back to the login screen. */
  unauthorized(): void;
}

export type { LifecycleCommand } from '../../shared/consoleContract';

/** A read is asked again this many times at most (6.5 s of waiting in all); a patient write, for ~1 min. */
const READ_ATTEMPTS = 9;
const PATIENT_ATTEMPTS = 60;
const isRefusal = (x: unknown, code: string): boolean =>
  typeof x === 'object' && x !== null && (x as { ok?: unknown }).ok === false && (x as { error?: { code?: unknown } }).error?.code === code;

/**
 * Asks once. The core answers a session's commands beyond its budget `rate_limited` (main/gateway/gateway.ts) and
 * runs nothing of them: a read (READ_ONLY_COMMANDS), or a write its caller says is `patient`, is then asked again
 * after 250 ms, 500 ms … (at most 1 s apart), so an export of 10,000 incidents a page at a time, or a file of drill
 * windows a row at a time, is not cut short. Any other write's refusal is returned at once.
 */
export async function askAgainIfLimited<T>(
  name: CommandName,
  ask: () => Promise<T>,
  o: { patient?: boolean; wait?: (ms: number) => Promise<void> } = {},
): Promise<T> {
  const wait = o.wait ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const attempts = o.patient ? PATIENT_ATTEMPTS : READ_ONLY_COMMANDS.has(name) ? READ_ATTEMPTS : 1;
  for (let attempt = 1; ; attempt++) {
    const answer = await ask();
    if (!(attempt < attempts && isRefusal(answer, 'rate_limited'))) return answer;
    await wait(Math.min(1000, 250 * attempt));
  }
}

export interface CallOptions {
  /**
   * A write that is one of many sent in a row (a file's rows): refused `rate_limited`, it is sent again like a read
   * (the core ran nothing of a command it refused so).
   */
  patient?: boolean;
}

export interface StationLink {
  /**
   * One console command (shared/consoleContract.ts) and its answer. No answer in time, or one that does not match
   * the contract, is answered here as a refusal: the caller always gets an answer of the command's type.
   */
  call<K extends CommandName>(name: K, req: ConsoleRequest<K>, opts?: CallOptions): Promise<AnswerOf<K>>;
  /** Reconnect, asking for everything after the current seq (used when a gap is seen). */
  resync(): void;
  close(): void;
}

/** Logs in; `newPassword` is the operator's own password at the forced change (a new or reset account). */
export async function login(username: string, password: string, newPassword?: string): Promise<LoginResponse> {
  try {
    const body: LoginRequest = { username, password, ...(newPassword !== undefined ? { newPassword } : {}) };
    const res = await fetch('api/login', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    return (await res.json()) as LoginResponse;
  } catch (e) {
    return { ok: false, error: { code: 'unreachable', message: `无法连接接警中心 / cannot reach the station: ${(e as Error).message}` } };
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
/** Longer waits: an import issues up to 2,000 device tokens, each a scrypt hash, and checks 20,000 rows in slices. */
const TIMEOUT_MS: Partial<Record<CommandName, number>> = { 'admin:import': 120_000 };

/**
 * The socket as it is on the wire: a command goes out as its name and one payload, and its answer comes back as
 * whatever the station sent, until `call` has checked it against the contract.
 */
type ConsoleWireEvents = Record<CommandName, (req: unknown, ack: (answer: unknown) => void) => void>;

/** Every command's answer may be a refusal (checked per command here: the link's own refusals are one of them). */
type EveryAnswerRefusable = { [K in CommandName]: Refusal extends AnswerOf<K> ? true : never };
const everyAnswerRefusable: EveryAnswerRefusable[CommandName] = true;
void everyAnswerRefusable;

/**
 * The link's own refusal (no answer, an answer not understood) as the command's answer type. A cast: with 40-odd
 * commands tsc cannot check a literal against a generic command's answer union (TS2590); EveryAnswerRefusable does.
 */
function linkRefusal<K extends CommandName>(code: 'unreachable' | 'internal', message: string): AnswerOf<K> {
  const r: Refusal = { ok: false, error: { code, message } };
  return r as AnswerOf<K>;
}

/**
 * This page's id (ConsoleAuth.page): new at each load, the same over every reconnection of it. Random bytes from
 * getRandomValues, which a console served over plain http on the station's LAN has too (randomUUID needs https).
 */
const PAGE_ID = Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');

export function connect(session: string, since: () => number, h: LinkHandlers): StationLink {
  const socket: Socket<ConsoleServerEvents, ConsoleWireEvents> = io('/console', {
    // Called on every (re)connection, so the core always sends exactly what this console lacks.
    auth: (cb) => cb({ session, since: since(), page: PAGE_ID } satisfies ConsoleAuth),
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
  socket.on('training', h.training);
  socket.on('trainingUnit', h.trainingUnit);
  socket.on('settings', h.settings);

  const link: StationLink = {
    async call<K extends CommandName>(name: K, req: ConsoleRequest<K>, opts: CallOptions = {}): Promise<AnswerOf<K>> {
      // socket.io's typings cannot follow a generic event name; on the wire every command is (name, payload), and
      // the answer is typed by checking it against the contract below, not by trusting the socket.
      // (Seen through one untyped event: the union of every command's emit overload grew too complex for tsc.)
      const ev: CommandName = name;
      const wire = socket as unknown as { timeout(ms: number): { emitWithAck(ev: string, req: unknown): Promise<unknown> } };
      return askAgainIfLimited(
        name,
        async () => {
          let ans: unknown;
          try {
            ans = await wire.timeout(TIMEOUT_MS[name] ?? COMMAND_TIMEOUT_MS).emitWithAck(ev, req);
          } catch (e) {
            return linkRefusal<K>('unreachable', `接警中心无应答 / no answer from the station: ${(e as Error).message}`);
          }
          const parsed = parseAnswer(name, ans);
          if (parsed.ok) return parsed.value;
          console.error(`station link: ${parsed.error.message}`);
          return linkRefusal<K>('internal', `接警中心的应答无法识别 / the station's answer was not understood (${parsed.error.message})`);
        },
        { patient: opts.patient === true },
      );
    },
    resync() {
      socket.disconnect();
      socket.connect();
    },
    close() {
      socket.close();
    },
  };
  return link;
}

// test/protocol — helpers for the station protocol v1 conformance suite: the REAL core (startCore) in-process,
// on a free port and a fresh data folder, and real socket.io-client (or raw WebSocket) connections to it.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { io, type Socket } from 'socket.io-client';
import WebSocket from 'ws';
import { build } from 'esbuild';
import type { AdmissionLimits } from '../../main/gateway/admission';
import type { FrontLimits } from '../../main/gateway/front';
import { loadConfig } from '../../main/config';
import { startCore, type RunningCore } from '../../main/server';
import { loadDemoRegistry, type DemoCredentials } from '../../main/demo';
import type { JournalRecord, OperatorRef, StationEvent } from '../../shared/events';
import type { AlarmStatus } from '../../shared/protocol';
import type { ConsoleHello } from '../../shared/consoleApi';

export const ROOT = path.resolve(import.meta.dirname, '..', '..');

/** For beforeAll(startTestCore): the first file of a run may have to make the demo template (see below). */
export const START_TIMEOUT = 60_000;

/** The error codes of the spec ("Transport"), and nothing else. */
export const SPEC_CODES = ['invalid_payload', 'unknown_alarm', 'rate_limited', 'not_durable', 'forbidden'] as const;
export const SPEC_KINDS = ['panic', 'intrusion', 'violence', 'fire', 'medical', 'test', 'other'] as const;
export const SPEC_ALARM_STATES = ['received', 'acknowledged', 'dispatched', 'on_scene', 'resolved'] as const;
export const SPEC_UNIT_STATES = ['available', 'en_route', 'on_scene', 'busy', 'off_duty'] as const;

export const OFFICER: OperatorRef = { username: 'officer', displayName: 'x', role: 'officer' };

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Records the core writes on its own clock (its supervision timer, once a second): a device going offline after
 * 3 silent heartbeat intervals, an unacknowledged alarm escalating past the acknowledge target. No message causes
 * them, so "a refusal changes nothing" is checked on the other records; supervision.test.ts tests these.
 */
export const TIMER_EVENTS: ReadonlySet<string> = new Set(['device.offline', 'incident.escalated']);

export interface TestCore {
  core: RunningCore;
  /** http://127.0.0.1:PORT (no trailing slash). */
  url: string;
  dataDir: string;
  creds: DemoCredentials;
  /** Every journal record. */
  records(): readonly JournalRecord[];
  /** How many records messages have caused so far (all but TIMER_EVENTS). */
  count(): number;
  /** The events messages caused after `count()` was `from`. */
  eventsSince(from: number): StationEvent[];
  close(): Promise<void>;
}

export interface CoreOptions {
  heartbeatMs?: number;
  /** The station clock (startCore's second argument); defaults to Date.now. */
  now?: () => number;
  env?: Record<string, string>;
  /** Connection bounds (startCore's options.limits, main/gateway/admission.ts); defaults to the core's. */
  limits?: Partial<AdmissionLimits>;
  /** Each device's read budget (startCore's options.deviceReads); defaults to the core's. */
  deviceReads?: { perSecond: number; burst: number };
  /**
   * Connections through the front process (main/gateway/front.ts), as `npm start` runs the core; the core
   * listens itself otherwise. STATION_TEST_FRONT=1 runs every file of the suite through it.
   */
  front?: boolean | Partial<FrontLimits>;
  /** More command-line flags for loadConfig (e.g. --demo-stations). */
  args?: string[];
}

/** The front process's script, bundled from main/front.ts into the temp folder once per version of its code. */
export async function frontScript(): Promise<string> {
  const sources = ['main/front.ts', 'main/gateway/front.ts', 'main/gateway/aging.ts'];
  const text = sources.map((f) => fs.readFileSync(path.join(ROOT, f), 'utf8')).join('\0');
  const hash = crypto.createHash('sha256').update(text).digest('hex').slice(0, 16);
  const file = path.join(os.tmpdir(), `station-front-${hash}.mjs`);
  if (fs.existsSync(file)) return file;
  const tmp = `${file}.${process.pid}.tmp`;
  await build({
    entryPoints: [path.join(ROOT, 'main', 'front.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile: tmp,
    logLevel: 'warning',
  });
  fs.renameSync(tmp, file); // whole or not at all, when test files build it at once
  return file;
}

/**
 * The demo county hashes ~50 credentials with scrypt; on a 2-CPU machine that takes many seconds per core. So the
 * demo registry and its credentials are made once (by whichever test file comes first; the others wait) for each
 * version of the code that makes them, and copied into each file's fresh data folder, where `--demo` loads them as
 * it does on a second start.
 */
export async function demoTemplate(): Promise<string> {
  const sources = ['shared/sampleCounty.ts', 'shared/model.ts', 'main/demo.ts', 'main/core/registry.ts', 'main/core/secrets.ts'];
  const text = sources.map((f) => fs.readFileSync(path.join(ROOT, f), 'utf8')).join('\0');
  const hash = crypto.createHash('sha256').update(text).digest('hex').slice(0, 16);
  const dir = path.join(os.tmpdir(), `station-protocol-demo-${hash}`);
  const ready = path.join(dir, 'ready');
  if (fs.existsSync(ready)) return dir;
  // A maker that died half-way leaves a folder without `ready`: take it over after a while.
  if (fs.existsSync(dir) && Date.now() - fs.statSync(dir).mtimeMs > 120_000) fs.rmSync(dir, { recursive: true, force: true });
  let mine = false;
  try {
    fs.mkdirSync(dir);
    mine = true;
  } catch {
    /* another test file is making it */
  }
  if (mine) {
    for (const old of fs.readdirSync(os.tmpdir())) {
      const p = path.join(os.tmpdir(), old);
      if (old.startsWith('station-protocol-demo-') && p !== dir && Date.now() - fs.statSync(p).mtimeMs > 86_400_000)
        fs.rmSync(p, { recursive: true, force: true });
    }
    try {
      await loadDemoRegistry(dir, path.join(ROOT, 'assets'));
    } catch (e) {
      fs.rmSync(dir, { recursive: true, force: true });
      throw e;
    }
    fs.writeFileSync(ready, '');
    return dir;
  }
  await waitFor('the demo template', () => fs.existsSync(ready), 60_000, 50);
  return dir;
}

/** startCore(loadConfig(['--demo', '--port', '0', '--data-dir', <fresh tmp>], env, ROOT/dist)). */
/**
 * STATION_TEST_CLUSTER=nats://…,… runs every test core in cluster mode (docs/scaling.md) on those NATS servers, each on
 * a stream of its own: the conformance suite against the replicated journal instead of the file.
 */
function clusterEnv(): Record<string, string> {
  const servers = process.env.STATION_TEST_CLUSTER;
  if (!servers) return {};
  const id = crypto.randomBytes(6).toString('hex');
  return { STATION_CLUSTER_NATS: servers, STATION_CLUSTER_STREAM: `T${id}`, STATION_CLUSTER_NAME: `test-${id}` };
}

export async function startTestCore(opts: CoreOptions = {}): Promise<TestCore> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'station-protocol-'));
  const template = await demoTemplate();
  for (const f of ['demo-registry.json', 'demo-credentials.json']) fs.copyFileSync(path.join(template, f), path.join(dataDir, f));
  const env: Record<string, string> = { STATION_HEARTBEAT_MS: String(opts.heartbeatMs ?? 30_000), ...clusterEnv(), ...opts.env };
  const config = loadConfig(['--demo', '--port', '0', '--data-dir', dataDir, ...(opts.args ?? [])], env, path.join(ROOT, 'dist'));
  const front = opts.front ?? process.env.STATION_TEST_FRONT === '1';
  const core = await startCore(config, opts.now, {
    ...(front ? { front: { script: await frontScript(), ...(typeof front === 'object' ? { limits: front } : {}) } } : {}),
    ...(opts.limits ? { limits: opts.limits } : {}),
    ...(opts.deviceReads ? { deviceReads: opts.deviceReads } : {}),
  });
  const creds = JSON.parse(fs.readFileSync(core.credentialsFile!, 'utf8')) as DemoCredentials;
  const url = `${core.url.replace(/\/$/, '')}`;
  const caused = (): StationEvent[] => core.station.journal.records.map((r) => r.event).filter((e) => !TIMER_EVENTS.has(e.type));
  return {
    core,
    url,
    dataDir,
    creds,
    records: () => core.station.journal.records,
    count: () => caused().length,
    eventsSince: (from) => caused().slice(from),
    close: async () => {
      await core.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export type Namespace = '/terminal' | '/unit';

export interface ConnectOptions {
  /** Source address of the TCP connection: 127.0.0.x, to stand for different hosts (or one NAT). */
  localAddress?: string;
  transports?: ('websocket' | 'polling')[];
  reconnection?: boolean;
  /** Listeners registered before the connection opens (e.g. alarm:status). */
  before?: (s: Socket) => void;
  ca?: string;
}

export function client(url: string, nsp: Namespace, auth: unknown, o: ConnectOptions = {}): Socket {
  return io(url + nsp, {
    auth: auth as Record<string, unknown>,
    transports: o.transports ?? ['websocket'],
    reconnection: o.reconnection ?? false,
    reconnectionDelay: 100,
    reconnectionDelayMax: 200,
    forceNew: true,
    ...(o.localAddress ? { localAddress: o.localAddress } : {}),
    ...(o.ca ? { ca: o.ca } : {}),
  } as Parameters<typeof io>[1]);
}

/** Connects and resolves with the socket, or rejects with the connect_error. */
export function connect(url: string, nsp: Namespace, auth: unknown, o: ConnectOptions = {}): Promise<Socket> {
  const s = client(url, nsp, auth, o);
  o.before?.(s);
  return new Promise((resolve, reject) => {
    s.once('connect', () => resolve(s));
    s.once('connect_error', (e) => {
      s.close();
      reject(e);
    });
  });
}

export interface HandshakeOutcome {
  /** 'connected', or the connect_error message. */
  result: string;
  /** connect_error's `data` (the spec says: nothing more than the message). */
  data: unknown;
  /** Every key of the connect_error besides the standard Error ones. */
  extraKeys: string[];
  ms: number;
}

export function tryHandshake(url: string, nsp: Namespace, auth: unknown, o: ConnectOptions = {}): Promise<HandshakeOutcome> {
  const t0 = performance.now();
  const s = client(url, nsp, auth, o);
  return new Promise((resolve) => {
    s.once('connect', () => {
      s.close();
      resolve({ result: 'connected', data: undefined, extraKeys: [], ms: performance.now() - t0 });
    });
    s.once('connect_error', (e: Error & { data?: unknown }) => {
      s.close();
      resolve({ result: e.message, data: e.data, extraKeys: Object.keys(e).filter((k) => k !== 'data'), ms: performance.now() - t0 });
    });
  });
}

let nextHost = 2;
/** A loopback source address not used yet in this file (127.0.0.0/8 all reaches the station on 127.0.0.1). */
/**
 * A demo operator's console: logged in over HTTP, then `/console` with the session, once its `hello` is in. `listen`
 * is attached before the connection, so no event after the hello is missed.
 */
export async function operatorConsole(
  t: Pick<TestCore, 'url' | 'creds'>,
  who: { role?: string; username?: string },
  listen: (s: Socket) => void = () => undefined,
  /** More of the console's auth (ConsoleAuth), e.g. its page id. */
  auth: { page?: string } = {},
): Promise<{ s: Socket; hello: ConsoleHello }> {
  const op = t.creds.operators.find((o) => (who.username !== undefined ? o.username === who.username : o.role === who.role));
  if (!op) throw new Error(`no demo operator ${JSON.stringify(who)}`);
  const res = await fetch(`${t.url}/api/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username: op.username, password: op.password }),
  });
  const { session } = (await res.json()) as { session: string };
  const s = io(`${t.url}/console`, { auth: { session, since: 0, ...auth }, transports: ['websocket'], reconnection: false, forceNew: true });
  listen(s);
  const hello = await new Promise<ConsoleHello>((resolve, reject) => {
    s.once('hello', resolve);
    s.once('connect_error', reject);
  });
  return { s, hello };
}

export function freshAddress(): string {
  const n = nextHost++;
  return `127.0.${Math.floor(n / 250)}.${(n % 250) + 2}`;
}

export const terminalAuth = (t: { deviceId: string; token: string }): { deviceId: string; token: string } => ({ deviceId: t.deviceId, token: t.token });
export const unitAuth = (u: { unitId: string; token: string }): { unitId: string; token: string } => ({ unitId: u.unitId, token: u.token });

/** emit with an ack callback; rejects after `ms` without an answer. */
export function ask(s: Socket, event: string, payload: unknown, ms = 3000): Promise<unknown> {
  return s.timeout(ms).emitWithAck(event, payload);
}

export function collectStatuses(s: Socket): AlarmStatus[] {
  const list: AlarmStatus[] = [];
  s.on('alarm:status', (x: AlarmStatus) => list.push(x));
  return list;
}

export async function waitFor<T>(what: string, f: () => T | undefined | false, timeoutMs = 3000, stepMs = 10): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = f();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(stepMs);
  }
}

/**
 * Mirrors the station's per-device token bucket for non-alarm messages (5 per second, bursts of 20; main/core/station.ts)
 * with a little margin, so a test sends as fast as it may and is never answered rate_limited by accident.
 */
export class Pacer {
  private tokens: number;
  private at = Date.now();
  constructor(
    private readonly perSecond = 5,
    private readonly burst = 18,
  ) {
    this.tokens = burst;
  }
  async take(n = 1): Promise<void> {
    for (;;) {
      const now = Date.now();
      this.tokens = Math.min(this.burst, this.tokens + ((now - this.at) / 1000) * this.perSecond);
      this.at = now;
      if (this.tokens >= n) {
        this.tokens -= n;
        return;
      }
      await sleep(((n - this.tokens) / this.perSecond) * 1000 + 10);
    }
  }
  /** After a deliberate flood the station's bucket is empty. */
  drain(): void {
    this.tokens = 0;
    this.at = Date.now();
  }
}

let alarmSeq = 0;
/** A fresh alarmId (charset of the spec). */
export const newAlarmId = (prefix = 'A'): string => `${prefix}-${process.pid}-${Date.now().toString(36)}-${++alarmSeq}`;

export const validAlarm = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  alarmId: newAlarmId(),
  kind: 'panic',
  raisedAt: Date.now() - 200,
  ...extra,
});

/** The shape of every refusal in the spec: { ok: false, error: { code ∈ codes, message: non-empty string } }. */
export function isSpecRefusal(x: unknown, code?: string): boolean {
  if (typeof x !== 'object' || x === null) return false;
  const r = x as { ok?: unknown; error?: { code?: unknown; message?: unknown } };
  if (r.ok !== false || typeof r.error !== 'object' || r.error === null) return false;
  if (!(SPEC_CODES as readonly unknown[]).includes(r.error.code)) return false;
  if (typeof r.error.message !== 'string' || r.error.message.length === 0) return false;
  return code === undefined || r.error.code === code;
}

// --- a raw Engine.IO v4 / Socket.IO v5 client over a WebSocket, for frame-level tests and the doc's frames ---

export interface RawSocket {
  ws: WebSocket;
  /** Every text frame received, in order (pings are answered automatically but also kept). */
  frames: string[];
  send(frame: string): void;
  /** Waits for the next frame (after `from`) that matches. */
  next(match: (f: string) => boolean, timeoutMs?: number, from?: number): Promise<string>;
  closed: Promise<{ code: number; reason: string }>;
  isOpen(): boolean;
  close(): void;
}

export async function rawConnect(url: string, o: { localAddress?: string; answerPings?: boolean } = {}): Promise<RawSocket> {
  const wsUrl = url.replace(/^http/, 'ws') + '/socket.io/?EIO=4&transport=websocket';
  const ws = new WebSocket(wsUrl, o.localAddress ? { localAddress: o.localAddress } : {});
  const frames: string[] = [];
  const waiters = new Set<() => void>();
  ws.on('message', (data, isBinary) => {
    const f = isBinary ? `<binary ${(data as Buffer).length} bytes>` : String(data);
    frames.push(f);
    if (f === '2' && o.answerPings !== false) ws.send('3');
    for (const w of [...waiters]) w();
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: String(reason) })));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  const raw: RawSocket = {
    ws,
    frames,
    send: (f) => ws.send(f),
    next(match, timeoutMs = 3000, from = 0) {
      return new Promise((resolve, reject) => {
        const check = (): boolean => {
          const f = frames.slice(from).find(match);
          if (f === undefined) return false;
          waiters.delete(tick);
          clearTimeout(timer);
          resolve(f);
          return true;
        };
        const tick = (): void => void check();
        const timer = setTimeout(() => {
          waiters.delete(tick);
          reject(new Error(`no matching frame within ${timeoutMs} ms; got ${JSON.stringify(frames)}`));
        }, timeoutMs);
        waiters.add(tick);
        check();
      });
    },
    closed,
    isOpen: () => ws.readyState === WebSocket.OPEN,
    close: () => ws.close(),
  };
  // Engine.IO "open" packet.
  await raw.next((f) => f.startsWith('0{'));
  return raw;
}

/**
 * Closes every open incident (acknowledged and resolved by an officer, through the core). A terminal's further
 * press of the same kind while its incident is open joins that incident (alarm.repeated); tests that need a
 * fresh incident per press start from a station with nothing open.
 */
export function resolveAllOpen(t: TestCore): void {
  const st = t.core.station;
  const chief: OperatorRef = { username: 'chief', displayName: 'test chief', role: 'chief' };
  for (const inc of [...st.snapshot.incidents.values()]) {
    if (inc.resolvedAt !== undefined) continue;
    if (inc.acknowledgedAt === undefined) st.operators.acknowledge(chief, inc.id);
    const r = st.operators.resolve(chief, inc.id, 'false_alarm', 'closed between tests');
    if (!r.ok) throw new Error(`could not close ${inc.id}: ${r.error.message}`);
  }
}

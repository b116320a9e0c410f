// test/fuzz — the hostile-input fuzz suite's harness: the REAL core as a child process (so "the process stays up" is
// observable), raw TCP for HTTP, a console that folds what it receives as the real one does, and the checks run
// after every batch: alive, /api/health, a valid alarm acked and folded on a console, `station verify`, and a
// restart from the journal that still has the alarm.
//
// Run: `npx vitest run test/fuzz` (part of `npm run unit`; builds dist/ first when it is stale). Each property prints
// its seed; a failure prints `replay: FUZZ_SEED=… FUZZ_PATH=…` (set both to replay that run and its shrinking).
// FUZZ_RUNS_FACTOR=10 multiplies every numRuns and time budget for a longer soak.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { io, type Socket } from 'socket.io-client';
import type { DemoCredentials } from '../../main/demo';
import { demoTemplate } from '../protocol/support';
import type { JournalRecord } from '../../shared/events';
import { applyRecord, emptyState, fromSnapshot, type StateSnapshot, type StationState } from '../../shared/incidents';
import { ROOT, startCoreProcess, type CoreProcess } from '../support/core';

export { ROOT };
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** dist/ is what the child process runs: rebuilt when a source is newer (a no-op otherwise, ~0.1 s). */
export function ensureBuilt(): void {
  execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'build.mjs'), '--if-stale'], { cwd: ROOT, stdio: 'ignore', timeout: 280_000 });
}

// ---------------------------------------------------------------------------------------------------------
// fast-check runs: bounded in time, the seed always printed, replayable with FUZZ_SEED / FUZZ_PATH.

/** FUZZ_RUNS_FACTOR: more runs, longer budgets (and test timeouts: `timeout(ms)`). */
export const RUNS_FACTOR = Number(process.env.FUZZ_RUNS_FACTOR) || 1;
/** A test timeout that grows with FUZZ_RUNS_FACTOR. */
export const timeout = (ms: number): number => Math.round(ms * Math.max(1, RUNS_FACTOR));

export interface RunOptions {
  numRuns: number;
  /** Wall-clock budget for the whole property, shrinking included. */
  timeLimitMs: number;
}

/**
 * Runs a property and throws fast-check's own report (seed, path, the shrunk counterexample, the error) when it
 * fails. `FUZZ_RUNS_FACTOR` scales every numRuns for a longer soak; FUZZ_SEED (and FUZZ_PATH) replay one run.
 */
export async function runProperty<Ts extends [unknown, ...unknown[]]>(name: string, prop: fc.IAsyncPropertyWithHooks<Ts>, o: RunOptions): Promise<void> {
  const factor = RUNS_FACTOR;
  const seed = process.env.FUZZ_SEED !== undefined ? Number(process.env.FUZZ_SEED) : (Date.now() ^ (Math.random() * 0x100000000)) | 0;
  const details = await fc.check(prop, {
    numRuns: Math.max(1, Math.round(o.numRuns * factor)),
    seed,
    ...(process.env.FUZZ_PATH ? { path: process.env.FUZZ_PATH } : {}),
    plugins: [fc.interruptAfterTimeLimit(o.timeLimitMs * factor)],
  });
  console.log(
    `[fuzz] ${name}: seed ${details.seed}, ${details.numRuns} runs${details.interrupted ? ' (time limit reached)' : ''}${details.failed ? `, FAILED at path ${details.counterexamplePath}` : ''}`,
  );
  if (details.failed) {
    const cause = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
    throw new Error(
      `${name}\nreplay: FUZZ_SEED=${details.seed} FUZZ_PATH=${details.counterexamplePath ?? ''}\n${fc.defaultReportMessage(details)}\nwhat failed: ${cause}`,
    );
  }
}

// ---------------------------------------------------------------------------------------------------------
// The demo county: its registry and credentials are made once (~50 scrypt hashes, shared with the conformance suite:
// demoTemplate in test/protocol/support.ts) and copied into each fresh data folder, where `--demo` loads them.

export async function freshFuzzDataDir(): Promise<string> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'station-fuzz-'));
  const t = await demoTemplate();
  for (const f of ['demo-registry.json', 'demo-credentials.json']) fs.copyFileSync(path.join(t, f), path.join(dir, f));
  return dir;
}

/** A folder of two tiles, so /tiles/… reaches a real tile source. */
export function tileFolder(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'station-fuzz-tiles-'));
  // The 8-byte PNG signature and an IHDR chunk: enough for a file the station serves as image/png.
  const png = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489', 'hex');
  for (const [z, x, y] of [
    [0, 0, 0],
    [1, 1, 1],
  ] as const) {
    fs.mkdirSync(path.join(dir, String(z), String(x)), { recursive: true });
    fs.writeFileSync(path.join(dir, String(z), String(x), `${y}.png`), png);
  }
  return dir;
}

// ---------------------------------------------------------------------------------------------------------
// The station under test.

export class FuzzStation {
  core!: CoreProcess;
  dataDir = '';
  /** What happened to the station during the file: restarts, fresh data folders and why (printed at the end). */
  readonly events: string[] = [];
  private sessions = new Map<string, string>();
  private removable: string[] = [];
  private restartedAt = 0;

  constructor(private readonly extraArgs: string[] = []) {}

  get url(): string {
    return this.core.url.replace(/\/$/, '');
  }
  get port(): number {
    return this.core.port;
  }
  get credentials(): DemoCredentials {
    return this.core.credentials;
  }
  alive(): boolean {
    return this.core.child.exitCode === null && this.core.child.signalCode === null;
  }
  output(): string {
    return this.core.output();
  }

  /** Starts on a fresh data folder (the demo county, an empty journal). */
  async startFresh(why?: string): Promise<void> {
    if (this.core && this.alive()) await this.core.kill();
    this.dataDir = await freshFuzzDataDir();
    this.removable.push(this.dataDir);
    this.sessions.clear();
    if (why) this.events.push(`fresh data folder: ${why}`);
    this.core = await startCoreProcess({ dataDir: this.dataDir, extraArgs: this.extraArgs });
  }

  /** SIGKILL, then start again on the same data folder (throws if the core does not start). */
  async restart(): Promise<void> {
    if (this.alive()) await this.core.kill();
    this.core = await startCoreProcess({ dataDir: this.dataDir, extraArgs: this.extraArgs });
    this.restartedAt = Date.now();
  }

  /**
   * Before each fuzz run: a live station whose journal a console can fold. A dead one is restarted from its journal;
   * if that fails too, or the station is not whole (`poisoned`), it starts again on a fresh data folder, so every
   * run is judged on its own input and shrinking works.
   */
  async ensureUp(poisoned?: string): Promise<void> {
    if (poisoned) return this.startFresh(poisoned);
    if (this.alive()) return;
    const last = this.output().slice(-600);
    // Restarted moments ago and dead again: it dies on every start (a timer, the registry): begin afresh.
    if (Date.now() - this.restartedAt < 10_000) return this.startFresh(`the process dies on every start:\n${last}`);
    try {
      await this.restart();
      this.events.push(`restarted after the process died:\n${last}`);
    } catch (e) {
      await this.startFresh(`the process died and could not start again from its journal: ${(e as Error).message.slice(0, 600)}`);
    }
  }

  async session(username: string): Promise<string> {
    const have = this.sessions.get(`${this.dataDir} ${username}`);
    if (have) return have;
    const op = this.credentials.operators.find((o) => o.username === username);
    if (!op) throw new Error(`no demo operator ${username}`);
    const res = await fetch(`${this.url}/api/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username, password: op.password }),
    });
    const body = (await res.json()) as { ok: boolean; session?: string };
    if (!body.ok || !body.session) throw new Error(`login ${username} failed: ${res.status} ${JSON.stringify(body)}`);
    this.sessions.set(`${this.dataDir} ${username}`, body.session);
    return body.session;
  }

  /** `npm run station -- [--demo] …args` on this data folder. */
  cli(...args: string[]): { code: number | null; out: string } {
    const env = { ...process.env };
    delete env.STATION_DATA_DIR;
    const r = spawnSync(process.execPath, [path.join(ROOT, 'dist', 'tools', 'stationCli.js'), '--data-dir', this.dataDir, ...args], {
      cwd: os.tmpdir(),
      env,
      encoding: 'utf8',
      timeout: 30_000,
    });
    return { code: r.status, out: `${r.stdout}${r.stderr}` };
  }

  async close(): Promise<void> {
    if (this.core && this.alive()) await this.core.kill();
    for (const d of this.removable) fs.rmSync(d, { recursive: true, force: true });
    if (this.events.length > 0) console.log(`[fuzz] station events:\n- ${this.events.join('\n- ')}`);
  }
}

// ---------------------------------------------------------------------------------------------------------
// Raw HTTP over TCP: the request-target and headers go out byte for byte, nothing normalized by a client library.

export interface RawHttpResult {
  /** The status code of the first response line, if any came. */
  status?: number;
  head: string;
  bytes: number;
  /** No byte of an answer within the time limit. */
  timedOut: boolean;
  error?: string;
}

export function rawHttp(port: number, request: Buffer | string, o: { localAddress?: string; timeoutMs?: number } = {}): Promise<RawHttpResult> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let done = false;
    const sock = net.connect({ host: '127.0.0.1', port, ...(o.localAddress ? { localAddress: o.localAddress } : {}) });
    const finish = (timedOut: boolean, error?: string): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.destroy();
      const buf = Buffer.concat(chunks);
      const head = buf.subarray(0, 200).toString('latin1');
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(head);
      resolve({
        ...(m ? { status: Number(m[1]) } : {}),
        head: head.split('\r\n')[0] ?? '',
        bytes: buf.length,
        timedOut: timedOut && buf.length === 0,
        ...(error ? { error } : {}),
      });
    };
    const timer = setTimeout(() => finish(true), o.timeoutMs ?? 3000);
    sock.on('data', (d: Buffer) => {
      chunks.push(d);
      // One response is all we wait for: the status line and the end of the headers are enough.
      if (Buffer.concat(chunks).includes('\r\n\r\n')) finish(false);
    });
    sock.on('end', () => finish(false));
    sock.on('error', (e) => finish(false, e.message));
    sock.write(request);
  });
}

/** GET /api/health from a clean address: true when it answers 200 with { ok: true } (within 5 s: the machine may be loaded). */
export async function healthy(port: number): Promise<boolean> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/api/health`, { signal: AbortSignal.timeout(5000) });
    return res.status === 200 && ((await res.json()) as { ok?: unknown }).ok === true;
  } catch {
    return false;
  }
}

let nextHost = 10;
/** A loopback source address not used yet by this file (the station throttles per address). */
export function freshAddress(block: number): string {
  const n = nextHost++;
  return `127.${block}.${Math.floor(n / 250) % 250}.${(n % 250) + 2}`;
}

// ---------------------------------------------------------------------------------------------------------
// Sockets.

export function socketTo(url: string, nsp: string, auth: unknown, o: { localAddress?: string } = {}): Socket {
  return io(url + nsp, {
    auth: auth as Record<string, unknown>,
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
    timeout: 10_000,
    ...(o.localAddress ? { localAddress: o.localAddress } : {}),
  } as Parameters<typeof io>[1]);
}

export function connected(s: Socket): Promise<Socket> {
  return new Promise((resolve, reject) => {
    s.once('connect', () => resolve(s));
    s.once('connect_error', (e) => {
      s.close();
      reject(e);
    });
  });
}

/** Emits with an ack; resolves { answer } or { timedOut } (never rejects), so a silent handler is a finding. */
export async function emitAck(s: Socket, event: string, args: unknown[], ms = 5000): Promise<{ answer?: unknown; timedOut?: true }> {
  try {
    const answer = (await s.timeout(ms).emitWithAck(event, ...args)) as unknown;
    return { answer };
  } catch {
    return { timedOut: true };
  }
}

/** An answer of the shape every handler promises: `{ ok: true, … }` or `{ ok: false, error: { code, message } }`. */
export function wellFormedAnswer(x: unknown): boolean {
  if (typeof x !== 'object' || x === null) return false;
  const r = x as { ok?: unknown; error?: { code?: unknown; message?: unknown } };
  if (r.ok === true) return true;
  return (
    r.ok === false &&
    typeof r.error === 'object' &&
    r.error !== null &&
    typeof r.error.code === 'string' &&
    typeof r.error.message === 'string' &&
    r.error.message.length > 0
  );
}

/**
 * A console as the real one behaves (renderer/store.ts): folds every record with the shared reducer, in seq order;
 * at a gap it never folds past it but reconnects with `since` = the last seq it has. A fold that throws is what a
 * real console would hit too: the console is then blind, which is a finding.
 */
export class ReplicaConsole {
  socket!: Socket;
  state: StationState = emptyState;
  seq = 0;
  readonly alarmIds = new Map<string, string>();
  foldError?: string;
  resyncs = 0;
  private closed = false;

  private constructor(
    private readonly url: string,
    private readonly session: string,
  ) {}

  static async open(url: string, session: string): Promise<ReplicaConsole> {
    const c = new ReplicaConsole(url, session);
    await c.connect();
    return c;
  }

  private connect(): Promise<void> {
    const s = socketTo(this.url, '/console', { session: this.session, since: this.seq });
    this.socket = s;
    s.on('records', (batch: JournalRecord[]) => this.apply(batch));
    // As the real console: a snapshot replaces what it held (it was too far behind, or ahead of the station).
    s.on('snapshot', (snap: StateSnapshot) => {
      this.state = fromSnapshot(snap);
      this.seq = snap.seq;
      for (const inc of snap.incidents) this.alarmIds.set(inc.alarmId, inc.id);
    });
    s.on('record', (r: JournalRecord) => this.apply([r]));
    return connected(s).then(() => undefined);
  }

  private apply(batch: JournalRecord[]): void {
    if (this.foldError) return;
    for (const r of batch) {
      if (r.seq <= this.seq) continue;
      if (r.seq > this.seq + 1) {
        // A gap: reconnect and ask for everything after what we have, as the real console does.
        this.resync();
        return;
      }
      try {
        this.state = applyRecord(this.state, r);
      } catch (e) {
        this.foldError = `record seq ${r.seq} (${r.event.type}) cannot be folded: ${(e as Error).message}`;
        return;
      }
      this.seq = r.seq;
      if (r.event.type === 'alarm.received') this.alarmIds.set(r.event.alarmId, r.event.incidentId);
      // A further press while the terminal's incident is open is recorded on that incident (alarm.repeated).
      if (r.event.type === 'alarm.repeated') for (const a of r.event.alarmIds) this.alarmIds.set(a, r.event.incidentId);
    }
  }

  private resync(): void {
    if (this.closed || this.resyncs > 20) return;
    this.resyncs++;
    this.socket.close();
    this.connect().catch(() => undefined);
  }

  /** Resolves with the incidentId once the alarm.received of this alarmId was folded; throws why it was not. */
  async waitForAlarm(alarmId: string, ms = 5000): Promise<string> {
    const until = Date.now() + ms;
    while (Date.now() < until) {
      if (this.foldError) throw new Error(`console is blind: ${this.foldError}`);
      const id = this.alarmIds.get(alarmId);
      if (id) return id;
      await sleep(5);
    }
    throw new Error(
      `alarm ${alarmId} did not reach the console within ${ms} ms (console has seq ${this.seq}, ${this.resyncs} resyncs, connected ${this.socket.connected})`,
    );
  }

  close(): void {
    this.closed = true;
    this.socket.close();
  }
}

let probeSeq = 0;
export const probeAlarmId = (prefix = 'fz'): string => `${prefix}-${process.pid}-${Date.now().toString(36)}-${++probeSeq}`;

/**
 * A valid terminal presses; the ack must be { ok: true } and the console must fold the alarm. Returns a problem,
 * or undefined when all is well.
 */
export async function probeAlarm(term: Socket, consoleReplica: ReplicaConsole, kind = 'test'): Promise<string | undefined> {
  const alarmId = probeAlarmId();
  const r = await emitAck(term, 'alarm', [{ alarmId, kind, raisedAt: Date.now() }]);
  if (r.timedOut) return `a valid alarm got no ack within 5 s`;
  if ((r.answer as { ok?: unknown }).ok !== true) return `a valid alarm was refused: ${JSON.stringify(r.answer)}`;
  try {
    await consoleReplica.waitForAlarm(alarmId);
  } catch (e) {
    return (e as Error).message;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------------------
// The checks after every batch.

/**
 * After a batch: the child is alive; /api/health answers; a valid terminal's alarm gets { ok: true } and is folded
 * by a freshly connected console; `station verify` exits 0; and after a SIGKILL the core starts again from its
 * journal, answers /api/health, stays up past its 2 s timers, and still has the alarm (a console folds it, and the
 * terminal's resend is a duplicate of the same incident). Returns every problem found (empty: all well); the
 * station is left running (on a fresh data folder if it could not restart).
 */
export async function wholeStationProblems(st: FuzzStation, terminalIndex = 0): Promise<string[]> {
  const problems: string[] = [];
  if (!st.alive()) {
    problems.push(`the core process is not alive (exit ${st.core.child.exitCode ?? st.core.child.signalCode}); last output:\n${st.output().slice(-800)}`);
    await st.ensureUp();
  }
  if (!(await healthy(st.port))) problems.push('/api/health does not answer 200 { ok: true }');

  const t = st.credentials.terminals[terminalIndex]!;
  const alarmId = probeAlarmId('whole');
  let incidentId: string | undefined;
  let term: Socket | undefined;
  let replica: ReplicaConsole | undefined;
  try {
    replica = await ReplicaConsole.open(st.url, await st.session('officer'));
    term = await connected(socketTo(st.url, '/terminal', { deviceId: t.deviceId, token: t.token }));
    const r = await emitAck(term, 'alarm', [{ alarmId, kind: 'panic', raisedAt: Date.now() }]);
    if (r.timedOut || (r.answer as { ok?: unknown }).ok !== true) problems.push(`a valid terminal's alarm was not acked { ok: true }: ${JSON.stringify(r)}`);
    else incidentId = (r.answer as { incidentId: string }).incidentId;
    await replica.waitForAlarm(alarmId);
  } catch (e) {
    problems.push(`valid alarm → console: ${(e as Error).message}`);
  } finally {
    term?.close();
    replica?.close();
  }

  const v = st.cli('verify');
  if (v.code !== 0) problems.push(`station verify exited ${v.code}: ${v.out.trim().slice(0, 800)}`);

  try {
    await st.restart();
  } catch (e) {
    problems.push(`the core does not start again from its journal: ${(e as Error).message.slice(0, 1200)}`);
    await st.startFresh('the core could not start again from its journal after a batch');
    return problems;
  }
  if (!(await healthy(st.port))) problems.push('after a restart, /api/health does not answer');
  // The core's timers (supervision every 1 s, health every 2 s) run at least once.
  await sleep(2500);
  if (!st.alive()) {
    problems.push(`after a restart the core died within 2.5 s; last output:\n${st.output().slice(-1200)}`);
    await st.ensureUp();
    return problems;
  }
  if (incidentId) {
    try {
      replica = await ReplicaConsole.open(st.url, await st.session('officer'));
      await replica.waitForAlarm(alarmId);
      term = await connected(socketTo(st.url, '/terminal', { deviceId: t.deviceId, token: t.token }));
      const again = await emitAck(term, 'alarm', [{ alarmId, kind: 'panic', raisedAt: Date.now() }]);
      const a = again.answer as { ok?: unknown; incidentId?: unknown; duplicate?: unknown } | undefined;
      if (a?.ok !== true || a.incidentId !== incidentId || a.duplicate !== true)
        problems.push(`after a restart the alarm's resend is not a duplicate of ${incidentId}: ${JSON.stringify(again)}`);
    } catch (e) {
      problems.push(`after a restart: ${(e as Error).message}`);
    } finally {
      term?.close();
      replica?.close();
    }
  }
  return problems;
}

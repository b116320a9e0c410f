// main/ (core and front, Node) — the front: a process of its own that owns the station's port (issue 9, finding 9).
// Every connection costs the thread that accepts it (~70 µs: accept, a net.Socket, bookkeeping, closing it), and a
// burst of 1,500 logins a second from one address kept the core's one thread busy in stretches of 50–130 ms, with
// every school's alarm waiting behind them. So the core does not accept: the front does, reads each connection's
// request head, and
// - a WebSocket upgrade (terminals, units, consoles) goes to the core at once: Admission and the handshake gate
//   there keep a NAT's valid terminals fast whatever else comes from its address (finding 10);
// - a plain HTTP connection (the console's files, tiles, the login) spends one from its address's budget (a burst,
//   then a steady rate, far above what browsers open) and goes to the core; beyond the budget the front answers
//   429 itself and closes, so a flood of them never reaches the core's thread;
// - a head that is not in within the time, or that grows beyond 16 KiB, is closed; connections whose head is not
//   in yet are bounded per address and in total, the oldest giving way (as Admission does).
// The core receives the socket itself (its file descriptor over the IPC channel) with the bytes read, and serves
// it as if it had accepted it: nothing of a connection passes through the front after its head. With TLS the head
// cannot be read: the front passes every connection as it comes and the core's own bounds are all there is.
// The core starts the front (startFront); if the front dies the core starts another on the same port; if the
// core dies the front exits (the IPC channel closes), freeing the port for the next core.
import { fork, type ChildProcess } from 'node:child_process';
import type { EventEmitter } from 'node:events';
import net from 'node:net';
import os from 'node:os';
import { Aging, monotonic } from './aging';

export interface FrontLimits {
  /** A request head larger than this is refused (431). */
  headBytes: number;
  /** A connection whose head is not in within this time is closed. */
  headTimeoutMs: number;
  /** Connections whose head is not in yet, from one address and from all. */
  maxWaitingPerAddress: number;
  maxWaiting: number;
  /** A waiting connection this old gives way to a newcomer when its address (or the front) is at its cap. */
  evictAfterMs: number;
  /** Plain HTTP connections per address: a burst of this many, then `httpPerSecond`. */
  httpBurst: number;
  httpPerSecond: number;
  /** Of which logins (POST /api/login): a person logs in once a shift; the core's throttle allows 3 guesses. */
  loginBurst: number;
  loginPerSecond: number;
  /** Addresses whose budgets are remembered (a spray of addresses evicts the fullest budgets first). */
  maxAddresses: number;
}

/**
 * A browser opens at most 6 connections to the station and keeps them (keep-alive): a console loading with its
 * map tiles needs a handful, and 32 at once and 8 a second more serve several consoles behind one address. Each
 * one that reaches the core costs its thread (the bench: a budget of 64 and 16 a second let a login flood's share
 * through and the honest acks' p99 rose by 30–60 %; 8 and 2 a second kept it within 1 %). Logins are fewer still.
 */
export const DEFAULT_FRONT_LIMITS: FrontLimits = {
  headBytes: 16 * 1024,
  headTimeoutMs: 10_000,
  maxWaitingPerAddress: 128,
  maxWaiting: 2048,
  evictAfterMs: 500,
  httpBurst: 32,
  httpPerSecond: 8,
  loginBurst: 6,
  loginPerSecond: 1,
  maxAddresses: 20_000,
};

/** Connections of flooding addresses started per turn of the front's event loop (see `later`). */
const DEFERRED_PER_TURN = 16;

/**
 * The front's scheduling priority: below normal (Unix nice 10; Windows BELOW_NORMAL_PRIORITY_CLASS), so the core
 * comes first. Not the lowest: at nice 19 (Windows: idle) it shared the CPU left by the core evenly with any other
 * low-priority work, and a terminal's connection waited behind a flood the front could not get through.
 */
export const FRONT_NICENESS = os.constants.priority.PRIORITY_BELOW_NORMAL;

// ---------------------------------------------------------------- what a head is

export type Head = { kind: 'incomplete' } | { kind: 'upgrade'; bytes: number } | { kind: 'http'; bytes: number; login: boolean };

/** Where the head of `buf` ends (after its blank line), or -1. Search from `from` (bytes already searched). */
function headEnd(buf: Buffer, from: number): number {
  const i = buf.indexOf('\r\n\r\n', Math.max(0, from - 3));
  return i < 0 ? -1 : i + 4;
}

/** Classifies what a connection sent first: a WebSocket upgrade, another HTTP request, or not in yet. */
export function classifyHead(buf: Buffer, searchedBytes = 0): Head {
  const end = headEnd(buf, searchedBytes);
  if (end < 0) return { kind: 'incomplete' };
  const head = buf.subarray(0, end).toString('latin1');
  // Anything that is not a well-formed upgrade is "http": the core answers it (a 400 for garbage) within budget.
  const upgrade = /^GET [^\r\n]* HTTP\/1\.1\r\n/.test(head) && /\r\nupgrade:[ \t]*websocket[ \t]*\r\n/i.test(head);
  if (upgrade) return { kind: 'upgrade', bytes: end };
  return { kind: 'http', bytes: end, login: /^POST \/api\/login[ ?]/.test(head) };
}

// ---------------------------------------------------------------- budgets per address

/** Token buckets per address; at most maxAddresses remembered (the fullest are forgotten first: they lose nothing). */
export class AddressBudgets {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly burst: number,
    private readonly perSecond: number,
    private readonly maxAddresses: number,
    private readonly now: () => number = monotonic,
  ) {}

  /** Spends one of `addr`'s budget: false when there is none left. */
  take(addr: string): boolean {
    const now = this.now();
    const b = this.buckets.get(addr);
    const tokens = b ? Math.min(this.burst, b.tokens + ((now - b.at) / 1000) * this.perSecond) : this.burst;
    if (tokens < 1) {
      if (b) b.at = now;
      if (b) b.tokens = tokens;
      return false;
    }
    this.buckets.delete(addr); // re-inserted last: least recently used first
    this.buckets.set(addr, { tokens: tokens - 1, at: now });
    if (this.buckets.size > this.maxAddresses) this.forget(now);
    return true;
  }

  /** Whether `addr` has budget left now (nothing is spent). */
  has(addr: string): boolean {
    const b = this.buckets.get(addr);
    return !b || b.tokens + ((this.now() - b.at) / 1000) * this.perSecond >= 1;
  }

  /** Forgets the addresses whose budget has refilled, and then the least recently used, down to 90 % of the cap. */
  private forget(now: number): void {
    for (const [a, b] of this.buckets) if (b.tokens + ((now - b.at) / 1000) * this.perSecond >= this.burst) this.buckets.delete(a);
    for (const a of this.buckets.keys()) {
      if (this.buckets.size <= this.maxAddresses * 0.9) break;
      this.buckets.delete(a);
    }
  }
}

// ---------------------------------------------------------------- the front process

type ToFront = { type: 'listen'; port: number; host: string; backlog: number; tls: boolean; limits: FrontLimits };
type FromFront =
  | { type: 'listening'; port: number }
  | { type: 'listenFailed'; code: string; message: string }
  | { type: 'conn'; head: string }
  | { type: 'refused'; counts: FrontCounts };

export interface FrontCounts {
  /** Plain HTTP connections answered 429 (over their address's budget). */
  overBudget: number;
  /** Connections closed because their head did not come in time, was too large, or they gave way. */
  headTimedOut: number;
  headTooLarge: number;
  evicted: number;
  /** Refused at once: the address (or the front) had its cap of waiting connections, none old enough to go. */
  full: number;
}

const TOO_MANY = JSON.stringify({
  ok: false,
  error: { code: 'rate_limited', message: '请求过多，请稍后再试 / too many requests from this address, wait a moment' },
});
const RESPONSE_429 = `HTTP/1.1 429 Too Many Requests\r\nContent-Type: application/json; charset=utf-8\r\nRetry-After: 1\r\nConnection: close\r\nContent-Length: ${Buffer.byteLength(TOO_MANY)}\r\n\r\n${TOO_MANY}`;
const RESPONSE_431 = 'HTTP/1.1 431 Request Header Fields Too Large\r\nConnection: close\r\nContent-Length: 0\r\n\r\n';

/** The front process's main (dist/main/front.js): waits for the core's `listen`, then accepts and hands over. */
export function runFront(): void {
  if (!process.send) {
    console.error('front: must be started by the station core (it has no IPC channel)');
    process.exit(2);
  }
  // The core is gone (crashed, killed, closed): so is the front, and the port is free for the next core.
  process.on('disconnect', () => process.exit(0));
  process.once('message', (m: ToFront) => {
    if (m?.type === 'listen') listen(m);
  });
}

function listen(m: ToFront): void {
  // The core must never wait for the front: under a flood the front has work, and on a machine with few cores it
  // would take the core's turn (and the terminals'). Below normal priority, it gets the CPU the core leaves.
  try {
    os.setPriority(0, FRONT_NICENESS);
  } catch {
    /* not allowed here: it runs at the core's priority */
  }
  const send = (msg: FromFront, handle?: net.Socket): void => {
    if (!process.connected) return;
    // A socket that could not be handed over is closed: the client retries, as after any refused connection.
    if (handle) process.send!(msg, handle, { keepOpen: false }, (err: Error | null) => void (err && handle.destroy()));
    else process.send!(msg);
  };
  const limits = m.limits;
  const counts: FrontCounts = { overBudget: 0, headTimedOut: 0, headTooLarge: 0, evicted: 0, full: 0 };
  const budgets = new AddressBudgets(limits.httpBurst, limits.httpPerSecond, limits.maxAddresses);
  const loginBudgets = new AddressBudgets(limits.loginBurst, limits.loginPerSecond, limits.maxAddresses);
  const waitingByAddr = new Map<string, Aging<net.Socket>>();
  const waitingAll = new Aging<net.Socket>();
  const unwait = (s: net.Socket, addr: string): void => {
    waitingAll.items.delete(s);
    const set = waitingByAddr.get(addr);
    set?.items.delete(s);
    if (set?.items.size === 0) waitingByAddr.delete(addr);
  };
  let reported = '';
  // What was refused, to the core's log now and then (only when it changed).
  const reporter = setInterval(() => {
    const now = JSON.stringify(counts);
    if (now !== reported) send({ type: 'refused', counts: { ...counts } });
    reported = now;
  }, 1000);
  reporter.unref();

  // A refused request's answer is read only if what the client is still sending (a login's body) is read too:
  // closing with unread bytes resets the connection, and the client sees ECONNRESET instead of the 429. So the
  // rest is read and dropped for up to a second, for at most 1,024 connections at once (beyond, they are reset).
  let lingering = 0;
  const refuse = (sock: net.Socket, response: string): void => {
    sock.end(response);
    if (lingering >= 1024) return void sock.destroySoon();
    lingering++;
    const timer = setTimeout(() => sock.destroy(), 1000);
    sock.once('close', () => {
      lingering--;
      clearTimeout(timer);
    });
    sock.on('data', () => undefined);
  };

  // Whether a connection from `addr` would be refused at once (its address, or the front, has its cap of waiting
  // connections and none has waited long enough to give way): the same test as makeRoom's below, oldest first.
  const atCap = (set: Aging<net.Socket> | undefined, max: number, now: number): boolean => {
    if (!set || set.items.size < max) return false;
    const oldest = set.items.values().next();
    return !oldest.done && now - oldest.value < limits.evictAfterMs;
  };
  const isFull = (addr: string): boolean => {
    const now = monotonic();
    return atCap(waitingByAddr.get(addr), limits.maxWaitingPerAddress, now) || atCap(waitingAll, limits.maxWaiting, now);
  };

  const server = net.createServer({ pauseOnConnect: true }, (sock) => {
    sock.on('error', () => sock.destroy());
    if (m.tls) return send({ type: 'conn', head: '' }, sock);
    const addr = sock.remoteAddress ?? '?';
    const now = monotonic();
    const mayGo = (_s: net.Socket, at: number): boolean => now - at >= limits.evictAfterMs;
    const drop = (s: net.Socket): void => {
      counts.evicted++;
      unwait(s, s.remoteAddress ?? '?');
      s.destroy();
    };
    const own = waitingByAddr.get(addr);
    if ((own && !own.makeRoom(limits.maxWaitingPerAddress, mayGo, drop)) || !waitingAll.makeRoom(limits.maxWaiting, mayGo, drop)) {
      counts.full++;
      sock.destroy();
      return;
    }
    let set = waitingByAddr.get(addr);
    if (!set) waitingByAddr.set(addr, (set = new Aging()));
    set.add(sock, now);
    waitingAll.add(sock, now);
    sock.once('close', () => unwait(sock, addr));

    let buf: Buffer = Buffer.alloc(0);
    const onData = (chunk: Buffer): void => {
      const searched = buf.length;
      buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk]);
      const head = classifyHead(buf, searched);
      if (head.kind === 'incomplete') {
        if (buf.length > limits.headBytes) {
          counts.headTooLarge++;
          finish();
          refuse(sock, RESPONSE_431);
        }
        return;
      }
      finish();
      if (head.kind === 'http' && !((!head.login || loginBudgets.take(addr)) && budgets.take(addr))) {
        counts.overBudget++;
        refuse(sock, RESPONSE_429);
        return;
      }
      // The front's copy of the socket stays open until the core has taken it (its ACK), and a copy that is
      // still reading takes bytes meant for the core (a terminal's first message, sent as soon as it is
      // upgraded) and drops them. So it stops reading here; net.Socket's pause() does not stop the handle.
      (sock as unknown as { _handle?: { readStop?: () => number } })._handle?.readStop?.();
      sock.pause();
      // Whatever the socket holds past this chunk (a pipelined request, a body) goes along.
      const rest: Buffer[] = [buf];
      if (sock.readableLength > 0) rest.push(sock.read(sock.readableLength) as Buffer);
      send({ type: 'conn', head: Buffer.concat(rest).toString('base64') }, sock);
    };
    const finish = (): void => {
      sock.off('data', onData);
      unwait(sock, addr);
    };
    const start = (): void => {
      if (sock.destroyed) return;
      sock.on('data', onData);
      sock.resume();
    };
    // An address that has spent its budget (of requests or of logins) is flooding: its connections are read after
    // everyone else's, a few at a time, so a terminal's upgrade from elsewhere is not read behind a thousand of them.
    if (budgets.has(addr) && loginBudgets.has(addr)) start();
    else later(start);
  });

  const deferred: (() => void)[] = [];
  let draining = false;
  const drain = (): void => {
    for (const f of deferred.splice(0, DEFERRED_PER_TURN)) f();
    if (deferred.length > 0) setImmediate(drain);
    else draining = false;
  };
  const later = (f: () => void): void => {
    deferred.push(f);
    if (!draining) {
      draining = true;
      setImmediate(drain);
    }
  };

  // Connections that did not send their head in time.
  const sweeper = setInterval(
    () => {
      const limit = monotonic() - limits.headTimeoutMs;
      for (const [s, at] of waitingAll.items) {
        if (at > limit) break;
        counts.headTimedOut++;
        unwait(s, s.remoteAddress ?? '?');
        s.destroy();
      }
    },
    Math.max(50, Math.min(1000, limits.headTimeoutMs / 4)),
  );
  sweeper.unref();

  // Right after a core was killed, its front may still hold the port for a moment: try again for a while.
  const deadline = Date.now() + 5000;
  const tryListen = (): void => {
    server.once('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EADDRINUSE' && Date.now() < deadline) setTimeout(tryListen, 100);
      else send({ type: 'listenFailed', code: e.code ?? 'ERROR', message: e.message });
    });
    server.listen({ port: m.port, host: m.host, backlog: m.backlog }, () => {
      if (!m.tls) refuseFullEarly(server, isFull, () => counts.full++);
      server.removeAllListeners('error');
      server.on('error', (e) => console.error(`front: ${e.message}`));
      send({ type: 'listening', port: (server.address() as net.AddressInfo).port });
    });
  };
  tryListen();
}

/**
 * A connection that will be refused at once costs less when it is closed before Node makes a net.Socket of it
 * (the bench: ~70 µs of the front's thread each, and a burst of 1,500 keeps a terminal's connection waiting behind
 * them). Node calls the listening handle's `onconnection` with the accepted handle: this wraps it, asks the peer's
 * address, and closes the handle of a full address there. Node's internals: if the handle is not as expected, the
 * front refuses those connections the ordinary way (after making a socket), as before.
 */
export function refuseFullEarly(server: net.Server, isFull: (addr: string) => boolean, counted: () => void): void {
  type Accepted = { getpeername?: (out: { address?: string }) => number; close?: () => void };
  const handle = (server as unknown as { _handle?: { onconnection?: (err: number, client?: Accepted) => unknown } })._handle;
  const original = handle?.onconnection;
  if (!handle || typeof original !== 'function') return;
  handle.onconnection = function (this: unknown, err: number, client?: Accepted) {
    if (!err && client && typeof client.getpeername === 'function' && typeof client.close === 'function') {
      const out: { address?: string } = {};
      if (client.getpeername(out) === 0 && out.address !== undefined && isFull(out.address)) {
        counted();
        client.close();
        return undefined;
      }
    }
    return original.call(this, err, client);
  };
}

// ---------------------------------------------------------------- the core's side

export interface FrontOptions {
  /** The front's script (dist/main/front.js). */
  script: string;
  port: number;
  host: string;
  backlog: number;
  tls: boolean;
  limits?: Partial<FrontLimits>;
}

export interface Front {
  /** The port the front listens on (the one asked for, or the one the system gave for 0). */
  readonly port: number;
  /** Connections handed to the core, since it started. */
  readonly passed: number;
  /** What the front refused, as last reported (about once a second). */
  readonly refused: FrontCounts;
  /** Starts of the front process after the first (it died and was replaced). */
  readonly restarts: number;
  /** The front's process id (tests kill it). */
  readonly pid: number | undefined;
  close(): Promise<void>;
}

/**
 * Starts the front and hands every connection it passes to `server` (the core's HTTP(S) server, not listening):
 * `server` sees them as if it had accepted them. Resolves once the front listens; rejects with the front's
 * error (EADDRINUSE, EACCES) when it cannot.
 */
export async function startFront(server: EventEmitter, opts: FrontOptions): Promise<Front> {
  const limits: FrontLimits = { ...DEFAULT_FRONT_LIMITS, ...opts.limits };
  let port = opts.port;
  let passed = 0;
  let restarts = 0;
  let refused: FrontCounts = { overBudget: 0, headTimedOut: 0, headTooLarge: 0, evicted: 0, full: 0 };
  let closing = false;
  let child: ChildProcess;

  const onMessage = (m: FromFront, handle?: net.Socket): void => {
    if (m?.type === 'conn' && handle) {
      passed++;
      server.emit('connection', handle);
      // The head the front read, as if it had just arrived (the HTTP server's parser listens to 'data').
      if (m.head) handle.emit('data', Buffer.from(m.head, 'base64'));
      handle.resume();
    } else if (m?.type === 'refused') {
      // Counts since the front started: a replaced front starts again from 0.
      refused = m.counts;
    }
  };

  const spawnFront = (): Promise<number> =>
    new Promise((resolve, reject) => {
      const c = fork(opts.script, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], serialization: 'json' });
      child = c;
      c.on('message', onMessage);
      c.once('message', (m: FromFront) => {
        if (m.type === 'listening') resolve(m.port);
        else if (m.type === 'listenFailed') {
          c.kill();
          reject(Object.assign(new Error(`cannot listen on ${opts.host}:${port}: ${m.message}`), { code: m.code }));
        }
      });
      c.once('exit', (code, signal) => {
        reject(new Error(`the front exited (${signal ?? code}) before it listened`));
        if (closing || child !== c) return;
        // Nothing listens until the next front does: say so loudly, and start it again at once.
        console.error(`front: the process that accepts connections exited (${signal ?? code}); starting another`);
        restarts++;
        setTimeout(() => {
          if (!closing) spawnFront().catch((e: unknown) => console.error(`front: could not start again: ${(e as Error).message}`));
        }, 100);
      });
      c.send({ type: 'listen', port, host: opts.host, backlog: opts.backlog, tls: opts.tls, limits } satisfies ToFront);
    });

  port = await spawnFront();
  return {
    get port() {
      return port;
    },
    get passed() {
      return passed;
    },
    get refused() {
      return refused;
    },
    get restarts() {
      return restarts;
    },
    get pid() {
      return child.pid;
    },
    close: async () => {
      closing = true;
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      child.disconnect();
      await exited;
    },
  };
}

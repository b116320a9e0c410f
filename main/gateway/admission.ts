// main/ (core, Node) — who may hold a connection to the station, and how credential checks are scheduled.
// Three guards, all in front of the namespaces' own authentication (main/gateway/gateway.ts):
// - `Admission`: bounded connections. Raw TCP sockets, and Engine.IO sessions that have not (yet) authenticated
//   on /terminal, /unit or /console ("pending"), are capped per address and in total, and closed after a short
//   time; authenticated ones are capped generously per address (a school district's NAT puts thousands of
//   terminals behind one address) and in total below the process's file-descriptor limit.
// - `protocolParser`: the socket.io parser the station speaks. The protocol never uses binary attachments, so a
//   BINARY_EVENT / BINARY_ACK closes the connection at once instead of buffering attachments. A connect to any
//   namespace but the station's own (`/` included) is refused, and the connection closed right after.
// - `HandshakeGate`: schedules device credential checks so that a valid device is fast whatever others on its
//   address send: unknown ids are refused without hashing, a known-good token is checked without scrypt, and
//   the scrypt checks of failing (address, device) pairs run one at a time, apart from everyone else's.
import crypto from 'node:crypto';
import fs from 'node:fs';
import type http from 'node:http';
import type net from 'node:net';
import type { Server, Socket } from 'socket.io';
import { Decoder, Encoder, PacketType } from 'socket.io-parser';
import { Aging, monotonic } from './aging';

/** The namespaces the station serves; every other one (including the default `/`) is refused. */
export const STATION_NAMESPACES: readonly string[] = ['/terminal', '/unit', '/console'];

export interface AdmissionLimits {
  /** Open connections in total (TCP sockets, and Engine.IO sessions); keep it below the fd limit. */
  maxConnections: number;
  /** Open connections from one address, authenticated or not. Generous: one NAT, many terminals. */
  maxPerAddress: number;
  /** Connections from one address that have not authenticated (yet): tight. */
  maxPendingPerAddress: number;
  /** Connections from all addresses that have not authenticated (yet). Each may hold up to one frame (1 MiB). */
  maxPending: number;
  /** A connection that has not authenticated within this time is closed. */
  pendingTimeoutMs: number;
  /**
   * When an address (or the station) is at its pending cap, a new connection takes the place of the oldest
   * pending one that has been waiting this long (a valid handshake takes milliseconds) or whose handshake was
   * already refused (the answer held back by the gate); if there is none, the new connection is refused.
   */
  evictAfterMs: number;
}

/** File descriptors kept for everything else: journal, registry, tiles, Electron, DNS, logs, libuv. */
export const FD_RESERVE = 512;

/** The soft RLIMIT_NOFILE of this process (Linux: /proc/self/limits), or undefined where it cannot be read. */
export function fdLimit(): number | undefined {
  try {
    const line = fs
      .readFileSync('/proc/self/limits', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('Max open files'));
    const soft = line?.slice('Max open files'.length).trim().split(/\s+/)[0];
    if (soft === 'unlimited') return 1_048_576;
    const n = Number(soft);
    return Number.isInteger(n) && n > 0 ? n : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Safe defaults. The connection cap is the fd limit minus FD_RESERVE (Node raises its soft limit to the hard one
 * at start); where the limit cannot be read (Windows, macOS: `null`) 16,384 is assumed.
 */
export function defaultLimits(limit: number | null = fdLimit() ?? null): AdmissionLimits {
  const maxConnections = limit === null ? 16_384 : Math.max(64, limit - FD_RESERVE);
  return {
    maxConnections,
    // One address (a NAT) may take all but the last 1,024 places, which stay for consoles and other addresses.
    maxPerAddress: maxConnections > 2048 ? maxConnections - 1024 : Math.ceil(maxConnections / 2),
    maxPendingPerAddress: 128,
    maxPending: 512,
    pendingTimeoutMs: 10_000,
    evictAfterMs: 500,
  };
}

/** What Admission needs of an Engine.IO connection. */
interface EngineConn {
  readonly remoteAddress: string;
  readyState: string;
  close(): void;
  once(event: 'close', fn: () => void): unknown;
  on(event: 'packetCreate', fn: (p: { type: string; data?: unknown }) => void): unknown;
}

const addrOf = (s: { remoteAddress?: string | undefined }): string => s.remoteAddress ?? '?';

/** Increments a per-address count; returns the new value. */
function bump(m: Map<string, number>, k: string, d: number): number {
  const v = (m.get(k) ?? 0) + d;
  if (v <= 0) m.delete(k);
  else m.set(k, v);
  return v;
}

export class Admission {
  readonly limits: AdmissionLimits;
  // TCP level.
  private tcpTotal = 0;
  private readonly tcpByAddr = new Map<string, number>();
  /** TCP sockets that have not carried a request or an upgrade yet, per address and in total. */
  private readonly idleByAddr = new Map<string, Aging<net.Socket>>();
  private readonly idleAll = new Aging<net.Socket>();
  // Engine.IO level.
  private engineTotal = 0;
  private readonly engineByAddr = new Map<string, number>();
  private readonly pendingByAddr = new Map<string, Aging<EngineConn>>();
  private readonly pendingAll = new Aging<EngineConn>();
  /** Authenticated namespace sockets per connection. */
  private readonly authed = new WeakMap<EngineConn, number>();
  /** Pending connections whose handshake was refused (the answer held back): they give way at any age. */
  private readonly refusedConns = new WeakSet<object>();
  private readonly sweeper: NodeJS.Timeout;
  /** What was refused or closed, for tests and the log. */
  readonly refused = { tcp: 0, engine: 0, evicted: 0, timedOut: 0 };

  constructor(limits: Partial<AdmissionLimits> = {}) {
    this.limits = { ...defaultLimits(), ...limits };
    this.sweeper = setInterval(() => this.sweep(), Math.max(50, Math.min(1000, this.limits.pendingTimeoutMs / 4)));
    this.sweeper.unref();
  }

  /** Open Engine.IO connections and how many of them are pending, for tests and health. */
  get counts(): { tcp: number; engine: number; pending: number; idleTcp: number } {
    return { tcp: this.tcpTotal, engine: this.engineTotal, pending: this.pendingAll.items.size, idleTcp: this.idleAll.items.size };
  }

  /**
   * Hooks the HTTP(S) server and the socket.io server. `tls`: the server is https, whose 'connection' sockets are
   * raw TCP under a TLS socket (the TLS handshake itself is bounded by the server's handshakeTimeout).
   */
  attach(server: http.Server, io: Server, tls: boolean): void {
    server.on('connection', (sock: net.Socket) => {
      const addr = addrOf(sock);
      if (this.tcpTotal >= this.limits.maxConnections || (this.tcpByAddr.get(addr) ?? 0) >= this.limits.maxPerAddress + this.limits.maxPendingPerAddress) {
        this.refused.tcp++;
        sock.destroy();
        return;
      }
      this.tcpTotal++;
      bump(this.tcpByAddr, addr, 1);
      sock.once('close', () => {
        this.tcpTotal--;
        bump(this.tcpByAddr, addr, -1);
      });
      if (!tls) this.trackIdle(sock);
    });
    if (tls) server.on('secureConnection', (sock: net.Socket) => this.trackIdle(sock));
    server.on('request', (req: http.IncomingMessage) => this.used(req.socket));
    server.on('upgrade', (_req: http.IncomingMessage, sock: net.Socket) => this.used(sock));

    io.engine.on('connection', (conn: EngineConn) => this.engineOpened(conn));
    for (const name of STATION_NAMESPACES) io.of(name).on('connection', (s: Socket) => this.authenticated(s));
    // The default namespace serves nothing and has no credentials: nobody gets in.
    io.of('/').use((_s, next) => next(new Error('unauthorized')));
  }

  /**
   * Engine.IO's `allowRequest` (a server option): called for new sessions only (no sid), before any upgrade,
   * so a refusal is a 403 that costs nothing more.
   */
  readonly allowRequest = (req: http.IncomingMessage, cb: (err: string | null | undefined, success: boolean) => void): void => {
    const addr = addrOf(req.socket);
    if (this.engineTotal >= this.limits.maxConnections || (this.engineByAddr.get(addr) ?? 0) >= this.limits.maxPerAddress || !this.makeRoom(addr)) {
      this.refused.engine++;
      cb('too many connections / 连接过多', false);
      return;
    }
    cb(null, true);
  };

  /** This connection's handshake was refused; its refusal is held back (HandshakeGate): it may be evicted at once. */
  readonly releasable = (conn: object): void => {
    this.refusedConns.add(conn);
  };

  close(): void {
    clearInterval(this.sweeper);
  }

  // ---- TCP ----

  private trackIdle(sock: net.Socket): void {
    const addr = addrOf(sock);
    let set = this.idleByAddr.get(addr);
    const now = monotonic();
    const drop = (s: net.Socket): void => {
      this.used(s);
      s.destroy();
    };
    if ((set && !this.evictOldest(set, this.limits.maxPendingPerAddress, now, drop)) || !this.evictOldest(this.idleAll, this.limits.maxPending, now, drop)) {
      this.refused.tcp++;
      sock.destroy();
      return;
    }
    set = this.idleByAddr.get(addr); // eviction may have emptied and removed it
    if (!set) this.idleByAddr.set(addr, (set = new Aging()));
    set.add(sock, now);
    this.idleAll.add(sock, now);
    sock.once('close', () => this.used(sock));
  }

  private used(sock: net.Socket): void {
    if (!this.idleAll.items.delete(sock)) return;
    const addr = addrOf(sock);
    const set = this.idleByAddr.get(addr);
    set?.items.delete(sock);
    if (set && set.items.size === 0) this.idleByAddr.delete(addr);
  }

  /**
   * Makes room for one more in `set` (cap `max`): evicts the oldest if it has waited evictAfterMs. False when
   * the set is full of young entries. `drop` must remove the entry from the set (synchronously).
   */
  private evictOldest<T>(set: Aging<T>, max: number, now: number, drop: (x: T) => void): boolean {
    // The oldest that waited evictAfterMs, or else the oldest whose refusal is only being held back.
    return set.makeRoom(
      max,
      (x, at) => now - at >= this.limits.evictAfterMs || this.refusedConns.has(x as object),
      (x) => {
        this.refused.evicted++;
        drop(x);
      },
    );
  }

  // ---- Engine.IO ----

  private makeRoom(addr: string): boolean {
    const now = monotonic();
    const set = this.pendingByAddr.get(addr);
    if (set && !this.evictOldest(set, this.limits.maxPendingPerAddress, now, (c) => this.closePending(c))) return false;
    return this.evictOldest(this.pendingAll, this.limits.maxPending, now, (c) => this.closePending(c));
  }

  private engineOpened(conn: EngineConn): void {
    const addr = addrOf(conn);
    this.engineTotal++;
    bump(this.engineByAddr, addr, 1);
    // A refused namespace connect (CONNECT_ERROR: "Invalid namespace", `/`, bad credentials) on a connection that
    // is in no namespace: the connection has nothing left to do, so it is closed once the refusal is written
    // (Engine.IO flushes its write buffer before closing). socket.io-client closes it too, but only its own.
    conn.on('packetCreate', (p: { type: string; data?: unknown }) => {
      // Engine.IO message packets carry the socket.io packet without Engine.IO's own '4': CONNECT_ERROR is '4…'.
      if (p.type === 'message' && typeof p.data === 'string' && p.data.charAt(0) === String(PacketType.CONNECT_ERROR) && !this.authed.get(conn)) {
        setImmediate(() => {
          if (!this.authed.get(conn)) conn.close();
        });
      }
    });
    conn.once('close', () => {
      this.engineTotal--;
      bump(this.engineByAddr, addr, -1);
      this.unpend(conn);
    });
    // allowRequest ran before this connection existed: a burst can pass it together, so check again.
    const over = this.engineTotal > this.limits.maxConnections || (this.engineByAddr.get(addr) ?? 0) > this.limits.maxPerAddress;
    if (over || !this.makeRoom(addr)) {
      this.refused.engine++;
      conn.close();
      return;
    }
    this.pend(conn);
  }

  private pend(conn: EngineConn): void {
    const addr = addrOf(conn);
    let set = this.pendingByAddr.get(addr);
    if (!set) this.pendingByAddr.set(addr, (set = new Aging()));
    const now = monotonic();
    set.add(conn, now);
    this.pendingAll.add(conn, now);
  }

  private unpend(conn: EngineConn): void {
    if (!this.pendingAll.items.delete(conn)) return;
    const addr = addrOf(conn);
    const set = this.pendingByAddr.get(addr);
    set?.items.delete(conn);
    if (set && set.items.size === 0) this.pendingByAddr.delete(addr);
  }

  private closePending(conn: EngineConn): void {
    this.unpend(conn);
    conn.close();
  }

  /** A socket passed a namespace's authentication: its connection is no longer pending while it is there. */
  private authenticated(socket: Socket): void {
    const conn = socket.conn as unknown as EngineConn;
    this.authed.set(conn, (this.authed.get(conn) ?? 0) + 1);
    this.unpend(conn);
    socket.once('disconnect', () => {
      const n = (this.authed.get(conn) ?? 1) - 1;
      this.authed.set(conn, n);
      // Left every namespace but kept the connection open: it is pending again, with a fresh deadline.
      if (n === 0 && conn.readyState === 'open') this.pend(conn);
    });
  }

  /** Closes what waited longer than pendingTimeoutMs. Both sets are in time order, so this stops at the first young one. */
  private sweep(): void {
    const limit = monotonic() - this.limits.pendingTimeoutMs;
    for (const [conn, at] of this.pendingAll.items) {
      if (at > limit) break;
      this.refused.timedOut++;
      this.closePending(conn);
    }
    for (const [sock, at] of this.idleAll.items) {
      if (at > limit) break;
      this.refused.timedOut++;
      this.used(sock);
      sock.destroy();
    }
  }
}

/**
 * The socket.io parser of the station: socket.io-parser's, minus binary attachments. The protocol never uses
 * them, and a client could otherwise park megabytes of unfinished attachments on every connection (a header
 * announcing N attachments, then up to N frames of maxHttpBufferSize each, kept until the last one). A decoder
 * that throws makes socket.io close that connection (Client.ondata → onerror → conn.close()).
 */
export function protocolParser(): { Encoder: typeof Encoder; Decoder: typeof Decoder } {
  class StationDecoder extends Decoder {
    override add(obj: unknown): void {
      if (typeof obj !== 'string') throw new Error('binary frames are not part of the protocol');
      const type = Number(obj.charAt(0));
      if (type === PacketType.BINARY_EVENT || type === PacketType.BINARY_ACK) throw new Error('binary attachments are not part of the protocol');
      super.add(obj);
    }
  }
  return { Encoder, Decoder: StationDecoder };
}

// ---- credential checks ----

/** One device handshake to check. */
export interface DeviceCheck<R> {
  /** Source address of the connection. */
  addr: string;
  /** `terminal:<id>` or `unit:<id>`: the device the handshake claims to be. */
  key: string;
  token: string;
  /** The current secret hash of that device if it exists and is enabled; undefined otherwise (no hashing). */
  current(): string | undefined;
  /** The full check (the registry's: its own cache, else scrypt); undefined when refused. */
  verify(): Promise<R | undefined>;
}

/** Runs at most `concurrency` tasks at once, queues up to `maxQueue` more, and refuses beyond that. */
export class Lane {
  private running = 0;
  private readonly queue: (() => void)[] = [];
  constructor(
    private readonly concurrency: number,
    private readonly maxQueue: number,
  ) {}
  get size(): number {
    return this.running + this.queue.length;
  }
  /** undefined (without running fn) when the queue is full. */
  run<T>(fn: () => Promise<T>): Promise<T | undefined> {
    if (this.running >= this.concurrency && this.queue.length >= this.maxQueue) return Promise.resolve(undefined);
    return new Promise<T | undefined>((resolve, reject) => {
      const start = (): void => {
        this.running++;
        fn()
          .then(resolve, reject)
          .finally(() => {
            this.running--;
            this.queue.shift()?.();
          });
      };
      if (this.running < this.concurrency) start();
      else this.queue.push(start);
    });
  }
}

const FAILURE_WINDOW_MS = 10 * 60_000;
const MAX_TRACKED = 10_000;

/**
 * Device handshakes: a valid device is never slowed by what others send from its address (spec: "Repeated
 * failures from one address are slowed down, but never a device with valid credentials").
 * - an unknown or disabled device id is refused without hashing (its refusal waits about as long as an scrypt
 *   check would, on a timer, so timing does not tell which ids exist);
 * - a token that already passed for the device's current secret is re-checked without scrypt, at once;
 * - other checks need scrypt. Those of a (address, device) pair or a device that failed (or has checks in
 *   flight) more than a few times run in the `suspect` lane, one at a time, with a bounded queue; the others in
 *   the `fresh` lane, a few at a time. Together they never take more than the libuv pool's 4 threads.
 * - a refusal is held back longer with each failure of that (address, device) pair, never longer than 10 s.
 */
export class HandshakeGate {
  private readonly failures = new Map<string, { count: number; at: number }>();
  private readonly inFlight = new Map<string, number>();
  /** key → `${secret hash} ${sha256(token)}` of the last token that passed: the fast lane. */
  private readonly good = new Map<string, string>();
  private readonly fresh = new Lane(3, 4096);
  private readonly suspect = new Lane(1, 256);
  /** Running average of an scrypt check, to pad refusals of unknown ids. */
  private checkMs = 5;
  /** Told of a connection whose refusal is being held back (the core points it at Admission.releasable). */
  onHold?: (conn: object) => void;

  constructor(private readonly now: () => number = Date.now) {}

  private failuresOf(k: string): number {
    const f = this.failures.get(k);
    return f && this.now() - f.at < FAILURE_WINDOW_MS ? f.count : 0;
  }

  private recordFailure(k: string): number {
    const count = this.failuresOf(k) + 1;
    this.failures.delete(k);
    this.failures.set(k, { count, at: this.now() });
    // Bounded memory under a spray of addresses or ids: forget the oldest.
    while (this.failures.size > MAX_TRACKED) this.failures.delete(this.failures.keys().next().value!);
    return count;
  }

  /** Which lane an uncached check of this pair goes to (counts its checks in flight, so a burst cannot dodge it). */
  private isSuspect(pair: string, key: string): boolean {
    return this.failuresOf(pair) + (this.inFlight.get(pair) ?? 0) > 3 || this.failuresOf(key) + (this.inFlight.get(key) ?? 0) > 20;
  }

  /**
   * Checks a handshake. Resolves `{ ok: record }` or `{ ok: undefined, delayMs }`: how long to hold back the
   * refusal (the caller answers after it).
   */
  async check<R>(c: DeviceCheck<R>): Promise<{ ok: R; delayMs: 0 } | { ok: undefined; delayMs: number }> {
    const pair = `${c.addr} ${c.key}`;
    const hash = c.current();
    if (hash === undefined) return { ok: undefined, delayMs: this.failed(pair, c.key, true) };
    const digest = crypto.createHash('sha256').update(c.token).digest('base64');
    let result: R | undefined;
    if (this.good.get(c.key) === `${hash} ${digest}`) {
      result = await c.verify(); // the registry's cache answers without scrypt
    } else {
      const lane = this.isSuspect(pair, c.key) ? this.suspect : this.fresh;
      bump(this.inFlight, pair, 1);
      bump(this.inFlight, c.key, 1);
      try {
        const t0 = performance.now();
        result = await lane.run(() => c.verify());
        this.checkMs = 0.9 * this.checkMs + 0.1 * Math.min(100, performance.now() - t0);
      } finally {
        bump(this.inFlight, pair, -1);
        bump(this.inFlight, c.key, -1);
      }
      if (result !== undefined) {
        this.good.set(c.key, `${hash} ${digest}`);
        while (this.good.size > MAX_TRACKED) this.good.delete(this.good.keys().next().value!);
      }
    }
    if (result !== undefined) return { ok: result, delayMs: 0 };
    return { ok: undefined, delayMs: this.failed(pair, c.key, false) };
  }

  /** A malformed auth: a failure of the address with no device. */
  malformed(addr: string): number {
    return this.failed(`${addr} -`, undefined, true);
  }

  private failed(pair: string, key: string | undefined, unhashed: boolean): number {
    const count = this.recordFailure(pair);
    if (key !== undefined) this.recordFailure(key);
    const penalty = count <= 3 ? 0 : Math.min(10_000, 100 * 2 ** (count - 3));
    return penalty + (unhashed ? Math.round(this.checkMs) : 0);
  }
}

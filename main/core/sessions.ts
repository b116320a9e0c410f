// main/ (core, Node) — operator sessions as HMAC-signed tokens, so a console stays logged in across a core
// restart. The key lives in the data folder (mode 600); deleting it logs everyone out.
// Each token carries a random session id (sid). The live sessions are a small table persisted next to the key
// (sessions.json, written atomically), so a session can be ended (issue 9, finding 11): by logout, by a password
// reset or disable of its operator (the table keeps a stamp of the password hash it was issued under), and by an
// idle timeout (no console connected for idleMs). The table survives a restart: consoles reconnect after a crash.
import { callEach } from './listeners';
import crypto from 'node:crypto';
import fs from 'node:fs';
import { replaceFile } from './durableFile';
import { z } from 'zod';
import { FileFormatError, fieldPath, parseJsonFile, unknownFields } from './fileSchema';
import { dataFile, DEFAULT_SESSION_IDLE_MS } from './settings';

export { DEFAULT_SESSION_IDLE_MS };

export interface SessionClaims {
  username: string;
  exp: number;
  /** The session id: absent only in tokens issued before sessions could be revoked (check() refuses those). */
  sid?: string;
}

/** One live session, as kept in sessions.json. */
interface SessionEntry {
  username: string;
  /** The operator's password stamp when issued (Registry.operatorStamp); a reset or disable changes it. */
  stamp?: string;
  issuedAt: number;
  /** The last moment a console of this session was connected (refreshed every minute while one is). */
  lastSeen: number;
  exp: number;
}

export interface SessionOptions {
  /** A session with no console connected for this long is ended (default 30 min). */
  idleMs?: number;
  /** The operator's current password stamp, undefined when the operator is unknown or disabled. */
  stampOf?: (username: string) => string | undefined;
}

/** Live sessions kept at most; beyond it the longest unused are ended (logins are throttled, so this is slack). */
const MAX_SESSIONS = 5000;
const SWEEP_MS = 60_000;

const KEY_BYTES = 32;

export const SESSION_TTL_MS = 24 * 3600_000; // one duty shift and some

export class Sessions {
  private readonly table = new Map<string, SessionEntry>();
  /** Open console connections per sid (not persisted: after a restart every console reconnects). */
  private readonly connections = new Map<string, number>();
  private readonly listeners = new Set<(sids: ReadonlySet<string>) => void>();
  private readonly idleMs: number;
  private readonly stampOf: ((username: string) => string | undefined) | undefined;
  private sweeper: NodeJS.Timeout | undefined;

  private constructor(
    private readonly key: Buffer,
    private readonly file: string,
    opts: SessionOptions,
  ) {
    this.idleMs = opts.idleMs ?? DEFAULT_SESSION_IDLE_MS;
    this.stampOf = opts.stampOf;
    this.load();
  }

  static open(dataDir: string, opts: SessionOptions = {}): Sessions {
    const file = dataFile(dataDir, 'sessionKey');
    const table = dataFile(dataDir, 'sessions');
    fs.mkdirSync(dataDir, { recursive: true });
    const existing = fs.existsSync(file) ? Buffer.from(fs.readFileSync(file, 'utf8'), 'base64') : undefined;
    if (existing && existing.length >= KEY_BYTES) return new Sessions(existing, table, opts);
    // A missing, empty or truncated key (a crash while it was first written) would let anyone forge a
    // session: make a new one, atomically. Everyone logged in has to log in again.
    if (existing) console.warn(`sessions: ${file} holds a ${existing.length}-byte key; replacing it, all consoles must log in again`);
    const key = crypto.randomBytes(KEY_BYTES);
    replaceFile(file, key.toString('base64'));
    return new Sessions(key, table, opts);
  }

  private sign(body: string): string {
    return crypto.createHmac('sha256', this.key).update(body).digest('base64url');
  }

  issue(username: string, now: number): string {
    const sid = crypto.randomBytes(16).toString('base64url');
    const exp = now + SESSION_TTL_MS;
    this.sweep(now, false);
    const stamp = this.stampOf?.(username);
    this.table.set(sid, { username, ...(stamp !== undefined ? { stamp } : {}), issuedAt: now, lastSeen: now, exp });
    this.save();
    const body = Buffer.from(JSON.stringify({ username, exp, sid } satisfies SessionClaims)).toString('base64url');
    return `${body}.${this.sign(body)}`;
  }

  /** The claims of a token this key signed and that has not expired (the signature only: see check()). */
  verify(token: unknown, now: number): SessionClaims | undefined {
    if (typeof token !== 'string' || token.length > 2048) return undefined;
    const [body, mac, extra] = token.split('.');
    if (!body || !mac || extra !== undefined) return undefined;
    const expected = Buffer.from(this.sign(body));
    const got = Buffer.from(mac);
    if (expected.length !== got.length || !crypto.timingSafeEqual(expected, got)) return undefined;
    try {
      const claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as SessionClaims;
      if (typeof claims !== 'object' || claims === null || typeof claims.username !== 'string' || typeof claims.exp !== 'number' || claims.exp < now)
        return undefined;
      if (claims.sid !== undefined && (typeof claims.sid !== 'string' || claims.sid.length > 64)) return undefined;
      return claims;
    } catch {
      return undefined;
    }
  }

  /**
   * The claims of a token whose session is live: signed, not expired, in the table (not logged out), its
   * operator's password unchanged and the operator enabled, and not idle. What the console namespace admits.
   */
  check(token: unknown, now: number): (SessionClaims & { sid: string }) | undefined {
    const claims = this.verify(token, now);
    if (!claims?.sid) return undefined;
    const e = this.table.get(claims.sid);
    if (!e || e.username !== claims.username) return undefined;
    if (!this.live(claims.sid, e, now)) {
      this.end([claims.sid]);
      return undefined;
    }
    return { ...claims, sid: claims.sid };
  }

  private live(sid: string, e: SessionEntry, now: number): boolean {
    if (e.exp < now) return false;
    if (this.stampOf) {
      const stamp = this.stampOf(e.username);
      if (stamp === undefined || stamp !== e.stamp) return false; // disabled, removed, or a new password
    }
    return (this.connections.get(sid) ?? 0) > 0 || now - e.lastSeen <= this.idleMs;
  }

  /** Whether the session is still live (for connected consoles, after a registry change). */
  isLive(sid: string, now: number): boolean {
    const e = this.table.get(sid);
    return e !== undefined && this.live(sid, e, now);
  }

  /** A console of this session connected: it is not idle while one is. */
  attach(sid: string, now: number): void {
    this.connections.set(sid, (this.connections.get(sid) ?? 0) + 1);
    const e = this.table.get(sid);
    if (e) e.lastSeen = now;
  }

  /** A console of this session went away: the idle time counts from now. */
  detach(sid: string, now: number): void {
    const n = (this.connections.get(sid) ?? 0) - 1;
    if (n > 0) this.connections.set(sid, n);
    else this.connections.delete(sid);
    const e = this.table.get(sid);
    if (e) e.lastSeen = now;
  }

  /** Ends one session (logout). True when it was live. */
  revoke(sid: string): boolean {
    if (!this.table.has(sid)) return false;
    this.end([sid]);
    return true;
  }

  /** Ends every session of an operator. */
  revokeOperator(username: string): number {
    const sids = [...this.table].filter(([, e]) => e.username === username).map(([sid]) => sid);
    this.end(sids);
    return sids.length;
  }

  /**
   * Ends every session that is no longer live (expired, idle, password reset, operator disabled or removed) and
   * saves the table with the last-seen time of connected ones. Called after every registry change and every minute.
   */
  sweep(now: number, persist = true): void {
    const dead: string[] = [];
    for (const [sid, e] of this.table) {
      if (!this.live(sid, e, now)) dead.push(sid);
      else if ((this.connections.get(sid) ?? 0) > 0) e.lastSeen = now;
    }
    if (this.table.size - dead.length >= MAX_SESSIONS) {
      const oldest = [...this.table].filter(([sid]) => !dead.includes(sid)).sort((a, b) => a[1].lastSeen - b[1].lastSeen);
      for (const [sid] of oldest.slice(0, this.table.size - dead.length - MAX_SESSIONS + 1)) dead.push(sid);
    }
    if (dead.length > 0) this.end(dead, persist);
    else if (persist) this.save();
  }

  /** Hears the sids of every session that ends (the console namespace disconnects their consoles). */
  onRevoked(fn: (sids: ReadonlySet<string>) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Sweeps every minute until close(). */
  startSweeping(now: () => number): void {
    clearInterval(this.sweeper);
    this.sweeper = setInterval(() => this.sweep(now()), SWEEP_MS);
    this.sweeper.unref();
  }

  close(now: number): void {
    clearInterval(this.sweeper);
    this.sweeper = undefined;
    this.sweep(now);
  }

  private end(sids: readonly string[], persist = true): void {
    const gone = new Set(sids.filter((sid) => this.table.delete(sid)));
    for (const sid of gone) this.connections.delete(sid);
    if (gone.size === 0) return;
    if (persist) this.save();
    callEach(this.listeners, [gone], 'sessions');
  }

  private load(): void {
    let raw: string;
    try {
      raw = fs.readFileSync(this.file, 'utf8');
    } catch {
      return; // no table yet: no live session
    }
    let entries: unknown[];
    try {
      entries = parseJsonFile(this.file, raw, sessionsFileSchema, (m) => console.warn(`sessions: ${m}`)).sessions;
    } catch (e) {
      // Unreadable: nobody is logged in (safe), every console logs in again.
      const why = e instanceof FileFormatError ? e.message : `${this.file}: ${(e as Error).message}`;
      console.warn(`sessions: cannot be read (${why}); all consoles must log in again`);
      return;
    }
    // One bad entry ends only that session (its console logs in again), never all of them.
    const bad: string[] = [];
    const unknown: string[] = [];
    entries.forEach((x, i) => {
      const r = sessionEntrySchema.safeParse(x);
      if (!r.success) {
        bad.push(`sessions[${i}]${r.error.issues[0] && r.error.issues[0].path.length > 0 ? `.${fieldPath(r.error.issues[0].path)}` : ''}`);
        return;
      }
      unknown.push(...unknownFields(sessionEntrySchema, x, `sessions[${i}]`));
      const { sid, username, stamp, issuedAt, lastSeen, exp } = r.data;
      this.table.set(sid, { username, ...(stamp !== undefined ? { stamp } : {}), issuedAt, lastSeen, exp });
    });
    if (bad.length > 0) console.warn(`sessions: ${this.file}: ${bad.length} malformed session${bad.length === 1 ? '' : 's'} ended (first: field ${bad[0]})`);
    if (unknown.length > 0) console.warn(`sessions: ${this.file}: ignoring fields this version does not know: ${unknown.slice(0, 5).join(', ')}`);
  }

  private save(): void {
    const sessions = [...this.table].map(([sid, e]) => ({ sid, ...e }));
    try {
      replaceFile(this.file, JSON.stringify({ version: 1, sessions }));
    } catch (e) {
      // A full disk must not stop a login or a logout in memory; the next save tries again.
      console.error(`sessions: could not save ${this.file}:`, e);
    }
  }
}

/** sessions.json: `{ version: 1, sessions: [...] }`; each entry is checked on its own (sessionEntrySchema). */
const sessionsFileSchema = z.looseObject({ version: z.number().optional(), sessions: z.array(z.unknown()) });
const sessionEntrySchema = z.looseObject({
  sid: z.string(),
  username: z.string(),
  stamp: z.string().optional(),
  issuedAt: z.number(),
  lastSeen: z.number(),
  exp: z.number(),
});

// main/ (core, Node) — operator sessions as HMAC-signed tokens, so a console stays logged in across a core
// restart. The key lives in the data folder (mode 600); deleting it logs everyone out.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export interface SessionClaims {
  username: string;
  exp: number;
}

const KEY_BYTES = 32;

export const SESSION_TTL_MS = 24 * 3600_000; // one duty shift and some

export class Sessions {
  private constructor(private readonly key: Buffer) {}

  static open(dataDir: string): Sessions {
    const file = path.join(dataDir, 'session-key');
    fs.mkdirSync(dataDir, { recursive: true });
    const existing = fs.existsSync(file) ? Buffer.from(fs.readFileSync(file, 'utf8'), 'base64') : undefined;
    if (existing && existing.length >= KEY_BYTES) return new Sessions(existing);
    // A missing, empty or truncated key (a crash while it was first written) would let anyone forge a
    // session: make a new one, atomically. Everyone logged in has to log in again.
    if (existing) console.warn(`sessions: ${file} holds a ${existing.length}-byte key; replacing it, all consoles must log in again`);
    const key = crypto.randomBytes(KEY_BYTES);
    const tmp = `${file}.tmp`;
    const fd = fs.openSync(tmp, 'w', 0o600);
    try {
      fs.writeSync(fd, key.toString('base64'));
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, file);
    return new Sessions(key);
  }

  private sign(body: string): string {
    return crypto.createHmac('sha256', this.key).update(body).digest('base64url');
  }

  issue(username: string, now: number): string {
    const body = Buffer.from(JSON.stringify({ username, exp: now + SESSION_TTL_MS } satisfies SessionClaims)).toString('base64url');
    return `${body}.${this.sign(body)}`;
  }

  verify(token: unknown, now: number): SessionClaims | undefined {
    if (typeof token !== 'string' || token.length > 2048) return undefined;
    const [body, mac, extra] = token.split('.');
    if (!body || !mac || extra !== undefined) return undefined;
    const expected = Buffer.from(this.sign(body));
    const got = Buffer.from(mac);
    if (expected.length !== got.length || !crypto.timingSafeEqual(expected, got)) return undefined;
    try {
      const claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as SessionClaims;
      if (typeof claims.username !== 'string' || typeof claims.exp !== 'number' || claims.exp < now) return undefined;
      return claims;
    } catch {
      return undefined;
    }
  }
}

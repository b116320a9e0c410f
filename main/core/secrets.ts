// main/ (core, Node) — salted scrypt hashes for device tokens and operator passwords, and random tokens.
import crypto from 'node:crypto';

export interface SecretHash {
  salt: string; // base64
  hash: string; // base64
  /** scrypt cost N used for this hash (absent: 16384). */
  n?: number;
}

export const KEYLEN = 32;
/** scrypt's memory ceiling for our costs (N=2^14, r=8 needs 16 MiB). */
export const MAXMEM = 64 * 1024 * 1024;
/**
 * Operator passwords may one day be chosen by people: N=2^14 (~16 MiB, tens of ms) makes guessing costly.
 * Device tokens are 192 random bits that nobody can guess, so a light N=2^11 is as safe and lets a whole
 * county of terminals reconnect after a restart in seconds, not minutes.
 */
export const COST = { password: 16384, token: 2048 } as const;

function scrypt(secret: string, salt: Buffer, n: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    crypto.scrypt(secret, salt, KEYLEN, { N: n, r: 8, p: 1, maxmem: MAXMEM }, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

export async function hashSecret(secret: string, kind: keyof typeof COST = 'password'): Promise<SecretHash> {
  const salt = crypto.randomBytes(16);
  const n = COST[kind];
  return { salt: salt.toString('base64'), hash: (await scrypt(secret, salt, n)).toString('base64'), n };
}

/** The cost to check a stored hash with: the token cost or the password cost, never one the file could set lower. */
export function costOf(stored: SecretHash): number {
  return stored.n === COST.token ? COST.token : COST.password;
}

export async function verifySecret(secret: string, stored: SecretHash): Promise<boolean> {
  const expected = Buffer.from(stored.hash, 'base64');
  const n = costOf(stored);
  const actual = await scrypt(secret, Buffer.from(stored.salt, 'base64'), n);
  return expected.length === actual.length && crypto.timingSafeEqual(expected, actual);
}

/** A fast digest of a verified high-entropy token, for the in-memory cache of recent handshakes. */
export function tokenDigest(token: string): string {
  return crypto.createHash('sha256').update(token).digest('base64');
}

/** A device token or password: 24 random bytes, URL-safe. */
export function newToken(): string {
  return crypto.randomBytes(24).toString('base64url');
}

// main/ (core, Node) — salted scrypt hashes for device tokens and operator passwords, and random tokens.
import crypto from 'node:crypto';

export interface SecretHash {
  salt: string; // base64
  hash: string; // base64
}

const KEYLEN = 32;
// N=2^14, r=8: ~16 MiB and tens of ms per check; costly to brute-force, cheap for one login.
const PARAMS = { N: 16384, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };

function scrypt(secret: string, salt: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    crypto.scrypt(secret, salt, KEYLEN, PARAMS, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

export async function hashSecret(secret: string): Promise<SecretHash> {
  const salt = crypto.randomBytes(16);
  return { salt: salt.toString('base64'), hash: (await scrypt(secret, salt)).toString('base64') };
}

export async function verifySecret(secret: string, stored: SecretHash): Promise<boolean> {
  const expected = Buffer.from(stored.hash, 'base64');
  const actual = await scrypt(secret, Buffer.from(stored.salt, 'base64'));
  return expected.length === actual.length && crypto.timingSafeEqual(expected, actual);
}

/** A device token or password: 24 random bytes, URL-safe. */
export function newToken(): string {
  return crypto.randomBytes(24).toString('base64url');
}

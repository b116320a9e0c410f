// main/ (core, Node) — operator password checks on one dedicated worker thread, off the libuv thread pool.
// Terminal and unit handshakes verify their tokens with crypto.scrypt on that pool (4 threads); a login flood
// used to fill it with N=2^14 password hashes and make terminals' handshakes time out (issue 9, finding 9).
// Here every password check runs one at a time on its own thread (scryptSync inside it), behind a bounded
// queue: a check that would wait behind `maxQueue` others is refused at once (the login answers 429). That thread
// runs at the lowest priority (Linux: a thread's nice value is its own): a queue of checks is ~1.5 s of a full
// core, which on a 2-core station would otherwise be taken from the core's thread and the terminals' token checks;
// a login waits for a CPU, an alarm does not.
import crypto from 'node:crypto';
import { Worker } from 'node:worker_threads';
import { costOf, KEYLEN, MAXMEM, type SecretHash } from './secrets';

/** The password thread's scheduling priority (Linux: the thread's nice value; elsewhere it runs at the process's). */
export const PASSWORD_NICENESS = 19;

/**
 * The worker's code, evaluated (no separate file: the core is bundled by esbuild and run by vitest from .ts alike).
 * process.getBuiltinModule works whether Node evaluates it as a script or as a module.
 */
const WORKER_SOURCE = `
const { parentPort } = process.getBuiltinModule('node:worker_threads');
const crypto = process.getBuiltinModule('node:crypto');
try {
  const tid = Number(process.getBuiltinModule('node:fs').readlinkSync('/proc/thread-self').split('/').pop());
  if (Number.isInteger(tid) && tid > 0 && tid !== process.pid) process.getBuiltinModule('node:os').setPriority(tid, ${PASSWORD_NICENESS});
} catch {}
parentPort.on('message', (m) => {
  try {
    const key = crypto.scryptSync(m.secret, Buffer.from(m.salt, 'base64'), m.keylen, { N: m.n, r: 8, p: 1, maxmem: m.maxmem });
    parentPort.postMessage({ id: m.id, key: key.toString('base64') });
  } catch (e) {
    parentPort.postMessage({ id: m.id, error: String((e && e.message) || e) });
  }
});
`;

/** Too many password checks are waiting: the caller answers "try again later" without checking. */
export class HasherBusy extends Error {}

interface Pending {
  resolve(key: Buffer): void;
  reject(e: Error): void;
}

export class PasswordHasher {
  private worker: Worker | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;

  /** maxQueue: checks waiting or running at once (one N=2^14 hash is ~50 ms here, so 32 is ~1.5 s of work). */
  constructor(readonly maxQueue = 32) {}

  /** Checks waiting or running now. */
  get queued(): number {
    return this.pending.size;
  }

  /** True when `password` matches `stored`; rejects with HasherBusy at once when the queue is full. */
  async verify(password: string, stored: SecretHash): Promise<boolean> {
    const expected = Buffer.from(stored.hash, 'base64');
    const actual = await this.scrypt(password, stored.salt, costOf(stored));
    return expected.length === actual.length && crypto.timingSafeEqual(expected, actual);
  }

  private scrypt(secret: string, salt: string, n: number): Promise<Buffer> {
    if (this.pending.size >= this.maxQueue) return Promise.reject(new HasherBusy(`${this.pending.size} password checks are waiting`));
    const worker = this.start();
    const id = this.nextId++;
    return new Promise<Buffer>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.ref(); // keep the process alive while a check is under way
      worker.postMessage({ id, secret, salt, n, keylen: KEYLEN, maxmem: MAXMEM });
    });
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(WORKER_SOURCE, { eval: true, name: 'password-hasher' });
    worker.on('message', (m: { id: number; key?: string; error?: string }) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (m.key !== undefined) p.resolve(Buffer.from(m.key, 'base64'));
      else p.reject(new Error(`password check failed: ${m.error}`));
      if (this.pending.size === 0) worker.unref();
    });
    // A dead worker fails what it had; the next check starts a new one.
    const died = (why: string): void => {
      if (this.worker === worker) this.worker = undefined;
      for (const p of this.pending.values()) p.reject(new Error(`password worker ${why}`));
      this.pending.clear();
    };
    worker.on('error', (e) => {
      console.error('passwords: worker failed:', e);
      died(`failed: ${e.message}`);
    });
    worker.on('exit', (code) => died(`exited (${code})`));
    worker.unref();
    this.worker = worker;
    return worker;
  }

  /** Stops the worker; checks under way are refused. */
  async close(): Promise<void> {
    const w = this.worker;
    this.worker = undefined;
    if (w) await w.terminate();
  }
}

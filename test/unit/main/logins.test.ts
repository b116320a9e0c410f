// test/unit/main — logins (issue 9, finding 9 and the login timing of 14): the throttle counts concurrent guesses,
// per address and per account; a success gives back only that account's own failures; an unknown username costs
// the same as a wrong password; password hashing runs on its own worker, so a login flood does not hold up the
// terminals' token checks on the thread pool. Real HTTP server, real scrypt.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { makeRequestHandler, type HttpDeps } from '../../../main/gateway/http';
import { LoginThrottle } from '../../../main/gateway/logins';
import { HasherBusy, PASSWORD_NICENESS, PasswordHasher } from '../../../main/core/passwords';
import { Registry } from '../../../main/core/registry';
import { hashSecret, newToken, verifySecret } from '../../../main/core/secrets';
import { Sessions } from '../../../main/core/sessions';
import { officer } from '../../support/operators';
import { operatorRecord, registryOf, school, terminal } from '../../support/registryFixture';

const PASSWORD = 'correct horse battery';
const TOKEN = newToken();
let root: string;
let registry: Registry;
let sessions: Sessions;

beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'logins-test-'));
  registry = new Registry(
    registryOf({
      schools: [school('s1')],
      terminals: [terminal('t1', 's1', await hashSecret(TOKEN, 'token'))],
      operators: [operatorRecord(officer, await hashSecret(PASSWORD))],
    }),
  );
  sessions = Sessions.open(path.join(root, 'data'));
});
afterAll(() => {
  fs.rmSync(root, { recursive: true, force: true });
});

/** A real HTTP server with the station's handler; `over` replaces deps (throttle, hasher). */
async function serve(over: Partial<HttpDeps> = {}): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer(makeRequestHandler({ consoleDir: root, registry: () => registry, sessions, now: Date.now, ...over }));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function login(
  url: string,
  username: string,
  password: string,
): Promise<{ status: number; ms: number; body: { ok: boolean; error?: { code: string } } }> {
  const t0 = performance.now();
  const res = await fetch(`${url}api/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username, password }) });
  const body = (await res.json()) as { ok: boolean; error?: { code: string } };
  return { status: res.status, ms: performance.now() - t0, body };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const pct = (xs: number[], p: number): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))]!;

describe('LoginThrottle', () => {
  const clock = (): { now: () => number; advance(ms: number): void } => {
    let t = 1_000_000;
    return { now: () => t, advance: (ms) => void (t += ms) };
  };

  it('counts attempts under way: of many sent at once only the free ones pass', () => {
    const c = clock();
    const th = new LoginThrottle(c.now, { free: 3 });
    const results = Array.from({ length: 50 }, (_, i) => th.begin('10.0.0.1', `user${i % 5}`));
    expect(results.filter((r) => r.ok)).toHaveLength(3);
    expect(results.filter((r) => !r.ok).every((r) => !r.ok && r.retryMs > 0)).toBe(true);
  });

  it('a success does not clear what the address earned guessing other accounts, only its own failures', () => {
    const c = clock();
    const th = new LoginThrottle(c.now, { free: 3, baseMs: 500 });
    for (const u of ['x', 'y', 'z']) {
      const a = th.begin('10.0.0.1', u);
      if (a.ok) a.settle(false);
    }
    expect(th.begin('10.0.0.1', 'wang').ok).toBe(false); // the address must wait now
    c.advance(500);
    const own = th.begin('10.0.0.1', 'wang');
    expect(own.ok).toBe(true);
    if (own.ok) own.settle(true);
    // The three failures on other accounts still count: the next guess waits again.
    const next = th.begin('10.0.0.1', 'x');
    expect(next.ok).toBe(false);
    expect(!next.ok && next.retryMs).toBeGreaterThan(0);
  });

  it('a success gives back that account’s own failures from that address', () => {
    const c = clock();
    const th = new LoginThrottle(c.now, { free: 3, baseMs: 500 });
    for (let i = 0; i < 2; i++) {
      const a = th.begin('10.0.0.1', 'wang');
      if (a.ok) a.settle(false);
    }
    const ok = th.begin('10.0.0.1', 'wang');
    expect(ok.ok).toBe(true);
    if (ok.ok) ok.settle(true);
    // A clean slate: three more attempts at once pass again.
    expect([0, 1, 2].map(() => th.begin('10.0.0.1', 'wang').ok)).toEqual([true, true, true]);
  });

  it('limits one account guessed from many addresses', () => {
    const c = clock();
    const th = new LoginThrottle(c.now, { free: 3 });
    for (let i = 0; i < 3; i++) {
      const a = th.begin(`10.0.0.${i}`, 'wang');
      if (a.ok) a.settle(false);
    }
    expect(th.begin('10.9.9.9', 'wang').ok).toBe(false);
    expect(th.begin('10.9.9.9', 'liu').ok).toBe(true); // another account from a fresh address is not held
  });

  it('waits longer with each failure, up to the ceiling, and forgets a quiet tally', () => {
    const c = clock();
    const th = new LoginThrottle(c.now, { free: 1, baseMs: 500, maxMs: 4000, forgetMs: 60_000 });
    const waits: number[] = [];
    for (let i = 0; i < 6; i++) {
      let a = th.begin('a', 'u');
      while (!a.ok) {
        waits.push(a.retryMs);
        c.advance(a.retryMs);
        a = th.begin('a', 'u');
      }
      a.settle(false);
    }
    expect(waits).toEqual([500, 1000, 2000, 4000, 4000]);
    c.advance(60_001);
    expect(th.begin('a', 'u').ok).toBe(true);
  });

  it('a cancelled attempt (the password was never checked) counts for nothing', () => {
    const c = clock();
    const th = new LoginThrottle(c.now, { free: 1 });
    const a = th.begin('a', 'u');
    expect(a.ok).toBe(true);
    if (a.ok) a.cancel();
    expect(th.begin('a', 'u').ok).toBe(true);
  });

  it('keeps its memory bounded under a spray of addresses and accounts', () => {
    const th = new LoginThrottle(() => 0, { maxKeys: 100 });
    for (let i = 0; i < 5000; i++) th.begin(`10.${i}`, `u${i}`);
    const maps = th as unknown as { addrs: Map<string, unknown>; accounts: Map<string, unknown> };
    expect(maps.addrs.size).toBeLessThanOrEqual(100);
    expect(maps.accounts.size).toBeLessThanOrEqual(100);
  });
});

describe('PasswordHasher', () => {
  it('gives the same answer as verifySecret, and refuses at once when its queue is full', async () => {
    const h = new PasswordHasher(4);
    try {
      const stored = await hashSecret(PASSWORD);
      expect(await h.verify(PASSWORD, stored)).toBe(true);
      expect(await h.verify('wrong', stored)).toBe(false);
      expect(await verifySecret(PASSWORD, stored)).toBe(true);
      const many = Array.from({ length: 10 }, () =>
        h.verify('wrong', stored).then(
          (ok) => ok,
          (e: unknown) => e,
        ),
      );
      const answers = await Promise.all(many);
      expect(answers.filter((a) => a instanceof HasherBusy)).toHaveLength(6);
      expect(answers.filter((a) => a === false)).toHaveLength(4);
      expect(h.queued).toBe(0);
    } finally {
      await h.close();
    }
  });
});

/** The nice value of each thread of this process (Linux). */
function threadNices(): Map<number, number> {
  const out = new Map<number, number>();
  for (const tid of fs.readdirSync('/proc/self/task')) {
    try {
      const stat = fs.readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      out.set(Number(tid), Number(stat.slice(stat.lastIndexOf(') ') + 2).split(' ')[16]));
    } catch {
      /* the thread ended meanwhile */
    }
  }
  return out;
}

describe('PasswordHasher priority', () => {
  // A password check is a person's login, once a shift; a terminal's handshake and an alarm are not to wait behind
  // a flood of them for a CPU (a 2-core station: the hashing thread at normal priority takes one of the two).
  const linux = process.platform === 'linux' && fs.existsSync('/proc/thread-self');
  it.skipIf(!linux || os.getPriority() >= PASSWORD_NICENESS)(
    'hashes on a thread of its own at the lowest priority, the rest of the process unchanged',
    async () => {
      const before = threadNices();
      const h = new PasswordHasher(4);
      try {
        expect(await h.verify(PASSWORD, await hashSecret(PASSWORD))).toBe(true);
        const after = threadNices();
        const added = [...after].filter(([tid]) => !before.has(tid));
        expect(added.filter(([, nice]) => nice === PASSWORD_NICENESS)).toHaveLength(1);
        // Every thread that was there before (this one included) kept its priority.
        for (const [tid, nice] of before) if (after.has(tid)) expect(after.get(tid), `thread ${tid}`).toBe(nice);
        expect(os.getPriority()).toBe(before.get(process.pid));
      } finally {
        await h.close();
      }
    },
  );
});

describe('POST /api/login', () => {
  it('of 20 wrong guesses sent at once from one address, only 3 are checked; the rest are refused at once', async () => {
    // A stopped clock: however the 20 requests are spread in time on a busy machine, no wait runs out between them.
    const s = await serve({ now: () => 1_000_000 });
    try {
      const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => login(s.url, i % 2 ? officer.username : `ghost${i}`, 'guess')));
      const statuses = answers.map((a) => a.status);
      expect(statuses.filter((x) => x === 401)).toHaveLength(3);
      expect(statuses.filter((x) => x === 429)).toHaveLength(17);
      expect(answers.filter((a) => a.status === 429).every((a) => a.body.error?.code === 'rate_limited')).toBe(true);
      // Still refused afterwards, even with the right password (the address must wait).
      expect((await login(s.url, officer.username, PASSWORD)).status).toBe(429);
    } finally {
      await s.close();
    }
  });

  it('answers an unknown username as slowly as a wrong password (no timing tells which names exist)', async () => {
    const s = await serve({ logins: new LoginThrottle(Date.now, { free: 1_000_000 }) });
    try {
      await login(s.url, 'warm-up', 'x');
      const unknown: number[] = [];
      const wrong: number[] = [];
      for (let i = 0; i < 8; i++) {
        unknown.push((await login(s.url, `nobody${i}`, 'guess')).ms);
        wrong.push((await login(s.url, officer.username, 'guess')).ms);
      }
      const ratio = median(unknown) / median(wrong);
      console.log(
        `login timing: unknown user median ${median(unknown).toFixed(1)} ms, known user wrong password ${median(wrong).toFixed(1)} ms, ratio ${ratio.toFixed(2)}`,
      );
      expect(ratio).toBeGreaterThan(0.5);
      expect(ratio).toBeLessThan(2);
      expect((await login(s.url, officer.username, PASSWORD)).status).toBe(200);
    } finally {
      await s.close();
    }
  });

  it('a burst of 300 logins does not hold up the terminals’ token checks (passwords hash on their own worker)', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    // No address limit here (as if from 300 addresses): the worker's bounded queue is what is measured.
    const s = await serve({ logins: new LoginThrottle(Date.now, { free: 1_000_000 }) });
    try {
      const tokenCheck = async (): Promise<number> => {
        const t0 = performance.now();
        // A wrong token: a full scrypt on the thread pool each time (a right one would be served from the cache).
        expect(await registry.authenticateTerminal('t1', 'not-the-token')).toBeUndefined();
        return performance.now() - t0;
      };
      for (let i = 0; i < 3; i++) await tokenCheck();
      const before: number[] = [];
      for (let i = 0; i < 20; i++) before.push(await tokenCheck());

      let burstDone = false;
      const t0 = performance.now();
      const burst = Promise.all(Array.from({ length: 300 }, (_, i) => login(s.url, i % 3 ? officer.username : `ghost${i}`, `guess${i}`))).finally(() => {
        burstDone = true;
      });
      const during: number[] = [];
      while (!burstDone) during.push(await tokenCheck());
      const answers = await burst;
      const burstMs = performance.now() - t0;

      const refused = answers.filter((a) => a.status === 429);
      const checked = answers.filter((a) => a.status === 401);
      console.log(
        `token check before: p50 ${median(before).toFixed(1)} ms, max ${Math.max(...before).toFixed(1)} ms; during a 300-login burst (${burstMs.toFixed(0)} ms, ${checked.length} checked, ${refused.length} refused 429): p50 ${median(during).toFixed(1)} ms, p95 ${pct(during, 0.95).toFixed(1)} ms, max ${Math.max(...during).toFixed(1)} ms over ${during.length} checks`,
      );
      expect(checked.length + refused.length).toBe(300);
      expect(checked.length).toBeLessThan(100); // the queue (32) refills as it drains while the burst arrives
      expect(refused.every((a) => a.body.error?.code === 'rate_limited')).toBe(true);
      // Refused without waiting in the queue, so sooner than the checked ones (300 connections at once take a
      // while by themselves on a loaded 2-core machine: ~2 s median to a server that only answers {}).
      console.log(`login answers: 429 median ${median(refused.map((a) => a.ms)).toFixed(0)} ms, 401 median ${median(checked.map((a) => a.ms)).toFixed(0)} ms`);
      expect(median(refused.map((a) => a.ms))).toBeLessThan(median(checked.map((a) => a.ms)));
      expect(during.length).toBeGreaterThan(3);
      // The terminals' check stays in the same range as before the burst: a few ms of work, plus what the worker's
      // core takes from a 2-core machine. On the thread pool, 300 password hashes held it for seconds (see the
      // report in issue 9: terminals' handshakes timed out at 15 s); the bounds leave room for a loaded machine.
      expect(pct(during, 0.95)).toBeLessThan(Math.max(250, 5 * pct(before, 0.95)));
    } finally {
      await s.close();
    }
  }, 90_000);
});

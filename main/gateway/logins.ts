// main/ (core, Node) — the login throttle: per address AND per account, and concurrency cannot get past it.
// An attempt is reserved (counted as a failure) BEFORE its password is hashed, so N guesses sent at once count
// as N; a success gives back only what that account failed from that address (issue 9, finding 9): a correct
// login of one's own does not wipe the penalty an address earned guessing other accounts' passwords.

export interface LoginThrottleOptions {
  /** Attempts (failed or under way) an address or account may make before each further one must wait. */
  free?: number;
  /** The first wait; it doubles with each further failure, up to maxMs. */
  baseMs?: number;
  maxMs?: number;
  /** A tally untouched this long is forgotten. */
  forgetMs?: number;
  /** Addresses and accounts remembered (a spray of new ones evicts the stalest, never the whole table). */
  maxKeys?: number;
}

/** Failures of one address (by account) or of one account (by address), and the time of the latest attempt. */
interface Tally {
  total: number;
  /** The part of `total` each counterpart earned; bounded, beyond it failures can no longer be given back. */
  by: Map<string, number>;
  at: number;
}

const MAX_COUNTERPARTS = 256;

export type LoginAttempt =
  | {
      ok: true;
      /** The password was checked: true = right (gives back this pair's failures), false = wrong. */ settle(success: boolean): void;
      /** The password was not checked (busy, error): as if never tried. */ cancel(): void;
    }
  | { ok: false; retryMs: number };

export class LoginThrottle {
  private readonly addrs = new Map<string, Tally>();
  private readonly accounts = new Map<string, Tally>();
  private readonly free: number;
  private readonly baseMs: number;
  private readonly maxMs: number;
  private readonly forgetMs: number;
  private readonly maxKeys: number;

  constructor(
    private readonly now: () => number,
    opts: LoginThrottleOptions = {},
  ) {
    this.free = opts.free ?? 3;
    this.baseMs = opts.baseMs ?? 500;
    this.maxMs = opts.maxMs ?? 30_000;
    this.forgetMs = opts.forgetMs ?? 15 * 60_000;
    this.maxKeys = opts.maxKeys ?? 20_000;
  }

  /** How long after its latest attempt a tally of n must wait. */
  private delay(n: number): number {
    return n < this.free ? 0 : Math.min(this.maxMs, this.baseMs * 2 ** Math.min(n - this.free, 20));
  }

  private current(map: Map<string, Tally>, key: string): Tally | undefined {
    const t = map.get(key);
    if (t && this.now() - t.at > this.forgetMs) {
      map.delete(key);
      return undefined;
    }
    return t;
  }

  private wait(t: Tally | undefined): number {
    return t ? Math.max(0, t.at + this.delay(t.total) - this.now()) : 0;
  }

  private add(map: Map<string, Tally>, key: string, counterpart: string): void {
    const t = this.current(map, key) ?? { total: 0, by: new Map<string, number>(), at: 0 };
    t.total++;
    t.at = this.now();
    if (t.by.has(counterpart) || t.by.size < MAX_COUNTERPARTS) t.by.set(counterpart, (t.by.get(counterpart) ?? 0) + 1);
    map.delete(key); // re-inserted last: the Map's order is least recently used first
    map.set(key, t);
    for (const k of map.keys()) {
      if (map.size <= this.maxKeys) break;
      if (k !== key) map.delete(k);
    }
  }

  /** Gives back `n` (all when undefined) of what `counterpart` added to the tally. */
  private giveBack(map: Map<string, Tally>, key: string, counterpart: string, n?: number): void {
    const t = map.get(key);
    const had = t?.by.get(counterpart);
    if (!t || had === undefined) return;
    const back = Math.min(had, n ?? had);
    t.total -= back;
    if (had - back > 0) t.by.set(counterpart, had - back);
    else t.by.delete(counterpart);
    if (t.total <= 0) map.delete(key);
  }

  /** Reserves one attempt of `username` from `addr`, or says how long to wait. */
  begin(addr: string, username: string): LoginAttempt {
    const retryMs = Math.max(this.wait(this.current(this.addrs, addr)), this.wait(this.current(this.accounts, username)));
    if (retryMs > 0) return { ok: false, retryMs };
    this.add(this.addrs, addr, username);
    this.add(this.accounts, username, addr);
    let open = true;
    return {
      ok: true,
      settle: (success) => {
        if (!open) return;
        open = false;
        if (!success) return; // the reservation stays as the failure
        this.giveBack(this.addrs, addr, username);
        this.giveBack(this.accounts, username, addr);
      },
      cancel: () => {
        if (!open) return;
        open = false;
        this.giveBack(this.addrs, addr, username, 1);
        this.giveBack(this.accounts, username, addr, 1);
      },
    };
  }
}

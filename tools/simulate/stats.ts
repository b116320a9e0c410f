// tools/simulate (tool, Node) — counters and timing: latency samples, the county's counters by key, and timers
// that all stop at once.

/** Latencies in ms: a bounded reservoir for the run, all samples for the current 10-s window. */
export class Samples {
  private all: number[] = [];
  private seen = 0;
  window: number[] = [];
  constructor(private readonly cap = 20_000) {}
  add(ms: number): void {
    this.window.push(ms);
    this.seen++;
    if (this.all.length < this.cap) this.all.push(ms);
    else {
      const i = Math.floor(Math.random() * this.seen);
      if (i < this.cap) this.all[i] = ms;
    }
  }
  get count(): number {
    return this.seen;
  }
  static pct(xs: number[], p: number): number | undefined {
    if (xs.length === 0) return undefined;
    const s = [...xs].sort((a, b) => a - b);
    return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
  }
  summary(): { n: number; p50?: number; p95?: number; p99?: number; max?: number } {
    const xs = this.all;
    if (xs.length === 0) return { n: 0 };
    return { n: this.seen, p50: Samples.pct(xs, 50)!, p95: Samples.pct(xs, 95)!, p99: Samples.pct(xs, 99)!, max: Math.max(...xs) };
  }
}

export class Stats {
  readonly counts = new Map<string, number>();
  private lastWindow = new Map<string, number>();
  readonly latency = {
    heartbeat: new Samples(),
    alarm: new Samples(),
    test: new Samples(),
    status: new Samples(),
    connect: new Samples(),
    badAuthKnown: new Samples(),
    badAuthUnknown: new Samples(),
  };

  add(key: string, n = 1): void {
    this.counts.set(key, (this.counts.get(key) ?? 0) + n);
  }
  get(key: string): number {
    return this.counts.get(key) ?? 0;
  }
  /** Change since the last window. */
  delta(key: string): number {
    return this.get(key) - (this.lastWindow.get(key) ?? 0);
  }
  nextWindow(): void {
    this.lastWindow = new Map(this.counts);
    for (const s of Object.values(this.latency)) s.window = [];
  }
  /** Keys under a prefix, without it: `byPrefix('refusals.')` → { invalid_payload: 3 }. */
  byPrefix(prefix: string, delta = false): Record<string, number> {
    const out: Record<string, number> = {};
    for (const k of [...this.counts.keys()].sort()) {
      if (!k.startsWith(prefix)) continue;
      const v = delta ? this.delta(k) : this.get(k);
      if (v !== 0) out[k.slice(prefix.length)] = v;
    }
    return out;
  }
  /** Counts an answer: ok, or a refusal by code (also in the county-wide refusals by code). */
  answer(source: string, ans: unknown): boolean {
    if (typeof ans === 'object' && ans !== null && (ans as { ok?: unknown }).ok === true) {
      this.add(`${source}.ok`);
      return true;
    }
    const code = typeof ans === 'object' && ans !== null ? (ans as { error?: { code?: unknown } }).error?.code : undefined;
    const c = typeof code === 'string' ? code : 'malformed_answer';
    this.add(`${source}.refused.${c}`);
    this.add(`refusals.${c}`);
    return false;
  }
}

/** Timers that all stop at once; after stop() nothing new is scheduled. */
export class Clock {
  private readonly timers = new Set<NodeJS.Timeout>();
  stopped = false;
  after(ms: number, fn: () => void): void {
    if (this.stopped) return;
    const t = setTimeout(
      () => {
        this.timers.delete(t);
        if (!this.stopped) fn();
      },
      Math.max(0, ms),
    );
    this.timers.add(t);
  }
  every(ms: number, fn: () => void, firstMs = ms): void {
    const tick = (): void => {
      this.after(ms, tick);
      fn();
    };
    this.after(firstMs, tick);
  }
  /** A sleep that never resolves once stopped (and rejects if already stopped), so retry loops end. */
  readonly sleep = (ms: number): Promise<void> =>
    new Promise((resolve, reject) => {
      if (this.stopped) reject(new Error('stopped'));
      else this.after(ms, resolve);
    });
  stop(): void {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }
}

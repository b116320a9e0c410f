// test/unit/main — main/gateway/admission.ts without sockets: how HandshakeGate schedules device credential checks (unknown
// ids never hashed, a known-good token never queued, failing (address, device) pairs apart from everyone else,
// penalties per pair), the bounded Lane, the default limits derived from the fd limit, and the parser that refuses
// binary attachments.
import { describe, expect, it } from 'vitest';
import { Decoder as PlainDecoder, PacketType } from 'socket.io-parser';
import { defaultLimits, FD_RESERVE, HandshakeGate, Lane, protocolParser, type DeviceCheck } from '../../../main/gateway/admission';

const T0 = 1_800_000_000_000;

/** A fake device registry entry: `verify` counts its calls and takes `ms` (standing for scrypt). */
function device(o: { hash?: string; token?: string; ms?: number } = {}) {
  const calls = { verify: 0, running: 0, maxRunning: 0 };
  const make = (addr: string, key: string, token: string): DeviceCheck<string> => ({
    addr,
    key,
    token,
    current: () => o.hash,
    verify: async () => {
      calls.verify++;
      calls.running++;
      calls.maxRunning = Math.max(calls.maxRunning, calls.running);
      await new Promise((r) => setTimeout(r, o.ms ?? 5));
      calls.running--;
      return o.hash !== undefined && token === (o.token ?? 'good') ? key : undefined;
    },
  });
  return { calls, make };
}

describe('HandshakeGate', () => {
  it('refuses an unknown (or disabled) device id without running the check at all', async () => {
    const g = new HandshakeGate(() => T0);
    const d = device({ hash: undefined });
    const r = await g.check(d.make('10.0.0.1', 'terminal:nobody', 'x'));
    expect(r.ok).toBeUndefined();
    expect(d.calls.verify).toBe(0);
    // The refusal is padded by about one check's time, on a timer, so timing does not tell which ids exist.
    expect(r.delayMs).toBeGreaterThan(0);
    expect(r.delayMs).toBeLessThan(100);
  });

  it('accepts a valid token; a known-good token is re-checked at once even while failing checks queue up', async () => {
    const g = new HandshakeGate(() => T0);
    const good = device({ hash: 'h1', ms: 5 });
    expect((await g.check(good.make('10.0.0.1', 'terminal:A', 'good'))).ok).toBe('terminal:A');
    // 50 wrong tokens for device B from the same address, all in flight.
    const bad = device({ hash: 'h2', ms: 20 });
    const flood = Array.from({ length: 50 }, () => g.check(bad.make('10.0.0.1', 'terminal:B', 'wrong')));
    const t0 = performance.now();
    expect((await g.check(good.make('10.0.0.1', 'terminal:A', 'good'))).ok).toBe('terminal:A');
    expect(performance.now() - t0).toBeLessThan(40); // not behind 50 × 20 ms
    await Promise.all(flood);
  });

  it('a device that never connected is checked in the fresh lane, not behind the failing pairs of its address', async () => {
    const g = new HandshakeGate(() => T0);
    const bad = device({ hash: 'h2', ms: 20 });
    const flood = Array.from({ length: 50 }, () => g.check(bad.make('10.0.0.1', 'terminal:B', 'wrong')));
    await new Promise((r) => setTimeout(r, 5));
    // Only a few of B's checks run together; the rest wait in the suspect lane, one at a time.
    expect(bad.calls.maxRunning).toBeLessThanOrEqual(4);
    const fresh = device({ hash: 'h3', ms: 5 });
    const t0 = performance.now();
    expect((await g.check(fresh.make('10.0.0.1', 'terminal:C', 'good'))).ok).toBe('terminal:C');
    expect(performance.now() - t0).toBeLessThan(60);
    const results = await Promise.all(flood);
    expect(results.every((r) => r.ok === undefined)).toBe(true);
    expect(bad.calls.maxRunning).toBeLessThanOrEqual(4);
  });

  it('penalties are per (address, device): a 4th failure of one pair waits, another device on that address does not', async () => {
    const g = new HandshakeGate(() => T0);
    const b = device({ hash: 'h', ms: 1 });
    const delays: number[] = [];
    for (let i = 0; i < 6; i++) delays.push((await g.check(b.make('10.0.0.1', 'terminal:B', 'wrong'))).delayMs);
    expect(delays.slice(0, 3)).toEqual([0, 0, 0]);
    expect(delays[3]).toBe(200);
    expect(delays[5]).toBe(800);
    // Same address, another device: its first failure is not held back.
    const c = device({ hash: 'h', ms: 1 });
    expect((await g.check(c.make('10.0.0.1', 'terminal:C', 'wrong'))).delayMs).toBe(0);
    // Same device, another address: neither.
    expect((await g.check(b.make('10.0.0.2', 'terminal:B', 'wrong'))).delayMs).toBe(0);
  });

  it('penalties wear off after 10 minutes, and never exceed 10 s', async () => {
    let now = T0;
    const g = new HandshakeGate(() => now);
    const b = device({ hash: 'h', ms: 0 });
    let last = 0;
    for (let i = 0; i < 20; i++) last = (await g.check(b.make('10.0.0.1', 'terminal:B', 'wrong'))).delayMs;
    expect(last).toBe(10_000);
    now += 10 * 60_000 + 1;
    expect((await g.check(b.make('10.0.0.1', 'terminal:B', 'wrong'))).delayMs).toBe(0);
  });

  it('a rotated secret is not taken for a known-good token', async () => {
    const g = new HandshakeGate(() => T0);
    const o = { hash: 'h1' as string | undefined };
    const d = device(o);
    expect((await g.check(d.make('10.0.0.1', 'terminal:A', 'good'))).ok).toBe('terminal:A');
    o.hash = 'h2'; // rotated: the fast lane's entry no longer matches, the full check runs again
    const before = d.calls.verify;
    await g.check(d.make('10.0.0.1', 'terminal:A', 'good'));
    expect(d.calls.verify).toBe(before + 1);
  });
});

describe('Lane', () => {
  it('runs at most `concurrency` at once, queues up to `maxQueue`, and refuses beyond without running', async () => {
    const lane = new Lane(2, 3);
    let running = 0;
    let max = 0;
    let ran = 0;
    const task = async (): Promise<number> => {
      ran++;
      running++;
      max = Math.max(max, running);
      await new Promise((r) => setTimeout(r, 10));
      running--;
      return 1;
    };
    const results = await Promise.all(Array.from({ length: 8 }, () => lane.run(task)));
    expect(max).toBe(2);
    expect(results.filter((r) => r === 1)).toHaveLength(5);
    expect(results.filter((r) => r === undefined)).toHaveLength(3);
    expect(ran).toBe(5);
    expect(lane.size).toBe(0);
  });

  it('a failing task does not stop the queue', async () => {
    const lane = new Lane(1, 10);
    const a = lane.run(() => Promise.reject(new Error('x')));
    const b = lane.run(async () => 2);
    await expect(a).rejects.toThrow('x');
    expect(await b).toBe(2);
  });
});

describe('defaultLimits', () => {
  it('keeps the connection cap FD_RESERVE below the fd limit, and the last 1,024 places from any one address', () => {
    const l = defaultLimits(20_000);
    expect(l.maxConnections).toBe(20_000 - FD_RESERVE);
    expect(l.maxPerAddress).toBe(20_000 - FD_RESERVE - 1024);
    expect(l.maxPendingPerAddress).toBeLessThan(l.maxPending);
    expect(l.pendingTimeoutMs).toBe(10_000);
  });
  it('assumes 16,384 where the limit cannot be read, and stays usable with a tiny limit', () => {
    expect(defaultLimits(null).maxConnections).toBe(16_384);
    const tiny = defaultLimits(256);
    expect(tiny.maxConnections).toBe(64);
    expect(tiny.maxPerAddress).toBe(32);
  });
});

describe('protocolParser', () => {
  const { Decoder } = protocolParser();
  const decode = (frame: string | Buffer): unknown[] => {
    const d = new Decoder();
    const out: unknown[] = [];
    d.on('decoded', (p) => out.push(p));
    d.add(frame);
    return out;
  };

  it('decodes the packets the protocol uses exactly as socket.io-parser does', () => {
    for (const f of ['0/terminal,{"deviceId":"d","token":"t"}', '2/terminal,5["alarm",{"alarmId":"a"}]', '3/unit,7[{"ok":true}]', '1/console,']) {
      const plain = new PlainDecoder();
      const want: unknown[] = [];
      plain.on('decoded', (p) => want.push(p));
      plain.add(f);
      expect(decode(f)).toEqual(want);
    }
  });

  it('throws on BINARY_EVENT, BINARY_ACK and binary frames, before keeping anything', () => {
    expect(() => decode(`${PacketType.BINARY_EVENT}1-/terminal,["alarm",{"_placeholder":true,"num":0}]`)).toThrow(/binary/);
    expect(() => decode(`${PacketType.BINARY_ACK}1-/terminal,3[{"_placeholder":true,"num":0}]`)).toThrow(/binary/);
    expect(() => decode(Buffer.from([1, 2, 3]))).toThrow(/binary/);
  });
});

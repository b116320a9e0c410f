// test/protocol — connection exhaustion (issue 9, finding 7): the REAL core in-process with low configured limits
// (startCore's options.limits, main/gateway/admission.ts) and real sockets: raw TCP, raw Engine.IO WebSockets, and
// socket.io-client. The default namespace `/` and unknown namespaces are refused and their connections closed;
// a connection that never authenticates is closed after pendingTimeoutMs; pending and open connections are
// capped per address and in total; a binary attachment closes the connection instead of being buffered.
import net from 'node:net';
import { io as ioClient } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AdmissionLimits } from '../../main/gateway/admission';
import {
  ask,
  connect,
  freshAddress,
  rawConnect,
  sleep,
  START_TIMEOUT,
  startTestCore,
  terminalAuth,
  tryHandshake,
  validAlarm,
  waitFor,
  type RawSocket,
  type TestCore,
} from './support';

const LIMITS: Partial<AdmissionLimits> = { maxPendingPerAddress: 4, maxPending: 12, maxPerAddress: 6, pendingTimeoutMs: 1000, evictAfterMs: 400 };

let t: TestCore;
beforeAll(async () => {
  t = await startTestCore({ limits: LIMITS });
}, START_TIMEOUT);
afterAll(async () => {
  await t?.close();
});

const port = (): number => t.core.port;
const closedWithin = (raw: RawSocket, ms: number): Promise<boolean> => Promise.race([raw.closed.then(() => true), sleep(ms).then(() => false)]);

/** A raw TCP connection that sends nothing; resolves once connected. `closed` tells whether the station dropped it. */
async function idleTcp(localAddress: string): Promise<{ sock: net.Socket; closed: () => boolean; whenClosed: Promise<void> }> {
  const sock = net.connect({ host: '127.0.0.1', port: port(), localAddress });
  let closed = false;
  const whenClosed = new Promise<void>((r) => sock.once('close', () => r()));
  void whenClosed.then(() => (closed = true));
  sock.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    sock.once('connect', () => resolve());
    sock.once('error', reject);
  });
  return { sock, closed: () => closed, whenClosed };
}

/** An Engine.IO session over a WebSocket that never joins a namespace; rejects when the station refuses it. */
const rawPending = (localAddress: string): Promise<RawSocket> => rawConnect(t.url, { localAddress });

describe('the default namespace and unknown namespaces', () => {
  it('a connect to `/` is refused (unauthorized) and the connection closed at once', async () => {
    const raw = await rawPending(freshAddress());
    raw.send('40');
    expect(await raw.next((f) => f.startsWith('44'))).toBe('44{"message":"unauthorized"}');
    expect(await closedWithin(raw, 300)).toBe(true); // well before the 1 s pending timeout
  });

  it('socket.io-client on `/` gets connect_error and never connects', async () => {
    const s = ioClient(t.url, { transports: ['websocket'], reconnection: false, forceNew: true });
    const outcome = await new Promise<string>((resolve) => {
      s.once('connect', () => resolve('connected'));
      s.once('connect_error', (e) => resolve(e.message));
    });
    s.close();
    expect(outcome).toBe('unauthorized');
  });

  it('a connect to a namespace that does not exist is refused and the connection closed at once', async () => {
    const raw = await rawPending(freshAddress());
    raw.send('40/admin,{}');
    expect(await raw.next((f) => f.startsWith('44/admin'))).toBe('44/admin,{"message":"Invalid namespace"}');
    expect(await closedWithin(raw, 300)).toBe(true); // well before the 1 s pending timeout
  });

  it('a terminal that connects after a refused `/` on another connection of its address is not affected', async () => {
    const addr = freshAddress();
    const raw = await rawPending(addr);
    raw.send('40');
    await raw.closed;
    const r = await tryHandshake(t.url, '/terminal', terminalAuth(t.creds.terminals[0]!), { localAddress: addr });
    expect(r.result).toBe('connected');
  });
});

describe('connections that never authenticate are closed after pendingTimeoutMs', () => {
  it('an Engine.IO session that joins no namespace is closed after ~1 s', async () => {
    const raw = await rawPending(freshAddress());
    const t0 = Date.now();
    await raw.closed;
    const ms = Date.now() - t0;
    expect(ms).toBeGreaterThan(800);
    expect(ms).toBeLessThan(2500);
  });

  it('a TCP connection that sends nothing (or never finishes its request) is closed after ~1 s', async () => {
    const silent = await idleTcp(freshAddress());
    const partial = await idleTcp(freshAddress());
    partial.sock.write('GET / HTTP/1.1\r\nHost: x\r\n'); // headers never finished
    const t0 = Date.now();
    await Promise.all([silent.whenClosed, partial.whenClosed]);
    expect(Date.now() - t0).toBeLessThan(2500);
  });

  it('an authenticated terminal is not: it stays connected long past the timeout and raises an alarm', async () => {
    const s = await connect(t.url, '/terminal', terminalAuth(t.creds.terminals[1]!), { localAddress: freshAddress() });
    try {
      await sleep(2500);
      expect(s.connected).toBe(true);
      expect(await ask(s, 'alarm', validAlarm({ kind: 'test' }))).toMatchObject({ ok: true });
    } finally {
      s.close();
    }
  });
});

describe('caps per address (low configured limits: 4 pending, 6 open per address)', () => {
  it('silent TCP connections: the 5th from one address is dropped at once, another address is not affected', async () => {
    const addr = freshAddress();
    const four = await Promise.all(Array.from({ length: 4 }, () => idleTcp(addr)));
    const fifth = await idleTcp(addr);
    await waitFor('the 5th silent connection to be dropped', () => fifth.closed(), 300);
    expect(four.map((c) => c.closed())).toEqual([false, false, false, false]);
    const other = await tryHandshake(t.url, '/terminal', terminalAuth(t.creds.terminals[2]!), { localAddress: freshAddress() });
    expect(other.result).toBe('connected');
    for (const c of four) c.sock.destroy();
  });

  it('pending Engine.IO sessions: the 5th is refused while the others are young; once they waited, a newcomer (a valid terminal) takes the oldest one’s place', async () => {
    const addr = freshAddress();
    const pending: RawSocket[] = [];
    for (let i = 0; i < 4; i++) pending.push(await rawPending(addr));
    await expect(rawPending(addr)).rejects.toThrow(/Unexpected server response: 4\d\d/); // the upgrade is refused
    expect(t.core.admission.refused.engine).toBeGreaterThan(0);
    await sleep(450); // older than evictAfterMs
    const term = t.creds.terminals[3]!;
    const r = await tryHandshake(t.url, '/terminal', terminalAuth(term), { localAddress: addr });
    expect(r.result).toBe('connected');
    expect(await closedWithin(pending[0]!, 500)).toBe(true); // the oldest gave way
    expect(pending.slice(1).map((p) => p.isOpen())).toEqual([true, true, true]);
    for (const p of pending) p.close();
  });

  it('pending places held by refused handshakes (their answer held back) give way at once to a valid terminal', async () => {
    const addr = freshAddress();
    const bad = { deviceId: t.creds.terminals[4]!.deviceId, token: 'wrong' };
    // Three failures of this (address, device): from now on its refusals are held back (200 ms, 400 ms, …).
    for (let i = 0; i < 3; i++) expect((await tryHandshake(t.url, '/terminal', bad, { localAddress: addr })).result).toBe('unauthorized');
    const held: RawSocket[] = [];
    for (let i = 0; i < 4; i++) {
      const raw = await rawPending(addr);
      raw.send(`40/terminal,${JSON.stringify(bad)}`);
      held.push(raw);
    }
    await sleep(50); // refused, answers held back; all 4 places of the address taken, none older than evictAfterMs
    const r = await tryHandshake(t.url, '/terminal', terminalAuth(t.creds.terminals[5]!), { localAddress: addr });
    expect(r.result).toBe('connected');
    expect(r.ms).toBeLessThan(300);
    expect(held.filter((h) => !h.isOpen()).length).toBeGreaterThanOrEqual(1);
    for (const h of held) h.close();
  });

  it('open connections: 6 authenticated terminals from one address connect, the 7th is refused until one leaves', async () => {
    const addr = freshAddress();
    const terms = t.creds.terminals.slice(10, 17);
    const six = [];
    for (const term of terms.slice(0, 6)) six.push(await connect(t.url, '/terminal', terminalAuth(term), { localAddress: addr }));
    const seventh = await tryHandshake(t.url, '/terminal', terminalAuth(terms[6]!), { localAddress: addr });
    expect(seventh.result).not.toBe('connected');
    // Another address is not affected.
    expect((await tryHandshake(t.url, '/terminal', terminalAuth(terms[6]!), { localAddress: freshAddress() })).result).toBe('connected');
    six[0]!.close();
    await sleep(300); // the station sees it leave
    expect((await tryHandshake(t.url, '/terminal', terminalAuth(terms[6]!), { localAddress: addr })).result).toBe('connected');
    for (const s of six) s.close();
  });
});

describe('a global cap below the fd limit', () => {
  it('with maxConnections 5, the 6th connection (from any address) is refused until one closes', async () => {
    const small = await startTestCore({ limits: { maxConnections: 5 } });
    try {
      const open = [];
      for (const term of small.creds.terminals.slice(0, 5))
        open.push(await connect(small.url, '/terminal', terminalAuth(term), { localAddress: freshAddress() }));
      const sixth = await tryHandshake(small.url, '/terminal', terminalAuth(small.creds.terminals[5]!), { localAddress: freshAddress() });
      expect(sixth.result).not.toBe('connected');
      open[0]!.close();
      await waitFor('a free place', () => small.core.admission.counts.engine < 5 && small.core.admission.counts.tcp < 5, 2000);
      const again = await tryHandshake(small.url, '/terminal', terminalAuth(small.creds.terminals[5]!), { localAddress: freshAddress() });
      expect(again.result).toBe('connected');
      for (const s of open) s.close();
    } finally {
      await small.close();
    }
  });
});

describe('binary attachments are not part of the protocol', () => {
  /** An authenticated raw /terminal connection. */
  async function rawTerminal(i: number, localAddress = freshAddress()): Promise<RawSocket> {
    const raw = await rawConnect(t.url, { localAddress });
    raw.send(`40/terminal,${JSON.stringify(terminalAuth(t.creds.terminals[i]!))}`);
    await raw.next((f) => f.startsWith('40/terminal,{"sid"'));
    return raw;
  }

  it('a BINARY_EVENT closes the connection at once, before any attachment arrives; other terminals keep working', async () => {
    const raw = await rawTerminal(20);
    const good = await connect(t.url, '/terminal', terminalAuth(t.creds.terminals[21]!), { localAddress: freshAddress() });
    try {
      raw.send('451-/terminal,["alarm",{"_placeholder":true,"num":0}]');
      expect(await closedWithin(raw, 300)).toBe(true); // well before the 1 s pending timeout
      expect(await ask(good, 'alarm', validAlarm({ kind: 'test' }))).toMatchObject({ ok: true });
    } finally {
      good.close();
    }
  });

  it('a BINARY_ACK, and a binary frame out of the blue, close the connection too', async () => {
    const a = await rawTerminal(22);
    a.send('461-/terminal,7[{"_placeholder":true,"num":0}]');
    expect(await closedWithin(a, 1000)).toBe(true);
    const b = await rawTerminal(22);
    b.ws.send(Buffer.alloc(1024, 7));
    expect(await closedWithin(b, 1000)).toBe(true);
  });

  it('announced attachments are never waited for: 8 connections announcing 9 MiB each are all closed before the first attachment, none is kept', async () => {
    const conns = await Promise.all(Array.from({ length: 8 }, (_, i) => rawTerminal(24 + i)));
    const header = `459-/terminal,["alarm",${JSON.stringify(Array.from({ length: 9 }, (_, n) => ({ _placeholder: true, num: n })))}]`;
    // The old parser answered nothing and kept every attachment (up to 1 MiB each) until the 9th: 9 MiB a connection.
    for (const c of conns) c.send(header);
    const closed = await Promise.all(conns.map((c) => closedWithin(c, 1000)));
    expect(closed).toEqual(conns.map(() => true));
    await waitFor('the station to drop the connections', () => t.core.admission.counts.engine === 0, 2000);
  });
});

// test/unit/main — issue 9, finding 8: a device flooding messages is read at its budget's rate (never refused, nothing
// read is dropped), while another device's message is handled at once. Real socket.io server and clients.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import { io as connectClient, type Socket as ClientSocket } from 'socket.io-client';
import { afterEach, describe, expect, it } from 'vitest';
import { FairWebSocketServer, ReadBudget } from '../../../main/gateway/readBudget';

const closers: (() => void)[] = [];
afterEach(() => {
  for (const c of closers.splice(0)) c();
});

async function serve(budget: ReadBudget, handled: string[], opts: { fair?: boolean; read?: string[] } = {}): Promise<string> {
  const server = http.createServer();
  const ioServer = new Server(server, opts.fair === false ? {} : { wsEngine: FairWebSocketServer });
  ioServer.on('connection', (socket) => {
    // The order in which messages were read and decoded (before any budget).
    if (opts.read) socket.use(([name, m], next) => (opts.read!.push(name === 'msg' ? String(m) : name), next()));
    budget.watch(socket, String(socket.handshake.auth.id));
    socket.on('msg', (m: string, ack?: (r: string) => void) => {
      handled.push(m);
      ack?.(m);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  closers.push(() => void ioServer.close());
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}
async function client(url: string, id: string): Promise<ClientSocket> {
  const s = connectClient(url, { auth: { id }, transports: ['websocket'], reconnection: false, forceNew: true });
  closers.push(() => void s.close());
  await new Promise<void>((resolve, reject) => {
    s.once('connect', resolve);
    s.once('connect_error', reject);
  });
  return s;
}
const until = async (what: () => boolean, ms = 10_000): Promise<void> => {
  const end = Date.now() + ms;
  while (!what()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
};

describe('ReadBudget', () => {
  it('handles every message of a flood, in order, at its rate, and another device at once', async () => {
    // The budget's clock stands still until the honest message is in: the flood then meets an empty budget after its
    // burst however slowly this machine delivers it (one message per turn, a loaded machine's turns can be slower than
    // the rate), and runs at its rate after.
    let frozenAt: number | undefined = Date.now();
    const budget = new ReadBudget(() => frozenAt ?? Date.now(), 100, 20);
    const handled: string[] = [];
    const url = await serve(budget, handled);
    const flooder = await client(url, 'flooder');
    const honest = await client(url, 'honest');
    const acks: Promise<unknown>[] = [];
    for (let i = 0; i < 300; i++) acks.push(flooder.timeout(20_000).emitWithAck('msg', `f${i}`));
    await until(() => handled.length >= 20);
    const honestAck = honest.timeout(20_000).emitWithAck('msg', 'honest');
    await honestAck;
    const floodBeforeHonest = handled.indexOf('honest');
    // The honest message did not wait for the flood: most of the flood was still to be handled.
    expect(floodBeforeHonest).toBeLessThan(200);
    expect(budget.pauses).toBeGreaterThan(0);
    frozenAt = undefined;
    await Promise.all(acks);
    const flood = handled.filter((m) => m !== 'honest');
    expect(flood).toEqual(Array.from({ length: 300 }, (_, i) => `f${i}`));
  });

  it("handles a few of one connection's messages per turn of the event loop, however many one read brought", async () => {
    // A budget that never runs out: only the per-turn share holds the flood back.
    const budget = new ReadBudget(Date.now, 1e9, 1e9, 4);
    const handled: string[] = [];
    const url = await serve(budget, handled);
    const flooder = await client(url, 'flooder');
    const honest = await client(url, 'honest');
    const acks: Promise<unknown>[] = [];
    for (let i = 0; i < 2000; i++) acks.push(flooder.timeout(20_000).emitWithAck('msg', `f${i}`));
    await until(() => handled.length >= 8);
    await honest.timeout(20_000).emitWithAck('msg', 'honest');
    expect(handled.indexOf('honest')).toBeLessThan(1900);
    await Promise.all(acks);
    expect(handled.filter((m) => m !== 'honest')).toEqual(Array.from({ length: 2000 }, (_, i) => `f${i}`));
  });

  it('reads one message per turn from a connection whose one read brought hundreds (FairWebSocketServer)', async () => {
    // Where the honest message is read among a flood already on the wire: with ws's default (all the messages of a
    // read at once) it waits behind hundreds; with the station's server, behind a few.
    const position = async (fair: boolean): Promise<number> => {
      const budget = new ReadBudget(Date.now, 1e9, 1e9, 1e9);
      const handled: string[] = [];
      const read: string[] = [];
      const url = await serve(budget, handled, { fair, read });
      const flooder = await client(url, 'flooder');
      const honest = await client(url, 'honest');
      for (let i = 0; i < 3000; i++) flooder.emit('msg', `f${i}`);
      // The flood is in the station's socket buffer before the honest message is sent.
      await until(() => read.length > 0);
      honest.emit('msg', 'honest');
      await until(() => handled.length === 3001);
      expect(handled.filter((m) => m !== 'honest')).toEqual(Array.from({ length: 3000 }, (_, i) => `f${i}`));
      return read.indexOf('honest') - read.indexOf('f0');
    };
    const fair = await position(true);
    const unfair = await position(false);
    // Measured here: fair 30–220 (how long the honest message took to arrive), ws's default 3000 (all of it).
    expect(fair).toBeLessThan(1000);
    expect(unfair).toBeGreaterThan(fair);
  });

  it('pauses a connection that began on long-polling and upgraded to WebSocket', async () => {
    // The rate runs out (one message per turn never passes the per-turn share): the connection is paused.
    const budget = new ReadBudget(Date.now, 2000, 50, 4);
    const handled: string[] = [];
    const url = await serve(budget, handled);
    const s = connectClient(url, { auth: { id: 'upgraded' }, transports: ['polling', 'websocket'], reconnection: false, forceNew: true });
    closers.push(() => void s.close());
    await new Promise<void>((resolve) => s.io.engine.once('upgrade', () => resolve()));
    const acks = Array.from({ length: 2000 }, (_, i) => s.timeout(20_000).emitWithAck('msg', `u${i}`));
    await Promise.all(acks);
    expect(budget.pauses).toBeGreaterThan(0);
    expect(handled).toEqual(Array.from({ length: 2000 }, (_, i) => `u${i}`));
  });

  it('keeps handling what it read after the device disconnects', async () => {
    const budget = new ReadBudget(Date.now, 50, 10);
    const handled: string[] = [];
    const url = await serve(budget, handled);
    const flooder = await client(url, 'flooder');
    for (let i = 0; i < 200; i++) flooder.emit('msg', `f${i}`);
    await until(() => handled.length >= 15);
    flooder.close();
    const atClose = handled.length;
    await new Promise((r) => setTimeout(r, 400));
    expect(handled.length).toBeGreaterThan(atClose);
    // In order, none twice.
    expect(handled).toEqual(Array.from({ length: handled.length }, (_, i) => `f${i}`));
  });
});

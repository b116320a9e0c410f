// Protocol v1 conformance — transport: Socket.IO v4 (Engine.IO protocol 4) over WebSocket on one port
// (STATION_PORT, default 8700), long-polling allowed as a fallback; times are epoch ms numbers. (TLS: tls.test.ts.)
// And robustness at the frame level: unknown events are ignored (answered invalid_payload when they ask for an
// ack), and a malformed Engine.IO / Socket.IO frame closes only the socket that sent it; the core and every other
// connection keep working.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { loadConfig } from '../../main/config';
import { DEFAULT_STATION_PORT } from '../../shared/protocol';
import type { Socket } from 'socket.io-client';
import {
  ask,
  collectStatuses,
  connect,
  isSpecRefusal,
  Pacer,
  rawConnect,
  ROOT,
  sleep,
  START_TIMEOUT,
  startTestCore,
  terminalAuth,
  unitAuth,
  validAlarm,
  waitFor,
  type RawSocket,
  type TestCore,
} from './support';
import type { AlarmStatus } from '../../shared/protocol';

let t: TestCore;
let control: Socket; // terminal 6, connected all along
beforeAll(async () => {
  t = await startTestCore();
  control = await connect(t.url, '/terminal', terminalAuth(t.creds.terminals[6]!));
}, START_TIMEOUT);
afterAll(async () => {
  control?.close();
  await t.close();
});

describe('configuration', () => {
  it('STATION_PORT defaults to 8700; STATION_PORT and --port choose another; heartbeat defaults to 30 s', () => {
    const dist = path.join(ROOT, 'dist');
    expect(DEFAULT_STATION_PORT).toBe(8700);
    expect(loadConfig([], {}, dist).port).toBe(8700);
    expect(loadConfig([], { STATION_PORT: '9100' }, dist).port).toBe(9100);
    expect(loadConfig(['--port', '9200'], { STATION_PORT: '9100' }, dist).port).toBe(9200);
    expect(loadConfig([], {}, dist).heartbeatMs).toBe(30_000);
  });
});

describe('one port for everything', () => {
  it('/terminal and /unit are on the same port as the console', async () => {
    const s = await connect(t.url, '/terminal', terminalAuth(t.creds.terminals[0]!));
    const u = await connect(t.url, '/unit', unitAuth(t.creds.units[0]!));
    expect(new URL(t.url).port).toBe(String(t.core.port));
    s.close();
    u.close();
  });

  it('the Engine.IO v4 open packet is sent first on a WebSocket', async () => {
    const raw = await rawConnect(t.url);
    try {
      const open = JSON.parse(raw.frames[0]!.slice(1)) as Record<string, unknown>;
      expect(raw.frames[0]![0]).toBe('0');
      expect(open).toMatchObject({
        sid: expect.any(String),
        upgrades: [],
        pingInterval: expect.any(Number),
        pingTimeout: expect.any(Number),
        maxPayload: expect.any(Number),
      });
    } finally {
      raw.close();
    }
  });

  it('Engine.IO protocol 3 (Socket.IO v2 clients) is not spoken', async () => {
    const res = await fetch(`${t.url}/socket.io/?EIO=3&transport=polling`);
    expect(res.status).toBe(400);
  });
});

describe('HTTP long-polling fallback', () => {
  it('a terminal on long-polling only can raise an alarm and hear alarm:status', async () => {
    let statuses: AlarmStatus[] = [];
    const s = await connect(t.url, '/terminal', terminalAuth(t.creds.terminals[1]!), {
      transports: ['polling'],
      before: (x) => (statuses = collectStatuses(x)),
    });
    try {
      expect(s.io.engine.transport.name).toBe('polling');
      const a = validAlarm();
      const ans = (await ask(s, 'alarm', a)) as { ok: boolean; incidentId: string };
      expect(ans.ok).toBe(true);
      await waitFor('received', () => statuses.find((x) => x.alarmId === a.alarmId && x.state === 'received'));
      expect(await ask(s, 'heartbeat', { sentAt: Date.now() })).toMatchObject({ ok: true });
    } finally {
      s.close();
    }
  });

  it('the default client (polling first, then upgrade to WebSocket) works too', async () => {
    const s = await connect(t.url, '/terminal', terminalAuth(t.creds.terminals[2]!), { transports: ['polling', 'websocket'] });
    try {
      expect(await ask(s, 'alarm', validAlarm())).toMatchObject({ ok: true });
    } finally {
      s.close();
    }
  });
});

describe('times are epoch milliseconds', () => {
  it('receivedAt, serverTime and alarm:status at are epoch ms numbers near the station clock', async () => {
    let statuses: AlarmStatus[] = [];
    const s = await connect(t.url, '/terminal', terminalAuth(t.creds.terminals[3]!), { before: (x) => (statuses = collectStatuses(x)) });
    try {
      const ans = (await ask(s, 'alarm', validAlarm())) as { receivedAt: number };
      const hb = (await ask(s, 'heartbeat', { sentAt: Date.now() })) as { serverTime: number };
      const st = await waitFor('status', () => statuses[0]);
      for (const x of [ans.receivedAt, hb.serverTime, st.at]) {
        expect(Number.isInteger(x)).toBe(true);
        expect(Math.abs(x - Date.now())).toBeLessThan(5000);
      }
    } finally {
      s.close();
    }
  });
});

// ---------- unknown events and malformed frames ----------

/** A raw WebSocket connection, authenticated on /terminal as terminal `i`. */
async function rawTerminal(i: number): Promise<RawSocket> {
  const term = t.creds.terminals[i]!;
  const raw = await rawConnect(t.url);
  raw.send(`40/terminal,${JSON.stringify({ deviceId: term.deviceId, token: term.token })}`);
  await raw.next((f) => f.startsWith('40/terminal,{"sid"'));
  return raw;
}

async function coreStillWorks(): Promise<void> {
  expect(control.connected).toBe(true);
  expect(await ask(control, 'alarm', validAlarm())).toMatchObject({ ok: true });
}

describe('unknown events', () => {
  it('with an ack: answered invalid_payload; the socket stays connected', async () => {
    const s = await connect(t.url, '/terminal', terminalAuth(t.creds.terminals[11]!));
    try {
      const before = t.count();
      const pacer = new Pacer(); // unknown events count against the rate limit
      for (const event of ['hello', 'alarm:status', 'dispatch', 'status', 'position', 'ALARM', 'x'.repeat(200)]) {
        await pacer.take();
        const ans = await ask(s, event, { any: 'thing' });
        expect(isSpecRefusal(ans, 'invalid_payload')).toBe(true);
        expect(s.connected).toBe(true);
      }
      expect(t.count()).toBe(before);
      expect(await ask(s, 'alarm', validAlarm())).toMatchObject({ ok: true });
    } finally {
      s.close();
    }
  });

  it('without an ack: ignored; the socket stays connected and works', async () => {
    const s = await connect(t.url, '/terminal', terminalAuth(t.creds.terminals[11]!));
    try {
      const before = t.count();
      s.emit('future-event', { v: 2 });
      s.emit('another', 1, 2, 3);
      s.emit('no-args');
      await sleep(100);
      expect(s.connected).toBe(true);
      expect(t.count()).toBe(before);
      expect(await ask(s, 'alarm', validAlarm())).toMatchObject({ ok: true });
    } finally {
      s.close();
    }
  });
});

describe('malformed frames close only that socket', () => {
  it('the truncated frame 42/terminal,["alarm" closes the sender; another connection of the same device and other terminals keep working', async () => {
    const bad = await rawTerminal(7);
    const good = await rawTerminal(7);
    const before = t.count();
    bad.send('42/terminal,["alarm"');
    const closed = await Promise.race([bad.closed.then(() => true), sleep(2000).then(() => false)]);
    expect(closed).toBe(true);
    expect(t.count()).toBe(before);
    // The other raw connection of the same device is still up and can raise an alarm.
    const from = good.frames.length;
    good.send(`42/terminal,5["alarm",{"alarmId":"after-garbage","kind":"panic","raisedAt":${Date.now()}}]`);
    expect(await good.next((f) => f.startsWith('43/terminal,5'), 3000, from)).toMatch(
      /^43\/terminal,5\[\{"ok":true,"incidentId":"[^"]+","receivedAt":\d+\}\]$/,
    );
    good.close();
    await coreStillWorks();
  });

  const garbage: [string, string | Buffer, boolean][] = [
    // [what, frame, must it close the connection?]
    ['event payload is an object, not an array', '42/terminal,{"alarm":1}', true],
    ['empty event array', '42/terminal,[]', true],
    ['reserved event name "disconnect"', '42/terminal,["disconnect"]', true],
    ['reserved event name "connect"', '42/terminal,["connect",{}]', true],
    ['binary event announcing an attachment that never comes', '451-/terminal,1["alarm",{"_placeholder":true,"num":0}]', false],
    ['unknown Socket.IO packet type', '49/terminal,[]', true],
    ['unknown Engine.IO packet type', '9hello', true],
    ['an empty frame', '', true],
    ['ack id far beyond 2^53', '42/terminal,99999999999999999999999999["alarm",{}]', false],
    ['random binary bytes', Buffer.from([0xff, 0x00, 0x42, 0x13, 0x37]), false],
    ['JSON that is not an event: a string', '42/terminal,"alarm"', true],
    ['an ack id and no payload', '42/terminal,12', false],
    ['deeply nested JSON', `42/terminal,["alarm",${'['.repeat(5000)}${']'.repeat(5000)}]`, false],
  ];

  it.each(garbage)('%s: the core survives, nothing is journalled, other terminals keep working', async (_what, frame, mustClose) => {
    const raw = await rawTerminal(8);
    const before = t.count();
    raw.send(frame as string);
    const closed = await Promise.race([raw.closed.then(() => true), sleep(mustClose ? 2000 : 300).then(() => false)]);
    if (mustClose) expect(closed).toBe(true);
    raw.close();
    expect(t.count()).toBe(before);
    await coreStillWorks();
  });

  // Spec, "Forward compatibility": `__proto__` next to valid fields is an unknown field, ignored — the alarm is
  // accepted (it used to be refused); without the required fields it is refused. Either way nothing is polluted.
  it('prototype-pollution shaped payloads: ignored as unknown fields, refused when the known ones fail, and pollute nothing', async () => {
    const raw = await rawTerminal(9);
    try {
      const from = raw.frames.length;
      const before = t.count();
      raw.send(`42/terminal,1["alarm",{"__proto__":{"ok":true,"kind":"fire"},"alarmId":"pp-1","kind":"panic","raisedAt":${Date.now()}}]`);
      raw.send('42/terminal,2["alarm",{"constructor":{"prototype":{"polluted":1}}}]');
      raw.send('42/terminal,3["__proto__",{}]');
      const a1 = await raw.next((f) => f.startsWith('43/terminal,1'), 3000, from);
      const a2 = await raw.next((f) => f.startsWith('43/terminal,2'), 3000, from);
      expect(a1).toMatch(/^43\/terminal,1\[\{"ok":true,"incidentId":/);
      expect(t.eventsSince(before)).toEqual([expect.objectContaining({ type: 'alarm.received', alarmId: 'pp-1', kind: 'panic' })]);
      expect(a2).toMatch(/"code":"invalid_payload"/);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      expect(({} as Record<string, unknown>).ok).toBeUndefined();
    } finally {
      raw.close();
    }
    await coreStillWorks();
  });

  it('events to a namespace the socket did not join are ignored', async () => {
    const raw = await rawTerminal(10);
    try {
      const before = t.count();
      raw.send(`42/unit,["status",{"state":"busy","at":${Date.now()}}]`);
      raw.send(`42/console,1["acknowledge",{"incidentId":"x"}]`);
      raw.send(`42,["alarm",{"alarmId":"main-nsp","kind":"panic","raisedAt":${Date.now()}}]`);
      await sleep(300);
      expect(t.count()).toBe(before);
    } finally {
      raw.close();
    }
    await coreStillWorks();
  });

  it('a namespace that does not exist is refused at connect', async () => {
    const raw = await rawConnect(t.url);
    try {
      raw.send('40/admin,{}');
      expect(await raw.next((f) => f.startsWith('44/admin'))).toBe('44/admin,{"message":"Invalid namespace"}');
    } finally {
      raw.close();
    }
  });
});

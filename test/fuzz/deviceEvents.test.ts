// test/fuzz — every device event on /terminal (alarm, cancel, heartbeat, unknown events) and /unit (position,
// status, unknown events) with hostile payloads, and hostile handshakes (deviceIds, unitIds, sessions, auth that is
// not an object) on every namespace, against the REAL core (a child process). After each message: the process is
// up, and a valid terminal's alarm is acked and folded by a console. After each batch the station must be whole.
import fc from 'fast-check';
import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALARM_KINDS, UNIT_STATES } from '../../shared/protocol';
import type { CoreProcess } from '../support/core';
import {
  connected,
  emitAck,
  ensureBuilt,
  freshAddress,
  FuzzStation,
  probeAlarm,
  ReplicaConsole,
  runProperty,
  socketTo,
  wellFormedAnswer,
  wholeStationProblems,
  timeout,
} from './harness';
import { brief, hostileId, pick, PROTO_IDS, resolveRefs, type Ref } from './hostile';

const NOW = 'NOW';
const time = pick([NOW, 0, 4102444800000, -1]);
/** Fields no version of the protocol has, some of them names the station uses inside. */
const extraFields = fc.dictionary(
  fc.constantFrom('__proto__', 'constructor', 'toString', 'schoolId', 'deviceId', 'incidentId', 'unitId', 'seq', 'x'),
  hostileId,
  { maxKeys: 2 },
);

function payloadOf(fields: Record<string, fc.Arbitrary<unknown>>): fc.Arbitrary<unknown> {
  return fc.oneof(
    { weight: 6, arbitrary: fc.tuple(fc.record(fields, { requiredKeys: Object.keys(fields) }), extraFields).map(([f, x]) => ({ ...x, ...f })) },
    { weight: 2, arbitrary: fc.record(fields, { requiredKeys: [] }) },
    { weight: 2, arbitrary: hostileId },
  );
}

const TERMINAL_EVENTS: Record<string, fc.Arbitrary<unknown>> = {
  alarm: payloadOf({
    alarmId: pick(['fz-a1', 'fz-a2']),
    kind: pick(ALARM_KINDS),
    raisedAt: time,
    drill: pick([true, false]),
    note: pick(['校门口有可疑人员']),
    location: pick([
      { lat: 41.3, lng: 117.7 },
      { lat: 91, lng: 0 },
    ]),
  }),
  cancel: payloadOf({ alarmId: pick(['fz-a1', 'fz-a2']), reason: pick(['误按 / pressed by mistake']) }),
  heartbeat: payloadOf({ sentAt: time, battery: pick([50, 100, 0]), tamper: pick([true, false]), powerSource: pick(['mains', 'battery']) }),
};
const UNIT_EVENTS: Record<string, fc.Arbitrary<unknown>> = {
  position: payloadOf({ lat: pick([41.3, -90, 90]), lng: pick([117.7, 180]), at: time, heading: pick([0, 359.9]), speed: pick([0, 12]), accuracy: pick([5]) }),
  status: payloadOf({ state: pick(UNIT_STATES), incidentId: pick([], ['incident']), at: time }),
};
/** Events no handler listens for, including the names the station sends (a device echoing them back). */
const UNKNOWN_EVENTS = [...PROTO_IDS, 'dispatch', 'dispatch:cancel', 'alarm:status', 'x'.repeat(1000)] as const;

function eventCall(events: Record<string, fc.Arbitrary<unknown>>): fc.Arbitrary<{ event: string; args: unknown[]; device: number }> {
  const known = fc.constantFrom(...Object.keys(events)).chain((event) =>
    fc.record({
      event: fc.constant(event),
      args: fc.oneof(
        { weight: 8, arbitrary: events[event]!.map((p): unknown[] => [p]) },
        { weight: 1, arbitrary: fc.constant<unknown[]>([]) },
        { weight: 1, arbitrary: fc.tuple(events[event]!, hostileId).map((t): unknown[] => [...t]) },
      ),
      device: fc.nat(40),
    }),
  );
  const unknown = fc.record({ event: fc.constantFrom(...UNKNOWN_EVENTS), args: fc.array(hostileId, { maxLength: 2 }), device: fc.nat(40) });
  return fc.oneof({ weight: 8, arbitrary: known }, { weight: 1, arbitrary: unknown });
}

// ---------------------------------------------------------------------------------------------------------

let st: FuzzStation;
let conn: { core: CoreProcess; terminals: Socket[]; units: Socket[]; probe: Socket; replica: ReplicaConsole } | undefined;
const incidents: string[] = [];
let poisoned: string | undefined;
const badAnswers: string[] = [];

function closeConnections(): void {
  if (!conn) return;
  for (const s of [...conn.terminals, ...conn.units, conn.probe]) s.close();
  conn.replica.close();
  conn = undefined;
}

async function ready(): Promise<NonNullable<typeof conn>> {
  if (poisoned) {
    closeConnections();
    incidents.length = 0;
    await st.ensureUp(poisoned);
    poisoned = undefined;
  } else await st.ensureUp();
  const all = conn ? [...conn.terminals, ...conn.units, conn.probe, conn.replica.socket] : [];
  if (conn && conn.core === st.core && all.every((s) => s.connected)) return conn;
  closeConnections();
  const c = st.credentials;
  // Many devices, one message each in turn: the per-device limit (5/s, burst 20) lets every message reach its parser.
  const terminals = await Promise.all(c.terminals.slice(1, 13).map((t) => connected(socketTo(st.url, '/terminal', { deviceId: t.deviceId, token: t.token }))));
  const units = await Promise.all(c.units.map((u) => connected(socketTo(st.url, '/unit', { unitId: u.unitId, token: u.token }))));
  const probe = await connected(socketTo(st.url, '/terminal', { deviceId: c.terminals[0]!.deviceId, token: c.terminals[0]!.token }));
  const replica = await ReplicaConsole.open(st.url, await st.session('officer'));
  conn = { core: st.core, terminals, units, probe, replica };
  return conn;
}

const lookup = (r: Ref): string => (r.ref === 'incident' ? (incidents[r.n % Math.max(1, incidents.length)] ?? '20260101-0001') : 'none');

function materialize(x: unknown): unknown {
  const now = Date.now();
  const resolved = resolveRefs(x, lookup);
  return JSON.parse(JSON.stringify(resolved ?? null, (_k, v: unknown) => (v === NOW ? now : v))) as unknown;
}

async function afterMessage(c: NonNullable<typeof conn>, what: string): Promise<void> {
  const problems: string[] = [];
  if (!st.alive()) problems.push(`the core process died; last output:\n${st.output().slice(-900)}`);
  else {
    const p = await probeAlarm(c.probe, c.replica);
    if (p) problems.push(p);
    else incidents.push([...c.replica.alarmIds.values()].at(-1)!);
    if (incidents.length > 16) incidents.splice(0, incidents.length - 16);
  }
  if (problems.length > 0) {
    poisoned = `after ${what.slice(0, 200)}: ${problems[0]!.slice(0, 300)}`;
    throw new Error(`${what.slice(0, 400)}:\n${problems.join('\n')}`);
  }
}

async function deviceSend(
  kind: 'terminal' | 'unit',
  events: Record<string, fc.Arbitrary<unknown>>,
  call: { event: string; args: unknown[]; device: number },
): Promise<void> {
  const c = await ready();
  const sockets = kind === 'terminal' ? c.terminals : c.units;
  const sock = sockets[call.device % sockets.length]!;
  const args = call.args.map(materialize);
  const what = `${kind} ${call.event} ${brief(args)}`;
  if (Object.hasOwn(events, call.event)) {
    const r = await emitAck(sock, call.event, args, 5000);
    if (r.timedOut || !wellFormedAnswer(r.answer)) badAnswers.push(`${what} → ${r.timedOut ? 'no answer within 5 s' : brief(r.answer)}`);
  } else {
    sock.emit(call.event, ...args);
    await new Promise((r) => setTimeout(r, 20));
  }
  await afterMessage(c, what);
}

beforeAll(async () => {
  ensureBuilt();
  st = new FuzzStation();
  await st.startFresh();
}, 300_000);
afterAll(async () => {
  closeConnections();
  await st?.close();
});

describe('/terminal events', () => {
  it(
    'no alarm, cancel, heartbeat or unknown event ends the process or keeps a valid alarm from a console',
    async () => {
      await runProperty(
        'terminal events',
        fc.asyncProperty(eventCall(TERMINAL_EVENTS), (call) => deviceSend('terminal', TERMINAL_EVENTS, call)),
        { numRuns: 100, timeLimitMs: 20_000 },
      );
    },
    timeout(60_000),
  );

  it(
    'afterwards the station is whole (alive, health, alarm → console, verify, restart)',
    async () => {
      closeConnections();
      expect(await wholeStationProblems(st)).toEqual([]);
    },
    timeout(60_000),
  );
});

describe('/unit events', () => {
  it(
    'no position, status or unknown event ends the process or keeps a valid alarm from a console',
    async () => {
      await runProperty(
        'unit events',
        fc.asyncProperty(eventCall(UNIT_EVENTS), (call) => deviceSend('unit', UNIT_EVENTS, call)),
        { numRuns: 100, timeLimitMs: 20_000 },
      );
    },
    timeout(60_000),
  );

  it(
    'afterwards the station is whole (alive, health, alarm → console, verify, restart)',
    async () => {
      closeConnections();
      expect(await wholeStationProblems(st)).toEqual([]);
    },
    timeout(60_000),
  );
});

// ---------------------------------------------------------------------------------------------------------
// Handshakes.

const NAMESPACES = ['/terminal', '/unit', '/console', '/__proto__', '/constructor', '/x%00'] as const;
const hostileAuth = fc.oneof(
  { weight: 3, arbitrary: fc.record({ deviceId: hostileId, token: pick(['x'.repeat(48)]) }) },
  { weight: 3, arbitrary: fc.record({ unitId: hostileId, token: pick(['x'.repeat(48)]) }) },
  { weight: 2, arbitrary: fc.record({ session: hostileId, since: pick([0]) }) },
  { weight: 1, arbitrary: fc.tuple(fc.record({ deviceId: hostileId, token: hostileId }), extraFields).map(([a, x]) => ({ ...x, ...a })) },
  { weight: 1, arbitrary: hostileId },
);

/** Connects with hostile credentials from a fresh address; throws unless refused (or closed) in time, then probes. */
async function hostileHandshake(nsp: string, auth: unknown): Promise<void> {
  const c = await ready();
  const a = materialize(auth);
  const what = `handshake ${nsp} auth ${brief(a)}`;
  const s = socketTo(st.url, nsp, a, { localAddress: freshAddress(7) });
  const outcome = await new Promise<string>((resolve) => {
    const timer = setTimeout(() => resolve('no answer within 6 s'), 6000);
    s.once('connect', () => (clearTimeout(timer), resolve('connected')));
    s.once('connect_error', (e) => (clearTimeout(timer), resolve(`refused: ${e.message}`)));
    // Auth that is not an object is a malformed CONNECT packet: the station closes the connection (a refusal too).
    s.io.once('close', (reason) => (clearTimeout(timer), resolve(`closed: ${reason}`)));
  });
  s.close();
  if (outcome === 'connected' || outcome.startsWith('no answer')) throw new Error(`${what}: ${outcome}`);
  await afterMessage(c, what);
}

describe('handshakes', () => {
  it(
    'hostile credentials on /terminal, /unit, /console and unknown namespaces are refused, answered, and end nothing',
    async () => {
      await runProperty('hostile handshakes', fc.asyncProperty(fc.constantFrom(...NAMESPACES), hostileAuth, hostileHandshake), {
        numRuns: 80,
        timeLimitMs: 20_000,
      });
    },
    timeout(60_000),
  );

  it(
    'the default namespace / refuses a connection without credentials (issue 9: authentication on every namespace)',
    async () => {
      await runProperty(
        'hostile handshakes on /',
        fc.asyncProperty(hostileAuth, (auth) => hostileHandshake('/', auth)),
        { numRuns: 10, timeLimitMs: 10_000 },
      );
    },
    timeout(30_000),
  );

  it(
    'a valid session with a hostile `since` still gets its hello and catch-up, and ends nothing',
    async () => {
      await runProperty(
        'console since',
        fc.asyncProperty(hostileId, async (since) => {
          const c = await ready();
          const s = socketTo(st.url, '/console', { session: await st.session('officer'), since: materialize(since) });
          const got = new Promise<boolean>((resolve) => {
            const timer = setTimeout(() => resolve(false), 4000);
            // Records, or (for a console claiming more than the station has) the state as a snapshot.
            s.once('records', () => (clearTimeout(timer), resolve(true)));
            s.once('snapshot', () => (clearTimeout(timer), resolve(true)));
          });
          const ok = await got;
          s.close();
          if (!ok) throw new Error(`console since ${brief(since)}: no catch-up within 4 s`);
          await afterMessage(c, `console since ${brief(since)}`);
        }),
        { numRuns: 30, timeLimitMs: 10_000 },
      );
    },
    timeout(30_000),
  );

  it(
    'afterwards the station is whole (alive, health, alarm → console, verify, restart)',
    async () => {
      closeConnections();
      expect(await wholeStationProblems(st)).toEqual([]);
    },
    timeout(60_000),
  );
});

describe('device messages: answers', () => {
  it('every alarm, cancel, heartbeat, position and status got a well-formed answer', () => {
    const shortest = [...new Set(badAnswers)].sort((a, b) => a.length - b.length).slice(0, 8);
    expect(shortest).toEqual([]);
  });
});

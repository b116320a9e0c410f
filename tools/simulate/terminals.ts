// tools/simulate (tool, Node) — the simulated school terminals: heartbeats and test presses, alarms over the
// real protocol client, and the misbehaving ones (junk, floods, bad credentials).
import crypto from 'node:crypto';
import type { Socket } from 'socket.io-client';
import type { DemoCredentials } from '../../main/demo';
import type { AlarmKind, AlarmPayload, AlarmStatus, HeartbeatPayload } from '../../shared/protocol';
import { sendAlarm, sendHeartbeat } from '../../shared/terminalClient';
import { connectSocket, retryRefusedHandshake, type SimContext } from './context';
import { makeJunk } from './junk';
import { poissonDelayMs, type Rng } from './movement';

export interface SimTerminal {
  deviceId: string;
  socket: Socket;
  role: 'normal' | 'silent' | 'flood-only';
}

const ALARM_MIX: [AlarmKind, number][] = [
  ['panic', 50],
  ['intrusion', 15],
  ['violence', 10],
  ['medical', 12],
  ['fire', 8],
  ['other', 5],
];
function randomKind(rng: Rng): AlarmKind {
  let r = rng() * ALARM_MIX.reduce((a, [, w]) => a + w, 0);
  for (const [k, w] of ALARM_MIX) if ((r -= w) < 0) return k;
  return 'panic';
}

export function startTerminal(ctx: SimContext, cred: { deviceId: string; token: string }, role: SimTerminal['role'], delayMs = 0): SimTerminal {
  const { stats, clock, opts } = ctx;
  const socket = connectSocket(ctx, '/terminal', { deviceId: cred.deviceId, token: cred.token }, {}, delayMs);
  const t: SimTerminal = { deviceId: cred.deviceId, socket, role };
  let everConnected = false;
  const startedAt = Date.now() + delayMs;
  socket.on('connect', () => {
    stats.add('terminals.connected');
    if (everConnected) stats.add('terminals.reconnects');
    else {
      stats.add('terminals.first_connects');
      stats.latency.connect.add(Date.now() - startedAt);
    }
    everConnected = true;
    ctx.event({ event: 'connected', deviceId: cred.deviceId, role });
  });
  socket.on('disconnect', (reason) => {
    stats.add('terminals.connected', -1);
    if (!clock.stopped) stats.add(`disconnects.${reason.replace(/\s+/g, '_')}`);
    ctx.event({ event: 'disconnected', deviceId: cred.deviceId, reason });
  });
  socket.on('connect_error', (e) => {
    stats.add(`terminals.connect_error.${e.message.replace(/\s+/g, '_')}`);
    ctx.event({ event: 'connect_error', deviceId: cred.deviceId, message: e.message });
    retryRefusedHandshake(ctx, socket, 5000);
  });
  socket.on('alarm:status', (s: AlarmStatus) => {
    stats.add(`alarm_status.${typeof s?.state === 'string' ? s.state : 'malformed'}`);
    ctx.event({ event: 'alarm:status', deviceId: cred.deviceId, ...s });
  });
  if (role !== 'normal') return t;

  const battery = 70 + Math.floor(ctx.rng() * 31);
  const beat = (): void => {
    if (!socket.connected) return void stats.add('heartbeat.skipped_offline');
    stats.add('heartbeat.sent');
    const t0 = Date.now();
    const hb: HeartbeatPayload = { sentAt: t0, battery, powerSource: 'mains' };
    sendHeartbeat(socket, hb)
      .then((ans) => {
        if (stats.answer('heartbeat', ans)) stats.latency.heartbeat.add(Date.now() - t0);
        else ctx.event({ event: 'heartbeat:refused', deviceId: cred.deviceId, ...ans });
      })
      .catch(() => stats.add(clock.stopped ? 'heartbeat.in_flight_at_stop' : 'heartbeat.no_answer'));
  };
  clock.every(opts.heartbeatMs, beat, delayMs + ctx.rng() * opts.heartbeatMs);

  if (opts.testEveryMin > 0) {
    const mean = opts.testEveryMin * 60_000;
    const nextTest = (): void =>
      clock.after(poissonDelayMs(mean, ctx.rng), () => {
        if (socket.connected) void press(ctx, t, 'test');
        nextTest();
      });
    nextTest();
  }
  return t;
}

/** One press over the real protocol client: retried with the same alarmId until acked (or 12 tries). */
export async function press(ctx: SimContext, t: SimTerminal, source: 'test' | 'alarm'): Promise<void> {
  const { stats, opts } = ctx;
  const kind: AlarmKind = source === 'test' ? 'test' : (opts.kind ?? randomKind(ctx.rng));
  const alarm: AlarmPayload = {
    alarmId: `sim${source === 'test' ? 't' : 'a'}-${crypto.randomUUID().slice(0, 13)}`,
    kind,
    raisedAt: Date.now(),
    ...(opts.drill ? { drill: true } : {}),
    ...(source === 'alarm' ? { note: opts.note ?? '模拟器报警 (simulator)' } : {}),
  };
  stats.add(`${source}.sent`);
  const t0 = Date.now();
  try {
    const ans = await sendAlarm(t.socket, alarm, {
      sleep: ctx.clock.sleep,
      maxAttempts: 12,
      onRetry: (attempt, why) => {
        stats.add(`${source}.retries`);
        ctx.event({ event: 'retry', deviceId: t.deviceId, alarmId: alarm.alarmId, attempt, why });
      },
    });
    if (stats.answer(source, ans)) {
      stats.latency[source].add(Date.now() - t0);
      if ('duplicate' in ans && ans.duplicate) stats.add(`${source}.duplicate`);
    }
    ctx.event({ event: `${source}:ack`, deviceId: t.deviceId, alarmId: alarm.alarmId, kind, ...ans });
  } catch (e) {
    stats.add(ctx.clock.stopped ? `${source}.in_flight_at_stop` : `${source}.failed`);
    ctx.event({ event: `${source}:failed`, deviceId: t.deviceId, alarmId: alarm.alarmId, message: (e as Error).message });
  }
}

/** R junk messages per second, each from a random connected (not silent) terminal. */
export function startJunk(ctx: SimContext, terminals: SimTerminal[]): void {
  const senders = terminals.filter((t) => t.role === 'normal');
  if (senders.length === 0 || ctx.opts.junkRate <= 0) return;
  let owed = 0;
  const tickMs = 100;
  ctx.clock.every(tickMs, () => {
    owed += (ctx.opts.junkRate * tickMs) / 1000;
    for (; owed >= 1; owed--) {
      const t = senders[Math.floor(ctx.rng() * senders.length)]!;
      if (!t.socket.connected) {
        ctx.stats.add('junk.skipped_offline');
        continue;
      }
      const j = makeJunk(ctx.rng, Date.now());
      ctx.stats.add('junk.sent');
      ctx.stats.add(`junk.kind.${j.kind}`);
      if (!j.ack) {
        t.socket.emit(j.event, j.payload);
        continue;
      }
      t.socket.timeout(5000).emit(j.event, j.payload, (err: Error | null, ans: unknown) => {
        if (err) {
          if (!ctx.clock.stopped) ctx.stats.add(`junk.no_answer.${j.kind}`);
          return;
        }
        if (ctx.stats.answer('junk', ans)) {
          ctx.warn(`the station ACCEPTED junk (${j.kind}) on "${j.event}" from ${t.deviceId}: ${JSON.stringify(j.payload).slice(0, 200)}`);
        }
        ctx.event({ event: 'junk:answer', deviceId: t.deviceId, kind: j.kind, on: j.event, answer: ans });
      });
    }
  });
}

/** One device sending RATE heartbeats per second on its own connection (or the terminal's, if simulated). */
export function startFlood(ctx: SimContext, t: SimTerminal, rate: number): void {
  let owed = 0;
  const tickMs = 50;
  ctx.clock.every(tickMs, () => {
    owed += (rate * tickMs) / 1000;
    for (; owed >= 1; owed--) {
      if (!t.socket.connected) {
        ctx.stats.add('flood.skipped_offline');
        continue;
      }
      ctx.stats.add('flood.sent');
      t.socket.timeout(5000).emit('heartbeat', { sentAt: Date.now() } satisfies HeartbeatPayload, (err: Error | null, ans: unknown) => {
        if (err) {
          if (!ctx.clock.stopped) ctx.stats.add('flood.no_answer');
          return;
        }
        ctx.stats.answer('flood', ans);
      });
    }
  });
}

/** Connections with credentials the station must refuse: known id + wrong token, unknown id, malformed, unit. */
export function startBadClient(ctx: SimContext, i: number, creds: DemoCredentials): void {
  const known = creds.terminals[i % Math.max(1, creds.terminals.length)];
  const unit = creds.units[i % Math.max(1, creds.units.length)];
  const wrong = crypto.randomBytes(24).toString('base64url');
  const variants: { label: string; nsp: '/terminal' | '/unit'; auth: object; knownId: boolean }[] = [
    ...(known ? [{ label: 'known-device-wrong-token', nsp: '/terminal' as const, auth: { deviceId: known.deviceId, token: wrong }, knownId: true }] : []),
    { label: 'unknown-device', nsp: '/terminal', auth: { deviceId: `term-bogus-${i + 1}`, token: wrong }, knownId: false },
    { label: 'malformed-auth', nsp: '/terminal', auth: { deviceId: known?.deviceId ?? 'term-x', token: '', extra: 'x'.repeat(600) }, knownId: false },
    ...(unit ? [{ label: 'known-unit-wrong-token', nsp: '/unit' as const, auth: { unitId: unit.unitId, token: wrong }, knownId: true }] : []),
  ];
  const v = variants[i % variants.length]!;
  const socket = connectSocket(ctx, v.nsp, v.auth, { reconnection: false });
  let attemptAt = Date.now();
  ctx.stats.add('bad_auth.attempts');
  socket.on('connect_error', (e) => {
    ctx.stats.add(`bad_auth.refused.${e.message.replace(/\s+/g, '_')}`);
    (v.knownId ? ctx.stats.latency.badAuthKnown : ctx.stats.latency.badAuthUnknown).add(Date.now() - attemptAt);
    ctx.event({ event: 'bad_auth:refused', variant: v.label, message: e.message, afterMs: Date.now() - attemptAt });
    ctx.clock.after(2000 + ctx.rng() * 2000, () => {
      attemptAt = Date.now();
      ctx.stats.add('bad_auth.attempts');
      socket.connect();
    });
  });
  socket.on('connect', () => {
    ctx.stats.add('bad_auth.ACCEPTED');
    ctx.warn(`the station ACCEPTED a bad handshake (${v.label}) on ${v.nsp}`);
    socket.disconnect();
  });
}

// tools/simulate (tool, Node) — a simulated patrol unit (protocol v1 `/unit`): patrols, answers dispatches,
// drives to the school, stays on scene, and reports its position and state.
import type { Socket } from 'socket.io-client';
import type { AreaGeometry, LatLng } from '../../shared/geo';
import { normDeg } from '../../shared/geo';
import type { PositionPayload, UnitDispatch, UnitState, UnitStatusPayload } from '../../shared/protocol';
import { connectSocket, retryRefusedHandshake, type SimContext } from './context';
import { PATROL_RADIUS_M, PATROL_SPEED, RESPONSE_SPEED_MPS, driveStep, patrolStep, round6, type Mover, type PatrolArea } from './movement';

/** What the simulated unit reads of a `dispatch` (it reads leniently, and declines what it cannot use). */
type DispatchPayload = Pick<UnitDispatch, 'incidentId'> & { school: Partial<UnitDispatch['school']> & Pick<UnitDispatch['school'], 'lat' | 'lng'> };

function parseDispatch(p: unknown): DispatchPayload | undefined {
  if (typeof p !== 'object' || p === null) return undefined;
  const d = p as { incidentId?: unknown; school?: { lat?: unknown; lng?: unknown } };
  if (typeof d.incidentId !== 'string' || d.incidentId.length === 0) return undefined;
  const s = d.school;
  if (typeof s !== 'object' || s === null || typeof s.lat !== 'number' || typeof s.lng !== 'number') return undefined;
  if (!Number.isFinite(s.lat) || !Number.isFinite(s.lng)) return undefined;
  return p as DispatchPayload;
}

export interface UnitSimOptions {
  outline: AreaGeometry;
  home: LatLng;
  positionMs: number;
  onSceneS: number;
  /** Driving speed to a dispatched school (m/s). */
  driveMps?: number;
  patrolRadiusM?: number;
  /** Connect this much later (--ramp-s). */
  delayMs?: number;
}

export interface SimUnit {
  unitId: string;
  socket: Socket;
  /** What the unit is doing now (for tests and verbose output). */
  readonly mode: 'patrol' | 'en_route' | 'on_scene';
  readonly incidentId: string | undefined;
  readonly mover: Mover;
}

/**
 * A patrol unit (protocol v1 `/unit`): reports its position every positionMs while patrolling near home,
 * and answers `dispatch` (ack, en_route, drive to the school, on_scene, then available after onSceneS)
 * and `dispatch:cancel` (ack, available, back to patrol).
 */
export function startUnit(ctx: SimContext, cred: { unitId: string; token: string }, o: UnitSimOptions): SimUnit {
  const { stats, clock } = ctx;
  const area: PatrolArea = { outline: o.outline, home: o.home, radiusM: o.patrolRadiusM ?? PATROL_RADIUS_M };
  const socket = connectSocket(ctx, '/unit', { unitId: cred.unitId, token: cred.token }, {}, o.delayMs ?? 0);
  let mover: Mover = { lat: o.home.lat, lng: o.home.lng, heading: ctx.rng() * 360, speed: PATROL_SPEED.cruise, turn: 0 };
  let mode: SimUnit['mode'] = 'patrol';
  let job: { incidentId: string; target: LatLng; epoch: number } | undefined;
  let epoch = 0; // bumps on every job change, so a stale on-scene timer does nothing
  let everConnected = false;
  const startedAt = Date.now() + (o.delayMs ?? 0);

  const sendStatus = async (state: UnitState, incidentId?: string): Promise<void> => {
    const payload: UnitStatusPayload = { state, at: Date.now(), ...(incidentId ? { incidentId } : {}) };
    for (let attempt = 1; attempt <= 5 && !clock.stopped; attempt++) {
      if (!socket.connected) {
        // A reconnect sends the current state anyway.
        stats.add('status.deferred_offline');
        return;
      }
      stats.add('status.sent');
      const t0 = Date.now();
      try {
        const ans = await socket.timeout(5000).emitWithAck('status', payload);
        if (stats.answer('status', ans)) stats.latency.status.add(Date.now() - t0);
        ctx.event({ event: 'status:ack', unitId: cred.unitId, ...payload, answer: ans });
        return;
      } catch {
        if (clock.stopped) return;
        stats.add('status.no_answer');
        await clock.sleep(1000 * attempt).catch(() => undefined);
      }
    }
  };
  const reportState = (): void => {
    void sendStatus(mode === 'patrol' ? 'available' : mode, job?.incidentId);
  };

  socket.on('connect', () => {
    stats.add('units.connected');
    if (everConnected) stats.add('units.reconnects');
    else {
      stats.add('units.first_connects');
      stats.latency.connect.add(Date.now() - startedAt);
    }
    everConnected = true;
    ctx.event({ event: 'connected', unitId: cred.unitId });
    reportState();
  });
  socket.on('disconnect', (reason) => {
    stats.add('units.connected', -1);
    if (!clock.stopped) stats.add(`disconnects.${reason.replace(/\s+/g, '_')}`);
    ctx.event({ event: 'disconnected', unitId: cred.unitId, reason });
  });
  socket.on('connect_error', (e) => {
    stats.add(`units.connect_error.${e.message.replace(/\s+/g, '_')}`);
    ctx.event({ event: 'connect_error', unitId: cred.unitId, message: e.message });
    retryRefusedHandshake(ctx, socket, 5000);
  });

  socket.on('dispatch', (payload: unknown, ack?: (a: unknown) => void) => {
    const reply = (a: unknown): void => {
      if (typeof ack === 'function') ack(a);
    };
    stats.add('dispatch.received');
    const d = parseDispatch(payload);
    if (!d) {
      stats.add('dispatch.declined_malformed');
      ctx.event({ event: 'dispatch:declined', unitId: cred.unitId, reason: 'malformed' });
      return reply({ ok: false, reason: 'dispatch payload not understood (needs incidentId and school.lat/lng)' });
    }
    if (job && job.incidentId === d.incidentId) {
      stats.add('dispatch.repeated');
      return reply({ ok: true }); // the station re-sent a dispatch whose ack it missed
    }
    if (job) {
      stats.add('dispatch.declined_busy');
      ctx.event({ event: 'dispatch:declined', unitId: cred.unitId, incidentId: d.incidentId, busyWith: job.incidentId });
      return reply({ ok: false, reason: `busy with incident ${job.incidentId}` });
    }
    job = { incidentId: d.incidentId, target: { lat: d.school.lat, lng: d.school.lng }, epoch: ++epoch };
    mode = 'en_route';
    stats.add('dispatch.accepted');
    reply({ ok: true });
    ctx.event({ event: 'dispatch:accepted', unitId: cred.unitId, incidentId: d.incidentId, school: d.school });
    void sendStatus('en_route', d.incidentId);
  });

  socket.on('dispatch:cancel', (payload: unknown, ack?: (a: unknown) => void) => {
    stats.add('dispatch.cancel_received');
    if (typeof ack === 'function') ack({ ok: true });
    const id = typeof payload === 'object' && payload !== null ? (payload as { incidentId?: unknown }).incidentId : undefined;
    ctx.event({ event: 'dispatch:cancel', unitId: cred.unitId, incidentId: id });
    if (job && job.incidentId === id) {
      job = undefined;
      epoch++;
      mode = 'patrol';
      void sendStatus('available');
    }
  });

  let lastTick = Date.now();
  const tick = (): void => {
    const now = Date.now();
    const dt = Math.min(60, (now - lastTick) / 1000);
    lastTick = now;
    if (mode === 'patrol') mover = patrolStep(mover, area, dt, ctx.rng);
    else if (mode === 'en_route' && job) {
      const r = driveStep(mover, job.target, dt, o.driveMps ?? RESPONSE_SPEED_MPS);
      mover = r.mover;
      if (r.arrived) {
        mode = 'on_scene';
        const { incidentId, epoch: e } = job;
        stats.add('dispatch.arrived');
        void sendStatus('on_scene', incidentId);
        clock.after(o.onSceneS * 1000, () => {
          if (epoch !== e) return;
          job = undefined;
          mode = 'patrol';
          void sendStatus('available');
        });
      }
    } else mover = { ...mover, speed: 0 };
    if (!socket.connected) return void stats.add('position.skipped_offline');
    const p: PositionPayload = {
      lat: round6(mover.lat),
      lng: round6(mover.lng),
      at: now,
      heading: Math.round(normDeg(mover.heading) * 10) / 10,
      speed: Math.min(100, Math.round(mover.speed * 10) / 10), // the protocol's limit
      accuracy: 5 + Math.round(ctx.rng() * 10),
    };
    // Not acked (protocol v1): a lost fix is replaced by the next one.
    socket.emit('position', p);
    stats.add('position.sent');
  };
  clock.every(o.positionMs, tick, (o.delayMs ?? 0) + ctx.rng() * o.positionMs);

  return {
    unitId: cred.unitId,
    socket,
    get mode() {
      return mode;
    },
    get incidentId() {
      return job?.incidentId;
    },
    get mover() {
      return mover;
    },
  };
}

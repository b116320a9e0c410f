// test/unit/tools — a simulated patrol unit against a stand-in station (a bare socket.io server): it reports
// positions inside the county, says it is available, and answers dispatch and dispatch:cancel per protocol v1.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Server, type Socket as ServerSocket } from 'socket.io';
import type { Socket } from 'socket.io-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { destinationPoint, pointInGeometry, type AreaGeometry } from '../../../shared/geo';
import { parsePosition, parseUnitStatus, type PositionPayload, type UnitStatusPayload } from '../../../shared/protocol';
import { LONGHUA_ADCODE, LONGHUA_SEAT } from '../../../shared/sampleCounty';
import { parseArgs, parseCountyOptions } from '../../../tools/simulate/args';
import type { SimContext } from '../../../tools/simulate/context';
import { Clock, Stats } from '../../../tools/simulate/stats';
import { startUnit } from '../../../tools/simulate/unit';

const url = new URL('../../../assets/map/chengde-counties.geojson', import.meta.url);
const fc = JSON.parse(readFileSync(fileURLToPath(url), 'utf8')) as { features: { properties: { adcode: string }; geometry: AreaGeometry }[] };
const outline = fc.features.find((f) => f.properties.adcode === LONGHUA_ADCODE)!.geometry;

interface Station {
  url: string;
  positions: PositionPayload[];
  statuses: UnitStatusPayload[];
  auth: unknown[];
  unit: () => Promise<ServerSocket>;
  close: () => Promise<void>;
}

async function standInStation(): Promise<Station> {
  const server = http.createServer();
  const ioServer = new Server(server);
  const positions: PositionPayload[] = [];
  const statuses: UnitStatusPayload[] = [];
  const auth: unknown[] = [];
  let connected: ServerSocket | undefined;
  const waiting: ((s: ServerSocket) => void)[] = [];
  ioServer.of('/unit').on('connection', (s) => {
    auth.push(s.handshake.auth);
    connected = s;
    waiting.splice(0).forEach((w) => w(s));
    s.on('position', (p: unknown) => {
      const r = parsePosition(p);
      if (r.ok) positions.push(r.value);
      else throw new Error(`bad position ${JSON.stringify(p)}`);
    });
    s.on('status', (p: unknown, ack: (a: unknown) => void) => {
      const r = parseUnitStatus(p);
      if (r.ok) statuses.push(r.value);
      ack(r.ok ? { ok: true } : r);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    positions,
    statuses,
    auth,
    unit: () => (connected ? Promise.resolve(connected) : new Promise((r) => waiting.push(r))),
    close: () => new Promise((r) => void ioServer.close(() => r())),
  };
}

const until = async (what: string, cond: () => boolean, ms = 5000): Promise<void> => {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe('simulated unit', () => {
  let station: Station;
  let ctx: SimContext;
  beforeEach(async () => {
    station = await standInStation();
    ctx = {
      url: station.url,
      opts: parseCountyOptions(parseArgs(['--units', '1'])),
      stats: new Stats(),
      clock: new Clock(),
      rng: Math.random,
      event: () => undefined,
      warn: (m) => {
        throw new Error(m);
      },
      sockets: new Set<Socket>(),
    };
  });
  afterEach(async () => {
    ctx.clock.stop();
    for (const s of ctx.sockets) s.close();
    await station.close();
  });

  const start = () => startUnit(ctx, { unitId: 'unit-01', token: 'tok' }, { outline, home: LONGHUA_SEAT, positionMs: 50, onSceneS: 0.3, driveMps: 100 });

  it('authenticates as a unit, says it is available, and reports positions inside the county', async () => {
    start();
    await until('positions', () => station.positions.length >= 10);
    expect(station.auth).toEqual([{ unitId: 'unit-01', token: 'tok' }]);
    expect(station.statuses[0]).toMatchObject({ state: 'available' });
    expect(station.statuses[0]!.incidentId).toBeUndefined();
    for (const p of station.positions) {
      expect(pointInGeometry(p, outline)).toBe(true);
      expect(p.heading).toBeGreaterThanOrEqual(0);
      expect(p.speed).toBeGreaterThan(0);
    }
    expect(ctx.stats.get('position.sent')).toBeGreaterThanOrEqual(10);
  });

  it('accepts a dispatch, drives to the school, is on scene, then available again', async () => {
    const unit = start();
    const s = await station.unit();
    await until('available', () => station.statuses.length >= 1);
    const school = destinationPoint(LONGHUA_SEAT, 45, 150);
    const dispatch = {
      incidentId: '20261130-0001',
      school: { id: 'sch-p01', name: '示例小学 P01', address: '示例地址', ...school },
      kind: 'panic',
      priority: 1,
      drill: false,
      at: Date.now(),
    };
    const ack = (await s.timeout(2000).emitWithAck('dispatch', dispatch)) as unknown;
    expect(ack).toEqual({ ok: true });
    // A re-sent dispatch (its ack was lost) is acked again and changes nothing.
    expect(await s.timeout(2000).emitWithAck('dispatch', dispatch)).toEqual({ ok: true });
    // Another incident while busy is declined with a reason.
    const other = (await s.timeout(2000).emitWithAck('dispatch', { ...dispatch, incidentId: '20261130-0002' })) as { ok: boolean; reason?: string };
    expect(other.ok).toBe(false);
    expect(other.reason).toMatch(/busy with incident 20261130-0001/);

    await until('available again', () => station.statuses.filter((x) => x.state === 'available').length >= 2, 8000);
    expect(station.statuses.map((x) => [x.state, x.incidentId])).toEqual([
      ['available', undefined],
      ['en_route', '20261130-0001'],
      ['on_scene', '20261130-0001'],
      ['available', undefined],
    ]);
    // It reached the school: positions right on it, with speed 0 while on scene; faster on the way.
    const onIt = station.positions.filter((p) => Math.abs(p.lat - school.lat) < 2e-6 && Math.abs(p.lng - school.lng) < 2e-6);
    // On scene for 0.3 s at a fix every 50 ms: several fixes standing on the school.
    expect(onIt.filter((p) => p.speed === 0).length).toBeGreaterThanOrEqual(3);
    expect(station.positions.some((p) => p.speed === 100 && p.heading !== undefined && Math.abs(p.heading - 45) < 1)).toBe(true);
    expect(unit.mode).toBe('patrol');
    expect(ctx.stats.get('dispatch.accepted')).toBe(1);
    expect(ctx.stats.get('dispatch.repeated')).toBe(1);
    expect(ctx.stats.get('dispatch.declined_busy')).toBe(1);
  });

  it('acks dispatch:cancel and goes back to patrol; declines a dispatch it cannot read', async () => {
    const unit = startUnit(ctx, { unitId: 'unit-01', token: 'tok' }, { outline, home: LONGHUA_SEAT, positionMs: 50, onSceneS: 60, driveMps: 1 });
    const s = await station.unit();
    await until('available', () => station.statuses.length >= 1);
    const bad = (await s.timeout(2000).emitWithAck('dispatch', { incidentId: 'x' })) as { ok: boolean; reason?: string };
    expect(bad.ok).toBe(false);
    expect(bad.reason).toMatch(/not understood/);
    const school = destinationPoint(LONGHUA_SEAT, 90, 5000);
    expect(
      await s.timeout(2000).emitWithAck('dispatch', { incidentId: 'inc-9', school: { ...school }, kind: 'fire', priority: 1, drill: true, at: 1 }),
    ).toEqual({ ok: true });
    await until('en route', () => station.statuses.some((x) => x.state === 'en_route'));
    expect(unit.mode).toBe('en_route');
    expect(await s.timeout(2000).emitWithAck('dispatch:cancel', { incidentId: 'inc-9', reason: 'false alarm', at: 2 })).toEqual({ ok: true });
    await until('available after cancel', () => station.statuses.at(-1)?.state === 'available' && station.statuses.length >= 3);
    expect(unit.mode).toBe('patrol');
    expect(unit.incidentId).toBeUndefined();
    // A cancel for something it never had is acked too (idempotent).
    expect(await s.timeout(2000).emitWithAck('dispatch:cancel', { incidentId: 'nope', reason: '', at: 3 })).toEqual({ ok: true });
  });
});

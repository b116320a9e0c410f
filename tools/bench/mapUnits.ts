// tools/bench (tool, Node) — the patrol fleet of the map bench: N real protocol-v1 units (socket.io-client on `/unit`) that
// drive along road-like straight segments at 30–60 km/h inside the county and report `position` (with heading and
// speed) every intervalMs, staggered evenly over the interval. It runs in its own process (mapBench.js --fleet), so
// the bench process, busy with Playwright and the terminals, cannot make it late; it measures its own lateness.
//
// Parent ⇄ child over the IPC channel: parent sends {type:'config'} then {type:'start'} / {type:'stop'};
// the child answers {type:'connected'} and, on stop, {type:'report'}.
import { spawn, type ChildProcess } from 'node:child_process';
import { io, type Socket } from 'socket.io-client';
import { destinationPoint, haversineMeters, pointInGeometry, type AreaGeometry, type LatLng } from '../../shared/geo';
import type { PositionPayload } from '../../shared/protocol';
import { mulberry32 } from '../../shared/sampleCounty';
import { connected, stats, type Stats, within } from './common';

export interface FleetUnit {
  unitId: string;
  token: string;
  home: LatLng;
}

export interface FleetConfig {
  url: string;
  units: FleetUnit[];
  outline: AreaGeometry;
  intervalMs: number;
  seed: number;
}

export interface FleetReport {
  units: number;
  sent: number;
  /** Positions sent while the socket was down (skipped). */
  skipped: number;
  elapsedMs: number;
  /** Achieved reports per second, and what the schedule asks for (units × 1000 / intervalMs). */
  ratePerS: number;
  wantedPerS: number;
  /** How late each report left against its schedule, ms. */
  lateness: Stats;
  /** Per unit, the gap between its consecutive reports, ms (the schedule asks for intervalMs). */
  gaps: Stats;
  disconnects: number;
  cpuMs: number;
  /** Mean speed and distance driven, to show the motion was plausible. */
  meanSpeedKmh: number;
  meanDistanceM: number;
}

type ToChild = { type: 'config'; config: FleetConfig } | { type: 'start' } | { type: 'stop' };
type FromChild = { type: 'connected'; n: number; ms: number } | { type: 'report'; report: FleetReport } | { type: 'error'; message: string };

// ---------------------------------------------------------------- motion (pure)

const KMH = 1 / 3.6;
export const ROAD_SPEED_MPS = { min: 30 * KMH, max: 60 * KMH };
/** A unit keeps within this of its home (the town's streets), turning back at the edge. */
const ROAM_RADIUS_M = 6_000;
const norm = (d: number): number => ((d % 360) + 360) % 360;

export interface Car {
  pos: LatLng;
  /** Heading of the street it is on (a grid, rotated by the unit's `grid` angle). */
  heading: number;
  speed: number;
  /** Speed it is accelerating towards on this segment. */
  cruise: number;
  /** Metres left on this straight segment. */
  left: number;
  grid: number;
  driven: number;
}

export function newCar(home: LatLng, rnd: () => number): Car {
  const grid = (rnd() - 0.5) * 30;
  const cruise = ROAD_SPEED_MPS.min + rnd() * (ROAD_SPEED_MPS.max - ROAD_SPEED_MPS.min);
  return { pos: home, heading: norm(grid + 90 * Math.floor(rnd() * 4)), speed: cruise, cruise, left: 200 + rnd() * 1300, grid, driven: 0 };
}

/**
 * Advances a car by dt seconds: straight along its street, easing its speed towards the segment's cruise speed;
 * at the end of a segment it turns left or right or goes on (a new segment of 200–1500 m at a new cruise speed).
 * A turn that would leave the county or the roam radius picks, among the four street directions, the one that
 * brings it closest to home. It never leaves the outline.
 */
export function drive(c: Car, home: LatLng, outline: AreaGeometry, dt: number, rnd: () => number): Car {
  let { heading, left, cruise } = c;
  const speed = c.speed + Math.max(-2 * dt, Math.min(2 * dt, cruise - c.speed)); // ±2 m/s²
  let step = speed * dt;
  let pos = c.pos;
  const fits = (p: LatLng): boolean => pointInGeometry(p, outline) && haversineMeters(p, home) <= ROAM_RADIUS_M;
  // At most a few segment ends per step (dt is about 2 s; segments are ≥ 200 m).
  for (let guard = 0; step > 0.01 && guard < 4; guard++) {
    const d = Math.min(step, left);
    const next = destinationPoint(pos, heading, d);
    const edge = !fits(next);
    if (!edge) {
      pos = next;
      step -= d;
      left -= d;
    }
    if (edge || left <= 0.01) {
      // End of the street (or the edge): turn onto another one; no U-turn unless nothing else is open.
      const open = [90, -90, 0].map((off) => norm(heading + off)).filter((h) => fits(destinationPoint(pos, h, 50)));
      heading = open.length === 0 ? norm(heading + 180) : edge || rnd() < 0.25 ? nearestHome(pos, home, open) : open[Math.floor(rnd() * open.length)]!;
      left = 200 + rnd() * 1300;
      cruise = ROAD_SPEED_MPS.min + rnd() * (ROAD_SPEED_MPS.max - ROAD_SPEED_MPS.min);
    }
  }
  return { ...c, pos, heading, speed, cruise, left, driven: c.driven + haversineMeters(c.pos, pos) };
}

function nearestHome(pos: LatLng, home: LatLng, headings: number[]): number {
  let best = headings[0]!;
  let bestD = Infinity;
  for (const h of headings) {
    const d = haversineMeters(destinationPoint(pos, h, 200), home);
    if (d < bestD) {
      bestD = d;
      best = h;
    }
  }
  return best;
}

// ---------------------------------------------------------------- the child process

const round6 = (x: number): number => Math.round(x * 1e6) / 1e6;

export async function fleetChildMain(): Promise<void> {
  const send = (m: FromChild): void => void process.send?.(m);
  let config: FleetConfig | undefined;
  let sockets: Socket[] = [];
  let cars: Car[] = [];
  let timer: NodeJS.Timeout | undefined;
  let running = false;
  const lateness: number[] = [];
  const gaps: number[] = [];
  let sent = 0;
  let skipped = 0;
  let disconnects = 0;
  let startedAt = 0;
  let cpu0 = process.cpuUsage();

  const connect = async (c: FleetConfig): Promise<void> => {
    const t0 = performance.now();
    // A few at a time: each first connection costs the core one token check.
    const out: Socket[] = new Array<Socket>(c.units.length);
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < c.units.length) {
        const i = next++;
        const u = c.units[i]!;
        const s = io(new URL('unit', c.url).toString(), {
          auth: { unitId: u.unitId, token: u.token },
          transports: ['websocket'],
          reconnection: true,
          forceNew: true,
        });
        s.on('disconnect', () => void disconnects++);
        // Dispatches are not part of this bench; accept politely so the core does not resend.
        s.on('dispatch', (_d: unknown, ack?: (a: object) => void) => ack?.({ ok: true }));
        s.on('dispatch:cancel', (_d: unknown, ack?: (a: object) => void) => ack?.({ ok: true }));
        await connected(s, u.unitId, 20_000);
        out[i] = s;
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
    sockets = out;
    const rnd = mulberry32(c.seed); // seeded: a run's routes are repeatable
    cars = c.units.map((u) => newCar(u.home, rnd));
    send({ type: 'connected', n: sockets.length, ms: performance.now() - t0 });
  };

  const start = (c: FleetConfig): void => {
    const rnd = mulberry32(c.seed + 1);
    const n = c.units.length;
    const base = performance.now() + 50;
    startedAt = base;
    cpu0 = process.cpuUsage();
    running = true;
    // Unit i reports at base + i·interval/n + k·interval: evenly staggered, on an absolute schedule (no drift).
    const due = Array.from({ length: n }, (_, i) => base + (i * c.intervalMs) / n);
    const last = new Array<number>(n).fill(NaN);
    let cursor = 0; // the next unit due, in order (due times stay sorted by construction)
    const loop = (): void => {
      if (!running) return;
      const now = performance.now();
      while (due[cursor]! <= now) {
        const i = cursor;
        const t = performance.now();
        lateness.push(t - due[i]!);
        const dt = Number.isNaN(last[i]!) ? c.intervalMs / 1000 : (t - last[i]!) / 1000;
        if (!Number.isNaN(last[i]!)) gaps.push(t - last[i]!);
        last[i] = t;
        cars[i] = drive(cars[i]!, c.units[i]!.home, c.outline, dt, rnd);
        const car = cars[i]!;
        const s = sockets[i]!;
        if (s.connected) {
          const p: PositionPayload = {
            lat: round6(car.pos.lat),
            lng: round6(car.pos.lng),
            at: Date.now(),
            heading: Math.round(norm(car.heading) * 10) / 10,
            speed: Math.round(car.speed * 10) / 10,
            accuracy: 5 + Math.round(rnd() * 10),
          };
          s.emit('position', p);
          sent++;
        } else skipped++;
        due[i] = due[i]! + c.intervalMs;
        cursor = (cursor + 1) % n;
      }
      timer = setTimeout(loop, Math.max(0, due[cursor]! - performance.now()));
    };
    timer = setTimeout(loop, Math.max(0, base - performance.now()));
  };

  const stop = (c: FleetConfig): FleetReport => {
    running = false;
    if (timer) clearTimeout(timer);
    const elapsedMs = performance.now() - startedAt;
    const cpu = process.cpuUsage(cpu0);
    const n = c.units.length;
    return {
      units: n,
      sent,
      skipped,
      elapsedMs,
      ratePerS: (sent * 1000) / elapsedMs,
      wantedPerS: (n * 1000) / c.intervalMs,
      lateness: stats(lateness),
      gaps: stats(gaps),
      disconnects,
      cpuMs: (cpu.user + cpu.system) / 1000,
      meanSpeedKmh: (cars.reduce((a, x) => a + x.speed, 0) / Math.max(1, n)) * 3.6,
      meanDistanceM: cars.reduce((a, x) => a + x.driven, 0) / Math.max(1, n),
    };
  };

  process.on('message', (m: ToChild) => {
    void (async () => {
      try {
        if (m.type === 'config') {
          config = m.config;
          await connect(config);
        } else if (m.type === 'start' && config) start(config);
        else if (m.type === 'stop' && config) {
          send({ type: 'report', report: stop(config) });
          for (const s of sockets) s.close();
        }
      } catch (e) {
        send({ type: 'error', message: (e as Error).message });
      }
    })();
  });
  // The parent is gone: so are we.
  process.on('disconnect', () => process.exit(0));
}

// ---------------------------------------------------------------- the parent's handle

export interface Fleet {
  child: ChildProcess;
  /** Resolves once every unit is connected, with how long that took. */
  connected: Promise<number>;
  start(): void;
  stop(): Promise<FleetReport>;
  kill(): Promise<void>;
}

/** Spawns `node script --fleet` and hands it the config; the units connect at once. */
export function startFleet(script: string, config: FleetConfig): Fleet {
  const child = spawn(process.execPath, [script, '--fleet'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const waiters: ((m: FromChild) => boolean)[] = [];
  let failed: Error | undefined;
  child.on('message', (m: FromChild) => {
    if (m.type === 'error') failed = new Error(`fleet: ${m.message}`);
    for (let i = 0; i < waiters.length; i++) if (waiters[i]!(m)) waiters.splice(i--, 1);
  });
  const next = <T>(pick: (m: FromChild) => T | undefined, ms: number, what: string): Promise<T> =>
    within(
      new Promise<T>((resolve, reject) => {
        if (failed) return reject(failed);
        waiters.push((m) => {
          if (m.type === 'error') {
            reject(new Error(`fleet: ${m.message}`));
            return true;
          }
          const v = pick(m);
          if (v === undefined) return false;
          resolve(v);
          return true;
        });
        child.once('exit', (code) => reject(new Error(`fleet process exited with ${code}`)));
      }),
      ms,
      what,
    );
  const connected = next((m) => (m.type === 'connected' ? m.ms : undefined), 120_000, 'the fleet did not connect within 120 s');
  child.send({ type: 'config', config } satisfies ToChild);
  return {
    child,
    connected,
    start: () => void child.send({ type: 'start' } satisfies ToChild),
    stop() {
      const r = next((m) => (m.type === 'report' ? m.report : undefined), 10_000, 'the fleet did not report within 10 s');
      child.send({ type: 'stop' } satisfies ToChild);
      return r;
    },
    async kill() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const gone = new Promise<void>((r) => child.once('exit', () => r()));
      child.kill('SIGTERM');
      await within(gone, 3000, 'fleet did not stop').catch(() => child.kill('SIGKILL'));
    },
  };
}

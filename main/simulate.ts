// main/ (tool, Node) — terminal and county simulator: `npm run simulate -- [options]`.
// Single-press mode presses alarms on one demo terminal over the real protocol (shared/terminalClient) and
// prints every answer and alarm:status as a JSON line. County mode (--terminals N and/or --units M) runs
// many terminals and patrol units at once: heartbeats, test presses, alarms, patrols answering dispatches,
// and misbehaving devices (bad tokens, junk payloads, floods, silence), with one summary line every 10 s.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { io, type Socket } from 'socket.io-client';
import { destinationPoint, haversineMeters, pointInGeometry, type AreaGeometry, type LatLng } from '../shared/geo';
import {
  ALARM_KINDS,
  DEFAULT_HEARTBEAT_MS,
  DEFAULT_STATION_PORT,
  MAX_PAYLOAD_BYTES,
  type AlarmKind,
  type AlarmPayload,
  type AlarmStatus,
  type HeartbeatPayload,
  type PositionPayload,
  type UnitDispatch,
  type UnitState,
  type UnitStatusPayload,
} from '../shared/protocol';
import { LONGHUA_SEAT } from '../shared/sampleCounty';
import { sendAlarm, sendHeartbeat } from '../shared/terminalClient';
import { longhuaOutline, type DemoCredentials } from './demo';

const HELP = `usage: npm run simulate -- [options]

Single press (default): one demo terminal presses its button.
  --url URL            station address (default http://127.0.0.1:$STATION_PORT or :${DEFAULT_STATION_PORT})
  --credentials FILE   demo credentials (default $STATION_DATA_DIR or station-data-demo, /demo-credentials.json)
  --device ID          terminal to use (default: the first); --token T to give its token directly
  --school N           use the N-th terminal (1-based) instead of --device
  --kind KIND          ${ALARM_KINDS.join(' | ')} (default panic)
  --note TEXT          note sent with the alarm
  --drill              mark the alarm as a drill
  --alarm-id ID        alarm id (default: random); resend the same id to test idempotency
  --count N            press N alarms (default 1), --interval MS apart (default 1000)
  --presses 0          only connect and send heartbeats
  --wait               stay connected and print alarm:status until Ctrl-C
  --heartbeat-ms MS    heartbeat interval while connected (default ${DEFAULT_HEARTBEAT_MS})

County mode: --terminals N and/or --units M (from the demo credentials; start the demo with
--demo-schools / --demo-units for a bigger county). --url, --credentials, --kind, --note, --drill apply too.
  --terminals N        connect N school terminals (capped at what the credentials hold)
  --units M            connect M patrol units with a device (capped likewise)
  --heartbeat-ms MS    heartbeat interval per terminal, first one at a random moment (default ${DEFAULT_HEARTBEAT_MS})
  --test-every-min X   a test press per terminal every X minutes on average (default 60; 0 = none)
  --alarms-per-min X   alarms across the county per minute on average (default 0.2; 0 = none)
  --position-ms MS     unit position reports (default 2000)
  --on-scene-s S       a dispatched unit stays on scene S seconds, then is available (default 60)
  --bad-tokens K       K extra connections with wrong or malformed credentials, retried every 2–4 s
  --junk-rate R        R junk messages per second over the terminals (random JSON, wrong types,
                       oversize, unknown events; 1 in 50 a frame over the station's 64 KiB limit)
  --flood DEVICE:RATE  terminal DEVICE sends RATE heartbeats per second
  --silent K           K of the N terminals connect and then never send anything
  --ramp-s S           spread the first connections over S seconds (default 0: all at once, as after a
                       station restart; each handshake costs the station one scrypt check)
  --duration S         stop after S seconds and print the summary (default: until Ctrl-C)
  --verbose            one JSON line per event (except successful heartbeats and positions)
County mode exits with 2 if the station accepted a wrong credential or a junk message.`;

export class ArgError extends Error {}

/** `--name value` pairs and bare `--flag`s (value "true"). Help is returned as `--help`, not handled here. */
export function parseArgs(argv: string[]): Map<string, string> {
  const m = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--help' || a === '-h') {
      m.set('--help', 'true');
      continue;
    }
    if (!a.startsWith('--')) throw new ArgError(`unexpected argument ${a}\n${HELP}`);
    const next = argv[i + 1];
    if (next === undefined || next.startsWith('--')) m.set(a, 'true');
    else m.set(a, argv[++i]!);
  }
  return m;
}

const COMMON_OPTIONS = ['--help', '--url', '--credentials', '--kind', '--note', '--drill', '--heartbeat-ms'];
const SINGLE_OPTIONS = ['--device', '--token', '--school', '--alarm-id', '--count', '--interval', '--presses', '--wait'];
const COUNTY_OPTIONS = [
  '--terminals',
  '--units',
  '--test-every-min',
  '--alarms-per-min',
  '--position-ms',
  '--on-scene-s',
  '--bad-tokens',
  '--junk-rate',
  '--flood',
  '--silent',
  '--duration',
  '--ramp-s',
  '--verbose',
];

export const isCountyMode = (a: Map<string, string>): boolean => a.has('--terminals') || a.has('--units');

/** Refuses unknown options, and options of the other mode, with a message that says what to do. */
export function checkOptions(a: Map<string, string>): void {
  const county = isCountyMode(a);
  for (const k of a.keys()) {
    if (COMMON_OPTIONS.includes(k)) continue;
    if (SINGLE_OPTIONS.includes(k)) {
      if (county) throw new ArgError(`${k} is for a single press; county mode (--terminals/--units) presses by itself (see --alarms-per-min, --test-every-min)`);
      continue;
    }
    if (COUNTY_OPTIONS.includes(k)) {
      if (!county) throw new ArgError(`${k} is a county-mode option: add --terminals N and/or --units M`);
      continue;
    }
    throw new ArgError(`unknown option ${k} (see --help)`);
  }
}

interface NumberRule {
  min: number;
  max: number;
  integer?: boolean;
}

function numberOption(a: Map<string, string>, name: string, fallback: number | undefined, rule: NumberRule): number | undefined {
  const raw = a.get(name);
  if (raw === undefined) return fallback;
  const what = rule.integer ? 'a whole number' : 'a number';
  if (raw === 'true') throw new ArgError(`${name} needs a value: ${what} ${rule.min}–${rule.max}`);
  const n = /^[+]?(\d+(\.\d*)?|\.\d+)$/.test(raw.trim()) ? Number(raw) : NaN;
  if (!Number.isFinite(n) || (rule.integer && !Number.isInteger(n)) || n < rule.min || n > rule.max) {
    throw new ArgError(`${name} must be ${what} ${rule.min}–${rule.max}, got "${raw}"`);
  }
  return n;
}

export interface CountyOptions {
  url: string;
  credentialsFile: string;
  terminals: number;
  units: number;
  heartbeatMs: number;
  /** Mean minutes between test presses of one terminal; 0 = none. */
  testEveryMin: number;
  alarmsPerMin: number;
  positionMs: number;
  onSceneS: number;
  badTokens: number;
  junkRate: number;
  flood?: { deviceId: string; rate: number };
  silent: number;
  durationS?: number;
  /** Spread the first connections over this many seconds. */
  rampS: number;
  verbose: boolean;
  kind?: AlarmKind;
  note?: string;
  drill: boolean;
}

export function defaultUrl(env: NodeJS.ProcessEnv): string {
  return `http://127.0.0.1:${env.STATION_PORT ?? DEFAULT_STATION_PORT}`;
}
export function defaultCredentialsFile(env: NodeJS.ProcessEnv): string {
  return path.join(env.STATION_DATA_DIR ?? 'station-data-demo', 'demo-credentials.json');
}

function kindOption(a: Map<string, string>): AlarmKind | undefined {
  const k = a.get('--kind');
  if (k === undefined) return undefined;
  if (!(ALARM_KINDS as readonly string[]).includes(k)) throw new ArgError(`--kind must be one of ${ALARM_KINDS.join(', ')}`);
  return k as AlarmKind;
}

/** County-mode options with their defaults; every bad value is an ArgError naming the option. */
export function parseCountyOptions(a: Map<string, string>, env: NodeJS.ProcessEnv = {}): CountyOptions {
  checkOptions(a);
  const terminals = numberOption(a, '--terminals', 0, { min: 0, max: 100_000, integer: true })!;
  const units = numberOption(a, '--units', 0, { min: 0, max: 100_000, integer: true })!;
  const silent = numberOption(a, '--silent', 0, { min: 0, max: 100_000, integer: true })!;
  if (silent > terminals) throw new ArgError(`--silent ${silent} is more than --terminals ${terminals}: the silent ones are among the terminals`);
  let flood: CountyOptions['flood'];
  const f = a.get('--flood');
  if (f !== undefined) {
    const m = /^(.+):(\d+(?:\.\d+)?)$/.exec(f);
    const rate = m ? Number(m[2]) : NaN;
    if (!m || !(rate > 0) || rate > 10_000) throw new ArgError(`--flood must be DEVICE:RATE with RATE heartbeats per second (0–10000], e.g. term-p01:50; got "${f}"`);
    flood = { deviceId: m[1]!, rate };
  }
  const note = a.get('--note');
  const durationS = numberOption(a, '--duration', undefined, { min: 0.1, max: 7 * 24 * 3600 });
  return {
    url: a.get('--url') ?? defaultUrl(env),
    credentialsFile: a.get('--credentials') ?? defaultCredentialsFile(env),
    terminals,
    units,
    heartbeatMs: numberOption(a, '--heartbeat-ms', DEFAULT_HEARTBEAT_MS, { min: 100, max: 24 * 3600_000, integer: true })!,
    testEveryMin: numberOption(a, '--test-every-min', 60, { min: 0, max: 1e6 })!,
    alarmsPerMin: numberOption(a, '--alarms-per-min', 0.2, { min: 0, max: 60_000 })!,
    positionMs: numberOption(a, '--position-ms', 2000, { min: 100, max: 3600_000, integer: true })!,
    onSceneS: numberOption(a, '--on-scene-s', 60, { min: 0, max: 24 * 3600 })!,
    badTokens: numberOption(a, '--bad-tokens', 0, { min: 0, max: 10_000, integer: true })!,
    junkRate: numberOption(a, '--junk-rate', 0, { min: 0, max: 10_000 })!,
    silent,
    rampS: numberOption(a, '--ramp-s', 0, { min: 0, max: 3600 })!,
    verbose: a.has('--verbose'),
    drill: a.has('--drill'),
    ...(flood ? { flood } : {}),
    ...(durationS !== undefined ? { durationS } : {}),
    ...(kindOption(a) ? { kind: kindOption(a)! } : {}),
    ...(note !== undefined && note !== 'true' ? { note } : {}),
  };
}

// ---------------------------------------------------------------------------------------------------------
// Movement: pure functions of (state, time step, random numbers), so they can be tested without sockets.

export type Rng = () => number;

/** A moving unit: where it is, where it is heading (degrees from north), how fast (m/s), how it is turning. */
export interface Mover {
  lat: number;
  lng: number;
  heading: number;
  speed: number;
  /** Current turn rate in degrees per second; varies smoothly so the track curves instead of zig-zagging. */
  turn: number;
}

export interface PatrolArea {
  outline: AreaGeometry;
  home: LatLng;
  /** The unit drifts back towards home once it is more than half this far away. */
  radiusM: number;
}

export const PATROL_RADIUS_M = 2_500;
export const PATROL_SPEED = { min: 4, cruise: 9, max: 14 };
/** Driving to a dispatched school. */
export const RESPONSE_SPEED_MPS = 12;
/** Closer than this to the school counts as on scene. */
export const ARRIVED_M = 20;
const MAX_TURN_DEG_S = 10;

const toRad = (d: number): number => (d * Math.PI) / 180;
const clamp = (x: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, x));
export const normDeg = (d: number): number => ((d % 360) + 360) % 360;
/** The signed smallest turn from `from` to `to`, in (-180, 180]. */
export const angleDiff = (to: number, from: number): number => {
  const d = normDeg(to - from);
  return d > 180 ? d - 360 : d;
};

/** Initial great-circle bearing from a to b, degrees from north in [0, 360). */
export function bearingDeg(a: LatLng, b: LatLng): number {
  const φ1 = toRad(a.lat);
  const φ2 = toRad(b.lat);
  const Δλ = toRad(b.lng - a.lng);
  const y = Math.sin(Δλ) * Math.cos(φ2);
  const x = Math.cos(φ1) * Math.sin(φ2) - Math.sin(φ1) * Math.cos(φ2) * Math.cos(Δλ);
  return normDeg((Math.atan2(y, x) * 180) / Math.PI);
}

const round6 = (x: number): number => Math.round(x * 1e6) / 1e6;

/**
 * One step of a patrol: a smooth random walk (the turn rate and the speed drift slowly), pulled back towards
 * home when far from it, that never leaves the outline: a step that would cross the border turns away instead
 * (±30°, ±60° … 180°), and if every direction is outside it waits in place. Starting inside, it stays inside.
 */
export function patrolStep(m: Mover, area: PatrolArea, dtS: number, rng: Rng): Mover {
  const dt = Math.max(0, dtS);
  let turn = m.turn * Math.exp(-dt / 10) + (rng() - 0.5) * 8 * Math.sqrt(dt);
  turn = clamp(turn, -MAX_TURN_DEG_S, MAX_TURN_DEG_S);
  const speed = clamp(m.speed + (rng() - 0.5) * 1.5 * dt + (PATROL_SPEED.cruise - m.speed) * 0.05 * dt, PATROL_SPEED.min, PATROL_SPEED.max);
  let heading = m.heading + turn * dt;
  const fromHome = haversineMeters(m, area.home);
  if (fromHome > area.radiusM * 0.5) {
    // The further out, the harder it steers home; at the radius, faster than the random turn can oppose.
    const pull = Math.min(1, (fromHome - area.radiusM * 0.5) / (area.radiusM * 0.5));
    const maxTurn = 2 * MAX_TURN_DEG_S * dt * pull;
    heading += clamp(angleDiff(bearingDeg(m, area.home), heading), -maxTurn, maxTurn);
  }
  heading = normDeg(heading);
  const step = speed * dt;
  for (const off of [0, 30, -30, 60, -60, 90, -90, 120, -120, 150, -150, 180]) {
    const h = normDeg(heading + off);
    const p = destinationPoint(m, h, step);
    const q = { lat: round6(p.lat), lng: round6(p.lng) };
    if (pointInGeometry(q, area.outline)) return { ...q, heading: h, speed, turn: off === 0 ? turn : 0 };
  }
  return { lat: m.lat, lng: m.lng, heading: normDeg(heading + 180), speed: 0, turn: 0 };
}

/** One step straight towards `target` at `speedMps`; arrives (and stops on the point) within ARRIVED_M. */
export function driveStep(m: Mover, target: LatLng, dtS: number, speedMps = RESPONSE_SPEED_MPS): { mover: Mover; arrived: boolean } {
  const d = haversineMeters(m, target);
  const step = speedMps * Math.max(0, dtS);
  if (d - step <= ARRIVED_M) {
    return { mover: { lat: target.lat, lng: target.lng, heading: d > 0.5 ? bearingDeg(m, target) : m.heading, speed: 0, turn: 0 }, arrived: true };
  }
  const heading = bearingDeg(m, target);
  const p = destinationPoint(m, heading, step);
  return { mover: { lat: round6(p.lat), lng: round6(p.lng), heading, speed: speedMps, turn: 0 }, arrived: false };
}

/** Exponentially distributed wait with the given mean: a Poisson process, as presses from many schools are. */
export const poissonDelayMs = (meanMs: number, rng: Rng): number => -Math.log(1 - rng()) * meanMs;

// ---------------------------------------------------------------------------------------------------------
// Junk: messages a broken or hostile terminal might send. Every one must be refused (or, for unknown events,
// ignored with a refusal); none may create anything at the station.

export type JunkKind = 'random-json' | 'wrong-types' | 'oversize' | 'unknown-event' | 'not-an-object' | 'no-ack' | 'huge-frame';

export interface Junk {
  kind: JunkKind;
  event: string;
  payload: unknown;
  /** Whether to ask for an ack (a broken device may not). */
  ack: boolean;
}

const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)]!;

function randomString(rng: Rng, max: number): string {
  const chars = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 _-:/.<>"\'{}示例报警';
  let s = '';
  const n = Math.floor(rng() * max);
  for (let i = 0; i < n; i++) s += chars[Math.floor(rng() * chars.length)];
  return s;
}

export function randomJson(rng: Rng, depth = 0): unknown {
  const r = rng();
  if (depth >= 3 || r < 0.35) {
    return pick(rng, [() => null, () => rng() < 0.5, () => Math.round((rng() - 0.5) * 1e9) / 100, () => randomString(rng, 24)])();
  }
  if (r < 0.55) return Array.from({ length: Math.floor(rng() * 5) }, () => randomJson(rng, depth + 1));
  const o: Record<string, unknown> = {};
  // Sometimes borrow real field names, so the junk is close to a valid message, but with a random key too.
  const keys = ['alarmId', 'kind', 'raisedAt', 'sentAt', 'battery', 'reason', 'note'];
  const n = 1 + Math.floor(rng() * 5);
  for (let i = 0; i < n; i++) o[rng() < 0.5 ? pick(rng, keys) : randomString(rng, 12) || 'x'] = randomJson(rng, depth + 1);
  o[`junk_${Math.floor(rng() * 1e6)}`] = true; // an unknown field: ignored by the station (protocol v1, forward compatibility)
  // So the junk is refused for a field the parsers know: an alarmId off its pattern (alarm, cancel), a sentAt that
  // is not a time (heartbeat).
  if (depth === 0) Object.assign(o, { alarmId: `junk ${randomString(rng, 8)}`, sentAt: `at ${randomString(rng, 8)}` });
  return o;
}

export function makeJunk(rng: Rng, now: number): Junk {
  const r = rng();
  if (r < 0.02) {
    // Over the station's socket.io frame limit (4 × 16 KiB): the station closes the connection.
    return { kind: 'huge-frame', event: 'heartbeat', payload: { sentAt: now, pad: 'x'.repeat(MAX_PAYLOAD_BYTES * 4 + 1024) }, ack: true };
  }
  if (r < 0.25) return { kind: 'random-json', event: pick(rng, ['alarm', 'heartbeat', 'cancel']), payload: randomJson(rng), ack: true };
  if (r < 0.5) {
    const variants: [string, unknown][] = [
      ['alarm', { alarmId: 42, kind: 'panic', raisedAt: now }],
      ['alarm', { alarmId: 'junk-kind', kind: 'earthquake', raisedAt: now }],
      ['alarm', { alarmId: 'junk time', kind: 'panic', raisedAt: now }],
      ['alarm', { alarmId: 'junk-when', kind: 'panic', raisedAt: 'yesterday' }],
      ['alarm', { alarmId: 'junk-neg', kind: 'panic', raisedAt: -1 }],
      ['alarm', { alarmId: 'junk-drill', kind: 'panic', raisedAt: now, drill: 'yes', schoolId: 'sch-p01' }],
      ['alarm', { alarmId: 'junk-where', kind: 'fire', raisedAt: now, location: { lat: 123, lng: 0 } }],
      ['alarm', { alarmId: 'x'.repeat(65), kind: 'panic', raisedAt: now }],
      ['heartbeat', { sentAt: '12:00' }],
      ['heartbeat', { sentAt: now, battery: 'full' }],
      ['heartbeat', { sentAt: now, battery: 140 }],
      ['heartbeat', { sentAt: now, powerSource: 'solar' }],
      ['cancel', { alarmId: ['x'], reason: 7 }],
    ];
    const [event, payload] = pick(rng, variants);
    return { kind: 'wrong-types', event, payload, ack: true };
  }
  if (r < 0.65) {
    const pad = 'x'.repeat(MAX_PAYLOAD_BYTES + 1 + Math.floor(rng() * MAX_PAYLOAD_BYTES));
    return rng() < 0.5
      ? { kind: 'oversize', event: 'alarm', payload: { alarmId: 'junk-big', kind: 'panic', raisedAt: now, note: pad }, ack: true }
      : { kind: 'oversize', event: 'heartbeat', payload: { sentAt: now, pad }, ack: true };
  }
  if (r < 0.8) {
    const event = pick(rng, ['hello', 'alarm:v2', 'position', 'dispatch', 'acknowledge', '__proto__', randomString(rng, 20) || '?']);
    return { kind: 'unknown-event', event, payload: randomJson(rng), ack: true };
  }
  if (r < 0.92) {
    return { kind: 'not-an-object', event: pick(rng, ['alarm', 'heartbeat', 'cancel']), payload: pick(rng, [null, 'panic', 12345, [], true, '']), ack: true };
  }
  return { kind: 'no-ack', event: pick(rng, ['alarm', 'heartbeat']), payload: randomJson(rng), ack: false };
}

// ---------------------------------------------------------------------------------------------------------
// Counters and timing.

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
  readonly latency = { heartbeat: new Samples(), alarm: new Samples(), test: new Samples(), status: new Samples(), connect: new Samples(), badAuthKnown: new Samples(), badAuthUnknown: new Samples() };

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

const fmtMap = (o: Record<string, number>): string =>
  Object.keys(o).length === 0
    ? 'none'
    : Object.entries(o)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ');
const fmtMs = (x: number | undefined): string => (x === undefined ? '–' : `${Math.round(x)} ms`);

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

// ---------------------------------------------------------------------------------------------------------
// County mode: the devices.

export interface SimContext {
  url: string;
  opts: CountyOptions;
  stats: Stats;
  clock: Clock;
  rng: Rng;
  /** Per-event JSON lines (only with --verbose). */
  event: (o: object) => void;
  /** Things that must be said even without --verbose (warnings). */
  warn: (msg: string) => void;
  sockets: Set<Socket>;
}

function connectSocket(ctx: SimContext, nsp: '/terminal' | '/unit', auth: object, extra: Record<string, unknown> = {}, delayMs = 0): Socket {
  const socket = io(`${ctx.url.replace(/\/$/, '')}${nsp}`, {
    auth,
    transports: ['websocket'],
    // One connection per device, as real devices have: without forceNew, socket.io would share one.
    forceNew: true,
    reconnectionDelay: 500 + Math.floor(ctx.rng() * 1000),
    reconnectionDelayMax: 5000,
    autoConnect: delayMs <= 0,
    ...extra,
  });
  ctx.sockets.add(socket);
  if (delayMs > 0) ctx.clock.after(delayMs, () => socket.connect());
  return socket;
}

/** A refused handshake is not retried by socket.io itself; a real device tries again after a while. */
function retryRefusedHandshake(ctx: SimContext, socket: Socket, delayMs: number): void {
  if (!socket.active) ctx.clock.after(delayMs, () => socket.connect());
}

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

// ---------------------------------------------------------------------------------------------------------
// County mode: the run.

/** Where the unit homes and the outline come from: the demo registry next to the credentials, the county file. */
function readUnitHomes(credentialsFile: string): Map<string, LatLng> {
  const file = path.join(path.dirname(credentialsFile), 'demo-registry.json');
  const homes = new Map<string, LatLng>();
  try {
    const reg = JSON.parse(fs.readFileSync(file, 'utf8')) as { units?: { id: string; lat: number; lng: number }[] };
    for (const u of reg.units ?? []) homes.set(u.id, { lat: u.lat, lng: u.lng });
  } catch {
    // No registry next to the credentials: units start near the county seat.
  }
  return homes;
}

function findAssetsDir(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const candidates = [path.resolve(here, '..', '..', 'assets'), path.resolve(here, '..', 'assets'), path.resolve('assets')];
  const found = candidates.find((d) => fs.existsSync(path.join(d, 'map', 'chengde-counties.geojson')));
  if (!found) throw new Error(`the county outline (assets/map/chengde-counties.geojson) is not in ${candidates.join(' or ')}; units need it`);
  return found;
}

export function summaryLine(stats: Stats, elapsedS: number, want: { terminals: number; units: number }): string {
  const d = (k: string): number => stats.delta(k);
  const hb = stats.latency.heartbeat.window;
  const parts = [
    `up T ${stats.get('terminals.connected')}/${want.terminals} U ${stats.get('units.connected')}/${want.units}`,
    `hb +${d('heartbeat.sent')} ok ${d('heartbeat.ok')} p95 ${fmtMs(Samples.pct(hb, 95))}`,
    `test +${d('test.sent')}/${d('test.ok')} alarm +${d('alarm.sent')}/${d('alarm.ok')}`,
    `pos +${d('position.sent')}`,
  ];
  if (stats.get('junk.sent') > 0) parts.push(`junk +${d('junk.sent')}`);
  if (stats.get('flood.sent') > 0) parts.push(`flood +${d('flood.sent')} ok ${d('flood.ok')}`);
  if (stats.get('bad_auth.attempts') > 0) parts.push(`bad-auth +${d('bad_auth.attempts')}`);
  if (stats.get('dispatch.received') > 0) parts.push(`dispatch +${d('dispatch.received')}`);
  const reconnects = d('terminals.reconnects') + d('units.reconnects');
  parts.push(`reconnects +${reconnects}`);
  parts.push(`refusals ${fmtMap(stats.byPrefix('refusals.', true))}`);
  return `[${String(Math.round(elapsedS)).padStart(4)} s] ${parts.join(' | ')}`;
}

export interface RunInfo {
  terminals: number;
  silent: number;
  units: number;
  why: string;
  allUpAfterS?: number;
  /** Connected when the run stopped (before the simulator closed its sockets). */
  terminalsUp: number;
  unitsUp: number;
}

export function finalSummary(stats: Stats, elapsedS: number, info: RunInfo): string[] {
  const g = (k: string): number => stats.get(k);
  const lat = (s: Samples): string => {
    const x = s.summary();
    return x.n === 0 ? 'no samples' : `p50 ${fmtMs(x.p50)} p95 ${fmtMs(x.p95)} p99 ${fmtMs(x.p99)} max ${fmtMs(x.max)}`;
  };
  const presses = (src: 'test' | 'alarm'): string =>
    `sent ${g(`${src}.sent`)}, acked ${g(`${src}.ok`)} (duplicates ${g(`${src}.duplicate`)}), refused ${fmtMap(stats.byPrefix(`${src}.refused.`))}, ` +
    `retries ${g(`${src}.retries`)}, failed ${g(`${src}.failed`)}, in flight at stop ${g(`${src}.in_flight_at_stop`)}; ack ${lat(stats.latency[src])}`;
  const lines = [
    `summary after ${elapsedS.toFixed(1)} s (${info.why})`,
    `  terminals    ${info.terminals} simulated (${info.silent} silent), connected at the end ${info.terminalsUp}, ` +
      `${info.allUpAfterS !== undefined ? `the last came up after ${info.allUpAfterS.toFixed(1)} s` : `only ${g('terminals.first_connects')} ever came up`}; reconnects ${g('terminals.reconnects')}; ` +
      `connect errors ${fmtMap(stats.byPrefix('terminals.connect_error.'))}`,
    `  units        ${info.units} simulated, connected at the end ${info.unitsUp} (ever ${g('units.first_connects')}); reconnects ${g('units.reconnects')}; connect errors ${fmtMap(stats.byPrefix('units.connect_error.'))}`,
    `  connect time ${lat(stats.latency.connect)}; disconnects ${fmtMap(stats.byPrefix('disconnects.'))}`,
    `  heartbeats   sent ${g('heartbeat.sent')}, acked ${g('heartbeat.ok')}, refused ${fmtMap(stats.byPrefix('heartbeat.refused.'))}, no answer ${g('heartbeat.no_answer')}, ` +
      `in flight at stop ${g('heartbeat.in_flight_at_stop')}; ack ${lat(stats.latency.heartbeat)}`,
    `  test presses ${presses('test')}`,
    `  alarms       ${presses('alarm')}`,
    `  alarm:status ${fmtMap(stats.byPrefix('alarm_status.'))}`,
    `  positions    sent ${g('position.sent')}; unit status sent ${g('status.sent')}, acked ${g('status.ok')}, refused ${fmtMap(stats.byPrefix('status.refused.'))}, no answer ${g('status.no_answer')}`,
    `  dispatch     ${fmtMap(stats.byPrefix('dispatch.'))}`,
  ];
  if (g('junk.sent') > 0) {
    lines.push(
      `  junk         sent ${g('junk.sent')} (${fmtMap(stats.byPrefix('junk.kind.'))}); refused ${fmtMap(stats.byPrefix('junk.refused.'))}; ` +
        `no answer ${fmtMap(stats.byPrefix('junk.no_answer.'))}; ACCEPTED ${g('junk.ok')}`,
    );
  }
  if (g('flood.sent') > 0) {
    lines.push(`  flood        sent ${g('flood.sent')}, acked ${g('flood.ok')}, refused ${fmtMap(stats.byPrefix('flood.refused.'))}, no answer ${g('flood.no_answer')}`);
  }
  if (g('bad_auth.attempts') > 0) {
    lines.push(
      `  bad auth     attempts ${g('bad_auth.attempts')}, refused ${fmtMap(stats.byPrefix('bad_auth.refused.'))}, ACCEPTED ${g('bad_auth.ACCEPTED')}; ` +
        `refusal after: known id ${lat(stats.latency.badAuthKnown)}; unknown/malformed ${lat(stats.latency.badAuthUnknown)}`,
    );
  }
  lines.push(`  refusals by code: ${fmtMap(stats.byPrefix('refusals.'))}`);
  return lines;
}

export function summaryJson(stats: Stats, elapsedS: number, info: RunInfo): object {
  // The connected gauges are 0 once the simulator has closed its sockets; report them as they were at the end.
  const gauges = new Set(['terminals.connected', 'units.connected']);
  return {
    event: 'summary',
    elapsedS: Math.round(elapsedS * 10) / 10,
    ...info,
    counts: Object.fromEntries([...stats.counts.entries()].filter(([k]) => !gauges.has(k)).sort(([a], [b]) => a.localeCompare(b))),
    latencyMs: Object.fromEntries(Object.entries(stats.latency).map(([k, s]) => [k, s.summary()])),
  };
}

async function runCounty(opts: CountyOptions): Promise<void> {
  const file = opts.credentialsFile;
  if (!fs.existsSync(file)) throw new Error(`no credentials at ${file}: start the station with npm start -- --demo (--demo-schools N --demo-units M for a bigger county)`);
  const creds = JSON.parse(fs.readFileSync(file, 'utf8')) as DemoCredentials;
  const nTerm = Math.min(opts.terminals, creds.terminals.length);
  const nUnits = Math.min(opts.units, creds.units.length);
  if (nTerm < opts.terminals) {
    console.log(`asked for ${opts.terminals} terminals, but ${file} has only ${creds.terminals.length}: simulating ${nTerm} (start the demo with --demo-schools ${opts.terminals} for more)`);
  }
  if (nUnits < opts.units) {
    console.log(`asked for ${opts.units} units, but ${file} has only ${creds.units.length} units with a device: simulating ${nUnits} (foot patrols have none; start the demo with a larger --demo-units)`);
  }
  const silent = Math.min(opts.silent, nTerm);

  const stats = new Stats();
  const clock = new Clock();
  const sockets = new Set<Socket>();
  const verbose = opts.verbose;
  const ctx: SimContext = {
    url: opts.url,
    opts,
    stats,
    clock,
    rng: Math.random,
    sockets,
    event: verbose ? (o) => console.log(JSON.stringify({ t: Date.now(), ...o })) : () => undefined,
    warn: (msg) => console.log(`WARNING: ${msg}`),
  };
  const t0 = Date.now();
  const elapsed = (): number => (Date.now() - t0) / 1000;

  // Terminals and units connect in one interleaved order (spread over --ramp-s), so units do not queue
  // behind hundreds of terminal handshakes.
  const total = nTerm + nUnits;
  const delayOf = (k: number): number => (total > 1 ? (opts.rampS * 1000 * k) / (total - 1) : 0);
  const order = Array.from({ length: total }, (_, k) => k);
  const terminals: SimTerminal[] = [];
  const outline = nUnits > 0 ? longhuaOutline(findAssetsDir()) : undefined;
  const homes = nUnits > 0 ? readUnitHomes(file) : new Map<string, LatLng>();
  let ti = 0;
  let ui = 0;
  for (const k of order) {
    // Take a unit whenever units are behind their share of the order so far.
    const unitTurn = ui < nUnits && (ti >= nTerm || (ui + 1) * total <= (k + 1) * nUnits);
    if (!unitTurn) {
      const c = creds.terminals[ti]!;
      terminals.push(startTerminal(ctx, c, ti >= nTerm - silent ? 'silent' : 'normal', delayOf(k)));
      ti++;
      continue;
    }
    const c = creds.units[ui++]!;
    let home = homes.get(c.unitId);
    if (!home || !pointInGeometry(home, outline!)) {
      // No registry to read: somewhere in town.
      do home = destinationPoint(LONGHUA_SEAT, ctx.rng() * 360, ctx.rng() * 3000);
      while (!pointInGeometry(home, outline!));
    }
    startUnit(ctx, c, { outline: outline!, home, positionMs: opts.positionMs, onSceneS: opts.onSceneS, delayMs: delayOf(k) });
  }
  if (opts.flood) {
    const fl = opts.flood;
    const t = terminals.find((x) => x.deviceId === fl.deviceId);
    const cred = creds.terminals.find((x) => x.deviceId === fl.deviceId);
    if (!cred) throw new Error(`--flood: no terminal ${fl.deviceId} in ${file}`);
    startFlood(ctx, t ?? startTerminal(ctx, cred, 'flood-only'), fl.rate);
  }
  for (let i = 0; i < opts.badTokens; i++) startBadClient(ctx, i, creds);
  startJunk(ctx, terminals);
  if (opts.alarmsPerMin > 0) {
    const mean = 60_000 / opts.alarmsPerMin;
    const normal = terminals.filter((t) => t.role === 'normal');
    const next = (): void =>
      clock.after(poissonDelayMs(mean, ctx.rng), () => {
        const up = normal.filter((t) => t.socket.connected);
        if (up.length === 0) stats.add('alarm.skipped_none_connected');
        else void press(ctx, up[Math.floor(ctx.rng() * up.length)]!, 'alarm');
        next();
      });
    if (normal.length > 0) next();
  }

  console.log(
    `county: ${nTerm} terminals (${silent} silent), ${nUnits} units, heartbeat ${opts.heartbeatMs} ms, test press every ${opts.testEveryMin} min per terminal, ` +
      `${opts.alarmsPerMin} alarms/min` +
      (opts.badTokens ? `, ${opts.badTokens} bad-credential clients` : '') +
      (opts.junkRate ? `, ${opts.junkRate} junk/s` : '') +
      (opts.flood ? `, flood ${opts.flood.deviceId} at ${opts.flood.rate}/s` : '') +
      (opts.rampS ? `, connecting over ${opts.rampS} s` : '') +
      ` → ${opts.url}` +
      (opts.durationS !== undefined ? ` for ${opts.durationS} s` : ' until Ctrl-C'),
  );

  let allUpAfterS: number | undefined;
  const needTerminals = nTerm + (opts.flood && !terminals.some((t) => t.deviceId === opts.flood!.deviceId) ? 1 : 0);
  clock.every(250, () => {
    if (allUpAfterS !== undefined) return;
    if (stats.get('terminals.first_connects') >= needTerminals && stats.get('units.first_connects') >= nUnits) {
      allUpAfterS = elapsed();
      console.log(`every one of the ${needTerminals} terminals and ${nUnits} units has connected, the last after ${allUpAfterS.toFixed(1)} s`);
    }
  });
  clock.every(10_000, () => {
    console.log(summaryLine(stats, elapsed(), { terminals: needTerminals, units: nUnits }));
    stats.nextWindow();
  });

  await new Promise<void>((resolve) => {
    let stopping = false;
    const stop = (why: string): void => {
      if (stopping) return;
      stopping = true;
      const info: RunInfo = { terminals: nTerm, silent, units: nUnits, why, terminalsUp: stats.get('terminals.connected'), unitsUp: stats.get('units.connected') };
      if (allUpAfterS !== undefined) info.allUpAfterS = allUpAfterS;
      clock.stop();
      for (const s of sockets) s.close();
      for (const line of finalSummary(stats, elapsed(), info)) console.log(line);
      console.log(JSON.stringify(summaryJson(stats, elapsed(), info)));
      const bad = stats.get('bad_auth.ACCEPTED') + stats.get('junk.ok');
      if (bad > 0) console.log(`WARNING: the station accepted ${bad} message(s) or handshake(s) it must refuse`);
      process.exitCode = bad > 0 ? 2 : 0;
      resolve();
    };
    if (opts.durationS !== undefined) clock.after(opts.durationS * 1000, () => stop(`--duration ${opts.durationS}`));
    process.once('SIGINT', () => {
      stop('Ctrl-C');
      process.once('SIGINT', () => process.exit(130));
    });
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
  // Sockets are closed and timers cleared; an ack timeout still pending would hold the loop a few seconds.
  setTimeout(() => process.exit(process.exitCode ?? 0), 1000).unref();
}

// ---------------------------------------------------------------------------------------------------------
// Single-press mode (unchanged behaviour).

const out = (o: object): void => console.log(JSON.stringify(o));
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function runSingle(a: Map<string, string>): Promise<void> {
  const url = a.get('--url') ?? defaultUrl(process.env);
  let deviceId = a.get('--device');
  let token = a.get('--token');
  if (!token) {
    const file = a.get('--credentials') ?? defaultCredentialsFile(process.env);
    if (!fs.existsSync(file)) throw new Error(`no credentials at ${file}: start the station with npm start -- --demo, or pass --device and --token`);
    const creds = JSON.parse(fs.readFileSync(file, 'utf8')) as DemoCredentials;
    const idx = a.has('--school') ? Number(a.get('--school')) - 1 : 0;
    const t = deviceId ? creds.terminals.find((x) => x.deviceId === deviceId) : creds.terminals[idx];
    if (!t) throw new Error(`no terminal ${deviceId ?? `#${idx + 1}`} in ${file}`);
    deviceId = t.deviceId;
    token = t.token;
  }
  if (!deviceId) throw new Error('--device is needed with --token');
  const kind = (a.get('--kind') ?? 'panic') as AlarmKind;
  if (!ALARM_KINDS.includes(kind)) throw new Error(`--kind must be one of ${ALARM_KINDS.join(', ')}`);
  const count = Number(a.get('--presses') ?? a.get('--count') ?? 1);
  const interval = Number(a.get('--interval') ?? 1000);
  const hbMs = Number(a.get('--heartbeat-ms') ?? DEFAULT_HEARTBEAT_MS);

  const socket: Socket = io(`${url.replace(/\/$/, '')}/terminal`, { auth: { deviceId, token }, transports: ['websocket'], reconnectionDelayMax: 5000 });
  socket.on('connect', () => out({ event: 'connected', deviceId }));
  socket.on('connect_error', (e) => out({ event: 'connect_error', message: e.message }));
  socket.on('alarm:status', (s) => out({ event: 'alarm:status', ...s }));
  const hb = setInterval(() => {
    if (socket.connected) sendHeartbeat(socket, { sentAt: Date.now() }).catch(() => undefined);
  }, hbMs);

  for (let i = 0; i < count; i++) {
    if (i > 0) await new Promise((r) => setTimeout(r, interval));
    const alarmId = count === 1 && a.get('--alarm-id') ? a.get('--alarm-id')! : `${a.get('--alarm-id') ?? 'sim'}-${crypto.randomUUID().slice(0, 8)}`;
    const note = a.get('--note');
    const ans = await sendAlarm(socket, {
      alarmId,
      kind,
      raisedAt: Date.now(),
      ...(a.has('--drill') ? { drill: true } : {}),
      ...(note && note !== 'true' ? { note } : {}),
    }, { sleep, onRetry: (n, why) => out({ event: 'retry', alarmId, attempt: n, why }) });
    out({ event: 'alarm:ack', alarmId, ...ans });
  }
  if (!a.has('--wait')) {
    clearInterval(hb);
    socket.close();
  }
}

async function main(): Promise<void> {
  const a = parseArgs(process.argv.slice(2));
  if (a.has('--help')) {
    console.log(HELP);
    return;
  }
  checkOptions(a);
  if (isCountyMode(a)) await runCounty(parseCountyOptions(a, process.env));
  else await runSingle(a);
}

/** Run only as the entry point (node dist/main/simulate.js), not when a test imports the pure parts. */
function isEntryPoint(): boolean {
  const entry = process.argv[1];
  if (!entry) return false;
  try {
    return fs.realpathSync(entry) === fs.realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  main().catch((e: unknown) => {
    console.error((e as Error).message);
    process.exit(1);
  });
}

// tools/simulate (tool, Node) — the simulator's options: the help text, single-press and county-mode options,
// their defaults and checks. Every bad value is an ArgError naming the option.
import path from 'node:path';
import { ALARM_KINDS, DEFAULT_HEARTBEAT_MS, DEFAULT_STATION_PORT, type AlarmKind } from '../../shared/protocol';
import { readArgs, UsageError, type OptionSpec } from '../cliArgs';

export const HELP = `usage: npm run simulate -- [options]

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

/** A bad option or value, named in the message. */
export class ArgError extends UsageError {}

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
/** The switches; every other option takes a value. */
const SWITCHES = new Set(['--help', '--drill', '--wait', '--verbose']);
const OPTIONS: OptionSpec = Object.fromEntries(
  [...COMMON_OPTIONS, ...SINGLE_OPTIONS, ...COUNTY_OPTIONS].map((flag) => [
    flag.slice(2),
    SWITCHES.has(flag) ? { type: 'boolean', ...(flag === '--help' ? { short: 'h' } : {}) } : { type: 'string' },
  ]),
);

/**
 * The command line as `--name` → value, switches as "true" (node:util parseArgs, see tools/cliArgs.ts). Help is
 * returned as `--help`, not handled here; an unknown option, a stray word or a missing value is an ArgError.
 */
export function parseArgs(argv: string[]): Map<string, string> {
  let values: ReturnType<typeof readArgs>['values'];
  try {
    ({ values } = readArgs(argv, OPTIONS));
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    throw new ArgError(/^unexpected argument/.test(e.message) ? `${e.message}\n${HELP}` : e.message);
  }
  const m = new Map<string, string>();
  for (const [name, v] of Object.entries(values)) if (v !== undefined) m.set(`--${name}`, v === true ? 'true' : String(v));
  return m;
}

export const isCountyMode = (a: Map<string, string>): boolean => a.has('--terminals') || a.has('--units');

/** Refuses unknown options, and options of the other mode, with a message that says what to do. */
export function checkOptions(a: Map<string, string>): void {
  const county = isCountyMode(a);
  for (const k of a.keys()) {
    if (COMMON_OPTIONS.includes(k)) continue;
    if (SINGLE_OPTIONS.includes(k)) {
      if (county)
        throw new ArgError(`${k} is for a single press; county mode (--terminals/--units) presses by itself (see --alarms-per-min, --test-every-min)`);
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
    if (!m || !(rate > 0) || rate > 10_000)
      throw new ArgError(`--flood must be DEVICE:RATE with RATE heartbeats per second (0–10000], e.g. term-p01:50; got "${f}"`);
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

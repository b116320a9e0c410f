// main/ (core, Node) — station configuration from the environment and the command line.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_STATION_PORT } from '../shared/protocol';
import type { SemesterRule } from '../shared/planBoard';
import { ConfigError, DATA_FILES, DEFAULT_UNIT_STALE_MS, readEnvSettings } from './core/settings';
import { readSettingsFile } from './core/settingsFile';
import { DEFAULT_VOLUMES, type MapSource, type SettingKey, type SettingSource, type StationSettings, type Volumes } from '../shared/stationSettings';
import { loadTileConfig, parseTilePath, parseTileUrl, TILE_FLAGS, type TileConfig } from './gateway/tiles';
import { DEFAULT_BACKUP_AT, DEFAULT_BACKUP_KEEP, scheduleProblem, type BackupSchedule } from './core/backup';
import { shownUrl, type NatsAuth } from './cluster/natsAuth';

// Kept under their old names for the callers of main/config.ts; both are defined in main/core/settings.ts.
export { ConfigError, DEFAULT_UNIT_STALE_MS };

export interface StationConfig {
  port: number;
  host: string;
  dataDir: string;
  demo: boolean;
  web: boolean;
  /**
   * Who accepts connections (STATION_FRONT): 'process' (default for `npm start`), a front process of its own that
   * hands them to the core (main/gateway/front.ts); 'inline', the core itself.
   */
  front: 'process' | 'inline';
  /** Expected heartbeat interval; silent for 3 of them = offline. */
  heartbeatMs: number;
  /** A unit position older than this is drawn stale (grey) on the consoles' maps (STATION_UNIT_STALE_MS). */
  unitStaleMs: number;
  tlsCert?: string;
  tlsKey?: string;
  /** Folder with the built console (index.html). */
  consoleDir: string;
  /** Demo county size (--demo-schools N, --demo-units M); unset keeps the existing demo registry's size. */
  demoSchools?: number;
  demoUnits?: number;
  /** --demo-stations: the demo county split into two stations, with a county command account (issue 15, main/demo.ts). */
  demoStations?: boolean;
  /**
   * --demo-year: a fresh demo data folder starts with a generated year of a busy county's journal (main/demoYear.ts),
   * this many records (STATION_DEMO_YEAR_RECORDS, default 1,000,000), on a 1,000-school, 60-unit demo county.
   */
  demoYear?: { records: number };
  /** Map tiles under the county outlines (--tile-url / --tiles, see main/gateway/tiles.ts). */
  tiles?: TileConfig;
  /** A session with no console connected for this long is ended (STATION_SESSION_IDLE_MIN, default 30 min). */
  sessionIdleMs?: number;
  /** A terminal with no test press for this long raises a device fault (STATION_TEST_OVERDUE_DAYS, default 30 days). */
  testOverdueMs?: number;
  /** The station's time zone (STATION_TIME_ZONE, default Asia/Shanghai): every time shown, incident ids, export names. */
  timeZone?: string;
  /** How long a resolved incident stays in the consoles' live queue (STATION_RESOLVED_LINGER_MS); absent: the consoles' 2 min. */
  resolvedLingerMs?: number;
  /** The plan board's semesters (STATION_SEMESTERS); absent: 1 Mar – 15 Jul and 1 Sep – 15 Jan. */
  semesters?: SemesterRule[];
  /**
   * The daily backup of the data folder (main/core/backup.ts, docs/backup.md): into --backup-dir / STATION_BACKUP_DIR,
   * at --backup-at / STATION_BACKUP_AT (HH:MM on the station's clock, default 03:30), keeping --backup-keep /
   * STATION_BACKUP_KEEP (default 14). Off unless a folder is set.
   */
  backup?: BackupSchedule;
  /**
   * The settings file (docs/settings.md): --settings FILE / STATION_SETTINGS, else station-settings.json in the data
   * folder. What it holds (`fileSettings`), and where each value in force comes from (`sources`: flag > env > file >
   * default). Absent in configs made by hand (tests): no file, nothing to edit.
   */
  settingsFile?: string;
  fileSettings?: StationSettings;
  sources?: Partial<Record<SettingKey, SettingSource>>;
  /** Whether the settings file was named (--settings / STATION_SETTINGS) rather than found in the data folder. */
  settingsFileNamed?: boolean;
  /** The consoles' sound volumes per alarm class (settings file `volumes`; default DEFAULT_VOLUMES). */
  volumes?: Volumes;
  /**
   * Why the settings file's map source is not in force (a tile folder or archive that is gone, a value edited by
   * hand): the station starts with the county outline instead and says so. A map is never a reason not to start.
   */
  mapSourceProblem?: string;
  /**
   * Cluster mode (issue 15, docs/scaling.md): STATION_CLUSTER_NATS, the NATS servers' URLs (comma-separated). The
   * journal is then a JetStream stream replicated on them; this core leads or stands by. Off by default.
   */
  cluster?: { servers: string[]; stream: string; name: string; auth: NatsAuth };
}

const DEMO_SCHOOLS_MAX = 5000;
/** Journal records of a generated demo year (--demo-year). */
export const DEMO_YEAR_RECORDS = 1_000_000;
const DEMO_UNITS_MAX = 1000;

function parsePort(v: string, what: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new ConfigError(`${what} must be a port number 0–65535, got "${v}"`);
  return n;
}

function parseCount(v: string, what: string, max: number): number {
  const n = /^\d+$/.test(v.trim()) ? Number(v) : NaN;
  if (!Number.isInteger(n) || n < 1 || n > max) throw new ConfigError(`${what} must be a whole number 1–${max}, got "${v}"`);
  return n;
}

/**
 * Reads STATION_* variables and flags (--demo, --demo-year, --web, --port N, --data-dir DIR, --demo-schools N,
 * --demo-units M, --tile-url URL, --tiles FILE_OR_DIR, --tile-attribution TEXT, --tile-max-zoom N, --backup-dir DIR,
 * --backup-at HH:MM, --backup-keep N). Flags win.
 */
export function loadConfig(argv: string[], env: NodeJS.ProcessEnv, distDir: string): StationConfig {
  const flags = new Set<string>();
  const values: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (
      a === '--port' ||
      a === '--data-dir' ||
      a === '--host' ||
      a === '--demo-schools' ||
      a === '--demo-units' ||
      a === '--settings' ||
      BACKUP_FLAGS.includes(a) ||
      TILE_FLAGS.includes(a)
    ) {
      const v = argv[++i];
      if (v === undefined) throw new ConfigError(`${a} needs a value`);
      values[a] = v;
    } else if (a === '--demo' || a === '--web' || a === '--demo-year' || a === '--demo-stations') flags.add(a);
    else
      throw new ConfigError(
        `unknown option ${a} (known: --demo, --demo-year, --demo-stations, --web, --port N, --host ADDR, --data-dir DIR, --demo-schools N, --demo-units M, --tile-url URL, --tiles FILE_OR_DIR, --tile-attribution TEXT, --tile-max-zoom N, --backup-dir DIR, --backup-at HH:MM, --backup-keep N, --settings FILE)`,
      );
  }
  const demo = flags.has('--demo');
  const demoSchools = values['--demo-schools'] === undefined ? undefined : parseCount(values['--demo-schools'], '--demo-schools', DEMO_SCHOOLS_MAX);
  const demoUnits = values['--demo-units'] === undefined ? undefined : parseCount(values['--demo-units'], '--demo-units', DEMO_UNITS_MAX);
  if (!demo && (demoSchools !== undefined || demoUnits !== undefined)) throw new ConfigError('--demo-schools and --demo-units only apply with --demo');
  if (!demo && flags.has('--demo-year')) throw new ConfigError('--demo-year only applies with --demo');
  if (!demo && flags.has('--demo-stations')) throw new ConfigError('--demo-stations only applies with --demo');
  const demoYear = flags.has('--demo-year')
    ? {
        records:
          env.STATION_DEMO_YEAR_RECORDS === undefined ? DEMO_YEAR_RECORDS : parseCount(env.STATION_DEMO_YEAR_RECORDS, 'STATION_DEMO_YEAR_RECORDS', 5_000_000),
      }
    : undefined;
  // The settings file: named, or in the data folder the flag or the environment names (or the default one).
  const namedFile = values['--settings'] ?? (env.STATION_SETTINGS || undefined);
  const dataDirGiven = values['--data-dir'] ?? (env.STATION_DATA_DIR || undefined);
  const defaultDataDir = demo ? 'station-data-demo' : 'station-data';
  const settingsFile = path.resolve(namedFile ?? path.join(dataDirGiven ?? defaultDataDir, DATA_FILES.stationSettings));
  const file = readSettingsFile(settingsFile);
  const sources: Partial<Record<SettingKey, SettingSource>> = {};
  /** flag > environment > settings file > default, noting which one gave the value. */
  const pick = <T>(key: SettingKey, flag: T | undefined, envValue: T | undefined, fileValue: T | undefined, fallback: T): T => {
    const [v, src]: [T, SettingSource] =
      flag !== undefined ? [flag, 'flag'] : envValue !== undefined ? [envValue, 'env'] : fileValue !== undefined ? [fileValue, 'file'] : [fallback, 'default'];
    sources[key] = src;
    return v;
  };
  if (file.dataDir !== undefined && namedFile === undefined && path.resolve(file.dataDir) !== path.resolve(dataDirGiven ?? defaultDataDir))
    throw new ConfigError(
      `${settingsFile}, field dataDir: a settings file inside the data folder cannot move the data folder; start with --settings FILE (a settings file outside it) or --data-dir`,
    );
  const port = parsePort(
    String(
      pick('port', values['--port'], env.STATION_PORT || undefined, file.port === undefined ? undefined : String(file.port), String(DEFAULT_STATION_PORT)),
    ),
    'STATION_PORT',
  );
  const dataDir = path.resolve(pick('dataDir', values['--data-dir'], env.STATION_DATA_DIR || undefined, file.dataDir, defaultDataDir));
  const {
    tlsCert: envCert,
    tlsKey: envKey,
    heartbeatMs,
    unitStaleMs,
    sessionIdleMs,
    testOverdueMs,
    resolvedLingerMs,
    timeZone: envTimeZone,
    semesters: envSemesters,
  } = readEnvSettings(env);
  const tls = pick('tls', undefined, envCert && envKey ? { cert: envCert, key: envKey } : undefined, file.tls, undefined);
  const timeZone = pick('timeZone', undefined, env.STATION_TIME_ZONE ? envTimeZone : undefined, file.timeZone, envTimeZone);
  const fileSemesters = file.semesters === undefined ? undefined : readEnvSettings({ STATION_SEMESTERS: file.semesters }).semesters;
  const semesters = pick('semesters', undefined, envSemesters, fileSemesters, undefined);
  const host = pick('host', values['--host'], env.STATION_HOST || undefined, file.host, '127.0.0.1');
  const volumes = pick('volumes', undefined, undefined, file.volumes, { ...DEFAULT_VOLUMES });
  pick('stationName', undefined, undefined, file.stationName, undefined);
  pick('targets', undefined, undefined, file.targets, undefined);
  const envTiles = loadTileConfig(values, env, (message) => new ConfigError(message));
  let mapSourceProblem: string | undefined;
  let fileTiles: TileConfig | undefined;
  try {
    fileTiles = file.mapSource ? tileConfigOf(file.mapSource, (m) => new ConfigError(`${settingsFile}, field mapSource: ${m}`)) : undefined;
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    mapSourceProblem = e.message;
  }
  const tilesFromFlags = values['--tile-url'] !== undefined || values['--tiles'] !== undefined;
  const tiles = pick(
    'mapSource',
    tilesFromFlags ? envTiles : undefined,
    tilesFromFlags ? undefined : envTiles,
    file.mapSource ? fileTiles : undefined,
    undefined,
  );
  const backup = loadBackupSchedule(values, env, dataDir);
  const front = env.STATION_FRONT ?? 'process';
  const tlsCert = tls?.cert;
  const tlsKey = tls?.key;
  if (front !== 'process' && front !== 'inline') throw new ConfigError(`STATION_FRONT must be "process" or "inline", got "${front}"`);
  const cluster = loadCluster(env, port);
  return {
    ...(cluster ? { cluster } : {}),
    front,
    port,
    heartbeatMs,
    unitStaleMs,
    sessionIdleMs,
    testOverdueMs,
    timeZone,
    host,
    dataDir,
    demo,
    web: flags.has('--web'),
    consoleDir: path.join(distDir, 'renderer'),
    ...(tlsCert && tlsKey ? { tlsCert, tlsKey } : {}),
    // A year's demo is a busy county: 1,000 schools and 60 units unless asked otherwise.
    ...(demoSchools !== undefined ? { demoSchools } : demoYear ? { demoSchools: 1000 } : {}),
    ...(demoUnits !== undefined ? { demoUnits } : demoYear ? { demoUnits: 60 } : {}),
    ...(demoYear ? { demoYear } : {}),
    ...(flags.has('--demo-stations') ? { demoStations: true } : {}),
    ...(tiles ? { tiles } : {}),
    ...(resolvedLingerMs !== undefined ? { resolvedLingerMs } : {}),
    ...(semesters !== undefined ? { semesters } : {}),
    ...(backup ? { backup } : {}),
    settingsFile,
    settingsFileNamed: namedFile !== undefined,
    fileSettings: file,
    sources,
    volumes,
    ...(mapSourceProblem !== undefined && !tilesFromFlags && !envTiles ? { mapSourceProblem } : {}),
  };
}

/** The tile configuration of a settings file's map source (undefined: the outline only); `fail` names the field. */
export function tileConfigOf(source: MapSource, fail: (message: string) => Error): TileConfig | undefined {
  if (source.kind === 'none') return undefined;
  const base = source.kind === 'url' ? parseTileUrl(source.url, 'url', fail) : parseTilePath(source.path, 'path', fail);
  return {
    ...base,
    ...(source.attribution !== undefined ? { attribution: source.attribution } : {}),
    ...(source.maxZoom !== undefined ? { maxZoom: source.maxZoom } : {}),
  };
}

/**
 * STATION_CLUSTER_NATS (nats://host:port,…), STATION_CLUSTER_STREAM (default STATION), STATION_CLUSTER_NAME, and the
 * credentials (main/cluster/natsAuth.ts): STATION_CLUSTER_CREDS, STATION_CLUSTER_TOKEN, user:password in the URLs,
 * STATION_CLUSTER_CA.
 */
function loadCluster(env: NodeJS.ProcessEnv, port: number): StationConfig['cluster'] {
  const list = env.STATION_CLUSTER_NATS?.trim();
  if (!list) return undefined;
  const auth: NatsAuth = {};
  const servers = list.split(',').map((s) => {
    const text = s.trim();
    let u: URL | undefined;
    try {
      u = new URL(text);
    } catch {
      u = undefined;
    }
    // Named without what it holds: a password must not reach the log through this message.
    if (!u || (u.protocol !== 'nats:' && u.protocol !== 'tls:') || !u.hostname)
      throw new ConfigError(`STATION_CLUSTER_NATS: "${shownUrl(text)}" is not a NATS server URL (nats://host:4222, comma-separated)`);
    if (u.username) {
      if (auth.user !== undefined && auth.user !== decodeURIComponent(u.username))
        throw new ConfigError('STATION_CLUSTER_NATS: one user and password for every server');
      auth.user = decodeURIComponent(u.username);
      auth.pass = decodeURIComponent(u.password);
    }
    return shownUrl(text);
  });
  const stream = env.STATION_CLUSTER_STREAM?.trim() || 'STATION';
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(stream)) throw new ConfigError(`STATION_CLUSTER_STREAM: "${stream}": letters, digits, - and _ only`);
  // The lease and the shared files live in streams named after the journal's: a journal named like one of them
  // would be written into a stream that keeps one message per subject.
  if (/_(LEASE|FILES)$/i.test(stream))
    throw new ConfigError(`STATION_CLUSTER_STREAM: "${stream}" may not end in _LEASE or _FILES (names the station uses beside it)`);
  const name = env.STATION_CLUSTER_NAME?.trim() || `${os.hostname()}:${port}`;
  for (const [key, field] of [
    ['STATION_CLUSTER_CREDS', 'credsFile'],
    ['STATION_CLUSTER_CA', 'caFile'],
  ] as const) {
    const file = env[key]?.trim();
    if (!file) continue;
    if (!fs.existsSync(file)) throw new ConfigError(`${key}: ${file} does not exist`);
    auth[field] = path.resolve(file);
  }
  const token = env.STATION_CLUSTER_TOKEN?.trim();
  if (token) auth.token = token;
  if ([auth.credsFile, auth.token, auth.user].filter((x) => x !== undefined).length > 1)
    throw new ConfigError('cluster credentials: one of STATION_CLUSTER_CREDS, STATION_CLUSTER_TOKEN or a user:password in the URLs');
  return { servers, stream, name, auth };
}

const BACKUP_FLAGS = ['--backup-dir', '--backup-at', '--backup-keep'];

/** The daily backup's folder, time and count (flags win over STATION_BACKUP_*); undefined when no folder is set. */
function loadBackupSchedule(values: Record<string, string>, env: NodeJS.ProcessEnv, dataDir: string): BackupSchedule | undefined {
  const dir = values['--backup-dir'] ?? (env.STATION_BACKUP_DIR || undefined);
  const at = values['--backup-at'] ?? (env.STATION_BACKUP_AT || undefined);
  const keepText = values['--backup-keep'] ?? (env.STATION_BACKUP_KEEP || undefined);
  if (dir === undefined) {
    if (at !== undefined || keepText !== undefined)
      throw new ConfigError('--backup-at / STATION_BACKUP_AT and --backup-keep / STATION_BACKUP_KEEP need a backup folder (--backup-dir / STATION_BACKUP_DIR)');
    return undefined;
  }
  const keep = keepText === undefined ? DEFAULT_BACKUP_KEEP : /^\d+$/.test(keepText.trim()) ? Number(keepText) : NaN;
  const schedule = { dir: path.resolve(dir), at: at ?? DEFAULT_BACKUP_AT, keep };
  const problem = scheduleProblem(schedule, dataDir);
  if (problem) throw new ConfigError(`${problem} (--backup-dir / STATION_BACKUP_DIR, --backup-at / STATION_BACKUP_AT, --backup-keep / STATION_BACKUP_KEEP)`);
  return schedule;
}

// main/ (core, Node) — the one settings module: what a station is configured with (environment variables, checked
// by one zod schema), the names of the files in its data folder, its time zone, the stale-unit limit and the socket
// frame cap. main/config.ts adds the command-line flags; the consoles get what they need of it from the core
// (consoleSettings), never a second default of their own.
import path from 'node:path';
import { z } from 'zod';
import { STATION_TIME_ZONE } from '../../shared/duty';
import { DEFAULT_UNIT_STALE_MS, SOCKET_FRAME_BYTES, UNIT_STALE_MS_RANGE } from '../../shared/limits';
import type { ConsoleSettings } from '../../shared/consoleApi';
import { DEFAULT_HEARTBEAT_MS } from '../../shared/protocol';
import { DEFAULT_SEMESTERS, parseSemesters, type SemesterRule } from '../../shared/planBoard';

export { DEFAULT_UNIT_STALE_MS, SOCKET_FRAME_BYTES, STATION_TIME_ZONE };

/** A setting that cannot be used: the station refuses to start and says which one and why. */
export class ConfigError extends Error {}

/** The files of a station's data folder (STATION_DATA_DIR), by what they hold. */
export const DATA_FILES = {
  /** The hash-chained event log (main/core/journal.ts); `<journal>.watermark` and `.torn-<time>` sit beside it. */
  journal: 'journal.jsonl',
  /** The journal's id, from before the watermark held it (read once, for journals of older versions). */
  journalId: 'journal-id',
  /** The folded state at one point of the journal, so a start reads only the records after it (main/core/snapshot.ts). */
  snapshot: 'journal.snapshot',
  /** Schools, terminals, units, operators and the response-time targets (main/core/registryFile.ts). */
  registry: 'registry.json',
  /** The sample county of --demo, and the credentials made for it. */
  demoRegistry: 'demo-registry.json',
  demoCredentials: 'demo-credentials.json',
  /** The live sessions and the key that signs them (main/core/sessions.ts). */
  sessions: 'sessions.json',
  sessionKey: 'session-key',
  /** The settings file (docs/settings.md; or --settings FILE / STATION_SETTINGS elsewhere): main/core/settingsFile.ts. */
  stationSettings: 'station-settings.json',
  /** Written once on a real station's first start: the password of the first operator, admin. */
  initialAdminPassword: 'initial-admin-password.txt',
} as const;
export type DataFileName = keyof typeof DATA_FILES;

export const dataFile = (dataDir: string, name: DataFileName): string => path.join(dataDir, DATA_FILES[name]);

/** What the environment may set (flags of the same meaning win, main/config.ts). Empty means unset. */
export interface EnvSettings {
  port?: string;
  host?: string;
  dataDir?: string;
  tlsCert?: string;
  tlsKey?: string;
  /** Expected heartbeat interval; silent for 3 of them = offline. */
  heartbeatMs: number;
  /** A unit position older than this is drawn stale (grey) on the consoles' maps and ranked last. */
  unitStaleMs: number;
  /** A session with no console connected for this long is ended. */
  sessionIdleMs: number;
  /** A terminal with no test press for this long raises a test_overdue fault (STATION_TEST_OVERDUE_DAYS). */
  testOverdueMs: number;
  /** How long a resolved incident stays in the consoles' live queue; unset: the consoles' default. */
  resolvedLingerMs?: number;
  /** The station's time zone (IANA name): every time an officer sees, incident ids, export file names. */
  timeZone: string;
  /** The plan board's semesters (STATION_SEMESTERS); unset: DEFAULT_SEMESTERS. */
  semesters?: SemesterRule[];
}

/** Whether the runtime knows an IANA time zone name (Intl refuses an unknown one). */
export function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/** A school that has not test-pressed its terminal for 30 days raises a device fault (STATION_TEST_OVERDUE_DAYS). */
export const DEFAULT_TEST_OVERDUE_DAYS = 30;
const DAY_MS = 86_400_000;

/** A session with no console connected for 30 minutes is ended (STATION_SESSION_IDLE_MIN). */
export const DEFAULT_SESSION_IDLE_MS = 30 * 60_000;

/** A whole number read as the core always has (`Number()`), with the variable and what it got in the message. */
const numberVar = (name: string, fallback: number, ok: (n: number) => boolean, expect: string) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      const n = Number(v ?? fallback);
      if (ok(n)) return n;
      ctx.addIssue({ code: 'custom', message: `${name} ${expect}, got "${v}"` });
      return z.NEVER;
    });
const textVar = z
  .string()
  .optional()
  .transform((v) => v || undefined);

/**
 * Every STATION_* variable the core reads. The tile variables (STATION_TILE_URL, STATION_TILES,
 * STATION_TILE_ATTRIBUTION, STATION_TILE_MAX_ZOOM) are read with their flags by main/gateway/tiles.ts (loadTileConfig),
 * which checks a URL or an archive path; STATION_PORT is checked with --port by main/config.ts.
 */
export const envSchema = z
  .object({
    STATION_PORT: z.string().optional(),
    STATION_HOST: z.string().optional(),
    STATION_DATA_DIR: z.string().optional(),
    STATION_TLS_CERT: textVar,
    STATION_TLS_KEY: textVar,
    STATION_HEARTBEAT_MS: numberVar('STATION_HEARTBEAT_MS', DEFAULT_HEARTBEAT_MS, (n) => Number.isInteger(n) && n >= 100, 'must be an integer ≥ 100'),
    STATION_UNIT_STALE_MS: numberVar(
      'STATION_UNIT_STALE_MS',
      DEFAULT_UNIT_STALE_MS,
      (n) => Number.isInteger(n) && n >= UNIT_STALE_MS_RANGE.min && n <= UNIT_STALE_MS_RANGE.max,
      `must be a whole number of ms ${UNIT_STALE_MS_RANGE.min}–${UNIT_STALE_MS_RANGE.max}`,
    ),
    STATION_RESOLVED_LINGER_MS: z
      .string()
      .optional()
      .transform((v, ctx) => {
        if (v === undefined || v === '') return undefined;
        const n = Number(v);
        if (Number.isInteger(n) && n >= 0 && n <= 24 * 3_600_000) return n;
        ctx.addIssue({ code: 'custom', message: `STATION_RESOLVED_LINGER_MS must be a whole number of ms 0–86400000, got "${v}"` });
        return z.NEVER;
      }),
    STATION_SESSION_IDLE_MIN: numberVar(
      'STATION_SESSION_IDLE_MIN',
      DEFAULT_SESSION_IDLE_MS / 60_000,
      (n) => Number.isInteger(n) && n >= 1 && n <= 24 * 60,
      'must be a whole number of minutes 1–1440',
    ),
    STATION_TIME_ZONE: z
      .string()
      .optional()
      .transform((v, ctx) => {
        if (v === undefined || v === '') return STATION_TIME_ZONE;
        if (isTimeZone(v)) return v;
        ctx.addIssue({ code: 'custom', message: `STATION_TIME_ZONE must be a time zone name such as Asia/Shanghai, got "${v}"` });
        return z.NEVER;
      }),
    STATION_SEMESTERS: z
      .string()
      .optional()
      .transform((v, ctx) => {
        if (v === undefined || v.trim() === '') return undefined;
        const r = parseSemesters(v);
        if (r.ok) return r.rules;
        ctx.addIssue({ code: 'custom', message: `STATION_SEMESTERS: ${r.message} (e.g. spring=03-01..07-15;autumn=09-01..01-15)` });
        return z.NEVER;
      }),
    STATION_TEST_OVERDUE_DAYS: numberVar(
      'STATION_TEST_OVERDUE_DAYS',
      DEFAULT_TEST_OVERDUE_DAYS,
      (n) => Number.isInteger(n) && n >= 1 && n <= 366,
      'must be a whole number of days 1–366',
    ),
  })
  .superRefine((e, ctx) => {
    if (Boolean(e.STATION_TLS_CERT) !== Boolean(e.STATION_TLS_KEY))
      ctx.addIssue({ code: 'custom', message: 'set both STATION_TLS_CERT and STATION_TLS_KEY, or neither' });
  });

/** The environment's settings; the first bad one is a ConfigError (the station does not start). */
export function readEnvSettings(env: NodeJS.ProcessEnv): EnvSettings {
  const r = envSchema.safeParse(env);
  if (!r.success) throw new ConfigError(r.error.issues[0]?.message ?? 'invalid STATION_* settings');
  const e = r.data;
  return {
    ...(e.STATION_PORT !== undefined ? { port: e.STATION_PORT } : {}),
    ...(e.STATION_HOST !== undefined ? { host: e.STATION_HOST } : {}),
    ...(e.STATION_DATA_DIR !== undefined ? { dataDir: e.STATION_DATA_DIR } : {}),
    ...(e.STATION_TLS_CERT && e.STATION_TLS_KEY ? { tlsCert: e.STATION_TLS_CERT, tlsKey: e.STATION_TLS_KEY } : {}),
    heartbeatMs: e.STATION_HEARTBEAT_MS,
    unitStaleMs: e.STATION_UNIT_STALE_MS,
    sessionIdleMs: e.STATION_SESSION_IDLE_MIN * 60_000,
    testOverdueMs: e.STATION_TEST_OVERDUE_DAYS * DAY_MS,
    ...(e.STATION_RESOLVED_LINGER_MS !== undefined ? { resolvedLingerMs: e.STATION_RESOLVED_LINGER_MS } : {}),
    timeZone: e.STATION_TIME_ZONE,
    ...(e.STATION_SEMESTERS !== undefined ? { semesters: e.STATION_SEMESTERS } : {}),
  };
}

/** What every console must use as the station does: carried to it in `hello` (shared/consoleApi.ts ConsoleSettings). */
export function consoleSettings(config: { unitStaleMs?: number; timeZone?: string; resolvedLingerMs?: number; semesters?: SemesterRule[] }): ConsoleSettings {
  return {
    unitStaleMs: config.unitStaleMs ?? DEFAULT_UNIT_STALE_MS,
    timeZone: config.timeZone ?? STATION_TIME_ZONE,
    ...(config.resolvedLingerMs !== undefined ? { resolvedLingerMs: config.resolvedLingerMs } : {}),
    semesters: config.semesters ?? [...DEFAULT_SEMESTERS],
  };
}

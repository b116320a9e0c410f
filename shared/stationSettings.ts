// shared/ — the station's settings file (station-settings.json, docs/settings.md), written once: its zod schema with
// the limits of every field, the sound volumes per alarm class with their floors, the map source, which fields take
// effect at once and which at the next start, and the admin screen's commands (view, try a map source, save). The core
// reads the file through it (main/core/settingsFile.ts) and the admin screen edits the same fields.
import { z } from 'zod';
import { parseSemesters, type SemesterRule } from './planBoard';
import { checkProfile, type TargetProfile } from './response';

/** The sound classes a console has (renderer/adapters/sound.ts): a real alarm, a drill, a device fault, a lost link. */
export const SOUND_CLASSES = ['alarm', 'drill', 'fault', 'link'] as const;
export type SoundClass = (typeof SOUND_CLASSES)[number];
export type Volumes = Record<SoundClass, number>;

/**
 * The lowest volume (%) each class may be set to. An alarm must never be silenced by a setting: a real alarm (and a
 * tamper, which takes its tone) and a lost link (while it lasts no alarm can reach the console) stay at half volume or
 * more; a drill and a fault stay audible.
 */
export const VOLUME_FLOORS: Readonly<Volumes> = { alarm: 50, drill: 10, fault: 10, link: 50 };
/** The volumes the console always had (renderer/adapters/sound.ts before settings). */
export const DEFAULT_VOLUMES: Readonly<Volumes> = { alarm: 80, drill: 70, fault: 60, link: 90 };

/** Longest text in a settings field; the whole file is at most MAX_SETTINGS_FILE_BYTES. */
export const MAX_SETTINGS_FILE_BYTES = 64 * 1024;
const MAX_PATH = 1024;

/** A string without NUL or other control characters (a file name or a URL with one is a mistake or an attack). */
const safeText = (max: number) =>
  z
    .string()
    .max(max, `at most ${max} characters`)
    .refine((s) => !/[\u0000-\u001f\u007f]/.test(s), 'must not contain control characters (NUL, line breaks …)');
const nonEmpty = (max: number) => safeText(max).refine((s) => s.trim() !== '', 'must not be empty');

/** Whether the runtime knows an IANA time zone name. */
export function isTimeZoneName(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

const volume = (c: SoundClass) =>
  z
    .number()
    .int('a whole number of percent')
    .min(VOLUME_FLOORS[c], `at least ${VOLUME_FLOORS[c]} % (a ${c} sound may not be turned down further)`)
    .max(100, 'at most 100 %');
export const volumesSchema = z.strictObject({ alarm: volume('alarm'), drill: volume('drill'), fault: volume('fault'), link: volume('link') });

const maxZoom = z.number().int().min(0).max(26);
/**
 * Where the map's tiles come from: `none` (the county outline only), `url` (an XYZ template on the police network,
 * http/https with {z}/{x}/{y}, checked in full by the core: main/gateway/tiles.ts parseTileUrl), or `local` (a z/x/y
 * folder or a PMTiles archive on the station, served at /tiles/{z}/{x}/{y}).
 */
export const mapSourceSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('none') }),
  z.strictObject({ kind: z.literal('url'), url: nonEmpty(2000), attribution: safeText(500).optional(), maxZoom: maxZoom.optional() }),
  z.strictObject({ kind: z.literal('local'), path: nonEmpty(MAX_PATH), attribution: safeText(500).optional(), maxZoom: maxZoom.optional() }),
]);
export type MapSource = z.infer<typeof mapSourceSchema>;

const targets = z.unknown().transform((p, ctx): TargetProfile => {
  const r = checkProfile(p);
  if (r.ok) return r.value;
  ctx.addIssue({ code: 'custom', message: r.message });
  return z.NEVER;
});

/**
 * station-settings.json. Every field is optional (absent: the environment, then the default; docs/settings.md);
 * an unknown field, a wrong type, a control character or a value past its limit is refused, naming the field.
 */
export const stationSettingsSchema = z.strictObject({
  stationName: nonEmpty(100).optional(),
  port: z.number().int().min(0).max(65535).optional(),
  host: nonEmpty(255).optional(),
  tls: z.strictObject({ cert: nonEmpty(MAX_PATH), key: nonEmpty(MAX_PATH) }).optional(),
  dataDir: nonEmpty(MAX_PATH).optional(),
  timeZone: safeText(64).refine(isTimeZoneName, 'must be a time zone name such as Asia/Shanghai').optional(),
  semesters: safeText(500)
    .superRefine((v, ctx) => {
      const r = parseSemesters(v);
      if (!r.ok) ctx.addIssue({ code: 'custom', message: `${r.message} (e.g. spring=03-01..07-15;autumn=09-01..01-15)` });
    })
    .optional(),
  targets: targets.optional(),
  mapSource: mapSourceSchema.optional(),
  volumes: volumesSchema.optional(),
});
export type StationSettings = z.infer<typeof stationSettingsSchema>;
export type SettingKey = keyof StationSettings;
export const SETTING_KEYS = Object.keys(stationSettingsSchema.shape) as SettingKey[];

/**
 * Settings that take effect only at the next start: the listening socket (port, host, TLS), the data folder, and the
 * time zone (it names every incident id and draws every time and duty window: a change in the middle of a day would
 * give that day two calendars). The others apply at once, on every console.
 */
export const RESTART_SETTINGS: readonly SettingKey[] = ['port', 'host', 'tls', 'dataDir', 'timeZone'];
export const isLiveSetting = (k: SettingKey): boolean => !RESTART_SETTINGS.includes(k);

/** Where a value in force comes from (main/config.ts): command line > environment > settings file > default. */
export const SETTING_SOURCES = ['flag', 'env', 'file', 'default'] as const;
export type SettingSource = (typeof SETTING_SOURCES)[number];

/** Keys that would reach an object's prototype, anywhere in a parsed JSON value (the first one's path, or undefined). */
export function prototypeKey(v: unknown, path = ''): string | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  for (const k of Object.keys(v)) {
    const p = Array.isArray(v) ? `${path}[${k}]` : path ? `${path}.${k}` : k;
    if (k === '__proto__' || k === 'constructor' || k === 'prototype') return p;
    const inner = prototypeKey((v as Record<string, unknown>)[k], p);
    if (inner) return inner;
  }
  return undefined;
}

/** Semesters as the settings file and STATION_SEMESTERS write them: `spring=03-01..07-15;autumn=09-01..01-15`. */
export function formatSemesters(rules: readonly SemesterRule[]): string {
  const md = (d: { month: number; day: number }): string => `${String(d.month).padStart(2, '0')}-${String(d.day).padStart(2, '0')}`;
  return rules.map((r) => `${r.name}=${md(r.from)}..${md(r.to)}`).join(';');
}

// --- the admin screen's commands (shared/consoleContract.ts) ---

/** What the admin screen shows: each field's value in force, where it comes from, and what is saved for the next start. */
export const settingsViewSchema = z.object({
  /** The settings file (absolute path on the station). */
  file: z.string(),
  /** The values in force now (defaults filled in), as the file would hold them. */
  effective: z.record(z.string(), z.unknown()),
  /** What the settings file holds now. */
  saved: z.record(z.string(), z.unknown()),
  sources: z.record(z.string(), z.enum(SETTING_SOURCES)),
  /** Fields saved in the file that take effect at the next start (differ from the value in force). */
  pendingRestart: z.array(z.string()),
  /** Fields of the file not in force, and why (a map source that could not be opened at start: the outline is shown). */
  problems: z.record(z.string(), z.string().max(2000)).optional(),
});
export type SettingsView = z.infer<typeof settingsViewSchema>;

/** Trying a map source: whether one tile (or the archive / folder) could be read, and what happened, exactly. */
export const mapTrySchema = z.object({ ok: z.boolean(), message: z.string(), tile: z.string().optional() });
export type MapTry = z.infer<typeof mapTrySchema>;

/** A save: the fields to set (`null` removes a field from the file: its environment value or default applies). */
export const settingsPatchSchema = z.unknown().transform((patch, ctx): Partial<Record<SettingKey, unknown>> => {
  // Read as it arrived (a z.record would copy it, and a `__proto__` key would be lost on the way, unseen).
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) {
    ctx.addIssue({ code: 'custom', message: 'settings must be an object of fields' });
    return z.NEVER;
  }
  const keys = Object.keys(patch);
  const bad = prototypeKey(patch) ?? keys.find((k) => !SETTING_KEYS.includes(k as SettingKey));
  if (bad !== undefined || keys.length === 0) {
    ctx.addIssue({ code: 'custom', message: bad !== undefined ? `${bad}: not a setting` : 'nothing to save' });
    return z.NEVER;
  }
  const fields = patch as Record<string, unknown>;
  const set = Object.fromEntries(keys.filter((k) => fields[k] !== null).map((k) => [k, fields[k]]));
  const r = stationSettingsSchema.safeParse(set);
  if (!r.success) {
    const i = r.error.issues[0]!;
    ctx.addIssue({ code: 'custom', message: `${i.path.join('.')}: ${i.message}` });
    return z.NEVER;
  }
  const out: Partial<Record<SettingKey, unknown>> = {};
  for (const k of keys as SettingKey[]) out[k] = fields[k] === null ? null : r.data[k];
  return out;
});

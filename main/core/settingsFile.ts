// main/ (core, Node) — the settings file (station-settings.json in the data folder, or --settings FILE /
// STATION_SETTINGS): read through the one schema of shared/stationSettings.ts, refused whole with the field named
// (ConfigError: the station does not start), and written atomically (temp file, fsync, rename) as the registry is.
import fs from 'node:fs';
import { replaceFile } from './durableFile';
import { MAX_SETTINGS_FILE_BYTES, prototypeKey, stationSettingsSchema, type SettingKey, type StationSettings } from '../../shared/stationSettings';
import { ConfigError } from './settings';

/** The issue's first problem as `file, field x.y: why`. */
function fieldError(file: string, field: string, why: string): ConfigError {
  return new ConfigError(`${file}${field ? `, field ${field}` : ''}: ${why}`);
}

/** Parses the text of a settings file; throws a ConfigError naming the file and the field. */
export function parseSettingsText(file: string, text: string): StationSettings {
  if (Buffer.byteLength(text, 'utf8') > MAX_SETTINGS_FILE_BYTES)
    throw fieldError(file, '', `larger than ${MAX_SETTINGS_FILE_BYTES} bytes: not a settings file`);
  let value: unknown;
  try {
    value = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (e) {
    throw fieldError(file, '', `not JSON (${(e as Error).message})`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw fieldError(file, '', 'must be a JSON object of settings');
  const proto = prototypeKey(value);
  if (proto) throw fieldError(file, proto, 'not a setting (a key that reaches the prototype is refused)');
  const r = stationSettingsSchema.safeParse(value);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  const where = issue.path.map(String).join('.');
  if (issue.code === 'unrecognized_keys') {
    const keys = (issue as { keys: string[] }).keys;
    return fail(fieldError(file, [where, keys[0]].filter(Boolean).join('.'), `unknown setting (known: see docs/settings.md)`));
  }
  return fail(fieldError(file, where, issue.message));
}

const fail = (e: Error): never => {
  throw e;
};

/** The settings in `file`; `{}` when there is none. A file that exists and does not fit is a ConfigError. */
export function readSettingsFile(file: string): StationSettings {
  let text: string;
  try {
    const st = fs.statSync(file);
    if (!st.isFile()) throw fieldError(file, '', 'is not a file');
    if (st.size > MAX_SETTINGS_FILE_BYTES) throw fieldError(file, '', `larger than ${MAX_SETTINGS_FILE_BYTES} bytes: not a settings file`);
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return {};
    if (e instanceof ConfigError) throw e;
    throw fieldError(file, '', `cannot be read (${(e as Error).message})`);
  }
  return parseSettingsText(file, text);
}

/** Field order of the file as written: the schema's. */
function ordered(s: StationSettings): StationSettings {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(stationSettingsSchema.shape) as SettingKey[]) if (s[k] !== undefined) out[k] = s[k];
  return out as StationSettings;
}

/** Writes to a temporary file, fsyncs it, renames it over the file and fsyncs the folder: the old file or the new, never half. */
export function writeSettingsFile(file: string, settings: StationSettings): void {
  replaceFile(file, `${JSON.stringify(ordered(settings), null, 2)}\n`);
}

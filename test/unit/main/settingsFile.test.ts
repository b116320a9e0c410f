// The settings file (main/core/settingsFile.ts, shared/stationSettings.ts, main/config.ts): its schema and defaults,
// the precedence flag > environment > file > default, the atomic write, and hostile files refused at start with a
// ConfigError naming the field (the station does not start on them).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../../main/config';
import { ConfigError } from '../../../main/core/settings';
import { restartFieldProblem } from '../../../main/core/settingsAdmin';
import { readSettingsFile, writeSettingsFile } from '../../../main/core/settingsFile';
import { DEFAULT_VOLUMES, settingsPatchSchema, stationSettingsSchema } from '../../../shared/stationSettings';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => fs.rmSync(d, { recursive: true, force: true })));
function dataDir(settings?: unknown | string): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'settings-'));
  dirs.push(d);
  if (settings !== undefined) fs.writeFileSync(path.join(d, 'station-settings.json'), typeof settings === 'string' ? settings : JSON.stringify(settings));
  return d;
}
const load = (dir: string, argv: string[] = [], env: NodeJS.ProcessEnv = {}) => loadConfig(['--data-dir', dir, ...argv], env, '/dist');
const refused = (dir: string): string => {
  try {
    load(dir);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error('the settings file was accepted');
};

describe('the settings file', () => {
  it('is optional: no file gives the defaults, each from "default"', () => {
    const c = load(dataDir());
    expect(c).toMatchObject({ port: 8700, host: '127.0.0.1', timeZone: 'Asia/Shanghai', volumes: DEFAULT_VOLUMES, fileSettings: {} });
    expect(c.tiles).toBeUndefined();
    expect(c.sources).toMatchObject({ port: 'default', timeZone: 'default', mapSource: 'default', volumes: 'default' });
    expect(c.settingsFile).toBe(path.join(c.dataDir, 'station-settings.json'));
  });

  it('sets what it names; a flag beats the environment, which beats the file', () => {
    const dir = dataDir({
      port: 8800,
      host: '0.0.0.0',
      timeZone: 'America/New_York',
      semesters: 'spring=02-20..07-10',
      volumes: { alarm: 90, drill: 40, fault: 30, link: 70 },
    });
    const c = load(dir);
    expect(c).toMatchObject({ port: 8800, host: '0.0.0.0', timeZone: 'America/New_York', volumes: { alarm: 90, drill: 40, fault: 30, link: 70 } });
    expect(c.semesters).toEqual([{ name: 'spring', from: { month: 2, day: 20 }, to: { month: 7, day: 10 } }]);
    expect(c.sources).toMatchObject({ port: 'file', host: 'file', timeZone: 'file', semesters: 'file', volumes: 'file' });
    const env = load(dir, [], { STATION_PORT: '8801', STATION_TIME_ZONE: 'Asia/Shanghai' });
    expect(env).toMatchObject({ port: 8801, timeZone: 'Asia/Shanghai' });
    expect(env.sources).toMatchObject({ port: 'env', timeZone: 'env' });
    const flag = load(dir, ['--port', '8802'], { STATION_PORT: '8801' });
    expect(flag.port).toBe(8802);
    expect(flag.sources?.port).toBe('flag');
  });

  it('a map source in the file is the tiles unless a flag or the environment names one', () => {
    const tiles = dataDir();
    fs.mkdirSync(path.join(tiles, '10'));
    const dir = dataDir({ mapSource: { kind: 'url', url: 'http://gis.lan/{z}/{x}/{y}.png', maxZoom: 15 } });
    expect(load(dir).tiles).toMatchObject({ kind: 'xyz', origins: ['http://gis.lan'], maxZoom: 15 });
    expect(load(dir, [], { STATION_TILES: tiles }).tiles).toMatchObject({ kind: 'local', path: tiles });
    expect(load(dir, ['--tile-url', 'http://other.lan/{z}/{x}/{y}']).tiles).toMatchObject({ kind: 'xyz', origins: ['http://other.lan'] });
    // A source that cannot be used (edited by hand) does not stop the station: the outline, and the reason kept.
    const bad = load(dataDir({ mapSource: { kind: 'url', url: 'ftp://x/{z}/{x}/{y}' } }));
    expect(bad.tiles).toBeUndefined();
    expect(bad.mapSourceProblem).toMatch(/mapSource.*http/);
  });

  it('--settings FILE / STATION_SETTINGS name a file outside the data folder, which may name the data folder', () => {
    const other = dataDir();
    const file = path.join(dataDir(), 'mine.json');
    fs.writeFileSync(file, JSON.stringify({ dataDir: other, port: 9001 }));
    expect(loadConfig(['--settings', file], {}, '/dist')).toMatchObject({ dataDir: other, port: 9001, settingsFile: file, settingsFileNamed: true });
    expect(loadConfig([], { STATION_SETTINGS: file }, '/dist')).toMatchObject({ dataDir: other, port: 9001 });
    // Inside the data folder it cannot move the folder it is in.
    expect(refused(dataDir({ dataDir: other }))).toMatch(/field dataDir: .*cannot move the data folder/);
  });

  it.each([
    ['an unknown key', '{"prot": 8700}', /field prot: unknown setting/],
    ['a wrong type', '{"port": "8700"}', /field port: /],
    ['a __proto__ key', '{"__proto__": {"port": 1}}', /field __proto__: not a setting/],
    ['a nested __proto__ key', '{"volumes": {"__proto__": {"alarm": 1}}}', /field volumes.__proto__: not a setting/],
    ['a NUL byte', '{"stationName": "a\\u0000b"}', /field stationName: must not contain control characters/],
    ['a huge value', JSON.stringify({ stationName: 'x'.repeat(10_000) }), /field stationName: at most 100 characters/],
    ['a huge file', JSON.stringify({ stationName: 'x', pad: ' '.repeat(70_000) }), /larger than 65536 bytes/],
    ['an alarm volume below its floor', '{"volumes": {"alarm": 10, "drill": 50, "fault": 50, "link": 90}}', /field volumes.alarm: at least 50 %/],
    ['a bad time zone', '{"timeZone": "Mars/Olympus"}', /field timeZone: must be a time zone name/],
    ['bad semesters', '{"semesters": "spring=13-01..07-15"}', /field semesters: /],
    ['not JSON', '{port: 1}', /not JSON/],
    ['an array', '[]', /must be a JSON object/],
  ])('%s is refused at start, naming the field', (_what, text, message) => {
    expect(refused(dataDir(text))).toMatch(message);
  });
});

describe('writing', () => {
  it('is atomic: a temp file renamed over the old one, read back the same; nothing is left beside it', () => {
    const dir = dataDir({ port: 8800 });
    const file = path.join(dir, 'station-settings.json');
    writeSettingsFile(file, { stationName: '示例派出所', volumes: { alarm: 70, drill: 50, fault: 40, link: 80 } });
    expect(readSettingsFile(file)).toEqual({ stationName: '示例派出所', volumes: { alarm: 70, drill: 50, fault: 40, link: 80 } });
    expect(fs.readdirSync(dir)).toEqual(['station-settings.json']);
    expect((fs.statSync(file).mode & 0o777).toString(8)).toBe('600');
  });

  it('a crash before the rename leaves the old file whole (the temp file is never read)', () => {
    const dir = dataDir({ port: 8800 });
    const file = path.join(dir, 'station-settings.json');
    // The write dies between the temp file and the rename (a power cut): the old file is what a start reads.
    const rename = vi.spyOn(fs, 'renameSync').mockImplementation(() => {
      throw new Error('power cut');
    });
    try {
      expect(() => writeSettingsFile(file, { port: 9900, stationName: '新名' })).toThrow('power cut');
    } finally {
      rename.mockRestore();
    }
    expect(readSettingsFile(file)).toEqual({ port: 8800 });
    expect(load(dir).port).toBe(8800);
  });
});

describe('a save from the admin screen (settingsPatchSchema)', () => {
  const parse = (v: unknown) => settingsPatchSchema.safeParse(v);
  it('takes known fields, null to remove one', () => {
    expect(parse({ port: 8800, tls: null }).data).toEqual({ port: 8800, tls: null });
  });
  it.each([
    [{}, /nothing to save/],
    [{ prot: 1 }, /prot: not a setting/],
    [JSON.parse('{"__proto__": {"port": 1}}'), /__proto__: not a setting/],
    [{ volumes: { alarm: 49, drill: 50, fault: 50, link: 50 } }, /volumes.alarm: at least 50/],
    [{ stationName: 'a\u0000' }, /control characters/],
    [[1], /must be an object/],
  ])('refuses %j', (v, message) => {
    const r = parse(v);
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.message).toMatch(message);
  });
  it('the file schema is strict at every level', () => {
    expect(stationSettingsSchema.safeParse({ mapSource: { kind: 'none', url: 'x' } }).success).toBe(false);
    expect(stationSettingsSchema.safeParse({ tls: { cert: 'a', key: 'b', pass: 'c' } }).success).toBe(false);
  });
});

describe('a map source in the settings file that cannot be opened', () => {
  it('never stops the start: the outline is shown, and why is kept for the admin screen', () => {
    const gone = path.join(os.tmpdir(), 'no-such-usb-drive', 'tiles.pmtiles');
    const c = load(dataDir({ mapSource: { kind: 'local', path: gone } }));
    expect(c.tiles).toBeUndefined();
    expect(c.mapSourceProblem).toMatch(/mapSource/);
    expect(c.mapSourceProblem).toContain('no-such-usb-drive');
  });
  it('one given by a flag still stops the start (it was asked for just now)', () => {
    expect(() => load(dataDir(), ['--tiles', path.join(os.tmpdir(), 'no-such-usb-drive')])).toThrow(ConfigError);
  });
});

describe('fields for the next start are checked when saved (restartFieldProblem)', () => {
  it('refuses a port nobody could find, TLS files that are not there or not PEM, a data folder without a station', () => {
    expect(restartFieldProblem('port', 0)).toMatch(/1–65535/);
    expect(restartFieldProblem('port', 8701)).toBeUndefined();
    const dir = dataDir();
    const pem = path.join(dir, 'cert.pem');
    fs.writeFileSync(pem, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
    const junk = path.join(dir, 'junk.txt');
    fs.writeFileSync(junk, 'not a certificate');
    expect(restartFieldProblem('tls', { cert: pem, key: pem })).toBeUndefined();
    expect(restartFieldProblem('tls', { cert: pem, key: path.join(dir, 'missing.pem') })).toMatch(/^tls.key: .*cannot be read.*ENOENT/);
    expect(restartFieldProblem('tls', { cert: junk, key: pem })).toMatch(/^tls.cert: .*not a PEM file/);
    expect(restartFieldProblem('dataDir', path.join(dir, 'typo'))).toMatch(/does not exist/);
    expect(restartFieldProblem('dataDir', dir)).toMatch(/holds no station/);
    fs.writeFileSync(path.join(dir, 'registry.json'), '{}');
    expect(restartFieldProblem('dataDir', dir)).toBeUndefined();
    expect(restartFieldProblem('timeZone', 'Asia/Shanghai')).toBeUndefined();
  });
});

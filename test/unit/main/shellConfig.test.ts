// test/unit/main — the Electron shell's decisions (main/shell/shellConfig.ts), read back without Electron: the
// window's security options, the user's arguments in packaged and unpackaged runs, the data folder, navigation,
// permissions and IPC senders; and that the shell's IPC names come from the shared contract only.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../main/config';
import {
  APP_ID,
  debugSwitch,
  ipcSenderAllowed,
  navigationAllowed,
  permissionAllowed,
  USER_DATA_FOLDER,
  userArgs,
  userDataDir,
  windowOptions,
  WINDOW_OPEN,
  withDataDir,
  type ShellRun,
} from '../../../main/shell/shellConfig';
import { SHELL_CHANNELS } from '../../../shared/shellBridge';

const root = path.resolve(__dirname, '..', '..', '..');
const packaged: ShellRun = { packaged: true, defaultApp: false };
const unpackaged: ShellRun = { packaged: false, defaultApp: true };
const origin = 'http://127.0.0.1:8700';

describe('the window', () => {
  const appRoot = path.join('/opt', '校园报警接处警台', 'resources', 'app.asar');
  it.each([
    ['packaged', packaged],
    ['unpackaged', unpackaged],
  ])('is locked down (%s)', (_name, run) => {
    const w = windowOptions(appRoot, run).webPreferences;
    expect(w.contextIsolation).toBe(true);
    expect(w.sandbox).toBe(true);
    expect(w.nodeIntegration).toBe(false);
    expect(w.nodeIntegrationInWorker).toBe(false);
    expect(w.nodeIntegrationInSubFrames).toBe(false);
    expect(w.webviewTag).toBe(false);
    expect(w.webSecurity).toBe(true);
    expect(w.allowRunningInsecureContent).toBe(false);
    expect(w.experimentalFeatures).toBe(false);
    expect(w.navigateOnDragDrop).toBe(false);
    expect(w.autoplayPolicy).toBe('no-user-gesture-required');
    // No other webPreferences than these (a new one must be added here, deliberately).
    expect(Object.keys(w).sort()).toEqual(
      [
        'preload',
        'contextIsolation',
        'sandbox',
        'nodeIntegration',
        'nodeIntegrationInWorker',
        'nodeIntegrationInSubFrames',
        'webviewTag',
        'webSecurity',
        'allowRunningInsecureContent',
        'experimentalFeatures',
        'navigateOnDragDrop',
        'safeDialogs',
        'spellcheck',
        'devTools',
        'autoplayPolicy',
      ].sort(),
    );
  });
  it('has DevTools only when not installed', () => {
    expect(windowOptions(appRoot, packaged).webPreferences.devTools).toBe(false);
    expect(windowOptions(appRoot, unpackaged).webPreferences.devTools).toBe(true);
  });
  it('loads the built preload and icon from the app root (the files electron-builder packs)', () => {
    const o = windowOptions(appRoot, packaged);
    expect(o.webPreferences.preload).toBe(path.join(appRoot, 'dist', 'main', 'preload.cjs'));
    expect(o.icon).toBe(path.join(appRoot, 'assets', 'icons', '512x512.png'));
    expect(o.title).toBe('校园报警接处警台');
    expect(fs.existsSync(path.join(root, 'assets', 'icons', '512x512.png'))).toBe(true);
  });
  it('opens no window and hands nothing to the OS', () => {
    expect(WINDOW_OPEN).toEqual({ action: 'deny' });
  });
});

describe("the user's arguments", () => {
  it('packaged: argv is [exe, ...args], the first flag is kept', () => {
    expect(userArgs(['C:\\Program Files\\校园报警接处警台\\校园报警接处警台.exe', '--demo', '--port', '8800'], packaged)).toEqual(['--demo', '--port', '8800']);
    expect(userArgs(['/opt/校园报警接处警台/school-alarm-console', '--web'], packaged)).toEqual(['--web']);
    expect(userArgs(['/opt/校园报警接处警台/school-alarm-console'], packaged)).toEqual([]);
  });
  it('unpackaged: the app path (and Electron switches before it) are skipped', () => {
    expect(userArgs(['/x/electron', '/repo/dist/main/electron.cjs', '--demo'], unpackaged)).toEqual(['--demo']);
    expect(userArgs(['/x/electron', '.', '--data-dir', 'd'], unpackaged)).toEqual(['--data-dir', 'd']);
    expect(userArgs(['/x/electron', '--no-sandbox', 'dist/main/electron.cjs', '--port', '0'], unpackaged)).toEqual(['--port', '0']);
    expect(userArgs(['/x/electron', 'dist/main/electron.cjs'], unpackaged)).toEqual([]);
  });
  it('leaves out Chromium switches (a Kylin desktop file with --no-sandbox) and debugger switches', () => {
    expect(userArgs(['/opt/app/exe', '--no-sandbox', '--demo', '--ozone-platform=wayland', '--disable-gpu'], packaged)).toEqual(['--demo']);
    expect(userArgs(['/opt/app/exe', '--inspect=9229', '--demo'], packaged)).toEqual(['--demo']);
  });
  it('what remains is what loadConfig reads (the first flag is not lost)', () => {
    const config = loadConfig(userArgs(['/opt/app/exe', '--demo', '--port', '0', '--no-sandbox'], packaged), {}, '/opt/app/dist');
    expect(config.demo).toBe(true);
    expect(config.port).toBe(0);
  });
  it('an installed app refuses debugger switches, wherever they are', () => {
    expect(debugSwitch(['/opt/app/exe', '--demo', '--remote-debugging-port=9222'])).toBe('--remote-debugging-port=9222');
    expect(debugSwitch(['/opt/app/exe', '--inspect-brk'])).toBe('--inspect-brk');
    expect(debugSwitch(['/opt/app/exe', '--demo', '--port', '8700'])).toBeUndefined();
  });
});

describe('the data folder', () => {
  const appData = path.join('/home', 'officer', '.config');
  const userData = userDataDir(appData, packaged);
  it("is a fixed ASCII folder under the OS's application data (unpackaged runs apart)", () => {
    expect(userData).toBe(path.join(appData, 'school-alarm-console'));
    expect(USER_DATA_FOLDER).toMatch(/^[a-z-]+$/);
    expect(userDataDir(appData, unpackaged)).toBe(path.join(appData, 'school-alarm-console-dev'));
  });
  it('packaged: under userData (demo apart), never the working directory', () => {
    expect(loadConfig(withDataDir([], {}, packaged, userData), {}, '/d').dataDir).toBe(path.join(userData, 'station-data'));
    expect(loadConfig(withDataDir(['--demo'], {}, packaged, userData), {}, '/d').dataDir).toBe(path.join(userData, 'station-data-demo'));
  });
  it('an explicit --data-dir or STATION_DATA_DIR wins, packaged or not', () => {
    const dir = path.resolve('/srv/station');
    expect(loadConfig(withDataDir(['--data-dir', dir], {}, packaged, userData), {}, '/d').dataDir).toBe(dir);
    const env = { STATION_DATA_DIR: dir };
    expect(loadConfig(withDataDir([], env, packaged, userData), env, '/d').dataDir).toBe(dir);
  });
  it('an empty STATION_DATA_DIR does not send an installed app to its working directory', () => {
    const env = { STATION_DATA_DIR: '' };
    expect(loadConfig(withDataDir([], env, packaged, userData), env, '/d').dataDir).toBe(path.join(userData, 'station-data'));
  });
  it("unpackaged: today's default (station-data in the working directory)", () => {
    expect(withDataDir(['--demo'], {}, unpackaged, userData)).toEqual(['--demo']);
    expect(loadConfig(withDataDir([], {}, unpackaged, userData), {}, '/d').dataDir).toBe(path.resolve('station-data'));
  });
});

describe('navigation, permissions and IPC compare parsed origins', () => {
  it.each([
    'http://127.0.0.1:8700@evil/',
    'http://127.0.0.1:8700@evil.example/',
    'http://127.0.0.1:87001/',
    'http://127.0.0.1:8700.evil/',
    'file:///etc/passwd',
  ])('refuses %s', (url) => {
    expect(navigationAllowed(url, origin)).toBe(false);
    expect(permissionAllowed('notifications', url, origin)).toBe(false);
    expect(ipcSenderAllowed({ ourWindow: true, frameUrl: url }, origin)).toBe(false);
  });
  it('allows the station itself', () => {
    expect(navigationAllowed('http://127.0.0.1:8700/index.html#x', origin)).toBe(true);
    expect(permissionAllowed('notifications', 'http://127.0.0.1:8700/', origin)).toBe(true);
    expect(ipcSenderAllowed({ ourWindow: true, frameUrl: 'http://127.0.0.1:8700/' }, origin)).toBe(true);
  });
  it('grants no permission but notifications', () => {
    for (const p of ['media', 'geolocation', 'openExternal', 'clipboard-read', 'fullscreen', 'unknown'])
      expect(permissionAllowed(p, `${origin}/`, origin)).toBe(false);
    expect(permissionAllowed('notifications', undefined, origin)).toBe(false);
  });
  it('answers IPC only from our own window', () => {
    expect(ipcSenderAllowed({ ourWindow: false, frameUrl: `${origin}/` }, origin)).toBe(false);
    expect(ipcSenderAllowed({ ourWindow: true, frameUrl: undefined }, origin)).toBe(false);
  });
});

describe('the IPC contract', () => {
  const read = (p: string): string => fs.readFileSync(path.join(root, p), 'utf8');
  it('preload and main use the shared channel names, and no other', () => {
    for (const file of ['main/shell/electron.ts', 'main/shell/preload.cts']) {
      const src = read(file);
      expect(src, file).not.toMatch(/['"`]shell:/);
      for (const name of Object.keys(SHELL_CHANNELS)) expect(src, `${file} uses SHELL_CHANNELS.${name}`).toContain(`SHELL_CHANNELS.${name}`);
    }
    expect(new Set(Object.values(SHELL_CHANNELS)).size).toBe(Object.keys(SHELL_CHANNELS).length);
  });
  it('no openExternal handler or call remains in the app', () => {
    const files = (dir: string): string[] =>
      fs
        .readdirSync(path.join(root, dir), { withFileTypes: true })
        .flatMap((e) => (e.isDirectory() ? files(path.join(dir, e.name)) : [path.join(dir, e.name)]));
    const sources = ['main', 'shared', 'renderer'].flatMap(files).filter((f) => /\.(ts|tsx|cts|mts|js|cjs)$/.test(f));
    expect(sources.length).toBeGreaterThan(20);
    for (const f of sources) expect(read(f), f).not.toMatch(/openExternal/);
  });
  it("the app id is electron-builder.yml's (Windows notifications are attributed by it)", () => {
    expect(read('electron-builder.yml')).toMatch(new RegExp(`^appId: ${APP_ID.replace(/\./g, '\\.')}$`, 'm'));
  });
});

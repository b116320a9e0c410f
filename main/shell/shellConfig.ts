// main/ (Electron shell, pure) — every decision the desktop shell makes, with no 'electron' import, so unit tests can
// read them back (test/unit/main/shellConfig.test.ts): the window's options and its security settings, which of the
// process's arguments are the user's (packaged or not), where the data lives, and what the window may navigate to,
// be granted and be asked over IPC. main/shell/electron.ts only hands these to Electron.
import path from 'node:path';
import { isSameOrigin } from '../gateway/http';

/** electron-builder.yml's appId (a test holds them equal): Windows' AppUserModelID, so notifications carry the app's name. */
export const APP_ID = 'cn.police.school-alarm-console';
export const PRODUCT_NAME = '校园报警接处警台';
/**
 * The folder under the OS's per-user application data (Windows %APPDATA%, Linux ~/.config) that the packaged app
 * uses as Electron's userData: ASCII, fixed, whatever the product's display name.
 */
export const USER_DATA_FOLDER = 'school-alarm-console';

/** The subset of Electron's BrowserWindowConstructorOptions the shell sets (structurally compatible with it). */
export interface ShellWindowOptions {
  width: number;
  height: number;
  minWidth: number;
  minHeight: number;
  title: string;
  backgroundColor: string;
  icon?: string;
  show: boolean;
  webPreferences: {
    preload: string;
    contextIsolation: true;
    sandbox: true;
    nodeIntegration: false;
    nodeIntegrationInWorker: false;
    nodeIntegrationInSubFrames: false;
    webviewTag: false;
    webSecurity: true;
    allowRunningInsecureContent: false;
    experimentalFeatures: false;
    navigateOnDragDrop: false;
    safeDialogs: true;
    spellcheck: false;
    devTools: boolean;
    autoplayPolicy: 'no-user-gesture-required';
  };
}

export interface ShellRun {
  /** app.isPackaged: running from an installed app (resources/app.asar), not `electron dist/main/electron.cjs`. */
  packaged: boolean;
  /** process.defaultApp: Electron's default app was given the script on the command line (argv[1] is the app). */
  defaultApp: boolean;
}

/**
 * VS Code's defaultBrowserWindowOptions, tightened: the one place window security is decided. `appRoot` is the folder
 * holding dist/ and assets/ (resources/app.asar when packaged). DevTools are off in an installed app.
 */
export function windowOptions(appRoot: string, run: ShellRun): ShellWindowOptions {
  return {
    width: 1600,
    height: 1000,
    minWidth: 1024,
    minHeight: 640,
    title: PRODUCT_NAME,
    backgroundColor: '#0f172a',
    // Windows and Linux desktops take the taskbar icon from the executable / .desktop file; the window's own icon
    // matters where they do not (an unpackaged run, some Linux window managers).
    icon: path.join(appRoot, 'assets', 'icons', '512x512.png'),
    show: true,
    webPreferences: {
      preload: path.join(appRoot, 'dist', 'main', 'preload.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webviewTag: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      navigateOnDragDrop: false,
      safeDialogs: true,
      spellcheck: false,
      devTools: !run.packaged,
      // An alarm must sound without anyone having clicked first.
      autoplayPolicy: 'no-user-gesture-required',
    },
  };
}

/**
 * Chromium / Electron switches that may reach process.argv (a desktop file's `--no-sandbox` on some Kylin/UOS
 * kernels, logging, GPU work-arounds): they are Chromium's, not the station's, and are left out of the station's
 * arguments instead of stopping the start as an unknown option.
 */
const CHROMIUM_SWITCH =
  /^--(no-sandbox|disable-gpu|disable-gpu-sandbox|disable-gpu-compositing|disable-software-rasterizer|disable-dev-shm-usage|in-process-gpu|ignore-gpu-blocklist|no-zygote|enable-logging|enable-logging=.*|log-file=.*|log-level=.*|v=.*|vmodule=.*|ozone-platform=.*|ozone-platform-hint=.*|enable-features=.*|disable-features=.*|enable-wayland-ime|use-gl=.*|use-angle=.*|force-device-scale-factor=.*|high-dpi-support=.*|lang=.*|force-renderer-accessibility)$/;
/** macOS Finder's process serial number. */
const FINDER_ARG = /^-psn_/;

/**
 * Switches that open the app to a debugger. The fuses turn `--inspect*` off in an installed app; Chromium's remote
 * debugging is no fuse, so an installed app refuses to run with any of these (electron.ts exits).
 */
const DEBUG_SWITCH =
  /^--(inspect|inspect-brk|inspect-port|inspect-publish-uid|debug|remote-debugging-port|remote-debugging-pipe|remote-debugging-address)(=.*)?$/;

/** The first debugging switch among the arguments, if any (an installed app refuses to start with one). */
export function debugSwitch(argv: readonly string[]): string | undefined {
  return argv.slice(1).find((a) => DEBUG_SWITCH.test(a));
}

/**
 * The station's own arguments from process.argv. Packaged, argv is [exe, ...args]: the first argument is the user's
 * (slicing 2 dropped it). Unpackaged (`electron [switches] dist/main/electron.cjs ...args`, `electron . ...args`), the
 * app path comes first and is skipped with any Electron switch before it. Chromium switches anywhere are left out.
 */
export function userArgs(argv: readonly string[], run: ShellRun): string[] {
  let rest = argv.slice(1);
  if (run.defaultApp || !run.packaged) {
    const app = rest.findIndex((a) => !a.startsWith('-'));
    rest = app === -1 ? [] : rest.slice(app + 1);
  }
  return rest.filter((a) => !CHROMIUM_SWITCH.test(a) && !FINDER_ARG.test(a) && !DEBUG_SWITCH.test(a));
}

/**
 * Electron's userData folder (Chromium's profile, the single-instance lock; the installed app's data folder below
 * it): a fixed ASCII folder under the OS's application data, whatever the product's display name. Unpackaged runs
 * use a folder of their own, so a developer's `npm start` never meets the installed app's lock or profile.
 */
export function userDataDir(appData: string, run: ShellRun): string {
  return path.join(appData, run.packaged ? USER_DATA_FOLDER : `${USER_DATA_FOLDER}-dev`);
}

/**
 * The data folder, as arguments for loadConfig. An explicit `--data-dir DIR` or STATION_DATA_DIR always wins. An
 * installed app (whose working directory is its install folder or /, read-only or shared) keeps its data in the OS's
 * per-user data: `<userData>/station-data` (`station-data-demo` with --demo). Unpackaged, today's default stays
 * (`station-data` in the working directory).
 */
export function withDataDir(args: readonly string[], env: NodeJS.ProcessEnv, run: ShellRun, userData: string): string[] {
  const explicit = args.includes('--data-dir') || (env.STATION_DATA_DIR !== undefined && env.STATION_DATA_DIR !== '');
  if (explicit || !run.packaged) return [...args];
  return [...args, '--data-dir', path.join(userData, args.includes('--demo') ? 'station-data-demo' : 'station-data')];
}

/** The window may load and be redirected to its station's origin only (compared parsed: scheme, host and port). */
export function navigationAllowed(url: string, origin: string): boolean {
  return isSameOrigin(url, origin);
}

/** The only permission granted: notifications, to the station's own pages. */
export function permissionAllowed(permission: string, requestingUrl: string | undefined, origin: string): boolean {
  return permission === 'notifications' && requestingUrl !== undefined && isSameOrigin(requestingUrl, origin);
}

/** An IPC message is answered only when it comes from our window's top frame on the station's origin. */
export function ipcSenderAllowed(sender: { ourWindow: boolean; frameUrl: string | undefined }, origin: string): boolean {
  return sender.ourWindow && sender.frameUrl !== undefined && isSameOrigin(sender.frameUrl, origin);
}

/** No window ever opens, and nothing is handed to the OS's browser (the shell has no handler that would). */
export const WINDOW_OPEN = { action: 'deny' } as const;

// main/ (Electron shell) — the only file besides preload that imports 'electron'. Starts the core in-process
// and opens the console in one locked-down window. Everything else runs in plain Node; every decision made here
// (window options, arguments, data folder, navigation, permissions, IPC senders) is in shellConfig.ts, tested.
import { app, BrowserWindow, dialog, ipcMain, Menu, Notification, session } from 'electron';
import fs from 'node:fs/promises';
import path from 'node:path';
import { pdfFileName, SHELL_CHANNELS, type SavePdfResult } from '../../shared/shellBridge';
import { ConfigError, loadConfig } from '../config';
import { startCore } from '../server';
import {
  APP_ID,
  debugSwitch,
  ipcSenderAllowed,
  navigationAllowed,
  permissionAllowed,
  userArgs,
  userDataDir,
  windowOptions,
  WINDOW_OPEN,
  withDataDir,
  type ShellRun,
} from './shellConfig';

// dist/main/electron.cjs → dist/ → the app's root (the repository, or resources/app.asar when installed).
const distDir = path.resolve(__dirname, '..');
const appRoot = path.resolve(distDir, '..');
const run: ShellRun = { packaged: app.isPackaged, defaultApp: process.defaultApp === true };

function lockedDownWindow(origin: string): BrowserWindow {
  const win = new BrowserWindow(windowOptions(appRoot, run));
  win.webContents.setWindowOpenHandler(() => WINDOW_OPEN);
  win.webContents.on('will-navigate', (e, url) => {
    if (!navigationAllowed(url, origin)) e.preventDefault();
  });
  win.webContents.on('will-redirect', (e, url) => {
    if (!navigationAllowed(url, origin)) e.preventDefault();
  });
  return win;
}

async function main(): Promise<void> {
  if (run.packaged) {
    const refused = debugSwitch(process.argv);
    if (refused) throw new ConfigError(`${refused}: the installed app does not run with a debugger attached`);
  }
  // One fixed per-user folder, before anything reads it (the single-instance lock lives there too).
  app.setPath('userData', userDataDir(app.getPath('appData'), run));
  if (process.platform === 'win32') app.setAppUserModelId(APP_ID);
  // A second start (a double click on the shortcut) brings the running console forward instead of a second station
  // on the same data folder and port.
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return;
  }
  const config = loadConfig(withDataDir(userArgs(process.argv, run), process.env, run, app.getPath('userData')), process.env, distDir);
  app.enableSandbox();
  await app.whenReady();
  if (run.packaged) Menu.setApplicationMenu(null);
  const core = await startCore(config);
  const origin = core.url.replace(/\/$/, '');

  session.defaultSession.setPermissionRequestHandler((_wc, permission, cb, details) => cb(permissionAllowed(permission, details.requestingUrl, origin)));
  session.defaultSession.setPermissionCheckHandler((_wc, permission, requestingOrigin) => permissionAllowed(permission, requestingOrigin, origin));
  // Asked on every response: the policy follows the map source, which an admin may change while the station runs.
  session.defaultSession.webRequest.onHeadersReceived((details, cb) => {
    cb({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [core.contentSecurityPolicy()] } });
  });
  app.on('web-contents-created', (_e, wc) => {
    wc.on('will-attach-webview', (ev) => ev.preventDefault());
    wc.on('will-navigate', (ev, url) => {
      if (!navigationAllowed(url, origin)) ev.preventDefault();
    });
    wc.setWindowOpenHandler(() => WINDOW_OPEN);
  });

  const win = lockedDownWindow(origin);
  app.on('second-instance', () => {
    if (win.isMinimized()) win.restore();
    win.show();
    win.focus();
  });
  // Only our own window's top frame, on the station's origin, may talk to the shell.
  const fromOurWindow = (e: Electron.IpcMainEvent | Electron.IpcMainInvokeEvent): boolean =>
    ipcSenderAllowed({ ourWindow: e.sender === win.webContents && e.senderFrame?.parent === null, frameUrl: e.senderFrame?.url }, origin);
  ipcMain.on(SHELL_CHANNELS.notify, (e, title: unknown, body: unknown) => {
    if (!fromOurWindow(e) || typeof title !== 'string' || typeof body !== 'string') return;
    new Notification({ title: title.slice(0, 200), body: body.slice(0, 500), urgency: 'critical' }).show();
  });
  ipcMain.on(SHELL_CHANNELS.attention, (e) => {
    if (!fromOurWindow(e)) return;
    win.flashFrame(true);
    if (win.isMinimized()) win.restore();
  });
  // The chief's monthly report as a PDF: the page as printed (its print CSS: A4, the report alone), saved where the
  // user says. Only our window may ask; the name is only a suggestion in the dialog.
  ipcMain.handle(SHELL_CHANNELS.savePdf, async (e, suggested: unknown): Promise<SavePdfResult> => {
    if (!fromOurWindow(e)) return { ok: false, message: 'not from the console window' };
    try {
      const pdf = await win.webContents.printToPDF({ pageSize: 'A4', printBackground: true, preferCSSPageSize: true });
      const choice = await dialog.showSaveDialog(win, {
        defaultPath: path.join(app.getPath('documents'), pdfFileName(typeof suggested === 'string' ? suggested : 'report')),
        filters: [{ name: 'PDF', extensions: ['pdf'] }],
      });
      if (choice.canceled || !choice.filePath) return { ok: false, canceled: true };
      await fs.writeFile(choice.filePath, pdf);
      return { ok: true, path: choice.filePath };
    } catch (err) {
      return { ok: false, message: (err as Error).message };
    }
  });
  await win.loadURL(core.url);
  app.on('window-all-closed', () => {
    core.close().finally(() => app.quit());
  });
}

main().catch((e: unknown) => {
  const message = e instanceof ConfigError ? `configuration error: ${e.message}` : String((e as Error)?.stack ?? e);
  console.error(message);
  // An installed app has no terminal: say why it did not start.
  if (app.isPackaged) dialog.showErrorBox('校园报警接处警台', message);
  app.exit(1);
});

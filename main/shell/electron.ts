// main/ (Electron shell) — the only file besides preload that imports 'electron'. Starts the core in-process
// and opens the console in one locked-down window. Everything else runs in plain Node.
import { app, BrowserWindow, dialog, ipcMain, Notification, session } from 'electron';
import fs from 'node:fs/promises';
import path from 'node:path';
import { pdfFileName, type SavePdfResult } from '../../shared/shellBridge';
import { loadConfig } from '../config';
import { startCore } from '../server';
import { contentSecurityPolicy, isSameOrigin } from '../gateway/http';

const distDir = path.resolve(__dirname, '..');

/** VS Code's defaultBrowserWindowOptions, tightened: the one place window security is decided. */
function lockedDownWindow(origin: string): BrowserWindow {
  const win = new BrowserWindow({
    width: 1600,
    height: 1000,
    title: '校园报警接处警台',
    backgroundColor: '#0f172a',
    webPreferences: {
      preload: path.join(__dirname, 'preload.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webviewTag: false,
      spellcheck: false,
      // An alarm must sound without anyone having clicked first.
      autoplayPolicy: 'no-user-gesture-required',
    },
  });
  win.webContents.setWindowOpenHandler(() => ({ action: 'deny' }));
  win.webContents.on('will-navigate', (e, url) => {
    if (!isSameOrigin(url, origin)) e.preventDefault();
  });
  win.webContents.on('will-redirect', (e, url) => {
    if (!isSameOrigin(url, origin)) e.preventDefault();
  });
  return win;
}

async function main(): Promise<void> {
  const config = loadConfig(
    process.argv.slice(2).filter((a) => a !== '.' && !a.endsWith('electron.cjs')),
    process.env,
    distDir,
  );
  await app.whenReady();
  const core = await startCore(config);
  const origin = core.url.replace(/\/$/, '');

  session.defaultSession.setPermissionRequestHandler((_wc, permission, cb) => cb(permission === 'notifications'));
  const csp = contentSecurityPolicy(config.tiles);
  session.defaultSession.webRequest.onHeadersReceived((details, cb) => {
    cb({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [csp] } });
  });
  app.on('web-contents-created', (_e, wc) => {
    wc.on('will-attach-webview', (ev) => ev.preventDefault());
    // No window opens, and nothing is handed to the OS's browser: the console has no outside links.
    wc.setWindowOpenHandler(() => ({ action: 'deny' }));
  });

  const win = lockedDownWindow(origin);
  // Only our own window may talk to the shell.
  const fromOurWindow = (e: Electron.IpcMainEvent | Electron.IpcMainInvokeEvent): boolean =>
    e.sender === win.webContents && e.senderFrame !== null && e.senderFrame !== undefined && isSameOrigin(e.senderFrame.url, origin);
  ipcMain.on('shell:notify', (e, title: unknown, body: unknown) => {
    if (!fromOurWindow(e) || typeof title !== 'string' || typeof body !== 'string') return;
    new Notification({ title: title.slice(0, 200), body: body.slice(0, 500), urgency: 'critical' }).show();
  });
  ipcMain.on('shell:attention', (e) => {
    if (!fromOurWindow(e)) return;
    win.flashFrame(true);
    if (win.isMinimized()) win.restore();
  });
  // The chief's monthly report as a PDF: the page as printed (its print CSS: A4, the report alone), saved where the
  // user says. Only our window may ask; the name is only a suggestion in the dialog.
  ipcMain.handle('shell:savePdf', async (e, suggested: unknown): Promise<SavePdfResult> => {
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
  console.error(e);
  app.exit(1);
});

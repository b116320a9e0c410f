// shared/ — the IPC surface the Electron preload exposes as window.stationShell (absent in a plain browser), and the
// names of its IPC channels: the preload sends on them and the shell's main process listens on them, both from here.

/** The shell's IPC channels, one per bridge call. Nothing else is listened to. */
export const SHELL_CHANNELS = {
  /** notify(title, body): fire and forget (ipcRenderer.send / ipcMain.on). */
  notify: 'shell:notify',
  /** requestAttention(): fire and forget. */
  attention: 'shell:attention',
  /** savePdf(suggestedName): a request (ipcRenderer.invoke / ipcMain.handle) answered with a SavePdfResult. */
  savePdf: 'shell:savePdf',
} as const;

export type ShellChannel = (typeof SHELL_CHANNELS)[keyof typeof SHELL_CHANNELS];

export interface ShellBridge {
  /** An OS notification (an alarm while the window is in the background). */
  notify(title: string, body: string): void;
  /** Flash the taskbar entry and restore the window. */
  requestAttention(): void;
  /**
   * The page as printed (print CSS, A4) to a PDF file the user picks in a save dialog (Electron's printToPDF):
   * where it was saved, `canceled`, or why it failed.
   */
  savePdf(suggestedName: string): Promise<SavePdfResult>;
}

export type SavePdfResult = { ok: true; path: string } | { ok: false; canceled: true } | { ok: false; canceled?: false; message: string };

/** A file name from the page: no path, no characters Windows refuses, `.pdf` at the end, at most 120 characters. */
export function pdfFileName(name: string): string {
  const base = name
    .replace(/[\\/:*?"<>|\u0000-\u001f]/g, '_')
    .replace(/^\.+/, '')
    .trim()
    .slice(0, 116);
  return `${base || 'report'}.pdf`;
}

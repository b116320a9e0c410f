// renderer/ (adapter) — the Electron shell bridge when present (window.stationShell), a no-op in a browser.
import type { SavePdfResult, ShellBridge } from '../../shared/shellBridge';

const bridge = (window as unknown as { stationShell?: ShellBridge }).stationShell;

export const shell: ShellBridge = {
  notify: (title, body) => bridge?.notify(title, body),
  requestAttention: () => bridge?.requestAttention(),
  savePdf: (name): Promise<SavePdfResult> => (bridge ? bridge.savePdf(name) : Promise.resolve({ ok: false, message: 'not in the desktop app' })),
};

/** Whether the page runs in the desktop app (a PDF can be saved directly, not only through the print dialog). */
export const inDesktopApp = (): boolean => bridge !== undefined;

// main/ (Electron preload, sandboxed, CommonJS) — the whole bridge: two fire-and-forget calls and one request (a PDF
// of the page), no Node.
import { contextBridge, ipcRenderer } from 'electron';
import type { ShellBridge } from '../../shared/shellBridge';

const bridge: ShellBridge = {
  notify: (title, body) => ipcRenderer.send('shell:notify', String(title), String(body)),
  requestAttention: () => ipcRenderer.send('shell:attention'),
  savePdf: (suggestedName) => ipcRenderer.invoke('shell:savePdf', String(suggestedName)) as ReturnType<ShellBridge['savePdf']>,
};
contextBridge.exposeInMainWorld('stationShell', bridge);

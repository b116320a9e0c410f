// main/ (Electron preload, sandboxed, CommonJS) — the whole bridge: two fire-and-forget calls, no Node.
import { contextBridge, ipcRenderer } from 'electron';
import type { ShellBridge } from '../../shared/shellBridge';

const bridge: ShellBridge = {
  notify: (title, body) => ipcRenderer.send('shell:notify', String(title), String(body)),
  requestAttention: () => ipcRenderer.send('shell:attention'),
};
contextBridge.exposeInMainWorld('stationShell', bridge);

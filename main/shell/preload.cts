// main/ (Electron preload, sandboxed, CommonJS) — the whole bridge: two fire-and-forget calls and one request (a PDF
// of the page), no Node. The channel names come from the shared contract (shared/shellBridge.ts), as in the main side.
import { contextBridge, ipcRenderer } from 'electron';
import { SHELL_CHANNELS, type ShellBridge } from '../../shared/shellBridge';

const bridge: ShellBridge = {
  notify: (title, body) => ipcRenderer.send(SHELL_CHANNELS.notify, String(title), String(body)),
  requestAttention: () => ipcRenderer.send(SHELL_CHANNELS.attention),
  savePdf: (suggestedName) => ipcRenderer.invoke(SHELL_CHANNELS.savePdf, String(suggestedName)) as ReturnType<ShellBridge['savePdf']>,
};
contextBridge.exposeInMainWorld('stationShell', bridge);

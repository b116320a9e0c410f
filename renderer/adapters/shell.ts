// renderer/ (adapter) — the Electron shell bridge when present (window.stationShell), a no-op in a browser.
import type { ShellBridge } from '../../shared/shellBridge';

const bridge = (window as unknown as { stationShell?: ShellBridge }).stationShell;

export const shell: ShellBridge = {
  notify: (title, body) => bridge?.notify(title, body),
  requestAttention: () => bridge?.requestAttention(),
};

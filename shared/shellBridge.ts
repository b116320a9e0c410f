// shared/ — the IPC surface the Electron preload exposes as window.stationShell (absent in a plain browser).
export interface ShellBridge {
  /** An OS notification (an alarm while the window is in the background). */
  notify(title: string, body: string): void;
  /** Flash the taskbar entry and restore the window. */
  requestAttention(): void;
}

// main/ (core, Node) — replacing a small file so that a crash or a power cut leaves the old file or the new one, never
// half of either: the registry, the settings, the sessions and their key, and the files a cluster's cores share.
import fs from 'node:fs';
import path from 'node:path';

/**
 * Writes `text` to a temporary file beside `file` (mode 600), fsyncs it, lets `check` read it (a throw leaves `file`
 * as it was and removes the temporary file), renames it over `file` and fsyncs the folder.
 */
export function replaceFile(file: string, text: string, opts: { tmp?: string; check?: (tmp: string) => void } = {}): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = opts.tmp ?? `${file}.tmp`;
  try {
    const fd = fs.openSync(tmp, 'w', 0o600);
    try {
      fs.writeSync(fd, text);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    opts.check?.(tmp);
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
  try {
    const dir = fs.openSync(path.dirname(file), 'r');
    try {
      fs.fsyncSync(dir);
    } finally {
      fs.closeSync(dir);
    }
  } catch {
    // Some file systems cannot fsync a folder; the rename itself is atomic.
  }
}

// tools/bench (tool, Node) — the core on a data folder the bench prepared, timed: spawned, watched for its console
// URL with any time-out, its memory read from /proc, and stopped.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT } from '../../test/support/core';
import { clock, within } from './common';

/** VmRSS (now) and VmHWM (peak) of a process in MiB, from /proc/<pid>/status (Linux); undefined when unavailable. */
export function procMemMiB(pid: number | undefined): { rss: number; hwm: number } | undefined {
  if (pid === undefined) return undefined;
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key: string): number => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
    const rss = kb('VmRSS');
    const hwm = kb('VmHWM');
    return Number.isFinite(rss) && Number.isFinite(hwm) ? { rss: rss / 1024, hwm: hwm / 1024 } : undefined;
  } catch {
    return undefined;
  }
}

export interface TimedCore {
  url: string;
  port: number;
  dataDir: string;
  child: ChildProcess;
  /** Spawn → the core printed its console URL (it listens), ms. */
  startMs: number;
  output(): string;
  /** SIGTERM, then SIGKILL after graceMs; resolves once the process is gone. */
  stop(graceMs?: number): Promise<void>;
}

/** Thrown by spawnCore when the core did not listen in time; it has been killed, and `output` holds its log. */
export class CoreStartTimeout extends Error {
  constructor(
    readonly elapsedMs: number,
    readonly peakMiB: number | undefined,
    readonly output: string,
  ) {
    super(`the core did not listen within ${(elapsedMs / 1000).toFixed(0)} s`);
  }
}

/**
 * Starts the real core (`node dist/main/start.js --web --demo --port 0 --data-dir DIR …`, loopback only) on a data
 * folder prepared by the bench, and resolves once it prints its console URL. Unlike test/support/core.ts it takes
 * any time-out (a core that folds a big journal may take minutes) and then kills the core and throws
 * CoreStartTimeout instead of hanging. `noFile` raises the core's open-file limit (ulimit -n, up to the hard limit)
 * for benches that hold many connections. onTick is called every second while waiting (progress, RSS).
 */
export async function spawnCore(opts: {
  dataDir: string;
  args?: string[];
  env?: Record<string, string>;
  timeoutMs: number;
  noFile?: number;
  onTick?: (elapsedMs: number, pid: number | undefined) => void;
}): Promise<TimedCore> {
  const entry = path.join(ROOT, 'dist', 'main', 'start.js');
  if (!fs.existsSync(entry)) throw new Error('dist/main/start.js is missing: run `npm run build` first');
  const args = [entry, '--web', '--demo', '--port', '0', '--data-dir', opts.dataDir, ...(opts.args ?? [])];
  const env = { ...process.env, STATION_HOST: '127.0.0.1', ...opts.env };
  const t0 = clock();
  // `exec` keeps the pid, so /proc/<pid> is the core itself, not the shell.
  const child =
    opts.noFile === undefined
      ? spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env })
      : spawn(
          '/bin/sh',
          // Only ever raised: to noFile, or as far as the hard limit allows.
          [
            '-c',
            `n=${Math.floor(opts.noFile)}; c=$(ulimit -n); if [ "$c" != unlimited ] && [ "$c" -lt "$n" ]; then ulimit -n "$n" 2>/dev/null || ulimit -n "$(ulimit -Hn)"; fi; exec "$@"`,
            'sh',
            process.execPath,
            ...args,
          ],
          {
            cwd: ROOT,
            stdio: ['ignore', 'pipe', 'pipe'],
            env,
          },
        );
  process.once('exit', () => child.exitCode === null && child.kill('SIGKILL'));
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const stop = async (graceMs = 10_000): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    await within(exited, graceMs, 'core did not stop').catch(async () => {
      child.kill('SIGKILL');
      await exited;
    });
  };
  let peak: number | undefined;
  const ticker = setInterval(() => {
    peak = procMemMiB(child.pid)?.hwm ?? peak;
    opts.onTick?.(clock() - t0, child.pid);
  }, 1000);
  try {
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new CoreStartTimeout(clock() - t0, procMemMiB(child.pid)?.hwm ?? peak, out)), opts.timeoutMs);
      timer.unref();
      child.stdout!.on('data', () => {
        const m = /console: (http:\/\/\S+)/.exec(out);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]!);
        }
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`core exited (${code ?? signal}) before it listened:\n${out.slice(-4000)}`));
      });
    });
    const startMs = clock() - t0;
    return { url, port: Number(new URL(url).port), dataDir: opts.dataDir, child, startMs, output: () => out, stop };
  } catch (e) {
    await stop(2000);
    throw e;
  } finally {
    clearInterval(ticker);
  }
}

// test/ — starts the real station core as a child process (`node dist/main/start.js --web --demo`) on a free
// port and a fresh data folder, and stops or kills it. Needs `npm run build` first.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DemoCredentials } from '../../main/demo';

export const ROOT = path.resolve(import.meta.dirname, '..', '..');

export interface CoreProcess {
  url: string;
  port: number;
  dataDir: string;
  credentials: DemoCredentials;
  output: () => string;
  child: ChildProcess;
  stop(): Promise<void>;
  kill(): Promise<void>;
}

export function freshDataDir(name = 'station'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `${name}-`));
}

export async function startCoreProcess(
  opts: { dataDir?: string; port?: number; extraArgs?: string[]; env?: Record<string, string>; startTimeoutMs?: number } = {},
): Promise<CoreProcess> {
  const dataDir = opts.dataDir ?? freshDataDir();
  const entry = path.join(ROOT, 'dist', 'main', 'start.js');
  if (!fs.existsSync(entry)) throw new Error('dist/main/start.js is missing: run `npm run build` first');
  // CORE_NODE_ARGS (diagnostics only, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof"): Node flags for the core alone.
  const nodeArgs = process.env.CORE_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
  const child = spawn(
    process.execPath,
    [...nodeArgs, entry, '--web', '--demo', '--port', String(opts.port ?? 0), '--data-dir', dataDir, ...(opts.extraArgs ?? [])],
    {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, STATION_HOST: '127.0.0.1', ...opts.env },
    },
  );
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const limit = opts.startTimeoutMs ?? 20_000;
    const timer = setTimeout(() => reject(new Error(`core did not start within ${limit / 1000} s:\n${out}`)), limit);
    const check = (): void => {
      const m = /console: (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    child.stdout!.on('data', check);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`core exited with ${code}:\n${out}`));
    });
  });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  return {
    url,
    port: Number(new URL(url).port),
    dataDir,
    credentials: JSON.parse(fs.readFileSync(path.join(dataDir, 'demo-credentials.json'), 'utf8')) as DemoCredentials,
    output: () => out,
    child,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
    async kill() {
      if (child.exitCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

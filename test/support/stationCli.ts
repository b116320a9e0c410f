// test/ — the registry admin CLI (the built `dist/tools/stationCli.js`) run as a child process on a data folder in a temp dir.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, vi } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const CLI = path.join(ROOT, 'dist', 'tools', 'stationCli.js');

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface StationCli {
  /** The test file's temp folder. */
  readonly tmpRoot: string;
  /** This test's data folder, new and empty for each test. */
  readonly dataDir: string;
  /** `registry.json` in `dataDir`. */
  readonly file: string;
  /** Runs the CLI on this test's data folder (from a neutral cwd, without $STATION_DATA_DIR). */
  cli(...args: string[]): CliRun;
  /** Runs a command that must succeed and returns what it printed. */
  ok(...args: string[]): string;
}

/** The CLI (built first if it is not), a temp folder for the file and a data folder per test. Call at the top level. */
export function useStationCli(prefix: string): StationCli {
  // Each test runs several child processes (node start-up + scrypt); slow under a loaded parallel run.
  vi.setConfig({ testTimeout: 90_000 });
  let tmpRoot = '';
  let dataDir = '';
  beforeAll(() => {
    if (!fs.existsSync(CLI)) execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'build.mjs')], { cwd: ROOT, stdio: 'ignore', timeout: 280_000 });
    tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  }, 300_000);
  afterAll(() => {
    fs.rmSync(tmpRoot, { recursive: true, force: true });
  });
  beforeEach(() => {
    dataDir = fs.mkdtempSync(path.join(tmpRoot, 'data-'));
  });
  const cli = (...args: string[]): CliRun => {
    const env = { ...process.env };
    delete env.STATION_DATA_DIR;
    const r = spawnSync(process.execPath, [CLI, '--data-dir', dataDir, ...args], { cwd: tmpRoot, env, encoding: 'utf8', timeout: 30_000 });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  return {
    get tmpRoot() {
      return tmpRoot;
    },
    get dataDir() {
      return dataDir;
    },
    get file() {
      return path.join(dataDir, 'registry.json');
    },
    cli,
    ok(...args) {
      const r = cli(...args);
      if (r.code !== 0) throw new Error(`station ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
      return r.stdout;
    },
  };
}

// main/ (core, Node) — `npm start`: opens the Electron shell where its binary is present; otherwise (or
// with --web) runs the core headless, serves the console and prints its URL.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError, loadConfig } from './config';
import { startCore } from './server';

const distDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/**
 * The path of the Electron binary, or undefined where it was not downloaded (as on CI here). Looks for the
 * file itself: require('electron') would try to download it, which a police network cannot do.
 */
function electronBinary(): string | undefined {
  try {
    const pkgDir = path.dirname(createRequire(import.meta.url).resolve('electron/package.json'));
    const pathFile = path.join(pkgDir, 'path.txt');
    const rel = fs.existsSync(pathFile) ? fs.readFileSync(pathFile, 'utf8').trim() : 'electron';
    const distDir = process.env.ELECTRON_OVERRIDE_DIST_PATH ?? path.join(pkgDir, 'dist');
    const bin = path.join(distDir, rel);
    return fs.existsSync(bin) ? bin : undefined;
  } catch {
    return undefined;
  }
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const config = loadConfig(argv, process.env, distDir);
  const electron = config.web ? undefined : electronBinary();
  if (electron) {
    const child = spawn(electron, [path.join(distDir, 'main', 'electron.cjs'), ...argv], { stdio: 'inherit' });
    child.on('exit', (code) => process.exit(code ?? 0));
    return;
  }
  if (!config.web) console.log('Electron is not installed here; serving the console in the browser instead.');
  // Headless, a front process accepts the connections (main/gateway/front.ts); the Electron shell runs inline.
  const front = config.front === 'process' ? { front: { script: path.join(distDir, 'main', 'front.js') } } : {};
  const core = await startCore(config, Date.now, front);
  console.log(`station: ${core.station.registry.reference().stationName}; data in ${config.dataDir}`);
  if (core.credentialsFile) console.log(`demo credentials: ${core.credentialsFile}`);
  console.log(`console: ${core.url}`);
  const stop = (): void => {
    core.close().finally(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((e: unknown) => {
  console.error(e instanceof ConfigError ? `configuration error: ${e.message}` : e);
  process.exit(1);
});

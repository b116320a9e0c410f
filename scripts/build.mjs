#!/usr/bin/env node
// Builds everything into dist/: sounds (generated), the console (vite) and the core and shell (esbuild).
// `--if-stale` skips the build when dist/ is newer than every source file.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'dist');
const stamp = path.join(dist, '.built');

function newestMtime(dir) {
  let newest = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) newest = Math.max(newest, newestMtime(p));
    else newest = Math.max(newest, fs.statSync(p).mtimeMs);
  }
  return newest;
}

if (process.argv.includes('--if-stale') && fs.existsSync(stamp)) {
  const sources = ['main', 'renderer', 'shared', 'tools', 'test/support', 'assets', 'scripts', 'package.json', 'vite.config.ts']
    .map((p) => path.join(root, p))
    .filter((p) => fs.existsSync(p))
    .map((p) => (fs.statSync(p).isDirectory() ? newestMtime(p) : fs.statSync(p).mtimeMs));
  if (Math.max(...sources) < fs.statSync(stamp).mtimeMs) process.exit(0);
}

const t0 = Date.now();
execFileSync(process.execPath, [path.join(root, 'scripts', 'gen-sounds.mjs')], { stdio: 'ignore' });
execFileSync(process.execPath, [path.join(root, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--logLevel', 'warn'], { cwd: root, stdio: 'inherit' });

const common = { bundle: true, platform: 'node', target: 'node20', sourcemap: true, logLevel: 'warning', packages: 'external' };
// esbuild's ESM output on Node needs require() for CommonJS dependencies that it inlines.
const esm = { ...common, format: 'esm', banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" } };
// The core (start.js), its front process (front.js, main/gateway/front.ts) and, in cluster mode, the worker thread
// that holds its connection to the log (journalWorker.js, main/cluster/journalWorker.ts).
await build({
  ...esm,
  entryPoints: {
    start: path.join(root, 'main', 'start.ts'),
    front: path.join(root, 'main', 'front.ts'),
    journalWorker: path.join(root, 'main', 'cluster', 'journalWorker.ts'),
  },
  outdir: path.join(dist, 'main'),
});
// The tools (tools/): the simulator (`npm run simulate`) and the registry CLI (`npm run station`).
await build({
  ...esm,
  entryPoints: { simulate: path.join(root, 'tools', 'simulate', 'main.ts'), stationCli: path.join(root, 'tools', 'stationCli.ts') },
  outdir: path.join(dist, 'tools'),
});
// The latency, flood and map benches (`npm run bench`, `npm run bench:flood`, `npm run bench:map`), the big-journal
// bench (`npm run bench:journal`) and the soak (`npm run soak`). They stay two levels below the root (dist/bench/),
// where test/support/core.ts, bundled in, finds the root.
await build({
  ...esm,
  entryPoints: ['bench', 'flood', 'mapBench', 'journalBench', 'chiefBench', 'soak', 'clusterBench'].map((n) => path.join(root, 'tools', 'bench', `${n}.ts`)),
  outdir: path.join(dist, 'bench'),
});
await build({
  ...common,
  entryPoints: [path.join(root, 'main', 'shell', 'electron.ts')],
  outfile: path.join(dist, 'main', 'electron.cjs'),
  format: 'cjs',
  external: ['electron'],
});
await build({
  ...common,
  entryPoints: [path.join(root, 'main', 'shell', 'preload.cts')],
  outfile: path.join(dist, 'main', 'preload.cjs'),
  format: 'cjs',
  external: ['electron'],
});
fs.writeFileSync(path.join(dist, 'main', 'package.json'), '{ "type": "module" }\n');
fs.writeFileSync(stamp, new Date().toISOString());
console.log(`build: dist/ ready in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

#!/usr/bin/env node
// Packs the app as electron-builder would for Linux x64 (`--dir`), without the Electron binary (closed networks cannot
// download it): a stand-in Electron folder takes its place and the fuses, which need the real binary, are skipped.
// Everything else is electron-builder's own work: electron-builder.yml, the `files`, the production node_modules and
// app.asar. Then app.asar is read back: the shell, preload and console are in it, the sources, tests, data and
// devDependencies are not, and every package the shell requires resolves inside it.
// Run after `npm run build`: node scripts/pack-check.mjs   (docs/packaging.md; writes only to a temporary folder)
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(path.join(root, 'package.json'));
const { build, Platform, Arch } = require('electron-builder');
const asar = require('@electron/asar');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));

for (const f of ['dist/main/electron.cjs', 'dist/main/preload.cjs', 'dist/renderer/index.html']) {
  if (!fs.existsSync(path.join(root, f))) {
    console.error(`pack-check: ${f} is missing; run npm run build first`);
    process.exit(1);
  }
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pack-check-'));
// The stand-in: the file names of an Electron Linux x64 distribution, none of its contents.
const fakeElectron = path.join(tmp, 'electron-dist');
for (const d of ['locales', 'resources']) fs.mkdirSync(path.join(fakeElectron, d), { recursive: true });
fs.writeFileSync(path.join(fakeElectron, 'electron'), '#!/bin/sh\necho "stand-in Electron (pack-check)"\n', { mode: 0o755 });
for (const f of ['chrome-sandbox', 'LICENSE', 'LICENSES.chromium.html', 'locales/zh-CN.pak', 'locales/en-US.pak', 'locales/de.pak'])
  fs.writeFileSync(path.join(fakeElectron, f), '');
fs.writeFileSync(path.join(fakeElectron, 'version'), `v${require('electron/package.json').version}`);

const out = path.join(tmp, 'release');
const problems = [];
const check = (ok, what) => {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
  if (!ok) problems.push(what);
};

try {
  await build({
    projectDir: root,
    targets: Platform.LINUX.createTarget('dir', Arch.x64),
    publish: 'never',
    config: { electronDist: fakeElectron, electronFuses: null, directories: { output: out } },
  });
  const unpacked = path.join(out, 'linux-unpacked');
  const archive = path.join(unpacked, 'resources', 'app.asar');
  check(fs.existsSync(path.join(unpacked, 'school-alarm-console')), 'the executable is named school-alarm-console');
  check(fs.readdirSync(path.join(unpacked, 'locales')).sort().join(',') === 'en-US.pak,zh-CN.pak', 'only the zh-CN and en-US locales are kept');
  check(fs.existsSync(archive), 'resources/app.asar was written');
  const files = asar.listPackage(archive, { isPack: false }).map((f) => f.replace(/\\/g, '/').replace(/^\//, ''));
  const has = (f) => files.includes(f);
  for (const f of [
    'package.json',
    'dist/main/electron.cjs',
    'dist/main/preload.cjs',
    'dist/renderer/index.html',
    'assets/map/chengde-counties.geojson',
    'assets/icons/512x512.png',
  ])
    check(has(f), `app.asar holds ${f}`);
  const outside = files.filter(
    (f) => !/^(package\.json|dist|dist\/main|dist\/renderer(\/.*)?|dist\/main\/(electron|preload)\.cjs|assets(\/(map|icons).*)?|node_modules(\/.*)?)$/.test(f),
  );
  check(outside.length === 0, `nothing else of the repository (${outside.slice(0, 5).join(', ') || 'none'})`);
  check(!files.some((f) => f.endsWith('.map') && !f.startsWith('node_modules/')), 'no source maps of our own');
  // The top-level packages: node_modules/name or node_modules/@scope/name (a bare @scope folder is not one).
  const modules = new Set(files.filter((f) => /^node_modules\/(@[^/]+\/[^/]+|[^@/][^/]*)$/.test(f)).map((f) => f.slice('node_modules/'.length)));
  for (const dep of Object.keys(pkg.dependencies)) check(modules.has(dep), `node_modules/${dep} is packed`);
  const dev = Object.keys(pkg.devDependencies).filter((d) => modules.has(d) && !d.startsWith('@types/'));
  check(dev.length === 0, `no devDependency is packed (${dev.join(', ') || 'none'})`);
  // Every package the shell's bundle requires resolves inside the packed tree (read back out of app.asar).
  const extracted = path.join(tmp, 'app');
  asar.extractAll(archive, extracted);
  const shell = fs.readFileSync(path.join(extracted, 'dist/main/electron.cjs'), 'utf8');
  const required = [...new Set([...shell.matchAll(/require\("([^".][^"]*)"\)/g)].map((m) => m[1]))].filter((m) => !m.startsWith('node:') && m !== 'electron');
  const inApp = createRequire(path.join(extracted, 'dist/main/electron.cjs'));
  const builtin = new Set(require('node:module').builtinModules);
  for (const m of required.filter((r) => !builtin.has(r))) {
    let where = '';
    try {
      where = inApp.resolve(m);
    } catch {
      where = '';
    }
    check(where.startsWith(extracted), `the shell's require("${m}") resolves inside the app`);
  }
  const size = fs.statSync(archive).size;
  console.log(
    `pack-check: app.asar ${(size / 1024 / 1024).toFixed(1)} MiB, ${files.length} entries; the fuses were skipped (they need the real Electron binary)`,
  );
} catch (e) {
  problems.push(String(e?.message ?? e));
  console.error(e);
} finally {
  fs.rmSync(tmp, { recursive: true, force: true });
}
if (problems.length > 0) {
  console.error(`pack-check: ${problems.length} problem(s)`);
  process.exit(1);
}
console.log('pack-check: PASS');

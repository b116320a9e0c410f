// test/unit/main — the installer's configuration (electron-builder.yml), checked with electron-builder's own code:
// loaded by its config loader, validated against its schema (app-builder-lib/scheme.json, by its validator), and its
// `files` resolved by its file matcher over the repository's files plus a build's output and data folders, so the set
// packed into app.asar is known without the Electron binary (which cannot be downloaded here). Also: the packed
// dependencies are exactly the core's run-time packages, and the Node version of `engines` suits every dependency.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { APP_ID, PRODUCT_NAME } from '../../../main/shell/shellConfig';

const root = path.resolve(__dirname, '..', '..', '..');
const require = createRequire(path.join(root, 'package.json'));

type Config = Record<string, unknown> & { directories?: { output?: string; buildResources?: string }; linux?: Record<string, unknown> };
interface Stat {
  isDirectory(): boolean;
}
interface Matcher {
  createFilter(): (file: string, stat: Stat) => boolean;
}
const { getConfig, validateConfiguration } = require('app-builder-lib/out/util/config/config') as {
  getConfig(projectDir: string, configPath: string | null, fromOptions: null): Promise<Config>;
  validateConfiguration(config: Config, logger: unknown): Promise<void>;
};
const { getMainFileMatchers } = require('app-builder-lib/out/fileMatcher') as {
  getMainFileMatchers(
    appDir: string,
    dest: string,
    expand: (s: string) => string,
    platform: object,
    packager: object,
    outDir: string,
    compile: boolean,
  ): Matcher[];
};
const { DebugLogger } = require('builder-util') as { DebugLogger: new (enabled: boolean) => unknown };
const semver = require('semver') as { minVersion(range: string): { version: string } | null; satisfies(v: string, range: string): boolean };

const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as {
  main: string;
  desktopName: string;
  engines: { node: string };
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};

/** The files electron-builder would copy into app.asar out of `candidates` (paths relative to the root), walked as it does. */
function packedFiles(config: Config, candidates: readonly string[]): string[] {
  const outDir = path.resolve(root, config.directories?.output ?? 'dist');
  const packager = {
    info: {
      projectDir: root,
      buildResourcesDir: path.resolve(root, config.directories?.buildResources ?? 'build'),
      isPrepackedAppAsar: false,
      config,
      debugLogger: { isEnabled: false },
    },
  };
  const [matcher] = getMainFileMatchers(root, '/app', (s) => s, config.linux ?? {}, packager, outDir, false);
  const filter = matcher!.createFilter();
  const dir: Stat = { isDirectory: () => true };
  const file: Stat = { isDirectory: () => false };
  return candidates.filter((rel) => {
    const parts = rel.split('/');
    // The walker enters a folder only when the filter lets it.
    for (let i = 1; i < parts.length; i++) if (!filter(path.join(root, ...parts.slice(0, i)), dir)) return false;
    return filter(path.join(root, ...parts), file);
  });
}

/** What a build and a station leave next to the sources (all ignored by git), as the packer would find them. */
const BUILD_AND_DATA = [
  'dist/.built',
  'dist/main/electron.cjs',
  'dist/main/electron.cjs.map',
  'dist/main/preload.cjs',
  'dist/main/preload.cjs.map',
  'dist/main/start.js',
  'dist/main/start.js.map',
  'dist/main/front.js',
  'dist/main/package.json',
  'dist/renderer/index.html',
  'dist/renderer/assets/index-Bx1.js',
  'dist/renderer/assets/index-Bx1.js.map',
  'dist/renderer/assets/index-Cy2.css',
  'dist/renderer/sounds/alarm.wav',
  'dist/renderer/map/chengde-counties.geojson',
  'dist/renderer/icons/512x512.png',
  'dist/tools/simulate.js',
  'dist/tools/stationCli.js',
  'dist/bench/bench.js',
  'assets/sounds/alarm.wav',
  'station-data/journal.jsonl',
  'station-data/initial-admin-password.txt',
  'station-data-demo/demo-credentials.json',
  'station-data-year/journal.jsonl',
  'bench-results/latest.json',
  'test-results/shot.png',
  'playwright-report/index.html',
  'release/linux-unpacked/resources/app.asar',
  'release/school-alarm-console-0.1.0-linux-x86_64.AppImage',
  'release/builder-debug.yml',
  '.env',
  'node_modules/react/index.js',
];

function repoFiles(): string[] {
  return execFileSync('git', ['ls-files'], { cwd: root, encoding: 'utf8' }).split('\n').filter(Boolean);
}

describe('electron-builder.yml', () => {
  let config: Config;
  beforeAll(async () => {
    config = await getConfig(root, null, null);
  });

  it("is electron-builder's configuration file, valid against its schema", async () => {
    expect(config.appId).toBe(APP_ID);
    expect(config.productName).toBe(PRODUCT_NAME);
    await expect(validateConfiguration(config, new DebugLogger(false))).resolves.toBeUndefined();
  });

  it('the validator does refuse a mistake (so the check above means something)', async () => {
    const typo = { ...config, nsis: { ...(config.nsis as object), oneclick: false } };
    await expect(validateConfiguration(typo, new DebugLogger(false))).rejects.toThrow(/configuration\.nsis/);
    await expect(validateConfiguration({ ...config, electronFuses: { runAsNod: false } }, new DebugLogger(false))).rejects.toThrow(
      /configuration\.electronFuses/,
    );
  });

  it('writes the installers to release/ (ignored by git), not dist/ (the build)', () => {
    expect(config.directories?.output).toBe('release');
    expect(fs.readFileSync(path.join(root, '.gitignore'), 'utf8').split('\n')).toContain('release/');
  });

  it('builds NSIS for Windows x64, deb and AppImage for Linux x64 and arm64, with asar', () => {
    expect(config.asar).toBe(true);
    expect(config.win).toMatchObject({ target: [{ target: 'nsis', arch: ['x64'] }] });
    expect(config.linux).toMatchObject({
      target: [
        { target: 'deb', arch: ['x64', 'arm64'] },
        { target: 'AppImage', arch: ['x64', 'arm64'] },
      ],
    });
    // The journal is evidence: uninstalling keeps it.
    expect(config.nsis).toMatchObject({ deleteAppDataOnUninstall: false, oneClick: false });
    expect(config.npmRebuild).toBe(false);
    // The Linux desktop file and the window class agree (the dock links the window to the menu entry).
    expect(config.linux).toMatchObject({ syncDesktopName: true });
    expect(pkg.desktopName).toBe(`${String(config.executableName)}.desktop`);
  });

  it('sets the fuses: no run-as-node, NODE_OPTIONS or --inspect; asar integrity and asar only; cookies encrypted', () => {
    expect(config.electronFuses).toEqual({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      enableCookieEncryption: true,
      grantFileProtocolExtraPrivileges: false,
    });
  });

  it('has its icons: a 256 px PNG for the Windows .ico, the Linux icon set', () => {
    const png = (file: string): { w: number; h: number } => {
      const b = fs.readFileSync(path.join(root, file));
      expect(b.subarray(1, 4).toString('ascii')).toBe('PNG');
      return { w: b.readUInt32BE(16), h: b.readUInt32BE(20) };
    };
    expect((config.win as { icon: string }).icon).toBe('assets/icons/256x256.png');
    expect(png('assets/icons/256x256.png')).toEqual({ w: 256, h: 256 });
    expect((config.linux as { icon: string }).icon).toBe('assets/icons');
    expect(png('assets/icons/512x512.png')).toEqual({ w: 512, h: 512 });
  });

  it('packs the shell, the console and its assets, and nothing else of the repository', () => {
    const packed = packedFiles(config, [...repoFiles(), ...BUILD_AND_DATA]).sort();
    expect(packed).toEqual(
      [
        'package.json',
        'dist/main/electron.cjs',
        'dist/main/preload.cjs',
        'dist/renderer/index.html',
        'dist/renderer/assets/index-Bx1.js',
        'dist/renderer/assets/index-Cy2.css',
        'dist/renderer/sounds/alarm.wav',
        'dist/renderer/map/chengde-counties.geojson',
        'dist/renderer/icons/512x512.png',
        'assets/map/chengde-counties.geojson',
        'assets/icons/512x512.png',
      ].sort(),
    );
    // The entry file of package.json is among them (electron-builder stops when it is not).
    expect(packed).toContain(pkg.main);
  });

  it('the files the packed app opens at run time are in the set (the window, the demo county)', () => {
    const packed = packedFiles(config, [...repoFiles(), ...BUILD_AND_DATA]);
    for (const f of ['dist/main/preload.cjs', 'assets/icons/512x512.png', 'assets/map/chengde-counties.geojson']) expect(packed).toContain(f);
  });

  it('without the configuration, the output folder dist/ would swallow the entry file (the bug it fixes)', () => {
    const defaults: Config = { directories: {} };
    expect(packedFiles(defaults, ['package.json', 'dist/main/electron.cjs'])).toEqual(['package.json']);
  });
});

describe('dependencies', () => {
  /**
   * The packages the built core and shell load at run time: esbuild bundles main/ with every package external
   * (scripts/build.mjs), so these are what the bundles require; the console's are bundled by vite into dist/renderer.
   */
  async function runtimeImports(): Promise<Set<string>> {
    const { build } = await import('esbuild');
    const result = await build({
      entryPoints: ['main/shell/electron.ts', 'main/start.ts', 'main/front.ts'].map((f) => path.join(root, f)),
      absWorkingDir: root,
      bundle: true,
      platform: 'node',
      format: 'esm',
      packages: 'external',
      external: ['electron'],
      outdir: path.join(root, 'dist', 'unused'),
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    const found = new Set<string>();
    for (const input of Object.values(result.metafile.inputs))
      for (const i of input.imports)
        if (i.external && !i.path.startsWith('node:') && i.path !== 'electron')
          found.add(i.path.startsWith('@') ? i.path.split('/').slice(0, 2).join('/') : i.path.split('/')[0]!);
    return found;
  }

  it('are exactly the packages the core and shell load at run time (the console is bundled by vite)', async () => {
    expect(Object.keys(pkg.dependencies).sort()).toEqual([...(await runtimeImports())].sort());
    for (const lib of ['react', 'react-dom', 'leaflet', 'react-leaflet', 'dexie', 'howler', 'socket.io-client', 'pinyin-pro']) {
      expect(pkg.dependencies, lib).not.toHaveProperty(lib);
      expect(pkg.devDependencies, lib).toHaveProperty(lib);
    }
  });

  it("engines' lowest Node version satisfies every package in the lock file (no EBADENGINE on a fresh install)", () => {
    const lowest = semver.minVersion(pkg.engines.node)!.version;
    const lock = JSON.parse(fs.readFileSync(path.join(root, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { engines?: { node?: string } | string[]; optional?: boolean }>;
    };
    const refused = Object.entries(lock.packages)
      .filter(([, p]) => p.engines && !Array.isArray(p.engines) && p.engines.node && !semver.satisfies(lowest, p.engines.node))
      .map(([name, p]) => `${name} needs node ${(p.engines as { node: string }).node}`);
    expect(refused).toEqual([]);
    expect(lock.packages['']?.engines).toEqual(pkg.engines);
  });
});

// Lint rules, including the layer rules of ARCHITECTURE.md: which folder may import what.
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

// ---- folder zones: an allow-list per folder (ARCHITECTURE.md "The house"). A file may import only from the
// folders and packages its zone lists; anything else is an error naming the zone. Checked by a small local rule
// (resolving each relative import against the importing file), so a new folder or package is refused until a
// zone allows it.
const NODE = ['node:*'];
const ZONES = [
  {
    dir: 'shared',
    folders: ['shared'],
    packages: ['zod', 'pinyin-pro'],
    why: 'shared/ is pure: the domain, the contract and the rules; no Node, DOM, React, Electron or I/O',
  },
  {
    dir: 'main/core',
    folders: ['main/core', 'shared'],
    packages: [...NODE, 'zod'],
    why: 'the station core: state, journal, registry and the parts that change them; no sockets, no HTTP',
  },
  {
    dir: 'main/gateway',
    folders: ['main/gateway', 'main/core', 'shared'],
    packages: [...NODE, 'zod', 'socket.io', 'socket.io-parser', 'ws', 'pmtiles'],
    why: 'the gateway: socket.io namespaces and HTTP in front of the core',
  },
  {
    dir: 'main/cluster',
    folders: ['main/cluster', 'main/core', 'shared'],
    packages: [...NODE, 'zod', '@nats-io/transport-node', '@nats-io/jetstream'],
    why: 'cluster mode: the journal on a NATS JetStream stream and the leader lease; the only place NATS is imported',
  },
  {
    dir: 'main/shell',
    folders: ['main', 'shared'],
    packages: [...NODE, 'electron'],
    why: 'the Electron shell: a window around the station; the only place electron is imported',
  },
  {
    dir: 'main',
    folders: ['main', 'shared'],
    packages: [...NODE, 'zod', 'socket.io'],
    why: 'main/ assembles and starts the station; it never imports tools/, renderer/ or electron',
  },
  {
    dir: 'renderer/components',
    folders: [
      'renderer/components',
      'renderer/store.ts',
      'renderer/training.ts',
      'renderer/i18n.ts',
      'renderer/time.ts',
      'renderer/adapters/basemap.ts',
      'renderer/adapters/mapLayers.ts',
      'shared',
    ],
    packages: ['react', 'react-dom', 'react-leaflet', 'leaflet', 'geojson'],
    why: 'components go through the store and adapters; no sockets, Dexie or Howler here',
  },
  {
    dir: 'renderer',
    folders: ['renderer', 'shared'],
    packages: [
      'react',
      'react-dom',
      'react-dom/*',
      'react-leaflet',
      'leaflet',
      'geojson',
      'socket.io-client',
      'dexie',
      'howler',
      'pmtiles',
      'protomaps-leaflet',
    ],
    why: 'renderer/ talks to the core only through its adapters: no Node, no Electron, no main/',
  },
  {
    dir: 'tools',
    folders: ['tools', 'main', 'shared', 'test/support', 'test/cluster'],
    packages: [...NODE, 'socket.io', 'socket.io-client', 'playwright-core', 'zod'],
    why: 'tools (simulator, CLI, benches) drive the station from outside',
  },
];
const zoneOf = (file) => ZONES.find((z) => file === z.dir || file.startsWith(`${z.dir}/`));
const matches = (pkg, pattern) => (pattern.endsWith('*') ? pkg.startsWith(pattern.slice(0, -1)) : pkg === pattern || pkg.startsWith(`${pattern}/`));
const within = (target, folder) =>
  target === folder || target.startsWith(`${folder}/`) || target.replace(/\.(ts|tsx|cts|js)$/, '') === folder.replace(/\.(ts|tsx|cts|js)$/, '');
const zonesPlugin = {
  rules: {
    allowed: {
      meta: { type: 'problem', schema: [] },
      create(context) {
        const file = path.relative(here, context.filename).split(path.sep).join('/');
        const zone = zoneOf(file);
        if (!zone) return {};
        const check = (node) => {
          const src = node.source?.value;
          if (typeof src !== 'string') return;
          if (src.startsWith('.')) {
            const target = path
              .relative(here, path.resolve(path.dirname(context.filename), src))
              .split(path.sep)
              .join('/');
            if (!zone.folders.some((f) => within(target, f)))
              context.report({
                node: node.source,
                message: `${file} may not import ${target}: ${zone.why} (zone ${zone.dir} allows ${zone.folders.join(', ')})`,
              });
          } else if (!zone.packages.some((p) => matches(src, p))) {
            context.report({
              node: node.source,
              message: `${file} may not import the package '${src}': ${zone.why} (zone ${zone.dir} allows ${zone.packages.join(', ')})`,
            });
          }
        };
        return { ImportDeclaration: check, ExportNamedDeclaration: check, ExportAllDeclaration: check, ImportExpression: check };
      },
    },
  },
};

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'station-data*/**', 'test-results/**', 'playwright-report/**', 'bench-results/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
      eqeqeq: ['error', 'always'],
    },
  },
  {
    // The folder zones (ZONES above) for every product file; test/ may import anything.
    files: ['shared/**/*.ts', 'main/**/*.ts', 'main/**/*.cts', 'renderer/**/*.ts', 'renderer/**/*.tsx', 'tools/**/*.ts'],
    plugins: { zones: zonesPlugin },
    rules: { 'zones/allowed': 'error' },
  },
  {
    files: ['renderer/**/*.ts', 'renderer/**/*.tsx'],
    plugins: { 'react-hooks': reactHooks },
    rules: reactHooks.configs.recommended.rules,
  },
);

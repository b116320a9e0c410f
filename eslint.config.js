// Lint rules, including the layer rules of ARCHITECTURE.md: which folder may import what.
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';

// Bare Node module names are matched exactly (a pattern 'events' would also catch './events').
const nodeNames = ['fs', 'path', 'os', 'crypto', 'http', 'https', 'net', 'child_process', 'url', 'module', 'stream', 'events', 'util', 'worker_threads'];
const nodeBuiltins = ['node:*'];
const restrict = (groups, message) => ({
  'no-restricted-imports': ['error', { paths: nodeNames.map((name) => ({ name, message })), patterns: [{ group: groups, message }] }],
});

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
    files: ['shared/**/*.ts'],
    rules: restrict(
      [...nodeBuiltins, 'electron', 'react', 'react-dom', 'react-*', 'leaflet', 'dexie', 'howler', 'socket.io', 'socket.io-client', '../main/*', '../renderer/*'],
      'shared/ is pure: no Node, DOM, React, Electron or I/O libraries, and no imports from main/ or renderer/.',
    ),
  },
  {
    files: ['renderer/**/*.ts', 'renderer/**/*.tsx'],
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      ...restrict([...nodeBuiltins, 'electron', '../main/*', '../../main/*'], 'renderer/ talks to the core only through its adapters: no Node, no Electron, no main/.'),
    },
  },
  {
    // Components never touch sockets, IndexedDB or audio directly: that is what renderer/adapters is for.
    files: ['renderer/components/**/*.tsx'],
    rules: restrict(
      [...nodeBuiltins, 'electron', 'socket.io-client', 'dexie', 'howler', '../adapters/stationLink', '../adapters/replica', '../adapters/sound'],
      'components go through the store and adapters; no sockets, Dexie or Howler here.',
    ),
  },
  {
    files: ['main/**/*.ts'],
    ignores: ['main/electron.ts', 'main/preload.cts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [{ name: 'electron', message: "only main/electron.ts and main/preload.cts may import 'electron'; the core runs headless." }],
        patterns: [
          { group: ['../renderer/*'], message: 'the core does not import the console.' },
          { group: ['../tools/*', '../../tools/*'], message: 'the core does not import the tools; tools/ imports main/.' },
        ],
      }],
    },
  },
  {
    // The tools (simulator, registry CLI, benches) run under plain Node: they may use main/ and shared/, never
    // Electron or the console's code.
    files: ['tools/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [{ name: 'electron', message: 'tools run under plain Node; they never import electron.' }],
        patterns: [{ group: ['../renderer/*', '../../renderer/*', '../../../renderer/*'], message: 'tools do not import the console.' }],
      }],
    },
  },
);

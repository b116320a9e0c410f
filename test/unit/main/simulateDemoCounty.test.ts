// test/unit/main — the demo county the simulator runs against: --demo-schools / --demo-units size it, an
// existing demo registry of another size is made anew, and without a size whatever exists is kept.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../main/config';
import { loadDemoRegistry, type DemoCredentials } from '../../../main/demo';

const assetsDir = path.resolve(import.meta.dirname, '..', '..', '..', 'assets');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sim-demo-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const creds = (): DemoCredentials => JSON.parse(fs.readFileSync(path.join(dir, 'demo-credentials.json'), 'utf8')) as DemoCredentials;

describe('loadDemoRegistry with a size', () => {
  it('makes, keeps and remakes the demo county by size', async () => {
    const a = await loadDemoRegistry(dir, assetsDir, { schools: 3, units: 2 });
    expect(a.registry.snapshot.schools).toHaveLength(3);
    expect(a.registry.snapshot.units).toHaveLength(2);
    const first = creds();
    expect(first.terminals).toHaveLength(3);
    expect(first.units).toHaveLength(2);

    // No size: keep what exists (same credentials). Same size: keep too.
    await loadDemoRegistry(dir, assetsDir);
    expect(creds()).toEqual(first);
    await loadDemoRegistry(dir, assetsDir, { schools: 3 });
    expect(creds()).toEqual(first);

    // Another size: a new county with new credentials; the size not given stays as it was.
    const b = await loadDemoRegistry(dir, assetsDir, { schools: 4 });
    expect(b.registry.snapshot.schools).toHaveLength(4);
    expect(b.registry.snapshot.units).toHaveLength(2);
    expect(creds().terminals).toHaveLength(4);
    expect(creds().terminals[0]!.token).not.toBe(first.terminals[0]!.token);
    // What is on disk is what is loaded next time.
    const c = await loadDemoRegistry(dir, assetsDir);
    expect(c.registry.snapshot.schools).toHaveLength(4);
  }, 60_000);
});

describe('--demo-schools and --demo-units', () => {
  const cfg = (...argv: string[]) => loadConfig(argv, {}, '/dist');
  it('are read with --demo', () => {
    expect(cfg('--demo', '--demo-schools', '300', '--demo-units', '30')).toMatchObject({ demo: true, demoSchools: 300, demoUnits: 30 });
    const plain = cfg('--demo');
    expect(plain.demoSchools).toBeUndefined();
    expect(plain.demoUnits).toBeUndefined();
  });
  it.each([
    [['--demo', '--demo-schools', '0'], /--demo-schools must be a whole number 1–5000, got "0"/],
    [['--demo', '--demo-schools', '5001'], /--demo-schools must be a whole number 1–5000/],
    [['--demo', '--demo-schools', '12.5'], /--demo-schools must be a whole number/],
    [['--demo', '--demo-units', 'lots'], /--demo-units must be a whole number 1–1000, got "lots"/],
    [['--demo', '--demo-units', '1001'], /--demo-units must be a whole number 1–1000/],
    [['--demo', '--demo-units'], /--demo-units needs a value/],
    [['--demo-schools', '300'], /only apply with --demo/],
  ])('refuses %j', (argv, message) => {
    expect(() => cfg(...argv)).toThrow(ConfigError);
    expect(() => cfg(...argv)).toThrow(message);
  });
});

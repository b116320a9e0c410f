// test/unit/main — `npm start -- --demo --demo-year` (issue 12): a fresh demo data folder starts with a generated
// year of journal (here 5,000 records for speed, STATION_DEMO_YEAR_RECORDS) that the core reads and serves to the
// chief's queries; a folder that already has a journal keeps it; the flag needs --demo.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ConfigError, loadConfig } from '../../../main/config';
import { startCore } from '../../../main/server';
import { ROOT } from '../../support/core';
import { chief } from '../../support/operators';

let root: string;
beforeAll(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'demo-year-'));
});
afterAll(() => {
  fs.rmSync(root, { recursive: true, force: true });
});

describe('--demo-year', () => {
  it('needs --demo, and makes a 1,000-school county unless asked otherwise', () => {
    expect(() => loadConfig(['--demo-year'], {}, root)).toThrow(ConfigError);
    const c = loadConfig(['--demo', '--demo-year'], { STATION_DEMO_YEAR_RECORDS: '5000' }, root);
    expect(c).toMatchObject({ demoYear: { records: 5000 }, demoSchools: 1000, demoUnits: 60 });
    expect(loadConfig(['--demo', '--demo-year', '--demo-schools', '40'], {}, root)).toMatchObject({ demoYear: { records: 1_000_000 }, demoSchools: 40 });
    expect(() => loadConfig(['--demo', '--demo-year'], { STATION_DEMO_YEAR_RECORDS: 'lots' }, root)).toThrow(ConfigError);
  });

  it('starts a fresh folder on a generated year, and keeps the journal of one that has it', async () => {
    const logs: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void logs.push(a.join(' ')));
    const dir = path.join(root, 'year');
    const config = loadConfig(
      ['--demo', '--demo-year', '--demo-schools', '40', '--port', '0', '--data-dir', dir],
      { STATION_DEMO_YEAR_RECORDS: '5000' },
      path.join(ROOT, 'dist'),
    );
    const core = await startCore(config);
    const incidents = [...core.station.ledger.state.incidents.values()];
    expect(core.station.ledger.state.seq).toBe(5000);
    expect(incidents.length).toBeGreaterThan(500);
    // Spread over the year before now, all kinds of class.
    const times = incidents.map((i) => i.receivedAt);
    expect(Date.now() - Math.min(...times)).toBeGreaterThan(300 * 86_400_000);
    expect(new Set(incidents.map((i) => (i.drill ? 'drill' : i.kind === 'test' ? 'test' : 'real')))).toEqual(new Set(['real', 'drill', 'test']));
    const r = await core.station.history.query(chief, { from: Date.now() - 366 * 86_400_000, to: Date.now(), class: 'real', offset: 0, limit: 5 });
    expect(r.ok && r.page.total).toBeGreaterThan(50);
    await core.close();

    // Again on the same folder: the year is not made twice.
    const again = await startCore(config);
    expect(again.station.ledger.state.seq).toBe(5000);
    expect(logs.some((l) => l.includes('already has a journal; --demo-year keeps it'))).toBe(true);
    await again.close();
  }, 60_000);
});

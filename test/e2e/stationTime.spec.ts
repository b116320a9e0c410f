// test/e2e — one station time zone and names in the interface language (issue 11, points 8 and 9). The browser
// runs in New York and the core's machine says New York too; every time the officer sees is still the station's
// (Asia/Shanghai): the header clock, the card and the panel, the incident id, an export's file name. No browser
// control speaks the browser's locale (the duty time is two plain fields, the file button is the console's own),
// and the English console shows the schools' English names.
import fs from 'node:fs';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import type { ReferenceData } from '../../shared/model';
import { startCoreProcess, type CoreProcess } from '../support/core';
import { connectTerminal } from '../support/terminal';
import { incident, logIn } from './console';

test.use({ timezoneId: 'America/New_York', locale: 'en-US' });

let core: CoreProcess;
test.beforeEach(async () => {
  core = await startCoreProcess({ env: { TZ: 'America/New_York' } });
});
test.afterEach(async () => {
  await core?.stop();
});

const shanghai = (at: number, opts: Intl.DateTimeFormatOptions): string =>
  new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', hourCycle: 'h23', ...opts }).format(at);
const hms = (at: number): string => shanghai(at, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
const hm = (at: number): string => shanghai(at, { hour: '2-digit', minute: '2-digit' });
const ymd = (at: number): string => shanghai(at, { year: 'numeric', month: '2-digit', day: '2-digit' });
const demoRegistry = (): ReferenceData => JSON.parse(fs.readFileSync(path.join(core.dataDir, 'demo-registry.json'), 'utf8')) as ReferenceData;
const panel = (page: Page) => page.getByTestId('incident-panel');

test('every time is the station clock (Asia/Shanghai) in a browser and on a machine set to New York', async ({ page }) => {
  await logIn(page, core);
  expect(await page.evaluate(() => Intl.DateTimeFormat().resolvedOptions().timeZone)).toBe('America/New_York');
  // The header clock: the station's hour and minute, not the browser's (New York is 12–13 hours behind).
  await expect.poll(async () => (await page.getByTestId('clock').textContent())?.slice(0, 5), { timeout: 5000 }).toBe(hm(Date.now()));
  expect(hm(Date.now())).not.toBe(await page.evaluate(() => new Date().toTimeString().slice(0, 5)));

  const t = core.credentials.terminals[0]!;
  const term = await connectTerminal(core.url, t.deviceId, t.token);
  const ack = (await term.press({ alarmId: 'zone-1', kind: 'panic' })) as { ok: true; incidentId: string; receivedAt: number };
  expect(ack.ok).toBe(true);
  // The incident id carries the station's date, whatever the core machine's zone.
  expect(ack.incidentId.slice(0, 8)).toBe(ymd(ack.receivedAt).replaceAll('-', ''));
  const card = incident(page, 'zone-1');
  await expect(card).toContainText(`收到 ${hms(ack.receivedAt)}`);
  await card.click();
  await expect(panel(page)).toContainText(`收到 ${hms(ack.receivedAt)}`);
  await expect(panel(page).getByTestId('timeline').locator('.t').first()).toHaveText(hms(ack.receivedAt));
  term.close();

  // The duty-time picker: no browser date or time control anywhere, two fields on the station clock.
  await expect(page.locator('input[type=date], input[type=time], input[type=datetime-local], input[type=month], input[type=week]')).toHaveCount(0);
  // The layers panel folds away while an incident's nearest units are drawn (the panel is open): the officer opens it.
  // The map follows the queue a quarter second later (ConsoleView's MAP_FOLLOW_MS): wait for the nearest units, or
  // the panel, seen open before they come, folds under the test's hands.
  await expect(page.getByTestId('map-nearest')).toBeVisible();
  const layers = page.getByTestId('map-layers').locator('button.panel-title');
  await expect(layers).toHaveAttribute('aria-expanded', 'false');
  await layers.click();
  await expect(layers).toHaveAttribute('aria-expanded', 'true');
  await expect(page.getByTestId('duty-date')).toHaveValue(ymd(Date.now()));
  const post = demoRegistry().guardPosts.find((p) => p.days.includes(1) && p.windows.length > 0)!;
  const marker = page.locator(`[data-post-id="${post.id}"]`);
  // 2026-11-30 is a Monday; inside the post's first window on the station clock it is staffed.
  await page.getByTestId('duty-date').fill('2026-11-30');
  await page.getByTestId('duty-time').fill(post.windows[0]!.start);
  await expect(marker).toHaveAttribute('data-staffed', 'true');
  await page.getByTestId('duty-time').fill('03:00');
  await expect(marker).toHaveAttribute('data-staffed', 'false');
  // Something that is no time says how to write it, and changes nothing.
  await page.getByTestId('duty-date').fill('2026-02-30');
  await expect(page.getByTestId('duty-error')).toHaveText(/2026-11-30.*07:10/);
  await expect(page.getByTestId('duty-date')).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByTestId('duty-time')).toHaveAttribute('aria-invalid', 'false');
  await expect(marker).toHaveAttribute('data-staffed', 'false');
  await page.getByTestId('duty-now').click();
  await expect(page.getByTestId('duty-error')).toHaveCount(0);
  await expect(page.getByTestId('duty-date')).toHaveValue(ymd(Date.now()));
});

test('exports are named by the station clock; the file button is the console’s own, in the interface language', async ({ page }) => {
  await logIn(page, core, 'admin');
  await page.getByTestId('tab-admin').click();
  const before = Date.now();
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('data-export-schools-csv').click()]);
  const stamp = (at: number): string => `${ymd(at).replaceAll('-', '')}-${hm(at).replace(':', '')}`;
  expect([`schools-${stamp(before)}.csv`, `schools-${stamp(Date.now())}.csv`]).toContain(download.suggestedFilename());

  // The browser's "Choose File" control is not shown; the console's button says it in Chinese, then English.
  // (Hidden as a 1 px transparent box rather than display:none, so it stays in the tab order.)
  await expect(page.getByTestId('data-file')).toHaveCSS('opacity', '0');
  expect((await page.getByTestId('data-file').boundingBox())!.width).toBeLessThanOrEqual(1);
  await expect(page.getByTestId('data-file-button')).toHaveText('选择文件…');
  await expect(page.getByTestId('data-file-name')).toHaveText('未选择文件');
  await page.getByTestId('data-file').setInputFiles({ name: 'schools.csv', mimeType: 'text/csv', buffer: Buffer.from('id\r\n', 'utf8') });
  await expect(page.getByTestId('data-file-name')).toHaveText('schools.csv');
  await page.getByRole('button', { name: 'English' }).click();
  await expect(page.getByTestId('data-file-button')).toHaveText('Choose file…');
  // Clicking the button opens the file chooser (it is the label of the hidden input).
  const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.getByTestId('data-file-button').click()]);
  expect(chooser.isMultiple()).toBe(false);
});

test('the English console names schools in English where the data has it: card, panel, map, fault list', async ({ page }) => {
  const reg = demoRegistry();
  const t = core.credentials.terminals[1]!;
  const school = reg.schools.find((s) => s.id === t.schoolId)!;
  expect(school.nameEn).not.toBe(school.name);
  await logIn(page, core);
  const term = await connectTerminal(core.url, t.deviceId, t.token);
  expect(await term.press({ alarmId: 'en-1', kind: 'fire' })).toMatchObject({ ok: true });
  const card = incident(page, 'en-1');
  await expect(card.locator('.school')).toHaveText(school.name);
  await card.click();
  await expect(panel(page).locator('h2')).toHaveText(school.name);

  await page.getByRole('button', { name: 'English' }).click();
  await expect(card.locator('.school')).toHaveText(school.nameEn);
  await expect(panel(page).locator('h2')).toHaveText(school.nameEn);
  await expect(page.locator(`[data-testid=map-alarm][data-school-id="${school.id}"]`)).toContainText(school.nameEn);
  // A never-connected or offline terminal's fault names its school in English too.
  const faultSchools = page.locator('[data-testid=fault] .fault-school');
  if ((await faultSchools.count()) > 0) await expect(faultSchools.first()).toContainText(/^Sample /);
  // Back in Chinese, the Chinese names.
  await page.getByRole('button', { name: '中文' }).click();
  await expect(card.locator('.school')).toHaveText(school.name);
  term.close();
});

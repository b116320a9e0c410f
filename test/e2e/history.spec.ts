// test/e2e — the history (issue 12): a chief lists this month's incidents, newest first, real alarms and drills
// apart; exports them (CSV, XLSX) as on screen; filters by school; opens an incident's whole record with its
// timeline. An admin has no history. Real core, terminals over socket.io, real Chromium.
import fs from 'node:fs';
import { expect, test } from '@playwright/test';
import readXlsxFile from 'read-excel-file/node';
import { parseCsv } from '../../shared/csv';
import { startCoreProcess, type CoreProcess } from '../support/core';
import { logIn, pressAndAcknowledge } from './console';

let core: CoreProcess;
test.beforeEach(async () => {
  core = await startCoreProcess();
});
test.afterEach(async () => {
  await core?.stop();
});

test('a chief finds an incident in the history and reads its whole timeline', async ({ page }) => {
  await page.setViewportSize({ width: 1440, height: 900 });
  await logIn(page, core, 'chief');
  const first = await pressAndAcknowledge(page, core, 0, 'hist-1', { kind: 'violence' });
  const second = await pressAndAcknowledge(page, core, 1, 'hist-2', { kind: 'violence' });
  const drill = await pressAndAcknowledge(page, core, 2, 'hist-drill', { kind: 'violence', drill: true });

  await page.getByTestId('tab-history').click();
  const rows = page.getByTestId('history-row');
  // This month's real alarms, newest first; the drill is not among them.
  await expect(rows).toHaveCount(2);
  await expect(rows.nth(0)).toHaveAttribute('data-incident-id', second);
  await expect(rows.nth(1)).toHaveAttribute('data-incident-id', first);
  await expect(page.getByTestId('history-count')).toHaveText('第 1–2 条，共 2 条');
  await expect(rows.nth(0)).toContainText(core.credentials.terminals[1]!.schoolName);
  await expect(rows.nth(0)).toContainText('暴力');
  await expect(rows.nth(0)).toContainText('已接警');

  // The exports hold the rows of the screen: CSV (UTF-8 with BOM) and XLSX, read back.
  const screen = await page
    .getByTestId('history-rows')
    .evaluate((t) => [...t.querySelectorAll('tr')].map((tr) => [...tr.querySelectorAll('th, td')].slice(0, 9).map((c) => (c as HTMLElement).innerText.trim())));
  const [csv] = await Promise.all([page.waitForEvent('download'), page.getByTestId('history-export').click()]);
  expect(csv.suggestedFilename()).toMatch(/^incident-history-\d{4}-\d{2}-\d{2}-\d{4}-\d{2}-\d{2}-real\.csv$/);
  const bytes = fs.readFileSync(await csv.path());
  expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  const parsed = parseCsv(bytes.toString('utf8'));
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.error));
  expect(parsed.records.map((r) => r.fields)).toEqual(screen);
  const [xlsx] = await Promise.all([page.waitForEvent('download'), page.getByTestId('history-export-xlsx').click()]);
  const book = await readXlsxFile(fs.readFileSync(await xlsx.path()), { trim: false });
  expect(book[0]!.data.map((r) => r.map(String))).toEqual(screen);

  // One school.
  await page.getByTestId('history-school').selectOption(core.credentials.terminals[0]!.schoolId);
  await expect(rows).toHaveCount(1);
  await expect(rows.nth(0)).toHaveAttribute('data-incident-id', first);
  // Its whole record, read only: received, shown, acknowledged by the chief.
  await rows.nth(0).getByTestId('history-open').click();
  const record = page.getByTestId('incident-record');
  await expect(record).toHaveAttribute('data-incident-id', first);
  await expect(record.locator('li[data-type="alarm.received"]')).toHaveCount(1);
  await expect(record.locator('li[data-type="incident.acknowledged"]')).toContainText('接警');
  await expect(record).toContainText(core.credentials.terminals[0]!.schoolName);
  await page.screenshot({ path: test.info().outputPath('history-zh-1440x900.png') });

  // Drills are their own list.
  await page.getByTestId('incident-record-close').click();
  await expect(record).toHaveCount(0);
  await page.getByTestId('history-school').selectOption('');
  await page.getByTestId('history-class').selectOption('drill');
  await expect(rows).toHaveCount(1);
  await expect(rows.nth(0)).toHaveAttribute('data-incident-id', drill);
  // Nothing open among the resolved.
  await page.getByTestId('history-state').selectOption('resolved');
  await expect(page.getByTestId('history-count')).toHaveText('没有符合条件的记录');

  // In English.
  await page.getByTestId('history-state').selectOption('');
  await page.getByTestId('history-class').selectOption('real');
  await page.getByRole('button', { name: 'English' }).click();
  await expect(page.getByTestId('history-count')).toHaveText('1–2 of 2');
  await rows.nth(1).getByTestId('history-open').click();
  await expect(record).toContainText(`Timeline of incident ${first}`);
  await page.screenshot({ path: test.info().outputPath('history-en-1440x900.png') });
});

test('an admin has no history tab (the core refuses the command too: test/unit/main/history.test.ts)', async ({ page }) => {
  await logIn(page, core, 'admin');
  await expect(page.getByTestId('tab-admin')).toBeVisible();
  await expect(page.getByTestId('tab-history')).toHaveCount(0);
});

// test/e2e — the chief reads the response-time statistics (issue 12, first slice): two real alarms and a drill are
// pressed and acknowledged; the statistics tab counts the real ones (the drill apart), lists the incidents behind a
// figure (each opening its record), its CSV (UTF-8 with BOM) and XLSX exports hold exactly the rows on screen, and its
// printable report has the same tables and prints to a PDF.
import fs from 'node:fs';
import { expect, test, type Locator } from '@playwright/test';
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

/** The text of every row of a table (head and body), cell by cell, as a person reads it. */
const tableRows = (table: Locator): Promise<string[][]> =>
  table.evaluate((t) => [...t.querySelectorAll('tr')].map((tr) => [...tr.querySelectorAll('th, td')].map((c) => (c as HTMLElement).innerText.trim())));

test('a chief reads n = 2 for real alarms (the drill apart), the ids behind a figure, CSV and XLSX equal to the screen, a printed report', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 720 });
  await logIn(page, core, 'chief');
  await pressAndAcknowledge(page, core, 0, 'stats-real-1');
  const late = await pressAndAcknowledge(page, core, 1, 'stats-real-2', { late: true });
  await pressAndAcknowledge(page, core, 2, 'stats-drill-1', { drill: true });
  const schools = new Set([0, 1].map((i) => core.credentials.terminals[i]!.schoolId)).size;

  await page.getByTestId('tab-stats').click();
  const summary = page.getByTestId('stats-summary');
  await expect(page.getByTestId('stats-summary-title')).toContainText('共 2 起');
  const ackRow = summary.locator('tr[data-interval=acknowledged] td');
  await expect(ackRow.nth(0)).toHaveText('收到→接警');
  await expect(ackRow.nth(1)).toHaveText('2');
  // One of two acknowledged within the 10 s target: 50 %, shown red (below 90 %), and one outside.
  await expect(ackRow.nth(6)).toHaveText('50.0 %');
  await expect(ackRow.nth(6)).toHaveClass(/below/);
  await expect(ackRow.nth(7)).toHaveText('1');
  // Grouped by school (the default): one row per school of the two real alarms.
  await expect(page.getByTestId('stats-groups').locator('tbody tr')).toHaveCount(schools);

  // The drill is counted apart.
  await page.getByTestId('stats-class').selectOption('drill');
  await expect(page.getByTestId('stats-summary-title')).toContainText('共 1 起');
  await expect(ackRow.nth(1)).toHaveText('1');
  await page.getByTestId('stats-class').selectOption('real');
  await expect(page.getByTestId('stats-summary-title')).toContainText('共 2 起');

  // The figure's incidents outside target, one click away.
  await page.getByTestId('stats-outside-acknowledged').click();
  await expect(page.getByTestId('stats-listing').locator('li')).toHaveText([late]);
  // Each of them opens its whole record: here, acknowledged after the target.
  await page.getByTestId('stats-incident').click();
  await expect(page.getByTestId('incident-record')).toHaveAttribute('data-incident-id', late);
  await expect(page.getByTestId('incident-record').locator('li[data-type="incident.acknowledged"] .plus')).toHaveText(/^\+(1[1-9]|[2-5]\d)\.\d s$/);
  await page.getByTestId('incident-record-close').click();

  await page.screenshot({ path: test.info().outputPath('stats-zh-1280x720.png') });

  // The CSV export: the same rows as the two tables on screen, UTF-8 with a BOM.
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('stats-export').click()]);
  expect(download.suggestedFilename()).toMatch(/^response-stats-\d{4}-\d{2}-\d{2}-\d{4}-\d{2}-\d{2}-real-school\.csv$/);
  const bytes = fs.readFileSync(await download.path());
  expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  const parsed = parseCsv(bytes.toString('utf8'));
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.error));
  const screen = [...(await tableRows(summary)), ...(await tableRows(page.getByTestId('stats-groups')))];
  expect(parsed.records.map((r) => r.fields)).toEqual(screen);
  expect(screen).toHaveLength(1 + 6 + 1 + schools);

  // The XLSX export: a sheet per table, read back by another reader: the same cells (counts as numbers).
  const [xlsx] = await Promise.all([page.waitForEvent('download'), page.getByTestId('stats-export-xlsx').click()]);
  expect(xlsx.suggestedFilename()).toMatch(/^response-stats-\d{4}-\d{2}-\d{2}-\d{4}-\d{2}-\d{2}-real-school\.xlsx$/);
  const book = await readXlsxFile(fs.readFileSync(await xlsx.path()), { trim: false });
  expect(book.map((b) => b.sheet)).toEqual(['汇总', '学校']);
  const asText = (rows: unknown[][]): string[][] => rows.map((r) => r.map((x) => String(x)));
  expect(asText(book[0]!.data)).toEqual(await tableRows(summary));
  expect(asText(book[1]!.data)).toEqual(await tableRows(page.getByTestId('stats-groups')));
  expect(book[0]!.data[2]![1]).toBe(2); // n of received → acknowledged, a number

  // The printable report: the same tables as the screen, the late incident with what it missed, and a PDF.
  await page.getByTestId('stats-report').click();
  const report = page.getByTestId('report');
  await expect(report.getByTestId('report-outside').locator(`tr[data-incident-id="${late}"]`)).toContainText('收到→接警');
  expect(await tableRows(report.getByTestId('report-summary'))).toEqual(await tableRows(summary));
  expect(await tableRows(report.getByTestId('report-groups'))).toEqual(await tableRows(page.getByTestId('stats-groups')));
  await expect(report.getByTestId('report-period')).toContainText('真实报警 · 共 2 起');
  await page.emulateMedia({ media: 'print' });
  // Printed, the report is alone on the page: the console is not displayed.
  await expect(page.locator('.topbar')).toBeHidden();
  const pdfFile = test.info().outputPath('report-zh.pdf');
  await page.pdf({ path: pdfFile, format: 'A4', printBackground: true });
  const pdf = fs.readFileSync(pdfFile);
  expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
  const pages = (pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g) ?? []).length;
  expect(pages).toBeGreaterThanOrEqual(1);
  expect(pages).toBeLessThanOrEqual(3);
  await page.emulateMedia({ media: 'screen' });
  await report.getByTestId('report-close').click();
  await expect(report).toHaveCount(0);

  // In English: the same figures, the interface's words.
  await page.getByRole('button', { name: 'English' }).click();
  await expect(page.getByTestId('stats-summary-title')).toContainText('Summary (');
  await expect(ackRow.nth(0)).toHaveText('received → acknowledged');
  await expect(ackRow.nth(6)).toHaveText('50.0 %');
  await expect(page.getByTestId('stats-listing')).toContainText('Incidents outside target: received → acknowledged');
  await page.screenshot({ path: test.info().outputPath('stats-en-1280x720.png') });
});

// test/e2e — reference data import and export as the admin does it in the console: a guard-post CSV with one
// bad row is refused with its line and field and changes nothing; the corrected file is imported; exports are
// real downloads (blob: under the station's CSP) that parse back; a new terminal's token, shown once, works.
import fs from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { parseCsv, parseImport } from '../../shared/dataExchange';
import { startCoreProcess, type CoreProcess } from '../support/core';
import { connectTerminal } from '../support/terminal';
import { logIn } from './console';

let core: CoreProcess;
test.beforeEach(async () => {
  core = await startCoreProcess();
});
test.afterEach(async () => {
  await core?.stop();
});

/** Clicks an export button and returns the downloaded file's name and bytes. */
async function exportFile(page: Page, kind: string, format: 'csv' | 'json'): Promise<{ name: string; bytes: Buffer; text: string }> {
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId(`data-export-${kind}-${format}`).click()]);
  const file = await download.path();
  const bytes = fs.readFileSync(file);
  return { name: download.suggestedFilename(), bytes, text: bytes.toString('utf8') };
}

async function importFile(page: Page, kind: string, name: string, content: string): Promise<void> {
  await page.getByTestId('data-kind').selectOption(kind);
  await page
    .getByTestId('data-file')
    .setInputFiles({ name, mimeType: name.endsWith('.csv') ? 'text/csv' : 'application/json', buffer: Buffer.from(content, 'utf8') });
  await page.getByTestId('data-import').click();
}

test('guard posts: a bad row is refused with its line and field and nothing changes; the corrected file imports; exports parse back', async ({ page }) => {
  await logIn(page, core, 'admin');
  await page.getByTestId('tab-admin').click();
  await expect(page.getByTestId('data-exchange')).toBeVisible();

  const before = await exportFile(page, 'guardPosts', 'csv');
  expect(before.name).toMatch(/^guardPosts-\d{8}-\d{4}\.csv$/);
  expect([...before.bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]); // the BOM Excel needs
  const parsedBefore = parseImport('guardPosts', 'csv', before.text);
  if (!parsedBefore.ok) throw new Error(JSON.stringify(parsedBefore.errors));
  const postsBefore = parsedBefore.rows.length;
  expect(postsBefore).toBeGreaterThan(0);
  const schoolId = parsedBefore.rows[0]!.schoolId!;

  // One good row (line 2), one row whose lat is not a number (line 3), and a record spanning two lines (line 4) whose
  // name holds the line break: a name holds no control character (the admin form refuses it too).
  const header = 'id,name,schoolId,lat,lng,days,windows';
  const bad = [
    header,
    `post-e2e-1,导入测试护学岗一,${schoolId},41.30,117.70,1-5,07:10-08:10;16:30-17:30`,
    `post-e2e-2,导入测试护学岗二,${schoolId},abc,117.71,"1,2,3,4,5",07:20-08:00`,
    `post-e2e-3,"导入测试护学岗三
（两行）",${schoolId},41.32,117.72,1-5,07:00-08:00`,
  ].join('\r\n');
  await importFile(page, 'guardPosts', 'posts.csv', bad);
  const errors = page.getByTestId('data-errors');
  await expect(errors).toBeVisible();
  await expect(errors).toContainText(/数据未作任何更改|nothing was changed/);
  const rows = page.getByTestId('data-error-row');
  await expect(rows).toHaveCount(2);
  await expect(rows.first()).toHaveAttribute('data-line', '3');
  await expect(rows.first()).toHaveAttribute('data-field', 'lat');
  await expect(rows.first()).toContainText('lat must be a number between -90 and 90, got "abc"');
  await expect(rows.nth(1)).toHaveAttribute('data-line', '4');
  await expect(rows.nth(1)).toHaveAttribute('data-field', 'name');
  await expect(rows.nth(1)).toContainText('must not contain control characters');

  // Nothing changed: the export is byte for byte what it was.
  const unchanged = await exportFile(page, 'guardPosts', 'csv');
  expect(unchanged.text).toBe(before.text);

  // The corrected file (the name on one line, in a quoted field all the same): three posts added.
  await importFile(page, 'guardPosts', 'posts.csv', bad.replace(',abc,', ',41.31,').replace('三\n（', '三 （'));
  const result = page.getByTestId('data-result');
  await expect(result).toBeVisible();
  await expect(result).toHaveAttribute('data-added', '3');
  await expect(result).toHaveAttribute('data-updated', '0');
  await expect(page.getByTestId('data-errors')).toHaveCount(0);

  const after = await exportFile(page, 'guardPosts', 'csv');
  const parsedAfter = parseImport('guardPosts', 'csv', after.text);
  if (!parsedAfter.ok) throw new Error(JSON.stringify(parsedAfter.errors));
  expect(parsedAfter.rows).toHaveLength(postsBefore + 3);
  expect(parsedAfter.rows.find((r) => r.id === 'post-e2e-3')).toMatchObject({
    name: '导入测试护学岗三 （两行）',
    days: [1, 2, 3, 4, 5],
    windows: [{ start: '07:00', end: '08:00' }],
  });
  // Every record written back on a line of its own.
  const csv = parseCsv(after.text);
  expect(csv.ok && csv.records.length).toBe(postsBefore + 4);

  // JSON export of the same kind parses back too.
  const json = await exportFile(page, 'guardPosts', 'json');
  expect(json.name).toMatch(/\.json$/);
  const parsedJson = parseImport('guardPosts', 'json', json.text);
  expect(parsedJson.ok && parsedJson.rows).toEqual(parsedAfter.rows);
});

test('terminals: a new terminal gets a token shown once, and it connects; exports hold no secret', async ({ page }) => {
  await logIn(page, core, 'admin');
  await page.getByTestId('tab-admin').click();
  const schoolId = core.credentials.terminals[0]!.schoolId;
  await importFile(page, 'terminals', 'terminals.json', JSON.stringify([{ deviceId: 'term-e2e-import', schoolId, label: '导入终端' }]));
  await expect(page.getByTestId('data-result')).toHaveAttribute('data-added', '1');
  const tokens = page.getByTestId('data-tokens');
  await expect(tokens).toContainText('term-e2e-import');
  const token = (await tokens.locator('code').textContent())!.trim();
  const t = await connectTerminal(core.url, 'term-e2e-import', token);
  t.close();
  // The admin table lists it (reference data pushed to the console).
  await expect(page.locator('[data-testid=admin-row][data-device-id="term-e2e-import"]')).toBeVisible();

  const exported = await exportFile(page, 'terminals', 'csv');
  expect(exported.text).not.toContain(token);
  expect(exported.text).not.toMatch(/secret|salt|hash/i);
  expect(exported.text).toContain('term-e2e-import');
});

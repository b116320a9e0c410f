// test/e2e — the monthly report as a PDF file in the desktop app (issue 12, item 3): where the Electron shell's bridge
// is present (window.stationShell, main/shell/preload.cts), the report offers "save as PDF" and hands the shell a file
// name made of the station, the report and its period, then says where it was saved or why it was not; in a plain
// browser there is no such button (the print dialog's "save as PDF" serves). The shell's side (printToPDF and the
// save dialog, main/shell/electron.ts) needs the Electron binary, which this machine cannot download: not run here.
import { expect, test, type Page } from '@playwright/test';
import { startCoreProcess, type CoreProcess } from '../support/core';
import { logIn } from './console';

let core: CoreProcess;
test.beforeEach(async () => {
  core = await startCoreProcess();
});
test.afterEach(async () => {
  await core?.stop();
});

/** The shell's bridge as the preload exposes it, answering `answer` and keeping the names it was asked to save. */
async function withShell(page: Page, answer: unknown): Promise<void> {
  await page.addInitScript((a) => {
    const asked: string[] = [];
    Object.assign(window, {
      askedPdf: asked,
      stationShell: {
        notify: () => undefined,
        requestAttention: () => undefined,
        savePdf: (name: string) => {
          asked.push(name);
          return Promise.resolve(a);
        },
      },
    });
  }, answer);
}

async function openReport(page: Page): Promise<void> {
  await logIn(page, core, 'chief');
  await page.getByTestId('tab-stats').click();
  await page.getByTestId('stats-report').click();
  await expect(page.getByTestId('report')).toBeVisible();
}

test('in the desktop app the report is saved as a PDF file named after the station and the period', async ({ page }) => {
  await withShell(page, { ok: true, path: 'D:\\报表\\月报.pdf' });
  await openReport(page);
  await page.getByTestId('report-save-pdf').click();
  await expect(page.getByTestId('report').getByRole('status')).toHaveText('已保存：D:\\报表\\月报.pdf');
  const asked = await page.evaluate(() => (window as unknown as { askedPdf: string[] }).askedPdf);
  expect(asked).toHaveLength(1);
  expect(asked[0]).toMatch(/^示例派出所.*-\d{4}-\d{2}-\d{2}-\d{4}-\d{2}-\d{2}$/);
});

test('a failed save says why', async ({ page }) => {
  await withShell(page, { ok: false, message: 'disk full' });
  await openReport(page);
  await page.getByTestId('report-save-pdf').click();
  await expect(page.getByTestId('report').getByRole('alert')).toHaveText('未能保存 PDF：disk full');
});

test('in a plain browser there is no save-as-PDF button, only print', async ({ page }) => {
  await openReport(page);
  await expect(page.getByTestId('report-print')).toBeVisible();
  await expect(page.getByTestId('report-save-pdf')).toHaveCount(0);
});

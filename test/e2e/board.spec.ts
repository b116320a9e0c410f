// test/e2e — the three-year-plan board (issue 12): a school with three drills and a test press this semester meets
// those targets; a school with neither is shown red; the totals count the schools that meet each target; the
// filter keeps only the schools below target. Real core, terminals over socket.io, real Chromium.
import { expect, test } from '@playwright/test';
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

test('the board shows a school below target in red, and one that meets it not', async ({ page }) => {
  await page.setViewportSize({ width: 1440, height: 900 });
  await logIn(page, core, 'chief');
  const [a, b] = core.credentials.terminals;
  const term = await connectTerminal(core.url, a!.deviceId, a!.token);
  // Three drills (three kinds: a further press of an open kind would join its incident) and a test press.
  for (const kind of ['panic', 'fire', 'violence'] as const)
    expect(await term.press({ alarmId: `drill-${kind}`, kind, drill: true })).toMatchObject({ ok: true });
  expect(await term.press({ alarmId: 'test-1', kind: 'test' })).toMatchObject({ ok: true });

  await page.getByTestId('tab-board').click();
  await expect(page.getByTestId('board-semester')).toContainText(/学期/);
  const rowA = page.locator(`[data-testid=board-row][data-school-id="${a!.schoolId}"]`);
  const rowB = page.locator(`[data-testid=board-row][data-school-id="${b!.schoolId}"]`);
  await expect(rowA.locator('[data-cell=drills]')).toHaveText('3/3');
  await expect(rowA.locator('[data-cell=drills]')).not.toHaveClass(/below/);
  await expect(rowA.locator('[data-cell=test]')).not.toHaveClass(/below/);
  // A's terminal is connected; B's is registered but not connected.
  await expect(rowA.locator('[data-cell=networked]')).toHaveText('1/1');
  await expect(rowA.locator('[data-cell=networked]')).not.toHaveClass(/below/);
  await expect(rowB.locator('[data-cell=networked]')).toHaveText('0/1');
  await expect(rowB.locator('[data-cell=networked]')).toHaveClass(/below/);
  await expect(rowB.locator('[data-cell=drills]')).toHaveText('0/3');
  await expect(rowB.locator('[data-cell=drills]')).toHaveClass(/below/);
  await expect(rowB.locator('[data-cell=test]')).toHaveText('从未');
  await expect(rowB.locator('[data-cell=test]')).toHaveClass(/below/);
  // No real alarm: nothing to be short of.
  await expect(rowB.locator('[data-cell=priority]')).toHaveText('无报警');
  await expect(rowB.locator('[data-cell=priority]')).not.toHaveClass(/below/);
  // The totals: of all the demo's schools, one has had its drills.
  const totals = page.getByTestId('board-totals').locator('th');
  await expect(totals.nth(3)).toHaveText('1');
  await page.screenshot({ path: test.info().outputPath('board-zh-1440x900.png') });

  // Only the schools below target: B stays.
  await page.getByTestId('board-only-short').check();
  await expect(rowB).toHaveCount(1);
  await page.getByRole('button', { name: 'English' }).click();
  await expect(rowB.locator('[data-cell=test]')).toHaveText('never');
  await page.screenshot({ path: test.info().outputPath('board-en-1440x900.png') });
  await term.close();
});

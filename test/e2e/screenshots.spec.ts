// test/e2e — the console as the README shows it: several alarms, one taken. Also checks that what an
// officer must read at 3 a.m. is large and on screen. `UPDATE_SCREENSHOTS=1` writes docs/screenshots/.
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { ROOT, startCoreProcess } from '../support/core';
import { connectTerminal } from '../support/terminal';
import { incident, logIn } from './console';

const outDir = process.env.UPDATE_SCREENSHOTS ? path.join(ROOT, 'docs', 'screenshots') : path.join(ROOT, 'test-results', 'screenshots');

test('console with active alarms is legible, in Chinese and in English', async ({ page }) => {
  const core = await startCoreProcess();
  try {
    await logIn(page, core);
    const c = core.credentials.terminals;
    const t1 = await connectTerminal(core.url, c[0]!.deviceId, c[0]!.token);
    const t2 = await connectTerminal(core.url, c[16]!.deviceId, c[16]!.token);
    const t3 = await connectTerminal(core.url, c[24]!.deviceId, c[24]!.token);
    await t3.press({ alarmId: 'shot-3', kind: 'medical', note: '学生晕倒，已拨120' });
    await incident(page, 'shot-3').getByTestId('ack').click();
    await expect(incident(page, 'shot-3')).toHaveAttribute('data-state', 'acknowledged');
    await t2.press({ alarmId: 'shot-2', kind: 'intrusion', drill: true, note: '演练：东门入侵' });
    await t1.press({ alarmId: 'shot-1', kind: 'panic', note: '校门口有可疑人员持刀' });
    const first = incident(page, 'shot-1');
    await expect(first).toBeVisible();
    // A real alarm before a drill, even a newer one; the acknowledged one last.
    await expect(page.locator('[data-testid=incident]')).toHaveCount(3);
    const order = await page.locator('[data-testid=incident]').evaluateAll((els) => els.map((e) => e.getAttribute('data-alarm-id')));
    expect(order).toEqual(['shot-1', 'shot-2', 'shot-3']);
    // Readable: the school name is large, the acknowledge button is on screen without scrolling.
    const size = await first.locator('.school').evaluate((el) => parseFloat(getComputedStyle(el).fontSize));
    expect(size).toBeGreaterThanOrEqual(20);
    await expect(first.getByTestId('ack')).toBeInViewport();
    await page.waitForTimeout(1200); // let the map finish flying
    await page.screenshot({ path: path.join(outDir, 'console-alarm.png') });

    await page.getByRole('button', { name: 'English' }).click();
    await expect(first.getByTestId('ack')).toHaveText('Acknowledge');
    await page.screenshot({ path: path.join(outDir, 'console-alarm-en.png') });
    [t1, t2, t3].forEach((t) => t.close());
  } finally {
    await core.stop();
  }
});

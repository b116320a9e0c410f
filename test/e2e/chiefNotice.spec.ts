// test/e2e — the chief's notice (issue 12): an alarm nobody acknowledges within the acknowledge target reaches the
// chief's console even while the chief reads the history: the escalation banner, and an OS notification through
// the desktop shell's bridge (window.stationShell, here a recording stand-in installed before the page loads; in a
// plain browser there is none). Real core, a real terminal, real Chromium.
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

test('an alarm past its acknowledge target notifies the chief, on whichever tab', async ({ page }) => {
  test.setTimeout(60_000);
  await page.addInitScript(() => {
    const w = window as unknown as { __notes: string[]; stationShell: unknown };
    w.__notes = [];
    w.stationShell = { notify: (title: string, body: string) => w.__notes.push(`${title} | ${body}`), requestAttention: () => w.__notes.push('attention') };
  });
  await logIn(page, core, 'chief');
  await page.getByTestId('tab-history').click();
  const t = core.credentials.terminals[4]!;
  const term = await connectTerminal(core.url, t.deviceId, t.token);
  expect(await term.press({ alarmId: 'unanswered', kind: 'intrusion' })).toMatchObject({ ok: true });
  // The new alarm is announced at once; past the 10 s acknowledge target the core escalates it.
  await expect
    .poll(() => page.evaluate(() => (window as unknown as { __notes: string[] }).__notes.join('\n')))
    .toContain(`校园报警 School alarm | ${t.schoolName}`);
  await expect(page.getByTestId('escalation-banner')).toBeVisible({ timeout: 20_000 });
  await expect(page.getByTestId('escalation-banner')).toContainText('1 起报警超过接警时限');
  const notes = await page.evaluate(() => (window as unknown as { __notes: string[] }).__notes);
  expect(notes).toContain(`⚠ 报警超时未接警 Alarm not acknowledged | ${t.schoolName}`);
  // Still on the history tab: the notice came to the chief where the chief was.
  await expect(page.getByTestId('history')).toBeVisible();
  await term.close();
});

// test/e2e — losing the station is loud: the core dies under a logged-in console → a full-width banner and the
// link-loss sound (not the alarm's) within 3 s, until the core is back; logging out with alarms awaiting 接警 asks
// first, in the app's own dialog, naming how many.
import { expect, test } from '@playwright/test';
import { freshDataDir, startCoreProcess, type CoreProcess } from '../support/core';
import { connectTerminal } from '../support/terminal';
import { incident, logIn, soundsPlaying } from './console';

let core: CoreProcess | undefined;
test.afterEach(async () => {
  await core?.stop();
});

test('the core is killed: banner and link-loss sound within 3 s, both gone when it is back', async ({ page }) => {
  const dataDir = freshDataDir();
  core = await startCoreProcess({ dataDir });
  const port = core.port;
  await logIn(page, core);
  await expect(page.getByTestId('link-lost-banner')).toHaveCount(0);
  await expect(page.getByTestId('sound-state')).toHaveAttribute('data-sound', 'idle');
  expect(await soundsPlaying(page)).toEqual([]);

  await core.kill();
  const down = Date.now(); // the process is gone: its socket closed with it
  await expect(page.getByTestId('link-lost-banner')).toBeVisible({ timeout: 3000 });
  await expect(page.getByTestId('link-lost-banner')).toContainText('连接已中断');
  await expect(page.getByTestId('sound-state')).toHaveAttribute('data-tone', 'link', { timeout: 3000 - (Date.now() - down) });
  await expect.poll(() => soundsPlaying(page), { timeout: Math.max(100, 3000 - (Date.now() - down)) }).toEqual(['link.wav']);
  expect(Date.now() - down).toBeLessThan(3000);
  // It stays while the station is away.
  await page.waitForTimeout(1500);
  await expect(page.getByTestId('link-lost-banner')).toBeVisible();
  expect(await soundsPlaying(page)).toEqual(['link.wav']);

  core = await startCoreProcess({ dataDir, port });
  await expect(page.getByTestId('link-state')).toHaveText(/已连接|Connected/, { timeout: 15_000 });
  await expect(page.getByTestId('link-lost-banner')).toHaveCount(0);
  await expect.poll(() => soundsPlaying(page)).toEqual([]);
  await expect(page.getByTestId('sound-state')).toHaveAttribute('data-sound', 'idle');
});

test('an alarm awaiting 接警 while the link is lost: the link-loss sound, and the alarm sound once it is back', async ({ page }) => {
  const dataDir = freshDataDir();
  core = await startCoreProcess({ dataDir });
  const port = core.port;
  const t = core.credentials.terminals[3]!;
  const term = await connectTerminal(core.url, t.deviceId, t.token);
  expect(await term.press({ alarmId: 'before-link-loss', kind: 'violence' })).toMatchObject({ ok: true });
  term.close();
  await logIn(page, core);
  await expect(incident(page, 'before-link-loss')).toBeVisible();
  await expect.poll(() => soundsPlaying(page)).toEqual(['alarm.wav']);
  await core.kill();
  await expect.poll(() => soundsPlaying(page), { timeout: 3000 }).toEqual(['link.wav']);
  core = await startCoreProcess({ dataDir, port });
  await expect(page.getByTestId('link-lost-banner')).toHaveCount(0, { timeout: 15_000 });
  await expect.poll(() => soundsPlaying(page)).toEqual(['alarm.wav']);
});

test('logging out with alarms awaiting 接警 asks first in the app, naming how many', async ({ page }) => {
  core = await startCoreProcess();
  page.on('dialog', () => {
    throw new Error('a browser dialog (window.confirm) was opened');
  });
  const terms = await Promise.all(
    [4, 5].map((i) => connectTerminal(core!.url, core!.credentials.terminals[i]!.deviceId, core!.credentials.terminals[i]!.token)),
  );
  await logIn(page, core);
  for (const [i, term] of terms.entries()) expect(await term.press({ alarmId: `waiting-${i}`, kind: 'intrusion' })).toMatchObject({ ok: true });
  await expect(incident(page, 'waiting-1')).toBeVisible();

  await page.getByTestId('logout').click();
  const dialog = page.getByRole('alertdialog');
  await expect(dialog).toBeVisible();
  await expect(dialog).toContainText('还有 2 起报警尚未接警');
  // Staying keeps the officer on duty (the focus starts on "stay": Enter does not log out by accident).
  await expect(page.getByTestId('logout-stay')).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(dialog).toHaveCount(0);
  await expect(page.getByTestId('link-state')).toHaveText(/已连接/);

  // One taken: the question names one.
  await incident(page, 'waiting-0').getByTestId('ack').click();
  await expect(incident(page, 'waiting-0')).toHaveAttribute('data-state', 'acknowledged');
  await page.getByTestId('logout').click();
  await expect(dialog).toContainText('还有 1 起报警尚未接警');
  await page.getByTestId('logout-anyway').click();
  await expect(page.getByRole('button', { name: /^(登录|Log in)$/ })).toBeVisible();
  // Logged out on purpose is not a lost link: no banner, no sound.
  await expect(page.getByTestId('link-lost-banner')).toHaveCount(0);
  await expect.poll(() => soundsPlaying(page)).toEqual([]);
  terms.forEach((t) => t.close());
});

test('logging out with nothing awaiting 接警 asks nothing', async ({ page }) => {
  core = await startCoreProcess();
  await logIn(page, core);
  await page.getByTestId('logout').click();
  await expect(page.getByRole('button', { name: /^(登录|Log in)$/ })).toBeVisible();
  await expect(page.getByRole('alertdialog')).toHaveCount(0);
});

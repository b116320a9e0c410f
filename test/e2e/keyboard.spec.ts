// test/e2e — hands (issue 11, point 10): the duty officer works alarms by keyboard alone. A takes the most urgent
// alarm (real before drill, then oldest) and moves the focus into its panel, D dispatches the nearest free unit,
// J/K step through the queue, Enter opens a focused card, M mutes the sound for 30 s with a reason (journalled
// with the officer's name), ? shows the shortcut sheet in both languages. No shortcut fires while typing, and
// every control on the screen has an accessible name.
import { expect, test, type Page } from '@playwright/test';
import type { JournalRecord } from '../../shared/events';
import { startCoreProcess, type CoreProcess } from '../support/core';
import { connectTerminal, type TestTerminal } from '../support/terminal';
import { connectUnit } from '../support/unit';
import { incident, journalOf, logIn } from './console';

let core: CoreProcess;
const closers: (() => void)[] = [];
test.use({ viewport: { width: 1280, height: 720 } });
test.beforeEach(async () => {
  core = await startCoreProcess();
});
test.afterEach(async () => {
  closers.splice(0).forEach((c) => c());
  await core?.stop();
});

async function terminal(i: number): Promise<TestTerminal> {
  const c = core.credentials.terminals[i]!;
  const t = await connectTerminal(core.url, c.deviceId, c.token);
  closers.push(() => t.close());
  return t;
}
const journal = (): JournalRecord[] => journalOf(core);
const panel = (page: Page) => page.getByTestId('incident-panel');
const idOf = async (page: Page, alarmId: string): Promise<string> => (await incident(page, alarmId).getAttribute('data-incident-id'))!;
const activeTestId = (page: Page) => page.evaluate(() => document.activeElement?.getAttribute('data-testid') ?? document.activeElement?.tagName);

test('keyboard alone: 接警 the most urgent, focus in the panel, dispatch the nearest, step, mute with a reason', async ({ page }) => {
  await logIn(page, core);
  const u = core.credentials.units[0]!;
  const unit = await connectUnit(core.url, u.unitId, u.token);
  closers.push(() => unit.close());
  const [a, b, c] = await Promise.all([terminal(0), terminal(8), terminal(16)]);
  await a!.press({ alarmId: 'k-drill', kind: 'intrusion', drill: true }); // oldest, but a drill
  await b!.press({ alarmId: 'k-real-1', kind: 'violence' }); // the most urgent: real, oldest real
  await c!.press({ alarmId: 'k-real-2', kind: 'panic' });
  await expect(page.locator('[data-testid=incident]')).toHaveCount(3);
  const real1 = await idOf(page, 'k-real-1');

  // The page has the focus, not a field: A takes the most urgent alarm.
  await page.locator('body').click({ position: { x: 5, y: 700 } });
  await page.keyboard.press('a');
  await expect(incident(page, 'k-real-1')).toHaveAttribute('data-state', 'acknowledged');
  await expect(incident(page, 'k-real-2').getByTestId('ack')).toBeVisible(); // only the one
  expect(journal().find((r) => r.event.type === 'incident.acknowledged')?.event).toMatchObject({ incidentId: real1, operator: { username: 'officer' } });
  // The focus moved into its panel.
  await expect(panel(page)).toHaveAttribute('data-incident-id', real1);
  await expect(panel(page)).toBeFocused();

  // D dispatches the nearest free unit: the first available candidate.
  const first = panel(page).locator('[data-testid=candidate]:not(.unavailable)').first();
  await expect(first).toBeVisible();
  const nearest = await first.getAttribute('data-unit-id');
  await page.keyboard.press('d');
  await expect(panel(page).locator(`[data-testid=dispatch][data-unit-id="${nearest}"]`)).toBeVisible();
  expect(journal().find((r) => r.event.type === 'incident.dispatched')?.event).toMatchObject({ incidentId: real1, unitId: nearest });

  // J / K step through the queue (real, real, drill) and open each; the card has the focus.
  await page.keyboard.press('j');
  await expect(panel(page)).toHaveAttribute('data-incident-id', await idOf(page, 'k-real-2'));
  await expect(incident(page, 'k-real-2')).toBeFocused();
  await page.keyboard.press('j');
  await expect(panel(page)).toHaveAttribute('data-incident-id', await idOf(page, 'k-drill'));
  await page.keyboard.press('k');
  await expect(panel(page)).toHaveAttribute('data-incident-id', await idOf(page, 'k-real-2'));
  // Esc closes the panel; Tab to a card and Enter opens it.
  await page.keyboard.press('Escape');
  await expect(panel(page)).toHaveCount(0);
  await incident(page, 'k-drill').focus();
  await page.keyboard.press('Enter');
  await expect(panel(page)).toHaveAttribute('data-incident-id', await idOf(page, 'k-drill'));

  // M: mute for 30 s with a reason. Typing in the reason field fires no shortcut (its 'a' takes no alarm).
  expect(await page.getByTestId('sound-state').getAttribute('data-sound')).not.toBe('idle');
  await page.keyboard.press('m');
  await expect(page.getByTestId('mute-dialog')).toBeVisible();
  await expect(page.getByTestId('mute-reason')).toBeFocused();
  await page.keyboard.type('a call to the school, j k d');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('mute-dialog')).toHaveCount(0);
  await expect(page.getByTestId('sound-state')).toHaveText(/已静音|Muted/);
  await expect(page.getByTestId('sound-state')).toHaveAttribute('data-sound', 'idle');
  expect(journal().find((r) => r.event.type === 'sound.muted')?.event).toMatchObject({
    type: 'sound.muted',
    operator: { username: 'officer' },
    reason: 'a call to the school, j k d',
    durationMs: 30_000,
  });
  await expect(incident(page, 'k-real-2').getByTestId('ack')).toBeVisible(); // the typed 'a' took nothing
  expect(journal().filter((r) => r.event.type === 'incident.acknowledged')).toHaveLength(1);
  expect(journal().filter((r) => r.event.type === 'incident.dispatched')).toHaveLength(1);
  // The panel's fields are no shortcut either.
  await incident(page, 'k-real-1').click();
  await panel(page).getByTestId('note').locator('input').focus();
  await page.keyboard.type('ad');
  await expect(panel(page).getByTestId('note').locator('input')).toHaveValue('ad');
  expect(journal().filter((r) => r.event.type === 'incident.acknowledged')).toHaveLength(1);

  // A new alarm ends the mute at once: it sounds.
  await a!.press({ alarmId: 'k-real-3', kind: 'fire' });
  await expect(page.getByTestId('sound-state')).not.toHaveText(/已静音|Muted/);
  await expect(page.getByTestId('sound-state')).not.toHaveAttribute('data-sound', 'idle');
  expect(await activeTestId(page)).not.toBeUndefined();
});

test('the shortcut sheet (?) in Chinese and English; every control has an accessible name', async ({ page }) => {
  await logIn(page, core);
  const t = await terminal(3);
  await t.press({ alarmId: 'named', kind: 'panic' });
  await incident(page, 'named').getByTestId('ack').click();
  await expect(panel(page)).toBeVisible();
  await expect(panel(page)).toBeFocused(); // by mouse too, the focus moves into the panel after 接警

  await page.keyboard.press('?');
  const sheet = page.getByTestId('shortcut-sheet');
  await expect(sheet).toBeVisible();
  await expect(sheet).toContainText('接警：最紧急的未接警报警');
  await expect(sheet).toContainText('静音 30 秒');
  await page.keyboard.press('Escape');
  await expect(sheet).toHaveCount(0);
  await expect(panel(page)).toBeVisible(); // Esc closed the sheet, not the panel

  await page.getByRole('button', { name: 'English' }).click();
  await page.getByRole('button', { name: 'Keyboard shortcuts' }).click();
  await expect(sheet).toContainText('Acknowledge the most urgent waiting alarm');
  await expect(sheet).toContainText('Mute the alarm sound for 30 s');
  await page.keyboard.press('?');
  await expect(sheet).toHaveCount(0);

  // Every visible control (buttons, fields, focusable cards, the panel) has an accessible name.
  await page.keyboard.press('m');
  await expect(page.getByTestId('mute-dialog')).toBeVisible();
  const controls = page.locator('button, input, select, textarea, [tabindex]');
  const n = await controls.count();
  expect(n).toBeGreaterThan(20);
  for (let i = 0; i < n; i++) {
    const el = controls.nth(i);
    if (!(await el.isVisible())) continue;
    await expect(el, await el.evaluate((x) => x.outerHTML.slice(0, 160))).toHaveAccessibleName(/\S/);
  }
});

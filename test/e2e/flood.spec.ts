// test/e2e — one terminal flooding alarms (issue 9, finding 8): its presses are one card with a count, and another
// school's violence alarm pressed in the middle of the flood is its own card, next in the queue and on screen.
import { expect, test } from '@playwright/test';
import { connectTerminal } from '../support/terminal';
import { startCoreProcess, type CoreProcess } from '../support/core';
import { incident, logIn } from './console';

let core: CoreProcess;
test.beforeEach(async () => {
  core = await startCoreProcess();
});
test.afterEach(async () => {
  await core?.stop();
});

test('a flooding terminal is one card with a count; another school’s violence alarm is its own card, right after it and on screen', async ({ page }) => {
  await logIn(page, core);
  const f = core.credentials.terminals[4]!;
  const h = core.credentials.terminals[5]!;
  const flooder = await connectTerminal(core.url, f.deviceId, f.token);
  const honest = await connectTerminal(core.url, h.deviceId, h.token);
  // The flood starts first, so its incident is the older one.
  expect(await flooder.press({ alarmId: 'flood-0', kind: 'panic' })).toMatchObject({ ok: true });
  const presses = Array.from({ length: 500 }, (_, i) => flooder.press({ alarmId: `flood-${i + 1}`, kind: 'panic' }));
  const violence = await honest.press({ alarmId: 'e2e-violence', kind: 'violence', note: '有人持刀' });
  expect(violence).toMatchObject({ ok: true });
  for (const a of await Promise.all(presses)) expect(a).toMatchObject({ ok: true });

  const cards = page.getByTestId('incident');
  await expect(incident(page, 'e2e-violence')).toBeVisible();
  await expect(incident(page, 'flood-0').getByTestId('pressed-again')).toContainText('500');
  // Two cards in all, and none of the 500 repeats is a card of its own.
  await expect(cards).toHaveCount(2);
  // Real alarms, unacknowledged, longest waiting first: the flood's one incident, then the violence alarm —
  // both on screen, neither buried.
  await expect(cards.nth(1)).toHaveAttribute('data-alarm-id', 'e2e-violence');
  await expect(incident(page, 'e2e-violence')).toBeInViewport();
  await flooder.close();
  await honest.close();
});

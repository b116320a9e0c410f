// test/e2e — issue 11, points 2 and 6 in the real console: a test press is answered by the station (接警 then
// 处置完毕), never sounds, is no card and not counted as awaiting 接警, and shows in the "tests today" strip;
// dispositions are right for a real alarm (chosen by the officer), a drill and a test, and the picker never
// carries the previous incident's value; a contradicting disposition needs a reason, journalled as the override.
import { expect, test, type Page } from '@playwright/test';
import type { IncidentResolved, JournalRecord } from '../../shared/events';
import { startCoreProcess, type CoreProcess } from '../support/core';
import { connectTerminal, type TestTerminal } from '../support/terminal';
import { alarmAudible, incident, logIn, journalOf } from './console';

let core: CoreProcess;
const closers: (() => void)[] = [];
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
const resolvedIn = (incidentId: string): IncidentResolved | undefined =>
  journal()
    .map((r) => r.event)
    .find((e): e is IncidentResolved => e.type === 'incident.resolved' && e.incidentId === incidentId);
const panel = (page: Page) => page.getByTestId('incident-panel');
const resolveForm = (page: Page) => panel(page).getByTestId('resolve');

test('a test press is answered by the station, never sounds, is no card, and shows in the tests-today strip', async ({ page }) => {
  await logIn(page, core, 'officer');
  await expect(page.getByTestId('tests-today')).toBeVisible();
  const t = await terminal(3);
  const ack = await t.press({ alarmId: 'monthly-test', kind: 'test' });
  expect(ack).toMatchObject({ ok: true });
  await t.waitForStatus('monthly-test', 'acknowledged');
  await t.waitForStatus('monthly-test', 'resolved');
  const strip = page.getByTestId('tests-today');
  await expect(strip.getByTestId('test-press')).toHaveCount(1);
  await expect(strip).toContainText(/\d\d:\d\d:\d\d/);
  await expect(incident(page, 'monthly-test')).toHaveCount(0);
  await expect(page.locator('.queue h2 .count')).toContainText('0');
  // A real alarm afterwards sounds; the test press never did.
  expect(await alarmAudible(page)).toBe(false);
  const types = journal().map((r) => r.event.type);
  expect(types.slice(types.indexOf('alarm.received'))).toEqual(expect.arrayContaining(['alarm.received', 'test.acknowledged']));
  await page.screenshot({ path: test.info().outputPath('tests-today.png') });
});

test('dispositions: chosen for a real alarm, from the kind for a drill, never carried over; a contradiction needs a reason', async ({ page }) => {
  await logIn(page, core, 'officer');
  const t = await terminal(5);
  const drill = await t.press({ alarmId: 'drill-1', kind: 'panic', drill: true });
  const real = await t.press({ alarmId: 'real-1', kind: 'intrusion' });
  if (!drill.ok || !real.ok) throw new Error('refused');

  // The drill: the picker starts from its kind, and a drill is resolved as a drill.
  await incident(page, 'drill-1').getByTestId('ack').click();
  await incident(page, 'drill-1').click();
  await expect(resolveForm(page).locator('select[name=disposition]')).toHaveValue('drill');
  await resolveForm(page).getByRole('button').click();
  await expect(panel(page)).toHaveAttribute('data-state', 'resolved');
  await expect.poll(() => resolvedIn(drill.incidentId)?.disposition).toBe('drill');

  // The real alarm, opened next: empty, not the drill's value; 处置完毕 waits for a choice.
  await incident(page, 'real-1').getByTestId('ack').click();
  await incident(page, 'real-1').click();
  await expect(resolveForm(page).locator('select[name=disposition]')).toHaveValue('');
  await expect(resolveForm(page).getByRole('button')).toBeDisabled();
  // Resolving a real alarm as a drill contradicts it: a reason is asked for, and journalled as the override.
  await resolveForm(page).locator('select[name=disposition]').selectOption('drill');
  await expect(resolveForm(page).getByTestId('override')).toBeVisible();
  await expect(resolveForm(page).getByRole('button')).toBeDisabled();
  await page.screenshot({ path: test.info().outputPath('override.png') });
  await resolveForm(page).locator('select[name=disposition]').selectOption('real');
  await expect(resolveForm(page).getByTestId('override')).toHaveCount(0);
  await resolveForm(page).getByRole('button').click();
  await expect.poll(() => resolvedIn(real.incidentId)?.disposition).toBe('real');
  expect(resolvedIn(real.incidentId)?.override).toBeUndefined();

  // A second drill: resolving it as real needs the override, and the reason is in the journal.
  const drill2 = await t.press({ alarmId: 'drill-2', kind: 'fire', drill: true });
  if (!drill2.ok) throw new Error('refused');
  await incident(page, 'drill-2').getByTestId('ack').click();
  await incident(page, 'drill-2').click();
  await expect(resolveForm(page).locator('select[name=disposition]')).toHaveValue('drill');
  await resolveForm(page).locator('select[name=disposition]').selectOption('real');
  await resolveForm(page).locator('input[name=override]').fill('演练中发现真实火情');
  await resolveForm(page).getByRole('button').click();
  await expect.poll(() => resolvedIn(drill2.incidentId)?.override).toEqual({ reason: '演练中发现真实火情' });
  expect(resolvedIn(drill2.incidentId)?.disposition).toBe('real');

  // The test press: closed by the station with disposition test, by no officer.
  await t.press({ alarmId: 'test-1', kind: 'test' });
  await t.waitForStatus('test-1', 'resolved');
  const testEvents = journal().map((r) => r.event);
  const received = testEvents.find((e) => e.type === 'alarm.received' && e.alarmId === 'test-1');
  expect(testEvents).toContainEqual(expect.objectContaining({ type: 'test.acknowledged', incidentId: (received as { incidentId: string }).incidentId }));
});

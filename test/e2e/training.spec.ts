// test/e2e — station training (issue 13): a scripted scenario plays at 5× on a training console, is scored, and
// leaves the duty console, the journal and the statistics untouched (no sound, no queue item there); a real alarm
// injected mid-training takes over on the training console (paused, the alarm tone) and sounds on the duty console;
// a replayed real incident reproduces its original order of events. Real core, terminals and units over socket.io,
// real Chromium. Screenshots of the trainer's screens in zh and en (UPDATE_SCREENSHOTS=1 writes docs/screenshots/).
import fs from 'node:fs';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { startCoreProcess, type CoreProcess } from '../support/core';
import { connectTerminal } from '../support/terminal';
import { connectUnit } from '../support/unit';
import { incident, journalOf, logIn, soundsPlaying } from './console';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const shot = (name: string): string => path.join(ROOT, process.env.UPDATE_SCREENSHOTS ? 'docs/screenshots' : 'test-results/screenshots', name);

let core: CoreProcess;
test.beforeEach(async () => {
  core = await startCoreProcess();
});
test.afterEach(async () => {
  await core?.stop();
});

const item = (page: Page, index: number) => page.locator(`[data-testid=training-item][data-index="${index}"]`);

async function loadScenario(page: Page, text: string, trainee: string, speed: number): Promise<void> {
  await page.getByTestId('tab-training').click();
  await page.getByTestId('train-scenario').fill(text);
  await page.getByTestId('train-trainee').fill(trainee);
  await page.getByTestId('train-speed').selectOption(String(speed));
}

test('a scenario at 5× on a training console is scored; duty consoles, journal and statistics never see it; a real alarm takes over', async ({
  page,
  browser,
}) => {
  test.setTimeout(120_000);
  await page.setViewportSize({ width: 1600, height: 900 });
  const [a, b, c] = core.credentials.terminals;
  // The duty console, in its own browser context.
  const dutyContext = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const duty = await dutyContext.newPage();
  await logIn(duty, core, 'officer2');
  await logIn(page, core, 'trainer');

  const scenario = {
    version: 1,
    name: '入侵与暴力 / intrusion and violence',
    alarms: [
      { at: 0, schoolId: a!.schoolId, kind: 'intrusion', note: '有人翻墙', unit: { answersAfterS: 5, travelS: 20 } },
      { at: 30, schoolId: b!.schoolId, kind: 'violence', unit: { answersAfterS: 5, declines: true, travelS: 20 } },
    ],
    faults: [{ at: 35, schoolId: c!.schoolId, kind: 'offline' }],
  };
  // A scenario with a mistake is refused with where it is.
  await loadScenario(page, JSON.stringify({ ...scenario, alarms: [{ ...scenario.alarms[0], kind: 'bomb' }] }, null, 2), '学员 陈', 5);
  await page.getByTestId('train-start').click();
  await expect(page.getByTestId('train-problems')).toContainText('alarms[0].kind');
  await page.screenshot({ path: shot('training-setup-zh.png') });
  await expect(page.getByTestId('training-run')).toHaveCount(0);

  await page.getByTestId('train-scenario').fill(JSON.stringify(scenario, null, 2));
  await page.getByTestId('train-start').click();
  await expect(page.getByTestId('training-banner')).toContainText('训练中 · 非真实警情');
  await expect(item(page, 0)).toHaveAttribute('data-state', 'awaiting');
  await expect(item(page, 0)).toContainText('训练');
  // The training tone on the training console; nothing on the duty console.
  await expect.poll(() => soundsPlaying(page)).toEqual(['drill.wav']);
  await expect(duty.getByTestId('queue-list').locator('[data-testid=incident]')).toHaveCount(0);
  expect(await soundsPlaying(duty)).toEqual([]);
  await page.screenshot({ path: shot('training-run-zh.png') });

  await item(page, 0).getByTestId('train-ack').click();
  await expect(item(page, 0)).toHaveAttribute('data-state', 'acknowledged');
  await expect.poll(() => soundsPlaying(page)).toEqual([]);
  await item(page, 0).getByTestId('train-dispatch').click();
  // 5 s of scenario to answer at 5× = 1 s; then 20 s of driving = 4 s.
  await expect(item(page, 0)).toHaveAttribute('data-state', 'en_route', { timeout: 5000 });
  await expect(item(page, 0)).toHaveAttribute('data-state', 'on_scene', { timeout: 8000 });

  // A real alarm now: it takes over the training console (paused, the real tone) and sounds on the duty console.
  const term = await connectTerminal(core.url, c!.deviceId, c!.token);
  expect(await term.press({ alarmId: 'real-during-training', kind: 'panic' })).toMatchObject({ ok: true });
  await expect(page.getByTestId('training-run')).toHaveAttribute('data-paused', 'real_alarm');
  await expect(page.getByTestId('training-paused-real')).toBeVisible();
  await expect(incident(page, 'real-during-training')).toBeVisible();
  await expect(page.getByTestId('alarm-banner')).toBeVisible();
  await expect.poll(() => soundsPlaying(page)).toEqual(['alarm.wav']);
  await expect.poll(() => soundsPlaying(duty)).toEqual(['alarm.wav']);
  await expect(item(page, 0).getByTestId('train-resolve')).toBeDisabled();
  const clockAtPause = await page.getByTestId('train-clock').textContent();
  await page.screenshot({ path: shot('training-real-alarm-zh.png') });
  await page.getByRole('button', { name: 'English' }).click();
  await expect(page.getByTestId('training-paused-real')).toContainText('A real alarm awaits acknowledgement');
  await page.screenshot({ path: shot('training-real-alarm-en.png') });
  await page.getByRole('button', { name: '中文' }).click();
  await page.waitForTimeout(1500);
  // Scenario time stood still while the real alarm waited.
  await expect(page.getByTestId('train-clock')).toHaveText(clockAtPause!);
  // The duty officer takes the real alarm; training resumes by itself.
  await incident(duty, 'real-during-training').getByTestId('ack').click();
  await expect(page.getByTestId('training-run')).toHaveAttribute('data-paused', '');
  await term.close();

  await item(page, 0).getByTestId('train-resolve').click();
  await expect(item(page, 0)).toHaveAttribute('data-state', 'resolved');
  // The second alarm, 30 s of scenario later (6 s at 5×): its unit declines the first dispatch.
  await expect(item(page, 1)).toHaveAttribute('data-state', 'awaiting', { timeout: 15_000 });
  await expect.poll(() => soundsPlaying(page)).toEqual(['drill.wav']);
  await item(page, 1).getByTestId('train-ack').click();
  await item(page, 1).getByTestId('train-dispatch').click();
  await expect(item(page, 1)).toHaveAttribute('data-state', 'declined', { timeout: 5000 });
  await item(page, 1).getByTestId('train-dispatch').click();
  await expect(item(page, 1)).toHaveAttribute('data-state', 'en_route', { timeout: 5000 });
  await item(page, 1).getByTestId('train-resolve').click();
  // The simulated terminal fault (35 s of scenario): the run ends only once it is acknowledged.
  const fault = page.locator('[data-testid=training-fault][data-index="0"]');
  await expect(fault).toContainText('终端离线', { timeout: 10_000 });
  await expect(page.getByTestId('training-summary')).toHaveCount(0);
  await fault.getByTestId('train-fault-ack').click();

  // Every alarm resolved: the score, against the station's targets (acknowledge 10 s, dispatch 60 s).
  await expect(page.getByTestId('training-summary')).toBeVisible();
  await expect(page.getByTestId('train-score-row')).toHaveCount(4); // two alarms, the fault and the total
  await expect(page.getByTestId('train-total')).toHaveAttribute('data-of', '5');
  await expect(page.getByTestId('train-total')).toContainText('学员 陈');
  // The score is kept at the station as the trainee's training record.
  await expect(page.getByTestId('train-saved')).toHaveAttribute('data-saved', 'saved');
  await page.screenshot({ path: shot('training-score-zh.png') });
  const download = page.waitForEvent('download');
  await page.getByTestId('train-export-csv').click();
  const csv = fs.readFileSync(await (await download).path(), 'utf8');
  expect(csv).toContain('学员 陈');
  expect(csv.split('\n').filter(Boolean)).toHaveLength(5);
  await page.getByRole('button', { name: 'English' }).click();
  await expect(page.getByTestId('train-total')).toContainText('within target');
  await page.screenshot({ path: shot('training-score-en.png') });
  await page.getByTestId('train-close').click();
  await expect(page.getByTestId('training-setup')).toContainText('Dispatch training');
  await expect(page.locator('[data-testid=train-result-row][data-trainee="学员 陈"]')).toHaveCount(1);
  await expect(page.locator('[data-testid=train-result-row][data-trainee="学员 陈"] [data-cell=met]')).toHaveText(/^\d\/5$/);
  await page.screenshot({ path: shot('training-setup-en.png') });

  // No training alarm reached the station: the journal holds one alarm, the real one, and the run's result as a
  // training record; the duty console saw only the real alarm; the statistics count one real alarm.
  expect(journalOf(core).filter((r) => r.event.type === 'training.completed')).toHaveLength(1);
  const received = journalOf(core).filter((r) => r.event.type === 'alarm.received');
  expect(received.map((r) => (r.event as { alarmId: string }).alarmId)).toEqual(['real-during-training']);
  expect(journalOf(core).some((r) => JSON.stringify(r).includes('有人翻墙'))).toBe(false);
  await expect(duty.getByTestId('queue-list').locator('[data-testid=incident]')).toHaveCount(1);
  await duty.getByTestId('tab-stats').click();
  await expect(duty.getByTestId('stats-summary-title')).toContainText('共 1 起');
  await dutyContext.close();
});

test('a real incident replayed from History reproduces its order: the first unit declines, the second takes it and arrives', async ({ page }) => {
  test.setTimeout(120_000);
  await page.setViewportSize({ width: 1600, height: 900 });
  await logIn(page, core, 'officer');
  const t = core.credentials.terminals[0]!;
  const term = await connectTerminal(core.url, t.deviceId, t.token);
  await term.press({ alarmId: 'to-replay', kind: 'intrusion', note: '有人翻墙' });
  await incident(page, 'to-replay').getByTestId('ack').click();
  const panel = page.getByTestId('incident-panel');
  // The two nearest units that have a device (a unit on the radio cannot decline on its own).
  const withDevice = panel.locator('[data-testid=candidate]').filter({ has: page.getByRole('button', { name: '派警', exact: true }) });
  await expect(withDevice.first()).toBeVisible();
  const [id1, id2] = await withDevice.evaluateAll((els) => els.slice(0, 2).map((e) => e.getAttribute('data-unit-id')!));
  const cred = (id: string) => core.credentials.units.find((u) => u.unitId === id)!;
  const u1 = cred(id1!);
  const u2 = cred(id2!);
  const decliner = await connectUnit(core.url, u1.unitId, u1.token, () => ({ ok: false, reason: '正在处置另一起警情' }));
  const taker = await connectUnit(core.url, u2.unitId, u2.token);
  await panel.locator(`[data-testid=candidate][data-unit-id="${u1.unitId}"]`).getByTestId('dispatch-unit').click();
  await expect(panel.locator(`[data-testid=dispatch][data-unit-id="${u1.unitId}"]`)).toHaveAttribute('data-dispatch-state', 'declined');
  await panel.locator(`[data-testid=candidate][data-unit-id="${u2.unitId}"]`).getByTestId('dispatch-unit').click();
  await expect(panel.locator(`[data-testid=dispatch][data-unit-id="${u2.unitId}"]`)).toHaveAttribute('data-dispatch-state', 'accepted');
  const incidentId = taker.dispatches[0]!.incidentId;
  await page.waitForTimeout(3000); // the drive: 3 s, replayed at 10× as 0.3 s
  expect(await taker.status('on_scene', incidentId)).toEqual({ ok: true });
  await panel.getByTestId('resolve').locator('select[name=disposition]').selectOption('real');
  await panel.getByTestId('resolve').getByRole('button').click();
  await expect(panel).toHaveAttribute('data-state', 'resolved');
  decliner.close();
  taker.close();
  await term.close();

  // The original order, as journalled.
  const order = journalOf(core)
    .map((r) => r.event)
    .filter((e) => 'incidentId' in e && e.incidentId === incidentId)
    .map((e) => e.type)
    .filter((x) =>
      ['alarm.received', 'incident.acknowledged', 'incident.dispatched', 'dispatch.declined', 'dispatch.accepted', 'incident.resolved'].includes(x),
    );
  expect(order).toEqual([
    'alarm.received',
    'incident.acknowledged',
    'incident.dispatched',
    'dispatch.declined',
    'incident.dispatched',
    'dispatch.accepted',
    'incident.resolved',
  ]);

  // History → the record → 用作训练脚本: the training tab opens with the incident as a scenario.
  await page.getByTestId('tab-history').click();
  await page.locator(`[data-testid=history-row][data-incident-id="${incidentId}"]`).getByTestId('history-open').click();
  await page.getByTestId('incident-replay').click();
  const text = await page.getByTestId('train-scenario').inputValue();
  const replay = JSON.parse(text) as { alarms: { kind: string; note?: string; unit?: { declines?: boolean } }[] };
  expect(replay.alarms).toHaveLength(1);
  expect(replay.alarms[0]).toMatchObject({ kind: 'intrusion', note: '有人翻墙', unit: { declines: true } });
  await page.getByTestId('train-speed').selectOption('10');
  await page.getByTestId('train-start').click();

  // The replay goes the same way: received, acknowledged, dispatched, declined, dispatched again, accepted (en
  // route), on scene, resolved. Every state the card takes is recorded in the page (some last a fraction of a second).
  await expect(item(page, 0)).toBeVisible();
  await page.evaluate(() => {
    const w = window as unknown as { states: string[] };
    const el = document.querySelector('[data-testid=training-item][data-index="0"]')!;
    w.states = [el.getAttribute('data-state')!];
    new MutationObserver(() => {
      const now = document.querySelector('[data-testid=training-item][data-index="0"]')?.getAttribute('data-state');
      if (now && now !== w.states[w.states.length - 1]) w.states.push(now);
    }).observe(document.body, { subtree: true, attributes: true, attributeFilter: ['data-state'] });
  });
  await item(page, 0).getByTestId('train-ack').click();
  await item(page, 0).getByTestId('train-dispatch').click();
  await expect(item(page, 0)).toHaveAttribute('data-state', 'declined', { timeout: 10_000 });
  await item(page, 0).getByTestId('train-dispatch').click();
  await expect(item(page, 0)).toHaveAttribute('data-state', 'on_scene', { timeout: 10_000 });
  await item(page, 0).getByTestId('train-resolve').click();
  await expect(page.getByTestId('training-summary')).toBeVisible();
  const states = await page.evaluate(() => (window as unknown as { states: string[] }).states);
  expect(states).toEqual(['awaiting', 'acknowledged', 'dispatched', 'declined', 'dispatched', 'en_route', 'on_scene']);
  // Still only the one real alarm in the journal.
  expect(journalOf(core).filter((r) => r.event.type === 'alarm.received')).toHaveLength(1);
});

test("a trainer sends a run to a trainee's console: offered there and nowhere else, it starts when the trainee accepts, and the trainee's score is kept", async ({
  page,
  browser,
}) => {
  test.setTimeout(90_000);
  await page.setViewportSize({ width: 1600, height: 900 });
  const [a] = core.credentials.terminals;
  const open = async (username: string) => {
    const ctx = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const p = await ctx.newPage();
    await logIn(p, core, username);
    return { ctx, p };
  };
  const trainee = await open('officer');
  const duty = await open('officer2');
  await logIn(page, core, 'trainer');

  await page.getByTestId('tab-training').click();
  await page
    .getByTestId('train-scenario')
    .fill(
      JSON.stringify(
        { version: 1, name: '派发演练 / sent drill', alarms: [{ at: 0, schoolId: a!.schoolId, kind: 'fire', unit: { answersAfterS: 5, travelS: 10 } }] },
        null,
        2,
      ),
    );
  await page.getByTestId('train-speed').selectOption('5');
  await page.getByTestId('train-consoles').click();
  // Both officers are online; the trainee is chosen.
  await expect(page.getByTestId('train-assign-to').locator('option')).toHaveCount(3); // officer, officer2, the trainer
  await page.getByTestId('train-assign-to').selectOption('officer');
  await page.getByTestId('train-assign').click();
  await expect(page.getByTestId('train-assign-said')).toContainText('1 个接警台');
  await page.screenshot({ path: shot('training-assign-zh.png') });

  // The trainee's console is offered the run; nothing plays until its operator starts it. Declined, it is gone.
  await expect(trainee.p.getByTestId('training-offered')).toContainText('示例教官 刘教官');
  await trainee.p.getByTestId('training-decline').click();
  await expect(trainee.p.getByTestId('training-offered')).toHaveCount(0);
  await expect(trainee.p.getByTestId('tab-training')).toHaveCount(0);
  await page.getByTestId('train-assign').click();
  await expect(trainee.p.getByTestId('training-offered')).toBeVisible();
  expect(await soundsPlaying(trainee.p)).toEqual([]);
  await trainee.p.screenshot({ path: shot('training-offered-zh.png') });
  await trainee.p.getByTestId('training-accept').click();
  await expect.poll(() => soundsPlaying(trainee.p)).toEqual(['drill.wav']);
  await expect(trainee.p.getByTestId('training-banner')).toContainText('示例值班民警 王警官');
  // Neither the other duty console nor the trainer's own is offered it or plays it.
  await expect(duty.p.getByTestId('training-offered')).toHaveCount(0);
  expect(await soundsPlaying(duty.p)).toEqual([]);
  await expect(duty.p.getByTestId('queue-list').locator('[data-testid=incident]')).toHaveCount(0);
  await expect(page.getByTestId('training-run')).toHaveCount(0);

  await item(trainee.p, 0).getByTestId('train-ack').click();
  await item(trainee.p, 0).getByTestId('train-dispatch').click();
  await expect(item(trainee.p, 0)).toHaveAttribute('data-state', 'on_scene', { timeout: 10_000 });
  await item(trainee.p, 0).getByTestId('train-resolve').click();
  await expect(trainee.p.getByTestId('train-saved')).toHaveAttribute('data-saved', 'saved');

  // The trainer reads the trainee's record at the station.
  await page.getByTestId('train-results-trainee').fill('示例值班民警 王警官');
  await page.getByTestId('train-results-search').click();
  await expect(page.locator('[data-testid=train-result-row]')).toHaveCount(1);
  await expect(page.locator('[data-testid=train-result-row] [data-cell=met]')).toHaveText('2/2');
  // No alarm reached the journal.
  expect(journalOf(core).filter((r) => r.event.type === 'alarm.received')).toHaveLength(0);
  await trainee.ctx.close();
  await duty.ctx.close();
});

test('a real unit taking part is sent on a training alarm: its device is told it is a drill, its arrival reaches the run, nothing reaches the duty console', async ({
  page,
  browser,
}) => {
  test.setTimeout(90_000);
  await page.setViewportSize({ width: 1600, height: 900 });
  const [a] = core.credentials.terminals;
  const realUnit = core.credentials.units[0]!;
  const unit = await connectUnit(core.url, realUnit.unitId, realUnit.token);
  const dutyContext = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const duty = await dutyContext.newPage();
  await logIn(duty, core, 'officer2');
  await logIn(page, core, 'trainer');
  const scenario = {
    version: 1,
    name: '真实警力参训 / a real unit takes part',
    alarms: [{ at: 0, schoolId: a!.schoolId, kind: 'intrusion', note: '有人翻墙' }],
  };
  await loadScenario(page, JSON.stringify(scenario, null, 2), '学员 陈', 5);
  // The trainer marks the real unit as taking part.
  await page.getByTestId('train-units').locator('summary').click();
  await page.locator(`[data-testid=train-unit][data-unit-id="${realUnit.unitId}"]`).check();
  await page.getByTestId('train-start').click();
  await item(page, 0).getByTestId('train-ack').click();
  const send = item(page, 0).locator(`[data-testid=train-dispatch-real][data-unit-id="${realUnit.unitId}"]`);
  await expect(send).toContainText('真实警力');
  await send.click();

  // The unit's device gets a drill dispatch for the training job, never an incident of the station.
  await expect.poll(() => unit.dispatches.length).toBe(1);
  const job = unit.dispatches[0]!;
  expect(job).toMatchObject({ drill: true, priority: 3, kind: 'intrusion', school: { id: a!.schoolId } });
  expect(job.incidentId).toMatch(/^TRN-/);
  const real = item(page, 0).getByTestId('train-real');
  await expect(real).toHaveAttribute('data-step', 'accepted');
  expect(await unit.status('en_route', job.incidentId)).toEqual({ ok: true });
  await expect(item(page, 0)).toHaveAttribute('data-state', 'en_route');
  await expect(real).toContainText('在途');
  expect(await unit.status('on_scene', job.incidentId)).toEqual({ ok: true });
  await expect(item(page, 0)).toHaveAttribute('data-state', 'on_scene');
  await page.screenshot({ path: shot('training-real-unit-zh.png') });
  await page.getByRole('button', { name: 'English' }).click();
  await expect(real).toContainText('real unit, drill');
  await page.screenshot({ path: shot('training-real-unit-en.png') });
  await page.getByRole('button', { name: '中文' }).click();

  // The duty console saw nothing: no queue item, no sound, the unit not moved on its map.
  await expect(duty.getByTestId('queue-list').locator('[data-testid=incident]')).toHaveCount(0);
  expect(await soundsPlaying(duty)).toEqual([]);
  // On the record as training only (a real car drove): never an incident, the unit's state or a statistic.
  expect(
    journalOf(core)
      .filter((r) => JSON.stringify(r).includes(job.incidentId))
      .map((r) => [r.event.type, 'step' in r.event ? r.event.step : '']),
  ).toEqual([
    ['training.unit', 'sent'],
    ['training.unit', 'accepted'],
    ['training.unit', 'en_route'],
    ['training.unit', 'on_scene'],
  ]);

  // Resolved: the unit's device is told the training job is over.
  await item(page, 0).getByTestId('train-resolve').click();
  await expect.poll(() => unit.cancels.map((c) => c.incidentId)).toContain(job.incidentId);
  expect(unit.cancels.find((c) => c.incidentId === job.incidentId)!.reason).toMatch(/训练结束/);
  await expect(page.getByTestId('training-summary')).toBeVisible();
  unit.close();
  await dutyContext.close();
});

// test/e2e — the duty officer's night shift (issue 11, "Done when"), at 1280×720 in Chinese: a county whose 36
// terminals have all gone offline (36 device faults), then 5 test presses, a drill and 3 real alarms from different
// schools. The most urgent alarm's 接警 is on screen without scrolling, above the faults; the officer works every
// alarm by keyboard alone (A, D, J/K, Tab, typing, Enter); test presses are answered by the station, never a card,
// never a sound, and listed in the tests-today strip; the journal holds the right disposition for real, drill and
// test, each real or drill alarm taken by the named officer; the core dies: banner and link-loss sound within 3 s,
// both gone when it is back.
import { expect, test, type Page } from '@playwright/test';
import type { JournalRecord } from '../../shared/events';
import { foldRecords } from '../../shared/incidents';
import { freshDataDir, startCoreProcess, type CoreProcess } from '../support/core';
import { connectTerminal, type TestTerminal } from '../support/terminal';
import { connectUnit } from '../support/unit';
import { inWindow, incident, journalOf, logIn, soundsPlaying, tabTo } from './console';

const HEARTBEAT_MS = 300; // offline after 3 intervals = 0.9 s
const ENV = { STATION_HEARTBEAT_MS: String(HEARTBEAT_MS) };

let core: CoreProcess | undefined;
const closers: (() => void)[] = [];
test.use({ viewport: { width: 1280, height: 720 } });
test.afterEach(async () => {
  closers.splice(0).forEach((c) => c());
  await core?.stop();
});

const panel = (page: Page) => page.getByTestId('incident-panel');
const disposition = (page: Page) => panel(page).locator('select[name=disposition]');
const idOf = async (page: Page, alarmId: string): Promise<string> => (await incident(page, alarmId).getAttribute('data-incident-id'))!;
const faults = (page: Page) => page.getByTestId('faults');

/**
 * Keyboard only: the panel is open on the alarm just taken; Tab to the disposition picker, step down it `steps`
 * times with the arrow key (0: keep what it starts from), Tab to the note, type it, Enter.
 */
async function resolveByKeyboard(page: Page, steps: number, expected: string, note: string): Promise<void> {
  await tabTo(page, '[data-testid=incident-panel] select[name=disposition]');
  for (let i = 0; i < steps; i++) await page.keyboard.press('ArrowDown');
  await expect(disposition(page)).toHaveValue(expected);
  await tabTo(page, '[data-testid=incident-panel] input[name=note]');
  await page.keyboard.type(note);
  await page.keyboard.press('Enter');
  await expect(panel(page)).toHaveAttribute('data-state', 'resolved');
}

test('night shift: 36 offline terminals, 5 tests, a drill and 3 alarms worked by keyboard alone; the link lost and back', async ({ page }) => {
  test.setTimeout(180_000);
  const dataDir = freshDataDir();
  core = await startCoreProcess({ dataDir, env: ENV });
  const port = core.port;
  const creds = core.credentials.terminals;
  expect(creds).toHaveLength(36);
  await logIn(page, core);
  await expect(page.getByRole('button', { name: /^(English)$/ })).toBeVisible(); // the console is in Chinese

  // Two patrol units on duty.
  for (const u of core.credentials.units.slice(0, 2)) {
    const unit = await connectUnit(core.url, u.unitId, u.token);
    closers.push(() => unit.close());
  }

  // The whole county connects once and falls silent: 36 terminals offline, 36 faults in their own section.
  const ts: TestTerminal[] = await Promise.all(creds.map((c) => connectTerminal(core!.url, c.deviceId, c.token)));
  ts.forEach((t) => closers.push(() => t.close()));
  await expect(faults(page)).toHaveAttribute('data-count', '36', { timeout: 15_000 });
  await expect(faults(page).getByTestId('fault')).toHaveCount(3); // collapsed: the newest few
  await faults(page).getByTestId('faults-toggle').click();
  const listed = faults(page).getByTestId('fault');
  await expect(listed).toHaveCount(36);
  // Each is one terminal, offline, named by its school.
  const seen = new Set<string>();
  for (let i = 0; i < 36; i++) {
    const f = listed.nth(i);
    const deviceId = (await f.getAttribute('data-device-id'))!;
    const c = creds.find((x) => x.deviceId === deviceId)!;
    expect(c, deviceId).toBeDefined();
    await expect(f).toHaveAttribute('data-fault', 'offline');
    await expect(f).toContainText('终端离线');
    await expect(f).toContainText(c.schoolName);
    seen.add(deviceId);
  }
  expect(seen.size).toBe(36);
  await faults(page).getByTestId('faults-toggle').click();
  await expect(listed).toHaveCount(3);
  // The faults' own tone, calm: no alarm sound.
  await expect.poll(() => soundsPlaying(page)).toEqual(['fault.wav']);

  // One terminal per school: 5 schools test-press, a 6th runs a drill, three more raise real alarms.
  const perSchool = [...new Map(creds.map((c, i) => [c.schoolId, i])).values()];
  expect(perSchool.length).toBeGreaterThanOrEqual(9);
  const [t1, t2, t3, t4, t5, drillAt, violenceAt, fireAt, panicAt] = perSchool.map((i) => ts[i]!);
  const schoolOf = (t: TestTerminal): string => creds[ts.indexOf(t)]!.schoolName;

  // 5 test presses: answered by the station (接警 and closed), no card, no sound, listed in the strip.
  const tests = [t1!, t2!, t3!, t4!, t5!];
  for (const [i, t] of tests.entries()) expect(await t.press({ alarmId: `test-${i}`, kind: 'test' })).toMatchObject({ ok: true });
  for (const [i, t] of tests.entries()) {
    await t.waitForStatus(`test-${i}`, 'acknowledged', 10_000);
    await t.waitForStatus(`test-${i}`, 'resolved', 10_000);
  }
  const strip = page.getByTestId('tests-today');
  await expect(strip.getByTestId('test-press')).toHaveCount(5);
  for (const t of tests) await expect(strip).toContainText(schoolOf(t));
  await expect(page.locator('[data-testid=incident]')).toHaveCount(0);
  await expect(page.getByTestId('alarm-banner')).toHaveCount(0);
  expect(await soundsPlaying(page)).not.toContain('alarm.wav');
  await expect(page.getByTestId('sound-state')).not.toHaveAttribute('data-tone', 'alarm');

  // The drill first (the oldest), then violence, fire and panic from three other schools.
  expect(await drillAt!.press({ alarmId: 'drill', kind: 'panic', drill: true })).toMatchObject({ ok: true });
  expect(await violenceAt!.press({ alarmId: 'violence', kind: 'violence', note: '校门口有人持刀闹事' })).toMatchObject({ ok: true });
  expect(await fireAt!.press({ alarmId: 'fire', kind: 'fire' })).toMatchObject({ ok: true });
  expect(await panicAt!.press({ alarmId: 'panic', kind: 'panic' })).toMatchObject({ ok: true });
  await expect(page.locator('[data-testid=incident]')).toHaveCount(4);
  await expect(page.getByTestId('alarm-banner')).toContainText('有 4 起报警尚未接警');
  await expect.poll(() => soundsPlaying(page)).toEqual(['alarm.wav']);
  // The terminals that pressed spoke once and fell silent again: the county is back to 36 faults.
  await expect(faults(page)).toHaveAttribute('data-count', '36', { timeout: 15_000 });

  // Alarms come first: the most urgent (the oldest real one, violence) leads the queue, its 接警 on screen as it is,
  // and the faults sit below the alarms.
  const first = page.locator('[data-testid=incident]').first();
  await expect(first).toHaveAttribute('data-alarm-id', 'violence');
  const ack = incident(page, 'violence').getByTestId('ack');
  await expect(ack).toHaveText('接警');
  expect(await inWindow(page, ack)).toBe(true);
  await expect(ack).toBeInViewport({ ratio: 1 });
  const queueBox = (await page.getByTestId('queue-list').boundingBox())!;
  expect((await faults(page).boundingBox())!.y).toBeGreaterThanOrEqual(queueBox.y + queueBox.height);
  expect(await page.evaluate(() => [window.scrollX, window.scrollY, document.scrollingElement!.scrollHeight <= window.innerHeight])).toEqual([0, 0, true]);
  await page.screenshot({ path: test.info().outputPath('night-shift-alarms.png') });

  // Keyboard alone from here. A: 接警 on the most urgent; the focus moves into its panel.
  const ids = { violence: await idOf(page, 'violence'), fire: await idOf(page, 'fire'), panic: await idOf(page, 'panic'), drill: await idOf(page, 'drill') };
  await page.keyboard.press('a');
  await expect(incident(page, 'violence')).toHaveAttribute('data-state', 'acknowledged');
  await expect(panel(page)).toHaveAttribute('data-incident-id', ids.violence);
  await expect(panel(page)).toBeFocused();
  await expect(incident(page, 'fire').getByTestId('ack')).toBeVisible(); // only the one
  // D: the nearest free unit.
  const nearest = await panel(page).locator('[data-testid=candidate]:not(.unavailable)').first().getAttribute('data-unit-id');
  await page.keyboard.press('d');
  await expect(panel(page).locator(`[data-testid=dispatch][data-unit-id="${nearest}"]`)).toBeVisible();
  // J / K: to the next alarm in the queue (fire, now first) and back.
  await page.keyboard.press('j');
  await expect(panel(page)).toHaveAttribute('data-incident-id', ids.fire);
  await expect(incident(page, 'fire')).toBeFocused();
  await page.keyboard.press('k');
  await expect(panel(page)).toHaveAttribute('data-incident-id', ids.violence);
  await expect(incident(page, 'violence')).toBeFocused();
  // 处置完毕: a real alarm's picker starts empty; the officer chooses 真实警情.
  await expect(disposition(page)).toHaveValue('');
  await resolveByKeyboard(page, 1, 'real', '嫌疑人已控制');

  // Fire: A, D, resolved as real.
  await page.keyboard.press('a');
  await expect(panel(page)).toHaveAttribute('data-incident-id', ids.fire);
  await expect(panel(page)).toBeFocused();
  await expect(panel(page).locator('[data-testid=candidate]:not(.unavailable)').first()).toBeVisible();
  await page.keyboard.press('d');
  await expect(panel(page).getByTestId('dispatch')).toHaveCount(1);
  await expect(disposition(page)).toHaveValue('');
  await resolveByKeyboard(page, 1, 'real', '消防已到场');

  // Panic: a school's mistake, 误报.
  await page.keyboard.press('a');
  await expect(panel(page)).toHaveAttribute('data-incident-id', ids.panic);
  await expect(panel(page)).toBeFocused();
  await expect(disposition(page)).toHaveValue('');
  await resolveByKeyboard(page, 2, 'false_alarm', '学校误按');

  // The drill, last: its picker starts at 演练.
  await page.keyboard.press('a');
  await expect(panel(page)).toHaveAttribute('data-incident-id', ids.drill);
  await expect(panel(page)).toBeFocused();
  await expect(disposition(page).locator('option:checked')).toHaveText('演练');
  await resolveByKeyboard(page, 0, 'drill', '');
  // Nothing is left to take: A says so; the alarm sound has stopped (the faults' tone goes on).
  await page.keyboard.press('a');
  await expect(page.getByTestId('key-notice')).toContainText('没有待接警的报警');
  await page.keyboard.press('Escape'); // the notice goes (it would sit over a banner)
  await expect(page.getByTestId('key-notice')).toHaveCount(0);
  await expect(page.getByTestId('alarm-banner')).toHaveCount(0);
  await expect.poll(() => soundsPlaying(page)).toEqual(['fault.wav']);

  // The journal: who took each alarm, and what each was.
  const journal: JournalRecord[] = journalOf(core);
  const state = foldRecords(journal);
  const byAlarm = new Map([...state.incidents.values()].map((i) => [i.alarmId, i]));
  const want: Record<string, string> = { violence: 'real', fire: 'real', panic: 'false_alarm', drill: 'drill' };
  for (let i = 0; i < 5; i++) want[`test-${i}`] = 'test';
  for (const [alarmId, d] of Object.entries(want)) expect(byAlarm.get(alarmId)?.disposition, alarmId).toBe(d);
  const events = journal.map((r) => r.event);
  for (const alarmId of ['violence', 'fire', 'panic', 'drill']) {
    const incidentId = byAlarm.get(alarmId)!.id;
    const officer = expect.objectContaining({ username: 'officer', displayName: expect.stringContaining('王警官') });
    expect(events.filter((e) => e.type === 'incident.acknowledged' && e.incidentId === incidentId)).toEqual([expect.objectContaining({ operator: officer })]);
    expect(events.filter((e) => e.type === 'incident.resolved' && e.incidentId === incidentId)).toEqual([
      expect.objectContaining({ operator: officer, disposition: want[alarmId] }),
    ]);
    expect(events.find((e) => e.type === 'incident.resolved' && e.incidentId === incidentId && e.override !== undefined)).toBeUndefined();
  }
  expect(events.filter((e) => e.type === 'incident.dispatched')).toHaveLength(2);
  // Test presses: closed by the station (test.acknowledged), never by an officer.
  for (let i = 0; i < 5; i++) {
    const incidentId = byAlarm.get(`test-${i}`)!.id;
    expect(events.filter((e) => e.type === 'test.acknowledged' && e.incidentId === incidentId)).toHaveLength(1);
    expect(events.filter((e) => (e.type === 'incident.acknowledged' || e.type === 'incident.resolved') && e.incidentId === incidentId)).toEqual([]);
  }

  // The station dies: a full-width banner and the link-loss sound within 3 s, until it is back.
  await core.kill();
  const down = Date.now();
  const banner = page.getByTestId('link-lost-banner');
  await expect(banner).toBeVisible({ timeout: 3000 });
  await expect(banner).toContainText('连接已中断');
  await expect.poll(() => soundsPlaying(page), { timeout: Math.max(100, 3000 - (Date.now() - down)) }).toEqual(['link.wav']);
  expect(Date.now() - down).toBeLessThan(3000);
  const b = (await banner.boundingBox())!;
  expect(b.width).toBeGreaterThanOrEqual(1280 - 2);
  await page.screenshot({ path: test.info().outputPath('night-shift-link-lost.png') });

  core = await startCoreProcess({ dataDir, port, env: ENV });
  await expect(page.getByTestId('link-state')).toHaveText('已连接', { timeout: 15_000 });
  await expect(banner).toHaveCount(0);
  await expect.poll(() => soundsPlaying(page), { timeout: 15_000 }).not.toContain('link.wav');
  await expect(page.getByTestId('sound-state')).not.toHaveAttribute('data-tone', 'link');
  // The shift's record survived: the four alarms are resolved, nothing awaits 接警.
  await expect(page.getByTestId('alarm-banner')).toHaveCount(0);
});

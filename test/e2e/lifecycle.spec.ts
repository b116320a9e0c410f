// test/e2e — the incident lifecycle (优先受理、优先出警) across several consoles: simultaneous alarms shared
// by two officers, escalation of an ignored alarm, dispatch to a unit that accepts and arrives, the
// timeline's intervals against the journal, catch-up after a console was cut off, and a tampered journal.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import type { JournalRecord } from '../../shared/events';
import { freshDataDir, ROOT, startCoreProcess, type CoreProcess } from '../support/core';
import { startProxy } from '../support/proxy';
import { connectTerminal, type TestTerminal } from '../support/terminal';
import { connectUnit, type TestUnit } from '../support/unit';
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

const panel = (page: Page) => page.getByTestId('incident-panel');

test('three simultaneous alarms, two consoles: all shown on both, shared, and taken over explicitly', async ({ page, browser }) => {
  const second = await (await browser.newContext({ viewport: { width: 1600, height: 950 } })).newPage();
  await logIn(page, core, 'officer');
  await logIn(second, core, 'officer2');
  const ts = await Promise.all([terminal(0), terminal(10), terminal(20)]);
  await Promise.all(ts.map((t, i) => t.press({ alarmId: `sim-${i}`, kind: 'panic' })));
  for (const p of [page, second]) {
    await expect(p.locator('[data-testid=incident][data-state=received]')).toHaveCount(3);
    await expect.poll(() => alarmAudible(p)).toBe(true);
  }

  await incident(page, 'sim-0').getByTestId('ack').click();
  await expect(incident(second, 'sim-0')).toHaveAttribute('data-state', 'acknowledged');
  await expect(incident(second, 'sim-0')).toContainText('王警官');
  await incident(second, 'sim-1').getByTestId('ack').click();
  await incident(second, 'sim-2').getByTestId('ack').click();
  // Nobody can take the same alarm twice: the core refuses a second acknowledgement.
  for (const p of [page, second]) {
    await expect(p.locator('[data-testid=incident][data-state=acknowledged]')).toHaveCount(3);
    await expect.poll(() => alarmAudible(p)).toBe(false);
  }

  // Officer 2 takes over sim-0 explicitly; both consoles show the new handler.
  await incident(second, 'sim-0').click();
  await expect(panel(second).getByTestId('handler')).toContainText('王警官');
  await panel(second).getByTestId('take-over').click();
  await expect(panel(second).getByTestId('handler')).toContainText('李警官');
  await incident(page, 'sim-0').click();
  await expect(panel(page).getByTestId('handler')).toContainText('李警官');
  const types = journal().map((r) => r.event.type);
  expect(types.filter((t) => t === 'incident.acknowledged')).toHaveLength(3);
  expect(types.filter((t) => t === 'incident.taken_over')).toHaveLength(1);
});

test('an ignored alarm escalates on every console past the (admin-edited) target; nothing blinks where reduced motion is asked', async ({ page, browser }) => {
  // The admin shortens the acknowledge and dispatch targets to 2 s in the target editor.
  const adminPage = await (await browser.newContext()).newPage();
  // The admin's screen asks for reduced motion: the same alarm, nothing blinking (checked below).
  await adminPage.emulateMedia({ reducedMotion: 'reduce' });
  await logIn(adminPage, core, 'admin');
  await adminPage.getByTestId('tab-admin').click();
  await adminPage.getByTestId('targets').locator('input[name=ack]').fill('2');
  await adminPage.getByTestId('targets').locator('input[name=dispatch]').fill('2');
  await adminPage.getByTestId('targets').getByRole('button').click();
  await expect(adminPage.getByTestId('targets').getByRole('status')).toHaveText(/已保存|Saved/);

  await logIn(page, core, 'officer');
  const t = await terminal(3);
  await t.press({ alarmId: 'ignored' });
  await expect(page.getByTestId('alarm-banner')).toBeVisible();
  await expect(page.getByTestId('escalation-banner')).toBeVisible({ timeout: 10_000 });
  await expect(incident(page, 'ignored')).toHaveClass(/escalated/);
  await expect(page.getByTestId('sound-state')).toHaveAttribute('data-urgent', 'true');
  // The admin's console (no right to acknowledge) shows the banner too.
  await adminPage.getByRole('button', { name: /接警台|Console/ }).click();
  await expect(adminPage.getByTestId('escalation-banner')).toBeVisible();
  // Blinking and pulsing (the banner's flash, the card's, the map's pulse, the overdue timer) on the officer's
  // screen; none of it where reduced motion is asked for, the banner and the escalated card still there.
  const running = (p: Page): Promise<string[]> =>
    p.evaluate(() => document.getAnimations().map((a) => (a instanceof CSSAnimation ? a.animationName : a.constructor.name)));
  await expect.poll(() => running(page)).toEqual(expect.arrayContaining(['cardflash', 'pulse']));
  await expect(incident(adminPage, 'ignored')).toHaveClass(/escalated/);
  await expect.poll(() => running(adminPage)).toEqual([]);
  // Stopped, the flash's dark overlay must not stay over the banner's red: it is not drawn there at all.
  const overlay = (p: Page): Promise<string> => p.getByTestId('escalation-banner').evaluate((el) => getComputedStyle(el, '::after').content);
  expect(await overlay(page)).not.toBe('none');
  expect(await overlay(adminPage)).toBe('none');
  const esc = journal().find((r) => r.event.type === 'incident.escalated');
  expect(esc).toBeDefined();
  // Acknowledging ends it everywhere.
  await incident(page, 'ignored').getByTestId('ack').click();
  await expect(page.getByTestId('escalation-banner')).toHaveCount(0);
  await expect(adminPage.getByTestId('escalation-banner')).toHaveCount(0);
  // Taken, its timer runs against the dispatch target (2 s here); past it, the timer blinks, but not where reduced
  // motion is asked.
  await expect(page.getByTestId('card-timer').first()).toHaveAttribute('data-standing', 'red', { timeout: 10_000 });
  await expect.poll(() => running(page)).toContain('blink');
  await expect(adminPage.getByTestId('card-timer').first()).toHaveAttribute('data-standing', 'red');
  await expect.poll(() => running(adminPage)).toEqual([]);
});

test('dispatch to a unit that accepts, goes en route and arrives; the timeline matches the journal', async ({ page }) => {
  await logIn(page, core, 'officer');
  const u = core.credentials.units[0]!;
  const unit: TestUnit = await connectUnit(core.url, u.unitId, u.token);
  closers.push(() => unit.close());
  const t = await terminal(1);
  await t.press({ alarmId: 'to-dispatch', kind: 'intrusion' });
  await incident(page, 'to-dispatch').getByTestId('ack').click();
  await expect(panel(page)).toBeVisible();
  // The candidates are ranked; the unit with a device is offered, with distance and ETA.
  const cand = panel(page).locator(`[data-testid=candidate][data-unit-id="${u.unitId}"]`);
  await expect(cand).toContainText(/公里|km/);
  await cand.getByTestId('dispatch-unit').click();
  const dispatch = panel(page).locator(`[data-testid=dispatch][data-unit-id="${u.unitId}"]`);
  await expect(dispatch).toHaveAttribute('data-dispatch-state', 'accepted');
  expect(unit.dispatches[0]).toMatchObject({ incidentId: expect.any(String), school: { id: core.credentials.terminals[1]!.schoolId }, drill: false });
  const incidentId = unit.dispatches[0]!.incidentId;
  expect(await unit.status('en_route', incidentId)).toEqual({ ok: true });
  await expect(dispatch).toHaveAttribute('data-dispatch-state', 'en_route');
  expect(await unit.status('on_scene', incidentId)).toEqual({ ok: true });
  await expect(dispatch).toHaveAttribute('data-dispatch-state', 'on_scene');
  await expect(incident(page, 'to-dispatch')).toHaveAttribute('data-state', 'on_scene');
  // A unit may only move incidents it was dispatched to.
  expect(await unit.status('on_scene', '20000101-0001')).toMatchObject({ ok: false, error: { code: 'forbidden' } });

  await panel(page).getByTestId('callback').locator('input').fill('学校确认：有人翻墙');
  await panel(page).getByTestId('callback').getByRole('button').click();
  // The disposition of a real alarm is the officer's choice: 处置完毕 waits for it (issue 11, point 6).
  await expect(panel(page).getByTestId('resolve').getByRole('button')).toBeDisabled();
  await panel(page).getByTestId('resolve').locator('select[name=disposition]').selectOption('real');
  await panel(page).getByTestId('resolve').locator('input[name=note]').fill('已带离');
  await panel(page).getByTestId('resolve').getByRole('button').click();
  await expect(panel(page)).toHaveAttribute('data-state', 'resolved');
  for (const s of ['received', 'acknowledged', 'dispatched', 'on_scene', 'resolved'] as const) await t.waitForStatus('to-dispatch', s);

  // Every interval on screen is the journal's, to the tenth of a second.
  const ev = journal()
    .map((r) => r.event)
    .filter((e) => 'incidentId' in e && e.incidentId === incidentId);
  const at = (type: string): number => ev.find((e) => e.type === type)!.at;
  const received = at('alarm.received');
  const expected = {
    acknowledged: at('incident.acknowledged'),
    dispatched: at('incident.dispatched'),
    accepted: at('dispatch.accepted'),
    on_scene: ev.find((e) => e.type === 'dispatch.progress' && e.state === 'on_scene')!.at,
    resolved: at('incident.resolved'),
  };
  for (const [k, v] of Object.entries(expected)) {
    await expect(panel(page).getByTestId(`interval-${k}`)).toHaveText(`+${((v - received) / 1000).toFixed(1)} s`);
  }
  const timeline = panel(page).getByTestId('timeline').locator('li');
  await expect(timeline).toHaveCount(ev.length);
  await expect(panel(page).getByTestId('timeline')).toContainText('学校确认：有人翻墙');
  await page.screenshot({ path: path.join(ROOT, process.env.UPDATE_SCREENSHOTS ? 'docs/screenshots' : 'test-results/screenshots', 'incident-timeline.png') });
});

test('a console cut off from the core catches up exactly: no gap, no duplicate', async ({ page, browser }) => {
  const proxy = await startProxy(core.port);
  closers.push(() => void proxy.close());
  await logIn(page, { ...core, url: `http://127.0.0.1:${proxy.port}/` });
  const other = await (await browser.newContext()).newPage();
  await logIn(other, core, 'officer2');
  const t = await terminal(6);
  // Three kinds: three incidents (a press of the same kind while one is open joins it).
  await t.press({ alarmId: 'before-cut', kind: 'panic' });
  await expect(incident(page, 'before-cut')).toBeVisible();

  proxy.cut();
  await expect(page.getByTestId('link-state')).toHaveText(/断开|Disconnected/);
  await t.press({ alarmId: 'during-cut-1', kind: 'fire' });
  await t.press({ alarmId: 'during-cut-2', kind: 'medical' });
  await incident(other, 'during-cut-1').getByTestId('ack').click();
  await expect(incident(other, 'during-cut-1')).toHaveAttribute('data-state', 'acknowledged');
  await page.waitForTimeout(2000);
  proxy.restore();

  await expect(page.getByTestId('link-state')).toHaveText(/已连接|Connected/, { timeout: 20_000 });
  await expect(incident(page, 'during-cut-1')).toHaveAttribute('data-state', 'acknowledged');
  await expect(incident(page, 'during-cut-2')).toHaveAttribute('data-state', 'received');
  // The replica holds exactly the journal: every seq once, none missing. The journal may still grow (this
  // console reports `shown` for what it missed, alarms escalate), so both are read at the same moment.
  const replicaKeys = (): Promise<number[]> =>
    page.evaluate(
      () =>
        new Promise<number[]>((resolve) => {
          const req = indexedDB.open('station-replica');
          req.onsuccess = () => {
            const all = req.result.transaction('records').objectStore('records').getAllKeys();
            all.onsuccess = () => resolve(all.result as number[]);
          };
        }),
    );
  await expect
    .poll(async () => {
      const keys = await replicaKeys();
      const seqs = journal().map((r) => r.seq);
      return JSON.stringify(keys) === JSON.stringify(seqs) && seqs.every((s, i) => s === i + 1)
        ? 'same'
        : `replica ${keys.join(',')} vs journal ${seqs.join(',')}`;
    })
    .toBe('same');
});

test('a tampered journal is detected at start, warned on the console, and named by verify', async ({ page }) => {
  const dataDir = core.dataDir;
  const t = await terminal(2);
  await t.press({ alarmId: 'a1', note: '原始备注' });
  await t.press({ alarmId: 'a2', kind: 'fire' });
  const port = core.port;
  await core.stop();
  const file = path.join(dataDir, 'journal.jsonl');
  fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('原始备注', '篡改后的备注'));

  const verify = spawnSync(process.execPath, [path.join(ROOT, 'dist/tools/stationCli.js'), '--data-dir', dataDir, 'verify'], { encoding: 'utf8' });
  expect(verify.status).toBe(3);
  expect(verify.stdout).toMatch(/first bad record at line 1 \(chain_broken\)/);

  core = await startCoreProcess({ dataDir, port });
  // The chain is checked right after the core listens (in the background), then logged and pushed to consoles.
  await expect.poll(() => core.output()).toContain('chain_broken');
  await logIn(page, core);
  await expect(page.getByRole('status')).toContainText('chain_broken');
  // Nothing is hidden: both alarms are still shown.
  await expect(page.locator('[data-testid=incident]')).toHaveCount(2);
  // And an intact journal verifies.
  const clean = freshDataDir();
  fs.copyFileSync(file, path.join(clean, 'journal.jsonl'));
  fs.writeFileSync(path.join(clean, 'journal.jsonl'), fs.readFileSync(file, 'utf8').replace('篡改后的备注', '原始备注'));
  expect(execFileSync(process.execPath, [path.join(ROOT, 'dist/tools/stationCli.js'), '--data-dir', clean, 'verify'], { encoding: 'utf8' })).toMatch(
    /journal OK/,
  );
});

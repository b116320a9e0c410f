// test/e2e — supervision and trust as the officer and the admin see them: an offline terminal raises a
// device fault with its own calmer tone, a tamper raises the alarm tone, the health view shows skew and
// refusals, a school's cancel request is shown without closing the alarm, and revoked devices are cut off.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { ROOT, startCoreProcess, type CoreProcess } from '../support/core';
import { connectTerminal, tryConnect, type TestTerminal } from '../support/terminal';
import { incident, logIn } from './console';

const HEARTBEAT_MS = 400; // offline after 3 intervals = 1.2 s

let core: CoreProcess;
let terminals: TestTerminal[] = [];
let beat: NodeJS.Timeout | undefined;

test.beforeEach(async () => {
  core = await startCoreProcess({ env: { STATION_HEARTBEAT_MS: String(HEARTBEAT_MS) } });
});
test.afterEach(async () => {
  clearInterval(beat);
  terminals.forEach((t) => t.close());
  terminals = [];
  await core?.stop();
});

/** Connects every demo terminal and keeps it heartbeating, except those listed as silent; `behind` clocks lag. */
async function liveCounty(silent: string[] = [], behind: Record<string, number> = {}): Promise<Map<string, TestTerminal>> {
  const map = new Map<string, TestTerminal>();
  for (const c of core.credentials.terminals) {
    const t = await connectTerminal(core.url, c.deviceId, c.token);
    terminals.push(t);
    map.set(c.deviceId, t);
  }
  const send = (): void => {
    for (const [id, t] of map) if (!silent.includes(id) && t.socket.connected) t.socket.emit('heartbeat', { sentAt: Date.now() - (behind[id] ?? 0) });
  };
  send();
  beat = setInterval(send, HEARTBEAT_MS / 2);
  return map;
}

test('a silent terminal becomes a device fault with the calmer tone, and clears when it is back', async ({ page }) => {
  const quiet = core.credentials.terminals[4]!;
  const silent = [quiet.deviceId];
  await liveCounty(silent);
  await logIn(page, core);
  const fault = page.locator(`[data-testid=fault][data-device-id="${quiet.deviceId}"][data-fault=offline]`);
  await expect(fault).toBeVisible({ timeout: 10_000 });
  await expect(fault).toContainText(quiet.schoolName);
  await expect(page.locator('[data-testid=fault]')).toHaveCount(1);
  await expect(page.getByTestId('sound-state')).toHaveAttribute('data-tone', 'fault');
  await expect(page.getByTestId('sound-state')).toHaveAttribute('data-sound', 'playing');

  // On the map the school is drawn as offline and the legend counts it; its card says so.
  await expect(page.getByTestId('legend-offline')).toHaveAttribute('data-count', '1');
  await page.getByTestId('map-search').fill(quiet.schoolId);
  await page.locator(`[data-testid=search-result][data-school-id="${quiet.schoolId}"]`).click();
  await expect(page.locator(`[data-testid=school-popup][data-school-id="${quiet.schoolId}"]`)).toContainText('报警终端离线');

  // The health view lists it as offline, first.
  await page.getByTestId('tab-devices').click();
  await expect(page.locator('[data-testid=device-row]').first()).toHaveAttribute('data-device-id', quiet.deviceId);
  await expect(page.locator(`[data-testid=device-row][data-device-id="${quiet.deviceId}"]`)).toHaveAttribute('data-online', 'false');

  // In the narrow queue of a 1280 px console, in English too, the fault names its school and its 确认 is whole.
  await page.setViewportSize({ width: 1280, height: 720 });
  await page.getByTestId('tab-console').click();
  for (const lang of ['English', '中文']) {
    await page.getByRole('button', { name: lang, exact: true }).click();
    await expect(fault.getByTestId('fault-ack')).toBeInViewport({ ratio: 1 });
    expect((await fault.locator('.fault-school').boundingBox())!.width).toBeGreaterThan(40);
  }
  await page.getByTestId('tab-devices').click();

  // Acknowledging silences it and takes it off the list (issue 11: acknowledged faults leave the list); the
  // health view keeps the device offline until it is back.
  await fault.getByTestId('fault-ack').click();
  await expect(fault).toHaveCount(0);
  await expect(page.getByTestId('sound-state')).toHaveAttribute('data-sound', 'idle');
  silent.length = 0; // the terminal is back and heartbeats again
  await expect(page.locator(`[data-testid=device-row][data-device-id="${quiet.deviceId}"]`)).toHaveAttribute('data-online', 'true', { timeout: 5000 });
  await page.getByRole('button', { name: /^(接警台|Console)$/ }).click();
  await expect(page.getByTestId('legend-offline')).toHaveAttribute('data-count', '0');
});

test('tamper raises the alarm tone; skew and refusals show in the health view; cancel is shown, not closed', async ({ page }) => {
  const [a, b] = core.credentials.terminals;
  // b's clock is 10 s behind.
  const county = await liveCounty([], { [b!.deviceId]: 10_000 });
  await logIn(page, core);
  const ta = county.get(a!.deviceId)!;
  const tb = county.get(b!.deviceId)!;

  expect(await ta.raw('heartbeat', { sentAt: Date.now(), tamper: true })).toMatchObject({ ok: true });
  const tamper = page.locator(`[data-testid=fault][data-device-id="${a!.deviceId}"][data-fault=tamper]`);
  await expect(tamper).toBeVisible();
  await expect(page.getByTestId('sound-state')).toHaveAttribute('data-tone', 'alarm');
  await tamper.getByTestId('fault-ack').click();
  await expect(page.getByTestId('sound-state')).toHaveAttribute('data-sound', 'idle');
  expect(await ta.raw('heartbeat', { sentAt: Date.now(), tamper: false })).toMatchObject({ ok: true });
  await expect(tamper).toHaveCount(0);

  // Two junk payloads.
  expect(await tb.raw('alarm', { alarmId: 'junk', kind: 'bomb', raisedAt: 1 })).toMatchObject({ ok: false, error: { code: 'invalid_payload' } });
  expect(await tb.raw('cancel', { alarmId: 'never-pressed', reason: 'x' })).toMatchObject({ ok: false, error: { code: 'unknown_alarm' } });
  await page.getByTestId('tab-devices').click();
  const row = page.locator(`[data-testid=device-row][data-device-id="${b!.deviceId}"]`);
  await expect(row.getByTestId('skew')).toContainText('⚠', { timeout: 5000 });
  await expect(row.getByTestId('refusals')).toContainText('invalid_payload: 1');
  await expect(row.getByTestId('refusals')).toContainText('unknown_alarm: 1');

  // The school asks to cancel: shown on the card, the alarm stays open and keeps sounding.
  await page.getByRole('button', { name: /接警台|Console/ }).click();
  expect(await tb.press({ alarmId: 'mistake' })).toMatchObject({ ok: true });
  expect(await tb.raw('cancel', { alarmId: 'mistake', reason: '学生误触' })).toEqual({ ok: true });
  const card = incident(page, 'mistake');
  await expect(card.getByTestId('cancel-request')).toContainText('学生误触');
  await expect(card).toHaveAttribute('data-state', 'received');
  await expect(page.getByTestId('sound-state')).toHaveAttribute('data-tone', 'alarm');
});

test('admin registers a terminal, rotates and disables it; the CLI revokes a connected device at once', async ({ page }) => {
  page.on('dialog', (d) => void d.accept());
  await logIn(page, core, 'admin');
  await page.getByTestId('tab-admin').click();
  const school = core.credentials.terminals[3]!.schoolId;
  await page.locator('input[name=deviceId]').fill('term-new-1');
  await page.locator('select[name=schoolId]').selectOption(school);
  await page.locator('input[name=label]').fill('东门报警柱');
  await page.getByRole('button', { name: '登记终端' }).click();
  const token = (await page.getByTestId('new-token').locator('code').textContent())!;
  expect(token.length).toBeGreaterThan(20);
  const fresh = await connectTerminal(core.url, 'term-new-1', token);
  terminals.push(fresh);
  const pressed = await fresh.press({ alarmId: 'from-new' });
  expect(pressed).toMatchObject({ ok: true });
  await page.getByTestId('new-token').getByRole('button').click();

  // Rotate: the connected terminal is cut off, the old token is refused, the new one works.
  const disconnected = new Promise<void>((r) => fresh.socket.once('disconnect', () => r()));
  await page.locator('[data-testid=admin-row][data-device-id="term-new-1"]').getByRole('button', { name: '更换令牌' }).click();
  const newToken = (await page.getByTestId('new-token').locator('code').textContent())!;
  await disconnected;
  fresh.close();
  expect(await tryConnect(core.url, { deviceId: 'term-new-1', token })).toBe('unauthorized');
  expect(await tryConnect(core.url, { deviceId: 'term-new-1', token: newToken })).toBe('connected');

  // Disable from the screen: refused from now on.
  await page.getByTestId('new-token').getByRole('button').click();
  await page.locator('[data-testid=admin-row][data-device-id="term-new-1"]').getByRole('button', { name: '停用' }).click();
  await expect(page.locator('[data-testid=admin-row][data-device-id="term-new-1"]')).toHaveClass(/disabled/);
  expect(await tryConnect(core.url, { deviceId: 'term-new-1', token: newToken })).toBe('unauthorized');

  // The shell CLI on the same data folder: a connected demo terminal is dropped and refused.
  const c = core.credentials.terminals[9]!;
  const t = await connectTerminal(core.url, c.deviceId, c.token);
  terminals.push(t);
  const gone = new Promise<void>((r) => t.socket.once('disconnect', () => r()));
  const out = execFileSync(
    process.execPath,
    [path.join(ROOT, 'dist/tools/stationCli.js'), '--demo', '--data-dir', core.dataDir, 'device', 'disable', '--id', c.deviceId],
    { encoding: 'utf8' },
  );
  expect(out).toContain('disabled');
  await gone;
  expect(await tryConnect(core.url, { deviceId: c.deviceId, token: c.token })).toBe('unauthorized');

  // Roles are the core's business: an officer's console has no admin tab, and the command is refused.
  await page.getByRole('button', { name: /退出|Log out/ }).click();
  await logIn(page, core, 'officer');
  await expect(page.getByTestId('tab-admin')).toHaveCount(0);
});

// test/e2e — never buried (issue 11): with a county of offline terminals the alarm's 接警 is on screen at
// 1280×720 and the faults are collapsed to a count below the queue; "acknowledge all" journals one record per
// fault with the officer's name; the map follows the most urgent alarm, not the newest, and 全县 returns from any
// zoom; a resolved alarm leaves the live queue after the linger time and is one click away in the today list.
import fs from 'node:fs';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import type { JournalRecord } from '../../shared/events';
import type { RegistryData } from '../../main/core/registry';
import { startCoreProcess, type CoreProcess } from '../support/core';
import { connectTerminal, type TestTerminal } from '../support/terminal';
import { incident, logIn, journalOf } from './console';

const HEARTBEAT_MS = 300; // offline after 3 intervals = 0.9 s
const LINGER_MS = 3000;

let core: CoreProcess;
const closers: (() => void)[] = [];
test.use({ viewport: { width: 1280, height: 720 } });
test.beforeEach(async () => {
  core = await startCoreProcess({ env: { STATION_HEARTBEAT_MS: String(HEARTBEAT_MS), STATION_RESOLVED_LINGER_MS: String(LINGER_MS) } });
});
test.afterEach(async () => {
  closers.splice(0).forEach((c) => c());
  await core?.stop();
});

const journal = (): JournalRecord[] => journalOf(core);

/** Every demo terminal connects once (a sign of life) and then says nothing: all go offline. */
async function silentCounty(): Promise<TestTerminal[]> {
  const ts = await Promise.all(core.credentials.terminals.map((c) => connectTerminal(core.url, c.deviceId, c.token)));
  ts.forEach((t) => closers.push(() => t.close()));
  return ts;
}

/** The element is inside the window without scrolling anything. */
async function inViewport(page: Page, testId: string, alarmId: string): Promise<boolean> {
  const box = await incident(page, alarmId).getByTestId(testId).boundingBox();
  const vp = page.viewportSize()!;
  return !!box && box.y >= 0 && box.y + box.height <= vp.height && box.x >= 0 && box.x + box.width <= vp.width;
}

const mapCenter = async (page: Page): Promise<[number, number]> => {
  const c = await page.locator('[data-testid=map] .leaflet-container').getAttribute('data-center');
  return c!.split(',').map(Number) as [number, number];
};

test('36 offline terminals: the alarm comes first, faults collapse to a count, acknowledge all journals each one', async ({ page }) => {
  const n = core.credentials.terminals.length;
  expect(n).toBe(36);
  const ts = await silentCounty();
  await logIn(page, core);
  const faults = page.getByTestId('faults');
  await expect(faults).toHaveAttribute('data-count', String(n), { timeout: 10_000 });
  // Collapsed: the count and the newest three, the rest one click away.
  await expect(faults.getByTestId('fault')).toHaveCount(3);

  await ts[0]!.press({ alarmId: 'violence-1', kind: 'violence' });
  // The alarm's terminal spoke and keeps heartbeating: it is back online, 35 faults remain.
  const beat = setInterval(() => ts[0]!.socket.emit('heartbeat', { sentAt: Date.now() }), HEARTBEAT_MS / 2);
  closers.push(() => clearInterval(beat));
  await expect(incident(page, 'violence-1')).toBeVisible();
  await expect(faults).toHaveAttribute('data-count', String(n - 1));
  expect(await inViewport(page, 'ack', 'violence-1')).toBe(true);
  await page.screenshot({ path: test.info().outputPath('buried-alarm.png') });

  await faults.getByTestId('faults-toggle').click();
  await expect(faults.getByTestId('fault')).toHaveCount(n - 1);
  // Still on screen with the list open: the faults scroll in their own box.
  expect(await inViewport(page, 'ack', 'violence-1')).toBe(true);
  await faults.getByTestId('faults-toggle').click();

  await faults.getByTestId('faults-ack-all').click();
  await expect(page.getByTestId('faults')).toHaveCount(0);
  const acks = journal().filter((r) => r.event.type === 'device.fault_acknowledged');
  expect(acks).toHaveLength(n - 1);
  expect(new Set(acks.map((r) => (r.event.type === 'device.fault_acknowledged' ? r.event.deviceId : ''))).size).toBe(n - 1);
  for (const r of acks) expect(r.event).toMatchObject({ fault: 'offline', operator: { username: 'officer', displayName: expect.stringContaining('王警官') } });
  // The alarm is untouched.
  await expect(incident(page, 'violence-1')).toHaveAttribute('data-state', 'received');

  // The health screen: offline terminals stay offline there.
  await page.getByTestId('tab-devices').click();
  await expect(page.locator('[data-testid=device-row][data-online=false]')).toHaveCount(n - 1);
});

test('a terminal never heard since the start is "never connected", not a fault', async ({ page }) => {
  await logIn(page, core);
  await page.waitForTimeout(6 * HEARTBEAT_MS);
  await expect(page.getByTestId('faults')).toHaveCount(0);
  await page.getByTestId('tab-devices').click();
  const first = core.credentials.terminals[0]!.deviceId;
  await expect(page.locator(`[data-testid=device-row][data-device-id="${first}"] [data-testid=device-state]`)).toHaveAttribute('data-state', 'never');
  await expect(page.locator(`[data-testid=device-row][data-device-id="${first}"]`)).toContainText('从未连接');
  expect(journal().filter((r) => r.event.type === 'device.offline')).toEqual([]);
});

test('the map follows the most urgent alarm, not the newest; 全县 returns; resolved alarms leave for the today list', async ({ page }) => {
  const reg = JSON.parse(fs.readFileSync(path.join(core.dataDir, 'demo-registry.json'), 'utf8')) as RegistryData;
  const schoolOf = (i: number) => reg.schools.find((s) => s.id === core.credentials.terminals[i]!.schoolId)!;
  await logIn(page, core);
  const ts = await Promise.all(
    [0, 12, 24].map((i) => connectTerminal(core.url, core.credentials.terminals[i]!.deviceId, core.credentials.terminals[i]!.token)),
  );
  ts.forEach((t) => closers.push(() => t.close()));
  const near = async (i: number): Promise<boolean> => {
    const [lat, lng] = await mapCenter(page);
    const s = schoolOf(i);
    return Math.abs(lat - s.lat) < 0.002 && Math.abs(lng - s.lng) < 0.002;
  };

  // A drill first, then a real alarm, then a newer real alarm: the map goes to the first real one and stays.
  await ts[0]!.press({ alarmId: 'drill-1', kind: 'panic', drill: true });
  await expect.poll(() => near(0)).toBe(true);
  await ts[1]!.press({ alarmId: 'real-1', kind: 'violence' });
  await expect.poll(() => near(12)).toBe(true);
  const realId = await incident(page, 'real-1').getAttribute('data-incident-id');
  await expect(page.getByTestId('map')).toHaveAttribute('data-focus', realId!);
  await ts[2]!.press({ alarmId: 'real-2', kind: 'intrusion' });
  await expect(incident(page, 'real-2')).toBeVisible();
  await page.waitForTimeout(500);
  expect(await near(12)).toBe(true);
  await expect(page.getByTestId('map')).toHaveAttribute('data-focus', realId!);

  // 全县: from the school's zoom back to the whole county.
  const zoomed = Number(await page.locator('[data-testid=map] .leaflet-container').getAttribute('data-zoom'));
  await page.getByTestId('whole-county').click();
  await expect.poll(async () => Number(await page.locator('[data-testid=map] .leaflet-container').getAttribute('data-zoom'))).toBeLessThan(zoomed - 2);

  // Taking the most urgent one sends the map to the next: the other real alarm (before the drill).
  await incident(page, 'real-1').getByTestId('ack').click();
  await expect.poll(() => near(24)).toBe(true);

  // Resolve real-1: it stays in the queue for the linger time, then leaves it for the today list.
  const panel = page.getByTestId('incident-panel');
  await incident(page, 'real-1').click();
  await expect(panel).toHaveAttribute('data-incident-id', realId!);
  await panel.getByTestId('resolve').locator('select[name=disposition]').selectOption('false_alarm');
  await panel.getByTestId('resolve').locator('input[name=note]').fill('学校误按');
  await panel.getByTestId('resolve').getByRole('button').click();
  await expect(incident(page, 'real-1')).toHaveAttribute('data-state', 'resolved');
  await expect(incident(page, 'real-1')).toHaveCount(0, { timeout: LINGER_MS + 5000 });
  await expect(incident(page, 'real-2')).toBeVisible();
  await expect(page.getByTestId('today')).toHaveAttribute('data-count', '1');
  await page.getByTestId('today-toggle').click();
  const item = page.locator(`[data-testid=today-item][data-incident-id="${realId}"]`);
  await expect(item).toContainText(schoolOf(12).name);
  await expect(item).toContainText('误报');
  await item.click();
  await expect(panel).toHaveAttribute('data-incident-id', realId!);
  await page.screenshot({ path: test.info().outputPath('today-list.png') });
});

test('a long queue: cards far below the view are one line until the officer scrolls near; the keyboard reaches them whole', async ({ page }) => {
  const reg = JSON.parse(fs.readFileSync(path.join(core.dataDir, 'demo-registry.json'), 'utf8')) as RegistryData;
  const ts = await silentCounty();
  await logIn(page, core);
  const n = ts.length; // 36: more than the queue's window of cards shown whole (24)
  for (let i = 0; i < n; i++) expect(await ts[i]!.press({ alarmId: `long-${i}`, kind: 'panic', note: `long-${i}` })).toMatchObject({ ok: true });
  await expect(page.getByTestId('incident')).toHaveCount(n);
  const first = incident(page, 'long-0');
  const last = incident(page, `long-${n - 1}`);
  const lastSchool = reg.schools.find((s) => s.id === core.credentials.terminals[n - 1]!.schoolId)!;
  await expect(first.getByTestId('ack')).toBeVisible();
  // The last card: its place in the queue with one line of what it is (school, kind, note), not its content.
  await expect(last).toHaveClass(/\bslot\b/);
  await expect(last).toContainText(lastSchool.name);
  await expect(last).toContainText(`long-${n - 1}`);
  await expect(last.getByTestId('ack')).toHaveCount(0);
  // The officer scrolls the queue to its end: every card there is whole, 接警 on it.
  await page.getByTestId('queue-list').evaluate((el) => el.scrollTo(0, el.scrollHeight));
  await expect(last).not.toHaveClass(/\bslot\b/);
  await last.scrollIntoViewIfNeeded();
  await expect(last.getByTestId('ack')).toBeVisible();
  // Back to the top; the keyboard steps back from the first card to the last (K): whole, selected, focused.
  await page.getByTestId('queue-list').evaluate((el) => el.scrollTo(0, 0));
  await expect(last).toHaveClass(/\bslot\b/);
  await page.locator('body').click({ position: { x: 5, y: 5 } });
  await page.keyboard.press('k');
  await expect(last).not.toHaveClass(/\bslot\b/);
  await expect(last).toBeFocused();
  await expect(last.getByTestId('ack')).toBeVisible();
  // Every alarm was reported shown by the console, the one-line ones too.
  await expect.poll(() => journal().filter((r) => r.event.type === 'incident.shown').length).toBeGreaterThanOrEqual(n);
});

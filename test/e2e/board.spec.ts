// test/e2e — the three-year-plan board (issue 12): a school with three drill days and a test press this semester meets
// those targets; a school with neither is shown red; the totals count the schools that meet each target; the
// filter keeps only the schools below target. Real core, terminals over socket.io, real Chromium.
import { expect, test } from '@playwright/test';
import { zonedParts } from '../../shared/duty';
import { semesterOf } from '../../shared/planBoard';
import { startCoreProcess, type CoreProcess } from '../support/core';
import { connectTerminal } from '../support/terminal';
import { incident, logIn } from './console';

let core: CoreProcess;
const two = (n: number): string => String(n).padStart(2, '0');
test.beforeEach(async () => {
  core = await startCoreProcess();
});
test.afterEach(async () => {
  await core?.stop();
});

test('the board shows a school below target in red, and one that meets it not', async ({ page }) => {
  await page.setViewportSize({ width: 1440, height: 900 });
  await logIn(page, core, 'chief');
  const [a, b] = core.credentials.terminals;
  const term = await connectTerminal(core.url, a!.deviceId, a!.token);
  // Three drills (three kinds: a further press of an open kind would join its incident) and a test press.
  for (const kind of ['panic', 'fire', 'violence'] as const)
    expect(await term.press({ alarmId: `drill-${kind}`, kind, drill: true })).toMatchObject({ ok: true });
  expect(await term.press({ alarmId: 'test-1', kind: 'test' })).toMatchObject({ ok: true });

  await page.getByTestId('tab-board').click();
  await expect(page.getByTestId('board-semester')).toContainText(/学期/);
  const rowA = page.locator(`[data-testid=board-row][data-school-id="${a!.schoolId}"]`);
  const rowB = page.locator(`[data-testid=board-row][data-school-id="${b!.schoolId}"]`);
  // The three presses are one day's drill: one of three.
  await expect(rowA.locator('[data-cell=drills]')).toHaveText('1/33 次未报备');
  await expect(rowA.locator('[data-cell=drills]')).toHaveClass(/below/);
  // Two drills the school held on earlier days of the semester, registered: three drill days.
  const now = zonedParts(Date.now());
  const today = `${now.year}-${two(now.month)}-${two(now.day)}`;
  const dayAfter = (ymd: string, n: number): string => new Date(Date.parse(`${ymd}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
  const earlier = [0, 1].map((n) => dayAfter(semesterOf(today).from, n)).filter((d) => d < today);
  test.skip(earlier.length < 2, 'the semester began less than two days ago: there are no two earlier days to register drills on');
  await page.getByTestId('board-view-drills').click();
  for (const [i, date] of earlier.entries()) {
    await page.getByTestId('drill-school').selectOption(a!.schoolId);
    await page.getByTestId('drill-date').fill(date);
    await page.getByTestId('drill-kind').selectOption('fire');
    await page.getByTestId('drill-note').fill(`登记演练 ${i + 1}`);
    await page.getByTestId('drill-submit').click();
    await expect(page.getByTestId('drill-row').filter({ hasText: `登记演练 ${i + 1}` })).toHaveCount(1);
  }
  await page.getByTestId('board-view-board').click();
  // Three drills counted; none of the presses was announced in advance, so all three are flagged for the chief.
  await expect(rowA.locator('[data-cell=drills]')).toHaveText('3/33 次未报备');
  await expect(rowA.locator('[data-cell=unannounced]')).toHaveText('3 次未报备');
  await expect(rowA.locator('[data-cell=drills]')).not.toHaveClass(/below/);
  await expect(rowA.locator('[data-cell=test]')).not.toHaveClass(/below/);
  // A's terminal is connected; B's is registered but not connected.
  // Online now, and the online rate this semester: A was heard from and never silent since; B never connected.
  await expect(rowA.locator('[data-cell=networked]')).toHaveText('1/1 · 100.0 %');
  await expect(rowA.locator('[data-cell=networked]')).not.toHaveClass(/below/);
  await expect(rowB.locator('[data-cell=networked]')).toHaveText('0/1 · 0.0 %');
  await expect(rowB.locator('[data-cell=networked]')).toHaveClass(/below/);
  await expect(rowB.locator('[data-cell=drills]')).toHaveText('0/3');
  await expect(rowB.locator('[data-cell=drills]')).toHaveClass(/below/);
  await expect(rowB.locator('[data-cell=test]')).toHaveText('从未');
  await expect(rowB.locator('[data-cell=test]')).toHaveClass(/below/);
  // No real alarm: nothing to be short of.
  await expect(rowB.locator('[data-cell=priority]')).toHaveText('无报警');
  await expect(rowB.locator('[data-cell=priority]')).not.toHaveClass(/below/);
  // The totals: of all the demo's schools, one has had its drills.
  const totals = page.getByTestId('board-totals').locator('th');
  await expect(totals.nth(3)).toHaveText('1');
  await page.screenshot({ path: test.info().outputPath('board-zh-1440x900.png') });

  // Only the schools below target: B stays.
  await page.getByTestId('board-only-short').check();
  await expect(rowB).toHaveCount(1);
  await page.getByRole('button', { name: 'English' }).click();
  await expect(rowB.locator('[data-cell=test]')).toHaveText('never');
  await page.screenshot({ path: test.info().outputPath('board-en-1440x900.png') });
  await term.close();
});

test('an inspection with a hidden danger is recorded and closed, and counted on the board', async ({ page }) => {
  await page.setViewportSize({ width: 1440, height: 900 });
  await logIn(page, core, 'chief');
  const school = core.credentials.terminals[0]!;
  await page.getByTestId('tab-board').click();
  const cell = page.locator(`[data-testid=board-row][data-school-id="${school.schoolId}"] [data-cell=inspections]`);
  await expect(cell).toHaveText('0/2');
  await expect(cell).toHaveClass(/below/);

  const record = async (findings: string): Promise<void> => {
    await page.getByTestId('board-view-inspections').click();
    await page.getByTestId('insp-school').selectOption(school.schoolId);
    await page.getByTestId('insp-police').fill('王警官');
    await page.getByTestId('insp-education').fill('教育局 刘老师');
    await page.getByTestId('insp-findings').fill(findings);
    await page.getByTestId('insp-deadline').fill('2099-12-31');
    await page.getByTestId('insp-submit').click();
  };
  await record('东门监控不清');
  const row = page.getByTestId('inspection-row').filter({ hasText: '王警官' }).first();
  await expect(row.getByTestId('finding')).toHaveAttribute('data-open', 'true');
  await expect(row.getByTestId('finding')).toContainText('东门监控不清 · 期限 2099-12-31 · 待整改');
  await page.getByTestId('board-view-board').click();
  await expect(cell).toHaveText('1/2 · 1 项隐患未整改');
  await page.getByTestId('board-view-inspections').click();

  // Rectified: closed with what was done, and the chief's name.
  await row.getByTestId('finding-close').click();
  await row.getByTestId('finding-note').fill('已更换摄像头');
  await row.getByTestId('finding-close-confirm').click();
  await expect(row.getByTestId('finding')).toHaveAttribute('data-open', 'false');
  await expect(row.getByTestId('finding')).toContainText('已整改（示例所长 张所长：已更换摄像头）');
  await page.getByTestId('board-view-board').click();
  await expect(cell).toHaveText('1/2');
  await expect(cell).toHaveClass(/below/);

  // A second inspection, with nothing found: the school meets the plan's two.
  await record('');
  await expect(page.getByTestId('inspection-row')).toHaveCount(2);
  await page.screenshot({ path: test.info().outputPath('board-inspections-zh-1440x900.png') });
  await page.getByTestId('board-view-board').click();
  await expect(cell).toHaveText('2/2');
  await expect(cell).not.toHaveClass(/below/);

  // After a reload (from the core, not the page's memory), the same.
  await page.reload();
  await page.getByTestId('tab-board').click();
  await expect(cell).toHaveText('2/2');
  await page.getByTestId('board-view-inspections').click();
  await expect(page.getByTestId('inspection-row')).toHaveCount(2);
});

test('a drill the school held is registered and counted; a guard post is checked in and out with the officer’s name', async ({ page }) => {
  await page.setViewportSize({ width: 1440, height: 900 });
  await logIn(page, core, 'officer');
  const school = core.credentials.terminals[1]!;
  await page.getByTestId('tab-board').click();
  const drills = page.locator(`[data-testid=board-row][data-school-id="${school.schoolId}"] [data-cell=drills]`);
  await expect(drills).toHaveText('0/3');

  // A date in the future is refused, with the reason in Chinese; nothing is recorded.
  await page.getByTestId('board-view-drills').click();
  await page.getByTestId('drill-school').selectOption(school.schoolId);
  await page.getByTestId('drill-date').fill('2099-01-01');
  await page.getByTestId('drill-submit').click();
  await expect(page.getByTestId('school-drills').getByRole('alert')).toContainText('日期有误');
  await expect(page.getByTestId('drill-row')).toHaveCount(0);

  const now = zonedParts(Date.now());
  const today = `${now.year}-${two(now.month)}-${two(now.day)}`;
  await page.getByTestId('drill-date').fill(today);
  await page.getByTestId('drill-kind').selectOption('fire');
  await page.getByTestId('drill-note').fill('全校防火疏散');
  await page.getByTestId('drill-submit').click();
  const drillRow = page.getByTestId('drill-row').filter({ hasText: '全校防火疏散' });
  await expect(drillRow).toContainText('防火');
  await expect(drillRow).toContainText('示例值班民警 王警官');
  await page.getByTestId('board-view-board').click();
  await expect(drills).toHaveText('1/3');
  await expect(drills).toHaveAttribute('title', '有演练报警的日子 0 天 + 登记演练 1 次（同一天只计一次）');

  // A guard post checked in: staffed now, since when and by whom; checked out again.
  await page.getByTestId('board-view-posts').click();
  const post = page.getByTestId('post-row').first();
  const postId = await post.getAttribute('data-post-id');
  await expect(post).toHaveAttribute('data-staffed', 'no');
  await post.getByTestId('post-in').click();
  const same = page.locator(`[data-testid=post-row][data-post-id="${postId}"]`);
  await expect(same).toHaveAttribute('data-staffed', 'yes');
  await expect(same).toContainText('示例值班民警 王警官');
  await page.screenshot({ path: test.info().outputPath('board-drills-posts-zh-1440x900.png'), fullPage: true });
  await same.getByTestId('post-out').click();
  await expect(same).toHaveAttribute('data-staffed', 'no');

  // From the core after a reload: the drill is still counted.
  await page.reload();
  await page.getByTestId('tab-board').click();
  await expect(drills).toHaveText('1/3');
  await page.getByTestId('board-view-drills').click();
  await expect(page.getByTestId('drill-row')).toHaveCount(1);
});

test('an announced school drill is marked, sounds the drill tone, is acknowledged and counted; an unannounced one is flagged for the chief', async ({
  page,
}) => {
  await page.setViewportSize({ width: 1440, height: 900 });
  await logIn(page, core, 'officer');
  const [a, b] = core.credentials.terminals;
  // The station's wall clock (Asia/Shanghai): a window from this minute to an hour on (or to the end of the day).
  const p = zonedParts(Date.now());
  const day = `${p.year}-${two(p.month)}-${two(p.day)}`;
  const from = `${two(p.hour)}:${two(p.minute)}`;
  const to = p.hour >= 23 ? '23:59' : `${two(p.hour + 1)}:${two(p.minute)}`;
  await page.getByTestId('tab-board').click();
  await page.getByTestId('board-view-drills').click();
  await page.getByTestId('window-school').selectOption(a!.schoolId);
  await page.getByTestId('window-date').fill(day);
  await page.getByTestId('window-from').fill(from);
  await page.getByTestId('window-to').fill(to);
  await page.getByTestId('window-note').fill('防火疏散演练');
  await page.getByTestId('window-submit').click();
  await expect(page.getByTestId('window-row')).toHaveCount(1);
  await expect(page.getByTestId('window-row')).toContainText('进行中');

  // School A presses in its window without saying drill: an announced drill, with the drill tone.
  const ta = await connectTerminal(core.url, a!.deviceId, a!.token);
  expect(await ta.press({ alarmId: 'in-window', kind: 'fire' })).toMatchObject({ ok: true });
  await page.getByTestId('tab-console').click();
  const card = incident(page, 'in-window');
  await expect(card.locator('.tag.drill')).toHaveText('演练');
  await expect(card.getByTestId('drill-announced')).toHaveAttribute('data-announced', 'yes');
  await expect(card.getByTestId('drill-announced')).toHaveText('已报备');
  await expect(page.getByTestId('sound-state')).toHaveAttribute('data-tone', 'drill');
  await card.getByTestId('ack').click();
  await expect(card).toHaveAttribute('data-state', 'acknowledged');
  await expect(page.getByTestId('sound-state')).not.toHaveAttribute('data-tone', 'drill');

  // School B presses a drill nobody announced: shown as a drill, flagged 未报备.
  const tb = await connectTerminal(core.url, b!.deviceId, b!.token);
  expect(await tb.press({ alarmId: 'surprise', kind: 'panic', drill: true })).toMatchObject({ ok: true });
  await expect(incident(page, 'surprise').getByTestId('drill-announced')).toHaveText('未报备');
  await page.screenshot({ path: test.info().outputPath('drill-announced-zh-1440x900.png') });

  // The board: A's drill counted; B's flagged for the chief, and listed with its incident.
  await page.getByTestId('tab-board').click();
  const rowA = page.locator(`[data-testid=board-row][data-school-id="${a!.schoolId}"]`);
  const rowB = page.locator(`[data-testid=board-row][data-school-id="${b!.schoolId}"]`);
  await expect(rowA.locator('[data-cell=drills]')).toHaveText('1/3');
  await expect(rowB.locator('[data-cell=unannounced]')).toHaveText('1 次未报备');
  await page.getByTestId('board-view-drills').click();
  await expect(page.getByTestId('unannounced-row')).toHaveCount(1);
  await page.screenshot({ path: test.info().outputPath('board-drill-windows-zh-1440x900.png'), fullPage: true });
  await page.getByRole('button', { name: 'English' }).click();
  await expect(page.getByTestId('window-row')).toContainText('under way');
  await expect(page.getByTestId('unannounced-row')).toHaveCount(1);
  await page.screenshot({ path: test.info().outputPath('board-drill-windows-en-1440x900.png'), fullPage: true });
  await page.getByTestId('board-view-posts').click();
  await expect(page.getByTestId('post-row').first()).toContainText('not staffed');
  await page.screenshot({ path: test.info().outputPath('board-posts-en-1440x900.png') });
  await page.getByTestId('board-view-inspections').click();
  await expect(page.getByTestId('inspections')).toContainText('Joint police–education inspections');
  await page.screenshot({ path: test.info().outputPath('board-inspections-en-1440x900.png') });
  await ta.close();
  await tb.close();
});

test('a drill calendar imported from a CSV file: a wrong file announces nothing and names its lines; a right one announces every window', async ({ page }) => {
  await page.setViewportSize({ width: 1440, height: 900 });
  await logIn(page, core, 'officer');
  const [a, b] = core.credentials.terminals;
  const p = zonedParts(Date.now() + 86_400_000);
  const tomorrow = `${p.year}-${two(p.month)}-${two(p.day)}`;
  const now = zonedParts(Date.now());
  const today = `${now.year}-${two(now.month)}-${two(now.day)}`;
  const to = now.hour >= 23 ? '23:59' : `${two(now.hour + 1)}:${two(now.minute)}`;
  await page.getByTestId('tab-board').click();
  await page.getByTestId('board-view-drills').click();
  await expect(page.getByTestId('window-file-name')).toHaveText('未选择文件');

  // One good row and two bad ones: nothing is announced, and each bad line is named.
  const wrong = `学校编号,日期,开始,结束,备注\n${a!.schoolId},${tomorrow},09:30,10:30,防震演练\nno-such-school,${tomorrow},09:30,10:30,\n${b!.schoolId},${tomorrow},11:00,10:00,\n`;
  await page.getByTestId('window-file').setInputFiles({ name: '演练计划.csv', mimeType: 'text/csv', buffer: Buffer.from(wrong) });
  await expect(page.getByTestId('window-file-name')).toHaveText('演练计划.csv');
  await page.getByTestId('window-import').click();
  const result = page.getByTestId('window-import-result');
  await expect(result).toContainText('文件有误，未登记任何时段');
  await expect(result).toContainText('line 3, field schoolId');
  await expect(result).toContainText('line 4, field to');
  await expect(page.getByTestId('window-row')).toHaveCount(0);

  // The right file: both windows announced, one of them now, so a press in it is an announced drill.
  const right = `schoolId,date,from,to,note\n${a!.schoolId},${tomorrow},09:30,10:30,防震演练\n${b!.schoolId},${today},${two(now.hour)}:${two(now.minute)},${to},消防疏散\n`;
  await page.getByTestId('window-file').setInputFiles({ name: 'drills.csv', mimeType: 'text/csv', buffer: Buffer.from(right) });
  await page.getByTestId('window-import').click();
  await expect(result).toHaveText('已登记 2 个演练时段。');
  await expect(page.getByTestId('window-row')).toHaveCount(2);
  await expect(page.getByTestId('window-file-name')).toHaveText('未选择文件');
  await page.screenshot({ path: test.info().outputPath('drill-windows-imported-zh-1440x900.png') });
  const tb = await connectTerminal(core.url, b!.deviceId, b!.token);
  expect(await tb.press({ alarmId: 'imported-window', kind: 'fire' })).toMatchObject({ ok: true });
  await page.getByTestId('tab-console').click();
  await expect(incident(page, 'imported-window').getByTestId('drill-announced')).toHaveText('已报备');
  await tb.close();
});

// test/e2e — the chief's charts (issue 12, "charts that a chief would rather look at than read … every figure links to
// the incidents behind it"): three real alarms (one acknowledged late) and a drill; the statistics tab draws the trend,
// the hour of day and the weekday with the tables' numbers; a bar opens History listing exactly the incidents behind
// it (as many as the bar counts, all of its hour, no drill); a group's total does the same; the printed report has
// the same charts. Screenshots in Chinese and English, night and day (UPDATE_SCREENSHOTS=1 writes docs/screenshots/).
import path from 'node:path';
import { expect, test, type Locator } from '@playwright/test';
import { ROOT, startCoreProcess, type CoreProcess } from '../support/core';
import { logIn, pressAndAcknowledge } from './console';

const outDir = process.env.UPDATE_SCREENSHOTS ? path.join(ROOT, 'docs', 'screenshots') : path.join(ROOT, 'test-results', 'screenshots');

let core: CoreProcess;
test.beforeEach(async () => {
  core = await startCoreProcess();
});
test.afterEach(async () => {
  await core?.stop();
});

/** Each bar of a chart: its key, count and share (as drawn, from the data attributes the bars carry). */
const barsOf = (chart: Locator): Promise<{ key: string; count: number; share: string; title: string }[]> =>
  chart.locator('[data-testid=chart-bar]').evaluateAll((gs) =>
    gs.map((g) => ({
      key: g.getAttribute('data-key')!,
      count: Number(g.getAttribute('data-count')),
      share: g.getAttribute('data-share')!,
      title: g.querySelector('title')!.textContent!,
    })),
  );

test('a chief reads the charts, clicks a bar and lands in History on exactly the incidents behind it', async ({ page }) => {
  test.setTimeout(150_000);
  await page.setViewportSize({ width: 1440, height: 900 });
  await logIn(page, core, 'chief');
  const real = [
    await pressAndAcknowledge(page, core, 0, 'chart-real-1'),
    await pressAndAcknowledge(page, core, 1, 'chart-real-2', { late: true }),
    await pressAndAcknowledge(page, core, 2, 'chart-real-3'),
  ];
  const drill = await pressAndAcknowledge(page, core, 3, 'chart-drill-1', { drill: true });

  await page.getByTestId('tab-stats').click();
  await expect(page.getByTestId('stats-summary-title')).toContainText('共 3 起');
  const hour = page.getByTestId('chart-hour');
  const weekday = page.getByTestId('chart-weekday');
  const trend = page.getByTestId('chart-week'); // this month: by week
  // The hour of day: 24 bars, 00 to 23; the weekday: 7; each chart counts the 3 real alarms (not the drill).
  await expect(hour.locator('[data-testid=chart-bar]')).toHaveCount(24);
  await expect(weekday.locator('[data-testid=chart-bar]')).toHaveCount(7);
  await expect(trend.locator('[data-testid=chart-bar]').first()).toBeVisible();
  const hours = await barsOf(hour);
  expect(hours.map((b) => b.key)).toEqual(Array.from({ length: 24 }, (_, h) => String(h).padStart(2, '0')));
  for (const chart of [hour, weekday, trend]) expect((await barsOf(chart)).reduce((n, b) => n + b.count, 0)).toBe(3);
  // Labelled and accessible: the chart is an image with its words, each bar has a title; the axes are named.
  const svg = hour.locator('svg[role=img]');
  await expect(svg).toHaveAttribute('aria-label', /^按报警时刻（小时）分布：共 3 起，最多为 \d\d 时（\d 起）$/);
  await expect(svg.locator('.chart-axis-name')).toHaveText(['报警数（起）', '接警达标率（%）', '时段（小时）']);

  // The busiest hour (all three, unless the presses straddled an hour).
  const busiest = hours.reduce((m, b) => (b.count > m.count ? b : m));
  expect(busiest.title).toContain(`${busiest.key} 时：${busiest.count} 起`);

  // The chart's numbers are the table's: grouped by hour, the busiest hour's row has the bar's total and share.
  await page.getByTestId('stats-group').selectOption('hour');
  const hourRow = page.getByTestId('stats-groups').locator('tbody tr', { hasText: `${busiest.key} 时` });
  await expect(hourRow.locator('td').nth(1)).toHaveText(String(busiest.count));
  await expect(hourRow.locator('td').nth(4)).toContainText(busiest.share ? `${busiest.share} %` : '—');
  if (busiest.count === 3) {
    // One of the three acknowledged after the 10 s target: the dot at 66.6 % (a share is rounded down, as in the
    // table: a missed goal never reads as met), red (below the 90 % goal).
    expect(busiest.share).toBe('66.6');
    await expect(hour.locator('circle.chart-dot.below')).toHaveCount(1);
  }
  // Beside a wide bar's dot, its share in whole per cent, rounded down as the table's tenths are (66.6 is "66 %").
  const weekShares = (await barsOf(trend)).filter((b) => b.share !== '').map((b) => `${Math.floor(Number(b.share))} %`);
  const weekLabels = await trend.locator('.chart-share-value').allTextContents();
  expect(weekLabels.length).toBeGreaterThan(0);
  for (const label of weekLabels) expect(weekShares).toContain(label);
  await page.screenshot({ path: test.info().outputPath('stats-charts-hour-table.png') });

  // Click the bar: History, this period, real alarms, that hour: exactly the incidents the bar counts.
  await hour.locator(`[data-testid=chart-bar][data-key="${busiest.key}"]`).click();
  await expect(page.getByTestId('history')).toBeVisible();
  await expect(page.getByTestId('history-group')).toContainText(`来自统计：时段（小时） = ${busiest.key} 时`);
  const rows = page.getByTestId('history-row');
  await expect(rows).toHaveCount(busiest.count);
  await expect(page.getByTestId('history-count')).toHaveText(`第 1–${busiest.count} 条，共 ${busiest.count} 条`);
  const listed = await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-incident-id')!));
  expect(listed.every((id) => real.includes(id))).toBe(true);
  expect(listed).not.toContain(drill);
  // Each of them received in that hour (station time, as the row writes it).
  for (const cell of await rows.locator('td:nth-child(2)').allInnerTexts()) expect(cell).toMatch(new RegExp(` ${busiest.key}:\\d\\d:\\d\\d$`));
  await expect(page.getByTestId('history-class')).toHaveValue('real');
  // The condition can be taken off: then the whole period's real alarms.
  await page.getByTestId('history-group-clear').click();
  await expect(page.getByTestId('history-group')).toHaveCount(0);
  await expect(rows).toHaveCount(3);

  // The summary's n of received → acknowledged: the 3 acknowledged real alarms.
  await page.getByTestId('tab-stats').click();
  await expect(page.getByTestId('stats-count-acknowledged')).toHaveText('3');
  await page.getByTestId('stats-count-acknowledged').click();
  await expect(page.getByTestId('history-reached')).toContainText('收到→接警');
  await expect(rows).toHaveCount(3);
  expect((await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-incident-id')!))).sort()).toEqual([...real].sort());
  await page.screenshot({ path: test.info().outputPath('history-from-stats.png') });

  // A table's count: a school's total opens that school's incidents (History's own school filter).
  await page.getByTestId('tab-stats').click();
  await expect(page.getByTestId('stats-groups')).toBeVisible(); // grouped by school again (a fresh tab)
  const schoolId = core.credentials.terminals[1]!.schoolId;
  const total = page.locator(`[data-testid=stats-group-total][data-key="${schoolId}"]`);
  await expect(total).toHaveText('1');
  await total.click();
  await expect(page.getByTestId('history-school')).toHaveValue(schoolId);
  await expect(rows).toHaveCount(1);
  await expect(rows.nth(0)).toHaveAttribute('data-incident-id', real[1]!);
  // The History tab's own button: every incident of this month, no condition left over.
  await page.getByTestId('tab-history').click();
  await expect(page.getByTestId('history-school')).toHaveValue('');
  await expect(rows).toHaveCount(3);

  // The printed report has the same charts, bar for bar.
  await page.getByTestId('tab-stats').click();
  await expect(hour.locator('[data-testid=chart-bar]')).toHaveCount(24);
  const screenBars = await barsOf(hour);
  await page.getByTestId('stats-report').click();
  const report = page.getByTestId('report');
  await expect(report.getByTestId('chart-hour').locator('[data-testid=chart-bar]')).toHaveCount(24);
  expect(await barsOf(report.getByTestId('chart-hour'))).toEqual(screenBars);
  await expect(report.getByTestId('chart-weekday')).toBeVisible();
  await page.emulateMedia({ media: 'print' });
  await page.pdf({ path: test.info().outputPath('report-charts-zh.pdf'), format: 'A4', printBackground: true });
  await report.screenshot({ path: test.info().outputPath('report-charts-zh.png') });
  await page.emulateMedia({ media: 'screen' });
  await report.getByTestId('report-close').click();

  // Eyes on it: Chinese and English, night and day.
  for (const [lang, theme] of [
    ['zh', 'night'],
    ['zh', 'day'],
    ['en', 'night'],
    ['en', 'day'],
  ] as const) {
    await page.evaluate(({ l, t }) => (localStorage.setItem('station.lang', l), localStorage.setItem('station.theme', t)), { l: lang, t: theme });
    await page.reload();
    await page.getByTestId('tab-stats').click();
    await expect(page.getByTestId('chart-hour').locator('[data-testid=chart-bar]')).toHaveCount(24);
    await expect(page.getByTestId('stats-summary-title')).toContainText(lang === 'zh' ? '共 3 起' : '3 incidents');
    await page.screenshot({ path: path.join(outDir, `stats-charts-${lang}-${theme}-1440x900.png`) });
  }
  // In English the chart's words are English.
  await expect(page.getByTestId('chart-hour').locator('svg')).toHaveAttribute(
    'aria-label',
    /^By hour of day \(time of the alarm\): 3 alarms, most in \d\d:00 \(\d\)$/,
  );
});

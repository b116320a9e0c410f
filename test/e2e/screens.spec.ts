// test/e2e — eyes on the other screens (issue 11, "screenshots of each screen"): the login, the devices tab with the
// demo's never-connected terminals, the admin tab, and the shortcut sheet, at 1280×720 and 1920×1080, in Chinese
// and English, night and day. Each is checked as it is shot: no horizontal scroll, no page scroll, the header on
// one line. (The console with an alarm open is layout.spec.ts.) UPDATE_SCREENSHOTS=1 writes docs/screenshots/.
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { ROOT, startCoreProcess, type CoreProcess } from '../support/core';
import { logIn } from './console';

const outDir = process.env.UPDATE_SCREENSHOTS ? path.join(ROOT, 'docs', 'screenshots') : path.join(ROOT, 'test-results', 'screenshots');

let core: CoreProcess;
test.beforeEach(async () => {
  core = await startCoreProcess();
});
test.afterEach(async () => {
  await core?.stop();
});

type Lang = 'zh' | 'en';
type Theme = 'night' | 'day';
const LOOKS: [Lang, Theme][] = [
  ['zh', 'night'],
  ['zh', 'day'],
  ['en', 'night'],
  ['en', 'day'],
];

/** The console's own stored choices (renderer/i18n.ts, renderer/components/theme.ts), set before it loads. */
async function look(page: Page, lang: Lang, theme: Theme): Promise<void> {
  await page.evaluate(
    ({ l, t }) => {
      localStorage.setItem('station.lang', l);
      localStorage.setItem('station.theme', t);
    },
    { l: lang, t: theme },
  );
  await page.reload();
}

async function fits(page: Page, what: string): Promise<void> {
  const m = await page.evaluate(() => {
    const doc = document.scrollingElement!;
    const top = document.querySelector<HTMLElement>('.topbar');
    // The header's own items (a dialog it opens is fixed over the page, not in its row).
    const items = top ? [...top.children].filter((e) => !['fixed', 'absolute'].includes(getComputedStyle(e).position)) : [];
    const rows = top ? new Set(items.map((e) => Math.round(e.getBoundingClientRect().top + e.getBoundingClientRect().height / 2))).size : 1;
    return { sw: doc.scrollWidth, cw: doc.clientWidth, sh: doc.scrollHeight, ch: doc.clientHeight, rows, lang: document.documentElement.lang };
  });
  expect(m.sw, `${what}: horizontal scroll`).toBeLessThanOrEqual(m.cw);
  expect(m.sh, `${what}: the page scrolls`).toBeLessThanOrEqual(m.ch);
  expect(m.rows, `${what}: the header wraps`).toBe(1);
}

async function shoot(page: Page, name: string): Promise<void> {
  await fits(page, name);
  await page.screenshot({ path: path.join(outDir, `${name}.png`) });
}

for (const [w, h] of [
  [1280, 720],
  [1920, 1080],
] as const) {
  test(`the login, devices, admin and shortcut screens at ${w}×${h}, zh and en, night and day`, async ({ page }) => {
    test.setTimeout(120_000);
    await page.setViewportSize({ width: w, height: h });
    await page.goto(core.url);
    for (const [lang, theme] of LOOKS) {
      await look(page, lang, theme);
      await expect(page.getByRole('button', { name: lang === 'zh' ? '登录' : 'Log in' })).toBeVisible();
      await shoot(page, `login-${w}x${h}-${lang}-${theme}`);
    }

    await logIn(page, core, 'officer');
    for (const [lang, theme] of LOOKS) {
      await look(page, lang, theme);
      await expect(page.getByTestId('link-state')).toHaveText(lang === 'zh' ? '已连接' : 'Connected');
      await page.getByTestId('tab-devices').click();
      await expect(page.getByTestId('device-row').first()).toBeVisible();
      await shoot(page, `devices-${w}x${h}-${lang}-${theme}`);
      await page
        .getByRole('button', { name: lang === 'zh' ? '接警台' : 'Console', exact: true })
        .first()
        .click();
      await page.getByTestId('shortcuts-button').click();
      await expect(page.getByTestId('shortcut-sheet')).toBeVisible();
      await shoot(page, `shortcuts-${w}x${h}-${lang}-${theme}`);
      await page.keyboard.press('Escape');
      await expect(page.getByTestId('shortcut-sheet')).toBeHidden();
    }

    await page.evaluate(() => sessionStorage.clear());
    await logIn(page, core, 'admin');
    for (const [lang, theme] of LOOKS) {
      await look(page, lang, theme);
      await expect(page.getByTestId('link-state')).toHaveText(lang === 'zh' ? '已连接' : 'Connected');
      await page.getByTestId('tab-admin').click();
      await expect(page.getByTestId('admin-row').first()).toBeVisible();
      await shoot(page, `admin-${w}x${h}-${lang}-${theme}`);
    }
  });
}

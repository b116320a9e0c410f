// test/e2e — the admin's whole job in the console (issue 14, item 3), each screen as the admin uses it: an account added
// logs in with its temporary password, is made to set its own before the console opens, then works; a reset forces the
// change again and logs its consoles out; a disabled account is logged out and refused. A unit added gets a token shown
// once; rotated, the old token is refused and the new one accepted. Schools, guard posts and police rooms are added,
// found by the search, edited and deleted after the in-page confirmation; a school in use is refused. Screenshots of
// each screen in Chinese and English (UPDATE_SCREENSHOTS=1 writes docs/screenshots/admin-*.png, 1280×720).
import path from 'node:path';
import { expect, test, type Browser, type Page } from '@playwright/test';
import { startCoreProcess, ROOT, type CoreProcess } from '../support/core';
import { connectUnit } from '../support/unit';
import { journalOf, logIn } from './console';

const outDir = process.env.UPDATE_SCREENSHOTS ? path.join(ROOT, 'docs', 'screenshots') : path.join(ROOT, 'test-results', 'screenshots');
const VIEWPORT = { width: 1280, height: 720 };

let core: CoreProcess;
test.beforeEach(async ({ page }) => {
  await page.setViewportSize(VIEWPORT);
  core = await startCoreProcess();
});
test.afterEach(async () => {
  await core?.stop();
});

async function shoot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(outDir, `${name}.png`) });
}

/** The console in another language (remembered per console), back on the admin screen's section. */
async function inLanguage(page: Page, lang: 'zh' | 'en', section: string): Promise<void> {
  await page.evaluate((l) => localStorage.setItem('station.lang', l), lang);
  await page.reload();
  await expect(page.getByTestId('link-state')).toHaveText(lang === 'zh' ? '已连接' : 'Connected');
  await page.getByTestId('tab-admin').click();
  await page.getByTestId(`admin-sec-${section}`).click();
}

async function openAdmin(page: Page, section: string): Promise<void> {
  await logIn(page, core, 'admin');
  await page.getByTestId('tab-admin').click();
  await page.getByTestId(`admin-sec-${section}`).click();
}

/** Confirms the in-page dialog (never window.confirm). */
async function confirm(page: Page, says: RegExp): Promise<void> {
  const dialog = page.getByTestId('confirm-dialog');
  await expect(dialog).toContainText(says);
  await dialog.getByTestId('confirm-ok').click();
  await expect(dialog).toBeHidden();
}

/** A second console (its own browser context) at the login screen. */
async function otherConsole(browser: Browser): Promise<Page> {
  const ctx = await browser.newContext({ viewport: VIEWPORT });
  const page = await ctx.newPage();
  await page.goto(core.url);
  return page;
}

async function loginAs(page: Page, username: string, password: string): Promise<void> {
  await page.locator('input[name=username]').fill(username);
  await page.locator('input[name=password]').fill(password);
  await page.getByRole('button', { name: /^(登录|Log in)$/ }).click();
}

async function setNewPassword(page: Page, password: string): Promise<void> {
  const change = page.getByTestId('password-change');
  await expect(change).toBeVisible();
  await change.locator('input[name=newPassword]').fill(password);
  await change.locator('input[name=repeatPassword]').fill(password);
  await page.getByRole('button', { name: /设置新密码并登录|Set the new password/ }).click();
}

test('accounts: a new operator sets their own password at the first login, then works; reset and disable log them out', async ({ page, browser }) => {
  test.setTimeout(120_000);
  await openAdmin(page, 'operators');
  const add = page.getByTestId('operator-add');
  await add.locator('input[name=username]').fill('e2e-zhao');
  await add.locator('input[name=displayName]').fill('示例值班民警 赵警官');
  await add.locator('select[name=role]').selectOption('officer');
  await add.getByRole('button').click();
  const secret = page.getByTestId('new-secret');
  await expect(secret).toContainText('e2e-zhao');
  const temp = (await secret.getByTestId('secret-value').textContent())!.trim();
  expect(temp.length).toBeGreaterThanOrEqual(16);
  const row = page.locator('[data-testid=operator-row][data-username="e2e-zhao"]');
  await expect(row).toContainText('待改密码');
  await shoot(page, 'admin-operators-zh');

  // The new operator: the temporary password opens only the password change, never the console.
  const zhao = await otherConsole(browser);
  await loginAs(zhao, 'e2e-zhao', temp);
  await expect(zhao.getByTestId('password-change')).toBeVisible();
  await expect(zhao.getByTestId('link-state')).toHaveCount(0);
  await shoot(zhao, 'admin-password-change-zh');
  // At 1280×720 the whole card is on screen, in English too (its longest texts): the button and the language link.
  const fits = async (): Promise<void> => {
    for (const b of [zhao.locator('.login-card button[type=submit]'), zhao.locator('.login-card button.link')]) {
      const box = (await b.boundingBox())!;
      expect(box.y).toBeGreaterThanOrEqual(0);
      expect(box.y + box.height).toBeLessThanOrEqual(VIEWPORT.height);
    }
  };
  await fits();
  await zhao.getByRole('button', { name: 'English' }).click();
  await expect(zhao.getByRole('button', { name: /Set the new password/ })).toBeVisible();
  await fits();
  await zhao.getByRole('button', { name: '中文' }).click();
  // Two different entries are caught on the page; the core's own rule (8 characters) is the form's.
  await zhao.getByTestId('password-change').locator('input[name=newPassword]').fill('zhao-pass-2026');
  await zhao.getByTestId('password-change').locator('input[name=repeatPassword]').fill('zhao-pass-2027');
  await zhao.getByRole('button', { name: '设置新密码并登录' }).click();
  await expect(zhao.getByRole('alert')).toHaveText('两次输入的新密码不一致');
  await setNewPassword(zhao, 'zhao-pass-2026');
  await expect(zhao.getByTestId('link-state')).toHaveText('已连接');
  await expect(zhao.locator('.topbar .operator')).toContainText('赵警官');

  // The admin finds the account by the search and the role filter; the list shows the password changed.
  await page.getByTestId('new-secret').getByRole('button').click();
  await page.getByTestId('admin-sec-terminals').click();
  await page.getByTestId('admin-sec-operators').click();
  await page.getByTestId('operators-query').fill('zhao');
  await expect(page.getByTestId('operators-count')).toHaveAttribute('data-matching', '1');
  await expect(row).toContainText('启用');
  await page.getByTestId('operators-role').selectOption('chief');
  await expect(page.getByTestId('operators-count')).toHaveAttribute('data-matching', '0');
  await page.getByTestId('operators-role').selectOption('');

  // A reset: their console is logged out, the new temporary password forces a change again.
  await row.getByRole('button', { name: '重置密码' }).click();
  await confirm(page, /重置 e2e-zhao 的密码/);
  const temp2 = (await page.getByTestId('secret-value').textContent())!.trim();
  await expect(zhao.locator('input[name=username]')).toBeVisible(); // back at the login screen
  await loginAs(zhao, 'e2e-zhao', 'zhao-pass-2026');
  await expect(zhao.getByRole('alert')).toContainText('用户名或密码错误');
  await zhao.locator('input[name=password]').fill(temp2);
  await zhao.getByRole('button', { name: /^登录$/ }).click();
  await setNewPassword(zhao, 'zhao-pass-second');
  await expect(zhao.getByTestId('link-state')).toHaveText('已连接');

  // A disable: logged out at once, the login refused from then on.
  await page.getByTestId('new-secret').getByRole('button').click();
  await row.getByRole('button', { name: '停用' }).click();
  await confirm(page, /停用账号 e2e-zhao/);
  await expect(row).toHaveClass(/disabled/);
  await expect(zhao.locator('input[name=username]')).toBeVisible();
  await loginAs(zhao, 'e2e-zhao', 'zhao-pass-second');
  await expect(zhao.getByRole('alert')).toContainText('用户名或密码错误');
  // The admin's own account cannot be disabled from here.
  await page.getByTestId('operators-query').fill('');
  await expect(page.locator('[data-testid=operator-row][data-username="admin"]').getByRole('button', { name: '停用' })).toBeDisabled();

  const actions = journalOf(core).flatMap((r) => (r.event.type === 'admin.action' ? [[r.event.operator.username, r.event.action, r.event.target]] : []));
  expect(actions).toEqual([
    ['admin', 'operator.added', 'e2e-zhao'],
    ['e2e-zhao', 'password.changed', 'e2e-zhao'],
    ['admin', 'password.reset', 'e2e-zhao'],
    ['e2e-zhao', 'password.changed', 'e2e-zhao'],
    ['admin', 'disabled', 'e2e-zhao'],
  ]);

  await inLanguage(page, 'en', 'operators');
  await expect(page.getByTestId('operators-count')).toContainText('in all');
  await shoot(page, 'admin-operators-en');
  await zhao.context().close();
});

test('units: a new unit gets its token once; edited, its token still works; rotated, the old token is refused and the new one accepted', async ({ page }) => {
  test.setTimeout(90_000);
  await openAdmin(page, 'units');
  const add = page.getByTestId('unit-add');
  await add.locator('input[name=id]').fill('car-e2e-1');
  await add.locator('input[name=name]').fill('示例巡逻车 E2E');
  await add.locator('input[name=callsign]').fill('巡E1');
  await add.locator('input[name=lat]').fill('41.32');
  await add.locator('input[name=lng]').fill('117.74');
  await add.getByRole('button').click();
  const secret = page.getByTestId('new-secret');
  await expect(secret).toContainText('car-e2e-1');
  const token = (await secret.getByTestId('secret-value').textContent())!.trim();
  const unit = await connectUnit(core.url, 'car-e2e-1', token);
  await page.getByTestId('units-query').fill('E2E');
  await expect(page.getByTestId('units-count')).toHaveAttribute('data-matching', '1');
  await shoot(page, 'admin-units-zh');

  const cut = new Promise<void>((r) => unit.socket.once('disconnect', () => r()));
  const row = page.locator('[data-testid=unit-row][data-unit-id="car-e2e-1"]');
  await row.getByRole('button', { name: '更换令牌' }).click();
  await confirm(page, /更换 car-e2e-1 的令牌/);
  await expect(page.getByTestId('secret-value')).not.toHaveText(token);
  const newToken = (await page.getByTestId('secret-value').textContent())!.trim();
  await cut;
  unit.close();
  await expect(connectUnit(core.url, 'car-e2e-1', token)).rejects.toThrow(/unauthorized/);
  const again = await connectUnit(core.url, 'car-e2e-1', newToken);
  again.close();

  // Edited: call sign, home and post (its id and device stay, its token still works).
  await page.getByTestId('new-secret').getByRole('button').click();
  await row.getByRole('button', { name: '编辑' }).click();
  await expect(add).toHaveAttribute('data-mode', 'edit');
  await expect(add.getByRole('heading')).toHaveText('编辑 car-e2e-1');
  await expect(add.locator('input[name=id]')).toHaveJSProperty('readOnly', true);
  await expect(add.locator('input[name=hasDevice]')).toBeDisabled();
  await expect(add.locator('input[name=callsign]')).toHaveValue('巡E1');
  await add.locator('input[name=callsign]').fill('岗E2');
  await add.locator('input[name=lat]').fill('41.33');
  const postOption = add.locator('select[name=postId] option').nth(1);
  const [postId, postLabel] = [(await postOption.getAttribute('value'))!, (await postOption.textContent())!];
  await add.locator('select[name=postId]').selectOption(postId);
  await add.getByRole('button', { name: '保存' }).click();
  await expect(add).toHaveAttribute('data-mode', 'add');
  await expect(row.locator('td').nth(2)).toHaveText('岗E2');
  await expect(row.locator('td').nth(4)).toHaveText(postLabel.replace(/ \(.*\)$/, ''));
  (await connectUnit(core.url, 'car-e2e-1', newToken)).close();
  // A post that is gone by the time of saving is refused with the catalogue's reason, in Chinese, and nothing changes.
  await row.getByRole('button', { name: '编辑' }).click();
  await add.locator('select[name=postId]').evaluate((sel, v) => {
    const o = document.createElement('option');
    o.value = v;
    o.textContent = v;
    sel.append(o);
    (sel as HTMLSelectElement).value = v;
  }, 'post-gone');
  await add.getByRole('button', { name: '保存' }).click();
  await expect(page.getByTestId('admin-error')).toContainText('护学岗');
  await expect(row.locator('td').nth(4)).toHaveText(postLabel.replace(/ \(.*\)$/, ''));
  await add.getByRole('button', { name: '取消' }).click();
  // Two admins: this form is opened, another admin takes the unit off its post meanwhile, and this form then saves
  // only a new call sign. The other admin's change stands (the form sends the post only when it changed it).
  await row.getByRole('button', { name: '编辑' }).click();
  const other = await page.context().browser()!.newPage();
  await openAdmin(other, 'units');
  const otherRow = other.locator('[data-testid=unit-row][data-unit-id="car-e2e-1"]');
  await otherRow.getByRole('button', { name: '编辑' }).click();
  await other.getByTestId('unit-add').locator('select[name=postId]').selectOption('');
  await other.getByTestId('unit-add').getByRole('button', { name: '保存' }).click();
  await expect(otherRow.locator('td').nth(4)).toHaveText('');
  await expect(row.locator('td').nth(4)).toHaveText('');
  await other.close();
  await add.locator('input[name=callsign]').fill('岗E3');
  await add.getByRole('button', { name: '保存' }).click();
  await expect(add).toHaveAttribute('data-mode', 'add');
  await expect(row.locator('td').nth(2)).toHaveText('岗E3');
  await expect(row.locator('td').nth(4)).toHaveText('');

  // Disabled: refused too, and shown so.
  await row.getByRole('button', { name: '停用' }).click();
  await confirm(page, /停用 car-e2e-1/);
  await expect(row).toHaveClass(/disabled/);
  await expect(connectUnit(core.url, 'car-e2e-1', newToken)).rejects.toThrow(/unauthorized/);
  await page.getByTestId('units-status').selectOption('disabled');
  await expect(page.getByTestId('units-count')).toHaveAttribute('data-matching', '1');

  await inLanguage(page, 'en', 'units');
  await shoot(page, 'admin-units-en');
});

test('schools, guard posts, police rooms: add, find, edit, delete after confirming; a school in use is refused', async ({ page }) => {
  test.setTimeout(120_000);
  await openAdmin(page, 'schools');
  const form = page.getByTestId('schools-form');
  await form.locator('input[name=id]').fill('sch-e2e-1');
  await form.locator('input[name=name]').fill('示例测试幼儿园');
  await form.locator('input[name=nameEn]').fill('Sample Test Kindergarten');
  await form.locator('select[name=type]').selectOption('kindergarten');
  await form.locator('input[name=address]').fill('示例路 8 号');
  await form.locator('input[name=lat]').fill('41.31');
  await form.locator('input[name=lng]').fill('117.73');
  await form.locator('select[name=area]').selectOption('suburban');
  await form.getByRole('button', { name: '新增' }).click();
  await expect(page.getByTestId('admin-done')).toHaveText('已保存。');
  // Found by id and by name; the type filter narrows it.
  await page.getByTestId('schools-query').fill('sch-e2e');
  await expect(page.getByTestId('schools-count')).toHaveAttribute('data-matching', '1');
  await page.getByTestId('schools-query').fill('测试幼儿园');
  await expect(page.getByTestId('schools-count')).toHaveAttribute('data-matching', '1');
  await page.getByTestId('schools-filter').selectOption('primary');
  await expect(page.getByTestId('schools-count')).toHaveAttribute('data-matching', '0');
  await page.getByTestId('schools-filter').selectOption('kindergarten');
  const row = page.locator('[data-testid=schools-row][data-id="sch-e2e-1"]');
  await expect(row).toBeVisible();

  // Edit: the id stays, the name changes everywhere (the reference data is pushed to consoles).
  await row.getByRole('button', { name: '编辑' }).click();
  await expect(form).toHaveAttribute('data-mode', 'edit');
  await expect(form.locator('input[name=id]')).toHaveAttribute('readonly', '');
  await form.locator('input[name=name]').fill('示例测试幼儿园（新址）');
  await form.getByRole('button', { name: '保存' }).click();
  await expect(row).toContainText('示例测试幼儿园（新址）');
  await shoot(page, 'admin-schools-zh');

  // A school with terminals is refused, and stays.
  const busy = core.credentials.terminals[0]!.schoolId;
  await page.getByTestId('schools-filter').selectOption('');
  await page.getByTestId('schools-query').fill(busy);
  const busyRow = page.locator(`[data-testid=schools-row][data-id="${busy}"]`);
  await busyRow.getByRole('button', { name: '删除' }).click();
  await expect(page.getByTestId('confirm-dialog')).toContainText('有终端、护学岗或未处置完毕警情的学校不能删除');
  await shoot(page, 'admin-confirm-zh');
  await page.getByTestId('confirm-ok').click();
  await expect(page.getByTestId('admin-error')).toContainText('该记录仍在使用中');
  await expect(busyRow).toBeVisible();

  // Cancel keeps it; confirm deletes it.
  await page.getByTestId('schools-query').fill('sch-e2e-1');
  await row.getByRole('button', { name: '删除' }).click();
  await page.getByTestId('confirm-cancel').click();
  await expect(row).toBeVisible();
  await row.getByRole('button', { name: '删除' }).click();
  await confirm(page, /删除学校 sch-e2e-1/);
  await expect(row).toHaveCount(0);
  await expect(page.getByTestId('admin-done')).toHaveText('已删除。');

  // Guard posts: add at a school, edit its windows, delete.
  await page.getByTestId('admin-sec-posts').click();
  const postForm = page.getByTestId('posts-form');
  await postForm.locator('input[name=id]').fill('post-e2e-1');
  await postForm.locator('input[name=name]').fill('示例测试护学岗');
  await postForm.locator('select[name=schoolId]').selectOption(busy);
  await postForm.locator('input[name=lat]').fill('41.30');
  await postForm.locator('input[name=lng]').fill('117.70');
  await postForm.locator('input[name=windows]').fill('7:00-8:00');
  await postForm.getByRole('button', { name: '新增' }).click();
  await page.getByTestId('posts-query').fill('测试护学岗');
  const postRow = page.locator('[data-testid=posts-row][data-id="post-e2e-1"]');
  await expect(postRow).toContainText('07:00-08:00');
  await postRow.getByRole('button', { name: '编辑' }).click();
  await postForm.locator('input[name=windows]').fill('07:00-08:00;16:30-17:30');
  await postForm.locator('input[name=days]').fill('1-3');
  await postForm.getByRole('button', { name: '保存' }).click();
  await expect(postRow).toContainText('16:30-17:30');
  await expect(postRow).toContainText('1-3');
  await shoot(page, 'admin-posts-zh');
  await postRow.getByRole('button', { name: '删除' }).click();
  await confirm(page, /删除护学岗 post-e2e-1/);
  await expect(postRow).toHaveCount(0);

  // Police rooms: add, filter by kind, edit, delete.
  await page.getByTestId('admin-sec-rooms').click();
  const roomForm = page.getByTestId('rooms-form');
  await roomForm.locator('input[name=id]').fill('room-e2e-1');
  await roomForm.locator('input[name=name]').fill('示例测试岗亭');
  await roomForm.locator('select[name=kind]').selectOption('kiosk');
  await roomForm.locator('input[name=lat]').fill('41.33');
  await roomForm.locator('input[name=lng]').fill('117.75');
  await roomForm.getByRole('button', { name: '新增' }).click();
  await page.getByTestId('rooms-query').fill('room-e2e');
  await page.getByTestId('rooms-filter').selectOption('kiosk');
  const roomRow = page.locator('[data-testid=rooms-row][data-id="room-e2e-1"]');
  await expect(roomRow).toContainText('治安岗亭');
  await roomRow.getByRole('button', { name: '编辑' }).click();
  await roomForm.locator('input[name=name]').fill('示例测试警务室');
  await roomForm.locator('select[name=kind]').selectOption('police_room');
  await roomForm.getByRole('button', { name: '保存' }).click();
  await page.getByTestId('rooms-filter').selectOption('police_room');
  await expect(roomRow).toContainText('示例测试警务室');
  await shoot(page, 'admin-rooms-zh');
  await roomRow.getByRole('button', { name: '删除' }).click();
  await confirm(page, /删除警务室 room-e2e-1/);
  await expect(roomRow).toHaveCount(0);

  const actions = journalOf(core).flatMap((r) => (r.event.type === 'admin.action' ? [[r.event.operator.username, r.event.action, r.event.target]] : []));
  expect(actions).toEqual([
    ['admin', 'school.added', 'sch-e2e-1'],
    ['admin', 'school.updated', 'sch-e2e-1'],
    ['admin', 'school.deleted', 'sch-e2e-1'],
    ['admin', 'guardPost.added', 'post-e2e-1'],
    ['admin', 'guardPost.updated', 'post-e2e-1'],
    ['admin', 'guardPost.deleted', 'post-e2e-1'],
    ['admin', 'policeRoom.added', 'room-e2e-1'],
    ['admin', 'policeRoom.updated', 'room-e2e-1'],
    ['admin', 'policeRoom.deleted', 'room-e2e-1'],
  ]);

  await inLanguage(page, 'en', 'schools');
  await expect(page.getByTestId('schools-count')).toContainText('in all');
  await shoot(page, 'admin-schools-en');
  await page.getByTestId('admin-sec-posts').click();
  await shoot(page, 'admin-posts-en');
  await page.getByTestId('admin-sec-rooms').click();
  await shoot(page, 'admin-rooms-en');
});

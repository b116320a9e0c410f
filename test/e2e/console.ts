// test/e2e — the console as a duty officer uses it: locators and actions, kept apart from the tests.
import fs from 'node:fs';
import path from 'node:path';
import { expect, type Locator, type Page } from '@playwright/test';
import type { JournalRecord } from '../../shared/events';
import type { CoreProcess } from '../support/core';
import { connectTerminal } from '../support/terminal';

/** Every record of the core's journal on disk, as the station wrote it. */
export const journalOf = (core: CoreProcess): JournalRecord[] =>
  fs
    .readFileSync(path.join(core.dataDir, 'journal.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as JournalRecord);

export async function logIn(page: Page, core: CoreProcess, username = 'officer'): Promise<void> {
  const op = core.credentials.operators.find((o) => o.username === username);
  if (!op) throw new Error(`no demo operator ${username}`);
  await page.goto(core.url);
  await page.getByLabel(/用户名|Username/).fill(op.username);
  await page.getByLabel(/密码|Password/).fill(op.password);
  await page.getByRole('button', { name: /^(登录|Log in)$/ }).click();
  await expect(page.getByTestId('link-state')).toHaveText(/已连接|Connected/);
}

export const incident = (page: Page, alarmId: string) => page.locator(`[data-testid=incident][data-alarm-id="${alarmId}"]`);

/**
 * The element is seen as the page is, without scrolling anything: its box is wholly inside the window, and neither
 * a scrolling container (overflow) nor anything drawn over it hides its edges or its middle.
 */
export async function inWindow(page: Page, el: Locator): Promise<boolean> {
  const box = await el.boundingBox();
  const vp = page.viewportSize()!;
  if (!box || box.y < 0 || box.y + box.height > vp.height || box.x < 0 || box.x + box.width > vp.width) return false;
  return el.evaluate((e) => {
    const r = e.getBoundingClientRect();
    const [cx, cy] = [r.left + r.width / 2, r.top + r.height / 2];
    // The middle and the middle of each edge (a rounded corner is not the element's own to hit).
    const points: [number, number][] = [
      [cx, cy],
      [cx, r.top + 1],
      [cx, r.bottom - 1],
      [r.left + 1, cy],
      [r.right - 1, cy],
    ];
    return points.every(([x, y]) => {
      const hit = document.elementFromPoint(x, y);
      return !!hit && (hit === e || e.contains(hit));
    });
  });
}

/** Presses Tab (keyboard only) until the focus is on an element matching `selector`; fails after `max` presses. */
export async function tabTo(page: Page, selector: string, max = 60): Promise<void> {
  for (let i = 0; i < max; i++) {
    if (await page.evaluate((sel) => document.activeElement?.matches(sel) ?? false, selector)) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`Tab never reached ${selector} in ${max} presses`);
}

/** Whether Howler is really producing sound: a Howl is playing and the audio context is running. */
export function alarmAudible(page: Page): Promise<boolean> {
  return page.evaluate(() => {
    const w = window as unknown as { Howler?: { ctx?: AudioContext; _howls: { playing(): boolean; loop(): boolean }[] } };
    const h = w.Howler;
    return !!h && h.ctx?.state === 'running' && h._howls.some((x) => x.playing() && x.loop());
  });
}

/** The sound files Howler is really playing now (looping, in a running audio context), e.g. ['link.wav']. */
export function soundsPlaying(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const w = window as unknown as { Howler?: { ctx?: AudioContext; _howls: { playing(): boolean; loop(): boolean; _src: string | string[] }[] } };
    const h = w.Howler;
    if (!h || h.ctx?.state !== 'running') return [];
    return h._howls.filter((x) => x.playing() && x.loop()).map((x) => String(x._src).split('/').pop()!);
  });
}

/**
 * A terminal of the demo county (by its index in the credentials) presses, and the console acknowledges the card;
 * `late`: only once the card's timer is past the 10 s target. The incident id.
 */
export async function pressAndAcknowledge(
  page: Page,
  core: CoreProcess,
  terminalIndex: number,
  alarmId: string,
  opts: { drill?: boolean; late?: boolean; kind?: 'panic' | 'violence' } = {},
): Promise<string> {
  const t = core.credentials.terminals[terminalIndex]!;
  const term = await connectTerminal(core.url, t.deviceId, t.token);
  const ack = await term.press({ alarmId, kind: opts.kind ?? 'panic', ...(opts.drill ? { drill: true } : {}) });
  expect(ack).toMatchObject({ ok: true });
  const card = incident(page, alarmId);
  // The card's waiting time, on the station clock, past 0:10.
  if (opts.late) await expect(card.getByTestId('waited')).toHaveText(/0:(1[1-9]|[2-5]\d)$/, { timeout: 15_000 });
  await card.getByTestId('ack').click();
  await expect(card).toHaveAttribute('data-state', 'acknowledged');
  await term.close();
  return (ack as { incidentId: string }).incidentId;
}

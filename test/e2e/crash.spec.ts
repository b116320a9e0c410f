// test/e2e — a crash loses nothing that was acknowledged: SIGKILL the core, restart it on the same data,
// the incident is still there (acknowledged, by whom) and a resend returns the same incident.
import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { freshDataDir, startCoreProcess } from '../support/core';
import { connectTerminal } from '../support/terminal';
import { incident, logIn } from './console';

test('SIGKILL after an acknowledged alarm: restart keeps it, resend is a duplicate', async ({ page }) => {
  const dataDir = freshDataDir();
  let core = await startCoreProcess({ dataDir });
  const port = core.port;
  const t = core.credentials.terminals[7]!;
  let term = await connectTerminal(core.url, t.deviceId, t.token);
  const ack = (await term.press({ alarmId: 'before-crash' })) as { ok: true; incidentId: string; receivedAt: number };
  expect(ack.ok).toBe(true);
  await logIn(page, core);
  await incident(page, 'before-crash').getByTestId('ack').click();
  await term.waitForStatus('before-crash', 'acknowledged');
  term.close();

  await core.kill();
  await expect(page.getByTestId('link-state')).toHaveText(/断开|Disconnected/);

  core = await startCoreProcess({ dataDir, port });
  try {
    // The console reconnects by itself and still shows the acknowledged incident.
    await expect(page.getByTestId('link-state')).toHaveText(/已连接|Connected/, { timeout: 15_000 });
    await expect(incident(page, 'before-crash')).toHaveAttribute('data-state', 'acknowledged');
    await expect(incident(page, 'before-crash').getByTestId('acked-by')).toContainText('王警官');
    // A terminal that reconnects hears the state of its open alarm again.
    term = await connectTerminal(core.url, t.deviceId, t.token);
    await term.waitForStatus('before-crash', 'acknowledged');
    const again = await term.press({ alarmId: 'before-crash' });
    expect(again).toEqual({ ok: true, incidentId: ack.incidentId, receivedAt: ack.receivedAt, duplicate: true });
    // A new console (fresh browser context, empty replica) gets the same picture from the core.
    const fresh = await page.context().browser()!.newPage();
    await logIn(fresh, core, 'officer2');
    await expect(incident(fresh, 'before-crash')).toHaveAttribute('data-state', 'acknowledged');
    await fresh.close();
    term.close();
  } finally {
    await core.stop();
  }
});

test('a torn last journal record is reported and skipped, never fatal', async ({ page }) => {
  const dataDir = freshDataDir();
  let core = await startCoreProcess({ dataDir });
  const t = core.credentials.terminals[1]!;
  const term = await connectTerminal(core.url, t.deviceId, t.token);
  expect(await term.press({ alarmId: 'kept' })).toMatchObject({ ok: true });
  term.close();
  await core.kill();
  // A crash in the middle of writing the next record.
  fs.appendFileSync(path.join(dataDir, 'journal.jsonl'), '{"seq":2,"event":{"type":"alarm.rec');

  core = await startCoreProcess({ dataDir });
  try {
    // Logged on stderr, which may arrive after stdout's "console:" line (two pipes): wait for it.
    await expect.poll(() => core.output()).toMatch(/torn_tail/);
    await logIn(page, core);
    await expect(incident(page, 'kept')).toBeVisible();
    await expect(page.getByRole('status')).toContainText('torn_tail');
    // Appends go on cleanly after the torn record.
    const term2 = await connectTerminal(core.url, t.deviceId, t.token);
    // Another kind: a press of the same kind while 'kept' is open would join that incident.
    expect(await term2.press({ alarmId: 'after-tear', kind: 'fire' })).toMatchObject({ ok: true });
    await expect(incident(page, 'after-tear')).toBeVisible();
    term2.close();
    const lines = fs.readFileSync(path.join(dataDir, 'journal.jsonl'), 'utf8').trim().split('\n');
    expect(lines.map((l) => (JSON.parse(l) as { seq: number }).seq)).toEqual(lines.map((_, i) => i + 1));
  } finally {
    await core.stop();
  }
});

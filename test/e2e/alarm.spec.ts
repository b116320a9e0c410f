// test/e2e — the first school alarm, end to end: press → seen, heard, on the map → acknowledged by a named
// officer → the school's terminal hears it → a reload still shows it, from the console's own replica.
import { expect, test } from '@playwright/test';
import { connectTerminal, tryConnect } from '../support/terminal';
import { startCoreProcess, type CoreProcess } from '../support/core';
import { alarmAudible, incident, logIn } from './console';

let core: CoreProcess;
test.beforeEach(async () => {
  core = await startCoreProcess();
});
test.afterEach(async () => {
  await core?.stop();
});

test('a press is shown, sounds until a named officer acknowledges, and survives a reload', async ({ page }) => {
  await logIn(page, core);
  await expect(page.getByTestId('sound-state')).toHaveAttribute('data-sound', 'idle');
  expect(await alarmAudible(page)).toBe(false);

  const t = core.credentials.terminals[2]!;
  const term = await connectTerminal(core.url, t.deviceId, t.token);
  const ack = await term.press({ alarmId: 'e2e-first', kind: 'violence', note: '校门口有可疑人员' });
  expect(ack).toMatchObject({ ok: true });
  const incidentId = (ack as { incidentId: string }).incidentId;
  expect(incidentId).toMatch(/^\d{8}-\d{4}$/);

  const card = incident(page, 'e2e-first');
  await expect(card).toBeVisible();
  await expect(card).toContainText(t.schoolName);
  await expect(card).toContainText('校门口有可疑人员');
  await expect(card).toContainText(/暴力/);
  await expect(card).toHaveAttribute('data-state', 'received');
  // On the map: the alarmed school is marked and labelled.
  await expect(page.locator(`[data-testid=map-alarm][data-school-id="${t.schoolId}"]`)).toBeVisible();
  await expect(page.getByTestId('alarm-banner')).toBeVisible();
  // The alert sound is really playing (Howler's looping sound in a running audio context).
  await expect.poll(() => alarmAudible(page)).toBe(true);
  await expect(page.getByTestId('sound-state')).toHaveAttribute('data-sound', 'playing');
  // The waiting time counts up.
  const waited1 = await card.getByTestId('waited').textContent();
  await expect.poll(async () => card.getByTestId('waited').textContent(), { timeout: 3000 }).not.toBe(waited1);

  await card.getByTestId('ack').click();
  await expect(card).toHaveAttribute('data-state', 'acknowledged');
  await expect(card.getByTestId('acked-by')).toContainText('王警官');
  await expect(card.getByTestId('ack-interval')).toContainText(/接警用时 \d+\.\d 秒/);
  const status = await term.waitForStatus('e2e-first', 'acknowledged');
  expect(status.incidentId).toBe(incidentId);
  // Nothing left unacknowledged: the sound stops.
  await expect.poll(() => alarmAudible(page)).toBe(false);
  await expect(page.getByTestId('sound-state')).toHaveAttribute('data-sound', 'idle');
  const ackedText = await card.getByTestId('acked-by').textContent();

  await page.reload();
  await expect(incident(page, 'e2e-first')).toHaveAttribute('data-state', 'acknowledged');
  await expect(incident(page, 'e2e-first').getByTestId('acked-by')).toHaveText(ackedText!);
  // The console's IndexedDB replica holds the log by sequence number (written in batches, so poll).
  const replica = (): Promise<{ seq: number; type: string }[]> =>
    page.evaluate(
      () =>
        new Promise<{ seq: number; type: string }[]>((resolve, reject) => {
          const req = indexedDB.open('station-replica');
          req.onerror = () => reject(req.error);
          req.onsuccess = () => {
            const all = req.result.transaction('records').objectStore('records').getAll();
            all.onsuccess = () => resolve((all.result as { seq: number; event: { type: string } }[]).map((r) => ({ seq: r.seq, type: r.event.type })));
          };
        }),
    );
  await expect.poll(replica).toEqual([
    { seq: 1, type: 'alarm.received' },
    { seq: 2, type: 'incident.shown' },
    { seq: 3, type: 'incident.acknowledged' },
  ]);
  term.close();
});

test('bad payloads are refused with a code and create nothing; bad credentials get "unauthorized"', async ({ page }) => {
  const t = core.credentials.terminals[0]!;
  expect(await tryConnect(core.url, { deviceId: t.deviceId, token: 'wrong' })).toBe('unauthorized');
  expect(await tryConnect(core.url, { deviceId: 'no-such-device', token: t.token })).toBe('unauthorized');
  expect(await tryConnect(core.url, {})).toBe('unauthorized');
  // Another school's token does not open this device.
  expect(await tryConnect(core.url, { deviceId: t.deviceId, token: core.credentials.terminals[1]!.token })).toBe('unauthorized');

  const term = await connectTerminal(core.url, t.deviceId, t.token);
  const bad: unknown[] = [
    null,
    'panic',
    { alarmId: 'x', kind: 'nuclear', raisedAt: Date.now() },
    { alarmId: 'has space', kind: 'panic', raisedAt: Date.now() },
    { alarmId: 'ok', kind: 'panic', raisedAt: 'now' },
    { alarmId: 'ok', kind: 'panic', raisedAt: Date.now(), note: 'x'.repeat(501) },
    { alarmId: 'ok', kind: 'panic', raisedAt: Date.now(), note: '长'.repeat(400), location: { lat: 91, lng: 0 } },
    { alarmId: 'big', kind: 'panic', raisedAt: Date.now(), note: 'x'.repeat(17_000) },
  ];
  for (const p of bad) {
    const ans = (await term.raw('alarm', p)) as { ok: boolean; error?: { code: string; message: string } };
    expect(ans.ok, JSON.stringify(p)?.slice(0, 80)).toBe(false);
    expect(ans.error?.code).toBe('invalid_payload');
    expect(ans.error?.message.length).toBeGreaterThan(5);
  }
  expect(await term.raw('heartbeat', { sentAt: 'yesterday' })).toMatchObject({ ok: false, error: { code: 'invalid_payload' } });
  const hb = (await term.raw('heartbeat', { sentAt: Date.now(), battery: 80 })) as { ok: boolean; serverTime: number };
  expect(hb.ok).toBe(true);
  expect(Math.abs(hb.serverTime - Date.now())).toBeLessThan(5000);

  // The socket is still usable after all that, and nothing was created.
  await logIn(page, core);
  await expect(page.locator('[data-testid=incident]')).toHaveCount(0);
  const good = await term.press({ alarmId: 'after-junk' });
  expect(good).toMatchObject({ ok: true });
  await expect(page.locator('[data-testid=incident]')).toHaveCount(1);
  // A field the station does not know (here another school's id) is ignored, never obeyed and never a reason to
  // lose the alarm (protocol v1, forward compatibility): the school is this terminal's, from the registry.
  expect(await term.raw('alarm', { alarmId: 'with-school', kind: 'fire', raisedAt: Date.now(), schoolId: 'sch-k01' })).toMatchObject({ ok: true });
  await expect(page.locator('[data-testid=incident]')).toHaveCount(2);
  await expect(incident(page, 'with-school')).toContainText(t.schoolName);
  term.close();
});

test('a resent alarmId is the same incident; roles are enforced by the core, not only the page', async ({ page }) => {
  const t = core.credentials.terminals[5]!;
  const term = await connectTerminal(core.url, t.deviceId, t.token);
  const first = (await term.press({ alarmId: 'same-id' })) as { incidentId: string; receivedAt: number };
  const again = await term.press({ alarmId: 'same-id', note: 'retry' });
  expect(again).toEqual({ ok: true, incidentId: first.incidentId, receivedAt: first.receivedAt, duplicate: true });

  // A trainer sees the alarm but may not take it: the button is disabled and the core refuses the command.
  await logIn(page, core, 'trainer');
  const card = incident(page, 'same-id');
  await expect(card).toBeVisible();
  await expect(page.locator('[data-testid=incident]')).toHaveCount(1);
  await expect(card.getByTestId('ack')).toBeDisabled();
  const trainer = core.credentials.operators.find((o) => o.username === 'trainer')!;
  const refused = await page.evaluate(
    async ({ username, password, incidentId }) => {
      const { session } = (await (await fetch('api/login', { method: 'POST', body: JSON.stringify({ username, password }) })).json()) as { session: string };
      const ws = new WebSocket(`${location.origin.replace('http', 'ws')}/socket.io/?EIO=4&transport=websocket`);
      return new Promise<string>((resolve) => {
        ws.onmessage = (m) => {
          const d = String(m.data);
          if (d.startsWith('0{')) ws.send(`40/console,${JSON.stringify({ session, since: 999999 })}`);
          else if (d.startsWith('40/console,')) ws.send(`42/console,7["acknowledge",${JSON.stringify({ incidentId })}]`);
          else if (d.startsWith('43/console,7')) resolve(d);
          else if (d === '2') ws.send('3');
        };
      });
    },
    { username: trainer.username, password: trainer.password, incidentId: first.incidentId },
  );
  expect(refused).toContain('"forbidden"');
  await expect(card).toHaveAttribute('data-state', 'received');
  term.close();
});

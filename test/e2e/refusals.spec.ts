// test/e2e — refusals reach the officer in the interface language: a console that has not yet heard another's
// 接警 (its record pushes held back) presses 接警 and reads the refusal in Chinese, never the core's English; and
// dispatching is not offered before 接警, with the reason shown.
import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import type { RegistryData } from '../../main/core/registry';
import { startCoreProcess, type CoreProcess } from '../support/core';
import { connectTerminal } from '../support/terminal';
import { connectUnit } from '../support/unit';
import { incident, logIn } from './console';

let core: CoreProcess | undefined;
const closers: (() => void)[] = [];
test.afterEach(async () => {
  closers.splice(0).forEach((c) => c());
  await core?.stop();
});

test('a refusal from the core shows the catalogue text in Chinese, not the core message', async ({ page, browser }) => {
  core = await startCoreProcess();
  const t = core.credentials.terminals[2]!;
  const term = await connectTerminal(core.url, t.deviceId, t.token);
  closers.push(() => term.close());

  // Console B: its socket runs through a route that can hold back the station's record pushes.
  const b = await (await browser.newContext()).newPage();
  let holdRecords = false;
  await b.routeWebSocket(/socket\.io/, (ws) => {
    const server = ws.connectToServer();
    ws.onMessage((m) => server.send(m));
    server.onMessage((m) => {
      if (holdRecords && typeof m === 'string' && m.includes('["record')) return;
      ws.send(m);
    });
  });
  await logIn(page, core, 'officer');
  await logIn(b, core, 'officer2');
  expect(await term.press({ alarmId: 'refused-1', kind: 'violence' })).toMatchObject({ ok: true });
  await expect(incident(b, 'refused-1').getByTestId('ack')).toBeVisible();

  holdRecords = true;
  await incident(page, 'refused-1').getByTestId('ack').click();
  await term.waitForStatus('refused-1', 'acknowledged');
  // B still shows 接警 (it has not heard), presses it, and the core refuses.
  await incident(b, 'refused-1').getByTestId('ack').click();
  const alert = incident(b, 'refused-1').getByRole('alert');
  await expect(alert).toContainText('该报警已由他人接警');
  await expect(alert).not.toContainText(/already|acknowledged|incident/i);
  await b.context().close();
});

test('dispatch is not offered before 接警: the map says why, and offers it once acknowledged', async ({ page }) => {
  core = await startCoreProcess();
  const reg = JSON.parse(fs.readFileSync(path.join(core.dataDir, 'demo-registry.json'), 'utf8')) as RegistryData;
  const t = core.credentials.terminals[3]!;
  const school = reg.schools.find((s) => s.id === t.schoolId)!;
  await logIn(page, core);
  const u = core.credentials.units[0]!;
  const unit = await connectUnit(core.url, u.unitId, u.token);
  closers.push(() => unit.close());
  expect(await unit.socket.timeout(3000).emitWithAck('position', { lat: school.lat + 0.005, lng: school.lng, at: Date.now() })).toEqual({ ok: true });
  const term = await connectTerminal(core.url, t.deviceId, t.token);
  closers.push(() => term.close());
  expect(await term.press({ alarmId: 'not-yet', kind: 'intrusion' })).toMatchObject({ ok: true });

  const nearest = page.getByTestId('map-nearest');
  await expect(nearest).toContainText(school.name);
  await expect(nearest.getByTestId('dispatch-blocked')).toHaveText('先接警，才能派警');
  const buttons = nearest.getByTestId('map-dispatch');
  await expect(buttons.first()).toBeVisible();
  for (const bt of await buttons.all()) await expect(bt).toBeDisabled();

  await incident(page, 'not-yet').getByTestId('ack').click();
  await expect(nearest.getByTestId('dispatch-blocked')).toHaveCount(0);
  await expect(buttons.first()).toBeEnabled();
  await page.getByTestId('map-nearest').screenshot({ path: test.info().outputPath('nearest-acked.png') });
});

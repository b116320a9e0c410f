// test/unit/shared — regression: the alarm:status repeated after a restart carries the time the incident first
// reached its state (as sent live), not the time of a later event of the same kind (a second unit, say).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openJournal, type Journal } from '../../../main/core/journal';
import { Registry, emptyRegistryData, type RegistryData } from '../../../main/core/registry';
import { hashSecret, type SecretHash } from '../../../main/core/secrets';
import { Station } from '../../../main/core/station';
import type { AlarmStatus } from '../../../shared/protocol';
import { officer } from '../../support/operators';

const T0 = new Date(2026, 10, 30, 10, 15, 0).getTime();

let secret: SecretHash;
let root: string;
let dir: string;
let now: number;
const journals: Journal[] = [];
beforeAll(async () => {
  secret = await hashSecret('terminal-token');
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'lifecycle-bug-'));
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(root, 'case-'));
  now = T0;
});
afterEach(() => {
  for (const j of journals.splice(0)) j.close();
});

function registryData(): RegistryData {
  return {
    ...emptyRegistryData('示例派出所'),
    schools: [
      {
        id: 'school-1',
        name: '示例第一小学',
        nameEn: 'Sample',
        type: 'primary',
        address: '示例地址',
        area: 'urban',
        phone: '0314-0000000',
        lat: 41.32,
        lng: 117.73,
      },
    ],
    terminals: [{ deviceId: 'T-1', schoolId: 'school-1', label: '门卫室', secret, disabled: false }],
    units: [
      { id: 'U-a', name: '巡逻一组', callsign: '隆01', lat: 41.33, lng: 117.74, hasDevice: false, disabled: false },
      { id: 'U-b', name: '巡逻二组', callsign: '隆02', lat: 41.31, lng: 117.72, hasDevice: false, disabled: false },
    ],
  };
}
function station(): Station {
  const j = openJournal(dir);
  journals.push(j);
  return new Station(j, new Registry(registryData()), { now: () => now, heartbeatMs: 3_600_000 });
}
function expectOk(r: { ok: boolean }): void {
  expect(r).toEqual({ ok: true });
}

/** Runs `steps` (each 10 s apart) on a fresh station; returns the last live status and the status after a restart. */
function liveAndRestarted(steps: (s: Station, id: string) => void): { live: AlarmStatus; restarted: AlarmStatus } {
  const s = station();
  const heard: AlarmStatus[] = [];
  s.subscribe({ alarmStatus: (_d, st) => heard.push(st) });
  const r = s.terminals.receiveAlarm('T-1', { alarmId: 'a1', kind: 'panic', raisedAt: T0 });
  if (!r.ok) throw new Error('refused');
  now += 5_000;
  expectOk(s.operators.acknowledge(officer, r.incidentId));
  steps(s, r.incidentId);
  for (const j of journals.splice(0)) j.close();
  now += 60_000;
  const s2 = station();
  return { live: heard.at(-1)!, restarted: s2.statusOf(s2.snapshot.incidents.get(r.incidentId)!) };
}

describe('BUG: Station.statusOf after a restart picks the latest matching event, not the one that reached the state', () => {
  it('dispatched: a second unit sent later does not move the time the incident became dispatched', () => {
    const { live, restarted } = liveAndRestarted((s, id) => {
      now += 10_000;
      expectOk(s.operators.dispatchUnit(officer, id, 'U-a'));
      now += 10_000;
      expectOk(s.operators.dispatchUnit(officer, id, 'U-b'));
    });
    expect(live).toMatchObject({ state: 'dispatched', at: T0 + 15_000 });
    expect(restarted).toEqual(live); // fails: restarted.at is T0 + 25_000 (U-b's dispatch)
  });

  it('on_scene: a second unit arriving later does not move the time the incident became on_scene', () => {
    const { live, restarted } = liveAndRestarted((s, id) => {
      now += 10_000;
      expectOk(s.operators.dispatchUnit(officer, id, 'U-a'));
      expectOk(s.operators.dispatchUnit(officer, id, 'U-b'));
      now += 10_000;
      expectOk(s.operators.recordProgress(officer, id, 'U-a', 'on_scene'));
      now += 10_000;
      expectOk(s.operators.recordProgress(officer, id, 'U-b', 'on_scene'));
    });
    expect(live).toMatchObject({ state: 'on_scene', at: T0 + 25_000 });
    expect(restarted).toEqual(live); // fails: restarted.at is T0 + 35_000 (U-b's arrival)
  });
});

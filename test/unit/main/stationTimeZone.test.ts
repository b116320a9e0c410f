// test/unit/main — one station time zone (issue 11, point 8): incident ids and export file names carry the
// station's wall clock (STATION_TIME_ZONE, default Asia/Shanghai), never the machine's zone; the setting is
// checked at start.
import { beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../main/config';
import { Registry } from '../../../main/core/registry';
import { hashSecret, type SecretHash } from '../../../main/core/secrets';
import { readEnvSettings } from '../../../main/core/settings';
import { exportFilename } from '../../../shared/dataExport';
import { admin } from '../../support/operators';
import { registryOf, stationSchools, terminal, useStationBench } from '../../support/registryFixture';

let secret: SecretHash;
beforeAll(async () => {
  secret = await hashSecret('terminal-token');
});
const bench = useStationBench('station-zone-', { mute: ['error', 'log'] });

// 2026-11-30 20:30 UTC is already 2026-12-01 04:30 in Shanghai, and still 15:30 on the 30th in New York.
const T = Date.UTC(2026, 10, 30, 20, 30, 0);

function station(timeZone?: string) {
  const registry = new Registry(registryOf({ schools: [stationSchools()[0]!], terminals: [terminal('T-1', 'school-1', secret)] }));
  return bench.station(registry, { now: () => T, ...(timeZone ? { timeZone } : {}) }, bench.journal());
}

describe('the station time zone', () => {
  it('an incident id carries the date of the station (Asia/Shanghai by default), whatever the machine says', () => {
    const ack = station().terminals.receiveAlarm('T-1', { alarmId: 'a1', kind: 'panic', raisedAt: T });
    expect(ack).toMatchObject({ ok: true, incidentId: '20261201-0001' });
  });

  it('a station configured for another zone uses that zone', () => {
    bench.fresh();
    const ack = station('America/New_York').terminals.receiveAlarm('T-1', { alarmId: 'a1', kind: 'panic', raisedAt: T });
    expect(ack).toMatchObject({ ok: true, incidentId: '20261130-0001' });
  });

  it('export file names are the station wall clock', () => {
    expect(exportFilename('schools', 'csv', T)).toBe('schools-20261201-0430.csv');
    expect(exportFilename('units', 'json', T, 'UTC')).toBe('units-20261130-2030.json');
    const r = station().admin.exportData(admin, { kind: 'schools', format: 'csv' });
    expect(r).toMatchObject({ ok: true, filename: 'schools-20261201-0430.csv' });
  });

  it('STATION_TIME_ZONE is a setting: default Asia/Shanghai, a known zone taken, an unknown one refused by name', () => {
    expect(readEnvSettings({}).timeZone).toBe('Asia/Shanghai');
    expect(readEnvSettings({ STATION_TIME_ZONE: 'Asia/Urumqi' }).timeZone).toBe('Asia/Urumqi');
    expect(loadConfig([], { STATION_TIME_ZONE: 'UTC' }, '/dist').timeZone).toBe('UTC');
    expect(() => readEnvSettings({ STATION_TIME_ZONE: 'Mars/Olympus' })).toThrow(/STATION_TIME_ZONE.*Mars\/Olympus/);
  });
});

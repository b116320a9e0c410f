// test/ — the console's mute (the keyboard's "silence 30 s with a reason"): the core journals it as sound.muted with
// the officer's name and the reason, refuses roles that may not silence an alarm and a blank reason, and the fold
// (core and console alike) reads the record and changes nothing.
import { beforeAll, describe, expect, it } from 'vitest';
import { Registry } from '../../../main/core/registry';
import { hashSecret, type SecretHash } from '../../../main/core/secrets';
import { MUTE_MS } from '../../../shared/consoleContract';
import type { StationEvent } from '../../../shared/events';
import { emptyState, foldRecords } from '../../../shared/incidents';
import { admin, chief, officer, trainer } from '../../support/operators';
import { stationRegistryData, useStationBench } from '../../support/registryFixture';

const T0 = new Date(2026, 10, 30, 3, 10, 0).getTime();
let secret: SecretHash;
beforeAll(async () => {
  secret = await hashSecret('terminal-token');
});
const bench = useStationBench('mute-test-', { mute: ['error', 'log'] });
const station = () => bench.station(new Registry(stationRegistryData(secret)), { now: () => T0 }, bench.journal());
const muted = (): StationEvent[] =>
  bench
    .onDisk()
    .map((r) => r.event)
    .filter((e) => e.type === 'sound.muted');

describe('OperatorCommands.mute', () => {
  it('journals who silenced the alarm, why (trimmed) and for how long', () => {
    const s = station();
    expect(s.operators.mute(officer, '  正在电话核实  ')).toEqual({ ok: true });
    expect(muted()).toEqual([{ type: 'sound.muted', at: T0, operator: officer, reason: '正在电话核实', durationMs: MUTE_MS }]);
    expect(MUTE_MS).toBe(30_000);
  });

  it('refuses a trainer (forbidden) and a blank or missing reason (invalid_payload), storing nothing', () => {
    const s = station();
    expect(s.operators.mute(trainer, 'reason')).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(s.operators.mute(officer, '   ')).toMatchObject({ ok: false, error: { code: 'invalid_payload' } });
    expect(s.operators.mute(officer, undefined as never)).toMatchObject({ ok: false, error: { code: 'invalid_payload' } });
    expect(muted()).toEqual([]);
  });

  it('a chief may mute too (the roles that may acknowledge); an admin may not', () => {
    const s = station();
    expect(s.operators.mute(chief, 'drill in progress')).toEqual({ ok: true });
    expect(s.operators.mute(admin, 'x')).toMatchObject({ ok: false, error: { code: 'forbidden' } });
  });

  it('changes no incident or device in the fold, only the sequence', () => {
    const s = station();
    s.operators.mute(officer, 'checking');
    const st = foldRecords(bench.onDisk(), emptyState);
    expect(st.seq).toBe(1);
    expect(st.incidents.size).toBe(0);
    expect(st.devices.size).toBe(0);
  });
});

// test/unit/main — every refusal an officer can meet names its reason (shared/protocol.ts REFUSAL_REASONS), so the
// console can say it in the interface language instead of showing the core's English message.
import { beforeAll, beforeEach, expect, it } from 'vitest';
import { Registry } from '../../../main/core/registry';
import { hashSecret, type SecretHash } from '../../../main/core/secrets';
import type { CommandResult, Station } from '../../../main/core/station';
import type { RefusalReason } from '../../../shared/protocol';
import { officer, chief, trainer } from '../../support/operators';
import { registryOf, stationSchools, terminal, unitRecord, useStationBench } from '../../support/registryFixture';

const T0 = new Date(2026, 10, 30, 10, 15, 0).getTime();
let secret: SecretHash;
beforeAll(async () => {
  secret = await hashSecret('terminal-token');
});
const bench = useStationBench('refusal-reasons-', { mute: ['error', 'log'] });
let now: number;
beforeEach(() => {
  now = T0;
});

function withAlarm(kind = 'panic'): { s: Station; id: string } {
  const registry = new Registry(
    registryOf({
      schools: [stationSchools()[0]!],
      terminals: [terminal('T-1', 'school-1', secret)],
      units: [unitRecord('U-radio', undefined, { name: '巡逻二组', callsign: '隆02', lat: 41.31, lng: 117.72 })],
    }),
  );
  const s = bench.station(registry, { now: () => now, heartbeatMs: 3_600_000 }, bench.journal());
  const r = s.terminals.receiveAlarm('T-1', { alarmId: 'a1', kind, raisedAt: T0 - 300 });
  if (!r.ok) throw new Error(JSON.stringify(r));
  return { s, id: r.incidentId };
}
function reason(r: CommandResult): RefusalReason | undefined {
  expect(r.ok, JSON.stringify(r)).toBe(false);
  return r.ok ? undefined : r.error.reason;
}

it('before 接警: dispatch, take-over and resolve are refused as not_acknowledged', () => {
  const { s, id } = withAlarm();
  expect(reason(s.operators.dispatchUnit(officer, id, 'U-radio'))).toBe('not_acknowledged');
  expect(reason(s.operators.takeOver(officer, id))).toBe('not_acknowledged');
  expect(reason(s.operators.resolve(officer, id, 'false_alarm', ''))).toBe('not_acknowledged');
});

it('the states after 接警 each name their reason', () => {
  const { s, id } = withAlarm();
  expect(reason(s.operators.acknowledge(trainer, id))).toBe('not_permitted');
  expect(s.operators.acknowledge(officer, id)).toEqual({ ok: true });
  expect(reason(s.operators.acknowledge(chief, id))).toBe('already_acknowledged');
  expect(reason(s.operators.takeOver(officer, id))).toBe('already_handling');
  expect(reason(s.operators.dispatchUnit(officer, id, 'U-none'))).toBe('unknown_unit');
  expect(reason(s.operators.recordProgress(officer, id, 'U-radio', 'on_scene'))).toBe('no_active_dispatch');
  expect(s.operators.dispatchUnit(officer, id, 'U-radio')).toEqual({ ok: true });
  expect(reason(s.operators.dispatchUnit(officer, id, 'U-radio'))).toBe('already_dispatched');
  expect(s.operators.recordProgress(officer, id, 'U-radio', 'on_scene')).toEqual({ ok: true });
  expect(reason(s.operators.recordProgress(officer, id, 'U-radio', 'on_scene'))).toBe('already_on_scene');
  expect(reason(s.operators.reopen(officer, id, '再次报警'))).toBe('not_resolved');
  expect(reason(s.operators.resolve(officer, id, 'drill', ''))).toBe('disposition_conflict');
  expect(s.operators.resolve(officer, id, 'real', '')).toEqual({ ok: true });
  expect(reason(s.operators.resolve(officer, id, 'real', ''))).toBe('already_resolved');
  expect(reason(s.operators.acknowledge(chief, id))).toBe('already_acknowledged');
});

// test/unit/main — training results kept at the station (issue 13): a run's score recorded by a trainer or an officer
// (`training:record` → a `training.completed` journal record with who recorded it), read back newest first and by
// trainee (`training:results`), the same after a restart from the journal and from a state snapshot; an admin may
// not; bad input changes nothing; the record creates no incident and counts in no statistic.
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { openJournal } from '../../../main/core/journal';
import { Registry, type RegistryData } from '../../../main/core/registry';
import { hashSecret, type SecretHash } from '../../../main/core/secrets';
import { capture, loadSnapshot, writeSnapshot } from '../../../main/core/snapshot';
import { StationRestore, type Station } from '../../../main/core/station';
import type { JournalRecord } from '../../../shared/events';
import type { TrainingRecord } from '../../../shared/training';
import { admin, chief, officer, trainer } from '../../support/operators';
import { registryOf, stationSchools, terminal, useStationBench } from '../../support/registryFixture';

let secret: SecretHash;
beforeAll(async () => {
  secret = await hashSecret('device-token');
});
const registryData = (): RegistryData => registryOf({ schools: stationSchools(), terminals: [terminal('T-1', 'school-1', secret)] });
const bench = useStationBench('training-results-test-', { mute: ['error', 'log'] });
let clock = Date.UTC(2026, 11, 4, 8);
const station = (restored?: StationRestore, j = bench.journal()): Station =>
  bench.station(new Registry(registryData()), { now: () => clock, heartbeatMs: 3_600_000, ...(restored ? { restored } : {}) }, j);

const result = (trainee: string, over: Partial<TrainingRecord> = {}): TrainingRecord => ({
  trainee,
  scenario: '夜班综合演练',
  speed: 5,
  startedAt: clock - 120_000,
  notShown: 0,
  rows: [
    { schoolId: 'school-1', kind: 'intrusion', acknowledgeMs: 4_000, dispatchMs: 30_000, acknowledgeMet: true, dispatchMet: true, resolved: true },
    { schoolId: 'school-1', kind: 'violence', acknowledgeMs: 14_000, acknowledgeMet: false, dispatchMet: false, resolved: false },
  ],
  ...over,
});

describe('training results', () => {
  it('are journalled as training with who recorded them, read back newest first and by trainee, and make no incident', () => {
    const s = station();
    const a = s.plan.recordTraining(trainer, result(' 学员 陈 '));
    clock += 60_000;
    const b = s.plan.recordTraining(officer, result('学员 李', { speed: 10, notShown: 1 }));
    if (!a.ok || !b.ok) throw new Error(JSON.stringify([a, b]));
    const all = s.plan.trainingResults(chief, { trainee: '' });
    expect(all.ok && all.results.map((r) => [r.trainingId, r.trainee, r.operator.username, r.speed])).toEqual([
      [b.trainingId, '学员 李', officer.username, 10],
      [a.trainingId, '学员 陈', trainer.username, 5],
    ]);
    const chen = s.plan.trainingResults(trainer, { trainee: '学员 陈' });
    expect(chen.ok && chen.results.map((r) => r.trainingId)).toEqual([a.trainingId]);
    const lines = fs.readFileSync(path.join(bench.dir, 'journal.jsonl'), 'utf8').split('\n').filter(Boolean);
    expect(lines.map((l) => (JSON.parse(l) as JournalRecord).event.type)).toEqual(['training.completed', 'training.completed']);
    expect(s.ledger.state.incidents.size).toBe(0);
  });

  it('refuses an admin, an unknown school, a speed the tab does not offer, a run from the future — changing nothing', () => {
    const s = station();
    expect(s.plan.recordTraining(admin, result('x'))).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(s.plan.trainingResults(admin, { trainee: '' })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(s.plan.recordTraining(trainer, result('x', { rows: [{ ...result('x').rows[0]!, schoolId: '__proto__' }] }))).toMatchObject({
      ok: false,
      error: { reason: 'unknown_school' },
    });
    expect(s.plan.recordTraining(trainer, result('x', { speed: 3 }))).toMatchObject({ ok: false, error: { code: 'invalid_payload' } });
    expect(s.plan.recordTraining(trainer, result('   '))).toMatchObject({ ok: false, error: { code: 'invalid_payload' } });
    expect(s.plan.recordTraining(trainer, { ...result('x'), extra: 1 })).toMatchObject({ ok: false, error: { code: 'invalid_payload' } });
    expect(s.plan.recordTraining(trainer, result('x', { startedAt: clock + 3_600_000 }))).toMatchObject({ ok: false, error: { reason: 'bad_date' } });
    expect(s.ledger.state.seq).toBe(0);
  });

  it('are the same after a restart from the journal and from a state snapshot', async () => {
    const s = station();
    expect(s.plan.recordTraining(trainer, result('学员 陈')).ok).toBe(true);
    expect(s.plan.recordTraining(trainer, result('学员 王')).ok).toBe(true);
    const before = s.plan.trainingResults(chief, { trainee: '' });
    s.ledger.journal.close();
    const restored = new StationRestore();
    const j = openJournal(bench.dir, { onRecord: restored.onRecord });
    const again = station(restored, j);
    expect(again.plan.trainingResults(chief, { trainee: '' })).toEqual(before);
    await writeSnapshot(
      bench.dir,
      capture(again.ledger.journal, again.ledger.state, again.ledger.statuses, Date.now(), again.ledger.targetChanges, again.ledger.plan),
    );
    const snap = loadSnapshot(bench.dir, path.join(bench.dir, 'journal.jsonl'));
    expect(snap?.plan.entries().map(([k]) => k.slice(0, 2))).toEqual(['t:', 't:']);
    j.close();
    const fromSnap = new StationRestore(snap);
    const j2 = openJournal(bench.dir, { onRecord: fromSnap.onRecord, resume: snap!.anchor });
    const third = station(fromSnap, j2);
    expect(third.plan.trainingResults(chief, { trainee: '' })).toEqual(before);
    // A new result after the restart gets a new id.
    const c = third.plan.recordTraining(trainer, result('学员 陈'));
    expect(c.ok && before.ok && before.results.every((r) => r.trainingId !== c.trainingId)).toBe(true);
    j2.close();
  });
});

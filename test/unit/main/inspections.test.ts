// test/unit/main — the plan board's inspections (issue 12): an officer or the chief records a school's joint
// inspection with its hidden dangers and closes one when it is rectified; each is a journal record with the
// operator's name; the book is the same after a restart from the journal and from a state snapshot; a trainer or an
// admin may not record; bad input is refused and changes nothing.
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { openJournal } from '../../../main/core/journal';
import { Registry, type RegistryData } from '../../../main/core/registry';
import { hashSecret, type SecretHash } from '../../../main/core/secrets';
import { capture, loadSnapshot, writeSnapshot } from '../../../main/core/snapshot';
import { StationRestore, type Station } from '../../../main/core/station';
import { admin, chief, officer, trainer } from '../../support/operators';
import { registryOf, stationSchools, terminal, useStationBench } from '../../support/registryFixture';

let secret: SecretHash;
beforeAll(async () => {
  secret = await hashSecret('terminal-token');
});
const registryData = (): RegistryData => registryOf({ schools: stationSchools(), terminals: [terminal('T-1', 'school-1', secret)] });
const bench = useStationBench('inspections-test-', { mute: ['error', 'log'] });
const station = (restored?: StationRestore, j = bench.journal()): Station =>
  bench.station(new Registry(registryData()), { now: () => Date.UTC(2026, 10, 30, 2), heartbeatMs: 3_600_000, ...(restored ? { restored } : {}) }, j);

const inspection = {
  schoolId: 'school-1',
  date: '2026-11-28',
  police: '王警官',
  education: '教育局 刘老师',
  findings: [
    { text: '东门监控不清', deadline: '2026-12-15' },
    { text: '护学岗缺反光背心', deadline: '2026-12-05' },
  ],
};

describe('inspections', () => {
  it('records an inspection and closes a hidden danger, in the journal with the names', () => {
    const s = station();
    const r = s.plan.record(officer, inspection);
    if (!r.ok) throw new Error(JSON.stringify(r));
    expect(s.plan.close(chief, { inspectionId: r.inspectionId, findingId: 'F2', note: '已配发' })).toEqual({ ok: true });
    // Closed once only.
    expect(s.plan.close(chief, { inspectionId: r.inspectionId, findingId: 'F2', note: '再次' })).toMatchObject({
      ok: false,
      error: { code: 'forbidden', reason: 'finding_already_closed' },
    });
    const list = s.plan.list(chief, { from: '2026-09-01', to: '2027-01-15' });
    expect(list.ok && list.inspections).toEqual([
      expect.objectContaining({
        id: r.inspectionId,
        schoolId: 'school-1',
        date: '2026-11-28',
        recordedBy: expect.objectContaining({ username: officer.username }),
        findings: [
          { id: 'F1', text: '东门监控不清', deadline: '2026-12-15' },
          expect.objectContaining({ id: 'F2', note: '已配发', closedBy: expect.objectContaining({ username: chief.username }) }),
        ],
      }),
    ]);
    // Outside the period: not listed.
    const other = s.plan.list(chief, { from: '2026-12-01', to: '2027-01-15' });
    expect(other.ok && other.inspections).toEqual([]);
    const lines = fs.readFileSync(path.join(bench.dir, 'journal.jsonl'), 'utf8').trim().split('\n');
    expect(lines.map((l) => (JSON.parse(l) as { event: { type: string } }).event.type)).toEqual(['inspection.recorded', 'finding.closed']);
  });

  it('is refused to a trainer and an admin, and for bad input, changing nothing', () => {
    const s = station();
    for (const who of [trainer, admin]) expect(s.plan.record(who, inspection)).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    const bad: unknown[] = [
      { ...inspection, schoolId: 'nope' },
      { ...inspection, schoolId: '__proto__' },
      { ...inspection, date: '2026-13-01' },
      { ...inspection, date: '28/11/2026' },
      { ...inspection, date: '2026-02-30' },
      // After today (the station's clock here: 30 Nov 2026).
      { ...inspection, date: '2026-12-01', findings: [] },
      { ...inspection, findings: [{ text: '门禁损坏', deadline: '2026-11-27' }] },
      { ...inspection, findings: [{ text: '门禁损坏', deadline: '2026-11-31' }] },
      { ...inspection, police: '   ' },
      { ...inspection, findings: [{ text: '', deadline: '2026-12-01' }] },
      { ...inspection, findings: Array.from({ length: 21 }, () => ({ text: 'x', deadline: '2026-12-01' })) },
      null,
      'inspection',
    ];
    for (const b of bad) expect(s.plan.record(officer, b), JSON.stringify(b)).toMatchObject({ ok: false });
    expect(s.plan.close(officer, { inspectionId: 'nope', findingId: 'F1', note: 'x' })).toMatchObject({
      ok: false,
      error: { code: 'invalid_payload', reason: 'unknown_finding' },
    });
    // The reasons a console can say in the officer's words.
    expect(s.plan.record(officer, { ...inspection, schoolId: 'nope' })).toMatchObject({ ok: false, error: { reason: 'unknown_school' } });
    expect(s.plan.record(officer, { ...inspection, date: '2026-02-30' })).toMatchObject({ ok: false, error: { reason: 'bad_date' } });
    expect(s.plan.record(officer, { ...inspection, findings: [{ text: 'x', deadline: '2026-11-01' }] })).toMatchObject({
      ok: false,
      error: { reason: 'bad_date' },
    });
    expect(s.plan.close(officer, { inspectionId: '__proto__', findingId: 'constructor', note: 'x' })).toMatchObject({ ok: false });
    expect(s.ledger.state.seq).toBe(0);
    expect(s.ledger.plan.inspections.size).toBe(0);
  });

  it('comes back the same after a restart from the journal and from a state snapshot', async () => {
    const s = station();
    const r = s.plan.record(chief, inspection);
    if (!r.ok) throw new Error(JSON.stringify(r));
    expect(s.plan.close(chief, { inspectionId: r.inspectionId, findingId: 'F1', note: '已修复' })).toEqual({ ok: true });
    const before = s.plan.list(chief, { from: '2026-01-01', to: '2026-12-31' });
    s.ledger.journal.close();
    // From the journal, record by record.
    const restored = new StationRestore();
    const j = openJournal(bench.dir, { onRecord: restored.onRecord });
    const again = station(restored, j);
    expect(again.plan.list(chief, { from: '2026-01-01', to: '2026-12-31' })).toEqual(before);
    // From a snapshot written now.
    await writeSnapshot(
      bench.dir,
      capture(again.ledger.journal, again.ledger.state, again.ledger.statuses, Date.now(), again.ledger.targetChanges, again.ledger.plan),
    );
    const snap = loadSnapshot(bench.dir, path.join(bench.dir, 'journal.jsonl'));
    expect(snap?.plan.entries().map(([k]) => k)).toEqual([`i:${r.inspectionId}`]);
    j.close();
    const fromSnap = new StationRestore(snap);
    const j2 = openJournal(bench.dir, { onRecord: fromSnap.onRecord, resume: snap!.anchor });
    const third = station(fromSnap, j2);
    expect(third.plan.list(chief, { from: '2026-01-01', to: '2026-12-31' })).toEqual(before);
    j2.close();
  });
});

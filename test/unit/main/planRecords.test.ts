// test/unit/main — the plan board's own records beside the inspections (issue 12): a drill a school held itself,
// registered by an officer; a guard post checked in and out on the console and by the post's own device over /unit;
// the terminals' outages; all in the journal with who did it, returned by the `plan` command for a semester, the
// same after a restart from the journal and from a state snapshot; a trainer may not record; bad input changes nothing.
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { openJournal } from '../../../main/core/journal';
import { Registry, type RegistryData } from '../../../main/core/registry';
import { hashSecret, type SecretHash } from '../../../main/core/secrets';
import { capture, loadSnapshot, writeSnapshot } from '../../../main/core/snapshot';
import { StationRestore, type Station } from '../../../main/core/station';
import type { JournalRecord, StationEvent } from '../../../shared/events';
import { admin, chief, officer, trainer } from '../../support/operators';
import { guardPost, registryOf, stationSchools, terminal, unitRecord, useStationBench } from '../../support/registryFixture';

let secret: SecretHash;
beforeAll(async () => {
  secret = await hashSecret('device-token');
});
const registryData = (): RegistryData =>
  registryOf({
    schools: stationSchools(),
    terminals: [terminal('T-1', 'school-1', secret)],
    guardPosts: [guardPost('P-1', { schoolId: 'school-1' }), guardPost('P-2', { schoolId: 'school-1' })],
    // The device standing at post P-2, and an ordinary patrol unit.
    units: [unitRecord('U-post', secret, { postId: 'P-2' }), unitRecord('U-car', secret)],
  });
const bench = useStationBench('plan-records-test-', { mute: ['error', 'log'] });
let clock = Date.UTC(2026, 10, 30, 2);
const station = (restored?: StationRestore, j = bench.journal()): Station =>
  bench.station(new Registry(registryData()), { now: () => clock, heartbeatMs: 3_600_000, ...(restored ? { restored } : {}) }, j);
/** The same station started again from its journal on disk, with its registry as it is now. */
function restarted(s: Station): Station {
  s.ledger.journal.close();
  const restored = new StationRestore();
  return bench.station(s.registry, { now: () => clock, heartbeatMs: 3_600_000, restored }, openJournal(bench.dir, { onRecord: restored.onRecord }));
}
/** The journal on disk, as written: every event in order. */
const journalEvents = (_s: Station): StationEvent[] =>
  fs
    .readFileSync(path.join(bench.dir, 'journal.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => (JSON.parse(l) as JournalRecord).event);
const semester = { from: '2026-09-01', to: '2027-01-15', fromMs: Date.UTC(2026, 7, 31, 16), toMs: Date.UTC(2027, 0, 15, 16) };

describe('plan records', () => {
  it('registers a school drill, checks posts in and out on the console and by the post device, and reads them back', () => {
    clock = Date.UTC(2026, 10, 30, 2);
    const s = station();
    const d = s.plan.registerDrill(officer, { schoolId: 'school-1', date: '2026-11-20', kind: 'earthquake', note: '全校疏散 ' });
    if (!d.ok) throw new Error(JSON.stringify(d));
    expect(s.plan.checkPost(officer, { postId: 'P-1', state: 'in' })).toEqual({ ok: true });
    // Checked in twice: refused, with a reason the console can say.
    expect(s.plan.checkPost(chief, { postId: 'P-1', state: 'in' })).toMatchObject({ ok: false, error: { reason: 'post_already_in' } });
    clock += 3_600_000;
    expect(s.plan.checkPost(officer, { postId: 'P-1', state: 'out' })).toEqual({ ok: true });
    expect(s.plan.checkPost(officer, { postId: 'P-1', state: 'out' })).toMatchObject({ ok: false, error: { reason: 'post_not_in' } });
    // The post's device: on duty checks P-2 in, off duty checks it out; a patrol unit's status checks nothing.
    expect(s.units.receiveStatus('U-post', { state: 'available', at: clock })).toEqual({ ok: true });
    expect(s.units.receiveStatus('U-car', { state: 'available', at: clock })).toEqual({ ok: true });
    clock += 1_800_000;
    expect(s.units.receiveStatus('U-post', { state: 'busy', at: clock })).toEqual({ ok: true }); // still on duty
    expect(s.units.receiveStatus('U-post', { state: 'off_duty', at: clock })).toEqual({ ok: true });
    const p = s.plan.records(chief, semester);
    if (!p.ok) throw new Error(JSON.stringify(p));
    expect(p.drills).toEqual([
      expect.objectContaining({
        id: d.drillId,
        schoolId: 'school-1',
        date: '2026-11-20',
        kind: 'earthquake',
        note: '全校疏散',
        recordedBy: expect.objectContaining({ username: officer.username }),
      }),
    ]);
    const t0 = Date.UTC(2026, 10, 30, 2);
    expect(p.shifts).toEqual([
      { postId: 'P-1', from: t0, to: t0 + 3_600_000, inBy: officer.displayName },
      { postId: 'P-2', from: t0 + 3_600_000, to: t0 + 5_400_000, inBy: 'U-post' },
    ]);
    // In the journal: who checked, and by which means.
    const checks = journalEvents(s).filter((e) => e.type === 'post.checked');
    expect(checks.map((e) => [e.postId, e.state, 'operator' in e ? e.operator?.username : undefined, 'unitId' in e ? e.unitId : undefined])).toEqual([
      ['P-1', 'in', officer.username, undefined],
      ['P-1', 'out', officer.username, undefined],
      ['P-2', 'in', undefined, 'U-post'],
      ['P-2', 'out', undefined, 'U-post'],
    ]);
  });

  it("an officer's check-out stands while the post's device stays on duty; the device's next change of duty speaks again", () => {
    clock = Date.UTC(2026, 10, 30, 2);
    const s = station();
    expect(s.units.receiveStatus('U-post', { state: 'available', at: clock })).toEqual({ ok: true });
    expect(s.ledger.plan.isStaffed('P-2')).toBe(true);
    // The guard left; the device was left on. The officer checks the post out.
    clock += 60_000;
    expect(s.plan.checkPost(officer, { postId: 'P-2', state: 'out' })).toEqual({ ok: true });
    for (const state of ['available', 'busy', 'available'] as const) {
      clock += 30_000;
      expect(s.units.receiveStatus('U-post', { state, at: clock })).toEqual({ ok: true });
      expect(s.ledger.plan.isStaffed('P-2'), state).toBe(false);
    }
    // Off duty and on again (the next shift): the device checks the post in.
    clock += 60_000;
    expect(s.units.receiveStatus('U-post', { state: 'off_duty', at: clock })).toEqual({ ok: true });
    expect(s.ledger.plan.isStaffed('P-2')).toBe(false);
    clock += 60_000;
    expect(s.units.receiveStatus('U-post', { state: 'available', at: clock })).toEqual({ ok: true });
    expect(s.ledger.plan.isStaffed('P-2')).toBe(true);
    const checks = journalEvents(s).filter((e) => e.type === 'post.checked');
    expect(checks.map((e) => [e.postId, e.state, 'operator' in e ? e.operator?.username : undefined, 'unitId' in e ? e.unitId : undefined])).toEqual([
      ['P-2', 'in', undefined, 'U-post'],
      ['P-2', 'out', officer.username, undefined],
      ['P-2', 'in', undefined, 'U-post'],
    ]);
  });

  it("an officer's check-out stands across a restart of the core while the post's device stays on duty", () => {
    clock = Date.UTC(2026, 10, 30, 2);
    const s = station();
    expect(s.units.receiveStatus('U-post', { state: 'available', at: clock })).toEqual({ ok: true });
    clock += 60_000;
    expect(s.plan.checkPost(officer, { postId: 'P-2', state: 'out' })).toEqual({ ok: true });
    // The core restarts (an update, a power cut); the device, still on duty, reconnects and says so.
    const again = restarted(s);
    clock += 60_000;
    expect(again.units.receiveStatus('U-post', { state: 'available', at: clock })).toEqual({ ok: true });
    expect(again.ledger.plan.isStaffed('P-2')).toBe(false);
    // Its next change of duty speaks as before.
    clock += 60_000;
    expect(again.units.receiveStatus('U-post', { state: 'off_duty', at: clock })).toEqual({ ok: true });
    clock += 60_000;
    expect(again.units.receiveStatus('U-post', { state: 'available', at: clock })).toEqual({ ok: true });
    expect(again.ledger.plan.openShift('P-2')?.inBy).toBe('U-post');
  });

  it('a post device moved onto another post while offline checks it in at its first status, across a restart too', async () => {
    clock = Date.UTC(2026, 10, 30, 2);
    const s = station();
    s.units.connected('U-post', true);
    expect(s.units.receiveStatus('U-post', { state: 'available', at: clock })).toEqual({ ok: true });
    expect(s.ledger.plan.openShift('P-2')?.inBy).toBe('U-post');
    // Its device goes (a flat battery: no off_duty); the admin moves it onto P-1, which no one staffs.
    s.units.connected('U-post', false);
    clock += 60_000;
    const unit = { id: 'U-post', name: '护学岗民警', callsign: '岗1', lat: 41.3, lng: 117.7 };
    expect(await s.admin.updateUnit(admin, { ...unit, postId: 'P-1' })).toEqual({ ok: true });
    expect(s.ledger.plan.isStaffed('P-1')).toBe(false);
    // The core restarts before the device is back; back, on duty as before, it checks its new post in.
    const again = restarted(s);
    clock += 60_000;
    again.units.connected('U-post', true);
    expect(again.units.receiveStatus('U-post', { state: 'available', at: clock })).toEqual({ ok: true });
    expect(again.ledger.plan.openShift('P-1')?.inBy).toBe('U-post');
  });

  it('a device on duty moved onto a post no one staffs checks it in (and its old post out); one off duty or not connected checks nothing in', async () => {
    clock = Date.UTC(2026, 10, 30, 2);
    const s = station();
    s.units.connected('U-post', true);
    expect(s.units.receiveStatus('U-post', { state: 'available', at: clock })).toEqual({ ok: true });
    const unit = { id: 'U-post', name: '护学岗民警', callsign: '岗1', lat: 41.3, lng: 117.7 };
    clock += 60_000;
    expect(await s.admin.updateUnit(admin, { ...unit, postId: 'P-1' })).toEqual({ ok: true });
    expect([s.ledger.plan.isStaffed('P-1'), s.ledger.plan.isStaffed('P-2')]).toEqual([true, false]);
    expect(s.ledger.plan.openShift('P-1')?.inBy).toBe('U-post');
    clock += 60_000;
    expect(s.units.receiveStatus('U-post', { state: 'off_duty', at: clock })).toEqual({ ok: true });
    expect(await s.admin.updateUnit(admin, { ...unit, postId: 'P-2' })).toEqual({ ok: true });
    expect([s.ledger.plan.isStaffed('P-1'), s.ledger.plan.isStaffed('P-2')]).toEqual([false, false]);
    // On duty as last heard, but its device is gone (a flat battery sends no off_duty): it checks nothing in…
    expect(s.units.receiveStatus('U-post', { state: 'available', at: clock })).toEqual({ ok: true });
    expect(s.ledger.plan.isStaffed('P-2')).toBe(true);
    s.units.connected('U-post', false);
    expect(await s.admin.updateUnit(admin, { ...unit, postId: 'P-1' })).toEqual({ ok: true });
    expect([s.ledger.plan.isStaffed('P-1'), s.ledger.plan.isStaffed('P-2')]).toEqual([false, false]);
    // … until it is back: its first status on the new post, of the same duty, checks it in.
    s.units.connected('U-post', true);
    clock += 60_000;
    expect(s.units.receiveStatus('U-post', { state: 'available', at: clock })).toEqual({ ok: true });
    expect(s.ledger.plan.openShift('P-1')?.inBy).toBe('U-post');
  });

  it('two post devices swapping posts in one import each check their new post in', async () => {
    clock = Date.UTC(2026, 10, 30, 2);
    const d = registryData();
    d.units = [unitRecord('U-a', secret, { postId: 'P-1' }), unitRecord('U-b', secret, { postId: 'P-2' })];
    const s = bench.station(new Registry(d), { now: () => clock, heartbeatMs: 3_600_000 });
    for (const id of ['U-a', 'U-b']) {
      s.units.connected(id, true);
      expect(s.units.receiveStatus(id, { state: 'available', at: clock })).toEqual({ ok: true });
    }
    clock += 60_000;
    const rows = [
      { id: 'U-a', name: '岗甲', callsign: '甲', lat: 41.3, lng: 117.7, postId: 'P-2' },
      { id: 'U-b', name: '岗乙', callsign: '乙', lat: 41.3, lng: 117.7, postId: 'P-1' },
    ];
    expect(await s.admin.importData(admin, { kind: 'units', format: 'json', text: JSON.stringify(rows) })).toMatchObject({ ok: true, updated: 2 });
    expect([s.ledger.plan.openShift('P-1')?.inBy, s.ledger.plan.openShift('P-2')?.inBy]).toEqual(['U-b', 'U-a']);
  });

  it("a post's device moved to another post (admin) checks its old post out; a post an officer checked in stays in", async () => {
    clock = Date.UTC(2026, 10, 30, 2);
    const s = station();
    expect(s.units.receiveStatus('U-post', { state: 'available', at: clock })).toEqual({ ok: true });
    expect(s.plan.checkPost(officer, { postId: 'P-1', state: 'in' })).toEqual({ ok: true });
    expect(s.ledger.plan.isStaffed('P-2')).toBe(true);
    clock += 60_000;
    const unit = { id: 'U-post', name: '护学岗民警', callsign: '岗1', lat: 41.3, lng: 117.7 };
    expect(await s.admin.updateUnit(admin, { ...unit, postId: 'P-1' })).toEqual({ ok: true });
    // P-2 is no longer staffed (its device left); P-1 stays as the officer checked it in.
    expect(s.ledger.plan.isStaffed('P-2')).toBe(false);
    expect(s.ledger.plan.isStaffed('P-1')).toBe(true);
    // Moved off P-1 (checked in by the officer, not by this device): it stays in.
    expect(await s.admin.updateUnit(admin, { ...unit, postId: '' })).toEqual({ ok: true });
    expect(s.ledger.plan.isStaffed('P-1')).toBe(true);
    const checks = journalEvents(s).filter((e) => e.type === 'post.checked');
    expect(checks.map((e) => [e.postId, e.state, 'operator' in e ? e.operator?.username : undefined])).toEqual([
      ['P-2', 'in', undefined],
      ['P-1', 'in', officer.username],
      ['P-2', 'out', admin.username],
    ]);
    // The journal's admin record says what moved.
    const updates = journalEvents(s).flatMap((e) => (e.type === 'admin.action' && e.action === 'unit.updated' ? [e.detail] : []));
    expect(updates).toEqual(['护学岗民警; post P-2 → P-1', '护学岗民警; post P-1 → —']);
  });

  it("a units import that moves a post's device (on duty) checks its old post out and its new one in, and the journal says what moved", async () => {
    clock = Date.UTC(2026, 10, 30, 2);
    const s = station();
    s.units.connected('U-post', true);
    expect(s.units.receiveStatus('U-post', { state: 'available', at: clock })).toEqual({ ok: true });
    expect(s.ledger.plan.isStaffed('P-2')).toBe(true);
    clock += 60_000;
    const row = { id: 'U-post', name: '护学岗民警', callsign: '岗1', lat: 41.3, lng: 117.7, postId: 'P-1' };
    const r = await s.admin.importData(admin, { kind: 'units', format: 'json', text: JSON.stringify([row]) });
    expect(r).toMatchObject({ ok: true, added: 0, updated: 1 });
    expect(s.registry.unit('U-post')?.postId).toBe('P-1');
    expect(s.ledger.plan.isStaffed('P-2')).toBe(false);
    expect(s.ledger.plan.isStaffed('P-1')).toBe(true);
    const events = journalEvents(s);
    expect(events.filter((e) => e.type === 'post.checked').map((e) => [e.postId, e.state, 'operator' in e ? e.operator?.username : undefined])).toEqual([
      ['P-2', 'in', undefined],
      ['P-2', 'out', admin.username],
      ['P-1', 'in', undefined],
    ]);
    const imported = events.flatMap((e) => (e.type === 'admin.action' && e.action === 'data.imported' ? [e.detail] : []));
    expect(imported).toEqual(['json: 0 added, 1 updated; U-post post P-2 → P-1']);
  });

  it('a unit edit whose check-out the journal cannot take changes nothing, and can be made again', async () => {
    clock = Date.UTC(2026, 10, 30, 2);
    let broken = false;
    const real = bench.journal();
    // The real journal, whose writes fail while `broken` (a full disk).
    const j = new Proxy(real, {
      get(t, k) {
        if (broken && (k === 'append' || k === 'appendBatch'))
          return () => {
            throw new Error('disk full');
          };
        const v: unknown = Reflect.get(t, k, t);
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(t) : v;
      },
    });
    const s = station(undefined, j);
    expect(s.units.receiveStatus('U-post', { state: 'available', at: clock })).toEqual({ ok: true });
    const unit = { id: 'U-post', name: '护学岗民警', callsign: '岗1', lat: 41.3, lng: 117.7, postId: 'P-1' };
    const before = s.registry.unit('U-post');
    broken = true;
    expect(await s.admin.updateUnit(admin, unit)).toMatchObject({ ok: false, error: { code: 'not_durable' } });
    // The unit as it was (its post, its call sign), and its post still staffed by it.
    expect(s.registry.unit('U-post')).toEqual(before);
    expect(s.registry.unit('U-post')?.postId).toBe('P-2');
    expect(s.ledger.plan.isStaffed('P-2')).toBe(true);
    broken = false;
    expect(await s.admin.updateUnit(admin, unit)).toEqual({ ok: true });
    expect(s.registry.unit('U-post')?.postId).toBe('P-1');
    expect(s.ledger.plan.isStaffed('P-2')).toBe(false);
  });

  it('a unit standing at the guard post its device checked in is not taken for a training job; off duty, it may be', () => {
    clock = Date.UTC(2026, 10, 30, 2);
    const s = station();
    s.units.connected('U-post', true);
    expect(s.units.receiveStatus('U-post', { state: 'available', at: clock })).toEqual({ ok: true });
    expect(s.ledger.plan.isStaffed('P-2')).toBe(true);
    const job = (jobId: string) => s.units.training.dispatch(trainer, { jobId, unitId: 'U-post', schoolId: 'school-1', kind: 'fire' }, 'page-1');
    expect(job('TRN-post-1')).toMatchObject({ ok: false, error: { code: 'forbidden', reason: 'unit_busy' } });
    expect(s.units.receiveStatus('U-post', { state: 'off_duty', at: clock + 60_000 })).toEqual({ ok: true });
    expect(job('TRN-post-2')).toMatchObject({ ok: true });
  });

  it('refuses what does not fit, and a trainer, changing nothing', () => {
    clock = Date.UTC(2026, 10, 30, 2);
    const s = station();
    expect(s.plan.registerDrill(trainer, { schoolId: 'school-1', date: '2026-11-20', kind: 'fire', note: '' })).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
    expect(s.plan.checkPost(trainer, { postId: 'P-1', state: 'in' })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(s.plan.registerDrill(officer, { schoolId: 'nowhere', date: '2026-11-20', kind: 'fire', note: '' })).toMatchObject({
      ok: false,
      error: { reason: 'unknown_school' },
    });
    expect(s.plan.registerDrill(officer, { schoolId: 'school-1', date: '2026-02-30', kind: 'fire', note: '' })).toMatchObject({
      ok: false,
      error: { reason: 'bad_date' },
    });
    expect(s.plan.registerDrill(officer, { schoolId: 'school-1', date: '2026-12-01', kind: 'fire', note: '' })).toMatchObject({
      ok: false,
      error: { reason: 'bad_date' },
    });
    expect(s.plan.registerDrill(officer, { schoolId: 'school-1', date: '2026-11-20', kind: 'flood', note: '' })).toMatchObject({
      ok: false,
      error: { code: 'invalid_payload' },
    });
    expect(s.plan.checkPost(officer, { postId: '__proto__', state: 'in' })).toMatchObject({ ok: false, error: { reason: 'unknown_post' } });
    expect(s.plan.checkPost(officer, { postId: 'P-1', state: 'maybe' })).toMatchObject({ ok: false, error: { code: 'invalid_payload' } });
    expect(s.plan.records(officer, { ...semester, toMs: semester.fromMs })).toMatchObject({ ok: false, error: { code: 'invalid_payload' } });
    expect(s.plan.records(trainer, semester)).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(s.ledger.state.seq).toBe(0);
  });

  it('keeps the records and the outages across a restart from the journal and from a state snapshot', async () => {
    clock = Date.UTC(2026, 10, 30, 2);
    const s = station();
    expect(s.plan.registerDrill(chief, { schoolId: 'school-1', date: '2026-11-02', kind: 'anti_violence', note: '' }).ok).toBe(true);
    expect(s.plan.checkPost(officer, { postId: 'P-1', state: 'in' })).toEqual({ ok: true });
    // The terminal goes silent and comes back (the supervision's records).
    s.ledger.tryCommit({ type: 'device.offline', at: clock + 60_000, deviceId: 'T-1', lastSeenAt: clock });
    s.ledger.tryCommit({ type: 'device.online', at: clock + 600_000, deviceId: 'T-1' });
    const before = s.plan.records(chief, semester);
    expect(before.ok && before.outages).toEqual([{ deviceId: 'T-1', from: clock, to: clock + 600_000 }]);
    s.ledger.journal.close();
    const restored = new StationRestore();
    const j = openJournal(bench.dir, { onRecord: restored.onRecord });
    const again = station(restored, j);
    expect(again.plan.records(chief, semester)).toEqual(before);
    await writeSnapshot(
      bench.dir,
      capture(again.ledger.journal, again.ledger.state, again.ledger.statuses, Date.now(), again.ledger.targetChanges, again.ledger.plan),
    );
    const snap = loadSnapshot(bench.dir, path.join(bench.dir, 'journal.jsonl'));
    // The folded book, not its events: a drill, one open shift, one outage.
    expect(snap?.plan.entries().map(([k]) => k.slice(0, 2))).toEqual(['d:', 's:', 'o:']);
    j.close();
    const fromSnap = new StationRestore(snap);
    const j2 = openJournal(bench.dir, { onRecord: fromSnap.onRecord, resume: snap!.anchor });
    const third = station(fromSnap, j2);
    expect(third.plan.records(chief, semester)).toEqual(before);
    // Still staffed after the restart: a second check-in is refused.
    expect(third.plan.checkPost(officer, { postId: 'P-1', state: 'in' })).toMatchObject({ ok: false, error: { reason: 'post_already_in' } });
    j2.close();
  });

  it("takes a press in the school's announced drill window as that drill, flags a drill press outside every window, and a withdrawn window no longer counts", () => {
    clock = Date.UTC(2026, 10, 30, 2);
    const s = station();
    const w = s.plan.registerDrillWindow(officer, { schoolId: 'school-1', from: clock + 60_000, to: clock + 3_600_000, note: '防火疏散' });
    if (!w.ok) throw new Error(JSON.stringify(w));
    // Before the window: an ordinary (real) alarm.
    const before = s.terminals.receiveAlarm('T-1', { alarmId: 'a0', kind: 'panic', raisedAt: clock });
    if (!before.ok) throw new Error(JSON.stringify(before));
    expect(s.ledger.state.incidents.get(before.incidentId)).toMatchObject({ drill: false });
    expect(s.ledger.state.incidents.get(before.incidentId)?.drillWindowId).toBeUndefined();
    // In the window, without drill: true: the expected drill. A test press stays a test.
    clock += 120_000;
    const inWindow = s.terminals.receiveAlarm('T-1', { alarmId: 'a1', kind: 'fire', raisedAt: clock });
    if (!inWindow.ok) throw new Error(JSON.stringify(inWindow));
    expect(s.ledger.state.incidents.get(inWindow.incidentId)).toMatchObject({ drill: true, drillWindowId: w.windowId });
    const test = s.terminals.receiveAlarm('T-1', { alarmId: 't1', kind: 'test', raisedAt: clock });
    if (!test.ok) throw new Error(JSON.stringify(test));
    expect(s.ledger.state.incidents.get(test.incidentId)).toMatchObject({ drill: false, kind: 'test' });
    // A terminal that says it is no drill is believed: a real alarm in the middle of the drill, of the drill's own
    // kind, is an incident of its own (not a repeat press on the drill's card), real, with no window.
    const real = s.terminals.receiveAlarm('T-1', { alarmId: 'r1', kind: 'fire', raisedAt: clock, drill: false });
    if (!real.ok) throw new Error(JSON.stringify(real));
    expect(real.incidentId).not.toBe(inWindow.incidentId);
    expect(s.ledger.state.incidents.get(real.incidentId)).toMatchObject({ drill: false, kind: 'fire' });
    expect(s.ledger.state.incidents.get(real.incidentId)?.drillWindowId).toBeUndefined();
    // A terminal that says drill in the window: the announced drill.
    const flagged = s.terminals.receiveAlarm('T-1', { alarmId: 'd1', kind: 'panic', raisedAt: clock, drill: true });
    if (!flagged.ok) throw new Error(JSON.stringify(flagged));
    expect(s.ledger.state.incidents.get(flagged.incidentId)).toMatchObject({ drill: true, drillWindowId: w.windowId });
    // Withdrawn: a later press in the same hours, marked drill by the terminal, is an unannounced drill.
    expect(s.plan.cancelDrillWindow(chief, { windowId: w.windowId, reason: '改期' })).toEqual({ ok: true });
    expect(s.plan.cancelDrillWindow(chief, { windowId: w.windowId, reason: '再次' })).toMatchObject({ ok: false, error: { reason: 'window_cancelled' } });
    clock += 60_000;
    const after = s.terminals.receiveAlarm('T-1', { alarmId: 'a2', kind: 'violence', raisedAt: clock, drill: true });
    if (!after.ok) throw new Error(JSON.stringify(after));
    expect(s.ledger.state.incidents.get(after.incidentId)).toMatchObject({ drill: true });
    expect(s.ledger.state.incidents.get(after.incidentId)?.drillWindowId).toBeUndefined();
    const p = s.plan.records(chief, semester);
    if (!p.ok) throw new Error(JSON.stringify(p));
    expect(p.unannounced).toEqual([{ incidentId: after.incidentId, schoolId: 'school-1', receivedAt: clock }]);
    // What the officer resolved it as decides: the flagged press was a real alarm after all (not a drill), and the
    // unflagged one before the window was the school's drill (an unannounced one).
    // (The press in the window that said it was no drill, found to be the drill after all, was announced.)
    for (const [id, disposition] of [
      [after.incidentId, 'real'],
      [before.incidentId, 'drill'],
      [real.incidentId, 'drill'],
    ] as const) {
      expect(s.operators.acknowledge(officer, id)).toEqual({ ok: true });
      expect(s.operators.resolve(officer, id, disposition, '', { reason: '核实' })).toEqual({ ok: true });
    }
    const resolved = s.plan.records(chief, semester);
    expect(resolved.ok && resolved.unannounced.map((u) => u.incidentId)).toEqual([before.incidentId]);
    // Four drills pressed on one day (the station's calendar) are one drill day toward the semester's target.
    expect(resolved.ok && resolved.drillDays).toEqual([{ schoolId: 'school-1', date: '2026-11-30' }]);
    expect(p.drillWindows).toEqual([
      expect.objectContaining({
        id: w.windowId,
        schoolId: 'school-1',
        note: '防火疏散',
        cancelReason: '改期',
        cancelledBy: expect.objectContaining({ username: chief.username }),
      }),
    ]);
  });

  it('refuses a drill window that is over, too far ahead, too long, or for no school', () => {
    clock = Date.UTC(2026, 10, 30, 2);
    const s = station();
    const H = 3_600_000;
    expect(s.plan.registerDrillWindow(officer, { schoolId: 'school-1', from: clock - 2 * H, to: clock - H, note: '' })).toMatchObject({
      ok: false,
      error: { reason: 'bad_window' },
    });
    expect(s.plan.registerDrillWindow(officer, { schoolId: 'school-1', from: clock + 91 * 24 * H, to: clock + 91 * 24 * H + H, note: '' })).toMatchObject({
      ok: false,
      error: { reason: 'bad_window' },
    });
    expect(s.plan.registerDrillWindow(officer, { schoolId: 'school-1', from: clock, to: clock + 13 * H, note: '' })).toMatchObject({
      ok: false,
      error: { code: 'invalid_payload' },
    });
    expect(s.plan.registerDrillWindow(officer, { schoolId: 'school-1', from: clock + H, to: clock, note: '' })).toMatchObject({
      ok: false,
      error: { code: 'invalid_payload' },
    });
    expect(s.plan.registerDrillWindow(officer, { schoolId: '__proto__', from: clock, to: clock + H, note: '' })).toMatchObject({
      ok: false,
      error: { reason: 'unknown_school' },
    });
    expect(s.plan.registerDrillWindow(trainer, { schoolId: 'school-1', from: clock, to: clock + H, note: '' })).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
    expect(s.plan.cancelDrillWindow(officer, { windowId: 'constructor', reason: 'x' })).toMatchObject({ ok: false, error: { reason: 'unknown_window' } });
    expect(s.ledger.state.seq).toBe(0);
  });

  it("refuses a drill window over another of the same school's, and more than 10 ahead; a withdrawn one frees its hours", () => {
    clock = Date.UTC(2026, 10, 30, 2);
    const s = station();
    const H = 3_600_000;
    const D = 24 * H;
    const register = (from: number, to: number, schoolId = 'school-1') => s.plan.registerDrillWindow(officer, { schoolId, from, to, note: '' });
    const first = register(clock + D, clock + D + 2 * H);
    if (!first.ok) throw new Error(JSON.stringify(first));
    // The same hours again (an import run twice), or any overlap: refused; touching ends are not an overlap.
    expect(register(clock + D, clock + D + 2 * H)).toMatchObject({ ok: false, error: { reason: 'window_overlaps' } });
    expect(register(clock + D + H, clock + D + 3 * H)).toMatchObject({ ok: false, error: { reason: 'window_overlaps' } });
    expect(register(clock + D - H, clock + D + 12 * H - H)).toMatchObject({ ok: false, error: { reason: 'window_overlaps' } });
    expect(register(clock + D + 2 * H, clock + D + 3 * H)).toMatchObject({ ok: true });
    // Another school's drill in the same hours is its own.
    expect(register(clock + D, clock + D + 2 * H, 'school-2')).toMatchObject({ ok: true });
    // Withdrawn, its hours are free again.
    expect(s.plan.cancelDrillWindow(officer, { windowId: first.windowId, reason: '改期' })).toEqual({ ok: true });
    expect(register(clock + D, clock + D + 2 * H)).toMatchObject({ ok: true });
    // At most 10 ahead for one school (two now, the withdrawn one not counted): eight more, then refused.
    for (let i = 2; i <= 9; i++) expect(register(clock + i * D, clock + i * D + H)).toMatchObject({ ok: true });
    expect(register(clock + 10 * D, clock + 10 * D + H)).toMatchObject({ ok: false, error: { reason: 'too_many_windows' } });
  });
});

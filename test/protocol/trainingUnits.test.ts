// Real units taking part in station training (issue 13, point 3; main/core/trainingUnits.ts) over the real gateway:
// a trainee's console sends a training alarm to a real unit; its device gets a dispatch marked drill with the job's
// id, its answers and moves go back to that console only, journalled as training (`training.unit`) and never as an
// incident or the unit's state, and a real dispatch of the unit always wins (the job is withdrawn on the device and
// the console told).
import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TrainingUnitUpdate } from '../../shared/training';
import { connectUnit, type TestUnit } from '../support/unit';
import { ask, connect, operatorConsole, sleep, START_TIMEOUT, startTestCore, terminalAuth, validAlarm, waitFor, type TestCore } from './support';

let t: TestCore;
const sockets: Socket[] = [];
const units: TestUnit[] = [];

async function consoleOf(username: string, page?: string): Promise<{ s: Socket; updates: TrainingUnitUpdate[] }> {
  const updates: TrainingUnitUpdate[] = [];
  const { s } = await operatorConsole(t, { username }, (s) => s.on('trainingUnit', (u: TrainingUnitUpdate) => updates.push(u)), page ? { page } : {});
  sockets.push(s);
  return { s, updates };
}
const send = (s: Socket, name: string, payload: unknown): Promise<Record<string, unknown>> =>
  s.timeout(8000).emitWithAck(name, payload) as Promise<Record<string, unknown>>;
async function unitOnline(i: number): Promise<TestUnit> {
  const c = t.creds.units[i]!;
  const u = await connectUnit(t.url, c.unitId, c.token);
  units.push(u);
  await waitFor('unit connected', () => t.core.station.units.unitsLive !== undefined && t.core.station.units.training.unanswered(c.unitId).length === 0);
  return u;
}
const caused = (): number => t.records().length;
/** The records since `from`, as type and step. */
const since = (from: number): string[] =>
  t
    .records()
    .slice(from)
    .map((r) => (r.event.type === 'training.unit' ? `${r.event.type}:${r.event.step}:${r.event.jobId}` : r.event.type));

beforeAll(async () => {
  t = await startTestCore();
}, START_TIMEOUT);
afterAll(async () => {
  for (const s of sockets) s.close();
  for (const u of units) u.close();
  await t.close();
});

describe('a real unit taking part in station training', () => {
  it('gets a drill dispatch with the job id; its answers and moves reach the trainee only, journalled as training only', async () => {
    const unit = await unitOnline(0);
    const unitId = t.creds.units[0]!.unitId;
    const school = t.creds.terminals[0]!.schoolId;
    const trainee = await consoleOf('officer');
    const other = await consoleOf('officer2');
    const before = caused();
    const stateBefore = t.core.station.snapshot.units.get(unitId)?.state;

    expect(await send(trainee.s, 'training:unitDispatch', { jobId: 'TRN-run1-0', unitId, schoolId: school, kind: 'violence' })).toEqual({ ok: true });
    const d = await waitFor('the dispatch on the device', () => unit.dispatches.find((x) => x.incidentId === 'TRN-run1-0'));
    expect(d).toMatchObject({ drill: true, priority: 3, kind: 'violence', school: { id: school } });
    await waitFor('accepted', () => trainee.updates.find((u) => u.step === 'accepted' && u.jobId === 'TRN-run1-0'));

    expect(await unit.status('en_route', 'TRN-run1-0')).toEqual({ ok: true });
    expect(await unit.status('on_scene', 'TRN-run1-0')).toEqual({ ok: true });
    await waitFor('on scene', () => trainee.updates.find((u) => u.step === 'on_scene'));
    expect(trainee.updates.map((u) => u.step)).toEqual(['accepted', 'en_route', 'on_scene']);
    // Nobody else heard of it, it is on the record as training only, and the unit is as it was on every duty console.
    expect(other.updates).toEqual([]);
    expect(since(before)).toEqual([
      'training.unit:sent:TRN-run1-0',
      'training.unit:accepted:TRN-run1-0',
      'training.unit:en_route:TRN-run1-0',
      'training.unit:on_scene:TRN-run1-0',
    ]);
    expect(t.core.station.snapshot.units.get(unitId)?.state).toBe(stateBefore);
    expect([...t.core.station.snapshot.incidents.values()].some((i) => i.id.startsWith('TRN-'))).toBe(false);

    // Another operator cannot end it; its own console can, and the device is told.
    expect(await send(other.s, 'training:unitRelease', { jobId: 'TRN-run1-0' })).toMatchObject({ ok: false, error: { reason: 'unknown_job' } });
    expect(await send(trainee.s, 'training:unitRelease', { jobId: 'TRN-run1-0' })).toEqual({ ok: true });
    await waitFor('the cancel on the device', () => unit.cancels.find((c) => c.incidentId === 'TRN-run1-0'));
    expect(since(before).at(-1)).toBe('training.unit:released:TRN-run1-0');
    const released = t.records().at(-1)!.event;
    expect(released).toMatchObject({ type: 'training.unit', operator: { username: 'officer' }, unitId, schoolId: school, reason: 'training' });
  });

  it('a real dispatch of the unit always wins: the job is withdrawn on the device and the trainee told', async () => {
    const unit = await unitOnline(1);
    const unitId = t.creds.units[1]!.unitId;
    const trainee = await consoleOf('officer');
    const duty = await consoleOf('officer2');
    expect(await send(trainee.s, 'training:unitDispatch', { jobId: 'TRN-run2-0', unitId, schoolId: t.creds.terminals[1]!.schoolId, kind: 'fire' })).toEqual({
      ok: true,
    });
    await waitFor('accepted', () => trainee.updates.find((u) => u.step === 'accepted'));
    // A real alarm, taken and dispatched to that unit by the duty officer.
    const term = await connect(t.url, '/terminal', terminalAuth(t.creds.terminals[2]!));
    sockets.push(term);
    const ack = (await ask(term, 'alarm', validAlarm())) as { ok: boolean; incidentId: string };
    expect(ack.ok).toBe(true);
    expect(await send(duty.s, 'acknowledge', { incidentId: ack.incidentId })).toMatchObject({ ok: true });
    expect(await send(duty.s, 'dispatch', { incidentId: ack.incidentId, unitId })).toMatchObject({ ok: true });
    await waitFor('the training job withdrawn', () => unit.cancels.find((c) => c.incidentId === 'TRN-run2-0'));
    expect(unit.cancels.find((c) => c.incidentId === 'TRN-run2-0')!.reason).toMatch(/真实警情优先/);
    await waitFor('the real dispatch', () => unit.dispatches.find((x) => x.incidentId === ack.incidentId));
    expect(unit.dispatches.find((x) => x.incidentId === ack.incidentId)!.drill).toBe(false);
    await waitFor('the trainee told', () => trainee.updates.find((u) => u.step === 'released' && u.reason === 'real_incident'));
    // While it is on the real incident it cannot be sent on training.
    expect(
      await send(trainee.s, 'training:unitDispatch', { jobId: 'TRN-run2-1', unitId, schoolId: t.creds.terminals[1]!.schoolId, kind: 'fire' }),
    ).toMatchObject({
      ok: false,
      error: { reason: 'unit_busy' },
    });
  });

  it('refuses an offline unit, a busy one, a hostile job id, and a role that does not train; a trainee gone releases the unit', async () => {
    const trainee = await consoleOf('officer');
    const school = t.creds.terminals[0]!.schoolId;
    const offline = t.creds.units[5]!.unitId;
    expect(await send(trainee.s, 'training:unitDispatch', { jobId: 'TRN-x-1', unitId: offline, schoolId: school, kind: 'fire' })).toMatchObject({
      ok: false,
      error: { reason: 'unit_unavailable' },
    });
    for (const jobId of ['__proto__', 'TRN-', '20261204-0001', `TRN-${'x'.repeat(41)}`, 'TRN-a\u0000b']) {
      expect(await send(trainee.s, 'training:unitDispatch', { jobId, unitId: offline, schoolId: school, kind: 'fire' }), jobId).toMatchObject({
        ok: false,
        error: { code: 'invalid_payload' },
      });
    }
    const admin = await consoleOf('admin');
    expect(await send(admin.s, 'training:unitDispatch', { jobId: 'TRN-x-2', unitId: offline, schoolId: school, kind: 'fire' })).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });

    const unit = await unitOnline(3);
    const unitId = t.creds.units[3]!.unitId;
    const leaving = await consoleOf('trainer');
    expect(await send(leaving.s, 'training:unitDispatch', { jobId: 'TRN-x-3', unitId, schoolId: school, kind: 'medical' })).toEqual({ ok: true });
    expect(await send(trainee.s, 'training:unitDispatch', { jobId: 'TRN-x-4', unitId, schoolId: school, kind: 'medical' })).toMatchObject({
      ok: false,
      error: { reason: 'unit_busy' },
    });
    leaving.s.close();
    await waitFor('released when its trainee left', () => unit.cancels.find((c) => c.incidentId === 'TRN-x-3'));
    expect(await send(trainee.s, 'training:unitDispatch', { jobId: 'TRN-x-4', unitId, schoolId: school, kind: 'medical' })).toEqual({ ok: true });
  });
  it("a trainee's console cut off releases the unit at once; the same page back is told the job ended, once", async () => {
    const unit = await unitOnline(4);
    const unitId = t.creds.units[4]!.unitId;
    const school = t.creds.terminals[0]!.schoolId;
    const first = await consoleOf('trainer', 'page-g-0001');
    expect(await send(first.s, 'training:unitDispatch', { jobId: 'TRN-g-1', unitId, schoolId: school, kind: 'fire' })).toEqual({ ok: true });
    await waitFor('the drill dispatch on the device', () => unit.dispatches.find((d) => d.incidentId === 'TRN-g-1'));
    // The link drops (or the page is reloaded: its run is gone): the unit is released, the device told.
    first.s.close();
    await waitFor('released when its console went', () => unit.cancels.find((c) => c.incidentId === 'TRN-g-1'));
    expect(t.core.station.units.training.jobOfUnit(unitId)).toBeUndefined();
    // The page that comes back (its link restored) hears it, so its run does not show the unit still on the job.
    const back = await consoleOf('trainer', 'page-g-0001');
    const told = await waitFor('the ended job told to the next console', () => back.updates.find((u) => u.jobId === 'TRN-g-1' && u.step === 'released'));
    expect(told).toMatchObject({ unitId, step: 'released' });
    // Told once: a further console of the same page, or another page of the operator, hears nothing of it again.
    const again = await consoleOf('trainer', 'page-g-0001');
    const another = await consoleOf('trainer', 'page-g-0002');
    await sleep(200);
    expect([...again.updates, ...another.updates].filter((u) => u.jobId === 'TRN-g-1')).toEqual([]);
  });
  it("a trainer's page gone (reloaded, closed) releases the units on the jobs it sent, while another of their pages keeps its own", async () => {
    const school = t.creds.terminals[0]!.schoolId;
    // Units no earlier test left on a job (2 is new; 5 was refused offline above).
    const [ua, ub] = [await unitOnline(2), await unitOnline(5)];
    const [a, b] = [t.creds.units[2]!.unitId, t.creds.units[5]!.unitId];
    // Two tabs of one trainer, each running its own drill with a real unit.
    const first = await consoleOf('trainer', 'page-one-1234');
    const second = await consoleOf('trainer', 'page-two-5678');
    expect(await send(first.s, 'training:unitDispatch', { jobId: 'TRN-p-1', unitId: a, schoolId: school, kind: 'fire' })).toEqual({ ok: true });
    expect(await send(second.s, 'training:unitDispatch', { jobId: 'TRN-p-2', unitId: b, schoolId: school, kind: 'fire' })).toEqual({ ok: true });
    // The first tab is reloaded: its run is gone, so is its job; the second tab's job stands.
    first.s.close();
    await waitFor("the first page's job released", () => ua.cancels.find((c) => c.incidentId === 'TRN-p-1'));
    expect(t.core.station.units.training.jobOfUnit(a)).toBeUndefined();
    await sleep(200);
    expect(t.core.station.units.training.jobOfUnit(b)?.jobId).toBe('TRN-p-2');
    expect(ub.cancels.filter((c) => c.incidentId === 'TRN-p-2')).toEqual([]);
  });
});

// test/unit/main — the station core's lifecycle commands over a real journal: roles, dispatch by device and
// radio, unit progress, alarm:status to the school, restart, supervision escalation, target profiles.
import path from 'node:path';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Journal } from '../../../main/core/journal';
import { Registry, type RegistryData } from '../../../main/core/registry';
import { hashSecret, type SecretHash } from '../../../main/core/secrets';
import { MAX_NOTES_PER_INCIDENT } from '../../../main/core/operatorCommands';
import { Station, type CommandResult } from '../../../main/core/station';
import type { OperatorRef, StationEvent } from '../../../shared/events';
import type { AlarmStatus } from '../../../shared/protocol';
import { DEFAULT_TARGETS } from '../../../shared/response';
import { officer, chief, trainer, admin } from '../../support/operators';
import { registryOf, stationSchools, terminal, unitRecord, useStationBench } from '../../support/registryFixture';

const T0 = new Date(2026, 10, 30, 10, 15, 0).getTime();
const DAY = '20261130';

let secret: SecretHash;
beforeAll(async () => {
  secret = await hashSecret('terminal-token');
});

function registryData(): RegistryData {
  const at = { lat: 41.31, lng: 117.72 };
  return registryOf({
    schools: [stationSchools()[0]!],
    terminals: [terminal('T-1', 'school-1', secret)],
    units: [
      unitRecord('U-dev', secret, { name: '巡逻一组', callsign: '隆01', lat: 41.33, lng: 117.74 }),
      unitRecord('U-radio', undefined, { name: '巡逻二组', callsign: '隆02', ...at }),
      unitRecord('U-off', undefined, { name: '停用', callsign: '隆09', ...at, disabled: true }),
    ],
  });
}

const bench = useStationBench('lifecycle-test-', { mute: ['error', 'log'] });
const { journal } = bench;
let now: number;
const clock = (): number => now;
function station(j: Journal = journal(), registry = new Registry(registryData())): Station {
  // A long heartbeat keeps supervision from taking the terminal offline in these tests.
  return bench.station(registry, { now: clock, heartbeatMs: 3_600_000 }, j);
}
function statuses(s: Station): AlarmStatus[] {
  const heard: AlarmStatus[] = [];
  s.subscribe({ alarmStatus: (_d, st) => heard.push(st) });
  return heard;
}
const types = (j: Journal, from = 0): StationEvent['type'][] => j.records.slice(from).map((r) => r.event.type);

beforeEach(() => {
  now = T0;
});

function ok(r: CommandResult | { ok: boolean }): void {
  expect(r, JSON.stringify(r)).toEqual({ ok: true });
}
/** The command is refused with `code`, and nothing was written. */
function refusedWith(j: Journal, run: () => CommandResult, code: string): void {
  const before = j.records.length;
  const r = run();
  expect(r.ok).toBe(false);
  if (!r.ok) expect(r.error.code).toBe(code);
  expect(j.records.length).toBe(before);
}

/** A station with one alarm from T-1 (optionally acknowledged by the officer). */
function withAlarm(opts: { ack?: boolean; kind?: string } = {}): { s: Station; j: Journal; id: string } {
  const j = journal();
  const s = station(j);
  const r = s.terminals.receiveAlarm('T-1', { alarmId: 'a1', kind: opts.kind ?? 'panic', raisedAt: T0 - 300 });
  if (!r.ok) throw new Error(JSON.stringify(r));
  if (opts.ack) {
    now += 5_000;
    ok(s.operators.acknowledge(officer, r.incidentId));
  }
  return { s, j, id: r.incidentId };
}

describe('role checks', () => {
  const commands: [string, (s: Station, op: OperatorRef, id: string) => CommandResult][] = [
    ['addNote', (s, op, id) => s.operators.addNote(op, id, '记录')],
    ['recordCallBack', (s, op, id) => s.operators.recordCallBack(op, id, '已回拨')],
    ['takeOver', (s, op, id) => s.operators.takeOver(op, id)],
    ['dispatchUnit', (s, op, id) => s.operators.dispatchUnit(op, id, 'U-radio')],
    ['resolve', (s, op, id) => s.operators.resolve(op, id, 'real', '处置完毕')],
  ];
  it.each(commands)('%s is forbidden for trainer and admin, and writes nothing', (_name, run) => {
    const { s, j, id } = withAlarm({ ack: true });
    for (const op of [trainer, admin]) refusedWith(j, () => run(s, op, id), 'forbidden');
  });
  it.each(commands)('%s is allowed for a chief', (_name, run) => {
    const { s, j, id } = withAlarm({ ack: true });
    const before = j.records.length;
    ok(run(s, chief, id));
    expect(j.records.length).toBeGreaterThan(before);
  });
  it('cancelDispatch, recordProgress and reopen are forbidden for trainer and admin', () => {
    const { s, j, id } = withAlarm({ ack: true });
    ok(s.operators.dispatchUnit(officer, id, 'U-radio'));
    for (const op of [trainer, admin]) {
      refusedWith(j, () => s.operators.cancelDispatch(op, id, 'U-radio', '不需要'), 'forbidden');
      refusedWith(j, () => s.operators.recordProgress(op, id, 'U-radio', 'on_scene'), 'forbidden');
    }
    ok(s.operators.resolve(officer, id, 'real', ''));
    for (const op of [trainer, admin]) refusedWith(j, () => s.operators.reopen(op, id, '再次报警'), 'forbidden');
    ok(s.operators.reopen(chief, id, '再次报警'));
  });
  it('refuses an unknown incident and impossible transitions without writing', () => {
    const { s, j, id } = withAlarm();
    refusedWith(j, () => s.operators.addNote(officer, 'nope', 'x'), 'unknown_alarm');
    refusedWith(j, () => s.operators.addNote(officer, id, '   '), 'invalid_payload');
    refusedWith(j, () => s.operators.dispatchUnit(officer, id, 'U-radio'), 'forbidden'); // not acknowledged
    refusedWith(j, () => s.operators.resolve(officer, id, 'real', ''), 'forbidden');
    refusedWith(j, () => s.operators.resolve(officer, id, 'bogus' as never, ''), 'invalid_payload');
    refusedWith(j, () => s.operators.takeOver(officer, id), 'forbidden');
    refusedWith(j, () => s.operators.dispatchUnit(officer, id, 'U-nope'), 'invalid_payload');
    refusedWith(j, () => s.operators.dispatchUnit(officer, id, 'U-off'), 'invalid_payload');
    refusedWith(j, () => s.operators.dispatchUnit(officer, id, 42 as never), 'invalid_payload');
    refusedWith(j, () => s.operators.reopen(officer, id, '原因'), 'forbidden');
  });
  it(`an incident holds at most ${MAX_NOTES_PER_INCIDENT} notes and call-backs: the next is refused (too_many_notes) and nothing written; resolving still works`, () => {
    const { s, j, id } = withAlarm({ ack: true });
    for (let i = 0; i < MAX_NOTES_PER_INCIDENT; i++)
      ok(i % 2 ? s.operators.addNote(officer, id, `记录 ${i}`) : s.operators.recordCallBack(chief, id, `回拨 ${i}`));
    for (const run of [() => s.operators.addNote(officer, id, '再一条'), () => s.operators.recordCallBack(officer, id, '再回拨')]) {
      refusedWith(j, run, 'forbidden');
      const r = run();
      expect(!r.ok && r.error.reason).toBe('too_many_notes');
    }
    expect(s.snapshot.incidents.get(id)!.notes).toHaveLength(MAX_NOTES_PER_INCIDENT);
    ok(s.operators.resolve(officer, id, 'real', '处置完毕'));
    // Another incident is not affected.
    const other = s.terminals.receiveAlarm('T-1', { alarmId: 'a2', kind: 'fire', raisedAt: now });
    if (!other.ok) throw new Error(JSON.stringify(other));
    ok(s.operators.acknowledge(officer, other.incidentId));
    ok(s.operators.addNote(officer, other.incidentId, '另一起'));
  });
  it('takeOver by the current handler is refused; by another operator it is recorded', () => {
    const { s, j, id } = withAlarm({ ack: true });
    refusedWith(j, () => s.operators.takeOver(officer, id), 'forbidden');
    ok(s.operators.takeOver(chief, id));
    expect(j.records.at(-1)!.event).toMatchObject({ type: 'incident.taken_over', operator: chief, from: officer });
    expect(s.snapshot.incidents.get(id)!.handler).toEqual(chief);
  });
});

describe('dispatchUnit', () => {
  it('to a unit with a device records only incident.dispatched (mode device), pending until the unit accepts', () => {
    const { s, j, id } = withAlarm({ ack: true });
    const from = j.records.length;
    now += 10_000;
    ok(s.operators.dispatchUnit(officer, id, 'U-dev'));
    expect(types(j, from)).toEqual(['incident.dispatched']);
    expect(j.records.at(-1)!.event).toMatchObject({ type: 'incident.dispatched', unitId: 'U-dev', mode: 'device', operator: officer, at: now });
    expect(s.units.pendingDeliveries().map((p) => [p.unitId, p.incident.id])).toEqual([['U-dev', id]]);
    expect(s.units.pendingDeliveries('U-dev')).toHaveLength(1);
    expect(s.units.pendingDeliveries('U-radio')).toEqual([]);
    // Still pending on a later look: it is derived from the state.
    expect(s.units.pendingDeliveries()).toHaveLength(1);

    now += 3_000;
    s.units.dispatchAnswered('U-dev', id, { ok: true });
    expect(j.records.at(-1)!.event).toEqual({ type: 'dispatch.accepted', at: now, incidentId: id, unitId: 'U-dev' });
    expect(s.units.pendingDeliveries()).toEqual([]);
    expect(s.snapshot.assignments).toEqual(new Map([['U-dev', id]]));
    // A repeated answer writes nothing.
    const n = j.records.length;
    s.units.dispatchAnswered('U-dev', id, { ok: true });
    s.units.dispatchAnswered('U-dev', id, { ok: false, reason: 'late' });
    expect(j.records.length).toBe(n);
  });

  it('a decline from the device records dispatch.declined with the reason and frees the unit', () => {
    const { s, j, id } = withAlarm({ ack: true });
    ok(s.operators.dispatchUnit(officer, id, 'U-dev'));
    now += 2_000;
    s.units.dispatchAnswered('U-dev', id, { ok: false, reason: '正在处理交通事故' });
    expect(j.records.at(-1)!.event).toEqual({ type: 'dispatch.declined', at: now, incidentId: id, unitId: 'U-dev', reason: '正在处理交通事故' });
    expect(s.units.pendingDeliveries()).toEqual([]);
    expect(s.snapshot.assignments).toEqual(new Map());
    expect(s.snapshot.incidents.get(id)!.state).toBe('acknowledged');
    // Free to be sent again.
    ok(s.operators.dispatchUnit(officer, id, 'U-dev'));
  });

  it('a decline without a reason is recorded as "declined"; an answer for an unknown dispatch writes nothing', () => {
    const { s, j, id } = withAlarm({ ack: true });
    const n = j.records.length;
    s.units.dispatchAnswered('U-dev', id, { ok: true });
    s.units.dispatchAnswered('U-dev', 'nope', { ok: true });
    expect(j.records.length).toBe(n);
    ok(s.operators.dispatchUnit(officer, id, 'U-dev'));
    s.units.dispatchAnswered('U-dev', id, 'garbage');
    expect(j.records.at(-1)!.event).toMatchObject({ type: 'dispatch.declined', reason: 'declined' });
  });

  it('to a radio unit records dispatched and accepted, both by the operator, and nothing is pending', () => {
    const { s, j, id } = withAlarm({ ack: true });
    const from = j.records.length;
    ok(s.operators.dispatchUnit(officer, id, 'U-radio'));
    expect(j.records.slice(from).map((r) => r.event)).toEqual([
      { type: 'incident.dispatched', at: now, incidentId: id, operator: officer, unitId: 'U-radio', mode: 'radio' },
      { type: 'dispatch.accepted', at: now, incidentId: id, unitId: 'U-radio', operator: officer },
    ]);
    expect(s.units.pendingDeliveries()).toEqual([]);
    expect(s.snapshot.incidents.get(id)!.dispatches[0]!.acceptedAt).toBe(now);
  });

  it('refuses a second dispatch of the same unit, and a unit assigned to another incident', () => {
    const { s, j, id } = withAlarm({ ack: true });
    ok(s.operators.dispatchUnit(officer, id, 'U-radio'));
    refusedWith(j, () => s.operators.dispatchUnit(officer, id, 'U-radio'), 'forbidden');
    const second = s.terminals.receiveAlarm('T-1', { alarmId: 'a2', kind: 'fire', raisedAt: now });
    if (!second.ok) throw new Error('alarm refused');
    ok(s.operators.acknowledge(officer, second.incidentId));
    refusedWith(j, () => s.operators.dispatchUnit(officer, second.incidentId, 'U-radio'), 'forbidden');
    ok(s.operators.cancelDispatch(officer, id, 'U-radio', '改派'));
    ok(s.operators.dispatchUnit(officer, second.incidentId, 'U-radio'));
  });

  it('resolving the incident stops pending deliveries', () => {
    const { s, id } = withAlarm({ ack: true });
    ok(s.operators.dispatchUnit(officer, id, 'U-dev'));
    expect(s.units.pendingDeliveries()).toHaveLength(1);
    ok(s.operators.resolve(officer, id, 'false_alarm', '误报'));
    expect(s.units.pendingDeliveries()).toEqual([]);
  });
});

describe('receiveUnitStatus with an incidentId', () => {
  it('moves the incident only for the dispatched unit; a repeated on_scene is ok and writes nothing', () => {
    const { s, j, id } = withAlarm({ ack: true });
    ok(s.operators.dispatchUnit(officer, id, 'U-dev'));
    s.units.dispatchAnswered('U-dev', id, { ok: true });

    // Another unit may not move this incident.
    refusedWith(j, () => s.units.receiveStatus('U-radio', { state: 'on_scene', incidentId: id, at: now }), 'forbidden');
    refusedWith(j, () => s.units.receiveStatus('U-dev', { state: 'on_scene', incidentId: 'nope', at: now }), 'forbidden');

    now += 30_000;
    let from = j.records.length;
    ok(s.units.receiveStatus('U-dev', { state: 'en_route', incidentId: id, at: now - 100 }));
    expect(j.records.slice(from).map((r) => r.event)).toEqual([
      { type: 'dispatch.progress', at: now, incidentId: id, unitId: 'U-dev', state: 'en_route' },
      { type: 'unit.status', at: now, unitId: 'U-dev', state: 'en_route', reportedAt: now - 100 },
    ]);
    expect(s.snapshot.incidents.get(id)!.state).toBe('dispatched');

    now += 200_000;
    from = j.records.length;
    ok(s.units.receiveStatus('U-dev', { state: 'on_scene', incidentId: id, at: now }));
    expect(types(j, from)).toEqual(['dispatch.progress', 'unit.status']);
    expect(s.snapshot.incidents.get(id)!.state).toBe('on_scene');
    expect(s.snapshot.incidents.get(id)!.dispatches[0]!.onSceneAt).toBe(now);

    now += 5_000;
    const n = j.records.length;
    ok(s.units.receiveStatus('U-dev', { state: 'on_scene', incidentId: id, at: now }));
    ok(s.units.receiveStatus('U-dev', { state: 'en_route', incidentId: id, at: now }));
    // en_route after on_scene is a retry of a passed step: no progress, only the unit's own state changes.
    expect(types(j, n)).toEqual(['unit.status']);
    expect(s.snapshot.incidents.get(id)!.dispatches[0]!.onSceneAt).toBe(now - 5_000);
  });

  it('is forbidden once the unit was withdrawn, or the incident resolved', () => {
    const { s, j, id } = withAlarm({ ack: true });
    ok(s.operators.dispatchUnit(officer, id, 'U-dev'));
    ok(s.operators.cancelDispatch(officer, id, 'U-dev', '改派'));
    refusedWith(j, () => s.units.receiveStatus('U-dev', { state: 'on_scene', incidentId: id, at: now }), 'forbidden');
    ok(s.operators.dispatchUnit(officer, id, 'U-dev'));
    ok(s.operators.resolve(officer, id, 'real', ''));
    refusedWith(j, () => s.units.receiveStatus('U-dev', { state: 'on_scene', incidentId: id, at: now }), 'forbidden');
  });

  it('refuses a malformed status without writing', () => {
    const { s, j, id } = withAlarm({ ack: true });
    ok(s.operators.dispatchUnit(officer, id, 'U-dev'));
    refusedWith(j, () => s.units.receiveStatus('U-dev', { state: 'flying', incidentId: id, at: now }), 'invalid_payload');
  });
});

describe('alarm:status to the school', () => {
  function fullRun(): { s: Station; j: Journal; id: string; heard: AlarmStatus[]; times: Record<string, number> } {
    const j = journal();
    const s = station(j);
    const heard = statuses(s);
    const times: Record<string, number> = {};
    const r = s.terminals.receiveAlarm('T-1', { alarmId: 'a1', kind: 'panic', raisedAt: T0 - 300 });
    if (!r.ok) throw new Error('refused');
    const id = r.incidentId;
    times.received = now;
    now += 6_000;
    ok(s.operators.addNote(officer, id, '先看监控')); // no state change before ack: nothing told
    now += 1_000;
    ok(s.operators.acknowledge(officer, id));
    times.acknowledged = now;
    now += 1_000;
    ok(s.operators.recordCallBack(officer, id, '门卫确认'));
    now += 20_000;
    ok(s.operators.dispatchUnit(officer, id, 'U-dev'));
    times.dispatched = now;
    now += 2_000;
    s.units.dispatchAnswered('U-dev', id, { ok: true });
    now += 30_000;
    ok(s.units.receiveStatus('U-dev', { state: 'en_route', incidentId: id, at: now }));
    now += 200_000;
    ok(s.units.receiveStatus('U-dev', { state: 'on_scene', incidentId: id, at: now }));
    times.on_scene = now;
    now += 600_000;
    ok(s.operators.resolve(officer, id, 'real', '处置完毕'));
    times.resolved = now;
    return { s, j, id, heard, times };
  }

  it('hears received, acknowledged, dispatched, on_scene, resolved in order, each at its time', () => {
    const { id, heard, times } = fullRun();
    expect(heard).toEqual(
      (['received', 'acknowledged', 'dispatched', 'on_scene', 'resolved'] as const).map((state) => ({
        alarmId: 'a1',
        incidentId: id,
        state,
        at: times[state],
      })),
    );
    expect(id).toBe(`${DAY}-0001`);
  });

  it('statusOf equals the last status emitted at every step', () => {
    const j = journal();
    const s = station(j);
    const heard = statuses(s);
    const r = s.terminals.receiveAlarm('T-1', { alarmId: 'a1', kind: 'panic', raisedAt: T0 - 300 });
    if (!r.ok) throw new Error('refused');
    const id = r.incidentId;
    const last = (): void => expect(s.statusOf(s.snapshot.incidents.get(id)!)).toEqual(heard.at(-1));
    last();
    const steps: (() => void)[] = [
      () => ok(s.operators.acknowledge(officer, id)),
      () => ok(s.operators.dispatchUnit(officer, id, 'U-radio')),
      () => ok(s.operators.dispatchUnit(officer, id, 'U-dev')),
      () => ok(s.operators.cancelDispatch(officer, id, 'U-radio', '改派')),
      () => ok(s.operators.cancelDispatch(officer, id, 'U-dev', '不需要')),
      () => ok(s.operators.dispatchUnit(officer, id, 'U-radio')),
      () => ok(s.operators.recordProgress(officer, id, 'U-radio', 'on_scene')),
      () => ok(s.operators.resolve(officer, id, 'real', '')),
      () => ok(s.operators.reopen(chief, id, '再次报警')),
      () => ok(s.operators.resolve(chief, id, 'real', '')),
    ];
    for (const step of steps) {
      now += 7_000;
      step();
      last();
    }
    expect(heard.map((h) => h.state)).toEqual([
      'received',
      'acknowledged',
      'dispatched',
      'acknowledged',
      'dispatched',
      'on_scene',
      'resolved',
      'acknowledged',
      'resolved',
    ]);
  });

  it('after a restart, statusOf gives the same state and the time of the event that reached it', () => {
    const { s, j, id, times } = fullRun();
    const before = s.statusOf(s.snapshot.incidents.get(id)!);
    j.close();
    const s2 = station(journal());
    const inc = s2.snapshot.incidents.get(id)!;
    expect(inc.state).toBe('resolved');
    expect(s2.statusOf(inc)).toEqual(before);
    expect(s2.statusOf(inc)).toEqual({ alarmId: 'a1', incidentId: id, state: 'resolved', at: times.resolved });
  });

  it.each([
    ['acknowledged', 1],
    ['dispatched', 3],
    ['on_scene', 5],
  ] as const)('after a restart at %s, statusOf gives that state and the time it was reached', (state, steps) => {
    const j = journal();
    const s = station(j);
    const heard = statuses(s);
    const r = s.terminals.receiveAlarm('T-1', { alarmId: 'a1', kind: 'panic', raisedAt: T0 - 300 });
    if (!r.ok) throw new Error('refused');
    const id = r.incidentId;
    const all: (() => void)[] = [
      () => ok(s.operators.acknowledge(officer, id)),
      () => ok(s.operators.addNote(officer, id, '记录')),
      () => ok(s.operators.dispatchUnit(officer, id, 'U-dev')),
      () => s.units.dispatchAnswered('U-dev', id, { ok: true }),
      () => ok(s.units.receiveStatus('U-dev', { state: 'on_scene', incidentId: id, at: now })),
      () => ok(s.operators.addNote(officer, id, '到场')),
    ];
    for (const step of all.slice(0, steps + 1)) {
      now += 11_000;
      step();
    }
    const live = heard.at(-1)!;
    expect(live.state).toBe(state);
    j.close();
    now += 60_000;
    const s2 = station(journal());
    expect(s2.statusOf(s2.snapshot.incidents.get(id)!)).toEqual(live);
  });
});

describe('supervise: escalation', () => {
  it('escalates an unacknowledged alarm once past the acknowledge target, once', () => {
    const { s, j, id } = withAlarm();
    const target = s.registry.targets().acknowledgeMs;
    expect(target).toBe(DEFAULT_TARGETS.acknowledgeMs);
    const n = j.records.length;
    now = T0 + target;
    s.devices.supervise();
    expect(j.records.length).toBe(n);
    now = T0 + target + 1;
    s.devices.supervise();
    expect(j.records.slice(n).map((r) => r.event)).toEqual([{ type: 'incident.escalated', at: now, incidentId: id, reason: 'ack_overdue' }]);
    expect(s.snapshot.incidents.get(id)!.escalatedAt).toBe(now);
    now += 60_000;
    s.devices.supervise();
    expect(j.records.length).toBe(n + 1);
    // Still acknowledgeable.
    ok(s.operators.acknowledge(officer, id));
  });

  it('follows the targets in the registry', () => {
    const { s, j, id } = withAlarm();
    ok(s.admin.setTargets(admin, { ...DEFAULT_TARGETS, acknowledgeMs: 3_000 }));
    const n = j.records.length;
    now = T0 + 3_001;
    s.devices.supervise();
    expect(j.records.slice(n).map((r) => r.event.type)).toEqual(['incident.escalated']);
    expect(s.snapshot.incidents.get(id)!.escalatedAt).toBe(now);
  });

  it('never escalates a test press, an acknowledged or a resolved alarm; escalates a drill', () => {
    const { s, j } = withAlarm({ kind: 'test' });
    const acked = s.terminals.receiveAlarm('T-1', { alarmId: 'a2', kind: 'panic', raisedAt: T0 });
    if (!acked.ok) throw new Error('refused');
    ok(s.operators.acknowledge(officer, acked.incidentId));
    ok(s.operators.resolve(officer, acked.incidentId, 'false_alarm', ''));
    const n = j.records.length;
    for (const dt of [11_000, 60_000, 3_600_000]) {
      now = T0 + dt;
      s.devices.supervise();
    }
    expect(j.records.length).toBe(n);
    const drill = s.terminals.receiveAlarm('T-1', { alarmId: 'a3', kind: 'panic', drill: true, raisedAt: now });
    if (!drill.ok) throw new Error('refused');
    now += 10_001;
    s.devices.supervise();
    expect(j.records.slice(n + 1).map((r) => r.event)).toEqual([{ type: 'incident.escalated', at: now, incidentId: drill.incidentId, reason: 'ack_overdue' }]);
  });
});

describe('setTargets', () => {
  it('refuses a non-admin without changing anything', () => {
    const { s, j } = withAlarm();
    for (const op of [officer, chief, trainer]) refusedWith(j, () => s.admin.setTargets(op, { ...DEFAULT_TARGETS, acknowledgeMs: 5_000 }), 'forbidden');
    expect(s.registry.targets()).toEqual(DEFAULT_TARGETS);
  });

  it('refuses a bad profile with invalid_payload naming the field', () => {
    const { s, j } = withAlarm();
    const before = j.records.length;
    const r = s.admin.setTargets(admin, { ...DEFAULT_TARGETS, speedKmh: 500 });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe('invalid_payload');
      expect(r.error.message).toContain('speedKmh');
    }
    refusedWith(j, () => s.admin.setTargets(admin, null), 'invalid_payload');
    refusedWith(j, () => s.admin.setTargets(admin, { ...DEFAULT_TARGETS, onSceneMs: { urban: 1 } }), 'invalid_payload');
    expect(j.records.length).toBe(before);
    expect(s.registry.targets()).toEqual(DEFAULT_TARGETS);
  });

  it('stores a good profile in the registry (and on disk when it has a file)', () => {
    const file = path.join(bench.dir, 'registry.json');
    const registry = new Registry(registryData(), file);
    const j = journal();
    const s = station(j, registry);
    const t = { ...DEFAULT_TARGETS, acknowledgeMs: 8_000, onSceneMs: { urban: 240_000, suburban: 480_000, rural: 900_000 } };
    ok(s.admin.setTargets(admin, t));
    expect(registry.targets()).toEqual(t);
    // The change is journalled with the administrator's name (the targets themselves live in the registry).
    expect(j.records.map((r) => r.event)).toEqual([
      { type: 'admin.action', at: expect.any(Number), operator: admin, action: 'targets.set', target: '', detail: JSON.stringify(t) },
    ]);
    expect(Registry.load(file).targets()).toEqual(t);
  });
});

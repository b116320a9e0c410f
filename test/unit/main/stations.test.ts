// test/unit/main — stations (issue 15) in the core, without sockets: the registry's stations and what each operator
// sees (main/core/stationScope.ts, shared/stations.ts). A registry without stations behaves as before (everyone sees
// everything); with stations, an operator sees their station's schools, records, snapshot and queries, and acts on
// nothing else; the county role sees all and takes no alarm. Station ids that are names of Object.prototype, or hold
// a NUL, are ordinary ids.
import { beforeAll, describe, expect, it } from 'vitest';
import { Registry, type RegistryData } from '../../../main/core/registry';
import { hashSecret, type SecretHash } from '../../../main/core/secrets';
import type { Station } from '../../../main/core/station';
import type { JournalRecord, OperatorRef, StationEvent, StationEventType } from '../../../shared/events';
import { toSnapshot } from '../../../shared/incidents';
import type { ReferenceData } from '../../../shared/model';
import { DEFAULT_STATION, eventStation, referenceOfStation, scopeFor, type StationLookup } from '../../../shared/stations';
import { exportData, parseImport } from '../../../shared/dataExchange';
import { guardPost, operatorRecord, registryOf, school, terminal, unitRecord, useStationBench } from '../../support/registryFixture';

const T0 = Date.UTC(2026, 11, 1, 2, 0);
let secret: SecretHash;
beforeAll(async () => {
  secret = await hashSecret('terminal-token');
});

const bench = useStationBench('stations-');

const op = (username: string, role: OperatorRef['role']): OperatorRef => ({ username, displayName: username, role });
const WEST = op('west', 'officer');
const EAST = op('east', 'officer');
const COUNTY = op('county', 'county');
const ADMIN = op('root', 'admin');

/** Two stations (ids given: ordinary or hostile), a school, a terminal and a unit each; an officer each and the county. */
function twoStations(a: string, b: string): RegistryData {
  return registryOf({
    stations: [
      { id: a, name: '示例甲所', nameEn: 'Sample A' },
      { id: b, name: '示例乙所', nameEn: 'Sample B' },
    ],
    schools: [school('sa', { stationId: a }), school('sb', { stationId: b })],
    terminals: [terminal('TA', 'sa', secret), terminal('TB', 'sb', secret)],
    units: [unitRecord('UA', undefined, { stationId: a }), unitRecord('UB', undefined, { stationId: b })],
    operators: [operatorRecord(WEST, secret), operatorRecord(EAST, secret), operatorRecord(COUNTY, secret)].map((o) => ({
      ...o,
      ...(o.username === 'west' ? { stationId: a } : o.username === 'east' ? { stationId: b } : {}),
    })),
  });
}

async function pressBoth(st: Station): Promise<[string, string]> {
  const ra = await st.terminals.pressAlarm('TA', { alarmId: 'a1', kind: 'panic', raisedAt: T0 - 100 });
  const rb = await st.terminals.pressAlarm('TB', { alarmId: 'b1', kind: 'panic', raisedAt: T0 - 100 });
  if (!ra.ok || !rb.ok) throw new Error('alarm refused');
  return [ra.incidentId, rb.incidentId];
}

describe('the registry', () => {
  it('refuses a record of a station it does not list, naming it', () => {
    const d = twoStations('a', 'b');
    d.schools[1]!.stationId = 'c';
    expect(() => new Registry(d)).toThrow(/school sb belongs to unknown station "c"/);
    const e = twoStations('a', 'b');
    e.operators[0]!.stationId = 'zz';
    expect(() => new Registry(e)).toThrow(/operator west belongs to unknown station "zz"/);
  });

  it("gives each operator their station's reference data, and the county all of it", () => {
    const r = new Registry(twoStations('a', 'b'));
    const west = r.reference(r.scopeOf(WEST));
    expect(west.schools.map((s) => s.id)).toEqual(['sa']);
    expect(west.terminals.map((t) => t.deviceId)).toEqual(['TA']);
    expect(west.units.map((u) => u.id)).toEqual(['UA']);
    expect(west.stationName).toBe('示例甲所');
    expect(west.stations).toEqual([{ id: 'a', name: '示例甲所', nameEn: 'Sample A' }]);
    const county = r.reference(r.scopeOf(COUNTY));
    expect(county.schools.map((s) => s.id)).toEqual(['sa', 'sb']);
    expect(county.stations?.map((s) => s.id)).toEqual(['a', 'b']);
    expect(county.stationId).toBeUndefined();
  });

  it("the county view's station filter shows what that station's console is sent (referenceOfStation, one meaning)", () => {
    const d = twoStations('a', 'b');
    d.schools.push(school('sb2', { stationId: 'b' }));
    d.terminals.push(terminal('TB2', 'sb2', secret));
    // A post takes its school's station unless it has its own; rooms and units their own.
    d.guardPosts = [guardPost('pa', { schoolId: 'sa' }), guardPost('pb', { schoolId: 'sb' }), guardPost('pab', { schoolId: 'sa', stationId: 'b' })];
    d.policeRooms = [
      { id: 'ra', name: '甲室', kind: 'police_room', lat: 41, lng: 117, stationId: 'a' },
      { id: 'rb', name: '乙亭', kind: 'kiosk', lat: 41, lng: 117, stationId: 'b' },
    ];
    const r = new Registry(d);
    const county = r.reference(r.scopeOf(COUNTY));
    const lists = (x: ReferenceData) => ({
      schools: x.schools.map((s) => s.id),
      terminals: x.terminals.map((t) => t.deviceId),
      posts: x.guardPosts.map((g) => g.id),
      rooms: x.policeRooms.map((p) => p.id),
      units: x.units.map((u) => u.id),
    });
    for (const who of [WEST, EAST]) {
      const own = r.reference(r.scopeOf(who));
      expect(lists(referenceOfStation(county, own.stationId!))).toEqual(lists(own));
    }
    expect(lists(referenceOfStation(county, 'b'))).toEqual({
      schools: ['sb', 'sb2'],
      terminals: ['TB', 'TB2'],
      posts: ['pb', 'pab'],
      rooms: ['rb'],
      units: ['UB'],
    });
    // The county's stations and targets stay (the filter's menu, the board's targets).
    expect(referenceOfStation(county, 'a').stations).toEqual(county.stations);
    // A post (of no station of its own) whose school is not in the registry, as a hand-edited file may have it: the
    // default station's, as eventStation has it; not every station's.
    const orphan = { ...county, guardPosts: [...county.guardPosts, guardPost('orphan', { schoolId: 'gone' })] };
    expect(referenceOfStation(orphan, 'a').guardPosts.map((g) => g.id)).not.toContain('orphan');
    expect(referenceOfStation(orphan, 'b').guardPosts.map((g) => g.id)).not.toContain('orphan');
    expect(referenceOfStation(orphan, DEFAULT_STATION).guardPosts.map((g) => g.id)).toEqual(['orphan']);
  });

  it('imports a station column (checked against the stations), and an import without it keeps each station', async () => {
    const r = new Registry(twoStations('a', 'b'));
    const rows = (text: string) => {
      const p = parseImport('schools', 'csv', text);
      if (!p.ok) throw new Error(JSON.stringify(p.errors));
      return p.rows;
    };
    await expect(r.importData('schools', rows('id,name,type,lat,lng,stationId\nsc,示例丙校,primary,41.3,117.7,zz\n'))).rejects.toMatchObject({
      errors: [{ line: 1, field: 'stationId' }],
    });
    await r.importData('schools', rows('id,name,type,lat,lng,stationId\nsc,示例丙校,primary,41.3,117.7,b\n'));
    expect(r.schoolStation('sc')).toBe('b');
    await r.importData('schools', rows('id,name,type,lat,lng\nsa,示例甲校改名,primary,41.3,117.7\n'));
    expect(r.schoolStation('sa')).toBe('a');
    expect(exportData('schools', 'csv', r.exportData('schools'))).toContain(',a\r\n');
  });

  it("the admin screen sets an account's and a record's station: checked against the stations, '' the default one", async () => {
    const r = new Registry(twoStations('a', 'b'));
    await expect(r.addOperator({ username: 'new', displayName: 'x', role: 'officer', stationId: 'zz' })).rejects.toMatchObject({ reason: 'unknown_station' });
    await r.addOperator({ username: 'new', displayName: 'x', role: 'officer', stationId: 'b' });
    expect(r.scopeOf(op('new', 'officer'))).toEqual({ all: false, stationId: 'b' });
    r.updateOperator('new', 'x', 'officer', 'admin', { stationId: '' });
    expect(r.scopeOf(op('new', 'officer'))).toEqual({ all: false, stationId: '' });
    r.updateOperator('west', 'y', 'officer', 'admin'); // a caller that says nothing of stations keeps the account's
    expect(r.scopeOf(WEST)).toEqual({ all: false, stationId: 'a' });
    r.saveRecord({ kind: 'schools', mode: 'edit', row: { ...school('sa'), stationId: 'b' } });
    expect(r.schoolStation('sa')).toBe('b');
    r.saveRecord({ kind: 'schools', mode: 'edit', row: { ...school('sa'), stationId: '' } });
    expect(r.snapshot.schools.find((x) => x.id === 'sa')).not.toHaveProperty('stationId');
    expect(() => r.saveRecord({ kind: 'policeRooms', mode: 'add', row: { id: 'pr', name: 'x', kind: 'kiosk', lat: 41, lng: 117, stationId: 'zz' } })).toThrow(
      /no station zz/,
    );
    // A unit's station, when added and edited ('' the default one; absent keeps it).
    await r.addUnit({ id: 'UC', name: '巡逻丙车', callsign: '', lat: 41, lng: 117, hasDevice: false, stationId: 'b' });
    expect(r.unit('UC')?.stationId).toBe('b');
    r.updateUnit({ id: 'UC', name: '巡逻丙车', callsign: '丙', lat: 41, lng: 117 });
    expect(r.unit('UC')?.stationId).toBe('b');
    r.updateUnit({ id: 'UC', name: '巡逻丙车', callsign: '丙', lat: 41, lng: 117, stationId: 'a' });
    expect(r.reference(r.scopeOf(WEST)).units.map((u) => u.id)).toEqual(['UA', 'UC']);
    r.updateUnit({ id: 'UC', name: '巡逻丙车', callsign: '丙', lat: 41, lng: 117, stationId: '' });
    expect(r.unit('UC')).not.toHaveProperty('stationId');
    await r.addUnit({ id: 'UD', name: '巡逻丁车', callsign: '', lat: 41, lng: 117, hasDevice: false, stationId: '' });
    expect(r.unit('UD')).not.toHaveProperty('stationId');
    expect(() => r.updateUnit({ id: 'UD', name: 'x', callsign: '', lat: 41, lng: 117, stationId: 'zz' })).toThrow(/no station zz/);
    // The admin (registry, devices and accounts are the county's) sees every station, as the county role does.
    expect(r.scopeOf(op('root', 'admin'))).toEqual({ all: true });
  });

  it('without stations: one station, every operator sees everything, the reference data as before', () => {
    const r = new Registry(registryOf({ schools: [school('s1')], operators: [operatorRecord(WEST, secret)] }));
    expect(r.scopeOf(WEST)).toEqual({ all: false, stationId: '' });
    const ref = r.reference(r.scopeOf(WEST));
    expect(ref).toEqual(r.reference());
    expect('stations' in ref || 'stationId' in ref).toBe(false);
  });
});

describe('scopes', () => {
  it('the county role sees every station; anyone else their own, the default one when none is set', () => {
    expect(scopeFor('county', 'a')).toEqual({ all: true });
    expect(scopeFor('officer', 'a')).toEqual({ all: false, stationId: 'a' });
    expect(scopeFor('chief', undefined)).toEqual({ all: false, stationId: '' });
  });

  it('every event type says whose it is (the registry-free ones: every station)', () => {
    const none: StationLookup = {
      school: () => 's',
      device: () => 'd',
      unit: () => 'u',
      post: () => 'p',
      incident: () => 'i',
      inspection: () => 'n',
      drillWindow: () => 'w',
    };
    const everyone: StationEventType[] = ['admin.action', 'sound.muted', 'journal.unreadable', 'record.withheld'];
    for (const type of everyone) expect(eventStation({ type } as StationEvent, none)).toBeUndefined();
    // A training result is its schools' station's; one without a school is everyone's.
    const row = { schoolId: 'x', kind: 'fire', acknowledgeMet: true, dispatchMet: true, resolved: true };
    expect(eventStation({ type: 'training.completed', rows: [row] } as unknown as StationEvent, none)).toBe('s');
    expect(eventStation({ type: 'training.completed', rows: [], faults: [{ schoolId: 'x' }] } as unknown as StationEvent, none)).toBe('s');
    expect(eventStation({ type: 'training.completed', rows: [] } as unknown as StationEvent, none)).toBeUndefined();
    expect(eventStation({ type: 'incident.acknowledged', incidentId: 'x' } as StationEvent, none)).toBe('i');
    expect(eventStation({ type: 'device.offline', deviceId: 'x' } as StationEvent, none)).toBe('d');
    expect(eventStation({ type: 'unit.status', unitId: 'x' } as StationEvent, none)).toBe('u');
    expect(eventStation({ type: 'post.checked', postId: 'x' } as StationEvent, none)).toBe('p');
    // A thing the registry does not know (removed since) is the default station's.
    const nothing: StationLookup = {
      school: () => undefined,
      device: () => undefined,
      unit: () => undefined,
      post: () => undefined,
      incident: () => undefined,
      inspection: () => undefined,
      drillWindow: () => undefined,
    };
    expect(eventStation({ type: 'alarm.received', schoolId: 'gone' } as StationEvent, nothing)).toBe('');
  });
});

describe.each([
  ['ordinary ids', 'a', 'b'],
  ['ids of Object.prototype and with a NUL', '__proto__', 'con\u0000structor'],
  ['constructor and toString', 'constructor', 'toString'],
])('a station core with two stations (%s)', (_name, A, B) => {
  it("each officer gets their own station's records whole and the other's withheld, seq for seq; the county all of them", async () => {
    const st = bench.station(new Registry(twoStations(A, B)), () => T0);
    const [ia, ib] = await pressBoth(st);
    const recs = st.journal.records as JournalRecord[];
    const west = st.scopes.records(st.scopes.of(WEST), recs);
    expect(west.map((r) => r.seq)).toEqual(recs.map((r) => r.seq));
    expect(JSON.stringify(west)).not.toContain(ib);
    expect(JSON.stringify(west)).toContain(ia);
    expect(west.filter((r) => r.event.type === 'record.withheld').length).toBeGreaterThan(0);
    expect(st.scopes.records(st.scopes.of(COUNTY), recs)).toEqual(recs);
    const snap = st.scopes.snapshot(st.scopes.of(EAST), toSnapshot(st.snapshot, T0));
    expect(snap.incidents.map((i) => i.id)).toEqual([ib]);
    expect(snap.units.every(([u]) => u === 'UB')).toBe(true);
    // Nothing leaked onto Object.prototype on the way.
    expect(({} as Record<string, unknown>).stationId).toBeUndefined();
  });

  it("refuses an officer's command on the other station's incident, unit and device; the county takes no alarm", async () => {
    const st = bench.station(new Registry(twoStations(A, B)), () => T0);
    const [ia, ib] = await pressBoth(st);
    expect(st.operators.acknowledge(WEST, ib)).toMatchObject({ ok: false, error: { code: 'forbidden', reason: 'other_station' } });
    expect(st.operators.acknowledge(COUNTY, ia)).toMatchObject({ ok: false, error: { code: 'forbidden', reason: 'not_permitted' } });
    expect(st.operators.acknowledge(WEST, ia)).toEqual({ ok: true });
    expect(st.operators.dispatchUnit(WEST, ia, 'UB')).toMatchObject({ ok: false, error: { reason: 'other_station' } });
    expect(st.operators.acknowledgeFault(WEST, 'TB', 'offline')).toMatchObject({ ok: false, error: { reason: 'other_station' } });
    expect(st.history.incident(EAST, { incidentId: ia })).toMatchObject({ ok: false, error: { reason: 'other_station' } });
    expect(st.history.incident(COUNTY, { incidentId: ia })).toMatchObject({ ok: true });
  });

  it("a unit on a dispatch keeps its station (its incident's station would lose sight of it); released, it may move", async () => {
    const st = bench.station(new Registry(twoStations(A, B)), () => T0);
    const [ia] = await pressBoth(st);
    expect(st.operators.acknowledge(WEST, ia)).toEqual({ ok: true });
    expect(st.operators.dispatchUnit(WEST, ia, 'UA')).toMatchObject({ ok: true });
    const move = { id: 'UA', name: '巡逻甲车', callsign: '甲', lat: 41, lng: 117, stationId: B };
    const refused = await st.admin.updateUnit(ADMIN, move);
    expect(refused).toMatchObject({ ok: false, error: { code: 'forbidden', reason: 'unit_on_dispatch' } });
    expect(st.registry.unit('UA')?.stationId).toBe(A);
    // Its name may change all the same (its station said or not).
    expect(await st.admin.updateUnit(ADMIN, { ...move, stationId: A, callsign: '甲' })).toEqual({ ok: true });
    expect(await st.admin.updateUnit(ADMIN, { ...move, stationId: undefined, callsign: '甲一' })).toEqual({ ok: true });
    // Nor through a units import (the whole file refused, the row and the reason named).
    const file = (stationId: string) => ({ kind: 'units', format: 'json', text: JSON.stringify([{ ...move, stationId }]) }) as const;
    const imported = await st.admin.importData(ADMIN, file(B));
    expect(imported).toMatchObject({ ok: false, error: { code: 'invalid_payload', details: [{ line: 1, field: 'stationId' }] } });
    expect(!imported.ok && imported.error.details?.[0]?.reason).toMatch(/on a dispatch/);
    expect(st.registry.unit('UA')?.stationId).toBe(A);
    expect(await st.admin.importData(ADMIN, file(A))).toMatchObject({ ok: true, updated: 1 });
    expect(st.operators.resolve(WEST, ia, 'real', '')).toEqual({ ok: true });
    expect(await st.admin.updateUnit(ADMIN, move)).toEqual({ ok: true });
    expect(st.registry.unit('UA')?.stationId).toBe(B);
    expect(await st.admin.importData(ADMIN, file(A))).toMatchObject({ ok: true, updated: 1 });
    expect(st.registry.unit('UA')?.stationId).toBe(A);
  });

  it("a training job takes only a unit and a school of the trainee's station (a real dispatch is refused the same)", () => {
    const d = twoStations(A, B);
    d.units = [unitRecord('UA', secret, { stationId: A }), unitRecord('UB', secret, { stationId: B })];
    const st = bench.station(new Registry(d), () => T0);
    st.units.connected('UA', true);
    st.units.connected('UB', true);
    const job = (unitId: string, schoolId: string, jobId: string) => st.units.training.dispatch(WEST, { jobId, unitId, schoolId, kind: 'fire' }, 'page-1');
    expect(job('UB', 'sa', 'TRN-st-1')).toMatchObject({ ok: false, error: { code: 'forbidden', reason: 'other_station' } });
    expect(job('UA', 'sb', 'TRN-st-2')).toMatchObject({ ok: false, error: { code: 'forbidden', reason: 'other_station' } });
    expect(st.units.training.jobOfUnit('UB')).toBeUndefined();
    expect(job('UA', 'sa', 'TRN-st-3')).toMatchObject({ ok: true });
  });

  it("training results are the station's: a run of another station's school is refused, and each station reads its own", () => {
    const d = twoStations(A, B);
    const st = bench.station(new Registry(d), () => T0);
    const run = (schoolId: string, trainee: string) => ({
      trainee,
      scenario: '夜班',
      speed: 5,
      startedAt: T0 - 60_000,
      notShown: 0,
      rows: [{ schoolId, kind: 'fire' as const, acknowledgeMs: 3000, acknowledgeMet: true, dispatchMet: false, resolved: false }],
    });
    expect(st.plan.recordTraining(WEST, run('sb', '学员甲'))).toMatchObject({ ok: false, error: { code: 'forbidden', reason: 'other_station' } });
    expect(st.plan.recordTraining(WEST, run('sa', '学员甲')).ok).toBe(true);
    expect(st.plan.recordTraining(EAST, run('sb', '学员乙')).ok).toBe(true);
    const names = (who: OperatorRef): string[] => {
      const r = st.plan.trainingResults(who, { trainee: '' });
      return r.ok ? r.results.map((x) => x.trainee) : [];
    };
    expect(names(WEST)).toEqual(['学员甲']);
    expect(names(EAST)).toEqual(['学员乙']);
    // The county trains no one, and reads no results (roles.ts: training.run).
    expect(st.plan.trainingResults(COUNTY, { trainee: '' })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    // On the wire too: a training result record is its school's station's, withheld from the other; each station's
    // list is exactly the results its console is sent whole.
    const last = st.ledger.journal.records.at(-1)!;
    expect(eventStation(last.event, st.scopes.lookup)).toBe(B);
    for (const who of [WEST, EAST]) {
      const sent = st.scopes
        .records(st.scopes.of(who), st.ledger.journal.records)
        .flatMap((r) => (r.event.type === 'training.completed' ? [r.event.trainee] : []));
      expect(sent).toEqual(names(who));
    }
  });

  it('a school deleted keeps its past incidents at its station, with its area class: a signed month does not move', async () => {
    const d = twoStations(A, B);
    d.schools[1]!.area = 'rural';
    const st = bench.station(new Registry(d), () => T0);
    const [, ib] = await pressBoth(st);
    expect(st.operators.acknowledge(EAST, ib)).toEqual({ ok: true });
    expect(st.operators.resolve(EAST, ib, 'real', '')).toEqual({ ok: true });
    // The school closes: its terminal goes, then the school.
    st.registry.update((x) => void (x.terminals = x.terminals.filter((t) => t.schoolId !== 'sb')));
    st.registry.deleteRecord('schools', 'sb', () => 0);
    expect(st.registry.school('sb')).toBeUndefined();
    expect(st.registry.reference().schools.map((x) => x.id)).toEqual(['sa']);
    const period = { from: T0 - 3600_000, to: T0 + 3600_000, class: 'real' as const };
    const ids = async (who: OperatorRef): Promise<string[]> => {
      const r = await st.history.query(who, { ...period, offset: 0, limit: 50 });
      if (!r.ok) throw new Error(r.error.message);
      return r.page.rows.map((x) => x.id);
    };
    expect(await ids(EAST)).toEqual([ib]);
    expect(await ids(WEST)).not.toContain(ib);
    const east = await st.stats.query(EAST, { ...period, groupBy: 'none' });
    if (!east.ok) throw new Error(east.error.message);
    expect(east.report.all.ids.ids).toEqual([ib]);
    // Judged on scene by its own area (rural), not the urban target assumed for a school never registered.
    expect(east.report.all.areaAssumedIds.ids).toEqual([]);
    // Kept in the registry's file: a registry read back from it still knows.
    const again = new Registry(JSON.parse(JSON.stringify(st.registry.snapshot)) as RegistryData);
    expect(again.schoolStation('sb')).toBe(B);
    expect(again.school('sb')).toBeUndefined();
  });

  it('history and statistics: an officer counts their station, the county all or the stations it asks for', async () => {
    const st = bench.station(new Registry(twoStations(A, B)), () => T0);
    const [ia, ib] = await pressBoth(st);
    const period = { from: T0 - 3600_000, to: T0 + 3600_000, class: 'real' as const };
    const ids = async (who: OperatorRef, extra: object = {}): Promise<string[]> => {
      const r = await st.history.query(who, { ...period, offset: 0, limit: 50, ...extra });
      if (!r.ok) throw new Error(r.error.message);
      return r.page.rows.map((x) => x.id).sort();
    };
    expect(await ids(WEST)).toEqual([ia]);
    expect(await ids(COUNTY)).toEqual([ia, ib].sort());
    expect(await ids(COUNTY, { stationIds: [B] })).toEqual([ib]);
    expect(await ids(WEST, { stationIds: [B] })).toEqual([]);
    const total = async (who: OperatorRef, extra: object = {}): Promise<number> => {
      const r = await st.stats.query(who, { ...period, groupBy: 'none', ...extra });
      if (!r.ok) throw new Error(r.error.message);
      return r.report.all.total;
    };
    expect(await total(EAST)).toBe(1);
    expect(await total(COUNTY)).toBe(2);
    expect(await total(COUNTY, { stationIds: [A] })).toBe(1);
    // Grouped by station: a group per station, and each group's incidents are the history's for that group.
    const byStation = await st.stats.query(COUNTY, { ...period, groupBy: 'station' });
    if (!byStation.ok) throw new Error(byStation.error.message);
    expect(byStation.report.groups.map((g) => [g.key, g.ids.ids]).sort()).toEqual(
      [
        [A, [ia]],
        [B, [ib]],
      ].sort(),
    );
    expect(await ids(COUNTY, { group: { by: 'station', key: B } })).toEqual([ib]);
    const westByStation = await st.stats.query(WEST, { ...period, groupBy: 'station' });
    expect(westByStation.ok && westByStation.report.groups.map((g) => g.key)).toEqual([A]);
  });
});

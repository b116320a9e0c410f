// test/protocol — stations and the county command view (issue 15), at the real core over real sockets: a demo county
// split into two stations (--demo-stations). An operator of one station never receives anything of the other station's
// alarms (records, snapshot, unstored alarms, health, units, history, statistics, the incident whole) and cannot act
// on them; the county role sees both and acts on neither; a station's console still gets every seq (a placeholder for
// each record of the other station), so its replica has no gap.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Socket } from 'socket.io-client';
import type { DeviceHealth, UnitLive } from '../../shared/consoleApi';
import type { JournalRecord } from '../../shared/events';
import type { StateSnapshot } from '../../shared/incidents';
import { ask, connect, operatorConsole, START_TIMEOUT, startTestCore, terminalAuth, validAlarm, waitFor, type TestCore } from './support';
import type { ConsoleHello } from '../../shared/consoleApi';
import { withDemoStations } from '../../main/demo';

let t: TestCore;

interface Seen {
  s: Socket;
  hello: ConsoleHello;
  records: JournalRecord[];
  health: DeviceHealth[];
  units: UnitLive[];
}
const consoles: Socket[] = [];
async function consoleOf(username: string): Promise<Seen> {
  const seen: Omit<Seen, 's' | 'hello'> = { records: [], health: [], units: [] };
  const { s, hello } = await operatorConsole(t, { username }, (s) => {
    s.on('records', (b: JournalRecord[]) => seen.records.push(...b));
    s.on('record', (r: JournalRecord) => seen.records.push(r));
    s.on('health', (h: DeviceHealth[]) => (seen.health = h));
    s.on('units', (u: UnitLive[]) => (seen.units = u));
  });
  consoles.push(s);
  return Object.assign(seen, { s, hello });
}

const stationOfDevice = (deviceId: string): string | undefined => t.core.station.registry.deviceStation(deviceId);
let westTerm: TestCore['creds']['terminals'][number];
let eastTerm: TestCore['creds']['terminals'][number];
let west: Seen;
let east: Seen;
let county: Seen;
let westIncident: string;
let eastIncident: string;

beforeAll(async () => {
  t = await startTestCore({ args: ['--demo-stations'] });
  westTerm = t.creds.terminals.find((x) => stationOfDevice(x.deviceId) === 'st-west')!;
  eastTerm = t.creds.terminals.find((x) => stationOfDevice(x.deviceId) === 'st-east')!;
  [west, east, county] = [await consoleOf('officer-west'), await consoleOf('officer-east'), await consoleOf('county')];
  const [wt, et] = [await connect(t.url, '/terminal', terminalAuth(westTerm)), await connect(t.url, '/terminal', terminalAuth(eastTerm))];
  const wa = (await ask(wt, 'alarm', validAlarm({ note: 'west-note' }))) as { ok: boolean; incidentId: string };
  const ea = (await ask(et, 'alarm', validAlarm({ note: 'east-secret-note' }))) as { ok: boolean; incidentId: string };
  expect(wa.ok && ea.ok).toBe(true);
  [westIncident, eastIncident] = [wa.incidentId, ea.incidentId];
  wt.close();
  et.close();
  const has = (c: Seen, id: string): boolean => c.records.some((r) => r.event.type === 'alarm.received' && r.event.incidentId === id);
  await waitFor('the county console gets both alarms', () => has(county, westIncident) && has(county, eastIncident));
  const lastSeq = t.records().at(-1)!.seq;
  await waitFor('every console is at the last seq', () => [west, east].every((c) => c.records.at(-1)?.seq === lastSeq));
}, START_TIMEOUT);

afterAll(async () => {
  for (const s of consoles) s.close();
  await t?.close();
});

/** Everything a console received, as text: no word of the other station's alarm may be in it. */
const wire = (c: Seen): string => JSON.stringify({ records: c.records, health: c.health, units: c.units, hello: c.hello });

describe('what each console receives', () => {
  it("a station's console gets its own station's schools, and the county every station's", () => {
    const st = (h: ConsoleHello): Set<string | undefined> => new Set(h.reference.schools.map((s) => s.stationId));
    expect(st(west.hello)).toEqual(new Set(['st-west']));
    expect(st(east.hello)).toEqual(new Set(['st-east']));
    expect(st(county.hello)).toEqual(new Set(['st-west', 'st-east']));
    expect(west.hello.reference.stationId).toBe('st-west');
    expect(west.hello.reference.stations?.map((s) => s.id)).toEqual(['st-west']);
    expect(county.hello.reference.stationId).toBeUndefined();
    expect(county.hello.reference.stations?.map((s) => s.id)).toEqual(['st-west', 'st-east']);
    // Terminals, units and posts too: each console knows only its own station's devices.
    expect(west.hello.reference.terminals.every((x) => stationOfDevice(x.deviceId) === 'st-west')).toBe(true);
    expect(west.hello.reference.units.every((u) => u.stationId === 'st-west')).toBe(true);
    expect(county.hello.reference.terminals).toHaveLength(t.creds.terminals.length);
  });

  it("the other station's alarm reaches a station console only as a placeholder that keeps the numbering", () => {
    for (const [mine, theirs, own] of [
      [west, eastIncident, westIncident],
      [east, westIncident, eastIncident],
    ] as const) {
      const seqs = mine.records.map((r) => r.seq);
      expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => seqs[0]! + i)); // no gap
      expect(mine.records.some((r) => r.event.type === 'alarm.received' && r.event.incidentId === own)).toBe(true);
      expect(wire(mine)).not.toContain(theirs);
      const theirRecord = t.records().find((r) => r.event.type === 'alarm.received' && r.event.incidentId === theirs)!;
      expect(mine.records.find((r) => r.seq === theirRecord.seq)?.event).toEqual({ type: 'record.withheld', at: theirRecord.event.at });
    }
    expect(wire(west)).not.toContain('east-secret-note');
    expect(wire(west)).not.toContain(eastTerm.deviceId);
    expect(wire(west)).not.toContain(eastTerm.schoolId);
    // The county's console gets both whole, as the journal has them.
    const countyAlarms = county.records.filter((r) => r.event.type === 'alarm.received').map((r) => (r.event as { incidentId: string }).incidentId);
    expect(countyAlarms).toEqual(expect.arrayContaining([westIncident, eastIncident]));
  });

  it("a station console's journal id names its station (its replica is not the county's); the county's is the journal's", () => {
    expect(west.hello.journalId).toMatch(/@st-west$/);
    expect(east.hello.journalId).toMatch(/@st-east$/);
    expect(county.hello.journalId).toBe(west.hello.journalId.replace(/@st-west$/, ''));
  });

  it('device health and unit positions: its own station only', () => {
    expect(west.health.length).toBeGreaterThan(0);
    expect(west.health.every((d) => stationOfDevice(d.deviceId) === 'st-west')).toBe(true);
    expect(county.health.some((d) => stationOfDevice(d.deviceId) === 'st-east')).toBe(true);
    const reg = t.core.station.registry;
    expect(west.units.every((u) => reg.unitStation(u.unitId) === 'st-west')).toBe(true);
  });

  it('a console that catches up (since 0) gets every seq, the other station withheld', async () => {
    const late = await consoleOf('officer-east');
    await waitFor('the catch-up', () => late.records.length > 0);
    expect(late.records.map((r) => r.seq)).toEqual(t.records().map((r) => r.seq));
    expect(wire(late)).not.toContain(westIncident);
    expect(late.records.some((r) => r.event.type === 'alarm.received' && r.event.incidentId === eastIncident)).toBe(true);
  });

  it('a console far behind gets a state snapshot of its own station only', async () => {
    const snap = await new Promise<StateSnapshot>((resolve, reject) => {
      void operatorConsole(t, { username: 'officer-west' }, (s) => {
        consoles.push(s);
        // A since ahead of the journal (another journal's replica) is answered with the snapshot.
        s.auth = { ...(s.auth as object), since: 1e9 };
        s.once('snapshot', resolve);
        s.once('records', () => reject(new Error('records instead of a snapshot')));
      });
    });
    const ids = snap.incidents.map((i) => i.id);
    expect(ids).toContain(westIncident);
    expect(ids).not.toContain(eastIncident);
    expect(JSON.stringify(snap)).not.toContain(eastTerm.deviceId);
    expect(snap.units.every(([u]) => t.core.station.registry.unitStation(u) === 'st-west')).toBe(true);
  });
});

describe('commands: the core refuses another station', () => {
  it("a station's officer cannot acknowledge, note or read the other station's incident; its own officer can", async () => {
    for (const [event, payload] of [
      ['acknowledge', { incidentId: eastIncident }],
      ['note', { incidentId: eastIncident, text: 'x' }],
      ['incident', { incidentId: eastIncident }],
    ] as const) {
      const r = (await ask(west.s, event, payload)) as { ok: boolean; error?: { code: string; reason?: string; message: string } };
      expect(r).toMatchObject({ ok: false, error: { code: 'forbidden', reason: 'other_station' } });
      expect(r.error!.message).not.toContain('east-secret-note');
    }
    expect(await ask(east.s, 'acknowledge', { incidentId: eastIncident })).toEqual({ ok: true });
    expect(await ask(west.s, 'acknowledge', { incidentId: westIncident })).toEqual({ ok: true });
  });

  it("nor dispatch the other station's unit, nor acknowledge its device fault", async () => {
    const eastUnit = t.core.station.registry.snapshot.units.find((u) => u.stationId === 'st-east' && !u.postId)!;
    expect(await ask(west.s, 'dispatch', { incidentId: westIncident, unitId: eastUnit.id })).toMatchObject({
      ok: false,
      error: { code: 'forbidden', reason: 'other_station' },
    });
    expect(await ask(west.s, 'acknowledgeFault', { deviceId: eastTerm.deviceId, fault: 'offline' })).toMatchObject({
      ok: false,
      error: { code: 'forbidden', reason: 'other_station' },
    });
  });

  it("a trainer sees and trains only their station's officers", async () => {
    const trainer = await consoleOf('trainer'); // the west station's
    const r = (await ask(trainer.s, 'training:consoles', {})) as { ok: true; consoles: { username: string }[] };
    const names = r.consoles.map((x) => x.username);
    expect(names).toContain('officer-west');
    expect(names).not.toContain('officer-east');
  });

  it('the county role reads everything and takes no alarm', async () => {
    expect(await ask(county.s, 'acknowledge', { incidentId: westIncident })).toMatchObject({
      ok: false,
      error: { code: 'forbidden', reason: 'not_permitted' },
    });
    expect(await ask(county.s, 'incident', { incidentId: eastIncident })).toMatchObject({ ok: true, incident: { id: eastIncident } });
  });
});

describe('history and statistics: a station its own, the county all with the station as a filter', () => {
  const period = (): { from: number; to: number; class: 'real' } => ({ from: Date.now() - 3600_000, to: Date.now() + 60_000, class: 'real' });
  const history = async (c: Seen, extra: Record<string, unknown> = {}): Promise<string[]> => {
    const r = (await ask(c.s, 'history', { ...period(), offset: 0, limit: 50, ...extra })) as { ok: true; page: { rows: { id: string }[] } };
    expect(r.ok).toBe(true);
    return r.page.rows.map((x) => x.id);
  };
  const statsTotal = async (c: Seen, extra: Record<string, unknown> = {}): Promise<number> => {
    const r = (await ask(c.s, 'stats', { ...period(), groupBy: 'none', ...extra })) as { ok: true; report: { all: { total: number } } };
    expect(r.ok).toBe(true);
    return r.report.all.total;
  };

  it('history', async () => {
    expect(await history(west)).toEqual([westIncident]);
    expect(await history(east)).toEqual([eastIncident]);
    expect((await history(county)).sort()).toEqual([westIncident, eastIncident].sort());
    expect(await history(county, { stationIds: ['st-east'] })).toEqual([eastIncident]);
    // A station's officer asking for the other station gets nothing more: the filter is within the scope.
    expect(await history(west, { stationIds: ['st-east'] })).toEqual([]);
    expect(await history(west, { ids: [eastIncident] })).toEqual([]);
  });

  it('statistics', async () => {
    expect(await statsTotal(west)).toBe(1);
    expect(await statsTotal(county)).toBe(2);
    expect(await statsTotal(county, { stationIds: ['st-west'] })).toBe(1);
    expect(await statsTotal(east, { stationIds: ['st-west', 'st-east'] })).toBe(1);
  });
});

describe('hostile station ids over the wire', () => {
  it('__proto__ and an id with a NUL are ordinary stations: rooms, journal ids and filters work, nothing leaks', async () => {
    const [A, B] = ['__proto__', 'a\u0000b'];
    const rename = (id: string | undefined): string | undefined => (id === 'st-west' ? A : id === 'st-east' ? B : id);
    t.core.station.registry.update((d) => {
      d.stations = [
        { id: A, name: '示例甲所', nameEn: 'Sample A' },
        { id: B, name: '示例乙所', nameEn: 'Sample B' },
      ];
      for (const list of [d.schools, d.policeRooms, d.units, d.operators] as { stationId?: string }[][])
        for (const x of list) if (x.stationId !== undefined) x.stationId = rename(x.stationId)!;
    });
    const [a, b, all] = [await consoleOf('officer-west'), await consoleOf('officer-east'), await consoleOf('county')];
    expect(a.hello.journalId.endsWith(`@${A}`)).toBe(true);
    expect(b.hello.journalId.endsWith(`@${B}`)).toBe(true);
    const [wt, et] = [await connect(t.url, '/terminal', terminalAuth(westTerm)), await connect(t.url, '/terminal', terminalAuth(eastTerm))];
    const wa = (await ask(wt, 'alarm', validAlarm())) as { incidentId: string };
    const ea = (await ask(et, 'alarm', validAlarm())) as { incidentId: string };
    wt.close();
    et.close();
    const has = (c: Seen, id: string): boolean => c.records.some((r) => r.event.type === 'alarm.received' && r.event.incidentId === id);
    await waitFor('the county console gets both alarms', () => has(all, wa.incidentId) && has(all, ea.incidentId));
    await waitFor('each station its own', () => has(a, wa.incidentId) && has(b, ea.incidentId));
    const lastSeq = t.records().at(-1)!.seq;
    await waitFor('every console is at the last seq', () => [a, b].every((c) => c.records.at(-1)?.seq === lastSeq));
    expect(wire(a)).not.toContain(ea.incidentId);
    expect(wire(b)).not.toContain(wa.incidentId);
    const rows = (await ask(all.s, 'history', {
      from: Date.now() - 3600_000,
      to: Date.now() + 60_000,
      class: 'real',
      offset: 0,
      limit: 50,
      stationIds: [A],
    })) as { ok: true; page: { rows: { id: string }[] } };
    expect(rows.page.rows.map((r) => r.id)).toContain(wa.incidentId);
    expect(rows.page.rows.map((r) => r.id)).not.toContain(ea.incidentId);
    expect(({} as Record<string, unknown>).stationId).toBeUndefined();
  });
});

describe('a registry that gains its stations while consoles are connected', () => {
  it('every console connects again and gets its station (a replica of the whole log is never continued withheld)', async () => {
    const one = await startTestCore();
    try {
      const before = await operatorConsole(one, { username: 'officer-west' });
      const gone = new Promise<void>((resolve) => before.s.once('disconnect', () => resolve()));
      expect(before.hello.journalId).not.toContain('@');
      expect(before.hello.reference.stations).toBeUndefined();
      one.core.station.registry.update((d) => withDemoStations(d, true));
      await gone;
      const after = await operatorConsole(one, { username: 'officer-west' });
      expect(after.hello.journalId).toBe(`${before.hello.journalId}@st-west`);
      expect(after.hello.reference.schools.every((s) => s.stationId === 'st-west')).toBe(true);
      after.s.close();
    } finally {
      await one.close();
    }
  });
});

// test/unit — reference data import into the registry (main/core/registry.ts importData, main/core/station.ts
// adminImport/adminExport): all or nothing on a real file, upsert, fresh tokens that authenticate, revocation
// by disabling, cross-checks as row errors, and the admin-only role check in the core.
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ImportError, Registry, type RegistryData } from '../../main/core/registry';
import { hashSecret, type SecretHash } from '../../main/core/secrets';
import type { Station } from '../../main/core/station';
import { parseImport, type DataKind } from '../../shared/dataExchange';
import { admin, chief, officer } from '../support/operators';
import { guardPost, registryOf, savedRegistry, school, terminal, unitRecord, useStationBench } from '../support/registryFixture';

const T1_TOKEN = 'tok-T1-a8f3c1';
const U1_TOKEN = 'tok-U1-c0ffee';
let t1Secret: SecretHash;
let u1Secret: SecretHash;
beforeAll(async () => {
  [t1Secret, u1Secret] = await Promise.all([hashSecret(T1_TOKEN, 'token'), hashSecret(U1_TOKEN, 'token')]);
});

function seed(): RegistryData {
  return registryOf({
    schools: [school('s1', { phone: '0314-1111111' }), school('s2')],
    terminals: [terminal('T-1', 's1', t1Secret)],
    guardPosts: [guardPost('post-1', { name: '护学岗一', windows: [{ start: '07:10', end: '08:10' }] })],
    units: [
      unitRecord('U-1', u1Secret, { name: '巡逻一组', callsign: '隆01', postId: 'post-1' }),
      unitRecord('U-radio', undefined, { name: '巡逻二组', callsign: '隆02' }),
    ],
  });
}

const bench = useStationBench('registry-import-test-');
let file: string;
let reg: Registry;
beforeEach(() => {
  file = bench.registryFile();
  savedRegistry(seed(), file);
  reg = Registry.load(file);
});

/** Parses a CSV (which must be clean) and imports it. */
async function importCsv(kind: DataKind, text: string, r: Registry = reg) {
  const parsed = parseImport(kind, 'csv', text);
  if (!parsed.ok) throw new Error(`the file should parse: ${JSON.stringify(parsed.errors)}`);
  return r.importData(kind, parsed.rows, parsed.lines);
}
async function importErrors(kind: DataKind, text: string) {
  try {
    await importCsv(kind, text);
  } catch (e) {
    if (e instanceof ImportError) return e.errors;
    throw e;
  }
  throw new Error('expected the import to be refused');
}

describe('importData: all or nothing', () => {
  it('a file with one bad row (unknown school) changes nothing: the registry file is byte-identical', async () => {
    const before = fs.readFileSync(file);
    const errs = await importErrors('terminals', 'deviceId,schoolId,label\nT-new,s1,新终端\nT-bad,s-nope,坏\nT-1,s2,改\n');
    expect(errs).toEqual([{ line: 3, field: 'schoolId', reason: 'no school "s-nope" in the registry: import the schools first' }]);
    expect(fs.readFileSync(file).equals(before)).toBe(true);
    expect(reg.terminal('T-new')).toBeUndefined();
    expect(reg.terminal('T-1')!.schoolId).toBe('s1');
  });

  it('a guard post bound to an unknown school and device ids shared across terminals and units are row errors', async () => {
    const before = fs.readFileSync(file);
    expect(
      await importErrors('guardPosts', 'id,name,schoolId,lat,lng,days,windows\npost-2,a,s1,41,117,1-5,07:00-08:00\npost-3,b,s9,41,117,1-5,07:00-08:00\n'),
    ).toEqual([{ line: 3, field: 'schoolId', reason: expect.stringMatching(/no school "s9"/) }]);
    expect(await importErrors('terminals', 'deviceId,schoolId\nU-1,s1\n')).toEqual([
      { line: 2, field: 'deviceId', reason: expect.stringMatching(/already the id of a patrol unit/) },
    ]);
    expect(await importErrors('units', 'id,name,callsign,lat,lng\nok-unit,a,b,41,117\nT-1,a,b,41,117\n')).toEqual([
      { line: 3, field: 'id', reason: expect.stringMatching(/already the id of a terminal/) },
    ]);
    expect(fs.readFileSync(file).equals(before)).toBe(true);
  });

  it('a file that does not parse is refused by the station with every row error, and changes nothing', async () => {
    const before = fs.readFileSync(file);
    const s = station();
    const text =
      'id,name,schoolId,lat,lng,days,windows\npost-2,a,s1,41,117,1-5,07:00-08:00\npost-3,b,s1,abc,117,1-5,08:00-07:00\npost-4,c,s-gone,41,117,1-5,07:00-08:00\n';
    const ans = await s.admin.importData(admin, { kind: 'guardPosts', format: 'csv', text });
    // The file's own errors and the registry's (unknown school on a row that parsed) come in one answer.
    expect(ans).toEqual({
      ok: false,
      error: {
        code: 'invalid_payload',
        message: '3 errors in the file; nothing was changed',
        details: [
          { line: 3, field: 'lat', reason: 'lat must be a number between -90 and 90, got "abc"' },
          { line: 3, field: 'windows', reason: expect.stringMatching(/must end after it starts/) },
          { line: 4, field: 'schoolId', reason: 'no school "s-gone" in the registry: import the schools first' },
        ],
        omitted: 0,
      },
    });
    expect(fs.readFileSync(file).equals(before)).toBe(true);
  });

  it('a failing write changes nothing in memory either', async () => {
    const s = reg.snapshot;
    fs.rmSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(path.dirname(file), 'a file where the folder was'); // mkdir and write now fail
    await expect(importCsv('policeRooms', 'id,name,kind,lat,lng\nroom-1,警务室,police_room,41,117\n')).rejects.toThrow();
    expect(reg.snapshot).toBe(s);
    expect(reg.snapshot.policeRooms).toEqual([]);
  });
});

describe('importData: upsert', () => {
  it('updates rows with a known id, adds the others, removes nothing, and keeps columns the file left out', async () => {
    const out = await importCsv('schools', 'id,name,type,lat,lng\ns1,改名小学,middle,41.5,117.5\ns3,新学校,kindergarten,41.6,117.6\n');
    expect(out).toEqual({ added: 1, updated: 1, credentials: {} });
    const d = Registry.load(file).snapshot;
    expect(d.schools.map((x) => x.id)).toEqual(['s1', 's2', 's3']);
    expect(d.schools[0]).toEqual({ ...school('s1'), name: '改名小学', type: 'middle', lat: 41.5, lng: 117.5, phone: '0314-1111111' });
    expect(d.schools[2]).toEqual({
      id: 's3',
      name: '新学校',
      nameEn: '新学校',
      type: 'kindergarten',
      address: '',
      lat: 41.6,
      lng: 117.6,
      area: 'urban',
      phone: '',
    });
  });

  it('new terminals get fresh tokens that authenticate; existing ones keep their secret', async () => {
    const out = await importCsv('terminals', 'deviceId,schoolId,label\nT-1,s2,改到二校\nT-2,s1,\nT-3,s2,侧门\n');
    expect(out.added).toBe(2);
    expect(out.updated).toBe(1);
    expect(Object.keys(out.credentials).sort()).toEqual(['T-2', 'T-3']);
    const again = Registry.load(file);
    expect(await again.authenticateTerminal('T-2', out.credentials['T-2']!)).toMatchObject({ deviceId: 'T-2', schoolId: 's1', label: 'T-2' });
    expect(await again.authenticateTerminal('T-3', out.credentials['T-3']!)).toMatchObject({ deviceId: 'T-3', label: '侧门' });
    expect(await again.authenticateTerminal('T-3', out.credentials['T-2']!)).toBeUndefined();
    expect(await again.authenticateTerminal('T-1', T1_TOKEN)).toMatchObject({ schoolId: 's2', label: '改到二校' });
    expect(again.snapshot.terminals[1]!.secret.n).toBe(2048); // hashed as a token
  });

  it('units: a new unit with a device gets a token, a radio unit given a device gets one, one losing its device loses its secret', async () => {
    const revoked: string[][] = [];
    reg.onChange((r) => revoked.push(r));
    const out = await importCsv(
      'units',
      'id,name,callsign,lat,lng,hasDevice\nU-new,新车,隆03,41,117,\nU-radio,巡逻二组,隆02,41.3,117.7,true\nU-1,巡逻一组,隆01,41.3,117.7,false\nU-foot,步巡,隆04,41,117,false\n',
    );
    expect(out).toMatchObject({ added: 2, updated: 2 });
    expect(Object.keys(out.credentials).sort()).toEqual(['U-new', 'U-radio']);
    expect(await reg.authenticateUnit('U-new', out.credentials['U-new']!)).toMatchObject({ id: 'U-new', hasDevice: true });
    expect(await reg.authenticateUnit('U-radio', out.credentials['U-radio']!)).toMatchObject({ id: 'U-radio' });
    expect(await reg.authenticateUnit('U-1', U1_TOKEN)).toBeUndefined();
    expect(reg.unit('U-1')!.secret).toBeUndefined();
    expect(reg.unit('U-foot')).toMatchObject({ hasDevice: false, disabled: false });
    // U-1's sockets must go (U-radio is listed too, its "no secret" having changed: it had no sockets to cut).
    expect(revoked).toHaveLength(1);
    expect(revoked[0]).toContain('U-1');
    expect(revoked[0]).not.toContain('U-new');
  });

  it('disabled=true cuts the device off like setDisabled; a file without the column leaves it as it is', async () => {
    const revoked: string[][] = [];
    reg.onChange((r) => revoked.push(r));
    await importCsv('terminals', 'deviceId,schoolId,disabled\nT-1,s1,true\n');
    expect(revoked).toEqual([['T-1']]);
    expect(await reg.authenticateTerminal('T-1', T1_TOKEN)).toBeUndefined();
    await importCsv('terminals', 'deviceId,schoolId,label\nT-1,s1,新名字\n');
    expect(reg.terminal('T-1')).toMatchObject({ disabled: true, label: '新名字' });
    await importCsv('terminals', 'deviceId,schoolId,disabled\nT-1,s1,false\n');
    expect(await reg.authenticateTerminal('T-1', T1_TOKEN)).toMatchObject({ deviceId: 'T-1' });
  });

  it('exports rows without secrets, and an export imports back as a no-op update (a unit keeps its guard post)', async () => {
    const rows = reg.exportData('terminals');
    expect(rows).toEqual([{ deviceId: 'T-1', schoolId: 's1', label: '门卫室', disabled: false }]);
    const before = fs.readFileSync(file, 'utf8');
    const s = station();
    const exp = s.admin.exportData(admin, { kind: 'units', format: 'csv' });
    expect(exp).toMatchObject({ ok: true, filename: expect.stringMatching(/^units-\d{8}-\d{4}\.csv$/) });
    if (!exp.ok) return;
    expect(exp.text).not.toMatch(/salt|hash|secret/i);
    expect(await s.admin.importData(admin, { kind: 'units', format: 'csv', text: exp.text })).toEqual({
      ok: true,
      kind: 'units',
      added: 0,
      updated: 2,
      credentials: {},
    });
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toEqual(JSON.parse(before));
  });
});

const station = (r: Registry = reg): Station => bench.station(r, { heartbeatMs: 3_600_000 });

describe('station: admin only', () => {
  it('refuses an officer and a chief, importing and exporting, before looking at the request', async () => {
    const before = fs.readFileSync(file);
    const s = station();
    for (const op of [officer, chief]) {
      expect(await s.admin.importData(op, { kind: 'schools', format: 'csv', text: 'id,name,type,lat,lng\ns9,x,primary,41,117\n' })).toEqual({
        ok: false,
        error: { code: 'forbidden', message: `role ${op.role} may not manage devices`, reason: 'not_permitted' },
      });
      expect(await s.admin.importData(op, null as never)).toMatchObject({ ok: false, error: { code: 'forbidden' } });
      expect(s.admin.exportData(op, { kind: 'schools', format: 'csv' })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    }
    expect(fs.readFileSync(file).equals(before)).toBe(true);
  });

  it('an admin with a malformed request gets invalid_payload; a good one gets counts and tokens', async () => {
    const s = station();
    expect(await s.admin.importData(admin, { kind: 'people' as never, format: 'csv', text: '' })).toMatchObject({
      ok: false,
      error: { code: 'invalid_payload', message: expect.stringMatching(/^admin:import: kind: .*expected one of "schools"/) },
    });
    expect(s.admin.exportData(admin, { kind: 'schools', format: 'xlsx' as never })).toMatchObject({ ok: false, error: { code: 'invalid_payload' } });
    const ans = await s.admin.importData(admin, { kind: 'terminals', format: 'json', text: JSON.stringify([{ deviceId: 'T-9', schoolId: 's2' }]) });
    expect(ans).toMatchObject({ ok: true, kind: 'terminals', added: 1, updated: 0, credentials: { 'T-9': expect.any(String) } });
  });
});

// test/unit/main — registry administration (CLI and admin screen): adding schools, terminals, units and operators,
// rotating and disabling credentials, and reload() telling a running core what to cut off. Real files in a temp dir.
import fs from 'node:fs';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Registry, RegistryError, type RegistryData } from '../../../main/core/registry';
import { hashSecret, type SecretHash } from '../../../main/core/secrets';
import type { Role } from '../../../shared/events';
import { officer } from '../../support/operators';
import { operatorRecord, patrolUnit as unit, registryOf, savedRegistry, school, terminal, unitRecord, useTempRoot } from '../../support/registryFixture';

const T1_TOKEN = 'tok-T1-a8f3c1';
const T2_TOKEN = 'tok-T2-77be02';
const U1_TOKEN = 'tok-U1-c0ffee';
const WANG_PASSWORD = 'pw-wang-长城';

let t1Secret: SecretHash;
let t2Secret: SecretHash;
let u1Secret: SecretHash;
let wangSecret: SecretHash;
beforeAll(async () => {
  [t1Secret, t2Secret, u1Secret, wangSecret] = await Promise.all([hashSecret(T1_TOKEN), hashSecret(T2_TOKEN), hashSecret(U1_TOKEN), hashSecret(WANG_PASSWORD)]);
});

/** Everything enabled: reload() tests count on it. */
function seed(): RegistryData {
  return registryOf({
    schools: [school('s1'), school('s2')],
    terminals: [terminal('T-1', 's1', t1Secret), terminal('T-2', 's2', t2Secret, { label: '值班室' })],
    units: [unitRecord('U-1', u1Secret), unitRecord('U-radio', undefined)],
    operators: [operatorRecord(officer, wangSecret)],
  });
}

const tmp = useTempRoot('registry-admin-test-');
let file: string;
beforeEach(() => {
  file = tmp.registryFile();
});

/** A registry on a real file, seeded and saved. */
const seeded = (): Registry => savedRegistry(seed(), file);

/** Runs a change that must be refused with a RegistryError, and checks the file did not change by one byte. */
async function refused(change: () => unknown, message?: RegExp): Promise<void> {
  const before = fs.readFileSync(file);
  let thrown: unknown;
  try {
    await change();
  } catch (e) {
    thrown = e;
  }
  expect(thrown, 'the change should have been refused').toBeInstanceOf(RegistryError);
  if (message) expect((thrown as Error).message).toMatch(message);
  expect(fs.readFileSync(file).equals(before)).toBe(true);
  expect(fs.existsSync(`${file}.tmp`)).toBe(false);
}

describe('Registry.addSchool', () => {
  it('adds a school and persists it', () => {
    const r = seeded();
    const s3 = school('s3', { name: '示例第三中学', type: 'middle', lat: -90, lng: 180, area: 'rural' });
    r.addSchool(s3);
    expect(r.school('s3')).toEqual(s3);
    expect(Registry.load(file).school('s3')).toEqual(s3);
    expect(
      Registry.load(file)
        .reference()
        .schools.map((s) => s.id),
    ).toEqual(['s1', 's2', 's3']);
  });

  it('accepts ids of 1 to 64 characters of A-Z a-z 0-9 _ . : -', () => {
    const r = seeded();
    for (const id of ['x', 'a'.repeat(64), 'Sch_1.north:gate-2']) r.addSchool(school(id));
    expect(Registry.load(file).reference().schools).toHaveLength(5);
  });

  it.each([[''], ['a b'], ['s/1'], ['学校'], ['a'.repeat(65)], ['s1\n']])('refuses the id %j and leaves the file as it was', async (id) => {
    const r = seeded();
    await refused(() => r.addSchool(school(id)), /school id/);
    expect(r.school(id)).toBeUndefined();
  });

  it.each([
    ['lat above 90', { lat: 90.0001 }],
    ['lat below −90', { lat: -91 }],
    ['lng above 180', { lng: 180.5 }],
    ['lng below −180', { lng: -181 }],
    ['NaN lat', { lat: Number.NaN }],
    ['infinite lng', { lng: Number.POSITIVE_INFINITY }],
  ])('refuses %s', async (_what, over) => {
    const r = seeded();
    await refused(() => r.addSchool(school('s3', over)), /lat\/lng/);
    expect(r.school('s3')).toBeUndefined();
  });

  it('refuses a duplicate id and keeps the first school', async () => {
    const r = seeded();
    await refused(() => r.addSchool(school('s1', { name: '冒名学校' })), /already exists/);
    expect(r.school('s1')?.name).toBe('示例学校s1');
  });
});

describe('Registry.addTerminal', () => {
  it('returns a fresh token that authenticates, here and after loading the file, and stores only its hash', async () => {
    const r = seeded();
    const token = await r.addTerminal({ deviceId: 'T-3', schoolId: 's2', label: '北门' });
    expect(token).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect((await r.authenticateTerminal('T-3', token))?.schoolId).toBe('s2');
    const loaded = Registry.load(file);
    expect(await loaded.authenticateTerminal('T-3', token)).toMatchObject({ deviceId: 'T-3', schoolId: 's2', label: '北门', disabled: false });
    expect(await loaded.authenticateTerminal('T-3', T1_TOKEN)).toBeUndefined();
    expect(await loaded.authenticateTerminal('T-1', token)).toBeUndefined();
    const text = fs.readFileSync(file, 'utf8');
    expect(text).not.toContain(token);
    expect(text).toContain(loaded.terminal('T-3')!.secret.hash);
  });

  it('gives every terminal its own token', async () => {
    const r = seeded();
    const a = await r.addTerminal({ deviceId: 'T-3', schoolId: 's1', label: 'a' });
    const b = await r.addTerminal({ deviceId: 'T-4', schoolId: 's1', label: 'b' });
    expect(a).not.toBe(b);
    expect(await r.authenticateTerminal('T-4', a)).toBeUndefined();
  });

  it('refuses a terminal of an unknown school', async () => {
    const r = seeded();
    await refused(() => r.addTerminal({ deviceId: 'T-3', schoolId: 'ghost', label: 'x' }), /no school ghost/);
    expect(r.terminal('T-3')).toBeUndefined();
  });

  it('refuses a duplicate device id, also one used by a unit, and keeps the existing credentials', async () => {
    const r = seeded();
    await refused(() => r.addTerminal({ deviceId: 'T-1', schoolId: 's2', label: 'x' }), /already exists/);
    await refused(() => r.addTerminal({ deviceId: 'U-1', schoolId: 's2', label: 'x' }), /already exists/);
    expect(r.terminal('T-1')?.schoolId).toBe('s1');
    expect(await r.authenticateTerminal('T-1', T1_TOKEN)).toBeDefined();
  });

  it.each([[''], ['T 3'], ['T/3'], ['终端3'], ['T'.repeat(129)]])('refuses the bad device id %j', async (deviceId) => {
    const r = seeded();
    await refused(() => r.addTerminal({ deviceId, schoolId: 's1', label: 'x' }), /device id/);
  });
});

describe('Registry.rotateDevice', () => {
  it('replaces a terminal’s token: the old one is refused at once, the new one works, also after loading', async () => {
    const r = seeded();
    const token = await r.rotateDevice('T-1');
    expect(token).not.toBe(T1_TOKEN);
    expect(await r.authenticateTerminal('T-1', T1_TOKEN)).toBeUndefined();
    expect(await r.authenticateTerminal('T-1', token)).toBeDefined();
    const loaded = Registry.load(file);
    expect(await loaded.authenticateTerminal('T-1', T1_TOKEN)).toBeUndefined();
    expect(await loaded.authenticateTerminal('T-1', token)).toBeDefined();
    expect(fs.readFileSync(file, 'utf8')).not.toContain(token);
    // The other terminal is untouched.
    expect(await loaded.authenticateTerminal('T-2', T2_TOKEN)).toBeDefined();
  });

  it('replaces a unit’s token', async () => {
    const r = seeded();
    const token = await r.rotateDevice('U-1');
    expect(await r.authenticateUnit('U-1', U1_TOKEN)).toBeUndefined();
    expect((await Registry.load(file).authenticateUnit('U-1', token))?.id).toBe('U-1');
  });

  it('refuses an unknown id and leaves the file as it was', async () => {
    const r = seeded();
    await refused(() => r.rotateDevice('T-9'), /no device or unit T-9/);
    await refused(() => r.rotateDevice('wang'));
    expect(await r.authenticateOperator('wang', WANG_PASSWORD)).toBeDefined();
  });
});

describe('Registry.setDisabled', () => {
  it('disables and re-enables a terminal, persisted', async () => {
    const r = seeded();
    r.setDisabled('T-1', true);
    expect(await r.authenticateTerminal('T-1', T1_TOKEN)).toBeUndefined();
    expect(await Registry.load(file).authenticateTerminal('T-1', T1_TOKEN)).toBeUndefined();
    expect(Registry.load(file).terminal('T-1')?.disabled).toBe(true);
    r.setDisabled('T-1', false);
    expect(await Registry.load(file).authenticateTerminal('T-1', T1_TOKEN)).toBeDefined();
  });

  it('disables a unit', async () => {
    const r = seeded();
    r.setDisabled('U-1', true);
    expect(await r.authenticateUnit('U-1', U1_TOKEN)).toBeUndefined();
    expect(await Registry.load(file).authenticateUnit('U-1', U1_TOKEN)).toBeUndefined();
  });

  it('disables an operator: no login, no operator reference', async () => {
    const r = seeded();
    r.setDisabled('wang', true);
    expect(await r.authenticateOperator('wang', WANG_PASSWORD)).toBeUndefined();
    expect(r.operator('wang')).toBeUndefined();
    const loaded = Registry.load(file);
    expect(await loaded.authenticateOperator('wang', WANG_PASSWORD)).toBeUndefined();
    expect(loaded.operatorCount()).toBe(1);
  });

  it('refuses an unknown id', async () => {
    const r = seeded();
    await refused(() => r.setDisabled('nobody', true), /no device, unit or operator nobody/);
  });
});

describe('Registry.addUnit', () => {
  it('gives a unit with a device a token that authenticates', async () => {
    const r = seeded();
    const token = await r.addUnit(unit('U-2', true));
    expect(token).toMatch(/^[A-Za-z0-9_-]{32}$/);
    const loaded = Registry.load(file);
    expect(await loaded.authenticateUnit('U-2', token!)).toMatchObject({ id: 'U-2', hasDevice: true, disabled: false });
    expect(await loaded.authenticateUnit('U-2', U1_TOKEN)).toBeUndefined();
    expect(fs.readFileSync(file, 'utf8')).not.toContain(token!);
    expect(loaded.reference().units.find((u) => u.id === 'U-2')).toEqual(unit('U-2', true));
  });

  it('adds a unit without a device: no token, no secret, never authenticates', async () => {
    const r = seeded();
    expect(await r.addUnit(unit('U-3', false))).toBeUndefined();
    const rec = Registry.load(file).snapshot.units.find((u) => u.id === 'U-3');
    expect(rec).toEqual({ ...unit('U-3', false), disabled: false });
    expect(await r.authenticateUnit('U-3', '')).toBeUndefined();
    expect(await r.authenticateUnit('U-3', 'anything')).toBeUndefined();
  });

  it('refuses a duplicate id (also a terminal’s) and a bad id', async () => {
    const r = seeded();
    await refused(() => r.addUnit(unit('U-1', true)), /already exists/);
    await refused(() => r.addUnit(unit('T-1', true)), /already exists/);
    await refused(() => r.addUnit(unit('U 4', true)), /unit id/);
    await refused(() => r.addUnit(unit('', false)), /unit id/);
    expect(await r.authenticateUnit('U-1', U1_TOKEN)).toBeDefined();
  });

  it('refuses what the next start could not load (latitude and longitude swapped, by the CLI): nothing is saved', async () => {
    const r = seeded();
    const before = fs.readFileSync(file, 'utf8');
    await refused(() => r.addUnit({ ...unit('U-5', false), lat: 117.6, lng: 41.45 }), /units\.\d+\.lat/);
    await refused(() => r.updateUnit({ ...unit('U-1', true), lat: 41.45, lng: 181 }), /units\.\d+\.lng/);
    expect(fs.readFileSync(file, 'utf8')).toBe(before);
    expect(r.unit('U-5')).toBeUndefined();
    expect(Registry.load(file).unit('U-1')).toMatchObject({ lat: unit('U-1', true).lat });
  });
});

describe('Registry.addOperator / authenticateOperator / resetPassword', () => {
  it('adds an operator whose password logs in and gives back only the public reference', async () => {
    const r = seeded();
    const pw = await r.addOperator({ username: 'zhang', displayName: '张所长', role: 'chief' });
    const loaded = Registry.load(file);
    expect(await loaded.authenticateOperator('zhang', pw)).toEqual({ username: 'zhang', displayName: '张所长', role: 'chief' });
    expect(await loaded.authenticateOperator('zhang', WANG_PASSWORD)).toBeUndefined();
    expect(await loaded.authenticateOperator('wang', pw)).toBeUndefined();
    expect(fs.readFileSync(file, 'utf8')).not.toContain(pw);
    expect(loaded.operatorCount()).toBe(2);
  });

  it.each([['root'], ['Officer'], ['']])('refuses the role %j', async (role) => {
    const r = seeded();
    await refused(() => r.addOperator({ username: 'zhang', displayName: '张', role: role as Role }), /role/);
    expect(r.operator('zhang')).toBeUndefined();
  });

  it('refuses a bad or duplicate username', async () => {
    const r = seeded();
    await refused(() => r.addOperator({ username: 'li si', displayName: '李四', role: 'officer' }), /username/);
    await refused(() => r.addOperator({ username: 'a:b', displayName: 'x', role: 'officer' }), /username/);
    await refused(() => r.addOperator({ username: 'wang', displayName: '另一个王', role: 'admin' }), /already exists/);
    expect(r.operator('wang')).toEqual({ username: 'wang', displayName: '王警官', role: 'officer' });
  });

  it('resets a password: the old one stops working, the new one works', async () => {
    const r = seeded();
    const pw = await r.resetPassword('wang');
    expect(await r.authenticateOperator('wang', WANG_PASSWORD)).toBeUndefined();
    expect(await r.authenticateOperator('wang', pw)).toEqual({ username: 'wang', displayName: '王警官', role: 'officer' });
    const loaded = Registry.load(file);
    expect(await loaded.authenticateOperator('wang', WANG_PASSWORD)).toBeUndefined();
    expect(await loaded.authenticateOperator('wang', pw)).toBeDefined();
  });

  it('refuses to reset the password of an unknown operator, or of a terminal', async () => {
    const r = seeded();
    await refused(() => r.resetPassword('nobody'), /no operator nobody/);
    await refused(() => r.resetPassword('T-1'));
  });
});

describe('Registry.authenticateUnit', () => {
  it('authenticates the right token only, for an enabled unit with a device', async () => {
    const r = new Registry(seed());
    expect((await r.authenticateUnit('U-1', U1_TOKEN))?.id).toBe('U-1');
    expect(await r.authenticateUnit('U-1', 'wrong')).toBeUndefined();
    expect(await r.authenticateUnit('U-9', U1_TOKEN)).toBeUndefined();
    expect(await r.authenticateUnit('U-radio', U1_TOKEN)).toBeUndefined();
    // A terminal's credentials are no unit's.
    expect(await r.authenticateUnit('T-1', T1_TOKEN)).toBeUndefined();
  });

  it('gives undefined when the unit is disabled or rotated while its token is being checked', async () => {
    const r = new Registry(seed());
    const pending = r.authenticateUnit('U-1', U1_TOKEN);
    r.setDisabled('U-1', true);
    expect(await pending).toBeUndefined();

    // A new secret committed while the old token is being checked (as reload() after a CLI rotate does).
    const r2 = new Registry(seed());
    const pending2 = r2.authenticateUnit('U-1', U1_TOKEN);
    r2.update((d) => {
      d.units[0]!.secret = t2Secret;
    });
    expect(await pending2).toBeUndefined();
    expect(await r2.authenticateUnit('U-1', T2_TOKEN)).toBeDefined();
  });
});

describe('Registry.reload', () => {
  it('returns exactly the devices and units rotated, disabled or removed by another writer of the file', async () => {
    const core = seeded();
    const cli = Registry.load(file);
    await cli.rotateDevice('T-1');
    cli.setDisabled('U-1', true);
    cli.update((d) => {
      d.terminals = d.terminals.filter((t) => t.deviceId !== 'T-2');
      d.units = d.units.filter((u) => u.id !== 'U-radio');
    });
    await cli.addTerminal({ deviceId: 'T-new', schoolId: 's1', label: '新' });
    cli.setDisabled('wang', true); // operators are not devices: never in the list
    expect(core.reload().sort()).toEqual(['T-1', 'T-2', 'U-1', 'U-radio']);
    // The core now answers from the new data.
    expect(await core.authenticateTerminal('T-1', T1_TOKEN)).toBeUndefined();
    expect(core.terminal('T-2')).toBeUndefined();
    expect(core.terminal('T-new')).toBeDefined();
    expect(await core.authenticateOperator('wang', WANG_PASSWORD)).toBeUndefined();
  });

  it('returns nothing when nothing relevant changed, even if the file was rewritten', () => {
    const core = seeded();
    const cli = Registry.load(file);
    cli.addSchool(school('s3'));
    cli.update((d) => {
      d.terminals[0]!.label = '新标签';
      d.stationName = '改名派出所';
    });
    expect(core.reload()).toEqual([]);
    expect(core.terminal('T-1')?.label).toBe('新标签');
    expect(core.school('s3')).toBeDefined();
    expect(core.reload()).toEqual([]);
  });

  it('keeps the current data and throws when the file cannot be used', async () => {
    const core = seeded();
    fs.writeFileSync(file, '{ not json');
    expect(() => core.reload()).toThrow();
    expect(await core.authenticateTerminal('T-1', T1_TOKEN)).toBeDefined();
    const bad = seed();
    bad.schools = [];
    fs.writeFileSync(file, JSON.stringify(bad));
    expect(() => core.reload()).toThrow(/unknown school/);
    expect(core.school('s1')).toBeDefined();
    expect(await core.authenticateTerminal('T-1', T1_TOKEN)).toBeDefined();
  });

  it('is a no-op for a registry kept in memory only', () => {
    const r = new Registry(seed());
    expect(r.reload()).toEqual([]);
    expect(r.terminal('T-1')).toBeDefined();
  });
});

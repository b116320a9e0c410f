// test/unit/main — secrets (salted scrypt) and the registry: authentication, what consoles may see, persistence.
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Registry, isRole, type RegistryData } from '../../../main/core/registry';
import { COST, hashSecret, newToken, verifySecret, type SecretHash } from '../../../main/core/secrets';
import type { School } from '../../../shared/model';
import { officer } from '../../support/operators';
import { operatorRecord, registryOf, school as sampleSchool, terminal, unitRecord, useTempRoot } from '../../support/registryFixture';

const school = (id: string, name: string): School => sampleSchool(id, { name });

const TERMINAL_TOKEN = 'tok-Terminal-7f3a9c2e1b';
const DISABLED_TOKEN = 'tok-Disabled-55aa11';
const UNIT_TOKEN = 'tok-Unit-c0ffee42';
const OFFICER_PASSWORD = 'pw-Officer-长城-2026';
const RETIRED_PASSWORD = 'pw-Retired-9x9';

let terminalSecret: SecretHash;
let disabledSecret: SecretHash;
let unitSecret: SecretHash;
let officerSecret: SecretHash;
let retiredSecret: SecretHash;

beforeAll(async () => {
  [terminalSecret, disabledSecret, unitSecret, officerSecret, retiredSecret] = await Promise.all([
    hashSecret(TERMINAL_TOKEN),
    hashSecret(DISABLED_TOKEN),
    hashSecret(UNIT_TOKEN),
    hashSecret(OFFICER_PASSWORD),
    hashSecret(RETIRED_PASSWORD),
  ]);
});

function sampleData(): RegistryData {
  return registryOf({
    schools: [school('s1', '示例第一小学'), school('s2', '示例幼儿园')],
    terminals: [terminal('T-1', 's1', terminalSecret), terminal('T-2', 's2', disabledSecret, { label: '值班室', disabled: true })],
    units: [unitRecord('U-1', unitSecret, { name: '巡逻一组', callsign: '巡1' })],
    operators: [operatorRecord(officer, officerSecret), operatorRecord({ username: 'zhao', displayName: '赵警官', role: 'officer' }, retiredSecret, true)],
  });
}

const ALL_PLAIN = [TERMINAL_TOKEN, DISABLED_TOKEN, UNIT_TOKEN, OFFICER_PASSWORD, RETIRED_PASSWORD];

const tmp = useTempRoot('registry-test-');
let dir: string;
beforeEach(() => {
  dir = tmp.fresh();
});

describe('secrets', () => {
  it('verifies the right secret and refuses a wrong one', async () => {
    const h = await hashSecret('correct horse');
    expect(await verifySecret('correct horse', h)).toBe(true);
    expect(await verifySecret('correct horsE', h)).toBe(false);
    expect(await verifySecret('', h)).toBe(false);
    expect(await verifySecret('correct horse ', h)).toBe(false);
  });

  it('uses a fresh salt each time, so the same secret hashes differently', async () => {
    const [a, b] = await Promise.all([hashSecret('same'), hashSecret('same')]);
    expect(a.salt).not.toBe(b.salt);
    expect(a.hash).not.toBe(b.hash);
    expect(await verifySecret('same', a)).toBe(true);
    expect(await verifySecret('same', b)).toBe(true);
    // The salt matters: a hash checked with the other salt fails.
    expect(await verifySecret('same', { salt: b.salt, hash: a.hash })).toBe(false);
  });

  it('never stores the secret itself, in any encoding', async () => {
    const secret = 'plain-Secret-123';
    const h = await hashSecret(secret);
    const json = JSON.stringify(h);
    expect(json).not.toContain(secret);
    expect(json).not.toContain(Buffer.from(secret).toString('base64'));
    expect(json).not.toContain(Buffer.from(secret).toString('hex'));
    expect(Object.keys(h).sort()).toEqual(['hash', 'n', 'salt']);
    expect(Buffer.from(h.salt, 'base64')).toHaveLength(16);
    expect(Buffer.from(h.hash, 'base64')).toHaveLength(32);
  });

  it('hashes device tokens lighter than passwords, and a file cannot lower the cost of a check', async () => {
    const token = await hashSecret('tok', 'token');
    const password = await hashSecret('pw');
    expect(token.n).toBe(COST.token);
    expect(password.n).toBe(COST.password);
    expect(await verifySecret('tok', token)).toBe(true);
    expect(await verifySecret('pw', password)).toBe(true);
    // A stored n of 2 (edited file) is not honoured: the check runs at password cost and fails.
    expect(await verifySecret('pw', { ...password, n: 2 })).toBe(true);
    expect(await verifySecret('tok', { ...token, n: 2 })).toBe(false);
  });

  it('refuses a stored hash of the wrong length instead of throwing', async () => {
    const h = await hashSecret('x');
    expect(await verifySecret('x', { salt: h.salt, hash: Buffer.from('short').toString('base64') })).toBe(false);
  });

  it('makes random URL-safe tokens', () => {
    const a = newToken();
    const b = newToken();
    expect(a).not.toBe(b);
    expect(a).toMatch(/^[A-Za-z0-9_-]{32}$/);
  });
});

describe('Registry authentication', () => {
  it('authenticates a terminal with the right token and returns its record', async () => {
    const r = new Registry(sampleData());
    const t = await r.authenticateTerminal('T-1', TERMINAL_TOKEN);
    expect(t?.deviceId).toBe('T-1');
    expect(t?.schoolId).toBe('s1');
  });

  it('gives undefined for a wrong token, an unknown device, a disabled device, and another device’s token', async () => {
    const r = new Registry(sampleData());
    expect(await r.authenticateTerminal('T-1', 'wrong')).toBeUndefined();
    expect(await r.authenticateTerminal('T-1', '')).toBeUndefined();
    expect(await r.authenticateTerminal('T-9', TERMINAL_TOKEN)).toBeUndefined();
    expect(await r.authenticateTerminal('T-2', DISABLED_TOKEN)).toBeUndefined();
    expect(await r.authenticateTerminal('T-2', TERMINAL_TOKEN)).toBeUndefined();
    expect(await r.authenticateTerminal('T-1', DISABLED_TOKEN)).toBeUndefined();
  });

  it('authenticates an operator by password and returns only the public reference', async () => {
    const r = new Registry(sampleData());
    const op = await r.authenticateOperator('wang', OFFICER_PASSWORD);
    expect(op).toEqual({ username: 'wang', displayName: '王警官', role: 'officer' });
    expect(await r.authenticateOperator('wang', 'nope')).toBeUndefined();
    expect(await r.authenticateOperator('nobody', OFFICER_PASSWORD)).toBeUndefined();
    expect(await r.authenticateOperator('zhao', RETIRED_PASSWORD)).toBeUndefined();
    expect(r.operator('wang')).toEqual({ username: 'wang', displayName: '王警官', role: 'officer' });
    expect(r.operator('zhao')).toBeUndefined();
    expect(r.operatorCount()).toBe(2);
  });

  it('gives undefined when the terminal is disabled while its token is being checked', async () => {
    const r = new Registry(sampleData());
    const pending = r.authenticateTerminal('T-1', TERMINAL_TOKEN);
    r.update((d) => {
      d.terminals[0]!.disabled = true;
    });
    expect(await pending).toBeUndefined();
  });

  it('stops authenticating a terminal once it is disabled by an update', async () => {
    const r = new Registry(sampleData());
    r.update((d) => {
      d.terminals[0]!.disabled = true;
    });
    expect(await r.authenticateTerminal('T-1', TERMINAL_TOKEN)).toBeUndefined();
    expect(r.terminal('T-1')?.disabled).toBe(true);
  });
});

describe('Registry.reference', () => {
  it('holds no secret, salt or hash anywhere', () => {
    const ref = new Registry(sampleData()).reference();
    const json = JSON.stringify(ref);
    expect(json).not.toMatch(/secret|salt|hash/i);
    for (const s of [terminalSecret, disabledSecret, unitSecret, officerSecret]) {
      expect(json).not.toContain(s.hash);
      expect(json).not.toContain(s.salt);
    }
    for (const plain of ALL_PLAIN) expect(json).not.toContain(plain);
    expect(json).not.toContain('wang'); // operators are not reference data
  });

  it('still carries what a console needs to draw the area', () => {
    const ref = new Registry(sampleData()).reference();
    expect(ref.stationName).toBe('示例派出所');
    expect(ref.schools.map((s) => s.id)).toEqual(['s1', 's2']);
    expect(ref.terminals).toEqual([
      { deviceId: 'T-1', schoolId: 's1', label: '门卫室' },
      { deviceId: 'T-2', schoolId: 's2', label: '值班室' },
    ]);
    expect(ref.units).toEqual([{ id: 'U-1', name: '巡逻一组', callsign: '巡1', lat: 41.3, lng: 117.7, hasDevice: true }]);
  });
});

describe('Registry persistence', () => {
  it('round-trips through a real file', async () => {
    const file = path.join(dir, 'registry.json');
    const r = new Registry(sampleData(), file);
    r.save();
    const loaded = Registry.load(file);
    expect(loaded.reference()).toEqual(r.reference());
    expect(loaded.terminal('T-1')).toEqual(r.terminal('T-1'));
    expect(await loaded.authenticateTerminal('T-1', TERMINAL_TOKEN)).toBeDefined();
    expect(await loaded.authenticateOperator('wang', OFFICER_PASSWORD)).toBeDefined();
    expect(loaded.school('s2')?.name).toBe('示例幼儿园');
    expect(fs.existsSync(`${file}.tmp`)).toBe(false);
  });

  it('writes the file with owner-only permissions', () => {
    if (process.platform === 'win32') return;
    const file = path.join(dir, 'registry.json');
    new Registry(sampleData(), file).save();
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
  });

  it('keeps no plain token or password in the file', () => {
    const file = path.join(dir, 'registry.json');
    new Registry(sampleData(), file).save();
    const text = fs.readFileSync(file, 'utf8');
    for (const plain of ALL_PLAIN) expect(text).not.toContain(plain);
    expect(text).toContain(terminalSecret.hash);
  });

  it('loads a missing file as an empty registry, and creates its folder on save', () => {
    const file = path.join(dir, 'sub', 'registry.json');
    const r = Registry.load(file);
    expect(r.operatorCount()).toBe(0);
    expect(r.reference().schools).toEqual([]);
    r.update((d) => d.schools.push(school('s9', '示例中学')));
    expect(Registry.load(file).school('s9')?.name).toBe('示例中学');
  });

  it('persists a valid update', async () => {
    const file = path.join(dir, 'registry.json');
    const r = new Registry(sampleData(), file);
    r.save();
    const newSecret = await hashSecret('new-terminal-token');
    r.update((d) => d.terminals.push({ deviceId: 'T-3', schoolId: 's2', label: '北门', secret: newSecret, disabled: false }));
    expect(r.terminal('T-3')?.schoolId).toBe('s2');
    const loaded = Registry.load(file);
    expect(await loaded.authenticateTerminal('T-3', 'new-terminal-token')).toBeDefined();
    expect(fs.readFileSync(file, 'utf8')).not.toContain('new-terminal-token');
  });

  it('refuses an update that binds a terminal to an unknown school, leaving registry and file unchanged', async () => {
    const file = path.join(dir, 'registry.json');
    const r = new Registry(sampleData(), file);
    r.save();
    const fileBefore = fs.readFileSync(file, 'utf8');
    const refBefore = structuredClone(r.reference());

    expect(() =>
      r.update((d) => {
        d.stationName = '改名派出所';
        d.terminals[0]!.schoolId = 'ghost';
        d.terminals.push({ deviceId: 'T-4', schoolId: 'ghost', label: 'x', secret: terminalSecret, disabled: false });
      }),
    ).toThrow(/unknown school/);

    expect(r.reference()).toEqual(refBefore);
    expect(r.terminal('T-1')?.schoolId).toBe('s1');
    expect(r.terminal('T-4')).toBeUndefined();
    expect(await r.authenticateTerminal('T-1', TERMINAL_TOKEN)).toBeDefined();
    expect(fs.readFileSync(file, 'utf8')).toBe(fileBefore);
    expect(fs.existsSync(`${file}.tmp`)).toBe(false);
  });

  it('refuses an update that removes a school a terminal is bound to', () => {
    const r = new Registry(sampleData());
    expect(() => r.update((d) => d.schools.splice(0, 1))).toThrow(/unknown school/);
    expect(r.school('s1')).toBeDefined();
  });

  it('leaves the registry unchanged when the mutation itself throws half way', () => {
    const r = new Registry(sampleData());
    expect(() =>
      r.update((d) => {
        d.schools.push(school('s3', '示例三小'));
        throw new Error('import failed');
      }),
    ).toThrow('import failed');
    expect(r.school('s3')).toBeUndefined();
  });

  it('refuses to load a file whose data is inconsistent', () => {
    const file = path.join(dir, 'registry.json');
    const bad = sampleData();
    bad.schools = [];
    fs.writeFileSync(file, JSON.stringify(bad));
    expect(() => Registry.load(file)).toThrow(/unknown school/);
  });
});

describe('isRole', () => {
  it('knows the four roles and nothing else', () => {
    for (const r of ['officer', 'chief', 'trainer', 'admin']) expect(isRole(r)).toBe(true);
    for (const r of ['Officer', 'root', '', 'superuser']) expect(isRole(r)).toBe(false);
  });
});

// test/unit/tools — the registry admin CLI end to end: the built `dist/tools/stationCli.js` run as a child process on a
// data folder in a temp dir; what it prints, its exit codes, and what it leaves in registry.json.
import fs from 'node:fs';
import { beforeEach, describe, expect, it } from 'vitest';
import { Registry } from '../../../main/core/registry';
import { hashSecret } from '../../../main/core/secrets';
import { useStationCli } from '../../support/stationCli';

const station = useStationCli('station-cli-test-');
const { cli, ok } = station;
let file: string;
beforeEach(() => {
  file = station.file;
});

/** The secret printed after `label:`, checking it is printed exactly once. */
function printed(stdout: string, label: string): string {
  const m = new RegExp(`^${label}: (\\S+)$`, 'm').exec(stdout);
  if (!m) throw new Error(`no "${label}:" in ${stdout}`);
  const secret = m[1]!;
  expect(stdout.split(secret)).toHaveLength(2);
  expect(stdout).toContain('shown once');
  return secret;
}
/** Runs a command that must be refused with exit code 2 and an `error:` message, leaving registry.json as it was. */
function refused(args: string[], message: RegExp): void {
  const before = fs.readFileSync(file);
  const r = cli(...args);
  expect(r.code, r.stderr).toBe(2);
  expect(r.stderr).toMatch(/^error: /);
  expect(r.stderr).toMatch(message);
  expect(r.stdout).not.toMatch(/token:|password:/);
  expect(fs.readFileSync(file).equals(before)).toBe(true);
  expect(fs.existsSync(`${file}.tmp`)).toBe(false);
}

const addSchool = (id = 's1'): string => ok('school', 'add', '--id', id, '--name', '示例小学', '--type', 'primary', '--lat', '41.32', '--lng', '117.73');

describe('station CLI: schools', () => {
  it('adds a school with defaults for the optional fields', () => {
    expect(addSchool()).toContain('school s1 added');
    expect(Registry.load(file).school('s1')).toEqual({
      id: 's1',
      name: '示例小学',
      nameEn: '示例小学',
      type: 'primary',
      address: '',
      phone: '',
      lat: 41.32,
      lng: 117.73,
      area: 'urban',
    });
    expect(ok('school', 'list')).toContain('s1');
  });

  it('refuses a bad --type, a bad --area, a non-numeric or out-of-range --lat, a bad id and a duplicate', () => {
    addSchool();
    const base = ['school', 'add', '--name', '示例中学', '--lng', '117.7'];
    refused([...base, '--id', 's2', '--type', 'university', '--lat', '41'], /--type must be/);
    refused([...base, '--id', 's2', '--type', 'middle', '--area', 'downtown', '--lat', '41'], /--area must be/);
    refused([...base, '--id', 's2', '--type', 'middle', '--lat', 'north'], /--lat must be a number/);
    // Checked by the admin screen's own command (admin:saveRecord), which names the field.
    refused([...base, '--id', 's2', '--type', 'middle', '--lat', '95'], /^error: admin:saveRecord: row\.lat: .*<=90/);
    refused([...base, '--id', 's 2', '--type', 'middle', '--lat', '41'], /^error: admin:saveRecord: row\.id: id must be 1–64 of/);
    refused([...base, '--id', 's1', '--type', 'middle', '--lat', '41'], /already exists/);
    refused([...base, '--type', 'middle', '--lat', '41'], /--id is required/);
  });
});

describe('station CLI: devices', () => {
  it('adds a terminal and prints its token once; the token authenticates and is not in the file', async () => {
    addSchool();
    const out = ok('device', 'add', '--id', 'T-1', '--school', 's1', '--label', '门卫室');
    const token = printed(out, 'token');
    const reg = Registry.load(file);
    expect(await reg.authenticateTerminal('T-1', token)).toMatchObject({ deviceId: 'T-1', schoolId: 's1', label: '门卫室', disabled: false });
    expect(await reg.authenticateTerminal('T-1', token.slice(1))).toBeUndefined();
    expect(fs.readFileSync(file, 'utf8')).not.toContain(token);
  });

  it('labels a terminal with its id when no --label is given', () => {
    addSchool();
    ok('device', 'add', '--id', 'T-9', '--school', 's1');
    expect(Registry.load(file).terminal('T-9')?.label).toBe('T-9');
  });

  it('rotates a token: prints a new one, the old one stops working', async () => {
    addSchool();
    const first = printed(ok('device', 'add', '--id', 'T-1', '--school', 's1'), 'token');
    const second = printed(ok('device', 'rotate', '--id', 'T-1'), 'new token');
    expect(second).not.toBe(first);
    const reg = Registry.load(file);
    expect(await reg.authenticateTerminal('T-1', first)).toBeUndefined();
    expect(await reg.authenticateTerminal('T-1', second)).toBeDefined();
  });

  it('disables and re-enables a terminal, and lists it with its school and state', async () => {
    addSchool();
    const token = printed(ok('device', 'add', '--id', 'T-1', '--school', 's1', '--label', '门卫室'), 'token');
    ok('device', 'add', '--id', 'T-2', '--school', 's1');
    expect(ok('device', 'disable', '--id', 'T-1')).toContain('disabled T-1');
    expect(await Registry.load(file).authenticateTerminal('T-1', token)).toBeUndefined();

    // console.table: one row per terminal, cells quoted when strings.
    const rows = ok('device', 'list').split('\n');
    const row = (id: string): string[] => {
      const line = rows.find((l) => l.includes(`'${id}'`));
      if (!line) throw new Error(`no row for ${id}`);
      return line
        .split('│')
        .map((c) => c.trim())
        .filter((c) => c !== '');
    };
    expect(row('T-1').slice(1)).toEqual(["'T-1'", "'s1 示例小学'", "'门卫室'", 'true']);
    expect(row('T-2').slice(1)).toEqual(["'T-2'", "'s1 示例小学'", "'T-2'", 'false']);

    expect(ok('device', 'enable', '--id', 'T-1')).toContain('enabled T-1');
    expect(await Registry.load(file).authenticateTerminal('T-1', token)).toBeDefined();
  });

  it('lists no devices as (none)', () => {
    expect(ok('device', 'list').trim()).toBe('(none)');
  });

  it('refuses an unknown school, a missing --id, a bad or duplicate id, and unknown devices with exit code 2', () => {
    addSchool();
    ok('device', 'add', '--id', 'T-1', '--school', 's1');
    refused(['device', 'add', '--id', 'T-2', '--school', 'ghost'], /no school ghost/);
    refused(['device', 'add', '--school', 's1'], /--id is required/);
    refused(['device', 'add', '--id', '--school', 's1'], /--id is required/);
    refused(['device', 'add', '--id', 'T-2'], /--school is required/);
    refused(['device', 'add', '--id', 'T 2', '--school', 's1'], /device id/);
    refused(['device', 'add', '--id', 'T-1', '--school', 's1'], /already exists/);
    refused(['device', 'rotate', '--id', 'T-9'], /no device or unit T-9/);
    refused(['device', 'disable', '--id', 'T-9'], /T-9/);
    refused(['device', 'explode', '--id', 'T-1'], /unknown command "device explode"/);
  });
});

describe('station CLI: units and operators', () => {
  it('adds a unit with a device (token printed once) and one without (no token)', async () => {
    const out = ok('unit', 'add', '--id', 'U-1', '--name', '巡逻一组', '--callsign', '巡1', '--lat', '41.3', '--lng', '117.7');
    const token = printed(out, 'token');
    expect((await Registry.load(file).authenticateUnit('U-1', token))?.callsign).toBe('巡1');
    const radio = ok('unit', 'add', '--id', 'U-2', '--name', '巡逻二组', '--callsign', '巡2', '--lat', '41.3', '--lng', '117.7', '--no-device');
    expect(radio).not.toMatch(/token:/);
    expect(Registry.load(file).snapshot.units.find((u) => u.id === 'U-2')).toMatchObject({ hasDevice: false, disabled: false });
    ok('unit', 'disable', '--id', 'U-1');
    expect(await Registry.load(file).authenticateUnit('U-1', token)).toBeUndefined();
  });

  it('adds an operator and prints a temporary password that logs in; reset prints a new one; a bad role is refused', async () => {
    const pw = printed(ok('operator', 'add', '--username', 'wang', '--name', '王警官', '--role', 'officer'), 'password');
    expect(await Registry.load(file).authenticateOperator('wang', pw)).toEqual({ username: 'wang', displayName: '王警官', role: 'officer' });
    // As from the admin screen: the first login must set a new password before any session is issued.
    expect(Registry.load(file).mustChangePassword('wang')).toBe(true);
    const reg = Registry.load(file);
    reg.setOwnPassword('wang', reg.operatorSecret('wang')!, await hashSecret('a-new-password-1'));
    expect(Registry.load(file).mustChangePassword('wang')).toBe(false);
    const pw2 = printed(ok('operator', 'reset', '--username', 'wang'), 'new password');
    expect(Registry.load(file).mustChangePassword('wang')).toBe(true);
    expect(await Registry.load(file).authenticateOperator('wang', pw)).toBeUndefined();
    expect(await Registry.load(file).authenticateOperator('wang', pw2)).toBeDefined();
    refused(['operator', 'add', '--username', 'li', '--name', '李', '--role', 'root'], /--role must be one of/);
    refused(['operator', 'reset', '--username', 'nobody'], /no operator nobody/);
    ok('operator', 'disable', '--username', 'wang');
    expect(await Registry.load(file).authenticateOperator('wang', pw2)).toBeUndefined();
  });
});

describe('station CLI: usage', () => {
  it('prints usage and changes nothing for no command or --help', () => {
    for (const args of [[], ['--help'], ['device', 'add', '--help']]) {
      const r = cli(...args);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('usage: npm run station');
    }
    expect(fs.existsSync(file)).toBe(false);
  });
});

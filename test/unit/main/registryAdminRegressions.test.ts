// test/unit/main — regressions in main/core/registry.ts admin methods (found by these tests, fixed since):
//
// 1. reload() (registry.ts lines 78 and 83 at 6d70045: `if (!n || key(n) !== key(t) || n.disabled)`) lists every
//    device or unit that is disabled in the new file, also one that was disabled all along and did not change, and
//    also one that was just re-enabled (key 'disabled' → key of its secret). Its contract (doc comment) is: only those
//    rotated, disabled or removed now. Fix: `if (!n || (!t.disabled && (n.disabled || key(n) !== key(t))))` — a device
//    that was disabled before holds no socket to cut.
// 2. addTerminal/addUnit/addOperator check "already exists" before `await hashSecret(...)` and push inside update()
//    (registry.ts lines 147, 182, 192 at 6d70045) without checking again. Two concurrent calls with the same id (a
//    double click on the admin screen: admin:addTerminal → Station.adminAddTerminal) both pass the check and both
//    push: the file then holds two records with one id, and the token handed out by the first call never
//    authenticates (the index keeps the last record). Fix: re-check existence inside the update() mutator, as
//    rotateDevice/setDisabled already do, and throw RegistryError there.
// 3. readRegistryFile (registry.ts, the function at the end) spreads whatever JSON.parse gives over the empty registry:
//    a file holding `null`, `[]` or `"x"` (valid JSON, not a registry) loads as an EMPTY registry, so reload() drops
//    every school, terminal and operator and revokes every device, instead of keeping the previous data like it does
//    for unparseable JSON. Fix: throw unless the parsed value is a plain object (and its lists are arrays).
import fs from 'node:fs';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Registry, RegistryError, emptyRegistryData, type RegistryData } from '../../../main/core/registry';
import { hashSecret, type SecretHash } from '../../../main/core/secrets';
import { savedRegistry, school as sampleSchool, terminal, unitRecord, useTempRoot } from '../../support/registryFixture';

const school = sampleSchool('s1', { name: '示例小学', nameEn: 'Sample' });

let secret: SecretHash;
beforeAll(async () => {
  secret = await hashSecret('tok');
});
const tmp = useTempRoot('registry-admin-bug-');
let file: string;
beforeEach(() => {
  file = tmp.registryFile();
});

function data(): RegistryData {
  return {
    ...emptyRegistryData(),
    schools: [school],
    terminals: [terminal('T-1', 's1', secret, { label: 'a' }), terminal('T-off', 's1', secret, { label: 'b', disabled: true })],
    units: [unitRecord('U-off', secret, { name: 'u', callsign: 'u', lat: 41, lng: 117, disabled: true })],
  };
}

describe('Registry.reload lists only what was revoked now', () => {
  it('does not list a device or unit that was disabled all along and did not change', () => {
    const core = savedRegistry(data(), file);
    const cli = Registry.load(file);
    cli.setDisabled('T-1', true);
    expect(core.reload()).toEqual(['T-1']);
    expect(core.reload()).toEqual([]);
  });

  it('does not list a device that was re-enabled', () => {
    const core = savedRegistry(data(), file);
    Registry.load(file).setDisabled('T-off', false);
    expect(core.reload()).toEqual([]);
  });
});

describe('Registry admin methods called concurrently', () => {
  it('refuses the second of two concurrent addTerminal calls with the same id', async () => {
    const r = savedRegistry(data(), file);
    const results = await Promise.allSettled([
      r.addTerminal({ deviceId: 'T-2', schoolId: 's1', label: 'first' }),
      r.addTerminal({ deviceId: 'T-2', schoolId: 's1', label: 'second' }),
    ]);
    const loaded = Registry.load(file);
    expect(loaded.snapshot.terminals.filter((t) => t.deviceId === 'T-2')).toHaveLength(1);
    expect(results.filter((x) => x.status === 'fulfilled')).toHaveLength(1);
    const rejected = results.find((x) => x.status === 'rejected');
    expect(rejected?.status === 'rejected' && rejected.reason).toBeInstanceOf(RegistryError);
    // The token that was handed out is the one that works.
    const given = results.find((x) => x.status === 'fulfilled');
    expect(given?.status === 'fulfilled' && (await loaded.authenticateTerminal('T-2', given.value))).toBeTruthy();
  });

  it('refuses the second of two concurrent addOperator calls with the same username', async () => {
    const r = savedRegistry(data(), file);
    const results = await Promise.allSettled([
      r.addOperator({ username: 'wang', displayName: '王一', role: 'officer' }),
      r.addOperator({ username: 'wang', displayName: '王二', role: 'admin' }),
    ]);
    expect(Registry.load(file).snapshot.operators.filter((o) => o.username === 'wang')).toHaveLength(1);
    expect(results.filter((x) => x.status === 'rejected')).toHaveLength(1);
  });
});

describe('Registry.reload of a file that is JSON but not a registry', () => {
  it.each([['null'], ['[]'], ['"registry"']])('keeps the current data and throws for %s', (text) => {
    const core = savedRegistry(data(), file);
    fs.writeFileSync(file, text);
    expect(() => core.reload()).toThrow();
    expect(core.terminal('T-1')).toBeDefined();
    expect(core.school('s1')).toBeDefined();
  });
});

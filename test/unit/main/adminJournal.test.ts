// test/unit/main — every administration action that took effect is a journal record with the operator's name
// (issue 10): terminals, tokens, enable/disable, import, export, targets, and the CLI's edits of the registry
// file; a refused action writes nothing, and the station's own saves are not recorded twice.
import fs from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Registry } from '../../../main/core/registry';
import { hashSecret, type SecretHash } from '../../../main/core/secrets';
import { REGISTRY_FILE_EDITOR } from '../../../main/core/stationAdmin';
import type { AdminAction } from '../../../shared/events';
import { DEFAULT_TARGETS } from '../../../shared/response';
import { admin, officer, trainer } from '../../support/operators';
import { registryOf, stationSchools, terminal, useStationBench } from '../../support/registryFixture';

let secret: SecretHash;
beforeAll(async () => {
  secret = await hashSecret('terminal-token');
});

const bench = useStationBench('admin-journal-', { mute: ['error', 'log'] });
const T = new Date(2026, 11, 3, 9, 0, 0).getTime();

function setUp() {
  const file = bench.registryFile();
  const registry = new Registry(registryOf({ schools: [stationSchools()[0]!], terminals: [terminal('T-1', 'school-1', secret)] }), file);
  registry.save();
  const j = bench.journal();
  const s = bench.station(registry, { now: () => T }, j);
  const actions = (): Omit<AdminAction, 'type' | 'at'>[] =>
    j.records.flatMap((r) =>
      r.event.type === 'admin.action'
        ? [{ operator: r.event.operator, action: r.event.action, target: r.event.target, ...(r.event.detail !== undefined ? { detail: r.event.detail } : {}) }]
        : [],
    );
  return { file, registry, j, s, actions };
}

describe('admin actions are journalled with the operator', () => {
  it('add terminal, rotate, disable, enable, export, import and targets each leave one record, in order', async () => {
    const { s, actions } = setUp();
    expect((await s.admin.addTerminal(admin, { deviceId: 'T-2', schoolId: 'school-1', label: '南门' })).ok).toBe(true);
    expect((await s.admin.rotate(admin, 'T-2')).ok).toBe(true);
    expect(await s.admin.setDisabled(admin, 'T-2', true)).toEqual({ ok: true });
    expect(await s.admin.setDisabled(admin, 'T-2', false)).toEqual({ ok: true });
    const exported = s.admin.exportData(admin, { kind: 'terminals', format: 'csv' });
    expect(exported.ok).toBe(true);
    const imported = await s.admin.importData(admin, { kind: 'terminals', format: 'csv', text: exported.ok ? exported.text : '' });
    expect(imported, JSON.stringify(imported)).toMatchObject({ ok: true });
    expect(s.admin.setTargets(admin, { ...DEFAULT_TARGETS, acknowledgeMs: 9_000 })).toEqual({ ok: true });
    expect(actions().map((a) => [a.operator.username, a.action, a.target])).toEqual([
      ['root', 'terminal.added', 'T-2'],
      ['root', 'token.rotated', 'T-2'],
      ['root', 'disabled', 'T-2'],
      ['root', 'enabled', 'T-2'],
      ['root', 'data.exported', 'terminals'],
      ['root', 'data.imported', 'terminals'],
      ['root', 'targets.set', ''],
    ]);
    // The operator is the whole reference (name and role), and no record carries a token.
    for (const a of actions()) expect(a.operator).toEqual(admin);
    const tokens = JSON.stringify(actions());
    expect(tokens).not.toMatch(/terminal-token/);
  });

  it('a refused action (wrong role, bad request, unknown device) writes nothing', async () => {
    const { s, j } = setUp();
    expect((await s.admin.rotate(trainer, 'T-1')).ok).toBe(false);
    expect((await s.admin.addTerminal(officer, { deviceId: 'T-9', schoolId: 'school-1', label: 'x' })).ok).toBe(false);
    expect((await s.admin.setDisabled(admin, 'nobody', true)).ok).toBe(false);
    expect((await s.admin.addTerminal(admin, { deviceId: 'T-9', schoolId: 'no-such-school', label: 'x' })).ok).toBe(false);
    expect(s.admin.setTargets(admin, { acknowledgeMs: -1 }).ok).toBe(false);
    expect(s.admin.exportData(trainer, { kind: 'terminals', format: 'csv' }).ok).toBe(false);
    expect(j.records).toHaveLength(0);
  });

  it("the CLI's edit of the registry file is journalled when the station re-reads it; the station's own save is not", async () => {
    const { file, s, actions } = setUp();
    // The station's own change: the file watcher would re-read what the station just wrote.
    await s.admin.rotate(admin, 'T-1');
    s.admin.reloadRegistry();
    expect(actions().map((a) => a.action)).toEqual(['token.rotated']);
    // Another process (the station CLI) disables the terminal in the file.
    const cli = Registry.load(file);
    cli.setDisabled('T-1', true);
    s.admin.reloadRegistry();
    const last = actions().at(-1)!;
    expect(last).toMatchObject({ operator: REGISTRY_FILE_EDITOR, action: 'registry.reloaded', target: '' });
    expect(last.detail).toContain('revoked T-1');
    // A corrupt file is not a change: nothing recorded, the previous registry kept.
    fs.writeFileSync(file, '{"schools": [');
    s.admin.reloadRegistry();
    expect(actions()).toHaveLength(2);
  });
});

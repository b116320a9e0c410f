// test/unit/tools — regressions in the registry admin CLI (found by these tests, fixed since):
//
// 1. main/stationCli.ts lines 93-97 and 126 (at 6d70045) call Registry.setDisabled(id), which (main/core/registry.ts
//    line 162) looks the id up among terminals, then units, then operators, whatever the command said. So
//    `operator disable --username duty1` disables the *terminal* duty1 when one exists (the school's alarm button is cut
//    off and the operator stays enabled), and `device disable --id wang` disables the *operator* wang and prints
//    "disabled wang: refused from now on". Nothing keeps terminal ids and usernames apart (addOperator does not check
//    terminals). Fix: setDisabled(kind: 'terminal' | 'unit' | 'operator', id, disabled), each CLI verb passing its
//    kind, and a RegistryError when no such kind/id exists.
// 2. main/stationCli.ts `num()` (line 44) takes Number(''), which is 0: `--lat ""` (an unset shell variable) puts the
//    school at latitude 0 instead of refusing. Fix: refuse an empty/blank value before Number().
import fs from 'node:fs';
import { beforeEach, describe, expect, it } from 'vitest';
import { Registry } from '../../../main/core/registry';
import { useStationCli } from '../../support/stationCli';

const station = useStationCli('station-cli-bug-');
const { cli, ok } = station;
let file: string;
beforeEach(() => {
  file = station.file;
  ok('school', 'add', '--id', 's1', '--name', '示例小学', '--type', 'primary', '--lat', '41.32', '--lng', '117.73');
});

describe('station CLI disables what the command names', () => {
  it('operator disable disables the operator, not a terminal with the same id', () => {
    ok('device', 'add', '--id', 'duty1', '--school', 's1');
    ok('operator', 'add', '--username', 'duty1', '--name', '值班员', '--role', 'officer');
    ok('operator', 'disable', '--username', 'duty1');
    const reg = Registry.load(file);
    expect(reg.snapshot.operators.find((o) => o.username === 'duty1')?.disabled).toBe(true);
    expect(reg.terminal('duty1')?.disabled).toBe(false);
  });

  it('device disable refuses an id that is only an operator, and leaves the operator enabled', () => {
    ok('operator', 'add', '--username', 'wang', '--name', '王警官', '--role', 'officer');
    const before = fs.readFileSync(file);
    const r = cli('device', 'disable', '--id', 'wang');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: /);
    expect(fs.readFileSync(file).equals(before)).toBe(true);
    expect(Registry.load(file).operator('wang')).toBeDefined();
  });
});

describe('station CLI numbers', () => {
  it('refuses an empty --lat instead of taking it as 0', () => {
    const before = fs.readFileSync(file);
    const r = cli('school', 'add', '--id', 's2', '--name', '示例中学', '--type', 'middle', '--lat', '', '--lng', '117.7');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: --lat/);
    expect(fs.readFileSync(file).equals(before)).toBe(true);
  });

  // The CLI took any latitude for a unit and wrote it; the next start refused the file (latitude ≤ 90) and the CLI
  // could no longer load it to mend it: no alarm reception. It skipped the admin screen's text and id rules too.
  it("admits what it adds by the admin screen's rules: a swapped latitude, a reversed or invisible name, a reserved id", () => {
    const before = fs.readFileSync(file);
    const refused: [string[], RegExp][] = [
      [['unit', 'add', '--id', 'U9', '--name', '巡逻', '--callsign', 'P9', '--lat', '117.6', '--lng', '41.45'], /lat/],
      [['school', 'add', '--id', 's3', '--name', '\u202e学小青长', '--type', 'primary', '--lat', '41.3', '--lng', '117.7'], /control characters/],
      [['school', 'add', '--id', 's4', '--name', '\u200b', '--type', 'primary', '--lat', '41.3', '--lng', '117.7'], /must show something/],
      [['school', 'add', '--id', 'constructor', '--name', '示例', '--type', 'primary', '--lat', '41.3', '--lng', '117.7'], /reserved/],
      [['station', 'add', '--id', '__proto__', '--name', '示例派出所'], /reserved/],
      [['operator', 'add', '--username', 'li', '--name', ' ', '--role', 'officer'], /must show something/],
    ];
    for (const [args, message] of refused) {
      const r = cli(...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(message);
    }
    expect(fs.readFileSync(file).equals(before)).toBe(true);
    expect(() => Registry.load(file)).not.toThrow();
  });
});

describe('station CLI switches', () => {
  it('--demo before the command is a switch, not an option taking the command as its value', () => {
    const r = cli('--demo', 'device', 'list');
    expect(r.stderr).not.toContain('unknown command');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('(none)');
  });
});

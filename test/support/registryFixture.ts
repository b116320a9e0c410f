// test/ — reference data, registries and stations for the unit tests: the same sample schools, terminals and units everywhere, temp folders, a station over a real journal.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, vi, type MockInstance } from 'vitest';
import { openJournal, type Journal } from '../../main/core/journal';
import { Registry, emptyRegistryData, type OperatorRecord, type RegistryData, type TerminalRecord, type UnitRecord } from '../../main/core/registry';
import type { SecretHash } from '../../main/core/secrets';
import { Station, type StationOptions } from '../../main/core/station';
import type { JournalRecord, OperatorRef } from '../../shared/events';
import type { GuardPost, PatrolUnit, School } from '../../shared/model';

// ---- reference data -------------------------------------------------------------------------------------------

/** A primary school in town with every field filled; `over` changes any of them. */
export const school = (id: string, over: Partial<School> = {}): School => ({
  id,
  name: `示例学校${id}`,
  nameEn: `Sample school ${id}`,
  type: 'primary',
  address: '示例地址',
  lat: 41.32,
  lng: 117.73,
  area: 'urban',
  phone: '0314-0000000',
  ...over,
});

/** A guard post of school s1, weekdays, a morning and an afternoon window. */
export const guardPost = (id: string, over: Partial<GuardPost> = {}): GuardPost => ({
  id,
  name: `示例护学岗 ${id}`,
  schoolId: 's1',
  lat: 41.3,
  lng: 117.7,
  days: [1, 2, 3, 4, 5],
  windows: [
    { start: '07:10', end: '08:10' },
    { start: '16:30', end: '17:30' },
  ],
  ...over,
});

/** An enabled terminal at the school's gatehouse. */
export const terminal = (deviceId: string, schoolId: string, secret: SecretHash, over: Partial<TerminalRecord> = {}): TerminalRecord => ({
  deviceId,
  schoolId,
  label: '门卫室',
  secret,
  disabled: false,
  ...over,
});

/** A patrol unit as the admin adds it (no credential, no disabled flag). */
export const patrolUnit = (id: string, hasDevice: boolean, over: Partial<PatrolUnit> = {}): PatrolUnit => ({
  id,
  name: `巡逻${id}`,
  callsign: id,
  lat: 41.3,
  lng: 117.7,
  hasDevice,
  ...over,
});

/** An enabled unit record: with a device (and its `secret`) when a secret is given, a radio-only unit when not. */
export const unitRecord = (id: string, secret: SecretHash | undefined, over: Partial<UnitRecord> = {}): UnitRecord => ({
  ...patrolUnit(id, secret !== undefined),
  ...(secret !== undefined ? { secret } : {}),
  disabled: false,
  ...over,
});

/** The operator record of `who` (see ./operators.ts), enabled unless `disabled`. */
export const operatorRecord = (who: OperatorRef, secret: SecretHash, disabled = false): OperatorRecord => ({ ...who, secret, disabled });

/** Registry data of the sample station ('示例派出所'): empty lists but for `parts`. */
export const registryOf = (parts: Partial<RegistryData> = {}): RegistryData => ({ ...emptyRegistryData('示例派出所'), ...parts });

/** The two schools the station-core tests use, school-1 and school-2 (names and places differ, the rest is shared). */
export const stationSchools = (): School[] => [
  school('school-1', { name: '示例第一小学', nameEn: 'Sample' }),
  school('school-2', { name: '示例第二小学', nameEn: 'Sample', lat: 41.33, lng: 117.74 }),
];

/**
 * The station-core tests' registry: school-1 with T-1, school-2 with T-2 and the disabled T-off, all on one `secret`.
 * `t2Label` names T-2's place (a gatehouse by default); `units` are added as given.
 */
export function stationRegistryData(secret: SecretHash, opts: { t2Label?: string; units?: UnitRecord[] } = {}): RegistryData {
  return registryOf({
    schools: stationSchools(),
    terminals: [
      terminal('T-1', 'school-1', secret),
      terminal('T-2', 'school-2', secret, { label: opts.t2Label ?? '门卫室' }),
      terminal('T-off', 'school-2', secret, { label: '停用', disabled: true }),
    ],
    ...(opts.units ? { units: opts.units } : {}),
  });
}

/** A registry on `file`, saved there, as a running core or the admin CLI would find it. */
export function savedRegistry(data: RegistryData, file: string): Registry {
  const r = new Registry(data, file);
  r.save();
  return r;
}

// ---- temp folders and stations ----------------------------------------------------------------------------------

export interface TempRoot {
  /** The test file's temp folder (made before its tests, removed after them). */
  readonly root: string;
  /** A new empty folder in it whose name starts with `prefix`. */
  fresh(prefix?: string): string;
  /** A path `registry.json` in a new empty folder (not written yet). */
  registryFile(): string;
}

/** A temp folder for this test file. Call at the top level of the file. */
export function useTempRoot(prefix: string): TempRoot {
  let root = '';
  beforeAll(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  });
  afterAll(() => {
    fs.rmSync(root, { recursive: true, force: true });
  });
  const fresh = (p = 'case-'): string => fs.mkdtempSync(path.join(root, p));
  return {
    get root() {
      return root;
    },
    fresh,
    registryFile: () => path.join(fresh(), 'registry.json'),
  };
}

export interface StationBench extends TempRoot {
  /** This test's journal folder, new for each test. */
  readonly dir: string;
  /** A journal on `dir`, closed after the test. */
  journal(): Journal;
  /** The records as they are on disk, read by a fresh journal. */
  onDisk(): JournalRecord[];
  /** A station on `registry` over `journal` (a new one on `dir` by default); `opts` (or a bare clock) as Station takes them. */
  station(registry: Registry, opts?: StationOptions | (() => number), journal?: Journal): Station;
  /** The silent spy standing in for console.error during each test, when the bench mutes it. */
  readonly consoleError: MockInstance<typeof console.error>;
}

/**
 * Stations over real journals in a temp folder: a fresh journal folder per test, journals closed after each.
 * `mute` names the console methods replaced by silent spies during each test (the station logs store failures,
 * listener errors and registry changes there).
 */
export function useStationBench(prefix: string, opts: { mute?: readonly ('error' | 'log')[] } = {}): StationBench {
  const tmp = useTempRoot(prefix);
  let dir = '';
  const journals: Journal[] = [];
  const spies: MockInstance[] = [];
  beforeEach(() => {
    dir = tmp.fresh();
    for (const m of opts.mute ?? []) spies.push(vi.spyOn(console, m).mockImplementation(() => undefined));
  });
  afterEach(() => {
    for (const j of journals.splice(0)) j.close();
    for (const s of spies.splice(0)) s.mockRestore();
  });
  const journal = (): Journal => {
    const j = openJournal(dir);
    journals.push(j);
    return j;
  };
  return {
    get root() {
      return tmp.root;
    },
    fresh: tmp.fresh,
    registryFile: tmp.registryFile,
    get dir() {
      return dir;
    },
    journal,
    onDisk() {
      const j = openJournal(dir);
      const r = [...j.records];
      j.close();
      return r;
    },
    station: (registry, options = {}, j = journal()) => new Station(j, registry, options),
    get consoleError() {
      const i = (opts.mute ?? []).indexOf('error');
      if (i < 0 || !spies[i]) throw new Error('console.error is not muted by this bench');
      return spies[i] as MockInstance<typeof console.error>;
    },
  };
}

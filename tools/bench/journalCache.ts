// tools/bench (tool, Node) — the generated year of a busy county, cached (bench-results/cache/, by generator version,
// size and seed): its journal, demo registry and credentials; and fresh copies of it for a core to run on. Shared by
// `npm run bench:journal` and `npm run bench:chief`.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadDemoRegistry } from '../../main/demo';
import { ROOT } from '../../test/support/core';
import type { OnCleanup } from './common';
import { generateJournal, GENERATOR_VERSION, type GenResult } from '../../main/demoYear';

export interface JournalOptions {
  records: number;
  schools: number;
  units: number;
  seed: number;
}

export const DATA_FILES = ['journal.jsonl', 'demo-registry.json', 'demo-credentials.json'];

export interface CacheMeta {
  generatorVersion: number;
  options: { records: number; schools: number; units: number; seed: number };
  generatedAt: string;
  registryMs: number;
  gen: GenResult;
}

/** The cached data folder for these options (journal, demo registry and credentials), generated when missing. */
export async function preparedJournal(
  o: JournalOptions,
  h: { onCleanup: OnCleanup; progress: (what: string) => void; regenerate?: boolean },
): Promise<{ dir: string; meta: CacheMeta; cached: boolean }> {
  const { onCleanup, progress } = h;
  const dir = path.join(ROOT, 'bench-results', 'cache', `journal-g${GENERATOR_VERSION}-n${o.records}-s${o.schools}-u${o.units}-seed${o.seed}`);
  const metaFile = path.join(dir, 'meta.json');
  if (!h.regenerate && fs.existsSync(metaFile) && DATA_FILES.every((f) => fs.existsSync(path.join(dir, f)))) {
    return { dir, meta: JSON.parse(fs.readFileSync(metaFile, 'utf8')) as CacheMeta, cached: true };
  }
  fs.rmSync(dir, { recursive: true, force: true });
  // Built aside and renamed, so an interrupted generation never looks like a cached journal.
  const tmp = `${dir}.tmp-${process.pid}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(tmp, { recursive: true });
  onCleanup('unfinished journal cache', () => fs.rmSync(tmp, { recursive: true, force: true }));
  progress(`generating the demo county: ${o.schools} schools, ${o.units} units (hashing their credentials)`);
  const r0 = performance.now();
  const { registry } = await loadDemoRegistry(tmp, path.join(ROOT, 'assets'), { schools: o.schools, units: o.units });
  const registryMs = performance.now() - r0;
  const snap = registry.snapshot;
  const officers = snap.operators
    .filter((x) => x.role === 'officer' || x.role === 'chief')
    .map(({ username, displayName, role }) => ({ username, displayName, role }));
  progress(`generating ${o.records.toLocaleString('en')} journal records`);
  // The year ends half a day ago, so nothing in it lies in the station's future.
  const gen = generateJournal(
    path.join(tmp, 'journal.jsonl'),
    {
      terminals: snap.terminals.map((t) => ({ deviceId: t.deviceId, schoolId: t.schoolId })),
      units: snap.units.map((u) => ({ id: u.id, hasDevice: u.hasDevice })),
      officers,
      schools: snap.schools.map((s) => ({ id: s.id })),
      guardPosts: snap.guardPosts,
    },
    { records: o.records, seed: o.seed, endAt: Date.now() - 12 * 3600_000 },
  );
  const meta: CacheMeta = {
    generatorVersion: GENERATOR_VERSION,
    options: { records: o.records, schools: o.schools, units: o.units, seed: o.seed },
    generatedAt: new Date().toISOString(),
    registryMs,
    gen,
  };
  fs.writeFileSync(path.join(tmp, 'meta.json'), JSON.stringify(meta, null, 2) + '\n');
  fs.renameSync(tmp, dir);
  return { dir, meta, cached: false };
}

/** A fresh data folder holding a copy of the prepared files (the core appends to its journal). */
export function copyDataDir(from: string, files: string[], onCleanup: OnCleanup): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'journal-bench-'));
  onCleanup(`data folder ${dir}`, () => fs.rmSync(dir, { recursive: true, force: true }));
  for (const f of files) fs.copyFileSync(path.join(from, f), path.join(dir, f));
  return dir;
}

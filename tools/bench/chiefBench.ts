// tools/bench (tool, Node) — `npm run bench:chief`: the station chief's queries on a busy county's year (issue 12).
// The real core is started on a copy of the generated year (bench:journal's cache: 1,000,000 records, ~170,000
// incidents), waits until its start-up work is done (the background chain check and the state snapshot), then a
// console logged in as the chief asks, over socket.io, each several times:
//   - the statistics of the last month (by school) and of the whole year (by month): targets ≤ 500 ms and ≤ 1 s;
//   - a history filter (one school's real alarms over the year, first page) and the year's first page: ≤ 200 ms;
// beside a floor measured in the same run: the round trip of a command that reads nothing (`incident` of an id
// that does not exist). Times are from emit to answer at the console; every run is printed.
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Socket } from 'socket.io-client';
import type { DemoCredentials } from '../../main/demo';
import type { HistoryAck, StatsAck } from '../../shared/consoleContract';
import { ROOT } from '../../test/support/core';
import { benchArgs, cleanupRegistry, connectSocket, runBench, sleep, startWatchdog, stats, type Stats } from './common';
import { copyDataDir, DATA_FILES, preparedJournal } from './journalCache';
import { procMemMiB, spawnCore } from './timedCore';

const HELP = `usage: npm run bench:chief -- [options]
  --records N   journal records of the generated year (default 1000000; bench:journal's cache)
  --schools N   demo county schools (default 1000)
  --repeat N    times each query is asked (default 5)
  --out FILE    JSON results (default bench-results/chief.json)
  --first-open  query the core that read the whole journal (no state snapshot yet: once per data folder) instead of
                one restarted from its snapshot, as a station normally starts
Targets: statistics of a month ≤ 500 ms, of the year ≤ 1 s, a history filter ≤ 200 ms (each query's worst run);
the core's RSS after the queries ≤ 1024 MiB.
Exit code 0 when all are met, 1 when one is not, 2 when the bench could not run.`;

const TARGET = { monthMs: 500, yearMs: 1000, historyMs: 200, rssMiB: 1024 };
const DAY = 86_400_000;

const progress = (what: string): void => void process.stderr.write(`chief bench: ${what}\n`);
const { onCleanup, cleanupAll } = cleanupRegistry('chief bench');

interface Query {
  what: string;
  target?: number;
  ms: number[];
  stats?: Stats;
  /** What the answer held (incidents counted, rows, total), to see that it did the work. */
  answered?: string;
  error?: string;
}

async function login(url: string, creds: DemoCredentials, username: string): Promise<string> {
  const op = creds.operators.find((o) => o.username === username);
  if (!op) throw new Error(`the demo has no ${username}`);
  const res = await fetch(new URL('api/login', url), {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username, password: op.password }),
  });
  const body = (await res.json()) as { ok?: boolean; session?: string };
  if (!body.ok || !body.session) throw new Error(`login ${username}: HTTP ${res.status}`);
  return body.session;
}

async function timed<T>(
  socket: Socket,
  name: string,
  req: unknown,
  n: number,
  describe: (a: T) => string | undefined,
  refusalExpected = false,
): Promise<{ ms: number[]; answered?: string; error?: string }> {
  const ms: number[] = [];
  let answered: string | undefined;
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    const a = (await socket.timeout(60_000).emitWithAck(name, req)) as T & { ok: boolean; error?: { code: string; message: string } };
    ms.push(performance.now() - t);
    if (!a.ok && !refusalExpected) return { ms, error: `${a.error?.code}: ${a.error?.message}` };
    answered = a.ok ? describe(a) : `refused as expected (${a.error?.code})`;
    await sleep(100);
  }
  return { ms, answered };
}

async function main(): Promise<number> {
  const a = benchArgs(process.argv.slice(2), HELP, { records: 'value', schools: 'value', repeat: 'value', out: 'value', 'first-open': 'switch' }, ['--out']);
  const num = (k: string, d: number, min: number, max: number): number => {
    const v = a.text(k);
    const n = v === undefined ? d : Number(v);
    if (!Number.isInteger(n) || n < min || n > max) throw new Error(`--${k} must be an integer ${min}–${max}`);
    return n;
  };
  const o = { records: num('records', 1_000_000, 1000, 5_000_000), schools: num('schools', 1000, 36, 5000), units: 60, seed: 20240901 };
  const repeat = num('repeat', 5, 1, 50);
  const out = a.file('out', '') ?? path.join(ROOT, 'bench-results', 'chief.json');
  startWatchdog('chief bench', Math.round(600 + (o.records / 1e6) * 600), cleanupAll);
  const t0 = Date.now();

  const { dir, meta } = await preparedJournal(o, { onCleanup, progress });
  const creds = JSON.parse(fs.readFileSync(path.join(dir, 'demo-credentials.json'), 'utf8')) as DemoCredentials;
  progress(`starting the core on ${meta.gen.records.toLocaleString('en')} records (${meta.gen.incidents.toLocaleString('en')} incidents)`);
  const firstOpen = a.has('first-open');
  const dataDir = copyDataDir(dir, DATA_FILES, onCleanup);
  let core = await spawnCore({ dataDir, timeoutMs: 300_000 });
  onCleanup('core', () => core.stop(3000));
  progress(`listening after ${(core.startMs / 1000).toFixed(1)} s; waiting for its start-up work (chain check, snapshot)`);
  const until = Date.now() + 300_000;
  while (!/journal: snapshot at seq \d+ written/.test(core.output()) && Date.now() < until) await sleep(500);
  if (!firstOpen) {
    // As a station starts every day after its first: from the state snapshot just written.
    await core.stop(30_000);
    progress('restarting the core from its state snapshot');
    core = await spawnCore({ dataDir, timeoutMs: 300_000 });
    progress(`listening after ${(core.startMs / 1000).toFixed(1)} s`);
    await sleep(2000);
  }

  const socket = await connectSocket(`${core.url}console`, { session: await login(core.url, creds, 'chief'), since: 0 }, 'chief console', onCleanup);
  await sleep(3000); // its catch-up (a state snapshot) is sent and taken before anything is timed

  const last = meta.gen.lastAt;
  const month = { from: last - 30 * DAY, to: last + 1 };
  const year = { from: meta.gen.firstAt, to: last + 1 };
  const school = creds.terminals[0]!.schoolId;
  const describeStats = (x: StatsAck): string | undefined => (x.ok ? `${x.report.all.total} incidents, ${x.report.groups.length} groups` : undefined);
  const describeHistory = (x: HistoryAck): string | undefined => (x.ok ? `${x.page.rows.length} rows of ${x.page.total}` : undefined);
  const queries: Query[] = [];
  const run = async <T>(what: string, target: number | undefined, name: string, req: unknown, describe: (x: T) => string | undefined): Promise<void> => {
    progress(what);
    const r = await timed<T>(socket, name, req, repeat * (target === undefined ? 4 : 1), describe, target === undefined);
    queries.push({ what, ...(target !== undefined ? { target } : {}), ...r, stats: stats(r.ms) });
  };
  await run('floor: `incident` of an id that does not exist', undefined, 'incident', { incidentId: 'no-such-incident' }, () => undefined);
  await run('statistics, last 30 days, real alarms, by school', TARGET.monthMs, 'stats', { ...month, class: 'real', groupBy: 'school' }, describeStats);
  await run('statistics, the whole year, real alarms, by month', TARGET.yearMs, 'stats', { ...year, class: 'real', groupBy: 'month' }, describeStats);
  await run(
    'history: one school, the whole year, real alarms, first page',
    TARGET.historyMs,
    'history',
    { ...year, class: 'real', schoolIds: [school], offset: 0, limit: 50 },
    describeHistory,
  );
  await run('history: the whole year, real alarms, first page', TARGET.historyMs, 'history', { ...year, class: 'real', offset: 0, limit: 50 }, describeHistory);
  await run(
    'history: last 30 days, drills, resolved, first page',
    TARGET.historyMs,
    'history',
    { ...month, class: 'drill', state: 'resolved', offset: 0, limit: 50 },
    describeHistory,
  );
  const rss = procMemMiB(core.child.pid);
  await core.stop(30_000);

  const floor = queries[0]!.stats!;
  const lines = [
    `chief bench: ${meta.gen.records.toLocaleString('en')} records, ${meta.gen.incidents.toLocaleString('en')} incidents (${new Date(meta.gen.firstAt).toISOString().slice(0, 10)} … ${new Date(last).toISOString().slice(0, 10)}), ${o.schools} schools; core ${firstOpen ? 'after its first open (whole journal read)' : 'restarted from its state snapshot'}, started in ${(core.startMs / 1000).toFixed(2)} s; core RSS ${rss?.rss.toFixed(0) ?? '?'} MiB (peak ${rss?.hwm.toFixed(0) ?? '?'})`,
    `${'query (emit → answer at the console), ms'.padEnd(62)}${'n'.padStart(4)}${'p50'.padStart(9)}${'max'.padStart(9)}  ×floor p50  every run`,
  ];
  let pass = true;
  for (const q of queries) {
    const s = q.stats!;
    lines.push(
      `  ${q.what.padEnd(60)}${String(s.n).padStart(4)}${s.p50.toFixed(1).padStart(9)}${s.max.toFixed(1).padStart(9)}  ${`×${(s.p50 / floor.p50).toFixed(0)}`.padStart(10)}  ${q.ms.map((m) => m.toFixed(0)).join(' ')}${q.answered ? `  (${q.answered})` : ''}${q.error ? `  ERROR ${q.error}` : ''}`,
    );
  }
  for (const q of queries.slice(1)) {
    const ok = q.error === undefined && q.stats!.max <= q.target!;
    pass &&= ok;
    lines.push(`target ${q.what} ≤ ${q.target} ms (worst of ${q.stats!.n}): ${ok ? 'PASS' : 'FAIL'} (${q.stats!.max.toFixed(1)} ms)`);
  }
  const rssOk = rss !== undefined && rss.hwm <= TARGET.rssMiB;
  pass &&= rssOk;
  lines.push(`target core RSS after the queries (its peak) ≤ ${TARGET.rssMiB} MiB: ${rssOk ? 'PASS' : 'FAIL'} (${rss?.hwm.toFixed(0) ?? '?'} MiB)`);
  console.log(lines.join('\n'));
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(
    out,
    JSON.stringify(
      { at: new Date().toISOString(), options: { ...o, repeat, firstOpen }, startMs: core.startMs, rss, queries, pass, durationS: (Date.now() - t0) / 1000 },
      null,
      2,
    ) + '\n',
  );
  console.log(`results: ${path.relative(process.cwd(), out) || out}`);
  return pass ? 0 : 1;
}

await runBench('chief bench', cleanupAll, main);

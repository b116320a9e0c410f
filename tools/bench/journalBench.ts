// tools/bench (tool, Node) — `npm run bench:journal`: the station after a busy county's year. Generates (once; cached by
// generator version, size and seed) a valid hash-chained journal of 1,000,000 records for a 1,000-school demo county,
// starts the real core on a copy of it (dist/main/start.js, a child process) and prints:
//   - start time: spawn → the core listens (target ≤ 10 s), beside the same core on an empty journal;
//   - peak RSS of the core (VmHWM, target ≤ 1 GiB);
//   - console live: a real Chromium console logs in as an officer and a terminal presses a NEW alarm right after
//     the login is submitted; time from submitting the login to that alarm's card in the console's DOM (target
//     ≤ 2 s), beside the same on the empty journal;
//   - a restart on the same data folder (what a snapshot, if the core keeps one, makes fast).
// Every wait is bounded: a core that has not listened after --start-timeout is killed and reported as FAIL.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import type { DemoCredentials } from '../../main/demo';
import { checkEvent, applyRecord, emptyState } from '../../shared/incidents';
import type { JournalRecord } from '../../shared/events';
import { CHROMIUM_ARGS, findChromium } from '../../test/support/chromium';
import { ROOT } from '../../test/support/core';
import { cleanupRegistry, clock, connectSocket, runBench, senderOf, sleep, startWatchdog, benchArgs, within } from './common';
import { type AlarmWindow, checkClock, installObserver } from './page';
import { CoreStartTimeout, procMemMiB, spawnCore, type TimedCore } from './timedCore';
import { copyDataDir, DATA_FILES, preparedJournal } from './journalCache';

const HELP = `usage: npm run bench:journal -- [options]
  --records N         journal records (default 1000000; e.g. 20000 for a quick run)
  --schools N         demo county schools, one terminal each (default 1000)
  --units N           demo county patrol units (default 60)
  --seed N            generator seed (default 20240901)
  --start-timeout S   give up on a core that has not listened after S seconds: FAIL (default 120)
  --live-timeout S    give up on the console after S seconds from login: FAIL (default 60)
  --no-restart        skip the restart on the same data folder
  --no-floor          skip the empty-journal floor run
  --check             fold the generated journal with the shared reducer and count events checkEvent refuses
                      (slow on big journals with a quadratic fold; meant for --records ≤ 50000)
  --regenerate        ignore the cached journal and generate it again
  --out FILE          JSON results (default bench-results/journal.json)
Targets: start ≤ 10 s, peak RSS ≤ 1024 MiB, console live ≤ 2 s. Exit code 0 when all are met, 1 when one is
not, 2 when the bench could not run. The journal is cached in bench-results/cache/.`;

interface Options {
  records: number;
  schools: number;
  units: number;
  seed: number;
  startTimeoutS: number;
  liveTimeoutS: number;
  restart: boolean;
  floor: boolean;
  check: boolean;
  regenerate: boolean;
  out: string;
}

const TARGET = { startMs: 10_000, rssMiB: 1024, liveMs: 2000 };

function parseArgs(argv: string[]): Options {
  const o: Options = {
    records: 1_000_000,
    schools: 1000,
    units: 60,
    seed: 20240901,
    startTimeoutS: 120,
    liveTimeoutS: 60,
    restart: true,
    floor: true,
    check: false,
    regenerate: false,
    out: path.join(ROOT, 'bench-results', 'journal.json'),
  };
  const a = benchArgs(
    argv,
    HELP,
    {
      records: 'value',
      schools: 'value',
      units: 'value',
      seed: 'value',
      'start-timeout': 'value',
      'live-timeout': 'value',
      'no-restart': 'switch',
      'no-floor': 'switch',
      check: 'switch',
      regenerate: 'switch',
      out: 'value',
    },
    ['--out'],
  );
  o.records = Math.floor(a.num('records', 100, o.records));
  o.schools = Math.min(5000, Math.floor(a.num('schools', 1, o.schools)));
  o.units = Math.min(1000, Math.floor(a.num('units', 1, o.units)));
  o.seed = Math.floor(a.num('seed', 0, o.seed));
  o.startTimeoutS = a.num('start-timeout', 1, o.startTimeoutS);
  o.liveTimeoutS = a.num('live-timeout', 1, o.liveTimeoutS);
  o.restart = !a.has('no-restart');
  o.floor = !a.has('no-floor');
  o.check = a.has('check');
  o.regenerate = a.has('regenerate');
  o.out = a.file('out', o.out) ?? o.out;
  return o;
}

/** Progress on stderr, so stdout holds only the results. */
const progress = (what: string): void => void process.stderr.write(`journal bench: ${what}\n`);

const { onCleanup, cleanupAll } = cleanupRegistry('journal bench');

/** Folds the journal with the shared reducer, counting the events checkEvent would have refused (should be 0). */
function checkJournal(file: string): { records: number; refused: number; examples: string[] } {
  let state = emptyState;
  let refused = 0;
  const examples: string[] = [];
  let records = 0;
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    if (line === '') continue;
    const r = JSON.parse(line) as JournalRecord;
    records++;
    const c = checkEvent(state, r.event);
    if (!c.ok) {
      refused++;
      if (examples.length < 5) examples.push(`seq ${r.seq} ${r.event.type}: ${c.message}`);
    }
    state = applyRecord(state, r);
  }
  return { records, refused, examples };
}

/** The floor of reading a journal at all: stream it line by line and JSON.parse each line, in this process. */
async function readFloorMs(file: string): Promise<number> {
  const t0 = performance.now();
  let n = 0;
  let rest = '';
  for await (const chunk of fs.createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 20 })) {
    const lines = (rest + (chunk as string)).split('\n');
    rest = lines.pop() ?? '';
    for (const l of lines) if (l !== '') n += (JSON.parse(l) as JournalRecord).seq > 0 ? 1 : 0;
  }
  return n > 0 ? performance.now() - t0 : NaN;
}

interface RunResult {
  label: string;
  /** Spawn → listening, ms; undefined when it did not listen within the time-out. */
  startMs?: number;
  startTimedOut?: boolean;
  /** VmRSS when it started listening, and the peak (VmHWM) at the end of the run, MiB. */
  rssAtListenMiB?: number;
  peakMiB?: number;
  live?: LiveResult;
  /** How long the core took to write its state snapshot after it listened, ms (runs that wait for it). */
  snapshotMs?: number;
  journalWarnings: string[];
  error?: string;
}

interface LiveResult {
  /** Login submitted → the new alarm's card in the DOM, ms; undefined when it did not show within the time-out. */
  liveMs?: number;
  /** Login submitted → the login's HTTP answer, ms. */
  loginMs?: number;
  /** Login submitted → the console says it is online, ms. */
  onlineMs?: number;
  /** The terminal's alarm: emit → ack, ms. */
  ackMs?: number;
  /** Cards in the console's queue at the end. */
  cards?: number;
  clockOffsetMs?: number;
  pageErrors: string[];
  error?: string;
}

/**
 * Logs a fresh console (new browser context, empty replica) in as the officer; right after submitting the login a
 * terminal presses a new panic alarm. Measures until that alarm's card (with its text) is in the DOM.
 */
async function measureLive(browser: Browser, core: TimedCore, creds: DemoCredentials, timeoutMs: number, tag: string, terminal: number): Promise<LiveResult> {
  const officer = creds.operators.find((x) => x.username === 'officer');
  // Each run on one data folder presses from its own terminal: a press from a terminal whose alarm of that kind is
  // still open would join that incident (no card of its own), as it should.
  const term = creds.terminals[terminal];
  if (!officer || !term) throw new Error('the demo credentials have no officer or no terminal');
  const socket = await connectSocket(`${core.url}terminal`, { deviceId: term.deviceId, token: term.token }, `terminal ${term.deviceId} (${tag})`, onCleanup);
  const context = await browser.newContext({ viewport: { width: 1600, height: 1000 } });
  onCleanup(`browser context (${tag})`, () => context.close());
  const page = await context.newPage();
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(core.url, { timeout: 30_000 });
  await page.waitForSelector('input[name=username]', { timeout: 30_000 });
  await page.evaluate(installObserver, { frames: false });
  await page.fill('input[name=username]', officer.username);
  await page.fill('input[name=password]', officer.password);
  const alarmId = `live-${tag}-${Date.now().toString(36)}`;
  const out: LiveResult = { pageErrors };
  const login = page
    .waitForResponse((res) => res.url().endsWith('/api/login'), { timeout: timeoutMs })
    .then(() => void (out.loginMs = clock() - t0))
    .catch(() => undefined);
  const t0 = clock();
  await page.click('button[type=submit]');
  // Pressed right after the login: the console must show it whether it arrives in its catch-up or live.
  const ack = senderOf(socket)
    .send({ alarmId, kind: 'panic', raisedAt: Date.now(), note: `bench ${alarmId}` })
    .then((a) => {
      if (a.ok) out.ackMs = clock() - t0;
      else out.error = `the alarm was refused: ${a.error.code} ${a.error.message}`;
    })
    .catch((e: unknown) => void (out.error = `the alarm was not acked: ${(e as Error).message}`));
  const online = page
    .waitForSelector('[data-testid="link-state"].online', { timeout: timeoutMs })
    .then(() => void (out.onlineMs = clock() - t0))
    .catch(() => undefined);
  try {
    await page.waitForFunction((id) => id in ((window as unknown as AlarmWindow).__seen ?? {}), alarmId, { timeout: timeoutMs, polling: 20 });
    const seenPage = await within(
      page.evaluate((id) => (window as unknown as AlarmWindow).__seen[id]!, alarmId),
      30_000,
      'the page did not answer',
    );
    const c = await within(checkClock(page, 5), 30_000, 'the page did not answer the clock check');
    out.clockOffsetMs = c.offsetMs;
    out.liveMs = seenPage - c.offsetMs - t0;
    out.cards = await within(
      page.evaluate(() => document.querySelectorAll('[data-testid="incident"]').length),
      30_000,
      'the page did not answer',
    );
  } catch (e) {
    out.error = `${out.error ? `${out.error}; ` : ''}the new alarm was not shown within ${(timeoutMs / 1000).toFixed(0)} s of the login (${(e as Error).message.split('\n')[0]})`;
  }
  await within(Promise.all([ack, online, login]), 15_000, 'ack').catch(() => undefined);
  socket.close();
  await within(context.close(), 10_000, 'context close').catch(() => undefined);
  return out;
}

/** Starts the core on dataDir, records start time and memory, optionally measures the console, stops it. */
async function runCore(
  label: string,
  dataDir: string,
  o: Options,
  live?: { browser: Browser; creds: DemoCredentials; terminal: number },
  awaitSnapshot = false,
): Promise<RunResult> {
  const r: RunResult = { label, journalWarnings: [] };
  progress(`${label}: starting the core`);
  let core: TimedCore;
  try {
    core = await spawnCore({
      dataDir,
      timeoutMs: o.startTimeoutS * 1000,
      onTick: (ms, pid) => {
        if (Math.round(ms / 1000) % 10 === 0)
          progress(`${label}: still starting after ${(ms / 1000).toFixed(0)} s, RSS ${procMemMiB(pid)?.rss.toFixed(0) ?? '?'} MiB`);
      },
    });
  } catch (e) {
    if (e instanceof CoreStartTimeout) {
      r.startTimedOut = true;
      if (e.peakMiB !== undefined) r.peakMiB = e.peakMiB;
      r.journalWarnings = e.output
        .split('\n')
        .filter((l) => l.startsWith('journal:'))
        .slice(0, 10);
      return r;
    }
    r.error = (e as Error).message;
    return r;
  }
  onCleanup(`core (${label})`, () => core.stop(3000));
  r.startMs = core.startMs;
  r.rssAtListenMiB = procMemMiB(core.child.pid)?.rss;
  progress(`${label}: listening after ${(core.startMs / 1000).toFixed(2)} s`);
  if (live) {
    try {
      r.live = await measureLive(live.browser, core, live.creds, o.liveTimeoutS * 1000, label.replace(/\W+/g, '-').slice(0, 24), live.terminal);
    } catch (e) {
      r.live = { pageErrors: [], error: (e as Error).message };
    }
    if (r.live.error) progress(`${label}: ${r.live.error}`);
  }
  if (awaitSnapshot) {
    // A start that read the whole journal writes a state snapshot in the background; the restart reads from it.
    progress(`${label}: waiting for the core's state snapshot`);
    const until = clock() + 180_000;
    let m: RegExpExecArray | null = null;
    while (!(m = /journal: snapshot at seq \d+ written in (\d+) ms/.exec(core.output())) && clock() < until) await sleep(250);
    if (m) r.snapshotMs = Number(m[1]);
    else progress(`${label}: no state snapshot within 180 s`);
  }
  r.peakMiB = procMemMiB(core.child.pid)?.hwm;
  r.journalWarnings = core
    .output()
    .split('\n')
    .filter((l) => l.startsWith('journal:'))
    .slice(0, 10);
  await core.stop(30_000);
  return r;
}

const secs = (ms: number | undefined): string => (ms === undefined ? '—' : `${(ms / 1000).toFixed(2)} s`);
const mib = (m: number | undefined): string => (m === undefined ? '—' : `${m.toFixed(0)} MiB`);
const ratio = (a: number | undefined, b: number | undefined): string =>
  a === undefined || b === undefined || !(b > 0) ? '' : ` (×${(a / b).toFixed(1)} the floor)`;
const verdict = (ok: boolean | undefined): string => (ok === undefined ? 'FAIL (not measured)' : ok ? 'PASS' : 'FAIL');

async function main(): Promise<number> {
  const o = parseArgs(process.argv.slice(2));
  const t0 = Date.now();
  // Bounded: generation (≈ 1 min per million records, generously), three starts and two console logins.
  startWatchdog('journal bench', Math.round(300 + (o.records / 1e6) * 240 + 3 * (o.startTimeoutS + 40) + 3 * (o.liveTimeoutS + 60) + 180), cleanupAll);

  const { dir, meta, cached } = await preparedJournal(o, { onCleanup, progress, regenerate: o.regenerate });
  const journalFile = path.join(dir, 'journal.jsonl');
  const bytes = fs.statSync(journalFile).size;
  progress(
    `journal ${cached ? 'from the cache' : 'generated'}: ${meta.gen.records.toLocaleString('en')} records, ${(bytes / 2 ** 20).toFixed(0)} MiB (${dir})`,
  );
  const creds = JSON.parse(fs.readFileSync(path.join(dir, 'demo-credentials.json'), 'utf8')) as DemoCredentials;

  let check: ReturnType<typeof checkJournal> | undefined;
  if (o.check) {
    progress('checking every event with the shared reducer (--check)');
    check = checkJournal(journalFile);
  }
  const readMs = await readFloorMs(journalFile);

  const browser = await chromium.launch({
    executablePath: findChromium(),
    args: CHROMIUM_ARGS,
    headless: true,
    handleSIGINT: false,
    handleSIGTERM: false,
    handleSIGHUP: false,
  });
  onCleanup('chromium', () => browser.close());

  const floor = o.floor
    ? await runCore(
        'empty journal (floor)',
        copyDataDir(
          dir,
          DATA_FILES.filter((f) => f !== 'journal.jsonl'),
          onCleanup,
        ),
        o,
        { browser, creds, terminal: 0 },
      )
    : undefined;
  const fullDir = copyDataDir(dir, DATA_FILES, onCleanup);
  const full = await runCore(
    `${meta.gen.records.toLocaleString('en')}-record journal, first open (no snapshot yet)`,
    fullDir,
    o,
    { browser, creds, terminal: 1 },
    o.restart,
  );
  const restart =
    o.restart && full.startMs !== undefined
      ? await runCore(
          `restart on the same data folder${full.snapshotMs !== undefined ? ' (from the state snapshot)' : ' (NO snapshot was written)'}`,
          fullDir,
          o,
          { browser, creds, terminal: 2 },
        )
      : undefined;

  const startOk = full.startMs !== undefined ? full.startMs <= TARGET.startMs : full.startTimedOut ? false : undefined;
  const restartOk = restart ? (restart.startMs !== undefined ? restart.startMs <= TARGET.startMs : false) : undefined;
  const peaks = [full.peakMiB, restart?.peakMiB].filter((x): x is number => x !== undefined);
  const peak = peaks.length > 0 ? Math.max(...peaks) : undefined;
  const rssOk = peak !== undefined ? peak <= TARGET.rssMiB && full.startMs !== undefined : undefined;
  // Not shown within the time-out is a FAIL; only a core that never listened leaves it unmeasured.
  const liveOk = full.startMs === undefined ? undefined : full.live?.liveMs !== undefined && full.live.liveMs <= TARGET.liveMs;
  // The start target is the restart's: a station that has run for a year has written state snapshots (every 20,000
  // records), and reads only the records after the last. The first open of a journal without one (a journal
  // restored alone from a backup) reads all of it, once; it is reported beside, with the same line.
  const pass = (restartOk ?? startOk) === true && rssOk === true && liveOk === true && (check?.refused ?? 0) === 0;

  const lines: string[] = [];
  const g = meta.gen;
  lines.push(
    `journal bench: ${g.records.toLocaleString('en')} records (${(bytes / 2 ** 20).toFixed(0)} MiB, ${g.incidents.toLocaleString('en')} incidents, ` +
      `${new Date(g.firstAt).toISOString().slice(0, 10)} … ${new Date(g.lastAt).toISOString().slice(0, 10)}), ${o.schools} schools, ${o.units} units; ` +
      `${cached ? 'cached' : `generated in ${(g.ms / 1000).toFixed(1)} s (+ ${(meta.registryMs / 1000).toFixed(1)} s for the county's credentials)`}; ` +
      `chromium ${browser.version()}, node ${process.version}, ${os.cpus().length} CPUs`,
  );
  lines.push(
    `  records by type: ${Object.entries(g.byType)
      .sort((a, b) => b[1] - a[1])
      .map(([k, n]) => `${k} ${n}`)
      .join(', ')}`,
  );
  if (check)
    lines.push(`  --check: ${check.refused} of ${check.records} events refused by checkEvent${check.examples.length ? `: ${check.examples.join('; ')}` : ''}`);
  lines.push(`  floor: this process streams and parses the journal in ${secs(readMs)}`);
  lines.push('');
  const show = (r: RunResult | undefined): void => {
    if (!r) return;
    const start = r.startTimedOut
      ? `did not listen within ${o.startTimeoutS} s (killed)`
      : r.error
        ? `could not start: ${r.error.split('\n')[0]}`
        : `listening after ${secs(r.startMs)}`;
    lines.push(`${r.label}: ${start}; RSS at listen ${mib(r.rssAtListenMiB)}, peak ${mib(r.peakMiB)}`);
    if (r.live) {
      const l = r.live;
      lines.push(
        `  console: login answered after ${secs(l.loginMs)}, online after ${secs(l.onlineMs)}, the new alarm shown after ${secs(l.liveMs)} (terminal ack after ${secs(l.ackMs)}; ${l.cards ?? '—'} cards in the queue)` +
          (l.error ? `\n  console: ${l.error}` : '') +
          (l.pageErrors.length ? `\n  page errors: ${l.pageErrors.slice(0, 3).join('; ')}` : ''),
      );
    }
    for (const w of r.journalWarnings) lines.push(`  core: ${w}`);
  };
  show(floor);
  show(full);
  show(restart);
  lines.push('');
  if (restart)
    lines.push(
      `target start ≤ ${TARGET.startMs / 1000} s (a year's station, from its state snapshot): ${verdict(restartOk)} (${restart.startTimedOut ? `> ${o.startTimeoutS} s` : secs(restart.startMs)}${ratio(restart.startMs, floor?.startMs)}; snapshot written ${secs(full.snapshotMs)} after the first open listened)`,
    );
  lines.push(
    `${restart ? 'first open without a snapshot (once per data folder; not the target)' : 'target start'} ≤ ${TARGET.startMs / 1000} s: ${verdict(startOk)} (${full.startTimedOut ? `> ${o.startTimeoutS} s` : secs(full.startMs)}${ratio(full.startMs, floor?.startMs)})`,
  );
  lines.push(
    `target peak RSS ≤ ${TARGET.rssMiB} MiB: ${verdict(rssOk)} (${mib(peak)}${ratio(peak, floor?.peakMiB)})${full.startTimedOut ? ' — the core never finished starting' : ''}`,
  );
  lines.push(
    `target console live ≤ ${TARGET.liveMs / 1000} s: ${verdict(liveOk)} (${full.live?.liveMs !== undefined ? secs(full.live.liveMs) : full.startTimedOut ? 'the core never listened' : `> ${o.liveTimeoutS} s`}${ratio(full.live?.liveMs, floor?.live?.liveMs)})`,
  );
  console.log(lines.join('\n'));

  const result = {
    at: new Date().toISOString(),
    options: { ...o, out: undefined },
    journal: { dir, bytes, cached, ...meta },
    check,
    readFloorMs: readMs,
    runs: { floor, full, restart },
    targets: { ...TARGET, startOk, restartOk, rssOk, liveOk, pass },
    durationS: (Date.now() - t0) / 1000,
  };
  fs.mkdirSync(path.dirname(o.out), { recursive: true });
  fs.writeFileSync(o.out, JSON.stringify(result, null, 2) + '\n');
  console.log(`results: ${path.relative(process.cwd(), o.out) || o.out} (${result.durationS.toFixed(1)} s)`);
  return pass ? 0 : 1;
}

await runBench('journal bench', cleanupAll, main);

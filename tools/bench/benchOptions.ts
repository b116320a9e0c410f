// tools/bench (tool, Node) — `npm run bench`'s options: its help text and flags (tools/cliArgs.ts via benchArgs).
import path from 'node:path';
import { ROOT } from '../../test/support/core';
import { benchArgs } from './common';

export const HELP = `usage: npm run bench:latency -- [options]
The realistic case by default (issue 11): a county of --schools schools; --open alarms already open on the
console (a busy queue); then the measured run, 50 alarms a second, each from a school without an open alarm
(so the map moves to a new school each time); then the storm.
  --schools N       schools (and terminals) in the demo county (default: enough for every alarm below)
  --open N          alarms opened (unmeasured) before the measured run (default 200)
  --alarms N        alarms per measured run (default 200, at least 200 for the target check)
  --interval MS     time between presses (default 20, i.e. 50 a second)
  --terminals K     terminals (and floor senders) pressing in turn (default: one per alarm, at least 36)
  --warmup N        unmeasured alarms before each run (default 5)
  --burst           also run a burst: the same number of alarms back to back (informational)
  --target-ratio R  press→console DOM p99 target, as a multiple of the floor's p99 in the same run (default 6)
  --target MS       … or an absolute p99 target in ms instead
  --cpu-target MS   console renderer CPU per alarm target (default 5)
  --storm N         the storm: N alarms (default 1000; 0 skips it) …
  --storm-seconds S … spread evenly over S seconds (default 10) …
  --storm-terminals K … from K terminals (default 300), each pressing a different kind each time
  --draw none       a control: the console draws nothing (its root content-visibility: hidden) while it still
                    takes every alarm (socket.io, its store, React's DOM, IndexedDB, its 'shown' reports); run
                    it beside a default run to split the console's CPU per alarm into data path and drawing
                    (roughly: Chromium still runs part of its style and layout)
  --timeout MS      how long to wait, after the last ack, for the last alarm to show (default 30000)
  --trace FILE      write a Chrome performance trace of the station run (open in Perfetto or DevTools)
  --cpuprofile FILE write a CPU profile of the console page during the station run (open in DevTools)
  --out FILE        JSON results (default bench-results/latest.json; with --draw none, control.json)
Exit code: 0 when the target is met, 1 when it is missed, 2 when the bench could not run.`;

export interface Options {
  schools: number;
  open: number;
  alarms: number;
  intervalMs: number;
  terminals: number;
  warmup: number;
  burst: boolean;
  /** An absolute p99 target (--target), else targetRatio × the floor's p99. */
  targetMs?: number;
  targetRatio: number;
  cpuTargetMs: number;
  storm: number;
  stormSeconds: number;
  stormTerminals: number;
  timeoutMs: number;
  /** 'none': the control run, the console's root not rendered (see HELP). */
  draw: 'all' | 'none';
  trace?: string;
  cpuprofile?: string;
  out: string;
}

export function parseArgs(argv: string[]): Options {
  const o: Options = {
    schools: 0,
    open: 200,
    alarms: 200,
    intervalMs: 20,
    terminals: 0,
    warmup: 5,
    burst: false,
    targetRatio: 6,
    cpuTargetMs: 5,
    storm: 1000,
    stormSeconds: 10,
    stormTerminals: 300,
    timeoutMs: 30_000,
    draw: 'all',
    out: path.join(ROOT, 'bench-results', 'latest.json'),
  };
  const a = benchArgs(
    argv,
    HELP,
    {
      schools: 'value',
      open: 'value',
      alarms: 'value',
      interval: 'value',
      terminals: 'value',
      warmup: 'value',
      burst: 'switch',
      target: 'value',
      'target-ratio': 'value',
      'cpu-target': 'value',
      storm: 'value',
      'storm-seconds': 'value',
      'storm-terminals': 'value',
      timeout: 'value',
      draw: 'value',
      trace: 'value',
      cpuprofile: 'value',
      out: 'value',
    },
    ['--trace', '--cpuprofile', '--out'],
  );
  o.alarms = Math.floor(a.num('alarms', 1, o.alarms));
  o.intervalMs = a.num('interval', 0, o.intervalMs);
  o.open = Math.floor(a.num('open', 0, o.open));
  o.warmup = Math.floor(a.num('warmup', 0, o.warmup));
  o.burst = a.has('burst');
  // One terminal per measured alarm (and warm-up), so each opens a new incident: a second press from a terminal
  // with an open alarm of the same kind joins that incident as a repeat and adds no card.
  o.terminals = Math.floor(a.num('terminals', 1, Math.max(36, o.alarms + o.warmup)));
  if (a.text('target') !== undefined) o.targetMs = a.num('target', 0, 50);
  o.targetRatio = a.num('target-ratio', 1, o.targetRatio);
  o.cpuTargetMs = a.num('cpu-target', 0, o.cpuTargetMs);
  o.storm = Math.floor(a.num('storm', 0, o.storm));
  o.stormSeconds = a.num('storm-seconds', 1, o.stormSeconds);
  o.stormTerminals = Math.floor(a.num('storm-terminals', 1, o.stormTerminals));
  o.schools = Math.floor(a.num('schools', 1, o.open + o.terminals + (o.storm > 0 ? o.stormTerminals : 0)));
  o.timeoutMs = a.num('timeout', 100, o.timeoutMs);
  const draw = a.text('draw');
  if (draw !== undefined && draw !== 'all' && draw !== 'none') throw new Error(`--draw: 'all' or 'none', not '${draw}'\n${HELP}`);
  if (draw !== undefined) o.draw = draw;
  const trace = a.file('trace', 'bench-results/trace.json');
  if (trace !== undefined) o.trace = trace;
  const cpuprofile = a.file('cpuprofile', 'bench-results/console.cpuprofile');
  if (cpuprofile !== undefined) o.cpuprofile = cpuprofile;
  // The control's figures are not the console's: they never take the place of the last real run's.
  if (o.draw === 'none') o.out = path.join(ROOT, 'bench-results', 'control.json');
  o.out = a.file('out', o.out) ?? o.out;
  return o;
}

/** Progress on stderr, so stdout holds only the results. */

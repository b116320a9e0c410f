// tools/bench (tool, Node) — `npm run bench`'s options: its help text and flags (tools/cliArgs.ts via benchArgs).
import path from 'node:path';
import { ROOT } from '../../test/support/core';
import { benchArgs } from './common';

export const HELP = `usage: npm run bench -- [options]
  --alarms N        alarms per measured run (default 200, at least 200 for the target check)
  --interval MS     time between presses (default 25)
  --terminals K     terminals (and floor senders) pressing in turn (default 1)
  --warmup N        unmeasured alarms before each run (default 5)
  --burst           also run a burst: the same number of alarms back to back (informational)
  --target MS       press→console DOM p99 target (default 50)
  --timeout MS      how long to wait, after the last ack, for the last alarm to show (default 30000)
  --trace FILE      write a Chrome performance trace of the station run (open in Perfetto or DevTools)
  --cpuprofile FILE write a CPU profile of the console page during the station run (open in DevTools)
  --out FILE        JSON results (default bench-results/latest.json)
Exit code: 0 when the target is met, 1 when it is missed, 2 when the bench could not run.`;

export interface Options {
  alarms: number;
  intervalMs: number;
  terminals: number;
  warmup: number;
  burst: boolean;
  targetMs: number;
  timeoutMs: number;
  trace?: string;
  cpuprofile?: string;
  out: string;
}

export function parseArgs(argv: string[]): Options {
  const o: Options = {
    alarms: 200,
    intervalMs: 25,
    terminals: 1,
    warmup: 5,
    burst: false,
    targetMs: 50,
    timeoutMs: 30_000,
    out: path.join(ROOT, 'bench-results', 'latest.json'),
  };
  const a = benchArgs(
    argv,
    HELP,
    {
      alarms: 'value',
      interval: 'value',
      terminals: 'value',
      warmup: 'value',
      burst: 'switch',
      target: 'value',
      timeout: 'value',
      trace: 'value',
      cpuprofile: 'value',
      out: 'value',
    },
    ['--trace', '--cpuprofile', '--out'],
  );
  o.alarms = Math.floor(a.num('alarms', 1, o.alarms));
  o.intervalMs = a.num('interval', 0, o.intervalMs);
  o.terminals = Math.floor(a.num('terminals', 1, o.terminals));
  o.warmup = Math.floor(a.num('warmup', 0, o.warmup));
  o.burst = a.has('burst');
  o.targetMs = a.num('target', 0, o.targetMs);
  o.timeoutMs = a.num('timeout', 100, o.timeoutMs);
  const trace = a.file('trace', 'bench-results/trace.json');
  if (trace !== undefined) o.trace = trace;
  const cpuprofile = a.file('cpuprofile', 'bench-results/console.cpuprofile');
  if (cpuprofile !== undefined) o.cpuprofile = cpuprofile;
  o.out = a.file('out', o.out) ?? o.out;
  return o;
}

/** Progress on stderr, so stdout holds only the results. */

// tools/simulate (tool, Node) — terminal and county simulator: `npm run simulate -- [options]`.
// Single-press mode presses alarms on one demo terminal over the real protocol (shared/terminalClient) and
// prints every answer and alarm:status as a JSON line. County mode (--terminals N and/or --units M) runs
// many terminals and patrol units at once: heartbeats, test presses, alarms, patrols answering dispatches,
// and misbehaving devices (bad tokens, junk payloads, floods, silence), with one summary line every 10 s.
import { HELP, checkOptions, isCountyMode, parseArgs, parseCountyOptions } from './args';
import { runCounty } from './county';
import { runSingle } from './single';

async function main(): Promise<void> {
  const a = parseArgs(process.argv.slice(2));
  if (a.has('--help')) {
    console.log(HELP);
    return;
  }
  checkOptions(a);
  if (isCountyMode(a)) await runCounty(parseCountyOptions(a, process.env));
  else await runSingle(a);
}

// The entry point of dist/tools/simulate.js; the tests import the parts (args, movement, junk, unit …) instead.
main().catch((e: unknown) => {
  console.error((e as Error).message);
  process.exit(1);
});

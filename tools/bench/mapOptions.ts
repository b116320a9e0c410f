// tools/bench (tool, Node) — the options of `npm run bench:map`, its progress line and its cleanup.
import path from 'node:path';
import { ROOT } from '../../test/support/core';
import { cleanupRegistry, benchArgs } from './common';

const HELP = `usage: npm run bench:map -- [options]
  --units N          reporting patrol units (default 300; the demo county gets N·4/3 units, a quarter on foot)
  --schools N        schools in the demo county (default 1000)
  --position-ms MS   each unit's report interval (default 2000)
  --frames-s S       frame measurement of the console, idle and busy (default 30)
  --idle-s S         the "units not moving" floor (default 20)
  --blank-s S        the blank-page floor (default 10)
  --alarms N         alarms pressed while the units move (default 60)
  --alarm-ms MS      time between those alarms (default 2000)
  --burst N          then N alarms back to back, informational (default 20; 0 = none)
  --floor-ms MS      time between the floor relay's alarms (default 100; the bare page is idle either way)
  --keep-open        leave the alarms open (default: a second officer acknowledges and resolves each after ~3 s,
                     as a duty officer would, so the queue does not fill up with 60 looping alarms)
  --frame-target MS  frame p95 target (default 33)
  --press-target MS  press → console DOM p99 target (default 50)
  --profile [DIR]    also take a CPU profile and a trace of the console while the units move (default bench-results/)
  --strict           exit 1 when a target is missed (default: 0 either way)
  --out FILE         JSON results (default bench-results/map.json)
Exit code: 0 when the bench ran (PASS or FAIL is in the output), 1 with --strict on a FAIL, 2 when it could not run.`;

interface Options {
  units: number;
  schools: number;
  positionMs: number;
  framesS: number;
  idleS: number;
  blankS: number;
  alarms: number;
  alarmMs: number;
  burst: number;
  floorMs: number;
  keepOpen: boolean;
  frameTarget: number;
  pressTarget: number;
  profile?: string;
  strict: boolean;
  out: string;
}

export function parseArgs(argv: string[]): Options {
  const o: Options = {
    units: 300,
    schools: 1000,
    positionMs: 2000,
    framesS: 30,
    idleS: 20,
    blankS: 10,
    alarms: 60,
    alarmMs: 2000,
    burst: 20,
    floorMs: 100,
    keepOpen: false,
    frameTarget: 33,
    pressTarget: 50,
    strict: false,
    out: path.join(ROOT, 'bench-results', 'map.json'),
  };
  const a = benchArgs(
    argv,
    HELP,
    {
      units: 'value',
      schools: 'value',
      'position-ms': 'value',
      'frames-s': 'value',
      'idle-s': 'value',
      'blank-s': 'value',
      alarms: 'value',
      'alarm-ms': 'value',
      burst: 'value',
      'floor-ms': 'value',
      'keep-open': 'switch',
      'frame-target': 'value',
      'press-target': 'value',
      profile: 'value',
      strict: 'switch',
      out: 'value',
    },
    ['--profile', '--out'],
  );
  o.units = Math.floor(a.num('units', 0, o.units));
  o.schools = Math.floor(a.num('schools', 1, o.schools));
  o.positionMs = a.num('position-ms', 100, o.positionMs);
  o.framesS = a.num('frames-s', 1, o.framesS);
  o.idleS = a.num('idle-s', 1, o.idleS);
  o.blankS = a.num('blank-s', 1, o.blankS);
  o.alarms = Math.floor(a.num('alarms', 1, o.alarms));
  o.alarmMs = a.num('alarm-ms', 0, o.alarmMs);
  o.burst = Math.floor(a.num('burst', 0, o.burst));
  o.floorMs = a.num('floor-ms', 0, o.floorMs);
  o.keepOpen = a.has('keep-open');
  o.frameTarget = a.num('frame-target', 1, o.frameTarget);
  o.pressTarget = a.num('press-target', 1, o.pressTarget);
  const profile = a.file('profile', path.join(ROOT, 'bench-results'));
  if (profile !== undefined) o.profile = profile;
  o.strict = a.has('strict');
  o.out = a.file('out', o.out) ?? o.out;
  return o;
}

export const progress = (what: string): void =>
  void process.stderr.write(`bench:map [${((performance.now() - T0) / 1000).toFixed(0).padStart(3)} s] ${what}\n`);
const T0 = performance.now();

export const { onCleanup, cleanupAll } = cleanupRegistry('bench:map');

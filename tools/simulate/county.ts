// tools/simulate (tool, Node) — county mode: many terminals and patrol units at once, connected in one
// interleaved order, with alarms across the county, a line every 10 s and a summary at the end.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Socket } from 'socket.io-client';
import { longhuaOutline, type DemoCredentials } from '../../main/demo';
import { destinationPoint, pointInGeometry, type LatLng } from '../../shared/geo';
import { LONGHUA_SEAT } from '../../shared/sampleCounty';
import type { CountyOptions } from './args';
import type { SimContext } from './context';
import { poissonDelayMs } from './movement';
import { finalSummary, summaryJson, summaryLine, type RunInfo } from './report';
import { Clock, Stats } from './stats';
import { press, startBadClient, startFlood, startJunk, startTerminal, type SimTerminal } from './terminals';
import { startUnit } from './unit';

/** Where the unit homes and the outline come from: the demo registry next to the credentials, the county file. */
function readUnitHomes(credentialsFile: string): Map<string, LatLng> {
  const file = path.join(path.dirname(credentialsFile), 'demo-registry.json');
  const homes = new Map<string, LatLng>();
  try {
    const reg = JSON.parse(fs.readFileSync(file, 'utf8')) as { units?: { id: string; lat: number; lng: number }[] };
    for (const u of reg.units ?? []) homes.set(u.id, { lat: u.lat, lng: u.lng });
  } catch {
    // No registry next to the credentials: units start near the county seat.
  }
  return homes;
}

function findAssetsDir(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const candidates = [path.resolve(here, '..', '..', 'assets'), path.resolve(here, '..', 'assets'), path.resolve('assets')];
  const found = candidates.find((d) => fs.existsSync(path.join(d, 'map', 'chengde-counties.geojson')));
  if (!found) throw new Error(`the county outline (assets/map/chengde-counties.geojson) is not in ${candidates.join(' or ')}; units need it`);
  return found;
}

export async function runCounty(opts: CountyOptions): Promise<void> {
  const file = opts.credentialsFile;
  if (!fs.existsSync(file))
    throw new Error(`no credentials at ${file}: start the station with npm start -- --demo (--demo-schools N --demo-units M for a bigger county)`);
  const creds = JSON.parse(fs.readFileSync(file, 'utf8')) as DemoCredentials;
  const nTerm = Math.min(opts.terminals, creds.terminals.length);
  const nUnits = Math.min(opts.units, creds.units.length);
  if (nTerm < opts.terminals) {
    console.log(
      `asked for ${opts.terminals} terminals, but ${file} has only ${creds.terminals.length}: simulating ${nTerm} (start the demo with --demo-schools ${opts.terminals} for more)`,
    );
  }
  if (nUnits < opts.units) {
    console.log(
      `asked for ${opts.units} units, but ${file} has only ${creds.units.length} units with a device: simulating ${nUnits} (foot patrols have none; start the demo with a larger --demo-units)`,
    );
  }
  const silent = Math.min(opts.silent, nTerm);

  const stats = new Stats();
  const clock = new Clock();
  const sockets = new Set<Socket>();
  const verbose = opts.verbose;
  const ctx: SimContext = {
    url: opts.url,
    opts,
    stats,
    clock,
    rng: Math.random,
    sockets,
    event: verbose ? (o) => console.log(JSON.stringify({ t: Date.now(), ...o })) : () => undefined,
    warn: (msg) => console.log(`WARNING: ${msg}`),
  };
  const t0 = Date.now();
  const elapsed = (): number => (Date.now() - t0) / 1000;

  // Terminals and units connect in one interleaved order (spread over --ramp-s), so units do not queue
  // behind hundreds of terminal handshakes.
  const total = nTerm + nUnits;
  const delayOf = (k: number): number => (total > 1 ? (opts.rampS * 1000 * k) / (total - 1) : 0);
  const order = Array.from({ length: total }, (_, k) => k);
  const terminals: SimTerminal[] = [];
  const outline = nUnits > 0 ? longhuaOutline(findAssetsDir()) : undefined;
  const homes = nUnits > 0 ? readUnitHomes(file) : new Map<string, LatLng>();
  let ti = 0;
  let ui = 0;
  for (const k of order) {
    // Take a unit whenever units are behind their share of the order so far.
    const unitTurn = ui < nUnits && (ti >= nTerm || (ui + 1) * total <= (k + 1) * nUnits);
    if (!unitTurn) {
      const c = creds.terminals[ti]!;
      terminals.push(startTerminal(ctx, c, ti >= nTerm - silent ? 'silent' : 'normal', delayOf(k)));
      ti++;
      continue;
    }
    const c = creds.units[ui++]!;
    let home = homes.get(c.unitId);
    if (!home || !pointInGeometry(home, outline!)) {
      // No registry to read: somewhere in town.
      do home = destinationPoint(LONGHUA_SEAT, ctx.rng() * 360, ctx.rng() * 3000);
      while (!pointInGeometry(home, outline!));
    }
    startUnit(ctx, c, { outline: outline!, home, positionMs: opts.positionMs, onSceneS: opts.onSceneS, delayMs: delayOf(k) });
  }
  if (opts.flood) {
    const fl = opts.flood;
    const t = terminals.find((x) => x.deviceId === fl.deviceId);
    const cred = creds.terminals.find((x) => x.deviceId === fl.deviceId);
    if (!cred) throw new Error(`--flood: no terminal ${fl.deviceId} in ${file}`);
    startFlood(ctx, t ?? startTerminal(ctx, cred, 'flood-only'), fl.rate);
  }
  for (let i = 0; i < opts.badTokens; i++) startBadClient(ctx, i, creds);
  startJunk(ctx, terminals);
  if (opts.alarmsPerMin > 0) {
    const mean = 60_000 / opts.alarmsPerMin;
    const normal = terminals.filter((t) => t.role === 'normal');
    const next = (): void =>
      clock.after(poissonDelayMs(mean, ctx.rng), () => {
        const up = normal.filter((t) => t.socket.connected);
        if (up.length === 0) stats.add('alarm.skipped_none_connected');
        else void press(ctx, up[Math.floor(ctx.rng() * up.length)]!, 'alarm');
        next();
      });
    if (normal.length > 0) next();
  }

  console.log(
    `county: ${nTerm} terminals (${silent} silent), ${nUnits} units, heartbeat ${opts.heartbeatMs} ms, test press every ${opts.testEveryMin} min per terminal, ` +
      `${opts.alarmsPerMin} alarms/min` +
      (opts.badTokens ? `, ${opts.badTokens} bad-credential clients` : '') +
      (opts.junkRate ? `, ${opts.junkRate} junk/s` : '') +
      (opts.flood ? `, flood ${opts.flood.deviceId} at ${opts.flood.rate}/s` : '') +
      (opts.rampS ? `, connecting over ${opts.rampS} s` : '') +
      ` → ${opts.url}` +
      (opts.durationS !== undefined ? ` for ${opts.durationS} s` : ' until Ctrl-C'),
  );

  let allUpAfterS: number | undefined;
  const needTerminals = nTerm + (opts.flood && !terminals.some((t) => t.deviceId === opts.flood!.deviceId) ? 1 : 0);
  clock.every(250, () => {
    if (allUpAfterS !== undefined) return;
    if (stats.get('terminals.first_connects') >= needTerminals && stats.get('units.first_connects') >= nUnits) {
      allUpAfterS = elapsed();
      console.log(`every one of the ${needTerminals} terminals and ${nUnits} units has connected, the last after ${allUpAfterS.toFixed(1)} s`);
    }
  });
  clock.every(10_000, () => {
    console.log(summaryLine(stats, elapsed(), { terminals: needTerminals, units: nUnits }));
    stats.nextWindow();
  });

  await new Promise<void>((resolve) => {
    let stopping = false;
    const stop = (why: string): void => {
      if (stopping) return;
      stopping = true;
      const info: RunInfo = {
        terminals: nTerm,
        silent,
        units: nUnits,
        why,
        terminalsUp: stats.get('terminals.connected'),
        unitsUp: stats.get('units.connected'),
      };
      if (allUpAfterS !== undefined) info.allUpAfterS = allUpAfterS;
      clock.stop();
      for (const s of sockets) s.close();
      for (const line of finalSummary(stats, elapsed(), info)) console.log(line);
      console.log(JSON.stringify(summaryJson(stats, elapsed(), info)));
      const bad = stats.get('bad_auth.ACCEPTED') + stats.get('junk.ok');
      if (bad > 0) console.log(`WARNING: the station accepted ${bad} message(s) or handshake(s) it must refuse`);
      process.exitCode = bad > 0 ? 2 : 0;
      resolve();
    };
    if (opts.durationS !== undefined) clock.after(opts.durationS * 1000, () => stop(`--duration ${opts.durationS}`));
    process.once('SIGINT', () => {
      stop('Ctrl-C');
      process.once('SIGINT', () => process.exit(130));
    });
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
  // Sockets are closed and timers cleared; an ack timeout still pending would hold the loop a few seconds.
  setTimeout(() => process.exit(process.exitCode ?? 0), 1000).unref();
}

// test/fuzz — registry ids that are keys of Object.prototype: a terminal, a school or a unit whose id is
// `__proto__`, `constructor` or `toString`, registered through the admin import (console command admin:import) and
// through the station CLI (`npm run station -- --demo …`, which the running core picks up from the registry file),
// each on its own REAL core (a child process). Every combination is tried (18): the station may refuse such an id
// with a reason, or register it, and then it must work like any other id. Either way the station must stay whole,
// past its 1 s and 2 s timers and across a restart (harness.ts, wholeStationProblems).
import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, it, vi } from 'vitest';
import { connected, emitAck, ensureBuilt, FuzzStation, probeAlarmId, ReplicaConsole, sleep, socketTo, wellFormedAnswer, wholeStationProblems } from './harness';
import { brief } from './hostile';

const IDS = ['__proto__', 'constructor', 'toString'] as const;
const KINDS = ['terminal', 'school', 'unit'] as const;
const ROUTES = ['admin:import', 'cli'] as const;
type Kind = (typeof KINDS)[number];
type Route = (typeof ROUTES)[number];
const CASES = ROUTES.flatMap((route) => KINDS.flatMap((kind) => IDS.map((id) => ({ route, kind, id }))));

// Each case mostly waits (the core's timers, a restart): six at a time keep the file short without starving them.
vi.setConfig({ maxConcurrency: 6 });

const stations: FuzzStation[] = [];
beforeAll(() => ensureBuilt(), 300_000);
afterAll(async () => {
  for (const s of stations) await s.close();
});

/** Registers one record; `{ token }` for a device that got one, `{ refused }` with the station's reason. */
async function register(
  st: FuzzStation,
  route: Route,
  kind: Kind,
  id: string,
  schoolId: string,
): Promise<{ registered: boolean; token?: string; refused?: string }> {
  if (route === 'cli') {
    const args =
      kind === 'terminal'
        ? ['device', 'add', '--id', id, '--school', schoolId]
        : kind === 'school'
          ? ['school', 'add', '--id', id, '--name', '示例小学', '--type', 'primary', '--lat', '41.32', '--lng', '117.73']
          : ['unit', 'add', '--id', id, '--name', '示例巡逻车', '--callsign', 'FZ1', '--lat', '41.32', '--lng', '117.73'];
    const r = st.cli('--demo', ...args);
    if (r.code === 2) return { registered: false, refused: r.out.trim() };
    if (r.code !== 0) throw new Error(`station ${args.join(' ')} exited ${r.code} (neither done nor refused): ${r.out}`);
    // The running core re-reads the registry file when it changes (main/server.ts watchRegistry).
    await sleep(300);
    return { registered: true, ...(/token: (\S+)/.exec(r.out) ? { token: /token: (\S+)/.exec(r.out)![1] } : {}) };
  }
  const row: Record<string, unknown> =
    kind === 'terminal'
      ? { deviceId: id, schoolId }
      : kind === 'school'
        ? { id, name: '示例小学', type: 'primary', lat: 41.32, lng: 117.73 }
        : { id, name: '示例巡逻车', callsign: 'FZ1', lat: 41.32, lng: 117.73 };
  const admin = await connected(socketTo(st.url, '/console', { session: await st.session('admin'), since: 0 }));
  try {
    const r = await emitAck(admin, 'admin:import', [{ kind: `${kind}s`, format: 'json', text: JSON.stringify([row]) }], 10_000);
    if (r.timedOut) throw new Error('admin:import got no answer within 10 s');
    if (!wellFormedAnswer(r.answer)) throw new Error(`admin:import answered ${brief(r.answer)}`);
    const a = r.answer as { ok: boolean; credentials?: Record<string, string>; error?: { message: string } };
    if (!a.ok) return { registered: false, refused: brief(a.error) };
    const token = a.credentials && Object.hasOwn(a.credentials, id) ? a.credentials[id] : undefined;
    return { registered: true, ...(token ? { token } : {}) };
  } finally {
    admin.close();
  }
}

/** A registered terminal (or one at a registered school) works like any other: its alarm is acked and shown. */
async function terminalWorks(st: FuzzStation, deviceId: string, token: string): Promise<string | undefined> {
  let term: Socket | undefined;
  let replica: ReplicaConsole | undefined;
  try {
    replica = await ReplicaConsole.open(st.url, await st.session('officer'));
    term = await connected(socketTo(st.url, '/terminal', { deviceId, token }));
    const alarmId = probeAlarmId('reg');
    const r = await emitAck(term, 'alarm', [{ alarmId, kind: 'panic', raisedAt: Date.now() }]);
    if ((r.answer as { ok?: unknown } | undefined)?.ok !== true) return `terminal ${deviceId}: its alarm was not acked: ${brief(r)}`;
    await replica.waitForAlarm(alarmId);
    return undefined;
  } catch (e) {
    return `terminal ${deviceId}: ${(e as Error).message}`;
  } finally {
    term?.close();
    replica?.close();
  }
}

/** A registered unit works like any other: it connects with its token and its position is taken. */
async function unitWorks(st: FuzzStation, unitId: string, token: string): Promise<string | undefined> {
  let unit: Socket | undefined;
  try {
    unit = await connected(socketTo(st.url, '/unit', { unitId, token }));
    const r = await emitAck(unit, 'position', [{ lat: 41.32, lng: 117.73, at: Date.now() }]);
    return (r.answer as { ok?: unknown } | undefined)?.ok === true ? undefined : `unit ${unitId}: position not taken: ${brief(r)}`;
  } catch (e) {
    return `unit ${unitId}: ${(e as Error).message}`;
  } finally {
    unit?.close();
  }
}

describe.concurrent('registry ids that are keys of Object.prototype', () => {
  for (const { route, kind, id } of CASES)
    it(
      `${kind} "${id}" through ${route}: refused with a reason, or registered and working; the station stays whole`,
      { timeout: 90_000 },
      async ({ expect }) => {
        const st = new FuzzStation();
        stations.push(st);
        await st.startFresh();
        const problems: string[] = [];
        const schoolId = st.credentials.terminals[0]!.schoolId;
        const reg = await register(st, route, kind, id, schoolId);
        if (reg.registered) {
          // The core's timers (supervision 1 s, health 2 s) read the registry: let them run.
          await sleep(2500);
          if (!st.alive()) problems.push(`the core died after ${kind} ${id} was registered:\n${st.output().slice(-900)}`);
          else if (kind === 'terminal') {
            if (!reg.token) problems.push(`terminal ${id} was registered but its token was not given out`);
            else problems.push(...[await terminalWorks(st, id, reg.token)].filter((p): p is string => p !== undefined));
          } else if (kind === 'unit') {
            if (!reg.token) problems.push(`unit ${id} was registered but its token was not given out`);
            else problems.push(...[await unitWorks(st, id, reg.token)].filter((p): p is string => p !== undefined));
          } else {
            // A terminal at that school: its alarm names the school.
            const t = await register(st, route, 'terminal', `fz-at-${id.replace(/_/g, 'u')}`, id);
            if (!t.registered || !t.token) problems.push(`a terminal at school ${id} could not be registered: ${t.refused ?? 'no token'}`);
            else problems.push(...[await terminalWorks(st, `fz-at-${id.replace(/_/g, 'u')}`, t.token)].filter((p): p is string => p !== undefined));
          }
        } else if (!reg.refused || reg.refused.length === 0) problems.push('refused without a reason');
        problems.push(...(await wholeStationProblems(st, 1)));
        expect(problems).toEqual([]);
      },
    );
});

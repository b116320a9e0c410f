// test/fuzz — every console command (shared/consoleApi.ts, main/gateway/gateway.ts attachConsoleNamespace) sent by a
// logged-in operator of each role (officer, chief, trainer, admin) to the REAL core (a child process), with hostile
// ids (__proto__, constructor, toString, NUL, 100k characters, numbers, objects, arrays, null), wrong types, missing
// and extra fields, and wrong argument counts. After each command: the process is up, and a valid terminal's alarm is
// acked and folded by a console (a console that cannot fold the journal is blind). After each batch (one per role)
// the station must be whole (harness.ts). Every known command must also be answered, well-formed.
import fc from 'fast-check';
import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMAND_NAMES } from '../../shared/consoleContract';
import { DISPOSITIONS } from '../../shared/events';
import {
  connected,
  emitAck,
  ensureBuilt,
  FuzzStation,
  probeAlarm,
  ReplicaConsole,
  runProperty,
  sleep,
  socketTo,
  wellFormedAnswer,
  wholeStationProblems,
  timeout,
} from './harness';
import type { CoreProcess } from '../support/core';
import { brief, hostileId, pick, PROTO_IDS, resolveRefs, type Ref } from './hostile';

const ROLES = ['officer', 'chief', 'trainer', 'admin'] as const;
type RoleName = (typeof ROLES)[number];

const text = fc.oneof({ weight: 2, arbitrary: fc.constantFrom('现场正常 / all clear', 'ok') }, { weight: 3, arbitrary: hostileId });

const KINDS = ['schools', 'terminals', 'guardPosts', 'policeRooms', 'units'] as const;
/** Reference-data files whose one row has an id that is a key of Object.prototype; SCHOOL is a real school id. */
const importFile = fc
  .record({ id: fc.constantFrom(...PROTO_IDS), kind: fc.constantFrom('terminals', 'schools', 'units'), format: fc.constantFrom('json', 'csv') })
  .map(({ id, kind, format }) => {
    const row: Record<string, unknown> =
      kind === 'terminals'
        ? { deviceId: id, schoolId: '@SCHOOL@' }
        : kind === 'schools'
          ? { id, name: '示例', type: 'primary', lat: 41.3, lng: 117.7 }
          : { id, name: '示例', callsign: 'C1', lat: 41.3, lng: 117.7 };
    const body = format === 'json' ? JSON.stringify([row]) : `${Object.keys(row).join(',')}\r\n${Object.values(row).join(',')}\r\n`;
    return { kind, format, text: body };
  });

/** Each command's fields and what may go in them. */
const FIELDS: Record<string, Record<string, fc.Arbitrary<unknown>>> = {
  acknowledge: { incidentId: pick([], ['incident']) },
  shown: { incidentId: pick([], ['incident']) },
  acknowledgeFault: { deviceId: pick([], ['device']), fault: pick(['offline', 'tamper']) },
  mute: { reason: text },
  note: { incidentId: pick([], ['incident']), text },
  callBack: { incidentId: pick([], ['incident']), outcome: text },
  takeOver: { incidentId: pick([], ['incident']) },
  dispatch: { incidentId: pick([], ['incident']), unitId: pick([], ['unit']) },
  cancelDispatch: { incidentId: pick([], ['incident']), unitId: pick([], ['unit']), reason: text },
  progress: { incidentId: pick([], ['incident']), unitId: pick([], ['unit']), state: pick(['en_route', 'on_scene']) },
  resolve: { incidentId: pick([], ['incident']), disposition: pick(DISPOSITIONS), note: text },
  reopen: { incidentId: pick([], ['incident']), reason: text },
  'admin:setTargets': {
    profile: fc.oneof(
      hostileId,
      fc.record({
        showMs: pick([5000]),
        acknowledgeMs: pick([10_000]),
        dispatchMs: pick([60_000]),
        onSceneMs: pick([{ urban: 300_000, suburban: 600_000, rural: 1_200_000 }]),
        roadFactor: pick([1.3]),
        speedKmh: pick([40]),
      }),
    ),
  },
  // The station settings: a valid field or a hostile one, a map source of each kind (nothing listens on port 1).
  'admin:settings': {},
  'admin:tryMapSource': {
    source: fc.oneof(
      hostileId,
      fc.constantFrom({ kind: 'none' }, { kind: 'url', url: 'http://127.0.0.1:1/{z}/{x}/{y}.png' }, { kind: 'local', path: '/nonexistent/tiles.pmtiles' }),
    ),
  },
  'admin:saveSettings': {
    settings: fc.oneof(
      hostileId,
      fc.constantFrom(
        { volumes: { alarm: 70, drill: 40, fault: 40, link: 80 } },
        { volumes: { alarm: 0, drill: 0, fault: 0, link: 0 } },
        { stationName: '示例派出所' },
        { semesters: 'spring=03-01..07-15' },
        { timeZone: 'Asia/Shanghai' },
        { mapSource: { kind: 'none' } },
        { mapSource: { kind: 'url', url: 'http://127.0.0.1:1/{z}/{x}/{y}.png' } },
      ),
      fc.dictionary(fc.constantFrom('__proto__', 'constructor', 'port', 'stationName', 'volumes'), hostileId, { maxKeys: 2 }),
    ),
    force: pick([true, false]),
  },
  'admin:addTerminal': { deviceId: pick(['fz-term-1']), schoolId: pick([], ['school']), label: text },
  'admin:rotate': { id: pick([], ['device', 'unit']) },
  'admin:setDisabled': { id: pick([], ['device', 'unit']), disabled: pick([true, false]) },
  'admin:import': { kind: pick(KINDS), format: pick(['csv', 'json']), text },
  'admin:export': { kind: pick(KINDS), format: pick(['csv', 'json']) },
  // The admin's accounts and records (issue 14). Only accounts and records the fuzz makes itself are acted on (never the
  // operators whose consoles the fuzz holds, never terminal 0's school: refused in_use anyway), or hostile ones.
  'admin:operators': {},
  'admin:addOperator': { username: pick(['fz-op-1', 'fz-op-2']), displayName: text, role: pick(['officer', 'chief', 'trainer', 'admin']) },
  'admin:updateOperator': { username: pick(['fz-op-1']), displayName: text, role: pick(['officer', 'trainer']) },
  'admin:resetPassword': { username: pick(['fz-op-1', 'fz-op-2']) },
  'admin:setOperatorDisabled': { username: pick(['fz-op-1', 'fz-op-2']), disabled: pick([true, false]) },
  'admin:addUnit': {
    id: pick(['fz-unit-1']),
    name: text,
    callsign: text,
    lat: pick([41.3]),
    lng: pick([117.7]),
    hasDevice: pick([true, false]),
    postId: pick(['', 'post-x01']),
  },
  'admin:updateUnit': {
    id: pick(['fz-unit-1', 'unit-01']),
    name: text,
    callsign: text,
    lat: pick([41.3]),
    lng: pick([117.7]),
    postId: pick(['', 'post-x01']),
    stationId: pick(['', 'st-x']),
  },
  'admin:saveRecord': {
    kind: pick(['schools', 'guardPosts', 'policeRooms']),
    mode: pick(['add', 'edit']),
    row: fc.record({
      id: pick(['fz-rec-1'], ['school']),
      name: text,
      nameEn: text,
      type: pick(['primary', 'kindergarten']),
      address: text,
      lat: pick([41.3]),
      lng: pick([117.7]),
      area: pick(['urban', 'rural']),
      phone: text,
      schoolId: pick([], ['school']),
      days: pick([[1, 2, 3, 4, 5]]),
      windows: pick([[{ start: '07:10', end: '08:10' }]]),
      kind: pick(['police_room', 'kiosk']),
    }),
  },
  'admin:deleteRecord': { kind: pick(['schools', 'guardPosts', 'policeRooms']), id: pick(['fz-rec-1'], ['school']) },
  // The read-only queries: a valid period (a day either side of now) or a hostile one, with hostile filters.
  stats: {
    from: pick([Date.now() - 86_400_000]),
    to: pick([Date.now() + 86_400_000]),
    class: pick(['real', 'drill', 'test']),
    groupBy: pick(['none', 'school', 'unit', 'officer', 'shift', 'hour', 'weekday', 'week', 'month', 'station']),
    schoolIds: fc.array(pick([], ['school']), { maxLength: 3 }),
  },
  history: {
    from: pick([Date.now() - 86_400_000]),
    to: pick([Date.now() + 86_400_000]),
    class: pick(['real', 'drill', 'test']),
    offset: pick([0, 3]),
    limit: pick([1, 50, 200]),
    ids: fc.array(pick([], ['incident']), { maxLength: 3 }),
    unitId: pick([], ['unit']),
    state: pick(['open', 'resolved']),
  },
  incident: { incidentId: pick([], ['incident']) },
  'inspection:record': {
    schoolId: pick([], ['school']),
    date: pick(['2026-11-30']),
    police: text,
    education: text,
    findings: fc.array(fc.record({ text, deadline: pick(['2026-12-15']) }), { maxLength: 2 }),
  },
  'inspection:close': { inspectionId: hostileId, findingId: pick(['F1']), note: text },
  inspections: { from: pick(['2026-09-01']), to: pick(['2027-01-15']) },
  'drill:register': { schoolId: pick([], ['school']), date: pick(['2026-11-30']), kind: pick(['earthquake', 'fire', 'anti_violence', 'other']), note: text },
  // A guard post of the demo county (shared/sampleCounty.ts names them post-<school code>) or a hostile id.
  'drillWindow:register': {
    schoolId: pick([], ['school']),
    from: pick([Date.now() + 60_000]),
    to: pick([Date.now() + 3_600_000]),
    note: text,
  },
  'drillWindow:cancel': { windowId: hostileId, reason: text },
  'post:check': { postId: pick(['post-x01', 'post-c01']), state: pick(['in', 'out']) },
  'training:record': {
    trainee: text,
    scenario: text,
    speed: pick([1, 5, 10]),
    startedAt: pick([Date.now() - 60_000]),
    notShown: pick([0, 1]),
    rows: fc.array(
      fc.record({
        schoolId: pick([], ['school']),
        kind: pick(['panic', 'violence']),
        acknowledgeMs: pick([4000]),
        acknowledgeMet: pick([true, false]),
        dispatchMet: pick([true, false]),
        resolved: pick([true, false]),
      }),
      { maxLength: 2 },
    ),
  },
  'training:results': { trainee: text },
  'training:consoles': {},
  'training:assign': {
    username: pick(['officer', 'officer2', 'trainer']),
    speed: pick([1, 5, 10]),
    scenario: fc.record({
      version: pick([1]),
      name: text,
      alarms: fc.array(fc.record({ at: pick([0, 5]), schoolId: pick([], ['school']), kind: pick(['panic', 'fire']) }), { minLength: 1, maxLength: 2 }),
    }),
  },
  'training:unitDispatch': {
    jobId: pick(['TRN-fuzz-1', 'TRN-fuzz-2']),
    unitId: pick([], ['unit']),
    schoolId: pick([], ['school']),
    kind: pick(['panic', 'fire']),
  },
  'training:unitRelease': { jobId: pick(['TRN-fuzz-1', 'TRN-fuzz-2']) },
  plan: {
    from: pick(['2026-09-01']),
    to: pick(['2027-01-15']),
    fromMs: pick([Date.now() - 86_400_000]),
    toMs: pick([Date.now() + 86_400_000]),
  },
};
const COMMANDS = Object.keys(FIELDS);
// Every command of the contract is fuzzed: a new one without FIELDS fails here.
const MISSING = COMMAND_NAMES.filter((c) => !COMMANDS.includes(c));
/** Events no handler listens for. */
const UNKNOWN = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'hello', 'records', 'admin:nothing', 'admin:', 'x'.repeat(1000)];

const extraFields = fc.dictionary(fc.constantFrom('__proto__', 'constructor', 'toString', 'operator', 'role', 'at', 'seq', 'type', 'x'), hostileId, {
  maxKeys: 2,
});

/** { cmd, args }: the command and the arguments it is emitted with (an ack callback is added for known commands). */
const commandCall = fc.oneof(
  {
    weight: 9,
    arbitrary: fc.constantFrom(...COMMANDS).chain((cmd) => {
      const fields = FIELDS[cmd]!;
      const payload = fc.oneof(
        { weight: 6, arbitrary: fc.tuple(fc.record(fields, { requiredKeys: Object.keys(fields) }), extraFields).map(([f, x]) => ({ ...x, ...f })) },
        { weight: 2, arbitrary: fc.record(fields, { requiredKeys: [] }) },
        { weight: 2, arbitrary: cmd === 'admin:import' ? importFile : hostileId },
        { weight: 1, arbitrary: hostileId },
      );
      const args = fc.oneof(
        { weight: 8, arbitrary: payload.map((p) => [p]) },
        { weight: 1, arbitrary: fc.constant([]) },
        { weight: 1, arbitrary: fc.tuple(payload, hostileId) },
      );
      return args.map((a) => ({ cmd, args: a as unknown[] }));
    }),
  },
  { weight: 1, arbitrary: fc.record({ cmd: fc.constantFrom(...UNKNOWN), args: fc.array(hostileId, { maxLength: 2 }) }) },
);

// ---------------------------------------------------------------------------------------------------------

let st: FuzzStation;
/** The connections of the current core: one console per role, a probe terminal and a console that folds. */
let conn: { core: CoreProcess; consoles: Map<RoleName, Socket>; term: Socket; replica: ReplicaConsole } | undefined;
const incidents: string[] = [];
/** Set by a run whose checks failed: the next run starts on a fresh data folder. */
let poisoned: string | undefined;
/** Known commands that went unanswered or were answered in another shape (reported by their own test). */
const badAnswers: string[] = [];
/** Command/argument-count pairs already seen unanswered: waited for briefly after that, so they do not eat the budget. */
const unanswered = new Set<string>();

function closeConnections(): void {
  if (!conn) return;
  for (const s of conn.consoles.values()) s.close();
  conn.term.close();
  conn.replica.close();
  conn = undefined;
}

async function ready(): Promise<NonNullable<typeof conn>> {
  if (poisoned) {
    closeConnections();
    incidents.length = 0;
    await st.ensureUp(poisoned);
    poisoned = undefined;
  } else await st.ensureUp();
  if (conn && conn.core === st.core && conn.term.connected && conn.replica.socket.connected && [...conn.consoles.values()].every((s) => s.connected))
    return conn;
  closeConnections();
  const consoles = new Map<RoleName, Socket>();
  for (const role of ROLES) consoles.set(role, await connected(socketTo(st.url, '/console', { session: await st.session(role), since: 0 })));
  const t = st.credentials.terminals[0]!;
  const term = await connected(socketTo(st.url, '/terminal', { deviceId: t.deviceId, token: t.token }));
  const replica = await ReplicaConsole.open(st.url, await st.session('officer'));
  conn = { core: st.core, consoles, term, replica };
  // A few open incidents for the commands to act on.
  while (incidents.length < 3) {
    // Not 'test': the station closes a test press at once (issue 11), and the commands need open incidents.
    const r = await emitAck(term, 'alarm', [{ alarmId: `seed-${Date.now()}-${incidents.length}`, kind: 'other', raisedAt: Date.now() }]);
    const id = (r.answer as { incidentId?: string } | undefined)?.incidentId;
    if (!id) throw new Error(`could not raise an alarm to act on: ${JSON.stringify(r)}`);
    incidents.push(id);
  }
  return conn;
}

function lookup(r: Ref): string {
  const c = st.credentials;
  switch (r.ref) {
    case 'incident':
      return incidents[r.n % incidents.length] ?? 'none';
    case 'unit':
      return c.units[r.n % c.units.length]!.unitId;
    case 'device':
      // Never terminal 0: it is the probe, and the batch checks use it.
      return c.terminals[1 + (r.n % (c.terminals.length - 1))]!.deviceId;
    case 'school':
      return c.terminals[r.n % c.terminals.length]!.schoolId;
  }
}

/** One command from one role; throws what broke. */
async function send(role: RoleName, cmd: string, rawArgs: unknown[]): Promise<void> {
  const c = await ready();
  const school = st.credentials.terminals[1]!.schoolId;
  const args = (resolveRefs(rawArgs, lookup) as unknown[]).map((a) =>
    typeof a === 'object' && a !== null && typeof (a as { text?: unknown }).text === 'string'
      ? { ...a, text: (a as { text: string }).text.replaceAll('@SCHOOL@', school) }
      : a,
  );
  const sock = c.consoles.get(role)!;
  const problems: string[] = [];
  let changedRegistry = false;
  if (Object.hasOwn(FIELDS, cmd)) {
    const key = `${cmd}/${args.length}`;
    // Every call gets the same 5 s to be answered (a wrong argument count is refused at once, but a clean clone's
    // `npm test` on 2 cores once took over 2 s to answer one carrying a 100,000-character payload); a call like one
    // that went unanswered gets 300 ms, so a command that never answers does not cost 5 s each time.
    const r = await emitAck(sock, cmd, args, unanswered.has(key) ? 300 : 5000);
    if (r.timedOut) unanswered.add(key);
    if (r.timedOut || !wellFormedAnswer(r.answer)) badAnswers.push(`${role} ${cmd} ${brief(args)} → ${r.timedOut ? 'no answer' : brief(r.answer)}`);
    changedRegistry = cmd.startsWith('admin:') && cmd !== 'admin:export' && (r.answer as { ok?: unknown } | undefined)?.ok === true;
  } else sock.emit(cmd, ...args);
  // A registry change reaches the core's 1 s and 2 s timers (supervision, health): let them run once.
  await sleep(changedRegistry ? 2500 : 20);
  if (!st.alive()) problems.push(`the core process died; last output:\n${st.output().slice(-900)}`);
  else {
    const p = await probeAlarm(c.term, c.replica);
    if (p) problems.push(p);
    else incidents.push([...c.replica.alarmIds.values()].at(-1)!);
    if (incidents.length > 16) incidents.splice(0, incidents.length - 16);
  }
  if (problems.length > 0) {
    poisoned = `after ${role} ${cmd} ${brief(args).slice(0, 200)}: ${problems[0]!.slice(0, 300)}`;
    throw new Error(`${role} ${cmd} ${brief(args).slice(0, 300)}:\n${problems.join('\n')}`);
  }
}

beforeAll(async () => {
  ensureBuilt();
  st = new FuzzStation();
  await st.startFresh();
}, 300_000);
afterAll(async () => {
  closeConnections();
  await st?.close();
});

for (const role of ROLES) {
  describe(`console commands as ${role}`, () => {
    it(
      `no command from ${role} ends the process or keeps a valid alarm from a console`,
      async () => {
        await runProperty(
          `console: commands as ${role}`,
          fc.asyncProperty(commandCall, async ({ cmd, args }) => {
            await send(role, cmd, args);
          }),
          { numRuns: 100, timeLimitMs: 12_000 },
        );
      },
      timeout(90_000),
    );

    it(
      'afterwards the station is whole (alive, health, alarm → console, verify, restart)',
      async () => {
        closeConnections();
        expect(await wholeStationProblems(st)).toEqual([]);
      },
      timeout(60_000),
    );
  });
}

describe('console commands: the instances of issue 9, one by one', () => {
  // Finding 2, tried on every run whatever the seed.
  it.each([
    ['trainer', 'shown', '__proto__'],
    ['officer', 'shown', 'constructor'],
    ['officer', 'acknowledge', '__proto__'],
    ['officer', 'acknowledge', 'constructor'],
    ['officer', 'shown', 'toString'],
    ['chief', 'acknowledge', 'hasOwnProperty'],
    ['chief', 'takeOver', 'toString'],
    ['officer', 'note', 'hasOwnProperty'],
  ] as const)(
    '%s %s { incidentId: %s } leaves every console able to show a new alarm',
    async (role, cmd, id) => {
      await send(role, cmd, [{ incidentId: id, text: 'x' }]);
    },
    timeout(30_000),
  );
});

describe('console commands: answers', () => {
  it('every known command got a well-formed answer ({ ok: true } or { ok: false, error: { code, message } })', () => {
    // Collected over all the runs above; the shortest first, as the smallest counterexamples.
    const shortest = [...new Set(badAnswers)].sort((a, b) => a.length - b.length).slice(0, 8);
    expect(shortest).toEqual([]);
  });
  it('every command of the contract is fuzzed', () => {
    expect(MISSING).toEqual([]);
  });
});

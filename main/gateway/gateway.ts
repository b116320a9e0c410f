// main/ (core, Node) — the socket.io gateway: `/terminal` and `/unit` (station protocol v1) and `/console` (operators).
// Every handler is wrapped: bad input gets a refusal, a thrown error is logged, nothing crashes the core.
import { performance } from 'node:perf_hooks';
import type { DefaultEventsMap, Namespace, Server, Socket } from 'socket.io';
import {
  CONSOLE_PAGE_ID_PATTERN,
  type ConsoleAuth,
  type ConsoleServerEvents,
  type ConsoleSettings,
  type HealthChange,
  type UnitLive,
} from '../../shared/consoleApi';
import {
  admitCommand,
  COMMAND_NAMES,
  type CommandName,
  type ConsoleClientEvents,
  type CommandOrigin,
  type ConsoleHandlers,
  type ConsoleRequest,
  type TrainingAssignAck,
} from '../../shared/consoleContract';
import { can } from '../../shared/roles';
import type { TrainingAssignment, TrainingUnitUpdate } from '../../shared/training';
import type { JournalRecord, OperatorRef } from '../../shared/events';
import { ALL_STATIONS, eventStation, type StationScope } from '../../shared/stations';
import {
  parseTerminalAuth,
  parseUnitAuth,
  refusal,
  type AlarmStatus,
  type ParseResult,
  type UnitDispatch,
  type UnitDispatchCancel,
} from '../../shared/protocol';
import { HandshakeGate } from './admission';
import { ReadBudget } from './readBudget';
import { RateLimiter } from '../core/rateLimit';
import type { Sessions } from '../core/sessions';
import { describeProblem } from '../core/journal';
import { toSnapshot, type Incident } from '../../shared/incidents';
import type { Station } from '../core/station';
import type { TrainingJob } from '../core/trainingUnits';
import type { SettingsAdmin } from '../core/settingsAdmin';
import { otherStation } from '../core/stationScope';

const DELIVERY_TIMEOUT_MS = 4000;
const RESEND_MS = 5000;
/** A console missing more records than this gets a state snapshot instead (see toSnapshot). */
export const SNAPSHOT_AFTER_RECORDS = 5000;

type Ack = (answer: unknown) => void;

/** Calls the ack if the sender asked for one; a sender without a callback still gets its message processed. */
function answer(ack: unknown, value: unknown): void {
  if (typeof ack === 'function') (ack as Ack)(value);
}

/**
 * Wraps a handler: the ack is the last argument when it is a function (socket.io puts it last), exactly one
 * payload is expected, and a thrown error is logged and answered, never allowed to crash the core.
 */
function guarded(name: string, fn: (payload: unknown, ack: unknown) => void) {
  return (...args: unknown[]): void => {
    const ack = typeof args[args.length - 1] === 'function' ? args.pop() : undefined;
    if (args.length !== 1) {
      answer(ack, refusal('invalid_payload', `${name} takes exactly one payload argument, got ${args.length}`));
      return;
    }
    try {
      fn(args[0], ack);
    } catch (e) {
      console.error(`gateway: ${name} failed:`, e);
      answer(ack, refusal('invalid_payload', `the station could not process ${name}`));
    }
  };
}

/**
 * Answers a refused handshake with `unauthorized` (and nothing more), after `delayMs` (HandshakeGate). A held
 * refusal keeps its connection open, so the gate is told: under a flood such a connection gives its place to a
 * newcomer (main/gateway/admission.ts), which may be a valid device behind the same NAT.
 */
function refuseAfter(gate: HandshakeGate, socket: Socket, delayMs: number, next: (err?: Error) => void): void {
  const refuse = (): void => next(new Error('unauthorized'));
  if (delayMs > 0) {
    gate.onHold?.(socket.conn);
    setTimeout(refuse, delayMs);
  } else refuse();
}

/** What the handshake of a device namespace leaves on its socket. */
interface DeviceData {
  id: string;
  /** The secret hash the device authenticated with: a later event under other credentials is cut off. */
  secretHash: string;
}
type DeviceSocket = Socket<DefaultEventsMap, DefaultEventsMap, DefaultEventsMap, Partial<DeviceData>>;

/** The registrations of one device connection: events the device may send, and whether they are rate-limited. */
interface DeviceEvents {
  /** Not rate-limited (an alarm): `fn` answers through `ack` itself. */
  on(name: string, fn: (payload: unknown, ack: unknown) => void): void;
  /** Passes the device's token bucket first; `fn`'s result is the answer. */
  limited(name: string, fn: (payload: unknown) => unknown): void;
}

/** How `/terminal` and `/unit` differ; everything else about a device namespace is attachDevices'. */
interface DeviceKind {
  nsp: '/terminal' | '/unit';
  /** `terminal` or `unit`: the gate's key prefix, and the name in log lines. */
  kind: 'terminal' | 'unit';
  /** The room of one device's sockets. */
  room(id: string): string;
  parseAuth(auth: unknown): ParseResult<{ id: string; token: string }>;
  /** The hash of the device's current credentials; undefined when it is unknown or disabled (no hashing). */
  currentHash(id: string): string | undefined;
  /** The full credential check; the hash the device authenticated with, or undefined when refused. */
  verify(id: string, token: string): Promise<string | undefined>;
  connected(socket: DeviceSocket, id: string, events: DeviceEvents): void;
  disconnected(id: string): void;
}

/**
 * A device namespace (`/terminal`, `/unit`): the handshake through `gate` (main/gateway/admission.ts; the core passes one
 * gate to both, so their scrypt checks share its bounds), the re-check of the credentials on every event, the rate
 * limit, and unknown events. Revoked devices (rotated, disabled, removed) are cut off at once.
 */
function attachDevices(
  io: Server,
  station: Station,
  gate: HandshakeGate,
  k: DeviceKind,
  reads: ReadBudget,
): Namespace<DefaultEventsMap, DefaultEventsMap, DefaultEventsMap, Partial<DeviceData>> {
  const nsp: Namespace<DefaultEventsMap, DefaultEventsMap, DefaultEventsMap, Partial<DeviceData>> = io.of(k.nsp);
  // Runs on every connection, including reconnections (connection-state recovery is not enabled),
  // so a rotated or disabled device can never get back in.
  nsp.use((socket, next) => {
    const addr = socket.handshake.address;
    const auth = k.parseAuth(socket.handshake.auth);
    if (!auth.ok) return refuseAfter(gate, socket, gate.malformed(addr), next);
    const { id, token } = auth.value;
    gate
      .check({ addr, key: `${k.kind}:${id}`, token, current: () => k.currentHash(id), verify: () => k.verify(id, token) })
      .then(({ ok: secretHash, delayMs }) => {
        if (secretHash === undefined) return refuseAfter(gate, socket, delayMs, next);
        socket.data.id = id;
        socket.data.secretHash = secretHash;
        next();
      })
      .catch((e: unknown) => {
        console.error(`gateway: ${k.kind} handshake check failed:`, e);
        refuseAfter(gate, socket, 0, next);
      });
  });

  nsp.on('connection', (socket) => {
    const { id, secretHash } = socket.data;
    if (id === undefined || secretHash === undefined) return void socket.disconnect(true);
    void socket.join(k.room(id));
    socket.on('disconnect', () => k.disconnected(id));
    // A device flooding messages is read more slowly (never refused): it cannot take the loop from the others.
    reads.watch(socket, `${k.kind}:${id}`);
    // Every event re-checks that the credentials of this handshake are still the device's current ones:
    // a rotated or disabled device gets not one more event in, however the registry was changed.
    socket.use((_packet, next) => {
      if (k.currentHash(id) !== secretHash) {
        socket.disconnect(true);
        return;
      }
      next();
    });
    const known = new Set<string>();
    k.connected(socket, id, {
      on(name, fn) {
        known.add(name);
        socket.on(name, guarded(name, fn));
      },
      limited(name, fn) {
        known.add(name);
        socket.on(
          name,
          guarded(name, (p, ack) => {
            if (!station.devices.allowEvent(id)) return answer(ack, refusal('rate_limited', `too many ${name} messages; slow down`));
            answer(ack, fn(p));
          }),
        );
      },
    });
    socket.onAny((event: unknown, ...rest: unknown[]) => {
      if (typeof event === 'string' && known.has(event)) return;
      // Unknown events are ignored (future protocol versions may add some), logged, and count against the limit.
      const name = String(event).slice(0, 64);
      if (station.devices.allowEvent(id)) console.warn(`gateway: ${k.kind} ${id} sent unknown event "${name}"; ignored`);
      answer(rest[rest.length - 1], refusal('invalid_payload', `unknown event "${name}"`));
    });
  });

  // A rotated or disabled device is cut off at once; its next handshake runs the middleware again.
  station.subscribe({
    registryChanged: (revoked) => {
      for (const id of revoked) nsp.in(k.room(id)).disconnectSockets(true);
    },
  });
  return nsp;
}

export function attachTerminalNamespace(
  io: Server,
  station: Station,
  now: () => number = Date.now,
  gate = new HandshakeGate(now),
  reads = new ReadBudget(() => performance.now()),
): void {
  const nsp = attachDevices(
    io,
    station,
    gate,
    {
      nsp: '/terminal',
      kind: 'terminal',
      room: (deviceId) => `dev:${deviceId}`,
      parseAuth: (auth) => {
        const a = parseTerminalAuth(auth);
        return a.ok ? { ok: true, value: { id: a.value.deviceId, token: a.value.token } } : a;
      },
      currentHash: (deviceId) => {
        const t = station.registry.terminal(deviceId);
        return t && !t.disabled ? t.secret.hash : undefined;
      },
      verify: async (deviceId, token) => (await station.registry.authenticateTerminal(deviceId, token))?.secret.hash,
      connected: (socket, deviceId, events) => {
        station.devices.connected(deviceId);
        // A terminal that reconnects hears the latest state of each of its open alarms again.
        for (const inc of station.openIncidentsOf(deviceId)) socket.emit('alarm:status', station.statusOf(inc) satisfies AlarmStatus);
        // An alarm is never rate-limited.
        events.on('alarm', (p, ack) => {
          const r = station.terminals.pressAlarm(deviceId, p);
          if (r instanceof Promise) {
            r.then((v) => answer(ack, v)).catch((e: unknown) => {
              console.error('gateway: alarm failed:', e);
              answer(ack, refusal('not_durable', 'the station could not process the alarm; retry with the same alarmId'));
            });
          } else answer(ack, r);
        });
        events.limited('heartbeat', (p) => station.terminals.receiveHeartbeat(deviceId, p));
        events.limited('cancel', (p) => station.terminals.receiveCancel(deviceId, p));
      },
      disconnected: (deviceId) => station.devices.disconnected(deviceId),
    },
    reads,
  );

  station.subscribe({
    alarmStatus: (deviceId, status) => {
      nsp.to(`dev:${deviceId}`).emit('alarm:status', status);
    },
  });
}

/** Where a unit is sent: the school from the registry, at the alarm's own location when it gave one. */
function dispatchSchool(station: Station, schoolId: string, location?: { lat: number; lng: number }): UnitDispatch['school'] {
  const school = station.registry.school(schoolId);
  return {
    id: schoolId,
    name: school?.name ?? schoolId,
    address: school?.address ?? '',
    lat: location?.lat ?? school?.lat ?? 0,
    lng: location?.lng ?? school?.lng ?? 0,
  };
}

/** What a unit is sent for a dispatch to an incident (docs/protocol.md, `dispatch`). */
function dispatchPayload(station: Station, unitId: string, inc: Incident): UnitDispatch {
  return {
    incidentId: inc.id,
    school: dispatchSchool(station, inc.schoolId, inc.location),
    kind: inc.kind,
    priority: inc.drill || inc.kind === 'test' ? 3 : inc.kind === 'other' ? 2 : 1,
    drill: inc.drill,
    at: inc.dispatches.find((d) => d.unitId === unitId)?.dispatchedAt ?? inc.receivedAt,
  };
}

/** Returns a function that stops the re-send timer. */
export function attachUnitNamespace(
  io: Server,
  station: Station,
  now: () => number = Date.now,
  gate = new HandshakeGate(now),
  reads = new ReadBudget(() => performance.now()),
): () => void {
  const socketsOf = (unitId: string): DeviceSocket[] => [...nsp.sockets.values()].filter((s) => s.data.id === unitId);
  const deliver = (unitId: string, inc: Incident): void => {
    const payload = dispatchPayload(station, unitId, inc);
    for (const s of socketsOf(unitId)) {
      s.timeout(DELIVERY_TIMEOUT_MS).emit('dispatch', payload, (err: Error | null, ans: unknown) => {
        if (!err) station.units.dispatchAnswered(unitId, inc.id, ans);
      });
    }
  };
  const nsp = attachDevices(
    io,
    station,
    gate,
    {
      nsp: '/unit',
      kind: 'unit',
      room: (unitId) => `unit:${unitId}`,
      parseAuth: (auth) => {
        const a = parseUnitAuth(auth);
        return a.ok ? { ok: true, value: { id: a.value.unitId, token: a.value.token } } : a;
      },
      currentHash: (unitId) => {
        const u = station.registry.unit(unitId);
        return u && !u.disabled && u.secret ? u.secret.hash : undefined;
      },
      verify: async (unitId, token) => (await station.registry.authenticateUnit(unitId, token))?.secret?.hash,
      connected: (_socket, unitId, events) => {
        station.units.connected(unitId, true);
        // A unit that (re)connects gets every dispatch it has not acked yet, a training job's too.
        for (const p of station.units.pendingDeliveries(unitId)) deliver(unitId, p.incident);
        for (const job of station.units.training.unanswered(unitId)) deliverTraining(job);
        events.limited('position', (p) => station.units.receivePosition(unitId, p));
        events.limited('status', (p) => station.units.receiveStatus(unitId, p));
      },
      disconnected: (unitId) => station.units.connected(unitId, false),
    },
    reads,
  );
  /** dispatch:cancel is re-sent until the unit acks it (or a few minutes have passed). */
  const cancels = new Map<string, { unitId: string; payload: UnitDispatchCancel; tries: number }>();
  const sendCancel = (key: string): void => {
    const c = cancels.get(key);
    if (!c) return;
    c.tries++;
    for (const s of socketsOf(c.unitId)) {
      s.timeout(DELIVERY_TIMEOUT_MS).emit('dispatch:cancel', c.payload, (err: Error | null) => {
        if (!err) cancels.delete(key);
      });
    }
    if (c.tries > 60) cancels.delete(key);
  };
  /** A training job on a real unit (main/core/trainingUnits.ts): a dispatch marked drill whose incident is the job. */
  const deliverTraining = (job: TrainingJob): void => {
    const payload: UnitDispatch = {
      incidentId: job.jobId,
      school: dispatchSchool(station, job.schoolId),
      kind: job.kind as UnitDispatch['kind'],
      priority: 3,
      drill: true,
      at: job.at,
    };
    for (const s of socketsOf(job.unitId)) {
      s.timeout(DELIVERY_TIMEOUT_MS).emit('dispatch', payload, (err: Error | null, ans: unknown) => {
        if (!err) station.units.training.answered(job.unitId, job.jobId, ans);
      });
    }
  };
  const stopTraining = station.units.training.onDelivery((job, what, reason) => {
    if (what === 'send') return deliverTraining(job);
    const key = `${job.unitId}/${job.jobId}`;
    const why = reason === 'real_incident' ? '真实警情优先 / a real incident comes first' : '训练结束 / training over';
    cancels.set(key, { unitId: job.unitId, payload: { incidentId: job.jobId, reason: why, at: now() }, tries: 0 });
    sendCancel(key);
  });
  const resend = setInterval(() => {
    for (const p of station.units.pendingDeliveries()) deliver(p.unitId, p.incident);
    for (const key of cancels.keys()) sendCancel(key);
  }, RESEND_MS);
  resend.unref();
  station.subscribe({
    record: ({ event: e }) => {
      if (e.type === 'incident.dispatched') {
        // A real dispatch always wins: the unit's training job (if any) is withdrawn first.
        station.units.training.realDispatch(e.unitId);
        const inc = e.mode === 'device' ? station.snapshot.incidents.get(e.incidentId) : undefined;
        if (inc) deliver(e.unitId, inc);
      } else if (e.type === 'dispatch.cancelled') {
        const key = `${e.unitId}/${e.incidentId}`;
        cancels.set(key, { unitId: e.unitId, payload: { incidentId: e.incidentId, reason: e.reason, at: e.at }, tries: 0 });
        sendCancel(key);
      }
    },
  });
  return () => {
    clearInterval(resend);
    stopTraining();
  };
}

/** What the console handshake leaves on its socket. */
interface ConsoleData {
  operator: OperatorRef;
  sid: string;
  /** What this console sees of the county's stations (main/core/stationScope.ts), from the operator's account. */
  scope: StationScope;
  /** The console page (ConsoleAuth.page), or this connection's own id when it sent none. */
  page: string;
}

/**
 * The room of the consoles of one scope (every console is also in `live`): `live:all` the county's, `live:st:<id>` one
 * station's. Socket.io keeps rooms in a Map, so any station id is an ordinary key.
 */
const ALL_ROOM = 'live:all';
const STATION_ROOM = 'live:st:';
const scopeRoom = (scope: StationScope): string => (scope.all ? ALL_ROOM : STATION_ROOM + scope.stationId);
const sameScope = (a: StationScope, b: StationScope): boolean => (a.all ? b.all : !b.all && a.stationId === b.stationId);

/** What the core pushes to consoles beside the records, each console getting its own station's part (server.ts). */
export interface ConsolePush {
  healthChanged(change: HealthChange): void;
  units(units: readonly UnitLive[]): void;
}

/**
 * Runs one console command: the ack last and exactly one payload (as `guarded`), then the command's permission
 * (CONSOLE_CONTRACT, shared/roles.ts; an operator who may not use it learns nothing about its payload), then its
 * schema, then the core with the parsed request. Thrown errors are logged and answered, never fatal.
 */
function runCommand<K extends CommandName>(name: K, handlers: ConsoleHandlers, operator: OperatorRef, args: unknown[], from: CommandOrigin): void {
  const ack = typeof args[args.length - 1] === 'function' ? args.pop() : undefined;
  if (args.length !== 1) return answer(ack, refusal('invalid_payload', `${name} takes exactly one payload argument, got ${args.length}`));
  const req = admitCommand(name, operator, args[0]);
  if (!req.ok) return answer(ack, req);
  const failed = (e: unknown): void => {
    console.error(`gateway: ${name} failed:`, e);
    answer(ack, refusal('invalid_payload', `the station could not process ${name}`));
  };
  try {
    const r = handlers[name](operator, req.value, from);
    if (r instanceof Promise) r.then((v) => answer(ack, v), failed);
    else answer(ack, r);
  } catch (e) {
    failed(e);
  }
}

/**
 * Console commands a session may send, beyond a burst of CONSOLE_COMMAND_BURST: this many a second (a token bucket
 * per session, shared by its tabs). Far above any person's pace, and a console's own bursts (a statistics page asks
 * a handful at once, an export of 10,000 incidents 50 pages of history; the console asks a refused read again); a
 * script or a console stuck in a loop is refused `rate_limited` beyond it, so it can neither fill the journal and
 * the disk nor bury every console under records. The commands that only move an alarm along are never refused for it
 * (UNBUDGETED_COMMANDS): the incident's state bounds each (once per incident or fault; a unit dispatched again only
 * after it declined or was withdrawn), and an officer at work must never wait for a budget.
 */
export const CONSOLE_COMMANDS_PER_SECOND = 10;
export const CONSOLE_COMMAND_BURST = 120;
export const UNBUDGETED_COMMANDS: ReadonlySet<CommandName> = new Set<CommandName>([
  'shown',
  'acknowledge',
  'acknowledgeFault',
  'dispatch',
  'progress',
  'resolve',
]);

/**
 * Training updates kept for a console page with no connection (each job ends once), and pages kept: a page gone, the
 * real units on the training jobs it sent are released at once (a reloaded page has no run to finish them), and the
 * page back (the same page after a blip of the network) is told what ended meanwhile.
 */
const MISSED_TRAINING_UPDATES = 200;
const MISSED_TRAINING_PAGES = 1000;

export function attachConsoleNamespace(
  io: Server,
  station: Station,
  sessions: Sessions,
  now: () => number,
  journalId: string,
  settings: ConsoleSettings,
  /** The station settings on the admin screen (main/core/settingsAdmin.ts); without it those commands are refused. */
  settingsAdmin?: SettingsAdmin,
): ConsolePush {
  const noSettings = () => refusal('invalid_payload', 'this station was started without a settings file');
  const nsp: Namespace<ConsoleClientEvents, ConsoleServerEvents, DefaultEventsMap, Partial<ConsoleData>> = io.of('/console');
  const commandBudget = new RateLimiter(CONSOLE_COMMANDS_PER_SECOND, CONSOLE_COMMAND_BURST);
  // One handler per command of the contract (a missing or misspelled one fails the typecheck). Roles and the
  // incident's state are checked in the station, against the operator of this session, not anything the page says.
  const handlers = {
    acknowledge: (op, r) => station.operators.acknowledge(op, r.incidentId),
    shown: (op, r) => station.operators.markShown(op, r.incidentId),
    acknowledgeFault: (op, r) => station.operators.acknowledgeFault(op, r.deviceId, r.fault),
    mute: (op, r) => station.operators.mute(op, r.reason),
    note: (op, r) => station.operators.addNote(op, r.incidentId, r.text),
    callBack: (op, r) => station.operators.recordCallBack(op, r.incidentId, r.outcome),
    takeOver: (op, r) => station.operators.takeOver(op, r.incidentId),
    dispatch: (op, r) => station.operators.dispatchUnit(op, r.incidentId, r.unitId),
    cancelDispatch: (op, r) => station.operators.cancelDispatch(op, r.incidentId, r.unitId, r.reason),
    progress: (op, r) => station.operators.recordProgress(op, r.incidentId, r.unitId, r.state),
    resolve: (op, r) => station.operators.resolve(op, r.incidentId, r.disposition, r.note, r.override),
    reopen: (op, r) => station.operators.reopen(op, r.incidentId, r.reason),
    'admin:setTargets': (op, r) => {
      const done = station.admin.setTargets(op, r.profile);
      if (done.ok) settingsAdmin?.targetsChanged();
      return done;
    },
    'admin:settings': (op, r) => settingsAdmin?.view(op, r) ?? noSettings(),
    'admin:tryMapSource': (op, r) => settingsAdmin?.tryMap(op, r) ?? noSettings(),
    'admin:saveSettings': (op, r) => settingsAdmin?.save(op, r) ?? noSettings(),
    'admin:addTerminal': (op, r) => station.admin.addTerminal(op, r),
    'admin:rotate': (op, r) => station.admin.rotate(op, r.id),
    'admin:setDisabled': (op, r) => station.admin.setDisabled(op, r.id, r.disabled),
    'admin:import': (op, r) => station.admin.importData(op, r),
    'admin:export': (op, r) => station.admin.exportData(op, r),
    'admin:operators': (op, r) => station.admin.operators(op, r),
    'admin:addOperator': (op, r) => station.admin.addOperator(op, r),
    'admin:updateOperator': (op, r) => station.admin.updateOperator(op, r),
    'admin:resetPassword': (op, r) => station.admin.resetPassword(op, r),
    'admin:setOperatorDisabled': (op, r) => station.admin.setOperatorDisabled(op, r),
    'admin:addUnit': (op, r) => station.admin.addUnit(op, r),
    'admin:updateUnit': (op, r) => station.admin.updateUnit(op, r),
    'admin:saveRecord': (op, r) => station.admin.saveRecord(op, r),
    'admin:deleteRecord': (op, r) => station.admin.deleteRecord(op, r),
    stats: (op, r) => station.stats.query(op, r),
    history: (op, r) => station.history.query(op, r),
    incident: (op, r) => station.history.incident(op, r),
    'inspection:record': (op, r) => station.plan.record(op, r),
    'inspection:close': (op, r) => station.plan.close(op, r),
    inspections: (op, r) => station.plan.list(op, r),
    'drill:register': (op, r) => station.plan.registerDrill(op, r),
    'post:check': (op, r) => station.plan.checkPost(op, r),
    'drillWindow:register': (op, r) => station.plan.registerDrillWindow(op, r),
    'drillWindow:cancel': (op, r) => station.plan.cancelDrillWindow(op, r),
    plan: (op, r) => station.plan.records(op, r),
    'training:record': (op, r) => station.plan.recordTraining(op, r),
    'training:results': (op, r) => station.plan.trainingResults(op, r),
    'training:consoles': (op) => ({ ok: true, consoles: traineesOnline(station.scopes.of(op)) }),
    'training:assign': (op, r) => assignTraining(op, r),
    'training:unitDispatch': (op, r, from) => {
      const res = station.units.training.dispatch(op, r, from.page);
      return res.ok ? { ok: true } : res;
    },
    'training:unitRelease': (op, r) => {
      const res = station.units.training.release(op, r);
      return res.ok ? { ok: true } : res;
    },
  } satisfies ConsoleHandlers;

  /** The consoles of operators who may be trained, by operator, within the trainer's stations (shared/stations.ts). */
  const traineeSockets = (within: StationScope, username?: string) =>
    [...nsp.sockets.values()].filter((s) => {
      const op = s.data.operator;
      const theirs = s.data.scope;
      const inside = within.all || (theirs !== undefined && !theirs.all && theirs.stationId === within.stationId);
      return op !== undefined && inside && can(op.role, 'training.run') && (username === undefined || op.username === username);
    });
  /** Operators logged in on a console now who may be trained, with how many consoles each, by name. */
  function traineesOnline(within: StationScope): (OperatorRef & { count: number })[] {
    const by = new Map<string, OperatorRef & { count: number }>();
    for (const s of traineeSockets(within)) {
      const { username, displayName, role } = s.data.operator!;
      const seen = by.get(username);
      if (seen) seen.count++;
      else by.set(username, { username, displayName, role, count: 1 });
    }
    return [...by.values()].sort((a, b) => a.displayName.localeCompare(b.displayName, 'zh-CN'));
  }
  /**
   * `training:assign`: the scenario goes to the trainee's consoles only, where it is offered (shared/training.ts: its
   * alarms never leave those consoles). No other console hears of it; nothing is journalled until its result.
   */
  function assignTraining(by: OperatorRef, r: ConsoleRequest<'training:assign'>): TrainingAssignAck {
    const scope = station.scopes.of(by);
    const played = [...r.scenario.alarms, ...(r.scenario.faults ?? [])];
    const unknown = played.find((a) => !station.registry.school(a.schoolId));
    if (unknown) return refusal('invalid_payload', `no school ${unknown.schoolId}`, 'unknown_school');
    const elsewhere = played.find((a) => !station.scopes.seesSchool(scope, a.schoolId));
    if (elsewhere) return otherStation(`school ${elsewhere.schoolId}`);
    const targets = traineeSockets(scope, r.username);
    if (targets.length === 0) return refusal('invalid_payload', `${r.username} has no console logged in`, 'trainee_offline');
    const units = r.units?.filter((u) => station.registry.unit(u));
    const assignment: TrainingAssignment = { scenario: r.scenario, speed: r.speed, assignedBy: by, at: now(), ...(units?.length ? { units } : {}) };
    for (const s of targets) s.emit('training', assignment);
    return { ok: true, consoles: targets.length };
  }

  /** Whether a connection of the operator's console page (other than `except`) is open. */
  const pageOnline = (username: string, page: string, except?: unknown): boolean =>
    [...nsp.sockets.values()].some((s) => s !== except && s.data.operator?.username === username && s.data.page === page);
  /** Updates kept for a page with no connection, by operator and page (an ordinary Map key, whatever the strings). */
  const missedTraining = new Map<string, TrainingUnitUpdate[]>();
  const pageKey = (username: string, page: string): string => JSON.stringify([username, page]);
  /** A console page is (back) in: it hears what ended of its training jobs while it had no connection. */
  const trainingPageBack = (username: string, page: string, socket: { emit(ev: 'trainingUnit', u: TrainingUnitUpdate): unknown }): void => {
    const key = pageKey(username, page);
    const owed = missedTraining.get(key);
    missedTraining.delete(key);
    for (const u of owed ?? []) socket.emit('trainingUnit', u);
  };

  nsp.use((socket, next) => {
    const auth = socket.handshake.auth as Partial<ConsoleAuth> | undefined;
    // A live session only: not logged out, not idle, its operator's password not reset (main/core/sessions.ts).
    const claims = sessions.check(auth?.session, now());
    const operator = claims && station.registry.operator(claims.username);
    // An account that must set a new password is never given a session (main/gateway/http.ts); one marked after its
    // session was issued gets no console either.
    if (!operator || station.registry.mustChangePassword(operator.username)) return next(new Error('unauthorized'));
    socket.data.operator = operator;
    socket.data.sid = claims.sid;
    socket.data.scope = station.scopes.of(operator);
    socket.data.page = typeof auth?.page === 'string' && CONSOLE_PAGE_ID_PATTERN.test(auth.page) ? auth.page : `conn-${socket.id}`;
    next();
  });
  // A session that ends (logout, password reset, disable, idle) loses its open consoles at once.
  sessions.onRevoked((sids) => {
    for (const s of nsp.sockets.values()) if (s.data.sid !== undefined && sids.has(s.data.sid)) s.disconnect(true);
  });

  /** Each scope that has a console now, with its room: a push is filtered once per scope, not once per console. */
  const scopesOnline = (): [string, StationScope][] => {
    const out: [string, StationScope][] = [];
    for (const room of nsp.adapter.rooms.keys()) {
      if (room === ALL_ROOM) out.push([room, ALL_STATIONS]);
      else if (room.startsWith(STATION_ROOM)) out.push([room, { all: false, stationId: room.slice(STATION_ROOM.length) }]);
    }
    return out;
  };
  /** Whether a console of a station other than `own` is connected (every console is in its scope's room). */
  const otherStationOnline = (own: string): boolean => {
    for (const room of nsp.adapter.rooms.keys()) if (room.startsWith(STATION_ROOM) && room !== STATION_ROOM + own) return true;
    return false;
  };
  /** Whether the registry has stations: without, every console sees everything and gets the journal's own id. */
  const split = (): boolean => station.registry.stations().length > 0;
  let wasSplit = split();

  nsp.on('connection', (socket) => {
    const { operator, sid, scope, page } = socket.data;
    if (!operator || sid === undefined || !scope || page === undefined) return void socket.disconnect(true);
    sessions.attach(sid, now());
    socket.on('disconnect', () => {
      sessions.detach(sid, now());
      // The page gone (no other connection of it: a reload, a closed tab, a cut link): the real units on the training
      // jobs it sent are released, whatever other consoles the operator has open.
      if (!pageOnline(operator.username, page, socket)) station.units.training.pageGone(operator.username, page);
    });
    const auth = socket.handshake.auth as Partial<ConsoleAuth>;
    const since = typeof auth.since === 'number' && Number.isInteger(auth.since) && auth.since >= 0 ? auth.since : 0;
    socket.emit('hello', {
      // A station's console keeps a replica with other stations' records withheld: it is another replica than the
      // county's (a browser used by both must not mix them), so its journal id names the station.
      journalId: split() && !scope.all ? `${journalId}@${scope.stationId}` : journalId,
      operator,
      reference: station.registry.reference(scope),
      serverTime: now(),
      journalProblems: station.journal.problems.map(describeProblem),
      settings: settingsAdmin?.consoleSettings() ?? settings,
    });
    // Catch-up and joining the live room happen in one synchronous step, so no record falls between them.
    // A console far behind (a first login to a year of journal) gets the state at one seq instead of every
    // record: live in well under a second, not after folding a million records.
    const missed = since > station.snapshot.seq ? undefined : station.recordsAfter(since);
    if (missed === undefined || missed.length > SNAPSHOT_AFTER_RECORDS)
      socket.emit('snapshot', station.scopes.snapshot(scope, toSnapshot(station.snapshot, now())));
    else socket.emit('records', station.scopes.records(scope, missed));
    socket.emit('volatile', station.scopes.volatile(scope, station.terminals.volatileAlarms));
    void socket.join(['live', scopeRoom(scope)]);

    let overBudget = false;
    for (const name of COMMAND_NAMES)
      socket.on(name, (...args: unknown[]) => {
        if (UNBUDGETED_COMMANDS.has(name) || commandBudget.take(sid, performance.now())) return runCommand(name, handlers, operator, args, { page });
        if (!overBudget)
          console.error(
            `gateway: ${operator.username}'s console session sends commands faster than ${CONSOLE_COMMANDS_PER_SECOND} a second; refusing the excess`,
          );
        overBudget = true;
        const ack = args.at(-1);
        answer(ack, refusal('rate_limited', `too many commands from this session (at most ${CONSOLE_COMMANDS_PER_SECOND} a second); wait a moment`));
      });
    socket.emit('health', station.scopes.health(scope, station.devices.health()));
    socket.emit('units', station.scopes.units(scope, station.units.unitsLive()));
    trainingPageBack(operator.username, page, socket);
  });

  // A real unit on a training job answered or moved: the consoles of the operator who sent it are told (a page that
  // did not send the job ignores it); with no connection of the page that sent it (the jobs released as it went), that
  // page is told when it is back (trainingPageBack: the same page after a blip; a reloaded page is a new one).
  station.units.training.onUpdate((u, job) => {
    let told = false;
    for (const s of nsp.sockets.values()) {
      if (s.data.operator?.username !== job.owner) continue;
      s.emit('trainingUnit', u);
      told ||= s.data.page === job.page;
    }
    if (told) return;
    const key = pageKey(job.owner, job.page);
    const owed = missedTraining.get(key) ?? [];
    missedTraining.delete(key); // re-inserted last: the pages longest gone are forgotten first
    missedTraining.set(key, [...owed, u].slice(-MISSED_TRAINING_UPDATES));
    if (missedTraining.size > MISSED_TRAINING_PAGES) missedTraining.delete(missedTraining.keys().next().value!);
  });
  // A live setting changed (map source, volumes, semesters): every console gets them all again.
  settingsAdmin?.onChange((s) => nsp.to('live').emit('settings', s));
  station.subscribe({
    // A record goes whole to the county's consoles and its own station's; the other stations' consoles get a
    // placeholder with its seq (their fold expects no gap) and nothing of its content.
    record: (r) => {
      const own = eventStation(r.event, station.scopes.lookup);
      // Everyone gets it whole in one emit when no console of another station is connected (always, for one station:
      // a second, empty emit per record cost the alarm flood's honest acks ~2 ms at p99).
      if (own === undefined || !otherStationOnline(own)) return void nsp.to('live').emit('record', r);
      const whole = [ALL_ROOM, STATION_ROOM + own];
      nsp.to(whole).emit('record', r);
      const withheld: JournalRecord = { seq: r.seq, event: { type: 'record.withheld', at: r.event.at } };
      nsp.to('live').except(whole).emit('record', withheld);
    },
    volatileChanged: (alarms) => {
      for (const [room, scope] of scopesOnline()) nsp.to(room).emit('volatile', station.scopes.volatile(scope, alarms));
    },
    // An operator who was disabled, or whose role or station changed, loses the console at once (its next one gets
    // what the account now sees); everyone gets the new reference data.
    registryChanged: () => {
      // The registry gained its first stations or lost its last: every console's journal id changes with it (a
      // station's replica must not mix with the whole one), so every console connects again.
      const resplit = split() !== wasSplit;
      wasSplit = split();
      for (const s of nsp.sockets.values()) {
        const op = s.data.operator;
        const now = op && station.registry.operator(op.username);
        if (resplit || !now || now.role !== op.role || !s.data.scope || !sameScope(s.data.scope, station.scopes.of(now))) s.disconnect(true);
      }
      const health = station.devices.health();
      for (const [room, scope] of scopesOnline()) {
        nsp.to(room).emit('reference', station.registry.reference(scope));
        nsp.to(room).emit('health', station.scopes.health(scope, health));
      }
    },
  });
  return {
    healthChanged: (change) => {
      for (const [room, scope] of scopesOnline()) {
        const c = station.scopes.healthChange(scope, change);
        if (c.changed.length > 0 || c.removed.length > 0) nsp.to(room).emit('healthChanged', c);
      }
    },
    units: (units) => {
      for (const [room, scope] of scopesOnline()) nsp.to(room).emit('units', station.scopes.units(scope, units));
    },
  };
}

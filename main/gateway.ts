// main/ (core, Node) — the socket.io gateway: `/terminal` (station protocol v1) and `/console` (operators).
// Every handler is wrapped: bad input gets a refusal, a thrown error is logged, nothing crashes the core.
import type { Server, Socket } from 'socket.io';
import type { ConsoleAuth, ConsoleClientEvents, ConsoleServerEvents, CommandAck } from '../shared/consoleApi';
import type { OperatorRef } from '../shared/events';
import { parseTerminalAuth, parseUnitAuth, refusal, type AlarmStatus, type Refusal } from '../shared/protocol';
import { HandshakeGate } from './admission';
import type { Sessions } from './sessions';
import { describeProblem } from './journal';
import { toSnapshot, type Incident } from '../shared/incidents';
import type { Station } from './station';

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
 * newcomer (main/admission.ts), which may be a valid device behind the same NAT.
 */
function refuseAfter(gate: HandshakeGate, socket: Socket, delayMs: number, next: (err?: Error) => void): void {
  const refuse = (): void => next(new Error('unauthorized'));
  if (delayMs > 0) {
    gate.onHold?.(socket.conn);
    setTimeout(refuse, delayMs);
  } else refuse();
}

/**
 * `gate` schedules the credential checks (main/admission.ts); the core passes one gate to both device
 * namespaces, so their scrypt checks share its bounds.
 */
export function attachTerminalNamespace(io: Server, station: Station, now: () => number = Date.now, gate = new HandshakeGate(now)): void {
  const nsp = io.of('/terminal');
  // Runs on every connection, including reconnections (connection-state recovery is not enabled),
  // so a rotated or disabled device can never get back in.
  nsp.use((socket, next) => {
    const addr = socket.handshake.address;
    const auth = parseTerminalAuth(socket.handshake.auth);
    if (!auth.ok) return refuseAfter(gate, socket, gate.malformed(addr), next);
    const { deviceId, token } = auth.value;
    gate
      .check({
        addr,
        key: `terminal:${deviceId}`,
        token,
        current: () => {
          const t = station.registry.terminal(deviceId);
          return t && !t.disabled ? t.secret.hash : undefined;
        },
        verify: () => station.registry.authenticateTerminal(deviceId, token),
      })
      .then(({ ok: t, delayMs }) => {
        if (!t) return refuseAfter(gate, socket, delayMs, next);
        socket.data.deviceId = t.deviceId;
        socket.data.secretHash = t.secret.hash;
        next();
      })
      .catch((e: unknown) => {
        console.error('gateway: terminal handshake check failed:', e);
        refuseAfter(gate, socket, 0, next);
      });
  });

  nsp.on('connection', (socket: Socket) => {
    const deviceId = socket.data.deviceId as string;
    void socket.join(`dev:${deviceId}`);
    station.devices.connected(deviceId);
    // A terminal that reconnects hears the latest state of each of its open alarms again.
    for (const inc of station.openIncidentsOf(deviceId)) socket.emit('alarm:status', station.statusOf(inc) satisfies AlarmStatus);
    socket.on('disconnect', () => station.devices.disconnected(deviceId));
    // Every event re-checks that the credentials of this handshake are still the device's current ones:
    // a rotated or disabled device gets not one more event in, however the registry was changed.
    socket.use((_packet, next) => {
      const t = station.registry.terminal(deviceId);
      if (!t || t.disabled || t.secret.hash !== socket.data.secretHash) {
        socket.disconnect(true);
        return;
      }
      next();
    });
    // An alarm is never rate-limited.
    socket.on(
      'alarm',
      guarded('alarm', (p, ack) => {
        const r = station.terminals.pressAlarm(deviceId, p);
        if (r instanceof Promise) {
          r.then((v) => answer(ack, v)).catch((e: unknown) => {
            console.error('gateway: alarm failed:', e);
            answer(ack, refusal('not_durable', 'the station could not process the alarm; retry with the same alarmId'));
          });
        } else answer(ack, r);
      }),
    );
    const limited = (name: string, fn: (p: unknown) => unknown) =>
      guarded(name, (p, ack) => {
        if (!station.devices.allowEvent(deviceId)) return answer(ack, refusal('rate_limited', `too many ${name} messages; slow down`));
        answer(ack, fn(p));
      });
    socket.on('heartbeat', limited('heartbeat', (p) => station.terminals.receiveHeartbeat(deviceId, p)));
    socket.on('cancel', limited('cancel', (p) => station.terminals.receiveCancel(deviceId, p)));
    socket.onAny((event: unknown, ...rest: unknown[]) => {
      if (event === 'alarm' || event === 'heartbeat' || event === 'cancel') return;
      // Unknown events are ignored (future protocol versions may add some), logged, and count against the limit.
      if (station.devices.allowEvent(deviceId)) console.warn(`gateway: ${deviceId} sent unknown event "${String(event).slice(0, 64)}"; ignored`);
      const ack = rest[rest.length - 1];
      answer(ack, refusal('invalid_payload', `unknown event "${String(event).slice(0, 64)}"`));
    });
  });

  station.subscribe({
    alarmStatus: (deviceId, status) => {
      nsp.to(`dev:${deviceId}`).emit('alarm:status', status);
    },
    // A rotated or disabled device is cut off at once; its next handshake runs the middleware again.
    registryChanged: (revoked) => {
      for (const id of revoked) nsp.in(`dev:${id}`).disconnectSockets(true);
    },
  });
}

/** Returns a function that stops the re-send timer. */
export function attachUnitNamespace(io: Server, station: Station, now: () => number = Date.now, gate = new HandshakeGate(now)): () => void {
  const nsp = io.of('/unit');
  nsp.use((socket, next) => {
    const addr = socket.handshake.address;
    const auth = parseUnitAuth(socket.handshake.auth);
    if (!auth.ok) return refuseAfter(gate, socket, gate.malformed(addr), next);
    const { unitId, token } = auth.value;
    gate
      .check({
        addr,
        key: `unit:${unitId}`,
        token,
        current: () => {
          const u = station.registry.unit(unitId);
          return u && !u.disabled && u.secret ? u.secret.hash : undefined;
        },
        verify: () => station.registry.authenticateUnit(unitId, token),
      })
      .then(({ ok: u, delayMs }) => {
        if (!u) return refuseAfter(gate, socket, delayMs, next);
        socket.data.unitId = u.id;
        socket.data.secretHash = u.secret?.hash;
        next();
      })
      .catch((e: unknown) => {
        console.error('gateway: unit handshake check failed:', e);
        refuseAfter(gate, socket, 0, next);
      });
  });
  const socketsOf = (unitId: string): Socket[] => [...nsp.sockets.values()].filter((s) => s.data.unitId === unitId);
  const deliver = (unitId: string, inc: Incident): void => {
    const school = station.registry.school(inc.schoolId);
    const payload = {
      incidentId: inc.id,
      school: { id: inc.schoolId, name: school?.name ?? inc.schoolId, address: school?.address ?? '', lat: inc.location?.lat ?? school?.lat ?? 0, lng: inc.location?.lng ?? school?.lng ?? 0 },
      kind: inc.kind,
      priority: inc.drill || inc.kind === 'test' ? 3 : inc.kind === 'other' ? 2 : 1,
      drill: inc.drill,
      at: inc.dispatches.find((d) => d.unitId === unitId)?.dispatchedAt ?? inc.receivedAt,
    };
    for (const s of socketsOf(unitId)) {
      s.timeout(DELIVERY_TIMEOUT_MS).emit('dispatch', payload, (err: Error | null, ans: unknown) => {
        if (!err) station.units.dispatchAnswered(unitId, inc.id, ans);
      });
    }
  };
  /** dispatch:cancel is re-sent until the unit acks it (or a few minutes have passed). */
  const cancels = new Map<string, { unitId: string; payload: object; tries: number }>();
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
  const resend = setInterval(() => {
    for (const p of station.units.pendingDeliveries()) deliver(p.unitId, p.incident);
    for (const key of cancels.keys()) sendCancel(key);
  }, RESEND_MS);
  resend.unref();
  station.subscribe({
    record: ({ event: e }) => {
      if (e.type === 'incident.dispatched' && e.mode === 'device') {
        const inc = station.snapshot.incidents.get(e.incidentId);
        if (inc) deliver(e.unitId, inc);
      } else if (e.type === 'dispatch.cancelled') {
        const key = `${e.unitId}/${e.incidentId}`;
        cancels.set(key, { unitId: e.unitId, payload: { incidentId: e.incidentId, reason: e.reason, at: e.at }, tries: 0 });
        sendCancel(key);
      }
    },
  });

  nsp.on('connection', (socket: Socket) => {
    const unitId = socket.data.unitId as string;
    void socket.join(`unit:${unitId}`);
    station.units.connected(unitId, true);
    // A unit that (re)connects gets every dispatch it has not acked yet.
    for (const p of station.units.pendingDeliveries(unitId)) deliver(unitId, p.incident);
    socket.on('disconnect', () => station.units.connected(unitId, false));
    socket.use((_packet, next) => {
      const u = station.registry.unit(unitId);
      if (!u || u.disabled || u.secret?.hash !== socket.data.secretHash) {
        socket.disconnect(true);
        return;
      }
      next();
    });
    const limited = (name: string, fn: (p: unknown) => unknown) =>
      guarded(name, (p, ack) => {
        if (!station.devices.allowEvent(unitId)) return answer(ack, refusal('rate_limited', `too many ${name} messages; slow down`));
        answer(ack, fn(p));
      });
    socket.on('position', limited('position', (p) => station.units.receivePosition(unitId, p)));
    socket.on('status', limited('status', (p) => station.units.receiveStatus(unitId, p)));
    socket.onAny((event: unknown, ...rest: unknown[]) => {
      if (event === 'position' || event === 'status') return;
      if (station.devices.allowEvent(unitId)) console.warn(`gateway: unit ${unitId} sent unknown event "${String(event).slice(0, 64)}"; ignored`);
      answer(rest[rest.length - 1], refusal('invalid_payload', `unknown event "${String(event).slice(0, 64)}"`));
    });
  });
  station.subscribe({
    registryChanged: (revoked) => {
      for (const id of revoked) nsp.in(`unit:${id}`).disconnectSockets(true);
    },
  });
  return () => clearInterval(resend);
}

export function attachConsoleNamespace(io: Server, station: Station, sessions: Sessions, now: () => number, journalId: string): void {
  const nsp = io.of('/console');
  nsp.use((socket, next) => {
    const auth = socket.handshake.auth as Partial<ConsoleAuth> | undefined;
    // A live session only: not logged out, not idle, its operator's password not reset (main/sessions.ts).
    const claims = sessions.check(auth?.session, now());
    const operator = claims && station.registry.operator(claims.username);
    if (!operator) return next(new Error('unauthorized'));
    socket.data.operator = operator;
    socket.data.sid = claims.sid;
    next();
  });
  // A session that ends (logout, password reset, disable, idle) loses its open consoles at once.
  sessions.onRevoked((sids) => {
    for (const s of nsp.sockets.values()) if (sids.has(s.data.sid as string)) s.disconnect(true);
  });

  nsp.on('connection', (socket: Socket<ConsoleClientEvents, ConsoleServerEvents>) => {
    const operator = socket.data.operator as OperatorRef;
    const sid = socket.data.sid as string;
    sessions.attach(sid, now());
    socket.on('disconnect', () => sessions.detach(sid, now()));
    const auth = socket.handshake.auth as Partial<ConsoleAuth>;
    const since = typeof auth.since === 'number' && Number.isInteger(auth.since) && auth.since >= 0 ? auth.since : 0;
    socket.emit('hello', {
      journalId,
      operator,
      reference: station.registry.reference(),
      serverTime: now(),
      journalProblems: station.journal.problems.map(describeProblem),
    });
    // Catch-up and joining the live room happen in one synchronous step, so no record falls between them.
    // A console far behind (a first login to a year of journal) gets the state at one seq instead of every
    // record: live in well under a second, not after folding a million records.
    const missed = since > station.snapshot.seq ? undefined : station.recordsAfter(since);
    if (missed === undefined || missed.length > SNAPSHOT_AFTER_RECORDS) socket.emit('snapshot', toSnapshot(station.snapshot, now()));
    else socket.emit('records', [...missed]);
    socket.emit('volatile', station.terminals.volatileAlarms);
    void socket.join('live');

    const command = (name: string, fn: (incidentId: unknown) => CommandAck | Refusal) =>
      guarded(name, (req, ack) => {
        const incidentId = typeof req === 'object' && req !== null ? (req as { incidentId?: unknown }).incidentId : undefined;
        // Roles are checked in the station, against the operator of this session, not anything the page says.
        answer(ack, fn(incidentId));
      });
    socket.on('acknowledge', command('acknowledge', (id) => station.operators.acknowledge(operator, id)));
    socket.on('shown', command('shown', (id) => station.operators.markShown(operator, id)));
    socket.on(
      'acknowledgeFault',
      guarded('acknowledgeFault', (req, ack) => {
        const r = (typeof req === 'object' && req !== null ? req : {}) as { deviceId?: unknown; fault?: unknown };
        answer(ack, station.operators.acknowledgeFault(operator, r.deviceId, r.fault));
      }),
    );
    const admin = (name: string, fn: (req: Record<string, unknown>) => Promise<unknown>) =>
      socket.on(name as 'admin:rotate', (...args: unknown[]) => {
        // The same rule as every other handler (guarded): the ack last, exactly one payload, always an answer.
        const ack = typeof args[args.length - 1] === 'function' ? args.pop() : undefined;
        if (args.length !== 1) return answer(ack, refusal('invalid_payload', `${name} takes exactly one payload argument, got ${args.length}`));
        const req = args[0];
        const r = (typeof req === 'object' && req !== null ? req : {}) as Record<string, unknown>;
        fn(r)
          .then((ans) => answer(ack, ans))
          .catch((e: unknown) => {
            console.error(`gateway: ${name} failed:`, e);
            answer(ack, refusal('invalid_payload', `the station could not process ${name}`));
          });
      });
    // The incident lifecycle: every command goes through the station, which checks role and transition.
    const lifecycle: Record<string, (r: Record<string, unknown>) => CommandAck | Refusal> = {
      note: (r) => station.operators.addNote(operator, r.incidentId, r.text),
      callBack: (r) => station.operators.recordCallBack(operator, r.incidentId, r.outcome),
      takeOver: (r) => station.operators.takeOver(operator, r.incidentId),
      dispatch: (r) => station.operators.dispatchUnit(operator, r.incidentId, r.unitId),
      cancelDispatch: (r) => station.operators.cancelDispatch(operator, r.incidentId, r.unitId, r.reason),
      progress: (r) => station.operators.recordProgress(operator, r.incidentId, r.unitId, r.state),
      resolve: (r) => station.operators.resolve(operator, r.incidentId, r.disposition, r.note),
      reopen: (r) => station.operators.reopen(operator, r.incidentId, r.reason),
      'admin:setTargets': (r) => station.admin.setTargets(operator, r.profile),
    };
    for (const [name, fn] of Object.entries(lifecycle)) {
      socket.on(
        name as 'shown',
        guarded(name, (req, ack) => answer(ack, fn((typeof req === 'object' && req !== null ? req : {}) as Record<string, unknown>))),
      );
    }
    admin('admin:addTerminal', (r) => station.admin.addTerminal(operator, r));
    admin('admin:rotate', (r) => station.admin.rotate(operator, r.id));
    admin('admin:setDisabled', (r) => station.admin.setDisabled(operator, r.id, r.disabled));
    admin('admin:import', (r) => station.admin.importData(operator, r));
    admin('admin:export', async (r) => station.admin.exportData(operator, r));
    socket.emit('health', station.devices.health());
    socket.emit('units', station.units.unitsLive());
  });

  station.subscribe({
    record: (r) => {
      nsp.to('live').emit('record', r);
    },
    volatileChanged: (alarms) => {
      nsp.to('live').emit('volatile', [...alarms]);
    },
    // An operator who was disabled loses the console at once; everyone gets the new reference data.
    registryChanged: () => {
      nsp.to('live').emit('reference', station.registry.reference());
      nsp.to('live').emit('health', station.devices.health());
      for (const s of nsp.sockets.values()) {
        const op = s.data.operator as OperatorRef;
        const now = station.registry.operator(op.username);
        if (!now || now.role !== op.role) s.disconnect(true);
      }
    },
  });
}

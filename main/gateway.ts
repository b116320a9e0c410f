// main/ (core, Node) — the socket.io gateway: `/terminal` (station protocol v1) and `/console` (operators).
// Every handler is wrapped: bad input gets a refusal, a thrown error is logged, nothing crashes the core.
import type { Server, Socket } from 'socket.io';
import type { ConsoleAuth, ConsoleClientEvents, ConsoleServerEvents, CommandAck } from '../shared/consoleApi';
import type { OperatorRef } from '../shared/events';
import { parseTerminalAuth, refusal, type AlarmStatus, type Refusal } from '../shared/protocol';
import type { Sessions } from './sessions';
import type { Station } from './station';

type Ack = (answer: unknown) => void;

/** Calls the ack if the sender asked for one; a sender without a callback still gets its message processed. */
function answer(ack: unknown, value: unknown): void {
  if (typeof ack === 'function') (ack as Ack)(value);
}

function guarded(name: string, fn: (payload: unknown, ack: unknown) => void) {
  return (payload: unknown, ack: unknown): void => {
    try {
      fn(payload, ack);
    } catch (e) {
      console.error(`gateway: ${name} failed:`, e);
      answer(ack, refusal('invalid_payload', `the station could not process ${name}`));
    }
  };
}

export function attachTerminalNamespace(io: Server, station: Station): void {
  const nsp = io.of('/terminal');
  nsp.use((socket, next) => {
    const auth = parseTerminalAuth(socket.handshake.auth);
    if (!auth.ok) return next(new Error('unauthorized'));
    station.registry
      .authenticateTerminal(auth.value.deviceId, auth.value.token)
      .then((t) => {
        if (!t) return next(new Error('unauthorized'));
        socket.data.deviceId = t.deviceId;
        next();
      })
      .catch(() => next(new Error('unauthorized')));
  });

  nsp.on('connection', (socket: Socket) => {
    const deviceId = socket.data.deviceId as string;
    void socket.join(`dev:${deviceId}`);
    station.deviceConnected(deviceId);
    // A terminal that reconnects hears the latest state of each of its open alarms again.
    for (const inc of station.openIncidentsOf(deviceId)) {
      const at = inc.acknowledgedAt ?? inc.receivedAt;
      socket.emit('alarm:status', { alarmId: inc.alarmId, incidentId: inc.id, state: inc.state, at } satisfies AlarmStatus);
    }
    socket.on('alarm', guarded('alarm', (p, ack) => answer(ack, station.receiveAlarm(deviceId, p))));
    socket.on('heartbeat', guarded('heartbeat', (p, ack) => answer(ack, station.receiveHeartbeat(deviceId, p))));
    socket.onAny((event: string) => {
      if (event !== 'alarm' && event !== 'heartbeat') console.warn(`gateway: ${deviceId} sent unknown event "${event.slice(0, 64)}"; ignored`);
    });
  });

  station.subscribe({
    alarmStatus: (deviceId, status) => {
      nsp.to(`dev:${deviceId}`).emit('alarm:status', status);
    },
  });
}

export function attachConsoleNamespace(io: Server, station: Station, sessions: Sessions, now: () => number, journalId: string): void {
  const nsp = io.of('/console');
  nsp.use((socket, next) => {
    const auth = socket.handshake.auth as Partial<ConsoleAuth> | undefined;
    const claims = sessions.verify(auth?.session, now());
    const operator = claims && station.registry.operator(claims.username);
    if (!operator) return next(new Error('unauthorized'));
    socket.data.operator = operator;
    next();
  });

  nsp.on('connection', (socket: Socket<ConsoleClientEvents, ConsoleServerEvents>) => {
    const operator = socket.data.operator as OperatorRef;
    const auth = socket.handshake.auth as Partial<ConsoleAuth>;
    const since = typeof auth.since === 'number' && Number.isInteger(auth.since) && auth.since >= 0 ? auth.since : 0;
    socket.emit('hello', {
      journalId,
      operator,
      reference: station.registry.reference(),
      serverTime: now(),
      journalProblems: station.journal.problems.map((p) => `${p.kind} @ line ${p.line}: ${p.detail}`),
    });
    // Catch-up and joining the live room happen in one synchronous step, so no record falls between them.
    socket.emit('records', [...station.recordsAfter(since)]);
    socket.emit('volatile', station.volatileAlarms);
    void socket.join('live');

    const command = (name: string, fn: (incidentId: unknown) => CommandAck | Refusal) =>
      guarded(name, (req, ack) => {
        const incidentId = typeof req === 'object' && req !== null ? (req as { incidentId?: unknown }).incidentId : undefined;
        // Roles are checked in the station, against the operator of this session, not anything the page says.
        answer(ack, fn(incidentId));
      });
    socket.on('acknowledge', command('acknowledge', (id) => station.acknowledge(operator, id)));
    socket.on('shown', command('shown', (id) => station.markShown(operator, id)));
  });

  station.subscribe({
    record: (r) => {
      nsp.to('live').emit('record', r);
    },
    volatileChanged: (alarms) => {
      nsp.to('live').emit('volatile', [...alarms]);
    },
  });
}

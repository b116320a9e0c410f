// test/ — a simulated patrol unit (protocol v1 /unit): accepts a dispatch, reports en route, then on scene.
import { io, type Socket } from 'socket.io-client';
import type { UnitDispatch, UnitDispatchCancel } from '../../shared/protocol';

/** The `dispatch` a unit is sent (shared/protocol.ts). */
export type DispatchMsg = UnitDispatch;

export interface TestUnit {
  socket: Socket;
  dispatches: DispatchMsg[];
  cancels: UnitDispatchCancel[];
  status(state: string, incidentId?: string): Promise<unknown>;
  close(): void;
}

/** `answer` decides the ack of each dispatch (accept by default). */
export async function connectUnit(url: string, unitId: string, token: string, answer: (d: DispatchMsg) => object = () => ({ ok: true })): Promise<TestUnit> {
  const socket = io(new URL('unit', url).toString(), { auth: { unitId, token }, transports: ['websocket'] });
  const dispatches: DispatchMsg[] = [];
  const cancels: UnitDispatchCancel[] = [];
  socket.on('dispatch', (d: DispatchMsg, ack: (a: object) => void) => {
    dispatches.push(d);
    ack(answer(d));
  });
  socket.on('dispatch:cancel', (c: UnitDispatchCancel, ack: (a: object) => void) => {
    cancels.push(c);
    ack({ ok: true });
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
  return {
    socket,
    dispatches,
    cancels,
    status: (state, incidentId) => socket.timeout(3000).emitWithAck('status', { state, at: Date.now(), ...(incidentId ? { incidentId } : {}) }),
    close: () => void socket.close(),
  };
}

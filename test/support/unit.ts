// test/ — a simulated patrol unit (protocol v1 /unit): accepts a dispatch, reports en route, then on scene.
import { io, type Socket } from 'socket.io-client';

export interface DispatchMsg {
  incidentId: string;
  school: { id: string; name: string; lat: number; lng: number };
  kind: string;
  priority: number;
  drill: boolean;
  at: number;
}

export interface TestUnit {
  socket: Socket;
  dispatches: DispatchMsg[];
  cancels: { incidentId: string; reason: string }[];
  status(state: string, incidentId?: string): Promise<unknown>;
  close(): void;
}

/** `answer` decides the ack of each dispatch (accept by default). */
export async function connectUnit(url: string, unitId: string, token: string, answer: (d: DispatchMsg) => object = () => ({ ok: true })): Promise<TestUnit> {
  const socket = io(new URL('unit', url).toString(), { auth: { unitId, token }, transports: ['websocket'] });
  const dispatches: DispatchMsg[] = [];
  const cancels: { incidentId: string; reason: string }[] = [];
  socket.on('dispatch', (d: DispatchMsg, ack: (a: object) => void) => {
    dispatches.push(d);
    ack(answer(d));
  });
  socket.on('dispatch:cancel', (c: { incidentId: string; reason: string }, ack: (a: object) => void) => {
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

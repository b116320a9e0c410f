// test/ — a real protocol-v1 terminal (socket.io-client) for tests, built on shared/terminalClient.
import { io, type Socket } from 'socket.io-client';
import type { AlarmAck, AlarmPayload, AlarmStatus, Refusal } from '../../shared/protocol';
import { sendAlarm } from '../../shared/terminalClient';

export interface TestTerminal {
  socket: Socket;
  statuses: AlarmStatus[];
  press(alarm: Partial<AlarmPayload> & { alarmId: string }): Promise<AlarmAck | Refusal>;
  raw(event: string, payload: unknown): Promise<unknown>;
  waitForStatus(alarmId: string, state: AlarmStatus['state'], timeoutMs?: number): Promise<AlarmStatus>;
  close(): void;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function connectTerminal(url: string, deviceId: string, token: string): Promise<TestTerminal> {
  const socket = io(new URL('terminal', url).toString(), { auth: { deviceId, token }, transports: ['websocket'], reconnection: true, reconnectionDelay: 100 });
  const statuses: AlarmStatus[] = [];
  socket.on('alarm:status', (s: AlarmStatus) => statuses.push(s));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', (e) => reject(e));
  });
  return {
    socket,
    statuses,
    press: (a) => sendAlarm(socket, { kind: 'panic', raisedAt: Date.now(), ...a }, { sleep, ackTimeoutMs: 3000, maxAttempts: 20 }),
    raw: (event, payload) => socket.timeout(3000).emitWithAck(event, payload),
    async waitForStatus(alarmId, state, timeoutMs = 5000) {
      const until = Date.now() + timeoutMs;
      while (Date.now() < until) {
        const s = statuses.find((x) => x.alarmId === alarmId && x.state === state);
        if (s) return s;
        await sleep(20);
      }
      throw new Error(`no alarm:status ${state} for ${alarmId}; got ${JSON.stringify(statuses)}`);
    },
    close: () => void socket.close(),
  };
}

/** Resolves with the connect_error message (e.g. 'unauthorized'), or 'connected'. */
export function tryConnect(url: string, auth: unknown): Promise<string> {
  return new Promise((resolve) => {
    const socket = io(new URL('terminal', url).toString(), { auth: auth as object, transports: ['websocket'], reconnection: false });
    socket.once('connect', () => {
      socket.close();
      resolve('connected');
    });
    socket.once('connect_error', (e) => {
      socket.close();
      resolve(e.message);
    });
  });
}

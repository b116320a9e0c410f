// tools/bench (tool, Node) — the soak's worker processes (`npm run soak` forks them with --worker): each holds a
// share of the county's terminals, heartbeats and presses on request, and reports; and the messages between them.
import { io, type Socket } from 'socket.io-client';
import type { AlarmKind, HeartbeatAck, Refusal } from '../../shared/protocol';
import { sendAlarm, sendHeartbeat } from '../../shared/terminalClient';
import { clock, sleep } from './common';

// ---------------------------------------------------------------- the messages between the soak and its workers

interface Cred {
  deviceId: string;
  token: string;
}
export type ToWorker =
  | { type: 'config'; url: string; terminals: Cred[]; firstIndex: number; heartbeatMs: number; concurrency: number }
  | { type: 'alarm'; index: number; alarmId: string; kind: AlarmKind }
  | { type: 'stop' };
export interface WorkerStatus {
  connected: number;
  /** Terminals that have connected at least once. */
  everConnected: number;
  disconnects: number;
  connectErrors: number;
  heartbeats: { sent: number; ok: number; refused: number; failed: number; refusals: Record<string, number> };
}
export type FromWorker =
  | { type: 'connected'; status: WorkerStatus; handshakeMs: number[] }
  | { type: 'ack'; alarmId: string; ok: boolean; ms: number; duplicate?: boolean; error?: string }
  | { type: 'status'; status: WorkerStatus }
  | { type: 'report'; status: WorkerStatus };

/** Terminals spread over loopback source addresses 127.0.1.1 … (40 per address), as schools behind their own networks. */
const sourceAddress = (i: number): string => `127.0.${1 + Math.floor(i / 40 / 250)}.${1 + (Math.floor(i / 40) % 250)}`;

// ---------------------------------------------------------------- worker: holds a share of the terminals

export async function workerMain(): Promise<void> {
  const send = (m: FromWorker): void => void process.send!(m);
  const sockets: Socket[] = [];
  const ever = new Set<number>();
  const st: WorkerStatus = {
    connected: 0,
    everConnected: 0,
    disconnects: 0,
    connectErrors: 0,
    heartbeats: { sent: 0, ok: 0, refused: 0, failed: 0, refusals: {} },
  };
  const status = (): WorkerStatus => ({ ...st, connected: sockets.filter((s) => s.connected).length, everConnected: ever.size });
  let hbTimer: NodeJS.Timeout | undefined;
  let statusTimer: NodeJS.Timeout | undefined;

  const connectAll = async (cfg: Extract<ToWorker, { type: 'config' }>): Promise<number[]> => {
    const handshakeMs: number[] = [];
    let next = 0;
    const one = async (): Promise<void> => {
      while (next < cfg.terminals.length) {
        const i = next++;
        const t = cfg.terminals[i]!;
        const t0 = clock();
        const s = io(`${cfg.url}terminal`, {
          auth: { deviceId: t.deviceId, token: t.token },
          transports: ['websocket'],
          forceNew: true,
          reconnection: true,
          reconnectionDelay: 1000,
          reconnectionDelayMax: 5000,
          timeout: 30_000,
          // engine.io-client hands this to ws (not in socket.io-client's types).
          ...({ localAddress: sourceAddress(cfg.firstIndex + i) } as object),
        });
        sockets[i] = s;
        s.on('connect', () => ever.add(i));
        s.on('disconnect', () => st.disconnects++);
        s.on('connect_error', () => st.connectErrors++);
        await new Promise<void>((resolve) => {
          s.once('connect', () => {
            handshakeMs.push(clock() - t0);
            resolve();
          });
          // A refused or timed-out handshake is retried by the client; the parent's time-out bounds the whole.
        });
      }
    };
    await Promise.all(Array.from({ length: cfg.concurrency }, one));
    return handshakeMs;
  };

  const startHeartbeats = (heartbeatMs: number): void => {
    // One timer for all: each terminal's beats are spread evenly over the interval, then every heartbeatMs.
    const due = sockets.map((_, i) => Date.now() + (heartbeatMs * i) / sockets.length);
    hbTimer = setInterval(() => {
      const now = Date.now();
      for (let i = 0; i < sockets.length; i++) {
        if (due[i]! > now) continue;
        due[i] = due[i]! + heartbeatMs;
        const s = sockets[i]!;
        if (!s.connected) continue;
        st.heartbeats.sent++;
        sendHeartbeat(s, { sentAt: now, battery: 90, powerSource: 'mains' }, 10_000).then(
          (a: HeartbeatAck | Refusal) => {
            if (a.ok) st.heartbeats.ok++;
            else {
              st.heartbeats.refused++;
              st.heartbeats.refusals[a.error.code] = (st.heartbeats.refusals[a.error.code] ?? 0) + 1;
            }
          },
          () => void st.heartbeats.failed++,
        );
      }
    }, 100);
  };

  process.on('message', (m: ToWorker) => {
    if (m.type === 'config') {
      // Status every 5 s from the start, so the soak can show how the connecting goes.
      statusTimer = setInterval(() => send({ type: 'status', status: status() }), 5000);
      void connectAll(m).then((handshakeMs) => {
        send({ type: 'connected', status: status(), handshakeMs });
        startHeartbeats(m.heartbeatMs);
      });
    } else if (m.type === 'alarm') {
      const s = sockets[m.index]!;
      const t0 = clock();
      // A real terminal resends the same alarmId until acked; three tries of 10 s bound it here.
      sendAlarm(s, { alarmId: m.alarmId, kind: m.kind, raisedAt: Date.now(), note: `soak ${m.alarmId}` }, { ackTimeoutMs: 10_000, maxAttempts: 3, sleep }).then(
        (a) =>
          send(
            a.ok
              ? { type: 'ack', alarmId: m.alarmId, ok: true, ms: clock() - t0, ...(a.duplicate ? { duplicate: true } : {}) }
              : { type: 'ack', alarmId: m.alarmId, ok: false, ms: clock() - t0, error: `${a.error.code}: ${a.error.message}` },
          ),
        (e: unknown) => send({ type: 'ack', alarmId: m.alarmId, ok: false, ms: clock() - t0, error: (e as Error).message }),
      );
    } else if (m.type === 'stop') {
      clearInterval(hbTimer);
      clearInterval(statusTimer);
      const final = status();
      for (const s of sockets) s?.close();
      send({ type: 'report', status: final });
      setTimeout(() => process.exit(0), 200);
    }
  });
  // The parent went away: so do we.
  process.on('disconnect', () => process.exit(0));
}

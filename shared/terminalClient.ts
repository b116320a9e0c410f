// shared/ — a protocol-v1 terminal on top of any socket.io client socket: retries an unacked alarm with the
// same alarmId until the station acks it. Used by the simulator and the tests; no I/O of its own.
import type { AlarmAck, AlarmPayload, AlarmStatus, HeartbeatAck, HeartbeatPayload, Refusal } from './protocol';

/** The part of a socket.io client socket that a terminal needs. */
export interface TerminalSocket {
  timeout(ms: number): { emitWithAck(event: string, payload: unknown): Promise<unknown> };
  on(event: 'alarm:status', fn: (s: AlarmStatus) => void): unknown;
}

export interface SendOptions {
  /** How long to wait for one ack before sending again. */
  ackTimeoutMs?: number;
  /** Give up after this many sends (default: keep trying ~ forever, as a real terminal would). */
  maxAttempts?: number;
  /** Called before each retry; a terminal might blink its LED here. */
  onRetry?: (attempt: number, reason: string) => void;
  /** Waits between attempts; passed in because shared/ reads no clock and sets no timer itself. */
  sleep: (ms: number) => Promise<void>;
}

export async function sendAlarm(socket: TerminalSocket, alarm: AlarmPayload, opts: SendOptions): Promise<AlarmAck | Refusal> {
  const { ackTimeoutMs = 5000, maxAttempts = Number.MAX_SAFE_INTEGER, sleep } = opts;
  let last = 'no answer';
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    try {
      const ans = (await socket.timeout(ackTimeoutMs).emitWithAck('alarm', alarm)) as AlarmAck | Refusal;
      // not_durable means "stored nowhere yet": keep sending the same alarm.
      if (ans.ok || ans.error.code !== 'not_durable') return ans;
      last = ans.error.message;
    } catch (e) {
      last = (e as Error).message;
    }
    if (attempt < maxAttempts) {
      opts.onRetry?.(attempt, last);
      await sleep(Math.min(5000, 250 * attempt));
    }
  }
  throw new Error(`alarm ${alarm.alarmId} not acknowledged after ${maxAttempts} attempts: ${last}`);
}

export async function sendHeartbeat(socket: TerminalSocket, hb: HeartbeatPayload, ackTimeoutMs = 5000): Promise<HeartbeatAck | Refusal> {
  return (await socket.timeout(ackTimeoutMs).emitWithAck('heartbeat', hb)) as HeartbeatAck | Refusal;
}

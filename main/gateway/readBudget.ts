// main/gateway (Node) — each device's read budget: a device that sends more than its share of messages is not
// refused and loses nothing; its messages are handled at the budget's rate and the station stops reading its
// connection meanwhile (TCP pushes back on the device), so its flood cannot take the event loop from other
// schools' alarms. Every message read is handled. (Long-polling cannot be paused: a device on it has only the
// backlog; terminals use WebSocket, docs/security.md.)
import type { Socket } from 'socket.io';
import { RateLimiter } from '../core/rateLimit';

/** Messages one device may send per second, and as a burst, before the station pauses reading it. */
export const DEVICE_READS_PER_S = 50;
export const DEVICE_READ_BURST = 100;

/** The ws of a socket.io connection on the websocket transport (engine.io keeps it as `transport.socket`). */
interface PausableWs {
  pause(): void;
  resume(): void;
  readonly isPaused: boolean;
}

export class ReadBudget {
  private readonly limiter: RateLimiter;
  /** Pauses so far (for logs and tests). */
  pauses = 0;

  constructor(
    private readonly now: () => number = Date.now,
    readonly perSecond = DEVICE_READS_PER_S,
    burst = DEVICE_READ_BURST,
  ) {
    this.limiter = new RateLimiter(perSecond, burst);
  }

  /**
   * Counts every message `socket` delivers against `key`'s budget (a device id: all its connections share it).
   * Beyond it, messages wait in order in a backlog handled at the budget's rate, and the connection is not read
   * (so the backlog holds at most what was read already); once the backlog is empty, reading resumes. What was
   * read is always handled, even after the device disconnects.
   */
  watch(socket: Socket, key: string): void {
    const backlog: (() => void)[] = [];
    let head = 0;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const ws = websocketOf(socket);
    const drain = (): void => {
      timer = undefined;
      while (head < backlog.length && this.limiter.take(key, this.now())) backlog[head++]!();
      if (head < backlog.length) timer = setTimeout(drain, this.intervalMs).unref();
      else {
        backlog.length = head = 0;
        if (socket.connected && ws?.isPaused) ws.resume();
      }
    };
    socket.use((_packet, next) => {
      if (head === backlog.length && this.limiter.take(key, this.now())) return next();
      backlog.push(next);
      if (ws && !ws.isPaused) {
        this.pauses++;
        ws.pause();
      }
      timer ??= setTimeout(drain, this.intervalMs).unref();
    });
  }

  private get intervalMs(): number {
    return Math.ceil(1000 / this.perSecond);
  }
}

function websocketOf(socket: Socket): PausableWs | undefined {
  const transport = socket.conn.transport as unknown as { name?: string; socket?: Partial<PausableWs> };
  const ws = transport.name === 'websocket' ? transport.socket : undefined;
  return ws && typeof ws.pause === 'function' && typeof ws.resume === 'function' ? (ws as PausableWs) : undefined;
}

// main/gateway (Node) — each device's read budget: a device that sends more than its share of messages is not
// refused and loses nothing; its messages are handled a few per turn of the event loop and at the budget's rate,
// and the station stops reading its connection meanwhile (TCP pushes back on the device), so its flood cannot take
// the event loop from other schools' alarms. Every message read is handled. (Long-polling cannot be paused: a
// device on it has only the backlog; terminals use WebSocket, docs/security.md.)
import type { Socket } from 'socket.io';
import { WebSocketServer, type ServerOptions } from 'ws';
import { RateLimiter } from '../core/rateLimit';

/**
 * Messages one device may have handled per second, and as a burst, before the rest wait. Far above what a terminal
 * sends (a heartbeat every 30 s, a person pressing, a reconnect re-sending what it queued); a flood is held to it.
 */
export const DEVICE_READS_PER_S = 200;
export const DEVICE_READ_BURST = 400;
/** At most this many of one connection's messages are handled per turn of the event loop; the rest wait their turn. */
export const DEVICE_READS_PER_TURN = 8;

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
    readonly perTurn = DEVICE_READS_PER_TURN,
  ) {
    this.limiter = new RateLimiter(perSecond, burst);
  }

  /**
   * Handles the messages `socket` delivers fairly: at most `perTurn` per turn of the event loop (one read of a
   * flooding connection holds hundreds, which would otherwise all be handled before anyone else's), and within the
   * budget of `key` (a device id: all its connections share it). The others wait in order in a backlog, and the
   * connection is not read meanwhile (so the backlog holds at most what was read already); once the backlog is
   * empty, reading resumes. What was read is always handled, even after the device disconnects.
   */
  watch(socket: Socket, key: string): void {
    const backlog: (() => void)[] = [];
    let head = 0;
    let thisTurn = 0;
    let turnEnds = false;
    let scheduled = false;
    const count = (): void => {
      thisTurn++;
      if (!turnEnds) {
        turnEnds = true;
        setImmediate(() => {
          thisTurn = 0;
          turnEnds = false;
        });
      }
    };
    const drain = (): void => {
      scheduled = false;
      let n = 0;
      let limited = false;
      while (head < backlog.length && n < this.perTurn) {
        if (!this.limiter.take(key, this.now())) {
          limited = true;
          break;
        }
        n++;
        backlog[head++]!();
      }
      if (head < backlog.length) schedule(limited);
      else {
        backlog.length = head = 0;
        const ws = websocketOf(socket);
        if (socket.connected && ws?.isPaused) ws.resume();
      }
    };
    const schedule = (wait: boolean): void => {
      if (scheduled) return;
      scheduled = true;
      if (wait) setTimeout(drain, Math.ceil(1000 / this.perSecond)).unref();
      else setImmediate(drain);
    };
    socket.use((_packet, next) => {
      if (head === backlog.length && thisTurn < this.perTurn && this.limiter.take(key, this.now())) {
        count();
        return next();
      }
      backlog.push(next);
      // Looked up now: a connection that began on long-polling may have upgraded to WebSocket since.
      const ws = websocketOf(socket);
      if (ws && !ws.isPaused) {
        this.pauses++;
        ws.pause();
      }
      schedule(false);
    });
  }
}

function websocketOf(socket: Socket): PausableWs | undefined {
  const transport = socket.conn.transport as unknown as { name?: string; socket?: Partial<PausableWs> };
  const ws = transport.name === 'websocket' ? transport.socket : undefined;
  return ws && typeof ws.pause === 'function' && typeof ws.resume === 'function' ? (ws as PausableWs) : undefined;
}

/**
 * The WebSocket server under Engine.IO, with ws's `allowSynchronousEvents` off: one read of a connection (up to
 * 64 KiB, hundreds of small frames from a flooding device) yields one message per turn of the event loop instead
 * of all of them at once, so another school's alarm that arrived meanwhile is read in between, not after them.
 */
export class FairWebSocketServer extends WebSocketServer {
  constructor(options: ServerOptions, callback?: () => void) {
    super({ ...options, allowSynchronousEvents: false }, callback);
  }
}

// tools/simulate (tool, Node) — what every simulated device shares: the run's context and its socket.io connections.
import { io, type Socket } from 'socket.io-client';
import type { CountyOptions } from './args';
import type { Rng } from './movement';
import type { Clock, Stats } from './stats';

export interface SimContext {
  url: string;
  opts: CountyOptions;
  stats: Stats;
  clock: Clock;
  rng: Rng;
  /** Per-event JSON lines (only with --verbose). */
  event: (o: object) => void;
  /** Things that must be said even without --verbose (warnings). */
  warn: (msg: string) => void;
  sockets: Set<Socket>;
}

export function connectSocket(ctx: SimContext, nsp: '/terminal' | '/unit', auth: object, extra: Record<string, unknown> = {}, delayMs = 0): Socket {
  const socket = io(`${ctx.url.replace(/\/$/, '')}${nsp}`, {
    auth,
    transports: ['websocket'],
    // One connection per device, as real devices have: without forceNew, socket.io would share one.
    forceNew: true,
    reconnectionDelay: 500 + Math.floor(ctx.rng() * 1000),
    reconnectionDelayMax: 5000,
    autoConnect: delayMs <= 0,
    ...extra,
  });
  ctx.sockets.add(socket);
  if (delayMs > 0) ctx.clock.after(delayMs, () => socket.connect());
  return socket;
}

/** A refused handshake is not retried by socket.io itself; a real device tries again after a while. */
export function retryRefusedHandshake(ctx: SimContext, socket: Socket, delayMs: number): void {
  if (!socket.active) ctx.clock.after(delayMs, () => socket.connect());
}

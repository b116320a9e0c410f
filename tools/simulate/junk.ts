// tools/simulate (tool, Node) — junk: messages a broken or hostile terminal might send. Every one must be refused
// (or, for unknown events, ignored with a refusal); none may create anything at the station.
import { MAX_PAYLOAD_BYTES } from '../../shared/protocol';
import type { Rng } from './movement';

export type JunkKind = 'random-json' | 'wrong-types' | 'oversize' | 'unknown-event' | 'not-an-object' | 'no-ack' | 'huge-frame';

export interface Junk {
  kind: JunkKind;
  event: string;
  payload: unknown;
  /** Whether to ask for an ack (a broken device may not). */
  ack: boolean;
}

const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)]!;

function randomString(rng: Rng, max: number): string {
  const chars = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 _-:/.<>"\'{}示例报警';
  let s = '';
  const n = Math.floor(rng() * max);
  for (let i = 0; i < n; i++) s += chars[Math.floor(rng() * chars.length)];
  return s;
}

export function randomJson(rng: Rng, depth = 0): unknown {
  const r = rng();
  if (depth >= 3 || r < 0.35) {
    return pick(rng, [() => null, () => rng() < 0.5, () => Math.round((rng() - 0.5) * 1e9) / 100, () => randomString(rng, 24)])();
  }
  if (r < 0.55) return Array.from({ length: Math.floor(rng() * 5) }, () => randomJson(rng, depth + 1));
  const o: Record<string, unknown> = {};
  // Sometimes borrow real field names, so the junk is close to a valid message, but with a random key too.
  const keys = ['alarmId', 'kind', 'raisedAt', 'sentAt', 'battery', 'reason', 'note'];
  const n = 1 + Math.floor(rng() * 5);
  for (let i = 0; i < n; i++) o[rng() < 0.5 ? pick(rng, keys) : randomString(rng, 12) || 'x'] = randomJson(rng, depth + 1);
  o[`junk_${Math.floor(rng() * 1e6)}`] = true; // an unknown field: ignored by the station (protocol v1, forward compatibility)
  // So the junk is refused for a field the parsers know: an alarmId off its pattern (alarm, cancel), a sentAt that
  // is not a time (heartbeat).
  if (depth === 0) Object.assign(o, { alarmId: `junk ${randomString(rng, 8)}`, sentAt: `at ${randomString(rng, 8)}` });
  return o;
}

export function makeJunk(rng: Rng, now: number): Junk {
  const r = rng();
  if (r < 0.02) {
    // Over the station's socket.io frame limit (4 × 16 KiB): the station closes the connection.
    return { kind: 'huge-frame', event: 'heartbeat', payload: { sentAt: now, pad: 'x'.repeat(MAX_PAYLOAD_BYTES * 4 + 1024) }, ack: true };
  }
  if (r < 0.25) return { kind: 'random-json', event: pick(rng, ['alarm', 'heartbeat', 'cancel']), payload: randomJson(rng), ack: true };
  if (r < 0.5) {
    const variants: [string, unknown][] = [
      ['alarm', { alarmId: 42, kind: 'panic', raisedAt: now }],
      ['alarm', { alarmId: 'junk-kind', kind: 'earthquake', raisedAt: now }],
      ['alarm', { alarmId: 'junk time', kind: 'panic', raisedAt: now }],
      ['alarm', { alarmId: 'junk-when', kind: 'panic', raisedAt: 'yesterday' }],
      ['alarm', { alarmId: 'junk-neg', kind: 'panic', raisedAt: -1 }],
      ['alarm', { alarmId: 'junk-drill', kind: 'panic', raisedAt: now, drill: 'yes', schoolId: 'sch-p01' }],
      ['alarm', { alarmId: 'junk-where', kind: 'fire', raisedAt: now, location: { lat: 123, lng: 0 } }],
      ['alarm', { alarmId: 'x'.repeat(65), kind: 'panic', raisedAt: now }],
      ['heartbeat', { sentAt: '12:00' }],
      ['heartbeat', { sentAt: now, battery: 'full' }],
      ['heartbeat', { sentAt: now, battery: 140 }],
      ['heartbeat', { sentAt: now, powerSource: 'solar' }],
      ['cancel', { alarmId: ['x'], reason: 7 }],
    ];
    const [event, payload] = pick(rng, variants);
    return { kind: 'wrong-types', event, payload, ack: true };
  }
  if (r < 0.65) {
    const pad = 'x'.repeat(MAX_PAYLOAD_BYTES + 1 + Math.floor(rng() * MAX_PAYLOAD_BYTES));
    return rng() < 0.5
      ? { kind: 'oversize', event: 'alarm', payload: { alarmId: 'junk-big', kind: 'panic', raisedAt: now, note: pad }, ack: true }
      : { kind: 'oversize', event: 'heartbeat', payload: { sentAt: now, pad }, ack: true };
  }
  if (r < 0.8) {
    const event = pick(rng, ['hello', 'alarm:v2', 'position', 'dispatch', 'acknowledge', '__proto__', randomString(rng, 20) || '?']);
    return { kind: 'unknown-event', event, payload: randomJson(rng), ack: true };
  }
  if (r < 0.92) {
    return { kind: 'not-an-object', event: pick(rng, ['alarm', 'heartbeat', 'cancel']), payload: pick(rng, [null, 'panic', 12345, [], true, '']), ack: true };
  }
  return { kind: 'no-ack', event: pick(rng, ['alarm', 'heartbeat']), payload: randomJson(rng), ack: false };
}

// shared/ — station protocol v1 (docs/station-protocol-v1.md): wire types and the one parser per
// message. Both the station core and the simulator import these, so the two ends cannot drift.
import { z } from 'zod';
import { utf8Bytes } from './utf8';

export const PROTOCOL_VERSION = 1;
export const MAX_PAYLOAD_BYTES = 16 * 1024;
export const DEFAULT_STATION_PORT = 8700;
export const DEFAULT_HEARTBEAT_MS = 30_000;
/** A device silent for this many heartbeat intervals is offline. */
export const OFFLINE_AFTER_INTERVALS = 3;
/** Clock skew beyond this is flagged on the device. */
export const SKEW_FLAG_MS = 5_000;
/**
 * A position fix stamped more than this ahead of the station's clock cannot be a real fix: its `at` is clamped to
 * the station's receive time (the fix itself is used: a wrong clock must not hide a patrol car from the map).
 */
export const POSITION_FUTURE_ALLOWANCE_MS = 30_000;
/**
 * Positions are ordered by the station's receive time. A fix stamped older than the live one is taken as a
 * straggler overtaken on the way and ignored, but only if the live one arrived less than this long ago: no
 * timestamp can hold a unit in place for longer.
 */
export const POSITION_REORDER_MS = 10_000;

/**
 * Every refusal code, for devices and consoles alike: one failure, one code. Terminals and units only ever get the
 * first five (docs/protocol.md §9); `unauthorized` (wrong password, ended session) and `internal` come from the
 * core's HTTP login, and `unreachable` is the console's own: the station could not be reached or did not answer.
 */
export const ERROR_CODES = ['invalid_payload', 'unknown_alarm', 'rate_limited', 'not_durable', 'forbidden', 'unauthorized', 'internal', 'unreachable'] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/**
 * Why the core refused a console command for the state it is in: finer than the code (most are `forbidden`), so
 * the console can say it in the officer's language (renderer/i18n.ts `refusals`) instead of showing `message`,
 * which is English for logs and tools. Optional on the wire: a device never needs it, and an older core sends none.
 */
export const REFUSAL_REASONS = [
  'not_permitted',
  'not_acknowledged',
  'already_acknowledged',
  'already_resolved',
  'not_resolved',
  'already_handling',
  'already_dispatched',
  'unit_assigned_elsewhere',
  'no_active_dispatch',
  'already_accepted',
  'already_en_route',
  'already_on_scene',
  'disposition_conflict',
  'unknown_unit',
  'not_stored',
  'empty_text',
  /** An incident that holds the most notes and call-backs it may (main/core/operatorCommands.ts). */
  'too_many_notes',
  'fault_not_open',
  'fault_already_acknowledged',
  'unknown_school',
  'unknown_finding',
  'finding_already_closed',
  'bad_date',
  'unknown_post',
  'post_already_in',
  'post_not_in',
  'unknown_window',
  'window_cancelled',
  'bad_window',
  /** A drill window that overlaps another of the same school's, or one too many announced ahead. */
  'window_overlaps',
  'too_many_windows',
  'trainee_offline',
  /** Training: the real unit is offline, disabled or has no device; or it is on a real incident or another training job. */
  'unit_unavailable',
  'unit_busy',
  'unknown_job',
  // Administration (issue 14): accounts, devices and reference records.
  'unknown_operator',
  'unknown_record',
  'already_exists',
  'bad_id',
  'last_admin',
  'own_account',
  'in_use',
  'weak_password',
  'password_change_required',
  /** Stations (issue 15): the incident, device fault or unit belongs to another station than the operator's. */
  'other_station',
  /** A record or an account given a station the registry does not list. */
  'unknown_station',
  /** A unit's station changed while it is on a dispatch (the incident's station would lose sight of it). */
  'unit_on_dispatch',
] as const;
export type RefusalReason = (typeof REFUSAL_REASONS)[number];

export interface WireError {
  code: ErrorCode;
  message: string;
  reason?: RefusalReason;
}
export interface Refusal {
  ok: false;
  error: WireError;
}
export function refusal(code: ErrorCode, message: string, reason?: RefusalReason): Refusal {
  return { ok: false, error: reason ? { code, message, reason } : { code, message } };
}

export const ALARM_KINDS = ['panic', 'intrusion', 'violence', 'fire', 'medical', 'test', 'other'] as const;
export type AlarmKind = (typeof ALARM_KINDS)[number];

export const ALARM_STATES = ['received', 'acknowledged', 'dispatched', 'on_scene', 'resolved'] as const;
export type AlarmState = (typeof ALARM_STATES)[number];

const epochMs = z.number().finite().int().nonnegative();
const lat = z.number().finite().min(-90).max(90);
const lng = z.number().finite().min(-180).max(180);
// Forward compatibility (spec, Transport): every payload object strips the fields it does not know — a newer
// terminal may send optional fields this station has never heard of, and an alarm must never be lost for one.
// Known fields stay strict (type, range, length), and the 16 KiB limit counts the whole payload, unknown fields
// included. `z.object` copies only the known keys into a fresh object, so a key like `__proto__` or
// `constructor` in the payload never reaches anything downstream.
const alarmId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'alarmId must be 1–64 characters of A-Z a-z 0-9 _ -');

export const alarmSchema = z.object({
  alarmId,
  kind: z.enum(ALARM_KINDS),
  raisedAt: epochMs,
  drill: z.boolean().optional(),
  // Characters, not UTF-16 units: 500 emoji are 500 characters.
  note: z
    .string()
    .refine((n) => [...n].length <= 500, 'note is at most 500 characters')
    .optional(),
  location: z.object({ lat, lng }).optional(),
});
export type AlarmPayload = z.infer<typeof alarmSchema>;

export const cancelSchema = z.object({
  alarmId,
  reason: z.string().max(500),
});
export type CancelPayload = z.infer<typeof cancelSchema>;

export const heartbeatSchema = z.object({
  sentAt: epochMs,
  battery: z.number().finite().min(0).max(100).optional(),
  tamper: z.boolean().optional(),
  powerSource: z.enum(['mains', 'battery']).optional(),
});
export type HeartbeatPayload = z.infer<typeof heartbeatSchema>;

export const terminalAuthSchema = z.object({
  deviceId: z.string().min(1).max(128),
  token: z.string().min(1).max(512),
});
export type TerminalAuth = z.infer<typeof terminalAuthSchema>;

export const UNIT_STATES = ['available', 'en_route', 'on_scene', 'busy', 'off_duty'] as const;
export type UnitState = (typeof UNIT_STATES)[number];

export const unitAuthSchema = z.object({
  unitId: z.string().min(1).max(128),
  token: z.string().min(1).max(512),
});
export type UnitAuth = z.infer<typeof unitAuthSchema>;

export const positionSchema = z.object({
  lat,
  lng,
  at: epochMs,
  heading: z.number().finite().min(0).max(360).optional(),
  speed: z.number().finite().min(0).max(100).optional(), // m/s
  accuracy: z.number().finite().min(0).max(100_000).optional(), // m
});
export type PositionPayload = z.infer<typeof positionSchema>;

export const unitStatusSchema = z.object({
  state: z.enum(UNIT_STATES),
  incidentId: z.string().min(1).max(64).optional(),
  at: epochMs,
});
export type UnitStatusPayload = z.infer<typeof unitStatusSchema>;

/**
 * `dispatch` (station → unit, acked by the unit): the job, re-sent until the unit answers. `school` is where to go
 * (the alarm's own location when it gave one); `priority` 1 is a real alarm, 2 kind `other`, 3 a drill or a test.
 */
export const unitDispatchSchema = z.object({
  incidentId: z.string().min(1),
  school: z.object({ id: z.string(), name: z.string(), address: z.string(), lat, lng }),
  kind: z.enum(ALARM_KINDS),
  priority: z.union([z.literal(1), z.literal(2), z.literal(3)]),
  drill: z.boolean(),
  at: epochMs,
});
export type UnitDispatch = z.infer<typeof unitDispatchSchema>;

/** `dispatch:cancel` (station → unit, acked): the officer withdrew the job. */
export const unitDispatchCancelSchema = z.object({ incidentId: z.string().min(1), reason: z.string(), at: epochMs });
export type UnitDispatchCancel = z.infer<typeof unitDispatchCancelSchema>;

/** The unit's answer to `dispatch`: accepted, or declined with a reason. */
export type UnitDispatchAnswer = { ok: true } | { ok: false; reason?: string };

export interface AlarmAck {
  ok: true;
  incidentId: string;
  receivedAt: number;
  duplicate?: true;
}
export interface HeartbeatAck {
  ok: true;
  serverTime: number;
}
export interface AlarmStatus {
  alarmId: string;
  incidentId: string;
  state: AlarmState;
  at: number;
}

/**
 * The `alarm:status` a terminal hears about its alarm: the incident's state as of `at`. `alarmId` is the press it
 * answers (the incident's first press unless given: a repeat press hears about the incident it joined).
 */
export function alarmStatusOf(inc: { id: string; alarmId: string; state: AlarmState }, at: number, alarmId = inc.alarmId): AlarmStatus {
  return { alarmId, incidentId: inc.id, state: inc.state, at };
}

export type ParseResult<T> = { ok: true; value: T } | Refusal;

/**
 * Where a unit's new position fix stands against its live one. Positions are ordered by the station's receive
 * time, not by the unit's clock: ordering by the unit's `at` let one fix stamped in the future hold the unit in
 * place until the station restarted. Returns the `at` to keep for the fix (the unit's own, or the receive time if
 * the unit's is beyond POSITION_FUTURE_ALLOWANCE_MS ahead), or undefined when the fix is a straggler to ignore:
 * stamped older than the live fix, which arrived less than POSITION_REORDER_MS ago.
 */
export function positionFixAt(live: { at: number; receivedAt: number } | undefined, fixAt: number, receivedAt: number): number | undefined {
  const at = fixAt > receivedAt + POSITION_FUTURE_ALLOWANCE_MS ? receivedAt : fixAt;
  if (live && at < live.at && receivedAt - live.receivedAt < POSITION_REORDER_MS) return undefined;
  return at;
}

/** Rough UTF-8 size of a JSON-able payload, for the 16 KiB limit. Cycles count as too large. */
export function payloadBytes(payload: unknown): number {
  try {
    const json = JSON.stringify(payload);
    // JSON.stringify escapes lone surrogates (as \udXXX), so only whole pairs reach the count.
    return json === undefined ? 0 : utf8Bytes(json);
  } catch {
    return Number.POSITIVE_INFINITY;
  }
}

function parseWith<T>(schema: z.ZodType<T>, payload: unknown, what: string): ParseResult<T> {
  if (payloadBytes(payload) > MAX_PAYLOAD_BYTES) {
    return refusal('invalid_payload', `${what} payload is larger than ${MAX_PAYLOAD_BYTES} bytes`);
  }
  const r = schema.safeParse(payload);
  if (r.success) return { ok: true, value: r.data };
  const issue = r.error.issues[0];
  const where = issue && issue.path.length > 0 ? issue.path.join('.') + ': ' : '';
  return refusal('invalid_payload', `${what}: ${where}${issue?.message ?? 'invalid'}`);
}

export const parseAlarm = (p: unknown): ParseResult<AlarmPayload> => parseWith(alarmSchema, p, 'alarm');
export const parseCancel = (p: unknown): ParseResult<CancelPayload> => parseWith(cancelSchema, p, 'cancel');
export const parseHeartbeat = (p: unknown): ParseResult<HeartbeatPayload> => parseWith(heartbeatSchema, p, 'heartbeat');
export const parseTerminalAuth = (p: unknown): ParseResult<TerminalAuth> => parseWith(terminalAuthSchema, p, 'auth');
export const parseUnitAuth = (p: unknown): ParseResult<UnitAuth> => parseWith(unitAuthSchema, p, 'auth');
export const parsePosition = (p: unknown): ParseResult<PositionPayload> => parseWith(positionSchema, p, 'position');
export const parseUnitStatus = (p: unknown): ParseResult<UnitStatusPayload> => parseWith(unitStatusSchema, p, 'status');

// shared/ — limits both the core and the console must agree on. What a station configures (its actual stale
// limit, its time zone) is in main/core/settings.ts and reaches consoles from the core; these are fixed or defaults.
import { MAX_PAYLOAD_BYTES } from './protocol';

/**
 * The largest socket.io frame the core reads (Engine.IO's maxHttpBufferSize, main/server.ts): 1 MiB. Device
 * messages are limited to MAX_PAYLOAD_BYTES by the parsers; only an admin's import needs frames this large.
 */
export const SOCKET_FRAME_BYTES = 64 * MAX_PAYLOAD_BYTES;

/**
 * The most a console sends as one import's text (its JSON-escaped UTF-8 size). Below SOCKET_FRAME_BYTES so the
 * frame's envelope (event name, kind, format, ack id) always fits beside it.
 */
export const MAX_IMPORT_FRAME_TEXT_BYTES = 1_000_000;

/** Units report every 2 s by default; a position 2 minutes old is no longer where the unit is (STATION_UNIT_STALE_MS). */
export const DEFAULT_UNIT_STALE_MS = 2 * 60_000;
/** The bounds of a configured stale limit, in ms: the core refuses others at start, the console ignores them. */
export const UNIT_STALE_MS_RANGE = { min: 1000, max: 3_600_000 } as const;

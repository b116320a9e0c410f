// main/ (core, Node) — the registry file (registry.json, demo-registry.json): its records, the zod schema it is
// read through, and the atomic write. A file that does not fit the schema is refused with the file and the field
// named (the core does not start, a reload keeps the data it had); fields this version does not know are kept.
import fs from 'node:fs';
import { replaceFile } from './durableFile';
import { z } from 'zod';
import { ROLES, type OperatorRef } from '../../shared/events';
import { AREA_CLASSES, POLICE_ROOM_KINDS, SCHOOL_TYPES } from '../../shared/dataColumns';
import type { GuardPost, PatrolUnit, PoliceRoom, School, Terminal } from '../../shared/model';
import type { RefusalReason } from '../../shared/protocol';
import type { TargetProfile } from '../../shared/response';
import type { Station } from '../../shared/stations';
import { parseJsonFile } from './fileSchema';
import type { SecretHash } from './secrets';

export interface TerminalRecord extends Terminal {
  secret: SecretHash;
  disabled: boolean;
}
export interface UnitRecord extends PatrolUnit {
  secret?: SecretHash;
  disabled: boolean;
}
export interface OperatorRecord extends OperatorRef {
  secret: SecretHash;
  disabled: boolean;
  /** A new account or a password reset by an admin: the next login must set a new password before any session. */
  mustChangePassword?: boolean;
  /** Raised to end every session of the account while its password stays (a role change); part of its stamp. */
  sessionEpoch?: number;
  /** The station the account logs in to (shared/stations.ts); absent: the default station. The county role sees all. */
  stationId?: string;
}

export interface RegistryData {
  stationName: string;
  /** The county's stations; absent or empty: one station (every record's stationId absent). */
  stations?: Station[];
  schools: School[];
  terminals: TerminalRecord[];
  guardPosts: GuardPost[];
  policeRooms: PoliceRoom[];
  units: UnitRecord[];
  operators: OperatorRecord[];
  targets?: TargetProfile;
  /**
   * Schools deleted from the registry, as they were: their past incidents keep their station (a chief's signed
   * figures do not move to the default station when a school closes) and their area class (the on-scene target).
   * Nothing else sees them: no terminal, post, map or export.
   */
  retiredSchools?: School[];
}

/** A registry change refused; `reason` says why in words a console can translate (shared/protocol.ts). */
export class RegistryError extends Error {
  constructor(
    message: string,
    readonly reason?: RefusalReason,
  ) {
    super(message);
  }
}

export const emptyRegistryData = (stationName = '派出所'): RegistryData => ({
  stationName,
  schools: [],
  terminals: [],
  guardPosts: [],
  policeRooms: [],
  units: [],
  operators: [],
});

// The schema says what the code relies on. Objects are loose: a field of a newer version passes through (and is
// written back), and parseJsonFile reports it.
/** A record's station: an id of the registry's `stations` (checked when the registry is indexed). */
const stationId = z.string().min(1).max(64).optional();
const latLng = { lat: z.number().finite().min(-90).max(90), lng: z.number().finite().min(-180).max(180) };
const secretSchema = z.looseObject({ salt: z.string(), hash: z.string(), n: z.number().int().positive().optional() });
const schoolSchema = z.looseObject({
  id: z.string().min(1),
  name: z.string(),
  nameEn: z.string(),
  type: z.enum(SCHOOL_TYPES),
  address: z.string(),
  ...latLng,
  area: z.enum(AREA_CLASSES),
  phone: z.string(),
  stationId,
});
const terminalSchema = z.looseObject({
  deviceId: z.string().min(1),
  schoolId: z.string().min(1),
  label: z.string(),
  secret: secretSchema,
  disabled: z.boolean(),
});
const guardPostSchema = z.looseObject({
  id: z.string().min(1),
  name: z.string(),
  schoolId: z.string().min(1),
  ...latLng,
  days: z.array(z.number().int().min(1).max(7)),
  windows: z.array(z.looseObject({ start: z.string(), end: z.string() })),
  stationId,
});
const policeRoomSchema = z.looseObject({ id: z.string().min(1), name: z.string(), kind: z.enum(POLICE_ROOM_KINDS), ...latLng, stationId });
const unitSchema = z.looseObject({
  id: z.string().min(1),
  name: z.string(),
  callsign: z.string(),
  ...latLng,
  hasDevice: z.boolean(),
  postId: z.string().optional(),
  secret: secretSchema.optional(),
  disabled: z.boolean(),
  stationId,
});
const operatorSchema = z.looseObject({
  username: z.string().min(1),
  displayName: z.string(),
  role: z.enum(ROLES),
  secret: secretSchema,
  disabled: z.boolean(),
  mustChangePassword: z.boolean().optional(),
  sessionEpoch: z.number().int().nonnegative().optional(),
  stationId,
});
const stationSchema = z.looseObject({ id: z.string().min(1).max(64), name: z.string().min(1), nameEn: z.string() });
const ms = z.number().finite().positive();
const targetsSchema = z.looseObject({
  showMs: ms,
  acknowledgeMs: ms,
  dispatchMs: ms,
  onSceneMs: z.looseObject({ urban: ms, suburban: ms, rural: ms }),
  roadFactor: z.number().finite().positive(),
  speedKmh: z.number().finite().positive(),
});

/** A missing list is an empty one (as emptyRegistryData); a missing station name the default. */
export const registryFileSchema = z.looseObject({
  stationName: z.string().default('派出所'),
  stations: z.array(stationSchema).optional(),
  schools: z.array(schoolSchema).default([]),
  terminals: z.array(terminalSchema).default([]),
  guardPosts: z.array(guardPostSchema).default([]),
  policeRooms: z.array(policeRoomSchema).default([]),
  units: z.array(unitSchema).default([]),
  operators: z.array(operatorSchema).default([]),
  targets: targetsSchema.optional(),
  retiredSchools: z.array(schoolSchema).optional(),
});

/**
 * The registry in `file`; an empty one when there is no file yet. Throws a FileFormatError (file and field named)
 * for anything else that is not a registry: `null`, `[]` or a string are valid JSON, but loading them would cut
 * off every device. Writes nothing.
 */
export function readRegistryFile(file: string): RegistryData {
  if (!fs.existsSync(file)) return emptyRegistryData();
  return parseJsonFile(file, fs.readFileSync(file, 'utf8'), registryFileSchema) as RegistryData;
}

/**
 * Throws a RegistryError naming the first field when `data` is not what readRegistryFile loads: a change that would
 * be saved but refused at the next start (a unit's latitude of 117 by the CLI) would leave the station unable to
 * start, and the CLI unable to load the file to mend it.
 */
export function checkRegistryData(data: RegistryData): void {
  const r = registryFileSchema.safeParse(data);
  if (r.success) return;
  const issue = r.error.issues[0]!;
  throw new RegistryError(`not a valid registry: ${issue.path.join('.') || '(top)'}: ${issue.message}`);
}

/** Writes to a temporary file, fsyncs, then renames: a crash leaves the old or the new file, never half. */
export function writeRegistryFile(file: string, data: RegistryData): void {
  replaceFile(file, JSON.stringify(data, null, 1));
}

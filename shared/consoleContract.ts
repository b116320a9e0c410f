// shared/ — the `/console` contract, written once: one zod schema per operator command (what it sends), the
// schema of its answer, and the permission it needs. Everything else is derived from CONSOLE_CONTRACT: the command
// names, the request and answer types, the socket.io typing, the gateway's handler table (main/gateway/gateway.ts) and the
// link's `call` (renderer/adapters/stationLink.ts). A renamed command therefore fails the typecheck on both ends
// (test/types/contract.typecheck.ts), and the UI's length limits are the ones the core enforces.
import { z } from 'zod';
import {
  deleteRecordSchema,
  operatorAddSchema,
  operatorDisableSchema,
  operatorRefSchema,
  operatorRowSchema,
  operatorUpdateSchema,
  saveRecordSchema,
  unitAddSchema,
  unitUpdateSchema,
} from './adminWire';
import { DATA_FORMATS, DATA_KINDS } from './dataExchange';
import { DEVICE_FAULT_KINDS, DISPOSITIONS, type OperatorRef } from './events';
import { ERROR_CODES, REFUSAL_REASONS } from './protocol';
import { checkProfile } from './response';
import { can, type Action } from './roles';
import { historyPageSchema, historyRequestSchema, incidentWholeSchema } from './historyWire';
import { closeFindingSchema, inspectionSchema, inspectionsQuerySchema, recordInspectionSchema } from './inspections';
import { cancelDrillWindowSchema, checkPostSchema, planAnswerSchema, planQuerySchema, recordSchoolDrillSchema, registerDrillWindowSchema } from './planRecords';
import { statsReportSchema, statsRequestSchema } from './statsWire';
import { mapSourceSchema, mapTrySchema, settingsPatchSchema, settingsViewSchema } from './stationSettings';
import {
  trainingAssignSchema,
  trainingConsolesAckSchemaShape,
  trainingRecordSchema,
  trainingResultSchema,
  trainingResultsQuerySchema,
  trainingUnitDispatchSchema,
  trainingUnitReleaseSchema,
} from './training';

// --- limits: the core refuses beyond them, the console's fields stop at them (UTF-16 units, as `maxLength`). ---

/** A note on an incident, and the note of a resolution. */
export const MAX_NOTE_LENGTH = 2000;
/** The outcome of a call-back to the school. */
export const MAX_OUTCOME_LENGTH = 2000;
/** The reason for withdrawing a unit or reopening an incident. */
export const MAX_REASON_LENGTH = 500;
/** How long the console's mute silences the alarm sound (the keyboard's mute, journalled as sound.muted). */
export const MUTE_MS = 30_000;
/** A terminal's label on the admin screen. */
export const MAX_LABEL_LENGTH = 200;

// --- answers ---

// A reason this build does not know (a newer core) is dropped, never a failed answer: the code still says it.
const wireError = z.object({ code: z.enum(ERROR_CODES), message: z.string(), reason: z.enum(REFUSAL_REASONS).optional().catch(undefined) });
const refusalSchema = z.object({ ok: z.literal(false), error: wireError });
const done = z.object({ ok: z.literal(true) });

export const commandAckSchema = z.union([done, refusalSchema]);
/** Admin answers that carry a new secret, shown once. */
export const secretAckSchema = z.union([z.object({ ok: z.literal(true), token: z.string() }), refusalSchema]);
/**
 * A refused import: a refusal (code invalid_payload) whose error may also list the row errors (1-based line,
 * column, reason; `omitted` counts those not listed). Nothing was changed.
 */
const importRefusalSchema = z.object({
  ok: z.literal(false),
  error: wireError.extend({
    details: z.array(z.object({ line: z.number(), field: z.string(), reason: z.string() })).optional(),
    omitted: z.number().optional(),
  }),
});
/**
 * New devices' tokens by id. Kept as the very object that arrived (a z.record would copy it, and an id such as
 * `__proto__` would be lost on the way: ids from outside are ordinary ids, see ARCHITECTURE.md).
 */
const credentials = z.custom<Record<string, string>>(
  (v) => typeof v === 'object' && v !== null && !Array.isArray(v) && Object.values(v).every((t) => typeof t === 'string'),
  'credentials must map ids to tokens',
);
/** Import applied: counts, and the tokens of new devices (id → token), shown once. */
export const importAckSchema = z.union([
  z.object({ ok: z.literal(true), kind: z.enum(DATA_KINDS), added: z.number(), updated: z.number(), credentials }),
  importRefusalSchema,
]);
/** Export: the file's text and a suggested file name. */
export const exportAckSchema = z.union([z.object({ ok: z.literal(true), text: z.string(), filename: z.string() }), refusalSchema]);
/** The response-time statistics of a period (shared/statsWire.ts). */
export const statsAckSchema = z.union([z.object({ ok: z.literal(true), report: statsReportSchema }), refusalSchema]);
/** One page of the incident history (shared/historyWire.ts). */
export const historyAckSchema = z.union([z.object({ ok: z.literal(true), page: historyPageSchema }), refusalSchema]);
/** The inspections of a period (shared/inspections.ts). */
export const inspectionsAckSchema = z.union([z.object({ ok: z.literal(true), inspections: z.array(inspectionSchema) }), refusalSchema]);
/** An inspection recorded: its id. */
export const inspectionRecordAckSchema = z.union([z.object({ ok: z.literal(true), inspectionId: z.string() }), refusalSchema]);
/** The plan's records of a semester (shared/planRecords.ts). */
export const planAckSchema = z.union([z.object({ ok: z.literal(true) }).extend(planAnswerSchema.shape), refusalSchema]);
/** A drill window announced: its id. */
export const drillWindowAckSchema = z.union([z.object({ ok: z.literal(true), windowId: z.string() }), refusalSchema]);
/** A school's own drill registered: its id. */
export const drillRecordAckSchema = z.union([z.object({ ok: z.literal(true), drillId: z.string() }), refusalSchema]);
/** A training result kept: its id. */
export const trainingRecordAckSchema = z.union([z.object({ ok: z.literal(true), trainingId: z.string() }), refusalSchema]);
/** Training results, newest first. */
export const trainingResultsAckSchema = z.union([z.object({ ok: z.literal(true), results: z.array(trainingResultSchema) }), refusalSchema]);
/** A new or reset operator password, generated by the core and shown once; the next login must change it. */
export const passwordAckSchema = z.union([z.object({ ok: z.literal(true), password: z.string() }), refusalSchema]);
/** A unit added: its device token (shown once) when it has a device. */
export const unitAckSchema = z.union([z.object({ ok: z.literal(true), token: z.string().optional() }), refusalSchema]);
/** The operator accounts (never a secret). */
export const operatorsAckSchema = z.union([z.object({ ok: z.literal(true), operators: z.array(operatorRowSchema) }), refusalSchema]);
/** One incident whole, with its timeline. */
export const incidentAckSchema = z.union([z.object({ ok: z.literal(true), incident: incidentWholeSchema }), refusalSchema]);

/** The station's settings as the admin screen shows them (shared/stationSettings.ts). */
export const settingsAckSchema = z.union([z.object({ ok: z.literal(true), view: settingsViewSchema }), refusalSchema]);
/** A map source tried: whether it works, and exactly what happened. */
export const mapTryAckSchema = z.union([z.object({ ok: z.literal(true), result: mapTrySchema }), refusalSchema]);
/** Settings saved: those in force now, those waiting for the next start, and the view after the save. */
export const settingsSavedAckSchema = z.union([
  z.object({ ok: z.literal(true), applied: z.array(z.string()), restart: z.array(z.string()), view: settingsViewSchema }),
  refusalSchema,
]);

export type CommandAck = z.infer<typeof commandAckSchema>;
export type SettingsAck = z.infer<typeof settingsAckSchema>;
export type SettingsSavedAck = z.infer<typeof settingsSavedAckSchema>;
export type MapTryAck = z.infer<typeof mapTryAckSchema>;
export type SecretAck = z.infer<typeof secretAckSchema>;
export type PasswordAck = z.infer<typeof passwordAckSchema>;
export type UnitAck = z.infer<typeof unitAckSchema>;
export type OperatorsAck = z.infer<typeof operatorsAckSchema>;
export type ImportRefusal = z.infer<typeof importRefusalSchema>;
export type ImportAck = z.infer<typeof importAckSchema>;
export type ExportAck = z.infer<typeof exportAckSchema>;
export type StatsAck = z.infer<typeof statsAckSchema>;
export type HistoryAck = z.infer<typeof historyAckSchema>;
export type InspectionsAck = z.infer<typeof inspectionsAckSchema>;
export type InspectionRecordAck = z.infer<typeof inspectionRecordAckSchema>;
export type IncidentAck = z.infer<typeof incidentAckSchema>;
export type PlanAck = z.infer<typeof planAckSchema>;
export type DrillRecordAck = z.infer<typeof drillRecordAckSchema>;
export type TrainingRecordAck = z.infer<typeof trainingRecordAckSchema>;
/** Who may be sent a training run now. */
export const trainingConsolesAckSchema = z.union([z.object({ ok: z.literal(true), ...trainingConsolesAckSchemaShape }), refusalSchema]);
/** A run sent: to how many of the trainee's consoles. */
export const trainingAssignAckSchema = z.union([z.object({ ok: z.literal(true), consoles: z.number() }), refusalSchema]);
export type TrainingConsolesAck = z.infer<typeof trainingConsolesAckSchema>;
export type TrainingAssignAck = z.infer<typeof trainingAssignAckSchema>;
export type TrainingResultsAck = z.infer<typeof trainingResultsAckSchema>;
export type DrillWindowAck = z.infer<typeof drillWindowAckSchema>;

// --- requests ---

/** Ids are checked against the state by the core (an unknown one is `unknown_alarm` or refused there), not here. */
const id = z.string();
const text = (max: number, what: string) => z.string().max(max, `${what} is at most ${max} characters`);
const nonBlank = (max: number, what: string) => text(max, what).refine((s) => s.trim() !== '', `${what} must not be empty`);
const kind = z.enum(DATA_KINDS);
const format = z.enum(DATA_FORMATS);
/** The target profile, checked by the one rule the core's registry applies too (shared/response.ts). */
const profile = z.unknown().transform((p, ctx) => {
  const r = checkProfile(p);
  if (r.ok) return r.value;
  ctx.addIssue({ code: 'custom', message: r.message });
  return z.NEVER;
});

/**
 * One entry per command: what it sends, what it answers, and the permission it needs (shared/roles.ts). `denied`
 * completes the refusal "role <role> …" for an operator without it. Roles are checked before the payload is read,
 * so an operator who may not use a command learns nothing about its payload.
 */
const command = <Req extends z.ZodType, Ans extends z.ZodType>(permission: Action, denied: string, request: Req, answer: Ans) => ({
  permission,
  denied,
  request,
  answer,
});

const HANDLE = 'may not handle incidents';
const ADMIN = 'may not manage devices';
const ACCOUNTS = 'may not manage operator accounts';
const RECORDS = 'may not edit the reference data';

const commands = {
  /** 接警. */
  acknowledge: command('incident.acknowledge', 'may not acknowledge alarms', z.object({ incidentId: id }), commandAckSchema),
  /** First render of an incident on a duty console. */
  shown: command('incident.acknowledge', 'does not report alarms as shown', z.object({ incidentId: id }), commandAckSchema),
  acknowledgeFault: command(
    'device.acknowledgeFault',
    'may not acknowledge device faults',
    z.object({ deviceId: id, fault: z.enum(DEVICE_FAULT_KINDS) }),
    commandAckSchema,
  ),
  /** Silence this console's alarm sound for MUTE_MS, with a reason: journalled (sound.muted) with the officer's name. */
  mute: command('incident.acknowledge', 'may not silence the alarm', z.object({ reason: nonBlank(MAX_REASON_LENGTH, 'a reason to mute') }), commandAckSchema),
  note: command('incident.handle', HANDLE, z.object({ incidentId: id, text: nonBlank(MAX_NOTE_LENGTH, 'a note') }), commandAckSchema),
  callBack: command('incident.handle', HANDLE, z.object({ incidentId: id, outcome: text(MAX_OUTCOME_LENGTH, 'outcome') }), commandAckSchema),
  takeOver: command('incident.handle', HANDLE, z.object({ incidentId: id }), commandAckSchema),
  dispatch: command('incident.handle', HANDLE, z.object({ incidentId: id, unitId: id }), commandAckSchema),
  cancelDispatch: command('incident.handle', HANDLE, z.object({ incidentId: id, unitId: id, reason: text(MAX_REASON_LENGTH, 'reason') }), commandAckSchema),
  progress: command('incident.handle', HANDLE, z.object({ incidentId: id, unitId: id, state: z.enum(['en_route', 'on_scene']) }), commandAckSchema),
  resolve: command(
    'incident.handle',
    HANDLE,
    z.object({
      incidentId: id,
      disposition: z.enum(DISPOSITIONS),
      note: text(MAX_NOTE_LENGTH, 'note'),
      /** Resolving against the incident's nature (shared/incidentRules.ts dispositionConflict) needs a reason. */
      override: z.object({ reason: nonBlank(MAX_REASON_LENGTH, 'a reason for the override') }).optional(),
    }),
    commandAckSchema,
  ),
  reopen: command('incident.handle', HANDLE, z.object({ incidentId: id, reason: nonBlank(MAX_REASON_LENGTH, 'a reason to reopen') }), commandAckSchema),
  /** The response-time statistics of a period: read only, computed by the core from its state. */
  stats: command('stats.view', 'may not read the statistics', statsRequestSchema, statsAckSchema),
  /** The incident history: a page of incidents, newest first, filtered like the statistics (read only). */
  history: command('history.view', 'may not read the incident history', historyRequestSchema, historyAckSchema),
  /** A police–education joint inspection of a school and its hidden dangers (journalled). */
  'inspection:record': command('plan.record', 'may not record inspections', recordInspectionSchema, inspectionRecordAckSchema),
  /** A hidden danger rectified (journalled). */
  'inspection:close': command('plan.record', 'may not record inspections', closeFindingSchema, commandAckSchema),
  /** The inspections of a period (read only). */
  inspections: command('stats.view', 'may not read the inspections', inspectionsQuerySchema, inspectionsAckSchema),
  /** A drill the school held without pressing its alarm, registered for the plan (journalled). */
  'drill:register': command('plan.record', 'may not register drills', recordSchoolDrillSchema, drillRecordAckSchema),
  /** A school's drill announced in advance (演练报备): its presses in the window are that drill (journalled). */
  'drillWindow:register': command('plan.record', 'may not announce drills', registerDrillWindowSchema, drillWindowAckSchema),
  /** An announced drill called off (journalled). */
  'drillWindow:cancel': command('plan.record', 'may not announce drills', cancelDrillWindowSchema, commandAckSchema),
  /** A guard post staffed or left, checked on the console (journalled). */
  'post:check': command('plan.record', 'may not check guard posts in or out', checkPostSchema, commandAckSchema),
  /** The plan's records of a semester: inspections, registered drills, post shifts and terminal outages (read only). */
  plan: command('stats.view', 'may not read the plan board', planQuerySchema, planAckSchema),
  /** A training run's result, recorded by the console that ran it (journalled as training; counted nowhere else). */
  'training:record': command('training.run', 'may not record training results', trainingRecordSchema, trainingRecordAckSchema),
  /** The training results kept at the station, newest first; one trainee's when named (read only). */
  'training:results': command('training.run', 'may not read training results', trainingResultsQuerySchema, trainingResultsAckSchema),
  /** Who is logged in on a console now and may be sent a training run (read only). */
  'training:consoles': command('training.assign', 'may not send training runs', z.object({}).strict(), trainingConsolesAckSchema),
  /** A scenario sent to a logged-in operator's consoles, which start the run at once (nothing is journalled). */
  'training:assign': command('training.assign', 'may not send training runs', trainingAssignSchema, trainingAssignAckSchema),
  /** A training alarm sent to a real unit taking part (its device is told it is a drill; nothing is journalled as an incident). */
  'training:unitDispatch': command('training.run', 'may not run training', trainingUnitDispatchSchema, commandAckSchema),
  /** A real unit's training job is over: its device is told (dispatch:cancel). */
  'training:unitRelease': command('training.run', 'may not run training', trainingUnitReleaseSchema, commandAckSchema),
  /** One incident whole, with its timeline (read only). */
  incident: command('history.view', 'may not read the incident history', z.object({ incidentId: id }), incidentAckSchema),
  'admin:setTargets': command('registry.manage', 'may not change the targets', z.object({ profile }), commandAckSchema),
  /** The settings file and the values in force (docs/settings.md; read only). */
  'admin:settings': command('registry.manage', 'may not read the station settings', z.strictObject({}), settingsAckSchema),
  /** Tries a map source (one tile fetched, or the archive opened) without saving it. */
  'admin:tryMapSource': command('registry.manage', 'may not change the station settings', z.object({ source: mapSourceSchema }), mapTryAckSchema),
  /**
   * Saves settings to the settings file: those safe to change live take effect at once on every console, the others at
   * the next start. A map source that fails its try is refused unless `force` (save anyway). Journalled per field.
   */
  'admin:saveSettings': command(
    'registry.manage',
    'may not change the station settings',
    z.object({ settings: settingsPatchSchema, force: z.boolean().optional() }),
    settingsSavedAckSchema,
  ),
  'admin:addTerminal': command('registry.manage', ADMIN, z.object({ deviceId: id, schoolId: id, label: text(MAX_LABEL_LENGTH, 'label') }), secretAckSchema),
  'admin:rotate': command('registry.manage', ADMIN, z.object({ id }), secretAckSchema),
  'admin:setDisabled': command('registry.manage', ADMIN, z.object({ id, disabled: z.boolean() }), commandAckSchema),
  /** Reference data import, all or nothing (docs/data-exchange.md). */
  'admin:import': command('registry.manage', ADMIN, z.object({ kind, format, text: z.string() }), importAckSchema),
  'admin:export': command('registry.manage', ADMIN, z.object({ kind, format }), exportAckSchema),
  // The admin's whole job (issue 14, shared/adminWire.ts): accounts, units, the reference records one at a time.
  /** The operator accounts (read only; never a secret). */
  'admin:operators': command('registry.manage', ACCOUNTS, z.object({}), operatorsAckSchema),
  /** A new account with a temporary password (shown once); its first login must set a new one. */
  'admin:addOperator': command('registry.manage', ACCOUNTS, operatorAddSchema, passwordAckSchema),
  /** An account's name and role; a role change ends its sessions (it logs in again with the new role). */
  'admin:updateOperator': command('registry.manage', ACCOUNTS, operatorUpdateSchema, commandAckSchema),
  /** A temporary password (shown once); the account's sessions end and its next login must set a new one. */
  'admin:resetPassword': command('registry.manage', ACCOUNTS, operatorRefSchema, passwordAckSchema),
  /** Disable (its sessions end at once, its login is refused) or enable an account. */
  'admin:setOperatorDisabled': command('registry.manage', ACCOUNTS, operatorDisableSchema, commandAckSchema),
  /** A patrol unit (or a guard post's device); its token is shown once when it has a device. */
  'admin:addUnit': command('registry.manage', ADMIN, unitAddSchema, unitAckSchema),
  /** A unit's name, call sign, home, post and station changed (the id stays, and its device and token). */
  'admin:updateUnit': command('registry.manage', ADMIN, unitUpdateSchema, commandAckSchema),
  /** A school, guard post or police room added or edited. */
  'admin:saveRecord': command('registry.manage', RECORDS, saveRecordSchema, commandAckSchema),
  /** A school, guard post or police room deleted; refused while anything still uses it. */
  'admin:deleteRecord': command('registry.manage', RECORDS, deleteRecordSchema, commandAckSchema),
};

type Commands = typeof commands;
export type CommandName = keyof Commands;

/** The incident lifecycle commands (and the target profile): answered with a plain CommandAck. */
export type LifecycleCommand = 'note' | 'callBack' | 'takeOver' | 'dispatch' | 'cancelDispatch' | 'progress' | 'resolve' | 'reopen' | 'admin:setTargets';

/** The request of one command, as the console sends it and as the core receives it after parsing. */
export type ConsoleRequest<K extends CommandName> = RequestMap[K];
/** The answer of one command. */
export type AnswerOf<K extends CommandName> = AnswerMap[K];
type RequestMap = { [K in CommandName]: z.output<Commands[K]['request']> };
type AnswerMap = { [K in CommandName]: z.output<Commands[K]['answer']> };

interface Entry<Req, Ans> {
  permission: Action;
  denied: string;
  request: z.ZodType<Req>;
  answer: z.ZodType<Ans>;
}
/**
 * The contract, typed per command so that `CONSOLE_CONTRACT[name]` with a generic name keeps its own request and
 * answer types (an indexed access on `typeof commands` would widen to the union of every command's).
 */
export const CONSOLE_CONTRACT: { readonly [K in CommandName]: Entry<RequestMap[K], AnswerMap[K]> } = commands;
export const COMMAND_NAMES = Object.keys(commands).filter(isCommandName);

/**
 * The commands that change nothing, not even the journal (an export is audited, so it is not one): the console asks
 * one again when the core refused it for the session's command budget (renderer/adapters/stationLink.ts).
 */
export const READ_ONLY_COMMANDS: ReadonlySet<CommandName> = new Set<CommandName>([
  'stats',
  'history',
  'incident',
  'plan',
  'inspections',
  'training:results',
  'training:consoles',
  'admin:settings',
  'admin:operators',
]);

/** Console → server commands, all acked (socket.io typing). */
export type ConsoleClientEvents = { [K in CommandName]: (req: ConsoleRequest<K>, ack: (answer: AnswerOf<K>) => void) => void };

/** What the gateway must provide: one handler per command, given the session's operator and the parsed request. */
/** Where a command came from: the console page that sent it (ConsoleAuth.page, or its connection's id without one). */
export interface CommandOrigin {
  page: string;
}
export type ConsoleHandlers = {
  [K in CommandName]: (operator: OperatorRef, req: ConsoleRequest<K>, from: CommandOrigin) => AnswerOf<K> | Promise<AnswerOf<K>>;
};

export function isCommandName(name: unknown): name is CommandName {
  return typeof name === 'string' && Object.hasOwn(CONSOLE_CONTRACT, name);
}

type Parsed<T> = { ok: true; value: T } | { ok: false; error: { code: 'invalid_payload'; message: string } };
type Admitted<T> = Parsed<T> | { ok: false; error: { code: 'forbidden'; message: string; reason: 'not_permitted' } };

function parseWith<S extends z.ZodType>(schema: S, value: unknown, what: string): Parsed<z.output<S>> {
  const r = schema.safeParse(value);
  if (r.success) return { ok: true, value: r.data };
  const issue = r.error.issues[0];
  const where = issue && issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
  return { ok: false, error: { code: 'invalid_payload', message: `${what}: ${where}${issue?.message ?? 'invalid'}` } };
}

/** A command's payload as the gateway receives it, checked against the command's schema. */
export function parseRequest<K extends CommandName>(name: K, payload: unknown): Parsed<ConsoleRequest<K>> {
  return parseWith(CONSOLE_CONTRACT[name].request, payload, name);
}

/** A command's answer as the console receives it, checked against the command's answer schema. */
export function parseAnswer<K extends CommandName>(name: K, answer: unknown): Parsed<AnswerOf<K>> {
  return parseWith(CONSOLE_CONTRACT[name].answer, answer, `the answer to ${name}`);
}

/**
 * The one admission of a console command, in the gateway and again in the core (which other callers reach
 * directly): the operator's permission first (one who may not use the command learns nothing about its
 * payload), then the payload against the command's schema.
 */
export function admitCommand<K extends CommandName>(name: K, operator: OperatorRef, payload: unknown): Admitted<ConsoleRequest<K>> {
  const { permission, denied } = CONSOLE_CONTRACT[name];
  if (!can(operator.role, permission)) return { ok: false, error: { code: 'forbidden', message: `role ${operator.role} ${denied}`, reason: 'not_permitted' } };
  return parseRequest(name, payload);
}

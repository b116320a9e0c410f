// shared/ — station training (issue 13): the scenario format, a training run, and its score. Pure: the console's
// training tab plays a run (renderer/training.ts) and nothing of it reaches the core's journal, the duty
// consoles or the statistics — a training alarm is not an incident. Documented in docs/training.md.
import { z } from 'zod';
import { ALARM_KINDS, type AlarmKind } from './protocol';
import { EVENT_SCHEMAS } from './eventSchema';
import { ROLES, type OperatorRef, type TrainingCompleted, type TrainingResultFault, type TrainingResultRow } from './events';
import type { Dispatch } from './incidentModel';
import type { TargetProfile } from './response';

export const SCENARIO_VERSION = 1;
/** Scenario time: at most 4 h; at most 200 alarms. */
export const SCENARIO_MAX_S = 4 * 3600;
export const SCENARIO_MAX_ALARMS = 200;
export const TRAINING_SPEEDS = [1, 2, 5, 10] as const;
const speedSchema = z.number().refine((x) => (TRAINING_SPEEDS as readonly number[]).includes(x), { message: 'a speed of 1, 2, 5 or 10' });

const unitSchema = z
  .object({
    /** Seconds (scenario time) after a dispatch before the unit answers. */
    answersAfterS: z.number().min(0).max(3600).optional(),
    /** The unit declines its first dispatch (the trainee must send another). */
    declines: z.boolean().optional(),
    /** Seconds (scenario time) from accepting to on scene. */
    travelS: z.number().min(0).max(SCENARIO_MAX_S).optional(),
  })
  .strict();

const alarmSchema = z
  .object({
    /** Seconds from the start of the scenario. */
    at: z.number().min(0).max(SCENARIO_MAX_S),
    schoolId: z.string().min(1).max(64),
    kind: z.enum(ALARM_KINDS),
    note: z.string().max(500).optional(),
    unit: unitSchema.optional(),
  })
  .strict();

/** The simulated device faults a scenario may raise (the trainee must notice and acknowledge them). */
export const TRAINING_FAULTS = ['offline', 'tamper'] as const;
export type TrainingFaultKind = (typeof TRAINING_FAULTS)[number];
export const SCENARIO_MAX_FAULTS = 50;

const faultSchema = z
  .object({
    at: z.number().min(0).max(SCENARIO_MAX_S),
    schoolId: z.string().min(1).max(64),
    kind: z.enum(TRAINING_FAULTS),
  })
  .strict();

export const scenarioSchema = z
  .object({
    version: z.literal(SCENARIO_VERSION),
    name: z.string().min(1).max(120),
    description: z.string().max(2000).optional(),
    alarms: z.array(alarmSchema).min(1).max(SCENARIO_MAX_ALARMS),
    /** A school's terminal going offline or being tampered with, at its second of the script. */
    faults: z.array(faultSchema).max(SCENARIO_MAX_FAULTS).optional(),
  })
  .strict();

export type Scenario = z.infer<typeof scenarioSchema>;
export type ScenarioAlarm = z.infer<typeof alarmSchema>;
export type ScenarioFault = z.infer<typeof faultSchema>;

/** Where a scenario is wrong: a line and column of the text when it is not JSON, else the field's path. */
export interface ScenarioProblem {
  where: string;
  message: string;
}

/** Line and column (1-based) of a character offset in `text`. */
function lineCol(text: string, offset: number): string {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const col = offset - before.lastIndexOf('\n');
  return `第 ${line} 行第 ${col} 列 / line ${line}, column ${col}`;
}

/** The line of a field in pretty JSON: the first line that holds its key after its parent's (best effort). */
function fieldLine(text: string, path: readonly PropertyKey[]): string | undefined {
  const lines = text.split('\n');
  let from = 0;
  for (const key of path) {
    if (typeof key === 'number') {
      // the key-th object of the array: count lines opening an object after `from`
      let seen = -1;
      let i = from;
      for (; i < lines.length; i++) if (/^\s*\{/.test(lines[i]!) && ++seen === key) break;
      if (i >= lines.length) return undefined;
      from = i;
    } else {
      const i = lines.findIndex((l, n) => n >= from && l.includes(`"${String(key)}"`));
      if (i < 0) return undefined;
      from = i;
    }
  }
  return `第 ${from + 1} 行 / line ${from + 1}`;
}

const dotted = (path: readonly PropertyKey[]): string =>
  path.map((k, i) => (typeof k === 'number' ? `[${k}]` : i === 0 ? String(k) : `.${String(k)}`)).join('') || '(top)';

/**
 * Reads a scenario's text. Every problem is listed with where it is (the JSON line and column, or the field's path
 * and its line); a school id is checked against the station's schools when `schoolIds` is given.
 */
export function parseScenario(text: string, schoolIds?: ReadonlySet<string>): { ok: true; scenario: Scenario } | { ok: false; problems: ScenarioProblem[] } {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    const m = /position (\d+)/.exec((e as Error).message);
    return { ok: false, problems: [{ where: m ? lineCol(text, Number(m[1])) : '—', message: `不是 JSON / not JSON: ${(e as Error).message}` }] };
  }
  const r = scenarioSchema.safeParse(raw);
  if (!r.success) {
    return {
      ok: false,
      problems: r.error.issues.slice(0, 20).map((i) => {
        const line = fieldLine(text, i.path);
        return { where: `${dotted(i.path)}${line ? ` (${line})` : ''}`, message: i.message };
      }),
    };
  }
  const problems: ScenarioProblem[] = [];
  const checkSchool = (list: 'alarms' | 'faults', n: number, schoolId: string): void => {
    if (!schoolIds || schoolIds.has(schoolId)) return;
    const line = fieldLine(text, [list, n, 'schoolId']);
    problems.push({
      where: `${list}[${n}].schoolId${line ? ` (${line})` : ''}`,
      message: `本所没有学校 "${schoolId}" / no school "${schoolId}" at this station`,
    });
  };
  r.data.alarms.forEach((a, n) => checkSchool('alarms', n, a.schoolId));
  r.data.faults?.forEach((f, n) => checkSchool('faults', n, f.schoolId));
  return problems.length ? { ok: false, problems } : { ok: true, scenario: inTimeOrder(r.data) };
}

/** The scenario with its alarms and faults in the order they happen (a run plays them in this order). */
export function inTimeOrder(s: Scenario): Scenario {
  const byTime = <T extends { at: number }>(xs: readonly T[]): T[] => [...xs].sort((x, y) => x.at - y.at);
  return { ...s, alarms: byTime(s.alarms), ...(s.faults ? { faults: byTime(s.faults) } : {}) };
}

/** A scenario as the text a trainer edits. */
export const scenarioText = (s: Scenario): string => JSON.stringify(s, null, 2);

// ---------------------------------------------------------------- a run

export type TrainingItemState = 'awaiting' | 'acknowledged' | 'dispatched' | 'declined' | 'en_route' | 'on_scene' | 'resolved';

export interface TrainingItem {
  /** Its place in the scenario (sorted by `at`). */
  index: number;
  alarm: ScenarioAlarm;
  /** Real time (ms) it was shown to the trainee. */
  shownAt: number;
  acknowledgedAt?: number;
  /** The trainee's first dispatch, and the one the unit took. */
  dispatchedAt?: number;
  dispatches: number;
  /** Scenario time (ms) at which the simulated unit answers / arrives. */
  answersAt?: number;
  arrivesAt?: number;
  onSceneAt?: number;
  resolvedAt?: number;
  declined: boolean;
  /**
   * A real unit taking part, sent instead of the simulated one (training:unitDispatch): its job and how far it has
   * come, from its own device. Cleared when it declines or is taken for a real incident (the trainee sends another).
   */
  real?: { unitId: string; jobId: string; step?: TrainingUnitStep };
  /** Why the last real unit sent left this alarm (declined, or a real incident came first). */
  realLeft?: { unitId: string; reason: string };
}

/** A simulated device fault shown to the trainee. */
export interface TrainingFaultItem {
  index: number;
  fault: ScenarioFault;
  shownAt: number;
  acknowledgedAt?: number;
}

/**
 * A training run on one console: scenario time runs at `speed` while not paused; the trainee's own actions are
 * timed in real time (a 5× run compresses the waits between alarms and the units' drives, not the trainee).
 */
export class TrainingRun {
  /** The scenario in time order (inTimeOrder), whatever order it came in. */
  readonly scenario: Scenario;
  readonly items: TrainingItem[] = [];
  readonly faults: TrainingFaultItem[] = [];
  private scenarioMsAtPause = 0;
  private resumedAt: number | undefined;
  /** The real-time spans the run stood paused ([start, end), end undefined while paused): not the trainee's time. */
  private readonly pauses: [number, number | undefined][] = [];
  /** Why it is paused: by the trainer, or by a real alarm awaiting acknowledgement (it then resumes by itself). */
  pausedBy: 'trainer' | 'real_alarm' | undefined;
  endedAt: number | undefined;

  constructor(
    scenario: Scenario,
    readonly speed: number,
    readonly trainee: string,
    readonly startedAt: number,
  ) {
    this.scenario = inTimeOrder(scenario);
    this.resumedAt = startedAt;
  }

  /** Scenario milliseconds elapsed at real time `now` (a `now` read before the run resumed counts as then, not before). */
  scenarioMs(now: number): number {
    return this.scenarioMsAtPause + (this.resumedAt === undefined ? 0 : Math.max(0, now - this.resumedAt) * this.speed);
  }

  get paused(): boolean {
    return this.pausedBy !== undefined;
  }

  pause(now: number, by: 'trainer' | 'real_alarm'): void {
    if (this.endedAt !== undefined) return;
    if (this.pausedBy === undefined) this.pauses.push([now, undefined]);
    if (this.resumedAt !== undefined) this.scenarioMsAtPause = this.scenarioMs(now);
    this.resumedAt = undefined;
    // A trainer's pause outlasts a real alarm's; a real alarm does not undo the trainer's.
    if (this.pausedBy !== 'trainer') this.pausedBy = by;
  }

  resume(now: number, by: 'trainer' | 'real_alarm'): void {
    if (this.pausedBy === undefined || this.endedAt !== undefined) return;
    if (by === 'real_alarm' && this.pausedBy === 'trainer') return;
    this.pausedBy = undefined;
    const open = this.pauses.at(-1);
    if (open && open[1] === undefined) open[1] = Math.max(open[0], now);
    // The simulated units wait too: their times are in scenario time, which stood still.
    this.resumedAt = now;
  }

  /**
   * The trainee's time from `from` to `to` (real ms): less the spans the run stood paused (by the trainer, or by a
   * real alarm the trainee had to take first), so a pause never counts against a training alarm already shown.
   */
  activeMs(from: number, to: number): number {
    let paused = 0;
    for (const [a, b = Infinity] of this.pauses) paused += Math.max(0, Math.min(to, b) - Math.max(from, a));
    return Math.max(0, to - from - paused);
  }

  /**
   * Advances to `now`: shows the alarms that are due and moves the simulated units. True when something changed.
   * Nothing moves while paused (units included: their times are in scenario time).
   */
  tick(now: number): boolean {
    if (this.paused || this.endedAt !== undefined) return false;
    let changed = false;
    const at = this.scenarioMs(now);
    for (let i = this.items.length; i < this.scenario.alarms.length; i++) {
      const a = this.scenario.alarms[i]!;
      if (a.at * 1000 > at) break;
      this.items.push({ index: i, alarm: a, shownAt: now, dispatches: 0, declined: false });
      changed = true;
    }
    const faults = this.scenario.faults ?? [];
    for (let i = this.faults.length; i < faults.length; i++) {
      const f = faults[i]!;
      if (f.at * 1000 > at) break;
      this.faults.push({ index: i, fault: f, shownAt: now });
      changed = true;
    }
    for (const it of this.items) {
      if (it.resolvedAt !== undefined) continue;
      // The unit answers: it declines (the first time, when the scenario says so) or sets off.
      if (it.answersAt !== undefined && it.arrivesAt === undefined && it.answersAt <= at) {
        if (it.alarm.unit?.declines && !it.declined) {
          it.declined = true;
          it.answersAt = undefined;
        } else it.arrivesAt = it.answersAt + (it.alarm.unit?.travelS ?? 240) * 1000;
        changed = true;
      }
      if (it.arrivesAt !== undefined && it.onSceneAt === undefined && it.arrivesAt <= at) {
        it.onSceneAt = now;
        changed = true;
      }
    }
    return changed;
  }

  state(it: TrainingItem): TrainingItemState {
    if (it.resolvedAt !== undefined) return 'resolved';
    if (it.onSceneAt !== undefined) return 'on_scene';
    if (it.real?.step === 'en_route') return 'en_route';
    if (it.arrivesAt !== undefined) return 'en_route';
    if (it.declined && it.answersAt === undefined) return 'declined';
    if (it.dispatchedAt !== undefined) return 'dispatched';
    if (it.acknowledgedAt !== undefined) return 'acknowledged';
    return 'awaiting';
  }

  /** Training items awaiting acknowledgement (they sound the training tone while the run is not paused). */
  awaiting(): number {
    if (this.endedAt !== undefined) return 0;
    return this.items.filter((i) => i.acknowledgedAt === undefined).length + this.faults.filter((f) => f.acknowledgedAt === undefined).length;
  }

  /** The trainee acknowledges a simulated device fault. */
  acknowledgeFault(index: number, now: number): boolean {
    const f = this.faults[index];
    if (!f || f.acknowledgedAt !== undefined || this.endedAt !== undefined) return false;
    f.acknowledgedAt = now;
    return true;
  }

  acknowledge(index: number, now: number): boolean {
    const it = this.items[index];
    if (!it || it.acknowledgedAt !== undefined || this.endedAt !== undefined) return false;
    it.acknowledgedAt = now;
    return true;
  }

  /** Sends the simulated unit (again, after a decline). Needs the alarm acknowledged first, as on duty. */
  dispatch(index: number, now: number): boolean {
    const it = this.items[index];
    if (!it || it.acknowledgedAt === undefined || it.resolvedAt !== undefined || this.endedAt !== undefined) return false;
    if (it.answersAt !== undefined || it.arrivesAt !== undefined || it.real) return false;
    it.dispatchedAt ??= now;
    it.dispatches++;
    it.answersAt = this.scenarioMs(now) + (it.alarm.unit?.answersAfterS ?? 20) * 1000;
    return true;
  }

  /**
   * The trainee sent a real unit taking part (the station accepted training:unitDispatch with `jobId`): timed as a
   * dispatch like the simulated unit's; the unit's own device then answers and moves (realUnit).
   */
  dispatchReal(index: number, unitId: string, jobId: string, now: number): boolean {
    const it = this.items[index];
    if (!it || it.acknowledgedAt === undefined || it.resolvedAt !== undefined || this.endedAt !== undefined) return false;
    if (it.answersAt !== undefined || it.arrivesAt !== undefined || it.real || it.onSceneAt !== undefined) return false;
    it.dispatchedAt ??= now;
    it.dispatches++;
    it.real = { unitId, jobId };
    return true;
  }

  /** A real unit's device answered or moved (trainingUnit). True when it was one of this run's jobs. */
  realUnit(jobId: string, step: TrainingUnitStep, reason: string | undefined, now: number): boolean {
    const it = this.items.find((x) => x.real?.jobId === jobId);
    if (!it || !it.real || it.resolvedAt !== undefined) return false;
    if (step === 'declined' || step === 'released') {
      it.realLeft = { unitId: it.real.unitId, reason: reason ?? step };
      if (it.onSceneAt === undefined) {
        delete it.real;
        it.declined = true;
      } else it.real.step = step;
      return true;
    }
    it.real.step = step;
    if (step === 'on_scene') it.onSceneAt ??= now;
    return true;
  }

  /** The jobs of real units still out on this run (to be released at its end). */
  realJobs(): string[] {
    return this.items.flatMap((x) => (x.real && x.real.step !== 'released' ? [x.real.jobId] : []));
  }

  resolve(index: number, now: number): boolean {
    const it = this.items[index];
    if (!it || it.acknowledgedAt === undefined || it.resolvedAt !== undefined || this.endedAt !== undefined) return false;
    it.resolvedAt = now;
    return true;
  }

  /** Every alarm has been shown and resolved. */
  done(): boolean {
    return (
      this.items.length === this.scenario.alarms.length &&
      this.items.every((i) => i.resolvedAt !== undefined) &&
      this.faults.length === (this.scenario.faults?.length ?? 0) &&
      this.faults.every((f) => f.acknowledgedAt !== undefined)
    );
  }

  end(now: number): void {
    if (this.endedAt === undefined) {
      if (this.resumedAt !== undefined) this.scenarioMsAtPause = this.scenarioMs(now);
      this.resumedAt = undefined;
      this.endedAt = now;
    }
  }
}

// ---------------------------------------------------------------- the score

/** One alarm's intervals (shown → acknowledged, → first dispatch, real ms; absent when never taken): its place in the scenario and what is kept. */
export interface TrainingScoreRow extends TrainingResultRow {
  index: number;
}

export interface TrainingScoreFault extends TrainingResultFault {
  index: number;
}

export interface TrainingScore {
  trainee: string;
  scenario: string;
  speed: number;
  rows: TrainingScoreRow[];
  /** The simulated device faults shown: each one acknowledged within the acknowledge target or not. */
  faults: TrainingScoreFault[];
  /** Intervals within target, of all intervals (2 per alarm shown, 1 per fault shown), and as a percentage. */
  met: number;
  of: number;
  percent: number;
  /** Alarms and faults of the scenario never shown (the run was ended early). */
  notShown: number;
}

/** Each alarm's intervals against the station's targets (acknowledge, dispatch): a missing step is missed. */
export function scoreRun(run: TrainingRun, targets: Pick<TargetProfile, 'acknowledgeMs' | 'dispatchMs'>): TrainingScore {
  const rows = run.items.map((it): TrainingScoreRow => {
    const acknowledgeMs = it.acknowledgedAt !== undefined ? run.activeMs(it.shownAt, it.acknowledgedAt) : undefined;
    const dispatchMs = it.dispatchedAt !== undefined ? run.activeMs(it.shownAt, it.dispatchedAt) : undefined;
    return {
      index: it.index,
      schoolId: it.alarm.schoolId,
      kind: it.alarm.kind,
      ...(acknowledgeMs !== undefined ? { acknowledgeMs } : {}),
      ...(dispatchMs !== undefined ? { dispatchMs } : {}),
      acknowledgeMet: acknowledgeMs !== undefined && acknowledgeMs <= targets.acknowledgeMs,
      dispatchMet: dispatchMs !== undefined && dispatchMs <= targets.dispatchMs,
      resolved: it.resolvedAt !== undefined,
    };
  });
  const faults = run.faults.map((f): TrainingScoreFault => {
    const acknowledgeMs = f.acknowledgedAt !== undefined ? run.activeMs(f.shownAt, f.acknowledgedAt) : undefined;
    return {
      index: f.index,
      schoolId: f.fault.schoolId,
      kind: f.fault.kind,
      ...(acknowledgeMs !== undefined ? { acknowledgeMs } : {}),
      acknowledgeMet: acknowledgeMs !== undefined && acknowledgeMs <= targets.acknowledgeMs,
    };
  });
  const { met, of } = resultMet({ rows, faults });
  return {
    trainee: run.trainee,
    scenario: run.scenario.name,
    speed: run.speed,
    rows,
    faults,
    met,
    of,
    percent: of ? Math.round((met / of) * 1000) / 10 : 0,
    notShown: run.scenario.alarms.length - run.items.length + (run.scenario.faults?.length ?? 0) - run.faults.length,
  };
}

/** The sample scenario the training tab offers (the demo county's schools; a station edits its own). */
export function sampleScenario(schoolIds: readonly string[]): Scenario {
  const id = (n: number): string => schoolIds[n % Math.max(1, schoolIds.length)] ?? 'school-1';
  return {
    version: SCENARIO_VERSION,
    name: '夜班综合演练 / Night shift drill',
    description:
      '三起报警：一起入侵、一起校园暴力（单位首次拒绝）、一起医疗急救；其间一台终端离线。 Three alarms: an intrusion, violence (the unit declines first), a medical call; a terminal goes offline meanwhile.',
    alarms: [
      { at: 0, schoolId: id(0), kind: 'intrusion', note: '门卫发现有人翻墙 / someone climbing the wall', unit: { answersAfterS: 15, travelS: 180 } },
      {
        at: 40,
        schoolId: id(1),
        kind: 'violence',
        note: '校门口持械人员 / armed person at the gate',
        unit: { answersAfterS: 10, declines: true, travelS: 240 },
      },
      { at: 90, schoolId: id(2), kind: 'medical', unit: { answersAfterS: 20, travelS: 300 } },
    ],
    faults: [{ at: 60, schoolId: id(3), kind: 'offline' }],
  };
}

// ---------------------------------------------------------------- replays of real incidents

/** What a replay needs of one real incident: when, where, what, and how its units answered (when known). */
export interface ReplaySource {
  receivedAt: number;
  schoolId: string;
  kind: AlarmKind;
  note?: string;
  dispatches?: readonly Pick<Dispatch, 'dispatchedAt' | 'acceptedAt' | 'onSceneAt' | 'declinedAt'>[];
  /** Without the dispatches (a history row): the first dispatch and the first unit on scene. */
  dispatchedAt?: number;
  onSceneAt?: number;
}

const seconds = (ms: number): number => Math.max(0, Math.round(ms / 1000));

/** How the units answered a real incident, as a simulated unit's behaviour. */
function unitOf(s: ReplaySource): ScenarioAlarm['unit'] {
  const ds = [...(s.dispatches ?? [])].sort((a, b) => a.dispatchedAt - b.dispatchedAt);
  if (ds.length > 0) {
    const declines = ds[0]!.declinedAt !== undefined;
    const took = ds.find((d) => d.declinedAt === undefined && d.acceptedAt !== undefined);
    return {
      ...(declines ? { declines: true } : {}),
      ...(took ? { answersAfterS: seconds(took.acceptedAt! - took.dispatchedAt) } : {}),
      ...(took?.onSceneAt !== undefined ? { travelS: seconds(took.onSceneAt - took.acceptedAt!) } : {}),
    };
  }
  if (s.dispatchedAt !== undefined && s.onSceneAt !== undefined) return { answersAfterS: 0, travelS: seconds(s.onSceneAt - s.dispatchedAt) };
  return undefined;
}

/**
 * Real incidents replayed as a scenario: each alarm at its original offset from the first (their order and
 * spacing), each unit answering as the real one did (a decline, the time to accept, the drive). At most
 * SCENARIO_MAX_ALARMS alarms within SCENARIO_MAX_S of the first; the description says what was left out.
 */
export function scenarioFromIncidents(sources: readonly ReplaySource[], name: string): Scenario {
  const sorted = [...sources].sort((a, b) => a.receivedAt - b.receivedAt);
  const t0 = sorted[0]?.receivedAt ?? 0;
  const kept = sorted.filter((s) => s.receivedAt - t0 <= SCENARIO_MAX_S * 1000).slice(0, SCENARIO_MAX_ALARMS);
  const left = sorted.length - kept.length;
  return {
    version: SCENARIO_VERSION,
    name: name.slice(0, 120),
    description: `重放 ${kept.length} 起真实警情 / a replay of ${kept.length} real incidents${left ? `；另有 ${left} 起超出 4 小时或 200 起未收入 / ${left} more beyond 4 h or 200 left out` : ''}`,
    alarms: kept.map((s) => {
      const unit = unitOf(s);
      return {
        at: seconds(s.receivedAt - t0),
        schoolId: s.schoolId,
        kind: s.kind,
        ...(s.note ? { note: s.note.slice(0, 500) } : {}),
        ...(unit && Object.keys(unit).length ? { unit } : {}),
      };
    }),
  };
}

// ---------------------------------------------------------------- results kept at the station

/** A run's result as the station keeps it (the `training.completed` record without its type). */
export type TrainingResult = Omit<TrainingCompleted, 'type'>;

const resultRowSchema = z
  .object({
    schoolId: z.string().min(1).max(200),
    kind: z.enum(ALARM_KINDS),
    acknowledgeMs: z.number().int().min(0).max(86_400_000).optional(),
    dispatchMs: z.number().int().min(0).max(86_400_000).optional(),
    acknowledgeMet: z.boolean(),
    dispatchMet: z.boolean(),
    resolved: z.boolean(),
  })
  .strict();

const resultFaultSchema = z
  .object({
    schoolId: z.string().min(1).max(200),
    kind: z.enum(TRAINING_FAULTS),
    acknowledgeMs: z.number().int().min(0).max(86_400_000).optional(),
    acknowledgeMet: z.boolean(),
  })
  .strict();

/** `training:record`: what the console sends at the end of a run (the core adds who, when and an id). */
export const trainingRecordSchema = z
  .object({
    trainee: z
      .string()
      .max(40)
      .refine((s) => s.trim() !== '', { message: 'a trainee must not be empty' }),
    scenario: z.string().min(1).max(120),
    speed: speedSchema,
    startedAt: z.number().int(),
    notShown: z
      .number()
      .int()
      .min(0)
      .max(SCENARIO_MAX_ALARMS + SCENARIO_MAX_FAULTS),
    rows: z.array(resultRowSchema).max(SCENARIO_MAX_ALARMS),
    faults: z.array(resultFaultSchema).max(SCENARIO_MAX_FAULTS).optional(),
  })
  .strict();
export type TrainingRecord = z.output<typeof trainingRecordSchema>;

/** The request `training:record` sends for a score: its rows without their place in the scenario. */
export function trainingRecordOf(score: TrainingScore, startedAt: number): TrainingRecord {
  return {
    trainee: score.trainee,
    scenario: score.scenario,
    speed: score.speed,
    startedAt,
    notShown: score.notShown,
    rows: score.rows.map(({ index: _index, ...row }) => row),
    ...(score.faults.length ? { faults: score.faults.map(({ index: _index, ...fault }) => fault) } : {}),
  };
}

/** `training:results`: the latest results (at most 200), of one trainee when named (trimmed; '' = everyone's). */
export const trainingResultsQuerySchema = z.object({ trainee: z.string().max(40) }).strict();
export const MAX_TRAINING_RESULTS = 200;

/** A kept result on the wire: the journal record's own schema, without its type. */
export const trainingResultSchema = EVENT_SCHEMAS['training.completed'].omit({ type: true });

/** Intervals within target of a result, and of how many: 2 per alarm (acknowledge, dispatch), 1 per fault. */
export function resultMet(r: {
  rows: readonly Pick<TrainingResultRow, 'acknowledgeMet' | 'dispatchMet'>[];
  faults?: readonly { acknowledgeMet: boolean }[] | undefined;
}): { met: number; of: number } {
  const faults = r.faults ?? [];
  return {
    met: r.rows.reduce((n, x) => n + (x.acknowledgeMet ? 1 : 0) + (x.dispatchMet ? 1 : 0), 0) + faults.filter((f) => f.acknowledgeMet).length,
    of: r.rows.length * 2 + faults.length,
  };
}

// ---------------------------------------------------------------- runs sent to a trainee's console

/** At most this many real units take part in one run. */
export const MAX_TRAINING_UNITS = 20;

/** `training:assign`: a scenario sent by a trainer to the consoles of a logged-in operator (the trainee). */
export const trainingAssignSchema = z
  .object({
    username: z.string().min(1).max(64),
    scenario: scenarioSchema,
    speed: speedSchema,
    /** Real units the trainer marks as taking part: the trainee may send them as well as the simulated unit. */
    units: z.array(z.string().min(1).max(128)).max(MAX_TRAINING_UNITS).optional(),
  })
  .strict();

/** What a trainee's console receives (the `training` event): an offer its operator starts or declines. */
export interface TrainingAssignment {
  scenario: Scenario;
  speed: number;
  assignedBy: OperatorRef;
  at: number;
  /** Real units taking part (their ids), when the trainer marked any. */
  units?: string[];
}

// ---------------------------------------------------------------- real units taking part

/** A training job's id, made by the console: never an incident id (those are YYYYMMDD-NNNN), so a unit cannot mix them. */
export const TRAINING_JOB_ID = /^TRN-[A-Za-z0-9-]{1,40}$/;
const jobId = z.string().regex(TRAINING_JOB_ID, 'a training job id is TRN- and up to 40 letters, digits or -');
/**
 * `training:unitDispatch`: a training alarm sent to a real unit taking part. Its device gets a `dispatch` marked
 * `drill: true` with the job id as its incident; nothing of it is journalled as an incident or counted, and a real
 * dispatch of the unit always wins (the job is cancelled on the device and the console told).
 */
export const trainingUnitDispatchSchema = z
  .object({ jobId, unitId: z.string().min(1).max(128), schoolId: z.string().min(1).max(64), kind: z.enum(ALARM_KINDS) })
  .strict();
/** `training:unitRelease`: the job is over (resolved, the run ended): the unit's device gets `dispatch:cancel`. */
export const trainingUnitReleaseSchema = z.object({ jobId }).strict();
export const TRAINING_UNIT_STEPS = ['accepted', 'declined', 'en_route', 'on_scene', 'released'] as const;
export type TrainingUnitStep = (typeof TRAINING_UNIT_STEPS)[number];
/** What the dispatching console is told (`trainingUnit`) as the real unit answers and moves. */
export interface TrainingUnitUpdate {
  jobId: string;
  unitId: string;
  step: TrainingUnitStep;
  at: number;
  /** Why it declined, or why the job was released (`real_incident`: the unit was sent to a real one). */
  reason?: string;
}

/** `training:consoles`: who is logged in on a console now and may be trained (officers, the chief, trainers). */
export const trainingConsolesAckSchemaShape = {
  consoles: z.array(z.object({ username: z.string(), displayName: z.string(), role: z.enum(ROLES), count: z.number() })),
};

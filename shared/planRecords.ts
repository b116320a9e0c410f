// shared/ — the records the three-year-plan board needs beyond the incidents (issue 12): the joint inspections
// (shared/inspections.ts), the drills schools held themselves and registered at the station, the guard posts'
// check-ins and check-outs, and the terminals' outages (device.offline → device.online) for the online rate over a
// period. The core keeps these events beside the state (restored at start, in its snapshot) and folds them here;
// the board (shared/planBoard.ts) is computed from what the `plan` command returns for a semester.
import { z } from 'zod';
import { ROLES, SCHOOL_DRILL_KINDS, type OperatorRef, type SchoolDrillKind, type StationEvent } from './events';
import { DATE, InspectionBook, inspectionSchema } from './inspections';
import { MAX_TRAINING_RESULTS, trainingResultSchema, type TrainingResult } from './training';

const PLAN_EVENT_TYPES: ReadonlySet<string> = new Set<StationEvent['type']>([
  'inspection.recorded',
  'finding.closed',
  'school_drill.recorded',
  'post.checked',
  'drill_window.registered',
  'drill_window.cancelled',
  'training.completed',
  'device.offline',
  'device.online',
]);
/** The events the plan's book is folded from. */
export const isPlanEvent = (e: StationEvent): boolean => PLAN_EVENT_TYPES.has(e.type);

export interface SchoolDrill {
  id: string;
  schoolId: string;
  date: string;
  kind: SchoolDrillKind;
  note: string;
  recordedAt: number;
  recordedBy: OperatorRef;
}

/** A guard post staffed from `from` to `to` (still staffed when `to` is absent). */
export interface PostShift {
  postId: string;
  from: number;
  to?: number;
  /** Who checked in: an officer's display name, or the post's device. */
  inBy: string;
}

/** A school's drill announced in advance (演练报备): presses from the school in [from, to) are that drill. */
export interface DrillWindow {
  id: string;
  schoolId: string;
  from: number;
  to: number;
  note: string;
  recordedAt: number;
  recordedBy: OperatorRef;
  cancelledAt?: number;
  cancelledBy?: OperatorRef;
  cancelReason?: string;
}

/** A terminal silent from `from` (last heard) to `to` (heard again; still silent when absent). */
export interface Outage {
  deviceId: string;
  from: number;
  to?: number;
}

/** Every plan record, folded from its events in journal order. Records that do not fit are skipped. */
export class PlanBook {
  readonly inspections = new InspectionBook();
  private readonly drills = new Map<string, SchoolDrill>();
  /** Each post's shifts, oldest first; the last one may be open. */
  private readonly shifts = new Map<string, PostShift[]>();
  private readonly outages = new Map<string, Outage[]>();
  private readonly windows = new Map<string, DrillWindow>();
  /** Each school's announced drill windows, in the order they were announced. */
  private readonly windowsBySchool = new Map<string, DrillWindow[]>();
  /** Training results (接处警训练) by id, in the order recorded; not the plan's, kept here beside it the same way. */
  private readonly trainings = new Map<string, TrainingResult>();

  apply(e: StationEvent): void {
    switch (e.type) {
      case 'inspection.recorded':
      case 'finding.closed':
        this.inspections.apply(e);
        return;
      case 'school_drill.recorded':
        if (!this.drills.has(e.drillId))
          this.drills.set(e.drillId, {
            id: e.drillId,
            schoolId: e.schoolId,
            date: e.date,
            kind: e.kind,
            note: e.note,
            recordedAt: e.at,
            recordedBy: e.operator,
          });
        return;
      case 'post.checked': {
        const list = this.shifts.get(e.postId);
        const last = list?.[list.length - 1];
        const open = last !== undefined && last.to === undefined;
        if (e.state === 'in' && !open) {
          const shift: PostShift = { postId: e.postId, from: e.at, inBy: e.operator?.displayName ?? e.unitId ?? '?' };
          if (list) list.push(shift);
          else this.shifts.set(e.postId, [shift]);
        } else if (e.state === 'out' && open && list) list[list.length - 1] = { ...last, to: Math.max(last.from, e.at) };
        return;
      }
      case 'drill_window.registered': {
        if (this.windows.has(e.windowId)) return;
        const w: DrillWindow = { id: e.windowId, schoolId: e.schoolId, from: e.from, to: e.to, note: e.note, recordedAt: e.at, recordedBy: e.operator };
        this.windows.set(w.id, w);
        const list = this.windowsBySchool.get(w.schoolId);
        if (list) list.push(w);
        else this.windowsBySchool.set(w.schoolId, [w]);
        return;
      }
      case 'drill_window.cancelled': {
        const w = this.windows.get(e.windowId);
        if (!w || w.cancelledAt !== undefined) return;
        // Replaced, not changed in place: an answer already sent keeps what it said.
        const next: DrillWindow = { ...w, cancelledAt: e.at, cancelledBy: e.operator, cancelReason: e.reason };
        this.windows.set(w.id, next);
        const list = this.windowsBySchool.get(w.schoolId)!;
        list[list.indexOf(w)] = next;
        return;
      }
      case 'training.completed': {
        const { type: _type, ...result } = e;
        if (!this.trainings.has(e.trainingId)) this.trainings.set(e.trainingId, result);
        return;
      }
      case 'device.offline': {
        const list = this.outages.get(e.deviceId);
        const last = list?.[list.length - 1];
        if (last && last.to === undefined) return;
        // The outage began when the terminal was last heard (the station noticed 3 heartbeats later).
        const from = Math.min(e.lastSeenAt, e.at);
        const outage: Outage = { deviceId: e.deviceId, from: last ? Math.max(from, last.to!) : from };
        if (list) list.push(outage);
        else this.outages.set(e.deviceId, [outage]);
        return;
      }
      case 'device.online': {
        const list = this.outages.get(e.deviceId);
        const last = list?.[list.length - 1];
        if (list && last && last.to === undefined) list[list.length - 1] = { ...last, to: Math.max(last.from, e.at) };
        return;
      }
      default:
        return;
    }
  }

  drill(id: string): SchoolDrill | undefined {
    return this.drills.get(id);
  }

  drillWindow(id: string): DrillWindow | undefined {
    return this.windows.get(id);
  }

  /** The school's announced drill window (not called off) that `at` falls in; the latest announced if several. */
  drillWindowAt(schoolId: string, at: number): DrillWindow | undefined {
    const list = this.windowsBySchool.get(schoolId);
    if (!list) return undefined;
    for (let i = list.length - 1; i >= 0; i--) {
      const w = list[i]!;
      if (w.cancelledAt === undefined && w.from <= at && at < w.to) return w;
    }
    return undefined;
  }

  /** Whether a drill window of the school covered `at` as it stood then: announced before, not yet called off. */
  announcedAt(schoolId: string, at: number): boolean {
    return (this.windowsBySchool.get(schoolId) ?? []).some(
      (w) => w.from <= at && at < w.to && w.recordedAt <= at && (w.cancelledAt === undefined || w.cancelledAt >= at),
    );
  }

  /** The school's announced drill windows (not called off) that overlap [from, to), or end after `from` when `to` is left out. */
  schoolWindows(schoolId: string, from: number, to = Infinity): DrillWindow[] {
    return (this.windowsBySchool.get(schoolId) ?? []).filter((w) => w.cancelledAt === undefined && w.from < to && w.to > from);
  }

  /** Drill windows that overlap [from, to) (epoch ms), earliest first. */
  drillWindowsBetween(from: number, to: number): DrillWindow[] {
    return [...this.windows.values()].filter((w) => w.from < to && w.to > from).sort((a, b) => a.from - b.from || a.recordedAt - b.recordedAt);
  }

  /**
   * The book as a state snapshot keeps it instead of its events (a year of check-ins folds to half as many shifts):
   * keyed records, `i:` inspections, `d:` registered drills, `w:` drill windows, `s:` shifts and `o:` outages in
   * their lists' order. The records are immutable (replaced, never changed), so the list can be written later.
   */
  entries(): [string, unknown][] {
    const out: [string, unknown][] = [];
    for (const i of this.inspections.all()) out.push([`i:${i.id}`, i]);
    for (const d of this.drills.values()) out.push([`d:${d.id}`, d]);
    for (const w of this.windows.values()) out.push([`w:${w.id}`, w]);
    let n = 0;
    for (const list of this.shifts.values()) for (const s of list) out.push([`s:${n++}`, s]);
    n = 0;
    for (const list of this.outages.values()) for (const o of list) out.push([`o:${n++}`, o]);
    for (const t of this.trainings.values()) out.push([`t:${t.trainingId}`, t]);
    return out;
  }

  /** A book from a state snapshot's entries; throws on a record that is not what entries() writes. */
  static restore(entries: Iterable<[string, unknown]>): PlanBook {
    const book = new PlanBook();
    for (const [key, v] of entries) {
      const kind = key.slice(0, 2);
      const bad = (): never => {
        throw new Error(`a plan record (${key.slice(0, 40)}) is malformed`);
      };
      if (kind === 'i:') {
        const r = inspectionSchema.safeParse(v);
        if (!r.success) bad();
        else book.inspections.restore(r.data);
      } else if (kind === 'd:') {
        const r = schoolDrillSchema.safeParse(v);
        if (!r.success) bad();
        else book.drills.set(r.data.id, r.data);
      } else if (kind === 'w:') {
        const r = drillWindowSchema.safeParse(v);
        if (!r.success) bad();
        else {
          const w: DrillWindow = r.data;
          book.windows.set(w.id, w);
          const list = book.windowsBySchool.get(w.schoolId);
          if (list) list.push(w);
          else book.windowsBySchool.set(w.schoolId, [w]);
        }
      } else if (kind === 's:') {
        const s = v as PostShift;
        if (!isRecord(s) || typeof s.postId !== 'string' || !finite(s.from) || (s.to !== undefined && !finite(s.to)) || typeof s.inBy !== 'string') bad();
        const shift: PostShift = { postId: s.postId, from: s.from, ...(s.to !== undefined ? { to: s.to } : {}), inBy: s.inBy };
        const list = book.shifts.get(shift.postId);
        if (list) list.push(shift);
        else book.shifts.set(shift.postId, [shift]);
      } else if (kind === 'o:') {
        const o = v as Outage;
        if (!isRecord(o) || typeof o.deviceId !== 'string' || !finite(o.from) || (o.to !== undefined && !finite(o.to))) bad();
        const outage: Outage = { deviceId: o.deviceId, from: o.from, ...(o.to !== undefined ? { to: o.to } : {}) };
        const list = book.outages.get(outage.deviceId);
        if (list) list.push(outage);
        else book.outages.set(outage.deviceId, [outage]);
      } else if (kind === 't:') {
        const r = trainingResultSchema.safeParse(v);
        if (!r.success || book.trainings.has(r.data.trainingId)) bad();
        else book.trainings.set(r.data.trainingId, r.data);
      } else bad();
    }
    return book;
  }

  hasTraining(id: string): boolean {
    return this.trainings.has(id);
  }

  /** The latest training results, newest first, of one trainee when named (trimmed; the same name as recorded). */
  trainingResults(trainee?: string, visible: (t: TrainingResult) => boolean = () => true): TrainingResult[] {
    const who = trainee?.trim();
    return [...this.trainings.values()]
      .filter((t) => (!who || t.trainee === who) && visible(t))
      .reverse()
      .slice(0, MAX_TRAINING_RESULTS);
  }

  /** The post's shift under way (its last check was `in`), if any: who checked it in, since when. */
  openShift(postId: string): PostShift | undefined {
    const last = this.shifts.get(postId)?.at(-1);
    return last && last.to === undefined ? last : undefined;
  }

  /** The post's last shift, under way or ended. */
  lastShift(postId: string): PostShift | undefined {
    return this.shifts.get(postId)?.at(-1);
  }

  /** Whether a post is staffed now (its last check was `in`). */
  isStaffed(postId: string): boolean {
    return this.openShift(postId) !== undefined;
  }

  /** Registered drills dated within [from, to] ("YYYY-MM-DD", inclusive), newest first. */
  drillsBetween(from: string, to: string): SchoolDrill[] {
    return [...this.drills.values()]
      .filter((d) => d.date >= from && d.date <= to)
      .sort((a, b) => (a.date < b.date ? 1 : a.date > b.date ? -1 : b.recordedAt - a.recordedAt));
  }

  /** Shifts that overlap [from, to) (epoch ms), by post and time. */
  shiftsBetween(from: number, to: number): PostShift[] {
    return overlapping(this.shifts, from, to);
  }

  /** Outages that overlap [from, to) (epoch ms), by device and time. */
  outagesBetween(from: number, to: number): Outage[] {
    return overlapping(this.outages, from, to);
  }
}

const isRecord = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
const finite = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);

function overlapping<T extends { from: number; to?: number }>(lists: ReadonlyMap<string, T[]>, from: number, to: number): T[] {
  const out: T[] = [];
  for (const list of lists.values()) for (const x of list) if (x.from < to && (x.to === undefined || x.to > from)) out.push(x);
  return out;
}

// ---------------------------------------------------------------- the console commands

const id = z.string().min(1).max(200);
const date = z.string().regex(DATE, { message: 'a date as YYYY-MM-DD' });

export const recordSchoolDrillSchema = z.object({
  schoolId: id,
  date,
  kind: z.enum(SCHOOL_DRILL_KINDS),
  note: z.string().max(1000),
});
export type RecordSchoolDrill = z.output<typeof recordSchoolDrillSchema>;

export const checkPostSchema = z.object({ postId: id, state: z.enum(['in', 'out']) });

/** The longest drill window an officer may announce. */
export const MAX_DRILL_WINDOW_MS = 12 * 3_600_000;
/** How far ahead a drill may be announced. */
export const DRILL_WINDOW_AHEAD_MS = 90 * 86_400_000;
/** Drill windows of one school not over yet (a semester needs three drills; a few more leave room to reschedule). */
export const MAX_WINDOWS_AHEAD = 10;
export const registerDrillWindowSchema = z
  .object({ schoolId: id, from: z.number().int(), to: z.number().int(), note: z.string().max(1000) })
  .refine((r) => r.from < r.to, { message: 'the window must end after it starts', path: ['to'] })
  .refine((r) => r.to - r.from <= MAX_DRILL_WINDOW_MS, { message: 'a drill window is at most 12 hours', path: ['to'] });
export const cancelDrillWindowSchema = z.object({
  windowId: id,
  reason: z
    .string()
    .max(1000)
    .refine((s) => s.trim() !== '', { message: 'a reason must not be empty' }),
});

/** The plan's records of a semester: dates for the registered records, the same days as epoch ms for the rest. */
export const planQuerySchema = z
  .object({ from: date, to: date, fromMs: z.number(), toMs: z.number() })
  .refine((r) => r.from <= r.to && r.fromMs < r.toMs, { message: 'the period must not end before it starts', path: ['to'] })
  .refine((r) => r.toMs - r.fromMs <= 400 * 86_400_000, { message: 'the period is longer than 400 days', path: ['toMs'] });

const operatorRef = z.object({ username: z.string(), displayName: z.string(), role: z.enum(ROLES) });
const schoolDrillSchema = z.object({
  id: z.string(),
  schoolId: z.string(),
  date: z.string(),
  kind: z.enum(SCHOOL_DRILL_KINDS),
  note: z.string(),
  recordedAt: z.number(),
  recordedBy: operatorRef,
});
const drillWindowSchema = z.object({
  id: z.string(),
  schoolId: z.string(),
  from: z.number(),
  to: z.number(),
  note: z.string(),
  recordedAt: z.number(),
  recordedBy: operatorRef,
  cancelledAt: z.number().optional(),
  cancelledBy: operatorRef.optional(),
  cancelReason: z.string().optional(),
});
export const planAnswerSchema = z.object({
  inspections: z.array(inspectionSchema),
  drills: z.array(schoolDrillSchema),
  shifts: z.array(z.object({ postId: z.string(), from: z.number(), to: z.number().optional(), inBy: z.string() })),
  outages: z.array(z.object({ deviceId: z.string(), from: z.number(), to: z.number().optional() })),
  drillWindows: z.array(drillWindowSchema),
  /** Drill alarms of the period pressed outside every announced window (flagged for the chief). */
  unannounced: z.array(z.object({ incidentId: z.string(), schoolId: z.string(), receivedAt: z.number() })),
  /**
   * The days (the station's calendar) on which each school had a drill alarm, once a day: a drill in which four
   * terminals were pressed, or one pressed twice, is one drill toward the semester's target, not four.
   */
  drillDays: z.array(z.object({ schoolId: z.string(), date: z.string() })),
});
export type PlanAnswer = z.infer<typeof planAnswerSchema>;

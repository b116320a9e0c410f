// shared/ — police–education joint inspections (警校联合检查) and their hidden dangers (隐患) (issue 12, the plan
// board): the book folded from the `inspection.recorded` and `finding.closed` records, the console commands' requests
// and answers, and the checks a new record must pass. Kept beside the incidents' state: an inspection is no incident.
import { z } from 'zod';
import { ROLES, type OperatorRef, type StationEvent } from './events';

/** A station date, "YYYY-MM-DD". */
export const DATE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;
/** Whether a "YYYY-MM-DD" is a day of the calendar (2026-02-30 is not). */
export function isCalendarDate(s: string): boolean {
  if (!DATE.test(s)) return false;
  const [y, m, d] = s.split('-').map(Number) as [number, number, number];
  const t = new Date(Date.UTC(y, m - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === m - 1 && t.getUTCDate() === d;
}

/** Hidden dangers one inspection may record. */
export const MAX_FINDINGS = 20;
/** Inspections per school per semester (the county notice: at least two). */
export const INSPECTIONS_PER_SEMESTER = 2;

export interface Finding {
  id: string;
  text: string;
  /** Rectify by this day, "YYYY-MM-DD". */
  deadline: string;
  closedAt?: number;
  closedBy?: OperatorRef;
  note?: string;
}

export interface Inspection {
  id: string;
  schoolId: string;
  date: string;
  police: string;
  education: string;
  recordedAt: number;
  recordedBy: OperatorRef;
  findings: Finding[];
}

/** The events that make the book: kept by the core beside its state (restored at start, in its snapshot). */
export const isInspectionEvent = (e: StationEvent): boolean => e.type === 'inspection.recorded' || e.type === 'finding.closed';

/** Every inspection, by id, folded from its records in journal order. Records that do not fit are skipped. */
export class InspectionBook {
  private readonly byId = new Map<string, Inspection>();

  apply(e: StationEvent): void {
    if (e.type === 'inspection.recorded') {
      if (this.byId.has(e.inspectionId)) return;
      this.byId.set(e.inspectionId, {
        id: e.inspectionId,
        schoolId: e.schoolId,
        date: e.date,
        police: e.police,
        education: e.education,
        recordedAt: e.at,
        recordedBy: e.operator,
        findings: e.findings.map((f) => ({ id: f.findingId, text: f.text, deadline: f.deadline })),
      });
    } else if (e.type === 'finding.closed') {
      const inc = this.byId.get(e.inspectionId);
      const f = inc?.findings.find((x) => x.id === e.findingId);
      if (!inc || !f || f.closedAt !== undefined) return;
      // Replaced, not changed in place: an answer already sent keeps what it said.
      this.byId.set(inc.id, {
        ...inc,
        findings: inc.findings.map((x) => (x === f ? { ...f, closedAt: e.at, closedBy: e.operator, note: e.note } : x)),
      });
    }
  }

  get(id: string): Inspection | undefined {
    return this.byId.get(id);
  }

  /** Every inspection, in the order first recorded (for a state snapshot). */
  all(): IterableIterator<Inspection> {
    return this.byId.values();
  }

  /** An inspection as a state snapshot holds it (restored in its order). */
  restore(i: Inspection): void {
    this.byId.set(i.id, i);
  }

  get size(): number {
    return this.byId.size;
  }

  /** Inspections dated within [from, to] ("YYYY-MM-DD", inclusive), newest first. */
  between(from: string, to: string): Inspection[] {
    return [...this.byId.values()]
      .filter((i) => i.date >= from && i.date <= to)
      .sort((a, b) => (a.date < b.date ? 1 : a.date > b.date ? -1 : b.recordedAt - a.recordedAt));
  }
}

// ---------------------------------------------------------------- the console commands

const id = z.string().min(1).max(200);
const date = z.string().regex(DATE, { message: 'a date as YYYY-MM-DD' });
const words = (max: number, what: string) =>
  z
    .string()
    .max(max)
    .refine((s) => s.trim().length > 0, { message: `${what} must not be empty` });

export const recordInspectionSchema = z.object({
  schoolId: id,
  date,
  police: words(200, 'the police inspector'),
  education: words(200, 'the education inspector'),
  findings: z.array(z.object({ text: words(1000, 'a hidden danger'), deadline: date })).max(MAX_FINDINGS),
});
export type RecordInspection = z.output<typeof recordInspectionSchema>;

export const closeFindingSchema = z.object({ inspectionId: id, findingId: id, note: words(1000, 'what was done') });

export const inspectionsQuerySchema = z
  .object({ from: date, to: date })
  .refine((r) => r.from <= r.to, { message: 'the period must not end before it starts', path: ['to'] });

const operatorRef = z.object({ username: z.string(), displayName: z.string(), role: z.enum(ROLES) });
export const inspectionSchema = z.object({
  id: z.string(),
  schoolId: z.string(),
  date: z.string(),
  police: z.string(),
  education: z.string(),
  recordedAt: z.number(),
  recordedBy: operatorRef,
  findings: z.array(
    z.object({
      id: z.string(),
      text: z.string(),
      deadline: z.string(),
      closedAt: z.number().optional(),
      closedBy: operatorRef.optional(),
      note: z.string().optional(),
    }),
  ),
});

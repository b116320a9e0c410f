// main/ (core, Node) — the plan board's records (issue 12): police–education joint inspections with their hidden
// dangers, drills a school held itself, and guard posts checked in and out, each recorded by an officer or the
// chief (a journal record with the operator's name), and read back for a semester with the terminals' outages.
// Kept beside the incidents' state in the ledger (shared/planRecords.ts PlanBook).
import { admitCommand, type CommandAck, type DrillRecordAck, type InspectionRecordAck, type InspectionsAck, type PlanAck } from '../../shared/consoleContract';
import type { OperatorRef } from '../../shared/events';
import { STATION_TIME_ZONE, zonedParts } from '../../shared/duty';
import { isCalendarDate } from '../../shared/inspections';
import { refusal } from '../../shared/protocol';
import type { Ledger } from './ledger';

export class StationPlan {
  private counter = 0;

  private drillCounter = 0;

  constructor(
    private readonly ledger: Ledger,
    /** The station's time zone: "today", for an inspection that cannot be dated in the future. */
    private readonly timeZone: string = STATION_TIME_ZONE,
  ) {}

  /** `inspection:record`: a school's inspection and the hidden dangers it found. */
  record(operator: OperatorRef, payload: unknown): InspectionRecordAck {
    const req = admitCommand('inspection:record', operator, payload);
    if (!req.ok) return req;
    const r = req.value;
    if (!this.ledger.registry.school(r.schoolId)) return refusal('invalid_payload', `no school ${r.schoolId}`, 'unknown_school');
    // The form of a date is the schema's; that it is a day, not after today, and a deadline not before the
    // inspection, is checked here.
    if (!isCalendarDate(r.date) || r.findings.some((f) => !isCalendarDate(f.deadline) || f.deadline < r.date))
      return refusal('invalid_payload', 'a date is not a day of the calendar, or a deadline is before the inspection', 'bad_date');
    const at = this.ledger.now();
    const today = this.today(at);
    if (r.date > today) return refusal('invalid_payload', `an inspection cannot be dated after today (${today})`, 'bad_date');
    // Unique across restarts: the time and a counter, checked against the book.
    let inspectionId: string;
    do inspectionId = `INS-${r.date.replaceAll('-', '')}-${at.toString(36)}${(this.counter++).toString(36)}`;
    while (this.ledger.plan.inspections.get(inspectionId));
    const stored = this.ledger.commit({
      type: 'inspection.recorded',
      at,
      operator,
      inspectionId,
      schoolId: r.schoolId,
      date: r.date,
      police: r.police.trim(),
      education: r.education.trim(),
      findings: r.findings.map((f, i) => ({ findingId: `F${i + 1}`, text: f.text.trim(), deadline: f.deadline })),
    });
    return stored.ok ? { ok: true, inspectionId } : stored;
  }

  /** `inspection:close`: a hidden danger was rectified. */
  close(operator: OperatorRef, payload: unknown): CommandAck {
    const req = admitCommand('inspection:close', operator, payload);
    if (!req.ok) return req;
    const { inspectionId, findingId, note } = req.value;
    const f = this.ledger.plan.inspections.get(inspectionId)?.findings.find((x) => x.id === findingId);
    if (!f) return refusal('invalid_payload', `no hidden danger ${findingId} in inspection ${inspectionId}`, 'unknown_finding');
    if (f.closedAt !== undefined) return refusal('forbidden', `hidden danger ${findingId} is already closed`, 'finding_already_closed');
    const stored = this.ledger.commit({ type: 'finding.closed', at: this.ledger.now(), operator, inspectionId, findingId, note: note.trim() });
    return stored.ok ? { ok: true } : stored;
  }

  /** `inspections`: the inspections dated within a period, newest first. */
  list(operator: OperatorRef, payload: unknown): InspectionsAck {
    const req = admitCommand('inspections', operator, payload);
    if (!req.ok) return req;
    return { ok: true, inspections: this.ledger.plan.inspections.between(req.value.from, req.value.to) };
  }

  /** `drill:register`: a drill the school held without pressing its alarm. */
  registerDrill(operator: OperatorRef, payload: unknown): DrillRecordAck {
    const req = admitCommand('drill:register', operator, payload);
    if (!req.ok) return req;
    const r = req.value;
    if (!this.ledger.registry.school(r.schoolId)) return refusal('invalid_payload', `no school ${r.schoolId}`, 'unknown_school');
    if (!isCalendarDate(r.date)) return refusal('invalid_payload', 'the date is not a day of the calendar', 'bad_date');
    const at = this.ledger.now();
    const today = this.today(at);
    if (r.date > today) return refusal('invalid_payload', `a drill cannot be dated after today (${today})`, 'bad_date');
    let drillId: string;
    do drillId = `DRL-${r.date.replaceAll('-', '')}-${at.toString(36)}${(this.drillCounter++).toString(36)}`;
    while (this.ledger.plan.drill(drillId));
    const stored = this.ledger.commit({
      type: 'school_drill.recorded',
      at,
      operator,
      drillId,
      schoolId: r.schoolId,
      date: r.date,
      kind: r.kind,
      note: r.note.trim(),
    });
    return stored.ok ? { ok: true, drillId } : stored;
  }

  /** `post:check`: the officer checks a guard post in (staffed now) or out. */
  checkPost(operator: OperatorRef, payload: unknown): CommandAck {
    const req = admitCommand('post:check', operator, payload);
    if (!req.ok) return req;
    const { postId, state } = req.value;
    if (!this.ledger.registry.guardPost(postId)) return refusal('invalid_payload', `no guard post ${postId}`, 'unknown_post');
    const staffed = this.ledger.plan.isStaffed(postId);
    if (state === 'in' && staffed) return refusal('forbidden', `guard post ${postId} is already checked in`, 'post_already_in');
    if (state === 'out' && !staffed) return refusal('forbidden', `guard post ${postId} is not checked in`, 'post_not_in');
    const stored = this.ledger.commit({ type: 'post.checked', at: this.ledger.now(), postId, state, operator });
    return stored.ok ? { ok: true } : stored;
  }

  /** `plan`: the records of a semester: inspections and registered drills by date, shifts and outages by time. */
  records(operator: OperatorRef, payload: unknown): PlanAck {
    const req = admitCommand('plan', operator, payload);
    if (!req.ok) return req;
    const { from, to, fromMs, toMs } = req.value;
    const plan = this.ledger.plan;
    return {
      ok: true,
      inspections: plan.inspections.between(from, to),
      drills: plan.drillsBetween(from, to),
      shifts: plan.shiftsBetween(fromMs, toMs),
      outages: plan.outagesBetween(fromMs, toMs),
    };
  }

  /** Today on the station's calendar, "YYYY-MM-DD". */
  private today(at: number): string {
    const p = zonedParts(at, this.timeZone);
    return `${p.year}-${String(p.month).padStart(2, '0')}-${String(p.day).padStart(2, '0')}`;
  }
}

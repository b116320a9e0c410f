// main/ (core, Node) — the plan board's records (issue 12): police–education joint inspections with their hidden
// dangers, drills a school held itself, and guard posts checked in and out, each recorded by an officer or the
// chief (a journal record with the operator's name), and read back for a semester with the terminals' outages.
// Kept beside the incidents' state in the ledger (shared/planRecords.ts PlanBook).
import {
  admitCommand,
  type CommandAck,
  type DrillRecordAck,
  type DrillWindowAck,
  type InspectionRecordAck,
  type InspectionsAck,
  type PlanAck,
  type TrainingRecordAck,
  type TrainingResultsAck,
} from '../../shared/consoleContract';
import { DRILL_WINDOW_AHEAD_MS, MAX_WINDOWS_AHEAD } from '../../shared/planRecords';
import { incidentClass } from '../../shared/responseStats';
import type { OperatorRef } from '../../shared/events';
import type { TrainingResult } from '../../shared/training';
import { STATION_TIME_ZONE, zonedParts } from '../../shared/duty';
import { isCalendarDate } from '../../shared/inspections';
import { refusal } from '../../shared/protocol';
import type { Ledger } from './ledger';
import { otherStation, StationScopes } from './stationScope';
import { eventStation, inScope, type StationScope } from '../../shared/stations';

export class StationPlan {
  private counter = 0;

  constructor(
    private readonly ledger: Ledger,
    /** The station's time zone: "today", for an inspection that cannot be dated in the future. */
    private readonly timeZone: string = STATION_TIME_ZONE,
    /** An operator records and reads the plan of their own station's schools only (shared/stations.ts). */
    private readonly scopes: StationScopes = new StationScopes(ledger),
  ) {}

  private seesSchool(operator: OperatorRef, schoolId: string): boolean {
    return this.scopes.seesSchool(this.scopes.of(operator), schoolId);
  }

  /** `inspection:record`: a school's inspection and the hidden dangers it found. */
  record(operator: OperatorRef, payload: unknown): InspectionRecordAck {
    const req = admitCommand('inspection:record', operator, payload);
    if (!req.ok) return req;
    const r = req.value;
    if (!this.ledger.registry.school(r.schoolId)) return refusal('invalid_payload', `no school ${r.schoolId}`, 'unknown_school');
    if (!this.seesSchool(operator, r.schoolId)) return otherStation(`school ${r.schoolId}`);
    // The form of a date is the schema's; that it is a day, not after today, and a deadline not before the
    // inspection, is checked here.
    if (!isCalendarDate(r.date) || r.findings.some((f) => !isCalendarDate(f.deadline) || f.deadline < r.date))
      return refusal('invalid_payload', 'a date is not a day of the calendar, or a deadline is before the inspection', 'bad_date');
    const at = this.ledger.now();
    const today = this.today(at);
    if (r.date > today) return refusal('invalid_payload', `an inspection cannot be dated after today (${today})`, 'bad_date');
    const inspectionId = this.freshId(`INS-${r.date.replaceAll('-', '')}-`, at, (x) => this.ledger.plan.inspections.get(x));
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
    const ins = this.ledger.plan.inspections.get(inspectionId);
    const f = ins?.findings.find((x) => x.id === findingId);
    if (!ins || !f) return refusal('invalid_payload', `no hidden danger ${findingId} in inspection ${inspectionId}`, 'unknown_finding');
    if (!this.seesSchool(operator, ins.schoolId)) return otherStation(`inspection ${inspectionId}`);
    if (f.closedAt !== undefined) return refusal('forbidden', `hidden danger ${findingId} is already closed`, 'finding_already_closed');
    const stored = this.ledger.commit({ type: 'finding.closed', at: this.ledger.now(), operator, inspectionId, findingId, note: note.trim() });
    return stored.ok ? { ok: true } : stored;
  }

  /** `inspections`: the inspections dated within a period, newest first. */
  list(operator: OperatorRef, payload: unknown): InspectionsAck {
    const req = admitCommand('inspections', operator, payload);
    if (!req.ok) return req;
    const scope = this.scopes.of(operator);
    return {
      ok: true,
      inspections: this.ledger.plan.inspections.between(req.value.from, req.value.to).filter((i) => this.scopes.seesSchool(scope, i.schoolId)),
    };
  }

  /** `drill:register`: a drill the school held without pressing its alarm. */
  registerDrill(operator: OperatorRef, payload: unknown): DrillRecordAck {
    const req = admitCommand('drill:register', operator, payload);
    if (!req.ok) return req;
    const r = req.value;
    if (!this.ledger.registry.school(r.schoolId)) return refusal('invalid_payload', `no school ${r.schoolId}`, 'unknown_school');
    if (!this.seesSchool(operator, r.schoolId)) return otherStation(`school ${r.schoolId}`);
    if (!isCalendarDate(r.date)) return refusal('invalid_payload', 'the date is not a day of the calendar', 'bad_date');
    const at = this.ledger.now();
    const today = this.today(at);
    if (r.date > today) return refusal('invalid_payload', `a drill cannot be dated after today (${today})`, 'bad_date');
    const drillId = this.freshId(`DRL-${r.date.replaceAll('-', '')}-`, at, (x) => this.ledger.plan.drill(x));
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
    if (!this.scopes.seesPost(this.scopes.of(operator), postId)) return otherStation(`guard post ${postId}`);
    const staffed = this.ledger.plan.isStaffed(postId);
    if (state === 'in' && staffed) return refusal('forbidden', `guard post ${postId} is already checked in`, 'post_already_in');
    if (state === 'out' && !staffed) return refusal('forbidden', `guard post ${postId} is not checked in`, 'post_not_in');
    const stored = this.ledger.commit({ type: 'post.checked', at: this.ledger.now(), postId, state, operator });
    return stored.ok ? { ok: true } : stored;
  }

  /**
   * `drillWindow:register`: a school's drill announced in advance (演练报备). The window may not be over already nor
   * start more than 90 days ahead; presses from the school's terminals within it are taken as this drill.
   */
  registerDrillWindow(operator: OperatorRef, payload: unknown): DrillWindowAck {
    const req = admitCommand('drillWindow:register', operator, payload);
    if (!req.ok) return req;
    const r = req.value;
    if (!this.ledger.registry.school(r.schoolId)) return refusal('invalid_payload', `no school ${r.schoolId}`, 'unknown_school');
    if (!this.seesSchool(operator, r.schoolId)) return otherStation(`school ${r.schoolId}`);
    const at = this.ledger.now();
    if (r.to <= at) return refusal('invalid_payload', 'the drill window is over already', 'bad_window');
    if (r.from > at + DRILL_WINDOW_AHEAD_MS) return refusal('invalid_payload', 'a drill can be announced at most 90 days ahead', 'bad_window');
    // Presses in a window are taken as its drill (when the terminal does not say): windows of one school never
    // overlap (an import run twice would announce each drill again), and a school has only so many ahead (back to
    // back, they would make every press of that school a drill for months).
    const overlapping = this.ledger.plan.schoolWindows(r.schoolId, r.from, r.to)[0];
    if (overlapping) return refusal('invalid_payload', `school ${r.schoolId} already has drill window ${overlapping.id} in these hours`, 'window_overlaps');
    if (this.ledger.plan.schoolWindows(r.schoolId, at).length >= MAX_WINDOWS_AHEAD)
      return refusal('invalid_payload', `school ${r.schoolId} has ${MAX_WINDOWS_AHEAD} drill windows announced ahead already`, 'too_many_windows');
    const windowId = this.freshId('DW-', at, (x) => this.ledger.plan.drillWindow(x));
    const stored = this.ledger.commit({
      type: 'drill_window.registered',
      at,
      operator,
      windowId,
      schoolId: r.schoolId,
      from: r.from,
      to: r.to,
      note: r.note.trim(),
    });
    return stored.ok ? { ok: true, windowId } : stored;
  }

  /** `drillWindow:cancel`: an announced drill is called off, with the reason. */
  cancelDrillWindow(operator: OperatorRef, payload: unknown): CommandAck {
    const req = admitCommand('drillWindow:cancel', operator, payload);
    if (!req.ok) return req;
    const w = this.ledger.plan.drillWindow(req.value.windowId);
    if (!w) return refusal('invalid_payload', `no drill window ${req.value.windowId}`, 'unknown_window');
    if (!this.seesSchool(operator, w.schoolId)) return otherStation(`drill window ${w.id}`);
    if (w.cancelledAt !== undefined) return refusal('forbidden', `drill window ${w.id} was called off already`, 'window_cancelled');
    const stored = this.ledger.commit({ type: 'drill_window.cancelled', at: this.ledger.now(), operator, windowId: w.id, reason: req.value.reason.trim() });
    return stored.ok ? { ok: true } : stored;
  }

  /** `plan`: the records of a semester: inspections and registered drills by date, shifts and outages by time. */
  records(operator: OperatorRef, payload: unknown): PlanAck {
    const req = admitCommand('plan', operator, payload);
    if (!req.ok) return req;
    const { from, to, fromMs, toMs } = req.value;
    const plan = this.ledger.plan;
    // Every list is of the operator's station's schools, posts and terminals only (the county role: all of them).
    const scope: StationScope = this.scopes.of(operator);
    const school = (x: { schoolId: string }): boolean => this.scopes.seesSchool(scope, x.schoolId);
    return {
      ok: true,
      inspections: plan.inspections.between(from, to).filter(school),
      drills: plan.drillsBetween(from, to).filter(school),
      shifts: plan.shiftsBetween(fromMs, toMs).filter((x) => this.scopes.seesPost(scope, x.postId)),
      outages: plan.outagesBetween(fromMs, toMs).filter((x) => this.scopes.seesDevice(scope, x.deviceId)),
      drillWindows: plan.drillWindowsBetween(fromMs, toMs).filter(school),
      unannounced: this.unannounced(fromMs, toMs).filter(school),
      drillDays: this.drillDays(fromMs, toMs).filter(school),
    };
  }

  /** Each school's days with a drill alarm received in [from, to) (what the incident was: incidentClass), once a day. */
  private drillDays(from: number, to: number): { schoolId: string; date: string }[] {
    const seen = new Set<string>();
    const out: { schoolId: string; date: string }[] = [];
    for (const inc of this.ledger.state.incidents.values()) {
      if (inc.receivedAt < from || inc.receivedAt >= to || incidentClass(inc) !== 'drill') continue;
      const date = this.today(inc.receivedAt);
      const key = JSON.stringify([inc.schoolId, date]);
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({ schoolId: inc.schoolId, date });
    }
    return out.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
  }

  /**
   * Drills received in [from, to) outside every announced window, oldest first (at most 5,000): what the incident was
   * (incidentClass: the officer's disposition, else the alarm's flag), so a flagged press resolved as real is not one,
   * and an unflagged press the officer resolved as a drill is.
   */
  private unannounced(from: number, to: number): { incidentId: string; schoolId: string; receivedAt: number }[] {
    const out: { incidentId: string; schoolId: string; receivedAt: number }[] = [];
    for (const inc of this.ledger.state.incidents.values())
      if (
        inc.receivedAt >= from &&
        inc.receivedAt < to &&
        incidentClass(inc) === 'drill' &&
        inc.drillWindowId === undefined &&
        // A press the terminal said was no drill, inside a window, that the officer found to be the drill after all.
        !this.ledger.plan.announcedAt(inc.schoolId, inc.receivedAt)
      )
        out.push({ incidentId: inc.id, schoolId: inc.schoolId, receivedAt: inc.receivedAt });
    return out.sort((a, b) => a.receivedAt - b.receivedAt).slice(0, 5000);
  }

  /**
   * `training:record`: a training run's result, sent by the console that ran it (接处警训练). Journalled as training
   * (`training.completed`): it changes no incident and no statistic, and is kept as the trainee's record.
   */
  recordTraining(operator: OperatorRef, payload: unknown): TrainingRecordAck {
    const req = admitCommand('training:record', operator, payload);
    if (!req.ok) return req;
    const r = req.value;
    const unknown = [...r.rows, ...(r.faults ?? [])].find((x) => !this.ledger.registry.school(x.schoolId));
    if (unknown) return refusal('invalid_payload', `no school ${unknown.schoolId}`, 'unknown_school');
    // A run is the station's own: its schools are the operator's station's, as an assigned scenario's must be.
    const scope = this.scopes.of(operator);
    const elsewhere = [...r.rows, ...(r.faults ?? [])].find((x) => !this.scopes.seesSchool(scope, x.schoolId));
    if (elsewhere) return otherStation(`school ${elsewhere.schoolId}`);
    const at = this.ledger.now();
    // A console's clock may be a little ahead of the station's; a run does not start in the future.
    if (r.startedAt > at + 60_000) return refusal('invalid_payload', 'the run cannot start after now', 'bad_date');
    const trainingId = this.freshId('TRN-', at, (x) => this.ledger.plan.hasTraining(x));
    const stored = this.ledger.commit({ type: 'training.completed', at, operator, trainingId, ...r, trainee: r.trainee.trim() });
    return stored.ok ? { ok: true, trainingId } : stored;
  }

  /**
   * `training:results`: the latest results, newest first (one trainee's when named), that the operator's station sees:
   * the station of a result is its record's (`eventStation`: its first school's), so the list and the records a
   * station's console is sent always agree.
   */
  trainingResults(operator: OperatorRef, payload: unknown): TrainingResultsAck {
    const req = admitCommand('training:results', operator, payload);
    if (!req.ok) return req;
    const scope = this.scopes.of(operator);
    const visible = (t: TrainingResult): boolean => inScope(scope, eventStation({ type: 'training.completed', ...t }, this.scopes.lookup));
    return { ok: true, results: this.ledger.plan.trainingResults(req.value.trainee, visible) };
  }

  /** A new record id: the prefix, the time and a counter, checked against what exists (unique across restarts). */
  private freshId(prefix: string, at: number, exists: (id: string) => unknown): string {
    let id: string;
    do id = `${prefix}${at.toString(36)}${(this.counter++).toString(36)}`;
    while (exists(id));
    return id;
  }

  /** The day of `at` on the station's calendar, "YYYY-MM-DD". */
  private today(at: number): string {
    const p = zonedParts(at, this.timeZone);
    return `${p.year}-${String(p.month).padStart(2, '0')}-${String(p.day).padStart(2, '0')}`;
  }
}

// main/ (core, Node) — real units taking part in station training (issue 13, point 3): a trainee's console sends a
// training alarm to a real patrol unit the trainer marked; the unit's device gets a `dispatch` marked `drill: true`
// whose incident is the job's id (TRN-…), and its answers and moves go back to that console only. Each step is on the
// record as training (`training.unit`: a real car drove), never an incident, a unit state or a statistic, and the unit
// stays available on every duty console: a real dispatch of the unit always wins (the gateway cancels the job on the
// device and tells the trainee's console).
import type { OperatorRef, TrainingUnitRecorded } from '../../shared/events';
import { refusal, type Refusal } from '../../shared/protocol';
import { admitCommand } from '../../shared/consoleContract';
import type { TrainingUnitStep, TrainingUnitUpdate } from '../../shared/training';
import type { Ledger } from './ledger';
import { otherStation, type StationScopes } from './stationScope';

export interface TrainingJob {
  jobId: string;
  unitId: string;
  /** The operator whose console sent it: only their consoles are told. */
  owner: string;
  /** The console page that sent it (ConsoleAuth.page): released when that page is gone (a reload, a closed tab). */
  page: string;
  operator: OperatorRef;
  schoolId: string;
  kind: string;
  at: number;
  step?: TrainingUnitStep;
}

/** At most this many jobs at once in the whole station (a run has at most MAX_TRAINING_UNITS units). */
const MAX_JOBS = 200;

export class TrainingUnits {
  private readonly jobs = new Map<string, TrainingJob>();
  private readonly byUnit = new Map<string, string>();
  private readonly listeners = new Set<(u: TrainingUnitUpdate, job: TrainingJob) => void>();
  private readonly deliveries = new Set<(job: TrainingJob, what: 'send' | 'cancel', reason: string) => void>();

  constructor(
    private readonly ledger: Ledger,
    private readonly connected: (unitId: string) => boolean,
    /** The station's: what an operator sees, as a real dispatch asks it. */
    private readonly scopes: StationScopes,
  ) {}

  /** Told of every step of every job (the gateway pushes it to the job's console). */
  onUpdate(fn: (u: TrainingUnitUpdate, job: TrainingJob) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Told when a job must go to its unit's device (`dispatch`) or be withdrawn from it (`dispatch:cancel`). */
  onDelivery(fn: (job: TrainingJob, what: 'send' | 'cancel', reason: string) => void): () => void {
    this.deliveries.add(fn);
    return () => this.deliveries.delete(fn);
  }

  /** Jobs the unit's device has not answered yet (sent again when it reconnects). */
  unanswered(unitId: string): TrainingJob[] {
    const job = this.jobOfUnit(unitId);
    return job && job.step === undefined ? [job] : [];
  }

  /**
   * A trainee sends a training alarm to a real unit. Refused when the unit is unknown, disabled, without a device or
   * offline (`unit_unavailable`), of another station than the operator's, or the school is (`other_station`: a real
   * dispatch is refused the same), or busy: sent to a real incident, standing at the guard post its device checked
   * in (a school gate at its peak is not left for a drill), or on another training job (`unit_busy`).
   */
  dispatch(operator: OperatorRef, payload: unknown, page: string): { ok: true; job: TrainingJob } | Refusal {
    // The role and the payload are checked here too (admitCommand), whoever calls: the core decides, not the gateway.
    const r = admitCommand('training:unitDispatch', operator, payload);
    if (!r.ok) return r;
    const { jobId, unitId, schoolId, kind } = r.value;
    const unit = this.ledger.registry.unit(unitId);
    if (!unit || unit.disabled || !unit.secret)
      return refusal('invalid_payload', `unit ${unitId} cannot take part: unknown, disabled or without a device`, 'unit_unavailable');
    if (!this.connected(unitId)) return refusal('invalid_payload', `unit ${unitId} cannot take part: its device is offline`, 'unit_unavailable');
    if (!this.ledger.registry.school(schoolId)) return refusal('invalid_payload', `no school ${schoolId}`, 'unknown_school');
    const scope = this.scopes.of(operator);
    if (!this.scopes.seesUnit(scope, unitId)) return otherStation(`unit ${unitId}`);
    if (!this.scopes.seesSchool(scope, schoolId)) return otherStation(`school ${schoolId}`);
    if (this.ledger.state.assignments.has(unitId)) return refusal('forbidden', `unit ${unitId} is on a real incident`, 'unit_busy');
    if (unit.postId !== undefined && this.ledger.plan.openShift(unit.postId)?.inBy === unitId)
      return refusal('forbidden', `unit ${unitId} stands at guard post ${unit.postId} (checked in)`, 'unit_busy');
    if (this.byUnit.has(unitId)) return refusal('forbidden', `unit ${unitId} is on another training job`, 'unit_busy');
    if (this.jobs.has(jobId)) return refusal('forbidden', `training job ${jobId} exists already`, 'unit_busy');
    if (this.jobs.size >= MAX_JOBS) return refusal('rate_limited', 'too many training jobs at once');
    const job: TrainingJob = { jobId, unitId, owner: operator.username, page, operator, schoolId, kind, at: this.ledger.now() };
    this.jobs.set(jobId, job);
    this.byUnit.set(unitId, jobId);
    console.log(`training: ${operator.username} sent unit ${unitId} on training job ${jobId} (${kind} at ${schoolId})`);
    this.record(job, 'sent');
    for (const f of this.deliveries) f(job, 'send', '');
    return { ok: true, job };
  }

  /** The trainee's console is done with a job: it is released (the gateway cancels it on the device). */
  release(operator: OperatorRef, payload: unknown): { ok: true; job: TrainingJob } | Refusal {
    const r = admitCommand('training:unitRelease', operator, payload);
    if (!r.ok) return r;
    const job = this.jobs.get(r.value.jobId);
    if (!job || job.owner !== operator.username) return refusal('invalid_payload', `no training job ${r.value.jobId} of ${operator.username}`, 'unknown_job');
    this.end(job, 'released', 'training');
    return { ok: true, job };
  }

  jobOfUnit(unitId: string): TrainingJob | undefined {
    const id = this.byUnit.get(unitId);
    return id === undefined ? undefined : this.jobs.get(id);
  }

  /** The unit's device answered the job's dispatch: accepted, or declined (the job ends). */
  answered(unitId: string, jobId: string, answer: unknown): void {
    const job = this.jobs.get(jobId);
    if (!job || job.unitId !== unitId || job.step !== undefined) return;
    const a = (typeof answer === 'object' && answer !== null ? answer : {}) as { ok?: unknown; reason?: unknown };
    if (a.ok === true) this.step(job, 'accepted');
    else this.end(job, 'declined', typeof a.reason === 'string' ? a.reason.slice(0, 200) : 'declined');
  }

  /**
   * A `status` from the unit naming the job (en_route, on_scene; available ends it). True when it was the job's:
   * the unit intake then records nothing (a training drive is not the unit's real state).
   */
  status(unitId: string, jobId: string, state: string): boolean {
    const job = this.jobs.get(jobId);
    if (!job || job.unitId !== unitId) return false;
    if (state === 'en_route' || state === 'on_scene') {
      if (job.step !== state) this.step(job, state);
    } else if (state === 'available') this.end(job, 'released', 'unit_available');
    return true;
  }

  /** The unit was sent to a real incident: its training job gives way. */
  realDispatch(unitId: string): TrainingJob | undefined {
    const job = this.jobOfUnit(unitId);
    if (job) this.end(job, 'released', 'real_incident');
    return job;
  }

  /**
   * A console page is gone (reloaded, closed, or cut off): the jobs it sent are released — its run is gone with it,
   * and nothing would finish them — whatever other consoles the operator has open.
   */
  pageGone(username: string, page: string): TrainingJob[] {
    const ended = [...this.jobs.values()].filter((j) => j.owner === username && j.page === page);
    for (const j of ended) this.end(j, 'released', 'training');
    return ended;
  }

  /** On the record as training; a journal that cannot take it is logged, the training goes on (it is not an alarm). */
  private record(job: TrainingJob, step: TrainingUnitStep | 'sent', reason?: string): void {
    const event: TrainingUnitRecorded = {
      type: 'training.unit',
      at: this.ledger.now(),
      operator: job.operator,
      jobId: job.jobId,
      unitId: job.unitId,
      schoolId: job.schoolId,
      step,
      ...(reason !== undefined ? { reason } : {}),
    };
    if (!this.ledger.tryCommit(event)) console.error(`training: the journal did not take ${job.jobId} ${step}`);
  }

  private step(job: TrainingJob, step: TrainingUnitStep, reason?: string): void {
    job.step = step;
    this.record(job, step, reason);
    const u: TrainingUnitUpdate = { jobId: job.jobId, unitId: job.unitId, step, at: this.ledger.now(), ...(reason !== undefined ? { reason } : {}) };
    for (const f of this.listeners) f(u, job);
  }

  private end(job: TrainingJob, step: 'declined' | 'released', reason: string): void {
    this.jobs.delete(job.jobId);
    if (this.byUnit.get(job.unitId) === job.jobId) this.byUnit.delete(job.unitId);
    // Withdrawn from the device unless the device itself ended it (declined, or reported available).
    if (step === 'released' && reason !== 'unit_available') for (const f of this.deliveries) f(job, 'cancel', reason);
    this.step(job, step, reason);
  }
}

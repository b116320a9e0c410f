// renderer/ — the training tab's run on this console (shared/training.ts): ticks it, pauses it while a real alarm
// awaits acknowledgement on this console (and resumes it after), and tells the console store when training
// alarms await the trainee, for the training tone. Nothing of a run is sent to the station, except a training alarm
// sent to a real unit the trainer marked as taking part (training:unitDispatch: its device is told it is a drill).
import { useSyncExternalStore } from 'react';
import { alertFor } from '../shared/consoleView';
import { scoreRun, trainingRecordOf, TrainingRun, type Scenario, type TrainingAssignment, type TrainingScore } from '../shared/training';
import { DEFAULT_TARGETS, type TargetProfile } from '../shared/response';
import type { OperatorRef } from '../shared/events';
import { getStore } from './store';

export interface TrainingSnapshot {
  run?: TrainingRun;
  /** Set once the run has ended (by the trainer, or when every alarm is resolved). */
  score?: TrainingScore;
  /** The score kept at the station (training:record): under way, kept, or the refusal's text. */
  saved?: 'saving' | 'saved' | { error: string };
  /** Bumped on every change (the run is mutable). */
  version: number;
  /** The trainer who sent this run to this console (training:assign), when it was sent. */
  assignedBy?: OperatorRef;
  /** A run a trainer sent, waiting for this console's operator to start it (or decline it). */
  offered?: TrainingAssignment;
  /** Real units taking part in this run (their ids): the trainee may send them as well as the simulated unit. */
  units?: string[];
  /** The station's refusal of the last real unit sent, in the console's language, by alarm. */
  realError?: { index: number; message: string };
}

const TICK_MS = 200;

class TrainingController {
  private snap: TrainingSnapshot = { version: 0 };
  private readonly listeners = new Set<() => void>();
  private timer: ReturnType<typeof setInterval> | undefined;
  private targets: Pick<TargetProfile, 'acknowledgeMs' | 'dispatchMs'> = DEFAULT_TARGETS;
  private unsubscribe: (() => void) | undefined;

  constructor() {
    // A run a trainer sends waits for this console's operator: a console on duty never turns into a training
    // console unasked. The latest offer replaces an earlier one.
    getStore().onTrainingAssigned((a) => {
      this.snap = { ...this.snap, offered: a };
      this.changed();
    });
    // A real unit on one of this run's jobs answered or moved.
    getStore().onTrainingUnit((u) => {
      if (this.snap.run?.realUnit(u.jobId, u.step, u.reason, Date.now())) this.changed();
    });
    // Logging out ends a run on this console, and drops an offer (the next operator does not inherit them).
    getStore().subscribe(() => {
      if (getStore().state.phase === 'login' && (this.snap.run || this.snap.offered)) this.close(false);
    });
  }

  readonly subscribe = (f: () => void): (() => void) => {
    this.listeners.add(f);
    return () => this.listeners.delete(f);
  };
  readonly get = (): TrainingSnapshot => this.snap;

  private changed(): void {
    const run = this.snap.run;
    getStore().setTrainingAwaiting(run && !run.paused ? run.awaiting() : 0);
    this.snap = { ...this.snap, version: this.snap.version + 1 };
    this.listeners.forEach((f) => f());
  }

  start(
    scenario: Scenario,
    speed: number,
    trainee: string,
    targets: Pick<TargetProfile, 'acknowledgeMs' | 'dispatchMs'>,
    assignedBy?: OperatorRef,
    units?: readonly string[],
  ): void {
    this.stopTimer();
    this.unsubscribe?.();
    this.releaseReal();
    this.targets = targets;
    const run = new TrainingRun(scenario, speed, trainee, Date.now());
    this.snap = { run, version: this.snap.version, ...(assignedBy ? { assignedBy } : {}), ...(units?.length ? { units: [...units] } : {}) };
    this.follow();
    run.tick(Date.now());
    this.timer = setInterval(() => this.tick(), TICK_MS);
    this.changed();
  }

  /** The operator starts the run a trainer sent (a run still going here is ended and its score kept first). */
  acceptOffer(): void {
    const a = this.snap.offered;
    if (!a) return;
    if (this.snap.run && !this.snap.score) this.end();
    const s = getStore().state;
    this.start(a.scenario, a.speed, s.operator?.displayName ?? '?', s.reference?.targets ?? DEFAULT_TARGETS, a.assignedBy, a.units);
  }

  declineOffer(): void {
    const { offered: _dropped, ...rest } = this.snap;
    this.snap = rest;
    this.changed();
  }

  /** A real alarm awaiting acknowledgement on this console pauses the run; it resumes once none does. */
  private follow(): void {
    this.unsubscribe?.();
    const store = getStore();
    const check = (): void => {
      const run = this.snap.run;
      if (!run || run.endedAt !== undefined) return;
      // What sounds the real alarm tone (shared/consoleView.ts alertFor: a real alarm, an unstored one, a tamper).
      const real = alertFor(store.state.station, store.state.volatile).tone === 'alarm';
      if (real && run.pausedBy === undefined) {
        run.pause(Date.now(), 'real_alarm');
        this.changed();
      } else if (!real && run.pausedBy === 'real_alarm') {
        run.resume(Date.now(), 'real_alarm');
        this.changed();
      }
    };
    this.unsubscribe = store.subscribe(check);
    check();
  }

  private tick(): void {
    const run = this.snap.run;
    if (!run) return;
    if (run.tick(Date.now())) this.changed();
  }

  act(what: 'acknowledge' | 'dispatch' | 'resolve' | 'fault', index: number): void {
    const run = this.snap.run;
    if (!run || run.paused) return;
    const now = Date.now();
    const step = { acknowledge: run.acknowledge, dispatch: run.dispatch, resolve: run.resolve, fault: run.acknowledgeFault }[what];
    const job = what === 'resolve' ? run.items[index]?.real?.jobId : undefined;
    if (!step.call(run, index, now)) return;
    if (job) void getStore().trainingUnitRelease(job);
    if (run.done()) return this.end();
    this.changed();
  }

  /** Sends a real unit taking part on a training alarm: the station tells its device (a drill); a refusal is shown. */
  dispatchReal(index: number, unitId: string): void {
    const run = this.snap.run;
    const it = run?.items[index];
    if (!run || !it || run.paused) return;
    const jobId = `TRN-${run.startedAt.toString(36)}-${index}-${it.dispatches}`;
    void getStore()
      .trainingUnitDispatch({ jobId, unitId, schoolId: it.alarm.schoolId, kind: it.alarm.kind })
      .then((error) => {
        if (this.snap.run !== run) return void (error === undefined && getStore().trainingUnitRelease(jobId));
        if (error !== undefined) this.snap = { ...this.snap, realError: { index, message: error } };
        else {
          const { realError: _cleared, ...rest } = this.snap;
          this.snap = rest;
          run.dispatchReal(index, unitId, jobId, Date.now());
        }
        this.changed();
      });
  }

  /** Real units still out on this run's jobs are released (their devices told the training is over). */
  private releaseReal(): void {
    for (const job of this.snap.run?.realJobs() ?? []) void getStore().trainingUnitRelease(job);
  }

  pause(): void {
    this.snap.run?.pause(Date.now(), 'trainer');
    this.changed();
  }

  resume(): void {
    this.snap.run?.resume(Date.now(), 'trainer');
    this.follow(); // a real alarm that came meanwhile pauses it again at once
    this.changed();
  }

  end(): void {
    const run = this.snap.run;
    if (!run) return;
    run.end(Date.now());
    this.stopTimer();
    this.unsubscribe?.();
    this.releaseReal();
    this.snap = { ...this.snap, score: scoreRun(run, this.targets) };
    this.changed();
    this.save();
  }

  /** Keeps the score at the station, as the trainee's record (again after a refusal, when asked). */
  save(): void {
    const { run, score, saved } = this.snap;
    if (!run || !score || saved === 'saving' || saved === 'saved') return;
    this.snap = { ...this.snap, saved: 'saving' };
    this.changed();
    void getStore()
      .recordTraining(trainingRecordOf(score, run.startedAt))
      .then((error) => {
        if (this.snap.score !== score) return; // closed meanwhile
        this.snap = { ...this.snap, saved: error === undefined ? 'saved' : { error } };
        this.changed();
      });
  }

  /** Back to the scenario editor. */
  close(keepOffer = true): void {
    this.stopTimer();
    this.unsubscribe?.();
    if (this.snap.run?.endedAt === undefined) this.releaseReal();
    const offered = keepOffer ? this.snap.offered : undefined;
    this.snap = { version: this.snap.version, ...(offered ? { offered } : {}) };
    this.changed();
  }

  private stopTimer(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}

let controller: TrainingController | undefined;
export const training = (): TrainingController => (controller ??= new TrainingController());

export function useTraining(): TrainingSnapshot {
  const c = training();
  return useSyncExternalStore(c.subscribe, c.get);
}

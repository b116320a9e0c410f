// renderer/ — the training tab's run on this console (shared/training.ts): ticks it, pauses it while a real alarm
// awaits acknowledgement on this console (and resumes it after), and tells the console store when training
// alarms await the trainee, for the training tone. Nothing of a run is sent to the station.
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

  start(scenario: Scenario, speed: number, trainee: string, targets: Pick<TargetProfile, 'acknowledgeMs' | 'dispatchMs'>, assignedBy?: OperatorRef): void {
    this.stopTimer();
    this.unsubscribe?.();
    this.targets = targets;
    const run = new TrainingRun(scenario, speed, trainee, Date.now());
    this.snap = { run, version: this.snap.version, ...(assignedBy ? { assignedBy } : {}) };
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
    this.start(a.scenario, a.speed, s.operator?.displayName ?? '?', s.reference?.targets ?? DEFAULT_TARGETS, a.assignedBy);
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
    if (!step.call(run, index, now)) return;
    if (run.done()) return this.end();
    this.changed();
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

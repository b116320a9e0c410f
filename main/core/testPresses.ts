// main/ (core, Node) — test presses overdue: a school that has not test-pressed its terminal for the configured
// number of days (STATION_TEST_OVERDUE_DAYS, default 30) raises a device fault, journalled as device.test_overdue
// and cleared by the next test press (the fold does that). The test presses themselves are taken and closed by
// the station at once (terminalIntake.ts, test.acknowledged); their times are the liveness's lastTestPressAt,
// seeded from the journal at start.
import { faultOf } from '../../shared/incidents';
import type { StationEvent } from '../../shared/events';
import type { Ledger } from './ledger';
import type { Liveness } from './liveness';

export class TestSupervision {
  /** A terminal that never test-pressed counts from the station's start, so a new station does not fault every terminal at once. */
  private readonly startedAt: number;

  constructor(
    private readonly ledger: Ledger,
    private readonly liveness: Liveness,
    readonly overdueMs: number,
  ) {
    this.startedAt = ledger.now();
  }

  /** The last test press the station knows of for a terminal. */
  lastTestPressAt(deviceId: string): number | undefined {
    return this.liveness.of(deviceId)?.lastTestPressAt;
  }

  /** Called with the liveness supervision: every enabled terminal overdue for its test press, in one write. */
  supervise(): void {
    const at = this.ledger.now();
    const due: StationEvent[] = [];
    for (const t of this.ledger.registry.snapshot.terminals) {
      if (t.disabled) continue;
      const last = this.lastTestPressAt(t.deviceId);
      if (at - (last ?? this.startedAt) <= this.overdueMs) continue;
      if (faultOf(this.ledger.state.devices.get(t.deviceId), 'test_overdue') !== undefined) continue;
      due.push({ type: 'device.test_overdue', at, deviceId: t.deviceId, ...(last !== undefined ? { lastTestPressAt: last } : {}) });
    }
    if (due.length > 0) this.ledger.tryCommit(due);
  }
}

// main/ (core, Node) — the response-time statistics a chief (or an officer) reads: computed from the core's folded
// state and the history of the response targets it keeps (the `targets.set` records, read once at start and
// followed as they are committed), never by reading the journal again. Read only: nothing is journalled.
import { admitCommand, type StatsAck } from '../../shared/consoleContract';
import type { OperatorRef } from '../../shared/events';
import { STATION_TIME_ZONE } from '../../shared/duty';
import { DEFAULT_TARGETS } from '../../shared/response';
import { StatsBuilder } from '../../shared/responseStats';
import { trimReport } from '../../shared/statsWire';
import { historyOf, type TargetHistory } from '../../shared/targetHistory';
import type { Ledger } from './ledger';
import { StationScopes } from './stationScope';

/** Incidents added to a query's figures between two turns of the event loop. */
export const STATS_SLICE = 5_000;

export class StationStats {
  constructor(
    private readonly ledger: Ledger,
    /** The station's time zone: hours, weekdays, weeks, months and shifts are its wall clock. */
    private readonly timeZone: string = STATION_TIME_ZONE,
    /** Incidents added between two turns of the event loop (tests use a small one). */
    private readonly slice: number = STATS_SLICE,
    /** An operator counts their own station's incidents only; the county role every station's, or those it picks. */
    private readonly scopes: StationScopes = new StationScopes(ledger),
  ) {}

  /**
   * The profiles over time. Before the first recorded change the station ran on the defaults (a registry starts
   * with them, and every change from a console is journalled); with no change recorded, the registry's current
   * profile is the one in force (a registry file written with its own targets before any console changed them).
   */
  targets(): TargetHistory {
    const changes = this.ledger.targetChanges;
    return historyOf(changes, changes.length > 0 ? DEFAULT_TARGETS : this.ledger.registry.targets());
  }

  /**
   * `stats`: the figures of one period (permission, then payload, by the contract), with the id lists trimmed.
   * The incidents are taken STATS_SLICE at a time, with the event loop free between slices: a year of them is
   * hundreds of milliseconds of work, and an alarm arriving meanwhile is taken at once.
   */
  async query(operator: OperatorRef, payload: unknown): Promise<StatsAck> {
    const req = admitCommand('stats', operator, payload);
    if (!req.ok) return req;
    const { groupBy, stationIds, ...filter } = req.value;
    const seen = this.scopes.queryFilter(operator, stationIds);
    const registry = this.ledger.registry;
    const b = new StatsBuilder({
      filter,
      groupBy,
      targets: this.targets(),
      areaOf: (schoolId) => registry.schoolEver(schoolId)?.area,
      stationOf: (schoolId) => this.scopes.schoolStation(schoolId),
      timeZone: this.timeZone,
    });
    // The incidents as they are now (entries are immutable; the map goes on changing while we yield).
    const incidents = [...this.ledger.state.incidents.values()];
    for (let i = 0; i < incidents.length; i++) {
      if (seen(incidents[i]!)) b.add(incidents[i]!);
      if (i % this.slice === this.slice - 1) await new Promise<void>((r) => setImmediate(r));
    }
    return { ok: true, report: trimReport(b.report()) };
  }
}

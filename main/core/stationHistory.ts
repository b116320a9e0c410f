// main/ (core, Node) — the incident history a chief, an officer or a trainer reads (issue 12): pages of incidents
// filtered like the statistics (the same matching), newest first, and any one incident whole with its timeline.
// Served from the core's folded state, never by a console folding a year; read only: nothing is journalled.
import { admitCommand, type HistoryAck, type IncidentAck } from '../../shared/consoleContract';
import type { OperatorRef } from '../../shared/events';
import { STATION_TIME_ZONE } from '../../shared/duty';
import { historyFilter, historyGroupMatcher, historyMatches, historyRow, newestFirst } from '../../shared/historyWire';
import type { Incident } from '../../shared/incidentModel';
import { refusal } from '../../shared/protocol';
import type { Ledger } from './ledger';
import { otherStation, StationScopes } from './stationScope';

/** Incidents looked at between two turns of the event loop (an alarm arriving meanwhile is taken at once). */
export const HISTORY_SLICE = 10_000;

export class StationHistory {
  constructor(
    private readonly ledger: Ledger,
    private readonly slice: number = HISTORY_SLICE,
    /** The station's time zone: a group by hour, weekday, week, month or shift is on its wall clock (as the statistics). */
    private readonly timeZone: string = STATION_TIME_ZONE,
    /** An operator reads their own station's incidents only; the county role every station's, or those it picks. */
    private readonly scopes: StationScopes = new StationScopes(ledger),
  ) {}

  /** `history`: one page of the incidents that match, newest first, and how many match in all. */
  async query(operator: OperatorRef, payload: unknown): Promise<HistoryAck> {
    const req = admitCommand('history', operator, payload);
    if (!req.ok) return req;
    const r = req.value;
    const filter = historyFilter(r);
    const ids = r.ids ? new Set(r.ids) : undefined;
    const inGroup = historyGroupMatcher(r, this.timeZone, (schoolId) => this.scopes.schoolStation(schoolId));
    const seen = this.scopes.queryFilter(operator, r.stationIds);
    const hits: Incident[] = [];
    if (ids) {
      // A figure's incidents: looked up, not searched for.
      for (const id of ids) {
        const inc = this.ledger.state.incidents.get(id);
        if (inc && seen(inc) && historyMatches(inc, r, filter, ids, inGroup)) hits.push(inc);
      }
    } else {
      // The incidents as they are now (entries are immutable; the map goes on changing while we yield).
      const all = [...this.ledger.state.incidents.values()];
      for (let i = 0; i < all.length; i++) {
        if (seen(all[i]!) && historyMatches(all[i]!, r, filter, undefined, inGroup)) hits.push(all[i]!);
        if (i % this.slice === this.slice - 1) await new Promise<void>((done) => setImmediate(done));
      }
    }
    hits.sort(newestFirst);
    return { ok: true, page: { total: hits.length, offset: r.offset, rows: hits.slice(r.offset, r.offset + r.limit).map(historyRow) } };
  }

  /** `incident`: one incident whole, with its timeline. */
  incident(operator: OperatorRef, payload: unknown): IncidentAck {
    const req = admitCommand('incident', operator, payload);
    if (!req.ok) return req;
    const inc = this.ledger.state.incidents.get(req.value.incidentId);
    if (!inc) return refusal('unknown_alarm', `no incident ${req.value.incidentId}`);
    return this.scopes.sees(this.scopes.of(operator), inc) ? { ok: true, incident: inc } : otherStation(`incident ${inc.id}`);
  }
}

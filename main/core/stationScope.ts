// main/ (core, Node) — what each console sees of a county's stations (issue 15, shared/stations.ts): the records,
// the state snapshot, device health, unit positions and unstored alarms of the operator's station only (the county
// role every station), and the refusal of a command on another station's incident, fault or unit. A record of another
// station reaches a console as a `record.withheld` placeholder with its seq: the numbering stays whole, nothing of
// its content goes out. Every decision is the registry's (the operator's account), never the page's.
import type { DeviceHealth, HealthChange, UnitLive } from '../../shared/consoleApi';
import type { AlarmReceived, JournalRecord, OperatorRef } from '../../shared/events';
import type { Incident, StateSnapshot } from '../../shared/incidents';
import { refusal, type Refusal } from '../../shared/protocol';
import { DEFAULT_STATION, eventStation, inScope, type StationLookup, type StationScope } from '../../shared/stations';
import type { Ledger } from './ledger';

export class StationScopes {
  /** The station of each kind of thing, from the registry and the folded state as they are now. */
  readonly lookup: StationLookup;

  constructor(private readonly ledger: Ledger) {
    const reg = (): Ledger['registry'] => this.ledger.registry;
    this.lookup = {
      school: (id) => reg().schoolStation(id),
      device: (id) => reg().deviceStation(id),
      unit: (id) => reg().unitStation(id),
      post: (id) => reg().postStation(id),
      incident: (id) => {
        const inc = this.ledger.state.incidents.get(id);
        return inc ? reg().schoolStation(inc.schoolId) : undefined;
      },
      inspection: (id) => {
        const i = this.ledger.plan.inspections.get(id);
        return i ? reg().schoolStation(i.schoolId) : undefined;
      },
      drillWindow: (id) => {
        const w = this.ledger.plan.drillWindow(id);
        return w ? reg().schoolStation(w.schoolId) : undefined;
      },
    };
  }

  /** The operator's scope, from their account in the registry. */
  of(operator: OperatorRef): StationScope {
    return this.ledger.registry.scopeOf(operator);
  }

  /** The station of a school (the default one for a school the registry no longer knows). */
  schoolStation(schoolId: string): string {
    return this.ledger.registry.schoolStation(schoolId) ?? DEFAULT_STATION;
  }

  seesSchool(scope: StationScope, schoolId: string): boolean {
    return scope.all || inScope(scope, this.schoolStation(schoolId));
  }

  sees(scope: StationScope, inc: Incident): boolean {
    return this.seesSchool(scope, inc.schoolId);
  }

  /**
   * The incidents a query of `operator` may count: their station's (every station for the county role), narrowed to
   * `stationIds` when the query names some. Never wider than the scope, whatever the request says.
   */
  queryFilter(operator: OperatorRef, stationIds: readonly string[] | undefined): (inc: Incident) => boolean {
    const scope = this.of(operator);
    const wanted = stationIds === undefined ? undefined : new Set(stationIds);
    if (scope.all && wanted === undefined) return () => true;
    return (inc) => {
      const st = this.schoolStation(inc.schoolId);
      return inScope(scope, st) && (wanted === undefined || wanted.has(st));
    };
  }

  /** The record as this scope gets it: whole, or a placeholder that keeps its seq. */
  record(scope: StationScope, r: JournalRecord): JournalRecord {
    if (scope.all || inScope(scope, eventStation(r.event, this.lookup))) return r;
    return { seq: r.seq, event: { type: 'record.withheld', at: r.event.at } };
  }

  records(scope: StationScope, rs: readonly JournalRecord[]): JournalRecord[] {
    return scope.all ? [...rs] : rs.map((r) => this.record(scope, r));
  }

  snapshot(scope: StationScope, s: StateSnapshot): StateSnapshot {
    if (scope.all) return s;
    const unitSeen = (unitId: string): boolean => inScope(scope, this.lookup.unit(unitId) ?? DEFAULT_STATION);
    return {
      seq: s.seq,
      incidents: s.incidents.filter((inc) => this.sees(scope, inc)),
      devices: s.devices.filter((d) => inScope(scope, this.lookup.device(d.deviceId) ?? DEFAULT_STATION)),
      units: s.units.filter(([unitId]) => unitSeen(unitId)),
      assignments: s.assignments.filter(([unitId]) => unitSeen(unitId)),
    };
  }

  health(scope: StationScope, devices: readonly DeviceHealth[]): DeviceHealth[] {
    return scope.all ? [...devices] : devices.filter((d) => this.seesSchool(scope, d.schoolId));
  }

  healthChange(scope: StationScope, c: HealthChange): HealthChange {
    if (scope.all) return c;
    // A removed terminal the registry still knows of is shown only to its station; one it no longer knows is nobody's.
    const removed = c.removed.filter((id) => {
      const st = this.lookup.device(id);
      return st === undefined || inScope(scope, st);
    });
    return { changed: this.health(scope, c.changed), removed };
  }

  units(scope: StationScope, units: readonly UnitLive[]): UnitLive[] {
    return scope.all ? [...units] : units.filter((u) => inScope(scope, this.lookup.unit(u.unitId) ?? DEFAULT_STATION));
  }

  volatile(scope: StationScope, alarms: readonly AlarmReceived[]): AlarmReceived[] {
    return scope.all ? [...alarms] : alarms.filter((a) => this.seesSchool(scope, a.schoolId));
  }

  /** Whether a device (a terminal) or a unit is the scope's. */
  seesDevice(scope: StationScope, deviceId: string): boolean {
    return scope.all || inScope(scope, this.lookup.device(deviceId) ?? DEFAULT_STATION);
  }
  seesPost(scope: StationScope, postId: string): boolean {
    return scope.all || inScope(scope, this.lookup.post(postId) ?? DEFAULT_STATION);
  }
  seesUnit(scope: StationScope, unitId: string): boolean {
    return scope.all || inScope(scope, this.lookup.unit(unitId) ?? DEFAULT_STATION);
  }
}

/** The refusal of a command on another station's incident, device or unit (it says nothing of the thing itself). */
export function otherStation(what: string): Refusal {
  return refusal('forbidden', `${what} belongs to another station`, 'other_station');
}

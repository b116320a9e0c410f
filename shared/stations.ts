// shared/ — stations (派出所) of a county and what each operator sees (issue 15). Every school, guard post, police room
// and unit belongs to a station (`stationId`; absent: the default station, which is all a single-station registry
// has); an operator sees only their station's incidents, faults, units and schools, and the county command role
// (县局指挥中心) sees every station. Pure: the core decides with these (main/core/stationScope.ts), consoles only draw.
import type { Role, StationEvent } from './events';
import type { ReferenceData } from './model';

/** A police station of the county. */
export interface Station {
  id: string;
  name: string;
  nameEn: string;
}

/** The station of a record without `stationId`: in a single-station registry, every record's. */
export const DEFAULT_STATION = '';

/** The role that sees every station (县局指挥中心, county command). */
export const COUNTY_ROLE = 'county' satisfies Role;

/** What an operator sees: every station (the county role), or one. */
export type StationScope = { readonly all: true } | { readonly all: false; readonly stationId: string };

export const ALL_STATIONS: StationScope = { all: true };

/**
 * An operator's scope: the county role sees every station, and so does the admin (the registry, its devices and
 * accounts are the county's, one file); anyone else their own station (absent: the default station).
 */
export function scopeFor(role: Role, stationId: string | undefined): StationScope {
  return role === COUNTY_ROLE || role === 'admin' ? ALL_STATIONS : { all: false, stationId: stationId ?? DEFAULT_STATION };
}

/** A record's station id (absent: the default station). */
export function stationOf(x: { stationId?: string | undefined } | undefined): string {
  return x?.stationId ?? DEFAULT_STATION;
}

/** Whether a thing of `station` is seen in `scope`; `undefined` is a thing of every station (an admin's audit record). */
export function inScope(scope: StationScope, station: string | undefined): boolean {
  return scope.all || station === undefined || station === scope.stationId;
}

/** A station's name in the interface language; the id when the station is not in the list. */
export function stationName(stations: readonly Station[] | undefined, id: string, en = false): string {
  const s = stations?.find((x) => x.id === id);
  return s ? (en && s.nameEn ? s.nameEn : s.name) : id;
}

/**
 * How the core finds a record's station: each returns the station of a thing, `undefined` when it does not know the
 * thing (then the record is the default station's, as any record without a station).
 */
export interface StationLookup {
  school(schoolId: string): string | undefined;
  /** A terminal's station: its school's. */
  device(deviceId: string): string | undefined;
  unit(unitId: string): string | undefined;
  post(postId: string): string | undefined;
  /** An incident's station: its school's. */
  incident(incidentId: string): string | undefined;
  inspection(inspectionId: string): string | undefined;
  drillWindow(windowId: string): string | undefined;
}

/**
 * The station a journal record belongs to, or `undefined` when it is every station's (an admin's audit record, a mute,
 * a training result without a school, an unreadable line). Exhaustive: a new event type must say whose it is.
 */
export function eventStation(e: StationEvent, at: StationLookup): string | undefined {
  const or = (s: string | undefined): string => s ?? DEFAULT_STATION;
  switch (e.type) {
    case 'alarm.received':
      return or(at.school(e.schoolId));
    case 'alarm.repeated':
    case 'incident.shown':
    case 'incident.acknowledged':
    case 'alarm.cancel_requested':
    case 'incident.note':
    case 'incident.called_back':
    case 'incident.taken_over':
    case 'incident.dispatched':
    case 'dispatch.accepted':
    case 'dispatch.declined':
    case 'dispatch.cancelled':
    case 'dispatch.progress':
    case 'incident.resolved':
    case 'incident.reopened':
    case 'incident.escalated':
    case 'test.acknowledged':
      return or(at.incident(e.incidentId));
    case 'device.offline':
    case 'device.online':
    case 'device.tamper':
    case 'device.fault_acknowledged':
    case 'device.test_overdue':
      return or(at.device(e.deviceId));
    case 'unit.status':
      return or(at.unit(e.unitId));
    case 'inspection.recorded':
    case 'school_drill.recorded':
    case 'drill_window.registered':
    case 'training.unit':
      return or(at.school(e.schoolId));
    case 'finding.closed':
      return or(at.inspection(e.inspectionId));
    case 'drill_window.cancelled':
      return or(at.drillWindow(e.windowId));
    case 'post.checked':
      return or(at.post(e.postId));
    case 'training.completed': {
      // A run's schools are all one station's (main/core/stationPlan.ts); a result without any is everyone's.
      const first = e.rows[0]?.schoolId ?? e.faults?.[0]?.schoolId;
      return first === undefined ? undefined : or(at.school(first));
    }
    case 'admin.action':
    case 'sound.muted':
    case 'journal.unreadable':
    case 'record.withheld':
      return undefined;
    default:
      return missing(e);
  }
}

function missing(x: never): never {
  throw new Error(`eventStation: unhandled event ${JSON.stringify(x)}`);
}

/**
 * What of `reference` is one station's: its schools, their terminals, its guard posts (their own station, else their
 * school's), police rooms and units — what that station's console is sent (main/core/registry.ts reference(), which a
 * unit test holds to this), for the county view's station filter. Stations and targets are kept.
 */
export function referenceOfStation(reference: ReferenceData, stationId: string): ReferenceData {
  const scope: StationScope = { all: false, stationId };
  const stations = new Map(reference.schools.map((s) => [s.id, stationOf(s)]));
  // A school the registry does not have (a hand-edited file) is the default station's, as eventStation has it: an
  // undefined station would be "every station's" (inScope), and send its post to every console.
  const schoolStation = (id: string): string => stations.get(id) ?? DEFAULT_STATION;
  const seen = (x: { stationId?: string | undefined }): boolean => inScope(scope, stationOf(x));
  return {
    ...reference,
    schools: reference.schools.filter(seen),
    terminals: reference.terminals.filter((t) => inScope(scope, schoolStation(t.schoolId))),
    guardPosts: reference.guardPosts.filter((g) => inScope(scope, g.stationId ?? schoolStation(g.schoolId))),
    policeRooms: reference.policeRooms.filter(seen),
    units: reference.units.filter(seen),
  };
}

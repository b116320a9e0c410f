// test/unit/renderer — an exported file's name says whose figures it holds (a station's, the county's), so two
// stations' reports saved into one folder neither overwrite nor pass for each other; an admin's id cannot make a path.
import { describe, expect, it } from 'vitest';
import type { ReferenceData } from '../../../shared/model';
import { stationFilePart } from '../../../renderer/components/stationView';

const ref = (over: Partial<ReferenceData>): ReferenceData => ({ stationName: '示例派出所', ...over }) as ReferenceData;
const two = [
  { id: 'west', name: '西所', nameEn: 'West' },
  { id: 'east', name: '东所', nameEn: 'East' },
];

describe('stationFilePart', () => {
  it("names the console's station, the county's filter, or the county; nothing for a single station", () => {
    expect(stationFilePart(ref({}), undefined)).toBe('');
    expect(stationFilePart(ref({ stations: [two[0]!], stationId: 'west' }), undefined)).toBe('-west');
    expect(stationFilePart(ref({ stations: two }), undefined)).toBe('-county');
    expect(stationFilePart(ref({ stations: two }), 'east')).toBe('-east');
    expect(stationFilePart(undefined, undefined)).toBe('');
  });

  it('keeps letters (any script), digits, _ and -, and nothing that makes a path or hides a character', () => {
    expect(stationFilePart(ref({ stationId: '隆化镇所-1' }), undefined)).toBe('-隆化镇所-1');
    expect(stationFilePart(ref({ stationId: '../a/b\u0000c\u202ed' }), undefined)).toBe('-___a_b_c_d');
    expect(stationFilePart(ref({ stationId: 'x'.repeat(100) }), undefined)).toBe(`-${'x'.repeat(40)}`);
    expect(stationFilePart(ref({ stations: two }), '')).toBe('-_');
  });
});

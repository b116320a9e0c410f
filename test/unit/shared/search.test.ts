// test/unit/shared — school search by name, English name, id, or pinyin initials (polyphones in context).
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { longhuaOutline } from '../../../main/demo';
import type { School } from '../../../shared/model';
import { makeSampleCounty } from '../../../shared/sampleCounty';
import { buildSearchIndex, pinyinInitials, searchSchools } from '../../../shared/search';

const school = (id: string, name: string, nameEn = ''): School => ({
  id,
  name,
  nameEn,
  type: 'primary',
  address: '',
  lat: 41,
  lng: 117,
  area: 'urban',
  phone: '',
});

describe('school search', () => {
  it('takes pinyin initials of Chinese names, reading polyphones in context and keeping Latin and digits', () => {
    expect(pinyinInitials('长青小学')).toBe('cqxx');
    expect(pinyinInitials('重庆路幼儿园')).toBe('cqlyey');
    expect(pinyinInitials('银行街中学')).toBe('yhjzx');
    expect(pinyinInitials('示例小学 P01')).toBe('slxxp01');
  });

  it('ranks exact initials, then initials prefix, then name text, then initials inside', () => {
    const index = buildSearchIndex([
      school('a', '长青小学'),
      school('b', '长青中学'),
      school('c', '城关长青幼儿园'),
      school('d', '东风小学', 'Dongfeng Primary'),
    ]);
    expect(searchSchools(index, 'cqxx').map((s) => s.id)).toEqual(['a']);
    expect(searchSchools(index, 'cq').map((s) => s.id)).toEqual(['a', 'b', 'c']);
    expect(searchSchools(index, '长青').map((s) => s.id)).toEqual(expect.arrayContaining(['a', 'b', 'c']));
    expect(searchSchools(index, 'dongfeng').map((s) => s.id)).toEqual(['d']);
    expect(searchSchools(index, 'CQ ZX').map((s) => s.id)).toEqual(['b']);
    expect(searchSchools(index, '')).toEqual([]);
    expect(searchSchools(index, 'zzzz')).toEqual([]);
  });

  it('finds a sample school by its code and initials among 1,000, within the limit', () => {
    const county = makeSampleCounty(longhuaOutline(path.resolve(import.meta.dirname, '../../../assets')), 7, { schools: 1000, units: 10 });
    const index = buildSearchIndex(county.schools);
    const target = county.schools[123]!;
    const found = searchSchools(index, pinyinInitials(target.name));
    expect(found[0]).toBe(target);
    expect(searchSchools(index, 'slxx').length).toBe(8);
    expect(searchSchools(index, target.id)[0]).toBe(target);
  });
});

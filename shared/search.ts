// shared/ — finding a school by what an officer types: part of its name (Chinese or English), its id, or the
// pinyin initials of its name (长青小学 → "cqxx"). Pure; the index is built once per reference data.
import { pinyin } from 'pinyin-pro';
import type { School } from './model';

export interface SearchEntry {
  school: School;
  /** Lower-cased name, English name and id. */
  text: string;
  /** Pinyin initials of the Chinese name, lower case; other characters (digits, Latin) kept as they are. */
  initials: string;
  /** Full pinyin without tones or spaces ("changqingxiaoxue"). */
  full: string;
}

/** Pinyin initials of a Chinese name; polyphones are read in context (重庆 → cq, 长青 → cq). */
export function pinyinInitials(name: string): string {
  const letters = pinyin(name, { pattern: 'first', toneType: 'none', type: 'array', nonZh: 'consecutive' });
  return letters.join('').replace(/\s+/g, '').toLowerCase();
}

export function buildSearchIndex(schools: School[]): SearchEntry[] {
  return schools.map((school) => ({
    school,
    text: `${school.name} ${school.nameEn} ${school.id}`.toLowerCase(),
    initials: pinyinInitials(school.name),
    full: pinyin(school.name, { toneType: 'none', type: 'array', nonZh: 'consecutive' }).join('').replace(/\s+/g, '').toLowerCase(),
  }));
}

/**
 * Schools matching `query`, best first: exact initials, initials prefix, name substring, initials or full-pinyin
 * substring. Ties keep the name order. Common sample prefixes (示例 → "sl") may be left out by the officer.
 */
export function searchSchools(index: SearchEntry[], query: string, limit = 8): School[] {
  const q = query.trim().toLowerCase().replace(/\s+/g, '');
  if (!q) return [];
  const scored: { e: SearchEntry; score: number }[] = [];
  for (const e of index) {
    const score = e.initials === q ? 0 : e.initials.startsWith(q) ? 1 : e.text.includes(q) ? 2 : e.initials.includes(q) ? 3 : e.full.includes(q) ? 4 : -1;
    if (score >= 0) scored.push({ e, score });
  }
  scored.sort((a, b) => a.score - b.score || a.e.school.name.localeCompare(b.e.school.name, 'zh-Hans-CN'));
  return scored.slice(0, limit).map((x) => x.e.school);
}

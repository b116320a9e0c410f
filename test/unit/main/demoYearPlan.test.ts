// test/unit/main — the generated year (main/demoYear.ts) with the plan board's own records: exactly the records asked
// for, every one approved by the reducer in order, guard posts checked in and out around their windows on the
// station's wall clock (whatever the machine's zone), inspections and school drills well formed, and the same journal
// for the same seed.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateJournal, type GenCounty, type GenResult } from '../../../main/demoYear';
import { recordHash } from '../../../main/core/journal';
import { minutesOf, zonedParts } from '../../../shared/duty';
import { parseJournalRecord } from '../../../shared/eventSchema';
import { SCHOOL_DRILL_KINDS, type JournalRecord, type StationEvent } from '../../../shared/events';
import { StationFold } from '../../../shared/incidents';
import { isCalendarDate } from '../../../shared/inspections';
import { peakCoverage, semesterOf } from '../../../shared/planBoard';
import { PlanBook } from '../../../shared/planRecords';

const DAY = 86_400_000;
/** Noon on 30 June 2026 in Shanghai: the spring semester is nearly over, the autumn one before it whole. */
const END_AT = Date.UTC(2026, 5, 30, 4, 0);
const RECORDS = 40_000;

const schools = Array.from({ length: 30 }, (_, i) => ({ id: `S${String(i + 1).padStart(3, '0')}` }));
const PEAKS = [
  { start: '07:10', end: '08:10' },
  { start: '16:30', end: '17:30' },
];
const county: GenCounty = {
  schools,
  terminals: schools.map((s, i) => ({ deviceId: `T${String(i + 1).padStart(3, '0')}`, schoolId: s.id })),
  units: Array.from({ length: 8 }, (_, i) => ({ id: `U${i + 1}`, hasDevice: i % 2 === 0 })),
  officers: [
    { username: 'wang', displayName: '王警官', role: 'officer' },
    { username: 'li', displayName: '李警官', role: 'officer' },
    { username: 'chen', displayName: '陈警官', role: 'officer' },
    { username: 'zhao', displayName: '赵警官', role: 'officer' },
    { username: 'zhang', displayName: '张所长', role: 'chief' },
  ],
  guardPosts: [
    ...Array.from({ length: 6 }, (_, i) => ({ id: `GP${i + 1}`, schoolId: schools[i * 4]!.id, days: [1, 2, 3, 4, 5], windows: PEAKS })),
    // A kindergarten's later, shorter peaks.
    {
      id: 'GP7',
      schoolId: 'S030',
      days: [1, 2, 3, 4, 5],
      windows: [
        { start: '07:50', end: '08:30' },
        { start: '16:00', end: '16:40' },
      ],
    },
    // Saturday classes too, and two windows that touch at noon.
    {
      id: 'GP8',
      schoolId: 'S002',
      days: [1, 2, 3, 4, 5, 6],
      windows: [
        { start: '12:00', end: '12:30' },
        { start: '07:00', end: '08:00' },
        { start: '11:30', end: '12:00' },
      ],
    },
  ],
};
const PLAN_TYPES = new Set(['inspection.recorded', 'finding.closed', 'school_drill.recorded', 'post.checked']);
const stationDate = (at: number): string => {
  const p = zonedParts(at);
  return `${p.year}-${String(p.month).padStart(2, '0')}-${String(p.day).padStart(2, '0')}`;
};

let dir: string;
let file: string;
let gen: GenResult;
let records: JournalRecord[];
const events = (type: string): StationEvent[] => records.map((r) => r.event).filter((e) => e.type === type);

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'demo-year-plan-'));
  file = path.join(dir, 'a.jsonl');
  gen = generateJournal(file, county, { records: RECORDS, seed: 7, endAt: END_AT });
  records = fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as JournalRecord);
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('the generated year with the plan board records', () => {
  it('has exactly the records asked for, hash-chained, in time order, within the year', () => {
    expect(records).toHaveLength(RECORDS);
    expect(gen.records).toBe(RECORDS);
    let hash = '';
    let last = -Infinity;
    records.forEach((r, i) => {
      expect(r.seq).toBe(i + 1);
      hash = recordHash(hash, r.seq, r.event);
      expect(r.hash).toBe(hash);
      expect(parseJournalRecord(r).ok).toBe(true);
      expect(r.event.at).toBeGreaterThanOrEqual(last);
      last = r.event.at;
    });
    expect(records[0]!.event.at).toBeGreaterThan(END_AT - 365 * DAY);
    expect(last).toBeLessThanOrEqual(END_AT);
    // A whole year of plan records fits this journal; the items fill the rest.
    expect(gen.planFrom).toBe(stationDate(END_AT - 365 * DAY));
    expect(records.filter((r) => PLAN_TYPES.has(r.event.type))).toHaveLength(gen.planRecords);
    expect(gen.planRecords).toBeGreaterThan(8000);
    expect(gen.incidents).toBeGreaterThan(4000);
  });

  it('is approved by the reducer record by record, in order', () => {
    const fold = new StationFold().own();
    const refused: string[] = [];
    for (const r of records) {
      const c = fold.tryApply(r.event);
      if (!c.ok) refused.push(`seq ${r.seq} ${r.event.type}: ${c.message}`);
    }
    expect(refused).toEqual([]);
    expect(fold.seq).toBe(RECORDS);
  });

  it('checks each post in before its window and out after it, on the station wall clock, in then out', () => {
    const byPost = new Map<string, Extract<StationEvent, { type: 'post.checked' }>[]>();
    for (const e of events('post.checked')) {
      if (e.type !== 'post.checked') continue;
      expect(e.operator?.role).toBe('officer');
      const l = byPost.get(e.postId);
      if (l) l.push(e);
      else byPost.set(e.postId, [e]);
    }
    expect([...byPost.keys()].sort()).toEqual(county.guardPosts.map((p) => p.id).sort());
    for (const post of county.guardPosts) {
      const list = byPost.get(post.id)!;
      expect(list.length % 2).toBe(0); // every shift is closed by the end of the year
      for (let i = 0; i < list.length; i += 2) {
        const [inE, outE] = [list[i]!, list[i + 1]!];
        expect([inE.state, outE.state]).toEqual(['in', 'out']);
        expect(outE.at).toBeGreaterThan(inE.at);
        // The shift lies around one of the post's windows on one of its days, read on the Shanghai wall clock.
        const p = zonedParts(inE.at);
        expect(post.days).toContain(p.weekday);
        const w = post.windows.find((x) => p.minutes >= minutesOf(x.start) - 10 && p.minutes < minutesOf(x.end));
        expect(w, `${post.id} checked in at ${p.hour}:${p.minute}`).toBeDefined();
        expect(zonedParts(outE.at).minutes).toBeLessThanOrEqual(minutesOf(w!.end) + 10);
      }
    }
  });

  it('staffs most peak windows, some posts better than others', () => {
    const book = new PlanBook();
    for (const r of records) book.apply(r.event);
    const sem = semesterOf(stationDate(END_AT));
    expect(sem).toMatchObject({ name: 'spring', from: '2026-03-01' });
    const posts = county.guardPosts.map((p) => ({ ...p, name: p.id, lat: 0, lng: 0 }));
    const cov = peakCoverage(posts, book.shiftsBetween(END_AT - 365 * DAY, END_AT), sem.from, sem.to, END_AT);
    const shares = [...cov.posts.values()].map((c) => c.staffed / c.windows);
    const all = [...cov.posts.values()].reduce((a, c) => ({ w: a.w + c.windows, s: a.s + c.staffed }), { w: 0, s: 0 });
    expect(all.w).toBeGreaterThan(8 * 150);
    expect(all.s / all.w).toBeGreaterThan(0.8);
    expect(all.s / all.w).toBeLessThan(0.99);
    expect(Math.max(...shares) - Math.min(...shares)).toBeGreaterThan(0.03);
  });

  it('records inspections with their hidden dangers, most closed before the deadline, some late or open', () => {
    const found = new Map<string, { date: string; deadlines: Map<string, string>; closed: Set<string> }>();
    const perSchoolSemester = new Map<string, number>();
    let onTime = 0;
    let late = 0;
    for (const e of records.map((r) => r.event)) {
      if (e.type === 'inspection.recorded') {
        expect(found.has(e.inspectionId)).toBe(false);
        expect(e.inspectionId.startsWith(`INS-${e.date.replaceAll('-', '')}-`)).toBe(true);
        expect(isCalendarDate(e.date)).toBe(true);
        expect(e.date <= stationDate(e.at)).toBe(true);
        expect(schools.map((s) => s.id)).toContain(e.schoolId);
        expect(e.police.trim()).not.toBe('');
        expect(e.education.trim()).not.toBe('');
        expect(e.findings.length).toBeLessThanOrEqual(3);
        e.findings.forEach((f, i) => {
          expect(f.findingId).toBe(`F${i + 1}`);
          expect(isCalendarDate(f.deadline) && f.deadline >= e.date).toBe(true);
        });
        found.set(e.inspectionId, { date: e.date, deadlines: new Map(e.findings.map((f) => [f.findingId, f.deadline])), closed: new Set() });
        const key = `${e.schoolId} ${semesterOf(e.date).from}`;
        perSchoolSemester.set(key, (perSchoolSemester.get(key) ?? 0) + 1);
      } else if (e.type === 'finding.closed') {
        const i = found.get(e.inspectionId);
        expect(i?.deadlines.has(e.findingId)).toBe(true);
        expect(i!.closed.has(e.findingId)).toBe(false);
        i!.closed.add(e.findingId);
        if (stationDate(e.at) <= i!.deadlines.get(e.findingId)!) onTime++;
        else late++;
      }
    }
    const findings = [...found.values()].reduce((n, i) => n + i.deadlines.size, 0);
    const open = findings - onTime - late;
    expect(found.size).toBeGreaterThan(60);
    expect(onTime / findings).toBeGreaterThan(0.6);
    expect(late).toBeGreaterThan(0);
    expect(open).toBeGreaterThan(0);
    // The spring semester, whole within the year up to its last fortnight: about two each, some short.
    const spring = schools.map((s) => perSchoolSemester.get(`${s.id} 2026-03-01`) ?? 0);
    expect(spring.filter((n) => n >= 2).length).toBeGreaterThan(schools.length / 2);
    expect(spring.some((n) => n < 2)).toBe(true);
  });

  it('registers the schools own drills: unique ids, dated on or before the day recorded, all kinds, some schools none', () => {
    const ids = new Set<string>();
    const kinds = new Set<string>();
    const spring = new Map<string, number>();
    for (const e of events('school_drill.recorded')) {
      if (e.type !== 'school_drill.recorded') continue;
      expect(ids.has(e.drillId)).toBe(false);
      ids.add(e.drillId);
      expect(e.drillId.startsWith(`DRL-${e.date.replaceAll('-', '')}-`)).toBe(true);
      expect(isCalendarDate(e.date) && e.date <= stationDate(e.at)).toBe(true);
      expect(SCHOOL_DRILL_KINDS).toContain(e.kind);
      kinds.add(e.kind);
      if (semesterOf(e.date).from === '2026-03-01') spring.set(e.schoolId, (spring.get(e.schoolId) ?? 0) + 1);
    }
    expect(ids.size).toBeGreaterThan(40);
    expect(kinds.size).toBeGreaterThanOrEqual(3);
    expect(spring.size).toBeLessThan(schools.length);
    expect(Math.max(...spring.values())).toBeLessThanOrEqual(3);
  });

  it('writes the same journal for the same seed, another for another, and the same plan records in any machine zone', () => {
    const again = path.join(dir, 'b.jsonl');
    generateJournal(again, county, { records: RECORDS, seed: 7, endAt: END_AT });
    expect(fs.readFileSync(again).equals(fs.readFileSync(file))).toBe(true);
    const other = path.join(dir, 'c.jsonl');
    generateJournal(other, county, { records: RECORDS, seed: 8, endAt: END_AT });
    expect(fs.readFileSync(other).equals(fs.readFileSync(file))).toBe(false);

    const planOf = (f: string): string[] =>
      fs
        .readFileSync(f, 'utf8')
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => (JSON.parse(l) as JournalRecord).event)
        .filter((e) => PLAN_TYPES.has(e.type))
        .map((e) => JSON.stringify(e));
    const tz = process.env.TZ;
    try {
      process.env.TZ = 'America/Los_Angeles';
      const elsewhere = path.join(dir, 'd.jsonl');
      const g = generateJournal(elsewhere, county, { records: RECORDS, seed: 7, endAt: END_AT });
      expect(g.records).toBe(RECORDS);
      expect(planOf(elsewhere)).toEqual(planOf(file));
    } finally {
      if (tz === undefined) delete process.env.TZ;
      else process.env.TZ = tz;
    }
  });

  it('keeps the last days of plan records when the journal is too small for a year of them', () => {
    const small = path.join(dir, 'small.jsonl');
    const g = generateJournal(small, county, { records: 5000, seed: 7, endAt: END_AT });
    const lines = fs
      .readFileSync(small, 'utf8')
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as JournalRecord);
    expect(lines).toHaveLength(5000);
    expect(g.planRecords).toBeLessThanOrEqual(0.3 * 5000);
    expect(g.planRecords).toBeGreaterThan(0.2 * 5000);
    expect(g.planFrom! > stationDate(END_AT - 200 * DAY)).toBe(true);
    const fold = new StationFold().own();
    expect(lines.filter((r) => !fold.tryApply(r.event).ok)).toEqual([]);
    const checks = lines.filter((r) => r.event.type === 'post.checked');
    expect(checks.length).toBeGreaterThan(0);
    expect(checks.every((r) => stationDate(r.event.at) >= g.planFrom!)).toBe(true);
  });
});

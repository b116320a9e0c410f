// main/ (Node) — the plan board's own records in the generated year (main/demoYear.ts): guard posts checked in and
// out around their peak windows, joint police–education inspections with their hidden dangers (closed, late or left
// open), and drills the schools held and the station registered. Each station day is planned on its own, from its
// own seed, so a day can be counted before the year is written and planned again, identically, when its turn comes:
// the year's check-ins are never all in memory.
import type { OperatorRef, SchoolDrillKind, StationEvent } from '../shared/events';
import { fromZoned, minutesOf, STATION_TIME_ZONE, zonedParts } from '../shared/duty';
import type { GuardPost } from '../shared/model';
import { DEFAULT_SEMESTERS, semesterOf } from '../shared/planBoard';
import { mulberry32 } from '../shared/sampleCounty';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

export type GenPost = Pick<GuardPost, 'id' | 'schoolId' | 'days' | 'windows'>;

export interface PlanCounty {
  schools: readonly { id: string }[];
  guardPosts: readonly GenPost[];
  /** Officers and the chief: who checks posts in and records inspections and drills. */
  officers: readonly OperatorRef[];
}

/** A plan record and when it is written. */
export interface PlanItem {
  at: number;
  event: StationEvent;
}

/** A day of the station's calendar: "YYYY-MM-DD", its ISO weekday and its midnight (epoch ms). */
interface StationDay {
  date: string;
  weekday: number;
  midnight: number;
}

const HIDDEN_DANGERS = [
  '消防通道堆放杂物 / the fire exit is blocked',
  '校门监控摄像头损坏 / a gate camera is broken',
  '门卫室防暴器械不全 / the gatehouse lacks anti-riot equipment',
  '围墙护栏破损 / the boundary fence is damaged',
  '应急照明失效 / emergency lighting is out',
  '一键报警按钮被遮挡 / the alarm button is hidden behind furniture',
  '学生上下学时段无人值守侧门 / the side gate is unguarded at the peaks',
  '灭火器过期 / fire extinguishers are out of date',
] as const;
const EDUCATION = ['县教育局 王老师', '县教育局 李老师', '县教育局 陈老师', '县教育局 赵老师', '县教育局 周老师'] as const;
const DRILL_NOTES: Record<SchoolDrillKind, string> = {
  earthquake: '地震应急疏散演练 / earthquake evacuation',
  fire: '消防疏散演练 / fire evacuation',
  anti_violence: '防暴恐演练 / anti-violence drill',
  other: '防踩踏演练 / crowd safety drill',
};

const pad = (n: number): string => String(n).padStart(2, '0');
/** "YYYY-MM-DD" of a UTC calendar day (ms at its UTC midnight). */
const isoDay = (utc: number): string => {
  const d = new Date(utc);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
};
const utcOf = (date: string): number => {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return Date.UTC(y, m - 1, d);
};

/** An independent stream per (seed, purpose, index), so each day can be planned again without the others. */
const streamOf = (seed: number, purpose: number, index: number): (() => number) =>
  mulberry32((Math.imul(seed ^ purpose, 0x9e3779b1) + Math.imul(index + 1, 0x85ebca6b)) >>> 0);

/**
 * The plan records of the year (beginAt, endAt]: `days` station days, each planned by `plan(i)`, deterministic for
 * the county and seed. Every record lies within the year; none before the midnight of its own day.
 */
export class YearPlan {
  readonly days: StationDay[] = [];
  /** Per post: the share of its windows staffed on time, and the officer who usually takes it. */
  private readonly posts: { post: GenPost; windows: [number, number][]; reliability: number; officer: OperatorRef }[];
  /** Per day index: the schools inspected and the schools' own drills that day. */
  private readonly inspections = new Map<number, string[]>();
  private readonly drills = new Map<number, string[]>();
  private readonly officers: readonly OperatorRef[];

  constructor(
    county: PlanCounty,
    private readonly seed: number,
    private readonly beginAt: number,
    private readonly endAt: number,
    timeZone: string = STATION_TIME_ZONE,
  ) {
    const first = zonedParts(beginAt, timeZone);
    const last = zonedParts(endAt, timeZone);
    const lastUtc = Date.UTC(last.year, last.month - 1, last.day);
    const index = new Map<string, number>();
    for (let t = Date.UTC(first.year, first.month - 1, first.day); t <= lastUtc; t += DAY) {
      const d = new Date(t);
      const date = isoDay(t);
      index.set(date, this.days.length);
      this.days.push({
        date,
        weekday: d.getUTCDay() === 0 ? 7 : d.getUTCDay(),
        midnight: fromZoned(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), 0, 0, timeZone),
      });
    }
    // Officers do the posts; the chief (if any) signs inspections too.
    const officers = county.officers.filter((o) => o.role === 'officer');
    this.officers = officers.length > 0 ? officers : county.officers;
    const traits = streamOf(seed, 0x7057, 0);
    this.posts = county.guardPosts.map((post) => {
      // Most posts are kept well, some less so, a few badly: the board shows a spread.
      const u = traits();
      const reliability = u < 0.6 ? 0.93 + traits() * 0.06 : u < 0.85 ? 0.85 + traits() * 0.08 : 0.6 + traits() * 0.25;
      return {
        post,
        windows: post.windows.map((w) => [minutesOf(w.start) * MIN, minutesOf(w.end) * MIN] as [number, number]).sort((a, b) => a[0] - b[0]),
        reliability,
        officer: this.officers[Math.floor(traits() * this.officers.length)]!,
      };
    });
    this.scheduleSemesters(county.schools, index);
  }

  /** Each school's inspections (about two a semester, some short) and registered drills (one or two, some none). */
  private scheduleSemesters(schools: PlanCounty['schools'], index: ReadonlyMap<string, number>): void {
    const seen = new Set<string>();
    const rng = streamOf(this.seed, 0x5e3e, 0);
    for (const day of this.days) {
      const sem = semesterOf(day.date, DEFAULT_SEMESTERS);
      if (sem.from > day.date || seen.has(sem.from)) continue;
      seen.add(sem.from);
      // The semester's school days, the whole semester (one that began before the year or runs on after it keeps
      // only the dates inside the year: the year sees its share of them).
      const schoolDays: string[] = [];
      for (let t = utcOf(sem.from); t <= utcOf(sem.to); t += DAY) {
        const wd = new Date(t).getUTCDay();
        if (wd >= 1 && wd <= 5) schoolDays.push(isoDay(t));
      }
      const add = (m: Map<number, string[]>, schoolId: string): void => {
        const i = index.get(schoolDays[Math.floor(rng() * schoolDays.length)]!);
        if (i === undefined) return;
        const l = m.get(i);
        if (l) l.push(schoolId);
        else m.set(i, [schoolId]);
      };
      for (const s of schools) {
        const u = rng();
        const inspections = u < 0.05 ? 0 : u < 0.2 ? 1 : u < 0.85 ? 2 : 3;
        for (let k = 0; k < inspections; k++) add(this.inspections, s.id);
        const v = rng();
        const drills = v < 0.15 ? 0 : v < 0.55 ? 1 : 2;
        for (let k = 0; k < drills; k++) add(this.drills, s.id);
      }
    }
  }

  /** Day i's plan records, in no particular order (the caller's heap orders them); the same every time. */
  plan(i: number): PlanItem[] {
    const day = this.days[i]!;
    const rng = streamOf(this.seed, 0xda7, i);
    const between = (lo: number, hi: number): number => Math.round(lo + rng() * (hi - lo));
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)]!;
    const out: PlanItem[] = [];
    const push = (event: StationEvent): void => {
      if (event.at > this.beginAt && event.at <= this.endAt) out.push({ at: event.at, event });
    };

    // Guard posts: checked in a few minutes before each window and out a few minutes after it, mostly.
    for (const p of this.posts) {
      if (!p.post.days.includes(day.weekday)) continue;
      let lastOut = day.midnight;
      for (const [ws, we] of p.windows) {
        const start = day.midnight + ws;
        const end = day.midnight + we;
        const len = end - start;
        let inAt: number;
        let outAt: number;
        if (rng() < p.reliability) {
          inAt = start - between(1 * MIN, 10 * MIN);
          outAt = end + between(1 * MIN, 8 * MIN);
        } else {
          const v = rng();
          if (v < 0.4) continue; // nobody came
          if (v < 0.75) {
            // Late: some still cover half the window, most do not.
            inAt = start + between(5 * MIN, 0.8 * len);
            outAt = end + between(0, 5 * MIN);
          } else {
            // Left early.
            inAt = start - between(1 * MIN, 8 * MIN);
            outAt = start + between(0.15 * len, 0.6 * len);
          }
        }
        inAt = Math.max(inAt, lastOut + MIN);
        outAt = Math.max(outAt, inAt + MIN);
        // A shift wholly within the year, or none: the year ends with every post checked out.
        if (inAt <= this.beginAt || outAt > this.endAt) continue;
        const operator = rng() < 0.85 ? p.officer : pick(this.officers);
        push({ type: 'post.checked', at: inAt, postId: p.post.id, state: 'in', operator });
        push({ type: 'post.checked', at: outAt, postId: p.post.id, state: 'out', operator });
        lastOut = outAt;
      }
    }

    // Joint inspections dated today, recorded in the afternoon or a day or two later; hidden dangers closed later.
    let k = 0;
    for (const schoolId of this.inspections.get(i) ?? []) {
      const at = day.midnight + between(10 * HOUR, 18 * HOUR) + (rng() < 0.2 ? between(1, 3) * DAY : 0);
      const officer = pick(this.officers);
      const u = rng();
      const n = u < 0.3 ? 0 : u < 0.65 ? 1 : u < 0.9 ? 2 : 3;
      const findings: { findingId: string; text: string; deadline: string; deadlineEnd: number }[] = [];
      for (let f = 0; f < n; f++) {
        const days = between(7, 30);
        findings.push({
          findingId: `F${f + 1}`,
          text: pick(HIDDEN_DANGERS),
          deadline: isoDay(utcOf(day.date) + days * DAY),
          deadlineEnd: day.midnight + (days + 1) * DAY - 1,
        });
      }
      const inspectionId = `INS-${day.date.replaceAll('-', '')}-${at.toString(36)}${(k++).toString(36)}`;
      if (at > this.endAt) continue;
      push({
        type: 'inspection.recorded',
        at,
        operator: officer,
        inspectionId,
        schoolId,
        date: day.date,
        police: officer.displayName,
        education: pick(EDUCATION),
        findings: findings.map(({ findingId, text, deadline }) => ({ findingId, text, deadline })),
      });
      for (const f of findings) {
        const v = rng();
        // Most rectified before the deadline, some late, some still open (overdue once the deadline passes).
        const closeAt =
          v < 0.75 ? between(at + DAY, Math.max(at + DAY, f.deadlineEnd - 6 * HOUR)) : v < 0.87 ? f.deadlineEnd + between(1 * DAY, 20 * DAY) : undefined;
        if (closeAt === undefined) continue;
        push({
          type: 'finding.closed',
          at: closeAt,
          operator: pick(this.officers),
          inspectionId,
          findingId: f.findingId,
          note: v < 0.75 ? '已整改，复查合格 / rectified, checked again' : '逾期整改完成 / rectified after the deadline',
        });
      }
    }

    // Drills the schools held today, registered that evening or a few days later.
    for (const schoolId of this.drills.get(i) ?? []) {
      const at = day.midnight + between(15 * HOUR, 19 * HOUR) + (rng() < 0.3 ? between(1, 3) * DAY : 0);
      const u = rng();
      const kind: SchoolDrillKind = u < 0.4 ? 'fire' : u < 0.75 ? 'earthquake' : u < 0.95 ? 'anti_violence' : 'other';
      push({
        type: 'school_drill.recorded',
        at,
        operator: pick(this.officers),
        drillId: `DRL-${day.date.replaceAll('-', '')}-${at.toString(36)}${(k++).toString(36)}`,
        schoolId,
        date: day.date,
        kind,
        note: DRILL_NOTES[kind],
      });
    }
    return out;
  }
}

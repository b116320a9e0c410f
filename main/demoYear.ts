// main/ (Node) — a busy county's year as a valid, hash-chained journal (records exactly as main/core/journal.ts
// writes them), streamed to disk with a fixed seed: `npm start -- --demo --demo-year` and `npm run bench:journal`.
// Every event is one the core could have written: checkEvent approves each in order (bench:journal --check).
//
// The year is a time-ordered merge of "items" (a test press, a false alarm, a real alarm with a unit sent, a drill,
// a cancelled alarm, a terminal going offline and back, a tamper, a unit's shift change), each a short schedule of
// events. A min-heap holds the events still to come, so items overlap as they would on a real day and the file is
// written in time order, a few MiB at a time. Beside the items, the plan board's own records (main/demoYearPlan.ts:
// guard posts checked in and out, joint inspections, the schools' own drills) are planned a station day at a time
// as the clock reaches that day; they are counted first, so the items fill exactly the rest of the journal.
import fs from 'node:fs';
import type { JournalRecord, OperatorRef, StationEvent } from '../shared/events';
import type { AlarmKind } from '../shared/protocol';
import { mulberry32 } from '../shared/sampleCounty';
import { recordHash } from './core/journal';
import { type GenPost, YearPlan } from './demoYearPlan';

/** Bump whenever the generated journal changes: cached journals are keyed by it. */
export const GENERATOR_VERSION = 3;

export interface GenCounty {
  /** Terminal ids with their school. */
  terminals: { deviceId: string; schoolId: string }[];
  units: { id: string; hasDevice: boolean }[];
  /** Operators who act on incidents (officers, chief). */
  officers: OperatorRef[];
  /** The schools (their inspections and own drills) and the guard posts with their duty schedule (check-ins). */
  schools: { id: string }[];
  guardPosts: GenPost[];
}

/** At most this share of the journal is plan records; a small journal keeps only the last days' of them. */
const PLAN_SHARE_MAX = 0.3;

export interface GenResult {
  records: number;
  bytes: number;
  incidents: number;
  firstAt: number;
  lastAt: number;
  byType: Record<string, number>;
  /** Plan records (check-ins, inspections, drills), and the first station day that has them. */
  planRecords: number;
  planFrom?: string;
  ms: number;
}

const S = 1000;
const MIN = 60 * S;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

/** An event still to be written: when, in which order among equal times, and what. */
interface Pending {
  at: number;
  order: number;
  event: StationEvent;
}

/** A binary min-heap by (at, order): the events planned but not yet written. */
class Heap {
  private a: Pending[] = [];
  get size(): number {
    return this.a.length;
  }
  private less(i: number, j: number): boolean {
    const x = this.a[i]!;
    const y = this.a[j]!;
    return x.at < y.at || (x.at === y.at && x.order < y.order);
  }
  private swap(i: number, j: number): void {
    [this.a[i], this.a[j]] = [this.a[j]!, this.a[i]!];
  }
  push(p: Pending): void {
    this.a.push(p);
    let i = this.a.length - 1;
    while (i > 0) {
      const up = (i - 1) >> 1;
      if (!this.less(i, up)) break;
      this.swap(i, up);
      i = up;
    }
  }
  peek(): Pending | undefined {
    return this.a[0];
  }
  pop(): Pending | undefined {
    const top = this.a[0];
    const last = this.a.pop();
    if (this.a.length > 0 && last) {
      this.a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < this.a.length && this.less(l, m)) m = l;
        if (r < this.a.length && this.less(r, m)) m = r;
        if (m === i) break;
        this.swap(i, m);
        i = m;
      }
    }
    return top;
  }
}

/** Station-local date of a time, as incident ids use it (YYYYMMDD). */
function dayOf(at: number): string {
  const d = new Date(at);
  return `${d.getFullYear()}${String(d.getMonth() + 1).padStart(2, '0')}${String(d.getDate()).padStart(2, '0')}`;
}

/**
 * Writes `records` hash-chained journal records to `file` (replacing it): a year ending at `endAt` (every event
 * is at or before it). Deterministic for the same county, seed, size and endAt.
 */
export function generateJournal(file: string, county: GenCounty, opts: { records: number; seed: number; endAt: number }): GenResult {
  const t0 = performance.now();
  const rng = mulberry32(opts.seed);
  const between = (lo: number, hi: number): number => Math.round(lo + rng() * (hi - lo));
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)]!;
  const chance = (p: number): boolean => rng() < p;

  const heap = new Heap();
  let order = 0;
  const plan = (at: number, event: StationEvent): void => heap.push({ at, order: order++, event });

  // What the generator must know to keep every event valid: busy units, offline or tampered terminals.
  const unitFreeAt = new Map<string, number>(county.units.map((u) => [u.id, 0]));
  const deviceBusyUntil = new Map<string, number>(); // offline or tamper window, or an open alarm
  const dayCounters = new Map<string, number>();
  let alarmCounter = 0;
  let incidents = 0;

  const freeDevice = (at: number): { deviceId: string; schoolId: string } => {
    for (let i = 0; i < 20; i++) {
      const t = pick(county.terminals);
      if ((deviceBusyUntil.get(t.deviceId) ?? 0) < at) return t;
    }
    return pick(county.terminals);
  };
  /** A terminal is busy (offline, tampered, or with an alarm open) until the latest of its windows ends. */
  const busyUntil = (deviceId: string, until: number): void => void deviceBusyUntil.set(deviceId, Math.max(until, deviceBusyUntil.get(deviceId) ?? 0));
  const newIncident = (at: number): string => {
    const day = dayOf(at);
    const n = (dayCounters.get(day) ?? 0) + 1;
    dayCounters.set(day, n);
    incidents++;
    return `${day}-${String(n).padStart(4, '0')}`;
  };

  type Item = (at: number) => number; // plans one item starting at `at`; returns how many records it planned

  /** An alarm: received, shown on a console 0.3–2 s later; returns the incident id and the two times. */
  const alarm = (at: number, kind: AlarmKind, drill: boolean, note?: string): { incidentId: string; deviceId: string; shownAt: number } => {
    const t = freeDevice(at);
    const incidentId = newIncident(at);
    const alarmId = `a${(++alarmCounter).toString(36)}`;
    plan(at, {
      type: 'alarm.received',
      at,
      incidentId,
      deviceId: t.deviceId,
      schoolId: t.schoolId,
      alarmId,
      kind,
      drill,
      raisedAt: at - between(50, 900),
      ...(note !== undefined ? { note } : {}),
    });
    const shownAt = at + between(300, 2000);
    plan(shownAt, { type: 'incident.shown', at: shownAt, incidentId, operator: pick(county.officers) });
    return { incidentId, deviceId: t.deviceId, shownAt };
  };
  /** The officer takes the alarm (接警), escalated first when that took longer than the 10 s target. */
  const acknowledge = (at: number, incidentId: string, operator: OperatorRef, ackAt: number, escalates = true): number => {
    let n = 1;
    // The core's supervision tick escalates a real alarm past the 10 s target (never a test press).
    if (escalates && ackAt - at > 11 * S) {
      const escAt = at + 10 * S + between(1, 999);
      plan(escAt, { type: 'incident.escalated', at: escAt, incidentId, reason: 'ack_overdue' });
      n++;
    }
    plan(ackAt, { type: 'incident.acknowledged', at: ackAt, incidentId, operator });
    return n;
  };

  const testPress: Item = (at) => {
    const { incidentId, deviceId, shownAt } = alarm(at, 'test', false, chance(0.3) ? '每周测试 / weekly test' : undefined);
    const op = pick(county.officers);
    const ackAt = shownAt + between(2 * S, 40 * S);
    const n = acknowledge(at, incidentId, op, ackAt, false);
    const doneAt = ackAt + between(5 * S, 60 * S);
    plan(doneAt, { type: 'incident.resolved', at: doneAt, incidentId, operator: op, disposition: 'test', note: '测试正常 / test OK' });
    busyUntil(deviceId, doneAt);
    return 4 + n - 1;
  };

  const falseAlarm: Item = (at) => {
    const { incidentId, deviceId, shownAt } = alarm(at, pick(['panic', 'intrusion', 'other'] as const), false);
    const op = pick(county.officers);
    const ackAt = shownAt + between(1 * S, 25 * S);
    let n = 2 + acknowledge(at, incidentId, op, ackAt);
    const callAt = ackAt + between(20 * S, 3 * MIN);
    plan(callAt, { type: 'incident.called_back', at: callAt, incidentId, operator: op, outcome: '学校确认误按 / the school pressed by mistake' });
    let doneAt = callAt + between(10 * S, 2 * MIN);
    plan(doneAt, { type: 'incident.resolved', at: doneAt, incidentId, operator: op, disposition: 'false_alarm', note: '误报 / false alarm' });
    n += 2;
    if (chance(0.02)) {
      // Now and then a chief reopens one to add what was missing, and closes it again.
      const chief = county.officers[county.officers.length - 1]!;
      const reAt = doneAt + between(10 * MIN, 6 * HOUR);
      plan(reAt, { type: 'incident.reopened', at: reAt, incidentId, operator: chief, reason: '补充记录 / completing the record' });
      const noteAt = reAt + between(30 * S, 5 * MIN);
      plan(noteAt, { type: 'incident.note', at: noteAt, incidentId, operator: chief, text: '已与校方核实 / checked with the school' });
      doneAt = noteAt + between(10 * S, 2 * MIN);
      plan(doneAt, {
        type: 'incident.resolved',
        at: doneAt,
        incidentId,
        operator: chief,
        disposition: 'false_alarm',
        note: '误报，已核实 / false alarm, checked',
      });
      n += 3;
    }
    busyUntil(deviceId, doneAt);
    return n;
  };

  const realAlarm: Item = (at) => {
    const kind = pick(['panic', 'intrusion', 'violence', 'fire', 'medical'] as const);
    const { incidentId, deviceId, shownAt } = alarm(at, kind, false, chance(0.4) ? '门卫报告可疑人员 / the gate reports a suspicious person' : undefined);
    const op = pick(county.officers);
    const ackAt = shownAt + between(1 * S, 15 * S);
    let n = 2 + acknowledge(at, incidentId, op, ackAt);
    let t = ackAt;
    if (chance(0.5)) {
      t += between(5 * S, 60 * S);
      plan(t, { type: 'incident.note', at: t, incidentId, operator: op, text: '已电话联系校方 / called the school' });
      n++;
    }
    const dispatchAt = t + between(5 * S, 60 * S);
    const from = Math.floor(rng() * county.units.length);
    const unit = [...county.units.slice(from), ...county.units.slice(0, from)].find((u) => unitFreeAt.get(u.id)! < dispatchAt - 1);
    let doneAt: number;
    if (unit) {
      plan(dispatchAt, { type: 'incident.dispatched', at: dispatchAt, incidentId, operator: op, unitId: unit.id, mode: unit.hasDevice ? 'device' : 'radio' });
      const byRadio = !unit.hasDevice;
      const acceptedAt = byRadio ? dispatchAt : dispatchAt + between(3 * S, 30 * S);
      plan(acceptedAt, { type: 'dispatch.accepted', at: acceptedAt, incidentId, unitId: unit.id, ...(byRadio ? { operator: op } : {}) });
      const enRouteAt = acceptedAt + between(1 * S, 60 * S);
      const onSceneAt = enRouteAt + between(2 * MIN, 15 * MIN);
      for (const [when, state] of [
        [enRouteAt, 'en_route'],
        [onSceneAt, 'on_scene'],
      ] as const) {
        plan(when, { type: 'dispatch.progress', at: when, incidentId, unitId: unit.id, state, ...(byRadio ? { operator: op } : {}) });
        // A unit with a device also reports its own state.
        if (!byRadio) plan(when + 200, { type: 'unit.status', at: when + 200, unitId: unit.id, state, reportedAt: when + 150 });
      }
      n += 4 + (byRadio ? 0 : 2);
      doneAt = onSceneAt + between(10 * MIN, 60 * MIN);
      plan(doneAt, {
        type: 'incident.resolved',
        at: doneAt,
        incidentId,
        operator: op,
        disposition: 'real',
        note: '已处置，现场平稳 / handled, the scene is calm',
      });
      n++;
      if (!byRadio) {
        plan(doneAt + 30 * S, { type: 'unit.status', at: doneAt + 30 * S, unitId: unit.id, state: 'available', reportedAt: doneAt + 29 * S });
        n++;
      }
      unitFreeAt.set(unit.id, doneAt + 31 * S);
    } else {
      // Every unit is out: the officer handles it on the phone with the school.
      const callAt = dispatchAt;
      plan(callAt, { type: 'incident.called_back', at: callAt, incidentId, operator: op, outcome: '无警力可派，电话指导 / no unit free, guided by phone' });
      doneAt = callAt + between(5 * MIN, 20 * MIN);
      plan(doneAt, { type: 'incident.resolved', at: doneAt, incidentId, operator: op, disposition: 'real', note: '电话处置 / handled by phone' });
      n += 2;
    }
    busyUntil(deviceId, doneAt);
    return n;
  };

  const drill: Item = (at) => {
    const { incidentId, deviceId, shownAt } = alarm(at, 'panic', true, '消防演练 / fire drill');
    const op = pick(county.officers);
    const ackAt = shownAt + between(1 * S, 20 * S);
    const n = 2 + acknowledge(at, incidentId, op, ackAt);
    const doneAt = ackAt + between(1 * MIN, 15 * MIN);
    plan(doneAt, { type: 'incident.resolved', at: doneAt, incidentId, operator: op, disposition: 'drill', note: '演练 / drill' });
    busyUntil(deviceId, doneAt);
    return n + 1;
  };

  const cancelled: Item = (at) => {
    const { incidentId, deviceId, shownAt } = alarm(at, pick(['panic', 'other'] as const), false);
    const op = pick(county.officers);
    const cancelAt = at + between(5 * S, 40 * S);
    plan(cancelAt, { type: 'alarm.cancel_requested', at: cancelAt, incidentId, reason: '误按 / pressed by mistake' });
    const ackAt = Math.max(shownAt, cancelAt) + between(1 * S, 10 * S);
    const n = 3 + acknowledge(at, incidentId, op, ackAt);
    const doneAt = ackAt + between(30 * S, 3 * MIN);
    plan(doneAt, {
      type: 'incident.resolved',
      at: doneAt,
      incidentId,
      operator: op,
      disposition: 'cancelled_by_school',
      note: '校方撤销 / withdrawn by the school',
    });
    busyUntil(deviceId, doneAt);
    return n + 1;
  };

  const offline: Item = (at) => {
    const t = freeDevice(at);
    if ((deviceBusyUntil.get(t.deviceId) ?? 0) >= at) return unitShift(at);
    plan(at, { type: 'device.offline', at, deviceId: t.deviceId, lastSeenAt: at - 90 * S - between(0, 999) });
    const backAt = at + between(5 * MIN, 8 * HOUR);
    let n = 2;
    if (chance(0.6)) {
      const ackAt = at + between(10 * S, Math.min(backAt - at - S, 10 * MIN));
      plan(ackAt, { type: 'device.fault_acknowledged', at: ackAt, deviceId: t.deviceId, fault: 'offline', operator: pick(county.officers) });
      n++;
    }
    plan(backAt, { type: 'device.online', at: backAt, deviceId: t.deviceId });
    busyUntil(t.deviceId, backAt + 1);
    return n;
  };

  const tamper: Item = (at) => {
    const t = freeDevice(at);
    if ((deviceBusyUntil.get(t.deviceId) ?? 0) >= at) return unitShift(at);
    plan(at, { type: 'device.tamper', at, deviceId: t.deviceId, tamper: true });
    const ackAt = at + between(10 * S, 5 * MIN);
    plan(ackAt, { type: 'device.fault_acknowledged', at: ackAt, deviceId: t.deviceId, fault: 'tamper', operator: pick(county.officers) });
    const closedAt = ackAt + between(10 * MIN, 2 * HOUR);
    plan(closedAt, { type: 'device.tamper', at: closedAt, deviceId: t.deviceId, tamper: false });
    busyUntil(t.deviceId, closedAt + 1);
    return 3;
  };

  const devicesUnits = county.units.filter((u) => u.hasDevice);
  function unitShift(at: number): number {
    const u = devicesUnits.length > 0 ? pick(devicesUnits) : undefined;
    if (!u || unitFreeAt.get(u.id)! >= at) {
      // Nobody to change shift: a terminal's self-check lands as an offline fault would; keep it one record.
      const any = pick(county.units);
      plan(at, { type: 'unit.status', at, unitId: any.id, state: 'busy', reportedAt: at - 100 });
      return 1;
    }
    plan(at, { type: 'unit.status', at, unitId: u.id, state: pick(['available', 'busy', 'off_duty'] as const), reportedAt: at - between(50, 500) });
    return 1;
  }

  // The mix of a busy county's year, by share of items.
  const MIX: [number, Item, number][] = [
    // share, item, its typical number of records (for spacing the items over the year)
    [0.44, testPress, 4],
    [0.2, falseAlarm, 6],
    [0.1, realAlarm, 11],
    [0.05, drill, 4],
    [0.03, cancelled, 5],
    [0.1, offline, 2.6],
    [0.01, tamper, 3],
    [0.07, unitShift, 1],
  ];
  const beginAt = opts.endAt - 365 * DAY;
  // The last item may start at lastStart; the tail of its schedule (an offline terminal: up to 8 h) ends before endAt.
  const lastStart = opts.endAt - 9 * HOUR;

  // The plan records, counted day by day first (each day is planned from its own seed, so planning it again when the
  // clock gets there gives the same records); a journal too small for a year of them keeps the last days'.
  const year = new YearPlan(county, opts.seed, beginAt, opts.endAt);
  const perDay = year.days.map((_, i) => year.plan(i).length);
  let planRecords = perDay.reduce((a, n) => a + n, 0);
  let nextDay = 0;
  while (planRecords > PLAN_SHARE_MAX * opts.records) planRecords -= perDay[nextDay++]!;
  const planFrom = year.days[nextDay]?.date;
  const itemRecords = opts.records - planRecords;
  /** Plans every day that has begun by `until`: its records all lie after every record written so far. */
  const planDays = (until: number): void => {
    while (nextDay < year.days.length && year.days[nextDay]!.midnight <= until) for (const p of year.plan(nextDay++)) plan(p.at, p.event);
  };

  const fd = fs.openSync(file, 'w');
  const chunks: string[] = [];
  let chunkBytes = 0;
  let bytes = 0;
  const flush = (): void => {
    if (chunks.length === 0) return;
    const buf = Buffer.from(chunks.join(''));
    let off = 0;
    while (off < buf.length) off += fs.writeSync(fd, buf, off);
    bytes += buf.length;
    chunks.length = 0;
    chunkBytes = 0;
  };
  let seq = 0;
  let hash = '';
  let firstAt = NaN;
  let lastAt = NaN;
  const byType: Record<string, number> = {};
  const write = (p: Pending): void => {
    seq++;
    hash = recordHash(hash, seq, p.event);
    const line = JSON.stringify({ seq, event: p.event, hash } satisfies JournalRecord) + '\n';
    chunks.push(line);
    chunkBytes += line.length;
    if (chunkBytes > 4 << 20) flush();
    byType[p.event.type] = (byType[p.event.type] ?? 0) + 1;
    if (Number.isNaN(firstAt)) firstAt = p.at;
    lastAt = p.at;
  };

  try {
    let at = beginAt;
    let planned = 0;
    let itemCount = 0;
    // Records per item, first from the mix (share × typical size), then as observed: the gaps adapt so that the
    // items fill the year and the journal ends just before endAt.
    let perItem = MIX.reduce((a, [p, , n]) => a + p * n, 0);
    planDays(at);
    while (planned < itemRecords) {
      if (itemCount > 100) perItem = planned / itemCount;
      const meanGap = Math.max(1, (lastStart - at) / ((itemRecords - planned) / perItem));
      // Exponential gaps, twice as long at night (22:00–06:00 local) and half as long by day: days are busier.
      const hour = new Date(at).getHours();
      const night = hour >= 22 || hour < 6;
      // Never past lastStart: one long night gap near the end of a small journal would carry an item's tail past endAt.
      at = Math.min(Math.max(at, lastStart), at + Math.max(1, Math.round(-Math.log(1 - rng()) * meanGap * (night ? 2 : 0.5))));
      itemCount++;
      planDays(at);
      while (heap.size > 0 && heap.peek()!.at <= at) write(heap.pop()!);
      const left = itemRecords - planned;
      if (left < 16) {
        // The last few records: one-record items, so the journal has exactly the asked-for length.
        planned += unitShift(at);
        continue;
      }
      let r = rng();
      const item = MIX.find(([p]) => (r -= p) < 0)?.[1] ?? unitShift;
      planned += item(at);
    }
    planDays(opts.endAt);
    while (heap.size > 0) write(heap.pop()!);
    flush();
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  return { records: seq, bytes, incidents, firstAt, lastAt, byType, planRecords, ...(planFrom !== undefined ? { planFrom } : {}), ms: performance.now() - t0 };
}

// test/unit — station training (shared/training.ts): the scenario format and its errors, a run's clock at 1–10×,
// pauses (the trainer's, a real alarm's), the simulated unit (answers, declines, drives), the score against the
// targets, and real incidents replayed with their order and spacing.
import { describe, expect, it } from 'vitest';
import {
  parseScenario,
  sampleScenario,
  SCENARIO_MAX_ALARMS,
  SCENARIO_MAX_FAULTS,
  scenarioFromIncidents,
  scenarioText,
  scoreRun,
  trainingRecordSchema,
  TrainingRun,
  type Scenario,
} from '../../../shared/training';

const SCHOOLS = new Set(['s1', 's2', 's3']);
const scenario = (alarms: Scenario['alarms']): Scenario => ({ version: 1, name: 't', alarms });

describe('the scenario format', () => {
  it('accepts the sample, sorts alarms by time, and round-trips through its text', () => {
    const s = sampleScenario(['s1', 's2', 's3']);
    const r = parseScenario(scenarioText({ ...s, alarms: [...s.alarms].reverse() }), SCHOOLS);
    expect(r.ok && r.scenario.alarms.map((a) => a.at)).toEqual([0, 40, 90]);
  });

  it('says where text that is not JSON breaks: line and column', () => {
    const r = parseScenario('{\n  "version": 1,\n  "name": "x",\n  oops\n}');
    expect(r.ok).toBe(false);
    expect(!r.ok && r.problems[0]!.where).toMatch(/line 4, column 3/);
  });

  it('names each wrong field with its path and line; unknown fields and schools are refused', () => {
    const text = JSON.stringify(
      {
        version: 1,
        name: 'x',
        alarms: [
          { at: 0, schoolId: 's1', kind: 'panic' },
          { at: -5, schoolId: 's9', kind: 'bomb', colour: 'red' },
        ],
      },
      null,
      2,
    );
    const r = parseScenario(text, SCHOOLS);
    expect(r.ok).toBe(false);
    const where = !r.ok ? r.problems.map((p) => p.where) : [];
    expect(where.some((w) => w.startsWith('alarms[1].at') && /line \d+/.test(w))).toBe(true);
    expect(where.some((w) => w.startsWith('alarms[1].kind'))).toBe(true);
    expect(where.some((w) => w.startsWith('alarms[1]') && !/\.(at|kind)/.test(w))).toBe(true); // the unknown key
    // Once the shape is right, a school the station does not have is named.
    const r2 = parseScenario(JSON.stringify({ version: 1, name: 'x', alarms: [{ at: 0, schoolId: 's9', kind: 'panic' }] }, null, 2), SCHOOLS);
    expect(!r2.ok && r2.problems[0]).toMatchObject({ where: expect.stringMatching(/^alarms\[0\]\.schoolId \(.*line 7\b/) });
    expect(parseScenario('{"version":2,"name":"x","alarms":[]}').ok).toBe(false);
  });
});

describe('a run', () => {
  it('shows alarms on scenario time at its speed, and stands still while paused', () => {
    const run = new TrainingRun(
      scenario([
        { at: 0, schoolId: 's1', kind: 'panic' },
        { at: 50, schoolId: 's2', kind: 'fire' },
      ]),
      5,
      'A',
      1_000_000,
    );
    run.tick(1_000_000);
    expect(run.items).toHaveLength(1);
    run.tick(1_009_999); // 9.999 s × 5 < 50 s
    expect(run.items).toHaveLength(1);
    run.pause(1_005_000, 'trainer');
    run.tick(1_100_000);
    expect(run.items).toHaveLength(1);
    run.resume(1_100_000, 'trainer');
    expect(run.scenarioMs(1_100_000)).toBe(25_000);
    // A clock read just before the resume (a console's last tick) is the resume, not a time before it.
    expect(run.scenarioMs(1_099_700)).toBe(25_000);
    run.tick(1_105_000); // 25 s + 5 s × 5 = 50 s
    expect(run.items.map((i) => i.alarm.kind)).toEqual(['panic', 'fire']);
    expect(run.items[1]!.shownAt).toBe(1_105_000);
  });

  it("a real alarm's pause ends by itself, but not the trainer's", () => {
    const run = new TrainingRun(scenario([{ at: 0, schoolId: 's1', kind: 'panic' }]), 1, 'A', 0);
    run.pause(10, 'real_alarm');
    run.resume(20, 'real_alarm');
    expect(run.paused).toBe(false);
    run.pause(30, 'trainer');
    run.pause(40, 'real_alarm');
    run.resume(50, 'real_alarm');
    expect(run.pausedBy).toBe('trainer');
    run.tick(60);
    expect(run.items).toHaveLength(0);
    expect(run.acknowledge(0, 60)).toBe(false);
  });

  it('a real unit taking part: timed as the dispatch, moved by its own device; a real incident taking it lets the trainee send another', () => {
    const run = new TrainingRun(scenario([{ at: 0, schoolId: 's1', kind: 'fire', unit: { answersAfterS: 1, travelS: 1 } }]), 10, 'A', 0);
    run.tick(0);
    const it0 = run.items[0]!;
    expect(run.dispatchReal(0, 'u1', 'TRN-a-0-0', 500)).toBe(false); // not acknowledged yet
    run.acknowledge(0, 1000);
    expect(run.dispatchReal(0, 'u1', 'TRN-a-0-0', 2000)).toBe(true);
    expect(run.dispatch(0, 2100)).toBe(false); // the simulated unit is not sent on top of it
    expect(run.dispatchReal(0, 'u2', 'TRN-a-0-1', 2100)).toBe(false);
    run.tick(60_000); // the simulated unit's times do not move a real unit
    expect(run.state(it0)).toBe('dispatched');
    expect(run.realUnit('TRN-other', 'accepted', undefined, 3000)).toBe(false);
    expect(run.realUnit('TRN-a-0-0', 'accepted', undefined, 3000)).toBe(true);
    expect(run.realUnit('TRN-a-0-0', 'en_route', undefined, 4000)).toBe(true);
    expect(run.state(it0)).toBe('en_route');
    // Taken for a real incident: it leaves, and the trainee sends another (the first dispatch stays the one scored).
    expect(run.realUnit('TRN-a-0-0', 'released', 'real_incident', 5000)).toBe(true);
    expect(run.state(it0)).toBe('declined');
    expect(it0.realLeft).toEqual({ unitId: 'u1', reason: 'real_incident' });
    expect(run.dispatchReal(0, 'u2', 'TRN-a-0-1', 6000)).toBe(true);
    expect(run.realUnit('TRN-a-0-1', 'on_scene', undefined, 9000)).toBe(true);
    expect(run.state(it0)).toBe('on_scene');
    expect(it0.dispatchedAt).toBe(2000);
    expect(run.realJobs()).toEqual(['TRN-a-0-1']);
  });

  it('the simulated unit declines its first dispatch, answers the second after its time, and drives', () => {
    const run = new TrainingRun(scenario([{ at: 0, schoolId: 's1', kind: 'violence', unit: { answersAfterS: 10, declines: true, travelS: 100 } }]), 10, 'A', 0);
    run.tick(0);
    const it0 = run.items[0]!;
    expect(run.dispatch(0, 100)).toBe(false); // not acknowledged yet
    run.acknowledge(0, 2000);
    run.dispatch(0, 3000);
    expect(run.state(it0)).toBe('dispatched');
    run.tick(3999); // 10 s of scenario = 1 s at 10×
    expect(run.state(it0)).toBe('dispatched');
    run.tick(4000);
    expect(run.state(it0)).toBe('declined');
    expect(run.dispatch(0, 5000)).toBe(true);
    expect(it0.dispatchedAt).toBe(3000); // the first dispatch is the one scored
    expect(it0.dispatches).toBe(2);
    run.tick(6000);
    expect(run.state(it0)).toBe('en_route');
    run.tick(15_999);
    expect(run.state(it0)).toBe('en_route');
    run.tick(16_000);
    expect(run.state(it0)).toBe('on_scene');
    run.resolve(0, 17_000);
    expect(run.done()).toBe(true);
  });

  it('scores each alarm against the targets; a step never taken is missed; unplayed alarms are counted', () => {
    const run = new TrainingRun(
      scenario([
        { at: 0, schoolId: 's1', kind: 'panic' },
        { at: 0, schoolId: 's2', kind: 'fire' },
        { at: 3600, schoolId: 's3', kind: 'medical' },
      ]),
      1,
      'Trainee',
      0,
    );
    run.tick(0);
    run.acknowledge(0, 8_000); // within 10 s
    run.dispatch(0, 50_000); // within 60 s
    run.acknowledge(1, 12_000); // late; never dispatched
    run.end(60_000);
    const s = scoreRun(run, { acknowledgeMs: 10_000, dispatchMs: 60_000 });
    expect(s.rows.map((r) => [r.acknowledgeMs, r.acknowledgeMet, r.dispatchMs, r.dispatchMet])).toEqual([
      [8_000, true, 50_000, true],
      [12_000, false, undefined, false],
    ]);
    expect([s.met, s.of, s.percent, s.notShown, s.trainee]).toEqual([2, 4, 50, 1, 'Trainee']);
    expect(run.acknowledge(1, 70_000)).toBe(false); // ended
  });
});

describe('scores and pauses', () => {
  it('does not count the time the run stood paused (a real alarm first, or the trainer) against an alarm already shown', () => {
    const run = new TrainingRun(scenario([{ at: 0, schoolId: 's1', kind: 'panic' }]), 1, 'Trainee', 0);
    run.tick(0);
    run.pause(2_000, 'real_alarm'); // a real alarm comes in 2 s after the training one was shown
    run.pause(30_000, 'trainer'); // the trainer pauses too: one span
    run.resume(50_000, 'real_alarm'); // the real alarm is taken; the trainer's pause holds
    run.resume(62_000, 'trainer');
    run.acknowledge(0, 65_000); // 2 s + 3 s of the trainee's own time
    run.pause(70_000, 'trainer');
    run.resume(100_000, 'trainer');
    run.dispatch(0, 110_000); // 2 + 8 (62–70 s) + 10 (100–110 s)
    run.end(120_000);
    const s = scoreRun(run, { acknowledgeMs: 10_000, dispatchMs: 60_000 });
    expect(s.rows.map((r) => [r.acknowledgeMs, r.acknowledgeMet, r.dispatchMs, r.dispatchMet])).toEqual([[5_000, true, 20_000, true]]);
    expect(run.activeMs(0, 1_000)).toBe(1_000);
    expect(run.activeMs(10_000, 40_000)).toBe(0);
  });
});

describe('simulated device faults', () => {
  it('appear on scenario time, keep the training tone until acknowledged, are scored against the acknowledge target, and a run is done only with them', () => {
    const s = parseScenario(
      JSON.stringify({
        version: 1,
        name: 'f',
        alarms: [{ at: 0, schoolId: 's1', kind: 'panic' }],
        faults: [
          { at: 20, schoolId: 's2', kind: 'tamper' },
          { at: 10, schoolId: 's3', kind: 'offline' },
        ],
      }),
      SCHOOLS,
    );
    if (!s.ok) throw new Error(JSON.stringify(s.problems));
    expect(s.scenario.faults!.map((f) => f.at)).toEqual([10, 20]);
    const run = new TrainingRun(s.scenario, 10, 'A', 0);
    run.tick(0);
    run.acknowledge(0, 1000);
    run.dispatch(0, 2000);
    run.resolve(0, 3000);
    run.tick(1000); // 10 s of scenario
    expect(run.faults.map((f) => f.fault.kind)).toEqual(['offline']);
    expect(run.awaiting()).toBe(1);
    expect(run.done()).toBe(false);
    run.tick(2000);
    run.acknowledgeFault(0, 5000); // 4 s after it appeared
    run.acknowledgeFault(1, 20_000); // 18 s: late
    expect(run.acknowledgeFault(1, 21_000)).toBe(false);
    expect(run.done()).toBe(true);
    const score = scoreRun(run, { acknowledgeMs: 10_000, dispatchMs: 60_000 });
    expect(score.faults.map((f) => [f.kind, f.acknowledgeMs, f.acknowledgeMet])).toEqual([
      ['offline', 4000, true],
      ['tamper', 18_000, false],
    ]);
    expect([score.met, score.of]).toEqual([3, 4]);
    const bad = parseScenario(
      JSON.stringify({ version: 1, name: 'f', alarms: [{ at: 0, schoolId: 's1', kind: 'panic' }], faults: [{ at: 0, schoolId: 's9', kind: 'offline' }] }),
      SCHOOLS,
    );
    expect(!bad.ok && bad.problems[0]!.where).toMatch(/^faults\[0\]\.schoolId/);
  });
});

describe('a run, whatever order its scenario came in', () => {
  it('plays alarms and faults in time order, and reports a change only when something happens', () => {
    const run = new TrainingRun(
      {
        version: 1,
        name: 'wire order',
        alarms: [
          { at: 20, schoolId: 's2', kind: 'fire' },
          { at: 0, schoolId: 's1', kind: 'panic', unit: { answersAfterS: 1, travelS: 100 } },
        ],
        faults: [
          { at: 15, schoolId: 's3', kind: 'tamper' },
          { at: 5, schoolId: 's3', kind: 'offline' },
        ],
      },
      1,
      'A',
      0,
    );
    expect(run.tick(0)).toBe(true);
    expect(run.items.map((i) => i.alarm.kind)).toEqual(['panic']);
    run.acknowledge(0, 100);
    run.dispatch(0, 200);
    expect(run.tick(1300)).toBe(true); // the unit sets off
    expect(run.state(run.items[0]!)).toBe('en_route');
    expect(run.tick(1400)).toBe(false); // still driving: nothing new
    expect(run.tick(5000)).toBe(true); // the offline fault at 5 s
    expect(run.faults.map((f) => f.fault.kind)).toEqual(['offline']);
    run.tick(20_000);
    expect(run.items.map((i) => i.alarm.kind)).toEqual(['panic', 'fire']);
    expect(run.faults.map((f) => f.fault.kind)).toEqual(['offline', 'tamper']);
    // A run ended with every alarm and fault of the largest scenario unplayed is still a result the station keeps.
    expect(
      trainingRecordSchema.safeParse({ trainee: 'A', scenario: 'x', speed: 1, startedAt: 0, notShown: SCENARIO_MAX_ALARMS + SCENARIO_MAX_FAULTS, rows: [] })
        .success,
    ).toBe(true);
  });
});

describe('replays of real incidents', () => {
  it('keep their order and spacing, and each unit answers as the real one did', () => {
    const t0 = Date.UTC(2026, 10, 3, 2, 0, 0);
    const s = scenarioFromIncidents(
      [
        {
          receivedAt: t0 + 95_000,
          schoolId: 's2',
          kind: 'fire',
          dispatches: [
            { dispatchedAt: t0 + 100_000, declinedAt: t0 + 104_000 },
            { dispatchedAt: t0 + 110_000, acceptedAt: t0 + 118_000, onSceneAt: t0 + 400_000 },
          ],
        },
        { receivedAt: t0, schoolId: 's1', kind: 'panic', note: '翻墙', dispatchedAt: t0 + 30_000, onSceneAt: t0 + 330_000 },
        { receivedAt: t0 + 6 * 3600_000, schoolId: 's3', kind: 'other' },
      ],
      'replay',
    );
    expect(s.alarms).toEqual([
      { at: 0, schoolId: 's1', kind: 'panic', note: '翻墙', unit: { answersAfterS: 0, travelS: 300 } },
      { at: 95, schoolId: 's2', kind: 'fire', unit: { declines: true, answersAfterS: 8, travelS: 282 } },
    ]);
    expect(s.description).toMatch(/1 more beyond 4 h/);
    expect(parseScenario(scenarioText(s), SCHOOLS).ok).toBe(true);
  });
});

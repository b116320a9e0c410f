// test/unit/shared — response-time maths: standing, milestones, intervals, the running timer, target profiles.
import { describe, expect, it } from 'vitest';
import type { Dispatch, Incident } from '../../../shared/incidents';
import { DEFAULT_TARGETS, checkProfile, intervals, milestones, runningTimer, standing, type TargetProfile } from '../../../shared/response';
import { officer } from '../../support/operators';

const T0 = Date.UTC(2026, 10, 30, 2, 0, 0);

function incident(over: Partial<Incident> = {}): Incident {
  return {
    id: '20261130-0001',
    alarmId: 'a1',
    deviceId: 'dev-1',
    schoolId: 'school-1',
    kind: 'panic',
    drill: false,
    raisedAt: T0 - 400,
    receivedAt: T0,
    state: 'received',
    notes: [],
    dispatches: [],
    timeline: [],
    seq: 1,
    ...over,
  };
}
const dispatch = (unitId: string, dispatchedAt: number, over: Partial<Dispatch> = {}): Dispatch => ({
  unitId,
  mode: 'device',
  dispatchedAt,
  dispatchedBy: officer,
  ...over,
});

describe('standing', () => {
  it('is green below 75 % of the target', () => {
    expect(standing(0, 10_000)).toBe('green');
    expect(standing(7_499, 10_000)).toBe('green');
    expect(standing(-500, 10_000)).toBe('green');
  });
  it('is amber from exactly 75 % up to and including the target', () => {
    expect(standing(7_500, 10_000)).toBe('amber');
    expect(standing(9_999, 10_000)).toBe('amber');
    expect(standing(10_000, 10_000)).toBe('amber');
  });
  it('is red past the target', () => {
    expect(standing(10_001, 10_000)).toBe('red');
    expect(standing(1e9, 10_000)).toBe('red');
  });
  it('works with a target that is not a multiple of 4', () => {
    // 75 % of 2001 is 1500.75
    expect(standing(1500, 2001)).toBe('green');
    expect(standing(1501, 2001)).toBe('amber');
  });
});

describe('milestones', () => {
  it('is all undefined for a fresh alarm', () => {
    expect(milestones(incident())).toEqual({ acknowledged: undefined, dispatched: undefined, accepted: undefined, on_scene: undefined, resolved: undefined });
  });
  it('takes the first dispatch, first acceptance and first arrival across units, whatever their order in the list', () => {
    const inc = incident({
      acknowledgedAt: T0 + 5_000,
      resolvedAt: T0 + 900_000,
      dispatches: [
        dispatch('U1', T0 + 30_000, { acceptedAt: T0 + 45_000, onSceneAt: T0 + 400_000 }),
        dispatch('U2', T0 + 20_000, { acceptedAt: T0 + 60_000, onSceneAt: T0 + 300_000 }),
        dispatch('U3', T0 + 40_000, { acceptedAt: T0 + 41_000 }),
      ],
    });
    expect(milestones(inc)).toEqual({
      acknowledged: T0 + 5_000,
      dispatched: T0 + 20_000,
      accepted: T0 + 41_000,
      on_scene: T0 + 300_000,
      resolved: T0 + 900_000,
    });
  });
  it('ignores units that have not reached a milestone', () => {
    const inc = incident({ acknowledgedAt: T0 + 5_000, dispatches: [dispatch('U1', T0 + 30_000), dispatch('U2', T0 + 35_000, { acceptedAt: T0 + 50_000 })] });
    const m = milestones(inc);
    expect(m.dispatched).toBe(T0 + 30_000);
    expect(m.accepted).toBe(T0 + 50_000);
    expect(m.on_scene).toBeUndefined();
  });
});

describe('intervals', () => {
  const full = incident({
    acknowledgedAt: T0 + 6_000,
    resolvedAt: T0 + 1_200_000,
    dispatches: [dispatch('U1', T0 + 50_000, { acceptedAt: T0 + 55_000, onSceneAt: T0 + 500_000 })],
  });

  it.each([
    ['urban', 5 * 60_000],
    ['suburban', 10 * 60_000],
    ['rural', 20 * 60_000],
  ] as const)('gives ms from received and the targets for a %s school', (area, onScene) => {
    expect(intervals(full, area, DEFAULT_TARGETS)).toEqual([
      { milestone: 'acknowledged', ms: 6_000, targetMs: 10_000 },
      { milestone: 'dispatched', ms: 50_000, targetMs: 60_000 },
      { milestone: 'accepted', ms: 55_000 },
      { milestone: 'on_scene', ms: 500_000, targetMs: onScene },
      { milestone: 'resolved', ms: 1_200_000 },
    ]);
  });

  it('leaves ms out of milestones not reached', () => {
    const iv = intervals(incident({ acknowledgedAt: T0 + 3_000 }), 'rural', DEFAULT_TARGETS);
    expect(iv).toEqual([
      { milestone: 'acknowledged', ms: 3_000, targetMs: 10_000 },
      { milestone: 'dispatched', targetMs: 60_000 },
      { milestone: 'accepted' },
      { milestone: 'on_scene', targetMs: 20 * 60_000 },
      { milestone: 'resolved' },
    ]);
    for (const i of iv.slice(1)) expect('ms' in i).toBe(false);
  });

  it('uses the profile passed in', () => {
    const t: TargetProfile = { ...DEFAULT_TARGETS, acknowledgeMs: 7_000, dispatchMs: 30_000, onSceneMs: { urban: 1, suburban: 2, rural: 3 } };
    const iv = intervals(full, 'suburban', t);
    expect(iv.find((i) => i.milestone === 'acknowledged')!.targetMs).toBe(7_000);
    expect(iv.find((i) => i.milestone === 'dispatched')!.targetMs).toBe(30_000);
    expect(iv.find((i) => i.milestone === 'on_scene')!.targetMs).toBe(2);
  });
});

describe('runningTimer', () => {
  it('runs the acknowledge timer first, from received', () => {
    expect(runningTimer(incident(), 'urban', DEFAULT_TARGETS, T0 + 2_000)).toEqual({
      milestone: 'acknowledged',
      elapsedMs: 2_000,
      targetMs: 10_000,
      standing: 'green',
    });
    expect(runningTimer(incident(), 'urban', DEFAULT_TARGETS, T0 + 7_500)!.standing).toBe('amber');
    expect(runningTimer(incident(), 'urban', DEFAULT_TARGETS, T0 + 10_001)!.standing).toBe('red');
  });
  it('then the dispatch timer, still measured from received', () => {
    const inc = incident({ acknowledgedAt: T0 + 5_000 });
    expect(runningTimer(inc, 'urban', DEFAULT_TARGETS, T0 + 50_000)).toEqual({
      milestone: 'dispatched',
      elapsedMs: 50_000,
      targetMs: 60_000,
      standing: 'amber',
    });
  });
  it('then the on-scene timer for the school’s area', () => {
    const inc = incident({ acknowledgedAt: T0 + 5_000, dispatches: [dispatch('U1', T0 + 20_000, { acceptedAt: T0 + 25_000 })] });
    expect(runningTimer(inc, 'suburban', DEFAULT_TARGETS, T0 + 700_000)).toEqual({
      milestone: 'on_scene',
      elapsedMs: 700_000,
      targetMs: 600_000,
      standing: 'red',
    });
    expect(runningTimer(inc, 'rural', DEFAULT_TARGETS, T0 + 700_000)).toEqual({
      milestone: 'on_scene',
      elapsedMs: 700_000,
      targetMs: 1_200_000,
      standing: 'green',
    });
    expect(runningTimer(inc, 'urban', DEFAULT_TARGETS, T0 + 240_000)!.standing).toBe('amber');
  });
  it('skips a milestone already passed even if an earlier one is missing', () => {
    // A dispatched incident is always acknowledged, but the timer only looks for the first pending milestone.
    const inc = incident({ acknowledgedAt: T0 + 5_000, dispatches: [dispatch('U1', T0 + 20_000, { onSceneAt: T0 + 60_000 })] });
    expect(runningTimer(inc, 'urban', DEFAULT_TARGETS, T0 + 70_000)).toBeUndefined();
  });
  it('is undefined once every targeted milestone passed, and once resolved', () => {
    const onScene = incident({ acknowledgedAt: T0 + 5_000, dispatches: [dispatch('U1', T0 + 20_000, { onSceneAt: T0 + 200_000 })] });
    expect(runningTimer(onScene, 'urban', DEFAULT_TARGETS, T0 + 300_000)).toBeUndefined();
    expect(runningTimer(incident({ acknowledgedAt: T0 + 5_000, resolvedAt: T0 + 6_000 }), 'urban', DEFAULT_TARGETS, T0 + 7_000)).toBeUndefined();
    expect(runningTimer(incident({ resolvedAt: T0 + 6_000 }), 'urban', DEFAULT_TARGETS, T0 + 7_000)).toBeUndefined();
  });
});

describe('checkProfile', () => {
  it('accepts DEFAULT_TARGETS and returns an equal copy', () => {
    const r = checkProfile(DEFAULT_TARGETS);
    expect(r).toEqual({ ok: true, value: DEFAULT_TARGETS });
    if (r.ok) {
      expect(r.value).not.toBe(DEFAULT_TARGETS);
      expect(r.value.onSceneMs).not.toBe(DEFAULT_TARGETS.onSceneMs);
    }
  });
  it('accepts the bounds', () => {
    const edge = { ...DEFAULT_TARGETS, showMs: 1, acknowledgeMs: 24 * 3600_000, roadFactor: 1, speedKmh: 150 };
    expect(checkProfile(edge).ok).toBe(true);
    expect(checkProfile({ ...DEFAULT_TARGETS, roadFactor: 5, speedKmh: 5 }).ok).toBe(true);
  });
  it('drops unknown fields from the value', () => {
    const r = checkProfile({ ...DEFAULT_TARGETS, extra: 1, onSceneMs: { ...DEFAULT_TARGETS.onSceneMs, moon: 5 } });
    expect(r).toEqual({ ok: true, value: DEFAULT_TARGETS });
  });
  it.each([null, undefined, 5, 'x', true])('refuses %s as not an object', (p) => {
    expect(checkProfile(p)).toEqual({ ok: false, message: 'profile must be an object' });
  });

  const on = DEFAULT_TARGETS.onSceneMs;
  const bad: [string, Record<string, unknown>][] = [
    ['showMs', { showMs: 0 }],
    ['showMs', { showMs: -1 }],
    ['showMs', { showMs: 1.5 }],
    ['showMs', { showMs: '2000' }],
    ['showMs', { showMs: undefined }],
    ['showMs', { showMs: 24 * 3600_000 + 1 }],
    ['acknowledgeMs', { acknowledgeMs: 0 }],
    ['acknowledgeMs', { acknowledgeMs: Number.NaN }],
    ['dispatchMs', { dispatchMs: null }],
    ['dispatchMs', { dispatchMs: Number.POSITIVE_INFINITY }],
    ['onSceneMs.urban', { onSceneMs: { ...on, urban: 0 } }],
    ['onSceneMs.urban', { onSceneMs: undefined }],
    ['onSceneMs.urban', { onSceneMs: 300_000 }],
    ['onSceneMs.suburban', { onSceneMs: { ...on, suburban: -5 } }],
    ['onSceneMs.rural', { onSceneMs: { urban: on.urban, suburban: on.suburban } }],
    ['roadFactor', { roadFactor: 0.99 }],
    ['roadFactor', { roadFactor: 5.01 }],
    ['roadFactor', { roadFactor: '1.4' }],
    ['roadFactor', { roadFactor: Number.NaN }],
    ['speedKmh', { speedKmh: 4.9 }],
    ['speedKmh', { speedKmh: 151 }],
    ['speedKmh', { speedKmh: undefined }],
  ];
  it.each(bad)('refuses a bad %s (%j) with a message naming it', (field, over) => {
    const r = checkProfile({ ...DEFAULT_TARGETS, ...over });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message.startsWith(`${field} must be`)).toBe(true);
  });
});

// Stabilization, scaling policies and min/max on the cases of upstream's horizontal_test.go
// (TestScalingWithRules, TestStoreScaleEvents, TestNormalizeDesiredReplicas[WithBehavior],
// TestCalculateScale{Up,Down}Limit*, TestConvertDesiredReplicasWithRules), as our own tables.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  convertDesiredReplicasWithBehaviorRate,
  convertDesiredReplicasWithRules,
  defaultScalingRules,
  replicasChangePerPeriod,
  type ScaleEvent,
  type ScalingHistory,
  type ScalingRules,
  scaleDownLimitWithRules,
  scaleUpLimitWithRules,
  stabilizeRecommendation,
  stabilizeRecommendationWithBehaviors,
  storeScaleEvent,
  type TimestampedRecommendation,
} from './behavior.js';

const NOW = Date.UTC(2026, 4, 1, 12, 0, 0);
const s = (n: number) => n * 1000;
const min = (n: number) => n * 60_000;

/** generateScalingRules(pods, podsPeriod, percent, percentPeriod, stabilizationWindow). */
function rules(pods: number, podsPeriod: number, percent: number, percentPeriod: number, window: number): ScalingRules {
  const policies = [];
  if (pods !== 0) policies.push({ type: 'Pods', value: pods, periodSeconds: podsPeriod });
  if (percent !== 0) policies.push({ type: 'Percent', value: percent, periodSeconds: percentPeriod });
  return { stabilizationWindowSeconds: window, selectPolicy: 'Max', ...(policies.length ? { policies } : {}) };
}

/** generateEventsUniformDistribution: events spread over the last periodSeconds, each in the middle of its slot. */
function uniform(changes: number[], periodSeconds: number): ScaleEvent[] {
  const slot = periodSeconds / changes.length;
  return changes.map((c, i) => ({
    replicaChange: c,
    timestampMs: NOW - s(periodSeconds - slot * (i + 1) + slot / 2),
    outdated: false,
  }));
}

const history = (up: ScaleEvent[] = [], down: ScaleEvent[] = []): ScalingHistory => ({
  recommendations: [],
  scaleUpEvents: up,
  scaleDownEvents: down,
});

describe('convertDesiredReplicasWithBehaviorRate (upstream TestScalingWithRules)', () => {
  const cases: {
    name: string;
    up?: ScaleEvent[];
    down?: ScaleEvent[];
    min: number;
    max: number;
    scaleUp?: ScalingRules;
    scaleDown?: ScalingRules;
    current: number;
    desired: number;
    want: number;
    reason: string;
  }[] = [
    {
      name: 'prenormalized desired replicas within range',
      current: 5,
      desired: 7,
      min: 3,
      max: 8,
      want: 7,
      reason: 'DesiredWithinRange',
    },
    {
      name: 'prenormalized desired replicas < minReplicas',
      current: 3,
      desired: 1,
      min: 2,
      max: 8,
      want: 2,
      reason: 'TooFewReplicas',
    },
    {
      name: 'within range when minReplicas is 0',
      current: 1,
      desired: 0,
      min: 0,
      max: 10,
      want: 0,
      reason: 'DesiredWithinRange',
    },
    {
      name: 'maxReplicas is the limit because maxReplicas < scaleUpLimit',
      current: 20,
      desired: 1000,
      min: 1,
      max: 10,
      want: 10,
      reason: 'TooManyReplicas',
    },
    {
      name: 'desired replica count is more than the maximum replica count',
      current: 100,
      desired: 1000,
      min: 100,
      max: 150,
      want: 150,
      reason: 'TooManyReplicas',
    },
    {
      name: 'scaleUpLimit is the limit because scaleUpLimit < maxReplicas with user policies',
      current: 3,
      desired: 1000,
      min: 1,
      max: 2000,
      scaleUp: rules(0, 0, 1, 60, 0),
      want: 4,
      reason: 'ScaleUpLimit',
    },
    {
      name: 'scaleDownLimit is the limit because scaleDownLimit > minReplicas with user defined policies',
      current: 1000,
      desired: 3,
      min: 3,
      max: 2000,
      scaleDown: rules(20, 60, 0, 0, 0),
      want: 980,
      reason: 'ScaleDownLimit',
    },
    {
      name: 'scaleUp with default behavior',
      min: 1,
      max: 1000,
      current: 10,
      desired: 50,
      want: 20,
      reason: 'ScaleUpLimit',
    },
    {
      name: 'scaleUp with pods policy larger than percent policy',
      min: 1,
      max: 1000,
      scaleUp: rules(100, 60, 100, 60, 0),
      current: 10,
      desired: 500,
      want: 110,
      reason: 'ScaleUpLimit',
    },
    {
      name: 'scaleUp with percent policy larger than pods policy',
      min: 1,
      max: 1000,
      scaleUp: rules(2, 60, 100, 60, 0),
      current: 10,
      desired: 500,
      want: 20,
      reason: 'ScaleUpLimit',
    },
    {
      name: 'scaleUp with spec MaxReplicas limitation with large pod policy',
      min: 1,
      max: 1000,
      scaleUp: rules(100, 60, 0, 0, 0),
      current: 10,
      desired: 50,
      want: 50,
      reason: 'DesiredWithinRange',
    },
    {
      name: 'scaleUp with spec MaxReplicas limitation with large percent policy',
      min: 1,
      max: 1000,
      scaleUp: rules(10000, 60, 0, 0, 0),
      current: 10,
      desired: 50,
      want: 50,
      reason: 'DesiredWithinRange',
    },
    {
      name: 'scaleUp with pod policy limitation',
      min: 1,
      max: 1000,
      scaleUp: rules(30, 60, 0, 0, 0),
      current: 10,
      desired: 50,
      want: 40,
      reason: 'ScaleUpLimit',
    },
    {
      name: 'scaleUp with percent policy limitation',
      min: 1,
      max: 1000,
      scaleUp: rules(0, 0, 200, 60, 0),
      current: 10,
      desired: 50,
      want: 30,
      reason: 'ScaleUpLimit',
    },
    {
      name: 'scaleDown with percent policy larger than pod policy',
      min: 1,
      max: 1000,
      scaleDown: rules(20, 60, 1, 60, 300),
      current: 100,
      desired: 2,
      want: 80,
      reason: 'ScaleDownLimit',
    },
    {
      name: 'scaleDown with pod policy larger than percent policy',
      min: 1,
      max: 1000,
      scaleDown: rules(2, 60, 1, 60, 300),
      current: 100,
      desired: 2,
      want: 98,
      reason: 'ScaleDownLimit',
    },
    {
      name: 'scaleDown with spec MinReplicas=nil limitation with large pod policy',
      min: 1,
      max: 1000,
      scaleDown: rules(100, 60, 0, 0, 300),
      current: 10,
      desired: 0,
      want: 1,
      reason: 'TooFewReplicas',
    },
    {
      name: 'scaleDown with spec MinReplicas limitation with large percent policy',
      min: 5,
      max: 1000,
      scaleDown: rules(0, 0, 100, 60, 300),
      current: 10,
      desired: 2,
      want: 5,
      reason: 'TooFewReplicas',
    },
    {
      name: 'scaleDown with pod policy limitation',
      min: 1,
      max: 1000,
      scaleDown: rules(5, 60, 0, 0, 300),
      current: 10,
      desired: 2,
      want: 5,
      reason: 'ScaleDownLimit',
    },
    {
      name: 'scaleDown with percent policy limitation',
      min: 1,
      max: 1000,
      scaleDown: rules(0, 0, 50, 60, 300),
      current: 10,
      desired: 5,
      want: 5,
      reason: 'DesiredWithinRange',
    },
    {
      name: 'scaleUp with spec MaxReplicas limitation with large pod policy and events',
      up: uniform([1, 5, 9], 120),
      min: 1,
      max: 200,
      scaleUp: rules(300, 60, 0, 0, 0),
      current: 100,
      desired: 500,
      want: 200,
      reason: 'TooManyReplicas',
    },
    {
      name: 'scaleUp with spec MaxReplicas limitation with large percent policy and events',
      up: uniform([1, 5, 9], 120),
      min: 1,
      max: 200,
      scaleUp: rules(0, 0, 10000, 60, 0),
      current: 100,
      desired: 500,
      want: 200,
      reason: 'TooManyReplicas',
    },
    {
      name: 'scaleUp with currentReplicas limitation with rate.PeriodSeconds with a lot of recent scale up events',
      up: uniform([1, 5, 9], 120),
      min: 1,
      max: 1000,
      scaleUp: rules(5, 120, 0, 0, 0),
      current: 100,
      desired: 500,
      want: 100,
      reason: 'ScaleUpLimit',
    },
    {
      name: 'scaleUp with pod policy and previous scale up events',
      up: uniform([1, 5, 9], 120),
      min: 1,
      max: 1000,
      scaleUp: rules(150, 120, 0, 0, 0),
      current: 100,
      desired: 500,
      want: 235,
      reason: 'ScaleUpLimit',
    },
    {
      name: 'scaleUp with percent policy and previous scale up events',
      up: uniform([1, 5, 9], 120),
      min: 1,
      max: 1000,
      scaleUp: rules(0, 0, 200, 120, 0),
      current: 100,
      desired: 500,
      want: 255,
      reason: 'ScaleUpLimit',
    },
    {
      name: 'scaleUp with percent policy and previous scale up and down events',
      up: uniform([4], 120),
      down: uniform([2], 120),
      min: 1,
      max: 1000,
      scaleUp: rules(0, 0, 300, 300, 0),
      current: 6,
      desired: 24,
      want: 16,
      reason: 'ScaleUpLimit',
    },
    {
      name: 'scaleDown with default policy and previous events',
      down: uniform([1, 5, 9], 120),
      min: 1,
      max: 1000,
      current: 10,
      desired: 5,
      want: 5,
      reason: 'DesiredWithinRange',
    },
    {
      name: 'scaleDown with spec MinReplicas=nil limitation with large pod policy and previous events',
      down: uniform([1, 5, 9], 120),
      min: 1,
      max: 1000,
      scaleDown: rules(115, 120, 0, 0, 300),
      current: 100,
      desired: 0,
      want: 1,
      reason: 'TooFewReplicas',
    },
    {
      name: 'scaleDown with spec MinReplicas limitation with large pod policy and previous events',
      down: uniform([1, 5, 9], 120),
      min: 5,
      max: 1000,
      scaleDown: rules(130, 120, 0, 0, 300),
      current: 100,
      desired: 0,
      want: 5,
      reason: 'TooFewReplicas',
    },
    {
      name: 'scaleDown with spec MinReplicas limitation with large percent policy and previous events',
      down: uniform([1, 5, 9], 120),
      min: 5,
      max: 1000,
      scaleDown: rules(0, 0, 100, 120, 300),
      current: 100,
      desired: 2,
      want: 5,
      reason: 'TooFewReplicas',
    },
    {
      name: 'scaleDown with pod policy limitation and previous events',
      down: uniform([1, 5, 9], 120),
      min: 1,
      max: 1000,
      scaleDown: rules(5, 120, 0, 0, 300),
      current: 100,
      desired: 2,
      want: 100,
      reason: 'ScaleDownLimit',
    },
    {
      name: 'scaleDown with percent policy limitation and previous events',
      down: uniform([2, 4, 6], 120),
      min: 1,
      max: 1000,
      scaleDown: rules(0, 0, 50, 120, 300),
      current: 100,
      desired: 0,
      want: 56,
      reason: 'ScaleDownLimit',
    },
    {
      name: 'scaleDown with percent policy and previous scale up and down events',
      up: uniform([2], 120),
      down: uniform([4], 120),
      min: 1,
      max: 1000,
      scaleDown: rules(0, 0, 50, 180, 0),
      current: 10,
      desired: 1,
      want: 6,
      reason: 'ScaleDownLimit',
    },
    {
      name: 'scaleDown with previous events preventing further scale down',
      down: uniform([10, 10, 10], 120),
      min: 1,
      max: 1000,
      scaleDown: rules(0, 0, 10, 120, 300),
      current: 100,
      desired: 0,
      want: 100,
      reason: 'ScaleDownLimit',
    },
    {
      name: 'scaleDown with previous events still allowing more scale down',
      down: uniform([10, 10, 10], 120),
      min: 1,
      max: 1000,
      scaleDown: rules(0, 0, 1000, 120, 300),
      current: 10,
      desired: 5,
      want: 5,
      reason: 'DesiredWithinRange',
    },
    {
      name: "check 'outdated' flag for events for one behavior for up",
      up: uniform([8, 12, 9, 11], 120),
      min: 1,
      max: 1000,
      scaleUp: rules(1000, 60, 0, 0, 0),
      current: 100,
      desired: 200,
      want: 200,
      reason: 'DesiredWithinRange',
    },
    {
      name: "check that events were not marked 'outdated' for two different policies in the behavior for up",
      up: uniform([8, 12, 9, 11], 120),
      min: 1,
      max: 1000,
      scaleUp: rules(1000, 120, 100, 60, 0),
      current: 100,
      desired: 200,
      want: 200,
      reason: 'DesiredWithinRange',
    },
    {
      name: "check that events were marked 'outdated' for two different policies in the behavior for up",
      up: uniform([8, 12, 9, 11], 120),
      min: 1,
      max: 1000,
      scaleUp: rules(1000, 30, 100, 60, 0),
      current: 100,
      desired: 200,
      want: 200,
      reason: 'DesiredWithinRange',
    },
    {
      name: "check 'outdated' flag for events for one behavior for down",
      down: uniform([8, 12, 9, 11], 120),
      min: 1,
      max: 1000,
      scaleDown: rules(1000, 60, 0, 0, 300),
      current: 100,
      desired: 5,
      want: 5,
      reason: 'DesiredWithinRange',
    },
    {
      name: "check that events were not marked 'outdated' for two different policies in the behavior for down",
      down: uniform([8, 12, 9, 11], 120),
      min: 1,
      max: 1000,
      scaleDown: rules(1000, 120, 100, 60, 300),
      current: 100,
      desired: 5,
      want: 5,
      reason: 'DesiredWithinRange',
    },
    {
      name: "check that events were marked 'outdated' for two different policies in the behavior for down",
      down: uniform([8, 12, 9, 11], 120),
      min: 1,
      max: 1000,
      scaleDown: rules(1000, 30, 100, 60, 300),
      current: 100,
      desired: 5,
      want: 5,
      reason: 'DesiredWithinRange',
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const got = convertDesiredReplicasWithBehaviorRate(
        {
          scaleUp: defaultScalingRules('scaleUp', c.scaleUp),
          scaleDown: defaultScalingRules('scaleDown', c.scaleDown),
          minReplicas: c.min,
          maxReplicas: c.max,
          currentReplicas: c.current,
          desiredReplicas: c.desired,
        },
        history(c.up, c.down),
        NOW,
      );
      assert.deepEqual([got.replicas, got.reason], [c.want, c.reason]);
    });
  }
});

describe('scale limits with policies (upstream TestCalculateScale{Up,Down}Limit*)', () => {
  it('Min selectPolicy takes the smallest change', () => {
    const up: ScalingRules = {
      selectPolicy: 'Min',
      policies: [
        { type: 'Pods', value: 2, periodSeconds: 60 },
        { type: 'Percent', value: 50, periodSeconds: 60 },
      ],
    };
    assert.equal(scaleUpLimitWithRules(5, [], [], up, NOW), 7);
    assert.equal(scaleDownLimitWithRules(5, [], [], { ...up, stabilizationWindowSeconds: 300 }, NOW), 3);
  });
  it('Disabled keeps the current count', () => {
    const off: ScalingRules = { selectPolicy: 'Disabled', policies: [{ type: 'Pods', value: 2, periodSeconds: 60 }] };
    assert.equal(scaleUpLimitWithRules(5, [], [], off, NOW), 5);
    assert.equal(scaleDownLimitWithRules(5, [], [], off, NOW), 5);
  });
  it('a percentage of few pods still allows one more (rounded up)', () => {
    assert.equal(scaleUpLimitWithRules(1, [], [], rules(0, 0, 10, 60, 0), NOW), 2);
    assert.equal(scaleDownLimitWithRules(3, [], [], rules(0, 0, 10, 60, 0), NOW), 2);
  });
  it('counts only the changes inside each policy period', () => {
    const events = uniform([1, 5, 9], 120); // at -100 s, -60 s, -20 s
    assert.equal(replicasChangePerPeriod(120, events, NOW), 15);
    assert.equal(replicasChangePerPeriod(60, events, NOW), 9, 'an event exactly at the cutoff is outside');
    assert.equal(replicasChangePerPeriod(10, events, NOW), 0);
  });
});

describe('convertDesiredReplicasWithRules (no behavior)', () => {
  const cases: [current: number, desired: number, min: number, max: number, want: number, reason: string][] = [
    [5, 7, 3, 8, 7, 'DesiredWithinRange'],
    [3, 1, 2, 8, 2, 'TooFewReplicas'],
    [1, 0, 0, 10, 0, 'DesiredWithinRange'],
    [20, 1000, 1, 10, 10, 'TooManyReplicas'],
    [3, 1000, 1, 2000, 6, 'ScaleUpLimit'],
    [1, 1000, 1, 2000, 4, 'ScaleUpLimit'],
    [100, 1000, 100, 150, 150, 'TooManyReplicas'],
  ];
  for (const [current, desired, mn, mx, want, reason] of cases) {
    it(`${current} -> ${desired} within [${mn}, ${mx}]`, () => {
      const got = convertDesiredReplicasWithRules(current, desired, mn, mx);
      assert.deepEqual([got.replicas, got.reason], [want, reason]);
    });
  }
});

describe('stabilizeRecommendation without behavior (upstream TestNormalizeDesiredReplicas)', () => {
  const rec = (recommendation: number, ago: number): TimestampedRecommendation => ({
    recommendation,
    timestampMs: NOW - ago,
  });
  const cases: [name: string, recs: TimestampedRecommendation[], desired: number, want: number, logLength: number][] = [
    ['empty log', [], 5, 5, 1],
    ['stabilize', [rec(4, min(2)), rec(5, min(1))], 3, 5, 3],
    ['no stabilize', [rec(1, min(2)), rec(2, min(1))], 3, 3, 3],
    ['no stabilize - old recommendations', [rec(10, min(10)), rec(9, min(9))], 3, 3, 2],
    ['stabilize - old recommendations', [rec(10, min(10)), rec(4, min(1)), rec(5, min(2)), rec(9, min(9))], 3, 5, 4],
  ];
  for (const [name, recs, desired, want, logLength] of cases) {
    it(name, () => {
      const log = recs.map((r) => ({ ...r }));
      assert.equal(stabilizeRecommendation(log, desired, min(5), NOW), want);
      assert.equal(log.length, logLength);
    });
  }
});

describe('stabilizeRecommendationWithBehaviors (upstream TestNormalizeDesiredReplicasWithBehavior)', () => {
  const rec = (recommendation: number, ago: number): TimestampedRecommendation => ({
    recommendation,
    timestampMs: NOW - ago,
  });
  const cases: {
    name: string;
    recs: TimestampedRecommendation[];
    current: number;
    desired: number;
    want: number;
    stored?: number[];
    up?: number;
    down?: number;
  }[] = [
    { name: 'empty recommendations for scaling down', recs: [], current: 100, desired: 5, want: 5, stored: [5] },
    {
      name: 'simple scale down stabilization',
      recs: [rec(4, min(2)), rec(5, min(1))],
      current: 100,
      desired: 3,
      want: 5,
      stored: [4, 5, 3],
      down: 180,
    },
    {
      name: 'simple scale up stabilization',
      recs: [rec(4, min(2)), rec(5, min(1))],
      current: 1,
      desired: 7,
      want: 4,
      stored: [4, 5, 7],
      up: 300,
    },
    {
      name: 'no scale down stabilization',
      recs: [rec(1, min(2)), rec(2, min(1))],
      current: 100,
      desired: 3,
      want: 3,
      stored: [1, 2, 3],
      up: 300,
    },
    {
      name: 'no scale up stabilization',
      recs: [rec(4, min(2)), rec(5, min(1))],
      current: 1,
      desired: 3,
      want: 3,
      stored: [4, 5, 3],
      down: 300,
    },
    {
      name: 'no scale down stabilization, reuse recommendation element',
      recs: [rec(10, min(10)), rec(9, min(9))],
      current: 100,
      desired: 3,
      want: 3,
      stored: [10, 3],
    },
    {
      name: 'no scale up stabilization, reuse recommendation element',
      recs: [rec(10, min(10)), rec(9, min(9))],
      current: 1,
      desired: 100,
      want: 100,
      stored: [10, 100],
    },
    {
      name: 'scale down stabilization, reuse one of obsolete recommendation element',
      recs: [rec(10, min(10)), rec(4, min(1)), rec(5, min(2)), rec(9, min(9))],
      current: 100,
      desired: 3,
      want: 5,
      stored: [10, 4, 5, 3],
      down: 180,
    },
    {
      name: 'scale up stabilization, reuse one of obsolete recommendation element',
      recs: [rec(10, min(100)), rec(6, min(1)), rec(5, min(2)), rec(9, min(3))],
      current: 1,
      desired: 100,
      want: 5,
      stored: [100, 6, 5, 9],
      up: 300,
    },
    {
      name: 'scale up and down stabilization, do not scale up when prenormalized rec goes down',
      recs: [rec(2, min(100)), rec(3, min(3))],
      current: 2,
      desired: 1,
      want: 2,
      up: 300,
      down: 300,
    },
    {
      name: 'scale up and down stabilization, do not scale down when prenormalized rec goes up',
      recs: [rec(2, min(100)), rec(1, min(3))],
      current: 2,
      desired: 3,
      want: 2,
      up: 300,
      down: 300,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const log = c.recs.map((r) => ({ ...r }));
      const got = stabilizeRecommendationWithBehaviors(
        log,
        {
          scaleUp: { stabilizationWindowSeconds: c.up ?? 0 },
          scaleDown: { stabilizationWindowSeconds: c.down ?? 0 },
          minReplicas: 0,
          maxReplicas: 0,
          currentReplicas: c.current,
          desiredReplicas: c.desired,
        },
        NOW,
      );
      assert.equal(got.replicas, c.want);
      if (c.stored)
        assert.deepEqual(
          log.map((r) => r.recommendation),
          c.stored,
        );
      assert.equal(got.reason, c.desired >= c.current ? 'ScaleUpStabilized' : 'ScaleDownStabilized');
    });
  }
});

describe('storeScaleEvent (upstream TestStoreScaleEvents)', () => {
  const ev = (change: number, ago: number, outdated = false): ScaleEvent => ({
    replicaChange: change,
    timestampMs: NOW - ago,
    outdated,
  });
  const cases: {
    name: string;
    prev: ScaleEvent[];
    want: [change: number, outdated: boolean][];
    rules?: ScalingRules;
    changeInLastMinute: number;
  }[] = [
    { name: 'empty entries with default behavior', prev: [], want: [], changeInLastMinute: 0 },
    {
      name: 'empty entries with two-policy-behavior',
      prev: [],
      want: [[5, false]],
      rules: rules(10, 60, 100, 60, 0),
      changeInLastMinute: 0,
    },
    {
      name: 'one outdated entry to be kept untouched without behavior',
      prev: [ev(7, s(61))],
      want: [[7, false]],
      changeInLastMinute: 0,
    },
    {
      name: 'one outdated entry to be replaced with behavior',
      prev: [ev(7, s(61))],
      want: [[5, false]],
      rules: rules(10, 60, 100, 60, 0),
      changeInLastMinute: 0,
    },
    {
      name: 'one actual entry to be not touched with behavior',
      prev: [ev(7, s(58))],
      want: [
        [7, false],
        [5, false],
      ],
      rules: rules(10, 60, 100, 60, 0),
      changeInLastMinute: 7,
    },
    {
      name: 'two entries, one of them to be replaced',
      prev: [ev(7, s(61)), ev(6, s(59))],
      want: [
        [5, false],
        [6, false],
      ],
      rules: rules(10, 60, 0, 0, 0),
      changeInLastMinute: 6,
    },
    {
      name: 'replace one entry, use policies with different periods',
      prev: [ev(8, s(29)), ev(6, s(59)), ev(7, s(61)), ev(9, s(61))],
      want: [
        [8, false],
        [6, false],
        [7, true],
        [5, false],
      ],
      rules: rules(10, 60, 100, 30, 0),
      changeInLastMinute: 14,
    },
    {
      name: 'two entries, both actual',
      prev: [ev(7, s(58)), ev(6, s(59))],
      want: [
        [7, false],
        [6, false],
        [5, false],
      ],
      rules: rules(10, 120, 100, 30, 0),
      changeInLastMinute: 13,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      for (const direction of ['up', 'down'] as const) {
        const h = history();
        const events = direction === 'up' ? h.scaleUpEvents : h.scaleDownEvents;
        events.push(...c.prev.map((e) => ({ ...e })));
        assert.equal(replicasChangePerPeriod(60, events, NOW), c.changeInLastMinute);
        const behavior = c.rules ? (direction === 'up' ? { scaleUp: c.rules } : { scaleDown: c.rules }) : undefined;
        storeScaleEvent(behavior, h, 10, direction === 'up' ? 15 : 5, NOW);
        assert.deepEqual(
          events.map((e) => [e.replicaChange, e.outdated]),
          c.want,
          direction,
        );
      }
    });
  }
});

describe('defaultScalingRules (autoscaling/v2 defaults)', () => {
  it('fills what a direction leaves out', () => {
    assert.deepEqual(defaultScalingRules('scaleUp', undefined), {
      stabilizationWindowSeconds: 0,
      selectPolicy: 'Max',
      policies: [
        { type: 'Pods', value: 4, periodSeconds: 15 },
        { type: 'Percent', value: 100, periodSeconds: 15 },
      ],
    });
    assert.deepEqual(defaultScalingRules('scaleDown', { stabilizationWindowSeconds: 60 }), {
      stabilizationWindowSeconds: 60,
      selectPolicy: 'Max',
      policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }],
    });
  });
});

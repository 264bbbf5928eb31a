// One HPA sync on plain objects, on the cases of upstream's horizontal_test.go (TestScaleUp ... TestCondition*,
// TestUpscaleCap, TestNoScaleDownOneMetricInvalid, TestAvoidUnnecessaryUpdates, ...) as our own table: the
// target's scale, the pods (one container each) and their PodMetrics go in; the scale written, the status and
// its conditions and the events come out.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PodMetricsList } from '../../core/metrics-api.js';
import type { LabelSelector } from '../../core/selectors/index.js';
import type { autoscalingv2, HorizontalPodAutoscaler, Pod, Scale } from '../../core/types.js';
import type { ScalingRules, TimestampedRecommendation } from './behavior.js';
import { RestMetricsClient } from './metrics-client.js';
import { Autoscaler, type AutoscalerDeps, type ReconcileResult } from './reconcile.js';

const NOW = Date.UTC(2026, 4, 1, 12, 0, 0);
const HOT = new Date(NOW).toISOString();
const COOL = new Date(NOW - 3 * 60_000).toISOString();
const KEY = 'test-namespace/test-hpa';
const OPTIONS = {
  tolerance: 0.1,
  cpuInitializationPeriodMs: 2 * 60_000,
  delayOfInitialReadinessStatusMs: 10_000,
  downscaleStabilizationWindowMs: 5 * 60_000,
};

interface Case {
  minReplicas?: number;
  maxReplicas: number;
  specReplicas: number;
  statusReplicas?: number;
  /** Resource cpu Utilization target; omit with `metrics`. */
  cpuTarget?: number;
  metrics?: autoscalingv2.MetricSpec[];
  behavior?: autoscalingv2.HorizontalPodAutoscalerBehavior;
  /** Per pod milli-CPU reported; pods past the end have no metrics. */
  levels: number[];
  requests?: string[];
  readiness?: ('True' | 'False')[];
  startTimes?: string[];
  phases?: string[];
  selector?: string;
  kind?: string;
  apiVersion?: string;
  /** Seeded recommendations; undefined = a new HPA (its current size is the first recommendation). */
  recommendations?: TimestampedRecommendation[];
  metricsError?: string;
  scaleGetError?: string;
  scaleUpdateError?: string;
  status?: autoscalingv2.HorizontalPodAutoscalerStatus;
}

interface Outcome {
  result: ReconcileResult;
  scaled: number[];
  status?: autoscalingv2.HorizontalPodAutoscalerStatus;
  statusWrites: number;
  events: [type: string, reason: string, message: string][];
  conditions: [type: string, status: string, reason: string][];
}

function hpaOf(c: Case): HorizontalPodAutoscaler {
  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name: 'test-hpa', namespace: 'test-namespace', uid: 'hpa-uid', resourceVersion: '1' },
    spec: {
      scaleTargetRef: { apiVersion: c.apiVersion ?? 'apps/v1', kind: c.kind ?? 'Deployment', name: 'test-rc' },
      ...(c.minReplicas !== undefined ? { minReplicas: c.minReplicas } : {}),
      maxReplicas: c.maxReplicas,
      metrics: c.metrics ?? [
        {
          type: 'Resource',
          resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: c.cpuTarget ?? 50 } },
        },
      ],
      ...(c.behavior ? { behavior: c.behavior } : {}),
    },
    ...(c.status ? { status: c.status } : {}),
  };
}

function podsOf(c: Case): Pod[] {
  const count = Math.max(c.statusReplicas ?? c.specReplicas, c.phases?.length ?? 0, c.levels.length > 0 ? 0 : 0);
  return Array.from({ length: count }, (_, i) => ({
    metadata: { name: `test-pod-${i}`, namespace: 'test-namespace', labels: { name: 'test-pod' } },
    spec: { containers: [{ name: 'container1', resources: { requests: { cpu: c.requests?.[i] ?? '1.0' } } }] },
    status: {
      phase: c.phases?.[i] ?? 'Running',
      startTime: c.startTimes?.[i] ?? COOL,
      // As upstream's fixture: the readiness changed when the pod started.
      conditions: [
        { type: 'Ready', status: c.readiness?.[i] ?? 'True', lastTransitionTime: c.startTimes?.[i] ?? COOL },
      ],
    },
  }));
}

interface Harness {
  autoscaler: Autoscaler;
  run(c: Case, hpa?: HorizontalPodAutoscaler): Promise<Outcome>;
}

/** One Autoscaler whose deps answer from the case being run and record what it does. */
function harness(): Harness {
  let c: Case = { maxReplicas: 1, specReplicas: 0, levels: [] };
  let out: Outcome;
  const last: { status?: Outcome['status'] } = {};
  const deps: AutoscalerDeps = {
    now: () => NOW,
    scales: {
      get: async (r, namespace, name) => {
        if (c.scaleGetError) throw new Error(c.scaleGetError);
        assert.deepEqual(
          [r.resource, namespace, name],
          [c.kind === 'ReplicaSet' ? 'replicasets' : 'deployments', 'test-namespace', 'test-rc'],
        );
        const scale: Scale = {
          apiVersion: 'autoscaling/v1',
          kind: 'Scale',
          metadata: { name: 'test-rc', namespace: 'test-namespace', resourceVersion: '7' },
          spec: { replicas: c.specReplicas },
          status: { replicas: c.statusReplicas ?? c.specReplicas, selector: c.selector ?? 'name=test-pod' },
        };
        return scale;
      },
      update: async (_r, _ns, scale) => {
        if (c.scaleUpdateError) throw new Error(c.scaleUpdateError);
        out.scaled.push(scale.spec?.replicas ?? -1);
        return scale;
      },
    },
    pods: (_ns, selector: LabelSelector) => podsOf(c).filter((p) => selector.matches(p.metadata.labels)),
    metrics: {
      getResourceMetric: (...args) => {
        if (c.metricsError) return Promise.reject(new Error(c.metricsError));
        const list: PodMetricsList = {
          metadata: {},
          items: c.levels.map((v, i) => ({
            metadata: { name: `test-pod-${i}`, namespace: 'test-namespace' },
            timestamp: new Date(NOW - 10_000).toISOString(),
            window: '30s',
            containers: [{ name: 'container1', usage: { cpu: `${v}m` } }],
          })),
        };
        return new RestMetricsClient({ requestJson: async <T>() => list as T }).getResourceMetric(...args);
      },
    },
    updateStatus: async (h) => {
      out.statusWrites++;
      last.status = structuredClone(h.status);
    },
    event: (_h, type, reason, message) => {
      out.events.push([type, reason, message]);
    },
  };
  const autoscaler = new Autoscaler(deps, OPTIONS);
  let registered = false;
  return {
    autoscaler,
    async run(next, hpa) {
      c = next;
      last.status = undefined;
      out = { result: { rescaled: false }, scaled: [], statusWrites: 0, events: [], conditions: [] };
      if (!registered) {
        registered = true;
        autoscaler.register('test-namespace', KEY);
        if (c.recommendations) autoscaler.historyOf(KEY).recommendations.push(...c.recommendations);
      }
      out.result = await autoscaler.reconcile(hpa ?? hpaOf(c), KEY);
      // Read back through a cast: control flow cannot see the write made by updateStatus.
      const written = last.status as Outcome['status'];
      out.status = written;
      out.conditions = (written?.conditions ?? []).map((x) => [x.type, x.status, x.reason ?? '']);
      return out;
    },
  };
}

const run = (c: Case) => harness().run(c);

const NO_HISTORY: TimestampedRecommendation[] = [];
const RESCALED = (limited = 'DesiredWithinRange', limitedStatus = 'False'): Outcome['conditions'] => [
  ['AbleToScale', 'True', 'SucceededRescale'],
  ['ScalingActive', 'True', 'ValidMetricFound'],
  ['ScalingLimited', limitedStatus, limited],
];

describe('HPA sync (upstream horizontal_test.go cases)', () => {
  it('scales up (TestScaleUp) and says why', async () => {
    const o = await run({ minReplicas: 2, maxReplicas: 6, specReplicas: 3, cpuTarget: 30, levels: [300, 500, 700] });
    assert.deepEqual(o.scaled, [5]);
    assert.deepEqual(o.events, [
      [
        'Normal',
        'SuccessfulRescale',
        'New size: 5; reason: cpu resource utilization (percentage of request) above target',
      ],
    ]);
    assert.deepEqual(o.conditions, RESCALED());
    const st = o.status!;
    assert.equal(st.currentReplicas, 3);
    assert.equal(st.desiredReplicas, 5);
    assert.equal(st.lastScaleTime, '2026-05-01T12:00:00Z');
    assert.deepEqual(st.currentMetrics, [
      { type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 50, averageValue: '500m' } } },
    ]);
    assert.equal(o.result.error, undefined);
  });

  const replicaCases: [name: string, c: Case, desired: number, conditions?: Outcome['conditions']][] = [
    [
      'scale up a ReplicaSet',
      { minReplicas: 2, maxReplicas: 6, specReplicas: 3, cpuTarget: 30, levels: [300, 500, 700], kind: 'ReplicaSet' },
      5,
    ],
    [
      'scale up: an unready pod scales less (TestScaleUpUnreadyLessScale)',
      {
        minReplicas: 2,
        maxReplicas: 6,
        specReplicas: 3,
        cpuTarget: 30,
        levels: [300, 500, 700],
        readiness: ['False', 'True', 'True'],
      },
      4,
    ],
    [
      'scale up: a hot-CPU pod scales less (TestScaleUpHotCpuLessScale)',
      {
        minReplicas: 2,
        maxReplicas: 6,
        specReplicas: 3,
        cpuTarget: 30,
        levels: [300, 500, 700],
        startTimes: [HOT, COOL, COOL],
      },
      4,
    ],
    [
      'no scale up when the unready pods would pull the average down (TestScaleUpUnreadyNoScale)',
      {
        minReplicas: 2,
        maxReplicas: 6,
        specReplicas: 3,
        cpuTarget: 30,
        levels: [400, 500, 700],
        readiness: ['True', 'False', 'False'],
      },
      3,
      [
        ['AbleToScale', 'True', 'ReadyForNewScale'],
        ['ScalingActive', 'True', 'ValidMetricFound'],
        ['ScalingLimited', 'False', 'DesiredWithinRange'],
      ],
    ],
    [
      'scale up ignoring failed pods (TestScaleUpIgnoresFailedPods)',
      {
        minReplicas: 2,
        maxReplicas: 6,
        specReplicas: 2,
        cpuTarget: 30,
        levels: [500, 700],
        readiness: ['True', 'True', 'False', 'False'],
        phases: ['Running', 'Running', 'Failed', 'Failed'],
      },
      4,
    ],
    [
      'scale down (TestScaleDown)',
      {
        minReplicas: 2,
        maxReplicas: 6,
        specReplicas: 5,
        cpuTarget: 50,
        levels: [100, 300, 500, 250, 250],
        recommendations: NO_HISTORY,
      },
      3,
    ],
    [
      'scale down is stabilized from the initial size (TestScaleDownStabilizeInitialSize)',
      { minReplicas: 2, maxReplicas: 6, specReplicas: 5, cpuTarget: 50, levels: [100, 300, 500, 250, 250] },
      5,
      [
        ['AbleToScale', 'True', 'ScaleDownStabilized'],
        ['ScalingActive', 'True', 'ValidMetricFound'],
        ['ScalingLimited', 'False', 'DesiredWithinRange'],
      ],
    ],
    [
      'min replicas (TestMinReplicas)',
      {
        minReplicas: 2,
        maxReplicas: 5,
        specReplicas: 3,
        cpuTarget: 90,
        levels: [10, 95, 10],
        recommendations: NO_HISTORY,
      },
      2,
      RESCALED('TooFewReplicas', 'True'),
    ],
    [
      'zero min replicas, desired zero (TestZeroMinReplicasDesiredZero)',
      {
        minReplicas: 0,
        maxReplicas: 5,
        specReplicas: 3,
        cpuTarget: 90,
        levels: [0, 0, 0],
        recommendations: NO_HISTORY,
      },
      0,
      RESCALED(),
    ],
    [
      'min replicas, desired zero (TestMinReplicasDesiredZero)',
      {
        minReplicas: 2,
        maxReplicas: 5,
        specReplicas: 3,
        cpuTarget: 90,
        levels: [0, 0, 0],
        recommendations: NO_HISTORY,
      },
      2,
      RESCALED('TooFewReplicas', 'True'),
    ],
    [
      'max replicas (TestMaxReplicas)',
      { minReplicas: 2, maxReplicas: 5, specReplicas: 3, cpuTarget: 90, levels: [8000, 9500, 1000] },
      5,
      RESCALED('TooManyReplicas', 'True'),
    ],
    [
      'superfluous metrics (TestSuperfluousMetrics)',
      { minReplicas: 2, maxReplicas: 6, specReplicas: 4, cpuTarget: 100, levels: [4000, 9500, 3000, 7000, 3200, 2000] },
      6,
      RESCALED('TooManyReplicas', 'True'),
    ],
    [
      'missing metrics (TestMissingMetrics)',
      {
        minReplicas: 2,
        maxReplicas: 6,
        specReplicas: 4,
        cpuTarget: 100,
        levels: [400, 95],
        recommendations: NO_HISTORY,
      },
      3,
    ],
    [
      'the old scale-up cap without behavior (max(2 x current, 4))',
      {
        minReplicas: 1,
        maxReplicas: 100,
        specReplicas: 3,
        cpuTarget: 10,
        levels: [100, 200, 300],
        requests: ['0.1', '0.1', '0.1'],
      },
      6,
      RESCALED('ScaleUpLimit', 'True'),
    ],
    [
      'upscale cap of a Percent policy (TestUpscaleCap)',
      {
        minReplicas: 1,
        maxReplicas: 100,
        specReplicas: 3,
        cpuTarget: 10,
        levels: [100, 200, 300],
        requests: ['0.1', '0.1', '0.1'],
        behavior: { scaleUp: rules(0, 0, 700, 60, 0) },
      },
      24,
      RESCALED('ScaleUpLimit', 'True'),
    ],
    [
      'upscale cap above max replicas (TestUpscaleCapGreaterThanMaxReplicas)',
      {
        minReplicas: 1,
        maxReplicas: 20,
        specReplicas: 3,
        cpuTarget: 10,
        levels: [100, 200, 300],
        requests: ['0.1', '0.1', '0.1'],
        behavior: { scaleUp: rules(0, 0, 700, 60, 0) },
      },
      20,
      RESCALED('TooManyReplicas', 'True'),
    ],
    [
      'more pods than spec replicas: no scale (TestMoreReplicasThanSpecNoScale)',
      {
        minReplicas: 1,
        maxReplicas: 8,
        specReplicas: 4,
        statusReplicas: 5,
        cpuTarget: 50,
        levels: [500, 500, 500, 500, 500],
      },
      4,
      [
        ['AbleToScale', 'True', 'ReadyForNewScale'],
        ['ScalingActive', 'True', 'ValidMetricFound'],
        ['ScalingLimited', 'False', 'DesiredWithinRange'],
      ],
    ],
  ];
  for (const [name, c, desired, conditions] of replicaCases) {
    it(name, async () => {
      const o = await run(c);
      assert.equal(o.status?.desiredReplicas, desired);
      assert.deepEqual(o.scaled, desired === c.specReplicas ? [] : [desired]);
      if (conditions) assert.deepEqual(o.conditions, conditions);
    });
  }

  it('scales a container resource (TestScaleUpContainer)', async () => {
    const o = await run({
      minReplicas: 2,
      maxReplicas: 6,
      specReplicas: 3,
      levels: [300, 500, 700],
      metrics: [
        {
          type: 'ContainerResource',
          containerResource: {
            name: 'cpu',
            container: 'container1',
            target: { type: 'Utilization', averageUtilization: 30 },
          },
        },
      ],
    });
    assert.deepEqual(o.scaled, [5]);
    assert.deepEqual(o.events[0], [
      'Normal',
      'SuccessfulRescale',
      'New size: 5; reason: cpu container resource utilization (percentage of request) above target',
    ]);
    assert.deepEqual(o.status?.currentMetrics, [
      {
        type: 'ContainerResource',
        containerResource: {
          name: 'cpu',
          container: 'container1',
          current: { averageUtilization: 50, averageValue: '500m' },
        },
      },
    ]);
  });

  it('scales on an AverageValue target', async () => {
    const o = await run({
      minReplicas: 1,
      maxReplicas: 10,
      specReplicas: 2,
      levels: [400, 600],
      metrics: [
        { type: 'Resource', resource: { name: 'cpu', target: { type: 'AverageValue', averageValue: '250m' } } },
      ],
    });
    assert.deepEqual(o.scaled, [4]);
    assert.deepEqual(o.events[0], ['Normal', 'SuccessfulRescale', 'New size: 4; reason: cpu resource above target']);
    assert.deepEqual(o.status?.currentMetrics, [
      { type: 'Resource', resource: { name: 'cpu', current: { averageValue: '500m' } } },
    ]);
  });

  it('leaves a target at zero replicas alone (TestZeroReplicas)', async () => {
    const o = await run({ minReplicas: 3, maxReplicas: 5, specReplicas: 0, levels: [] });
    assert.deepEqual(o.scaled, []);
    assert.deepEqual(o.conditions, [
      ['AbleToScale', 'True', 'SucceededGetScale'],
      ['ScalingActive', 'False', 'ScalingDisabled'],
    ]);
    assert.equal(o.status?.desiredReplicas, 0);
  });

  it('brings the count into [min, max] first (TestTooFewReplicas, TestTooManyReplicas)', async () => {
    const few = await run({ minReplicas: 3, maxReplicas: 5, specReplicas: 2, levels: [] });
    assert.deepEqual(few.scaled, [3]);
    assert.deepEqual(few.events, [
      ['Normal', 'SuccessfulRescale', 'New size: 3; reason: Current number of replicas below Spec.MinReplicas'],
    ]);
    assert.deepEqual(few.conditions, [['AbleToScale', 'True', 'SucceededRescale']]);
    const many = await run({ minReplicas: 3, maxReplicas: 5, specReplicas: 10, levels: [] });
    assert.deepEqual(many.scaled, [5]);
    assert.deepEqual(many.events, [
      ['Normal', 'SuccessfulRescale', 'New size: 5; reason: Current number of replicas above Spec.MaxReplicas'],
    ]);
  });

  it('fails without metrics and keeps the size (TestEmptyMetrics)', async () => {
    const o = await run({ minReplicas: 2, maxReplicas: 6, specReplicas: 4, cpuTarget: 100, levels: [] });
    assert.deepEqual(o.scaled, []);
    assert.deepEqual(o.conditions, [
      ['AbleToScale', 'True', 'SucceededGetScale'],
      ['ScalingActive', 'False', 'FailedGetResourceMetric'],
    ]);
    const cond = o.status!.conditions!.find((x) => x.type === 'ScalingActive')!;
    assert.equal(
      cond.message,
      'the HPA was unable to compute the replica count: failed to get cpu utilization: unable to get metrics for resource cpu: no metrics returned from resource metrics API',
    );
    assert.deepEqual(o.events, [
      [
        'Warning',
        'FailedGetResourceMetric',
        'failed to get cpu utilization: unable to get metrics for resource cpu: no metrics returned from resource metrics API',
      ],
      [
        'Warning',
        'FailedComputeMetricsReplicas',
        'invalid metrics (1 invalid out of 1), first error is: failed to get cpu resource metric value: failed to get cpu utilization: unable to get metrics for resource cpu: no metrics returned from resource metrics API',
      ],
    ]);
    assert.equal(o.status?.currentReplicas, 4);
    assert.deepEqual(o.status?.currentMetrics, [{ type: '' }]);
    assert.match(
      o.result.error!,
      /^failed to compute desired number of replicas based on listed metrics for Deployment\/test-namespace\/test-rc: invalid metrics/,
    );
  });

  it('fails on a pod without a CPU request (TestEmptyCPURequest)', async () => {
    const o = await run({ minReplicas: 1, maxReplicas: 5, specReplicas: 1, levels: [200], requests: [''] as string[] });
    assert.deepEqual(o.scaled, []);
    assert.equal(o.conditions[1]?.[2], 'FailedGetResourceMetric');
  });

  it('reports a metrics API failure (TestConditionFailedGetMetrics)', async () => {
    const o = await run({
      minReplicas: 1,
      maxReplicas: 5,
      specReplicas: 3,
      levels: [],
      metricsError:
        'unable to fetch metrics from resource metrics API: the server could not find the requested resource (get pods.metrics.k8s.io)',
    });
    assert.equal(
      o.status!.conditions!.find((x) => x.type === 'ScalingActive')!.message,
      'the HPA was unable to compute the replica count: failed to get cpu utilization: unable to get metrics for resource cpu: unable to fetch metrics from resource metrics API: the server could not find the requested resource (get pods.metrics.k8s.io)',
    );
  });

  it('needs a selector on the scale (TestConditionInvalidSelectorMissing, ...Unparsable)', async () => {
    const missing = await run({ minReplicas: 1, maxReplicas: 5, specReplicas: 3, levels: [10, 10, 10], selector: '' });
    assert.deepEqual(missing.conditions, [
      ['AbleToScale', 'True', 'SucceededGetScale'],
      ['ScalingActive', 'False', 'InvalidSelector'],
    ]);
    assert.deepEqual(missing.events[0], ['Warning', 'SelectorRequired', 'selector is required']);
    const bad = await run({
      minReplicas: 1,
      maxReplicas: 5,
      specReplicas: 3,
      levels: [10, 10, 10],
      selector: 'cheddar cheese',
    });
    assert.deepEqual(bad.conditions[1]?.slice(0, 3), ['ScalingActive', 'False', 'InvalidSelector']);
    assert.match(bad.events[0]![2], /^couldn't convert selector into a corresponding internal selector object: /);
  });

  it('refuses pods another HPA scales too (TestConditionAmbiguousSelector)', async () => {
    const h = harness();
    const c: Case = { minReplicas: 1, maxReplicas: 5, specReplicas: 3, cpuTarget: 50, levels: [500, 500, 500] };
    assert.equal((await h.run(c)).conditions[1]?.[2], 'ValidMetricFound');
    // Another HPA of the namespace targets the same pods: its first sync records its selector.
    h.autoscaler.register('test-namespace', 'test-namespace/other-hpa');
    const other = hpaOf(c);
    other.metadata.name = 'other-hpa';
    await h.autoscaler.reconcile(other, 'test-namespace/other-hpa');
    const o = await h.run(c);
    assert.deepEqual(o.conditions[1], ['ScalingActive', 'False', 'AmbiguousSelector']);
    assert.deepEqual(o.events[0], [
      'Warning',
      'AmbiguousSelector',
      'pods by selector name=test-pod are controlled by multiple HPAs: [test-namespace/other-hpa test-namespace/test-hpa]',
    ]);
    // Once it is gone, the HPA scales again.
    h.autoscaler.forget('test-namespace', 'test-namespace/other-hpa');
    assert.equal((await h.run(c)).conditions[1]?.[2], 'ValidMetricFound');
  });

  it('reports a target it cannot read or write (TestConditionFailedGetScale, TestConditionFailedUpdateScale)', async () => {
    const get = await run({
      minReplicas: 1,
      maxReplicas: 5,
      specReplicas: 3,
      levels: [],
      scaleGetError: 'deployments.apps "test-rc" not found',
    });
    assert.deepEqual(get.conditions, [['AbleToScale', 'False', 'FailedGetScale']]);
    assert.equal(
      get.status!.conditions![0]!.message,
      'the HPA controller was unable to get the target\'s current scale: deployments.apps "test-rc" not found',
    );
    assert.deepEqual(get.events, [['Warning', 'FailedGetScale', 'deployments.apps "test-rc" not found']]);
    const kind = await run({
      minReplicas: 1,
      maxReplicas: 5,
      specReplicas: 3,
      levels: [],
      kind: 'Cheese',
      apiVersion: 'food/v1',
    });
    assert.deepEqual(kind.events, [['Warning', 'FailedGetScale', 'no matches for kind "Cheese" in group "food"']]);
    const version = await run({ minReplicas: 1, maxReplicas: 5, specReplicas: 3, levels: [], apiVersion: 'a/b/c' });
    assert.equal(version.events[0]![2], 'unexpected GroupVersion string: a/b/c');
    const update = await run({
      minReplicas: 1,
      maxReplicas: 5,
      specReplicas: 3,
      cpuTarget: 10,
      levels: [150, 150, 150],
      scaleUpdateError: 'conflict',
    });
    assert.deepEqual(update.conditions[0], ['AbleToScale', 'False', 'FailedUpdateScale']);
    assert.deepEqual(update.events.at(-1), [
      'Warning',
      'FailedRescale',
      'New size: 5; reason: cpu resource utilization (percentage of request) above target; error: conflict',
    ]);
    assert.equal(update.status?.desiredReplicas, 0, 'desiredReplicas stays as it was');
    assert.equal(update.status?.currentReplicas, 3);
  });

  it('does not scale down while a metric is invalid, but scales up (TestNoScaleDownOneMetricInvalid, TestScaleUpOneMetricEmpty)', async () => {
    const invalid = await run({
      minReplicas: 2,
      maxReplicas: 6,
      specReplicas: 5,
      levels: [100, 300, 500, 250, 250],
      recommendations: NO_HISTORY,
      metrics: [
        { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } },
        { type: 'CheddarCheese' },
      ],
    });
    assert.deepEqual(invalid.scaled, []);
    assert.deepEqual(invalid.conditions, [
      ['AbleToScale', 'True', 'SucceededGetScale'],
      ['ScalingActive', 'False', 'InvalidMetricSourceType'],
    ]);
    const external: autoscalingv2.MetricSpec = {
      type: 'External',
      external: { metric: { name: 'qps', selector: {} }, target: { type: 'Value', value: '100m' } },
    };
    const up = await run({
      minReplicas: 2,
      maxReplicas: 6,
      specReplicas: 3,
      levels: [300, 400, 500],
      metrics: [
        { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 30 } } },
        external,
      ],
    });
    assert.deepEqual(up.scaled, [4]);
    assert.match(
      up.result.error!,
      /^invalid metrics \(1 invalid out of 2\), first error is: failed to get qps external metric value: /,
    );
    assert.deepEqual(up.status?.currentMetrics?.[1], { type: '' });
  });

  it('answers Object, Pods and External metrics with "not supported" conditions', async () => {
    const object: autoscalingv2.MetricSpec = {
      type: 'Object',
      object: {
        describedObject: { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', name: 'main-route' },
        metric: { name: 'requests-per-second' },
        target: { type: 'Value', value: '10k' },
      },
    };
    const o = await run({ minReplicas: 1, maxReplicas: 5, specReplicas: 2, levels: [], metrics: [object] });
    const active = o.status!.conditions!.find((x) => x.type === 'ScalingActive')!;
    assert.equal(active.status, 'False');
    assert.equal(active.reason, 'FailedGetObjectMetric');
    assert.equal(
      active.message,
      'the HPA was unable to compute the replica count: unable to get metric requests-per-second: Ingress on test-namespace main-route/unable to fetch metrics from custom metrics API: custom metrics (custom.metrics.k8s.io) are not supported: no custom metrics API is registered in this cluster',
    );
    const pods = await run({
      minReplicas: 1,
      maxReplicas: 5,
      specReplicas: 2,
      levels: [],
      metrics: [
        { type: 'Pods', pods: { metric: { name: 'qps' }, target: { type: 'AverageValue', averageValue: '1' } } },
      ],
    });
    assert.equal(pods.conditions[1]?.[2], 'FailedGetPodsMetric');
    const ext = await run({
      minReplicas: 1,
      maxReplicas: 5,
      specReplicas: 2,
      levels: [],
      metrics: [
        {
          type: 'External',
          external: { metric: { name: 'queue' }, target: { type: 'AverageValue', averageValue: '30' } },
        },
      ],
    });
    assert.equal(ext.conditions[1]?.[2], 'FailedGetExternalMetric');
    assert.match(
      ext.status!.conditions![1]!.message!,
      /external metrics \(external\.metrics\.k8s\.io\) are not supported/,
    );
  });

  it('writes the status only when it changed (TestAvoidUnnecessaryUpdates)', async () => {
    const h = harness();
    const c: Case = { minReplicas: 2, maxReplicas: 6, specReplicas: 3, cpuTarget: 50, levels: [500, 500, 500] };
    const first = await h.run(c);
    assert.equal(first.statusWrites, 1);
    const again = await h.run(c, { ...hpaOf(c), status: first.status });
    assert.equal(again.statusWrites, 0);
    assert.deepEqual(again.scaled, []);
  });

  it('keeps lastTransitionTime while a condition keeps its status', async () => {
    const c: Case = { minReplicas: 2, maxReplicas: 6, specReplicas: 3, cpuTarget: 50, levels: [500, 500, 500] };
    const old = new Date(NOW - 60_000).toISOString().replace(/\.\d+Z$/, 'Z');
    const status: autoscalingv2.HorizontalPodAutoscalerStatus = {
      desiredReplicas: 3,
      conditions: [
        { type: 'AbleToScale', status: 'True', reason: 'ReadyForNewScale', message: 'x', lastTransitionTime: old },
      ],
    };
    const o = await run({ ...c, status });
    assert.equal(o.status!.conditions![0]!.lastTransitionTime, old);
    assert.equal(o.status!.conditions![1]!.lastTransitionTime, '2026-05-01T12:00:00Z');
  });

  it('uses the HPA tolerance of its behavior over the controller one', async () => {
    // 56% of a 50% target is outside 0.1 but inside a 0.2 scale-up tolerance.
    const c: Case = { minReplicas: 1, maxReplicas: 10, specReplicas: 4, cpuTarget: 50, levels: [560, 560, 560, 560] };
    assert.deepEqual((await run(c)).scaled, [5]);
    const tolerant = { ...c, behavior: { scaleUp: { ...rules(4, 15, 100, 15, 0), tolerance: '0.2' } as ScalingRules } };
    assert.deepEqual((await run(tolerant)).scaled, []);
  });
});

function rules(pods: number, podsPeriod: number, percent: number, percentPeriod: number, window: number): ScalingRules {
  const policies = [];
  if (pods !== 0) policies.push({ type: 'Pods', value: pods, periodSeconds: podsPeriod });
  if (percent !== 0) policies.push({ type: 'Percent', value: percent, periodSeconds: percentPeriod });
  return { stabilizationWindowSeconds: window, selectPolicy: 'Max', policies };
}

// The replica calculator on the cases of upstream's replica_calculator_test.go (kubernetes
// pkg/controller/podautoscaler), written as our own table: pods with two containers each ("container1",
// "container2") requesting the same amount, PodMetrics per container going through the metrics client, a
// 0.1 tolerance, a 2 min CPU initialization period and a 10 s initial readiness delay, as upstream's tests.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PodMetrics, PodMetricsList } from '../../core/metrics-api.js';
import { parseLabelSelector } from '../../core/selectors/index.js';
import type { Pod } from '../../core/types.js';
import { RestMetricsClient } from './metrics-client.js';
import {
  calculateRequests,
  getRawResourceReplicas,
  getResourceReplicas,
  groupPods,
  type PodMetricsInfo,
  type Tolerances,
} from './replica-calculator.js';

const NOW = Date.UTC(2026, 4, 1, 12, 0, 0);
const GO_ZERO = '0001-01-01T00:00:00Z';
const HOT = new Date(NOW).toISOString(); // hotCPUCreationTime: started now, within the initialization period
const COOL = new Date(NOW - 3 * 60_000).toISOString(); // coolCPUCreationTime: 3 min ago
const READINESS = { cpuInitializationPeriodMs: 2 * 60_000, delayOfInitialReadinessStatusMs: 10_000 };
const DEFAULT_TOLERANCES: Tolerances = { scaleDown: 0.1, scaleUp: 0.1 };
const SELECTOR = parseLabelSelector('name=test-pod');

type Readiness = 'True' | 'False';

interface Fixture {
  currentReplicas: number;
  /** Per pod; each of the two containers requests it. len(requests) pods carry requests. */
  requests?: string[];
  /** levels[i][j]: milli-usage of container j+1 of pod i; pods past the end have no metrics. */
  levels?: number[][];
  podNames?: string[];
  readiness?: Readiness[];
  startTimes?: string[];
  phases?: string[];
  deleted?: boolean[];
  container?: string;
  tolerances?: Tolerances;
  /** Metrics' timestamp; Go's zero time by default, as upstream's fixture. */
  timestamp?: string;
}

/** makePodMetricLevels: every container of pod i uses levels[i]. */
const levels = (...perPod: number[]) => perPod.map((v) => [v, v]);
const cpu = (n: number, q: string) => Array.from({ length: n }, () => q);

function buildPods(f: Fixture): Pod[] {
  const count = Math.max(f.currentReplicas, f.phases?.length ?? 0);
  return Array.from({ length: count }, (_, i): Pod => {
    const request = f.requests?.[i];
    const resources = request !== undefined ? { requests: { cpu: request } } : {};
    return {
      metadata: {
        name: `test-pod-${i}`,
        namespace: 'test-namespace',
        labels: { name: 'test-pod' },
        ...(f.deleted?.[i] ? { deletionTimestamp: new Date(NOW).toISOString() } : {}),
      },
      spec: {
        containers: [
          { name: 'container1', resources },
          { name: 'container2', resources },
        ],
      },
      status: {
        phase: f.phases?.[i] ?? 'Running',
        startTime: f.startTimes?.[i] ?? GO_ZERO,
        conditions: [{ type: 'Ready', status: f.readiness?.[i] ?? 'True' }],
      },
    };
  });
}

function buildMetrics(f: Fixture): PodMetricsList {
  const items = (f.levels ?? []).map(
    (lv, i): PodMetrics => ({
      metadata: { name: f.podNames?.[i] ?? `test-pod-${i}`, namespace: 'test-namespace', labels: { name: 'test-pod' } },
      timestamp: f.timestamp ?? GO_ZERO,
      window: '1m0s',
      containers: lv.map((v, j) => ({ name: `container${j + 1}`, usage: { cpu: `${v}m` } })),
    }),
  );
  return { metadata: {}, items };
}

function setup(f: Fixture) {
  const list = buildMetrics(f);
  const source = new RestMetricsClient({ requestJson: async <T>() => list as T });
  const query = {
    currentReplicas: f.currentReplicas,
    resource: 'cpu',
    container: f.container ?? '',
    tolerances: f.tolerances ?? DEFAULT_TOLERANCES,
    pods: buildPods(f),
    readiness: READINESS,
    nowMs: NOW,
    namespace: 'test-namespace',
    selector: SELECTOR,
  };
  return { source, query };
}

interface UtilizationCase extends Fixture {
  name: string;
  target: number;
  replicas?: number;
  utilization?: number;
  raw?: number;
  error?: string;
}

const N = 2; // numContainersPerPod

const UTILIZATION_CASES: UtilizationCase[] = [
  // TestReplicaCalcResourceScale
  {
    name: 'scale up',
    currentReplicas: 3,
    requests: cpu(3, '1.0'),
    levels: levels(300, 500, 700),
    target: 30,
    replicas: 5,
    utilization: 50,
    raw: N * 500,
  },
  {
    name: 'scale up: container metric',
    currentReplicas: 3,
    container: 'container2',
    requests: cpu(3, '1.0'),
    levels: [
      [1000, 300],
      [1000, 500],
      [1000, 700],
    ],
    target: 30,
    replicas: 5,
    utilization: 50,
    raw: 500,
  },
  {
    name: 'scale up: unready pod scales less',
    currentReplicas: 3,
    readiness: ['False', 'True', 'True'],
    requests: cpu(3, '1.0'),
    levels: levels(300, 500, 700),
    target: 30,
    replicas: 4,
    utilization: 60,
    raw: N * 600,
  },
  {
    name: 'scale up: hot-CPU container scales less',
    currentReplicas: 3,
    startTimes: [HOT, COOL, COOL],
    container: 'container2',
    requests: cpu(3, '1.0'),
    levels: [
      [0, 300],
      [0, 500],
      [0, 700],
    ],
    target: 30,
    replicas: 4,
    utilization: 60,
    raw: 600,
  },
  {
    name: 'scale up: hot-CPU pod scales less',
    currentReplicas: 3,
    startTimes: [HOT, COOL, COOL],
    requests: cpu(3, '1.0'),
    levels: levels(300, 500, 700),
    target: 30,
    replicas: 4,
    utilization: 60,
    raw: N * 600,
  },
  {
    name: 'no scale: unready pods ignored',
    currentReplicas: 3,
    readiness: ['True', 'False', 'False'],
    requests: cpu(3, '1.0'),
    levels: levels(400, 500, 700),
    target: 30,
    replicas: 3,
    utilization: 40,
    raw: N * 400,
  },
  {
    name: 'no scale: hot-CPU pods ignored',
    currentReplicas: 3,
    readiness: ['True', 'False', 'False'],
    startTimes: [COOL, HOT, HOT],
    requests: cpu(3, '1.0'),
    levels: levels(400, 500, 700),
    target: 30,
    replicas: 3,
    utilization: 40,
    raw: N * 400,
  },
  {
    name: 'scale up: failed pods ignored',
    currentReplicas: 2,
    readiness: ['True', 'True', 'False', 'False'],
    phases: ['Running', 'Running', 'Failed', 'Failed'],
    requests: cpu(4, '1.0'),
    levels: levels(500, 700),
    target: 30,
    replicas: 4,
    utilization: 60,
    raw: N * 600,
  },
  {
    name: 'scale up: container metrics with failed pods ignored',
    currentReplicas: 2,
    readiness: ['True', 'True', 'False', 'False'],
    phases: ['Running', 'Running', 'Failed', 'Failed'],
    container: 'container2',
    requests: cpu(4, '1.0'),
    levels: [
      [1000, 500],
      [9000, 700],
    ],
    target: 30,
    replicas: 4,
    utilization: 60,
    raw: 600,
  },
  {
    name: 'scale up: pods being deleted are ignored',
    currentReplicas: 2,
    readiness: ['True', 'True', 'False', 'False'],
    deleted: [false, false, true, true],
    requests: cpu(4, '1.0'),
    levels: levels(500, 700),
    target: 30,
    replicas: 4,
    utilization: 60,
    raw: N * 600,
  },
  {
    name: 'scale up: container metrics with pods being deleted ignored',
    currentReplicas: 2,
    readiness: ['True', 'True', 'False', 'False'],
    deleted: [false, false, true, true],
    container: 'container1',
    requests: cpu(4, '1.0'),
    levels: levels(500, 700),
    target: 30,
    replicas: 4,
    utilization: 60,
    raw: 600,
  },
  {
    name: 'scale down',
    currentReplicas: 5,
    requests: cpu(5, '1.0'),
    levels: levels(100, 300, 500, 250, 250),
    target: 50,
    replicas: 3,
    utilization: 28,
    raw: N * 280,
  },
  {
    name: 'scale down: container metric',
    currentReplicas: 5,
    container: 'container2',
    requests: cpu(5, '1.0'),
    levels: [
      [1000, 100],
      [1000, 300],
      [1000, 500],
      [1000, 250],
      [1000, 250],
    ],
    target: 50,
    replicas: 3,
    utilization: 28,
    raw: 280,
  },
  {
    name: 'scale down: exclude unready pods',
    currentReplicas: 5,
    readiness: ['True', 'True', 'True', 'False', 'False'],
    requests: cpu(5, '1.0'),
    levels: levels(100, 300, 500, 250, 250),
    target: 50,
    replicas: 2,
    utilization: 30,
    raw: N * 300,
  },
  {
    name: 'scale down: container metric excludes unready pods',
    currentReplicas: 5,
    readiness: ['True', 'True', 'True', 'False', 'False'],
    container: 'container2',
    requests: cpu(5, '1.0'),
    levels: [
      [1000, 100],
      [1000, 300],
      [1000, 500],
      [1000, 250],
      [1000, 250],
    ],
    target: 50,
    replicas: 2,
    utilization: 30,
    raw: 300,
  },
  {
    name: 'scale down: exclude unscheduled pods',
    currentReplicas: 5,
    readiness: ['True', 'False', 'False', 'False', 'False'],
    phases: ['Running', 'Pending', 'Pending', 'Pending', 'Pending'],
    requests: cpu(5, '1.0'),
    levels: levels(100),
    target: 50,
    replicas: 1,
    utilization: 10,
    raw: N * 100,
  },
  {
    name: 'scale down: container metric excludes unscheduled pods',
    currentReplicas: 5,
    readiness: ['True', 'False', 'False', 'False', 'False'],
    phases: ['Running', 'Pending', 'Pending', 'Pending', 'Pending'],
    container: 'container2',
    requests: cpu(5, '1.0'),
    levels: [
      [1000, 100],
      [1000, 300],
      [1000, 500],
      [1000, 250],
      [1000, 250],
    ],
    target: 50,
    replicas: 1,
    utilization: 10,
    raw: 100,
  },
  {
    name: 'scale down: ignore hot-CPU pods',
    currentReplicas: 5,
    startTimes: [COOL, COOL, COOL, HOT, HOT],
    requests: cpu(5, '1.0'),
    levels: levels(100, 300, 500, 250, 250),
    target: 50,
    replicas: 2,
    utilization: 30,
    raw: N * 300,
  },
  {
    name: 'scale down: container metric ignores hot-CPU pods',
    currentReplicas: 5,
    startTimes: [COOL, COOL, COOL, HOT, HOT],
    container: 'container2',
    requests: cpu(5, '1.0'),
    levels: [
      [1000, 100],
      [1000, 300],
      [1000, 500],
      [1000, 1000],
      [1000, 1000],
    ],
    target: 50,
    replicas: 2,
    utilization: 30,
    raw: 300,
  },
  {
    name: 'scale down: failed pods ignored',
    currentReplicas: 5,
    readiness: ['True', 'True', 'True', 'True', 'True', 'False', 'False'],
    phases: ['Running', 'Running', 'Running', 'Running', 'Running', 'Failed', 'Failed'],
    requests: cpu(7, '1.0'),
    levels: levels(100, 300, 500, 250, 250),
    target: 50,
    replicas: 3,
    utilization: 28,
    raw: N * 280,
  },
  {
    name: 'scale down: pods being deleted are ignored',
    currentReplicas: 5,
    readiness: ['True', 'True', 'True', 'True', 'True', 'False', 'False'],
    phases: cpu(7, 'Running'),
    deleted: [false, false, false, false, false, true, true],
    requests: cpu(7, '1.0'),
    levels: levels(100, 300, 500, 250, 250),
    target: 50,
    replicas: 3,
    utilization: 28,
    raw: N * 280,
  },
  {
    name: 'scale down: still-running pods being deleted are ignored (#83561)',
    currentReplicas: 5,
    readiness: ['True', 'True', 'True', 'True', 'True', 'False', 'False'],
    phases: cpu(7, 'Running'),
    deleted: [false, false, false, false, false, true, true],
    container: 'container2',
    requests: cpu(7, '1.0'),
    levels: [
      [1000, 100],
      [1000, 300],
      [1000, 500],
      [1000, 250],
      [1000, 250],
    ],
    target: 50,
    replicas: 3,
    utilization: 28,
    raw: 280,
  },
  // TestReplicaCalcDisjointResourcesMetrics
  {
    name: 'metrics of other pods only',
    currentReplicas: 1,
    requests: ['1.0'],
    levels: levels(100),
    podNames: ['an-older-pod-name'],
    target: 100,
    error: 'no metrics returned matched known pods',
  },
  // TestReplicaCalcTolerance, TestReplicaCalcConfigurableTolerance
  {
    name: 'tolerance',
    currentReplicas: 3,
    requests: ['0.9', '1.0', '1.1'],
    levels: levels(1010, 1030, 1020),
    target: 100,
    replicas: 3,
    utilization: 102,
    raw: N * 1020,
  },
  {
    name: 'outside of a 0% tolerance',
    tolerances: { scaleDown: 0, scaleUp: 0 },
    currentReplicas: 3,
    requests: ['0.9', '1.0', '1.1'],
    levels: levels(909, 1010, 1111),
    target: 100,
    replicas: 4,
    utilization: 101,
    raw: N * 1010,
  },
  {
    name: 'within a 200% scale-up tolerance',
    tolerances: { scaleDown: 0.1, scaleUp: 2 },
    currentReplicas: 3,
    requests: ['0.9', '1.0', '1.1'],
    levels: levels(1890, 1910, 1900),
    target: 100,
    replicas: 3,
    utilization: 190,
    raw: N * 1900,
  },
  {
    name: 'outside an 8% scale-up tolerance',
    tolerances: { scaleDown: 2, scaleUp: 0.08 },
    currentReplicas: 3,
    requests: ['0.9', '1.0', '1.1'],
    levels: levels(1100, 1080, 1090),
    target: 100,
    replicas: 4,
    utilization: 109,
    raw: N * 1090,
  },
  {
    name: 'within a 36% scale-down tolerance',
    tolerances: { scaleDown: 0.36, scaleUp: 0.1 },
    currentReplicas: 3,
    requests: ['0.9', '1.0', '1.1'],
    levels: levels(660, 640, 650),
    target: 100,
    replicas: 3,
    utilization: 65,
    raw: N * 650,
  },
  {
    name: 'outside a 34% scale-down tolerance',
    tolerances: { scaleDown: 0.34, scaleUp: 0.1 },
    currentReplicas: 3,
    requests: ['0.9', '1.0', '1.1'],
    levels: levels(660, 640, 650),
    target: 100,
    replicas: 2,
    utilization: 65,
    raw: N * 650,
  },
  // TestReplicaCalcSuperfluousMetrics, MissingMetrics, EmptyMetrics, EmptyCPURequest
  {
    name: 'superfluous metrics',
    currentReplicas: 4,
    requests: cpu(4, '1.0'),
    levels: levels(4000, 9500, 3000, 7000, 3200, 2000),
    target: 100,
    replicas: 24,
    utilization: 587,
    raw: N * 5875,
  },
  {
    name: 'missing metrics',
    currentReplicas: 4,
    requests: cpu(4, '1.0'),
    levels: levels(400, 95),
    target: 100,
    replicas: 3,
    utilization: 24,
    raw: 495,
  },
  {
    name: 'empty metrics',
    currentReplicas: 4,
    requests: cpu(3, '1.0'),
    levels: [],
    target: 100,
    error: 'unable to get metrics for resource cpu: no metrics returned from resource metrics API',
  },
  {
    name: 'empty cpu request',
    currentReplicas: 1,
    requests: [],
    levels: levels(200),
    target: 100,
    error: 'missing request for',
  },
  // TestReplicaCalcMissingMetrics*
  {
    name: 'missing metrics, no change: eq',
    currentReplicas: 2,
    requests: cpu(2, '1.0'),
    levels: levels(1000),
    target: 100,
    replicas: 2,
    utilization: 100,
    raw: N * 1000,
  },
  {
    name: 'missing metrics, no change: gt',
    currentReplicas: 2,
    requests: cpu(2, '1.0'),
    levels: levels(1900),
    target: 100,
    replicas: 2,
    utilization: 190,
    raw: N * 1900,
  },
  {
    name: 'missing metrics, no change: lt',
    currentReplicas: 2,
    requests: cpu(2, '1.0'),
    levels: levels(600),
    target: 100,
    replicas: 2,
    utilization: 60,
    raw: N * 600,
  },
  {
    name: 'missing metrics, unready: no change',
    currentReplicas: 3,
    readiness: ['False', 'True', 'True'],
    requests: cpu(3, '1.0'),
    levels: levels(100, 450),
    target: 50,
    replicas: 3,
    utilization: 45,
    raw: N * 450,
  },
  {
    name: 'missing metrics, hot CPU: no change',
    currentReplicas: 3,
    startTimes: [HOT, COOL, COOL],
    requests: cpu(3, '1.0'),
    levels: levels(100, 450),
    target: 50,
    replicas: 3,
    utilization: 45,
    raw: N * 450,
  },
  {
    name: 'missing metrics, unready: scale up',
    currentReplicas: 3,
    readiness: ['False', 'True', 'True'],
    requests: cpu(3, '1.0'),
    levels: levels(100, 2000),
    target: 50,
    replicas: 4,
    utilization: 200,
    raw: N * 2000,
  },
  {
    name: 'missing metrics, hot CPU: scale up',
    currentReplicas: 3,
    readiness: ['False', 'True', 'True'],
    startTimes: [HOT, COOL, COOL],
    requests: cpu(3, '1.0'),
    levels: levels(100, 2000),
    target: 50,
    replicas: 4,
    utilization: 200,
    raw: N * 2000,
  },
  {
    name: 'missing metrics, unready: scale down',
    currentReplicas: 4,
    readiness: ['False', 'True', 'True', 'True'],
    requests: cpu(4, '1.0'),
    levels: levels(100, 100, 100),
    target: 50,
    replicas: 3,
    utilization: 10,
    raw: N * 100,
  },
  {
    name: 'missing metrics, scale down, target over 100%',
    currentReplicas: 4,
    readiness: ['False', 'True', 'True', 'True'],
    requests: ['1.0', '1.0', '2.0', '2.0'],
    levels: levels(200, 100, 100),
    target: 300,
    replicas: 2,
    utilization: 6,
    raw: N * 100,
  },
  // TestReplicaCalcDuringRollingUpdateWithMaxSurge
  {
    name: 'rolling update with max surge',
    currentReplicas: 2,
    phases: ['Running', 'Running', 'Running'],
    requests: cpu(3, '1.0'),
    levels: levels(100, 100),
    target: 50,
    replicas: 2,
    utilization: 10,
    raw: N * 100,
  },
];

describe('replica calculator: resource utilization (upstream GetResourceReplicas cases)', () => {
  for (const c of UTILIZATION_CASES) {
    it(c.name, async () => {
      const { source, query } = setup(c);
      const run = getResourceReplicas(source, query, c.target);
      if (c.error) {
        await assert.rejects(run, (e: Error) => e.message.includes(c.error!));
        return;
      }
      const r = await run;
      assert.deepEqual(
        { replicas: r.replicas, utilization: r.utilization, raw: r.rawUtilization },
        { replicas: c.replicas, utilization: c.utilization, raw: c.raw },
      );
      assert.equal(r.timestampMs, Date.parse(c.timestamp ?? GO_ZERO));
    });
  }

  it('a computed minimal scale-down just past the tolerance, and none just inside it', async () => {
    // TestReplicaCalcComputedToleranceAlgImplementation: 10 pods using 150m each against ~300m requests.
    const startPods = 10;
    const totalUsed = startPods * 150;
    const totalRequested = 2 * totalUsed;
    const requestedToUsed = Math.trunc(totalRequested / totalUsed);
    const perPod = totalRequested / startPods;
    const requests = [100, -100, 10, -10, 2, -2, 1, -1, 0, 0].map((d) => `${perPod + d}m`);
    const base: Fixture = {
      currentReplicas: startPods,
      requests,
      levels: levels(...Array<number>(10).fill(totalUsed / 10)),
    };
    let target = Math.abs(1 / (requestedToUsed * (1 - 0.1))) + 0.01;
    const usedRatio = totalUsed / (totalRequested * target);
    const finalPods = Math.ceil(usedRatio * startPods);
    const { source, query } = setup(base);
    const r = await getResourceReplicas(source, query, Math.trunc(target * 100));
    assert.equal(r.replicas, finalPods);
    assert.equal(r.utilization, Math.trunc((totalUsed * 100) / totalRequested));
    assert.equal(r.rawUtilization, N * (totalUsed / 10));
    target = Math.abs(1 / (requestedToUsed * (1 - 0.1))) + 0.004;
    const again = setup(base);
    assert.equal((await getResourceReplicas(again.source, again.query, Math.trunc(target * 100))).replicas, startPods);
  });
});

interface ValueCase {
  name: string;
  currentReplicas: number;
  /** Per-pod values (one container each), milli-units; a non-CPU resource, so readiness only counts for Pending. */
  values: number[];
  target: number;
  readiness?: Readiness[];
  startTimes?: string[];
  phases?: string[];
  tolerances?: Tolerances;
  replicas: number;
  usage: number;
}

// upstream calcPlainMetricReplicas through the Pods-metric cases (TestReplicaCalcScaleUpCM ...): the same
// code as AverageValue resource targets. A non-CPU resource skips the CPU readiness rules, as "" does upstream.
const VALUE_CASES: ValueCase[] = [
  { name: 'scale up', currentReplicas: 3, values: [20000, 10000, 30000], target: 15000, replicas: 4, usage: 20000 },
  {
    name: 'scale up, unready and hot pods count (no CPU rules)',
    currentReplicas: 3,
    readiness: ['True', 'True', 'False'],
    startTimes: [COOL, COOL, HOT],
    values: [50000, 10000, 30000],
    target: 15000,
    replicas: 6,
    usage: 30000,
  },
  {
    name: 'scale up where unready pods would scale down',
    currentReplicas: 3,
    readiness: ['False', 'True', 'False'],
    startTimes: [HOT, COOL, HOT],
    values: [50000, 15000, 30000],
    target: 15000,
    replicas: 7,
    usage: 31666,
  },
  {
    name: 'scale down',
    currentReplicas: 5,
    values: [12000, 12000, 12000, 12000, 12000],
    target: 20000,
    replicas: 3,
    usage: 12000,
  },
  { name: 'tolerance', currentReplicas: 3, values: [20000, 21000, 21000], target: 20000, replicas: 3, usage: 20666 },
  {
    name: 'configurable 1% scale-up tolerance',
    tolerances: { scaleDown: 0.1, scaleUp: 0.01 },
    currentReplicas: 3,
    values: [20000, 21000, 21000],
    target: 20000,
    replicas: 4,
    usage: 20666,
  },
  {
    name: 'missing metrics, no change',
    currentReplicas: 5,
    values: [20000, 19000, 21000],
    target: 20000,
    replicas: 5,
    usage: 20000,
  },
  {
    name: 'rolling update with max surge',
    currentReplicas: 2,
    phases: ['Running', 'Running', 'Running'],
    values: [10000, 10000],
    target: 17000,
    replicas: 2,
    usage: 10000,
  },
];

describe('replica calculator: average values (upstream calcPlainMetricReplicas cases)', () => {
  for (const c of VALUE_CASES) {
    it(c.name, async () => {
      const count = Math.max(c.currentReplicas, c.phases?.length ?? 0);
      const pods = buildPods({
        currentReplicas: count,
        requests: cpu(count, '1'),
        readiness: c.readiness,
        startTimes: c.startTimes,
        phases: c.phases,
      });
      const list: PodMetricsList = {
        metadata: {},
        items: c.values.map((v, i) => ({
          metadata: { name: `test-pod-${i}`, namespace: 'test-namespace' },
          timestamp: GO_ZERO,
          window: '1m0s',
          containers: [{ name: 'container1', usage: { memory: `${v}m` } }],
        })),
      };
      const source = new RestMetricsClient({ requestJson: async <T>() => list as T });
      const r = await getRawResourceReplicas(
        source,
        {
          currentReplicas: c.currentReplicas,
          resource: 'memory',
          container: 'container1',
          tolerances: c.tolerances ?? DEFAULT_TOLERANCES,
          pods,
          readiness: READINESS,
          nowMs: NOW,
          namespace: 'test-namespace',
          selector: SELECTOR,
        },
        c.target,
      );
      assert.deepEqual({ replicas: r.replicas, usage: r.usage }, { replicas: c.replicas, usage: c.usage });
    });
  }
});

describe('groupPods (upstream TestGroupPods)', () => {
  const ago = (ms: number) => new Date(NOW - ms).toISOString();
  const pod = (name: string, status: Pod['status']): Pod => ({ metadata: { name }, status });
  const metric = (value: number, timestampMs = 0, windowMs = 0) => ({ value, timestampMs, windowMs });
  const cases: {
    name: string;
    pods: Pod[];
    metrics: [string, { value: number; timestampMs: number; windowMs: number }][];
    resource: string;
    ready: number;
    unready?: string[];
    missing?: string[];
    ignored?: string[];
  }[] = [
    { name: 'void', pods: [], metrics: [], resource: 'cpu', ready: 0 },
    {
      name: 'count in a ready pod - memory',
      pods: [pod('bentham', { phase: 'Succeeded' })],
      metrics: [['bentham', metric(1, NOW, 60_000)]],
      resource: 'memory',
      ready: 1,
    },
    {
      name: 'unready a pod without ready condition - CPU',
      pods: [pod('lucretius', { phase: 'Succeeded', startTime: ago(0) })],
      metrics: [['lucretius', metric(1)]],
      resource: 'cpu',
      ready: 0,
      unready: ['lucretius'],
    },
    {
      name: 'count in a ready pod with fresh metrics during initialization period - CPU',
      pods: [
        pod('bentham', {
          phase: 'Succeeded',
          startTime: ago(60_000),
          conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: ago(30_000) }],
        }),
      ],
      metrics: [['bentham', metric(1, NOW, 30_000)]],
      resource: 'cpu',
      ready: 1,
    },
    {
      name: 'unready a ready pod without fresh metrics during initialization period - CPU',
      pods: [
        pod('bentham', {
          phase: 'Succeeded',
          startTime: ago(60_000),
          conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: ago(30_000) }],
        }),
      ],
      metrics: [['bentham', metric(1, NOW, 60_000)]],
      resource: 'cpu',
      ready: 0,
      unready: ['bentham'],
    },
    {
      name: 'unready an unready pod during initialization period - CPU',
      pods: [
        pod('lucretius', {
          phase: 'Succeeded',
          startTime: ago(10 * 60_000),
          conditions: [{ type: 'Ready', status: 'False', lastTransitionTime: ago(9 * 60_000 + 54_000) }],
        }),
      ],
      metrics: [['lucretius', metric(1)]],
      resource: 'cpu',
      ready: 0,
      unready: ['lucretius'],
    },
    {
      name: 'count in a ready pod without fresh metrics after initialization period - CPU',
      pods: [
        pod('bentham', {
          phase: 'Succeeded',
          startTime: ago(3 * 60_000),
          conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: ago(3 * 60_000) }],
        }),
      ],
      metrics: [['bentham', metric(1, NOW - 2 * 60_000, 60_000)]],
      resource: 'cpu',
      ready: 1,
    },
    {
      name: 'count in an unready pod that was ready after initialization period - CPU',
      pods: [
        pod('lucretius', {
          phase: 'Succeeded',
          startTime: ago(10 * 60_000),
          conditions: [{ type: 'Ready', status: 'False', lastTransitionTime: ago(9 * 60_000) }],
        }),
      ],
      metrics: [['lucretius', metric(1)]],
      resource: 'cpu',
      ready: 1,
    },
    {
      name: 'unready pod that has never been ready after initialization period - CPU',
      pods: [
        pod('lucretius', {
          phase: 'Succeeded',
          startTime: ago(10 * 60_000),
          conditions: [{ type: 'Ready', status: 'False', lastTransitionTime: ago(9 * 60_000 + 50_000) }],
        }),
      ],
      metrics: [['lucretius', metric(1)]],
      resource: 'cpu',
      ready: 1,
    },
    {
      name: 'a missing pod',
      pods: [pod('epicurus', { phase: 'Succeeded', startTime: ago(3 * 60_000) })],
      metrics: [],
      resource: 'cpu',
      ready: 0,
      missing: ['epicurus'],
    },
    {
      name: 'several pods',
      pods: [
        pod('lucretius', { phase: 'Succeeded', startTime: ago(0) }),
        pod('niccolo', {
          phase: 'Succeeded',
          startTime: ago(3 * 60_000),
          conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: ago(3 * 60_000) }],
        }),
        pod('epicurus', { phase: 'Succeeded', startTime: ago(3 * 60_000) }),
      ],
      metrics: [
        ['lucretius', metric(1)],
        ['niccolo', metric(1)],
      ],
      resource: 'cpu',
      ready: 1,
      unready: ['lucretius'],
      missing: ['epicurus'],
    },
    {
      name: 'pending pods are unreadied',
      pods: [pod('unscheduled', { phase: 'Pending' })],
      metrics: [],
      resource: 'cpu',
      ready: 0,
      unready: ['unscheduled'],
    },
    {
      name: 'ignore pods with deletion timestamps',
      pods: [{ metadata: { name: 'deleted', deletionTimestamp: ago(-60_000) }, status: { phase: 'Pending' } }],
      metrics: [['deleted', metric(1)]],
      resource: 'cpu',
      ready: 0,
      ignored: ['deleted'],
    },
    {
      name: 'ignore pods in a failed state',
      pods: [pod('failed', { phase: 'Failed' })],
      metrics: [['failed', metric(1)]],
      resource: 'cpu',
      ready: 0,
      ignored: ['failed'],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const g = groupPods(
        c.pods,
        new Map(c.metrics) as PodMetricsInfo,
        c.resource,
        { cpuInitializationPeriodMs: 2 * 60_000, delayOfInitialReadinessStatusMs: 10_000 },
        NOW,
      );
      assert.deepEqual(
        {
          ready: g.readyPodCount,
          unready: [...g.unreadyPods],
          missing: [...g.missingPods],
          ignored: [...g.ignoredPods],
        },
        { ready: c.ready, unready: c.unready ?? [], missing: c.missing ?? [], ignored: c.ignored ?? [] },
      );
    });
  }
});

describe('calculateRequests (upstream TestCalculateRequests)', () => {
  const pod = (spec: Pod['spec']): Pod => ({ metadata: { name: 'p' }, spec });
  const req = (cpuQ: string) => ({ requests: { cpu: cpuQ } });
  it('sums app containers and sidecars (restartable init containers), not regular init containers', () => {
    const p = pod({
      containers: [
        { name: 'a', resources: req('100m') },
        { name: 'b', resources: req('200m') },
      ],
      initContainers: [
        { name: 'sidecar', restartPolicy: 'Always', resources: req('50m') },
        { name: 'init', resources: req('1') },
      ],
    });
    assert.deepEqual([...calculateRequests([p], '', 'cpu')], [['p', 350]]);
    assert.deepEqual([...calculateRequests([p], 'b', 'cpu')], [['p', 200]]);
    assert.deepEqual([...calculateRequests([p], 'sidecar', 'cpu')], [['p', 50]]);
  });
  it('uses pod-level requests unless a container is named', () => {
    const p = pod({
      resources: { requests: { cpu: '2' } },
      containers: [{ name: 'a', resources: req('100m') }],
    } as Pod['spec']);
    assert.deepEqual([...calculateRequests([p], '', 'cpu')], [['p', 2000]]);
    assert.deepEqual([...calculateRequests([p], 'a', 'cpu')], [['p', 100]]);
    const noCpu = pod({
      resources: { requests: { memory: '1Gi' } },
      containers: [{ name: 'a', resources: req('100m') }],
    } as Pod['spec']);
    assert.throws(() => calculateRequests([noCpu], '', 'cpu'), /missing pod-level request for cpu in Pod p/);
  });
  it('fails on a container without the request, or a container not in the pod', () => {
    const p = pod({ containers: [{ name: 'a', resources: req('100m') }, { name: 'b' }] });
    assert.throws(() => calculateRequests([p], '', 'cpu'), /^Error: missing request for cpu in container b of Pod p$/);
    assert.throws(() => calculateRequests([p], 'c', 'cpu'), /^Error: container c not found in Pod p$/);
  });
});

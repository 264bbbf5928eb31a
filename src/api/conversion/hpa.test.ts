import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '../../core/types.js';
import {
  BEHAVIOR_ANNOTATION,
  CONDITIONS_ANNOTATION,
  METRIC_SPECS_ANNOTATION,
  METRIC_STATUSES_ANNOTATION,
} from './hpa.js';
import { converterFor } from './index.js';

const conv = converterFor('autoscaling', 'v1', 'HorizontalPodAutoscaler')!;
const ref = { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' };

const stored = (): KubeObject => ({
  apiVersion: 'autoscaling/v2',
  kind: 'HorizontalPodAutoscaler',
  metadata: { name: 'web', namespace: 'default', uid: 'u', annotations: { team: 'a' } },
  spec: {
    scaleTargetRef: ref,
    minReplicas: 2,
    maxReplicas: 10,
    metrics: [
      { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 60 } } },
      { type: 'Resource', resource: { name: 'memory', target: { type: 'AverageValue', averageValue: '500Mi' } } },
      { type: 'Pods', pods: { metric: { name: 'qps' }, target: { type: 'AverageValue', averageValue: '10' } } },
    ],
    behavior: {
      scaleDown: {
        stabilizationWindowSeconds: 300,
        selectPolicy: 'Max',
        policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }],
      },
    },
  },
  status: {
    currentReplicas: 3,
    desiredReplicas: 4,
    currentMetrics: [
      { type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 75, averageValue: '150m' } } },
    ],
    conditions: [
      { type: 'AbleToScale', status: 'True', reason: 'ReadyForNewScale', lastTransitionTime: '2024-01-01T00:00:00Z' },
    ],
  },
});

test('v2 to v1 keeps the CPU target in fields and the rest in annotations', () => {
  const v1 = conv.fromStorage(stored());
  assert.equal(v1.apiVersion, 'autoscaling/v1');
  assert.deepEqual(v1.spec, {
    scaleTargetRef: ref,
    minReplicas: 2,
    maxReplicas: 10,
    targetCPUUtilizationPercentage: 60,
  });
  assert.deepEqual(v1.status, { currentReplicas: 3, desiredReplicas: 4, currentCPUUtilizationPercentage: 75 });
  const a = v1.metadata.annotations!;
  assert.equal(a.team, 'a');
  assert.deepEqual(JSON.parse(a[METRIC_SPECS_ANNOTATION]!), [
    { type: 'Resource', resource: { name: 'memory', targetAverageValue: '500Mi' } },
    { type: 'Pods', pods: { metricName: 'qps', targetAverageValue: '10' } },
  ]);
  assert.deepEqual(JSON.parse(a[METRIC_STATUSES_ANNOTATION]!), [
    { type: 'Resource', resource: { name: 'cpu', currentAverageUtilization: 75, currentAverageValue: '150m' } },
  ]);
  assert.equal(JSON.parse(a[CONDITIONS_ANNOTATION]!)[0].type, 'AbleToScale');
  // Upstream marshals the internal Go struct: Go field names.
  assert.deepEqual(JSON.parse(a[BEHAVIOR_ANNOTATION]!).ScaleDown.StabilizationWindowSeconds, 300);
});

test('a v1 read-modify-write round trip is lossless (CPU metric moves last, as upstream)', () => {
  const original = stored();
  const v1 = conv.fromStorage(original);
  (v1.spec as Record<string, unknown>).maxReplicas = 12;
  const back = conv.toStorage(v1);
  const expected = stored();
  const spec = expected.spec as { maxReplicas: number; metrics: unknown[] };
  spec.maxReplicas = 12;
  spec.metrics = [spec.metrics[1], spec.metrics[2], spec.metrics[0]];
  assert.deepEqual(back, expected);
  // And the original was not mutated.
  assert.deepEqual(original, stored());
});

test('a plain v1 HPA gets the CPU metric, or the 80% default', () => {
  const v1 = (spec: Record<string, unknown>): KubeObject => ({
    apiVersion: 'autoscaling/v1',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name: 'web', namespace: 'default' },
    spec: { scaleTargetRef: ref, maxReplicas: 5, ...spec },
  });
  const withTarget = conv.toStorage(v1({ targetCPUUtilizationPercentage: 50 }));
  assert.deepEqual((withTarget.spec as { metrics: unknown }).metrics, [
    { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } },
  ]);
  assert.equal(withTarget.metadata.annotations, undefined);
  assert.deepEqual(withTarget.status, { currentReplicas: 0, desiredReplicas: 0 });
  const bare = conv.toStorage(v1({}));
  assert.deepEqual((bare.spec as { metrics: unknown }).metrics, [
    { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } },
  ]);
});

test('only non-storage versions have converters', () => {
  assert.equal(converterFor('autoscaling', 'v2', 'HorizontalPodAutoscaler'), undefined);
  assert.equal(converterFor('', 'v1', 'Event'), undefined);
  assert.ok(converterFor('events.k8s.io', 'v1', 'Event'));
});

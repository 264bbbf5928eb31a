import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { EndpointSlice } from '../../core/index.js';
import { mkPod, svc } from '../shared/testing/service-fixtures.js';
import { planEndpointSlices } from './compute.js';

function apply(existing: EndpointSlice[], plan: ReturnType<typeof planEndpointSlices>): EndpointSlice[] {
  let n = existing.length;
  const gone = new Set(plan.delete.map((s) => s.metadata.name));
  const updated = new Map(plan.update.map((s) => [s.metadata.name, s]));
  return [
    ...existing.filter((s) => !gone.has(s.metadata.name)).map((s) => updated.get(s.metadata.name) ?? s),
    ...plan.create.map((s) => ({ ...s, metadata: { ...s.metadata, name: `web-${n++}` } })),
  ];
}

test('slices carry labels, conditions and ports; at most max per slice; stable on re-plan', () => {
  const pods = Array.from({ length: 5 }, (_, i) => mkPod(`p${i}`, `10.42.0.${10 + i}`, i !== 1, { port: 8080 }));
  pods.push(mkPod('term', '10.42.0.99', true, { port: 8080, deleting: true }));
  const plan = planEndpointSlices(svc, pods, [], 4);
  assert.equal(plan.create.length, 2);
  const first = plan.create[0]!;
  assert.equal(first.metadata.labels?.['kubernetes.io/service-name'], 'web');
  assert.equal(first.metadata.labels?.['endpointslice.kubernetes.io/managed-by'], 'endpointslice-controller.k8s.io');
  assert.equal(first.metadata.labels?.team, 'a');
  assert.equal(first.metadata.ownerReferences?.[0]?.uid, 'svc-uid');
  assert.deepEqual(first.ports, [
    { name: 'http', port: 8080, protocol: 'TCP' },
    { name: 'metrics', port: 9090, protocol: 'TCP' },
  ]);
  assert.equal(first.endpoints?.length, 4);
  const all = plan.create.flatMap((s) => s.endpoints ?? []);
  assert.deepEqual(all.find((e) => e.targetRef.name === 'p1')?.conditions, {
    ready: false,
    serving: false,
    terminating: false,
  });
  assert.deepEqual(all.find((e) => e.targetRef.name === 'term')?.conditions, {
    ready: false,
    serving: true,
    terminating: true,
  });
  let slices = apply([], plan);
  const again = planEndpointSlices(svc, pods, slices, 4);
  assert.deepEqual([again.create.length, again.update.length, again.delete.length], [0, 0, 0]);
  // One pod turns ready: exactly one slice changes.
  pods[1] = mkPod('p1', '10.42.0.11', true, { port: 8080 });
  const one = planEndpointSlices(svc, pods, slices, 4);
  assert.deepEqual([one.create.length, one.update.length, one.delete.length], [0, 1, 0]);
  slices = apply(slices, one);
  // All pods gone: one empty placeholder slice remains.
  const none = planEndpointSlices(svc, [], slices, 4);
  slices = apply(slices, none);
  assert.equal(slices.length, 1);
  assert.deepEqual(slices[0]?.endpoints, []);
});

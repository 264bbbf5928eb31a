import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Node, Pod, Taint, Toleration } from '../../core/index.js';
import {
  desiredNodeTaints,
  notReadyPodConditions,
  observeHeartbeat,
  podEviction,
  staleNodeConditions,
} from './health.js';

const T0 = Date.parse('2025-01-01T00:00:00Z');
const node = (ready: 'True' | 'False' | 'Unknown', taints: Taint[] = []): Node => ({
  metadata: { name: 'n1' },
  spec: { taints },
  status: { conditions: [{ type: 'Ready', status: ready, lastHeartbeatTime: '2025-01-01T00:00:00Z' }] },
});
const lease = (renew: string) => ({
  metadata: { name: 'n1', namespace: 'kube-node-lease' },
  spec: { renewTime: renew },
});

test('a True NetworkUnavailable or pressure condition taints the node NoSchedule (TaintNodesByCondition)', () => {
  const withCond = (type: string, status: string, taints: Taint[] = []): Node => ({
    ...node('True', taints),
    status: {
      conditions: [
        { type: 'Ready', status: 'True', lastHeartbeatTime: '2025-01-01T00:00:00Z' },
        { type, status, reason: 'CIDRNotAvailable' },
      ],
    },
  });
  const tainted = desiredNodeTaints(withCond('NetworkUnavailable', 'True'), T0);
  assert.deepEqual(tainted, [{ key: 'node.kubernetes.io/network-unavailable', effect: 'NoSchedule' }]);
  assert.equal(desiredNodeTaints(withCond('NetworkUnavailable', 'True', tainted), T0), undefined);
  // The condition clears: so does the taint; a user's own taint stays.
  const user = { key: 'user', effect: 'NoSchedule' as const };
  assert.deepEqual(desiredNodeTaints(withCond('NetworkUnavailable', 'False', [...(tainted ?? []), user]), T0), [user]);
  assert.deepEqual(desiredNodeTaints(withCond('DiskPressure', 'True'), T0), [
    { key: 'node.kubernetes.io/disk-pressure', effect: 'NoSchedule' },
  ]);
  assert.equal(desiredNodeTaints(withCond('MemoryPressure', 'False'), T0), undefined);
});

test('a heartbeat older than the grace period turns Ready Unknown; a renewal resets the clock', () => {
  let probe = observeHeartbeat(undefined, node('True'), lease('a'), T0);
  assert.equal(staleNodeConditions(node('True'), probe, T0 + 40_000, 40_000), undefined);
  probe = observeHeartbeat(probe, node('True'), lease('b'), T0 + 30_000);
  assert.equal(staleNodeConditions(node('True'), probe, T0 + 60_000, 40_000), undefined);
  const conds = staleNodeConditions(node('True'), probe, T0 + 70_001, 40_000);
  const ready = conds?.find((c) => c.type === 'Ready');
  assert.equal(ready?.status, 'Unknown');
  assert.equal(ready?.reason, 'NodeStatusUnknown');
  assert.equal(ready?.message, 'Kubelet stopped posting node status.');
  assert.equal(conds?.find((c) => c.type === 'MemoryPressure')?.reason, 'NodeStatusNeverUpdated');
  // Already Unknown: nothing more to write.
  assert.equal(
    staleNodeConditions({ ...node('Unknown'), status: { conditions: conds } }, probe, T0 + 90_000, 40_000),
    undefined,
  );
});

test('taints follow the Ready condition and keep their timeAdded', () => {
  const unreachable = desiredNodeTaints(node('Unknown'), T0);
  assert.deepEqual(
    unreachable?.map((t) => `${t.key}:${t.effect}`),
    ['node.kubernetes.io/unreachable:NoSchedule', 'node.kubernetes.io/unreachable:NoExecute'],
  );
  assert.equal(unreachable?.find((t) => t.effect === 'NoExecute')?.timeAdded, '2025-01-01T00:00:00Z');
  assert.equal(desiredNodeTaints(node('Unknown', unreachable), T0 + 5000), undefined);
  const notReady = desiredNodeTaints(
    node('False', [...(unreachable ?? []), { key: 'user', effect: 'NoSchedule' }]),
    T0,
  );
  assert.deepEqual(
    notReady?.map((t) => `${t.key}:${t.effect}`),
    ['user:NoSchedule', 'node.kubernetes.io/not-ready:NoSchedule', 'node.kubernetes.io/not-ready:NoExecute'],
  );
  assert.deepEqual(desiredNodeTaints(node('True', unreachable), T0), []);
  assert.equal(desiredNodeTaints(node('True'), T0), undefined);
});

const pod = (tolerations: Toleration[], extra: Partial<Pod['metadata']> = {}): Pod => ({
  metadata: { name: 'p', namespace: 'ns', ...extra },
  spec: { nodeName: 'n1', containers: [], tolerations },
  status: { conditions: [{ type: 'Ready', status: 'True' }] },
});
const taint = {
  key: 'node.kubernetes.io/unreachable',
  effect: 'NoExecute' as const,
  timeAdded: '2025-01-01T00:00:00Z',
};

test('pods are evicted when their toleration runs out, at once without one, never with an unbounded one', () => {
  const p300 = pod([{ key: taint.key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }]);
  assert.deepEqual(podEviction(p300, [taint], T0 + 1000), { kind: 'evictAt', at: T0 + 300_000 });
  assert.deepEqual(podEviction(p300, [taint], T0 + 300_000), { kind: 'evict' });
  const two = pod([
    { key: taint.key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
    { operator: 'Exists', tolerationSeconds: 2 },
  ]);
  assert.deepEqual(podEviction(two, [taint], T0), { kind: 'evictAt', at: T0 + 2000 });
  assert.deepEqual(podEviction(pod([]), [taint], T0), { kind: 'evict' });
  assert.deepEqual(podEviction(pod([{ operator: 'Exists' }]), [taint], T0), { kind: 'keep' });
  assert.deepEqual(podEviction(pod([]), [{ key: 'x', effect: 'NoSchedule' }], T0), { kind: 'keep' });
  assert.deepEqual(podEviction(pod([], { deletionTimestamp: 'x' }), [taint], T0), { kind: 'keep' });
});

test('pods on an unknown node are marked not ready', () => {
  const conds = notReadyPodConditions(pod([]), T0);
  assert.equal(conds?.find((c) => c.type === 'Ready')?.status, 'False');
  assert.equal(notReadyPodConditions({ ...pod([]), status: {} }, T0), undefined);
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Pod, PodDisruptionBudget } from '../../core/index.js';
import { computePdbStatus, expectedPodCount, failSafeStatus, type ScaleFinder } from './status.js';

const NOW = Date.parse('2026-04-01T12:00:00Z');

function pod(name: string, o: { ready?: boolean; owner?: string; deleting?: boolean } = {}): Pod {
  return {
    metadata: {
      name,
      namespace: 'ns',
      labels: { app: 'web' },
      ...(o.owner === undefined
        ? {
            ownerReferences: [
              { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: 'rs-uid', controller: true },
            ],
          }
        : o.owner === ''
          ? {}
          : {
              ownerReferences: [
                { apiVersion: 'apps/v1', kind: 'StatefulSet', name: o.owner, uid: o.owner, controller: true },
              ],
            }),
      ...(o.deleting ? { deletionTimestamp: '2026-04-01T11:59:00Z' } : {}),
    },
    status: { phase: 'Running', conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True' }] },
  };
}

function pdb(
  spec: Partial<NonNullable<PodDisruptionBudget['spec']>>,
  status?: PodDisruptionBudget['status'],
): PodDisruptionBudget {
  return {
    metadata: { name: 'web', namespace: 'ns', generation: 3 },
    spec: { selector: { matchLabels: { app: 'web' } }, ...spec },
    ...(status ? { status } : {}),
  };
}

/** Every pod's controller wants 4 replicas (a Deployment's ReplicaSet, say). */
const scale4: ScaleFinder = (p) => {
  const ref = p.metadata.ownerReferences?.find((r) => r.controller);
  return ref ? { uid: ref.uid, scale: 4 } : undefined;
};

test('expected pods and desired healthy: minAvailable as a number or percentage, maxUnavailable', () => {
  const pods = [pod('a'), pod('b'), pod('c')];
  assert.deepEqual(expectedPodCount(pdb({ minAvailable: 2 }), pods, scale4), {
    expected: 3,
    desired: 2,
    unmanaged: [],
  });
  assert.deepEqual(expectedPodCount(pdb({ minAvailable: '50%' }), pods, scale4), {
    expected: 4,
    desired: 2,
    unmanaged: [],
  });
  assert.deepEqual(expectedPodCount(pdb({ maxUnavailable: 1 }), pods, scale4), {
    expected: 4,
    desired: 3,
    unmanaged: [],
  });
  assert.deepEqual(expectedPodCount(pdb({ maxUnavailable: '30%' }), pods, scale4), {
    expected: 4,
    desired: 2,
    unmanaged: [],
  });
  const two = [pod('a'), pod('s', { owner: 'ss' })];
  assert.equal(
    expectedPodCount(pdb({ maxUnavailable: 0 }), two, scale4).expected,
    8,
    'scales of distinct controllers add up',
  );
  const bare = [pod('x', { owner: '' })];
  assert.deepEqual(expectedPodCount(pdb({ maxUnavailable: 1 }), bare, scale4).unmanaged, ['x']);
  assert.throws(
    () => expectedPodCount(pdb({ maxUnavailable: 1 }), [pod('a')], () => undefined),
    /found no controllers for pod "a"/,
  );
});

test('status: healthy pods, disruptions allowed and the DisruptionAllowed condition follow readiness', () => {
  const all = computePdbStatus(pdb({ minAvailable: 2 }), [pod('a'), pod('b'), pod('c')], scale4, NOW);
  assert.deepEqual(
    { ...all.status, conditions: undefined },
    {
      currentHealthy: 3,
      desiredHealthy: 2,
      expectedPods: 3,
      disruptionsAllowed: 1,
      observedGeneration: 3,
      conditions: undefined,
    },
  );
  const cond = all.status?.conditions?.[0];
  assert.deepEqual([cond?.type, cond?.status, cond?.reason], ['DisruptionAllowed', 'True', 'SufficientPods']);
  const one = computePdbStatus(
    pdb({ minAvailable: 2 }),
    [pod('a'), pod('b', { ready: false }), pod('c', { deleting: true })],
    scale4,
    NOW,
  );
  assert.equal(one.status?.currentHealthy, 1);
  assert.equal(one.status?.disruptionsAllowed, 0);
  assert.equal(one.status?.conditions?.[0]?.reason, 'InsufficientPods');
  const none = computePdbStatus(pdb({ minAvailable: 0 }), [], scale4, NOW);
  assert.equal(none.status?.disruptionsAllowed, 0, 'no expected pods: nothing may be disrupted');
  assert.deepEqual(
    none.events.map((e) => e.reason),
    ['NoPods'],
  );
  // Written once; the same pods again change nothing.
  const written = pdb({ minAvailable: 2 }, all.status);
  assert.equal(computePdbStatus(written, [pod('a'), pod('b'), pod('c')], scale4, NOW + 1000).status, undefined);
});

test('evicted pods: not counted while their deletion is due, dropped (NotDeleted) once overdue, rechecked then', () => {
  const evictedAt = '2026-04-01T11:59:30Z';
  const budget = pdb(
    { minAvailable: 1 },
    {
      currentHealthy: 3,
      desiredHealthy: 1,
      expectedPods: 3,
      disruptionsAllowed: 1,
      observedGeneration: 3,
      disruptedPods: { b: evictedAt },
    },
  );
  const pods = [pod('a'), pod('b'), pod('c')];
  const r = computePdbStatus(budget, pods, scale4, NOW);
  assert.equal(r.status?.currentHealthy, 2);
  assert.deepEqual(r.status?.disruptedPods, { b: evictedAt });
  assert.equal(r.recheckAt, Date.parse(evictedAt) + 120_000);
  const later = computePdbStatus(budget, pods, scale4, NOW + 150_000);
  assert.equal(later.status?.currentHealthy, 3);
  assert.equal(later.status?.disruptedPods, undefined);
  assert.deepEqual(
    later.events.map((e) => [e.reason, e.pod?.metadata.name]),
    [['NotDeleted', 'b']],
  );
});

test('fail safe: no disruptions, DisruptionAllowed False with SyncFailed', () => {
  const s = failSafeStatus(
    pdb({ minAvailable: 1 }, { currentHealthy: 3, desiredHealthy: 1, expectedPods: 3, disruptionsAllowed: 2 }),
    'boom',
    NOW,
  );
  assert.equal(s.disruptionsAllowed, 0);
  assert.deepEqual(
    s.conditions?.map((c) => [c.type, c.status, c.reason, c.message]),
    [['DisruptionAllowed', 'False', 'SyncFailed', 'boom']],
  );
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Deployment, Pod, ReplicaSet } from '../../core/index.js';
import { podTemplateHash, templatesEqualIgnoringHash } from './hash.js';
import { findNewReplicaSet, newReplicaSet } from './replicasets.js';
import {
  historyToDelete,
  isScalingEvent,
  maxSurge,
  maxUnavailable,
  proportionalScale,
  recreateStep,
  rollingUpdateStep,
} from './rollout.js';
import { scaledValueFromIntOrPercent as scaledValue } from '../../core/index.js';
import { DESIRED_REPLICAS_ANNOTATION, MAX_REPLICAS_ANNOTATION, REVISION_ANNOTATION } from './annotations.js';

function deploy(
  replicas: number,
  maxSurgeV: number | string,
  maxUnavailableV: number | string,
  type: 'RollingUpdate' | 'Recreate' = 'RollingUpdate',
): Deployment {
  return {
    metadata: { name: 'web', namespace: 'default', uid: 'd-uid', generation: 2 },
    spec: {
      replicas,
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'v2' }] } },
      strategy:
        type === 'Recreate'
          ? { type }
          : { type, rollingUpdate: { maxSurge: maxSurgeV, maxUnavailable: maxUnavailableV } },
      revisionHistoryLimit: 10,
    },
  };
}

function rs(
  name: string,
  replicas: number,
  available: number,
  created: string,
  annotations: Record<string, string> = {},
): ReplicaSet {
  return {
    metadata: {
      name,
      namespace: 'default',
      uid: `${name}-uid`,
      creationTimestamp: created,
      annotations,
      generation: 1,
    },
    spec: { replicas },
    status: { replicas, availableReplicas: available, observedGeneration: 1 },
  } as ReplicaSet;
}

test('percentages: surge rounds up, unavailable rounds down; both zero means one unavailable', () => {
  assert.equal(scaledValue('25%', 10, true), 3);
  assert.equal(scaledValue('25%', 10, false), 2);
  assert.equal(scaledValue(4, 10, false), 4);
  assert.equal(maxSurge(deploy(10, '25%', '25%')), 3);
  assert.equal(maxUnavailable(deploy(10, '25%', '25%')), 2);
  assert.equal(maxUnavailable(deploy(3, '10%', '10%')), 0, '10% of 3 rounds down to 0, surge rounds up to 1');
  assert.equal(maxSurge(deploy(3, '10%', '10%')), 1);
  assert.equal(maxUnavailable(deploy(3, 0, 0)), 1, 'both zero would deadlock');
  assert.equal(maxUnavailable(deploy(2, 0, 5)), 2, 'capped at replicas');
  assert.equal(maxSurge(deploy(3, 1, 1, 'Recreate')), 0);
});

/**
 * Drives a rolling update to completion on plain objects. Each tick: one controller step, then the
 * "ReplicaSet controller" makes status follow spec; pods created in a tick become available on the next.
 */
function simulate(d: Deployment, oldSize: number) {
  const desired = d.spec!.replicas!;
  const old = rs('web-old', oldSize, oldSize, '2026-01-01T00:00:00Z', { [REVISION_ANNOTATION]: '1' });
  const neu = rs('web-new', 0, 0, '2026-01-01T00:01:00Z', { [REVISION_ANNOTATION]: '2' });
  const all = [old, neu];
  let minAvailable = Number.POSITIVE_INFINITY;
  let maxTotal = 0;
  let steps = 0;
  const freshlyCreated = new Map<string, number>();
  for (; steps < 200; steps++) {
    // pods created last tick are now ready and available
    for (const r of all) {
      const fresh = freshlyCreated.get(r.metadata.name!) ?? 0;
      r.status!.availableReplicas = Math.min(r.spec!.replicas!, r.status!.availableReplicas! + fresh);
      freshlyCreated.set(r.metadata.name!, 0);
    }
    minAvailable = Math.min(
      minAvailable,
      all.reduce((n, r) => n + r.status!.availableReplicas!, 0),
    );
    const step = rollingUpdateStep(d, neu, [old]);
    if (step.kind === 'settled') break;
    assert.equal(step.kind, 'scale');
    if (step.kind !== 'scale') break;
    for (const a of step.actions) {
      const r = all.find((x) => x.metadata.name === a.name)!;
      assert.equal(r.spec!.replicas, a.from);
      r.spec!.replicas = a.to;
      if (a.to > r.status!.replicas) freshlyCreated.set(a.name, a.to - r.status!.replicas);
      r.status!.replicas = a.to;
      r.status!.availableReplicas = Math.min(r.status!.availableReplicas!, a.to);
    }
    maxTotal = Math.max(
      maxTotal,
      all.reduce((n, r) => n + r.spec!.replicas!, 0),
    );
  }
  return { old, neu, minAvailable, maxTotal, steps, desired };
}

test('rolling update with maxUnavailable=0 never drops available below desired and completes', () => {
  for (const replicas of [1, 2, 3, 5, 10, 25]) {
    for (const surge of [1, 2, '25%', '100%']) {
      const d = deploy(replicas, surge, 0);
      const r = simulate(d, replicas);
      assert.ok(
        r.minAvailable >= replicas,
        `replicas=${replicas} surge=${surge}: available dropped to ${r.minAvailable}`,
      );
      assert.ok(r.maxTotal <= replicas + maxSurge(d), `replicas=${replicas} surge=${surge}: ${r.maxTotal} pods`);
      assert.equal(r.neu.spec!.replicas, replicas, 'new ReplicaSet reaches desired');
      assert.equal(r.old.spec!.replicas, 0, 'old ReplicaSet scaled to zero');
      assert.ok(r.steps < 200);
    }
  }
});

test('rolling update respects maxUnavailable and maxSurge together', () => {
  for (const [replicas, surge, unavail] of [
    [10, '25%', '25%'],
    [10, 0, 3],
    [4, 1, 1],
    [7, '30%', '30%'],
  ] as const) {
    const d = deploy(replicas, surge, unavail);
    const r = simulate(d, replicas);
    assert.ok(r.minAvailable >= replicas - maxUnavailable(d), `${replicas}/${surge}/${unavail}: ${r.minAvailable}`);
    assert.ok(r.maxTotal <= replicas + maxSurge(d));
    assert.equal(r.neu.spec!.replicas, replicas);
    assert.equal(r.old.spec!.replicas, 0);
  }
});

test('first step of a 10-replica rollout with 25%/25%: new RS surges to 3', () => {
  const d = deploy(10, '25%', '25%');
  const step = rollingUpdateStep(d, rs('new', 0, 0, '2026-01-01T00:01:00Z'), [
    rs('old', 10, 10, '2026-01-01T00:00:00Z'),
  ]);
  assert.deepEqual(step, { kind: 'scale', actions: [{ name: 'new', from: 0, to: 3 }] });
  // Surge used up: the old one shrinks by the unavailability budget (10+3 available budget: 10-8=2).
  const step2 = rollingUpdateStep(d, rs('new', 3, 0, '2026-01-01T00:01:00Z'), [
    rs('old', 10, 10, '2026-01-01T00:00:00Z'),
  ]);
  assert.deepEqual(step2, { kind: 'scale', actions: [{ name: 'old', from: 10, to: 8 }] });
});

test('unhealthy old replicas are cleaned up first', () => {
  const d = deploy(4, 0, 2);
  // old has 4 replicas, only 2 available: the 2 unavailable ones go first, and no available one.
  const step = rollingUpdateStep(d, rs('new', 0, 0, '2026-01-01T00:01:00Z'), [rs('old', 4, 2, '2026-01-01T00:00:00Z')]);
  assert.deepEqual(step, { kind: 'scale', actions: [{ name: 'old', from: 4, to: 2 }] });
});

test('recreate: old to zero, wait for pods, then create, then scale the new one up', () => {
  const d = deploy(3, 0, 0, 'Recreate');
  const old = rs('old', 3, 3, '2026-01-01T00:00:00Z');
  assert.deepEqual(recreateStep(d, undefined, [old], []), {
    kind: 'scale',
    actions: [{ name: 'old', from: 3, to: 0 }],
  });
  const drained = rs('old', 0, 0, '2026-01-01T00:00:00Z');
  const lingering: Pod = { metadata: { name: 'p' }, status: { phase: 'Running' } };
  assert.deepEqual(recreateStep(d, undefined, [drained], [lingering]), { kind: 'waitForOldPods' });
  assert.deepEqual(
    recreateStep(d, undefined, [drained], [{ metadata: { name: 'p' }, status: { phase: 'Succeeded' } }]),
    {
      kind: 'createNewReplicaSet',
    },
  );
  assert.deepEqual(recreateStep(d, rs('new', 0, 0, '2026-01-01T00:01:00Z'), [drained], []), {
    kind: 'scale',
    actions: [{ name: 'new', from: 0, to: 3 }],
  });
});

test('proportional scaling mid-rollout spreads the change by size', () => {
  const d = deploy(15, 3, 0);
  const ann = { [DESIRED_REPLICAS_ANNOTATION]: '10', [MAX_REPLICAS_ANNOTATION]: '13' };
  const old = rs('old', 8, 8, '2026-01-01T00:00:00Z', ann);
  const neu = rs('new', 5, 0, '2026-01-01T00:01:00Z', ann);
  assert.equal(isScalingEvent(d, [old, neu]), true);
  const actions = proportionalScale(d, neu, [old]);
  assert.deepEqual(
    actions.map((a) => [a.name, a.to]),
    [
      ['old', 11],
      ['new', 7],
    ],
  );
  assert.equal(
    actions.reduce((n, a) => n + a.to, 0),
    18,
    'desired + surge',
  );
  // scale down to zero
  const zero = proportionalScale(deploy(0, 3, 0), neu, [old]);
  assert.deepEqual(
    zero.map((a) => a.to),
    [0, 0],
  );
  // a single active ReplicaSet just takes the new size
  assert.deepEqual(
    proportionalScale(d, rs('new', 10, 10, '2026-01-01T00:01:00Z', ann), [rs('old', 0, 0, '2026-01-01T00:00:00Z')]),
    [{ name: 'new', from: 10, to: 15 }],
  );
});

test('revision history: oldest fully scaled-down ReplicaSets beyond the limit are deleted', () => {
  const d = deploy(1, 1, 0);
  d.spec!.revisionHistoryLimit = 1;
  const r1 = rs('r1', 0, 0, '2026-01-01T00:00:00Z', { [REVISION_ANNOTATION]: '1' });
  const r2 = rs('r2', 0, 0, '2026-01-01T00:01:00Z', { [REVISION_ANNOTATION]: '2' });
  const r3 = rs('r3', 1, 1, '2026-01-01T00:02:00Z', { [REVISION_ANNOTATION]: '3' });
  // Two old ones, limit 1: the oldest revision goes; one still scaled up would be kept.
  assert.deepEqual(
    historyToDelete(d, [r2, r1]).map((r) => r.metadata.name),
    ['r1'],
  );
  const busy = rs('r0', 1, 1, '2025-12-31T00:00:00Z', { [REVISION_ANNOTATION]: '0' });
  assert.deepEqual(historyToDelete(d, [busy, r2]), []);
  assert.equal(r3.spec!.replicas, 1);
});

test('template hash is stable, ignores its own label and key order; new RS carries it', () => {
  const d = deploy(2, 1, 0);
  const h = podTemplateHash(d.spec!.template);
  assert.match(h, /^[bcdfghjklmnpqrstvwxz2456789]+$/);
  const reordered = {
    spec: { containers: [{ image: 'v2', name: 'c' }] },
    metadata: { labels: { app: 'web', 'pod-template-hash': 'x' } },
  };
  assert.equal(podTemplateHash(reordered), h);
  assert.notEqual(podTemplateHash(d.spec!.template, 1), h, 'collisionCount changes the hash');
  const created = newReplicaSet(d, 4, 1);
  assert.equal(created.metadata.name, `web-${h}`);
  assert.equal(created.spec!.selector!.matchLabels!['pod-template-hash'], h);
  assert.equal(created.spec!.template!.metadata!.labels!['pod-template-hash'], h);
  assert.equal(created.metadata.annotations![REVISION_ANNOTATION], '4');
  assert.equal(created.metadata.annotations![DESIRED_REPLICAS_ANNOTATION], '2');
  assert.equal(created.metadata.annotations![MAX_REPLICAS_ANNOTATION], '3');
  assert.ok(templatesEqualIgnoringHash(created.spec!.template, d.spec!.template));
  assert.equal(findNewReplicaSet(d, [rs('other', 1, 1, '2026-01-01T00:00:00Z'), created]), created);
});

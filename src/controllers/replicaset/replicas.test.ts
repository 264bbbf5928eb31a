import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FakeClock } from '../../client/index.js';
import { labelSelectorFromObject, type Pod, type ReplicaSet } from '../../core/index.js';
import { slowStartBatches } from '../shared/batches.js';
import { EXPECTATIONS_TTL_MS, Expectations } from '../shared/expectations.js';
import { adoptPatch, claimObjects, releasePatch } from '../shared/ownership.js';
import { podsToDelete } from '../shared/active-pods.js';
import { replicaDiff, replicaStatus as replicaSetStatus } from '../shared/replicas.js';
import { podFromTemplate } from './controller.js';

const NOW = Date.parse('2026-01-01T00:10:00Z');

function rs(replicas: number, extra: Partial<ReplicaSet['spec']> = {}): ReplicaSet {
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name: 'web', namespace: 'default', uid: 'rs-uid', generation: 3 },
    spec: {
      replicas,
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web', tier: 'fe' } },
        spec: { containers: [{ name: 'c', image: 'nginx' }] },
      },
      ...extra,
    },
  };
}

let seq = 0;
function pod(
  o: {
    node?: string;
    phase?: string;
    ready?: boolean;
    readySince?: string;
    created?: string;
    labels?: Record<string, string>;
    restarts?: number;
  } = {},
): Pod {
  seq++;
  return {
    metadata: {
      name: `p${seq}`,
      namespace: 'default',
      uid: `u${seq}`,
      labels: o.labels ?? { app: 'web', tier: 'fe' },
      creationTimestamp: o.created ?? `2026-01-01T00:00:${String(seq % 60).padStart(2, '0')}Z`,
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: 'rs-uid', controller: true }],
    },
    spec: o.node ? { nodeName: o.node } : {},
    status: {
      phase: o.phase ?? 'Running',
      conditions: [
        {
          type: 'Ready',
          status: o.ready === false ? 'False' : 'True',
          lastTransitionTime: o.readySince ?? '2026-01-01T00:01:00Z',
        },
      ],
      containerStatuses: [{ restartCount: o.restarts ?? 0 }],
    },
  } as unknown as Pod;
}

test('replicaDiff: create the shortfall, delete the excess, nothing when equal', () => {
  assert.deepEqual(replicaDiff(rs(3), [pod()]), { kind: 'create', count: 2 });
  assert.deepEqual(replicaDiff(rs(1), [pod()]), { kind: 'none' });
  const d = replicaDiff(rs(1), [pod({ node: 'n1' }), pod({ node: 'n1' }), pod({ node: 'n1' })]);
  assert.equal(d.kind, 'delete');
  assert.equal(d.kind === 'delete' && d.pods.length, 2);
  assert.deepEqual(replicaDiff(rs(2000), []), { kind: 'create', count: 500 }, 'burst cap');
});

test('slow start batches double and sum to the count', () => {
  assert.deepEqual(slowStartBatches(10), [1, 2, 4, 3]);
  assert.deepEqual(slowStartBatches(1), [1]);
  assert.deepEqual(slowStartBatches(0), []);
  assert.equal(
    slowStartBatches(500).reduce((a, b) => a + b, 0),
    500,
  );
});

test('deletion order: unscheduled, pending, not ready, crowded node, shortest ready, restarts, youngest', () => {
  const scheduledReady = pod({ node: 'n1' });
  const unscheduled = pod({ phase: 'Pending', ready: false });
  const pending = pod({ node: 'n1', phase: 'Pending', ready: false });
  const notReady = pod({ node: 'n2', ready: false });
  const all = [scheduledReady, notReady, pending, unscheduled];
  assert.deepEqual(
    podsToDelete(all, 3).map((p) => p.metadata.name),
    [unscheduled, pending, notReady].map((p) => p.metadata.name),
  );

  const lonely = pod({ node: 'a' });
  const crowded1 = pod({ node: 'b' });
  const crowded2 = pod({ node: 'b' });
  assert.notEqual(podsToDelete([lonely, crowded1, crowded2], 1)[0], lonely, 'a pod on the crowded node goes first');

  const oldReady = pod({ node: 'x', readySince: '2026-01-01T00:01:00Z' });
  const newReady = pod({ node: 'y', readySince: '2026-01-01T00:05:00Z' });
  assert.equal(podsToDelete([oldReady, newReady], 1)[0], newReady);

  const restarting = pod({ node: 'x', restarts: 5 });
  const stable = pod({ node: 'y' });
  assert.equal(podsToDelete([stable, restarting], 1)[0], restarting);

  const older = pod({ node: 'x', created: '2026-01-01T00:00:01Z' });
  const younger = pod({ node: 'y', created: '2026-01-01T00:00:09Z' });
  assert.equal(podsToDelete([older, younger], 1)[0], younger);
});

test('status counts replicas, fully labeled, ready and available with minReadySeconds', () => {
  const pods = [
    pod({ readySince: '2026-01-01T00:00:00Z' }),
    pod({ readySince: '2026-01-01T00:09:50Z' }), // ready 10 s ago: not yet available with minReady 30
    pod({ ready: false }),
    pod({ labels: { app: 'web' } }), // matches the selector but lacks tier
  ];
  const s = replicaSetStatus(rs(4, { minReadySeconds: 30 }), pods, NOW);
  assert.deepEqual(
    { ...s },
    { replicas: 4, fullyLabeledReplicas: 3, readyReplicas: 3, availableReplicas: 2, observedGeneration: 3 },
  );
});

test('ReplicaFailure is set on a create error and cleared after success', () => {
  const failing = replicaSetStatus(rs(2), [], NOW, { kind: 'create', message: 'quota exceeded' });
  assert.equal(failing.conditions?.[0]?.type, 'ReplicaFailure');
  assert.equal(failing.conditions?.[0]?.reason, 'FailedCreate');
  const withFailure = { ...rs(2), status: failing };
  const recovered = replicaSetStatus(withFailure, [pod(), pod()], NOW);
  assert.equal(recovered.conditions, undefined);
});

test('claim: keeps owned, adopts matching orphans, releases owned non-matching, ignores others', () => {
  const owner = rs(3);
  const sel = labelSelectorFromObject(owner.spec!.selector);
  const owned = pod();
  const orphan = pod();
  orphan.metadata.ownerReferences = undefined;
  const strayed = pod({ labels: { app: 'other' } });
  const foreign = pod();
  foreign.metadata.ownerReferences = [
    { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'x', uid: 'other', controller: true },
  ];
  const orphanNoMatch = pod({ labels: { app: 'db' } });
  orphanNoMatch.metadata.ownerReferences = undefined;
  const c = claimObjects(owner, sel, [owned, orphan, strayed, foreign, orphanNoMatch]);
  assert.deepEqual(c.owned, [owned]);
  assert.deepEqual(c.adopt, [orphan]);
  assert.deepEqual(c.release, [strayed]);
  const deleting = { ...owner, metadata: { ...owner.metadata, deletionTimestamp: '2026-01-01T00:00:00Z' } };
  assert.deepEqual(claimObjects(deleting, sel, [orphan]).adopt, [], 'an owner being deleted adopts nothing');
  assert.deepEqual(adoptPatch(orphan, { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: 'rs-uid' }), {
    metadata: {
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: 'rs-uid' }],
      uid: orphan.metadata.uid,
    },
  });
  assert.deepEqual(releasePatch(strayed, 'rs-uid'), {
    metadata: { ownerReferences: [{ $patch: 'delete', uid: 'rs-uid' }], uid: strayed.metadata.uid },
  });
});

test('pod from template: generateName, controller ref that blocks owner deletion, labels copied', () => {
  const p = podFromTemplate(rs(1));
  assert.equal(p.metadata.generateName, 'web-');
  assert.deepEqual(p.metadata.ownerReferences, [
    {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      name: 'web',
      uid: 'rs-uid',
      controller: true,
      blockOwnerDeletion: true,
    },
  ]);
  assert.deepEqual(p.metadata.labels, { app: 'web', tier: 'fe' });
  assert.deepEqual(p.spec, { containers: [{ name: 'c', image: 'nginx' }] });
});

test('expectations: unsatisfied until observed, each deleted pod counted once, expire after the TTL', () => {
  const clock = new FakeClock(1000);
  const e = new Expectations(clock);
  assert.equal(e.satisfied('ns/a'), true);
  e.expectCreations('ns/a', 2);
  e.creationObserved('ns/a');
  assert.equal(e.satisfied('ns/a'), false);
  e.creationObserved('ns/a');
  assert.equal(e.satisfied('ns/a'), true);
  e.expectDeletions('ns/a', ['ns/p1', 'ns/p2']);
  e.deletionObserved('ns/a', 'ns/p1');
  e.deletionObserved('ns/a', 'ns/p1');
  assert.equal(e.satisfied('ns/a'), false);
  clock.advance(EXPECTATIONS_TTL_MS + 1);
  assert.equal(e.satisfied('ns/a'), true, 'expired');
});

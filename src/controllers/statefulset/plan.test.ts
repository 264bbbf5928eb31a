import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PersistentVolumeClaim, Pod, StatefulSet } from '../../core/index.js';
import { claimOwnerRefs, claimOwnerUpToDate } from './claims.js';
import { newStatefulSetPod, POD_INDEX_LABEL, POD_NAME_LABEL, REVISION_LABEL, setPodRevision } from './identity.js';
import { type PlanInput, planStatefulSet, type StatefulAction } from './plan.js';
import { applyRevision, newRevision, planRevisions, revisionsToPrune } from './revisions.js';

const NOW = Date.parse('2026-02-01T10:00:00Z');

function sts(spec: Partial<NonNullable<StatefulSet['spec']>> = {}, status?: StatefulSet['status']): StatefulSet {
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 'web', namespace: 'ns', uid: 'set-uid', generation: 4 },
    spec: {
      replicas: 3,
      serviceName: 'web-svc',
      selector: { matchLabels: { app: 'web' } },
      podManagementPolicy: 'OrderedReady',
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx:1' }] } },
      volumeClaimTemplates: [
        { metadata: { name: 'data', labels: { tier: 'db' } }, spec: { accessModes: ['ReadWriteOnce'] } },
      ],
      ...spec,
    },
    ...(status ? { status } : {}),
  };
}

/** A member as the API server would show it: created, with a phase, at a revision. */
function member(
  set: StatefulSet,
  ordinal: number,
  o: { phase?: string; ready?: boolean; revision?: string; deleting?: boolean } = {},
): Pod {
  const pod = newStatefulSetPod(set, ordinal);
  pod.metadata.uid = `pod-${ordinal}`;
  setPodRevision(pod, o.revision ?? 'web-rev1');
  if (o.deleting) pod.metadata.deletionTimestamp = '2026-02-01T09:59:00Z';
  pod.status = {
    phase: o.phase ?? 'Running',
    conditions: [
      { type: 'Ready', status: o.ready === false ? 'False' : 'True', lastTransitionTime: '2026-02-01T09:00:00Z' },
    ],
  };
  return pod;
}

function input(set: StatefulSet, pods: Pod[], o: Partial<PlanInput> = {}): PlanInput {
  return {
    set,
    currentSet: set,
    updateSet: set,
    currentRevision: 'web-rev1',
    updateRevision: 'web-rev1',
    collisionCount: 0,
    pods,
    claims: new Map(),
    nowMs: NOW,
    ...o,
  };
}

const summary = (phases: StatefulAction[][][]) =>
  phases.flat(2).map((a) => `${a.kind}:${'pod' in a ? a.pod.metadata.name : a.claim.metadata.name}`);

test('new pods: stable name, pod-name and pod-index labels, hostname and subdomain, claim volumes', () => {
  const pod = newStatefulSetPod(sts(), 2);
  assert.equal(pod.metadata.name, 'web-2');
  assert.deepEqual(pod.metadata.labels, { app: 'web', [POD_NAME_LABEL]: 'web-2', [POD_INDEX_LABEL]: '2' });
  assert.equal(pod.spec?.hostname, 'web-2');
  assert.equal(pod.spec?.subdomain, 'web-svc');
  assert.deepEqual(pod.spec?.volumes, [{ name: 'data', persistentVolumeClaim: { claimName: 'data-web-2' } }]);
  assert.deepEqual(pod.metadata.ownerReferences?.[0], {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    name: 'web',
    uid: 'set-uid',
    controller: true,
    blockOwnerDeletion: true,
  });
});

test('OrderedReady: one pod at a time, each after its predecessor is Running and Ready', () => {
  const set = sts();
  let p = planStatefulSet(input(set, []));
  assert.deepEqual(summary(p.phases), ['createPod:web-0']);
  const create = p.phases[0]![0]![0]!;
  assert.equal(create.kind === 'createPod' && create.claims[0]?.metadata.name, 'data-web-0');
  assert.deepEqual(create.kind === 'createPod' && create.claims[0]?.metadata.labels, { tier: 'db', app: 'web' });
  assert.equal(create.kind === 'createPod' && create.pod.metadata.labels?.[REVISION_LABEL], 'web-rev1');

  p = planStatefulSet(input(set, [member(set, 0, { phase: 'Pending', ready: false })]));
  assert.deepEqual(summary(p.phases), ['createClaims:web-0'], 'a pending pod gets its missing claims');
  assert.match(p.waiting ?? '', /web-0 to be Running and Ready/);

  p = planStatefulSet(input(set, [member(set, 0)]));
  assert.deepEqual(summary(p.phases), ['createPod:web-1']);
  assert.equal(p.status.replicas, 1);
  assert.equal(p.status.readyReplicas, 1);
});

test('Parallel: every missing pod at once; OrderedReady and Parallel both start at spec.ordinals.start', () => {
  const p = planStatefulSet(input(sts({ podManagementPolicy: 'Parallel' }), []));
  assert.equal(p.parallel, true);
  assert.deepEqual(summary(p.phases), ['createPod:web-0', 'createPod:web-1', 'createPod:web-2']);
  const shifted = planStatefulSet(input(sts({ podManagementPolicy: 'Parallel', ordinals: { start: 5 } }), []));
  assert.deepEqual(summary(shifted.phases), ['createPod:web-5', 'createPod:web-6', 'createPod:web-7']);
});

test('scale down: the highest ordinal first, one at a time, waiting for it to terminate', () => {
  const set = sts({ replicas: 2 });
  const pods = [0, 1, 2, 3].map((i) => member(set, i));
  let p = planStatefulSet(input(set, pods));
  assert.deepEqual(summary(p.phases), ['deletePod:web-3']);
  pods[3] = member(set, 3, { deleting: true });
  p = planStatefulSet(input(set, pods));
  assert.deepEqual(summary(p.phases), []);
  assert.match(p.waiting ?? '', /web-3 to terminate/);
  const parallel = planStatefulSet(
    input(
      sts({ replicas: 2, podManagementPolicy: 'Parallel' }),
      [0, 1, 2, 3].map((i) => member(set, i)),
    ),
  );
  assert.deepEqual(summary(parallel.phases), ['deletePod:web-3', 'deletePod:web-2']);
});

test('a failed pod is deleted to be made again; an unready one blocks scale-down of others', () => {
  const set = sts();
  const p = planStatefulSet(input(set, [member(set, 0), member(set, 1, { phase: 'Failed', ready: false })]));
  assert.deepEqual(summary(p.phases), ['deletePod:web-1']);
  const down = sts({ replicas: 1 });
  const blocked = planStatefulSet(input(down, [member(down, 0, { ready: false }), member(down, 1)]));
  assert.deepEqual(summary(blocked.phases), []);
});

test('claims: a claim being deleted holds its pod back; whenDeleted=Delete owns claims by the set', () => {
  const set = sts();
  const dying: PersistentVolumeClaim = { metadata: { name: 'data-web-0', deletionTimestamp: '2026-02-01T09:00:00Z' } };
  const held = planStatefulSet(input(set, [], { claims: new Map([['data-web-0', dying]]) }));
  assert.deepEqual(summary(held.phases), []);
  assert.match(held.waiting ?? '', /claim of web-0 is being deleted/);

  const owning = sts({ persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Delete', whenScaled: 'Retain' } });
  const p = planStatefulSet(input(owning, []));
  const create = p.phases[0]![0]![0]!;
  assert.deepEqual(create.kind === 'createPod' && create.claims[0]?.metadata.ownerReferences?.map((r) => r.kind), [
    'StatefulSet',
  ]);
});

test('retention policy through owner refs: the set while in range, the pod once scaled down', () => {
  const set = sts({
    replicas: 1,
    persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Delete', whenScaled: 'Delete' },
  });
  const inRange = member(set, 0);
  const condemned = member(set, 1);
  const claim: PersistentVolumeClaim = { metadata: { name: 'data-web-1' } };
  assert.equal(claimOwnerUpToDate(claim, set, condemned), false);
  assert.deepEqual(
    claimOwnerRefs(claim, set, condemned).map((r) => `${r.kind}/${r.uid}`),
    ['Pod/pod-1'],
  );
  assert.deepEqual(
    claimOwnerRefs({ metadata: { name: 'data-web-0' } }, set, inRange).map((r) => r.kind),
    ['StatefulSet'],
  );
  const retain = sts();
  assert.equal(claimOwnerUpToDate({ metadata: { name: 'x' } }, retain, inRange), true);
  const foreign: PersistentVolumeClaim = {
    metadata: {
      name: 'x',
      ownerReferences: [{ apiVersion: 'v1', kind: 'Foo', name: 'f', uid: 'f', controller: true }],
    },
  };
  assert.equal(claimOwnerUpToDate(foreign, set, inRange), true, 'another controller: not ours to change');
  // Scaled down with whenScaled=Delete: the claim-fix phase gives the pod an owner ref before it goes.
  const claims = new Map([['data-web-1', claim]]);
  const p = planStatefulSet(input(set, [inRange, condemned], { claims }));
  assert.deepEqual(summary(p.phases), ['updateClaim:data-web-1', 'deletePod:web-1']);
});

test('rolling update: highest ordinal first, down to the partition, one unavailable at a time', () => {
  const set = sts({ updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 1 } } });
  const at = (rev: string[]) => rev.map((r, i) => member(set, i, { revision: r }));
  const o = { updateRevision: 'web-rev2' };
  let p = planStatefulSet(input(set, at(['web-rev1', 'web-rev1', 'web-rev1']), o));
  assert.deepEqual(summary(p.phases), ['deletePod:web-2']);
  assert.equal(p.status.currentReplicas, 2, 'the deleted pod no longer counts as current');
  p = planStatefulSet(input(set, at(['web-rev1', 'web-rev1', 'web-rev2']), o));
  assert.deepEqual(summary(p.phases), ['deletePod:web-1']);
  p = planStatefulSet(input(set, at(['web-rev1', 'web-rev2', 'web-rev2']), o));
  assert.deepEqual(summary(p.phases), [], 'the partition keeps web-0 at the current revision');
  assert.equal(p.status.updatedReplicas, 2);
  // A pod made again below the partition comes back at the current revision.
  const remade = planStatefulSet(input(set, at(['web-rev1', 'web-rev2', 'web-rev2']).slice(1), o));
  const c = remade.phases[0]![0]![0]!;
  assert.equal(c.kind === 'createPod' && c.pod.metadata.labels?.[REVISION_LABEL], 'web-rev1');
});

test('rolling update with maxUnavailable, OnDelete, and the completed rollout', () => {
  const wide = sts({
    replicas: 4,
    podManagementPolicy: 'Parallel',
    updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0, maxUnavailable: '50%' } },
  });
  const old = [0, 1, 2, 3].map((i) => member(wide, i));
  let p = planStatefulSet(input(wide, old, { updateRevision: 'web-rev2' }));
  assert.deepEqual(summary(p.phases), ['deletePod:web-3', 'deletePod:web-2']);
  old[3] = member(wide, 3, { ready: false, revision: 'web-rev2' });
  p = planStatefulSet(input(wide, old, { updateRevision: 'web-rev2' }));
  assert.deepEqual(summary(p.phases), ['deletePod:web-2'], 'one already unavailable: one more');

  const onDelete = sts({ updateStrategy: { type: 'OnDelete' } });
  p = planStatefulSet(
    input(
      onDelete,
      [0, 1, 2].map((i) => member(onDelete, i)),
      { updateRevision: 'web-rev2' },
    ),
  );
  assert.deepEqual(summary(p.phases), []);

  const set = sts();
  p = planStatefulSet(
    input(
      set,
      [0, 1, 2].map((i) => member(set, i, { revision: 'web-rev2' })),
      { updateRevision: 'web-rev2' },
    ),
  );
  assert.deepEqual(
    { ...p.status },
    {
      observedGeneration: 4,
      currentRevision: 'web-rev2',
      updateRevision: 'web-rev2',
      collisionCount: 0,
      replicas: 3,
      readyReplicas: 3,
      availableReplicas: 3,
      currentReplicas: 3,
      updatedReplicas: 3,
    },
  );
});

test('a pod whose identity drifted is updated; a set being deleted only reports status', () => {
  const set = sts();
  const drifted = member(set, 0);
  delete drifted.metadata.labels![POD_NAME_LABEL];
  const p = planStatefulSet(input(set, [drifted, member(set, 1), member(set, 2)]));
  assert.deepEqual(summary(p.phases), ['updatePod:web-0']);
  const fixed = p.phases[0]![0]![0]!;
  assert.equal(fixed.kind === 'updatePod' && fixed.pod.metadata.labels?.[POD_NAME_LABEL], 'web-0');
  const deleting = { ...set, metadata: { ...set.metadata, deletionTimestamp: '2026-02-01T09:00:00Z' } };
  assert.deepEqual(planStatefulSet(input(deleting, [])).phases, []);
});

test('revisions: created for a new template, reused, bumped on rollback; applied; pruned beyond the limit', () => {
  const v1 = sts();
  const r1 = {
    ...newRevision(v1, 1, 0),
    metadata: { ...newRevision(v1, 1, 0).metadata, creationTimestamp: '2026-01-01T00:00:00Z' },
  };
  assert.deepEqual(r1.data, {
    spec: {
      template: {
        metadata: { labels: { app: 'web' } },
        spec: { containers: [{ name: 'c', image: 'nginx:1' }] },
        $patch: 'replace',
      },
    },
  });
  assert.equal(planRevisions(v1, []).update.action, 'create');
  assert.equal(planRevisions(v1, [r1]).update.action, 'none');
  const v2 = sts({
    template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx:2' }] } },
  });
  const created = planRevisions(v2, [r1]);
  assert.equal(created.update.action, 'create');
  assert.equal(created.update.revision.revision, 2);
  const r2 = created.update.revision;
  // Back to v1's template: v1's revision moves to number 3 instead of a new one.
  const back = planRevisions({ ...v1, status: { replicas: 3, currentRevision: r2.metadata.name } }, [r1, r2]);
  assert.equal(back.update.action, 'bump');
  assert.equal(back.update.revision.metadata.name, r1.metadata.name);
  assert.equal(back.update.revision.revision, 3);
  assert.equal(back.current?.metadata.name, r2.metadata.name);
  assert.equal(applyRevision(v2, r1).spec?.template.spec?.containers[0]?.image, 'nginx:1');

  const limited = sts({ revisionHistoryLimit: 1 });
  const revs = [1, 2, 3, 4].map((n) => ({ ...r1, metadata: { ...r1.metadata, name: `web-${n}` }, revision: n }));
  const pod = member(limited, 0, { revision: 'web-1' });
  assert.deepEqual(
    revisionsToPrune(limited, [pod], revs, ['web-4']).map((r) => r.metadata.name),
    ['web-2'],
    'web-1 is worn by a pod, web-4 is live, web-3 is the one kept',
  );
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  findBestMatchForClaim,
  findMatchingVolume,
  type PersistentVolume,
  type PersistentVolumeClaim,
  type StorageClass,
  volumeUnfitReason,
} from '../../core/index.js';
import { type ClaimContext, decideClaim, decideReclaim, decideVolume } from './decide.js';
import { LOCAL_PATH_PROVISIONER, localPathClass, localPathUnsupported, localPathVolume } from './local-path.js';

function pv(
  name: string,
  size: string,
  o: {
    modes?: string[];
    cls?: string;
    phase?: string;
    labels?: Record<string, string>;
    claimRef?: { name: string; namespace: string; uid?: string };
    mode?: string;
    node?: string;
    reclaim?: string;
    provisionedBy?: string;
  } = {},
): PersistentVolume {
  return {
    metadata: {
      name,
      labels: o.labels,
      ...(o.provisionedBy ? { annotations: { 'pv.kubernetes.io/provisioned-by': o.provisionedBy } } : {}),
    },
    spec: {
      capacity: { storage: size },
      accessModes: o.modes ?? ['ReadWriteOnce'],
      ...(o.cls ? { storageClassName: o.cls } : {}),
      ...(o.claimRef ? { claimRef: o.claimRef } : {}),
      ...(o.mode ? { volumeMode: o.mode } : {}),
      persistentVolumeReclaimPolicy: o.reclaim ?? 'Retain',
      ...(o.node
        ? {
            nodeAffinity: {
              required: {
                nodeSelectorTerms: [
                  { matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: [o.node] }] },
                ],
              },
            },
          }
        : {}),
    },
    status: { phase: o.phase ?? 'Available' },
  };
}

function pvc(
  o: Partial<NonNullable<PersistentVolumeClaim['spec']>> & { annotations?: Record<string, string> } = {},
): PersistentVolumeClaim {
  const { annotations, ...spec } = o;
  return {
    metadata: { name: 'data', namespace: 'ns', uid: 'claim-uid', ...(annotations ? { annotations } : {}) },
    spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, ...spec },
  };
}

const sc = (name: string, mode = 'Immediate', provisioner = LOCAL_PATH_PROVISIONER): StorageClass => ({
  metadata: { name },
  provisioner,
  volumeBindingMode: mode,
});

function ctx(volumes: PersistentVolume[], o: Partial<ClaimContext> = {}): ClaimContext {
  return { volumes, volumeByName: new Map(volumes.map((v) => [v.metadata.name!, v])), classes: new Map(), ...o };
}

test('matching: the smallest Available volume of the class that is big enough, fewest access modes first', () => {
  const vols = [
    pv('big', '10Gi'),
    pv('small', '1Gi'),
    pv('tiny', '500Mi'),
    pv('rwx', '1Gi', { modes: ['ReadWriteOnce', 'ReadWriteMany'] }),
    pv('fast', '1Gi', { cls: 'fast' }),
    pv('bound', '1Gi', { phase: 'Bound', claimRef: { name: 'other', namespace: 'ns', uid: 'x' } }),
    pv('block', '1Gi', { mode: 'Block' }),
  ];
  assert.equal(findBestMatchForClaim(pvc(), vols, false)?.metadata.name, 'small');
  assert.equal(findBestMatchForClaim(pvc({ accessModes: ['ReadWriteMany'] }), vols, false)?.metadata.name, 'rwx');
  assert.equal(findBestMatchForClaim(pvc({ storageClassName: 'fast' }), vols, false)?.metadata.name, 'fast');
  assert.equal(findBestMatchForClaim(pvc({ volumeMode: 'Block' }), vols, false)?.metadata.name, 'block');
  assert.equal(findBestMatchForClaim(pvc({ resources: { requests: { storage: '20Gi' } } }), vols, false), undefined);
  const labeled = [pv('a', '1Gi', { labels: { tier: 'gold' } }), pv('b', '1Gi')];
  assert.equal(
    findBestMatchForClaim(pvc({ selector: { matchLabels: { tier: 'gold' } } }), labeled, false)?.metadata.name,
    'a',
  );
});

test('matching: a pre-bound volume wins; delayed binding takes only that until a node is known', () => {
  const pre = pv('pre', '5Gi', { phase: 'Available', claimRef: { name: 'data', namespace: 'ns' } });
  const other = pv('other', '1Gi');
  assert.equal(findMatchingVolume(pvc(), [other, pre], undefined, false)?.metadata.name, 'pre');
  assert.equal(findMatchingVolume(pvc(), [other], undefined, true), undefined, 'WaitForFirstConsumer without a node');
  const onA = pv('on-a', '1Gi', { node: 'a' });
  const onB = pv('on-b', '1Gi', { node: 'b' });
  const node = { name: 'b', labels: { 'kubernetes.io/hostname': 'b' } };
  assert.equal(findBestMatchForClaim(pvc(), [onA, onB], true, node)?.metadata.name, 'on-b');
  assert.equal(volumeUnfitReason(pv('x', '100Mi'), pvc()), 'requested PV is too small');
  assert.equal(volumeUnfitReason(pv('x', '1Gi', { cls: 'fast' }), pvc()), 'storageClassName does not match');
});

test('claims: bind a match, else the default class, provisioning, or pending with the reason', () => {
  assert.deepEqual(decideClaim(pvc(), ctx([pv('v', '1Gi')])).kind, 'bind');
  const def = {
    ...sc('standard'),
    metadata: { name: 'standard', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } },
  };
  assert.deepEqual(decideClaim(pvc(), ctx([], { classes: new Map([['standard', def]]) })), {
    kind: 'assignClass',
    className: 'standard',
  });
  assert.equal(
    decideClaim(pvc({ storageClassName: '' }), ctx([], { classes: new Map([['standard', def]]) })).kind,
    'pending',
  );
  const none = decideClaim(pvc(), ctx([]));
  assert.equal(none.kind === 'pending' && none.event?.reason, 'FailedBinding');
  const missing = decideClaim(pvc({ storageClassName: 'gone' }), ctx([]));
  assert.equal(missing.kind === 'pending' && missing.event?.message, 'storageclass.storage.k8s.io "gone" not found');
  const immediate = decideClaim(
    pvc({ storageClassName: 'fast' }),
    ctx([], { classes: new Map([['fast', sc('fast')]]) }),
  );
  assert.equal(immediate.kind, 'provision');
});

test('WaitForFirstConsumer: wait for a pod, record its node, then provision there', () => {
  const classes = new Map([['local-path', sc('local-path', 'WaitForFirstConsumer')]]);
  const claim = pvc({ storageClassName: 'local-path' });
  const waiting = decideClaim(claim, ctx([], { classes }));
  assert.equal(waiting.kind === 'pending' && waiting.event?.reason, 'WaitForFirstConsumer');
  const unscheduled = decideClaim(claim, ctx([], { classes, unscheduledPod: 'app-0' }));
  assert.equal(unscheduled.kind === 'pending' && unscheduled.event?.message, 'waiting for pod app-0 to be scheduled');
  const podNode = { name: 'n1', labels: { 'kubernetes.io/hostname': 'n1' } };
  assert.deepEqual(decideClaim(claim, ctx([], { classes, podNode })), { kind: 'selectNode', node: 'n1' });
  const selected = pvc({ storageClassName: 'local-path', annotations: { 'volume.kubernetes.io/selected-node': 'n1' } });
  const p = decideClaim(selected, ctx([], { classes, podNode }));
  assert.equal(p.kind === 'provision' && p.node, 'n1');
  // A static local volume on the pod's node binds without provisioning.
  const local = pv('local-n1', '2Gi', { cls: 'local-path', node: 'n1' });
  const b = decideClaim(
    claim,
    ctx([pv('local-n2', '1Gi', { cls: 'local-path', node: 'n2' }), local], { classes, podNode }),
  );
  assert.equal(b.kind === 'bind' && b.volume.metadata.name, 'local-n1');
});

test('claims naming a volume, and bound claims that lost theirs', () => {
  assert.equal(decideClaim(pvc({ volumeName: 'v' }), ctx([pv('v', '1Gi')])).kind, 'bind');
  const small = decideClaim(pvc({ volumeName: 'v' }), ctx([pv('v', '1Mi')]));
  assert.equal(small.kind === 'pending' && small.event?.reason, 'VolumeMismatch');
  assert.equal(decideClaim(pvc({ volumeName: 'nope' }), ctx([])).kind, 'pending');
  const bound = (spec: Partial<NonNullable<PersistentVolumeClaim['spec']>>) =>
    pvc({ ...spec, annotations: { 'pv.kubernetes.io/bind-completed': 'yes' } });
  const lost = decideClaim(bound({ volumeName: 'gone' }), ctx([]));
  assert.equal(lost.kind === 'lost' && lost.event.reason, 'ClaimLost');
  const taken = pv('v', '1Gi', { phase: 'Bound', claimRef: { name: 'other', namespace: 'ns', uid: 'other' } });
  const misbound = decideClaim(bound({ volumeName: 'v' }), ctx([taken]));
  assert.equal(misbound.kind === 'lost' && misbound.event.reason, 'ClaimMisbound');
});

test('volumes: Available, Bound, Released then reclaimed; unbound when the claim went elsewhere', () => {
  const claim = pvc({ volumeName: 'v' });
  assert.deepEqual(decideVolume(pv('v', '1Gi', { phase: 'Pending' }), undefined, LOCAL_PATH_PROVISIONER), {
    kind: 'phase',
    phase: 'Available',
  });
  const mine = pv('v', '1Gi', { claimRef: { name: 'data', namespace: 'ns', uid: 'claim-uid' } });
  assert.deepEqual(decideVolume(mine, claim, LOCAL_PATH_PROVISIONER), { kind: 'phase', phase: 'Bound' });
  assert.deepEqual(decideVolume(mine, undefined, LOCAL_PATH_PROVISIONER), {
    kind: 'release',
    reclaim: { kind: 'retain' },
  });
  const own = pv('v', '1Gi', {
    claimRef: { name: 'data', namespace: 'ns', uid: 'u' },
    reclaim: 'Delete',
    provisionedBy: LOCAL_PATH_PROVISIONER,
  });
  assert.deepEqual(decideReclaim(own, LOCAL_PATH_PROVISIONER), { kind: 'delete' });
  const ext = pv('v', '1Gi', { reclaim: 'Delete', provisionedBy: 'ebs.csi.aws.com' });
  assert.deepEqual(decideReclaim(ext, LOCAL_PATH_PROVISIONER), { kind: 'external', provisioner: 'ebs.csi.aws.com' });
  const r = decideReclaim(pv('v', '1Gi', { reclaim: 'Delete' }), LOCAL_PATH_PROVISIONER);
  assert.equal(r.kind === 'fail' && r.event.reason, 'VolumeFailedDelete');
  assert.equal(decideVolume(mine, pvc({ volumeName: 'elsewhere' }), LOCAL_PATH_PROVISIONER).kind, 'unbind');
  assert.equal(decideVolume(mine, pvc(), LOCAL_PATH_PROVISIONER).kind, 'syncClaim');
});

test('local-path: the default class, refused claims, and the volume pinned to its node', () => {
  assert.deepEqual(localPathClass(true), {
    apiVersion: 'storage.k8s.io/v1',
    kind: 'StorageClass',
    metadata: { name: 'local-path', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } },
    provisioner: 'tutti.io/local-path',
    reclaimPolicy: 'Delete',
    volumeBindingMode: 'WaitForFirstConsumer',
  });
  assert.match(localPathUnsupported(pvc({ accessModes: ['ReadWriteMany'] }), 'n1') ?? '', /ReadWriteOnce/);
  assert.match(localPathUnsupported(pvc(), undefined) ?? '', /no node was specified/);
  const v = localPathVolume(
    pvc({ storageClassName: 'local-path' }),
    localPathClass(true),
    'host-1',
    '/var/lib/tutti/agent/storage/',
  );
  assert.equal(v.metadata.name, 'pvc-claim-uid');
  assert.deepEqual(v.spec?.hostPath, { path: '/var/lib/tutti/agent/storage/pvc-claim-uid', type: 'DirectoryOrCreate' });
  assert.deepEqual(v.spec?.claimRef?.uid, 'claim-uid');
  assert.equal(v.spec?.persistentVolumeReclaimPolicy, 'Delete');
  assert.equal(v.metadata.annotations?.['pv.kubernetes.io/provisioned-by'], 'tutti.io/local-path');
  assert.deepEqual(v.spec?.nodeAffinity?.required?.nodeSelectorTerms[0]?.matchExpressions?.[0]?.values, ['host-1']);
});

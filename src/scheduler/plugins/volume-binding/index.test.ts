import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PersistentVolume, PersistentVolumeClaim, StorageClass } from '../../../core/types.js';
import { volumeCacheOf } from '../../cache/volume-cache.js';
import { defaultProfile } from '../../default-profile.js';
import { CycleState } from '../../framework/cycle-state.js';
import { podInfoOf } from '../../framework/pod-info.js';
import { schedulePod } from '../../framework/schedule-pod.js';
import { snapshotOf } from '../../framework/snapshot.js';
import { makeNode, makePod, seededRandom } from '../../framework/testing.js';
import { filterAll, reasonsOf } from '../test-helpers.js';
import { volumeBinding } from './index.js';

const nodes = [
  makeNode('a', { labels: { zone: 'z1' } }),
  makeNode('b', { labels: { zone: 'z2' } }),
  makeNode('c', { labels: { zone: 'z2' } }),
];

const hostAffinity = (...hosts: string[]) => ({
  required: {
    nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: hosts }] }],
  },
});

function pv(name: string, o: Partial<PersistentVolume['spec']> & { phase?: string } = {}): PersistentVolume {
  const { phase, ...spec } = o;
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: { name },
    spec: { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], storageClassName: 'wffc', ...spec },
    status: { phase: phase ?? 'Available' },
  };
}

function pvc(
  name: string,
  o: { cls?: string; volumeName?: string; bound?: boolean; size?: string; ann?: Record<string, string> } = {},
): PersistentVolumeClaim {
  const ann: Record<string, string> = { ...o.ann };
  if (o.bound) ann['pv.kubernetes.io/bind-completed'] = 'yes';
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name, namespace: 'default', uid: `uid-${name}`, annotations: ann },
    spec: {
      accessModes: ['ReadWriteOnce'],
      storageClassName: o.cls ?? 'wffc',
      resources: { requests: { storage: o.size ?? '1Gi' } },
      volumeName: o.volumeName,
    },
    status: { phase: o.bound ? 'Bound' : 'Pending' },
  };
}

function sc(name: string, o: Partial<StorageClass> = {}): StorageClass {
  return {
    apiVersion: 'storage.k8s.io/v1',
    kind: 'StorageClass',
    metadata: { name },
    provisioner: 'tutti.io/local-path',
    volumeBindingMode: 'WaitForFirstConsumer',
    ...o,
  };
}

const classes = [
  sc('wffc'),
  sc('immediate', { volumeBindingMode: 'Immediate' }),
  sc('static', { provisioner: 'kubernetes.io/no-provisioner' }),
  sc('zoned', {
    allowedTopologies: [{ matchLabelExpressions: [{ key: 'zone', values: ['z2'] }] }],
  }),
];

const usingClaims = (...names: string[]) =>
  makePod('p', { volumes: names.map((n, i) => ({ name: `v${i}`, persistentVolumeClaim: { claimName: n } })) });

function run(pod = usingClaims('data'), o: Parameters<typeof volumeCacheOf>[0] = {}) {
  return filterAll(volumeBinding, pod, nodes, [], volumeCacheOf({ classes, ...o }));
}

const fitting = (r: ReturnType<typeof run>) => [...r].filter(([, s]) => s === null).map(([n]) => n);

test('a pod without claims skips the plugin', () => {
  const skip = volumeBinding.preFilter(new CycleState(), podInfoOf(makePod('p')), snapshotOf(nodes));
  assert.equal(skip?.code, 'Skip');
  assert.deepEqual(fitting(run(makePod('p', { volumes: [{ name: 'e', emptyDir: {} }] }))), ['a', 'b', 'c']);
});

test('PreFilter: a missing, lost or deleted claim, and an unbound immediate one, reject the pod everywhere', () => {
  const one = (claims: PersistentVolumeClaim[], volumes: PersistentVolume[] = []) => {
    const r = run(usingClaims('data'), { claims, volumes });
    const s = r.get('a');
    assert.equal(s?.code, 'UnschedulableAndUnresolvable');
    assert.deepEqual(reasonsOf(r.get('b')), reasonsOf(s));
    return reasonsOf(s);
  };
  assert.deepEqual(one([]), ['persistentvolumeclaim "data" not found']);
  const deleting = pvc('data', { volumeName: 'v', bound: true });
  deleting.metadata.deletionTimestamp = '2026-01-01T00:00:00Z';
  assert.deepEqual(one([deleting]), ['persistentvolumeclaim "data" is being deleted']);
  const lost = pvc('data', { volumeName: 'gone', bound: true });
  lost.status = { phase: 'Lost' };
  assert.deepEqual(one([lost]), ['persistentvolumeclaim "data" bound to non-existent persistentvolume "gone"']);
  assert.deepEqual(one([pvc('data', { cls: 'immediate' })]), ['pod has unbound immediate PersistentVolumeClaims']);
  // A claim naming a class that does not exist binds immediately; one naming its volume waits for the controller.
  assert.deepEqual(one([pvc('data', { cls: 'nope' })]), ['pod has unbound immediate PersistentVolumeClaims']);
  assert.deepEqual(one([pvc('data', { volumeName: 'v' })]), ['pod has unbound immediate PersistentVolumeClaims']);
  // The first claim in volume order that cannot be used is reported.
  const r = run(usingClaims('ok', 'missing'), { claims: [pvc('ok', { cls: 'immediate' })] });
  assert.deepEqual(reasonsOf(r.get('a')), ['persistentvolumeclaim "missing" not found']);
});

test('PreFilter: a generic ephemeral volume’s claim must exist and belong to the pod', () => {
  const pod = makePod('p', { volumes: [{ name: 'scratch', ephemeral: { volumeClaimTemplate: { spec: {} } } }] });
  assert.deepEqual(reasonsOf(run(pod).get('a')), [
    'waiting for ephemeral volume controller to create the persistentvolumeclaim "p-scratch"',
  ]);
  const foreign = pvc('p-scratch');
  assert.deepEqual(reasonsOf(run(pod, { claims: [foreign] }).get('a')), [
    'PVC default/p-scratch was not created for pod default/p (pod is not owner)',
  ]);
  const owned = pvc('p-scratch');
  owned.metadata.ownerReferences = [
    { apiVersion: 'v1', kind: 'Pod', name: 'p', uid: pod.metadata.uid!, controller: true },
  ];
  assert.deepEqual(fitting(run(pod, { claims: [owned] })), ['a', 'b', 'c']);
});

test('Filter: a bound claim’s volume node affinity decides the node', () => {
  const claims = [pvc('data', { volumeName: 'pv-b', bound: true })];
  const r = run(usingClaims('data'), { claims, volumes: [pv('pv-b', { nodeAffinity: hostAffinity('b') })] });
  assert.deepEqual(fitting(r), ['b']);
  assert.deepEqual(reasonsOf(r.get('a')), ['node(s) had volume node affinity conflict']);
  assert.equal(r.get('a')?.code, 'UnschedulableAndUnresolvable');
  // No node affinity: any node. The volume missing from the cache: no node.
  assert.deepEqual(fitting(run(usingClaims('data'), { claims, volumes: [pv('pv-b')] })), ['a', 'b', 'c']);
  assert.deepEqual(reasonsOf(run(usingClaims('data'), { claims }).get('c')), [
    'node(s) unavailable due to one or more pvc(s) bound to non-existent pv(s)',
  ]);
  // Several reasons on one node, in upstream's order.
  const both = run(usingClaims('data', 'more'), { claims: [...claims, pvc('more', { cls: 'static' })] });
  assert.deepEqual(reasonsOf(both.get('a')), [
    "node(s) didn't find available persistent volumes to bind",
    'node(s) unavailable due to one or more pvc(s) bound to non-existent pv(s)',
  ]);
});

test('Filter: an unbound WaitForFirstConsumer claim takes a fitting available volume, or provisions', () => {
  const volumes = [pv('pv-c', { nodeAffinity: hostAffinity('c') })];
  // The class can provision anywhere: every node.
  assert.deepEqual(fitting(run(usingClaims('data'), { claims: [pvc('data')], volumes })), ['a', 'b', 'c']);
  // No provisioner: only where an available volume fits.
  const staticClaim = [pvc('data', { cls: 'static' })];
  const staticPv = [pv('pv-c', { storageClassName: 'static', nodeAffinity: hostAffinity('c') })];
  let r = run(usingClaims('data'), { claims: staticClaim, volumes: staticPv });
  assert.deepEqual(fitting(r), ['c']);
  assert.deepEqual(reasonsOf(r.get('a')), ["node(s) didn't find available persistent volumes to bind"]);
  // Too small, bound to another claim, or not Available: no match.
  for (const bad of [
    pv('pv-c', { storageClassName: 'static', capacity: { storage: '100Mi' } }),
    pv('pv-c', { storageClassName: 'static', claimRef: { name: 'other', namespace: 'default' } }),
    pv('pv-c', { storageClassName: 'static', phase: 'Released' }),
  ]) {
    assert.deepEqual(fitting(run(usingClaims('data'), { claims: staticClaim, volumes: [bad] })), []);
  }
  // Two claims cannot both take the one volume on c.
  const two = [pvc('d1', { cls: 'static' }), pvc('d2', { cls: 'static' })];
  assert.deepEqual(fitting(run(usingClaims('d1', 'd2'), { claims: two, volumes: staticPv })), []);
  const twoPvs = [...staticPv, pv('pv-c2', { storageClassName: 'static', nodeAffinity: hostAffinity('c') })];
  assert.deepEqual(fitting(run(usingClaims('d1', 'd2'), { claims: two, volumes: twoPvs })), ['c']);
  // allowedTopologies of the class limit where it provisions.
  r = run(usingClaims('data'), { claims: [pvc('data', { cls: 'zoned' })] });
  assert.deepEqual(fitting(r), ['b', 'c']);
  assert.deepEqual(reasonsOf(r.get('a')), ["node(s) didn't find available persistent volumes to bind"]);
  // A claim already given a node (selected-node) fits only there.
  const selected = pvc('data', { ann: { 'volume.kubernetes.io/selected-node': 'b' } });
  assert.deepEqual(fitting(run(usingClaims('data'), { claims: [selected] })), ['b']);
});

test('through the default profile: the upstream messages', () => {
  const profile = () => defaultProfile({ random: seededRandom(3) });
  const notHelpful = 'preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling..';
  const two = [makeNode('a'), makeNode('b')];
  const immediate = volumeCacheOf({ classes, claims: [pvc('data', { cls: 'immediate' })] });
  const r = schedulePod(usingClaims('data'), snapshotOf(two, [], immediate), profile());
  assert.ok('unschedulable' in r);
  assert.equal(r.message, `0/2 nodes are available: pod has unbound immediate PersistentVolumeClaims. ${notHelpful}`);
  const bound = volumeCacheOf({
    classes,
    claims: [pvc('data', { volumeName: 'pv-x', bound: true })],
    volumes: [pv('pv-x', { nodeAffinity: hostAffinity('x') })],
  });
  const r2 = schedulePod(usingClaims('data'), snapshotOf(two, [], bound), profile());
  assert.ok('unschedulable' in r2);
  assert.equal(r2.message, `0/2 nodes are available: 2 node(s) had volume node affinity conflict. ${notHelpful}`);
  // Many times over, a preferred node affinity for a cannot pull the pod off its volume's node b.
  const onB = volumeCacheOf({
    classes,
    claims: [pvc('data', { volumeName: 'pv-b', bound: true })],
    volumes: [pv('pv-b', { nodeAffinity: hostAffinity('b') })],
  });
  const pod = usingClaims('data');
  pod.spec.affinity = {
    nodeAffinity: {
      preferredDuringSchedulingIgnoredDuringExecution: [
        {
          weight: 100,
          preference: { matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: ['a'] }] },
        },
      ],
    },
  };
  const p = profile();
  for (let i = 0; i < 20; i++) {
    const placed = schedulePod(pod, snapshotOf(two, [], onB), p);
    assert.equal('node' in placed && placed.node, 'b');
  }
  // Without the volume the preference wins.
  const free = makePod('free', { affinity: pod.spec.affinity });
  const placed = schedulePod(free, snapshotOf(two), p);
  assert.equal('node' in placed && placed.node, 'a');
});

test('Reserve: a volume chosen for one pod is not offered to the next; a claim to provision stays on its node', () => {
  const two = [makeNode('a'), makeNode('b')];
  const prefer = (node: string) => ({
    nodeAffinity: {
      preferredDuringSchedulingIgnoredDuringExecution: [
        {
          weight: 100,
          preference: { matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: [node] }] },
        },
      ],
    },
  });
  const profile = defaultProfile({ random: seededRandom(5) });
  const place = (pod: ReturnType<typeof makePod>, cache: ReturnType<typeof volumeCacheOf>) => {
    const r = schedulePod(pod, snapshotOf(two, [], cache), profile);
    if (!('node' in r)) return { unschedulable: r.message };
    for (const p of profile.reserve) p.reserve(r.state, podInfoOf(pod), r.node);
    const undo = () => {
      for (const p of profile.reserve) p.unreserve(r.state, podInfoOf(pod), r.node);
    };
    return { node: r.node, undo };
  };
  // One static volume on b, two pods with a claim each that it could serve.
  const cache = volumeCacheOf({
    classes,
    claims: [pvc('c1', { cls: 'static' }), pvc('c2', { cls: 'static' })],
    volumes: [pv('only', { storageClassName: 'static', nodeAffinity: hostAffinity('b') })],
  });
  const first = place(makePod('p1', { volumes: [{ name: 'v', persistentVolumeClaim: { claimName: 'c1' } }] }), cache);
  assert.equal(first.node, 'b');
  assert.equal(cache.volume('only')?.spec?.claimRef?.name, 'c1');
  const p2 = makePod('p2', { volumes: [{ name: 'v', persistentVolumeClaim: { claimName: 'c2' } }] });
  assert.match(place(p2, cache).unschedulable ?? '', /2 node\(s\) didn't find available persistent volumes to bind/);
  // The first bind failed: the volume is free again.
  first.undo?.();
  assert.equal(cache.volume('only')?.spec?.claimRef, undefined);
  assert.equal(place(p2, cache).node, 'b');

  // Two pods sharing one local-path claim: the second follows the first, whatever it prefers.
  const shared = volumeCacheOf({ classes, claims: [pvc('shared')] });
  const uses = (name: string, node: string) =>
    makePod(name, { affinity: prefer(node), volumes: [{ name: 'v', persistentVolumeClaim: { claimName: 'shared' } }] });
  assert.equal(place(uses('s1', 'a'), shared).node, 'a');
  assert.equal(shared.claim('default', 'shared')?.metadata.annotations?.['volume.kubernetes.io/selected-node'], 'a');
  assert.equal(place(uses('s2', 'b'), shared).node, 'a');
});

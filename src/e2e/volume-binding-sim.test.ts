// Issue 13 §2: the scheduler's VolumeBinding plugin in a real `tutti server` with two simulated nodes. A pod
// whose claim is bound to a volume pinned to one node lands there (even when it prefers the other node), and a
// pod whose immediate claim is unbound stays Pending with upstream's message until the claim binds.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ApiClient } from '../client/api-client.js';
import type { PersistentVolumeClaim, Pod } from '../core/index.js';
import { pollUntil, type TestServer } from './harness.js';
import { type SimCluster, startSimCluster } from './testing/sim-cluster.js';

const NODE_A = 'vb-0';
const NODE_B = 'vb-1';

const volume = (name: string, cls: string, node?: string) => ({
  apiVersion: 'v1',
  kind: 'PersistentVolume',
  metadata: { name },
  spec: {
    capacity: { storage: '1Gi' },
    accessModes: ['ReadWriteOnce'],
    storageClassName: cls,
    persistentVolumeReclaimPolicy: 'Retain',
    hostPath: { path: `/tmp/vb-${name}` },
    ...(node
      ? {
          nodeAffinity: {
            required: {
              nodeSelectorTerms: [
                { matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: [node] }] },
              ],
            },
          },
        }
      : {}),
  },
});

const claim = (name: string, cls: string) => ({
  apiVersion: 'v1',
  kind: 'PersistentVolumeClaim',
  metadata: { name },
  spec: { accessModes: ['ReadWriteOnce'], storageClassName: cls, resources: { requests: { storage: '1Gi' } } },
});

/** A pod mounting the claim that would rather run on node A (weight 100). */
const user = (name: string, claimName: string) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, labels: { app: 'vb' } },
  spec: {
    affinity: {
      nodeAffinity: {
        preferredDuringSchedulingIgnoredDuringExecution: [
          {
            weight: 100,
            preference: { matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: [NODE_A] }] },
          },
        ],
      },
    },
    containers: [{ name: 'c', image: 'busybox:1.36', volumeMounts: [{ name: 'd', mountPath: '/data' }] }],
    volumes: [{ name: 'd', persistentVolumeClaim: { claimName } }],
  },
});

describe('volume binding in the scheduler, with simulated nodes', () => {
  let s: TestServer;
  let cluster: SimCluster | undefined;
  let client: ApiClient;
  const apply = async (obj: unknown) => {
    const r = await s.kubectl(['apply', '-f', '-'], { input: JSON.stringify(obj) });
    assert.equal(r.code, 0, r.stderr);
  };
  const get = async <T>(...args: string[]) => JSON.parse(await s.k('get', ...args, '-o', 'json')) as T;

  before(async () => {
    cluster = await startSimCluster(
      { controlPlane: true },
      {
        prefix: 'vb',
        count: 2,
        capacity: { cpu: '8', memory: '16Gi', pods: '110' },
        podStartMs: 100,
        podDeleteMs: 100,
        leaseRenewMs: 1000,
        statusUpdateMs: 1000,
      },
    );
    ({ s, client } = cluster);
  });
  after(async () => {
    await cluster?.stop();
  });

  it('places every pod of a claim bound to a volume pinned to node B on node B', async () => {
    // A class-less pair: the PV controller binds the claim to the only volume at once.
    await apply(volume('pinned', 'manual', NODE_B));
    await apply(claim('pinned', 'manual'));
    const bound = await pollUntil(
      'claim pinned Bound',
      async () => {
        const c = await get<PersistentVolumeClaim>('pvc', 'pinned');
        return c.status?.phase === 'Bound' ? c : undefined;
      },
      20_000,
      100,
    );
    assert.equal(bound.spec?.volumeName, 'pinned');
    // Control: without a claim, the same preference puts the pod on A.
    const free = user('free', 'unused');
    free.spec.volumes = [];
    free.spec.containers[0]!.volumeMounts = [];
    await apply(free);
    for (let i = 0; i < 4; i++) await apply(user(`pinned-${i}`, 'pinned'));
    const placed = await pollUntil(
      'all five pods scheduled',
      async () => {
        const ps = (await client.list<Pod>('/api/v1/namespaces/default/pods', { labelSelector: 'app=vb' })).items;
        const nodes = new Map(ps.map((p) => [p.metadata.name!, p.spec?.nodeName]));
        return ps.length === 5 && [...nodes.values()].every(Boolean) ? nodes : undefined;
      },
      30_000,
      100,
    );
    assert.equal(placed.get('free'), NODE_A);
    for (let i = 0; i < 4; i++) assert.equal(placed.get(`pinned-${i}`), NODE_B, `pinned-${i}`);
  });

  it('puts two pods sharing a WaitForFirstConsumer claim on one node, where the claim is provisioned', async () => {
    await apply(claim('shared', 'local-path'));
    // Both at once: the second is placed before the PV controller has marked the claim for the first one's node.
    const second = user('shared-b', 'shared');
    second.spec.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[0]!.preference
      .matchExpressions[0]!.values = [NODE_B];
    await apply({ apiVersion: 'v1', kind: 'List', items: [user('shared-a', 'shared'), second] });
    const nodes = await pollUntil(
      'both scheduled',
      async () => {
        const a = (await get<Pod>('pod', 'shared-a')).spec?.nodeName;
        const b = (await get<Pod>('pod', 'shared-b')).spec?.nodeName;
        return a && b ? [a, b] : undefined;
      },
      30_000,
      100,
    );
    assert.equal(nodes[0], nodes[1]);
    const bound = await pollUntil(
      'shared Bound',
      async () => {
        const c = await get<PersistentVolumeClaim>('pvc', 'shared');
        return c.status?.phase === 'Bound' ? c : undefined;
      },
      30_000,
      100,
    );
    assert.equal(bound.metadata.annotations?.['volume.kubernetes.io/selected-node'], nodes[0]);
  });

  it('keeps a pod with an unbound immediate claim Pending with the upstream message, until the claim binds', async () => {
    // An Immediate class whose provisioner is not ours: the PV controller leaves the claim Pending.
    await apply({
      apiVersion: 'storage.k8s.io/v1',
      kind: 'StorageClass',
      metadata: { name: 'external' },
      provisioner: 'example.com/external',
      volumeBindingMode: 'Immediate',
    });
    await apply(claim('later', 'external'));
    await apply(user('waiting', 'later'));
    const expected =
      '0/2 nodes are available: pod has unbound immediate PersistentVolumeClaims. ' +
      'preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling..';
    const cond = await pollUntil(
      'PodScheduled=False',
      async () => {
        const p = await get<Pod>('pod', 'waiting');
        return p.status?.conditions?.find((c) => c.type === 'PodScheduled' && c.status === 'False');
      },
      20_000,
      100,
    );
    assert.equal(cond.reason, 'Unschedulable');
    assert.equal(cond.message, expected);
    const described = await pollUntil(
      'FailedScheduling in describe',
      async () => {
        const d = await s.k('describe', 'pod', 'waiting');
        return /FailedScheduling/.test(d) ? d : undefined;
      },
      20_000,
      200,
    );
    assert.match(described, /0\/2 nodes are available: pod has unbound immediate PersistentVolumeClaims\./);
    assert.equal((await get<Pod>('pod', 'waiting')).spec?.nodeName, undefined);
    // A volume of that class appears (on node B): the controller binds the claim, and its update requeues the pod.
    await apply(volume('late', 'external', NODE_B));
    await pollUntil(
      'claim later Bound',
      async () => (await get<PersistentVolumeClaim>('pvc', 'later')).status?.phase === 'Bound',
      30_000,
      100,
    );
    // Well before the unschedulable queue's 60 s flush: the claim's update moved the pod back.
    const scheduled = await pollUntil(
      'waiting scheduled soon after its claim bound',
      async () => (await get<Pod>('pod', 'waiting')).spec?.nodeName,
      10_000,
      100,
    );
    assert.equal(scheduled, NODE_B);
  });

  it('rejects a pod whose claim does not exist, and schedules it once the claim is bound', async () => {
    await apply(user('orphan', 'missing'));
    const cond = await pollUntil(
      'PodScheduled=False',
      async () => {
        const p = await get<Pod>('pod', 'orphan');
        return p.status?.conditions?.find((c) => c.type === 'PodScheduled' && c.status === 'False');
      },
      20_000,
      100,
    );
    assert.match(cond.message ?? '', /^0\/2 nodes are available: persistentvolumeclaim "missing" not found\./);
    await apply(volume('for-missing', 'manual', NODE_A));
    await apply(claim('missing', 'manual'));
    const node = await pollUntil(
      'orphan scheduled',
      async () => (await get<Pod>('pod', 'orphan')).spec?.nodeName,
      30_000,
      100,
    );
    assert.equal(node, NODE_A);
  });

  it('the scheduler reads claims, volumes and classes as system:kube-scheduler without a refusal', () => {
    assert.deepEqual(s.componentForbidden(), []);
  });
});

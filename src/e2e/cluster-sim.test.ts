// The whole control plane (API server, controller manager, scheduler) of a real `tutti server`, with
// simulated nodes: rollouts keep capacity, undo works, a dead node's pods move, namespaces empty out, and a
// pod that fits nowhere says why in kubectl describe.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { SimulatedNodes } from '../simnodes/index.js';
import type { KubeObject } from '../core/types.js';
import type { ApiClient } from '../client/api-client.js';
import { pollUntil, type TestServer } from './harness.js';
import { type SimCluster, startSimCluster } from './testing/sim-cluster.js';

type Pod = KubeObject & {
  spec: { nodeName?: string; containers: { image: string }[] };
  status?: { phase?: string; conditions?: { type: string; status: string }[] };
};

const ready = (p: Pod) =>
  !p.metadata.deletionTimestamp && !!p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');

const until = <T>(what: string, ms: number, fn: () => Promise<T | undefined | false>) => pollUntil(what, fn, ms, 100);

describe('control plane with simulated nodes', () => {
  let s: TestServer;
  let cluster: SimCluster | undefined;
  let client: ApiClient;
  let sim: SimulatedNodes;
  const pods = async (selector: string, ns = 'default') =>
    (await client.list<Pod>(`/api/v1/namespaces/${ns}/pods`, { labelSelector: selector })).items;

  before(async () => {
    cluster = await startSimCluster(
      {
        controlPlane: true,
        args: ['--node-monitor-grace-period', '3', '--default-toleration-seconds', '2'],
      },
      {
        count: 3,
        capacity: { cpu: '4', memory: '8Gi', pods: '110' },
        podStartMs: 300,
        leaseRenewMs: 1000,
        statusUpdateMs: 1000,
      },
    );
    ({ s, client, sim } = cluster);
  });
  after(async () => {
    await cluster?.stop();
  });

  it('rolls a deployment with maxUnavailable=0 without dropping below the desired ready count, and undoes it', async () => {
    await s.k('create', 'deployment', 'web', '--image=busybox:1.35', '--replicas=4');
    await s.k(
      'patch',
      'deploy',
      'web',
      '-p',
      '{"spec":{"strategy":{"rollingUpdate":{"maxUnavailable":0,"maxSurge":1}}}}',
    );
    await until('4 ready pods', 30_000, async () => (await pods('app=web')).filter(ready).length === 4);
    let minReady = Number.POSITIVE_INFINITY;
    let watching = true;
    const watcher = (async () => {
      while (watching) {
        minReady = Math.min(minReady, (await pods('app=web')).filter(ready).length);
        await new Promise((r) => setTimeout(r, 30));
      }
    })();
    await s.k('set', 'image', 'deploy/web', 'busybox=busybox:1.36');
    const status = await s.kubectl(['rollout', 'status', 'deploy/web', '--timeout=60s']);
    watching = false;
    await watcher;
    assert.equal(status.code, 0, status.stderr);
    assert.ok(minReady >= 4, `ready pods dropped to ${minReady}`);
    const after = (await pods('app=web')).filter(ready);
    assert.ok(after.every((p) => p.spec.containers[0].image === 'busybox:1.36'));
    assert.match(await s.k('rollout', 'history', 'deploy/web'), /^2\s/m);
    await s.k('rollout', 'undo', 'deploy/web');
    assert.equal((await s.kubectl(['rollout', 'status', 'deploy/web', '--timeout=60s'])).code, 0);
    const d = JSON.parse(await s.k('get', 'deploy', 'web', '-o', 'json'));
    assert.equal(d.spec.template.spec.containers[0].image, 'busybox:1.35');
    await until('pods back on the first image', 30_000, async () => {
      const ps = (await pods('app=web')).filter(ready);
      return ps.length === 4 && ps.every((p) => p.spec.containers[0].image === 'busybox:1.35');
    });
  });

  it('moves the pods of a node that stops heartbeating within grace + toleration', async () => {
    await s.k('create', 'deployment', 'mover', '--image=busybox:1.35', '--replicas=6');
    const placed = await until('6 ready pods', 30_000, async () => {
      const ps = (await pods('app=mover')).filter(ready);
      return ps.length === 6 ? ps : undefined;
    });
    const victim = placed[0].spec.nodeName!;
    const onVictim = placed.filter((p) => p.spec.nodeName === victim).map((p) => p.metadata.name);
    const t0 = Date.now();
    sim.setAlive(victim, false);
    await until('pods replaced on other nodes', 30_000, async () => {
      const ps = (await pods('app=mover')).filter(ready);
      return ps.length === 6 && ps.every((p) => p.spec.nodeName !== victim && !onVictim.includes(p.metadata.name));
    });
    const took = (Date.now() - t0) / 1000;
    // Grace (3 s) + toleration (2 s) + the node monitor's period and the restart of the pods.
    assert.ok(took < 15, `took ${took} s`);
    const node = JSON.parse(await s.k('get', 'node', victim, '-o', 'json'));
    assert.ok(node.spec.taints.some((t: { key: string }) => t.key === 'node.kubernetes.io/unreachable'));
    sim.setAlive(victim, true);
    await until('the node back without its taint', 30_000, async () => {
      const n = JSON.parse(await s.k('get', 'node', victim, '-o', 'json'));
      return !(n.spec.taints ?? []).some((t: { key: string }) => t.key === 'node.kubernetes.io/unreachable');
    });
  });

  it('keeps a pod that fits nowhere Pending with the scheduler’s reason', async () => {
    await s.k(
      'run',
      'huge',
      '--image=busybox:1.35',
      '--overrides',
      '{"spec":{"containers":[{"name":"huge","image":"busybox:1.35","resources":{"requests":{"cpu":"64"}}}]}}',
    );
    const out = await until('FailedScheduling in describe', 20_000, async () => {
      const d = await s.k('describe', 'pod', 'huge');
      return /FailedScheduling/.test(d) ? d : undefined;
    });
    assert.match(out, /^Status:\s+Pending$/m);
    assert.match(out, /0\/3 nodes are available: 3 Insufficient cpu\./);
    const pod = JSON.parse(await s.k('get', 'pod', 'huge', '-o', 'json'));
    const cond = pod.status.conditions.find((c: { type: string }) => c.type === 'PodScheduled');
    assert.equal(cond.status, 'False');
    assert.equal(cond.reason, 'Unschedulable');
  });

  it('deletes everything in a namespace, then the namespace', async () => {
    await s.k('create', 'namespace', 'doomed');
    await s.k('create', 'deployment', 'd', '--image=busybox:1.35', '--replicas=2', '-n', 'doomed');
    await s.k('create', 'configmap', 'c', '--from-literal=a=1', '-n', 'doomed');
    await s.k('create', 'service', 'clusterip', 'svc', '--tcp=80:80', '-n', 'doomed');
    await until(
      'pods running in doomed',
      30_000,
      async () => (await pods('app=d', 'doomed')).filter(ready).length === 2,
    );
    const del = await s.kubectl(['delete', 'namespace', 'doomed', '--timeout=60s']);
    assert.equal(del.code, 0, del.stderr);
    const gone = await s.kubectl(['get', 'namespace', 'doomed']);
    assert.match(gone.stderr, /NotFound/);
    for (const kind of ['pods', 'deployments', 'replicasets', 'configmaps', 'services', 'endpoints']) {
      const path =
        kind === 'deployments' || kind === 'replicasets'
          ? `/apis/apps/v1/namespaces/doomed/${kind}`
          : `/api/v1/namespaces/doomed/${kind}`;
      const left = JSON.parse((await s.request('GET', path)).body) as { items: unknown[] };
      assert.equal(left.items.length, 0, `${kind} left behind`);
    }
  });
});

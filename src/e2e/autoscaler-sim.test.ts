// The cluster autoscaler with the simulated provider against a real `tutti server` (its scheduler and
// controllers run in the server; the autoscaler runs here, as the controller manager will run it):
// a Deployment that needs 3 more nodes grows the group by exactly 3 and all its pods run, scaling it
// back shrinks the group to its minimum, a pod no group can host says why, and a PodDisruptionBudget
// with minAvailable equal to the replicas blocks a drain until it is relaxed.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { parse } from 'yaml';
import { startClusterAutoscaler, type ClusterAutoscaler } from '../autoscaler/controller.js';
import { SimulatedProvider } from '../autoscaler/providers/simulated.js';
import { ApiClient } from '../client/api-client.js';
import { type ControllerContext, newControllerContext } from '../controllers/context.js';
import type { Event, Node, Pod, PodDisruptionBudget } from '../core/types.js';
import { pollUntil, type TestServer, startTestServer } from './harness.js';

const GROUP = 'pool';
const until = <T>(what: string, ms: number, fn: () => Promise<T | undefined | false>) => pollUntil(what, fn, ms, 100);

function groupsConfigMap(maxSize: number): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'tutti-node-groups', namespace: 'kube-system' },
    data: {
      [GROUP]: [
        'provider: sim',
        'minSize: 1',
        `maxSize: ${maxSize}`,
        'template:',
        '  capacity: {cpu: "2", memory: 4Gi, pods: "110"}',
        '  labels: {pool: general}',
      ].join('\n'),
    },
  });
}

function deployment(name: string, replicas: number, cpu: string): string {
  return JSON.stringify({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'default' },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: 'c', image: 'busybox:1.35', resources: { requests: { cpu } } }] },
      },
    },
  });
}

describe('cluster autoscaler, simulated provider', () => {
  let s: TestServer;
  let client: ApiClient;
  let ctx: ControllerContext;
  let provider: SimulatedProvider;
  let autoscaler: ClusterAutoscaler;
  let maxGroupNodes = 0;
  let watching = true;
  let watcher: Promise<void>;

  const groupNodes = async () =>
    (await client.list<Node>('/api/v1/nodes', { labelSelector: `autoscaling.tutti.io/node-group=${GROUP}` })).items;
  const pods = async (app: string) =>
    (await client.list<Pod>('/api/v1/namespaces/default/pods', { labelSelector: `app=${app}` })).items.filter(
      (p) => !p.metadata.deletionTimestamp,
    );
  const running = (ps: Pod[]) => ps.filter((p) => p.status?.phase === 'Running').length;
  const status = async () =>
    parse(await s.k('-n', 'kube-system', 'get', 'cm', 'cluster-autoscaler-status', '-o', 'jsonpath={.data.status}'));
  const events = async (reason: string) =>
    (await client.list<Event>('/api/v1/namespaces/default/events')).items.filter((e) => e.reason === reason);

  before(async () => {
    s = await startTestServer({ controlPlane: true });
    client = new ApiClient({ server: s.url, caPem: s.caPem, token: s.token });
    // AUTOSCALER_TEST_LOG=1 prints the autoscaler's decisions.
    const log = process.env['AUTOSCALER_TEST_LOG']
      ? (msg: string, f: Record<string, unknown>) => console.error(JSON.stringify({ msg, ...f }))
      : () => {};
    ctx = newControllerContext(client, { log });
    provider = new SimulatedProvider({
      client,
      podStartMs: 200,
      podDeleteMs: 200,
      leaseRenewMs: 2000,
      statusUpdateMs: 5000,
    });
    autoscaler = startClusterAutoscaler(ctx, {
      providers: { sim: provider },
      scanIntervalMs: 1000,
      maxNodeProvisionTimeMs: 60_000,
      evictionRetryMs: 500,
      // Upstream waits 10 min after a scale-up before removing nodes, so a rollout does not churn; 8 s here.
      scaleDown: { unneededTimeMs: 3000, delayAfterAddMs: 8000, delayAfterFailureMs: 1000 },
    });
    ctx.informers.start();
    watcher = (async () => {
      while (watching) {
        maxGroupNodes = Math.max(maxGroupNodes, (await groupNodes().catch(() => [])).length);
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
  });
  after(async () => {
    watching = false;
    await watcher;
    await autoscaler?.stop();
    await provider?.close();
    ctx?.informers.stop();
    client?.close();
    await s?.stop();
  });

  it('brings the declared group to its minimum', async () => {
    await s.kubectl(['apply', '-f', '-'], { input: groupsConfigMap(6) });
    await until('1 Ready node in the group', 30_000, async () => {
      const ns = await groupNodes();
      return ns.length === 1 && ns[0]!.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
    });
    const st = await until('status with the group', 10_000, async () => {
      const v = await status();
      return v?.nodeGroups?.[0]?.health?.nodeCounts?.registered?.ready === 1 ? v : undefined;
    });
    assert.equal(st.nodeGroups[0].name, GROUP);
    assert.deepEqual([st.nodeGroups[0].health.minSize, st.nodeGroups[0].health.maxSize], [1, 6]);
  });

  it('grows the group by exactly 3 for a Deployment that needs 3 more nodes, and all its pods run', async () => {
    maxGroupNodes = 0;
    // 2 cpu nodes take two 900m pods each: 8 replicas need 4 nodes, 1 exists.
    await s.kubectl(['apply', '-f', '-'], { input: deployment('web', 8, '900m') });
    await until('8 running web pods', 60_000, async () => running(await pods('web')) === 8);
    assert.equal((await groupNodes()).length, 4);
    assert.equal(maxGroupNodes, 4, 'the group never went past 1 + 3 nodes');
    const st = await until('status target 4', 10_000, async () => {
      const v = await status();
      return v.nodeGroups[0].health.cloudProviderTarget === 4 ? v : undefined;
    });
    assert.equal(st.nodeGroups[0].health.nodeCounts.registered.ready, 4);
    const triggered = await until('TriggeredScaleUp events', 10_000, async () => {
      const es = await events('TriggeredScaleUp');
      return es.length > 0 ? es : undefined;
    });
    assert.match(triggered[0]!.message ?? '', /^pod triggered scale-up: \[\{pool \d->\d \(max: 6\)\}\]$/);
    assert.equal(autoscaler.metrics.scaledUpNodes, 4, 'one for the minimum, three for the Deployment');
  });

  it('shrinks the group to its minimum once the Deployment is scaled back', async () => {
    await s.k('scale', 'deploy/web', '--replicas=1');
    await until('the group back at 1 node', 60_000, async () => (await groupNodes()).length === 1);
    await until('1 running web pod', 30_000, async () => running(await pods('web')) === 1);
    const st = await until('status target 1', 10_000, async () => {
      const v = await status();
      return v.nodeGroups[0].health.cloudProviderTarget === 1 ? v : undefined;
    });
    assert.equal(st.nodeGroups[0].scaleUp.status, 'NoActivity');
    await new Promise((r) => setTimeout(r, 5000));
    assert.equal((await groupNodes()).length, 1, 'never below minSize');
    await s.k('delete', 'deploy/web');
  });

  it('tells a pod no group can host why (NotTriggerScaleUp)', async () => {
    await s.kubectl(['apply', '-f', '-'], { input: deployment('huge', 1, '64') });
    const e = await until('NotTriggerScaleUp', 30_000, async () => (await events('NotTriggerScaleUp'))[0]);
    assert.equal(e.message, "pod didn't trigger scale-up: 1 Insufficient cpu");
    assert.equal((await groupNodes()).length, 1);
    await s.k('delete', 'deploy/huge');
  });

  it('a PDB with minAvailable equal to the replicas blocks the drain until it is relaxed', async (t) => {
    // Fill the one node, then a guarded pod needs a second node.
    await s.kubectl(['apply', '-f', '-'], { input: deployment('filler', 4, '500m') });
    await until('4 running filler pods', 30_000, async () => running(await pods('filler')) === 4);
    const pdb: PodDisruptionBudget = {
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: { name: 'guarded', namespace: 'default' },
      spec: { minAvailable: 1, selector: { matchLabels: { app: 'guarded' } } },
    };
    await client.create('/apis/policy/v1/namespaces/default/poddisruptionbudgets', pdb);
    await s.kubectl(['apply', '-f', '-'], { input: deployment('guarded', 1, '500m') });
    await until('the guarded pod running on a second node', 30_000, async () => running(await pods('guarded')) === 1);
    assert.equal((await groupNodes()).length, 2);
    const pdbPath = '/apis/policy/v1/namespaces/default/poddisruptionbudgets/guarded';
    const observed = await pollUntil(
      'PDB status',
      async () => {
        const p = await client.get<PodDisruptionBudget>(pdbPath);
        return p.status?.observedGeneration !== undefined ? p : undefined;
      },
      10_000,
    ).catch(() => undefined);
    if (!observed) {
      t.skip(
        'needs the PodDisruptionBudget status controller (status.disruptionsAllowed; src/controllers, in progress)',
      );
      return;
    }
    // Room on the first node: the guarded pod could move, and only its budget keeps the second node.
    await s.k('scale', 'deploy/filler', '--replicas=3');
    const [guarded] = await pods('guarded');
    const evict = await s.request('POST', `/api/v1/namespaces/default/pods/${guarded!.metadata.name}/eviction`, {
      apiVersion: 'policy/v1',
      kind: 'Eviction',
      metadata: { name: guarded!.metadata.name, namespace: 'default' },
      deleteOptions: { dryRun: ['All'] },
    });
    if (evict.status !== 429) {
      t.skip(`needs the API server's eviction subresource to enforce PDBs (a dry-run eviction got ${evict.status})`);
      return;
    }
    await new Promise((r) => setTimeout(r, 8000)); // well past the 3 s unneeded time
    assert.equal((await groupNodes()).length, 2, 'the budget keeps the node');
    await client.patch(pdbPath, { spec: { minAvailable: 0 } }, 'merge');
    await until('the group back at 1 node', 60_000, async () => (await groupNodes()).length === 1);
    await until('the guarded pod running again', 30_000, async () => running(await pods('guarded')) === 1);
    const drained = (await client.list<Event>('/api/v1/namespaces/default/events')).items.filter(
      (e) => e.reason === 'ScaleDown' && e.involvedObject.name?.startsWith('guarded'),
    );
    assert.ok(drained.length > 0, 'the guarded pod was evicted for the scale-down');
  });
});

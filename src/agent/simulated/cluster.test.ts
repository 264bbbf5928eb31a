// Integration: a real `tutti server`, the node-side controllers in this process, and simulated nodes.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ApiClient, Informer } from '../../client/index.js';
import { newControllerContext } from '../../controllers/context.js';
import { startControllers } from '../../controllers/manager.js';
import { type Node, type Pod as CorePod, type PodSpec, resources } from '../../core/index.js';
import { startTestServer, type TestServer } from '../../e2e/harness.js';
import { SimulatedNodes } from './simulated-nodes.js';

/** Pods as served: the API server rejects a pod without a spec. */
type Pod = CorePod & { spec: PodSpec };

let server: TestServer;
let client: ApiClient;
let sim: SimulatedNodes;
let controllers: { stop(): Promise<void> };
let binder: Informer<Pod>;

async function until<T>(
  what: string,
  fn: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 20_000,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

before(async () => {
  server = await startTestServer();
  client = new ApiClient({ server: server.url, caPem: server.caPem, token: server.token });
  const ctx = newControllerContext(client, { log: () => {} });
  controllers = startControllers(ctx, {
    disable: [],
    nodeLifecycle: { gracePeriodMs: 3000, monitorPeriodMs: 500 },
    podGc: { periodMs: 1000 },
    job: { backoffBaseMs: 200 },
  });
  sim = new SimulatedNodes({
    client,
    count: 2,
    leaseRenewMs: 1000,
    leaseDurationSeconds: 3,
    statusUpdateMs: 60_000,
    podStartMs: 200,
    podDeleteMs: 100,
    runToCompletionMs: 500,
  });
  await sim.start();
  // Stand-in scheduler: binds pending pods to their daemonset target node or to sim-0.
  binder = new Informer<Pod>({ client, resource: resources.pods });
  binder.addEventHandler({
    onAdd: (p) => {
      if (p.spec.nodeName || p.metadata.deletionTimestamp) return;
      const terms =
        p.spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [];
      const target = terms[0]?.matchFields?.[0]?.values?.[0] ?? 'sim-0';
      void client
        .create(`/api/v1/namespaces/${p.metadata.namespace}/pods/${p.metadata.name}/binding`, {
          apiVersion: 'v1',
          kind: 'Binding',
          metadata: { name: p.metadata.name, namespace: p.metadata.namespace },
          target: { apiVersion: 'v1', kind: 'Node', name: target },
        })
        .catch(() => {});
    },
  });
  binder.start();
});

after(async () => {
  binder?.stop();
  await sim?.stop();
  await controllers?.stop();
  client?.close();
  await server?.stop();
});

test('simulated nodes register, get pod CIDRs and stay Ready', async () => {
  const nodes = await until('pod CIDRs', async () => {
    const list = await client.list<Node>('/api/v1/nodes');
    return list.items.length === 2 && list.items.every((n) => n.spec?.podCIDR) ? list.items : undefined;
  });
  const cidrs = nodes.map((n) => n.spec?.podCIDR);
  assert.equal(new Set(cidrs).size, 2);
  for (const c of cidrs) assert.match(c ?? '', /^10\.42\.\d+\.0\/24$/);
  const lease = await client.get('/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/sim-0');
  assert.equal((lease.spec as { holderIdentity: string }).holderIdentity, 'sim-0');
});

test('endpoints and endpoint slices follow pod readiness', async () => {
  await client.create('/api/v1/namespaces/default/services', {
    metadata: { name: 'web' },
    spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 'http' }] },
  });
  await client.create('/api/v1/namespaces/default/pods', {
    metadata: { name: 'web-1', labels: { app: 'web' } },
    spec: { containers: [{ name: 'c', image: 'nginx', ports: [{ name: 'http', containerPort: 8080 }] }] },
  });
  const ep = await until('ready endpoint', async () => {
    const e = await client
      .get<{ metadata: object; subsets?: { addresses?: { ip: string }[]; ports: { port: number }[] }[] }>(
        '/api/v1/namespaces/default/endpoints/web',
      )
      .catch(() => undefined);
    return e?.subsets?.[0]?.addresses?.length === 1 ? e : undefined;
  });
  assert.equal(ep.subsets?.[0]?.ports[0]?.port, 8080);
  const pod = await client.get<Pod>('/api/v1/namespaces/default/pods/web-1');
  assert.equal(ep.subsets?.[0]?.addresses?.[0]?.ip, pod.status?.podIP);
  const slices = await until('slice', async () => {
    const l = await client.list('/apis/discovery.k8s.io/v1/namespaces/default/endpointslices', {
      labelSelector: 'kubernetes.io/service-name=web',
    });
    const eps = (l.items[0]?.endpoints ?? []) as { conditions: { ready: boolean } }[];
    return eps.length === 1 && eps[0]?.conditions.ready ? l.items : undefined;
  });
  assert.equal(slices.length, 1);
  // The pod turns not ready: it moves to notReadyAddresses.
  const conditions = (pod.status?.conditions ?? []).map((c) => (c.type === 'Ready' ? { ...c, status: 'False' } : c));
  await client.patch('/api/v1/namespaces/default/pods/web-1/status', { status: { conditions } }, 'merge');
  await until('not ready address', async () => {
    const e = await client.get<{
      metadata: object;
      subsets?: { notReadyAddresses?: unknown[]; addresses?: unknown[] }[];
    }>('/api/v1/namespaces/default/endpoints/web');
    return e.subsets?.[0]?.notReadyAddresses?.length === 1 && !e.subsets[0].addresses ? true : undefined;
  });
});

test('a job runs to completion', async () => {
  await client.create('/apis/batch/v1/namespaces/default/jobs', {
    metadata: { name: 'pi' },
    spec: {
      completions: 2,
      parallelism: 1,
      template: { spec: { restartPolicy: 'Never', containers: [{ name: 'pi', image: 'perl' }] } },
    },
  });
  const job = await until('job complete', async () => {
    const j = await client.get<{
      metadata: object;
      status?: { succeeded?: number; conditions?: { type: string }[]; completionTime?: string };
    }>('/apis/batch/v1/namespaces/default/jobs/pi');
    return j.status?.conditions?.some((c) => c.type === 'Complete') ? j : undefined;
  });
  assert.equal(job.status?.succeeded, 2);
  assert.ok(job.status?.completionTime);
});

test('a daemonset puts one pod on each node', async () => {
  await client.create('/apis/apps/v1/namespaces/default/daemonsets', {
    metadata: { name: 'agent' },
    spec: {
      selector: { matchLabels: { app: 'agent' } },
      template: { metadata: { labels: { app: 'agent' } }, spec: { containers: [{ name: 'a', image: 'busybox' }] } },
    },
  });
  const ds = await until('daemonset ready', async () => {
    const d = await client.get<{ metadata: object; status?: Record<string, number> }>(
      '/apis/apps/v1/namespaces/default/daemonsets/agent',
    );
    return d.status?.numberReady === 2 ? d : undefined;
  });
  assert.equal(ds.status?.desiredNumberScheduled, 2);
  assert.equal(ds.status?.updatedNumberScheduled, 2);
  const pods = await client.list<Pod>('/api/v1/namespaces/default/pods', { labelSelector: 'app=agent' });
  assert.deepEqual(pods.items.map((p) => p.spec.nodeName).sort(), ['sim-0', 'sim-1']);
  const revs = await client.list('/apis/apps/v1/namespaces/default/controllerrevisions');
  assert.equal(revs.items.length, 1);
});

test('a node that stops heartbeating is tainted and loses its pods after grace + toleration', async () => {
  await client.create('/api/v1/namespaces/default/pods', {
    metadata: { name: 'victim' },
    spec: {
      nodeName: 'sim-1',
      containers: [{ name: 'c', image: 'x' }],
      tolerations: [
        { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 2 },
      ],
    },
  });
  await until(
    'victim running',
    async () => (await client.get<Pod>('/api/v1/namespaces/default/pods/victim')).status?.phase === 'Running',
  );
  const stoppedAt = Date.now();
  sim.setAlive('sim-1', false);
  const node = await until('node unknown and tainted', async () => {
    const n = await client.get<Node>('/api/v1/nodes/sim-1');
    const ready = n.status?.conditions?.find((c) => c.type === 'Ready');
    return ready?.status === 'Unknown' &&
      n.spec?.taints?.some((t) => t.key === 'node.kubernetes.io/unreachable' && t.effect === 'NoExecute')
      ? n
      : undefined;
  });
  assert.equal(node.status?.conditions?.find((c) => c.type === 'Ready')?.reason, 'NodeStatusUnknown');
  await until('victim evicted', async () => {
    const p = await client.get<Pod>('/api/v1/namespaces/default/pods/victim').catch(() => undefined);
    return !p || p.metadata.deletionTimestamp ? true : undefined;
  });
  const evictedAt = Date.now();
  // Grace runs from the node's last heartbeat (which can precede setAlive(false) by a renewal period), the
  // toleration from the taint's timeAdded, which the API keeps to the second, as upstream.
  const lease = await client.get<{ metadata: object; spec: { renewTime: string } }>(
    '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/sim-1',
  );
  const lastBeat = Date.parse(lease.spec.renewTime);
  const taintAdded = Date.parse(
    node.spec!.taints!.find((t) => t.key === 'node.kubernetes.io/unreachable' && t.effect === 'NoExecute')!.timeAdded!,
  );
  assert.ok(
    taintAdded >= Math.floor((lastBeat + 3000) / 1000) * 1000,
    `tainted at ${taintAdded - lastBeat} ms after the last heartbeat (grace 3 s)`,
  );
  assert.ok(evictedAt >= taintAdded + 2000, `evicted ${evictedAt - taintAdded} ms after the taint (toleration 2 s)`);
  assert.ok(evictedAt - stoppedAt < 12_000, `evicted after ${evictedAt - stoppedAt} ms`);
  // The daemon pod on sim-1 tolerates unreachable forever: it stays.
  const ds = await client.list<Pod>('/api/v1/namespaces/default/pods', { labelSelector: 'app=agent' });
  assert.ok(ds.items.some((p) => p.spec.nodeName === 'sim-1' && !p.metadata.deletionTimestamp));
  // Back alive: the taints go.
  sim.setAlive('sim-1', true);
  await until('taints removed', async () => {
    const n = await client.get<Node>('/api/v1/nodes/sim-1');
    return n.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True' &&
      !(n.spec?.taints ?? []).some((t) => t.key.startsWith('node.kubernetes.io/'))
      ? true
      : undefined;
  });
});

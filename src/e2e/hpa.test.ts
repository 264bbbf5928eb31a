// The HPA controller end to end on simulated nodes: a real `tutti server`; the Deployment, ReplicaSet and
// node IPAM controllers and the HPA controller in this process; two simulated nodes that run the pods; and
// the metrics pipeline of src/metrics (each simulated node's /metrics/resource text from the pods'
// tutti.io/simulated-usage annotation -> Scraper -> MetricsStore -> serveMetrics) as the HPA's metrics source,
// answering the same metrics.k8s.io requests the API server will answer once it routes them. Pods "burn" by
// their annotation: an HPA targeting 50% of a 100m request scales up within two sync periods, and back down
// once they stop and the stabilization window has passed; every replica change is read back from the events.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ApiClient, ApiError, Informer, resourcePath } from '../client/index.js';
import { newControllerContext } from '../controllers/context.js';
import { startControllers } from '../controllers/manager.js';
import type { MetricsTransport } from '../controllers/podautoscaler/metrics-client.js';
import { RestMetricsClient } from '../controllers/podautoscaler/metrics-client.js';
import { resources } from '../core/resources.js';
import type { Status } from '../core/status.js';
import type { Event, HorizontalPodAutoscaler, Node, Pod } from '../core/types.js';
import { SIMULATED_USAGE_ANNOTATION } from '../core/well-known.js';
import { MetricsStore, Scraper, SimulatedUsageMeter, serveMetrics } from '../metrics/index.js';
import { SimulatedNodes } from '../simnodes/index.js';
import { pollUntil, startTestServer, type TestServer } from './harness.js';

const SYNC_MS = 1000;
const RESOLUTION_MS = 1000;
const DOWN_WINDOW_S = 8;

describe('HorizontalPodAutoscaler on simulated nodes with simulated metrics', () => {
  let s: TestServer;
  let client: ApiClient;
  let kcm: ApiClient | undefined;
  let sim: SimulatedNodes;
  let controllers: { stop(): Promise<void> };
  let nodes: Informer<Node>;
  let pods: Informer<Pod>;
  let scraper: Scraper;
  const store = new MetricsStore();
  const meter = new SimulatedUsageMeter();
  let firstMetricsAt = 0;

  before(async () => {
    s = await startTestServer();
    client = new ApiClient({ server: s.url, caPem: s.caPem, token: s.token });
    sim = new SimulatedNodes({ client, count: 2, podStartMs: 100, podDeleteMs: 100, leaseRenewMs: 2000 });
    await sim.start();
    nodes = new Informer<Node>({ client, resource: resources.nodes });
    pods = new Informer<Pod>({ client, resource: resources.pods });
    nodes.start();
    pods.start();
    await nodes.waitForSync();
    await pods.waitForSync();

    // Each simulated node's agent endpoint, as simnodes will serve it: the meter over the node's pods.
    scraper = new Scraper({
      store,
      listNodes: () => nodes.list(),
      fetch: async (node) => meter.render(node.metadata.name ?? '', pods.list(), Date.now()),
      resolutionMs: RESOLUTION_MS,
    });
    scraper.start();
    // The metrics.k8s.io answers, in process: what the API server will route to serveMetrics.
    const objects = {
      pods: (ns: string | undefined) => pods.list().filter((p) => ns === undefined || p.metadata.namespace === ns),
      nodes: () => nodes.list(),
    };
    const transport: MetricsTransport = {
      async requestJson<T>(method: string, path: string, query?: Record<string, string | undefined>) {
        const q = new URLSearchParams();
        for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) q.set(k, v);
        const r = await serveMetrics(store, { method, path, query: q }, objects);
        if (r.code !== 200) throw new ApiError(r.body as Status, method, path);
        const list = r.body as { items: unknown[] };
        if (list.items.length > 0 && !firstMetricsAt) firstMetricsAt = Date.now();
        return r.body as T;
      },
    };

    // the HPA controller runs as the controller manager does in `tutti server`: its own user, not the admin
    kcm = new ApiClient({ server: s.url, caPem: s.caPem, token: s.componentToken('kube-controller-manager') });
    const ctx = newControllerContext(kcm, { log: () => {} });
    controllers = startControllers(ctx, {
      disable: ['nodelifecycle', 'endpoints', 'endpointslice', 'daemonset', 'job', 'podgc', 'namespace'],
      hpa: {
        syncPeriodMs: SYNC_MS,
        cpuInitializationPeriodMs: 3000,
        delayOfInitialReadinessStatusMs: 1000,
        metrics: new RestMetricsClient(transport),
      },
    });
  });

  after(async () => {
    await controllers?.stop();
    kcm?.close();
    await scraper?.stop();
    nodes?.stop();
    pods?.stop();
    await sim?.stop();
    client?.close();
    await s?.stop();
  });

  const usage = (cpu: string) => ({ [SIMULATED_USAGE_ANNOTATION]: `cpu=${cpu},memory=32Mi` });
  const webPods = () => pods.list().filter((p) => p.metadata.labels?.app === 'web' && !p.metadata.deletionTimestamp);
  const hpaPath = resourcePath(resources.horizontalpodautoscalers, { namespace: 'default', name: 'web' });
  const rescales = async () => {
    const list = await client.list<Event>(resourcePath(resources.events, { namespace: 'default' }), {
      fieldSelector: 'involvedObject.name=web,involvedObject.kind=HorizontalPodAutoscaler',
    });
    return list.items
      .filter((e) => e.reason === 'SuccessfulRescale')
      .sort(
        (a, b) =>
          (a.firstTimestamp ?? '').localeCompare(b.firstTimestamp ?? '') ||
          a.metadata.name!.localeCompare(b.metadata.name!),
      )
      .map((e) => e.message ?? '');
  };

  it('scales a busy Deployment up within two sync periods, and down after the stabilization window', async () => {
    await client.create(resourcePath(resources.deployments, { namespace: 'default' }), {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: 'default' },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: 'web' } },
        template: {
          // The template makes every new pod burn its whole 100m request (twice the 50% target).
          metadata: { labels: { app: 'web' }, annotations: usage('100m') },
          spec: {
            nodeName: 'sim-0',
            containers: [{ name: 'busybox', image: 'busybox:1.35', resources: { requests: { cpu: '100m' } } }],
          },
        },
      },
    });
    // kubectl autoscale has no flag for behavior: the HPA it would make, as YAML, with a short scale-down window.
    const apply = await s.kubectl(['apply', '-f', '-'], {
      input: [
        'apiVersion: autoscaling/v2',
        'kind: HorizontalPodAutoscaler',
        'metadata: {name: web, namespace: default}',
        'spec:',
        '  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}',
        '  minReplicas: 1',
        '  maxReplicas: 4',
        '  metrics:',
        '  - type: Resource',
        '    resource: {name: cpu, target: {type: Utilization, averageUtilization: 50}}',
        '  behavior:',
        `    scaleDown: {stabilizationWindowSeconds: ${DOWN_WINDOW_S}}`,
        '',
      ].join('\n'),
    });
    assert.equal(apply.code, 0, apply.stderr);

    const up = await pollUntil(
      'a scale-up',
      async () => ((await rescales()).length > 0 ? Date.now() : undefined),
      30_000,
      100,
    );
    assert.ok(firstMetricsAt > 0);
    assert.ok(up - firstMetricsAt <= 2 * SYNC_MS + 500, `scaled up ${up - firstMetricsAt} ms after the first metrics`);

    await pollUntil(
      'four busy replicas',
      async () => {
        const hpa = await client.get<HorizontalPodAutoscaler>(hpaPath);
        return hpa.status?.currentReplicas === 4 && webPods().length === 4;
      },
      60_000,
      200,
    );
    const busy = await client.get<HorizontalPodAutoscaler>(hpaPath);
    const active = busy.status?.conditions?.find((c) => c.type === 'ScalingActive');
    assert.equal(active?.reason, 'ValidMetricFound');

    const describe = await s.k('describe', 'hpa', 'web');
    if (process.env.TUTTI_TEST_VERBOSE) console.log(describe);
    assert.match(describe, /Reference:\s+Deployment\/web/);
    assert.match(describe, /resource cpu on pods\s+\(as a percentage of request\):\s+\d+% \(\d+m\) \/ 50%/);
    assert.match(describe, /Min replicas:\s+1/);
    assert.match(describe, /Max replicas:\s+4/);
    assert.match(describe, /Deployment pods:\s+4 current \/ 4 desired/);
    assert.match(describe, /AbleToScale\s+True/);
    assert.match(describe, /ScalingActive\s+True\s+ValidMetricFound/);
    assert.match(describe, /ScalingLimited\s+(True|False)/);
    assert.match(
      describe,
      /Normal\s+SuccessfulRescale\s+.*New size: 2; reason: cpu resource utilization \(percentage of request\) above target/,
    );
    const getHpa = await s.k('get', 'hpa', 'web');
    assert.match(getHpa, /cpu: \d+%\/50%\s+1\s+4\s+4/);
    // autoscaling/v1 reads the same object through the conversion.
    const v1 = JSON.parse(
      (await s.request('GET', '/apis/autoscaling/v1/namespaces/default/horizontalpodautoscalers/web')).body,
    ) as { status?: { currentReplicas?: number; currentCPUUtilizationPercentage?: number } };
    assert.equal(v1.status?.currentReplicas, 4);
    assert.ok((v1.status?.currentCPUUtilizationPercentage ?? 0) >= 50);

    // The pods stop burning.
    const stoppedAt = Date.now();
    for (const p of webPods()) {
      await client.patch(
        resourcePath(resources.pods, { namespace: 'default', name: p.metadata.name }),
        { metadata: { annotations: usage('0m') } },
        'merge',
      );
    }
    await pollUntil(
      'a scale-down to one replica',
      async () => (await rescales()).some((m) => m.startsWith('New size: 1;')),
      60_000,
      200,
    );
    const downAt = Date.now();
    assert.ok(
      downAt - stoppedAt >= DOWN_WINDOW_S * 1000,
      `scaled down ${downAt - stoppedAt} ms after the pods stopped`,
    );

    const log = await rescales();
    console.log(`replica changes (SuccessfulRescale events):\n  ${log.join('\n  ')}`);
    const sizes = log.map((m) => Number(/^New size: (\d+);/.exec(m)?.[1]));
    assert.ok(sizes.length >= 3);
    assert.ok(
      sizes.slice(0, -1).every((n, i, a) => i === 0 || n > a[i - 1]!),
      `scale-ups in order: ${sizes.join(' ')}`,
    );
    assert.equal(sizes.at(-2), 4);
    for (const m of log.slice(0, -1))
      assert.match(m, /reason: cpu resource utilization \(percentage of request\) above target$/);
    assert.equal(log.at(-1), 'New size: 1; reason: All metrics below target');
    await pollUntil('one pod left', async () => webPods().length === 1, 30_000, 200);
  });
});

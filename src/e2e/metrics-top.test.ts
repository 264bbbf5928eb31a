// metrics.k8s.io served by `tutti server` itself: its scraper polls simulated nodes (each on its own
// loopback InternalIP, usage from the pods' tutti.io/simulated-usage annotation) every --metric-resolution,
// and `kubectl top nodes|pods [-A] [--containers] [-l] [--sort-by]` prints upstream's output. Pods and nodes
// without two samples yet are left out; a change of usage shows up in the next windows.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ApiClient, resourcePath } from '../client/index.js';
import { resources } from '../core/resources.js';
import type { Pod } from '../core/types.js';
import { SIMULATED_USAGE_ANNOTATION } from '../core/well-known.js';
import { SimulatedNodes } from '../simnodes/index.js';
import { pollUntil, startTestServer, type TestServer } from './harness.js';

const pod = (name: string, node: string, usage: string, labels: Record<string, string>, containers = ['app']): Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'default', labels, annotations: { [SIMULATED_USAGE_ANNOTATION]: usage } },
  spec: { nodeName: node, containers: containers.map((c) => ({ name: c, image: 'busybox' })) },
});

describe('kubectl top against tutti server with simulated nodes', () => {
  let s: TestServer;
  let client: ApiClient;
  let sim: SimulatedNodes;

  before(async () => {
    s = await startTestServer({ args: ['--metric-resolution', '1'] });
    client = new ApiClient({ server: s.url, caPem: s.caPem, token: s.token });
    sim = new SimulatedNodes({
      client,
      count: 2,
      prefix: 'top',
      capacity: { cpu: '2', memory: '2Gi' },
      podStartMs: 50,
      metrics: { nodeBase: { cpuMillis: 50, memoryBytes: 256 * 2 ** 20 } },
    });
    await sim.start();
    // No controller manager here: give the nodes the pod CIDRs node IPAM would (simulated pods wait for one).
    for (const [i, name] of ['top-0', 'top-1'].entries()) {
      await client.patch(resourcePath(resources.nodes, { name }), { spec: { podCIDR: `10.42.${i}.0/24` } }, 'merge');
    }
  });

  after(async () => {
    await sim?.stop();
    client?.close();
    await s?.stop();
  });

  const top = async (...args: string[]) => {
    const r = await s.kubectl(['top', ...args]);
    return {
      code: r.code,
      err: r.stderr,
      rows: r.stdout
        .trim()
        .split('\n')
        .map((l) => l.trim().split(/\s+/)),
    };
  };

  it('lists the group in discovery', async () => {
    const groups = JSON.parse(await s.k('get', '--raw', '/apis')) as { groups: { name: string }[] };
    assert.ok(groups.groups.some((g) => g.name === 'metrics.k8s.io'));
    const list = JSON.parse(await s.k('get', '--raw', '/apis/metrics.k8s.io/v1beta1')) as {
      resources: { name: string }[];
    };
    assert.deepEqual(list.resources.map((r) => r.name).sort(), ['nodes', 'pods']);
  });

  it('shows nodes and pods with upstream output once they have two samples', async () => {
    for (const p of [
      pod('web-1', 'top-0', 'cpu=250m,memory=64Mi', { app: 'web' }),
      pod('web-2', 'top-0', 'cpu=100m,memory=32Mi', { app: 'web' }, ['app', 'proxy']),
      pod('batch-1', 'top-1', 'cpu=1,memory=1Gi', { app: 'batch' }),
    ]) {
      await client.create(resourcePath(resources.pods, { namespace: 'default' }), p);
    }
    // Before any pod has two samples, kubectl top pods says so (nothing is shown as zero).
    const early = await top('pods');
    if (early.code !== 0)
      assert.match(early.err, /metrics not available yet|Metrics not available for pod|No resources found/);

    const pods = await pollUntil(
      'pod metrics',
      async () => {
        const r = await top('pods', '--sort-by', 'cpu');
        return r.code === 0 && r.rows.length === 4 ? r.rows : undefined;
      },
      20_000,
      500,
    );
    assert.deepEqual(pods, [
      ['NAME', 'CPU(cores)', 'MEMORY(bytes)'],
      ['batch-1', '1000m', '1024Mi'],
      ['web-1', '250m', '64Mi'],
      ['web-2', '200m', '64Mi'],
    ]);
    const nodes = await pollUntil(
      'node metrics',
      async () => {
        const r = await top('nodes');
        // Each node's usage includes its pods' from the scrapes after they started.
        return r.code === 0 && r.rows[1]?.[1] === '500m' && r.rows[2]?.[1] === '1050m' ? r.rows : undefined;
      },
      20_000,
      500,
    );
    assert.deepEqual(nodes[0], ['NAME', 'CPU(cores)', 'CPU(%)', 'MEMORY(bytes)', 'MEMORY(%)']);
    // top-0: 50m + 250m + 2 x 100m; memory 256Mi + 64Mi + 2 x 32Mi. The window is the scrape interval.
    assert.deepEqual(nodes[1], ['top-0', '500m', '25%', '384Mi', '18%']);
    assert.deepEqual(nodes[2], ['top-1', '1050m', '52%', '1280Mi', '62%']);

    const containers = await top('pods', '-l', 'app=web', '--containers');
    assert.deepEqual(containers.rows, [
      ['POD', 'NAME', 'CPU(cores)', 'MEMORY(bytes)'],
      ['web-1', 'app', '250m', '64Mi'],
      ['web-2', 'app', '100m', '32Mi'],
      ['web-2', 'proxy', '100m', '32Mi'],
    ]);
    const all = await top('pods', '-A', '--sort-by', 'memory');
    assert.deepEqual(all.rows[0], ['NAMESPACE', 'NAME', 'CPU(cores)', 'MEMORY(bytes)']);
    assert.deepEqual(all.rows[1], ['default', 'batch-1', '1000m', '1024Mi']);
    const one = JSON.parse(await s.k('get', '--raw', '/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/web-1')) as {
      kind: string;
      containers: { name: string; usage: { cpu: string } }[];
    };
    assert.equal(one.kind, 'PodMetrics');
    assert.equal(one.containers[0]?.name, 'app');
    // A name that is no object name finds nothing (it is not spliced into the pods' field selector).
    for (const odd of ['web-1%2Cmetadata.namespace%3Ddefault', 'WEB-1', 'a'.repeat(300)]) {
      const r = await s.kubectl(['get', '--raw', `/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/${odd}`]);
      assert.equal(r.code, 1, odd);
      assert.match(r.stderr, /NotFound/, odd);
    }
  });

  it('follows a change of usage', async () => {
    await client.patch(
      resourcePath(resources.pods, { namespace: 'default', name: 'web-1' }),
      { metadata: { annotations: { [SIMULATED_USAGE_ANNOTATION]: 'cpu=750m,memory=64Mi' } } },
      'merge',
    );
    // The first window after the change mixes the two rates; the next one is the new rate only.
    const row = await pollUntil(
      'web-1 at 750m',
      async () => {
        const r = await top('pods', 'web-1');
        return r.code === 0 && r.rows[1]?.[1] === '750m' ? r.rows[1] : undefined;
      },
      20_000,
      500,
    );
    assert.deepEqual(row, ['web-1', '750m', '64Mi']);
    const missing = await top('pods', 'nope');
    assert.notEqual(missing.code, 0);
    assert.match(missing.err, /pods "nope" not found|not found/);
  });
});

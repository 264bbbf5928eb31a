// End to end: Nodes registered in a real `tutti server` point at a fake agent (an HTTPS server serving
// /metrics/resource as the kubelet does, behind a bearer token and its own CA published in the node's
// annotation). The scraper reads the Nodes from an informer, fetches over HTTPS with the CA pinned, and
// serveMetrics answers kubectl: `kubectl top` runs against a small proxy that adds the metrics API in front
// of the server (what the API server will do itself once it routes /apis/metrics.k8s.io).
import assert from 'node:assert/strict';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { request as httpsRequest, createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ApiClient } from '../client/api-client.js';
import { Informer } from '../client/informer.js';
import { resourcePath } from '../client/paths.js';
import { resources } from '../core/resources.js';
import type { Node, Pod } from '../core/types.js';
import { AGENT_CA_ANNOTATION, SIMULATED_USAGE_ANNOTATION } from '../core/well-known.js';
import { startTestServer, type TestServer } from '../e2e/harness.js';
import { createCertificateAuthority, createServingCertificate } from '../pki/certificates.js';
import { agentResourceMetricsFetch } from './agent-fetch.js';
import { isMetricsPath, metricsApiGroup, serveMetrics } from './serve.js';
import { Scraper } from './scraper.js';
import { SimulatedUsageMeter } from './simulated.js';
import { MetricsStore } from './store.js';

const TOKEN = 'agent-token-for-tests';

interface FakeAgent {
  port: number;
  caPem: string;
  requests: { path: string; auth: string | undefined }[];
  stop(): Promise<void>;
}

/** An agent endpoint serving /metrics/resource for `pods` (simulated usage), as the kubelet would. */
async function startFakeAgent(nodeName: string, pods: () => Pod[]): Promise<FakeAgent> {
  const ca = await createCertificateAuthority(`fake-agent-ca@${nodeName}`);
  const cert = await createServingCertificate(ca, nodeName, { dnsNames: [nodeName, 'localhost'], ips: ['127.0.0.1'] });
  const meter = new SimulatedUsageMeter({ nodeBase: { cpuMillis: 50, memoryBytes: 256 * 2 ** 20 } });
  const requests: FakeAgent['requests'] = [];
  const server = createHttpsServer({ cert: cert.certPem, key: cert.keyPem }, (req, res) => {
    requests.push({ path: req.url ?? '', auth: req.headers.authorization });
    if (req.headers.authorization !== `Bearer ${TOKEN}`) {
      res.writeHead(401).end('Unauthorized');
      return;
    }
    if (req.url !== '/metrics/resource') {
      res.writeHead(404).end('404 page not found');
      return;
    }
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
    res.end(meter.render(nodeName, pods(), Date.now()));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as AddressInfo).port,
    caPem: ca.certPem,
    requests,
    stop: () => new Promise((r) => server.close(() => r())),
  };
}

function runningPod(
  name: string,
  node: string,
  usage: string,
  labels: Record<string, string>,
  containers = ['app'],
): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', labels, annotations: { [SIMULATED_USAGE_ANNOTATION]: usage } },
    spec: { nodeName: node, containers: containers.map((c) => ({ name: c, image: 'busybox:1.35' })) },
    status: { phase: 'Running', startTime: new Date(Date.now() - 60_000).toISOString() },
  };
}

/**
 * kubectl -> this proxy -> the test server, except /apis/metrics.k8s.io (serveMetrics) and /apis, whose
 * APIGroupList gets the metrics group added, as the API server's discovery will list it.
 */
async function startMetricsProxy(
  s: TestServer,
  answer: (req: IncomingMessage) => Promise<{ code: number; body: unknown }>,
): Promise<Server> {
  const upstream = new URL(s.url);
  const forward = (req: IncomingMessage, res: ServerResponse, rewrite?: (body: string) => string) => {
    const headers = { ...req.headers, host: upstream.host, authorization: `Bearer ${s.token}` };
    if (rewrite) headers.accept = 'application/json';
    const up = httpsRequest(
      { host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers, ca: s.caPem },
      (ur) => {
        if (!rewrite) {
          res.writeHead(ur.statusCode ?? 502, ur.headers);
          ur.pipe(res);
          return;
        }
        let body = '';
        ur.on('data', (d: Buffer) => {
          body += d.toString();
        });
        ur.on('end', () => {
          const out = rewrite(body);
          res.writeHead(ur.statusCode ?? 502, {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(out),
          });
          res.end(out);
        });
      },
    );
    up.on('error', () => res.writeHead(502).end());
    req.pipe(up);
  };
  const proxy = createHttpServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://proxy').pathname;
    if (isMetricsPath(path)) {
      void answer(req).then(({ code, body }) => {
        const text = JSON.stringify(body);
        res.writeHead(code, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
        res.end(text);
      });
      return;
    }
    if (path === '/apis') {
      forward(req, res, (body) => {
        const list = JSON.parse(body) as { groups: unknown[] };
        list.groups.push(metricsApiGroup());
        return JSON.stringify(list);
      });
      return;
    }
    forward(req, res);
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  return proxy;
}

describe('metrics pipeline end to end', () => {
  let s: TestServer;
  let client: ApiClient;
  const agents: FakeAgent[] = [];
  let nodes: Informer<Node>;
  let podInformer: Informer<Pod>;
  let proxy: Server;
  const store = new MetricsStore();
  const agentPods: Pod[] = [
    runningPod('web-1', 'node-a', 'cpu=250m,memory=64Mi', { app: 'web' }),
    runningPod('web-2', 'node-a', 'cpu=100m,memory=32Mi', { app: 'web' }, ['app', 'proxy']),
    runningPod('batch-1', 'node-b', 'cpu=1,memory=1Gi', { app: 'batch' }),
  ];
  let fetch: ReturnType<typeof agentResourceMetricsFetch>;
  let scraper: Scraper;

  before(async () => {
    s = await startTestServer();
    client = new ApiClient({ server: s.url, token: s.token, caPem: s.caPem });
    for (const name of ['node-a', 'node-b', 'node-c']) {
      const agent = await startFakeAgent(name, () => agentPods);
      agents.push(agent);
      // node-c publishes a CA that did not sign its agent's certificate: its scrape must fail.
      const caPem = name === 'node-c' ? (await createCertificateAuthority('someone-else')).certPem : agent.caPem;
      await client.create(resourcePath(resources.nodes), {
        apiVersion: 'v1',
        kind: 'Node',
        metadata: {
          name,
          labels: { zone: name.slice(-1) },
          annotations: { [AGENT_CA_ANNOTATION]: Buffer.from(caPem).toString('base64') },
        },
      });
      const node = await client.get<Node>(resourcePath(resources.nodes, { name }));
      await client.updateStatus(resourcePath(resources.nodes, { name }), {
        ...node,
        status: {
          addresses: [{ type: 'InternalIP', address: '127.0.0.1' }],
          daemonEndpoints: { kubeletEndpoint: { Port: agent.port } },
          capacity: { cpu: '2', memory: '2Gi', pods: '110' },
          allocatable: { cpu: '2', memory: '2Gi', pods: '110' },
          conditions: [{ type: 'Ready', status: 'True' }],
        },
      });
    }
    for (const p of agentPods) {
      await client.create(resourcePath(resources.pods, { namespace: 'default' }), {
        ...p,
        metadata: { name: p.metadata.name, namespace: 'default', labels: p.metadata.labels },
        status: undefined,
      });
    }
    nodes = new Informer<Node>({ client, resource: resources.nodes });
    podInformer = new Informer<Pod>({ client, resource: resources.pods });
    nodes.start();
    podInformer.start();
    await nodes.waitForSync();
    await podInformer.waitForSync();
    fetch = agentResourceMetricsFetch({ token: TOKEN });
    scraper = new Scraper({ store, listNodes: () => nodes.list(), fetch, timeoutMs: 5000 });
    const objects = {
      pods: (ns: string | undefined) =>
        podInformer.list().filter((p) => ns === undefined || p.metadata.namespace === ns),
      nodes: () => nodes.list(),
    };
    proxy = await startMetricsProxy(s, async (req) => {
      const url = new URL(req.url ?? '/', 'http://proxy');
      return serveMetrics(store, { method: req.method ?? 'GET', path: url.pathname, query: url.searchParams }, objects);
    });
    const kubeconfig = join(s.dataDir, 'proxy-kubeconfig.yaml');
    writeFileSync(
      kubeconfig,
      [
        'apiVersion: v1',
        'kind: Config',
        `clusters: [{name: proxy, cluster: {server: "http://127.0.0.1:${(proxy.address() as AddressInfo).port}"}}]`,
        'users: [{name: u, user: {token: unused}}]',
        'contexts: [{name: c, context: {cluster: proxy, user: u}}]',
        'current-context: c',
        '',
      ].join('\n'),
    );
  });

  after(async () => {
    await scraper?.stop();
    fetch?.close();
    nodes?.stop();
    podInformer?.stop();
    proxy?.close();
    for (const a of agents) await a.stop();
    client?.close();
    await s?.stop();
  });

  it('scrapes the agents over HTTPS with their CA and token, and has usage from the second scrape on', async () => {
    const first = await scraper.scrapeOnce();
    assert.equal(first.nodes, 3);
    assert.equal(first.failed, 1, 'node-c presents a certificate its published CA did not sign');
    assert.equal(store.nodeUsage('node-a'), undefined, 'one sample: no usage yet');
    await new Promise((r) => setTimeout(r, 1100));
    const second = await scraper.scrapeOnce();
    assert.equal(second.failed, 1);
    assert.deepEqual(agents[0]!.requests.at(-1), { path: '/metrics/resource', auth: `Bearer ${TOKEN}` });
    assert.equal(agents[2]!.requests.length, 0, 'the TLS handshake to node-c failed before any request');
    const web1 = store.podUsage('default', 'web-1')!;
    assert.ok(
      Math.abs(web1.containers[0]!.usage.cpuNanocores - 250_000_000) < 1000,
      String(web1.containers[0]!.usage.cpuNanocores),
    );
    assert.equal(web1.containers[0]!.usage.memoryBytes, 64 * 2 ** 20);
    const nodeA = store.nodeUsage('node-a')!;
    assert.ok(Math.abs(nodeA.cpuNanocores - 500_000_000) < 1000, 'node-a: 50m + 250m + 2 x 100m');
    assert.equal(store.nodeUsage('node-c'), undefined);
  });

  it('answers kubectl top nodes and pods with upstream output', async () => {
    const kubeconfig = join(s.dataDir, 'proxy-kubeconfig.yaml');
    const top = async (...args: string[]) => {
      const r = await s.kubectl(['--kubeconfig', kubeconfig, 'top', ...args]);
      assert.equal(r.code, 0, `kubectl top ${args.join(' ')}: ${r.stderr}`);
      return r.stdout.split('\n').map((l) => l.trim().split(/\s+/));
    };
    const nodesOut = await top('nodes');
    assert.deepEqual(nodesOut[0], ['NAME', 'CPU(cores)', 'CPU(%)', 'MEMORY(bytes)', 'MEMORY(%)']);
    assert.deepEqual(nodesOut[1], ['node-a', '500m', '25%', '384Mi', '18%']);
    assert.deepEqual(nodesOut[2], ['node-b', '1050m', '52%', '1280Mi', '62%']);
    // node-c has no metrics: the API leaves it out, and kubectl prints the nodes it lists without metrics so.
    assert.deepEqual(nodesOut[3], ['node-c', '<unknown>', '<unknown>', '<unknown>', '<unknown>']);

    const pods = await top('pods', '--sort-by', 'cpu');
    assert.deepEqual(pods.slice(0, 4), [
      ['NAME', 'CPU(cores)', 'MEMORY(bytes)'],
      ['batch-1', '1000m', '1024Mi'],
      ['web-1', '250m', '64Mi'],
      ['web-2', '200m', '64Mi'],
    ]);
    const containers = await top('pods', '-l', 'app=web', '--containers');
    assert.deepEqual(containers.slice(0, 4), [
      ['POD', 'NAME', 'CPU(cores)', 'MEMORY(bytes)'],
      ['web-1', 'app', '250m', '64Mi'],
      ['web-2', 'app', '100m', '32Mi'],
      ['web-2', 'proxy', '100m', '32Mi'],
    ]);
    const all = await top('pods', '-A', '--sort-by', 'memory');
    assert.deepEqual(all[0], ['NAMESPACE', 'NAME', 'CPU(cores)', 'MEMORY(bytes)']);
    assert.deepEqual(all[1], ['default', 'batch-1', '1000m', '1024Mi']);
  });
});

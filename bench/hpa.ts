// HPA and metrics-pipeline benchmark.
//  1. 1,000 HPAs over 1,000 Deployments (one pod each): the targets' scale objects and the pods served by the
//     fake API server (src/client/testing) in a child process, the PodMetrics by serveMetrics over a
//     MetricsStore in the same process (a fake metrics source, over HTTP as the API server will serve it);
//     the HPA controller in this one, as the controller manager runs it (informers; 20 workers, set with
//     BENCH_HPA_WORKERS). Prints the first pass (every status written, a quarter of the targets rescaled) and
//     the steady pass (HPAs synced back to back over 10 s: 1,000 / syncs per second), with the CPU time of the
//     controller and of the server processes per pass (wall time depends on what else the machine runs).
//  3. The same, wired as `tutti server` wires it: MetricsApiService (scraper + store + metrics.k8s.io answers)
//     against simulated nodes' metrics endpoint (src/simnodes: one listener per node on its own loopback
//     InternalIP, in a child process; no CA published): CPU per node per scrape, and the CPU of answering a
//     PodMetricsList of every pod (what `kubectl top pods -A` asks for).
//     BENCH_ONLY=hpa, BENCH_ONLY=scraper or BENCH_ONLY=simnodes runs one part.
//  2. The metrics scraper against fake agents (HTTPS servers in a child process serving the kubelet's
//     /metrics/resource text for simulated pods, CA pinned, bearer token): CPU time of this process per node
//     per scrape and per 1,000 pods, and what that costs at the default 15 s resolution.
// Run: npm run build && node dist/bench/hpa.js [hpas] [agents:podsPerAgent]   (default 1000 100:10)
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { ApiClient } from '../src/client/api-client.js';
import { FakeApiServer } from '../src/client/testing/fake-server.js';
import { newControllerContext } from '../src/controllers/context.js';
import { startHorizontalPodAutoscalerController } from '../src/controllers/podautoscaler/controller.js';
import { RestMetricsClient } from '../src/controllers/podautoscaler/metrics-client.js';
import type { Node, Pod } from '../src/core/types.js';
import { AGENT_CA_ANNOTATION, SIMULATED_USAGE_ANNOTATION } from '../src/core/well-known.js';
import { agentResourceMetricsFetch } from '../src/metrics/agent-fetch.js';
import { decodeResourceMetrics, type ResourceSnapshot } from '../src/metrics/resource-metrics.js';
import { Scraper } from '../src/metrics/scraper.js';
import { type MetricsObjects, serveMetrics } from '../src/metrics/serve.js';
import { SimulatedUsageMeter } from '../src/metrics/simulated.js';
import { MetricsStore } from '../src/metrics/store.js';
import { MetricsApiService } from '../src/metrics/api-service.js';
import { startSimulatedMetricsEndpoint } from '../src/simnodes/metrics-endpoint.js';
import { simulatedNodeIP } from '../src/simnodes/node-address.js';
import { createCertificateAuthority, createServingCertificate } from '../src/pki/certificates.js';

const NS = 'bench';
const TOKEN = 'bench-agent-token';
const SELF = fileURLToPath(import.meta.url);
/** --concurrent-horizontal-pod-autoscaler-syncs (upstream default 5; syncs wait on the API most of the time). */
const WORKERS = Number(process.env.BENCH_HPA_WORKERS ?? 20);

/**
 * Child: a fake API server holding n targets (as Scale objects), their pods and HPAs; and the metrics API
 * (serveMetrics over a MetricsStore, as the API server will serve it) on a second port.
 */
async function serveApi(n: number): Promise<void> {
  const s = await FakeApiServer.start({ record: false, historyLimit: 10 * n + 1000 });
  const started = new Date(Date.now() - 3_600_000).toISOString();
  const store = new MetricsStore();
  const podsByLabel = new Map<string, Pod[]>();
  const snapshots = new Map<string, [ResourceSnapshot, ResourceSnapshot]>();
  const now = Date.now();
  for (let i = 0; i < n; i++) {
    const name = `web-${i}`;
    // A quarter of the targets run at 80% of their request against a 50% target: they scale 1 -> 2.
    const cpuCores = i % 4 === 0 ? 0.08 : 0.05;
    // The fake server answers GET/PUT deployments/NAME/scale with the stored object: store the Scale itself.
    s.put('apps', 'deployments', {
      apiVersion: 'autoscaling/v1',
      kind: 'Scale',
      metadata: { name, namespace: NS },
      spec: { replicas: 1 },
      status: { replicas: 1, selector: `app=${name}` },
    });
    const pod: Pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: `${name}-0`, namespace: NS, labels: { app: name } },
      spec: {
        nodeName: `node-${i % 100}`,
        containers: [{ name: 'app', image: 'busybox:1.35', resources: { requests: { cpu: '100m' } } }],
      },
      status: {
        phase: 'Running',
        startTime: started,
        conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: started }],
      },
    };
    s.put('', 'pods', pod);
    podsByLabel.set(`${NS}/app=${name}`, [pod]);
    const node = pod.spec!.nodeName!;
    const snaps = snapshots.get(node) ?? [{ pods: [] }, { pods: [] }];
    snapshots.set(node, snaps);
    snaps.forEach((snap, k) => {
      const t = now - (1 - k) * 15_000;
      snap.pods.push({
        namespace: NS,
        name: pod.metadata.name!,
        containers: [
          { name: 'app', usage: { cpuSeconds: 100 + k * 15 * cpuCores, memoryBytes: 32 * 2 ** 20, timestampMs: t } },
        ],
      });
    });
    s.put('autoscaling', 'horizontalpodautoscalers', {
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name, namespace: NS },
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name },
        minReplicas: 1,
        maxReplicas: 10,
        metrics: [
          { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } },
        ],
      },
    });
  }
  for (const [node, [a, b]] of snapshots) {
    store.storeNode(node, a);
    store.storeNode(node, b);
  }
  const allPods = [...podsByLabel.values()].flat();
  const objects: MetricsObjects = {
    // Indexed by label, as the API server's store would answer a selector.
    pods: (_ns, selector) => {
      const term = selector?.requirements()[0];
      const v = term && selector?.requiresExactMatch(term.key);
      return v !== undefined && term ? (podsByLabel.get(`${NS}/${term.key}=${v}`) ?? []) : allPods;
    },
    nodes: () => [],
  };
  const metrics = createHttpServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://metrics');
    void serveMetrics(
      store,
      { method: req.method ?? 'GET', path: url.pathname, query: url.searchParams },
      objects,
    ).then((r) => {
      const body = JSON.stringify(r.body);
      res.writeHead(r.code, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    });
  });
  metrics.keepAliveTimeout = 60_000;
  await new Promise<void>((r) => metrics.listen(0, '127.0.0.1', r));
  console.log(
    JSON.stringify({ url: s.url, metricsUrl: `http://127.0.0.1:${(metrics.address() as AddressInfo).port}` }),
  );
  process.stdin.resume();
  process.stdin.on('end', () => process.exit(0));
}

/** Child: `count` agent endpoints, each with `pods` simulated pods at 250m / 64Mi per container. */
async function serveAgents(count: number, podsPerAgent: number): Promise<void> {
  const ca = await createCertificateAuthority('bench-agent-ca');
  const cert = await createServingCertificate(ca, 'bench-agent', { dnsNames: ['localhost'], ips: ['127.0.0.1'] });
  const meter = new SimulatedUsageMeter({ nodeBase: { cpuMillis: 100, memoryBytes: 512 * 2 ** 20 } });
  const started = new Date(Date.now() - 60_000).toISOString();
  const ports: number[] = [];
  for (let n = 0; n < count; n++) {
    const node = `node-${n}`;
    const pods: Pod[] = Array.from({ length: podsPerAgent }, (_, i) => ({
      metadata: {
        name: `pod-${n}-${i}`,
        namespace: `ns-${i % 10}`,
        uid: `uid-${n}-${i}`,
        annotations: { [SIMULATED_USAGE_ANNOTATION]: 'cpu=250m,memory=64Mi' },
      },
      spec: { nodeName: node, containers: [{ name: 'app' }, { name: 'sidecar' }] },
      status: { phase: 'Running', startTime: started },
    }));
    const server = createServer({ cert: cert.certPem, key: cert.keyPem }, (req, res) => {
      if (req.headers.authorization !== `Bearer ${TOKEN}`) {
        res.writeHead(401).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
      res.end(meter.render(node, pods, Date.now()));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    ports.push((server.address() as AddressInfo).port);
  }
  console.log(JSON.stringify({ ports, caPem: ca.certPem }));
  process.stdin.resume();
  process.stdin.on('end', () => process.exit(0));
}

/** Starts this file as a child in `mode` and returns its first stdout line, parsed. */
async function child<T>(args: string[]): Promise<{ info: T; cpuMs(): number; stop(): void }> {
  const proc = spawn(process.execPath, [SELF, ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolve, reject) => {
    const rl = createInterface({ input: proc.stdout! });
    rl.once('line', resolve);
    proc.once('exit', (code) => reject(new Error(`child ${args[0]} exited with ${code}`)));
  });
  return { info: JSON.parse(line) as T, cpuMs: () => processCpuMs(proc.pid!), stop: () => proc.stdin!.end() };
}

/** utime + stime of a process, from /proc (clock ticks of 10 ms). */
function processCpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

const ms = (n: number) => `${n.toFixed(1)} ms`;

async function benchHpa(n: number): Promise<void> {
  const api = await child<{ url: string; metricsUrl: string }>(['api', String(n)]);
  const client = new ApiClient({ server: api.info.url, userAgent: 'bench-hpa' });
  const metricsClient = new ApiClient({ server: api.info.metricsUrl, userAgent: 'bench-hpa' });
  const ctx = newControllerContext(client, { log: () => {} });
  const seen = new Set<string>();
  let rescaled = 0;
  let errors = 0;
  let syncs = 0;
  let firstPassDone: (() => void) | undefined;
  const firstPass = new Promise<void>((r) => {
    firstPassDone = r;
  });
  let firstSyncAt = 0;
  const controller = startHorizontalPodAutoscalerController(ctx, {
    // Back to back after the first pass: each HPA is due again as soon as it is done.
    syncPeriodMs: 1,
    workers: WORKERS,
    metrics: new RestMetricsClient(metricsClient, {
      wholeNamespace: () => true,
      namespaceListTtlMs: 5000,
    }),
    onSynced: (key, result) => {
      if (!firstSyncAt) firstSyncAt = performance.now();
      syncs++;
      if (seen.has(key)) return;
      seen.add(key);
      if (result.rescaled) rescaled++;
      if (result.error) errors++;
      if (seen.size === n) firstPassDone?.();
    },
  });
  const t0 = performance.now();
  ctx.informers.start();
  await firstPass;
  const tFirst = performance.now();
  console.log(
    `HPA first pass, ${n} HPAs:`.padEnd(44),
    `${ms(tFirst - firstSyncAt)}   (informers synced after ${ms(firstSyncAt - t0)}; ${rescaled} rescaled, ${errors} errors)`,
  );
  // Steady state: count back-to-back syncs over a window; one pass is n of them.
  const cpu0 = process.cpuUsage();
  const server0 = api.cpuMs();
  const s0 = syncs;
  const w0 = performance.now();
  await new Promise((r) => setTimeout(r, 10_000));
  const window = performance.now() - w0;
  const done = syncs - s0;
  const cpu = process.cpuUsage(cpu0);
  const serverCpu = api.cpuMs() - server0;
  const pass = (window / done) * n;
  console.log(
    `HPA steady pass, ${n} HPAs, ${WORKERS} workers:`.padEnd(44),
    `${ms(pass)}   (${Math.round((done / window) * 1000)} syncs/s; CPU per pass: controller ${ms(((cpu.user + cpu.system) / 1000 / done) * n)}, API + metrics server ${ms((serverCpu / done) * n)})  ${pass <= 1000 ? 'ok (<= 1 s)' : 'OVER 1 s'}`,
  );
  await controller.stop();
  ctx.informers.stop();
  client.close();
  metricsClient.close();
  api.stop();
}

async function benchScraper(agents: number, podsPerAgent: number): Promise<void> {
  const fleet = await child<{ ports: number[]; caPem: string }>(['agents', String(agents), String(podsPerAgent)]);
  const ca = Buffer.from(fleet.info.caPem).toString('base64');
  const nodes: Node[] = fleet.info.ports.map((port, i) => ({
    metadata: { name: `node-${i}`, annotations: { [AGENT_CA_ANNOTATION]: ca } },
    status: {
      addresses: [{ type: 'InternalIP', address: '127.0.0.1' }],
      daemonEndpoints: { kubeletEndpoint: { Port: port } },
    },
  }));
  const store = new MetricsStore();
  const fetch = agentResourceMetricsFetch({ token: TOKEN });
  const scraper = new Scraper({ store, listNodes: () => nodes, fetch, concurrency: 64 });
  const pods = agents * podsPerAgent;
  await scraper.scrapeOnce(); // warm-up: TLS sessions, JIT
  const rounds = 20;
  let failed = 0;
  const cpu0 = process.cpuUsage();
  const w0 = performance.now();
  for (let r = 0; r < rounds; r++) failed += (await scraper.scrapeOnce()).failed;
  const wall = (performance.now() - w0) / rounds;
  const cpu = process.cpuUsage(cpu0);
  const cpuMs = (cpu.user + cpu.system) / 1000 / rounds;
  const perNode = cpuMs / agents;
  const per1000 = (cpuMs / pods) * 1000;
  console.log(
    `scraper, ${agents} agents x ${podsPerAgent} pods (2 containers):`.padEnd(44),
    `${ms(wall)} wall per scrape, ${failed} failed`,
  );
  console.log('scraper CPU per node per scrape:'.padEnd(44), `${perNode.toFixed(3)} ms (HTTPS fetch, decode, store)`);
  console.log(
    'scraper CPU per 1,000 pods per scrape:'.padEnd(44),
    `${per1000.toFixed(1)} ms = ${((per1000 / 15_000) * 100).toFixed(2)}% of a core at 15 s resolution`,
  );
  const usage = store.podUsage('ns-0', 'pod-0-0');
  if (!usage || Math.abs(usage.containers[0]!.usage.cpuNanocores - 250_000_000) > 5_000_000) {
    throw new Error(`unexpected usage ${JSON.stringify(usage)}`);
  }
  // The same text decoded and stored without the network.
  const text = await fetch(nodes[0]!, new AbortController().signal);
  const loops = 2000;
  const d0 = process.cpuUsage();
  for (let i = 0; i < loops; i++) store.storeNode('node-0', decodeResourceMetrics(text, Date.now()));
  const d = process.cpuUsage(d0);
  console.log(
    'decode + store only, per node:'.padEnd(44),
    `${((d.user + d.system) / 1000 / loops).toFixed(3)} ms (${text.length} bytes of /metrics/resource)`,
  );
  fetch.close();
  fleet.stop();
}

/** Child: simulated nodes' metrics endpoint for `count` nodes with `podsPerNode` pods each. */
async function serveSimulatedNodes(count: number, podsPerNode: number): Promise<void> {
  const started = new Date(Date.now() - 60_000).toISOString();
  const pods = new Map<string, Pod[]>();
  const nodes = new Map<string, string>();
  for (let n = 0; n < count; n++) {
    const node = `sim-${n}`;
    nodes.set(simulatedNodeIP(n), node);
    pods.set(
      node,
      Array.from({ length: podsPerNode }, (_, i) => ({
        metadata: {
          name: `pod-${n}-${i}`,
          namespace: `ns-${i % 10}`,
          uid: `uid-${n}-${i}`,
          annotations: { [SIMULATED_USAGE_ANNOTATION]: 'cpu=250m,memory=64Mi' },
        },
        spec: { nodeName: node, containers: [{ name: 'app' }, { name: 'sidecar' }] },
        status: { phase: 'Running', startTime: started },
      })),
    );
  }
  const ep = await startSimulatedMetricsEndpoint({
    nodes,
    auth: {
      authenticate: async (t) => (t === TOKEN ? { name: 'bench', groups: [] } : undefined),
      authorize: async () => ({ allowed: true }),
    },
    meter: new SimulatedUsageMeter({ nodeBase: { cpuMillis: 100, memoryBytes: 512 * 2 ** 20 } }),
    podsOf: (node) => pods.get(node) ?? [],
  });
  console.log(JSON.stringify({ port: ep.port, unbound: ep.unbound.length }));
  process.stdin.resume();
  process.stdin.on('end', () => void ep.stop().then(() => process.exit(0)));
}

async function benchSimulatedNodes(count: number, podsPerNode: number): Promise<void> {
  const sim = await child<{ port: number; unbound: number }>(['simnodes', String(count), String(podsPerNode)]);
  const nodes: Node[] = Array.from({ length: count }, (_, i) => ({
    metadata: { name: `sim-${i}` },
    status: {
      addresses: [{ type: 'InternalIP', address: simulatedNodeIP(i) }],
      daemonEndpoints: { kubeletEndpoint: { Port: sim.info.port } },
    },
  }));
  const podObjects: Pod[] = [];
  for (let n = 0; n < count; n++) {
    for (let i = 0; i < podsPerNode; i++) {
      podObjects.push({ metadata: { name: `pod-${n}-${i}`, namespace: `ns-${i % 10}` } });
    }
  }
  const fetch = agentResourceMetricsFetch({ token: TOKEN });
  const service = new MetricsApiService({
    nodes: () => nodes,
    pods: (ns) => (ns === undefined ? podObjects : podObjects.filter((p) => p.metadata.namespace === ns)),
    fetch,
  });
  await service.scrapeOnce(); // warm-up: TLS sessions, JIT
  const rounds = 10;
  let failed = 0;
  const cpu0 = process.cpuUsage();
  const w0 = performance.now();
  for (let r = 0; r < rounds; r++) failed += (await service.scrapeOnce()).failed;
  const wall = (performance.now() - w0) / rounds;
  const cpu = process.cpuUsage(cpu0);
  const cpuMs = (cpu.user + cpu.system) / 1000 / rounds;
  const pods = count * podsPerNode;
  console.log(
    `MetricsApiService, ${count} simulated nodes x ${podsPerNode} pods:`.padEnd(44),
    `${ms(wall)} wall per scrape, ${failed} failed, ${sim.info.unbound} unbound`,
  );
  console.log('  scraper CPU per node per scrape:'.padEnd(44), `${(cpuMs / count).toFixed(3)} ms`);
  console.log(
    '  scraper CPU per 1,000 pods per scrape:'.padEnd(44),
    `${((cpuMs / pods) * 1000).toFixed(1)} ms = ${((((cpuMs / pods) * 1000) / 15_000) * 100).toFixed(2)}% of a core at 15 s`,
  );
  const l0 = process.cpuUsage();
  const lists = 20;
  let items = 0;
  for (let i = 0; i < lists; i++) {
    const r = await service.handle({
      method: 'GET',
      path: '/apis/metrics.k8s.io/v1beta1/pods',
      query: new URLSearchParams(),
    });
    items = (r.body as { items: unknown[] }).items.length;
  }
  const l = process.cpuUsage(l0);
  console.log(
    `  PodMetricsList of all ${items} pods:`.padEnd(44),
    `${((l.user + l.system) / 1000 / lists).toFixed(1)} ms CPU per answer (before JSON encoding)`,
  );
  if (items !== pods) throw new Error(`expected ${pods} PodMetrics, got ${items}`);
  fetch.close();
  sim.stop();
}

const [mode, a1, a2] = process.argv.slice(2);
if (mode === 'api') await serveApi(Number(a1));
else if (mode === 'agents') await serveAgents(Number(a1), Number(a2));
else if (mode === 'simnodes') await serveSimulatedNodes(Number(a1), Number(a2));
else {
  const n = Number(mode ?? 1000) || 1000;
  const [agents, per] = (a1 ?? '100:10').split(':').map(Number) as [number, number];
  const only = process.env.BENCH_ONLY;
  if (!only || only === 'hpa') await benchHpa(n);
  if (!only || only === 'scraper') await benchScraper(agents, per);
  if (!only || only === 'simnodes') await benchSimulatedNodes(agents, per);
  process.exit(0);
}

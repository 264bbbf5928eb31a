// Benchmark: the service proxy on nftables, against a real `tutti server` holding selector-less Services
// with EndpointSlices written here (10 endpoints each, no pods behind them), the proxy's table in a
// network namespace made here (never the root namespace's rules).
//   1. EndpointSlice change → rule in the kernel, p50/p99, at 1,000 and 10,000 services: the time from the
//      PUT of a changed slice to the end of the nft transaction that carries it, then a kernel check
//      (`nft get element`) that the new endpoint is there.
//   2. Full sync at 10,000 services × 10 endpoints (compute, render, nft; first sync and resyncs).
//   3. Requests/s through a ClusterIP vs straight to the pod IP: the same `ab` client pod and Node HTTP
//      server pod on the node's bridge, new connection per request (so each pays the NAT), alternated.
// Needs root (network namespaces, nftables); prints a skip line otherwise.
// Run: node dist/bench/service-proxy.js [--services 1000,10000] [--changes 200]
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { ApiClient, resourcePath } from '../src/client/index.js';
import { type EndpointSlice, resources, type Service } from '../src/core/index.js';
import { startTestServer } from '../src/e2e/harness.js';
import { type ServiceProxy, type SyncEvent, startServiceProxy } from '../src/network/proxy/index.js';
import { canRunNetnsTests, ECHO_SERVER, inNs, ProxyLab } from '../src/network/proxy/testing/netns.js';

const args = process.argv.slice(2);
const flag = (name: string, fallback: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1]! : fallback;
};
const SIZES = flag('services', '1000,10000').split(',').map(Number);
const CHANGES = Number(flag('changes', '200'));
const AB_CONCURRENCY = flag('ab-concurrency', '8');
const ENDPOINTS = 10;
const NS = 'default';

const skip = canRunNetnsTests();
if (skip) {
  console.log(`service-proxy benchmark skipped: ${skip}`);
  process.exit(0);
}

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

function endpointIP(svc: number, ep: number): string {
  // 10.44.0.0/14 and up: addresses that exist nowhere; the rules hold them, no packet is sent to them.
  const n = svc * 16 + ep;
  return `10.${44 + (n >> 16)}.${(n >> 8) & 255}.${n & 255}`;
}

function sliceFor(i: number, gen = 0): EndpointSlice {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: `svc-${i}-1`, namespace: NS, labels: { 'kubernetes.io/service-name': `svc-${i}` } },
    addressType: 'IPv4',
    endpoints: Array.from({ length: ENDPOINTS }, (_, j) => ({
      // Endpoint 9 moves on every change: the measured change is "one endpoint replaced".
      addresses: [j === ENDPOINTS - 1 && gen > 0 ? endpointIP(i, 10 + (gen % 5)) : endpointIP(i, j)],
      nodeName: 'bench-node',
      conditions: { ready: true },
    })),
    ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
  };
}

async function pooled<T>(items: T[], concurrency: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) await fn(items[next++]!);
    }),
  );
}

const lab = new ProxyLab('tpb');
const L = lab.layout;
const server = await startTestServer({ args: ['--service-cidr', '10.96.0.0/12'] });
const client = new ApiClient({ server: server.url, token: server.token, caPem: server.caPem });
// The benchmark's writes have their own client (own connections), apart from the proxy's watches.
const writer = new ApiClient({ server: server.url, token: server.token, caPem: server.caPem });
const svcPath = resourcePath(resources.services, { namespace: NS });
const slicePath = resourcePath(resources.endpointslices, { namespace: NS });
const syncs: SyncEvent[] = [];
let proxy: ServiceProxy | undefined;
let created = 0;
const clusterIPs = new Map<number, string>();
const generations = new Map<number, number>();

async function createServices(upTo: number): Promise<void> {
  const t0 = performance.now();
  const todo = Array.from({ length: upTo - created }, (_, k) => created + k);
  await pooled(todo, 32, async (i) => {
    const svc = await writer.requestJson<Service>(
      'POST',
      svcPath,
      undefined,
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: `svc-${i}`, namespace: NS },
        spec: { ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 8080 }] },
      }),
    );
    clusterIPs.set(i, svc.spec!.clusterIP!);
    await writer.requestJson('POST', slicePath, undefined, JSON.stringify(sliceFor(i)));
  });
  created = upTo;
  console.log(`  created ${todo.length} services + slices in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

function waitForSync(pred: (e: SyncEvent) => boolean, timeoutMs = 30_000): Promise<SyncEvent> {
  const seen = syncs.find(pred);
  if (seen) return Promise.resolve(seen);
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('no matching sync')), timeoutMs);
    const check = setInterval(() => {
      const e = syncs.find(pred);
      if (e) {
        clearTimeout(t);
        clearInterval(check);
        resolve(e);
      }
    }, 1);
  });
}

async function measureChanges(n: number): Promise<void> {
  const latencies: number[] = [];
  const applies: number[] = [];
  const delivery: number[] = [];
  const syncing: number[] = [];
  let kernelChecked = 0;
  let checked = 0;
  for (let k = 0; k < CHANGES; k++) {
    const i = Math.floor(Math.random() * n);
    // Per service, so that a service drawn twice still changes (consecutive generations move endpoint 9 to
    // different addresses; a PUT of the same slice is a no-op that no sync follows).
    const gen = (generations.get(i) ?? 0) + 1;
    generations.set(i, gen);
    const current = await writer.get<EndpointSlice>(`${slicePath}/svc-${i}-1`);
    const next = sliceFor(i, gen);
    next.metadata.resourceVersion = current.metadata.resourceVersion;
    const from = syncs.length;
    const t0 = Date.now();
    await writer.requestJson('PUT', `${slicePath}/svc-${i}-1`, undefined, JSON.stringify(next));
    const e = await waitForSync(
      (s) => syncs.indexOf(s) >= from && s.ok && (s.kind === 'full' || s.services.includes(`${NS}/svc-${i}`)),
    );
    latencies.push(e.appliedAt - t0);
    applies.push(e.applyMs);
    delivery.push(e.startedAt - t0);
    syncing.push(e.appliedAt - e.startedAt);
    await new Promise((r) => setTimeout(r, 5 + Math.random() * 20));
    // Kernel check (on a sample: `nft get element` reads the whole map, seconds at 100,000 elements): the
    // moved endpoint is in the endpoint map now.
    if (k % 20 !== 0) continue;
    checked++;
    const vip = clusterIPs.get(i)!;
    const got = inNs(L.node, 'nft', [
      'get',
      'element',
      'ip',
      'tutti-proxy',
      'cluster-endpoints-tcp',
      `{ ${vip} . 80 . 9 }`,
    ]);
    const moved = next.endpoints[ENDPOINTS - 1]!.addresses[0]!;
    const sorted = next.endpoints.map((x) => x.addresses[0]!).sort((a, b) => ipNum(a) - ipNum(b));
    if (got.code === 0 && got.out.includes(`${sorted[ENDPOINTS - 1]} . 8080`)) kernelChecked++;
    else if (!got.out.includes(moved)) console.log(`  kernel check failed for svc-${i}: ${got.out.trim()}`);
  }
  for (const xs of [latencies, applies, delivery, syncing]) xs.sort((a, b) => a - b);
  console.log(
    `  change→kernel at ${n} services: p50 ${pct(latencies, 50)} ms, p99 ${pct(latencies, 99)} ms, max ${latencies.at(-1)} ms ` +
      `(write→sync start p50 ${pct(delivery, 50)} / p99 ${pct(delivery, 99)} ms, sync p50 ${pct(syncing, 50)} / p99 ${pct(syncing, 99)} ms, ` +
      `of it nft p50 ${pct(applies, 50).toFixed(1)} / p99 ${pct(applies, 99).toFixed(1)} ms; ${kernelChecked}/${checked} sampled changes found in the kernel)`,
  );
}

function ipNum(ip: string): number {
  return ip.split('.').reduce((a, o) => a * 256 + Number(o), 0);
}

/** CPU seconds of this process's finished children (the nft runs): /proc/self/stat cutime + cstime. */
function childrenCpuMs(): number {
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ');
  return ((Number(fields[13]) + Number(fields[14])) * 1000) / 100; // fields 16, 17 of stat; 100 ticks/s
}

async function measureFullSync(n: number): Promise<void> {
  const times: number[] = [];
  const nft: number[] = [];
  const cpu: string[] = [];
  for (let r = 0; r < 3; r++) {
    const from = syncs.length;
    const c0 = childrenCpuMs();
    const j0 = process.cpuUsage();
    await proxy!.resync();
    const j = process.cpuUsage(j0);
    cpu.push(`JS ${((j.user + j.system) / 1000).toFixed(0)} + nft ${(childrenCpuMs() - c0).toFixed(0)}`);
    const e = syncs.slice(from).find((s) => s.kind === 'full' && s.ok);
    if (!e) throw new Error('resync failed');
    times.push(e.appliedAt - e.startedAt);
    nft.push(e.applyMs);
  }
  console.log(
    `  full resync at ${n} services × ${ENDPOINTS} endpoints: ${times.join(', ')} ms (nft part ${nft.map((x) => x.toFixed(0)).join(', ')} ms; ` +
      `${(syncs.at(-1)!.scriptBytes / 1e6).toFixed(1)} MB of nft commands; CPU ms: ${cpu.join(', ')})`,
  );
}

function ab(url: string, n: number): number {
  const r = spawnSync(
    'ip',
    ['netns', 'exec', `${L.prefix}-c`, 'ab', '-q', '-n', String(n), '-c', AB_CONCURRENCY, url],
    {
      encoding: 'utf8',
    },
  );
  const m = /Requests per second:\s+([\d.]+)/.exec(r.stdout);
  const failed = /Failed requests:\s+(\d+)/.exec(r.stdout);
  if (!m || (failed && Number(failed[1]) > 0)) throw new Error(`ab ${url} failed: ${r.stdout}${r.stderr}`);
  return Number(m[1]);
}

async function measureRequests(): Promise<void> {
  if (spawnSync('which', ['ab']).status !== 0) {
    console.log('  requests/s: skipped (ab not installed; Debian apache2-utils)');
    return;
  }
  const podA = lab.pods.find((p) => p.ns.endsWith('-a'))!;
  await writer.requestJson(
    'POST',
    svcPath,
    undefined,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'rps', namespace: NS },
      spec: { ports: [{ name: 'http', port: 80, protocol: 'TCP' }] },
    }),
  );
  const vip = (await writer.get<Service>(`${svcPath}/rps`)).spec!.clusterIP!;
  await writer.requestJson(
    'POST',
    slicePath,
    undefined,
    JSON.stringify({
      ...sliceFor(0),
      metadata: { name: 'rps-1', namespace: NS, labels: { 'kubernetes.io/service-name': 'rps' } },
      endpoints: [{ addresses: [podA.ip], nodeName: L.node, conditions: { ready: true } }],
    }),
  );
  // The endpoint is in the kernel (a sync containing `rps` might predate the slice).
  for (let t = 0; ; t++) {
    const r = inNs(L.node, 'nft', ['get', 'element', 'ip', 'tutti-proxy', 'service-ips', `{ ${vip} . tcp . 80 }`]);
    if (r.code === 0 && r.out.includes('goto pick-cluster-tcp-1')) break;
    if (t > 120) throw new Error(`rps service not programmed: ${r.out}`);
    await new Promise((res) => setTimeout(res, 500));
  }
  const n = 1500;
  ab(`http://${podA.ip}:8080/`, 500); // warm-up
  ab(`http://${vip}/`, 500);
  // Short runs in alternating pairs: on a shared machine the load drifts, and a pair sees nearly the same.
  const pod: number[] = [];
  const svc: number[] = [];
  const ratios: number[] = [];
  for (let r = 0; r < 15; r++) {
    const first = r % 2 === 0;
    const a = first ? ab(`http://${podA.ip}:8080/`, n) : ab(`http://${vip}/`, n);
    const b = first ? ab(`http://${vip}/`, n) : ab(`http://${podA.ip}:8080/`, n);
    const [p, v] = first ? [a, b] : [b, a];
    pod.push(p);
    svc.push(v);
    ratios.push(v / p);
  }
  const med = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
  console.log(
    `  requests/s (ab -c ${AB_CONCURRENCY}, a new connection per request, 15 alternating pairs of ${n}): pod IP median ${med(pod).toFixed(0)}, ` +
      `ClusterIP median ${med(svc).toFixed(0)}; ClusterIP/pod-IP ratio: median of pairs ${med(ratios).toFixed(3)}, ` +
      `ratio of sums ${(svc.reduce((x, y) => x + y) / pod.reduce((x, y) => x + y)).toFixed(3)}`,
  );
}

try {
  lab.setUp();
  lab.addPod('a', '10.42.0.2');
  lab.addPod('c', '10.42.0.4');
  await lab.spawnIn(`${L.prefix}-a`, process.execPath, [ECHO_SERVER, 'a', '--tcp', '8080'], 'ready');
  const sizes = [...SIZES].sort((a, b) => a - b);
  for (const [idx, n] of sizes.entries()) {
    console.log(`services: ${n}`);
    await createServices(n);
    if (!proxy) {
      const t0 = Date.now();
      proxy = await startServiceProxy({
        client,
        node: { name: L.node, ips: [L.nodeIP], clusterCidr: L.clusterCidr, serviceCidr: '10.96.0.0/12' },
        netns: L.node,
        healthCheckAddress: false,
        minSyncPeriodMs: 10,
        // Resyncs are measured on their own below; none should land inside the change measurements.
        syncPeriodMs: 3_600_000,
        onSync: (e) => syncs.push(e),
      });
      const first = syncs.find((s) => s.kind === 'full')!;
      console.log(
        `  proxy start (informers synced + first full sync): ${Date.now() - t0} ms; first sync ${first.appliedAt - first.startedAt} ms (nft ${first.applyMs.toFixed(0)} ms)`,
      );
    } else {
      // Let the proxy take in the new services before measuring.
      await waitForSync((s) => s.ok && s.servicePorts >= n, 120_000);
    }
    await measureChanges(n);
    if (idx === sizes.length - 1) await measureFullSync(n);
  }
  await measureRequests();
} finally {
  await proxy?.stop();
  client.close();
  writer.close();
  await server.stop();
  await lab.cleanup();
}

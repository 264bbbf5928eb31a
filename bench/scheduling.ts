import { SimulatedNodes } from '../src/simnodes/index.js';
import type { KubeObject } from '../src/core/types.js';
import { ApiClient } from '../src/client/api-client.js';
import { Informer } from '../src/client/informer.js';
import { startTestServer } from '../src/e2e/harness.js';
import { pct, rssMb } from './lib.js';

const CONCURRENCY = 32;
/** Arrival rate of the paced phase (pods/s): the end-to-end target throughput. */
const RATE = Number(process.env.BENCH_RATE ?? 500);

interface WatchEvent {
  object: { metadata: { name: string }; spec?: { nodeName?: string }; status?: { phase?: string } };
}

async function run(nodes: number, pods: number): Promise<void> {
  const s = await startTestServer({
    controlPlane: true,
    args: ['--node-monitor-grace-period', '3600', '--cluster-cidr', '10.128.0.0/9'],
  }); // a /24 for each of up to 32,768 nodes
  const client = new ApiClient({ server: s.url, caPem: s.caPem, token: s.token, userAgent: 'bench' });
  const sim = new SimulatedNodes({
    client,
    count: nodes,
    capacity: { cpu: '64', memory: '256Gi', pods: '110' },
    podStartMs: 0,
    leaseRenewMs: 10_000,
    statusUpdateMs: 60_000,
  });
  try {
    const t0 = performance.now();
    await sim.start();
    // The cluster settles first: every node has its pod CIDR from the node IPAM controller.
    for (;;) {
      const l = await client.list<KubeObject & { spec?: { podCIDR?: string } }>('/api/v1/nodes');
      if (l.items.filter((n) => n.spec?.podCIDR).length >= nodes) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    console.log(
      `  ${nodes} simulated nodes registered and given pod CIDRs in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );
    const sentAt = new Map<string, number>();
    const boundAt = new Map<string, number>();
    const runningAt = new Map<string, number>();
    // An informer, so a watch the server closes (timeout, slow reader) resumes without losing events.
    const informer = new Informer<KubeObject>({
      client,
      resource: { group: '', version: 'v1', resource: 'pods', namespaced: true },
      namespace: 'default',
    });
    const seen = (p: KubeObject) => {
      const pod = p as WatchEvent['object'];
      const name = pod.metadata.name;
      const now = performance.now();
      if (pod.spec?.nodeName && !boundAt.has(name)) boundAt.set(name, now);
      if (pod.status?.phase === 'Running' && !runningAt.has(name)) runningAt.set(name, now);
    };
    informer.addEventHandler({ onAdd: seen, onUpdate: (_o, p) => seen(p) });
    informer.start();
    await informer.waitForSync();
    // Phase 1, paced: pods arrive at RATE/s (below saturation), the SLO's condition; startup latency.
    // Phase 2, burst: the rest as fast as 32 clients can create them; end-to-end throughput.
    const paced = Math.floor(pods / 2);
    const createPods = async (from: number, to: number, rate: number) => {
      let next = from;
      const start = performance.now();
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          for (;;) {
            const i = next++;
            if (i >= to) return;
            if (rate > 0) {
              const due = start + ((i - from) / rate) * 1000;
              const wait = due - performance.now();
              if (wait > 0) await new Promise((r) => setTimeout(r, wait));
            }
            const name = `bench-${i}`;
            sentAt.set(name, performance.now());
            await client.create('/api/v1/namespaces/default/pods', {
              apiVersion: 'v1',
              kind: 'Pod',
              metadata: { name, labels: { app: 'bench' } },
              spec: {
                containers: [
                  { name: 'c', image: 'busybox:1.35', resources: { requests: { cpu: '100m', memory: '64Mi' } } },
                ],
              },
            });
          }
        }),
      );
    };
    const waitRunning = async (n: number) => {
      const end = Date.now() + 600_000;
      while (runningAt.size < n && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
    };
    const startupOf = (names: string[]) =>
      names
        .filter((n) => runningAt.has(n))
        .map((n) => runningAt.get(n)! - sentAt.get(n)!)
        .sort((a, b) => a - b);
    const names = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => `bench-${from + i}`);

    await createPods(0, paced, RATE);
    await waitRunning(paced);
    const pacedStartup = startupOf(names(0, paced));

    const burstStart = performance.now();
    await createPods(paced, pods, 0);
    const createdIn = (performance.now() - burstStart) / 1000;
    await waitRunning(pods);
    informer.stop();
    const burstNames = names(paced, pods);
    const lastBound = Math.max(...burstNames.map((n) => boundAt.get(n) ?? 0));
    const bound = burstNames.filter((n) => boundAt.has(n)).length;
    const burstStartup = startupOf(burstNames);
    const fmt = (xs: number[]) => `p50 ${(pct(xs, 50) / 1000).toFixed(2)} s, p99 ${(pct(xs, 99) / 1000).toFixed(2)} s`;
    console.log(`${nodes} nodes, ${pods} pods (running at the end: ${runningAt.size}):`);
    console.log(
      `  paced ${paced} pods at ${RATE}/s: startup (create sent -> Running seen by watch) ${fmt(pacedStartup)}`,
    );
    console.log(
      `  burst ${pods - paced} pods: created at ${((pods - paced) / createdIn).toFixed(0)}/s; scheduling throughput end to end ${(bound / ((lastBound - burstStart) / 1000)).toFixed(0)} pods/s (first create to last bind); startup ${fmt(burstStartup)}`,
    );
    console.log(
      `  server RSS ${rssMb(s.process.pid!).toFixed(0)} MB, bench process (simulated nodes) RSS ${(process.memoryUsage().rss / 1048576).toFixed(0)} MB`,
    );
  } finally {
    await sim.stop();
    client.close();
    await s.stop();
  }
}

const sizes = (process.argv.slice(2).length > 0 ? process.argv.slice(2) : ['1000:10000', '5000:30000']).map((a) =>
  a.split(':').map(Number),
);
for (const [nodes, pods] of sizes) await run(nodes, pods);

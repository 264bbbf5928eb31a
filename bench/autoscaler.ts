// Cluster autoscaler benchmarks, printed:
//   1. decision time: 1,000 pending pods over 5 node groups, next to 100 full nodes (the simulation with the
//      scheduler's filters and the scale-up plan, no I/O); anchor: upstream's 10 s scan interval
//   2. pod Unschedulable -> new simulated node Ready -> pod Running, through a real `tutti server`
//   3. the same with the local provider (a real agent in a new network namespace; root + containerd;
//      only with --local, one run)
// Run: npm run build && node dist/bench/autoscaler.js [--local] [--decision-only]
import { readFileSync, rmSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startClusterAutoscaler } from '../src/autoscaler/controller.js';
import type { NodeGroup } from '../src/autoscaler/node-groups.js';
import { LocalProvider } from '../src/autoscaler/providers/local.js';
import type { NodeProvider } from '../src/autoscaler/providers/provider.js';
import { SimulatedProvider } from '../src/autoscaler/providers/simulated.js';
import { isReadyForAutoscaling } from '../src/autoscaler/readiness.js';
import { newExpander } from '../src/autoscaler/scaleup/expander.js';
import { planScaleUp } from '../src/autoscaler/scaleup/plan.js';
import { ClusterSimulation } from '../src/autoscaler/simulation/cluster.js';
import { FitChecker } from '../src/autoscaler/simulation/fit.js';
import { group, pendingPod, readyNode, runningPod } from '../src/autoscaler/testing/fixtures.js';
import { ApiClient } from '../src/client/api-client.js';
import { Informer } from '../src/client/informer.js';
import { newControllerContext } from '../src/controllers/context.js';
import { podCondition } from '../src/core/pods.js';
import { resources } from '../src/core/resources.js';
import type { Node, Pod } from '../src/core/types.js';
import { startTestServer } from '../src/e2e/harness.js';
import { type PodOptions, seededRandom } from '../src/scheduler/framework/testing.js';

const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))]!;

function decisionBench(): void {
  const groups: NodeGroup[] = [
    group('general', {
      maxSize: 500,
      template: { capacity: { cpu: '4', memory: '16Gi' }, labels: { pool: 'general' } },
    }),
    group('highmem', {
      maxSize: 500,
      template: { capacity: { cpu: '4', memory: '64Gi' }, labels: { pool: 'highmem' } },
    }),
    group('large', { maxSize: 500, template: { capacity: { cpu: '16', memory: '64Gi' }, labels: { pool: 'large' } } }),
    group('gpu', {
      maxSize: 500,
      template: {
        capacity: { cpu: '8', memory: '32Gi', 'nvidia.com/gpu': '4' },
        labels: { pool: 'gpu' },
        taints: [{ key: 'nvidia.com/gpu', value: 'true', effect: 'NoSchedule' }],
      },
    }),
    group('arm', {
      maxSize: 500,
      template: { capacity: { cpu: '8', memory: '32Gi' }, labels: { pool: 'arm', 'kubernetes.io/arch': 'arm64' } },
    }),
  ];
  // 100 existing general nodes, full.
  const nodes: Node[] = [];
  const running: Pod[] = [];
  for (let i = 0; i < 100; i++) {
    nodes.push(readyNode(`node-${i}`, { cpu: '4', memory: '16Gi', labels: { pool: 'general' }, group: 'general' }));
    for (let k = 0; k < 4; k++)
      running.push(runningPod(`r-${i}-${k}`, `node-${i}`, { cpu: '1', memory: '2Gi', owner: `old-${i % 10}` }));
  }
  // 1,000 pending pods of 20 Deployments with different needs.
  const pending: Pod[] = [];
  const kinds: Array<{ n: number; o: PodOptions }> = [
    { n: 8, o: { cpu: '500m', memory: '1Gi' } },
    { n: 4, o: { cpu: '1', memory: '12Gi', nodeSelector: { pool: 'highmem' } } },
    { n: 3, o: { cpu: '6', memory: '8Gi' } },
    {
      n: 2,
      o: {
        cpu: '2',
        memory: '4Gi',
        requests: { 'nvidia.com/gpu': '1' },
        tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists' }],
      },
    },
    { n: 2, o: { cpu: '1', memory: '2Gi', nodeSelector: { 'kubernetes.io/arch': 'arm64' } } },
    {
      n: 1,
      o: {
        cpu: '250m',
        memory: '256Mi',
        labels: { app: 'spread' },
        affinity: {
          podAntiAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: [
              { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: { app: 'spread' } } },
            ],
          },
        },
      },
    },
  ];
  let d = 0;
  for (const k of kinds) {
    for (let j = 0; j < k.n; j++, d++) {
      for (let r = 0; r < 50; r++) {
        pending.push(
          pendingPod(`d${d}-${r}`, {
            ...k.o,
            owner: `deploy-${d}`,
            labels: { ...('labels' in k.o ? k.o.labels : {}), deploy: `d${d}` },
          }),
        );
      }
    }
  }
  const checker = new FitChecker();
  const times: number[] = [];
  const cpu: number[] = [];
  let summary = '';
  for (let run = 0; run < 7; run++) {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    const sim = ClusterSimulation.of(nodes, running);
    const plan = planScaleUp({
      pending,
      sim,
      groups: groups.map((g) => ({ group: g, template: g.template, targetSize: g.name === 'general' ? 100 : 0 })),
      expander: newExpander('least-waste', seededRandom(run)),
      checker,
      nodesTotal: 100,
    });
    times.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
    summary = `${plan.increases.map((i) => `${i.group.name} +${i.to - i.from}`).join(', ')}; ${plan.notTriggered.length} pods not helped`;
  }
  console.log(
    `autoscaler decision: ${pending.length} pending pods, 5 groups, 100 full nodes: first ${times[0]!.toFixed(0)} ms, ` +
      `median ${pct(times.slice(1), 0.5).toFixed(0)} ms, max ${Math.max(...times.slice(1)).toFixed(0)} ms ` +
      `(CPU time: first ${cpu[0]!.toFixed(0)} ms, median ${pct(cpu.slice(1), 0.5).toFixed(0)} ms; load average ${loadavg()[0]!.toFixed(1)}; ` +
      'target <= 1000 ms; upstream scans every 10 s)',
  );
  console.log(`  plan: ${summary}`);
}

interface LatencyRun {
  provider: (client: ApiClient, serverUrl: string, dataDir: string) => NodeProvider;
  template: string;
  podSpec: Record<string, unknown>;
  samples: number;
  serverArgs?: string[];
  label: string;
  cleanup?: (provider: NodeProvider) => Promise<void>;
}

async function latencyBench(r: LatencyRun): Promise<void> {
  const s = await startTestServer({ controlPlane: true, args: r.serverArgs ?? [] });
  const client = new ApiClient({ server: s.url, caPem: s.caPem, token: s.token, userAgent: 'bench' });
  const ctx = newControllerContext(client, { log: () => {} });
  const provider = r.provider(client, s.url, s.dataDir);
  const autoscaler = startClusterAutoscaler(ctx, { providers: { p: provider }, scaleDown: { enabled: false } });
  ctx.informers.start();
  const seen = {
    unschedulable: new Map<string, number>(),
    running: new Map<string, number>(),
    ready: new Map<string, number>(),
  };
  const pods = new Informer<Pod>({ client, resource: resources.pods, namespace: 'default' });
  const onPod = (p: Pod) => {
    const name = p.metadata.name!;
    const c = podCondition(p, 'PodScheduled');
    if (c?.status === 'False' && c.reason === 'Unschedulable' && !seen.unschedulable.has(name))
      seen.unschedulable.set(name, Date.now());
    if (p.status?.phase === 'Running' && !seen.running.has(name)) seen.running.set(name, Date.now());
  };
  pods.addEventHandler({ onAdd: onPod, onUpdate: (_o, p) => onPod(p) });
  const nodes = new Informer<Node>({ client, resource: resources.nodes });
  const onNode = (n: Node) => {
    if (isReadyForAutoscaling(n) && !seen.ready.has(n.metadata.name!)) seen.ready.set(n.metadata.name!, Date.now());
  };
  nodes.addEventHandler({ onAdd: onNode, onUpdate: (_o, n) => onNode(n) });
  pods.start();
  nodes.start();
  try {
    await s.kubectl(['apply', '-f', '-'], {
      input: JSON.stringify({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'tutti-node-groups', namespace: 'kube-system' },
        data: { bench: `provider: p\nminSize: 0\nmaxSize: 20\ntemplate: ${r.template}` },
      }),
    });
    const total: number[] = [];
    for (let i = 0; i < r.samples; i++) {
      const name = `lat-${i}`;
      await client.create('/api/v1/namespaces/default/pods', {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name, namespace: 'default' },
        spec: r.podSpec,
      });
      const deadline = Date.now() + 120_000;
      while (!seen.running.has(name) && Date.now() < deadline) await new Promise((res) => setTimeout(res, 20));
      const pod = pods.get(`default/${name}`);
      const t0 = seen.unschedulable.get(name);
      const t2 = seen.running.get(name);
      const t1 = pod?.spec?.nodeName ? seen.ready.get(pod.spec.nodeName) : undefined;
      if (t0 === undefined || t2 === undefined || t1 === undefined) {
        console.log(`  ${r.label} sample ${i}: incomplete (unschedulable ${t0}, node ready ${t1}, running ${t2})`);
        continue;
      }
      total.push(t2 - t0);
      console.log(
        `  ${r.label} sample ${i}: unschedulable -> node Ready ${t1 - t0} ms -> pod Running ${t2 - t1} ms (total ${t2 - t0} ms)`,
      );
    }
    if (total.length > 0) {
      console.log(
        `autoscaler latency (${r.label}): pod Unschedulable -> new node Ready -> pod Running: ` +
          `p50 ${pct(total, 0.5)} ms, max ${Math.max(...total)} ms over ${total.length} run(s)`,
      );
    }
    for (let i = 0; i < r.samples; i++)
      await client.delete(`/api/v1/namespaces/default/pods/lat-${i}`, { gracePeriodSeconds: 0 }).catch(() => {});
  } finally {
    await autoscaler.stop();
    await r.cleanup?.(provider);
    pods.stop();
    nodes.stop();
    ctx.informers.stop();
    await provider.close?.();
    client.close();
    await s.stop();
  }
}

decisionBench();
if (process.argv.includes('--decision-only')) process.exit(0);
await latencyBench({
  label: 'simulated',
  samples: 10,
  template: '{capacity: {cpu: "2", memory: 4Gi}}',
  podSpec: { containers: [{ name: 'c', image: 'busybox:1.35', resources: { requests: { cpu: '1500m' } } }] },
  provider: (client) => new SimulatedProvider({ client, podStartMs: 200 }),
});
if (process.argv.includes('--local')) {
  const n = process.pid % 200;
  const gateway = `10.213.${n + 20}.1`;
  const dataRoot = mkdtempSync(join(tmpdir(), 'tutti-bench-local-'));
  await latencyBench({
    label: 'local',
    samples: 1,
    template: '{capacity: {cpu: "1", memory: 1Gi}}',
    serverArgs: ['--bind-address', '0.0.0.0', '--advertise-address', gateway, '--cluster-cidr', '10.214.0.0/16'],
    podSpec: {
      containers: [{ name: 'c', image: 'busybox:1.35', command: ['sh', '-c', 'exec httpd -f -p 8080 -h /tmp'] }],
    },
    provider: (client, url, dataDir) =>
      new LocalProvider({
        client,
        token: readFileSync(join(dataDir, 'node-token'), 'utf8').trim(),
        dataRoot,
        subnet: `10.213.${n + 20}.0/24`,
        bridge: `tasb${process.pid}`.slice(0, 15),
        serverPort: Number(new URL(url).port),
        netnsPrefix: `tasb${process.pid}-`,
      }),
    cleanup: async (provider) => {
      for (const name of await provider.listNodes('bench', AbortSignal.timeout(10_000))) {
        await provider.deleteNode('bench', name, AbortSignal.timeout(120_000));
      }
      rmSync(dataRoot, { recursive: true, force: true });
    },
  });
}
process.exit(0);

// Issue 12: a Deployment of R replicas on N simulated nodes through the whole `tutti server` (API server,
// controller manager, scheduler) as a user drives it: `kubectl create deployment` to readyReplicas == R as
// `kubectl get deploy` reports it. Also: when the ReplicaSet controller had created every pod, and that no
// pod was created twice (pods that exist at the end == R, pod creates the API server answered 201 == R, from
// its apiserver_request_total).
// Run: npm run build && node dist/bench/deployment.js [nodes:replicas ...]   (default 1000:10000)
// Server flags: --cluster-cidr 10.128.0.0/9 (a /24 for each of up to 32,768 nodes; the default /16 holds 256).
import { spawn } from 'node:child_process';
import { createWriteStream, readdirSync, readFileSync } from 'node:fs';
import { ApiClient } from '../src/client/api-client.js';
import type { KubeObject } from '../src/core/types.js';
import { KUBECTL, startTestServer } from '../src/e2e/harness.js';
import { SimulatedNodes } from '../src/simnodes/index.js';
import { requestMix } from './lib.js';

const SERVER_FLAGS = ['--node-monitor-grace-period', '3600', '--cluster-cidr', '10.128.0.0/9'];

function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : Number.NaN;
}

/** CPU seconds of a process's threads so far: its main thread (the API server's) and all the others. */
function cpuSeconds(pid: number): { main: number; others: number } {
  const out = { main: 0, others: 0 };
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    } catch {
      continue; // the thread ended
    }
    // Fields after the command's closing parenthesis: utime and stime are the 12th and 13th, in clock ticks.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const secs = (Number(f[11]) + Number(f[12])) / 100;
    if (tid === String(pid)) out.main += secs;
    else out.others += secs;
  }
  return out;
}

/** Pod creates the API server answered with 201, from its Prometheus counter. */
async function podCreates(client: ApiClient): Promise<number> {
  const text = (await client.raw('GET', '/metrics')).body;
  let n = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith('apiserver_request_total{')) continue;
    // subresource="" leaves out the scheduler's POSTs of pods/binding.
    const create = line.includes('verb="POST"') && line.includes('resource="pods"') && line.includes('subresource=""');
    if (create && line.includes('code="201"')) n += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return n;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function run(nodes: number, replicas: number): Promise<void> {
  const s = await startTestServer({ controlPlane: true, componentAudit: false, args: SERVER_FLAGS });
  const client = new ApiClient({ server: s.url, caPem: s.caPem, token: s.token, userAgent: 'bench' });
  // BENCH_SERVER_LOG=<file>: the server's own log lines, for looking into a slow run.
  if (process.env.BENCH_SERVER_LOG) {
    const log = createWriteStream(process.env.BENCH_SERVER_LOG);
    s.process.stdout?.pipe(log);
    s.process.stderr?.pipe(log);
  }
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
    for (;;) {
      const l = await client.list<KubeObject & { spec?: { podCIDR?: string } }>('/api/v1/nodes');
      if (l.items.filter((n) => n.spec?.podCIDR).length >= nodes) break;
      await sleep(500);
    }
    console.log(`  ${nodes} simulated nodes with pod CIDRs in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

    const cpu0 = cpuSeconds(s.process.pid!);
    const benchCpu0 = process.cpuUsage();
    const start = performance.now();
    await s.k('create', 'deployment', 'big', '--image=busybox:1.35', `--replicas=${replicas}`);
    let allCreatedAt: number | undefined;
    let readyAt: number | undefined;
    const deadline = Date.now() + 600_000;
    let last = '';
    let kubectlFailures = 0;
    // What the user sees: `kubectl get deploy big --watch` (status.replicas counts the pods the ReplicaSet
    // made), one kubectl that prints each change, rather than a kubectl process every few hundred ms
    // competing for the same 2 cores. A watch the server ends or drops is counted, and started again.
    while (readyAt === undefined && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        const child = spawn(
          KUBECTL,
          [
            '--kubeconfig',
            s.kubeconfig,
            'get',
            'deploy',
            'big',
            '--watch',
            '-o',
            'jsonpath={.status.replicas} {.status.readyReplicas}{"\\n"}',
          ],
          { stdio: ['ignore', 'pipe', 'ignore'] },
        );
        const stop = setTimeout(() => child.kill(), Math.max(0, deadline - Date.now()));
        let buf = '';
        child.stdout.on('data', (d: Buffer) => {
          buf += d.toString();
          for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
            last = buf.slice(0, i);
            buf = buf.slice(i + 1);
            const now = performance.now();
            if (process.env.BENCH_VERBOSE) console.log(`  ${((now - start) / 1000).toFixed(1)} s: ${last}`);
            const [made, ready] = last.split(' ').map((x) => Number(x || 0));
            if (allCreatedAt === undefined && made! >= replicas) allCreatedAt = now;
            if (readyAt === undefined && ready! >= replicas) {
              readyAt = now;
              child.kill();
            }
          }
        });
        child.on('close', () => {
          clearTimeout(stop);
          if (readyAt === undefined) kubectlFailures++;
          resolve();
        });
      });
    }
    if (readyAt === undefined) throw new Error(`not ready after 10 min: replicas readyReplicas = ${last}`);
    const cpu1 = cpuSeconds(s.process.pid!);
    const benchCpu = process.cpuUsage(benchCpu0);
    const secs = (readyAt - start) / 1000;
    const createdSecs = ((allCreatedAt ?? readyAt) - start) / 1000;
    await sleep(2000);
    const pods = (await client.list('/api/v1/namespaces/default/pods', { labelSelector: 'app=big' })).items;
    const events = (await client.list('/api/v1/namespaces/default/events')).items.length;
    const creates = await podCreates(client);
    const metricsText = (await client.raw('GET', '/metrics')).body;
    const mix = requestMix(metricsText);
    // Watchers the server closed for falling behind (each one's informer re-watches): a run that stalls shows here.
    const terminated = metricsText
      .split('\n')
      .filter((l) => l.startsWith('apiserver_terminated_watchers_total{'))
      .reduce((n, l) => n + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
    console.log(`${nodes} nodes, deployment of ${replicas} replicas (kubectl create -> readyReplicas ${replicas}):`);
    console.log(`  ready in ${secs.toFixed(1)} s = ${(replicas / secs).toFixed(0)} pods/s end to end`);
    console.log(
      `  all pods created (status.replicas) after ${createdSecs.toFixed(1)} s = ${(replicas / createdSecs).toFixed(0)} pods/s`,
    );
    console.log(
      `  pods at the end: ${pods.length} (want ${replicas}); pod creates answered 201: ${creates}; Events stored: ${events}`,
    );
    console.log(
      `  CPU from create to ready: server's main thread ${(cpu1.main - cpu0.main).toFixed(1)} s, its other threads ${(cpu1.others - cpu0.others).toFixed(1)} s, this bench process (the simulated nodes) ${((benchCpu.user + benchCpu.system) / 1e6).toFixed(1)} s`,
    );
    console.log(`  requests (whole run, nodes' start included): ${mix}`);
    console.log(
      `  server RSS ${rssMb(s.process.pid!).toFixed(0)} MB; kubectl watches that ended early: ${kubectlFailures}; watchers closed for falling behind: ${terminated}`,
    );
  } finally {
    await sim.stop();
    client.close();
    await s.stop();
  }
}

const sizes = (process.argv.slice(2).length > 0 ? process.argv.slice(2) : ['1000:10000']).map((a) =>
  a.split(':').map(Number),
);
for (const [nodes, replicas] of sizes) await run(nodes!, replicas!);

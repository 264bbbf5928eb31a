// Server CPU per request, by the requests a pod's life costs (create, binding, status PATCH, event, lease
// renewal, a GET), against the bare API server at concurrency 32 with 4 pod watchers (the scheduler, the controller
// manager, a node, kubectl). The server's whole-process CPU (all threads) per request, and per request on the
// main thread (the one that serves them all), from /proc.
// Run: npm run build && node dist/bench/verbs.js   (BENCH_PODS=n, default 4000)
import { Agent, request } from 'node:https';
import { startTestServer } from '../src/e2e/harness.js';
import { benchCaller, benchPod, cpuMs } from './lib.js';

const CONCURRENCY = 32;
const N = Number(process.env.BENCH_PODS ?? 4000);
const WATCHERS = 4;
/** Leases renewed in turn, as many nodes' (one lease each). */
const LEASES = 200;

async function main(): Promise<void> {
  const s = await startTestServer();
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY + WATCHERS + 4, ca: s.caPem });
  const call = benchCaller(s, agent);
  const pid = s.process.pid!;
  try {
    for (let w = 0; w < WATCHERS; w++) {
      const req = request(
        `${s.url}/api/v1/pods?watch=true&resourceVersion=0`,
        { agent, headers: { Authorization: `Bearer ${s.token}` } },
        (res) => res.resume(),
      );
      req.on('error', () => {});
      req.end();
    }
    await call('POST', '/api/v1/nodes', { metadata: { name: 'verbs-node' } });
    const leases = '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases';
    for (let i = 0; i < LEASES; i++)
      await call('POST', leases, {
        metadata: { name: `verbs-${i}` },
        spec: { holderIdentity: `verbs-${i}`, leaseDurationSeconds: 40, renewTime: new Date().toISOString() },
      });
    await new Promise((r) => setTimeout(r, 1000));

    const phase = async (label: string, one: (i: number) => Promise<{ status: number }>) => {
      const cpu0 = cpuMs(pid);
      const main0 = cpuMs(pid, pid); // the main thread is the process's first task
      const t0 = performance.now();
      let next = 0;
      let failed = 0;
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          while (next < N) {
            const r = await one(next++);
            if (r.status >= 300) failed++;
          }
        }),
      );
      const wall = performance.now() - t0;
      const cpu = cpuMs(pid) - cpu0;
      const mainMs = cpuMs(pid, pid) - main0;
      console.log(
        `  ${label.padEnd(22)} ${Math.round((N * 1000) / wall)}/s; server CPU ${((cpu * 1000) / N).toFixed(0)} µs/request, main thread ${((mainMs * 1000) / N).toFixed(0)} µs${failed ? `; ${failed} failed` : ''}`,
      );
    };
    const ns = '/api/v1/namespaces/default';
    console.log(`bare API server, ${N} requests each at concurrency ${CONCURRENCY}, ${WATCHERS} pod watchers`);
    await phase('POST pods', (i) => call('POST', `${ns}/pods`, benchPod(`v-${i}`)));
    await phase('POST pods/binding', (i) =>
      call('POST', `${ns}/pods/v-${i}/binding`, {
        apiVersion: 'v1',
        kind: 'Binding',
        metadata: { name: `v-${i}` },
        target: { apiVersion: 'v1', kind: 'Node', name: 'verbs-node' },
      }),
    );
    await phase('PATCH pods/status', (i) =>
      call('PATCH', `${ns}/pods/v-${i}/status`, {
        status: {
          phase: 'Running',
          podIP: `10.42.${i >> 8}.${i & 255}`,
          conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: new Date().toISOString() }],
        },
      }),
    );
    await phase('POST events', (i) =>
      call('POST', `${ns}/events`, {
        apiVersion: 'v1',
        kind: 'Event',
        metadata: { name: `v-${i}.1` },
        involvedObject: { kind: 'Pod', namespace: 'default', name: `v-${i}`, apiVersion: 'v1' },
        reason: 'Scheduled',
        message: `Successfully assigned default/v-${i} to verbs-node`,
        type: 'Normal',
        source: { component: 'default-scheduler' },
        firstTimestamp: new Date().toISOString(),
        lastTimestamp: new Date().toISOString(),
        count: 1,
      }),
    );
    await phase('PATCH leases', (i) =>
      call('PATCH', `${leases}/verbs-${i % LEASES}`, {
        spec: { renewTime: new Date().toISOString() },
      }),
    );
    await phase('GET pods', (i) => call('GET', `${ns}/pods/v-${i}`));
  } finally {
    agent.destroy();
    await s.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

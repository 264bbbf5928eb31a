// An HPA on a busybox Deployment on real containers: `tutti server` with its agent over a private
// containerd measures the pods' CPU (cgroups), the API server serves it as metrics.k8s.io, and the HPA
// (target 50% of a 100m request) scales the Deployment up within two sync periods while the pods burn CPU,
// and back down after the stabilization window once they stop. Every replica change and its reason is read
// from the events. Needs root and containerd, and a server that serves the metrics API and takes the HPA
// and metrics flags; skips with the reason otherwise.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { containerdSkipReason } from '../agent/runtime/testing/containerd-env.js';
import { join } from 'node:path';
import { killallAgentHost } from '../agent/index.js';
import { pollUntil, startTestServer, TUTTI_BIN, type TestServer } from './harness.js';

const SYNC_S = 3;
const RESOLUTION_S = 2;
const DOWN_WINDOW_S = 15;
const FLAGS = [
  '--horizontal-pod-autoscaler-sync-period',
  String(SYNC_S),
  '--horizontal-pod-autoscaler-cpu-initialization-period',
  '10',
  '--metric-resolution',
  String(RESOLUTION_S),
];

/** The server must know the flags this test passes (they arrive with the metrics API's wiring). */
function wiringSkipReason(): string | undefined {
  const help = spawnSync(process.execPath, [TUTTI_BIN, 'server', '--help'], { encoding: 'utf8' });
  const text = `${help.stdout}${help.stderr}`;
  for (const flag of FLAGS.filter((f) => f.startsWith('--'))) {
    if (!text.includes(flag)) return `tutti server has no ${flag} yet (metrics API not wired)`;
  }
  return undefined;
}

const skip = containerdSkipReason() ?? wiringSkipReason();

interface EventList {
  items: {
    reason?: string;
    message?: string;
    firstTimestamp?: string;
    metadata: { name: string; creationTimestamp?: string };
  }[];
}
interface PodList {
  items: { metadata: { name: string; deletionTimestamp?: string }; status?: { phase?: string } }[];
}

describe('HPA on a busybox Deployment on real containers', { skip }, () => {
  let s: TestServer;
  before(async () => {
    // a pod CIDR of its own: other real-container suites may run beside it
    s = await startTestServer({ controlPlane: true, agent: true, args: [...FLAGS, '--cluster-cidr', '10.244.0.0/16'] });
  });
  after(async () => {
    if (!s) return;
    await s.kubectl(['delete', 'hpa', '--all']);
    await s.kubectl(['delete', 'deploy', '--all', '--grace-period=1']);
    await s.kubectl(['delete', 'pods', '--all', '--grace-period=0', '--force']);
    // Nothing of the node stays on the host (its bridge would hold this CIDR against the next run).
    await killallAgentHost({ dataDir: join(s.dataDir, 'agent') });
    await s.stop();
  });

  const running = async () =>
    (JSON.parse(await s.k('get', 'pods', '-l', 'app=burn', '-o', 'json')) as PodList).items.filter(
      (p) => p.status?.phase === 'Running' && !p.metadata.deletionTimestamp,
    );
  const rescales = async () =>
    (
      JSON.parse(
        await s.k(
          'get',
          'events',
          '--field-selector',
          'involvedObject.name=burn,reason=SuccessfulRescale',
          '-o',
          'json',
        ),
      ) as EventList
    ).items
      .sort(
        (a, b) =>
          (a.firstTimestamp ?? a.metadata.creationTimestamp ?? '').localeCompare(
            b.firstTimestamp ?? b.metadata.creationTimestamp ?? '',
          ) || a.metadata.name.localeCompare(b.metadata.name),
      )
      .map((e) => e.message ?? '');

  it('scales up while the pods burn CPU and back down after the stabilization window', async () => {
    const deploy = await s.kubectl(['apply', '-f', '-'], {
      input: `apiVersion: apps/v1
kind: Deployment
metadata: {name: burn}
spec:
  replicas: 1
  selector: {matchLabels: {app: burn}}
  template:
    metadata: {labels: {app: burn}}
    spec:
      containers:
      - name: burn
        image: busybox:1.35
        command: [sh, -c, 'while [ ! -e /tmp/stop ]; do :; done; exec sleep 3600']
        resources: {requests: {cpu: 100m}, limits: {cpu: 100m}}
`,
    });
    assert.equal(deploy.code, 0, deploy.stderr);
    await pollUntil('a running pod', async () => (await running()).length === 1, 120_000, 500);
    await pollUntil(
      'metrics of the pod',
      async () => /burn-\S+\s+\d+m/.test((await s.kubectl(['top', 'pods', '-l', 'app=burn'])).stdout),
      60_000,
      1000,
    );

    const hpa = await s.kubectl(['apply', '-f', '-'], {
      input: `apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: burn}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: burn}
  minReplicas: 1
  maxReplicas: 3
  metrics:
  - type: Resource
    resource: {name: cpu, target: {type: Utilization, averageUtilization: 50}}
  behavior:
    scaleDown: {stabilizationWindowSeconds: ${DOWN_WINDOW_S}}
`,
    });
    assert.equal(hpa.code, 0, hpa.stderr);
    const created = Date.now();
    const up = await pollUntil(
      'a scale-up',
      async () => ((await rescales()).length > 0 ? Date.now() : undefined),
      60_000,
      250,
    );
    assert.ok(up - created <= 2 * SYNC_S * 1000 + 1000, `scaled up ${up - created} ms after the HPA was created`);
    await pollUntil('3 running pods', async () => (await running()).length === 3, 180_000, 1000);
    await pollUntil(
      '3 replicas in the HPA status',
      async () => /3 current \/ 3 desired/.test(await s.k('describe', 'hpa', 'burn')),
      120_000,
      1000,
    );

    const stoppedAt = Date.now();
    for (const p of await running()) await s.k('exec', p.metadata.name, '--', 'touch', '/tmp/stop');
    await pollUntil(
      'a scale-down to 1',
      async () => (await rescales()).some((m) => m.startsWith('New size: 1;')),
      180_000,
      1000,
    );
    assert.ok(Date.now() - stoppedAt >= DOWN_WINDOW_S * 1000, 'not before the stabilization window');

    const log = await rescales();
    console.log(`replica changes (SuccessfulRescale events):\n  ${log.join('\n  ')}`);
    console.log(await s.k('describe', 'hpa', 'burn'));
    // Up while burning, then down (in one or more steps: the stabilization window keeps the highest
    // recommendation it saw, and the pods stop one after the other) to 1.
    const firstDown = log.findIndex((m) => m.endsWith('reason: All metrics below target'));
    assert.ok(firstDown > 0, 'scaled up before scaling down');
    for (const m of log.slice(0, firstDown))
      assert.match(m, /reason: cpu resource utilization \(percentage of request\) above target$/);
    for (const m of log.slice(firstDown)) assert.match(m, /reason: All metrics below target$/);
    assert.equal(log.at(-1), 'New size: 1; reason: All metrics below target');
  });
});

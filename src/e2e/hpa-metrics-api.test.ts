// The HPA controller of `tutti server` reads PodMetrics through the API server's own metrics.k8s.io (no
// in-process shortcut): simulated nodes serve the usage of a Deployment's pods (annotation, 200m against a
// 100m request), the server's scraper polls them every --metric-resolution, and an HPA targeting 50%
// scales 1 -> 4 with upstream's event, its status naming the measured utilization.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { pollUntil, type TestServer } from './harness.js';
import { type SimCluster, startSimCluster } from './testing/sim-cluster.js';

describe('HPA over the metrics API of tutti server', () => {
  let s: TestServer;
  let cluster: SimCluster | undefined;
  before(async () => {
    cluster = await startSimCluster(
      { controlPlane: true, args: ['--metric-resolution', '1'] },
      { count: 2, prefix: 'hpa', podStartMs: 100, metrics: {} },
    );
    ({ s } = cluster);
  });
  after(async () => {
    await cluster?.stop();
  });

  it('scales a Deployment up from PodMetrics served by the API server', async () => {
    const applied = await s.kubectl(['apply', '-f', '-'], {
      input: `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata:
      labels: {app: web}
      annotations: {tutti.io/simulated-usage: "cpu=200m,memory=32Mi"}
    spec:
      containers:
      - {name: app, image: busybox, resources: {requests: {cpu: 100m}}}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: web}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  minReplicas: 1
  maxReplicas: 4
  metrics:
  - type: Resource
    resource: {name: cpu, target: {type: Utilization, averageUtilization: 50}}
`,
    });
    assert.equal(applied.code, 0, applied.stderr);
    await pollUntil(
      'web pod metrics',
      async () => /web-\S+\s+200m\s+32Mi/.test((await s.kubectl(['top', 'pods', '-l', 'app=web'])).stdout),
      30_000,
      500,
    );
    // Default sync period 15 s: the first sync with metrics rescales.
    const message = await pollUntil(
      'SuccessfulRescale',
      async () => {
        const ev = JSON.parse(
          await s.k(
            'get',
            'events',
            '--field-selector',
            'involvedObject.name=web,reason=SuccessfulRescale',
            '-o',
            'json',
          ),
        ) as { items: { message?: string }[] };
        return ev.items[0]?.message;
      },
      60_000,
      1000,
    );
    assert.equal(message, 'New size: 4; reason: cpu resource utilization (percentage of request) above target');
    const hpa = JSON.parse(await s.k('get', 'hpa.v2.autoscaling', 'web', '-o', 'json')) as {
      status: {
        desiredReplicas: number;
        currentMetrics?: { resource?: { current?: { averageUtilization?: number } } }[];
      };
    };
    assert.equal(hpa.status.desiredReplicas, 4);
    assert.equal(hpa.status.currentMetrics?.[0]?.resource?.current?.averageUtilization, 200);
    const replicas = await pollUntil(
      '4 web pods',
      async () => {
        const r = (await s.kubectl(['top', 'pods', '-l', 'app=web', '--no-headers'])).stdout.trim().split('\n');
        return r.length === 4 ? r : undefined;
      },
      30_000,
      1000,
    );
    assert.equal(replicas.length, 4);
  });
});

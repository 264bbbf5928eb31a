// Issue 8: controllers defend themselves. Every workload controller of the manager runs against the client's
// fake API server, which stores bodies without type-checking them (as Tutti did before typed decoding).
// Objects with unusable counts (`replicas: [1]`, `1e308`, `1.5`, "3", {}) get one Warning event and nothing
// else: no pods, no ReplicaSets, no write loop. A valid Deployment next to them is rolled out, then the
// whole cluster goes quiet: no controller keeps writing what it read.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { ApiClient } from '../client/index.js';
import { FakeApiServer, type RecordedRequest } from '../client/testing/fake-server.js';
import type { KubeObject } from '../core/index.js';
import { newControllerContext } from './context.js';
import { startControllers } from './manager.js';
import { INVALID_SPEC_REASON } from './shared/spec-guard.js';

const WORKLOADS = [
  'deployment',
  'replicaset',
  'replicationcontroller',
  'daemonset',
  'job',
  'statefulset',
  'cronjob',
  'horizontalpodautoscaling',
];
const OTHERS = [
  'nodelifecycle',
  'nodeipam',
  'endpoints',
  'endpointslice',
  'podgc',
  'garbagecollector',
  'namespace',
  'volume',
  'disruption',
  'resourcequota',
  'clusterautoscaler',
];

let server: FakeApiServer;
let client: ApiClient;
let stop: () => Promise<void>;

const labels = { app: 'x' };
const template = { metadata: { labels }, spec: { containers: [{ name: 'c', image: 'busybox' }] } };
const selector = { matchLabels: labels };
const meta = (name: string, namespace = 'bad') => ({ name, namespace, uid: `uid-${namespace}-${name}` });

const BAD: [string, string, KubeObject][] = [
  [
    'apps',
    'deployments',
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: meta('array'),
      spec: { replicas: [1], selector, template },
    } as KubeObject,
  ],
  [
    'apps',
    'replicasets',
    {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: meta('huge'),
      spec: { replicas: 1e308, selector, template },
    } as KubeObject,
  ],
  [
    '',
    'replicationcontrollers',
    {
      apiVersion: 'v1',
      kind: 'ReplicationController',
      metadata: meta('half'),
      spec: { replicas: 1.5, selector: labels, template },
    } as KubeObject,
  ],
  [
    'apps',
    'daemonsets',
    {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: meta('string'),
      spec: { minReadySeconds: '3', selector, template },
    } as KubeObject,
  ],
  [
    'batch',
    'jobs',
    {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: meta('wide'),
      spec: {
        parallelism: 1e308,
        completions: 1e308,
        template: { ...template, spec: { ...template.spec, restartPolicy: 'Never' } },
      },
    } as KubeObject,
  ],
  [
    'apps',
    'statefulsets',
    {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: meta('object'),
      spec: { replicas: {}, serviceName: 's', selector, template },
    } as KubeObject,
  ],
  [
    'batch',
    'cronjobs',
    {
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: meta('limits'),
      spec: { schedule: '* * * * *', successfulJobsHistoryLimit: '3', jobTemplate: { spec: { template } } },
    } as KubeObject,
  ],
  [
    'autoscaling',
    'horizontalpodautoscalers',
    {
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: meta('max'),
      spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'array' }, maxReplicas: [1] },
    } as KubeObject,
  ],
];

/** Every object of a resource in the fake server, read through the API as any client would. */
async function list(path: string): Promise<KubeObject[]> {
  return (await client.list(path)).items;
}
async function until(cond: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error('until: timed out');
    await sleep(50);
  }
}
type Ev = KubeObject & { reason?: string; message?: string; involvedObject: { uid?: string; kind?: string } };

const isWrite = (r: RecordedRequest) => r.method !== 'GET';
const isEvent = (r: RecordedRequest) => /\/events(\/|$)/.test(r.path);

before(async () => {
  server = await FakeApiServer.start();
  client = new ApiClient({ server: server.url });
  const ctx = newControllerContext(client, { log: () => {} });
  const running = startControllers(ctx, { disable: OTHERS });
  stop = running.stop;
  for (const [g, r, o] of BAD) server.put(g, r, o);
  server.put('apps', 'deployments', {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: meta('good', 'good'),
    spec: {
      replicas: 2,
      selector,
      template,
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
    },
  } as KubeObject);
});
after(async () => {
  await stop();
  client.close();
  await server.stop();
});

test('unusable specs get one InvalidSpec Warning each, no pods and no writes; a valid one rolls out and settles', async () => {
  assert.ok(WORKLOADS.every((w) => !OTHERS.includes(w)));
  const invalidEvents = async () =>
    ((await list('/api/v1/events')) as Ev[]).filter((e) => e.reason === INVALID_SPEC_REASON);
  const warned = async () => new Set((await invalidEvents()).map((e) => e.involvedObject.uid));
  await until(async () => (await warned()).size === BAD.length, 15_000);
  const uids = await warned();
  for (const [, , o] of BAD) assert.ok(uids.has(o.metadata.uid!), `${o.kind} ${o.metadata.name} warned`);
  const message = (await invalidEvents()).find((e) => e.involvedObject.kind === 'ReplicaSet')?.message;
  assert.match(message ?? '', /spec\.replicas: Invalid value: 1e\+308: must be between 0 and 2147483647/);

  // The valid Deployment next to them: its ReplicaSet and two pods (so the controllers do run).
  await until(async () => (await list('/api/v1/namespaces/good/pods')).length === 2, 15_000);
  const statusReplicas = async (path: string) =>
    ((await list(path)) as (KubeObject & { status?: { replicas?: number } })[]).map((o) => o.status?.replicas);
  await until(async () => {
    const [rs, d] = [
      await statusReplicas('/apis/apps/v1/namespaces/good/replicasets'),
      await statusReplicas('/apis/apps/v1/namespaces/good/deployments'),
    ];
    return rs.length === 1 && rs[0] === 2 && d[0] === 2;
  }, 15_000);

  // Settled: a second without writes (a write loop never gets there; one late write from a stale cache
  // may come first). Then a quiet window: nobody writes anything but events, in either namespace.
  const writeCount = () => server.requests.filter((r) => isWrite(r) && !isEvent(r)).length;
  let last = -1;
  await until(async () => {
    const n = writeCount();
    if (n === last) return true;
    last = n;
    await sleep(1000);
    return false;
  }, 15_000);
  const from = server.requests.length;
  await sleep(3000);
  const writes = server.requests.slice(from).filter((r) => isWrite(r) && !isEvent(r));
  assert.deepEqual(
    writes.map((r) => `${r.method} ${r.path}`),
    [],
  );
  // Over the whole run, nothing but events was written for the invalid objects.
  const badWrites = server.requests.filter((r) => isWrite(r) && !isEvent(r) && r.path.includes('/namespaces/bad/'));
  assert.deepEqual(
    badWrites.map((r) => `${r.method} ${r.path}`),
    [],
  );
  assert.equal((await list('/api/v1/namespaces/bad/pods')).length, 0);
  assert.equal((await list('/apis/apps/v1/namespaces/bad/replicasets')).length, 1);
  assert.deepEqual(
    (await list('/apis/batch/v1/namespaces/bad/jobs')).map((j) => j.metadata.name),
    ['wide'],
  );
  // Each invalid object got one event, not one per sync.
  const eventWrites = server.requests.filter((r) => isWrite(r) && isEvent(r) && r.path.includes('/namespaces/bad/'));
  assert.equal(eventWrites.length, BAD.length);
});

// The workload controllers (ReplicaSet, Deployment, garbage collector, namespace) run in this process
// against a real `tutti server`, driven by the real kubectl. No node agent runs: a "fake kubelet" here
// marks pods Running and Ready through pods/status so rollouts progress.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ApiClient } from '../../client/index.js';
import { startTestServer, type TestServer } from '../../e2e/harness.js';
import { newControllerContext } from '../context.js';
import { startGarbageCollector } from '../garbagecollector/controller.js';
import { startNamespaceController } from '../namespace/controller.js';
import { startReplicaSetController } from '../replicaset/controller.js';
import type { Pod, ReplicaSet } from '../replicaset/types.js';
import { startDeploymentController } from './controller.js';
import type { Deployment } from './types.js';

function deploymentYaml(name: string, replicas: number, image: string, ns = 'default'): string {
  return JSON.stringify({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: ns },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 2, maxUnavailable: 0 } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image }] } },
    },
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

describe('workload controllers against tutti server', () => {
  let s: TestServer;
  let client: ApiClient;
  let stopControllers: () => Promise<void>;
  let fakeKubelet = true;
  let kubeletLoop: Promise<void>;

  const pods = async (ns: string, app?: string) =>
    (await client.list<Pod>(`/api/v1/namespaces/${ns}/pods`, app ? { labelSelector: `app=${app}` } : {})).items;
  const replicaSets = async (ns: string, app?: string) =>
    (await client.list<ReplicaSet>(`/apis/apps/v1/namespaces/${ns}/replicasets`, app ? { labelSelector: `app=${app}` } : {}))
      .items;
  const isReady = (p: Pod) => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;

  before(async () => {
    s = await startTestServer();
    client = new ApiClient({ server: s.url, caPem: s.caPem, token: s.token });
    const ctx = newControllerContext(client, { log: () => {} });
    const running = [
      startReplicaSetController(ctx),
      startDeploymentController(ctx),
      startGarbageCollector(ctx),
      startNamespaceController(ctx),
    ];
    ctx.informers.start();
    stopControllers = async () => {
      await Promise.all(running.map((c) => c.stop()));
      ctx.informers.stop();
    };
    kubeletLoop = (async () => {
      while (fakeKubelet) {
        try {
          for (const p of (await client.list<Pod>('/api/v1/pods')).items) {
            if (isReady(p) || p.metadata.deletionTimestamp) continue;
            const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
            await client
              .patch(
                `/api/v1/namespaces/${p.metadata.namespace}/pods/${p.metadata.name}/status`,
                { status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: now }] } },
                'merge',
              )
              .catch(() => {});
          }
        } catch {
          // server restarting or stopping
        }
        await sleep(100);
      }
    })();
  });

  after(async () => {
    fakeKubelet = false;
    await kubeletLoop;
    await stopControllers?.();
    client?.close();
    await s?.stop();
  });

  it('rolls 10 replicas to a new image with maxUnavailable=0 without losing ready pods; history and undo work', async () => {
    const apply = await s.kubectl(['apply', '-f', '-'], { input: deploymentYaml('web', 10, 'nginx:1') });
    assert.equal(apply.code, 0, apply.stderr);
    await s.k('rollout', 'status', 'deploy/web', '--timeout=60s');
    assert.equal((await pods('default', 'web')).filter(isReady).length, 10);

    let minReady = Number.POSITIVE_INFINITY;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const ready = (await pods('default', 'web')).filter((p) => isReady(p) && !p.metadata.deletionTimestamp).length;
        minReady = Math.min(minReady, ready);
        await sleep(30);
      }
    })();
    const started = Date.now();
    await s.k('set', 'image', 'deploy/web', 'c=nginx:2');
    const status = await s.k('rollout', 'status', 'deploy/web', '--timeout=90s');
    const rolloutMs = Date.now() - started;
    sampling = false;
    await sampler;
    console.log(`# 10-replica rollout (maxSurge=2, maxUnavailable=0): ${rolloutMs} ms, min ready ${minReady}`);
    assert.match(status, /successfully rolled out/);
    assert.ok(minReady >= 10, `ready pods dropped to ${minReady}`);
    const after = await pods('default', 'web');
    assert.equal(after.length, 10);
    assert.ok(after.every((p) => (p.spec as { containers: { image: string }[] }).containers[0]!.image === 'nginx:2'));

    const d = await client.get<Deployment>('/apis/apps/v1/namespaces/default/deployments/web');
    assert.equal(d.metadata.annotations?.['deployment.kubernetes.io/revision'], '2');
    assert.equal(d.status?.updatedReplicas, 10);
    assert.equal(d.status?.conditions?.find((c) => c.type === 'Available')?.status, 'True');
    assert.equal(d.status?.conditions?.find((c) => c.type === 'Progressing')?.reason, 'NewReplicaSetAvailable');
    const rss = await replicaSets('default', 'web');
    assert.equal(rss.length, 2);
    for (const rs of rss) {
      assert.equal(rs.metadata.name, `web-${rs.metadata.labels?.['pod-template-hash']}`);
      assert.equal(rs.metadata.annotations?.['deployment.kubernetes.io/desired-replicas'], '10');
      assert.equal(rs.metadata.annotations?.['deployment.kubernetes.io/max-replicas'], '12');
    }

    const history = await s.k('rollout', 'history', 'deploy/web');
    assert.match(history, /^1\s/m);
    assert.match(history, /^2\s/m);

    await s.k('rollout', 'undo', 'deploy/web');
    await s.k('rollout', 'status', 'deploy/web', '--timeout=90s');
    const undone = await client.get<Deployment>('/apis/apps/v1/namespaces/default/deployments/web');
    assert.equal((undone.spec?.template?.spec as { containers: { image: string }[] }).containers[0]!.image, 'nginx:1');
    assert.equal(undone.metadata.annotations?.['deployment.kubernetes.io/revision'], '3');
    assert.equal((await replicaSets('default', 'web')).length, 2, 'undo reuses the old ReplicaSet');
    const events = await s.k('get', 'events', '--field-selector', 'involvedObject.name=web', '-o', 'jsonpath={.items[*].message}');
    assert.match(events, /Scaled up replica set web-\w+ to \d+ from \d+/);
    assert.match(events, /Scaled down replica set web-\w+ to \d+ from \d+/);
  });

  it('pause holds a template change; resume and restart roll it out', async () => {
    await s.k('rollout', 'pause', 'deploy/web');
    await s.k('set', 'image', 'deploy/web', 'c=nginx:3');
    await sleep(500);
    assert.equal((await replicaSets('default', 'web')).length, 2, 'no new ReplicaSet while paused');
    await s.k('rollout', 'resume', 'deploy/web');
    await s.k('rollout', 'status', 'deploy/web', '--timeout=90s');
    assert.equal((await replicaSets('default', 'web')).length, 3);
    await s.k('rollout', 'restart', 'deploy/web');
    await s.k('rollout', 'status', 'deploy/web', '--timeout=90s');
    const rss = await replicaSets('default', 'web');
    assert.equal(rss.length, 4);
    const current = rss.find((r) => (r.spec?.replicas ?? 0) > 0)!;
    assert.ok(current.spec?.template?.metadata?.annotations?.['kubectl.kubernetes.io/restartedAt']);
  });

  it('kubectl delete deploy (background) removes its ReplicaSets and pods through the GC', async () => {
    await s.k('delete', 'deploy', 'web');
    await until('web pods and replicasets gone', async () => (await pods('default', 'web')).length === 0 && (await replicaSets('default', 'web')).length === 0);
  });

  it('--cascade=foreground deletes dependents first; --cascade=orphan keeps them without owner', async () => {
    for (const name of ['fg', 'orph']) {
      const r = await s.kubectl(['apply', '-f', '-'], { input: deploymentYaml(name, 3, 'nginx:1') });
      assert.equal(r.code, 0, r.stderr);
      await s.k('rollout', 'status', `deploy/${name}`, '--timeout=60s');
    }
    // kubectl waits for the deployment to be gone, which needs the GC to clear foregroundDeletion.
    await s.k('delete', 'deploy', 'fg', '--cascade=foreground', '--timeout=60s');
    assert.equal((await pods('default', 'fg')).length, 0, 'pods were deleted before the owner');
    assert.equal((await replicaSets('default', 'fg')).length, 0);

    await s.k('delete', 'deploy', 'orph', '--cascade=orphan', '--timeout=60s');
    await sleep(300);
    const rss = await replicaSets('default', 'orph');
    assert.equal(rss.length, 1, 'the ReplicaSet survives');
    assert.deepEqual(rss[0]!.metadata.ownerReferences ?? [], []);
    assert.equal((await pods('default', 'orph')).length, 3, 'its pods too');
  });

  it('deleting a namespace deletes everything in it, then the namespace', async () => {
    await s.k('create', 'namespace', 'doomed');
    const r = await s.kubectl(['apply', '-f', '-'], { input: deploymentYaml('app', 2, 'nginx:1', 'doomed') });
    assert.equal(r.code, 0, r.stderr);
    await s.k('create', 'configmap', 'cfg', '-n', 'doomed', '--from-literal=a=b');
    await s.k('rollout', 'status', 'deploy/app', '-n', 'doomed', '--timeout=60s');
    const started = Date.now();
    await s.k('delete', 'namespace', 'doomed', '--timeout=60s');
    console.log(`# namespace with a 2-replica deployment deleted in ${Date.now() - started} ms`);
    const got = await s.kubectl(['get', 'namespace', 'doomed']);
    assert.notEqual(got.code, 0);
    assert.match(got.stderr, /NotFound|not found/);
    assert.equal((await pods('doomed')).length, 0);
    assert.equal((await replicaSets('doomed')).length, 0);
  });
});

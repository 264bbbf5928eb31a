// The workload controllers (ReplicaSet, Deployment, garbage collector, namespace) run in this process
// against a real `tutti server`, driven by the real kubectl. No node agent runs: a "fake kubelet" here
// marks pods Running and Ready through pods/status so rollouts progress.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Deployment, KubeObject, Pod, ReplicaSet } from '../core/index.js';
import { ApiClient } from '../client/index.js';
import { startTestServer, type TestServer } from '../e2e/harness.js';
import { newControllerContext } from './context.js';
import { startGarbageCollector } from './garbagecollector/controller.js';
import { startNamespaceController } from './namespace/controller.js';
import { startReplicaSetController } from './replicaset/controller.js';
import { startDaemonSetController } from './daemonset/controller.js';
import { startDeploymentController } from './deployment/controller.js';

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
  let kcm: ApiClient | undefined;
  let stopControllers: () => Promise<void>;
  let fakeKubelet = true;
  let kubeletLoop: Promise<void>;

  const pods = async (ns: string, app?: string) =>
    (await client.list<Pod>(`/api/v1/namespaces/${ns}/pods`, app ? { labelSelector: `app=${app}` } : {})).items;
  const replicaSets = async (ns: string, app?: string) =>
    (
      await client.list<ReplicaSet>(
        `/apis/apps/v1/namespaces/${ns}/replicasets`,
        app ? { labelSelector: `app=${app}` } : {},
      )
    ).items;
  const isReady = (p: Pod) => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;

  before(async () => {
    s = await startTestServer();
    client = new ApiClient({ server: s.url, caPem: s.caPem, token: s.token });
    // the controllers run as the controller manager does in `tutti server`: its own user, not the admin
    kcm = new ApiClient({ server: s.url, caPem: s.caPem, token: s.componentToken('kube-controller-manager') });
    const ctx = newControllerContext(kcm, { log: () => {} });
    const running = [
      startReplicaSetController(ctx),
      startDeploymentController(ctx),
      startGarbageCollector(ctx),
      startNamespaceController(ctx),
      startDaemonSetController(ctx),
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
                {
                  status: {
                    phase: 'Running',
                    conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: now }],
                  },
                },
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
    kcm?.close();
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
    // Upstream keeps the revisions a reused ReplicaSet had: revision 1 became 3, so its history is "1".
    const reused = (await replicaSets('default', 'web')).find(
      (rs) => rs.metadata.annotations?.['deployment.kubernetes.io/revision'] === '3',
    );
    assert.equal(reused?.metadata.annotations?.['deployment.kubernetes.io/revision-history'], '1');
    const afterUndo = await s.k('rollout', 'history', 'deploy/web');
    assert.match(afterUndo, /^2\s/m);
    assert.match(afterUndo, /^3\s/m);
    assert.doesNotMatch(afterUndo, /^1\s/m);
    const events = await s.k(
      'get',
      'events',
      '--field-selector',
      'involvedObject.name=web',
      '-o',
      'jsonpath={.items[*].message}',
    );
    assert.match(events, /Scaled up replica set web-\w+ to \d+ from \d+/);
    assert.match(events, /Scaled down replica set web-\w+ to \d+ from \d+/);
  });

  it('DaemonSet history: revisions carry the change-cause; rollout history and undo work as upstream', async () => {
    const ds = (image: string, cause: string) =>
      JSON.stringify({
        apiVersion: 'apps/v1',
        kind: 'DaemonSet',
        metadata: { name: 'agent', namespace: 'default', annotations: { 'kubernetes.io/change-cause': cause } },
        spec: {
          selector: { matchLabels: { app: 'agent' } },
          template: { metadata: { labels: { app: 'agent' } }, spec: { containers: [{ name: 'c', image }] } },
        },
      });
    const appliedfirst = await s.kubectl(['apply', '-f', '-'], { input: ds('busybox:1', 'first') });
    assert.equal(appliedfirst.code, 0, appliedfirst.stderr);
    const revisions = async () =>
      (
        await client.list<KubeObject & { revision: number }>('/apis/apps/v1/namespaces/default/controllerrevisions')
      ).items
        .filter((r) => r.metadata.ownerReferences?.[0]?.name === 'agent')
        .sort((a, b) => a.revision - b.revision);
    await until('first revision', async () => (await revisions()).length === 1);
    const appliedsecond = await s.kubectl(['apply', '-f', '-'], { input: ds('busybox:2', 'second') });
    assert.equal(appliedsecond.code, 0, appliedsecond.stderr);
    await until('second revision', async () => (await revisions()).length === 2);
    const [r1, r2] = await revisions();
    assert.equal(r1!.metadata.annotations?.['kubernetes.io/change-cause'], 'first');
    assert.equal(r2!.metadata.annotations?.['kubernetes.io/change-cause'], 'second');
    const history = await s.k('rollout', 'history', 'ds/agent');
    assert.match(history, /^1\s+first$/m);
    assert.match(history, /^2\s+second$/m);
    const shown = await s.k('rollout', 'history', 'ds/agent', '--revision=1');
    assert.match(shown, /busybox:1/);

    await s.k('rollout', 'undo', 'ds/agent');
    const undone = await client.get<KubeObject & { spec: { template: { spec: { containers: { image: string }[] } } } }>(
      '/apis/apps/v1/namespaces/default/daemonsets/agent',
    );
    assert.equal(undone.spec.template.spec.containers[0]!.image, 'busybox:1');
    // The old revision is reused and bumped to 3 (no third object), as upstream.
    await until('revision 1 bumped to 3', async () => {
      const rs = await revisions();
      return rs.length === 2 && rs[1]!.metadata.name === r1!.metadata.name && rs[1]!.revision === 3;
    });
    const after = await s.k('rollout', 'history', 'ds/agent');
    assert.match(after, /^2\s+second$/m);
    assert.match(after, /^3\s+first$/m);
    await s.k('delete', 'ds/agent');
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

  it('Recreate: old pods are all gone before new ones are created', async () => {
    const manifest = JSON.parse(deploymentYaml('rec', 3, 'nginx:1'));
    manifest.spec.strategy = { type: 'Recreate' };
    const r = await s.kubectl(['apply', '-f', '-'], { input: JSON.stringify(manifest) });
    assert.equal(r.code, 0, r.stderr);
    await s.k('rollout', 'status', 'deploy/rec', '--timeout=60s');
    let mixed = false;
    let sampling = true;
    const image = (p: Pod) => (p.spec as { containers: { image: string }[] }).containers[0]!.image;
    const sampler = (async () => {
      while (sampling) {
        const images = new Set((await pods('default', 'rec')).map(image));
        if (images.size > 1) mixed = true;
        await sleep(20);
      }
    })();
    await s.k('set', 'image', 'deploy/rec', 'c=nginx:2');
    await s.k('rollout', 'status', 'deploy/rec', '--timeout=60s');
    sampling = false;
    await sampler;
    assert.equal(mixed, false, 'old and new pods never ran side by side');
    const now = await pods('default', 'rec');
    assert.equal(now.length, 3);
    assert.ok(now.every((p) => image(p) === 'nginx:2'));
    await s.k('delete', 'deploy', 'rec');
  });

  it('a ReplicaSet adopts a matching orphan, releases a pod that stops matching, and replaces it', async () => {
    const labels = { app: 'solo' };
    await client.create('/api/v1/namespaces/default/pods', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'orphan', labels },
      spec: { containers: [{ name: 'c', image: 'nginx:1' }] },
    });
    const created = await client.create<ReplicaSet>('/apis/apps/v1/namespaces/default/replicasets', {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name: 'solo' },
      spec: {
        replicas: 2,
        selector: { matchLabels: labels },
        template: { metadata: { labels }, spec: { containers: [{ name: 'c', image: 'nginx:1' }] } },
      },
    });
    await until('two ready replicas', async () => {
      const rs = await client.get<ReplicaSet>('/apis/apps/v1/namespaces/default/replicasets/solo');
      return rs.status?.readyReplicas === 2 && rs.status.observedGeneration === rs.metadata.generation;
    });
    const owned = await pods('default', 'solo');
    assert.equal(owned.length, 2, 'the orphan counted: only one pod created');
    const orphan = owned.find((p) => p.metadata.name === 'orphan')!;
    assert.equal(orphan.metadata.ownerReferences?.[0]?.uid, created.metadata.uid);
    assert.equal(orphan.metadata.ownerReferences?.[0]?.controller, true);
    const made = owned.find((p) => p.metadata.name !== 'orphan')!;
    assert.match(made.metadata.name!, /^solo-[a-z0-9]{5}$/);
    assert.equal(made.metadata.ownerReferences?.[0]?.blockOwnerDeletion, true);

    await s.k('label', 'pod', 'orphan', 'app=elsewhere', '--overwrite');
    await until('replacement created', async () => (await pods('default', 'solo')).length === 2);
    const released = await client.get<Pod>('/api/v1/namespaces/default/pods/orphan');
    assert.deepEqual(released.metadata.ownerReferences ?? [], [], 'released');
    const events = await s.k(
      'get',
      'events',
      '--field-selector',
      'involvedObject.name=solo',
      '-o',
      'jsonpath={.items[*].reason}',
    );
    assert.match(events, /SuccessfulCreate/);

    await s.k('scale', 'rs', 'solo', '--replicas=0');
    await until('scaled to zero', async () => (await pods('default', 'solo')).length === 0);
    assert.match(
      await s.k('get', 'events', '--field-selector', 'involvedObject.name=solo', '-o', 'jsonpath={.items[*].reason}'),
      /SuccessfulDelete/,
    );
    await s.k('delete', 'rs', 'solo');
    await s.k('delete', 'pod', 'orphan');
  });

  it('the GC checks owners by uid: a same-named object with another uid is not the owner', async () => {
    const owner = await client.create<KubeObject>('/api/v1/namespaces/default/configmaps', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'owner' },
    });
    const dependent = (name: string, uid: string) =>
      client.create('/api/v1/namespaces/default/configmaps', {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name, ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'owner', uid }] },
      });
    await dependent('kept', owner.metadata.uid!);
    await dependent('impostor-owned', '00000000-0000-0000-0000-000000000000');
    await until(
      'dependent of the wrong uid collected',
      async () => (await client.raw('GET', '/api/v1/namespaces/default/configmaps/impostor-owned')).status === 404,
    );
    await sleep(300);
    assert.equal((await client.raw('GET', '/api/v1/namespaces/default/configmaps/kept')).status, 200);
    await s.k('delete', 'configmap', 'owner');
    await until(
      'dependent of the deleted owner collected',
      async () => (await client.raw('GET', '/api/v1/namespaces/default/configmaps/kept')).status === 404,
    );
  });

  it('kubectl delete deploy (background) removes its ReplicaSets and pods through the GC', async () => {
    await s.k('delete', 'deploy', 'web');
    await until(
      'web pods and replicasets gone',
      async () => (await pods('default', 'web')).length === 0 && (await replicaSets('default', 'web')).length === 0,
    );
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

  it('deleting a namespace deletes everything in it, then the namespace', async (t) => {
    await s.k('create', 'namespace', 'doomed');
    const r = await s.kubectl(['apply', '-f', '-'], { input: deploymentYaml('app', 2, 'nginx:1', 'doomed') });
    assert.equal(r.code, 0, r.stderr);
    await s.k('create', 'configmap', 'cfg', '-n', 'doomed', '--from-literal=a=b');
    await s.k('rollout', 'status', 'deploy/app', '-n', 'doomed', '--timeout=60s');
    const started = Date.now();
    await s.k('delete', 'namespace', 'doomed', '--wait=false');
    await until('namespace content gone', async () => {
      const left = await Promise.all([
        pods('doomed'),
        replicaSets('doomed'),
        client.list('/apis/apps/v1/namespaces/doomed/deployments').then((l) => l.items),
        client.list('/api/v1/namespaces/doomed/configmaps').then((l) => l.items),
      ]);
      return left.every((items) => items.length === 0);
    });
    // The last step needs PUT /api/v1/namespaces/NAME/finalize; probe it with a no-op on "default".
    const def = await client.get('/api/v1/namespaces/default');
    const probe = await client.raw('PUT', '/api/v1/namespaces/default/finalize', JSON.stringify(def));
    if (probe.status === 404) {
      t.diagnostic('server does not serve namespaces/NAME/finalize (404): namespace removal not checked');
      return;
    }
    await until('namespace gone', async () => (await client.raw('GET', '/api/v1/namespaces/doomed')).status === 404);
    console.log(`# namespace with a 2-replica deployment deleted in ${Date.now() - started} ms`);
    const got = await s.kubectl(['get', 'namespace', 'doomed']);
    assert.notEqual(got.code, 0);
    assert.match(got.stderr, /NotFound|not found/);
  });
});

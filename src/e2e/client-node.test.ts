// The official JavaScript client (@kubernetes/client-node 1.x) against tutti server: list, informer watch,
// patch, and server-side apply through KubernetesObjectApi.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as k8s from '@kubernetes/client-node';
import { type TestServer, startTestServer } from './harness.js';

describe('@kubernetes/client-node', () => {
  let s: TestServer;
  let kc: k8s.KubeConfig;
  before(async () => {
    s = await startTestServer();
    kc = new k8s.KubeConfig();
    kc.loadFromFile(s.kubeconfig);
  });
  after(async () => {
    await s?.stop();
  });

  it('lists namespaces and creates configmaps', async () => {
    const core = kc.makeApiClient(k8s.CoreV1Api);
    const nss = await core.listNamespace();
    assert.ok(nss.items.some((n) => n.metadata?.name === 'kube-system'));
    const created = await core.createNamespacedConfigMap({
      namespace: 'default',
      body: { metadata: { name: 'js' }, data: { a: '1' } },
    });
    assert.ok(created.metadata?.uid);
    const list = await core.listNamespacedConfigMap({ namespace: 'default' });
    assert.ok(list.items.some((c) => c.metadata?.name === 'js'));
  });

  it('watches with an informer', async () => {
    const core = kc.makeApiClient(k8s.CoreV1Api);
    const informer = k8s.makeInformer(kc, '/api/v1/namespaces/default/configmaps', () =>
      core.listNamespacedConfigMap({ namespace: 'default' }),
    );
    const added: string[] = [];
    const updated: string[] = [];
    const deleted: string[] = [];
    informer.on('add', (o) => added.push(o.metadata!.name!));
    informer.on('update', (o) => updated.push(o.metadata!.name!));
    informer.on('delete', (o) => deleted.push(o.metadata!.name!));
    await informer.start();
    try {
      await core.createNamespacedConfigMap({
        namespace: 'default',
        body: { metadata: { name: 'inf' }, data: { a: '1' } },
      });
      await core.patchNamespacedConfigMap(
        { namespace: 'default', name: 'inf', body: { data: { a: '2' } } },
        k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
      );
      await core.deleteNamespacedConfigMap({ namespace: 'default', name: 'inf' });
      const end = Date.now() + 10_000;
      while (!(added.includes('inf') && updated.includes('inf') && deleted.includes('inf'))) {
        if (Date.now() > end) throw new Error(`informer saw added=${added} updated=${updated} deleted=${deleted}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      const cache = informer as unknown as k8s.ObjectCache<k8s.V1ConfigMap>;
      assert.ok(cache.list().every((o) => o.metadata?.name !== 'inf'));
    } finally {
      await informer.stop();
    }
  });

  it('patches a deployment and applies server-side', async () => {
    const objects = k8s.KubernetesObjectApi.makeApiClient(kc);
    const spec = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'js-app', namespace: 'default' },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: 'js' } },
        template: { metadata: { labels: { app: 'js' } }, spec: { containers: [{ name: 'c', image: 'busybox:1.35' }] } },
      },
    };
    await objects.patch(spec, undefined, undefined, 'js-client', true, k8s.PatchStrategy.ServerSideApply);
    spec.spec.replicas = 3;
    const applied = (await objects.patch(
      spec,
      undefined,
      undefined,
      'js-client',
      true,
      k8s.PatchStrategy.ServerSideApply,
    )) as typeof spec;
    assert.equal(applied.spec.replicas, 3);
    const apps = kc.makeApiClient(k8s.AppsV1Api);
    await apps.patchNamespacedDeployment(
      {
        namespace: 'default',
        name: 'js-app',
        body: { spec: { template: { spec: { containers: [{ name: 'c', image: 'busybox:1.36' }] } } } },
      },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.StrategicMergePatch),
    );
    const got = await apps.readNamespacedDeployment({ namespace: 'default', name: 'js-app' });
    assert.equal(got.spec?.template.spec?.containers[0].image, 'busybox:1.36');
    assert.equal(got.spec?.replicas, 3);
  });
});

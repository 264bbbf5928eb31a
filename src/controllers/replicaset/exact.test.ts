// Issue 12: a ReplicaSet scaled from 0 to N creates exactly N pods, also when the API is slow to answer
// (the informer sees a pod before its create returns, and answers come back in any order): the
// expectations are exact, so no sync creates a pod twice. Against the client's fake API server.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { ApiClient, type WriteOptions } from '../../client/index.js';
import { FakeApiServer } from '../../client/testing/fake-server.js';
import type { KubeObject } from '../../core/index.js';
import { newControllerContext } from '../context.js';
import { startReplicaSetController } from './controller.js';

/** Every create answers 0-150 ms late, after the server has stored (and watchers seen) the object. */
class SlowClient extends ApiClient {
  override async create<T extends KubeObject = KubeObject>(path: string, body: T, opts?: WriteOptions): Promise<T> {
    const created = await super.create<T>(path, body, opts);
    await sleep(Math.floor(Math.random() * 150));
    return created;
  }
}

test('scaling 0 -> 1200 under a slow API creates exactly 1200 pods', async () => {
  const server = await FakeApiServer.start({ record: false });
  const client = new SlowClient({ server: server.url });
  const ctx = newControllerContext(client, { log: () => {} });
  // A small burst, so several syncs (each waiting for its expectations) make up the whole.
  const rc = startReplicaSetController(ctx, { burstReplicas: 250, createWindow: 32 });
  ctx.informers.start();
  const reader = new ApiClient({ server: server.url });
  try {
    const rs = {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name: 'web', namespace: 'default', uid: 'rs-uid' },
      spec: {
        replicas: 0,
        selector: { matchLabels: { app: 'web' } },
        template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } },
      },
    } as KubeObject;
    server.put('apps', 'replicasets', rs);
    await sleep(300);
    server.put('apps', 'replicasets', {
      ...rs,
      spec: { ...(rs as unknown as { spec: object }).spec, replicas: 1200 },
    } as KubeObject);
    const count = async () => (await reader.list('/api/v1/namespaces/default/pods')).items.length;
    const deadline = Date.now() + 60_000;
    while ((await count()) < 1200 && Date.now() < deadline) await sleep(200);
    // Settle: every sync that could still act has its chance.
    await sleep(1500);
    assert.equal(await count(), 1200);
  } finally {
    await rc.stop();
    ctx.informers.stop();
    client.close();
    reader.close();
    await server.stop();
  }
});

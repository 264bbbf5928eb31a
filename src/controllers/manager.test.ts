// The manager's controller table: the HPA controller is a default entry; the cluster autoscaler
// (`clusterautoscaler`) starts only when given providers, and then watches its node-group ConfigMap.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { ApiClient } from '../client/index.js';
import { FakeApiServer } from '../client/testing/fake-server.js';
import { newControllerContext } from './context.js';
import { CONTROLLER_NAMES, type ControllerManagerOptions, startControllers } from './manager.js';

async function configMapRequests(opts: ControllerManagerOptions): Promise<number> {
  const server = await FakeApiServer.start();
  const client = new ApiClient({ server: server.url });
  const ctx = newControllerContext(client, { log: () => {} });
  const running = startControllers(ctx, {
    ...opts,
    disable: CONTROLLER_NAMES.filter((n) => n !== 'clusterautoscaler'),
  });
  try {
    const deadline = Date.now() + 2000;
    const count = () => server.requests.filter((r) => r.path.includes('/configmaps')).length;
    while (count() === 0 && Date.now() < deadline) await sleep(50);
    return count();
  } finally {
    await running.stop();
    client.close();
    await server.stop();
  }
}

test('the manager knows the HPA controller and the cluster autoscaler', () => {
  assert.ok(CONTROLLER_NAMES.includes('horizontalpodautoscaling'));
  assert.ok(CONTROLLER_NAMES.includes('clusterautoscaler'));
});

test('clusterautoscaler is off without providers and on with them', async () => {
  assert.equal(await configMapRequests({}), 0);
  assert.equal(await configMapRequests({ clusterAutoscaler: { providers: {} } }), 0);
  assert.ok((await configMapRequests({ clusterAutoscaler: { providers: { sim: { type: 'simulated' } } } })) > 0);
});

// The node reporter against a real API server: an unchanged status is not posted again until the report
// period runs out (upstream's nodeStatusReportFrequency); a changed one is posted at the next computation.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ApiClient } from '../../client/index.js';
import type { Node } from '../../core/types.js';
import { startTestServer, type TestServer } from '../../e2e/harness.js';
import { fixtureFacts } from './fixture-facts.js';
import { NodeReporter, statusKey } from './node-reporter.js';

let server: TestServer;
let client: ApiClient;

before(async () => {
  server = await startTestServer();
  client = new ApiClient({ server: server.url, caPem: server.caPem, token: server.token });
});
after(async () => {
  await server?.stop();
});

const facts = fixtureFacts({ name: 'reporter-0', hostname: 'reporter-0' });

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const readyHeartbeat = (n: Node) => n.status?.conditions?.find((c) => c.type === 'Ready')?.lastHeartbeatTime;

test('an unchanged node status is posted only once per report period; a change is posted at once', async () => {
  const current = { ...facts };
  const reporter = new NodeReporter({
    client,
    name: facts.name,
    facts: async () => ({ ...current }),
    log: () => {},
    leaseIntervalMs: 60_000,
    statusIntervalMs: 100,
    statusReportMs: 2500,
  });
  try {
    await reporter.register();
    await reporter.updateStatus(true);
    const first = await client.get<Node>(`/api/v1/nodes/${facts.name}`);
    reporter.start();

    // Ten computations with nothing changed: no write (heartbeat times are not a change).
    await sleep(1100);
    const quiet = await client.get<Node>(`/api/v1/nodes/${facts.name}`);
    assert.equal(quiet.metadata.resourceVersion, first.metadata.resourceVersion, 'unchanged status was posted');

    current.memoryPressure = true;
    await sleep(600);
    const changed = await client.get<Node>(`/api/v1/nodes/${facts.name}`);
    const mp = changed.status?.conditions?.find((c) => c.type === 'MemoryPressure');
    assert.equal(mp?.status, 'True', 'a changed condition was not posted at the next computation');

    // Past the report period, the same status is posted again as a heartbeat.
    await sleep(2900);
    const later = await client.get<Node>(`/api/v1/nodes/${facts.name}`);
    assert.notEqual(later.metadata.resourceVersion, changed.metadata.resourceVersion);
    assert.ok(readyHeartbeat(later)! > readyHeartbeat(changed)!, 'heartbeat time did not advance');
  } finally {
    reporter.stop();
  }
});

test('statusKey leaves out heartbeat times and nothing else', () => {
  const cond = { type: 'Ready', status: 'True', lastHeartbeatTime: 'a', lastTransitionTime: 't' };
  const a = statusKey({ conditions: [cond], capacity: { cpu: '2' } });
  assert.equal(a, statusKey({ conditions: [{ ...cond, lastHeartbeatTime: 'b' }], capacity: { cpu: '2' } }));
  assert.notEqual(a, statusKey({ conditions: [{ ...cond, lastTransitionTime: 'u' }], capacity: { cpu: '2' } }));
  assert.notEqual(a, statusKey({ conditions: [cond], capacity: { cpu: '4' } }));
});

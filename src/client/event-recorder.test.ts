import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { KubeObject } from '../core/types.js';
import { ApiClient } from './api-client.js';
import { FakeClock } from './clock.js';
import { type CoreEvent, EventRecorder } from './event-recorder.js';
import { FakeApiServer } from './testing/fake-server.js';

describe('EventRecorder', () => {
  let server: FakeApiServer;
  let client: ApiClient;
  before(async () => {
    server = await FakeApiServer.start();
    client = new ApiClient({ server: server.url });
  });
  after(async () => {
    client.close();
    await server.stop();
  });

  const pod: KubeObject = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web-1', namespace: 'shop', uid: 'uid-1', resourceVersion: '7' },
  };
  const events = async () => (await client.list<CoreEvent>('/api/v1/namespaces/shop/events')).items;

  it('creates an Event with the object reference, source and timestamps', async () => {
    const clock = new FakeClock(Date.parse('2025-01-02T03:04:05Z'));
    const rec = new EventRecorder({ client, component: 'kubelet', host: 'node-1', clock });
    await rec.event(pod, 'Normal', 'Scheduled', 'assigned to node-1');
    const [ev] = (await events()).filter((e) => e.reason === 'Scheduled');
    assert.ok(ev);
    assert.deepEqual(ev.involvedObject, {
      apiVersion: 'v1',
      kind: 'Pod',
      namespace: 'shop',
      name: 'web-1',
      uid: 'uid-1',
      resourceVersion: '7',
    });
    assert.equal(ev.type, 'Normal');
    assert.deepEqual(ev.source, { component: 'kubelet', host: 'node-1' });
    assert.equal(ev.count, 1);
    assert.equal(ev.firstTimestamp, '2025-01-02T03:04:05Z');
    assert.equal(ev.lastTimestamp, '2025-01-02T03:04:05Z');
    assert.match(ev.metadata.name!, /^web-1\.[0-9a-f]+$/);
  });

  it('aggregates repeats into one Event by patching count and lastTimestamp', async () => {
    const clock = new FakeClock(Date.parse('2025-01-02T00:00:00Z'));
    const rec = new EventRecorder({ client, component: 'kubelet', clock });
    const restarted = { ...pod, metadata: { ...pod.metadata, resourceVersion: '8' } };
    await rec.event(pod, 'Warning', 'BackOff', 'Back-off restarting failed container');
    clock.advance(10_000);
    await rec.event(restarted, 'Warning', 'BackOff', 'Back-off restarting failed container');
    // Concurrent repeats must not race into two creates.
    clock.advance(10_000);
    await Promise.all([
      rec.event(pod, 'Warning', 'BackOff', 'Back-off restarting failed container'),
      rec.event(pod, 'Warning', 'BackOff', 'Back-off restarting failed container'),
    ]);
    const backoffs = (await events()).filter((e) => e.reason === 'BackOff');
    assert.equal(backoffs.length, 1);
    assert.equal(backoffs[0]!.count, 4);
    assert.equal(backoffs[0]!.firstTimestamp, '2025-01-02T00:00:00Z');
    assert.equal(backoffs[0]!.lastTimestamp, '2025-01-02T00:00:20Z');
    const patches = server.requests.filter((r) => r.method === 'PATCH');
    assert.equal(patches.length, 3);
    assert.equal(patches[0]!.contentType, 'application/strategic-merge-patch+json');
  });

  it('keeps different reasons or messages apart, and recreates an Event that was deleted', async () => {
    const rec = new EventRecorder({ client, component: 'scheduler' });
    await rec.event(pod, 'Warning', 'FailedScheduling', '0/3 nodes available');
    await rec.event(pod, 'Warning', 'FailedScheduling', '0/4 nodes available');
    const failed = () => events().then((l) => l.filter((e) => e.reason === 'FailedScheduling'));
    assert.equal((await failed()).length, 2);
    for (const e of await failed()) server.remove('', 'events', 'shop', e.metadata.name!);
    await rec.event(pod, 'Warning', 'FailedScheduling', '0/3 nodes available');
    const again = await failed();
    assert.equal(again.length, 1);
    assert.equal(again[0]!.count, 1);
  });

  it('puts events about cluster-scoped objects in default, and never throws when the server fails', async () => {
    const logged: string[] = [];
    const rec = new EventRecorder({ client, component: 'node-controller', log: (m) => logged.push(m) });
    const node: KubeObject = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-1', uid: 'n1' } };
    await rec.event(node, 'Normal', 'NodeReady', 'Node node-1 status is now: NodeReady');
    const inDefault = await client.list<CoreEvent>('/api/v1/namespaces/default/events');
    assert.equal(inDefault.items.filter((e) => e.reason === 'NodeReady').length, 1);
    server.fault = () => 500;
    try {
      await rec.event(node, 'Normal', 'Other', 'x');
    } finally {
      server.fault = undefined;
    }
    assert.equal(logged.length, 1);
  });

  it('combines similar events: the tenth different message of one reason starts a "combined from similar events" Event', async () => {
    const clock = new FakeClock(Date.parse('2025-03-01T00:00:00Z'));
    const rec = new EventRecorder({ client, component: 'replicaset-controller', clock });
    const rs: KubeObject = {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name: 'big', namespace: 'shop', uid: 'rs-1' },
    };
    for (let i = 1; i <= 15; i++) {
      clock.advance(100);
      await rec.event(rs, 'Normal', 'SuccessfulCreate', `Created pod: big-${i}`);
    }
    const created = (await events()).filter((e) => e.reason === 'SuccessfulCreate');
    const single = created.filter((e) => !e.message!.startsWith('(combined'));
    const combined = created.filter((e) => e.message!.startsWith('(combined from similar events): '));
    assert.equal(single.length, 9);
    assert.deepEqual(
      single.map((e) => e.count),
      Array(9).fill(1),
    );
    assert.equal(combined.length, 1);
    assert.equal(combined[0]!.count, 6);
    assert.equal(combined[0]!.message, '(combined from similar events): Created pod: big-15');
  });

  it('drops events past the spam filter (25 per object, one more per 5 minutes) and counts them on the next write', async () => {
    const clock = new FakeClock(Date.parse('2025-04-01T00:00:00Z'));
    const rec = new EventRecorder({ client, component: 'kubelet', host: 'node-2', clock });
    const noisy: KubeObject = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'noisy', namespace: 'shop', uid: 'p-9' },
    };
    const writes = () => server.requests.filter((r) => r.method !== 'GET' && r.path.includes('/events')).length;
    const before = writes();
    for (let i = 0; i < 30; i++) await rec.event(noisy, 'Warning', 'BackOff', 'Back-off restarting failed container');
    assert.equal(writes() - before, 25);
    const backoff = async () => (await events()).filter((e) => e.involvedObject.name === 'noisy');
    assert.equal((await backoff())[0]!.count, 25);
    clock.advance(300_000);
    await rec.event(noisy, 'Warning', 'BackOff', 'Back-off restarting failed container');
    assert.equal(writes() - before, 26);
    const [ev] = await backoff();
    assert.equal(ev!.count, 31);
    // A Normal event of the same object has its own bucket (upstream's spam key holds the type).
    await rec.event(noisy, 'Normal', 'Pulled', 'image pulled');
    assert.equal(writes() - before, 27);
  });
});

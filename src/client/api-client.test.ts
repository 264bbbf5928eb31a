import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { KubeObject } from '../core/types.js';
import { ApiClient } from './api-client.js';
import { ApiError } from './errors.js';
import { resourcePath } from './paths.js';
import { FakeApiServer } from './testing/fake-server.js';
import { waitFor } from './testing/wait.js';
import type { WatchEvent } from './watch-decoder.js';

const configMaps = { group: '', version: 'v1', resource: 'configmaps', namespaced: true };
const cm = (name: string, data: Record<string, string> = {}, labels?: Record<string, string>): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: 'default', labels },
  data,
});

describe('ApiClient', () => {
  let server: FakeApiServer;
  let client: ApiClient;
  before(async () => {
    server = await FakeApiServer.start();
    client = new ApiClient({ server: server.url, token: 'abc', userAgent: 'tutti-test' });
  });
  after(async () => {
    client.close();
    await server.stop();
  });
  const coll = resourcePath(configMaps, { namespace: 'default' });
  const one = (name: string) => resourcePath(configMaps, { namespace: 'default', name });

  it('creates, gets, updates and sends auth and user agent', async () => {
    const created = await client.create(coll, cm('a', { k: '1' }), { fieldManager: 'test' });
    assert.ok(created.metadata.resourceVersion);
    assert.ok(created.metadata.uid);
    const req = server.requests.at(-1)!;
    assert.equal(req.method, 'POST');
    assert.equal(req.query.get('fieldManager'), 'test');
    assert.equal(req.userAgent, 'tutti-test');
    const got = await client.get(one('a'));
    assert.deepEqual(got['data'], { k: '1' });
    const updated = await client.update(one('a'), { ...got, data: { k: '2' } });
    assert.notEqual(updated.metadata.resourceVersion, got.metadata.resourceVersion);
  });

  it('throws ApiError carrying the Status on 404, 409 AlreadyExists and 409 Conflict', async () => {
    await assert.rejects(client.get(one('missing')), (e: unknown) => {
      assert.ok(e instanceof ApiError);
      assert.equal(e.code, 404);
      assert.equal(e.reason, 'NotFound');
      assert.equal(e.status.message, 'configmaps "missing" not found');
      return true;
    });
    await client.create(coll, cm('dup'));
    await assert.rejects(client.create(coll, cm('dup')), { code: 409, reason: 'AlreadyExists' });
    const stale = await client.get(one('dup'));
    await client.update(one('dup'), { ...stale, data: { x: '1' } });
    await assert.rejects(client.update(one('dup'), { ...stale, data: { x: '2' } }), { code: 409, reason: 'Conflict' });
  });

  it('synthesises a Status when the error body is not one', async () => {
    const prev = server.fault;
    server.fault = () => 503;
    try {
      await assert.rejects(client.get(one('a')), { code: 503 });
    } finally {
      server.fault = prev;
    }
  });

  it('lists with selectors and pages with limit/continue', async () => {
    for (let i = 0; i < 5; i++) await client.create(coll, cm(`page-${i}`, {}, { app: i % 2 ? 'odd' : 'even' }));
    const even = await client.list(coll, { labelSelector: 'app=even' });
    assert.deepEqual(
      even.items.map((o) => o.metadata.name),
      ['page-0', 'page-2', 'page-4'],
    );
    assert.ok(even.metadata.resourceVersion);
    const first = await client.list(coll, { labelSelector: 'app', limit: 2 });
    assert.equal(first.items.length, 2);
    assert.ok(first.metadata.continue);
    const second = await client.list(coll, { labelSelector: 'app', limit: 2, continue: first.metadata.continue });
    const third = await client.list(coll, { labelSelector: 'app', limit: 2, continue: second.metadata.continue });
    assert.equal(third.metadata.continue, undefined);
    assert.equal(first.items.length + second.items.length + third.items.length, 5);
    const byName = await client.list(coll, { fieldSelector: 'metadata.name=page-3' });
    assert.equal(byName.items.length, 1);
  });

  it('patches with each content type and passes fieldManager and force', async () => {
    await client.create(coll, cm('p', { a: '1', b: '2' }));
    const merged = await client.patch(one('p'), { data: { b: null, c: '3' } }, 'merge');
    assert.deepEqual(merged['data'], { a: '1', c: '3' });
    assert.equal(server.requests.at(-1)!.contentType, 'application/merge-patch+json');
    await client.patch(one('p'), { data: { d: '4' } }, 'strategic', { fieldManager: 'kubectl-edit' });
    assert.equal(server.requests.at(-1)!.contentType, 'application/strategic-merge-patch+json');
    assert.equal(server.requests.at(-1)!.query.get('fieldManager'), 'kubectl-edit');
    const jp = await client.patch(one('p'), [{ op: 'replace', path: '/data/a', value: 'z' }], 'json');
    assert.equal((jp['data'] as Record<string, string>)['a'], 'z');
    assert.equal(server.requests.at(-1)!.contentType, 'application/json-patch+json');
    await assert.rejects(client.patch(one('p'), {}, 'apply', { fieldManager: 'me', force: true }), { code: 415 });
    const req = server.requests.at(-1)!;
    assert.equal(req.contentType, 'application/apply-patch+yaml');
    assert.equal(req.query.get('force'), 'true');
    assert.equal(req.query.get('fieldManager'), 'me');
  });

  it('updates status on the status subresource', async () => {
    const o = await client.create(coll, { ...cm('s'), status: { phase: 'A' } });
    await client.updateStatus(one('s'), { ...o, status: { phase: 'B' } });
    assert.equal(server.requests.at(-1)!.path, '/api/v1/namespaces/default/configmaps/s/status');
    assert.deepEqual((await client.get(one('s')))['status'], { phase: 'B' });
  });

  it('deletes with DeleteOptions and honours preconditions', async () => {
    const o = await client.create(coll, cm('d'));
    await assert.rejects(client.delete(one('d'), { preconditions: { uid: 'wrong' } }), { code: 409 });
    await client.delete(one('d'), {
      propagationPolicy: 'Foreground',
      gracePeriodSeconds: 0,
      preconditions: { uid: o.metadata.uid },
    });
    const body = JSON.parse(server.requests.at(-1)!.body) as Record<string, unknown>;
    assert.equal(body['kind'], 'DeleteOptions');
    assert.equal(body['propagationPolicy'], 'Foreground');
    assert.equal(body['gracePeriodSeconds'], 0);
    await assert.rejects(client.get(one('d')), { code: 404 });
  });

  it('streams watch events from a resourceVersion and stops on request', async () => {
    const start = server.currentResourceVersion();
    const events: WatchEvent[] = [];
    let closedWith: Error | undefined | 'open' = 'open';
    const handle = client.watch(
      coll,
      { resourceVersion: start },
      (e) => events.push(e),
      (err) => {
        closedWith = err;
      },
    );
    await client.create(coll, cm('w1'));
    await client.patch(one('w1'), { data: { x: 'y' } }, 'merge');
    await client.delete(one('w1'));
    await waitFor(() => events.length === 3);
    assert.deepEqual(
      events.map((e) => e.type),
      ['ADDED', 'MODIFIED', 'DELETED'],
    );
    handle.stop();
    await handle.closed;
    assert.equal(closedWith, undefined);
    await waitFor(() => server.openWatches() === 0);
  });

  it('reports a watch the server ends, and an ERROR event for an expired resourceVersion', async () => {
    let closed = false;
    const h = client.watch(
      coll,
      { resourceVersion: server.currentResourceVersion() },
      () => {},
      (err) => {
        assert.equal(err, undefined);
        closed = true;
      },
    );
    await waitFor(() => server.openWatches() === 1);
    server.closeWatches();
    await h.closed;
    assert.ok(closed);

    await client.create(coll, cm('before-compact'));
    const old = String(Number(server.currentResourceVersion()) - 1);
    server.compact();
    const events: WatchEvent[] = [];
    const h2 = client.watch(
      coll,
      { resourceVersion: old },
      (e) => events.push(e),
      () => {},
    );
    await h2.closed;
    assert.equal(events.length, 1);
    const ev = events[0]!;
    assert.equal(ev.type, 'ERROR');
    assert.equal(ev.type === 'ERROR' && ev.object.code, 410);
  });

  it('keeps a path prefix of the server URL', async () => {
    const prefixed = new ApiClient({ server: `${server.url}/` });
    await prefixed.get(one('a'));
    assert.equal(server.requests.at(-1)!.path, '/api/v1/namespaces/default/configmaps/a');
    prefixed.close();
  });
});

import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { KubeObject } from '../core/types.js';
import { ApiClient } from './api-client.js';
import { Informer } from './informer.js';
import { FakeApiServer, type RecordedRequest } from './testing/fake-server.js';
import { waitFor } from './testing/wait.js';

const pods = { group: '', version: 'v1', resource: 'pods', namespaced: true };
const pod = (name: string, namespace = 'default', nodeName = '', labels?: Record<string, string>): KubeObject => ({
  metadata: { name, namespace, labels },
  spec: { nodeName },
});

type Seen = { type: 'add' | 'update' | 'delete'; key: string; rv?: string };

describe('Informer', () => {
  let server: FakeApiServer;
  let client: ApiClient;
  let informer: Informer | undefined;
  beforeEach(async () => {
    server = await FakeApiServer.start();
    client = new ApiClient({ server: server.url });
  });
  afterEach(async () => {
    informer?.stop();
    informer = undefined;
    client.close();
    await server.stop();
  });

  function start(opts: Partial<ConstructorParameters<typeof Informer>[0]> = {}) {
    const seen: Seen[] = [];
    const inf = new Informer({
      client,
      resource: pods,
      pageSize: 2,
      watchTimeoutSeconds: 60,
      backoffInitialMs: 10,
      backoffMaxMs: 50,
      indexers: { byNode: (o) => [String((o['spec'] as { nodeName?: string } | undefined)?.nodeName ?? '')] },
      ...opts,
    });
    inf.addEventHandler({
      onAdd: (o) => seen.push({ type: 'add', key: `${o.metadata.namespace}/${o.metadata.name}` }),
      onUpdate: (old, o) => {
        assert.notEqual(old.metadata.resourceVersion, o.metadata.resourceVersion);
        seen.push({
          type: 'update',
          key: `${o.metadata.namespace}/${o.metadata.name}`,
          rv: o.metadata.resourceVersion,
        });
      },
      onDelete: (o) => seen.push({ type: 'delete', key: `${o.metadata.namespace}/${o.metadata.name}` }),
    });
    informer = inf;
    inf.start();
    return { inf, seen };
  }

  const lists = (): RecordedRequest[] =>
    server.requests.filter((r) => r.method === 'GET' && r.query.get('watch') !== 'true');
  const watches = (): RecordedRequest[] => server.requests.filter((r) => r.query.get('watch') === 'true');

  it('drops managedFields from what it caches, listed or watched, unless asked to keep them', async () => {
    const managed = (name: string) => ({
      ...pod(name),
      metadata: { name, namespace: 'default', managedFields: [{ manager: 'kubectl', operation: 'Update' }] },
    });
    server.put('', 'pods', managed('listed'));
    const { inf } = start();
    assert.equal(await inf.waitForSync(), true);
    await waitFor(() => server.openWatches() === 1);
    server.put('', 'pods', managed('watched'));
    await waitFor(() => inf.get('default/watched') !== undefined);
    assert.equal(inf.get('default/listed')!.metadata.managedFields, undefined);
    assert.equal(inf.get('default/watched')!.metadata.managedFields, undefined);
    inf.stop();
    const kept = new Informer({ client, resource: pods, keepManagedFields: true });
    kept.start();
    assert.equal(await kept.waitForSync(), true);
    assert.equal(kept.get('default/listed')!.metadata.managedFields?.[0]?.manager, 'kubectl');
    kept.stop();
  });

  it('lists in pages, syncs, indexes, and hands add/update/delete to handlers', async () => {
    for (let i = 0; i < 5; i++)
      server.put('', 'pods', pod(`p${i}`, i < 3 ? 'default' : 'kube-system', i % 2 ? 'node-a' : 'node-b'));
    const { inf, seen } = start();
    assert.equal(await inf.waitForSync(), true);
    assert.ok(inf.hasSynced());
    assert.equal(lists().length, 3, '5 objects in pages of 2');
    assert.equal(inf.list().length, 5);
    assert.equal(inf.list()[0]!.kind, 'Pod', 'list items get their kind filled in');
    assert.equal(inf.byIndex('namespace', 'kube-system').length, 2);
    assert.deepEqual(
      inf
        .byIndex('byNode', 'node-a')
        .map((o) => o.metadata.name)
        .sort(),
      ['p1', 'p3'],
    );

    await waitFor(() => server.openWatches() === 1);
    const w = watches()[0]!;
    assert.equal(w.query.get('resourceVersion'), inf.lastSyncResourceVersion());
    assert.equal(w.query.get('allowWatchBookmarks'), 'true');
    assert.equal(w.query.get('timeoutSeconds'), '60');

    seen.length = 0;
    server.put('', 'pods', pod('p1', 'default', 'node-b'));
    server.put('', 'pods', pod('p9'));
    server.remove('', 'pods', 'default', 'p0');
    await waitFor(() => seen.length === 3);
    assert.deepEqual(
      seen.map((s) => `${s.type} ${s.key}`),
      ['update default/p1', 'add default/p9', 'delete default/p0'],
    );
    assert.equal(inf.get('default/p0'), undefined);
    assert.deepEqual(
      inf.byIndex('byNode', 'node-a').map((o) => o.metadata.name),
      ['p3'],
      'index follows updates',
    );
  });

  it('re-watches from the last seen resourceVersion when the server closes the stream, without relisting', async () => {
    server.put('', 'pods', pod('a'));
    const { inf, seen } = start();
    await inf.waitForSync();
    await waitFor(() => server.openWatches() === 1);
    server.put('', 'pods', pod('b'));
    await waitFor(() => inf.get('default/b') !== undefined);
    const lastRV = inf.lastSyncResourceVersion();
    server.closeWatches();
    await waitFor(() => watches().length === 2 && server.openWatches() === 1);
    assert.equal(watches()[1]!.query.get('resourceVersion'), lastRV);
    server.put('', 'pods', pod('c'));
    await waitFor(() => inf.get('default/c') !== undefined);
    assert.equal(lists().length, 1, 'no relist');
    assert.deepEqual(
      seen.map((s) => `${s.type} ${s.key}`),
      ['add default/a', 'add default/b', 'add default/c'],
    );
  });

  it('watches again at once, from where it got to, when a stream that delivered events breaks', async () => {
    server.put('', 'pods', pod('a'));
    // A back-off far longer than the test waits: only a re-watch without one can pass.
    const { inf } = start({ backoffInitialMs: 60_000, backoffMaxMs: 60_000 });
    await inf.waitForSync();
    await waitFor(() => server.openWatches() === 1);
    for (const round of [1, 2, 3]) {
      server.put('', 'pods', pod(`p${round}`));
      await waitFor(() => inf.get(`default/p${round}`) !== undefined);
      const lastRV = inf.lastSyncResourceVersion();
      // The API server drops a watcher that fell behind: the stream breaks, with no clean end.
      server.dropWatches();
      await waitFor(() => watches().length === round + 1 && server.openWatches() === 1, 5000);
      assert.equal(watches()[round]!.query.get('resourceVersion'), lastRV);
    }
    assert.equal(lists().length, 1, 'no relist');
  });

  it('relists after a 410 Expired ERROR event and reconciles the cache', async () => {
    server.put('', 'pods', pod('keep'));
    server.put('', 'pods', pod('gone'));
    const { inf, seen } = start();
    await inf.waitForSync();
    await waitFor(() => server.openWatches() === 1);
    // Hold the informer off while the world changes and history is compacted.
    server.fault = (r) => (r.query.get('watch') === 'true' ? 503 : undefined);
    server.closeWatches();
    await waitFor(() => watches().length >= 2);
    server.put('', 'pods', pod('keep', 'default', 'node-x'));
    server.remove('', 'pods', 'default', 'gone');
    server.put('', 'pods', pod('new'));
    server.compact();
    seen.length = 0;
    server.fault = undefined;
    await waitFor(() => lists().length === 2 && server.openWatches() === 1);
    await waitFor(() => seen.length === 3);
    assert.deepEqual(seen.map((s) => `${s.type} ${s.key}`).sort(), [
      'add default/new',
      'delete default/gone',
      'update default/keep',
    ]);
    assert.deepEqual(inf.cache.keys().sort(), ['default/keep', 'default/new']);
    assert.equal(inf.lastSyncResourceVersion(), server.currentResourceVersion());
  });

  it('relists after a 410 response to the watch request', async () => {
    const { inf } = start();
    await inf.waitForSync();
    await waitFor(() => server.openWatches() === 1);
    let failures = 0;
    server.fault = (r) => (r.query.get('watch') === 'true' && failures++ === 0 ? 410 : undefined);
    server.closeWatches();
    await waitFor(() => lists().length === 2 && server.openWatches() === 1);
  });

  it('backs off and retries a failing LIST, then syncs', async () => {
    let failures = 0;
    server.fault = (r) => (r.method === 'GET' && failures++ < 3 ? 500 : undefined);
    const { inf } = start();
    assert.equal(await inf.waitForSync(), true);
    assert.equal(failures, 4);
  });

  it('honours a label selector: objects that stop matching are deleted from the cache', async () => {
    server.put('', 'pods', pod('web', 'default', '', { app: 'web' }));
    server.put('', 'pods', pod('db', 'default', '', { app: 'db' }));
    const { inf, seen } = start({ labelSelector: 'app=web' });
    await inf.waitForSync();
    assert.deepEqual(inf.cache.keys(), ['default/web']);
    await waitFor(() => server.openWatches() === 1);
    server.put('', 'pods', pod('web', 'default', '', { app: 'other' }));
    await waitFor(() => inf.cache.size === 0);
    assert.deepEqual(seen.at(-1), { type: 'delete', key: 'default/web' });
  });

  it('advances its resourceVersion on bookmarks', async () => {
    const { inf } = start();
    await inf.waitForSync();
    await waitFor(() => server.openWatches() === 1);
    server.put('', 'other', { metadata: { name: 'x' } });
    assert.notEqual(inf.lastSyncResourceVersion(), server.currentResourceVersion());
    server.sendBookmarks();
    await waitFor(() => inf.lastSyncResourceVersion() === server.currentResourceVersion());
  });

  it('replays the cache to a late handler, and waitForSync is false when stopped first', async () => {
    server.put('', 'pods', pod('a'));
    const { inf } = start();
    await inf.waitForSync();
    const late: string[] = [];
    inf.addEventHandler({ onAdd: (o) => late.push(o.metadata.name ?? '') });
    assert.deepEqual(late, ['a']);

    server.fault = () => 500;
    const stuck = new Informer({ client, resource: pods, backoffInitialMs: 10 });
    stuck.start();
    const pending = stuck.waitForSync();
    stuck.stop();
    assert.equal(await pending, false);
  });
});

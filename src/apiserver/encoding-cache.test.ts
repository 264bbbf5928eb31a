// Issue 12: LIST and WATCH write each object's cached encoding (the stored JSON with its resourceVersion
// spliced in, encoded once while the object is unchanged) instead of parse → object → JSON. The result must
// be what the slow path gives, for every object, in every served version; a change re-encodes only what changed.
import assert from 'node:assert/strict';
import { request } from 'node:https';
import { after, before, describe, it } from 'node:test';
import type { KubeObject } from '../core/types.js';
import { prefixEnd } from '../storage/store.js';
import { decodeKv, decodeStats } from './objects.js';
import { encodingStats } from './pipeline/index.js';
import { type TestServer, startTestServer } from './test-harness.js';

const PODS = 60;

function pod(name: string, i: number): unknown {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels: { app: 'enc', parity: i % 2 ? 'odd' : 'even' }, annotations: { note: 'é ✓ "q"' } },
    spec: { containers: [{ name: 'main', image: 'busybox:1.35', env: [{ name: 'I', value: String(i) }] }] },
  };
}

function hpa(name: string): unknown {
  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' },
      minReplicas: 1,
      maxReplicas: 5,
      metrics: [
        { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } },
      ],
    },
  };
}

interface List {
  kind: string;
  apiVersion: string;
  metadata: { resourceVersion: string };
  items: KubeObject[];
}

describe('LIST and WATCH from cached encodings', () => {
  let s: TestServer;
  const open: import('node:http').ClientRequest[] = [];
  before(async () => {
    s = await startTestServer();
    for (let i = 0; i < PODS; i++) {
      const r = await s.call('POST', '/api/v1/namespaces/default/pods', pod(`p-${i}`, i));
      assert.equal(r.status, 201, r.body);
    }
  });
  after(async () => {
    for (const r of open) r.destroy();
    await s?.stop();
  });

  const list = async (path: string): Promise<List> => {
    const r = await s.call('GET', path);
    assert.equal(r.status, 200, r.body);
    assert.match(r.headers['content-type'] ?? '', /^application\/json/);
    assert.equal(Number(r.headers['content-length']), Buffer.byteLength(r.body));
    return JSON.parse(r.body) as List;
  };

  /** The slow path: every stored object parsed and given its resourceVersion (what the server decoded before). */
  const storedPods = async (): Promise<KubeObject[]> => {
    const prefix = '/registry/core/pods/';
    const r = await s.store.range({ key: prefix, end: prefixEnd(prefix) });
    return r.kvs.map(decodeKv);
  };

  /** Opens a watch at `path`, its lines pushed to `got` as they arrive; resolves once the response starts. */
  const watchLines = (path: string, got: string[]) =>
    new Promise<void>((resolve, reject) => {
      const req = request(
        {
          hostname: '127.0.0.1',
          port: s.api.port,
          path,
          ca: s.ca,
          agent: false,
          headers: { Authorization: `Bearer ${s.token}` },
        },
        (res) => {
          let buf = '';
          res.on('data', (d: Buffer) => {
            buf += d.toString();
            for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
              got.push(buf.slice(0, i));
              buf = buf.slice(i + 1);
            }
          });
          resolve();
        },
      );
      req.on('error', reject);
      req.end();
      open.push(req);
    });

  it('a LIST through the fast path is what parsing each stored object gives', async () => {
    const fast = await list('/api/v1/pods');
    assert.equal(fast.kind, 'PodList');
    assert.equal(fast.apiVersion, 'v1');
    assert.equal(fast.items.length, PODS);
    assert.deepEqual(fast.items, await storedPods());
    // Through a selector (objects parsed to match, then written from the cached bytes) and paging.
    const even = await list('/api/v1/namespaces/default/pods?labelSelector=parity%3Deven');
    assert.deepEqual(
      even.items,
      (await storedPods()).filter((p) => p.metadata.labels?.parity === 'even'),
    );
    const page = await list('/api/v1/pods?limit=7');
    assert.deepEqual(page.items, (await storedPods()).slice(0, 7));
    // One object: the same bytes as its item in the LIST.
    const one = await s.call('GET', '/api/v1/namespaces/default/pods/p-3');
    assert.deepEqual(
      JSON.parse(one.body),
      fast.items.find((p) => p.metadata.name === 'p-3'),
    );
  });

  it('encodes each object once: a second LIST reuses every encoding, a change re-encodes only its object', async () => {
    await list('/api/v1/pods');
    const before = { ...encodingStats };
    await list('/api/v1/pods');
    assert.equal(encodingStats.encoded - before.encoded, 0);
    assert.equal(encodingStats.reused - before.reused, PODS);

    const patched = await s.call(
      'PATCH',
      '/api/v1/namespaces/default/pods/p-5',
      JSON.stringify({ metadata: { labels: { changed: 'yes' } } }),
      { 'Content-Type': 'application/merge-patch+json' },
    );
    assert.equal(patched.status, 200, patched.body);
    const rv = (JSON.parse(patched.body) as KubeObject).metadata.resourceVersion;
    const mid = { ...encodingStats };
    const l = await list('/api/v1/pods');
    // The PATCH's response may have encoded the new object already; nothing else is encoded again.
    assert.ok(encodingStats.encoded - mid.encoded <= 1, `encoded ${encodingStats.encoded - mid.encoded}`);
    const p5 = l.items.find((p) => p.metadata.name === 'p-5')!;
    assert.equal(p5.metadata.labels?.changed, 'yes');
    assert.equal(p5.metadata.resourceVersion, rv);
    assert.deepEqual(l.items, await storedPods());
  });

  it('selectors read a view of each object made once while it is unchanged, not the object parsed again', async () => {
    const path = '/api/v1/pods?fieldSelector=metadata.name%3Dp-7,metadata.namespace%3Ddefault&labelSelector=app%3Denc';
    const first = await list(path);
    assert.deepEqual(
      first.items,
      (await storedPods()).filter((p) => p.metadata.name === 'p-7'),
    );
    const before = { ...encodingStats };
    const again = await list(path);
    assert.deepEqual(again.items, first.items);
    assert.equal(encodingStats.views - before.views, 0);
    const none = await list('/api/v1/pods?labelSelector=app%3Dother');
    assert.deepEqual(none.items, []);
    assert.equal(encodingStats.views - before.views, 0);
  });

  it('a converted version is cached apart from the storage version', async () => {
    for (const name of ['h-1', 'h-2']) {
      const r = await s.call('POST', '/apis/autoscaling/v2/namespaces/default/horizontalpodautoscalers', hpa(name));
      assert.equal(r.status, 201, r.body);
    }
    for (let round = 0; round < 2; round++) {
      const v2 = await list('/apis/autoscaling/v2/horizontalpodautoscalers');
      const v1 = await list('/apis/autoscaling/v1/horizontalpodautoscalers');
      assert.deepEqual(
        v2.items.map((h) => [h.apiVersion, h.metadata.name]),
        [
          ['autoscaling/v2', 'h-1'],
          ['autoscaling/v2', 'h-2'],
        ],
      );
      assert.deepEqual(
        v1.items.map((h) => [
          h.apiVersion,
          (h as unknown as { spec: { targetCPUUtilizationPercentage?: number } }).spec.targetCPUUtilizationPercentage,
        ]),
        [
          ['autoscaling/v1', 70],
          ['autoscaling/v1', 70],
        ],
      );
      // Each item equals its single GET in the same version.
      for (const [path, l] of [
        ['/apis/autoscaling/v1/namespaces/default/horizontalpodautoscalers/h-1', v1],
        ['/apis/autoscaling/v2/namespaces/default/horizontalpodautoscalers/h-1', v2],
      ] as const) {
        const one = await s.call('GET', path);
        assert.deepEqual(JSON.parse(one.body), l.items[0]);
      }
    }
  });

  it('a watch event is encoded once for all its watchers, each getting the same line', async () => {
    const WATCHERS = 5;
    const start = await list('/api/v1/namespaces/default/pods');
    const lines: string[][] = Array.from({ length: WATCHERS }, () => []);
    await Promise.all(
      lines.map((got, w) =>
        watchLines(
          `/api/v1/namespaces/default/pods?watch=true&resourceVersion=${start.metadata.resourceVersion}${w % 2 ? '&labelSelector=app%3Denc' : ''}`,
          got,
        ),
      ),
    );
    const before = { ...encodingStats };
    const created = await s.call('POST', '/api/v1/namespaces/default/pods', pod('w-1', 1));
    assert.equal(created.status, 201, created.body);
    const deleted = await s.call('DELETE', '/api/v1/namespaces/default/pods/w-1?gracePeriodSeconds=0');
    assert.ok(deleted.status === 200 || deleted.status === 202, deleted.body);
    const deadline = Date.now() + 5000;
    while (lines.some((l) => l.length < 2) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const types = (l: string[]) => l.map((x) => (JSON.parse(x) as { type: string }).type);
    for (const l of lines) assert.deepEqual(types(l).slice(-2), ['ADDED', 'DELETED']);
    for (const l of lines) assert.deepEqual(l, lines[0]);
    const added = JSON.parse(lines[0][0]) as { object: KubeObject };
    assert.deepEqual(added.object, JSON.parse(created.body));
    // The ADDED and the DELETED object: encoded once each (the POST's response is encoded apart), whatever
    // the number of watchers.
    assert.ok(encodingStats.encoded - before.encoded <= 2, `encoded ${encodingStats.encoded - before.encoded}`);
    assert.ok(encodingStats.reused - before.reused >= 2 * (WATCHERS - 1));
  });

  it('the writes after a watched change read the object its watch decoded, instead of parsing it again', async () => {
    // A watch with a field selector (as each node's kubelet has) decodes every pod change once for its view.
    const lines: string[] = [];
    await watchLines('/api/v1/namespaces/default/pods?watch=true&fieldSelector=metadata.name%3Ds-1', lines);
    const seen = async (n: number) => {
      const deadline = Date.now() + 5000;
      while (lines.length < n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      assert.equal(lines.length, n, lines.join('\n'));
      return JSON.parse(lines[n - 1]!) as { type: string; object: KubeObject & { spec: { nodeName?: string } } };
    };
    const created = await s.call('POST', '/api/v1/namespaces/default/pods', pod('s-1', 1));
    assert.equal(created.status, 201, created.body);
    await seen(1);
    const before = { ...decodeStats };
    const bound = await s.call('POST', '/api/v1/namespaces/default/pods/s-1/binding', {
      apiVersion: 'v1',
      kind: 'Binding',
      metadata: { name: 's-1' },
      target: { kind: 'Node', name: 'n-1' },
    });
    assert.equal(bound.status, 201, bound.body);
    const afterBinding = await seen(2);
    assert.equal(afterBinding.object.spec.nodeName, 'n-1');
    const patched = await s.call(
      'PATCH',
      '/api/v1/namespaces/default/pods/s-1/status',
      { status: { phase: 'Running' } },
      { 'Content-Type': 'application/merge-patch+json' },
    );
    assert.equal(patched.status, 200, patched.body);
    const afterPatch = await seen(3);
    assert.equal((afterPatch.object.status as { phase?: string }).phase, 'Running');
    assert.equal(afterPatch.object.spec.nodeName, 'n-1');
    // The binding and the patch each read the pod its watch had decoded; the watch parsed each new version
    // once: 2 parses in all, where reading apart would make 4. Under TUTTI_CHECK_SHARED the shared objects
    // are frozen, so a write that modified the one it read would have failed.
    assert.equal(decodeStats.parsed - before.parsed, 2);
    assert.ok(decodeStats.shared - before.shared >= 2);
    const got = JSON.parse((await s.call('GET', '/api/v1/namespaces/default/pods/s-1')).body) as KubeObject;
    assert.deepEqual(got, afterPatch.object);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ObjectMeta } from '../core/types.js';
import type { ResourceSnapshot } from './resource-metrics.js';
import { isMetricsPath, type MetricsObjects, serveMetrics } from './serve.js';
import { MetricsStore } from './store.js';

const T0 = Date.UTC(2026, 0, 2, 3, 4, 5);
const NOW = T0 + 60_000;

function snap(t: number, k: number): ResourceSnapshot {
  const c = (name: string, cpu: number, mem: number) => ({
    name,
    usage: { cpuSeconds: cpu * k, memoryBytes: mem, timestampMs: t },
  });
  return {
    node: { cpuSeconds: 100 * k, memoryBytes: 2 ** 31, timestampMs: t },
    pods: [
      { namespace: 'default', name: 'web-1', containers: [c('app', 1, 64 * 2 ** 20), c('proxy', 0.5, 16 * 2 ** 20)] },
      { namespace: 'default', name: 'web-2', containers: [c('app', 2, 65536)] },
      { namespace: 'kube-system', name: 'dns', containers: [c('coredns', 0.25, 13451264)] },
    ],
  };
}

function fixture() {
  const store = new MetricsStore();
  store.storeNode('node-a', snap(T0, 1));
  store.storeNode('node-a', snap(T0 + 15_002, 2));
  const meta = (m: ObjectMeta) => ({ metadata: m });
  const pods = [
    meta({ name: 'web-1', namespace: 'default', labels: { app: 'web', tier: 'front' } }),
    meta({ name: 'web-2', namespace: 'default', labels: { app: 'web' } }),
    meta({ name: 'dns', namespace: 'kube-system', labels: { k8s: 'dns' } }),
    meta({ name: 'new', namespace: 'default', labels: { app: 'web' } }),
  ];
  const nodes = [meta({ name: 'node-a', labels: { zone: 'a' } }), meta({ name: 'node-b', labels: { zone: 'b' } })];
  const objects: MetricsObjects = {
    pods: (ns) => pods.filter((p) => ns === undefined || p.metadata.namespace === ns),
    nodes: async () => nodes,
  };
  const get = (path: string, query = '') =>
    serveMetrics(store, { method: 'GET', path, query: new URLSearchParams(query) }, objects, NOW);
  return { get, store, objects };
}

const V = '/apis/metrics.k8s.io/v1beta1';

describe('serveMetrics (metrics.k8s.io/v1beta1 as metrics-server)', () => {
  it('serves a PodMetrics with upstream quantities, window and times', async () => {
    const { get } = fixture();
    const r = await get(`${V}/namespaces/default/pods/web-1`);
    assert.equal(r.code, 200);
    assert.deepEqual(r.body, {
      kind: 'PodMetrics',
      apiVersion: 'metrics.k8s.io/v1beta1',
      metadata: {
        name: 'web-1',
        namespace: 'default',
        creationTimestamp: '2026-01-02T03:05:05Z',
        labels: { app: 'web', tier: 'front' },
      },
      timestamp: '2026-01-02T03:04:20Z',
      window: '15.002s',
      containers: [
        { name: 'app', usage: { cpu: '66657778n', memory: '64Mi' } },
        { name: 'proxy', usage: { cpu: '33328889n', memory: '16Mi' } },
      ],
    });
  });

  it('lists pods of a namespace and of all namespaces, leaving out pods without metrics', async () => {
    const { get } = fixture();
    const ns = (await get(`${V}/namespaces/default/pods`)).body as {
      kind: string;
      metadata: unknown;
      items: { metadata: ObjectMeta }[];
    };
    assert.equal(ns.kind, 'PodMetricsList');
    assert.deepEqual(ns.metadata, {});
    assert.deepEqual(
      ns.items.map((i) => i.metadata.name),
      ['web-1', 'web-2'],
    );
    const all = (await get(`${V}/pods`)).body as { items: { metadata: ObjectMeta }[] };
    assert.deepEqual(
      all.items.map((i) => `${i.metadata.namespace}/${i.metadata.name}`),
      ['default/web-1', 'default/web-2', 'kube-system/dns'],
    );
  });

  it('selects by labels and by metadata.name / metadata.namespace fields', async () => {
    const { get } = fixture();
    const names = async (path: string, q: string) =>
      ((await get(path, q)).body as { items: { metadata: ObjectMeta }[] }).items.map((i) => i.metadata.name);
    assert.deepEqual(await names(`${V}/pods`, 'labelSelector=app%3Dweb,tier'), ['web-1']);
    assert.deepEqual(await names(`${V}/pods`, 'labelSelector=app!%3Dweb'), ['dns']);
    assert.deepEqual(await names(`${V}/pods`, 'fieldSelector=metadata.name%3Dweb-2'), ['web-2']);
    assert.deepEqual(await names(`${V}/pods`, 'fieldSelector=metadata.namespace%3Dkube-system'), ['dns']);
    assert.deepEqual(await names(`${V}/nodes`, 'labelSelector=zone%3Da'), ['node-a']);
    assert.deepEqual(await names(`${V}/nodes`, 'labelSelector=zone%3Db'), []);
  });

  it('serves NodeMetrics, and 404s as metrics-server for missing objects or metrics', async () => {
    const { get } = fixture();
    const n = await get(`${V}/nodes/node-a`);
    assert.deepEqual(n.body, {
      kind: 'NodeMetrics',
      apiVersion: 'metrics.k8s.io/v1beta1',
      metadata: { name: 'node-a', creationTimestamp: '2026-01-02T03:05:05Z', labels: { zone: 'a' } },
      timestamp: '2026-01-02T03:04:20Z',
      window: '15.002s',
      usage: { cpu: '6665777896n', memory: '2Gi' },
    });
    const list = (await get(`${V}/nodes`)).body as { kind: string; items: unknown[] };
    assert.equal(list.kind, 'NodeMetricsList');
    assert.equal(list.items.length, 1, 'node-b has no metrics');
    const cases: [string, string][] = [
      [`${V}/nodes/node-b`, 'nodes.metrics.k8s.io "node-b" not found'],
      [`${V}/nodes/node-z`, 'nodes "node-z" not found'],
      [`${V}/namespaces/default/pods/new`, 'pods.metrics.k8s.io "default/new" not found'],
      [`${V}/namespaces/default/pods/gone`, 'pods "gone" not found'],
      [`${V}/namespaces/kube-system/pods/web-1`, 'pods "web-1" not found'],
    ];
    for (const [path, message] of cases) {
      const r = await get(path);
      assert.equal(r.code, 404, path);
      assert.deepEqual(r.body, {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message,
        reason: 'NotFound',
        details: (r.body as { details: unknown }).details,
        code: 404,
      });
    }
  });

  it('serves discovery, and refuses watches, writes, bad selectors and unknown paths', async () => {
    const { get, store, objects } = fixture();
    assert.deepEqual((await get('/apis/metrics.k8s.io')).body, {
      kind: 'APIGroup',
      apiVersion: 'v1',
      name: 'metrics.k8s.io',
      versions: [{ groupVersion: 'metrics.k8s.io/v1beta1', version: 'v1beta1' }],
      preferredVersion: { groupVersion: 'metrics.k8s.io/v1beta1', version: 'v1beta1' },
    });
    const rl = (await get(V)).body as {
      groupVersion: string;
      resources: { name: string; kind: string; verbs: string[]; namespaced: boolean }[];
    };
    assert.equal(rl.groupVersion, 'metrics.k8s.io/v1beta1');
    assert.deepEqual(
      rl.resources.map((r) => [r.name, r.kind, r.namespaced, r.verbs]),
      [
        ['nodes', 'NodeMetrics', false, ['get', 'list']],
        ['pods', 'PodMetrics', true, ['get', 'list']],
      ],
    );
    assert.equal((await get(`${V}/pods`, 'watch=true')).code, 405);
    const post = await serveMetrics(store, { method: 'POST', path: `${V}/pods` }, objects, NOW);
    assert.equal(post.code, 405);
    const bad = await get(`${V}/pods`, 'labelSelector=a%20b');
    assert.equal(bad.code, 400);
    assert.equal((bad.body as { reason: string }).reason, 'BadRequest');
    assert.equal((await get(`${V}/services`)).code, 404);
    assert.equal((await get(`${V}/namespaces/default/pods/web-1/status`)).code, 404);
    assert.ok(isMetricsPath('/apis/metrics.k8s.io/v1beta1/pods'));
    assert.ok(isMetricsPath('/apis/metrics.k8s.io'));
    assert.ok(!isMetricsPath('/apis/metrics.k8s.iox'));
  });
});

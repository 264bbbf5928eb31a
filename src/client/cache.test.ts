// The informer's indexed cache: what byIndex finds after adds, updates that keep or change an object's index
// values, and deletes.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../core/types.js';
import { IndexedCache } from './cache.js';

const pod = (name: string, node: string | undefined, labels: Record<string, string> = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'ns', labels },
  spec: node ? { nodeName: node } : {},
});

describe('IndexedCache', () => {
  const names = (l: KubeObject[]) => l.map((o) => o.metadata.name).sort();
  const make = () =>
    new IndexedCache<KubeObject>({
      node: (o) => {
        const n = (o.spec as { nodeName?: string }).nodeName;
        return n ? [n] : [];
      },
      label: (o) => Object.entries(o.metadata.labels ?? {}).map(([k, v]) => `${k}=${v}`),
    });

  it('files an updated object under its new values only, and keeps it under values it still has', () => {
    const c = make();
    c.upsert(pod('a', undefined, { app: 'x' }));
    c.upsert(pod('b', 'n1', { app: 'x' }));
    assert.deepEqual(names(c.byIndex('node', 'n1')), ['b']);
    // An update that keeps every value (a status change), then one that moves the object.
    c.upsert({ ...pod('a', undefined, { app: 'x' }), status: { phase: 'Pending' } });
    assert.deepEqual(names(c.byIndex('label', 'app=x')), ['a', 'b']);
    c.upsert(pod('a', 'n1', { app: 'x', tier: 'web' }));
    assert.deepEqual(names(c.byIndex('node', 'n1')), ['a', 'b']);
    assert.deepEqual(names(c.byIndex('label', 'tier=web')), ['a']);
    c.upsert(pod('b', 'n2', { tier: 'web' }));
    assert.deepEqual(names(c.byIndex('node', 'n1')), ['a']);
    assert.deepEqual(names(c.byIndex('node', 'n2')), ['b']);
    assert.deepEqual(names(c.byIndex('label', 'app=x')), ['a']);
    assert.deepEqual(names(c.byIndex('label', 'tier=web')), ['a', 'b']);
    assert.equal((c.get('ns/a')?.spec as { nodeName?: string }).nodeName, 'n1');
  });

  it('drops a deleted object from every index, and an index added later files what is cached', () => {
    const c = make();
    c.upsert(pod('a', 'n1', { app: 'x' }));
    c.upsert(pod('b', 'n1', { app: 'x' }));
    c.delete('ns/a');
    assert.deepEqual(names(c.byIndex('node', 'n1')), ['b']);
    assert.deepEqual(names(c.byIndex('label', 'app=x')), ['b']);
    assert.deepEqual(names(c.byIndex('namespace', 'ns')), ['b']);
    c.addIndexer('name', (o) => [o.metadata.name ?? '']);
    assert.deepEqual(names(c.byIndex('name', 'b')), ['b']);
    c.delete('ns/b');
    assert.deepEqual(c.byIndex('node', 'n1'), []);
    assert.equal(c.size, 0);
  });
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { finalizedNamespace, namespacedResources, needsFinalizing } from './content.js';

test('every namespaced deletable resource once per storage', () => {
  const rs = namespacedResources();
  const names = rs.map((r) => `${r.group}/${r.resource}`);
  for (const n of [
    '/pods',
    '/configmaps',
    '/secrets',
    '/services',
    'apps/deployments',
    'apps/replicasets',
    'batch/jobs',
  ]) {
    assert.ok(names.includes(n), n);
  }
  assert.ok(!rs.some((r) => !r.namespaced), 'no cluster-scoped resource');
  assert.equal(rs.filter((r) => r.resource === 'events').length, 1, 'the two Event groups share storage');
  assert.equal(rs.filter((r) => r.resource === 'horizontalpodautoscalers').length, 1);
});

test('only a deleting namespace holding the kubernetes finalizer needs finalizing', () => {
  const live = { metadata: { name: 'a' }, spec: { finalizers: ['kubernetes'] } };
  const deleting = {
    metadata: { name: 'a', deletionTimestamp: '2026-01-01T00:00:00Z' },
    spec: { finalizers: ['kubernetes', 'x'] },
  };
  assert.equal(needsFinalizing(live), false);
  assert.equal(needsFinalizing(deleting), true);
  const done = finalizedNamespace(deleting);
  assert.deepEqual(done.spec.finalizers, ['x']);
  assert.equal(needsFinalizing(done), false);
  assert.deepEqual(deleting.spec.finalizers, ['kubernetes', 'x'], 'input untouched');
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyMergePatch } from './merge-patch.js';

test('merge patch merges objects, deletes on null and replaces arrays', () => {
  const target = {
    metadata: { labels: { app: 'web', tier: 'fe' }, annotations: { a: '1' } },
    spec: { ports: [{ port: 80 }, { port: 443 }], replicas: 1 },
  };
  const out = applyMergePatch(target, {
    metadata: { labels: { tier: null, env: 'prod' } },
    spec: { ports: [{ port: 8080 }], replicas: 3 },
  });
  assert.deepEqual(out, {
    metadata: { labels: { app: 'web', env: 'prod' }, annotations: { a: '1' } },
    spec: { ports: [{ port: 8080 }], replicas: 3 },
  });
  assert.deepEqual(target.metadata.labels, { app: 'web', tier: 'fe' }, 'input is not modified');
  out.metadata.annotations.a = 'changed';
  assert.equal(target.metadata.annotations.a, '1', 'result does not share untouched subtrees');
});

test('merge patch follows RFC 7386 edge cases', () => {
  assert.deepEqual(applyMergePatch({ a: 'b' }, { a: { bb: null } }), { a: {} });
  assert.deepEqual(applyMergePatch({ a: [{ b: 'c' }] }, { a: [1] }), { a: [1] });
  assert.deepEqual(applyMergePatch({ a: 'foo' }, 'bar'), 'bar');
  assert.deepEqual(applyMergePatch(['a'], { a: 'b' }), { a: 'b' });
  assert.deepEqual(applyMergePatch({}, { a: { b: { c: null, d: 1 } } }), { a: { b: { d: 1 } } });
});

test('kubectl scale merge patch on a deployment', () => {
  const out = applyMergePatch({ spec: { replicas: 1, paused: false } }, { spec: { replicas: 5 } });
  assert.deepEqual(out, { spec: { replicas: 5, paused: false } });
});

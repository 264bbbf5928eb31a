import assert from 'node:assert/strict';
import { test } from 'node:test';
import { StatusError } from '../../core/status.js';
import { applyJsonPatch } from './json-patch.js';

function statusOf(fn: () => unknown): StatusError {
  try {
    fn();
  } catch (e) {
    if (e instanceof StatusError) return e;
    throw e;
  }
  assert.fail('expected a StatusError');
}

test('json patch applies add, remove, replace, move, copy and test in order', () => {
  const doc = { metadata: { labels: { app: 'web' } }, spec: { args: ['a', 'b'] } };
  const out = applyJsonPatch(doc, [
    { op: 'test', path: '/metadata/labels/app', value: 'web' },
    { op: 'add', path: '/spec/args/-', value: 'c' },
    { op: 'add', path: '/spec/args/0', value: 'first' },
    { op: 'remove', path: '/spec/args/1' },
    { op: 'replace', path: '/metadata/labels/app', value: 'api' },
    { op: 'copy', from: '/metadata/labels', path: '/metadata/annotations' },
    { op: 'move', from: '/metadata/labels/app', path: '/metadata/labels/name' },
  ]);
  assert.deepEqual(out, {
    metadata: { labels: { name: 'api' }, annotations: { app: 'api' } },
    spec: { args: ['first', 'b', 'c'] },
  });
  assert.deepEqual(doc.spec.args, ['a', 'b'], 'input is not modified');
});

test('json pointer escapes ~1 and ~0 in keys', () => {
  const out = applyJsonPatch({ metadata: { annotations: {} } }, [
    { op: 'add', path: '/metadata/annotations/kubectl.kubernetes.io~1restartedAt', value: 'now' },
    { op: 'add', path: '/metadata/annotations/a~0b', value: 'x' },
  ]);
  assert.deepEqual(out, { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': 'now', 'a~b': 'x' } } });
});

test('kubectl rollout undo replaces template and annotations', () => {
  const live = { metadata: { annotations: { rev: '2' } }, spec: { template: { spec: { image: 'v2' } } } };
  const out = applyJsonPatch(live, [
    { op: 'replace', path: '/spec/template', value: { spec: { image: 'v1' } } },
    { op: 'replace', path: '/metadata/annotations', value: { rev: '1' } },
  ]);
  assert.deepEqual(out, { metadata: { annotations: { rev: '1' } }, spec: { template: { spec: { image: 'v1' } } } });
});

test('a failed test operation is a 422 carrying the evanphx message', () => {
  const err = statusOf(() =>
    applyJsonPatch({ spec: { replicas: 1 } }, [{ op: 'test', path: '/spec/replicas', value: 2 }]),
  );
  assert.equal(err.code, 422);
  assert.equal(err.reason, 'Invalid');
  assert.equal(err.message, 'the server rejected our request due to an error in our request');
  assert.deepEqual(err.details?.causes, [
    { type: 'UnexpectedServerResponse', message: 'testing value /spec/replicas failed: test failed' },
  ]);
});

test('operations on missing paths are 422s', () => {
  const remove = statusOf(() => applyJsonPatch({ metadata: {} }, [{ op: 'remove', path: '/metadata/labels' }]));
  assert.equal(remove.code, 422);
  assert.match(remove.details?.causes?.[0]?.message ?? '', /Unable to remove nonexistent key: labels/);
  const replace = statusOf(() => applyJsonPatch({}, [{ op: 'replace', path: '/spec', value: 1 }]));
  assert.equal(replace.code, 422);
  const deep = statusOf(() => applyJsonPatch({}, [{ op: 'add', path: '/a/b', value: 1 }]));
  assert.equal(deep.code, 422);
  const index = statusOf(() => applyJsonPatch({ a: [1] }, [{ op: 'add', path: '/a/5', value: 1 }]));
  assert.equal(index.code, 422);
});

test('a malformed patch document is a 400', () => {
  assert.equal(statusOf(() => applyJsonPatch({}, { op: 'add' })).code, 400);
  assert.equal(statusOf(() => applyJsonPatch({}, [{ op: 'frobnicate', path: '/a' }])).code, 400);
  assert.equal(statusOf(() => applyJsonPatch({}, [{ op: 'add', path: '/a' }])).code, 400);
});

test('an empty path replaces the whole document', () => {
  assert.deepEqual(applyJsonPatch({ a: 1 }, [{ op: 'replace', path: '', value: { b: 2 } }]), { b: 2 });
});

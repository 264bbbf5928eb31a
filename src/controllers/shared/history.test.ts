import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ControllerRevision, StatefulSet } from '../../core/index.js';
import {
  CONTROLLER_REVISION_HASH_LABEL,
  equalRevision,
  hashRevisionData,
  newControllerRevision,
  nextRevision,
  sortRevisions,
} from './history.js';

const set: StatefulSet = { metadata: { name: 'web', namespace: 'ns', uid: 'u1' } };

test('revisions: named by the hash of data and collision count, labeled and owned', () => {
  const data = { spec: { template: { b: 1, a: 2 } } };
  const r = newControllerRevision(set, 'apps/v1', 'StatefulSet', { app: 'web' }, data, 3, 0);
  const hash = hashRevisionData(data, 0);
  assert.match(hash, /^[bcdfghjklmnpqrstvwxz2456789]+$/);
  assert.equal(r.metadata.name, `web-${hash}`);
  assert.deepEqual(r.metadata.labels, { app: 'web', [CONTROLLER_REVISION_HASH_LABEL]: hash });
  assert.equal(r.metadata.ownerReferences?.[0]?.uid, 'u1');
  assert.equal(r.revision, 3);
  assert.equal(hashRevisionData({ spec: { template: { a: 2, b: 1 } } }, 0), hash, 'key order does not matter');
  assert.notEqual(hashRevisionData(data, 1), hash, 'a collision moves the name');
});

test('revisions: equal by data, sorted by number then age then name, next number', () => {
  const rev = (
    name: string,
    revision: number,
    data: unknown,
    created = '2025-01-01T00:00:00Z',
  ): ControllerRevision => ({
    metadata: { name, creationTimestamp: created },
    revision,
    data: data as ControllerRevision['data'],
  });
  const a = rev('a', 2, { x: 1 });
  const b = rev('b', 1, { x: 2 });
  const c = rev('c', 2, { x: 1 }, '2024-01-01T00:00:00Z');
  assert.deepEqual(
    sortRevisions([a, b, c]).map((r) => r.metadata.name),
    ['b', 'c', 'a'],
  );
  assert.equal(equalRevision(a, c), true);
  assert.equal(equalRevision(a, b), false);
  assert.equal(nextRevision(sortRevisions([a, b, c])), 3);
  assert.equal(nextRevision([]), 1);
});

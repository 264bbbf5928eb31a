// Revision annotations on a Deployment's ReplicaSets (upstream SetNewReplicaSetAnnotations), on plain objects.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Deployment, ReplicaSet } from '../../core/index.js';
import { REVISION_ANNOTATION, REVISION_HISTORY_ANNOTATION } from './annotations.js';
import { appendRevisionHistory, newReplicaSetAnnotations } from './replicasets.js';

const d: Deployment = {
  metadata: { name: 'web', annotations: { 'kubernetes.io/change-cause': 'undo', [REVISION_ANNOTATION]: '2' } },
  spec: { replicas: 1, selector: {}, template: {} },
};
const rs = (annotations: Record<string, string>): ReplicaSet => ({ metadata: { name: 'web-1', annotations } });

test('a rollback to an old ReplicaSet raises its revision and keeps the old one in revision-history', () => {
  const old = rs({ [REVISION_ANNOTATION]: '1' });
  assert.equal(newReplicaSetAnnotations(d, old, 3, false), true);
  assert.equal(old.metadata.annotations![REVISION_ANNOTATION], '3');
  assert.equal(old.metadata.annotations![REVISION_HISTORY_ANNOTATION], '1');
  assert.equal(old.metadata.annotations!['kubernetes.io/change-cause'], 'undo');
  // Rolled back to again later: 1,3.
  assert.equal(newReplicaSetAnnotations(d, old, 5, false), true);
  assert.equal(old.metadata.annotations![REVISION_ANNOTATION], '5');
  assert.equal(old.metadata.annotations![REVISION_HISTORY_ANNOTATION], '1,3');
});

test('a new ReplicaSet gets a revision and no history; the same revision changes nothing', () => {
  const fresh = rs({});
  newReplicaSetAnnotations(d, fresh, 1, true);
  assert.equal(fresh.metadata.annotations![REVISION_ANNOTATION], '1');
  assert.equal(fresh.metadata.annotations![REVISION_HISTORY_ANNOTATION], undefined);
  assert.equal(newReplicaSetAnnotations(d, fresh, 1, false), false);
  const higher = rs({ [REVISION_ANNOTATION]: '7' });
  newReplicaSetAnnotations(d, higher, 4, false);
  assert.equal(higher.metadata.annotations![REVISION_ANNOTATION], '7');
  assert.equal(higher.metadata.annotations![REVISION_HISTORY_ANNOTATION], undefined);
});

test('revision-history drops its oldest entries to stay within the character limit', () => {
  assert.equal(appendRevisionHistory(undefined, '4'), '4');
  assert.equal(appendRevisionHistory('1,2,3', '4', 6), '2,3,4');
  assert.equal(appendRevisionHistory('1,2', '3', 100), '1,2,3');
  assert.equal(appendRevisionHistory('1', '12345', 3), '1');
});

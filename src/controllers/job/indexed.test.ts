import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Pod } from '../../core/index.js';
import {
  firstPendingIndexes,
  formatIntervals,
  generateNameWithIndex,
  indexedPodsForRemoval,
  matchSuccessPolicy,
  parseIntervals,
  podCompletionIndex,
} from './indexed.js';

const pod = (name: string, index: string | undefined, phase = 'Running', ready = false): Pod =>
  ({
    metadata: {
      name,
      creationTimestamp: '2025-01-01T00:00:00Z',
      ...(index !== undefined ? { annotations: { 'batch.kubernetes.io/job-completion-index': index } } : {}),
    },
    spec: { containers: [], nodeName: 'n1' },
    status: { phase, conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
  }) as unknown as Pod;

test('completed indexes as compressed intervals, and back', () => {
  assert.equal(formatIntervals([]), '');
  assert.equal(formatIntervals([7, 1, 3, 4, 5]), '1,3-5,7');
  assert.equal(formatIntervals([0, 1]), '0-1');
  assert.equal(formatIntervals([2, 2, 0]), '0,2');
  assert.deepEqual([...parseIntervals('1,3-5,7', 10)].sort(), [1, 3, 4, 5, 7]);
  // Out of range and malformed parts are dropped.
  assert.deepEqual([...parseIntervals('1,3-5,x,9', 5)].sort(), [1, 3, 4]);
  assert.equal(parseIntervals(undefined, 5).size, 0);
});

test('index of a pod, pending indexes, generated names', () => {
  assert.equal(podCompletionIndex(pod('a', '3')), 3);
  assert.equal(podCompletionIndex(pod('a', '-1')), undefined);
  assert.equal(podCompletionIndex(pod('a', '03')), undefined);
  assert.equal(podCompletionIndex(pod('a', undefined)), undefined);
  assert.deepEqual(firstPendingIndexes(2, 5, new Set([0, 2])), [1, 3]);
  assert.deepEqual(firstPendingIndexes(9, 3, new Set([1])), [0, 2]);
  assert.equal(generateNameWithIndex('pi', 4), 'pi-4-');
  const long = 'x'.repeat(63);
  assert.equal(generateNameWithIndex(long, 12), `${'x'.repeat(54)}-12-`);
});

test('duplicate, out-of-range, unindexed and finished-index pods are removed; the most advanced stays', () => {
  const keepMe = pod('b', '1', 'Running', true);
  const { remove, keep } = indexedPodsForRemoval(
    [
      pod('a', '1', 'Pending'),
      keepMe,
      pod('c', '1', 'Running'),
      pod('d', '5'),
      pod('e', undefined),
      pod('f', '0'),
      pod('g', '2'),
    ],
    3,
    new Set([0]),
  );
  assert.deepEqual(remove.map((p) => p.metadata.name).sort(), ['a', 'c', 'd', 'e', 'f']);
  assert.deepEqual(
    keep.map((p) => p.metadata.name),
    ['b', 'g'],
  );
});

test('successPolicy: succeededIndexes (all, or succeededCount of them) or a bare succeededCount', () => {
  const done = new Set([0, 2, 3]);
  assert.equal(matchSuccessPolicy([{ succeededIndexes: '0,2-3' }], 5, done), 'Matched rules at index 0');
  assert.equal(matchSuccessPolicy([{ succeededIndexes: '0-3' }], 5, done), undefined);
  assert.equal(
    matchSuccessPolicy([{ succeededIndexes: '0-1' }, { succeededIndexes: '1-4', succeededCount: 2 }], 5, done),
    'Matched rules at index 1',
  );
  assert.equal(matchSuccessPolicy([{ succeededCount: 4 }, { succeededCount: 3 }], 5, done), 'Matched rules at index 1');
  // Unparsable indexes skip the rule; nothing succeeded matches nothing.
  assert.equal(matchSuccessPolicy([{ succeededIndexes: 'x', succeededCount: 1 }], 5, done), undefined);
  assert.equal(matchSuccessPolicy([{ succeededCount: 0 }], 5, new Set()), undefined);
});

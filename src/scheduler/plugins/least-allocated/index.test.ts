import assert from 'node:assert/strict';
import { test } from 'node:test';
import { makeNode, makePod } from '../../framework/testing.js';
import { scoreAll } from '../test-helpers.js';
import { leastAllocated, leastRequestedScore } from './index.js';

test('free share of cpu and memory after placing the pod', () => {
  assert.equal(leastRequestedScore(1000, 4000), 75);
  assert.equal(leastRequestedScore(5000, 4000), 0);
  const nodes = [makeNode('a', { cpu: '4', memory: '8Gi' }), makeNode('b', { cpu: '4', memory: '8Gi' })];
  const s = scoreAll(leastAllocated, makePod('p', { cpu: '1', memory: '2Gi' }), nodes, [
    makePod('x', { cpu: '2', memory: '4Gi', nodeName: 'b' }),
  ]);
  assert.equal(s.get('a'), 75);
  assert.equal(s.get('b'), 25);
  // Empty containers count as 100m / 200Mi.
  const e = scoreAll(leastAllocated, makePod('e'), [makeNode('n', { cpu: '1', memory: '1000Mi' })]);
  assert.equal(e.get('n'), Math.trunc((90 + 80) / 2));
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { makeNode, makePod } from '../../framework/testing.js';
import { scoreAll } from '../test-helpers.js';
import { balancedAllocation, balancedScore } from './index.js';

test('nodes whose cpu and memory use stay even score higher', () => {
  assert.equal(balancedScore([0.5, 0.5]), 100);
  assert.equal(balancedScore([1, 0]), 50);
  const nodes = [makeNode('even', { cpu: '4', memory: '4Gi' }), makeNode('skewed', { cpu: '4', memory: '4Gi' })];
  const pods = [makePod('x', { cpu: '2', memory: '512Mi', nodeName: 'skewed' })];
  const s = scoreAll(balancedAllocation, makePod('p', { cpu: '1', memory: '1Gi' }), nodes, pods);
  assert.equal(s.get('even'), 100);
  assert.equal(s.get('skewed'), Math.trunc((1 - Math.abs(0.75 - 0.375) / 2) * 100));
});

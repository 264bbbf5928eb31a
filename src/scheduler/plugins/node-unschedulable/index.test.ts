import assert from 'node:assert/strict';
import { test } from 'node:test';
import { makeNode, makePod } from '../../framework/testing.js';
import { filterAll } from '../test-helpers.js';
import { nodeUnschedulable } from './index.js';

test('cordoned nodes reject pods unless they tolerate the unschedulable taint', () => {
  const nodes = [makeNode('a', { unschedulable: true }), makeNode('b')];
  const r = filterAll(nodeUnschedulable, makePod('p'), nodes);
  assert.deepEqual(r.get('a'), { code: 'UnschedulableAndUnresolvable', reasons: ['node(s) were unschedulable'] });
  assert.equal(r.get('b'), null);
  const tolerant = makePod('t', { tolerations: [{ key: 'node.kubernetes.io/unschedulable', operator: 'Exists' }] });
  assert.equal(filterAll(nodeUnschedulable, tolerant, nodes).get('a'), null);
});

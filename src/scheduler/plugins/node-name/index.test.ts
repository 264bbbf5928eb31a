import assert from 'node:assert/strict';
import { test } from 'node:test';
import { makeNode, makePod } from '../../framework/testing.js';
import { filterAll, reasonsOf } from '../test-helpers.js';
import { nodeName } from './index.js';

test('a pod naming a node fits only that node', () => {
  const r = filterAll(nodeName, makePod('p', { nodeName: 'b' }), [makeNode('a'), makeNode('b')]);
  assert.deepEqual(reasonsOf(r.get('a')), ["node(s) didn't match the requested node name"]);
  assert.equal(r.get('b'), null);
  assert.equal(filterAll(nodeName, makePod('q'), [makeNode('a')]).get('a'), null);
});

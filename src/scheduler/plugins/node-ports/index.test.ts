import assert from 'node:assert/strict';
import { test } from 'node:test';
import { makeNode, makePod } from '../../framework/testing.js';
import { filterAll, reasonsOf } from '../test-helpers.js';
import { nodePorts } from './index.js';

test('hostPort conflicts reject the node', () => {
  const nodes = [makeNode('a'), makeNode('b')];
  const running = [makePod('web', { hostPort: 8080, nodeName: 'a' })];
  const r = filterAll(nodePorts, makePod('p', { hostPort: 8080 }), nodes, running);
  assert.deepEqual(reasonsOf(r.get('a')), ["node(s) didn't have free ports for the requested pod ports"]);
  assert.equal(r.get('b'), null);
  assert.equal(filterAll(nodePorts, makePod('q', { hostPort: 9090 }), nodes, running).get('a'), null);
});

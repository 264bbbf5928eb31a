import assert from 'node:assert/strict';
import { test } from 'node:test';
import { makeNode, makePod } from '../../framework/testing.js';
import { scoreAll } from '../test-helpers.js';
import { ownerSpread } from './index.js';

test('nodes running fewer pods of the same owner score higher', () => {
  const nodes = [makeNode('a'), makeNode('b'), makeNode('c')];
  const pods = [
    makePod('r1', { owner: 'web', nodeName: 'a' }),
    makePod('r2', { owner: 'web', nodeName: 'a' }),
    makePod('r3', { owner: 'web', nodeName: 'b' }),
    makePod('o1', { owner: 'other', nodeName: 'c' }),
  ];
  const s = scoreAll(ownerSpread, makePod('new', { owner: 'web' }), nodes, pods);
  assert.deepEqual([s.get('a'), s.get('b'), s.get('c')], [0, 50, 100]);
  // Pods without a controller are not spread (PreScore skips).
  const none = scoreAll(ownerSpread, makePod('lone'), nodes, pods);
  assert.deepEqual([...none.values()], [0, 0, 0]);
});

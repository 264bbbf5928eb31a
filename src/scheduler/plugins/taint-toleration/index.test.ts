import assert from 'node:assert/strict';
import { test } from 'node:test';
import { makeNode, makePod } from '../../framework/testing.js';
import { filterAll, reasonsOf, scoreAll } from '../test-helpers.js';
import { toleratesTaint } from '../../../core/scheduling/taints.js';
import { taintToleration } from './index.js';

test('NoSchedule and NoExecute taints need a toleration; PreferNoSchedule does not filter', () => {
  const nodes = [
    makeNode('gpu', { taints: [{ key: 'gpu', value: 'true', effect: 'NoSchedule' }] }),
    makeNode('drain', { taints: [{ key: 'drain', effect: 'NoExecute' }] }),
    makeNode('soft', { taints: [{ key: 'soft', effect: 'PreferNoSchedule' }] }),
  ];
  const r = filterAll(taintToleration, makePod('p'), nodes);
  assert.deepEqual(reasonsOf(r.get('gpu')), ['node(s) had untolerated taint {gpu: true}']);
  assert.equal(r.get('gpu')?.code, 'UnschedulableAndUnresolvable');
  assert.deepEqual(reasonsOf(r.get('drain')), ['node(s) had untolerated taint {drain: }']);
  assert.equal(r.get('soft'), null);
  const tolerant = makePod('t', {
    tolerations: [
      { key: 'gpu', operator: 'Equal', value: 'true', effect: 'NoSchedule' },
      { key: 'drain', operator: 'Exists' },
    ],
  });
  const r2 = filterAll(taintToleration, tolerant, nodes);
  assert.equal(r2.get('gpu'), null);
  assert.equal(r2.get('drain'), null);
});

test('toleration matching: wildcard key with Exists, value mismatch, effect mismatch', () => {
  const taint = { key: 'k', value: 'v', effect: 'NoSchedule' as const };
  assert.equal(toleratesTaint({ operator: 'Exists' }, taint), true);
  assert.equal(toleratesTaint({ key: 'k', value: 'w' }, taint), false);
  assert.equal(toleratesTaint({ key: 'k', value: 'v', effect: 'NoExecute' }, taint), false);
  assert.equal(toleratesTaint({ key: 'k', value: 'v' }, taint), true);
});

test('score prefers nodes with fewer intolerable PreferNoSchedule taints', () => {
  const nodes = [
    makeNode('clean'),
    makeNode('one', { taints: [{ key: 'a', effect: 'PreferNoSchedule' }] }),
    makeNode('two', {
      taints: [
        { key: 'a', effect: 'PreferNoSchedule' },
        { key: 'b', effect: 'PreferNoSchedule' },
      ],
    }),
  ];
  const s = scoreAll(taintToleration, makePod('p'), nodes);
  assert.deepEqual([s.get('clean'), s.get('one'), s.get('two')], [100, 50, 0]);
  const s2 = scoreAll(taintToleration, makePod('p', { tolerations: [{ key: 'a', operator: 'Exists' }] }), nodes);
  assert.deepEqual([s2.get('clean'), s2.get('one'), s2.get('two')], [100, 100, 0]);
});

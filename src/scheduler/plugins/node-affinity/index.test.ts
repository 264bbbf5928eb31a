import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { NodeSelectorRequirement } from '../../../core/types.js';
import { makeNode, makePod } from '../../framework/testing.js';
import { filterAll, reasonsOf, scoreAll } from '../test-helpers.js';
import { nodeAffinity } from './index.js';

const nodes = [
  makeNode('a', { labels: { zone: 'z1', disk: 'ssd', cores: '8' } }),
  makeNode('b', { labels: { zone: 'z2', cores: '2' } }),
  makeNode('c', { labels: { zone: 'z3', disk: 'hdd' } }),
];

function fits(...exprs: NodeSelectorRequirement[]): string[] {
  const pod = makePod('p', {
    affinity: {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: exprs }] },
      },
    },
  });
  return [...filterAll(nodeAffinity, pod, nodes)].filter(([, s]) => s === null).map(([n]) => n);
}

test('nodeSelector must match every label', () => {
  const r = filterAll(nodeAffinity, makePod('p', { nodeSelector: { zone: 'z1', disk: 'ssd' } }), nodes);
  assert.equal(r.get('a'), null);
  assert.deepEqual(reasonsOf(r.get('b')), ["node(s) didn't match Pod's node affinity/selector"]);
  assert.equal(r.get('b')?.code, 'UnschedulableAndUnresolvable');
});

test('required terms support every operator', () => {
  assert.deepEqual(fits({ key: 'zone', operator: 'In', values: ['z1', 'z3'] }), ['a', 'c']);
  assert.deepEqual(fits({ key: 'zone', operator: 'NotIn', values: ['z1'] }), ['b', 'c']);
  assert.deepEqual(fits({ key: 'disk', operator: 'Exists' }), ['a', 'c']);
  assert.deepEqual(fits({ key: 'disk', operator: 'DoesNotExist' }), ['b']);
  assert.deepEqual(fits({ key: 'cores', operator: 'Gt', values: ['4'] }), ['a']);
  assert.deepEqual(fits({ key: 'cores', operator: 'Lt', values: ['4'] }), ['b']);
  assert.deepEqual(fits({ key: 'cores', operator: 'Gt', values: ['x'] }), []);
});

test('terms are ORed and matchFields selects metadata.name', () => {
  const pod = makePod('p', {
    affinity: {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [
            { matchFields: [{ key: 'metadata.name', operator: 'In', values: ['b'] }] },
            { matchExpressions: [{ key: 'disk', operator: 'In', values: ['hdd'] }] },
          ],
        },
      },
    },
  });
  const r = filterAll(nodeAffinity, pod, nodes);
  assert.deepEqual([r.get('a') === null, r.get('b') === null, r.get('c') === null], [false, true, true]);
});

test('preferred terms score by weight, normalized to 100', () => {
  const pod = makePod('p', {
    affinity: {
      nodeAffinity: {
        preferredDuringSchedulingIgnoredDuringExecution: [
          { weight: 10, preference: { matchExpressions: [{ key: 'disk', operator: 'Exists' }] } },
          { weight: 30, preference: { matchExpressions: [{ key: 'zone', operator: 'In', values: ['z1'] }] } },
        ],
      },
    },
  });
  const s = scoreAll(nodeAffinity, pod, nodes);
  assert.deepEqual([s.get('a'), s.get('b'), s.get('c')], [100, 0, 25]);
});

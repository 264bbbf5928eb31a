import assert from 'node:assert/strict';
import { test } from 'node:test';
import { makeNode, makePod } from '../../framework/testing.js';
import { filterAll } from '../test-helpers.js';
import { nodeResourcesFit } from './index.js';

test('cpu, memory, ephemeral-storage and extended resources against allocatable minus requested', () => {
  const node = makeNode('n', {
    cpu: '2',
    memory: '4Gi',
    extra: { 'ephemeral-storage': '10Gi', 'example.com/gpu': '1' },
  });
  const running = makePod('r', { cpu: '1500m', memory: '3Gi', nodeName: 'n', requests: { 'example.com/gpu': '1' } });
  const pod = makePod('p', {
    cpu: '1',
    memory: '2Gi',
    requests: { 'ephemeral-storage': '20Gi', 'example.com/gpu': '1' },
  });
  const s = filterAll(nodeResourcesFit, pod, [node], [running]).get('n');
  assert.deepEqual(s, {
    code: 'UnschedulableAndUnresolvable', // ephemeral-storage exceeds allocatable outright
    reasons: [
      'Insufficient cpu',
      'Insufficient memory',
      'Insufficient ephemeral-storage',
      'Insufficient example.com/gpu',
    ],
  });
  const ok = filterAll(nodeResourcesFit, makePod('p', { cpu: '500m', memory: '1Gi' }), [node], [running]).get('n');
  assert.equal(ok, null);
  const resolvable = filterAll(nodeResourcesFit, makePod('p', { cpu: '1' }), [node], [running]).get('n');
  assert.equal(resolvable?.code, 'Unschedulable');
});

test('pod count against allocatable pods', () => {
  const node = makeNode('n', { pods: '2' });
  const pods = [makePod('a', { nodeName: 'n' }), makePod('b', { nodeName: 'n' })];
  assert.deepEqual(filterAll(nodeResourcesFit, makePod('p'), [node], pods).get('n'), {
    code: 'Unschedulable',
    reasons: ['Too many pods'],
  });
  assert.equal(filterAll(nodeResourcesFit, makePod('p'), [node], pods.slice(1)).get('n'), null);
});

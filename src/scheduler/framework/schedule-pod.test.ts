import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaultProfile } from '../default-profile.js';
import { fitErrorMessage } from './fit-error.js';
import { numFeasibleNodesToFind, Profile } from './profile.js';
import { schedulePod } from './schedule-pod.js';
import { snapshotOf } from './snapshot.js';
import { unschedulable } from './status.js';
import { makeNode, makePod, seededRandom } from './testing.js';
import type { FilterPlugin } from './plugin.js';

const controlPlane = makeNode('cp', {
  taints: [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }],
});

test('upstream FitError message: taint plus unresolvable cpu shortage', () => {
  const snap = snapshotOf([controlPlane, makeNode('w1', { cpu: '2' }), makeNode('w2', { cpu: '2' })]);
  const r = schedulePod(makePod('big', { cpu: '3' }), snap, defaultProfile());
  assert.ok('unschedulable' in r);
  assert.equal(
    r.message,
    '0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, ' +
      '2 Insufficient cpu. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling..',
  );
  assert.equal(r.reasons.get('Insufficient cpu'), 2);
});

test('resolvable shortage without lower-priority pods reports no preemption victims', () => {
  const snap = snapshotOf(
    [makeNode('w1', { cpu: '2' })],
    [makePod('running', { cpu: '1500m', nodeName: 'w1', priority: 10 })],
  );
  const r = schedulePod(makePod('p', { cpu: '1', priority: 5 }), snap, defaultProfile());
  assert.ok('unschedulable' in r);
  assert.equal(
    r.message,
    '0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: ' +
      '1 No preemption victims found for incoming pod..',
  );
});

test('preemption that would help adds no preemption text and names a candidate', () => {
  const snap = snapshotOf(
    [makeNode('w1', { cpu: '2' })],
    [makePod('low', { cpu: '1500m', nodeName: 'w1', priority: 0 })],
  );
  const r = schedulePod(makePod('p', { cpu: '1', priority: 100 }), snap, defaultProfile());
  assert.ok('unschedulable' in r);
  assert.equal(r.message, '0/1 nodes are available: 1 Insufficient cpu.');
  assert.equal(r.preemptionCandidate, 'w1');
});

test('reason histogram sorts like Go sort.Strings and no nodes gives upstream error', () => {
  const statuses = new Map([
    ['a', unschedulable('Insufficient memory')],
    ...Array.from({ length: 10 }, (_, i) => [`n${i}`, unschedulable('Too many pods')] as const),
  ]);
  assert.equal(
    fitErrorMessage({ numAllNodes: 11, nodeStatuses: statuses }),
    '0/11 nodes are available: 1 Insufficient memory, 10 Too many pods.',
  );
  const r = schedulePod(makePod('p'), snapshotOf([]), defaultProfile());
  assert.ok('unschedulable' in r);
  assert.equal(r.message, 'no nodes available to schedule pods');
});

test('numFeasibleNodesToFind follows the adaptive percentage', () => {
  assert.equal(numFeasibleNodesToFind(0, 50), 50);
  assert.equal(numFeasibleNodesToFind(0, 150), 100);
  assert.equal(numFeasibleNodesToFind(0, 1000), 420);
  assert.equal(numFeasibleNodesToFind(0, 5000), 500);
  assert.equal(numFeasibleNodesToFind(0, 10000), 500);
  assert.equal(numFeasibleNodesToFind(0, 100000), 5000);
  assert.equal(numFeasibleNodesToFind(30, 1000), 300);
});

test('the search stops after enough feasible nodes and rotates its start', () => {
  const seen: string[] = [];
  const spy: FilterPlugin = {
    name: 'Spy',
    filter(_s, _p, node) {
      seen.push(node.name);
      return null;
    },
  };
  const nodes = Array.from({ length: 1000 }, (_, i) => makeNode(`n${i}`));
  const profile = new Profile({ plugins: [{ plugin: spy }] });
  const r = schedulePod(makePod('p'), snapshotOf(nodes), profile);
  assert.ok('node' in r);
  assert.equal(r.evaluatedNodes, 420);
  assert.equal(seen.length, 420);
  assert.equal(profile.nextStartNodeIndex, 420);
  seen.length = 0;
  schedulePod(makePod('q'), snapshotOf(nodes), profile);
  assert.equal(seen[0], 'n420');
});

test('ties are broken by the injected random source', () => {
  const snap = snapshotOf([makeNode('a'), makeNode('b'), makeNode('c')]);
  const picks = new Set<string>();
  for (let seed = 1; seed < 40; seed++) {
    const r = schedulePod(makePod('p'), snap, defaultProfile({ random: seededRandom(seed) }));
    assert.ok('node' in r);
    picks.add(r.node);
  }
  assert.equal(picks.size, 3);
  const first = defaultProfile({ random: () => 0 });
  const r = schedulePod(makePod('p'), snap, first);
  assert.ok('node' in r);
  assert.equal(r.node, 'c'); // rand 0 always takes the newest tie in reservoir sampling
});

test('least allocated scoring prefers the emptier node', () => {
  const snap = snapshotOf(
    [makeNode('busy'), makeNode('idle')],
    [makePod('x', { cpu: '3', memory: '6Gi', nodeName: 'busy' })],
  );
  const r = schedulePod(makePod('p', { cpu: '100m' }), snap, defaultProfile());
  assert.ok('node' in r);
  assert.equal(r.node, 'idle');
});

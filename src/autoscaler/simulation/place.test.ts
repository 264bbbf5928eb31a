import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pendingPod, readyNode, runningPod } from '../testing/fixtures.js';
import { ClusterSimulation } from './cluster.js';
import { FitChecker } from './fit.js';
import { byPriority, placePods } from './place.js';

const checker = new FitChecker();

test('places pods on free room and keeps them there for the next pods', () => {
  const sim = ClusterSimulation.of(
    [readyNode('a', { cpu: '1' }), readyNode('b', { cpu: '1' })],
    [runningPod('r', 'a', { cpu: '600m' })],
  );
  const pods = [
    pendingPod('p1', { cpu: '500m' }),
    pendingPod('p2', { cpu: '500m' }),
    pendingPod('p3', { cpu: '500m' }),
  ];
  const r = placePods(pods, sim, checker);
  assert.deepEqual(
    [...r.placed].map(([p, n]) => [p.metadata.name, n]),
    [
      ['p1', 'b'],
      ['p2', 'b'],
    ],
  );
  assert.deepEqual(
    r.unplaced.map((p) => p.metadata.name),
    ['p3'],
  );
});

test('excluded nodes take nothing; stopOnFirstFailure returns at the first homeless pod', () => {
  const sim = ClusterSimulation.of([readyNode('a', { cpu: '1' }), readyNode('b', { cpu: '1' })]);
  const pods = [
    pendingPod('p1', { cpu: '800m' }),
    pendingPod('p2', { cpu: '800m' }),
    pendingPod('p3', { cpu: '100m' }),
  ];
  const r = placePods(pods, sim, checker, { exclude: new Set(['a']), stopOnFirstFailure: true });
  assert.equal(r.placed.get(pods[0]!), 'b');
  assert.deepEqual(
    r.unplaced.map((p) => p.metadata.name),
    ['p2'],
  );
  assert.equal(r.placed.size, 1);
});

test('a fork leaves its parent untouched (copy on write)', () => {
  const base = ClusterSimulation.of([readyNode('a', { cpu: '1' })]);
  const fork = base.fork();
  placePods([pendingPod('p', { cpu: '1' })], fork, checker);
  assert.equal(fork.get('a')!.pods.length, 1);
  assert.equal(base.get('a')!.pods.length, 0);
  assert.equal(placePods([pendingPod('q', { cpu: '1' })], base, checker).placed.size, 1);
});

test('higher priority first, else in the given order', () => {
  const pods = [
    pendingPod('low', { priority: 0 }),
    pendingPod('high', { priority: 100 }),
    pendingPod('low2', { priority: 0 }),
  ];
  assert.deepEqual(
    byPriority(pods).map((p) => p.metadata.name),
    ['high', 'low', 'low2'],
  );
});

test('topology spread: a node that refused a pod may take a later one, so no node is skipped for it', () => {
  const zone = (name: string, z: string) => readyNode(name, { labels: { zone: z } });
  const web = { cpu: '100m', labels: { app: 'web' } };
  const sim = ClusterSimulation.of(
    [zone('a', 'A'), zone('b', 'B')],
    [runningPod('r0', 'a', web), runningPod('r1', 'a', web)],
  );
  const spread = {
    ...web,
    topologySpreadConstraints: [
      {
        maxSkew: 1,
        topologyKey: 'zone',
        whenUnsatisfiable: 'DoNotSchedule' as const,
        labelSelector: { matchLabels: { app: 'web' } },
      },
    ],
  };
  const pods = [0, 1, 2].map((i) => pendingPod(`w${i}`, spread));
  const r = placePods(pods, sim, checker);
  assert.deepEqual(
    pods.map((p) => r.placed.get(p)),
    ['b', 'b', 'a'],
  );
});

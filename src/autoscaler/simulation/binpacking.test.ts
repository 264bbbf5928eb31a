// Binpacking estimates, after upstream's estimator/binpacking_estimator_test.go: resource packing,
// limits, pods that never fit a template, host ports and anti-affinity forcing one pod per node.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Pod } from '../../core/types.js';
import { group, pendingPod } from '../testing/fixtures.js';
import { templateNode } from '../template.js';
import { binpack, sortForBinpacking } from './binpacking.js';
import { ClusterSimulation } from './cluster.js';
import { FitChecker } from './fit.js';

const checker = new FitChecker();

function estimate(pods: Pod[], g = group('g', { template: { capacity: { cpu: '1', memory: '2Gi' } } }), limit = 100) {
  const sim = ClusterSimulation.of([]);
  return binpack({ pods, sim, newNode: (i) => templateNode(g, `t-${i}`), limit, checker });
}

const many = (n: number, o: Parameters<typeof pendingPod>[1]) =>
  Array.from({ length: n }, (_, i) => pendingPod(`p${i}`, o));

test('packs by cpu: ten 300m pods on 1-cpu nodes need four nodes (three per node)', () => {
  const r = estimate(many(10, { cpu: '300m', memory: '100Mi' }));
  assert.equal(r.nodeCount, 4);
  assert.equal(r.scheduled.length, 10);
  assert.deepEqual(r.overLimit, []);
});

test('packs by memory when memory is the tighter resource', () => {
  const r = estimate(many(5, { cpu: '100m', memory: '1000Mi' }));
  assert.equal(r.nodeCount, 3); // two 1000Mi pods per 2Gi node
});

test('first-fit decreasing: big pods first, small ones fill the gaps', () => {
  const pods = [
    pendingPod('s1', { cpu: '300m' }),
    pendingPod('b1', { cpu: '700m' }),
    pendingPod('s2', { cpu: '300m' }),
    pendingPod('b2', { cpu: '700m' }),
  ];
  const g = group('g', { template: { capacity: { cpu: '1', memory: '2Gi' } } });
  assert.deepEqual(
    sortForBinpacking(pods, templateNode(g, 't')).map((p) => p.metadata.name),
    ['b1', 'b2', 's1', 's2'],
  );
  assert.equal(estimate(pods, g).nodeCount, 2);
});

test('the limit caps the new nodes; the pods left over are reported', () => {
  const r = estimate(many(10, { cpu: '300m' }), undefined, 2);
  assert.equal(r.nodeCount, 2);
  assert.equal(r.scheduled.length, 6);
  assert.equal(r.overLimit.length, 4);
});

test('a pod bigger than the template, or selecting other labels, never fits; no node is added for it', () => {
  const r = estimate([
    pendingPod('huge', { cpu: '2' }),
    pendingPod('picky', { nodeSelector: { disk: 'ssd' } }),
    pendingPod('ok', { cpu: '100m' }),
  ]);
  assert.equal(r.nodeCount, 1);
  assert.deepEqual(
    r.neverFit.map((x) => [x.pod.metadata.name, x.status.reasons]),
    [
      ['huge', ['Insufficient cpu']],
      ['picky', ["node(s) didn't match Pod's node affinity/selector"]],
    ],
  );
});

test('an untolerated template taint keeps pods off; a toleration lets them on', () => {
  const g = group('gpu', { template: { taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] } });
  const r = estimate([pendingPod('plain')], g);
  assert.deepEqual(r.neverFit[0]?.status.reasons, ['node(s) had untolerated taint {dedicated: gpu}']);
  const ok = estimate([pendingPod('tolerant', { tolerations: [{ key: 'dedicated', operator: 'Exists' }] })], g);
  assert.equal(ok.nodeCount, 1);
});

test('host ports and hostname anti-affinity put one pod per node', () => {
  assert.equal(estimate(many(3, { cpu: '100m', hostPort: 8080 })).nodeCount, 3);
  const anti = many(4, {
    cpu: '100m',
    labels: { app: 'db' },
    affinity: {
      podAntiAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: [
          { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: { app: 'db' } } },
        ],
      },
    },
  });
  assert.equal(estimate(anti).nodeCount, 4);
});

test('new nodes join a cluster: existing pods count for spreading and anti-affinity', () => {
  const g = group('g', { template: { capacity: { cpu: '1', memory: '2Gi' } } });
  const existing = templateNode(g, 'old');
  const running = pendingPod('running', {
    nodeName: 'old',
    labels: { app: 'db' },
  });
  running.status = { phase: 'Running' };
  const sim = ClusterSimulation.of([existing], [running]);
  const anti = {
    labels: { app: 'db' },
    affinity: {
      podAntiAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: [
          { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: { app: 'db' } } },
        ],
      },
    },
  };
  const r = binpack({ pods: many(2, anti), sim, newNode: (i) => templateNode(g, `t-${i}`), limit: 5, checker });
  assert.equal(r.nodeCount, 2);
  assert.equal(sim.nodes.length, 3, 'the new nodes are in the simulation');
});

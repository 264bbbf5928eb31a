// The scale-down decision on plain objects, after upstream's planner/eligibility/unneeded tests.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Node, Pod, PodDisruptionBudget } from '../../core/types.js';
import { ClusterSimulation } from '../simulation/cluster.js';
import { FitChecker } from '../simulation/fit.js';
import { group, pdb, readyNode, runningPod } from '../testing/fixtures.js';
import { type CandidateNode, DEFAULT_SCALE_DOWN_OPTIONS, planScaleDown, type ScaleDownInput } from './plan.js';

const checker = new FitChecker();
const NOW = 1_000_000_000;
const MIN = 60_000;
const g = group('pool', { minSize: 1, maxSize: 10 });

interface Case {
  nodes: Node[];
  pods: Pod[];
  /** Nodes of the group (the others are fixed nodes outside any group). */
  inGroup?: string[];
  unneededSince?: Map<string, number>;
  pdbs?: PodDisruptionBudget[];
  extra?: Partial<ScaleDownInput>;
}

function run(c: Case) {
  const inGroup = new Set(c.inGroup ?? c.nodes.map((n) => n.metadata.name!));
  const candidates: CandidateNode[] = c.nodes
    .filter((n) => inGroup.has(n.metadata.name!))
    .map((node) => ({ node, group: g, pods: c.pods.filter((p) => p.spec?.nodeName === node.metadata.name) }));
  return planScaleDown({
    now: NOW,
    candidates,
    sim: ClusterSimulation.of(c.nodes, c.pods),
    pdbs: c.pdbs ?? [],
    groupSizes: new Map([['pool', inGroup.size]]),
    unneededSince: c.unneededSince ?? new Map(),
    beingDeleted: new Set(),
    drainsInProgress: 0,
    options: DEFAULT_SCALE_DOWN_OPTIONS,
    checker,
    ...c.extra,
  });
}

const long = (...names: string[]) => new Map(names.map((n) => [n, NOW - 11 * MIN]));

test('an underutilized node whose pods fit elsewhere is unneeded, and removed after the unneeded time', () => {
  const nodes = [readyNode('a'), readyNode('b')];
  const pods = [runningPod('busy', 'a', { cpu: '3' }), runningPod('small', 'b', { cpu: '500m' })];
  const first = run({ nodes, pods });
  assert.deepEqual([...first.unneededSince], [['b', NOW]]);
  assert.equal(first.unremovable.get('a')?.reason, 'NotUnderutilized');
  assert.equal(first.unremovable.get('b')?.reason, 'NotUnneededLongEnough');
  assert.deepEqual(first.remove, []);
  const later = run({ nodes, pods, unneededSince: long('b') });
  assert.deepEqual(
    later.remove.map((r) => [r.node, r.podsToMove.map((p) => p.metadata.name)]),
    [['b', ['small']]],
  );
  assert.equal(later.unneededSince.get('b'), NOW - 11 * MIN, 'the first time found is kept');
});

test('pods with nowhere to go keep the node', () => {
  const nodes = [readyNode('a'), readyNode('b')];
  const pods = [runningPod('busy', 'a', { cpu: '3500m' }), runningPod('mid', 'b', { cpu: '1' })];
  const p = run({ nodes, pods, unneededSince: long('b') });
  assert.equal(p.unremovable.get('b')?.reason, 'NoPlaceToMovePods');
  assert.deepEqual(p.remove, []);
});

test('two nodes whose pods fit only one at a time: only one is unneeded', () => {
  const nodes = [readyNode('a'), readyNode('b'), readyNode('c')];
  const pods = [
    runningPod('fill', 'a', { cpu: '2' }),
    runningPod('pb', 'b', { cpu: '1500m' }),
    runningPod('pc', 'c', { cpu: '1500m' }),
  ];
  const p = run({ nodes, pods, unneededSince: long('a', 'b', 'c') });
  // a takes one of them (2 + 1.5 <= 4), not both; and once b is gone, c's pod cannot go to b.
  assert.deepEqual([...p.unneededSince.keys()], ['b']);
  assert.equal(p.unremovable.get('c')?.reason, 'NoPlaceToMovePods');
});

test('never below the group minimum', () => {
  const nodes = [readyNode('a'), readyNode('b')];
  const p = run({ nodes, pods: [], unneededSince: long('a', 'b') });
  assert.equal(p.remove.length, 1);
  assert.equal(p.unremovable.get(p.remove[0]!.node === 'a' ? 'b' : 'a')?.reason, 'NodeGroupMinSizeReached');
});

test('empty nodes go in bulk, nodes to drain one at a time', () => {
  const big = group('pool', { minSize: 0 });
  const nodes = ['a', 'b', 'c', 'd', 'e'].map((n) => readyNode(n));
  const pods = [runningPod('x', 'c', { cpu: '100m' }), runningPod('y', 'd', { cpu: '100m' })];
  const candidates = nodes
    .filter((n) => n.metadata.name !== 'e')
    .map((node) => ({ node, group: big, pods: pods.filter((p) => p.spec?.nodeName === node.metadata.name) }));
  const p = planScaleDown({
    now: NOW,
    candidates,
    sim: ClusterSimulation.of(nodes, pods),
    pdbs: [],
    groupSizes: new Map([['pool', 4]]),
    unneededSince: long('a', 'b', 'c', 'd'),
    beingDeleted: new Set(),
    drainsInProgress: 0,
    options: DEFAULT_SCALE_DOWN_OPTIONS,
    checker,
  });
  assert.deepEqual(
    p.remove.map((r) => r.node),
    ['a', 'b', 'c'],
  );
});

test('a PDB that allows one disruption blocks a node with two of its pods', () => {
  const nodes = [readyNode('a'), readyNode('b')];
  const pods = [0, 1].map((i) => runningPod(`w${i}`, 'b', { cpu: '100m', labels: { app: 'web' } }));
  const p = run({ nodes, pods, inGroup: ['b'], pdbs: [pdb('web', { app: 'web' }, 1)], unneededSince: long('b') });
  assert.match(p.unremovable.get('b')?.message ?? '', /^NotEnoughPdb/);
  const ok = run({ nodes, pods, inGroup: ['b'], pdbs: [pdb('web', { app: 'web' }, 2)], unneededSince: long('b') });
  assert.equal(ok.unneededSince.has('b'), true);
});

test('blocked pods and the scale-down-disabled annotation keep a node', () => {
  const nodes = [readyNode('a'), readyNode('b')];
  const bare = runningPod('bare', 'b');
  bare.metadata.ownerReferences = undefined;
  const p = run({ nodes, pods: [bare] });
  assert.equal(p.unremovable.get('b')?.reason, 'BlockedByPod');
  assert.match(p.unremovable.get('b')?.message ?? '', /^NotReplicated: default\/bare is not replicated/);
  nodes[0]!.metadata.annotations = { 'cluster-autoscaler.kubernetes.io/scale-down-disabled': 'true' };
  assert.equal(run({ nodes, pods: [] }).unremovable.get('a')?.reason, 'ScaleDownDisabledAnnotation');
});

test('an unready node is a candidate whatever its requests, after the unready time', () => {
  const nodes = [readyNode('a'), readyNode('b')];
  nodes[1]!.status!.conditions = [{ type: 'Ready', status: 'Unknown' }];
  const pods = [runningPod('heavy', 'b', { cpu: '3' })];
  const soon = run({ nodes, pods, inGroup: ['b'], unneededSince: long('b') });
  assert.equal(soon.unremovable.get('b')?.reason, 'NotUnreadyLongEnough');
  const later = run({
    nodes,
    pods,
    inGroup: ['b'],
    unneededSince: new Map([['b', NOW - 21 * MIN]]),
    extra: { groupSizes: new Map([['pool', 2]]) },
  });
  assert.deepEqual(
    later.remove.map((r) => r.node),
    ['b'],
  );
});

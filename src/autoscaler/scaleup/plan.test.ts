// The scale-up decision on plain objects, with cases after upstream's scale_up tests: exactly the nodes
// needed, pods left to the scheduler when room exists or is coming, the group whose nodes fit, max size,
// back-off, the expander's choice and upstream's event messages.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Node, Pod } from '../../core/types.js';
import { seededRandom } from '../../scheduler/framework/testing.js';
import { ClusterSimulation } from '../simulation/cluster.js';
import { FitChecker } from '../simulation/fit.js';
import { templateNode } from '../template.js';
import { group, pendingPod, readyNode, runningPod } from '../testing/fixtures.js';
import { newExpander, wastedScore } from './expander.js';
import { isUnschedulable, pendingForScaleUp } from './pending.js';
import {
  type GroupForScaleUp,
  minSizeIncreases,
  notTriggeredMessage,
  planScaleUp,
  REASON_BACKOFF,
  type ScaleUpInput,
  triggeredMessage,
} from './plan.js';

const checker = new FitChecker();
const expander = newExpander('least-waste', seededRandom(1));

function plan(
  pending: Pod[],
  groups: GroupForScaleUp[],
  nodes: Node[] = [],
  pods: Pod[] = [],
  extra: Partial<ScaleUpInput> = {},
) {
  return planScaleUp({ pending, sim: ClusterSimulation.of(nodes, pods), groups, expander, checker, ...extra });
}

const g4 = group('general', { minSize: 1, maxSize: 10 });
const view = (g = g4, targetSize = 1, blocked?: string): GroupForScaleUp => ({
  group: g,
  template: g.template,
  targetSize,
  ...(blocked ? { blocked } : {}),
});
const deployment = (n: number, cpu: string) =>
  Array.from({ length: n }, (_, i) => pendingPod(`web-${i}`, { cpu, labels: { app: 'web' } }));

test('a Deployment needing 3 more nodes than exist grows the group by exactly 3', () => {
  const node = readyNode('general-a', { cpu: '4', group: 'general' });
  const running = [
    runningPod('web-r0', 'general-a', { cpu: '1500m' }),
    runningPod('web-r1', 'general-a', { cpu: '1500m' }),
  ];
  const p = plan(deployment(6, '1500m'), [view()], [node], running);
  assert.equal(p.increases.length, 1);
  assert.deepEqual([p.increases[0]!.from, p.increases[0]!.to], [1, 4]);
  assert.equal(p.increases[0]!.pods.length, 6);
  assert.deepEqual(p.schedulable, []);
  assert.deepEqual(p.notTriggered, []);
  assert.equal(triggeredMessage(p.increases[0]!), 'pod triggered scale-up: [{general 1->4 (max: 10)}]');
});

test('pods that fit free room, or nodes still coming up, do not trigger a scale-up', () => {
  const node = readyNode('general-a', { cpu: '4', group: 'general' });
  const free = plan(deployment(2, '1'), [view()], [node]);
  assert.equal(free.increases.length, 0);
  assert.equal(free.schedulable.length, 2);

  const sim = ClusterSimulation.of([]);
  sim.addNode(templateNode(g4, 'upcoming-general-0'));
  const coming = planScaleUp({ pending: deployment(2, '1500m'), sim, groups: [view(g4, 1)], expander, checker });
  assert.equal(coming.increases.length, 0);
  assert.equal(coming.schedulable.length, 2);
});

test('never beyond maxSize; pods left over are told why', () => {
  const small = group('small', { maxSize: 2 });
  const p = plan(deployment(6, '3'), [view(small, 1)]);
  assert.deepEqual([p.increases[0]!.from, p.increases[0]!.to], [1, 2]);
  assert.equal(p.increases[0]!.pods.length, 1);
  assert.equal(p.notTriggered.length, 5);
  assert.equal(p.notTriggered[0]!.message, "pod didn't trigger scale-up: 1 max node group size reached");
});

test('NotTriggerScaleUp counts each reason over the groups, sorted as upstream', () => {
  const gpu = group('gpu', { template: { taints: [{ key: 'nvidia.com/gpu', value: 'true', effect: 'NoSchedule' }] } });
  const ssd = group('ssd', { template: { labels: { disk: 'ssd' } } });
  const backedOff = group('broken');
  const huge = pendingPod('huge', { cpu: '64', nodeSelector: { disk: 'ssd' } });
  const p = plan([huge], [view(gpu, 0), view(ssd, 0), view(backedOff, 0, REASON_BACKOFF)]);
  assert.equal(p.increases.length, 0);
  assert.equal(
    p.notTriggered[0]!.message,
    "pod didn't trigger scale-up: 1 Insufficient cpu, 1 in backoff after failed scale-up, 1 node(s) had untolerated taint {nvidia.com/gpu: true}",
  );
  assert.equal(notTriggeredMessage(new Map()), "pod didn't trigger scale-up: no node groups");
});

test('pods that need different groups are all answered in one pass', () => {
  const gpu = group('gpu', {
    template: { labels: { accel: 'gpu' }, taints: [{ key: 'accel', value: 'gpu', effect: 'NoSchedule' }] },
  });
  const pods = [
    pendingPod('train', {
      cpu: '1',
      nodeSelector: { accel: 'gpu' },
      tolerations: [{ key: 'accel', operator: 'Exists' }],
    }),
    ...deployment(3, '3'),
  ];
  const p = plan(pods, [view(g4, 1), view(gpu, 0)]);
  const byGroup = Object.fromEntries(p.increases.map((i) => [i.group.name, [i.from, i.to]]));
  assert.deepEqual(byGroup, { general: [1, 4], gpu: [0, 1] });
  assert.deepEqual(p.notTriggered, []);
});

test('least-waste picks the group whose nodes the pods fill best; priority picks the highest', () => {
  const big = group('big', { priority: 10, template: { capacity: { cpu: '16', memory: '64Gi' } } });
  const small = group('small', { priority: 1, template: { capacity: { cpu: '2', memory: '4Gi' } } });
  const pods = deployment(2, '1500m');
  const lw = plan(pods, [view(big, 0), view(small, 0)]);
  assert.deepEqual(
    lw.increases.map((i) => [i.group.name, i.to]),
    [['small', 2]],
  );
  const pr = planScaleUp({
    pending: pods,
    sim: ClusterSimulation.of([]),
    groups: [view(big, 0), view(small, 0)],
    expander: newExpander('priority'),
    checker,
  });
  assert.deepEqual(
    pr.increases.map((i) => [i.group.name, i.to]),
    [['big', 1]],
  );
});

test('wasted score is upstream leastwaste: idle share of cpu plus idle share of memory', () => {
  const g = group('g', { template: { capacity: { cpu: '2', memory: '4Gi' } } });
  const score = wastedScore({
    group: g,
    template: g.template,
    nodeCount: 1,
    pods: [pendingPod('p', { cpu: '1', memory: '1Gi' })],
  });
  assert.equal(score, 0.5 + 0.75);
});

test('random picks among all options with the given random source', () => {
  const a = group('a');
  const b = group('b');
  const options = [a, b].map((g) => ({ group: g, template: g.template, nodeCount: 1, pods: [] }));
  assert.equal(newExpander('random', () => 0.99)(options)?.group.name, 'b');
  assert.equal(newExpander('random', () => 0)(options)?.group.name, 'a');
  assert.equal(newExpander('random')([]), undefined);
});

test('the cluster-wide node limit holds across groups', () => {
  const p = plan(deployment(6, '3'), [view(g4, 1)], [], [], { maxNodesTotal: 3, nodesTotal: 1 });
  assert.deepEqual([p.increases[0]!.from, p.increases[0]!.to], [1, 3]);
  assert.equal(p.notTriggered[0]!.message, "pod didn't trigger scale-up: 1 max node total count already reached");
});

test('groups below minSize grow to it unless blocked', () => {
  assert.deepEqual(
    minSizeIncreases([
      view(g4, 0),
      view(group('b', { minSize: 2 }), 2),
      view(group('c', { minSize: 1 }), 0, REASON_BACKOFF),
    ]).map((i) => [i.group.name, i.from, i.to]),
    [['general', 0, 1]],
  );
});

test('pending pods: unschedulable, unbound, old enough (new-pod-scale-up-delay)', () => {
  const old = pendingPod('old', { creationTimestamp: '2025-01-01T00:00:00Z' });
  const young = pendingPod('young', { creationTimestamp: '2025-01-01T00:00:08Z' });
  const bound = pendingPod('bound', { nodeName: 'n' });
  const waiting = pendingPod('waiting');
  waiting.status = { phase: 'Pending' };
  assert.equal(isUnschedulable(bound), false);
  assert.equal(isUnschedulable(waiting), false);
  const now = Date.parse('2025-01-01T00:00:10Z');
  const r = pendingForScaleUp([old, young, bound, waiting], now, 5000);
  assert.deepEqual(
    r.ready.map((p) => p.metadata.name),
    ['old'],
  );
  assert.equal(r.nextAt, Date.parse('2025-01-01T00:00:13Z'));
  assert.equal(pendingForScaleUp([old, young], now, 0).ready.length, 2);
});

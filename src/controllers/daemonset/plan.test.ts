import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { DaemonSet, DaemonSetSpec, Node, Pod } from '../../core/index.js';
import { newDaemonPod, targetNodeName } from './daemon-pod.js';
import { nodeShouldRunDaemonPod } from './eligibility.js';
import { planHistory, templateHash } from './history.js';
import { planDaemonSet } from './plan.js';

const NOW = Date.parse('2025-01-01T00:10:00Z');
const ds = (
  maxUnavailable: number | string = 1,
  maxSurge: number | string = 0,
): DaemonSet & { spec: DaemonSetSpec } => ({
  metadata: { name: 'agent', namespace: 'kube-system', uid: 'ds-uid', generation: 2 },
  spec: {
    selector: { matchLabels: { app: 'agent' } },
    template: {
      metadata: { labels: { app: 'agent' } },
      spec: { containers: [{ name: 'a', image: 'x' }], nodeSelector: { role: 'worker' } },
    },
    updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable, maxSurge } },
  },
});
const node = (
  name: string,
  labels: Record<string, string> = { role: 'worker' },
  taints: NonNullable<Node['spec']>['taints'] = [],
): Node => ({
  metadata: { name, labels },
  spec: { taints },
});
const podOn = (d: DaemonSet, nodeName: string, hash: string, ready = true, name = `${nodeName}-${hash}`): Pod => {
  const p = newDaemonPod(d, nodeName, hash);
  p.metadata.name = name;
  p.metadata.creationTimestamp = '2025-01-01T00:00:00Z';
  p.status = {
    phase: 'Running',
    conditions: [{ type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: '2025-01-01T00:00:00Z' }],
  };
  return p;
};

test('daemon pods get the daemonset tolerations and a metadata.name affinity to their node', () => {
  const p = newDaemonPod(ds(), 'n1', 'h1');
  assert.equal(targetNodeName(p), 'n1');
  assert.equal(p.metadata.labels?.['controller-revision-hash'], 'h1');
  assert.equal(p.metadata.labels?.['pod-template-generation'], '2');
  const keys = p.spec.tolerations?.map((t) => `${t.key}:${t.effect}`);
  assert.ok(keys?.includes('node.kubernetes.io/unreachable:NoExecute'));
  assert.ok(keys?.includes('node.kubernetes.io/unschedulable:NoSchedule'));
  assert.equal(p.spec.tolerations?.find((t) => t.key === 'node.kubernetes.io/not-ready')?.tolerationSeconds, undefined);
});

test('eligibility: nodeSelector, untolerated NoSchedule blocks new pods, NoExecute evicts', () => {
  const spec = newDaemonPod(ds(), 'x', 'h').spec;
  spec.affinity = undefined;
  assert.deepEqual(nodeShouldRunDaemonPod(spec, node('a')), { shouldRun: true, shouldContinueRunning: true });
  assert.deepEqual(nodeShouldRunDaemonPod(spec, node('b', {})), { shouldRun: false, shouldContinueRunning: false });
  assert.deepEqual(nodeShouldRunDaemonPod(spec, node('c', undefined, [{ key: 'gpu', effect: 'NoSchedule' }])), {
    shouldRun: false,
    shouldContinueRunning: true,
  });
  assert.deepEqual(nodeShouldRunDaemonPod(spec, node('d', undefined, [{ key: 'gpu', effect: 'NoExecute' }])), {
    shouldRun: false,
    shouldContinueRunning: false,
  });
  // Tolerated by default: cordoned and unreachable nodes keep their daemon pods.
  assert.equal(
    nodeShouldRunDaemonPod(
      spec,
      node('e', undefined, [{ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }]),
    ).shouldRun,
    true,
  );
});

test('one pod per eligible node, surplus and misplaced pods deleted, status counted', () => {
  const d = ds();
  const hash = templateHash(d.spec.template);
  const nodes = [node('n1'), node('n2'), node('n3'), node('master', {})];
  const pods = [
    podOn(d, 'n1', hash),
    podOn(d, 'n1', hash, true, 'n1-dup'),
    podOn(d, 'master', hash),
    podOn(d, 'gone', hash),
  ];
  pods[1]!.metadata.creationTimestamp = '2025-01-01T00:05:00Z';
  const plan = planDaemonSet(d, nodes, pods, hash, NOW);
  assert.deepEqual(plan.create.sort(), ['n2', 'n3']);
  assert.deepEqual(plan.delete.map((x) => `${x.pod.metadata.name}:${x.reason}`).sort(), [
    'gone-' + hash + ':node-gone',
    'master-' + hash + ':misscheduled',
    'n1-dup:surplus',
  ]);
  assert.deepEqual(plan.status, {
    currentNumberScheduled: 1,
    numberMisscheduled: 1,
    desiredNumberScheduled: 3,
    numberReady: 1,
    updatedNumberScheduled: 1,
    numberAvailable: 1,
    numberUnavailable: 2,
  });
});

test('rolling update deletes old pods within maxUnavailable; maxSurge creates first', () => {
  const d = ds(2);
  const nodes = ['n1', 'n2', 'n3', 'n4'].map((n) => node(n));
  const pods = nodes.map((n) => podOn(d, n.metadata.name!, 'old'));
  const plan = planDaemonSet(d, nodes, pods, 'new', NOW);
  assert.equal(plan.create.length, 0);
  assert.equal(plan.delete.filter((x) => x.reason === 'rollout').length, 2);
  // One node already unavailable (its new pod not ready): only one more old pod may go.
  const pods2 = [podOn(d, 'n1', 'new', false), ...pods.slice(1)];
  assert.equal(planDaemonSet(d, nodes, pods2, 'new', NOW).delete.length, 1);
  const surge = ds(0, 1);
  const s1 = planDaemonSet(surge, nodes, pods, 'new', NOW);
  assert.equal(s1.create.length, 1);
  assert.equal(s1.delete.length, 0);
  const s2 = planDaemonSet(surge, nodes, [...pods, podOn(surge, s1.create[0]!, 'new')], 'new', NOW);
  assert.deepEqual(
    s2.delete.map((x) => x.pod.metadata.name),
    [`${s1.create[0]}-old`],
  );
});

test('history: create the revision once, bump a reused one, prune beyond the limit', () => {
  const d = { ...ds(), spec: { ...ds().spec, revisionHistoryLimit: 1 } };
  const h = templateHash(d.spec.template);
  assert.match(h, /^[bcdfghjklmnpqrstvwxz2456789]+$/);
  assert.notEqual(templateHash(d.spec.template, 1), h);
  const first = planHistory(d, h, [], new Set());
  assert.equal(first.current.action, 'create');
  assert.equal(first.current.revision.revision, 1);
  assert.equal(first.current.revision.metadata.name, `agent-${h}`);
  const rev = (name: string, hash: string, revision: number) => ({
    metadata: { name, labels: { 'controller-revision-hash': hash } },
    revision,
  });
  const existing = [rev(`agent-${h}`, h, 1), rev('agent-b', 'b', 2), rev('agent-c', 'c', 3), rev('agent-d', 'd', 4)];
  const bumped = planHistory(d, h, existing, new Set(['c']));
  assert.equal(bumped.current.action, 'bump');
  assert.equal(bumped.current.revision.revision, 5);
  assert.deepEqual(
    bumped.prune.map((r) => r.metadata.name),
    ['agent-b'],
  );
});

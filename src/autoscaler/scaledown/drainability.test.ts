// Upstream's drainability rules (simulator/drainability/rules and utils/drain), one case each.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Pod } from '../../core/types.js';
import { pdb, runningPod } from '../testing/fixtures.js';
import { DEFAULT_DRAIN_RULES, hasBlockingLocalStorage, isLongTerminating, podDrainability } from './drainability.js';
import { PdbTracker } from './pdb-tracker.js';
import { nodeUtilization } from './utilization.js';
import { readyNode } from '../testing/fixtures.js';

const NOW = Date.parse('2025-01-01T01:00:00Z');
const none = new PdbTracker([]);
const kind = (p: Pod, pdbs = none, rules = DEFAULT_DRAIN_RULES) => {
  const d = podDrainability(p, pdbs, rules, NOW);
  return d.kind === 'blocked' ? d.reason : d.kind;
};
const withAnnotations = (p: Pod, annotations: Record<string, string>) => {
  p.metadata.annotations = annotations;
  return p;
};
const bare = () => {
  const p = runningPod('bare', 'n');
  p.metadata.ownerReferences = undefined;
  return p;
};

test('a replicated pod moves', () => {
  assert.equal(kind(runningPod('p', 'n')), 'move');
});

test('mirror and long-terminating pods go with the node; finished pods are left', () => {
  assert.equal(kind(withAnnotations(bare(), { 'kubernetes.io/config.mirror': 'abc' })), 'skip');
  const terminating = bare();
  terminating.metadata.deletionTimestamp = '2025-01-01T00:58:00Z';
  terminating.spec.terminationGracePeriodSeconds = 30;
  assert.equal(isLongTerminating(terminating, NOW), true);
  assert.equal(kind(terminating), 'skip');
  terminating.metadata.deletionTimestamp = '2025-01-01T00:59:40Z';
  assert.equal(isLongTerminating(terminating, NOW), false);
  const done = runningPod('done', 'n');
  done.status = { phase: 'Succeeded' };
  assert.equal(kind(done), 'skip');
});

test('DaemonSet pods are evicted, not moved', () => {
  const p = runningPod('ds', 'n');
  p.metadata.ownerReferences = [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'ds', uid: 'u', controller: true }];
  assert.equal(kind(p), 'daemonset');
});

test('a pod without a controller blocks (NotReplicated), unless safe-to-evict is "true"', () => {
  assert.equal(kind(bare()), 'NotReplicated');
  assert.equal(kind(withAnnotations(bare(), { 'cluster-autoscaler.kubernetes.io/safe-to-evict': 'true' })), 'move');
});

test('kube-system pods block without a PDB, and move with one (when the system-pods rule is on)', () => {
  const sys = runningPod('dns', 'n', { namespace: 'kube-system', labels: { k8s: 'dns' } });
  assert.equal(kind(sys), 'UnmovableKubeSystemPod');
  const budget = pdb('dns', { k8s: 'dns' }, 1);
  budget.metadata.namespace = 'kube-system';
  assert.equal(kind(sys, new PdbTracker([budget])), 'move');
  assert.equal(kind(sys, none, { ...DEFAULT_DRAIN_RULES, skipNodesWithSystemPods: false }), 'move');
});

test('safe-to-evict "false" blocks', () => {
  assert.equal(
    kind(withAnnotations(runningPod('p', 'n'), { 'cluster-autoscaler.kubernetes.io/safe-to-evict': 'false' })),
    'NotSafeToEvictAnnotation',
  );
});

test('hostPath and disk emptyDir block, memory emptyDir and listed volumes do not', () => {
  const p = runningPod('p', 'n');
  p.spec.volumes = [{ name: 'scratch', emptyDir: {} }];
  assert.equal(kind(p), 'LocalStorageRequested');
  assert.equal(kind(p, none, { ...DEFAULT_DRAIN_RULES, skipNodesWithLocalStorage: false }), 'move');
  p.spec.volumes = [{ name: 'shm', emptyDir: { medium: 'Memory' } }];
  assert.equal(hasBlockingLocalStorage(p), false);
  p.spec.volumes = [
    { name: 'scratch', emptyDir: {} },
    { name: 'host', hostPath: { path: '/var/log' } },
  ];
  withAnnotations(p, { 'cluster-autoscaler.kubernetes.io/safe-to-evict-local-volumes': 'scratch' });
  assert.equal(kind(p), 'LocalStorageRequested');
  withAnnotations(p, { 'cluster-autoscaler.kubernetes.io/safe-to-evict-local-volumes': 'scratch,host' });
  assert.equal(kind(p), 'move');
});

test('a budget with no disruption left blocks; one without a status yet allows none', () => {
  const p = runningPod('web', 'n', { labels: { app: 'web' } });
  assert.equal(kind(p, new PdbTracker([pdb('web', { app: 'web' }, 0)])), 'NotEnoughPdb');
  assert.equal(kind(p, new PdbTracker([pdb('web', { app: 'web' })])), 'NotEnoughPdb');
  assert.equal(kind(p, new PdbTracker([pdb('web', { app: 'web' }, 1)])), 'move');
  assert.equal(kind(p, new PdbTracker([pdb('other', { app: 'other' }, 0)])), 'move');
});

test('the tracker spends disruptions across pods and nodes', () => {
  const t = new PdbTracker([pdb('web', { app: 'web' }, 2)]);
  const pods = [0, 1, 2].map((i) => runningPod(`w${i}`, 'n', { labels: { app: 'web' } }));
  assert.equal(t.blocking(pods.slice(0, 2)), undefined);
  assert.equal(t.blocking(pods)?.pod.metadata.name, 'w2');
  t.remove(pods.slice(0, 1));
  assert.equal(t.blocking(pods.slice(1, 2)), undefined);
  assert.equal(t.blocking(pods.slice(1, 3))?.pod.metadata.name, 'w2');
});

test('utilization is the larger of the cpu and memory shares of the requests', () => {
  const node = readyNode('n', { cpu: '4', memory: '8Gi' });
  const pods = [
    runningPod('a', 'n', { cpu: '1', memory: '1Gi' }),
    runningPod('b', 'n', { cpu: '500m', memory: '3Gi' }),
  ];
  const u = nodeUtilization(node, pods, NOW);
  assert.equal(u.cpu, 0.375);
  assert.equal(u.memory, 0.5);
  assert.equal(u.max, 0.5);
  const ds = runningPod('ds', 'n', { cpu: '2' });
  ds.metadata.ownerReferences = [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'ds', uid: 'u', controller: true }];
  assert.equal(nodeUtilization(node, [ds], NOW).max, 0.5);
  assert.equal(nodeUtilization(node, [ds], NOW, { ignoreDaemonSets: true }).max, 0);
});

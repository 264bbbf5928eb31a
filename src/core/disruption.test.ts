import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  budgetsForPod,
  decideEviction,
  disruptionConditionUpToDate,
  updateDisruptionAllowedCondition,
} from './disruption.js';
import { scaledValueFromIntOrPercent } from './intstr.js';
import type { Pod, PodDisruptionBudget } from './types.js';

const NOW = Date.parse('2025-03-01T12:00:00Z');

function pod(o: { ready?: boolean; phase?: string; labels?: Record<string, string>; deleting?: boolean } = {}): Pod {
  return {
    metadata: {
      name: 'web-1',
      namespace: 'ns',
      resourceVersion: '42',
      labels: o.labels ?? { app: 'web' },
      ...(o.deleting ? { deletionTimestamp: '2025-03-01T11:59:00Z' } : {}),
    },
    spec: { containers: [] },
    status: {
      phase: o.phase ?? 'Running',
      conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True' }],
    },
  };
}

function pdb(status: Partial<NonNullable<PodDisruptionBudget['status']>>, extra: Partial<PodDisruptionBudget> = {}) {
  return {
    metadata: { name: 'web-pdb', namespace: 'ns', generation: 2 },
    spec: { selector: { matchLabels: { app: 'web' } }, minAvailable: 2 },
    status: {
      observedGeneration: 2,
      currentHealthy: 3,
      desiredHealthy: 2,
      expectedPods: 3,
      disruptionsAllowed: 1,
      ...status,
    },
    ...extra,
  } as PodDisruptionBudget;
}

test('intstr: ints as they are, percentages of the total rounded up or down, errors as upstream', () => {
  assert.equal(scaledValueFromIntOrPercent(3, 10, true), 3);
  assert.equal(scaledValueFromIntOrPercent('25%', 10, true), 3);
  assert.equal(scaledValueFromIntOrPercent('25%', 10, false), 2);
  assert.equal(scaledValueFromIntOrPercent('100%', 0, true), 0);
  assert.throws(() => scaledValueFromIntOrPercent('5', 10, true), /string is not a percentage/);
  assert.throws(() => scaledValueFromIntOrPercent('x%', 10, true), /invalid value "x%"/);
  assert.throws(() => scaledValueFromIntOrPercent(undefined, 10, true), /nil value for IntOrString/);
});

test('budgets for a pod: same namespace, matching selector; an empty selector matches all, none matches nothing', () => {
  const all = pdb({}, { spec: { selector: {} } });
  const none = pdb({}, { spec: {} });
  const other = { ...pdb({}), metadata: { name: 'x', namespace: 'other' } };
  assert.deepEqual(
    budgetsForPod(pod(), [pdb({}), all, none, other]).map((b) => b.spec?.selector),
    [{ matchLabels: { app: 'web' } }, {}],
  );
});

test('eviction: terminal, pending and terminating pods are deleted without a budget check', () => {
  const blocked = [pdb({ disruptionsAllowed: 0 })];
  for (const p of [
    pod({ phase: 'Succeeded' }),
    pod({ phase: 'Failed' }),
    pod({ phase: 'Pending' }),
    pod({ deleting: true }),
  ]) {
    assert.deepEqual(decideEviction(p, blocked, NOW), { action: 'delete' });
  }
  assert.deepEqual(decideEviction(pod(), [], NOW), { action: 'delete' }, 'no budget');
});

test('eviction: decrement disruptionsAllowed and record the pod; the condition flips at zero', () => {
  const d = decideEviction(pod(), [pdb({ conditions: [] })], NOW);
  assert.equal(d.action, 'decrement');
  if (d.action !== 'decrement') return;
  assert.equal(d.budget.status?.disruptionsAllowed, 0);
  assert.deepEqual(d.budget.status?.disruptedPods, { 'web-1': '2025-03-01T12:00:00Z' });
  const cond = d.budget.status?.conditions?.[0];
  assert.deepEqual([cond?.type, cond?.status, cond?.reason], ['DisruptionAllowed', 'False', 'InsufficientPods']);
  const dry = decideEviction(pod(), [pdb({})], NOW, { dryRun: true });
  assert.equal(dry.action === 'decrement' && dry.budget.status?.disruptedPods, undefined, 'a dry run records nothing');
});

test('eviction: 429 when no disruption is allowed or the budget is not processed yet; 500 with two budgets', () => {
  const none = decideEviction(pod(), [pdb({ disruptionsAllowed: 0, currentHealthy: 2 })], NOW);
  assert.equal(none.action, 'reject');
  if (none.action === 'reject') {
    const s = none.error.toStatus();
    assert.equal(s.code, 429);
    assert.equal(s.message, "Cannot evict pod as it would violate the pod's disruption budget.");
    assert.deepEqual(s.details?.causes, [
      { reason: 'DisruptionBudget', message: 'The disruption budget web-pdb needs 2 healthy pods and has 2 currently' },
    ]);
  }
  const stale = decideEviction(pod(), [pdb({ observedGeneration: 1 })], NOW);
  assert.equal(stale.action === 'reject' && stale.error.toStatus().details?.retryAfterSeconds, 10);
  assert.match(
    stale.action === 'reject' ? String(stale.error.toStatus().details?.causes?.[0]?.message) : '',
    /is still being processed by the server/,
  );
  const two = decideEviction(pod(), [pdb({}), pdb({}, { metadata: { name: 'b', namespace: 'ns' } })], NOW);
  assert.equal(two.action === 'reject' && two.error.code, 500);
  const negative = decideEviction(pod(), [pdb({ disruptionsAllowed: -1 })], NOW);
  assert.equal(negative.action === 'reject' && negative.error.code, 403);
});

test('eviction of an unready pod: IfHealthyBudget needs a healthy budget, AlwaysAllow always lets it go', () => {
  const unready = pod({ ready: false });
  assert.deepEqual(decideEviction(unready, [pdb({ disruptionsAllowed: 0, currentHealthy: 2 })], NOW), {
    action: 'delete',
    resourceVersion: '42',
  });
  const unhealthyBudget = pdb({ disruptionsAllowed: 0, currentHealthy: 1 });
  assert.equal(decideEviction(unready, [unhealthyBudget], NOW).action, 'reject');
  const always = pdb({ disruptionsAllowed: 0, currentHealthy: 1 });
  always.spec = { ...always.spec, unhealthyPodEvictionPolicy: 'AlwaysAllow' };
  assert.deepEqual(decideEviction(unready, [always], NOW), { action: 'delete', resourceVersion: '42' });
});

test('DisruptionAllowed condition: set, moved only on a status change, and checked against the generation', () => {
  const b = pdb({ disruptionsAllowed: 1, conditions: [] });
  updateDisruptionAllowedCondition(b.status!, NOW);
  assert.equal(b.status?.conditions?.[0]?.lastTransitionTime, '2025-03-01T12:00:00Z');
  assert.equal(disruptionConditionUpToDate(b), true);
  updateDisruptionAllowedCondition(b.status!, NOW + 60_000);
  assert.equal(b.status?.conditions?.[0]?.lastTransitionTime, '2025-03-01T12:00:00Z', 'same status: time kept');
  b.status!.disruptionsAllowed = 0;
  assert.equal(disruptionConditionUpToDate(b), false);
  updateDisruptionAllowedCondition(b.status!, NOW + 60_000);
  assert.equal(b.status?.conditions?.[0]?.lastTransitionTime, '2025-03-01T12:01:00Z');
  b.metadata.generation = 3;
  assert.equal(disruptionConditionUpToDate(b), false, 'an unobserved generation is never up to date');
});

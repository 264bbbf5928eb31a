import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Deployment, ReplicaSet } from '../../core/index.js';
import { calculateStatus, getCondition, pausedCondition, rolloutStatus } from './status.js';

const T0 = Date.parse('2026-01-01T00:00:00Z');

function deploy(status?: Deployment['status']): Deployment {
  return {
    metadata: { name: 'web', namespace: 'default', generation: 4 },
    spec: {
      replicas: 4,
      progressDeadlineSeconds: 600,
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 1 } },
    },
    status,
  } as Deployment;
}

function rs(name: string, replicas: number, ready: number, available: number): ReplicaSet {
  return {
    metadata: { name },
    spec: { replicas },
    status: { replicas, readyReplicas: ready, availableReplicas: available },
  } as ReplicaSet;
}

test('status sums the ReplicaSets; Available follows maxUnavailable', () => {
  const neu = rs('new', 2, 2, 1);
  const s = calculateStatus(deploy(), [rs('old', 3, 3, 3), neu], neu, T0);
  assert.equal(s.observedGeneration, 4);
  assert.equal(s.replicas, 5);
  assert.equal(s.updatedReplicas, 2);
  assert.equal(s.readyReplicas, 5);
  assert.equal(s.availableReplicas, 4);
  assert.equal(s.unavailableReplicas, 1);
  assert.equal(getCondition(s, 'Available')?.reason, 'MinimumReplicasAvailable');
  const low = calculateStatus(deploy(), [rs('new', 4, 2, 2)], undefined, T0);
  assert.equal(getCondition(low, 'Available')?.status, 'False');
  assert.equal(getCondition(low, 'Available')?.reason, 'MinimumReplicasUnavailable');
});

test('Progressing: ReplicaSetUpdated on progress, NewReplicaSetAvailable when complete, deadline exceeded when stuck', () => {
  const neu = rs('web-1', 4, 2, 2);
  const before = deploy({ replicas: 4, updatedReplicas: 0, readyReplicas: 4, availableReplicas: 4 });
  const progressing = rolloutStatus(before, [rs('old', 2, 2, 2), neu], neu, T0);
  assert.equal(getCondition(progressing.status, 'Progressing')?.reason, 'ReplicaSetUpdated');
  assert.equal(getCondition(progressing.status, 'Progressing')?.message, 'ReplicaSet "web-1" is progressing.');
  assert.ok(
    progressing.recheckAfterMs !== undefined && progressing.recheckAfterMs > 599_000,
    'recheck at the deadline',
  );

  // no progress for longer than the deadline
  const stuck = deploy(progressing.status);
  const later = rolloutStatus(stuck, [rs('old', 2, 2, 2), neu], neu, T0 + 601_000);
  assert.equal(getCondition(later.status, 'Progressing')?.status, 'False');
  assert.equal(getCondition(later.status, 'Progressing')?.reason, 'ProgressDeadlineExceeded');

  const done = rs('web-1', 4, 4, 4);
  const complete = rolloutStatus(deploy(progressing.status), [rs('old', 0, 0, 0), done], done, T0 + 5000);
  assert.equal(getCondition(complete.status, 'Progressing')?.reason, 'NewReplicaSetAvailable');
  assert.equal(
    getCondition(complete.status, 'Progressing')?.message,
    'ReplicaSet "web-1" has successfully progressed.',
  );
  assert.equal(complete.recheckAfterMs, undefined);
});

test('ReplicaFailure of a ReplicaSet surfaces on the deployment', () => {
  const failing: ReplicaSet = {
    ...rs('web-1', 4, 0, 0),
    status: {
      replicas: 0,
      conditions: [{ type: 'ReplicaFailure', status: 'True', reason: 'FailedCreate', message: 'quota' }],
    },
  };
  const s = rolloutStatus(deploy(), [failing], failing, T0).status;
  assert.equal(getCondition(s, 'ReplicaFailure')?.reason, 'FailedCreate');
});

test('paused and resumed reasons on Progressing', () => {
  const d = deploy({});
  d.spec!.paused = true;
  const s = { conditions: [] };
  assert.equal(pausedCondition(d, s, T0), true);
  assert.equal(getCondition(s, 'Progressing')?.reason, 'DeploymentPaused');
  assert.equal(pausedCondition(d, s, T0), false, 'no change the second time');
  d.spec!.paused = false;
  assert.equal(pausedCondition(d, s, T0), true);
  assert.equal(getCondition(s, 'Progressing')?.reason, 'DeploymentResumed');
});

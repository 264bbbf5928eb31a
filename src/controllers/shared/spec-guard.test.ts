// The rules that keep controllers from acting on unusable specs, on plain objects.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isInt32, problemsMessage, specProblems } from './spec-guard.js';

const deployment = (spec: unknown) => ({ metadata: { name: 'd' }, spec });

test('replicas of the wrong type or beyond int32 are problems; usable counts are not', () => {
  for (const bad of [[1], '3', 1.5, true, {}, 1e308, -1, 2147483648, Number.NaN]) {
    const p = specProblems('Deployment', deployment({ replicas: bad, template: {} }));
    assert.equal(p.length, 1, `replicas ${JSON.stringify(bad)}`);
    assert.equal(p[0]!.field, 'spec.replicas');
  }
  for (const good of [0, 1, 2147483647, undefined]) {
    assert.deepEqual(specProblems('Deployment', deployment({ replicas: good, template: {} })), []);
  }
});

test('messages name the field and the value as upstream field errors do', () => {
  assert.equal(
    problemsMessage(specProblems('ReplicaSet', { metadata: {}, spec: { replicas: [1] } })),
    'spec.replicas: Invalid value: [1]: must be of type integer',
  );
  assert.equal(
    problemsMessage(specProblems('ReplicaSet', { metadata: {}, spec: { replicas: 1e308 } })),
    'spec.replicas: Invalid value: 1e+308: must be between 0 and 2147483647, inclusive',
  );
});

test('a spec that is not an object is one problem, not one per rule', () => {
  assert.deepEqual(
    specProblems('StatefulSet', { metadata: {}, spec: 7 }).map((p) => p.field),
    ['spec'],
  );
});

test('intstr budgets, array members and booleans per kind', () => {
  assert.deepEqual(
    specProblems(
      'Deployment',
      deployment({ strategy: { rollingUpdate: { maxSurge: '25%', maxUnavailable: 'x' } } }),
    ).map((p) => p.field),
    ['spec.strategy.rollingUpdate.maxUnavailable'],
  );
  const hpa = {
    metadata: {},
    spec: {
      scaleTargetRef: { kind: 'Deployment', name: 'd' },
      maxReplicas: 10,
      behavior: {
        scaleUp: {
          policies: [
            { type: 'Pods', value: 4, periodSeconds: 15 },
            { value: 0, periodSeconds: 15 },
          ],
        },
      },
    },
  };
  assert.deepEqual(
    specProblems('HorizontalPodAutoscaler', hpa).map((p) => p.field),
    ['spec.behavior.scaleUp.policies[1].value'],
  );
  assert.deepEqual(
    specProblems('HorizontalPodAutoscaler', { metadata: {}, spec: { scaleTargetRef: {}, maxReplicas: [1] } }).map(
      (p) => p.field,
    ),
    ['spec.maxReplicas'],
  );
  assert.deepEqual(
    specProblems('Job', { metadata: {}, spec: { parallelism: 2, suspend: 'yes', template: {} } }).map((p) => p.field),
    ['spec.suspend'],
  );
  assert.deepEqual(specProblems('CronJob', { metadata: {}, spec: { schedule: '* * * * *', jobTemplate: {} } }), []);
  assert.equal(isInt32(3), true);
  assert.equal(isInt32('3'), false);
});

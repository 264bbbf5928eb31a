import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Job, Pod } from '../../core/index.js';
import type { batchv1 } from '../../core/types.js';
import { matchPodFailurePolicy } from './failure-policy.js';

const job = (rules: batchv1.PodFailurePolicyRule[], backoffLimitPerIndex?: number): Job => ({
  metadata: { name: 'j', namespace: 'ns' },
  spec: {
    template: { spec: { containers: [{ name: 'main' }], restartPolicy: 'Never' } },
    podFailurePolicy: { rules },
    ...(backoffLimitPerIndex !== undefined ? { backoffLimitPerIndex, completionMode: 'Indexed' } : {}),
  },
});
const failed = (codes: Record<string, number | undefined>, conditions: { type: string; status: string }[] = []): Pod =>
  ({
    metadata: { name: 'p', namespace: 'ns' },
    spec: { containers: [] },
    status: {
      phase: 'Failed',
      conditions,
      containerStatuses: Object.entries(codes).map(([name, exitCode]) => ({
        name,
        state: exitCode === undefined ? { running: {} } : { terminated: { exitCode } },
      })),
    },
  }) as unknown as Pod;

test('onExitCodes In: FailJob with upstream message; no match counts', () => {
  const j = job([{ action: 'FailJob', onExitCodes: { operator: 'In', values: [42] } }]);
  assert.deepEqual(matchPodFailurePolicy(j, failed({ main: 42 })), {
    action: 'FailJob',
    counts: true,
    rule: 0,
    message: 'Container main for pod ns/p failed with exit code 42 matching FailJob rule at index 0',
  });
  assert.deepEqual(matchPodFailurePolicy(j, failed({ main: 1 })), { action: 'Count', counts: true });
  // A container still running has no exit code to match.
  assert.equal(matchPodFailurePolicy(j, failed({ main: undefined })).action, 'Count');
});

test('onExitCodes NotIn never matches exit code 0; containerName restricts; rules go in order', () => {
  const j = job([
    { action: 'Ignore', onExitCodes: { containerName: 'side', operator: 'In', values: [3] } },
    { action: 'FailJob', onExitCodes: { operator: 'NotIn', values: [3] } },
  ]);
  assert.equal(matchPodFailurePolicy(j, failed({ main: 0, side: 3 })).action, 'Ignore');
  assert.equal(matchPodFailurePolicy(j, failed({ main: 3 })).action, 'Count');
  const v = matchPodFailurePolicy(j, failed({ main: 0, other: 7 }));
  assert.equal(v.action, 'FailJob');
  assert.equal(v.rule, 1);
  assert.match(
    v.message ?? '',
    /^Container other for pod ns\/p failed with exit code 7 matching FailJob rule at index 1$/,
  );
});

test('onPodConditions: DisruptionTarget ignored; FailJob message names the condition; Count', () => {
  const disrupted = failed({ main: 137 }, [{ type: 'DisruptionTarget', status: 'True' }]);
  const ignore = job([{ action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] }]);
  assert.deepEqual(matchPodFailurePolicy(ignore, disrupted), { action: 'Ignore', counts: false, rule: 0 });
  assert.equal(
    matchPodFailurePolicy(ignore, failed({ main: 1 }, [{ type: 'DisruptionTarget', status: 'False' }])).action,
    'Count',
  );
  const fail = job([
    { action: 'Count', onExitCodes: { operator: 'In', values: [1] } },
    { action: 'FailJob', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] },
  ]);
  assert.equal(
    matchPodFailurePolicy(fail, disrupted).message,
    'Pod ns/p has condition DisruptionTarget matching FailJob rule at index 1',
  );
});

test('FailIndex applies only with backoffLimitPerIndex', () => {
  const rules: batchv1.PodFailurePolicyRule[] = [{ action: 'FailIndex', onExitCodes: { operator: 'In', values: [5] } }];
  assert.equal(matchPodFailurePolicy(job(rules, 1), failed({ main: 5 })).action, 'FailIndex');
  assert.equal(matchPodFailurePolicy(job(rules), failed({ main: 5 })).action, 'Count');
});

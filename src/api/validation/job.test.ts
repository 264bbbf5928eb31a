import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../../core/types.js';
import { validatorFor } from './index.js';
import { job } from './testdata.js';

const validate = validatorFor('batch', 'Job')!;
type Spec = Record<string, unknown> & { template: { spec: Record<string, unknown> } };
const withSpec = (f: (spec: Spec) => void): KubeObject => {
  const o = job();
  f(o.spec as Spec);
  return o;
};
const messages = (o: KubeObject) => validate(o).map((e) => `${e.field}: ${e.message}`);

describe('Job: Indexed mode and podFailurePolicy', () => {
  it('accepts an Indexed job with per-index limits and a full pod failure policy', () => {
    const o = withSpec((s) => {
      Object.assign(s, { completionMode: 'Indexed', completions: 4, parallelism: 2 });
      Object.assign(s, { backoffLimitPerIndex: 1, maxFailedIndexes: 2 });
      s.podFailurePolicy = {
        rules: [
          { action: 'FailJob', onExitCodes: { containerName: 'web', operator: 'In', values: [42] } },
          { action: 'FailIndex', onExitCodes: { operator: 'NotIn', values: [0, 1] } },
          { action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] },
        ],
      };
    });
    assert.deepEqual(messages(o), []);
  });

  it('refuses what upstream refuses, with its messages', () => {
    const o = withSpec((s) => {
      s.template.spec.restartPolicy = 'OnFailure';
      Object.assign(s, { backoffLimitPerIndex: 1, maxFailedIndexes: 1, podReplacementPolicy: 'TerminatingOrFailed' });
      s.podFailurePolicy = {
        rules: [
          { action: 'FailIndex', onExitCodes: { containerName: 'nope', operator: 'In', values: [0, 3, 3] } },
          { action: 'Explode', onPodConditions: [{ type: 'DisruptionTarget', status: 'Maybe' }] },
          { action: 'Count' },
        ],
      };
    });
    assert.deepEqual(messages(o), [
      'spec.podReplacementPolicy: Unsupported value: "TerminatingOrFailed": supported values: "Failed"',
      'spec.backoffLimitPerIndex: Invalid value: 1: requires indexed completion mode',
      'spec.maxFailedIndexes: Invalid value: 1: requires indexed completion mode',
      'spec.podFailurePolicy.rules[0].onExitCodes.containerName: Invalid value: "nope": must be one of the container or initContainer names in the pod template',
      'spec.podFailurePolicy.rules[0].onExitCodes.values[0]: Invalid value: 0: must not be 0 for the In operator',
      'spec.podFailurePolicy.rules[0].onExitCodes.values[2]: Duplicate value: 3',
      'spec.podFailurePolicy.rules[1].action: Unsupported value: "Explode": supported values: "Count", "FailIndex", "FailJob", "Ignore"',
      'spec.podFailurePolicy.rules[1].onPodConditions[0].status: Unsupported value: "Maybe": supported values: "False", "True", "Unknown"',
      'spec.podFailurePolicy.rules[2]: Invalid value: specifying one of OnExitCodes and OnPodConditions is required',
      'spec.template.spec.restartPolicy: Invalid value: "OnFailure": only "Never" is supported when podFailurePolicy is specified',
      'spec.template.spec.restartPolicy: Invalid value: "OnFailure": only "Never" is supported when backoffLimitPerIndex is specified',
    ]);
    const idx = withSpec((s) => {
      Object.assign(s, { completionMode: 'Indexed', completions: 2, parallelism: 100_001, maxFailedIndexes: 3 });
      s.podFailurePolicy = { rules: [{ action: 'FailIndex', onExitCodes: { operator: 'In', values: [1] } }] };
    });
    assert.deepEqual(messages(idx), [
      'spec.parallelism: Invalid value: 100001: must be less than or equal to 100000 when completion mode is Indexed',
      'spec.maxFailedIndexes: Invalid value: 3: must be less than or equal to completions',
      'spec.backoffLimitPerIndex: Required value: when maxFailedIndexes is specified',
      'spec.podFailurePolicy.rules[0].action: Invalid value: "FailIndex": requires the backoffLimitPerIndex to be set',
    ]);
  });

  it('checks successPolicy: Indexed only, rules present, counts within completions', () => {
    const ok = withSpec((s) => {
      Object.assign(s, { completionMode: 'Indexed', completions: 4, parallelism: 2 });
      s.successPolicy = { rules: [{ succeededIndexes: '0,2-3', succeededCount: 2 }, { succeededCount: 1 }] };
    });
    assert.deepEqual(messages(ok), []);
    const bad = withSpec((s) => {
      Object.assign(s, { completions: 4 });
      s.successPolicy = { rules: [{}, { succeededIndexes: '1-x' }, { succeededCount: 5 }] };
    });
    assert.deepEqual(messages(bad), [
      'spec.successPolicy: Invalid value: requires indexed completion mode',
      'spec.successPolicy.rules[0]: Required value: at least one of succeededCount or succeededIndexes must be specified',
      'spec.successPolicy.rules[1].succeededIndexes: Invalid value: "1-x": error parsing succeededIndexes',
      'spec.successPolicy.rules[2].succeededCount: Invalid value: 5: must be less than or equal to 4 (the number of specified completions)',
    ]);
    const empty = withSpec((s) => {
      Object.assign(s, { completionMode: 'Indexed', completions: 1 });
      s.successPolicy = { rules: [] };
    });
    assert.deepEqual(messages(empty), [
      'spec.successPolicy.rules: Required value: at least one rules must be specified when the successPolicy is specified',
    ]);
  });
});

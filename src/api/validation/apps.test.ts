import assert from 'node:assert/strict';
import { test } from 'node:test';
import { validatorFor } from './index.js';
import { deployment, fields } from './testdata.js';

const validate = validatorFor('apps', 'Deployment')!;
type Spec = Record<string, unknown> & { template: { metadata: { labels: Record<string, string> } } };

test('a realistic deployment is valid', () => {
  assert.deepEqual(validate(deployment()), []);
});

test('selector must match template labels', () => {
  const d = deployment();
  (d.spec as Spec).template.metadata.labels = { app: 'other' };
  const errs = validate(d);
  assert.deepEqual(fields(errs), ['spec.template.metadata.labels FieldValueInvalid']);
  assert.equal(errs[0]!.message, 'Invalid value: {"app":"other"}: `selector` does not match template `labels`');
});

test('missing or empty selector, negative replicas, wrong restartPolicy', () => {
  const d = deployment();
  const spec = d.spec as Spec;
  delete spec.selector;
  spec.replicas = -1;
  (spec.template as unknown as { spec: { restartPolicy: string } }).spec.restartPolicy = 'Never';
  assert.deepEqual(fields(validate(d)), [
    'spec.replicas FieldValueInvalid',
    'spec.selector FieldValueRequired',
    'spec.template.spec.restartPolicy FieldValueNotSupported',
  ]);
  spec.selector = {};
  spec.replicas = 1;
  assert.ok(fields(validate(d)).includes('spec.selector FieldValueInvalid'));
});

test('rolling update may not have both maxSurge and maxUnavailable at 0, percentages are checked', () => {
  const d = deployment();
  const spec = d.spec as Spec;
  spec.strategy = { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: '0%' } };
  assert.deepEqual(fields(validate(d)), ['spec.strategy.rollingUpdate.maxUnavailable FieldValueInvalid']);
  spec.strategy = { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25', maxUnavailable: '120%' } };
  const errs = validate(d);
  assert.deepEqual(fields(errs), [
    'spec.strategy.rollingUpdate.maxSurge FieldValueInvalid',
    'spec.strategy.rollingUpdate.maxUnavailable FieldValueInvalid',
  ]);
  assert.match(errs[0]!.message, /a valid percent string must be a numeric string followed by an ending '%'/);
});

test('selector is immutable on update', () => {
  const old = deployment();
  const d = deployment();
  const spec = d.spec as Spec;
  spec.selector = { matchLabels: { app: 'web', tier: 'frontend' } };
  assert.deepEqual(fields(validate(d, old)), ['spec.selector FieldValueInvalid']);
  assert.match(validate(d, old)[0]!.message, /field is immutable$/);
});

test('daemonset and replicaset share the selector rules', () => {
  const d = deployment();
  const ds = { ...d, kind: 'DaemonSet', spec: { ...(d.spec as Spec), strategy: undefined, replicas: undefined } };
  assert.deepEqual(validatorFor('apps', 'DaemonSet')!(ds), []);
  const rs = deployment();
  (rs.spec as Spec).template.metadata.labels = {};
  assert.deepEqual(fields(validatorFor('apps', 'ReplicaSet')!(rs)), [
    'spec.template.metadata.labels FieldValueInvalid',
  ]);
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { validatorFor } from './index.js';
import { fields, pod } from './testdata.js';

const validate = validatorFor('', 'Pod')!;

test('a realistic pod is valid', () => {
  assert.deepEqual(validate(pod()), []);
});

test('typical pod mistakes give upstream paths, types and messages', () => {
  const p = pod();
  const spec = p.spec as { containers: Record<string, unknown>[]; restartPolicy: string; volumes: unknown[] };
  spec.containers.push({ name: 'web', image: '', ports: [{ containerPort: 70000, protocol: 'TCP' }] });
  spec.containers[0]!.volumeMounts = [{ name: 'missing', mountPath: '/x' }];
  spec.restartPolicy = 'Sometimes';
  const errs = validate(p);
  assert.deepEqual(fields(errs), [
    'spec.containers[0].volumeMounts[0].name FieldValueNotFound',
    'spec.containers[1].name FieldValueDuplicate',
    'spec.containers[1].image FieldValueRequired',
    'spec.containers[1].ports[0].containerPort FieldValueInvalid',
    'spec.restartPolicy FieldValueNotSupported',
  ]);
  assert.equal(errs[3]!.message, 'Invalid value: 70000: must be between 1 and 65535, inclusive');
  assert.equal(errs[4]!.message, 'Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"');
});

test('no containers, bad names, duplicate volumes', () => {
  const p = pod();
  p.metadata.name = 'Web_0';
  const spec = p.spec as Record<string, unknown>;
  spec.containers = [];
  spec.volumes = [{ name: 'a', emptyDir: {} }, { name: 'a', emptyDir: {} }, { name: 'b' }];
  assert.deepEqual(fields(validate(p)), [
    'metadata.name FieldValueInvalid',
    'spec.volumes[1].name FieldValueDuplicate',
    'spec.volumes[2] FieldValueRequired',
    'spec.containers FieldValueRequired',
  ]);
  assert.match(validate(p)[0]!.message, /a lowercase RFC 1123 subdomain must consist of/);
});

test('requests above limits and probes without a handler', () => {
  const p = pod();
  const c = (p.spec as { containers: Record<string, unknown>[] }).containers[0]!;
  c.resources = { requests: { memory: '1Gi' }, limits: { memory: '512Mi' } };
  c.livenessProbe = { periodSeconds: 5, successThreshold: 2 };
  const errs = validate(p);
  assert.deepEqual(fields(errs), [
    'spec.containers[0].resources.requests[memory] FieldValueInvalid',
    'spec.containers[0].livenessProbe FieldValueRequired',
    'spec.containers[0].livenessProbe.successThreshold FieldValueInvalid',
  ]);
  assert.equal(errs[0]!.message, 'Invalid value: "1Gi": must be less than or equal to memory limit of 512Mi');
});

test('pod update may change images but not other spec fields', () => {
  const old = pod();
  const imageOnly = pod();
  (imageOnly.spec as { containers: { image: string }[] }).containers[0]!.image = 'nginx:1.28';
  assert.deepEqual(validate(imageOnly, old), []);

  const changed = pod();
  (changed.spec as Record<string, unknown>).restartPolicy = 'Never';
  const errs = validate(changed, old);
  assert.deepEqual(fields(errs), ['spec FieldValueForbidden']);
  assert.match(
    errs[0]!.message,
    /^Forbidden: pod updates may not change fields other than `spec.containers\[\*\].image`/,
  );

  const tolerated = pod();
  (tolerated.spec as Record<string, unknown>).tolerations = [{ key: 'k', operator: 'Exists', effect: 'NoSchedule' }];
  assert.deepEqual(validate(tolerated, old), []);
  assert.deepEqual(fields(validate(old, tolerated)), ['spec.tolerations FieldValueForbidden']);
});

test('metadata name may not change on update', () => {
  const old = pod();
  const renamed = pod();
  renamed.metadata.name = 'web-1';
  assert.deepEqual(fields(validate(renamed, old)), ['metadata.name FieldValueInvalid']);
});

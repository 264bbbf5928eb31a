import assert from 'node:assert/strict';
import { test } from 'node:test';
import { validatorFor } from './index.js';
import { fields, service } from './testdata.js';

const validate = validatorFor('', 'Service')!;
type Spec = Record<string, unknown> & { ports: Record<string, unknown>[] };

test('a realistic service is valid, and so are headless and ExternalName ones', () => {
  assert.deepEqual(validate(service()), []);
  const headless = service();
  Object.assign(headless.spec as Spec, { clusterIP: 'None', clusterIPs: ['None'], ports: [] });
  assert.deepEqual(validate(headless), []);
  const ext = service();
  ext.spec = { type: 'ExternalName', externalName: 'db.example.com' };
  assert.deepEqual(validate(ext), []);
});

test('names are DNS-1035 labels', () => {
  const s = service();
  s.metadata.name = '1web';
  const errs = validate(s);
  assert.deepEqual(fields(errs), ['metadata.name FieldValueInvalid']);
  assert.match(
    errs[0]!.message,
    /a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic/,
  );
});

test('port mistakes', () => {
  const s = service();
  const spec = s.spec as Spec;
  spec.ports = [
    { port: 80, protocol: 'TCP' },
    { name: 'http', port: 0, protocol: 'HTTP' },
    { name: 'http', port: 8080, protocol: 'TCP', nodePort: 30080 },
  ];
  spec.type = 'ClusterIP';
  assert.deepEqual(fields(validate(s)), [
    'spec.ports[0].name FieldValueRequired',
    'spec.ports[1].port FieldValueInvalid',
    'spec.ports[1].protocol FieldValueNotSupported',
    'spec.ports[2].name FieldValueDuplicate',
    'spec.ports[2].nodePort FieldValueForbidden',
  ]);
  spec.ports = [];
  assert.deepEqual(fields(validate(s)), ['spec.ports FieldValueRequired']);
});

test('type enum and clusterIP syntax', () => {
  const s = service();
  Object.assign(s.spec as Spec, { type: 'Internal', clusterIP: '10.43.0.300', clusterIPs: ['10.43.0.300'] });
  assert.deepEqual(fields(validate(s)), ['spec.type FieldValueNotSupported', 'spec.clusterIPs[0] FieldValueInvalid']);
});

test('clusterIP may not change on update; omitting it keeps it', () => {
  const old = service();
  const moved = service();
  Object.assign(moved.spec as Spec, { clusterIP: '10.43.0.11', clusterIPs: ['10.43.0.11'] });
  const errs = validate(moved, old);
  assert.deepEqual(fields(errs), ['spec.clusterIPs[0] FieldValueInvalid']);
  assert.match(errs[0]!.message, /may not change once set$/);
  const omitted = service();
  delete (omitted.spec as Spec).clusterIP;
  delete (omitted.spec as Spec).clusterIPs;
  assert.deepEqual(validate(omitted, old), []);
});

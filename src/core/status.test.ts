import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { errors, field } from './status.js';

describe('Status bodies as upstream sends them', () => {
  it('404 of a core resource: no group in details, Go field order', () => {
    assert.equal(
      JSON.stringify(errors.notFound('', 'pods', 'web').toStatus()),
      '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"pods \\"web\\" not found","reason":"NotFound","details":{"name":"web","kind":"pods"},"code":404}',
    );
  });
  it('404 of an unknown path keeps empty details', () => {
    assert.equal(
      JSON.stringify(errors.notFoundPath().toStatus()),
      '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"the server could not find the requested resource","reason":"NotFound","details":{},"code":404}',
    );
  });
  it('409 AlreadyExists and Conflict name the group-qualified resource', () => {
    const st = errors.alreadyExists('apps', 'deployments', 'web').toStatus();
    assert.equal(st.message, 'deployments.apps "web" already exists');
    assert.deepEqual(st.details, { name: 'web', group: 'apps', kind: 'deployments' });
    assert.equal(
      errors.conflict(
        '',
        'configmaps',
        'c',
        'the object has been modified; please apply your changes to the latest version and try again',
      ).message,
      'Operation cannot be fulfilled on configmaps "c": the object has been modified; please apply your changes to the latest version and try again',
    );
  });
  it('422 Invalid: group-qualified kind, several errors in brackets, causes with reason on the wire', () => {
    const errs = [
      field.invalid('spec.replicas', -1, 'must be greater than or equal to 0'),
      field.required('spec.selector'),
    ];
    const st = errors.invalid('apps', 'Deployment', 'web', errs).toStatus();
    assert.equal(
      st.message,
      'Deployment.apps "web" is invalid: [spec.replicas: Invalid value: -1: must be greater than or equal to 0, spec.selector: Required value]',
    );
    assert.deepEqual(st.details?.causes, [
      {
        reason: 'FieldValueInvalid',
        message: 'Invalid value: -1: must be greater than or equal to 0',
        field: 'spec.replicas',
      },
      { reason: 'FieldValueRequired', message: 'Required value', field: 'spec.selector' },
    ]);
    assert.equal(
      errors.invalid('', 'ConfigMap', 'c', [field.required('metadata.name')]).message,
      'ConfigMap "c" is invalid: metadata.name: Required value',
    );
  });
});

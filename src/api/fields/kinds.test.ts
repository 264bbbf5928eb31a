import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseFieldSelector } from '../../core/selectors/index.js';
import { StatusError } from '../../core/status.js';
import { convertFieldSelector, selectableFields, supportedFieldLabels } from './index.js';

function badRequest(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof StatusError);
    assert.equal(e.code, 400);
    return e.message;
  }
  assert.fail('expected a 400');
}

describe('field selectors of the newer kinds', () => {
  it('ReplicationController selects on status.replicas', () => {
    assert.deepEqual(supportedFieldLabels('', 'ReplicationController'), [
      'metadata.name',
      'metadata.namespace',
      'status.replicas',
    ]);
    const rc = { metadata: { name: 'web', namespace: 'default' }, status: { replicas: 3 } };
    assert.deepEqual(selectableFields('', 'ReplicationController', rc, true), {
      'metadata.name': 'web',
      'metadata.namespace': 'default',
      'status.replicas': '3',
    });
    assert.equal(
      selectableFields('', 'ReplicationController', { metadata: { name: 'x' } }, true)['status.replicas'],
      '0',
    );
  });

  it('StatefulSet accepts status.successful (matching only "") and names its kind in the 400', () => {
    assert.equal(selectableFields('apps', 'StatefulSet', { metadata: { name: 'db' } }, true)['status.successful'], '');
    const msg = badRequest(() => convertFieldSelector('apps', 'StatefulSet', parseFieldSelector('status.replicas=1')));
    assert.equal(msg, 'field label not supported for appsv1.StatefulSet: status.replicas');
  });

  it('CertificateSigningRequest selects on spec.signerName and has no namespace', () => {
    assert.deepEqual(supportedFieldLabels('certificates.k8s.io', 'CertificateSigningRequest'), [
      'metadata.name',
      'spec.signerName',
    ]);
    const csr = { metadata: { name: 'jane' }, spec: { signerName: 'kubernetes.io/kube-apiserver-client' } };
    const sel = convertFieldSelector(
      'certificates.k8s.io',
      'CertificateSigningRequest',
      parseFieldSelector('spec.signerName=kubernetes.io/kube-apiserver-client'),
    );
    assert.equal(sel.matches(selectableFields('certificates.k8s.io', 'CertificateSigningRequest', csr, false)), true);
    assert.equal(
      badRequest(() =>
        convertFieldSelector(
          'certificates.k8s.io',
          'CertificateSigningRequest',
          parseFieldSelector('metadata.namespace=x'),
        ),
      ),
      'field label not supported: metadata.namespace',
    );
  });

  it('kinds without their own labels get the default conversion', () => {
    const msg = badRequest(() =>
      convertFieldSelector('networking.k8s.io', 'Ingress', parseFieldSelector('spec.ingressClassName=x')),
    );
    assert.equal(
      msg,
      '"spec.ingressClassName" is not a known field selector: only "metadata.name", "metadata.namespace"',
    );
  });
});

// The CSR registry strategies and certificate admission on plain objects (the HTTP path: src/e2e/csr.test.ts).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../core/types.js';
import { createCertificateRequest } from '../pki/index.js';
import type { Attributes, Authorizer, UserInfo } from './authz/index.js';
import { csrAdmission, prepareCsrUpdate } from './certificates.js';

const NOW = '2026-12-02T18:00:00Z';
const csr = (status: Record<string, unknown> = {}, spec: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: 'certificates.k8s.io/v1',
  kind: 'CertificateSigningRequest',
  metadata: { name: 'c', resourceVersion: '5' },
  spec: {
    request: 'cmVx',
    signerName: 'kubernetes.io/kube-apiserver-client',
    usages: ['client auth'],
    username: 'jane',
    ...spec,
  },
  status,
});
const approved = { type: 'Approved', status: 'True', reason: 'R', lastUpdateTime: NOW, lastTransitionTime: NOW };

/** An authorizer that allows exactly the given `verb resource/name` strings. */
const authz = (allowed: string[]) =>
  ({ allows: (a: Attributes) => allowed.includes(`${a.verb} ${a.resource}/${a.name}`) }) as unknown as Authorizer;

describe('CSR strategies', () => {
  it('main-resource updates keep spec and status', () => {
    const incoming = csr({ certificate: 'eA==', conditions: [approved] }, { username: 'root', signerName: 'x.io/y' });
    incoming.metadata.labels = { a: 'b' };
    const out = prepareCsrUpdate(undefined, incoming, csr(), NOW);
    assert.deepEqual(out.spec, csr().spec);
    assert.deepEqual(out.status, {});
    assert.deepEqual(out.metadata.labels, { a: 'b' });
  });

  it('approval changes only the conditions, with timestamps; removing one is a 422', () => {
    const out = prepareCsrUpdate(
      'approval',
      csr(
        { certificate: 'eA==', conditions: [{ type: 'Approved', status: 'True', reason: 'KubectlApprove' }] },
        { username: 'root' },
      ),
      csr(),
      NOW,
    );
    assert.equal((out.spec as { username: string }).username, 'jane');
    assert.deepEqual(out.status, {
      conditions: [
        { type: 'Approved', status: 'True', reason: 'KubectlApprove', lastUpdateTime: NOW, lastTransitionTime: NOW },
      ],
    });
    assert.throws(
      () => prepareCsrUpdate('approval', csr({ conditions: [] }), csr({ conditions: [approved] }), NOW),
      (e: Error & { code?: number }) =>
        e.code === 422 && /may not remove a condition of type "Approved"/.test(e.message),
    );
  });

  it('status keeps spec and the approval conditions; a certificate once set stays', () => {
    const old = csr({ conditions: [approved] });
    const out = prepareCsrUpdate(
      'status',
      csr(
        {
          certificate: 'eA==',
          conditions: [
            { type: 'Denied', status: 'True' },
            { type: 'Failed', status: 'True' },
          ],
        },
        { username: 'x' },
      ),
      old,
      NOW,
    );
    assert.equal((out.spec as { username: string }).username, 'jane');
    const status = out.status as { certificate: string; conditions: { type: string }[] };
    assert.equal(status.certificate, 'eA==');
    assert.deepEqual(
      status.conditions.map((c) => c.type),
      ['Approved', 'Failed'],
    );
    assert.throws(
      () => prepareCsrUpdate('status', csr({ certificate: 'eQ==' }), csr({ certificate: 'eA==' }), NOW),
      /updates may not modify existing certificate content/,
    );
  });
});

describe('certificate admission', () => {
  const jane: UserInfo = { name: 'jane', groups: ['devs', 'system:authenticated'] };

  it('create records the requester and refuses system:masters for kube-apiserver-client', async () => {
    const admit = csrAdmission(authz([]));
    const obj = csr(
      { conditions: [approved] },
      { username: 'root', groups: ['system:masters'], uid: 'u', extra: { a: ['b'] } },
    );
    admit(obj, undefined, undefined, jane);
    assert.deepEqual(obj.spec, {
      request: 'cmVx',
      signerName: 'kubernetes.io/kube-apiserver-client',
      usages: ['client auth'],
      username: 'jane',
      groups: ['devs', 'system:authenticated'],
    });
    assert.equal(obj.status, undefined);
    const { requestPem } = await createCertificateRequest('eve', ['system:masters']);
    const masters = csr({}, { request: Buffer.from(requestPem).toString('base64') });
    assert.throws(
      () => admit(masters, undefined, undefined, jane),
      /"c" is forbidden: use of kubernetes.io\/kube-apiserver-client signer with system:masters group is not allowed/,
    );
    const kubelet = csr({}, { request: Buffer.from(requestPem).toString('base64'), signerName: 'example.com/any' });
    admit(kubelet, undefined, undefined, jane);
  });

  it('approving needs approve on the signer (or its domain/*); signing needs sign', () => {
    const old = csr();
    const next = csr({ conditions: [approved] });
    assert.throws(
      () => csrAdmission(authz([]))(next, old, 'approval', jane),
      /user not permitted to approve requests with signerName "kubernetes.io\/kube-apiserver-client"/,
    );
    csrAdmission(authz(['approve signers/kubernetes.io/kube-apiserver-client']))(next, old, 'approval', jane);
    csrAdmission(authz(['approve signers/kubernetes.io/*']))(next, old, 'approval', jane);
    const signed = csr({ certificate: 'eA==' });
    assert.throws(() => csrAdmission(authz([]))(signed, old, 'status', jane), /user not permitted to sign requests/);
    csrAdmission(authz(['sign signers/kubernetes.io/kube-apiserver-client']))(signed, old, 'status', jane);
    // A status write that leaves the certificate alone needs no sign permission.
    csrAdmission(authz([]))(csr({ conditions: [{ type: 'Failed', status: 'True' }] }), old, 'status', jane);
  });
});

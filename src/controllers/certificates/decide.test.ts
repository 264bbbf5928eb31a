import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CertificateSigningRequest } from '../../core/index.js';
import {
  apiServerClientUsagesError,
  decideSigning,
  KUBE_APISERVER_CLIENT_SIGNER,
  KUBELET_CLIENT_SIGNER,
  kubeletClientRequestError,
  type RequestSubject,
  recognize,
  signingDuration,
} from './decide.js';

const DAY = 86400_000;
const YEAR = 365 * DAY;
const subject = (cn: string, orgs: string[], extra: Partial<RequestSubject> = {}): RequestSubject => ({
  commonName: cn,
  organizations: orgs,
  dnsNames: [],
  ips: [],
  emails: [],
  uris: [],
  ...extra,
});
const KUBELET_USAGES = ['digital signature', 'key encipherment', 'client auth'];
const csr = (
  signerName: string,
  usages: string[],
  conditions: { type: string; status?: string }[] = [],
  spec: Partial<CertificateSigningRequest['spec']> = {},
): CertificateSigningRequest => ({
  metadata: { name: 'c' },
  spec: { request: '', signerName, usages, username: 'system:node', ...spec },
  status: { conditions: conditions.map((c) => ({ status: 'True', ...c })) },
});
const node = subject('system:node:n1', ['system:nodes']);

describe('kubelet client CSRs (upstream ValidateKubeletClientCSR)', () => {
  it('accepts CN system:node:<name>, O [system:nodes], the kubelet usages with or without key encipherment', () => {
    assert.equal(kubeletClientRequestError(node, KUBELET_USAGES), undefined);
    assert.equal(kubeletClientRequestError(node, ['client auth', 'digital signature']), undefined);
  });
  it('refuses other organizations, names, SANs and usages with upstream messages', () => {
    assert.equal(
      kubeletClientRequestError(subject('system:node:n1', ['system:nodes', 'system:masters']), KUBELET_USAGES),
      'subject organization is not system:nodes',
    );
    assert.equal(
      kubeletClientRequestError(subject('alice', ['system:nodes']), KUBELET_USAGES),
      'subject common name does not begin with system:node:',
    );
    assert.equal(
      kubeletClientRequestError(subject('system:node:n1', ['system:nodes'], { dnsNames: ['x'] }), KUBELET_USAGES),
      'DNS subjectAltNames are not allowed',
    );
    assert.equal(
      kubeletClientRequestError(node, ['client auth', 'server auth', 'digital signature']),
      'usages did not match [client auth digital signature key encipherment]',
    );
  });
});

describe('kube-apiserver-client usages', () => {
  it('needs client auth, allows digital signature and key encipherment, nothing else', () => {
    assert.equal(apiServerClientUsagesError(['client auth']), undefined);
    assert.equal(apiServerClientUsagesError(KUBELET_USAGES), undefined);
    assert.equal(
      apiServerClientUsagesError(['digital signature']),
      'missing required usage for client certificate: client auth',
    );
    assert.equal(
      apiServerClientUsagesError(['client auth', 'server auth']),
      'invalid usage for client certificate: server auth',
    );
  });
});

describe('signer decisions', () => {
  const alice = subject('alice', ['devs']);
  it('signs approved CSRs of its signers, for the requested duration within [10m, default]', () => {
    assert.deepEqual(decideSigning(csr(KUBE_APISERVER_CLIENT_SIGNER, ['client auth'], [{ type: 'Approved' }]), alice), {
      action: 'sign',
      durationMs: YEAR,
    });
    const short = csr(KUBELET_CLIENT_SIGNER, KUBELET_USAGES, [{ type: 'Approved' }], { expirationSeconds: 3600 });
    assert.deepEqual(decideSigning(short, node), { action: 'sign', durationMs: 3600_000 });
    assert.equal(signingDuration(undefined, YEAR), YEAR);
    assert.equal(signingDuration(10 * 365 * 86400, YEAR), YEAR);
    assert.equal(signingDuration(60, YEAR), 600_000);
    assert.equal(signingDuration(86400, 3600_000), 3600_000);
  });
  it('leaves pending, denied, failed, issued and other signers alone', () => {
    const none = { action: 'none' };
    assert.deepEqual(decideSigning(csr(KUBE_APISERVER_CLIENT_SIGNER, ['client auth']), alice), none);
    assert.deepEqual(
      decideSigning(
        csr(KUBE_APISERVER_CLIENT_SIGNER, ['client auth'], [{ type: 'Approved' }, { type: 'Denied' }]),
        alice,
      ),
      none,
    );
    assert.deepEqual(
      decideSigning(
        csr(KUBE_APISERVER_CLIENT_SIGNER, ['client auth'], [{ type: 'Approved' }, { type: 'Failed' }]),
        alice,
      ),
      none,
    );
    const issued = csr(KUBE_APISERVER_CLIENT_SIGNER, ['client auth'], [{ type: 'Approved' }]);
    issued.status!.certificate = 'Y2VydA==';
    assert.deepEqual(decideSigning(issued, alice), none);
    assert.deepEqual(decideSigning(csr('example.com/mine', ['client auth'], [{ type: 'Approved' }]), alice), none);
    assert.deepEqual(
      decideSigning(csr(KUBE_APISERVER_CLIENT_SIGNER, ['client auth'], [{ type: 'Approved', status: 'False' }]), alice),
      none,
    );
  });
  it('fails approved CSRs that do not fit the signer', () => {
    assert.deepEqual(decideSigning(csr(KUBE_APISERVER_CLIENT_SIGNER, ['server auth'], [{ type: 'Approved' }]), alice), {
      action: 'fail',
      message: 'invalid usage for client certificate: server auth',
    });
    assert.deepEqual(decideSigning(csr(KUBELET_CLIENT_SIGNER, KUBELET_USAGES, [{ type: 'Approved' }]), alice), {
      action: 'fail',
      message: 'subject organization is not system:nodes',
    });
  });
});

describe('approver recognizers (upstream sarapprove)', () => {
  it('a renewal by the node itself tries selfnodeclient then nodeclient; a bootstrap request only nodeclient', () => {
    const self = csr(KUBELET_CLIENT_SIGNER, KUBELET_USAGES, [], { username: 'system:node:n1' });
    assert.deepEqual(
      recognize(self, node).map((r) => r.subresource),
      ['selfnodeclient', 'nodeclient'],
    );
    const bootstrap = csr(KUBELET_CLIENT_SIGNER, KUBELET_USAGES, [], { username: 'system:node' });
    assert.deepEqual(recognize(bootstrap, node), [
      { subresource: 'nodeclient', message: 'Auto approving kubelet client certificate after SubjectAccessReview.' },
    ]);
  });
  it('ignores decided, issued, non-kubelet and malformed kubelet requests', () => {
    assert.deepEqual(recognize(csr(KUBELET_CLIENT_SIGNER, KUBELET_USAGES, [{ type: 'Approved' }]), node), []);
    assert.deepEqual(recognize(csr(KUBELET_CLIENT_SIGNER, KUBELET_USAGES, [{ type: 'Denied' }]), node), []);
    assert.deepEqual(recognize(csr(KUBE_APISERVER_CLIENT_SIGNER, KUBELET_USAGES), node), []);
    assert.deepEqual(recognize(csr(KUBELET_CLIENT_SIGNER, ['client auth']), node), []);
    assert.deepEqual(recognize(csr(KUBELET_CLIENT_SIGNER, KUBELET_USAGES), { error: 'bad' }), []);
  });
});

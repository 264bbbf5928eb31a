import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as x509 from '@peculiar/x509';
import { createCertificateAuthority } from './certificates.js';
import {
  bootstrapCsrName,
  createNodeCsr,
  nodeCertificateInfo,
  rotationDeadline,
  unusableNodeCertificate,
} from './node-client-cert.js';
import { signCertificateRequest } from './client-certs.js';

const HOUR = 3600_000;

describe('node client certificates', () => {
  it('requests CN=system:node:<name>, O=system:nodes with an ECDSA P-256 key, signed by that key', async () => {
    const { csrPem, keyPem } = await createNodeCsr('n1');
    const csr = new x509.Pkcs10CertificateRequest(csrPem);
    assert.deepEqual(csr.subjectName.getField('CN'), ['system:node:n1']);
    assert.deepEqual(csr.subjectName.getField('O'), ['system:nodes']);
    assert.equal((csr.publicKey.algorithm as { namedCurve?: string }).namedCurve, 'P-256');
    assert.equal(await csr.verify(), true);
    assert.match(keyPem, /^-----BEGIN PRIVATE KEY-----/);
    assert.match(bootstrapCsrName(csrPem, 'n1'), /^node-csr-[A-Za-z0-9_-]{43}$/);
    assert.equal(bootstrapCsrName(csrPem, 'n1'), bootstrapCsrName(csrPem, 'n1'));
    assert.notEqual(bootstrapCsrName(csrPem, 'n1'), bootstrapCsrName(csrPem, 'n2'));
  });

  it('a certificate on disk is usable only for its node, with its key, and with > 20% of its lifetime left', async () => {
    const ca = await createCertificateAuthority('test-ca');
    const { csrPem, keyPem } = await createNodeCsr('n1');
    // signed at start + 5 min (the signer backdates 5 minutes), lasting 10 hours from there
    const start = new Date(Date.now() - HOUR - 5 * 60_000);
    const certPem = await signCertificateRequest(ca, csrPem, {
      usages: ['digital signature', 'client auth'],
      durationMs: 10 * HOUR - 5 * 60_000,
      now: new Date(start.getTime() + 5 * 60_000),
    });
    const t0 = start.getTime();
    assert.equal(unusableNodeCertificate(certPem, keyPem, 'n1', t0 + HOUR), undefined);
    assert.equal(unusableNodeCertificate(certPem, keyPem, 'n1', t0 + 7.9 * HOUR), undefined);
    assert.match(unusableNodeCertificate(certPem, keyPem, 'n1', t0 + 8 * HOUR) ?? '', /less than 20% of its lifetime/);
    assert.match(unusableNodeCertificate(certPem, keyPem, 'n2', t0 + HOUR) ?? '', /not system:node:n2/);
    const other = await createNodeCsr('n1');
    assert.match(unusableNodeCertificate(certPem, other.keyPem, 'n1', t0 + HOUR) ?? '', /key does not match/);
    assert.match(unusableNodeCertificate('junk', keyPem, 'n1') ?? '', /unreadable certificate/);
    const info = nodeCertificateInfo(certPem);
    assert.equal(info.commonName, 'system:node:n1');
    assert.deepEqual(info.organizations, ['system:nodes']);
  });

  it('renews at a jittered 70-90% of the lifetime', () => {
    const a = new Date(0);
    const b = new Date(100 * HOUR);
    assert.equal(rotationDeadline(a, b, 0).getTime(), 70 * HOUR);
    assert.equal(rotationDeadline(a, b, 0.5).getTime(), 80 * HOUR);
    assert.ok(rotationDeadline(a, b, 0.999).getTime() < 90 * HOUR);
  });
});

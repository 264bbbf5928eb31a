import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createCertificateAuthority } from './certificates.js';
import {
  createCertificateRequest,
  parseCertificateRequest,
  signCertificateRequest,
  verifyClientCertificate,
} from './client-certs.js';

const DAY = 86400_000;
const der = (pem: string) => new Uint8Array(new X509Certificate(pem).raw);

describe('client certificates', async () => {
  const ca = await createCertificateAuthority('test-client-ca');
  const other = await createCertificateAuthority('other-ca');

  it('parses the subject of a request and refuses what is not one', async () => {
    const { requestPem } = await createCertificateRequest('system:node:n1', ['system:nodes']);
    assert.deepEqual(parseCertificateRequest(requestPem), {
      commonName: 'system:node:n1',
      organizations: ['system:nodes'],
      dnsNames: [],
      ips: [],
      emails: [],
      uris: [],
    });
    assert.throws(() => parseCertificateRequest('garbage'), /PEM block type must be CERTIFICATE REQUEST/);
  });

  it('signs with the subject, the usages and the duration asked, and the result authenticates', async () => {
    const { requestPem } = await createCertificateRequest('alice', ['devs', 'ops']);
    const now = new Date();
    const pem = await signCertificateRequest(ca, requestPem, {
      usages: ['digital signature', 'key encipherment', 'client auth'],
      durationMs: 3 * DAY,
      now,
    });
    const cert = new X509Certificate(pem);
    assert.equal(cert.ca, false);
    assert.equal(cert.checkIssued(new X509Certificate(ca.certPem)), true);
    assert.deepEqual(cert.keyUsage, ['1.3.6.1.5.5.7.3.2']);
    const days = (Date.parse(cert.validTo) - now.getTime()) / DAY;
    assert.ok(days > 2.99 && days < 3.01, `${days}`);
    assert.ok(Date.parse(cert.validFrom) <= now.getTime() - 4 * 60_000, 'backdated');
    assert.deepEqual(await verifyClientCertificate(der(pem), ca.certPem), {
      user: { name: 'alice', groups: ['devs', 'ops'] },
      notAfter: new Date(cert.validTo),
    });
  });

  it('signs RSA requests too (the default key type of openssl)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'h3-rsa-'));
    try {
      execFileSync(
        'openssl',
        [
          'req',
          '-new',
          '-newkey',
          'rsa:2048',
          '-nodes',
          '-keyout',
          join(dir, 'k'),
          '-subj',
          '/CN=carol/O=qa',
          '-out',
          join(dir, 'r'),
        ],
        { stdio: 'pipe' },
      );
      const pem = await signCertificateRequest(ca, readFileSync(join(dir, 'r'), 'utf8'), {
        usages: ['client auth', 'key encipherment', 'digital signature'],
        durationMs: DAY,
      });
      assert.equal(new X509Certificate(pem).publicKey.asymmetricKeyType, 'rsa');
      const result = await verifyClientCertificate(der(pem), ca.certPem);
      assert.ok('user' in result);
      assert.deepEqual(result.user, { name: 'carol', groups: ['qa'] });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('never signs beyond the CA', async () => {
    const { requestPem } = await createCertificateRequest('bob');
    const pem = await signCertificateRequest(ca, requestPem, { usages: ['client auth'], durationMs: 100 * 365 * DAY });
    assert.equal(new X509Certificate(pem).validTo, new X509Certificate(ca.certPem).validTo);
  });

  it('refuses certificates of another CA, expired ones, server-only ones; an empty CN is nobody', async () => {
    const { requestPem } = await createCertificateRequest('system:admin', ['system:masters']);
    const foreign = await signCertificateRequest(other, requestPem, { usages: ['client auth'], durationMs: DAY });
    assert.deepEqual(await verifyClientCertificate(der(foreign), ca.certPem), {
      error: 'x509: certificate signed by unknown authority',
    });
    const mine = await signCertificateRequest(ca, requestPem, { usages: ['client auth'], durationMs: DAY });
    assert.deepEqual(await verifyClientCertificate(der(mine), ca.certPem, new Date(Date.now() + 2 * DAY)), {
      error: 'x509: certificate has expired or is not yet valid',
    });
    const serving = await signCertificateRequest(ca, requestPem, { usages: ['server auth'], durationMs: DAY });
    assert.deepEqual(await verifyClientCertificate(der(serving), ca.certPem), {
      error: 'x509: certificate specifies an incompatible key usage',
    });
    const anon = await createCertificateRequest('');
    const empty = await signCertificateRequest(ca, anon.requestPem, { usages: ['client auth'], durationMs: DAY });
    assert.deepEqual(await verifyClientCertificate(der(empty), ca.certPem), { none: true });
    assert.deepEqual(await verifyClientCertificate(new Uint8Array([1, 2, 3]), ca.certPem), {
      error: 'x509: malformed certificate',
    });
  });
});

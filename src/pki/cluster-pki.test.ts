import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { get } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createServingCertificate } from './certificates.js';
import { verifyClientCertificate } from './client-certs.js';
import { type ClusterPki, ensureClusterPki } from './cluster-pki.js';
import { startTlsServer } from './testing.js';
import { caHashOf, parseJoinToken, verifyCaHash } from './tokens.js';

const opts = { hostnames: ['node1.example'], ips: ['10.0.0.5'] };

function getText(url: string, ca?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    get(url, ca ? { ca } : {}, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        body += c;
      });
      res.on('end', () => resolve(body));
    }).on('error', reject);
  });
}

describe('ensureClusterPki', () => {
  let dataDir: string;
  let pki: ClusterPki;

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'tutti-pki-'));
    pki = await ensureClusterPki(dataDir, opts);
  });
  after(() => rm(dataDir, { recursive: true, force: true }));

  it('issues a serving certificate that chains to the CA and carries every SAN', () => {
    const ca = new X509Certificate(pki.caCertPem);
    const server = new X509Certificate(pki.serverCertPem);
    assert.equal(ca.ca, true);
    assert.equal(server.ca, false);
    assert.equal(server.checkIssued(ca), true);
    assert.equal(server.verify(ca.publicKey), true);
    for (const host of ['localhost', 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'node1.example']) {
      assert.equal(server.checkHost(host), host, host);
    }
    assert.equal(server.checkIP('127.0.0.1'), '127.0.0.1');
    assert.equal(server.checkIP('10.0.0.5'), '10.0.0.5');
    assert.equal(server.checkHost('evil.example'), undefined);
    const years = (Date.parse(ca.validTo) - Date.now()) / (365 * 86400_000);
    assert.ok(years > 9.9 && years < 10.1, `CA valid for ${years} years`);
    const days = (Date.parse(server.validTo) - Date.now()) / 86400_000;
    assert.ok(days > 364 && days < 366, `server cert valid for ${days} days`);
  });

  it('writes keys and tokens with mode 0600', async () => {
    for (const name of ['ca.key', 'client-ca.key', 'client-admin.key', 'server.key', 'admin.token', 'node-token']) {
      const { mode } = await stat(join(dataDir, 'tls', name));
      assert.equal(mode & 0o777, 0o600, name);
    }
  });

  it('keeps a separate client CA (k3s client-ca.crt/.key)', async () => {
    const ca = new X509Certificate(pki.caCertPem);
    const clientCa = new X509Certificate(pki.clientCaCertPem);
    assert.equal(clientCa.ca, true);
    assert.notEqual(clientCa.fingerprint256, ca.fingerprint256);
    assert.match(clientCa.subject, /CN=tutti-client-ca@/);
    assert.equal((await stat(join(dataDir, 'tls', 'client-ca.crt'))).mode & 0o777, 0o644);
  });

  it('issues the admin a client certificate of the client CA: system:admin in system:masters', async () => {
    const result = await verifyClientCertificate(
      new Uint8Array(new X509Certificate(pki.adminCertPem).raw),
      pki.clientCaCertPem,
    );
    assert.ok('user' in result);
    assert.deepEqual(result.user, { name: 'system:admin', groups: ['system:masters'] });
    const days = (result.notAfter.getTime() - Date.now()) / 86400_000;
    assert.ok(days > 364 && days < 366, `admin cert valid for ${days} days`);
  });

  it('makes a node token pinning the CA hash', () => {
    assert.equal(pki.caHash, caHashOf(pki.caCertPem));
    const parsed = parseJoinToken(pki.nodeToken);
    assert.equal(parsed.caHash, pki.caHash);
    assert.equal(verifyCaHash(pki.caCertPem, parsed.caHash ?? ''), true);
    assert.match(pki.nodeToken, /^K10[0-9a-f]{64}::server:[0-9a-f]{64}$/);
    assert.match(pki.adminToken, /^[0-9a-f]{64}$/);
  });

  it('reuses everything on a second start with the same names', async () => {
    const again = await ensureClusterPki(dataDir, opts);
    assert.deepEqual(again, pki);
  });

  it('reissues only the serving certificate when the names change', async () => {
    const changed = await ensureClusterPki(dataDir, { hostnames: ['node2.example'], ips: [] });
    assert.equal(changed.caCertPem, pki.caCertPem);
    assert.equal(changed.adminToken, pki.adminToken);
    assert.equal(changed.nodeToken, pki.nodeToken);
    assert.notEqual(changed.serverCertPem, pki.serverCertPem);
    const server = new X509Certificate(changed.serverCertPem);
    assert.equal(server.checkHost('node2.example'), 'node2.example');
    assert.equal(server.checkHost('node1.example'), undefined);
    pki = await ensureClusterPki(dataDir, opts);
  });

  it('reissues a serving certificate close to expiry', async () => {
    const caKeyPem = (await import('node:fs')).readFileSync(join(dataDir, 'tls', 'ca.key'), 'utf8');
    const shortLived = await createServingCertificate(
      { certPem: pki.caCertPem, keyPem: caKeyPem },
      'tutti-apiserver',
      {
        dnsNames: ['kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'localhost', 'node1.example'],
        ips: ['10.0.0.5', '127.0.0.1'],
      },
      10,
    );
    await writeFile(join(dataDir, 'tls', 'server.crt'), shortLived.certPem);
    await writeFile(join(dataDir, 'tls', 'server.key'), shortLived.keyPem);
    const renewed = await ensureClusterPki(dataDir, opts);
    assert.notEqual(renewed.serverCertPem, shortLived.certPem);
    const days = (Date.parse(new X509Certificate(renewed.serverCertPem).validTo) - Date.now()) / 86400_000;
    assert.ok(days > 300, `renewed for ${days} days`);
    pki = renewed;
  });

  it('serves TLS that a client trusting only the CA accepts, and a default client rejects', async () => {
    const server = await startTlsServer(pki, (_req, res) => res.end('hello'));
    try {
      assert.equal(await getText(`${server.url}/`, pki.caCertPem), 'hello');
      const localhostUrl = server.url.replace('127.0.0.1', 'localhost');
      assert.equal(await getText(`${localhostUrl}/`, pki.caCertPem), 'hello');
      await assert.rejects(getText(`${server.url}/`), /self-signed|unable to (get|verify)/i);
    } finally {
      await server.close();
    }
  });
});

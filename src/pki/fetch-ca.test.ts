import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type ClusterPki, ensureClusterPki } from './cluster-pki.js';
import { fetchTrustedCa } from './fetch-ca.js';
import { startTlsServer, type TestServer } from './testing.js';
import { formatJoinToken } from './tokens.js';

describe('fetchTrustedCa', () => {
  let dataDir: string;
  let pki: ClusterPki;
  let server: TestServer;
  let served = '';

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'tutti-fetchca-'));
    pki = await ensureClusterPki(dataDir, { hostnames: [], ips: [] });
    served = pki.caCertPem;
    server = await startTlsServer(pki, (req, res) => {
      if (req.url !== '/cacerts') {
        res.statusCode = 404;
        res.end();
        return;
      }
      res.end(served);
    });
  });
  after(async () => {
    await server.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('returns the CA when its hash matches the join token', async () => {
    assert.equal(await fetchTrustedCa(server.url, pki.nodeToken), pki.caCertPem);
  });

  it('refuses a CA that does not match the token (a server in the middle)', async () => {
    const otherCa = pki.caCertPem.replace('CERTIFICATE-----\n', 'CERTIFICATE-----\n\n');
    await assert.rejects(fetchTrustedCa(server.url, formatJoinToken(otherCa, 'x')), /does not match/);
    served = otherCa;
    try {
      await assert.rejects(fetchTrustedCa(server.url, pki.nodeToken), /does not match/);
    } finally {
      served = pki.caCertPem;
    }
  });

  it('refuses a token without a CA pin and a non-https URL', async () => {
    await assert.rejects(fetchTrustedCa(server.url, 'just-a-secret'), /does not pin/);
    await assert.rejects(fetchTrustedCa(server.url.replace('https', 'http'), pki.nodeToken), /must be https/);
  });
});

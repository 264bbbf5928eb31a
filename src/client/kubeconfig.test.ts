import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ApiClient } from './api-client.js';
import { loadKubeconfig, parseKubeconfig } from './kubeconfig.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');

const doc = `
apiVersion: v1
kind: Config
current-context: tutti
clusters:
- name: tutti
  cluster:
    server: https://127.0.0.1:6443
    certificate-authority-data: ${b64('CA PEM')}
- name: other
  cluster:
    server: http://10.0.0.1:8080
    insecure-skip-tls-verify: true
contexts:
- name: tutti
  context: { cluster: tutti, user: admin, namespace: shop }
- name: other
  context: { cluster: other, user: certs }
users:
- name: admin
  user: { token: secret-token }
- name: certs
  user:
    client-certificate-data: ${b64('CERT')}
    client-key-data: ${b64('KEY')}
`;

describe('kubeconfig', () => {
  it('reads the current context: server, CA, token, namespace', () => {
    const sel = parseKubeconfig(doc, '/');
    assert.equal(sel.context, 'tutti');
    assert.equal(sel.namespace, 'shop');
    assert.deepEqual(sel.connection, { server: 'https://127.0.0.1:6443', caPem: 'CA PEM', token: 'secret-token' });
  });

  it('reads a named context with client certificates and insecure flag', () => {
    const sel = parseKubeconfig(doc, '/', 'other');
    assert.equal(sel.namespace, 'default');
    assert.deepEqual(sel.connection, {
      server: 'http://10.0.0.1:8080',
      insecure: true,
      certPem: 'CERT',
      keyPem: 'KEY',
    });
  });

  it('resolves file references relative to the kubeconfig and builds a client', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kubeconfig-'));
    try {
      writeFileSync(join(dir, 'ca.crt'), 'FILE CA');
      writeFileSync(join(dir, 'token'), 'file-token\n');
      const path = join(dir, 'config');
      writeFileSync(
        path,
        `current-context: c
clusters: [{ name: k, cluster: { server: 'https://h:6443/prefix', certificate-authority: ca.crt } }]
contexts: [{ name: c, context: { cluster: k, user: u } }]
users: [{ name: u, user: { tokenFile: token } }]
`,
      );
      assert.deepEqual(loadKubeconfig(path).connection, {
        server: 'https://h:6443/prefix',
        caPem: 'FILE CA',
        token: 'file-token',
      });
      const client = ApiClient.fromKubeconfig(path, { userAgent: 'x' });
      assert.equal(client.server.host, 'h:6443');
      client.close();
    } finally {
      rmSync(dir, { recursive: true });
    }
  });

  it('fails clearly on a missing context', () => {
    assert.throws(() => parseKubeconfig(doc, '/', 'nope'), /context nope not found/);
  });
});

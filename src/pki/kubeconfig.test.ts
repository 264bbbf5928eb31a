import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { type ClusterPki, ensureClusterPki } from './cluster-pki.js';
import { kubeconfigText, writeKubeconfig } from './kubeconfig.js';
import { startTlsServer, type TestServer } from './testing.js';
import { tokensEqual } from './tokens.js';

const execFileAsync = promisify(execFile);

const VERSION = {
  major: '1',
  minor: '32',
  gitVersion: 'v1.32.4',
  gitCommit: '0000000000000000000000000000000000000000',
  gitTreeState: 'clean',
  buildDate: '2025-01-01T00:00:00Z',
  goVersion: 'go1.23.6',
  compiler: 'gc',
  platform: 'linux/amd64',
};

describe('kubeconfig', () => {
  let dir: string;
  let pki: ClusterPki;
  let server: TestServer;
  const seenAuth: string[] = [];

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tutti-kubeconfig-'));
    pki = await ensureClusterPki(join(dir, 'data'), { hostnames: [], ips: [] });
    server = await startTlsServer(pki, (req, res) => {
      const auth = req.headers.authorization ?? '';
      seenAuth.push(auth);
      res.setHeader('content-type', 'application/json');
      if (!tokensEqual(auth, `Bearer ${pki.adminToken}`)) {
        res.statusCode = 401;
        res.end(
          JSON.stringify({
            kind: 'Status',
            apiVersion: 'v1',
            metadata: {},
            status: 'Failure',
            message: 'Unauthorized',
            reason: 'Unauthorized',
            code: 401,
          }),
        );
        return;
      }
      if (req.url?.startsWith('/version')) res.end(JSON.stringify(VERSION));
      else {
        res.statusCode = 404;
        res.end('{}');
      }
    });
  });
  after(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('renders YAML with certificate-authority-data, a token and a current context', () => {
    const doc = parse(kubeconfigText({ server: 'https://10.0.0.1:6443', caPem: pki.caCertPem, token: 'tok' }));
    assert.equal(doc.kind, 'Config');
    assert.equal(doc['current-context'], 'tutti');
    const cluster = doc.clusters[0];
    assert.equal(cluster.name, 'tutti');
    assert.equal(cluster.cluster.server, 'https://10.0.0.1:6443');
    assert.equal(Buffer.from(cluster.cluster['certificate-authority-data'], 'base64').toString(), pki.caCertPem);
    assert.deepEqual(doc.contexts, [{ name: 'tutti', context: { cluster: 'tutti', user: 'admin' } }]);
    assert.deepEqual(doc.users, [{ name: 'admin', user: { token: 'tok' } }]);
  });

  it('renders a client certificate and key instead of a token', () => {
    const doc = parse(
      kubeconfigText({
        server: 'https://x',
        caPem: 'ca',
        clientCertPem: pki.adminCertPem,
        clientKeyPem: pki.adminKeyPem,
      }),
    );
    const user = doc.users[0].user;
    assert.equal(user.token, undefined);
    assert.equal(Buffer.from(user['client-certificate-data'], 'base64').toString(), pki.adminCertPem);
    assert.equal(Buffer.from(user['client-key-data'], 'base64').toString(), pki.adminKeyPem);
  });

  it('honours clusterName and user', () => {
    const doc = parse(kubeconfigText({ server: 'https://x', caPem: 'ca', token: 't', clusterName: 'c1', user: 'u1' }));
    assert.equal(doc['current-context'], 'c1');
    assert.deepEqual(doc.contexts[0].context, { cluster: 'c1', user: 'u1' });
  });

  it('is written with mode 0600', async () => {
    const path = join(dir, 'sub', 'kubeconfig');
    await writeKubeconfig(path, { server: server.url, caPem: pki.caCertPem, token: pki.adminToken });
    assert.equal((await stat(path)).mode & 0o777, 0o600);
    assert.equal(parse(await readFile(path, 'utf8')).users[0].user.token, pki.adminToken);
  });

  it('lets real kubectl verify the server with the CA and authenticate with the token', async () => {
    const path = join(dir, 'admin.kubeconfig');
    // localhost exercises the DNS SAN; kubectl reaches the same listener.
    await writeKubeconfig(path, {
      server: server.url.replace('127.0.0.1', 'localhost'),
      caPem: pki.caCertPem,
      token: pki.adminToken,
    });
    const env = { ...process.env, HOME: dir, KUBECONFIG: path };
    const { stdout } = await execFileAsync('kubectl', ['--kubeconfig', path, 'version', '-o', 'json'], {
      env,
      timeout: 30_000,
    });
    const out = JSON.parse(stdout);
    assert.equal(out.serverVersion.gitVersion, 'v1.32.4');
    assert.ok(seenAuth.includes(`Bearer ${pki.adminToken}`));
  });

  it('kubectl fails with a wrong token', async () => {
    const path = join(dir, 'wrong.kubeconfig');
    await writeKubeconfig(path, { server: server.url, caPem: pki.caCertPem, token: 'wrong' });
    const env = { ...process.env, HOME: dir, KUBECONFIG: path };
    await assert.rejects(
      execFileAsync('kubectl', ['--kubeconfig', path, 'version', '-o', 'json'], { env, timeout: 30_000 }),
      (err: Error & { stderr?: string }) => {
        assert.match(err.stderr ?? '', /Unauthorized|logged in/i);
        return true;
      },
    );
  });
});

// A node's own credential (kubelet TLS bootstrap) against a real `tutti server`: a fresh `tutti agent` asks for a
// client certificate with the join token, is auto-approved and signed, registers its Node as system:node:<name>
// (the audit log says so), keeps the certificate 0600 and reuses it after a restart (no new CSR); a renewal is
// made with the certificate itself (selfnodeclient) and the client switches over; the join token alone is 403.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { NodeCredential } from '../agent/index.js';
import type { KubeObject } from '../core/types.js';
import { fetchTrustedCa, nodeCertificateInfo } from '../pki/index.js';
import { pollUntil, startTestServer, TUTTI_BIN, type TestServer } from './harness.js';

const POLICY = `apiVersion: audit.k8s.io/v1
kind: Policy
rules:
- level: Metadata
  resources:
  - group: ""
    resources: ["nodes"]
  - group: certificates.k8s.io
    resources: ["certificatesigningrequests"]
`;

interface Csr {
  metadata: { name: string };
  spec: { signerName: string; username: string; groups?: string[]; usages: string[] };
  status?: { certificate?: string; conditions?: { type: string; reason?: string }[] };
}

describe('node TLS bootstrap with a real server and agent', { timeout: 240_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'h3b-bootstrap-'));
  const auditLog = join(dir, 'audit.log');
  const agentDir = join(dir, 'agent-data');
  const node = `h3b-n1-${process.pid}`;
  let s: TestServer;
  let joinToken = '';
  let agent: ChildProcess | undefined;
  let agentOut = '';

  const startAgent = async () => {
    agentOut = '';
    agent = spawn(
      process.execPath,
      [
        TUTTI_BIN,
        'agent',
        '--server',
        s.url,
        '--token',
        joinToken,
        '--node-name',
        node,
        '--data-dir',
        agentDir,
        '--runtime',
        'process',
        '--node-ip',
        '127.0.0.1',
        '--agent-port',
        '0',
        '--disable=service-proxy,dns',
        '--flannel-backend=none',
        '--disable-network-policy',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    agent.stdout!.on('data', (d: Buffer) => {
      agentOut += d.toString();
    });
    agent.stderr!.on('data', (d: Buffer) => {
      agentOut += d.toString();
    });
    await pollUntil(
      `agent ready (${agentOut.slice(-2000)})`,
      async () => agentOut.includes('tutti agent ready'),
      90_000,
    );
  };
  const stopAgent = async () => {
    if (!agent || agent.exitCode !== null) return;
    const exited = new Promise((r) => agent!.once('exit', r));
    agent.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
    if (agent.exitCode === null) agent.kill('SIGKILL');
  };
  const csrs = async () =>
    (JSON.parse(await s.k('get', 'csr', '-o', 'json')) as { items: Csr[] }).items.filter((c) =>
      c.spec.signerName.startsWith('kubernetes.io/kube-apiserver-client-kubelet'),
    );

  before(async () => {
    writeFileSync(join(dir, 'policy.yaml'), POLICY);
    s = await startTestServer({
      nodeCertificates: true,
      args: [
        '--audit-policy-file',
        join(dir, 'policy.yaml'),
        '--audit-log-path',
        auditLog,
        '--service-cidr',
        '10.99.0.0/16',
        '--cluster-domain',
        'corp.local',
      ],
    });
    joinToken = readFileSync(join(s.dataDir, 'node-token'), 'utf8').trim();
  });
  after(async () => {
    await stopAgent();
    await s?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a fresh agent gets a certificate through an auto-approved CSR and registers as system:node:<name>', async () => {
    await startAgent();
    const mine = (await csrs()).filter((c) => c.metadata.name.startsWith('node-csr-'));
    assert.equal(mine.length, 1, JSON.stringify(mine));
    const csr = mine[0]!;
    assert.equal(csr.spec.signerName, 'kubernetes.io/kube-apiserver-client-kubelet');
    assert.deepEqual(csr.spec.usages, ['digital signature', 'client auth']);
    assert.equal(csr.spec.username, 'system:bootstrap:node', 'the requester is the bootstrap identity');
    assert.deepEqual(
      csr.status?.conditions?.map((c) => `${c.type}/${c.reason}`),
      ['Approved/AutoApproved'],
    );
    assert.ok(csr.status?.certificate);

    const cert = join(agentDir, 'agent', 'tls', 'node.crt');
    const key = join(agentDir, 'agent', 'tls', 'node.key');
    assert.equal(statSync(cert).mode & 0o777, 0o600);
    assert.equal(statSync(key).mode & 0o777, 0o600);
    const info = nodeCertificateInfo(readFileSync(cert, 'utf8'));
    assert.equal(info.commonName, `system:node:${node}`);
    assert.deepEqual(info.organizations, ['system:nodes']);
    assert.equal(
      readFileSync(cert, 'utf8'),
      Buffer.from(csr.status!.certificate!, 'base64').toString(),
      'the file is the issued one',
    );

    // The audit log: the Node was created by the node itself, the CSR by the bootstrapper.
    const events = await pollUntil(
      'audit events of the node',
      async () => {
        const ev = readFileSync(auditLog, 'utf8')
          .trim()
          .split('\n')
          .map(
            (l) =>
              JSON.parse(l) as {
                stage: string;
                verb: string;
                user: { username: string; groups?: string[] };
                objectRef?: { resource?: string; name?: string };
                responseStatus?: { code?: number };
              },
          )
          .filter((e) => e.stage === 'ResponseComplete');
        return ev.some((e) => e.verb === 'create' && e.objectRef?.resource === 'nodes') ? ev : undefined;
      },
      10_000,
    );
    const created = events.find((e) => e.verb === 'create' && e.objectRef?.resource === 'nodes')!;
    assert.equal(created.user.username, `system:node:${node}`);
    assert.deepEqual(created.user.groups, ['system:nodes', 'system:authenticated']);
    assert.equal(created.responseStatus?.code, 201);
    const csrCreate = events.find(
      (e) => e.verb === 'create' && e.objectRef?.resource === 'certificatesigningrequests',
    )!;
    assert.equal(csrCreate.user.username, 'system:bootstrap:node');
    const writers = new Set(
      events
        .filter((e) => e.objectRef?.resource === 'nodes' && ['create', 'update', 'patch', 'delete'].includes(e.verb))
        .map((e) => e.user.username),
    );
    assert.deepEqual([...writers], [`system:node:${node}`], 'every write to the Node is the node');
    const ready = await pollUntil(
      'the node Ready',
      async () => {
        const n = JSON.parse(await s.k('get', 'node', node, '-o', 'json')) as {
          status?: { conditions?: { type: string; status: string }[] };
        };
        return n.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
      },
      30_000,
    );
    assert.equal(ready, true);
  });

  it('a restarted agent reuses its certificate: no new CSR', async () => {
    const before = (await csrs()).length;
    const certBefore = readFileSync(join(agentDir, 'agent', 'tls', 'node.crt'), 'utf8');
    await stopAgent();
    await startAgent();
    assert.match(agentOut, /using the node certificate on disk/);
    assert.equal((await csrs()).length, before);
    assert.equal(readFileSync(join(agentDir, 'agent', 'tls', 'node.crt'), 'utf8'), certBefore);
  });

  it('a renewal is a CSR made with the certificate (selfnodeclient), and its clients switch over', async () => {
    const name = `h3b-n2-${process.pid}`;
    const caPem = await fetchTrustedCa(s.url, joinToken);
    const credDir = join(dir, 'n2');
    const cred = await NodeCredential.obtain({
      server: s.url,
      caPem,
      bootstrapToken: joinToken,
      nodeName: name,
      dataDir: credDir,
    });
    const client = cred.client({ userAgent: 'h3b-test' });
    type Review = KubeObject & { status?: { userInfo?: { username?: string } } };
    const whoami = async () =>
      (
        await client.create<Review>('/apis/authentication.k8s.io/v1/selfsubjectreviews', {
          apiVersion: 'authentication.k8s.io/v1',
          kind: 'SelfSubjectReview',
          metadata: {},
        })
      ).status?.userInfo?.username;
    try {
      assert.equal(await whoami(), `system:node:${name}`);
      const first = cred.certificate.certPem;
      await cred.renew();
      assert.notEqual(cred.certificate.certPem, first);
      const renewal = (await csrs()).find((c) => c.spec.username === `system:node:${name}`);
      assert.ok(renewal, 'the renewal CSR was made by the node itself');
      assert.match(renewal.metadata.name, /^csr-/);
      assert.deepEqual(
        renewal.status?.conditions?.map((c) => `${c.type}/${c.reason}`),
        ['Approved/AutoApproved'],
      );
      assert.equal(await whoami(), `system:node:${name}`, 'the swapped client still works');
      assert.equal(readFileSync(join(credDir, 'tls', 'node.crt'), 'utf8'), cred.certificate.certPem);
    } finally {
      client.close();
    }
  });

  it("the join token reads the server's cluster settings (kube-system/tutti-config) and no other ConfigMap", async () => {
    const withToken = (...args: string[]) => s.kubectl([`--token=${joinToken}`, ...args]);
    const r = await withToken('get', 'configmap', '-n', 'kube-system', 'tutti-config', '-o', 'json');
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout).data, {
      'service-cidr': '10.99.0.0/16',
      'cluster-cidr': '10.42.0.0/16',
      'cluster-dns': '10.99.0.10',
      'cluster-domain': 'corp.local',
      'service-node-port-range': '30000-32767',
    });
    await s.k('create', 'configmap', '-n', 'kube-system', 'other', '--from-literal=a=b');
    const other = await withToken('get', 'configmap', '-n', 'kube-system', 'other');
    assert.match(
      other.stderr,
      /User "system:bootstrap:node" cannot get resource "configmaps" in API group "" in the namespace "kube-system"/,
    );
    const list = await withToken('get', 'configmaps', '-n', 'kube-system');
    assert.match(list.stderr, /cannot list resource "configmaps"/);
    // The agent took them: it joined with no CIDR or domain flags and reported no difference.
    assert.doesNotMatch(agentOut, /differs from the server's/);
  });

  it('the join token alone is 403 on secrets and nodes', async () => {
    const withToken = (...args: string[]) => s.kubectl([`--token=${joinToken}`, ...args]);
    const secrets = await withToken('get', 'secrets', '-A');
    assert.equal(secrets.code, 1);
    assert.match(secrets.stderr, /Forbidden|forbidden/);
    assert.match(secrets.stderr, /User "system:bootstrap:node" cannot list resource "secrets"/);
    const nodes = await withToken('get', 'nodes');
    assert.match(nodes.stderr, /User "system:bootstrap:node" cannot list resource "nodes"/);
    const one = await withToken('get', 'node', node);
    assert.match(one.stderr, /cannot get resource "nodes"/);
    assert.ok(existsSync(join(agentDir, 'agent', 'tls', 'node.key')));
  });
});

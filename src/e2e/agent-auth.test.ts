// The node agent's endpoint (the kubelet's 10250) authenticates and authorizes its callers as the kubelet does:
// `tutti server` with its agent over a private containerd. kubectl logs / exec go through the API server's own
// identity (kube-apiserver-kubelet-client, bound to system:kubelet-api-admin) and kubectl top through the
// metrics scraper's; direct calls to the agent port: no token 401, the admin (system:masters) allowed, the join
// token (a bootstrapper, no nodes/proxy) and a ServiceAccount without a binding get the kubelet's 403, and the
// ServiceAccount is allowed once a role with nodes/proxy is bound (the denial is cached for the
// --authorization-webhook-cache-unauthorized-ttl given, 1s). Needs root and containerd.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { connect } from 'node:tls';
import { killallAgentHost } from '../agent/host/killall.js';
import { containerdSkipReason } from '../agent/runtime/testing/containerd-env.js';
import { pollUntil, startTestServer, type TestServer } from './harness.js';

const skip = containerdSkipReason();

function agentGet(
  port: number,
  path: string,
  token?: string,
  cert?: { cert: string; key: string },
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        rejectUnauthorized: false,
        ...(cert ?? {}),
        headers: token ? { authorization: `Bearer ${token}` } : {},
      },
      (res) => {
        let body = '';
        res.on('data', (d: Buffer) => {
          body += d.toString();
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** The status line of a WebSocket upgrade to the agent (exec), then the connection is dropped. */
function agentUpgrade(port: number, path: string, token?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = connect({ host: '127.0.0.1', port, rejectUnauthorized: false }, () => {
      sock.write(
        `GET ${path} HTTP/1.1\r\nHost: agent\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n` +
          'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n' +
          'Sec-WebSocket-Protocol: v4.channel.k8s.io\r\n' +
          (token ? `Authorization: Bearer ${token}\r\n` : '') +
          '\r\n',
      );
    });
    let data = '';
    sock.on('data', (c: Buffer) => {
      data += c.toString();
      if (data.includes('\r\n')) {
        sock.destroy();
        resolve(data.split('\r\n')[0]!);
      }
    });
    sock.on('close', () => resolve(data.split('\r\n')[0] ?? ''));
    sock.on('error', reject);
  });
}

describe('agent endpoint authentication and authorization', { skip, timeout: 300_000 }, () => {
  let s: TestServer;
  let port = 0;
  let node = '';
  before(async () => {
    s = await startTestServer({
      controlPlane: true,
      agent: true,
      dataDir: mkdtempSync('/tmp/h4-e2e-'),
      // a pod CIDR of its own (other real-container suites may run beside it); denials cached 1 s
      args: [
        '--metric-resolution',
        '1',
        '--cluster-cidr',
        '10.174.0.0/16',
        '--authorization-webhook-cache-unauthorized-ttl',
        '1s',
      ],
    });
    const created = await s.kubectl(['apply', '-f', '-'], {
      input: `apiVersion: v1
kind: Pod
metadata: {name: talker}
spec:
  containers:
  - name: c
    image: busybox:1.35
    command: [sh, -c, 'echo hello from talker; sleep 3600']
`,
    });
    assert.equal(created.code, 0, created.stderr);
    const pod = await pollUntil(
      'talker running',
      async () => {
        const p = JSON.parse(await s.k('get', 'pod', 'talker', '-o', 'json')) as {
          spec: { nodeName?: string };
          status?: { phase?: string };
        };
        return p.status?.phase === 'Running' ? p : undefined;
      },
      120_000,
      500,
    );
    node = pod.spec.nodeName!;
    const n = JSON.parse(await s.k('get', 'node', node, '-o', 'json')) as {
      status: { daemonEndpoints: { kubeletEndpoint: { Port: number } } };
    };
    port = n.status.daemonEndpoints.kubeletEndpoint.Port;
  });
  after(async () => {
    if (!s) return;
    await s.kubectl(['delete', 'pods', '--all', '--grace-period=0', '--force']);
    await pollUntil(
      'no pods',
      async () => (JSON.parse(await s.k('get', 'pods', '-o', 'json')) as { items: unknown[] }).items.length === 0,
      60_000,
      500,
    ).catch(() => {});
    await killallAgentHost({ dataDir: join(s.dataDir, 'agent') });
    await s.stop();
    rmSync(s.dataDir, { recursive: true, force: true });
  });

  it('kubectl logs and exec work through the API server identity, kubectl top through the scraper', async () => {
    const logs = await s.kubectl(['logs', 'talker']);
    assert.equal(logs.code, 0, logs.stderr);
    assert.equal(logs.stdout, 'hello from talker\n');
    const ex = await s.kubectl(['exec', 'talker', '--', 'sh', '-c', 'echo out; echo err >&2; exit 4']);
    assert.equal(ex.code, 4, ex.stderr);
    assert.equal(ex.stdout, 'out\n');
    assert.match(ex.stderr, /err/);
    const top = await pollUntil(
      'kubectl top pod',
      async () => {
        const r = await s.kubectl(['top', 'pod', 'talker', '--no-headers']);
        return r.code === 0 ? r.stdout : undefined;
      },
      60_000,
      1000,
    );
    assert.match(top, /^talker\s+\d+m\s+\d+Mi/);
    const topNode = await s.kubectl(['top', 'node', '--no-headers']);
    assert.equal(topNode.code, 0, topNode.stderr);
    assert.match(topNode.stdout, new RegExp(`^${node}\\s+\\d+m`));
  });

  it('direct calls: no token 401, admin allowed, join token and unbound ServiceAccount 403', async () => {
    const logsPath = '/containerLogs/default/talker/c';
    const anon = await agentGet(port, logsPath);
    assert.equal(anon.status, 401);
    assert.equal(JSON.parse(anon.body).reason, 'Unauthorized');
    assert.equal((await agentGet(port, logsPath, 'not-a-token')).status, 401);
    assert.equal((await agentGet(port, '/healthz')).status, 401);

    const admin = await agentGet(port, logsPath, s.token);
    assert.equal(admin.status, 200, admin.body);
    assert.equal(admin.body, 'hello from talker\n');

    // The admin kubeconfig's client certificate (client CA, CN system:admin, O system:masters) is taken too.
    const tls = join(s.dataDir, 'tls');
    const byCert = await agentGet(port, logsPath, undefined, {
      cert: readFileSync(join(tls, 'client-admin.crt'), 'utf8'),
      key: readFileSync(join(tls, 'client-admin.key'), 'utf8'),
    });
    assert.equal(byCert.status, 200, byCert.body);
    // A certificate of another CA (the serving CA's own server certificate) authenticates nobody.
    const foreign = await agentGet(port, logsPath, undefined, {
      cert: readFileSync(join(tls, 'server.crt'), 'utf8'),
      key: readFileSync(join(tls, 'server.key'), 'utf8'),
    });
    assert.equal(foreign.status, 401);

    const joinToken = readFileSync(join(s.dataDir, 'node-token'), 'utf8').trim();
    const asNode = await agentGet(port, logsPath, joinToken);
    assert.equal(asNode.status, 403);
    assert.equal(
      JSON.parse(asNode.body).message,
      'Forbidden (user=system:bootstrap:node, verb=get, resource=nodes, subresource(s)=[proxy])',
    );

    assert.equal((await s.kubectl(['create', 'serviceaccount', 'peeker'])).code, 0);
    const sa = await s.kubectl(['create', 'token', 'peeker']);
    assert.equal(sa.code, 0, sa.stderr);
    const saToken = sa.stdout.trim();
    const denied = await agentGet(port, logsPath, saToken);
    assert.equal(denied.status, 403);
    assert.equal(
      JSON.parse(denied.body).message,
      'Forbidden (user=system:serviceaccount:default:peeker, verb=get, resource=nodes, subresource(s)=[proxy])',
    );
    const exec = `/exec/default/talker/c?command=true&stdout=1`;
    assert.match(await agentUpgrade(port, exec), /^HTTP\/1.1 401 /);
    assert.match(await agentUpgrade(port, exec, saToken), /^HTTP\/1.1 403 /);
    // The scraper's token reads metrics, not logs.
    const scraper = readFileSync(join(s.dataDir, 'tls', 'metrics-scraper.token'), 'utf8').trim();
    assert.equal((await agentGet(port, '/metrics/resource', scraper)).status, 200);
    assert.equal((await agentGet(port, logsPath, scraper)).status, 403);
    // Prometheus's scrape token reads the agent's /metrics.
    const prometheus = readFileSync(join(s.dataDir, 'metrics-token'), 'utf8').trim();
    const prom = await agentGet(port, '/metrics', prometheus);
    assert.equal(prom.status, 200, prom.body);
    assert.match(prom.body, /kubelet_running_pods/);

    // Bind a role with nodes/proxy: allowed once the cached denial (1 s here) has expired.
    const bound = await s.kubectl(['apply', '-f', '-'], {
      input: `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: node-proxy-reader}
rules:
- apiGroups: [""]
  resources: [nodes/proxy]
  verbs: [get, create]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: peeker-node-proxy}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: node-proxy-reader}
subjects:
- {kind: ServiceAccount, name: peeker, namespace: default}
`,
    });
    assert.equal(bound.code, 0, bound.stderr);
    const allowed = await pollUntil(
      'the ServiceAccount allowed nodes/proxy',
      async () => {
        const r = await agentGet(port, logsPath, saToken);
        return r.status === 200 ? r : undefined;
      },
      15_000,
      250,
    );
    assert.equal(allowed.body, 'hello from talker\n');
    assert.doesNotMatch(await agentUpgrade(port, exec, saToken), /^HTTP\/1.1 40[13] /);
  });
});

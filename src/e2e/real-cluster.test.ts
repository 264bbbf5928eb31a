// The whole of `tutti server` on real containers: its own agent over a private containerd, controllers and
// scheduler. A busybox httpd Deployment answers on its pod IPs from the host, `kubectl logs -f` streams, and
// scaling to zero leaves no pod network behind. Needs root and containerd; skips with the reason otherwise.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { request } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { killallAgentHost } from '../agent/host/killall.js';
import { bridgeNameFor } from '../agent/host/names.js';
import { bridgePorts, containerdSkipReason } from '../agent/runtime/testing/containerd-env.js';
import { pollUntil, type TestServer, startTestServer } from './harness.js';

const skip = containerdSkipReason();

function httpGet(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(url, { timeout: 3000 }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => {
        body += d.toString();
      });
      res.on('end', () => resolve(body));
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end();
  });
}

const until = <T>(what: string, ms: number, fn: () => Promise<T | undefined | false>) => pollUntil(what, fn, ms, 100);

interface PodList {
  items: { metadata: { name: string }; status?: { phase?: string; podIP?: string } }[];
}

describe('tutti server on real containers', { skip }, () => {
  let s: TestServer;
  const pods = async (sel: string) => JSON.parse(await s.k('get', 'pods', '-l', sel, '-o', 'json')) as PodList;
  before(async () => {
    s = await startTestServer({ controlPlane: true, agent: true });
  });
  after(async () => {
    if (!s) return;
    // The agent leaves containers running when it stops (a restarted agent adopts them): remove the pods first.
    await s.kubectl(['delete', 'deploy', '--all', '--grace-period=1']);
    await s.kubectl(['delete', 'pods', '--all', '--grace-period=0', '--force']);
    await until('no pods', 60_000, async () => (await pods('')).items.length === 0).catch(() => {});
    // Nothing of the node stays on the host (its bridge would hold this CIDR against the next run).
    await killallAgentHost({ dataDir: join(s.dataDir, 'agent') });
    await s.stop();
  });

  it('runs a busybox httpd Deployment whose pods answer on their pod IPs', async () => {
    await s.k(
      'create',
      'deployment',
      'web',
      '--image=busybox:1.35',
      '--replicas=2',
      '--',
      'sh',
      '-c',
      'echo hello from $(hostname) > /tmp/index.html; echo started; exec httpd -f -p 8080 -h /tmp',
    );
    const running = await until('2 running pods with IPs', 60_000, async () => {
      const ps = (await pods('app=web')).items.filter((p) => p.status?.phase === 'Running' && p.status.podIP);
      return ps.length === 2 ? ps : undefined;
    });
    for (const p of running) {
      assert.match(p.status!.podIP!, /^10\.42\./);
      assert.equal(await httpGet(`http://${p.status!.podIP}:8080/index.html`), `hello from ${p.metadata.name}\n`);
    }
    const nodes = await s.k('get', 'nodes');
    assert.match(nodes, /\sReady\s/);
  });

  it('streams logs with kubectl logs -f', async () => {
    await s.k(
      'run',
      'ticker',
      '--image=busybox:1.35',
      '--',
      'sh',
      '-c',
      'i=0; while true; do echo tick $i; i=$((i+1)); sleep 0.2; done',
    );
    await until('ticker running', 60_000, async () => (await pods('run=ticker')).items[0]?.status?.phase === 'Running');
    const child = spawn('kubectl', ['--kubeconfig', s.kubeconfig, 'logs', '-f', 'ticker'], {
      env: { ...process.env, HOME: s.dataDir },
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    try {
      const first = await until('a first line', 15_000, async () => (/tick \d+/.test(out) ? out.length : undefined));
      await until(
        'more lines after the first read',
        15_000,
        async () => out.length > first + 20 && /tick [1-9]\d*/.test(out),
      );
    } finally {
      child.kill();
    }
    const lines = out.trim().split('\n');
    assert.ok(
      lines.every((l) => /^tick \d+$/.test(l)),
      out,
    );
  });

  it('mounts a bound ServiceAccount token that authenticates as the pod and ends with it', async () => {
    await until(
      'the default ServiceAccount',
      30_000,
      async () => (await s.kubectl(['get', 'sa', 'default'])).code === 0,
    );
    await until(
      'the root CA ConfigMap',
      30_000,
      async () => (await s.kubectl(['get', 'cm', 'kube-root-ca.crt'])).code === 0,
    );
    await s.k('run', 'tok', '--image=busybox:1.35', '--', 'sleep', '3600');
    await until('tok running', 60_000, async () => (await pods('run=tok')).items[0]?.status?.phase === 'Running');
    const dir = '/var/run/secrets/kubernetes.io/serviceaccount';
    const token = (await s.k('exec', 'tok', '--', 'cat', `${dir}/token`)).trim();
    assert.equal(await s.k('exec', 'tok', '--', 'cat', `${dir}/namespace`), 'default');
    assert.equal(await s.k('exec', 'tok', '--', 'cat', `${dir}/ca.crt`), s.caPem);
    const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString());
    assert.equal(claims['kubernetes.io'].pod.name, 'tok');
    const who = await s.kubectl(['--token', token, 'auth', 'whoami']);
    assert.match(who.stdout, /Username\s+system:serviceaccount:default:default/, who.stderr);
    await s.k('delete', 'pod', 'tok', '--grace-period=0', '--force');
    await until('the token ends with its pod', 30_000, async () => {
      const r = await s.request('GET', '/api/v1/namespaces/default/pods', undefined, {
        Authorization: `Bearer ${token}`,
      });
      return r.status === 401;
    });
  });

  it('scales to zero and leaves no pod network behind', async () => {
    await s.k('scale', 'deploy', 'web', '--replicas=0');
    await s.k('delete', 'pod', 'ticker', '--grace-period=1');
    await until('no pods left', 90_000, async () => (await pods('')).items.length === 0);
    // The pod bridge is the data dir's own (tutti0 only for the default data dir).
    const bridge = bridgeNameFor(join(s.dataDir, 'agent'));
    await until('no veth on the pod bridge', 30_000, async () => bridgePorts(bridge).length === 0);
  });
});

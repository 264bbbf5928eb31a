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
    await s.kubectl(['delete', 'deploy,statefulset', '--all', '--grace-period=1']);
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

  it('runs a StatefulSet of 2 on the default StorageClass whose data survives pod deletion', async () => {
    const manifest = {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: 'db' },
      spec: {
        replicas: 2,
        serviceName: 'db',
        selector: { matchLabels: { app: 'db' } },
        template: {
          metadata: { labels: { app: 'db' } },
          spec: {
            terminationGracePeriodSeconds: 1,
            containers: [
              {
                name: 'db',
                image: 'busybox:1.35',
                command: [
                  'sh',
                  '-c',
                  // The first start writes an identity into the claim; later starts only read it.
                  'test -f /data/id || echo "$(hostname) $(date +%s)-$RANDOM" > /data/id; exec httpd -f -p 8080 -h /data',
                ],
                volumeMounts: [{ name: 'data', mountPath: '/data' }],
              },
            ],
          },
        },
        // No storageClassName: the default StorageClass (local-path) is assigned.
        volumeClaimTemplates: [
          {
            metadata: { name: 'data' },
            spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '64Mi' } } },
          },
        ],
      },
    };
    const applied = await s.kubectl(['apply', '-f', '-'], { input: JSON.stringify(manifest) });
    assert.equal(applied.code, 0, applied.stderr);
    type Pod = PodList['items'][number] & { metadata: { uid?: string } };
    const running = async (name: string, notUid?: string) =>
      until(`${name} running`, 120_000, async () => {
        const p = (await pods('app=db')).items.find((x) => x.metadata.name === name) as Pod | undefined;
        return p?.status?.phase === 'Running' && p.status.podIP && p.metadata.uid !== notUid ? p : undefined;
      });
    const first = new Map<string, { uid: string; id: string }>();
    for (const name of ['db-0', 'db-1']) {
      const p = await running(name);
      const ip = p.status!.podIP!;
      const id = await until(`${name} serves its id`, 15_000, async () =>
        httpGet(`http://${ip}:8080/id`).catch(() => undefined),
      );
      assert.match(id, new RegExp(`^${name} \\d+-\\d+\\n$`));
      first.set(name, { uid: p.metadata.uid!, id });
    }
    // Each claim is Bound to a local-path volume of its own.
    const pvcs = JSON.parse(await s.k('get', 'pvc', '-o', 'json')) as {
      items: {
        metadata: { name: string };
        spec: { storageClassName?: string; volumeName?: string };
        status: { phase?: string };
      }[];
    };
    const claims = pvcs.items.filter((c) => c.metadata.name.startsWith('data-db-'));
    assert.deepEqual(claims.map((c) => c.metadata.name).sort(), ['data-db-0', 'data-db-1']);
    for (const c of claims) {
      assert.equal(c.status.phase, 'Bound', c.metadata.name);
      assert.equal(c.spec.storageClassName, 'local-path');
      const pv = JSON.parse(await s.k('get', 'pv', c.spec.volumeName!, '-o', 'json')) as {
        spec: { storageClassName?: string; claimRef?: { name?: string }; hostPath?: { path?: string } };
      };
      assert.equal(pv.spec.storageClassName, 'local-path');
      // The volume lives under the server's own node's data dir (<data-dir>/agent/storage), as in k3s.
      assert.equal(pv.spec.hostPath?.path, join(s.dataDir, 'agent', 'storage', c.spec.volumeName!));
      assert.equal(pv.spec.claimRef?.name, c.metadata.name);
    }
    assert.notEqual(claims[0]!.spec.volumeName, claims[1]!.spec.volumeName);
    // Deleting the pod brings it back with the same claim: the data written by the first start is still there.
    await s.k('delete', 'pod', 'db-0', '--wait=false');
    const again = await running('db-0', first.get('db-0')!.uid);
    const id = await until('db-0 serves its id again', 15_000, async () =>
      httpGet(`http://${again.status!.podIP!}:8080/id`).catch(() => undefined),
    );
    assert.equal(id, first.get('db-0')!.id);
    await s.k('delete', 'statefulset', 'db');
    await until('no db pods', 60_000, async () => (await pods('app=db')).items.length === 0);
    await s.k('delete', 'pvc', 'data-db-0', 'data-db-1');
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

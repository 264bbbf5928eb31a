// The cluster autoscaler with the local provider: a pending pod makes a real `tutti agent` join from a new
// network namespace (its own containerd and data dir); the pod runs there in a real container and answers
// on its pod IP from inside that namespace; scaling the Deployment to zero removes the node, and with it
// the agent, its containerd, its namespace, veth, mounts, data dir and the fabric bridge: nothing is left.
// Needs root and containerd (skips with the reason otherwise). Names and subnets carry the pid.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type ClusterAutoscaler, startClusterAutoscaler } from '../autoscaler/controller.js';
import { LocalProvider } from '../autoscaler/providers/local.js';
import { mountsUnder } from '../autoscaler/providers/netns.js';
import { containerdSkipReason } from '../agent/runtime/testing/containerd-env.js';
import { ApiClient } from '../client/api-client.js';
import { type ControllerContext, newControllerContext } from '../controllers/context.js';
import type { Node, Pod } from '../core/types.js';
import { pollUntil, type TestServer, startTestServer } from './harness.js';

const skip = containerdSkipReason() ?? (existsSync('/usr/bin/nsenter') ? undefined : 'nsenter not installed');
const until = <T>(what: string, ms: number, fn: () => Promise<T | undefined | false>) => pollUntil(what, fn, ms, 200);

const n = process.pid % 200;
const SUBNET = `10.213.${n + 20}.0/24`;
const GATEWAY = `10.213.${n + 20}.1`;
const CLUSTER_CIDR = `10.${216 + (n % 30)}.0.0/16`;
const BRIDGE = `tasl${process.pid}`.slice(0, 15);
const NETNS_PREFIX = `tasl${process.pid}-`;

const netnsList = () =>
  execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })
    .split('\n')
    .map((l) => l.split(' ')[0]!)
    .filter((l) => l.startsWith(NETNS_PREFIX));
const linkExists = (name: string) => {
  try {
    execFileSync('ip', ['link', 'show', 'dev', name], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};
/** Processes whose command line names the path (the agent, its containerd and shims all do). */
const processesUsing = (path: string) =>
  readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .filter((p) => {
      try {
        return readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(path);
      } catch {
        return false;
      }
    });

describe('cluster autoscaler, local provider (real agent in a network namespace)', { skip }, () => {
  let s: TestServer;
  let client: ApiClient;
  let ctx: ControllerContext;
  let provider: LocalProvider;
  let autoscaler: ClusterAutoscaler;
  let dataRoot: string;
  let nodeName = '';
  let podUid = '';

  before(async () => {
    // The API server listens on every address, so the agents reach it on the bridge's (the fabric's .1).
    s = await startTestServer({
      controlPlane: true,
      args: ['--bind-address', '0.0.0.0', '--advertise-address', GATEWAY, '--cluster-cidr', CLUSTER_CIDR],
    });
    client = new ApiClient({ server: s.url, caPem: s.caPem, token: s.token });
    dataRoot = mkdtempSync(join(tmpdir(), 'tutti-local-provider-'));
    provider = new LocalProvider({
      client,
      token: readFileSync(join(s.dataDir, 'node-token'), 'utf8').trim(),
      dataRoot,
      subnet: SUBNET,
      bridge: BRIDGE,
      serverPort: Number(new URL(s.url).port),
      netnsPrefix: NETNS_PREFIX,
    });
    const log = process.env['AUTOSCALER_TEST_LOG']
      ? (msg: string, f: Record<string, unknown>) => console.error(JSON.stringify({ msg, ...f }))
      : () => {};
    ctx = newControllerContext(client, { log });
    autoscaler = startClusterAutoscaler(ctx, {
      providers: { machines: provider },
      scanIntervalMs: 1000,
      maxNodeProvisionTimeMs: 120_000,
      scaleDown: { unneededTimeMs: 2000, delayAfterAddMs: 2000 },
    });
    ctx.informers.start();
    await s.kubectl(['apply', '-f', '-'], {
      input: JSON.stringify({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'tutti-node-groups', namespace: 'kube-system' },
        data: {
          machines:
            'provider: machines\nminSize: 0\nmaxSize: 2\ntemplate:\n  capacity: {cpu: "1", memory: 1Gi}\n  labels: {pool: local}',
        },
      }),
    });
  });

  after(async () => {
    await autoscaler?.stop();
    ctx?.informers.stop();
    // Whatever a failed test left: every node of the provider, then the bridge and the data root.
    for (const name of (await provider?.listNodes('machines').catch(() => [])) ?? []) {
      await provider.deleteNode('machines', name, AbortSignal.timeout(120_000)).catch(() => {});
    }
    for (const ns of netnsList()) execFileSync('ip', ['netns', 'del', ns], { stdio: 'ignore' });
    if (linkExists(BRIDGE)) execFileSync('ip', ['link', 'del', BRIDGE], { stdio: 'ignore' });
    if (dataRoot) rmSync(dataRoot, { recursive: true, force: true });
    client?.close();
    await s?.stop();
  });

  it('a pending pod makes an agent join from a new namespace; the pod answers on its pod IP there', async () => {
    const t0 = Date.now();
    await s.kubectl(['apply', '-f', '-'], {
      input: JSON.stringify({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'web', namespace: 'default' },
        spec: {
          replicas: 1,
          selector: { matchLabels: { app: 'web' } },
          template: {
            metadata: { labels: { app: 'web' } },
            spec: {
              terminationGracePeriodSeconds: 2,
              containers: [
                {
                  name: 'httpd',
                  image: 'busybox:1.35',
                  command: ['sh', '-c', 'echo hello from $(hostname) > /tmp/index.html; exec httpd -f -p 8080 -h /tmp'],
                  resources: { requests: { cpu: '100m' } },
                },
              ],
            },
          },
        },
      }),
    });
    const pod = await until('the pod running with an IP', 120_000, async () => {
      const [p] = (await client.list<Pod>('/api/v1/namespaces/default/pods', { labelSelector: 'app=web' })).items;
      return p?.status?.phase === 'Running' && p.status.podIP ? p : undefined;
    });
    console.log(`# figures (local provider): pod created -> Running on a new agent: ${Date.now() - t0} ms`);
    nodeName = pod.spec!.nodeName!;
    podUid = pod.metadata.uid!;
    const node = await client.get<Node>(`/api/v1/nodes/${nodeName}`);
    assert.equal(node.metadata.labels?.['autoscaling.tutti.io/node-group'], 'machines');
    assert.equal(node.metadata.labels?.['pool'], 'local');
    const address = node.status?.addresses?.find((a) => a.type === 'InternalIP')?.address;
    assert.ok(address?.startsWith(GATEWAY.replace(/\.1$/, '.')), `node address ${address} on the fabric`);
    const netns = provider.netnsOf(nodeName);
    assert.deepEqual(netnsList(), [netns]);
    // From inside the node's namespace, as another machine on its network would.
    const body = execFileSync(
      'nsenter',
      [
        `--net=/run/netns/${netns}`,
        '--',
        'curl',
        '-sS',
        '--max-time',
        '5',
        `http://${pod.status!.podIP}:8080/index.html`,
      ],
      { encoding: 'utf8', timeout: 15_000 },
    );
    assert.match(body, /^hello from web-/);
  });

  it('scale-down removes the agent, its containerd, its namespace and leaves nothing behind', async () => {
    assert.ok(nodeName, 'the first test made a node');
    const nodeDir = join(dataRoot, nodeName);
    assert.ok(processesUsing(nodeDir).length >= 2, 'the agent and its containerd run from the node dir');
    await s.k('scale', 'deploy/web', '--replicas=0');
    await until('the node removed', 120_000, async () => {
      try {
        await client.get(`/api/v1/nodes/${nodeName}`);
        return false;
      } catch {
        return true;
      }
    });
    await until('the provider done removing', 60_000, async () => !existsSync(nodeDir));
    await autoscaler.idle();
    assert.deepEqual(await provider.listNodes('machines'), []);
    assert.deepEqual(netnsList(), [], 'no namespace left');
    assert.deepEqual(processesUsing(nodeDir), [], 'no agent, containerd or shim left');
    assert.deepEqual(mountsUnder(dataRoot), [], 'no mount left');
    assert.equal(linkExists(BRIDGE), false, 'the fabric bridge the provider made is gone');
    const vethHost = `ta${createHash('sha1').update(nodeName).digest('hex').slice(0, 8)}`;
    assert.equal(linkExists(vethHost), false, 'the veth is gone');
    // cgroup v1 hierarchies, and the v2 root.
    const cgroupLeft = ['', ...readdirSync('/sys/fs/cgroup')].filter((h) =>
      existsSync(join('/sys/fs/cgroup', h, 'tutti', `pod${podUid}`)),
    );
    assert.deepEqual(cgroupLeft, [], "the pod's cgroups are gone");
    const cniLeft = execFileSync(
      'sh',
      ['-c', `grep -rl '${CLUSTER_CIDR.split('.').slice(0, 2).join('.')}\\.' /var/lib/cni 2>/dev/null || true`],
      {
        encoding: 'utf8',
      },
    ).trim();
    assert.equal(cniLeft, '', 'no CNI result or IP allocation of the node is left');
  });
});

// What a pod sees on the real agent (root + containerd; skips otherwise), for issue 9's "wrong behaviour with no
// error": a claim that does not exist keeps the pod Pending, configMap/secret volumes refresh atomically (subPath
// ones do not), Service environment variables, `kubectl run -i` shows the output every time, and a second agent
// on the machine gets its own bridge or refuses an overlapping pod CIDR. Ends with `killall` on the data dir.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { ApiClient } from '../client/index.js';
import type { Event, Service } from '../core/types.js';
import { pollUntil, startTestServer, type TestServer } from '../e2e/harness.js';
import { type RunningAgent, startAgent } from './agent.js';
import { bridgeAddresses, linkExists } from './host/links.js';
import { killallAgentHost } from './host/killall.js';
import { bridgeNameFor } from './host/names.js';
import { cgroupExists } from './pods/cgroups.js';
import { LABEL_POD_UID } from './pods/labels.js';
import { privateContainerdUnavailable } from './runtime-choice.js';
import { containerdProcessesOf, containerdLayout } from './runtime/index.js';
import { drainAndStopAgent } from './testing/teardown.js';
import type { BoundPod } from './types.js';

const NS = 'default';
const BUSYBOX = 'busybox:1.35';
const n = process.pid % 200;
const podCidr = `10.236.${n + 20}.0/24`;
const secondCidr = `10.236.${((n + 100) % 200) + 20}.0/24`;

describe('pods on the real agent', { skip: privateContainerdUnavailable(), timeout: 600_000 }, () => {
  let server: TestServer;
  let client: ApiClient;
  let agent: RunningAgent | undefined;
  let dataDir = '';
  let token = '';
  const nodeName = `node-pods-${process.pid}`;
  const figures: Record<string, number> = {};

  const boot = (dir: string, name: string, cidr: string) =>
    startAgent({
      server: server.url,
      token,
      nodeName: name,
      dataDir: dir,
      runtime: 'cri',
      podCidr: cidr,
      imageCacheDir: join(tmpdir(), 'tutti-cri-image-cache'),
      agentPort: 0,
      volumeRefreshIntervalMs: 1000,
      log: process.env['AGENT_TEST_LOG'] ? (m, f) => console.error(JSON.stringify({ m, ...f })) : () => {},
    });

  const podPath = (name = '') => `/api/v1/namespaces/${NS}/pods${name ? `/${name}` : ''}`;
  const getPod = (name: string) => client.get<BoundPod>(podPath(name));
  const createPod = (
    name: string,
    spec: Partial<BoundPod['spec']> & Pick<BoundPod['spec'], 'containers'>,
    labels = {},
  ) =>
    client.create<BoundPod>(podPath(), {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: NS, labels },
      spec: { nodeName, terminationGracePeriodSeconds: 1, ...spec },
    });
  const waitFor = <T>(what: string, fn: () => Promise<T | undefined | false>, ms = 60_000) =>
    pollUntil(what, fn, ms, 100);
  const running = (name: string) =>
    waitFor(`${name} running`, async () => {
      const p = await getPod(name);
      const cs = p.status?.containerStatuses?.[0];
      return cs?.state?.running ? { pod: p, id: cs.containerID!.replace(/^containerd:\/\//, '') } : undefined;
    });
  const exec = async (id: string, cmd: string[]) => {
    const r = await agent!.runtime.execSync(id, cmd, 10);
    return r.stdout.toString();
  };
  const events = async (pod: string) =>
    (await client.list<Event>(`/api/v1/namespaces/${NS}/events`)).items.filter((e) => e.involvedObject.name === pod);

  before(async () => {
    server = await startTestServer({ controlPlane: true });
    token = readFileSync(join(server.dataDir, 'tls', 'node-token'), 'utf8').trim();
    client = new ApiClient({ server: server.url, caPem: server.caPem, token: server.token });
    dataDir = mkdtempSync(join(tmpdir(), 'tutti-agent-pods-'));
    agent = await boot(dataDir, nodeName, podCidr);
  });

  after(async () => {
    try {
      if (agent) await drainAndStopAgent(agent, client, NS);
    } finally {
      client?.close();
      // Whatever a failed test left of the agent on the host goes too.
      if (dataDir) await killallAgentHost({ dataDir });
      await server?.stop();
      if (dataDir) rmSync(dataDir, { recursive: true, force: true });
      console.log(`# figures: ${JSON.stringify(figures)}`);
    }
  });

  test('the agent uses the bridge and cgroup root of its data dir', () => {
    assert.equal(agent!.bridgeName, bridgeNameFor(dataDir));
    assert.match(agent!.bridgeName, /^tt-[0-9a-f]{8}$/);
    assert.match(agent!.cgroupRoot, /^tutti-[0-9a-f]{8}$/);
    const record = JSON.parse(readFileSync(join(dataDir, 'agent.json'), 'utf8'));
    assert.equal(record.bridgeName, agent!.bridgeName);
    assert.equal(record.podCidr, podCidr);
    assert.equal(record.pid, process.pid);
  });

  test('a pod whose claim does not exist stays Pending, without a sandbox, with a FailedMount event, retried', async () => {
    const pod = await createPod('claimless', {
      volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'no-such-claim' } }],
      containers: [
        { name: 'c', image: BUSYBOX, command: ['sleep', '3600'], volumeMounts: [{ name: 'data', mountPath: '/data' }] },
      ],
    });
    const want =
      'Unable to attach or mount volumes: unmounted volumes=[data], unattached volumes=[], failed to process ' +
      'volumes=[data]: error processing PVC default/no-such-claim: failed to fetch PVC from API server: ' +
      'persistentvolumeclaims "no-such-claim" not found';
    const ev = await waitFor('FailedMount event', async () =>
      (await events('claimless')).find((e) => e.reason === 'FailedMount'),
    );
    assert.equal(ev.type, 'Warning');
    assert.equal(ev.message, want);
    await waitFor('the event repeated (retried)', async () =>
      ((await events('claimless')).find((e) => e.reason === 'FailedMount')?.count ?? 0) >= 2 ? true : undefined,
    );
    const p = await getPod('claimless');
    assert.equal(p.status?.phase, 'Pending');
    assert.equal(p.status?.containerStatuses?.[0]?.state?.waiting?.reason, 'ContainerCreating');
    assert.deepEqual(
      await agent!.runtime.listPodSandboxes({ labelSelector: { [LABEL_POD_UID]: pod.metadata.uid! } }),
      [],
    );
    await client.delete(podPath('claimless'), { gracePeriodSeconds: 0 });
  });

  test('configMap, secret, projected and downwardAPI volumes refresh atomically; a subPath mount does not', async () => {
    const cmPath = `/api/v1/namespaces/${NS}/configmaps`;
    const secretPath = `/api/v1/namespaces/${NS}/secrets`;
    const b64 = (s: string) => Buffer.from(s).toString('base64');
    await client.create(cmPath, {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'cfg' },
      data: { greeting: 'v1' },
    });
    await client.create(secretPath, {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'sec' },
      data: { token: b64('s1') },
    });
    await createPod(
      'watcher',
      {
        volumes: [
          { name: 'cfg', configMap: { name: 'cfg' } },
          { name: 'sec', secret: { secretName: 'sec' } },
          {
            name: 'proj',
            projected: {
              sources: [
                { configMap: { name: 'cfg' } },
                { downwardAPI: { items: [{ path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } }] } },
              ],
            },
          },
        ],
        containers: [
          {
            name: 'c',
            image: BUSYBOX,
            command: ['sleep', '3600'],
            volumeMounts: [
              { name: 'cfg', mountPath: '/cfg' },
              { name: 'cfg', mountPath: '/one/greeting', subPath: 'greeting' },
              { name: 'sec', mountPath: '/sec' },
              { name: 'proj', mountPath: '/proj' },
            ],
          },
        ],
      },
      { version: 'a' },
    );
    const { id } = await running('watcher');
    assert.equal(await exec(id, ['cat', '/cfg/greeting']), 'v1');
    assert.equal(await exec(id, ['cat', '/sec/token']), 's1');
    assert.equal(await exec(id, ['cat', '/one/greeting']), 'v1');
    // The kubelet's layout: ..data -> ..<timestamp>, greeting -> ..data/greeting.
    assert.match(await exec(id, ['readlink', '/cfg/..data']), /^\.\.\d{4}_\d\d_\d\d_\d\d_\d\d_\d\d\.\w+\n$/);
    assert.equal(await exec(id, ['readlink', '/cfg/greeting']), '..data/greeting\n');

    const t0 = Date.now();
    await client.patch(`${cmPath}/cfg`, { data: { greeting: 'v2' } }, 'merge');
    await waitFor('configMap volume updated', async () => (await exec(id, ['cat', '/cfg/greeting'])) === 'v2', 30_000);
    figures['configMap change -> file in the container (ms, refresh period 1 s)'] = Date.now() - t0;
    await client.patch(`${secretPath}/sec`, { data: { token: b64('s2') } }, 'merge');
    await waitFor('secret volume updated', async () => (await exec(id, ['cat', '/sec/token'])) === 's2', 30_000);
    await client.patch(podPath('watcher'), { metadata: { labels: { version: 'b' } } }, 'merge');
    await waitFor('projected volume updated', async () => (await exec(id, ['cat', '/proj/greeting'])) === 'v2', 30_000);
    await waitFor('downward API labels updated', async () =>
      (await exec(id, ['cat', '/proj/labels'])) === 'version="b"' ? true : undefined,
    );
    assert.equal(await exec(id, ['cat', '/one/greeting']), 'v1', 'subPath mounts keep their version');
    // The same container all along: volumes change under it, nothing restarts.
    const after = await getPod('watcher');
    assert.equal(after.status?.containerStatuses?.[0]?.restartCount, 0);
    await client.delete(podPath('watcher'), { gracePeriodSeconds: 0 });
  });

  test('pods get Service environment variables; enableServiceLinks: false keeps only the kubernetes ones', async () => {
    const svc = await client.create<Service>(`/api/v1/namespaces/${NS}/services`, {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'backend' },
      spec: {
        selector: { app: 'backend' },
        ports: [
          { name: 'http', port: 80, targetPort: 8080 },
          { name: 'metrics', port: 9090, protocol: 'TCP' },
        ],
      },
    });
    const ip = svc.spec!.clusterIP!;
    assert.ok(ip);
    // The agent's Service informer sees it before the pods start.
    await sleep(1000);
    const spec = (links?: boolean) => ({
      enableServiceLinks: links,
      containers: [
        {
          name: 'c',
          image: BUSYBOX,
          command: ['sleep', '3600'],
          env: [{ name: 'BACKEND_SERVICE_PORT_METRICS', value: 'mine' }],
        },
      ],
    });
    await createPod('linked', spec());
    await createPod('unlinked', spec(false));
    const env = async (name: string) => {
      const { id } = await running(name);
      return Object.fromEntries(
        (await exec(id, ['env']))
          .trim()
          .split('\n')
          .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
      ) as Record<string, string>;
    };
    const linked = await env('linked');
    assert.equal(linked['BACKEND_SERVICE_HOST'], ip);
    assert.equal(linked['BACKEND_SERVICE_PORT'], '80');
    assert.equal(linked['BACKEND_SERVICE_PORT_HTTP'], '80');
    assert.equal(linked['BACKEND_SERVICE_PORT_METRICS'], 'mine', 'explicit env wins');
    assert.equal(linked['BACKEND_PORT'], `tcp://${ip}:80`);
    assert.equal(linked['BACKEND_PORT_9090_TCP'], `tcp://${ip}:9090`);
    assert.equal(linked['BACKEND_PORT_9090_TCP_PROTO'], 'tcp');
    assert.equal(linked['BACKEND_PORT_9090_TCP_PORT'], '9090');
    assert.equal(linked['BACKEND_PORT_9090_TCP_ADDR'], ip);
    assert.ok(linked['KUBERNETES_SERVICE_HOST']);
    assert.equal(linked['KUBERNETES_SERVICE_PORT'], linked['KUBERNETES_SERVICE_PORT_HTTPS']);
    const unlinked = await env('unlinked');
    assert.equal(unlinked['KUBERNETES_SERVICE_HOST'], linked['KUBERNETES_SERVICE_HOST']);
    assert.deepEqual(
      Object.keys(unlinked).filter((k) => k.startsWith('BACKEND_')),
      ['BACKEND_SERVICE_PORT_METRICS'],
    );
    await client.delete(podPath('linked'), { gracePeriodSeconds: 0 });
    await client.delete(podPath('unlinked'), { gracePeriodSeconds: 0 });
  });

  test('kubectl run -i --rm prints what the container printed, 5 times out of 5', async () => {
    const times: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t0 = Date.now();
      const r = await server.kubectl(
        ['run', '-i', '--rm', `once-${i}`, `--image=${BUSYBOX}`, '--restart=Never', '--', 'echo', 'hi'],
        { timeoutMs: 60_000 },
      );
      times.push(Date.now() - t0);
      assert.equal(r.code, 0, `run ${i}: ${r.stderr}`);
      assert.deepEqual(
        r.stdout.split('\n').filter((l) => l === 'hi'),
        ['hi'],
        `run ${i}: stdout ${JSON.stringify(r.stdout)} stderr ${JSON.stringify(r.stderr)}`,
      );
      assert.doesNotMatch(r.stderr, /falling back to streaming logs/);
    }
    figures['kubectl run -i --rm echo hi, median (ms)'] = times.sort((a, b) => a - b)[2]!;
    // Output over time, and stdin: nothing before the attach is lost, nothing after it is doubled.
    const r = await server.kubectl(
      [
        'run',
        '-i',
        '--rm',
        'talk',
        `--image=${BUSYBOX}`,
        '--restart=Never',
        '--',
        'sh',
        '-c',
        'echo one; cat; sleep 1; echo three',
      ],
      { input: 'two\n', timeoutMs: 60_000 },
    );
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(
      r.stdout.split('\n').filter((l) => ['one', 'two', 'three'].includes(l)),
      ['one', 'two', 'three'],
    );
  });

  test('a second agent gets its own bridge and pod network, and refuses a pod CIDR another bridge holds', async () => {
    const own = bridgeAddresses().find((b) => b.bridge === agent!.bridgeName);
    assert.ok(own, `bridge ${agent!.bridgeName} has an address`);
    const dir2 = mkdtempSync(join(tmpdir(), 'tutti-agent-second-'));
    let second: RunningAgent | undefined;
    try {
      await assert.rejects(boot(dir2, `${nodeName}-b`, podCidr), (err: Error) => {
        assert.match(
          err.message,
          new RegExp(`pod CIDR ${podCidr.replaceAll('.', '\\.')} of node ${nodeName}-b overlaps`),
        );
        assert.match(err.message, new RegExp(`on bridge ${agent!.bridgeName}`));
        return true;
      });
      assert.equal(containerdProcessesOf(containerdLayout(join(dir2, 'containerd'))).length, 0, 'nothing started');
      second = await boot(dir2, `${nodeName}-b`, secondCidr);
      assert.notEqual(second.bridgeName, agent!.bridgeName);
      await client.create(podPath(), {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'on-second', namespace: NS },
        spec: {
          nodeName: `${nodeName}-b`,
          terminationGracePeriodSeconds: 1,
          containers: [{ name: 'c', image: BUSYBOX, command: ['sleep', '3600'] }],
        },
      });
      const p = await waitFor('pod on the second node running', async () => {
        const x = await getPod('on-second');
        return x.status?.phase === 'Running' && x.status.podIP ? x : undefined;
      });
      assert.ok(p.status!.podIP!.startsWith(secondCidr.split('.').slice(0, 3).join('.')), p.status!.podIP);
      assert.ok(bridgeAddresses().some((b) => b.bridge === second!.bridgeName));
      await client.delete(podPath('on-second'), { gracePeriodSeconds: 0 });
      await waitFor('second drained', async () => second!.pods.podUids().length === 0);
    } finally {
      await second?.stop();
      const report = await killallAgentHost({ dataDir: dir2 });
      rmSync(dir2, { recursive: true, force: true });
      assert.deepEqual(report.leftovers, []);
    }
    if (second) assert.equal(linkExists(second.bridgeName), false);
  });

  test('killall removes the agent from the host: containerd, bridge, cgroups, IPAM state', async () => {
    const bridge = agent!.bridgeName;
    const cgroupRoot = agent!.cgroupRoot;
    await createPod('left-running', { containers: [{ name: 'c', image: BUSYBOX, command: ['sleep', '3600'] }] });
    const { pod } = await running('left-running');
    const [sandbox] = await agent!.runtime.listPodSandboxes({ labelSelector: { [LABEL_POD_UID]: pod.metadata.uid! } });
    assert.ok(sandbox);
    // The agent stops as after a crash would leave it: pods running, containerd running.
    await agent!.stop();
    agent = undefined;
    const report = await killallAgentHost({ dataDir });
    assert.deepEqual(report.leftovers, []);
    assert.ok(report.sandboxes.includes(sandbox.id), JSON.stringify(report));
    assert.equal(linkExists(bridge), false);
    assert.equal(cgroupExists(`/${cgroupRoot}`), false);
    assert.equal(containerdProcessesOf(containerdLayout(join(dataDir, 'containerd'))).length, 0);
    const again = await killallAgentHost({ dataDir });
    assert.deepEqual(again.leftovers, []);
    assert.deepEqual(again.sandboxes, []);
    await client.delete(podPath('left-running'), { gracePeriodSeconds: 0 }).catch(() => {});
  });
});

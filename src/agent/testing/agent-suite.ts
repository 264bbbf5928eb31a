// The node agent's integration suite against a real `tutti server` (child process) and the agent running
// in the test process, on either runtime. The CRI run adds isolation checks (pod IPs, OOM, veth, cgroups).
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { ApiClient } from '../../client/index.js';
import { pollUntil, startTestServer, type TestServer } from '../../e2e/harness.js';
import { drainAndStopAgent, removeAgentHostState } from './teardown.js';
import { type RunningAgent, startAgent } from '../agent.js';
import { cgroupExists, podCgroupParent } from '../pods/cgroups.js';
import type { Node } from '../../core/types.js';
import type { BoundPod } from '../types.js';

export interface SuiteOptions {
  runtime: 'cri' | 'process';
  skip?: string;
}

const BUSYBOX = 'busybox:1.35';
const NS = 'default';

function bridgePorts(bridge: string): string[] {
  try {
    return execFileSync('ip', ['-o', 'link', 'show', 'master', bridge], { encoding: 'utf8' })
      .split('\n')
      .filter((l) => l.trim());
  } catch {
    return [];
  }
}

/** Runs a shell command line under util-linux `script`, i.e. with a pseudo-terminal as its terminal. */
function runUnderTerminal(commandLine: string, timeoutMs = 30_000): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const child = spawn('script', ['-qec', commandLine, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    const collect = (d: Buffer) => {
      output += d.toString();
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, output });
    });
  });
}

export function agentSuite(opts: SuiteOptions): void {
  const cri = opts.runtime === 'cri';
  const n = process.pid % 200;
  const bridgeName = `tag${process.pid}`.slice(0, 15);
  const podCidr = `10.234.${n + 20}.0/24`;
  const cgroupRoot = `tutti-agent-test-${process.pid}`;
  const nodeName = `node-${opts.runtime}-${process.pid}`;
  const httpPort = 18000 + (process.pid % 1000);

  describe(`node agent on the ${opts.runtime} runtime`, { skip: opts.skip, timeout: 600_000 }, () => {
    let server: TestServer;
    let agent: RunningAgent | undefined;
    let client: ApiClient;
    let dataDir = '';
    let token = '';
    const figures: Record<string, number> = {};

    const boot = () =>
      startAgent({
        server: server.url,
        token,
        nodeName,
        dataDir,
        runtime: opts.runtime,
        podCidr,
        bridgeName,
        cgroupRoot,
        imageCacheDir: join(tmpdir(), 'tutti-cri-image-cache'),
        agentPort: 0,
        // small, so the rotation test needs little output
        containerLogMaxSizeBytes: 32 * 1024,
        containerLogMaxFiles: 3,
        containerLogCheckIntervalMs: 500,
        log: process.env['AGENT_TEST_LOG'] ? (m, f) => console.error(JSON.stringify({ m, ...f })) : () => {},
      });

    const podPath = (name = '') => `/api/v1/namespaces/${NS}/pods${name ? `/${name}` : ''}`;
    const getPod = (name: string) => client.get<BoundPod>(podPath(name));
    const createPod = (name: string, spec: Partial<BoundPod['spec']> & Pick<BoundPod['spec'], 'containers'>) =>
      client.create<BoundPod>(podPath(), {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name, namespace: NS },
        spec: { nodeName, ...spec },
      });

    const waitFor = <T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 60_000) =>
      pollUntil(what, fn, timeoutMs, 100);

    const httpGet = async (url: string) =>
      fetch(url, { headers: { connection: 'close' }, signal: AbortSignal.timeout(2000) }).then((r) => r.text());

    const events = async (podName: string) => {
      const list = await client.list<
        { metadata: { name?: string }; reason: string; message: string; involvedObject: { name?: string } } & BoundPod
      >(`/api/v1/namespaces/${NS}/events`);
      return list.items.filter((e) => e.involvedObject.name === podName).map((e) => `${e.reason}: ${e.message}`);
    };

    before(async () => {
      server = await startTestServer({ nodeCertificates: true });
      token = readFileSync(join(server.dataDir, 'tls', 'node-token'), 'utf8').trim();
      dataDir = mkdtempSync(join(tmpdir(), `tutti-agent-${opts.runtime}-`));
      client = new ApiClient({ server: server.url, caPem: server.caPem, token: server.token });
      agent = await boot();
    });

    after(async () => {
      try {
        if (agent && client) await drainAndStopAgent(agent, client, NS);
      } finally {
        client?.close();
        if (cri) removeAgentHostState(bridgeName, cgroupRoot);
        await server?.stop();
        if (dataDir) rmSync(dataDir, { recursive: true, force: true });
        console.log(`# figures (${opts.runtime}): ${JSON.stringify(figures)}`);
      }
    });

    test('registers a Ready node with capacity, info and a lease', async () => {
      const node = await waitFor('node Ready', async () => {
        const nd = await client.get<Node>(`/api/v1/nodes/${nodeName}`);
        return nd.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True' ? nd : undefined;
      });
      assert.equal(node.status!.capacity!['pods'], '110');
      assert.ok(node.status!.allocatable!['cpu']);
      assert.ok(node.status!.allocatable!['ephemeral-storage']);
      assert.equal(node.status!.nodeInfo!['kubeletVersion'], 'v1.32.4-tutti');
      assert.match(
        node.status!.nodeInfo!['containerRuntimeVersion']!,
        cri ? /^containerd:\/\// : /^tutti-process:\/\//,
      );
      assert.deepEqual(node.status!.conditions!.map((c) => c.type).sort(), [
        'DiskPressure',
        'MemoryPressure',
        'PIDPressure',
        'Ready',
      ]);
      assert.ok(node.status!.conditions!.every((c) => c.lastHeartbeatTime));
      const lease = await client.get<{ spec: { holderIdentity: string; renewTime: string } } & BoundPod>(
        `/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/${nodeName}`,
      );
      assert.equal(lease.spec.holderIdentity, nodeName);
    });

    test('an httpd pod runs, reports status, and answers HTTP on its pod IP', async () => {
      const t0 = Date.now();
      await client.create(`/api/v1/namespaces/${NS}/configmaps`, {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'web-cm' },
        data: { greeting: 'hello' },
      });
      await createPod('web', {
        volumes: [{ name: 'scratch', emptyDir: {} }],
        containers: [
          {
            name: 'httpd',
            image: BUSYBOX,
            command: ['sh', '-c'],
            args: [
              'D=/tmp/www-$POD; mkdir -p $D && echo "$GREETING from $POD" > $D/index.html && echo "serving $POD" && exec httpd -f -p $(PORT) -h $D',
            ],
            env: [
              { name: 'PORT', value: String(httpPort) },
              { name: 'POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
              { name: 'GREETING', valueFrom: { configMapKeyRef: { name: 'web-cm', key: 'greeting' } } },
            ],
            ports: [{ containerPort: httpPort, name: 'http' }],
            readinessProbe: { httpGet: { path: '/index.html', port: 'http' }, periodSeconds: 1 },
            volumeMounts: [{ name: 'scratch', mountPath: '/scratch' }],
          },
        ],
      });
      const pod = await waitFor('web Ready', async () => {
        const p = await getPod('web');
        return p.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True' ? p : undefined;
      });
      figures['web created -> Ready (ms)'] = Date.now() - t0;
      assert.equal(pod.status!.phase, 'Running');
      assert.ok(pod.status!.podIP);
      if (cri) assert.ok(pod.status!.podIP!.startsWith(podCidr.split('.').slice(0, 3).join('.')));
      else assert.equal(pod.status!.podIP, '127.0.0.1');
      const cs = pod.status!.containerStatuses![0]!;
      assert.ok(cs.state!.running?.startedAt);
      assert.equal(cs.ready, true);
      assert.equal(cs.started, true);
      assert.equal(cs.restartCount, 0);
      assert.match(cs.containerID!, cri ? /^containerd:\/\// : /^process:\/\//);
      assert.ok(cs.imageID);
      for (const t of ['PodScheduled', 'Initialized', 'ContainersReady', 'Ready']) {
        const c = pod.status!.conditions!.find((x) => x.type === t);
        assert.equal(c?.status, 'True', t);
        assert.ok(c?.lastTransitionTime, t);
      }
      assert.ok(pod.status!.startTime);
      assert.ok(pod.status!.hostIP);
      assert.equal(await httpGet(`http://${pod.status!.podIP}:${httpPort}/index.html`), 'hello from web\n');
      // kubectl -> API server -> node proxy -> this agent's endpoint -> the runtime's log file / exec.
      const logs = await server.kubectl(['logs', '-n', NS, 'web']);
      assert.equal(logs.code, 0, logs.stderr);
      assert.equal(logs.stdout, 'serving web\n');
      if (cri) {
        const ex = await server.kubectl(['exec', '-n', NS, 'web', '--', 'cat', '/tmp/www-web/index.html']);
        assert.equal(ex.code, 0, ex.stderr);
        assert.equal(ex.stdout, 'hello from web\n');
        const failing = await server.kubectl(['exec', '-n', NS, 'web', '--', 'sh', '-c', 'echo oops >&2; exit 3']);
        assert.equal(failing.code, 3);
        assert.match(failing.stderr, /oops/);
      }
      const ev = await events('web');
      for (const r of ['Created', 'Started'])
        assert.ok(
          ev.some((e) => e.startsWith(r)),
          `${r} in ${ev.join('; ')}`,
        );
    });

    test(
      'kubectl exec -it runs under a pseudo-terminal, resizes it and propagates the exit code',
      {
        skip: cri ? undefined : 'exec needs the CRI runtime',
      },
      async () => {
        // util-linux `script` gives kubectl a terminal; `stty` inside it sets the size kubectl sends (channel 4).
        const kubectl = `kubectl --kubeconfig ${server.kubeconfig} --cache-dir ${join(dataDir, 'kubectl-cache')}`;
        const remote = `tty; sleep 1; stty size; exit 7`;
        const r = await runUnderTerminal(
          `stty rows 33 cols 111; ${kubectl} exec -it -n ${NS} web -- sh -c '${remote}'`,
        );
        assert.equal(r.code, 7, r.output);
        assert.match(r.output, /\/dev\/pts\/\d+/);
        assert.match(r.output, /33 111/);
      },
    );

    test('kubectl exec -i sees stdin EOF', { skip: cri ? undefined : 'exec needs the CRI runtime' }, async () => {
      const started = Date.now();
      const r = await server.kubectl(['exec', '-i', '-n', NS, 'web', '--', 'sh', '-c', 'cat; echo done'], {
        input: 'hello\n',
        timeoutMs: 20_000,
      });
      figures['execStdinEofMs'] = Date.now() - started;
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, 'hello\ndone\n');
    });

    test(
      'container logs rotate at the size limit, keeping maxFiles, and the runtime writes a fresh file',
      {
        skip: cri ? undefined : 'the process runtime cannot reopen logs',
      },
      async () => {
        const pad = 'x'.repeat(100);
        await createPod('chatty', {
          containers: [
            {
              name: 'talk',
              image: BUSYBOX,
              command: [
                'sh',
                '-c',
                `i=0; while true; do j=0; while [ $j -lt 100 ]; do echo "line $i.$j ${pad}"; j=$((j+1)); done; i=$((i+1)); sleep 0.2; done`,
              ],
            },
          ],
        });
        const id = await waitFor('chatty running', async () => {
          const cs = (await getPod('chatty')).status?.containerStatuses?.[0];
          return cs?.state?.running ? cs.containerID?.replace(/^containerd:\/\//, '') : undefined;
        });
        const logPath = (await agent!.runtime.containerStatus(id)).logPath;
        await waitFor('two rotations', async () => existsSync(`${logPath}.2`), 30_000);
        // containerd reopened the log: the live file holds lines newer than the last rotated one
        const lineNo = (l: string) => {
          const m = / line (\d+)\.(\d+) /.exec(l);
          return m ? Number(m[1]) * 1000 + Number(m[2]) : -1;
        };
        // A rotation renames .1 to .2 before the live file becomes .1: read .1 once it is there again.
        const readRotated = () => waitFor('the newest rotated log', async () => readIfThere(`${logPath}.1`));
        const lastRotated = lineNo((await readRotated()).trimEnd().split('\n').pop()!);
        const firstLive = await waitFor('lines in the fresh log', async () => {
          const first = readFileSync(logPath, 'utf8').split('\n')[0]!;
          return first ? lineNo(first) : undefined;
        });
        assert.ok(lastRotated >= 0 && firstLive > lastRotated, `${firstLive} after ${lastRotated}`);
        const rotated = readdirSync(join(logPath, '..')).filter((n) => n.startsWith(`${logPath.split('/').pop()}.`));
        assert.ok(rotated.length <= 2, rotated.join(','));
        assert.ok((await readRotated()).includes(' stdout F line '));
        const tail = await server.kubectl(['logs', '-n', NS, 'chatty', '--tail=150']);
        assert.equal(tail.code, 0, tail.stderr);
        const lines = tail.stdout.trimEnd().split('\n');
        assert.equal(lines.length, 150);
        assert.ok(lines.every((l) => l.startsWith('line ')));
        await client.delete(podPath('chatty'), { gracePeriodSeconds: 0 });
      },
    );

    test('init containers run first; a crashing container shows CrashLoopBackOff and restarts', async () => {
      await createPod('crash', {
        initContainers: [{ name: 'init', image: BUSYBOX, command: ['sh', '-c', 'echo init done'] }],
        containers: [{ name: 'c', image: BUSYBOX, command: ['sh', '-c', 'echo crashing; exit 3'] }],
      });
      const pod = await waitFor('CrashLoopBackOff', async () => {
        const p = await getPod('crash');
        const cs = p.status?.containerStatuses?.[0];
        return cs?.state!.waiting?.reason === 'CrashLoopBackOff' && cs.restartCount >= 1 ? p : undefined;
      });
      const cs = pod.status!.containerStatuses![0]!;
      assert.equal(cs.lastState!.terminated?.exitCode, 3);
      assert.equal(cs.lastState!.terminated?.reason, 'Error');
      assert.equal(pod.status!.phase, 'Running');
      assert.equal(pod.status!.initContainerStatuses![0]!.state!.terminated?.reason, 'Completed');
      assert.equal(pod.status!.conditions!.find((c) => c.type === 'Initialized')?.status, 'True');
      await waitFor('BackOff event', async () => (await events('crash')).some((e) => e.startsWith('BackOff')));
    });

    test('a failing liveness probe restarts its container; a readiness probe gates Ready', async () => {
      await createPod('probed', {
        containers: [
          {
            name: 'live',
            image: BUSYBOX,
            command: ['sh', '-c', 'sleep 3600'],
            livenessProbe: { exec: { command: ['cat', '/nonexistent-health'] }, periodSeconds: 1, failureThreshold: 2 },
          },
          {
            name: 'ready',
            image: BUSYBOX,
            command: ['sh', '-c', 'sleep 4; touch /tmp/ready-$(POD_UID); sleep 3600'],
            env: [{ name: 'POD_UID', valueFrom: { fieldRef: { fieldPath: 'metadata.uid' } } }],
            readinessProbe: { exec: { command: ['sh', '-c', 'test -f /tmp/ready-$POD_UID'] }, periodSeconds: 1 },
          },
        ],
      });
      const running = await waitFor('probed running', async () => {
        const p = await getPod('probed');
        return p.status?.containerStatuses?.find((c) => c.name === 'ready')?.state!.running ? p : undefined;
      });
      assert.equal(running.status!.containerStatuses!.find((c) => c.name === 'ready')!.ready, false);
      assert.equal(running.status!.conditions!.find((c) => c.type === 'Ready')?.status, 'False');
      await waitFor('ready container Ready', async () => {
        const p = await getPod('probed');
        return p.status?.containerStatuses?.find((c) => c.name === 'ready')?.ready === true;
      });
      const restarted = await waitFor('liveness restart', async () => {
        const p = await getPod('probed');
        const cs = p.status?.containerStatuses?.find((c) => c.name === 'live');
        return cs && cs.restartCount >= 1 ? cs : undefined;
      });
      assert.ok(restarted.lastState!.terminated);
      const ev = await events('probed');
      assert.ok(
        ev.some((e) => e.startsWith('Unhealthy: Liveness probe failed')),
        ev.join('; '),
      );
      assert.ok(
        ev.some((e) => e.startsWith('Killing: Container live failed liveness probe')),
        ev.join('; '),
      );
    });

    test('a memory hog is OOMKilled', { skip: cri ? undefined : 'no cgroups on the process runtime' }, async () => {
      await createPod('hog', {
        restartPolicy: 'Never',
        containers: [
          {
            name: 'hog',
            image: BUSYBOX,
            command: ['sh', '-c', 'x=aaaaaaaaaaaaaaaa; while true; do x=$x$x; done'],
            resources: { limits: { memory: '32Mi' } },
          },
        ],
      });
      const pod = await waitFor('hog terminated', async () => {
        const p = await getPod('hog');
        return p.status?.containerStatuses?.[0]?.state!.terminated ? p : undefined;
      });
      assert.equal(pod.status!.containerStatuses![0]!.state!.terminated!.reason, 'OOMKilled');
      assert.equal(pod.status!.phase, 'Failed');
    });

    test('a missing image shows ErrImagePull then ImagePullBackOff while other pods keep working', async () => {
      await createPod('noimage', { containers: [{ name: 'c', image: 'localhost:5999/tutti/missing:1' }] });
      await waitFor('ErrImagePull', async () => {
        const p = await getPod('noimage');
        return p.status?.containerStatuses?.[0]?.state!.waiting?.reason === 'ErrImagePull';
      });
      await waitFor('ImagePullBackOff', async () => {
        const p = await getPod('noimage');
        return p.status?.containerStatuses?.[0]?.state!.waiting?.reason === 'ImagePullBackOff';
      });
      const ev = await events('noimage');
      assert.ok(
        ev.some((e) => e.startsWith('Pulling')),
        ev.join('; '),
      );
      assert.ok(
        ev.some((e) => e.startsWith('Failed: Failed to pull image')),
        ev.join('; '),
      );
      assert.ok(
        ev.some((e) => e.startsWith('BackOff: Back-off pulling image')),
        ev.join('; '),
      );
      const web = await getPod('web');
      assert.equal(await httpGet(`http://${web.status!.podIP}:${httpPort}/index.html`), 'hello from web\n');
    });

    test('restarting the agent adopts running containers without touching them', async () => {
      const before = await getPod('web');
      const ids = before.status!.containerStatuses!.map((c) => [c.containerID, c.restartCount]);
      await agent!.stop();
      agent = undefined;
      agent = await boot();
      await sleep(4000);
      const afterPod = await getPod('web');
      assert.deepEqual(
        afterPod.status!.containerStatuses!.map((c) => [c.containerID, c.restartCount]),
        ids,
      );
      assert.equal(afterPod.status!.phase, 'Running');
      assert.equal(await httpGet(`http://${afterPod.status!.podIP}:${httpPort}/index.html`), 'hello from web\n');
    });

    test('pods created -> Running seen through a watch: one, then 50 at once', async () => {
      const seen = new Map<string, number>();
      const w = client.watch<BoundPod>(
        podPath(),
        { labelSelector: 'bench=1' },
        (ev) => {
          if (ev.type !== 'ERROR' && ev.object.status?.phase === 'Running' && !seen.has(ev.object.metadata.name!)) {
            seen.set(ev.object.metadata.name!, Date.now());
          }
        },
        () => {},
      );
      const spec = (name: string): BoundPod => ({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name, namespace: NS, labels: { bench: '1' } },
        spec: {
          nodeName,
          terminationGracePeriodSeconds: 1,
          containers: [{ name: 'c', image: BUSYBOX, command: ['sleep', '3600'] }],
        },
      });
      try {
        await sleep(300);
        const t1 = Date.now();
        await client.create(podPath(), spec('one'));
        await waitFor('one Running', async () => seen.has('one'));
        figures['1 pod created -> Running (ms)'] = seen.get('one')! - t1;
        const t50 = Date.now();
        await Promise.all(Array.from({ length: 50 }, (_, i) => client.create(podPath(), spec(`many-${i}`))));
        await waitFor(
          '50 Running',
          async () => [...seen.keys()].filter((k) => k.startsWith('many-')).length === 50,
          180_000,
        );
        const times = [...seen]
          .filter(([k]) => k.startsWith('many-'))
          .map(([, t]) => t - t50)
          .sort((a, b) => a - b);
        figures['50 pods: first Running (ms)'] = times[0]!;
        figures['50 pods: median Running (ms)'] = times[25]!;
        figures['50 pods: all Running (ms)'] = times[49]!;
      } finally {
        w.stop();
      }
      const t = Date.now();
      await Promise.all([...seen.keys()].map((name) => client.delete(podPath(name))));
      await waitFor(
        'bench pods gone',
        async () => (await client.list<BoundPod>(podPath(), { labelSelector: 'bench=1' })).items.length === 0,
        180_000,
      );
      figures['51 pods deleted -> gone (ms)'] = Date.now() - t;
    });

    test('deleting pods runs preStop, leaves no sandbox, veth, IP or cgroup', async () => {
      await createPod('stopper', {
        terminationGracePeriodSeconds: 5,
        containers: [
          {
            name: 'c',
            image: BUSYBOX,
            command: ['sh', '-c', 'trap "exit 0" TERM; while true; do sleep 0.2; done'],
            lifecycle: { preStop: { exec: { command: ['sh', '-c', 'echo prestop > /tmp/prestop-$HOSTNAME'] } } },
          },
        ],
      });
      await waitFor('stopper running', async () => (await getPod('stopper')).status?.phase === 'Running');
      const all = await client.list<BoundPod>(podPath());
      const uids = all.items.map((p) => p.metadata.uid!);
      for (const p of all.items) await client.delete(podPath(p.metadata.name));
      await waitFor('all pods gone', async () => (await client.list<BoundPod>(podPath())).items.length === 0, 120_000);
      await waitFor('workers done', async () => agent!.pods.podUids().length === 0);
      const ev = await events('stopper');
      assert.ok(
        ev.some((e) => e.startsWith('Killing: Stopping container c')),
        ev.join('; '),
      );
      assert.deepEqual(await agent!.runtime.listPodSandboxes(), []);
      assert.deepEqual(await agent!.runtime.listContainers(), []);
      const podsDir = join(dataDir, 'pods');
      assert.deepEqual(existsSync(podsDir) ? readdirSync(podsDir) : [], []);
      if (cri) {
        assert.deepEqual(bridgePorts(bridgeName), []);
        const ipam = join(dataDir, 'containerd', 'cni', 'ipam', 'tutti');
        const held = existsSync(ipam)
          ? readdirSync(ipam).filter((f) => f !== 'lock' && !f.startsWith('last_reserved_ip'))
          : [];
        assert.deepEqual(held, []);
        for (const uid of uids) assert.equal(cgroupExists(podCgroupParent(cgroupRoot, uid)), false, `cgroup of ${uid}`);
      }
    });
  });
}

function readIfThere(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

// `kill -9` of `tutti server` (with its agent) while pods run, a restart on the same data dir, and then the
// commands that stop a node for good (issue 9). The restart must adopt the containerd the dead server left
// (same process, same containers, same restart counts), stay up and start new pods; `tutti killall` must then
// leave no process, mount, veth, bridge, iptables rule or cgroup of that data dir, and `tutti uninstall` removes
// the data dir. Needs root and containerd; skips with the reason otherwise.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { bridgeAddresses, linkExists } from '../agent/host/links.js';
import { killallAgentHost } from '../agent/host/killall.js';
import { parseMountinfo } from '../agent/host/mountinfo.js';
import { bridgeNameFor, cgroupRootFor } from '../agent/host/names.js';
import { cgroupExists } from '../agent/pods/cgroups.js';
import { containerdSkipReason } from '../agent/runtime/testing/containerd-env.js';
import { findProcesses, pidAlive } from '../agent/runtime/index.js';
import { pollUntil, TUTTI_BIN, type TestServer, startTestServer } from './harness.js';

const skip = containerdSkipReason();
const CLUSTER_CIDR = '10.238.0.0/16';

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

function tutti(args: string[]): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [TUTTI_BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.on('close', (code) => resolve({ code: code ?? -1, out }));
  });
}

const until = <T>(what: string, ms: number, fn: () => Promise<T | undefined | false>) => pollUntil(what, fn, ms, 200);

interface PodList {
  items: {
    metadata: { name: string };
    status?: {
      phase?: string;
      podIP?: string;
      containerStatuses?: { containerID?: string; restartCount: number; state?: { running?: object } }[];
    };
  }[];
}

describe('kill -9 of tutti server, restart, killall', { skip, timeout: 600_000 }, () => {
  let s: TestServer;
  let agentDir = '';
  const pods = async () => JSON.parse(await s.k('get', 'pods', '-o', 'json')) as PodList;
  const runningPods = async () =>
    (await pods()).items.filter(
      (p) => p.status?.phase === 'Running' && p.status.containerStatuses?.[0]?.state?.running,
    );
  const identity = async () =>
    (await runningPods())
      .map(
        (p) =>
          `${p.metadata.name} ${p.status!.containerStatuses![0]!.containerID} ${p.status!.containerStatuses![0]!.restartCount}`,
      )
      .sort();
  const containerdPid = () =>
    JSON.parse(readFileSync(join(agentDir, 'containerd', 'containerd.pid'), 'utf8')).pid as number;
  /** Live (not zombie) processes that name this data dir: its containerd, shims, the server. */
  const processesOfDataDir = () => findProcesses((argv) => argv.some((a) => a.includes(s.dataDir)));

  before(async () => {
    s = await startTestServer({ controlPlane: true, agent: true, args: ['--cluster-cidr', CLUSTER_CIDR] });
    agentDir = join(s.dataDir, 'agent');
  });
  after(async () => {
    if (!s) return;
    // Whatever a failed test left behind goes too (killall first: it stops the server, which holds the agent).
    if (existsSync(agentDir)) await killallAgentHost({ dataDir: agentDir });
    await s.stop();
  });

  it('survives kill -9 while pods run: the restart adopts containerd and its containers and starts new pods', async () => {
    await s.k(
      'create',
      'deployment',
      'web',
      '--image=busybox:1.35',
      '--replicas=2',
      '--',
      'sh',
      '-c',
      'echo hello from $(hostname) > /tmp/index.html; exec httpd -f -p 8080 -h /tmp',
    );
    await until('2 running pods', 90_000, async () => ((await runningPods()).length === 2 ? true : undefined));
    const before = await identity();
    const pidBefore = containerdPid();
    const ips = (await runningPods()).map((p) => [p.metadata.name, p.status!.podIP!] as const);

    await s.kill9();
    // The containers keep running in their shims, and so does containerd (now an orphan).
    assert.equal(pidAlive(pidBefore), true, 'containerd outlives the server');
    for (const [name, ip] of ips) assert.equal(await httpGet(`http://${ip}:8080/index.html`), `hello from ${name}\n`);

    const t0 = Date.now();
    await s.restart();
    const restartMs = Date.now() - t0;
    assert.equal(containerdPid(), pidBefore, 'the same containerd, adopted');
    // The failure this guards against killed the server ~20 s after it answered: stay up well past a probe.
    const readyz = await s.request('GET', '/readyz');
    assert.equal(readyz.status, 200);
    await sleep(5_000);
    assert.equal(s.process.exitCode, null, 'the restarted server is still running');
    assert.deepEqual(await identity(), before, 'same container IDs and restart counts');
    for (const [name, ip] of ips) assert.equal(await httpGet(`http://${ip}:8080/index.html`), `hello from ${name}\n`);

    await s.k('scale', 'deployment', 'web', '--replicas=3');
    await until('3 running pods', 90_000, async () => ((await runningPods()).length === 3 ? true : undefined));
    assert.deepEqual(
      (await identity()).filter((l) => before.some((b) => b === l)),
      before,
      'the adopted containers were not restarted',
    );
    const node = await s.k('get', 'nodes');
    assert.match(node, /\sReady\s/);
    console.log(`# figures: ${JSON.stringify({ 'restart after kill -9 -> ready (ms)': restartMs })}`);
  });

  it('tutti killall leaves no process, mount, veth, bridge, iptables rule or cgroup of the data dir', async () => {
    // A hostPort pod: the portmap plugin's iptables rules name its sandbox (the bridge plugin adds no masquerade
    // rules of its own while the pod network runs, as here as root).
    const hp = await s.kubectl(['apply', '-f', '-'], {
      input: `apiVersion: v1
kind: Pod
metadata: {name: hostport}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: c
    image: busybox:1.35
    command: [sh, -c, 'exec httpd -f -p 8080 -h /tmp']
    ports: [{containerPort: 8080, hostPort: 17788}]
`,
    });
    assert.equal(hp.code, 0, hp.stderr);
    await until('the hostPort pod running', 90_000, async () =>
      (await runningPods()).some((p) => p.metadata.name === 'hostport') ? true : undefined,
    );
    const bridge = bridgeNameFor(agentDir);
    const cgroupRoot = cgroupRootFor(agentDir);
    const podCidr = bridgeAddresses().find((b) => b.bridge === bridge)?.cidr;
    assert.ok(podCidr?.startsWith('10.238.'), `bridge ${bridge} holds the pod network (${podCidr})`);
    const sandboxes = readdirSync(join(agentDir, 'containerd', 'root', 'io.containerd.grpc.v1.cri', 'sandboxes'));
    assert.ok(sandboxes.length >= 3, sandboxes.join(','));
    const iptables = async () =>
      await new Promise<string>((resolve) => {
        const c = spawn('iptables-save', [], { stdio: ['ignore', 'pipe', 'ignore'] });
        let out = '';
        c.stdout.on('data', (d: Buffer) => {
          out += d.toString();
        });
        c.on('close', () => resolve(out));
      });
    const rulesBefore = await iptables();
    assert.ok(
      sandboxes.some((id) => rulesBefore.includes(id)),
      'CNI (portmap) rules exist before',
    );
    const tasks = join(agentDir, 'containerd', 'state', 'io.containerd.runtime.v2.task', 'k8s.io');
    const netns = readdirSync(tasks).flatMap((id) => {
      const spec = JSON.parse(readFileSync(join(tasks, id, 'config.json'), 'utf8'));
      const ns = (spec.linux?.namespaces ?? []).find((x: { type: string; path?: string }) => x.type === 'network');
      return ns?.path ? [ns.path.replace(/^\/var\/run\//, '/run/')] : [];
    });
    assert.ok(netns.length >= 3, netns.join(','));

    const r = await tutti(['killall', '--data-dir', s.dataDir]);
    assert.equal(r.code, 0, r.out);
    await until('the server stopped', 10_000, async () => s.process.exitCode !== null || s.process.signalCode !== null);
    assert.deepEqual(processesOfDataDir(), [], 'no process of the data dir');
    const mounts = parseMountinfo(readFileSync('/proc/self/mountinfo', 'utf8')).filter(
      (m) => m.mountPoint.startsWith(s.dataDir) || netns.includes(m.mountPoint),
    );
    assert.deepEqual(mounts, [], 'no mount');
    assert.deepEqual(
      netns.filter((p) => existsSync(p)),
      [],
      'no network namespace',
    );
    assert.equal(linkExists(bridge), false, 'no bridge');
    const saved = await iptables();
    assert.deepEqual(
      saved.split('\n').filter((l) => sandboxes.some((id) => l.includes(id)) || l.includes('10.238.')),
      [],
      'no iptables rule',
    );
    assert.equal(cgroupExists(`/${cgroupRoot}`), false, 'no cgroup');
    const results = existsSync('/var/lib/cni/results') ? readdirSync('/var/lib/cni/results') : [];
    assert.deepEqual(
      results.filter((f) => sandboxes.some((id) => f.includes(id))),
      [],
      'no CNI cache entry',
    );
    assert.deepEqual(
      readdirSync(join(agentDir, 'containerd', 'cni')).includes('ipam') ? ['ipam'] : [],
      [],
      'no IPAM state',
    );

    const again = await tutti(['killall', '--data-dir', s.dataDir]);
    assert.equal(again.code, 0, again.out);
  });

  it('tutti uninstall removes the data dir, and can run again', async () => {
    const r = await tutti(['uninstall', '--data-dir', s.dataDir]);
    assert.equal(r.code, 0, r.out);
    assert.equal(existsSync(s.dataDir), false);
    const again = await tutti(['uninstall', '--data-dir', s.dataDir]);
    assert.equal(again.code, 0, again.out);
  });
});

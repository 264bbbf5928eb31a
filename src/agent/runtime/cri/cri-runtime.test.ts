// CriRuntime against a real private containerd that this file starts and stops. Needs root and the Debian
// packages from scripts/install-deps.sh; skips with the reason otherwise.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import WebSocket from 'ws';
import { type RunningContainerd, startContainerd } from '../containerd/containerd.js';
import { BUSYBOX_IMAGE, ensureBaseImages } from '../images/import.js';
import type { ContainerStatus, SandboxConfig } from '../runtime.js';
import {
  allocatedIps,
  bridgePorts,
  containerdSkipReason,
  containerdTasks,
  deleteLink,
  removeCgroupTree,
  uniqueNetwork,
} from '../testing/containerd-env.js';
import { CriRuntime } from './cri-runtime.js';

const skip = containerdSkipReason();
const CGROUP_ROOT = `tutti-crit-${process.pid}`;

function sandboxConfig(dir: string, name: string, uid: string): SandboxConfig {
  return {
    metadata: { name, namespace: 'default', uid, attempt: 0 },
    hostname: name,
    logDirectory: join(dir, 'logs', uid),
    labels: { 'tutti.io/pod-uid': uid, 'tutti.io/test': String(process.pid) },
    annotations: { 'tutti.io/note': 'test' },
    cgroupParent: `/${CGROUP_ROOT}/pod${uid}`,
  };
}

async function waitForState(rt: CriRuntime, id: string, state: ContainerStatus['state']): Promise<ContainerStatus> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const s = await rt.containerStatus(id);
    if (s.state === state) return s;
    if (Date.now() > deadline) assert.fail(`container ${id} still ${s.state}, wanted ${state}`);
    await sleep(50);
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

describe('CriRuntime on a private containerd', { skip, timeout: 180_000 }, () => {
  const net = uniqueNetwork('tcri');
  let dir = '';
  let containerd: RunningContainerd;
  let rt: CriRuntime;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tutti-cri-'));
    containerd = await startContainerd({ dataDir: join(dir, 'containerd'), ...net });
    // Images are cached outside the temp dir so reruns skip the gcc and tar work.
    await ensureBaseImages(containerd.endpoint, join(tmpdir(), 'tutti-cri-image-cache'));
    rt = new CriRuntime(containerd.endpoint);
  });

  after(async () => {
    try {
      if (rt) {
        for (const s of await rt.listPodSandboxes()) {
          await rt.stopPodSandbox(s.id);
          await rt.removePodSandbox(s.id);
        }
        rt.close();
      }
    } finally {
      await containerd?.stop();
      deleteLink(net.bridgeName);
      removeCgroupTree(CGROUP_ROOT);
      if (dir) rmSync(dir, { recursive: true, force: true });
    }
  });

  test('version and status report a ready runtime', async () => {
    const v = await rt.version();
    assert.equal(v.runtimeName, 'containerd');
    assert.equal(v.runtimeApiVersion, 'v1');
    const conditions = await rt.status();
    assert.deepEqual(
      conditions.filter((c) => c.type === 'RuntimeReady' || c.type === 'NetworkReady').map((c) => c.status),
      [true, true],
    );
    const img = await rt.imageStatus(BUSYBOX_IMAGE);
    assert.ok(img?.repoTags.includes(BUSYBOX_IMAGE));
    assert.equal(await rt.imageStatus('docker.io/library/nope:0'), undefined);
  });

  test('a pod serves HTTP on its IP, execs, logs, and leaves nothing behind', async () => {
    const www = join(dir, 'www');
    mkdirSync(www);
    writeFileSync(join(www, 'index.html'), 'hello from tutti\n');
    const sb = sandboxConfig(dir, 'web', 'u-web');

    const { id: sandboxId, ip } = await rt.runPodSandbox(sb);
    assert.match(ip, /^10\.233\.\d+\.\d+$/);
    const cid = await rt.createContainer(
      sandboxId,
      {
        name: 'httpd',
        attempt: 0,
        image: BUSYBOX_IMAGE,
        command: ['sh', '-c'],
        args: ['echo "starting $GREETING"; exec httpd -f -p 8080 -h /www'],
        env: { GREETING: 'httpd' },
        workingDir: '/www',
        mounts: [{ containerPath: '/www', hostPath: www, readonly: true }],
        resources: { cpuLimitMillis: 500, memoryLimitBytes: 64 * 1024 * 1024 },
        logPath: 'httpd/0.log',
        labels: { 'tutti.io/container': 'httpd' },
      },
      sb,
    );
    await rt.startContainer(cid);
    const running = await waitForState(rt, cid, 'running');
    assert.ok(running.startedAt);
    assert.match(running.imageRef, /^sha256:/);
    assert.equal(running.labels['tutti.io/container'], 'httpd');

    // The adoption path: a restarted agent finds its pods and containers by label.
    const adopted = await rt.listPodSandboxes({ labelSelector: { 'tutti.io/pod-uid': 'u-web' }, state: 'ready' });
    assert.deepEqual(
      adopted.map((s) => [s.id, s.metadata.name]),
      [[sandboxId, 'web']],
    );
    const listed = await rt.listContainers({ sandboxId, state: 'running' });
    assert.deepEqual(
      listed.map((c) => c.id),
      [cid],
    );

    let body = '';
    for (let i = 0; i < 50 && !body; i++) {
      body = await fetch(`http://${ip}:8080/index.html`, { headers: { connection: 'close' } })
        .then((r) => r.text())
        .catch(() => '');
      if (!body) await sleep(50);
    }
    assert.equal(body, 'hello from tutti\n');

    const hi = await rt.execSync(cid, ['echo', 'hi'], 5);
    assert.equal(hi.stdout.toString(), 'hi\n');
    assert.equal(hi.exitCode, 0);
    const three = await rt.execSync(cid, ['sh', '-c', 'echo oops >&2; exit 3'], 5);
    assert.equal(three.exitCode, 3);
    assert.equal(three.stderr.toString(), 'oops\n');
    const cgroupLimit = await rt.execSync(cid, ['cat', '/sys/fs/cgroup/memory/memory.limit_in_bytes'], 5);
    assert.equal(cgroupLimit.stdout.toString().trim(), String(64 * 1024 * 1024));

    const log = readFileSync(running.logPath, 'utf8');
    assert.match(log, /^\d{4}-\d\d-\d\dT[\d:.]+Z stdout F starting httpd$/m);

    const stats = await rt.containerStats(cid);
    assert.ok((stats.cpu?.usageCoreNanoSeconds ?? 0n) > 0n);
    assert.ok((stats.memory?.workingSetBytes ?? 0n) > 0n);
    const podStats = await rt.podSandboxStats(sandboxId);
    assert.deepEqual(
      podStats.containers.map((c) => c.id),
      [cid],
    );

    // Streaming: the exec URL speaks the Kubernetes WebSocket channel protocol.
    const url = await rt.exec({ containerId: cid, cmd: ['echo', 'streamed'], stdout: true, stderr: false });
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\//);
    assert.equal(await execOverWebSocket(url), 'streamed\n');
    assert.match(await rt.portForward(sandboxId, [8080]), /^http:\/\/127\.0\.0\.1:\d+\//);

    await rt.stopContainer(cid, 2);
    const stopped = await rt.containerStatus(cid);
    assert.equal(stopped.state, 'exited');
    assert.ok(stopped.finishedAt);
    await rt.removeContainer(cid);
    await rt.removeContainer(cid); // idempotent
    await rt.stopPodSandbox(sandboxId);
    await rt.removePodSandbox(sandboxId);
    await rt.removePodSandbox(sandboxId); // idempotent

    assert.deepEqual(await rt.listPodSandboxes(), []);
    assert.deepEqual(await rt.listContainers(), []);
    assert.deepEqual(bridgePorts(net.bridgeName), []);
    assert.deepEqual(allocatedIps(containerd.layout.cniIpamDir, 'tutti'), []);
    assert.deepEqual(containerdTasks(containerd.socket), []);
  });

  test('a container over its memory limit ends OOMKilled', async () => {
    const sb = sandboxConfig(dir, 'hog', 'u-hog');
    const { id: sandboxId } = await rt.runPodSandbox(sb);
    const cid = await rt.createContainer(
      sandboxId,
      {
        name: 'hog',
        attempt: 0,
        image: BUSYBOX_IMAGE,
        // dd fills a 64 MiB buffer, well over the 16 MiB limit.
        command: ['dd', 'if=/dev/zero', 'of=/dev/null', 'bs=64M', 'count=1'],
        resources: { memoryLimitBytes: 16 * 1024 * 1024 },
      },
      sb,
    );
    await rt.startContainer(cid);
    const exited = await waitForState(rt, cid, 'exited');
    assert.equal(exited.reason, 'OOMKilled');
    assert.equal(exited.exitCode, 137);
    await rt.stopPodSandbox(sandboxId);
    await rt.removePodSandbox(sandboxId);
  });

  test('RunPodSandbox to container running: median of 10', async (t) => {
    const startLatencies: number[] = [];
    const teardownLatencies: number[] = [];
    for (let i = 0; i < 10; i++) {
      const sb = sandboxConfig(dir, `bench-${i}`, `u-bench-${i}`);
      const t0 = performance.now();
      const { id } = await rt.runPodSandbox(sb);
      const cid = await rt.createContainer(
        id,
        { name: 'sleep', attempt: 0, image: BUSYBOX_IMAGE, command: ['sleep', '3600'] },
        sb,
      );
      await rt.startContainer(cid);
      await waitForState(rt, cid, 'running');
      startLatencies.push(performance.now() - t0);
      const t1 = performance.now();
      await rt.stopPodSandbox(id);
      await rt.removePodSandbox(id);
      teardownLatencies.push(performance.now() - t1);
    }
    const start = median(startLatencies);
    const teardown = median(teardownLatencies);
    t.diagnostic(`RunPodSandbox -> container running: median ${start.toFixed(1)} ms`);
    t.diagnostic(`StopPodSandbox + RemovePodSandbox: median ${teardown.toFixed(1)} ms`);
    // Loose bound: catches a hang or a retry loop, not a slow machine.
    assert.ok(start < 5000, `median ${start} ms`);
    assert.deepEqual(await rt.listPodSandboxes(), []);
  });
});

/** Runs an exec stream to completion and returns what arrived on stdout (channel 1). */
function execOverWebSocket(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url.replace(/^http/, 'ws'), ['v4.channel.k8s.io']);
    let stdout = '';
    const timer = setTimeout(() => {
      ws.terminate();
      reject(new Error('exec stream timed out'));
    }, 10_000);
    ws.on('message', (data: Buffer) => {
      if (data[0] === 1) stdout += data.subarray(1).toString();
    });
    ws.on('close', () => {
      clearTimeout(timer);
      resolve(stdout);
    });
    ws.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

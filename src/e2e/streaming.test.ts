// End to end: the real kubectl -> an in-process ApiServer whose nodeProxy is this proxy -> the agent
// endpoint -> a private containerd running a busybox pod. Needs root and the packages of
// scripts/install-deps.sh; skips otherwise.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { KubeObject } from '../core/types.js';
import { type AgentServer, startAgentServer } from '../agent/server/agent-server.js';
import { sharedTokenAuth } from '../agent/server/auth.js';
import type { PodLocator } from '../agent/server/locator.js';
import { type RunningContainerd, startContainerd } from '../agent/runtime/containerd/containerd.js';
import { CriRuntime } from '../agent/runtime/cri/cri-runtime.js';
import { BUSYBOX_IMAGE, ensureBaseImages } from '../agent/runtime/images/import.js';
import type { SandboxConfig } from '../agent/runtime/runtime.js';
import {
  containerdSkipReason,
  deleteLink,
  removeCgroupTree,
  uniqueNetwork,
} from '../agent/runtime/testing/containerd-env.js';
import { ensureClusterPki, writeKubeconfig } from '../pki/index.js';
import { openMemoryStore } from '../storage/index.js';
import { ObjectStorage } from '../apiserver/objects.js';
import { ApiServer } from '../apiserver/server.js';
import { createNodeProxy } from '../apiserver/nodeproxy/index.js';

const skip = containerdSkipReason() ?? (spawnSyncOk('kubectl') ? undefined : 'kubectl not installed');
const CGROUP_ROOT = `tutti-stream-${process.pid}`;

function spawnSyncOk(bin: string): boolean {
  try {
    return spawn('sh', ['-c', `command -v ${bin}`]).pid !== undefined;
  } catch {
    return false;
  }
}

/** A GET on a fresh connection (each one is a new port-forward stream pair). */
function httpGet(port: number, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, agent: false, timeout: 5000 }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => {
        body += d.toString();
      });
      res.on('end', () => resolve(body));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end();
  });
}

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

describe('kubectl logs / exec / port-forward through the node proxy', { skip, timeout: 240_000 }, () => {
  const net = uniqueNetwork('tstr');
  let dir = '';
  let containerd: RunningContainerd;
  let rt: CriRuntime;
  let agent: AgentServer;
  let api: ApiServer;
  let kubeconfig = '';
  let sandboxId = '';
  let containerId = '';
  let logPath = '';

  const kubectl = (args: string[], input = '', timeoutMs = 30_000): Promise<Run> =>
    new Promise((resolve) => {
      const child = spawn('kubectl', ['--kubeconfig', kubeconfig, '--cache-dir', join(dir, 'kcache'), ...args], {
        env: { ...process.env, HOME: dir },
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => {
        stdout += d.toString();
      });
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
      });
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({ code: code ?? -1, stdout, stderr });
      });
      child.stdin.end(input);
    });

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tutti-stream-'));
    containerd = await startContainerd({ dataDir: join(dir, 'containerd'), ...net });
    await ensureBaseImages(containerd.endpoint, join(tmpdir(), 'tutti-cri-image-cache'));
    rt = new CriRuntime(containerd.endpoint);

    const www = join(dir, 'www');
    mkdirSync(www);
    writeFileSync(join(www, 'index.html'), 'hello through port-forward\n');
    const sb: SandboxConfig = {
      metadata: { name: 'web', namespace: 'default', uid: 'u-stream', attempt: 0 },
      hostname: 'web',
      logDirectory: join(dir, 'logs'),
      cgroupParent: `/${CGROUP_ROOT}/podu-stream`,
    };
    const created = await rt.runPodSandbox(sb);
    sandboxId = created.id;
    containerId = await rt.createContainer(
      sandboxId,
      {
        name: 'httpd',
        attempt: 0,
        image: BUSYBOX_IMAGE,
        command: ['sh', '-c'],
        // httpd bound to localhost only: reachable through the runtime's port-forward, not the pod IP.
        args: ['echo line one; echo line two; sleep 0.2; echo oops >&2; exec httpd -f -p 127.0.0.1:8080 -h /www'],
        mounts: [{ containerPath: '/www', hostPath: www, readonly: true }],
        logPath: 'httpd/0.log',
      },
      sb,
    );
    await rt.startContainer(containerId);
    logPath = (await rt.containerStatus(containerId)).logPath;
    const locator: PodLocator = {
      async locate(ns, pod, container) {
        if (ns !== 'default' || pod !== 'web') return undefined;
        if (container === undefined) return { sandboxId, podIp: created.ip };
        if (container !== 'httpd') return { sandboxId, podIp: created.ip };
        return { sandboxId, podIp: created.ip, container: { id: containerId, logPath } };
      },
    };
    agent = await startAgentServer({
      runtime: rt,
      locator,
      auth: sharedTokenAuth('agent-secret'),
      port: 0,
      host: '127.0.0.1',
      log: process.env.STREAM_DEBUG
        ? (m, f) => appendFileSync('/tmp/streaming/debug.log', `${m} ${JSON.stringify(f)}\n`)
        : undefined,
    });

    const pki = await ensureClusterPki(join(dir, 'pki'), { hostnames: ['localhost'], ips: ['127.0.0.1'] });
    const store = await openMemoryStore();
    const pods = new ObjectStorage(store, { group: '', resource: 'pods', namespaced: true });
    const node: KubeObject = {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: 'node-a' },
      status: {
        addresses: [{ type: 'InternalIP', address: '127.0.0.1' }],
        daemonEndpoints: { kubeletEndpoint: { Port: agent.port } },
      },
    };
    const proxy = createNodeProxy({
      getPod: (ns, name) => pods.get(ns, name),
      getNode: async (name) => (name === 'node-a' ? node : undefined),
      authenticate: (req) => req.headers.authorization === `Bearer ${pki.adminToken}`,
      agentToken: 'agent-secret',
      agentCa: () => agent.caPem,
    });
    api = new ApiServer({
      store,
      tls: { cert: pki.serverCertPem, key: pki.serverKeyPem, ca: pki.caCertPem },
      tokens: new Map([[pki.adminToken, { name: 'admin', groups: ['system:masters'] }]]),
      port: 0,
      host: '127.0.0.1',
      nodeProxy: proxy.serve,
      upgradeHandler: (req, socket, head) => proxy.handleUpgrade(req, socket, head),
    });
    await api.start();
    kubeconfig = join(dir, 'kubeconfig.yaml');
    await writeKubeconfig(kubeconfig, { server: api.url, caPem: pki.caCertPem, token: pki.adminToken });
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'web', namespace: 'default' },
      spec: { nodeName: 'node-a', containers: [{ name: 'httpd', image: BUSYBOX_IMAGE }] },
    };
    writeFileSync(join(dir, 'pod.json'), JSON.stringify(pod));
    const r = await kubectl(['create', '-f', join(dir, 'pod.json')]);
    assert.equal(r.code, 0, r.stderr);
    // port-forward insists on a Running pod
    const patch = [
      'patch',
      'pod',
      'web',
      '--subresource=status',
      '--type=merge',
      '-p',
      '{"status":{"phase":"Running"}}',
    ];
    const st = await kubectl(patch);
    assert.equal(st.code, 0, st.stderr);
    // wait for the first log lines
    for (let i = 0; i < 100; i++) {
      const l = await kubectl(['logs', 'web']);
      if (l.stdout.includes('line two')) break;
      await sleep(100);
    }
  });

  after(async () => {
    try {
      await api?.stop();
      await agent?.stop();
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

  test('kubectl logs: all, --tail, --timestamps, --limit-bytes, and errors', async () => {
    const all = await kubectl(['logs', 'web']);
    assert.equal(all.code, 0, all.stderr);
    assert.equal(all.stdout, 'line one\nline two\noops\n');
    assert.equal((await kubectl(['logs', 'web', '--tail=1'])).stdout, 'oops\n');
    assert.match(
      (await kubectl(['logs', 'web', '--tail=1', '--timestamps'])).stdout,
      /^\d{4}-\d\d-\d\dT[\d:]+\.\d{9}Z oops\n$/,
    );
    assert.equal((await kubectl(['logs', 'web', '--limit-bytes=6'])).stdout, 'line o');
    const prev = await kubectl(['logs', 'web', '--previous']);
    assert.notEqual(prev.code, 0);
    assert.match(prev.stderr, /previous terminated container "httpd" in pod "web" not found/);
    const bad = await kubectl(['logs', 'web', '-c', 'nope']);
    assert.match(bad.stderr, /container nope is not valid for pod web/);
  });

  test('kubectl logs -f streams and ends when kubectl goes away', async () => {
    const child: ChildProcess = spawn(
      'kubectl',
      ['--kubeconfig', kubeconfig, '--cache-dir', join(dir, 'kcache'), 'logs', '-f', 'web'],
      {
        env: { ...process.env, HOME: dir },
      },
    );
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
    });
    for (let i = 0; i < 50 && !out.includes('oops'); i++) await sleep(100);
    assert.equal(out, 'line one\nline two\noops\n');
    // A line written later arrives on the open stream (the CRI writer appends; the reader polls).
    appendFileSync(logPath, `${new Date().toISOString()} stdout F appended later\n`);
    for (let i = 0; i < 50 && !out.includes('appended'); i++) await sleep(100);
    assert.match(out, /appended later\n$/);
    child.kill('SIGINT');
    await new Promise((r) => child.on('close', r));
  });

  test('kubectl exec: output, stderr, exit codes, stdin', async () => {
    const hi = await kubectl(['exec', 'web', '--', 'echo', 'hi there']);
    assert.equal(hi.code, 0, hi.stderr);
    assert.equal(hi.stdout, 'hi there\n');
    const err = await kubectl(['exec', 'web', '--', 'sh', '-c', 'echo to-err >&2; exit 3']);
    assert.equal(err.code, 3);
    assert.match(err.stderr, /to-err/);
    const t0 = Date.now();
    const many = await kubectl(['exec', 'web', '--', 'sh', '-c', 'seq 1 20000']);
    assert.equal(many.stdout.split('\n').length, 20001);
    assert.ok(Date.now() - t0 < 10_000);
    // with stdin the agent speaks SPDY to containerd: EOF reaches the command, no output is lost at the end
    const piped = await kubectl(['exec', '-i', 'web', '--', 'sh', '-c', 'wc -c; seq 1 20000; exit 4'], 'abc\n');
    assert.equal(piped.code, 4, piped.stderr);
    const pipedLines = piped.stdout.split('\n');
    assert.equal(pipedLines[0]!.trim(), '4');
    assert.equal(pipedLines.length, 20002);
    const missing = await kubectl(['exec', 'nosuchpod', '--', 'true']);
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /pods "nosuchpod" not found/);
  });

  test('kubectl port-forward reaches a localhost-only server inside the pod', async () => {
    const child = spawn(
      'kubectl',
      [
        '--kubeconfig',
        kubeconfig,
        '--cache-dir',
        join(dir, 'kcache'),
        'port-forward',
        'pod/web',
        ':8080',
        ...(process.env.STREAM_DEBUG ? ['-v=8'] : []),
      ],
      {
        env: { ...process.env, HOME: dir },
      },
    );
    const exited = new Promise((r) => child.on('close', r));
    let out = '';
    let errOut = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      errOut += d.toString();
    });
    try {
      let localPort = 0;
      for (let i = 0; i < 100 && !localPort; i++) {
        const m = /Forwarding from 127\.0\.0\.1:(\d+) -> 8080/.exec(out);
        if (m) localPort = Number(m[1]);
        else await sleep(100);
      }
      if (process.env.STREAM_DEBUG) appendFileSync('/tmp/streaming/debug.log', `pf early ${out} ${errOut}\n`);
      assert.ok(localPort, `no forwarding line: ${out} ${errOut}`);
      if (process.env.STREAM_DEBUG) appendFileSync('/tmp/streaming/debug.log', `forwarding on ${localPort}\n`);
      for (let i = 0; i < 5; i++) {
        const body = await httpGet(localPort, '/index.html');
        assert.equal(body, 'hello through port-forward\n');
      }
    } finally {
      child.kill('SIGINT');
      await exited;
      if (process.env.STREAM_DEBUG) appendFileSync('/tmp/streaming/debug.log', `pf output ${out} ${errOut}\n`);
    }
  });
});

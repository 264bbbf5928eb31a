// Image pulls from a private registry on loopback: a real `tutti server`, the agent over a private containerd,
// and Debian's docker-registry (plain HTTP, htpasswd auth) holding the busybox archive the agent builds.
// A pod with a kubernetes.io/dockerconfigjson imagePullSecret runs; one without it gets ErrImagePull.
import assert from 'node:assert/strict';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { ApiClient } from '../client/index.js';
import { pollUntil, startTestServer, type TestServer } from '../e2e/harness.js';
import { type RunningAgent, startAgent } from './agent.js';
import { privateContainerdUnavailable } from './runtime-choice.js';
import { drainAndStopAgent, removeAgentHostState } from './testing/teardown.js';
import type { Pod } from '../core/types.js';

const NS = 'default';
const USER = 'tutti';
const PASSWORD = 'pull-secret-pw';
const IMAGE_CACHE = join(tmpdir(), 'tutti-cri-image-cache');

function onPath(bin: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${bin}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function skipReason(): string | undefined {
  const missing = privateContainerdUnavailable();
  if (missing) return missing;
  for (const bin of ['docker-registry', 'skopeo', 'htpasswd'])
    if (!onPath(bin)) return `${bin} not installed (bash scripts/install-deps.sh)`;
  return undefined;
}

/** Resolves whether nothing listens on 127.0.0.1:port. */
function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

async function registryPort(): Promise<number> {
  if (await portFree(5000)) return 5000;
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      s.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

function registryConfig(storageDir: string, htpasswdFile: string, port: number): string {
  return `version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: ${storageDir}
http:
  addr: 127.0.0.1:${port}
auth:
  htpasswd:
    realm: tutti-test
    path: ${htpasswdFile}
`;
}

describe('image pulls from a registry on loopback', { skip: skipReason(), timeout: 300_000 }, () => {
  const n = process.pid % 200;
  const bridgeName = `trg${process.pid}`.slice(0, 15);
  const podCidr = `10.235.${n + 20}.0/24`;
  const cgroupRoot = `tutti-registry-test-${process.pid}`;
  const nodeName = `node-registry-${process.pid}`;
  let server: TestServer;
  let agent: RunningAgent | undefined;
  let client: ApiClient;
  let registry: ChildProcess | undefined;
  let registryLog = '';
  let workDir = '';
  let dataDir = '';
  let host = '';
  let image = '';
  const figures: Record<string, number> = {};

  const podPath = (name = '') => `/api/v1/namespaces/${NS}/pods${name ? `/${name}` : ''}`;

  const waitFor = <T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 90_000) =>
    pollUntil(what, fn, timeoutMs, 200);

  const waitingReason = (p: Pod) => p.status?.containerStatuses?.[0]?.state?.waiting?.reason;

  before(async () => {
    workDir = mkdtempSync(join(tmpdir(), 'tutti-registry-'));
    const port = await registryPort();
    host = `localhost:${port}`;
    figures['registryPort'] = port;
    image = `${host}/tutti/busybox:reg`;

    const htpasswdFile = join(workDir, 'htpasswd');
    writeFileSync(htpasswdFile, execFileSync('htpasswd', ['-Bbn', USER, PASSWORD], { encoding: 'utf8' }));
    const configFile = join(workDir, 'registry.yml');
    writeFileSync(configFile, registryConfig(join(workDir, 'storage'), htpasswdFile, port));
    registry = spawn('docker-registry', ['serve', configFile], { stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (d: Buffer) => {
      registryLog = (registryLog + d.toString()).slice(-4000);
    };
    registry.stdout?.on('data', keep);
    registry.stderr?.on('data', keep);
    await waitFor(
      'registry to answer /v2/',
      async () => {
        if (registry?.exitCode !== null) throw new Error(`registry exited: ${registryLog}`);
        const r = await fetch(`http://127.0.0.1:${port}/v2/`, { signal: AbortSignal.timeout(1000) });
        return r.status === 401 ? true : undefined;
      },
      20_000,
    );

    server = await startTestServer({ nodeCertificates: true });
    const token = readFileSync(join(server.dataDir, 'tls', 'node-token'), 'utf8').trim();
    dataDir = join(workDir, 'agent');
    client = new ApiClient({ server: server.url, caPem: server.caPem, token: server.token });
    // The agent builds the busybox archive into the shared image cache (ensureBaseImages) if needed.
    agent = await startAgent({
      server: server.url,
      token,
      nodeName,
      dataDir,
      runtime: 'cri',
      podCidr,
      bridgeName,
      cgroupRoot,
      imageCacheDir: IMAGE_CACHE,
      agentPort: 0,
      insecureRegistries: [host],
      log: process.env['AGENT_TEST_LOG'] ? (m, f) => console.error(JSON.stringify({ m, ...f })) : () => {},
    });

    const archive = join(IMAGE_CACHE, 'busybox-v1.tar');
    assert.ok(existsSync(archive), `busybox archive missing at ${archive}`);
    const t0 = Date.now();
    execFileSync(
      'skopeo',
      [
        'copy',
        '--quiet',
        '--dest-tls-verify=false',
        '--dest-creds',
        `${USER}:${PASSWORD}`,
        `docker-archive:${archive}`,
        `docker://${image}`,
      ],
      { stdio: ['ignore', 'ignore', 'pipe'], timeout: 60_000 },
    );
    figures['pushMs'] = Date.now() - t0;
  });

  after(async () => {
    try {
      if (agent && client) await drainAndStopAgent(agent, client, NS);
    } finally {
      client?.close();
      removeAgentHostState(bridgeName, cgroupRoot);
      await server?.stop();
      if (registry && registry.exitCode === null) {
        const exited = new Promise((r) => registry!.once('exit', r));
        registry.kill('SIGTERM');
        await Promise.race([exited, sleep(5000)]);
        if (registry.exitCode === null) registry.kill('SIGKILL');
      }
      if (workDir) rmSync(workDir, { recursive: true, force: true });
      console.log(`# figures (registry): ${JSON.stringify(figures)}`);
    }
  });

  test('the registry refuses an anonymous pull and serves the pushed manifest with credentials', async () => {
    const url = `http://${host}/v2/tutti/busybox/manifests/reg`;
    const accept = 'application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json';
    const anon = await fetch(url, { headers: { accept } });
    assert.equal(anon.status, 401);
    const authed = await fetch(url, {
      headers: { accept, authorization: `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}` },
    });
    assert.equal(authed.status, 200);
  });

  test('a pod with a dockerconfigjson imagePullSecret pulls the image and runs', async () => {
    const auth = Buffer.from(`${USER}:${PASSWORD}`).toString('base64');
    const dockerConfig = JSON.stringify({ auths: { [host]: { username: USER, password: PASSWORD, auth } } });
    await client.create(`/api/v1/namespaces/${NS}/secrets`, {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'regcred' },
      type: 'kubernetes.io/dockerconfigjson',
      data: { '.dockerconfigjson': Buffer.from(dockerConfig).toString('base64') },
    });
    const t0 = Date.now();
    await client.create<Pod>(podPath(), {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'with-secret', namespace: NS },
      spec: {
        nodeName,
        imagePullSecrets: [{ name: 'regcred' }],
        containers: [{ name: 'main', image, command: ['sleep', '3600'] }],
      },
    });
    const pod = await waitFor('pod with-secret Running or failing its pull', async () => {
      const p = await client.get<Pod>(podPath('with-secret'));
      return p.status?.phase === 'Running' || waitingReason(p) === 'ErrImagePull' ? p : undefined;
    });
    assert.equal(waitingReason(pod), undefined, pod.status?.containerStatuses?.[0]?.state?.waiting?.message);
    assert.equal(pod.status?.phase, 'Running');
    figures['pullToRunningMs'] = Date.now() - t0;
    const info = await agent!.runtime.imageStatus(image);
    assert.ok(info, 'image present in containerd after the pull');
    assert.ok(info.repoTags.includes(image), JSON.stringify(info.repoTags));
    // The pulled image came from the registry: its digest reference names localhost:<port>.
    assert.ok(
      info.repoDigests.some((d) => d.startsWith(`${host}/tutti/busybox@sha256:`)),
      JSON.stringify(info.repoDigests),
    );
    // containerd reports the first tag of the image (busybox:1.35 has the same id), so compare ids, not names.
    const cs = pod.status!.containerStatuses![0]!;
    assert.match(cs.imageID ?? '', /sha256:[0-9a-f]{64}/);
    assert.ok(info.repoDigests.includes(cs.imageID!) || cs.imageID!.endsWith(info.id), cs.imageID);
  });

  test('a pod without the secret fails with ErrImagePull (unauthorized)', async () => {
    // Same repository, new tag, so the image is not already present from the previous test.
    const other = `${host}/tutti/busybox:anon`;
    execFileSync(
      'skopeo',
      [
        'copy',
        '--quiet',
        '--src-tls-verify=false',
        '--dest-tls-verify=false',
        '--src-creds',
        `${USER}:${PASSWORD}`,
        '--dest-creds',
        `${USER}:${PASSWORD}`,
        `docker://${image}`,
        `docker://${other}`,
      ],
      { stdio: ['ignore', 'ignore', 'pipe'], timeout: 60_000 },
    );
    await client.create<Pod>(podPath(), {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'no-secret', namespace: NS },
      spec: { nodeName, containers: [{ name: 'main', image: other, command: ['sleep', '3600'] }] },
    });
    const pod = await waitFor('pod no-secret ErrImagePull', async () => {
      const p = await client.get<Pod>(podPath('no-secret'));
      const r = waitingReason(p);
      return r === 'ErrImagePull' ? p : undefined;
    });
    assert.equal(pod.status?.phase, 'Pending');
    const message = pod.status!.containerStatuses![0]!.state!.waiting!.message ?? '';
    assert.match(message, /unauthorized|401|authoriz/i, message);
    assert.equal(await agent!.runtime.imageStatus(other), undefined);
  });
});

// A rolling update behind a Service loses no request (issue 10): a real single-node `tutti server` (agent,
// service proxy) runs as its own "machine" in a network namespace this test makes (no default route: no
// packet leaves it). A Deployment of 3 busybox httpd replicas with a readinessProbe, minReadySeconds, a
// preStop `sleep 2` and a grace period (httpd stops on SIGTERM, as apps do) sits behind a ClusterIP Service;
// a client pod sends a steady bounded stream of requests (two loops of ~20/s, each request a new connection
// with a 2 s timeout; `timeout 2 wget`: this busybox's `wget -T` crashes) to the ClusterIP while `kubectl set
// env` rolls the Deployment (maxSurge 1, maxUnavailable 0). Every request must succeed, and both versions
// must answer. Every ClusterIP packet is sent from a pod of that node, after the test has
// checked the proxy's rules are in place. Root + containerd.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { EndpointSlice } from '../core/index.js';
import { pollUntil, TUTTI_BIN } from './harness.js';
import { netnsSkipReason, nsRun, sh } from './testing/netns.js';

const skip = netnsSkipReason(['kubectl']);
const log = process.env.NETWORK_E2E_LOG === '1';

const NODE_NS = `h10ru${process.pid % 100000}`;
const NODE_IP = '198.18.10.1';
const CLUSTER_CIDR = '10.110.0.0/16';
const SERVICE_CIDR = '10.111.0.0/16';
const STREAMS = 2;

/** One request of the stream, as the client pod printed it. */
interface Sample {
  n: string;
  ok: boolean;
  body: string;
  ms: number;
}

export function parseStream(out: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of out.split('\n')) {
    const m = /^(ok|fail) (\d+\.\d+) (\d+) ?(.*)$/.exec(line.trim());
    if (m) samples.push({ ok: m[1] === 'ok', n: m[2]!, ms: Number(m[3]), body: m[4]!.trim() });
  }
  return samples;
}

describe('a rolling update behind a Service loses no request', { skip, timeout: 900_000 }, () => {
  const dataDir = mkdtempSync('/tmp/h10-rollout-');
  const kubeconfig = join(dataDir, 'kubeconfig.yaml');
  let server: ChildProcess | undefined;
  let serverOut = '';
  const watchers: ChildProcess[] = [];

  const k = async (...args: string[]): Promise<string> => {
    const r = await nsRun(NODE_NS, 'kubectl', ['--kubeconfig', kubeconfig, ...args], 400_000);
    if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${r.code}): ${r.out}`);
    return r.out;
  };
  /** A `kubectl get -w` running until stop(), which returns what it printed. */
  const watch = (...args: string[]) => {
    const child = spawn(
      'nsenter',
      [`--net=/run/netns/${NODE_NS}`, '--', 'kubectl', '--kubeconfig', kubeconfig, 'get', '-w', ...args],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    watchers.push(child);
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      out += d;
    });
    return {
      stop: async () => {
        if (child.exitCode === null) {
          child.kill('SIGTERM');
          await new Promise((r) => child.once('close', r));
        }
        return out;
      },
    };
  };
  const apply = async (yaml: string) => {
    const f = join(dataDir, `manifest-${Math.random().toString(36).slice(2)}.yaml`);
    writeFileSync(f, yaml);
    await k('apply', '-f', f);
  };

  before(async () => {
    // The node "machine": one veth pair inside it (both ends its own), no default route.
    sh('ip', ['netns', 'add', NODE_NS]);
    sh('ip', ['-n', NODE_NS, 'link', 'set', 'lo', 'up']);
    sh('ip', ['-n', NODE_NS, 'link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', 'eth1']);
    sh('ip', ['-n', NODE_NS, 'addr', 'add', `${NODE_IP}/24`, 'dev', 'eth0']);
    sh('ip', ['-n', NODE_NS, 'link', 'set', 'eth0', 'up']);
    sh('ip', ['-n', NODE_NS, 'link', 'set', 'eth1', 'up']);
    const resolvConf = join(dataDir, 'resolv.conf');
    writeFileSync(resolvConf, 'nameserver 127.0.0.53\n');
    server = spawn(
      'nsenter',
      [
        `--net=/run/netns/${NODE_NS}`,
        '--',
        process.execPath,
        TUTTI_BIN,
        'server',
        '--data-dir',
        dataDir,
        '--resolv-conf',
        resolvConf,
        '--cluster-cidr',
        CLUSTER_CIDR,
        '--service-cidr',
        SERVICE_CIDR,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    server.stdout!.on('data', (d) => {
      serverOut += d;
      if (log) process.stderr.write(d);
    });
    server.stderr!.on('data', (d) => {
      if (log) process.stderr.write(d);
    });
    await pollUntil('tutti server ready', async () => serverOut.includes('tutti server ready'), 180_000, 200);
    await pollUntil(
      'node Ready',
      async () =>
        (await k('get', 'nodes', '-o', 'jsonpath={.items[*].status.conditions[?(@.type=="Ready")].status}')).includes(
          'True',
        ),
      180_000,
      500,
    );
  });

  after(async () => {
    for (const w of watchers) if (w.exitCode === null) w.kill('SIGTERM');
    if (server && server.exitCode === null) {
      server.kill('SIGTERM');
      await new Promise((r) => server!.once('exit', r));
    }
    await nsRun(NODE_NS, process.execPath, [TUTTI_BIN, 'killall', '--data-dir', dataDir], 120_000);
    spawnSync('ip', ['netns', 'del', NODE_NS]);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('serves every request of a steady stream through the ClusterIP while the Deployment rolls', async () => {
    await apply(`
apiVersion: apps/v1
kind: Deployment
metadata: { name: web }
spec:
  replicas: 3
  minReadySeconds: 2
  strategy: { type: RollingUpdate, rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } }
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec:
      terminationGracePeriodSeconds: 30
      containers:
      - name: httpd
        image: busybox:1.35
        env: [{ name: VERSION, value: v1 }]
        # httpd not as PID 1 (which ignores SIGTERM and would serve until SIGKILL): it stops on SIGTERM, as apps do.
        command: [sh, -c]
        args:
        - |
          mkdir -p /www; echo "$VERSION" > /www/index.html
          httpd -f -p 8080 -h /www & pid=$!
          trap 'kill $pid; exit 0' TERM
          wait $pid
        ports: [{ containerPort: 8080 }]
        readinessProbe: { httpGet: { path: /, port: 8080 }, periodSeconds: 1 }
        lifecycle: { preStop: { exec: { command: [sleep, '2'] } } }
---
apiVersion: v1
kind: Service
metadata: { name: web }
spec: { selector: { app: web }, ports: [{ name: http, port: 80, targetPort: 8080 }] }
---
apiVersion: v1
kind: Pod
metadata: { name: client }
spec:
  terminationGracePeriodSeconds: 0
  containers:
  - { name: c, image: busybox:1.35, command: [sleep, '3600'] }
`);
    await k('rollout', 'status', 'deployment/web', '--timeout=300s');
    await k('wait', '--for=condition=Ready', 'pod/client', '--timeout=180s');
    const ip = (await k('get', 'svc', 'web', '-o', 'jsonpath={.spec.clusterIP}')).trim();
    assert.match(ip, /^10\.111\./);
    const podIPs = (await k('get', 'pods', '-l', 'app=web', '-o', 'jsonpath={.items[*].status.podIP}'))
      .trim()
      .split(/\s+/);
    assert.equal(podIPs.length, 3);
    // The proxy's rules for the Service, with its 3 endpoints, before any ClusterIP packet.
    await pollUntil(
      'web in service-ips with its 3 endpoints',
      async () => {
        const t = (await nsRun(NODE_NS, 'nft', ['list', 'table', 'ip', 'tutti-proxy'])).out;
        return t.includes(`${ip} . tcp . 80`) && podIPs.every((p) => t.includes(`${p} . 8080`));
      },
      60_000,
      200,
    );

    // The stream: STREAMS loops of ~20 requests/s each, each request a new connection with a 2 s timeout, until
    // /tmp/stop (at most 3000 per loop). Lines: `ok|fail <loop>.<n> <ms> <body or error>`.
    const loop = `for j in $(seq ${STREAMS}); do ( i=0; while [ ! -e /tmp/stop ] && [ $i -lt 3000 ]; do i=$((i+1)); s=$(cut -d' ' -f1 /proc/uptime); \
b=$(timeout 2 wget -q -O- http://${ip}/ 2>&1); r=$?; e=$(cut -d' ' -f1 /proc/uptime); \
ms=$(( (\${e%.*}\${e#*.} - \${s%.*}\${s#*.}) * 10 )); \
if [ $r -eq 0 ]; then echo "ok $j.$i $ms $b"; else echo "fail $j.$i $ms $b" | tr '\\n' ' '; echo; fi; usleep 50000; \
done; echo done ) & done; wait`;
    const stream = nsRun(
      NODE_NS,
      'kubectl',
      ['--kubeconfig', kubeconfig, 'exec', 'client', '--', 'sh', '-c', loop],
      600_000,
    );
    // Watches of the ReplicaSets (surge and availability) and the Service's EndpointSlices (terminating endpoints).
    const rsWatch = watch(
      'rs',
      '-l',
      'app=web',
      '-o',
      'jsonpath={.metadata.name} {.spec.replicas} {.status.availableReplicas}{"\\n"}',
    );
    // (-o json: a ranged jsonpath stops silently after the first object of a watch, kubernetes/kubectl#913.)
    const epWatch = watch('endpointslices', '-l', 'kubernetes.io/service-name=web', '-o', 'json');
    await new Promise((r) => setTimeout(r, 3000));
    const t0 = Date.now();
    await k('set', 'env', 'deployment/web', 'VERSION=v2');
    await k('rollout', 'status', 'deployment/web', '--timeout=300s');
    const rolloutMs = Date.now() - t0;
    // The last old pod's preStop and SIGTERM: keep the stream on until every old pod is gone, then 3 s more.
    const t1 = Date.now();
    await pollUntil(
      'only the 3 new pods left',
      async () => (await k('get', 'pods', '-l', 'app=web', '-o', 'name')).trim().split(/\s+/).length === 3,
      60_000,
      500,
    );
    const oldGoneMs = Date.now() - t1;
    await new Promise((r) => setTimeout(r, 3000));
    await k('exec', 'client', '--', 'touch', '/tmp/stop');
    const rsOut = await rsWatch.stop();
    const epOut = await epWatch.stop();
    const { code, out } = await stream;
    assert.equal(code, 0, out);
    assert.equal(out.match(/^done$/gm)?.length, STREAMS, out);
    const samples = parseStream(out);
    const failed = samples.filter((s) => !s.ok);
    const versions = new Map<string, number>();
    for (const s of samples.filter((x) => x.ok)) versions.set(s.body, (versions.get(s.body) ?? 0) + 1);
    const slowest = Math.max(...samples.map((s) => s.ms));
    // The ReplicaSets, event by event: never more than 3 + maxSurge pods wanted, never fewer than 3 available.
    const rs = new Map<string, { want: number; avail: number }>();
    let maxWanted = 0;
    let minAvailable = Number.POSITIVE_INFINITY;
    for (const line of rsOut.split('\n')) {
      const [name, want, avail] = line.trim().split(/\s+/);
      if (!name) continue;
      rs.set(name, { want: Number(want ?? 0), avail: Number(avail || 0) });
      const all = [...rs.values()];
      maxWanted = Math.max(
        maxWanted,
        all.reduce((n, x) => n + x.want, 0),
      );
      minAvailable = Math.min(
        minAvailable,
        all.reduce((n, x) => n + x.avail, 0),
      );
    }
    // Old pods were kept in their slices while terminating (ready false), serving during their preStop.
    const terminatingServing = new Set<string>();
    for (const obj of epOut.split(/^\}$/m).filter((o) => o.trim().startsWith('{'))) {
      const slice = JSON.parse(`${obj}}`) as EndpointSlice;
      for (const ep of slice.endpoints ?? []) {
        const c = ep.conditions ?? {};
        if (c.terminating && c.serving && !c.ready) terminatingServing.add(ep.addresses[0]!);
      }
    }
    const report = `requests ${samples.length}, failures ${failed.length}, rollout ${rolloutMs} ms, last old pod gone ${oldGoneMs} ms later, slowest ${slowest} ms, by body ${JSON.stringify(Object.fromEntries(versions))}, ReplicaSets ${rs.size}, most pods wanted ${maxWanted}, fewest available ${minAvailable}, terminating+serving endpoints seen ${terminatingServing.size}`;
    process.stderr.write(`rolling update: ${report}\n`);
    assert.ok(samples.length >= 100, report);
    assert.deepEqual(
      failed.map((s) => `#${s.n} ${s.body}`),
      [],
      report,
    );
    assert.deepEqual([...versions.keys()].sort(), ['v1', 'v2'], report);
    assert.equal(rs.size, 2, report);
    // The old pods stopped on SIGTERM after their preStop, long before the 30 s grace period's SIGKILL.
    assert.ok(oldGoneMs < 15_000, report);
    assert.equal(maxWanted, 4, report);
    assert.equal(minAvailable, 3, report);
    assert.equal(terminatingServing.size, 3, report);
    // Once every old pod is gone only the new version answers.
    assert.equal(samples.at(-1)!.body, 'v2', report);
  });

  it('leaves no nft table, pod bridge or veth after the server stops and killall', async () => {
    server!.kill('SIGTERM');
    await new Promise((r) => server!.once('exit', r));
    const killall = await nsRun(NODE_NS, process.execPath, [TUTTI_BIN, 'killall', '--data-dir', dataDir], 120_000);
    assert.equal(killall.code, 0, killall.out);
    assert.doesNotMatch((await nsRun(NODE_NS, 'nft', ['list', 'tables'])).out, /tutti/);
    const links = (await nsRun(NODE_NS, 'ip', ['-o', 'link'])).out;
    assert.doesNotMatch(links, /tutti-svc|tt-|veth[0-9a-f]/, links);
  });
});

// Services and DNS on a real single-node cluster, as the quick start runs it: `tutti server` with no network
// flags (its agent, service proxy, cluster DNS and servicelb), run as its own "machine" inside a network
// namespace this test makes, with a client namespace on a link of its own and the node's "outside"
// resolver (a test resolver inside the node namespace). The node namespace has no default route: no packet
// can leave the machine, and every ClusterIP packet is sent from a pod of that node, after the test has
// checked that the proxy's rules and the local service route are in place there. Root + containerd.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { pollUntil, TUTTI_BIN } from './harness.js';
import { netnsSkipReason, nsRun, sh } from './testing/netns.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const RESOLVER = join(HERE, 'testing', 'test-resolver.js');
const ROOT = join(HERE, '..', '..', '..');
const NODE_IMAGE = 'localhost/tutti-node:host';

const skip = netnsSkipReason(['kubectl', 'curl', 'dig']);
const log = process.env.NETWORK_E2E_LOG === '1';

const PREFIX = `tn${process.pid % 100000}`;
const NODE_NS = `${PREFIX}-node`;
const CLIENT_NS = `${PREFIX}-cl`;
const NODE_IP = '198.18.0.1';
const CLIENT_IP = '198.18.0.2';
const RESOLVER_IP = '127.0.0.53';
const OUTSIDE_IP = '192.0.2.80';

describe('Services and DNS on a single-node cluster in its own namespace', { skip, timeout: 600_000 }, () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'tutti-net-e2e-'));
  const kubeconfig = join(dataDir, 'kubeconfig.yaml');
  const procs: ChildProcess[] = [];
  let server: ChildProcess | undefined;
  let serverOut = '';

  const k = async (...args: string[]): Promise<string> => {
    const r = await nsRun(NODE_NS, 'kubectl', ['--kubeconfig', kubeconfig, ...args], 60_000);
    if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${r.code}): ${r.out}`);
    return r.out;
  };
  const inPod = (pod: string, ...cmd: string[]) =>
    nsRun(NODE_NS, 'kubectl', ['--kubeconfig', kubeconfig, 'exec', pod, '--', ...cmd], 30_000);
  const apply = async (yaml: string) => {
    const f = join(dataDir, `manifest-${Math.random().toString(36).slice(2)}.yaml`);
    writeFileSync(f, yaml);
    await k('apply', '-f', f);
  };

  before(async () => {
    // The node "machine" and the client, joined by one link; neither has a default route.
    for (const ns of [NODE_NS, CLIENT_NS]) sh('ip', ['netns', 'add', ns]);
    sh('ip', ['-n', NODE_NS, 'link', 'set', 'lo', 'up']);
    sh('ip', ['-n', CLIENT_NS, 'link', 'set', 'lo', 'up']);
    sh('ip', ['-n', NODE_NS, 'link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', CLIENT_NS]);
    sh('ip', ['-n', NODE_NS, 'addr', 'add', `${NODE_IP}/24`, 'dev', 'eth0']);
    sh('ip', ['-n', CLIENT_NS, 'addr', 'add', `${CLIENT_IP}/24`, 'dev', 'eth0']);
    sh('ip', ['-n', NODE_NS, 'link', 'set', 'eth0', 'up']);
    sh('ip', ['-n', CLIENT_NS, 'link', 'set', 'eth0', 'up']);
    // The node's upstream resolver: a test resolver on the node's loopback, named by the node's resolv.conf.
    const records = join(dataDir, 'records.json');
    writeFileSync(
      records,
      JSON.stringify({
        'outside.example': [{ type: 'A', name: 'outside.example', ttl: 30, data: OUTSIDE_IP }],
      }),
    );
    const resolvConf = join(dataDir, 'resolv.conf');
    writeFileSync(resolvConf, `nameserver ${RESOLVER_IP}\n`);
    const resolver = spawn(
      'nsenter',
      [`--net=/run/netns/${NODE_NS}`, '--', process.execPath, RESOLVER, records, RESOLVER_IP],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    procs.push(resolver);
    await new Promise<void>((resolve, reject) => {
      resolver.stdout!.once('data', () => resolve());
      resolver.once('exit', (c) => reject(new Error(`test resolver exited with ${c}`)));
    });
    // The quick start: `tutti server` with no network flags (only where its resolv.conf is).
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
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    procs.push(server);
    server.stdout!.on('data', (d) => {
      serverOut += d;
      if (log) process.stderr.write(d);
    });
    server.stderr!.on('data', (d) => {
      if (log) process.stderr.write(d);
    });
    await pollUntil('tutti server ready', async () => serverOut.includes('tutti server ready'), 120_000, 200);
    await pollUntil(
      'node Ready',
      async () =>
        (await k('get', 'nodes', '-o', 'jsonpath={.items[*].status.conditions[?(@.type=="Ready")].status}')).includes(
          'True',
        ),
      120_000,
      500,
    );
  });

  after(async () => {
    if (server && server.exitCode === null) {
      server.kill('SIGTERM');
      await new Promise((r) => server!.once('exit', r));
    }
    // Everything the node made: sandboxes, containerd, the pod bridge (the proxy removed its own on stop).
    await nsRun(NODE_NS, process.execPath, [TUTTI_BIN, 'killall', '--data-dir', dataDir], 120_000);
    for (const p of procs) if (p.exitCode === null) p.kill('SIGTERM');
    for (const ns of [CLIENT_NS, NODE_NS]) spawnSync('ip', ['netns', 'del', ns]);
    rmSync(dataDir, { recursive: true, force: true });
  });

  let webIP = '';
  let podIPs: string[] = [];

  it('runs a backend Deployment with its Services and a client pod', async () => {
    await apply(`
apiVersion: apps/v1
kind: Deployment
metadata: { name: web }
spec:
  replicas: 2
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec:
      containers:
      - name: httpd
        image: busybox:1.35
        command: [sh, -c]
        args:
        - |
          mkdir -p /www/cgi-bin
          hostname > /www/index.html
          cat > /www/cgi-bin/ip <<'EOF'
          #!/bin/sh
          echo "Content-Type: text/plain"
          echo
          echo "$REMOTE_ADDR"
          EOF
          chmod +x /www/cgi-bin/ip
          exec httpd -f -p 8080 -h /www
        ports: [{ containerPort: 8080 }]
        readinessProbe: { tcpSocket: { port: 8080 }, periodSeconds: 1 }
---
apiVersion: v1
kind: Service
metadata: { name: web }
spec: { selector: { app: web }, ports: [{ name: http, port: 80, targetPort: 8080 }] }
---
apiVersion: v1
kind: Service
metadata: { name: web-np }
spec: { type: NodePort, selector: { app: web }, ports: [{ port: 80, targetPort: 8080, nodePort: 30080 }] }
---
apiVersion: v1
kind: Service
metadata: { name: web-local }
spec:
  type: NodePort
  externalTrafficPolicy: Local
  selector: { app: web }
  ports: [{ port: 80, targetPort: 8080, nodePort: 30081 }]
---
apiVersion: v1
kind: Service
metadata: { name: web-lb }
spec: { type: LoadBalancer, selector: { app: web }, ports: [{ port: 8081, targetPort: 8080 }] }
---
apiVersion: v1
kind: Service
metadata: { name: web-headless }
spec: { clusterIP: None, selector: { app: web }, ports: [{ port: 8080 }] }
---
apiVersion: v1
kind: Service
metadata: { name: ext }
spec: { type: ExternalName, externalName: outside.example }
---
apiVersion: v1
kind: Pod
metadata: { name: client }
spec:
  containers:
  - { name: c, image: busybox:1.35, command: [sleep, '3600'] }
---
apiVersion: v1
kind: Pod
metadata: { name: dns-default }
spec:
  dnsPolicy: Default
  containers:
  - { name: c, image: busybox:1.35, command: [sleep, '3600'] }
---
apiVersion: v1
kind: Pod
metadata: { name: hostnet }
spec:
  hostNetwork: true
  dnsPolicy: ClusterFirstWithHostNet
  containers:
  - { name: c, image: busybox:1.35, command: [sleep, '3600'] }
---
apiVersion: v1
kind: Pod
metadata: { name: dns-none }
spec:
  dnsPolicy: None
  dnsConfig: { nameservers: [192.0.2.53], searches: [corp.example], options: [{ name: ndots, value: '2' }] }
  containers:
  - { name: c, image: busybox:1.35, command: [sleep, '3600'] }
`);
    await k('wait', '--for=condition=Ready', 'pod', '-l', 'app=web', '--timeout=180s');
    await k(
      'wait',
      '--for=condition=Ready',
      'pod/client',
      'pod/dns-default',
      'pod/dns-none',
      'pod/hostnet',
      '--timeout=180s',
    );
    webIP = (await k('get', 'svc', 'web', '-o', 'jsonpath={.spec.clusterIP}')).trim();
    podIPs = (await k('get', 'pods', '-l', 'app=web', '-o', 'jsonpath={.items[*].status.podIP}'))
      .trim()
      .split(/\s+/)
      .sort();
    assert.match(webIP, /^10\.43\./);
    assert.equal(podIPs.length, 2);
  });

  it('has the kube-dns Service at 10.43.0.10 with the node as its endpoint, and pods use it', async () => {
    const svc = JSON.parse(await k('get', 'svc', '-n', 'kube-system', 'kube-dns', '-o', 'json'));
    assert.equal(svc.spec.clusterIP, '10.43.0.10');
    assert.deepEqual(
      svc.spec.ports.map((p: { name: string; protocol: string }) => `${p.name}/${p.protocol}`),
      ['dns/UDP', 'dns-tcp/TCP'],
    );
    const slices = await k(
      'get',
      'endpointslices',
      '-n',
      'kube-system',
      '-l',
      'kubernetes.io/service-name=kube-dns',
      '-o',
      'jsonpath={.items[*].endpoints[*].addresses[*]}',
    );
    assert.equal(slices.trim(), NODE_IP);
    const hints = await k(
      'get',
      'endpointslices',
      '-n',
      'kube-system',
      '-l',
      'kubernetes.io/service-name=kube-dns',
      '-o',
      'jsonpath={.items[*].endpoints[*].hints.forNodes[*].name}',
    );
    const nodeName = (await k('get', 'nodes', '-o', 'jsonpath={.items[0].metadata.name}')).trim();
    assert.equal(hints.trim(), nodeName);
    const resolv = (await inPod('client', 'cat', '/etc/resolv.conf')).out;
    assert.match(resolv, /^nameserver 10\.43\.0\.10$/m);
    assert.match(resolv, /^search default\.svc\.cluster\.local svc\.cluster\.local cluster\.local$/m);
    assert.match(resolv, /ndots:5/);
    // dnsPolicy Default: the node's resolv.conf (--resolv-conf); None: only its dnsConfig.
    const def = (await inPod('dns-default', 'cat', '/etc/resolv.conf')).out;
    assert.match(def, new RegExp(`^nameserver ${RESOLVER_IP.replaceAll('.', '\\.')}$`, 'm'));
    assert.doesNotMatch(def, /10\.43\.0\.10|svc\.cluster\.local/);
    const none = (await inPod('dns-none', 'cat', '/etc/resolv.conf')).out;
    assert.deepEqual(
      none
        .split('\n')
        .filter((l) => /^(nameserver|search|options)/.test(l))
        .sort(),
      ['nameserver 192.0.2.53', 'options ndots:2', 'search corp.example'],
    );
  });

  it("has the proxy's rules and the local service route in the node before any ClusterIP packet", async () => {
    const table = await nsRun(NODE_NS, 'nft', ['list', 'map', 'ip', 'tutti-proxy', 'service-ips']);
    assert.equal(table.code, 0, table.out);
    await pollUntil(
      'web in service-ips',
      async () =>
        (await nsRun(NODE_NS, 'nft', ['list', 'map', 'ip', 'tutti-proxy', 'service-ips'])).out.includes(webIP),
      30_000,
      200,
    );
    assert.match(table.out, /10\.43\.0\.10 \. udp \. 53/);
    const route = await nsRun(NODE_NS, 'ip', ['route', 'get', '10.43.0.10']);
    assert.match(route.out, /dev tutti-svc/);
    // And the root namespace was not touched.
    assert.notEqual(spawnSync('nft', ['list', 'table', 'ip', 'tutti-proxy']).status, 0);
  });

  it('a pod reaches the API server through the kubernetes Service (10.43.0.1:443, its EndpointSlice)', async () => {
    const slice = JSON.parse(await k('get', 'endpointslice', 'kubernetes', '-o', 'json'));
    assert.deepEqual(slice.endpoints[0].addresses, [NODE_IP]);
    assert.deepEqual(slice.ports, [{ name: 'https', port: 6443, protocol: 'TCP' }]);
    await pollUntil(
      'the kubernetes Service DNATs to the API server',
      async () =>
        new RegExp(`${NODE_IP.replaceAll('.', '\\.')}( \\. |:)6443`).test(
          (await nsRun(NODE_NS, 'nft', ['list', 'table', 'ip', 'tutti-proxy'])).out,
        ),
      30_000,
      200,
    );
    assert.match(
      (await nsRun(NODE_NS, 'nft', ['list', 'map', 'ip', 'tutti-proxy', 'service-ips'])).out,
      /10\.43\.0\.1 \. tcp \. 443/,
    );
    // A TCP connect (no TLS in busybox): refused while the Service had no endpoint, accepted now.
    const r = await inPod('client', 'sh', '-c', 'nc -w 3 10.43.0.1 443 </dev/null && echo connected');
    assert.match(r.out, /connected/, r.out);
  });

  it('an in-cluster @kubernetes/client-node lists pods through the kubernetes Service only with a RoleBinding', async () => {
    // An image with this machine's node binary; the client library and the program come in as volumes.
    const tar = join(dataDir, 'node-image.tar');
    sh('bash', [join(ROOT, 'scripts', 'images', 'build-node-image.sh'), tar, NODE_IMAGE]);
    const imported = await nsRun(NODE_NS, process.execPath, [TUTTI_BIN, 'image', 'import', tar, '--data-dir', dataDir]);
    assert.match(imported.out, /imported/, imported.out);
    await apply(`apiVersion: v1
kind: ConfigMap
metadata: {name: incluster}
data:
  main.mjs: |
    import * as k8s from '@kubernetes/client-node';
    const kc = new k8s.KubeConfig();
    kc.loadFromCluster();
    const api = kc.makeApiClient(k8s.CoreV1Api);
    try {
      const list = await api.listNamespacedPod({ namespace: 'default' });
      console.log(\`listed \${list.items.length} pods from \${kc.getCurrentCluster().server}\`);
    } catch (err) {
      console.log(\`refused \${err.code}: \${typeof err.body === 'string' ? err.body : JSON.stringify(err.body)}\`);
    }
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: lister}
`);
    const runPod = async (name: string) => {
      await apply(`apiVersion: v1
kind: Pod
metadata: {name: ${name}}
spec:
  serviceAccountName: lister
  restartPolicy: Never
  containers:
  - name: main
    image: ${NODE_IMAGE}
    command: [node, /program/main.mjs]
    volumeMounts:
    - {name: program, mountPath: /program}
    - {name: modules, mountPath: /node_modules, readOnly: true}
  volumes:
  - name: program
    configMap: {name: incluster}
  - name: modules
    hostPath: {path: ${join(ROOT, 'node_modules')}, type: Directory}
`);
      await pollUntil(
        `${name} done`,
        async () => ['Succeeded', 'Failed'].includes(await k('get', 'pod', name, '-o', 'jsonpath={.status.phase}')),
        120_000,
        500,
      );
      const logs = await k('logs', name);
      // The pod's status says why when there is no output (a missing library, an unreadable volume).
      return logs || `no output; status: ${await k('get', 'pod', name, '-o', 'jsonpath={.status}')}`;
    };
    const refused = await runPod('incluster-1');
    assert.match(
      refused,
      /refused 403: .*pods is forbidden: User \\?"system:serviceaccount:default:lister\\?" cannot list resource \\?"pods\\?"/,
      refused,
    );
    await k('create', 'role', 'pod-reader', '--verb=get,list', '--resource=pods');
    await k('create', 'rolebinding', 'lister-reads', '--role=pod-reader', '--serviceaccount=default:lister');
    const listed = await runPod('incluster-2');
    assert.match(listed, /^listed \d+ pods from https:\/\/10\.43\.0\.1:443/, listed);
    await k('delete', 'pod', 'incluster-1', 'incluster-2', '--grace-period=0', '--force');
  });

  it('a pod reaches the Service by name and by ClusterIP, and both pods answer', async () => {
    const names = new Set<string>();
    const byIp = new Set<string>();
    for (let i = 0; i < 16 && (names.size < 2 || byIp.size < 2); i++) {
      const a = await inPod('client', 'timeout', '5', 'wget', '-qO-', 'http://web/');
      assert.equal(a.code, 0, a.out);
      names.add(a.out.trim());
      const b = await inPod('client', 'timeout', '5', 'wget', '-qO-', `http://${webIP}/`);
      assert.equal(b.code, 0, b.out);
      byIp.add(b.out.trim());
    }
    const pods = (await k('get', 'pods', '-l', 'app=web', '-o', 'jsonpath={.items[*].metadata.name}'))
      .trim()
      .split(/\s+/);
    assert.deepEqual([...names].sort(), pods.sort());
    assert.deepEqual([...byIp].sort(), pods.sort());
    const full = await inPod('client', 'timeout', '5', 'wget', '-qO-', 'http://web.default.svc.cluster.local/');
    assert.equal(full.code, 0, full.out);
  });

  it('a NodePort and the LoadBalancer address answer from the client namespace', async () => {
    const np = await nsRun(CLIENT_NS, 'curl', ['-sS', '--max-time', '5', `http://${NODE_IP}:30080/`]);
    assert.equal(np.code, 0, np.out);
    assert.match(np.out, /^web-/);
    const ingress = await pollUntil(
      'LoadBalancer ingress',
      async () => (await k('get', 'svc', 'web-lb', '-o', 'jsonpath={.status.loadBalancer.ingress[*].ip}')).trim(),
      30_000,
      300,
    );
    assert.equal(ingress, NODE_IP);
    const lb = await nsRun(CLIENT_NS, 'curl', ['-sS', '--max-time', '5', `http://${ingress}:8081/`]);
    assert.equal(lb.code, 0, lb.out);
    assert.match(lb.out, /^web-/);
  });

  it('externalTrafficPolicy Local keeps the client source address, Cluster masquerades it', async () => {
    // busybox httpd writes IPv4 peers as [::ffff:a.b.c.d].
    const peer = (out: string) => /(\d+\.\d+\.\d+\.\d+)/.exec(out)?.[1];
    const local = await nsRun(CLIENT_NS, 'curl', ['-sS', '--max-time', '5', `http://${NODE_IP}:30081/cgi-bin/ip`]);
    assert.equal(local.code, 0, local.out);
    assert.equal(peer(local.out), CLIENT_IP, local.out);
    const cluster = await nsRun(CLIENT_NS, 'curl', ['-sS', '--max-time', '5', `http://${NODE_IP}:30080/cgi-bin/ip`]);
    assert.equal(cluster.code, 0, cluster.out);
    assert.ok(peer(cluster.out), cluster.out);
    assert.notEqual(peer(cluster.out), CLIENT_IP);
  });

  it('resolves the headless Service to its pods, ExternalName to its CNAME, and outside names upstream', async () => {
    // From the client namespace straight at the node's DNS listener (dig shows the records) ...
    const dig = async (...args: string[]) =>
      (await nsRun(CLIENT_NS, 'dig', [`@${NODE_IP}`, '+short', '+time=3', '+tries=2', ...args])).out;
    const headless = (await dig('web-headless.default.svc.cluster.local', 'A')).trim().split(/\s+/).sort();
    assert.deepEqual(headless, podIPs);
    const ext = (await dig('ext.default.svc.cluster.local', 'A')).trim().split(/\s+/);
    assert.deepEqual(ext, ['outside.example.', OUTSIDE_IP]);
    // ... and from a pod through the kube-dns ClusterIP, search path included.
    const outside = await inPod('client', 'nslookup', 'outside.example');
    assert.match(outside.out, new RegExp(`Address:\\s*${OUTSIDE_IP.replaceAll('.', '\\.')}`), outside.out);
    const h = await inPod('client', 'nslookup', 'web-headless.default.svc.cluster.local');
    for (const ip of podIPs) assert.ok(h.out.includes(ip), h.out);
    const short = await inPod('client', 'nslookup', 'web');
    assert.ok(short.out.includes(webIP), short.out);
    // A host-network pod with ClusterFirstWithHostNet: from the node's own namespace through the ClusterIP.
    const hostResolv = (await inPod('hostnet', 'cat', '/etc/resolv.conf')).out;
    assert.match(hostResolv, /^nameserver 10\.43\.0\.10$/m);
    const fromHost = await inPod('hostnet', 'nslookup', 'web.default.svc.cluster.local');
    assert.ok(fromHost.out.includes(webIP), fromHost.out);
  });

  it('deleting a Service removes its rules, and its address is refused on the node', async () => {
    await k('delete', 'svc', 'web', 'web-np');
    // Two deletes: the proxy may apply them in one sync or in two.
    await pollUntil(
      'web gone from service-ips, web-np from service-nodeports',
      async () =>
        !(await nsRun(NODE_NS, 'nft', ['list', 'map', 'ip', 'tutti-proxy', 'service-ips'])).out.includes(webIP) &&
        !/30080/.test((await nsRun(NODE_NS, 'nft', ['list', 'map', 'ip', 'tutti-proxy', 'service-nodeports'])).out),
      30_000,
      200,
    );
    // The address is now owned by no Service: rejected on the node, not sent anywhere.
    const r = await inPod('client', 'timeout', '5', 'wget', '-qO-', `http://${webIP}/`);
    assert.notEqual(r.code, 0);
    const np = await nsRun(CLIENT_NS, 'curl', ['-sS', '--max-time', '3', `http://${NODE_IP}:30080/`]);
    assert.notEqual(np.code, 0);
  });

  it('leaves no nft table, route, device or veth of Tutti after the server stops and killall', async () => {
    server!.kill('SIGTERM');
    await new Promise((r) => server!.once('exit', r));
    const killall = await nsRun(NODE_NS, process.execPath, [TUTTI_BIN, 'killall', '--data-dir', dataDir], 120_000);
    assert.equal(killall.code, 0, killall.out);
    const tables = await nsRun(NODE_NS, 'nft', ['list', 'tables']);
    assert.doesNotMatch(tables.out, /tutti/);
    const links = await nsRun(NODE_NS, 'ip', ['-o', 'link']);
    assert.doesNotMatch(links.out, /tutti-svc|veth|tt-/, links.out);
    const routes = await nsRun(NODE_NS, 'ip', ['route']);
    assert.doesNotMatch(routes.out, /10\.43\.|10\.42\./, routes.out);
  });
});

// Two "machines": `tutti server` (with its agent) in one namespace, `tutti agent` in another, both on a
// bridge in the client namespace (no default route anywhere). The pod network (src/network/podnet) routes the
// two pod CIDRs between them (host-gw).
describe('Services and DNS across two nodes, each in its own namespace', { skip, timeout: 600_000 }, () => {
  const P = `tm${process.pid % 100000}`;
  const A = `${P}-a`;
  const B = `${P}-b`;
  const C = `${P}-c`;
  const IP_A = '198.18.1.1';
  const IP_C = '198.18.1.2';
  const IP_B = '198.18.1.3';
  const dirA = mkdtempSync(join(tmpdir(), 'tutti-net2-a-'));
  const dirB = mkdtempSync(join(tmpdir(), 'tutti-net2-b-'));
  const kubeconfig = join(dirA, 'kubeconfig.yaml');
  const procs: ChildProcess[] = [];
  let server: ChildProcess | undefined;
  let agent: ChildProcess | undefined;
  let nodeA = '';
  const NODE_B = `${P}-nodeb`;
  let agentArgsB: string[] = [];

  const k = async (...args: string[]): Promise<string> => {
    const r = await nsRun(A, 'kubectl', ['--kubeconfig', kubeconfig, ...args], 60_000);
    if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${r.code}): ${r.out}`);
    return r.out;
  };
  const inPod = (pod: string, ...cmd: string[]) =>
    nsRun(A, 'kubectl', ['--kubeconfig', kubeconfig, 'exec', pod, '--', ...cmd], 30_000);
  const start = async (ns: string, args: string[], ready: string): Promise<ChildProcess> => {
    const p = spawn('nsenter', [`--net=/run/netns/${ns}`, '--', process.execPath, TUTTI_BIN, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    procs.push(p);
    let out = '';
    p.stdout!.on('data', (d) => {
      out += d;
      if (log) process.stderr.write(d);
    });
    p.stderr!.on('data', (d) => {
      if (log) process.stderr.write(d);
    });
    await pollUntil(
      ready,
      async () => {
        if (p.exitCode !== null) throw new Error(`${args[0]} exited with ${p.exitCode}`);
        return out.includes(ready);
      },
      120_000,
      200,
    );
    return p;
  };
  const stop = async (p: ChildProcess | undefined) => {
    if (p && p.exitCode === null) {
      p.kill('SIGTERM');
      await new Promise((r) => p.once('exit', r));
    }
  };

  before(async () => {
    for (const ns of [A, B, C]) {
      sh('ip', ['netns', 'add', ns]);
      sh('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
    }
    sh('ip', ['-n', C, 'link', 'add', 'fab', 'type', 'bridge']);
    sh('ip', ['-n', C, 'addr', 'add', `${IP_C}/24`, 'dev', 'fab']);
    sh('ip', ['-n', C, 'link', 'set', 'fab', 'up']);
    for (const [ns, ip, port] of [
      [A, IP_A, 'pa'],
      [B, IP_B, 'pb'],
    ]) {
      sh('ip', ['-n', ns, 'link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', port, 'netns', C]);
      sh('ip', ['-n', ns, 'addr', 'add', `${ip}/24`, 'dev', 'eth0']);
      sh('ip', ['-n', ns, 'link', 'set', 'eth0', 'up']);
      sh('ip', ['-n', C, 'link', 'set', port, 'master', 'fab']);
      sh('ip', ['-n', C, 'link', 'set', port, 'up']);
    }
    const resolvConf = join(dirA, 'resolv.conf');
    writeFileSync(resolvConf, `nameserver ${RESOLVER_IP}\n`);
    const records = join(dirA, 'records.json');
    writeFileSync(records, JSON.stringify({}));
    for (const ns of [A, B]) {
      const r = spawn('nsenter', [`--net=/run/netns/${ns}`, '--', process.execPath, RESOLVER, records, RESOLVER_IP], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      procs.push(r);
      await new Promise<void>((resolve) => r.stdout!.once('data', () => resolve()));
    }
    server = await start(A, ['server', '--data-dir', dirA, '--resolv-conf', resolvConf], 'tutti server ready');
    const token = (await nsRun(A, 'cat', [join(dirA, 'node-token')])).out.trim();
    const agentArgs = ['agent', '--server', `https://${IP_A}:6443`, '--token', token, '--data-dir', dirB];
    agentArgsB = [...agentArgs, '--node-name', NODE_B, '--resolv-conf', resolvConf];
    agent = await start(B, agentArgsB, 'tutti agent ready');
    await pollUntil(
      'two nodes Ready',
      async () => {
        const s = await k('get', 'nodes', '-o', 'jsonpath={.items[*].status.conditions[?(@.type=="Ready")].status}');
        return (
          s
            .trim()
            .split(/\s+/)
            .filter((x) => x === 'True').length === 2
        );
      },
      120_000,
      500,
    );
    nodeA = (
      await k('get', 'nodes', '-o', 'jsonpath={.items[?(@.metadata.name!="' + NODE_B + '")].metadata.name}')
    ).trim();
    // The pod network (src/network/podnet, host-gw on this shared link) routes each node's pod CIDR to the other.
    const cidrOf = async (n: string) => (await k('get', 'node', n, '-o', 'jsonpath={.spec.podCIDR}')).trim();
    const [cidrA, cidrB] = [await cidrOf(nodeA), await cidrOf(NODE_B)];
    await pollUntil(
      'host-gw routes between the two nodes',
      async () => {
        const ra = (await nsRun(A, 'ip', ['route', 'show', cidrB])).out;
        const rb = (await nsRun(B, 'ip', ['route', 'show', cidrA])).out;
        return ra.includes(`via ${IP_B}`) && rb.includes(`via ${IP_A}`);
      },
      60_000,
      500,
    );
  });

  after(async () => {
    await stop(agent);
    await stop(server);
    await nsRun(B, process.execPath, [TUTTI_BIN, 'killall', '--data-dir', dirB], 120_000);
    await nsRun(A, process.execPath, [TUTTI_BIN, 'killall', '--data-dir', dirA], 120_000);
    for (const p of procs) if (p.exitCode === null) p.kill('SIGTERM');
    for (const ns of [C, B, A]) spawnSync('ip', ['netns', 'del', ns]);
    rmSync(dirA, { recursive: true, force: true });
    rmSync(dirB, { recursive: true, force: true });
  });

  it('a pod on node A reaches a Service by name and ClusterIP, and the pods of both nodes answer', async () => {
    const f = join(dirA, 'two.yaml');
    writeFileSync(
      f,
      `
apiVersion: apps/v1
kind: DaemonSet
metadata: { name: web }
spec:
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec:
      containers:
      - name: httpd
        image: busybox:1.35
        command: [sh, -c, 'mkdir -p /www && hostname > /www/index.html && exec httpd -f -p 8080 -h /www']
        readinessProbe: { tcpSocket: { port: 8080 }, periodSeconds: 1 }
---
apiVersion: v1
kind: Service
metadata: { name: web }
spec: { type: LoadBalancer, selector: { app: web }, ports: [{ port: 80, targetPort: 8080, nodePort: 30090 }] }
---
apiVersion: v1
kind: Pod
metadata: { name: client-a }
spec:
  nodeName: ${nodeA}
  containers: [{ name: c, image: busybox:1.35, command: [sleep, '3600'] }]
---
apiVersion: v1
kind: Pod
metadata: { name: client-b }
spec:
  nodeName: ${NODE_B}
  containers: [{ name: c, image: busybox:1.35, command: [sleep, '3600'] }]
`,
    );
    await k('apply', '-f', f);
    await pollUntil(
      'two web pods Ready',
      async () => (await k('get', 'ds', 'web', '-o', 'jsonpath={.status.numberReady}')).trim() === '2',
      180_000,
      500,
    );
    await k('wait', '--for=condition=Ready', 'pod/client-a', 'pod/client-b', '--timeout=180s');
    const pods = (await k('get', 'pods', '-l', 'app=web', '-o', 'jsonpath={.items[*].metadata.name}'))
      .trim()
      .split(/\s+/);
    const webIP = (await k('get', 'svc', 'web', '-o', 'jsonpath={.spec.clusterIP}')).trim();
    // The proxy's rules are in place on node A before any ClusterIP packet.
    await pollUntil(
      'web in service-ips on A',
      async () => (await nsRun(A, 'nft', ['list', 'map', 'ip', 'tutti-proxy', 'service-ips'])).out.includes(webIP),
      30_000,
      200,
    );
    const names = new Set<string>();
    for (let i = 0; i < 24 && names.size < 2; i++) {
      const url = i % 2 === 0 ? 'http://web/' : `http://${webIP}/`;
      const r = await inPod('client-a', 'timeout', '5', 'wget', '-qO-', url);
      assert.equal(r.code, 0, r.out);
      names.add(r.out.trim());
    }
    assert.deepEqual([...names].sort(), pods.sort());
    // A pod on node B resolves through its own node's DNS and reaches the Service too.
    await pollUntil(
      'web in service-ips on B',
      async () => (await nsRun(B, 'nft', ['list', 'map', 'ip', 'tutti-proxy', 'service-ips'])).out.includes(webIP),
      30_000,
      200,
    );
    const rb = await inPod('client-b', 'timeout', '5', 'wget', '-qO-', 'http://web/');
    assert.equal(rb.code, 0, rb.out);
    assert.ok(pods.includes(rb.out.trim()), rb.out);
  });

  it('a pod on node B reaches a pod on node A by ClusterIP and is seen with its own address', async () => {
    // busybox httpd on node A whose CGI answers the address the request came from.
    const f = join(dirA, 'echo.yaml');
    writeFileSync(
      f,
      `
apiVersion: v1
kind: Pod
metadata: { name: echo-a, labels: { app: echo } }
spec:
  nodeName: ${nodeA}
  containers:
  - name: httpd
    image: busybox:1.35
    command: [sh, -c]
    args:
    - |
      mkdir -p /www/cgi-bin
      printf '#!/bin/sh\\necho Content-Type: text/plain\\necho\\necho "$REMOTE_ADDR"\\n' > /www/cgi-bin/ip
      chmod +x /www/cgi-bin/ip
      exec httpd -f -p 8080 -h /www
    readinessProbe: { tcpSocket: { port: 8080 }, periodSeconds: 1 }
---
apiVersion: v1
kind: Service
metadata: { name: echo }
spec: { selector: { app: echo }, ports: [{ port: 80, targetPort: 8080 }] }
`,
    );
    await k('apply', '-f', f);
    await k('wait', '--for=condition=Ready', 'pod/echo-a', '--timeout=180s');
    const echoIP = (await k('get', 'svc', 'echo', '-o', 'jsonpath={.spec.clusterIP}')).trim();
    const clientB = (await k('get', 'pod', 'client-b', '-o', 'jsonpath={.status.podIP}')).trim();
    const echoPod = (await k('get', 'pod', 'echo-a', '-o', 'jsonpath={.status.podIP}')).trim();
    await pollUntil(
      'echo in service-ips on B',
      async () => (await nsRun(B, 'nft', ['list', 'map', 'ip', 'tutti-proxy', 'service-ips'])).out.includes(echoIP),
      30_000,
      200,
    );
    const seen = async (url: string) => {
      const r = await inPod('client-b', 'timeout', '5', 'wget', '-qO-', url);
      assert.equal(r.code, 0, r.out);
      return r.out.trim().replace(/^\[::ffff:(.*)\]$/, '$1');
    };
    assert.equal(await seen(`http://${echoPod}:8080/cgi-bin/ip`), clientB, 'pod to pod');
    assert.equal(await seen(`http://${echoIP}/cgi-bin/ip`), clientB, 'pod to ClusterIP to a pod on the other node');
    await k('delete', 'pod', 'echo-a', '--grace-period=0', '--force');
    await k('delete', 'svc', 'echo');
  });

  it('kube-dns has one endpoint per node; NodePort and LoadBalancer answer on every node from the client', async () => {
    const addrs = await k(
      'get',
      'endpointslices',
      '-n',
      'kube-system',
      '-l',
      'kubernetes.io/service-name=kube-dns',
      '-o',
      'jsonpath={.items[*].endpoints[*].addresses[*]}',
    );
    assert.deepEqual(addrs.trim().split(/\s+/).sort(), [IP_A, IP_B]);
    const ingress = await pollUntil(
      'both nodes in the ingress',
      async () => {
        const s = (await k('get', 'svc', 'web', '-o', 'jsonpath={.status.loadBalancer.ingress[*].ip}')).trim();
        return s.split(/\s+/).length === 2 ? s : undefined;
      },
      30_000,
      300,
    );
    assert.equal(ingress, `${IP_A} ${IP_B}`);
    for (const ip of [IP_A, IP_B]) {
      for (const port of [30090, 80]) {
        const r = await nsRun(C, 'curl', ['-sS', '--max-time', '5', `http://${ip}:${port}/`]);
        assert.equal(r.code, 0, `${ip}:${port}: ${r.out}`);
        assert.match(r.out, /^web-/);
      }
    }
  });

  it('kill -9 of an agent leaves its rules serving; the restarted agent takes them over', async () => {
    agent!.kill('SIGKILL');
    await new Promise((r) => agent!.once('exit', r));
    // The kernel keeps the rules: node B's NodePort still answers with its agent gone.
    const during = await nsRun(C, 'curl', ['-sS', '--max-time', '5', `http://${IP_B}:30090/`]);
    assert.equal(during.code, 0, during.out);
    agent = await start(B, agentArgsB, 'tutti agent ready');
    for (let i = 0; i < 4; i++) {
      const r = await nsRun(C, 'curl', ['-sS', '--max-time', '5', `http://${IP_B}:30090/`]);
      assert.equal(r.code, 0, r.out);
    }
    const rb = await inPod('client-b', 'timeout', '5', 'wget', '-qO-', 'http://web/');
    assert.equal(rb.code, 0, rb.out);
    const addrs = await k(
      'get',
      'endpointslices',
      '-n',
      'kube-system',
      '-l',
      'kubernetes.io/service-name=kube-dns',
      '-o',
      'jsonpath={.items[*].endpoints[*].addresses[*]}',
    );
    assert.deepEqual(addrs.trim().split(/\s+/).sort(), [IP_A, IP_B]);
  });

  it('an agent that stops takes its kube-dns endpoint and its rules with it', async () => {
    await stop(agent);
    const addrs = await k(
      'get',
      'endpointslices',
      '-n',
      'kube-system',
      '-l',
      'kubernetes.io/service-name=kube-dns',
      '-o',
      'jsonpath={.items[*].endpoints[*].addresses[*]}',
    );
    assert.equal(addrs.trim(), IP_A);
    const tables = await nsRun(B, 'nft', ['list', 'tables']);
    assert.doesNotMatch(tables.out, /tutti/);
    assert.doesNotMatch((await nsRun(B, 'ip', ['-o', 'link'])).out, /tutti-svc/);
  });
});

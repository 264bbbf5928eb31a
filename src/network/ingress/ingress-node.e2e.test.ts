// The ingress controller through the full node path, as the quick start runs it: `tutti server` with no
// ingress flags inside a network namespace this test makes (its agent starts the ingress listeners on the
// node address, ports 80 and 443, with the node's identity), a client namespace on a link of its own, and two
// Services whose EndpointSlices point at two HTTP servers on the node. The client sends requests for
// a.example and b.example to the node's address and gets each Service's backend; HTTPS by SNI gets the
// Ingress's Secret; the Ingress's status.loadBalancer names the node. No packet leaves the two namespaces.
// Root + containerd (the server's agent starts its private containerd, as on a real machine).
import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pollUntil, TUTTI_BIN } from '../../e2e/harness.js';
import { netnsSkipReason, nsRun, sh } from '../../e2e/testing/netns.js';

const skip = netnsSkipReason(['kubectl', 'curl', 'openssl']);
const log = process.env.NETWORK_E2E_LOG === '1';

const PREFIX = `h2i${process.pid % 100000}`;
const NODE_NS = `${PREFIX}-node`;
const CLIENT_NS = `${PREFIX}-cl`;
const NODE_IP = '198.18.7.1';
const CLIENT_IP = '198.18.7.2';

/** A backend on the node: answers with its name and the Host it was asked for. */
const BACKEND = `const [name, ip, port] = process.argv.slice(1);
require('node:http').createServer((req, res) => res.end(JSON.stringify({ name, host: req.headers.host,
  xfp: req.headers['x-forwarded-proto'], xff: req.headers['x-forwarded-for'] }))).listen(Number(port), ip,
  () => console.log('listening'));`;

describe('ingress on a tutti server node in its own namespace', { skip, timeout: 600_000 }, () => {
  const dataDir = mkdtempSync('/tmp/h2-ingress-node-');
  const kubeconfig = join(dataDir, 'kubeconfig.yaml');
  const procs: ChildProcess[] = [];
  let server: ChildProcess | undefined;
  let serverOut = '';

  const k = async (...args: string[]): Promise<string> => {
    const r = await nsRun(NODE_NS, 'kubectl', ['--kubeconfig', kubeconfig, ...args], 60_000);
    if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${r.code}): ${r.out}`);
    return r.out;
  };
  const apply = async (yaml: string) => {
    const f = join(dataDir, `manifest-${Math.random().toString(36).slice(2)}.yaml`);
    writeFileSync(f, yaml);
    await k('apply', '-f', f);
  };
  const curl = (...args: string[]) => nsRun(CLIENT_NS, 'curl', ['-sS', '--max-time', '5', ...args]);

  before(async () => {
    for (const ns of [NODE_NS, CLIENT_NS]) sh('ip', ['netns', 'add', ns]);
    sh('ip', ['-n', NODE_NS, 'link', 'set', 'lo', 'up']);
    sh('ip', ['-n', CLIENT_NS, 'link', 'set', 'lo', 'up']);
    sh('ip', ['-n', NODE_NS, 'link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', CLIENT_NS]);
    sh('ip', ['-n', NODE_NS, 'addr', 'add', `${NODE_IP}/24`, 'dev', 'eth0']);
    sh('ip', ['-n', CLIENT_NS, 'addr', 'add', `${CLIENT_IP}/24`, 'dev', 'eth0']);
    sh('ip', ['-n', NODE_NS, 'link', 'set', 'eth0', 'up']);
    sh('ip', ['-n', CLIENT_NS, 'link', 'set', 'eth0', 'up']);
    for (const [name, port] of [
      ['A', '9001'],
      ['B', '9002'],
    ]) {
      const b = spawn(
        'nsenter',
        [`--net=/run/netns/${NODE_NS}`, '--', process.execPath, '-e', BACKEND, name, NODE_IP, port],
        {
          stdio: ['ignore', 'pipe', 'inherit'],
        },
      );
      procs.push(b);
      await new Promise<void>((resolve, reject) => {
        b.stdout!.once('data', () => resolve());
        b.once('exit', (c) => reject(new Error(`backend ${name} exited with ${c}`)));
      });
    }
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
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    procs.push(server);
    server.stdout!.on('data', (d) => {
      serverOut += d;
      if (log) process.stderr.write(d);
    });
    server.stderr!.on('data', (d) => {
      serverOut += d;
      if (log) process.stderr.write(d);
    });
    await pollUntil('tutti server ready', async () => serverOut.includes('tutti server ready'), 120_000, 200);
    await pollUntil('ingress started', async () => serverOut.includes('"msg":"ingress started"'), 60_000, 200);
  });

  after(async () => {
    if (log) writeFileSync('/tmp/h2-ingress-node-server.log', serverOut);
    if (server && server.exitCode === null) {
      server.kill('SIGTERM');
      await new Promise((r) => server!.once('exit', r));
    }
    await nsRun(NODE_NS, process.execPath, [TUTTI_BIN, 'killall', '--data-dir', dataDir], 120_000);
    for (const p of procs) if (p.exitCode === null) p.kill('SIGTERM');
    for (const ns of [CLIENT_NS, NODE_NS]) spawnSync('ip', ['netns', 'del', ns]);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('routes a.example and b.example, sent to the node address, to two Services', async () => {
    sh('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
      '-subj', '/CN=a.example', '-addext', 'subjectAltName=DNS:a.example',
      '-keyout', join(dataDir, 'a.key'), '-out', join(dataDir, 'a.crt'),
    ]); // biome-ignore format: one command
    const b64 = (f: string) => readFileSync(join(dataDir, f)).toString('base64');
    const svcAndSlice = (name: string, port: number) => `
apiVersion: v1
kind: Service
metadata: { name: ${name} }
spec: { ports: [{ name: http, port: 80, targetPort: ${port} }] }
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: { name: ${name}-node, labels: { kubernetes.io/service-name: ${name} } }
addressType: IPv4
endpoints: [{ addresses: ['${NODE_IP}'], conditions: { ready: true } }]
ports: [{ name: http, port: ${port}, protocol: TCP }]
---`;
    await apply(`${svcAndSlice('svc-a', 9001)}${svcAndSlice('svc-b', 9002)}
apiVersion: v1
kind: Secret
metadata: { name: a-tls }
type: kubernetes.io/tls
data: { tls.crt: ${b64('a.crt')}, tls.key: ${b64('a.key')} }
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: { name: two-hosts }
spec:
  tls: [{ hosts: [a.example], secretName: a-tls }]
  rules:
  - host: a.example
    http: { paths: [{ path: /, pathType: Prefix, backend: { service: { name: svc-a, port: { number: 80 } } } }] }
  - host: b.example
    http: { paths: [{ path: /, pathType: Prefix, backend: { service: { name: svc-b, port: { name: http } } } }] }
`);
    const ask = async (host: string) => {
      const r = await curl('-H', `Host: ${host}`, `http://${NODE_IP}/`);
      return r.code === 0 ? (JSON.parse(r.out) as Record<string, string>) : undefined;
    };
    const a = await pollUntil(
      'a.example routed',
      async () => ((await ask('a.example'))?.name === 'A' ? ask('a.example') : undefined),
      30_000,
      200,
    );
    const b = await ask('b.example');
    assert.equal(a?.host, 'a.example');
    assert.equal(a?.xff, CLIENT_IP);
    assert.equal(b?.name, 'B');
    assert.equal(b?.host, 'b.example');
    const none = await curl('-o', '/dev/null', '-w', '%{http_code}', '-H', 'Host: c.example', `http://${NODE_IP}/`);
    assert.equal(none.out, '404');
  });

  it('serves HTTPS on 443 with the Secret certificate chosen by SNI', async () => {
    const r = await curl('-k', '-v', '--resolve', `a.example:443:${NODE_IP}`, 'https://a.example/');
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /subject: CN\s*=\s*a\.example/);
    const body = JSON.parse(r.out.slice(r.out.lastIndexOf('{')));
    assert.deepEqual([body.name, body.xfp], ['A', 'https']);
    const other = await curl('-k', '-v', '--resolve', `b.example:443:${NODE_IP}`, 'https://b.example/');
    assert.match(other.out, /subject: CN\s*=\s*TUTTI DEFAULT CERT/);
  });

  it('publishes the node address in status.loadBalancer, as kubectl shows it', async () => {
    const ip = await pollUntil(
      'ingress address',
      async () =>
        (await k('get', 'ingress', 'two-hosts', '-o', 'jsonpath={.status.loadBalancer.ingress[*].ip}')).trim() ||
        undefined,
      60_000,
      500,
    );
    assert.equal(ip, NODE_IP);
    const cls = await k('get', 'ingressclass', 'tutti', '-o', 'jsonpath={.spec.controller}');
    assert.equal(cls, 'tutti.io/ingress');
  });
});

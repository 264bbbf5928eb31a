// The ingress controller against a real `tutti server` (control plane, no agent): two Services whose
// EndpointSlices point at two HTTP servers on 127.0.0.1, one Ingress routing a.example and b.example to them,
// the ingress listeners on 127.0.0.1:17210 (HTTP) and :17211 (HTTPS). Checks each host by its Host header sent
// to the node's address (curl and node:http), SNI picking the Ingress's TLS Secret, a reload while a request
// is in flight and a keep-alive connection is open, 503/404, and status.loadBalancer from the status writer.
// No root needed; nothing leaves 127.0.0.1.
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent, createServer, request, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { connect as tlsConnect } from 'node:tls';
import { promisify } from 'node:util';
import { ApiClient } from '../../client/api-client.js';
import type { Ingress, IngressClass } from '../../core/types.js';
import { pollUntil, startTestServer, type TestServer } from '../../e2e/harness.js';
import { type IngressController, startIngressController } from './index.js';

const execFileAsync = promisify(execFile);
const HTTP_PORT = 17210;
const HTTPS_PORT = 17211;
const NS = 'default';
const NET = '/apis/networking.k8s.io/v1';

interface Reply {
  status: number;
  body: string;
  socket?: Socket;
}

function get(port: number, host: string, path = '/', agent?: Agent): Promise<Reply> {
  return new Promise((resolve, reject) => {
    let socket: Socket | undefined;
    const req = request({ host: '127.0.0.1', port, path, headers: { host }, agent: agent ?? false }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => {
        body += d.toString();
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, socket }));
    });
    req.on('socket', (s) => {
      socket = s;
    });
    req.on('error', reject);
    req.end();
  });
}

/** An HTTP GET over TLS with this SNI name: the server certificate's CN and the reply. */
function getTls(serverName: string, host: string): Promise<{ cn: string; body: string }> {
  return new Promise((resolve, reject) => {
    const s = tlsConnect({ host: '127.0.0.1', port: HTTPS_PORT, servername: serverName, rejectUnauthorized: false });
    let data = '';
    let cn = '';
    s.on('secureConnect', () => {
      cn = String(s.getPeerCertificate().subject?.CN ?? '');
      s.write(`GET /tls HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);
    });
    s.on('data', (d: Buffer) => {
      data += d.toString();
    });
    s.on('end', () => resolve({ cn, body: data.slice(data.indexOf('\r\n\r\n') + 4) }));
    s.on('error', reject);
  });
}

function selfSigned(dir: string, cn: string): { cert: string; key: string } {
  const key = join(dir, `${cn}.key`);
  const cert = join(dir, `${cn}.crt`);
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
    '-subj', `/CN=${cn}`, '-addext', `subjectAltName=DNS:${cn}`, '-keyout', key, '-out', cert,
  ], { stdio: 'ignore' }); // biome-ignore format: one command
  return { cert: readFileSync(cert, 'utf8'), key: readFileSync(key, 'utf8') };
}

/** A backend that says who it is and what the proxy told it; /slow answers after `slowMs`. */
async function backend(name: string, slowMs = 1500): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => {
    const reply = () =>
      res.end(
        JSON.stringify({
          name,
          path: req.url,
          host: req.headers.host,
          xfh: req.headers['x-forwarded-host'],
          xfp: req.headers['x-forwarded-proto'],
          xff: req.headers['x-forwarded-for'],
        }),
      );
    if (req.url?.startsWith('/slow')) setTimeout(reply, slowMs);
    else reply();
  });
  // An upgraded connection echoes what it gets, prefixed with the backend's name.
  server.on('upgrade', (req, socket: Socket) => {
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: ${req.headers.upgrade}\r\nConnection: Upgrade\r\n\r\n`);
    socket.on('data', (d: Buffer) => socket.write(`${name}:${d.toString()}`));
    socket.on('error', () => socket.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, port: (server.address() as { port: number }).port };
}

const service = (name: string) => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace: NS },
  spec: { ports: [{ name: 'http', port: 80, targetPort: 8080 }] },
});
const slice = (svc: string, port: number) => ({
  apiVersion: 'discovery.k8s.io/v1',
  kind: 'EndpointSlice',
  metadata: { name: `${svc}-1`, namespace: NS, labels: { 'kubernetes.io/service-name': svc } },
  addressType: 'IPv4',
  endpoints: [{ addresses: ['127.0.0.1'], conditions: { ready: true } }],
  ports: [{ name: 'http', port, protocol: 'TCP' }],
});
const rule = (host: string, svc: string, port: { number: number } | { name: string }) => ({
  host,
  http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: svc, port } } }] },
});

describe('ingress controller against a real API server', { timeout: 120_000 }, () => {
  const dir = mkdtempSync('/tmp/h2-ingress-');
  let server: TestServer;
  let client: ApiClient;
  let nodeClient: ApiClient;
  let ingress: IngressController;
  const backends: Server[] = [];
  let aPort = 0;
  let bPort = 0;

  before(async () => {
    server = await startTestServer({ controlPlane: true, dataDir: join(dir, 'server') });
    client = new ApiClient({ server: server.url, token: server.token, caPem: server.caPem });
    const a = await backend('A');
    const b = await backend('B');
    backends.push(a.server, b.server);
    aPort = a.port;
    bPort = b.port;
    for (const name of ['a', 'b']) await client.create(`/api/v1/namespaces/${NS}/services`, service(name));
    await client.create(`/apis/discovery.k8s.io/v1/namespaces/${NS}/endpointslices`, slice('a', aPort));
    await client.create(`/apis/discovery.k8s.io/v1/namespaces/${NS}/endpointslices`, slice('b', bPort));
    const cert = selfSigned(dir, 'a.example');
    await client.create(`/api/v1/namespaces/${NS}/secrets`, {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'a-tls', namespace: NS },
      type: 'kubernetes.io/tls',
      data: {
        'tls.crt': Buffer.from(cert.cert).toString('base64'),
        'tls.key': Buffer.from(cert.key).toString('base64'),
      },
    });
    // No ingressClassName: the server's IngressClass `tutti` is the default class.
    await client.create(`${NET}/namespaces/${NS}/ingresses`, {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: { name: 'two-hosts', namespace: NS },
      spec: {
        tls: [{ hosts: ['a.example'], secretName: 'a-tls' }],
        rules: [rule('a.example', 'a', { number: 80 }), rule('b.example', 'b', { name: 'http' })],
      },
    });
    // The join token only bootstraps node certificates now; the listeners read with the admin credential here
    // (ingress-node.e2e runs them on an agent with its own node certificate).
    nodeClient = new ApiClient({ server: server.url, token: server.token, caPem: server.caPem });
    ingress = await startIngressController({
      client: nodeClient,
      address: '127.0.0.1',
      httpPort: HTTP_PORT,
      httpsPort: HTTPS_PORT,
      defaultCertificate: selfSigned(dir, 'TUTTI DEFAULT CERT'.replaceAll(' ', '-')),
      minSyncPeriodMs: 10,
    });
    await pollUntil('routes for both hosts', async () => ingress.listeners.table().hosts.size === 2, 10_000);
  });

  after(async () => {
    await ingress?.stop();
    for (const b of backends) {
      b.closeAllConnections();
      b.close();
    }
    client?.close();
    nodeClient?.close();
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('tutti server made the default IngressClass tutti', async () => {
    const cls = await client.get<IngressClass>(`${NET}/ingressclasses/tutti`);
    assert.equal(cls.spec?.controller, 'tutti.io/ingress');
    assert.equal(cls.metadata.annotations?.['ingressclass.kubernetes.io/is-default-class'], 'true');
  });

  it('routes two hosts to two Services by the Host header sent to the node address (curl)', async () => {
    // curl runs beside this process (which hosts the listeners): asynchronously.
    const curl = async (host: string) => {
      const { stdout } = await execFileAsync('curl', [
        '-sS',
        '--max-time',
        '10',
        '-H',
        `Host: ${host}`,
        `http://127.0.0.1:${HTTP_PORT}/x?y=1`,
      ]);
      return JSON.parse(stdout) as Record<string, string>;
    };
    const a = await curl('a.example');
    const b = await curl('b.example');
    assert.equal(a.name, 'A');
    assert.equal(b.name, 'B');
    assert.equal(a.path, '/x?y=1');
    assert.equal(a.host, 'a.example');
    assert.equal(a.xfh, 'a.example');
    assert.equal(a.xfp, 'http');
    assert.equal(a.xff, '127.0.0.1');
  });

  it('an unknown host is 404', async () => {
    const r = await get(HTTP_PORT, 'c.example');
    assert.equal(r.status, 404);
  });

  it('HTTPS: SNI a.example gets the Secret certificate, another name the default one', async () => {
    const a = await getTls('a.example', 'a.example');
    assert.equal(a.cn, 'a.example');
    assert.equal(JSON.parse(a.body).name, 'A');
    assert.equal(JSON.parse(a.body).xfp, 'https');
    const b = await getTls('b.example', 'b.example');
    assert.equal(b.cn, 'TUTTI-DEFAULT-CERT');
    assert.equal(JSON.parse(b.body).name, 'B');
  });

  it('passes an upgraded connection (WebSocket-style) through to the backend, both ways', async () => {
    const echoed = await new Promise<string>((resolve, reject) => {
      const req = request({
        host: '127.0.0.1',
        port: HTTP_PORT,
        path: '/ws',
        headers: { host: 'a.example', connection: 'Upgrade', upgrade: 'echo' },
      });
      req.on('upgrade', (res, socket) => {
        assert.equal(res.statusCode, 101);
        socket.once('data', (d: Buffer) => {
          resolve(d.toString());
          socket.destroy();
        });
        socket.write('ping');
      });
      req.on('response', (res) => reject(new Error(`no upgrade: ${res.statusCode}`)));
      req.on('error', reject);
      req.end();
    });
    assert.equal(echoed, 'A:ping');
  });

  it('a change re-routes new requests; a request in flight and a keep-alive connection survive it', async () => {
    const keepAlive = new Agent({ keepAlive: true, maxSockets: 1 });
    const first = await get(HTTP_PORT, 'a.example', '/', keepAlive);
    assert.equal(JSON.parse(first.body).name, 'A');
    const slow = get(HTTP_PORT, 'a.example', '/slow');
    await new Promise((r) => setTimeout(r, 200)); // the slow request is at backend A now
    await client.patch(
      `${NET}/namespaces/${NS}/ingresses/two-hosts`,
      { spec: { rules: [rule('a.example', 'b', { number: 80 }), rule('b.example', 'b', { name: 'http' })] } },
      'merge',
    );
    const moved = await pollUntil(
      'a.example served by B',
      async () => {
        const r = await get(HTTP_PORT, 'a.example', '/', keepAlive);
        return JSON.parse(r.body).name === 'B' ? r : undefined;
      },
      10_000,
      20,
    );
    assert.equal(moved.socket, first.socket, 'the keep-alive connection was reused across the reload');
    const done = await slow;
    assert.equal(done.status, 200);
    assert.deepEqual([JSON.parse(done.body).name, JSON.parse(done.body).path], ['A', '/slow']);
    keepAlive.destroy();
  });

  it('a backend without endpoints is 503', async () => {
    await client.delete(`/apis/discovery.k8s.io/v1/namespaces/${NS}/endpointslices/b-1`);
    await pollUntil('b.example is 503', async () => (await get(HTTP_PORT, 'b.example')).status === 503, 10_000, 20);
  });

  it('status.loadBalancer gets the Ready nodes address', async () => {
    await client.create('/api/v1/nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' } });
    // The node controllers write the new Node too: retry on a conflict.
    await pollUntil(
      'node n1 Ready at 127.0.0.1',
      async () => {
        const node = await client.get<{ metadata: Record<string, unknown> }>('/api/v1/nodes/n1');
        await client.updateStatus('/api/v1/nodes/n1', {
          ...node,
          status: {
            addresses: [{ type: 'InternalIP', address: '127.0.0.1' }],
            conditions: [{ type: 'Ready', status: 'True', lastHeartbeatTime: new Date().toISOString() }],
          },
        } as never);
        return true;
      },
      10_000,
    );
    const ing = await pollUntil(
      'ingress status',
      async () => {
        const i = await client.get<Ingress>(`${NET}/namespaces/${NS}/ingresses/two-hosts`);
        return i.status?.loadBalancer?.ingress?.length ? i : undefined;
      },
      20_000,
    );
    assert.deepEqual(ing.status?.loadBalancer?.ingress, [{ ip: '127.0.0.1' }]);
  });

  it('an Ingress made by kubectl create ingress (as the README shows) routes, and kubectl shows its address', async () => {
    await server.k('create', 'ingress', 'by-kubectl', '--rule=c.example/api*=a:80', '--rule=c.example/exact=a:http');
    const r = await pollUntil(
      'c.example routed',
      async () => {
        const x = await get(HTTP_PORT, 'c.example', '/api/v1');
        return x.status === 200 ? x : undefined;
      },
      10_000,
      50,
    );
    assert.equal(JSON.parse(r.body).name, 'A');
    assert.equal((await get(HTTP_PORT, 'c.example', '/exact')).status, 200);
    assert.equal((await get(HTTP_PORT, 'c.example', '/exact/more')).status, 404, 'Exact is exact');
    assert.equal((await get(HTTP_PORT, 'c.example', '/apis')).status, 404, 'Prefix is per path element');
    const shown = await pollUntil(
      'kubectl shows the address',
      async () => {
        const out = await server.k('get', 'ingress', 'by-kubectl', '--no-headers');
        return out.includes('127.0.0.1') ? out : undefined;
      },
      20_000,
    );
    assert.match(shown, /^by-kubectl\s+<none>\s+c\.example\s+127\.0\.0\.1\s+80\s/);
  });
});

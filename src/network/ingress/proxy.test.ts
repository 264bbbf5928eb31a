// The listeners on loopback with hand-made tables (no API server): round-robin over endpoints, the headers a
// backend gets, 502 for a dead endpoint, 404/503 bodies, and an atomic swap of the table.
import assert from 'node:assert/strict';
import { createServer, request, type Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import type { EndpointSlice, Ingress, Service } from '../../core/types.js';
import { type IngressListeners, startIngressListeners } from './proxy.js';
import { buildRouteTable } from './routes.js';

const PORT = 17220;

function get(host: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port: PORT, path: '/p', headers: { host, ...headers }, agent: false },
      (res) => {
        let body = '';
        res.on('data', (d: Buffer) => {
          body += d.toString();
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

function table(ports: number[], host = 'h.example') {
  const ingress = {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { name: 'i', namespace: 'default' },
    spec: {
      ingressClassName: 'tutti',
      rules: [
        {
          host,
          http: {
            paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 's', port: { number: 80 } } } }],
          },
        },
      ],
    },
  } as Ingress;
  const svc = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 's', namespace: 'default' },
    spec: { ports: [{ port: 80 }] },
  } as Service;
  const slice = {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: 's-1', namespace: 'default', labels: { 'kubernetes.io/service-name': 's' } },
    addressType: 'IPv4',
    ports: [{ port: ports[0], protocol: 'TCP' }],
    endpoints: [{ addresses: ['127.0.0.1'] }],
  } as EndpointSlice;
  // One slice per port (a slice has one port list for all its endpoints).
  const slices = ports.map((p, i) => ({
    ...slice,
    metadata: { ...slice.metadata, name: `s-${i}` },
    ports: [{ port: p, protocol: 'TCP' }],
  }));
  return buildRouteTable({ ingresses: [ingress], classes: [], services: [svc], slices: slices as EndpointSlice[] });
}

describe('ingress listeners', () => {
  const backends: Server[] = [];
  const ports: number[] = [];
  let proxy: IngressListeners;

  before(async () => {
    for (const name of ['one', 'two']) {
      const s = createServer((req, res) =>
        res.end(JSON.stringify({ name, xff: req.headers['x-forwarded-for'], conn: req.headers['x-hop'] ?? null })),
      );
      await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
      backends.push(s);
      ports.push((s.address() as { port: number }).port);
    }
    proxy = await startIngressListeners({ address: '127.0.0.1', httpPort: PORT, httpsPort: null });
  });
  after(async () => {
    await proxy?.stop(100);
    for (const s of backends) s.close();
  });

  it('spreads requests round-robin over the endpoints', async () => {
    proxy.update(table(ports), new Map());
    const names = [];
    for (let i = 0; i < 4; i++) names.push(JSON.parse((await get('h.example')).body).name);
    assert.deepEqual(names.sort(), ['one', 'one', 'two', 'two']);
  });

  it('appends the client to X-Forwarded-For and drops headers named by Connection', async () => {
    proxy.update(table([ports[0]]), new Map());
    const r = JSON.parse(
      (await get('h.example', { 'x-forwarded-for': '192.0.2.9', connection: 'x-hop', 'x-hop': '1' })).body,
    );
    assert.equal(r.xff, '192.0.2.9, 127.0.0.1');
    assert.equal(r.conn, null);
  });

  it('404 without a rule, 503 without endpoints, 502 when the endpoint refuses', async () => {
    proxy.update(table([ports[0]]), new Map());
    assert.equal((await get('other.example')).status, 404);
    proxy.update(table([]), new Map());
    const none = await get('h.example');
    assert.equal(none.status, 503);
    assert.match(none.body, /no-endpoints/);
    const dead = createServer();
    await new Promise<void>((r) => dead.listen(0, '127.0.0.1', r));
    const deadPort = (dead.address() as { port: number }).port;
    await new Promise((r) => dead.close(r));
    proxy.update(table([deadPort]), new Map());
    assert.equal((await get('h.example')).status, 502);
  });

  it('a swapped table applies to the next request', async () => {
    proxy.update(table([ports[1]], 'new.example'), new Map());
    assert.equal((await get('h.example')).status, 404);
    assert.equal(JSON.parse((await get('new.example')).body).name, 'two');
  });
});

// Cluster DNS against a real `tutti server`: Services (with allocated ClusterIPs), selector-less
// Services with their own EndpointSlices and ExternalName Services, queried with dig and with dns-packet
// over UDP and TCP, an outside name through a test upstream on another loopback address, and names still
// answered while the API server is down and after it comes back.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { ApiClient } from '../../client/api-client.js';
import { pollUntil, startTestServer, type TestServer } from '../../e2e/harness.js';
import { type ClusterDns, startClusterDns } from './server.js';
import { queryTcp, queryUdp } from './testing/client.js';
import { loopbackAddress, startTestUpstream, type TestUpstream } from './testing/upstream.js';

const exec = promisify(execFile);

describe('cluster DNS with a real API server', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'tutti-dns-e2e-'));
  const host = loopbackAddress(11);
  let server: TestServer;
  let upstream: TestUpstream;
  let dns: ClusterDns;
  let webIp = '';

  async function dig(...args: string[]): Promise<string> {
    const { stdout } = await exec('dig', [`@${host}`, '-p', String(dns.port), '+time=2', '+tries=1', ...args]);
    return stdout;
  }
  const digShort = async (...args: string[]) => (await dig('+short', ...args)).trim().split('\n').filter(Boolean);
  const status = (out: string) => /status: (\w+)/.exec(out)?.[1];
  const answerCount = (out: string) => Number(/ANSWER: (\d+)/.exec(out)?.[1]);

  async function create(path: string, body: unknown): Promise<Record<string, unknown>> {
    const r = await server.request('POST', path, body);
    assert.equal(r.status, 201, r.body);
    return JSON.parse(r.body) as Record<string, unknown>;
  }

  before(async () => {
    upstream = await startTestUpstream(loopbackAddress(12), {
      'www.example.com': [{ type: 'A', name: 'www.example.com', ttl: 300, data: '192.0.2.10' }],
      'outside.test': [{ type: 'A', name: 'outside.test', ttl: 300, data: '192.0.2.20' }],
    });
    server = await startTestServer({ dataDir });
    const svc = await create('/api/v1/namespaces/default/services', {
      metadata: { name: 'web' },
      spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 8080 }] },
    });
    webIp = (svc.spec as { clusterIP: string }).clusterIP;
    await create('/api/v1/namespaces/default/services', {
      metadata: { name: 'db' },
      spec: { clusterIP: 'None', ports: [{ name: 'pg', port: 5432 }] },
    });
    await create('/apis/discovery.k8s.io/v1/namespaces/default/endpointslices', {
      metadata: { name: 'db-1', labels: { 'kubernetes.io/service-name': 'db' } },
      addressType: 'IPv4',
      endpoints: [
        { addresses: ['10.42.0.5'], hostname: 'pet-0', conditions: { ready: true } },
        { addresses: ['10.42.0.6'], hostname: 'pet-1', conditions: { ready: true } },
        { addresses: ['10.42.0.7'], hostname: 'pet-2', conditions: { ready: false } },
      ],
      ports: [{ name: 'pg', port: 5432, protocol: 'TCP' }],
    });
    await create('/api/v1/namespaces/default/services', {
      metadata: { name: 'ext' },
      spec: { type: 'ExternalName', externalName: 'www.example.com' },
    });
    await create('/api/v1/namespaces/default/services', {
      metadata: { name: 'big' },
      spec: { clusterIP: 'None', ports: [{ name: 'http', port: 80 }] },
    });
    await create('/apis/discovery.k8s.io/v1/namespaces/default/endpointslices', {
      metadata: { name: 'big-1', labels: { 'kubernetes.io/service-name': 'big' } },
      addressType: 'IPv4',
      endpoints: Array.from({ length: 60 }, (_, i) => ({ addresses: [`10.42.1.${i + 1}`] })),
      ports: [{ name: 'http', port: 80, protocol: 'TCP' }],
    });
    dns = await startClusterDns({
      client: ApiClient.fromKubeconfig(server.kubeconfig, { userAgent: 'tutti-dns-test' }),
      address: host,
      port: 0,
      upstreams: [`${upstream.address}:${upstream.port}`],
      upstreamTimeoutMs: 500,
    });
    assert.ok(dns.synced(), 'informers synced');
    assert.ok(dns.port > 1024);
  });

  after(async () => {
    await dns?.stop();
    await upstream?.stop();
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers a Service A record with its ClusterIP (dig and dns-packet, UDP and TCP)', async () => {
    assert.match(webIp, /^10\.43\./);
    assert.deepEqual(await digShort('web.default.svc.cluster.local', 'A'), [webIp]);
    assert.deepEqual(await digShort('+tcp', 'web.default.svc.cluster.local', 'A'), [webIp]);
    const udp = await queryUdp(host, dns.port, 'web.default.svc.cluster.local', 'A');
    const tcp = await queryTcp(host, dns.port, 'web.default.svc.cluster.local', 'A');
    for (const r of [udp, tcp])
      assert.deepEqual(
        r.answers?.map((a) => ('data' in a ? a.data : '')),
        [webIp],
      );
    assert.equal((udp.answers?.[0] as { ttl: number }).ttl, 5);
  });

  it('answers SRV for a named port, with the address in additional', async () => {
    const out = await dig('_http._tcp.web.default.svc.cluster.local', 'SRV');
    assert.match(
      out,
      /_http\._tcp\.web\.default\.svc\.cluster\.local\.\s+5\s+IN\s+SRV\s+0 100 80 web\.default\.svc\.cluster\.local\./,
    );
    assert.match(
      out,
      new RegExp(`web\\.default\\.svc\\.cluster\\.local\\.\\s+5\\s+IN\\s+A\\s+${webIp.replaceAll('.', '\\.')}`),
    );
  });

  it('answers a headless service with its ready endpoints and their hostnames', async () => {
    assert.deepEqual((await digShort('db.default.svc.cluster.local', 'A')).sort(), ['10.42.0.5', '10.42.0.6']);
    assert.deepEqual(await digShort('pet-1.db.default.svc.cluster.local', 'A'), ['10.42.0.6']);
    assert.deepEqual((await digShort('_pg._tcp.db.default.svc.cluster.local', 'SRV')).sort(), [
      '0 50 5432 pet-0.db.default.svc.cluster.local.',
      '0 50 5432 pet-1.db.default.svc.cluster.local.',
    ]);
  });

  it('answers an ExternalName with its CNAME and the target resolved upstream', async () => {
    assert.deepEqual(await digShort('ext.default.svc.cluster.local', 'A'), ['www.example.com.', '192.0.2.10']);
    assert.deepEqual(await digShort('ext.default.svc.cluster.local', 'CNAME'), ['www.example.com.']);
  });

  it('answers PTR for a ClusterIP and an endpoint', async () => {
    assert.deepEqual(await digShort('-x', webIp), ['web.default.svc.cluster.local.']);
    assert.deepEqual(await digShort('-x', '10.42.0.5'), ['pet-0.db.default.svc.cluster.local.']);
  });

  it('tells NXDOMAIN from NODATA', async () => {
    const nx = await dig('nope.default.svc.cluster.local', 'A');
    assert.equal(status(nx), 'NXDOMAIN');
    assert.match(nx, /cluster\.local\.\s+5\s+IN\s+SOA\s+ns\.dns\.cluster\.local\. hostmaster\.cluster\.local\./);
    const nodata = await dig('web.default.svc.cluster.local', 'AAAA');
    assert.equal(status(nodata), 'NOERROR');
    assert.equal(answerCount(nodata), 0);
    assert.match(nodata, /AUTHORITY: 1/);
    assert.equal(status(await dig('nonamespace.svc.cluster.local', 'A')), 'NXDOMAIN');
    assert.equal(status(await dig('default.svc.cluster.local', 'A')), 'NOERROR');
    assert.deepEqual(await digShort('dns-version.cluster.local', 'TXT'), ['"1.1.0"']);
  });

  it('forwards outside names to the upstream resolver', async () => {
    assert.deepEqual(await digShort('outside.test', 'A'), ['192.0.2.20']);
    assert.equal(status(await dig('missing.test', 'A')), 'NXDOMAIN');
    assert.ok(upstream.queries.includes('outside.test A'));
  });

  it('sets TC on a UDP answer too big for 512 bytes, and answers it whole over TCP', async () => {
    const truncated = await dig('+ignore', '+noedns', 'big.default.svc.cluster.local', 'A');
    assert.match(truncated, /flags:[^;]*\btc\b/);
    // dig retries over TCP on TC by itself.
    assert.equal((await digShort('+noedns', 'big.default.svc.cluster.local', 'A')).length, 60);
    const udp = await queryUdp(host, dns.port, 'big.default.svc.cluster.local', 'A');
    assert.equal(udp.flag_tc, true);
    assert.ok(udp.size <= 512);
    const tcp = await queryTcp(host, dns.port, 'big.default.svc.cluster.local', 'A');
    assert.equal(tcp.answers?.length, 60);
  });

  it('keeps answering while the API server is down, and follows changes after it is back', async () => {
    await server.kill9();
    assert.deepEqual(await digShort('web.default.svc.cluster.local', 'A'), [webIp]);
    assert.deepEqual((await digShort('db.default.svc.cluster.local', 'A')).sort(), ['10.42.0.5', '10.42.0.6']);
    assert.equal(status(await dig('nope.default.svc.cluster.local', 'A')), 'NXDOMAIN');
    await new Promise((r) => setTimeout(r, 1500));
    assert.deepEqual(await digShort('web.default.svc.cluster.local', 'A'), [webIp]);
    await server.restart();
    assert.deepEqual(await digShort('web.default.svc.cluster.local', 'A'), [webIp]);
    const svc = await create('/api/v1/namespaces/default/services', {
      metadata: { name: 'late' },
      spec: { ports: [{ name: 'http', port: 80 }] },
    });
    const lateIp = (svc.spec as { clusterIP: string }).clusterIP;
    await pollUntil(
      'the new service in DNS',
      async () => (await digShort('late.default.svc.cluster.local', 'A'))[0] === lateIp,
      30_000,
      200,
    );
  });
});

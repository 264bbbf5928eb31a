// startNodeNetwork against a real `tutti server` (bare API server), DNS only, on loopback: the kube-dns
// Service and this node's EndpointSlice appear, stop() takes the slice away, and a taken DNS port leaves the
// node running without cluster DNS instead of failing. No root needed: the proxy is off, nothing leaves lo.
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { after, before, describe, it } from 'node:test';
import { ApiClient } from '../client/api-client.js';
import type { EndpointSlice, Service } from '../core/types.js';
import { pollUntil, startTestServer, type TestServer } from '../e2e/harness.js';
import { queryUdp } from './dns/testing/client.js';
import { startNodeNetwork } from './node.js';

describe('startNodeNetwork (DNS part) against a real API server', { timeout: 120_000 }, () => {
  let server: TestServer;
  let client: ApiClient;
  const slicePath = '/apis/discovery.k8s.io/v1/namespaces/kube-system/endpointslices';

  before(async () => {
    server = await startTestServer();
    client = new ApiClient({ server: server.url, token: server.token, caPem: server.caPem });
    for (const name of ['n1', 'n2']) {
      await client.create('/api/v1/nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name } });
    }
  });
  after(async () => {
    client?.close();
    await server?.stop();
  });

  it('publishes kube-dns at the 10th service address with this node as endpoint; stop() withdraws it', async () => {
    const net = await startNodeNetwork({
      client,
      nodeName: 'n1',
      nodeIP: '127.0.0.1',
      dnsPort: 0,
      disableProxy: true,
      resolvConf: '/dev/null',
      log: () => {},
    });
    try {
      assert.ok(net.dns);
      const svc = await client.get<Service>('/api/v1/namespaces/kube-system/services/kube-dns');
      assert.equal(svc.spec?.clusterIP, '10.43.0.10');
      const slice = await client.get<EndpointSlice>(`${slicePath}/kube-dns-n1`);
      assert.deepEqual(slice.endpoints[0].addresses, ['127.0.0.1']);
      assert.equal(slice.ports?.[0].port, net.dns.port);
      assert.equal(slice.metadata.ownerReferences?.[0].kind, 'Node');
      // The listener answers for the Service it published (once its informers have it).
      await pollUntil(
        'kube-dns resolves',
        async () => {
          const r = await queryUdp('127.0.0.1', net.dns!.port, 'kube-dns.kube-system.svc.cluster.local', 'A');
          return r.answers?.some((a) => (a as { data?: unknown }).data === '10.43.0.10');
        },
        10_000,
      );
    } finally {
      await net.stop();
    }
    await assert.rejects(client.get(`${slicePath}/kube-dns-n1`), (err: { code?: number }) => err.code === 404);
  });

  it('a taken DNS port: the node runs on without cluster DNS and publishes no endpoint', async () => {
    const squatter = createSocket('udp4');
    await new Promise<void>((r) => squatter.bind(0, '127.0.0.1', () => r()));
    const errors: string[] = [];
    const net = await startNodeNetwork({
      client,
      nodeName: 'n2',
      nodeIP: '127.0.0.1',
      dnsPort: squatter.address().port,
      disableProxy: true,
      resolvConf: '/dev/null',
      log: (msg, f) => {
        if (f?.level === 'error') errors.push(msg);
      },
    });
    try {
      assert.equal(net.dns, undefined);
      assert.deepEqual(errors, ['cluster DNS NOT started on this node']);
      await assert.rejects(client.get(`${slicePath}/kube-dns-n2`), (err: { code?: number }) => err.code === 404);
    } finally {
      await net.stop();
      squatter.close();
    }
  });
});

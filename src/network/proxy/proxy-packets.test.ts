// Real packets through the proxy's rules: a node namespace with a pod bridge, three pods, a client on its
// own link, the proxy running inside the node namespace (as in an agent) against a real `tutti server`
// holding the Services and the EndpointSlices this test writes. Needs root; skipped otherwise.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ApiClient, resourcePath } from '../../client/index.js';
import { type EndpointSlice, resources, type Service } from '../../core/index.js';
import { pollUntil, startTestServer, type TestServer } from '../../e2e/harness.js';
import { canRunNetnsTests, ECHO_SERVER, inNs, type Pod, PROBE, ProxyLab, RUN_PROXY } from './testing/netns.js';

const skip = canRunNetnsTests();

interface ProbeResult {
  ok: boolean;
  body?: string;
  error?: string;
  ms: number;
}

describe('service proxy with real packets', { skip, timeout: 240_000 }, () => {
  const lab = new ProxyLab('tpx');
  const L = lab.layout;
  let server: TestServer;
  let client: ApiClient;
  let podA: Pod;
  let podB: Pod;
  let podC: Pod;
  let tmp: string;
  let proxyDone: Promise<number | null>;

  const probe = (ns: string, proto: 'tcp' | 'udp', host: string, port: number, count = 1, timeoutMs = 3000) => {
    const r = inNs(ns, process.execPath, [PROBE, proto, host, String(port), String(count), String(timeoutMs)]);
    return r.out
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as ProbeResult);
  };
  const bodies = (rs: ProbeResult[]) => rs.map((r) => (r.ok ? r.body!.split(' ')[0] : r.error));
  const nodeNft = (...args: string[]) => inNs(L.node, 'nft', args);

  const create = async (path: string, obj: unknown) => client.requestJson('POST', path, undefined, JSON.stringify(obj));
  const service = (name: string, spec: Service['spec']): Service => ({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: 'default' },
    spec,
  });
  const slice = (
    svc: string,
    endpoints: { ip: string; node?: string; ready?: boolean }[],
    ports: { name: string; port: number; protocol?: string }[],
  ): EndpointSlice => ({
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: `${svc}-1`, namespace: 'default', labels: { 'kubernetes.io/service-name': svc } },
    addressType: 'IPv4',
    endpoints: endpoints.map((e) => ({
      addresses: [e.ip],
      nodeName: e.node ?? L.node,
      conditions: { ready: e.ready ?? true },
    })),
    ports,
  });
  const svcPath = resourcePath(resources.services, { namespace: 'default' });
  const slicePath = resourcePath(resources.endpointslices, { namespace: 'default' });
  const clusterIP = async (name: string) => (await client.get<Service>(`${svcPath}/${name}`)).spec!.clusterIP!;
  /** Waits until the proxy programmed `key` into map `map` of the node's table. */
  const programmed = (map: string, key: string) =>
    pollUntil(
      `${key} in ${map}`,
      async () => nodeNft('get', 'element', 'ip', 'tutti-proxy', map, `{ ${key} }`).code === 0,
      10_000,
      50,
    );

  before(async () => {
    lab.setUp();
    podA = lab.addPod('a', '10.42.0.2');
    podB = lab.addPod('b', '10.42.0.3');
    podC = lab.addPod('c', '10.42.0.4');
    server = await startTestServer({
      args: ['--bind-address', L.apiHostIP, '--advertise-address', L.apiHostIP, '--service-cidr', L.serviceCidr],
    });
    client = new ApiClient({ server: server.url, token: server.token, caPem: server.caPem });
    for (const pod of [podA, podB]) {
      await lab.spawnIn(
        pod.ns,
        process.execPath,
        [ECHO_SERVER, pod.ns.split('-').pop()!, '--tcp', '8080', '--udp', '5353'],
        'ready',
      );
    }
    tmp = mkdtempSync(join(tmpdir(), 'tutti-proxy-test-'));
    const cfgFile = join(tmp, 'proxy.json');
    writeFileSync(
      cfgFile,
      JSON.stringify({
        server: server.url,
        token: server.token,
        caPem: server.caPem,
        node: {
          name: L.node,
          ips: [L.nodeIP],
          clusterCidr: L.clusterCidr,
          serviceCidr: L.serviceCidr,
        },
        minSyncPeriodMs: 10,
      }),
    );
    const proxy = await lab.spawnIn(L.node, process.execPath, [RUN_PROXY, cfgFile], '"ready"');
    proxy.stderr!.on('data', (d: Buffer) => process.env.PROXY_TEST_LOG && process.stderr.write(d));
    proxyDone = new Promise((resolve) => proxy.once('exit', (code) => resolve(code)));
  });

  after(async () => {
    client?.close();
    await server?.stop();
    await lab.cleanup();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('routes the service CIDR locally on the node before any ClusterIP traffic', () => {
    const r = inNs(L.node, 'ip', ['route', 'get', '10.43.200.200']);
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /dev tutti-svc/);
    assert.doesNotMatch(r.out, / via /);
    assert.equal(nodeNft('list', 'table', 'ip', 'tutti-proxy').code, 0);
  });

  it('load-balances a ClusterIP over two endpoints, TCP and UDP', async () => {
    await create(
      svcPath,
      service('web', {
        ports: [
          { name: 'http', port: 80, protocol: 'TCP' },
          { name: 'dns', port: 53, protocol: 'UDP' },
        ],
        externalIPs: ['198.18.5.5'],
      }),
    );
    await create(
      slicePath,
      slice(
        'web',
        [{ ip: podA.ip }, { ip: podB.ip }],
        [
          { name: 'http', port: 8080, protocol: 'TCP' },
          { name: 'dns', port: 5353, protocol: 'UDP' },
        ],
      ),
    );
    const vip = await clusterIP('web');
    await programmed('service-ips', `${vip} . tcp . 80`);
    await programmed('service-ips', `${vip} . udp . 53`);
    const tcp = bodies(probe(podC.ns, 'tcp', vip, 80, 30));
    assert.ok(tcp.includes('a') && tcp.includes('b'), `both endpoints answer: ${tcp.join(' ')}`);
    assert.ok(
      tcp.every((b) => b === 'a' || b === 'b'),
      tcp.join(' '),
    );
    const udp = bodies(probe(podC.ns, 'udp', vip, 53, 30));
    assert.ok(udp.includes('a') && udp.includes('b'), `both endpoints answer UDP: ${udp.join(' ')}`);
    // Pod traffic keeps its source address (no masquerade inside the cluster).
    assert.match(probe(podC.ns, 'tcp', vip, 80)[0].body!, / 10\.42\.0\.4$/);
  });

  it('answers an ExternalIP from the client namespace', async () => {
    await programmed('service-ips', '198.18.5.5 . tcp . 80');
    const r = bodies(probe(L.client, 'tcp', '198.18.5.5', 80, 10));
    assert.ok(
      r.every((b) => b === 'a' || b === 'b'),
      r.join(' '),
    );
  });

  it('answers a NodePort from the client namespace (masqueraded: externalTrafficPolicy Cluster)', async () => {
    await create(svcPath, service('np', { type: 'NodePort', ports: [{ name: 'http', port: 80, nodePort: 30080 }] }));
    await create(slicePath, slice('np', [{ ip: podA.ip }], [{ name: 'http', port: 8080 }]));
    await programmed('service-nodeports', 'tcp . 30080');
    const [r] = probe(L.client, 'tcp', L.nodeIP, 30080);
    assert.ok(r.ok, JSON.stringify(r));
    assert.equal(r.body, `a ${L.bridgeIP}`, 'Cluster policy masquerades to the node');
  });

  it('keeps the client source IP with externalTrafficPolicy Local, and the health check port answers 200/503', async () => {
    await create(
      svcPath,
      service('local', {
        type: 'LoadBalancer',
        externalTrafficPolicy: 'Local',
        healthCheckNodePort: 31990,
        ports: [{ name: 'http', port: 80, nodePort: 30081 }],
      }),
    );
    const lb = await client.get<Service>(`${svcPath}/local`);
    lb.status = { loadBalancer: { ingress: [{ ip: '198.18.6.6' }] } };
    await client.requestJson('PUT', `${svcPath}/local/status`, undefined, JSON.stringify(lb));
    await create(slicePath, slice('local', [{ ip: podB.ip }], [{ name: 'http', port: 8080 }]));
    await programmed('service-nodeports', 'tcp . 30081');
    await programmed('service-ips', '198.18.6.6 . tcp . 80');
    const [viaNodePort] = probe(L.client, 'tcp', L.nodeIP, 30081);
    assert.equal(viaNodePort.body, `b ${L.clientIP}`, JSON.stringify(viaNodePort));
    const [viaLb] = probe(L.client, 'tcp', '198.18.6.6', 80);
    assert.equal(viaLb.body, `b ${L.clientIP}`, JSON.stringify(viaLb));
    const hc = await pollUntil(
      'health check 200',
      async () => {
        const r = inNs(L.client, 'curl', ['-s', '-m', '2', '-w', '\\n%{http_code}', `http://${L.nodeIP}:31990/`]);
        return r.out.endsWith('200') ? r.out : undefined;
      },
      10_000,
    );
    const body = JSON.parse(hc.slice(0, hc.lastIndexOf('\n')));
    assert.deepEqual(body, {
      service: { namespace: 'default', name: 'local' },
      localEndpoints: 1,
      serviceProxyHealthy: true,
    });

    // Only a remote endpoint: the node answers 503 and drops external traffic (a load balancer would skip it).
    await create(
      svcPath,
      service('remote', {
        type: 'LoadBalancer',
        externalTrafficPolicy: 'Local',
        healthCheckNodePort: 31991,
        ports: [{ name: 'http', port: 80, nodePort: 30082 }],
      }),
    );
    await create(slicePath, slice('remote', [{ ip: '10.42.9.9', node: 'elsewhere' }], [{ name: 'http', port: 8080 }]));
    const unavailable = await pollUntil(
      'health check 503',
      async () => {
        const r = inNs(L.client, 'curl', ['-s', '-m', '2', '-w', '\\n%{http_code}', `http://${L.nodeIP}:31991/`]);
        return r.out.endsWith('503') ? r.out : undefined;
      },
      10_000,
    );
    assert.match(unavailable, /"localEndpoints": 0/);
  });

  it('keeps a client on one endpoint with sessionAffinity ClientIP', async () => {
    await create(
      svcPath,
      service('sticky', {
        sessionAffinity: 'ClientIP',
        sessionAffinityConfig: { clientIP: { timeoutSeconds: 600 } },
        ports: [{ name: 'http', port: 80 }],
      }),
    );
    await create(slicePath, slice('sticky', [{ ip: podA.ip }, { ip: podB.ip }], [{ name: 'http', port: 8080 }]));
    const vip = await clusterIP('sticky');
    await programmed('service-ips', `${vip} . tcp . 80`);
    const r = bodies(probe(podC.ns, 'tcp', vip, 80, 15));
    assert.equal(new Set(r).size, 1, `one endpoint for one client: ${r.join(' ')}`);
    assert.ok(r[0] === 'a' || r[0] === 'b');
  });

  it('rejects a service without endpoints at once (connection refused, not a timeout)', async () => {
    await create(svcPath, service('empty', { ports: [{ name: 'http', port: 80 }] }));
    const vip = await clusterIP('empty');
    await programmed('no-endpoint-services', `${vip} . tcp . 80`);
    const [r] = probe(podC.ns, 'tcp', vip, 80, 1, 5000);
    assert.equal(r.error, 'ECONNREFUSED', JSON.stringify(r));
    assert.ok(r.ms < 1000, `refused in ${r.ms} ms`);
    const [fromNode] = probe(L.node, 'tcp', vip, 80, 1, 5000);
    assert.equal(fromNode.error, 'ECONNREFUSED', JSON.stringify(fromNode));
  });

  it('rejects an address of the service CIDR that no Service owns, from a pod and from the node', () => {
    const [r] = probe(podC.ns, 'tcp', '10.43.200.200', 80, 1, 5000);
    assert.equal(r.error, 'ECONNREFUSED', JSON.stringify(r));
    const [u] = probe(podC.ns, 'udp', '10.43.200.200', 53, 1, 5000);
    assert.equal(u.error, 'ECONNREFUSED', JSON.stringify(u));
    const [n] = probe(L.node, 'tcp', '10.43.200.201', 80, 1, 5000);
    assert.equal(n.error, 'ECONNREFUSED', JSON.stringify(n));
  });

  it('lets an endpoint reach itself through its ClusterIP (hairpin)', async () => {
    const vip = await clusterIP('web');
    const r = bodies(probe(podA.ns, 'tcp', vip, 80, 20));
    assert.ok(r.includes('a'), `pod a reached itself: ${r.join(' ')}`);
    assert.ok(
      r.every((b) => b === 'a' || b === 'b'),
      r.join(' '),
    );
  });

  it('reaches a ClusterIP from the node itself', async () => {
    const vip = await clusterIP('web');
    const r = bodies(probe(L.node, 'tcp', vip, 80, 6));
    assert.ok(
      r.every((b) => b === 'a' || b === 'b'),
      r.join(' '),
    );
  });

  it('removes the rules of a deleted Service', async () => {
    const vip = await clusterIP('web');
    await client.requestJson('DELETE', `${svcPath}/web`);
    await pollUntil(
      'web gone from the table',
      async () => !nodeNft('list', 'table', 'ip', 'tutti-proxy').out.includes('default/web'),
      10_000,
      50,
    );
    const table = nodeNft('list', 'table', 'ip', 'tutti-proxy').out;
    assert.ok(!table.includes(`${vip} . tcp . 80`), 'no element for the deleted ClusterIP');
    const [r] = probe(podC.ns, 'tcp', vip, 80, 1, 5000);
    assert.equal(r.error, 'ECONNREFUSED', JSON.stringify(r));
  });

  it('removes its table and route when stopped', async () => {
    const proxy = lab.processes.find((p) => p.spawnargs.includes(RUN_PROXY))!;
    proxy.kill('SIGTERM');
    assert.equal(await proxyDone, 0);
    assert.notEqual(nodeNft('list', 'table', 'ip', 'tutti-proxy').code, 0, 'table removed');
    assert.doesNotMatch(inNs(L.node, 'ip', ['route', 'show']).out, /10\.43\.0\.0\/16/);
    assert.notEqual(inNs(L.node, 'ip', ['link', 'show', 'tutti-svc']).code, 0, 'device removed');
  });
});

// The `default/kubernetes` Service's Endpoints and EndpointSlice against a real `tutti server` (issue 10): the
// server writes both at start from its advertise address and secure port, and a restart on the same data dir
// with another address and port moves them (upstream's apiserver endpoint reconciler). Endpoints a user writes
// for a selector-less Service are mirrored into EndpointSlices by the controller manager. No root needed.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { EndpointSlice, Endpoints, Service } from '../core/types.js';
import { pollUntil, type TestServer, startTestServer } from './harness.js';

async function getJson<T>(server: TestServer, path: string): Promise<T> {
  const r = await server.request('GET', path);
  assert.equal(r.status, 200, `GET ${path}: ${r.body}`);
  return JSON.parse(r.body) as T;
}

describe('the kubernetes Service endpoints follow the server', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'h7-kubesvc-'));
  let server: TestServer | undefined;
  after(async () => {
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const check = async (s: TestServer, address: string, port: number) => {
    const slice = await getJson<EndpointSlice>(
      s,
      '/apis/discovery.k8s.io/v1/namespaces/default/endpointslices/kubernetes',
    );
    assert.equal(slice.metadata.labels?.['kubernetes.io/service-name'], 'kubernetes');
    assert.equal(slice.addressType, 'IPv4');
    assert.deepEqual(
      slice.endpoints.map((e) => [e.addresses, e.conditions?.ready]),
      [[[address], true]],
    );
    assert.deepEqual(slice.ports, [{ name: 'https', port, protocol: 'TCP' }]);
    const ep = await getJson<Endpoints>(s, '/api/v1/namespaces/default/endpoints/kubernetes');
    assert.equal(ep.metadata.labels?.['endpointslice.kubernetes.io/skip-mirror'], 'true');
    assert.deepEqual(ep.subsets, [{ addresses: [{ ip: address }], ports: [{ name: 'https', port, protocol: 'TCP' }] }]);
    const svc = await getJson<Service>(s, '/api/v1/namespaces/default/services/kubernetes');
    assert.deepEqual(
      svc.spec?.ports?.map((p) => [p.name, p.port, p.targetPort]),
      [['https', 443, port]],
    );
    // kubectl sees the slice as users expect it
    const out = await s.k('get', 'endpointslices', '-n', 'default', '-l', 'kubernetes.io/service-name=kubernetes');
    assert.match(out, new RegExp(`^kubernetes\\s+IPv4\\s+${port}\\s+${address.replace(/\./g, '\\.')}\\s`, 'm'));
  };

  it('has the slice at start and moves it with --advertise-address and --port on restart', async () => {
    server = await startTestServer({ dataDir, args: ['--advertise-address', '127.0.0.2', '--port', '17701'] });
    await check(server, '127.0.0.2', 17701);
    const first = await getJson<EndpointSlice>(
      server,
      '/apis/discovery.k8s.io/v1/namespaces/default/endpointslices/kubernetes',
    );
    await server.stop();

    // Same address and port: nothing is rewritten.
    server = await startTestServer({ dataDir, args: ['--advertise-address', '127.0.0.2', '--port', '17701'] });
    const again = await getJson<EndpointSlice>(
      server,
      '/apis/discovery.k8s.io/v1/namespaces/default/endpointslices/kubernetes',
    );
    assert.equal(again.metadata.resourceVersion, first.metadata.resourceVersion);
    await server.stop();

    server = await startTestServer({ dataDir, args: ['--advertise-address', '127.0.0.3', '--port', '17702'] });
    await check(server, '127.0.0.3', 17702);
    const moved = await getJson<EndpointSlice>(
      server,
      '/apis/discovery.k8s.io/v1/namespaces/default/endpointslices/kubernetes',
    );
    assert.equal(moved.metadata.uid, first.metadata.uid, 'the slice is updated, not re-created');
  });
});

describe('user-written Endpoints of a selector-less Service are mirrored into EndpointSlices', () => {
  let server: TestServer | undefined;
  after(async () => {
    await server?.stop();
  });
  type SliceList = { items: EndpointSlice[] };
  const mirrored = async (s: TestServer, name: string) =>
    (
      await getJson<SliceList>(
        s,
        `/apis/discovery.k8s.io/v1/namespaces/default/endpointslices?labelSelector=${encodeURIComponent(
          `kubernetes.io/service-name=${name},endpointslice.kubernetes.io/managed-by=endpointslicemirroring-controller.k8s.io`,
        )}`,
      )
    ).items;
  const endpointsYaml = (ips: string[]) => `apiVersion: v1
kind: Endpoints
metadata: {name: external-db, labels: {team: data}}
subsets:
- addresses: [${ips.map((ip) => `{ip: ${ip}}`).join(', ')}]
  notReadyAddresses: [{ip: 127.0.0.99}]
  ports: [{name: pg, port: 5432, protocol: TCP}]
`;

  it('creates, follows and removes the mirrored slice; the kubernetes Endpoints is not mirrored', async () => {
    server = await startTestServer({ controlPlane: true, args: ['--port', '17703'] });
    const s = server;
    await s.kubectl(['apply', '-f', '-'], {
      input: `apiVersion: v1
kind: Service
metadata: {name: external-db}
spec:
  ports: [{name: pg, port: 5432, targetPort: 5432}]
---
${endpointsYaml(['127.0.0.10', '127.0.0.11'])}`,
    });
    const ep = await getJson<Endpoints>(s, '/api/v1/namespaces/default/endpoints/external-db');
    const [slice] = await pollUntil(
      'the mirrored slice',
      async () => {
        const l = await mirrored(s, 'external-db');
        return l.length === 1 && l;
      },
      20_000,
    );
    assert.equal(slice!.addressType, 'IPv4');
    assert.equal(slice!.metadata.labels?.team, 'data');
    assert.deepEqual(slice!.ports, [{ name: 'pg', port: 5432, protocol: 'TCP' }]);
    assert.deepEqual(
      slice!.endpoints.map((e) => [e.addresses[0], e.conditions?.ready]),
      [
        ['127.0.0.10', true],
        ['127.0.0.11', true],
        ['127.0.0.99', false],
      ],
    );
    assert.deepEqual(
      slice!.metadata.ownerReferences?.map((o) => [o.kind, o.name, o.uid, o.controller]),
      [['Endpoints', 'external-db', ep.metadata.uid, true]],
    );
    // The user edits the Endpoints: the same slice follows.
    await s.kubectl(['apply', '-f', '-'], { input: endpointsYaml(['127.0.0.12']) });
    await pollUntil(
      'the slice follows the edit',
      async () => {
        const l = await mirrored(s, 'external-db');
        return (
          l.length === 1 &&
          l[0]!.metadata.uid === slice!.metadata.uid &&
          l[0]!.endpoints
            .filter((e) => e.conditions?.ready)
            .map((e) => e.addresses[0])
            .join() === '127.0.0.12'
        );
      },
      20_000,
    );
    assert.deepEqual(await mirrored(s, 'kubernetes'), [], 'default/kubernetes carries skip-mirror');
    // The Endpoints removed: its slice goes with it.
    await s.k('delete', 'endpoints', 'external-db');
    await pollUntil('the mirrored slice is gone', async () => (await mirrored(s, 'external-db')).length === 0, 20_000);
  });
});

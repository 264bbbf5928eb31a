import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mkPod, svc } from '../shared/testing/service-fixtures.js';
import { computeEndpointSubsets } from './compute.js';

test('ready and not-ready addresses, named target ports resolved per pod, skipped pods', () => {
  const pods = [
    mkPod('a', '10.42.0.3', true, { port: 8080 }),
    mkPod('b', '10.42.0.2', false, { port: 8080 }),
    mkPod('c', '10.42.0.4', true, { port: 8081 }),
    mkPod('noip', undefined, true, { port: 8080 }),
    mkPod('done', '10.42.0.9', true, { port: 8080, phase: 'Succeeded' }),
    mkPod('going', '10.42.0.8', true, { port: 8080, deleting: true }),
    mkPod('other', '10.42.0.7', true, { port: 8080, app: 'db' }),
  ];
  const subsets = computeEndpointSubsets(svc, pods);
  assert.equal(subsets.length, 2);
  const s8080 = subsets.find((s) => s.ports.some((p) => p.port === 8080))!;
  assert.deepEqual(s8080.ports, [
    { port: 8080, protocol: 'TCP', name: 'http' },
    { port: 9090, protocol: 'TCP', name: 'metrics' },
  ]);
  assert.deepEqual(
    s8080.addresses?.map((a) => a.ip),
    ['10.42.0.3'],
  );
  assert.deepEqual(
    s8080.notReadyAddresses?.map((a) => a.ip),
    ['10.42.0.2'],
  );
  assert.deepEqual(s8080.addresses?.[0]?.targetRef, { kind: 'Pod', namespace: 'ns', name: 'a', uid: 'uid-a' });
  assert.equal(s8080.addresses?.[0]?.nodeName, 'n1');
  const s8081 = subsets.find((s) => s.ports.some((p) => p.port === 8081))!;
  assert.deepEqual(
    s8081.addresses?.map((a) => a.ip),
    ['10.42.0.4'],
  );
  // publishNotReadyAddresses puts everyone in addresses.
  const all = computeEndpointSubsets({ ...svc, spec: { ...svc.spec, publishNotReadyAddresses: true } }, pods);
  assert.equal(all.find((s) => s.ports.some((p) => p.port === 8080))?.addresses?.length, 2);
});

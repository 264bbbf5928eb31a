import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Endpoints, Service } from '../core/types.js';
import { kubernetesEndpointObjects, kubernetesServiceUpdate, reconciledObject } from './bootstrap.js';

describe('kubernetes Service endpoints (pure)', () => {
  it('builds the Endpoints (skip-mirror) and the slice from address and port', () => {
    const { endpoints, slice } = kubernetesEndpointObjects('192.0.2.7', 6443);
    assert.equal(endpoints.metadata.labels?.['endpointslice.kubernetes.io/skip-mirror'], 'true');
    assert.deepEqual(endpoints.subsets, [
      { addresses: [{ ip: '192.0.2.7' }], ports: [{ name: 'https', port: 6443, protocol: 'TCP' }] },
    ]);
    assert.equal(slice.metadata.name, 'kubernetes');
    assert.deepEqual(slice.metadata.labels, { 'kubernetes.io/service-name': 'kubernetes' });
    assert.equal(slice.addressType, 'IPv4');
    assert.deepEqual(slice.endpoints, [{ addresses: ['192.0.2.7'], conditions: { ready: true } }]);
    assert.deepEqual(slice.ports, [{ name: 'https', port: 6443, protocol: 'TCP' }]);
    assert.equal(kubernetesEndpointObjects('fd00::1', 6443).slice.addressType, 'IPv6');
  });

  it('updates only what differs and keeps other labels', () => {
    const desired = kubernetesEndpointObjects('192.0.2.7', 6443).endpoints;
    const stored: Endpoints = {
      ...desired,
      metadata: {
        ...desired.metadata,
        uid: 'u1',
        resourceVersion: '5',
        labels: { ...desired.metadata.labels, x: 'y' },
      },
    };
    assert.equal(reconciledObject(stored, desired, ['subsets']), undefined);
    const old: Endpoints = {
      ...kubernetesEndpointObjects('192.0.2.8', 6443).endpoints,
      metadata: { name: 'kubernetes', namespace: 'default', uid: 'u1', resourceVersion: '5' },
    };
    const upd = reconciledObject(old, desired, ['subsets'])!;
    assert.equal(upd.metadata.uid, 'u1');
    assert.equal(upd.metadata.resourceVersion, '5');
    assert.equal(upd.metadata.labels?.['endpointslice.kubernetes.io/skip-mirror'], 'true');
    assert.deepEqual(upd.subsets, desired.subsets);
    // only the label missing (an Endpoints written before this server version) is an update too
    const unlabeled: Endpoints = { ...desired, metadata: { name: 'kubernetes', namespace: 'default' } };
    assert.ok(reconciledObject(unlabeled, desired, ['subsets']));
  });

  it('moves the Service targetPort to the secure port', () => {
    const svc: Service = {
      metadata: { name: 'kubernetes', namespace: 'default' },
      spec: { clusterIP: '10.43.0.1', ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: 6443 }] },
    };
    assert.equal(kubernetesServiceUpdate(svc, 6443), undefined);
    const upd = kubernetesServiceUpdate(svc, 7443)!;
    assert.equal(upd.spec?.clusterIP, '10.43.0.1');
    assert.deepEqual(upd.spec?.ports, [{ name: 'https', port: 443, protocol: 'TCP', targetPort: 7443 }]);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { EndpointSlice, Endpoints, Service } from '../../core/index.js';
import { MAX_ENDPOINTS_PER_SUBSET, mirroredGroups, planMirroredSlices, shouldMirror } from './compute.js';

const svc = (selector?: Record<string, string>): Service => ({
  metadata: { name: 'db', namespace: 'ns' },
  spec: { ports: [{ name: 'pg', port: 5432 }], ...(selector ? { selector } : {}) },
});
const ep = (subsets: Endpoints['subsets'], labels?: Record<string, string>): Endpoints => ({
  metadata: {
    name: 'db',
    namespace: 'ns',
    uid: 'ep-uid',
    labels: { team: 'a', ...labels },
    annotations: { note: 'x', 'kubectl.kubernetes.io/last-applied-configuration': '{}' },
  },
  subsets,
});
const pg = [{ name: 'pg', port: 5432, protocol: 'TCP' }];

describe('EndpointSlice mirroring (pure)', () => {
  it('mirrors only selector-less Services without skip-mirror or the leader annotation', () => {
    const e = ep([{ addresses: [{ ip: '10.0.0.1' }], ports: pg }]);
    assert.equal(shouldMirror(svc(), e), true);
    assert.equal(shouldMirror(svc({}), e), true);
    assert.equal(shouldMirror(svc({ app: 'db' }), e), false);
    assert.equal(shouldMirror(undefined, e), false);
    assert.equal(shouldMirror(svc(), undefined), false);
    assert.equal(shouldMirror(svc(), ep(e.subsets, { 'endpointslice.kubernetes.io/skip-mirror': 'true' })), false);
    const leader = ep(e.subsets);
    leader.metadata.annotations = { 'control-plane.alpha.kubernetes.io/leader': '{}' };
    assert.equal(shouldMirror(svc(), leader), false);
  });

  it('one slice per family and port list; ready and not-ready addresses; non-IPs dropped', () => {
    const groups = [
      ...mirroredGroups(
        ep([
          {
            addresses: [{ ip: '10.0.0.1', nodeName: 'n1', hostname: 'h1' }, { ip: 'fd00::1' }, { ip: 'not-an-ip' }],
            notReadyAddresses: [{ ip: '10.0.0.2' }],
            ports: pg,
          },
          { addresses: [{ ip: '10.0.0.3' }, { ip: '10.0.0.1' }], ports: pg },
          { addresses: [{ ip: '10.0.0.9' }], ports: [{ name: 'admin', port: 9000, protocol: 'TCP' }] },
        ]),
      ).values(),
    ];
    assert.deepEqual(
      groups.map((g) => [
        g.addressType,
        g.ports.map((p) => p.port),
        g.endpoints.map((e) => [e.addresses[0], e.conditions?.ready]),
      ]),
      [
        [
          'IPv4',
          [5432],
          [
            ['10.0.0.1', true],
            ['10.0.0.2', false],
            ['10.0.0.3', true],
          ],
        ],
        ['IPv6', [5432], [['fd00::1', true]]],
        ['IPv4', [9000], [['10.0.0.9', true]]],
      ],
    );
    assert.deepEqual(groups[0]!.endpoints[0], {
      addresses: ['10.0.0.1'],
      conditions: { ready: true },
      hostname: 'h1',
      nodeName: 'n1',
    });
  });

  it('caps a subset at 1000 addresses, ready ones first', () => {
    const many = Array.from({ length: 1200 }, (_, i) => ({ ip: `10.1.${i >> 8}.${i & 255}` }));
    const [g] = [
      ...mirroredGroups(
        ep([{ addresses: many.slice(0, 900), notReadyAddresses: many.slice(900), ports: pg }]),
      ).values(),
    ];
    assert.equal(g!.endpoints.length, MAX_ENDPOINTS_PER_SUBSET);
    assert.equal(g!.endpoints.filter((e) => e.conditions?.ready).length, 900);
  });

  it('creates owned, labelled slices, updates a changed one in place and deletes what no group needs', () => {
    const e = ep([{ addresses: [{ ip: '10.0.0.1' }], ports: pg }]);
    const first = planMirroredSlices(e, []);
    assert.equal(first.create.length, 1);
    const s = first.create[0]!;
    assert.equal(s.metadata.generateName, 'db-');
    assert.deepEqual(s.metadata.labels, {
      team: 'a',
      'kubernetes.io/service-name': 'db',
      'endpointslice.kubernetes.io/managed-by': 'endpointslicemirroring-controller.k8s.io',
    });
    assert.deepEqual(s.metadata.annotations, { note: 'x' });
    assert.deepEqual(s.metadata.ownerReferences, [
      { apiVersion: 'v1', kind: 'Endpoints', name: 'db', uid: 'ep-uid', controller: true, blockOwnerDeletion: true },
    ]);
    assert.deepEqual(s.ports, [{ name: 'pg', port: 5432, protocol: 'TCP' }]);
    const stored: EndpointSlice = { ...s, metadata: { ...s.metadata, name: 'db-abcde', uid: 's1' } };
    assert.deepEqual(planMirroredSlices(e, [stored]), { create: [], update: [], delete: [] });
    const moved = planMirroredSlices(ep([{ addresses: [{ ip: '10.0.0.7' }], ports: pg }]), [stored]);
    assert.equal(moved.update.length, 1);
    assert.equal(moved.update[0]!.metadata.name, 'db-abcde');
    assert.deepEqual(moved.update[0]!.endpoints, [{ addresses: ['10.0.0.7'], conditions: { ready: true } }]);
    const portChanged = planMirroredSlices(ep([{ addresses: [{ ip: '10.0.0.1' }], ports: [{ port: 6000 }] }]), [
      stored,
    ]);
    assert.equal(portChanged.create.length, 1);
    assert.deepEqual(portChanged.delete, [stored]);
    assert.deepEqual(planMirroredSlices(ep([]), [stored]).delete, [stored]);
  });
});

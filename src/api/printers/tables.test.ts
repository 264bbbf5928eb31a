import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CATALOG } from '../catalog.js';
import type { KubeObject } from '../../core/types.js';
import { eventTable } from './events.js';
import { hpaTable } from './hpa.js';
import { defaultTable, tableFor, tableOrDefault } from './index.js';
import { nodeTable } from './nodes.js';
import { endpointSliceTable, endpointsTable, serviceTable } from './services.js';
import { configMapTable, leaseTable, namespaceTable, secretTable, serviceAccountTable } from './simple.js';

const now = Date.parse('2024-05-01T12:00:00Z');
const meta = { name: 'x', namespace: 'default', creationTimestamp: '2024-05-01T11:00:00Z' };

describe('tableFor', () => {
  it('has a printer for every built-in kind, and row width equals column count', () => {
    // Create-only kinds (TokenReview) are never listed or read, so never printed.
    for (const r of CATALOG.filter((c) => c.verbs.includes('get'))) {
      const table = tableFor(r.group, r.kind);
      assert.ok(table, `${r.group}/${r.kind}`);
      assert.equal(table.row({ metadata: {} }, now).length, table.columns.length, `${r.group}/${r.kind}`);
    }
    assert.equal(tableFor('example.com', 'Widget'), undefined);
    assert.equal(tableOrDefault('example.com', 'Widget').columns[1]!.name, 'Created At');
  });

  it('defaultTable prints NAME and CREATED AT in RFC 3339', () => {
    const t = defaultTable();
    assert.deepEqual(
      t.columns.map((c) => [c.name, c.type, c.format]),
      [
        ['Name', 'string', 'name'],
        ['Created At', 'date', ''],
      ],
    );
    assert.deepEqual(t.row({ metadata: { name: 'w', creationTimestamp: '2024-05-01T11:00:00.123456Z' } }, now), [
      'w',
      '2024-05-01T11:00:00Z',
    ]);
  });
});

describe('nodeTable', () => {
  const node: KubeObject = {
    metadata: {
      name: 'n1',
      creationTimestamp: '2024-04-20T12:00:00Z',
      labels: {
        'node-role.kubernetes.io/control-plane': '',
        'node-role.kubernetes.io/master': '',
        'kubernetes.io/role': 'etcd',
      },
    },
    spec: { unschedulable: true },
    status: {
      conditions: [
        { type: 'MemoryPressure', status: 'False' },
        { type: 'Ready', status: 'True' },
      ],
      addresses: [
        { type: 'InternalIP', address: '192.168.1.10' },
        { type: 'Hostname', address: 'n1' },
      ],
      nodeInfo: {
        kubeletVersion: 'v1.32.0',
        osImage: 'Debian GNU/Linux 12',
        kernelVersion: '6.1.0',
        containerRuntimeVersion: 'containerd://1.7.0',
      },
    },
  };
  it('prints status, roles, version and wide node info', () => {
    assert.deepEqual(nodeTable.row(node, now), [
      'n1',
      'Ready,SchedulingDisabled',
      'control-plane,etcd,master',
      '11d',
      'v1.32.0',
      '192.168.1.10',
      '<none>',
      'Debian GNU/Linux 12',
      '6.1.0',
      'containerd://1.7.0',
    ]);
    const bare: KubeObject = {
      metadata: { name: 'n2' },
      status: { conditions: [{ type: 'Ready', status: 'Unknown' }] },
    };
    assert.deepEqual(nodeTable.row(bare, now).slice(1, 10), [
      'NotReady',
      '<none>',
      '<unknown>',
      '',
      '<none>',
      '<none>',
      '<unknown>',
      '<unknown>',
      '<unknown>',
    ]);
    assert.equal(nodeTable.row({ metadata: {} }, now)[1], 'Unknown');
  });
});

describe('serviceTable', () => {
  const svc = (spec: Record<string, unknown>, status: Record<string, unknown> = {}): KubeObject => ({
    metadata: meta,
    spec,
    status,
  });
  it('prints ports with node ports and the selector', () => {
    const s = svc({
      type: 'NodePort',
      clusterIP: '10.43.0.10',
      clusterIPs: ['10.43.0.10'],
      ports: [
        { port: 80, nodePort: 30080, protocol: 'TCP' },
        { port: 53, protocol: 'UDP' },
      ],
      selector: { app: 'web' },
    });
    assert.deepEqual(serviceTable.row(s, now), [
      'x',
      'NodePort',
      '10.43.0.10',
      '<none>',
      '80:30080/TCP,53/UDP',
      '60m',
      'app=web',
    ]);
  });
  it('prints external addresses by type', () => {
    assert.equal(serviceTable.row(svc({ type: 'ClusterIP', clusterIP: 'None' }), now)[2], 'None');
    assert.equal(serviceTable.row(svc({ type: 'ClusterIP', clusterIP: 'None' }), now)[4], '<none>');
    assert.equal(serviceTable.row(svc({ type: 'LoadBalancer', ports: [] }), now)[3], '<pending>');
    assert.equal(
      serviceTable.row(
        svc(
          { type: 'LoadBalancer' },
          { loadBalancer: { ingress: [{ ip: '1.2.3.4' }, { hostname: 'lb.example.com' }] } },
        ),
        now,
      )[3],
      '1.2.3.4,lb.example.com',
    );
    assert.equal(
      serviceTable.row(
        svc({ type: 'LoadBalancer', externalIPs: ['5.6.7.8'] }, { loadBalancer: { ingress: [{ ip: '1.2.3.4' }] } }),
        now,
      )[3],
      '1.2.3.4,5.6.7.8',
    );
    assert.equal(
      serviceTable.row(svc({ type: 'ExternalName', externalName: 'db.example.com' }), now)[3],
      'db.example.com',
    );
    assert.equal(serviceTable.row(svc({ type: 'ClusterIP', externalIPs: ['9.9.9.9'] }), now)[3], '9.9.9.9');
    assert.equal(serviceTable.row(svc({}), now)[6], '<none>');
  });
});

describe('endpoints and endpointslices', () => {
  it('lists up to three endpoints then counts the rest', () => {
    const ep: KubeObject = {
      metadata: meta,
      subsets: [
        { addresses: [{ ip: '10.0.0.1' }, { ip: '10.0.0.2' }], ports: [{ port: 80 }, { port: 443 }] },
        { addresses: [{ ip: 'fd00::1' }] },
      ],
    };
    assert.equal(endpointsTable.row(ep, now)[1], '10.0.0.1:80,10.0.0.2:80,10.0.0.1:443 + 2 more...');
    assert.equal(
      endpointsTable.row(
        { metadata: meta, subsets: [{ addresses: [{ ip: 'fd00::1' }], ports: [{ port: 8080 }] }] },
        now,
      )[1],
      '[fd00::1]:8080',
    );
    assert.equal(endpointsTable.row({ metadata: meta }, now)[1], '<none>');
  });
  it('prints slices with <unset> for empty lists', () => {
    const slice: KubeObject = {
      metadata: meta,
      addressType: 'IPv4',
      ports: [{ port: 80 }, { name: 'metrics' }, {}],
      endpoints: [{ addresses: ['10.0.0.1'] }, { addresses: ['10.0.0.2'] }],
    };
    assert.deepEqual(endpointSliceTable.row(slice, now), ['x', 'IPv4', '80,metrics,*', '10.0.0.1,10.0.0.2', '60m']);
    assert.deepEqual(endpointSliceTable.row({ metadata: meta, addressType: 'IPv4' }, now).slice(2, 4), [
      '<unset>',
      '<unset>',
    ]);
  });
});

describe('eventTable', () => {
  it('shows LAST SEEN TYPE REASON OBJECT MESSAGE by default', () => {
    assert.deepEqual(
      eventTable.columns.filter((c) => c.priority === 0).map((c) => c.name),
      ['Last Seen', 'Type', 'Reason', 'Object', 'Message'],
    );
  });
  it('prints core/v1 events', () => {
    const ev: KubeObject = {
      metadata: { name: 'web.17c', namespace: 'default' },
      involvedObject: { kind: 'Pod', name: 'web', fieldPath: 'spec.containers{nginx}' },
      reason: 'Pulled',
      message: 'Container image "nginx" already present on machine\n',
      type: 'Normal',
      source: { component: 'kubelet', host: 'n1' },
      firstTimestamp: '2024-05-01T11:50:00Z',
      lastTimestamp: '2024-05-01T11:59:30Z',
      count: 4,
    };
    assert.deepEqual(eventTable.row(ev, now), [
      '30s',
      'Normal',
      'Pulled',
      'pod/web',
      'spec.containers{nginx}',
      'kubelet, n1',
      'Container image "nginx" already present on machine',
      '10m',
      4,
      'web.17c',
    ]);
  });
  it('prints events.k8s.io events and series', () => {
    const ev: KubeObject = {
      metadata: { name: 'e2' },
      regarding: { kind: 'Node', name: 'n1' },
      note: 'Node n1 status is now: NodeReady',
      reason: 'NodeReady',
      type: 'Normal',
      reportingController: 'node-controller',
      eventTime: '2024-05-01T11:00:00.000000Z',
    };
    assert.deepEqual(eventTable.row(ev, now), [
      '60m',
      'Normal',
      'NodeReady',
      'node/n1',
      '',
      'node-controller',
      'Node n1 status is now: NodeReady',
      '60m',
      1,
      'e2',
    ]);
    const series: KubeObject = { ...ev, series: { count: 7, lastObservedTime: '2024-05-01T11:59:00.000000Z' } };
    const r = eventTable.row(series, now);
    assert.equal(r[0], '60s');
    assert.equal(r[8], 7);
    assert.equal(eventTable.row({ metadata: {}, involvedObject: { kind: 'Node' } }, now)[3], 'node');
  });
});

describe('small tables', () => {
  it('namespace, configmap, secret, serviceaccount, lease', () => {
    assert.deepEqual(namespaceTable.row({ metadata: meta, status: { phase: 'Active' } }, now), ['x', 'Active', '60m']);
    assert.deepEqual(configMapTable.row({ metadata: meta, data: { a: '1', b: '2' }, binaryData: { c: 'AA==' } }, now), [
      'x',
      3,
      '60m',
    ]);
    assert.deepEqual(secretTable.row({ metadata: meta, type: 'Opaque', data: { a: 'MQ==' } }, now), [
      'x',
      'Opaque',
      1,
      '60m',
    ]);
    assert.deepEqual(serviceAccountTable.row({ metadata: meta }, now), ['x', 0, '60m']);
    assert.deepEqual(leaseTable.row({ metadata: meta, spec: { holderIdentity: 'n1' } }, now), ['x', 'n1', '60m']);
    assert.deepEqual(leaseTable.row({ metadata: meta, spec: {} }, now), ['x', '', '60m']);
  });
});

describe('hpaTable', () => {
  const ref = { kind: 'Deployment', name: 'web' };
  it('prints v2 metrics', () => {
    const hpa: KubeObject = {
      metadata: meta,
      spec: {
        scaleTargetRef: ref,
        minReplicas: 1,
        maxReplicas: 10,
        metrics: [
          { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } },
          { type: 'Resource', resource: { name: 'memory', target: { type: 'AverageValue', averageValue: '100Mi' } } },
          { type: 'Pods', pods: { metric: { name: 'qps' }, target: { type: 'AverageValue', averageValue: '10' } } },
        ],
      },
      status: {
        currentReplicas: 2,
        currentMetrics: [
          { type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 23, averageValue: '23m' } } },
        ],
      },
    };
    assert.deepEqual(hpaTable.row(hpa, now), [
      'x',
      'Deployment/web',
      'cpu: 23%/50%, memory: <unknown>/100Mi + 1 more...',
      '1',
      10,
      2,
      '60m',
    ]);
  });
  it('prints v1 CPU targets and unset fields', () => {
    const v1: KubeObject = {
      metadata: meta,
      spec: { scaleTargetRef: ref, maxReplicas: 3, targetCPUUtilizationPercentage: 80 },
      status: {},
    };
    assert.deepEqual(hpaTable.row(v1, now).slice(2, 6), ['cpu: <unknown>/80%', '<unset>', 3, 0]);
    assert.equal(hpaTable.row({ metadata: meta, spec: { scaleTargetRef: ref } }, now)[2], '<none>');
  });
});

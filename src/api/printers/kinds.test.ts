import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../../core/types.js';
import { tableFor } from './index.js';

const now = Date.parse('2024-05-01T12:00:00Z');
const meta = (name: string, extra: Record<string, unknown> = {}) => ({
  name,
  namespace: 'default',
  creationTimestamp: '2024-05-01T11:00:00Z',
  ...extra,
});
const containers = [
  { name: 'nginx', image: 'nginx:1.27' },
  { name: 'sidecar', image: 'busybox' },
];

function table(group: string, kind: string) {
  const t = tableFor(group, kind);
  assert.ok(t, `${group}/${kind}`);
  return t;
}
const names = (group: string, kind: string) => table(group, kind).columns.map((c) => c.name);
const wide = (group: string, kind: string) =>
  table(group, kind)
    .columns.filter((c) => c.priority > 0)
    .map((c) => c.name);
const row = (group: string, kind: string, o: KubeObject) => table(group, kind).row(o, now);

describe('workload printers', () => {
  it('ReplicationController: desired, current, ready, wide containers and the map selector', () => {
    assert.deepEqual(names('', 'ReplicationController'), [
      'Name',
      'Desired',
      'Current',
      'Ready',
      'Age',
      'Containers',
      'Images',
      'Selector',
    ]);
    assert.deepEqual(wide('', 'ReplicationController'), ['Containers', 'Images', 'Selector']);
    const rc: KubeObject = {
      metadata: meta('web'),
      spec: { replicas: 3, selector: { app: 'web', tier: 'fe' }, template: { spec: { containers } } },
      status: { replicas: 2, readyReplicas: 1 },
    };
    assert.deepEqual(row('', 'ReplicationController', rc), [
      'web',
      3,
      2,
      1,
      '60m',
      'nginx,sidecar',
      'nginx:1.27,busybox',
      'app=web,tier=fe',
    ]);
  });

  it('StatefulSet: READY ready/desired and the wide containers', () => {
    assert.deepEqual(names('apps', 'StatefulSet'), ['Name', 'Ready', 'Age', 'Containers', 'Images']);
    const sts: KubeObject = {
      metadata: meta('db'),
      spec: { replicas: 3, template: { spec: { containers } } },
      status: { readyReplicas: 2 },
    };
    assert.deepEqual(row('apps', 'StatefulSet', sts), ['db', '2/3', '60m', 'nginx,sidecar', 'nginx:1.27,busybox']);
  });

  it('CronJob: schedule, time zone, suspend, active jobs, last schedule', () => {
    assert.deepEqual(names('batch', 'CronJob'), [
      'Name',
      'Schedule',
      'Timezone',
      'Suspend',
      'Active',
      'Last Schedule',
      'Age',
      'Containers',
      'Images',
      'Selector',
    ]);
    const cj: KubeObject = {
      metadata: meta('tick'),
      spec: { schedule: '*/5 * * * *', suspend: false, jobTemplate: { spec: { template: { spec: { containers } } } } },
      status: { active: [{ name: 'tick-1' }], lastScheduleTime: '2024-05-01T11:55:00Z' },
    };
    assert.deepEqual(row('batch', 'CronJob', cj), [
      'tick',
      '*/5 * * * *',
      '<none>',
      'False',
      1,
      '5m',
      '60m',
      'nginx,sidecar',
      'nginx:1.27,busybox',
      '<none>',
    ]);
    const fresh: KubeObject = { metadata: meta('t'), spec: { schedule: '@daily', timeZone: 'Etc/UTC' } };
    assert.deepEqual(row('batch', 'CronJob', fresh).slice(1, 6), ['@daily', 'Etc/UTC', '<unset>', 0, '<none>']);
  });

  it('PodTemplate: containers, images and pod labels', () => {
    const pt: KubeObject = {
      metadata: meta('t'),
      template: { metadata: { labels: { app: 'x' } }, spec: { containers } },
    };
    assert.deepEqual(names('', 'PodTemplate'), ['Name', 'Containers', 'Images', 'Pod Labels']);
    assert.deepEqual(row('', 'PodTemplate', pt), ['t', 'nginx,sidecar', 'nginx:1.27,busybox', 'app=x']);
  });
});

describe('storage printers', () => {
  it('PersistentVolume: capacity, short access modes, claim, class, Terminating', () => {
    assert.deepEqual(names('', 'PersistentVolume'), [
      'Name',
      'Capacity',
      'Access Modes',
      'Reclaim Policy',
      'Status',
      'Claim',
      'StorageClass',
      'VolumeAttributesClass',
      'Reason',
      'Age',
      'VolumeMode',
    ]);
    assert.deepEqual(wide('', 'PersistentVolume'), ['VolumeMode']);
    const pv: KubeObject = {
      metadata: meta('pv1'),
      spec: {
        capacity: { storage: '10Gi' },
        accessModes: ['ReadWriteMany', 'ReadWriteOnce'],
        persistentVolumeReclaimPolicy: 'Retain',
        claimRef: { namespace: 'default', name: 'data' },
        storageClassName: 'standard',
        volumeMode: 'Filesystem',
      },
      status: { phase: 'Bound' },
    };
    assert.deepEqual(row('', 'PersistentVolume', pv), [
      'pv1',
      '10Gi',
      'RWO,RWX',
      'Retain',
      'Bound',
      'default/data',
      'standard',
      '<unset>',
      '',
      '60m',
      'Filesystem',
    ]);
    const deleting = { ...pv, metadata: { ...pv.metadata, deletionTimestamp: '2024-05-01T11:59:00Z' } };
    assert.equal(row('', 'PersistentVolume', deleting)[4], 'Terminating');
  });

  it('PersistentVolumeClaim: capacity and access modes only once bound', () => {
    const pending: KubeObject = {
      metadata: meta('data', { annotations: { 'volume.beta.kubernetes.io/storage-class': 'legacy' } }),
      spec: {
        accessModes: ['ReadWriteOnce'],
        resources: { requests: { storage: '1Gi' } },
        storageClassName: 'standard',
      },
      status: { phase: 'Pending' },
    };
    assert.deepEqual(row('', 'PersistentVolumeClaim', pending), [
      'data',
      'Pending',
      '',
      '',
      '',
      'legacy',
      '<unset>',
      '60m',
      '<unset>',
    ]);
    const bound: KubeObject = {
      metadata: meta('data'),
      spec: { volumeName: 'pv1', storageClassName: 'standard', volumeMode: 'Block' },
      status: { phase: 'Bound', capacity: { storage: '5Gi' }, accessModes: ['ReadWriteOncePod'] },
    };
    assert.deepEqual(row('', 'PersistentVolumeClaim', bound), [
      'data',
      'Bound',
      'pv1',
      '5Gi',
      'RWOP',
      'standard',
      '<unset>',
      '60m',
      'Block',
    ]);
  });

  it('StorageClass: (default) marker and upstream fallbacks', () => {
    const sc: KubeObject = {
      metadata: {
        name: 'standard',
        creationTimestamp: '2024-05-01T11:00:00Z',
        annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' },
      },
      provisioner: 'rancher.io/local-path',
      volumeBindingMode: 'WaitForFirstConsumer',
    };
    assert.deepEqual(names('storage.k8s.io', 'StorageClass'), [
      'Name',
      'Provisioner',
      'ReclaimPolicy',
      'VolumeBindingMode',
      'AllowVolumeExpansion',
      'Age',
    ]);
    assert.deepEqual(row('storage.k8s.io', 'StorageClass', sc), [
      'standard (default)',
      'rancher.io/local-path',
      'Delete',
      'WaitForFirstConsumer',
      false,
      '60m',
    ]);
  });
});

describe('policy printers', () => {
  it('ResourceQuota: used/hard per resource, limits.* in the Limit column', () => {
    const q: KubeObject = {
      metadata: meta('q'),
      status: {
        hard: { pods: '10', 'limits.memory': '2Gi', 'requests.cpu': '1', 'limits.cpu': '2' },
        used: { pods: '3', 'requests.cpu': '500m' },
      },
    };
    assert.deepEqual(names('', 'ResourceQuota'), ['Name', 'Request', 'Limit', 'Age']);
    assert.deepEqual(row('', 'ResourceQuota', q), [
      'q',
      'pods: 3/10, requests.cpu: 500m/1',
      'limits.cpu: 0/2, limits.memory: 0/2Gi',
      '60m',
    ]);
    assert.deepEqual(row('', 'ResourceQuota', { metadata: meta('empty') }), ['empty', '', '', '60m']);
  });

  it('PodDisruptionBudget: N/A for the unset bound', () => {
    const pdb: KubeObject = {
      metadata: meta('db'),
      spec: { maxUnavailable: '25%' },
      status: { disruptionsAllowed: 1 },
    };
    assert.deepEqual(names('policy', 'PodDisruptionBudget'), [
      'Name',
      'Min Available',
      'Max Unavailable',
      'Allowed Disruptions',
      'Age',
    ]);
    assert.deepEqual(row('policy', 'PodDisruptionBudget', pdb), ['db', 'N/A', '25%', 1, '60m']);
  });

  it('PriorityClass: value, global default and the preemption policy', () => {
    const pc: KubeObject = { metadata: meta('high'), value: 1000, globalDefault: true, preemptionPolicy: 'Never' };
    assert.deepEqual(names('scheduling.k8s.io', 'PriorityClass'), [
      'Name',
      'Value',
      'Global-Default',
      'Age',
      'PreemptionPolicy',
    ]);
    assert.deepEqual(row('scheduling.k8s.io', 'PriorityClass', pc), ['high', 1000, true, '60m', 'Never']);
  });
});

describe('networking printers', () => {
  it('Ingress: class, hosts (three at most), sorted addresses, TLS ports', () => {
    assert.deepEqual(names('networking.k8s.io', 'Ingress'), ['Name', 'Class', 'Hosts', 'Address', 'Ports', 'Age']);
    const ing: KubeObject = {
      metadata: meta('web'),
      spec: {
        ingressClassName: 'nginx',
        rules: [{ host: 'a.com' }, { host: 'b.com' }, {}, { host: 'c.com' }, { host: 'd.com' }],
        tls: [{}],
      },
      status: { loadBalancer: { ingress: [{ ip: '10.0.0.2' }, { hostname: 'lb.example.com' }, { ip: '10.0.0.1' }] } },
    };
    assert.deepEqual(row('networking.k8s.io', 'Ingress', ing), [
      'web',
      'nginx',
      'a.com,b.com,c.com + 2 more...',
      '10.0.0.1,10.0.0.2,lb.example.com',
      '80, 443',
      '60m',
    ]);
    assert.deepEqual(row('networking.k8s.io', 'Ingress', { metadata: meta('x'), spec: {} }).slice(1, 5), [
      '<none>',
      '*',
      '',
      '80',
    ]);
  });

  it('IngressClass and NetworkPolicy', () => {
    const ic: KubeObject = {
      metadata: meta('nginx'),
      spec: {
        controller: 'k8s.io/ingress-nginx',
        parameters: { apiGroup: 'k8s.example.com', kind: 'IngressParameters', name: 'p' },
      },
    };
    assert.deepEqual(row('networking.k8s.io', 'IngressClass', ic), [
      'nginx',
      'k8s.io/ingress-nginx',
      'IngressParameters.k8s.example.com/p',
      '60m',
    ]);
    const np: KubeObject = { metadata: meta('deny'), spec: { podSelector: {} } };
    assert.deepEqual(names('networking.k8s.io', 'NetworkPolicy'), ['Name', 'Pod-Selector', 'Age']);
    assert.deepEqual(row('networking.k8s.io', 'NetworkPolicy', np), ['deny', '<none>', '60m']);
  });
});

describe('access-control printers', () => {
  it('RoleBinding and ClusterRoleBinding: kind/name of the role, wide subjects', () => {
    const subjects = [
      { kind: 'User', name: 'jane' },
      { kind: 'User', name: 'joe' },
      { kind: 'Group', name: 'ops' },
      { kind: 'ServiceAccount', namespace: 'kube-system', name: 'robot' },
    ];
    for (const kind of ['RoleBinding', 'ClusterRoleBinding']) {
      assert.deepEqual(names('rbac.authorization.k8s.io', kind), [
        'Name',
        'Role',
        'Age',
        'Users',
        'Groups',
        'ServiceAccounts',
      ]);
      const b: KubeObject = { metadata: meta('b'), roleRef: { kind: 'ClusterRole', name: 'view' }, subjects };
      assert.deepEqual(row('rbac.authorization.k8s.io', kind, b), [
        'b',
        'ClusterRole/view',
        '60m',
        'jane, joe',
        'ops',
        'kube-system/robot',
      ]);
    }
    assert.equal(table('rbac.authorization.k8s.io', 'RoleBinding').columns[3]!.description, 'Users in the roleBinding');
  });

  it('Role, ClusterRole and LimitRange print NAME and CREATED AT', () => {
    for (const [group, kind] of [
      ['rbac.authorization.k8s.io', 'Role'],
      ['rbac.authorization.k8s.io', 'ClusterRole'],
      ['', 'LimitRange'],
    ] as const) {
      assert.deepEqual(names(group, kind), ['Name', 'Created At']);
      assert.deepEqual(row(group, kind, { metadata: meta('r') }), ['r', '2024-05-01T11:00:00Z']);
    }
  });

  it('CertificateSigningRequest: signer, requestor, duration and the condition summary', () => {
    assert.deepEqual(names('certificates.k8s.io', 'CertificateSigningRequest'), [
      'Name',
      'Age',
      'SignerName',
      'Requestor',
      'RequestedDuration',
      'Condition',
    ]);
    const csr: KubeObject = {
      metadata: meta('jane'),
      spec: {
        signerName: 'kubernetes.io/kube-apiserver-client',
        username: 'kubernetes-admin',
        expirationSeconds: 86400,
      },
      status: { conditions: [{ type: 'Approved', status: 'True' }], certificate: 'Y2VydA==' },
    };
    assert.deepEqual(row('certificates.k8s.io', 'CertificateSigningRequest', csr), [
      'jane',
      '60m',
      'kubernetes.io/kube-apiserver-client',
      'kubernetes-admin',
      '24h',
      'Approved,Issued',
    ]);
    const denied: KubeObject = {
      metadata: meta('x'),
      spec: {},
      status: { conditions: [{ type: 'Denied' }, { type: 'Failed' }] },
    };
    assert.deepEqual(row('certificates.k8s.io', 'CertificateSigningRequest', denied).slice(2), [
      '<none>',
      '',
      '<none>',
      'Denied,Failed',
    ]);
  });

  it('APIService: Local or namespace/name, and the Available condition', () => {
    assert.deepEqual(names('apiregistration.k8s.io', 'APIService'), ['Name', 'Service', 'Available', 'Age']);
    const local: KubeObject = {
      metadata: meta('v1.apps'),
      spec: {},
      status: { conditions: [{ type: 'Available', status: 'True', reason: 'Local' }] },
    };
    assert.deepEqual(row('apiregistration.k8s.io', 'APIService', local), ['v1.apps', 'Local', 'True', '60m']);
    const down: KubeObject = {
      metadata: meta('v1beta1.metrics.k8s.io'),
      spec: { service: { namespace: 'kube-system', name: 'metrics-server' } },
      status: { conditions: [{ type: 'Available', status: 'False', reason: 'MissingEndpoints' }] },
    };
    assert.deepEqual(row('apiregistration.k8s.io', 'APIService', down).slice(1, 3), [
      'kube-system/metrics-server',
      'False (MissingEndpoints)',
    ]);
    assert.equal(row('apiregistration.k8s.io', 'APIService', { metadata: meta('v1.x') })[2], 'Unknown');
  });
});

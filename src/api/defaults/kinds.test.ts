import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../../core/types.js';
import { defaulterFor } from './index.js';

function run(group: string, kind: string, o: KubeObject): KubeObject {
  const d = defaulterFor(group, kind);
  assert.ok(d, `no defaulter for ${group}/${kind}`);
  d(o);
  return o;
}

/** Untyped JSON, for reading nested fields in assertions. */
type Loose = { [key: string]: Loose };
const loose = (o: unknown) => o as Loose;

const podTemplate = (labels: Record<string, string>) => ({
  metadata: { labels },
  spec: { containers: [{ name: 'c', image: 'nginx:1.27' }] },
});

describe('core/v1 defaults', () => {
  it('ReplicationController takes selector and labels from its template, one replica, zero status', () => {
    const rc = run('', 'ReplicationController', {
      metadata: { name: 'web', namespace: 'default' },
      spec: { template: podTemplate({ app: 'web' }) },
    });
    assert.deepEqual(loose(rc).spec!.selector, { app: 'web' });
    assert.deepEqual(rc.metadata.labels, { app: 'web' });
    assert.equal(loose(rc).spec!.replicas, 1 as unknown as Loose);
    assert.equal(loose(rc).spec!.template!.spec!.restartPolicy, 'Always' as unknown as Loose);
    assert.deepEqual(rc.status, { replicas: 0 });
    const own = run('', 'ReplicationController', {
      metadata: { name: 'web', namespace: 'default', labels: { tier: 'x' } },
      spec: { replicas: 0, selector: { app: 'web', role: 'a' }, template: podTemplate({ app: 'web', role: 'a' }) },
    });
    assert.deepEqual(own.metadata.labels, { tier: 'x' });
    assert.deepEqual(loose(own).spec!.selector, { app: 'web', role: 'a' });
    assert.equal(loose(own).spec!.replicas, 0 as unknown as Loose);
  });

  it('PodTemplate defaults its pod spec', () => {
    const pt = run('', 'PodTemplate', { metadata: { name: 't', namespace: 'default' }, template: podTemplate({}) });
    const spec = loose(pt).template!.spec!;
    assert.equal(spec.dnsPolicy, 'ClusterFirst' as unknown as Loose);
    assert.equal(spec.containers![0]!.imagePullPolicy, 'IfNotPresent' as unknown as Loose);
  });

  it('PersistentVolume: Retain, Filesystem, Pending; PersistentVolumeClaim: Filesystem, Pending', () => {
    const pv = run('', 'PersistentVolume', {
      metadata: { name: 'pv1' },
      spec: { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], hostPath: { path: '/data' } },
    });
    assert.equal(loose(pv).spec!.persistentVolumeReclaimPolicy, 'Retain' as unknown as Loose);
    assert.equal(loose(pv).spec!.volumeMode, 'Filesystem' as unknown as Loose);
    assert.deepEqual(loose(pv).spec!.hostPath, { path: '/data', type: '' });
    assert.deepEqual(pv.status, { phase: 'Pending' });
    const pvc = run('', 'PersistentVolumeClaim', {
      metadata: { name: 'data', namespace: 'default' },
      spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
    });
    assert.equal(loose(pvc).spec!.volumeMode, 'Filesystem' as unknown as Loose);
    assert.deepEqual(pvc.status, { phase: 'Pending' });
    const bound = run('', 'PersistentVolumeClaim', {
      metadata: { name: 'data', namespace: 'default' },
      spec: { volumeMode: 'Block' },
      status: { phase: 'Bound' },
    });
    assert.equal(loose(bound).spec!.volumeMode, 'Block' as unknown as Loose);
    assert.equal(loose(bound).status!.phase, 'Bound' as unknown as Loose);
  });

  it('LimitRange: container defaults fall back to max, requests to the default then to min', () => {
    const lr = run('', 'LimitRange', {
      metadata: { name: 'lr', namespace: 'default' },
      spec: {
        limits: [
          { type: 'Container', max: { cpu: '1', memory: '1Gi' }, min: { cpu: '100m', 'ephemeral-storage': '1Gi' } },
          { type: 'Pod', max: { cpu: '2' } },
        ],
      },
    });
    const [container, pod] = loose(lr).spec!.limits as unknown as Loose[];
    assert.deepEqual(container!.default, { cpu: '1', memory: '1Gi' });
    assert.deepEqual(container!.defaultRequest, { cpu: '1', memory: '1Gi', 'ephemeral-storage': '1Gi' });
    assert.equal(pod!.default, undefined);
    assert.equal(pod!.defaultRequest, undefined);
  });

  it('ResourceQuota gets an empty status only', () => {
    const q = run('', 'ResourceQuota', {
      metadata: { name: 'q', namespace: 'default' },
      spec: { hard: { pods: '2' } },
    });
    assert.deepEqual(q.status, {});
    assert.deepEqual(q.spec, { hard: { pods: '2' } });
  });
});

describe('apps/v1 and batch/v1 defaults', () => {
  it('StatefulSet: OrderedReady, RollingUpdate with partition 0, Retain claims, counters', () => {
    const sts = run('apps', 'StatefulSet', {
      metadata: { name: 'db', namespace: 'default' },
      spec: {
        selector: { matchLabels: { app: 'db' } },
        template: podTemplate({ app: 'db' }),
        volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'] } }],
      },
    });
    const spec = loose(sts).spec!;
    assert.equal(spec.podManagementPolicy, 'OrderedReady' as unknown as Loose);
    assert.deepEqual(spec.updateStrategy, { type: 'RollingUpdate', rollingUpdate: { partition: 0 } });
    assert.deepEqual(spec.persistentVolumeClaimRetentionPolicy, { whenDeleted: 'Retain', whenScaled: 'Retain' });
    assert.equal(spec.replicas, 1 as unknown as Loose);
    assert.equal(spec.revisionHistoryLimit, 10 as unknown as Loose);
    assert.equal(spec.template!.spec!.restartPolicy, 'Always' as unknown as Loose);
    assert.deepEqual(spec.volumeClaimTemplates![0]!.spec!.volumeMode, 'Filesystem' as unknown as Loose);
    assert.deepEqual(spec.volumeClaimTemplates![0]!.status, { phase: 'Pending' });
    assert.deepEqual(sts.status, { replicas: 0, availableReplicas: 0 });
    // An explicit RollingUpdate without parameters keeps them unset; OnDelete gets no partition.
    const explicit = run('apps', 'StatefulSet', {
      metadata: { name: 'db', namespace: 'default' },
      spec: { updateStrategy: { type: 'OnDelete' } },
    });
    assert.deepEqual(loose(explicit).spec!.updateStrategy, { type: 'OnDelete' });
  });

  it('CronJob: Allow, not suspended, 3 and 1 kept jobs; the job template keeps restartPolicy unset', () => {
    const cj = run('batch', 'CronJob', {
      metadata: { name: 'tick', namespace: 'default' },
      spec: {
        schedule: '* * * * *',
        jobTemplate: { spec: { template: { spec: { containers: [{ name: 'c', image: 'busybox' }] } } } },
      },
    });
    const spec = loose(cj).spec!;
    assert.equal(spec.concurrencyPolicy, 'Allow' as unknown as Loose);
    assert.equal(spec.suspend, false as unknown as Loose);
    assert.equal(spec.successfulJobsHistoryLimit, 3 as unknown as Loose);
    assert.equal(spec.failedJobsHistoryLimit, 1 as unknown as Loose);
    const jobSpec = spec.jobTemplate!.spec!;
    assert.equal(jobSpec.backoffLimit, undefined);
    assert.equal(jobSpec.template!.spec!.restartPolicy, undefined);
    assert.equal(jobSpec.template!.spec!.terminationGracePeriodSeconds, 30 as unknown as Loose);
    assert.deepEqual(cj.status, {});
  });
});

describe('cluster-policy defaults', () => {
  it('StorageClass: Delete and Immediate', () => {
    const sc = run('storage.k8s.io', 'StorageClass', { metadata: { name: 'standard' }, provisioner: 'example.com/p' });
    assert.equal(sc.reclaimPolicy, 'Delete');
    assert.equal(sc.volumeBindingMode, 'Immediate');
  });

  it('NetworkPolicy: podSelector {}, TCP ports, Ingress (and Egress when there are egress rules)', () => {
    const np = run('networking.k8s.io', 'NetworkPolicy', {
      metadata: { name: 'np', namespace: 'default' },
      spec: { ingress: [{ ports: [{ port: 80 }] }], egress: [{ ports: [{ port: 53, protocol: 'UDP' }] }] },
    });
    const spec = loose(np).spec!;
    assert.deepEqual(spec.podSelector, {});
    assert.equal(spec.ingress![0]!.ports![0]!.protocol, 'TCP' as unknown as Loose);
    assert.equal(spec.egress![0]!.ports![0]!.protocol, 'UDP' as unknown as Loose);
    assert.deepEqual(spec.policyTypes, ['Ingress', 'Egress']);
    const ingressOnly = run('networking.k8s.io', 'NetworkPolicy', {
      metadata: { name: 'np', namespace: 'd' },
      spec: {},
    });
    assert.deepEqual(loose(ingressOnly).spec!.policyTypes, ['Ingress']);
  });

  it('IngressClass parameters default to Cluster scope; Ingress gets status.loadBalancer', () => {
    const ic = run('networking.k8s.io', 'IngressClass', {
      metadata: { name: 'nginx' },
      spec: { controller: 'k8s.io/ingress-nginx', parameters: { kind: 'Params', name: 'p' } },
    });
    assert.equal(loose(ic).spec!.parameters!.scope, 'Cluster' as unknown as Loose);
    const ing = run('networking.k8s.io', 'Ingress', { metadata: { name: 'web', namespace: 'default' }, spec: {} });
    assert.deepEqual(ing.status, { loadBalancer: {} });
  });

  it('PodDisruptionBudget status counters are always written', () => {
    const pdb = run('policy', 'PodDisruptionBudget', { metadata: { name: 'p', namespace: 'default' }, spec: {} });
    assert.deepEqual(pdb.status, { disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 });
  });

  it('PriorityClass preempts lower priorities unless told otherwise', () => {
    assert.equal(
      run('scheduling.k8s.io', 'PriorityClass', { metadata: { name: 'h' }, value: 5 }).preemptionPolicy,
      'PreemptLowerPriority',
    );
    assert.equal(
      run('scheduling.k8s.io', 'PriorityClass', { metadata: { name: 'h' }, value: 5, preemptionPolicy: 'Never' })
        .preemptionPolicy,
      'Never',
    );
  });

  it('RBAC bindings: roleRef and User/Group subjects take the rbac group, ServiceAccounts none', () => {
    for (const kind of ['RoleBinding', 'ClusterRoleBinding']) {
      const b = run('rbac.authorization.k8s.io', kind, {
        metadata: { name: 'b' },
        roleRef: { kind: 'ClusterRole', name: 'view' },
        subjects: [
          { kind: 'User', name: 'jane' },
          { kind: 'Group', name: 'ops' },
          { kind: 'ServiceAccount', name: 'default', namespace: 'default' },
        ],
      });
      assert.deepEqual(b.roleRef, { kind: 'ClusterRole', name: 'view', apiGroup: 'rbac.authorization.k8s.io' });
      assert.deepEqual(
        (b.subjects as { apiGroup?: string }[]).map((s) => s.apiGroup),
        ['rbac.authorization.k8s.io', 'rbac.authorization.k8s.io', undefined],
      );
    }
  });

  it('CSR conditions default to True; APIService service port 443', () => {
    const csr = run('certificates.k8s.io', 'CertificateSigningRequest', {
      metadata: { name: 'c' },
      spec: {},
      status: { conditions: [{ type: 'Approved', reason: 'Manual' }] },
    });
    assert.equal(loose(csr).status!.conditions![0]!.status, 'True' as unknown as Loose);
    const svc = run('apiregistration.k8s.io', 'APIService', {
      metadata: { name: 'v1.x.io' },
      spec: { service: { namespace: 'ns', name: 'api' } },
    });
    assert.equal(loose(svc).spec!.service!.port, 443 as unknown as Loose);
    assert.deepEqual(svc.status, {});
  });

  it('defaulting the new kinds twice changes nothing', () => {
    const objs: [string, string, KubeObject][] = [
      [
        'apps',
        'StatefulSet',
        { metadata: { name: 'db', namespace: 'd' }, spec: { template: podTemplate({ a: 'b' }) } },
      ],
      [
        '',
        'ReplicationController',
        { metadata: { name: 'r', namespace: 'd' }, spec: { template: podTemplate({ a: 'b' }) } },
      ],
      ['networking.k8s.io', 'NetworkPolicy', { metadata: { name: 'n', namespace: 'd' }, spec: { egress: [{}] } }],
      [
        '',
        'LimitRange',
        { metadata: { name: 'l', namespace: 'd' }, spec: { limits: [{ type: 'Container', max: { cpu: '1' } }] } },
      ],
    ];
    for (const [group, kind, o] of objs) {
      const once = run(group, kind, structuredClone(o));
      assert.deepEqual(run(group, kind, structuredClone(once)), once, kind);
    }
  });
});

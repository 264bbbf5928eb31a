import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../../core/types.js';
import { validatorFor } from './index.js';
import { fields } from './testdata.js';

const messages = (errs: { field: string; message: string }[]) => errs.map((e) => `${e.field}: ${e.message}`);

const pv = (spec: Record<string, unknown> = {}): KubeObject => ({
  metadata: { name: 'pv1' },
  spec: {
    capacity: { storage: '1Gi' },
    accessModes: ['ReadWriteOnce'],
    persistentVolumeReclaimPolicy: 'Retain',
    volumeMode: 'Filesystem',
    hostPath: { path: '/data', type: '' },
    ...spec,
  },
  status: { phase: 'Pending' },
});

const pvc = (
  spec: Record<string, unknown> = {},
  status: Record<string, unknown> = { phase: 'Pending' },
): KubeObject => ({
  metadata: { name: 'data', namespace: 'default' },
  spec: {
    accessModes: ['ReadWriteOnce'],
    resources: { requests: { storage: '1Gi' } },
    volumeMode: 'Filesystem',
    ...spec,
  },
  status,
});

describe('PersistentVolume', () => {
  const v = validatorFor('', 'PersistentVolume')!;

  it('accepts hostPath, local with node affinity, nfs and csi volumes', () => {
    assert.deepEqual(v(pv()), []);
    const affinity = {
      required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'k', operator: 'In', values: ['n1'] }] }] },
    };
    assert.deepEqual(v(pv({ hostPath: undefined, local: { path: '/mnt/disk' }, nodeAffinity: affinity })), []);
    assert.deepEqual(v(pv({ hostPath: undefined, nfs: { server: 'nfs.local', path: '/export' } })), []);
    assert.deepEqual(v(pv({ hostPath: undefined, csi: { driver: 'ebs.csi.aws.com', volumeHandle: 'vol-1' } })), []);
  });

  it('requires access modes, a storage capacity and exactly one source', () => {
    const errs = v(pv({ accessModes: [], capacity: { cpu: '1' }, hostPath: undefined }));
    assert.deepEqual(fields(errs), [
      'spec.accessModes FieldValueRequired',
      'spec.capacity FieldValueNotSupported',
      'spec FieldValueRequired',
    ]);
    assert.equal(errs[2]!.message, 'Required value: must specify a volume type');
    assert.deepEqual(messages(v(pv({ nfs: { server: 's', path: '/p' } }))), [
      'spec.nfs: Forbidden: may not specify more than 1 volume type',
    ]);
    assert.deepEqual(messages(v(pv({ hostPath: undefined, local: { path: '/mnt' } }))), [
      'spec.nodeAffinity: Required value: Local volume requires node affinity',
    ]);
    assert.deepEqual(
      messages(v(pv({ accessModes: ['ReadWriteOncePod', 'ReadWriteOnce'], capacity: { storage: '0' } }))),
      [
        'spec.accessModes: Forbidden: may not use ReadWriteOncePod with other access modes',
        'spec.capacity[storage]: Invalid value: "0": must be greater than zero',
      ],
    );
    assert.deepEqual(messages(v(pv({ persistentVolumeReclaimPolicy: 'Keep' }))), [
      'spec.persistentVolumeReclaimPolicy: Unsupported value: "Keep": supported values: "Delete", "Recycle", "Retain"',
    ]);
  });

  it('keeps the volume source and mode on update', () => {
    assert.deepEqual(v(pv({ capacity: { storage: '2Gi' } }), pv()), []);
    const errs = v(pv({ hostPath: { path: '/other', type: '' }, volumeMode: 'Block' }), pv());
    assert.deepEqual(fields(errs), ['spec.persistentvolumesource FieldValueForbidden', 'volumeMode FieldValueInvalid']);
    assert.match(errs[0]!.message, /^Forbidden: spec.persistentvolumesource is immutable after creation/);
  });
});

describe('PersistentVolumeClaim', () => {
  const v = validatorFor('', 'PersistentVolumeClaim')!;

  it('accepts a claim, requires access modes and a positive storage request', () => {
    assert.deepEqual(v(pvc({ storageClassName: 'standard' })), []);
    assert.deepEqual(messages(v(pvc({ accessModes: [], resources: {} }))), [
      'spec.accessModes: Required value: at least 1 access mode is required',
      'spec.resources[storage]: Required value',
    ]);
    assert.deepEqual(messages(v(pvc({ accessModes: ['ReadWriteSometimes'], volumeMode: 'Tape' }))), [
      'spec.accessModes: Unsupported value: "ReadWriteSometimes": supported values: "ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod"',
      'spec.volumeMode: Unsupported value: "Tape": supported values: "Block", "Filesystem"',
    ]);
    assert.deepEqual(messages(v(pvc({ dataSource: { kind: 'Snapshot', name: 's' } }))), [
      `spec.dataSource: Invalid value: "Snapshot": must be 'PersistentVolumeClaim' when referencing the default apiGroup`,
    ]);
  });

  it('is immutable except volumeName once and, when bound, the storage request', () => {
    assert.deepEqual(v(pvc({ volumeName: 'pv1' }), pvc()), []);
    const grown = pvc(
      { volumeName: 'pv1', resources: { requests: { storage: '2Gi' } } },
      { phase: 'Bound', capacity: { storage: '1Gi' } },
    );
    const bound = pvc({ volumeName: 'pv1' }, { phase: 'Bound', capacity: { storage: '1Gi' } });
    assert.deepEqual(v(grown, bound), []);
    const errs = v(pvc({ resources: { requests: { storage: '2Gi' } } }), pvc());
    assert.deepEqual(messages(errs), [
      'spec: Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims',
    ]);
    const shrunk = pvc({ volumeName: 'pv1', resources: { requests: { storage: '1Gi' } } }, { phase: 'Bound' });
    const big = pvc(
      { volumeName: 'pv1', resources: { requests: { storage: '2Gi' } } },
      { phase: 'Bound', capacity: { storage: '2Gi' } },
    );
    assert.deepEqual(messages(v(shrunk, big)), [
      'spec.resources.requests.storage: Forbidden: field can not be less than status.capacity',
    ]);
  });
});

describe('StorageClass', () => {
  const v = validatorFor('storage.k8s.io', 'StorageClass')!;
  const sc = (extra: Record<string, unknown> = {}): KubeObject => ({
    metadata: { name: 'standard' },
    provisioner: 'rancher.io/local-path',
    reclaimPolicy: 'Delete',
    volumeBindingMode: 'WaitForFirstConsumer',
    ...extra,
  });

  it('accepts a class and checks its policies', () => {
    assert.deepEqual(v(sc()), []);
    assert.deepEqual(messages(v(sc({ provisioner: '', reclaimPolicy: 'Recycle', volumeBindingMode: 'Later' }))), [
      'provisioner: Required value',
      'reclaimPolicy: Unsupported value: "Recycle": supported values: "Delete", "Retain"',
      'volumeBindingMode: Unsupported value: "Later": supported values: "Immediate", "WaitForFirstConsumer"',
    ]);
  });

  it('forbids changing parameters, provisioner, reclaim policy and binding mode', () => {
    const errs = v(
      sc({ parameters: { a: 'b' }, provisioner: 'x.io/y', reclaimPolicy: 'Retain', volumeBindingMode: 'Immediate' }),
      sc(),
    );
    assert.deepEqual(messages(errs), [
      'parameters: Forbidden: updates to parameters are forbidden.',
      'provisioner: Forbidden: updates to provisioner are forbidden.',
      'reclaimPolicy: Forbidden: updates to reclaimPolicy are forbidden.',
      'volumeBindingMode: Invalid value: "Immediate": field is immutable',
    ]);
  });
});

describe('ResourceQuota', () => {
  const v = validatorFor('', 'ResourceQuota')!;
  const quota = (spec: Record<string, unknown>): KubeObject => ({
    metadata: { name: 'q', namespace: 'default' },
    spec,
    status: {},
  });

  it('accepts what kubectl create quota sends, count/ and extended resources', () => {
    const hard = {
      cpu: '1',
      memory: '1G',
      pods: '2',
      services: '3',
      replicationcontrollers: '2',
      resourcequotas: '1',
      secrets: '5',
      persistentvolumeclaims: '10',
      'count/deployments.apps': '4',
      'requests.nvidia.com/gpu': '2',
    };
    assert.deepEqual(v(quota({ hard })), []);
    assert.deepEqual(v(quota({ hard: { pods: '4' }, scopes: ['BestEffort'] })), []);
  });

  it('rejects unknown resources, fractional counts, bad and conflicting scopes', () => {
    assert.deepEqual(messages(v(quota({ hard: { widgets: '1', pods: '1.5', cpu: '-1' } }))), [
      'spec.hard[widgets]: Invalid value: "widgets": must be a standard resource type or fully qualified',
      'spec.hard[pods]: Invalid value: "1.5": must be an integer',
      'spec.hard[cpu]: Invalid value: "-1": must be greater than or equal to 0',
    ]);
    assert.deepEqual(messages(v(quota({ hard: { cpu: '1' }, scopes: ['BestEffort', 'NotBestEffort'] }))), [
      'spec.scopes: Invalid value: ["BestEffort","NotBestEffort"]: unsupported scope applied to resource',
      'spec.scopes: Invalid value: ["BestEffort","NotBestEffort"]: conflicting scopes',
    ]);
    assert.deepEqual(fields(v(quota({ scopes: ['Sometimes'] }))), ['spec.scopes FieldValueInvalid']);
  });

  it('keeps scopes on update', () => {
    assert.deepEqual(messages(v(quota({ scopes: ['Terminating'] }), quota({}))), [
      'spec.scopes: Invalid value: ["Terminating"]: field is immutable',
    ]);
  });
});

describe('LimitRange', () => {
  const v = validatorFor('', 'LimitRange')!;
  const lr = (limits: unknown[]): KubeObject => ({ metadata: { name: 'lr', namespace: 'default' }, spec: { limits } });

  it('accepts ordered min, defaults and max', () => {
    const item = {
      type: 'Container',
      min: { cpu: '100m' },
      defaultRequest: { cpu: '200m' },
      default: { cpu: '500m' },
      max: { cpu: '1' },
    };
    assert.deepEqual(v(lr([item, { type: 'PersistentVolumeClaim', max: { storage: '10Gi' } }])), []);
  });

  it('rejects out-of-order values, Pod defaults, unknown types and duplicates', () => {
    assert.deepEqual(messages(v(lr([{ type: 'Container', min: { cpu: '2' }, max: { cpu: '1' } }]))), [
      'spec.limits[0].min[cpu]: Invalid value: "2": min value 2 is greater than max value 1',
    ]);
    assert.deepEqual(messages(v(lr([{ type: 'Pod', default: { cpu: '1' } }]))), [
      "spec.limits[0].default: Forbidden: may not be specified when `type` is 'Pod'",
    ]);
    assert.deepEqual(fields(v(lr([{ type: 'Node' }, { type: 'Container' }, { type: 'Container' }]))), [
      'spec.limits[0].type FieldValueInvalid',
      'spec.limits[2].type FieldValueDuplicate',
    ]);
    assert.deepEqual(messages(v(lr([{ type: 'PersistentVolumeClaim' }]))), [
      'spec.limits[0].limits: Required value: either minimum or maximum storage value is required, but neither was provided',
    ]);
  });
});

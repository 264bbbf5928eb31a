// PersistentVolume, PersistentVolumeClaim (core validation.go) and StorageClass (storage validation.go).
import { type FieldError, field } from '../../core/status.js';
import type { KubeObject } from '../../core/types.js';
import { isDNS1123Subdomain, isQualifiedName } from '../../core/names.js';
import { ANN_BETA_STORAGE_CLASS } from '../../core/storage-class.js';
import { arr, deepEqual, immutable, invalidEach, key, obj, type Obj, str, strMap } from './access.js';
import { validateLabelSelector } from './labelselector.js';
import { nameIsDNSSubdomain, validateObjectMeta } from './objectmeta.js';
import { parseQuantity, QUANTITY_MESSAGE } from './quantity.js';
import { validateSource } from './volumes.js';

const ACCESS_MODES = ['ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOnce', 'ReadWriteOncePod'];
const RECLAIM_POLICIES = ['Delete', 'Recycle', 'Retain'];
const VOLUME_MODES = ['Block', 'Filesystem'];
const PV_SOURCES = [
  'hostPath',
  'gcePersistentDisk',
  'awsElasticBlockStore',
  'glusterfs',
  'flocker',
  'nfs',
  'rbd',
  'quobyte',
  'cephfs',
  'iscsi',
  'cinder',
  'fc',
  'flexVolume',
  'azureFile',
  'vsphereVolume',
  'photonPersistentDisk',
  'portworxVolume',
  'azureDisk',
  'scaleIO',
  'local',
  'storageos',
  'csi',
];

function validateAccessModes(modes: unknown, path: string, requiredDetail: string): FieldError[] {
  const list = arr(modes).map((m) => String(m));
  if (list.length === 0) return [field.required(path, requiredDetail)];
  const errs = list.filter((m) => !ACCESS_MODES.includes(m)).map((m) => field.notSupported(path, m, ACCESS_MODES));
  const rwop = list.includes('ReadWriteOncePod');
  if (rwop && list.some((m) => m !== 'ReadWriteOncePod' && ACCESS_MODES.includes(m))) {
    errs.push(field.forbidden(path, 'may not use ReadWriteOncePod with other access modes'));
  }
  return errs;
}

/** A quantity that must parse and be > 0 (ValidatePositiveQuantityValue). */
function positiveQuantity(q: unknown, path: string): FieldError[] {
  const v = parseQuantity(q);
  if (v === undefined) return [field.invalid(path, q, QUANTITY_MESSAGE)];
  return v > 0 ? [] : [field.invalid(path, q, 'must be greater than zero')];
}

function validateClassName(v: unknown, path: string): FieldError[] {
  const name = str(v);
  return name ? invalidEach(path, name, isDNS1123Subdomain(name)) : [];
}

function validateVolumeMode(v: unknown, path: string): FieldError[] {
  const mode = str(v);
  return mode !== undefined && !VOLUME_MODES.includes(mode) ? [field.notSupported(path, mode, VOLUME_MODES)] : [];
}

function validatePVSource(spec: Obj): FieldError[] {
  const present = PV_SOURCES.filter((s) => spec[s] !== undefined && spec[s] !== null);
  if (present.length === 0) return [field.required('spec', 'must specify a volume type')];
  const errs = present.slice(1).map((s) => field.forbidden(`spec.${s}`, 'may not specify more than 1 volume type'));
  const kind = present[0]!;
  const src = obj(spec[kind]) ?? {};
  if (kind === 'local') {
    if (!str(src.path)) errs.push(field.required('spec.local.path', ''));
    if (!obj(spec.nodeAffinity)) errs.push(field.required('spec.nodeAffinity', 'Local volume requires node affinity'));
  } else if (kind === 'csi') {
    if (!str(src.driver)) errs.push(field.required('spec.csi.driver', ''));
    if (!str(src.volumeHandle)) errs.push(field.required('spec.csi.volumeHandle', ''));
  } else {
    errs.push(...validateSource(kind, src, 'spec'));
  }
  return errs;
}

export function validatePersistentVolume(o: KubeObject, old?: KubeObject): FieldError[] {
  const spec = obj(o.spec) ?? {};
  const errs = validateObjectMeta(o, { namespaced: false, name: nameIsDNSSubdomain });
  errs.push(...validateAccessModes(spec.accessModes, 'spec.accessModes', ''));
  const capacity = obj(spec.capacity) ?? {};
  if (Object.keys(capacity).length === 0) errs.push(field.required('spec.capacity', ''));
  if (capacity.storage === undefined || Object.keys(capacity).length > 1) {
    errs.push(field.notSupported('spec.capacity', capacity, ['storage']));
  }
  for (const [name, q] of Object.entries(capacity)) errs.push(...positiveQuantity(q, key('spec.capacity', name)));
  const policy = str(spec.persistentVolumeReclaimPolicy);
  if (policy && !RECLAIM_POLICIES.includes(policy)) {
    errs.push(field.notSupported('spec.persistentVolumeReclaimPolicy', policy, RECLAIM_POLICIES));
  }
  errs.push(...validatePVSource(spec));
  const hostPath = str(obj(spec.hostPath)?.path);
  if (hostPath !== undefined && /^\/+$/.test(hostPath) && policy === 'Recycle') {
    errs.push(
      field.forbidden('spec.persistentVolumeReclaimPolicy', "may not be 'recycle' for a hostPath mount of '/'"),
    );
  }
  errs.push(...validateClassName(spec.storageClassName, 'spec.storageClassName'));
  errs.push(...validateVolumeMode(spec.volumeMode, 'spec.volumeMode'));
  if (old) errs.push(...validatePersistentVolumeUpdate(spec, obj(old.spec) ?? {}));
  return errs;
}

/** The volume source never changes; volumeMode neither (upstream's path is a bare `volumeMode`). */
function validatePersistentVolumeUpdate(spec: Obj, oldSpec: Obj): FieldError[] {
  const source = (s: Obj) => Object.fromEntries(PV_SOURCES.filter((k) => s[k] !== undefined).map((k) => [k, s[k]]));
  const errs: FieldError[] = [];
  const now = source(spec);
  const before = source(oldSpec);
  if (!deepEqual(now, before)) {
    errs.push(
      field.forbidden(
        'spec.persistentvolumesource',
        `spec.persistentvolumesource is immutable after creation\n${JSON.stringify(before)} -> ${JSON.stringify(now)}`,
      ),
    );
  }
  errs.push(...immutable('volumeMode', spec.volumeMode, oldSpec.volumeMode));
  return errs;
}

function validateDataSource(ref: unknown, path: string): FieldError[] {
  const r = obj(ref);
  if (!r) return [];
  const errs: FieldError[] = [];
  if (!str(r.name)) errs.push(field.required(`${path}.name`, ''));
  const kind = str(r.kind) ?? '';
  if (!kind) errs.push(field.required(`${path}.kind`, ''));
  const group = str(r.apiGroup) ?? '';
  if (!group && kind !== 'PersistentVolumeClaim') {
    errs.push(field.invalid(path, kind, "must be 'PersistentVolumeClaim' when referencing the default apiGroup"));
  }
  if (group) errs.push(...invalidEach(`${path}.apiGroup`, group, isDNS1123Subdomain(group)));
  return errs;
}

/** A PersistentVolumeClaimSpec at `path` (claims and claim templates). */
export function validateClaimSpec(spec: Obj, path: string): FieldError[] {
  const errs = validateAccessModes(spec.accessModes, `${path}.accessModes`, 'at least 1 access mode is required');
  errs.push(...validateLabelSelector(spec.selector, `${path}.selector`));
  const storagePath = key(`${path}.resources`, 'storage');
  const storage = obj(obj(spec.resources)?.requests)?.storage;
  if (storage === undefined) errs.push(field.required(storagePath, ''));
  else errs.push(...positiveQuantity(storage, storagePath));
  errs.push(...validateClassName(spec.storageClassName, `${path}.storageClassName`));
  errs.push(...validateVolumeMode(spec.volumeMode, `${path}.volumeMode`));
  errs.push(...validateDataSource(spec.dataSource, `${path}.dataSource`));
  errs.push(...validateDataSource(spec.dataSourceRef, `${path}.dataSourceRef`));
  return errs;
}

export function validatePersistentVolumeClaim(o: KubeObject, old?: KubeObject): FieldError[] {
  const spec = obj(o.spec) ?? {};
  const errs = validateObjectMeta(o, { namespaced: true, name: nameIsDNSSubdomain });
  errs.push(...validateClaimSpec(spec, 'spec'));
  if (old) errs.push(...validateClaimUpdate(o, old));
  return errs;
}

const storageOf = (o: KubeObject | Obj, where: 'spec' | 'status'): unknown =>
  where === 'spec' ? obj(obj(obj(o.spec)?.resources)?.requests)?.storage : obj(obj(o.status)?.capacity)?.storage;

/** The spec is immutable except volumeName (set once) and, for bound claims, the storage request. */
function validateClaimUpdate(o: KubeObject, old: KubeObject): FieldError[] {
  const spec = structuredClone(obj(o.spec) ?? {});
  const oldSpec = structuredClone(obj(old.spec) ?? {});
  if (!str(oldSpec.volumeName)) oldSpec.volumeName = spec.volumeName;
  // RetroactiveDefaultStorageClass (GA in 1.28): a claim created without any class may be given one once.
  const betaClass = old.metadata.annotations?.[ANN_BETA_STORAGE_CLASS];
  if (oldSpec.storageClassName === undefined && betaClass === undefined && typeof spec.storageClassName === 'string')
    oldSpec.storageClassName = spec.storageClassName;
  const bound = str(obj(o.status)?.phase) === 'Bound';
  const requests = obj(obj(spec.resources)?.requests);
  if (bound && requests) requests.storage = storageOf(old, 'spec');
  if (bound && spec.volumeAttributesClassName !== undefined)
    spec.volumeAttributesClassName = oldSpec.volumeAttributesClassName;
  const errs: FieldError[] = [];
  if (!deepEqual(spec, oldSpec)) {
    errs.push(
      field.forbidden(
        'spec',
        'spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims',
      ),
    );
  }
  const newSize = parseQuantity(storageOf(o, 'spec'));
  const oldSize = parseQuantity(storageOf(old, 'spec'));
  const statusSize = parseQuantity(storageOf(old, 'status')) ?? 0;
  // RecoverVolumeExpansionFailure (on in 1.32): shrinking is allowed down to just above status.capacity.
  if (newSize !== undefined && oldSize !== undefined && newSize < oldSize && newSize <= statusSize) {
    errs.push(field.forbidden('spec.resources.requests.storage', 'field can not be less than status.capacity'));
  }
  errs.push(...immutable('volumeMode', obj(o.spec)?.volumeMode, obj(old.spec)?.volumeMode));
  return errs;
}

const RECLAIM_CLASS = ['Delete', 'Retain'];
const BINDING_MODES = ['Immediate', 'WaitForFirstConsumer'];
const MAX_PARAMETERS = 512;
const MAX_PARAMETERS_SIZE = 256 * 1024;

export function validateStorageClass(o: KubeObject, old?: KubeObject): FieldError[] {
  const errs = validateObjectMeta(o, { namespaced: false, name: nameIsDNSSubdomain });
  const provisioner = str(o.provisioner) ?? '';
  if (!provisioner) errs.push(field.required('provisioner', ''));
  else errs.push(...invalidEach('provisioner', provisioner.toLowerCase(), isQualifiedName(provisioner.toLowerCase())));
  const params = strMap(o.parameters);
  const keys = Object.keys(obj(o.parameters) ?? {});
  if (keys.length > MAX_PARAMETERS) errs.push(field.tooLong('parameters', MAX_PARAMETERS));
  else {
    const size = Object.entries(params).reduce((n, [k, v]) => n + k.length + v.length, 0);
    if (keys.includes('')) errs.push(field.invalid('parameters', '', 'field can not be empty.'));
    if (size > MAX_PARAMETERS_SIZE) errs.push(field.tooLong('parameters', MAX_PARAMETERS_SIZE));
  }
  const reclaim = str(o.reclaimPolicy);
  if (reclaim && !RECLAIM_CLASS.includes(reclaim))
    errs.push(field.notSupported('reclaimPolicy', reclaim, RECLAIM_CLASS));
  const mode = str(o.volumeBindingMode);
  if (mode === undefined) errs.push(field.required('volumeBindingMode', ''));
  else if (!BINDING_MODES.includes(mode)) errs.push(field.notSupported('volumeBindingMode', mode, BINDING_MODES));
  if (old) {
    if (!deepEqual(o.parameters, old.parameters)) {
      errs.push(field.forbidden('parameters', 'updates to parameters are forbidden.'));
    }
    if (o.provisioner !== old.provisioner)
      errs.push(field.forbidden('provisioner', 'updates to provisioner are forbidden.'));
    if (o.reclaimPolicy !== old.reclaimPolicy) {
      errs.push(field.forbidden('reclaimPolicy', 'updates to reclaimPolicy are forbidden.'));
    }
    errs.push(...immutable('volumeBindingMode', o.volumeBindingMode, old.volumeBindingMode));
  }
  return errs;
}

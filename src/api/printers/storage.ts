// PersistentVolume, PersistentVolumeClaim and StorageClass rows (upstream's printPersistentVolume,
// printPersistentVolumeClaim, printStorageClass).
import type { KubeObject } from '../../core/types.js';
import type { TableSpec } from '../policy.js';
import { at, list, str } from './access.js';
import { ageColumn, column, nameColumn } from './columns.js';
import { ageSince } from './duration.js';
import { doc } from './swagger-docs.js';

const BETA_STORAGE_CLASS = 'volume.beta.kubernetes.io/storage-class';
const DEFAULT_CLASS = 'storageclass.kubernetes.io/is-default-class';
const BETA_DEFAULT_CLASS = 'storageclass.beta.kubernetes.io/is-default-class';

/** helper.GetAccessModesAsString: RWO, ROX, RWX, RWOP in that order, each once. */
export function accessModesString(modes: unknown): string {
  const set = new Set(list(modes).map(String));
  const short: [string, string][] = [
    ['ReadWriteOnce', 'RWO'],
    ['ReadOnlyMany', 'ROX'],
    ['ReadWriteMany', 'RWX'],
    ['ReadWriteOncePod', 'RWOP'],
  ];
  return short
    .filter(([m]) => set.has(m))
    .map(([, s]) => s)
    .join(',');
}

/** The beta annotation wins over spec.storageClassName (GetPersistentVolume[Claim]Class). */
function storageClassOf(o: KubeObject): string {
  const annotation = o.metadata.annotations?.[BETA_STORAGE_CLASS];
  return annotation !== undefined ? annotation : str(at(o, 'spec', 'storageClassName'));
}

const orUnset = (v: unknown): string => (typeof v === 'string' ? v : '<unset>');
const phaseOf = (o: KubeObject): string =>
  o.metadata.deletionTimestamp ? 'Terminating' : str(at(o, 'status', 'phase'));

export const persistentVolumeTable: TableSpec = {
  columns: [
    nameColumn(),
    column('Capacity', 'string', doc('core/v1/PersistentVolumeSpec.capacity')),
    column('Access Modes', 'string', doc('core/v1/PersistentVolumeSpec.accessModes')),
    column('Reclaim Policy', 'string', doc('core/v1/PersistentVolumeSpec.persistentVolumeReclaimPolicy')),
    column('Status', 'string', doc('core/v1/PersistentVolumeStatus.phase')),
    column('Claim', 'string', doc('core/v1/PersistentVolumeSpec.claimRef')),
    column('StorageClass', 'string', 'StorageClass of the pv'),
    column('VolumeAttributesClass', 'string', 'VolumeAttributesClass of the pv'),
    column('Reason', 'string', doc('core/v1/PersistentVolumeStatus.reason')),
    ageColumn(),
    column('VolumeMode', 'string', doc('core/v1/PersistentVolumeSpec.volumeMode'), { priority: 1 }),
  ],
  row(pv, now) {
    const claim = at(pv, 'spec', 'claimRef');
    const claimText = claim ? `${str(at(claim, 'namespace'))}/${str(at(claim, 'name'))}` : '';
    return [
      pv.metadata.name ?? '',
      str(at(pv, 'spec', 'capacity', 'storage')) || '0',
      accessModesString(at(pv, 'spec', 'accessModes')),
      str(at(pv, 'spec', 'persistentVolumeReclaimPolicy')),
      phaseOf(pv),
      claimText,
      storageClassOf(pv),
      orUnset(at(pv, 'spec', 'volumeAttributesClassName')),
      str(at(pv, 'status', 'reason')),
      ageSince(pv.metadata.creationTimestamp, now),
      orUnset(at(pv, 'spec', 'volumeMode')),
    ];
  },
};

export const persistentVolumeClaimTable: TableSpec = {
  columns: [
    nameColumn(),
    column('Status', 'string', doc('core/v1/PersistentVolumeClaimStatus.phase')),
    column('Volume', 'string', doc('core/v1/PersistentVolumeClaimSpec.volumeName')),
    column('Capacity', 'string', doc('core/v1/PersistentVolumeClaimStatus.capacity')),
    column('Access Modes', 'string', doc('core/v1/PersistentVolumeClaimStatus.accessModes')),
    column('StorageClass', 'string', 'StorageClass of the pvc'),
    column('VolumeAttributesClass', 'string', 'VolumeAttributesClass of the pvc'),
    ageColumn(),
    column('VolumeMode', 'string', doc('core/v1/PersistentVolumeClaimSpec.volumeMode'), { priority: 1 }),
  ],
  row(pvc, now) {
    const volume = str(at(pvc, 'spec', 'volumeName'));
    // Capacity and access modes come from the bound volume, so they stay empty until binding.
    const capacity = volume ? str(at(pvc, 'status', 'capacity', 'storage')) || '0' : '';
    const modes = volume ? accessModesString(at(pvc, 'status', 'accessModes')) : '';
    return [
      pvc.metadata.name ?? '',
      phaseOf(pvc),
      volume,
      capacity,
      modes,
      storageClassOf(pvc),
      orUnset(at(pvc, 'spec', 'volumeAttributesClassName')),
      ageSince(pvc.metadata.creationTimestamp, now),
      orUnset(at(pvc, 'spec', 'volumeMode')),
    ];
  },
};

export const storageClassTable: TableSpec = {
  columns: [
    nameColumn(),
    column('Provisioner', 'string', doc('storage/v1/StorageClass.provisioner')),
    column('ReclaimPolicy', 'string', doc('storage/v1/StorageClass.reclaimPolicy')),
    column('VolumeBindingMode', 'string', doc('storage/v1/StorageClass.volumeBindingMode')),
    column('AllowVolumeExpansion', 'string', doc('storage/v1/StorageClass.allowVolumeExpansion')),
    ageColumn(),
  ],
  row(sc, now) {
    const annotations = sc.metadata.annotations ?? {};
    const isDefault = annotations[DEFAULT_CLASS] === 'true' || annotations[BETA_DEFAULT_CLASS] === 'true';
    const reclaim = at(sc, 'reclaimPolicy');
    const mode = at(sc, 'volumeBindingMode');
    return [
      `${sc.metadata.name ?? ''}${isDefault ? ' (default)' : ''}`,
      str(at(sc, 'provisioner')),
      typeof reclaim === 'string' ? reclaim : 'Delete',
      typeof mode === 'string' ? mode : 'Immediate',
      at(sc, 'allowVolumeExpansion') === true,
      ageSince(sc.metadata.creationTimestamp, now),
    ];
  },
};

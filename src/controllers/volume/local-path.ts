// The control-plane half of a built-in local-path provisioner (like k3s's local-path-provisioner): the default
// StorageClass `local-path`, and for a claim of that class placed on a node a hostPath PersistentVolume under
// the node agent's storage directory, pinned to that node. The agent creates the directory when a pod mounts
// it and removes the directories of volumes that no longer exist.

import {
  ANN_BOUND_BY_CONTROLLER,
  ANN_DEFAULT_CLASS,
  ANN_DYNAMICALLY_PROVISIONED,
  LABEL_HOSTNAME,
  type PersistentVolume,
  type PersistentVolumeClaim,
  type StorageClass,
} from '../../core/index.js';

export const LOCAL_PATH_PROVISIONER = 'tutti.io/local-path';
export const LOCAL_PATH_CLASS = 'local-path';
/** Where volumes live on a node by default: `<agent data dir>/storage` of an agent run as root. */
export const DEFAULT_STORAGE_DIR = '/var/lib/tutti/agent/storage';

/** The class k3s ships: WaitForFirstConsumer, Delete; the cluster default unless another class already is. */
export function localPathClass(makeDefault: boolean): StorageClass {
  return {
    apiVersion: 'storage.k8s.io/v1',
    kind: 'StorageClass',
    metadata: {
      name: LOCAL_PATH_CLASS,
      ...(makeDefault ? { annotations: { [ANN_DEFAULT_CLASS]: 'true' } } : {}),
    },
    provisioner: LOCAL_PATH_PROVISIONER,
    reclaimPolicy: 'Delete',
    volumeBindingMode: 'WaitForFirstConsumer',
  };
}

/** Why the provisioner cannot serve the claim (k3s's local-path-provisioner refuses the same), if it cannot. */
export function localPathUnsupported(claim: PersistentVolumeClaim, node: string | undefined): string | undefined {
  const modes = claim.spec?.accessModes ?? [];
  if (modes.some((m) => m !== 'ReadWriteOnce' && m !== 'ReadWriteOncePod')) {
    return 'NodePath only supports ReadWriteOnce and ReadWriteOncePod access modes';
  }
  if ((claim.spec?.volumeMode ?? 'Filesystem') !== 'Filesystem') return 'only the Filesystem volume mode is supported';
  if (claim.spec?.selector) return 'claim.Spec.Selector is not supported';
  if (!node) return 'configuration error, no node was specified';
  return undefined;
}

/** Upstream's name for a provisioned volume: `pvc-<claim uid>`. */
export const provisionedName = (claim: PersistentVolumeClaim) => `pvc-${claim.metadata.uid}`;

/**
 * The volume for the claim on `node` (its `kubernetes.io/hostname` label value given as `hostname`): pre-bound to
 * the claim, with the class's reclaim policy and mount options.
 */
export function localPathVolume(
  claim: PersistentVolumeClaim,
  storageClass: StorageClass,
  hostname: string,
  storageDir: string,
): PersistentVolume {
  const name = provisionedName(claim);
  const volume: PersistentVolume = {
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: {
      name,
      annotations: { [ANN_DYNAMICALLY_PROVISIONED]: LOCAL_PATH_PROVISIONER, [ANN_BOUND_BY_CONTROLLER]: 'yes' },
    },
    spec: {
      capacity: { storage: String(claim.spec?.resources?.requests?.storage ?? '0') },
      accessModes: [...(claim.spec?.accessModes ?? ['ReadWriteOnce'])],
      persistentVolumeReclaimPolicy: storageClass.reclaimPolicy ?? 'Delete',
      storageClassName: storageClass.metadata.name,
      volumeMode: 'Filesystem',
      claimRef: {
        apiVersion: 'v1',
        kind: 'PersistentVolumeClaim',
        namespace: claim.metadata.namespace,
        name: claim.metadata.name,
        uid: claim.metadata.uid,
        resourceVersion: claim.metadata.resourceVersion,
      },
      hostPath: { path: `${storageDir.replace(/\/+$/, '')}/${name}`, type: 'DirectoryOrCreate' },
      nodeAffinity: {
        required: {
          nodeSelectorTerms: [{ matchExpressions: [{ key: LABEL_HOSTNAME, operator: 'In', values: [hostname] }] }],
        },
      },
    },
  };
  if (storageClass.mountOptions?.length) volume.spec!.mountOptions = [...storageClass.mountOptions];
  return volume;
}

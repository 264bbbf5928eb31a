// Which StorageClass a claim gets (upstream's storage/util GetDefaultClass and the DefaultStorageClass
// admission plugin's rule): shared by the API server's admission and the PersistentVolume controller's
// retroactive assignment. Pure.
import type { PersistentVolumeClaim, StorageClass } from './types.js';

export const ANN_BETA_STORAGE_CLASS = 'volume.beta.kubernetes.io/storage-class';
export const ANN_DEFAULT_CLASS = 'storageclass.kubernetes.io/is-default-class';
export const ANN_BETA_DEFAULT_CLASS = 'storageclass.beta.kubernetes.io/is-default-class';

/** A claim that names no class at all (nil, not ""): the default class may be assigned to it. */
export function claimHasNoClass(claim: Pick<PersistentVolumeClaim, 'metadata' | 'spec'>): boolean {
  return (
    claim.spec?.storageClassName === undefined && claim.metadata.annotations?.[ANN_BETA_STORAGE_CLASS] === undefined
  );
}

/** The default StorageClass: annotated so; with several, the newest (then the name) as upstream GetDefaultClass. */
export function defaultClass(classes: Iterable<StorageClass>): StorageClass | undefined {
  const defaults = [...classes].filter(
    (c) =>
      c.metadata.annotations?.[ANN_DEFAULT_CLASS] === 'true' ||
      c.metadata.annotations?.[ANN_BETA_DEFAULT_CLASS] === 'true',
  );
  defaults.sort((a, b) => {
    const ta = Date.parse(a.metadata.creationTimestamp ?? '') || 0;
    const tb = Date.parse(b.metadata.creationTimestamp ?? '') || 0;
    if (ta !== tb) return tb - ta;
    return (a.metadata.name ?? '') < (b.metadata.name ?? '') ? -1 : 1;
  });
  return defaults[0];
}

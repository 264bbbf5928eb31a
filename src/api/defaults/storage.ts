// PersistentVolume, PersistentVolumeClaim (core/v1 defaults.go) and StorageClass (storage/v1 defaults.go).
import type { KubeObject } from '../../core/types.js';
import { asObj, child, type Obj, setDefault } from './access.js';

export function defaultPersistentVolume(o: KubeObject): void {
  const spec = child(o, 'spec');
  setDefault(spec, 'persistentVolumeReclaimPolicy', 'Retain');
  setDefault(spec, 'volumeMode', 'Filesystem');
  const hostPath = asObj(spec.hostPath);
  if (hostPath) setDefault(hostPath, 'type', '');
  setDefault(child(o, 'status'), 'phase', 'Pending');
}

/** A claim and every claim template (StatefulSet volumeClaimTemplates) get Filesystem and a Pending phase. */
export function defaultClaim(claim: Obj): void {
  setDefault(child(claim, 'spec'), 'volumeMode', 'Filesystem');
  setDefault(child(claim, 'status'), 'phase', 'Pending');
}

export function defaultPersistentVolumeClaim(o: KubeObject): void {
  defaultClaim(o);
}

export function defaultStorageClass(o: KubeObject): void {
  setDefault(o, 'reclaimPolicy', 'Delete');
  setDefault(o, 'volumeBindingMode', 'Immediate');
}

// Resolves a pod's persistentVolumeClaim volume to the host directory of its bound PersistentVolume, as the
// kubelet's volume manager does before a pod may start: a claim that is missing, being deleted or not Bound keeps
// the pod Pending (no sandbox) with upstream's messages, and is retried until it resolves. Only PersistentVolumes
// with a hostPath or local source are mounted by this agent.
import type { corev1, PersistentVolumeClaim } from '../../core/types.js';

/** Reads the claim and volume objects; undefined when the API answers 404. */
export interface ClaimSource {
  persistentVolumeClaim(namespace: string, name: string): Promise<PersistentVolumeClaim | undefined>;
  persistentVolume(name: string): Promise<corev1.PersistentVolume | undefined>;
}

/** The volume cannot be set up yet; the pod waits (FailedMount) and the worker retries. */
export class VolumeNotReadyError extends Error {
  override readonly name = 'VolumeNotReadyError';
  constructor(
    readonly volume: string,
    message: string,
  ) {
    super(message);
  }
}

export interface ResolvedClaim {
  /** Host directory (or file) to mount. */
  path: string;
  /** hostPath type of the PersistentVolume (checked and created like a hostPath volume). */
  hostPathType?: string;
  readOnly: boolean;
}

/** upstream getPVCExtractPV + getPVSpec, with their error texts, prefixed `error processing PVC ns/name:`. */
export async function resolveClaim(
  source: ClaimSource,
  namespace: string,
  volumeName: string,
  claim: corev1.PersistentVolumeClaimVolumeSource,
): Promise<ResolvedClaim> {
  const fail = (msg: string) =>
    new VolumeNotReadyError(volumeName, `error processing PVC ${namespace}/${claim.claimName}: ${msg}`);
  const pvc = await source.persistentVolumeClaim(namespace, claim.claimName);
  if (!pvc) {
    throw fail(`failed to fetch PVC from API server: persistentvolumeclaims "${claim.claimName}" not found`);
  }
  if (pvc.metadata.deletionTimestamp) throw fail('PVC is being deleted');
  if (pvc.status?.phase !== 'Bound') throw fail('PVC is not bound');
  const pvName = pvc.spec?.volumeName;
  if (!pvName) throw fail('PVC has empty pvc.Spec.VolumeName');
  const pv = await source.persistentVolume(pvName);
  if (!pv) throw fail(`failed to fetch PV ${pvName} from API server: persistentvolumes "${pvName}" not found`);
  const ref = pv.spec?.claimRef;
  if (!ref) {
    throw fail(
      `found PV object ${pvName} but it has a nil pv.Spec.ClaimRef indicating it is not yet bound to the claim`,
    );
  }
  if (ref.uid !== pvc.metadata.uid) {
    throw fail(
      `found PV object ${pvName} but its pv.Spec.ClaimRef.UID ${ref.uid} does not point to claim.UID ${pvc.metadata.uid}`,
    );
  }
  const readOnly = claim.readOnly === true;
  if (pv.spec?.hostPath) return { path: pv.spec.hostPath.path, hostPathType: pv.spec.hostPath.type, readOnly };
  if (pv.spec?.local) return { path: pv.spec.local.path, hostPathType: 'Directory', readOnly };
  throw fail(`no volume plugin matched for PV ${pvName}: this node mounts only hostPath and local volumes`);
}

/** The FailedMount event text upstream's kubelet records while a pod waits for its volumes. */
export function unableToMountMessage(errors: readonly VolumeNotReadyError[]): string {
  const names = [...new Set(errors.map((e) => e.volume))].sort();
  const list = `[${names.join(' ')}]`;
  return `Unable to attach or mount volumes: unmounted volumes=${list}, unattached volumes=[], failed to process volumes=${list}: ${errors.map((e) => e.message).join('; ')}`;
}

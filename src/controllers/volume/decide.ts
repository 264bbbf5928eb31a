// The PersistentVolume controller's decisions as pure functions (upstream pv_controller.go syncClaim,
// syncUnboundClaim, syncBoundClaim, syncVolume, reclaimVolume), given the caches; the controller carries them
// out (controller.ts) and runs them again on every change and every resync.

import {
  ANN_BIND_COMPLETED,
  ANN_BOUND_BY_CONTROLLER,
  ANN_DYNAMICALLY_PROVISIONED,
  ANN_SELECTED_NODE,
  claimClass,
  claimHasNoClass,
  defaultClass,
  findBestMatchForClaim,
  isDelayBinding,
  isVolumeBoundToClaim,
  type NodeView,
  type PersistentVolume,
  type PersistentVolumeClaim,
  type StorageClass,
  volumeModeMismatch,
  volumeUnfitReason,
} from '../../core/index.js';

export interface VolumeEvent {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
}

export type ClaimDecision =
  /** bind(): the volume's claimRef, the claim's volumeName and annotations, both statuses Bound. */
  | { kind: 'bind'; volume: PersistentVolume }
  /** Status Pending (and an event saying why). */
  | { kind: 'pending'; event?: VolumeEvent }
  | { kind: 'lost'; event: VolumeEvent }
  /** Retroactive default class: set spec.storageClassName, then sync again. */
  | { kind: 'assignClass'; className: string }
  /** WaitForFirstConsumer with a pod placed: record the node (the scheduler's part upstream). */
  | { kind: 'selectNode'; node: string }
  /** Dynamic provisioning with the class (the node chosen for a delayed claim, if any). */
  | { kind: 'provision'; storageClass: StorageClass; node?: string }
  | { kind: 'error'; message: string };

export interface ClaimContext {
  volumes: readonly PersistentVolume[];
  volumeByName: ReadonlyMap<string, PersistentVolume>;
  classes: ReadonlyMap<string, StorageClass>;
  /** The node of a scheduled pod that uses the claim, if any. */
  podNode?: NodeView;
  /** Name of a pod that uses the claim but is not scheduled yet, if any. */
  unscheduledPod?: string;
}

const has = (o: { metadata: { annotations?: Record<string, string> } }, ann: string) =>
  o.metadata.annotations?.[ann] !== undefined;

/** syncClaim: a claim without bind-completed is still being bound; with it, it is kept bound. */
export function decideClaim(claim: PersistentVolumeClaim, c: ClaimContext): ClaimDecision {
  return has(claim, ANN_BIND_COMPLETED) ? decideBoundClaim(claim, c) : decideUnboundClaim(claim, c);
}

function decideUnboundClaim(claim: PersistentVolumeClaim, c: ClaimContext): ClaimDecision {
  const volumeName = claim.spec?.volumeName;
  if (volumeName) {
    // The user asked for a particular volume.
    const pv = c.volumeByName.get(volumeName);
    if (!pv) return { kind: 'pending' };
    if (!pv.spec?.claimRef) {
      const why = volumeUnfitReason(pv, claim);
      if (why) {
        return {
          kind: 'pending',
          event: {
            type: 'Warning',
            reason: 'VolumeMismatch',
            message: `Cannot bind to requested volume "${volumeName}": ${why}`,
          },
        };
      }
      return { kind: 'bind', volume: pv };
    }
    if (isVolumeBoundToClaim(pv, claim)) return { kind: 'bind', volume: pv };
    if (!has(claim, ANN_BOUND_BY_CONTROLLER)) return { kind: 'pending' };
    return {
      kind: 'error',
      message: `Invalid binding of claim "${claim.metadata.namespace}/${claim.metadata.name}" to volume "${volumeName}": volume already claimed by "${pv.spec.claimRef.namespace}/${pv.spec.claimRef.name}"`,
    };
  }
  const delay = isDelayBinding(claim, c.classes);
  const selected = claim.metadata.annotations?.[ANN_SELECTED_NODE];
  if (delay && c.podNode) {
    // The pod is placed: a volume that fits its node, or provisioning there.
    const local = findBestMatchForClaim(claim, c.volumes, true, c.podNode);
    if (local) return { kind: 'bind', volume: local };
    if (!selected) return { kind: 'selectNode', node: c.podNode.name };
  }
  const pv = findBestMatchForClaim(claim, c.volumes, delay);
  if (pv) return { kind: 'bind', volume: pv };
  if (claimHasNoClass(claim)) {
    const def = defaultClass(c.classes.values());
    if (def?.metadata.name) return { kind: 'assignClass', className: def.metadata.name };
  }
  const cls = claimClass(claim);
  if (delay && !selected) {
    const event: VolumeEvent = c.unscheduledPod
      ? {
          type: 'Normal',
          reason: 'WaitForPodScheduled',
          message: `waiting for pod ${c.unscheduledPod} to be scheduled`,
        }
      : {
          type: 'Normal',
          reason: 'WaitForFirstConsumer',
          message: 'waiting for first consumer to be created before binding',
        };
    return { kind: 'pending', event };
  }
  if (cls !== '') {
    const storageClass = c.classes.get(cls);
    if (!storageClass) {
      return {
        kind: 'pending',
        event: {
          type: 'Warning',
          reason: 'ProvisioningFailed',
          message: `storageclass.storage.k8s.io "${cls}" not found`,
        },
      };
    }
    return { kind: 'provision', storageClass, ...(selected ? { node: selected } : {}) };
  }
  return {
    kind: 'pending',
    event: {
      type: 'Normal',
      reason: 'FailedBinding',
      message: 'no persistent volumes available for this claim and no storage class is set',
    },
  };
}

function decideBoundClaim(claim: PersistentVolumeClaim, c: ClaimContext): ClaimDecision {
  const volumeName = claim.spec?.volumeName;
  if (!volumeName) {
    return {
      kind: 'lost',
      event: {
        type: 'Warning',
        reason: 'ClaimLost',
        message: 'Bound claim has lost reference to PersistentVolume. Data on the volume is lost!',
      },
    };
  }
  const pv = c.volumeByName.get(volumeName);
  if (!pv) {
    return {
      kind: 'lost',
      event: {
        type: 'Warning',
        reason: 'ClaimLost',
        message: 'Bound claim has lost its PersistentVolume. Data on the volume is lost!',
      },
    };
  }
  // No claimRef (unbound, or the cache lags behind our own bind): bind again; the same uid: keep it so.
  if (!pv.spec?.claimRef || pv.spec.claimRef.uid === claim.metadata.uid) return { kind: 'bind', volume: pv };
  return {
    kind: 'lost',
    event: {
      type: 'Warning',
      reason: 'ClaimMisbound',
      message: 'Two claims are bound to the same volume, this one is bound incorrectly',
    },
  };
}

export type VolumeDecision =
  | { kind: 'none' }
  | { kind: 'phase'; phase: 'Available' | 'Bound' | 'Released' | 'Failed'; message?: string; event?: VolumeEvent }
  /** The claim is gone or bound elsewhere: Released, then the reclaim policy. */
  | { kind: 'release'; reclaim: ReclaimDecision }
  /** Clear the controller's binding (claimRef and annotation, or only the uid of a user's pre-binding). */
  | { kind: 'unbind' }
  /** The claim still has to finish binding: sync it. */
  | { kind: 'syncClaim'; claimKey: string; event?: VolumeEvent };

export type ReclaimDecision =
  | { kind: 'retain' }
  /** Our provisioner's volume: delete the PV (the node agent removes the directory). */
  | { kind: 'delete' }
  /** Another provisioner deletes it. */
  | { kind: 'external'; provisioner: string }
  | { kind: 'fail'; event: VolumeEvent };

/** reclaimVolume for a released volume. */
export function decideReclaim(pv: PersistentVolume, ownProvisioner: string): ReclaimDecision {
  const policy = pv.spec?.persistentVolumeReclaimPolicy ?? 'Retain';
  if (policy === 'Retain') return { kind: 'retain' };
  if (policy === 'Recycle') {
    return {
      kind: 'fail',
      event: { type: 'Warning', reason: 'VolumeFailedRecycle', message: 'No recycler plugin found for the volume!' },
    };
  }
  const provisioner = pv.metadata.annotations?.[ANN_DYNAMICALLY_PROVISIONED];
  if (provisioner === ownProvisioner) return { kind: 'delete' };
  if (provisioner) return { kind: 'external', provisioner };
  return {
    kind: 'fail',
    event: {
      type: 'Warning',
      reason: 'VolumeFailedDelete',
      message: `error getting deleter volume plugin for volume "${pv.metadata.name}": no deletable volume plugin matched`,
    },
  };
}

/**
 * syncVolume. `claim` is the claim its claimRef names, if it exists with that uid (a claim of the same name but
 * another uid counts as gone).
 */
export function decideVolume(
  pv: PersistentVolume,
  claim: PersistentVolumeClaim | undefined,
  ownProvisioner: string,
): VolumeDecision {
  const ref = pv.spec?.claimRef;
  const phase = pv.status?.phase;
  if (!ref || !ref.uid) return phase === 'Available' ? { kind: 'none' } : { kind: 'phase', phase: 'Available' };
  if (!claim) return { kind: 'release', reclaim: decideReclaim(pv, ownProvisioner) };
  const claimKey = `${claim.metadata.namespace}/${claim.metadata.name}`;
  if (!claim.spec?.volumeName) {
    if (volumeModeMismatch(claim, pv)) {
      return {
        kind: 'phase',
        phase: 'Available',
        event: {
          type: 'Warning',
          reason: 'VolumeMismatch',
          message: `Cannot bind PersistentVolume to requested PersistentVolumeClaim "${claim.metadata.name}" due to incompatible volumeMode.`,
        },
      };
    }
    return { kind: 'syncClaim', claimKey };
  }
  if (claim.spec.volumeName === pv.metadata.name)
    return phase === 'Bound' ? { kind: 'none' } : { kind: 'phase', phase: 'Bound' };
  // The claim is bound to another volume.
  if (has(pv, ANN_DYNAMICALLY_PROVISIONED) && pv.spec?.persistentVolumeReclaimPolicy === 'Delete') {
    return { kind: 'release', reclaim: decideReclaim(pv, ownProvisioner) };
  }
  return { kind: 'unbind' };
}

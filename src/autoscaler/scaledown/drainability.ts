// What happens to each pod if its node is removed (upstream simulator/drainability/rules, in their order):
// mirror and long-terminating pods go with the node; DaemonSet pods are evicted but not rescheduled;
// safe-to-evict "true" moves a pod whatever else holds; finished pods are left; then the blockers:
// no controller (NotReplicated), kube-system without a PDB, safe-to-evict "false", local storage, and a
// PodDisruptionBudget with no disruption left.

import { isPodTerminal } from '../../core/pods.js';
import { parseTime } from '../../core/time.js';
import type { Pod, Volume } from '../../core/types.js';
import {
  MIRROR_POD_ANNOTATION,
  SAFE_TO_EVICT_ANNOTATION,
  SAFE_TO_EVICT_LOCAL_VOLUMES_ANNOTATION,
} from '../well-known.js';
import type { PdbTracker } from './pdb-tracker.js';

export type BlockingReason =
  | 'NotReplicated'
  | 'UnmovableKubeSystemPod'
  | 'NotSafeToEvictAnnotation'
  | 'LocalStorageRequested'
  | 'NotEnoughPdb';

export type Drainability =
  /** Evicted and rescheduled elsewhere. */
  | { kind: 'move' }
  /** Evicted, best effort, and not rescheduled (its DaemonSet runs one per node). */
  | { kind: 'daemonset' }
  /** Not evicted: it goes with the node (mirror, finished or long-terminating pods). */
  | { kind: 'skip' }
  | { kind: 'blocked'; reason: BlockingReason; message: string };

export interface DrainRules {
  /** Upstream --skip-nodes-with-system-pods (default true). */
  skipNodesWithSystemPods: boolean;
  /** Upstream --skip-nodes-with-local-storage (default true). */
  skipNodesWithLocalStorage: boolean;
}

export const DEFAULT_DRAIN_RULES: DrainRules = { skipNodesWithSystemPods: true, skipNodesWithLocalStorage: true };

/** Upstream PodLongTerminatingExtraThreshold. */
const LONG_TERMINATING_EXTRA_MS = 30_000;
const DEFAULT_GRACE_SECONDS = 30;

export function isMirrorPod(pod: Pod): boolean {
  return pod.metadata.annotations?.[MIRROR_POD_ANNOTATION] !== undefined;
}

export function isDaemonSetPod(pod: Pod): boolean {
  return pod.metadata.ownerReferences?.some((o) => o.controller && o.kind === 'DaemonSet') ?? false;
}

/** Deleted longer ago than its grace period plus 30 s: treated as gone. */
export function isLongTerminating(pod: Pod, now: number): boolean {
  const deleted = parseTime(pod.metadata.deletionTimestamp);
  if (deleted === undefined) return false;
  const grace = pod.spec?.terminationGracePeriodSeconds ?? DEFAULT_GRACE_SECONDS;
  return deleted + grace * 1000 + LONG_TERMINATING_EXTRA_MS < now;
}

function isLocalVolume(v: Volume): boolean {
  return v.hostPath !== undefined || (v.emptyDir !== undefined && v.emptyDir.medium !== 'Memory');
}

/** A hostPath or disk-backed emptyDir volume not listed in safe-to-evict-local-volumes. */
export function hasBlockingLocalStorage(pod: Pod): boolean {
  const listed = pod.metadata.annotations?.[SAFE_TO_EVICT_LOCAL_VOLUMES_ANNOTATION];
  const allowed = new Set(listed ? listed.split(',') : []);
  return (pod.spec?.volumes ?? []).some((v) => isLocalVolume(v) && !allowed.has(v.name));
}

export function podDrainability(pod: Pod, pdbs: PdbTracker, rules: DrainRules, now: number): Drainability {
  const name = `${pod.metadata.namespace}/${pod.metadata.name}`;
  const blocked = (reason: BlockingReason, message: string): Drainability => ({ kind: 'blocked', reason, message });
  if (isMirrorPod(pod) || isLongTerminating(pod, now)) return { kind: 'skip' };
  if (isDaemonSetPod(pod)) return { kind: 'daemonset' };
  const safeToEvict = pod.metadata.annotations?.[SAFE_TO_EVICT_ANNOTATION];
  if (safeToEvict === 'true') return { kind: 'move' };
  if (isPodTerminal(pod)) return { kind: 'skip' };
  if (!pod.metadata.ownerReferences?.some((o) => o.controller)) {
    return blocked('NotReplicated', `${name} is not replicated`);
  }
  if (rules.skipNodesWithSystemPods && pod.metadata.namespace === 'kube-system' && pdbs.matching(pod).length === 0) {
    return blocked(
      'UnmovableKubeSystemPod',
      `non-daemonset, non-mirrored, non-pdb-assigned kube-system pod present: ${pod.metadata.name}`,
    );
  }
  if (safeToEvict === 'false') {
    return blocked('NotSafeToEvictAnnotation', `pod annotated as not safe to evict present: ${pod.metadata.name}`);
  }
  if (rules.skipNodesWithLocalStorage && hasBlockingLocalStorage(pod)) {
    return blocked('LocalStorageRequested', `pod with local storage present: ${pod.metadata.name}`);
  }
  if (pdbs.blocking([pod])) return blocked('NotEnoughPdb', `not enough pod disruption budget to move ${name}`);
  return { kind: 'move' };
}

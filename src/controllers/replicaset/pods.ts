// Which pods count toward a ReplicaSet's replicas (upstream controller.FilterActivePods).
import type { Pod } from '../../core/index.js';

/** Counts toward replicas: not finished and not being deleted. */
export function isPodActive(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase !== 'Succeeded' && phase !== 'Failed' && !pod.metadata.deletionTimestamp;
}

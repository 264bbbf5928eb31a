// Which pods count toward a ReplicaSet's replicas (upstream controller.FilterActivePods).
import { isPodTerminal, type Pod } from '../../core/index.js';

/** Counts toward replicas: not finished and not being deleted. */
export function isPodActive(pod: Pod): boolean {
  return !isPodTerminal(pod) && !pod.metadata.deletionTimestamp;
}

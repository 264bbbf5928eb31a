// How the scheduler names pods in its queue, cache and logs. The pod and node types are core's.

import type { Pod } from '../../core/types.js';

export function podKey(pod: Pod): string {
  return `${pod.metadata.namespace ?? 'default'}/${pod.metadata.name ?? ''}`;
}

/** Pods are identified by uid; fall back to namespace/name for objects in tests that have none. */
export function podUid(pod: Pod): string {
  return pod.metadata.uid ?? podKey(pod);
}

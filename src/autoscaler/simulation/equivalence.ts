// Pods that the scheduler cannot tell apart (same controller, labels and spec): what one of them does on a
// node, the next does too, so the planners decide once per class where they can. Upstream groups pending
// pods the same way (podEquivalenceGroups).

import { stableJson } from '../../core/json.js';
import type { Pod } from '../../core/types.js';
import type { PodInfo } from '../../scheduler/framework/pod-info.js';

const keys = new WeakMap<Pod, string>();

export function equivalenceKey(pod: Pod): string {
  let k = keys.get(pod);
  if (k !== undefined) return k;
  const owner = pod.metadata.ownerReferences?.find((o) => o.controller)?.uid;
  if (!owner) {
    // A pod without a controller is a class of its own.
    k = `pod/${pod.metadata.namespace}/${pod.metadata.name}/${pod.metadata.uid}`;
  } else {
    const { nodeName: _n, ...spec } = pod.spec ?? {};
    k = `${pod.metadata.namespace}/${owner}/${stableJson({ labels: pod.metadata.labels ?? {}, spec })}`;
  }
  keys.set(pod, k);
  return k;
}

/**
 * Whether a node that refused this pod keeps refusing its equivalents as the simulation fills nodes.
 * Not so for topology spread (skew moves as other domains fill) or required pod affinity (a pod it
 * needs may arrive), so those pods are checked against every node.
 */
export function refusalIsFinal(info: PodInfo): boolean {
  return info.spreadConstraints.length === 0 && info.requiredAffinity.length === 0;
}

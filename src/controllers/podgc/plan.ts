// Pure: which pods the pod garbage collector deletes (pkg/controller/podgc):
// - terminated pods (Succeeded/Failed) beyond the threshold, oldest first;
// - orphans: pods bound to a node that no longer exists (also those stuck terminating there);
// - terminating pods that were never scheduled (no kubelet will ever finish them).

import { isPodTerminal, type Pod } from '../../core/index.js';

export interface PodGcPlan {
  terminated: Pod[];
  orphaned: Pod[];
  unscheduledTerminating: Pod[];
}

const oldestFirst = (a: Pod, b: Pod) =>
  (a.metadata.creationTimestamp ?? '').localeCompare(b.metadata.creationTimestamp ?? '') ||
  (a.metadata.name ?? '').localeCompare(b.metadata.name ?? '');

export function planPodGc(
  pods: readonly Pod[],
  nodeExists: (name: string) => boolean,
  terminatedThreshold: number,
): PodGcPlan {
  const terminated = pods.filter((p) => isPodTerminal(p) && !p.metadata.deletionTimestamp);
  const excess = terminatedThreshold > 0 ? terminated.length - terminatedThreshold : 0;
  const plan: PodGcPlan = {
    terminated: excess > 0 ? [...terminated].sort(oldestFirst).slice(0, excess) : [],
    orphaned: [],
    unscheduledTerminating: [],
  };
  const taken = new Set(plan.terminated);
  for (const pod of pods) {
    if (taken.has(pod)) continue;
    const node = pod.spec?.nodeName;
    if (node && !nodeExists(node)) plan.orphaned.push(pod);
    else if (!node && pod.metadata.deletionTimestamp) plan.unscheduledTerminating.push(pod);
  }
  return plan;
}

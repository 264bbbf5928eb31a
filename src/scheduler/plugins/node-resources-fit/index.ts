// NodeResourcesFit: the pod's requests must fit in allocatable minus what pods on the node request.
// A shortage is unresolvable (preemption cannot help) when the request exceeds allocatable outright.

import type { FilterPlugin } from '../../framework/plugin.js';
import type { Status } from '../../framework/status.js';

export const TOO_MANY_PODS = 'Too many pods';

export function insufficientReason(resource: string): string {
  return `Insufficient ${resource}`;
}

export const nodeResourcesFit: FilterPlugin = {
  name: 'NodeResourcesFit',
  filter(_state, pod, node) {
    const reasons: string[] = [];
    let unresolvable = false;
    const alloc = node.allocatable;
    const used = node.requested;
    if (node.pods.length + 1 > alloc.allowedPodNumber) reasons.push(TOO_MANY_PODS);
    const req = pod.requests;
    for (const name in req) {
      const want = req[name]!;
      if (want <= 0 || name === 'pods') continue;
      const capacity = alloc.get(name);
      if (want > capacity - used.get(name)) {
        reasons.push(insufficientReason(name));
        if (want > capacity) unresolvable = true;
      }
    }
    if (reasons.length === 0) return null;
    // Upstream order: pods, cpu, memory, ephemeral-storage, then extended resources.
    reasons.sort((a, b) => reasonRank(a) - reasonRank(b));
    const status: Status = { code: unresolvable ? 'UnschedulableAndUnresolvable' : 'Unschedulable', reasons };
    return status;
  },
};

const RANK: Record<string, number> = {
  [TOO_MANY_PODS]: 0,
  'Insufficient cpu': 1,
  'Insufficient memory': 2,
  'Insufficient ephemeral-storage': 3,
};

function reasonRank(r: string): number {
  return RANK[r] ?? 4;
}

// How busy a node is, as upstream's utilization.Calculate: the pods' requests over the node's allocatable,
// for cpu and memory; the node's utilization is the larger of the two. Long-terminating pods do not count;
// DaemonSet and mirror pods count unless told otherwise (upstream --ignore-daemonsets-utilization,
// --ignore-mirror-pods-utilization, both false by default).

import { podRequests, resourceListAmounts } from '../../core/quantity/index.js';
import type { Node, Pod } from '../../core/types.js';
import { isDaemonSetPod, isLongTerminating, isMirrorPod } from './drainability.js';

export interface Utilization {
  cpu: number;
  memory: number;
  /** max(cpu, memory): compared with the scale-down threshold. */
  max: number;
}

export interface UtilizationOptions {
  ignoreDaemonSets?: boolean;
  ignoreMirrorPods?: boolean;
}

export function nodeUtilization(
  node: Node,
  pods: readonly Pod[],
  now: number,
  o: UtilizationOptions = {},
): Utilization {
  const alloc = resourceListAmounts(node.status?.allocatable ?? node.status?.capacity);
  let cpu = 0;
  let memory = 0;
  for (const p of pods) {
    if (isLongTerminating(p, now)) continue;
    if (o.ignoreDaemonSets && isDaemonSetPod(p)) continue;
    if (o.ignoreMirrorPods && isMirrorPod(p)) continue;
    const r = podRequests(p);
    cpu += r['cpu'] ?? 0;
    memory += r['memory'] ?? 0;
  }
  const share = (used: number, total: number | undefined) => (total ? used / total : 0);
  const u = { cpu: share(cpu, alloc['cpu']), memory: share(memory, alloc['memory']) };
  return { ...u, max: Math.max(u.cpu, u.memory) };
}

// Which pods count toward a replica owner and which go first on scale down (upstream
// controller.FilterActivePods and ActivePodsWithRanks), for every owner kind that keeps N interchangeable
// pods: ReplicaSets and ReplicationControllers.

import { isPodTerminal, type Pod, podCondition } from '../../core/index.js';
import { creationMs } from './pods.js';

/** Counts toward replicas: not finished and not being deleted. */
export function isPodActive(pod: Pod): boolean {
  return !isPodTerminal(pod) && !pod.metadata.deletionTimestamp;
}

const phaseOrder: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };

function restarts(pod: Pod): number {
  let max = 0;
  for (const c of pod.status?.containerStatuses ?? []) max = Math.max(max, c.restartCount ?? 0);
  return max;
}

function readySince(pod: Pod): number {
  const t = podCondition(pod, 'Ready')?.lastTransitionTime;
  return t ? Date.parse(t) : 0;
}

/** Negative when a should be deleted before b. rank: pods of the same owner family on the pod's node. */
export function compareForDeletion(a: Pod, b: Pod, rankA: number, rankB: number): number {
  const nodeA = a.spec?.nodeName ?? '';
  const nodeB = b.spec?.nodeName ?? '';
  // 1. unassigned < assigned
  if ((nodeA === '') !== (nodeB === '')) return nodeA === '' ? -1 : 1;
  // 2. Pending < Unknown < Running
  const pa = phaseOrder[a.status?.phase ?? 'Pending'] ?? 0;
  const pb = phaseOrder[b.status?.phase ?? 'Pending'] ?? 0;
  if (pa !== pb) return pa - pb;
  // 3. not ready < ready
  const ra = podCondition(a, 'Ready')?.status === 'True';
  const rb = podCondition(b, 'Ready')?.status === 'True';
  if (ra !== rb) return ra ? 1 : -1;
  // 4. more pods on the same node first
  if (rankA !== rankB) return rankB - rankA;
  // 5. ready for less time first
  if (ra && rb) {
    const sa = readySince(a);
    const sb = readySince(b);
    if (sa !== sb) return sb - sa;
  }
  // 6. more restarts first
  const xa = restarts(a);
  const xb = restarts(b);
  if (xa !== xb) return xb - xa;
  // 7. newer first
  return creationMs(b) - creationMs(a);
}

/**
 * The `count` pods to delete out of `pods`. `related` are the active pods of the whole owner family
 * (e.g. every ReplicaSet of a Deployment) used to rank how crowded each node is.
 */
export function podsToDelete(pods: Pod[], count: number, related: Pod[] = pods): Pod[] {
  if (count <= 0) return [];
  if (count >= pods.length) return [...pods];
  const perNode = new Map<string, number>();
  for (const p of related) {
    const n = p.spec?.nodeName;
    if (n) perNode.set(n, (perNode.get(n) ?? 0) + 1);
  }
  const rank = (p: Pod) => (p.spec?.nodeName ? (perNode.get(p.spec.nodeName) ?? 0) : 0);
  const ranked = pods.map((p) => ({ p, r: rank(p) }));
  ranked.sort((x, y) => compareForDeletion(x.p, y.p, x.r, y.r));
  return ranked.slice(0, count).map((x) => x.p);
}

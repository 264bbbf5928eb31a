// Pure decisions of the node lifecycle controller: is a node's heartbeat stale, what its conditions
// and NoExecute/NoSchedule taints should be, and when a pod on a tainted node must be evicted.
// After pkg/controller/nodelifecycle (tryUpdateNodeHealth, doNoExecuteTaintingPass) and
// pkg/controller/tainteviction (getMinTolerationTime).

import {
  isTolerated,
  type Lease,
  type Node,
  type NodeCondition,
  nodeCondition,
  type Pod,
  type PodCondition,
  parseTime,
  rfc3339,
  TAINT_DISK_PRESSURE,
  TAINT_MEMORY_PRESSURE,
  TAINT_NETWORK_UNAVAILABLE,
  TAINT_NOT_READY,
  TAINT_PID_PRESSURE,
  TAINT_UNREACHABLE,
  TAINT_UNSCHEDULABLE,
  type Taint,
  toleratesTaint,
  untoleratedTaints,
} from '../../core/index.js';

/** What we last saw of a node's heartbeat, and when (on our clock) it last changed. */
export interface HealthProbe {
  heartbeat: string;
  observedAt: number;
}

/**
 * Judges freshness on our own clock, as upstream does: the heartbeat value (lease renewTime, Ready
 * lastHeartbeatTime) only has to change; clock skew between node and controller does not matter.
 * A node seen for the first time gets a full grace period.
 */
export function observeHeartbeat(
  prev: HealthProbe | undefined,
  node: Node,
  lease: Lease | undefined,
  now: number,
): HealthProbe {
  const heartbeat = `${lease?.spec?.renewTime ?? ''}|${nodeCondition(node, 'Ready')?.lastHeartbeatTime ?? ''}`;
  if (prev && prev.heartbeat === heartbeat) return prev;
  return { heartbeat, observedAt: now };
}

const STATUS_UNKNOWN_REASON = 'NodeStatusUnknown';
const STATUS_UNKNOWN_MESSAGE = 'Kubelet stopped posting node status.';
const NEVER_UPDATED_REASON = 'NodeStatusNeverUpdated';
const NEVER_UPDATED_MESSAGE = 'Kubelet never posted node status.';
/** The kubelet-owned conditions that go Unknown with Ready (upstream nodeConditionTypes). */
const NODE_CONDITION_TYPES = ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure'];

/**
 * The node's conditions once the grace period has run out without a heartbeat, or undefined when
 * nothing must change (heartbeat fresh, or already Unknown).
 */
export function staleNodeConditions(
  node: Node,
  probe: HealthProbe,
  now: number,
  gracePeriodMs: number,
): NodeCondition[] | undefined {
  if (now - probe.observedAt <= gracePeriodMs) return undefined;
  const existing = node.status?.conditions ?? [];
  const stamp = rfc3339(now);
  let changed = false;
  const out: NodeCondition[] = existing.map((c) => ({ ...c }));
  for (const type of NODE_CONDITION_TYPES) {
    const c = out.find((x) => x.type === type);
    if (!c) {
      out.push({
        type,
        status: 'Unknown',
        reason: NEVER_UPDATED_REASON,
        message: NEVER_UPDATED_MESSAGE,
        lastHeartbeatTime: rfc3339(parseTime(node.metadata.creationTimestamp) ?? now),
        lastTransitionTime: stamp,
      });
      changed = true;
    } else if (c.status !== 'Unknown') {
      c.status = 'Unknown';
      c.reason = STATUS_UNKNOWN_REASON;
      c.message = STATUS_UNKNOWN_MESSAGE;
      c.lastTransitionTime = stamp;
      changed = true;
    }
  }
  return changed ? out : undefined;
}

/** TaintNodesByCondition: a condition that is True taints the node NoSchedule (upstream nodeConditionToTaintKeyStatusMap). */
const CONDITION_TAINTS: [string, string][] = [
  ['MemoryPressure', TAINT_MEMORY_PRESSURE],
  ['DiskPressure', TAINT_DISK_PRESSURE],
  ['PIDPressure', TAINT_PID_PRESSURE],
  ['NetworkUnavailable', TAINT_NETWORK_UNAVAILABLE],
];

const MANAGED_TAINT_KEYS = new Set([
  TAINT_NOT_READY,
  TAINT_UNREACHABLE,
  TAINT_UNSCHEDULABLE,
  ...CONDITION_TAINTS.map(([, key]) => key),
]);

/**
 * The taints the node should carry: not-ready (Ready=False) or unreachable (Ready=Unknown), each as
 * NoSchedule and NoExecute; unschedulable:NoSchedule for cordoned nodes; memory-, disk-, pid-pressure and
 * network-unavailable NoSchedule while that condition is True. Other taints are kept; a managed taint
 * already present keeps its timeAdded. Returns undefined when the list is already right.
 */
export function desiredNodeTaints(node: Node, now: number): Taint[] | undefined {
  const current = node.spec?.taints ?? [];
  const ready = nodeCondition(node, 'Ready');
  const want: Taint[] = [];
  if (ready?.status === 'False')
    want.push({ key: TAINT_NOT_READY, effect: 'NoSchedule' }, { key: TAINT_NOT_READY, effect: 'NoExecute' });
  if (ready === undefined || ready.status === 'Unknown') {
    want.push({ key: TAINT_UNREACHABLE, effect: 'NoSchedule' }, { key: TAINT_UNREACHABLE, effect: 'NoExecute' });
  }
  if (node.spec?.unschedulable) want.push({ key: TAINT_UNSCHEDULABLE, effect: 'NoSchedule' });
  for (const [type, key] of CONDITION_TAINTS) {
    if (nodeCondition(node, type)?.status === 'True') want.push({ key, effect: 'NoSchedule' });
  }

  const kept = current.filter((t) => !MANAGED_TAINT_KEYS.has(t.key));
  const managed = want.map((w) => {
    const have = current.find((t) => t.key === w.key && t.effect === w.effect);
    if (have) return have;
    return w.effect === 'NoExecute' ? { ...w, timeAdded: rfc3339(now) } : w;
  });
  const next = [...kept, ...managed];
  const same =
    next.length === current.length && next.every((t) => current.some((c) => c.key === t.key && c.effect === t.effect));
  return same ? undefined : next;
}

export type EvictionDecision = { kind: 'keep' } | { kind: 'evict' } | { kind: 'evictAt'; at: number };

/**
 * When a pod on a node with NoExecute taints must go: at once if some taint is not tolerated, else
 * after the smallest tolerationSeconds among the tolerations in use, counted from when the taint was
 * added. Tolerations without tolerationSeconds tolerate forever.
 */
export function podEviction(pod: Pod, nodeTaints: readonly Taint[] | undefined, now: number): EvictionDecision {
  if (pod.metadata.deletionTimestamp) return { kind: 'keep' };
  const noExecute = (nodeTaints ?? []).filter((t) => t.effect === 'NoExecute');
  if (noExecute.length === 0) return { kind: 'keep' };
  const tolerations = pod.spec?.tolerations ?? [];
  if (untoleratedTaints(noExecute, tolerations, ['NoExecute']).length > 0) return { kind: 'evict' };
  let at = Number.POSITIVE_INFINITY;
  for (const taint of noExecute) {
    if (!isTolerated(tolerations, taint)) continue;
    const added = parseTime(taint.timeAdded) ?? now;
    for (const t of tolerations) {
      if (!toleratesTaint(t, taint) || t.tolerationSeconds === undefined) continue;
      at = Math.min(at, added + Math.max(0, t.tolerationSeconds) * 1000);
    }
  }
  if (at === Number.POSITIVE_INFINITY) return { kind: 'keep' };
  return at <= now ? { kind: 'evict' } : { kind: 'evictAt', at };
}

/** The pod's conditions with Ready=False (upstream MarkPodsNotReady), or undefined if not Ready now. */
export function notReadyPodConditions(pod: Pod, now: number): PodCondition[] | undefined {
  const conditions = pod.status?.conditions ?? [];
  const ready = conditions.find((c) => c.type === 'Ready');
  if (!ready || ready.status !== 'True') return undefined;
  const stamp = rfc3339(now);
  return conditions.map((c) =>
    c.type === 'Ready' || c.type === 'ContainersReady'
      ? { ...c, status: 'False' as const, lastTransitionTime: stamp }
      : c,
  );
}

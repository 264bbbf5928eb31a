// The scale-down decision, pure (upstream core/scaledown/planner + eligibility + unneeded): a node of a
// group is unneeded while it is under the utilization threshold (or not Ready), none of its pods blocks
// (drainability rules, budgets) and every pod it would have to move fits on the other nodes (the
// scheduler's filters, in a simulation that keeps earlier candidates' pods where they went). A node
// unneeded for the unneeded time (unready time if not Ready) is removed, never taking a group below its
// minimum: empty nodes in bulk, nodes with pods to move a few at a time.

import { isReadyForAutoscaling } from '../readiness.js';
import type { Node, Pod, PodDisruptionBudget } from '../../core/types.js';
import { SCALE_DOWN_DISABLED_ANNOTATION } from '../well-known.js';
import type { NodeGroup } from '../node-groups.js';
import type { ClusterSimulation } from '../simulation/cluster.js';
import type { FitChecker } from '../simulation/fit.js';
import { placePods } from '../simulation/place.js';
import { DEFAULT_DRAIN_RULES, type DrainRules, podDrainability } from './drainability.js';
import { PdbTracker } from './pdb-tracker.js';
import { nodeUtilization } from './utilization.js';

export interface ScaleDownOptions extends DrainRules {
  /** Upstream --scale-down-utilization-threshold (0.5). */
  utilizationThreshold: number;
  /** Upstream --scale-down-unneeded-time (10 min). */
  unneededTimeMs: number;
  /** Upstream --scale-down-unready-time (20 min). */
  unreadyTimeMs: number;
  /** Upstream --ignore-daemonsets-utilization (false). */
  ignoreDaemonSetsUtilization: boolean;
  /** Upstream --max-empty-bulk-delete (10). */
  maxEmptyBulkDelete: number;
  /** Upstream --max-drain-parallelism (1). */
  maxDrainParallelism: number;
}

export const DEFAULT_SCALE_DOWN_OPTIONS: ScaleDownOptions = {
  ...DEFAULT_DRAIN_RULES,
  utilizationThreshold: 0.5,
  unneededTimeMs: 10 * 60_000,
  unreadyTimeMs: 20 * 60_000,
  ignoreDaemonSetsUtilization: false,
  maxEmptyBulkDelete: 10,
  maxDrainParallelism: 1,
};

/** Upstream's unremovable reasons (simulator.UnremovableReason), as shown in the status. */
export type UnremovableReason =
  | 'ScaleDownDisabledAnnotation'
  | 'NotUnderutilized'
  | 'BlockedByPod'
  | 'NoPlaceToMovePods'
  | 'NotUnneededLongEnough'
  | 'NotUnreadyLongEnough'
  | 'NodeGroupMinSizeReached'
  | 'CurrentlyBeingDeleted';

export interface CandidateNode {
  node: Node;
  group: NodeGroup;
  /** Pods bound to the node. */
  pods: Pod[];
}

export interface ScaleDownInput {
  now: number;
  /** Nodes of node groups (others are never removed). */
  candidates: readonly CandidateNode[];
  /** Where pods can go: every Ready node with its pods (candidates included; they are excluded as targets). */
  sim: ClusterSimulation;
  pdbs: readonly PodDisruptionBudget[];
  /** Nodes each group has now, those being deleted not counted. */
  groupSizes: ReadonlyMap<string, number>;
  /** When each node was first found unneeded (the previous plan's). */
  unneededSince: ReadonlyMap<string, number>;
  /** Nodes being drained or deleted already. */
  beingDeleted: ReadonlySet<string>;
  /** Drains of non-empty nodes in flight. */
  drainsInProgress: number;
  options: ScaleDownOptions;
  checker: FitChecker;
}

export interface NodeRemoval {
  node: string;
  group: NodeGroup;
  /** Evicted, to be rescheduled elsewhere. */
  podsToMove: Pod[];
  /** Evicted best effort. */
  daemonSetPods: Pod[];
}

export interface ScaleDownPlan {
  unneededSince: Map<string, number>;
  unremovable: Map<string, { reason: UnremovableReason; message?: string }>;
  /** Nodes to remove now: empty ones first. */
  remove: NodeRemoval[];
}

export function planScaleDown(input: ScaleDownInput): ScaleDownPlan {
  const { now, options } = input;
  const plan: ScaleDownPlan = { unneededSince: new Map(), unremovable: new Map(), remove: [] };
  const pdbs = new PdbTracker(input.pdbs);
  let sim = input.sim;
  const leaving = new Set(input.beingDeleted);
  const unneeded: Array<NodeRemoval & { ready: boolean }> = [];

  const sorted = [...input.candidates].sort((a, b) => (a.node.metadata.name! < b.node.metadata.name! ? -1 : 1));
  for (const c of sorted) {
    const name = c.node.metadata.name!;
    const mark = (reason: UnremovableReason, message?: string) => plan.unremovable.set(name, { reason, message });
    if (input.beingDeleted.has(name)) {
      mark('CurrentlyBeingDeleted');
      continue;
    }
    if (c.node.metadata.annotations?.[SCALE_DOWN_DISABLED_ANNOTATION] === 'true') {
      mark('ScaleDownDisabledAnnotation');
      continue;
    }
    const ready = isReadyForAutoscaling(c.node);
    if (ready) {
      const u = nodeUtilization(c.node, c.pods, now, { ignoreDaemonSets: options.ignoreDaemonSetsUtilization });
      if (u.max >= options.utilizationThreshold) {
        mark('NotUnderutilized', `utilization ${u.max.toFixed(3)}`);
        continue;
      }
    }
    const podsToMove: Pod[] = [];
    const daemonSetPods: Pod[] = [];
    let blocker: string | undefined;
    for (const p of c.pods) {
      const d = podDrainability(p, pdbs, options, now);
      if (d.kind === 'blocked') {
        blocker = `${d.reason}: ${d.message}`;
        break;
      }
      if (d.kind === 'move') podsToMove.push(p);
      else if (d.kind === 'daemonset') daemonSetPods.push(p);
    }
    // Each pod may fit its budget alone and the node's pods together not.
    const budget = blocker === undefined ? pdbs.blocking(podsToMove) : undefined;
    if (budget) {
      blocker = `NotEnoughPdb: not enough pod disruption budget to move ${budget.pod.metadata.namespace}/${budget.pod.metadata.name}`;
    }
    if (blocker !== undefined) {
      mark('BlockedByPod', blocker);
      continue;
    }
    const fork = sim.fork();
    const exclude = new Set([...leaving, name]);
    // As upstream, the moved pods are simulated without their nodeName (the NodeName filter would pin them).
    const placement = placePods(podsToMove.map(unbound), fork, input.checker, { exclude, stopOnFirstFailure: true });
    if (placement.unplaced.length > 0) {
      const p = placement.unplaced[0]!;
      mark('NoPlaceToMovePods', `no place to move ${p.metadata.namespace}/${p.metadata.name}`);
      continue;
    }
    // Later candidates see these pods where they went, and this node as gone.
    sim = fork;
    leaving.add(name);
    pdbs.remove(podsToMove);
    plan.unneededSince.set(name, input.unneededSince.get(name) ?? now);
    unneeded.push({ node: name, group: c.group, podsToMove, daemonSetPods, ready });
  }

  const left = new Map(input.groupSizes);
  let empty = 0;
  let drains = input.drainsInProgress;
  // Empty nodes first, as upstream: they cost nothing to remove.
  const ordered = [...unneeded].sort((a, b) => a.podsToMove.length - b.podsToMove.length);
  for (const u of ordered) {
    const since = plan.unneededSince.get(u.node)!;
    if (u.ready && now - since < options.unneededTimeMs) {
      plan.unremovable.set(u.node, { reason: 'NotUnneededLongEnough' });
      continue;
    }
    if (!u.ready && now - since < options.unreadyTimeMs) {
      plan.unremovable.set(u.node, { reason: 'NotUnreadyLongEnough' });
      continue;
    }
    const size = left.get(u.group.name) ?? 0;
    if (size - 1 < u.group.minSize) {
      plan.unremovable.set(u.node, { reason: 'NodeGroupMinSizeReached' });
      continue;
    }
    if (u.podsToMove.length === 0) {
      if (empty >= options.maxEmptyBulkDelete) continue;
      empty++;
    } else {
      if (drains >= options.maxDrainParallelism) continue;
      drains++;
    }
    left.set(u.group.name, size - 1);
    plan.remove.push({ node: u.node, group: u.group, podsToMove: u.podsToMove, daemonSetPods: u.daemonSetPods });
  }
  return plan;
}

/** The pod as it would be after eviction and re-creation: not bound to any node. */
function unbound(pod: Pod): Pod {
  const { nodeName: _n, ...spec } = pod.spec ?? { containers: [] };
  return { ...pod, spec };
}

// The scale-up decision, pure (upstream core/scaleup/orchestrator): pending pods that fit a node that
// exists or is coming are left to the scheduler; for the rest each group that may grow estimates how
// many template nodes would host them (binpacking with the scheduler's filters), the expander picks one
// option, and the pods it hosts are done. The others go round again with the chosen nodes in place, so
// pods that need different groups are all answered in one pass (upstream grows one group per loop).
// Pods no group can host get upstream's NotTriggerScaleUp message with the reasons counted per group.

import type { Pod } from '../../core/types.js';
import type { NodeGroup, NodeTemplate } from '../node-groups.js';
import { binpack } from '../simulation/binpacking.js';
import type { ClusterSimulation } from '../simulation/cluster.js';
import type { FitChecker } from '../simulation/fit.js';
import { byPriority, placePods } from '../simulation/place.js';
import { templateNode } from '../template.js';
import type { ExpansionOption, Expander } from './expander.js';

export const REASON_MAX_GROUP_SIZE = 'max node group size reached';
export const REASON_MAX_TOTAL = 'max node total count already reached';
export const REASON_BACKOFF = 'in backoff after failed scale-up';

export interface GroupForScaleUp {
  group: NodeGroup;
  /** What a new node of the group looks like (the declared template, or one from a real node). */
  template: NodeTemplate;
  /** Nodes the group has or is creating. */
  targetSize: number;
  /** Why the group may not grow now (counted as a reason for every pod), e.g. REASON_BACKOFF. */
  blocked?: string;
}

export interface ScaleUpInput {
  pending: readonly Pod[];
  /** Ready nodes with their pods, plus a template node for every node still coming up. */
  sim: ClusterSimulation;
  groups: readonly GroupForScaleUp[];
  expander: Expander;
  checker: FitChecker;
  /** Upstream --max-nodes-total; 0 means no limit. */
  maxNodesTotal?: number;
  /** Nodes in the cluster, those coming up included. */
  nodesTotal?: number;
  /** Upstream --max-nodes-per-scaleup. */
  maxNodesPerScaleUp?: number;
}

export interface ScaleUpIncrease {
  group: NodeGroup;
  from: number;
  to: number;
  pods: Pod[];
}

export interface ScaleUpPlan {
  increases: ScaleUpIncrease[];
  /** Pending pods that fit nodes that exist or are coming: the scheduler will place them. */
  schedulable: Pod[];
  /** Pods no increase helps, with upstream's event message. */
  notTriggered: Array<{ pod: Pod; message: string }>;
}

export const DEFAULT_MAX_NODES_PER_SCALE_UP = 1000;

/** Upstream's event text on a pod whose scale-up was triggered. */
export function triggeredMessage(i: ScaleUpIncrease): string {
  return `pod triggered scale-up: [{${i.group.name} ${i.from}->${i.to} (max: ${i.group.maxSize})}]`;
}

/** Upstream's "N reason" list, sorted as Go's sort.Strings. */
export function notTriggeredMessage(reasons: ReadonlyMap<string, number>): string {
  const parts = [...reasons].map(([r, n]) => `${n} ${r}`);
  parts.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return `pod didn't trigger scale-up: ${parts.length > 0 ? parts.join(', ') : 'no node groups'}`;
}

export function planScaleUp(input: ScaleUpInput): ScaleUpPlan {
  const plan: ScaleUpPlan = { increases: [], schedulable: [], notTriggered: [] };
  let sim = input.sim.fork();
  const first = placePods(byPriority(input.pending), sim, input.checker);
  plan.schedulable = [...first.placed.keys()];
  let remaining = first.unplaced;
  const targets = new Map(input.groups.map((g) => [g.group.name, g.targetSize]));
  let nodesTotal = input.nodesTotal ?? 0;
  let reasons = new Map<Pod, Map<string, number>>();
  let templateSeq = 0;

  for (let round = 0; round < input.groups.length && remaining.length > 0; round++) {
    reasons = new Map(remaining.map((p) => [p, new Map<string, number>()]));
    const count = (pod: Pod, reason: string) => {
      const m = reasons.get(pod)!;
      m.set(reason, (m.get(reason) ?? 0) + 1);
    };
    const options: Array<ExpansionOption & { sim: ClusterSimulation }> = [];
    for (const g of input.groups) {
      if (g.blocked) {
        for (const p of remaining) count(p, g.blocked);
        continue;
      }
      const target = targets.get(g.group.name)!;
      const totalRoom = input.maxNodesTotal ? input.maxNodesTotal - nodesTotal : Number.POSITIVE_INFINITY;
      const limit = Math.min(
        g.group.maxSize - target,
        totalRoom,
        input.maxNodesPerScaleUp ?? DEFAULT_MAX_NODES_PER_SCALE_UP,
      );
      const fork = sim.fork();
      const seq = templateSeq;
      const r = binpack({
        pods: remaining,
        sim: fork,
        newNode: (i) => templateNode(g.group, `template-node-for-${g.group.name}-${seq + i}`, g.template),
        limit: Math.max(0, limit),
        checker: input.checker,
      });
      templateSeq += r.nodeCount;
      for (const { pod, status } of r.neverFit) for (const reason of reasonsOf(status)) count(pod, reason);
      const overLimitReason = totalRoom < g.group.maxSize - target ? REASON_MAX_TOTAL : REASON_MAX_GROUP_SIZE;
      for (const pod of r.overLimit) count(pod, overLimitReason);
      if (r.nodeCount > 0)
        options.push({ group: g.group, template: g.template, nodeCount: r.nodeCount, pods: r.scheduled, sim: fork });
    }
    const best = input.expander(options) as (ExpansionOption & { sim: ClusterSimulation }) | undefined;
    if (!best) break;
    const from = targets.get(best.group.name)!;
    plan.increases.push({ group: best.group, from, to: from + best.nodeCount, pods: best.pods });
    targets.set(best.group.name, from + best.nodeCount);
    nodesTotal += best.nodeCount;
    sim = best.sim;
    const helped = new Set(best.pods);
    remaining = remaining.filter((p) => !helped.has(p));
    for (const p of helped) reasons.delete(p);
  }
  for (const pod of remaining)
    plan.notTriggered.push({ pod, message: notTriggeredMessage(reasons.get(pod) ?? new Map()) });
  return plan;
}

/** Each reason of a rejection counts once for the group (as upstream's predicate reasons). */
function reasonsOf(status: { reasons: string[] }): string[] {
  return status.reasons.length > 0 ? status.reasons : ['node(s) did not fit the pod'];
}

/** Groups below their minimum grow to it (Tutti's providers, unlike a cloud group, hold no machines of their own). */
export function minSizeIncreases(groups: readonly GroupForScaleUp[]): ScaleUpIncrease[] {
  return groups
    .filter((g) => !g.blocked && g.targetSize < g.group.minSize)
    .map((g) => ({ group: g.group, from: g.targetSize, to: g.group.minSize, pods: [] }));
}

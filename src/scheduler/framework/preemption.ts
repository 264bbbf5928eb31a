// Upstream's DefaultPreemption PostFilter, as pure decisions: what it reports, and whom it would evict where.
// Nodes rejected as Unresolvable (or not examined) get "Preemption is not helpful for scheduling";
// the others are re-filtered with every lower-priority pod removed. If some node would then fit,
// preemption could help and upstream adds no preemption text; planPreemption then picks the node and victims,
// which the scheduler (scheduler.ts preempt) nominates and evicts through its host.

import type { CycleState } from './cycle-state.js';
import { fitErrorMessage } from './fit-error.js';
import type { NodeInfo } from './node-info.js';
import type { PodInfo } from './pod-info.js';
import type { Profile } from './profile.js';
import type { Snapshot } from './snapshot.js';
import { type Status, unresolvable } from './status.js';

export const PREEMPTION_NOT_HELPFUL = 'Preemption is not helpful for scheduling';
export const NO_VICTIMS = 'No preemption victims found for incoming pod';

export interface PreemptionOutcome {
  /** Upstream's PostFilter message, or undefined when preemption could make room. */
  message: string | undefined;
  /** A node where evicting lower-priority pods would let the pod fit. */
  candidateNode?: string;
}

export function runFilters(profile: Profile, state: CycleState, pod: PodInfo, node: NodeInfo): Status | null {
  for (const f of profile.filter) {
    const s = f.filter(state, pod, node);
    if (s !== null && s.code !== 'Skip') {
      s.plugin ??= f.name;
      return s;
    }
  }
  return null;
}

export function diagnosePreemption(
  profile: Profile,
  state: CycleState,
  pod: PodInfo,
  snapshot: Snapshot,
  nodeStatuses: Map<string, Status>,
  skippedFilters: ReadonlySet<string>,
): PreemptionOutcome {
  if (pod.pod.spec?.preemptionPolicy === 'Never') {
    return { message: 'preemption: not eligible due to preemptionPolicy=Never.' };
  }
  const statuses = new Map<string, Status>();
  for (const node of snapshot.nodes) {
    const prior = nodeStatuses.get(node.name);
    if (!prior || prior.code !== 'Unschedulable') continue;
    const victims = node.pods.filter((p) => p.priority < pod.priority);
    if (victims.length === 0) {
      statuses.set(node.name, unresolvable(NO_VICTIMS));
      continue;
    }
    const trial = node.clone();
    for (const v of victims) trial.removePod(v.uid);
    const s = runFiltersExcept(profile, state, pod, trial, skippedFilters);
    if (s === null) return { message: undefined, candidateNode: node.name };
    statuses.set(node.name, s);
  }
  for (const node of snapshot.nodes) {
    if (!statuses.has(node.name)) statuses.set(node.name, unresolvable(PREEMPTION_NOT_HELPFUL));
  }
  return {
    message: `preemption: ${fitErrorMessage({ numAllNodes: snapshot.nodes.length, nodeStatuses: statuses })}`,
  };
}

function runFiltersExcept(
  profile: Profile,
  state: CycleState,
  pod: PodInfo,
  node: NodeInfo,
  skipped: ReadonlySet<string>,
): Status | null {
  for (const f of profile.filter) {
    if (skipped.has(f.name)) continue;
    const s = f.filter(state, pod, node);
    if (s !== null && s.code !== 'Skip') return s;
  }
  return null;
}

/** Upstream DefaultPreemption's choice: the node to nominate and the pods to evict there. */
export interface PreemptionPlan {
  node: string;
  victims: PodInfo[];
}

/**
 * Upstream SelectVictimsOnNode: remove every strictly lower-priority pod, check that the pod then fits,
 * then reprieve the removed pods from the highest priority down, keeping each one that still lets the pod
 * fit. Returns the victims, or undefined when even removing all of them does not help.
 */
export function selectVictimsOnNode(
  profile: Profile,
  state: CycleState,
  pod: PodInfo,
  node: NodeInfo,
  skippedFilters: ReadonlySet<string> = new Set(),
): PodInfo[] | undefined {
  const lower = node.pods.filter((p) => p.priority < pod.priority);
  if (lower.length === 0) return undefined;
  const trial = node.clone();
  for (const v of lower) trial.removePod(v.uid);
  if (runFiltersExcept(profile, state, pod, trial, skippedFilters) !== null) return undefined;
  // Highest priority first (then the most recently started, as upstream's MoreImportantPod).
  const order = lower.slice().sort((a, b) => b.priority - a.priority || startOf(a) - startOf(b));
  const victims: PodInfo[] = [];
  for (const p of order) {
    trial.addPod(p);
    if (runFiltersExcept(profile, state, pod, trial, skippedFilters) !== null) {
      trial.removePod(p.uid);
      victims.push(p);
    }
  }
  return victims;
}

function startOf(p: PodInfo): number {
  const t = p.pod.status?.startTime ?? p.pod.metadata.creationTimestamp;
  return t ? Date.parse(t) : 0;
}

/**
 * Upstream pickOneNodeForPreemption (without PDBs): the lowest "highest victim priority", then the smallest
 * sum of victim priorities, then the fewest victims, then the latest start among the highest-priority victims.
 */
export function pickPreemptionNode(candidates: PreemptionPlan[]): PreemptionPlan | undefined {
  let best: PreemptionPlan | undefined;
  let bestKey: number[] = [];
  for (const c of candidates) {
    if (c.victims.length === 0) return c;
    const maxPrio = Math.max(...c.victims.map((v) => v.priority));
    const sum = c.victims.reduce((s, v) => s + v.priority + 2147483648, 0);
    const earliestTop = Math.min(...c.victims.filter((v) => v.priority === maxPrio).map(startOf));
    const key = [maxPrio, sum, c.victims.length, -earliestTop];
    if (!best || lexLess(key, bestKey)) {
      best = c;
      bestKey = key;
    }
  }
  return best;
}

function lexLess(a: number[], b: number[]): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! < b[i]!;
  return false;
}

/**
 * The DefaultPreemption PostFilter decision: for every node that failed a resolvable filter, the victims
 * that would let the pod fit there; then the best node. Pods with preemptionPolicy Never do not preempt.
 */
export function planPreemption(
  profile: Profile,
  state: CycleState,
  pod: PodInfo,
  snapshot: Snapshot,
  nodeStatuses: Map<string, Status>,
  skippedFilters: ReadonlySet<string> = new Set(),
): PreemptionPlan | undefined {
  if (pod.pod.spec?.preemptionPolicy === 'Never') return undefined;
  const candidates: PreemptionPlan[] = [];
  for (const node of snapshot.nodes) {
    const prior = nodeStatuses.get(node.name);
    if (!prior || prior.code !== 'Unschedulable') continue;
    const victims = selectVictimsOnNode(profile, state, pod, node, skippedFilters);
    if (victims) candidates.push({ node: node.name, victims });
  }
  return pickPreemptionNode(candidates);
}

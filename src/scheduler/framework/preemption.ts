// What upstream's DefaultPreemption PostFilter would report, without evicting anything.
// Nodes rejected as Unresolvable (or not examined) get "Preemption is not helpful for scheduling";
// the others are re-filtered with every lower-priority pod removed. If some node would then fit,
// preemption could help and upstream adds no preemption text; Tutti does not evict victims yet.

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

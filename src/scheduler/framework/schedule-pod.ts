// One scheduling decision (upstream schedulePod): PreFilter, a rotating feasible-node search that stops
// after numFeasibleNodesToFind nodes, PreScore/Score/NormalizeScore with weights, random tie break.

import type { Pod } from '../../core/types.js';
import { CycleState } from './cycle-state.js';
import { type Diagnosis, fitErrorMessage, NO_NODES_AVAILABLE_MSG, reasonHistogram } from './fit-error.js';
import type { NodeInfo } from './node-info.js';
import { type PodInfo, podInfoOf } from './pod-info.js';
import { diagnosePreemption, type PreemptionPlan, planPreemption } from './preemption.js';
import { numFeasibleNodesToFind, type Profile } from './profile.js';
import type { Snapshot } from './snapshot.js';
import { type Status, statusMessage } from './status.js';

export type ScheduleResult =
  | {
      node: string;
      evaluatedNodes: number;
      feasibleNodes: number;
      /** The cycle's state, for the Reserve plugins once the pod is assumed on the node. */
      state: CycleState;
    }
  | {
      unschedulable: true;
      message: string;
      /** Count of nodes per rejection reason (the histogram behind the message). */
      reasons: Map<string, number>;
      /** Set when evicting lower-priority pods on this node would make room. */
      preemptionCandidate?: string;
      /** The DefaultPreemption PostFilter's choice: the node to nominate and the pods to evict there. */
      preemption?: PreemptionPlan;
    };

export class SchedulingError extends Error {
  constructor(
    readonly plugin: string,
    message: string,
  ) {
    super(`plugin ${plugin}: ${message}`);
    this.name = 'SchedulingError';
  }
}

export function schedulePod(pod: Pod, snapshot: Snapshot, profile: Profile): ScheduleResult {
  const n = snapshot.nodes.length;
  if (n === 0) return { unschedulable: true, message: NO_NODES_AVAILABLE_MSG, reasons: new Map() };
  const info = podInfoOf(pod);
  const state = new CycleState();

  const skippedFilters = new Set<string>();
  for (const p of profile.preFilter) {
    const s = p.preFilter(state, info, snapshot);
    if (s === null) continue;
    if (s.code === 'Skip') {
      skippedFilters.add(p.name);
      continue;
    }
    if (s.code === 'Error') throw new SchedulingError(p.name, statusMessage(s));
    s.plugin = p.name;
    return prefilterFailure(s, profile, state, info, snapshot);
  }

  const nodeStatuses = new Map<string, Status>();
  const feasible = findFeasibleNodes(profile, state, info, snapshot, skippedFilters, nodeStatuses);
  if (feasible.nodes.length === 0) {
    const pre = diagnosePreemption(profile, state, info, snapshot, nodeStatuses, skippedFilters);
    const diagnosis: Diagnosis = { numAllNodes: n, nodeStatuses, postFilterMsg: pre.message };
    const plan = pre.candidateNode
      ? planPreemption(profile, state, info, snapshot, nodeStatuses, skippedFilters)
      : undefined;
    return {
      unschedulable: true,
      message: fitErrorMessage(diagnosis),
      reasons: reasonHistogram(nodeStatuses.values()),
      ...(pre.candidateNode ? { preemptionCandidate: pre.candidateNode } : {}),
      ...(plan ? { preemption: plan } : {}),
    };
  }
  const chosen =
    feasible.nodes.length === 1 ? feasible.nodes[0]! : pickHost(profile, state, info, feasible.nodes, snapshot);
  return { node: chosen.name, evaluatedNodes: feasible.evaluated, feasibleNodes: feasible.nodes.length, state };
}

function prefilterFailure(
  s: Status,
  profile: Profile,
  state: CycleState,
  pod: PodInfo,
  snapshot: Snapshot,
): ScheduleResult {
  // Upstream marks every node with the PreFilter status (as unresolvable) and shows its text once.
  const nodeStatuses = new Map<string, Status>();
  const asUnresolvable: Status = { ...s, code: 'UnschedulableAndUnresolvable' };
  for (const node of snapshot.nodes) nodeStatuses.set(node.name, asUnresolvable);
  const pre = diagnosePreemption(profile, state, pod, snapshot, nodeStatuses, new Set());
  return {
    unschedulable: true,
    message: fitErrorMessage({
      numAllNodes: snapshot.nodes.length,
      preFilterMsg: statusMessage(s),
      nodeStatuses,
      postFilterMsg: pre.message,
    }),
    reasons: reasonHistogram(nodeStatuses.values()),
  };
}

function findFeasibleNodes(
  profile: Profile,
  state: CycleState,
  pod: PodInfo,
  snapshot: Snapshot,
  skipped: ReadonlySet<string>,
  nodeStatuses: Map<string, Status>,
): { nodes: NodeInfo[]; evaluated: number } {
  const all = snapshot.nodes;
  const n = all.length;
  const want = numFeasibleNodesToFind(profile.percentageOfNodesToScore, n);
  const filters = skipped.size === 0 ? profile.filter : profile.filter.filter((f) => !skipped.has(f.name));
  const start = profile.nextStartNodeIndex % n;
  const feasible: NodeInfo[] = [];
  let evaluated = 0;
  for (; evaluated < n && feasible.length < want; evaluated++) {
    const node = all[(start + evaluated) % n]!;
    let rejected: Status | null = null;
    for (const f of filters) {
      const s = f.filter(state, pod, node);
      if (s === null || s.code === 'Skip') continue;
      if (s.code === 'Error') throw new SchedulingError(f.name, statusMessage(s));
      s.plugin ??= f.name;
      rejected = s;
      break;
    }
    if (rejected) nodeStatuses.set(node.name, rejected);
    else feasible.push(node);
  }
  profile.nextStartNodeIndex = (start + evaluated) % n;
  return { nodes: feasible, evaluated };
}

function pickHost(profile: Profile, state: CycleState, pod: PodInfo, nodes: NodeInfo[], snapshot: Snapshot): NodeInfo {
  const totals = new Float64Array(nodes.length);
  const scores = new Float64Array(nodes.length);
  const skipped = new Set<string>();
  for (const p of profile.preScore) {
    const s = p.preScore(state, pod, nodes, snapshot);
    if (s === null) continue;
    if (s.code === 'Skip') skipped.add(p.name);
    else throw new SchedulingError(p.name, statusMessage(s));
  }
  for (const { plugin, weight } of profile.score) {
    if (skipped.has(plugin.name)) continue;
    for (let i = 0; i < nodes.length; i++) scores[i] = plugin.score(state, pod, nodes[i]!);
    plugin.normalizeScore?.(state, pod, scores);
    for (let i = 0; i < nodes.length; i++) totals[i] += scores[i]! * weight;
  }
  // Reservoir sampling among the top scores, as upstream selectHost does.
  let best = 0;
  let ties = 1;
  for (let i = 1; i < nodes.length; i++) {
    if (totals[i]! > totals[best]!) {
      best = i;
      ties = 1;
    } else if (totals[i] === totals[best]) {
      ties++;
      if (Math.floor(profile.random() * ties) === 0) best = i;
    }
  }
  return nodes[best]!;
}

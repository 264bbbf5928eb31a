// How many new nodes of one template a set of pending pods needs (upstream's BinpackingNodeEstimator):
// first-fit decreasing. Pods are sorted by their share of the template's cpu + memory, largest first; each
// goes on the first new node that takes it (checked with the scheduler's filters), else on a fresh
// template node, while the group's limit allows. A pod that does not fit an empty template node never will.

import { resourceListAmounts } from '../../core/quantity/index.js';
import type { Node, Pod } from '../../core/types.js';
import type { NodeInfo } from '../../scheduler/framework/node-info.js';
import { type PodInfo, podInfoOf } from '../../scheduler/framework/pod-info.js';
import type { Status } from '../../scheduler/framework/status.js';
import type { ClusterSimulation } from './cluster.js';
import { equivalenceKey, refusalIsFinal } from './equivalence.js';
import { type FitChecker, isPrepared } from './fit.js';

export interface BinpackInput {
  pods: readonly Pod[];
  /** The cluster the new nodes join (changed: the new nodes and placed pods are added to it). */
  sim: ClusterSimulation;
  /** The i-th new node of the template (a name unique in the simulation). */
  newNode: (i: number) => Node;
  /** Most new nodes that may be added. */
  limit: number;
  checker: FitChecker;
}

export interface BinpackResult {
  nodeCount: number;
  /** Pods placed on the new nodes. */
  scheduled: Pod[];
  /** Pods that fit an empty template node but found no room within the limit. */
  overLimit: Pod[];
  /** Pods that do not fit an empty template node, with the scheduler's reason. */
  neverFit: Array<{ pod: Pod; status: Status }>;
}

/** Largest share of the template first (upstream sorts by cpu/allocatable + memory/allocatable). */
export function sortForBinpacking(pods: readonly Pod[], template: Node): Pod[] {
  const alloc = resourceListAmounts(template.status?.allocatable ?? template.status?.capacity);
  const cpu = alloc['cpu'] || 1;
  const mem = alloc['memory'] || 1;
  const score = new Map<Pod, number>();
  for (const p of pods) {
    const r = podInfoOf(p).requests;
    score.set(p, (r['cpu'] ?? 0) / cpu + (r['memory'] ?? 0) / mem);
  }
  return [...pods].sort((a, b) => score.get(b)! - score.get(a)!);
}

export function binpack(input: BinpackInput): BinpackResult {
  const { sim, checker } = input;
  const result: BinpackResult = { nodeCount: 0, scheduled: [], overLimit: [], neverFit: [] };
  const newNodes: NodeInfo[] = [];
  // Nodes only fill up, so a node that refused one pod of a class refuses the next: each class
  // resumes where the last one stopped (upstream skips the same way for equivalent pods).
  const firstCandidate = new Map<string, number>();
  const neverFitByClass = new Map<string, Status>();
  const ordered = sortForBinpacking(input.pods, input.newNode(0));

  for (const pod of ordered) {
    const info = podInfoOf(pod);
    const cls = equivalenceKey(pod);
    const known = neverFitByClass.get(cls);
    if (known) {
      result.neverFit.push({ pod, status: known });
      continue;
    }
    const resumable = refusalIsFinal(info) ? cls : undefined;
    // Every new node refused this class already: straight to a fresh node, without a PreFilter run.
    const allRefused = resumable !== undefined && (firstCandidate.get(resumable) ?? 0) >= newNodes.length;
    if (!allRefused && placeOnExisting(info, resumable, newNodes, firstCandidate, input)) {
      result.scheduled.push(pod);
      continue;
    }
    if (newNodes.length >= input.limit) {
      result.overLimit.push(pod);
      continue;
    }
    const node = sim.addNode(input.newNode(newNodes.length));
    // The new node may be a new topology domain, so PreFilter runs again with it in the snapshot.
    const prepared = checker.prepare(info, sim.snapshot);
    const status = isPrepared(prepared) ? checker.fits(prepared, node) : prepared;
    if (status) {
      sim.removeNode(node.name);
      neverFitByClass.set(cls, status);
      result.neverFit.push({ pod, status });
      continue;
    }
    sim.addPod(info, node.name);
    newNodes.push(sim.get(node.name)!);
    result.scheduled.push(pod);
  }
  result.nodeCount = newNodes.length;
  return result;
}

function placeOnExisting(
  info: PodInfo,
  cls: string | undefined,
  newNodes: NodeInfo[],
  firstCandidate: Map<string, number>,
  input: BinpackInput,
): boolean {
  const prepared = input.checker.prepare(info, input.sim.snapshot);
  if (!isPrepared(prepared)) return false;
  let start = cls === undefined ? 0 : (firstCandidate.get(cls) ?? 0);
  let placed = false;
  for (let i = start; i < newNodes.length; i++) {
    const node = newNodes[i]!;
    if (input.checker.fits(prepared, node) === null) {
      input.sim.addPod(info, node.name);
      placed = true;
      break;
    }
    if (i === start) start++;
  }
  if (cls !== undefined) firstCandidate.set(cls, start);
  return placed;
}

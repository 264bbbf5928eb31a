// Places pods on the nodes a simulation already has, as the scheduler would find room for them (its
// filters; the first node that fits, not the best-scored one, as upstream's FilterOutSchedulable and
// its scale-down rescheduling simulation do). Placed pods stay in the simulation, so later pods see them.

import type { Pod } from '../../core/types.js';
import { podInfoOf } from '../../scheduler/framework/pod-info.js';
import type { ClusterSimulation } from './cluster.js';
import { equivalenceKey, refusalIsFinal } from './equivalence.js';
import { type FitChecker, isPrepared } from './fit.js';

export interface Placement {
  /** Pod -> the node it went to. */
  placed: Map<Pod, string>;
  unplaced: Pod[];
}

export interface PlaceOptions {
  /** Nodes that must not receive pods (the node being emptied, nodes being removed). */
  exclude?: ReadonlySet<string>;
  /** Stop at the first pod that finds no node (scale-down: one homeless pod keeps the node). */
  stopOnFirstFailure?: boolean;
}

/** Higher priority first, as the scheduler's queue orders them; otherwise the given order. */
export function byPriority(pods: readonly Pod[]): Pod[] {
  return pods
    .map((p, i) => ({ p, i }))
    .sort((a, b) => (b.p.spec?.priority ?? 0) - (a.p.spec?.priority ?? 0) || a.i - b.i)
    .map((x) => x.p);
}

export function placePods(
  pods: readonly Pod[],
  sim: ClusterSimulation,
  checker: FitChecker,
  opts: PlaceOptions = {},
): Placement {
  const out: Placement = { placed: new Map(), unplaced: [] };
  // Nodes only fill up during a placement, so a node that refused a pod refuses its equivalents.
  const firstCandidate = new Map<string, number>();
  for (const pod of pods) {
    const info = podInfoOf(pod);
    const cls = refusalIsFinal(info) ? equivalenceKey(pod) : undefined;
    const prepared = checker.prepare(info, sim.snapshot);
    let target: string | undefined;
    if (isPrepared(prepared)) {
      const nodes = sim.nodes;
      let start = cls === undefined ? 0 : (firstCandidate.get(cls) ?? 0);
      for (let i = start; i < nodes.length; i++) {
        const node = nodes[i]!;
        if (!opts.exclude?.has(node.name) && checker.fits(prepared, node) === null) {
          target = node.name;
          break;
        }
        if (i === start) start++;
      }
      if (cls !== undefined) firstCandidate.set(cls, start);
    }
    if (target === undefined) {
      out.unplaced.push(pod);
      if (opts.stopOnFirstFailure) return out;
      continue;
    }
    sim.addPod(info, target);
    out.placed.set(pod, target);
  }
  return out;
}

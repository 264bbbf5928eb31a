// Whether a pod fits a node, decided by the scheduler's own PreFilter and Filter plugins (the default
// profile's), as upstream's SchedulerBasedPredicateChecker: no copy of any scheduling rule lives here.
// PreFilter reads the whole snapshot (spread counts, affinity pairs), so a pod is prepared once against
// the snapshot as it stands, then checked against as many nodes as needed.

import { defaultProfile } from '../../scheduler/default-profile.js';
import { CycleState } from '../../scheduler/framework/cycle-state.js';
import type { NodeInfo } from '../../scheduler/framework/node-info.js';
import type { PodInfo } from '../../scheduler/framework/pod-info.js';
import type { Profile } from '../../scheduler/framework/profile.js';
import type { Snapshot } from '../../scheduler/framework/snapshot.js';
import { type Status, statusMessage } from '../../scheduler/framework/status.js';

/** A pod after PreFilter: its cycle state and the filters PreFilter said to skip. */
export interface PreparedPod {
  pod: PodInfo;
  state: CycleState;
  skipped: ReadonlySet<string>;
}

/** A plugin failed with an Error status (a bug or an invalid object, not a "does not fit"). */
export class SimulationError extends Error {
  constructor(plugin: string, message: string) {
    super(`plugin ${plugin}: ${message}`);
    this.name = 'SimulationError';
  }
}

export class FitChecker {
  constructor(private readonly profile: Profile = defaultProfile()) {}

  /** Runs PreFilter; a rejection here means no node of this snapshot can take the pod. */
  prepare(pod: PodInfo, snapshot: Snapshot): PreparedPod | Status {
    const state = new CycleState();
    const skipped = new Set<string>();
    for (const p of this.profile.preFilter) {
      const s = p.preFilter(state, pod, snapshot);
      if (s === null) continue;
      if (s.code === 'Skip') skipped.add(p.name);
      else if (s.code === 'Error') throw new SimulationError(p.name, statusMessage(s));
      else return { ...s, plugin: p.name };
    }
    return { pod, state, skipped };
  }

  /** null when the prepared pod fits the node, else the first filter's rejection. */
  fits(prepared: PreparedPod, node: NodeInfo): Status | null {
    for (const f of this.profile.filter) {
      if (prepared.skipped.has(f.name)) continue;
      const s = f.filter(prepared.state, prepared.pod, node);
      if (s === null || s.code === 'Skip') continue;
      if (s.code === 'Error') throw new SimulationError(f.name, statusMessage(s));
      return { ...s, plugin: s.plugin ?? f.name };
    }
    return null;
  }

  /** Prepare + fits for one node: the rejection (from PreFilter or a Filter), or null. */
  check(pod: PodInfo, node: NodeInfo, snapshot: Snapshot): Status | null {
    const p = this.prepare(pod, snapshot);
    return isPrepared(p) ? this.fits(p, node) : p;
  }
}

export function isPrepared(p: PreparedPod | Status): p is PreparedPod {
  return 'state' in p;
}

// Disruptions left in each PodDisruptionBudget while a scale-down pass removes nodes one after another
// (upstream's RemainingPdbTracker): a PDB allows status.disruptionsAllowed evictions, and every matching
// pod of a node chosen for removal uses one. Budgets without a status yet allow none, as upstream.

import { type LabelSelector, selectorOrNothing } from '../../core/selectors/index.js';
import type { PodDisruptionBudget, Pod } from '../../core/types.js';

interface Budget {
  pdb: PodDisruptionBudget;
  namespace: string;
  selector: LabelSelector;
  remaining: number;
}

export class PdbTracker {
  private readonly budgets: Budget[];

  constructor(pdbs: readonly PodDisruptionBudget[]) {
    this.budgets = pdbs.map((pdb) => ({
      pdb,
      namespace: pdb.metadata.namespace ?? 'default',
      selector: selectorOrNothing(pdb.spec?.selector),
      remaining: pdb.status?.disruptionsAllowed ?? 0,
    }));
  }

  matching(pod: Pod): PodDisruptionBudget[] {
    return this.budgetsOf(pod).map((b) => b.pdb);
  }

  /** The first pod whose budget would run out if all these pods were evicted, with that budget. */
  blocking(pods: readonly Pod[]): { pod: Pod; pdb: PodDisruptionBudget } | undefined {
    const used = new Map<Budget, number>();
    for (const pod of pods) {
      for (const b of this.budgetsOf(pod)) {
        const n = (used.get(b) ?? 0) + 1;
        if (n > b.remaining) return { pod, pdb: b.pdb };
        used.set(b, n);
      }
    }
    return undefined;
  }

  /** Spends the pods' disruptions (their node is going). */
  remove(pods: readonly Pod[]): void {
    for (const pod of pods) for (const b of this.budgetsOf(pod)) b.remaining--;
  }

  private budgetsOf(pod: Pod): Budget[] {
    const ns = pod.metadata.namespace ?? 'default';
    const labels = pod.metadata.labels ?? {};
    return this.budgets.filter((b) => b.namespace === ns && b.selector.matches(labels));
  }
}

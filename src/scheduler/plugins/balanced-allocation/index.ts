// NodeResourcesBalancedAllocation: favour nodes whose cpu and memory utilisation stay close after
// placing the pod: score = (1 - std(fractions)) * 100, where std of two fractions is |a - b| / 2.

import { MAX_NODE_SCORE, type ScorePlugin } from '../../framework/plugin.js';

export function balancedScore(fractions: readonly number[]): number {
  if (fractions.length === 0) return 0;
  let std = 0;
  if (fractions.length === 2) {
    std = Math.abs((fractions[0]! - fractions[1]!) / 2);
  } else if (fractions.length > 2) {
    const mean = fractions.reduce((a, b) => a + b, 0) / fractions.length;
    std = Math.sqrt(fractions.reduce((a, f) => a + (f - mean) ** 2, 0) / fractions.length);
  }
  return Math.trunc((1 - std) * MAX_NODE_SCORE);
}

function fraction(requested: number, capacity: number): number {
  return capacity === 0 ? 0 : Math.min(1, requested / capacity);
}

export const balancedAllocation: ScorePlugin = {
  name: 'NodeResourcesBalancedAllocation',
  score(_state, pod, node) {
    // Upstream uses actual requests here (no defaults for empty containers).
    const cpu = fraction(node.requested.milliCpu + (pod.requests['cpu'] ?? 0), node.allocatable.milliCpu);
    const mem = fraction(node.requested.memory + (pod.requests['memory'] ?? 0), node.allocatable.memory);
    return balancedScore([cpu, mem]);
  },
};

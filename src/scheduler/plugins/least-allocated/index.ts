// NodeResourcesLeastAllocated: favour nodes with more free cpu and memory after placing the pod.
// score = mean over resources of (allocatable - requested) * 100 / allocatable, using requests with
// defaults (100m, 200Mi) for containers that request nothing, as upstream does for scoring.

import { MAX_NODE_SCORE, type ScorePlugin } from '../../framework/plugin.js';

export function leastRequestedScore(requested: number, capacity: number): number {
  if (capacity === 0 || requested > capacity) return 0;
  return Math.trunc(((capacity - requested) * MAX_NODE_SCORE) / capacity);
}

export const leastAllocated: ScorePlugin = {
  name: 'NodeResourcesLeastAllocated',
  score(_state, pod, node) {
    const cpu = leastRequestedScore(node.nonZeroCpu + pod.nonZeroCpu, node.allocatable.milliCpu);
    const mem = leastRequestedScore(node.nonZeroMemory + pod.nonZeroMemory, node.allocatable.memory);
    return Math.trunc((cpu + mem) / 2);
  },
};

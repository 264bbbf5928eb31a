// The unschedulable message, byte-compatible with upstream FitError.Error() (framework/types.go):
//   "0/N nodes are available: <prefilter msg>. <sorted 'count reason' list>. <postfilter msg>."

import type { Status } from './status.js';

export interface Diagnosis {
  numAllNodes: number;
  /** Set when a PreFilter plugin rejected the pod (then per-node reasons are not listed). */
  preFilterMsg?: string;
  /** Status of each rejected node, by node name. */
  nodeStatuses: Map<string, Status>;
  /** Message of the PostFilter (preemption) step, e.g. "preemption: 0/3 nodes are available: ...". */
  postFilterMsg?: string;
}

export function reasonHistogram(statuses: Iterable<Status>): Map<string, number> {
  const counts = new Map<string, number>();
  for (const s of statuses) for (const r of s.reasons) counts.set(r, (counts.get(r) ?? 0) + 1);
  return counts;
}

export function fitErrorMessage(d: Diagnosis): string {
  let msg = `0/${d.numAllNodes} nodes are available:`;
  if (d.preFilterMsg) {
    msg += ` ${d.preFilterMsg}.`;
  } else {
    // Go's sort.Strings on "count reason" strings: plain byte order, so "10 x" sorts before "2 y".
    const parts = [...reasonHistogram(d.nodeStatuses.values())].map(([r, n]) => `${n} ${r}`);
    parts.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    if (parts.length > 0) msg += ` ${parts.join(', ')}.`;
  }
  if (d.postFilterMsg) msg += ` ${d.postFilterMsg}.`;
  return msg;
}

export const NO_NODES_AVAILABLE_MSG = 'no nodes available to schedule pods';

// When the autoscaler counts a node as Ready (upstream kubernetes.GetReadinessState): its Ready condition
// is True and the node lifecycle controller has taken its not-ready/unreachable taints off. A node that
// reports Ready before its taints are gone still refuses pods; counted as ready, it would look full and
// trigger another scale-up for pods already on their way to it.

import { isNodeReady } from '../core/pods.js';
import { TAINT_NOT_READY, TAINT_UNREACHABLE } from '../core/scheduling/taints.js';
import type { Node } from '../core/types.js';

export function isReadyForAutoscaling(node: Node): boolean {
  if (!isNodeReady(node)) return false;
  return !(node.spec?.taints ?? []).some((t) => t.key === TAINT_NOT_READY || t.key === TAINT_UNREACHABLE);
}

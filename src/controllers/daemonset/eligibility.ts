// Which nodes a DaemonSet's pod belongs on (upstream daemon_controller NodeShouldRunDaemonPod): the
// node name, nodeSelector and required node affinity must match (core podFitsNodePlacement), and its
// NoSchedule/NoExecute taints must be tolerated. An untolerated NoExecute taint also means an existing
// pod must go.

import { type Node, type PodSpec, podFitsNodePlacement, untoleratedTaints } from '../../core/index.js';

export interface NodeFit {
  shouldRun: boolean;
  shouldContinueRunning: boolean;
}

/** spec is the pod spec the daemon pod would get (with the daemonset tolerations added). */
export function nodeShouldRunDaemonPod(spec: PodSpec, node: Node): NodeFit {
  if (!podFitsNodePlacement(spec, node)) return { shouldRun: false, shouldContinueRunning: false };
  const taints = node.spec?.taints;
  const noExecute = untoleratedTaints(taints, spec.tolerations, ['NoExecute']).length > 0;
  const noSchedule = untoleratedTaints(taints, spec.tolerations, ['NoSchedule']).length > 0;
  return { shouldRun: !noExecute && !noSchedule, shouldContinueRunning: !noExecute };
}

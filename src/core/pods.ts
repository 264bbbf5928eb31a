// Small upstream helpers on pods and nodes (k8s.io/kubernetes/pkg/api/v1/pod, node util).
import type { Node, NodeCondition, Pod, PodCondition } from './types.js';

export function podCondition(pod: Pod, type: string): PodCondition | undefined {
  return pod.status?.conditions?.find((c) => c.type === type);
}

/** PodReady condition is True. */
export function isPodReady(pod: Pod): boolean {
  return podCondition(pod, 'Ready')?.status === 'True';
}

/** Succeeded or Failed: nothing of the pod runs again. */
export function isPodTerminal(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase === 'Succeeded' || phase === 'Failed';
}

export function nodeCondition(node: Node, type: string): NodeCondition | undefined {
  return node.status?.conditions?.find((c) => c.type === type);
}

/** The node's Ready condition is True. */
export function isNodeReady(node: Node): boolean {
  return nodeCondition(node, 'Ready')?.status === 'True';
}

/** Index function for pods by spec.nodeName (only bound pods are filed). */
export const POD_NODE_INDEX = 'spec.nodeName';
export function podNodeIndex(p: { spec?: { nodeName?: string } }): string[] {
  const n = p.spec?.nodeName;
  return n ? [n] : [];
}

// Which nodes a DaemonSet's pod belongs on (upstream daemon_controller NodeShouldRunDaemonPod):
// the node name, nodeSelector and required node affinity must match, and its NoSchedule/NoExecute
// taints must be tolerated. An untolerated NoExecute taint also means an existing pod must go.

import type { Node, NodeSelectorRequirement, NodeSelectorTerm, PodSpec } from '../nodelifecycle/core-types.js';
import { untoleratedTaints } from '../../core/index.js';

export interface NodeFit {
  shouldRun: boolean;
  shouldContinueRunning: boolean;
}

function requirementMatches(r: NodeSelectorRequirement, value: string | undefined): boolean {
  const values = r.values ?? [];
  switch (r.operator) {
    case 'In':
      return value !== undefined && values.includes(value);
    case 'NotIn':
      return value === undefined || !values.includes(value);
    case 'Exists':
      return value !== undefined;
    case 'DoesNotExist':
      return value === undefined;
    case 'Gt':
    case 'Lt': {
      if (value === undefined || !/^-?\d+$/.test(value) || values.length !== 1) return false;
      const a = Number(value);
      const b = Number(values[0]);
      return r.operator === 'Gt' ? a > b : a < b;
    }
    default:
      return false;
  }
}

/** A term matches when all its expressions and fields do; an empty term matches nothing (upstream). */
export function termMatches(term: NodeSelectorTerm, node: Node): boolean {
  const exprs = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  if (exprs.length === 0 && fields.length === 0) return false;
  const labels = node.metadata.labels ?? {};
  for (const e of exprs)
    if (!requirementMatches(e, Object.hasOwn(labels, e.key) ? labels[e.key] : undefined)) return false;
  for (const f of fields) {
    if (f.key !== 'metadata.name' || !requirementMatches(f, node.metadata.name)) return false;
  }
  return true;
}

export function nodeMatchesPodPlacement(spec: PodSpec, node: Node): boolean {
  if (spec.nodeName && spec.nodeName !== node.metadata.name) return false;
  const labels = node.metadata.labels ?? {};
  for (const [k, v] of Object.entries(spec.nodeSelector ?? {})) if (labels[k] !== v) return false;
  const required = spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  if (required && !required.nodeSelectorTerms.some((t) => termMatches(t, node))) return false;
  return true;
}

/** spec is the pod spec the daemon pod would get (with the daemonset tolerations added). */
export function nodeShouldRunDaemonPod(spec: PodSpec, node: Node): NodeFit {
  if (!nodeMatchesPodPlacement(spec, node)) return { shouldRun: false, shouldContinueRunning: false };
  const taints = node.spec?.taints;
  const noExecute = untoleratedTaints(taints, spec.tolerations, ['NoExecute']).length > 0;
  const noSchedule = untoleratedTaints(taints, spec.tolerations, ['NoSchedule']).length > 0;
  return { shouldRun: !noExecute && !noSchedule, shouldContinueRunning: !noExecute };
}

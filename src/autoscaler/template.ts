// The Node a group's new machine will be: what the providers register and what the planners simulate
// pods onto. Once a group has a Ready node, its real allocatable, labels and user taints are the template
// (upstream's "sanitized" node info), since a declared capacity may not match what the machine reports.

import { TAINT_NOT_READY, TAINT_UNREACHABLE, TAINT_UNSCHEDULABLE } from '../core/scheduling/taints.js';
import type { Node, NodeCondition, Taint } from '../core/types.js';
import { LABEL_ARCH, LABEL_HOSTNAME, LABEL_OS } from '../core/well-known.js';
import type { NodeGroup, NodeTemplate } from './node-groups.js';
import { NODE_GROUP_LABEL, TO_BE_DELETED_TAINT } from './well-known.js';

const DEFAULT_LABELS = { [LABEL_OS]: 'linux', [LABEL_ARCH]: 'amd64' };

/** Labels every node of the group carries: defaults, the template's, its hostname and the group label. */
export function nodeLabels(group: NodeGroup, nodeName: string): Record<string, string> {
  return { ...DEFAULT_LABELS, ...group.template.labels, [LABEL_HOSTNAME]: nodeName, [NODE_GROUP_LABEL]: group.name };
}

/** The Node object a provider registers for a new machine (no status: its agent reports that). */
export function nodeObjectFor(group: NodeGroup, nodeName: string): Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: nodeName, labels: nodeLabels(group, nodeName) },
    spec: group.template.taints.length > 0 ? { taints: group.template.taints.map((t) => ({ ...t })) } : {},
  };
}

const readyCondition: NodeCondition = { type: 'Ready', status: 'True', reason: 'KubeletReady' };

/** A Ready node built from the template, for simulation only (never written to the API). */
export function templateNode(group: NodeGroup, nodeName: string, template: NodeTemplate = group.template): Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: nodeName,
      uid: `template-${nodeName}`,
      labels: { ...DEFAULT_LABELS, ...template.labels, [LABEL_HOSTNAME]: nodeName, [NODE_GROUP_LABEL]: group.name },
    },
    spec: { taints: template.taints.map((t) => ({ ...t })) },
    status: { capacity: { ...template.capacity }, allocatable: { ...template.capacity }, conditions: [readyCondition] },
  };
}

/** Taints that say something about one node's state, not about the group: left out of a template. */
const STATE_TAINTS = new Set([TAINT_NOT_READY, TAINT_UNREACHABLE, TAINT_UNSCHEDULABLE, TO_BE_DELETED_TAINT]);

/** The template taken from a real node of the group: its allocatable, labels (minus hostname) and user taints. */
export function templateFromNode(node: Node): NodeTemplate {
  const labels = { ...node.metadata.labels };
  delete labels[LABEL_HOSTNAME];
  delete labels[NODE_GROUP_LABEL];
  const taints: Taint[] = (node.spec?.taints ?? [])
    .filter((t) => !STATE_TAINTS.has(t.key) && !t.key.startsWith('node.kubernetes.io/'))
    .map(({ timeAdded: _t, ...t }) => t);
  return { capacity: { ...(node.status?.allocatable ?? node.status?.capacity ?? {}) }, labels, taints };
}

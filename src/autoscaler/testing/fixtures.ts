// Plain objects for the planners' tests and the benchmark: node groups, pending pods, pods of controllers.

import type { Node, Pod, PodDisruptionBudget } from '../../core/types.js';
import { makeNode, makePod, type PodOptions, type TestPod } from '../../scheduler/framework/testing.js';
import type { NodeGroup, NodeTemplate } from '../node-groups.js';
import { NODE_GROUP_LABEL } from '../well-known.js';

export function group(
  name: string,
  o: Partial<Omit<NodeGroup, 'template'>> & { template?: Partial<NodeTemplate> } = {},
): NodeGroup {
  return {
    name,
    provider: o.provider ?? 'sim',
    minSize: o.minSize ?? 0,
    maxSize: o.maxSize ?? 10,
    priority: o.priority ?? 0,
    template: {
      capacity: { cpu: '4', memory: '8Gi', pods: '110', ...o.template?.capacity },
      labels: o.template?.labels ?? {},
      taints: o.template?.taints ?? [],
    },
  };
}

const T0 = '2025-01-01T00:00:00Z';

/** A pod the scheduler marked PodScheduled=False/Unschedulable, owned by ReplicaSet `owner` (default `rs`). */
export function pendingPod(name: string, o: PodOptions = {}): TestPod {
  const p = makePod(name, { owner: 'rs', creationTimestamp: T0, ...o });
  p.status = {
    phase: 'Pending',
    conditions: [
      { type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: '0/1 nodes are available' },
    ],
  };
  return p;
}

/** A running pod bound to a node. */
export function runningPod(name: string, nodeName: string, o: PodOptions = {}): TestPod {
  const p = makePod(name, { owner: 'rs', creationTimestamp: T0, ...o, nodeName });
  p.status = { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] };
  return p;
}

/** A Ready node; `group` adds the node-group label. */
export function readyNode(name: string, o: Parameters<typeof makeNode>[1] & { group?: string } = {}): Node {
  const n = makeNode(name, { ...o, labels: { ...o.labels, ...(o.group ? { [NODE_GROUP_LABEL]: o.group } : {}) } });
  n.status = { ...n.status, conditions: [{ type: 'Ready', status: 'True' }] };
  return n;
}

export function pdb(
  name: string,
  matchLabels: Record<string, string>,
  disruptionsAllowed?: number,
): PodDisruptionBudget {
  return {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: { name, namespace: 'default' },
    spec: { selector: { matchLabels } },
    ...(disruptionsAllowed === undefined
      ? {}
      : {
          status: {
            disruptionsAllowed,
            currentHealthy: 0,
            desiredHealthy: 0,
            expectedPods: 0,
          },
        }),
  };
}

export type { Pod };

// The ToBeDeletedByClusterAutoscaler taint (NoSchedule, value: unix seconds) that keeps new pods off a
// node being removed, as upstream. Written with the node's resourceVersion as a precondition, so a
// concurrent change to the taints (node lifecycle, kubectl) is read again instead of lost.

import { type ApiClient, isConflict, isNotFound, resourcePath } from '../../client/index.js';
import { resources } from '../../core/resources.js';
import type { Node, Taint } from '../../core/types.js';
import { TO_BE_DELETED_TAINT } from '../well-known.js';

export function hasToBeDeletedTaint(node: Node): boolean {
  return node.spec?.taints?.some((t) => t.key === TO_BE_DELETED_TAINT) ?? false;
}

export function toBeDeletedTaint(nowMs: number): Taint {
  return { key: TO_BE_DELETED_TAINT, value: String(Math.floor(nowMs / 1000)), effect: 'NoSchedule' };
}

async function updateTaints(client: ApiClient, name: string, change: (taints: Taint[]) => Taint[] | undefined) {
  const path = resourcePath(resources.nodes, { name });
  for (let attempt = 0; ; attempt++) {
    let node: Node;
    try {
      node = await client.get<Node>(path);
    } catch (err) {
      if (isNotFound(err)) return;
      throw err;
    }
    const next = change(node.spec?.taints ?? []);
    if (!next) return;
    try {
      await client.patch(
        path,
        { metadata: { resourceVersion: node.metadata.resourceVersion }, spec: { taints: next } },
        'merge',
        { fieldManager: 'cluster-autoscaler' },
      );
      return;
    } catch (err) {
      if (isNotFound(err)) return;
      if (!isConflict(err) || attempt >= 5) throw err;
    }
  }
}

export function addToBeDeletedTaint(client: ApiClient, name: string, nowMs: number): Promise<void> {
  return updateTaints(client, name, (taints) =>
    taints.some((t) => t.key === TO_BE_DELETED_TAINT) ? undefined : [...taints, toBeDeletedTaint(nowMs)],
  );
}

export function removeToBeDeletedTaint(client: ApiClient, name: string): Promise<void> {
  return updateTaints(client, name, (taints) =>
    taints.some((t) => t.key === TO_BE_DELETED_TAINT) ? taints.filter((t) => t.key !== TO_BE_DELETED_TAINT) : undefined,
  );
}

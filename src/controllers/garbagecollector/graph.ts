// The ownership graph: every watched object by uid, with its owner references, and the reverse
// index owner uid -> dependent uids. Owners are identified by uid only, so a new object that reuses
// a deleted owner's name is not its owner.

import type { KubeObject, OwnerReference } from '../../core/types.js';
import type { ResourceDescriptor } from '../../client/index.js';

export interface GraphNode {
  uid: string;
  resource: ResourceDescriptor;
  apiVersion: string;
  kind: string;
  namespace?: string;
  name: string;
  owners: OwnerReference[];
  deleting: boolean;
  finalizers: string[];
}

export function nodeOf(obj: KubeObject, resource: ResourceDescriptor, apiVersion: string, kind: string): GraphNode {
  return {
    uid: obj.metadata.uid ?? '',
    resource,
    apiVersion,
    kind,
    namespace: obj.metadata.namespace,
    name: obj.metadata.name ?? '',
    owners: obj.metadata.ownerReferences ?? [],
    deleting: !!obj.metadata.deletionTimestamp,
    finalizers: obj.metadata.finalizers ?? [],
  };
}

export const ORPHAN_FINALIZER = 'orphan';
export const FOREGROUND_FINALIZER = 'foregroundDeletion';

export function isDeletingDependents(n: GraphNode): boolean {
  return n.deleting && n.finalizers.includes(FOREGROUND_FINALIZER);
}

export function isOrphaning(n: GraphNode): boolean {
  return n.deleting && n.finalizers.includes(ORPHAN_FINALIZER);
}

export class OwnerGraph {
  private readonly nodes = new Map<string, GraphNode>();
  private readonly dependentsByOwner = new Map<string, Set<string>>();

  get(uid: string): GraphNode | undefined {
    return this.nodes.get(uid);
  }

  get size(): number {
    return this.nodes.size;
  }

  /** Inserts or replaces a node; returns the previous version. */
  upsert(n: GraphNode): GraphNode | undefined {
    const old = this.nodes.get(n.uid);
    if (old) this.unlink(old);
    this.nodes.set(n.uid, n);
    for (const r of n.owners) {
      let set = this.dependentsByOwner.get(r.uid);
      if (!set) {
        set = new Set();
        this.dependentsByOwner.set(r.uid, set);
      }
      set.add(n.uid);
    }
    return old;
  }

  remove(uid: string): GraphNode | undefined {
    const old = this.nodes.get(uid);
    if (!old) return undefined;
    this.unlink(old);
    this.nodes.delete(uid);
    return old;
  }

  /** Objects that name uid as an owner (and are still in the graph). */
  dependents(uid: string): GraphNode[] {
    const out: GraphNode[] = [];
    for (const d of this.dependentsByOwner.get(uid) ?? []) {
      const n = this.nodes.get(d);
      if (n) out.push(n);
    }
    return out;
  }

  private unlink(n: GraphNode): void {
    for (const r of n.owners) {
      const set = this.dependentsByOwner.get(r.uid);
      set?.delete(n.uid);
      if (set?.size === 0) this.dependentsByOwner.delete(r.uid);
    }
  }
}

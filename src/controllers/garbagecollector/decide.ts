// What the garbage collector does with one object, as pure functions of the graph (upstream
// garbagecollector.go attemptToDeleteItem, processDeletingDependentsItem, orphanDependents).

import type { OwnerReference } from '../../core/types.js';
import { type GraphNode, isDeletingDependents, isOrphaning } from './graph.js';

/** How an owner reference stands: owner present, gone (or replaced by another uid), or foreground-deleting. */
export type OwnerState = 'solid' | 'dangling' | 'waiting';

export type DeletionPolicy = 'Background' | 'Foreground' | 'Orphan';

export type GcAction =
  | { kind: 'none' }
  /** Drop the references to owners that are gone or being foreground-deleted (the object has a live owner). */
  | { kind: 'removeOwnerRefs'; uids: string[] }
  | { kind: 'delete'; policy: DeletionPolicy }
  /** A foreground-deleting owner still blocked: these dependents are to be deleted (then it is re-checked). */
  | { kind: 'deleteDependents'; dependents: GraphNode[] }
  | { kind: 'removeFinalizer'; finalizer: string }
  /** An orphaning owner: strip its references from these dependents, then remove the finalizer. */
  | { kind: 'orphanDependents'; dependents: GraphNode[] };

/** Decides for an object that is not itself deleting dependents or orphaning. */
export function attemptToDelete(item: GraphNode, states: Map<string, OwnerState>, hasDependents: boolean): GcAction {
  if (item.owners.length === 0 || item.deleting) return { kind: 'none' };
  const by = (s: OwnerState) => item.owners.filter((r) => states.get(r.uid) === s);
  const solid = by('solid');
  const dangling = by('dangling');
  const waiting = by('waiting');
  if (solid.length > 0) {
    const drop = [...dangling, ...waiting].map((r) => r.uid);
    return drop.length > 0 ? { kind: 'removeOwnerRefs', uids: drop } : { kind: 'none' };
  }
  // Its owner waits for dependents and it has dependents itself: delete in the foreground too, so the
  // chain (Deployment -> ReplicaSet -> Pods) goes bottom up.
  if (waiting.length > 0 && hasDependents) return { kind: 'delete', policy: 'Foreground' };
  return { kind: 'delete', policy: 'Background' };
}

/** Decides for an owner that is being deleted with the foregroundDeletion or orphan finalizer. */
export function finalizeOwner(owner: GraphNode, dependents: GraphNode[]): GcAction {
  if (isOrphaning(owner)) {
    const refs = dependents.filter((d) => d.owners.some((r) => r.uid === owner.uid));
    return refs.length > 0
      ? { kind: 'orphanDependents', dependents: refs }
      : { kind: 'removeFinalizer', finalizer: 'orphan' };
  }
  if (isDeletingDependents(owner)) {
    const blocking = dependents.filter((d) => refTo(d, owner.uid)?.blockOwnerDeletion === true);
    // Non-blocking dependents are deleted too (their owner state is 'waiting'), but nobody waits for them.
    if (blocking.length === 0) return { kind: 'removeFinalizer', finalizer: 'foregroundDeletion' };
    return { kind: 'deleteDependents', dependents: dependents.filter((d) => !d.deleting) };
  }
  return { kind: 'none' };
}

export function refTo(n: GraphNode, ownerUid: string): OwnerReference | undefined {
  return n.owners.find((r) => r.uid === ownerUid);
}

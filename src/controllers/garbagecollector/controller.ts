// The garbage collector: deletes objects whose owners are all gone (background), deletes the
// dependents of foreground-deleted owners before removing their foregroundDeletion finalizer, and
// strips references from the dependents of orphan-deleted owners before removing the orphan finalizer.
// Data flow: informers of every deletable kind -> OwnerGraph (uid -> owners, dependents) -> queue of
// uids -> sync(uid): decide.ts -> DELETE / PATCH through the API.

import type { KubeObject } from '../../core/types.js';
import { apiVersionOf } from '../../api/catalog.js';
import { isConflict, isNotFound, resourcePath, WorkQueue } from '../../client/index.js';
import { type ControllerContext, type RunningController, runWorkers } from '../context.js';
import { attemptToDelete, finalizeOwner, type OwnerState } from './decide.js';
import { type GraphNode, isDeletingDependents, isOrphaning, nodeOf, OwnerGraph } from './graph.js';
import { gcResources, resourceForRef } from './resources.js';

export const GC_COMPONENT = 'garbage-collector-controller';
/** Owners known to be absent (by uid), so many orphans of one owner cost one GET. */
const ABSENT_CACHE_SIZE = 500;

export function startGarbageCollector(ctx: ControllerContext, opts: { workers?: number } = {}): RunningController {
  const graph = new OwnerGraph();
  const queue = new WorkQueue<string>({ clock: ctx.clock });
  const absent = new Set<string>();
  const informers = [];

  const enqueueOwners = (n: GraphNode) => {
    for (const r of n.owners) {
      const owner = graph.get(r.uid);
      if (owner && (isDeletingDependents(owner) || isOrphaning(owner))) queue.add(owner.uid);
    }
  };

  for (const r of gcResources()) {
    const informer = ctx.informers.forResource(r);
    const apiVersion = apiVersionOf(r);
    const upsert = (obj: KubeObject) => {
      if (!obj.metadata.uid) return;
      const n = nodeOf(obj, r, apiVersion, r.kind);
      const old = graph.upsert(n);
      absent.delete(n.uid);
      const ownersChanged = !old || JSON.stringify(old.owners) !== JSON.stringify(n.owners);
      if ((ownersChanged && n.owners.length > 0) || isDeletingDependents(n) || isOrphaning(n)) queue.add(n.uid);
      if (isDeletingDependents(n) && !(old && isDeletingDependents(old))) {
        for (const d of graph.dependents(n.uid)) queue.add(d.uid);
      }
      enqueueOwners(n);
      if (old) enqueueOwners(old);
    };
    informer.addEventHandler({
      onAdd: upsert,
      onUpdate: (_o, obj) => upsert(obj),
      onDelete: (obj) => {
        const gone = obj.metadata.uid ? graph.remove(obj.metadata.uid) : undefined;
        if (!gone) return;
        for (const d of graph.dependents(gone.uid)) queue.add(d.uid);
        enqueueOwners(gone);
      },
    });
    informers.push(informer);
  }

  /** Looks an owner up in the graph, else asks the API (the graph may lag behind the owner's creation). */
  const ownerState = async (item: GraphNode, uid: string): Promise<OwnerState> => {
    const owner = graph.get(uid);
    if (owner) return isDeletingDependents(owner) ? 'waiting' : 'solid';
    if (absent.has(uid)) return 'dangling';
    const ref = item.owners.find((r) => r.uid === uid)!;
    const res = resourceForRef(ref.apiVersion, ref.kind);
    if (!res) return 'solid'; // a kind we cannot look up: never collect on a guess
    const path = resourcePath(res, { namespace: res.namespaced ? item.namespace : undefined, name: ref.name });
    try {
      const live = await ctx.client.get(path);
      if (live.metadata.uid === uid) return 'solid';
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    absent.add(uid);
    if (absent.size > ABSENT_CACHE_SIZE) absent.delete(absent.values().next().value!);
    return 'dangling';
  };

  const pathOf = (n: GraphNode) => resourcePath(n.resource, { namespace: n.namespace, name: n.name });
  const fields = (n: GraphNode) => ({ kind: n.kind, namespace: n.namespace, name: n.name, uid: n.uid });

  const sync = async (uid: string): Promise<void> => {
    const item = graph.get(uid);
    if (!item) return;
    if (isOrphaning(item) || isDeletingDependents(item)) {
      const action = finalizeOwner(item, graph.dependents(uid));
      if (action.kind === 'orphanDependents') {
        for (const d of action.dependents) await removeOwnerRefs(d, [uid]);
        await removeFinalizer(item, 'orphan');
      } else if (action.kind === 'removeFinalizer') {
        await removeFinalizer(item, action.finalizer);
      } else if (action.kind === 'deleteDependents') {
        for (const d of action.dependents) queue.add(d.uid);
      }
      return;
    }
    if (item.owners.length === 0 || item.deleting) return;
    const states = new Map<string, OwnerState>();
    for (const r of item.owners) states.set(r.uid, await ownerState(item, r.uid));
    const action = attemptToDelete(item, states, graph.dependents(uid).length > 0);
    if (action.kind === 'removeOwnerRefs') await removeOwnerRefs(item, action.uids);
    else if (action.kind === 'delete') {
      try {
        await ctx.client.delete(pathOf(item), { propagationPolicy: action.policy, preconditions: { uid } });
        ctx.log('garbage collector: deleted', { ...fields(item), policy: action.policy });
      } catch (err) {
        if (!isNotFound(err) && !isConflict(err)) throw err;
      }
    }
  };

  /** Strategic merge patch deleting the references by uid (ownerReferences merge on uid). */
  const removeOwnerRefs = async (n: GraphNode, uids: string[]) => {
    const patch = { metadata: { ownerReferences: uids.map((u) => ({ $patch: 'delete', uid: u })), uid: n.uid } };
    try {
      await ctx.client.patch(pathOf(n), patch, 'strategic');
      ctx.log('garbage collector: removed owner references', { ...fields(n), owners: uids });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  };

  /** Read-modify-write with the resourceVersion read, so a concurrent change is a 409 and a retry. */
  const removeFinalizer = async (n: GraphNode, finalizer: string) => {
    let live: KubeObject;
    try {
      live = await ctx.client.get(pathOf(n));
    } catch (err) {
      if (isNotFound(err)) return;
      throw err;
    }
    if (live.metadata.uid !== n.uid || !(live.metadata.finalizers ?? []).includes(finalizer)) return;
    live.metadata.finalizers = live.metadata.finalizers!.filter((f) => f !== finalizer);
    try {
      await ctx.client.update(pathOf(n), live);
      ctx.log('garbage collector: removed finalizer', { ...fields(n), finalizer });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  };

  return runWorkers({ name: GC_COMPONENT, ctx, queue, waitFor: informers, workers: opts.workers ?? 4, sync });
}

// The namespace controller: empties a Terminating namespace (every namespaced resource, deleted through
// the API with background propagation), waits until nothing is left, then removes the "kubernetes"
// finalizer through the finalize subresource so the API server deletes the namespace.

import { isConflict, isNotFound, resourcePath, WorkQueue } from '../../client/index.js';
import { type ControllerContext, keyOf, type RunningController, runWorkers } from '../context.js';
import { type Namespace, resources } from '../../core/index.js';
import { finalizedNamespace, namespacedResources, needsFinalizing } from './content.js';

export const NAMESPACE_COMPONENT = 'namespace-controller';
/** How soon to look again while content is still going away (pods in grace, finalizers). */
export const RECHECK_MS = 1000;

export function startNamespaceController(ctx: ControllerContext, opts: { workers?: number } = {}): RunningController {
  const informer = ctx.informers.forResource<Namespace>(resources.namespaces);
  const queue = new WorkQueue<string>({ clock: ctx.clock });
  informer.addEventHandler({
    onAdd: (ns) => needsFinalizing(ns) && queue.add(keyOf(ns)),
    onUpdate: (_o, ns) => needsFinalizing(ns) && queue.add(keyOf(ns)),
  });

  const sync = async (name: string) => {
    const ns = informer.get(name);
    if (!ns || !needsFinalizing(ns)) return;
    const remaining = await deleteContent(ctx, name);
    if (remaining > 0) {
      ctx.log('namespace: content remaining', { name, remaining });
      queue.addAfter(name, RECHECK_MS);
      return;
    }
    const path = resourcePath(resources.namespaces, { name, subresource: 'finalize' });
    try {
      await ctx.client.update(path, finalizedNamespace(ns));
      ctx.log('namespace: finalized', { name });
    } catch (err) {
      if (isNotFound(err)) {
        // Gone already, or a server that does not serve the finalize subresource: tell them apart.
        const exists = await ctx.client.get(resourcePath(resources.namespaces, { name })).then(
          () => true,
          (e: unknown) => {
            if (isNotFound(e)) return false;
            throw e;
          },
        );
        if (!exists) return;
        throw new Error(`PUT ${path}: 404 although the namespace exists (finalize subresource not served?)`);
      }
      if (isConflict(err)) {
        const fresh = await ctx.client.get<Namespace>(resourcePath(resources.namespaces, { name }));
        if (fresh.metadata.uid === ns.metadata.uid) await ctx.client.update(path, finalizedNamespace(fresh));
        return;
      }
      throw err;
    }
  };

  return runWorkers({ name: NAMESPACE_COMPONENT, ctx, queue, waitFor: [informer], workers: opts.workers ?? 2, sync });
}

/** Deletes what is left of each namespaced resource; returns how many objects still exist. */
async function deleteContent(ctx: ControllerContext, namespace: string): Promise<number> {
  let remaining = 0;
  for (const r of namespacedResources()) {
    const collection = resourcePath(r, { namespace });
    const list = await ctx.client.list(collection);
    if (list.items.length === 0) continue;
    const pending = list.items.filter((o) => !o.metadata.deletionTimestamp);
    if (pending.length === 0) {
      remaining += list.items.length;
      continue;
    }
    if (r.verbs.includes('deletecollection')) {
      await ctx.client.requestJson(
        'DELETE',
        collection,
        undefined,
        JSON.stringify({ kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Background' }),
      );
    } else {
      for (const o of pending) {
        try {
          await ctx.client.delete(resourcePath(r, { namespace, name: o.metadata.name }), {
            propagationPolicy: 'Background',
          });
        } catch (err) {
          if (!isNotFound(err)) throw err;
        }
      }
    }
    remaining += (await ctx.client.list(collection)).items.length;
  }
  return remaining;
}

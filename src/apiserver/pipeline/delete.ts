// Delete and deletecollection: preconditions, propagation policy as finalizers, pod grace periods; an object
// that nothing holds goes at once, others are marked with a deletionTimestamp (graceful deletion).
import { cloneJson } from '../../core/json.js';
import { StatusError, errors } from '../../core/status.js';
import { rfc3339 } from '../../core/time.js';
import type { KubeObject } from '../../core/types.js';
import type { UserInfo } from '../authz/attributes.js';
import { decodeKv } from '../objects.js';
import { lostRace, retryOnConflict } from './conflicts.js';
import { sameJson } from './metadata.js';
import { objectMatcher } from './selectors.js';
import { readCurrent, storageOf, toServed, toStorage } from './served.js';
import type { DeleteOptions, NamedTarget, PipelineDeps, SelectorOptions, Target } from './types.js';

export interface DeleteResult {
  object: KubeObject;
  /** Gone now (200 over HTTP; a dry run answers so too); false: marked for graceful deletion (202). */
  deleted: boolean;
}

/** `user`: who asks (for NodeRestriction); none for the server's own deletes. */
export function deleteObject(
  deps: PipelineDeps,
  t: NamedTarget,
  opts: DeleteOptions,
  user: UserInfo | undefined,
): Promise<DeleteResult> {
  return retryOnConflict(() => deleteOnce(deps, t, opts, user));
}

async function deleteOnce(
  deps: PipelineDeps,
  t: NamedTarget,
  opts: DeleteOptions,
  user: UserInfo | undefined,
): Promise<DeleteResult> {
  const r = t.resource;
  const { namespace, name } = t;
  const { obj: current, rev } = await readCurrent(deps, r, namespace, name);
  deps.admission.checkDelete(r, name);
  await deps.admission.validateWrite({
    operation: 'DELETE',
    resource: r,
    subresource: '',
    namespace: namespace ?? '',
    name,
    old: current,
    user,
  });
  const pre = opts.preconditions;
  if (pre?.uid && pre.uid !== current.metadata.uid) {
    throw errors.conflict(
      r.group,
      r.resource,
      name,
      `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${current.metadata.uid}`,
    );
  }
  if (pre?.resourceVersion && pre.resourceVersion !== current.metadata.resourceVersion) {
    throw errors.conflict(
      r.group,
      r.resource,
      name,
      `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${current.metadata.resourceVersion}`,
    );
  }
  if (opts.dryRun?.includes('All')) return { object: current, deleted: true };
  const obj = cloneJson(current);
  const meta = obj.metadata;
  const finalizers = new Set(meta.finalizers ?? []);
  const policy = opts.propagationPolicy ?? (opts.orphanDependents === true ? 'Orphan' : undefined);
  if (policy === 'Orphan') finalizers.add('orphan');
  if (policy === 'Foreground') finalizers.add('foregroundDeletion');
  if (policy === 'Background' || opts.orphanDependents === false) {
    finalizers.delete('orphan');
    finalizers.delete('foregroundDeletion');
  }
  let grace = 0;
  if (r.kind === 'Pod') grace = podGrace(obj, opts);
  const nsSpecFinalizers =
    r.kind === 'Namespace' ? (((obj.spec as Record<string, unknown>)?.finalizers ?? []) as string[]) : [];
  const graceful = grace > 0 || finalizers.size > 0 || nsSpecFinalizers.length > 0;
  const storage = storageOf(deps.store, r, deps.maxObjectBytes);
  if (!graceful) {
    const done = await storage.delete(namespace, name, rev);
    if (done === undefined) throw lostRace(r, name);
    await deps.admission.afterDelete(r, current);
    return { object: current, deleted: true };
  }
  const now = deps.now();
  const alreadyDeleting = !!meta.deletionTimestamp;
  if (!alreadyDeleting || (r.kind === 'Pod' && grace < (meta.deletionGracePeriodSeconds ?? 0))) {
    meta.deletionTimestamp = rfc3339(now.getTime() + grace * 1000);
    meta.deletionGracePeriodSeconds = grace;
  }
  meta.finalizers = [...finalizers];
  if (meta.finalizers.length === 0) delete meta.finalizers;
  if (r.kind === 'Namespace') obj.status = { ...((obj.status as object) ?? {}), phase: 'Terminating' };
  if (alreadyDeleting && sameJson(obj, current)) return { object: current, deleted: false };
  const kv = await storage.update(toStorage(r, obj), rev);
  if (!kv) throw lostRace(r, name);
  return { object: toServed(r, decodeKv(kv)), deleted: false };
}

/** Pods bound to a node and still running get a grace period; others go at once (upstream). */
function podGrace(pod: KubeObject, opts: DeleteOptions): number {
  const spec = (pod.spec ?? {}) as { nodeName?: string; terminationGracePeriodSeconds?: number };
  const phase = (pod.status as { phase?: string } | undefined)?.phase;
  if (!spec.nodeName || phase === 'Succeeded' || phase === 'Failed') return 0;
  let grace = opts.gracePeriodSeconds ?? spec.terminationGracePeriodSeconds ?? 30;
  if (grace < 0) grace = 1;
  return grace;
}

/** Deletes every object the selectors match (in the target's namespace, or all); returns what it deleted. */
export async function deleteCollection(
  deps: PipelineDeps,
  t: Target,
  selectors: SelectorOptions,
  opts: DeleteOptions,
  user: UserInfo | undefined,
): Promise<KubeObject[]> {
  const r = t.resource;
  const match = objectMatcher(r, selectors);
  const page = await storageOf(deps.store, r).list({ namespace: t.namespace });
  const deleted: KubeObject[] = [];
  for (const kv of page.kvs) {
    const o = toServed(r, decodeKv(kv));
    if (match && !match(o)) continue;
    try {
      const target = { resource: r, namespace: o.metadata.namespace, name: o.metadata.name! };
      deleted.push((await deleteObject(deps, target, opts, user)).object);
    } catch (err) {
      if (!(err instanceof StatusError && err.code === 404)) throw err;
    }
  }
  return deleted;
}

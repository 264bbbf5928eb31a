// Pod subresources that are writes to the pod: binding (the scheduler's placement) and eviction.
import { decideEviction } from '../../core/disruption.js';
import { errors, StatusError } from '../../core/status.js';
import type { KubeObject, Pod, PodDisruptionBudget } from '../../core/types.js';
import type { UserInfo } from '../authz/attributes.js';
import { list } from './read.js';
import { rfc3339 } from '../../core/time.js';
import { retryOnConflict } from './conflicts.js';
import { deleteObject } from './delete.js';
import { readCurrent } from './served.js';
import type { DeleteOptions, NamedTarget, PipelineDeps, WriteOptions } from './types.js';
import { writeUpdate } from './update.js';

interface PodCondition {
  type: string;
  status: string;
  lastProbeTime?: null;
  lastTransitionTime?: string;
}

/** pods/binding: sets spec.nodeName and the PodScheduled condition, once. */
export async function bind(deps: PipelineDeps, t: NamedTarget, binding: unknown, opts: WriteOptions): Promise<void> {
  const name = t.name;
  const node = (binding as { target?: { kind?: string; name?: string } } | null)?.target?.name;
  if (!node)
    throw errors.invalid('', 'Binding', name, [
      { type: 'FieldValueRequired', field: 'target.name', message: 'Required value' },
    ]);
  // Binding sets both spec.nodeName and a status condition, so the whole pod is written.
  const main = { ...t, subresource: undefined, resource: { ...t.resource, hasStatus: false } };
  await retryOnConflict(async () => {
    const { obj, rev } = await readCurrent(deps, t.resource, t.namespace, name, true);
    const spec = (obj.spec ?? {}) as { nodeName?: string };
    if (obj.metadata.deletionTimestamp) {
      throw errors.conflict('', 'pods', name, 'pod is being deleted, cannot be assigned to a host');
    }
    if (spec.nodeName) {
      throw errors.conflict('', 'pods', name, `pod ${name} is already assigned to node "${spec.nodeName}"`);
    }
    // A copy of what the binding changes; the rest is shared with `obj`, which other readers may share too
    // (TUTTI_CHECK_SHARED freezes it in the tests, so a step that wrote into it would fail them).
    const status = { ...((obj.status ?? {}) as { conditions?: PodCondition[] }) };
    const conditions = (status.conditions ?? []).filter((c) => c.type !== 'PodScheduled');
    conditions.push({
      type: 'PodScheduled',
      status: 'True',
      lastProbeTime: null,
      lastTransitionTime: rfc3339(deps.now()),
    });
    status.conditions = conditions;
    const updated: KubeObject = { ...obj, metadata: { ...obj.metadata }, spec: { ...spec, nodeName: node }, status };
    return writeUpdate(deps, main, {
      old: obj,
      oldRev: rev,
      incoming: updated,
      manager: 'kube-scheduler',
      // Upstream's binding writes the pod in storage (setPodHostAndAnnotations), past the field manager: the
      // pod's managedFields stay as they were, with no entry for the scheduler.
      managed: (o) => o,
      dryRun: opts.dryRun,
      binding: true,
      user: opts.user,
    });
  });
}

/**
 * pods/eviction (upstream EvictionREST.Create): the pod's PodDisruptionBudget decides (`decideEviction` in
 * core): a delete, a 429 TooManyRequests with a DisruptionBudget cause, or a decrement of the budget's
 * disruptionsAllowed (its status written with a compare on its resourceVersion, retried on a conflict) and then
 * the delete. `deleteOptions.dryRun` runs the decision and writes nothing.
 */
export async function evict(
  deps: PipelineDeps,
  t: NamedTarget,
  eviction: unknown,
  user: UserInfo | undefined,
): Promise<void> {
  const opts = (eviction as { deleteOptions?: DeleteOptions } | null)?.deleteOptions ?? {};
  const dryRun = (opts.dryRun ?? []).includes('All');
  const podTarget = { ...t, subresource: undefined };
  const pdbs = deps.registry.find('policy', 'v1', 'poddisruptionbudgets');
  for (let attempt = 0; attempt < 5; attempt++) {
    const { obj: pod } = await readCurrent(deps, t.resource, t.namespace, t.name);
    if (attempt === 0)
      await deps.admission.validateWrite({
        operation: 'CREATE',
        resource: t.resource,
        subresource: 'eviction',
        namespace: t.namespace ?? '',
        name: t.name,
        old: pod,
        user,
      });
    const budgets = pdbs
      ? (await list(deps, { resource: pdbs, namespace: t.namespace }, {})).items.map(
          (i) => i.object as PodDisruptionBudget,
        )
      : [];
    const d = decideEviction(pod as Pod, budgets, deps.now().getTime(), { dryRun });
    if (d.action === 'reject') throw d.error;
    if (d.action === 'decrement' && !dryRun) {
      try {
        await writeUpdate(
          deps,
          { resource: pdbs!, namespace: t.namespace, name: d.budget.metadata.name, subresource: 'status' },
          {
            old: budgets.find((b) => b.metadata.name === d.budget.metadata.name)! as KubeObject,
            oldRev: Number(d.budget.metadata.resourceVersion),
            incoming: d.budget as KubeObject,
            manager: 'kube-apiserver',
            user,
          },
        );
      } catch (err) {
        if (err instanceof StatusError && err.code === 409) continue; // the budget moved: decide again
        throw err;
      }
    }
    const del: DeleteOptions =
      d.action === 'delete' && d.resourceVersion
        ? { ...opts, preconditions: { ...opts.preconditions, resourceVersion: d.resourceVersion } }
        : opts;
    if (dryRun) return;
    await deleteObject(deps, podTarget, del, user);
    return;
  }
  throw new StatusError(429, 'TooManyRequests', 'Cannot evict pod: the disruption budget kept changing; try again', {
    retryAfterSeconds: 1,
  });
}

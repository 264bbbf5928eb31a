// Pod subresources that are writes to the pod: binding (the scheduler's placement) and eviction.
import { errors } from '../../core/status.js';
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
    const { obj, rev } = await readCurrent(deps, t.resource, t.namespace, name);
    const spec = (obj.spec ?? {}) as { nodeName?: string };
    if (obj.metadata.deletionTimestamp) {
      throw errors.conflict('', 'pods', name, 'pod is being deleted, cannot be assigned to a host');
    }
    if (spec.nodeName) {
      throw errors.conflict('', 'pods', name, `pod ${name} is already assigned to node "${spec.nodeName}"`);
    }
    const updated = structuredClone(obj);
    (updated.spec as { nodeName?: string }).nodeName = node;
    const status = (updated.status ?? {}) as { conditions?: PodCondition[] };
    const conditions = (status.conditions ?? []).filter((c) => c.type !== 'PodScheduled');
    conditions.push({
      type: 'PodScheduled',
      status: 'True',
      lastProbeTime: null,
      lastTransitionTime: rfc3339(deps.now()),
    });
    status.conditions = conditions;
    updated.status = status;
    return writeUpdate(deps, main, {
      old: obj,
      oldRev: rev,
      incoming: updated,
      manager: 'kube-scheduler',
      dryRun: opts.dryRun,
      binding: true,
    });
  });
}

/** pods/eviction: a delete with the Eviction's deleteOptions (no disruption budgets are checked). */
export async function evict(deps: PipelineDeps, t: NamedTarget, eviction: unknown): Promise<void> {
  const opts = (eviction as { deleteOptions?: DeleteOptions } | null)?.deleteOptions ?? {};
  await deleteObject(deps, { ...t, subresource: undefined }, opts);
}

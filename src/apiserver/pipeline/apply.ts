// Server-side apply: the applied configuration merged into the live object by field ownership (or the
// object created from it), written through the create or update pipeline.
import { serverSideApply } from '../../apimachinery/patch/index.js';
import { errors } from '../../core/status.js';
import { rfc3339 } from '../../core/time.js';
import type { KubeObject } from '../../core/types.js';
import { decodeKv } from '../objects.js';
import { retryOnConflict } from './conflicts.js';
import { createObject } from './create.js';
import { schemaFor } from '../resources.js';
import { decodeObject } from './decode.js';
import { applyUpgradingLastApplied } from './last-applied.js';
import { storageOf, toServed } from './served.js';
import type { NamedTarget, PipelineDeps, WriteOptions } from './types.js';
import { type WriteResult, writeUpdate } from './update.js';

/** Apply names its manager explicitly (400 otherwise); the HTTP layer checks this before decoding the body. */
export function requireApplyManager(opts: WriteOptions): string {
  if (!opts.fieldManager)
    throw errors.badRequest('PATCH, application/apply-patch+yaml requires fieldManager parameter');
  return opts.fieldManager;
}

export async function apply(
  deps: PipelineDeps,
  t: NamedTarget,
  value: unknown,
  opts: WriteOptions,
): Promise<WriteResult> {
  const manager = requireApplyManager(opts);
  const applied = decodeObject(t.resource, value, opts);
  return retryOnConflict(() => applyOnce(deps, t, applied, manager, opts));
}

async function applyOnce(
  deps: PipelineDeps,
  t: NamedTarget,
  applied: KubeObject,
  manager: string,
  opts: WriteOptions,
): Promise<WriteResult> {
  const r = t.resource;
  const name = t.name;
  const force = opts.force ?? false;
  if (applied.metadata.name && applied.metadata.name !== name) {
    throw errors.badRequest(
      `the name of the object (${applied.metadata.name}) does not match the name on the URL (${name})`,
    );
  }
  applied.metadata.name = name;
  const kv = await storageOf(deps.store, r).getKv(t.namespace, name);
  const schema = schemaFor(r);
  const now = rfc3339(deps.now());
  if (!kv) {
    if (t.subresource) throw errors.notFound(r.group, r.resource, name);
    const object = await createObject(deps, t, structuredClone(applied), {
      manager,
      dryRun: opts.dryRun,
      user: opts.user,
      managed: (o) => {
        const res = serverSideApply({
          live: undefined,
          applied,
          manager,
          force,
          schema,
          apiVersion: r.apiVersion,
          now,
        });
        // Keep what the create pipeline set (uid, defaults, allocations) and the managed fields of the apply.
        return { ...o, metadata: { ...o.metadata, managedFields: res.object.metadata.managedFields } };
      },
    });
    return { object, created: true };
  }
  const live = toServed(r, decodeKv(kv));
  const res = applyUpgradingLastApplied({
    live,
    applied,
    manager,
    force,
    schema,
    apiVersion: r.apiVersion,
    now,
    subresource: t.subresource,
  });
  const object = await writeUpdate(deps, t, {
    old: live,
    oldRev: kv.modRevision,
    incoming: res.object,
    manager,
    dryRun: opts.dryRun,
    user: opts.user,
    managed: (o) => o,
  });
  return { object, created: false };
}

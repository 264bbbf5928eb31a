// Update: PUT of a whole object (creating it when missing), and the update pipeline that patch, apply and
// the subresources end in: merge with the old object, default, admit, validate, track generation and
// managed fields, compare-and-swap; an object being deleted goes once its last finalizer does.
import { updateManagedFields } from '../../apimachinery/patch/index.js';
import { cloneJson } from '../../core/json.js';
import { errors, field } from '../../core/status.js';
import { rfc3339 } from '../../core/time.js';
import type { KubeObject } from '../../core/types.js';
import type { UserInfo } from '../authz/attributes.js';
import { isCsr, prepareCsrUpdate } from '../certificates.js';
import { schemaFor, type ServedResource } from '../resources.js';
import { isPrecondition, lostRace, modifiedConflict, retryOnConflict } from './conflicts.js';
import { createObject } from './create.js';
import { decodeObject } from './decode.js';
import { checkNamespaceMatch, managerOf, sameJson, validate } from './metadata.js';
import { currentOf, storageOf, toStorage, writtenObject } from './served.js';
import type { NamedTarget, PipelineDeps, Target, WriteOptions } from './types.js';

export interface WriteResult {
  object: KubeObject;
  /** The write created the object (PUT or apply of a missing one). */
  created: boolean;
}

export async function update(
  deps: PipelineDeps,
  t: NamedTarget,
  value: unknown,
  opts: WriteOptions,
): Promise<WriteResult> {
  const r = t.resource;
  const obj = decodeObject(r, value, opts);
  const name = t.name;
  if (obj.metadata.name && obj.metadata.name !== name) {
    throw errors.badRequest(
      `the name of the object (${obj.metadata.name}) does not match the name on the URL (${name})`,
    );
  }
  obj.metadata.name = name;
  checkNamespaceMatch(t, obj);
  const manager = managerOf(opts);
  // A PUT without a resourceVersion that loses a race is written again over the newer object; with one, the
  // retry's read finds the precondition broken.
  return retryOnConflict(async () => {
    const existing = await storageOf(deps.store, r).getKv(t.namespace, name);
    if (!existing) {
      // PUT to a missing object creates it for the kinds upstream allows (most of them).
      if (t.subresource) throw errors.notFound(r.group, r.resource, name);
      const created = await createObject(deps, t, obj, { manager, dryRun: opts.dryRun, user: opts.user });
      return { object: created, created: true };
    }
    // Read only: writeUpdate copies what it changes.
    const old = currentOf(r, existing, true);
    const rv = obj.metadata.resourceVersion;
    if (isPrecondition(rv) && rv !== String(existing.modRevision)) throw modifiedConflict(r, name);
    const object = await writeUpdate(deps, t, {
      old,
      oldRev: existing.modRevision,
      incoming: obj,
      manager,
      dryRun: opts.dryRun,
      user: opts.user,
    });
    return { object, created: false };
  });
}

export interface UpdateStep {
  old: KubeObject;
  oldRev: number;
  incoming: KubeObject;
  manager: string;
  dryRun?: boolean;
  user: UserInfo | undefined;
  /** Replaces the managed-fields step (server-side apply records its own). */
  managed?: (o: KubeObject) => KubeObject;
  /** pods/binding: validated as a new object, since it sets what immutability rules protect. */
  binding?: boolean;
}

/** The update pipeline; `t.subresource` (status, finalize) limits what the write may change. */
export async function writeUpdate(deps: PipelineDeps, t: Target, step: UpdateStep): Promise<KubeObject> {
  const r = t.resource;
  const sub = t.subresource;
  const { old, oldRev, incoming } = step;
  let obj: KubeObject;
  if (isCsr(r)) {
    obj = prepareCsrUpdate(sub, incoming, old, rfc3339(deps.now()));
  } else if (sub === 'status') {
    // As upstream: the decoded object is defaulted, then the status strategy keeps all of the old object but
    // its status. Status defaults depend on the status alone, so only it is defaulted here. The old parts are
    // shared with `old`, which may be shared with other readers (currentOf): nothing below writes into them
    // (TUTTI_CHECK_SHARED freezes them in the tests).
    const decoded = { apiVersion: incoming.apiVersion, kind: incoming.kind, metadata: {}, status: incoming.status };
    r.defaulter?.(decoded);
    obj = { ...old, metadata: { ...old.metadata }, status: decoded.status };
  } else if (sub === 'finalize' && r.kind === 'Namespace') {
    obj = withPart(old, 'spec', incoming.spec);
  } else {
    obj = incoming;
    if (r.hasStatus) obj.status = cloneJson(old.status);
  }
  const meta = obj.metadata;
  const oldMeta = old.metadata;
  meta.uid = oldMeta.uid;
  meta.creationTimestamp = oldMeta.creationTimestamp;
  meta.name = oldMeta.name;
  meta.namespace = oldMeta.namespace;
  meta.deletionTimestamp = oldMeta.deletionTimestamp;
  meta.deletionGracePeriodSeconds = oldMeta.deletionGracePeriodSeconds;
  if (!meta.deletionTimestamp) {
    delete meta.deletionTimestamp;
    delete meta.deletionGracePeriodSeconds;
  }
  if (meta.generateName === undefined) delete meta.generateName;
  if (oldMeta.deletionTimestamp) {
    const added = (meta.finalizers ?? []).filter((f) => !(oldMeta.finalizers ?? []).includes(f));
    if (added.length > 0) {
      throw errors.invalid(r.group, r.kind, meta.name ?? '', [
        field.forbidden(
          'metadata.finalizers',
          `no new finalizers can be added if the object is being deleted, found new finalizers ${JSON.stringify(added)}`,
        ),
      ]);
    }
  }
  if (sub !== 'status') r.defaulter?.(obj);
  if (r.tracksGeneration) {
    meta.generation = (oldMeta.generation ?? 1) + (sameJson(obj.spec, old.spec) ? 0 : 1);
  }
  if (sub !== 'status') await deps.admission.admitUpdate(r, obj, old, sub, step.user);
  else deps.admission.runGuards(r, obj, old, sub, step.user);
  // Status writes, approvals and bindings change what update rules protect: validate them as objects.
  validate(r, obj, sub === 'status' || sub === 'approval' || step.binding ? undefined : old);
  await deps.admission.validateWrite({
    operation: 'UPDATE',
    resource: r,
    subresource: sub ?? '',
    namespace: meta.namespace ?? '',
    name: meta.name ?? '',
    object: obj,
    old,
    dryRun: step.dryRun,
    binding: step.binding,
    user: step.user,
  });
  const withFields = step.managed
    ? step.managed(obj)
    : updateManagedFields({
        old,
        updated: obj,
        manager: step.manager,
        apiVersion: r.apiVersion,
        now: rfc3339(deps.now()),
        subresource: sub,
        schema: schemaFor(r),
      });
  withFields.metadata.resourceVersion = undefined;
  const before = { ...old, metadata: { ...old.metadata, resourceVersion: undefined } };
  // No-op writes keep the resourceVersion, as upstream; `old` may be shared with its other readers (currentOf).
  if (sameJson(withFields, before)) return cloneJson(old);
  if (step.dryRun) return withFields;
  const storage = storageOf(deps.store, r, deps.maxObjectBytes);
  if (finalizable(r, withFields)) {
    const rev = await storage.delete(meta.namespace, meta.name!, oldRev);
    if (rev === undefined) throw lostRace(r, meta.name!);
    await deps.admission.afterDelete(r, withFields);
    return withFields;
  }
  const kv = await storage.update(toStorage(r, withFields), oldRev);
  if (!kv) throw lostRace(r, meta.name!);
  await deps.admission.afterUpdate(r, withFields, old);
  return writtenObject(r, kv, withFields);
}

/** A copy of `old` (in its key order) with `key` set to `value`, without copying the part it replaces. */
function withPart(old: KubeObject, key: string, value: unknown): KubeObject {
  const out = {} as KubeObject;
  for (const k of Object.keys(old)) out[k] = k === key ? value : cloneJson(old[k]);
  if (!Object.hasOwn(old, key)) out[key] = value;
  return out;
}

/** An object being deleted goes away once no finalizer holds it (and, for pods, its grace is over). */
export function finalizable(r: ServedResource, obj: KubeObject): boolean {
  const meta = obj.metadata;
  if (!meta.deletionTimestamp) return false;
  if ((meta.finalizers ?? []).length > 0) return false;
  if (r.kind === 'Namespace') {
    const specFinalizers = ((obj.spec as Record<string, unknown> | undefined)?.finalizers ?? []) as string[];
    return specFinalizers.length === 0;
  }
  if (r.kind === 'Pod') return (meta.deletionGracePeriodSeconds ?? 0) === 0;
  return true;
}

// Create: decode, set the metadata the server owns, admit, default, validate, record managed fields, store.
import { cloneJson } from '../../core/json.js';
import { randomSuffix } from '../../core/names.js';
import { randomUUID } from 'node:crypto';
import { updateManagedFields } from '../../apimachinery/patch/index.js';
import { errors, StatusError } from '../../core/status.js';
import { rfc3339 } from '../../core/time.js';
import type { KubeObject } from '../../core/types.js';
import type { UserInfo } from '../authz/attributes.js';
import { schemaFor } from '../resources.js';
import { decodeObject } from './decode.js';
import { checkNamespaceMatch, managerOf, validate } from './metadata.js';
import { storageOf, toStorage, writtenObject } from './served.js';
import type { PipelineDeps, Target, WriteOptions } from './types.js';

export async function create(deps: PipelineDeps, t: Target, value: unknown, opts: WriteOptions): Promise<KubeObject> {
  const obj = decodeObject(t.resource, value, opts);
  return createObject(deps, t, obj, { manager: managerOf(opts), dryRun: opts.dryRun, user: opts.user });
}

export interface CreateStep {
  manager: string;
  dryRun?: boolean;
  user: UserInfo | undefined;
  /** Replaces the managed-fields step (server-side apply records its own). */
  managed?: (o: KubeObject) => KubeObject;
}

/** Attempts of a create whose name is generated (upstream's maxNameGenerationCreateAttempts). */
export const GENERATE_NAME_ATTEMPTS = 8;

/**
 * The create pipeline after decoding, shared by POST, PUT of a missing object and apply of a missing object.
 * A generated name that is taken is generated again, up to 8 attempts in all, each from the object as
 * the client sent it (upstream's RetryGenerateName, on by default since 1.31).
 */
export async function createObject(
  deps: PipelineDeps,
  t: Target,
  obj: KubeObject,
  step: CreateStep,
): Promise<KubeObject> {
  if (obj.metadata.name || !obj.metadata.generateName) return createOnce(deps, t, obj, step);
  const sent = cloneJson(obj);
  for (let attempt = 1; ; attempt++) {
    try {
      return await createOnce(deps, t, attempt === 1 ? obj : cloneJson(sent), step);
    } catch (err) {
      if (attempt >= GENERATE_NAME_ATTEMPTS || !(err instanceof NameTaken)) throw err;
    }
  }
}

/** The store already holds the name (the 409 AlreadyExists). */
class NameTaken extends StatusError {}

async function createOnce(deps: PipelineDeps, t: Target, obj: KubeObject, step: CreateStep): Promise<KubeObject> {
  const r = t.resource;
  if (r.custom?.terminating) {
    throw errors.methodNotAllowed(`create not allowed while custom resource definition is terminating`);
  }
  checkNamespaceMatch(t, obj);
  const meta = obj.metadata;
  if (!meta.name && meta.generateName) meta.name = meta.generateName + randomSuffix();
  if (t.name && meta.name && meta.name !== t.name && t.subresource === undefined) {
    throw errors.badRequest('the name of the object does not match the name on the URL');
  }
  await deps.admission.checkNamespace(r, meta.namespace);
  meta.uid = randomUUID();
  meta.creationTimestamp = rfc3339(deps.now());
  delete meta.resourceVersion;
  delete meta.deletionTimestamp;
  delete meta.deletionGracePeriodSeconds;
  if (r.tracksGeneration) meta.generation = 1;
  else delete meta.generation;
  if (r.resetsStatusOnCreate) delete obj.status;
  r.defaulter?.(obj);
  // As upstream's create handler: the writer's managed fields are those of the decoded, defaulted object,
  // recorded before mutating admission, so what admission adds (a ServiceAccount's token volume, default
  // tolerations, the priority) belongs to no manager.
  const toStore = step.managed
    ? step.managed(obj)
    : updateManagedFields({
        old: undefined,
        updated: obj,
        manager: step.manager,
        apiVersion: r.apiVersion,
        now: meta.creationTimestamp,
        schema: schemaFor(r),
      });
  if (toStore.metadata.name) await deps.admission.admitCreate(r, toStore, step.user);
  validate(r, toStore);
  // Validating admission (NodeRestriction, LimitRanger, ResourceQuota) sees the object as it will be stored.
  await deps.admission.validateWrite({
    operation: 'CREATE',
    resource: r,
    subresource: t.subresource ?? '',
    namespace: toStore.metadata.namespace ?? '',
    name: t.name ?? '',
    object: toStore,
    dryRun: step.dryRun,
    user: step.user,
  });
  if (step.dryRun) return toStore;
  const kv = await storageOf(deps.store, r, deps.maxObjectBytes).create(toStorage(r, toStore));
  if (!kv) {
    await deps.admission.afterDelete(r, toStore);
    const e = errors.alreadyExists(r.group, r.resource, meta.name!);
    throw new NameTaken(e.code, e.reason, e.message, e.details);
  }
  return writtenObject(r, kv, toStore);
}

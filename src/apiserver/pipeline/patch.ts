// PATCH with a JSON patch, a JSON merge patch or a strategic merge patch: applied to the current object,
// decoded and written through the update pipeline, retried when another write wins the race.
import { applyJsonPatch, applyMergePatch, applyStrategicMergePatch } from '../../apimachinery/patch/index.js';
import { isPlainObject } from '../../core/json.js';
import { StatusError, errors } from '../../core/status.js';
import type { KubeObject } from '../../core/types.js';
import { isPrecondition, modifiedConflict, retryOnConflict } from './conflicts.js';
import { schemaFor } from '../resources.js';
import { decodeObject } from './decode.js';
import { managerOf } from './metadata.js';
import { readCurrent } from './served.js';
import type { NamedTarget, PipelineDeps, WriteOptions } from './types.js';
import { writeUpdate } from './update.js';

export const JSON_PATCH = 'application/json-patch+json';
export const MERGE_PATCH = 'application/merge-patch+json';
export const STRATEGIC_MERGE_PATCH = 'application/strategic-merge-patch+json';
export const APPLY_PATCH = 'application/apply-patch+yaml';

export function customPatchUnsupported(): StatusError {
  return new StatusError(
    415,
    'UnsupportedMediaType',
    `the body of the request was in an unknown format - accepted media types include: ${JSON_PATCH}, ${MERGE_PATCH}, ${APPLY_PATCH}`,
  );
}

/** The current object's status and the top-level parts a status patch names: what it is applied to. */
function partOf(current: KubeObject, doc: Record<string, unknown>): KubeObject {
  const out = {} as KubeObject;
  for (const k of Object.keys(current)) if (k === 'status' || Object.hasOwn(doc, k)) out[k] = current[k];
  return out;
}

/**
 * The patched part with the rest of the current object around it, in the current object's key order. The rest
 * is shared with `current`, but for a shallow copy of metadata, which the write pipeline sets fields of.
 */
function withRest(current: KubeObject, part: KubeObject, patched: Record<string, unknown>): KubeObject {
  const out = {} as KubeObject;
  for (const k of Object.keys(current)) {
    if (!Object.hasOwn(part, k)) out[k] = current[k];
    else if (Object.hasOwn(patched, k)) out[k] = patched[k];
  }
  for (const k of Object.keys(patched)) if (!Object.hasOwn(out, k) && !Object.hasOwn(part, k)) out[k] = patched[k];
  if (out.metadata === current.metadata) out.metadata = { ...current.metadata };
  return out;
}

const PATCH_TYPES = [MERGE_PATCH, STRATEGIC_MERGE_PATCH, JSON_PATCH];

/** `type` is the media type of the patch; an unknown one is a 415. */
export async function patch(
  deps: PipelineDeps,
  t: NamedTarget,
  type: string,
  doc: unknown,
  opts: WriteOptions,
): Promise<KubeObject> {
  const r = t.resource;
  if (!PATCH_TYPES.includes(type)) throw errors.unsupportedMediaType(type);
  // Custom resources have no strategic merge schema (upstream: 415 with the types they accept).
  if (r.custom && type === STRATEGIC_MERGE_PATCH) throw customPatchUnsupported();
  return retryOnConflict(async () => {
    const { obj: current, rev } = await readCurrent(deps, r, t.namespace, t.name, true);
    // Each patch function returns a new object and leaves its target (shared with other readers) as it was.
    // A status write keeps nothing of the result but its status (the status strategy): a merge patch is then
    // applied to the status and the parts the patch names, and the rest is the current object's, by reference.
    const partial = t.subresource === 'status' && type !== JSON_PATCH && isPlainObject(doc);
    const target = partial ? partOf(current, doc) : current;
    let patched: unknown;
    if (type === JSON_PATCH) patched = applyJsonPatch(target, doc);
    else if (type === MERGE_PATCH) patched = applyMergePatch(target, doc);
    else patched = applyStrategicMergePatch(target, doc, schemaFor(r));
    if (partial && isPlainObject(patched)) patched = withRest(current, target, patched);
    const obj = decodeObject(r, patched, opts, partial ? current : undefined);
    const rv = obj.metadata.resourceVersion;
    if (isPrecondition(rv) && rv !== String(rev)) throw modifiedConflict(r, t.name);
    obj.metadata.name = current.metadata.name;
    obj.metadata.namespace = current.metadata.namespace;
    return writeUpdate(deps, t, {
      old: current,
      oldRev: rev,
      incoming: obj,
      manager: managerOf(opts),
      dryRun: opts.dryRun,
      user: opts.user,
    });
  });
}

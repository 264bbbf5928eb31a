// PATCH with a JSON patch, a JSON merge patch or a strategic merge patch: applied to the current object,
// decoded and written through the update pipeline, retried when another write wins the race.
import { applyJsonPatch, applyMergePatch, applyStrategicMergePatch } from '../../apimachinery/patch/index.js';
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
    let patched: unknown;
    if (type === JSON_PATCH) patched = applyJsonPatch(current, doc);
    else if (type === MERGE_PATCH) patched = applyMergePatch(current, doc);
    else patched = applyStrategicMergePatch(current, doc, schemaFor(r));
    const obj = decodeObject(r, patched, opts);
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

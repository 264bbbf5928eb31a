// The scale subresource: an autoscaling/v1 Scale view of a workload's replicas and selector; writes to it
// change spec.replicas of the workload through the update pipeline.
import { cloneJson } from '../../core/json.js';
import { decodeTypeError, schemaLookup } from '../../api/openapi/index.js';
import { applyJsonPatch, applyMergePatch, applyStrategicMergePatch } from '../../apimachinery/patch/index.js';
import { labelSelectorFromObject } from '../../core/selectors/index.js';
import { isPlainObject } from '../../core/json.js';
import { errors } from '../../core/status.js';
import type { KubeObject } from '../../core/types.js';
import { isPrecondition, modifiedConflict, retryOnConflict } from './conflicts.js';
import { JSON_PATCH, MERGE_PATCH, STRATEGIC_MERGE_PATCH } from './patch.js';
import { readCurrent } from './served.js';
import type { ServedResource } from '../resources.js';
import type { NamedTarget, PipelineDeps, WriteOptions } from './types.js';
import { writeUpdate } from './update.js';

interface ScalableSpec {
  replicas?: number;
  selector?: { matchLabels?: Record<string, string>; matchExpressions?: unknown[] };
}

export function scaleOf(obj: KubeObject): KubeObject {
  const spec = (obj.spec ?? {}) as ScalableSpec;
  const status = (obj.status ?? {}) as { replicas?: number };
  const selector = spec.selector ? labelSelectorFromObject(spec.selector as never).toString() : '';
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: {
      name: obj.metadata.name,
      namespace: obj.metadata.namespace,
      uid: obj.metadata.uid,
      resourceVersion: obj.metadata.resourceVersion,
      creationTimestamp: obj.metadata.creationTimestamp,
    },
    spec: { replicas: spec.replicas ?? 0 },
    status: { replicas: status.replicas ?? 0, ...(selector ? { selector } : {}) },
  };
}

/** The Scale of an object of `r`: a custom resource's at its CRD's paths, else spec/status.replicas. */
function scaleFor(r: ServedResource, obj: KubeObject): KubeObject {
  const scale = scaleOf(obj);
  const p = r.custom?.scale;
  if (!p) return scale;
  const selector = p.selector(obj);
  scale.spec = { replicas: p.desiredReplicas(obj) };
  scale.status = { replicas: p.currentReplicas(obj), ...(selector ? { selector } : {}) };
  return scale;
}

export async function getScale(deps: PipelineDeps, t: NamedTarget): Promise<KubeObject> {
  const { obj } = await readCurrent(deps, t.resource, t.namespace, t.name);
  return scaleFor(t.resource, obj);
}

/** PUT of a Scale; its resourceVersion, when given, must be the workload's. */
export function updateScale(
  deps: PipelineDeps,
  t: NamedTarget,
  scale: unknown,
  opts: WriteOptions,
): Promise<KubeObject> {
  return writeScale(deps, t, opts, (_current, rev) => {
    const rv = (scale as KubeObject | null)?.metadata?.resourceVersion;
    if (isPrecondition(rv) && rv !== String(rev)) throw modifiedConflict(t.resource, t.name);
    return scale as KubeObject;
  });
}

/** PATCH of a Scale with a JSON, merge or strategic merge patch (`type`, a media type; others are a 415). */
export function patchScale(
  deps: PipelineDeps,
  t: NamedTarget,
  type: string,
  doc: unknown,
  opts: WriteOptions,
): Promise<KubeObject> {
  return writeScale(deps, t, opts, (current) => {
    if (type === JSON_PATCH) return applyJsonPatch(cloneJson(current), doc) as KubeObject;
    if (type === MERGE_PATCH) return applyMergePatch(cloneJson(current), doc) as KubeObject;
    if (type === STRATEGIC_MERGE_PATCH)
      return applyStrategicMergePatch(cloneJson(current), doc, undefined) as KubeObject;
    throw errors.unsupportedMediaType(type);
  });
}

/** A Scale body decodes into autoscaling/v1 Scale as Go's decoder would: wrong types are a 400. */
function checkScaleTypes(scale: unknown): void {
  if (!isPlainObject(scale))
    throw errors.badRequest("Object 'Kind' is missing in the request body: expected an object");
  const schema = schemaLookup('autoscaling', 'v1', 'Scale');
  const typeError = schema && decodeTypeError(scale, schema);
  if (typeError) throw errors.badRequest(`Scale in version "v1" cannot be handled as a Scale: ${typeError}`);
}

async function writeScale(
  deps: PipelineDeps,
  t: NamedTarget,
  opts: WriteOptions,
  change: (current: KubeObject, rev: number) => KubeObject,
): Promise<KubeObject> {
  const name = t.name;
  // The write goes to the workload itself, not to a subresource of it.
  const main = { ...t, subresource: undefined };
  const out = await retryOnConflict(async () => {
    const { obj, rev } = await readCurrent(deps, t.resource, t.namespace, name);
    const scale = change(scaleFor(t.resource, obj), rev);
    checkScaleTypes(scale);
    const replicas = (scale?.spec as { replicas?: unknown } | undefined)?.replicas;
    if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0) {
      throw errors.invalid('autoscaling', 'Scale', name, [
        {
          type: 'FieldValueInvalid',
          field: 'spec.replicas',
          message: `Invalid value: ${JSON.stringify(replicas)}: must be greater than or equal to 0`,
        },
      ]);
    }
    const custom = t.resource.custom?.scale;
    const updated = custom ? custom.withReplicas(obj, replicas) : cloneJson(obj);
    if (!custom) (updated.spec as ScalableSpec).replicas = replicas;
    const manager = opts.fieldManager ?? 'kube-controller-manager';
    return writeUpdate(deps, main, {
      old: obj,
      oldRev: rev,
      incoming: updated,
      manager,
      dryRun: opts.dryRun,
      user: opts.user,
    });
  });
  return scaleFor(t.resource, out);
}

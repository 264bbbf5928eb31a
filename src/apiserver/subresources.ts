// Subresources with their own shapes: scale (autoscaling/v1 Scale), pods/binding, pods/eviction.
import type { KubeObject } from '../core/types.js';
import { applyJsonPatch, applyMergePatch, applyStrategicMergePatch } from '../apimachinery/patch/index.js';
import { labelSelectorFromObject } from '../core/selectors/index.js';
import { errors } from '../core/status.js';
import { decodeBody, mediaType, readBody } from './body.js';
import type { DeleteOptions, RequestContext, RestHandlers } from './rest.js';
import { sendJson } from './response.js';

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

export async function serveScale(
  ctx: RequestContext,
  rest: RestHandlers,
  verb: 'get' | 'update' | 'patch',
): Promise<void> {
  const r = ctx.resource;
  const name = ctx.info.name!;
  if (verb === 'get') {
    const { obj } = await rest.mustGet(r, ctx.info.namespace, name);
    sendJson(ctx.res, 200, scaleOf(obj));
    return;
  }
  const buf = await readBody(ctx.req);
  const type = mediaType(ctx.req.headers['content-type']);
  const body =
    verb === 'patch' ? JSON.parse(buf.toString('utf8') || 'null') : decodeBody(buf, ctx.req.headers['content-type']);
  const mainCtx: RequestContext = { ...ctx, info: { ...ctx.info, subresource: undefined } };
  const out = await rest.retryOnConflict(async () => {
    const { obj, rev } = await rest.mustGet(r, ctx.info.namespace, name);
    const current = scaleOf(obj);
    let scale: KubeObject;
    if (verb === 'update') scale = body as KubeObject;
    else if (type === 'application/json-patch+json')
      scale = applyJsonPatch(structuredClone(current), body) as KubeObject;
    else if (type === 'application/merge-patch+json')
      scale = applyMergePatch(structuredClone(current), body) as KubeObject;
    else if (type === 'application/strategic-merge-patch+json')
      scale = applyStrategicMergePatch(structuredClone(current), body, undefined) as KubeObject;
    else throw errors.unsupportedMediaType(type);
    const rv = scale?.metadata?.resourceVersion;
    if (verb === 'update' && rv && rv !== String(rev)) throw rest.modified(r, name);
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
    const updated = structuredClone(obj);
    (updated.spec as ScalableSpec).replicas = replicas;
    return rest.writeUpdate(mainCtx, obj, rev, updated, ctx.query.get('fieldManager') ?? 'kube-controller-manager');
  });
  sendJson(ctx.res, 200, scaleOf(out));
}

function success(ctx: RequestContext, code: number): void {
  sendJson(ctx.res, code, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code });
}

export async function serveBinding(ctx: RequestContext, rest: RestHandlers): Promise<void> {
  const r = ctx.resource;
  const name = ctx.info.name!;
  const body = decodeBody(await readBody(ctx.req), ctx.req.headers['content-type']) as {
    target?: { kind?: string; name?: string };
  };
  const node = body?.target?.name;
  if (!node)
    throw errors.invalid('', 'Binding', name, [
      { type: 'FieldValueRequired', field: 'target.name', message: 'Required value' },
    ]);
  const mainCtx: RequestContext = { ...ctx, info: { ...ctx.info, subresource: undefined } };
  await rest.retryOnConflict(async () => {
    const { obj, rev } = await rest.mustGet(r, ctx.info.namespace, name);
    const spec = (obj.spec ?? {}) as { nodeName?: string };
    if (obj.metadata.deletionTimestamp) {
      throw errors.conflict('', 'pods', name, 'pod is being deleted, cannot be assigned to a host');
    }
    if (spec.nodeName) {
      throw errors.conflict('', 'pods', name, `pod ${name} is already assigned to node "${spec.nodeName}"`);
    }
    const updated = structuredClone(obj);
    (updated.spec as { nodeName?: string }).nodeName = node;
    const status = (updated.status ?? {}) as {
      conditions?: { type: string; status: string; lastProbeTime?: null; lastTransitionTime?: string }[];
    };
    const conditions = (status.conditions ?? []).filter((c) => c.type !== 'PodScheduled');
    conditions.push({
      type: 'PodScheduled',
      status: 'True',
      lastProbeTime: null,
      lastTransitionTime: new Date().toISOString().slice(0, 19) + 'Z',
    });
    status.conditions = conditions;
    updated.status = status;
    // Binding sets both spec.nodeName and a status condition, so write the whole object.
    const ctxNoStatus: RequestContext = { ...mainCtx, resource: { ...mainCtx.resource, hasStatus: false } };
    return rest.writeUpdate(ctxNoStatus, obj, rev, updated, 'kube-scheduler', undefined, { binding: true });
  });
  success(ctx, 201);
}

export async function serveEviction(ctx: RequestContext, rest: RestHandlers): Promise<void> {
  const body = decodeBody(await readBody(ctx.req), ctx.req.headers['content-type']) as {
    deleteOptions?: DeleteOptions;
  } | null;
  const opts = body?.deleteOptions ?? {};
  const mainCtx: RequestContext = { ...ctx, info: { ...ctx.info, subresource: undefined } };
  await rest.retryOnConflict(() => rest.deleteOne(mainCtx, ctx.info.namespace, ctx.info.name!, opts));
  success(ctx, 201);
}

// HTTP handlers of the subresources with their own shapes: scale, pods/binding, pods/eviction.
import type { ObjectPipeline } from '../pipeline/index.js';
import { decodeBody, decodePatch, mediaType, readBody } from './body.js';
import { type RequestContext, namedTargetOf, writeOptions } from './context.js';
import { sendJson } from './response.js';

export async function serveScale(
  p: ObjectPipeline,
  ctx: RequestContext,
  verb: 'get' | 'update' | 'patch',
): Promise<void> {
  const t = namedTargetOf(ctx);
  if (verb === 'get') {
    sendJson(ctx.res, 200, await p.getScale(t));
    return;
  }
  const buf = await readBody(ctx.req);
  const contentType = ctx.req.headers['content-type'];
  if (verb === 'update') {
    sendJson(ctx.res, 200, await p.updateScale(t, decodeBody(buf, contentType), writeOptions(ctx)));
    return;
  }
  sendJson(ctx.res, 200, await p.patchScale(t, mediaType(contentType), decodePatch(buf), writeOptions(ctx)));
}

/** The Status a create-only subresource answers with. */
function success(ctx: RequestContext, code: number): void {
  sendJson(ctx.res, code, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code });
}

export async function serveBinding(p: ObjectPipeline, ctx: RequestContext): Promise<void> {
  const body = decodeBody(await readBody(ctx.req), ctx.req.headers['content-type']);
  await p.bind(namedTargetOf(ctx), body, writeOptions(ctx));
  success(ctx, 201);
}

export async function serveEviction(p: ObjectPipeline, ctx: RequestContext): Promise<void> {
  const body = decodeBody(await readBody(ctx.req), ctx.req.headers['content-type']);
  await p.evict(namedTargetOf(ctx), body, ctx.user);
  success(ctx, 201);
}

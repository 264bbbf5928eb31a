// HTTP handlers of the verbs on a resource: read the request (body, query, output form), call the pipeline,
// write the response (JSON or a server-side Table).
import { isPlainObject } from '../../core/json.js';
import { errors } from '../../core/status.js';
import {
  APPLY_PATCH,
  type DeleteOptions,
  type ObjectPipeline,
  requireApplyManager,
  responseBody,
} from '../pipeline/index.js';
import { decodeBody, decodePatch, mediaType, readBody } from './body.js';
import { type RequestContext, namedTargetOf, selectorOptions, targetOf, writeOptions } from './context.js';
import { queryBool, queryInt } from './query.js';
import { TABLE_CONTENT_TYPE, outputForm, sendJson, sendJsonParts } from './response.js';
import { tableOf } from './table.js';

export async function serveGet(p: ObjectPipeline, ctx: RequestContext): Promise<void> {
  const item = await p.read(namedTargetOf(ctx));
  const form = outputForm(ctx.req, ctx.query);
  if (form.kind === 'table') {
    const table = tableOf(ctx.resource, [item.object], form.include, item.resourceVersion, Date.now());
    sendJson(ctx.res, 200, table, TABLE_CONTENT_TYPE);
    return;
  }
  sendJson(ctx.res, 200, item.bytes);
}

const COMMA = Buffer.from(',');
const LIST_TAIL = Buffer.from(']}');

export async function serveList(p: ObjectPipeline, ctx: RequestContext): Promise<void> {
  const r = ctx.resource;
  const q = ctx.query;
  const result = await p.list(targetOf(ctx), {
    ...selectorOptions(q),
    limit: parseLimit(q.get('limit')),
    continue: q.get('continue') ?? undefined,
  });
  const form = outputForm(ctx.req, q);
  if (form.kind === 'table') {
    const objects = result.items.map((i) => i.object);
    const table = tableOf(r, objects, form.include, result.metadata.resourceVersion, Date.now());
    table.metadata = result.metadata;
    sendJson(ctx.res, 200, table, TABLE_CONTENT_TYPE);
    return;
  }
  // Items are spliced in as each object's cached encoding: none is parsed or encoded again while unchanged.
  const head = `{"kind":${JSON.stringify(r.listKind)},"apiVersion":${JSON.stringify(r.apiVersion)},"metadata":${JSON.stringify(result.metadata)},"items":[`;
  const parts: Buffer[] = [Buffer.from(head)];
  for (let i = 0; i < result.items.length; i++) {
    if (i > 0) parts.push(COMMA);
    parts.push(result.items[i].bytes);
  }
  parts.push(LIST_TAIL);
  sendJsonParts(ctx.res, 200, parts);
}

/** `limit` as upstream's int64 query parameter: anything but an integer is a 400 (Go's strconv message). */
function parseLimit(value: string | null): number {
  if (value === null || value === '') return 0;
  if (!/^[+-]?\d+$/.test(value)) {
    throw errors.badRequest(
      `limit: Invalid value: ${JSON.stringify(value)}: strconv.ParseInt: parsing ${JSON.stringify(value)}: invalid syntax`,
    );
  }
  const n = Number(value);
  if (!Number.isSafeInteger(n)) {
    throw errors.badRequest(
      `limit: Invalid value: ${JSON.stringify(value)}: strconv.ParseInt: parsing ${JSON.stringify(value)}: value out of range`,
    );
  }
  return n;
}

async function readObjectBody(ctx: RequestContext): Promise<unknown> {
  return decodeBody(await readBody(ctx.req), ctx.req.headers['content-type']);
}

export async function serveCreate(p: ObjectPipeline, ctx: RequestContext): Promise<void> {
  const value = await readObjectBody(ctx);
  sendJson(ctx.res, 201, responseBody(await p.create(targetOf(ctx), value, writeOptions(ctx))));
}

export async function serveUpdate(p: ObjectPipeline, ctx: RequestContext): Promise<void> {
  const value = await readObjectBody(ctx);
  const out = await p.update(namedTargetOf(ctx), value, writeOptions(ctx));
  sendJson(ctx.res, out.created ? 201 : 200, responseBody(out.object));
}

export async function servePatch(p: ObjectPipeline, ctx: RequestContext): Promise<void> {
  const t = namedTargetOf(ctx);
  const type = mediaType(ctx.req.headers['content-type']);
  const buf = await readBody(ctx.req);
  const opts = writeOptions(ctx);
  if (type === APPLY_PATCH) {
    requireApplyManager(opts);
    const out = await p.apply(t, decodeBody(buf, type), opts);
    sendJson(ctx.res, out.created ? 201 : 200, responseBody(out.object));
    return;
  }
  sendJson(ctx.res, 200, responseBody(await p.patch(t, type, decodePatch(buf), opts)));
}

/** DeleteOptions from the body, overridden by the query parameters. */
async function readDeleteOptions(ctx: RequestContext): Promise<DeleteOptions> {
  const buf = await readBody(ctx.req);
  let opts: DeleteOptions = {};
  if (buf.length > 0) {
    const v = decodeBody(buf, ctx.req.headers['content-type'] ?? 'application/json');
    if (v !== null && !isPlainObject(v)) throw errors.badRequest('DeleteOptions must be an object');
    opts = (v ?? {}) as DeleteOptions;
  }
  const q = ctx.query;
  const grace = queryInt(q, 'gracePeriodSeconds');
  if (grace !== undefined) opts.gracePeriodSeconds = grace;
  if (q.get('propagationPolicy')) opts.propagationPolicy = q.get('propagationPolicy')!;
  const orphan = queryBool(q, 'orphanDependents');
  if (orphan !== undefined) opts.orphanDependents = orphan;
  if (q.get('dryRun')) opts.dryRun = [q.get('dryRun')!];
  return opts;
}

export async function serveDelete(p: ObjectPipeline, ctx: RequestContext): Promise<void> {
  const opts = await readDeleteOptions(ctx);
  const out = await p.delete(namedTargetOf(ctx), opts, ctx.user);
  sendJson(ctx.res, out.deleted ? 200 : 202, out.object);
}

export async function serveDeleteCollection(p: ObjectPipeline, ctx: RequestContext): Promise<void> {
  const r = ctx.resource;
  const opts = await readDeleteOptions(ctx);
  const items = await p.deleteCollection(targetOf(ctx), selectorOptions(ctx.query), opts, ctx.user);
  sendJson(ctx.res, 200, { kind: r.listKind, apiVersion: r.apiVersion, metadata: {}, items });
}

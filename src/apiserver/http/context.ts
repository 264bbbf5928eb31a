// One resource request as the HTTP handlers see it, and what they hand the pipeline from it: the target
// (from the path) and the options (from the query and headers).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ApiServerMetricsSink } from '../request-metrics.js';
import type { UserInfo } from '../authz/attributes.js';
import type { NamedTarget, SelectorOptions, Target, WriteOptions } from '../pipeline/index.js';
import type { ResourceRequest } from '../requestinfo.js';
import type { ServedResource } from '../resources.js';
import { queryBool } from './query.js';

export interface RequestContext {
  req: IncomingMessage;
  res: ServerResponse;
  query: URLSearchParams;
  info: ResourceRequest;
  resource: ServedResource;
  /** Warnings to send as `Warning:` headers. */
  warnings: string[];
  /** The authenticated user (after impersonation). */
  user: UserInfo;
  /** Where the server's metrics go, when it keeps any. */
  metrics?: ApiServerMetricsSink;
}

export function targetOf(ctx: RequestContext): Target {
  const { namespace, name, subresource } = ctx.info;
  return { resource: ctx.resource, namespace, name, subresource };
}

/** The target of a path that names an object (the router only sends those here). */
export function namedTargetOf(ctx: RequestContext): NamedTarget {
  return { ...targetOf(ctx), name: ctx.info.name! };
}

export function writeOptions(ctx: RequestContext): WriteOptions {
  const q = ctx.query;
  return {
    dryRun: q.get('dryRun') === 'All',
    fieldManager: q.get('fieldManager') ?? undefined,
    userAgent: ctx.req.headers['user-agent'],
    fieldValidation: q.get('fieldValidation') ?? undefined,
    force: queryBool(q, 'force') ?? false,
    warnings: ctx.warnings,
    user: ctx.user,
  };
}

export function selectorOptions(query: URLSearchParams): SelectorOptions {
  return {
    labelSelector: query.get('labelSelector') ?? undefined,
    fieldSelector: query.get('fieldSelector') ?? undefined,
  };
}

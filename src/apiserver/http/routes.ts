// Which handler serves a resource request: by subresource and method (405 for a method the path does not
// allow, 404 for a subresource the resource does not have).
import { errors } from '../../core/status.js';
import type { ObjectPipeline } from '../pipeline/index.js';
import type { RequestContext } from './context.js';
import { queryBool } from './query.js';
import { serveBinding, serveEviction, serveScale } from './subresources.js';
import {
  serveCreate,
  serveDelete,
  serveDeleteCollection,
  serveGet,
  serveList,
  servePatch,
  serveUpdate,
} from './verbs.js';
import { serveWatch } from './watch.js';

export interface RouteDeps {
  pipeline: ObjectPipeline;
  /** Serves pods/log, exec, attach, portforward; without it those paths are a 404. */
  nodeProxy?: (ctx: RequestContext) => Promise<void>;
}

const NOT_ALLOWED = 'the server does not allow this method on the requested resource';

export async function routeResource(deps: RouteDeps, ctx: RequestContext, method: string): Promise<void> {
  const { info, resource } = ctx;
  const p = deps.pipeline;
  const sub = info.subresource;
  if (resource.namespaced === false && info.namespace) throw errors.notFoundPath();
  if (sub !== undefined) {
    if (!info.name || !resource.subresources.includes(sub)) throw errors.notFoundPath();
    switch (sub) {
      case 'status':
        if (method === 'GET') return serveGet(p, ctx);
        if (method === 'PUT') return serveUpdate(p, ctx);
        if (method === 'PATCH') return servePatch(p, ctx);
        break;
      case 'approval':
        if (method === 'GET') return serveGet(p, ctx);
        if (method === 'PUT') return serveUpdate(p, ctx);
        if (method === 'PATCH') return servePatch(p, ctx);
        break;
      case 'finalize':
        if (method === 'PUT') return serveUpdate(p, ctx);
        break;
      case 'scale':
        if (method === 'GET') return serveScale(p, ctx, 'get');
        if (method === 'PUT') return serveScale(p, ctx, 'update');
        if (method === 'PATCH') return serveScale(p, ctx, 'patch');
        break;
      case 'binding':
        if (method === 'POST') return serveBinding(p, ctx);
        break;
      case 'eviction':
        if (method === 'POST') return serveEviction(p, ctx);
        break;
      case 'log':
      case 'exec':
      case 'attach':
      case 'portforward':
        if (!deps.nodeProxy) throw errors.notFoundPath(`the node agent proxy for pods/${sub} is not available`);
        return deps.nodeProxy(ctx);
      default:
        throw errors.notFoundPath();
    }
    throw errors.methodNotAllowed(NOT_ALLOWED);
  }
  const isWatch = info.watchPrefix || queryBool(ctx.query, 'watch') === true;
  switch (method) {
    case 'GET':
      if (isWatch) {
        if (info.name) {
          // A watch of one named object is a watch with a name field selector.
          const fs = ctx.query.get('fieldSelector');
          ctx.query.set('fieldSelector', fs ? `${fs},metadata.name=${info.name}` : `metadata.name=${info.name}`);
        }
        return serveWatch(p, ctx);
      }
      return info.name ? serveGet(p, ctx) : serveList(p, ctx);
    case 'POST':
      if (info.name) throw errors.methodNotAllowed(NOT_ALLOWED);
      return serveCreate(p, ctx);
    case 'PUT':
      if (!info.name) throw errors.methodNotAllowed(NOT_ALLOWED);
      return serveUpdate(p, ctx);
    case 'PATCH':
      if (!info.name) throw errors.methodNotAllowed(NOT_ALLOWED);
      return servePatch(p, ctx);
    case 'DELETE':
      return info.name ? serveDelete(p, ctx) : serveDeleteCollection(p, ctx);
    default:
      throw errors.methodNotAllowed(`the server does not allow the method ${method}`);
  }
}

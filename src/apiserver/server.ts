// The API server: HTTPS, bearer-token authentication, routing of discovery/OpenAPI/resource paths to the
// REST handlers. All cluster state lives in the Store; this process holds no other authority.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type Server, createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { openapiV3Document, openapiV3Index } from '../api/openapi/index.js';
import { errors } from '../core/status.js';
import type { Store } from '../storage/store.js';
import { Admission, type AdmissionConfig, DEFAULT_ADMISSION } from './admission.js';
import { bootstrapCluster } from './bootstrap.js';
import { apiGroupDoc, apiGroupList, apiResourceList, apiVersions } from './discovery.js';
import { parseRequestPath } from './requestinfo.js';
import { ResourceRegistry } from './resources.js';
import { type RequestContext, RestHandlers } from './rest.js';
import { sendError, sendJson } from './response.js';
import { serveBinding, serveEviction, serveScale } from './subresources.js';
import { serveWatch } from './watch.js';

export interface UserInfo {
  name: string;
  groups: string[];
}

export interface ApiServerOptions {
  store: Store;
  tls: { cert: string; key: string; ca: string };
  /** Bearer token -> user. */
  tokens: Map<string, UserInfo>;
  port: number;
  host?: string;
  /** Address other machines reach this server at (endpoints of the `kubernetes` service). */
  advertiseAddress?: string;
  admission?: Partial<AdmissionConfig>;
  /** Serves pods/log, exec, attach, portforward by proxying to the node agent. */
  nodeProxy?: (ctx: RequestContext) => Promise<void>;
  /** Answers HTTP upgrades (WebSocket exec/attach/port-forward); false: not one of its paths. */
  upgradeHandler?: (req: IncomingMessage, socket: Duplex, head: Buffer) => Promise<boolean>;
  log?: (msg: string, fields?: Record<string, unknown>) => void;
}

export const SERVER_VERSION = {
  major: '1',
  minor: '32',
  gitVersion: 'v1.32.4+tutti',
  gitCommit: '0000000000000000000000000000000000000000',
  gitTreeState: 'clean',
  buildDate: '2026-11-26T00:00:00Z',
  goVersion: 'go1.23.0',
  compiler: 'gc',
  platform: 'linux/amd64',
};

const UNAUTHENTICATED = new Set(['/healthz', '/livez', '/readyz', '/version', '/cacerts']);

export class ApiServer {
  readonly registry = new ResourceRegistry();
  readonly admission: Admission;
  readonly rest: RestHandlers;
  private server?: Server;
  private ready = false;
  private readonly sockets = new Set<Duplex>();

  constructor(readonly opts: ApiServerOptions) {
    this.admission = new Admission(opts.store, { ...DEFAULT_ADMISSION, ...opts.admission });
    this.rest = new RestHandlers({
      store: opts.store,
      registry: this.registry,
      admission: this.admission,
      now: () => new Date(),
    });
  }

  get port(): number {
    return (this.server?.address() as AddressInfo | null)?.port ?? this.opts.port;
  }

  get url(): string {
    return `https://${this.opts.host && this.opts.host !== '0.0.0.0' ? this.opts.host : '127.0.0.1'}:${this.port}`;
  }

  async start(): Promise<void> {
    const server = createServer(
      { cert: this.opts.tls.cert, key: this.opts.tls.key, keepAliveTimeout: 60_000 },
      (req, res) => {
        this.handle(req, res).catch((err) => sendError(res, err));
      },
    );
    server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    server.on('clientError', (_err, socket) => socket.destroy());
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      const handler = this.opts.upgradeHandler;
      if (!handler) {
        socket.destroy();
        return;
      }
      handler(req, socket, head).then(
        (handled) => {
          if (!handled) socket.destroy();
        },
        () => socket.destroy(),
      );
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.opts.port, this.opts.host ?? '0.0.0.0', () => resolve());
    });
    await bootstrapCluster(this, this.opts.advertiseAddress ?? '127.0.0.1');
    this.ready = true;
  }

  async stop(): Promise<void> {
    this.ready = false;
    const server = this.server;
    if (!server) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      for (const s of this.sockets) s.destroy();
    });
  }

  authenticate(req: IncomingMessage): UserInfo | undefined {
    const h = req.headers.authorization;
    if (!h?.startsWith('Bearer ')) return undefined;
    return this.opts.tokens.get(h.slice(7).trim());
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'https://localhost');
    const path = url.pathname.length > 1 ? url.pathname.replace(/\/+$/, '') : url.pathname;
    if (
      UNAUTHENTICATED.has(path) ||
      path.startsWith('/readyz/') ||
      path.startsWith('/livez/') ||
      path.startsWith('/healthz/')
    ) {
      return this.handlePublic(path, res);
    }
    const user = this.authenticate(req);
    if (!user) throw errors.unauthorized();
    if (path === '/api')
      return sendJson(res, 200, apiVersions(`${this.opts.advertiseAddress ?? '127.0.0.1'}:${this.port}`));
    if (path === '/apis') return sendJson(res, 200, apiGroupList(this.registry));
    if (path === '/openapi/v3') return sendJson(res, 200, openapiV3Index());
    if (path.startsWith('/openapi/v3/')) {
      const doc = openapiV3Document(path.slice('/openapi/v3/'.length));
      if (!doc) throw errors.notFoundPath();
      res.writeHead(200, {
        'Content-Type': 'application/json',
        Etag: `"${doc.hash}"`,
        'Cache-Control': 'public, immutable',
      });
      res.end(doc.body);
      return;
    }
    const parts = path.split('/').filter((p) => p);
    if (parts[0] === 'api' && parts.length === 2) {
      const list = apiResourceList(this.registry, '', parts[1]);
      if (!list) throw errors.notFoundPath();
      return sendJson(res, 200, list);
    }
    if (parts[0] === 'apis' && parts.length === 2) {
      const g = apiGroupDoc(this.registry, parts[1]);
      if (!g) throw errors.notFoundPath();
      return sendJson(res, 200, g);
    }
    if (parts[0] === 'apis' && parts.length === 3) {
      const list = apiResourceList(this.registry, parts[1], parts[2]);
      if (!list) throw errors.notFoundPath();
      return sendJson(res, 200, list);
    }
    const info = parseRequestPath(path);
    if (info.kind !== 'resource') throw errors.notFoundPath();
    const resource = this.registry.find(info.group, info.version, info.resource);
    if (!resource) throw errors.notFoundPath();
    const ctx: RequestContext = { req, res, query: url.searchParams, info, resource, warnings: [] };
    const origWriteHead = res.writeHead.bind(res);
    // Warnings collected while handling (e.g. unknown fields under fieldValidation=Warn) go out as headers.
    res.writeHead = ((...args: Parameters<ServerResponse['writeHead']>) => {
      if (ctx.warnings.length > 0 && !res.headersSent) {
        res.setHeader(
          'Warning',
          ctx.warnings.map((w) => `299 - ${JSON.stringify(w)}`),
        );
      }
      return origWriteHead(...args);
    }) as ServerResponse['writeHead'];
    await this.route(ctx, req.method ?? 'GET');
  }

  private handlePublic(path: string, res: ServerResponse): void {
    if (path === '/version') {
      sendJson(res, 200, SERVER_VERSION);
      return;
    }
    if (path === '/cacerts') {
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.end(this.opts.tls.ca);
      return;
    }
    const ok = this.ready;
    res.writeHead(ok ? 200 : 500, { 'Content-Type': 'text/plain; charset=utf-8' });
    res.end(ok ? 'ok' : 'not ready');
  }

  private async route(ctx: RequestContext, method: string): Promise<void> {
    const { info, resource } = ctx;
    const rest = this.rest;
    const sub = info.subresource;
    if (resource.namespaced === false && info.namespace) throw errors.notFoundPath();
    if (sub !== undefined) {
      if (!info.name || !resource.subresources.includes(sub)) throw errors.notFoundPath();
      switch (sub) {
        case 'status':
          if (method === 'GET') return rest.get(ctx);
          if (method === 'PUT') return rest.update(ctx);
          if (method === 'PATCH') return rest.patch(ctx);
          break;
        case 'finalize':
          if (method === 'PUT') return rest.update(ctx);
          break;
        case 'scale':
          if (method === 'GET') return serveScale(ctx, rest, 'get');
          if (method === 'PUT') return serveScale(ctx, rest, 'update');
          if (method === 'PATCH') return serveScale(ctx, rest, 'patch');
          break;
        case 'binding':
          if (method === 'POST') return serveBinding(ctx, rest);
          break;
        case 'eviction':
          if (method === 'POST') return serveEviction(ctx, rest);
          break;
        case 'log':
        case 'exec':
        case 'attach':
        case 'portforward':
          if (!this.opts.nodeProxy) throw errors.notFoundPath(`the node agent proxy for pods/${sub} is not available`);
          return this.opts.nodeProxy(ctx);
        default:
          throw errors.notFoundPath();
      }
      throw errors.methodNotAllowed(`the server does not allow this method on the requested resource`);
    }
    const isWatch = info.watchPrefix || ctx.query.get('watch') === 'true' || ctx.query.get('watch') === '1';
    switch (method) {
      case 'GET':
        if (isWatch) {
          if (info.name) {
            // A watch of one named object is a watch with a name field selector.
            const fs = ctx.query.get('fieldSelector');
            ctx.query.set('fieldSelector', fs ? `${fs},metadata.name=${info.name}` : `metadata.name=${info.name}`);
          }
          return serveWatch(ctx, rest);
        }
        return info.name ? rest.get(ctx) : rest.list(ctx);
      case 'POST':
        if (info.name) throw errors.methodNotAllowed('the server does not allow this method on the requested resource');
        return rest.create(ctx);
      case 'PUT':
        if (!info.name)
          throw errors.methodNotAllowed('the server does not allow this method on the requested resource');
        return rest.update(ctx);
      case 'PATCH':
        if (!info.name)
          throw errors.methodNotAllowed('the server does not allow this method on the requested resource');
        return rest.patch(ctx);
      case 'DELETE':
        return info.name ? rest.delete(ctx) : rest.deleteCollection(ctx);
      default:
        throw errors.methodNotAllowed(`the server does not allow the method ${method}`);
    }
  }
}

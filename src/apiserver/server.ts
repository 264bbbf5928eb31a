// The API server: HTTPS, bearer-token authentication, discovery and OpenAPI, resource paths routed to the
// HTTP handlers on top of the object pipeline, and the node proxy. All cluster state lives in the Store;
// this process holds no other authority.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type Server, createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { openapiV3Document, openapiV3Index } from '../api/openapi/index.js';
import { errors } from '../core/status.js';
import type { Store } from '../storage/store.js';
import { Admission, type AdmissionConfig, DEFAULT_ADMISSION } from './admission.js';
import { Authorizer, checkNoEscalation, requestAttributes, requestUser, serveAuthReview } from './authz/index.js';
import { bootstrapCluster } from './bootstrap.js';
import { apiGroupDoc, apiGroupList, apiResourceList, apiVersions } from './discovery.js';
import type { RequestContext } from './http/context.js';
import { sendError, sendJson } from './http/response.js';
import { routeResource } from './http/routes.js';
import { storeNodeProxy } from './nodeproxy/from-store.js';
import { ObjectPipeline } from './pipeline/index.js';
import { serveTokenRequest, TokenIssuer } from './serviceaccounts/index.js';
import { parseRequestPath } from './requestinfo.js';
import { ResourceRegistry } from './resources.js';

export type { UserInfo } from './authz/index.js';
import type { UserInfo } from './authz/index.js';

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
  /**
   * Serve pods/log, exec, attach and portforward by proxying to the pod's node agent, found through the
   * store; the agents accept `agentToken`. Without it (and without `nodeProxy`) those paths are a 404.
   */
  agentProxy?: { agentToken: string };
  /** Replaces the agent proxy's pods/log, exec, attach, portforward handler (tests with a fixed node). */
  nodeProxy?: (ctx: RequestContext) => Promise<void>;
  /** Replaces the agent proxy's answer to HTTP upgrades (WebSocket exec/attach/port-forward); false: not one of its paths. */
  upgradeHandler?: (req: IncomingMessage, socket: Duplex, head: Buffer) => Promise<boolean>;
  log?: (msg: string, fields?: Record<string, unknown>) => void;
  /** Signs and verifies ServiceAccount tokens (PKCS#8 PEM); without it TokenRequest is a 404. */
  serviceAccountKeyPem?: string;
  /** The `iss` of ServiceAccount tokens (upstream --service-account-issuer). */
  serviceAccountIssuer?: string;
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
  readonly pipeline: ObjectPipeline;
  /** RBAC (system:masters may do everything); started before the server answers. */
  readonly authorizer: Authorizer;
  readonly tokenIssuer?: TokenIssuer;
  private readonly nodeProxy?: (ctx: RequestContext) => Promise<void>;
  private readonly upgradeHandler?: (req: IncomingMessage, socket: Duplex, head: Buffer) => Promise<boolean>;
  private server?: Server;
  private ready = false;
  private readonly sockets = new Set<Duplex>();

  constructor(readonly opts: ApiServerOptions) {
    this.admission = new Admission(opts.store, { ...DEFAULT_ADMISSION, ...opts.admission });
    this.pipeline = new ObjectPipeline({
      store: opts.store,
      registry: this.registry,
      admission: this.admission,
      now: () => new Date(),
    });
    this.authorizer = new Authorizer(opts.store);
    if (opts.serviceAccountKeyPem)
      this.tokenIssuer = new TokenIssuer(opts.serviceAccountKeyPem, opts.serviceAccountIssuer);
    this.admission.guards.push((r, obj) => {
      if (r.group === 'rbac.authorization.k8s.io') checkNoEscalation(this.authorizer, r.resource, obj);
    });
    const proxy = opts.agentProxy
      ? storeNodeProxy({
          store: opts.store,
          agentToken: opts.agentProxy.agentToken,
          authenticate: (req) => this.authorizeUpgrade(req),
        })
      : undefined;
    this.nodeProxy = opts.nodeProxy ?? proxy?.serve;
    this.upgradeHandler = opts.upgradeHandler ?? proxy?.handleUpgrade;
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
      const handler = this.upgradeHandler;
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
    await bootstrapCluster(this.pipeline, {
      serviceCidr: this.admission.config.serviceCidr,
      port: this.port,
      advertiseAddress: this.opts.advertiseAddress ?? '127.0.0.1',
    });
    await this.authorizer.start();
    this.ready = true;
  }

  async stop(): Promise<void> {
    this.ready = false;
    this.authorizer.stop();
    const server = this.server;
    if (!server) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      for (const s of this.sockets) s.destroy();
    });
  }

  async authenticate(req: IncomingMessage): Promise<UserInfo | undefined> {
    const h = req.headers.authorization;
    if (!h?.startsWith('Bearer ')) return undefined;
    const token = h.slice(7).trim();
    const u = this.opts.tokens.get(token);
    if (u)
      return u.groups.includes('system:authenticated') ? u : { ...u, groups: [...u.groups, 'system:authenticated'] };
    return this.authenticateServiceAccount(token);
  }

  /** A ServiceAccount token: valid, and its ServiceAccount (and bound pod or secret) still exist with the same uid. */
  private async authenticateServiceAccount(token: string): Promise<UserInfo | undefined> {
    const v = await this.tokenIssuer?.verify(token);
    if (!v) return undefined;
    const sa = await this.readObject('serviceaccounts', v.namespace, v.serviceAccount.name);
    if (sa?.metadata.uid !== v.serviceAccount.uid) return undefined;
    if (v.pod && (await this.readObject('pods', v.namespace, v.pod.name))?.metadata.uid !== v.pod.uid) return undefined;
    if (v.secret && (await this.readObject('secrets', v.namespace, v.secret.name))?.metadata.uid !== v.secret.uid)
      return undefined;
    return {
      name: `system:serviceaccount:${v.namespace}:${v.serviceAccount.name}`,
      groups: ['system:serviceaccounts', `system:serviceaccounts:${v.namespace}`, 'system:authenticated'],
    };
  }

  private async readObject(resource: 'serviceaccounts' | 'pods' | 'secrets', namespace: string, name: string) {
    const r = this.registry.find('', 'v1', resource)!;
    try {
      return (await this.pipeline.read({ resource: r, namespace, name })).object;
    } catch (err) {
      if (err instanceof Error && (err as { code?: number }).code === 404) return undefined;
      throw err;
    }
  }

  /** Whether an upgrade (WebSocket exec/attach/port-forward) may go on: `create` on the subresource, as upstream. */
  private async authorizeUpgrade(req: IncomingMessage): Promise<boolean> {
    const authn = await this.authenticate(req);
    if (!authn) return false;
    try {
      const user = this.authorizer.impersonate(authn, req);
      const url = new URL(req.url ?? '/', 'https://localhost');
      const a = requestAttributes(user, 'POST', parseRequestPath(url.pathname), url.pathname, url.searchParams);
      return this.authorizer.allows(a);
    } catch {
      return false;
    }
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
    const authn = await this.authenticate(req);
    if (!authn) throw errors.unauthorized();
    const user = this.authorizer.impersonate(authn, req);
    const method = req.method ?? 'GET';
    this.authorizer.check(requestAttributes(user, method, parseRequestPath(path), path, url.searchParams));
    if (await serveAuthReview(this.authorizer, user, req, res, path)) return;
    if (this.tokenIssuer && path === '/.well-known/openid-configuration')
      return sendJson(res, 200, this.tokenIssuer.openidConfiguration());
    if (this.tokenIssuer && path === '/openid/v1/jwks')
      return sendJson(res, 200, await this.tokenIssuer.jwks(), 'application/jwk-set+json');
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
    if (this.tokenIssuer && info.resource === 'serviceaccounts' && info.subresource === 'token' && info.group === '') {
      if (method !== 'POST')
        throw errors.methodNotAllowed('the server does not allow this method on the requested resource');
      return serveTokenRequest(
        this.tokenIssuer,
        (r, ns, name) => this.readObject(r, ns, name),
        req,
        res,
        info.namespace ?? '',
        info.name ?? '',
      );
    }
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
    await requestUser.run(user, () =>
      routeResource({ pipeline: this.pipeline, nodeProxy: this.nodeProxy }, ctx, req.method ?? 'GET'),
    );
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
}

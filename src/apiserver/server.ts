// The API server: HTTPS, bearer-token authentication, discovery and OpenAPI, resource paths routed to the
// HTTP handlers on top of the object pipeline, and the node proxy. All cluster state lives in the Store;
// this process holds no other authority.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type Server, createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { Duplex } from 'node:stream';
import { openapiV3Document, openapiV3Index } from '../api/openapi/index.js';
import { errors } from '../core/status.js';
import { verifyClientCertificate } from '../pki/index.js';
import type { KubeObject } from '../core/types.js';
import { prefixEnd, type Store } from '../storage/store.js';
import { Admission, type AdmissionConfig, type AdmissionWrite, DEFAULT_ADMISSION } from './admission.js';
import { Authorizer, checkNoEscalation, nodeIdentity, requestAttributes, serveAuthReview } from './authz/index.js';
import { admitNodeRestriction } from './noderestriction.js';
import { bootstrapCluster } from './bootstrap.js';
import { csrAdmission, isCsr } from './certificates.js';
import { CustomResourceDefinitions } from './customresources.js';
import { apiGroupDoc, apiGroupList, apiResourceList, apiVersions } from './discovery.js';
import type { RequestContext } from './http/context.js';
import { guardConnections, refuseHttpVersion, serverTimeouts } from './http/hygiene.js';
import { serveOpenapiV2 } from './http/openapi-v2.js';
import { serveTokenReview } from './http/reviews.js';
import { sendError, sendJson } from './http/response.js';
import { routeResource } from './http/routes.js';
import { storeNodeProxy } from './nodeproxy/from-store.js';
import { ObjectPipeline } from './pipeline/index.js';
import { keyPrefix } from './objects.js';
import { type ApiServerMetricsSink, requestMetricLabels } from './request-metrics.js';
import { serveTokenRequest, TokenIssuer } from './serviceaccounts/index.js';
import { type AuditPolicy, Auditor } from './audit/index.js';
import { type RequestInfo, decodeSegment, parseRequestPath, splitTarget } from './requestinfo.js';
import { ResourceRegistry } from './resources.js';

export type { UserInfo } from './authz/index.js';
import type { UserInfo } from './authz/index.js';

export interface ApiServerOptions {
  store: Store;
  /**
   * Serving certificate and key, the CA served on /cacerts, and the client CA: a client certificate it issued
   * authenticates as user = Subject CN, groups = Subject O (upstream --client-ca-file).
   */
  tls: { cert: string; key: string; ca: string; clientCa?: string };
  /** Bearer token -> user. */
  tokens: Map<string, UserInfo>;
  port: number;
  host?: string;
  /** Address other machines reach this server at (endpoints of the `kubernetes` service). */
  advertiseAddress?: string;
  admission?: Partial<AdmissionConfig>;
  /** Time a client has to send the request headers (default 32 s) and the whole request (default 60 s). */
  headersTimeoutMs?: number;
  requestTimeoutMs?: number;
  /** Largest object (its stored JSON) a write may store: 413 above it. Default etcd's 1.5 MiB. */
  maxObjectBytes?: number;
  /**
   * Serve pods/log, exec, attach and portforward by proxying to the pod's node agent, found through the
   * store; `agentToken` is the bearer sent to agents (they authenticate and authorize it: kube-apiserver-kubelet-client). Without it (and without `nodeProxy`) those paths are a 404.
   */
  agentProxy?: { agentToken: string };
  /** Replaces the agent proxy's pods/log, exec, attach, portforward handler (tests with a fixed node). */
  nodeProxy?: (ctx: RequestContext) => Promise<void>;
  /** Replaces the agent proxy's answer to HTTP upgrades (WebSocket exec/attach/port-forward); false: not one of its paths. */
  upgradeHandler?: (req: IncomingMessage, socket: Duplex, head: Buffer) => Promise<boolean>;
  log?: (msg: string, fields?: Record<string, unknown>) => void;
  /**
   * API groups served by a handler instead of the store (metrics.k8s.io, as an aggregated API server would):
   * listed in /apis, every path under /apis/<name> answered by `handle` (authenticated).
   */
  extraApis?: ExtraApiGroup[];
  /** Request metrics (apiserver_request_total, ...) and the text of GET /metrics (authenticated). */
  metrics?: ApiServerMetricsSink;
  /** Signs and verifies ServiceAccount tokens (PKCS#8 PEM); without it TokenRequest is a 404. */
  serviceAccountKeyPem?: string;
  /** The `iss` of ServiceAccount tokens (upstream --service-account-issuer). */
  serviceAccountIssuer?: string;
  /** Audit logging (upstream --audit-policy-file, --audit-log-path). */
  audit?: { policy: AuditPolicy; path: string; maxSizeMB?: number; maxBackups?: number };
}

export interface ExtraApiGroup {
  /** The group name, e.g. metrics.k8s.io. */
  name: string;
  /** Its APIGroup document (an entry of /apis). */
  groupDocument(): unknown;
  handle(req: { method: string; path: string; query: URLSearchParams }): Promise<{ code: number; body: unknown }>;
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

/** A request's target as the handler and the metrics read it. */
interface Target {
  rawPath: string;
  query: URLSearchParams;
  /** The resource path, unless it is one the handler answers with an error (then `pathError`). */
  resourcePath?: RequestInfo;
  pathError?: unknown;
}

/**
 * The raw target, never `new URL()`: it folds `..` and `%2e%2e` into the parent before anyone looks. A resource
 * path's errors (an invalid name, an empty segment, a bad escape) are kept to be answered after authentication.
 */
function parseTarget(url: string | undefined): Target {
  const { rawPath, rawQuery } = splitTarget(url ?? '/');
  const target: Target = { rawPath, query: new URLSearchParams(rawQuery) };
  try {
    target.resourcePath = parseRequestPath(rawPath);
  } catch (e) {
    target.pathError = e;
  }
  return target;
}

/** Discovery, OpenAPI and the public endpoints are read-only: any other method is a 405 (upstream's go-restful). */
function onlyReads(method: string): void {
  if (method !== 'GET' && method !== 'HEAD') {
    throw errors.methodNotAllowed(`the server does not allow the method ${method} on the requested path`);
  }
}

const UNAUTHENTICATED = new Set(['/healthz', '/livez', '/readyz', '/version', '/cacerts']);

export class ApiServer {
  readonly registry = new ResourceRegistry();
  readonly admission: Admission;
  readonly pipeline: ObjectPipeline;
  /** RBAC (system:masters may do everything); started before the server answers. */
  readonly authorizer: Authorizer;
  readonly tokenIssuer?: TokenIssuer;
  private readonly auditor?: Auditor;
  /** Serves the resources of CustomResourceDefinitions. */
  readonly customResources: CustomResourceDefinitions;
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
      maxObjectBytes: opts.maxObjectBytes,
    });
    this.authorizer = new Authorizer(opts.store);
    if (opts.audit) this.auditor = new Auditor(opts.audit.policy, opts.audit);
    if (opts.serviceAccountKeyPem)
      this.tokenIssuer = new TokenIssuer(opts.serviceAccountKeyPem, opts.serviceAccountIssuer);
    this.admission.guards.push((r, obj, _old, _sub, user) => {
      if (r.group === 'rbac.authorization.k8s.io') checkNoEscalation(this.authorizer, r.resource, obj, user);
    });
    const certificateAdmission = csrAdmission(this.authorizer);
    this.admission.guards.push((r, obj, old, sub, user) => {
      if (isCsr(r)) certificateAdmission(obj, old, sub, user);
    });
    this.admission.validators.push((w) => this.admitNodeWrite(w));
    this.customResources = new CustomResourceDefinitions(this.pipeline, opts.store, opts.log);
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
      {
        cert: this.opts.tls.cert,
        key: this.opts.tls.key,
        // Ask for a client certificate, but let the handshake through without one (or with one we do not
        // trust): authentication decides, so bearer tokens keep working and a bad certificate is a 401.
        ...(this.opts.tls.clientCa
          ? { requestCert: true, rejectUnauthorized: false, ca: [this.opts.tls.clientCa] }
          : {}),
        keepAliveTimeout: 60_000,
        ...serverTimeouts({
          headersTimeoutMs: this.opts.headersTimeoutMs,
          requestTimeoutMs: this.opts.requestTimeoutMs,
        }),
      },
      (req, res) => {
        // Parsed once for the metrics and the handler. Nothing in this listener may throw: an exception here
        // would end the process (a bad path is answered by the handler, after authentication).
        const target = parseTarget(req.url);
        if (this.opts.metrics) this.observe(this.opts.metrics, req, res, target);
        this.handle(req, res, target).catch((err) => sendError(res, err));
      },
    );
    server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    guardConnections(server);
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
    await this.customResources.start();
    this.ready = true;
  }

  async stop(): Promise<void> {
    this.ready = false;
    this.authorizer.stop();
    this.auditor?.close();
    this.customResources.stop();
    const server = this.server;
    if (!server) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      for (const s of this.sockets) s.destroy();
    });
  }

  /** Reports the request to the metrics sink when its response is done (a watch: when it ends). */
  private observe(sink: ApiServerMetricsSink, req: IncomingMessage, res: ServerResponse, target: Target): void {
    const started = performance.now();
    // A path the handler refuses is counted as a request to no resource.
    const info = target.resourcePath ?? { kind: 'other' as const, path: target.rawPath };
    const labels = requestMetricLabels(req.method ?? 'GET', info, target.query, req.headers['content-type']);
    const kind =
      info.kind === 'resource' ? this.registry.find(info.group, info.version, info.resource)?.kind : undefined;
    const ended =
      labels.verb === 'WATCH' || labels.verb === 'CONNECT' ? sink.longRunningStarted(labels, kind) : undefined;
    res.once('close', () => {
      ended?.();
      sink.request(labels, {
        code: res.statusCode,
        seconds: (performance.now() - started) / 1000,
        dryRun: target.query.has('dryRun'),
      });
    });
  }

  /** Stored objects per resource (`<resource>.<group>`, the core group's without a suffix), for metrics. */
  async storageObjectCounts(): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    for (const r of this.registry.all) {
      if (r.storage.group !== r.group || r.storage.version !== r.version) continue;
      const name = r.group ? `${r.resource}.${r.group}` : r.resource;
      if (out.has(name)) continue;
      const prefix = keyPrefix({ group: r.group, resource: r.resource, namespaced: r.namespaced });
      const { count } = await this.opts.store.range({ key: prefix, end: prefixEnd(prefix), countOnly: true });
      out.set(name, count);
    }
    return out;
  }

  /**
   * Who made the request, as upstream's union authenticator: the client certificate (x509), then the bearer
   * token. A certificate that does not verify authenticates nobody, and the token may still do.
   */
  async authenticate(req: IncomingMessage): Promise<UserInfo | undefined> {
    const fromCert = await this.authenticateClientCertificate(req);
    if (fromCert) return fromCert;
    const h = req.headers.authorization;
    if (!h?.startsWith('Bearer ')) return undefined;
    return this.authenticateToken(h.slice(7).trim());
  }

  private readonly certUsers = new WeakMap<TLSSocket, Promise<{ user: UserInfo; notAfter: number } | undefined>>();

  /** The TLS peer's certificate, verified once per connection against the client CA; its expiry on every request. */
  private async authenticateClientCertificate(req: IncomingMessage): Promise<UserInfo | undefined> {
    const clientCa = this.opts.tls.clientCa;
    const socket = req.socket as TLSSocket;
    if (!clientCa || typeof socket.getPeerCertificate !== 'function') return undefined;
    let answer = this.certUsers.get(socket);
    if (!answer) {
      const peer = socket.getPeerCertificate();
      answer =
        peer?.raw === undefined
          ? Promise.resolve(undefined)
          : verifyClientCertificate(new Uint8Array(peer.raw), clientCa).then((r) => {
              if ('user' in r) {
                const user = { name: r.user.name, groups: [...r.user.groups, 'system:authenticated'] };
                return { user, notAfter: r.notAfter.getTime() };
              }
              if ('error' in r) this.opts.log?.('Unable to authenticate the request', { error: r.error });
              return undefined;
            });
      this.certUsers.set(socket, answer);
    }
    const verified = await answer;
    return verified && Date.now() <= verified.notAfter ? verified.user : undefined;
  }

  /** Who a bearer token is: a static token, or a ServiceAccount token. */
  async authenticateToken(token: string): Promise<UserInfo | undefined> {
    const u = this.opts.tokens.get(token);
    if (u)
      return u.groups.includes('system:authenticated') ? u : { ...u, groups: [...u.groups, 'system:authenticated'] };
    return this.authenticateServiceAccount(token);
  }

  /** A ServiceAccount token: valid, and its ServiceAccount (and bound pod or secret) still exist with the same uid. */
  private async authenticateServiceAccount(token: string): Promise<UserInfo | undefined> {
    const v = await this.tokenIssuer?.verify(token);
    if (!v) return this.authenticateLegacyServiceAccount(token);
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

  /**
   * A legacy token (upstream's legacy validator): the secret it names still holds exactly this token, and the
   * ServiceAccount exists with the uid of the claim.
   */
  private async authenticateLegacyServiceAccount(token: string): Promise<UserInfo | undefined> {
    const v = await this.tokenIssuer?.verifyLegacy(token);
    if (!v) return undefined;
    const secret = await this.readObject('secrets', v.namespace, v.secretName);
    const held = (secret?.data as Record<string, unknown> | undefined)?.token;
    if (secret?.metadata.deletionTimestamp || typeof held !== 'string') return undefined;
    if (Buffer.from(held, 'base64').toString('utf8') !== token) return undefined;
    const sa = await this.readObject('serviceaccounts', v.namespace, v.serviceAccount.name);
    if (!sa || sa.metadata.deletionTimestamp || sa.metadata.uid !== v.serviceAccount.uid) return undefined;
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

  /** NodeRestriction for the user of the request being served (internal writes have none and pass). */
  private async admitNodeWrite(w: AdmissionWrite): Promise<void> {
    const user = w.user;
    if (!user) return;
    const node = nodeIdentity(user);
    if (node === undefined) return;
    let nodeUid: string | undefined;
    if (
      node &&
      w.resource.group === '' &&
      w.resource.resource === 'pods' &&
      w.operation === 'CREATE' &&
      !w.subresource
    ) {
      const nodes = this.registry.find('', 'v1', 'nodes')!;
      nodeUid = await this.pipeline.read({ resource: nodes, name: node }).then(
        (r) => r.object.metadata.uid,
        () => undefined,
      );
    }
    admitNodeRestriction({
      user,
      operation: w.operation,
      group: w.resource.group,
      resource: w.resource.resource,
      subresource: w.subresource,
      namespace: w.namespace,
      name: w.name,
      object: w.object,
      old: w.old,
      nodeUid,
    });
  }

  /** NodeRestriction of a TokenRequest: a node's must be bound to a pod on it. */
  private async admitNodeTokenRequest(user: UserInfo, namespace: string, name: string, ref: unknown): Promise<void> {
    if (nodeIdentity(user) === undefined) return;
    const podName = (ref as { name?: unknown } | null)?.name;
    const pod = typeof podName === 'string' && podName ? await this.readObject('pods', namespace, podName) : undefined;
    admitNodeRestriction({
      user,
      operation: 'CREATE',
      group: '',
      resource: 'serviceaccounts',
      subresource: 'token',
      namespace,
      name,
      object: { metadata: { name, namespace }, spec: { boundObjectRef: ref ?? null } } as KubeObject,
      old: pod,
    });
  }

  /** Whether a request to the node proxy may go on (an upgrade for exec/attach/port-forward needs `create`). */
  private async authorizeUpgrade(req: IncomingMessage): Promise<boolean> {
    const authn = await this.authenticate(req);
    if (!authn) return false;
    try {
      const user = this.authorizer.impersonate(authn, req);
      const { rawPath, query, resourcePath } = parseTarget(req.url);
      if (!resourcePath) return false;
      // exec/attach/portforward over an upgrade need `create`, as upstream checks WebSocket upgrades
      const method = req.headers.upgrade ? 'POST' : (req.method ?? 'GET');
      return this.authorizer.allows(requestAttributes(user, method, resourcePath, rawPath, query));
    } catch {
      return false;
    }
  }

  async handle(req: IncomingMessage, res: ServerResponse, target = parseTarget(req.url)): Promise<void> {
    if (refuseHttpVersion(req, res)) return;
    const { rawPath, query, resourcePath, pathError } = target;
    const decodedPath = resourcePath?.kind === 'other' ? rawPath.split('/').map(decodeSegment).join('/') : rawPath;
    const path = decodedPath.length > 1 ? decodedPath.replace(/\/+$/, '') : decodedPath;
    const method = req.method ?? 'GET';
    if (
      UNAUTHENTICATED.has(path) ||
      path.startsWith('/readyz/') ||
      path.startsWith('/livez/') ||
      path.startsWith('/healthz/')
    ) {
      onlyReads(method);
      return this.handlePublic(path, res);
    }
    const authn = await this.authenticate(req);
    if (!authn) throw errors.unauthorized();
    if (!resourcePath) throw pathError;
    if (resourcePath.kind === 'other') onlyReads(method);
    const user = this.authorizer.impersonate(authn, req);
    const attrs = requestAttributes(user, method, resourcePath, path, query);
    this.auditor?.begin(
      req,
      res,
      user,
      { ...attrs, user: user.name, groups: user.groups },
      user === authn ? undefined : authn,
    );
    this.authorizer.check(attrs);
    if (await serveAuthReview(this.authorizer, user, req, res, path)) return;
    if (this.tokenIssuer && path === '/.well-known/openid-configuration')
      return sendJson(res, 200, this.tokenIssuer.openidConfiguration());
    if (this.tokenIssuer && path === '/openid/v1/jwks')
      return sendJson(res, 200, await this.tokenIssuer.jwks(), 'application/jwk-set+json');
    if (path === '/metrics' && this.opts.metrics) {
      if (req.method !== 'GET') throw errors.methodNotAllowed(`the server does not allow the method ${req.method}`);
      const text = await this.opts.metrics.metrics();
      res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8' });
      res.end(text);
      return;
    }
    if (path === '/api')
      return sendJson(res, 200, apiVersions(`${this.opts.advertiseAddress ?? '127.0.0.1'}:${this.port}`));
    if (path === '/apis') {
      const list = apiGroupList(this.registry) as { groups: unknown[] };
      for (const g of this.opts.extraApis ?? []) list.groups.push(g.groupDocument());
      return sendJson(res, 200, list);
    }
    const extra = this.opts.extraApis?.find((g) => path === `/apis/${g.name}` || path.startsWith(`/apis/${g.name}/`));
    if (extra) {
      const answer = await extra.handle({ method, path, query });
      return sendJson(res, answer.code, answer.body);
    }
    if (path === '/openapi/v2') return serveOpenapiV2(req, res);
    if (path === '/openapi/v3') return sendJson(res, 200, this.customResources.openapiIndex(openapiV3Index()));
    if (path.startsWith('/openapi/v3/')) {
      const docPath = path.slice('/openapi/v3/'.length);
      const doc = this.customResources.openapiDocument(docPath) ?? openapiV3Document(docPath);
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
    const info = resourcePath;
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
        (ref) => this.admitNodeTokenRequest(user, info.namespace ?? '', info.name ?? '', ref),
      );
    }
    const ctx: RequestContext = { req, res, query, info, resource, warnings: [], user, metrics: this.opts.metrics };
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
    if (resource.group === 'authentication.k8s.io' && resource.resource === 'tokenreviews') {
      return serveTokenReview(ctx, method, (token) => this.authenticateToken(token));
    }
    await routeResource({ pipeline: this.pipeline, nodeProxy: this.nodeProxy }, ctx, method);
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

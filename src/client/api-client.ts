// ApiClient: a lean HTTP(S) client for the Kubernetes API on node:http/node:https with a keep-alive
// agent. Every component talks to the API server through one of these, never through the store.

import { Agent as HttpAgent, type IncomingMessage, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, type AgentOptions as HttpsAgentOptions, request as httpsRequest } from 'node:https';
import { createSecureContext } from 'node:tls';
import type { KubeList, KubeObject } from '../core/types.js';
import { ApiError } from './errors.js';
import { type ConnectionOptions, loadKubeconfig } from './kubeconfig.js';
import { type Query, queryString } from './paths.js';
import { type RequestThrottle, throttleFor } from './throttle.js';
import { type WatchEvent, WatchLineDecoder } from './watch-decoder.js';

export type ApiClientOptions = ConnectionOptions & {
  /** Client-side rate limit (client-go's QPS and Burst): requests per second, and how many may go at once. */
  qps?: number;
  burst?: number;
  /**
   * Connections to the server at most (watches included); more requests wait for one. Default 256. A burst of
   * thousands of writes then reuses connections instead of opening (and TLS-handshaking) one each.
   */
  maxConnections?: number;
};

/** Default of ApiClientOptions.maxConnections. */
export const DEFAULT_MAX_CONNECTIONS = 256;

export interface ListOptions {
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
  resourceVersion?: string;
  resourceVersionMatch?: 'Exact' | 'NotOlderThan';
  timeoutSeconds?: number;
}

export interface WriteOptions {
  fieldManager?: string;
  fieldValidation?: 'Strict' | 'Warn' | 'Ignore';
  dryRun?: boolean;
}

export type PatchType = 'merge' | 'strategic' | 'json' | 'apply';

export interface PatchOptions extends WriteOptions {
  /** Server-side apply only: take ownership of conflicting fields. */
  force?: boolean;
}

export interface DeleteOptions {
  propagationPolicy?: 'Background' | 'Foreground' | 'Orphan';
  gracePeriodSeconds?: number;
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun?: boolean;
}

export const patchContentTypes: Record<PatchType, string> = {
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  json: 'application/json-patch+json',
  apply: 'application/apply-patch+yaml',
};

export interface WatchHandle {
  /** Closes the stream; onClose then runs with no error. */
  stop(): void;
  /** Settles once onClose has run. */
  readonly closed: Promise<void>;
}

interface RawResponse {
  status: number;
  body: string;
}

/** How a client authenticates: a bearer token, or a client certificate and its key (PEM). */
export interface ClientCredentials {
  token?: string;
  certPem?: string;
  keyPem?: string;
}

export class ApiClient {
  readonly server: URL;
  private agent: HttpAgent | HttpsAgent;
  private headers: Record<string, string>;
  private readonly https: boolean;
  private readonly send: typeof httpRequest;
  /** The client-side throttle, when options set a qps. */
  readonly throttle: RequestThrottle | undefined;

  constructor(readonly options: ApiClientOptions) {
    this.server = new URL(options.server);
    this.https = this.server.protocol === 'https:';
    this.agent = this.newAgent(options);
    this.send = this.https ? httpsRequest : httpRequest;
    this.headers = this.newHeaders(options);
    this.throttle = throttleFor(options);
  }

  /**
   * A client of the same server and options with connections and a throttle of its own. Upstream's components
   * give leader election such a client, so a busy component's queue of requests cannot hold back its lease
   * renewals and cost it the lease.
   */
  separate(userAgentSuffix: string): ApiClient {
    return new ApiClient({
      ...this.options,
      userAgent: `${this.options.userAgent ?? 'tutti-client'}/${userAgentSuffix}`,
    });
  }

  /**
   * Swaps the credentials (a rotated client certificate, client-go's cert rotation): requests from now on use
   * them on new connections; the old connections are closed (idle ones now, the rest after `graceMs`, so requests
   * in flight can finish), and open watches end and their informers re-watch with the new credentials, as
   * client-go's connrotation closes the old certificate's connections.
   */
  setCredentials(credentials: ClientCredentials, graceMs = 5_000): void {
    const old = this.agent;
    const next = {
      ...this.options,
      token: credentials.token,
      certPem: credentials.certPem,
      keyPem: credentials.keyPem,
    };
    this.agent = this.newAgent(next);
    this.headers = this.newHeaders(next);
    for (const sockets of Object.values(old.freeSockets)) for (const s of sockets ?? []) s.destroy();
    if (graceMs <= 0) old.destroy();
    else setTimeout(() => old.destroy(), graceMs).unref();
  }

  private newAgent(o: ApiClientOptions): HttpAgent | HttpsAgent {
    const maxSockets = o.maxConnections ?? DEFAULT_MAX_CONNECTIONS;
    if (!this.https) return new HttpAgent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets });
    // One TLS context for every connection of the agent (tls.connect would build one per connection).
    const secureContext = createSecureContext({ ca: o.caPem, cert: o.certPem, key: o.keyPem });
    return new HttpsAgent({
      keepAlive: true,
      maxSockets,
      maxFreeSockets: maxSockets,
      secureContext,
      rejectUnauthorized: !o.insecure,
    } as HttpsAgentOptions);
  }

  private newHeaders(o: ApiClientOptions): Record<string, string> {
    const headers: Record<string, string> = { accept: 'application/json', 'user-agent': o.userAgent ?? 'tutti-client' };
    if (o.token) headers['authorization'] = `Bearer ${o.token}`;
    return headers;
  }

  static fromKubeconfig(path: string, overrides: { context?: string; userAgent?: string } = {}): ApiClient {
    const { connection } = loadKubeconfig(path, overrides.context);
    return new ApiClient({ ...connection, userAgent: overrides.userAgent ?? connection.userAgent });
  }

  get<T extends KubeObject = KubeObject>(path: string, query?: Query): Promise<T> {
    return this.requestJson<T>('GET', path, query);
  }

  list<T extends KubeObject = KubeObject>(path: string, opts: ListOptions = {}): Promise<KubeList<T>> {
    return this.requestJson<KubeList<T>>('GET', path, { ...opts });
  }

  create<T extends KubeObject = KubeObject>(collectionPath: string, body: T, opts: WriteOptions = {}): Promise<T> {
    return this.requestJson<T>('POST', collectionPath, { ...opts }, JSON.stringify(body));
  }

  /** PUT; body.metadata.resourceVersion, when set, makes this a compare-and-swap (409 on mismatch). */
  update<T extends KubeObject = KubeObject>(path: string, body: T, opts: WriteOptions = {}): Promise<T> {
    return this.requestJson<T>('PUT', path, { ...opts }, JSON.stringify(body));
  }

  /** PUT to the status subresource of the object at path. */
  updateStatus<T extends KubeObject = KubeObject>(path: string, body: T, opts: WriteOptions = {}): Promise<T> {
    return this.update<T>(`${path}/status`, body, opts);
  }

  patch<T extends KubeObject = KubeObject>(
    path: string,
    body: unknown,
    type: PatchType,
    opts: PatchOptions = {},
  ): Promise<T> {
    const data = typeof body === 'string' ? body : JSON.stringify(body);
    return this.requestJson<T>('PATCH', path, { ...opts }, data, patchContentTypes[type]);
  }

  /** DELETE with a DeleteOptions body. Returns the object (with deletionTimestamp) or a Success Status. */
  delete<T = unknown>(path: string, opts: DeleteOptions = {}): Promise<T> {
    const body = JSON.stringify({ kind: 'DeleteOptions', apiVersion: 'v1', ...opts });
    return this.requestJson<T>('DELETE', path, opts.dryRun ? { dryRun: 'All' } : undefined, body);
  }

  /**
   * Opens a watch stream (adds watch=true). onEvent runs for each decoded event; onClose runs exactly once,
   * with an ApiError for a non-2xx answer, an Error for a broken stream, or nothing on a normal end or stop().
   */
  watch<T extends KubeObject = KubeObject>(
    path: string,
    query: Query,
    onEvent: (event: WatchEvent<T>) => void,
    onClose: (err?: Error) => void,
  ): WatchHandle {
    let stopped = false;
    let finished = false;
    let resolveClosed!: () => void;
    const closed = new Promise<void>((r) => {
      resolveClosed = r;
    });
    const finish = (err?: Error) => {
      if (finished) return;
      finished = true;
      onClose(stopped ? undefined : err);
      resolveClosed();
    };
    const fullPath = path + queryString({ ...query, watch: 'true' });
    const req = this.send(this.url(fullPath), { method: 'GET', agent: this.agent, headers: this.headers }, (res) => {
      if (!res.statusCode || res.statusCode < 200 || res.statusCode > 299) {
        readBody(res).then(
          (body) => finish(ApiError.fromResponse(res.statusCode ?? 0, body, 'GET', fullPath)),
          (e: Error) => finish(e),
        );
        return;
      }
      const decoder = new WatchLineDecoder<T>((ev) => {
        if (!stopped) onEvent(ev);
      });
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        try {
          decoder.write(chunk);
        } catch (e) {
          finish(e as Error);
          req.destroy();
        }
      });
      res.on('end', () => {
        try {
          decoder.end();
          finish();
        } catch (e) {
          finish(e as Error);
        }
      });
      res.on('error', (e) => finish(e));
      res.on('close', () => finish(res.complete ? undefined : new Error('watch: stream closed early')));
    });
    req.on('error', (e) => finish(e));
    req.end();
    return {
      stop: () => {
        if (stopped) return;
        stopped = true;
        req.destroy();
        finish();
      },
      closed,
    };
  }

  /** Sends one request and returns the status and body text; does not throw on non-2xx. */
  async raw(
    method: string,
    pathAndQuery: string,
    body?: string,
    contentType = 'application/json',
  ): Promise<RawResponse> {
    await this.throttle?.wait();
    const headers: Record<string, string> = { ...this.headers };
    if (body !== undefined) {
      headers['content-type'] = contentType;
      headers['content-length'] = String(Buffer.byteLength(body));
    }
    return new Promise((resolve, reject) => {
      const req = this.send(this.url(pathAndQuery), { method, agent: this.agent, headers }, (res) => {
        readBody(res).then((text) => resolve({ status: res.statusCode ?? 0, body: text }), reject);
      });
      req.on('error', reject);
      req.end(body);
    });
  }

  async requestJson<T>(method: string, path: string, query?: Query, body?: string, contentType?: string): Promise<T> {
    const full = path + queryString(query);
    const res = await this.raw(method, full, body, contentType);
    if (res.status < 200 || res.status > 299) throw ApiError.fromResponse(res.status, res.body, method, full);
    return JSON.parse(res.body) as T;
  }

  /** Closes idle keep-alive sockets; in-flight requests finish. */
  close(): void {
    this.agent.destroy();
  }

  private url(pathAndQuery: string): URL {
    // Keep a path prefix in the server URL (e.g. behind a proxy), as client-go does.
    const prefix = this.server.pathname.replace(/\/+$/, '');
    return new URL(prefix + pathAndQuery, this.server.origin);
  }
}

function readBody(res: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    res.on('error', reject);
  });
}

// A small in-memory Kubernetes API server for testing the client machinery without the real one.
// It implements GET/LIST (selectors, limit/continue, list resourceVersion), WATCH streaming with
// history replay, bookmarks and 410 Expired for compacted resourceVersions, and POST/PUT/PATCH/DELETE
// with resourceVersion conflicts. Tests can inject faults, close watch streams and compact history.

import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { findResource } from '../../api/catalog.js';
import type { KubeObject } from '../../core/types.js';
import { isPlainObject } from '../../core/json.js';
import { errors, StatusError } from '../../core/status.js';
import { jsonPatch, mergePatch } from './json-patches.js';
import { type ObjectFilter, objectMatches, parseFilter } from './selectors.js';

export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  contentType: string;
  userAgent: string;
  body: string;
}

interface Target {
  group: string;
  version: string;
  resource: string;
  namespace?: string;
  name?: string;
  subresource?: string;
}

interface HistoryEntry {
  rv: number;
  resKey: string;
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  object: KubeObject;
  previous?: KubeObject;
}

interface Watcher {
  resKey: string;
  namespace?: string;
  filter: ObjectFilter;
  bookmarks: boolean;
  res: ServerResponse;
  timer?: NodeJS.Timeout;
}

const nowSeconds = () => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');

export interface FakeServerOptions {
  /** Number of history events kept for watch replay; older resourceVersions answer 410. */
  historyLimit?: number;
  /** Keep a log of requests in `requests` (turn off for benchmarks). */
  record?: boolean;
}

export class FakeApiServer {
  readonly requests: RecordedRequest[] = [];
  /** Return an HTTP code to fail a request with it (e.g. 503), or undefined to serve it normally. */
  fault: ((req: RecordedRequest) => number | undefined) | undefined;

  private rv = 100;
  private compactedRV = 100;
  private readonly objects = new Map<string, Map<string, KubeObject>>();
  private history: HistoryEntry[] = [];
  private readonly watchers = new Set<Watcher>();
  private server!: Server;
  url = '';

  private constructor(private readonly opts: Required<FakeServerOptions>) {}

  static async start(opts: FakeServerOptions = {}): Promise<FakeApiServer> {
    const s = new FakeApiServer({ historyLimit: opts.historyLimit ?? 10_000, record: opts.record ?? true });
    s.server = createServer((req, res) => s.handle(req, res));
    s.server.keepAliveTimeout = 60_000;
    await new Promise<void>((resolve) => s.server.listen(0, '127.0.0.1', resolve));
    s.url = `http://127.0.0.1:${(s.server.address() as AddressInfo).port}`;
    return s;
  }

  async stop(): Promise<void> {
    this.closeWatches();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  // ---- test controls ----

  currentResourceVersion(): string {
    return String(this.rv);
  }

  /** Forgets all history: watches from any resourceVersion before now answer 410 Expired. */
  compact(): void {
    this.history = [];
    this.compactedRV = this.rv;
  }

  /** Ends every open watch stream cleanly, as the server does when timeoutSeconds elapses. */
  closeWatches(): void {
    for (const w of this.watchers) this.endWatch(w);
  }

  /** Breaks every open watch stream mid-way, as the API server drops a watcher that fell behind. */
  dropWatches(): void {
    for (const w of [...this.watchers]) {
      this.watchers.delete(w);
      if (w.timer) clearTimeout(w.timer);
      w.res.socket?.destroy();
    }
  }

  openWatches(): number {
    return this.watchers.size;
  }

  sendBookmarks(): void {
    for (const w of this.watchers) {
      if (!w.bookmarks) continue;
      w.res.write(
        `${JSON.stringify({ type: 'BOOKMARK', object: { metadata: { resourceVersion: String(this.rv) } } })}\n`,
      );
    }
  }

  /** Creates or replaces an object directly (as another client would), emitting a watch event. */
  put(group: string, resource: string, obj: KubeObject): KubeObject {
    const resKey = `${group}/${resource}`;
    const key = storageKey(obj.metadata.namespace, obj.metadata.name ?? '');
    const previous = this.collection(resKey).get(key);
    const stored = this.stamp(structuredClone(obj), previous);
    this.collection(resKey).set(key, stored);
    this.record(resKey, previous ? 'MODIFIED' : 'ADDED', stored, previous);
    return stored;
  }

  /** Deletes an object directly, emitting DELETED. */
  remove(group: string, resource: string, namespace: string | undefined, name: string): void {
    const resKey = `${group}/${resource}`;
    const key = storageKey(namespace, name);
    const previous = this.collection(resKey).get(key);
    if (!previous) return;
    this.collection(resKey).delete(key);
    const gone = structuredClone(previous);
    gone.metadata.resourceVersion = String(++this.rv);
    this.record(resKey, 'DELETED', gone, previous);
  }

  getObject(group: string, resource: string, namespace: string | undefined, name: string): KubeObject | undefined {
    return this.collection(`${group}/${resource}`).get(storageKey(namespace, name));
  }

  // ---- request handling ----

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://fake');
      const recorded: RecordedRequest = {
        method: req.method ?? 'GET',
        path: url.pathname,
        query: url.searchParams,
        contentType: req.headers['content-type'] ?? '',
        userAgent: req.headers['user-agent'] ?? '',
        body: Buffer.concat(chunks).toString('utf8'),
      };
      if (this.opts.record) this.requests.push(recorded);
      try {
        const faultCode = this.fault?.(recorded);
        if (faultCode !== undefined) throw new StatusError(faultCode, 'ServiceUnavailable', 'injected fault');
        this.route(recorded, res);
      } catch (e) {
        const err = e instanceof StatusError ? e : errors.internal(String(e));
        send(res, err.code, err.toStatus());
      }
    });
  }

  private route(req: RecordedRequest, res: ServerResponse): void {
    const t = parsePath(req.path);
    const q = req.query;
    if (req.method === 'GET' && t.name === undefined && (q.get('watch') === 'true' || q.get('watch') === '1')) {
      this.watch(t, q, res);
      return;
    }
    const [code, body] = this.answer(t, req);
    send(res, code, body);
  }

  /** Serves every non-watch request: the HTTP code and the JSON body to send. */
  private answer(t: Target, req: RecordedRequest): [number, unknown] {
    if (t.name === undefined) {
      if (req.method === 'GET') return [200, this.list(t, req.query)];
      if (req.method === 'POST') return [201, this.create(t, parseBody(req.body))];
      throw errors.methodNotAllowed(`${req.method} on a collection`);
    }
    const current = this.collection(`${t.group}/${t.resource}`).get(storageKey(t.namespace, t.name));
    if (!current) throw errors.notFound(t.group, t.resource, t.name);
    switch (req.method) {
      case 'GET':
        return [200, current];
      case 'PUT':
        return [200, this.update(t, current, parseBody(req.body))];
      case 'PATCH':
        return [200, this.patch(t, current, req)];
      case 'DELETE':
        return [200, this.delete(t, current, req.body)];
      default:
        throw errors.methodNotAllowed(`${req.method} is not supported`);
    }
  }

  private list(t: Target, q: URLSearchParams): Record<string, unknown> {
    const filter = parseFilter(q.get('labelSelector'), q.get('fieldSelector'));
    let after = '';
    let listRV = this.rv;
    const cont = q.get('continue');
    if (cont) {
      const token = JSON.parse(Buffer.from(cont, 'base64url').toString('utf8')) as { rv: number; after: string };
      if (token.rv < this.compactedRV) {
        throw errors.expired('The provided continue parameter is too old to display a consistent list result.');
      }
      after = token.after;
      listRV = token.rv;
    }
    const limit = Number(q.get('limit') ?? 0);
    const keys = [...this.collection(`${t.group}/${t.resource}`).keys()].sort();
    const items: KubeObject[] = [];
    let remaining = 0;
    let lastKey = '';
    for (const k of keys) {
      if (after && k <= after) continue;
      const obj = this.collection(`${t.group}/${t.resource}`).get(k)!;
      if (t.namespace && obj.metadata.namespace !== t.namespace) continue;
      if (!objectMatches(obj, filter)) continue;
      if (limit > 0 && items.length >= limit) {
        remaining++;
        continue;
      }
      items.push(obj);
      lastKey = k;
    }
    const metadata: Record<string, unknown> = { resourceVersion: String(listRV) };
    if (remaining > 0) {
      metadata['continue'] = Buffer.from(JSON.stringify({ rv: listRV, after: lastKey })).toString('base64url');
      metadata['remainingItemCount'] = remaining;
    }
    const info = findResource(t.group, t.version, t.resource);
    return {
      apiVersion: t.group ? `${t.group}/${t.version}` : t.version,
      kind: `${info?.kind ?? 'Object'}List`,
      metadata,
      items,
    };
  }

  private watch(t: Target, q: URLSearchParams, res: ServerResponse): void {
    const resKey = `${t.group}/${t.resource}`;
    const w: Watcher = {
      resKey,
      namespace: t.namespace,
      filter: parseFilter(q.get('labelSelector'), q.get('fieldSelector')),
      bookmarks: q.get('allowWatchBookmarks') === 'true',
      res,
    };
    res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
    res.flushHeaders();
    const from = q.get('resourceVersion') ?? '';
    if (from === '' || from === '0') {
      // Without a resourceVersion the watch starts with the current state as ADDED events.
      for (const obj of this.collection(resKey).values()) {
        if (this.visible(w, obj)) res.write(`${JSON.stringify({ type: 'ADDED', object: obj })}\n`);
      }
    } else {
      const fromRV = Number(from);
      if (fromRV < this.compactedRV) {
        const status = errors.expired(`too old resource version: ${fromRV} (${this.compactedRV})`).toStatus();
        res.end(`${JSON.stringify({ type: 'ERROR', object: status })}\n`);
        return;
      }
      for (const e of this.history) if (e.rv > fromRV && e.resKey === resKey) this.deliver(w, e);
    }
    this.watchers.add(w);
    const timeout = Number(q.get('timeoutSeconds') ?? 0);
    if (timeout > 0) w.timer = setTimeout(() => this.endWatch(w), timeout * 1000);
    res.on('close', () => this.endWatch(w));
  }

  private create(t: Target, body: KubeObject): KubeObject {
    const meta = body.metadata ?? {};
    body.metadata = meta;
    if (!meta.name && meta.generateName) meta.name = meta.generateName + randomUUID().slice(0, 5);
    if (!meta.name)
      throw errors.invalid(t.group, t.resource, '', [
        {
          type: 'FieldValueRequired',
          field: 'metadata.name',
          message: 'Required value: name or generateName is required',
        },
      ]);
    if (t.namespace) meta.namespace = t.namespace;
    const resKey = `${t.group}/${t.resource}`;
    const key = storageKey(meta.namespace, meta.name);
    if (this.collection(resKey).has(key)) throw errors.alreadyExists(t.group, t.resource, meta.name);
    delete meta.resourceVersion;
    const stored = this.stamp(body, undefined);
    this.collection(resKey).set(key, stored);
    this.record(resKey, 'ADDED', stored, undefined);
    return stored;
  }

  private update(t: Target, current: KubeObject, body: KubeObject): KubeObject {
    const rv = body.metadata?.resourceVersion;
    if (rv && rv !== current.metadata.resourceVersion) {
      throw errors.conflict(
        t.group,
        t.resource,
        t.name ?? '',
        'the object has been modified; please apply your changes to the latest version and try again',
      );
    }
    const next: KubeObject =
      t.subresource === 'status'
        ? { ...structuredClone(current), status: body['status'] }
        : { ...body, metadata: { ...body.metadata } };
    return this.replace(t, current, next);
  }

  private patch(t: Target, current: KubeObject, req: RecordedRequest): KubeObject {
    const body: unknown = JSON.parse(req.body || 'null');
    let next: unknown;
    if (req.contentType.startsWith('application/json-patch+json')) {
      try {
        next = jsonPatch(current, body);
      } catch (e) {
        throw errors.badRequest(String(e));
      }
    } else if (
      req.contentType.startsWith('application/merge-patch+json') ||
      req.contentType.startsWith('application/strategic-merge-patch+json')
    ) {
      next = mergePatch(structuredClone(current), body);
    } else {
      throw errors.unsupportedMediaType(req.contentType);
    }
    if (!isPlainObject(next) || !isPlainObject(next['metadata'])) throw errors.badRequest('patch removed metadata');
    const patched = next as KubeObject;
    if (patched.metadata.resourceVersion && patched.metadata.resourceVersion !== current.metadata.resourceVersion) {
      throw errors.conflict(
        t.group,
        t.resource,
        t.name ?? '',
        'the object has been modified; please apply your changes to the latest version and try again',
      );
    }
    return this.replace(t, current, patched);
  }

  private delete(t: Target, current: KubeObject, body: string): KubeObject {
    const opts: unknown = body ? JSON.parse(body) : {};
    const pre = isPlainObject(opts) && isPlainObject(opts['preconditions']) ? opts['preconditions'] : {};
    if (typeof pre['uid'] === 'string' && pre['uid'] !== current.metadata.uid) {
      throw errors.conflict(
        t.group,
        t.resource,
        t.name ?? '',
        `Precondition failed: UID in precondition: ${pre['uid']}, UID in object meta: ${current.metadata.uid}`,
      );
    }
    if (typeof pre['resourceVersion'] === 'string' && pre['resourceVersion'] !== current.metadata.resourceVersion) {
      throw errors.conflict(
        t.group,
        t.resource,
        t.name ?? '',
        `Precondition failed: ResourceVersion in precondition: ${pre['resourceVersion']}, ResourceVersion in object meta: ${current.metadata.resourceVersion}`,
      );
    }
    this.remove(t.group, t.resource, current.metadata.namespace, current.metadata.name ?? '');
    return current;
  }

  // ---- storage helpers ----

  private replace(t: Target, current: KubeObject, next: KubeObject): KubeObject {
    next.metadata.name = current.metadata.name;
    next.metadata.namespace = current.metadata.namespace;
    const stored = this.stamp(next, current);
    const resKey = `${t.group}/${t.resource}`;
    this.collection(resKey).set(storageKey(current.metadata.namespace, current.metadata.name ?? ''), stored);
    this.record(resKey, 'MODIFIED', stored, current);
    return stored;
  }

  /** Sets the server-owned metadata: uid and creation time kept from the previous object, a new RV. */
  private stamp(obj: KubeObject, previous: KubeObject | undefined): KubeObject {
    obj.metadata.uid = previous?.metadata.uid ?? obj.metadata.uid ?? randomUUID();
    obj.metadata.creationTimestamp = previous?.metadata.creationTimestamp ?? nowSeconds();
    obj.metadata.resourceVersion = String(++this.rv);
    return obj;
  }

  private record(resKey: string, type: HistoryEntry['type'], object: KubeObject, previous: KubeObject | undefined) {
    const entry: HistoryEntry = { rv: this.rv, resKey, type, object, previous };
    this.history.push(entry);
    if (this.history.length > this.opts.historyLimit) {
      const dropped = this.history.splice(0, this.history.length - this.opts.historyLimit);
      this.compactedRV = dropped[dropped.length - 1]!.rv;
    }
    for (const w of this.watchers) if (w.resKey === resKey) this.deliver(w, entry);
  }

  /** Sends an event as the watcher sees it: objects moving in or out of its selector appear added or deleted. */
  private deliver(w: Watcher, e: HistoryEntry): void {
    const now = this.visible(w, e.object);
    const before = e.previous !== undefined && this.visible(w, e.previous);
    let type: string | undefined;
    if (e.type === 'DELETED') type = before ? 'DELETED' : undefined;
    else if (now && before) type = 'MODIFIED';
    else if (now) type = 'ADDED';
    else if (before) type = 'DELETED';
    if (type) w.res.write(`${JSON.stringify({ type, object: e.object })}\n`);
  }

  private visible(w: Watcher, obj: KubeObject): boolean {
    if (w.namespace && obj.metadata.namespace !== w.namespace) return false;
    return objectMatches(obj, w.filter);
  }

  private endWatch(w: Watcher): void {
    if (!this.watchers.delete(w)) return;
    if (w.timer) clearTimeout(w.timer);
    w.res.end();
  }

  private collection(resKey: string): Map<string, KubeObject> {
    let c = this.objects.get(resKey);
    if (!c) {
      c = new Map();
      this.objects.set(resKey, c);
    }
    return c;
  }
}

function storageKey(namespace: string | undefined, name: string): string {
  return namespace ? `${namespace}/${name}` : name;
}

function parseBody(text: string): KubeObject {
  const v: unknown = JSON.parse(text || '{}');
  if (!isPlainObject(v)) throw errors.badRequest('body must be a JSON object');
  if (!isPlainObject(v['metadata'])) v['metadata'] = {};
  return v as KubeObject;
}

/** Splits /api/v1/... and /apis/<g>/<v>/... into group, version, namespace, resource, name, subresource. */
export function parsePath(path: string): Target {
  const seg = path.split('/').filter(Boolean).map(decodeURIComponent);
  let rest: string[];
  let group = '';
  let version: string;
  if (seg[0] === 'api' && seg.length >= 3) {
    version = seg[1]!;
    rest = seg.slice(2);
  } else if (seg[0] === 'apis' && seg.length >= 4) {
    group = seg[1]!;
    version = seg[2]!;
    rest = seg.slice(3);
  } else {
    throw errors.notFoundPath();
  }
  let namespace: string | undefined;
  const namespaceSub = rest.length === 3 && (rest[2] === 'status' || rest[2] === 'finalize');
  if (rest[0] === 'namespaces' && rest.length >= 3 && !namespaceSub) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  return { group, version, resource: rest[0]!, namespace, name: rest[1], subresource: rest[2] };
}

function send(res: ServerResponse, code: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(code, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

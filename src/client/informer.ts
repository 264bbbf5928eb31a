// Informer<T>: keeps a local, indexed copy of one resource collection in step with the API server,
// as client-go's shared index informer does. Data flow:
//   LIST (paged by limit/continue) -> replace cache -> WATCH from the list's resourceVersion
//   -> apply each event to the cache -> call handlers.
// When the server ends a watch (timeoutSeconds) it re-watches from the last seen resourceVersion;
// when that resourceVersion has expired (410) it lists again. Failures back off exponentially.

import type { KubeList, KubeObject } from '../core/types.js';
import type { ApiClient, WatchHandle } from './api-client.js';
import { Backoff } from './backoff.js';
import { type IndexFunc, IndexedCache } from './cache.js';
import { ApiError, isResourceExpired } from './errors.js';
import { objectKey, type ResourceDescriptor, resourcePath } from './paths.js';
import type { WatchEvent } from './watch-decoder.js';

export interface InformerHandlers<T> {
  onAdd?(obj: T): void;
  onUpdate?(oldObj: T, newObj: T): void;
  /** Receives the last state of the object (the DELETED event's object, or the cached one after a relist). */
  onDelete?(obj: T): void;
}

export type InformerLog = (message: string, fields: Record<string, unknown>) => void;

export interface InformerOptions<T extends KubeObject> {
  client: ApiClient;
  resource: ResourceDescriptor;
  /** Watch one namespace; omit for all namespaces (or for cluster-scoped resources). */
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  indexers?: Record<string, IndexFunc<T>>;
  /** LIST page size (limit). Default 500, as client-go's pager. */
  pageSize?: number;
  /** timeoutSeconds sent with each watch. Default a random 300–600 s, as client-go, to spread reconnects. */
  watchTimeoutSeconds?: number;
  backoffInitialMs?: number;
  backoffMaxMs?: number;
  log?: InformerLog;
  /**
   * Keep metadata.managedFields in the cache. By default they are dropped on arrival, as kube-scheduler and
   * kube-controller-manager do with their informers (TransformStripManagedFields): nothing here reads them,
   * and they are a good part of each cached object.
   */
  keepManagedFields?: boolean;
}

type WatchOutcome =
  | { kind: 'closed'; events: number }
  | { kind: 'expired' }
  | { kind: 'error'; error: Error; events: number };

export class Informer<T extends KubeObject = KubeObject> {
  readonly cache: IndexedCache<T>;
  private readonly handlers: InformerHandlers<T>[] = [];
  private readonly path: string;
  private readonly backoff: Backoff;
  private readonly log: InformerLog;
  private resourceVersion = '';
  private synced = false;
  private started = false;
  private stopped = false;
  private syncWaiters: ((synced: boolean) => void)[] = [];
  private currentWatch: WatchHandle | undefined;
  private wake: (() => void) | undefined;
  private listKind = '';

  constructor(private readonly opts: InformerOptions<T>) {
    this.cache = new IndexedCache<T>(opts.indexers);
    this.path = resourcePath(opts.resource, { namespace: opts.namespace });
    this.backoff = new Backoff(opts.backoffInitialMs ?? 800, opts.backoffMaxMs ?? 30_000);
    this.log = opts.log ?? (() => {});
  }

  /** Adds handlers; objects already in the cache are replayed to them as adds, as client-go does. */
  addEventHandler(h: InformerHandlers<T>): void {
    this.handlers.push(h);
    if (h.onAdd) for (const obj of this.cache.list()) this.call(() => h.onAdd?.(obj));
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    void this.run();
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.currentWatch?.stop();
    this.wake?.();
    for (const w of this.syncWaiters) w(false);
    this.syncWaiters = [];
  }

  hasSynced(): boolean {
    return this.synced;
  }

  /** Resolves true once the first LIST is in the cache; false if stopped (or aborted) before that. */
  waitForSync(signal?: AbortSignal): Promise<boolean> {
    if (this.synced) return Promise.resolve(true);
    if (this.stopped || signal?.aborted) return Promise.resolve(false);
    return new Promise((resolve) => {
      const done = (v: boolean) => {
        signal?.removeEventListener('abort', onAbort);
        resolve(v);
      };
      const onAbort = () => {
        this.syncWaiters = this.syncWaiters.filter((w) => w !== done);
        resolve(false);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.syncWaiters.push(done);
    });
  }

  get(key: string): T | undefined {
    return this.cache.get(key);
  }

  list(): T[] {
    return this.cache.list();
  }

  /** Adds an index (informers are shared: a second add of the same name keeps the first). */
  addIndexer(name: string, fn: IndexFunc<T>): void {
    if (!this.cache.hasIndex(name)) this.cache.addIndexer(name, fn);
  }

  byIndex(indexName: string, value: string): T[] {
    return this.cache.byIndex(indexName, value);
  }

  /** The resourceVersion the cache reflects (last list, event or bookmark). */
  lastSyncResourceVersion(): string {
    return this.resourceVersion;
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      try {
        await this.listAndReplace();
        this.backoff.reset();
      } catch (err) {
        if (this.stopped) return;
        this.log('informer: list failed', { path: this.path, error: String(err) });
        await this.sleep(this.backoff.next());
        continue;
      }
      await this.watchUntilExpired();
    }
  }

  /** Re-watches from the last resourceVersion until it expires (then the caller relists) or stop(). */
  private async watchUntilExpired(): Promise<void> {
    while (!this.stopped) {
      const started = Date.now();
      const outcome = await this.watchOnce();
      if (this.stopped) return;
      if (outcome.kind === 'expired') {
        this.log('informer: resourceVersion expired, relisting', { path: this.path, rv: this.resourceVersion });
        return;
      }
      if (outcome.kind === 'error') {
        this.log('informer: watch failed', { path: this.path, error: String(outcome.error) });
        // A stream that broke after delivering events (the server drops a watcher that fell behind) made
        // progress: watch again at once from where it got to, as after a clean end. Only a watch that got
        // nothing backs off, so repeated drops under load cannot grow into 30 s without events.
        if (outcome.events > 0) {
          this.backoff.reset();
          continue;
        }
        await this.sleep(this.backoff.next());
        continue;
      }
      // A stream that closes at once with nothing in it means a struggling server: do not spin.
      if (outcome.events === 0 && Date.now() - started < 1000) await this.sleep(this.backoff.next());
      else this.backoff.reset();
    }
  }

  private watchOnce(): Promise<WatchOutcome> {
    return new Promise((resolve) => {
      let events = 0;
      let expired = false;
      let failure: Error | undefined;
      const query = {
        resourceVersion: this.resourceVersion,
        allowWatchBookmarks: true,
        timeoutSeconds: this.opts.watchTimeoutSeconds ?? Math.round(300 * (1 + Math.random())),
        labelSelector: this.opts.labelSelector,
        fieldSelector: this.opts.fieldSelector,
      };
      const handle = this.opts.client.watch<T>(
        this.path,
        query,
        (ev) => {
          if (ev.type !== 'ERROR') events++;
          if (ev.type === 'ERROR') {
            if (ev.object.code === 410) expired = true;
            else failure = new ApiError(ev.object, 'WATCH', this.path);
            handle.stop();
            return;
          }
          this.applyEvent(ev);
        },
        (err) => {
          this.currentWatch = undefined;
          if (expired || isResourceExpired(err)) resolve({ kind: 'expired' });
          else if (failure ?? err) resolve({ kind: 'error', error: (failure ?? err)!, events });
          else resolve({ kind: 'closed', events });
        },
      );
      this.currentWatch = handle;
      if (this.stopped) handle.stop();
    });
  }

  private applyEvent(ev: WatchEvent<T>): void {
    if (ev.type === 'ERROR') return;
    const rv = ev.object.metadata?.resourceVersion;
    if (rv) this.resourceVersion = rv;
    if (ev.type === 'BOOKMARK') return;
    const obj = this.trim(ev.object);
    if (ev.type === 'DELETED') {
      this.cache.delete(objectKey(obj.metadata));
      this.notifyDelete(obj);
      return;
    }
    const old = this.cache.upsert(obj);
    if (old) this.notifyUpdate(old, obj);
    else this.notifyAdd(obj);
  }

  private trim(obj: T): T {
    if (!this.opts.keepManagedFields && obj.metadata?.managedFields) delete obj.metadata.managedFields;
    return obj;
  }

  private async listAndReplace(): Promise<void> {
    const { items, resourceVersion } = await this.listAll();
    if (this.stopped) return;
    const seen = new Set<string>();
    for (const obj of items) {
      const key = objectKey(obj.metadata);
      seen.add(key);
      const old = this.cache.upsert(obj);
      if (!old) this.notifyAdd(obj);
      else if (old.metadata.resourceVersion !== obj.metadata.resourceVersion) this.notifyUpdate(old, obj);
    }
    for (const key of this.cache.keys()) {
      if (seen.has(key)) continue;
      const gone = this.cache.delete(key);
      if (gone) this.notifyDelete(gone);
    }
    this.resourceVersion = resourceVersion;
    if (!this.synced) {
      this.synced = true;
      for (const w of this.syncWaiters) w(true);
      this.syncWaiters = [];
    }
  }

  /** Follows continue tokens; if a token expires mid-way, falls back to one unpaged list as client-go does. */
  private async listAll(): Promise<{ items: T[]; resourceVersion: string }> {
    const base = { labelSelector: this.opts.labelSelector, fieldSelector: this.opts.fieldSelector };
    const items: T[] = [];
    let cont: string | undefined;
    let page: KubeList<T>;
    do {
      try {
        page = await this.opts.client.list<T>(this.path, { ...base, limit: this.opts.pageSize ?? 500, continue: cont });
      } catch (err) {
        if (!cont || !isResourceExpired(err)) throw err;
        page = await this.opts.client.list<T>(this.path, base);
        items.length = 0;
      }
      for (const item of page.items) items.push(this.trim(item));
      cont = page.metadata.continue || undefined;
      if (page.kind?.endsWith('List')) this.listKind = page.kind.slice(0, -4);
    } while (cont);
    // Items in a list carry no kind; fill it in so handlers see the same shape as watch events.
    if (this.listKind) for (const item of items) item.kind ??= this.listKind;
    if (page.apiVersion) for (const item of items) item.apiVersion ??= page.apiVersion;
    return { items, resourceVersion: page.metadata.resourceVersion ?? '' };
  }

  private notifyAdd(obj: T): void {
    for (const h of this.handlers) if (h.onAdd) this.call(() => h.onAdd?.(obj));
  }

  private notifyUpdate(old: T, obj: T): void {
    for (const h of this.handlers) if (h.onUpdate) this.call(() => h.onUpdate?.(old, obj));
  }

  private notifyDelete(obj: T): void {
    for (const h of this.handlers) if (h.onDelete) this.call(() => h.onDelete?.(obj));
  }

  /** A throwing handler is logged and must not stop the informer or the other handlers. */
  private call(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.log('informer: handler threw', { path: this.path, error: String(err) });
    }
  }

  private sleep(ms: number): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const t = setTimeout(done, ms);
      function done() {
        clearTimeout(t);
        resolve();
      }
      this.wake = done;
    });
  }
}

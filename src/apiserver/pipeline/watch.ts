// WATCH as events: the current state first when no resourceVersion is given, then the store's changes,
// filtered by namespace and selectors (objects moving in or out of a selector show as ADDED / DELETED, as
// upstream). Encoding and delivery belong to the caller.
import { errors, type StatusError } from '../../core/status.js';
import { CompactedError, type KeyValue, type WatchEvent } from '../../storage/store.js';
import type { ServedResource } from '../resources.js';
import { type ViewMatcher, selectorMatcher } from './selectors.js';
import { type ServedObject, StoredObject, selectorViewOf, storageOf } from './served.js';
import type { PipelineDeps, Target, WatchOptions } from './types.js';

export interface ObjectEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  object: ServedObject;
}

export class ObjectWatch {
  private readonly match: ViewMatcher | undefined;
  private readonly rv: string;
  private cancelled = false;
  private watch?: { cancel(): void };
  private startRevision = 0;
  /** The newest revision seen, filtered out or not (what a bookmark reports). */
  lastRevision = 0;

  /** Checks the selectors and the resourceVersion (400 when invalid) before anything is sent. */
  constructor(
    private readonly deps: PipelineDeps,
    private readonly target: Target,
    opts: WatchOptions,
  ) {
    this.match = selectorMatcher(target.resource, opts);
    this.rv = opts.resourceVersion ?? '';
    if (this.rv !== '' && !/^\d+$/.test(this.rv)) throw errors.badRequest(`invalid resource version: ${this.rv}`);
  }

  private get resource(): ServedResource {
    return this.target.resource;
  }

  /**
   * Delivers the initial state (as one batch) and then each batch of store events, until cancel() or an
   * error (a compacted resourceVersion is a 410 Expired).
   */
  async start(onEvents: (events: ObjectEvent[]) => void, onError: (err: StatusError) => void): Promise<void> {
    const storage = storageOf(this.deps.store, this.resource);
    const namespace = this.target.namespace;
    if (this.rv === '' || this.rv === '0') {
      const page = await storage.list({ namespace });
      const initial: ObjectEvent[] = [];
      for (const kv of page.kvs) {
        if (this.match && !this.match(this.view(kv))) continue;
        initial.push({ type: 'ADDED', object: new StoredObject(this.resource, kv) });
      }
      onEvents(initial);
      this.startRevision = page.revision + 1;
    } else {
      this.startRevision = Number(this.rv) + 1;
    }
    this.lastRevision = this.startRevision - 1;
    if (this.cancelled) return;
    this.watch = storage.watch(
      namespace,
      this.startRevision,
      (evs) => onEvents(this.translate(evs)),
      (err) => onError(this.statusOf(err)),
    );
  }

  cancel(): void {
    this.cancelled = true;
    this.watch?.cancel();
  }

  private translate(events: WatchEvent[]): ObjectEvent[] {
    const r = this.resource;
    const match = this.match;
    const out: ObjectEvent[] = [];
    for (const ev of events) {
      this.lastRevision = Math.max(this.lastRevision, ev.kv.modRevision);
      if (ev.type === 'delete') {
        const prev = ev.prevKv;
        if (!prev) continue;
        if (match && !match(this.view(prev))) continue;
        out.push({ type: 'DELETED', object: new StoredObject(r, prev, ev.kv.modRevision) });
        continue;
      }
      const isNew = !ev.prevKv || ev.kv.createRevision === ev.kv.modRevision;
      const object = new StoredObject(r, ev.kv);
      if (!match) {
        out.push({ type: isNew ? 'ADDED' : 'MODIFIED', object });
        continue;
      }
      const now = match(this.view(ev.kv));
      const before = !isNew && ev.prevKv ? match(this.view(ev.prevKv)) : false;
      if (now && before) out.push({ type: 'MODIFIED', object });
      else if (now) out.push({ type: 'ADDED', object });
      else if (before) out.push({ type: 'DELETED', object });
    }
    return out;
  }

  /** The store hands every watcher the same KeyValue: what selectors read of it is computed once for all. */
  private view(kv: KeyValue) {
    return selectorViewOf(this.resource, kv);
  }

  private statusOf(err: Error): StatusError {
    if (err instanceof CompactedError) {
      return errors.expired(`too old resource version: ${this.startRevision - 1} (${err.compacted})`);
    }
    return errors.internal(err.message);
  }
}

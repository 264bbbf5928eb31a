// Kubernetes objects on top of the key-value Store: key layout, JSON encoding with resourceVersion
// injected from the key's modRevision (as upstream's etcd3 storage does), and compare-and-swap writes.
import type { KubeObject } from '../core/types.js';
import { errors } from '../core/status.js';
import { deepFreeze } from '../core/json.js';
import { CompactedError, type KeyValue, prefixEnd, type Store, type WatchEvent } from '../storage/store.js';

export interface StorageLocation {
  group: string;
  resource: string;
  namespaced: boolean;
}

export function keyPrefix(loc: StorageLocation, namespace?: string): string {
  const base = `/registry/${loc.group || 'core'}/${loc.resource}/`;
  return loc.namespaced && namespace ? `${base}${namespace}/` : base;
}

export function objectKey(loc: StorageLocation, namespace: string | undefined, name: string): string {
  return `${keyPrefix(loc, loc.namespaced ? namespace : undefined)}${name}`;
}

/**
 * Stored JSON always starts with `{"metadata":{` and never holds resourceVersion, so the version can be
 * spliced in without parsing (LIST and WATCH of many objects stay cheap).
 */
export function encodeForStorage(obj: KubeObject): string {
  const { metadata, ...rest } = obj;
  const { resourceVersion: _rv, ...meta } = metadata;
  return JSON.stringify({ metadata: meta, ...rest });
}

const HEAD = '{"metadata":{';

export function withResourceVersion(json: string, rv: number): string {
  if (!json.startsWith(HEAD)) throw new Error('stored object is not in the expected layout');
  const rest = json.slice(HEAD.length);
  return `${HEAD}"resourceVersion":"${rv}"${rest.startsWith('}') ? '' : ','}${rest}`;
}

/** Stored objects parsed, and reads decodeKvShared answered without a parse, since the process started (for tests). */
export const decodeStats = { parsed: 0, shared: 0 };

export function decodeKv(kv: KeyValue): KubeObject {
  decodeStats.parsed++;
  const obj = JSON.parse(kv.value) as KubeObject;
  obj.metadata.resourceVersion = String(kv.modRevision);
  return obj;
}

/**
 * Objects kept decoded, by key: the readers of a watch event (the selectors of every watch, the node
 * authorizer's graph) and then the next write of the same object (a pod's binding and its status write follow
 * its create within a second under load) take the object instead of parsing its JSON again. One entry per
 * key, so a newer version drops the older at once; about 10 KB each.
 */
const recentlyDecoded = new Map<string, { kv: KeyValue; obj: KubeObject }>();
const RECENTLY_DECODED = 2048;

/** TUTTI_CHECK_SHARED=1 (the test runner sets it): shared objects are frozen, so a reader that modifies one throws. */
const CHECK_SHARED = process.env.TUTTI_CHECK_SHARED === '1';

/**
 * decodeKv shared by the readers of one object while it is unchanged (a watch event's readers, the next
 * write's read of the old object): each parses the object once between them. Callers must not modify the
 * result.
 */
export function decodeKvShared(kv: KeyValue): KubeObject {
  const kept = recentlyDecoded.get(kv.key);
  if (kept?.kv === kv) {
    decodeStats.shared++;
    return kept.obj;
  }
  const obj = decodeKv(kv);
  if (CHECK_SHARED) deepFreeze(obj);
  // A re-insert goes last: the order is of the latest decode.
  if (kept) recentlyDecoded.delete(kv.key);
  recentlyDecoded.set(kv.key, { kv, obj });
  if (recentlyDecoded.size > RECENTLY_DECODED) recentlyDecoded.delete(recentlyDecoded.keys().next().value!);
  return obj;
}

const keptDecoded = new WeakMap<KeyValue, KubeObject>();

/**
 * decodeKv kept for as long as the store keeps the KeyValue (i.e. while the object is unchanged), for the
 * few, rarely written objects that admission reads on every write (namespaces, PriorityClasses,
 * LimitRanges). Callers must not modify the result.
 */
export function decodeKvKept(kv: KeyValue): KubeObject {
  let obj = keptDecoded.get(kv);
  if (!obj) {
    obj = decodeKv(kv);
    keptDecoded.set(kv, obj);
  }
  return obj;
}

export interface ListPage {
  kvs: KeyValue[];
  revision: number;
  /** Key to continue from, when more remain. */
  nextKey?: string;
  remaining?: number;
}

/** etcd's default --max-request-bytes: a larger object is refused, as etcd refuses the put. */
export const DEFAULT_MAX_OBJECT_BYTES = 1.5 * 1024 * 1024;

/** Thin typed access to objects of one storage location. */
export class ObjectStorage {
  constructor(
    readonly store: Store,
    readonly loc: StorageLocation,
    /** Largest stored value (the object's JSON) a create or update may write. */
    readonly maxValueBytes = DEFAULT_MAX_OBJECT_BYTES,
  ) {}

  private encode(obj: KubeObject): string {
    const value = encodeForStorage(obj);
    // Cheap bound first: a UTF-8 byte is at most 3 per UTF-16 unit.
    if (value.length * 3 > this.maxValueBytes && Buffer.byteLength(value) > this.maxValueBytes) {
      throw errors.tooLarge('etcdserver: request is too large');
    }
    return value;
  }

  key(namespace: string | undefined, name: string): string {
    return objectKey(this.loc, namespace, name);
  }

  async getKv(namespace: string | undefined, name: string): Promise<KeyValue | undefined> {
    const r = await this.store.range({ key: this.key(namespace, name) });
    return r.kvs[0];
  }

  async get(namespace: string | undefined, name: string): Promise<KubeObject | undefined> {
    const kv = await this.getKv(namespace, name);
    return kv ? decodeKv(kv) : undefined;
  }

  /** `get` for readers that do not modify the object: decoded once while it is unchanged (decodeKvKept). */
  async read(namespace: string | undefined, name: string): Promise<KubeObject | undefined> {
    const kv = await this.getKv(namespace, name);
    return kv ? decodeKvKept(kv) : undefined;
  }

  /** Creates; resolves to the stored kv, or undefined if the key already exists. */
  async create(obj: KubeObject): Promise<KeyValue | undefined> {
    const key = this.key(obj.metadata.namespace, obj.metadata.name!);
    const r = await this.store.txn(
      [{ key, target: 'create', result: '=', value: 0 }],
      [{ type: 'put', key, value: this.encode(obj) }],
    );
    return r.succeeded ? r.results[0] : undefined;
  }

  /** Writes if the key's modRevision is still `expectedRevision`; undefined on conflict. */
  async update(obj: KubeObject, expectedRevision: number): Promise<KeyValue | undefined> {
    const key = this.key(obj.metadata.namespace, obj.metadata.name!);
    const r = await this.store.txn(
      [{ key, target: 'mod', result: '=', value: expectedRevision }],
      [{ type: 'put', key, value: this.encode(obj) }],
    );
    return r.succeeded ? r.results[0] : undefined;
  }

  /** Deletes if unchanged since `expectedRevision`; resolves to the revision of the delete, or undefined on conflict. */
  async delete(namespace: string | undefined, name: string, expectedRevision: number): Promise<number | undefined> {
    const key = this.key(namespace, name);
    const r = await this.store.txn(
      [{ key, target: 'mod', result: '=', value: expectedRevision }],
      [{ type: 'delete', key }],
    );
    return r.succeeded ? r.revision : undefined;
  }

  /** One page of a range read, at `revision` (0: current). */
  async list(opts: { namespace?: string; startKey?: string; revision?: number; limit?: number }): Promise<ListPage> {
    const prefix = keyPrefix(this.loc, opts.namespace);
    try {
      const r = await this.store.range({
        key: opts.startKey ?? prefix,
        end: prefixEnd(prefix),
        revision: opts.revision || undefined,
        limit: opts.limit || undefined,
      });
      const page: ListPage = { kvs: r.kvs, revision: r.revision };
      if (r.more && r.kvs.length > 0) {
        page.nextKey = `${r.kvs[r.kvs.length - 1].key}\u0000`;
        page.remaining = r.count - r.kvs.length;
      }
      return page;
    } catch (err) {
      if (err instanceof CompactedError) {
        throw errors.expired(
          'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.',
        );
      }
      throw err;
    }
  }

  watch(
    namespace: string | undefined,
    startRevision: number,
    onEvents: (evs: WatchEvent[]) => void,
    onError: (err: Error) => void,
  ) {
    const prefix = keyPrefix(this.loc, namespace);
    return this.store.watch({ key: prefix, end: prefixEnd(prefix), startRevision }, onEvents, onError);
  }
}

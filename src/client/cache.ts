// The informer's local store: objects by key plus secondary indices (client-go's ThreadSafeStore).
// Index functions return the values an object is filed under, e.g. its node name or owner uids.

import type { KubeObject } from '../core/types.js';
import { objectKey } from './paths.js';

export type IndexFunc<T> = (obj: T) => string[];

export const NAMESPACE_INDEX = 'namespace';

export const namespaceIndexFunc: IndexFunc<KubeObject> = (obj) =>
  obj.metadata.namespace ? [obj.metadata.namespace] : [];

/** Files objects under the uid of each owner, so a controller can find what an owner owns. */
export const ownerUidIndexFunc: IndexFunc<KubeObject> = (obj) => (obj.metadata.ownerReferences ?? []).map((r) => r.uid);

export class IndexedCache<T extends KubeObject> {
  private readonly items = new Map<string, T>();
  private readonly indexers = new Map<string, IndexFunc<T>>();
  private readonly indices = new Map<string, Map<string, Set<string>>>();

  constructor(indexers: Record<string, IndexFunc<T>> = {}) {
    this.addIndexer(NAMESPACE_INDEX, namespaceIndexFunc);
    for (const [name, fn] of Object.entries(indexers)) this.addIndexer(name, fn);
  }

  hasIndex(name: string): boolean {
    return this.indexers.has(name);
  }

  addIndexer(name: string, fn: IndexFunc<T>): void {
    this.indexers.set(name, fn);
    const index = new Map<string, Set<string>>();
    this.indices.set(name, index);
    for (const [key, obj] of this.items) this.fileUnder(index, fn(obj), key);
  }

  get(key: string): T | undefined {
    return this.items.get(key);
  }

  list(): T[] {
    return [...this.items.values()];
  }

  keys(): string[] {
    return [...this.items.keys()];
  }

  get size(): number {
    return this.items.size;
  }

  byIndex(indexName: string, value: string): T[] {
    const index = this.indices.get(indexName);
    if (!index) throw new Error(`cache: no index named ${indexName}`);
    const keys = index.get(value);
    if (!keys) return [];
    const out: T[] = [];
    for (const k of keys) {
      const obj = this.items.get(k);
      if (obj) out.push(obj);
    }
    return out;
  }

  /** Inserts or replaces; returns the previous object under that key. */
  upsert(obj: T): T | undefined {
    const key = objectKey(obj.metadata);
    const old = this.items.get(key);
    this.items.set(key, obj);
    for (const [name, fn] of this.indexers) {
      const index = this.indices.get(name)!;
      const values = fn(obj);
      if (!old) {
        this.fileUnder(index, values, key);
        continue;
      }
      // As client-go's updateSingleIndex: an update that leaves the values as they were (most do: a status
      // change keeps the namespace, owners, labels) leaves the index alone.
      const before = fn(old);
      if (sameValues(before, values)) continue;
      this.unfile(index, before, key);
      this.fileUnder(index, values, key);
    }
    return old;
  }

  delete(key: string): T | undefined {
    const old = this.items.get(key);
    if (!old) return undefined;
    this.unindex(old, key);
    this.items.delete(key);
    return old;
  }

  private fileUnder(index: Map<string, Set<string>>, values: string[], key: string): void {
    for (const v of values) {
      let set = index.get(v);
      if (!set) {
        set = new Set();
        index.set(v, set);
      }
      set.add(key);
    }
  }

  private unindex(obj: T, key: string): void {
    for (const [name, fn] of this.indexers) this.unfile(this.indices.get(name)!, fn(obj), key);
  }

  private unfile(index: Map<string, Set<string>>, values: string[], key: string): void {
    for (const v of values) {
      const set = index.get(v);
      if (!set) continue;
      set.delete(key);
      if (set.size === 0) index.delete(v);
    }
  }
}

function sameValues(a: string[], b: string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

// Indexes on the shared informers' caches. Controllers share one informer per resource, so the first
// controller that needs an index adds it and the others find it there.
import type { Informer } from '../../client/index.js';
import type { KubeObject } from '../../core/index.js';

/** Objects by the uid of each of their owners (with client's ownerUidIndexFunc). */
export const OWNER_UID_INDEX = 'ownerUid';

/** Adds an index to a shared informer's cache once (several controllers may ask for the same one). */
export function ensureIndex<T extends KubeObject>(inf: Informer<T>, name: string, fn: (obj: T) => string[]): void {
  try {
    inf.cache.byIndex(name, '');
  } catch {
    inf.cache.addIndexer(name, fn);
  }
}

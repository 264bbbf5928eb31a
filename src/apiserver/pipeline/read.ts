// Reads: get one object, and list with selectors and paging (continue tokens pin the first page's revision).
import { errors } from '../../core/status.js';
import { keyPrefix } from '../objects.js';
import { decodeContinue, encodeContinue } from './continue.js';
import { selectorMatcher } from './selectors.js';
import { type ServedObject, StoredObject, selectorViewOf, storageOf } from './served.js';
import type { ListOptions, NamedTarget, PipelineDeps, Target } from './types.js';

export async function read(deps: PipelineDeps, t: NamedTarget): Promise<ServedObject> {
  const r = t.resource;
  const kv = await storageOf(deps.store, r).getKv(t.namespace, t.name);
  if (!kv) throw errors.notFound(r.group, r.resource, t.name);
  return new StoredObject(r, kv);
}

export interface ListResult {
  /** ListMeta: resourceVersion, and continue / remainingItemCount when more remain. */
  metadata: { resourceVersion: string; continue?: string; remainingItemCount?: number };
  items: ServedObject[];
}

export async function list(deps: PipelineDeps, t: Target, opts: ListOptions): Promise<ListResult> {
  const r = t.resource;
  const match = selectorMatcher(r, opts);
  const limit = opts.limit ?? 0;
  if (!Number.isSafeInteger(limit)) throw errors.badRequest(`invalid limit: ${limit}: must be an integer`);
  const storage = storageOf(deps.store, r);
  const prefix = keyPrefix(storage.loc, t.namespace);
  let revision = 0;
  let startKey: string | undefined;
  if (opts.continue) {
    const pos = decodeContinue(opts.continue, prefix);
    if (pos.revision > deps.store.currentRevision()) {
      throw errors.badRequest(
        `continue key is not valid: resource version ${pos.revision} is in the future (the current is ${deps.store.currentRevision()})`,
      );
    }
    revision = pos.revision;
    startKey = pos.startKey;
  }
  const items: ServedObject[] = [];
  let nextKey: string | undefined;
  let remaining: number | undefined;
  let listRev = revision;
  // Fetch pages until `limit` matching items are found (selectors filter after the range read).
  for (;;) {
    const page = await storage.list({
      namespace: t.namespace,
      startKey,
      revision,
      limit: limit > 0 ? limit - items.length : 0,
    });
    if (!listRev) listRev = page.revision;
    revision = listRev;
    for (const kv of page.kvs) {
      if (!match || match(selectorViewOf(r, kv))) items.push(new StoredObject(r, kv));
    }
    nextKey = page.nextKey;
    remaining = page.remaining;
    if (!nextKey || limit <= 0 || items.length >= limit) break;
    startKey = nextKey;
  }
  const metadata: ListResult['metadata'] = { resourceVersion: String(listRev) };
  if (nextKey) {
    metadata.continue = encodeContinue(listRev, nextKey, prefix);
    if (!match && remaining !== undefined) metadata.remainingItemCount = remaining;
  }
  return { metadata, items };
}

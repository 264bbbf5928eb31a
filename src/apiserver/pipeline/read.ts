// Reads: get one object, and list with selectors and paging (continue tokens pin the first page's revision).
import { errors } from '../../core/status.js';
import { decodeKv } from '../objects.js';
import { objectMatcher } from './selectors.js';
import { ParsedObject, type ServedObject, StoredObject, storageOf, toServed } from './served.js';
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

interface ContinueToken {
  rv: number;
  start: string;
}

export async function list(deps: PipelineDeps, t: Target, opts: ListOptions): Promise<ListResult> {
  const r = t.resource;
  const match = objectMatcher(r, opts);
  const limit = opts.limit || 0;
  let revision = 0;
  let startKey: string | undefined;
  if (opts.continue) {
    try {
      const token = JSON.parse(Buffer.from(opts.continue, 'base64url').toString('utf8')) as ContinueToken;
      revision = token.rv;
      startKey = token.start;
    } catch {
      throw errors.badRequest('continue key is not valid: illegal base64 data');
    }
  }
  const storage = storageOf(deps.store, r);
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
      limit: limit ? limit - items.length : 0,
    });
    if (!listRev) listRev = page.revision;
    revision = listRev;
    for (const kv of page.kvs) {
      if (!match) {
        items.push(new StoredObject(r, kv));
        continue;
      }
      const o = toServed(r, decodeKv(kv));
      if (match(o)) items.push(new ParsedObject(o));
    }
    nextKey = page.nextKey;
    remaining = page.remaining;
    if (!nextKey || !limit || items.length >= limit) break;
    startKey = nextKey;
  }
  const metadata: ListResult['metadata'] = { resourceVersion: String(listRev) };
  if (nextKey) {
    const token: ContinueToken = { rv: listRev, start: nextKey };
    metadata.continue = Buffer.from(JSON.stringify(token)).toString('base64url');
    if (!match && remaining !== undefined) metadata.remainingItemCount = remaining;
  }
  return { metadata, items };
}

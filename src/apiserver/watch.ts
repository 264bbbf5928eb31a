// WATCH over HTTP: newline-delimited JSON events, resumable from a resourceVersion, filtered by
// namespace and selectors (objects moving in or out of a selector show as ADDED / DELETED, as upstream).
import type { KubeObject } from '../core/types.js';
import { errors } from '../core/status.js';
import { CompactedError, type KeyValue, type WatchEvent } from '../storage/store.js';
import { decodeKv, withResourceVersion } from './objects.js';
import type { RequestContext, RestHandlers } from './rest.js';
import { outputForm } from './response.js';
import { tableOf } from './table.js';

const DEFAULT_TIMEOUT_SECONDS = 1800;
/** Parsed objects shared by all watchers (selectors only read them). */
const parsedKvs = new WeakMap<KeyValue, KubeObject>();
const BOOKMARK_INTERVAL_MS = 30_000;
/** A watcher that falls this far behind is closed; the client re-watches from its last resourceVersion. */
const MAX_BUFFERED_BYTES = 64 * 1024 * 1024;

export async function serveWatch(ctx: RequestContext, rest: RestHandlers): Promise<void> {
  const r = ctx.resource;
  const q = ctx.query;
  const match = rest.matcher(r, rest.selectors(ctx));
  const form = outputForm(ctx.req, q);
  const storage = rest.storageFor(r);
  const rvParam = q.get('resourceVersion') ?? '';
  if (rvParam !== '' && !/^\d+$/.test(rvParam)) throw errors.badRequest(`invalid resource version: ${rvParam}`);
  const timeoutSeconds = Number(q.get('timeoutSeconds') ?? '0') || DEFAULT_TIMEOUT_SECONDS;
  const bookmarks = q.get('allowWatchBookmarks') === 'true';

  const res = ctx.res;
  res.writeHead(200, {
    'Content-Type': form.kind === 'table' ? 'application/json;as=Table;v=v1;g=meta.k8s.io' : 'application/json',
    'Cache-Control': 'no-cache, private',
    'Transfer-Encoding': 'chunked',
  });
  res.flushHeaders();

  let columnsSent = false;
  let lastRevision = 0;
  let closed = false;

  const objectJson = (kv: KeyValue, rev: number): string => {
    if (form.kind === 'table') {
      const obj = rest.toServed(r, decodeKv({ ...kv, modRevision: rev }));
      const table = tableOf(r, [obj], form.include, String(rev), Date.now());
      if (columnsSent) table.columnDefinitions = [];
      columnsSent = true;
      return JSON.stringify(table);
    }
    if (!r.converter) return withResourceVersion(kv.value, rev);
    return JSON.stringify(rest.toServed(r, decodeKv({ ...kv, modRevision: rev })));
  };
  const parsed = (kv: KeyValue): KubeObject => {
    // The store hands every watcher the same KeyValue: parse it once for all of them.
    let obj = parsedKvs.get(kv);
    if (!obj) {
      obj = rest.toServed(r, decodeKv(kv));
      parsedKvs.set(kv, obj);
    }
    return obj;
  };
  const send = (type: string, objJson: string) => {
    if (closed) return;
    res.write(`{"type":"${type}","object":${objJson}}\n`);
    if (res.writableLength > MAX_BUFFERED_BYTES) close();
  };

  let watch: { cancel(): void } | undefined;
  const timers: NodeJS.Timeout[] = [];
  const close = () => {
    if (closed) return;
    closed = true;
    watch?.cancel();
    for (const t of timers) clearTimeout(t);
    res.end();
  };
  ctx.req.on('close', close);
  res.on('close', close);
  res.on('error', close);

  let startRevision: number;
  if (rvParam === '' || rvParam === '0') {
    // No resourceVersion: the current state first, as synthetic ADDED events.
    const page = await storage.list({ namespace: ctx.info.namespace });
    for (const kv of page.kvs) {
      if (match && !match(parsed(kv))) continue;
      send('ADDED', objectJson(kv, kv.modRevision));
    }
    startRevision = page.revision + 1;
  } else {
    startRevision = Number(rvParam) + 1;
  }
  lastRevision = startRevision - 1;

  const onEvents = (events: WatchEvent[]) => {
    // One write syscall per batch of events rather than one per event.
    if (!closed && events.length > 0) {
      res.cork();
      process.nextTick(() => res.uncork());
    }
    for (const ev of events) {
      lastRevision = Math.max(lastRevision, ev.kv.modRevision);
      if (ev.type === 'delete') {
        const prev = ev.prevKv;
        if (!prev) continue;
        if (match && !match(parsed(prev))) continue;
        send('DELETED', objectJson(prev, ev.kv.modRevision));
        continue;
      }
      const isNew = !ev.prevKv || ev.kv.createRevision === ev.kv.modRevision;
      if (!match) {
        send(isNew ? 'ADDED' : 'MODIFIED', objectJson(ev.kv, ev.kv.modRevision));
        continue;
      }
      const now = match(parsed(ev.kv));
      const before = !isNew && ev.prevKv ? match(parsed(ev.prevKv)) : false;
      if (now && before) send('MODIFIED', objectJson(ev.kv, ev.kv.modRevision));
      else if (now) send('ADDED', objectJson(ev.kv, ev.kv.modRevision));
      else if (before) send('DELETED', objectJson(ev.kv, ev.kv.modRevision));
    }
  };
  const onError = (err: Error) => {
    if (err instanceof CompactedError) {
      const status = errors.expired(`too old resource version: ${startRevision - 1} (${err.compacted})`).toStatus();
      send('ERROR', JSON.stringify(status));
    } else {
      send('ERROR', JSON.stringify(errors.internal(err.message).toStatus()));
    }
    close();
  };
  if (closed) return;
  watch = storage.watch(ctx.info.namespace, startRevision, onEvents, onError);

  timers.push(setTimeout(close, timeoutSeconds * 1000));
  if (bookmarks) {
    const tick = () => {
      if (closed) return;
      send(
        'BOOKMARK',
        JSON.stringify({ kind: r.kind, apiVersion: r.apiVersion, metadata: { resourceVersion: String(lastRevision) } }),
      );
      timers.push(setTimeout(tick, BOOKMARK_INTERVAL_MS));
    };
    timers.push(setTimeout(tick, BOOKMARK_INTERVAL_MS));
  }
}

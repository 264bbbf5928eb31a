// WATCH over HTTP: the pipeline's events as newline-delimited JSON (objects or Table rows) on a chunked
// response, with bookmarks, a timeout, and a cap on what a slow client may leave buffered.
import type { ObjectEvent, ObjectPipeline } from '../pipeline/index.js';
import { type RequestContext, selectorOptions, targetOf } from './context.js';
import { queryBool, queryInt } from './query.js';
import { TABLE_CONTENT_TYPE, outputForm } from './response.js';
import { tableOf } from './table.js';

const DEFAULT_TIMEOUT_SECONDS = 1800;
const BOOKMARK_INTERVAL_MS = 30_000;
/** A watcher that falls this far behind is closed; the client re-watches from its last resourceVersion. */
const MAX_BUFFERED_BYTES = 64 * 1024 * 1024;

export async function serveWatch(p: ObjectPipeline, ctx: RequestContext): Promise<void> {
  const r = ctx.resource;
  const q = ctx.query;
  const timeoutSeconds = queryInt(q, 'timeoutSeconds') || DEFAULT_TIMEOUT_SECONDS;
  const bookmarks = queryBool(q, 'allowWatchBookmarks') === true;
  const watch = p.watch(targetOf(ctx), { ...selectorOptions(q), resourceVersion: q.get('resourceVersion') ?? '' });
  const form = outputForm(ctx.req, q);

  const res = ctx.res;
  res.writeHead(200, {
    'Content-Type': form.kind === 'table' ? TABLE_CONTENT_TYPE : 'application/json',
    'Cache-Control': 'no-cache, private',
    'Transfer-Encoding': 'chunked',
  });
  res.flushHeaders();

  let columnsSent = false;
  let closed = false;
  const encode = (ev: ObjectEvent): string => {
    if (form.kind !== 'table') return ev.object.json;
    const table = tableOf(r, [ev.object.object], form.include, ev.object.resourceVersion, Date.now());
    if (columnsSent) table.columnDefinitions = [];
    columnsSent = true;
    return JSON.stringify(table);
  };
  const send = (type: string, objJson: string) => {
    if (closed) return;
    res.write(`{"type":"${type}","object":${objJson}}\n`);
    if (res.writableLength > MAX_BUFFERED_BYTES) close();
  };

  const timers: NodeJS.Timeout[] = [];
  const close = () => {
    if (closed) return;
    closed = true;
    watch.cancel();
    for (const t of timers) clearTimeout(t);
    res.end();
  };
  ctx.req.on('close', close);
  res.on('close', close);
  res.on('error', close);

  await watch.start(
    (events) => {
      // One write syscall per batch of events rather than one per event.
      if (!closed && events.length > 0) {
        res.cork();
        process.nextTick(() => res.uncork());
      }
      for (const ev of events) send(ev.type, encode(ev));
    },
    (err) => {
      send('ERROR', JSON.stringify(err.toStatus()));
      close();
    },
  );
  if (closed) return;

  timers.push(setTimeout(close, timeoutSeconds * 1000));
  if (bookmarks) {
    const tick = () => {
      if (closed) return;
      send(
        'BOOKMARK',
        JSON.stringify({
          kind: r.kind,
          apiVersion: r.apiVersion,
          metadata: { resourceVersion: String(watch.lastRevision) },
        }),
      );
      timers.push(setTimeout(tick, BOOKMARK_INTERVAL_MS));
    };
    timers.push(setTimeout(tick, BOOKMARK_INTERVAL_MS));
  }
}

// WATCH over HTTP: the pipeline's events as newline-delimited JSON (objects or Table rows) on a chunked
// response, with bookmarks, a timeout, and a cap on what a slow client may leave buffered.
import { type ObjectEvent, type ObjectPipeline, frameOf } from '../pipeline/index.js';
import { type RequestContext, selectorOptions, targetOf } from './context.js';
import { queryBool, queryInt } from './query.js';
import { TABLE_CONTENT_TYPE, outputForm } from './response.js';
import { tableOf } from './table.js';

const DEFAULT_TIMEOUT_SECONDS = 1800;
const BOOKMARK_INTERVAL_MS = 30_000;
/**
 * A watcher whose client still has this much unread when the next batch of events comes is closed and its
 * connection dropped (which frees what it buffered), as upstream's cacher closes an unresponsive watcher;
 * the client re-watches from its last resourceVersion. The initial state is allowed on top, until it drains.
 */
export const MAX_BEHIND_BYTES = 256 * 1024;
/** Whatever the initial state, no watcher may hold more than this unsent. */
const MAX_BUFFERED_BYTES = 64 * 1024 * 1024;

/** Watchers closed for falling behind, since the process started (for tests and metrics). */
export const watchStats = { closedBehind: 0 };

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
  /** The event's line: without a Table, the object's frame that every watcher of it shares. */
  const encode = (ev: ObjectEvent): Buffer => {
    if (form.kind !== 'table') return ev.object.frame(ev.type);
    const table = tableOf(r, [ev.object.object], form.include, ev.object.resourceVersion, Date.now());
    if (columnsSent) table.columnDefinitions = [];
    columnsSent = true;
    return frameOf(ev.type, JSON.stringify(table));
  };
  let allowance = MAX_BEHIND_BYTES;
  res.on('drain', () => {
    allowance = MAX_BEHIND_BYTES;
  });
  const send = (frame: Buffer) => {
    if (closed) return;
    res.write(frame);
    if (res.writableLength > MAX_BUFFERED_BYTES) dropBehind();
  };

  const timers: NodeJS.Timeout[] = [];
  const close = () => {
    if (closed) return;
    closed = true;
    watch.cancel();
    for (const t of timers) clearTimeout(t);
    res.end();
  };
  /** The client cannot keep up: end the watch and drop the connection, so its buffers go now. */
  const dropBehind = () => {
    if (closed) return;
    watchStats.closedBehind++;
    ctx.metrics?.watcherTerminated?.(r.group, r.resource);
    close();
    res.destroy();
    ctx.req.socket.destroy();
  };
  ctx.req.on('close', close);
  res.on('close', close);
  res.on('error', close);

  let initial = true;
  await watch.start(
    (events) => {
      if (initial) {
        // The initial state may be large: it is allowed on top of the usual margin until it drains.
        initial = false;
        for (const ev of events) send(encode(ev));
        allowance = MAX_BEHIND_BYTES + res.writableLength;
        return;
      }
      if (!closed && res.writableLength > allowance) {
        dropBehind();
        return;
      }
      // One write syscall per batch of events rather than one per event.
      if (!closed && events.length > 0) {
        res.cork();
        process.nextTick(() => res.uncork());
      }
      for (const ev of events) send(encode(ev));
    },
    (err) => {
      send(frameOf('ERROR', JSON.stringify(err.toStatus())));
      close();
    },
  );
  if (closed) return;

  timers.push(setTimeout(close, timeoutSeconds * 1000));
  if (bookmarks) {
    const tick = () => {
      if (closed) return;
      send(
        frameOf(
          'BOOKMARK',
          JSON.stringify({
            kind: r.kind,
            apiVersion: r.apiVersion,
            metadata: { resourceVersion: String(watch.lastRevision) },
          }),
        ),
      );
      timers.push(setTimeout(tick, BOOKMARK_INTERVAL_MS));
    };
    timers.push(setTimeout(tick, BOOKMARK_INTERVAL_MS));
  }
}

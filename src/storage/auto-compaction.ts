import type { Store } from './store.js';

export interface AutoCompactionOptions {
  /** How often to compact. */
  intervalMs: number;
  /** History to keep: compact up to currentRevision - retainRevisions. */
  retainRevisions: number;
  /** Told about a failed compaction (the next tick tries again). */
  onError?: (err: Error) => void;
}

/**
 * Compacts the store periodically so its history stays bounded (the API server's etcd compactor does the
 * same every few minutes). Returns a function that stops it.
 */
export function startAutoCompaction(store: Store, opts: AutoCompactionOptions): () => void {
  let running = false;
  const tick = () => {
    const target = store.currentRevision() - opts.retainRevisions;
    if (running || target <= store.compactedRevision()) return;
    running = true;
    store
      .compact(target)
      .catch((err: unknown) => opts.onError?.(err instanceof Error ? err : new Error(String(err))))
      .finally(() => {
        running = false;
      });
  };
  const timer = setInterval(tick, opts.intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}

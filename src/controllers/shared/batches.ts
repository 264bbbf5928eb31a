// Writing many objects at once without flooding the API server: bounded concurrency for sweeps, and
// upstream's slow start (1, 2, 4, ... at a time) for creates that will likely all fail alike (quota).

/** Requests in flight at once for a controller's batch of writes. */
export const WRITE_CONCURRENCY = 32;

/** Runs fn over items with at most `concurrency` in flight; throws the first error after all settle. */
export async function inBatches<T>(
  items: readonly T[],
  fn: (item: T) => Promise<void>,
  concurrency = WRITE_CONCURRENCY,
): Promise<void> {
  let next = 0;
  let firstError: unknown;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++]!;
      try {
        await fn(item);
      } catch (err) {
        firstError ??= err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  if (firstError !== undefined) throw firstError;
}

/** Slow start begins with batches of this size and doubles after each fully successful batch. */
export const SLOW_START_INITIAL_BATCH = 1;

/** Batch sizes of slow start: 1, 2, 4, ... summing to count (upstream slowStartBatch). */
export function slowStartBatches(count: number, initial = SLOW_START_INITIAL_BATCH): number[] {
  const out: number[] = [];
  let remaining = count;
  let size = Math.min(remaining, initial);
  while (size > 0) {
    out.push(size);
    remaining -= size;
    size = Math.min(2 * size, remaining);
  }
  return out;
}

/** Creates in flight at once once slow start has proven the writes succeed. */
export const CREATE_WINDOW = 64;

/**
 * Slow start, then a pipeline: batches of 1, 2, 4, ... (each settled before the next, stopping after one
 * with a failure, as upstream) until a batch would exceed `window`; the rest run with `window` calls in
 * flight at all times instead of in lock-step batches, and no new call starts after a failure. onSettled
 * sees every result as it settles. Returns how many calls were made (the rest were skipped), so the
 * caller can lower its expectations exactly.
 */
export async function slowStartPipeline<T>(
  count: number,
  fn: () => Promise<T>,
  onSettled: (result: PromiseSettledResult<T>) => void,
  window = CREATE_WINDOW,
  initial = SLOW_START_INITIAL_BATCH,
): Promise<number> {
  let attempted = 0;
  let size = Math.min(count, initial);
  while (size > 0 && size <= window && attempted < count) {
    attempted += size;
    const results = await Promise.allSettled(Array.from({ length: size }, fn));
    for (const r of results) onSettled(r);
    if (results.some((r) => r.status === 'rejected')) return attempted;
    size = Math.min(2 * size, count - attempted);
  }
  let failed = false;
  const lane = async () => {
    while (!failed && attempted < count) {
      attempted++;
      try {
        onSettled({ status: 'fulfilled', value: await fn() });
      } catch (reason) {
        failed = true;
        onSettled({ status: 'rejected', reason });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(window, count - attempted) }, lane));
  return attempted;
}

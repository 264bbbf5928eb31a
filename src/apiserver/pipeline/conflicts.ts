// Optimistic concurrency: the conflict a lost compare-and-swap answers, and retrying the read-modify-write
// steps (patch, apply, delete, subresources) that may lose one.
import { StatusError, errors } from '../../core/status.js';
import type { ServedResource } from '../resources.js';

const MAX_RETRIES = 5;

export function modifiedConflict(r: ServedResource, name: string): StatusError {
  return errors.conflict(
    r.group,
    r.resource,
    name,
    'the object has been modified; please apply your changes to the latest version and try again',
  );
}

/**
 * Whether a write's metadata.resourceVersion is a precondition: empty and "0" both mean an unconditional
 * write (APIObjectVersioner.ParseResourceVersion reads both as 0), as every kind Tutti serves allows.
 */
export function isPrecondition(rv: string | undefined): rv is string {
  return !!rv && rv !== '0';
}

/** Re-runs `fn` on a plain 409 Conflict (not on apply conflicts, which carry causes). */
export async function retryOnConflict<T>(fn: () => Promise<T>): Promise<T> {
  for (let i = 0; ; i++) {
    try {
      return await fn();
    } catch (err) {
      const retriable =
        err instanceof StatusError && err.code === 409 && err.reason === 'Conflict' && !err.details?.causes;
      if (!retriable || i >= MAX_RETRIES) throw err;
    }
  }
}

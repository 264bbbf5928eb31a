// Optimistic concurrency: the conflict a lost compare-and-swap answers, and retrying the read-modify-write
// steps (patch, apply, delete, subresources) that may lose one.
import { StatusError, errors } from '../../core/status.js';
import type { ServedResource } from '../resources.js';

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

const lostRaces = new WeakSet<StatusError>();

/**
 * The 409 of a compare-and-swap that another write won between this write's read and its commit. Where the
 * client set no precondition, the read-modify-write that lost runs again (retryOnConflict); where it did, it
 * reaches the client.
 */
export function lostRace(r: ServedResource, name: string): StatusError {
  const err = modifiedConflict(r, name);
  lostRaces.add(err);
  return err;
}

/**
 * Re-runs `fn` for as long as it loses a race to another write (lostRace), as upstream's GuaranteedUpdate
 * loops: each round re-reads the object, and every lost round means another write went through, so the
 * writes to one object make progress together. A 409 for any other reason (a resourceVersion precondition,
 * an apply conflict, a pod already bound) reaches the client at once.
 */
export async function retryOnConflict<T>(fn: () => Promise<T>): Promise<T> {
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      if (!(err instanceof StatusError && lostRaces.has(err))) throw err;
    }
  }
}

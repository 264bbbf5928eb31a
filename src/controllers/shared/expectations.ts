// Controller expectations (client-go ControllerExpectations and UIDTrackingControllerExpectations):
// after a sync asks for N creates/deletes, the informer lags behind; until it has shown those changes
// (or the entry expires) the controller must not compute another diff on the stale view, or it would
// create the same pods twice. Entries expire so a lost watch event cannot wedge a controller forever.
import type { Clock } from '../../client/index.js';

/** Upstream ExpectationsTimeout: 5 minutes. */
export const EXPECTATIONS_TTL_MS = 5 * 60 * 1000;

interface Entry {
  adds: number;
  /** A count (any deletion lowers it), or the keys of the pods whose deletion is awaited (each counts once). */
  dels: number | Set<string>;
  at: number;
}

export class Expectations {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly clock: Pick<Clock, 'now'>,
    private readonly ttlMs = EXPECTATIONS_TTL_MS,
  ) {}

  /** Replaces key's expectations with counts (SetExpectations): any observed add or delete lowers them. */
  expect(key: string, adds: number, dels: number): void {
    this.entries.set(key, { adds, dels, at: this.clock.now() });
  }

  /** Replaces key's expectations with `adds` creates (ExpectCreations). */
  expectCreations(key: string, adds: number): void {
    this.expect(key, adds, 0);
  }

  /**
   * Replaces key's expectations with the deletion of these pods (UIDTrackingControllerExpectations):
   * only their deletions count, and a pod's update to terminating and its delete count once.
   */
  expectDeletions(key: string, podKeys: readonly string[]): void {
    this.entries.set(key, { adds: 0, dels: new Set(podKeys), at: this.clock.now() });
  }

  /** An expected create showed up (or failed and never will). */
  creationObserved(key: string): void {
    const e = this.entries.get(key);
    if (e) e.adds--;
  }

  /**
   * A deletion showed up (or failed and never will). Tracked deletions need the pod's key; counted ones
   * go down by one whatever the pod.
   */
  deletionObserved(key: string, podKey?: string): void {
    const e = this.entries.get(key);
    if (!e) return;
    if (typeof e.dels === 'number') e.dels--;
    else if (podKey !== undefined) e.dels.delete(podKey);
  }

  /** True when the controller may compute a new diff for key: nothing awaited, or awaited too long. */
  satisfied(key: string): boolean {
    const e = this.entries.get(key);
    if (!e) return true;
    const dels = typeof e.dels === 'number' ? e.dels : e.dels.size;
    if (e.adds <= 0 && dels <= 0) return true;
    return this.clock.now() - e.at > this.ttlMs;
  }

  /** Forgets key (its owner is gone). */
  delete(key: string): void {
    this.entries.delete(key);
  }
}

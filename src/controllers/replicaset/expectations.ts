// ControllerExpectations: after a sync asks for N creates/deletes, the controller waits until its
// informer has seen them before computing another diff, so a slow cache does not cause double creates.
// Entries expire (upstream: 5 minutes) so a lost watch event cannot wedge a controller forever.

import type { Clock } from '../../client/index.js';

export const EXPECTATIONS_TTL_MS = 5 * 60 * 1000;

interface Entry {
  adds: number;
  /** Pod keys whose deletion we await; a set, so a pod's update and its delete count once. */
  deletes: Set<string>;
  at: number;
}

export class Expectations {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly clock: Clock) {}

  /** True when the controller may compute a new diff for key. */
  satisfied(key: string): boolean {
    const e = this.entries.get(key);
    if (!e) return true;
    if (e.adds <= 0 && e.deletes.size === 0) return true;
    return this.clock.now() - e.at > EXPECTATIONS_TTL_MS;
  }

  expectCreations(key: string, adds: number): void {
    this.entries.set(key, { adds, deletes: new Set(), at: this.clock.now() });
  }

  expectDeletions(key: string, podKeys: string[]): void {
    this.entries.set(key, { adds: 0, deletes: new Set(podKeys), at: this.clock.now() });
  }

  creationObserved(key: string): void {
    const e = this.entries.get(key);
    if (e) e.adds--;
  }

  deletionObserved(key: string, podKey: string): void {
    this.entries.get(key)?.deletes.delete(podKey);
  }

  delete(key: string): void {
    this.entries.delete(key);
  }
}

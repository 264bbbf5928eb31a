// Controller expectations (client-go's ControllerExpectations): after a controller creates or deletes
// pods, its cache lags behind; until the informer has shown those changes (or a timeout passes) the
// controller must not act on the stale view, or it would create the same pods twice.

interface Expected {
  adds: number;
  dels: number;
  at: number;
}

export class Expectations {
  private readonly byKey = new Map<string, Expected>();

  constructor(
    private readonly now: () => number,
    private readonly timeoutMs = 5 * 60_000,
  ) {}

  expect(key: string, adds: number, dels: number): void {
    const e = this.byKey.get(key) ?? { adds: 0, dels: 0, at: 0 };
    e.adds += adds;
    e.dels += dels;
    e.at = this.now();
    this.byKey.set(key, e);
  }

  /** An add the controller expected showed up (or a create failed and will not show up). */
  observedAdd(key: string): void {
    const e = this.byKey.get(key);
    if (e && e.adds > 0) e.adds--;
  }

  observedDelete(key: string): void {
    const e = this.byKey.get(key);
    if (e && e.dels > 0) e.dels--;
  }

  /** True when the cache has caught up with our writes (or they are so old we stop waiting). */
  satisfied(key: string): boolean {
    const e = this.byKey.get(key);
    if (!e) return true;
    if ((e.adds <= 0 && e.dels <= 0) || this.now() - e.at > this.timeoutMs) {
      this.byKey.delete(key);
      return true;
    }
    return false;
  }

  forget(key: string): void {
    this.byKey.delete(key);
  }
}

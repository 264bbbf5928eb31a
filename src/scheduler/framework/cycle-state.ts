// Per-pod scheduling-cycle scratch space: PreFilter/PreScore write, Filter/Score read. Keys carry their type.

export interface StateKey<T> {
  readonly name: string;
  /** Phantom field so keys for different types are not interchangeable. */
  readonly _type?: T;
}

export function stateKey<T>(name: string): StateKey<T> {
  return { name };
}

export class CycleState {
  private readonly data = new Map<StateKey<unknown>, unknown>();

  write<T>(key: StateKey<T>, value: T): void {
    this.data.set(key, value);
  }

  read<T>(key: StateKey<T>): T | undefined {
    return this.data.get(key) as T | undefined;
  }
}

// Resource totals in scheduler units: cpu millicores, bytes, pod slots, and scalar (extended) resources.

import type { ResourceAmounts } from '../../core/quantity/index.js';

export class Resource {
  milliCpu = 0;
  memory = 0;
  ephemeralStorage = 0;
  allowedPodNumber = 0;
  scalar: Record<string, number> = {};

  static from(amounts: ResourceAmounts): Resource {
    const r = new Resource();
    r.add(amounts, 1);
    return r;
  }

  /** Adds (sign 1) or subtracts (sign -1) a resource list. */
  add(amounts: ResourceAmounts, sign: 1 | -1): void {
    for (const name in amounts) {
      const v = amounts[name]! * sign;
      switch (name) {
        case 'cpu':
          this.milliCpu += v;
          break;
        case 'memory':
          this.memory += v;
          break;
        case 'ephemeral-storage':
          this.ephemeralStorage += v;
          break;
        case 'pods':
          this.allowedPodNumber += v;
          break;
        default:
          this.scalar[name] = (this.scalar[name] ?? 0) + v;
      }
    }
  }

  clone(): Resource {
    const r = new Resource();
    r.milliCpu = this.milliCpu;
    r.memory = this.memory;
    r.ephemeralStorage = this.ephemeralStorage;
    r.allowedPodNumber = this.allowedPodNumber;
    r.scalar = { ...this.scalar };
    return r;
  }

  /** Amount of a resource by its API name. */
  get(name: string): number {
    switch (name) {
      case 'cpu':
        return this.milliCpu;
      case 'memory':
        return this.memory;
      case 'ephemeral-storage':
        return this.ephemeralStorage;
      case 'pods':
        return this.allowedPodNumber;
      default:
        return this.scalar[name] ?? 0;
    }
  }
}

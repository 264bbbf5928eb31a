// Hands out per-node pod CIDRs from the cluster CIDR (upstream range_allocator / cidrset): each node
// gets one subnet of nodeMaskSize bits, never two nodes the same one. Pure, in memory; the controller
// rebuilds it from the nodes' spec.podCIDR on start. CIDR arithmetic: src/core/cidr.ts.

import { intToIp, parseCidr } from '../../core/index.js';

export class CidrAllocator {
  private readonly base: number;
  private readonly subnetSize: number;
  readonly capacity: number;
  private readonly used = new Set<number>();
  /** Where the next search starts, so freed subnets are not reused at once (as cidrset's nextCandidate). */
  private next = 0;

  constructor(
    readonly clusterCidr: string,
    readonly nodeMaskSize: number,
  ) {
    const { ip, bits } = parseCidr(clusterCidr);
    if (nodeMaskSize < bits || nodeMaskSize > 32)
      throw new Error(`node mask /${nodeMaskSize} does not fit in ${clusterCidr}`);
    this.base = ip;
    this.subnetSize = 2 ** (32 - nodeMaskSize);
    this.capacity = 2 ** (nodeMaskSize - bits);
  }

  get allocated(): number {
    return this.used.size;
  }

  /** Marks a CIDR as taken (a node already has it). Returns false if it is not one of our subnets. */
  occupy(cidr: string): boolean {
    const i = this.indexOf(cidr);
    if (i === undefined) return false;
    this.used.add(i);
    return true;
  }

  isAllocated(cidr: string): boolean {
    const i = this.indexOf(cidr);
    return i !== undefined && this.used.has(i);
  }

  /** The next free subnet, or undefined when the cluster CIDR is full. */
  allocate(): string | undefined {
    for (let n = 0; n < this.capacity; n++) {
      const i = (this.next + n) % this.capacity;
      if (this.used.has(i)) continue;
      this.used.add(i);
      this.next = (i + 1) % this.capacity;
      return `${intToIp(this.base + i * this.subnetSize)}/${this.nodeMaskSize}`;
    }
    return undefined;
  }

  release(cidr: string): void {
    const i = this.indexOf(cidr);
    if (i !== undefined) this.used.delete(i);
  }

  private indexOf(cidr: string): number | undefined {
    let parsed: { ip: number; bits: number };
    try {
      parsed = parseCidr(cidr);
    } catch {
      return undefined;
    }
    if (parsed.bits !== this.nodeMaskSize) return undefined;
    const offset = parsed.ip - this.base;
    if (offset < 0 || offset % this.subnetSize !== 0) return undefined;
    const i = offset / this.subnetSize;
    return i < this.capacity ? i : undefined;
  }
}

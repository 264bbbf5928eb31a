// Whether a node's pod CIDR collides with the address of another bridge on the machine (another agent's pod
// network, docker0, ...): the same pod IP would then exist twice. Pure, on the addresses `ip` reports.
import { parseCidr } from '../../core/cidr.js';

export interface BridgeAddress {
  bridge: string;
  /** Address with its prefix as the bridge holds it, e.g. `10.42.0.1/24`. */
  cidr: string;
}

export function cidrsOverlap(a: string, b: string): boolean {
  const x = parseCidr(a);
  const y = parseCidr(b);
  const bits = Math.min(x.bits, y.bits);
  const block = 2 ** (32 - bits);
  return Math.floor(x.ip / block) === Math.floor(y.ip / block);
}

/** The first address of another bridge that overlaps podCidr; the agent's own bridge is not a conflict. */
export function podCidrConflict(
  podCidr: string,
  ownBridge: string,
  bridges: readonly BridgeAddress[],
): BridgeAddress | undefined {
  return bridges.find((b) => b.bridge !== ownBridge && cidrsOverlap(podCidr, b.cidr));
}

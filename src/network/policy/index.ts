// NetworkPolicy (networking.k8s.io/v1) on nftables. See README.md.
import { NetworkPolicyController, type NetworkPolicyOptions } from './controller.js';
import type { PodVerdict } from './compute.js';

export type { NetworkPolicyOptions, PolicyLog } from './controller.js';
export { allows, computePolicy, type PodVerdict } from './compute.js';

export interface NetworkPolicyEnforcer {
  /** The verdicts of this node's pods, as last computed. */
  verdicts(): PodVerdict[];
  syncNow(): Promise<void>;
  /** Stops watching and removes the `inet tutti-policy` table. */
  stop(): Promise<void>;
}

/** Starts enforcing: waits for the caches, applies the first ruleset, follows every change. */
export async function startNetworkPolicy(options: NetworkPolicyOptions): Promise<NetworkPolicyEnforcer> {
  const c = new NetworkPolicyController(options);
  try {
    await c.start();
  } catch (err) {
    await c.stop().catch(() => {});
    throw err;
  }
  return { verdicts: () => c.current(), syncNow: () => c.syncNow(), stop: () => c.stop() };
}

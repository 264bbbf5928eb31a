// The pod network across nodes (flannel's job): routes to the other nodes' pod CIDRs, host-gw or vxlan,
// and pod egress masquerading. See README.md.
import { PodNetworkController, type PodNetworkOptions } from './controller.js';

export type { PodNetLog, PodNetworkOptions } from './controller.js';
export { type Backend, BACKENDS, type PodNetPlan, planPodNetwork } from './plan.js';

export interface PodNetwork {
  /** The plan of the last successful sync. */
  plan(): PodNetPlan | undefined;
  /** The error of the last sync, if it failed. */
  error(): string | undefined;
  syncNow(): Promise<void>;
  /** Stops; removes every route, device and table it added unless `keep` (an agent restart adopts them). */
  stop(opts?: { keep?: boolean }): Promise<void>;
}

import type { PodNetPlan } from './plan.js';

/** Starts the pod network: waits for the Node cache, runs the first sync, and follows Node changes. */
export async function startPodNetwork(options: PodNetworkOptions): Promise<PodNetwork> {
  const c = new PodNetworkController(options);
  try {
    await c.start();
  } catch (err) {
    await c.stop().catch(() => {});
    throw err;
  }
  return { plan: () => c.plan(), error: () => c.error(), syncNow: () => c.syncNow(), stop: (o) => c.stop(o) };
}

// The pod network across nodes (flannel's job): routes to the other nodes' pod CIDRs, host-gw or vxlan,
// and pod egress masquerading. See README.md.
import { hostExec } from '../proxy/adapter/exec.js';
import { removeRoutes } from './adapter.js';
import { PodNetworkController, type PodNetworkOptions } from './controller.js';
import { DEFAULT_VXLAN, type PodNetPlan } from './plan.js';

export type { PodNetLog, PodNetworkOptions } from './controller.js';
export { type Backend, BACKENDS, DEFAULT_VXLAN, type PodNetPlan, planPodNetwork } from './plan.js';

export interface PodNetwork {
  /** The plan of the last successful sync. */
  plan(): PodNetPlan | undefined;
  /** The error of the last sync, if it failed. */
  error(): string | undefined;
  syncNow(): Promise<void>;
  /**
   * Stops and removes every route, device and table it added; `keepRoutes` leaves the routes and the vxlan
   * device (only the table goes), so pods keep reaching other nodes while an agent restarts and the next
   * process adopts them.
   */
  stop(opts?: { keepRoutes?: boolean }): Promise<void>;
}

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

/** Removes this network namespace's pod-network routes and vxlan device (`tutti killall`, the agent gone). */
export async function removePodNetworkRoutes(device = DEFAULT_VXLAN.device): Promise<void> {
  await removeRoutes(hostExec(), device);
}

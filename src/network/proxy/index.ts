// The service proxy (kube-proxy's job) on nftables. See README.md.
import { type ServiceProxyOptions, ServiceProxyController } from './controller.js';

export type { ProxyLog, ServiceProxyOptions, SyncEvent } from './controller.js';
export type { NodeFacts } from './model/types.js';

export interface ServiceProxy {
  /** Whether the last sync succeeded. */
  healthy(): boolean;
  /** Runs a sync now (the proxy syncs by itself; tests use this to not wait for the timer). */
  syncNow(): Promise<void>;
  /** Runs a full resync now (the proxy also runs one every syncPeriodMs). */
  resync(): Promise<void>;
  /** Stops the proxy and removes its table and the route it added. */
  stop(): Promise<void>;
}

/**
 * Starts the proxy: waits for the Service and EndpointSlice caches, runs the first full sync, and keeps
 * the node's `ip tutti-proxy` table in step from then on. The promise resolves after that first sync
 * (successful or not: a failed one is retried with backoff).
 */
export async function startServiceProxy(options: ServiceProxyOptions): Promise<ServiceProxy> {
  const c = new ServiceProxyController(options);
  try {
    await c.start();
  } catch (err) {
    await c.stop().catch(() => {});
    throw err;
  }
  return { healthy: () => c.isHealthy(), syncNow: () => c.syncNow(), resync: () => c.resync(), stop: () => c.stop() };
}

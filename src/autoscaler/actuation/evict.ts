// Evicting a node's pods through the eviction API (POST pods/NAME/eviction, policy/v1), as upstream's
// drain: a 429 means a PodDisruptionBudget allows no disruption now, so the eviction is tried again
// until the deadline; a 404 means the pod is gone already. Grace is the pod's own, capped.

import { type ApiClient, type Clock, isApiError, isNotFound, resourcePath } from '../../client/index.js';
import { resources } from '../../core/resources.js';
import type { Eviction, Pod } from '../../core/types.js';

export interface EvictOptions {
  client: ApiClient;
  clock: Clock;
  /** Give up on a pod after this long. */
  deadlineMs: number;
  retryMs: number;
  /** Upstream --max-graceful-termination-sec. */
  maxGracefulTerminationSec: number;
  /** Stop early (the autoscaler is stopping). */
  signal?: AbortSignal;
}

export function evictionFor(pod: Pod, maxGraceSec: number): Eviction {
  const grace = Math.min(pod.spec?.terminationGracePeriodSeconds ?? 30, maxGraceSec);
  return {
    apiVersion: 'policy/v1',
    kind: 'Eviction',
    metadata: { name: pod.metadata.name, namespace: pod.metadata.namespace },
    deleteOptions: { gracePeriodSeconds: grace, preconditions: { uid: pod.metadata.uid } },
  };
}

const sleep = (clock: Clock, ms: number) => new Promise<void>((r) => clock.setTimer(ms, r));

/** Evicts one pod, retrying refusals until the deadline; throws the last refusal after it. */
export async function evictPod(pod: Pod, o: EvictOptions): Promise<void> {
  const path = resourcePath(resources.pods, {
    namespace: pod.metadata.namespace,
    name: pod.metadata.name,
    subresource: 'eviction',
  });
  const deadline = o.clock.now() + o.deadlineMs;
  for (;;) {
    try {
      await o.client.create(path, evictionFor(pod, o.maxGracefulTerminationSec));
      return;
    } catch (err) {
      if (isNotFound(err)) return;
      // A uid precondition that fails means this pod is gone and another has its name.
      if (isApiError(err) && err.code === 409) return;
      if (o.clock.now() + o.retryMs > deadline || o.signal?.aborted) {
        const why = isApiError(err) && err.code === 429 ? 'a disruption budget does not allow it' : String(err);
        throw new Error(`evicting ${pod.metadata.namespace}/${pod.metadata.name}: ${why}`);
      }
      await sleep(o.clock, o.retryMs);
    }
  }
}

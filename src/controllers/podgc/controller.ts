// Pod GC: every period, deletes what planPodGc selects, with gracePeriodSeconds=0 (nobody is left to
// stop those pods gracefully). An orphan's node is confirmed gone by a GET first: the node cache may lag.

import { isNotFound, objectKey, resourcePath } from '../../client/index.js';
import { type ControllerContext, type RunningController, runPeriodically } from '../context.js';
import { type Node, type Pod, resources } from '../../core/index.js';
import { inBatches } from '../shared/batches.js';
import { planPodGc } from './plan.js';

export interface PodGcOptions {
  /** Upstream --terminated-pod-gc-threshold. 0 disables that part. */
  terminatedPodThreshold?: number;
  /** Upstream gcCheckPeriod, 20 s. */
  periodMs?: number;
}

const COMPONENT = 'pod-garbage-collector';

export function startPodGcController(ctx: ControllerContext, opts: PodGcOptions = {}): RunningController {
  const { client, clock, log } = ctx;
  const threshold = opts.terminatedPodThreshold ?? 12_500;
  const period = opts.periodMs ?? 20_000;
  const pods = ctx.informers.forResource<Pod>(resources.pods);
  const nodes = ctx.informers.forResource<Node>(resources.nodes);

  const forceDelete = async (pod: Pod, why: string) => {
    try {
      await client.delete(
        resourcePath(resources.pods, { namespace: pod.metadata.namespace, name: pod.metadata.name }),
        {
          gracePeriodSeconds: 0,
          preconditions: { uid: pod.metadata.uid },
        },
      );
      log('pod garbage-collected', {
        controller: COMPONENT,
        object: objectKey(pod.metadata),
        reason: why,
        node: pod.spec?.nodeName,
      });
    } catch (err) {
      if (!isNotFound(err))
        log('pod gc delete failed', { controller: COMPONENT, object: objectKey(pod.metadata), error: String(err) });
    }
  };

  const nodeGone = async (name: string): Promise<boolean> => {
    try {
      await client.get(resourcePath(resources.nodes, { name }));
      return false;
    } catch (err) {
      return isNotFound(err);
    }
  };

  const pass = async () => {
    const plan = planPodGc(pods.list(), (n) => nodes.get(n) !== undefined, threshold);
    await inBatches(plan.terminated, (p) => forceDelete(p, 'terminated pods over threshold'));
    const confirmed = new Map<string, boolean>();
    await inBatches(plan.orphaned, async (p) => {
      const node = p.spec?.nodeName ?? '';
      if (!confirmed.has(node)) confirmed.set(node, await nodeGone(node));
      if (confirmed.get(node)) await forceDelete(p, 'node does not exist');
    });
    await inBatches(plan.unscheduledTerminating, (p) => forceDelete(p, 'terminating and never scheduled'));
  };

  const sweep = runPeriodically({
    clock,
    periodMs: period,
    ready: () => pods.hasSynced() && nodes.hasSynced(),
    pass,
    onError: (err) => log('pod gc pass failed', { controller: COMPONENT, error: String(err) }),
  });
  return {
    name: COMPONENT,
    stop: () => sweep.stop(),
  };
}

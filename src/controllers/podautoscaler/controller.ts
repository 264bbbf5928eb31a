// The HorizontalPodAutoscaler controller (upstream pkg/controller/podautoscaler), wiring only:
//
// hpas (autoscaling/v2; v1 objects are stored as v2) --add / spec change--> queue of HPA keys
// sync(key): Autoscaler.reconcile -> GET/PUT <target>/scale, pods from the shared informer by the scale's
//            selector, PodMetrics from metrics.k8s.io/v1beta1 through the API, PUT hpa status, events
//            -> requeue after the sync period (every HPA is looked at once per period, as upstream's queue)
import { type ApiClient, NAMESPACE_INDEX, objectKey, resourcePath, WorkQueue } from '../../client/index.js';
import { jsonEqual } from '../../core/json.js';
import { resources } from '../../core/resources.js';
import type { HorizontalPodAutoscaler, Pod, Scale } from '../../core/types.js';
import { type ControllerContext, type RunningController, runWorkers } from '../context.js';
import { ensureIndex } from '../shared/indexes.js';
import { SpecGuard } from '../shared/spec-guard.js';
import { type MetricsClient, RestMetricsClient } from './metrics-client.js';
import {
  Autoscaler,
  type AutoscalerDeps,
  type AutoscalerOptions,
  DEFAULT_AUTOSCALER_OPTIONS,
  type ReconcileResult,
} from './reconcile.js';
import { POD_LABEL_INDEX, podLabelIndex, selectPods } from './selectors.js';

export const HPA_COMPONENT = 'horizontal-pod-autoscaler';

export interface HpaControllerOptions extends Partial<AutoscalerOptions> {
  /** --horizontal-pod-autoscaler-sync-period (default 15 s). */
  syncPeriodMs?: number;
  /** --concurrent-horizontal-pod-autoscaler-syncs (default 5). */
  workers?: number;
  /** Where resource metrics come from; default metrics.k8s.io through the API server. */
  metrics?: MetricsClient;
  /**
   * From this many HPAs in a namespace on, the default metrics client reads the namespace's PodMetrics in
   * one LIST shared by its HPAs for a third of the sync period (at most 5 s), instead of one LIST per HPA.
   * Default 10; 0 turns it off.
   */
  namespaceMetricsListFrom?: number;
  /** Called after each sync (tests and the benchmark watch passes with it). */
  onSynced?(key: string, result: ReconcileResult): void;
}

export const DEFAULT_HPA_SYNC_PERIOD_MS = 15_000;

function deps(
  ctx: ControllerContext,
  client: ApiClient,
  pods: { byIndex(i: string, v: string): Pod[] },
  metrics: MetricsClient,
): AutoscalerDeps {
  const recorder = ctx.recorder(HPA_COMPONENT);
  return {
    now: () => ctx.clock.now(),
    scales: {
      get: (r, namespace, name) => client.get<Scale>(resourcePath(r, { namespace, name, subresource: 'scale' })),
      update: (r, namespace, scale) =>
        client.update<Scale>(resourcePath(r, { namespace, name: scale.metadata.name, subresource: 'scale' }), scale),
    },
    pods: (namespace, selector) => selectPods((i, v) => pods.byIndex(i, v), NAMESPACE_INDEX, namespace, selector),
    metrics,
    updateStatus: async (hpa) => {
      await client.updateStatus(
        resourcePath(resources.horizontalpodautoscalers, {
          namespace: hpa.metadata.namespace,
          name: hpa.metadata.name,
        }),
        hpa,
      );
    },
    event: (hpa, type, reason, message) => {
      void recorder.event(
        { ...hpa, apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler' },
        type,
        reason,
        message,
      );
    },
  };
}

export function startHorizontalPodAutoscalerController(
  ctx: ControllerContext,
  opts: HpaControllerOptions = {},
): RunningController {
  const { clock, log } = ctx;
  const syncPeriodMs = opts.syncPeriodMs ?? DEFAULT_HPA_SYNC_PERIOD_MS;
  const hpas = ctx.informers.forResource<HorizontalPodAutoscaler>(resources.horizontalpodautoscalers);
  const pods = ctx.informers.forResource<Pod>(resources.pods);
  ensureIndex(pods, POD_LABEL_INDEX, podLabelIndex);
  const queue = new WorkQueue<string>({ clock });
  const guard = new SpecGuard(ctx.recorder(HPA_COMPONENT), 'HorizontalPodAutoscaler', 'autoscaling/v2', log);
  const perNamespace = new Map<string, number>();
  const listFrom = opts.namespaceMetricsListFrom ?? 10;
  const metrics =
    opts.metrics ??
    new RestMetricsClient(ctx.client, {
      wholeNamespace: (ns) => listFrom > 0 && (perNamespace.get(ns) ?? 0) >= listFrom,
      namespaceListTtlMs: Math.min(5000, syncPeriodMs / 3),
      now: () => clock.now(),
    });
  const autoscaler = new Autoscaler(deps(ctx, ctx.client, pods, metrics), {
    tolerance: opts.tolerance ?? DEFAULT_AUTOSCALER_OPTIONS.tolerance,
    cpuInitializationPeriodMs: opts.cpuInitializationPeriodMs ?? DEFAULT_AUTOSCALER_OPTIONS.cpuInitializationPeriodMs,
    delayOfInitialReadinessStatusMs:
      opts.delayOfInitialReadinessStatusMs ?? DEFAULT_AUTOSCALER_OPTIONS.delayOfInitialReadinessStatusMs,
    downscaleStabilizationWindowMs:
      opts.downscaleStabilizationWindowMs ?? DEFAULT_AUTOSCALER_OPTIONS.downscaleStabilizationWindowMs,
  });

  hpas.addEventHandler({
    onAdd: (h) => {
      const key = objectKey(h.metadata);
      const ns = h.metadata.namespace ?? '';
      perNamespace.set(ns, (perNamespace.get(ns) ?? 0) + 1);
      autoscaler.register(ns, key);
      queue.add(key);
    },
    // Our own status writes come back as updates: only a new spec is worth a sync before the period ends.
    onUpdate: (o, h) => {
      if (!jsonEqual(o.spec ?? null, h.spec ?? null)) queue.add(objectKey(h.metadata));
    },
    onDelete: (h) => {
      const ns = h.metadata.namespace ?? '';
      const left = (perNamespace.get(ns) ?? 1) - 1;
      if (left > 0) perNamespace.set(ns, left);
      else perNamespace.delete(ns);
      autoscaler.forget(ns, objectKey(h.metadata));
    },
  });

  const sync = async (key: string) => {
    const hpa = hpas.get(key);
    // An unusable spec waits for the next spec change (onUpdate queues it), without any write.
    if (!hpa || guard.refuse(hpa)) return;
    let result: ReconcileResult;
    try {
      result = await autoscaler.reconcile(hpa, key);
    } catch (err) {
      result = { rescaled: false, error: String(err) };
    }
    if (result.error) log('hpa sync failed', { controller: HPA_COMPONENT, object: key, error: result.error });
    queue.addAfter(key, syncPeriodMs);
    opts.onSynced?.(key, result);
  };

  const running = runWorkers({
    name: HPA_COMPONENT,
    ctx,
    queue,
    waitFor: [hpas, pods],
    workers: opts.workers ?? 5,
    sync,
  });
  return { name: HPA_COMPONENT, stop: () => running.stop() };
}

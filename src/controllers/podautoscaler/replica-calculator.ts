// The replica count a metric asks for, after upstream's replica calculator
// (kubernetes pkg/controller/podautoscaler/replica_calculator.go and metrics/utilization.go), on plain
// pods and metrics: pods are grouped into ready, unready (pending, or CPU not yet trustworthy), missing
// (no metric) and ignored (deleted, failed); the usage ratio against the target decides, within the
// tolerance, and on a second pass missing pods count as 100% (scale-down) or 0% (scale-up) and unready pods
// as 0% (scale-up), never turning the direction around. Quantities are milli-units (MilliValue), and the
// integer divisions truncate as Go's int64 arithmetic does.
import { podCondition } from '../../core/pods.js';
import { parseCpuMillis } from '../../core/quantity/index.js';
import type { LabelSelector } from '../../core/selectors/index.js';
import type { Pod } from '../../core/types.js';

/** One pod's metric: the value in milli-units, when it was taken and over what window. */
export interface PodMetric {
  value: number;
  timestampMs: number;
  windowMs: number;
}

/** Pod name -> metric, as upstream's PodMetricsInfo. */
export type PodMetricsInfo = Map<string, PodMetric>;

/** Usage ratios within [1 - scaleDown, 1 + scaleUp] leave the replicas as they are. */
export interface Tolerances {
  scaleDown: number;
  scaleUp: number;
}

export function isWithinTolerance(t: Tolerances, usageRatio: number): boolean {
  return 1 - t.scaleDown <= usageRatio && usageRatio <= 1 + t.scaleUp;
}

export interface ReadinessOptions {
  /** --horizontal-pod-autoscaler-cpu-initialization-period (default 5 min). */
  cpuInitializationPeriodMs: number;
  /** --horizontal-pod-autoscaler-initial-readiness-delay (default 30 s). */
  delayOfInitialReadinessStatusMs: number;
}

/** Go's zero time.Time, which a missing lastTransitionTime reads as. */
const GO_ZERO_TIME_MS = -62_135_596_800_000; // 0001-01-01T00:00:00Z

function timeOf(t: string | undefined): number | undefined {
  if (!t) return undefined;
  const ms = Date.parse(t);
  return Number.isNaN(ms) ? undefined : ms;
}

export interface PodGroups {
  readyPodCount: number;
  unreadyPods: Set<string>;
  missingPods: Set<string>;
  ignoredPods: Set<string>;
}

/** upstream groupPods. */
export function groupPods(
  pods: readonly Pod[],
  metrics: PodMetricsInfo,
  resource: string,
  opts: ReadinessOptions,
  nowMs: number,
): PodGroups {
  const out: PodGroups = { readyPodCount: 0, unreadyPods: new Set(), missingPods: new Set(), ignoredPods: new Set() };
  for (const pod of pods) {
    const name = pod.metadata.name ?? '';
    if (pod.metadata.deletionTimestamp || pod.status?.phase === 'Failed') {
      out.ignoredPods.add(name);
      continue;
    }
    if (pod.status?.phase === 'Pending') {
      out.unreadyPods.add(name);
      continue;
    }
    const metric = metrics.get(name);
    if (!metric) {
      out.missingPods.add(name);
      continue;
    }
    if (resource === 'cpu') {
      const condition = podCondition(pod, 'Ready');
      const startTime = timeOf(pod.status?.startTime);
      let unready: boolean;
      if (!condition || startTime === undefined) {
        unready = true;
      } else {
        const transition = timeOf(condition.lastTransitionTime) ?? GO_ZERO_TIME_MS;
        if (startTime + opts.cpuInitializationPeriodMs > nowMs) {
          // Within the initialisation period: unready, or no full window measured since it became ready.
          unready = condition.status === 'False' || metric.timestampMs < transition + metric.windowMs;
        } else {
          // After it: only a pod that has never been ready is left out.
          unready = condition.status === 'False' && startTime + opts.delayOfInitialReadinessStatusMs > transition;
        }
      }
      if (unready) {
        out.unreadyPods.add(name);
        continue;
      }
    }
    out.readyPodCount++;
  }
  return out;
}

function milliOf(q: string | undefined): number | undefined {
  return q === undefined ? undefined : parseCpuMillis(q);
}

/**
 * Each pod's request of the resource in milli-units (upstream calculateRequests): the named container's, or
 * the pod-level request when set, or the sum over the app containers and sidecars. Throws upstream's errors.
 */
export function calculateRequests(pods: readonly Pod[], container: string, resource: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const pod of pods) {
    const name = pod.metadata.name ?? '';
    const podLevel = (pod.spec as { resources?: { requests?: Record<string, string> } } | undefined)?.resources
      ?.requests;
    if (container === '' && podLevel && Object.keys(podLevel).length > 0) {
      const v = milliOf(podLevel[resource]);
      if (v === undefined) throw new Error(`missing pod-level request for ${resource} in Pod ${name}`);
      out.set(name, v);
      continue;
    }
    const containers = [
      ...(pod.spec?.containers ?? []),
      ...(pod.spec?.initContainers ?? []).filter((c) => c.restartPolicy === 'Always'),
    ];
    let request = 0;
    let found = false;
    for (const c of containers) {
      if (container === '' || container === c.name) {
        const v = milliOf(c.resources?.requests?.[resource]);
        if (v === undefined) throw new Error(`missing request for ${resource} in container ${c.name} of Pod ${name}`);
        request += v;
      }
      if (container === c.name) {
        found = true;
        break;
      }
    }
    if (container !== '' && !found) throw new Error(`container ${container} not found in Pod ${name}`);
    out.set(name, request);
  }
  return out;
}

/** upstream GetResourceUtilizationRatio: utilization in whole percent (truncated) and the raw average. */
export function resourceUtilizationRatio(
  metrics: PodMetricsInfo,
  requests: ReadonlyMap<string, number>,
  targetUtilization: number,
): { usageRatio: number; utilization: number; rawAverage: number } {
  let metricsTotal = 0;
  let requestsTotal = 0;
  let entries = 0;
  for (const [pod, metric] of metrics) {
    const request = requests.get(pod);
    // Missing requests are checked elsewhere: a metric without one is extraneous.
    if (request === undefined) continue;
    metricsTotal += metric.value;
    requestsTotal += request;
    entries++;
  }
  if (requestsTotal === 0) throw new Error('no metrics returned matched known pods');
  const utilization = Math.trunc((metricsTotal * 100) / requestsTotal);
  return { usageRatio: utilization / targetUtilization, utilization, rawAverage: Math.trunc(metricsTotal / entries) };
}

/** upstream GetMetricUsageRatio. */
export function metricUsageRatio(metrics: PodMetricsInfo, targetUsage: number): { usageRatio: number; usage: number } {
  let total = 0;
  for (const m of metrics.values()) total += m.value;
  const usage = Math.trunc(total / metrics.size);
  return { usageRatio: usage / targetUsage, usage };
}

export interface ReplicaInputs {
  currentReplicas: number;
  resource: string;
  /** Container name for ContainerResource metrics, '' for the whole pod. */
  container: string;
  tolerances: Tolerances;
  /** Pods the target's selector selects. */
  pods: readonly Pod[];
  /** From the metrics API; entries are removed and added while computing (pass a copy to keep yours). */
  metrics: PodMetricsInfo;
  readiness: ReadinessOptions;
  nowMs: number;
}

export interface UtilizationProposal {
  replicas: number;
  /** Average utilization in percent of the request. */
  utilization: number;
  /** Average usage in milli-units. */
  rawUtilization: number;
}

function removeAll(metrics: PodMetricsInfo, names: Set<string>): void {
  for (const n of names) metrics.delete(n);
}

/** upstream GetResourceReplicas (target: average utilization in percent of the request). Throws. */
export function resourceReplicas(inp: ReplicaInputs, targetUtilization: number): UtilizationProposal {
  const { currentReplicas, tolerances, metrics } = inp;
  if (inp.pods.length === 0) throw new Error('no pods returned by selector while calculating replica count');
  const g = groupPods(inp.pods, metrics, inp.resource, inp.readiness, inp.nowMs);
  removeAll(metrics, g.ignoredPods);
  removeAll(metrics, g.unreadyPods);
  if (metrics.size === 0) throw new Error('did not receive metrics for targeted pods (pods might be unready)');
  const requests = calculateRequests(inp.pods, inp.container, inp.resource);
  const first = resourceUtilizationRatio(metrics, requests, targetUtilization);
  const usageRatio = first.usageRatio;
  const result = (replicas: number) => ({ replicas, utilization: first.utilization, rawUtilization: first.rawAverage });

  const scaleUpWithUnready = g.unreadyPods.size > 0 && usageRatio > 1;
  if (!scaleUpWithUnready && g.missingPods.size === 0) {
    if (isWithinTolerance(tolerances, usageRatio)) return result(currentReplicas);
    return result(Math.ceil(usageRatio * g.readyPodCount));
  }
  if (g.missingPods.size > 0) {
    if (usageRatio < 1) {
      // Scale-down: missing pods use all of their request (or the target, when it is above 100%).
      const fallback = Math.max(100, targetUtilization);
      for (const p of g.missingPods) {
        metrics.set(p, { value: Math.trunc(((requests.get(p) ?? 0) * fallback) / 100), timestampMs: 0, windowMs: 0 });
      }
    } else if (usageRatio > 1) {
      for (const p of g.missingPods) metrics.set(p, { value: 0, timestampMs: 0, windowMs: 0 });
    }
  }
  if (scaleUpWithUnready) for (const p of g.unreadyPods) metrics.set(p, { value: 0, timestampMs: 0, windowMs: 0 });

  const newUsageRatio = resourceUtilizationRatio(metrics, requests, targetUtilization).usageRatio;
  if (
    isWithinTolerance(tolerances, newUsageRatio) ||
    (usageRatio < 1 && newUsageRatio > 1) ||
    (usageRatio > 1 && newUsageRatio < 1)
  ) {
    return result(currentReplicas);
  }
  const newReplicas = Math.ceil(newUsageRatio * metrics.size);
  if ((newUsageRatio < 1 && newReplicas > currentReplicas) || (newUsageRatio > 1 && newReplicas < currentReplicas)) {
    return result(currentReplicas);
  }
  return result(newReplicas);
}

/** upstream GetRawResourceReplicas / calcPlainMetricReplicas (target: average value in milli-units). Throws. */
export function rawResourceReplicas(inp: ReplicaInputs, targetUsage: number): { replicas: number; usage: number } {
  const { currentReplicas, tolerances, metrics } = inp;
  if (inp.pods.length === 0) throw new Error('no pods returned by selector while calculating replica count');
  const g = groupPods(inp.pods, metrics, inp.resource, inp.readiness, inp.nowMs);
  removeAll(metrics, g.ignoredPods);
  removeAll(metrics, g.unreadyPods);
  if (metrics.size === 0) throw new Error('did not receive metrics for targeted pods (pods might be unready)');
  const { usageRatio, usage } = metricUsageRatio(metrics, targetUsage);

  const scaleUpWithUnready = g.unreadyPods.size > 0 && usageRatio > 1;
  if (!scaleUpWithUnready && g.missingPods.size === 0) {
    if (isWithinTolerance(tolerances, usageRatio)) return { replicas: currentReplicas, usage };
    return { replicas: Math.ceil(usageRatio * g.readyPodCount), usage };
  }
  if (g.missingPods.size > 0) {
    if (usageRatio < 1) {
      for (const p of g.missingPods) metrics.set(p, { value: targetUsage, timestampMs: 0, windowMs: 0 });
    } else if (usageRatio > 1) {
      for (const p of g.missingPods) metrics.set(p, { value: 0, timestampMs: 0, windowMs: 0 });
    }
  }
  if (scaleUpWithUnready) for (const p of g.unreadyPods) metrics.set(p, { value: 0, timestampMs: 0, windowMs: 0 });

  const newUsageRatio = metricUsageRatio(metrics, targetUsage).usageRatio;
  if (
    isWithinTolerance(tolerances, newUsageRatio) ||
    (usageRatio < 1 && newUsageRatio > 1) ||
    (usageRatio > 1 && newUsageRatio < 1)
  ) {
    return { replicas: currentReplicas, usage };
  }
  const newReplicas = Math.ceil(newUsageRatio * metrics.size);
  if ((newUsageRatio < 1 && newReplicas > currentReplicas) || (newUsageRatio > 1 && newReplicas < currentReplicas)) {
    return { replicas: currentReplicas, usage };
  }
  return { replicas: newReplicas, usage };
}

/** Where the calculator's metrics come from (metrics-client.ts implements it over the API). */
export interface ResourceMetricsSource {
  getResourceMetric(
    resource: string,
    namespace: string,
    selector: LabelSelector,
    container: string,
  ): Promise<{ metrics: PodMetricsInfo; timestampMs: number }>;
}

export interface ResourceQuery extends Omit<ReplicaInputs, 'metrics'> {
  namespace: string;
  selector: LabelSelector;
}

async function fetchMetrics(source: ResourceMetricsSource, q: ResourceQuery) {
  try {
    return await source.getResourceMetric(q.resource, q.namespace, q.selector, q.container);
  } catch (err) {
    throw new Error(`unable to get metrics for resource ${q.resource}: ${(err as Error).message ?? String(err)}`);
  }
}

/** upstream ReplicaCalculator.GetResourceReplicas: fetch the pods' metrics, then resourceReplicas. */
export async function getResourceReplicas(
  source: ResourceMetricsSource,
  q: ResourceQuery,
  targetUtilization: number,
): Promise<UtilizationProposal & { timestampMs: number }> {
  const m = await fetchMetrics(source, q);
  return { ...resourceReplicas({ ...q, metrics: m.metrics }, targetUtilization), timestampMs: m.timestampMs };
}

/** upstream ReplicaCalculator.GetRawResourceReplicas. */
export async function getRawResourceReplicas(
  source: ResourceMetricsSource,
  q: ResourceQuery,
  targetUsage: number,
): Promise<{ replicas: number; usage: number; timestampMs: number }> {
  const m = await fetchMetrics(source, q);
  return { ...rawResourceReplicas({ ...q, metrics: m.metrics }, targetUsage), timestampMs: m.timestampMs };
}

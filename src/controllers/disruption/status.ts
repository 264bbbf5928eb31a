// A PodDisruptionBudget's status from its pods as pure functions (upstream disruption.go trySync,
// getExpectedPodCount, getExpectedScale, buildDisruptedPodMap, countHealthyPods, updatePdbStatus, failSafe).
// What may be evicted given that status is src/core/disruption.ts (`decideEviction`), shared with the API server.

import {
  DISRUPTION_ALLOWED_CONDITION,
  DISRUPTION_DELETION_TIMEOUT_MS,
  disruptionConditionUpToDate,
  formatLabelSelector,
  isPodReady,
  type Pod,
  type PodDisruptionBudget,
  parseTime,
  type policyv1,
  scaledValueFromIntOrPercent,
  setStatusCondition,
  jsonEqual,
  updateDisruptionAllowedCondition,
} from '../../core/index.js';

export type PdbStatus = policyv1.PodDisruptionBudgetStatus;

/** The controller of a pod and its desired replicas (a Deployment for a ReplicaSet it owns), if found. */
export type ScaleFinder = (pod: Pod) => { uid: string; scale: number } | undefined;

export interface PdbEvent {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
  /** The pod the event is about; otherwise the budget. */
  pod?: Pod;
}

/** getExpectedScale: the summed scale of the pods' controllers; pods without one are unmanaged. */
export function expectedScale(pods: readonly Pod[], find: ScaleFinder): { expected: number; unmanaged: string[] } {
  const scales = new Map<string, number>();
  const unmanaged: string[] = [];
  for (const pod of pods) {
    const ref = pod.metadata.ownerReferences?.find((r) => r.controller);
    if (!ref) {
      unmanaged.push(pod.metadata.name ?? '');
      continue;
    }
    if (scales.has(ref.uid)) continue;
    const found = find(pod);
    if (!found) throw new Error(`found no controllers for pod ${JSON.stringify(pod.metadata.name)}`);
    scales.set(found.uid, found.scale);
  }
  let expected = 0;
  for (const s of scales.values()) expected += s;
  return { expected, unmanaged };
}

/** getExpectedPodCount: the pods expected and how many must stay healthy. */
export function expectedPodCount(
  pdb: PodDisruptionBudget,
  pods: readonly Pod[],
  find: ScaleFinder,
): { expected: number; desired: number; unmanaged: string[] } {
  const maxUnavailable = pdb.spec?.maxUnavailable;
  const minAvailable = pdb.spec?.minAvailable;
  if (maxUnavailable !== undefined && maxUnavailable !== null) {
    const { expected, unmanaged } = expectedScale(pods, find);
    const max = scaledValueFromIntOrPercent(maxUnavailable, expected, true);
    return { expected, desired: Math.max(0, expected - max), unmanaged };
  }
  if (typeof minAvailable === 'number') return { expected: pods.length, desired: minAvailable, unmanaged: [] };
  if (typeof minAvailable === 'string') {
    const { expected, unmanaged } = expectedScale(pods, find);
    return { expected, desired: scaledValueFromIntOrPercent(minAvailable, expected, true), unmanaged };
  }
  return { expected: 0, desired: 0, unmanaged: [] };
}

/**
 * buildDisruptedPodMap: evicted pods still expected to go (within the deletion timeout); those that did not go
 * in time are dropped (with a NotDeleted event). recheckAt: when the next one times out.
 */
export function disruptedPods(
  pdb: PodDisruptionBudget,
  pods: readonly Pod[],
  nowMs: number,
  events: PdbEvent[],
): { map: Record<string, string>; recheckAt?: number } {
  const previous = pdb.status?.disruptedPods;
  const map: Record<string, string> = {};
  let recheckAt: number | undefined;
  if (!previous) return { map };
  for (const pod of pods) {
    if (pod.metadata.deletionTimestamp) continue;
    const at = previous[pod.metadata.name ?? ''];
    if (at === undefined) continue;
    const expectedDeletion = (parseTime(at) ?? 0) + DISRUPTION_DELETION_TIMEOUT_MS;
    if (expectedDeletion < nowMs) {
      events.push({
        type: 'Warning',
        reason: 'NotDeleted',
        message: `Pod was expected by PDB ${pdb.metadata.namespace}/${pdb.metadata.name} to be deleted but it wasn't`,
        pod,
      });
    } else {
      if (recheckAt === undefined || expectedDeletion < recheckAt) recheckAt = expectedDeletion;
      map[pod.metadata.name ?? ''] = at;
    }
  }
  return recheckAt === undefined ? { map } : { map, recheckAt };
}

/** countHealthyPods: ready, not terminating, not just evicted. */
export function countHealthyPods(pods: readonly Pod[], disrupted: Record<string, string>, nowMs: number): number {
  let healthy = 0;
  for (const pod of pods) {
    if (pod.metadata.deletionTimestamp) continue;
    const at = disrupted[pod.metadata.name ?? ''];
    if (at !== undefined && (parseTime(at) ?? 0) + DISRUPTION_DELETION_TIMEOUT_MS > nowMs) continue;
    if (isPodReady(pod)) healthy++;
  }
  return healthy;
}

export interface PdbSync {
  /** The status to write, undefined when the current one is up to date. */
  status?: PdbStatus;
  events: PdbEvent[];
  recheckAt?: number;
}

/** trySync over the budget's pods; throws on a pod whose controller cannot be found (the caller fails safe). */
export function computePdbStatus(
  pdb: PodDisruptionBudget,
  pods: readonly Pod[],
  find: ScaleFinder,
  nowMs: number,
): PdbSync {
  const events: PdbEvent[] = [];
  if (pods.length === 0) events.push({ type: 'Normal', reason: 'NoPods', message: 'No matching pods found' });
  let counts: ReturnType<typeof expectedPodCount>;
  try {
    counts = expectedPodCount(pdb, pods, find);
  } catch (err) {
    throw new CalculateError((err as Error).message);
  }
  if (counts.unmanaged.length > 0) {
    events.push({
      type: 'Warning',
      reason: 'UnmanagedPods',
      message: `Pods selected by this PodDisruptionBudget (selector: ${formatLabelSelector(pdb.spec?.selector)}) were found to be unmanaged. As a result, the status of the PDB cannot be calculated correctly, which may result in undefined behavior. To account for these pods please set ".spec.minAvailable" field of the PDB to an integer value.`,
    });
  }
  const { map, recheckAt } = disruptedPods(pdb, pods, nowMs, events);
  const currentHealthy = countHealthyPods(pods, map, nowMs);
  let allowed = currentHealthy - counts.desired;
  // No expected pods: a safe state until the first pods appear and are counted.
  if (counts.expected <= 0 || allowed <= 0) allowed = 0;
  const s = pdb.status;
  const generation = pdb.metadata.generation ?? 0;
  const upToDate =
    s !== undefined &&
    s.currentHealthy === currentHealthy &&
    s.desiredHealthy === counts.desired &&
    s.expectedPods === counts.expected &&
    s.disruptionsAllowed === allowed &&
    jsonEqual(s.disruptedPods ?? {}, map) &&
    (s.observedGeneration ?? 0) === generation &&
    disruptionConditionUpToDate(pdb);
  const out: PdbSync = { events, ...(recheckAt !== undefined ? { recheckAt } : {}) };
  if (upToDate) return out;
  const status: PdbStatus = {
    currentHealthy,
    desiredHealthy: counts.desired,
    expectedPods: counts.expected,
    disruptionsAllowed: allowed,
    observedGeneration: generation,
    conditions: structuredClone(s?.conditions ?? []),
  };
  if (Object.keys(map).length > 0) status.disruptedPods = map;
  updateDisruptionAllowedCondition(status, nowMs);
  return { ...out, status };
}

/** The controller of a pod could not be resolved: the event upstream records. */
export class CalculateError extends Error {}

/** failSafe: nothing may be disrupted, DisruptionAllowed False with reason SyncFailed. */
export function failSafeStatus(pdb: PodDisruptionBudget, message: string, nowMs: number): PdbStatus {
  const status = structuredClone(pdb.status ?? ({} as PdbStatus));
  status.disruptionsAllowed = 0;
  status.currentHealthy ??= 0;
  status.desiredHealthy ??= 0;
  status.expectedPods ??= 0;
  status.conditions ??= [];
  setStatusCondition(
    status.conditions,
    {
      type: DISRUPTION_ALLOWED_CONDITION,
      status: 'False',
      reason: 'SyncFailed',
      message,
      observedGeneration: status.observedGeneration,
    },
    nowMs,
  );
  return status;
}

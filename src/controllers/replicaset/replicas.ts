// The ReplicaSet's decisions as pure functions: how many pods to create or delete (created in
// slow-start batches, shared/batches.ts), and the status that the observed pods imply.

import {
  isPodReady,
  jsonEqual,
  labelSelectorFromMap,
  type Pod,
  type ReplicaSet,
  type ReplicaSetCondition,
  type ReplicaSetStatus,
  rfc3339,
} from '../../core/index.js';
import { isPodAvailable } from '../shared/pods.js';
import { podsToDelete } from './active-pods.js';

/** Upstream's burstReplicas: at most this many creates or deletes per sync. */
export const BURST_REPLICAS = 500;

export type ReplicaDiff = { kind: 'create'; count: number } | { kind: 'delete'; pods: Pod[] } | { kind: 'none' };

/** What to do so that the active owned pods match spec.replicas (capped by BURST_REPLICAS). */
export function replicaDiff(rs: ReplicaSet, activePods: Pod[], relatedPods: Pod[] = activePods): ReplicaDiff {
  const want = rs.spec?.replicas ?? 1;
  const diff = activePods.length - want;
  if (diff < 0) return { kind: 'create', count: Math.min(-diff, BURST_REPLICAS) };
  if (diff > 0) return { kind: 'delete', pods: podsToDelete(activePods, Math.min(diff, BURST_REPLICAS), relatedPods) };
  return { kind: 'none' };
}

export interface ManageError {
  kind: 'create' | 'delete';
  message: string;
}

/** Status from the active owned pods (calculateStatus); manageError sets or clears ReplicaFailure. */
export function replicaSetStatus(
  rs: ReplicaSet,
  activePods: Pod[],
  nowMs: number,
  manageError?: ManageError,
): ReplicaSetStatus {
  const templateLabels = labelSelectorFromMap(rs.spec?.template?.metadata?.labels ?? {});
  const minReady = rs.spec?.minReadySeconds ?? 0;
  let fullyLabeled = 0;
  let ready = 0;
  let available = 0;
  for (const p of activePods) {
    if (templateLabels.matches(p.metadata.labels)) fullyLabeled++;
    if (isPodReady(p)) {
      ready++;
      if (isPodAvailable(p, minReady, nowMs)) available++;
    }
  }
  let conditions = (rs.status?.conditions ?? []).filter((c) => c.type !== 'ReplicaFailure');
  const previous = rs.status?.conditions?.find((c) => c.type === 'ReplicaFailure');
  if (manageError) {
    const reason = manageError.kind === 'create' ? 'FailedCreate' : 'FailedDelete';
    const cond: ReplicaSetCondition = {
      type: 'ReplicaFailure',
      status: 'True',
      reason,
      message: manageError.message,
      lastTransitionTime: previous?.status === 'True' ? previous.lastTransitionTime : rfc3339(nowMs),
    };
    conditions = [...conditions, cond];
  }
  const status: ReplicaSetStatus = {
    replicas: activePods.length,
    fullyLabeledReplicas: fullyLabeled,
    readyReplicas: ready,
    availableReplicas: available,
    observedGeneration: rs.metadata.generation ?? 0,
  };
  if (conditions.length > 0) status.conditions = conditions;
  return status;
}

/** When some pod is ready but not yet available, the moment it will become so (to requeue then). */
export function nextAvailableCheckMs(rs: ReplicaSet, activePods: Pod[], nowMs: number): number | undefined {
  const minReady = rs.spec?.minReadySeconds ?? 0;
  if (minReady <= 0) return undefined;
  let next: number | undefined;
  for (const p of activePods) {
    if (!isPodReady(p) || isPodAvailable(p, minReady, nowMs)) continue;
    const since = Date.parse(p.status?.conditions?.find((c) => c.type === 'Ready')?.lastTransitionTime ?? '');
    const at = Number.isNaN(since) ? nowMs + minReady * 1000 : since + minReady * 1000;
    if (next === undefined || at < next) next = at;
  }
  return next;
}

/** Status fields compared without conditions' timestamps churning. */
export function statusEqual(a: ReplicaSetStatus | undefined, b: ReplicaSetStatus): boolean {
  if (!a) return false;
  return (
    a.replicas === b.replicas &&
    (a.fullyLabeledReplicas ?? 0) === (b.fullyLabeledReplicas ?? 0) &&
    (a.readyReplicas ?? 0) === (b.readyReplicas ?? 0) &&
    (a.availableReplicas ?? 0) === (b.availableReplicas ?? 0) &&
    (a.observedGeneration ?? 0) === (b.observedGeneration ?? 0) &&
    jsonEqual(a.conditions ?? [], b.conditions ?? [])
  );
}

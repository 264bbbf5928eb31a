// The decisions of a replica owner as pure functions, for any kind with spec.replicas, a pod template and
// the ReplicaSet status fields (ReplicaSet, ReplicationController: upstream runs one controller for both):
// how many pods to create or delete, and the status the observed pods imply.

import { isPodReady, jsonEqual, labelSelectorFromMap, type ObjectMeta, type Pod, rfc3339 } from '../../core/index.js';
import { podsToDelete } from './active-pods.js';
import { isPodAvailable } from './pods.js';

/** Upstream's burstReplicas: at most this many creates or deletes per sync. */
export const BURST_REPLICAS = 500;

export interface ReplicaCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
}

/** What a replica owner looks like to these rules. */
export interface ReplicaOwner {
  metadata: ObjectMeta;
  spec?: {
    replicas?: number;
    minReadySeconds?: number;
    template?: { metadata?: { labels?: Record<string, string> } };
  };
  status?: { conditions?: ReplicaCondition[] };
}

export interface ReplicaStatus {
  replicas: number;
  fullyLabeledReplicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  observedGeneration?: number;
  conditions?: ReplicaCondition[];
}

export type ReplicaDiff = { kind: 'create'; count: number } | { kind: 'delete'; pods: Pod[] } | { kind: 'none' };

/** What to do so that the active owned pods match spec.replicas (capped by BURST_REPLICAS). */
export function replicaDiff(
  owner: ReplicaOwner,
  activePods: Pod[],
  relatedPods: Pod[] = activePods,
  burst = BURST_REPLICAS,
): ReplicaDiff {
  const want = owner.spec?.replicas ?? 1;
  const diff = activePods.length - want;
  if (diff < 0) return { kind: 'create', count: Math.min(-diff, burst) };
  if (diff > 0) return { kind: 'delete', pods: podsToDelete(activePods, Math.min(diff, burst), relatedPods) };
  return { kind: 'none' };
}

export interface ManageError {
  kind: 'create' | 'delete';
  message: string;
}

/** Status from the active owned pods (calculateStatus); manageError sets or clears ReplicaFailure. */
export function replicaStatus(
  owner: ReplicaOwner,
  activePods: Pod[],
  nowMs: number,
  manageError?: ManageError,
): ReplicaStatus {
  const templateLabels = labelSelectorFromMap(owner.spec?.template?.metadata?.labels ?? {});
  const minReady = owner.spec?.minReadySeconds ?? 0;
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
  let conditions = (owner.status?.conditions ?? []).filter((c) => c.type !== 'ReplicaFailure');
  const previous = owner.status?.conditions?.find((c) => c.type === 'ReplicaFailure');
  if (manageError) {
    const cond: ReplicaCondition = {
      type: 'ReplicaFailure',
      status: 'True',
      reason: manageError.kind === 'create' ? 'FailedCreate' : 'FailedDelete',
      message: manageError.message,
      lastTransitionTime: previous?.status === 'True' ? previous.lastTransitionTime : rfc3339(nowMs),
    };
    conditions = [...conditions, cond];
  }
  const status: ReplicaStatus = {
    replicas: activePods.length,
    fullyLabeledReplicas: fullyLabeled,
    readyReplicas: ready,
    availableReplicas: available,
    observedGeneration: owner.metadata.generation ?? 0,
  };
  if (conditions.length > 0) status.conditions = conditions;
  return status;
}

/** When some pod is ready but not yet available, the moment it will become so (to requeue then). */
export function nextAvailableCheckMs(owner: ReplicaOwner, activePods: Pod[], nowMs: number): number | undefined {
  const minReady = owner.spec?.minReadySeconds ?? 0;
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
export function replicaStatusEqual(a: ReplicaStatus | undefined, b: ReplicaStatus): boolean {
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

// Deployment status and conditions as pure functions (upstream sync.go calculateStatus,
// progress.go syncRolloutStatus, util.DeploymentComplete/Progressing/TimedOut).

import {
  type Deployment,
  type DeploymentCondition,
  type DeploymentStatus,
  type ReplicaSet,
  rfc3339,
} from '../../core/index.js';
import { desiredReplicas, maxUnavailable } from './rollout.js';

export const PROGRESSING = 'Progressing';
export const AVAILABLE = 'Available';
export const REPLICA_FAILURE = 'ReplicaFailure';

export function getCondition(status: DeploymentStatus | undefined, type: string): DeploymentCondition | undefined {
  return status?.conditions?.find((c) => c.type === type);
}

/** SetDeploymentCondition: same status and reason is no change; same status keeps the transition time. */
export function setCondition(status: DeploymentStatus, cond: DeploymentCondition): void {
  const current = getCondition(status, cond.type);
  if (current && current.status === cond.status && current.reason === cond.reason) return;
  if (current && current.status === cond.status) cond.lastTransitionTime = current.lastTransitionTime;
  status.conditions = [...(status.conditions ?? []).filter((c) => c.type !== cond.type), cond];
}

export function removeCondition(status: DeploymentStatus, type: string): void {
  const rest = (status.conditions ?? []).filter((c) => c.type !== type);
  if (rest.length > 0) status.conditions = rest;
  else delete status.conditions;
}

export function newCondition(
  type: string,
  status: DeploymentCondition['status'],
  reason: string,
  message: string,
  nowMs: number,
): DeploymentCondition {
  const t = rfc3339(nowMs);
  return { type, status, lastUpdateTime: t, lastTransitionTime: t, reason, message };
}

export function calculateStatus(
  d: Deployment,
  allRSs: ReplicaSet[],
  newRS: ReplicaSet | undefined,
  nowMs: number,
): DeploymentStatus {
  const total = allRSs.reduce((n, rs) => n + (rs.status?.replicas ?? 0), 0);
  const available = allRSs.reduce((n, rs) => n + (rs.status?.availableReplicas ?? 0), 0);
  const status: DeploymentStatus = {
    observedGeneration: d.metadata.generation ?? 0,
    replicas: total,
    updatedReplicas: newRS?.status?.replicas ?? 0,
    readyReplicas: allRSs.reduce((n, rs) => n + (rs.status?.readyReplicas ?? 0), 0),
    availableReplicas: available,
    unavailableReplicas: Math.max(0, total - available),
  };
  if (d.status?.collisionCount !== undefined) status.collisionCount = d.status.collisionCount;
  if (d.status?.conditions) status.conditions = d.status.conditions.map((c) => ({ ...c }));
  if (available >= desiredReplicas(d) - maxUnavailable(d)) {
    setCondition(
      status,
      newCondition(AVAILABLE, 'True', 'MinimumReplicasAvailable', 'Deployment has minimum availability.', nowMs),
    );
  } else {
    setCondition(
      status,
      newCondition(
        AVAILABLE,
        'False',
        'MinimumReplicasUnavailable',
        'Deployment does not have minimum availability.',
        nowMs,
      ),
    );
  }
  return status;
}

export function hasProgressDeadline(d: Deployment): boolean {
  const s = d.spec?.progressDeadlineSeconds;
  return s !== undefined && s !== 2147483647;
}

export function deploymentComplete(d: Deployment, s: DeploymentStatus): boolean {
  const want = desiredReplicas(d);
  return (
    (s.updatedReplicas ?? 0) === want &&
    (s.replicas ?? 0) === want &&
    (s.availableReplicas ?? 0) === want &&
    (s.observedGeneration ?? 0) >= (d.metadata.generation ?? 0)
  );
}

/** Some progress between the old and the new status (DeploymentProgressing). */
export function deploymentProgressing(d: Deployment, s: DeploymentStatus): boolean {
  const old = d.status ?? {};
  const oldOld = (old.replicas ?? 0) - (old.updatedReplicas ?? 0);
  const newOld = (s.replicas ?? 0) - (s.updatedReplicas ?? 0);
  return (
    (s.updatedReplicas ?? 0) > (old.updatedReplicas ?? 0) ||
    newOld < oldOld ||
    (s.readyReplicas ?? 0) > (old.readyReplicas ?? 0) ||
    (s.availableReplicas ?? 0) > (old.availableReplicas ?? 0)
  );
}

export function deploymentTimedOut(d: Deployment, s: DeploymentStatus, nowMs: number): boolean {
  if (!hasProgressDeadline(d)) return false;
  const c = getCondition(s, PROGRESSING);
  if (!c || c.reason === 'NewReplicaSetAvailable') return false;
  if (c.reason === 'ProgressDeadlineExceeded') return true;
  const from = Date.parse(c.lastUpdateTime ?? '');
  return !Number.isNaN(from) && from + (d.spec?.progressDeadlineSeconds ?? 0) * 1000 < nowMs;
}

/**
 * The status after a rollout step, with the Progressing condition advanced (syncRolloutStatus),
 * and the delay after which to check the progress deadline again (undefined: no need).
 */
export function rolloutStatus(
  d: Deployment,
  allRSs: ReplicaSet[],
  newRS: ReplicaSet | undefined,
  nowMs: number,
): { status: DeploymentStatus; recheckAfterMs?: number } {
  const status = calculateStatus(d, allRSs, newRS, nowMs);
  if (!hasProgressDeadline(d)) removeCondition(status, PROGRESSING);
  const current = getCondition(status, PROGRESSING);
  const complete = status.replicas === status.updatedReplicas && current?.reason === 'NewReplicaSetAvailable';
  if (hasProgressDeadline(d) && !complete) {
    const name = newRS?.metadata.name ?? '';
    if (deploymentComplete(d, status)) {
      setCondition(
        status,
        newCondition(
          PROGRESSING,
          'True',
          'NewReplicaSetAvailable',
          `ReplicaSet "${name}" has successfully progressed.`,
          nowMs,
        ),
      );
    } else if (deploymentProgressing(d, status)) {
      const cond = newCondition(
        PROGRESSING,
        'True',
        'ReplicaSetUpdated',
        `ReplicaSet "${name}" is progressing.`,
        nowMs,
      );
      if (current?.status === 'True') cond.lastTransitionTime = current.lastTransitionTime;
      removeCondition(status, PROGRESSING);
      setCondition(status, cond);
    } else if (deploymentTimedOut(d, status, nowMs)) {
      setCondition(
        status,
        newCondition(
          PROGRESSING,
          'False',
          'ProgressDeadlineExceeded',
          `ReplicaSet "${name}" has timed out progressing.`,
          nowMs,
        ),
      );
    }
  }
  const failure = allRSs
    .map((rs) => rs.status?.conditions?.find((c) => c.type === 'ReplicaFailure' && c.status === 'True'))
    .find(Boolean);
  if (failure) setCondition(status, { ...failure, type: REPLICA_FAILURE, lastUpdateTime: failure.lastTransitionTime });
  else removeCondition(status, REPLICA_FAILURE);
  // Requeue to notice a stuck rollout at its deadline (requeueStuckDeployment).
  let recheckAfterMs: number | undefined;
  const p = getCondition(status, PROGRESSING);
  if (
    hasProgressDeadline(d) &&
    p?.status === 'True' &&
    p.reason !== 'NewReplicaSetAvailable' &&
    !deploymentComplete(d, status)
  ) {
    const from = Date.parse(p.lastUpdateTime ?? '');
    if (!Number.isNaN(from))
      recheckAfterMs = Math.max(0, from + (d.spec?.progressDeadlineSeconds ?? 0) * 1000 - nowMs) + 1000;
  }
  return { status, recheckAfterMs };
}

/** Paused / resumed reasons on Progressing (checkPausedConditions); returns true when changed. */
export function pausedCondition(d: Deployment, status: DeploymentStatus, nowMs: number): boolean {
  if (!hasProgressDeadline(d)) return false;
  const c = getCondition(status, PROGRESSING);
  if (c?.reason === 'ProgressDeadlineExceeded') return false;
  const paused = d.spec?.paused === true;
  if (paused && c?.reason !== 'DeploymentPaused') {
    setCondition(status, newCondition(PROGRESSING, 'Unknown', 'DeploymentPaused', 'Deployment is paused', nowMs));
    return true;
  }
  if (!paused && c?.reason === 'DeploymentPaused') {
    setCondition(status, newCondition(PROGRESSING, 'Unknown', 'DeploymentResumed', 'Deployment is resumed', nowMs));
    return true;
  }
  return false;
}

/** Status equality ignoring condition timestamps that only lastUpdateTime changed. */
export function deploymentStatusEqual(a: DeploymentStatus | undefined, b: DeploymentStatus): boolean {
  if (!a) return false;
  const strip = (s: DeploymentStatus) =>
    JSON.stringify({
      ...s,
      conditions: (s.conditions ?? []).map((c) => [c.type, c.status, c.reason, c.message]).sort(),
    });
  return strip(a) === strip(b);
}
